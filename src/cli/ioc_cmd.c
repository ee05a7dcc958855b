/*
 * ioc_cmd.c - `mimamori ioc`: indicator sets in the store (import, list,
 * show, remove, export).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/catalog.h"
#include "cli/cli.h"
#include "ioc/export.h"
#include "ioc/hunt.h"
#include "ioc/iocdb.h"
#include "ioc/match.h"
#include "ioc/native.h"
#include "ioc/sweep.h"
#include "util/json.h"
#include "store/store.h"
#include "util/util.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: mimamori ioc import [--db PATH|URL] [--name SET] [--format F] [--expires DAYS]\n"
"                           [--watch] [--columns MAP] [--type T] FILE...\n"
"       mimamori ioc list   [--db PATH|URL] [--json]\n"
"       mimamori ioc show   [--db PATH|URL] SET\n"
"       mimamori ioc remove [--db PATH|URL] SET\n"
"       mimamori ioc export [--db PATH|URL] [--format F] [--set SET] [--type T]\n"
"                           [--force] [--warninglist FILE] [--name NAME] [-o FILE|DIR]\n"
"       mimamori ioc sweep  [--db PATH|URL] [--set SET] [--ioc FILE|DIR]... [--format table|json]\n"
"                           [--max-file-size BYTES] [--exclude GLOB]... [--no-evidence]\n"
"                           [--site S [--host NAME]] DIR|FILE...\n"
"\n"
"Indicator sets (addresses, networks, domains, URLs, mail addresses, file\n"
"hashes and names, JA3/JA4, User-Agents, subjects, registry keys) kept in the\n"
"analysis store, for `mimamori hunt`, the sensor (`mimamori sensor --ioc`) and\n"
"`mimamori ioc sweep`.\n"
"\n"
"import reads each FILE into the set (default: the file's name). Formats are\n"
"recognised from the content: plain lists (one value a line, type recognised,\n"
"defanged values like hxxp://evil[.]example taken), CSV with a header (columns\n"
"by name; --columns value=COL,type=COL,desc=COL,domain=COL... to override),\n"
"STIX 2.1 bundles, MISP events, abuse.ch URLhaus CSV, ThreatFox JSON and Feodo\n"
"Tracker lists, Suricata datasets (--format dataset --type domain for string\n"
"sets) and IP reputation files, and mimamori's own export. A malformed or\n"
"refused entry (one that would match everything: 0.0.0.0/0, a bare top-level\n"
"domain, '*') is reported with its line or object id; the rest is imported.\n"
"\n"
"  --db PATH|URL     SQLite file (default mimamori.db) or postgresql://...\n"
"  --name SET        the set to import into (created when missing)\n"
"  --format F        auto (default), plain, csv, stix, misp, urlhaus, threatfox,\n"
"                    feodo, dataset, iprep, mimamori\n"
"  --type T          plain and dataset files: every line is of type T (ipv4,\n"
"                    ipv6, cidr, domain, url, email, md5, sha1, sha256, ja3,\n"
"                    ja4, filename, user-agent, subject, regkey)\n"
"  --expires DAYS    indicators leave the set DAYS after the last import that\n"
"                    had them (default: never)\n"
"  --watch           hunt the set again after every ingest (see mimamori hunt)\n"
"  --json            list: one JSON object per set\n"
"\n"
"export writes the current indicators (of --set, default every set; of --type,\n"
"also ip and hash for all addresses or all hashes) as a blocklist. Private,\n"
"reserved and loopback addresses, networks shorter than /16 (/32 for IPv6),\n"
"whole top-level and public-suffix domains, the big vendors' services and the\n"
"cloud services of the catalogue (and of --warninglist files, MISP warning\n"
"lists) are left out unless --force; the export says on stderr how many were\n"
"left out and why. Values a format cannot hold safely are never written.\n"
"Formats (default plain):\n"
"%s"
"  mimamori          mimamori's own file, for mimamori sensor --ioc\n"
"\n"
"  -o FILE|DIR       export: write to FILE (default stdout); formats of several\n"
"                    files (squid, suricata-dataset, suricata-rules) into DIR\n"
"  --force           export: keep what the leave-out rules would leave out\n"
"  --warninglist F   export: also leave out what this MISP warning list names\n"
"                    (repeatable)\n"
"  --name NAME       export: table, set, ACL and file name (default mimamori)\n"
"\n"
"sweep walks each DIR (no symbolic link followed, nothing outside it opened)\n"
"and matches every regular file's name (file-name indicators, without regard to\n"
"case) and SHA-256, SHA-1 and MD5 (only the kinds loaded are computed) against\n"
"the indicators: those of the store (--db, --set; read when one of them is\n"
"given or no --ioc is) and of --ioc files or directories (any format import\n"
"reads, as mimamori sensor --ioc). Windows evidence among the files, known by\n"
"its first bytes, is read too: Sysinternals Autoruns exports (autorunsc -c or\n"
"-ct, UTF-16 or UTF-8) and reg export files (.reg, UTF-16 LE or REGEDIT4):\n"
"keys, value names and entry locations against registry key indicators (a key,\n"
"a key and its value name, or a parent key), file names in image paths, launch\n"
"strings and value data against file-name indicators, an entry's hashes against\n"
"hash indicators. One line per hit (kind, indicator, set, where); counts on\n"
"stderr. Exit status 0 when something was found, 3 when nothing was, 1 on an\n"
"error.\n"
"\n"
"  --ioc FILE|DIR    sweep: indicators from files (repeatable)\n"
"  --format F        sweep: table (default) or json (one object per hit: kind,\n"
"                    value, indicator, set, evidence, where, field, path, line,\n"
"                    sha256 when known)\n"
"  --max-file-size N sweep: hash and read at most N bytes of a file (default\n"
"                    268435456; larger files are matched by name only, counted)\n"
"  --exclude GLOB    sweep: leave out paths or names matching GLOB (repeatable)\n"
"  --no-evidence     sweep: do not read Autoruns and .reg files\n"
"  --site S          sweep: keep the hits in the store (--db) as company S's, on\n"
"                    the machine --host; the company report shows them among\n"
"                    its indicator findings (a sweep run again moves their last\n"
"                    time and count)\n"
"  --host NAME       sweep: the machine swept (default: this machine's name)\n"
"  -h, --help        this help\n", mm_ioc_export_formats());
}

static int open_db(const char *target, mm_db **db)
{
    char err[512];
    *db = mm_db_open(target, err, sizeof err);
    if (!*db) {
        fprintf(stderr, "mimamori ioc: %s\n", err);
        return 1;
    }
    if (mm_store_init(*db) != 0) {
        fprintf(stderr, "mimamori ioc: store: %s\n", mm_db_error(*db));
        mm_db_close(*db);
        return 1;
    }
    return 0;
}

static int export_native(void *u, const mm_ioc *c)
{
    mm_ioc_native_write(u, c);
    return 0;
}

/* The indicators of the store, copied (the store's strings live only
 * during its callback). */
