/*
 * ports.c - the exposure catalogue (ports abused by past attacks, as the
 * field reports list them: WannaCry's 445/139, remote access, web
 * administration, databases, the ports IoT botnets scan for, mail, FTP)
 * and port list parsing.
 */
#include "exposure/ports.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHY_SMB_EN "Windows file sharing: WannaCry and EternalBlue spread through it."
#define WHY_SMB_JA "Windows のファイル共有です。WannaCry（EternalBlue）はここから感染を広げました。"
#define ADVICE_SMB_EN "Block it at the router; file sharing must never face the Internet. Apply Windows updates (MS17-010)."
#define ADVICE_SMB_JA "ルーターで遮断してください。ファイル共有をインターネットに公開してはいけません。Windows Update（MS17-010）も適用してください。"
#define ADVICE_REMOTE_EN "Close it at the router, or allow only known addresses; use a VPN for remote work, strong passwords and two-factor sign-in."
#define ADVICE_REMOTE_JA "ルーターで閉じるか、決まった接続元だけに許可してください。リモート作業には VPN を使い、強いパスワードと二要素認証を設定してください。"
#define ADVICE_ADMIN_EN "Do not publish management screens; allow them from the inside or over a VPN only, and change default passwords."
#define ADVICE_ADMIN_JA "管理画面を公開しないでください。社内か VPN 経由だけで使えるようにし、初期パスワードを変更してください。"
#define ADVICE_DB_EN "A database must not face the Internet: bind it to the inside, block the port at the router, require a password."
#define ADVICE_DB_JA "データベースをインターネットに公開しないでください。社内向けにだけ待ち受け、ルーターで遮断し、パスワードを必須にしてください。"
#define ADVICE_IOT_EN "A device (router, camera, recorder) answers here: turn the service off, update its firmware, change its password."
#define ADVICE_IOT_JA "ルーター・カメラ・録画機などの機器が応答しています。この機能を止め、ファームウェアを更新し、パスワードを変更してください。"
#define ADVICE_MAIL_EN "Only a mail server should answer here; if this is not one, close the port. Use the encrypted ports (465, 993, 995)."
#define ADVICE_MAIL_JA "メールサーバー以外ではこのポートを閉じてください。暗号化されたポート（465、993、995）を使ってください。"
#define ADVICE_FTP_EN "FTP sends passwords in clear text: stop it, or move to SFTP or HTTPS uploads; never allow anonymous writes."
#define ADVICE_FTP_JA "FTP はパスワードを暗号化せずに送ります。停止するか SFTP や HTTPS に切り替え、匿名での書き込みは許可しないでください。"
#define ADVICE_OTHER_EN "Check that this service is meant to be public; if not, close it at the router."
#define ADVICE_OTHER_JA "公開が必要なサービスか確認し、不要ならルーターで閉じてください。"

