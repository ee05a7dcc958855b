/*
 * exposure_cmd.c - `mimamori exposure`: what of a company can be reached
 * from the Internet.
 *   scan   TCP connect probes of the company's own addresses
 *   serve  the self-check web service
 *   link   a company's link for its staff's self-checks
 *   web    a company's web sites: management names, ports, paths, certificates
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "exposure/expdb.h"
#include "exposure/ports.h"
#include "exposure/probe.h"
#include "exposure/service.h"
#include "exposure/webcheck.h"
#include "store/store.h"
#include "util/json.h"
#include "util/util.h"

#define MAX_PROBES (1u << 22)   /* ~70 minutes at the default rate */

static void usage(FILE *f)
{
    fprintf(f,
"usage: mimamori exposure scan TARGET... --i-own-these [options]\n"
"       mimamori exposure serve --listen ADDR:PORT [options]\n"
"       mimamori exposure link --site NAME [--db PATH|URL] [--url BASE]\n"
"       mimamori exposure web DOMAIN... --i-own-these [options]\n"
"\n"
"  scan      probe your own addresses with TCP connects (no raw packets, no\n"
"            root) and say which ports are open, closed or filtered, as nmap -sT\n"
"            names them; what answers on the open ones (its first line, an\n"
"            HTTP server's status, a TLS certificate's names and expiry); the\n"
"            maintenance ports that should not face the Internet, with what to do\n"
"\n"
"TARGET: an address, a block (192.0.2.0/24, 2001:db8::/120), a range\n"
"(192.0.2.10-20, 192.0.2.10-192.0.2.40) or @FILE (one per line, # comments).\n"
"\n"
"  --i-own-these     required: the addresses are yours, or you run them\n"
"  --large           allow more than 1024 addresses (a /22); one scan makes at\n"
"                    most 4,194,304 probes (addresses x ports)\n"
"  --ports LIST      22,80,8000-8100, top100 (nmap's 100 most common),\n"
"                    maintenance (the ports the report explains), all;\n"
"                    default top100,maintenance\n"
"  --rate N          new connections per second (default 1000)\n"
"  --parallel N      connections in progress at once (default 1024)\n"
"  --timeout MS      wait for each answer (default 2000)\n"
"  --no-banners      do not ask open ports who they are\n"
"  --all-hosts       probe every address (default: addresses that answer none\n"
"                    of ports 80, 443, 22, 445, 3389 are down, as nmap's\n"
"                    host discovery decides, and skipped)\n"
"  --site NAME       keep the results in the store for this company; its\n"
"                    report lists the maintenance ports found open\n"
"  --db PATH|URL     SQLite file (default mimamori.db) or postgresql://...\n"
"  --format F        table (default) or json (one object per address that is up)\n"
"  --lang ja|en      words of the advice (default en)\n"
"  -h, --help        this help\n"
"\n"
"Only probe what you own: mimamori refuses without --i-own-these.\n"
"\n"
"  serve     the self-check web service: a visitor agrees to the terms, picks\n"
"            ports, and the service connects back to the visitor's own address\n"
"            (never another: the TCP peer, or behind --trusted-proxy the first\n"
"            untrusted X-Forwarded-For address) and shows per port \"safe (no\n"
"            answer)\", \"closed\" or \"open: may allow intrusion\" with what to\n"
"            do, in Japanese or English; POST /api/check takes\n"
"            {\"consent\": true, \"ports\": [22, 445]} for scripts\n"
"  --listen ADDR:PORT     where to listen (\"[::]:8080\" for both families)\n"
"  --trusted-proxy CIDR   a reverse proxy whose X-Forwarded-For is believed\n"
"                         (repeatable)\n"
"  --ports LIST           the ports offered (default maintenance)\n"
"  --max-parallel N       checks at once (default 64); more wait up to 20 s for\n"
"                         a place, then get 503\n"
"  --checks-per-hour N    per requester address (default 360, bursts of 10)\n"
"  --timeout MS           per port (default 2000)\n"
"  --db PATH|URL          where checks are recorded (default mimamori.db)\n"
"  --client-timeout S     an idle or slow client is cut after S seconds (15)\n"
"  --dry-run              connect to nothing: every port answers \"safe\"\n"
"                         (to try the pages)\n"
"\n"
"  link      a link for a company's staff: checks made through it count for\n"
"            that company and appear in its report\n"
"  --site NAME            the company\n"
"  --url BASE             the service's address (https://check.example.jp)\n"
"\n"
"  web       a company's web sites from outside: management names of each\n"
"            DOMAIN that resolve (manage., admin., cpanel., webmail., dev.,\n"
"            staging. ...), management ports open on the addresses found (FTP,\n"
"            SSH, control panels, databases), administration paths reachable\n"
"            over HTTP and HTTPS (/admin/, /wp-login.php, /phpmyadmin/,\n"
"            /manager/html, /server-status ...: answered, a password prompt, or a\n"
"            redirect to a login page), each HTTPS name's certificate (names,\n"
"            expiry). The addresses the names resolve to are probed: on shared\n"
"            hosting they are the provider's\n"
"  --i-own-these          required: the domains are yours\n"
"  --names LIST           management name prefixes (comma-separated)\n"
"  --paths LIST           administration paths (comma-separated, from /)\n"
"  --timeout MS           each connection and request (default 3000)\n"
"  --site NAME, --db PATH|URL, --format table|json  as for scan\n");
}

