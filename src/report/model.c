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
#include "util/strmap.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_US 86400000000LL


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

mm_stmt *rp_period_stmt(mm_db *db, const rp_model *m, const char *sql, char *err,
                        size_t errlen)
{
    mm_stmt *st = mm_db_prepare(db, sql);
    if (!st) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return NULL;
    }
    mm_stmt_i64(st, 1, m->from);
    mm_stmt_i64(st, 2, m->to);
    return st;
}

void rp_copy(char *out, size_t n, const char *s)
{
    snprintf(out, n, "%s", s ? s : "");
}

rp_site *rp_site_by_id(rp_model *m, int64_t id)
{
    for (size_t i = 0; i < m->nsite; i++)
        if (m->site[i].id == id)
            return &m->site[i];
    return NULL;
}

size_t rp_pie_slices(const rp_country *cc, size_t n, bool in, size_t *idx, size_t max,
                     int64_t *total, int64_t *rest)
{
    *total = 0;
    for (size_t i = 0; i < n; i++)
        *total += in ? cc[i].in : cc[i].out;
    size_t k = 0;
    for (; k < max; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            int64_t v = in ? cc[i].in : cc[i].out;
            bool taken = false;
            for (size_t j = 0; j < k; j++)
                taken |= idx[j] == i;
            if (!taken && v > 0 && (best == n || v > (in ? cc[best].in : cc[best].out)))
                best = i;
        }
        if (best == n)
            break;
        idx[k] = best;
    }
    *rest = *total;
    for (size_t i = 0; i < k; i++)
        *rest -= in ? cc[idx[i]].in : cc[idx[i]].out;
    return k;
}

size_t rp_day_series(const rp_model *m, const rp_site *s, int64_t *day0, int64_t **counts,
                     int64_t *max)
{
    int64_t d0 = (m->from / 1000000 + m->tzoff) / 86400,
            d1 = ((m->to - 1) / 1000000 + m->tzoff) / 86400;
    if (d1 - d0 > 400)
        d0 = d1 - 400;
    size_t nd = d1 >= d0 ? (size_t)(d1 - d0 + 1) : 1;
    int64_t *c = calloc(nd, sizeof(*c));
    *day0 = d0;
    *counts = c;
    *max = 1;
    if (!c)
        return 0;
    for (size_t i = 0; i < nd; i++) {
        char d[16];
        rp_day_label(d0 + (int64_t)i, d, sizeof d);
        for (size_t k = 0; k < s->days.n; k++)
            if (!strcmp(s->days.v[k].key, d))
                c[i] = s->days.v[k].n;
        if (c[i] > *max)
            *max = c[i];
    }
    return nd;
}

void rp_day_label(int64_t day, char *out, size_t n)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, n, "?");
        return;
    }
    snprintf(out, n, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
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
    const char *app = mm_col_text(st, 10);
    if (app[0] && strcmp(app, p->app) > 0)
        snprintf(p->app, sizeof p->app, "%s", app);
}

