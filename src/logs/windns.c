/*
 * windns.c - the Windows DNS Server debug log (dns.log, "Log packets for
 * debugging" in the DNS Manager; DNS_LOG_LEVELS in [MS-DNSP] 2.2.9.1.1).
 *
 *   1/2/2024 10:00:00 AM 0E2C PACKET  0000020F8A1C6E40 UDP Rcv 192.0.2.10
 *     a1b2   Q [0001   D   NOERROR] A      (7)example(3)com(0)
 *   1/2/2024 10:00:00 AM 0E2C PACKET  0000020F8A1C6E40 UDP Snd 192.0.2.10
 *     a1b2 R Q [8081   DR  NOERROR] A      (7)example(3)com(0)
 *
 * The fields, as the "Message logging key" at the top of every file says:
 * date, time, thread id, context, internal packet id, UDP/TCP, Snd/Rcv,
 * remote IP, xid (hex), R for a response (blank: query), opcode (Q
 * standard query, N notify, U update, ? unknown), "[" flags in hex, flag
 * letters (A authoritative, T truncated, D recursion desired, R recursion
 * available), response code "]", question type, question name in wire
 * form: each label after its length in parentheses, "(7)example(3)com(0)"
 * is "example.com" (".example.com.", as some collectors rewrite it, is
 * read too).
 *
 * A standard query received (Rcv, no R) is a "query" record whose src_ip
 * is the remote address (the client); a response sent (Snd R) is an
 * "answer" record with the rcode, src_ip the client it went to. The
 * server's own traffic to its forwarders and to other servers (Snd without
 * R, Rcv R), notify and update packets, the header and the "Details" lines
 * are skipped.
 *
 * The date and time are written in the server's locale, without a zone
 * (the reading's zone is used):
 *   YYYY-MM-DD or YYYY/MM/DD (ISO, Japanese): year, month, day;
 *   D.M.YYYY (German and others): day, month, year;
 *   A/B/YYYY: day/month when A > 12, month/day when B > 12; when both are
 *     12 or less, the order an earlier line of the same file proved, else
 *     month/day when the time has AM/PM (en-US), day/month when it is a
 *     24-hour time (en-GB, fr-FR ...).
 * The time is H:MM:SS, with AM/PM (12 AM is 00, 12 PM is 12) or 24-hour.
 */
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

typedef struct wstate {
    int order;          /* 0 unknown, 1 month/day, 2 day/month */
} wstate;

static void free_state(void *s)
{
    free(s);
}

static bool num_field(const char *p, const char *e, int *v)
{
    if (p >= e || e - p > 4)
        return false;
    int x = 0;
    for (const char *q = p; q < e; q++) {
        if (*q < '0' || *q > '9')
            return false;
        x = x * 10 + (*q - '0');
    }
    *v = x;
    return true;
}

/* Splits "a/b/c" (sep '/', '-' or '.') into three numbers. */
static bool three(lr_str w, char *sep, int v[3], int len[3])
{
    const char *p = w.p, *e = w.p + w.n;
    char s = 0;
    for (int i = 0; i < 3; i++) {
        const char *q = p;
        while (q < e && *q >= '0' && *q <= '9')
            q++;
        if (!num_field(p, q, &v[i]))
            return false;
        len[i] = (int)(q - p);
        if (i < 2) {
            if (q >= e || (*q != '/' && *q != '-' && *q != '.') || (s && *q != s))
                return false;
            s = *q;
            p = q + 1;
        } else if (q != e) {
            return false;
        }
    }
    *sep = s;
    return true;
}

/* "10:00:00" or "9:05:07" */
static bool clock_colons(lr_str w, int *h, int *m, int *s)
{
    /* three() on a copy whose ':' are '/' */
    char b[16];
    if (w.n >= sizeof b || w.n < 5)
        return false;
    for (uint32_t i = 0; i < w.n; i++)
        b[i] = w.p[i] == ':' ? '/' : w.p[i];
    lr_str t = lr_s(b, w.n);
    int v[3], len[3];
    char sep;
    if (!three(t, &sep, v, len) || sep != '/' || len[1] != 2 || len[2] != 2 || len[0] > 2)
        return false;
    *h = v[0];
    *m = v[1];
    *s = v[2];
    return *h <= 23 && *m <= 59 && *s <= 60;
}