static const mm_port_info cat[] = {
    {445, PG_FILES, "smb", WHY_SMB_EN, WHY_SMB_JA, ADVICE_SMB_EN, ADVICE_SMB_JA, true},
    {139, PG_FILES, "netbios-ssn", WHY_SMB_EN, WHY_SMB_JA, ADVICE_SMB_EN, ADVICE_SMB_JA, true},
    {2049, PG_FILES, "nfs", "Unix file sharing (NFS): files can be read without a password.",
     "Unix のファイル共有（NFS）です。パスワードなしでファイルを読まれるおそれがあります。",
     ADVICE_SMB_EN, ADVICE_SMB_JA, true},
    {22, PG_REMOTE, "ssh", "Remote login (SSH): password guessing runs against it all day.",
     "遠隔ログイン（SSH）です。パスワードの総当たりが一日中試みられます。", ADVICE_REMOTE_EN,
     ADVICE_REMOTE_JA, true},
    {23, PG_REMOTE, "telnet", "Telnet: unencrypted remote login; Mirai breaks into devices through it.",
     "Telnet は暗号化されない遠隔ログインです。Mirai などがここから機器に侵入します。",
     ADVICE_IOT_EN, ADVICE_IOT_JA, true},
    {3389, PG_REMOTE, "rdp", "Remote Desktop: the most common way ransomware gangs get in.",
     "リモートデスクトップです。ランサムウェアの侵入口として最も多く使われます。", ADVICE_REMOTE_EN,
     ADVICE_REMOTE_JA, true},
    {5900, PG_REMOTE, "vnc", "VNC screen sharing: often without a password, or a weak one.",
     "VNC による画面共有です。パスワードがないか弱いことがよくあります。", ADVICE_REMOTE_EN,
     ADVICE_REMOTE_JA, true},
    {8080, PG_WEBADMIN, "http-alt", "A second web server, often a management screen or a proxy.",
     "2 つ目の Web サーバーで、管理画面やプロキシであることが多いポートです。", ADVICE_ADMIN_EN,
     ADVICE_ADMIN_JA, true},
    {8443, PG_WEBADMIN, "https-alt", "A management screen over HTTPS (routers, firewalls, servers).",
     "ルーター・ファイアウォール・サーバーの管理画面（HTTPS）によく使われます。", ADVICE_ADMIN_EN,
     ADVICE_ADMIN_JA, true},
    {10000, PG_WEBADMIN, "webmin", "Webmin and other server administration screens.",
     "Webmin などのサーバー管理画面です。", ADVICE_ADMIN_EN, ADVICE_ADMIN_JA, true},
    {1433, PG_DATABASE, "ms-sql-s", "Microsoft SQL Server: password guessing and data theft.",
     "Microsoft SQL Server です。パスワードの総当たりや情報の持ち出しに狙われます。", ADVICE_DB_EN,
     ADVICE_DB_JA, true},
    {3306, PG_DATABASE, "mysql", "MySQL / MariaDB: password guessing and data theft.",
     "MySQL / MariaDB です。パスワードの総当たりや情報の持ち出しに狙われます。", ADVICE_DB_EN,
     ADVICE_DB_JA, true},
    {5432, PG_DATABASE, "postgresql", "PostgreSQL: password guessing and data theft.",
     "PostgreSQL です。パスワードの総当たりや情報の持ち出しに狙われます。", ADVICE_DB_EN,
     ADVICE_DB_JA, true},
    {6379, PG_DATABASE, "redis", "Redis: often without a password; used to plant mining software.",
     "Redis はパスワードなしのことが多く、マイニングソフトを仕込まれる被害が出ています。",
     ADVICE_DB_EN, ADVICE_DB_JA, true},
    {27017, PG_DATABASE, "mongodb", "MongoDB: open databases have been wiped and held for ransom.",
     "MongoDB です。公開されたデータベースが消され、身代金を要求される被害が出ています。",
     ADVICE_DB_EN, ADVICE_DB_JA, true},
    {9200, PG_DATABASE, "elasticsearch", "Elasticsearch: open indexes leak whole databases.",
     "Elasticsearch です。公開されたインデックスから情報が丸ごと漏れる被害が出ています。",
     ADVICE_DB_EN, ADVICE_DB_JA, true},
    {52869, PG_IOT, "upnp", "UPnP of home routers: exploited by Mirai variants.",
     "家庭用ルーターの UPnP です。Mirai の亜種に悪用されています。", ADVICE_IOT_EN, ADVICE_IOT_JA, true},
    {9000, PG_IOT, "cslistener", "Camera and recorder services, scanned by IoT botnets.",
     "カメラや録画機のサービスで、IoT ボットネットに探索されています。", ADVICE_IOT_EN, ADVICE_IOT_JA,
     true},
    {8291, PG_IOT, "winbox", "MikroTik router administration (Winbox): exploited to take over routers.",
     "MikroTik ルーターの管理（Winbox）です。ルーターの乗っ取りに悪用されています。", ADVICE_IOT_EN,
     ADVICE_IOT_JA, true},
    {7547, PG_IOT, "cwmp", "Router remote management by the provider (TR-069): exploited by Mirai.",
     "プロバイダーによるルーターの遠隔管理（TR-069）です。Mirai に悪用されました。", ADVICE_IOT_EN,
     ADVICE_IOT_JA, true},
    {37215, PG_IOT, "huawei-hg532", "A router service exploited by Satori and other Mirai variants.",
     "Satori など Mirai の亜種に悪用されたルーターのサービスです。", ADVICE_IOT_EN, ADVICE_IOT_JA, true},
    {5555, PG_IOT, "adb", "Android debugging (ADB): devices taken over to mine coins.",
     "Android のデバッグ機能（ADB）です。機器を乗っ取られ、マイニングに使われます。", ADVICE_IOT_EN,
     ADVICE_IOT_JA, true},
    {2323, PG_IOT, "telnet-alt", "A second telnet port of devices, scanned by Mirai.",
     "機器の 2 つ目の Telnet ポートで、Mirai に探索されています。", ADVICE_IOT_EN, ADVICE_IOT_JA, true},
    {25, PG_MAIL, "smtp", "Mail delivery (SMTP): an open relay sends spam in your name.",
     "メール配送（SMTP）です。不正中継されると、あなたの名前で迷惑メールが送られます。",
     ADVICE_MAIL_EN, ADVICE_MAIL_JA, false},
    {110, PG_MAIL, "pop3", "Mail reading (POP3) without encryption: passwords in clear text.",
     "暗号化されないメール受信（POP3）です。パスワードが平文で流れます。", ADVICE_MAIL_EN,
     ADVICE_MAIL_JA, false},
    {143, PG_MAIL, "imap", "Mail reading (IMAP) without encryption: passwords in clear text.",
     "暗号化されないメール受信（IMAP）です。パスワードが平文で流れます。", ADVICE_MAIL_EN,
     ADVICE_MAIL_JA, false},
    {21, PG_FTP, "ftp", "File transfer (FTP): clear-text passwords, web sites defaced through it.",
     "ファイル転送（FTP）です。パスワードが平文で流れ、Web サイト改ざんの入口にもなります。",
     ADVICE_FTP_EN, ADVICE_FTP_JA, true},
};

