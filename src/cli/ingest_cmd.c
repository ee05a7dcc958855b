/*
 * ingest_cmd.c - `mimamori ingest`: sensor output into the analysis store.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/ingest.h"
#include "ioc/archive.h"
#include "ioc/hunt.h"
#include "cli/cli.h"
#include "logs/logs.h"
#include "output/output.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: mimamori ingest [--db PATH|URL] [--site NAME] [options] INPUT...\n"
"\n"
"Imports sensor output and gateway logs into the analysis store. INPUT is a\n"
"segment directory (as the sensor writes it, or copied from a removable disk),\n"
"a segment file, an EVE JSON file (ours or Suricata's eve.json), or a log\n"
"file or directory of them (firewall, proxy, web, DNS, DHCP, mail, logins:\n"
"see mimamori logs formats; plain or gzip, found by content), or mail: .eml\n"
"files, mbox files and Maildir folders (one mail event per message, as\n"
"mimamori logs parse prints it; --site needed). Importing the\n"
"same data twice adds nothing; an EVE or log file that has grown is imported\n"
"from where the last import stopped, and a rotated copy of what was imported\n"
"(syslog.1, syslog.2.gz) is known by its content; a damaged or half-written\n"
"segment is reported and skipped, the rest imported.\n"
"The segments of mimamori watch bring file events (which files appeared,\n"
"changed or went, and the WebShell alerts): the company report shows them,\n"
"beside what the web server's access logs say of the same paths.\n"
"\n"
"  --db PATH|URL        SQLite file (default mimamori.db) or postgresql://...\n"
"  --site NAME          the company the input belongs to (default: the site the\n"
"                       sensor wrote into its segments or events)\n"
"  --home-net LIST      the company's networks, CIDRs separated by commas, for\n"
"                       inbound/outbound (default: what the sensor recorded,\n"
"                       else the private ranges)\n"
"  --geoip PATH         country data: 'default' (tor-geoipdb), a directory with\n"
"                       geoip/geoip6, or an .mmdb file (default: default)\n"
"  --key FILE.key       secret key for sealed segments (mimamori keygen)\n"
"  --retain TABLE=DAYS  keep TABLE (alerts, flows) DAYS days back from its newest\n"
"                       row; kept in the store, applied at every ingest; 0 keeps all\n"
"                       (alerts: also a web root's file events; flows: also the\n"
"                       web servers' answered paths and administration requests)\n"
"  --format NAME        the format of every log file (default: found per file)\n"
"  --year YYYY          year of log lines without one (default: the file's)\n"
"  --tz ZONE            zone of log lines without one (default Asia/Tokyo)\n"
"  --inventory FILE     the company's inventory for the log findings (needs\n"
"                       --site): 'resolver ADDR', 'server ADDR', 'sanctioned\n"
"                       SERVICE', 'country CC' lines; kept in the store\n"
"  --list KIND=FILE     more names for the findings (mining, ddns, sinkhole)\n"
"  --archive DIR        also keep every imported event, compressed per company\n"
"                       and month, in DIR (kept in the store: later imports use\n"
"                       it too), for mimamori hunt --detail\n"
"  --strict             exit 1 when an input was damaged\n"
"  -q, --quiet          no line per input, only the summary\n"
"  -h, --help           this help\n");
}

static int set_retention(mm_db *db, const char *spec)
{
    char tbl[16];
    const char *eq = strchr(spec, '=');
    char *end;
    long days = eq ? strtol(eq + 1, &end, 10) : -1;
    if (!eq || (size_t)(eq - spec) >= sizeof tbl || days < 0 || days > 100000 || *end) {
        fprintf(stderr, "mimamori ingest: --retain: TABLE=DAYS (alerts=400, flows=120)\n");
        return 2;
    }
    memcpy(tbl, spec, (size_t)(eq - spec));
    tbl[eq - spec] = 0;
    if (strcmp(tbl, "alerts") != 0 && strcmp(tbl, "flows") != 0) {
        fprintf(stderr, "mimamori ingest: --retain: tables are alerts and flows\n");
        return 2;
    }
    mm_stmt *st = mm_db_prepare(db, days ? "INSERT INTO retention (tbl, days) VALUES ($1, $2)"
                                           " ON CONFLICT (tbl) DO UPDATE SET days = excluded.days"
                                         : "DELETE FROM retention WHERE tbl = $1");
    if (!st)
        return 1;
    mm_stmt_text(st, 1, tbl);
    if (days)
        mm_stmt_i64(st, 2, days);
    int rc = mm_stmt_run(st);
    mm_stmt_free(st);
    return rc ? 1 : 0;
}

int cmd_ingest(int argc, char **argv)
{
    enum { O_DB = 256, O_SITE, O_HOME, O_GEO, O_KEY, O_RETAIN, O_STRICT, O_FORMAT, O_YEAR, O_TZ,
           O_INV, O_LIST, O_ARCHIVE };
    static const struct option opts[] = {
        {"db", required_argument, 0, O_DB},         {"site", required_argument, 0, O_SITE},
        {"home-net", required_argument, 0, O_HOME}, {"geoip", required_argument, 0, O_GEO},
        {"key", required_argument, 0, O_KEY},       {"retain", required_argument, 0, O_RETAIN},
        {"strict", no_argument, 0, O_STRICT},       {"quiet", no_argument, 0, 'q'},
        {"format", required_argument, 0, O_FORMAT}, {"year", required_argument, 0, O_YEAR},
        {"tz", required_argument, 0, O_TZ},         {"inventory", required_argument, 0, O_INV},
        {"list", required_argument, 0, O_LIST},     {"archive", required_argument, 0, O_ARCHIVE},
        {"help", no_argument, 0, 'h'},              {0, 0, 0, 0},
    };
    const char *dbpath = "mimamori.db", *home = NULL, *geo = "default", *key = NULL;
    const char *retain[8], *inventory = NULL, *archive = NULL;
    char archive_dir[4096];
    int nretain = 0;
    mm_detect_config dc;
    memset(&dc, 0, sizeof dc);
    bool strict = false;
    mm_ingest_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (o) {
        case O_DB: dbpath = optarg; break;
        case O_SITE: cfg.site = optarg; break;
        case O_ARCHIVE: archive = optarg; break;
        case O_HOME: home = optarg; break;
        case O_GEO: geo = optarg; break;
        case O_KEY: key = optarg; break;
        case O_RETAIN:
            if (nretain == 8) {
                fprintf(stderr, "mimamori ingest: too many --retain\n");
                return 2;
            }
            retain[nretain++] = optarg;
            break;
        case O_STRICT: strict = true; break;
        case O_FORMAT:
            if (!mm_log_format(optarg)) {
                fprintf(stderr, "mimamori ingest: --format: unknown log format '%s' (see "
                                "mimamori logs formats)\n", optarg);
                return 2;
            }
            cfg.log_format = optarg;
            break;
        case O_YEAR: {
            uint64_t y;
            if (!mm_parse_uint(optarg, 9999, &y) || y < 1970) {
                fprintf(stderr, "mimamori ingest: --year: a year from 1970 to 9999\n");
                return 2;
            }
            cfg.log_year = (int)y;
            break;
        }
        case O_TZ:
            if (!lr_tz_known(optarg)) {
                fprintf(stderr, "mimamori ingest: --tz: unknown time zone '%s'\n", optarg);
                return 2;
            }
            cfg.log_tz = optarg;
            break;
        case O_INV: inventory = optarg; break;
        case O_LIST: {
            const char *eq = strchr(optarg, '=');
            static char kinds[MM_DETECT_MAX_LISTS][16];
            char *kind = kinds[dc.nlists < MM_DETECT_MAX_LISTS ? dc.nlists : 0];
            if (!eq || (size_t)(eq - optarg) >= sizeof kinds[0] ||
                dc.nlists == MM_DETECT_MAX_LISTS) {
                fprintf(stderr, "mimamori ingest: --list: KIND=FILE (mining, ddns, sinkhole)\n");
                return 2;
            }
            memcpy(kind, optarg, (size_t)(eq - optarg));
            kind[eq - optarg] = 0;
            if (mm_detect_list_kind(kind) < 0) {
                fprintf(stderr, "mimamori ingest: --list: unknown kind '%s'\n", kind);
                return 2;
            }
            dc.list_kind[dc.nlists] = kind;
            dc.list_file[dc.nlists++] = eq + 1;
            break;
        }
        case 'q': cfg.quiet = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (inventory && !cfg.site) {
        fprintf(stderr, "mimamori ingest: --inventory needs --site\n");
        return 2;
    }
    if (optind >= argc && nretain == 0 && !inventory) {
        usage(stderr);
        return 2;
    }
    if (cfg.site && (!cfg.site[0] || strlen(cfg.site) > 120)) {
        fprintf(stderr, "mimamori ingest: --site: a name of 1 to 120 bytes\n");
        return 2;
    }
    char err[512];
    mm_netlist hn = {0};
    if (home) {
        if (!mm_netlist_parse(&hn, home, err, sizeof err)) {
            fprintf(stderr, "mimamori ingest: --home-net: %s\n", err);
            return 2;
        }
        cfg.home = &hn;
    }
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    if (key) {
        if (mm_read_key_hex(key, sk, sizeof sk, err, sizeof err) != 0) {
            fprintf(stderr, "mimamori ingest: --key: %s\n", err);
            mm_netlist_free(&hn);
            return 2;
        }
        crypto_scalarmult_base(pk, sk);
        cfg.pk = pk;
        cfg.sk = sk;
    }
    mm_geo *g = NULL;
    if (strcmp(geo, "none") != 0) {
        g = mm_geo_open(strcmp(geo, "default") == 0 ? NULL : geo, err, sizeof err);
        if (!g)
            fprintf(stderr, "mimamori ingest: --geoip: %s (countries will be XX)\n", err);
    }
    cfg.geo = g;
    int rc = 0;
    mm_catalog *cat = mm_catalog_open(NULL, err, sizeof err);
    if (!cat)
        fprintf(stderr, "mimamori ingest: cloud service catalogue: %s (no shadow IT)\n", err);
    cfg.cat = cat;
    mm_detect *lists = mm_detect_new(&dc, NULL, cfg.home, err, sizeof err);
    if (!lists) {
        fprintf(stderr, "mimamori ingest: --list: %s\n", err);
        mm_catalog_free(cat);
        mm_geo_close(g);
        mm_netlist_free(&hn);
        return 2;
    }
    cfg.lists = lists;
    mm_db *db = mm_db_open(dbpath, err, sizeof err);
    if (!db) {
        fprintf(stderr, "mimamori ingest: %s\n", err);
        rc = 1;
        goto out;
    }
    if (mm_archive_dir(db, archive, archive_dir, sizeof archive_dir, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori ingest: %s\n", err);
        rc = 1;
        goto out;
    }
    cfg.archive = archive_dir[0] ? archive_dir : NULL;
    mm_ingest *in = mm_ingest_new(db, &cfg, err, sizeof err);
    if (!in) {
        fprintf(stderr, "mimamori ingest: %s\n", err);
        rc = 1;
        goto out;
    }
    if (inventory && mm_ingest_inventory(in, cfg.site, inventory, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori ingest: --inventory: %s\n", err);
        rc = 1;
    }
    for (int i = 0; i < nretain && rc == 0; i++)
        if ((rc = set_retention(db, retain[i])) == 1)
            fprintf(stderr, "mimamori ingest: store: %s\n", mm_db_error(db));
    bool damaged = false;
    for (int i = optind; i < argc && rc == 0; i++) {
        int r = mm_ingest_path(in, argv[i], err, sizeof err);
        if (r < 0) {
            fprintf(stderr, "mimamori ingest: %s\n", err);
            rc = 1;
        } else if (r > 0) {
            damaged = true;
        }
    }
    if (mm_ingest_compact(in, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori ingest: %s\n", err);
        rc = 1;
    }
    if (rc == 0 && mm_ingest_retention(in, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori ingest: %s\n", err);
        rc = 1;
    }
    mm_ingest_stats st;
    mm_ingest_stats_get(in, &st);
    uint64_t hits = 0;
    if (rc == 0 && st.imported && mm_hunt_watched(db, &hits, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori ingest: hunting the watched indicator sets: %s\n", err);
        rc = 1;
    } else if (hits)
        fprintf(stderr, "ingest: watched indicator sets: %llu hits (mimamori hunt shows them)\n",
                (unsigned long long)hits);
    fprintf(stderr,
            "ingest: %llu inputs: %llu imported, %llu already imported, %llu damaged; "
            "%llu events: %llu alerts, %llu flows, %llu file events, %llu other, %llu bad lines\n",
            (unsigned long long)st.inputs, (unsigned long long)st.imported,
            (unsigned long long)st.already, (unsigned long long)st.damaged,
            (unsigned long long)st.events, (unsigned long long)st.alerts,
            (unsigned long long)st.flows, (unsigned long long)st.file_events,
            (unsigned long long)st.other, (unsigned long long)st.bad_lines);
    if (st.log_files || st.unknown)
        fprintf(stderr,
                "ingest: %llu log files, %llu log records, %llu log lines not records or "
                "malformed, %llu files of no known format\n",
                (unsigned long long)st.log_files, (unsigned long long)st.log_records,
                (unsigned long long)st.log_skipped, (unsigned long long)st.unknown);
    if (rc == 0 && damaged && strict)
        rc = 1;
    mm_ingest_free(in);
out:
    mm_db_close(db);
    mm_detect_free(lists);
    mm_catalog_free(cat);
    mm_geo_close(g);
    mm_netlist_free(&hn);
    return rc;
}
