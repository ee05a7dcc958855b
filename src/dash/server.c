/*
 * server.c - the dashboard's server: the store, the report model shared
 * by the pages, the companies by id or name, the web layer around them.
 */
#include "dash/dash_int.h"
#include "analysis/catalog.h"
#include "util/util.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void mm_dash_config_defaults(mm_dash_config *c)
{
    memset(c, 0, sizeof *c);
    mm_web_config_defaults(&c->web);
    /* pages, their style sheets and a browser's parallel requests: more
     * than the self-check service's one request a second */
    c->web.rl.addr_rate = 20;
    c->web.rl.addr_burst = 200;
    c->web.rl.block_rate = 100;
    c->web.rl.block_burst = 1000;
    /* a reverse proxy in front brings every user from one address */
    c->web.per_ip_limit = 64;
    c->db = "mimamori.db";
    c->tz = "Asia/Tokyo";
    c->model_ttl_s = 60;
}

int64_t dash_site_resolve(void *ctx, const char *id, const char *name)
{
    mm_dash *d = ctx;
    uint64_t v = 0;
    if (id && (!mm_parse_uint(id, INT64_MAX, &v) || v == 0))
        return 0;
    pthread_mutex_lock(&d->db_mu);
    mm_stmt *st = mm_db_prepare(d->db, id ? "SELECT id FROM sites WHERE id = $1"
                                          : "SELECT id FROM sites WHERE name = $1");
    int64_t r = 0;
    if (st) {
        if (id)
            mm_stmt_i64(st, 1, (int64_t)v);
        else
            mm_stmt_text(st, 1, name ? name : "");
        r = mm_stmt_step(st) == 1 ? mm_col_i64(st, 0) : 0;
        mm_stmt_free(st);
    }
    pthread_mutex_unlock(&d->db_mu);
    return r;
}

void dash_session_csrf(const mm_dash *d, const mm_session *s, char out[33])
{
    uint8_t h[16];
    crypto_generichash(h, sizeof h, (const uint8_t *)s->hash, strlen(s->hash), d->sc_key,
                       sizeof d->sc_key);
    sodium_bin2hex(out, 33, h, sizeof h);
}

static void model_drop(dmodel *m)
{
    rp_model_free(&m->m);
    free(m);
}

void dash_model_put(mm_dash *d, dmodel *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&d->model_mu);
    bool last = --m->refs == 0;
    pthread_mutex_unlock(&d->model_mu);
    if (last)
        model_drop(m);
}

static dmodel *fresh(mm_dash *d)
{
    dmodel *m = NULL;
    pthread_mutex_lock(&d->model_mu);
    /* with the refresher running, the model it keeps is the one to use */
    if (d->cur && (d->refreshing ||
                   mm_now_ns() - d->cur->built_ns < (uint64_t)d->c.model_ttl_s * 1000000000ull)) {
        m = d->cur;
        m->refs++;
    }
    pthread_mutex_unlock(&d->model_mu);
    return m;
}

/* A new model made the current one; returned held once for the caller
 * (NULL with a reason in err). Under build_mu, on the model's own
 * connection (SQLite in WAL mode and PostgreSQL read while the requests'
 * connection is used). */
static dmodel *build(mm_dash *d, char *err, size_t errlen)
{
    dmodel *m;
    m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int rc = rp_model_build(&m->m, d->mdb, 0, 0, d->tz, err, errlen);
    if (rc != 0) {
        rp_model_free(&m->m);
        free(m);
        return NULL;
    }
    char cerr[256];
    mm_catalog *cat = mm_catalog_open(NULL, cerr, sizeof cerr);
    rp_logs_categories(&m->m, cat);
    mm_catalog_free(cat);
    m->built_ns = mm_now_ns();
    m->refs = 2;                            /* the cache's and the caller's */
    pthread_mutex_lock(&d->model_mu);
    dmodel *old = d->cur;
    d->cur = m;
    bool drop = old && --old->refs == 0;
    pthread_mutex_unlock(&d->model_mu);
    if (drop)
        model_drop(old);
    return m;
}

