/*
 * model.c - the report model from the store (see model.h).
 *
 * Every figure is an SQL aggregate that runs the same on SQLite and
 * PostgreSQL; the C side only sorts, joins small lists and applies the
 * picture rules of the field report:
 *
 *   remote control from outside  alerts of family rdp (and brute force on
 *                                remote logins) on inbound connections, per
 *                                remote address; "accepted" when an alert
 *                                says the login or connection succeeded
 *   talking to malicious sites   alerts of the malware families (c2, gh0st,
 *                                exploit-kit, malicious-file, cryptojacking)
 *                                between an internal host and a public
 *                                address, with how long the two talked and
 *                                whether data went both ways (flows)
 *   DDoS received                alerts of family ntp-ddos (and other floods)
 *                                inbound, with the packets received
 *
 * Cross-company: a public address in alerts at two or more companies
 * (private addresses at different companies are unrelated, so they are
 * never matched); the same over flows as a secondary view, with public
 * resolvers and common services marked as shared infrastructure.
 */
#include "report/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_US 86400000000LL

static const char *const malware_fams = "'c2','gh0st','exploit-kit','malicious-file','cryptojacking'";

/* Well-known public resolvers and time services: shared infrastructure,
 * not a sign that companies share an attacker. */
static const char *const shared_ips[][2] = {
    {"8.8.8.8", "Google Public DNS"},     {"8.8.4.4", "Google Public DNS"},
    {"1.1.1.1", "Cloudflare DNS"},        {"1.0.0.1", "Cloudflare DNS"},
    {"9.9.9.9", "Quad9 DNS"},             {"149.112.112.112", "Quad9 DNS"},
    {"208.67.222.222", "OpenDNS"},        {"208.67.220.220", "OpenDNS"},
    {"2001:4860:4860::8888", "Google Public DNS"}, {"2606:4700:4700::1111", "Cloudflare DNS"},
    {"210.173.160.27", "NTP (mfeed)"},    {"133.243.238.243", "NTP (NICT)"},
    {"133.243.238.244", "NTP (NICT)"},    {"61.205.120.130", "NTP (NICT)"},
};

/* ---- small lists ---- */

static rp_kv *list_add(rp_list *l, const char *key, int64_t n)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].key, key) == 0) {
            l->v[i].n += n;
            return &l->v[i];
        }
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        rp_kv *v = realloc(l->v, nc * sizeof(*v));
        if (!v)
            return NULL;
        l->v = v;
        l->cap = nc;
    }
    rp_kv *kv = &l->v[l->n++];
    snprintf(kv->key, sizeof kv->key, "%s", key);
    kv->n = n;
    return kv;
}

static int kv_desc(const void *a, const void *b)
{
    const rp_kv *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->key, y->key);
}

static int kv_key(const void *a, const void *b)
{
    return strcmp(((const rp_kv *)a)->key, ((const rp_kv *)b)->key);
}

static rp_peer *peer_add(rp_peers *p)
{
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 16;
        rp_peer *v = realloc(p->v, nc * sizeof(*v));
        if (!v)
            return NULL;
        p->v = v;
        p->cap = nc;
    }
    rp_peer *r = &p->v[p->n++];
    memset(r, 0, sizeof(*r));
    return r;
}

static rp_peer *peer_find(rp_peers *p, const char *ip, const char *local)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].ip, ip) && (!local || !strcmp(p->v[i].local, local)))
            return &p->v[i];
    return NULL;
}

static void add_family(char *fams, size_t n, const char *f)
{
    size_t fl = strlen(f);
    for (const char *p = fams; (p = strstr(p, f)); p += fl)
        if ((p == fams || p[-1] == ',') && (p[fl] == 0 || p[fl] == ','))
            return;
    size_t l = strlen(fams);
    if (l + fl + 2 > n)
        return;
    snprintf(fams + l, n - l, "%s%s", l ? "," : "", f);
}

static int cc_desc(const void *a, const void *b)
{
    const rp_country *x = a, *y = b;
    int64_t s = x->in + x->out, t = y->in + y->out;
    if (s != t)
        return s < t ? 1 : -1;
    return strcmp(x->cc, y->cc);
}

