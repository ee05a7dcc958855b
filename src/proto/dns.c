/*
 * dns.c - DNS over UDP and TCP.
 *
 * Each message becomes one EVE dns event in Suricata's version 2 layout:
 * queries as type "query" (one event per question), responses as type
 * "answer" with the detailed answers[] and the grouped{} view, both written
 * client to server (the flow's way, as Suricata 7 logs DNS). As in Suricata
 * 7 every message is a transaction of its own (a query's dns.tx_id counts
 * the flow's messages); a response is paired with its query by message id
 * only for config rules. Names are decoded with compression pointers; a
 * pointer may only go backwards and a name takes at most 4096 labels or
 * jumps, so a crafted loop ends. Over TCP, messages are framed by a 2-byte
 * length and gathered in a per-direction buffer of at most 64 KiB.
 */
#include "proto/app.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PENDING 32
#define MAX_QUESTIONS 16
#define MAX_ANSWERS 64

typedef struct dns_state {
    uint16_t pending_id[MAX_PENDING];
    uint64_t pending_tx[MAX_PENDING];
    uint8_t npending;
    uint64_t next_tx;
    uint64_t next_msg;                  /* messages so far: the logged tx_id */
    uint64_t nolog_tx[MAX_PENDING];     /* transactions a config rule keeps out of the log */
    uint8_t nnolog;
    /* TCP framing */
    uint8_t *buf[2];
    uint32_t len[2];
} dns_state;

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Decode the name at *off into out (dotted, no final dot; "" for the root).
 * Advances *off past the name in the message. A name longer than out (or
 * than the 255 bytes DNS allows) is cut, but its end is still found, so the
 * rest of the message can be read. False when malformed. */
static bool name(const uint8_t *m, uint32_t n, uint32_t *off, char *out, size_t outn)
{
    uint32_t p = *off, after = 0;
    size_t k = 0;
    bool jumped = false;
    for (int steps = 0; steps < 4096; steps++) {   /* the bound ends pointer cycles */
        if (p >= n)
            return false;
        uint8_t l = m[p];
        if (l == 0) {
            if (!jumped)
                after = p + 1;
            *off = after;
            out[k] = 0;
            return true;
        }
        if ((l & 0xC0) == 0xC0) {
            if (p + 1 >= n)
                return false;
            uint32_t to = (uint32_t)(l & 0x3F) << 8 | m[p + 1];
            if (to >= p)                      /* only backwards: no loops */
                return false;
            if (!jumped)
                after = p + 2;
            jumped = true;
            p = to;
            continue;
        }
        if (l & 0xC0)
            return false;
        if (p + 1 + l > n)
            return false;
        if (k + l + 2 <= outn) {
            if (k)
                out[k++] = '.';
            memcpy(out + k, m + p + 1, l);
            k += l;
        }
        p += 1 + l;
    }
    return false;
}

/* Record types by their registry names (IANA), as Suricata's dns logger's
 * types option lists them. */
static const struct {
    const char *name;
    uint16_t type;
} type_names[] = {
    {"a", 1}, {"ns", 2}, {"md", 3}, {"mf", 4}, {"cname", 5}, {"soa", 6}, {"mb", 7},
    {"mg", 8}, {"mr", 9}, {"null", 10}, {"wks", 11}, {"ptr", 12}, {"hinfo", 13},
    {"minfo", 14}, {"mx", 15}, {"txt", 16}, {"rp", 17}, {"afsdb", 18}, {"x25", 19},
    {"isdn", 20}, {"rt", 21}, {"nsap", 22}, {"nsapptr", 23}, {"sig", 24}, {"key", 25},
    {"px", 26}, {"gpos", 27}, {"aaaa", 28}, {"loc", 29}, {"nxt", 30}, {"srv", 33},
    {"atma", 34}, {"naptr", 35}, {"kx", 36}, {"cert", 37}, {"a6", 38}, {"dname", 39},
    {"opt", 41}, {"apl", 42}, {"ds", 43}, {"sshfp", 44}, {"ipseckey", 45}, {"rrsig", 46},
    {"nsec", 47}, {"dnskey", 48}, {"dhcid", 49}, {"nsec3", 50}, {"nsec3param", 51},
    {"tlsa", 52}, {"hip", 55}, {"cds", 59}, {"cdnskey", 60}, {"svcb", 64},
    {"https", 65}, {"spf", 99}, {"tkey", 249}, {"tsig", 250}, {"maild", 253},
    {"any", 255}, {"uri", 256}, {"caa", 257},
};

