/*
 * bind.c - BIND 9 (named) client logging: the query log, denied queries,
 * zone transfers refused, query errors, response logging and RPZ rewrites.
 *
 *   19-Oct-2022 05:34:02.425 queries: info: client @0x7f65100ee4d8
 *     192.0.2.1#53000 (example.com): view internal: query: example.com IN A
 *     +E(0)K (192.0.2.53)
 *   Jul 24 14:16:55 ns named[3935]: client 192.0.2.1#4795: query (cache)
 *     'example.com/NS/IN' denied
 *
 * Every client message is written by ns_client_logv() (lib/ns/client.c) as
 * "client @0xPTR ADDR#PORT[/key SIGNER][ (QNAME)][: view VIEW]: MESSAGE"; the
 * "@0x" pointer came with 9.11, the "(QNAME)" with 9.9, older servers write
 * "client ADDR#PORT: MESSAGE". In front of "client" a file channel writes
 * print-time ("19-Oct-2022 05:34:02.425", or "Feb 25 11:09:43.651" before
 * 9.3), print-category ("queries:") and print-severity ("info:"); a syslog
 * channel writes the syslog header with program "named" (BIND ARM, "The
 * logging Statement"). The messages read, with what they record:
 *
 *   query: NAME CLASS TYPE FLAGS (DEST)[ [ECS ...]]    log_query() in
 *       lib/ns/query.c: a query; FLAGS "+" recursion wanted, "-" not,
 *       E(n) EDNS, S signed, T TCP, D DO, C CD, V/K cookie; DEST the
 *       server's address ("addr" or, in 9.21, "addr#port").
 *   response: NAME CLASS TYPE RCODE AN AU AD FLAGS (DEST)   9.21's
 *       "responses" category (log_response()): the answer's rcode.
 *   query (cache) 'NAME/TYPE/CLASS' denied, query 'NAME/TYPE/CLASS' denied
 *       (category security): a query refused: rcode REFUSED.
 *   zone transfer 'NAME/AXFR/CLASS' denied: an AXFR/IXFR refused: REFUSED.
 *   bad zone transfer request: 'NAME/CLASS': ... (NOTAUTH): the rcode in
 *       the last parentheses.
 *   query failed (RESULT) for NAME/CLASS/TYPE at FILE:LINE (query-errors):
 *       RESULT when it is an rcode name, else SERVFAIL (what a client gets
 *       when its query fails).
 *   rpz TYPE POLICY rewrite NAME/TYPE/CLASS via RULE (category rpz): the
 *       policy NXDOMAIN gives rcode NXDOMAIN, NODATA gives NOERROR.
 *   [UDP|TCP:] query: NAME CLASS TYPE response: RCODE FLAGS RR; RR; ...
 *       Infoblox NIOS's response logging (its named is BIND 9): the answer
 *       with each RR "NAME TTL CLASS TYPE RDATA" (see infoblox.c).
 *
 * A query is a record of type "query"; a message that says how the server
 * answered is of type "answer" with the rcode. src_ip/src_port are the
 * client, dest_ip the server address of "(DEST)", proto TCP when FLAGS has
 * T ("UDP" otherwise; Infoblox writes the transport). Names are written
 * without a trailing dot, as EVE writes them. Other named lines (zone
 * loading, notify, transfers, resolver errors) are skipped.
 *
 * The time is BIND's own (print-time) when the line has one, else the
 * syslog header's.
 *
 * Infoblox: infoblox.c takes the lines only Infoblox writes (its response
 * logging, its CEF RPZ hits) and gives every other named line to this
 * parser, so a NIOS query-log line read as "bind" or as "infoblox" gives
 * the same record. bind's probe leaves Infoblox's response lines to
 * infoblox.
 */
#include <string.h>

#include "logs/logs.h"

#define MAX_PREFIX_WORDS 10

/* --- small readers --- */

static bool digits(const char *p, size_t n, int *v)
{
    int64_t x;
    if (!lr_num(p, n, &x) || x > 1000000)
        return false;
    *v = (int)x;
    return true;
}

