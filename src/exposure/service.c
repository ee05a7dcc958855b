/*
 * service.c - the self-check web service (see service.h): its routes on the
 * shared web layer, the checks (one thread each, bounded), their record
 * in the store.
 *
 * A check's target is the request's client address as the web layer
 * established it (req->client), turned into probe targets by
 * mm_probe_targets_peer: the form and the API carry ports and consent
 * only. A request whose client is not known (a trusted proxy sent a
 * malformed X-Forwarded-For) is refused.
 */
#include "exposure/service.h"
#include "exposure/expdb.h"
#include "exposure/pages.h"
#include "exposure/probe.h"
#include "util/jread.h"
#include "util/json.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define JOB_KEEP_NS (15ull * 60 * 1000000000ull)   /* a result stays viewable */
#define QUEUE_WAIT_S 20                             /* a check waits for a place */

typedef enum { JOB_FREE, JOB_RUNNING, JOB_DONE } job_state;

typedef struct job {
    job_state st;
    char id[33];
    mm_ip client;
    char site[128];             /* a company link's company ("" none) */
    uint16_t ports[MM_SELF_MAX_PORTS];
    uint8_t states[MM_SELF_MAX_PORTS];
    size_t n;
    uint64_t done_ns;
    struct mm_selfcheck *svc;
} job;

struct mm_selfcheck {
    mm_selfcheck_config c;
    mm_portlist offered;
    mm_web_server *web;
    mm_db *db;
    pthread_mutex_t db_mu;
    pthread_mutex_t mu;
    pthread_cond_t idle;
    job *jobs;
    size_t njobs;
    unsigned running;
    bool stopping;
    mm_web_rl *rl;              /* checks per requester and per block */
    _Atomic uint64_t checks, busy, rate, unknown, probes;
};

/* ---- checks ---- */

static int on_port(void *u, const mm_probe_result *r)
{
    job *j = u;
    for (size_t i = 0; i < j->n; i++)
        if (j->ports[i] == r->port)
            j->states[i] = (uint8_t)r->state;
    atomic_fetch_add(&j->svc->probes, 1);
    return 0;
}

static void record(mm_selfcheck *s, const job *j)
{
    if (!s->db)
        return;
    char ip[MM_IPSTR_LEN], err[256];
    mm_ip_str(&j->client, ip);
    pthread_mutex_lock(&s->db_mu);
    mm_expdb *x = mm_expdb_begin(s->db, j->site[0] ? j->site : NULL, "self",
                                 (int64_t)(mm_now_ns() / 1000), ip, NULL, err, sizeof err);
    if (x) {
        mm_probe_stats st = {0};
        int rc = 0;
        for (size_t i = 0; i < j->n && rc == 0; i++) {
            mm_probe_result r;
            memset(&r, 0, sizeof r);
            r.addr = j->client;
            r.port = j->ports[i];
            r.state = (mm_port_state)j->states[i];
            rc = mm_expdb_port(x, &r, true);
            st.open += r.state == MM_PS_OPEN;
            st.closed += r.state == MM_PS_CLOSED;
            st.filtered += r.state == MM_PS_FILTERED;
        }
        st.hosts_up = 1;
        if (rc == 0)
            rc = mm_expdb_end(x, 1, j->n, &st);
        else
            mm_expdb_abort(x);
        if (rc != 0)
            fprintf(stderr, "mimamori exposure serve: store: %s\n", mm_db_error(s->db));
    } else
        fprintf(stderr, "mimamori exposure serve: %s\n", err);
    pthread_mutex_unlock(&s->db_mu);
}

/* Probes the job's client on its ports (every state starts filtered: no
 * answer), then records it. */
