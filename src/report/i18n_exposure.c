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
    {"exp_todo", "対策", "What to do"},
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
};

const char *rp_t_exposure(int lang, const char *key)
{
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (strcmp(phrases[i][0], key) == 0)
            return phrases[i][lang ? 2 : 1];
    return NULL;
}
