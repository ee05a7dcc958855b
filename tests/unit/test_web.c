/*
 * Unit tests: the web layer (src/web/): the request handling through
 * mm_web_dispatch (routes, limits, security headers), the client's address
 * behind proxies and its language, CSRF tokens, the rate limiter with
 * time given by the test, forms, cookies and HTML escaping; then the real
 * server on 127.0.0.1 (an ephemeral port) spoken to with libcurl.
 */
#include "testutil.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>

#include "web/http.h"

#define T0 1796601600000000000ULL       /* 2026-12-07T00:00:00Z in ns */
#define SEC 1000000000ULL

static mm_ip ip(const char *s)
{
    mm_ip a;
    assert_true(mm_ip_parse(s, &a));
    return a;
}

static bool ip_is(const mm_ip *a, const char *s)
{
    char t[MM_IPSTR_LEN];
    mm_ip_str(a, t);
    if (strcmp(t, s) != 0)
        fprintf(stderr, "address %s, expected %s\n", t, s);
    return strcmp(t, s) == 0;
}

/* --- handlers ---------------------------------------------------------- */

static int h_hello(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    (void)ctx;
    mm_web_buf_printf(&resp->body, "hello %s %s", req->lang, req->path);
    const char *n = mm_web_req_arg(req, "name");
    if (n) {
        mm_web_buf_puts(&resp->body, " ");
        mm_web_html_puts(&resp->body, n);
    }
    return 200;
}

static int h_static(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    (void)ctx;
    (void)req;
    resp->cacheable = true;
    return mm_web_resp_text(resp, 200, "text/css", "body{}");
}

static int h_fail(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    (void)ctx;
    (void)req;
    mm_web_buf_puts(&resp->body, "secret detail");
    return -1;
}

/* Leaves no room for the security headers: the layer must answer 500. */
static int h_full(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    (void)ctx;
    (void)req;
    for (int i = 0; i < MM_WEB_MAX_RESP_HDRS; i++) {
        char n[16];
        snprintf(n, sizeof n, "X-H%d", i);
        mm_web_resp_header(resp, n, "1");
    }
    mm_web_resp_header(resp, "X-Frame-Options", "ALLOWALL");   /* replaced by DENY */
    return 200;
}

static int h_form(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    (void)ctx;
    const char *v = mm_web_req_field(req, "v");
    mm_web_buf_printf(&resp->body, "v=%s n=%zu", v ? v : "-", mm_web_form_count(&req->form, "v"));
    return 200;
}

static int h_token(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    char tok[MM_WEB_CSRF_LEN + 1];
    if (!mm_web_csrf_token(ctx, req, tok, sizeof tok))
        return -1;
    return mm_web_resp_text(resp, 200, "text/plain", tok);
}

static int h_json(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    (void)ctx;
    mm_json j;
    mj_init(&j);
    mj_reset(&j);
    mj_obj_open(&j, NULL);
    mj_str(&j, "lang", req->lang);
    mj_bool(&j, "known", req->client_known);
    mj_obj_close(&j);
    int st = mm_web_resp_json(resp, 200, &j);
    mj_free(&j);
    return st;
}

static mm_web_server *server(const char *trusted, bool rl)
{
    mm_web_config c;
    mm_web_config_defaults(&c);
    c.trusted_proxies = trusted;
    c.rate_limit = rl;
    c.rl.addr_burst = 3;
    c.rl.addr_rate = 1;
    c.listen = "127.0.0.1:0";
    char err[128];
    mm_web_server *s = mm_web_new(&c, err, sizeof err);
    assert_non_null(s);
    assert_true(mm_web_route(s, "GET", "/hello", 0, h_hello, NULL));
    assert_true(mm_web_route(s, "GET", "/static/", MM_WEB_PREFIX, h_static, NULL));
    assert_true(mm_web_route(s, "GET", "/fail", 0, h_fail, NULL));
    assert_true(mm_web_route(s, "POST", "/form", 0, h_form, NULL));
    assert_true(mm_web_route(s, "GET", "/form", 0, h_hello, NULL));
    assert_true(mm_web_route(s, "POST", "/check", MM_WEB_CSRF, h_form, NULL));
    assert_true(mm_web_route(s, "GET", "/token", 0, h_token, s));
    assert_true(mm_web_route(s, "GET", "/json", 0, h_json, NULL));
    assert_true(mm_web_route(s, "GET", "/full", 0, h_full, NULL));
    return s;
}

typedef struct tx {
    mm_web_req req;
    mm_web_resp resp;
} tx;

/* One request through the dispatch; the caller frees with tx_done. */
static tx *run(mm_web_server *s, const char *method, const char *target, const char *body,
               const char *peer, uint64_t now, const char *const *hdrs)
{
    tx *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    mm_web_req_init(&t->req);
    t->req.method = method;
    t->req.target = target;
    t->req.peer = ip(peer ? peer : "192.0.2.10");
    t->req.now_ns = now ? now : T0;
    if (body) {
        t->req.body = (const uint8_t *)body;
        t->req.body_len = strlen(body);
    }
    for (size_t i = 0; hdrs && hdrs[i]; i += 2)
        mm_web_req_add_header(&t->req, hdrs[i], hdrs[i + 1]);
    mm_web_resp_init(&t->resp, 0);
    mm_web_dispatch(s, &t->req, &t->resp);
    return t;
}

static void tx_done(tx *t)
{
    mm_web_req_done(&t->req);
    mm_web_resp_free(&t->resp);
    free(t);
}