static void run_check(job *j)
{
    mm_selfcheck *s = j->svc;
    for (size_t i = 0; i < j->n; i++)
        j->states[i] = MM_PS_FILTERED;
    mm_probe_targets *t = s->c.dry_run ? NULL : mm_probe_targets_peer(&j->client);
    if (t) {
        mm_probe_opts o;
        mm_probe_opts_default(&o);
        o.timeout_ms = s->c.timeout_ms;
        o.parallel = (uint32_t)j->n;
        o.rate = 0;
        char err[256];
        if (mm_probe_run(t, j->ports, j->n, &o, on_port, j, NULL, NULL, err, sizeof err) != 0)
            fprintf(stderr, "mimamori exposure serve: %s\n", err);
        mm_probe_targets_free(t);
    }
    atomic_fetch_add(&s->checks, 1);
    record(s, j);
}

static void job_finish(job *j)
{
    mm_selfcheck *s = j->svc;
    pthread_mutex_lock(&s->mu);
    j->st = JOB_DONE;
    j->done_ns = mm_now_ns();
    s->running--;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
}

static void *job_thread(void *arg)
{
    job *j = arg;
    run_check(j);
    job_finish(j);
    return NULL;
}

/* A slot for a new check, running (NULL when max_parallel run already, or
 * every slot holds a result still viewable). */
static job *job_take(mm_selfcheck *s, const mm_ip *client, const char *site, const uint16_t *ports,
                     size_t n)
{
    pthread_mutex_lock(&s->mu);
    job *j = NULL;
    /* a check waits for a free place a while (the connection's thread:
     * their number is the server's connection limit) before "busy" */
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += QUEUE_WAIT_S;
    while (s->running >= s->c.max_parallel && !s->stopping)
        if (pthread_cond_timedwait(&s->idle, &s->mu, &dl) != 0)
            break;
    if (s->running < s->c.max_parallel && !s->stopping) {
        uint64_t now = mm_now_ns();
        job *oldest = NULL;
        for (size_t i = 0; i < s->njobs && !j; i++) {
            job *x = &s->jobs[i];
            if (x->st == JOB_FREE || (x->st == JOB_DONE && now - x->done_ns > JOB_KEEP_NS))
                j = x;
            else if (x->st == JOB_DONE && (!oldest || x->done_ns < oldest->done_ns))
                oldest = x;
        }
        if (!j)
            j = oldest;         /* the oldest result gives way */
    }
    if (j) {
        memset(j, 0, sizeof *j);
        j->st = JOB_RUNNING;
        j->svc = s;
        uint8_t r[16];
        randombytes_buf(r, sizeof r);
        sodium_bin2hex(j->id, sizeof j->id, r, sizeof r);
        j->client = *client;
        snprintf(j->site, sizeof j->site, "%s", site);
        memcpy(j->ports, ports, n * sizeof *ports);
        j->n = n;
        s->running++;
    }
    pthread_mutex_unlock(&s->mu);
    return j;
}

/* ---- request helpers ---- */

static bool is_ja(const mm_web_req *req)
{
    const char *l = mm_web_req_field(req, "lang");
    if (l && (strcmp(l, "ja") == 0 || strcmp(l, "en") == 0))
        return l[0] == 'j';
    return strcmp(req->lang, "ja") == 0;
}

static int page(mm_web_resp *resp, int status)
{
    snprintf(resp->ctype, sizeof resp->ctype, "text/html; charset=utf-8");
    return mm_web_buf_failed(&resp->body) ? -1 : status;
}

static int message(mm_web_resp *resp, const mm_web_req *req, int status, const char *title,
                   const char *text)
{
    mm_selfpage_message(&resp->body, is_ja(req), title, text);
    return page(resp, status);
}

/* The company of a link given as c (""), false when c names none. */
static bool link_company(mm_selfcheck *s, const char *c, char *out, size_t outlen)
{
    out[0] = 0;
    if (!c || !c[0])
        return true;
    if (!s->db)
        return false;
    pthread_mutex_lock(&s->db_mu);
    bool ok = mm_expdb_link_site(s->db, c, out, outlen);
    pthread_mutex_unlock(&s->db_mu);
    return ok;
}

static bool offered(const mm_selfcheck *s, unsigned long p)
{
    return p > 0 && p <= 65535 && mm_portlist_has(&s->offered, (uint16_t)p);
}