typedef struct iv {
    mm_ioc *v;
    size_t n, cap;
    int oom;
} iv;

static char *dup_opt(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

static int collect(void *u, const mm_ioc *c)
{
    iv *x = u;
    if (!mm_grow(&x->v, &x->cap, x->n, sizeof *x->v, 1024)) {
        x->oom = 1;
        return 1;
    }
    mm_ioc *d = &x->v[x->n++];
    *d = *c;
    d->value = dup_opt(c->value, &x->oom);
    d->set = dup_opt(c->set, &x->oom);
    d->source = dup_opt(c->source, &x->oom);
    d->desc = dup_opt(c->desc, &x->oom);
    d->tlp = dup_opt(c->tlp, &x->oom);
    d->ref = dup_opt(c->ref, &x->oom);
    return x->oom;
}

static void iv_free(iv *x)
{
    for (size_t i = 0; i < x->n; i++) {
        free((char *)x->v[i].value);
        free((char *)x->v[i].set);
        free((char *)x->v[i].source);
        free((char *)x->v[i].desc);
        free((char *)x->v[i].tlp);
        free((char *)x->v[i].ref);
    }
    free(x->v);
}

static int export(mm_db *db, const char *format, const char *set, unsigned types,
                  const char *name, bool force, const char *const *wl, int nwl,
                  const char *outpath, char *err, size_t errlen)
{
    if (strcmp(format, "mimamori") == 0) {
        FILE *out = outpath ? fopen(outpath, "w") : stdout;
        if (!out) {
            snprintf(err, errlen, "%s: %s", outpath, strerror(errno));
            return 1;
        }
        mm_ioc_native_header(out);
        int rc = mm_iocdb_each(db, set, types, 0, export_native, out, err, errlen) == 0 ? 0 : 1;
        if (outpath && fclose(out) != 0 && rc == 0) {
            snprintf(err, errlen, "%s: %s", outpath, strerror(errno));
            rc = 1;
        }
        return rc;
    }
    bool multi = mm_ioc_export_multi(format);
    if (multi && !outpath) {
        snprintf(err, errlen, "format %s writes several files: give -o DIR", format);
        return 2;
    }
    iv x = {0};
    mm_ioc_export_filter *f = mm_ioc_export_filter_new();
    mm_catalog *cat = mm_catalog_open(NULL, err, errlen);
    int rc = 0;
    if (!f) {
        snprintf(err, errlen, "out of memory");
        rc = 1;
    }
    if (!cat)
        fprintf(stderr, "mimamori ioc export: cloud service catalogue: %s (its services are "
                        "not left out)\n", err);
    else if (f)
        mm_ioc_export_filter_catalog(f, cat);
    err[0] = 0;
    for (int i = 0; i < nwl && rc == 0; i++)
        if (mm_ioc_export_filter_load_warninglist(f, wl[i], err, errlen) != 0)
            rc = 1;
    if (rc == 0 && (mm_iocdb_each(db, set, types, 0, collect, &x, err, errlen) != 0 || x.oom)) {
        if (x.oom)
            snprintf(err, errlen, "out of memory");
        rc = 1;
    }
    mm_ioc_export_opts o = {.format = format, .types = types, .force = force, .name = name};
    mm_ioc_export_stats st;
    if (rc == 0) {
        if (multi) {
            if (mkdir(outpath, 0755) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "%s: %s", outpath, strerror(errno));
                rc = 1;
            } else
                rc = mm_ioc_export_dir(outpath, x.v, x.n, &o, f, &st, err, errlen) ? 1 : 0;
        } else {
            FILE *out = outpath ? fopen(outpath, "w") : stdout;
            if (!out) {
                snprintf(err, errlen, "%s: %s", outpath, strerror(errno));
                rc = 1;
            } else {
                rc = mm_ioc_export(out, x.v, x.n, &o, f, &st, err, errlen) ? 1 : 0;
                if (outpath && fclose(out) != 0 && rc == 0) {
                    snprintf(err, errlen, "%s: %s", outpath, strerror(errno));
                    rc = 1;
                }
            }
        }
        if (rc == 0)
            mm_ioc_export_summary(stderr, &st);
    }
    iv_free(&x);
    mm_ioc_export_filter_free(f);
    mm_catalog_free(cat);
    return rc;
}

