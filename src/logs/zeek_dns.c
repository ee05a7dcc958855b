/*
 * zeek_dns.c - Zeek's dns.log, in its TSV form and as JSON lines
 * (docs.zeek.org: "Zeek Log Formats and Inspection", "dns.log";
 * base/protocols/dns/main.zeek, DNS::Info).
 *
 *   #separator \x09
 *   #set_separator	,
 *   #empty_field	(empty)
 *   #unset_field	-
 *   #path	dns
 *   #fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto
 *     trans_id	rtt	query	qclass	qclass_name	qtype	qtype_name	rcode
 *     rcode_name	AA	TC	RD	RA	Z	answers	TTLs	rejected
 *   1591367999.305988	CazOhH2qDUiJTWMCY	192.168.4.76	36844	192.168.4.1
 *     53	udp	19671	0.066852	testmyids.com	1	C_INTERNET	1	A	0
 *     NOERROR	F	F	T	T	0	31.3.245.133	3600.000000	F
 *
 *   {"ts":1591367999.305988,"uid":"CMdzit1AMNsmfAIiQc","id.orig_h":
 *    "192.168.4.76",...,"query":"testmyids.com",...,"answers":["31.3.245.133"],
 *    "TTLs":[3600.0],"rejected":false}
 *
 * TSV: the header lines set the separator (written "\x09"), the set
 * separator, the unset ("-") and empty ("(empty)") markers, the path and
 * the columns (#fields, in any order, kept in the format's state); a file
 * whose #path is not dns (conn.log ...) gives no records. Data lines
 * before any #fields are read in the default column order above. Values
 * are unescaped (\xHH). JSON: one object per line with the same keys
 * (flattened "id.orig_h", or a nested "id" object); ts is epoch seconds or
 * an ISO 8601 string; an object with a "_path" other than dns, or without
 * a query, is skipped.
 *
 * One dns.log entry is a query and its reply together: a record of type
 * "answer" when Zeek saw a reply (rcode_name set), else "query". src_ip /
 * src_port are id.orig_h / id.orig_p, dest_ip / dest_port the server,
 * proto from proto, dns.rrname the query, dns.rrtype qtype_name (qtype
 * when unnamed), dns.rcode rcode_name. answers[] pairs answers with TTLs;
 * Zeek does not log an answer's type, so it is read from its shape: an
 * IPv4 / IPv6 address is A / AAAA, "TXT n text" is TXT (rdata the text), a
 * name is of the query's type for PTR, NS, MX, SRV, CNAME, DNAME and SOA
 * queries and a CNAME otherwise; an answer's rrname is the query, or the
 * target of the CNAME before it. An epoch time is printed in UTC.
 */
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

enum {
    F_TS, F_ORIG_H, F_ORIG_P, F_RESP_H, F_RESP_P, F_PROTO, F_QUERY, F_QTYPE, F_QTYPE_NAME,
    F_RCODE, F_RCODE_NAME, F_ANSWERS, F_TTLS, F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "ts", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "query", "qtype",
    "qtype_name", "rcode", "rcode_name", "answers", "TTLs",
};

/* the default dns.log columns */
static const int default_idx[F_COUNT] = {0, 2, 3, 4, 5, 6, 9, 12, 13, 14, 15, 21, 22};

#define MAX_COLS 64

typedef struct zstate {
    char sep, set_sep;
    char unset[16], empty[16];
    uint8_t unset_n, empty_n;
    bool path_known, path_dns, have_fields;
    int idx[F_COUNT];
} zstate;

static void free_state(void *s)
{
    free(s);
}

static zstate *state_of(mm_logctx *cx)
{
    void **slot = lr_state(cx);
    if (!*slot) {
        zstate *z = calloc(1, sizeof *z);
        if (!z)
            return NULL;
        z->sep = '\t';
        z->set_sep = ',';
        memcpy(z->unset, "-", 1);
        z->unset_n = 1;
        memcpy(z->empty, "(empty)", 7);
        z->empty_n = 7;
        memcpy(z->idx, default_idx, sizeof z->idx);
        *slot = z;
    }
    return *slot;
}