typedef struct wline {
    int y, mo, d, h, mi, s;
    bool date_ok;
    lr_str w[24];
    int nw;
    int first;          /* the word after the time (and AM/PM) */
} wline;

static void words(const char *p, size_t n, wline *x)
{
    lr_cur c = lr_cur_of(p, n);
    x->nw = 0;
    while (x->nw < 23 && lr_word(&c, &x->w[x->nw]))
        x->nw++;
    /* the question name: the rest of the line */
    if (x->nw == 23) {
        while (c.p < c.e && (*c.p == ' ' || *c.p == '\t'))
            c.p++;
        if (c.p < c.e)
            x->w[x->nw++] = lr_s(c.p, (size_t)(c.e - c.p));
    }
}

/* The date, the time and AM/PM; x->first is set. ord: the file's order. */
static bool datetime(wline *x, int *ord)
{
    if (x->nw < 3)
        return false;
    int v[3], len[3];
    char sep;
    if (!three(x->w[0], &sep, v, len))
        return false;
    int h, mi, s;
    if (!clock_colons(x->w[1], &h, &mi, &s))
        return false;
    x->first = 2;
    lr_str ap = x->w[2];
    bool am = lr_eqi(ap, "AM"), pm = lr_eqi(ap, "PM");
    if (am || pm) {
        if (h < 1 || h > 12)
            return false;
        if (am && h == 12)
            h = 0;
        else if (pm && h != 12)
            h += 12;
        x->first = 3;
    }
    if (len[0] == 4) {
        x->y = v[0];
        x->mo = v[1];
        x->d = v[2];
    } else if (len[2] == 4) {
        x->y = v[2];
        int mo, d;
        if (sep == '.') {
            d = v[0];
            mo = v[1];
        } else if (v[0] > 12) {
            d = v[0];
            mo = v[1];
            if (ord)
                *ord = 2;
        } else if (v[1] > 12) {
            mo = v[0];
            d = v[1];
            if (ord)
                *ord = 1;
        } else if (ord && *ord) {
            mo = *ord == 1 ? v[0] : v[1];
            d = *ord == 1 ? v[1] : v[0];
        } else if (am || pm) {
            mo = v[0];
            d = v[1];
        } else {
            d = v[0];
            mo = v[1];
        }
        x->mo = mo;
        x->d = d;
    } else {
        return false;
    }
    if (x->mo < 1 || x->mo > 12 || x->d < 1 || x->d > 31 || x->y < 1970)
        return false;
    x->h = h;
    x->mi = mi;
    x->s = s;
    x->date_ok = true;
    return true;
}