static int peer_desc(const void *a, const void *b)
{
    const rp_peer *x = a, *y = b;
    if (x->alerts != y->alerts)
        return x->alerts < y->alerts ? 1 : -1;
    int c = strcmp(x->ip, y->ip);
    return c ? c : strcmp(x->local, y->local);
}

static rp_country *cc_add(rp_country **v, size_t *n, const char *cc, int64_t in, int64_t out)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*v)[i].cc, cc)) {
            (*v)[i].in += in;
            (*v)[i].out += out;
            return &(*v)[i];
        }
    rp_country *nv = realloc(*v, (*n + 1) * sizeof(**v));
    if (!nv)
        return NULL;
    *v = nv;
    rp_country *c = &nv[(*n)++];
    snprintf(c->cc, sizeof c->cc, "%s", cc);
    c->in = in;
    c->out = out;
    return c;
}

/* ---- queries ---- */

typedef struct q {
    mm_db *db;
    mm_stmt *st;
    char *err;
    size_t errlen;
} q;

/* Prepares sql and binds from, to as $1, $2 (when the text uses them). */
static bool qopen(q *x, const rp_model *m, const char *sql)
{
    x->st = mm_db_prepare(x->db, sql);
    if (!x->st) {
        snprintf(x->err, x->errlen, "store: %s", mm_db_error(x->db));
        return false;
    }
    if (strstr(sql, "$1")) {
        mm_stmt_i64(x->st, 1, m->from);
        mm_stmt_i64(x->st, 2, m->to);
    }
    return true;
}

static int qstep(q *x)
{
    int rc = mm_stmt_step(x->st);
    if (rc < 0)
        snprintf(x->err, x->errlen, "store: %s", mm_db_error(x->db));
    return rc;
}

static void qclose(q *x)
{
    mm_stmt_free(x->st);
    x->st = NULL;
}

static rp_site *site_by_id(rp_model *m, int64_t id)
{
    for (size_t i = 0; i < m->nsite; i++)
        if (m->site[i].id == id)
            return &m->site[i];
    return NULL;
}

int rp_model_site(const rp_model *m, const char *name)
{
    for (size_t i = 0; i < m->nsite; i++)
        if (!strcmp(m->site[i].name, name))
            return (int)i;
    return -1;
}