/* A result kept until the end: open and closed ports (filtered ones are
 * the ports asked and not kept). */
typedef struct kept {
    mm_ip addr;
    uint16_t port;
    uint8_t state;
    char *service, *banner, *cert;   /* open ports only (cert: "names; until") */
} kept;

typedef struct scan_ctx {
    kept *v;
    size_t n, cap;
    mm_expdb *x;
    int failed;
} scan_ctx;

static char *dup_or_null(const char *s) { return s && s[0] ? strdup(s) : NULL; }

static int on_result(void *u, const mm_probe_result *r)
{
    scan_ctx *c = u;
    if (c->x && mm_expdb_port(c->x, r, false) != 0)
        c->failed = 1;
    if (r->state == MM_PS_FILTERED)
        return 0;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 256;
        kept *nv = realloc(c->v, nc * sizeof *nv);
        if (!nv)
            return 1;
        c->v = nv;
        c->cap = nc;
    }
    kept *k = &c->v[c->n++];
    memset(k, 0, sizeof *k);
    k->addr = r->addr;
    k->port = r->port;
    k->state = (uint8_t)r->state;
    if (r->state == MM_PS_OPEN) {
        k->service = dup_or_null(r->service);
        k->banner = dup_or_null(r->banner);
        if (r->cert_subject[0] || r->cert_names[0]) {
            char b[1024];
            snprintf(b, sizeof b, "%s%s%s", r->cert_names[0] ? r->cert_names : r->cert_subject,
                     r->cert_not_after[0] ? "; valid until " : "", r->cert_not_after);
            k->cert = strdup(b);
        }
    }
    return 0;
}

static int kept_cmp(const void *a, const void *b)
{
    const kept *x = a, *y = b;
    if (x->addr.v != y->addr.v)
        return x->addr.v < y->addr.v ? -1 : 1;
    int c = memcmp(x->addr.b, y->addr.b, 16);
    if (c)
        return c;
    return (x->port > y->port) - (x->port < y->port);
}

static const char *svc_name(const kept *k)
{
    if (k->service)
        return k->service;
    const mm_port_info *pi = mm_port_info_of(k->port);
    return pi ? pi->service : "";
}

