/*
 * logs_cmd.c - `mimamori logs parse|formats`: gateway log files read into
 * EVE-shaped JSON records, one line each, in input order.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "logs/logs.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mimamori logs parse [--format NAME] [--year YYYY] [--tz ZONE] [-q] FILE...\n"
            "       mimamori logs formats\n"
            "\n"
            "parse: reads log files (plain or gzip; - for standard input), finds each\n"
            "file's format from its first lines (or takes --format) and prints one JSON\n"
            "line per record: timestamp, event_type (firewall, proxy, web, dns, dhcp,\n"
            "mail, auth), src_ip, src_port, dest_ip, dest_port, proto, the object of the\n"
            "record's kind and log {format, file, line, host}. Lines of other programs\n"
            "are skipped and counted; malformed lines are counted and the first few\n"
            "quoted on standard error as file:line: why.\n"
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
            "or is of no known format, 2 on a usage error.\n");
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
        mm_logstats st = {0};
        char err[512];
        if (mm_logs_read_file(argv[i], &opt, on_rec, &ou, &st, err, sizeof err) != 0) {
            fprintf(stderr, "mimamori logs: %s\n", err);
            rc = 1;
            continue;
        }
        if (!opt.quiet)
            fprintf(stderr,
                    "%s: %llu lines, %llu records, %llu skipped, %llu malformed%s\n", argv[i],
                    (unsigned long long)st.lines, (unsigned long long)st.records,
                    (unsigned long long)st.skipped, (unsigned long long)st.malformed,
                    st.cut ? ", some cut (too long)" : "");
    }
    fflush(stdout);
    mj_free(&ou.j);
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
    fprintf(stderr, "mimamori logs: unknown subcommand '%s' (parse, formats)\n", argv[1]);
    return 2;
}