/* One entry's values, from either form. */
typedef struct zrec {
    lr_str v[F_COUNT];
    lr_str ans[LR_MAX_ANSWERS];
    int n_ans;
    int64_t ttl[LR_MAX_ANSWERS];
    int n_ttl;
    lr_str path;
} zrec;

/* Zeek's "\xHH" escapes decoded into the scratch area (as is without). */
static lr_str unescape_tsv(mm_logrec *r, lr_str s)
{
    if (!s.n || !memchr(s.p, '\\', s.n) || s.n > 1024)
        return s;
    char b[1024];
    size_t n = 0;
    for (uint32_t i = 0; i < s.n; i++) {
        if (s.p[i] == '\\' && i + 3 < s.n && s.p[i + 1] == 'x' && mm_hex_value(s.p[i + 2]) >= 0 &&
            mm_hex_value(s.p[i + 3]) >= 0) {
            b[n++] = (char)(mm_hex_value(s.p[i + 2]) * 16 + mm_hex_value(s.p[i + 3]));
            i += 3;
        } else {
            b[n++] = s.p[i];
        }
    }
    const char *k = lr_keep(r, b, n);
    return k ? lr_s(k, n) : s;
}

/* JSON string escapes decoded into the scratch area. */
static lr_str unescape_json(mm_logrec *r, lr_str s)
{
    if (!s.n || !memchr(s.p, '\\', s.n) || s.n > 1024)
        return s;
    char b[1024 * 3];
    size_t n = 0;
    for (uint32_t i = 0; i < s.n && n + 4 < sizeof b; i++) {
        char c = s.p[i];
        if (c != '\\' || i + 1 >= s.n) {
            b[n++] = c;
            continue;
        }
        c = s.p[++i];
        switch (c) {
        case 'n': b[n++] = '\n'; break;
        case 't': b[n++] = '\t'; break;
        case 'r': b[n++] = '\r'; break;
        case 'b': b[n++] = '\b'; break;
        case 'f': b[n++] = '\f'; break;
        case 'u': {
            unsigned u = 0;
            int k;
            for (k = 0; k < 4 && i + 1 < s.n && mm_hex_value(s.p[i + 1]) >= 0; k++)
                u = u * 16 + (unsigned)mm_hex_value(s.p[++i]);
            if (u < 0x80) {
                b[n++] = (char)u;
            } else if (u < 0x800) {
                b[n++] = (char)(0xC0 | (u >> 6));
                b[n++] = (char)(0x80 | (u & 0x3F));
            } else {
                b[n++] = (char)(0xE0 | (u >> 12));
                b[n++] = (char)(0x80 | ((u >> 6) & 0x3F));
                b[n++] = (char)(0x80 | (u & 0x3F));
            }
            break;
        }
        default: b[n++] = c; break;
        }
    }
    const char *k = lr_keep(r, b, n);
    return k ? lr_s(k, n) : s;
}

/* "3600.000000" -> 3600 */
static int64_t ttl_of(lr_str s)
{
    size_t n = 0;
    while (n < s.n && s.p[n] >= '0' && s.p[n] <= '9')
        n++;
    int64_t v;
    return n && lr_num(s.p, n, &v) ? v : -1;
}

/* --- TSV --- */

static bool is_unset(const zstate *z, lr_str s)
{
    return s.n == 0 || (s.n == z->unset_n && memcmp(s.p, z->unset, s.n) == 0) ||
           (s.n == z->empty_n && memcmp(s.p, z->empty, s.n) == 0);
}

static int split_cols(const char *p, size_t n, char sep, lr_str *cols, int max)
{
    int k = 0;
    const char *s = p, *e = p + n;
    while (k < max) {
        const char *q = memchr(s, sep, (size_t)(e - s));
        if (!q) {
            cols[k++] = lr_s(s, (size_t)(e - s));
            break;
        }
        cols[k++] = lr_s(s, (size_t)(q - s));
        s = q + 1;
    }
    return k;
}

/* "#key<sep>value": the value after the first separator (or space). */
static lr_str header_val(const char *p, size_t n, size_t klen)
{
    if (n <= klen)
        return (lr_str){0};
    const char *v = p + klen;
    const char *e = p + n;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    return lr_s(v, (size_t)(e - v));
}