/* The 100 TCP ports ranked first by the open-frequency column of nmap's
 * nmap-services table (nmap --top-ports 100). */
static const uint16_t top100[] = {
    7,    9,    13,   21,   22,   23,   25,   26,    37,    53,    79,    80,    81,    88,
    106,  110,  111,  113,  119,  135,  139,  143,   144,   179,   199,   389,   427,   443,
    444,  445,  465,  513,  514,  515,  543,  544,   548,   554,   587,   631,   646,   873,
    990,  993,  995,  1025, 1026, 1027, 1028, 1029,  1110,  1433,  1720,  1723,  1755,  1900,
    2000, 2001, 2049, 2121, 2717, 3000, 3128, 3306,  3389,  3986,  4899,  5000,  5009,  5051,
    5060, 5101, 5190, 5357, 5432, 5631, 5666, 5800,  5900,  6000,  6001,  6646,  7070,  8000,
    8008, 8009, 8080, 8081, 8443, 8888, 9100, 9999,  10000, 32768, 49152, 49153, 49154, 49155,
    49156, 49157,
};

const mm_port_info *mm_port_info_of(uint16_t port)
{
    for (size_t i = 0; i < sizeof cat / sizeof *cat; i++)
        if (cat[i].port == port)
            return &cat[i];
    return NULL;
}

const mm_port_info *mm_port_catalogue(size_t *n)
{
    *n = sizeof cat / sizeof *cat;
    return cat;
}

const char *mm_port_group_name(mm_port_group g, bool ja)
{
    static const char *const en[PG__COUNT] = {"Other", "File sharing", "Remote access",
                                              "Web administration", "Databases", "IoT devices",
                                              "Mail", "File transfer"};
    static const char *const jp[PG__COUNT] = {"その他", "ファイル共有", "遠隔操作",
                                              "Web 管理画面", "データベース", "IoT 機器",
                                              "メール", "ファイル転送"};
    if ((unsigned)g >= PG__COUNT)
        g = PG_OTHER;
    return ja ? jp[g] : en[g];
}

const char *mm_port_group_advice(mm_port_group g, bool ja)
{
    switch (g) {
    case PG_FILES: return ja ? ADVICE_SMB_JA : ADVICE_SMB_EN;
    case PG_REMOTE: return ja ? ADVICE_REMOTE_JA : ADVICE_REMOTE_EN;
    case PG_WEBADMIN: return ja ? ADVICE_ADMIN_JA : ADVICE_ADMIN_EN;
    case PG_DATABASE: return ja ? ADVICE_DB_JA : ADVICE_DB_EN;
    case PG_IOT: return ja ? ADVICE_IOT_JA : ADVICE_IOT_EN;
    case PG_MAIL: return ja ? ADVICE_MAIL_JA : ADVICE_MAIL_EN;
    case PG_FTP: return ja ? ADVICE_FTP_JA : ADVICE_FTP_EN;
    default: return ja ? ADVICE_OTHER_JA : ADVICE_OTHER_EN;
    }
}