static void print_table(const scan_ctx *c, const mm_probe_targets *t, const mm_portlist *pl,
                        const mm_probe_stats *st, bool ja)
{
    size_t i = 0;
    size_t nt = mm_probe_targets_count(t);
    for (size_t ti = 0; ti < nt; ti++) {
        mm_ip a;
        mm_probe_targets_get(t, ti, &a);
        size_t j = i;
        while (j < c->n && c->v[j].addr.v == a.v && memcmp(c->v[j].addr.b, a.b, 16) == 0)
            j++;
        if (j == i)
            continue;           /* nothing answered: down, or all filtered */
        char ip[MM_IPSTR_LEN];
        mm_ip_str(&a, ip);
        printf("%s\n  %-9s %-8s %-14s %s\n", ip, "PORT", "STATE", "SERVICE", "WHAT ANSWERS");
        size_t open = 0, closed = 0;
        for (size_t k = i; k < j; k++) {
            const kept *e = &c->v[k];
            char pn[16];
            snprintf(pn, sizeof pn, "%u/tcp", e->port);
            if (e->state == MM_PS_CLOSED) {
                closed++;
                if (j - i > 30)
                    continue;   /* many closed ports: counted below */
            } else
                open++;
            printf("  %-9s %-8s %-14s %s%s%s\n", pn, mm_port_state_name(e->state), svc_name(e),
                   e->banner ? e->banner : "", e->cert ? (e->banner ? "; " : "") : "",
                   e->cert ? e->cert : "");
        }
        size_t shown_closed = j - i > 30 ? 0 : closed;
        size_t filtered = pl->n - open - closed;
        if (closed > shown_closed)
            printf("  not shown: %zu closed ports\n", closed - shown_closed);
        if (filtered)
            printf("  not shown: %zu filtered ports\n", filtered);
        i = j;
    }
    printf("\n%llu addresses probed (%llu up, %llu down), %zu ports each: %llu open, %llu "
           "closed, %llu filtered\n",
           (unsigned long long)nt, (unsigned long long)st->hosts_up,
           (unsigned long long)st->hosts_down, pl->n, (unsigned long long)st->open,
           (unsigned long long)st->closed, (unsigned long long)st->filtered);
    /* what to do, once per maintenance port found open */
    bool head = false;
    for (size_t k = 0; k < c->n; k++) {
        const kept *e = &c->v[k];
        const mm_port_info *pi = mm_port_info_of(e->port);
        if (e->state != MM_PS_OPEN || !pi || !pi->maintenance)
            continue;
        bool seen = false;
        for (size_t q = 0; q < k && !seen; q++)
            seen = c->v[q].port == e->port && c->v[q].state == MM_PS_OPEN;
        if (seen)
            continue;
        if (!head) {
            printf("\n%s\n", ja ? "インターネットから届くべきでない保守用ポートが開いています:"
                                : "Maintenance ports open that should not face the Internet:");
            head = true;
        }
        printf("  %u/tcp (%s): %s\n    %s\n", e->port, pi->service, ja ? pi->why_ja : pi->why_en,
               ja ? pi->advice_ja : pi->advice_en);
    }
}

static void print_json(const scan_ctx *c, const mm_probe_targets *t, const mm_portlist *pl)
{
    mm_json j;
    mj_init(&j);
    size_t i = 0, nt = mm_probe_targets_count(t);
    for (size_t ti = 0; ti < nt; ti++) {
        mm_ip a;
        mm_probe_targets_get(t, ti, &a);
        size_t j0 = i;
        while (i < c->n && c->v[i].addr.v == a.v && memcmp(c->v[i].addr.b, a.b, 16) == 0)
            i++;
        if (i == j0)
            continue;
        char ip[MM_IPSTR_LEN];
        mm_ip_str(&a, ip);
        mj_reset(&j);
        mj_obj_open(&j, NULL);
        mj_str(&j, "target", ip);
        mj_arr_open(&j, "ports");
        size_t k = j0;
        for (size_t p = 0; p < pl->n; p++) {
            const kept *e = k < i && c->v[k].port == pl->v[p] ? &c->v[k++] : NULL;
            mj_obj_open(&j, NULL);
            mj_u64(&j, "port", pl->v[p]);
            mj_str(&j, "state", e ? mm_port_state_name(e->state) : "filtered");
            if (e && e->state == MM_PS_OPEN) {
                const char *s = svc_name(e);
                if (s[0])
                    mj_str(&j, "service", s);
                if (e->banner)
                    mj_str(&j, "banner", e->banner);
                if (e->cert)
                    mj_str(&j, "certificate", e->cert);
                const mm_port_info *pi = mm_port_info_of(e->port);
                if (pi && pi->maintenance)
                    mj_bool(&j, "maintenance", true);
            }
            mj_obj_close(&j);
        }
        mj_arr_close(&j);
        mj_obj_close(&j);
        fwrite(j.s, 1, j.len, stdout);
        putchar('\n');
    }
    mj_free(&j);
}