dmodel *dash_model_get(mm_dash *d, char *err, size_t errlen)
{
    dmodel *m = fresh(d);
    if (m)
        return m;
    pthread_mutex_lock(&d->build_mu);       /* one build at a time */
    if (!(m = fresh(d)))
        m = build(d, err, errlen);
    pthread_mutex_unlock(&d->build_mu);
    return m;
}

/* A chosen period's model from the cache, held (NULL: none fresh).
 * Under model_mu. */
static dmodel *period_cached(mm_dash *d, int64_t from, int64_t to)
{
    uint64_t now = mm_now_ns();
    for (int i = 0; i < MM_DASH_PERIODS; i++) {
        dmodel *m = d->per[i];
        if (m && m->from == from && m->to == to &&
            now - m->built_ns < (uint64_t)d->c.model_ttl_s * 1000000000ull) {
            m->refs++;
            return m;
        }
    }
    return NULL;
}

dmodel *dash_model_period(mm_dash *d, int64_t from, int64_t to, char *err, size_t errlen)
{
    if (!from && !to)
        return dash_model_get(d, err, errlen);
    pthread_mutex_lock(&d->model_mu);
    dmodel *m = period_cached(d, from, to);
    pthread_mutex_unlock(&d->model_mu);
    if (m)
        return m;
    pthread_mutex_lock(&d->build_mu);
    pthread_mutex_lock(&d->model_mu);
    m = period_cached(d, from, to);
    pthread_mutex_unlock(&d->model_mu);
    if (!m && (m = calloc(1, sizeof *m)) == NULL)
        snprintf(err, errlen, "out of memory");
    else if (!m->refs) {
        if (rp_model_build(&m->m, d->mdb, from, to, d->tz, err, errlen) != 0) {
            rp_model_free(&m->m);
            free(m);
            m = NULL;
        } else {
            char cerr[256];
            mm_catalog *cat = mm_catalog_open(NULL, cerr, sizeof cerr);
            rp_logs_categories(&m->m, cat);
            mm_catalog_free(cat);
            m->from = from;
            m->to = to;
            m->built_ns = mm_now_ns();
            m->refs = 2;                    /* the cache's and the caller's */
            pthread_mutex_lock(&d->model_mu);
            int slot = 0;
            for (int i = 0; i < MM_DASH_PERIODS; i++) {
                if (!d->per[i]) {
                    slot = i;
                    break;
                }
                if (d->per[i]->built_ns < d->per[slot]->built_ns)
                    slot = i;
            }
            dmodel *old = d->per[slot];
            d->per[slot] = m;
            bool drop = old && --old->refs == 0;
            pthread_mutex_unlock(&d->model_mu);
            if (drop)
                model_drop(old);
        }
    }
    pthread_mutex_unlock(&d->build_mu);
    return m;
}

static void *refresher(void *arg)
{
    mm_dash *d = arg;
    for (;;) {
        pthread_mutex_lock(&d->model_mu);
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += d->c.model_ttl_s;
        while (!d->stopping && pthread_cond_timedwait(&d->stop_cv, &d->model_mu, &dl) == 0) {
        }
        bool stop = d->stopping;
        pthread_mutex_unlock(&d->model_mu);
        if (stop)
            return NULL;
        char err[256];
        pthread_mutex_lock(&d->build_mu);
        dmodel *m = build(d, err, sizeof err);
        pthread_mutex_unlock(&d->build_mu);
        if (m)
            dash_model_put(d, m);
        else
            fprintf(stderr, "mimamori serve: report model: %s\n", err);
        /* ended sessions leave the store */
        pthread_mutex_lock(&d->db_mu);
        mm_sess_sweep(d->db, (int64_t)(mm_now_ns() / 1000));
        pthread_mutex_unlock(&d->db_mu);
    }
}