/* ---- sweep ---- */

typedef struct sweep_out {
    bool json;
    uint64_t n, errors;
    mm_sweepdb *keep;              /* --site: the store the hits go to */
} sweep_out;

/* Text for a terminal: control bytes as '?'. */
static void put_clean(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static void sweep_hit(void *u, const mm_sweep_hit *h)
{
    sweep_out *o = u;
    if (o->keep)
        mm_sweepdb_hit(o->keep, h);
    if (o->json) {
        mm_json j;
        mj_init(&j);
        mj_reset(&j);
        mj_obj_open(&j, NULL);
        mj_str(&j, "kind", h->kind);
        mj_str(&j, "value", h->value);
        mj_str(&j, "indicator", h->indicator);
        if (h->set[0])
            mj_str(&j, "set", h->set);
        if (h->source[0])
            mj_str(&j, "source", h->source);
        if (h->desc[0])
            mj_str(&j, "description", h->desc);
        mj_str(&j, "evidence", h->evidence);
        mj_str(&j, "where", h->where);
        mj_str(&j, "field", h->field);
        mj_str(&j, "path", h->path);
        if (h->line)
            mj_u64(&j, "line", h->line);
        if (h->sha256)
            mj_str(&j, "sha256", h->sha256);
        mj_obj_close(&j);
        if (!j.oom) {
            fwrite(j.s, 1, j.len, stdout);
            fputc('\n', stdout);
        }
        mj_free(&j);
    } else {
        if (o->n == 0)
            printf("%-8s %-40s %-16s %s\n", "kind", "indicator", "set", "where (field)");
        printf("%-8s ", h->kind);
        put_clean(stdout, h->indicator);
        printf("%*s ", (int)(strlen(h->indicator) < 40 ? 40 - strlen(h->indicator) : 0), "");
        put_clean(stdout, h->set[0] ? h->set : "-");
        printf("%*s ", (int)(strlen(h->set[0] ? h->set : "-") < 16
                             ? 16 - strlen(h->set[0] ? h->set : "-") : 0), "");
        put_clean(stdout, h->where);
        printf(" (%s)\n", h->field);
    }
    o->n++;
}

static void sweep_error(void *u, const char *path, int err)
{
    sweep_out *o = u;
    if (o->errors++ < 20) {
        fputs("mimamori ioc sweep: ", stderr);
        put_clean(stderr, path);
        fprintf(stderr, ": unreadable: %s\n", strerror(err));
    }
}

typedef struct load_ctx {
    mm_iocmatch *m;
    int64_t now;
    uint64_t n;
    int oom;
} load_ctx;

static int load_one(void *u, const mm_ioc *c)
{
    load_ctx *x = u;
    if (!c->to_ids || (c->valid_until && c->valid_until < x->now))
        return 0;
    if (mm_iocmatch_add(x->m, c) != 0) {
        x->oom = 1;
        return 1;
    }
    x->n++;
    return 0;
}

static int sweep(const char *dbpath, bool use_db, const char *set, const char *const *iocs,
                 int nioc, const char *format, uint64_t max_file, const char *const *exclude,
                 size_t nexclude, bool no_evidence, const char *site, const char *host,
                 char *const *dirs, int ndirs)
{
    bool json = false;
    if (format && strcmp(format, "json") == 0)
        json = true;
    else if (format && strcmp(format, "table") != 0) {
        fprintf(stderr, "mimamori ioc sweep: --format: table or json\n");
        return 2;
    }
    if (ndirs == 0) {
        fprintf(stderr, "mimamori ioc sweep: no DIR\n");
        return 2;
    }
    char err[512];
    mm_iocmatch *m = mm_iocmatch_new();
    if (!m) {
        fprintf(stderr, "mimamori ioc sweep: out of memory\n");
        return 1;
    }
    for (int i = 0; i < nioc; i++) {
        mm_ioc_read_stats rs = {0};
        if (mm_iocmatch_load(m, iocs[i], &rs, err, sizeof err) != 0) {
            fprintf(stderr, "mimamori ioc sweep: --ioc %s\n", err);
            mm_iocmatch_free(m);
            return 1;
        }
    }
    if (use_db) {
        mm_db *db;
        if (open_db(dbpath, &db) != 0) {
            mm_iocmatch_free(m);
            return 1;
        }
        load_ctx x = {.m = m, .now = (int64_t)(mm_wall_ns() / 1000)};
        unsigned types = 1u << IOC_FILENAME | 1u << IOC_MD5 | 1u << IOC_SHA1 |
                         1u << IOC_SHA256 | 1u << IOC_REGKEY;
        int r = mm_iocdb_each(db, set, types, x.now, load_one, &x, err, sizeof err);
        mm_db_close(db);
        if (r != 0 || x.oom) {
            fprintf(stderr, "mimamori ioc sweep: %s\n", x.oom ? "out of memory" : err);
            mm_iocmatch_free(m);
            return 1;
        }
    }
    unsigned kinds = mm_iocmatch_types(m) & (1u << IOC_FILENAME | 1u << IOC_MD5 |
                                             1u << IOC_SHA1 | 1u << IOC_SHA256 |
                                             1u << IOC_REGKEY);
    fprintf(stderr, "sweep: %zu indicators loaded%s\n", mm_iocmatch_count(m),
            kinds ? "" : " (none of a kind a sweep matches: file names, hashes, registry keys)");
    sweep_out out = {.json = json};
    mm_db *kdb = NULL;
    if (site) {
        char hn[256];
        if (!host) {
            if (gethostname(hn, sizeof hn) != 0)
                snprintf(hn, sizeof hn, "host");
            hn[sizeof hn - 1] = 0;
            host = hn;
        }
        if (open_db(dbpath, &kdb) != 0) {
            mm_iocmatch_free(m);
            return 1;
        }
        out.keep = mm_sweepdb_open(kdb, site, host, (int64_t)(mm_wall_ns() / 1000), err,
                                   sizeof err);
        if (!out.keep) {
            fprintf(stderr, "mimamori ioc sweep: %s\n", err);
            mm_db_close(kdb);
            mm_iocmatch_free(m);
            return 1;
        }
    }
    mm_sweep_opts o = {.max_file = max_file, .exclude = exclude, .nexclude = nexclude,
                       .no_evidence = no_evidence, .on_hit = sweep_hit,
                       .on_error = sweep_error, .user = &out};
    mm_sweep_stats st = {0};
    uint64_t t0 = mm_mono_ns();
    int rc = 0;
    for (int i = 0; i < ndirs; i++)
        if (mm_sweep(dirs[i], m, &o, &st, err, sizeof err) != 0) {
            fprintf(stderr, "mimamori ioc sweep: %s\n", err);
            rc = 1;
        }
    fflush(stdout);
    if (out.keep) {
        if (mm_sweepdb_close(out.keep, rc == 0, err, sizeof err) != 0) {
            fprintf(stderr, "mimamori ioc sweep: %s\n", err);
            rc = 1;
        } else if (rc == 0)
            fprintf(stderr, "sweep: %llu hits kept for %s\n", (unsigned long long)st.hits,
                    site);
        mm_db_close(kdb);
    }
    fprintf(stderr, "sweep: %llu files (%llu bytes) in %llu directories, %llu hashed, "
                    "%llu too large to hash, %llu unreadable, %llu skipped, %llu too deep; "
                    "%llu Autoruns files (%llu entries), %llu .reg files (%llu keys and values), "
                    "%llu malformed lines, %llu bad UTF-16, %llu cut; %llu hits in %.2f s\n",
            (unsigned long long)st.files, (unsigned long long)st.bytes,
            (unsigned long long)st.dirs, (unsigned long long)st.hashed,
            (unsigned long long)st.too_big, (unsigned long long)st.unreadable,
            (unsigned long long)st.skipped, (unsigned long long)st.too_deep,
            (unsigned long long)st.autoruns, (unsigned long long)st.rows,
            (unsigned long long)st.regfiles, (unsigned long long)st.values,
            (unsigned long long)st.malformed, (unsigned long long)st.bad_text,
            (unsigned long long)st.cut, (unsigned long long)st.hits,
            (double)(mm_mono_ns() - t0) / 1e9);
    mm_iocmatch_free(m);
    if (rc)
        return rc;
    return st.hits ? 0 : 3;
}

int cmd_ioc(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},     {"name", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'f'}, {"expires", required_argument, NULL, 'e'},
        {"watch", no_argument, NULL, 'w'},        {"columns", required_argument, NULL, 'c'},
        {"type", required_argument, NULL, 't'},   {"json", no_argument, NULL, 'j'},
        {"set", required_argument, NULL, 's'},    {"help", no_argument, NULL, 'h'},
        {"quiet", no_argument, NULL, 'q'},        {"force", no_argument, NULL, 'F'},
        {"warninglist", required_argument, NULL, 'W'},
        {"ioc", required_argument, NULL, 'I'},    {"exclude", required_argument, NULL, 'X'},
        {"max-file-size", required_argument, NULL, 'M'},
        {"no-evidence", no_argument, NULL, 'E'},
        {"site", required_argument, NULL, 'S'},   {"host", required_argument, NULL, 'H'},
        {NULL, 0, NULL, 0},
    };
    const char *dbpath = "mimamori.db", *name = NULL, *format = NULL, *columns = NULL,
               *type = NULL, *set = NULL, *outpath = NULL, *site = NULL, *host = NULL;
    long expires = 0;
    bool watch = false, json = false, quiet = false, force = false;
    const char *wl[16];
    int nwl = 0;
    const char *iocs[32], *exclude[64];
    int nioc = 0, nexclude = 0;
    bool db_given = false, no_evidence = false;
    uint64_t max_file = MM_SWEEP_MAX_FILE_DEFAULT;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "o:hq", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': dbpath = optarg; db_given = true; break;
        case 'E': no_evidence = true; break;
        case 'I':
            if (nioc == (int)(sizeof iocs / sizeof iocs[0])) {
                fprintf(stderr, "mimamori ioc: at most 32 --ioc\n");
                return 2;
            }
            iocs[nioc++] = optarg;
            break;
        case 'X':
            if (nexclude == (int)(sizeof exclude / sizeof exclude[0])) {
                fprintf(stderr, "mimamori ioc: at most 64 --exclude\n");
                return 2;
            }
            exclude[nexclude++] = optarg;
            break;
        case 'M': {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || *end || end == optarg || optarg[0] == '-' || v == 0) {
                fprintf(stderr, "mimamori ioc: --max-file-size: bytes, more than 0\n");
                return 2;
            }
            max_file = v;
            break;
        }
        case 'n': name = optarg; break;
        case 'f': format = optarg; break;
        case 'c': columns = optarg; break;
        case 't': type = optarg; break;
        case 's': set = optarg; break;
        case 'S': site = optarg; break;
        case 'H': host = optarg; break;
        case 'o': outpath = optarg; break;
        case 'w': watch = true; break;
        case 'j': json = true; break;
        case 'q': quiet = true; break;
        case 'F': force = true; break;
        case 'W':
            if (nwl == (int)(sizeof wl / sizeof wl[0])) {
                fprintf(stderr, "mimamori ioc: at most 16 --warninglist\n");
                return 2;
            }
            wl[nwl++] = optarg;
            break;
        case 'e': {
            char *end;
            expires = strtol(optarg, &end, 10);
            if (*end || expires < 0 || expires > 36500) {
                fprintf(stderr, "mimamori ioc: --expires: days, 0 to 36500\n");
                return 2;
            }
            break;
        }
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    char err[512];
    mm_db *db = NULL;
    int rc = 0;
    if (strcmp(sub, "import") == 0) {
        if (optind >= argc) {
            fprintf(stderr, "mimamori ioc import: no FILE\n");
            return 2;
        }
        mm_ioc_read_opts o = {0};
        if (format && (o.format = mm_ioc_format_parse(format)) == IOC_FMT__COUNT) {
            fprintf(stderr, "mimamori ioc import: unknown format \"%s\"\n", format);
            return 2;
        }
        if (type && (o.type = mm_ioc_type_parse(type)) == IOC_NONE) {
            fprintf(stderr, "mimamori ioc import: unknown type \"%s\"\n", type);
            return 2;
        }
        o.columns = columns;
        o.now_us = (int64_t)(mm_wall_ns() / 1000);
        if (open_db(dbpath, &db) != 0)
            return 1;
        for (int i = optind; i < argc; i++) {
            mm_ioc_read_stats st = {0};
            mm_iocdb_import_opts io = {.set = name, .watch = watch, .expires_days = (int)expires,
                                       .quiet = quiet};
            if (mm_iocdb_import(db, argv[i], &o, &io, &st, err, sizeof err) != 0) {
                fprintf(stderr, "mimamori ioc import: %s\n", err);
                rc = 1;
                continue;
            }
            fprintf(stderr, "%s: %llu indicators imported, %llu refused, %llu other entries, "
                            "%llu expired\n", argv[i], (unsigned long long)st.indicators,
                    (unsigned long long)st.bad, (unsigned long long)st.skipped,
                    (unsigned long long)st.expired);
        }
        uint64_t hits = 0;
        if (rc == 0 && watch) {
            if (mm_hunt_watched(db, &hits, err, sizeof err) != 0)
                rc = 1;
            else
                fprintf(stderr, "watched sets hunted: %llu hits (mimamori hunt --set shows them)\n",
                        (unsigned long long)hits);
        }
    } else if (strcmp(sub, "list") == 0) {
        if (open_db(dbpath, &db) != 0)
            return 1;
        rc = mm_iocdb_list(db, stdout, json, err, sizeof err) == 0 ? 0 : 1;
    } else if (strcmp(sub, "show") == 0 || strcmp(sub, "remove") == 0) {
        if (optind + 1 != argc) {
            fprintf(stderr, "mimamori ioc %s: one SET\n", sub);
            return 2;
        }
        if (open_db(dbpath, &db) != 0)
            return 1;
        rc = (sub[0] == 's' ? mm_iocdb_show(db, argv[optind], stdout, err, sizeof err)
                            : mm_iocdb_remove(db, argv[optind], err, sizeof err)) == 0 ? 0 : 1;
    } else if (strcmp(sub, "sweep") == 0) {
        return sweep(dbpath, db_given || set || nioc == 0, set, iocs, nioc, format, max_file, exclude,
                     (size_t)nexclude, no_evidence, site, host, argv + optind, argc - optind);
    } else if (strcmp(sub, "export") == 0) {
        unsigned types = 0;
        if (type) {
            mm_ioc_type t = mm_ioc_type_parse(type);
            if (strcmp(type, "ip") == 0)
                types = 1u << IOC_IPV4 | 1u << IOC_IPV6 | 1u << IOC_CIDR;
            else if (strcmp(type, "hash") == 0)
                types = 1u << IOC_MD5 | 1u << IOC_SHA1 | 1u << IOC_SHA256;
            else if (t != IOC_NONE)
                types = 1u << t;
            else {
                fprintf(stderr, "mimamori ioc export: unknown type \"%s\"\n", type);
                return 2;
            }
        }
        if (open_db(dbpath, &db) != 0)
            return 1;
        rc = export(db, format ? format : "plain", set, types, name, force, wl, nwl, outpath,
                    err, sizeof err);
    } else {
        fprintf(stderr, "mimamori ioc: unknown subcommand \"%s\"\n", sub);
        usage(stderr);
        return 2;
    }
    if (rc && err[0])
        fprintf(stderr, "mimamori ioc %s: %s\n", sub, err);
    mm_db_close(db);
    return rc;
}
