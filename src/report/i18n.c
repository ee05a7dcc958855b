/*
 * i18n.c - report phrases and family explanations (see i18n.h).
 *
 * Written for a company owner without security training: plain words,
 * the consequence first, one thing to do at a time. The countermeasures
 * follow the field report's own (its sections 4-1 to 4-3).
 */
#include "report/i18n.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const phrases[][3] = {
    {"title_site", "ネットワーク セキュリティ報告書", "Network security report"},
    {"title_all", "中小企業へのサイバー攻撃 実態調査報告", "Survey of cyber attacks on small companies"},
    {"period", "対象期間", "Period"},
    {"generated", "作成", "Generated"},
    {"level_1", "危険: すぐに対処が必要です", "Serious: act now"},
    {"level_2", "要注意: 確認と対策をおすすめします", "Needs attention: please check and act"},
    {"level_3", "大きな問題は見つかりませんでした", "No serious problem found"},
    {"summary", "まとめ", "Summary"},
    {"first_do", "まず行うこと", "What to do first"},
    {"alerts_n", "件の警告", "alerts"},
    {"findings", "見つかったこと", "Findings"},
    {"what", "何が起きたか", "What happened"},
    {"why", "なぜ問題か", "Why it matters"},
    {"what_to_do", "対処", "What to do"},
    {"evidence", "証拠", "Evidence"},
    {"count", "件数", "Count"},
    {"first", "最初", "First"},
    {"last", "最後", "Last"},
    {"hosts", "社内の端末", "Internal hosts"},
    {"remotes", "相手のアドレス", "Remote addresses"},
    {"country", "国", "Country"},
    {"packets", "パケット数", "Packets"},
    {"share", "割合", "Share"},
    {"inbound", "インバウンド（社外から社内）", "Inbound (from outside in)"},
    {"outbound", "アウトバウンド（社内から社外）", "Outbound (from inside out)"},
    {"countries", "通信相手の国", "Countries of the other end"},
    {"top_countries", "観測数上位の国", "Countries by packets observed"},
    {"over_time", "警告の推移（日別）", "Alerts per day"},
    {"pic_remote", "外部から社内の端末をリモート操作された可能性",
     "Remote control of an internal computer from outside"},
    {"pic_malicious", "社内の端末と悪性サイトとの通信", "Internal hosts talking to malicious sites"},
    {"pic_ddos", "DDoS 攻撃を目的としたパケットの受信", "DDoS traffic received"},
    {"accepted", "接続成立", "Accepted"},
    {"yes", "はい", "yes"},
    {"no", "いいえ", "no"},
    {"duration", "期間", "Duration"},
    {"both_dir", "双方向にデータ", "Data both ways"},
    {"sent", "送信", "Sent"},
    {"received", "受信", "Received"},
    {"remote", "相手", "Remote"},
    {"local", "社内", "Internal"},
    {"shared_ips", "他の企業でも観測されたアドレス", "Addresses also seen at other companies"},
    {"shared_ips_note",
     "次のアドレスは、調査に協力した他の企業でも警告の相手として観測されました。"
     "複数の無関係な企業に現れるアドレスは、悪意のある攻撃元である可能性が高いと考えられます。",
     "These addresses also appeared in alerts at other companies in the survey. An address "
     "that shows up at several unrelated companies is very likely an attacker."},
    {"companies_n", "社", "companies"},
    {"none", "該当なし", "None"},
    {"families", "攻撃の種類と影響を受けた企業数", "Kinds of attack and companies affected"},
    {"family", "種類", "Kind"},
    {"affected", "影響を受けた企業", "Companies affected"},
    {"alerts", "警告", "Alerts"},
    {"per_company", "企業別の警告件数", "Alerts per company"},
    {"company", "企業", "Company"},
    {"xsite", "複数の企業で観測された攻撃元アドレスと、その宛先企業",
     "Attacker addresses seen at several companies, and the companies they reached"},
    {"xsite_flows", "複数の企業と通信したアドレス（通信全体から）",
     "Addresses that talked to several companies (all traffic)"},
    {"shared_infra", "共用の基盤（公開 DNS、クラウド、CDN など）",
     "Shared infrastructure (public DNS, cloud, CDN)"},
    {"common service", "一般的なサービス（Web・DNS・時刻）", "Common service (web, DNS, time)"},
    {"country_totals", "全企業の通信相手の国", "Countries of the other end, all companies"},
    {"severity", "重大度", "Severity"},
    {"sev1", "高", "High"},
    {"sev2", "中", "Medium"},
    {"sev3", "低", "Low"},
    {"no_alerts", "この期間に警告はありませんでした。", "There were no alerts in this period."},
    {"most_serious", "最も重要な問題", "Most important problem"},
    {"ip", "アドレス", "Address"},
    {"n_companies", "企業数", "Companies"},
    {"other_companies", "他社での観測", "Seen at other companies"},
};

