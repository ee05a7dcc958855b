/*
 * banner.c - asking an open port who it is, and reading what it says.
 *
 * Ports where the client speaks first get an HTTP request or a TLS 1.2
 * ClientHello (1.2 at most, so that the server's certificate comes back
 * in the clear); on the others the service's own greeting is read. Only
 * the first reply is looked at, at most MM_BANNER_READ_MAX bytes.
 */
#include "exposure/banner.h"
#include "proto/tls.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const uint16_t tls_ports[] = {443, 465, 636, 853, 990, 993, 995, 3269, 4443, 5061,
                                     5986, 6443, 8443, 8883, 9443, 10000, 10443};
static const uint16_t http_ports[] = {80, 81, 591, 3000, 3128, 5000, 5800, 7070, 8000, 8008,
                                      8009, 8080, 8081, 8088, 8888, 9090, 9200};

static bool in(const uint16_t *v, size_t n, uint16_t p)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == p)
            return true;
    return false;
}

static size_t put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return 2;
}

/* A TLS 1.2 ClientHello with common suites; SNI when host is a name. */
static size_t client_hello(const char *host, uint8_t *out, size_t cap)
{
    static const uint16_t suites[] = {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009,
                                      0xc013, 0xc00a, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
                                      0x000a, 0x00ff};
    static const uint8_t groups[] = {0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d,
                                     0x00, 0x17, 0x00, 0x18};
    static const uint8_t points[] = {0x00, 0x0b, 0x00, 0x02, 0x01, 0x00};
    static const uint8_t sigalgs[] = {0x00, 0x0d, 0x00, 0x14, 0x00, 0x12, 0x04, 0x03, 0x05,
                                      0x03, 0x06, 0x03, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06,
                                      0x04, 0x01, 0x05, 0x01, 0x06, 0x01};
    size_t hl = host ? strlen(host) : 0;
    mm_ip dummy;
    if (hl > 253 || (host && mm_ip_parse(host, &dummy)))
        hl = 0;                 /* SNI carries names only */
    size_t need = 5 + 4 + 2 + 32 + 1 + 2 + sizeof suites + 2 + 2 + (hl ? 9 + hl : 0) +
                  sizeof groups + sizeof points + sizeof sigalgs;
    if (need > cap)
        return 0;
    uint8_t *p = out;
    size_t k = 0;
    p[k++] = 0x16;
    p[k++] = 0x03;
    p[k++] = 0x01;
    k += put16(p + k, (unsigned)(need - 5));
    p[k++] = 0x01;              /* ClientHello */
    p[k++] = 0;
    k += put16(p + k, (unsigned)(need - 9));
    p[k++] = 0x03;
    p[k++] = 0x03;
    randombytes_buf(p + k, 32);
    k += 32;
    p[k++] = 0;                 /* no session id */
    k += put16(p + k, sizeof suites);
    for (size_t i = 0; i < sizeof suites / sizeof *suites; i++)
        k += put16(p + k, suites[i]);
    p[k++] = 1;
    p[k++] = 0;                 /* no compression */
    size_t ext = (hl ? 9 + hl : 0) + sizeof groups + sizeof points + sizeof sigalgs;
    k += put16(p + k, (unsigned)ext);
    if (hl) {
        k += put16(p + k, 0);   /* server_name */
        k += put16(p + k, (unsigned)(hl + 5));
        k += put16(p + k, (unsigned)(hl + 3));
        p[k++] = 0;             /* host_name */
        k += put16(p + k, (unsigned)hl);
        memcpy(p + k, host, hl);
        k += hl;
    }
    memcpy(p + k, groups, sizeof groups);
    k += sizeof groups;
    memcpy(p + k, points, sizeof points);
    k += sizeof points;
    memcpy(p + k, sigalgs, sizeof sigalgs);
    k += sizeof sigalgs;
    return k;
}

mm_banner_kind mm_banner_opening(uint16_t port, const mm_ip *addr, const char *host, uint8_t *out,
                                 size_t cap, size_t *len)
{
    *len = 0;
    if (in(tls_ports, sizeof tls_ports / sizeof *tls_ports, port)) {
        *len = client_hello(host, out, cap);
        return *len ? MM_BK_TLS : MM_BK_WAIT;
    }
    if (in(http_ports, sizeof http_ports / sizeof *http_ports, port)) {
        char a[MM_IPSTR_LEN + 2], hb[MM_IPSTR_LEN];
        if (!host) {
            mm_ip_str(addr, hb);
            snprintf(a, sizeof a, addr->v == 6 ? "[%s]" : "%s", hb);
            host = a;
        }
        int n = snprintf((char *)out, cap,
                         "GET / HTTP/1.0\r\nHost: %s\r\nUser-Agent: mimamori-exposure\r\n"
                         "Accept: */*\r\nConnection: close\r\n\r\n", host);
        if (n <= 0 || (size_t)n >= cap)
            return MM_BK_WAIT;
        *len = (size_t)n;
        return MM_BK_HTTP;
    }
    return MM_BK_WAIT;
}

