/*
 * loggen.c - the gateway logs of a fictional company, beside the traffic
 * mm-attackgen makes for it: the same days (from midnight JST after
 * 2023-11-14, as mm-attackgen), the same hosts (192.168.1.10 on, the gateway
 * 192.168.1.1 resolving names) and the log side of the same attacks.
 *
 *   mm-loggen company [--days N] [--hosts N] [--seed N] [--attacks A,B] OUTDIR
 *
 * OUTDIR gets, in the formats of common small-office equipment (local time,
 * JST, without a year, as syslog writes them):
 *   router.log    netfilter: the Internet's scans blocked (telnet and IoT
 *                 ports foremost), some allowed traffic
 *   access.log    Squid: the staff's web use (CONNECT and plain HTTP), cloud
 *                 services with uploads (storage, file transfer, generative AI)
 *   named.log     BIND queries of the staff's names
 *   dhcpd.log     ISC dhcpd: each PC's lease every morning; on the second day
 *                 192.168.1.12 changes hands at noon (a visitor's laptop)
 *   auth.log      sshd: password guessing on the exposed SSH server
 *   maillog       Postfix: the day's mail, one with a macro attachment, one
 *                 posing as the company's president (header From: of the
 *                 company's domain on another envelope sender)
 * and OUTDIR.inventory beside it: the company's inventory for mimamori
 * ingest --inventory (its resolver, its file server, sanctioned services).
 *
 * The attacks' log side: beacon (a dynamic-DNS name looked up every minute
 * for two hours by 192.168.1.42), gh0st (a parked C&C name answered
 * 0.0.0.0), rdp-bruteforce (the same attacker guesses SSH passwords),
 * exploit-kit (the landing page and payload in the proxy log). Every
 * company's staff also use services the company has not sanctioned, one PC
 * asks 8.8.8.8 directly, and the file server resolves a name it should not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static unsigned lcg = 12345;
static unsigned rnd(unsigned n)
{
    lcg = lcg * 1103515245u + 12345u;
    return (lcg >> 8) % n;
}

static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Day d of the run: 2023-11-15 + d (JST), as month and day. */
static void date_of(unsigned d, int *m, int *day)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int mm = 10, dd = 15 + (int)d; /* November is month index 10 */
    int y = 2023;
    while (dd > mdays[mm] + (mm == 1 && y % 4 == 0)) {
        dd -= mdays[mm] + (mm == 1 && y % 4 == 0);
        if (++mm == 12) {
            mm = 0;
            y++;
        }
    }
    *m = mm;
    *day = dd;
}

/* "Nov 15 09:03:07" */
static void ts(char *o, unsigned d, unsigned sec)
{
    int m, day;
    date_of(d, &m, &day);
    sprintf(o, "%s %2d %02u:%02u:%02u", mon[m], day, sec / 3600 % 24, sec / 60 % 60, sec % 60);
}

/* Epoch seconds of day d, sec seconds after midnight JST. */
static long long epoch(unsigned d, unsigned sec)
{
    long long day0 = ((1700000000LL + 9 * 3600) / 86400 + 1) * 86400 - 9 * 3600;
    return day0 + 86400LL * d + sec;
}

static FILE *open_out(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(1);
    }
    return f;
}

static int has(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        size_t l = strcspn(p, ",");
        if (l == n && strncmp(p, name, n) == 0)
            return 1;
        p += l + (p[l] == ',');
    }
    return 0;
}

/* --- router (netfilter) --- */

static const struct {
    unsigned port, weight;
} scan_ports[] = {
    {23, 300}, {2323, 70}, {445, 90}, {3389, 70}, {22, 60}, {52869, 45}, {37215, 35},
    {7547, 35}, {8291, 25}, {9000, 25}, {80, 45}, {8080, 30}, {1433, 20}, {5555, 15},
    {81, 15}, {6379, 10}, {5900, 10}, {0, 25}, /* 0: any high port */
};

