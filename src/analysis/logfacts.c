/*
 * logfacts.c - log records summed for the reports (see logfacts.h).
 *
 * Sums live in one map: the key is a table letter and the row's key fields
 * separated by 0x1F (a byte a field cannot hold: it is replaced), the value
 * an index into an array of counters. mm_logfacts_flush writes each as an
 * upsert that adds to what the store has, so the sums of several imports
 * (and of an early flush when the map is large) add up. DHCP leases are
 * written as they come (one row per acknowledgement or release).
 *
 * Memory is bounded by FLUSH_AT sums: past that they are written early,
 * still inside the import's transaction.
 */
#include "analysis/logfacts.h"
#include "analysis/webpath.h"
#include "watch/webshell.h"
#include "util/strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_AT 100000
#define SEP '\x1f'
#define DAY_US 86400000000LL

typedef struct agg {
    int64_t v[3];
    int64_t first, last;
    char cc[3];
    char user[48];
} agg;

struct mm_logfacts {
    mm_db *db;
    const mm_geo *geo;
    const mm_netlist *home;
    mm_netlist defhome;
    const mm_detect *lists;
    const mm_catalog *cat;
    mm_strmap map;
    agg *v;
    size_t n, cap;
    mm_stmt *up_fw, *up_src, *up_web, *up_scheme, *up_find, *up_auth, *ins_lease, *inv_get,
        *inv_del, *inv_add, *up_path, *up_admin, *path_count;
    /* web_paths rows each company may still get, counted at each flush */
    struct room {
        int64_t site, left;
        bool told;
    } *room;
    size_t nroom, roomcap;
    /* the inventory of the site last seen */
    int64_t inv_site;
    mm_netlist resolvers, servers;
};

void mm_logfacts_month(int64_t ts_us, int32_t tzoff, char out[8])
{
    int64_t s = ts_us / 1000000 + tzoff;
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    int y, m, d;
    mm_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0;
    snprintf(out, 8, "%04d-%02d", (int)y, (int)m);
}

