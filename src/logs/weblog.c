/*
 * weblog.c - Apache httpd and nginx access logs: the Common Log Format and
 * its extensions.
 *
 *   common          %h %l %u %t "%r" %>s %b
 *   combined        %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"
 *   vhost_combined  %v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"
 *   nginx "combined" / "main"
 *                   $remote_addr - $remote_user [$time_local] "$request" $status
 *                   $body_bytes_sent "$http_referer" "$http_user_agent"
 *                   ["$http_x_forwarded_for"]
 *
 * (Apache: mod_log_config, https://httpd.apache.org/docs/current/mod/mod_log_config.html
 * and the LogFormat lines of the Debian/Ubuntu apache2.conf; nginx:
 * ngx_http_log_module, https://nginx.org/en/docs/http/ngx_http_log_module.html.)
 *
 * The parse: the words before the "[" of the time are the client, ident
 * and user, with a virtual host ("host" or "host:port") in front when there
 * are four of them (two words: a format that logs client and user only);
 * the time "[10/Oct/2000:13:55:36 -0700]" carries its zone; the request
 * line is one quoted string whose quotes and backslashes the servers
 * escape with a backslash ("\"", "\\", "\x16"); then the status, the bytes
 * ("-" for none) and, when present, the quoted referer and user agent.
 * Whatever follows (X-Forwarded-For, timings) is left alone.
 *
 * A request line that is not "METHOD target [HTTP/x.y]" (the "-" nginx
 * writes for a connection closed before a request, a TLS handshake sent
 * to a plain HTTP port, "\x16\x03\x01...") still gives a record with the
 * client, time and status; it has no method or URL.
 *
 * The record: src_ip the client (absent when HostnameLookups wrote a
 * name), http.hostname the virtual host (or the host of an absolute
 * request target), dest_port the port of "%v:%p", http.url the request
 * target, http.http_method, http.protocol, http.status, http.length,
 * http.http_refer, http.http_user_agent; the servers' escapes in the
 * target, referer and user agent ("\"", "\\", "\xhh", "\n") are undone.
 *
 * Apache's error_log ("[Sun Dec 04 04:47:44 2005] [error] ...") and
 * nginx's error.log ("2021/12/01 13:53:33 [error] 31#31: ...") belong to the
 * same servers and are recognised by the probe, but they are not access
 * records: skipped. Squid writes the same CLF lines with a "TCP_MISS:HIER_DIRECT"
 * word at the end: those are squid's (squid.c), and the probe leaves them.
 *
 * Lines may come behind a syslog header (nginx "access_log syslog:",
 * Apache piped to logger): the message after the header is parsed.
 */
#include <string.h>

#include "logs/logs.h"

#define MAX_PRE 6

/* A line of the Common Log Format, split. */
typedef struct clf {
    lr_str pre[MAX_PRE];         /* the words before the time */
    int npre;
    lr_tm tm;                    /* the time, with its zone */
    lr_str req;                  /* the request line, inside its quotes */
    lr_str status, bytes;
    lr_str q[2];                 /* referer, user agent (inside their quotes) */
    int nq;
    lr_str rest;                 /* what follows */
} clf;

enum { CLF_NOT = 0, CLF_BROKEN = 1, CLF_OK = 2 };