static void router(FILE *f, unsigned days, unsigned hosts, const char *attacks)
{
    unsigned wsum = 0;
    for (size_t i = 0; i < sizeof scan_ports / sizeof *scan_ports; i++)
        wsum += scan_ports[i].weight;
    char t[32];
    for (unsigned d = 0; d < days; d++) {
        /* the Internet's background: about 600 blocked probes a day */
        for (unsigned sec = rnd(120); sec < 86400; sec += 60 + rnd(170)) {
            unsigned w = rnd(wsum), port = 0;
            for (size_t i = 0; i < sizeof scan_ports / sizeof *scan_ports; i++) {
                if (w < scan_ports[i].weight) {
                    port = scan_ports[i].port ? scan_ports[i].port : 10000 + rnd(50000);
                    break;
                }
                w -= scan_ports[i].weight;
            }
            static const unsigned char nets[][2] = {{45, 95}, {185, 220}, {193, 32}, {222, 186},
                                                    {61, 177}, {89, 248}, {103, 145}, {218, 92},
                                                    {5, 188}, {141, 98}};
            const unsigned char *n = nets[rnd(10)];
            ts(t, d, sec);
            fprintf(f, "%s gw kernel: [%u.%06u] DROP-WAN: IN=ppp0 OUT= SRC=%u.%u.%u.%u "
                       "DST=203.0.113.10 LEN=44 TOS=0x00 PREC=0x00 TTL=%u ID=%u PROTO=TCP "
                       "SPT=%u DPT=%u WINDOW=1024 RES=0x00 SYN URGP=0\n",
                    t, d * 86400 + sec, rnd(1000000), n[0], n[1], rnd(256), 1 + rnd(254),
                    40 + rnd(200), rnd(65536), 1024 + rnd(60000), port);
        }
        /* allowed: a sample of the staff's connections out */
        for (unsigned sec = 9 * 3600; sec < 18 * 3600; sec += 300 + rnd(600)) {
            ts(t, d, sec);
            fprintf(f, "%s gw kernel: [%u.000000] ACCEPT-OUT: IN=eth1 OUT=ppp0 "
                       "SRC=192.168.1.%u DST=52.98.152.178 LEN=60 PROTO=TCP SPT=%u DPT=443\n",
                    t, d * 86400 + sec, 10 + rnd(hosts), 20000 + rnd(40000));
        }
        /* a PC that asks a resolver outside the company directly */
        ts(t, d, 10 * 3600 + rnd(3600));
        fprintf(f, "%s gw kernel: [%u.000000] ACCEPT-OUT: IN=eth1 OUT=ppp0 SRC=192.168.1.%u "
                   "DST=8.8.8.8 LEN=62 PROTO=UDP SPT=%u DPT=53 LEN=42\n",
                t, d * 86400 + 36000, 10 + (hosts > 3 ? 3 : 0), 30000 + rnd(30000));
        /* the beacon's calls home, allowed out (day 0, as mm-attackgen
         * spreads attacks one a day in turn) */
        if (d == 0 && has(attacks, "beacon"))
            for (unsigned i = 0; i < 120; i++) {
                ts(t, d, 14 * 3600 + i * 60);
                fprintf(f, "%s gw kernel: [%u.000000] ACCEPT-OUT: IN=eth1 OUT=ppp0 "
                           "SRC=192.168.1.42 DST=185.141.27.9 LEN=60 PROTO=TCP SPT=%u DPT=443\n",
                        t, d * 86400 + 14 * 3600 + i * 60, 52000 + i);
            }
    }
}

/* --- proxy (Squid native) --- */

static void squid(FILE *f, unsigned d, unsigned sec, unsigned host, const char *method,
                  const char *url, unsigned status, unsigned bytes, const char *type)
{
    fprintf(f, "%lld.%03u %6u 192.168.1.%u TCP_%s/%u %u %s %s - HIER_DIRECT/203.0.113.%u %s\n",
            epoch(d, sec), rnd(1000), 50 + rnd(3000), host,
            strcmp(method, "CONNECT") == 0 ? "TUNNEL" : "MISS", status, bytes, method, url,
            1 + rnd(250), type);
}

