/*
 * stratum.c - cryptocurrency mining pools' JSON-RPC over TCP (Stratum and
 * its Ethereum and Monero variants): one JSON object per line.
 *
 * Detection: the client's first line is a JSON object whose "method" is a
 * mining call (mining.subscribe, mining.authorize, eth_submitLogin, login
 * with a miner's params...). Event "stratum" (a type of ours: Suricata has
 * none), fields in mimamori.stratum: method, user/worker (wallet address
 * and worker name as the miner gives them), agent (miner software), pool
 * (the server address and port). A flow logs the first call of each method
 * (up to STRATUM_LOG_MAX); at its end one summary counts the calls and
 * submitted shares.
 */
#include "proto/app.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

#define ST_LINE 4096            /* a JSON line kept (longer: cut) */
#define ST_LOG_MAX 8
#define ST_METHODS 8

typedef struct stratum_state {
    char line[ST_LINE];
    uint32_t llen;
    bool cut;
    char seen[ST_METHODS][32];  /* methods logged */
    uint8_t nseen;
    uint64_t calls, submits;
    char user[256], agent[128];
    uint64_t ts;
} stratum_state;

/* --- a small reader for one JSON object ----------------------------------- */

typedef struct jr {
    const char *p, *end;
} jr;

static void ws(jr *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == '\n'))
        r->p++;
}

/* A string: its raw content (escapes kept as they are) in out. */
static bool str(jr *r, char *out, size_t on)
{
    ws(r);
    if (r->p >= r->end || *r->p != '"')
        return false;
    r->p++;
    size_t k = 0;
    while (r->p < r->end && *r->p != '"') {
        if (*r->p == '\\' && r->p + 1 < r->end)
            r->p++;
        if (out && k + 1 < on)
            out[k++] = *r->p;
        r->p++;
    }
    if (out)
        out[k] = 0;
    if (r->p >= r->end)
        return false;
    r->p++;
    return true;
}

/* Skip any value (bounded nesting). */
static bool skip(jr *r, int depth)
{
    ws(r);
    if (r->p >= r->end || depth > 16)
        return false;
    char c = *r->p;
    if (c == '"')
        return str(r, NULL, 0);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        r->p++;
        ws(r);
        if (r->p < r->end && *r->p == close) {
            r->p++;
            return true;
        }
        for (;;) {
            if (c == '{') {
                if (!str(r, NULL, 0))
                    return false;
                ws(r);
                if (r->p >= r->end || *r->p++ != ':')
                    return false;
            }
            if (!skip(r, depth + 1))
                return false;
            ws(r);
            if (r->p >= r->end)
                return false;
            if (*r->p == ',') {
                r->p++;
                continue;
            }
            if (*r->p++ != close)
                return false;
            return true;
        }
    }
    while (r->p < r->end && *r->p != ',' && *r->p != '}' && *r->p != ']' && *r->p != ' ')
        r->p++;                             /* number, true, false, null */
    return true;
}

typedef struct call {
    char method[32];
    char p0[256], p1[64];       /* first two string params (array form) */
    char login[256], agent[128], worker[64];
    bool has_method;
} call;

static void params_obj(jr *r, call *c)
{
    r->p++;                                 /* '{' */
    for (int i = 0; i < 32; i++) {
        char k[32];
        ws(r);
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            return;
        }
        if (!str(r, k, sizeof k))
            return;
        ws(r);
        if (r->p >= r->end || *r->p++ != ':')
            return;
        ws(r);
        if (!strcmp(k, "login") && r->p < r->end && *r->p == '"')
            str(r, c->login, sizeof c->login);
        else if (!strcmp(k, "agent") && r->p < r->end && *r->p == '"')
            str(r, c->agent, sizeof c->agent);
        else if (!skip(r, 1))
            return;
        ws(r);
        if (r->p < r->end && *r->p == ',')
            r->p++;
    }
}

static void params_arr(jr *r, call *c)
{
    r->p++;                                 /* '[' */
    for (int i = 0; i < 64; i++) {
        ws(r);
        if (r->p >= r->end)
            return;
        if (*r->p == ']') {
            r->p++;
            return;
        }
        if (*r->p == '"' && i < 2) {
            if (!str(r, i ? c->p1 : c->p0, i ? sizeof c->p1 : sizeof c->p0))
                return;
        } else if (!skip(r, 1)) {
            return;
        }
        ws(r);
        if (r->p < r->end && *r->p == ',')
            r->p++;
    }
}

/* The top-level object of a line: method, params, worker. */
static bool read_call(const char *l, size_t n, call *c)
{
    memset(c, 0, sizeof(*c));
    jr r = {l, l + n};
    ws(&r);
    if (r.p >= r.end || *r.p != '{')
        return false;
    r.p++;
    for (int i = 0; i < 32; i++) {
        char k[32];
        ws(&r);
        if (r.p < r.end && *r.p == '}')
            return true;
        if (!str(&r, k, sizeof k))
            return false;
        ws(&r);
        if (r.p >= r.end || *r.p++ != ':')
            return false;
        ws(&r);
        if (r.p >= r.end)
            return false;
        if (!strcmp(k, "method") && *r.p == '"')
            c->has_method = str(&r, c->method, sizeof c->method);
        else if (!strcmp(k, "worker") && *r.p == '"')
            str(&r, c->worker, sizeof c->worker);
        else if (!strcmp(k, "params") && *r.p == '[')
            params_arr(&r, c);
        else if (!strcmp(k, "params") && *r.p == '{')
            params_obj(&r, c);
        else if (!skip(&r, 1))
            return false;
        ws(&r);
        if (r.p < r.end && *r.p == ',')
            r.p++;
    }
    return true;
}

