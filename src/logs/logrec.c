/*
 * logrec.c - the log record: clearing, small value readers shared by the
 * formats (addresses, numbers, digits, MACs, protocols, words, quoted
 * strings, CSV values, the host of a URL), and the record as one JSON line
 * in EVE's vocabulary.
 *
 * The JSON layout: timestamp, event_type, src_ip, src_port, dest_ip,
 * dest_port, proto, then the object of the record's kind (firewall, http and
 * proxy, dns, dhcp, email, auth), then log {format, file, line, host}.
 * Absent values are left out, never written as null or 0.
 */
#include <stdarg.h>
#include <string.h>

#include "logs/logs.h"

void lr_clear(mm_logrec *r)
{
    /* Everything but the scratch area, which only needs its length reset. */
    memset(r, 0, offsetof(mm_logrec, scratch));
    r->scratch_len = 0;
    r->src_port = r->dest_port = -1;
    r->fw.bytes = r->fw.packets = -1;
    r->http.status = r->http.length = -1;
    r->proxy.bytes_in = r->proxy.bytes_out = r->proxy.duration_ms = -1;
    r->dhcp.lease_time = -1;
    r->email.size = -1;
}

const char *lr_keep(mm_logrec *r, const char *p, size_t n)
{
    if (n > sizeof r->scratch - r->scratch_len)
        return NULL;
    char *d = r->scratch + r->scratch_len;
    if (n)
        memcpy(d, p, n);
    r->scratch_len += n;
    return d;
}

int lr_bad(mm_logctx *cx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cx->why, sizeof cx->why, fmt, ap);
    va_end(ap);
    return LR_BAD;
}

/* A dotted quad by hand (the common case; inet_pton is a third of the cost
 * of reading a firewall line otherwise); false when it is not one. Like
 * inet_pton: four parts of 0..255, no leading zeros. */
static bool ip4(const char *p, size_t n, mm_ip *ip)
{
    uint8_t b[4];
    size_t i = 0;
    for (int k = 0; k < 4; k++) {
        unsigned v = 0, d = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9' && d < 3) {
            v = v * 10 + (unsigned)(p[i] - '0');
            i++;
            d++;
        }
        if (d == 0 || v > 255 || (d > 1 && p[i - d] == '0'))
            return false;
        b[k] = (uint8_t)v;
        if (k < 3) {
            if (i >= n || p[i] != '.')
                return false;
            i++;
        }
    }
    if (i != n)
        return false;
    memset(ip, 0, sizeof *ip);
    memcpy(ip->b, b, 4);
    ip->v = 4;
    return true;
}

bool lr_ip(const char *p, size_t n, mm_ip *ip)
{
    if (n >= 7 && n <= 15 && ip4(p, n, ip))
        return true;
    char b[64];
    if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
        p++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof b)
        return false;
    memcpy(b, p, n);
    b[n] = 0;
    mm_ip t;
    if (!mm_ip_parse(b, &t))
        return false;
    /* An IPv4-mapped IPv6 address is the IPv4 address. */
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (t.v == 6 && memcmp(t.b, mapped, 12) == 0) {
        memmove(t.b, t.b + 12, 4);
        memset(t.b + 4, 0, 12);
        t.v = 4;
    }
    *ip = t;
    return true;
}

bool lr_num(const char *p, size_t n, int64_t *v)
{
    if (n == 0 || n > 18)
        return false;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        x = x * 10 + (p[i] - '0');
    }
    *v = x;
    return true;
}

bool lr_port(const char *p, size_t n, int32_t *port)
{
    int64_t v;
    if (!lr_num(p, n, &v) || v > 65535)
        return false;
    *port = (int32_t)v;
    return true;
}

