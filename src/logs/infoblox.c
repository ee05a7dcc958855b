/*
 * infoblox.c - Infoblox NIOS DNS logging sent over syslog (program
 * "named"; NIOS runs BIND 9).
 *
 * NIOS writes, besides BIND's own client messages (query log, denied
 * queries, query errors: see bind.c), two kinds of lines of its own:
 *
 *   response logging (category "infoblox-responses", NIOS Administrator
 *   Guide, "Capturing DNS Queries and Responses"):
 *     07-Apr-2013 20:16:49.083 client 11.22.33.44#57398 UDP: query:
 *       a2.foo.com IN A response: NOERROR +AED a2.foo.com. 28800 IN A 1.1.1.2;
 *     an answer: rcode, response flags, then each RR of the answer section
 *     as "NAME TTL CLASS TYPE RDATA;" (none for NXDOMAIN and errors);
 *
 *   RPZ hits in CEF (NIOS Administrator Guide, RPZ logging; the shape of
 *   Elastic's infoblox_nios test sample):
 *     CEF:0|Infoblox|NIOS|8.6.2|RPZ-QNAME|NXDOMAIN|7|app=DNS dst=192.0.2.53
 *       src=192.0.2.1 spt=51424 view=_default qtype=A
 *       msg="rpz QNAME NXDOMAIN rewrite bad.example [A] via bad.example.rpz"
 *     the sixth field is the policy: NXDOMAIN gives an answer with rcode
 *     NXDOMAIN, NODATA one with NOERROR, others (PASSTHRU, Substitute,
 *     DROP, TCP-Only) a query record.
 *
 * The syslog header may carry two host words ("Oct  4 10:18:07 ns1
 * 192.0.2.1 named[10750]: ..."), as in Elastic's NIOS samples; the reader
 * then finds no program, and the "named[pid]:" is looked for in the
 * message.
 *
 * Which format takes what: this probe takes only the lines above (their
 * shape is Infoblox's alone); NIOS lines that are plain BIND messages are
 * bind's (bind.c), whose probe leaves these to infoblox. A file of NIOS
 * logs is detected as infoblox when these lines are the most common, as
 * bind otherwise; in both cases each line goes to the parser whose probe
 * takes it, and this parser gives every other named line to bind's, so a
 * line gives the same record whichever format the file was read as. DHCP
 * lines of NIOS (dhcpd) are the dhcpd format's.
 */
#include <string.h>

#include "logs/logs.h"

/* bind.c's format: the parser of BIND's own messages (weak: this file can
 * be built alone, then those lines are skipped). */
extern const mm_logfmt lf_bind __attribute__((weak));

/* "named", or no program and "named[" among the first words (two host
 * words in the header). */
static bool named_line(const lr_line *l)
{
    const lr_syslog *s = l->sys;
    if (lr_eq(s->program, "named"))
        return true;
    if (s->program.n)
        return false;
    size_t n = s->msg_len < 64 ? s->msg_len : 64;
    return lr_find(s->msg, n, " named[") != NULL || lr_starts(s->msg, n, "named[");
}

static const char *cef_of(const char *m, size_t n)
{
    const char *c = lr_find(m, n < 200 ? n : 200, "CEF:0|Infoblox|NIOS|");
    return c;
}

/* "client ADDR#PORT[: view V:] UDP: query: ... response: " */
static bool response_line(const char *m, size_t n)
{
    const char *q = lr_find(m, n, "UDP: query: ");
    if (!q)
        q = lr_find(m, n, "TCP: query: ");
    return q && lr_find(m, n < 400 ? n : 400, "client ") && lr_find(q, (size_t)(m + n - q), " response: ");
}

static bool probe(const lr_line *l)
{
    if (!named_line(l))
        return false;
    const char *m = l->sys->msg;
    size_t n = l->sys->msg_len;
    return cef_of(m, n) || response_line(m, n);
}

/* CEF extension value of key (values end at the next " key=", msg is
 * quoted). */
static bool cef_val(const char *p, const char *e, const char *key, lr_str *v)
{
    if (!lr_kv(p, (size_t)(e - p), key, v))
        return false;
    return v->n > 0;
}

static int parse_cef(mm_logctx *cx, const lr_line *l, mm_logrec *r, const char *c)
{
    const char *e = l->sys->msg + l->sys->msg_len;
    /* CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|Extension */
    lr_str f[8];
    const char *p = c;
    int k = 0;
    while (k < 7 && p < e) {
        const char *bar = memchr(p, '|', (size_t)(e - p));
        if (!bar)
            break;
        f[k++] = lr_s(p, (size_t)(bar - p));
        p = bar + 1;
    }
    if (k < 7)
        return lr_bad(cx, "CEF header cut short");
    lr_str sig = f[4], pol = f[5];
    if (sig.n < 4 || memcmp(sig.p, "RPZ-", 4) != 0)
        return LR_SKIP;
    lr_str v;
    if (!cef_val(p, e, "src", &v) || !lr_ip(v.p, v.n, &r->src_ip))
        return lr_bad(cx, "RPZ hit without a client address (src=)");
    if (cef_val(p, e, "spt", &v) && !lr_port(v.p, v.n, &r->src_port))
        return lr_bad(cx, "bad client port (spt=)");
    if (cef_val(p, e, "dst", &v))
        lr_ip(v.p, v.n, &r->dest_ip);
    if (cef_val(p, e, "qtype", &v))
        r->dns.rrtype = v;
    /* msg="rpz QNAME NXDOMAIN rewrite NAME [TYPE] via RULE" */
    if (cef_val(p, e, "msg", &v)) {
        const char *w = lr_find(v.p, v.n, " rewrite ");
        if (w) {
            w += 9;
            const char *we = w;
            while (we < v.p + v.n && *we != ' ')
                we++;
            lr_str name = lr_s(w, (size_t)(we - w));
            if (name.n > 1 && name.p[name.n - 1] == '.')
                name.n--;
            r->dns.rrname = name;
        }
    }
    if (lr_eq(pol, "NXDOMAIN")) {
        r->dns.type = "answer";
        r->dns.rcode = lr_s("NXDOMAIN", 8);
    } else if (lr_eq(pol, "NODATA")) {
        r->dns.type = "answer";
        r->dns.rcode = lr_s("NOERROR", 7);
    } else {
        r->dns.type = "query";
    }
    r->host = l->sys->host;
    lr_time_syslog(cx, r, l);
    return LR_OK;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    if (!named_line(l))
        return LR_SKIP;
    const char *c = cef_of(l->sys->msg, l->sys->msg_len);
    if (c)
        return parse_cef(cx, l, r, c);
    if (&lf_bind == NULL || !lf_bind.parse)
        return LR_SKIP;
    return lf_bind.parse(cx, l, r);
}

const mm_logfmt lf_infoblox = {
    .name = "infoblox",
    .event_type = "dns",
    .what = "Infoblox NIOS DNS: query and response logging, RPZ hits (CEF) over syslog",
    .example = "<30>Apr  7 20:16:49 ns1 named[2588]: 07-Apr-2013 20:16:49.083 client "
               "192.0.2.1#57398 UDP: query: a2.foo.com IN A response: NOERROR +AED "
               "a2.foo.com. 28800 IN A 198.51.100.2;",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