int mm_dns_type_of(const char *name)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (!strcasecmp(type_names[i].name, name))
            return type_names[i].type;
    return -1;
}

/* Whether a message whose question has this type is logged (--dns-types). */
static bool type_logged(const mm_app *a, uint16_t t)
{
    if (!a->ndns_types)
        return true;
    for (int i = 0; i < a->ndns_types; i++)
        if (a->dns_types[i] == t)
            return true;
    return false;
}

static const char *rrtype_name(uint16_t t, char *buf, size_t n)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].type == t && strlen(type_names[i].name) < n) {
            size_t k = 0;
            for (const char *c = type_names[i].name; *c; c++)
                buf[k++] = (char)toupper((unsigned char)*c);
            buf[k] = 0;
            return buf;
        }
    snprintf(buf, n, "%u", t);
    return buf;
}

static const char *rcode_name(unsigned r, char *buf, size_t n)
{
    static const char *names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
                                  "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
                                  "NOTZONE"};
    if (r < sizeof names / sizeof names[0])
        return names[r];
    snprintf(buf, n, "%u", r);
    return buf;
}

/* A plausible DNS header and first question. On port 53 (lenient) a header
 * with sane counts is enough: fuzzed or odd flags are still DNS there. */
static bool plausible(const uint8_t *m, uint32_t n, bool need_full, bool lenient)
{
    if (n < 12)
        return false;
    char nm[300];
    uint32_t off = 12;
    if (lenient)
        return (be16(m + 4) <= 64 && be16(m + 6) <= 1024) ||
               (be16(m + 4) >= 1 && name(m, n, &off, nm, sizeof nm));
    unsigned opcode = (m[2] >> 3) & 0x0F;
    uint16_t qd = be16(m + 4), an = be16(m + 6), ns = be16(m + 8), ar = be16(m + 10);
    if (opcode > 6 || opcode == 3 || qd == 0 || qd > 8 || an > 256 || ns > 256 || ar > 256)
        return false;
    if (m[2] & 0x80 ? false : (m[3] & 0x0F) != 0)   /* a query has rcode 0 */
        return false;
    if (!name(m, n, &off, nm, sizeof nm))
        return !need_full && n < 12 + 256;          /* may be cut by the probe window */
    return off + 4 <= n || !need_full;
}

static uint64_t tx_for(dns_state *s, uint16_t id, bool response)
{
    for (int i = 0; i < s->npending; i++) {
        if (s->pending_id[i] == id) {
            uint64_t tx = s->pending_tx[i];
            if (response) {
                s->pending_id[i] = s->pending_id[s->npending - 1];
                s->pending_tx[i] = s->pending_tx[s->npending - 1];
                s->npending--;
            }
            return tx;
        }
    }
    uint64_t tx = s->next_tx++;
    if (!response) {
        if (s->npending == MAX_PENDING) {            /* forget the oldest */
            memmove(s->pending_id, s->pending_id + 1, (MAX_PENDING - 1) * sizeof(uint16_t));
            memmove(s->pending_tx, s->pending_tx + 1, (MAX_PENDING - 1) * sizeof(uint64_t));
            s->npending--;
        }
        s->pending_id[s->npending] = id;
        s->pending_tx[s->npending++] = tx;
    }
    return tx;
}

typedef struct rr {
    char name[260];
    uint16_t type;
    uint32_t ttl;
    uint32_t rdoff, rdlen;      /* a TXT record's: one of its strings, unprefixed */
} rr;

/* rdata of the types that print as one string (A, AAAA, names, MX, TXT)
 * into b; returns its length (TXT may hold NUL bytes), or -1 for other types
 * or malformed rdata. */
static int text_len(bool ok, const char *b) { return ok ? (int)strlen(b) : -1; }

