/*
 * status_cmd.c - `mimamori status`: how a sensor is doing, from its output
 * directory (output/outdir.h) and its rules files' age. Exit 1 when it
 * looks stale (no segment closed for longer than --stale minutes).
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "output/outdir.h"
#include "util/json.h"
#include "util/util.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: mimamori status [-o DIR] [--config FILE] [--rules PATH]... [options]\n"
"\n"
"How a sensor is doing, read from its output directory: the last segment it\n"
"closed and its age, the open one, drops and rule reloads from its newest\n"
"stats event, disk use and free space, and the age of its rules files.\n"
"\n"
"  -o, --output DIR   the sensor's output directory (default: the configuration\n"
"                     file's 'output', else ./mimamori-out)\n"
"      --config FILE  the sensor's configuration file (default %s\n"
"                     when it exists): its output and rules\n"
"      --rules PATH   a rules file or directory whose age to tell (repeatable;\n"
"                     default: the configuration file's)\n"
"      --stale MIN    stale when no segment was closed for MIN minutes (default\n"
"                     120: twice the default --segment-age)\n"
"      --format FMT   text (default) or json\n"
"  -h, --help         this help\n"
"\n"
"Exit status: 0 the sensor looks alive, 1 stale (or no segment at all, or the\n"
"directory cannot be read), 2 usage or configuration error.\n",
            cli_config_default());
}

typedef struct paths {
    const char *v[32];
    int n;
    const char *output;
} paths;

static void take_rules(void *u, const char *v)
{
    paths *p = u;
    if (p->n < 32)
        p->v[p->n++] = v;
}

static void take_output(void *u, const char *v)
{
    ((paths *)u)->output = v;
}

/* The newest modification time of a file, or of the files in a directory. */
static uint64_t newest_mtime(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return 0;
    uint64_t best = S_ISREG(sb.st_mode) ? (uint64_t)sb.st_mtim.tv_sec * 1000000000ULL +
                                              (uint64_t)sb.st_mtim.tv_nsec : 0;
    if (!S_ISDIR(sb.st_mode))
        return best;
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        char p[4096];
        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", path, de->d_name);
        if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
            uint64_t m = (uint64_t)sb.st_mtim.tv_sec * 1000000000ULL + (uint64_t)sb.st_mtim.tv_nsec;
            if (m > best)
                best = m;
        }
    }
    if (d)
        closedir(d);
    return best;
}

static void ago(uint64_t now, uint64_t then, char *out, size_t n)
{
    if (!then) {
        snprintf(out, n, "never");
        return;
    }
    uint64_t s = now > then ? (now - then) / 1000000000ULL : 0;
    if (s < 120)
        snprintf(out, n, "%llu s ago", (unsigned long long)s);
    else if (s < 7200)
        snprintf(out, n, "%llu min ago", (unsigned long long)(s / 60));
    else if (s < 172800)
        snprintf(out, n, "%.1f h ago", (double)s / 3600.0);
    else
        snprintf(out, n, "%.1f days ago", (double)s / 86400.0);
}

static double mib(uint64_t b)
{
    return (double)b / 1048576.0;
}

