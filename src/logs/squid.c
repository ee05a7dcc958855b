/*
 * squid.c - Squid access.log: the native format and Squid's built-in
 * "common" and "combined" logformats.
 *
 * Native (logformat squid, src/log/FormatSquidNative.cc; the logformat
 * directive, https://www.squid-cache.org/Doc/config/logformat/):
 *
 *   %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt
 *   1157689320.327   2864 10.105.21.199 TCP_MISS/200 10182 GET
 *       http://www.goonernews.com/ badeyek DIRECT/207.58.145.61 text/html
 *
 * time (epoch seconds.milliseconds, UTC), elapsed milliseconds, client,
 * result code/HTTP status, bytes delivered to the client, method, URL,
 * user ("-" none), hierarchy code/peer host ("-" none), content type. With
 * log_mime_hdrs the request and reply headers follow in [brackets]; they
 * are left alone, as are further fields of the same shape (Cisco WSA's
 * access log starts like Squid's and goes on with its own).
 *
 * common and combined (FormatHttpdCommon.cc, FormatHttpdCombined.cc) are
 * Apache's lines with Squid's codes at the end:
 *
 *   %>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st [combined: "%{Referer}>h"
 *   "%{User-Agent}>h"] %Ss:%Sh
 *
 * The record: src_ip the client, http.url the URL as logged, http.hostname
 * its host (a CONNECT's "host:port": the host there, the port in
 * dest_port; a URL's explicit port also goes to dest_port), http.http_method,
 * http.status (absent for Squid's 000, no reply), http.length and
 * proxy.bytes_in the bytes field, proxy.action the result code
 * ("TCP_MISS"), proxy.user, proxy.peer the hierarchy field as written
 * ("HIER_DIRECT/203.0.113.5"; absent when it says no peer, "HIER_NONE/-"),
 * dest_ip the peer when it is an address, proxy.duration_ms the elapsed
 * time, http.http_content_type.
 *
 * proxy.cache from the result code, the way Squid itself classes it
 * (LogTags::isTcpHit and cacheStatusSource in src/LogTags.cc), taking the
 * code without its "TCP_"/"UDP_" source, "_CF" and the "_ABORTED",
 * "_TIMEDOUT", "_IGNORED" error tags: "HIT" for HIT, MEM_HIT, IMS_HIT,
 * INM_HIT, NEGATIVE_HIT, OFFLINE_HIT, REFRESH_UNMODIFIED, REFRESH_FAIL_OLD
 * and Squid 2's REFRESH_HIT and REF_FAIL_HIT (a reply served from the
 * cache); "MISS" for MISS, REFRESH, REFRESH_MODIFIED, REFRESH_FAIL_ERR,
 * CLIENT_REFRESH_MISS, SWAPFAIL_MISS and Squid 2's REFRESH_MISS, IMS_MISS
 * (a reply fetched from the server); absent otherwise (DENIED, TUNNEL,
 * REDIRECT, NONE, and all UDP_ (ICP) codes), where no cache lookup served
 * the request.
 *
 * Lines may come behind a syslog header (access_log syslog:...): the
 * message after it is parsed.
 */
#include <string.h>

#include "logs/logs.h"

static bool upper_code(const char *p, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_' || (p[i] >= '0' && p[i] <= '9')))
            return false;
    return p[0] >= 'A' && p[0] <= 'Z';
}

/* A result code as Squid writes them. */
static bool result_code(const char *p, size_t n)
{
    return upper_code(p, n) &&
           (lr_starts(p, n, "TCP_") || lr_starts(p, n, "UDP_") || lr_starts(p, n, "NONE") ||
            lr_starts(p, n, "TAG_NONE") || lr_starts(p, n, "ERR_"));
}

/* --- native lines --- */

#define NW 10

/* The fields of a native line: words, a word in double quotes kept whole
 * (Cisco WSA quotes the user). */
static int words(const char *m, size_t n, lr_str *w, int max)
{
    const char *p = m, *e = m + n;
    int k = 0;
    while (k < max) {
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        if (p >= e)
            break;
        const char *s = p;
        if (*p == '"') {
            const char *q = p + 1;
            while (q < e && !(*q == '"' && (q + 1 == e || q[1] == ' ' || q[1] == '\t')))
                q++;
            if (q < e) {
                w[k++] = lr_s(s, (size_t)(q + 1 - s));
                p = q + 1;
                continue;
            }
        }
        while (p < e && *p != ' ' && *p != '\t')
            p++;
        w[k++] = lr_s(s, (size_t)(p - s));
    }
    return k;
}