const char *rp_t(int lang, const char *key)
{
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (strcmp(phrases[i][0], key) == 0)
            return phrases[i][lang ? 2 : 1];
    const char *l = rp_t_logs(lang, key);
    if (!l)
        l = rp_t_exposure(lang, key);
    if (!l)
        l = rp_t_host(lang, key);
    return l ? l : key;
}

static const char *const fam_names[][3] = {
    {"rdp", "リモートデスクトップ", "Remote desktop"},
    {"heartbleed", "Heartbleed（OpenSSL の脆弱性）", "Heartbleed (OpenSSL flaw)"},
    {"ntp-ddos", "NTP を使った DDoS", "NTP DDoS"},
    {"sslv3", "SSL 3.0（POODLE）", "SSL 3.0 (POODLE)"},
    {"malicious-file", "不正なファイル", "Malicious files"},
    {"smb-ms17-010", "SMB の脆弱性（EternalBlue）", "SMB flaw (EternalBlue)"},
    {"gh0st", "遠隔操作ウイルス Gh0st RAT", "Gh0st RAT"},
    {"exploit-kit", "エクスプロイトキット", "Exploit kits"},
    {"c2", "遠隔操作ウイルスの通信", "Malware command and control"},
    {"cryptojacking", "仮想通貨の不正採掘", "Cryptojacking"},
    {"scan-bruteforce", "スキャンとパスワード総当たり", "Scans and password guessing"},
    {"stealer", "情報を盗むマルウェア", "Information stealers"},
    {"ioc", "注意喚起された攻撃元・通信先との一致", "Published indicators of compromise"},
    {"other", "その他", "Other"},
};

const char *rp_family_name(int lang, const char *family)
{
    for (size_t i = 0; i < sizeof fam_names / sizeof fam_names[0]; i++)
        if (strcmp(fam_names[i][0], family) == 0)
            return fam_names[i][lang ? 2 : 1];
    return family;
}