static int rdata_text(const uint8_t *m, uint32_t n, const rr *r, char *b, size_t bn)
{
    const uint8_t *rd = m + r->rdoff;
    uint32_t off = r->rdoff;
    switch (r->type) {
    case 1:
        return text_len(r->rdlen == 4 && inet_ntop(AF_INET, rd, b, (socklen_t)bn), b);
    case 28:                    /* written out whole, as Suricata's EVE */
        if (r->rdlen != 16 || bn < MM_IPSTR_LEN)
            return -1;
        {
            mm_ip ip = {.v = 6};
            memcpy(ip.b, rd, 16);
            mm_ip_str_full(&ip, b);
        }
        return (int)strlen(b);
    case 2:
    case 5:
    case 12:
        return text_len(name(m, n, &off, b, bn), b);
    case 15:
        off += 2;
        return text_len(r->rdlen > 2 && name(m, n, &off, b, bn), b);
    case 16: {   /* TXT: one of its character-strings (the record split up) */
        size_t k = 0;
        for (uint32_t p = 0; p < r->rdlen && k < bn - 1; p++)
            b[k++] = (char)rd[p];
        b[k] = 0;
        return (int)k;
    }
    default:
        return -1;
    }
}

static void rdata_json(mm_json *j, const uint8_t *m, uint32_t n, const rr *r)
{
    char b[300];
    const uint8_t *rd = m + r->rdoff;
    uint32_t off = r->rdoff;
    int bl = rdata_text(m, n, r, b, sizeof b);
    if (bl >= 0) {
        mj_strn(j, "rdata", b, (size_t)bl);
        return;
    }
    switch (r->type) {
    case 10:    /* NULL: its bytes as Suricata writes them */
        mj_bytes_text(j, "rdata", rd, r->rdlen);
        break;
    case 6: {
        char mn[260], rn[260];
        if (name(m, n, &off, mn, sizeof mn) && name(m, n, &off, rn, sizeof rn) &&
            off + 20 <= r->rdoff + r->rdlen) {
            mj_obj_open(j, "soa");
            mj_str(j, "mname", mn);
            mj_str(j, "rname", rn);
            mj_u64(j, "serial", be32(m + off));
            mj_u64(j, "refresh", be32(m + off + 4));
            mj_u64(j, "retry", be32(m + off + 8));
            mj_u64(j, "expire", be32(m + off + 12));
            mj_u64(j, "minimum", be32(m + off + 16));
            mj_obj_close(j);
        }
        break;
    }
    case 33:
        if (r->rdlen > 6) {
            uint32_t t = off + 6;
            if (name(m, n, &t, b, sizeof b)) {
                mj_obj_open(j, "srv");
                mj_u64(j, "priority", be16(rd));
                mj_u64(j, "weight", be16(rd + 2));
                mj_u64(j, "port", be16(rd + 4));
                mj_str(j, "name", b);
                mj_obj_close(j);
            }
        }
        break;
    default:
        break;
    }
}

/* A question as Suricata's query events and alerts write it. */
typedef struct dns_query {
    uint16_t id;
    unsigned opcode;
    bool z;
    uint64_t tx;
    int nq;
    const char (*qname)[260];
    const uint16_t *qtype;
} dns_query;

static void query_members(mm_json *j, const dns_query *q, int i)
{
    char tb[16];
    mj_str(j, "type", "query");
    mj_u64(j, "id", q->id);
    mj_str(j, "rrname", q->qname[i]);
    mj_str(j, "rrtype", rrtype_name(q->qtype[i], tb, sizeof tb));
    mj_u64(j, "tx_id", q->tx);
    mj_u64(j, "opcode", q->opcode);
    if (q->z)
        mj_bool(j, "z", true);
}

/* An alert on a query: "dns": {"query": [...]}, as Suricata 7's (with the
 * layout's version, which the EVE schema asks for). */
static void alert_json(mm_json *j, const void *ctx)
{
    const dns_query *q = ctx;
    mj_obj_open(j, "dns");
    mj_u64(j, "version", 2);
    mj_arr_open(j, "query");
    for (int i = 0; i < q->nq; i++) {
        mj_obj_open(j, NULL);
        query_members(j, q, i);
        mj_obj_close(j);
    }
    mj_arr_close(j);
    mj_obj_close(j);
}