static bool mining_method(const char *m)
{
    static const char *const mm[] = {"login", "getjob", "submit", "keepalived",
                                     "eth_submitLogin", "eth_getWork", "eth_submitWork",
                                     "eth_submitHashrate"};
    if (!strncmp(m, "mining.", 7))
        return true;
    for (size_t i = 0; i < sizeof mm / sizeof mm[0]; i++)
        if (!strcmp(m, mm[i]))
            return true;
    return false;
}

/* --- detection -------------------------------------------------------------- */

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)f;
    if (udp || dir != MM_TO_SERVER || d[0] != '{')
        return MM_PROBE_NO;
    const uint8_t *eol = memchr(d, '\n', n);
    call c;
    read_call((const char *)d, eol ? (size_t)(eol - d) : n, &c);
    if (!c.has_method)     /* (the line may be longer than the probe window) */
        return !eol && n < MM_APP_PROBE_MAX ? MM_PROBE_MORE : MM_PROBE_NO;
    /* a bare "login" must look like a miner's (Monero: params with a login) */
    if (!strcmp(c.method, "login") && !c.login[0])
        return MM_PROBE_NO;
    return mining_method(c.method) ? MM_PROBE_YES : MM_PROBE_NO;
}

/* --- events ------------------------------------------------------------------- */

static void pool(mm_json *j, const mm_flow *f)
{
    char ip[MM_IPSTR_LEN], b[MM_IPSTR_LEN + 16];
    mm_ip_str(&f->srv, ip);
    snprintf(b, sizeof b, f->srv.v == 6 ? "[%s]:%u" : "%s:%u", ip, f->sport);
    mj_str(j, "pool", b);
}

static void log_call(mm_app *a, mm_flow *f, stratum_state *s, const call *c, uint64_t ts)
{
    mm_obs_stratum o = {.method = c->method, .user = s->user, .agent = s->agent};
    mm_app_observe(a, f, MM_TO_SERVER, MM_OBS_STRATUM, &o, ts);
    mm_json *j = mm_app_event_begin(a, f, ts, "stratum", MM_TO_SERVER, false);
    j = mm_app_event_mimamori(a, f);
    mj_obj_open(j, "stratum");
    mj_str(j, "method", c->method);
    if (s->user[0])
        mj_str(j, "user", s->user);
    if (c->worker[0])
        mj_str(j, "worker", c->worker);
    if (s->agent[0])
        mj_str(j, "agent", s->agent);
    pool(j, f);
    mj_obj_close(j);
    mm_app_event_close(a);
}

static void line(mm_app *a, mm_flow *f, stratum_state *s, uint64_t ts)
{
    call c;
    if (!read_call(s->line, s->llen, &c) || !c.has_method) {
        if (s->llen && s->line[0] == '{')
            return;                          /* a result or notification */
        mm_app_error(a, f);
        return;
    }
    s->calls++;
    if (!strcmp(c.method, "mining.submit") || !strcmp(c.method, "submit") ||
        !strcmp(c.method, "eth_submitWork"))
        s->submits++;
    /* who mines: the wallet/worker given at authorize or login */
    if ((!strcmp(c.method, "mining.authorize") || !strcmp(c.method, "eth_submitLogin")) &&
        c.p0[0])
        mm_strcpy(s->user, sizeof s->user, c.p0);
    if (!strcmp(c.method, "login") && c.login[0])
        mm_strcpy(s->user, sizeof s->user, c.login);
    if (!strcmp(c.method, "mining.subscribe") && c.p0[0])
        mm_strcpy(s->agent, sizeof s->agent, c.p0);
    if (c.agent[0])
        mm_strcpy(s->agent, sizeof s->agent, c.agent);
    for (int i = 0; i < s->nseen; i++)
        if (!strcmp(s->seen[i], c.method))
            return;
    if (s->nseen >= ST_METHODS)
        return;
    mm_strcpy(s->seen[s->nseen++], sizeof s->seen[0], c.method);
    log_call(a, f, s, &c, ts);
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                  uint64_t ts)
{
    stratum_state *s = st;
    if (!s->ts)
        s->ts = ts;
    if (dir != MM_TO_SERVER)
        return;                              /* results and jobs: not needed */
    if (!d) {
        s->llen = 0;
        s->cut = true;                       /* the line in progress is lost */
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (d[i] != '\n') {
            if (s->llen < ST_LINE)
                s->line[s->llen++] = (char)d[i];
            else
                s->cut = true;
            continue;
        }
        if (!s->cut)
            line(a, f, s, ts);
        s->llen = 0;
        s->cut = false;
    }
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    stratum_state *s = st;
    if (!s->calls)
        return;
    mm_json *j = mm_app_event_begin(a, f, ts, "stratum", MM_TO_SERVER, false);
    j = mm_app_event_mimamori(a, f);
    mj_obj_open(j, "stratum");
    mj_str(j, "method", "summary");
    if (s->user[0])
        mj_str(j, "user", s->user);
    if (s->agent[0])
        mj_str(j, "agent", s->agent);
    pool(j, f);
    mj_u64(j, "calls", s->calls);
    mj_u64(j, "submits", s->submits);
    mj_obj_close(j);
    mm_app_event_close(a);
}

const mm_app_parser mm_parser_stratum = {
    .name = "stratum", .id = MM_APP_STRATUM, .tcp = true, .udp = false,
    .probe = probe, .state_size = sizeof(stratum_state), .parse = parse, .finish = finish,
};
