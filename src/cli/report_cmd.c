/*
 * report_cmd.c - `mimamori report`: a company's report or the survey
 * across companies, as HTML, PDF or JSON, in Japanese or English.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/catalog.h"
#include "cli/cli.h"
#include "report/render.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: mimamori report [--db PATH|URL] [--site NAME | --all] [options]\n"
"\n"
"Writes a report from the store: for one company (--site), or the survey\n"
"across all companies (--all, the default).\n"
"\n"
"  --db PATH|URL     SQLite file (default mimamori.db) or postgresql://...\n"
"  --site NAME       the company's report: how serious, what to do first,\n"
"                    each finding with evidence, countries, alerts over time\n"
"  --all             the survey: families per company, addresses seen at\n"
"                    several companies (companies anonymised), countries\n"
"  --from DATE       start (2026-11-01 or 2026-11-01T09:00:00+09:00;\n"
"                    a bare date is midnight in --tz); default: all data\n"
"  --to DATE         end, inclusive for a bare date; default: all data\n"
"  --lang ja|en      language (default ja)\n"
"  --tz ZONE         time zone of the times shown (default Asia/Tokyo)\n"
"  --format FMT      html (default), pdf or json\n"
"  -o FILE           output file (default stdout; pdf needs a file)\n"
"  --out-dir DIR     every report at once: the survey and each company's, in\n"
"                    each language of --lang and format of --format (lists:\n"
"                    --lang ja,en --format html,pdf; the default), named\n"
"                    survey-ja.html, COMPANY-en.pdf ...; prints the paths\n"
"  --geoip PATH      country data for names (default: default)\n"
"  -h, --help        this help\n");
}

/* Each word of the comma list is one of a, b, c. */
static bool valid_list(const char *list, const char *a, const char *b, const char *c)
{
    char w[16];
    for (const char *p = list;;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == 0 || l >= sizeof w)
            return false;
        memcpy(w, p, l);
        w[l] = 0;
        if (strcmp(w, a) && strcmp(w, b) && (!c || strcmp(w, c)))
            return false;
        if (!e)
            return true;
        p = e + 1;
    }
}

static bool in_list(const char *list, const char *w)
{
    size_t l = strlen(w);
    for (const char *p = list; (p = strstr(p, w)); p += l)
        if ((p == list || p[-1] == ',') && (p[l] == 0 || p[l] == ','))
            return true;
    return false;
}

/* One report to a file (or stdout). */
static int write_one(const char *out, const rp_model *m, const rp_opts *ro, const char *fmt)
{
    char err[512];
    if (!strcmp(fmt, "pdf")) {
        if (rp_pdf(out, m, ro, err, sizeof err) != 0) {
            fprintf(stderr, "mimamori report: %s\n", err);
            return 1;
        }
        return 0;
    }
    FILE *fp = out && strcmp(out, "-") ? fopen(out, "w") : stdout;
    if (!fp) {
        fprintf(stderr, "mimamori report: %s: %s\n", out, strerror(errno));
        return 1;
    }
    int r = !strcmp(fmt, "json") ? rp_json(fp, m, ro) : rp_html(fp, m, ro);
    if (fp != stdout ? fclose(fp) != 0 : fflush(fp) != 0)
        r = -1;
    if (r != 0) {
        fprintf(stderr, "mimamori report: cannot write %s\n", out ? out : "stdout");
        return 1;
    }
    return 0;
}

/* A company name made safe for a file name: letters, digits, '.', '-',
 * '_' and non-ASCII (UTF-8) bytes kept, anything else '_'. */
static void file_name(const char *in, char *out, size_t n)
{
    size_t k = 0;
    for (; *in && k + 1 < n; in++) {
        unsigned char c = (unsigned char)*in;
        out[k++] = (c >= 0x80 || isalnum(c) || c == '-' || c == '_' || c == '.') ? (char)c : '_';
    }
    out[k] = 0;
    if (k == 0 || out[0] == '.')
        out[0] = '_', out[k ? k : 1] = 0;
}

