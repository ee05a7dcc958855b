/*
 * logs_cmd.c - `mimamori logs parse|formats`: gateway log files read into
 * EVE-shaped JSON records, one line each, in input order.
 */
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "cli/cli.h"
#include "logs/listen.h"
#include "logs/logs.h"
#include "logs/mailmsg.h"
#include "output/output.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mimamori logs parse [--format NAME] [--year YYYY] [--tz ZONE] [-q] FILE...\n"
            "       mimamori logs listen --udp ADDR:PORT [--tcp ADDR:PORT] --site S -o DIR [...]\n"
            "       mimamori logs formats\n"
            "\n"
            "parse: reads log files (plain or gzip; - for standard input), finds each\n"
            "file's format from its first lines (or takes --format) and prints one JSON\n"
            "line per record: timestamp, event_type (firewall, proxy, web, dns, dhcp,\n"
            "mail, auth), src_ip, src_port, dest_ip, dest_port, proto, the object of the\n"
            "record's kind and log {format, file, line, host}. Lines of other programs\n"
            "are skipped and counted; malformed lines are counted and the first few\n"
            "quoted on standard error as file:line: why. Mail (.eml files, mbox files,\n"
            "Maildir folders) gives one \"mail\" event per message: senders, recipients,\n"
            "subject, first outside Received hop, attachments (SHA-256) and URLs.\n"
            "\n"
            "  --format NAME   the format of every file (see: mimamori logs formats)\n"
            "  --year YYYY     year of lines that have none (default: the file's\n"
            "                  modification year; a December line in a file written in\n"
            "                  January is of the year before)\n"
            "  --tz ZONE       zone of lines that have none: a zoneinfo name or +HH:MM\n"
            "                  (default Asia/Tokyo)\n"
            "  -q, --quiet     no summary and no quoted lines on standard error\n"
            "\n"
            "Exit status: 0 when every file was read, 1 when a file could not be read\n"
            "or is of no known format, 2 on a usage error.\n"
            "\n"
            "listen: receives syslog from routers and firewalls (RFC 3164 and 5424 over\n"
            "UDP; TCP with newline or octet-counted framing), finds each sender's format\n"
            "and writes the records into crash-safe segments, as the sensor does, for\n"
            "mimamori ingest. It never sends anything. (mimamori logs listen --help)\n");
}

static int formats_cmd(void)
{
    size_t n;
    const mm_logfmt *const *f = mm_log_formats(&n);
    for (size_t i = 0; i < n; i++)
        printf("%-12s %-9s %s\n             %s\n", f[i]->name, f[i]->event_type, f[i]->what,
               f[i]->example);
    return 0;
}

typedef struct out {
    mm_json j;
} out;

static int on_rec(void *user, const mm_logrec *r, const mm_logctx *cx)
{
    out *o = user;
    lr_write_json(r, cx, &o->j);
    if (o->j.oom)
        return 0;
    mj_append(&o->j, "\n", 1);
    fwrite(o->j.s, 1, o->j.len, stdout);
    return 0;
}

static int on_mail_line(void *user, const char *line, size_t len)
{
    (void)user;
    fwrite(line, 1, len, stdout);
    fputc('\n', stdout);
    return 0;
}

/* A mail file or Maildir folder: its messages as "mail" events. -1 when
 * path is not mail, else 0 or 1 as for a log file. */
static int parse_mail(const char *path, bool quiet)
{
    unsigned char head[4096];
    size_t n = 0;
    if (strcmp(path, "-") == 0)
        return -1;
    if (!mm_mailmsg_is_maildir(path)) {
        FILE *f = fopen(path, "rb");
        if (!f)
            return -1;
        n = fread(head, 1, sizeof head, f);
        fclose(f);
        if (!mm_mailmsg_is_mail(path, head, n))
            return -1;
    }
    mm_mailmsg_opts mo = {0};
    mm_mailmsg_stats ms = {0};
    char err[512];
    int rc = mm_mailmsg_read_path(path, &mo, on_mail_line, NULL, &ms, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "mimamori logs: %s\n", err);
        return 1;
    }
    if (!quiet)
        fprintf(stderr, "%s: mail: %llu messages, %llu too large, %llu unreadable, %llu cut\n",
                path, (unsigned long long)ms.messages, (unsigned long long)ms.too_large,
                (unsigned long long)ms.bad, (unsigned long long)ms.cut);
    return 0;
}

