/*
 * w3c.c - W3C Extended Log File Format: Microsoft IIS web logs and Blue
 * Coat / Symantec ProxySG access logs.
 *
 *   #Software: Microsoft Internet Information Services 10.0
 *   #Version: 1.0
 *   #Date: 2024-03-03 00:00:00
 *   #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username
 *            c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
 *   2024-03-03 10:00:01 192.0.2.10 GET /index.html - 443 - 198.51.100.7 Mozilla/5.0+(X11) - 200 0 0 15
 *
 * The format (W3C Working Draft WD-logfile-960323, "Extended Log File
 * Format"): directives in "#" lines, then one entry a line, its fields in
 * the order the last "#Fields:" line names them, separated by white space,
 * "-" for a field without a value, strings with spaces in double quotes;
 * date and time are UTC. Field names: c- client, s- server, r- remote,
 * cs- client to server, sc- server to client, rs- remote to server,
 * cs(Header) a request header, x- a vendor's own. IIS's fields and their
 * meaning: Microsoft's "W3C Logging" (HTTP Server API) and IIS
 * logExtFileFlags documentation; IIS writes a '+' for each space of a
 * value. ProxySG's: the SGOS "Access Logging" guide (ELFF fields
 * s-action, cs-uri-scheme, cs-host, cs-uri-port, cs-uri-path, s-hierarchy,
 * s-supplier-name, sc-filter-result, ...; values with spaces quoted).
 *
 * The #Fields line is kept in the format's state (a new one replaces it;
 * fields may come in any order; up to MAXF of them); #Software and #Date
 * are kept too (the date for logs that only have "time"). Header lines
 * are skipped. A line whose values do not match its #Fields is malformed.
 * Lines may come behind a syslog header (ProxySG sends its log by
 * syslog): the message is read when it is a "#" line or starts with a
 * date.
 *
 * Without a #Fields line (a header lost when the log was shipped), a line
 * is read with IIS's default field sets when it has their shape: 13
 * fields (IIS 6), 14 (IIS 7, + time-taken), 15 (IIS 8.5 and later, +
 * cs(Referer)) or the 22 fields of "all"; otherwise it is malformed.
 *
 * The record: event_type "proxy" when the log is ProxySG's (#Software
 * SGOS / ProxySG / Blue Coat, or proxy fields such as s-action), else
 * "web". src_ip c-ip, src_port c-port; IIS: dest_ip s-ip, dest_port
 * s-port; ProxySG: dest_ip the upstream server (r-ip, s-supplier-ip),
 * dest_port cs-uri-port. http.url cs-uri, else put together from
 * cs-uri-scheme, cs-host, cs-uri-port, cs-uri-stem/-path and cs-uri-query
 * (a CONNECT or a tcp/ssl tunnel: "host:port"); http.hostname cs-host or
 * cs(Host); http.http_method, http.protocol (cs-version), http.status,
 * http.length and proxy.bytes_in sc-bytes, proxy.bytes_out cs-bytes,
 * proxy.duration_ms time-taken (milliseconds in both), proxy.user
 * cs-username, proxy.action s-action, proxy.cache "HIT" for an s-action
 * ending in _HIT, "MISS" for one ending in _MISS or _REFRESH (TCP_NC_MISS,
 * TCP_ERR_MISS, TCP_CLIENT_REFRESH), none otherwise (TCP_DENIED,
 * TCP_TUNNELED, TCP_POLICY_REDIRECT; a "_RST" at the end is passed over);
 * proxy.peer "s-hierarchy/s-supplier-name" (dest_ip the supplier when it
 * is an address and the hierarchy is not NONE); http.http_content_type
 * rs(Content-Type); log.host s-computername (or the syslog sender).
 * Times from date and time (or #Date and time), else x-timestamp-unix.
 * Values in 'single' quotes are taken whole too (seen in exported logs).
 *
 * The probe: a #Software naming IIS or ProxySG, a #Fields with HTTP
 * fields (cs-method, cs-uri-stem, cs-uri, s-action, cs-host, or c-ip with
 * sc-status), or an entry "YYYY-MM-DD hh:mm:ss ..." with an HTTP method
 * among its first words and no syslog tag before it.
 *
 * Not ours, though W3C-shaped: Windows Firewall's pfirewall.log
 * ("#Software: Microsoft Windows Firewall", fields src-ip dst-ip ...) and
 * Exchange message tracking ("#Software: Microsoft Exchange Server",
 * comma-separated fields); IIS FTP logs (x-session, x-fullpath) are
 * skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

#define MAXF 96

enum {
    F_IGN = 0, F_DATE, F_TIME, F_EPOCH, F_CIP, F_CPORT, F_SIP, F_SPORT, F_METHOD, F_STEM,
    F_QUERY, F_URI, F_STATUS, F_SCBYTES, F_CSBYTES, F_TTAKEN, F_UA, F_REF, F_USER, F_HOST,
    F_VERSION, F_ACTION, F_SCHEME, F_UPORT, F_CTYPE, F_COMPUTER, F_RIP, F_RPORT, F_HIER,
    F_SUPNAME, F_NKINDS
};

static const struct {
    const char *name;
    uint8_t kind;
    bool proxy;                  /* a field only ProxySG writes */
    bool iis;                    /* a field only IIS writes */
} field_names[] = {
    {"date", F_DATE, false, false},
    {"time", F_TIME, false, false},
    {"x-timestamp-unix", F_EPOCH, true, false},
    {"c-ip", F_CIP, false, false},
    {"c-port", F_CPORT, false, false},
    {"s-ip", F_SIP, false, false},
    {"s-port", F_SPORT, false, false},
    {"cs-method", F_METHOD, false, false},
    {"cs-uri-stem", F_STEM, false, false},
    {"cs-uri-path", F_STEM, false, false},
    {"cs-uri-query", F_QUERY, false, false},
    {"cs-uri", F_URI, false, false},
    {"sc-status", F_STATUS, false, false},
    {"sc-bytes", F_SCBYTES, false, false},
    {"cs-bytes", F_CSBYTES, false, false},
    {"time-taken", F_TTAKEN, false, false},
    {"cs(User-Agent)", F_UA, false, false},
    {"cs(Referer)", F_REF, false, false},
    {"cs-username", F_USER, false, false},
    {"cs-host", F_HOST, false, false},
    {"cs(Host)", F_HOST, false, false},
    {"cs-version", F_VERSION, false, false},
    {"s-action", F_ACTION, true, false},
    {"cs-uri-scheme", F_SCHEME, true, false},
    {"cs-uri-port", F_UPORT, true, false},
    {"rs(Content-Type)", F_CTYPE, true, false},
    {"sc(Content-Type)", F_CTYPE, false, false},
    {"s-computername", F_COMPUTER, false, true},
    {"r-ip", F_RIP, false, false},
    {"s-supplier-ip", F_RIP, true, false},
    {"r-port", F_RPORT, false, false},
    {"s-hierarchy", F_HIER, true, false},
    {"s-supplier-name", F_SUPNAME, true, false},
    /* recognised for the choice of event type only */
    {"sc-filter-result", F_IGN, true, false},
    {"x-exception-id", F_IGN, true, false},
    {"cs-auth-group", F_IGN, true, false},
    {"cs-categories", F_IGN, true, false},
    {"sc-filter-category", F_IGN, true, false},
    {"x-virus-id", F_IGN, true, false},
    {"s-sitename", F_IGN, false, true},
    {"sc-substatus", F_IGN, false, true},
    {"sc-win32-status", F_IGN, false, true},
};

