/*
 * i18n_logs.c - the words of the reports' gateway-log part, in Japanese and
 * English: the section's labels, and what each kind of log finding means
 * for a company owner (title, what happened, why it matters, what to do).
 *
 * The advice follows the field reports: block telnet and the IoT ports
 * from outside (seed 001), know which cloud services are in use and decide
 * which are allowed (001), look at DNS answers a normal network never sees
 * and hosts that have no reason to resolve names (002), keep the DHCP log
 * so a finding leads to a machine (002).
 */
#include "report/i18n.h"

#include <string.h>

static const char *const phrases[][3] = {
    {"logs", "ゲートウェイのログから分かること", "What the gateway logs show"},
    {"logs_note",
     "ルーター、ファイアウォール、プロキシ、DNS、DHCP、メールの記録（ログ）から読み取った内容です。",
     "Read from the records (logs) of the company's router, firewall, proxy, DNS, DHCP and "
     "mail servers."},
    {"fw", "ファイアウォールが遮断した通信", "Traffic the firewall blocked"},
    {"fw_all", "ファイアウォールが記録した通信（遮断か許可かはログに書かれていません）",
     "Traffic the firewall logged (the log does not say whether it was blocked)"},
    {"fw_blocked_n", "遮断した記録", "Blocked records"},
    {"fw_records_n", "記録", "Records"},
    {"telnet_share", "telnet（23, 2323 番）の割合", "Share of telnet (ports 23, 2323)"},
    {"iot_share", "遮断の多い上位 100 ポートのうち IoT 機器のポートの割合",
     "Share of IoT ports among the 100 most blocked ports"},
    {"port", "ポート", "Port"},
    {"iot", "IoT", "IoT"},
    {"month", "月", "Month"},
    {"year_before", "前年同月", "Same month a year before"},
    {"change", "増減", "Change"},
    {"fw_sources", "遮断の多かった送信元", "Sources blocked most"},
    {"fw_advice",
     "外部からの telnet や IoT 機器の管理ポートへのアクセスは、ほとんどが乗っ取る機器を探す自動の攻撃です。"
     "ルーターで外部からのアクセスを遮断し、機器の初期パスワードを変更してください。",
     "Attempts from outside on telnet and the management ports of IoT devices are almost all "
     "automated attacks looking for devices to take over. Keep them blocked at the router and "
     "change the devices' default passwords."},
    {"shadow", "使われているクラウドサービス（シャドー IT）", "Cloud services in use (shadow IT)"},
    {"shadow_note",
     "1 か月に 1MB 以上のやり取りがあったサービスを「利用あり」としています。"
     "会社として認めていないサービスに業務の情報が置かれていないか確認してください。",
     "A service counts as used in a month when at least 1 MB was exchanged with it. Check that "
     "no company information sits in services the company has not approved."},
    {"service", "サービス", "Service"},
    {"category", "分類", "Category"},
    {"bytes_up", "送信量", "Sent"},
    {"bytes_down", "受信量", "Received"},
    {"n_hosts", "端末数", "Hosts"},
    {"sanctioned", "会社が認めたもの", "Approved"},
    {"https", "Web アクセスのうち HTTPS（暗号化）の割合", "Share of web requests over HTTPS"},
    {"log_findings", "ログから見つかったこと", "Findings in the logs"},
    {"host", "社内の端末", "Internal host"},
    {"name", "名前", "Name"},
    {"answer", "応答", "Answer"},
    {"logins", "ログイン", "Logins"},
    {"source", "送信元", "Source"},
    {"user", "ユーザー", "User"},
    {"days", "日数", "Days"},
    {"kind_guessing", "パスワードの総当たり", "Password guessing"},
    {"kind_abroad", "海外からのログイン成功", "Successful login from abroad"},
    {"cat_storage", "ストレージ", "Storage"},
    {"cat_webmail", "Web メール", "Webmail"},
    {"cat_messaging", "メッセージ", "Messaging"},
    {"cat_file-transfer", "ファイル転送", "File transfer"},
    {"cat_remote-access", "リモート操作", "Remote access"},
    {"cat_generative-ai", "生成 AI", "Generative AI"},
    {"cat_social", "SNS", "Social"},
    {"cat_developer", "開発", "Developer"},
    {"cat_video-conferencing", "Web 会議", "Video conferencing"},
    {"cat_collaboration", "共同作業", "Collaboration"},
    {"cat_office-suite", "オフィス", "Office suite"},
    {"cat_other", "その他", "Other"},
    {"logs_survey", "ゲートウェイのログから（全企業）", "From the gateway logs (all companies)"},
    {"fw_survey", "ファイアウォールが遮断したポート（全企業の合計）",
     "Ports the firewalls blocked (all companies together)"},
    {"svc_survey", "使われているクラウドサービスと利用企業数",
     "Cloud services in use and the companies using them"},
    {"kinds_survey", "ログから見つかったことと該当企業数", "Findings in the logs and the companies with them"},
};