static int load_peer_flows(rp_model *m, q *x)
{
    if (!qopen(x, m,
               "SELECT f.site_id, f.remote_ip, f.local_ip, SUM(f.flows), SUM(f.pkts_in),"
               " SUM(f.pkts_out), SUM(f.bytes_in), SUM(f.bytes_out), MIN(f.first_ts),"
               " MAX(f.last_ts), COALESCE(MAX(f.app_proto), '') FROM (SELECT DISTINCT site_id,"
               " remote_ip FROM alerts"
               " WHERE ts >= $1 AND ts < $2 AND remote_public = 1) a JOIN flows_day f"
               " ON f.site_id = a.site_id AND f.remote_ip = a.remote_ip"
               " WHERE f.day >= CAST($1 AS BIGINT) / 86400000000"
               " AND f.day <= (CAST($2 AS BIGINT) - 1) / 86400000000"
               " GROUP BY f.site_id, f.remote_ip, f.local_ip"))
        return -1;
    int rc;
    while ((rc = qstep(x)) == 1) {
        rp_site *s = rp_site_by_id(m, mm_col_i64(x->st, 0));
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

/* ---- the alert pass ----
 *
 * Every figure about alerts comes from one reading of the period's alert
 * rows, summed here in hash maps: a dozen GROUP BY queries over a million
 * rows cost seconds each, one scan well under one. Ties are broken by
 * text order so that SQLite and PostgreSQL give the same report.
 */

typedef struct fbuild {            /* a finding's evidence while it is counted */
    mm_strmap hmap, rmap;          /* host / remote -> index */
    rp_kv *h;
    size_t nh, ch;
    struct rem { char ip[46], cc[3]; int64_t n; } *r;
    size_t nr, cr;
} fbuild;

typedef struct sbuild {            /* per company */
    mm_strmap hosts, remotes, rc, mal, ddos, finds;
    int64_t *days;                 /* alerts per local day from the period's first */
    fbuild *fb;
    size_t nfb;
} sbuild;

typedef struct xbuild {            /* per public remote address, all companies */
    char ip[46], cc[3], families[128];
    int64_t alerts, first, last;
    uint64_t *sites;               /* bit set of site indexes */
} xbuild;

typedef struct pass {
    rp_model *m;
    sbuild *sb;
    mm_strmap xmap;
    xbuild *x;
    size_t nx, cx;
    size_t words;                  /* 64-bit words of a site bit set */
    int64_t day0, ndays;
} pass;

static const char *const malware[] = {"c2", "gh0st", "exploit-kit", "malicious-file",
                                      "cryptojacking", "stealer", "ioc"};
static const char *const dos_categories[] = {"Attempted Denial of Service", "Denial of Service",
                                             "Detection of a Denial of Service Attack"};

static bool one_of(const char *v, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v, set[i]))
            return true;
    return false;
}

/* index of key in map, or a new index (*added) equal to *count, which grows */
static int64_t slot(mm_strmap *map, const char *key, size_t count, bool *added)
{
    uint64_t *v = mm_strmap_put(map, key, strlen(key), count, added);
    return v ? (int64_t)*v : -1;
}

/* A row for a peer list keyed by remote (and local). */
static rp_peer *peer_row(rp_peers *ps, mm_strmap *map, const char *ip, const char *local,
                         const char *cc)
{
    char key[100];
    size_t il = strlen(ip), ll = local ? strlen(local) : 0;
    if (il + ll + 2 > sizeof key)
        return NULL;
    memcpy(key, ip, il);
    key[il] = '|';
    memcpy(key + il + 1, local ? local : "", ll + 1);
    bool added;
    int64_t i = slot(map, key, ps->n, &added);
    if (i < 0)
        return NULL;
    if (!added)
        return &ps->v[i];
    rp_peer *p = peer_add(ps);
    if (!p)
        return NULL;
    snprintf(p->ip, sizeof p->ip, "%s", ip);
    snprintf(p->local, sizeof p->local, "%s", local ? local : "");
    snprintf(p->cc, sizeof p->cc, "%s", cc);
    return p;
}

typedef struct arow {
    int64_t ts, sid, sev;
    const char *fam, *expl, *sig, *cat, *dir, *local, *remote, *cc;
    const char *lcc;           /* the local end's country when public, else "" */
    bool pub;
} arow;

static void peer_count(rp_peer *p, const arow *r)
{
    if (!p)
        return;
    if (!p->alerts || r->ts < p->first)
        p->first = r->ts;
    if (r->ts > p->last)
        p->last = r->ts;
    /* the most severe alert's signature, ties in text order */
    if (!p->alerts || r->sev < p->sev || (r->sev == p->sev && strcmp(r->sig, p->sig) < 0)) {
        snprintf(p->sig, sizeof p->sig, "%s", r->sig);
        snprintf(p->explain, sizeof p->explain, "%s", r->expl);
    }
    if (!p->alerts || r->sev < p->sev)
        p->sev = (int)r->sev;
    p->alerts++;
    if (r->sid == 8700013 || r->sid == 8700052 || r->sid == 2001330)
        p->success = true;
    add_family(p->families, sizeof p->families, r->fam);
}

