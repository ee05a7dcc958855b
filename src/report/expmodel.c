/*
 * expmodel.c - what the exposure checks show, for the reports (tables
 * exposure_checks and exposure_ports, store/schema.c), in the report's
 * period:
 *
 *   per company  the open ports of its audits (mimamori exposure scan):
 *                for each address, its latest audit that got an answer
 *                from it; the self-checks its staff made through the
 *                company's link, the latest of each requester
 *   overall      the self-check service's statistics, anonymous checks
 *                included: checks, the share of checks that found each
 *                port open, per month (field report 003's figure)
 *
 * An open maintenance port (ports.h) makes the company's level "needs
 * attention"; one that attacks use to get in (file sharing, remote
 * desktop, telnet, databases, VNC) makes it "serious".
 */
#include "exposure/ports.h"
#include "report/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_OPEN 500

static bool serious_port(int port)
{
    static const int v[] = {445, 139, 3389, 23, 2323, 5900, 1433, 3306, 5432, 6379, 27017, 9200};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (v[i] == port)
            return true;
    return false;
}

static void *grow(void *v, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return v;
    size_t nc = *cap ? *cap * 2 : 16;
    void *nv = realloc(v, nc * elem);
    if (nv)
        *cap = nc;
    return nv;
}



/* The audits' open ports: each address's latest audit with an answer. */
static int audits(rp_model *m, mm_db *db, char *err, size_t errlen)
{
    mm_stmt *st = rp_period_stmt(db, m,
        "SELECT k.site_id, p.target, p.port, p.service, p.banner, p.cert_names,"
        " p.cert_not_after, k.ts FROM exposure_ports p JOIN exposure_checks k"
        " ON k.id = p.check_id WHERE k.kind = 'scan' AND k.ts >= $1 AND k.ts < $2"
        " AND p.state = 'open' AND k.ts = (SELECT MAX(k2.ts) FROM exposure_checks k2"
        " JOIN exposure_ports p2 ON p2.check_id = k2.id WHERE k2.site_id = k.site_id"
        " AND k2.kind = 'scan' AND p2.target = p.target AND k2.ts >= $1 AND k2.ts < $2)"
        " ORDER BY k.site_id, p.target, p.port", err, errlen);
    if (!st)
        return -1;
    int rc;
    size_t cap = 0;
    int64_t last_site = -1;
    while ((rc = mm_stmt_step(st)) == 1) {
        int64_t sid = mm_col_i64(st, 0);
        rp_site *s = rp_site_by_id(m, sid);
        if (!s)
            continue;
        if (sid != last_site) {
            cap = 0;
            last_site = sid;
        }
        rp_exposure *e = &s->exp;
        if (e->nopen >= MAX_OPEN)
            continue;
        rp_expopen *nv = grow(e->open, e->nopen, &cap, sizeof *nv);
        if (!nv) {
            rc = -2;
            break;
        }
        e->open = nv;
        rp_expopen *o = &e->open[e->nopen++];
        memset(o, 0, sizeof *o);
        rp_copy(o->target, sizeof o->target, mm_col_text(st, 1));
        o->port = (int)mm_col_i64(st, 2);
        rp_copy(o->service, sizeof o->service, mm_col_text(st, 3));
        rp_copy(o->banner, sizeof o->banner, mm_col_text(st, 4));
        const char *names = mm_col_text(st, 5), *until = mm_col_text(st, 6);
        if (names[0] || until[0])
            snprintf(o->cert, sizeof o->cert, "%s%s%s", names, until[0] ? "; " : "", until);
        o->ts = mm_col_i64(st, 7);
        const mm_port_info *pi = mm_port_info_of((uint16_t)o->port);
        if (!o->service[0] && pi)
            rp_copy(o->service, sizeof o->service, pi->service);
        o->maintenance = pi && pi->maintenance;
        o->serious = serious_port(o->port);
    }
    mm_stmt_free(st);
    if (rc < 0) {
        snprintf(err, errlen, rc == -2 ? "out of memory" : "store: %s", mm_db_error(db));
        return -1;
    }
    /* audits per company */
    st = rp_period_stmt(db, m, "SELECT site_id, COUNT(*) FROM exposure_checks WHERE kind = 'scan'"
                     " AND ts >= $1 AND ts < $2 GROUP BY site_id", err, errlen);
    if (!st)
        return -1;
    while ((rc = mm_stmt_step(st)) == 1) {
        rp_site *s = rp_site_by_id(m, mm_col_i64(st, 0));
        if (s)
            s->exp.scans = mm_col_i64(st, 1);
    }
    mm_stmt_free(st);
    return rc < 0 ? -1 : 0;
}