void rp_fmt_time(const rp_model *m, int64_t us, char *out, size_t n, bool with_time)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    if (!localtime_r(&t, &tm)) {
        snprintf(out, n, "?");
        return;
    }
    (void)m;
    if (with_time)
        snprintf(out, n, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min);
    else
        snprintf(out, n, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The alert-based peer lists of every site: sql yields (site_id, remote,
 * local-or-'', cc, count, first, last, min severity, success, signature,
 * explain) grouped as the list wants; rows of one key add up. */
static int load_peers(rp_model *m, q *x, const char *sql, size_t off, bool by_local)
{
    if (!qopen(x, m, sql))
        return -1;
    int rc;
    while ((rc = qstep(x)) == 1) {
        rp_site *s = site_by_id(m, mm_col_i64(x->st, 0));
        if (!s)
            continue;
        rp_peers *ps = (rp_peers *)((char *)s + off);
        const char *ip = mm_col_text(x->st, 1), *local = mm_col_text(x->st, 2);
        rp_peer *p = peer_find(ps, ip, by_local ? local : NULL);
        int64_t cnt = mm_col_i64(x->st, 4);
        if (!p) {
            if (!(p = peer_add(ps)))
                break;
            snprintf(p->ip, sizeof p->ip, "%s", ip);
            snprintf(p->local, sizeof p->local, "%s", local);
            snprintf(p->cc, sizeof p->cc, "%s", mm_col_text(x->st, 3));
            p->first = mm_col_i64(x->st, 5);
            p->last = mm_col_i64(x->st, 6);
            p->sev = (int)mm_col_i64(x->st, 7);
        }
        if (cnt > 0 && (p->sig[0] == 0 || cnt > p->alerts)) {
            snprintf(p->sig, sizeof p->sig, "%s", mm_col_text(x->st, 9));
            snprintf(p->explain, sizeof p->explain, "%s", mm_col_text(x->st, 10));
        }
        p->alerts += cnt;
        if (mm_col_i64(x->st, 5) < p->first)
            p->first = mm_col_i64(x->st, 5);
        if (mm_col_i64(x->st, 6) > p->last)
            p->last = mm_col_i64(x->st, 6);
        int sev = (int)mm_col_i64(x->st, 7);
        if (sev && (!p->sev || sev < p->sev))
            p->sev = sev;
        if (mm_col_i64(x->st, 8))
            p->success = true;
    }
    qclose(x);
    return rc < 0 ? -1 : 0;
}

#define PEER_COLS                                                                               \
    "COUNT(*), MIN(ts), MAX(ts), MIN(severity),"                                                \
    " MAX(CASE WHEN sid IN (8700013, 8700052, 2001330) THEN 1 ELSE 0 END), signature,"          \
    " COALESCE(explain, '')"

/* Flow figures of the peer lists: sums over flows_day for the pairs of
 * (company, remote address) that had alerts, read once through the
 * key of flows_day and given to every list that holds the pair. */
static void add_flows(rp_peer *p, mm_stmt *st)
{
    p->flows += mm_col_i64(st, 3);
    p->pkts_in += mm_col_i64(st, 4);
    p->pkts_out += mm_col_i64(st, 5);
    p->bytes_in += mm_col_i64(st, 6);
    p->bytes_out += mm_col_i64(st, 7);
    int64_t f = mm_col_i64(st, 8), l = mm_col_i64(st, 9);
    if (!p->flow_first || f < p->flow_first)
        p->flow_first = f;
    if (l > p->flow_last)
        p->flow_last = l;
}

static int load_peer_flows(rp_model *m, q *x)
{
    if (!qopen(x, m,
               "SELECT f.site_id, f.remote_ip, f.local_ip, SUM(f.flows), SUM(f.pkts_in),"
               " SUM(f.pkts_out), SUM(f.bytes_in), SUM(f.bytes_out), MIN(f.first_ts),"
               " MAX(f.last_ts) FROM (SELECT DISTINCT site_id, remote_ip FROM alerts"
               " WHERE ts >= $1 AND ts < $2 AND remote_public = 1) a JOIN flows_day f"
               " ON f.site_id = a.site_id AND f.remote_ip = a.remote_ip"
               " WHERE f.day >= CAST($1 AS BIGINT) / 86400000000"
               " AND f.day <= (CAST($2 AS BIGINT) - 1) / 86400000000"
               " GROUP BY f.site_id, f.remote_ip, f.local_ip"))
        return -1;
    int rc;
    while ((rc = qstep(x)) == 1) {
        rp_site *s = site_by_id(m, mm_col_i64(x->st, 0));
        if (!s)
            continue;
        const char *ip = mm_col_text(x->st, 1), *local = mm_col_text(x->st, 2);
        rp_peer *p;
        if ((p = peer_find(&s->remotes, ip, NULL)))
            add_flows(p, x->st);
        if ((p = peer_find(&s->ddos, ip, NULL)))
            add_flows(p, x->st);
        if ((p = peer_find(&s->remote_control, ip, local)))
            add_flows(p, x->st);
        if ((p = peer_find(&s->malicious, ip, local)))
            add_flows(p, x->st);
    }
    qclose(x);
    return rc < 0 ? -1 : 0;
}

static int load_xips(rp_model *m, q *x, const char *sql_ips, const char *sql_fams, bool flows)
{
    rp_xip **vp = flows ? &m->xflow : &m->xip;
    size_t *np = flows ? &m->nxflow : &m->nxip;
    if (!qopen(x, m, sql_ips))
        return -1;
    int rc;
    while ((rc = qstep(x)) == 1) {
        const char *ip = mm_col_text(x->st, 0);
        rp_site *s = site_by_id(m, mm_col_i64(x->st, 1));
        if (!s)
            continue;
        rp_xip *xi = NULL;
        if (*np && !strcmp((*vp)[*np - 1].ip, ip))
            xi = &(*vp)[*np - 1];
        if (!xi) {
            rp_xip *nv = realloc(*vp, (*np + 1) * sizeof(*nv));
            if (!nv)
                break;
            *vp = nv;
            xi = &nv[(*np)++];
            memset(xi, 0, sizeof(*xi));
            snprintf(xi->ip, sizeof xi->ip, "%s", ip);
            snprintf(xi->cc, sizeof xi->cc, "%s", mm_col_text(x->st, 2));
            xi->first = mm_col_i64(x->st, 4);
            for (size_t k = 0; k < sizeof shared_ips / sizeof shared_ips[0]; k++)
                if (!strcmp(shared_ips[k][0], ip)) {
                    xi->shared_infra = true;
                    snprintf(xi->infra, sizeof xi->infra, "%s", shared_ips[k][1]);
                }
        }
        int64_t *ns = realloc(xi->sites, (xi->nsites + 1) * sizeof(*ns));
        if (!ns)
            break;
        xi->sites = ns;
        xi->sites[xi->nsites++] = s - m->site;
        xi->alerts += mm_col_i64(x->st, 3);
        if (mm_col_i64(x->st, 4) < xi->first)
            xi->first = mm_col_i64(x->st, 4);
        if (mm_col_i64(x->st, 5) > xi->last)
            xi->last = mm_col_i64(x->st, 5);
        /* flows: column 6 counts alerts with the address, column 7 the
         * flows that were not ours to a web, name or time service */
        bool common = flows && mm_col_i64(x->st, 6) == 0 && mm_col_i64(x->st, 7) == 0;
        if (common && xi->nsites == 1 && !xi->shared_infra) {
            xi->shared_infra = true;
            snprintf(xi->infra, sizeof xi->infra, "%s", "common service");
        }
        if (flows && !common && !strcmp(xi->infra, "common service")) {
            xi->shared_infra = false;
            xi->infra[0] = 0;
        }
    }
    qclose(x);
    if (rc < 0)
        return -1;
    if (!sql_fams)
        return 0;
    if (!qopen(x, m, sql_fams))
        return -1;
    while ((rc = qstep(x)) == 1) {
        const char *ip = mm_col_text(x->st, 0);
        for (size_t i = 0; i < *np; i++)
            if (!strcmp((*vp)[i].ip, ip))
                add_family((*vp)[i].families, sizeof (*vp)[i].families, mm_col_text(x->st, 1));
    }
    qclose(x);
    return rc < 0 ? -1 : 0;
}

static int xip_order(const void *a, const void *b)
{
    const rp_xip *x = a, *y = b;
    if (x->nsites != y->nsites)
        return x->nsites < y->nsites ? 1 : -1;
    if (x->alerts != y->alerts)
        return x->alerts < y->alerts ? 1 : -1;
    return strcmp(x->ip, y->ip);
}

static int find_order(const void *a, const void *b)
{
    const rp_finding *x = a, *y = b;
    if (x->sev != y->sev)
        return x->sev < y->sev ? -1 : 1;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->key, y->key);
}