typedef struct w3c_state {
    uint16_t nf;
    uint8_t kind[MAXF];
    bool have_fields;
    bool proxy_sw, proxy_fields;  /* #Software / #Fields say ProxySG */
    bool iis_sw, iis_fields;
    bool ftp;
    int dyear, dmon, dday;        /* #Date */
} w3c_state;

/* IIS's fixed orders (the headerless fallback) */
static const uint8_t iis13[] = {F_DATE, F_TIME, F_SIP, F_METHOD, F_STEM, F_QUERY, F_SPORT,
                                F_USER, F_CIP, F_UA, F_STATUS, F_IGN, F_IGN};
static const uint8_t iis14[] = {F_DATE, F_TIME, F_SIP, F_METHOD, F_STEM, F_QUERY, F_SPORT,
                                F_USER, F_CIP, F_UA, F_STATUS, F_IGN, F_IGN, F_TTAKEN};
static const uint8_t iis15[] = {F_DATE, F_TIME, F_SIP, F_METHOD, F_STEM, F_QUERY, F_SPORT, F_USER,
                                F_CIP, F_UA, F_REF, F_STATUS, F_IGN, F_IGN, F_TTAKEN};
static const uint8_t iis22[] = {F_DATE, F_TIME,  F_IGN,   F_COMPUTER, F_SIP,   F_METHOD,
                                F_STEM, F_QUERY, F_SPORT, F_USER,     F_CIP,   F_VERSION,
                                F_UA,   F_IGN,   F_REF,   F_HOST,     F_STATUS, F_IGN,
                                F_IGN,  F_SCBYTES, F_CSBYTES, F_TTAKEN};

