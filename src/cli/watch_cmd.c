/*
 * watch_cmd.c - `mimamori watch DIR...`: file integrity of web roots
 * (src/watch/): fim events and WebShell alerts into crash-safe segments
 * (-o DIR) or an EVE stream (--eve FILE|-).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "output/output.h"
#include "util/util.h"
#include "watch/watch.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mimamori watch DIR... --site S [-o DIR | --eve FILE|-] [options]\n"
            "\n"
            "Watches web roots (or any directories) for files that appear, change or\n"
            "disappear: a baseline (path, size, mode, owner, mtime, SHA-256) compared at\n"
            "every start with a fresh walk, then inotify and periodic full rescans.\n"
            "Writes EVE-style fim events, and alerts (family webshell) for new or changed\n"
            "scripts, WebShell content, scripts hidden in images or double extensions.\n"
            "\n"
            "`mimamori ingest` keeps the file events; the company report then shows the\n"
            "files that appeared or changed (when, which, what they look like, what to\n"
            "do) and, with the web server's access logs ingested, requests to them: a\n"
            "DIR is taken as the site's document root, URL path /a/b.php = DIR/a/b.php.\n"
            "\n"
            "  --site S              company / site name (segments)\n"
            "  --sensor NAME         host name in the events (default: gethostname)\n"
            "  -o, --output DIR      crash-safe segments in DIR (baseline DIR/.watch-state)\n"
            "  --eve FILE|-          EVE lines to FILE or stdout (needs --state)\n"
            "  --state FILE          the baseline file\n"
            "  --exclude GLOB        leave out paths matching GLOB (relative path or\n"
            "                        base name; repeatable)\n"
            "  --rescan SECONDS      full rescan period (default 3600)\n"
            "  --max-file-size SIZE  hash at most SIZE of a file (default 256m)\n"
            "  --once                compare with the baseline, write, record, exit\n"
            "  -q, --quiet           no messages on stderr\n");
}

typedef struct stream {
    int fd;
    bool unsynced, is_file;
} stream;

static int stream_write(void *ctx, const char *line, size_t len)
{
    stream *s = ctx;
    while (len) {
        ssize_t w = write(s->fd, line, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        line += w;
        len -= (size_t)w;
    }
    s->unsynced = true;
    return 0;
}

static int stream_sync(void *ctx, uint64_t now)
{
    (void)now;
    stream *s = ctx;
    if (!s->unsynced)
        return 0;
    s->unsynced = false;
    if (s->is_file && fdatasync(s->fd) != 0 && errno != EINVAL)
        return -1;
    return 0;
}

static int segw_sync(void *ctx, uint64_t now)
{
    mm_segw_tick(ctx, now);
    return 0;
}

enum { O_SITE = 256, O_SENSOR, O_EVE, O_STATE, O_EXCLUDE, O_RESCAN, O_MAXFILE, O_ONCE };

int cmd_watch(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"site", required_argument, NULL, O_SITE},
        {"sensor", required_argument, NULL, O_SENSOR},
        {"output", required_argument, NULL, 'o'},
        {"eve", required_argument, NULL, O_EVE},
        {"state", required_argument, NULL, O_STATE},
        {"exclude", required_argument, NULL, O_EXCLUDE},
        {"rescan", required_argument, NULL, O_RESCAN},
        {"max-file-size", required_argument, NULL, O_MAXFILE},
        {"once", no_argument, NULL, O_ONCE},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *site = NULL, *sensor = NULL, *outdir = NULL, *eve = NULL, *state = NULL;
    const char **excl = calloc((size_t)argc + 1, sizeof *excl);
    size_t nexcl = 0;
    uint64_t rescan = 3600, maxfile = 256ULL << 20;
    bool once = false, quiet = false;
    if (!excl)
        return 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_SITE: site = optarg; break;
        case O_SENSOR: sensor = optarg; break;
        case 'o': outdir = optarg; break;
        case O_EVE: eve = optarg; break;
        case O_STATE: state = optarg; break;
        case O_EXCLUDE: excl[nexcl++] = optarg; break;
        case O_RESCAN:
            if (!mm_parse_uint(optarg, 366ULL * 86400, &rescan) || rescan == 0) {
                fprintf(stderr, "mimamori watch: --rescan: seconds, 1 or more\n");
                free(excl);
                return 2;
            }
            break;
        case O_MAXFILE:
            if (!mm_parse_size(optarg, &maxfile) || maxfile == 0) {
                fprintf(stderr, "mimamori watch: --max-file-size: a size such as 256m\n");
                free(excl);
                return 2;
            }
            break;
        case O_ONCE: once = true; break;
        case 'q': quiet = true; break;
        case 'h': usage(stdout); free(excl); return 0;
        default: usage(stderr); free(excl); return 2;
        }
    }
    if (optind >= argc || !site || (!outdir && !eve) || (outdir && eve) || (eve && !state)) {
        if (eve && !state)
            fprintf(stderr, "mimamori watch: --eve needs --state FILE (where the baseline is kept)\n");
        usage(stderr);
        free(excl);
        return 2;
    }
    size_t nroots = (size_t)(argc - optind);
    char **roots = calloc(nroots, sizeof *roots);
    int rc = 1;
    char err[1024];
    char host[256] = "";
    char statebuf[PATH_MAX];
    stream st = {.fd = -1};
    mm_segw *w = NULL;
    mw_config cfg = {0};
    if (!roots)
        goto out;
    for (size_t i = 0; i < nroots; i++) {
        const char *d = argv[optind + (int)i];
        struct stat sb;
        roots[i] = realpath(d, NULL);
        if (!roots[i] || stat(roots[i], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "mimamori watch: %s: %s\n", d,
                    roots[i] ? "not a directory" : strerror(errno));
            rc = 2;
            goto out;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(roots[k], roots[i]) == 0) {
                fprintf(stderr, "mimamori watch: %s given twice\n", d);
                rc = 2;
                goto out;
            }
    }
    if (!sensor) {
        if (gethostname(host, sizeof host - 1) != 0 || !host[0])
            snprintf(host, sizeof host, "watch");
        sensor = host;
    }
    if (outdir) {
        mm_seg_config sc = {.dir = outdir, .site = site, .sensor = sensor,
                            .max_bytes = 64ULL << 20, .max_age_ns = 300ULL * 1000000000ULL,
                            .sync_bytes = 1 << 20};
        w = mm_segw_open(&sc, err, sizeof err);
        if (!w) {
            fprintf(stderr, "mimamori watch: %s\n", err);
            goto out;
        }
        if (!state) {
            if (snprintf(statebuf, sizeof statebuf, "%s/.watch-state", outdir) >=
                (int)sizeof statebuf) {
                fprintf(stderr, "mimamori watch: -o: name too long\n");
                goto out;
            }
            state = statebuf;
        }
        cfg.sink = (mm_sink){mm_segw_write, w};
        cfg.sync = segw_sync;
        cfg.sync_ctx = w;
    } else {
        if (strcmp(eve, "-") == 0) {
            st.fd = STDOUT_FILENO;
        } else {
            st.fd = open(eve, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
            st.is_file = true;
            if (st.fd < 0) {
                fprintf(stderr, "mimamori watch: %s: %s\n", eve, strerror(errno));
                goto out;
            }
        }
        cfg.sink = (mm_sink){stream_write, &st};
        cfg.sync = stream_sync;
        cfg.sync_ctx = &st;
    }
    cfg.roots = (const char *const *)roots;
    cfg.nroots = nroots;
    cfg.sensor = sensor;
    cfg.exclude = excl;
    cfg.nexclude = nexcl;
    cfg.state = state;
    cfg.outdir = outdir;
    cfg.max_file = maxfile;
    cfg.rescan_s = rescan;
    cfg.once = once;
    cfg.quiet = quiet;
    cli_on_stop();
    signal(SIGPIPE, SIG_IGN);
    mw_stats ms;
    if (mw_run(&cfg, &cli_stop, &ms, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori watch: %s\n", err);
        goto out;
    }
    rc = ms.write_errors ? 1 : 0;
    if (!quiet)
        fprintf(stderr,
                "mimamori watch: %llu files; %llu added, %llu changed, %llu removed, "
                "%llu unreadable, %llu alerts; %llu rescans, %llu overflows; "
                "record %llu bytes\n",
                (unsigned long long)ms.files, (unsigned long long)ms.added,
                (unsigned long long)ms.changed, (unsigned long long)ms.removed,
                (unsigned long long)ms.unreadable, (unsigned long long)ms.alerts,
                (unsigned long long)ms.rescans, (unsigned long long)ms.overflows,
                (unsigned long long)ms.set_bytes);
out:
    if (w && mm_segw_close(w, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori watch: %s\n", err);
        rc = 1;
    }
    if (st.fd > STDOUT_FILENO)
        close(st.fd);
    if (roots)
        for (size_t i = 0; i < nroots; i++)
            free(roots[i]);
    free(roots);
    free(excl);
    return rc;
}
