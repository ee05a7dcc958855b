/*
 * dnsmasq.c - dnsmasq's query log (log-queries) and its DHCP log
 * (program "dnsmasq-dhcp"): two formats, dnsmasq (event_type dns) and
 * dnsmasq_dhcp (event_type dhcp).
 *
 *   Jul 17 14:49:57 gw dnsmasq[15210]: query[A] www.example.com from 10.0.0.33
 *   Jul 17 14:49:57 gw dnsmasq[15210]: forwarded www.example.com to 10.0.0.1
 *   Jul 17 14:49:57 gw dnsmasq[15210]: reply www.example.com is 93.184.216.34
 *   Jul 17 14:49:58 gw dnsmasq-dhcp[15210]: DHCPACK(eth0) 10.0.0.50
 *     00:11:22:33:44:55 laptop
 *
 * DNS (dnsmasq(8) --log-queries; the messages are log_query() in
 * src/cache.c): "SOURCE NAME VERB DEST", with log-queries=extra a serial
 * and the client ("21745 10.0.0.33/59490 query[A] ..."; the same serial on
 * every line of one query) and with log-queries=proto "UDP"/"TCP" in front.
 *   query[TYPE] NAME from CLIENT       a query: a "query" record
 *   reply|cached|cached-stale|config|auth|DHCP|/etc/hosts (any hosts file)
 *     NAME is DEST                     an answer: an "answer" record; DEST
 *                                      is an address (A/AAAA), "<CNAME>" or
 *                                      "<TYPE>" (an RR of that type whose
 *                                      data dnsmasq does not print),
 *                                      NXDOMAIN, NODATA[-IPv4|-IPv6]
 *                                      (NOERROR, no data), SERVFAIL, REFUSED,
 *                                      FORMERR, "not implemented" (NOTIMP);
 *                                      a reverse answer is written "ADDRESS
 *                                      is NAME" (a PTR of the in-addr.arpa /
 *                                      ip6.arpa name). Pi-hole's FTL writes
 *                                      the same shape with its own sources
 *                                      ("gravity blocked NAME is 0.0.0.0").
 *   forwarded, dnssec-query, validation, ipset/nftset add: not records.
 * The answer record: dns.rrname/rrtype are the query's when the serial
 * names a query seen shortly before (log-queries=extra), else the line's
 * name and the type of the last query of that name (else the answer's
 * type, A/AAAA for NODATA-IPv4/-IPv6, none for NXDOMAIN); answers[0] holds
 * the line's name, type and address. src_ip is the client of the extra
 * prefix (or of the query of that serial); without log-queries=extra an
 * answer has no client.
 *
 * DHCP (log_packet() in src/rfc2131.c, log6_packet() in src/rfc3315.c):
 *   [XID ]DHCPTYPE(IFACE) [ADDRESS ][MAC|<null> ][TEXT]
 * TEXT is the host name on DHCPACK (and DHCPv6 REPLY/ADVERTISE), an error
 * otherwise ("no address available", "wrong network"). The XID comes with
 * --log-dhcp, whose other lines ("XID tags: ...", "XID requested options:
 * ...") are not records. DHCPv6 types map to the v4 words (SOLICIT
 * discover, ADVERTISE offer, REQUEST/RENEW/REBIND/CONFIRM request, REPLY
 * ack, INFORMATION-REQUEST inform) and the client's DUID gives client_mac
 * when it is a DUID-LLT or DUID-LL of an Ethernet address. BOOTP, PXE,
 * router advertisements: not records.
 *
 * Headers: the syslog header (program "dnsmasq" / "dnsmasq-dhcp"), the
 * same header in dnsmasq's own --log-facility file, and OpenWrt's logread
 * form "Sat Mar  2 10:00:00 2024 daemon.info dnsmasq[1234]: ..." (read
 * here: the reader does not know it). Each parser hands the other
 * program's lines to the other (such a file can be read as either).
 */
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

/* --- the header --- */

typedef struct dmline {
    lr_str program;
    const char *msg;
    size_t msg_len;
    bool logread;
    int y, mo, d, h, mi, s;
} dmline;