const char *rp_t_logs(int lang, const char *key)
{
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (strcmp(phrases[i][0], key) == 0)
            return phrases[i][lang ? 2 : 1];
    return NULL;
}

static const mm_explain kinds[] = {
    {"sinkhole",
     {"乗っ取られた端末の可能性（名前の応答が無効なアドレス）",
      "A machine that may be infected (name answered with a dead address)"},
     {"社内の端末が問い合わせた名前に、0.0.0.0 や 127.0.0.1、または押収された攻撃用ドメインの受け皿（シンクホール）のアドレスが返されました。",
      "A name an internal machine asked for was answered with 0.0.0.0, 127.0.0.1 or the "
      "address of a sinkhole, where seized attack domains now point."},
     {"普通の端末がこのような名前を問い合わせることはまずありません。ウイルスが、止められた指令サーバーに接続しようとしている典型的な兆候です。",
      "Ordinary machines almost never ask for such names. It is the typical sign of malware "
      "trying to reach a command server that has been shut down."},
     {"表の端末をネットワークから外してください。\nウイルス対策ソフトで全体を検査し、見つからなくても専門家に相談してください。\nその端末で使ったパスワードを別の端末から変更してください。",
      "Take the machine in the table off the network.\nScan it fully with anti-virus software, "
      "and ask an expert even if nothing is found.\nChange the passwords used on it, from "
      "another machine."}},
    {"ddns",
     {"無料のダイナミック DNS への接続", "Connections to free dynamic-DNS names"},
     {"社内の端末が、無料のダイナミック DNS サービスの名前を問い合わせました。",
      "An internal machine looked up names of a free dynamic-DNS service."},
     {"無料のダイナミック DNS は、遠隔操作ウイルスの指令サーバーによく使われます。業務で使う理由がなければ不審です。",
      "Free dynamic-DNS names are often used by remote-control malware for its command "
      "servers. Without a business reason, this is suspicious."},
     {"その名前を業務で使っているか、担当者に確認してください。\n心当たりがなければ端末を検査し、その名前への通信をルーターで止めてください。",
      "Ask whether anyone uses that name for work.\nIf not, scan the machine and block the "
      "name at the router."}},
    {"listed",
     {"不審なサイトへのアクセス（マイニングなど）", "Visits to listed sites (cryptocurrency mining and others)"},
     {"社内の端末が、仮想通貨のマイニングなど注意が必要なサイトの一覧に載った名前にアクセスしました。",
      "An internal machine contacted a name on a list of sites to watch, such as "
      "cryptocurrency mining."},
     {"マイニングは端末の電力と性能を勝手に使います。ウイルスや不正なスクリプトが原因のことがあります。",
      "Mining uses the machine's power and performance without permission; malware or a "
      "rogue script is often behind it."},
     {"端末で動いているプログラムとブラウザーの拡張機能を確認してください。\n不要なものを削除し、ウイルス対策ソフトで検査してください。",
      "Check the programs and browser extensions on the machine.\nRemove what is not needed "
      "and scan it with anti-virus software."}},
    {"server_resolves",
     {"名前を引く必要のないサーバーの DNS 問い合わせ", "A server that should not resolve names did"},
     {"台帳で「名前を引かない」とされたサーバーが、外部の名前を問い合わせました。",
      "A server the inventory lists as one that resolves no names looked up outside names."},
     {"普段外部と通信しないサーバーの問い合わせは、乗っ取られて外部と通信を始めた兆候のことがあります。",
      "When a server that never talks outside starts looking up names, it may have been taken "
      "over and begun to talk out."},
     {"問い合わせた名前に心当たりがあるか、サーバーの担当者に確認してください。\n心当たりがなければサーバーを検査してください。",
      "Ask the server's administrator whether the names are expected.\nIf not, have the server "
      "examined."}},
    {"ioc",
     {"注意喚起された指標（IoC）との一致", "Matches with indicators of compromise"},
     {"社内の端末が、注意喚起や脅威情報で攻撃に使われたと公表された通信先・ファイル・メールなどと過去に接していました（mimamori hunt で見つかったもの）。",
      "Internal machines met addresses, names, URLs, files or mail that advisories and threat "
      "feeds published as used in attacks (found by looking back with mimamori hunt)."},
     {"一致した端末は感染しているか、攻撃の入口になったおそれがあります。最後に接した日時以降の通信や操作を確認する必要があります。",
      "The machines may be infected or may have been the attackers' way in; what they did "
      "after the last contact needs a look."},
     {"一致した端末をネットワークから外し、ウイルス対策ソフトで検査してください。\n"
      "その端末で使っていたパスワードを、別の端末から変更してください。\n"
      "ルーターやプロキシで、一致した通信先を遮断してください（mimamori ioc export でブロックリストを作れます）。",
      "Take the machines off the network and scan them.\n"
      "From another machine, change the passwords used on them.\n"
      "Block the matching destinations at the router or proxy (mimamori ioc export makes the "
      "blocklist)."}},
    {"bypass",
     {"社内の DNS を通らない問い合わせ", "Name queries that bypass the company's DNS"},
     {"社内の端末が、会社の DNS サーバーではなく外部の DNS サーバーに直接問い合わせました。",
      "An internal machine sent name queries straight to an outside DNS server instead of the "
      "company's own."},
     {"会社の DNS を通らない通信は記録にも対策にもかかりません。ウイルスが検知を避けるためによく使う方法です。",
      "Queries that skip the company's DNS escape its logs and its protection; malware uses "
      "this to avoid detection."},
     {"端末の DNS 設定を確認してください。\nルーターで、会社の DNS サーバー以外から外部への 53 番ポートの通信を止めてください。",
      "Check the machine's DNS settings.\nAt the router, block port 53 to the outside from "
      "everything but the company's DNS servers."}},
    {"exec_attachment",
     {"実行ファイルやマクロ付きの添付ファイル", "Executable or macro attachments from outside"},
     {"社外から、実行ファイルやマクロ付き文書の添付ファイルが付いたメールが届きました。",
      "Mail from outside arrived with an executable or macro-enabled attachment."},
     {"標的型攻撃のメールは、このような添付ファイルを開かせてウイルスに感染させます。",
      "Targeted attack mail infects machines by getting such attachments opened."},
     {"受信者に、添付ファイルを開いたか確認してください。\n開いていた場合は端末をネットワークから外し、検査してください。\nメールサーバーで実行ファイルの添付を止めてください。",
      "Ask the recipients whether they opened the attachment.\nIf so, take the machine off the "
      "network and have it examined.\nBlock executable attachments at the mail server."}},
    {"from_mismatch",
     {"差出人の表示と送信元が一致しないメール", "Mail whose shown sender is not its real sender"},
     {"社外からのメールで、表示される差出人（From）のドメインが実際の送信元（エンベロープ）のドメインと違っていました。",
      "Mail from outside showed a sender (From) of another domain than the one it was really "
      "sent from (the envelope)."},
     {"取引先や社内の人になりすますメールは、この形をとることが多くあります。本文のリンクや添付ファイル、振込先の変更依頼に注意が必要です。",
      "Mail that pretends to come from a partner or a colleague often looks like this. Links, "
      "attachments and requests to change bank details in it need care."},
     {"表示された差出人本人に、電話など別の手段で確認してください。\nメールサーバーで SPF・DKIM・DMARC を確認する設定にしてください。",
      "Check with the shown sender by another means, such as a phone call.\nHave the mail "
      "server check SPF, DKIM and DMARC."}},
    {"guessing",
     {"パスワードの総当たり攻撃", "Password guessing"},
     {"外部から、ログインの失敗が 1 日に何度も繰り返されました。",
      "Logins failed many times a day from the same outside address."},
     {"パスワードを当てるまで試し続ける攻撃です。弱いパスワードのアカウントは乗っ取られます。",
      "Someone is trying passwords until one works; an account with a weak password will be "
      "taken over."},
     {"外部に公開しているログイン（SSH、メール）を必要なものだけにしてください。\n長く推測されにくいパスワードにし、可能なら鍵認証や二要素認証を使ってください。",
      "Expose only the logins (SSH, mail) that must be reachable from outside.\nUse long "
      "passwords, and keys or two-factor authentication where possible."}},
    {"abroad",
     {"海外からのログイン成功", "Successful logins from abroad"},
     {"会社の国以外の場所から、ログインが成功しました。",
      "A login succeeded from a country other than the company's."},
     {"社員の出張でなければ、パスワードが盗まれて使われている可能性があります。",
      "Unless an employee was travelling, a stolen password may be in use."},
     {"そのユーザーに心当たりを確認してください。\n心当たりがなければすぐにパスワードを変更し、ログインの記録を確認してください。",
      "Ask the user whether it was them.\nIf not, change the password at once and review the "
      "account's logins."}},
};

const mm_explain *rp_log_explain(const char *kind)
{
    if (!kind)
        return &kinds[0];
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].key, kind) == 0)
            return &kinds[i];
    return &kinds[0];
}