static const char *const methods[] = {"GET",      "POST",   "HEAD",   "PUT",    "DELETE",
                                      "OPTIONS",  "CONNECT", "PATCH", "TRACE",  "PROPFIND",
                                      "PROPPATCH", "MKCOL", "COPY",   "MOVE",   "LOCK",
                                      "UNLOCK",   "SEARCH", "REPORT", "RPC_IN_DATA",
                                      "RPC_OUT_DATA"};

static bool is_method(lr_str w)
{
    return lr_eq_any(w, methods, sizeof methods / sizeof *methods);
}

/* "2024-03-03" */
static bool ymd(const char *p, size_t n, int *y, int *m, int *d)
{
    if (n != 10 || !lr_digits(p, 4) || p[4] != '-' || !lr_digits(p + 5, 2) || p[7] != '-' ||
        !lr_digits(p + 8, 2))
        return false;
    *y = lr_num2(p) * 100 + lr_num2(p + 2);
    *m = lr_num2(p + 5);
    *d = lr_num2(p + 8);
    return *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31 && *y >= 1970;
}

/* "12-Jan-1996" (the draft's own example) */
static bool dmy(const char *p, size_t n, int *y, int *m, int *d)
{
    if (n != 11 || !lr_digits(p, 2) || p[2] != '-' || p[6] != '-' || !lr_digits(p + 7, 4))
        return false;
    *d = lr_num2(p);
    *m = lr_month(p + 3);
    *y = lr_num2(p + 7) * 100 + lr_num2(p + 9);
    return *m && *d >= 1 && *d <= 31 && *y >= 1970;
}

/* "10:00:01" or "10:00:01.123" */
static bool hms(const char *p, size_t n, int *h, int *mi, int *s, int32_t *us)
{
    if (n < 8 || !lr_digits(p, 2) || p[2] != ':' || !lr_digits(p + 3, 2) || p[5] != ':' ||
        !lr_digits(p + 6, 2))
        return false;
    *h = lr_num2(p);
    *mi = lr_num2(p + 3);
    *s = lr_num2(p + 6);
    *us = 0;
    if (n > 8) {
        if (p[8] != '.' || n == 9 || !lr_digits(p + 9, n - 9))
            return false;
        int32_t f = 0;
        size_t k = 0;
        for (size_t i = 9; i < n && k < 6; i++, k++)
            f = f * 10 + (p[i] - '0');
        for (; k < 6; k++)
            f *= 10;
        *us = f;
    }
    return *h <= 23 && *mi <= 59 && *s <= 60;
}