static void month_of(int64_t us, char out[8])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        memset(&tm, 0, sizeof tm);
    snprintf(out, 8, "%04d-%02d", (tm.tm_year + 1900) % 10000, tm.tm_mon + 1);
}

typedef struct chk {            /* the self-check being read */
    int64_t id, site, ts;
    char requester[46], open[128];
    bool any, p445;
} chk;

static int self_end(rp_model *m, const chk *c, size_t *mcap)
{
    if (c->id < 0)
        return 0;
    rp_expsurvey *S = &m->exp;
    S->checks++;
    S->exposed += c->any;
    char mo[8];
    month_of(c->ts, mo);
    rp_expmonth *mt = NULL;
    for (size_t i = 0; i < S->nmonths && !mt; i++)
        if (strcmp(S->months[i].month, mo) == 0)
            mt = &S->months[i];
    if (!mt) {
        rp_expmonth *nv = grow(S->months, S->nmonths, mcap, sizeof *nv);
        if (!nv)
            return -1;
        S->months = nv;
        mt = &S->months[S->nmonths++];
        memset(mt, 0, sizeof *mt);
        rp_copy(mt->month, sizeof mt->month, mo);
    }
    mt->checks++;
    mt->open_any += c->any;
    mt->open_445 += c->p445;
    /* a company's staff: the latest check of each requester */
    rp_site *s = c->site > 0 ? rp_site_by_id(m, c->site) : NULL;
    if (!s)
        return 0;
    rp_exposure *e = &s->exp;
    e->self_checks++;
    for (size_t i = 0; i < e->nself; i++)
        if (strcmp(e->self[i].requester, c->requester) == 0) {
            if (c->ts >= e->self[i].ts) {
                e->self[i].ts = c->ts;
                rp_copy(e->self[i].open, sizeof e->self[i].open, c->open);
            }
            return 0;
        }
    rp_expself *nv = realloc(e->self, (e->nself + 1) * sizeof *nv);
    if (!nv)
        return -1;
    e->self = nv;
    rp_expself *x = &e->self[e->nself++];
    rp_copy(x->requester, sizeof x->requester, c->requester);
    rp_copy(x->open, sizeof x->open, c->open);
    x->ts = c->ts;
    return 0;
}

static int port_cmp(const void *a, const void *b)
{
    const rp_expport *x = a, *y = b;
    return (x->port > y->port) - (x->port < y->port);
}

static int self_checks(rp_model *m, mm_db *db, char *err, size_t errlen)
{
    mm_stmt *st = rp_period_stmt(db, m,
        "SELECT k.id, k.site_id, k.ts, k.requester, p.port, p.state FROM exposure_checks k"
        " JOIN exposure_ports p ON p.check_id = k.id WHERE k.kind = 'self' AND k.ts >= $1"
        " AND k.ts < $2 ORDER BY k.id, p.port", err, errlen);
    if (!st)
        return -1;
    chk c = {.id = -1};
    size_t pcap = 0, mcap = 0;
    int rc;
    rp_expsurvey *S = &m->exp;
    while ((rc = mm_stmt_step(st)) == 1) {
        int64_t id = mm_col_i64(st, 0);
        if (id != c.id) {
            if (self_end(m, &c, &mcap) != 0) {
                rc = -2;
                break;
            }
            memset(&c, 0, sizeof c);
            c.id = id;
            c.site = mm_col_i64(st, 1);
            c.ts = mm_col_i64(st, 2);
            rp_copy(c.requester, sizeof c.requester, mm_col_text(st, 3));
        }
        int port = (int)mm_col_i64(st, 4);
        bool open = strcmp(mm_col_text(st, 5), "open") == 0;
        rp_expport *pp = NULL;
        for (size_t i = 0; i < S->nports && !pp; i++)
            if (S->ports[i].port == port)
                pp = &S->ports[i];
        if (!pp) {
            rp_expport *nv = grow(S->ports, S->nports, &pcap, sizeof *nv);
            if (!nv) {
                rc = -2;
                break;
            }
            S->ports = nv;
            pp = &S->ports[S->nports++];
            memset(pp, 0, sizeof *pp);
            pp->port = port;
        }
        pp->asked++;
        if (open) {
            pp->open++;
            c.any = true;
            c.p445 |= port == 445;
            size_t l = strlen(c.open);
            if (l + 8 < sizeof c.open)
                snprintf(c.open + l, sizeof c.open - l, "%s%d", l ? ", " : "", port);
        }
    }
    if (rc == 0 && self_end(m, &c, &mcap) != 0)
        rc = -2;
    mm_stmt_free(st);
    if (rc < 0) {
        snprintf(err, errlen, rc == -2 ? "out of memory" : "store: %s", mm_db_error(db));
        return -1;
    }
    if (S->nports > 1)
        qsort(S->ports, S->nports, sizeof *S->ports, port_cmp);
    /* months in order */
    for (size_t i = 1; i < S->nmonths; i++)
        for (size_t j = i; j > 0 && strcmp(S->months[j - 1].month, S->months[j].month) > 0; j--) {
            rp_expmonth t = S->months[j];
            S->months[j] = S->months[j - 1];
            S->months[j - 1] = t;
        }
    for (size_t i = 0; i < m->nsite; i++)
        for (size_t a = 1; a < m->site[i].exp.nself; a++)   /* the latest first */
            for (size_t b = a; b > 0 && m->site[i].exp.self[b - 1].ts < m->site[i].exp.self[b].ts;
                 b--) {
                rp_expself t = m->site[i].exp.self[b];
                m->site[i].exp.self[b] = m->site[i].exp.self[b - 1];
                m->site[i].exp.self[b - 1] = t;
            }
    return 0;
}