static rp_finding *finding(rp_site *s, const char *key, const char *fam)
{
    for (size_t i = 0; i < s->nfind; i++)
        if (!strcmp(s->find[i].key, key) && !strcmp(s->find[i].family, fam))
            return &s->find[i];
    return NULL;
}

/* Findings: alerts grouped by explanation, with the hosts and addresses
 * most involved as evidence. */
static int load_findings(rp_model *m, q *x)
{
    if (!qopen(x, m, "SELECT site_id, COALESCE(explain, family), family, MIN(severity), COUNT(*),"
                     " MIN(ts), MAX(ts), COUNT(DISTINCT local_ip), COUNT(DISTINCT remote_ip),"
                     " MAX(signature) FROM alerts WHERE ts >= $1 AND ts < $2"
                     " GROUP BY site_id, COALESCE(explain, family), family"))
        return -1;
    int rc;
    while ((rc = qstep(x)) == 1) {
        rp_site *s = site_by_id(m, mm_col_i64(x->st, 0));
        if (!s)
            continue;
        rp_finding *v = realloc(s->find, (s->nfind + 1) * sizeof(*v));
        if (!v)
            break;
        s->find = v;
        rp_finding *f = &v[s->nfind++];
        memset(f, 0, sizeof(*f));
        snprintf(f->key, sizeof f->key, "%s", mm_col_text(x->st, 1));
        snprintf(f->family, sizeof f->family, "%s", mm_col_text(x->st, 2));
        f->sev = (int)mm_col_i64(x->st, 3);
        f->count = mm_col_i64(x->st, 4);
        f->first = mm_col_i64(x->st, 5);
        f->last = mm_col_i64(x->st, 6);
        f->nhosts = mm_col_i64(x->st, 7);
        f->nremotes = mm_col_i64(x->st, 8);
        snprintf(f->sig, sizeof f->sig, "%s", mm_col_text(x->st, 9));
    }
    qclose(x);
    if (rc < 0)
        return -1;
    if (!qopen(x, m, "SELECT site_id, COALESCE(explain, family), family, local_ip, remote_ip,"
                     " COALESCE(remote_cc, ''), remote_public, COUNT(*) FROM alerts"
                     " WHERE ts >= $1 AND ts < $2 GROUP BY site_id, COALESCE(explain, family),"
                     " family, local_ip, remote_ip, remote_cc, remote_public ORDER BY 8 DESC"))
        return -1;
    while ((rc = qstep(x)) == 1) {
        rp_site *s = site_by_id(m, mm_col_i64(x->st, 0));
        rp_finding *f = s ? finding(s, mm_col_text(x->st, 1), mm_col_text(x->st, 2)) : NULL;
        if (!f)
            continue;
        const char *local = mm_col_text(x->st, 3), *remote = mm_col_text(x->st, 4);
        int64_t n = mm_col_i64(x->st, 7);
        size_t i;
        for (i = 0; i < f->nh && strcmp(f->hosts[i].key, local); i++)
            ;
        if (i < f->nh)
            f->hosts[i].n += n;
        else if (f->nh < RP_EVID) {
            snprintf(f->hosts[f->nh].key, sizeof f->hosts[0].key, "%s", local);
            f->hosts[f->nh++].n = n;
        }
        for (i = 0; i < f->nr && strcmp(f->remotes[i].ip, remote); i++)
            ;
        if (i < f->nr)
            f->remotes[i].n += n;
        else if (f->nr < RP_EVID) {
            snprintf(f->remotes[f->nr].ip, sizeof f->remotes[0].ip, "%s", remote);
            snprintf(f->remotes[f->nr].cc, sizeof f->remotes[0].cc, "%s",
                     mm_col_i64(x->st, 6) ? mm_col_text(x->st, 5) : "");
            f->remotes[f->nr++].n = n;
        }
    }
    qclose(x);
    return rc < 0 ? -1 : 0;
}