/* The text W3C lines are read from: the line, or the message behind a
 * syslog header when that is a directive or an entry. */
static bool starts_date(const char *p, size_t n)
{
    int y, m, d;
    return n >= 11 && p[10] == ' ' && ymd(p, 10, &y, &m, &d);
}

static lr_str body(const lr_line *l)
{
    if (l->n && (l->p[0] == '#' || starts_date(l->p, l->n)))
        return lr_s(l->p, l->n);
    const lr_syslog *s = l->sys;
    if (s->ok && s->msg_len &&
        (s->msg[0] == '#' || starts_date(s->msg, s->msg_len)))
        return lr_s(s->msg, s->msg_len);
    return lr_s(l->p, l->n);
}

/* The values of an entry: white-space separated, "quoted" (a doubled
 * quote inside) or 'quoted' values kept whole without their quotes. */
static int values(lr_str b, lr_str *v, int max, bool *more)
{
    const char *p = b.p, *e = b.p + b.n;
    int k = 0;
    *more = false;
    for (;;) {
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        if (p >= e)
            break;
        if (k == max) {
            *more = true;
            break;
        }
        if (*p == '"' || *p == '\'') {
            char qc = *p;
            const char *q = p + 1;
            while (q < e) {
                if (*q == qc) {
                    if (qc == '"' && q + 1 < e && q[1] == '"') {
                        q += 2;
                        continue;
                    }
                    if (q + 1 == e || q[1] == ' ' || q[1] == '\t')
                        break;
                }
                q++;
            }
            if (q < e) {
                v[k++] = lr_s(p + 1, (size_t)(q - p - 1));
                p = q + 1;
                continue;
            }
        }
        const char *s = p;
        while (p < e && *p != ' ' && *p != '\t')
            p++;
        v[k++] = lr_s(s, (size_t)(p - s));
    }
    return k;
}

/* --- directives --- */

static bool has_word(lr_str b, const char *w)
{
    lr_cur c = lr_cur_of(b.p, b.n);
    lr_str t;
    while (lr_word(&c, &t))
        if (lr_eqi(t, w))
            return true;
    return false;
}

static bool software_proxy(lr_str s)
{
    return lr_find(s.p, s.n, "SGOS") || lr_find(s.p, s.n, "ProxySG") ||
           lr_find(s.p, s.n, "Blue Coat") || lr_find(s.p, s.n, "BlueCoat") ||
           lr_find(s.p, s.n, "Bluecoat");
}

static bool software_ours(lr_str s)
{
    if (lr_find(s.p, s.n, "Firewall") || lr_find(s.p, s.n, "Exchange"))
        return false;
    return software_proxy(s) || lr_find(s.p, s.n, "Internet Information Services") ||
           lr_find(s.p, s.n, "H-Sphere");
}

static bool fields_ours(lr_str f)
{
    if (has_word(f, "src-ip") || has_word(f, "dst-ip") || has_word(f, "x-fullpath") ||
        has_word(f, "x-session"))
        return false;
    return has_word(f, "cs-method") || has_word(f, "cs-uri-stem") || has_word(f, "cs-uri") ||
           has_word(f, "s-action") || has_word(f, "cs-host") ||
           (has_word(f, "c-ip") && has_word(f, "sc-status"));
}

