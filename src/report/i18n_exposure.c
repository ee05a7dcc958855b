/*
 * i18n_exposure.c - the words of the reports' exposure part, in Japanese
 * and English: the audit of the company's own addresses, its staff's
 * self-checks, and the self-check service's statistics (seeds 001, 003).
 */
#include "report/i18n.h"

#include <string.h>

static const char *const phrases[][3] = {
    {"exp", "インターネットから届くポート", "What the Internet can reach"},
    {"exp_note",
     "会社のアドレスへの接続確認（mimamori exposure）の結果です。保守用のポートが外から届くと、"
     "パスワードの総当たりや脆弱性を突いた侵入の入口になります。",
     "Results of the connection checks of the company's addresses (mimamori exposure). A "
     "maintenance port the Internet can reach is a way in for password guessing and for "
     "attacks on known flaws."},
    {"exp_audit", "自社アドレスの点検で開いていたポート", "Ports open in the audits of the company's addresses"},
    {"exp_audit_none", "点検したアドレスで、開いているポートは見つかりませんでした。",
     "The audits found no open port on the company's addresses."},
    {"exp_audits_n", "点検の回数", "Audits"},
    {"exp_target", "アドレス", "Address"},
    {"exp_service", "サービス", "Service"},
    {"exp_answer", "応答の内容", "What answers"},
    {"exp_why", "危険な理由", "Why it matters"},
    {"exp_advice", "対策", "What to do"},
    {"exp_checked", "確認日時", "Checked"},
    {"exp_serious", "至急", "Urgent"},
    {"exp_self", "従業員の PC の自己診断", "Self-checks of the staff's PCs"},
    {"exp_self_note",
     "会社用のリンクから従業員が行った自己診断です。開いていたポートがある PC は、"
     "ファイアウォールの設定と Windows Update を確認してください。",
     "Self-checks made by the staff through the company's link. For a PC with open ports, "
     "check its firewall settings and Windows Update."},
    {"exp_requester", "診断した接続元", "Checked from"},
    {"exp_open_ports", "開いていたポート", "Open ports"},
    {"exp_none_open", "なし（安全）", "none (safe)"},
    {"exp_survey", "自己診断サービスの統計", "Self-check service statistics"},
    {"exp_checks_n", "診断の回数", "Checks"},
    {"exp_exposed_n", "開いたポートが見つかった診断", "Checks that found a port open"},
    {"exp_asked", "確認した回数", "Checked"},
    {"exp_open_n", "開いていた回数", "Found open"},
    {"exp_share", "割合", "Share"},
    {"exp_month_any", "いずれかのポートが開いていた割合", "Share with any port open"},
    {"exp_month_445", "445 番が開いていた割合", "Share with 445 open"},
    {"exp_web", "Web サイトの保守用の入口", "Maintenance ways into the web sites"},
    {"exp_web_note",
     "会社の Web サイトを外から確かめた結果です（mimamori exposure web）。管理画面、管理用の名前やポートが"
     "外から届くと、パスワードの総当たりや改ざんの入口になります。",
     "What a check of the company's web sites from outside found (mimamori exposure web). A "
     "management screen, name or port the Internet reaches is a way in for password guessing "
     "and defacement."},
    {"exp_web_kind", "種類", "Kind"},
    {"exp_web_name", "管理用の名前", "Management name"},
    {"exp_web_port", "管理用のポート", "Management port"},
    {"exp_web_path", "管理画面・保守用のパス", "Administration path"},
    {"exp_web_certificate", "証明書", "Certificate"},
    {"exp_web_advice_name",
     "管理用の名前（admin. など）を公開 DNS から外すか、その先を社内や VPN からだけ届くようにしてください。",
     "Take management names (admin. and the like) out of public DNS, or make what they point "
     "to reachable only from inside or over a VPN."},
    {"exp_web_advice_port",
     "FTP や管理用のポートは閉じ、必要なら接続元を限定してください。FTP は SFTP に切り替えてください。",
     "Close FTP and management ports, or allow only known addresses; move from FTP to SFTP."},
    {"exp_web_advice_path",
     "管理画面は接続元の IP アドレスで制限するか、VPN 経由でだけ使えるようにし、強いパスワードと二要素認証を設定してください。"
     "不要な画面（phpMyAdmin、サーバーの状態表示など）は削除してください。",
     "Restrict administration screens to known addresses or a VPN, with strong passwords and "
     "two-factor sign-in; remove the ones not needed (phpMyAdmin, server status pages)."},
    {"exp_web_advice_certificate",
     "期限が近い・切れた証明書は更新し、すべての名前を含む証明書にしてください。",
     "Renew certificates that are expiring or expired, and cover every name the site answers "
     "to."},
};

const char *rp_t_exposure(int lang, const char *key)
{
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (strcmp(phrases[i][0], key) == 0)
            return phrases[i][lang ? 2 : 1];
    return NULL;
}