static void finding_count(rp_site *s, sbuild *b, const arow *r)
{
    char key[100];
    const char *k0 = r->expl[0] ? r->expl : r->fam;
    size_t l0 = strlen(k0), l1 = strlen(r->fam);
    if (l0 + l1 + 2 > sizeof key)
        return;
    memcpy(key, k0, l0);
    key[l0] = '|';
    memcpy(key + l0 + 1, r->fam, l1 + 1);
    bool added;
    int64_t i = slot(&b->finds, key, s->nfind, &added);
    if (i < 0)
        return;
    if (added) {
        rp_finding *v = realloc(s->find, (s->nfind + 1) * sizeof(*v));
        fbuild *fv = realloc(b->fb, (b->nfb + 1) * sizeof(*fv));
        if (v)
            s->find = v;
        if (fv)
            b->fb = fv;
        if (!v || !fv)
            return;
        rp_finding *f = &s->find[s->nfind++];
        memset(f, 0, sizeof(*f));
        snprintf(f->key, sizeof f->key, "%s", r->expl[0] ? r->expl : r->fam);
        snprintf(f->family, sizeof f->family, "%s", r->fam);
        f->sev = (int)r->sev;
        f->first = r->ts;
        fbuild *fb = &b->fb[b->nfb++];
        memset(fb, 0, sizeof(*fb));
        mm_strmap_init(&fb->hmap);
        mm_strmap_init(&fb->rmap);
    }
    rp_finding *f = &s->find[i];
    fbuild *fb = &b->fb[i];
    f->count++;
    if (r->sev < f->sev)
        f->sev = (int)r->sev;
    if (r->ts < f->first)
        f->first = r->ts;
    if (r->ts > f->last)
        f->last = r->ts;
    if (strcmp(r->sig, f->sig) > 0)
        snprintf(f->sig, sizeof f->sig, "%s", r->sig);
    int64_t h = slot(&fb->hmap, r->local, fb->nh, &added);
    if (h >= 0 && added) {
        if (fb->nh == fb->ch) {
            size_t nc = fb->ch ? fb->ch * 2 : 8;
            rp_kv *nv = realloc(fb->h, nc * sizeof(*nv));
            if (!nv)
                return;
            fb->h = nv;
            fb->ch = nc;
        }
        snprintf(fb->h[fb->nh].key, sizeof fb->h[0].key, "%s", r->local);
        fb->h[fb->nh++].n = 0;
    }
    if (h >= 0)
        fb->h[h].n++;
    int64_t k = slot(&fb->rmap, r->remote, fb->nr, &added);
    if (k >= 0 && added) {
        if (fb->nr == fb->cr) {
            size_t nc = fb->cr ? fb->cr * 2 : 8;
            struct rem *nv = realloc(fb->r, nc * sizeof(*nv));
            if (!nv)
                return;
            fb->r = nv;
            fb->cr = nc;
        }
        snprintf(fb->r[fb->nr].ip, sizeof fb->r[0].ip, "%s", r->remote);
        snprintf(fb->r[fb->nr].cc, sizeof fb->r[0].cc, "%s", r->pub ? r->cc : "");
        fb->r[fb->nr++].n = 0;
    }
    if (k >= 0)
        fb->r[k].n++;
}

/* An alert's public address ip (country cc) in the cross-company count. */
static void cross_count(pass *ps, size_t site, const arow *r, const char *ip, const char *cc)
{
    bool added;
    int64_t i = slot(&ps->xmap, ip, ps->nx, &added);
    if (i < 0)
        return;
    if (added) {
        if (ps->nx == ps->cx) {
            size_t nc = ps->cx ? ps->cx * 2 : 256;
            xbuild *nv = realloc(ps->x, nc * sizeof(*nv));
            if (!nv)
                return;
            ps->x = nv;
            ps->cx = nc;
        }
        xbuild *x = &ps->x[ps->nx++];
        memset(x, 0, sizeof(*x));
        snprintf(x->ip, sizeof x->ip, "%s", ip);
        x->first = r->ts;
        x->sites = calloc(ps->words, sizeof(uint64_t));
    }
    xbuild *x = &ps->x[i];
    if (!x->cc[0] && cc[0])
        snprintf(x->cc, sizeof x->cc, "%s", cc);
    x->alerts++;
    if (r->ts < x->first)
        x->first = r->ts;
    if (r->ts > x->last)
        x->last = r->ts;
    if (x->sites)
        x->sites[site / 64] |= 1ULL << (site % 64);
    add_family(x->families, sizeof x->families, r->fam);
}

static int rem_desc(const void *a, const void *b)
{
    const struct rem *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->ip, y->ip);
}