static int cmd_scan(int argc, char **argv)
{
    static const struct option lo[] = {
        {"i-own-these", no_argument, 0, 'O'}, {"large", no_argument, 0, 'L'},
        {"ports", required_argument, 0, 'p'}, {"rate", required_argument, 0, 'r'},
        {"parallel", required_argument, 0, 'P'}, {"timeout", required_argument, 0, 't'},
        {"no-banners", no_argument, 0, 'B'}, {"all-hosts", no_argument, 0, 'A'},
        {"site", required_argument, 0, 's'}, {"db", required_argument, 0, 'd'},
        {"format", required_argument, 0, 'f'}, {"lang", required_argument, 0, 'l'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    bool own = false, large = false, json = false, ja = false;
    const char *ports = "top100,maintenance", *site = NULL, *dbpath = "mimamori.db";
    mm_probe_opts o;
    mm_probe_opts_default(&o);
    o.banners = true;
    o.discovery = true;
    int c;
    uint64_t v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'O': own = true; break;
        case 'L': large = true; break;
        case 'p': ports = optarg; break;
        case 'r':
        case 'P':
        case 't':
            if (!mm_parse_uint(optarg, c == 't' ? 600000 : 1000000, &v) || (v == 0 && c != 'r')) {
                fprintf(stderr, "mimamori exposure scan: bad number '%s'\n", optarg);
                return 2;
            }
            if (c == 'r')
                o.rate = (uint32_t)v;
            else if (c == 'P')
                o.parallel = (uint32_t)v;
            else
                o.timeout_ms = (uint32_t)v;
            break;
        case 'B': o.banners = false; break;
        case 'A': o.discovery = false; break;
        case 's': site = optarg; break;
        case 'd': dbpath = optarg; break;
        case 'f':
            if (strcmp(optarg, "json") == 0)
                json = true;
            else if (strcmp(optarg, "table") != 0) {
                fprintf(stderr, "mimamori exposure scan: --format is table or json\n");
                return 2;
            }
            break;
        case 'l': ja = strcmp(optarg, "ja") == 0; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "mimamori exposure scan: no TARGET (see --help)\n");
        return 2;
    }
    char err[512];
    mm_probe_targets *t = mm_probe_targets_owned((const char *const *)argv + optind,
                                                 (size_t)(argc - optind), own, large, err,
                                                 sizeof err);
    if (!t) {
        fprintf(stderr, "mimamori exposure scan: %s\n", err);
        return own ? 1 : 2;
    }
    mm_portlist pl;
    if (!mm_portlist_parse(&pl, ports, err, sizeof err)) {
        fprintf(stderr, "mimamori exposure scan: %s\n", err);
        mm_probe_targets_free(t);
        return 2;
    }
    /* the answers are kept until the end (open and closed ports): one scan
     * is bounded, a larger audit is several */
    uint64_t probes = (uint64_t)mm_probe_targets_count(t) * pl.n;
    if (probes > MAX_PROBES) {
        fprintf(stderr, "mimamori exposure scan: %llu probes (addresses x ports): more than %u "
                        "in one scan; split the targets or the ports\n",
                (unsigned long long)probes, MAX_PROBES);
        mm_portlist_free(&pl);
        mm_probe_targets_free(t);
        return 2;
    }
    scan_ctx sc;
    memset(&sc, 0, sizeof sc);
    mm_db *db = NULL;
    int rc = 1;
    if (site) {
        if (!(db = mm_db_open(dbpath, err, sizeof err)) ||
            !(sc.x = mm_expdb_begin(db, site, "scan", (int64_t)(mm_now_ns() / 1000), NULL,
                                    NULL, err, sizeof err))) {
            fprintf(stderr, "mimamori exposure scan: %s\n", err);
            goto out;
        }
    }
    cli_on_stop();
    mm_probe_stats st;
    if (mm_probe_run(t, pl.v, pl.n, &o, on_result, &sc, &cli_stop, &st, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori exposure scan: %s\n", err);
        goto out;
    }
    if (sc.x) {
        int e = sc.failed ? -1 : mm_expdb_end(sc.x, mm_probe_targets_count(t), pl.n, &st);
        if (sc.failed)
            mm_expdb_abort(sc.x);
        sc.x = NULL;
        if (e != 0) {
            fprintf(stderr, "mimamori exposure scan: store: %s\n", mm_db_error(db));
            goto out;
        }
    }
    if (sc.n > 1)
        qsort(sc.v, sc.n, sizeof *sc.v, kept_cmp);
    if (json)
        print_json(&sc, t, &pl);
    else
        print_table(&sc, t, &pl, &st, ja);
    if (cli_stop)
        fprintf(stderr, "mimamori exposure scan: interrupted; the results so far\n");
    rc = 0;
out:
    mm_expdb_abort(sc.x);
    for (size_t i = 0; i < sc.n; i++) {
        free(sc.v[i].service);
        free(sc.v[i].banner);
        free(sc.v[i].cert);
    }
    free(sc.v);
    mm_db_close(db);
    mm_portlist_free(&pl);
    mm_probe_targets_free(t);
    return rc;
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option lo[] = {
        {"listen", required_argument, 0, 'l'}, {"trusted-proxy", required_argument, 0, 'T'},
        {"ports", required_argument, 0, 'p'}, {"max-parallel", required_argument, 0, 'P'},
        {"checks-per-hour", required_argument, 0, 'C'}, {"timeout", required_argument, 0, 't'},
        {"db", required_argument, 0, 'd'}, {"dry-run", no_argument, 0, 'D'},
        {"client-timeout", required_argument, 0, 'I'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    mm_selfcheck_config c;
    memset(&c, 0, sizeof c);
    mm_web_config_defaults(&c.web);
    c.db = "mimamori.db";
    c.timeout_ms = 2000;
    c.max_parallel = 64;
    c.check_rate = 360.0 / 3600;
    c.check_burst = 10;
    const char *ports = "maintenance";
    char proxies[1024] = "";
    int o;
    uint64_t v;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (o) {
        case 'l': c.web.listen = optarg; break;
        case 'T': {
            size_t l = strlen(proxies);
            if (l + strlen(optarg) + 2 > sizeof proxies) {
                fprintf(stderr, "mimamori exposure serve: too many --trusted-proxy\n");
                return 2;
            }
            snprintf(proxies + l, sizeof proxies - l, "%s%s", l ? "," : "", optarg);
            break;
        }
        case 'p': ports = optarg; break;
        case 'P':
        case 'C':
        case 't':
            if (!mm_parse_uint(optarg, o == 't' ? 60000 : 100000, &v) || v == 0) {
                fprintf(stderr, "mimamori exposure serve: bad number '%s'\n", optarg);
                return 2;
            }
            if (o == 'P')
                c.max_parallel = (unsigned)v;
            else if (o == 'C')
                c.check_rate = (double)v / 3600;
            else
                c.timeout_ms = (uint32_t)v;
            break;
        case 'd': c.db = optarg; break;
        case 'D': c.dry_run = true; break;
        case 'I':
            if (!mm_parse_uint(optarg, 3600, &v) || v == 0) {
                fprintf(stderr, "mimamori exposure serve: bad number '%s'\n", optarg);
                return 2;
            }
            c.web.timeout_s = (unsigned)v;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!c.web.listen || optind != argc) {
        fprintf(stderr, "mimamori exposure serve: --listen ADDR:PORT is needed (see --help)\n");
        return 2;
    }
    if (proxies[0])
        c.web.trusted_proxies = proxies;
    char err[512];
    if (!mm_portlist_parse(&c.ports, ports, err, sizeof err)) {
        fprintf(stderr, "mimamori exposure serve: %s\n", err);
        return 2;
    }
    if (c.ports.n > MM_SELF_MAX_PORTS) {
        fprintf(stderr, "mimamori exposure serve: at most %d ports can be offered\n",
                MM_SELF_MAX_PORTS);
        mm_portlist_free(&c.ports);
        return 2;
    }
    mm_selfcheck *s = mm_selfcheck_new(&c, err, sizeof err);
    int rc = 1;
    if (!s || !mm_selfcheck_start(s, err, sizeof err)) {
        fprintf(stderr, "mimamori exposure serve: %s\n", err);
        goto out;
    }
    cli_on_stop();
    fprintf(stderr, "mimamori exposure serve: listening on port %u\n", mm_selfcheck_port(s));
    while (!cli_stop) {
        struct timespec ts = {0, 200000000};
        nanosleep(&ts, NULL);
    }
    mm_selfcheck_stats st;
    mm_selfcheck_stats_get(s, &st);
    mm_web_counters wc;
    mm_web_stats(mm_selfcheck_web(s), &wc);
    fprintf(stderr, "mimamori exposure serve: %llu checks; refused: %llu busy, %llu rate, %llu "
                    "client unknown; requests %llu (bad %llu, too large %llu, rate %llu, csrf "
                    "%llu)\n",
            (unsigned long long)st.checks, (unsigned long long)st.refused_busy,
            (unsigned long long)st.refused_rate, (unsigned long long)st.refused_unknown_client,
            (unsigned long long)wc.requests, (unsigned long long)wc.bad_request,
            (unsigned long long)wc.too_large, (unsigned long long)wc.rate_limited,
            (unsigned long long)wc.csrf);
    rc = 0;
out:
    mm_selfcheck_free(s);
    mm_portlist_free(&c.ports);
    return rc;
}

static int cmd_link(int argc, char **argv)
{
    static const struct option lo[] = {
        {"site", required_argument, 0, 's'}, {"db", required_argument, 0, 'd'},
        {"url", required_argument, 0, 'u'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *site = NULL, *dbpath = "mimamori.db", *url = "";
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (o) {
        case 's': site = optarg; break;
        case 'd': dbpath = optarg; break;
        case 'u': url = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!site || !site[0] || optind != argc) {
        fprintf(stderr, "mimamori exposure link: --site NAME is needed\n");
        return 2;
    }
    char err[512], tok[33];
    mm_db *db = mm_db_open(dbpath, err, sizeof err);
    if (!db || mm_expdb_link_new(db, site, tok, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori exposure link: %s\n", err);
        mm_db_close(db);
        return 1;
    }
    size_t ul = strlen(url);
    printf("%.*s/?c=%s\n", (int)(ul && url[ul - 1] == '/' ? ul - 1 : ul), url, tok);
    mm_db_close(db);
    return 0;
}

typedef struct web_ctx {
    bool json;
    mm_expdb *x;
    int failed;
} web_ctx;

static int on_find(void *u, const mm_webfind *f)
{
    web_ctx *c = u;
    if (c->json) {
        mm_json j;
        mj_init(&j);
        mj_reset(&j);
        mj_obj_open(&j, NULL);
        mj_str(&j, "kind", f->kind);
        mj_str(&j, "host", f->host);
        mj_str(&j, "address", f->addr);
        if (f->port)
            mj_u64(&j, "port", f->port);
        if (f->url[0])
            mj_str(&j, "url", f->url);
        if (f->status)
            mj_u64(&j, "status", (uint64_t)f->status);
        mj_str(&j, "what", f->what);
        mj_bool(&j, "problem", f->problem);
        mj_obj_close(&j);
        fwrite(j.s, 1, j.len, stdout);
        putchar('\n');
        mj_free(&j);
    } else {
        char where[700];
        if (f->url[0])
            snprintf(where, sizeof where, "%s", f->url);
        else if (f->port)
            snprintf(where, sizeof where, "%s (%s) port %u", f->host, f->addr, f->port);
        else
            snprintf(where, sizeof where, "%s", f->host);
        printf("%s%-12s %s\n    %s\n", f->problem ? "! " : "  ", f->kind, where, f->what);
    }
    if (c->x) {
        char target[700];
        snprintf(target, sizeof target, "%s", f->url[0] ? f->url : f->host);
        if (mm_expdb_finding(c->x, target, f->port, f->kind, f->what,
                             f->problem ? "problem" : NULL) != 0)
            c->failed = 1;
    }
    fflush(stdout);
    return 0;
}

static int cmd_web(int argc, char **argv)
{
    static const struct option lo[] = {
        {"i-own-these", no_argument, 0, 'O'}, {"names", required_argument, 0, 'n'},
        {"paths", required_argument, 0, 'p'}, {"timeout", required_argument, 0, 't'},
        {"site", required_argument, 0, 's'}, {"db", required_argument, 0, 'd'},
        {"format", required_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    mm_webcheck_opts o = {.timeout_ms = 3000};
    const char *site = NULL, *dbpath = "mimamori.db";
    web_ctx wc = {0};
    int c;
    uint64_t v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'O': o.i_own_these = true; break;
        case 'n': o.names = optarg; break;
        case 'p': o.paths = optarg; break;
        case 't':
            if (!mm_parse_uint(optarg, 60000, &v) || v == 0) {
                fprintf(stderr, "mimamori exposure web: bad number '%s'\n", optarg);
                return 2;
            }
            o.timeout_ms = (uint32_t)v;
            break;
        case 's': site = optarg; break;
        case 'd': dbpath = optarg; break;
        case 'f':
            if (strcmp(optarg, "json") == 0)
                wc.json = true;
            else if (strcmp(optarg, "table") != 0) {
                fprintf(stderr, "mimamori exposure web: --format is table or json\n");
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "mimamori exposure web: no DOMAIN (see --help)\n");
        return 2;
    }
    if (!o.i_own_these) {
        fprintf(stderr, "mimamori exposure web: checking is only for web sites you own or run: "
                        "say so with --i-own-these\n");
        return 2;
    }
    char err[512];
    mm_db *db = NULL;
    int rc = 1;
    if (site) {
        if (!(db = mm_db_open(dbpath, err, sizeof err)) ||
            !(wc.x = mm_expdb_begin(db, site, "web", (int64_t)(mm_now_ns() / 1000), NULL, NULL,
                                    err, sizeof err))) {
            fprintf(stderr, "mimamori exposure web: %s\n", err);
            goto out;
        }
    }
    mm_webcheck_stats st;
    if (mm_webcheck_run((const char *const *)argv + optind, (size_t)(argc - optind), &o, on_find,
                        &wc, &st, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori exposure web: %s\n", err);
        goto out;
    }
    if (wc.x) {
        mm_probe_stats ps = {.open = st.findings};
        int e = wc.failed ? -1 : mm_expdb_end(wc.x, st.addresses, st.requests, &ps);
        if (wc.failed)
            mm_expdb_abort(wc.x);
        wc.x = NULL;
        if (e != 0) {
            fprintf(stderr, "mimamori exposure web: store: %s\n", mm_db_error(db));
            goto out;
        }
    }
    if (!wc.json)
        printf("\n%zu names resolved, %zu addresses, %zu requests: %zu findings\n", st.names,
               st.addresses, st.requests, st.findings);
    rc = 0;
out:
    mm_expdb_abort(wc.x);
    mm_db_close(db);
    return rc;
}

int cmd_exposure(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "scan") == 0)
        return cmd_scan(argc - 1, argv + 1);
    if (strcmp(argv[1], "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(argv[1], "link") == 0)
        return cmd_link(argc - 1, argv + 1);
    if (strcmp(argv[1], "web") == 0)
        return cmd_web(argc - 1, argv + 1);
    fprintf(stderr, "mimamori exposure: unknown command '%s' (see --help)\n", argv[1]);
    return 2;
}
