/*
 * report_cmd.c - `mimamori report`: a company's report or the survey
 * across companies, as HTML, PDF or JSON, in Japanese or English.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
"  --geoip PATH      country data for names (default: default)\n"
"  -h, --help        this help\n");
}

/* A bare date is local midnight in the zone (TZ set by the caller). */
static bool parse_when(const char *s, bool end, int64_t *us)
{
    if (!mm_parse_iso_ts(s, us))
        return false;
    if (strlen(s) == 10) {
        time_t t = (time_t)(*us / 1000000);
        struct tm tm;
        if (!localtime_r(&t, &tm))
            return false;
        *us -= (int64_t)tm.tm_gmtoff * 1000000;
        if (end)
            *us += 86400LL * 1000000;
    } else if (end) {
        *us += 1;
    }
    return true;
}

int cmd_report(int argc, char **argv)
{
    enum { O_DB = 256, O_SITE, O_ALL, O_FROM, O_TO, O_LANG, O_TZ, O_FMT, O_GEO };
    static const struct option opts[] = {
        {"db", required_argument, 0, O_DB},     {"site", required_argument, 0, O_SITE},
        {"all", no_argument, 0, O_ALL},         {"from", required_argument, 0, O_FROM},
        {"to", required_argument, 0, O_TO},     {"lang", required_argument, 0, O_LANG},
        {"tz", required_argument, 0, O_TZ},     {"format", required_argument, 0, O_FMT},
        {"geoip", required_argument, 0, O_GEO}, {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    const char *dbpath = "mimamori.db", *site = NULL, *from = NULL, *to = NULL, *lang = "ja",
               *tz = "Asia/Tokyo", *fmt = "html", *out = NULL, *geo = "default";
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
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    if (strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0) {
        fprintf(stderr, "mimamori report: --lang: ja or en\n");
        return 2;
    }
    if (strcmp(fmt, "html") != 0 && strcmp(fmt, "pdf") != 0 && strcmp(fmt, "json") != 0) {
        fprintf(stderr, "mimamori report: --format: html, pdf or json\n");
        return 2;
    }
    if (!strcmp(fmt, "pdf") && (!out || !strcmp(out, "-"))) {
        fprintf(stderr, "mimamori report: a PDF needs -o FILE\n");
        return 2;
    }
    setenv("TZ", tz, 1);
    tzset();
    int64_t f = 0, t = 0;
    if ((from && !parse_when(from, false, &f)) || (to && !parse_when(to, true, &t))) {
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
    rp_opts ro = {-1, strcmp(lang, "en") == 0, g};
    if (site && (ro.site = rp_model_site(&m, site)) < 0) {
        fprintf(stderr, "mimamori report: no company named '%s' in the store\n", site);
        rc = 1;
    } else if (!strcmp(fmt, "pdf")) {
        if (rp_pdf(out, &m, &ro, err, sizeof err) != 0) {
            fprintf(stderr, "mimamori report: %s\n", err);
            rc = 1;
        }
    } else {
        FILE *fp = out && strcmp(out, "-") ? fopen(out, "w") : stdout;
        if (!fp) {
            perror(out);
            rc = 1;
        } else {
            int r = !strcmp(fmt, "json") ? rp_json(fp, &m, &ro) : rp_html(fp, &m, &ro);
            if (fp != stdout ? fclose(fp) != 0 : fflush(fp) != 0)
                r = -1;
            if (r != 0) {
                fprintf(stderr, "mimamori report: cannot write %s\n", out ? out : "stdout");
                rc = 1;
            }
        }
    }
    rp_model_free(&m);
    mm_db_close(db);
    mm_geo_close(g);
    return rc;
}