static int64_t zone_offset(int64_t us)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    return tm.tm_gmtoff;
}

int rp_model_build(rp_model *m, mm_db *db, int64_t from, int64_t to, const char *tz, char *err,
                   size_t errlen)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->tz, sizeof m->tz, "%s", tz ? tz : "Asia/Tokyo");
    setenv("TZ", m->tz, 1);
    tzset();
    q x = {db, NULL, err, errlen};
    if (mm_store_init(db) != 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return -1;
    }
    if (!from && !to) {
        int64_t a = mm_db_scalar(db, "SELECT MIN(ts) FROM alerts"),
                b = mm_db_scalar(db, "SELECT MIN(first_ts) FROM flows_day");
        int64_t c = mm_db_scalar(db, "SELECT MAX(ts) FROM alerts"),
                d = mm_db_scalar(db, "SELECT MAX(last_ts) FROM flows_day");
        from = a && b ? (a < b ? a : b) : a ? a : b;
        to = (c > d ? c : d) + 1;
    }
    m->from = from;
    m->to = to;
    m->tzoff = zone_offset(to - 1);

    /* companies */
    if (!qopen(&x, m, "SELECT id, name FROM sites ORDER BY name"))
        return -1;
    int rc;
    while ((rc = qstep(&x)) == 1) {
        rp_site *v = realloc(m->site, (m->nsite + 1) * sizeof(*v));
        if (!v)
            break;
        m->site = v;
        rp_site *s = &v[m->nsite++];
        memset(s, 0, sizeof(*s));
        s->id = mm_col_i64(x.st, 0);
        snprintf(s->name, sizeof s->name, "%s", mm_col_text(x.st, 1));
    }
    qclose(&x);
    if (rc < 0)
        return -1;

    /* alerts by family and severity */
    if (!qopen(&x, m, "SELECT site_id, family, severity, COUNT(*) FROM alerts"
                      " WHERE ts >= $1 AND ts < $2 GROUP BY site_id, family, severity"))
        return -1;
    while ((rc = qstep(&x)) == 1) {
        rp_site *s = site_by_id(m, mm_col_i64(x.st, 0));
        if (!s)
            continue;
        int64_t n = mm_col_i64(x.st, 3), sev = mm_col_i64(x.st, 2);
        const char *fam = mm_col_text(x.st, 1);
        list_add(&s->families, fam, n);
        list_add(&m->fam_alerts, fam, n);
        s->alerts += n;
        m->alerts += n;
        s->sev[sev >= 1 && sev <= 3 ? sev : 3] += n;
    }
    qclose(&x);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < m->nsite; i++) {
        rp_site *s = &m->site[i];
        qsort(s->families.v, s->families.n, sizeof(rp_kv), kv_desc);
        for (size_t k = 0; k < s->families.n; k++)
            list_add(&m->fam_sites, s->families.v[k].key, 1);
    }
    qsort(m->fam_sites.v, m->fam_sites.n, sizeof(rp_kv), kv_desc);
    qsort(m->fam_alerts.v, m->fam_alerts.n, sizeof(rp_kv), kv_desc);

    /* alerts per local day */
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT site_id, (ts + %lld) / 86400000000, COUNT(*) FROM alerts"
             " WHERE ts >= $1 AND ts < $2 GROUP BY site_id, (ts + %lld) / 86400000000",
             (long long)m->tzoff * 1000000, (long long)m->tzoff * 1000000);
    if (!qopen(&x, m, sql))
        return -1;
    while ((rc = qstep(&x)) == 1) {
        rp_site *s = site_by_id(m, mm_col_i64(x.st, 0));
        if (!s)
            continue;
        time_t t = (time_t)(mm_col_i64(x.st, 1) * 86400);
        struct tm tm;
        char d[16];
        gmtime_r(&t, &tm);
        snprintf(d, sizeof d, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        list_add(&s->days, d, mm_col_i64(x.st, 2));
    }
    qclose(&x);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < m->nsite; i++)
        qsort(m->site[i].days.v, m->site[i].days.n, sizeof(rp_kv), kv_key);

    /* internal hosts in alerts */
    if (!qopen(&x, m, "SELECT site_id, local_ip, COUNT(*) FROM alerts WHERE ts >= $1 AND ts < $2"
                      " AND direction <> 'external' GROUP BY site_id, local_ip"))
        return -1;
    while ((rc = qstep(&x)) == 1) {
        rp_site *s = site_by_id(m, mm_col_i64(x.st, 0));
        if (s)
            list_add(&s->hosts, mm_col_text(x.st, 1), mm_col_i64(x.st, 2));
    }
    qclose(&x);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < m->nsite; i++)
        qsort(m->site[i].hosts.v, m->site[i].hosts.n, sizeof(rp_kv), kv_desc);

    /* countries: packets by the direction they travelled, public remotes only */
    if (!qopen(&x, m, "SELECT site_id, cc, SUM(pkts_in), SUM(pkts_out), SUM(flows)"
                      " FROM countries_day WHERE day >= CAST($1 AS BIGINT) / 86400000000"
                      " AND day <= (CAST($2 AS BIGINT) - 1) / 86400000000"
                      " GROUP BY site_id, cc"))
        return -1;
    while ((rc = qstep(&x)) == 1) {
        rp_site *s = site_by_id(m, mm_col_i64(x.st, 0));
        if (!s)
            continue;
        const char *cc = mm_col_text(x.st, 1);
        int64_t in = mm_col_i64(x.st, 2), out = mm_col_i64(x.st, 3);
        cc_add(&s->cc, &s->ncc, cc, in, out);
        cc_add(&m->cc, &m->ncc, cc, in, out);
        s->pkts_in += in;
        s->pkts_out += out;
        s->flows += mm_col_i64(x.st, 4);
        m->flows += mm_col_i64(x.st, 4);
    }
    qclose(&x);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < m->nsite; i++)
        qsort(m->site[i].cc, m->site[i].ncc, sizeof(rp_country), cc_desc);
    qsort(m->cc, m->ncc, sizeof(rp_country), cc_desc);

    /* remote addresses with alerts */
    if (load_peers(m, &x,
                   "SELECT site_id, remote_ip, '', COALESCE(remote_cc, ''), " PEER_COLS
                   " FROM alerts WHERE ts >= $1 AND ts < $2 AND remote_public = 1"
                   " GROUP BY site_id, remote_ip, remote_cc, signature, explain",
                   offsetof(rp_site, remotes), false) != 0)
        return -1;
    if (!qopen(&x, m, "SELECT DISTINCT site_id, remote_ip, family FROM alerts"
                      " WHERE ts >= $1 AND ts < $2 AND remote_public = 1"))
        return -1;
    while ((rc = qstep(&x)) == 1) {
        rp_site *s = site_by_id(m, mm_col_i64(x.st, 0));
        rp_peer *p = s ? peer_find(&s->remotes, mm_col_text(x.st, 1), NULL) : NULL;
        if (p)
            add_family(p->families, sizeof p->families, mm_col_text(x.st, 2));
    }
    qclose(&x);
    if (rc < 0)
        return -1;

    /* picture 1: remote control from outside */
    if (load_peers(m, &x,
                   "SELECT site_id, remote_ip, local_ip, COALESCE(remote_cc, ''), " PEER_COLS
                   " FROM alerts WHERE ts >= $1 AND ts < $2 AND direction = 'inbound'"
                   " AND (family = 'rdp' OR explain = 'bruteforce')"
                   " GROUP BY site_id, remote_ip, local_ip, remote_cc, signature, explain",
                   offsetof(rp_site, remote_control), true) != 0)
        return -1;

    /* picture 2: internal hosts and malicious sites */
    snprintf(sql, sizeof sql,
             "SELECT site_id, remote_ip, local_ip, COALESCE(remote_cc, ''), " PEER_COLS
             " FROM alerts WHERE ts >= $1 AND ts < $2 AND remote_public = 1"
             " AND direction IN ('outbound', 'inbound') AND family IN (%s)"
             " GROUP BY site_id, remote_ip, local_ip, remote_cc, signature, explain",
             malware_fams);
    if (load_peers(m, &x, sql, offsetof(rp_site, malicious), true) != 0)
        return -1;
    snprintf(sql, sizeof sql,
             "SELECT DISTINCT site_id, remote_ip, local_ip, family FROM alerts"
             " WHERE ts >= $1 AND ts < $2 AND remote_public = 1 AND family IN (%s)",
             malware_fams);
    if (!qopen(&x, m, sql))
        return -1;
    while ((rc = qstep(&x)) == 1) {
        rp_site *s = site_by_id(m, mm_col_i64(x.st, 0));
        rp_peer *p = s ? peer_find(&s->malicious, mm_col_text(x.st, 1), mm_col_text(x.st, 2))
                       : NULL;
        if (p)
            add_family(p->families, sizeof p->families, mm_col_text(x.st, 3));
    }
    qclose(&x);
    if (rc < 0)
        return -1;

    /* picture 3: DDoS received */
    if (load_peers(m, &x,
                   "SELECT site_id, remote_ip, '', COALESCE(remote_cc, ''), " PEER_COLS
                   " FROM alerts WHERE ts >= $1 AND ts < $2 AND direction = 'inbound'"
                   " AND (family = 'ntp-ddos' OR category IN ('Attempted Denial of Service',"
                   " 'Denial of Service', 'Detection of a Denial of Service Attack'))"
                   " GROUP BY site_id, remote_ip, remote_cc, signature, explain",
                   offsetof(rp_site, ddos), false) != 0)
        return -1;
    if (load_peer_flows(m, &x) != 0)
        return -1;

    /* cross-company: public addresses in alerts at two or more companies */
    if (load_xips(m, &x,
                  "SELECT a.remote_ip, a.site_id, COALESCE(MAX(a.remote_cc), ''), COUNT(*),"
                  " MIN(a.ts), MAX(a.ts) FROM alerts a WHERE a.ts >= $1 AND a.ts < $2"
                  " AND a.remote_public = 1 AND a.remote_ip IN (SELECT remote_ip FROM alerts"
                  " WHERE ts >= $1 AND ts < $2 AND remote_public = 1 GROUP BY remote_ip"
                  " HAVING COUNT(DISTINCT site_id) >= 2) GROUP BY a.remote_ip, a.site_id"
                  " ORDER BY a.remote_ip, a.site_id",
                  "SELECT DISTINCT remote_ip, family FROM alerts WHERE ts >= $1 AND ts < $2"
                  " AND remote_public = 1",
                  false) != 0)
        return -1;
    /* the same over flows, with common services told apart: addresses only
     * ever reached from inside on web, name and time ports, never in an alert */
    if (load_xips(m, &x,
                  "SELECT remote_ip, site_id, COALESCE(remote_cc, ''), flows, first_ts, last_ts,"
                  " (SELECT COUNT(*) FROM alerts a WHERE a.remote_ip = p.remote_ip AND"
                  " a.ts >= $1 AND a.ts < $2), unusual FROM peers p WHERE first_ts < $2"
                  " AND last_ts >= $1 AND remote_ip IN (SELECT remote_ip FROM peers"
                  " WHERE first_ts < $2 AND last_ts >= $1 GROUP BY remote_ip"
                  " HAVING COUNT(*) >= 2) ORDER BY remote_ip, site_id",
                  NULL, true) != 0)
        return -1;

    if (load_findings(m, &x) != 0)
        return -1;
    qsort(m->xip, m->nxip, sizeof(rp_xip), xip_order);
    qsort(m->xflow, m->nxflow, sizeof(rp_xip), xip_order);

    /* order, cross-company counts and the level of each site */
    for (size_t i = 0; i < m->nsite; i++) {
        rp_site *s = &m->site[i];
        qsort(s->find, s->nfind, sizeof(rp_finding), find_order);
        for (size_t k = 0; k < s->nfind; k++)
            for (size_t r = 0; r < s->find[k].nr; r++)
                for (size_t t = 0; t < m->nxip; t++)
                    if (!strcmp(m->xip[t].ip, s->find[k].remotes[r].ip))
                        s->find[k].remotes[r].nsites = (int)m->xip[t].nsites;
        s->level = s->sev[1] ? 1 : s->sev[2] ? 2 : 3;
        for (size_t k = 0; k < s->remote_control.n; k++)
            if (s->remote_control.v[k].success)
                s->level = 1;
        rp_peers *lists[] = {&s->remotes, &s->remote_control, &s->malicious, &s->ddos};
        for (size_t k = 0; k < 4; k++) {
            for (size_t j = 0; j < lists[k]->n; j++) {
                rp_peer *p = &lists[k]->v[j];
                for (size_t t = 0; t < m->nxip; t++)
                    if (!strcmp(m->xip[t].ip, p->ip))
                        p->nsites = (int)m->xip[t].nsites;
                if (k == 0 && p->nsites >= 2)
                    s->shared_ips++;
            }
            qsort(lists[k]->v, lists[k]->n, sizeof(rp_peer), peer_desc);
        }
    }
    return 0;
}

void rp_model_free(rp_model *m)
{
    for (size_t i = 0; i < m->nsite; i++) {
        rp_site *s = &m->site[i];
        free(s->families.v);
        free(s->days.v);
        free(s->hosts.v);
        free(s->cc);
        free(s->remotes.v);
        free(s->remote_control.v);
        free(s->malicious.v);
        free(s->ddos.v);
        free(s->find);
    }
    free(m->site);
    free(m->fam_sites.v);
    free(m->fam_alerts.v);
    free(m->cc);
    for (size_t i = 0; i < m->nxip; i++)
        free(m->xip[i].sites);
    for (size_t i = 0; i < m->nxflow; i++)
        free(m->xflow[i].sites);
    free(m->xip);
    free(m->xflow);
    memset(m, 0, sizeof(*m));
}