static void message(mm_app *a, mm_flow *f, dns_state *s, int dir, const uint8_t *m, uint32_t n,
                    uint64_t ts)
{
    if (n < 12) {
        mm_app_error(a, f);
        return;
    }
    uint16_t id = be16(m), flags = be16(m + 2);
    uint16_t qd = be16(m + 4), an = be16(m + 6);
    bool qr = flags & 0x8000;
    /* a UDP flow whose first packet is an answer: its receiver is the
     * client (Suricata turns the flow around the same way) */
    if (qr && dir == MM_TO_SERVER && f->proto == 17 && f->pkts[0] == 1 && !f->pkts[1]) {
        mm_flow_reverse(f);
        dir = MM_TO_CLIENT;
    }
    /* Suricata 7 numbers every message as a transaction of its own */
    uint64_t msg_tx = s->next_msg++;
    unsigned opcode = (flags >> 11) & 0x0F;
    char tb[16], rb[8];
    uint32_t off = 12;
    char qname[MAX_QUESTIONS][260];
    uint16_t qtype[MAX_QUESTIONS];
    int nq = 0;
    for (int i = 0; i < qd; i++) {
        char nm[260];
        if (!name(m, n, &off, nm, sizeof nm) || off + 4 > n) {
            mm_app_error(a, f);
            return;
        }
        if (nq < MAX_QUESTIONS) {
            memcpy(qname[nq], nm, sizeof nm);
            qtype[nq++] = be16(m + off);
        }
        off += 4;
    }
    uint64_t tx = tx_for(s, id, qr);
    dns_query dq = {id, opcode, (flags & 0x0040) != 0, msg_tx, nq, qname, qtype};
    /* the reserved Z bit set, an opcode past the assigned ones (7 and up,
     * as Suricata counts them): its z_flag_set and invalid_opcode events */
    const char *events[2];
    int nev = 0;
    if (dq.z)
        events[nev++] = "dns.z_flag_set";
    if (opcode >= 7)
        events[nev++] = "dns.invalid_opcode";
    for (int i = 0; i < nev; i++)
        mm_app_observe(a, f, dir, MM_OBS_APP_EVENT_MSG, events[i], ts);
    bool nolog = false;
    for (int i = 0; i < s->nnolog && !nolog; i++)
        if (s->nolog_tx[i] == tx) {
            nolog = true;
            if (qr)             /* the answer ends the transaction */
                s->nolog_tx[i] = s->nolog_tx[--s->nnolog];
        }
    if (a->buffers) {
        /* the message to the rules: its query names (dns.query, one buffer
         * each, queries only), its opcode (dns.opcode, one byte) and the
         * message itself for the rule's payload contents */
        mm_obs_buf b[MAX_QUESTIONS + 2];
        int nb = 0;
        uint8_t op = (uint8_t)opcode;
        b[nb++] = (mm_obs_buf){MM_BUF_DNS_OPCODE, &op, 1};
        b[nb++] = (mm_obs_buf){MM_BUF_PAYLOAD, m, (uint32_t)n};
        for (int i = 0; i < nq && !qr; i++)
            b[nb++] = (mm_obs_buf){MM_BUF_DNS_QUERY, (const uint8_t *)qname[i],
                                   (uint32_t)strlen(qname[i])};
        bool unlogged = false;
        mm_obs_buffers ob = {b, nb, qr ? NULL : alert_json, &dq, NULL, NULL, &unlogged,
                             events, nev, true};
        mm_app_observe(a, f, dir, MM_OBS_BUFFERS, &ob, ts);
        if (unlogged && !nolog) {
            nolog = true;       /* a config rule: this transaction is not logged */
            if (!qr) {
                if (s->nnolog == MAX_PENDING)
                    s->nnolog--;
                s->nolog_tx[s->nnolog++] = tx;
            }
        }
    }
    if (!qr) {
        for (int i = 0; i < nq; i++) {
            mm_obs_name o = {.source = MM_NAME_DNS, .name = qname[i]};
            mm_app_observe(a, f, dir, MM_OBS_NAME, &o, ts);
        }
        for (int i = 0; i < nq && !nolog; i++) {
            if ((a->dns_unlogged & MM_DNS_NO_REQUESTS) || !type_logged(a, qtype[i]))
                continue;
            mm_json *j = mm_app_event_begin(a, f, ts, "dns", dir, false);
            mj_obj_open(j, "dns");
            mj_u64(j, "version", 2);
            query_members(j, &dq, i);
            mj_obj_close(j);
            mm_app_event_end(a, f);
        }
        return;
    }
    /* Answer, authority and additional records, at most MAX_ANSWERS in all. */
    uint16_t cnt[3] = {an, be16(m + 8), be16(m + 10)};
    rr ans[MAX_ANSWERS];
    int nsec[3] = {0, 0, 0}, na = 0;
    bool bad = false;
    for (int sec = 0; sec < 3 && !bad; sec++) {
        for (int i = 0; i < cnt[sec]; i++) {
            char nm[260];
            if (!name(m, n, &off, nm, sizeof nm) || off + 10 > n) {
                bad = true;
                break;
            }
            uint16_t type = be16(m + off);
            uint32_t ttl = be32(m + off + 4);
            uint16_t rdlen = be16(m + off + 8);
            off += 10;
            if (off + rdlen > n) {
                bad = true;
                break;
            }
            /* OPT is not a record; a TXT record is an entry per
             * character-string (at least one), as Suricata 7 lists them */
            for (uint32_t p = 0; type != 41 && na < MAX_ANSWERS;) {
                rr *r = &ans[na++];
                memcpy(r->name, nm, sizeof nm);
                r->type = type;
                r->ttl = ttl;
                r->rdoff = off;
                r->rdlen = rdlen;
                nsec[sec]++;
                if (type != 16)
                    break;
                /* the string at p: its length byte, cut at the record's end */
                uint32_t l = p < rdlen ? m[off + p] : 0, room = p < rdlen ? rdlen - p - 1 : 0;
                r->rdoff = off + p + (p < rdlen);
                r->rdlen = l < room ? l : room;
                p += 1 + l;
                if (p >= rdlen)
                    break;
            }
            off += rdlen;
        }
    }
    if (bad)
        mm_app_error(a, f);
    /* addresses answered for the name asked (the detectors' sinkholes) */
    for (int i = 0; i < nsec[0] && nq; i++) {
        const rr *r = &ans[i];
        mm_obs_dns_answer o = {.rrname = qname[0]};
        if (r->type == 1 && r->rdlen == 4) {
            o.addr.v = 4;
            memcpy(o.addr.b, m + r->rdoff, 4);
        } else if (r->type == 28 && r->rdlen == 16) {
            o.addr.v = 6;
            memcpy(o.addr.b, m + r->rdoff, 16);
        } else {
            continue;
        }
        mm_app_observe(a, f, dir, MM_OBS_DNS_ANSWER, &o, ts);
    }
    if (nolog)
        return;                 /* a config rule keeps the transaction out of the log */
    /* --dns-log, --dns-types: an answer is logged when one of its
     * questions has a type asked for (none: not logged), as Suricata's */
    if (a->dns_unlogged & MM_DNS_NO_RESPONSES)
        return;
    if (a->ndns_types) {
        bool any = false;
        for (int i = 0; i < nq && !any; i++)
            any = type_logged(a, qtype[i]);
        if (!any)
            return;
    }
    mm_json *j = mm_app_event_begin(a, f, ts, "dns", dir, false);
    mj_obj_open(j, "dns");
    mj_u64(j, "version", 2);
    mj_str(j, "type", "answer");
    mj_u64(j, "id", id);
    char fl[8];
    snprintf(fl, sizeof fl, "%04x", flags);
    mj_str(j, "flags", fl);
    mj_bool(j, "qr", true);
    if (flags & 0x0400) mj_bool(j, "aa", true);
    if (flags & 0x0200) mj_bool(j, "tc", true);
    if (flags & 0x0100) mj_bool(j, "rd", true);
    if (flags & 0x0080) mj_bool(j, "ra", true);
    if (flags & 0x0040) mj_bool(j, "z", true);
    mj_u64(j, "opcode", opcode);
    if (nq) {
        mj_str(j, "rrname", qname[0]);
        mj_str(j, "rrtype", rrtype_name(qtype[0], tb, sizeof tb));
    }
    mj_str(j, "rcode", rcode_name(flags & 0x0F, rb, sizeof rb));
    static const char *secname[3] = {"answers", "authorities", "additionals"};
    for (int sec = 0, base = 0; sec < 3; base += nsec[sec], sec++) {
        if (!nsec[sec])
            continue;
        mj_arr_open(j, secname[sec]);
        for (int i = base; i < base + nsec[sec]; i++) {
            mj_obj_open(j, NULL);
            mj_str(j, "rrname", ans[i].name);
            mj_str(j, "rrtype", rrtype_name(ans[i].type, tb, sizeof tb));
            mj_u64(j, "ttl", ans[i].ttl);
            rdata_json(j, m, n, &ans[i]);
            mj_obj_close(j);
        }
        mj_arr_close(j);
    }
    na = nsec[0];   /* grouped{} shows the answers only */
    if (na) {
        /* grouped: rdata strings by type, for the common types */
        static const uint16_t gtypes[] = {1, 28, 5, 2, 12, 15, 16};
        mj_obj_open(j, "grouped");
        for (size_t g = 0; g < sizeof gtypes / sizeof gtypes[0]; g++) {
            bool open = false;
            for (int i = 0; i < na; i++) {
                if (ans[i].type != gtypes[g])
                    continue;
                char v[300];
                int vl = rdata_text(m, n, &ans[i], v, sizeof v);
                if (vl < 0)
                    continue;
                if (!open) {
                    mj_arr_open(j, rrtype_name(gtypes[g], tb, sizeof tb));
                    open = true;
                }
                mj_strn(j, NULL, v, (size_t)vl);
            }
            if (open)
                mj_arr_close(j);
        }
        mj_obj_close(j);
    }
    mj_obj_close(j);
    mm_app_event_end(a, f);
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                  uint64_t ts)
{
    dns_state *s = st;
    if (f->proto == 17) {
        if (d)
            message(a, f, s, dir, d, n, ts);
        return;
    }
    if (!d) {                 /* gap: framing is lost for this direction */
        s->len[dir] = 0;
        return;
    }
    if (!s->buf[dir] && !(s->buf[dir] = mm_app_alloc_buf(a, 65538)))
        return;
    while (n > 0) {
        uint32_t need = 2;
        if (s->len[dir] >= 2)
            need = 2u + be16(s->buf[dir]);
        uint32_t k = need - s->len[dir];
        if (k > n)
            k = n;
        memcpy(s->buf[dir] + s->len[dir], d, k);
        s->len[dir] += k;
        d += k;
        n -= k;
        if (s->len[dir] >= 2 && s->len[dir] == 2u + be16(s->buf[dir])) {
            message(a, f, s, dir, s->buf[dir] + 2, s->len[dir] - 2, ts);
            s->len[dir] = 0;
        }
    }
}