static const mm_explain fam_explain[] = {
    {"rdp",
     {"リモートデスクトップへの外部からの接続", "Remote desktop connections from outside"},
     {"インターネット上の相手が、社内の端末にリモートデスクトップ（RDP）で接続しようとした、"
      "または接続しました。",
      "Someone on the Internet tried to connect, or connected, to an internal computer with "
      "remote desktop (RDP)."},
     {"リモートデスクトップで接続されると、その端末を画面ごと遠隔操作できます。"
      "パスワードを破られると、情報を盗まれたりウイルスを仕込まれたりします。",
      "A remote desktop connection controls the whole computer. Once the password is guessed, "
      "data can be stolen and malware installed."},
     {"使わないならリモートデスクトップを無効にする\n"
      "ルータでポート 3389 番を社外から使えないようにする\n"
      "どうしても必要なら VPN を経由させ、接続元の IP アドレスを限定する\n"
      "管理者アカウントのパスワードを長く推測されにくいものに変える",
      "Turn remote desktop off if you do not use it\n"
      "Block port 3389 from outside on your router\n"
      "If you need it, use a VPN and allow only known addresses\n"
      "Give the administrator account a long password that cannot be guessed"}},
    {"heartbleed",
     {"Heartbleed 攻撃", "Heartbleed attack"},
     {"OpenSSL の脆弱性 Heartbleed（2014 年公表）を狙う通信がありました。",
      "Traffic aimed at Heartbleed, the OpenSSL flaw made public in 2014."},
     {"脆弱な機器では、サーバのメモリからパスワードや暗号の鍵が読み出されます。",
      "On an unpatched device, passwords and encryption keys are read straight from the "
      "server's memory."},
     {"インターネットに公開している機器のソフトウェアを最新版にする\n"
      "更新できない機器は公開をやめる\n"
      "更新後、サーバ証明書とパスワードを作り直す",
      "Update the software of every device you expose to the Internet\n"
      "Stop exposing devices that cannot be updated\n"
      "After updating, replace the server certificate and passwords"}},
    {"ntp-ddos",
     {"NTP を使った DDoS 攻撃", "NTP-based DDoS attack"},
     {"時刻合わせの仕組み（NTP）を悪用した大量の通信を受けた、またはその準備の通信がありました。",
      "A flood abusing the time protocol (NTP) was received, or traffic preparing one was seen."},
     {"回線があふれ、インターネットやサービスが使えなくなります。"
      "社内の NTP サーバが踏み台にされると、他者への攻撃に加担してしまいます。",
      "The line fills up and the Internet and your services stop working. An internal NTP "
      "server can also be abused to attack others."},
     {"攻撃元のアドレスからの通信を遮断する（IPS やルータの設定）\n"
      "必要なら特定の国からのアクセスを遮断する\n"
      "社内で NTP サーバを公開している場合は、対策済みの版に更新する",
      "Block the attacking addresses (IPS or router)\n"
      "If needed, block access from specific countries\n"
      "If you run a public NTP server, update it to a fixed version"}},
    {"sslv3",
     {"古い暗号方式 SSL 3.0", "Outdated encryption SSL 3.0"},
     {"脆弱性 POODLE（2014 年公表）のある SSL 3.0 で暗号化した通信がありました。",
      "Traffic encrypted with SSL 3.0, which has the POODLE flaw made public in 2014."},
     {"通信の中身が第三者に解読されるおそれがあります。",
      "The contents of the traffic can be decrypted by others."},
     {"サーバと端末で SSL 3.0 を無効にする\n"
      "古い機器やソフトウェアを更新する",
      "Turn SSL 3.0 off on servers and computers\n"
      "Update old devices and software"}},
    {"malicious-file",
     {"不正なファイルの送受信", "Malicious files sent or received"},
     {"ウイルスの疑いがあるファイルや、正体を偽ったプログラムが送受信されました。",
      "A file suspected of being malware, or a program disguised as something else, was "
      "transferred."},
     {"開くと端末がウイルスに感染し、情報を盗まれたり遠隔操作されたりします。",
      "Opening it infects the computer; data can be stolen and the computer controlled."},
     {"受け取った端末でウイルス対策ソフトの全体検査を行う\n"
      "送信元が不明なメールの添付ファイルや URL は開かない\n"
      "開いてしまったら LAN ケーブルを抜き、管理者に連絡する",
      "Run a full antivirus scan on the receiving computer\n"
      "Do not open attachments or links from unknown senders\n"
      "If one was opened, unplug the network cable and tell your administrator"}},
    {"smb-ms17-010",
     {"SMB の脆弱性を狙う攻撃（EternalBlue）", "Attack on the SMB flaw (EternalBlue)"},
     {"Windows のファイル共有（SMB）の脆弱性 MS17-010 を狙う通信がありました。",
      "Traffic aimed at MS17-010, the flaw in Windows file sharing (SMB)."},
     {"WannaCry などのランサムウェアが、この脆弱性を使って社内に広がります。",
      "Ransomware such as WannaCry spreads through offices with this flaw."},
     {"Windows Update を行い、最新の状態にする\n"
      "ファイル共有（ポート 445 番）を社外から使えないようにする\n"
      "古い Windows は更新するか、ネットワークから外す",
      "Run Windows Update on every computer\n"
      "Block file sharing (port 445) from outside\n"
      "Update old Windows versions or take them off the network"}},
    {"gh0st",
     {"遠隔操作ウイルス Gh0st RAT", "Gh0st RAT remote control malware"},
     {"遠隔操作ウイルス Gh0st RAT の通信がありました。",
      "Traffic of the Gh0st RAT remote control malware."},
     {"感染した端末は、キー入力やシステムの情報を攻撃者の指令サーバに送り、遠隔操作されます。",
      "An infected computer sends keystrokes and system details to the attacker's server and "
      "is controlled from there."},
     {"該当する端末をネットワークから外す\n"
      "専門家に調査を依頼し、端末を初期化する\n"
      "その端末で使ったパスワードをすべて変更する",
      "Take the computer off the network\n"
      "Have it examined by a specialist, then reinstall it\n"
      "Change every password used on that computer"}},
    {"exploit-kit",
     {"Web 閲覧中の攻撃（エクスプロイトキット）", "Attack while browsing (exploit kit)"},
     {"Web サイトの閲覧中に、ブラウザの脆弱性を突いてウイルスを送り込む仕組みとの通信がありました。",
      "While browsing, a web page led to a kit that exploits browser flaws to deliver malware."},
     {"ブラウザやプラグインが古いと、ページを見ただけで感染します。",
      "With an outdated browser or plug-in, just viewing the page infects the computer."},
     {"ブラウザとプラグインを最新版にする\n"
      "不用意に Web 広告をクリックしない\n"
      "ウイルス対策ソフトで該当する端末を検査する",
      "Update browsers and plug-ins\n"
      "Avoid clicking on web advertisements\n"
      "Scan the computer with antivirus software"}},
    {"c2",
     {"遠隔操作ウイルスの通信の疑い", "Suspected malware command and control"},
     {"社内の端末が、ウイルスの指令サーバとして知られる、または疑われる相手と通信しました。",
      "An internal computer talked to a server known or suspected to control malware."},
     {"感染した端末は攻撃者に遠隔操作され、社内の情報が外部に送られるおそれがあります。",
      "An infected computer is controlled by the attacker, who can send company data out."},
     {"該当する端末をネットワークから外し、ウイルス対策ソフトで検査する\n"
      "発行元が不明なツールをインストールしない\n"
      "悪性サイトとの通信を遮断する対策ツールを導入する",
      "Take the computer off the network and scan it\n"
      "Do not install tools from unknown publishers\n"
      "Use a product that blocks connections to malicious sites"}},
    {"cryptojacking",
     {"仮想通貨の不正採掘", "Cryptocurrency mining"},
     {"社内の機器で、仮想通貨の採掘（マイニング）が行われています。",
      "A device in the office is mining cryptocurrency."},
     {"電気代と機器の寿命を奪われ、侵入された証拠でもあります。",
      "It costs electricity and wears out the device, and it shows that someone got in."},
     {"該当する機器で動いているプログラムを確認し、不要なものを削除する\n"
      "サーバのソフトウェアを最新版にする",
      "Check which programs run on the device and remove unwanted ones\n"
      "Update the server's software"}},
    {"scan-bruteforce",
     {"スキャンとパスワード総当たり", "Scans and password guessing"},
     {"社内の機器を探す通信や、パスワードを次々に試す通信がありました。",
      "Traffic looking for devices, or trying one password after another."},
     {"攻撃の下調べです。弱いパスワードの機器があると侵入されます。",
      "It is the reconnaissance before an attack; a device with a weak password will be broken "
      "into."},
     {"社外に公開している機器とサービスを見直し、不要なものを閉じる\n"
      "パスワードを長く推測されにくいものにする",
      "Review what you expose to the Internet and close what you do not need\n"
      "Use long passwords that cannot be guessed"}},
    {"ioc",
     {"注意喚起された攻撃元・通信先との一致", "Matches with published indicators of compromise"},
     {"社内の通信が、注意喚起や脅威情報で公表された攻撃の通信先・ファイルなどと一致しました。",
      "Company traffic matched addresses, names, URLs or files that advisories and threat "
      "feeds published as used in attacks."},
     {"一致した端末は感染しているか、攻撃の入口になったおそれがあります。",
      "The matching computers may be infected or may have been the attackers' way in."},
     {"一致した端末をネットワークから外し、ウイルス対策ソフトで検査する\n"
      "同じ相手と通信した端末を過去にさかのぼって調べる\n"
      "ルータやプロキシで相手を遮断する",
      "Take the matching computers off the network and scan them\n"
      "Look back for other computers that talked to the same party\n"
      "Block the party at the router or proxy"}},
    {"stealer",
     {"情報を盗むマルウェア", "Information-stealing malware"},
     {"社内の端末が、パスワードやパソコンの情報を攻撃者に送っていると見られる通信がありました。",
      "A company computer appears to be sending passwords and details of the computer to an "
      "attacker."},
     {"盗まれたパスワードで、メールや取引先、ネットバンキングが不正に使われるおそれがあります。",
      "The stolen passwords can be used to break into mail, customers' systems and online "
      "banking."},
     {"該当する端末をネットワークから外し、専門家に調査を依頼する\n"
      "その端末に保存していたパスワードを、別の端末からすべて変更する\n"
      "送信先への通信を遮断する",
      "Take the computer off the network and have it examined\n"
      "From another computer, change every password saved on it\n"
      "Block the destination"}},
    {"other",
     {"その他の警告", "Other alerts"},
     {"ルールに一致する通信がありました。", "Traffic matched a detection rule."},
     {"すぐに被害につながるとは限りませんが、確認をおすすめします。",
      "It does not always mean harm, but it is worth checking."},
     {"警告の内容と相手のアドレスを、管理を任せている担当者に確認してもらう",
      "Ask whoever looks after your network to check the alert and the address"}},
};