static void header_line(zstate *z, const char *p, size_t n)
{
    if (lr_starts(p, n, "#separator")) {
        lr_str v = header_val(p, n, 10);
        if (v.n == 4 && v.p[0] == '\\' && v.p[1] == 'x' && mm_hex_value(v.p[2]) >= 0 &&
            mm_hex_value(v.p[3]) >= 0)
            z->sep = (char)(mm_hex_value(v.p[2]) * 16 + mm_hex_value(v.p[3]));
        else if (v.n == 1)
            z->sep = v.p[0];
        return;
    }
    /* the other header lines use the separator */
    lr_str cols[MAX_COLS + 1];
    int k = split_cols(p, n, z->sep, cols, MAX_COLS + 1);
    if (k < 2)
        return;
    lr_str key = cols[0], v = cols[1];
    if (lr_eq(key, "#set_separator") && v.n == 1) {
        z->set_sep = v.p[0];
    } else if (lr_eq(key, "#unset_field") && v.n < sizeof z->unset) {
        memcpy(z->unset, v.p, v.n);
        z->unset_n = (uint8_t)v.n;
    } else if (lr_eq(key, "#empty_field") && v.n < sizeof z->empty) {
        memcpy(z->empty, v.p, v.n);
        z->empty_n = (uint8_t)v.n;
    } else if (lr_eq(key, "#path")) {
        z->path_known = true;
        z->path_dns = lr_eq(v, "dns");
    } else if (lr_eq(key, "#fields")) {
        z->have_fields = true;
        for (int f = 0; f < F_COUNT; f++) {
            z->idx[f] = -1;
            for (int i = 1; i < k && i <= MAX_COLS; i++)
                if (lr_eq(cols[i], field_names[f])) {
                    z->idx[f] = i - 1;
                    break;
                }
        }
    }
}

static void split_set(lr_str s, char sep, lr_str *out, int *n, int max)
{
    *n = 0;
    const char *p = s.p, *e = s.p + s.n;
    while (p <= e && *n < max) {
        const char *q = memchr(p, sep, (size_t)(e - p));
        if (!q)
            q = e;
        out[(*n)++] = lr_s(p, (size_t)(q - p));
        p = q + 1;
    }
}

static bool tsv_rec(mm_logrec *r, const zstate *z, const char *p, size_t n, zrec *x)
{
    lr_str cols[MAX_COLS];
    int k = split_cols(p, n, z->sep, cols, MAX_COLS);
    memset(x, 0, sizeof *x);
    for (int f = 0; f < F_COUNT; f++) {
        int i = z->idx[f];
        if (i >= 0 && i < k && !is_unset(z, cols[i]))
            x->v[f] = cols[i];
    }
    if (x->v[F_ANSWERS].n) {
        split_set(x->v[F_ANSWERS], z->set_sep, x->ans, &x->n_ans, LR_MAX_ANSWERS);
        for (int i = 0; i < x->n_ans; i++)
            x->ans[i] = unescape_tsv(r, x->ans[i]);
    }
    if (x->v[F_TTLS].n) {
        lr_str t[LR_MAX_ANSWERS];
        split_set(x->v[F_TTLS], z->set_sep, t, &x->n_ttl, LR_MAX_ANSWERS);
        for (int i = 0; i < x->n_ttl; i++)
            x->ttl[i] = ttl_of(t[i]);
    }
    x->v[F_QUERY] = unescape_tsv(r, x->v[F_QUERY]);
    return k >= 2;
}

/* --- JSON --- */

typedef struct jcur {
    const char *p, *e;
} jcur;