static bool two_digits_at(const char *p, const char *e, int *v)
{
    if (e - p < 2 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return false;
    *v = (p[0] - '0') * 10 + (p[1] - '0');
    return true;
}

/* OpenWrt logread: "Www Mmm dd hh:mm:ss yyyy facility.level prog[pid]: msg" */
static bool logread(const char *p, size_t n, dmline *d)
{
    lr_cur c = lr_cur_of(p, n);
    lr_str w[7];
    for (int i = 0; i < 7; i++)
        if (!lr_word(&c, &w[i]))
            return false;
    int64_t v;
    if (w[0].n != 3 || w[1].n != 3 || !(d->mo = lr_month(w[1].p)) ||
        !lr_num(w[2].p, w[2].n, &v) || v < 1 || v > 31)
        return false;
    d->d = (int)v;
    const char *t = w[3].p, *te = t + w[3].n;
    if (w[3].n != 8 || t[2] != ':' || t[5] != ':' || !two_digits_at(t, te, &d->h) ||
        !two_digits_at(t + 3, te, &d->mi) || !two_digits_at(t + 6, te, &d->s) || d->h > 23 ||
        d->mi > 59 || d->s > 60)
        return false;
    if (w[4].n != 4 || !lr_num(w[4].p, 4, &v))
        return false;
    d->y = (int)v;
    if (!memchr(w[5].p, '.', w[5].n))
        return false;
    /* "prog[pid]:" */
    lr_str g = w[6];
    if (g.n < 2 || g.p[g.n - 1] != ':')
        return false;
    const char *b = memchr(g.p, '[', g.n);
    d->program = lr_s(g.p, (size_t)((b ? b : g.p + g.n - 1) - g.p));
    while (c.p < c.e && *c.p == ' ')
        c.p++;
    d->msg = c.p;
    d->msg_len = (size_t)(c.e - c.p);
    d->logread = true;
    return true;
}

static bool header(const lr_line *l, dmline *d)
{
    memset(d, 0, sizeof *d);
    if (l->sys->ok) {
        d->program = l->sys->program;
        d->msg = l->sys->msg;
        d->msg_len = l->sys->msg_len;
        return true;
    }
    return logread(l->sys->msg, l->sys->msg_len, d);
}

static void set_time(mm_logctx *cx, mm_logrec *r, const lr_line *l, const dmline *d)
{
    if (d->logread)
        lr_set_time(cx, r, d->y, d->mo, d->d, d->h, d->mi, d->s, 0, false, 0);
    else
        lr_time_syslog(cx, r, l);
    r->host = l->sys->host;
}

static bool is_dns_prog(lr_str p)
{
    return lr_eq(p, "dnsmasq") || lr_eq(p, "pihole-FTL");
}

/* --- DNS --- */

#define RING 64
#define NAME_MAX_LEN 256

typedef struct qent {
    bool used, has_serial;
    uint32_t serial;
    uint16_t name_len, type_len;
    char name[NAME_MAX_LEN];
    char type[16];
    mm_ip client;
    int32_t port;
} qent;

typedef struct dnsstate {
    qent q[RING];
    unsigned next;
} dnsstate;

static void free_state(void *s)
{
    free(s);
}

static dnsstate *state_of(mm_logctx *cx)
{
    void **slot = lr_state(cx);
    if (!*slot)
        *slot = calloc(1, sizeof(dnsstate));
    return *slot;
}

/* The words before the record: "[UDP|TCP ]SERIAL[ CLIENT/PORT] " */
typedef struct prefix {
    bool has_serial, has_client;
    uint32_t serial;
    mm_ip client;
    int32_t port;
    const char *proto;
} prefix;

static const char *read_prefix(const char *p, const char *e, prefix *x)
{
    memset(x, 0, sizeof *x);
    x->port = -1;
    lr_cur c = lr_cur_of(p, (size_t)(e - p));
    lr_str w;
    lr_cur c0 = c;
    if (lr_word(&c, &w) && (lr_eq(w, "UDP") || lr_eq(w, "TCP")))
        x->proto = lr_eq(w, "TCP") ? "TCP" : "UDP";
    else
        c = c0;
    c0 = c;
    int64_t v;
    if (!lr_word(&c, &w) || w.n > 10 || !lr_num(w.p, w.n, &v) || v > UINT32_MAX)
        return c0.p;
    x->has_serial = true;
    x->serial = (uint32_t)v;
    c0 = c;
    if (lr_word(&c, &w)) {
        const char *sl = NULL;
        for (uint32_t i = w.n; i > 0; i--)
            if (w.p[i - 1] == '/') {
                sl = w.p + i - 1;
                break;
            }
        if (sl && lr_ip(w.p, (size_t)(sl - w.p), &x->client) &&
            lr_port(sl + 1, (size_t)(w.p + w.n - sl - 1), &x->port)) {
            x->has_client = true;
            return c.p;
        }
    }
    return c0.p;
}

enum dkind { D_NONE, D_QUERY, D_ANSWER, D_OTHER };

/* What the record text at p is; for answers, *is_at is the "is" word. */
static enum dkind dkind_of(const char *p, const char *e, lr_str w[8], int *nw, int *is_at)
{
    lr_cur c = lr_cur_of(p, (size_t)(e - p));
    *nw = 0;
    *is_at = -1;
    while (*nw < 8 && lr_word(&c, &w[*nw]))
        (*nw)++;
    if (*nw == 0)
        return D_NONE;
    if (lr_starts(w[0].p, w[0].n, "query[") && *nw >= 4 && lr_eq(w[2], "from"))
        return D_QUERY;
    if (lr_eq(w[0], "forwarded") || lr_starts(w[0].p, w[0].n, "dnssec-") ||
        lr_eq(w[0], "validation") || lr_eq(w[0], "ipset") || lr_eq(w[0], "nftset") ||
        lr_eq(w[0], "non-query"))
        return D_OTHER;
    /* SOURCE... NAME is DEST: the source is one to three words */
    for (int i = 2; i < *nw && i <= 4; i++)
        if (lr_eq(w[i], "is") && i + 1 < *nw) {
            *is_at = i;
            return D_ANSWER;
        }
    return D_NONE;
}

static bool known_source(const lr_str *w, int n_source)
{
    if (n_source == 1) {
        static const char *const s[] = {"reply", "cached", "cached-stale", "config", "auth",
                                        "DHCP"};
        for (size_t i = 0; i < sizeof s / sizeof *s; i++)
            if (lr_eq(w[0], s[i]))
                return true;
        return w[0].n > 1 && w[0].p[0] == '/';
    }
    /* Pi-hole FTL: "gravity blocked", "regex blacklisted", "exactly denied",
     * "special domain", "Rate-limiting" ... (two or three words) */
    return lr_eq(w[0], "gravity") || lr_eq(w[0], "regex") || lr_eq(w[0], "exactly") ||
           lr_eq(w[0], "special") || lr_eq(w[0], "DHCP") || lr_eq(w[0], "Apple") ||
           lr_eq(w[0], "blacklisted") || lr_eq(w[0], "whitelisted") || lr_eq(w[0], "database");
}

/* A DNS message: its prefix, its first words and what it is. */
typedef struct dmsg {
    prefix x;
    lr_str w[8];
    int nw, is_at;
    enum dkind k;
} dmsg;

static void read_dns(const dmline *d, dmsg *m)
{
    const char *e = d->msg + d->msg_len;
    const char *p = read_prefix(d->msg, e, &m->x);
    m->k = dkind_of(p, e, m->w, &m->nw, &m->is_at);
}

static bool dns_probe(const lr_line *l)
{
    dmline d;
    if (!header(l, &d) || !is_dns_prog(d.program))
        return false;
    dmsg m;
    read_dns(&d, &m);
    if (m.k == D_ANSWER)
        return known_source(m.w, m.is_at - 1);
    return m.k == D_QUERY || (m.k == D_OTHER && !lr_eq(m.w[0], "non-query"));
}

static int dhcp_parse(mm_logctx *cx, const lr_line *l, mm_logrec *r);

/* "1.2.3.4" -> "4.3.2.1.in-addr.arpa"; IPv6 -> nibbles ".ip6.arpa" */
static bool arpa_of(mm_logrec *r, const mm_ip *ip, lr_str *out)
{
    char b[80];
    int n = 0;
    if (ip->v == 4) {
        n = snprintf(b, sizeof b, "%u.%u.%u.%u.in-addr.arpa", ip->b[3], ip->b[2], ip->b[1],
                     ip->b[0]);
    } else {
        static const char hx[] = "0123456789abcdef";
        for (int i = 15; i >= 0; i--) {
            b[n++] = hx[ip->b[i] & 15];
            b[n++] = '.';
            b[n++] = hx[ip->b[i] >> 4];
            b[n++] = '.';
        }
        memcpy(b + n, "ip6.arpa", 8);
        n += 8;
    }
    if (n <= 0 || (size_t)n >= sizeof b)
        return false;
    const char *k = lr_keep(r, b, (size_t)n);
    if (!k)
        return false;
    *out = lr_s(k, (size_t)n);
    return true;
}

static bool ends_with(lr_str s, const char *t)
{
    size_t k = strlen(t);
    return s.n >= k && strncasecmp(s.p + s.n - k, t, k) == 0;
}

static qent *find_serial(dnsstate *st, uint32_t serial)
{
    for (unsigned i = 0; i < RING; i++) {
        qent *q = &st->q[(st->next + RING - 1 - i) % RING];
        if (q->used && q->has_serial && q->serial == serial)
            return q;
    }
    return NULL;
}

static qent *find_name(dnsstate *st, lr_str name)
{
    for (unsigned i = 0; i < RING; i++) {
        qent *q = &st->q[(st->next + RING - 1 - i) % RING];
        if (q->used && q->name_len == name.n && strncasecmp(q->name, name.p, name.n) == 0)
            return q;
    }
    return NULL;
}

static int dns_parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    dmline d;
    if (!header(l, &d))
        return LR_SKIP;
    if (lr_eq(d.program, "dnsmasq-dhcp")) {
        r->event_type = "dhcp";
        return dhcp_parse(cx, l, r);
    }
    if (!is_dns_prog(d.program))
        return LR_SKIP;
    dmsg m;
    read_dns(&d, &m);
    if (m.k != D_QUERY && m.k != D_ANSWER)
        return LR_SKIP;
    dnsstate *st = state_of(cx);
    set_time(cx, r, l, &d);
    r->proto = m.x.proto;
    if (m.x.has_client) {
        r->src_ip = m.x.client;
        r->src_port = m.x.port;
    }
    if (m.k == D_QUERY) {
        /* query[TYPE] NAME from CLIENT */
        lr_str t = lr_s(m.w[0].p + 6, m.w[0].n - 6);
        if (!t.n || t.p[t.n - 1] != ']')
            return lr_bad(cx, "query type not closed");
        t.n--;
        if (lr_starts(t.p, t.n, "type="))
            t = lr_s(t.p + 5, t.n - 5);
        if (!t.n || t.n > 15)
            return lr_bad(cx, "query type '%.*s'", (int)(t.n > 20 ? 20 : t.n), t.p);
        mm_ip ip;
        if (!lr_ip(m.w[3].p, m.w[3].n, &ip))
            return lr_bad(cx, "query from '%.*s'", (int)(m.w[3].n > 60 ? 60 : m.w[3].n), m.w[3].p);
        r->src_ip = ip;
        r->dns.type = "query";
        r->dns.rrname = m.w[1];
        r->dns.rrtype = t;
        if (st && m.w[1].n < NAME_MAX_LEN) {
            qent *q = &st->q[st->next];
            st->next = (st->next + 1) % RING;
            q->used = true;
            q->has_serial = m.x.has_serial;
            q->serial = m.x.serial;
            memcpy(q->name, m.w[1].p, m.w[1].n);
            q->name_len = (uint16_t)m.w[1].n;
            memcpy(q->type, t.p, t.n);
            q->type_len = (uint16_t)t.n;
            q->client = ip;
            q->port = m.x.has_client ? m.x.port : -1;
        }
        return LR_OK;
    }
    /* SOURCE NAME is DEST */
    lr_str name = m.w[m.is_at - 1], dest = m.w[m.is_at + 1];
    qent *q = st && m.x.has_serial ? find_serial(st, m.x.serial) : NULL;
    r->dns.type = "answer";
    lr_str atype = {0}, rdata = {0}, aname = name;
    const char *rcode = "NOERROR";
    mm_ip ip;
    bool has_answer = true;
    if (lr_ip(name.p, name.n, &ip)) {
        /* a reverse answer: "ADDRESS is NAME" */
        if (!arpa_of(r, &ip, &aname))
            return lr_bad(cx, "no room for the reverse name");
        atype = lr_s("PTR", 3);
        rdata = dest;
    } else if (lr_ip(dest.p, dest.n, &ip)) {
        atype = ip.v == 4 ? lr_s("A", 1) : lr_s("AAAA", 4);
        rdata = dest;
    } else if (dest.n >= 3 && dest.p[0] == '<' && dest.p[dest.n - 1] == '>') {
        atype = lr_s(dest.p + 1, dest.n - 2);
        if (lr_starts(atype.p, atype.n, "type="))
            atype = lr_s(atype.p + 5, atype.n - 5);
    } else if (lr_eq(dest, "NXDOMAIN") || lr_starts(dest.p, dest.n, "NODATA") ||
               lr_eq(dest, "SERVFAIL") || lr_eq(dest, "REFUSED") || lr_eq(dest, "FORMERR") ||
               lr_eq(dest, "not")) {
        has_answer = false;
        if (lr_eq(dest, "NXDOMAIN") || lr_eq(dest, "SERVFAIL") || lr_eq(dest, "REFUSED") ||
            lr_eq(dest, "FORMERR"))
            rcode = NULL;
        else if (lr_eq(dest, "not"))
            rcode = "NOTIMP";
        if (lr_eq(dest, "NODATA-IPv4"))
            atype = lr_s("A", 1);
        else if (lr_eq(dest, "NODATA-IPv6"))
            atype = lr_s("AAAA", 4);
    } else if (lr_eq(dest, "duplicate")) {
        return LR_SKIP;
    } else {
        /* a name: a PTR of an arpa name, else of the query's type */
        if (ends_with(name, ".arpa"))
            atype = lr_s("PTR", 3);
        rdata = dest;
    }
    if (rcode)
        r->dns.rcode = lr_s(rcode, strlen(rcode));
    else
        r->dns.rcode = dest;
    if (q) {
        r->dns.rrname = lr_s(q->name, q->name_len);
        r->dns.rrtype = lr_s(q->type, q->type_len);
        if (!m.x.has_client) {
            r->src_ip = q->client;
            r->src_port = q->port;
        }
    } else {
        /* the type of the last query of this name, else the answer's */
        r->dns.rrname = aname;
        r->dns.rrtype = atype;
        qent *qn = st ? find_name(st, aname) : NULL;
        if (qn)
            r->dns.rrtype = lr_s(qn->type, qn->type_len);
    }
    if (has_answer) {
        if (!atype.n && q && q->name_len == name.n && strncasecmp(q->name, name.p, name.n) == 0)
            atype = lr_s(q->type, q->type_len);
        lr_answer *a = &r->dns.answers[r->dns.n_answers++];
        a->rrname = aname;
        a->rrtype = atype;
        a->ttl = -1;
        a->rdata = rdata;
    }
    return LR_OK;
}