static void assert_security_headers(const mm_web_resp *r)
{
    const char *csp = mm_web_resp_get(r, "Content-Security-Policy");
    assert_non_null(csp);
    assert_string_equal(csp, "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                             "script-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                             "base-uri 'none'");
    assert_string_equal(mm_web_resp_get(r, "X-Frame-Options"), "DENY");
    assert_string_equal(mm_web_resp_get(r, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(mm_web_resp_get(r, "Referrer-Policy"), "no-referrer");
}

/* --- dispatch ---------------------------------------------------------- */

static void test_routes(void **state)
{
    (void)state;
    mm_web_server *s = server(NULL, false);
    tx *t = run(s, "GET", "/hello?name=%3Cb%3E", NULL, NULL, 0, NULL);
    assert_int_equal(t->resp.status, 200);
    assert_string_equal(t->resp.body.s, "hello ja /hello &lt;b&gt;");
    assert_security_headers(&t->resp);
    assert_string_equal(mm_web_resp_get(&t->resp, "Cache-Control"), "no-store");
    tx_done(t);

    t = run(s, "HEAD", "/hello", NULL, NULL, 0, NULL);
    assert_int_equal(t->resp.status, 200);
    tx_done(t);

    t = run(s, "DELETE", "/hello", NULL, NULL, 0, NULL);
    assert_int_equal(t->resp.status, 405);
    assert_string_equal(mm_web_resp_get(&t->resp, "Allow"), "GET, HEAD");
    assert_security_headers(&t->resp);
    tx_done(t);

    t = run(s, "PUT", "/form", NULL, NULL, 0, NULL);
    assert_int_equal(t->resp.status, 405);
    assert_string_equal(mm_web_resp_get(&t->resp, "Allow"), "POST, GET, HEAD");
    tx_done(t);

    t = run(s, "GET", "/nothing", NULL, NULL, 0, NULL);
    assert_int_equal(t->resp.status, 404);
    assert_security_headers(&t->resp);
    assert_string_equal(mm_web_resp_get(&t->resp, "Cache-Control"), "no-store");
    tx_done(t);

    t = run(s, "GET", "/hello/", NULL, NULL, 0, NULL);     /* exact paths are exact */
    assert_int_equal(t->resp.status, 404);
    tx_done(t);

    t = run(s, "GET", "/static/a.css", NULL, NULL, 0, NULL);
    assert_int_equal(t->resp.status, 200);
    assert_string_equal(t->resp.ctype, "text/css");
    assert_null(mm_web_resp_get(&t->resp, "Cache-Control"));
    assert_security_headers(&t->resp);
    tx_done(t);

    t = run(s, "GET", "/fail", NULL, NULL, 0, NULL);
    assert_int_equal(t->resp.status, 500);
    assert_null(strstr(t->resp.body.s, "secret"));
    assert_security_headers(&t->resp);
    tx_done(t);

    t = run(s, "GET", "/json?lang=en", NULL, NULL, 0, NULL);
    assert_int_equal(t->resp.status, 200);
    assert_string_equal(t->resp.ctype, "application/json");
    assert_string_equal(t->resp.body.s, "{\"lang\":\"en\",\"known\":true}");
    tx_done(t);

    const char *form_h[] = {"Content-Type", "application/x-www-form-urlencoded; charset=UTF-8", NULL};
    t = run(s, "POST", "/form", "v=a+b%21&v=2", NULL, 0, form_h);
    assert_int_equal(t->resp.status, 200);
    assert_string_equal(t->resp.body.s, "v=a b! n=2");
    tx_done(t);

    t = run(s, "GET", "/full", NULL, NULL, 0, NULL);
    assert_int_equal(t->resp.status, 500);
    assert_security_headers(&t->resp);
    tx_done(t);

    mm_web_counters c;
    mm_web_stats(s, &c);
    assert_int_equal(c.requests, 11);
    assert_int_equal(c.method, 2);
    assert_int_equal(c.not_found, 2);
    assert_int_equal(c.handler_error, 2);

    /* no routes after start, none with bad paths or methods */
    assert_false(mm_web_route(s, "G T", "/x", 0, h_hello, NULL));
    assert_false(mm_web_route(s, "GET", "x", 0, h_hello, NULL));
    mm_web_free(s);
}

static void test_limits(void **state)
{
    (void)state;
    mm_web_server *s = server(NULL, false);
    static char big[70 * 1024];
    memset(big, 'a', sizeof big - 1);
    tx *t = run(s, "POST", "/form", big, NULL, 0, NULL);
    assert_int_equal(t->resp.status, 413);
    assert_security_headers(&t->resp);
    tx_done(t);

    t = calloc(1, sizeof(*t));
    mm_web_req_init(&t->req);
    t->req.method = "POST";
    t->req.target = "/form";
    t->req.body_over = true;            /* the transport stopped at the cap */
    mm_web_resp_init(&t->resp, 0);
    mm_web_dispatch(s, &t->req, &t->resp);
    assert_int_equal(t->resp.status, 413);
    tx_done(t);

    /* headers: too many, too big */
    const char *many[2 * 50 + 1];
    for (int i = 0; i < 50; i++) {
        many[2 * i] = "X-A";
        many[2 * i + 1] = "1";
    }
    many[100] = NULL;
    t = run(s, "GET", "/hello", NULL, NULL, 0, many);
    assert_int_equal(t->resp.status, 431);
    assert_security_headers(&t->resp);
    tx_done(t);
    static char hv[9000];
    memset(hv, 'b', sizeof hv - 1);
    const char *bigh[] = {"X-Big", hv, NULL};
    t = run(s, "GET", "/hello", NULL, NULL, 0, bigh);
    assert_int_equal(t->resp.status, 431);
    tx_done(t);

    static char longt[MM_WEB_MAX_TARGET + 10];
    memset(longt, 'c', sizeof longt - 1);
    longt[0] = '/';
    t = run(s, "GET", longt, NULL, NULL, 0, NULL);
    assert_int_equal(t->resp.status, 414);
    tx_done(t);

    /* malformed: 400 */
    const char *bad_targets[] = {"http://a/hello", "", "/he llo", "/hello\x01", "/h\xc3\xa9",
                                 "/hello#x", "/hello?a=%zz", "/hello?a=%00", "*"};
    for (size_t i = 0; i < sizeof bad_targets / sizeof bad_targets[0]; i++) {
        t = run(s, "GET", bad_targets[i], NULL, NULL, 0, NULL);
        assert_int_equal(t->resp.status, 400);
        assert_security_headers(&t->resp);
        tx_done(t);
    }
    const char *bad_methods[] = {"", "G T", "GET\r\n", "AVERYLONGMETHODNAMEINDEED"};
    for (size_t i = 0; i < sizeof bad_methods / sizeof bad_methods[0]; i++) {
        t = run(s, bad_methods[i], "/hello", NULL, NULL, 0, NULL);
        assert_int_equal(t->resp.status, 400);
        tx_done(t);
    }
    const char *badname[] = {"X Y", "1", NULL};
    t = run(s, "GET", "/hello", NULL, NULL, 0, badname);
    assert_int_equal(t->resp.status, 400);
    tx_done(t);
    const char *badval[] = {"X-Y", "a\r\nSet-Cookie: x=1", NULL};
    t = run(s, "GET", "/hello", NULL, NULL, 0, badval);
    assert_int_equal(t->resp.status, 400);
    tx_done(t);

    /* a bad form body is 400, a form with too many fields 413 */
    const char *form_h[] = {"Content-Type", "application/x-www-form-urlencoded", NULL};
    t = run(s, "POST", "/form", "v=%", NULL, 0, form_h);
    assert_int_equal(t->resp.status, 400);
    tx_done(t);
    char many_f[2000] = "";
    for (int i = 0; i < 70; i++)
        strcat(many_f, "a=1&");
    t = run(s, "POST", "/form", many_f, NULL, 0, form_h);
    assert_int_equal(t->resp.status, 413);
    tx_done(t);

    mm_web_counters c;
    mm_web_stats(s, &c);
    assert_int_equal(c.too_large, 6);
    assert_int_equal(c.bad_request, 16);
    mm_web_free(s);
}

static void test_response_headers(void **state)
{
    (void)state;
    mm_web_resp r;
    mm_web_resp_init(&r, 16);
    assert_false(mm_web_resp_header(&r, "X-A", "a\nb"));
    assert_false(mm_web_resp_header(&r, "X A", "a"));
    assert_false(mm_web_resp_header(&r, "Set-Cookie", "a=b"));
    assert_true(mm_web_resp_header(&r, "X-A", "1"));
    assert_true(mm_web_resp_header(&r, "x-a", "2"));
    assert_int_equal(r.nhdr, 1);
    assert_string_equal(mm_web_resp_get(&r, "X-A"), "2");
    assert_true(mm_web_resp_cookie(&r, "lang", "en", 3600, true));
    assert_string_equal(r.cookie[0], "lang=en; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict; Secure");
    assert_false(mm_web_resp_cookie(&r, "lang", "e;n", 0, false));
    assert_false(mm_web_resp_cookie(&r, "la ng", "en", 0, false));
    /* the body's bound */
    assert_true(mm_web_buf_puts(&r.body, "0123456789"));
    assert_false(mm_web_buf_puts(&r.body, "0123456789"));
    assert_true(mm_web_buf_failed(&r.body));
    assert_int_equal(r.body.len, 10);
    mm_web_resp_free(&r);

    mm_ip a;
    uint16_t port;
    assert_true(mm_web_parse_listen("127.0.0.1:8080", &a, &port));
    assert_int_equal(port, 8080);
    assert_true(mm_web_parse_listen("[::]:443", &a, &port));
    assert_int_equal(a.v, 6);
    assert_false(mm_web_parse_listen("::1:80", &a, &port));
    assert_false(mm_web_parse_listen("127.0.0.1", &a, &port));
    assert_false(mm_web_parse_listen("127.0.0.1:65536", &a, &port));
    assert_false(mm_web_parse_listen("[127.0.0.1]:80", &a, &port));
}

/* --- the client -------------------------------------------------------- */

static void test_client_addr(void **state)
{
    (void)state;
    mm_netlist tr = {0};
    char err[128];
    assert_true(mm_netlist_parse(&tr, "10.0.0.0/8,fd00::/8", err, sizeof err));
    mm_ip out, peer = ip("198.51.100.9"), proxy = ip("10.0.0.2"), proxy6 = ip("fd00::2");

    /* an untrusted peer's XFF is ignored whole */
    assert_int_equal(mm_web_client_addr(&peer, "203.0.113.7", &tr, &out), MM_WEB_CLIENT_XFF_IGNORED);
    assert_true(ip_is(&out, "198.51.100.9"));
    assert_int_equal(mm_web_client_addr(&peer, NULL, &tr, &out), MM_WEB_CLIENT_PEER);
    assert_int_equal(mm_web_client_addr(&peer, "203.0.113.7", NULL, &out), MM_WEB_CLIENT_XFF_IGNORED);
    /* a trusted proxy: from the right, past trusted hops */
    assert_int_equal(mm_web_client_addr(&proxy, "203.0.113.7", &tr, &out), MM_WEB_CLIENT_XFF);
    assert_true(ip_is(&out, "203.0.113.7"));
    assert_int_equal(mm_web_client_addr(&proxy, "6.6.6.6, 203.0.113.7 , 10.1.1.1", &tr, &out),
                     MM_WEB_CLIENT_XFF);
    assert_true(ip_is(&out, "203.0.113.7"));       /* the spoofed 6.6.6.6 is never read */
    assert_int_equal(mm_web_client_addr(&proxy, "garbage, 203.0.113.7", &tr, &out), MM_WEB_CLIENT_XFF);
    assert_true(ip_is(&out, "203.0.113.7"));
    /* all trusted: the leftmost */
    assert_int_equal(mm_web_client_addr(&proxy, "10.9.9.9,10.0.0.3", &tr, &out), MM_WEB_CLIENT_XFF);
    assert_true(ip_is(&out, "10.9.9.9"));
    /* garbage where we read: unknown, the peer kept */
    const char *bad[] = {"garbage", "203.0.113.7, junk", "203.0.113.7,", "1.2.3", "[2001:db8::1",
                         "203.0.113.7:99999", "fe80::1%eth0", "203.0.113.7 10.0.0.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(mm_web_client_addr(&proxy, bad[i], &tr, &out), MM_WEB_CLIENT_BAD);
        assert_true(ip_is(&out, "10.0.0.2"));
    }
    /* empty: the proxy itself */
    assert_int_equal(mm_web_client_addr(&proxy, "", &tr, &out), MM_WEB_CLIENT_PEER);
    assert_int_equal(mm_web_client_addr(&proxy, " , ", &tr, &out), MM_WEB_CLIENT_PEER);
    assert_true(ip_is(&out, "10.0.0.2"));
    /* ports and IPv6 */
    assert_int_equal(mm_web_client_addr(&proxy, "203.0.113.7:4711", &tr, &out), MM_WEB_CLIENT_XFF);
    assert_true(ip_is(&out, "203.0.113.7"));
    assert_int_equal(mm_web_client_addr(&proxy6, "[2001:db8::1]:443", &tr, &out), MM_WEB_CLIENT_XFF);
    assert_true(ip_is(&out, "2001:db8::1"));
    assert_int_equal(mm_web_client_addr(&proxy6, "2001:db8::5, fd00::9", &tr, &out), MM_WEB_CLIENT_XFF);
    assert_true(ip_is(&out, "2001:db8::5"));
    assert_int_equal(mm_web_client_addr(&proxy, "::ffff:203.0.113.8", &tr, &out), MM_WEB_CLIENT_XFF);
    assert_true(ip_is(&out, "203.0.113.8"));
    /* a dual-stack socket's IPv4 peer is the IPv4 address, trusted as such */
    mm_ip mapped = ip("::ffff:10.0.0.2");
    assert_int_equal(mm_web_client_addr(&mapped, "203.0.113.7", &tr, &out), MM_WEB_CLIENT_XFF);
    /* a chain longer than we read, all trusted: unknown */
    char chain[33 * 12] = "";
    for (int i = 0; i < 33; i++)
        strcat(chain, i ? ",10.0.0.1" : "10.0.0.1");
    assert_int_equal(mm_web_client_addr(&proxy, chain, &tr, &out), MM_WEB_CLIENT_BAD);

    /* through the dispatch: joined XFF headers, the counters */
    mm_web_server *s = server("10.0.0.0/8", false);
    const char *h1[] = {"X-Forwarded-For", "203.0.113.7", NULL};
    tx *t = run(s, "GET", "/json", NULL, "198.51.100.9", 0, h1);
    assert_true(ip_is(&t->req.client, "198.51.100.9"));
    assert_true(t->req.client_known);
    tx_done(t);
    const char *h2[] = {"X-Forwarded-For", "6.6.6.6", "x-forwarded-for", "203.0.113.7", NULL};
    t = run(s, "GET", "/json", NULL, "10.0.0.2", 0, h2);
    assert_true(ip_is(&t->req.client, "203.0.113.7"));
    tx_done(t);
    const char *h3[] = {"X-Forwarded-For", "nonsense", NULL};
    t = run(s, "GET", "/json", NULL, "10.0.0.2", 0, h3);
    assert_true(ip_is(&t->req.client, "10.0.0.2"));
    assert_false(t->req.client_known);
    assert_string_equal(t->resp.body.s, "{\"lang\":\"ja\",\"known\":false}");
    tx_done(t);
    mm_web_counters c;
    mm_web_stats(s, &c);
    assert_int_equal(c.xff_ignored, 1);
    assert_int_equal(c.client_unknown, 1);
    mm_web_free(s);
    mm_netlist_free(&tr);
}

static void test_lang(void **state)
{
    (void)state;
    assert_string_equal(mm_web_lang(NULL, NULL), "ja");
    assert_string_equal(mm_web_lang("en-US,en;q=0.9", NULL), "en");
    assert_string_equal(mm_web_lang("EN", NULL), "en");
    assert_string_equal(mm_web_lang("ja,en;q=0.5", NULL), "ja");
    assert_string_equal(mm_web_lang("en;q=0.4, ja;q=0.8", NULL), "ja");
    assert_string_equal(mm_web_lang("fr-FR, en;q=0.1", NULL), "en");
    assert_string_equal(mm_web_lang("fr", NULL), "ja");
    assert_string_equal(mm_web_lang("en;q=0", NULL), "ja");
    assert_string_equal(mm_web_lang("en;q=0.000", NULL), "ja");
    assert_string_equal(mm_web_lang("en;q=1.5", NULL), "ja");       /* not a qvalue */
    assert_string_equal(mm_web_lang("en;q=abc", NULL), "ja");
    assert_string_equal(mm_web_lang("*", NULL), "ja");
    assert_string_equal(mm_web_lang("english", NULL), "ja");
    assert_string_equal(mm_web_lang("en;q=0.5,ja;q=0.5", NULL), "en"); /* first on a tie */
    assert_string_equal(mm_web_lang(",,;;,en", NULL), "en");
    assert_string_equal(mm_web_lang("ja", "en"), "en");
    assert_string_equal(mm_web_lang("en", "ja"), "ja");
    assert_string_equal(mm_web_lang("en", "xx"), "en");

    mm_web_server *s = server(NULL, false);
    const char *ck[] = {"Cookie", "a=b; lang=en", "Accept-Language", "ja", NULL};
    tx *t = run(s, "GET", "/hello", NULL, NULL, 0, ck);
    assert_string_equal(t->req.lang, "en");
    tx_done(t);
    t = run(s, "GET", "/hello?lang=ja", NULL, NULL, 0, ck);
    assert_string_equal(t->req.lang, "ja");
    tx_done(t);
    const char *al[] = {"Accept-Language", "de, en-GB;q=0.7", NULL};
    t = run(s, "GET", "/hello", NULL, NULL, 0, al);
    assert_string_equal(t->req.lang, "en");
    tx_done(t);
    mm_web_free(s);
}

/* --- CSRF -------------------------------------------------------------- */

static void test_csrf(void **state)
{
    (void)state;
    mm_web_csrf *c = mm_web_csrf_new(0, 0);
    assert_non_null(c);
    mm_ip a = ip("192.0.2.10"), b = ip("192.0.2.11"), a6 = ip("2001:db8::10");
    char tok[MM_WEB_CSRF_LEN + 1], tok2[MM_WEB_CSRF_LEN + 1];
    assert_false(mm_web_csrf_issue(c, &a, T0, tok, 10));
    assert_true(mm_web_csrf_issue(c, &a, T0, tok, sizeof tok));
    assert_int_equal(strlen(tok), MM_WEB_CSRF_LEN);
    for (const char *p = tok; *p; p++)
        assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');

    assert_int_equal(mm_web_csrf_check(c, tok, &b, T0 + SEC), MM_WEB_CSRF_BAD);   /* wrong address */
    assert_int_equal(mm_web_csrf_check(c, tok, &a, T0 + 1800 * SEC), MM_WEB_CSRF_EXPIRED);
    assert_int_equal(mm_web_csrf_check(c, tok, &a, T0 - 3600 * SEC), MM_WEB_CSRF_FUTURE);
    strcpy(tok2, tok);                  /* tampered: one character changed */
    tok2[20] = tok2[20] == 'A' ? 'B' : 'A';
    assert_int_equal(mm_web_csrf_check(c, tok2, &a, T0 + SEC), MM_WEB_CSRF_BAD);
    strcpy(tok2, tok);
    tok2[75] = tok2[75] == 'A' ? 'B' : 'A';
    assert_int_equal(mm_web_csrf_check(c, tok2, &a, T0 + SEC), MM_WEB_CSRF_BAD);
    strcpy(tok2, tok);
    tok2[3] = '+';                      /* the standard alphabet is not ours */
    assert_int_equal(mm_web_csrf_check(c, tok2, &a, T0 + SEC), MM_WEB_CSRF_MALFORMED);
    assert_int_equal(mm_web_csrf_check(c, "", &a, T0), MM_WEB_CSRF_MALFORMED);
    assert_int_equal(mm_web_csrf_check(c, NULL, &a, T0), MM_WEB_CSRF_MALFORMED);
    assert_int_equal(mm_web_csrf_check(c, "garbage", &a, T0), MM_WEB_CSRF_MALFORMED);
    char longer[MM_WEB_CSRF_LEN + 2];
    snprintf(longer, sizeof longer, "%sA", tok);
    assert_int_equal(mm_web_csrf_check(c, longer, &a, T0), MM_WEB_CSRF_MALFORMED);

    assert_int_equal(mm_web_csrf_check(c, tok, &a, T0 + 1799 * SEC), MM_WEB_CSRF_OK);
    assert_int_equal(mm_web_csrf_check(c, tok, &a, T0 + 1799 * SEC), MM_WEB_CSRF_REPLAY);
    assert_true(mm_web_csrf_issue(c, &a6, T0, tok, sizeof tok));
    assert_int_equal(mm_web_csrf_check(c, tok, &a, T0), MM_WEB_CSRF_BAD);
    assert_int_equal(mm_web_csrf_check(c, tok, &a6, T0), MM_WEB_CSRF_OK);
    mm_web_csrf_free(c);

    /* the used set: full refuses, expiry frees */
    c = mm_web_csrf_new(60, 2);
    char t1[80], t2[80], t3[80], t4[80];
    mm_web_csrf_issue(c, &a, T0, t1, sizeof t1);
    mm_web_csrf_issue(c, &a, T0, t2, sizeof t2);
    mm_web_csrf_issue(c, &a, T0, t3, sizeof t3);
    assert_int_equal(mm_web_csrf_check(c, t1, &a, T0), MM_WEB_CSRF_OK);
    assert_int_equal(mm_web_csrf_check(c, t2, &a, T0), MM_WEB_CSRF_OK);
    assert_int_equal(mm_web_csrf_check(c, t3, &a, T0), MM_WEB_CSRF_FULL);
    assert_int_equal(mm_web_csrf_check(c, t1, &a, T0), MM_WEB_CSRF_REPLAY);
    mm_web_csrf_issue(c, &a, T0 + 61 * SEC, t4, sizeof t4);
    assert_int_equal(mm_web_csrf_check(c, t4, &a, T0 + 61 * SEC), MM_WEB_CSRF_OK);
    assert_int_equal(mm_web_csrf_check(c, t1, &a, T0 + 61 * SEC), MM_WEB_CSRF_EXPIRED);
    assert_string_equal(mm_web_csrf_res_name(MM_WEB_CSRF_REPLAY), "replay");
    mm_web_csrf_free(c);

    /* through the dispatch: a route that wants a token */
    mm_web_server *s = server(NULL, false);
    tx *t = run(s, "GET", "/token", NULL, "192.0.2.10", 0, NULL);
    assert_int_equal(t->resp.status, 200);
    char good[80];
    mm_strcpy(good, sizeof good, t->resp.body.s);
    tx_done(t);
    const char *fh[] = {"Content-Type", "application/x-www-form-urlencoded", NULL};
    t = run(s, "POST", "/check", "v=1", "192.0.2.10", 0, fh);
    assert_int_equal(t->resp.status, 403);
    assert_security_headers(&t->resp);
    tx_done(t);
    char body[200];
    snprintf(body, sizeof body, "v=1&csrf=%s", good);
    t = run(s, "POST", "/check", body, "192.0.2.99", 0, fh);  /* another address */
    assert_int_equal(t->resp.status, 403);
    tx_done(t);
    t = run(s, "POST", "/check", body, "192.0.2.10", 0, fh);
    assert_int_equal(t->resp.status, 200);
    assert_string_equal(t->resp.body.s, "v=1 n=1");
    tx_done(t);
    t = run(s, "POST", "/check", body, "192.0.2.10", 0, fh);  /* replayed */
    assert_int_equal(t->resp.status, 403);
    tx_done(t);
    t = run(s, "GET", "/token", NULL, "192.0.2.10", 0, NULL);
    mm_strcpy(good, sizeof good, t->resp.body.s);
    tx_done(t);
    const char *xh[] = {"X-CSRF-Token", good, NULL};
    t = run(s, "POST", "/check", NULL, "192.0.2.10", 0, xh);
    assert_int_equal(t->resp.status, 200);
    tx_done(t);
    mm_web_counters cn;
    mm_web_stats(s, &cn);
    assert_int_equal(cn.csrf, 3);
    mm_web_free(s);
}

/* --- rate limits ------------------------------------------------------- */

static void test_ratelimit(void **state)
{
    (void)state;
    mm_web_rl_config c;
    mm_web_rl_defaults(&c);
    c.addr_rate = 1;
    c.addr_burst = 3;
    c.block_rate = 1;
    c.block_burst = 5;
    c.capacity = 64;
    mm_web_rl *rl = mm_web_rl_new(&c);
    assert_non_null(rl);
    mm_ip a = ip("198.51.100.1");
    for (int i = 0; i < 3; i++)
        assert_true(mm_web_rl_take(rl, &a, T0));
    assert_false(mm_web_rl_take(rl, &a, T0));
    assert_false(mm_web_rl_take(rl, &a, T0 + SEC / 2));
    assert_true(mm_web_rl_take(rl, &a, T0 + SEC));       /* refilled one */
    assert_false(mm_web_rl_take(rl, &a, T0 + SEC));
    assert_false(mm_web_rl_take(rl, &a, T0));            /* time going back refills nothing */
    /* the block: 5 in all from the /24 at T0 + 1s (4 taken, 1 refilled) */
    mm_ip b = ip("198.51.100.2"), d = ip("198.51.100.3"), other = ip("198.51.101.1");
    assert_true(mm_web_rl_take(rl, &b, T0 + SEC));
    assert_true(mm_web_rl_take(rl, &b, T0 + SEC));
    assert_false(mm_web_rl_take(rl, &d, T0 + SEC));      /* its own bucket is full */
    assert_true(mm_web_rl_take(rl, &other, T0 + SEC));   /* another block */
    /* after long enough everything is full again, to the burst only */
    for (int i = 0; i < 3; i++)
        assert_true(mm_web_rl_take(rl, &a, T0 + 1000 * SEC));
    assert_false(mm_web_rl_take(rl, &a, T0 + 1000 * SEC));
    /* IPv6: the /56 is one block */
    mm_ip v1 = ip("2001:db8:0:1::1"), v2 = ip("2001:db8:0:2::1"), v3 = ip("2001:db8:0:100::1");
    for (int i = 0; i < 3; i++)
        assert_true(mm_web_rl_take(rl, &v1, T0));
    assert_true(mm_web_rl_take(rl, &v2, T0));
    assert_true(mm_web_rl_take(rl, &v2, T0));
    assert_false(mm_web_rl_take(rl, &v2, T0));           /* the /56's five are used */
    assert_true(mm_web_rl_take(rl, &v3, T0));            /* another /56 */
    mm_web_rl_free(rl);

    /* the table's bound */
    c.capacity = 8;
    rl = mm_web_rl_new(&c);
    for (int i = 0; i < 1000; i++) {
        mm_ip x = {.v = 4, .b = {10, (uint8_t)(i >> 8), (uint8_t)i, 1}};
        mm_web_rl_take(rl, &x, T0);
        assert_true(mm_web_rl_used(rl) <= 8);
    }
    assert_true(mm_web_rl_evicted(rl) > 0);
    mm_web_rl_free(rl);
    c.capacity = 1;
    assert_null(mm_web_rl_new(&c));
    c.capacity = 8;
    c.v4_prefix = 33;
    assert_null(mm_web_rl_new(&c));

    /* through the dispatch: 429 with Retry-After, counted */
    mm_web_server *s = server(NULL, true);
    int st[4];
    for (int i = 0; i < 4; i++) {
        tx *t = run(s, "GET", "/hello", NULL, "203.0.113.5", T0, NULL);
        st[i] = t->resp.status;
        if (i == 3) {
            assert_string_equal(mm_web_resp_get(&t->resp, "Retry-After"), "1");
            assert_security_headers(&t->resp);
        }
        tx_done(t);
    }
    assert_int_equal(st[2], 200);
    assert_int_equal(st[3], 429);
    mm_web_counters cn;
    mm_web_stats(s, &cn);
    assert_int_equal(cn.rate_limited, 1);
    mm_web_free(s);
}

/* --- forms, cookies, escaping ------------------------------------------ */

static void test_form(void **state)
{
    (void)state;
    mm_web_form f;
    const char *s = "a=1&b=x+y&a=%41&&k&e=&%E3%81%82=%e3%81%84";
    assert_int_equal(mm_web_form_parse(&f, s, strlen(s)), MM_WEB_FORM_OK);
    assert_int_equal(f.n, 6);
    assert_string_equal(mm_web_form_get(&f, "a"), "1");
    assert_int_equal(mm_web_form_count(&f, "a"), 2);
    assert_string_equal(f.f[2].value, "A");
    assert_string_equal(mm_web_form_get(&f, "b"), "x y");
    assert_string_equal(mm_web_form_get(&f, "k"), "");
    assert_string_equal(mm_web_form_get(&f, "e"), "");
    assert_string_equal(mm_web_form_get(&f, "\xe3\x81\x82"), "\xe3\x81\x84");
    assert_null(mm_web_form_get(&f, "z"));
    mm_web_form_free(&f);

    assert_int_equal(mm_web_form_parse(&f, "", 0), MM_WEB_FORM_OK);
    assert_int_equal(f.n, 0);
    mm_web_form_free(&f);
    assert_int_equal(mm_web_form_parse(&f, "a=b=c", 5), MM_WEB_FORM_OK);
    assert_string_equal(mm_web_form_get(&f, "a"), "b=c");
    mm_web_form_free(&f);
    const char *bad[] = {"a=%zz", "a=%4", "a=%", "a=%00", "a=%0a", "%0d=1", "a=\x01", "a=%7F"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(mm_web_form_parse(&f, bad[i], strlen(bad[i])), MM_WEB_FORM_BAD);
        assert_int_equal(f.n, 0);
        assert_null(f.mem);
    }
    /* only n bytes are read: the rest of the string is not the form */
    assert_int_equal(mm_web_form_parse(&f, "a=1&b=2", 3), MM_WEB_FORM_OK);
    assert_int_equal(f.n, 1);
    mm_web_form_free(&f);

    static char many[65 * 4 + 1];
    many[0] = '\0';
    for (int i = 0; i < 64; i++)
        strcat(many, "a=1&");
    assert_int_equal(mm_web_form_parse(&f, many, strlen(many)), MM_WEB_FORM_OK);
    assert_int_equal(f.n, 64);
    mm_web_form_free(&f);
    strcat(many, "b=2");
    assert_int_equal(mm_web_form_parse(&f, many, strlen(many)), MM_WEB_FORM_TOO_MANY);

    static char lv[MM_WEB_FORM_MAX_VALUE + 10];
    strcpy(lv, "v=");
    memset(lv + 2, 'x', MM_WEB_FORM_MAX_VALUE);
    lv[MM_WEB_FORM_MAX_VALUE + 2] = '\0';
    assert_int_equal(mm_web_form_parse(&f, lv, strlen(lv)), MM_WEB_FORM_OK);
    assert_int_equal(f.f[0].value_len, MM_WEB_FORM_MAX_VALUE);
    mm_web_form_free(&f);
    strcat(lv, "y");
    assert_int_equal(mm_web_form_parse(&f, lv, strlen(lv)), MM_WEB_FORM_TOO_LONG);
    char lk[MM_WEB_FORM_MAX_KEY + 4];
    memset(lk, 'k', MM_WEB_FORM_MAX_KEY + 1);
    lk[MM_WEB_FORM_MAX_KEY + 1] = '\0';
    assert_int_equal(mm_web_form_parse(&f, lk, strlen(lk)), MM_WEB_FORM_TOO_LONG);

    char out[16];
    assert_int_equal(mm_web_urldecode("a%20b+c", 7, out, sizeof out, false), 5);
    assert_string_equal(out, "a b+c");
    assert_int_equal(mm_web_urldecode("abcdef", 6, out, 4, true), -1);   /* does not fit */
}

static void test_cookie(void **state)
{
    (void)state;
    char v[16];
    assert_true(mm_web_cookie_get("a=1; lang=en", "lang", v, sizeof v));
    assert_string_equal(v, "en");
    assert_true(mm_web_cookie_get("lang=\"ja\"", "lang", v, sizeof v));
    assert_string_equal(v, "ja");
    assert_true(mm_web_cookie_get("xlang=ja;lang = en ; lang=ja", "lang", v, sizeof v));
    assert_string_equal(v, "en");
    assert_false(mm_web_cookie_get("xlang=ja", "lang", v, sizeof v));
    assert_false(mm_web_cookie_get("lang", "lang", v, sizeof v));
    assert_false(mm_web_cookie_get(NULL, "lang", v, sizeof v));
    assert_false(mm_web_cookie_get("lang=a\\b", "lang", v, sizeof v));
    assert_false(mm_web_cookie_get("lang=0123456789abcdefg", "lang", v, sizeof v));
    assert_true(mm_web_cookie_get("lang=", "lang", v, sizeof v));
    assert_string_equal(v, "");
}

static void test_html_escape(void **state)
{
    (void)state;
    mm_web_buf b;
    mm_web_buf_init(&b, 0);
    assert_true(mm_web_html_puts(&b, "<a href='x'>&\"</a>"));
    assert_string_equal(b.s, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    mm_web_buf_reset(&b);
    const char raw[] = "ok\x01\x7f\ttab \xe3\x81\x82 \xff\xc3 \xed\xa0\x80 end";
    assert_true(mm_web_html_escape(&b, raw, sizeof raw - 1));
    assert_string_equal(b.s, "ok\ttab \xe3\x81\x82 \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");
    mm_web_buf_reset(&b);
    assert_true(mm_web_html_escape(&b, "a\0b", 3));      /* a NUL is left out */
    assert_int_equal(b.len, 2);
    mm_web_buf_free(&b);
    mm_web_buf_init(&b, 8);
    assert_false(mm_web_html_puts(&b, "<<<"));            /* 12 bytes escaped */
    assert_true(b.over);
    mm_web_buf_free(&b);
}

/* --- the real server, on loopback -------------------------------------- */

typedef struct got {
    mm_web_buf body, head;
} got;

static size_t on_body(char *p, size_t sz, size_t n, void *u)
{
    got *g = u;
    mm_web_buf_add(&g->body, p, sz * n);
    return sz * n;
}

static size_t on_head(char *p, size_t sz, size_t n, void *u)
{
    got *g = u;
    mm_web_buf_add(&g->head, p, sz * n);
    return sz * n;
}

/* One request to the server; the status (0: no answer). */
static long fetch(uint16_t port, const char *host, const char *path, const char *post,
                  size_t post_len, struct curl_slist *hdrs, got *g)
{
    char url[256];
    snprintf(url, sizeof url, "http://%s:%u%s", host, port, path);
    mm_web_buf_init(&g->body, 0);
    mm_web_buf_init(&g->head, 0);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, g);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_head);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, g);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (hdrs)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    if (post) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)post_len);
    }
    long code = 0;
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    else
        fprintf(stderr, "curl: %s\n", curl_easy_strerror(rc));
    curl_easy_cleanup(c);
    return code;
}