bool lr_digits(const char *p, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

int lr_num2(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}


bool lr_mac(mm_logrec *r, const char *p, size_t n, lr_str *out)
{
    /* Twelve hex digits with ':' '-' '.' as separators in any of the
     * usual groupings; leading zeros of a group may be missing when groups
     * are of two ("0:1b:..." as some DHCP servers write it). */
    uint8_t b[6];
    int nb = 0, cur = -1, digits = 0;
    bool sep_seen = false;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? p[i] : ':';
        int h = mm_hex_value(c);
        if (h >= 0) {
            if (digits >= 4)
                return false;          /* no group is longer than four digits */
            if (cur < 0)
                cur = 0;
            cur = cur * 16 + h;
            digits++;
            if (!sep_seen && digits == 2 && i + 1 < n && mm_hex_value(p[i + 1]) >= 0 &&
                (n == 12 || n == 14)) {
                /* aabbccddeeff or aabb.ccdd.eeff: a byte every two digits */
                if (nb >= 6)
                    return false;
                b[nb++] = (uint8_t)cur;
                cur = -1;
                digits = 0;
            }
            continue;
        }
        if (c != ':' && c != '-' && c != '.')
            return false;
        if (c != '.' || n != 14)
            sep_seen = true;
        if (cur < 0)
            return false;
        if (digits > 2) {
            /* a group of four digits (Cisco dotted form) */
            if (digits != 4 || nb > 4)
                return false;
            b[nb++] = (uint8_t)(cur >> 8);
            b[nb++] = (uint8_t)cur;
        } else {
            if (nb >= 6)
                return false;
            b[nb++] = (uint8_t)cur;
        }
        cur = -1;
        digits = 0;
    }
    if (nb != 6)
        return false;
    char t[18];
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        t[i * 3] = hx[b[i] >> 4];
        t[i * 3 + 1] = hx[b[i] & 15];
        t[i * 3 + 2] = ':';
    }
    const char *k = lr_keep(r, t, 17);
    if (!k)
        return false;
    *out = lr_s(k, 17);
    return true;
}

const char *lr_proto(const char *p, size_t n)
{
    static const struct {
        const char *name;
        int num;
        const char *eve;
    } t[] = {
        {"tcp", 6, "TCP"},   {"udp", 17, "UDP"},        {"icmp", 1, "ICMP"},
        {"icmpv6", 58, "IPv6-ICMP"}, {"ipv6-icmp", 58, "IPv6-ICMP"}, {"icmp6", 58, "IPv6-ICMP"},
        {"gre", 47, "GRE"},  {"esp", 50, "ESP"},        {"ah", 51, "AH"},
        {"sctp", 132, "SCTP"}, {"igmp", 2, "IGMP"},     {"ipv6", 41, "IPv6"},
        {"ospf", 89, "OSPF"}, {"pim", 103, "PIM"},      {"vrrp", 112, "VRRP"},
        {"carp", 112, "VRRP"}, {"udplite", 136, "UDPLite"}, {"ipip", 4, "IPIP"},
        {"ipencap", 4, "IPIP"},
    };
    int64_t num = -1;
    if (n && p[0] >= '0' && p[0] <= '9') {
        if (!lr_num(p, n, &num))
            return NULL;
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
            if (t[i].num == num)
                return t[i].eve;
        return NULL;
    }
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (lr_eqi(lr_s(p, n), t[i].name))
            return t[i].eve;
    return NULL;
}

bool lr_word(lr_cur *c, lr_str *w)
{
    while (c->p < c->e && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
    if (c->p >= c->e)
        return false;
    const char *s = c->p;
    while (c->p < c->e && *c->p != ' ' && *c->p != '\t')
        c->p++;
    *w = lr_s(s, (size_t)(c->p - s));
    return true;
}

const char *lr_find(const char *p, size_t n, const char *t)
{
    size_t k = strlen(t);
    if (k == 0 || n < k)
        return NULL;
    return memmem(p, n, t, k);
}

const char *lr_find_word(const char *p, size_t n, const char *t)
{
    const char *e = p + n;
    for (const char *s = p; s < e;) {
        const char *h = lr_find(s, (size_t)(e - s), t);
        if (!h || h == p || h[-1] == ' ')
            return h;
        s = h + 1;
    }
    return NULL;
}

bool lr_kv(const char *p, size_t n, const char *key, lr_str *v)
{
    size_t k = strlen(key);
    const char *e = p + n, *s = p;
    while (s < e) {
        const char *hit = lr_find(s, (size_t)(e - s), key);
        if (!hit)
            return false;
        const char *after = hit + k;
        bool start_ok = hit == p || hit[-1] == ' ' || hit[-1] == '\t' || hit[-1] == ',';
        if (start_ok && after < e && *after == '=') {
            after++;
            const char *q = after;
            if (q < e && *q == '"') {
                q++;
                const char *end = memchr(q, '"', (size_t)(e - q));
                if (!end)
                    end = e;
                *v = lr_s(q, (size_t)(end - q));
                return true;
            }
            while (q < e && *q != ' ' && *q != '\t')
                q++;
            *v = lr_s(after, (size_t)(q - after));
            return true;
        }
        s = hit + 1;
    }
    return false;
}

bool lr_eq_any(lr_str s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lr_eq(s, list[i]))
            return true;
    return false;
}