/* Each company's latest web-site check in the period: its findings. */
static int web_checks(rp_model *m, mm_db *db, char *err, size_t errlen)
{
    mm_stmt *st = rp_period_stmt(db, m,
        "SELECT k.site_id, p.service, p.target, p.port, p.banner, p.detail, k.ts,"
        " (SELECT COUNT(*) FROM exposure_checks k3 WHERE k3.site_id = k.site_id AND"
        " k3.kind = 'web' AND k3.ts >= $1 AND k3.ts < $2)"
        " FROM exposure_ports p JOIN exposure_checks k ON k.id = p.check_id"
        " WHERE k.kind = 'web' AND k.ts >= $1 AND k.ts < $2 AND k.id = (SELECT MAX(k2.id)"
        " FROM exposure_checks k2 WHERE k2.site_id = k.site_id AND k2.kind = 'web'"
        " AND k2.ts >= $1 AND k2.ts < $2) ORDER BY k.site_id, p.detail DESC, p.service,"
        " p.target", err, errlen);
    if (!st)
        return -1;
    int rc;
    size_t cap = 0;
    int64_t last = -1;
    while ((rc = mm_stmt_step(st)) == 1) {
        int64_t sid = mm_col_i64(st, 0);
        rp_site *s = rp_site_by_id(m, sid);
        if (!s)
            continue;
        if (sid != last) {
            cap = 0;
            last = sid;
        }
        rp_exposure *e = &s->exp;
        e->webs = mm_col_i64(st, 7);
        if (e->nweb >= MAX_OPEN)
            continue;
        rp_expweb *nv = grow(e->web, e->nweb, &cap, sizeof *nv);
        if (!nv) {
            rc = -2;
            break;
        }
        e->web = nv;
        rp_expweb *w = &e->web[e->nweb++];
        memset(w, 0, sizeof *w);
        rp_copy(w->kind, sizeof w->kind, mm_col_text(st, 1));
        rp_copy(w->target, sizeof w->target, mm_col_text(st, 2));
        w->port = (int)mm_col_i64(st, 3);
        rp_copy(w->what, sizeof w->what, mm_col_text(st, 4));
        w->problem = strcmp(mm_col_text(st, 5), "problem") == 0;
        w->ts = mm_col_i64(st, 6);
    }
    mm_stmt_free(st);
    if (rc < 0) {
        snprintf(err, errlen, rc == -2 ? "out of memory" : "store: %s", mm_db_error(db));
        return -1;
    }
    return 0;
}

int rp_exposure_build(rp_model *m, mm_db *db, char *err, size_t errlen)
{
    if (audits(m, db, err, errlen) != 0 || self_checks(m, db, err, errlen) != 0 ||
        web_checks(m, db, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < m->nsite; i++) {
        rp_site *s = &m->site[i];
        rp_exposure *e = &s->exp;
        int level = e->scans || e->self_checks || e->webs ? 3 : 0;
        for (size_t k = 0; k < e->nweb; k++)
            if (e->web[k].problem && level > 2)
                level = 2;
        for (size_t k = 0; k < e->nopen; k++)
            if (e->open[k].maintenance)
                level = e->open[k].serious ? 1 : level > 2 ? 2 : level;
        for (size_t k = 0; k < e->nself; k++)
            if (e->self[k].open[0]) {
                e->self_exposed++;
                if (level > 2)
                    level = 2;
            }
        e->level = level;
        if (level && level < s->level)
            s->level = level;
    }
    return 0;
}

void rp_exposure_free(rp_model *m)
{
    for (size_t i = 0; i < m->nsite; i++) {
        free(m->site[i].exp.open);
        free(m->site[i].exp.self);
        free(m->site[i].exp.web);
        memset(&m->site[i].exp, 0, sizeof m->site[i].exp);
    }
    free(m->exp.ports);
    free(m->exp.months);
    memset(&m->exp, 0, sizeof m->exp);
}