/* --- DHCP --- */

static const char *dhcp_type_of(lr_str t, bool *v6)
{
    static const struct {
        const char *w, *type;
        bool v6;
    } m[] = {
        {"DISCOVER", "discover", false}, {"OFFER", "offer", false},
        {"REQUEST", "request", false},   {"ACK", "ack", false},
        {"NAK", "nak", false},           {"RELEASE", "release", false},
        {"DECLINE", "decline", false},   {"INFORM", "inform", false},
        {"SOLICIT", "discover", true},   {"ADVERTISE", "offer", true},
        {"RENEW", "request", true},      {"REBIND", "request", true},
        {"CONFIRM", "request", true},    {"REPLY", "ack", true},
        {"INFORMATION-REQUEST", "inform", true},
    };
    for (size_t i = 0; i < sizeof m / sizeof *m; i++)
        if (lr_eq(t, m[i].w)) {
            *v6 = m[i].v6;
            return m[i].type;
        }
    return NULL;
}

/* "TYPE(IFACE)" with TYPE after "DHCP" */
static bool dhcp_word(lr_str w, lr_str *type)
{
    if (w.n < 7 || memcmp(w.p, "DHCP", 4) != 0 || w.p[w.n - 1] != ')')
        return false;
    const char *o = memchr(w.p, '(', w.n);
    if (!o)
        return false;
    *type = lr_s(w.p + 4, (size_t)(o - w.p - 4));
    return true;
}

