/*
 * http.c - requests, responses, routes and the transport-free request
 * handling of the web layer (see http.h for what is refused and why).
 */
#include "web/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CSP "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; " \
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* --- requests ---------------------------------------------------------- */

void mm_web_req_init(mm_web_req *r)
{
    memset(r, 0, sizeof(*r));
    r->method = "GET";
    r->target = "/";
    r->peer.v = 4;
    r->query = "";
    r->lang = "ja";
}

bool mm_web_req_add_header(mm_web_req *r, const char *name, const char *value)
{
    if (r->nhdr >= MM_WEB_MAX_HDRS) {
        r->hdr_over = true;
        return false;
    }
    r->hdr[r->nhdr].name = name;
    r->hdr[r->nhdr].value = value ? value : "";
    r->nhdr++;
    return true;
}

const char *mm_web_req_header(const mm_web_req *r, const char *name)
{
    for (size_t i = 0; i < r->nhdr; i++)
        if (r->hdr[i].name && strcasecmp(r->hdr[i].name, name) == 0)
            return r->hdr[i].value;
    return NULL;
}

const char *mm_web_req_arg(const mm_web_req *r, const char *name)
{
    return mm_web_form_get(&r->args, name);
}

const char *mm_web_req_field(const mm_web_req *r, const char *name)
{
    return mm_web_form_get(&r->form, name);
}

void mm_web_req_done(mm_web_req *r)
{
    mm_web_form_free(&r->args);
    mm_web_form_free(&r->form);
}

/* --- responses --------------------------------------------------------- */

void mm_web_resp_init(mm_web_resp *r, size_t max_body)
{
    memset(r, 0, sizeof(*r));
    r->status = 200;
    mm_web_buf_init(&r->body, max_body ? max_body : (size_t)4 << 20);
    mm_strcpy(r->ctype, sizeof r->ctype, "text/html; charset=utf-8");
}

void mm_web_resp_free(mm_web_resp *r)
{
    mm_web_buf_free(&r->body);
}

static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token(const char *s, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (n >= max || !is_tchar((unsigned char)s[n]))
            return false;
    return n > 0;
}

/* A header value: visible ASCII, UTF-8 bytes, spaces and tabs. */
static bool is_field_value(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return false;
    return true;
}

bool mm_web_resp_header(mm_web_resp *r, const char *name, const char *value)
{
    if (!is_token(name, sizeof r->hdr[0].name - 1) || !is_field_value(value) ||
        strlen(value) >= sizeof r->hdr[0].value || strcasecmp(name, "Set-Cookie") == 0 ||
        strcasecmp(name, "Content-Length") == 0 || strcasecmp(name, "Content-Type") == 0)
        return false;
    size_t i = 0;
    while (i < r->nhdr && strcasecmp(r->hdr[i].name, name) != 0)
        i++;
    if (i == r->nhdr) {
        if (r->nhdr == MM_WEB_MAX_RESP_HDRS)
            return false;
        r->nhdr++;
    }
    mm_strcpy(r->hdr[i].name, sizeof r->hdr[i].name, name);
    mm_strcpy(r->hdr[i].value, sizeof r->hdr[i].value, value);
    return true;
}

const char *mm_web_resp_get(const mm_web_resp *r, const char *name)
{
    for (size_t i = 0; i < r->nhdr; i++)
        if (strcasecmp(r->hdr[i].name, name) == 0)
            return r->hdr[i].value;
    return NULL;
}

bool mm_web_resp_cookie(mm_web_resp *r, const char *name, const char *value, uint32_t max_age_s,
                        bool secure)
{
    if (r->ncookie == MM_WEB_MAX_COOKIES || !is_token(name, 64))
        return false;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p < 0x21 || *p == '"' || *p == ',' || *p == ';' || *p == '\\' || *p >= 0x7f)
            return false;
    char age[32] = "";
    if (max_age_s)
        snprintf(age, sizeof age, "; Max-Age=%u", max_age_s);
    int n = snprintf(r->cookie[r->ncookie], sizeof r->cookie[0],
                     "%s=%s; Path=/%s; HttpOnly; SameSite=Strict%s", name, value, age,
                     secure ? "; Secure" : "");
    if (n < 0 || (size_t)n >= sizeof r->cookie[0])
        return false;
    r->ncookie++;
    return true;
}