/* The path of report number k of the --out-dir set (site -1: survey). */
static void report_path(const char *dir, const rp_model *m, long s, const char *lang,
                        const char *fmt, char *path, size_t n)
{
    char name[300];
    if (s < 0)
        snprintf(name, sizeof name, "survey");
    else
        file_name(m->site[s].name, name, sizeof name);
    snprintf(path, n, "%s/%s-%s.%s", dir, name, lang, fmt);
    /* two names that clash after cleaning get the company's number */
    for (long t = 0; s >= 0 && t < s; t++) {
        char other[300];
        file_name(m->site[t].name, other, sizeof other);
        if (!strcmp(other, name)) {
            snprintf(path, n, "%s/%s-%ld-%s.%s", dir, name, s + 1, lang, fmt);
            break;
        }
    }
}

/* The survey and every company's report, each language and format, from
 * one model; prints each path. The model is read once; the reports are
 * written by one process per processor (at most 4), each taking every
 * N-th report: PDFs are the slow part (fonts shaped and embedded). */
static int write_all(const char *dir, const rp_model *m, mm_geo *g, const char *langs,
                     const char *fmts)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "mimamori report: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    static const char *const L[] = {"ja", "en"}, *const F[] = {"html", "pdf", "json"};
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    int workers = nproc < 1 ? 1 : nproc > 4 ? 4 : (int)nproc;
    fflush(stdout);
    pid_t pids[4];
    int started = 0;
    for (int w = 0; w < workers; w++) {
        pid_t pid = workers > 1 ? fork() : 0;
        if (pid < 0)
            break;   /* fewer workers; the parent does the rest below */
        if (pid > 0) {
            pids[started++] = pid;
            continue;
        }
        int rc = 0;
        long k = 0;
        for (int li = 0; li < 2; li++)
            for (int fi = 0; fi < 3; fi++)
                for (long s = -1; s < (long)m->nsite; s++) {
                    if (!in_list(langs, L[li]) || !in_list(fmts, F[fi]))
                        continue;
                    if (k++ % workers != w)
                        continue;
                    char path[4600];
                    report_path(dir, m, s, L[li], F[fi], path, sizeof path);
                    rp_opts ro = {(int)s, li, g};
                    if (rc == 0 && write_one(path, m, &ro, F[fi]) != 0)
                        rc = 1;
                }
        if (workers > 1)
            _exit(rc);
        return rc;
    }
    int rc = started == workers ? 0 : 1;
    for (int i = 0; i < started; i++) {
        int st;
        if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            rc = 1;
    }
    if (started < workers)
        fprintf(stderr, "mimamori report: could not start the report writers\n");
    if (rc != 0)
        return rc;
    for (int li = 0; li < 2; li++)
        for (int fi = 0; fi < 3; fi++)
            for (long s = -1; s < (long)m->nsite; s++) {
                if (!in_list(langs, L[li]) || !in_list(fmts, F[fi]))
                    continue;
                char path[4600];
                report_path(dir, m, s, L[li], F[fi], path, sizeof path);
                printf("%s\n", path);
            }
    return 0;
}

