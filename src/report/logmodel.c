/*
 * logmodel.c - what the gateway logs show, per company, for the reports:
 * read from the store's log tables (store/schema.c) for the months of the
 * report's period.
 *
 *   firewall  blocked records per destination port and protocol (the top 20
 *             with their share), the telnet share, the share of the 100 most
 *             blocked ports that are IoT ports, blocked records per month
 *             next to the same month a year before, the sources blocked most
 *             (when a log never says blocked or allowed, every record counts
 *             and action_stated is false)
 *   shadow IT the catalogued cloud services with at least 1 MB exchanged in
 *             a calendar month (one row per service and month), their
 *             clients, and whether the inventory marks them sanctioned
 *   HTTPS     the share of proxied web requests that were HTTPS, per month
 *   findings  DNS, proxy and mail findings of log_findings, most first
 *   logins    sources with many failures in a day (password guessing), and
 *             successful logins from another country than the company's
 *
 * Every internal host named (in these findings and in the sensor's) is
 * looked up in the DHCP leases at its time: the machine's name and MAC
 * when a lease covered it.
 */
#include "analysis/catalog.h"
#include "report/model.h"
#include "util/strmap.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHADOW_MIN_BYTES (1024 * 1024)   /* 1 MB in a month: the service counts */
#define GUESS_MIN 10                     /* failures in a day from one source */
#define LEASE_MAX_US (8LL * 86400 * 1000000) /* a lease without a length: 8 days */
#define MAX_ROWS 2000

/* Ports IoT botnets scan for (Mirai and its variants: telnet 23/2323, the
 * ports of its descendants; routers' management and UPnP services; camera
 * and DVR services), as described by the public analyses of those botnets
 * and the scanning reports of national CERTs (JPCERT/CC, NICTER). */
static const struct {
    int port;
    const char *proto;
} iot_ports[] = {
    {23, "TCP"},    {2323, "TCP"},  {23231, "TCP"}, {7547, "TCP"},  {5555, "TCP"},
    {37215, "TCP"}, {52869, "TCP"}, {52881, "TCP"}, {32764, "TCP"}, {5358, "TCP"},
    {32, "TCP"},    {3232, "TCP"},  {53413, "UDP"}, {554, "TCP"},   {37777, "TCP"},
    {1883, "TCP"},  {9000, "TCP"},  {8291, "TCP"},  {81, "TCP"},    {8000, "TCP"},
    {34567, "TCP"}, {9527, "TCP"},  {60001, "TCP"}, {6789, "TCP"},  {49152, "TCP"},
    {5431, "TCP"},  {8081, "TCP"},  {2222, "TCP"},
};

static bool is_iot(int64_t port, const char *proto)
{
    for (size_t i = 0; i < sizeof iot_ports / sizeof *iot_ports; i++)
        if (iot_ports[i].port == port && strcmp(iot_ports[i].proto, proto) == 0)
            return true;
    return false;
}

static void month_of(const rp_model *m, int64_t us, char out[8])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        memset(&tm, 0, sizeof tm);
    snprintf(out, 8, "%04d-%02d", (tm.tm_year + 1900) % 10000, tm.tm_mon + 1);
    (void)m;
}

static void month_back(const char *m, char out[8])
{
    int y = atoi(m), mo = atoi(m + 5);
    snprintf(out, 8, "%04d-%02d", (y - 1 + 10000) % 10000, mo);
}

static void *grow(void *v, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return v;
    size_t nc = *cap ? *cap * 2 : 16;
    void *nv = realloc(v, nc * elem);
    if (!nv)
        return NULL;
    *cap = nc;
    return nv;
}

#define LEASE_SQL                                                                      \
    "SELECT mac, kind, hostname, ts, until_ts FROM dhcp_leases WHERE site_id = $1 AND"   \
    " ip = $2 AND ts <= $3 ORDER BY ts DESC LIMIT 1"

/* The lease that covered ip at us: the last acknowledgement before it, if
 * no release came after it and its length (or 8 days) had not run out. */