static bool add_port(uint16_t *ports, size_t *n, uint16_t p)
{
    for (size_t i = 0; i < *n; i++)
        if (ports[i] == p)
            return true;
    if (*n == MM_SELF_MAX_PORTS)
        return false;
    ports[(*n)++] = p;
    return true;
}

/* A check may start: the client is known and within its rate. Else the
 * refusal's status (the page or JSON is the caller's). */
static int admit(mm_selfcheck *s, const mm_web_req *req)
{
    if (!req->client_known) {
        atomic_fetch_add(&s->unknown, 1);
        return 403;
    }
    if (s->rl && !mm_web_rl_take(s->rl, &req->client, req->now_ns)) {
        atomic_fetch_add(&s->rate, 1);
        return 429;
    }
    return 0;
}

/* ---- routes ---- */

static int h_css(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    (void)ctx;
    (void)req;
    resp->cacheable = true;
    return mm_web_resp_text(resp, 200, "text/css; charset=utf-8", mm_selfpage_css);
}

static int h_index(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    mm_selfcheck *s = ctx;
    const char *c = mm_web_req_arg(req, "c");
    char company[128];
    if (!link_company(s, c, company, sizeof company))
        return message(resp, req, 404, "link_h", "link");
    if (!req->client_known)
        return message(resp, req, 403, "client_h", "client");
    char tok[128], ip[MM_IPSTR_LEN];
    if (!mm_web_csrf_token(s->web, req, tok, sizeof tok))
        return -1;
    mm_ip_str(&req->client, ip);
    const char *l = mm_web_req_arg(req, "lang");
    if (l && (strcmp(l, "ja") == 0 || strcmp(l, "en") == 0))
        mm_web_resp_cookie(resp, "lang", l, 365u * 86400, false);
    mm_selfpage_terms(&resp->body, is_ja(req), &s->offered, tok, c ? c : "", company, ip);
    return page(resp, 200);
}

static int h_check(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    mm_selfcheck *s = ctx;
    const char *consent = mm_web_req_field(req, "consent");
    if (!consent || strcmp(consent, "1") != 0)
        return message(resp, req, 400, "consent_h", "consent_msg");
    uint16_t ports[MM_SELF_MAX_PORTS];
    size_t n = 0;
    for (size_t i = 0; i < req->form.n; i++) {
        if (strcmp(req->form.f[i].key, "port") != 0)
            continue;
        char *end;
        unsigned long p = strtoul(req->form.f[i].value, &end, 10);
        if (*end || end == req->form.f[i].value || !offered(s, p) ||
            !add_port(ports, &n, (uint16_t)p))
            return message(resp, req, 400, "ports_h2", "ports_msg");
    }
    if (!n)
        return message(resp, req, 400, "ports_h2", "ports_msg");
    char company[128];
    if (!link_company(s, mm_web_req_field(req, "c"), company, sizeof company))
        return message(resp, req, 404, "link_h", "link");
    int refuse = admit(s, req);
    if (refuse)
        return message(resp, req, refuse, refuse == 403 ? "client_h" : "rate_h",
                       refuse == 403 ? "client" : "rate");
    job *j = job_take(s, &req->client, company, ports, n);
    if (!j) {
        atomic_fetch_add(&s->busy, 1);
        mm_web_resp_header(resp, "Retry-After", "10");
        return message(resp, req, 503, "busy_h", "busy");
    }
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &at, job_thread, j) != 0) {
        pthread_attr_destroy(&at);
        job_finish(j);
        return -1;
    }
    pthread_attr_destroy(&at);
    char loc[96];
    snprintf(loc, sizeof loc, "/result?id=%s&lang=%s", j->id, is_ja(req) ? "ja" : "en");
    mm_web_resp_header(resp, "Location", loc);
    return mm_web_resp_text(resp, 303, "text/plain; charset=utf-8", "");
}