static const uint8_t *find(const uint8_t *d, size_t n, const char *s)
{
    size_t l = strlen(s);
    for (size_t i = 0; i + l <= n; i++)
        if (memcmp(d + i, s, l) == 0)
            return d + i;
    return NULL;
}

static uint32_t be24(const uint8_t *p) { return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]; }

/* The handshake bytes of the TLS records at the start of d (at most cap),
 * and whether an alert record came. */
static size_t tls_handshake(const uint8_t *d, size_t n, uint8_t *hs, size_t cap, bool *alert)
{
    size_t k = 0, off = 0;
    *alert = false;
    while (off + 5 <= n) {
        uint8_t type = d[off];
        size_t rl = (size_t)d[off + 3] << 8 | d[off + 4];
        if (d[off + 1] != 3)
            break;
        size_t have = n - off - 5 < rl ? n - off - 5 : rl;
        if (type == 21) {
            *alert = true;
            break;
        }
        if (type != 22)
            break;
        size_t c = have < cap - k ? have : cap - k;
        memcpy(hs + k, d + off + 5, c);
        k += c;
        if (have < rl)
            break;
        off += 5 + rl;
    }
    return k;
}

/* A certificate's text as one line: control bytes become '?'. */
static void clean(char *out, size_t cap, const char *in)
{
    size_t k = 0;
    for (; in[k] && k + 1 < cap; k++)
        out[k] = (unsigned char)in[k] < 0x20 || in[k] == 0x7F ? '?' : in[k];
    out[k] = 0;
}

/* The handshake messages: ServerHello's version, the first certificate,
 * whether the flight is complete (ServerHelloDone, or the certificate). */
static bool tls_walk(const uint8_t *hs, size_t n, mm_probe_result *r)
{
    size_t off = 0;
    bool done = false;
    while (off + 4 <= n) {
        uint8_t t = hs[off];
        size_t ml = be24(hs + off + 1);
        if (ml > n - off - 4)
            break;
        const uint8_t *m = hs + off + 4;
        if (t == 2 && ml >= 2 && r) {
            unsigned v = (unsigned)m[0] << 8 | m[1];
            const char *name = v == 0x0303 ? "TLS 1.2" : v == 0x0302 ? "TLS 1.1"
                               : v == 0x0301 ? "TLS 1.0" : v == 0x0300 ? "SSL 3.0" : "TLS";
            snprintf(r->banner, sizeof r->banner, "%s", name);
        }
        if (t == 11) {
            done = true;
            if (r && ml >= 6) {
                size_t cl = be24(m + 3);
                if (cl <= ml - 6) {
                    mm_tls_certinfo ci;
                    if (mm_tls_cert_info(m + 6, cl, &ci)) {
                        clean(r->cert_subject, sizeof r->cert_subject, ci.subject);
                        clean(r->cert_names, sizeof r->cert_names, ci.names);
                        clean(r->cert_not_after, sizeof r->cert_not_after, ci.not_after);
                    }
                }
            }
        }
        if (t == 14)
            done = true;
        off += 4 + ml;
    }
    return done;
}

bool mm_banner_enough(mm_banner_kind k, const uint8_t *d, size_t n)
{
    if (n >= MM_BANNER_READ_MAX)
        return true;
    switch (k) {
    case MM_BK_HTTP:
        return find(d, n, "\r\n\r\n") || find(d, n, "\n\n") || n >= 4096;
    case MM_BK_TLS: {
        if (n && d[0] != 0x16 && d[0] != 0x15)
            return true;        /* not TLS: nothing more to wait for */
        static _Thread_local uint8_t hs[MM_BANNER_READ_MAX];
        bool alert;
        size_t h = tls_handshake(d, n, hs, sizeof hs, &alert);
        return alert || tls_walk(hs, h, NULL);
    }
    default:
        if (n >= MM_BANNER_MAX)
            return true;
        if (n >= 5 && d[3] == 0 && d[4] == 0x0a)   /* a MySQL greeting */
            return n >= 4 + (size_t)(d[0] | d[1] << 8);
        return memchr(d, '\n', n) != NULL;
    }
}