static void set_fields(w3c_state *st, lr_str f)
{
    st->nf = 0;
    st->proxy_fields = st->iis_fields = st->ftp = false;
    lr_cur c = lr_cur_of(f.p, f.n);
    lr_str t;
    while (lr_word(&c, &t)) {
        uint8_t kind = F_IGN;
        for (size_t i = 0; i < sizeof field_names / sizeof *field_names; i++)
            if (lr_eqi(t, field_names[i].name)) {
                kind = field_names[i].kind;
                st->proxy_fields |= field_names[i].proxy;
                st->iis_fields |= field_names[i].iis;
                break;
            }
        if (lr_eqi(t, "x-session") || lr_eqi(t, "x-fullpath"))
            st->ftp = true;
        if (st->nf < MAXF)
            st->kind[st->nf] = kind;
        if (st->nf < UINT16_MAX)
            st->nf++;
    }
    st->have_fields = st->nf > 0;
}

static lr_str after_colon(lr_str b)
{
    const char *c = memchr(b.p, ':', b.n);
    if (!c)
        return lr_s(b.p + b.n, 0);
    const char *p = c + 1, *e = b.p + b.n;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    return lr_s(p, (size_t)(e - p));
}

static bool starts_i(lr_str b, const char *t)
{
    size_t k = strlen(t);
    return b.n >= k && strncasecmp(b.p, t, k) == 0;
}

/* --- probe --- */

static bool probe(const lr_line *l)
{
    lr_str b = body(l);
    if (b.n < 8)
        return false;
    if (b.p[0] == '#') {
        if (starts_i(b, "#Fields:"))
            return fields_ours(after_colon(b));
        if (starts_i(b, "#Software:"))
            return software_ours(after_colon(b));
        return false;
    }
    if (!starts_date(b.p, b.n))
        return false;
    lr_cur c = lr_cur_of(b.p, b.n);
    lr_str w;
    int h, mi, s;
    int32_t us;
    lr_word(&c, &w);
    if (!lr_word(&c, &w) || !hms(w.p, w.n, &h, &mi, &s, &us))
        return false;
    /* a method among the next words; no syslog tag ("prog:") before it */
    for (int i = 2; i < 18 && lr_word(&c, &w); i++) {
        if (i < 6 && w.n && w.p[w.n - 1] == ':')
            return false;
        if (is_method(w))
            return true;
    }
    return false;
}

/* --- the record --- */

static lr_str val(lr_str v)
{
    if (v.n == 1 && v.p[0] == '-')
        v.n = 0;
    return v;
}

/* Copies pieces one after the other into the scratch area. */
static lr_str join(mm_logrec *r, const lr_str *parts, int np)
{
    size_t total = 0;
    for (int i = 0; i < np; i++)
        total += parts[i].n;
    if (total == 0 || total > sizeof r->scratch - r->scratch_len)
        return lr_s(NULL, 0);
    const char *start = r->scratch + r->scratch_len;
    for (int i = 0; i < np; i++)
        if (parts[i].n)
            lr_keep(r, parts[i].p, parts[i].n);
    return lr_s(start, total);
}

/* IIS writes '+' for the spaces of a value */
static lr_str plus_to_space(mm_logrec *r, lr_str s)
{
    if (!memchr(s.p, '+', s.n))
        return s;
    const char *k = lr_keep(r, s.p, s.n);
    if (!k)
        return s;
    char *d = r->scratch + (k - r->scratch);
    for (uint32_t i = 0; i < s.n; i++)
        if (d[i] == '+')
            d[i] = ' ';
    return lr_s(k, s.n);
}

/* "host" or "host:port" (a Host header) */
static lr_str host_only(lr_str h)
{
    const char *c = memchr(h.p, ':', h.n);
    size_t tail = c ? (size_t)(h.p + h.n - c - 1) : 0;
    if (c && !memchr(c + 1, ':', tail) && lr_digits(c + 1, tail))
        h.n = (uint32_t)(c - h.p);
    if (h.n >= 2 && h.p[0] == '[' && h.p[h.n - 1] == ']') {
        h.p++;
        h.n -= 2;
    }
    return h;
}