static int h_result(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    mm_selfcheck *s = ctx;
    const char *id = mm_web_req_arg(req, "id");
    job copy;
    bool found = false;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; id && i < s->njobs && !found; i++) {
        job *j = &s->jobs[i];
        /* a result is shown to the address it was made for only */
        if (j->st != JOB_FREE && strcmp(j->id, id) == 0 && j->client.v == req->client.v &&
            memcmp(j->client.b, req->client.b, 16) == 0) {
            copy = *j;
            found = true;
        }
    }
    pthread_mutex_unlock(&s->mu);
    if (!found)
        return message(resp, req, 404, "gone_h", "gone");
    char ip[MM_IPSTR_LEN];
    mm_ip_str(&copy.client, ip);
    if (copy.st == JOB_RUNNING)
        mm_selfpage_running(&resp->body, is_ja(req), ip, copy.n);
    else
        mm_selfpage_result(&resp->body, is_ja(req), ip, copy.ports, copy.states, copy.n,
                           copy.site);
    return page(resp, 200);
}

static int api_error(mm_web_resp *resp, int status, const char *why)
{
    mm_json j;
    mj_init(&j);
    mj_reset(&j);
    mj_obj_open(&j, NULL);
    mj_str(&j, "error", why);
    mj_obj_close(&j);
    int rc = mm_web_resp_json(resp, status, &j);
    mj_free(&j);
    return rc;
}

static int h_api(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    mm_selfcheck *s = ctx;
    const char *ct = mm_web_req_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] && ct[16] != ';' && ct[16] != ' '))
        return api_error(resp, 415, "the body must be application/json");
    jr_doc d;
    jr_init(&d, 1024);
    int root = jr_parse(&d, req->body ? (const char *)req->body : "", req->body_len) == 0 ? 0 : -1;
    int rc;
    uint16_t ports[MM_SELF_MAX_PORTS];
    size_t n = 0;
    char link[64] = "", company[128];
    if (root < 0 || d.t[root].type != JR_OBJ) {
        rc = api_error(resp, 400, "the body is not a JSON object");
        goto out;
    }
    int cs = jr_member(&d, root, "consent");
    if (cs < 0 || d.t[cs].type != JR_BOOL || d.s[d.t[cs].start] != 't') {
        rc = api_error(resp, 400, "consent must be true");
        goto out;
    }
    int pa = jr_member(&d, root, "ports");
    if (pa < 0 || d.t[pa].type != JR_ARR) {
        rc = api_error(resp, 400, "ports must be an array of port numbers");
        goto out;
    }
    for (uint32_t i = 0;; i++) {
        int e = jr_elem(&d, pa, i);
        if (e < 0)
            break;
        int64_t v;
        if (d.t[e].type != JR_NUM || !jr_i64(&d, e, &v) || !offered(s, (unsigned long)v) ||
            v <= 0 || !add_port(ports, &n, (uint16_t)v)) {
            rc = api_error(resp, 400, "a port is not one this service checks, or too many");
            goto out;
        }
    }
    if (!n) {
        rc = api_error(resp, 400, "no ports");
        goto out;
    }
    int co = jr_member(&d, root, "company");
    if (co >= 0 && (d.t[co].type != JR_STR || !jr_str(&d, co, link, sizeof link))) {
        rc = api_error(resp, 400, "company must be a link's token");
        goto out;
    }
    if (!link_company(s, link, company, sizeof company)) {
        rc = api_error(resp, 404, "unknown company link");
        goto out;
    }
    int refuse = admit(s, req);
    if (refuse) {
        rc = api_error(resp, refuse, refuse == 403 ? "the client address is not known"
                                                   : "too many checks from this address");
        goto out;
    }
    job *j = job_take(s, &req->client, company, ports, n);
    if (!j) {
        atomic_fetch_add(&s->busy, 1);
        mm_web_resp_header(resp, "Retry-After", "10");
        rc = api_error(resp, 503, "busy: try again later");
        goto out;
    }
    run_check(j);               /* in this connection's thread */
    char ip[MM_IPSTR_LEN];
    mm_ip_str(&j->client, ip);
    mm_json out;
    mj_init(&out);
    mj_reset(&out);
    mj_obj_open(&out, NULL);
    mj_str(&out, "target", ip);
    mj_arr_open(&out, "ports");
    for (size_t i = 0; i < j->n; i++) {
        mj_obj_open(&out, NULL);
        mj_u64(&out, "port", j->ports[i]);
        mj_str(&out, "state", mm_port_state_name((mm_port_state)j->states[i]));
        mj_obj_close(&out);
    }
    mj_arr_close(&out);
    mj_obj_close(&out);
    job_finish(j);
    rc = mm_web_resp_json(resp, 200, &out);
    mj_free(&out);