/* Turns the counts into the model's lists and frees the maps. */
static void pass_finish(pass *ps)
{
    rp_model *m = ps->m;
    for (size_t i = 0; i < m->nsite; i++) {
        rp_site *s = &m->site[i];
        sbuild *b = &ps->sb[i];
        for (int64_t d = 0; b->days && d < ps->ndays; d++) {
            if (!b->days[d])
                continue;
            char key[16];
            rp_day_label(ps->day0 + d, key, sizeof key);
            list_add(&s->days, key, b->days[d]);
        }
        mm_sort(s->hosts.v, s->hosts.n, sizeof(rp_kv), kv_desc);
        mm_sort(s->families.v, s->families.n, sizeof(rp_kv), kv_desc);
        for (size_t k = 0; k < s->nfind; k++) {
            rp_finding *f = &s->find[k];
            fbuild *fb = &b->fb[k];
            f->nhosts = (int64_t)fb->nh;
            f->nremotes = (int64_t)fb->nr;
            mm_sort(fb->h, fb->nh, sizeof(rp_kv), kv_desc);
            mm_sort(fb->r, fb->nr, sizeof(struct rem), rem_desc);
            for (size_t j = 0; j < fb->nh && j < RP_EVID; j++)
                f->hosts[f->nh++] = fb->h[j];
            for (size_t j = 0; j < fb->nr && j < RP_EVID; j++, f->nr++) {
                snprintf(f->remotes[j].ip, sizeof f->remotes[j].ip, "%s", fb->r[j].ip);
                snprintf(f->remotes[j].cc, sizeof f->remotes[j].cc, "%s", fb->r[j].cc);
                f->remotes[j].n = fb->r[j].n;
            }
            mm_strmap_free(&fb->hmap);
            mm_strmap_free(&fb->rmap);
            free(fb->h);
            free(fb->r);
        }
        free(b->fb);
        free(b->days);
        mm_strmap_free(&b->hosts);
        mm_strmap_free(&b->remotes);
        mm_strmap_free(&b->rc);
        mm_strmap_free(&b->mal);
        mm_strmap_free(&b->ddos);
        mm_strmap_free(&b->finds);
    }
    free(ps->sb);
    /* addresses at two or more companies, sites in the model's order */
    for (size_t i = 0; i < ps->nx; i++) {
        xbuild *x = &ps->x[i];
        size_t n = 0;
        for (size_t k = 0; x->sites && k < m->nsite; k++)
            n += (x->sites[k / 64] >> (k % 64)) & 1;
        if (n >= 2) {
            rp_xip *nv = realloc(m->xip, (m->nxip + 1) * sizeof(*nv));
            int64_t *sv = calloc(n, sizeof(*sv));
            if (nv)
                m->xip = nv;
            if (nv && sv) {
                rp_xip *xi = &m->xip[m->nxip++];
                memset(xi, 0, sizeof(*xi));
                snprintf(xi->ip, sizeof xi->ip, "%s", x->ip);
                snprintf(xi->cc, sizeof xi->cc, "%s", x->cc);
                snprintf(xi->families, sizeof xi->families, "%s", x->families);
                xi->alerts = x->alerts;
                xi->first = x->first;
                xi->last = x->last;
                xi->sites = sv;
                for (size_t k = 0; k < m->nsite; k++)
                    if ((x->sites[k / 64] >> (k % 64)) & 1)
                        sv[xi->nsites++] = (int64_t)k;
            } else {
                free(sv);
            }
        }
    }
}

/* Alerts on an address, all companies, in the period (0 when none). */
static int64_t alerts_on(const pass *ps, const char *ip)
{
    uint64_t *v = mm_strmap_get(&ps->xmap, ip, strlen(ip));
    return v ? ps->x[*v].alerts : 0;
}

/* Companies with alerts on a public address, in the period (0 when none). */
static int companies_of(const pass *ps, const char *ip)
{
    uint64_t *v = mm_strmap_get(&ps->xmap, ip, strlen(ip));
    if (!v || !ps->x[*v].sites)
        return 0;
    int n = 0;
    for (size_t w = 0; w < ps->words; w++)
        n += __builtin_popcountll(ps->x[*v].sites[w]);
    return n;
}

static void pass_free(pass *ps)
{
    for (size_t i = 0; i < ps->nx; i++)
        free(ps->x[i].sites);
    free(ps->x);
    mm_strmap_free(&ps->xmap);
}