bool mm_web_resp_cookie_clear(mm_web_resp *r, const char *name, bool secure)
{
    if (r->ncookie == MM_WEB_MAX_COOKIES || !is_token(name, 64))
        return false;
    snprintf(r->cookie[r->ncookie++], sizeof r->cookie[0],
             "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", name,
             secure ? "; Secure" : "");
    return true;
}

int mm_web_resp_text(mm_web_resp *r, int status, const char *ctype, const char *text)
{
    mm_web_buf_reset(&r->body);
    mm_web_buf_puts(&r->body, text);
    mm_strcpy(r->ctype, sizeof r->ctype, ctype);
    r->status = status;
    return status;
}

int mm_web_resp_json(mm_web_resp *r, int status, const mm_json *j)
{
    mm_web_buf_reset(&r->body);
    if (j->oom)
        r->body.oom = true;
    else
        mm_web_buf_add(&r->body, j->s ? j->s : "", j->s ? j->len : 0);
    mm_strcpy(r->ctype, sizeof r->ctype, "application/json");
    r->status = status;
    return status;
}

/* --- the server -------------------------------------------------------- */

void mm_web_config_defaults(mm_web_config *c)
{
    memset(c, 0, sizeof(*c));
    c->listen = "127.0.0.1:8080";
    c->conn_limit = 256;
    c->per_ip_limit = 16;
    c->timeout_s = 15;
    c->conn_memory = 32 << 10;
    c->max_body = 64 << 10;
    c->max_resp = (size_t)4 << 20;
    c->max_headers = 48;
    c->max_header_bytes = 8 << 10;
    c->rate_limit = true;
    mm_web_rl_defaults(&c->rl);
    c->csrf_lifetime_s = MM_WEB_CSRF_LIFETIME_S;
    c->csrf_capacity = MM_WEB_CSRF_CAPACITY;
}

mm_web_server *mm_web_new(const mm_web_config *c, char *err, size_t errlen)
{
    mm_web_server *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->cfg = *c;
    if (s->cfg.max_headers == 0 || s->cfg.max_headers > MM_WEB_MAX_HDRS)
        s->cfg.max_headers = MM_WEB_MAX_HDRS;
    if (c->trusted_proxies && *c->trusted_proxies &&
        !mm_netlist_parse(&s->trusted, c->trusted_proxies, err, errlen)) {
        free(s);
        return NULL;
    }
    s->cfg.trusted_proxies = NULL;  /* not kept: the caller's string */
    s->cfg.listen = NULL;
    if (c->listen) {
        mm_ip ip;
        uint16_t port;
        if (!mm_web_parse_listen(c->listen, &ip, &port)) {
            snprintf(err, errlen, "bad listen address '%s' (ADDR:PORT or [V6]:PORT)", c->listen);
            mm_web_free(s);
            return NULL;
        }
        s->cfg.listen = strdup(c->listen);
    }
    if (c->rate_limit && !(s->rl = mm_web_rl_new(&c->rl))) {
        snprintf(err, errlen, "bad rate limit configuration");
        mm_web_free(s);
        return NULL;
    }
    if (!(s->csrf = mm_web_csrf_new(c->csrf_lifetime_s, c->csrf_capacity))) {
        snprintf(err, errlen, "cannot set up CSRF tokens (libsodium)");
        mm_web_free(s);
        return NULL;
    }
    return s;
}

