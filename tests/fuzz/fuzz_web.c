/* Fuzz target: the web layer's request handling from bytes. Input: byte 0
 * the peer (bit 0: a trusted proxy, bit 1: IPv6, bits 2-7 its last byte),
 * then "METHOD\nTARGET\n", header lines "Name: value\n" up to an empty
 * line, and the body. The request goes through mm_web_dispatch with a few
 * routes (a page, a form handler, a CSRF-protected form, a prefix, a token
 * issuer) and the rate limiter on; every response must carry the security
 * headers and a status in range. The same bytes also go through the
 * client address (each header value as X-Forwarded-For), the language,
 * the form and cookie parsers, HTML escaping and the CSRF check, and a
 * token issued for the peer must verify once and then be refused. */
#include <stdlib.h>
#include <string.h>

#include "web/http.h"
#include "webreq.h"


static mm_web_server *srv;
static mm_netlist trusted;
static mm_web_csrf *csrf;
static uint64_t clock_ns = 1796601600000000000ULL;

static int h_page(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    (void)ctx;
    mm_web_buf_puts(&resp->body, "<p>");
    mm_web_html_puts(&resp->body, req->path);
    const char *n = mm_web_req_arg(req, "q");
    if (n)
        mm_web_html_puts(&resp->body, n);
    mm_web_buf_puts(&resp->body, "</p>");
    return 200;
}

static int h_form(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    (void)ctx;
    for (size_t i = 0; i < req->form.n; i++) {
        if (strlen(req->form.f[i].value) != req->form.f[i].value_len)
            abort();            /* no NUL inside a decoded value */
        mm_web_html_puts(&resp->body, req->form.f[i].key);
        mm_web_html_escape(&resp->body, req->form.f[i].value, req->form.f[i].value_len);
    }
    mm_web_resp_cookie(resp, "lang", req->lang, 3600, true);
    return req->form.n ? 200 : 204;
}

static int h_token(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    char tok[MM_WEB_CSRF_LEN + 1];
    if (!mm_web_csrf_token(ctx, req, tok, sizeof tok))
        return -1;
    return mm_web_resp_text(resp, 200, "text/plain", tok);
}

static void setup(void)
{
    mm_web_config c;
    mm_web_config_defaults(&c);
    c.listen = NULL;
    c.trusted_proxies = "10.0.0.0/8,fd00::/8";
    c.rl.capacity = 64;
    c.csrf_capacity = 64;
    c.csrf_lifetime_s = 60;
    char err[128];
    if (!(srv = mm_web_new(&c, err, sizeof err)) ||
        !mm_web_route(srv, "GET", "/", 0, h_page, NULL) ||
        !mm_web_route(srv, "GET", "/static/", MM_WEB_PREFIX, h_page, NULL) ||
        !mm_web_route(srv, "POST", "/form", 0, h_form, NULL) ||
        !mm_web_route(srv, "POST", "/check", MM_WEB_CSRF, h_form, NULL) ||
        !mm_web_route(srv, "GET", "/token", 0, h_token, srv) ||
        !mm_netlist_parse(&trusted, c.trusted_proxies, err, sizeof err) ||
        !(csrf = mm_web_csrf_new(60, 16)))
        abort();
}

static void check_resp(const mm_web_resp *r)
{
    if (r->status < 100 || r->status > 599 || !mm_web_resp_get(r, "Content-Security-Policy") ||
        !mm_web_resp_get(r, "X-Frame-Options") || !mm_web_resp_get(r, "X-Content-Type-Options") ||
        !mm_web_resp_get(r, "Referrer-Policy") ||
        (!r->cacheable && !mm_web_resp_get(r, "Cache-Control")))
        abort();
    for (size_t i = 0; i < r->nhdr; i++)
        if (strpbrk(r->hdr[i].value, "\r\n") || strpbrk(r->hdr[i].name, "\r\n: "))
            abort();
    for (size_t i = 0; i < r->ncookie; i++)
        if (strpbrk(r->cookie[i], "\r\n"))
            abort();
}

/* The side paths: each parser on its own. */
static void parsers(const mm_web_req *req, const mm_ip *peer, const char *body, size_t blen)
{
    for (size_t i = 0; i < req->nhdr; i++) {
        mm_ip out;
        mm_web_client_src src = mm_web_client_addr(peer, req->hdr[i].value, &trusted, &out);
        if (src == MM_WEB_CLIENT_BAD && memcmp(&out, peer, sizeof out) != 0 && peer->v == 4)
            abort();            /* unknown keeps the (IPv4) peer */
        const char *l = mm_web_lang(req->hdr[i].value, NULL);
        if (strcmp(l, "ja") && strcmp(l, "en"))
            abort();
        char v[64];
        if (mm_web_cookie_get(req->hdr[i].value, "lang", v, sizeof v) && strlen(v) >= sizeof v)
            abort();
    }
    mm_web_form f;
    if (mm_web_form_parse(&f, body, blen) == MM_WEB_FORM_OK && f.n > MM_WEB_FORM_MAX_FIELDS)
        abort();
    mm_web_form_free(&f);
    mm_web_buf b;
    mm_web_buf_init(&b, 1 << 20);
    if (mm_web_html_escape(&b, body, blen) && b.len && (memchr(b.s, '<', b.len) || memchr(b.s, '"', b.len)))
        abort();
    mm_web_buf_free(&b);

    char tok[MM_WEB_CSRF_LEN + 1];
    size_t tn = blen < MM_WEB_CSRF_LEN ? blen : MM_WEB_CSRF_LEN;
    memcpy(tok, body, tn);
    tok[tn] = '\0';
    if (mm_web_csrf_check(csrf, tok, peer, clock_ns) == MM_WEB_CSRF_OK)
        abort();                /* a forged token verified */
    if (!mm_web_csrf_issue(csrf, peer, clock_ns, tok, sizeof tok) ||
        mm_web_csrf_check(csrf, tok, peer, clock_ns) != MM_WEB_CSRF_OK ||
        mm_web_csrf_check(csrf, tok, peer, clock_ns) != MM_WEB_CSRF_REPLAY)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!srv)
        setup();
    clock_ns += 61000000000ULL;     /* every used token has expired */
    static char in[FZ_WEB_MAXIN + 1];

    static mm_web_req req;
    static mm_web_resp resp;
    if (!fz_web_input(&req, data, size, in, clock_ns))
        return 0;
    const char *body = (const char *)req.body;
    size_t blen = req.body_len;

    mm_web_resp_init(&resp, 1 << 20);
    mm_web_dispatch(srv, &req, &resp);
    check_resp(&resp);
    parsers(&req, &req.peer, body, blen);
    mm_web_req_done(&req);
    mm_web_resp_free(&resp);
    return 0;
}