static void lookup(mm_stmt *st, int64_t site_id, const char *ip, int64_t us, rp_host *h)
{
    memset(h, 0, sizeof *h);
    snprintf(h->ip, sizeof h->ip, "%s", ip);
    if (!st || !ip[0])
        return;
    mm_stmt_i64(st, 1, site_id);
    mm_stmt_text(st, 2, ip);
    mm_stmt_i64(st, 3, us);
    if (mm_stmt_step(st) == 1 && strcmp(mm_col_text(st, 1), "ack") == 0) {
        int64_t ts = mm_col_i64(st, 3);
        int64_t until = mm_col_null(st, 4) ? ts + LEASE_MAX_US : mm_col_i64(st, 4);
        if (us <= until) {
            snprintf(h->mac, sizeof h->mac, "%s", mm_col_text(st, 0));
            snprintf(h->name, sizeof h->name, "%s", mm_col_text(st, 2));
        }
    }
    mm_stmt_reset(st);
}

const rp_host *rp_site_host(const rp_site *s, const char *ip)
{
    for (size_t i = 0; i < s->nhostinfo; i++)
        if (strcmp(s->hostinfo[i].ip, ip) == 0)
            return &s->hostinfo[i];
    return NULL;
}

/* A statement over [lo, hi] months (or days, times) bound as $1, $2. */
typedef struct qq {
    mm_db *db;
    mm_stmt *st;
    char *err;
    size_t errlen;
} qq;

static bool qo(qq *x, const char *sql)
{
    x->st = mm_db_prepare(x->db, sql);
    if (!x->st)
        snprintf(x->err, x->errlen, "store: %s", mm_db_error(x->db));
    return x->st != NULL;
}

static int qs(qq *x)
{
    int rc = mm_stmt_step(x->st);
    if (rc < 0)
        snprintf(x->err, x->errlen, "store: %s", mm_db_error(x->db));
    return rc;
}

static void qc(qq *x)
{
    mm_stmt_free(x->st);
    x->st = NULL;
}

static int port_desc(const void *a, const void *b)
{
    const rp_port *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return x->port < y->port ? -1 : x->port > y->port;
}