mm_logfacts *mm_logfacts_new(mm_db *db, const mm_geo *geo, const mm_netlist *home,
                             const mm_detect *lists, const mm_catalog *cat, char *err,
                             size_t errlen)
{
    mm_logfacts *lf = calloc(1, sizeof *lf);
    if (!lf) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    lf->db = db;
    lf->geo = geo;
    lf->lists = lists;
    lf->cat = cat;
    lf->inv_site = -1;
    mm_strmap_init(&lf->map);
    mm_netlist_parse(&lf->defhome, MM_DEFAULT_HOME_NET, err, errlen);
    lf->home = home ? home : &lf->defhome;
    lf->up_fw = mm_db_prepare(db,
        "INSERT INTO fw_month (site_id, month, action, proto, dest_port, records)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (site_id, month, action, proto, dest_port)"
        " DO UPDATE SET records = fw_month.records + excluded.records");
    lf->up_src = mm_db_prepare(db,
        "INSERT INTO fw_src_month (site_id, month, src_ip, cc, records, first_ts, last_ts)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (site_id, month, src_ip) DO UPDATE"
        " SET records = fw_src_month.records + excluded.records,"
        " first_ts = CASE WHEN excluded.first_ts < fw_src_month.first_ts THEN excluded.first_ts"
        " ELSE fw_src_month.first_ts END,"
        " last_ts = CASE WHEN excluded.last_ts > fw_src_month.last_ts THEN excluded.last_ts"
        " ELSE fw_src_month.last_ts END");
    lf->up_web = mm_db_prepare(db,
        "INSERT INTO web_month (site_id, month, service, client, bytes_up, bytes_down, requests,"
        " first_ts, last_ts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (site_id, month, service, client) DO UPDATE"
        " SET bytes_up = web_month.bytes_up + excluded.bytes_up,"
        " bytes_down = web_month.bytes_down + excluded.bytes_down,"
        " requests = web_month.requests + excluded.requests,"
        " first_ts = CASE WHEN excluded.first_ts < web_month.first_ts THEN excluded.first_ts"
        " ELSE web_month.first_ts END,"
        " last_ts = CASE WHEN excluded.last_ts > web_month.last_ts THEN excluded.last_ts"
        " ELSE web_month.last_ts END");
    lf->up_scheme = mm_db_prepare(db,
        "INSERT INTO web_scheme_month (site_id, month, https, http) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (site_id, month) DO UPDATE SET https = web_scheme_month.https +"
        " excluded.https, http = web_scheme_month.http + excluded.http");
    lf->up_find = mm_db_prepare(db,
        "INSERT INTO log_findings (site_id, kind, name, answer, host, count, first_ts, last_ts)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (site_id, kind, name, answer, host)"
        " DO UPDATE SET count = log_findings.count + excluded.count,"
        " first_ts = CASE WHEN excluded.first_ts < log_findings.first_ts THEN excluded.first_ts"
        " ELSE log_findings.first_ts END,"
        " last_ts = CASE WHEN excluded.last_ts > log_findings.last_ts THEN excluded.last_ts"
        " ELSE log_findings.last_ts END");
    lf->up_auth = mm_db_prepare(db,
        "INSERT INTO auth_day (site_id, day, service, src_ip, result, cc, count, last_user,"
        " first_ts, last_ts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        " ON CONFLICT (site_id, day, service, src_ip, result) DO UPDATE"
        " SET count = auth_day.count + excluded.count,"
        " last_user = COALESCE(excluded.last_user, auth_day.last_user),"
        " first_ts = CASE WHEN excluded.first_ts < auth_day.first_ts THEN excluded.first_ts"
        " ELSE auth_day.first_ts END,"
        " last_ts = CASE WHEN excluded.last_ts > auth_day.last_ts THEN excluded.last_ts"
        " ELSE auth_day.last_ts END");
    lf->ins_lease = mm_db_prepare(db,
        "INSERT INTO dhcp_leases (site_id, ip, ts, mac, kind, hostname, until_ts)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (site_id, ip, ts, mac, kind)"
        " DO NOTHING");
    /* a new path only while the company has room ($9 = 1); one it has
     * is always brought up to date */
    lf->up_path = mm_db_prepare(db,
        "INSERT INTO web_paths (site_id, path, script, requests, posts, first_ts, last_ts,"
        " first_post_ts) SELECT CAST($1 AS BIGINT), CAST($2 AS TEXT), CAST($3 AS BIGINT),"
        " CAST($4 AS BIGINT), CAST($5 AS BIGINT), CAST($6 AS BIGINT), CAST($7 AS BIGINT),"
        " CAST($8 AS BIGINT) WHERE $9 = 1 OR EXISTS (SELECT 1 FROM web_paths WHERE"
        " site_id = $1 AND path = $2) ON CONFLICT (site_id, path)"
        " DO UPDATE SET requests = web_paths.requests + excluded.requests,"
        " posts = web_paths.posts + excluded.posts,"
        " first_ts = CASE WHEN excluded.first_ts < web_paths.first_ts THEN excluded.first_ts"
        " ELSE web_paths.first_ts END,"
        " last_ts = CASE WHEN excluded.last_ts > web_paths.last_ts THEN excluded.last_ts"
        " ELSE web_paths.last_ts END,"
        " first_post_ts = CASE WHEN web_paths.first_post_ts IS NULL"
        " OR excluded.first_post_ts < web_paths.first_post_ts THEN COALESCE("
        "excluded.first_post_ts, web_paths.first_post_ts) ELSE web_paths.first_post_ts END");
    lf->up_admin = mm_db_prepare(db,
        "INSERT INTO web_admin (site_id, page, src_ip, cc, count, first_ts, last_ts)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (site_id, page, src_ip)"
        " DO UPDATE SET count = web_admin.count + excluded.count,"
        " cc = COALESCE(excluded.cc, web_admin.cc),"
        " first_ts = CASE WHEN excluded.first_ts < web_admin.first_ts THEN excluded.first_ts"
        " ELSE web_admin.first_ts END,"
        " last_ts = CASE WHEN excluded.last_ts > web_admin.last_ts THEN excluded.last_ts"
        " ELSE web_admin.last_ts END");
    lf->path_count = mm_db_prepare(db, "SELECT COUNT(*) FROM web_paths WHERE site_id = $1");
    lf->inv_get = mm_db_prepare(db, "SELECT kind, value FROM inventory WHERE site_id = $1");
    lf->inv_del = mm_db_prepare(db, "DELETE FROM inventory WHERE site_id = $1");
    lf->inv_add = mm_db_prepare(db,
        "INSERT INTO inventory (site_id, kind, value) VALUES ($1, $2, $3)"
        " ON CONFLICT (site_id, kind, value) DO NOTHING");
    if (!lf->up_fw || !lf->up_src || !lf->up_web || !lf->up_scheme || !lf->up_find ||
        !lf->up_auth || !lf->ins_lease || !lf->inv_get || !lf->inv_del || !lf->inv_add ||
        !lf->up_path || !lf->up_admin || !lf->path_count) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        mm_logfacts_free(lf);
        return NULL;
    }
    return lf;
}

static void forget_inventory(mm_logfacts *lf)
{
    mm_netlist_free(&lf->resolvers);
    mm_netlist_free(&lf->servers);
    memset(&lf->resolvers, 0, sizeof lf->resolvers);
    memset(&lf->servers, 0, sizeof lf->servers);
    lf->inv_site = -1;
}

void mm_logfacts_free(mm_logfacts *lf)
{
    if (!lf)
        return;
    mm_stmt_free(lf->up_fw);
    mm_stmt_free(lf->up_src);
    mm_stmt_free(lf->up_web);
    mm_stmt_free(lf->up_scheme);
    mm_stmt_free(lf->up_find);
    mm_stmt_free(lf->up_auth);
    mm_stmt_free(lf->ins_lease);
    mm_stmt_free(lf->up_path);
    mm_stmt_free(lf->path_count);
    free(lf->room);
    mm_stmt_free(lf->up_admin);
    mm_stmt_free(lf->inv_get);
    mm_stmt_free(lf->inv_del);
    mm_stmt_free(lf->inv_add);
    mm_strmap_free(&lf->map);
    free(lf->v);
    forget_inventory(lf);
    mm_netlist_free(&lf->defhome);
    free(lf);
}

/* --- the inventory --- */