/* UDP: a datagram is a message. TCP: a 2-byte length, then the message,
 * which the probe window (64 bytes) may cut. */
static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)dir;
    bool port53 = f->cport == 53 || f->sport == 53;
    if (udp)
        return plausible(d, n, true, port53) ? MM_PROBE_YES : MM_PROBE_NO;
    if (n < 2)
        return MM_PROBE_MORE;
    uint32_t l = be16(d);
    if (l < 12)
        return MM_PROBE_NO;
    if (n < 14)
        return MM_PROBE_MORE;
    /* off port 53 the first question must be whole in what we see (the
     * probe window holds 256 bytes: a name is at most 255) */
    bool whole = n - 2 >= l || n >= MM_APP_PROBE_MAX;
    if (!port53 && !whole)
        return MM_PROBE_MORE;
    return plausible(d + 2, n - 2 < l ? n - 2 : l, whole, port53) ? MM_PROBE_YES : MM_PROBE_NO;
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    (void)f; (void)ts;
    dns_state *s = st;
    mm_app_free(a, s->buf[0], 65538);
    mm_app_free(a, s->buf[1], 65538);
}

/* NetBIOS name service (137), multicast DNS (5353) and LLMNR (5355) use
 * DNS's wire format but are other protocols (tshark and Suricata name them
 * apart): not "dns". */
static bool excluded(const mm_flow *f)
{
    static const uint16_t other[] = {137, 5353, 5355};
    if (f->proto != 17)
        return false;
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        if (f->cport == other[i] || f->sport == other[i])
            return true;
    return false;
}

const mm_app_parser mm_parser_dns = {
    .name = "dns", .id = MM_APP_DNS, .tcp = true, .udp = true,
    .probe = probe, .excluded = excluded, .state_size = sizeof(dns_state), .parse = parse, .finish = finish,
};