static int firewall(rp_model *m, qq *x, const char *lo, const char *hi)
{
    /* which sites' logs say blocked at all */
    if (!qo(x, "SELECT site_id, action, SUM(records) FROM fw_month WHERE month >= $1 AND"
               " month <= $2 GROUP BY site_id, action"))
        return -1;
    mm_stmt_text(x->st, 1, lo);
    mm_stmt_text(x->st, 2, hi);
    int rc;
    while ((rc = qs(x)) == 1) {
        rp_site *s = rp_site_by_id(m, mm_col_i64(x->st, 0));
        if (!s)
            continue;
        const char *a = mm_col_text(x->st, 1);
        int64_t n = mm_col_i64(x->st, 2);
        s->logs.any = true;
        s->logs.fw_records += n;
        if (strcmp(a, "blocked") == 0) {
            s->logs.blocked += n;
            s->logs.action_stated = true;
        } else if (strcmp(a, "allowed") == 0) {
            s->logs.action_stated = true;
        }
    }
    qc(x);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < m->nsite; i++) {
        rp_logs *L = &m->site[i].logs;
        if (!L->fw_records)
            continue;
        if (!L->action_stated)
            L->blocked = L->fw_records;
        const char *sel = L->action_stated ? "action = 'blocked'" : "1 = 1";
        char sql[512];
        /* every port, to find the top 100 and the shares */
        snprintf(sql, sizeof sql,
                 "SELECT proto, dest_port, SUM(records) AS n FROM fw_month WHERE site_id = $1"
                 " AND month >= $2 AND month <= $3 AND %s GROUP BY proto, dest_port"
                 " ORDER BY n DESC LIMIT 100", sel);
        if (!qo(x, sql))
            return -1;
        mm_stmt_i64(x->st, 1, m->site[i].id);
        mm_stmt_text(x->st, 2, lo);
        mm_stmt_text(x->st, 3, hi);
        rp_port top[100];
        size_t nt = 0;
        while ((rc = qs(x)) == 1 && nt < 100) {
            rp_port *p = &top[nt++];
            memset(p, 0, sizeof *p);
            snprintf(p->proto, sizeof p->proto, "%s", mm_col_text(x->st, 0));
            p->port = mm_col_i64(x->st, 1);
            p->count = mm_col_i64(x->st, 2);
            p->iot = is_iot(p->port, p->proto);
            p->share = L->blocked ? (double)p->count / (double)L->blocked : 0;
        }
        qc(x);
        if (rc < 0)
            return -1;
        mm_sort(top, nt, sizeof *top, port_desc);
        size_t niot = 0;
        for (size_t k = 0; k < nt; k++)
            niot += top[k].iot;
        L->iot_share_top100 = nt ? (double)niot / (double)nt : 0;
        L->nports = nt < 20 ? nt : 20;
        L->ports = calloc(L->nports ? L->nports : 1, sizeof *L->ports);
        if (!L->ports)
            return -1;
        memcpy(L->ports, top, L->nports * sizeof *top);
        /* telnet: 23 and 2323 over TCP */
        snprintf(sql, sizeof sql,
                 "SELECT COALESCE(SUM(records), 0) FROM fw_month WHERE site_id = $1"
                 " AND month >= $2 AND month <= $3 AND %s AND proto = 'TCP'"
                 " AND dest_port IN (23, 2323)", sel);
        if (!qo(x, sql))
            return -1;
        mm_stmt_i64(x->st, 1, m->site[i].id);
        mm_stmt_text(x->st, 2, lo);
        mm_stmt_text(x->st, 3, hi);
        if ((rc = qs(x)) == 1 && L->blocked)
            L->telnet_share = (double)mm_col_i64(x->st, 0) / (double)L->blocked;
        qc(x);
        if (rc < 0)
            return -1;
        /* per month, and the same month a year before (any time in the store) */
        snprintf(sql, sizeof sql,
                 "SELECT month, SUM(records) FROM fw_month WHERE site_id = $1 AND %s"
                 " GROUP BY month ORDER BY month", sel);
        if (!qo(x, sql))
            return -1;
        mm_stmt_i64(x->st, 1, m->site[i].id);
        rp_month *all = NULL;
        size_t na = 0, ca = 0;
        while ((rc = qs(x)) == 1 && na < MAX_ROWS) {
            rp_month *nv = grow(all, na, &ca, sizeof *all);
            if (!nv)
                break;
            all = nv;
            rp_month *mo = &all[na++];
            memset(mo, 0, sizeof *mo);
            snprintf(mo->month, sizeof mo->month, "%s", mm_col_text(x->st, 0));
            mo->n = mm_col_i64(x->st, 1);
        }
        qc(x);
        size_t keep = 0;
        for (size_t k = 0; k < na; k++)
            if (strcmp(all[k].month, lo) >= 0 && strcmp(all[k].month, hi) <= 0)
                keep++;
        L->fw_months = calloc(keep ? keep : 1, sizeof *L->fw_months);
        if (!L->fw_months) {
            free(all);
            return -1;
        }
        for (size_t k = 0; k < na; k++) {
            if (strcmp(all[k].month, lo) < 0 || strcmp(all[k].month, hi) > 0)
                continue;
            rp_month *mo = &L->fw_months[L->nfw_months++];
            *mo = all[k];
            mo->year_before = -1;
            char back[8];
            month_back(mo->month, back);
            for (size_t j = 0; j < na; j++)
                if (strcmp(all[j].month, back) == 0)
                    mo->year_before = all[j].n;
        }
        free(all);
        if (rc < 0)
            return -1;
        /* sources blocked most */
        snprintf(sql, sizeof sql,
                 "SELECT src_ip, MAX(cc), SUM(records) AS n FROM fw_src_month WHERE site_id = $1"
                 " AND month >= $2 AND month <= $3 GROUP BY src_ip ORDER BY n DESC, src_ip"
                 " LIMIT 10");
        if (!qo(x, sql))
            return -1;
        mm_stmt_i64(x->st, 1, m->site[i].id);
        mm_stmt_text(x->st, 2, lo);
        mm_stmt_text(x->st, 3, hi);
        L->srcs = calloc(10, sizeof *L->srcs);
        while (L->srcs && (rc = qs(x)) == 1 && L->nsrcs < 10) {
            rp_src *r = &L->srcs[L->nsrcs++];
            snprintf(r->ip, sizeof r->ip, "%s", mm_col_text(x->st, 0));
            snprintf(r->cc, sizeof r->cc, "%s", mm_col_text(x->st, 1));
            r->n = mm_col_i64(x->st, 2);
        }
        qc(x);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int shadow(rp_model *m, qq *x, const char *lo, const char *hi)
{
    if (!qo(x, "SELECT w.site_id, w.month, w.service, SUM(w.bytes_up), SUM(w.bytes_down),"
               " SUM(w.requests), COUNT(*), MIN(w.first_ts), MAX(w.last_ts),"
               " MAX(CASE WHEN i.value IS NULL THEN 0 ELSE 1 END)"
               " FROM web_month w LEFT JOIN inventory i ON i.site_id = w.site_id AND"
               " i.kind = 'sanctioned' AND i.value = w.service"
               " WHERE w.month >= $1 AND w.month <= $2"
               " GROUP BY w.site_id, w.month, w.service"
               " HAVING SUM(w.bytes_up) + SUM(w.bytes_down) >= $3"
               " ORDER BY w.site_id, w.month, SUM(w.bytes_up) + SUM(w.bytes_down) DESC"))
        return -1;
    mm_stmt_text(x->st, 1, lo);
    mm_stmt_text(x->st, 2, hi);
    mm_stmt_i64(x->st, 3, SHADOW_MIN_BYTES);
    int rc;
    size_t cap = 0;
    rp_site *last = NULL;
    while ((rc = qs(x)) == 1) {
        rp_site *s = rp_site_by_id(m, mm_col_i64(x->st, 0));
        if (!s)
            continue;
        if (s != last) {
            cap = s->logs.nshadow;
            last = s;
        }
        if (s->logs.nshadow >= MAX_ROWS)
            continue;
        rp_shadow *nv = grow(s->logs.shadow, s->logs.nshadow, &cap, sizeof *nv);
        if (!nv)
            break;
        s->logs.shadow = nv;
        rp_shadow *r = &nv[s->logs.nshadow++];
        memset(r, 0, sizeof *r);
        snprintf(r->month, sizeof r->month, "%s", mm_col_text(x->st, 1));
        snprintf(r->service, sizeof r->service, "%s", mm_col_text(x->st, 2));
        r->up = mm_col_i64(x->st, 3);
        r->down = mm_col_i64(x->st, 4);
        r->requests = mm_col_i64(x->st, 5);
        r->hosts = mm_col_i64(x->st, 6);
        r->first = mm_col_i64(x->st, 7);
        r->last = mm_col_i64(x->st, 8);
        r->sanctioned = mm_col_i64(x->st, 9) != 0;
        s->logs.any = true;
    }
    qc(x);
    return rc < 0 ? -1 : 0;
}

static int https_share(rp_model *m, qq *x, const char *lo, const char *hi)
{
    if (!qo(x, "SELECT site_id, month, https, http FROM web_scheme_month WHERE month >= $1"
               " AND month <= $2 ORDER BY site_id, month"))
        return -1;
    mm_stmt_text(x->st, 1, lo);
    mm_stmt_text(x->st, 2, hi);
    int rc;
    size_t cap = 0;
    rp_site *last = NULL;
    while ((rc = qs(x)) == 1) {
        rp_site *s = rp_site_by_id(m, mm_col_i64(x->st, 0));
        if (!s || s->logs.nhttps >= MAX_ROWS)
            continue;
        if (s != last) {
            cap = s->logs.nhttps;
            last = s;
        }
        int64_t a = mm_col_i64(x->st, 2), b = mm_col_i64(x->st, 3);
        if (a + b == 0)
            continue;
        rp_month *nv = grow(s->logs.https, s->logs.nhttps, &cap, sizeof *nv);
        if (!nv)
            break;
        s->logs.https = nv;
        rp_month *r = &nv[s->logs.nhttps++];
        memset(r, 0, sizeof *r);
        snprintf(r->month, sizeof r->month, "%s", mm_col_text(x->st, 1));
        r->n = a + b;
        r->share = (double)a / (double)(a + b);
        r->year_before = -1;
        s->logs.any = true;
    }
    qc(x);
    return rc < 0 ? -1 : 0;
}

/* Indicator hits of the watched sets (ioc_hits) and of sweeps of the
 * company's machines (sweep_hits: name the path or evidence line, host the
 * machine) come first, then the log findings: one query, kind 'ioc' for
 * the hits (name: what was seen, answer: the indicator and its set). */
static int findings(rp_model *m, qq *x)
{
    if (!qo(x, "SELECT site_id, kind, name, answer, host, count, first_ts, last_ts, o"
               " FROM (SELECT site_id, 'ioc' AS kind, seen AS name,"
               " indicator || ' [' || set_name || ']' AS answer, host, count, first_ts,"
               " last_ts, 0 AS o FROM ioc_hits WHERE last_ts >= $1 AND first_ts < $2"
               " UNION ALL SELECT site_id, 'ioc' AS kind, seen AS name,"
               " indicator || ' [' || set_name || ']' AS answer, host, count, first_ts,"
               " last_ts, 0 AS o FROM sweep_hits WHERE last_ts >= $1 AND first_ts < $2"
               " UNION ALL SELECT site_id, kind, name, answer, host, count, first_ts, last_ts,"
               " 1 AS o FROM log_findings WHERE last_ts >= $1 AND first_ts < $2) f"
               " ORDER BY site_id, o, count DESC, name"))
        return -1;
    mm_stmt_i64(x->st, 1, m->from);
    mm_stmt_i64(x->st, 2, m->to);
    int rc;
    size_t cap = 0;
    rp_site *last = NULL;
    while ((rc = qs(x)) == 1) {
        rp_site *s = rp_site_by_id(m, mm_col_i64(x->st, 0));
        if (!s || s->logs.nfind >= MAX_ROWS)
            continue;
        if (s != last) {
            cap = s->logs.nfind;
            last = s;
        }
        rp_logfind *nv = grow(s->logs.find, s->logs.nfind, &cap, sizeof *nv);
        if (!nv)
            break;
        s->logs.find = nv;
        rp_logfind *f = &nv[s->logs.nfind++];
        memset(f, 0, sizeof *f);
        snprintf(f->kind, sizeof f->kind, "%s", mm_col_text(x->st, 1));
        snprintf(f->name, sizeof f->name, "%s", mm_col_text(x->st, 2));
        snprintf(f->answer, sizeof f->answer, "%s", mm_col_text(x->st, 3));
        snprintf(f->host.ip, sizeof f->host.ip, "%s", mm_col_text(x->st, 4));
        f->count = mm_col_i64(x->st, 5);
        f->first = mm_col_i64(x->st, 6);
        f->last = mm_col_i64(x->st, 7);
        s->logs.any = true;
    }
    qc(x);
    return rc < 0 ? -1 : 0;
}

static int logins(rp_model *m, qq *x)
{
    /* guessing: many failures from one source in a day */
    if (!qo(x, "SELECT a.site_id, a.service, a.src_ip, MAX(a.cc), SUM(a.count), COUNT(*),"
               " MIN(a.first_ts), MAX(a.last_ts), MAX(a.last_user) FROM auth_day a"
               " WHERE a.result = 'failure' AND a.last_ts >= $1 AND a.first_ts < $2"
               " AND a.count >= $3 GROUP BY a.site_id, a.service, a.src_ip"
               " ORDER BY a.site_id, SUM(a.count) DESC"))
        return -1;
    mm_stmt_i64(x->st, 1, m->from);
    mm_stmt_i64(x->st, 2, m->to);
    mm_stmt_i64(x->st, 3, GUESS_MIN);
    int rc;
    for (int pass = 0; pass < 2; pass++) {
        size_t cap = 0;
        rp_site *last = NULL;
        while ((rc = qs(x)) == 1) {
            rp_site *s = rp_site_by_id(m, mm_col_i64(x->st, 0));
            if (!s || s->logs.nauth >= MAX_ROWS)
                continue;
            if (s != last) {
                cap = s->logs.nauth;
                last = s;
            }
            const char *cc = mm_col_text(x->st, 3);
            rp_authfind *nv = grow(s->logs.auth, s->logs.nauth, &cap, sizeof *nv);
            if (!nv)
                break;
            s->logs.auth = nv;
            rp_authfind *a = &nv[s->logs.nauth++];
            memset(a, 0, sizeof *a);
            snprintf(a->kind, sizeof a->kind, "%s", pass ? "abroad" : "guessing");
            snprintf(a->service, sizeof a->service, "%s", mm_col_text(x->st, 1));
            snprintf(a->src, sizeof a->src, "%s", mm_col_text(x->st, 2));
            snprintf(a->cc, sizeof a->cc, "%s", cc);
            a->count = mm_col_i64(x->st, 4);
            a->days = mm_col_i64(x->st, 5);
            a->first = mm_col_i64(x->st, 6);
            a->last = mm_col_i64(x->st, 7);
            snprintf(a->user, sizeof a->user, "%s", mm_col_text(x->st, 8));
            s->logs.any = true;
        }
        qc(x);
        if (rc < 0)
            return -1;
        if (pass == 0) {
            if (!qo(x, "SELECT a.site_id, a.service, a.src_ip, MAX(a.cc), SUM(a.count),"
                       " COUNT(*), MIN(a.first_ts), MAX(a.last_ts), MAX(a.last_user)"
                       " FROM auth_day a WHERE a.result = 'success' AND a.cc IS NOT NULL"
                       " AND a.cc <> COALESCE((SELECT i.value FROM inventory i WHERE"
                       " i.site_id = a.site_id AND i.kind = 'country'), 'JP')"
                       " AND a.last_ts >= $1 AND a.first_ts < $2"
                       " GROUP BY a.site_id, a.service, a.src_ip"
                       " ORDER BY a.site_id, SUM(a.count) DESC"))
                return -1;
            mm_stmt_i64(x->st, 1, m->from);
            mm_stmt_i64(x->st, 2, m->to);
        }
    }
    return 0;
}

static int host_add(rp_site *s, size_t *cap, mm_stmt *st, const char *ip, int64_t us)
{
    if (!ip[0] || rp_site_host(s, ip) || s->nhostinfo >= MAX_ROWS)
        return 0;
    rp_host *nv = grow(s->hostinfo, s->nhostinfo, cap, sizeof *nv);
    if (!nv)
        return -1;
    s->hostinfo = nv;
    lookup(st, s->id, ip, us, &nv[s->nhostinfo++]);
    return 0;
}

static int level_of(const rp_logs *L)
{
    int lv = 0;
    for (size_t i = 0; i < L->nfind; i++) {
        const char *k = L->find[i].kind;
        int l = strcmp(k, "sinkhole") == 0 || strcmp(k, "ioc") == 0 ? 1 : 2;
        if (!lv || l < lv)
            lv = l;
    }
    for (size_t i = 0; i < L->nauth; i++) {
        int l = strcmp(L->auth[i].kind, "abroad") == 0 ? 1 : 2;
        if (!lv || l < lv)
            lv = l;
    }
    for (size_t i = 0; i < L->nshadow; i++)
        if (!L->shadow[i].sanctioned && (!lv || lv > 3))
            lv = 3;
    return lv;
}

static rp_kv *kv_bump(rp_kv **v, size_t *n, size_t *cap, const char *key, int64_t by)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].key, key) == 0) {
            (*v)[i].n += by;
            return &(*v)[i];
        }
    rp_kv *nv = grow(*v, *n, cap, sizeof *nv);
    if (!nv)
        return NULL;
    *v = nv;
    rp_kv *k = &nv[(*n)++];
    snprintf(k->key, sizeof k->key, "%s", key);
    k->n = by;
    return k;
}