static int alert_pass(pass *ps, q *x)
{
    rp_model *m = ps->m;
    ps->words = m->nsite / 64 + 1;
    ps->sb = calloc(m->nsite ? m->nsite : 1, sizeof(*ps->sb));
    mm_strmap_init(&ps->xmap);
    if (!ps->sb) {
        snprintf(x->err, x->errlen, "out of memory");
        return -1;
    }
    ps->day0 = (m->from / 1000000 + m->tzoff) / 86400;
    ps->ndays = ((m->to - 1) / 1000000 + m->tzoff) / 86400 - ps->day0 + 1;
    if (ps->ndays < 1 || ps->ndays > 40000)
        ps->ndays = 0;   /* an absurd period: no day chart */
    for (size_t i = 0; i < m->nsite; i++) {
        sbuild *b = &ps->sb[i];
        mm_strmap_init(&b->hosts);
        mm_strmap_init(&b->remotes);
        mm_strmap_init(&b->rc);
        mm_strmap_init(&b->mal);
        mm_strmap_init(&b->ddos);
        mm_strmap_init(&b->finds);
        if (ps->ndays)
            b->days = calloc((size_t)ps->ndays, sizeof(int64_t));
    }
    /* A beacon to a server no other company of the store talks to: one
     * more piece of evidence than the sensor could see (issue 28), a step
     * up - with three companies or more in the store; with fewer, "no
     * other" says little. */
    mm_strmap lone;
    mm_strmap_init(&lone);
    int64_t nsites = 0;
    if (!qopen(x, m, "SELECT COUNT(*) FROM sites"))
        return -1;
    if (qstep(x) == 1)
        nsites = mm_col_i64(x->st, 0);
    qclose(x);
    if (nsites >= 3) {
        if (!qopen(x, m, "SELECT a.remote_ip, COUNT(DISTINCT p.site_id) FROM alerts a"
                         " JOIN peers p ON p.remote_ip = a.remote_ip"
                         " WHERE a.ts >= $1 AND a.ts < $2 AND a.sid = 8700084"
                         " GROUP BY a.remote_ip"))
            return -1;
        int lrc;
        while ((lrc = qstep(x)) == 1) {
            const char *ip = mm_col_text(x->st, 0);
            bool added;
            if (mm_col_i64(x->st, 1) <= 1 && !mm_strmap_put(&lone, ip, strlen(ip), 1, &added)) {
                lrc = -1;
                snprintf(x->err, x->errlen, "out of memory");
                break;
            }
        }
        qclose(x);
        if (lrc < 0) {
            mm_strmap_free(&lone);
            return -1;
        }
    }
    if (!qopen(x, m, "SELECT site_id, ts, sid, severity, family, COALESCE(explain, ''),"
                     " COALESCE(signature, ''), COALESCE(category, ''), direction, local_ip,"
                     " remote_ip, COALESCE(remote_cc, ''), remote_public, COALESCE(local_cc, '')"
                     " FROM alerts"
                     " WHERE ts >= $1 AND ts < $2")) {
        mm_strmap_free(&lone);
        return -1;
    }
    int rc;
    size_t last = 0;
    while ((rc = qstep(x)) == 1) {
        int64_t id = mm_col_i64(x->st, 0);
        if (last >= m->nsite || m->site[last].id != id) {
            rp_site *s = rp_site_by_id(m, id);
            if (!s)
                continue;
            last = (size_t)(s - m->site);
        }
        rp_site *s = &m->site[last];
        sbuild *b = &ps->sb[last];
        arow r = {
            .ts = mm_col_i64(x->st, 1), .sid = mm_col_i64(x->st, 2),
            .sev = mm_col_i64(x->st, 3), .fam = mm_col_text(x->st, 4),
            .expl = mm_col_text(x->st, 5), .sig = mm_col_text(x->st, 6),
            .cat = mm_col_text(x->st, 7), .dir = mm_col_text(x->st, 8),
            .local = mm_col_text(x->st, 9), .remote = mm_col_text(x->st, 10),
            .cc = mm_col_text(x->st, 11), .pub = mm_col_i64(x->st, 12) != 0,
            .lcc = mm_col_text(x->st, 13),
        };
        if (r.sev < 1 || r.sev > 3)
            r.sev = 3;
        if (r.sid == 8700084 && r.sev > 1 && lone.n && mm_strmap_get(&lone, r.remote, strlen(r.remote)))
            r.sev--;
        s->alerts++;
        m->alerts++;
        s->sev[r.sev]++;
        int64_t d = (r.ts / 1000000 + m->tzoff) / 86400 - ps->day0;
        if (b->days && d >= 0 && d < ps->ndays)
            b->days[d]++;
        bool added;
        if (strcmp(r.dir, "external") != 0) {
            int64_t h = slot(&b->hosts, r.local, s->hosts.n, &added);
            if (h >= 0 && added)
                list_add(&s->hosts, r.local, 0);   /* new: appended at index h */
            if (h >= 0 && (size_t)h < s->hosts.n)
                s->hosts.v[h].n++;
        }
        if (r.pub) {
            peer_count(peer_row(&s->remotes, &b->remotes, r.remote, NULL, r.cc), &r);
            cross_count(ps, last, &r, r.remote, r.cc);
        }
        /* a public local end counts too: a company's own addresses are its
         * own, but when no end is known as home (no --home-net, public
         * addresses) the attacker may be either end */
        if (r.lcc[0] && strcmp(r.local, r.remote) != 0)
            cross_count(ps, last, &r, r.local, r.lcc);
        bool inbound = !strcmp(r.dir, "inbound");
        if (inbound && (!strcmp(r.fam, "rdp") || !strcmp(r.expl, "bruteforce")))
            peer_count(peer_row(&s->remote_control, &b->rc, r.remote, r.local, r.cc), &r);
        if (r.pub && (inbound || !strcmp(r.dir, "outbound")) &&
            one_of(r.fam, malware, sizeof malware / sizeof malware[0]))
            peer_count(peer_row(&s->malicious, &b->mal, r.remote, r.local, r.cc), &r);
        if (inbound && (!strcmp(r.fam, "ntp-ddos") ||
                        one_of(r.cat, dos_categories, sizeof dos_categories / sizeof dos_categories[0])))
            peer_count(peer_row(&s->ddos, &b->ddos, r.remote, NULL, r.cc), &r);
        finding_count(s, b, &r);
    }
    qclose(x);
    mm_strmap_free(&lone);
    if (rc < 0)
        return -1;
    /* alerts per family: the sum of the findings of each family */
    for (size_t i = 0; i < m->nsite; i++)
        for (size_t k = 0; k < m->site[i].nfind; k++) {
            const rp_finding *f = &m->site[i].find[k];
            list_add(&m->site[i].families, f->family, f->count);
            list_add(&m->fam_alerts, f->family, f->count);
        }
    pass_finish(ps);
    for (size_t i = 0; i < m->nsite; i++)
        for (size_t k = 0; k < m->site[i].families.n; k++)
            list_add(&m->fam_sites, m->site[i].families.v[k].key, 1);
    mm_sort(m->fam_sites.v, m->fam_sites.n, sizeof(rp_kv), kv_desc);
    mm_sort(m->fam_alerts.v, m->fam_alerts.n, sizeof(rp_kv), kv_desc);
    return 0;
}