static bool hexcolons(lr_str w)
{
    if (w.n < 2)
        return false;
    for (uint32_t i = 0; i < w.n; i++) {
        char c = w.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == ':'))
            return false;
    }
    return true;
}

/* A MAC from a DHCPv6 DUID "00:01:00:01:tt:tt:tt:tt:MAC" (LLT) or
 * "00:03:00:01:MAC" (LL) of hardware type 1 (Ethernet). */
static bool mac_of_duid(mm_logrec *r, lr_str w, lr_str *out)
{
    if (w.n == 14 * 3 - 1 && lr_starts(w.p, w.n, "00:01:00:01:"))
        return lr_mac(r, w.p + w.n - 17, 17, out);
    if (w.n == 10 * 3 - 1 && lr_starts(w.p, w.n, "00:03:00:01:"))
        return lr_mac(r, w.p + w.n - 17, 17, out);
    return false;
}

static bool dhcp_shape(const char *p, const char *e, lr_str *type, lr_cur *after)
{
    lr_cur c = lr_cur_of(p, (size_t)(e - p));
    lr_str w;
    if (!lr_word(&c, &w))
        return false;
    int64_t xid;
    if (w.n <= 10 && lr_num(w.p, w.n, &xid) && !lr_word(&c, &w))
        return false;
    if (!dhcp_word(w, type))
        return false;
    *after = c;
    return true;
}