static void got_free(got *g)
{
    mm_web_buf_free(&g->body);
    mm_web_buf_free(&g->head);
}

static bool has_header(const got *g, const char *line)
{
    return g->head.s && strcasestr(g->head.s, line) != NULL;
}

static void test_server(void **state)
{
    (void)state;
    mm_web_server *s = server(NULL, false);
    char err[128];
    assert_true(mm_web_start(s, err, sizeof err));
    uint16_t port = mm_web_port(s);
    assert_true(port > 0);
    got g;

    assert_int_equal(fetch(port, "127.0.0.1", "/hello?name=%3Cx%3E", NULL, 0, NULL, &g), 200);
    assert_string_equal(g.body.s, "hello ja /hello &lt;x&gt;");
    assert_true(has_header(&g, "\nContent-Security-Policy: default-src 'none'; style-src 'self'"));
    assert_true(has_header(&g, "\nX-Frame-Options: DENY\r\n"));
    assert_true(has_header(&g, "\nX-Content-Type-Options: nosniff\r\n"));
    assert_true(has_header(&g, "\nReferrer-Policy: no-referrer\r\n"));
    assert_true(has_header(&g, "\nCache-Control: no-store\r\n"));
    assert_true(has_header(&g, "\nContent-Type: text/html; charset=utf-8\r\n"));
    got_free(&g);

    assert_int_equal(fetch(port, "127.0.0.1", "/nope", NULL, 0, NULL, &g), 404);
    assert_true(has_header(&g, "\nX-Frame-Options: DENY\r\n"));
    got_free(&g);

    /* a form, then its CSRF-protected twin with a token from the server */
    assert_int_equal(fetch(port, "127.0.0.1", "/form", "v=a%26b", 7, NULL, &g), 200);
    assert_string_equal(g.body.s, "v=a&b n=1");
    got_free(&g);
    assert_int_equal(fetch(port, "127.0.0.1", "/token", NULL, 0, NULL, &g), 200);
    char body[128];
    snprintf(body, sizeof body, "csrf=%s&v=1", g.body.s);
    got_free(&g);
    assert_int_equal(fetch(port, "127.0.0.1", "/check", body, strlen(body), NULL, &g), 200);
    got_free(&g);
    assert_int_equal(fetch(port, "127.0.0.1", "/check", body, strlen(body), NULL, &g), 403);
    got_free(&g);

    /* a body over the cap: 413 (announced by Content-Length, and chunked) */
    size_t bn = 100 * 1024;
    char *big = malloc(bn);
    memset(big, 'a', bn);
    assert_int_equal(fetch(port, "127.0.0.1", "/form", big, bn, NULL, &g), 413);
    assert_true(has_header(&g, "\nX-Content-Type-Options: nosniff\r\n"));
    got_free(&g);
    struct curl_slist *ch = curl_slist_append(NULL, "Transfer-Encoding: chunked");
    assert_int_equal(fetch(port, "127.0.0.1", "/form", big, bn, ch, &g), 413);
    got_free(&g);
    curl_slist_free_all(ch);
    free(big);

    /* headers over our limit (8 KiB) but within the connection's memory:
     * the dispatch's 431; over the connection's memory: libmicrohttpd's */
    char *hv = malloc(64 * 1024);
    strcpy(hv, "X-Big: ");
    memset(hv + 7, 'b', 10000);
    hv[10007] = '\0';
    struct curl_slist *hh = curl_slist_append(NULL, hv);
    assert_int_equal(fetch(port, "127.0.0.1", "/hello", NULL, 0, hh, &g), 431);
    assert_true(has_header(&g, "\nX-Frame-Options: DENY\r\n"));
    got_free(&g);
    curl_slist_free_all(hh);
    memset(hv + 7, 'b', 60000);
    hv[60007] = '\0';
    hh = curl_slist_append(NULL, hv);
    long code = fetch(port, "127.0.0.1", "/hello", NULL, 0, hh, &g);
    assert_int_equal(code, 431);     /* libmicrohttpd's own (0.9.75) */
    got_free(&g);
    curl_slist_free_all(hh);
    free(hv);

    mm_web_counters c;
    mm_web_stats(s, &c);
    assert_true(c.too_large >= 3);
    mm_web_stop(s);
    assert_int_equal(mm_web_port(s), 0);

    /* IPv6 loopback, when this machine has it */
    mm_web_free(s);
    mm_web_config cfg;
    mm_web_config_defaults(&cfg);
    cfg.listen = "[::1]:0";
    s = mm_web_new(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_true(mm_web_route(s, "GET", "/json", 0, h_json, NULL));
    if (mm_web_start(s, err, sizeof err)) {
        assert_int_equal(fetch(mm_web_port(s), "[::1]", "/json", NULL, 0, NULL, &g), 200);
        assert_string_equal(g.body.s, "{\"lang\":\"ja\",\"known\":true}");
        got_free(&g);
    } else {
        fprintf(stderr, "skip: no IPv6 loopback (%s)\n", err);
    }
    mm_web_free(s);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_response_headers),
        cmocka_unit_test(test_client_addr),
        cmocka_unit_test(test_lang),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_ratelimit),
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_cookie),
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_server),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return r;
}