static int parse_cmd(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, 0, 'f'},
        {"year", required_argument, 0, 'y'},
        {"tz", required_argument, 0, 'z'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    mm_logopt opt = {0};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (o) {
        case 'f':
            if (!mm_log_format(optarg)) {
                fprintf(stderr, "mimamori logs: unknown format '%s' (see mimamori logs formats)\n",
                        optarg);
                return 2;
            }
            opt.format = optarg;
            break;
        case 'y': {
            uint64_t y;
            if (!mm_parse_uint(optarg, 9999, &y) || y < 1970) {
                fprintf(stderr, "mimamori logs: --year: a year from 1970 to 9999\n");
                return 2;
            }
            opt.year = (int)y;
            break;
        }
        case 'z':
            if (!lr_tz_known(optarg)) {
                fprintf(stderr, "mimamori logs: --tz: unknown time zone '%s'\n", optarg);
                return 2;
            }
            opt.tz = optarg;
            break;
        case 'q': opt.quiet = true; break;
        case 'h': usage(stdout); return 0;
        default: return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    if (!opt.tz && !lr_tz_known("Asia/Tokyo")) {
        fprintf(stderr, "mimamori logs: the zone Asia/Tokyo is not installed (tzdata); "
                        "give --tz\n");
        return 1;
    }
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    out ou;
    mj_init(&ou.j);
    int rc = 0;
    for (int i = optind; i < argc; i++) {
        if (!opt.format) {
            int mr = parse_mail(argv[i], opt.quiet);
            if (mr >= 0) {
                if (mr)
                    rc = 1;
                continue;
            }
        }
        mm_logstats st = {0};
        char err[512];
        if (mm_logs_read_file(argv[i], &opt, on_rec, &ou, &st, err, sizeof err) != 0) {
            fprintf(stderr, "mimamori logs: %s\n", err);
            rc = 1;
            continue;
        }
        if (!opt.quiet)
            fprintf(stderr,
                    "%s: %s: %llu lines, %llu records, %llu skipped, %llu malformed%s\n",
                    argv[i], st.format ? st.format : "?", (unsigned long long)st.lines,
                    (unsigned long long)st.records, (unsigned long long)st.skipped,
                    (unsigned long long)st.malformed, st.cut ? ", some cut (too long)" : "");
    }
    fflush(stdout);
    mj_free(&ou.j);
    return rc;
}

static void listen_usage(FILE *f)
{
    fprintf(f,
"usage: mimamori logs listen --udp ADDR:PORT [--tcp ADDR:PORT] --site NAME -o DIR [options]\n"
"\n"
"Receives syslog (RFC 3164 and 5424; UDP, and TCP with newline or octet-counted\n"
"framing), finds each sender's format (mimamori logs formats) and writes the\n"
"records into crash-safe segments in DIR, collected and imported like the\n"
"sensor's (mimamori ingest DIR). Nothing is ever sent. SIGINT or SIGTERM stops\n"
"it; records still held (mail joined by queue id) are written first.\n"
"\n"
"  --udp ADDR:PORT      UDP address to receive on ([::]:514, 0.0.0.0:5514;\n"
"                       port 0 picks one, said on stderr)\n"
"  --tcp ADDR:PORT      TCP address to receive on\n"
"  --site NAME          the company (required)\n"
"  --sensor NAME        this box's name (default: the host name)\n"
"  -o, --output DIR     segment directory (required)\n"
"  --allow LIST         senders allowed, CIDRs separated by commas (default any)\n"
"  --format NAME        every sender's format (default: found per sender)\n"
"  --year YYYY, --tz ZONE   as for parse (default: this year, Asia/Tokyo)\n"
"  --rate N             lines per second per sender, more are dropped (2000)\n"
"  --max-senders N      senders tracked at once (64)\n"
"  --max-tcp N          TCP connections at once (64)\n"
"  --stats-interval SEC stats events with the counters (60)\n"
"  --segment-size SZ    close a segment at this size (64m)\n"
"  --segment-age SEC    ... or after this many seconds (300)\n"
"  --zstd               compress closed segments\n"
"  --seal-key FILE      seal closed segments to this public key (mimamori keygen)\n"
"  --user NAME          run as this user once the sockets are bound\n"
"  -q, --quiet          say nothing on stderr but errors\n");
}

static int listen_cmd(int argc, char **argv)
{
    enum { O_UDP = 256, O_TCP, O_SITE, O_SENSOR, O_ALLOW, O_FMT, O_YEAR, O_TZ, O_RATE, O_MAXS,
           O_MAXT, O_STATS, O_SEGSIZE, O_SEGAGE, O_ZSTD, O_SEAL, O_USER };
    static const struct option opts[] = {
        {"udp", required_argument, 0, O_UDP},       {"tcp", required_argument, 0, O_TCP},
        {"site", required_argument, 0, O_SITE},     {"sensor", required_argument, 0, O_SENSOR},
        {"output", required_argument, 0, 'o'},      {"allow", required_argument, 0, O_ALLOW},
        {"format", required_argument, 0, O_FMT},    {"year", required_argument, 0, O_YEAR},
        {"tz", required_argument, 0, O_TZ},         {"rate", required_argument, 0, O_RATE},
        {"max-senders", required_argument, 0, O_MAXS},
        {"max-tcp", required_argument, 0, O_MAXT},
        {"stats-interval", required_argument, 0, O_STATS},
        {"segment-size", required_argument, 0, O_SEGSIZE},
        {"segment-age", required_argument, 0, O_SEGAGE},
        {"zstd", no_argument, 0, O_ZSTD},           {"seal-key", required_argument, 0, O_SEAL},
        {"user", required_argument, 0, O_USER},     {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},              {0, 0, 0, 0},
    };
    mm_listen_cfg c;
    mm_listen_defaults(&c);
    c.opt.quiet = true;
    const char *outdir = NULL, *allow = NULL, *seal = NULL, *user = NULL;
    uint64_t segsize = 64ull << 20, segage = 300, v;
    int zstd = 0, o;
    char err[512], host[256] = "";
    optind = 1;
    while ((o = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (o) {
        case O_UDP: c.udp = optarg; break;
        case O_TCP: c.tcp = optarg; break;
        case O_SITE: c.site = optarg; break;
        case O_SENSOR: c.sensor = optarg; break;
        case 'o': outdir = optarg; break;
        case O_ALLOW: allow = optarg; break;
        case O_FMT:
            if (!mm_log_format(optarg)) {
                fprintf(stderr, "mimamori logs listen: unknown format '%s'\n", optarg);
                return 2;
            }
            c.opt.format = optarg;
            break;
        case O_YEAR:
            if (!mm_parse_uint(optarg, 9999, &v) || v < 1970) {
                fprintf(stderr, "mimamori logs listen: --year: a year from 1970 to 9999\n");
                return 2;
            }
            c.opt.year = (int)v;
            break;
        case O_TZ:
            if (!lr_tz_known(optarg)) {
                fprintf(stderr, "mimamori logs listen: --tz: unknown time zone '%s'\n", optarg);
                return 2;
            }
            c.opt.tz = optarg;
            break;
        case O_RATE:
        case O_MAXS:
        case O_MAXT:
        case O_STATS:
        case O_SEGAGE:
            if (!mm_parse_uint(optarg, 10000000, &v) || v == 0) {
                fprintf(stderr, "mimamori logs listen: --%s: a whole number above 0\n",
                        o == O_RATE ? "rate" : o == O_MAXS ? "max-senders" : o == O_MAXT
                        ? "max-tcp" : o == O_STATS ? "stats-interval" : "segment-age");
                return 2;
            }
            if (o == O_RATE) c.rate = (unsigned)v;
            else if (o == O_MAXS) c.max_senders = (unsigned)(v > 65536 ? 65536 : v);
            else if (o == O_MAXT) c.max_tcp = (unsigned)v;
            else if (o == O_STATS) c.stats_interval_s = (unsigned)v;
            else segage = v;
            break;
        case O_SEGSIZE:
            if (!mm_parse_size(optarg, &segsize) || segsize < 4096) {
                fprintf(stderr, "mimamori logs listen: --segment-size: at least 4k\n");
                return 2;
            }
            break;
        case O_ZSTD: zstd = 3; break;
        case O_SEAL: seal = optarg; break;
        case O_USER: user = optarg; break;
        case 'q': c.quiet = true; break;
        case 'h': listen_usage(stdout); return 0;
        default: listen_usage(stderr); return 2;
        }
    }
    if (optind != argc || !c.site || !outdir || (!c.udp && !c.tcp)) {
        listen_usage(stderr);
        return 2;
    }
    if (!c.opt.tz && !lr_tz_known("Asia/Tokyo")) {
        fprintf(stderr, "mimamori logs listen: the zone Asia/Tokyo is not installed; give --tz\n");
        return 1;
    }
    if (!c.sensor) {
        if (gethostname(host, sizeof host - 1) != 0 || !host[0])
            snprintf(host, sizeof host, "listener");
        c.sensor = host;
    }
    mm_netlist nl = {0};
    if (allow) {
        if (!mm_netlist_parse(&nl, allow, err, sizeof err)) {
            fprintf(stderr, "mimamori logs listen: --allow: %s\n", err);
            return 2;
        }
        c.allow = &nl;
    }
    unsigned char pk[crypto_box_PUBLICKEYBYTES];
    mm_seg_config sc = {.dir = outdir, .site = c.site, .sensor = c.sensor, .max_bytes = segsize,
                        .max_age_ns = segage * 1000000000ULL, .zstd_level = zstd,
                        .sync_bytes = 1 << 20};
    if (seal) {
        if (mm_read_key_hex(seal, pk, sizeof pk, err, sizeof err) != 0) {
            fprintf(stderr, "mimamori logs listen: --seal-key: %s\n", err);
            mm_netlist_free(&nl);
            return 2;
        }
        sc.seal_pk = pk;
    }
    int rc = 1;
    mm_segw *w = NULL;
    mm_listen *l = mm_listen_open(&c, err, sizeof err);
    if (!l) {
        fprintf(stderr, "mimamori logs listen: %s\n", err);
        goto out;
    }
    w = mm_segw_open(&sc, err, sizeof err);
    if (!w) {
        fprintf(stderr, "mimamori logs listen: %s\n", err);
        goto out;
    }
    if (user && !mm_drop_privileges(user, err, sizeof err)) {
        fprintf(stderr, "mimamori logs listen: --user: %s\n", err);
        goto out;
    }
    cli_on_stop();
    signal(SIGPIPE, SIG_IGN);
    rc = mm_listen_run(l, w, &cli_stop, err, sizeof err) == 0 ? 0 : 1;
    if (rc)
        fprintf(stderr, "mimamori logs listen: %s\n", err);
    mm_listen_stats st;
    mm_listen_stats_get(l, &st);
    if (!c.quiet)
        fprintf(stderr,
                "mimamori logs listen: %llu lines, %llu records, %llu skipped, %llu malformed; "
                "dropped: %llu not allowed, %llu over the rate, %llu too long\n",
                (unsigned long long)st.lines, (unsigned long long)st.records,
                (unsigned long long)st.skipped, (unsigned long long)st.malformed,
                (unsigned long long)st.drop_not_allowed, (unsigned long long)st.drop_rate,
                (unsigned long long)st.drop_long);
out:
    if (w && mm_segw_close(w, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori logs listen: %s\n", err);
        rc = 1;
    }
    mm_listen_close(l);
    mm_netlist_free(&nl);
    return rc;
}

int cmd_logs(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "formats") == 0)
        return formats_cmd();
    if (strcmp(argv[1], "parse") == 0)
        return parse_cmd(argc - 1, argv + 1);
    if (strcmp(argv[1], "listen") == 0)
        return listen_cmd(argc - 1, argv + 1);
    fprintf(stderr, "mimamori logs: unknown subcommand '%s' (parse, listen, formats)\n",
            argv[1]);
    return 2;
}