out:
    jr_free(&d);
    return rc;
}

/* ---- the service ---- */

mm_selfcheck *mm_selfcheck_new(const mm_selfcheck_config *c, char *err, size_t errlen)
{
    mm_selfcheck *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->c = *c;
    if (!s->c.timeout_ms)
        s->c.timeout_ms = 2000;
    if (!s->c.max_parallel)
        s->c.max_parallel = 64;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->db_mu, NULL);
    pthread_cond_init(&s->idle, NULL);
    s->offered.n = c->ports.n;
    s->offered.v = malloc((c->ports.n ? c->ports.n : 1) * sizeof *s->offered.v);
    s->njobs = 4 * (size_t)s->c.max_parallel + 16;
    s->jobs = calloc(s->njobs, sizeof *s->jobs);
    if (!s->offered.v || !s->jobs) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    memcpy(s->offered.v, c->ports.v, c->ports.n * sizeof *s->offered.v);
    if (c->db && !(s->db = mm_db_open(c->db, err, errlen)))
        goto fail;
    if (s->db && mm_store_init(s->db) != 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(s->db));
        goto fail;
    }
    mm_web_rl_config rc;
    mm_web_rl_defaults(&rc);
    rc.addr_rate = c->check_rate > 0 ? c->check_rate : 0.1;
    rc.addr_burst = c->check_burst > 0 ? c->check_burst : 10;
    rc.block_rate = rc.addr_rate * 10;
    rc.block_burst = rc.addr_burst * 5;
    rc.capacity = 16384;
    if (!(s->rl = mm_web_rl_new(&rc))) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (!(s->web = mm_web_new(&c->web, err, errlen)))
        goto fail;
    if (!mm_web_route(s->web, "GET", "/", 0, h_index, s) ||
        !mm_web_route(s->web, "GET", "/static/mm.css", 0, h_css, s) ||
        !mm_web_route(s->web, "POST", "/check", MM_WEB_CSRF, h_check, s) ||
        !mm_web_route(s->web, "GET", "/result", 0, h_result, s) ||
        !mm_web_route(s->web, "POST", "/api/check", 0, h_api, s)) {
        snprintf(err, errlen, "routes");
        goto fail;
    }
    return s;
fail:
    mm_selfcheck_free(s);
    return NULL;
}

bool mm_selfcheck_start(mm_selfcheck *s, char *err, size_t errlen)
{
    return mm_web_start(s->web, err, errlen);
}

uint16_t mm_selfcheck_port(const mm_selfcheck *s) { return mm_web_port(s->web); }

mm_web_server *mm_selfcheck_web(mm_selfcheck *s) { return s->web; }

void mm_selfcheck_stats_get(mm_selfcheck *s, mm_selfcheck_stats *out)
{
    out->checks = atomic_load(&s->checks);
    out->refused_busy = atomic_load(&s->busy);
    out->refused_rate = atomic_load(&s->rate);
    out->refused_unknown_client = atomic_load(&s->unknown);
    out->probes = atomic_load(&s->probes);
}

void mm_selfcheck_free(mm_selfcheck *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;         /* checks waiting for a place give up */
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
    if (s->web)
        mm_web_stop(s->web);
    pthread_mutex_lock(&s->mu);
    while (s->running)
        pthread_cond_wait(&s->idle, &s->mu);
    pthread_mutex_unlock(&s->mu);
    mm_web_free(s->web);
    if (s->rl)
        mm_web_rl_free(s->rl);
    mm_db_close(s->db);
    free(s->jobs);
    free(s->offered.v);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->db_mu);
    pthread_cond_destroy(&s->idle);
    free(s);
}