/* The first line of d (telnet negotiation passed over), printable. */
static void first_line(const uint8_t *d, size_t n, char *out, size_t cap)
{
    size_t k = 0, i = 0;
    while (i + 2 < n && d[i] == 0xFF)             /* IAC verb option */
        i += d[i + 1] == 0xFA ? n : 3;            /* a subnegotiation: give up */
    for (; i < n && k + 1 < cap; i++) {
        if (d[i] == '\r' || d[i] == '\n') {
            if (k)
                break;
            continue;
        }
        out[k++] = d[i] >= 0x20 && d[i] < 0x7F ? (char)d[i] : '.';
    }
    out[k] = 0;
}

static bool starts(const uint8_t *d, size_t n, const char *s)
{
    size_t l = strlen(s);
    return n >= l && memcmp(d, s, l) == 0;
}

static bool contains_nocase(const char *s, const char *w)
{
    size_t l = strlen(w);
    for (; *s; s++)
        if (strncasecmp(s, w, l) == 0)
            return true;
    return false;
}

static void http_banner(const uint8_t *d, size_t n, mm_probe_result *r)
{
    snprintf(r->service, sizeof r->service, "http");
    first_line(d, n, r->banner, sizeof r->banner);
    /* the Server header, when there is one, after the status */
    size_t end = n;
    const uint8_t *hdr_end = find(d, n, "\r\n\r\n");
    if (hdr_end)
        end = (size_t)(hdr_end - d);
    for (size_t i = 0; i + 8 < end; i++) {
        if (d[i] != '\n' || strncasecmp((const char *)d + i + 1, "server:", 7) != 0)
            continue;
        size_t s = i + 8;
        while (s < end && d[s] == ' ')
            s++;
        char v[96];
        first_line(d + s, end - s, v, sizeof v);
        size_t bl = strlen(r->banner);
        if (bl + 3 < sizeof r->banner)
            snprintf(r->banner + bl, sizeof r->banner - bl, "; %s", v);
        break;
    }
}

void mm_banner_read(mm_banner_kind k, uint16_t port, const uint8_t *d, size_t n,
                    mm_probe_result *r)
{
    r->service[0] = r->banner[0] = 0;
    r->cert_subject[0] = r->cert_names[0] = r->cert_not_after[0] = 0;
    if (n == 0)
        return;
    if (n > MM_BANNER_READ_MAX)
        n = MM_BANNER_READ_MAX;
    if (n >= 3 && (d[0] == 0x16 || d[0] == 0x15) && d[1] == 3) {
        snprintf(r->service, sizeof r->service, "tls");
        static _Thread_local uint8_t hs[MM_BANNER_READ_MAX];
        bool alert;
        size_t h = tls_handshake(d, n, hs, sizeof hs, &alert);
        tls_walk(hs, h, r);
        if (alert && !r->banner[0])
            snprintf(r->banner, sizeof r->banner, "TLS alert");
        return;
    }
    if (starts(d, n, "HTTP/")) {
        http_banner(d, n, r);
        return;
    }
    if (n >= 5 && d[3] == 0 && d[4] == 0x0a) {    /* MySQL: version, NUL-ended */
        snprintf(r->service, sizeof r->service, "mysql");
        first_line(d + 5, strnlen((const char *)d + 5, n - 5), r->banner, sizeof r->banner);
        return;
    }
    first_line(d, n, r->banner, sizeof r->banner);
    const char *svc = "unknown";
    if (starts(d, n, "SSH-"))
        svc = "ssh";
    else if (starts(d, n, "220")) {
        if (contains_nocase(r->banner, "ftp"))
            svc = "ftp";
        else if (contains_nocase(r->banner, "smtp") || contains_nocase(r->banner, "mail"))
            svc = "smtp";
        else
            svc = port == 25 || port == 587 ? "smtp" : "ftp";
    }
    else if (starts(d, n, "+OK"))
        svc = "pop3";
    else if (starts(d, n, "* OK") || starts(d, n, "* PREAUTH"))
        svc = "imap";
    else if (starts(d, n, "RFB "))
        svc = "vnc";
    else if (d[0] == 0xFF)
        svc = "telnet";
    else if (starts(d, n, "-ERR") || starts(d, n, "-NOAUTH") || starts(d, n, "-DENIED"))
        svc = "redis";
    (void)k;
    snprintf(r->service, sizeof r->service, "%s", svc);
}