/* The cross-company view over all traffic: addresses in the peers rollup
 * of two or more companies. peers is stored in (company, address) order,
 * so each company's addresses come sorted without a sort; merging the
 * companies' streams (a k-way merge on a small heap) meets every address
 * once with all its companies, in one pass and little memory, where a
 * GROUP BY over millions of rows would sort them all.
 *
 * An address only ever reached from inside on web, name and time ports,
 * never in an alert, is marked a common service; public resolvers by name. */
typedef struct stream {
    mm_stmt *st;
    size_t site;
    const char *ip;            /* current row's address, NULL at the end */
} stream;

static int stream_cmp(const stream *a, const stream *b)
{
    int c = strcmp(a->ip, b->ip);
    return c ? c : (a->site < b->site ? -1 : a->site > b->site);
}

static void heap_down(stream **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && stream_cmp(h[l], h[m]) < 0)
            m = l;
        if (r < n && stream_cmp(h[r], h[m]) < 0)
            m = r;
        if (m == i)
            return;
        stream *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Steps s; false at the end or on error (*err set on error). */
static bool stream_next(stream *s, q *x, int *err)
{
    int rc = mm_stmt_step(s->st);
    if (rc < 0) {
        snprintf(x->err, x->errlen, "store: %s", mm_db_error(x->db));
        *err = 1;
    }
    s->ip = rc == 1 ? mm_col_text(s->st, 0) : NULL;
    return s->ip != NULL;
}