static bool dhcp_probe(const lr_line *l)
{
    dmline d;
    lr_str t;
    lr_cur c;
    bool v6;
    return header(l, &d) && lr_eq(d.program, "dnsmasq-dhcp") &&
           dhcp_shape(d.msg, d.msg + d.msg_len, &t, &c) && dhcp_type_of(t, &v6);
}

static int dhcp_parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    dmline d;
    if (!header(l, &d))
        return LR_SKIP;
    if (is_dns_prog(d.program)) {
        r->event_type = "dns";
        return dns_parse(cx, l, r);
    }
    if (!lr_eq(d.program, "dnsmasq-dhcp"))
        return LR_SKIP;
    lr_str t;
    lr_cur c;
    if (!dhcp_shape(d.msg, d.msg + d.msg_len, &t, &c))
        return LR_SKIP;
    bool v6 = false;
    const char *type = dhcp_type_of(t, &v6);
    if (!type)
        return LR_SKIP;
    r->dhcp.dhcp_type = type;
    set_time(cx, r, l, &d);
    lr_str w;
    lr_cur c0 = c;
    bool have = lr_word(&c, &w);
    /* the address: IPv4 for DHCPv4, IPv6 for DHCPv6 (a DUID also has
     * colons: it is no address) */
    if (have && !lr_starts(w.p, w.n, "00:") && lr_ip(w.p, w.n, &r->dhcp.assigned_ip)) {
        c0 = c;
        have = lr_word(&c, &w);
    } else if (have && !hexcolons(w) && memchr(w.p, '.', w.n) && w.n <= 15 &&
               (w.p[0] >= '0' && w.p[0] <= '9')) {
        return lr_bad(cx, "address '%.*s'", (int)w.n, w.p);
    }
    /* the MAC (v4) or DUID (v6), "<null>" when none */
    if (have && (lr_eq(w, "<null>") || hexcolons(w))) {
        if (!lr_eq(w, "<null>")) {
            bool ok = (w.n == 17 || v6) &&
                      (v6 ? mac_of_duid(r, w, &r->dhcp.client_mac)
                          : lr_mac(r, w.p, w.n, &r->dhcp.client_mac));
            if (!ok && !v6 && w.n == 17)
                return lr_bad(cx, "MAC '%.*s'", (int)w.n, w.p);
        }
        c0 = c;
        have = lr_word(&c, &w);
    }
    /* the rest: a host name on ACK/REPLY/ADVERTISE (one word), else a reason */
    const char *rest = c0.p;
    while (rest < c0.e && *rest == ' ')
        rest++;
    bool named = strcmp(type, "ack") == 0 || (v6 && strcmp(type, "offer") == 0);
    if (have && named && !lr_word(&c, &w)) {
        lr_cur rc = lr_cur_of(rest, (size_t)(c0.e - rest));
        lr_str h;
        if (lr_word(&rc, &h))
            r->dhcp.hostname = h;
    }
    if (strcmp(type, "ack") == 0 && !r->dhcp.assigned_ip.v)
        return lr_bad(cx, "DHCPACK without an address");
    return LR_OK;
}

const mm_logfmt lf_dnsmasq = {
    .name = "dnsmasq",
    .event_type = "dns",
    .what = "dnsmasq --log-queries (query, reply, cached, config lines; Pi-hole's too)",
    .example = "Jul 17 14:49:57 gw dnsmasq[15210]: 21745 10.10.10.33/59490 reply "
               "server.example.com is 192.0.2.10",
    .syslog = true,
    .probe = dns_probe,
    .parse = dns_parse,
    .free_state = free_state,
};

const mm_logfmt lf_dnsmasq_dhcp = {
    .name = "dnsmasq_dhcp",
    .event_type = "dhcp",
    .what = "dnsmasq's DHCP log (dnsmasq-dhcp: DHCPACK, DHCPREQUEST, DHCPRELEASE ...)",
    .example = "Jul 17 14:49:58 gw dnsmasq-dhcp[15210]: DHCPACK(eth0) 192.168.1.50 "
               "00:11:22:33:44:55 laptop",
    .syslog = true,
    .probe = dhcp_probe,
    .parse = dhcp_parse,
    .free_state = free_state,   /* holds the DNS state when it parses DNS lines */
};