void mm_web_free(mm_web_server *s)
{
    if (!s)
        return;
    mm_web_stop(s);
    mm_netlist_free(&s->trusted);
    mm_web_rl_free(s->rl);
    mm_web_csrf_free(s->csrf);
    free((char *)s->cfg.listen);
    free(s);
}

bool mm_web_route(mm_web_server *s, const char *method, const char *path, int flags,
                  mm_web_handler h, void *ctx)
{
    if (s->nroutes == MM_WEB_MAX_ROUTES || s->mhd || !h || !is_token(method, MM_WEB_MAX_METHOD) ||
        path[0] != '/' || strlen(path) >= sizeof s->routes[0].path)
        return false;
    mm_web_route_t *r = &s->routes[s->nroutes++];
    mm_strcpy(r->method, sizeof r->method, method);
    mm_strcpy(r->path, sizeof r->path, path);
    r->plen = strlen(path);
    r->flags = flags;
    r->h = h;
    r->ctx = ctx;
    return true;
}

size_t mm_web_route_count(const mm_web_server *s) { return s->nroutes; }

bool mm_web_route_at(const mm_web_server *s, size_t i, const char **method, const char **path,
                     int *flags, void **ctx)
{
    if (i >= s->nroutes)
        return false;
    *method = s->routes[i].method;
    *path = s->routes[i].path;
    *flags = s->routes[i].flags;
    *ctx = s->routes[i].ctx;
    return true;
}

bool mm_web_csrf_token(mm_web_server *s, const mm_web_req *req, char *out, size_t outlen)
{
    return mm_web_csrf_issue(s->csrf, &req->client, req->now_ns, out, outlen);
}

void mm_web_stats(const mm_web_server *s, mm_web_counters *o)
{
    o->requests = atomic_load(&s->requests);
    o->bad_request = atomic_load(&s->bad_request);
    o->too_large = atomic_load(&s->too_large);
    o->rate_limited = atomic_load(&s->rate_limited);
    o->csrf = atomic_load(&s->csrf_refused);
    o->method = atomic_load(&s->method);
    o->not_found = atomic_load(&s->not_found);
    o->xff_ignored = atomic_load(&s->xff_ignored);
    o->client_unknown = atomic_load(&s->client_unknown);
    o->handler_error = atomic_load(&s->handler_error);
}

bool mm_web_parse_listen(const char *s, mm_ip *ip, uint16_t *port)
{
    char addr[MM_IPSTR_LEN];
    const char *colon;
    if (!s)
        return false;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof addr)
            return false;
        memcpy(addr, s + 1, (size_t)(close - s - 1));
        addr[close - s - 1] = '\0';
        colon = close + 1;
        if (!strchr(addr, ':'))
            return false;
    } else {
        colon = strchr(s, ':');
        if (!colon || strchr(colon + 1, ':') || (size_t)(colon - s) >= sizeof addr)
            return false;
        memcpy(addr, s, (size_t)(colon - s));
        addr[colon - s] = '\0';
        if (strchr(addr, ':'))
            return false;
    }
    uint64_t p;
    if (!colon[1] || !mm_parse_uint(colon + 1, 65535, &p))
        return false;
    *port = (uint16_t)p;
    return mm_ip_parse(addr, ip);
}

/* --- the request handling ---------------------------------------------- */

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    }
    return "";
}

/* An error answer of the layer itself: a short plain text page. */
static int refuse(mm_web_server *s, mm_web_resp *resp, int status, _Atomic uint64_t *counter)
{
    (void)s;
    if (counter)
        atomic_fetch_add(counter, 1);
    char text[64];
    snprintf(text, sizeof text, "%d %s\n", status, reason(status));
    resp->nhdr = 0;
    resp->ncookie = 0;
    resp->cacheable = false;
    return mm_web_resp_text(resp, status, "text/plain; charset=utf-8", text);
}