const mm_explain *rp_family_explain(const char *family)
{
    size_t n = sizeof fam_explain / sizeof fam_explain[0];
    for (size_t i = 0; i < n; i++)
        if (strcmp(fam_explain[i].key, family) == 0)
            return &fam_explain[i];
    return &fam_explain[n - 1];
}

void rp_anon(int lang, size_t i, char *out, size_t n)
{
    char name[8];
    size_t k = 0;
    /* A..Z, then AA, AB ... */
    char tmp[8];
    size_t v = i;
    do {
        tmp[k++] = (char)('A' + v % 26);
        v = v / 26;
    } while (v-- > 0 && k < sizeof tmp - 1);
    for (size_t j = 0; j < k; j++)
        name[j] = tmp[k - 1 - j];
    name[k] = 0;
    snprintf(out, n, lang ? "Company %s" : "%s社", name);
}

void rp_summary_line(int lang, char *out, size_t n, long long total, long long s1, long long s2,
                     long long s3)
{
    if (lang)
        snprintf(out, n,
                 "There were %lld alerts in this period (%lld high, %lld medium, %lld low "
                 "severity).", total, s1, s2, s3);
    else
        snprintf(out, n, "この期間に %lld 件の警告がありました（重大度 高 %lld 件、中 %lld 件、低 %lld 件）。",
                 total, s1, s2, s3);
}