static bool net_add(mm_netlist *nl, const char *v)
{
    mm_netlist one;
    char e[128];
    if (!mm_netlist_parse(&one, v, e, sizeof e))
        return false;
    mm_cidr *nv = realloc(nl->v, (nl->n + one.n) * sizeof *nv);
    if (!nv) {
        mm_netlist_free(&one);
        return false;
    }
    memcpy(nv + nl->n, one.v, one.n * sizeof *nv);
    nl->v = nv;
    nl->n += one.n;
    free(one.v);
    return true;
}

static int load_inventory(mm_logfacts *lf, int64_t site)
{
    if (lf->inv_site == site)
        return 0;
    forget_inventory(lf);
    mm_stmt_i64(lf->inv_get, 1, site);
    int rc;
    while ((rc = mm_stmt_step(lf->inv_get)) == 1) {
        const char *k = mm_col_text(lf->inv_get, 0), *v = mm_col_text(lf->inv_get, 1);
        if (strcmp(k, "resolver") == 0)
            net_add(&lf->resolvers, v);
        else if (strcmp(k, "server") == 0)
            net_add(&lf->servers, v);
    }
    mm_stmt_reset(lf->inv_get);
    if (rc < 0)
        return -1;
    lf->inv_site = site;
    return 0;
}

int mm_logfacts_inventory(mm_logfacts *lf, int64_t site_id, const char *path, char *err,
                          size_t errlen)
{
    size_t len;
    char *text = mm_read_file(path, 1u << 20, &len, err, errlen);
    if (!text)
        return -1;
    static const char *const kinds[] = {"resolver", "server", "sanctioned", "country"};
    /* checked whole before anything is written */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            mm_stmt_i64(lf->inv_del, 1, site_id);
            if (mm_stmt_run(lf->inv_del) != 0) {
                snprintf(err, errlen, "store: %s", mm_db_error(lf->db));
                free(text);
                return -1;
            }
        }
        unsigned lineno = 0;
        for (char *p = text; *p;) {
            char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            lineno++;
            char line[512];
            if (n >= sizeof line) {
                snprintf(err, errlen, "%s:%u: line too long", path, lineno);
                free(text);
                return -1;
            }
            memcpy(line, p, n);
            line[n] = 0;
            p += n + (nl ? 1 : 0);
            char *h = strchr(line, '#');
            if (h)
                *h = 0;
            char k[32], v[256];
            int got = sscanf(line, "%31s %255s", k, v);
            if (got <= 0)
                continue;
            size_t ki = 0;
            while (ki < 4 && strcmp(k, kinds[ki]) != 0)
                ki++;
            if (got != 2 || ki == 4) {
                snprintf(err, errlen,
                         "%s:%u: expected 'resolver|server ADDRESS[/BITS]', "
                         "'sanctioned SERVICE' or 'country CC'",
                         path, lineno);
                free(text);
                return -1;
            }
            if (ki <= 1) {
                mm_netlist t;
                char e[128];
                if (!mm_netlist_parse(&t, v, e, sizeof e)) {
                    snprintf(err, errlen, "%s:%u: %s", path, lineno, e);
                    free(text);
                    return -1;
                }
                mm_netlist_free(&t);
            } else if (ki == 2 && lf->cat && mm_catalog_by_name(lf->cat, v) < 0) {
                snprintf(err, errlen, "%s:%u: '%s' is not in the service catalogue", path,
                         lineno, v);
                free(text);
                return -1;
            } else if (ki == 3) {
                if (strlen(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z') {
                    snprintf(err, errlen, "%s:%u: a country is two capital letters (JP)", path,
                             lineno);
                    free(text);
                    return -1;
                }
            }
            if (pass == 1) {
                mm_stmt_i64(lf->inv_add, 1, site_id);
                mm_stmt_text(lf->inv_add, 2, kinds[ki]);
                mm_stmt_text(lf->inv_add, 3, v);
                if (mm_stmt_run(lf->inv_add) != 0) {
                    snprintf(err, errlen, "store: %s", mm_db_error(lf->db));
                    free(text);
                    return -1;
                }
            }
        }
    }
    free(text);
    lf->inv_site = -1;       /* read again */
    return 0;
}

/* --- sums --- */

/* Appends a field (0x1F replaced) to the key being built. */
static void kput(char *k, size_t *kl, size_t cap, const char *p, size_t n)
{
    if (*kl < cap)
        k[(*kl)++] = SEP;
    for (size_t i = 0; i < n && *kl < cap; i++)
        k[(*kl)++] = p[i] == SEP ? '?' : p[i];
}

static void kputs(char *k, size_t *kl, size_t cap, const char *s)
{
    kput(k, kl, cap, s, strlen(s));
}

static agg *sum(mm_logfacts *lf, const char *key, size_t kl, int64_t ts, bool *isnew)
{
    bool added;
    uint64_t *slot = mm_strmap_put(&lf->map, key, kl, lf->n, &added);
    if (!slot)
        return NULL;
    if (!added) {
        agg *a = &lf->v[*slot];
        if (ts < a->first)
            a->first = ts;
        if (ts > a->last)
            a->last = ts;
        if (isnew)
            *isnew = false;
        return a;
    }
    if (!mm_grow(&lf->v, &lf->cap, lf->n, sizeof *lf->v, 1024)) {
        mm_strmap_del(&lf->map, key, kl);
        return NULL;
    }
    agg *a = &lf->v[lf->n++];
    memset(a, 0, sizeof *a);
    a->first = a->last = ts;
    if (isnew)
        *isnew = true;
    return a;
}