int cmd_report(int argc, char **argv)
{
    enum { O_DB = 256, O_SITE, O_ALL, O_FROM, O_TO, O_LANG, O_TZ, O_FMT, O_GEO, O_OUTDIR };
    static const struct option opts[] = {
        {"db", required_argument, 0, O_DB},     {"site", required_argument, 0, O_SITE},
        {"all", no_argument, 0, O_ALL},         {"from", required_argument, 0, O_FROM},
        {"to", required_argument, 0, O_TO},     {"lang", required_argument, 0, O_LANG},
        {"tz", required_argument, 0, O_TZ},     {"format", required_argument, 0, O_FMT},
        {"geoip", required_argument, 0, O_GEO}, {"output", required_argument, 0, 'o'},
        {"out-dir", required_argument, 0, O_OUTDIR},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    const char *dbpath = "mimamori.db", *site = NULL, *from = NULL, *to = NULL, *lang = NULL,
               *tz = "Asia/Tokyo", *fmt = NULL, *out = NULL, *geo = "default", *outdir = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (o) {
        case O_DB: dbpath = optarg; break;
        case O_SITE: site = optarg; break;
        case O_ALL: site = NULL; break;
        case O_FROM: from = optarg; break;
        case O_TO: to = optarg; break;
        case O_LANG: lang = optarg; break;
        case O_TZ: tz = optarg; break;
        case O_FMT: fmt = optarg; break;
        case O_GEO: geo = optarg; break;
        case 'o': out = optarg; break;
        case O_OUTDIR: outdir = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    if (outdir) {
        if (out || site) {
            fprintf(stderr, "mimamori report: --out-dir writes every report: no -o or --site\n");
            return 2;
        }
        if (!lang)
            lang = "ja,en";
        if (!fmt)
            fmt = "html,pdf";
    }
    if (!lang)
        lang = "ja";
    if (!fmt)
        fmt = "html";
    if (!valid_list(lang, "ja", "en", NULL) || (!outdir && strchr(lang, ','))) {
        fprintf(stderr, "mimamori report: --lang: ja or en%s\n", outdir ? " (or ja,en)" : "");
        return 2;
    }
    if (!valid_list(fmt, "html", "pdf", "json") || (!outdir && strchr(fmt, ','))) {
        fprintf(stderr, "mimamori report: --format: html, pdf or json%s\n",
                outdir ? " (or a list: html,pdf)" : "");
        return 2;
    }
    if (!outdir && !strcmp(fmt, "pdf") && (!out || !strcmp(out, "-"))) {
        fprintf(stderr, "mimamori report: a PDF needs -o FILE\n");
        return 2;
    }
    setenv("TZ", tz, 1);
    tzset();
    int64_t f = 0, t = 0;
    if ((from && !mm_parse_local_when(from, false, &f)) ||
        (to && !mm_parse_local_when(to, true, &t))) {
        fprintf(stderr, "mimamori report: --from/--to: a date (2026-11-01) or an ISO time\n");
        return 2;
    }
    if ((from || to) && (!from || !to)) {
        /* one end given: the other is the data's */
        if (!from)
            f = 1;
        if (!to)
            t = INT64_MAX / 2;
    }
    if ((from || to) && t <= f) {
        fprintf(stderr, "mimamori report: --to is before --from\n");
        return 2;
    }
    char err[512];
    mm_db *db = mm_db_open(dbpath, err, sizeof err);
    if (!db) {
        fprintf(stderr, "mimamori report: %s\n", err);
        return 1;
    }
    mm_geo *g = strcmp(geo, "none") ? mm_geo_open(strcmp(geo, "default") ? geo : NULL, err,
                                                  sizeof err)
                                    : NULL;
    rp_model m;
    int rc = 0;
    if (rp_model_build(&m, db, f, t, tz, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori report: %s\n", err);
        rp_model_free(&m);
        mm_db_close(db);
        mm_geo_close(g);
        return 1;
    }
    mm_catalog *cat = mm_catalog_open(NULL, err, sizeof err);
    rp_logs_categories(&m, cat);      /* without the catalogue: "other" */
    mm_catalog_free(cat);
    rp_opts ro = {-1, strcmp(lang, "en") == 0, g};
    if (outdir) {
        rc = write_all(outdir, &m, g, lang, fmt);
    } else if (site && (ro.site = rp_model_site(&m, site)) < 0) {
        fprintf(stderr, "mimamori report: no company named '%s' in the store\n", site);
        rc = 1;
    } else {
        rc = write_one(out, &m, &ro, fmt);
    }
    rp_model_free(&m);
    mm_db_close(db);
    mm_geo_close(g);
    if (strstr(fmt, "pdf"))
        rp_pdf_cleanup();
    return rc;
}