static const char *cache_of(lr_str a)
{
    if (a.n > 4 && memcmp(a.p + a.n - 4, "_RST", 4) == 0)
        a.n -= 4;                /* TCP_NC_MISS_RST: the same, the connection reset */
    if (a.n > 4 && memcmp(a.p + a.n - 4, "_HIT", 4) == 0)
        return "HIT";
    if ((a.n > 5 && memcmp(a.p + a.n - 5, "_MISS", 5) == 0) ||
        (a.n > 8 && memcmp(a.p + a.n - 8, "_REFRESH", 8) == 0))
        return "MISS";
    return NULL;
}

static bool iis_default_shape(const lr_str *v, const uint8_t *kind, int n)
{
    mm_ip ip;
    int y, mo, d, h, mi, s;
    int32_t us;
    for (int i = 0; i < n; i++) {
        lr_str x = v[i];
        switch (kind[i]) {
        case F_DATE:
            if (!ymd(x.p, x.n, &y, &mo, &d))
                return false;
            break;
        case F_TIME:
            if (!hms(x.p, x.n, &h, &mi, &s, &us))
                return false;
            break;
        case F_SIP:
        case F_CIP:
            if (!lr_ip(x.p, x.n, &ip))
                return false;
            break;
        case F_METHOD:
            if (!is_method(x))
                return false;
            break;
        case F_SPORT:
        case F_STATUS:
            if (!lr_digits(x.p, x.n) || x.n > 5)
                return false;
            break;
        default:
            break;
        }
    }
    return true;
}