bool lr_shape(const char *p, const char *e, const char *shape)
{
    size_t k = strlen(shape);
    if (e < p || (size_t)(e - p) < k)
        return false;
    for (size_t i = 0; i < k; i++)
        if (shape[i] == 'd' ? p[i] < '0' || p[i] > '9' : p[i] != shape[i])
            return false;
    return true;
}

bool lr_quoted(const char **pp, const char *e, lr_str *out)
{
    const char *p = *pp + 1, *q = p;
    while (q < e && *q != '"') {
        if (*q == '\\' && q + 1 < e)
            q += 2;
        else
            q++;
    }
    if (q >= e)
        return false;
    *out = lr_s(p, (size_t)(q - p));
    *pp = q + 1;
    return true;
}

int lr_csv(const char *p, const char *e, lr_str *f, bool *esc, int max)
{
    int k = 0;
    while (k < max) {
        bool x = false;
        if (p < e && *p == '"') {
            const char *s = ++p;
            while (p < e) {
                if (*p == '"') {
                    if (p + 1 < e && p[1] == '"') {
                        x = true;
                        p += 2;
                        continue;
                    }
                    break;
                }
                p++;
            }
            f[k] = lr_s(s, (size_t)(p - s));
            if (p < e)
                p++;                 /* the closing quote */
            while (p < e && *p != ',')
                p++;
        } else {
            const char *s = p;
            while (p < e && *p != ',')
                p++;
            f[k] = lr_s(s, (size_t)(p - s));
        }
        if (esc)
            esc[k] = x;
        k++;
        if (p >= e)
            break;
        p++;                         /* the comma */
    }
    return k;
}

bool lr_url_host(lr_str u, bool bare, lr_str *host, lr_str *port, lr_str *auth)
{
    if (u.n == 0)
        return false;
    const char *p = u.p, *e = u.p + u.n, *s = NULL;
    for (const char *q = p; q + 3 <= e && q - p < 16; q++) {
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            s = q + 3;
            break;
        }
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '+' || *q == '.' ||
              *q == '-'))
            break;
    }
    if (!s) {
        if (!bare)
            return false;
        s = p;
    }
    const char *a = s;
    while (a < e && *a != '/' && *a != '?' && *a != '#')
        a++;
    for (const char *q = a; q > s; q--)
        if (q[-1] == '@') {
            s = q;
            break;
        }
    lr_str h;
    const char *pe = NULL;
    if (s < a && *s == '[') {
        const char *rb = memchr(s, ']', (size_t)(a - s));
        if (!rb || rb == s + 1)
            return false;
        h = lr_s(s + 1, (size_t)(rb - s - 1));
        if (rb + 1 < a && rb[1] == ':')
            pe = rb + 2;
    } else {
        const char *colon = memchr(s, ':', (size_t)(a - s));
        h = lr_s(s, (size_t)((colon ? colon : a) - s));
        if (colon)
            pe = colon + 1;
    }
    if (h.n == 0)
        return false;
    *host = h;
    if (port)
        *port = pe ? lr_s(pe, (size_t)(a - pe)) : lr_s(NULL, 0);
    if (auth)
        *auth = lr_s(s, (size_t)(a - s));
    return true;
}

/* --- JSON --- */

/* The members of a record: keys are literals (MJ_STRN, MJ_U64); absent
 * values (empty strings, negative numbers, no address) are left out. */
#define JSTR(j, key, s)                                                                    \
    do {                                                                                   \
        lr_str s_ = (s);                                                                   \
        if (s_.p && s_.n)                                                                  \
            MJ_STRN(j, key, s_.p, s_.n);                                                   \
    } while (0)
#define JNUM(j, key, v)                                                                    \
    do {                                                                                   \
        int64_t v_ = (v);                                                                  \
        if (v_ >= 0)                                                                       \
            MJ_U64(j, key, (uint64_t)v_);                                                  \
    } while (0)
#define JIP(j, key, ip)                                                                    \
    do {                                                                                   \
        char b_[MM_IPSTR_LEN];                                                             \
        if ((ip)->v) {                                                                     \
            size_t n_ = lr_ip_text((ip), b_);                                              \
            MJ_STRN(j, key, b_, n_);                                                       \
        }                                                                                  \
    } while (0)