/* false when the handler left no room for them */
static bool security_headers(mm_web_resp *resp)
{
    return mm_web_resp_header(resp, "Content-Security-Policy", CSP) &&
           mm_web_resp_header(resp, "X-Frame-Options", "DENY") &&
           mm_web_resp_header(resp, "X-Content-Type-Options", "nosniff") &&
           mm_web_resp_header(resp, "Referrer-Policy", "no-referrer") &&
           (resp->cacheable || mm_web_resp_header(resp, "Cache-Control", "no-store"));
}

static bool target_ok(const char *t)
{
    if (t[0] != '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '#')
            return false;
    return true;
}

/* Every X-Forwarded-For header joined with ',' (RFC 9110 5.3), into out;
 * NULL when there is none. */
static const char *joined_xff(const mm_web_req *r, char *out, size_t cap, bool *over)
{
    size_t n = 0;
    bool any = false;
    for (size_t i = 0; i < r->nhdr; i++) {
        if (!r->hdr[i].name || strcasecmp(r->hdr[i].name, "X-Forwarded-For") != 0)
            continue;
        size_t l = strlen(r->hdr[i].value);
        if (n + l + 2 > cap) {
            *over = true;
            return NULL;
        }
        if (any)
            out[n++] = ',';
        memcpy(out + n, r->hdr[i].value, l);
        n += l;
        any = true;
    }
    out[n] = '\0';
    return any ? out : NULL;
}

/* Adds method to the Allow list unless it is there (or there is no room). */
static void allow_add(char *allow, size_t cap, const char *method)
{
    size_t ml = strlen(method), al = strlen(allow);
    for (const char *p = allow; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == ml && memcmp(p, method, n) == 0)
            return;
        p = e ? e + 2 : p + n;
    }
    if (al + ml + 3 > cap)
        return;
    if (al) {
        memcpy(allow + al, ", ", 2);
        al += 2;
    }
    memcpy(allow + al, method, ml + 1);
}

