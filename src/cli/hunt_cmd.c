/*
 * hunt_cmd.c - `mimamori hunt`: which companies and machines met given
 * indicators, back through everything the store has imported.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ioc/hunt.h"
#include "ioc/obs.h"
#include "util/jread.h"
#include "store/store.h"
#include "util/json.h"
#include "util/util.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: mimamori hunt [--db PATH|URL] [--set SET | VALUE...] [--from DATE] [--to DATE]\n"
"                     [--site NAME] [--format table|json] [--detail[=N]]\n"
"\n"
"Looks back through everything imported into the store (sensor events and\n"
"gateway logs, for years) for the indicators of a set (mimamori ioc import),\n"
"of every set, or the VALUEs given (addresses, networks, domains with their\n"
"subdomains, URLs, mail addresses, hashes, JA3/JA4, file names; type\n"
"recognised, defanged values taken). Each hit: company, internal host (with\n"
"its DHCP name and MAC when the store has them), what was seen, the\n"
"indicator and its set, first and last time, count.\n"
"\n"
"  --db PATH|URL     SQLite file (default mimamori.db) or postgresql://...\n"
"  --set SET         the indicators of this set (default: every set)\n"
"  --from DATE       from this day (YYYY-MM-DD, UTC) or time (ISO 8601)\n"
"  --to DATE         up to the end of this day, or this time\n"
"  --site NAME       one company only\n"
"  --format F        table (default) or json (one object per hit)\n"
"  --detail[=N]      with each hit, the first N (default 10) archived events\n"
"                    behind it (mimamori ingest --archive DIR keeps them)\n"
"  -h, --help        this help\n"
"\n"
"Exit status: 0 when something was found, 3 when nothing was, 1 on error.\n");
}

static bool parse_day(const char *s, bool end, int64_t *us)
{
    if (!mm_parse_iso_ts(s, us))
        return false;
    if (end && strlen(s) == 10)
        *us += 86400LL * 1000000 - 1;     /* the whole of the last day */
    return true;
}

static void fmt_time(int64_t us, char *out, size_t n)
{
    char ts[MM_TS_LEN];
    mm_fmt_ts((uint64_t)us * 1000, ts);
    snprintf(out, n, "%.10s %.5s", ts, ts + 11);
}

typedef struct out_ctx {
    bool json, detail, no_archive;
    unsigned max;             /* --detail: events shown per hit */
    mm_db *db;
    mm_json *j;               /* json: the hit being written */
    int failed;
    uint64_t n;
    char err[512];
} out_ctx;

static int detail_json(void *u, const char *line, size_t len)
{
    mj_raw(((out_ctx *)u)->j, NULL, line, len);
    return 0;
}

static int detail_text(void *u, const char *line, size_t len)
{
    (void)u;
    printf("    %.*s\n", (int)len, line);
    return 0;
}

static int print_hit(void *u, const mm_hunt_hit *h)
{
    out_ctx *o = u;
    char f[32], l[32];
    if (o->json) {
        char tf[MM_TS_LEN], tl[MM_TS_LEN];
        mm_fmt_ts((uint64_t)h->first * 1000, tf);
        mm_fmt_ts((uint64_t)h->last * 1000, tl);
        mm_json j;
        mj_init(&j);
        mj_reset(&j);
        mj_obj_open(&j, NULL);
        mj_str(&j, "site", h->site);
        mj_str(&j, "kind", h->kind);
        mj_str(&j, "seen", h->seen);
        mj_str(&j, "indicator", h->indicator);
        mj_str(&j, "indicator_type", h->itype);
        if (h->set[0])
            mj_str(&j, "set", h->set);
        if (h->desc[0])
            mj_str(&j, "description", h->desc);
        mj_str(&j, "host", h->host);
        if (h->host_name[0])
            mj_str(&j, "host_name", h->host_name);
        if (h->host_mac[0])
            mj_str(&j, "host_mac", h->host_mac);
        mj_str(&j, "first", tf);
        mj_str(&j, "last", tl);
        mj_u64(&j, "count", (uint64_t)h->count);
        if (o->detail && !o->no_archive) {
            mj_arr_open(&j, "events");
            o->j = &j;
            if (mm_hunt_detail(o->db, h, o->max, detail_json, o, &o->no_archive, o->err,
                               sizeof o->err) != 0)
                o->failed = 1;
            mj_arr_close(&j);
        }
        mj_obj_close(&j);
        fwrite(j.s, 1, j.len, stdout);
        fputc('\n', stdout);
        mj_free(&j);
    } else {
        if (o->n == 0)
            printf("%-14s %-28s %-34s %-28s %-16s %-16s %8s\n", "company", "host", "seen",
                   "indicator [set]", "first", "last", "count");
        fmt_time(h->first, f, sizeof f);
        fmt_time(h->last, l, sizeof l);
        char host[160], ind[300];
        if (h->host_name[0] || h->host_mac[0])
            snprintf(host, sizeof host, "%s (%s%s%s)", h->host[0] ? h->host : "-", h->host_name,
                     h->host_name[0] && h->host_mac[0] ? " " : "", h->host_mac);
        else
            snprintf(host, sizeof host, "%s", h->host[0] ? h->host : "-");
        snprintf(ind, sizeof ind, "%s%s%s%s", h->indicator, h->set[0] ? " [" : "", h->set,
                 h->set[0] ? "]" : "");
        printf("%-14s %-28s %-34s %-28s %-16s %-16s %8lld\n", h->site, host, h->seen, ind, f, l,
               (long long)h->count);
        if (o->detail && !o->no_archive &&
            mm_hunt_detail(o->db, h, o->max, detail_text, o, &o->no_archive, o->err,
                           sizeof o->err) != 0)
            o->failed = 1;
    }
    o->n++;
    return 0;
}