/* "1157689312.049": seconds and the fraction in microseconds */
static bool epoch_ms(lr_str w, int64_t *us)
{
    const char *dot = memchr(w.p, '.', w.n);
    if (!dot)
        return false;
    size_t a = (size_t)(dot - w.p), b = w.n - a - 1;
    int64_t s, f;
    if (a == 0 || a > 12 || b == 0 || b > 6 || !lr_num(w.p, a, &s) || !lr_num(dot + 1, b, &f))
        return false;
    for (size_t i = b; i < 6; i++)
        f *= 10;
    *us = s * 1000000 + f;
    return true;
}

/* "TCP_MISS/200" */
static bool code_status(lr_str w, lr_str *code, lr_str *status)
{
    const char *sl = memchr(w.p, '/', w.n);
    if (!sl)
        return false;
    *code = lr_s(w.p, (size_t)(sl - w.p));
    *status = lr_s(sl + 1, (size_t)(w.p + w.n - sl - 1));
    return result_code(code->p, code->n) && status->n == 3 && lr_digits(status->p, 3);
}

/* "HIER_DIRECT/203.0.113.5", "DIRECT/host", "NONE/-" */
static bool hier(lr_str w, lr_str *code, lr_str *host)
{
    const char *sl = memchr(w.p, '/', w.n);
    if (!sl)
        return false;
    *code = lr_s(w.p, (size_t)(sl - w.p));
    *host = lr_s(sl + 1, (size_t)(w.p + w.n - sl - 1));
    return upper_code(code->p, code->n) && host->n > 0;
}

static bool native_shape(const char *m, size_t n, lr_str *w, int *nw)
{
    if (n < 30 || m[0] < '0' || m[0] > '9')
        return false;
    int k = words(m, n, w, NW);
    *nw = k;
    if (k < 9)
        return false;
    int64_t us;
    lr_str a, b;
    const char *el = w[1].p;
    size_t eln = w[1].n;
    if (eln && el[0] == '-') {
        el++;
        eln--;
    }
    return epoch_ms(w[0], &us) && lr_digits(el, eln) && code_status(w[3], &a, &b) &&
           lr_digits(w[4].p, w[4].n) && hier(w[8], &a, &b);
}

/* --- common / combined --- */

typedef struct clf {
    lr_str pre[4];
    int npre;
    lr_tm tm;
    lr_str req, status, bytes;
    lr_str q[2];
    int nq;
    lr_str code, hier;           /* "TCP_MISS" "HIER_DIRECT" */
} clf;

/* 0: not this shape; 1: starts like it but broken; 2: a line */
static int clf_split(const char *m, size_t n, clf *c)
{
    memset(c, 0, sizeof *c);
    const char *p = m, *e = m + n;
    for (;;) {
        while (p < e && *p == ' ')
            p++;
        if (p >= e)
            return 0;
        if (*p == '[')
            break;
        if (c->npre == 4)
            return 0;
        const char *s = p;
        while (p < e && *p != ' ')
            p++;
        c->pre[c->npre++] = lr_s(s, (size_t)(p - s));
    }
    if (c->npre != 3)
        return 0;
    /* "10/Oct/2000:13:55:36 -0700]": a day of two digits */
    const char *after = NULL;
    if (e - p >= 3 && lr_digits(p + 1, 2))
        after = lr_clf_time(p + 1, e, &c->tm);
    if (!after)
        return 1;
    p = after;
    while (p < e && *p == ' ')
        p++;
    if (p >= e || *p != '"' || !lr_quoted(&p, e, &c->req))
        return 1;
    lr_cur cur = lr_cur_of(p, (size_t)(e - p));
    if (!lr_word(&cur, &c->status) || !lr_word(&cur, &c->bytes))
        return 1;
    p = cur.p;
    while (c->nq < 2) {
        while (p < e && *p == ' ')
            p++;
        if (p >= e || *p != '"' || !lr_quoted(&p, e, &c->q[c->nq]))
            break;
        c->nq++;
    }
    cur = lr_cur_of(p, (size_t)(e - p));
    lr_str t;
    if (!lr_word(&cur, &t))
        return 1;
    const char *colon = memchr(t.p, ':', t.n);
    if (!colon)
        return 1;
    c->code = lr_s(t.p, (size_t)(colon - t.p));
    c->hier = lr_s(colon + 1, (size_t)(t.p + t.n - colon - 1));
    if (!result_code(c->code.p, c->code.n) || !upper_code(c->hier.p, c->hier.n))
        return 1;
    return 2;
}