mm_dash *mm_dash_new(const mm_dash_config *c, char *err, size_t errlen)
{
    mm_dash *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    d->c = *c;
    if (!d->c.model_ttl_s)
        d->c.model_ttl_s = 60;
    mm_strcpy(d->tz, sizeof d->tz, c->tz ? c->tz : "Asia/Tokyo");
    d->c.tz = d->tz;
    pthread_mutex_init(&d->db_mu, NULL);
    pthread_mutex_init(&d->model_mu, NULL);
    pthread_mutex_init(&d->build_mu, NULL);
    pthread_cond_init(&d->stop_cv, NULL);
    if (!mm_pw_init()) {
        snprintf(err, errlen, "libsodium cannot start");
        goto fail;
    }
    if (!(d->db = mm_db_open(c->db, err, errlen)))
        goto fail;
    if (mm_store_init(d->db) != 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(d->db));
        goto fail;
    }
    randombytes_buf(d->sc_key, sizeof d->sc_key);
    if (!(d->mdb = mm_db_open(c->db, err, errlen)))
        goto fail;
    mm_sess_sweep(d->db, (int64_t)(mm_now_ns() / 1000));
    char gerr[256];
    d->geo = mm_geo_open(c->geoip, gerr, sizeof gerr);   /* without: country codes */
    /* login attempts: 10 at once from an address, then one every 6 s
     * (a block of addresses: 50, then one a second) */
    mm_web_rl_config rc;
    mm_web_rl_defaults(&rc);
    rc.addr_rate = 1.0 / 6;
    rc.addr_burst = 10;
    rc.block_rate = 1;
    rc.block_burst = 50;
    rc.capacity = 16384;
    if (!(d->login_rl = mm_web_rl_new(&rc))) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (!(d->web = mm_web_new(&c->web, err, errlen)))
        goto fail;
    if (!dash_register(d, d->web)) {
        snprintf(err, errlen, "routes");
        goto fail;
    }
    return d;
fail:
    mm_dash_free(d);
    return NULL;
}

bool mm_dash_start(mm_dash *d, char *err, size_t errlen)
{
    /* the model before the first request, then kept fresh by a thread */
    dmodel *m = dash_model_get(d, err, errlen);
    if (!m)
        return false;
    dash_model_put(d, m);
    pthread_mutex_lock(&d->model_mu);
    d->refreshing = pthread_create(&d->refresher, NULL, refresher, d) == 0;
    pthread_mutex_unlock(&d->model_mu);
    if (!d->refreshing) {
        snprintf(err, errlen, "cannot start a thread");
        return false;
    }
    return mm_web_start(d->web, err, errlen);
}

uint16_t mm_dash_port(const mm_dash *d) { return mm_web_port(d->web); }

mm_web_server *mm_dash_web(mm_dash *d) { return d->web; }

void mm_dash_stats(mm_dash *d, mm_dash_counters *o)
{
    o->login_ok = atomic_load(&d->login_ok);
    o->login_failed = atomic_load(&d->login_failed);
    o->login_locked = atomic_load(&d->login_locked);
    o->login_rate = atomic_load(&d->login_rate);
    o->denied = atomic_load(&d->denied);
    o->not_found = atomic_load(&d->not_found);
    o->no_session = atomic_load(&d->no_session);
}

void mm_dash_free(mm_dash *d)
{
    if (!d)
        return;
    if (d->web)
        mm_web_stop(d->web);
    pthread_mutex_lock(&d->model_mu);
    bool joining = d->refreshing;
    d->stopping = true;
    pthread_cond_broadcast(&d->stop_cv);
    pthread_mutex_unlock(&d->model_mu);
    if (joining)
        pthread_join(d->refresher, NULL);
    mm_web_free(d->web);
    if (d->login_rl)
        mm_web_rl_free(d->login_rl);
    if (d->cur)
        dash_model_put(d, d->cur);
    for (int i = 0; i < MM_DASH_PERIODS; i++)
        if (d->per[i])
            dash_model_put(d, d->per[i]);
    mm_geo_close(d->geo);
    mm_db_close(d->db);
    mm_db_close(d->mdb);
    pthread_mutex_destroy(&d->db_mu);
    pthread_mutex_destroy(&d->model_mu);
    pthread_mutex_destroy(&d->build_mu);
    pthread_cond_destroy(&d->stop_cv);
    free(d);
}