static int entry(mm_logctx *cx, mm_logrec *r, const w3c_state *st, lr_str b)
{
    lr_str v[MAXF];
    bool more;
    int k = values(b, v, MAXF, &more);
    const uint8_t *kind;
    int nf;
    bool iis, proxy;
    if (st->have_fields) {
        if (st->ftp)
            return LR_SKIP;
        kind = st->kind;
        nf = st->nf > MAXF ? MAXF : st->nf;
        if (k != nf || (more && st->nf <= MAXF))
            return lr_bad(cx, "%d values for %u fields", more ? k + 1 : k, (unsigned)st->nf);
        iis = st->iis_sw || st->iis_fields;
        proxy = st->proxy_sw || st->proxy_fields;
    } else {
        /* no #Fields: IIS's default field sets */
        static const struct {
            const uint8_t *k;
            int n;
        } dflt[] = {{iis13, 13}, {iis14, 14}, {iis15, 15}, {iis22, 22}};
        kind = NULL;
        nf = 0;
        for (size_t i = 0; i < sizeof dflt / sizeof *dflt; i++)
            if (!more && k == dflt[i].n && iis_default_shape(v, dflt[i].k, k)) {
                kind = dflt[i].k;
                nf = k;
            }
        if (!kind)
            return lr_bad(cx, "an entry before any #Fields line");
        iis = true;
        proxy = false;
    }
    r->event_type = proxy ? "proxy" : "web";

    lr_str f[F_NKINDS];
    memset(f, 0, sizeof f);
    for (int i = 0; i < nf; i++)
        if (kind[i] != F_IGN && !f[kind[i]].n)
            f[kind[i]] = val(v[i]);

    /* time */
    int y = 0, mo = 0, d = 0, h, mi, s;
    int32_t us;
    if (f[F_DATE].n) {
        if (!ymd(f[F_DATE].p, f[F_DATE].n, &y, &mo, &d))
            return lr_bad(cx, "bad date");
    } else {
        y = st->dyear;
        mo = st->dmon;
        d = st->dday;
    }
    int64_t e;
    if (f[F_TIME].n) {
        if (!hms(f[F_TIME].p, f[F_TIME].n, &h, &mi, &s, &us))
            return lr_bad(cx, "bad time");
        if (y)
            lr_set_time(cx, r, y, mo, d, h, mi, s, us, true, 0);
    }
    if (!r->has_ts && f[F_EPOCH].n && lr_num(f[F_EPOCH].p, f[F_EPOCH].n, &e) && e < 100000000000) {
        r->ts_us = e * 1000000;
        r->tzoff = 0;
        r->has_ts = true;
    }

    /* addresses */
    if (f[F_CIP].n && !lr_ip(f[F_CIP].p, f[F_CIP].n, &r->src_ip))
        return lr_bad(cx, "bad client address (c-ip)");
    if (f[F_CPORT].n)
        lr_port(f[F_CPORT].p, f[F_CPORT].n, &r->src_port);
    if (proxy) {
        if (f[F_RIP].n)
            lr_ip(f[F_RIP].p, f[F_RIP].n, &r->dest_ip);
        if (!f[F_UPORT].n || !lr_port(f[F_UPORT].p, f[F_UPORT].n, &r->dest_port))
            if (f[F_RPORT].n)
                lr_port(f[F_RPORT].p, f[F_RPORT].n, &r->dest_port);
    } else {
        if (f[F_SIP].n)
            lr_ip(f[F_SIP].p, f[F_SIP].n, &r->dest_ip);
        if (f[F_SPORT].n)
            lr_port(f[F_SPORT].p, f[F_SPORT].n, &r->dest_port);
    }
    if (f[F_COMPUTER].n)
        r->host = f[F_COMPUTER];

    /* request */
    r->http.http_method = f[F_METHOD];
    if (f[F_VERSION].n)
        r->http.protocol = f[F_VERSION];
    if (f[F_HOST].n)
        r->http.hostname = host_only(f[F_HOST]);
    lr_str stem = f[F_STEM], query = f[F_QUERY], scheme = f[F_SCHEME];
    bool tunnel = lr_eq(f[F_METHOD], "CONNECT") || lr_eqi(scheme, "tcp") || lr_eqi(scheme, "ssl");
    if (f[F_URI].n) {
        r->http.url = f[F_URI];
        if (!r->http.hostname.n)
            lr_url_host(r->http.url, false, &r->http.hostname, NULL, NULL);
    } else if (proxy && r->http.hostname.n) {
        lr_str port = f[F_UPORT];
        if (tunnel && (!stem.n || lr_eq(stem, "/"))) {
            lr_str parts[3] = {r->http.hostname, lr_s(":", port.n ? 1 : 0), port};
            r->http.url = join(r, parts, 3);
        } else {
            bool dflt_port = !port.n || memchr(f[F_HOST].p, ':', f[F_HOST].n) ||
                             (lr_eq(port, "80") && lr_eqi(scheme, "http")) ||
                             (lr_eq(port, "443") && lr_eqi(scheme, "https"));
            bool q = query.n && query.p[0] != '?';
            lr_str parts[8] = {scheme.n ? scheme : lr_s("http", 4),
                               lr_s("://", 3),
                               f[F_HOST],
                               lr_s(":", dflt_port ? 0 : 1),
                               dflt_port ? lr_s(NULL, 0) : port,
                               stem,
                               lr_s("?", q ? 1 : 0),
                               query};
            r->http.url = join(r, parts, 8);
        }
        if (!r->http.url.n)
            r->http.url = stem;
    } else if (stem.n) {
        bool q = query.n && query.p[0] != '?';
        lr_str parts[3] = {stem, lr_s("?", q ? 1 : 0), query};
        r->http.url = query.n ? join(r, parts, 3) : stem;
        if (!r->http.url.n)
            r->http.url = stem;
    }

    /* reply */
    int64_t n;
    if (f[F_STATUS].n) {
        if (!lr_num(f[F_STATUS].p, f[F_STATUS].n, &n) || f[F_STATUS].n > 3)
            return lr_bad(cx, "bad status (sc-status)");
        if (n > 0)
            r->http.status = n;
    }
    if (f[F_SCBYTES].n && lr_num(f[F_SCBYTES].p, f[F_SCBYTES].n, &n)) {
        r->http.length = n;
        if (proxy)
            r->proxy.bytes_in = n;
    }
    if (proxy && f[F_CSBYTES].n && lr_num(f[F_CSBYTES].p, f[F_CSBYTES].n, &n))
        r->proxy.bytes_out = n;
    if (f[F_TTAKEN].n && lr_num(f[F_TTAKEN].p, f[F_TTAKEN].n, &n))
        r->proxy.duration_ms = n;
    if (f[F_UA].n)
        r->http.http_user_agent = iis ? plus_to_space(r, f[F_UA]) : f[F_UA];
    r->http.http_refer = f[F_REF];
    r->http.http_content_type = f[F_CTYPE];
    r->proxy.user = f[F_USER];
    r->proxy.action = f[F_ACTION];
    const char *cache = cache_of(f[F_ACTION]);
    if (cache)
        r->proxy.cache = lr_s(cache, strlen(cache));
    if (f[F_HIER].n && !lr_eq(f[F_HIER], "NONE")) {
        if (f[F_SUPNAME].n) {
            lr_str parts[3] = {f[F_HIER], lr_s("/", 1), f[F_SUPNAME]};
            r->proxy.peer = join(r, parts, 3);
        } else {
            r->proxy.peer = f[F_HIER];
        }
    } else if (f[F_SUPNAME].n && !f[F_HIER].n) {
        r->proxy.peer = f[F_SUPNAME];
    }
    /* the supplier is the server asked, unless the hierarchy says none was */
    if (proxy && !r->dest_ip.v && f[F_SUPNAME].n && !lr_eq(f[F_HIER], "NONE"))
        lr_ip(f[F_SUPNAME].p, f[F_SUPNAME].n, &r->dest_ip);
    return LR_OK;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    void **slot = lr_state(cx);
    w3c_state *st = *slot;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st)
            return lr_bad(cx, "out of memory");
        *slot = st;
    }
    lr_str b = body(l);
    if (b.p != l->p && l->sys->ok)
        r->host = l->sys->host;      /* sent by syslog */
    if (b.n && b.p[0] == '#') {
        if (starts_i(b, "#Fields:")) {
            set_fields(st, after_colon(b));
        } else if (starts_i(b, "#Software:")) {
            lr_str s = after_colon(b);
            st->proxy_sw = software_proxy(s);
            st->iis_sw = lr_find(s.p, s.n, "Internet Information Services") != NULL;
        } else if (starts_i(b, "#Date:")) {
            lr_str s = after_colon(b);
            lr_cur c = lr_cur_of(s.p, s.n);
            lr_str w;
            int y, m, d;
            if (lr_word(&c, &w) && (ymd(w.p, w.n, &y, &m, &d) || dmy(w.p, w.n, &y, &m, &d))) {
                st->dyear = y;
                st->dmon = m;
                st->dday = d;
            }
        }
        return LR_SKIP;
    }
    if (b.p == l->p && l->sys->ok && !starts_date(b.p, b.n))
        return LR_SKIP;            /* another message of a syslog stream */
    lr_cur c = lr_cur_of(b.p, b.n);
    lr_str w;
    if (!lr_word(&c, &w))
        return LR_SKIP;
    if (!st->have_fields && !starts_date(b.p, b.n))
        return LR_SKIP;            /* not an entry: no fields, no date */
    return entry(cx, r, st, b);
}

static void free_state(void *state)
{
    free(state);
}

const mm_logfmt lf_w3c = {
    .name = "w3c",
    .event_type = "web",
    .what = "W3C extended log format (Microsoft IIS; Blue Coat / Symantec ProxySG)",
    .example = "2024-03-03 10:00:01 192.0.2.10 GET /index.html - 443 - 198.51.100.7 "
               "Mozilla/5.0+(X11) - 200 0 0 15",
    .syslog = false,
    .probe = probe,
    .parse = parse,
    .free_state = free_state,
};