void rp_survey_line(int lang, char *out, size_t n, size_t sites, size_t hit, long long alerts)
{
    if (lang)
        snprintf(out, n, "%zu companies were observed; alerts were raised at %zu of them (%lld in all).",
                 sites, hit, alerts);
    else
        snprintf(out, n, "%zu 社を調査し、%zu 社で警告を検出しました（合計 %lld 件）。", sites, hit,
                 alerts);
}

void rp_more_line(int lang, char *out, size_t n, size_t more)
{
    if (lang)
        snprintf(out, n, "... and %zu more (all of them in the JSON report)", more);
    else
        snprintf(out, n, "…ほか %zu 件（すべては JSON 形式の報告にあります）", more);
}

const mm_explain *rp_finding_explain(const rp_finding *f)
{
    const mm_explain *e = mm_explain_find(f->key);
    return e ? e : rp_family_explain(f->family);
}

const char *rp_sev_key(int sev)
{
    return sev == 1 ? "sev1" : sev == 2 ? "sev2" : "sev3";
}

void rp_duration(int lang, int64_t s, char *out, size_t n)
{
    if (s < 120)
        snprintf(out, n, lang ? "%" PRId64 " s" : "%" PRId64 " 秒", s);
    else if (s < 7200)
        snprintf(out, n, lang ? "%" PRId64 " min" : "%" PRId64 " 分", s / 60);
    else if (s < 172800)
        snprintf(out, n, lang ? "%" PRId64 " h" : "%" PRId64 " 時間", s / 3600);
    else
        snprintf(out, n, lang ? "%" PRId64 " days" : "%" PRId64 " 日", s / 86400);
}