static void proxy(FILE *f, unsigned days, unsigned hosts, const char *attacks, unsigned seed)
{
    static const char *const https_sites[] = {
        "outlook.office365.com:443", "www.google.com:443", "www.yahoo.co.jp:443",
        "www.nikkei.com:443", "teams.microsoft.com:443", "www.rakuten.co.jp:443",
        "login.microsoftonline.com:443", "www.line.me:443"};
    static const char *const http_sites[] = {"http://www.city.example.lg.jp/news/",
                                             "http://intra-vendor.example.jp/catalog",
                                             "http://weather.example.com/tokyo"};
    for (unsigned d = 0; d < days; d++) {
        for (unsigned sec = 9 * 3600; sec < 18 * 3600; sec += 20 + rnd(90)) {
            unsigned h = 10 + rnd(hosts);
            if (rnd(10) < 8)
                squid(f, d, sec, h, "CONNECT", https_sites[rnd(8)], 200, 2000 + rnd(90000), "-");
            else
                squid(f, d, sec, h, "GET", http_sites[rnd(3)], 200, 3000 + rnd(40000),
                      "text/html");
        }
        /* cloud services: storage uploads, file transfer, generative AI */
        for (unsigned i = 0; i < 14; i++)
            squid(f, d, 10 * 3600 + 600 * i, 15, "CONNECT", "content.dropboxapi.com:443", 200,
                  900000 + rnd(200000), "-");
        for (unsigned i = 0; i < 6; i++)
            squid(f, d, 13 * 3600 + 900 * i, 17, "CONNECT", "chatgpt.com:443", 200,
                  300000 + rnd(100000), "-");
        if (d == 1)
            squid(f, d, 16 * 3600, 11, "CONNECT", "35.gigafile.nu:443", 200, 48000000, "-");
        if (seed % 2)
            squid(f, d, 11 * 3600, 19, "CONNECT", "drive.google.com:443", 200, 700000, "-");
        /* the exploit kit's chain: a compromised page, the landing page, the payload */
        if (d == 1 % days && has(attacks, "exploit-kit")) {
            squid(f, d, 15 * 3600, 24, "GET", "http://shop-news.example.jp/", 200, 24000,
                  "text/html");
            squid(f, d, 15 * 3600 + 2, 24, "GET",
                  "http://qwe.kx8fw2-panel.net/?NDU5NzQ0&ct=Black&biw=Black", 200, 68000,
                  "text/html");
            squid(f, d, 15 * 3600 + 5, 24, "GET", "http://qwe.kx8fw2-panel.net/index.php?yus=",
                  200, 350000, "application/x-shockwave-flash");
        }
        /* a browser miner on one page */
        if (d == 2 % days && seed % 3 == 0)
            squid(f, d, 12 * 3600, 20, "CONNECT", "coinhive.com:443", 200, 4000, "-");
    }
}

/* --- DNS (BIND query log, syslog form) --- */

static void query(FILE *f, unsigned d, unsigned sec, unsigned host, const char *name,
                  const char *type)
{
    char t[32];
    ts(t, d, sec);
    fprintf(f, "%s gw named[812]: client @0x7f3a1c0%05x 192.168.1.%u#%u (%s): query: %s IN %s "
               "+E(0)K (192.168.1.1)\n",
            t, rnd(0xfffff), host, 1024 + rnd(60000), name, name, type);
}

static void dns(FILE *f, unsigned days, unsigned hosts, const char *attacks)
{
    static const char *const names[] = {"outlook.office365.com", "www.google.com",
                                        "www.yahoo.co.jp", "www.nikkei.com",
                                        "teams.microsoft.com", "content.dropboxapi.com",
                                        "chatgpt.com", "www.line.me"};
    for (unsigned d = 0; d < days; d++) {
        for (unsigned sec = 9 * 3600; sec < 18 * 3600; sec += 15 + rnd(60))
            query(f, d, sec, 10 + rnd(hosts), names[rnd(8)], rnd(4) ? "A" : "AAAA");
        /* the file server, which has no reason to resolve names */
        query(f, d, 3 * 3600 + rnd(600), 5, "update.nas-vendor.example", "A");
        if (d == 0 && has(attacks, "beacon"))
            for (unsigned i = 0; i < 120; i++)
                query(f, d, 14 * 3600 + i * 60, 42, "cdn-update.duckdns.org", "A");
    }
}

/* The gh0st PC's parked controller, as the DNS server answered it: a
 * dnsmasq log (the router's own resolver in many small offices). */
static void dnsmasq(FILE *f, unsigned days, const char *attacks)
{
    if (!has(attacks, "gh0st"))
        return;
    char t[32];
    unsigned d = 1 % days;
    for (unsigned i = 0; i < 6; i++) {
        /* log-queries=extra: a serial and the client's address and port */
        unsigned sec = 11 * 3600 + i * 600, port = 40000 + rnd(20000), serial = 500 + i;
        ts(t, d, sec);
        fprintf(f, "%s gw dnsmasq[611]: %u 192.168.1.26/%u query[A] kx8fw2-panel.net from "
                   "192.168.1.26\n", t, serial, port);
        fprintf(f, "%s gw dnsmasq[611]: %u 192.168.1.26/%u forwarded kx8fw2-panel.net to "
                   "8.8.8.8\n", t, serial, port);
        fprintf(f, "%s gw dnsmasq[611]: %u 192.168.1.26/%u reply kx8fw2-panel.net is 0.0.0.0\n",
                t, serial, port);
    }
}