static int kv_more(const void *a, const void *b)
{
    const rp_kv *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->key, y->key);
}

/* Across companies: the ports blocked (each company's blocked records, or
 * every record where its log does not say), the services in use and the
 * kinds of finding, each counted once per company. */
static int survey(rp_model *m, qq *x, const char *lo, const char *hi)
{
    rp_logsurvey *S = &m->logs;
    rp_port *all = NULL;
    size_t na = 0, ca = 0;
    mm_strmap idx;             /* "TCP/23" -> index in all */
    mm_strmap_init(&idx);
    for (size_t i = 0; i < m->nsite; i++) {
        const rp_logs *L = &m->site[i].logs;
        if (!L->fw_records)
            continue;
        S->fw_sites++;
        S->blocked += L->blocked;
        char sql[320];
        snprintf(sql, sizeof sql,
                 "SELECT proto, dest_port, SUM(records) FROM fw_month WHERE site_id = $1"
                 " AND month >= $2 AND month <= $3 AND %s GROUP BY proto, dest_port",
                 L->action_stated ? "action = 'blocked'" : "1 = 1");
        if (!qo(x, sql))
            goto fail;
        mm_stmt_i64(x->st, 1, m->site[i].id);
        mm_stmt_text(x->st, 2, lo);
        mm_stmt_text(x->st, 3, hi);
        int rc;
        while ((rc = qs(x)) == 1) {
            const char *proto = mm_col_text(x->st, 0);
            int64_t port = mm_col_i64(x->st, 1), n = mm_col_i64(x->st, 2);
            char key[48];
            int kl = snprintf(key, sizeof key, "%s/%lld", proto, (long long)port);
            bool added;
            uint64_t *slot = na < 400000 && kl > 0
                                 ? mm_strmap_put(&idx, key, (size_t)kl, na, &added)
                                 : NULL;
            if (!slot)
                continue;
            if (added) {
                rp_port *nv = grow(all, na, &ca, sizeof *nv);
                if (!nv) {
                    mm_strmap_del(&idx, key, (size_t)kl);
                    continue;
                }
                all = nv;
                memset(&all[na], 0, sizeof *all);
                snprintf(all[na].proto, sizeof all[na].proto, "%s", proto);
                all[na].port = port;
                all[na].iot = is_iot(port, proto);
                na++;
            }
            all[*slot].count += n;
        }
        qc(x);
        if (rc < 0)
            goto fail;
    }
    mm_strmap_free(&idx);
    mm_strmap_init(&idx);      /* empty again: the failure path frees it too */
    mm_sort(all, na, sizeof *all, port_desc);
    size_t top = na < 100 ? na : 100, niot = 0;
    int64_t telnet = 0;
    for (size_t k = 0; k < na; k++) {
        all[k].share = S->blocked ? (double)all[k].count / (double)S->blocked : 0;
        if (k < top)
            niot += all[k].iot;
        if (strcmp(all[k].proto, "TCP") == 0 && (all[k].port == 23 || all[k].port == 2323))
            telnet += all[k].count;
    }
    S->iot_share_top100 = top ? (double)niot / (double)top : 0;
    S->telnet_share = S->blocked ? (double)telnet / (double)S->blocked : 0;
    S->nports = na < 20 ? na : 20;
    if (S->nports) {
        S->ports = malloc(S->nports * sizeof *S->ports);
        if (!S->ports)
            goto fail;
        memcpy(S->ports, all, S->nports * sizeof *all);
    }
    free(all);
    all = NULL;
    size_t cs = 0, ck = 0;
    for (size_t i = 0; i < m->nsite; i++) {
        const rp_logs *L = &m->site[i].logs;
        /* each service and kind once per company */
        for (size_t k = 0; k < L->nshadow; k++) {
            bool seen = false;
            for (size_t j = 0; j < k && !seen; j++)
                seen = strcmp(L->shadow[j].service, L->shadow[k].service) == 0;
            if (!seen && !kv_bump(&S->services, &S->nservices, &cs, L->shadow[k].service, 1))
                goto fail;
        }
        const char *kinds[32];
        size_t nk = 0;
        for (size_t k = 0; k < L->nfind + L->nauth; k++) {
            const char *kind = k < L->nfind ? L->find[k].kind : L->auth[k - L->nfind].kind;
            bool seen = false;
            for (size_t j = 0; j < nk && !seen; j++)
                seen = strcmp(kinds[j], kind) == 0;
            if (seen || nk == 32)
                continue;
            kinds[nk++] = kind;
            if (!kv_bump(&S->kinds, &S->nkinds, &ck, kind, 1))
                goto fail;
        }
    }
    mm_sort(S->services, S->nservices, sizeof *S->services, kv_more);
    mm_sort(S->kinds, S->nkinds, sizeof *S->kinds, kv_more);
    return 0;
fail:
    mm_strmap_free(&idx);
    free(all);
    if (!x->err[0])
        snprintf(x->err, x->errlen, "out of memory");
    return -1;
}