static bool probe(const lr_line *l)
{
    const char *m = l->sys->msg;
    size_t n = l->sys->msg_len;
    lr_str w[NW];
    int nw;
    if (native_shape(m, n, w, &nw))
        return true;
    clf c;
    return n > 40 && clf_split(m, n, &c) == 2;
}

/* --- the record --- */

static const char *cache_of(lr_str code)
{
    const char *p = code.p;
    size_t n = code.n;
    if (!lr_starts(p, n, "TCP_"))
        return NULL;
    p += 4;
    n -= 4;
    if (lr_starts(p, n, "CF_")) {
        p += 3;
        n -= 3;
    }
    /* the error tags at the end */
    static const char *const tails[] = {"_ABORTED", "_TIMEDOUT", "_IGNORED"};
    for (int again = 0; again < 3; again++)
        for (size_t i = 0; i < 3; i++) {
            size_t k = strlen(tails[i]);
            if (n > k && memcmp(p + n - k, tails[i], k) == 0)
                n -= k;
        }
    static const char *const hit[] = {"HIT", "MEM_HIT", "IMS_HIT", "INM_HIT", "NEGATIVE_HIT",
                                      "OFFLINE_HIT", "REFRESH_UNMODIFIED", "REFRESH_FAIL_OLD",
                                      "REFRESH_HIT", "REF_FAIL_HIT", "STALE_HIT"};
    static const char *const miss[] = {"MISS", "REFRESH", "REFRESH_MODIFIED", "REFRESH_FAIL_ERR",
                                       "CLIENT_REFRESH_MISS", "SWAPFAIL_MISS", "REFRESH_MISS",
                                       "IMS_MISS", "CLIENT_REFRESH", "SWAPFAIL"};
    if (lr_eq_any(lr_s(p, n), hit, sizeof hit / sizeof *hit))
        return "HIT";
    if (lr_eq_any(lr_s(p, n), miss, sizeof miss / sizeof *miss))
        return "MISS";
    return NULL;
}

/* The host of a URL: "scheme://[user@]host[:port]/...", or a CONNECT's
 * "host:port" ("[v6]:port"); the port into *port when written. */
static bool url_host(lr_str u, bool authority_form, lr_str *host, int32_t *port)
{
    lr_str h, pt_text, auth;
    if (!lr_url_host(u, authority_form, &h, &pt_text, &auth))
        return false;
    int32_t pt = -1;
    if (pt_text.p && !lr_port(pt_text.p, pt_text.n, &pt))
        return false;
    if (auth.p == u.p && pt < 0)  /* "host" alone is not an authority */
        return false;
    *host = h;
    if (pt >= 0)
        *port = pt;
    return true;
}

static bool is_connect(lr_str m)
{
    return lr_eq(m, "CONNECT") || lr_eq(m, "TCP_CONNECT");
}

static void set_url(mm_logrec *r, lr_str method, lr_str url)
{
    if (url.n == 0 || lr_eq(url, "-"))
        return;
    r->http.url = url;
    url_host(url, is_connect(method), &r->http.hostname, &r->dest_port);
}

static void set_method(mm_logrec *r, lr_str m)
{
    if (m.n && !lr_eq(m, "-") && !lr_eq(m, "NONE"))
        r->http.http_method = m;
}

static lr_str unquote(lr_str s)
{
    if (s.n >= 2 && s.p[0] == '"' && s.p[s.n - 1] == '"')
        return lr_s(s.p + 1, s.n - 2);
    return s;
}