size_t mm_port_advice(const char *list, bool ja, const char **out, size_t max)
{
    size_t n = 0;
    for (const char *p = list; *p && n < max;) {
        char *end;
        long port = strtol(p, &end, 10);
        if (end == p)
            break;              /* not a number: the list ends here */
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
        const mm_port_info *pi = port > 0 && port < 65536 ? mm_port_info_of((uint16_t)port) : NULL;
        const char *advice = pi ? (ja ? pi->advice_ja : pi->advice_en) : mm_port_group_advice(PG_OTHER, ja);
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = out[k] == advice;
        if (!dup)
            out[n++] = advice;
    }
    return n;
}

/* ---- port lists ---- */

static bool set_range(uint8_t *bits, unsigned lo, unsigned hi)
{
    if (lo == 0 || hi > 65535 || lo > hi)
        return false;
    for (unsigned p = lo; p <= hi; p++)
        bits[p >> 3] |= (uint8_t)(1u << (p & 7));
    return true;
}

static bool number(const char **s, unsigned *out)
{
    const char *p = *s;
    unsigned v = 0;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p)) {
        v = v * 10 + (unsigned)(*p - '0');
        if (v > 65535)
            return false;
        p++;
    }
    *s = p;
    *out = v;
    return true;
}

bool mm_portlist_parse(mm_portlist *pl, const char *spec, char *err, size_t errlen)
{
    pl->v = NULL;
    pl->n = 0;
    uint8_t *bits = calloc(8192, 1);
    if (!bits) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    const char *s = spec;
    while (*s) {
        while (*s == ' ' || *s == ',')
            s++;
        if (!*s)
            break;
        size_t wl = strcspn(s, ", ");
        bool ok = true;
        if (wl == 6 && strncasecmp(s, "top100", 6) == 0) {
            for (size_t i = 0; i < sizeof top100 / sizeof *top100; i++)
                set_range(bits, top100[i], top100[i]);
        }
        else if (wl == 11 && strncasecmp(s, "maintenance", 11) == 0) {
            for (size_t i = 0; i < sizeof cat / sizeof *cat; i++)
                set_range(bits, cat[i].port, cat[i].port);
        }
        else if (wl == 3 && strncasecmp(s, "all", 3) == 0) {
            set_range(bits, 1, 65535);
        }
        else {
            const char *p = s;
            unsigned lo = 0, hi = 0;
            ok = number(&p, &lo);
            hi = lo;
            if (ok && *p == '-') {
                p++;
                ok = number(&p, &hi);
            }
            ok = ok && p == s + wl && set_range(bits, lo, hi);
        }
        if (!ok) {
            char w[44];
            size_t k = 0;
            for (size_t i = 0; i < wl && k < 40; i++)
                w[k++] = s[i] >= 0x20 && s[i] < 0x7F ? s[i] : '?';
            w[k] = 0;
            snprintf(err, errlen,
                     "ports: \"%s\" is not a port (1-65535), a range (8000-8100) or "
                     "top100/maintenance/all", w);
            free(bits);
            return false;
        }
        s += wl;
    }
    size_t n = 0;
    for (unsigned p = 1; p <= 65535; p++)
        n += bits[p >> 3] >> (p & 7) & 1;
    if (n == 0) {
        snprintf(err, errlen, "ports: the list is empty");
        free(bits);
        return false;
    }
    pl->v = malloc(n * sizeof *pl->v);
    if (!pl->v) {
        snprintf(err, errlen, "out of memory");
        free(bits);
        return false;
    }
    for (unsigned p = 1; p <= 65535; p++)
        if (bits[p >> 3] >> (p & 7) & 1)
            pl->v[pl->n++] = (uint16_t)p;
    free(bits);
    return true;
}

bool mm_portlist_has(const mm_portlist *pl, uint16_t port)
{
    size_t lo = 0, hi = pl->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pl->v[mid] == port)
            return true;
        if (pl->v[mid] < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

void mm_portlist_free(mm_portlist *pl)
{
    free(pl->v);
    pl->v = NULL;
    pl->n = 0;
}