/* --- DHCP (ISC dhcpd) --- */

static void dhcpd(FILE *f, unsigned days, unsigned hosts)
{
    char t[32];
    /* the staff's PCs, and the ones mm-attackgen's attacks use */
    unsigned ips[240], n = 0;
    for (unsigned h = 0; h < hosts; h++)
        ips[n++] = 10 + h;
    static const unsigned extra[] = {24, 26, 42};
    for (size_t i = 0; i < 3; i++)
        if (extra[i] >= 10 + hosts)
            ips[n++] = extra[i];
    for (unsigned d = 0; d < days; d++) {
        for (unsigned h = 0; h < n; h++) {
            unsigned ip = ips[h], sec = 8 * 3600 + 1800 + h * 37;
            ts(t, d, sec);
            fprintf(f, "%s gw dhcpd[402]: DHCPREQUEST for 192.168.1.%u from 02:00:5e:10:00:%02x "
                       "(pc-%02u) via eth1\n", t, ip, ip, ip);
            fprintf(f, "%s gw dhcpd[402]: DHCPACK on 192.168.1.%u to 02:00:5e:10:00:%02x "
                       "(pc-%02u) via eth1\n", t, ip, ip, ip);
        }
        if (d == 1 && hosts > 2) {
            /* pc-12 leaves at noon; a visitor's laptop gets its address */
            ts(t, d, 12 * 3600);
            fprintf(f, "%s gw dhcpd[402]: DHCPRELEASE of 192.168.1.12 from 02:00:5e:10:00:0c "
                       "(pc-12) via eth1 (found)\n", t);
            ts(t, d, 12 * 3600 + 1800);
            fprintf(f, "%s gw dhcpd[402]: DHCPACK on 192.168.1.12 to 02:00:5e:99:00:01 "
                       "(visitor-laptop) via eth1\n", t);
        }
    }
}

/* --- logins (sshd) --- */

static void sshd(FILE *f, unsigned days, const char *attacks)
{
    char t[32];
    static const char *const users[] = {"root", "admin", "test", "user", "oracle", "ubuntu"};
    for (unsigned d = 0; d < days; d++) {
        /* the company's own staff log in from the office */
        ts(t, d, 9 * 3600 + 300);
        fprintf(f, "%s nas sshd[%u]: Accepted publickey for backup from 192.168.1.5 port %u "
                   "ssh2: ED25519 SHA256:abc\n", t, 2000 + d, 40000 + rnd(20000));
        if (has(attacks, "rdp-bruteforce")) {
            /* the RDP attacker tries SSH too */
            for (unsigned i = 0; i < 40; i++) {
                ts(t, d, 2 * 3600 + i * 20);
                fprintf(f, "%s nas sshd[%u]: Failed password for %s%s from 45.95.147.231 port "
                           "%u ssh2\n", t, 3000 + i, rnd(2) ? "invalid user " : "",
                        users[rnd(6)], 30000 + rnd(30000));
            }
        }
    }
}

/* --- mail (Postfix) --- */