static void ipstr(const mm_ip *ip, char *out)
{
    lr_ip_text(ip, out);
}

/* A number as text (no printf on the per-record path). */
static void numstr(int64_t v, char out[24])
{
    char b[24];
    size_t k = 0;
    bool neg = v < 0;
    uint64_t u = neg ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    do {
        b[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    while (k)
        out[o++] = b[--k];
    out[o] = 0;
}

static bool is_home(const mm_logfacts *lf, const mm_ip *ip)
{
    return ip->v && mm_netlist_contains(lf->home, ip);
}

static void cc_of(const mm_logfacts *lf, const mm_ip *ip, char cc[3])
{
    cc[0] = 0;
    if (!lf->geo || !ip->v)
        return;
    mm_geo_kind k = mm_geo_lookup(lf->geo, ip, cc);
    if (k == MM_GEO_UNKNOWN)
        memcpy(cc, "XX", 3);
    else if (k != MM_GEO_COUNTRY)
        cc[0] = 0;
}

static int finding(mm_logfacts *lf, int64_t site, const char *kind, const char *name,
                   size_t nl, const char *answer, size_t al, const mm_ip *host, int64_t ts)
{
    char k[700], h[MM_IPSTR_LEN];
    size_t kl = 1;
    k[0] = 'N';
    ipstr(host, h);
    char sb[24];
    numstr(site, sb);
    kputs(k, &kl, sizeof k, sb);
    kputs(k, &kl, sizeof k, kind);
    kput(k, &kl, sizeof k, name, nl > 253 ? 253 : nl);
    kput(k, &kl, sizeof k, answer, al > 200 ? 200 : al);
    kputs(k, &kl, sizeof k, h);
    agg *a = sum(lf, k, kl, ts, NULL);
    if (!a)
        return -1;
    a->v[0]++;
    return 0;
}

static bool resolver_outside(const mm_logfacts *lf, const mm_ip *client, const mm_ip *server)
{
    return lf->resolvers.n && is_home(lf, client) && server->v && !is_home(lf, server) &&
           !mm_netlist_contains(&lf->resolvers, server);
}

static int on_firewall(mm_logfacts *lf, int64_t site, const mm_logrec *r, const char *month)
{
    char k[256], sb[24];
    size_t kl = 1;
    numstr(site, sb);
    const char *action = r->fw.action ? r->fw.action : "unknown";
    const char *proto = r->proto ? r->proto : "";
    char port[24];
    numstr(r->dest_port, port);
    k[0] = 'F';
    kputs(k, &kl, sizeof k, sb);
    kputs(k, &kl, sizeof k, month);
    kputs(k, &kl, sizeof k, action);
    if (r->proto)
        kputs(k, &kl, sizeof k, proto);
    else
        kput(k, &kl, sizeof k, r->proto_text.p, r->proto_text.n > 16 ? 16 : r->proto_text.n);
    kputs(k, &kl, sizeof k, port);
    agg *a = sum(lf, k, kl, r->ts_us, NULL);
    if (!a)
        return -1;
    a->v[0]++;
    if (r->fw.action && strcmp(r->fw.action, "blocked") == 0 && r->src_ip.v) {
        char ip[MM_IPSTR_LEN];
        ipstr(&r->src_ip, ip);
        kl = 1;
        k[0] = 'S';
        kputs(k, &kl, sizeof k, sb);
        kputs(k, &kl, sizeof k, month);
        kputs(k, &kl, sizeof k, ip);
        bool isnew;
        a = sum(lf, k, kl, r->ts_us, &isnew);
        if (!a)
            return -1;
        if (isnew)
            cc_of(lf, &r->src_ip, a->cc);
        a->v[0]++;
    }
    if ((r->dest_port == 53 || r->dest_port == 853) && resolver_outside(lf, &r->src_ip, &r->dest_ip)) {
        char ip[MM_IPSTR_LEN];
        ipstr(&r->dest_ip, ip);
        const char *act = r->fw.action ? r->fw.action : "";
        return finding(lf, site, "bypass", ip, strlen(ip), act, strlen(act), &r->src_ip, r->ts_us);
    }
    return 0;
}

/* The host name of a proxy record: http.hostname, else the URL's. */
static lr_str host_of(const mm_logrec *r)
{
    if (r->http.hostname.n)
        return r->http.hostname;
    lr_str u = r->http.url;
    const char *p = u.p, *e = u.p + u.n;
    const char *s = u.n ? lr_find(p, u.n, "://") : NULL;
    if (!s)
        return (lr_str){0};
    p = s + 3;
    const char *q = p;
    while (q < e && *q != '/' && *q != ':' && *q != '?')
        q++;
    const char *at = memchr(p, '@', (size_t)(q - p));   /* user@host */
    if (at)
        p = at + 1;
    return lr_s(p, (size_t)(q - p));
}

static int web_sum(mm_logfacts *lf, int64_t site, const char *month, int svc,
                   const mm_ip *client, int64_t ts, int64_t up, int64_t down)
{
    char k[600], sb[24], ip[MM_IPSTR_LEN];
    numstr(site, sb);
    ipstr(client, ip);
    size_t kl = 1;
    k[0] = 'W';
    kputs(k, &kl, sizeof k, sb);
    kputs(k, &kl, sizeof k, month);
    kputs(k, &kl, sizeof k, mm_catalog_service(lf->cat, svc));
    kputs(k, &kl, sizeof k, ip);
    agg *a = sum(lf, k, kl, ts, NULL);
    if (!a)
        return -1;
    a->v[0] += up > 0 ? up : 0;
    a->v[1] += down > 0 ? down : 0;
    a->v[2]++;
    return 0;
}

int mm_logfacts_web(mm_logfacts *lf, int64_t site, int64_t ts_us, int32_t tzoff, int svc,
                    const mm_ip *client, int64_t up, int64_t down)
{
    if (!mm_catalog_service(lf->cat, svc))
        return 0;
    char month[8];
    mm_logfacts_month(ts_us, tzoff, month);
    int rc = web_sum(lf, site, month, svc, client, ts_us, up, down);
    if (rc == 0 && lf->n >= FLUSH_AT)
        rc = mm_logfacts_flush(lf);
    return rc;
}

static int names_listed(mm_logfacts *lf, int64_t site, lr_str name, const char *answer,
                        size_t al, const mm_ip *host, int64_t ts)
{
    if (!lf->lists || !name.n || name.n >= 256)
        return 0;
    char n[256];
    memcpy(n, name.p, name.n);
    n[name.n] = 0;
    if (mm_detect_listed(lf->lists, MM_LIST_DDNS, n))
        return finding(lf, site, "ddns", n, name.n, answer, al, host, ts);
    if (mm_detect_listed(lf->lists, MM_LIST_MINING, n))
        return finding(lf, site, "listed", n, name.n, "mining", 6, host, ts);
    return 0;
}

static int on_proxy(mm_logfacts *lf, int64_t site, const mm_logrec *r, const char *month)
{
    char k[600], sb[24];
    numstr(site, sb);
    lr_str m = r->http.http_method, u = r->http.url;
    bool https = lr_eqi(m, "CONNECT") || (u.n >= 8 && strncasecmp(u.p, "https://", 8) == 0);
    bool http = !https && u.n >= 7 && strncasecmp(u.p, "http://", 7) == 0;
    size_t kl = 1;
    k[0] = 'H';
    kputs(k, &kl, sizeof k, sb);
    kputs(k, &kl, sizeof k, month);
    agg *a = sum(lf, k, kl, r->ts_us, NULL);
    if (!a)
        return -1;
    a->v[0] += https;
    a->v[1] += http;
    lr_str host = host_of(r);
    int svc = mm_catalog_find(lf->cat, host.p, host.n);
    if (svc >= 0) {
        int64_t up = r->proxy.bytes_out > 0 ? r->proxy.bytes_out : 0;
        int64_t down = r->proxy.bytes_in > 0 ? r->proxy.bytes_in
                       : r->http.length > 0 ? r->http.length : 0;
        if (web_sum(lf, site, month, svc, &r->src_ip, r->ts_us, up, down) != 0)
            return -1;
    }
    return names_listed(lf, site, host, "", 0, &r->src_ip, r->ts_us);
}

static int on_dns(mm_logfacts *lf, int64_t site, const mm_logrec *r)
{
    lr_str name = r->dns.rrname;
    while (name.n && name.p[name.n - 1] == '.')
        name.n--;
    for (uint32_t i = 0; i < r->dns.n_answers && i < LR_MAX_ANSWERS; i++) {
        const lr_answer *an = &r->dns.answers[i];
        mm_ip ip;
        if (!lr_ip(an->rdata.p, an->rdata.n, &ip))
            continue;
        static const uint8_t zero[16];
        bool nowhere = memcmp(ip.b, zero, 16) == 0;       /* 0.0.0.0, :: */
        bool loop6 = ip.v == 6 && memcmp(ip.b, zero, 15) == 0 && ip.b[15] == 1;
        if (nowhere || loop6 || (lf->lists && mm_detect_sinkhole(lf->lists, &ip))) {
            lr_str an_name = an->rrname.n ? an->rrname : name;
            if (finding(lf, site, "sinkhole", an_name.p ? an_name.p : "", an_name.n,
                        an->rdata.p, an->rdata.n, &r->src_ip, r->ts_us) != 0)
                return -1;
            break;
        }
    }
    const char *first = "";
    size_t fl = 0;
    if (r->dns.n_answers && r->dns.answers[0].rdata.n) {
        first = r->dns.answers[0].rdata.p;
        fl = r->dns.answers[0].rdata.n;
    }
    if (names_listed(lf, site, name, first, fl, &r->src_ip, r->ts_us) != 0)
        return -1;
    if (lf->servers.n && r->src_ip.v && mm_netlist_contains(&lf->servers, &r->src_ip) &&
        name.n && finding(lf, site, "server_resolves", name.p, name.n, "", 0, &r->src_ip,
                          r->ts_us) != 0)
        return -1;
    if (resolver_outside(lf, &r->src_ip, &r->dest_ip)) {
        char ip[MM_IPSTR_LEN];
        ipstr(&r->dest_ip, ip);
        return finding(lf, site, "bypass", ip, strlen(ip), "", 0, &r->src_ip, r->ts_us);
    }
    return 0;
}

static int on_dhcp(mm_logfacts *lf, int64_t site, const mm_logrec *r)
{
    const char *t = r->dhcp.dhcp_type;
    if (!t || !r->dhcp.assigned_ip.v || !r->dhcp.client_mac.n)
        return 0;
    const char *kind = strcmp(t, "ack") == 0 ? "ack"
                       : (strcmp(t, "release") == 0 || strcmp(t, "expire") == 0 ||
                          strcmp(t, "decline") == 0)
                           ? "release"
                           : NULL;
    if (!kind)
        return 0;
    char ip[MM_IPSTR_LEN], mac[24], host[256];
    ipstr(&r->dhcp.assigned_ip, ip);
    snprintf(mac, sizeof mac, "%.*s", (int)r->dhcp.client_mac.n, r->dhcp.client_mac.p);
    snprintf(host, sizeof host, "%.*s", (int)(r->dhcp.hostname.n > 255 ? 255 : r->dhcp.hostname.n),
             r->dhcp.hostname.p ? r->dhcp.hostname.p : "");
    mm_stmt *st = lf->ins_lease;
    mm_stmt_i64(st, 1, site);
    mm_stmt_text(st, 2, ip);
    mm_stmt_i64(st, 3, r->ts_us);
    mm_stmt_text(st, 4, mac);
    mm_stmt_text(st, 5, kind);
    mm_stmt_text(st, 6, host[0] ? host : NULL);
    if (r->dhcp.lease_time > 0 && r->dhcp.lease_time < 100LL * 365 * 86400)
        mm_stmt_i64(st, 7, r->ts_us + r->dhcp.lease_time * 1000000);
    else
        mm_stmt_null(st, 7);
    return mm_stmt_run(st);
}

static bool risky_name(lr_str n)
{
    static const char *const ext[] = {".exe", ".scr", ".com", ".pif", ".bat", ".cmd", ".js",
                                      ".jse", ".vbs", ".vbe", ".wsf", ".hta", ".ps1", ".lnk",
                                      ".iso", ".img", ".msi", ".jar", ".docm", ".xlsm",
                                      ".pptm", ".dotm", ".xlam", ".one", ".cpl", ".dll"};
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        size_t k = strlen(ext[i]);
        if (n.n > k && strncasecmp(n.p + n.n - k, ext[i], k) == 0)
            return true;
    }
    return false;
}

/* The domain of an address ("a@B.example" -> "b.example" compared without
 * case), or an empty string. */
static lr_str domain_of(lr_str a)
{
    const char *at = a.n ? memchr(a.p, '@', a.n) : NULL;
    if (!at)
        return (lr_str){0};
    return lr_s(at + 1, (size_t)(a.p + a.n - at - 1));
}

static int on_mail(mm_logfacts *lf, int64_t site, const mm_logrec *r)
{
    if (is_home(lf, &r->src_ip))
        return 0;              /* mail the company sends */
    mm_ip none = {0};
    lr_str from = r->email.from;
    if (r->email.attachment.n && risky_name(r->email.attachment) &&
        finding(lf, site, "exec_attachment", r->email.attachment.p, r->email.attachment.n,
                from.p ? from.p : "", from.n, &none, r->ts_us) != 0)
        return -1;
    /* a header sender of another domain than the envelope's */
    lr_str hd = domain_of(r->email.header_from), ed = domain_of(from);
    if (hd.n && ed.n && (hd.n != ed.n || strncasecmp(hd.p, ed.p, hd.n) != 0))
        return finding(lf, site, "from_mismatch", r->email.header_from.p,
                       r->email.header_from.n, from.p, from.n, &none, r->ts_us);
    return 0;
}

static int on_auth(mm_logfacts *lf, int64_t site, const mm_logrec *r)
{
    if (!r->auth.result || !r->src_ip.v)
        return 0;
    char k[300], sb[24], db[24], ip[MM_IPSTR_LEN];
    numstr(site, sb);
    int64_t day = r->ts_us >= 0 ? r->ts_us / DAY_US : -((-r->ts_us + DAY_US - 1) / DAY_US);
    numstr(day, db);
    ipstr(&r->src_ip, ip);
    size_t kl = 1;
    k[0] = 'A';
    kputs(k, &kl, sizeof k, sb);
    kputs(k, &kl, sizeof k, db);
    if (r->auth.service.n)
        kput(k, &kl, sizeof k, r->auth.service.p, r->auth.service.n > 32 ? 32 : r->auth.service.n);
    else
        kputs(k, &kl, sizeof k, "login");
    kputs(k, &kl, sizeof k, ip);
    kputs(k, &kl, sizeof k, r->auth.result);
    bool isnew;
    agg *a = sum(lf, k, kl, r->ts_us, &isnew);
    if (!a)
        return -1;
    if (isnew)
        cc_of(lf, &r->src_ip, a->cc);
    a->v[0]++;
    if (r->auth.user.n) {
        size_t n = r->auth.user.n < sizeof a->user - 1 ? r->auth.user.n : sizeof a->user - 1;
        memcpy(a->user, r->auth.user.p, n);
        a->user[n] = 0;
    }
    return 0;
}

/* A web server's access record: the path it answered (web_paths, key 'P':
 * v[0] requests, v[1] POSTs, v[2] the first POST's time + 1, 0 none) and
 * requests for administration pages from outside the company (web_admin,
 * key 'D', with the source's country). */
static int on_web(mm_logfacts *lf, int64_t site, const mm_logrec *r)
{
    char path[MM_WEBPATH_MAX], k[MM_WEBPATH_MAX + 64], sb[24];
    if (!r->http.url.n || !mm_web_path(r->http.url.p, r->http.url.n, path, sizeof path))
        return 0;
    numstr(site, sb);
    int64_t st = r->http.status;
    if (st == 0 || (st >= 200 && st < 400)) {
        size_t kl = 1;
        k[0] = 'P';
        kputs(k, &kl, sizeof k, sb);
        kputs(k, &kl, sizeof k, path);
        agg *a = sum(lf, k, kl, r->ts_us, NULL);
        if (!a)
            return -1;
        a->v[0]++;
        if (lr_eqi(r->http.http_method, "POST")) {
            a->v[1]++;
            if (a->v[2] == 0 || r->ts_us + 1 < a->v[2])
                a->v[2] = r->ts_us + 1;
        }
    }
    char page[32];
    if (r->src_ip.v && !is_home(lf, &r->src_ip) && mm_web_admin(path, page)) {
        char ip[MM_IPSTR_LEN];
        ipstr(&r->src_ip, ip);
        size_t kl = 1;
        k[0] = 'D';
        kputs(k, &kl, sizeof k, sb);
        kputs(k, &kl, sizeof k, page);
        kputs(k, &kl, sizeof k, ip);
        bool isnew;
        agg *a = sum(lf, k, kl, r->ts_us, &isnew);
        if (!a)
            return -1;
        if (isnew)
            cc_of(lf, &r->src_ip, a->cc);
        a->v[0]++;
    }
    return 0;
}

int mm_logfacts_record(mm_logfacts *lf, int64_t site, const mm_logrec *r)
{
    if (!r->event_type || !r->has_ts)
        return 0;
    if (load_inventory(lf, site) != 0)
        return -1;
    char month[8];
    mm_logfacts_month(r->ts_us, r->tzoff, month);
    int rc = 0;
    const char *et = r->event_type;
    if (strcmp(et, "firewall") == 0)
        rc = on_firewall(lf, site, r, month);
    else if (strcmp(et, "proxy") == 0)
        rc = on_proxy(lf, site, r, month);
    else if (strcmp(et, "dns") == 0)
        rc = on_dns(lf, site, r);
    else if (strcmp(et, "dhcp") == 0)
        rc = on_dhcp(lf, site, r);
    else if (strcmp(et, "mail") == 0)
        rc = on_mail(lf, site, r);
    else if (strcmp(et, "auth") == 0)
        rc = on_auth(lf, site, r);
    else if (strcmp(et, "web") == 0)
        rc = on_web(lf, site, r);
    if (rc == 0 && lf->n >= FLUSH_AT)
        rc = mm_logfacts_flush(lf);
    return rc;
}

/* --- writing --- */

typedef struct flushing {
    mm_logfacts *lf;
    int rc;
} flushing;

/* Whether a company may get one more web_paths row (the rows it has are
 * counted once per flush; every path written in the flush is taken as a
 * new one, so the cap is never passed). */
static bool path_room(mm_logfacts *lf, int64_t site, int *rc)
{
    struct room *r = NULL;
    for (size_t i = 0; i < lf->nroom && !r; i++)
        if (lf->room[i].site == site)
            r = &lf->room[i];
    if (!r) {
        if (!mm_grow(&lf->room, &lf->roomcap, lf->nroom, sizeof *lf->room, 8)) {
            *rc = -1;
            return false;
        }
        mm_stmt_i64(lf->path_count, 1, site);
        int64_t have = mm_stmt_step(lf->path_count) == 1 ? mm_col_i64(lf->path_count, 0) : -1;
        mm_stmt_reset(lf->path_count);
        if (have < 0) {
            *rc = -1;
            return false;
        }
        r = &lf->room[lf->nroom++];
        *r = (struct room){site, MM_WEB_PATHS_MAX - have, false};
    }
    if (r->left > 0) {
        r->left--;
        return true;
    }
    if (!r->told) {
        r->told = true;
        fprintf(stderr, "web access logs: company %lld has %d answered paths: new paths are not"
                " kept (the ones it has still count)\n", (long long)site, MM_WEB_PATHS_MAX);
    }
    return false;
}

/* The fields of a key (table letter, then fields separated by 0x1F). */
static int fields(const char *key, size_t len, char *buf, size_t cap, const char **f, int max)
{
    if (len + 1 > cap || len < 1)
        return 0;
    memcpy(buf, key, len);
    buf[len] = 0;
    int n = 0;
    char *p = buf + 1;
    while (n < max && *p == SEP) {
        *p++ = 0;
        f[n++] = p;
        while (*p && *p != SEP)
            p++;
    }
    return n;
}

static void write_one(void *ctx, const char *key, size_t len, uint64_t idx)
{
    flushing *fl = ctx;
    if (fl->rc)
        return;
    mm_logfacts *lf = fl->lf;
    const agg *a = &lf->v[idx];
    char buf[MM_WEBPATH_MAX + 300];
    const char *f[6];
    int n = fields(key, len, buf, sizeof buf, f, 6);
    int64_t site = n ? strtoll(f[0], NULL, 10) : 0;
    mm_stmt *st = NULL;
    switch (key[0]) {
    case 'F':
        if (n != 5)
            return;
        st = lf->up_fw;
        mm_stmt_i64(st, 1, site);
        mm_stmt_text(st, 2, f[1]);
        mm_stmt_text(st, 3, f[2]);
        mm_stmt_text(st, 4, f[3]);
        mm_stmt_i64(st, 5, strtoll(f[4], NULL, 10));
        mm_stmt_i64(st, 6, a->v[0]);
        break;
    case 'S':
        if (n != 3)
            return;
        st = lf->up_src;
        mm_stmt_i64(st, 1, site);
        mm_stmt_text(st, 2, f[1]);
        mm_stmt_text(st, 3, f[2]);
        mm_stmt_text(st, 4, a->cc[0] ? a->cc : NULL);
        mm_stmt_i64(st, 5, a->v[0]);
        mm_stmt_i64(st, 6, a->first);
        mm_stmt_i64(st, 7, a->last);
        break;
    case 'W':
        if (n != 4)
            return;
        st = lf->up_web;
        mm_stmt_i64(st, 1, site);
        mm_stmt_text(st, 2, f[1]);
        mm_stmt_text(st, 3, f[2]);
        mm_stmt_text(st, 4, f[3]);
        mm_stmt_i64(st, 5, a->v[0]);
        mm_stmt_i64(st, 6, a->v[1]);
        mm_stmt_i64(st, 7, a->v[2]);
        mm_stmt_i64(st, 8, a->first);
        mm_stmt_i64(st, 9, a->last);
        break;
    case 'H':
        if (n != 2)
            return;
        st = lf->up_scheme;
        mm_stmt_i64(st, 1, site);
        mm_stmt_text(st, 2, f[1]);
        mm_stmt_i64(st, 3, a->v[0]);
        mm_stmt_i64(st, 4, a->v[1]);
        break;
    case 'N':
        if (n != 5)
            return;
        st = lf->up_find;
        mm_stmt_i64(st, 1, site);
        for (int i = 1; i < 5; i++)
            mm_stmt_text(st, i + 1, f[i]);
        mm_stmt_i64(st, 6, a->v[0]);
        mm_stmt_i64(st, 7, a->first);
        mm_stmt_i64(st, 8, a->last);
        break;
    case 'A':
        if (n != 5)
            return;
        st = lf->up_auth;
        mm_stmt_i64(st, 1, site);
        mm_stmt_i64(st, 2, strtoll(f[1], NULL, 10));
        mm_stmt_text(st, 3, f[2]);
        mm_stmt_text(st, 4, f[3]);
        mm_stmt_text(st, 5, f[4]);
        mm_stmt_text(st, 6, a->cc[0] ? a->cc : NULL);
        mm_stmt_i64(st, 7, a->v[0]);
        mm_stmt_text(st, 8, a->user[0] ? a->user : NULL);
        mm_stmt_i64(st, 9, a->first);
        mm_stmt_i64(st, 10, a->last);
        break;
    case 'P': {
        if (n != 2)
            return;
        mw_class c;
        mw_classify(f[1], NULL, 0, &c);
        st = lf->up_path;
        mm_stmt_i64(st, 1, site);
        mm_stmt_text(st, 2, f[1]);
        mm_stmt_i64(st, 3, c.kind != MW_K_NONE);
        mm_stmt_i64(st, 4, a->v[0]);
        mm_stmt_i64(st, 5, a->v[1]);
        mm_stmt_i64(st, 6, a->first);
        mm_stmt_i64(st, 7, a->last);
        if (a->v[2])
            mm_stmt_i64(st, 8, a->v[2] - 1);
        else
            mm_stmt_null(st, 8);
        mm_stmt_i64(st, 9, path_room(fl->lf, site, &fl->rc) ? 1 : 0);
        break;
    }
    case 'D':
        if (n != 3)
            return;
        st = lf->up_admin;
        mm_stmt_i64(st, 1, site);
        mm_stmt_text(st, 2, f[1]);
        mm_stmt_text(st, 3, f[2]);
        mm_stmt_text(st, 4, a->cc[0] ? a->cc : NULL);
        mm_stmt_i64(st, 5, a->v[0]);
        mm_stmt_i64(st, 6, a->first);
        mm_stmt_i64(st, 7, a->last);
        break;
    default:
        return;
    }
    if (mm_stmt_run(st) != 0)
        fl->rc = -1;
}

int mm_logfacts_flush(mm_logfacts *lf)
{
    flushing fl = {lf, 0};
    lf->nroom = 0;
    mm_strmap_each_len(&lf->map, write_one, &fl);
    mm_logfacts_drop(lf);
    return fl.rc;
}

void mm_logfacts_drop(mm_logfacts *lf)
{
    mm_strmap_free(&lf->map);
    mm_strmap_init(&lf->map);
    lf->n = 0;
}