static int parse_native(mm_logctx *cx, mm_logrec *r, lr_str *w, int nw)
{
    int64_t v;
    if (!epoch_ms(w[0], &r->ts_us))
        return lr_bad(cx, "bad time");
    r->tzoff = 0;
    r->has_ts = true;
    if (lr_num(w[1].p, w[1].n, &v))
        r->proxy.duration_ms = v;
    if (!lr_ip(w[2].p, w[2].n, &r->src_ip) && (w[2].n == 0 || lr_eq(w[2], "-")))
        return lr_bad(cx, "no client");
    lr_str code, status, hcode, hhost;
    if (!code_status(w[3], &code, &status))
        return lr_bad(cx, "bad result code");
    r->proxy.action = code;
    const char *cache = cache_of(code);
    if (cache)
        r->proxy.cache = lr_s(cache, strlen(cache));
    if (lr_num(status.p, status.n, &v) && v > 0)
        r->http.status = v;
    if (!lr_num(w[4].p, w[4].n, &v))
        return lr_bad(cx, "bad byte count");
    r->http.length = r->proxy.bytes_in = v;
    set_method(r, w[5]);
    set_url(r, w[5], w[6]);
    lr_str user = unquote(w[7]);
    if (user.n && !lr_eq(user, "-"))
        r->proxy.user = user;
    if (!hier(w[8], &hcode, &hhost))
        return lr_bad(cx, "bad hierarchy field");
    if (!lr_eq(hhost, "-")) {
        r->proxy.peer = w[8];
        lr_ip(hhost.p, hhost.n, &r->dest_ip);
    } else if (!lr_eq(hcode, "NONE") && !lr_eq(hcode, "HIER_NONE")) {
        r->proxy.peer = w[8];
    }
    if (nw >= 10 && !lr_eq(w[9], "-") && w[9].p[0] != '[')
        r->http.http_content_type = w[9];
    return LR_OK;
}

static int parse_clf(mm_logctx *cx, mm_logrec *r, clf *c)
{
    if (!lr_ip(c->pre[0].p, c->pre[0].n, &r->src_ip) && lr_eq(c->pre[0], "-"))
        return lr_bad(cx, "no client");
    lr_set_time(cx, r, c->tm.year, c->tm.mon, c->tm.day, c->tm.hour, c->tm.min, c->tm.sec, 0, true,
                c->tm.zone);
    if (!lr_eq(c->pre[2], "-"))
        r->proxy.user = c->pre[2];
    else if (!lr_eq(c->pre[1], "-"))
        r->proxy.user = c->pre[1];
    /* "METHOD URL HTTP/x.y" */
    lr_cur q = lr_cur_of(c->req.p, c->req.n);
    lr_str method = {0}, url = {0}, proto = {0};
    if (lr_word(&q, &method) && lr_word(&q, &url))
        lr_word(&q, &proto);
    set_method(r, method);
    set_url(r, method, url);
    if (proto.n >= 5 && lr_starts(proto.p, proto.n, "HTTP/"))
        r->http.protocol = proto;
    int64_t v;
    if (!lr_num(c->status.p, c->status.n, &v) || c->status.n > 3)
        return lr_bad(cx, "bad status");
    if (v > 0)
        r->http.status = v;
    if (!lr_num(c->bytes.p, c->bytes.n, &v))
        return lr_bad(cx, "bad byte count");
    r->http.length = r->proxy.bytes_in = v;
    if (c->nq >= 1 && !lr_eq(c->q[0], "-"))
        r->http.http_refer = c->q[0];
    if (c->nq >= 2 && !lr_eq(c->q[1], "-"))
        r->http.http_user_agent = c->q[1];
    r->proxy.action = c->code;
    const char *cache = cache_of(c->code);
    if (cache)
        r->proxy.cache = lr_s(cache, strlen(cache));
    if (!lr_eq(c->hier, "NONE") && !lr_eq(c->hier, "HIER_NONE"))
        r->proxy.peer = c->hier;
    return LR_OK;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *m = l->sys->msg;
    size_t n = l->sys->msg_len;
    if (l->sys->ok)
        r->host = l->sys->host;
    lr_str w[NW];
    int nw;
    if (native_shape(m, n, w, &nw))
        return parse_native(cx, r, w, nw);
    clf c;
    int rc = clf_split(m, n, &c);
    if (rc == 2)
        return parse_clf(cx, r, &c);
    /* a native line cut short or with a broken field: starts with the time */
    lr_cur cur = lr_cur_of(m, n);
    lr_str t;
    int64_t us;
    mm_ip ip;
    if (lr_word(&cur, &t) && epoch_ms(t, &us))
        return lr_bad(cx, "native access line with missing or broken fields");
    if (rc == 1 && lr_ip(c.pre[0].p, c.pre[0].n, &ip))
        return lr_bad(cx, "access line with a broken time, request or result code");
    return LR_SKIP;
}

const mm_logfmt lf_squid = {
    .name = "squid",
    .event_type = "proxy",
    .what = "Squid access.log (native, common and combined logformats)",
    .example = "1157689320.327   2864 10.105.21.199 TCP_MISS/200 10182 GET "
               "http://www.goonernews.com/ badeyek DIRECT/207.58.145.61 text/html",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