/* "19-Oct-2022" */
static bool bind_date(lr_str w, int *y, int *mo, int *d)
{
    if (w.n != 11 || w.p[2] != '-' || w.p[6] != '-')
        return false;
    *mo = lr_month(w.p + 3);
    return *mo && digits(w.p, 2, d) && digits(w.p + 7, 4, y) && *d >= 1 && *d <= 31;
}

/* "05:34:02.425" (the fraction optional) */
static bool bind_clock(lr_str w, int *h, int *mi, int *s, int32_t *us)
{
    if (w.n < 8 || w.p[2] != ':' || w.p[5] != ':' || !digits(w.p, 2, h) ||
        !digits(w.p + 3, 2, mi) || !digits(w.p + 6, 2, s) || *h > 23 || *mi > 59 || *s > 60)
        return false;
    *us = 0;
    if (w.n > 8) {
        if (w.p[8] != '.')
            return false;
        int32_t f = 0;
        size_t k = 0;
        for (size_t i = 9; i < w.n; i++) {
            if (w.p[i] < '0' || w.p[i] > '9')
                return false;
            if (k < 6) {
                f = f * 10 + (w.p[i] - '0');
                k++;
            }
        }
        while (k++ < 6)
            f *= 10;
        *us = f;
    }
    return true;
}

static lr_str strip_dot(lr_str s)
{
    if (s.n > 1 && s.p[s.n - 1] == '.')
        s.n--;
    return s;
}

static bool is_class(lr_str w)
{
    static const char *const c[] = {"IN", "CH", "CHAOS", "HS", "HESIOD", "NONE", "ANY"};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++)
        if (lr_eq(w, c[i]))
            return true;
    return w.n > 5 && w.n < 12 && memcmp(w.p, "CLASS", 5) == 0;
}

/* A type mnemonic as BIND and Infoblox write it: "A", "AAAA", "TYPE65". */
static bool is_type(lr_str w)
{
    if (w.n == 0 || w.n > 16)
        return false;
    for (uint32_t i = 0; i < w.n; i++) {
        char c = w.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return w.p[0] >= 'A' && w.p[0] <= 'Z';
}

static bool is_rcode(lr_str w)
{
    static const char *const c[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
                                    "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
                                    "NOTZONE", "BADVERS", "BADCOOKIE"};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++)
        if (lr_eq(w, c[i]))
            return true;
    return false;
}

/* "ADDR#PORT" (a trailing ':' or "/key" allowed): the client. */
static bool peer_of(lr_str w, mm_ip *ip, int32_t *port, bool *keyed)
{
    *keyed = false;
    size_t n = w.n;
    if (n > 4 && memcmp(w.p + n - 4, "/key", 4) == 0) {
        *keyed = true;
        n -= 4;
    }
    while (n && w.p[n - 1] == ':')
        n--;
    const char *h = NULL;
    for (size_t i = n; i > 0; i--)
        if (w.p[i - 1] == '#') {
            h = w.p + i - 1;
            break;
        }
    if (!h)
        return lr_ip(w.p, n, ip);
    size_t an = (size_t)(h - w.p);
    return lr_ip(w.p, an, ip) && lr_port(h + 1, n - an - 1, port);
}

/* The cursor's next word (lr_word). */
static bool next(lr_cur *c, lr_str *w)
{
    return lr_word(c, w);
}

/* --- the client part --- */

typedef struct bline {
    bool has_date, has_clock;
    int y, mo, d, h, mi, s;
    int32_t us;
    lr_str peer;          /* the peer word */
    const char *rest, *end;   /* the message after "...: " */
    lr_str proto;         /* Infoblox's "UDP"/"TCP" */
} bline;

/* Finds "client" among the first words and splits the client part off.
 * False when the line is not a client message. */