static int handle(mm_web_server *s, mm_web_req *req, mm_web_resp *resp)
{
    atomic_fetch_add(&s->requests, 1);

    /* the head: sizes first (431, 414), then its form (400) */
    size_t hbytes = 0;
    for (size_t i = 0; i < req->nhdr; i++)
        hbytes += (req->hdr[i].name ? strlen(req->hdr[i].name) : 0) +
                  (req->hdr[i].value ? strlen(req->hdr[i].value) : 0);
    if (req->hdr_over || req->nhdr > s->cfg.max_headers || hbytes > s->cfg.max_header_bytes)
        return refuse(s, resp, 431, &s->too_large);
    if (req->target_over || (req->target && strlen(req->target) > MM_WEB_MAX_TARGET))
        return refuse(s, resp, 414, &s->too_large);
    if (!req->method || !is_token(req->method, MM_WEB_MAX_METHOD) || !req->target ||
        !target_ok(req->target))
        return refuse(s, resp, 400, &s->bad_request);
    for (size_t i = 0; i < req->nhdr; i++)
        if (!req->hdr[i].name || !is_token(req->hdr[i].name, 256) || !req->hdr[i].value ||
            !is_field_value(req->hdr[i].value))
            return refuse(s, resp, 400, &s->bad_request);
    if (req->body_over || req->body_len > s->cfg.max_body || (req->body_len && !req->body))
        return refuse(s, resp, 413, &s->too_large);

    const char *q = strchr(req->target, '?');
    size_t plen = q ? (size_t)(q - req->target) : strlen(req->target);
    memcpy(req->path, req->target, plen);
    req->path[plen] = '\0';
    req->query = q ? q + 1 : "";
    mm_web_form_err fe = mm_web_form_parse(&req->args, req->query, strlen(req->query));
    if (fe != MM_WEB_FORM_OK)
        return refuse(s, resp, 400, &s->bad_request);

    /* who: the address (client.h) and the language */
    bool xover = false;
    char xff[8192 + 64];
    const char *x = joined_xff(req, xff, sizeof xff, &xover);
    if (xover)
        return refuse(s, resp, 431, &s->too_large);
    req->client_src = mm_web_client_addr(&req->peer, x, &s->trusted, &req->client);
    req->client_known = req->client_src != MM_WEB_CLIENT_BAD;
    if (req->client_src == MM_WEB_CLIENT_XFF_IGNORED)
        atomic_fetch_add(&s->xff_ignored, 1);
    if (!req->client_known)
        atomic_fetch_add(&s->client_unknown, 1);
    char cl[8];
    const char *ov = mm_web_form_get(&req->args, "lang");
    if (!ov && mm_web_cookie_get(mm_web_req_header(req, "Cookie"), "lang", cl, sizeof cl))
        ov = cl;
    req->lang = mm_web_lang(mm_web_req_header(req, "Accept-Language"), ov);

    if (s->rl && !mm_web_rl_take(s->rl, &req->client, req->now_ns)) {
        refuse(s, resp, 429, &s->rate_limited);
        mm_web_resp_header(resp, "Retry-After", "1");
        return 429;
    }

    /* the route: the path, then the method */
    const mm_web_route_t *rt = NULL;
    bool path_found = false;
    char allow[128] = "";
    bool is_head = strcmp(req->method, "HEAD") == 0;
    for (size_t i = 0; i < s->nroutes; i++) {
        const mm_web_route_t *r = &s->routes[i];
        bool match = (r->flags & MM_WEB_PREFIX) ? strncmp(req->path, r->path, r->plen) == 0
                                                : strcmp(req->path, r->path) == 0;
        if (!match)
            continue;
        path_found = true;
        if (!rt && (strcmp(req->method, r->method) == 0 ||
                    (is_head && strcmp(r->method, "GET") == 0)))
            rt = r;
        allow_add(allow, sizeof allow, r->method);
        if (strcmp(r->method, "GET") == 0)
            allow_add(allow, sizeof allow, "HEAD");
    }
    if (!path_found)
        return refuse(s, resp, 404, &s->not_found);
    if (!rt) {
        refuse(s, resp, 405, &s->method);
        mm_web_resp_header(resp, "Allow", allow);
        return 405;
    }

    /* the body, when it is a form */
    const char *ct = mm_web_req_header(req, "Content-Type");
    if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
        (ct[33] == '\0' || ct[33] == ';' || ct[33] == ' ')) {
        fe = mm_web_form_parse(&req->form, (const char *)req->body, req->body_len);
        if (fe == MM_WEB_FORM_TOO_MANY || fe == MM_WEB_FORM_TOO_LONG)
            return refuse(s, resp, 413, &s->too_large);
        if (fe != MM_WEB_FORM_OK)
            return refuse(s, resp, 400, &s->bad_request);
    }

    if (rt->flags & MM_WEB_CSRF) {
        const char *tok = mm_web_form_get(&req->form, "csrf");
        if (!tok)
            tok = mm_web_req_header(req, "X-CSRF-Token");
        if (mm_web_csrf_check(s->csrf, tok, &req->client, req->now_ns) != MM_WEB_CSRF_OK)
            return refuse(s, resp, 403, &s->csrf_refused);
    }

    int st = rt->h(rt->ctx, req, resp);
    if (st < 100 || st > 599 || mm_web_buf_failed(&resp->body))
        return refuse(s, resp, 500, &s->handler_error);
    resp->status = st;
    return st;
}

void mm_web_dispatch(mm_web_server *s, mm_web_req *req, mm_web_resp *resp)
{
    req->client = req->peer;
    req->client_known = true;
    req->lang = "ja";
    req->query = "";
    req->path[0] = '\0';
    handle(s, req, resp);
    if (!security_headers(resp)) {         /* a 500 has room for them */
        refuse(s, resp, 500, &s->handler_error);
        security_headers(resp);
    }
}