int rp_logs_build(rp_model *m, mm_db *db, char *err, size_t errlen)
{
    char lo[8], hi[8];
    month_of(m, m->from, lo);
    month_of(m, m->to - 1, hi);
    qq x = {db, NULL, err, errlen};
    err[0] = 0;
    if (firewall(m, &x, lo, hi) != 0 || shadow(m, &x, lo, hi) != 0 ||
        https_share(m, &x, lo, hi) != 0 || findings(m, &x) != 0 || logins(m, &x) != 0 ||
        survey(m, &x, lo, hi) != 0)
        return -1;
    mm_stmt *st = mm_db_prepare(db, LEASE_SQL);
    if (!st) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < m->nsite && rc == 0; i++) {
        rp_site *s = &m->site[i];
        size_t cap = 0;
        /* the machines behind the internal addresses of every finding, at
         * the finding's (last) time */
        for (size_t k = 0; k < s->logs.nfind && rc == 0; k++) {
            rp_logfind *f = &s->logs.find[k];
            if (!f->host.ip[0])
                continue;
            char ip[46];
            snprintf(ip, sizeof ip, "%s", f->host.ip);
            lookup(st, s->id, ip, f->last, &f->host);
            rc = host_add(s, &cap, st, ip, f->last);
        }
        for (size_t k = 0; k < s->nfind && rc == 0; k++)
            for (size_t j = 0; j < s->find[k].nh && rc == 0; j++)
                rc = host_add(s, &cap, st, s->find[k].hosts[j].key, s->find[k].last);
        const rp_peers *pics[] = {&s->remote_control, &s->malicious, &s->ddos};
        for (size_t k = 0; k < 3 && rc == 0; k++)
            for (size_t j = 0; j < pics[k]->n && rc == 0; j++)
                rc = host_add(s, &cap, st, pics[k]->v[j].local, pics[k]->v[j].last);
        s->logs.level = level_of(&s->logs);
        if (s->logs.level && s->logs.level < s->level)
            s->level = s->logs.level;
    }
    mm_stmt_free(st);
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
    return rc;
}