int cmd_status(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},
        {"config", required_argument, 0, 'c'},
        {"rules", required_argument, 0, 'r'},
        {"stale", required_argument, 0, 's'},
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *outdir = NULL, *config = NULL;
    paths rules = {{0}, 0, NULL};
    uint64_t stale_min = 120;
    bool json = false;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (o) {
        case 'o': outdir = optarg; break;
        case 'c': config = optarg; break;
        case 'r':
            if (rules.n == 32) {
                fprintf(stderr, "mimamori status: at most 32 --rules\n");
                return 2;
            }
            rules.v[rules.n++] = optarg;
            break;
        case 's':
            if (!mm_parse_uint(optarg, 525600, &stale_min) || stale_min == 0) {
                fprintf(stderr, "mimamori status: --stale: minutes, 1 to 525600\n");
                return 2;
            }
            break;
        case 'f':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
                fprintf(stderr, "mimamori status: --format: text or json\n");
                return 2;
            }
            json = optarg[0] == 'j';
            break;
        case 'h': usage(stdout); return 0;
        default:
            fprintf(stderr, "(see mimamori status --help)\n");
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mimamori status: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    /* the sensor's configuration: where it writes, which rules it reads */
    static mm_cfg_args cfa;
    char err[700];
    int r = mm_config_load(config ? config : cli_config_default(), config == NULL, NULL, 0, &cfa,
                           err, sizeof err);
    if (r < 0) {
        fprintf(stderr, "mimamori status: %s\n", err);
        return 2;
    }
    paths fromcfg = {{0}, 0, NULL};
    mm_cfg_args_each(&cfa, "output", take_output, &fromcfg);
    mm_cfg_args_each(&cfa, "rules", take_rules, &fromcfg);
    if (!outdir)
        outdir = fromcfg.output ? fromcfg.output : "mimamori-out";
    if (!rules.n)
        rules = fromcfg;

    mm_outdir_status st;
    if (mm_outdir_status_get(outdir, &st, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori status: %s\n", err);
        mm_cfg_args_free(&cfa);
        return 1;
    }
    uint64_t now = mm_wall_ns();
    uint64_t rules_m = 0;
    for (int i = 0; i < rules.n; i++) {
        uint64_t m = newest_mtime(rules.v[i]);
        if (m > rules_m)
            rules_m = m;
    }
    uint64_t limit = stale_min * 60ULL * 1000000000ULL;
    bool stale = !st.last_mtime_ns || (now > st.last_mtime_ns && now - st.last_mtime_ns > limit);
    uint64_t last_age = st.last_mtime_ns && now > st.last_mtime_ns ? (now - st.last_mtime_ns) / 1000000000ULL : 0;
    char ts[MM_TS_LEN];
    if (json) {
        mm_json j;
        mj_init(&j);
        mj_reset(&j);
        mj_obj_open(&j, NULL);
        mj_str(&j, "output", outdir);
        mj_bool(&j, "stale", stale);
        mj_u64(&j, "stale_minutes", stale_min);
        mj_obj_open(&j, "segments");
        mj_u64(&j, "closed", st.closed);
        mj_u64(&j, "closed_bytes", st.closed_bytes);
        if (st.last_name[0]) {
            mj_str(&j, "last", st.last_name);
            mm_fmt_ts(st.last_mtime_ns, ts);
            mj_str(&j, "last_closed", ts);
            mj_u64(&j, "last_age_s", last_age);
        }
        if (st.open_name[0]) {
            mj_str(&j, "open", st.open_name);
            mj_u64(&j, "open_bytes", st.open_bytes);
            mm_fmt_ts(st.open_mtime_ns, ts);
            mj_str(&j, "open_written", ts);
        }
        mj_obj_close(&j);
        mj_obj_open(&j, "disk");
        mj_u64(&j, "total_bytes", st.disk_total);
        mj_u64(&j, "free_bytes", st.disk_free);
        mj_u64(&j, "used_by_segments", st.closed_bytes + st.open_bytes);
        mj_obj_close(&j);
        mj_obj_open(&j, "stats");
        if (st.stats) {
            mj_str(&j, "timestamp", st.stats_ts);
            mj_str(&j, "from", st.stats_from);
            mj_u64(&j, "uptime", st.uptime_s);
            mj_obj_open(&j, "drops");
            if (st.live) {
                mj_u64(&j, "kernel_packets", st.kernel_packets);
                mj_u64(&j, "kernel", st.kernel_drops);
                mj_u64(&j, "interface", st.kernel_ifdrops);
            }
            if (st.nworkers) {
                mj_arr_open(&j, "workers");
                for (unsigned i = 0; i < st.nworkers; i++) {
                    mj_obj_open(&j, NULL);
                    mj_u64(&j, "kernel_packets", st.worker_packets[i]);
                    mj_u64(&j, "kernel", st.worker_drops[i]);
                    mj_obj_close(&j);
                }
                mj_arr_close(&j);
            }
            mj_u64(&j, "flow_memcap", st.drop_flow_memcap);
            mj_u64(&j, "stream_memcap", st.drop_stream_memcap);
            mj_u64(&j, "event_write_errors", st.drop_write_errors);
            mj_obj_close(&j);
            if (st.rules) {
                mj_u64(&j, "rules_loaded", st.rules_loaded);
                mj_u64(&j, "rules_failed", st.rules_failed);
                mj_str(&j, "rules_last_reload", st.rules_reload_ts);
            }
            if (st.reloads || st.reload_failures) {
                mj_u64(&j, "reloads", st.reloads);
                mj_u64(&j, "reload_failures", st.reload_failures);
                if (st.reload_error[0])
                    mj_str(&j, "reload_error", st.reload_error);
            }
        } else {
            mj_str(&j, "none", st.stats_note);
        }
        mj_obj_close(&j);
        if (rules.n) {
            mj_obj_open(&j, "rules");
            mj_arr_open(&j, "paths");
            for (int i = 0; i < rules.n; i++)
                mj_str(&j, NULL, rules.v[i]);
            mj_arr_close(&j);
            if (rules_m) {
                mm_fmt_ts(rules_m, ts);
                mj_str(&j, "modified", ts);
                mj_u64(&j, "age_s", now > rules_m ? (now - rules_m) / 1000000000ULL : 0);
            }
            mj_obj_close(&j);
        }
        mj_obj_close(&j);
        printf("%.*s\n", (int)j.len, j.s);
        mj_free(&j);
    } else {
        char a[64];
        printf("output        %s\n", outdir);
        ago(now, st.last_mtime_ns, a, sizeof a);
        if (st.last_name[0])
            printf("last segment  %s, closed %s\n", st.last_name, a);
        else
            printf("last segment  none closed yet\n");
        if (st.open_name[0]) {
            ago(now, st.open_mtime_ns, a, sizeof a);
            printf("open segment  %s, %.1f MiB, written %s\n", st.open_name, mib(st.open_bytes), a);
        }
        printf("segments      %llu closed, %.1f MiB\n", (unsigned long long)st.closed,
               mib(st.closed_bytes));
        if (st.disk_total)
            printf("disk          %.1f GiB free of %.1f GiB (%.0f %% used)\n",
                   mib(st.disk_free) / 1024, mib(st.disk_total) / 1024,
                   100.0 * (double)(st.disk_total - st.disk_free) / (double)st.disk_total);
        if (st.stats) {
            ago(now, st.stats_ns, a, sizeof a);
            printf("stats         %s (%s), up %llu s\n", st.stats_ts, a,
                   (unsigned long long)st.uptime_s);
            if (st.live)
                printf("drops         kernel %llu of %llu packets, interface %llu, ",
                       (unsigned long long)st.kernel_drops, (unsigned long long)st.kernel_packets,
                       (unsigned long long)st.kernel_ifdrops);
            else
                printf("drops         ");
            printf("flow memcap %llu, stream memcap %llu, event write errors %llu\n",
                   (unsigned long long)st.drop_flow_memcap,
                   (unsigned long long)st.drop_stream_memcap,
                   (unsigned long long)st.drop_write_errors);
            if (st.nworkers) {          /* each worker's ring: dropped of packets */
                printf("workers       %u:", st.nworkers);
                for (unsigned i = 0; i < st.nworkers; i++)
                    printf("%s %llu of %llu", i ? "," : "",
                           (unsigned long long)st.worker_drops[i],
                           (unsigned long long)st.worker_packets[i]);
                printf(" dropped\n");
            }
            if (st.rules)
                printf("rules loaded  %llu (%llu failed), last load %s\n",
                       (unsigned long long)st.rules_loaded, (unsigned long long)st.rules_failed,
                       st.rules_reload_ts);
            if (st.reloads || st.reload_failures)
                printf("reloads       %llu done, %llu refused%s%s\n",
                       (unsigned long long)st.reloads, (unsigned long long)st.reload_failures,
                       st.reload_error[0] ? "; last refused: " : "", st.reload_error);
        } else {
            printf("stats         %s\n", st.stats_note);
        }
        if (rules.n) {
            ago(now, rules_m, a, sizeof a);
            printf("rules files   modified %s (%s%s)\n", a, rules.v[0], rules.n > 1 ? " ..." : "");
        }
        if (stale)
            printf("state         STALE: no segment closed in the last %llu minutes\n",
                   (unsigned long long)stale_min);
        else
            printf("state         ok\n");
    }
    mm_cfg_args_free(&cfa);
    return stale ? 1 : 0;
}