static bool split_client(const char *m, size_t n, bline *b)
{
    memset(b, 0, sizeof *b);
    lr_cur c = lr_cur_of(m, n);
    lr_str w;
    bool found = false;
    for (int i = 0; i < MAX_PREFIX_WORDS && next(&c, &w); i++) {
        if (lr_eq(w, "client")) {
            found = true;
            break;
        }
        if (!b->has_date && bind_date(w, &b->y, &b->mo, &b->d)) {
            b->has_date = true;
            lr_cur c2 = c;
            lr_str t;
            if (next(&c2, &t) && bind_clock(t, &b->h, &b->mi, &b->s, &b->us)) {
                b->has_clock = true;
                c = c2;
            }
        }
    }
    if (!found || !next(&c, &w))
        return false;
    if (w.n > 3 && memcmp(w.p, "@0x", 3) == 0 && !next(&c, &w))
        return false;
    b->peer = w;
    bool colon = w.n && w.p[w.n - 1] == ':';
    if (w.n > 4 && memcmp(w.p + w.n - 4, "/key", 4) == 0) {
        /* "/key SIGNER" */
        if (!next(&c, &w))
            return false;
        colon = w.n && w.p[w.n - 1] == ':';
    }
    lr_cur save = c;
    if (!colon && next(&c, &w)) {
        /* "(QNAME):" */
        if (w.n >= 2 && w.p[0] == '(' &&
            (w.p[w.n - 1] == ')' || (w.n >= 3 && w.p[w.n - 1] == ':' && w.p[w.n - 2] == ')')))
            save = c;
        else
            c = save;
    }
    /* ": view NAME:" */
    lr_cur c2 = c;
    if (next(&c2, &w) && lr_eq(w, "view")) {
        for (int i = 0; i < 4 && next(&c2, &w); i++)
            if (w.n && w.p[w.n - 1] == ':') {
                c = c2;
                break;
            }
    }
    /* Infoblox: "UDP: query: ..." */
    c2 = c;
    if (next(&c2, &w) && (lr_eq(w, "UDP:") || lr_eq(w, "TCP:"))) {
        b->proto = lr_s(w.p, 3);
        c = c2;
    }
    while (c.p < c.e && (*c.p == ' ' || *c.p == '\t'))
        c.p++;
    b->rest = c.p;
    b->end = c.e;
    return true;
}

enum kind {
    K_NONE,
    K_QUERY,        /* query: */
    K_IBRESP,       /* query: ... response: (Infoblox) */
    K_RESPONSE,     /* response: (9.21) */
    K_DENIED,       /* query [(cache)] '...' denied */
    K_XFR_DENIED,   /* zone transfer '...' denied */
    K_XFR_BAD,      /* bad zone transfer request: */
    K_FAILED,       /* query failed (...) */
    K_RPZ,          /* rpz ... rewrite */
};

static enum kind kind_of(const char *p, const char *e)
{
    size_t n = (size_t)(e - p);
    if (lr_starts(p, n, "query: "))
        return lr_find(p, n, " response: ") ? K_IBRESP : K_QUERY;
    if (lr_starts(p, n, "response: "))
        return K_RESPONSE;
    if (lr_starts(p, n, "query failed ("))
        return K_FAILED;
    if (lr_starts(p, n, "query (cache) ") || lr_starts(p, n, "query '") ||
        lr_eq(lr_s(p, n), "query (cache)"))
        return K_DENIED;
    if (lr_starts(p, n, "zone transfer '"))
        return K_XFR_DENIED;
    if (lr_starts(p, n, "bad zone transfer request: "))
        return K_XFR_BAD;
    if (lr_starts(p, n, "rpz ") && lr_find(p, n, " rewrite "))
        return K_RPZ;
    return K_NONE;
}

/* The program is named, or the line has no syslog program (a file
 * channel), or the "program" is a BIND category of a file channel whose
 * time the syslog reader took for a header ("Feb 25 11:09:43.651 queries:"). */