static const char *skip_sp(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

static int clf_split(const char *m, size_t n, clf *c)
{
    memset(c, 0, sizeof *c);
    const char *p = m, *e = m + n;
    for (;;) {
        p = skip_sp(p, e);
        if (p >= e)
            return CLF_NOT;
        if (*p == '[')
            break;
        if (c->npre == MAX_PRE)
            return CLF_NOT;
        const char *s = p;
        while (p < e && *p != ' ' && *p != '\t')
            p++;
        c->pre[c->npre++] = lr_s(s, (size_t)(p - s));
    }
    if (c->npre == 0)
        return CLF_NOT;
    const char *after = lr_clf_time(p + 1, e, &c->tm);
    if (!after)
        return CLF_BROKEN;
    p = skip_sp(after, e);
    if (p >= e || *p != '"' || !lr_quoted(&p, e, &c->req))
        return CLF_BROKEN;
    lr_cur cur = lr_cur_of(p, (size_t)(e - p));
    if (!lr_word(&cur, &c->status))
        return CLF_BROKEN;
    lr_word(&cur, &c->bytes);
    p = cur.p;
    while (c->nq < 2) {
        p = skip_sp(p, e);
        if (p >= e || *p != '"' || !lr_quoted(&p, e, &c->q[c->nq]))
            break;
        c->nq++;
    }
    p = skip_sp(p, e);
    const char *re = e;
    while (re > p && (re[-1] == ' ' || re[-1] == '\t'))
        re--;
    c->rest = lr_s(p, (size_t)(re - p));
    return CLF_OK;
}

/* Squid's common/combined end with "%Ss:%Sh": "TCP_MISS:HIER_DIRECT". */
static bool squid_tail(lr_str rest)
{
    if (rest.n == 0)
        return false;
    const char *e = rest.p + rest.n, *s = e;
    while (s > rest.p && s[-1] != ' ' && s[-1] != '\t')
        s--;
    const char *colon = memchr(s, ':', (size_t)(e - s));
    if (!colon || colon == s || colon + 1 == e)
        return false;
    for (const char *q = s; q < e; q++)
        if (q != colon && !((*q >= 'A' && *q <= 'Z') || *q == '_' || (*q >= '0' && *q <= '9')))
            return false;
    size_t n = (size_t)(colon - s);
    return lr_starts(s, n, "TCP_") || lr_starts(s, n, "UDP_") || lr_starts(s, n, "NONE") ||
           lr_starts(s, n, "TAG_NONE") || lr_starts(s, n, "ERR_");
}

/* "[Sun Dec 04 04:47:44 2005] [" or "[Thu Oct 13 12:24:49.880562 2022] [" */
static bool apache_error(const char *m, size_t n)
{
    if (n < 27 || m[0] != '[' || m[4] != ' ' || m[8] != ' ' || m[11] != ' ' || m[14] != ':' ||
        m[17] != ':' || !lr_month(m + 5))
        return false;
    const char *e = m + n, *q = m + 20;
    if (*q == '.') {
        q++;
        while (q < e && *q >= '0' && *q <= '9')
            q++;
    }
    return e - q >= 8 && q[0] == ' ' && lr_digits(q + 1, 4) && q[5] == ']' && q[6] == ' ' &&
           q[7] == '[';
}

/* "2021/12/01 13:53:33 [error] " */
static bool nginx_error(const char *m, size_t n)
{
    return n >= 22 && lr_digits(m, 4) && m[4] == '/' && m[7] == '/' && m[10] == ' ' &&
           m[13] == ':' && m[16] == ':' && m[19] == ' ' && m[20] == '[' &&
           memchr(m + 21, ']', n - 21) != NULL;
}

static bool probe(const lr_line *l)
{
    const char *m = l->sys->msg;
    size_t n = l->sys->msg_len;
    if (n < 20)
        return false;
    if (apache_error(m, n) || nginx_error(m, n))
        return true;
    clf c;
    if (clf_split(m, n, &c) != CLF_OK || c.npre < 2 || c.npre > 5)
        return false;
    if (!lr_digits(c.status.p, c.status.n) || c.status.n > 3)
        return false;
    return !squid_tail(c.rest);
}

static bool token(lr_str w)
{
    if (w.n == 0 || w.n > 32)
        return false;
    for (uint32_t i = 0; i < w.n; i++) {
        char ch = w.p[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return false;
    }
    return true;
}

/* The servers' escapes undone ("\"" '"', "\\" '\', "\xhh" the byte,
 * "\n" "\t" "\r"), into the scratch area; the text as written when there
 * is no room. */
static lr_str unescape(mm_logrec *r, lr_str s)
{
    if (!s.n || !memchr(s.p, '\\', s.n) || s.n > sizeof r->scratch - r->scratch_len)
        return s;
    char *d = r->scratch + r->scratch_len;
    size_t k = 0;
    for (uint32_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (c == '\\' && i + 1 < s.n) {
            char x = s.p[i + 1];
            if (x == 'x' && i + 3 < s.n && mm_hex_value(s.p[i + 2]) >= 0 && mm_hex_value(s.p[i + 3]) >= 0) {
                c = (char)(mm_hex_value(s.p[i + 2]) * 16 + mm_hex_value(s.p[i + 3]));
                i += 3;
            } else if (x == '"' || x == '\\') {
                c = x;
                i++;
            } else if (x == 'n' || x == 't' || x == 'r') {
                c = x == 'n' ? '\n' : x == 't' ? '\t' : '\r';
                i++;
            }
        }
        d[k++] = c;
    }
    r->scratch_len += k;
    return lr_s(d, k);
}

static lr_str dash_none(lr_str s)
{
    if (s.n == 1 && s.p[0] == '-')
        s.n = 0;
    return s;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *m = l->sys->msg;
    size_t n = l->sys->msg_len;
    if (apache_error(m, n) || nginx_error(m, n))
        return LR_SKIP;
    clf c;
    int rc = clf_split(m, n, &c);
    if (rc == CLF_NOT)
        return LR_SKIP;
    mm_ip ip;
    if (rc == CLF_BROKEN) {
        /* ours when it starts like an access line: a client address */
        bool ours = lr_ip(c.pre[0].p, c.pre[0].n, &ip) ||
                    (c.npre > 1 && lr_ip(c.pre[1].p, c.pre[1].n, &ip));
        return ours ? lr_bad(cx, "access line without a valid time or request") : LR_SKIP;
    }
    if (l->sys->ok)
        r->host = l->sys->host;

    /* the words before the time */
    int ci = 0;                          /* the client's word */
    if (c.npre >= 4) {
        /* "vhost client ident user", unless the user had a space in it */
        if (lr_ip(c.pre[1].p, c.pre[1].n, &ip) || !lr_ip(c.pre[0].p, c.pre[0].n, &ip))
            ci = 1;
    }
    if (ci == 1) {
        lr_str v = c.pre[0];
        const char *colon = NULL;
        int ncolon = 0;
        for (uint32_t i = 0; i < v.n; i++)
            if (v.p[i] == ':') {
                colon = v.p + i;
                ncolon++;
            }
        if (v.n && v.p[0] == '[') {
            const char *rb = memchr(v.p, ']', v.n);
            if (rb) {
                const char *ve = v.p + v.n;
                if (rb + 1 < ve && rb[1] == ':')
                    lr_port(rb + 2, (size_t)(ve - rb - 2), &r->dest_port);
                v = lr_s(v.p + 1, (size_t)(rb - v.p - 1));
            }
        } else if (ncolon == 1) {
            if (lr_port(colon + 1, (size_t)(v.p + v.n - colon - 1), &r->dest_port))
                v.n = (uint32_t)(colon - v.p);
        }
        v = dash_none(v);
        if (v.n)
            r->http.hostname = v;
    }
    lr_str client = c.pre[ci];
    if (client.n == 0)
        return lr_bad(cx, "no client");
    lr_ip(client.p, client.n, &r->src_ip);   /* a name when HostnameLookups is on */

    lr_set_time(cx, r, c.tm.year, c.tm.mon, c.tm.day, c.tm.hour, c.tm.min, c.tm.sec, 0, true,
                c.tm.zone);

    /* the request line */
    lr_cur rc2 = lr_cur_of(c.req.p, c.req.n);
    lr_str method;
    if (lr_word(&rc2, &method) && token(method) && !(method.n == 1 && method.p[0] == '-')) {
        r->http.http_method = method;
        const char *ts = rc2.p, *te = c.req.p + c.req.n;
        while (ts < te && *ts == ' ')
            ts++;
        while (te > ts && te[-1] == ' ')
            te--;
        /* the protocol is the last word when it is "HTTP/..." */
        const char *ps = te;
        while (ps > ts && ps[-1] != ' ')
            ps--;
        if (ps > ts && te - ps >= 5 && lr_starts(ps, (size_t)(te - ps), "HTTP/")) {
            r->http.protocol = lr_s(ps, (size_t)(te - ps));
            te = ps;
            while (te > ts && te[-1] == ' ')
                te--;
        } else if (ps == ts && te - ts >= 5 && lr_starts(ts, (size_t)(te - ts), "HTTP/")) {
            /* "GET HTTP/1.1": no target */
            r->http.protocol = lr_s(ts, (size_t)(te - ts));
            te = ts;
        }
        if (te > ts) {
            r->http.url = unescape(r, lr_s(ts, (size_t)(te - ts)));
            if (!r->http.hostname.n)
                lr_url_host(r->http.url, false, &r->http.hostname, NULL, NULL);
        }
    }

    /* status and bytes */
    int64_t v;
    if (lr_num(c.status.p, c.status.n, &v) && c.status.n <= 3)
        r->http.status = v;
    else if (!lr_eq(c.status, "-"))
        return lr_bad(cx, "bad status \"%.*s\"", (int)(c.status.n > 16 ? 16 : c.status.n),
                      c.status.p);
    if (c.bytes.n && !lr_eq(c.bytes, "-")) {
        if (!lr_num(c.bytes.p, c.bytes.n, &v))
            return lr_bad(cx, "bad byte count");
        r->http.length = v;
    }
    if (c.nq >= 1)
        r->http.http_refer = unescape(r, dash_none(c.q[0]));
    if (c.nq >= 2)
        r->http.http_user_agent = unescape(r, dash_none(c.q[1]));
    return LR_OK;
}

const mm_logfmt lf_weblog = {
    .name = "weblog",
    .event_type = "web",
    .what = "Apache / nginx access logs (common, combined, vhost_combined)",
    .example = "203.0.113.7 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" "
               "200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08\"",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