int cmd_hunt(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},     {"set", required_argument, NULL, 's'},
        {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
        {"site", required_argument, NULL, 'S'},   {"format", required_argument, NULL, 'F'},
        {"detail", optional_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *dbpath = "mimamori.db";
    mm_hunt_opts o = {0};
    out_ctx oc = {0};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': dbpath = optarg; break;
        case 's': o.set = optarg; break;
        case 'S': o.site = optarg; break;
        case 'f':
        case 't':
            if (!parse_day(optarg, c == 't', c == 'f' ? &o.from : &o.to)) {
                fprintf(stderr, "mimamori hunt: --%s: a date (YYYY-MM-DD) or ISO 8601 time\n",
                        c == 'f' ? "from" : "to");
                return 2;
            }
            break;
        case 'F':
            if (strcmp(optarg, "json") && strcmp(optarg, "table")) {
                fprintf(stderr, "mimamori hunt: --format: table or json\n");
                return 2;
            }
            oc.json = strcmp(optarg, "json") == 0;
            break;
        case 'D': {
            oc.detail = true;
            oc.max = 10;
            if (optarg) {
                char *end;
                long v = strtol(optarg, &end, 10);
                if (*end || v < 1 || v > 100000) {
                    fprintf(stderr, "mimamori hunt: --detail=N: 1 to 100000\n");
                    return 2;
                }
                oc.max = (unsigned)v;
            }
            break;
        }
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (o.set && optind < argc) {
        fprintf(stderr, "mimamori hunt: --set or values, not both\n");
        return 2;
    }
    o.values = (const char *const *)argv + optind;
    o.nvalues = argc - optind;
    char err[512] = "";
    mm_db *db = mm_db_open(dbpath, err, sizeof err);
    if (!db) {
        fprintf(stderr, "mimamori hunt: %s\n", err);
        return 1;
    }
    if (mm_store_init(db) != 0 || mm_obs_upgrade(db) != 0) {
        fprintf(stderr, "mimamori hunt: store: %s\n", mm_db_error(db));
        mm_db_close(db);
        return 1;
    }
    mm_hunt_stats st = {0};
    uint64_t t0 = mm_mono_ns();
    oc.db = db;
    int rc = mm_hunt(db, &o, print_hit, &oc, &st, err, sizeof err);
    mm_db_close(db);
    if (rc != 0) {
        fprintf(stderr, "mimamori hunt: %s\n", err);
        return 1;
    }
    if (oc.failed) {
        fprintf(stderr, "mimamori hunt: --detail: %s\n", oc.err);
        return 1;
    }
    if (oc.detail && oc.no_archive)
        fprintf(stderr, "mimamori hunt: --detail: the store keeps no archive of events "
                        "(mimamori ingest --archive DIR)\n");
    fprintf(stderr, "hunt: %llu indicators, %llu found, %llu hits in %.2f s\n",
            (unsigned long long)st.indicators, (unsigned long long)st.indicators_hit,
            (unsigned long long)st.hits, (double)(mm_mono_ns() - t0) / 1e9);
    return st.hits ? 0 : 3;
}