static bool is_hex(lr_str w)
{
    if (w.n == 0 || w.n > 16)
        return false;
    for (uint32_t i = 0; i < w.n; i++) {
        char c = w.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/* The packet words after the time: thread, "PACKET", id, proto, dir. */
static bool packet_line(const wline *x)
{
    int f = x->first;
    return x->nw >= f + 10 && is_hex(x->w[f]) && lr_eq(x->w[f + 1], "PACKET") &&
           (lr_eq(x->w[f + 3], "UDP") || lr_eq(x->w[f + 3], "TCP")) &&
           (lr_eq(x->w[f + 4], "Snd") || lr_eq(x->w[f + 4], "Rcv"));
}

static bool probe(const lr_line *l)
{
    if (lr_starts(l->p, l->n, "DNS Server log file creation at ") ||
        lr_starts(l->p, l->n, "Message logging key (for packets"))
        return true;
    wline x;
    words(l->p, l->n, &x);
    return datetime(&x, NULL) && packet_line(&x);
}

/* "(7)example(3)com(0)" -> "example.com" into the scratch area; a name
 * some collectors rewrite as ".example.com." loses its outer dots. */
static bool name_of(mm_logrec *r, lr_str w, lr_str *out)
{
    if (w.n && w.p[0] == '.' && !memchr(w.p, '(', w.n) && !memchr(w.p, ' ', w.n)) {
        lr_str s = w;
        while (s.n > 1 && s.p[0] == '.') {
            s.p++;
            s.n--;
        }
        while (s.n > 1 && s.p[s.n - 1] == '.')
            s.n--;
        *out = s;
        return true;
    }
    char b[300];
    size_t n = 0;
    const char *p = w.p, *e = w.p + w.n;
    for (int labels = 0; labels < 128; labels++) {
        if (p >= e || *p != '(')
            return false;
        const char *q = p + 1;
        int len = 0, k = 0;
        while (q < e && *q >= '0' && *q <= '9' && k < 3) {
            len = len * 10 + (*q - '0');
            q++;
            k++;
        }
        if (k == 0 || q >= e || *q != ')' || len > 63)
            return false;
        q++;
        if (len == 0) {
            if (n == 0)
                b[n++] = '.';
            const char *k2 = lr_keep(r, b, n);
            if (!k2)
                return false;
            *out = lr_s(k2, n);
            return true;
        }
        if (e - q < len || n + (size_t)len + 1 >= sizeof b)
            return false;
        if (n)
            b[n++] = '.';
        memcpy(b + n, q, (size_t)len);
        n += (size_t)len;
        p = q + len;
    }
    return false;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    wline x;
    words(l->p, l->n, &x);
    void **slot = lr_state(cx);
    if (!*slot)
        *slot = calloc(1, sizeof(wstate));
    wstate *st = *slot;
    int ord = st ? st->order : 0;
    if (!datetime(&x, &ord))
        return LR_SKIP;
    if (st)
        st->order = ord;
    int f = x.first;
    if (x.nw < f + 2 || !lr_eq(x.w[f + 1], "PACKET"))
        return LR_SKIP;
    if (!packet_line(&x))
        return lr_bad(cx, "packet line cut short");
    lr_set_time(cx, r, x.y, x.mo, x.d, x.h, x.mi, x.s, 0, false, 0);
    r->proto = lr_eq(x.w[f + 3], "TCP") ? "TCP" : "UDP";
    bool snd = lr_eq(x.w[f + 4], "Snd");
    mm_ip ip;
    if (!lr_ip(x.w[f + 5].p, x.w[f + 5].n, &ip))
        return lr_bad(cx, "remote address '%.*s'", (int)(x.w[f + 5].n > 60 ? 60 : x.w[f + 5].n),
                      x.w[f + 5].p);
    int i = f + 7;      /* after the xid */
    bool resp = false;
    if (i < x.nw && lr_eq(x.w[i], "R")) {
        resp = true;
        i++;
    }
    if (i >= x.nw)
        return lr_bad(cx, "packet line cut short");
    lr_str opcode = x.w[i++];
    if (i >= x.nw || x.w[i].n < 2 || x.w[i].p[0] != '[')
        return lr_bad(cx, "no [flags rcode]");
    /* "[0001", flag letters, "NOERROR]" */
    lr_str rcode = {0};
    for (; i < x.nw; i++)
        if (x.w[i].n && x.w[i].p[x.w[i].n - 1] == ']') {
            rcode = lr_s(x.w[i].p, x.w[i].n - 1);
            if (rcode.n && rcode.p[0] == '[')
                rcode = (lr_str){0};
            i++;
            break;
        }
    if (i + 1 >= x.nw)
        return lr_bad(cx, "no question type and name");
    lr_str qtype = x.w[i], qname;
    /* the name is the rest of the line (a label may hold a space) */
    const char *np = x.w[i + 1].p;
    const char *ne = l->p + l->n;
    while (ne > np && (ne[-1] == ' ' || ne[-1] == '\t'))
        ne--;
    if (!lr_eq(opcode, "Q"))
        return LR_SKIP;
    if (snd != resp)
        return LR_SKIP;   /* the server's own queries and their answers */
    if (!name_of(r, lr_s(np, (size_t)(ne - np)), &qname))
        return lr_bad(cx, "question name '%.*s'", (int)((ne - np) > 60 ? 60 : (ne - np)), np);
    r->src_ip = ip;
    r->dns.rrname = qname;
    r->dns.rrtype = qtype;
    if (resp) {
        r->dns.type = "answer";
        r->dns.rcode = rcode;
    } else {
        r->dns.type = "query";
    }
    return LR_OK;
}

const mm_logfmt lf_windns = {
    .name = "windns",
    .event_type = "dns",
    .what = "Windows DNS Server debug log (dns.log packet lines)",
    .example = "1/2/2024 10:00:00 AM 0E2C PACKET  0000020F8A1C6E40 UDP Rcv 192.0.2.10      "
               "a1b2   Q [0001   D   NOERROR] A      (7)example(3)com(0)",
    .syslog = false,
    .probe = probe,
    .parse = parse,
    .free_state = free_state,
};