static void jws(jcur *c)
{
    while (c->p < c->e && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
        c->p++;
}

/* A string at c (after its opening quote is checked): its raw content. */
static bool jstring(jcur *c, lr_str *s)
{
    if (c->p >= c->e || *c->p != '"')
        return false;
    const char *st = ++c->p;
    while (c->p < c->e && *c->p != '"') {
        if (*c->p == '\\')
            c->p++;
        c->p++;
    }
    if (c->p >= c->e)
        return false;
    *s = lr_s(st, (size_t)(c->p - st));
    c->p++;
    return true;
}

/* Skips any value; its raw text in *raw (a string without quotes). */
static bool jvalue(jcur *c, lr_str *raw, bool *is_str, int depth)
{
    jws(c);
    *is_str = false;
    if (c->p >= c->e || depth > 8)
        return false;
    if (*c->p == '"') {
        *is_str = true;
        return jstring(c, raw);
    }
    const char *st = c->p;
    if (*c->p == '[' || *c->p == '{') {
        char close = *c->p == '[' ? ']' : '}';
        c->p++;
        jws(c);
        if (c->p < c->e && *c->p == close) {
            c->p++;
            *raw = lr_s(st, (size_t)(c->p - st));
            return true;
        }
        for (int guard = 0; guard < 100000; guard++) {
            lr_str t;
            bool s;
            jws(c);
            if (close == '}') {
                if (!jstring(c, &t))
                    return false;
                jws(c);
                if (c->p >= c->e || *c->p != ':')
                    return false;
                c->p++;
            }
            if (!jvalue(c, &t, &s, depth + 1))
                return false;
            jws(c);
            if (c->p < c->e && *c->p == ',') {
                c->p++;
                continue;
            }
            if (c->p < c->e && *c->p == close) {
                c->p++;
                *raw = lr_s(st, (size_t)(c->p - st));
                return true;
            }
            return false;
        }
        return false;
    }
    while (c->p < c->e && *c->p != ',' && *c->p != '}' && *c->p != ']' && *c->p != ' ')
        c->p++;
    *raw = lr_s(st, (size_t)(c->p - st));
    return raw->n > 0;
}

/* The elements of an array's raw text (strings without quotes). */
static void jarray(mm_logrec *r, lr_str raw, lr_str *out, int *n, int max, bool strings)
{
    *n = 0;
    jcur c = {raw.p + 1, raw.p + raw.n - 1};
    while (*n < max) {
        jws(&c);
        if (c.p >= c.e)
            return;
        lr_str v;
        bool s;
        if (!jvalue(&c, &v, &s, 1))
            return;
        out[(*n)++] = strings && s ? unescape_json(r, v) : v;
        jws(&c);
        if (c.p < c.e && *c.p == ',')
            c.p++;
    }
}

static int field_of(lr_str key, const char *prefix)
{
    for (int f = 0; f < F_COUNT; f++) {
        const char *name = field_names[f];
        if (prefix) {
            size_t pl = strlen(prefix);
            if (strncmp(name, prefix, pl) != 0)
                continue;
            name += pl;
        }
        if (lr_eq(key, name))
            return f;
    }
    return -1;
}

static bool json_obj(mm_logrec *r, jcur *c, zrec *x, const char *prefix, int depth)
{
    jws(c);
    if (c->p >= c->e || *c->p != '{' || depth > 2)
        return false;
    c->p++;
    for (int guard = 0; guard < 4096; guard++) {
        jws(c);
        if (c->p < c->e && *c->p == '}') {
            c->p++;
            return true;
        }
        lr_str key, raw;
        bool s;
        if (!jstring(c, &key))
            return false;
        jws(c);
        if (c->p >= c->e || *c->p != ':')
            return false;
        c->p++;
        jws(c);
        if (!prefix && lr_eq(key, "id") && c->p < c->e && *c->p == '{') {
            if (!json_obj(r, c, x, "id.", depth + 1))
                return false;
        } else {
            if (!jvalue(c, &raw, &s, depth + 1))
                return false;
            int f = field_of(key, prefix);
            if (!prefix && lr_eq(key, "_path"))
                x->path = raw;
            if (f == F_ANSWERS && raw.n && raw.p[0] == '[') {
                jarray(r, raw, x->ans, &x->n_ans, LR_MAX_ANSWERS, true);
            } else if (f == F_TTLS && raw.n && raw.p[0] == '[') {
                lr_str t[LR_MAX_ANSWERS];
                jarray(r, raw, t, &x->n_ttl, LR_MAX_ANSWERS, false);
                for (int i = 0; i < x->n_ttl; i++)
                    x->ttl[i] = ttl_of(t[i]);
            } else if (f >= 0 && !lr_eq(raw, "null")) {
                x->v[f] = s ? unescape_json(r, raw) : raw;
            }
        }
        jws(c);
        if (c->p < c->e && *c->p == ',')
            c->p++;
    }
    return false;
}

/* --- the record --- */

static bool epoch_time(mm_logrec *r, lr_str t)
{
    size_t i = 0;
    while (i < t.n && t.p[i] >= '0' && t.p[i] <= '9')
        i++;
    int64_t sec;
    if (!i || i > 12 || !lr_num(t.p, i, &sec))
        return false;
    int64_t us = 0;
    if (i < t.n) {
        if (t.p[i] != '.')
            return false;
        int k = 0;
        for (i++; i < t.n; i++) {
            if (t.p[i] < '0' || t.p[i] > '9')
                return false;
            if (k < 6) {
                us = us * 10 + (t.p[i] - '0');
                k++;
            }
        }
        while (k++ < 6)
            us *= 10;
    }
    r->ts_us = sec * 1000000 + us;
    r->tzoff = 0;
    r->has_ts = true;
    return true;
}

static bool rec_time(mm_logctx *cx, mm_logrec *r, lr_str t)
{
    if (!t.n)
        return false;
    if (epoch_time(r, t))
        return true;
    /* ISO 8601: "2020-06-05T14:39:59.306059Z" */
    lr_syslog s;
    lr_syslog_parse(t.p, t.n, &s);
    if (!s.ok || !s.has_year)
        return false;
    lr_set_time(cx, r, s.year, s.mon, s.day, s.hour, s.min, s.sec, s.usec, s.has_zone, s.zone);
    return r->has_ts;
}

static bool name_type(lr_str qtype)
{
    static const char *const t[] = {"PTR", "NS", "MX", "SRV", "CNAME", "DNAME", "SOA"};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (lr_eq(qtype, t[i]))
            return true;
    return false;
}

static int build(mm_logctx *cx, mm_logrec *r, zrec *x)
{
    if (!x->v[F_QUERY].n && !x->v[F_ORIG_H].n)
        return LR_SKIP;
    if (!rec_time(cx, r, x->v[F_TS]))
        return lr_bad(cx, "time '%.*s'", (int)(x->v[F_TS].n > 40 ? 40 : x->v[F_TS].n),
                      x->v[F_TS].p);
    if (!lr_ip(x->v[F_ORIG_H].p, x->v[F_ORIG_H].n, &r->src_ip))
        return lr_bad(cx, "id.orig_h '%.*s'", (int)(x->v[F_ORIG_H].n > 60 ? 60 : x->v[F_ORIG_H].n),
                      x->v[F_ORIG_H].p);
    if (x->v[F_ORIG_P].n && !lr_port(x->v[F_ORIG_P].p, x->v[F_ORIG_P].n, &r->src_port))
        return lr_bad(cx, "id.orig_p");
    if (x->v[F_RESP_H].n && !lr_ip(x->v[F_RESP_H].p, x->v[F_RESP_H].n, &r->dest_ip))
        return lr_bad(cx, "id.resp_h");
    if (x->v[F_RESP_P].n && !lr_port(x->v[F_RESP_P].p, x->v[F_RESP_P].n, &r->dest_port))
        return lr_bad(cx, "id.resp_p");
    if (x->v[F_PROTO].n) {
        r->proto = lr_proto(x->v[F_PROTO].p, x->v[F_PROTO].n);
        if (!r->proto)
            r->proto_text = x->v[F_PROTO];
    }
    lr_str q = x->v[F_QUERY];
    if (q.n > 1 && q.p[q.n - 1] == '.')
        q.n--;
    r->dns.rrname = q;
    r->dns.rrtype = x->v[F_QTYPE_NAME].n ? x->v[F_QTYPE_NAME] : x->v[F_QTYPE];
    if (x->v[F_RCODE_NAME].n) {
        r->dns.type = "answer";
        r->dns.rcode = x->v[F_RCODE_NAME];
    } else {
        r->dns.type = "query";
    }
    lr_str owner = q;
    for (int i = 0; i < x->n_ans && r->dns.n_answers < LR_MAX_ANSWERS; i++) {
        lr_str a = x->ans[i];
        if (!a.n)
            continue;
        lr_answer *an = &r->dns.answers[r->dns.n_answers++];
        an->rrname = owner;
        an->ttl = i < x->n_ttl ? x->ttl[i] : -1;
        mm_ip ip;
        if (lr_ip(a.p, a.n, &ip)) {
            an->rrtype = ip.v == 4 ? lr_s("A", 1) : lr_s("AAAA", 4);
            an->rdata = a;
        } else if ((lr_starts(a.p, a.n, "TXT ") || lr_starts(a.p, a.n, "SPF ")) && a.n > 4) {
            /* "TXT 12 hello world" */
            an->rrtype = lr_s(a.p, 3);
            const char *s = a.p + 4, *e = a.p + a.n;
            const char *d = s;
            while (d < e && *d >= '0' && *d <= '9')
                d++;
            if (d > s && d < e && *d == ' ')
                s = d + 1;
            an->rdata = lr_s(s, (size_t)(e - s));
        } else if (a.p[0] == '<') {
            an->rdata = a;   /* "<unknown type=65>" and the like */
        } else {
            lr_str t = r->dns.rrtype;
            an->rrtype = name_type(t) ? t : lr_s("CNAME", 5);
            if (a.n > 1 && a.p[a.n - 1] == '.')
                a.n--;
            an->rdata = a;
            if (lr_eq(an->rrtype, "CNAME"))
                owner = a;
        }
    }
    return LR_OK;
}

/* --- probe and parse --- */

static bool json_dns(const char *p, size_t n)
{
    return n > 2 && p[0] == '{' && lr_find(p, n, "\"query\"") &&
           (lr_find(p, n, "\"qtype_name\"") || lr_find(p, n, "\"trans_id\""));
}

static bool probe(const lr_line *l)
{
    const char *p = l->p;
    size_t n = l->n;
    if (n && p[0] == '#') {
        if (lr_starts(p, n, "#path") && n >= 9 && memcmp(p + n - 3, "dns", 3) == 0 &&
            (p[n - 4] == '\t' || p[n - 4] == ' '))
            return true;
        return lr_starts(p, n, "#fields") && lr_find(p, n, "qtype_name") && lr_find(p, n, "query");
    }
    if (json_dns(p, n))
        return true;
    /* a data line in the default order */
    lr_str cols[24];
    if (split_cols(p, n, '\t', cols, 24) < 24)
        return false;
    return (lr_eq(cols[6], "udp") || lr_eq(cols[6], "tcp")) &&
           (lr_starts(cols[11].p, cols[11].n, "C_") || lr_eq(cols[11], "-")) &&
           memchr(cols[0].p, '.', cols[0].n) != NULL;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    zstate *z = state_of(cx);
    if (!z)
        return LR_SKIP;
    const char *p = l->p;
    size_t n = l->n;
    if (n && p[0] == '#') {
        header_line(z, p, n);
        return LR_SKIP;
    }
    zrec x;
    if (n && p[0] == '{') {
        memset(&x, 0, sizeof x);
        jcur c = {p, p + n};
        if (!json_obj(r, &c, &x, NULL, 0))
            return json_dns(p, n) ? lr_bad(cx, "JSON object cut short or malformed") : LR_SKIP;
        if (x.path.n && !lr_eq(x.path, "dns"))
            return LR_SKIP;
        if (!x.v[F_QUERY].n && !x.v[F_QTYPE_NAME].n && !x.v[F_RCODE_NAME].n)
            return LR_SKIP;
        return build(cx, r, &x);
    }
    if (z->path_known && !z->path_dns)
        return LR_SKIP;
    if (z->have_fields && z->idx[F_ORIG_H] < 0)
        return LR_SKIP;
    if (!tsv_rec(r, z, p, n, &x))
        return LR_SKIP;
    if (!x.v[F_TS].n && !x.v[F_ORIG_H].n)
        return LR_SKIP;
    return build(cx, r, &x);
}

const mm_logfmt lf_zeek_dns = {
    .name = "zeek_dns",
    .event_type = "dns",
    .what = "Zeek dns.log (TSV with #fields, or JSON lines)",
    .example = "1591367999.305988\tCazOhH2qDUiJTWMCY\t192.168.4.76\t36844\t192.168.4.1\t53\t"
               "udp\t19671\t0.066852\ttestmyids.com\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\t"
               "T\t0\t31.3.245.133\t3600.000000\tF",
    .syslog = false,
    .probe = probe,
    .parse = parse,
    .free_state = free_state,
};