static void postfix(FILE *f, unsigned days, unsigned seed)
{
    char t[32];
    unsigned qid = 0x3A1000 + seed * 0x1000;
    for (unsigned d = 0; d < days; d++) {
        for (unsigned i = 0; i < 8; i++) {
            unsigned sec = 9 * 3600 + i * 3000 + rnd(600);
            int risky = d == 0 && i == 3 && seed % 3 != 2;
            ts(t, d, sec);
            qid++;
            fprintf(f, "%s mx postfix/smtpd[1200]: %X: client=mail.partner.example[198.51.100.25]\n",
                    t, qid);
            fprintf(f, "%s mx postfix/cleanup[1201]: %X: message-id=<%u.%u@partner.example>\n", t,
                    qid, d, i);
            if (risky)
                fprintf(f, "%s mx postfix/cleanup[1201]: %X: warning: header Content-Disposition: "
                           "attachment; filename=\"invoice_2023-11.xlsm\" from "
                           "mail.partner.example[198.51.100.25]; from=<billing@partner.example> "
                           "to=<keiri@company.example> proto=ESMTP helo=<mail.partner.example>\n",
                        t, qid);
            fprintf(f, "%s mx postfix/qmgr[1100]: %X: from=<%s@partner.example>, size=%u, nrcpt=1 "
                       "(queue active)\n", t, qid, risky ? "billing" : "sales", 3000 + rnd(90000));
            fprintf(f, "%s mx postfix/local[1202]: %X: to=<%s@company.example>, relay=local, "
                       "delay=0.2, delays=0.1/0/0/0.1, dsn=2.0.0, status=sent (delivered to "
                       "mailbox)\n", t, qid, risky ? "keiri" : "eigyo");
            fprintf(f, "%s mx postfix/qmgr[1100]: %X: removed\n", t, qid);
        }
        /* someone poses as the president to the accounts department */
        if (d == days - 1 && seed % 3 != 1) {
            unsigned sec = 16 * 3600 + rnd(1800);
            ts(t, d, sec);
            qid++;
            fprintf(f, "%s mx postfix/smtpd[1200]: %X: client=mail.kx-relay.example[45.95.147.19]\n",
                    t, qid);
            fprintf(f, "%s mx postfix/cleanup[1201]: %X: warning: header From: \"Shacho\" "
                       "<president@company.example> from mail.kx-relay.example[45.95.147.19]; "
                       "from=<noreply@kx-relay.example> to=<keiri@company.example> proto=ESMTP "
                       "helo=<mail.kx-relay.example>\n", t, qid);
            fprintf(f, "%s mx postfix/qmgr[1100]: %X: from=<noreply@kx-relay.example>, size=4100, "
                       "nrcpt=1 (queue active)\n", t, qid);
            fprintf(f, "%s mx postfix/local[1202]: %X: to=<keiri@company.example>, relay=local, "
                       "delay=0.2, delays=0.1/0/0/0.1, dsn=2.0.0, status=sent (delivered to "
                       "mailbox)\n", t, qid);
            fprintf(f, "%s mx postfix/qmgr[1100]: %X: removed\n", t, qid);
        }
    }
}

static int company(int argc, char **argv)
{
    unsigned days = 3, hosts = 20, seed = 1;
    const char *attacks = "", *out = NULL;
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (strcmp(argv[i], "--days") == 0 && v) {
            days = (unsigned)strtoul(v, &end, 10);
            if (*end || days < 1 || days > 366)
                goto usage;
        } else if (strcmp(argv[i], "--hosts") == 0 && v) {
            hosts = (unsigned)strtoul(v, &end, 10);
            if (*end || hosts < 1 || hosts > 200)
                goto usage;
        } else if (strcmp(argv[i], "--seed") == 0 && v) {
            seed = (unsigned)strtoul(v, &end, 10);
            if (*end)
                goto usage;
        } else if (strcmp(argv[i], "--attacks") == 0 && v) {
            attacks = v;
        } else if (argv[i][0] != '-' && !out) {
            out = argv[i];
            continue;
        } else {
            goto usage;
        }
        i++;
    }
    if (!out)
        goto usage;
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        perror(out);
        return 1;
    }
    lcg = seed * 2654435761u + 1;
    FILE *f;
    router(f = open_out(out, "router.log"), days, hosts, attacks);
    fclose(f);
    proxy(f = open_out(out, "access.log"), days, hosts, attacks, seed);
    fclose(f);
    dns(f = open_out(out, "named.log"), days, hosts, attacks);
    fclose(f);
    if (has(attacks, "gh0st")) {
        dnsmasq(f = open_out(out, "dnsmasq.log"), days, attacks);
        fclose(f);
    }
    dhcpd(f = open_out(out, "dhcpd.log"), days, hosts);
    fclose(f);
    sshd(f = open_out(out, "auth.log"), days, attacks);
    fclose(f);
    postfix(f = open_out(out, "maillog"), days, seed);
    fclose(f);
    char inv[4096];
    snprintf(inv, sizeof inv, "%s.inventory", out);
    f = fopen(inv, "w");
    if (!f) {
        perror(inv);
        return 1;
    }
    fprintf(f, "# the company's own DNS server (the gateway) and its file server\n"
               "resolver 192.168.1.1\nserver 192.168.1.5\n"
               "# cloud services the company uses on purpose\n"
               "sanctioned microsoft-365\nsanctioned microsoft-teams\nsanctioned dropbox\n"
               "country JP\n");
    fclose(f);
    return 0;
usage:
    fprintf(stderr, "usage: mm-loggen company [--days N] [--hosts N] [--seed N] "
                    "[--attacks SCENARIO,...] OUTDIR\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "company") == 0)
        return company(argc, argv);
    fprintf(stderr, "usage: mm-loggen company [--days N] [--hosts N] [--seed N] "
                    "[--attacks SCENARIO,...] OUTDIR\n"
                    "The router, proxy, DNS, DHCP, sshd and mail logs of a fictional company\n"
                    "for the same days and attacks as mm-attackgen company.\n");
    return 2;
}