size_t lr_ip_text(const mm_ip *ip, char out[MM_IPSTR_LEN])
{
    if (ip->v != 4) {
        if (!ip->v) {
            out[0] = 0;
            return 0;
        }
        mm_ip_str(ip, out);
        return strlen(out);
    }
    /* by hand: glibc's inet_ntop formats IPv4 with sprintf */
    size_t k = 0;
    for (int i = 0; i < 4; i++) {
        unsigned v = ip->b[i];
        if (v >= 100)
            out[k++] = (char)('0' + v / 100);
        if (v >= 10)
            out[k++] = (char)('0' + v / 10 % 10);
        out[k++] = (char)('0' + v % 10);
        out[k++] = '.';
    }
    out[k - 1] = 0;
    return k - 1;
}

static void put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10 % 10);
    o[1] = (char)('0' + v % 10);
}

/* "2024-01-02T03:04:05.123456+0900": the time as the line had it. The
 * date and time part is made once per second and offset (per thread). */
static void fmt_time(int64_t us, int32_t off, char out[64])
{
    static _Thread_local int64_t last_sec = INT64_MIN;
    static _Thread_local int32_t last_off;
    static _Thread_local char last[32];
    int64_t local = us + (int64_t)off * 1000000;
    int64_t secs = local >= 0 ? local / 1000000 : -((-local + 999999) / 1000000);
    int64_t frac = local - secs * 1000000;
    if (secs != last_sec || off != last_off) {
        int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
        int64_t sod = secs - days * 86400;
        int y, m, d;
        mm_civil_from_days(days, &y, &m, &d);
        if (y < 0 || y > 9999)
            y = 0;
        int32_t a = off < 0 ? -off : off;
        /* "YYYY-MM-DDTHH:MM:SS." and "+HHMM" around the microseconds */
        put2(last, (int)(y / 100));
        put2(last + 2, (int)(y % 100));
        last[4] = '-';
        put2(last + 5, (int)m);
        last[7] = '-';
        put2(last + 8, (int)d);
        last[10] = 'T';
        put2(last + 11, (int)(sod / 3600));
        last[13] = ':';
        put2(last + 14, (int)(sod / 60 % 60));
        last[16] = ':';
        put2(last + 17, (int)(sod % 60));
        last[19] = '.';
        last[20] = off < 0 ? '-' : '+';
        put2(last + 21, (int)(a / 3600 % 100));
        put2(last + 23, (int)(a / 60 % 60));
        last_sec = secs;
        last_off = off;
    }
    memcpy(out, last, 20);
    for (int i = 5; i >= 0; i--) {
        out[20 + i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    memcpy(out + 26, last + 20, 5);
    out[31] = 0;
}

void lr_write_json(const mm_logrec *r, const mm_logctx *cx, mm_json *j)
{
    mj_reset(j);
    mj_obj_open(j, NULL);
    if (r->has_ts) {
        char ts[64];
        fmt_time(r->ts_us, r->tzoff, ts);
        mj_str(j, "timestamp", ts);
    }
    mj_str(j, "event_type", r->event_type ? r->event_type : "log");
    JIP(j, "src_ip", &r->src_ip);
    if (r->src_port >= 0)
        mj_i64(j, "src_port", r->src_port);
    JIP(j, "dest_ip", &r->dest_ip);
    if (r->dest_port >= 0)
        mj_i64(j, "dest_port", r->dest_port);
    if (r->proto)
        mj_str(j, "proto", r->proto);
    else
        JSTR(j, "proto", r->proto_text);

    const char *et = r->event_type ? r->event_type : "";
    if (strcmp(et, "firewall") == 0) {
        mj_obj_open(j, "firewall");
        if (r->fw.action)
            mj_str(j, "action", r->fw.action);
        JSTR(j, "rule", r->fw.rule);
        JSTR(j, "in_iface", r->fw.in_iface);
        JSTR(j, "out_iface", r->fw.out_iface);
        JSTR(j, "reason", r->fw.reason);
        JNUM(j, "bytes", r->fw.bytes);
        JNUM(j, "packets", r->fw.packets);
        mj_obj_close(j);
    } else if (strcmp(et, "proxy") == 0 || strcmp(et, "web") == 0) {
        mj_obj_open(j, "http");
        JSTR(j, "hostname", r->http.hostname);
        JSTR(j, "url", r->http.url);
        JSTR(j, "http_method", r->http.http_method);
        JSTR(j, "protocol", r->http.protocol);
        JNUM(j, "status", r->http.status);
        JNUM(j, "length", r->http.length);
        JSTR(j, "http_user_agent", r->http.http_user_agent);
        JSTR(j, "http_refer", r->http.http_refer);
        JSTR(j, "http_content_type", r->http.http_content_type);
        mj_obj_close(j);
        if (strcmp(et, "proxy") == 0) {
            mj_obj_open(j, "proxy");
            JSTR(j, "action", r->proxy.action);
            JSTR(j, "cache", r->proxy.cache);
            JSTR(j, "user", r->proxy.user);
            JSTR(j, "peer", r->proxy.peer);
            JNUM(j, "bytes_in", r->proxy.bytes_in);
            JNUM(j, "bytes_out", r->proxy.bytes_out);
            JNUM(j, "duration_ms", r->proxy.duration_ms);
            mj_obj_close(j);
        }
    } else if (strcmp(et, "dns") == 0) {
        mj_obj_open(j, "dns");
        if (r->dns.type)
            mj_str(j, "type", r->dns.type);
        JSTR(j, "rrname", r->dns.rrname);
        JSTR(j, "rrtype", r->dns.rrtype);
        JSTR(j, "rcode", r->dns.rcode);
        if (r->dns.n_answers) {
            mj_arr_open(j, "answers");
            for (uint32_t i = 0; i < r->dns.n_answers && i < LR_MAX_ANSWERS; i++) {
                const lr_answer *a = &r->dns.answers[i];
                mj_obj_open(j, NULL);
                JSTR(j, "rrname", a->rrname);
                JSTR(j, "rrtype", a->rrtype);
                JNUM(j, "ttl", a->ttl);
                JSTR(j, "rdata", a->rdata);
                mj_obj_close(j);
            }
            mj_arr_close(j);
        }
        mj_obj_close(j);
    } else if (strcmp(et, "dhcp") == 0) {
        mj_obj_open(j, "dhcp");
        if (r->dhcp.dhcp_type)
            mj_str(j, "dhcp_type", r->dhcp.dhcp_type);
        JIP(j, "assigned_ip", &r->dhcp.assigned_ip);
        JSTR(j, "client_mac", r->dhcp.client_mac);
        JSTR(j, "hostname", r->dhcp.hostname);
        JNUM(j, "lease_time", r->dhcp.lease_time);
        JSTR(j, "relay", r->dhcp.relay);
        mj_obj_close(j);
    } else if (strcmp(et, "mail") == 0) {
        mj_obj_open(j, "email");
        JSTR(j, "from", r->email.from);
        JSTR(j, "header_from", r->email.header_from);
        if (r->email.n_to) {
            mj_arr_open(j, "to");
            for (uint32_t i = 0; i < r->email.n_to && i < LR_MAX_TO; i++)
                mj_strn(j, NULL, r->email.to[i].p, r->email.to[i].n);
            mj_arr_close(j);
        }
        JSTR(j, "subject", r->email.subject);
        JSTR(j, "message_id", r->email.message_id);
        JNUM(j, "size", r->email.size);
        JSTR(j, "status", r->email.status);
        JSTR(j, "relay", r->email.relay);
        JSTR(j, "queue_id", r->email.queue_id);
        JSTR(j, "attachment", r->email.attachment);
        mj_obj_close(j);
    } else if (strcmp(et, "auth") == 0) {
        mj_obj_open(j, "auth");
        JSTR(j, "service", r->auth.service);
        JSTR(j, "user", r->auth.user);
        JSTR(j, "method", r->auth.method);
        if (r->auth.result)
            mj_str(j, "result", r->auth.result);
        mj_obj_close(j);
    }

    if (cx->site || cx->sensor) {
        mj_obj_open(j, "mimamori");
        if (cx->site)
            mj_str(j, "site", cx->site);
        if (cx->sensor)
            mj_str(j, "sensor", cx->sensor);
        mj_obj_close(j);
    }
    mj_obj_open(j, "log");
    const mm_logfmt *f = cx->cur ? cx->cur : cx->fmt;
    if (f)
        mj_str(j, "format", f->name);
    if (cx->file)
        mj_str(j, "file", cx->file);
    mj_u64(j, "line", r->line ? r->line : cx->lineno);
    JSTR(j, "host", r->host);
    mj_obj_close(j);
    mj_obj_close(j);
}