static rp_xip *xflow_add(rp_model *m, const char *ip, const char *cc)
{
    rp_xip *nv = realloc(m->xflow, (m->nxflow + 1) * sizeof(*nv));
    if (!nv)
        return NULL;
    m->xflow = nv;
    rp_xip *xi = &nv[m->nxflow++];
    memset(xi, 0, sizeof(*xi));
    snprintf(xi->ip, sizeof xi->ip, "%s", ip);
    snprintf(xi->cc, sizeof xi->cc, "%s", cc);
    return xi;
}

static int load_xflows(rp_model *m, q *x, const pass *ps)
{
    /* PostgreSQL sorts text by its locale unless told otherwise; the merge
     * compares bytes */
    const char *sql = mm_db_is_pg(x->db)
        ? "SELECT remote_ip, COALESCE(remote_cc, ''), flows, first_ts, last_ts, unusual FROM peers"
          " WHERE site_id = $1 AND last_ts >= $2 AND first_ts < $3 ORDER BY remote_ip COLLATE \"C\""
        : "SELECT remote_ip, COALESCE(remote_cc, ''), flows, first_ts, last_ts, unusual FROM peers"
          " WHERE site_id = $1 AND last_ts >= $2 AND first_ts < $3 ORDER BY remote_ip";
    size_t n = m->nsite;
    stream *sv = calloc(n ? n : 1, sizeof(*sv));
    stream **heap = calloc(n ? n : 1, sizeof(*heap));
    stream **run = calloc(n ? n : 1, sizeof(*run));
    int err = !sv || !heap || !run;
    if (err)
        snprintf(x->err, x->errlen, "out of memory");
    size_t hn = 0;
    for (size_t i = 0; i < n && !err; i++) {
        sv[i].site = i;
        sv[i].st = mm_db_prepare(x->db, sql);
        if (!sv[i].st) {
            snprintf(x->err, x->errlen, "store: %s", mm_db_error(x->db));
            err = 1;
            break;
        }
        mm_stmt_i64(sv[i].st, 1, m->site[i].id);
        mm_stmt_i64(sv[i].st, 2, m->from);
        mm_stmt_i64(sv[i].st, 3, m->to);
        if (stream_next(&sv[i], x, &err))
            heap[hn++] = &sv[i];
    }
    for (size_t i = hn / 2; i-- > 0;)
        heap_down(heap, hn, i);
    /* pop runs of equal addresses */
    while (!err && hn) {
        size_t k = 0;
        char ip[46];
        snprintf(ip, sizeof ip, "%s", heap[0]->ip);
        while (hn && !strcmp(heap[0]->ip, ip)) {
            run[k++] = heap[0];
            heap[0] = heap[--hn];
            heap_down(heap, hn, 0);
        }
        if (k >= 2) {
            rp_xip *xi = xflow_add(m, ip, mm_col_text(run[0]->st, 1));
            int64_t *sites = xi ? calloc(k, sizeof(*sites)) : NULL;
            if (!sites) {
                snprintf(x->err, x->errlen, "out of memory");
                err = 1;
                break;
            }
            xi->sites = sites;
            bool common = alerts_on(ps, ip) == 0;
            xi->first = INT64_MAX;
            for (size_t j = 0; j < k; j++) {
                mm_stmt *st = run[j]->st;
                sites[xi->nsites++] = (int64_t)run[j]->site;
                xi->alerts += mm_col_i64(st, 2);
                if (mm_col_i64(st, 3) < xi->first)
                    xi->first = mm_col_i64(st, 3);
                if (mm_col_i64(st, 4) > xi->last)
                    xi->last = mm_col_i64(st, 4);
                if (mm_col_i64(st, 5))
                    common = false;
            }
            for (size_t t = 0; t < sizeof shared_ips / sizeof shared_ips[0]; t++)
                if (!strcmp(shared_ips[t][0], ip)) {
                    xi->shared_infra = true;
                    snprintf(xi->infra, sizeof xi->infra, "%s", shared_ips[t][1]);
                }
            if (common && !xi->shared_infra) {
                xi->shared_infra = true;
                snprintf(xi->infra, sizeof xi->infra, "%s", "common service");
            }
        }
        /* the popped streams move on and go back in */
        for (size_t j = 0; j < k; j++)
            if (stream_next(run[j], x, &err)) {
                heap[hn++] = run[j];
                for (size_t i = hn - 1; i > 0 && stream_cmp(heap[i], heap[(i - 1) / 2]) < 0;
                     i = (i - 1) / 2) {
                    stream *t = heap[i];
                    heap[i] = heap[(i - 1) / 2];
                    heap[(i - 1) / 2] = t;
                }
            }
    }
    for (size_t i = 0; sv && i < n; i++)
        mm_stmt_free(sv[i].st);
    free(sv);
    free(heap);
    free(run);
    return err ? -1 : 0;
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
        /* all data: the span ingest keeps */
        from = mm_db_scalar(db, "SELECT v FROM span WHERE k = 'first'");
        to = mm_db_scalar(db, "SELECT v FROM span WHERE k = 'last'") + 1;
        if (to <= from)
            to = from + 1;
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

    /* countries: packets by the direction they travelled, public remotes only */
    if (!qopen(&x, m, "SELECT site_id, cc, SUM(pkts_in), SUM(pkts_out), SUM(flows)"
                      " FROM countries_day WHERE day >= CAST($1 AS BIGINT) / 86400000000"
                      " AND day <= (CAST($2 AS BIGINT) - 1) / 86400000000"
                      " GROUP BY site_id, cc"))
        return -1;
    while ((rc = qstep(&x)) == 1) {
        rp_site *s = rp_site_by_id(m, mm_col_i64(x.st, 0));
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
        mm_sort(m->site[i].cc, m->site[i].ncc, sizeof(rp_country), cc_desc);
    mm_sort(m->cc, m->ncc, sizeof(rp_country), cc_desc);

    /* every figure about alerts, in one pass */
    pass ps;
    memset(&ps, 0, sizeof ps);
    ps.m = m;
    if (alert_pass(&ps, &x) != 0) {
        pass_free(&ps);
        return -1;
    }

    if (load_peer_flows(m, &x) != 0) {
        pass_free(&ps);
        return -1;
    }

    /* the same over flows, with common services told apart: addresses only
     * ever reached from inside on web, name and time ports, never in an alert */
    if (load_xflows(m, &x, &ps) != 0) {
        pass_free(&ps);
        return -1;
    }
    mm_sort(m->xip, m->nxip, sizeof(rp_xip), xip_order);
    mm_sort(m->xflow, m->nxflow, sizeof(rp_xip), xip_order);

    /* order, cross-company counts and the level of each site */
    for (size_t i = 0; i < m->nsite; i++) {
        rp_site *s = &m->site[i];
        mm_sort(s->find, s->nfind, sizeof(rp_finding), find_order);
        for (size_t k = 0; k < s->nfind; k++)
            for (size_t r = 0; r < s->find[k].nr; r++)
                s->find[k].remotes[r].nsites = companies_of(&ps, s->find[k].remotes[r].ip);
        s->level = s->sev[1] ? 1 : s->sev[2] ? 2 : 3;
        for (size_t k = 0; k < s->remote_control.n; k++)
            if (s->remote_control.v[k].success)
                s->level = 1;
        rp_peers *lists[] = {&s->remotes, &s->remote_control, &s->malicious, &s->ddos};
        for (size_t k = 0; k < 4; k++) {
            for (size_t j = 0; j < lists[k]->n; j++) {
                rp_peer *p = &lists[k]->v[j];
                p->nsites = companies_of(&ps, p->ip);
                if (k == 0 && p->nsites >= 2)
                    s->shared_ips++;
            }
            mm_sort(lists[k]->v, lists[k]->n, sizeof(rp_peer), peer_desc);
        }
    }
    pass_free(&ps);
    if (rp_logs_build(m, db, err, errlen) != 0 || rp_files_build(m, db, err, errlen) != 0)
        return -1;
    return rp_exposure_build(m, db, err, errlen);
}

void rp_model_free(rp_model *m)
{
    rp_exposure_free(m);        /* (the sites' parts first) */
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
        rp_logs_free(&s->logs);
        rp_files_free(&s->files);
        free(s->hostinfo);
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
    rp_logsurvey_free(&m->logs);
    memset(m, 0, sizeof(*m));
}