static bool named_line(const lr_line *l)
{
    const lr_syslog *s = l->sys;
    if (!s->ok || s->program.n == 0)
        return true;
    static const char *const ok[] = {"named",   "named-pkcs11", "queries", "security",
                                     "query-errors", "client", "rpz", "responses",
                                     "default", "general", "update-security", "xfer-out"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (lr_eq(s->program, ok[i]))
            return true;
    return false;
}

static bool probe(const lr_line *l)
{
    if (!named_line(l))
        return false;
    bline b;
    if (!split_client(l->sys->msg, l->sys->msg_len, &b))
        return false;
    enum kind k = kind_of(b.rest, b.end);
    /* Infoblox's response logging is infoblox's (infoblox.c) */
    return k != K_NONE && k != K_IBRESP && !b.proto.n;
}

/* 'NAME/A/B' at p: the quoted text, split at its last two slashes (or the
 * last one when only two parts are wanted). */
static bool triple(const char *p, const char *e, int parts, lr_str out[3], const char **after)
{
    if (p >= e || *p != '\'')
        return false;
    const char *q = memchr(p + 1, '\'', (size_t)(e - p - 1));
    if (!q)
        return false;
    const char *s = p + 1;
    const char *sl[2] = {NULL, NULL};
    int k = 0;
    for (const char *x = q; x > s && k < parts - 1; x--)
        if (x[-1] == '/')
            sl[k++] = x - 1;
    if (k != parts - 1)
        return false;
    if (parts == 3) {
        out[0] = lr_s(s, (size_t)(sl[1] - s));
        out[1] = lr_s(sl[1] + 1, (size_t)(sl[0] - sl[1] - 1));
        out[2] = lr_s(sl[0] + 1, (size_t)(q - sl[0] - 1));
    } else {
        out[0] = lr_s(s, (size_t)(sl[0] - s));
        out[1] = lr_s(sl[0] + 1, (size_t)(q - sl[0] - 1));
    }
    *after = q + 1;
    return true;
}

static void set_rrname(mm_logrec *r, lr_str name)
{
    r->dns.rrname = strip_dot(name);
}

/* "(addr)" or "(addr#port)": the server. */
static void dest_of(mm_logrec *r, lr_str w)
{
    if (w.n < 3 || w.p[0] != '(' || w.p[w.n - 1] != ')')
        return;
    lr_str in = lr_s(w.p + 1, w.n - 2);
    mm_ip ip;
    int32_t port = -1;
    bool keyed;
    if (peer_of(in, &ip, &port, &keyed)) {
        r->dest_ip = ip;
        r->dest_port = port;
    }
}

/* Normalised rdata of an Infoblox RR: names without the trailing dot, an
 * MX's exchange only (as EVE writes them). */
static lr_str rdata_of(lr_str type, lr_str rd)
{
    if (lr_eq(type, "MX")) {
        const char *sp = NULL;
        for (uint32_t i = rd.n; i > 0; i--)
            if (rd.p[i - 1] == ' ') {
                sp = rd.p + i;
                break;
            }
        if (sp)
            rd = lr_s(sp, (size_t)(rd.p + rd.n - sp));
        return strip_dot(rd);
    }
    if (lr_eq(type, "CNAME") || lr_eq(type, "PTR") || lr_eq(type, "NS") ||
        lr_eq(type, "DNAME"))
        return strip_dot(rd);
    return rd;
}

static void add_answer(mm_logrec *r, lr_str name, int64_t ttl, lr_str type, lr_str rd)
{
    if (r->dns.n_answers >= LR_MAX_ANSWERS)
        return;
    lr_answer *a = &r->dns.answers[r->dns.n_answers++];
    a->rrname = strip_dot(name);
    a->rrtype = type;
    a->ttl = ttl;
    a->rdata = rd;
}

/* "NAME TTL CLASS TYPE RDATA; NAME TTL ..." (Infoblox's answer section;
 * RDATA may hold quoted strings with ';' in them). A TXT record's strings
 * are one answer each, as EVE writes them. */
static void parse_rrs(mm_logrec *r, const char *p, const char *e)
{
    for (int guard = 0; p < e && guard < 256 && r->dns.n_answers < LR_MAX_ANSWERS; guard++) {
        lr_cur c = lr_cur_of(p, (size_t)(e - p));
        lr_str name, ttlw, cls, type;
        int64_t ttl;
        if (!next(&c, &name) || !next(&c, &ttlw) || !lr_num(ttlw.p, ttlw.n, &ttl) ||
            !next(&c, &cls))
            return;
        if (is_class(cls)) {
            if (!next(&c, &type))
                return;
        } else {
            type = cls;
        }
        if (type.n && type.p[type.n - 1] == ';')
            type.n--;
        const char *s = c.p;
        while (s < e && *s == ' ')
            s++;
        /* the RR ends at a ';' outside quotes */
        const char *q = s;
        bool quoted = false;
        while (q < e) {
            if (*q == '\\' && q + 1 < e) {
                q += 2;
                continue;
            }
            if (*q == '"')
                quoted = !quoted;
            else if (*q == ';' && !quoted)
                break;
            q++;
        }
        const char *re = q > e ? e : q;
        while (re > s && re[-1] == ' ')
            re--;
        lr_str rd = lr_s(s, (size_t)(re - s));
        if (rd.n && rd.p[0] == '"') {
            /* one answer per quoted string */
            const char *x = rd.p, *xe = rd.p + rd.n;
            while (x < xe && r->dns.n_answers < LR_MAX_ANSWERS) {
                while (x < xe && *x != '"')
                    x++;
                if (x >= xe)
                    break;
                const char *st = ++x;
                while (x < xe && *x != '"') {
                    if (*x == '\\' && x + 1 < xe)
                        x++;
                    x++;
                }
                add_answer(r, name, ttl, type, lr_s(st, (size_t)((x < xe ? x : xe) - st)));
                if (x < xe)
                    x++;
            }
        } else {
            add_answer(r, name, ttl, type, rdata_of(type, rd));
        }
        p = q < e ? q + 1 : e;
    }
}

/* The proto from BIND's query flags: T is TCP. */
static const char *proto_of_flags(lr_str f)
{
    for (uint32_t i = 0; i < f.n; i++) {
        if (f.p[i] == '(') {
            while (i < f.n && f.p[i] != ')')
                i++;
            continue;
        }
        if (f.p[i] == 'T')
            return "TCP";
    }
    return "UDP";
}

static int parse_query(mm_logctx *cx, mm_logrec *r, const char *p, const char *e)
{
    lr_cur c = lr_cur_of(p, (size_t)(e - p));
    lr_str w, name, type;
    next(&c, &w); /* "query:" */
    if (!next(&c, &name))
        return lr_bad(cx, "query without a name");
    if (!next(&c, &w))
        return lr_bad(cx, "query without a type");
    if (is_class(w) && !lr_eq(w, "ANY")) {
        if (!next(&c, &type))
            return lr_bad(cx, "query without a type");
    } else if (lr_eq(w, "ANY")) {
        /* "NAME ANY TYPE" (class ANY) or the pre-9.3 "NAME ANY" (type ANY) */
        lr_cur c2 = c;
        if (next(&c2, &type) && is_type(type) && !lr_eq(type, "response:")) {
            c = c2;
        } else {
            type = w;
        }
    } else {
        type = w;
    }
    if (!is_type(type))
        return lr_bad(cx, "query type '%.*s'", (int)(type.n > 20 ? 20 : type.n), type.p);
    set_rrname(r, name);
    r->dns.rrtype = type;
    r->dns.type = "query";
    while (next(&c, &w)) {
        if (w.n && (w.p[0] == '+' || w.p[0] == '-') && !r->proto) {
            r->proto = proto_of_flags(w);
        } else if (w.n && w.p[0] == '(') {
            dest_of(r, w);
        } else if (lr_eq(w, "response:")) {
            lr_str rc;
            if (!next(&c, &rc))
                return lr_bad(cx, "response without an rcode");
            r->dns.type = "answer";
            r->dns.rcode = rc;
            lr_cur c2 = c;
            if (next(&c2, &w) && w.n && (w.p[0] == '+' || w.p[0] == '-'))
                c = c2;
            parse_rrs(r, c.p, c.e);
            break;
        }
    }
    return LR_OK;
}

/* 9.21: "response: NAME CLASS TYPE RCODE AN AU AD FLAGS (DEST)" */
static int parse_response(mm_logctx *cx, mm_logrec *r, const char *p, const char *e)
{
    lr_cur c = lr_cur_of(p, (size_t)(e - p));
    lr_str w, name, cls, type, rc;
    next(&c, &w);
    if (!next(&c, &name) || !next(&c, &cls) || !next(&c, &type) || !next(&c, &rc) ||
        !is_type(type))
        return lr_bad(cx, "response line cut short");
    set_rrname(r, name);
    r->dns.rrtype = type;
    r->dns.rcode = rc;
    r->dns.type = "answer";
    while (next(&c, &w)) {
        if (w.n && (w.p[0] == '+' || w.p[0] == '-'))
            r->proto = proto_of_flags(w);
        else if (w.n && w.p[0] == '(')
            dest_of(r, w);
    }
    return LR_OK;
}

/* The last two '/' of p..e ("NAME/CLASS/TYPE"): *s1 the one before *s2;
 * false when there are fewer than two. */
static bool last_slashes(const char *p, const char *e, const char **s1, const char **s2)
{
    *s1 = *s2 = NULL;
    for (const char *y = e; y > p; y--)
        if (y[-1] == '/') {
            if (!*s2) {
                *s2 = y - 1;
            } else {
                *s1 = y - 1;
                break;
            }
        }
    return *s1 && *s2;
}

static int parse_body(mm_logctx *cx, mm_logrec *r, enum kind k, const char *p, const char *e)
{
    lr_str t[3];
    const char *after;
    switch (k) {
    case K_QUERY:
    case K_IBRESP:
        return parse_query(cx, r, p, e);
    case K_RESPONSE:
        return parse_response(cx, r, p, e);
    case K_DENIED: {
        /* query (cache) 'NAME/TYPE/CLASS' denied[ (reason)] */
        const char *q = p + 5;
        while (q < e && *q == ' ')
            q++;
        if (lr_starts(q, (size_t)(e - q), "(cache)"))
            q += 7;
        while (q < e && *q == ' ')
            q++;
        r->dns.type = "query";
        if (q < e && *q == '\'') {
            if (!triple(q, e, 3, t, &after))
                return lr_bad(cx, "denied query without 'name/type/class'");
            set_rrname(r, t[0]);
            r->dns.rrtype = t[1];
            q = after;
            while (q < e && *q == ' ')
                q++;
        }
        /* the wording after the name: "denied", or "approved" (debug) */
        if (!lr_starts(q, (size_t)(e - q), "denied"))
            return q >= e ? lr_bad(cx, "query (cache) line cut short") : LR_SKIP;
        r->dns.rcode = lr_s("REFUSED", 7);
        return LR_OK;
    }
    case K_XFR_DENIED:
        if (!triple(p + 14, e, 3, t, &after))
            return lr_bad(cx, "zone transfer without 'zone/type/class'");
        if (!lr_starts(after, (size_t)(e - after), " denied"))
            return LR_SKIP;
        r->dns.type = "query";
        set_rrname(r, t[0]);
        r->dns.rrtype = t[1];
        r->dns.rcode = lr_s("REFUSED", 7);
        return LR_OK;
    case K_XFR_BAD: {
        if (!triple(p + 27, e, 2, t, &after))
            return lr_bad(cx, "zone transfer request without 'zone/class'");
        r->dns.type = "query";
        set_rrname(r, t[0]);
        /* the rcode in the last parentheses: "... (NOTAUTH)" */
        const char *x = e;
        while (x > after && x[-1] == ' ')
            x--;
        if (x > after && x[-1] == ')') {
            const char *o = x - 1;
            while (o > after && o[-1] != '(')
                o--;
            lr_str rc = lr_s(o, (size_t)(x - 1 - o));
            if (o > after && is_rcode(rc))
                r->dns.rcode = rc;
        }
        return LR_OK;
    }
    case K_FAILED: {
        /* query failed (RESULT)[ for NAME/CLASS/TYPE] at FILE:LINE */
        const char *o = p + 14, *x = memchr(o, ')', (size_t)(e - o));
        if (!x)
            return lr_bad(cx, "query failed without a result");
        lr_str res = lr_s(o, (size_t)(x - o));
        r->dns.type = "query";
        r->dns.rcode = is_rcode(res) ? res : lr_s("SERVFAIL", 8);
        const char *f = lr_find(x, (size_t)(e - x), " for ");
        if (f) {
            f += 5;
            const char *fe = f;
            while (fe < e && *fe != ' ')
                fe++;
            /* NAME/CLASS/TYPE: split at the last two slashes */
            const char *s1, *s2;
            if (last_slashes(f, fe, &s1, &s2)) {
                set_rrname(r, lr_s(f, (size_t)(s1 - f)));
                r->dns.rrtype = lr_s(s2 + 1, (size_t)(fe - s2 - 1));
            }
        }
        return LR_OK;
    }
    case K_RPZ: {
        /* rpz QNAME NXDOMAIN rewrite NAME/TYPE/CLASS via RULE */
        lr_cur c = lr_cur_of(p, (size_t)(e - p));
        lr_str w, pol = {0}, tr;
        next(&c, &w);
        if (!next(&c, &w) || !next(&c, &pol) || !next(&c, &w))
            return lr_bad(cx, "rpz line cut short");
        if (!lr_eq(w, "rewrite"))
            return LR_SKIP;   /* "rpz QNAME rewrite ... failed: ..." */
        if (!next(&c, &tr))
            return lr_bad(cx, "rpz rewrite without a name");
        const char *s1, *s2;
        if (last_slashes(tr.p, tr.p + tr.n, &s1, &s2)) {
            set_rrname(r, lr_s(tr.p, (size_t)(s1 - tr.p)));
            r->dns.rrtype = lr_s(s1 + 1, (size_t)(s2 - s1 - 1));
        } else {
            set_rrname(r, tr);
        }
        if (lr_eq(pol, "NXDOMAIN")) {
            r->dns.rcode = lr_s("NXDOMAIN", 8);
            r->dns.type = "answer";
        } else if (lr_eq(pol, "NODATA")) {
            r->dns.rcode = lr_s("NOERROR", 7);
            r->dns.type = "answer";
        } else {
            r->dns.type = "query";
        }
        return LR_OK;
    }
    default:
        return LR_SKIP;
    }
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    bline b;
    if (!named_line(l) || !split_client(l->sys->msg, l->sys->msg_len, &b))
        return LR_SKIP;
    enum kind k = kind_of(b.rest, b.end);
    if (k == K_NONE)
        return LR_SKIP;
    mm_ip ip;
    int32_t port = -1;
    bool keyed;
    if (!peer_of(b.peer, &ip, &port, &keyed))
        return lr_bad(cx, "client address '%.*s'", (int)(b.peer.n > 60 ? 60 : b.peer.n),
                      b.peer.p);
    r->src_ip = ip;
    r->src_port = port;
    r->host = l->sys->host;
    if (b.has_date && b.has_clock)
        lr_set_time(cx, r, b.y, b.mo, b.d, b.h, b.mi, b.s, b.us, false, 0);
    else
        lr_time_syslog(cx, r, l);
    int rc = parse_body(cx, r, k, b.rest, b.end);
    if (rc == LR_OK && b.proto.n)
        r->proto = lr_eq(b.proto, "TCP") ? "TCP" : "UDP";
    return rc;
}

const mm_logfmt lf_bind = {
    .name = "bind",
    .event_type = "dns",
    .what = "BIND 9 named query log and denied queries (file channel or syslog)",
    .example = "19-Oct-2022 05:34:02.425 queries: info: client @0x7f65100ee4d8 "
               "192.0.2.1#53000 (example.com): query: example.com IN A +E(0)K (192.0.2.53)",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