void rp_logs_categories(rp_model *m, const mm_catalog *cat)
{
    for (size_t i = 0; i < m->nsite; i++)
        for (size_t k = 0; k < m->site[i].logs.nshadow; k++) {
            rp_shadow *r = &m->site[i].logs.shadow[k];
            const char *c = mm_catalog_category(cat, mm_catalog_by_name(cat, r->service));
            snprintf(r->category, sizeof r->category, "%s", c ? c : "other");
        }
}

const char *rp_logs_first_kind(const rp_logs *l)
{
    for (size_t i = 0; i < l->nauth; i++)
        if (strcmp(l->auth[i].kind, "abroad") == 0)
            return "abroad";
    for (size_t i = 0; i < l->nfind; i++)
        if (strcmp(l->find[i].kind, "ioc") == 0)
            return "ioc";
    for (size_t i = 0; i < l->nfind; i++)
        if (strcmp(l->find[i].kind, "sinkhole") == 0)
            return "sinkhole";
    return l->nfind ? l->find[0].kind : l->nauth ? l->auth[0].kind : NULL;
}

void rp_logsurvey_free(rp_logsurvey *s)
{
    free(s->ports);
    free(s->services);
    free(s->kinds);
    memset(s, 0, sizeof *s);
}

void rp_logs_free(rp_logs *l)
{
    free(l->ports);
    free(l->fw_months);
    free(l->srcs);
    free(l->shadow);
    free(l->https);
    free(l->find);
    free(l->auth);
    memset(l, 0, sizeof *l);
}
