/*
 * tls.c - TLS and SSL: record layer, handshake, certificates.
 *
 * Records are read per direction; handshake messages are reassembled across
 * records in a buffer of at most HS_MAX bytes. From the ClientHello: the
 * version offered, SNI, cipher suites, extensions, groups, point formats
 * and ALPN, and the JA3 fingerprint (GREASE values left out, as JA3 says);
 * from the ServerHello: the negotiated version (supported_versions for TLS
 * 1.3), cipher and JA3S; from the Certificate: the server's first
 * certificate, read by a small DER reader: subject, issuer, serial, validity
 * and SHA-1 fingerprint. Once both sides have sent ChangeCipherSpec (or the
 * server has chosen TLS 1.3), records are only counted. An SSLv2-compatible
 * ClientHello is recognised too. One tls event per flow, logged when the
 * handshake is over or the flow ends. (Heartbeat records are skipped; the
 * Heartbleed detector will read them.)
 */
#include "proto/app.h"
#include "proto/tls.h"

#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HS_MAX 65536
#define JA3_MAX 4096

typedef struct tls_dir {
    uint8_t hdr[5];
    uint8_t hdr_len;
    uint32_t rec_left;        /* body bytes of the current record still to come */
    uint8_t rec_type;
    uint16_t rec_len;         /* length of the current record */
    uint8_t rb[3];            /* first bytes of a heartbeat or alert record */
    uint8_t rb_len;
    uint8_t *hs;              /* handshake reassembly */
    uint32_t hs_len;
    bool ccs;                 /* ChangeCipherSpec seen: the rest is encrypted */
    bool lost;
} tls_dir;

/* A certificate's fields as Suricata logs them. */
typedef struct tls_cert {
    char subject[512], issuer[512], serial[128], fp[64], notbefore[24], notafter[24];
    char sans[512];           /* subjectAltName's DNS names, comma-separated (cut when long) */
    bool have;
} tls_cert;

typedef struct tls_state {
    tls_dir d[2];
    bool logged, client_hello, server_hello, tls13;
    bool hello_done;          /* the server's ServerHelloDone: its flight is over */
    uint16_t client_version, server_version;
    uint16_t client_max, cipher;  /* highest version offered; suite chosen */
    bool fallback_scsv;
    char sni[256];
    char *ja3;                /* JA3 string (allocated) */
    char *ja3s;
    uint8_t *alpn_c;          /* client ALPN list as on the wire (len-prefixed) */
    uint16_t alpn_c_len;
    char ja4[40];             /* JA4 of the ClientHello ("" when none) */
    uint8_t alpn_s[64];       /* the server's choice, as on the wire */
    uint8_t alpn_s_len;
    tls_cert cert;            /* the server's */
    bool client_cert;         /* the client's was shown to the rules */
    uint8_t csid[32];         /* the ClientHello's session id */
    uint8_t csid_len;
    bool resumed;             /* the ServerHello echoed it */
    uint64_t ts;
} tls_state;

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be24(const uint8_t *p) { return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]; }

static bool grease(uint16_t v) { return (v & 0x0F0F) == 0x0A0A && (v >> 8) == (v & 0xFF); }

static const char *version_name(uint16_t v, char *b, size_t n)
{
    switch (v) {
    case 0x0002: return "SSLv2";
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";       /* as Suricata names it */
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default:
        if ((v >> 8) == 0x7F) {
            snprintf(b, n, "TLS 1.3 draft-%u", v & 0xFF);
            return b;
        }
        return "UNDETERMINED";
    }
}

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)f;
    (void)dir;
    (void)udp;
    if (n < 3)
        return n >= 1 && (d[0] == 0x16 || d[0] >= 0x80) ? MM_PROBE_MORE : MM_PROBE_NO;
    /* a handshake record of SSLv3 to TLS 1.2 (1.3 says 1.2 here): Suricata
     * knows TLS by these three bytes alone (its detection patterns) */
    if (d[0] == 0x16 && d[1] == 3 && d[2] <= 3)
        return MM_PROBE_YES;
    /* what is left of the first records: a handshake labelled 3.4, an alert
     * (21) of any 3.x - those are checked further */
    if ((d[0] == 0x16 || d[0] == 0x15) && d[1] == 3 && d[2] <= 4) {
        if (n < 6)
            return MM_PROBE_MORE;
        uint16_t l = be16(d + 3);
        if (l == 0 || l > 16384 + 2048)
            return MM_PROBE_NO;
        if (d[0] == 0x16 && d[5] != 1 && d[5] != 2)   /* ClientHello or ServerHello first */
            return MM_PROBE_NO;
        return MM_PROBE_YES;
    }
    /* Mid-flow (the start was missed): application data, change cipher
     * spec or encrypted handshake records of TLS 1.0-1.3; when the window
     * shows where the next record starts, it must be one too. */
    if (d[0] >= 0x14 && d[0] <= 0x17 && d[1] == 3 && d[2] >= 1 && d[2] <= 4) {
        if (n < 5)
            return MM_PROBE_MORE;
        uint32_t l = be16(d + 3);
        if (l == 0 || l > 16384 + 2048)
            return MM_PROBE_NO;
        if (n >= 5 + l + 3)
            return d[5 + l] >= 0x14 && d[5 + l] <= 0x17 && d[6 + l] == 3 && d[7 + l] <= 4
                       ? MM_PROBE_YES : MM_PROBE_NO;
        return MM_PROBE_YES;
    }
    /* SSLv2-compatible ClientHello: 2-byte header with high bit, type 1, version 3.x or 2 */
    if ((d[0] & 0x80) && n >= 5 && d[2] == 1 && (d[3] == 3 || (d[3] == 0 && d[4] == 2)))
        return MM_PROBE_YES;
    return MM_PROBE_NO;
}

/* Append ",v" or "v" formatted numbers to a JA3 field. */
static void ja3_add(char *b, size_t *k, size_t cap, unsigned v, bool first)
{
    int r = snprintf(b + *k, cap - *k, first ? "%u" : "-%u", v);
    if (r > 0 && *k + (size_t)r < cap)
        *k += (size_t)r;
}

static char *md5_hex(const char *s)
{
    struct md5_ctx c;
    uint8_t d[MD5_DIGEST_SIZE];
    md5_init(&c);
    md5_update(&c, strlen(s), (const uint8_t *)s);
    md5_digest(&c, sizeof d, d);
    static _Thread_local char hx[2 * MD5_DIGEST_SIZE + 1];
    for (int i = 0; i < MD5_DIGEST_SIZE; i++)
        snprintf(hx + 2 * i, 3, "%02x", d[i]);
    return hx;
}

/* --- JA4 (FoxIO's TLS client fingerprint, JA4 part only) --- */

static int cmp_u16(const void *x, const void *y)
{
    uint16_t a = *(const uint16_t *)x, b = *(const uint16_t *)y;
    return (a > b) - (a < b);
}

/* First 12 hex digits of the SHA-256 of the values as 4-digit hex joined by
 * commas, then (tail given) "_" and the tail values the same way. */
static void ja4_hash(const uint16_t *v, size_t nv, const uint16_t *tail, size_t nt,
                     char out[13])
{
    if (nv == 0) {
        memcpy(out, "000000000000", 13);
        return;
    }
    struct sha256_ctx c;
    sha256_init(&c);
    char b[8];
    for (size_t i = 0; i < nv; i++) {
        snprintf(b, sizeof b, i ? ",%04x" : "%04x", v[i]);
        sha256_update(&c, strlen(b), (const uint8_t *)b);
    }
    /* The extension part always carries "_" before the signature
     * algorithms, even when there are none: Suricata's reading of the JA4
     * definition (its test bug-5713-02-ja4), which EVE consumers compare. */
    if (tail)
        sha256_update(&c, 1, (const uint8_t *)"_");
    for (size_t i = 0; i < nt; i++) {
        snprintf(b, sizeof b, i ? ",%04x" : "%04x", tail[i]);
        sha256_update(&c, strlen(b), (const uint8_t *)b);
    }
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&c, sizeof d, d);
    for (int i = 0; i < 6; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static char alnum_or_hex(uint8_t c, bool first)
{
    static const char hx[] = "0123456789abcdef";
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return (char)c;
    return first ? hx[c >> 4] : hx[c & 15];
}

static void ja4(tls_state *s, const uint8_t *m, uint32_t n)
{
    enum { MAXV = 128 };
    uint16_t ciphers[MAXV], exts[MAXV], sigs[MAXV];
    size_t nc = 0, ne = 0, ns = 0, next_all = 0;
    uint16_t best = 0;
    bool sni = false;
    uint8_t alpn0 = 0, alpn1 = 0;
    bool alpn = false;
    uint32_t p = 34;
    p += 1 + m[p];
    if (p + 2 > n)
        return;
    uint32_t cl = be16(m + p);
    p += 2;
    if (p + cl > n)
        return;
    for (uint32_t i = 0; i + 1 < cl; i += 2) {
        uint16_t c = be16(m + p + i);
        if (!grease(c) && nc < MAXV)
            ciphers[nc++] = c;
    }
    p += cl;
    if (p < n)
        p += 1 + m[p];
    if (p + 2 <= n) {
        uint32_t end = p + 2 + be16(m + p) > n ? n : p + 2 + be16(m + p);
        p += 2;
        while (p + 4 <= end) {
            uint16_t et = be16(m + p), len = be16(m + p + 2);
            const uint8_t *e = m + p + 4;
            if (p + 4 + len > end)
                break;
            p += 4 + len;
            if (grease(et))
                continue;
            next_all++;
            if (et == 0)
                sni = true;
            else if (et == 16) {
                if (len >= 4 && e[2] > 0 && 3u + e[2] <= len) {
                    alpn = true;
                    alpn0 = e[3];
                    alpn1 = e[2 + e[2]];
                }
            }
            if (et != 0 && et != 16 && ne < MAXV)
                exts[ne++] = et;
            if (et == 13 && len >= 2) {
                for (uint32_t i = 2; i + 1 < len && i < 2u + be16(e); i += 2)
                    if (!grease(be16(e + i)) && ns < MAXV)
                        sigs[ns++] = be16(e + i);
            } else if (et == 43 && len >= 1) {
                for (uint32_t i = 1; i + 1 < len && i < 1u + e[0]; i += 2) {
                    uint16_t v = be16(e + i);
                    if (!grease(v) && v > best)
                        best = v;
                }
            }
        }
    }
    if (!best)
        best = s->client_version;
    const char *ver = best == 0x0304 ? "13" : best == 0x0303 ? "12" : best == 0x0302 ? "11"
                    : best == 0x0301 ? "10" : best == 0x0300 ? "s3" : best == 0x0002 ? "s2"
                    : "00";
    qsort(ciphers, nc, sizeof ciphers[0], cmp_u16);
    qsort(exts, ne, sizeof exts[0], cmp_u16);
    char hb[13], hc[13];
    ja4_hash(ciphers, nc, NULL, 0, hb);
    ja4_hash(exts, ne, sigs, ns, hc);
    snprintf(s->ja4, sizeof s->ja4, "t%s%c%02zu%02zu%c%c_%s_%s", ver, sni ? 'd' : 'i',
             nc > 99 ? 99 : nc, next_all > 99 ? 99 : next_all,
             alpn ? alnum_or_hex(alpn0, true) : '0', alpn ? alnum_or_hex(alpn1, false) : '0',
             hb, hc);
}

static void client_hello(mm_app *a, tls_state *s, const uint8_t *m, uint32_t n)
{
    if (n < 38)
        return;
    s->client_hello = true;
    s->client_version = be16(m);
    ja4(s, m, n);
    uint32_t p = 34;
    uint32_t sid = m[p];
    if (sid <= sizeof s->csid && p + 1 + sid <= n) {
        memcpy(s->csid, m + p + 1, sid);
        s->csid_len = (uint8_t)sid;
    }
    p += 1 + sid;
    if (p + 2 > n)
        return;
    uint32_t cl = be16(m + p);
    p += 2;
    if (p + cl > n)
        return;
    char *ja3 = mm_app_alloc_buf(a, JA3_MAX);
    if (!ja3)
        return;
    size_t k = 0;
    int r = snprintf(ja3, JA3_MAX, "%u,", s->client_version);
    k = (size_t)r;
    bool first = true;
    for (uint32_t i = 0; i + 1 < cl; i += 2) {
        uint16_t c = be16(m + p + i);
        if (c == 0x5600)
            s->fallback_scsv = true;
        if (!grease(c)) {
            ja3_add(ja3, &k, JA3_MAX, c, first);
            first = false;
        }
    }
    p += cl;
    if (p >= n)
        goto done;
    p += 1 + m[p];                         /* compression methods */
    char groups[1024] = "", formats[256] = "";
    size_t gk = 0, fk = 0;
    if (k + 1 < JA3_MAX)
        ja3[k++] = ',';
    first = true;
    if (p + 2 <= n) {
        uint32_t el = be16(m + p);
        p += 2;
        uint32_t end = p + el > n ? n : p + el;
        while (p + 4 <= end) {
            uint16_t et = be16(m + p), len = be16(m + p + 2);
            const uint8_t *e = m + p + 4;
            if (p + 4 + len > end)
                break;
            if (!grease(et)) {
                ja3_add(ja3, &k, JA3_MAX, et, first);
                first = false;
            }
            if (et == 0 && len >= 5) {          /* server_name: first host_name */
                uint32_t nl = be16(e + 3);
                if (e[2] == 0 && 5 + nl <= len) {
                    uint32_t c = nl < sizeof s->sni - 1 ? nl : sizeof s->sni - 1;
                    memcpy(s->sni, e + 5, c);
                    s->sni[c] = 0;
                }
            } else if (et == 10 && len >= 2) {  /* supported_groups */
                bool f1 = true;
                for (uint32_t i = 2; i + 1 < len && i < 2u + be16(e); i += 2) {
                    uint16_t g = be16(e + i);
                    if (!grease(g)) {
                        ja3_add(groups, &gk, sizeof groups, g, f1);
                        f1 = false;
                    }
                }
            } else if (et == 43 && len >= 1) {  /* supported_versions */
                for (uint32_t i = 1; i + 1 < len && i <= e[0]; i += 2) {
                    uint16_t v = be16(e + i);
                    if (!grease(v) && v > s->client_max && v <= 0x0304)
                        s->client_max = v;
                }
            } else if (et == 11 && len >= 1) {  /* ec_point_formats */
                bool f1 = true;
                for (uint32_t i = 1; i < len && i <= e[0]; i++) {
                    ja3_add(formats, &fk, sizeof formats, e[i], f1);
                    f1 = false;
                }
            } else if (et == 16 && len > 2 && !s->alpn_c) {   /* ALPN */
                uint32_t al = len - 2 < 512 ? len - 2 : 512;
                if ((s->alpn_c = mm_app_alloc_buf(a, 512))) {
                    memcpy(s->alpn_c, e + 2, al);
                    s->alpn_c_len = (uint16_t)al;
                }
            }
            p += 4 + len;
        }
    }
    snprintf(ja3 + k, JA3_MAX - k, ",%s,%s", groups, formats);
done:
    s->ja3 = ja3;
}

static void server_hello(mm_app *a, tls_state *s, const uint8_t *m, uint32_t n)
{
    if (n < 38)
        return;
    s->server_hello = true;
    s->server_version = be16(m);
    uint32_t p = 34;
    /* a session id equal to the client's: a resumed session (Suricata's
     * SESSION_RESUMED; TLS 1.3's echo of it too, never logged) */
    uint32_t sid = m[p];
    if (sid && sid == s->csid_len && p + 1 + sid <= n && !memcmp(m + p + 1, s->csid, sid))
        s->resumed = true;
    p += 1 + m[p];
    if (p + 3 > n)
        return;
    uint16_t cipher = be16(m + p);
    s->cipher = cipher;
    p += 3;                                /* cipher, compression */
    char *ja3s = mm_app_alloc_buf(a, 1024);
    if (!ja3s)
        return;
    size_t k = (size_t)snprintf(ja3s, 1024, "%u,%u,", s->server_version, cipher);
    bool first = true;
    if (p + 2 <= n) {
        uint32_t el = be16(m + p);
        p += 2;
        uint32_t end = p + el > n ? n : p + el;
        while (p + 4 <= end) {
            uint16_t et = be16(m + p), len = be16(m + p + 2);
            if (p + 4 + len > end)
                break;
            ja3_add(ja3s, &k, 1024, et, first);
            first = false;
            if (et == 43 && len == 2)          /* supported_versions: the real version */
                s->server_version = be16(m + p + 4);
            if (et == 16 && len > 2) {         /* ALPN: the protocol chosen */
                uint32_t al = len - 2u < sizeof s->alpn_s ? len - 2u : sizeof s->alpn_s;
                memcpy(s->alpn_s, m + p + 6, al);
                s->alpn_s_len = (uint8_t)al;
            }
            p += 4 + len;
        }
    }
    s->ja3s = ja3s;
    if (s->server_version == 0x0304 || (s->server_version >> 8) == 0x7F)
        s->tls13 = true;
}

/* An ALPN protocol list (each name preceded by its length) as an array. */
static void alpns(mm_json *j, const char *key, const uint8_t *p, uint32_t n)
{
    mj_arr_open(j, key);
    for (uint32_t i = 0; i < n;) {
        uint32_t l = p[i++];
        if (l == 0 || l > n - i)
            break;
        mj_strn(j, NULL, (const char *)p + i, l);
        i += l;
    }
    mj_arr_close(j);
}

/* ---- a small DER reader for X.509 ---- */

typedef struct der {
    const uint8_t *p, *end;
} der;

/* Next element: tag, and its content in c. False at the end or when broken. */
static bool der_next(der *d, uint8_t *tag, der *c)
{
    if (d->end - d->p < 2)
        return false;
    *tag = d->p[0];
    const uint8_t *q = d->p + 1;
    size_t len = *q++;
    if (len & 0x80) {
        unsigned nb = len & 0x7F;
        if (nb == 0 || nb > 4 || (size_t)(d->end - q) < nb)
            return false;
        len = 0;
        for (unsigned i = 0; i < nb; i++)
            len = len << 8 | *q++;
    }
    if ((size_t)(d->end - q) < len)
        return false;
    c->p = q;
    c->end = q + len;
    d->p = q + len;
    return true;
}

static const char *attr_name(const uint8_t *oid, size_t n)
{
    static const struct { uint8_t o[9]; uint8_t n; const char *name; } t[] = {
        {{0x55, 0x04, 0x03}, 3, "CN"}, {{0x55, 0x04, 0x06}, 3, "C"},
        {{0x55, 0x04, 0x07}, 3, "L"}, {{0x55, 0x04, 0x08}, 3, "ST"},
        {{0x55, 0x04, 0x0A}, 3, "O"}, {{0x55, 0x04, 0x0B}, 3, "OU"},
        {{0x55, 0x04, 0x05}, 3, "serialNumber"},
        /* PKCS #9 emailAddress: "Email", as Suricata 7 writes it (its
         * x509-parser's name; suricata-verify sslv2-tls-upgrade-01) */
        {{0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01}, 9, "Email"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].n == n && memcmp(t[i].o, oid, n) == 0)
            return t[i].name;
    return NULL;
}

/* Name -> "C=US, O=Org, CN=host" (attribute order as in the certificate). */
static void der_name(der nm, char *out, size_t outn)
{
    size_t k = 0;
    out[0] = 0;
    uint8_t tag;
    der set, seq, oid, val;
    while (der_next(&nm, &tag, &set)) {
        while (der_next(&set, &tag, &seq)) {
            if (!der_next(&seq, &tag, &oid) || tag != 0x06 || !der_next(&seq, &tag, &val))
                continue;
            const char *an = attr_name(oid.p, (size_t)(oid.end - oid.p));
            char abuf[16];
            if (!an) {
                snprintf(abuf, sizeof abuf, "OID");
                an = abuf;
            }
            int r = snprintf(out + k, outn - k, "%s%s=", k ? ", " : "", an);
            if (r < 0 || k + (size_t)r >= outn)
                return;
            k += (size_t)r;
            for (const uint8_t *c = val.p; c < val.end && k + 1 < outn; c++)
                out[k++] = (char)*c;
            out[k] = 0;
        }
    }
}

/* UTCTime / GeneralizedTime -> "YYYY-MM-DDTHH:MM:SS" */
static void der_time(uint8_t tag, der t, char out[24])
{
    size_t n = (size_t)(t.end - t.p);
    const uint8_t *c = t.p;
    char y[5];
    if (tag == 0x17 && n >= 12) {
        int yy = (c[0] - '0') * 10 + (c[1] - '0');
        snprintf(y, sizeof y, "%04d", yy < 50 ? 2000 + yy : 1900 + yy);
        c += 2;
    } else if (tag == 0x18 && n >= 14) {
        memcpy(y, c, 4);
        y[4] = 0;
        c += 4;
    } else {
        out[0] = 0;
        return;
    }
    snprintf(out, 24, "%s-%c%c-%c%cT%c%c:%c%c:%c%c", y, c[0], c[1], c[2], c[3], c[4], c[5],
             c[6], c[7], c[8], c[9]);
}

/* Is the header of the DER element at c, or of the first one inside it
 * (the certificate and its tbsCertificate), cut short (its length field
 * not all there)? A header that is whole but claims more content than
 * there is is an invalid certificate instead, as Suricata tells them. */
static bool der_header_cut(const uint8_t *c, uint32_t n)
{
    for (int depth = 0; depth < 2; depth++) {
        if (n < 2)
            return true;
        uint64_t len = c[1], hdr = 2;
        if (c[1] & 0x80) {
            unsigned k = c[1] & 0x7F;
            if (k == 0 || k > 4 || n < 2 + k)
                return true;
            len = 0;
            for (unsigned i = 0; i < k; i++)
                len = len << 8 | c[2 + i];
            hdr += k;
        }
        if (hdr + len > n)
            return false;
        c += hdr;               /* into its content */
        n = (uint32_t)len;
    }
    return false;
}

#define CHAIN_MAX 16            /* certificates of a chain given to the rules */

/* Parses certificate c[0..n) into s; every subjectAltName DNS name also
 * goes, comma-separated, into names_out[0..alln) (NULL: only s->sans, cut when
 * long), for the observers that match names. */
static void certificate(tls_cert *s, const uint8_t *c, uint32_t n, char *names_out, size_t alln)
{
    struct sha1_ctx sc;
    uint8_t dg[SHA1_DIGEST_SIZE];
    sha1_init(&sc);
    sha1_update(&sc, n, c);
    sha1_digest(&sc, sizeof dg, dg);
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < SHA1_DIGEST_SIZE; i++) {       /* "aa:bb:..." (59 chars) */
        s->fp[3 * i] = hx[dg[i] >> 4];
        s->fp[3 * i + 1] = hx[dg[i] & 15];
        s->fp[3 * i + 2] = i + 1 < SHA1_DIGEST_SIZE ? ':' : 0;
    }

    der all = {c, c + n}, cert, tbs, e;
    uint8_t tag;
    if (!der_next(&all, &tag, &cert) || tag != 0x30 || !der_next(&cert, &tag, &tbs) || tag != 0x30)
        return;
    if (!der_next(&tbs, &tag, &e))
        return;
    if (tag == 0xA0 && !der_next(&tbs, &tag, &e))   /* [0] version, then serial */
        return;
    if (tag != 0x02)
        return;
    size_t sk = 0;
    for (const uint8_t *q = e.p; q < e.end && sk + 4 < sizeof s->serial; q++)
        sk += (size_t)snprintf(s->serial + sk, sizeof s->serial - sk, sk ? ":%02X" : "%02X",
                               *q);
    if (!der_next(&tbs, &tag, &e))                  /* signature algorithm */
        return;
    if (!der_next(&tbs, &tag, &e) || tag != 0x30)   /* issuer */
        return;
    der_name(e, s->issuer, sizeof s->issuer);
    der val;
    if (!der_next(&tbs, &tag, &val) || tag != 0x30) /* validity */
        return;
    der t;
    if (der_next(&val, &tag, &t))
        der_time(tag, t, s->notbefore);
    if (der_next(&val, &tag, &t))
        der_time(tag, t, s->notafter);
    if (!der_next(&tbs, &tag, &e) || tag != 0x30)   /* subject */
        return;
    der_name(e, s->subject, sizeof s->subject);
    s->have = true;
    /* subjectPublicKeyInfo, the optional unique ids, then [3] extensions:
     * subjectAltName (2.5.29.17) gives the names the certificate covers */
    static const uint8_t san_oid[] = {0x55, 0x1D, 0x11};
    der exts, ext, oid, v, names, gn;
    s->sans[0] = 0;
    char *out = names_out;
    if (!out || alln < sizeof s->sans) {
        out = s->sans;
        alln = sizeof s->sans;
    }
    out[0] = 0;
    while (der_next(&tbs, &tag, &e)) {
        if (tag != 0xA3 || !der_next(&e, &tag, &exts) || tag != 0x30)
            continue;
        while (der_next(&exts, &tag, &ext)) {
            if (!der_next(&ext, &tag, &oid) || tag != 0x06 || oid.end - oid.p != 3 ||
                memcmp(oid.p, san_oid, 3) != 0)
                continue;
            if (!der_next(&ext, &tag, &v))
                break;
            if (tag == 0x01 && !der_next(&ext, &tag, &v))   /* critical */
                break;
            if (tag != 0x04 || !der_next(&v, &tag, &names) || tag != 0x30)
                break;
            size_t k = 0, cut = 0;
            while (der_next(&names, &tag, &gn)) {
                size_t l = (size_t)(gn.end - gn.p);
                if (tag != 0x82 || !l || k + l + 2 > alln)
                    continue;           /* dNSName only; what does not fit is left out */
                if (k)
                    out[k++] = ',';
                for (size_t i = 0; i < l; i++)   /* IA5: a comma would split a name */
                    out[k++] = gn.p[i] == ',' || gn.p[i] < 0x20 ? '?' : (char)gn.p[i];
                out[k] = 0;
                if (k < sizeof s->sans)
                    cut = k;            /* the whole names that fit the logged copy */
            }
            if (out != s->sans) {
                memcpy(s->sans, out, cut);
                s->sans[cut] = 0;
            }
            break;
        }
    }
}

static void log_tls(mm_app *a, mm_flow *f, tls_state *s)
{
    if (s->logged || !(s->client_hello || s->server_hello))
        return;
    s->logged = true;
    char vb[32];
    mm_json *j = mm_app_event_begin(a, f, s->ts, "tls", MM_TO_SERVER, false);
    mj_obj_open(j, "tls");
    if (s->cert.have) {
        mj_str(j, "subject", s->cert.subject);
        mj_str(j, "issuerdn", s->cert.issuer);
        mj_str(j, "serial", s->cert.serial);
        mj_str(j, "fingerprint", s->cert.fp);
        if (s->cert.notbefore[0]) mj_str(j, "notbefore", s->cert.notbefore);
        if (s->cert.notafter[0]) mj_str(j, "notafter", s->cert.notafter);
    }
    /* resumed: logged when no certificate came and not TLS 1.3, as Suricata */
    if (s->resumed && !s->cert.have && s->server_hello && !s->tls13)
        mj_bool(j, "session_resumed", true);
    if (s->sni[0])
        mj_str(j, "sni", s->sni);
    uint16_t v = s->server_hello ? s->server_version : s->client_version;
    mj_str(j, "version", version_name(v, vb, sizeof vb));
    if (s->ja3) {
        mj_obj_open(j, "ja3");
        mj_str(j, "hash", md5_hex(s->ja3));
        mj_str(j, "string", s->ja3);
        mj_obj_close(j);
    }
    if (s->ja3s) {
        mj_obj_open(j, "ja3s");
        mj_str(j, "hash", md5_hex(s->ja3s));
        mj_str(j, "string", s->ja3s);
        mj_obj_close(j);
    }
    if (s->ja4[0])
        mj_str(j, "ja4", s->ja4);
    if (s->alpn_c)
        alpns(j, "client_alpns", s->alpn_c, s->alpn_c_len);
    if (s->alpn_s_len)
        alpns(j, "server_alpns", s->alpn_s, s->alpn_s_len);
    if (s->client_hello) {
        mj_obj_open(j, "client_handshake");
        mj_str(j, "version", version_name(s->client_version, vb, sizeof vb));
        mj_obj_close(j);
    }
    mj_obj_close(j);
    mm_app_event_end(a, f);
}

/* A hello's random (after its 2-byte version) for tls.random, and its
 * first 4 and last 28 bytes for tls.random_time and tls.random_bytes, as
 * Suricata names them. */
static int hello_random(mm_obs_buf *o, const uint8_t *b, uint32_t bl)
{
    if (bl < 34)
        return 0;
    o[0] = (mm_obs_buf){MM_BUF_TLS_RANDOM, b + 2, 32};
    o[1] = (mm_obs_buf){MM_BUF_TLS_RANDOM_TIME, b + 2, 4};
    o[2] = (mm_obs_buf){MM_BUF_TLS_RANDOM_BYTES, b + 6, 28};
    return 3;
}

static void handshake(mm_app *a, mm_flow *f, tls_state *s, int dir, const uint8_t *m, uint32_t n,
                      uint64_t ts)
{
    /* m: one complete handshake message (type, 3-byte length, body) */
    uint8_t type = m[0];
    const uint8_t *b = m + 4;
    uint32_t bl = n - 4;
    if (type == 1 && dir == MM_TO_SERVER && !s->client_hello) {
        client_hello(a, s, b, bl);
        if (s->client_hello) {
            mm_obs_tls_hello o = {.version = s->client_version,
                                  .max_version = s->client_max > s->client_version
                                                     ? s->client_max : s->client_version,
                                  .fallback_scsv = s->fallback_scsv, .sni = s->sni,
                                  .ja3 = s->ja3 ? md5_hex(s->ja3) : "", .ja4 = s->ja4};
            mm_app_observe(a, f, dir, MM_OBS_TLS_HELLO, &o, ts);
            if (s->sni[0]) {
                mm_obs_name nm = {.source = MM_NAME_SNI, .name = s->sni};
                mm_app_observe(a, f, dir, MM_OBS_NAME, &nm, ts);
            }
            mm_obs_buf ib[6];
            int nb = hello_random(ib, b, bl);
            if (s->sni[0])
                ib[nb++] = (mm_obs_buf){MM_BUF_TLS_SNI, (const uint8_t *)s->sni,
                                       (uint32_t)strlen(s->sni)};
            if (s->ja3) {
                const char *h = md5_hex(s->ja3);
                ib[nb++] = (mm_obs_buf){MM_BUF_JA3_HASH, (const uint8_t *)h, (uint32_t)strlen(h)};
                ib[nb++] = (mm_obs_buf){MM_BUF_JA3_STRING, (const uint8_t *)s->ja3,
                                       (uint32_t)strlen(s->ja3)};
            }
            mm_obs_buffers ob = {ib, nb};
            mm_app_observe(a, f, dir, MM_OBS_BUFFERS, &ob, ts);
        }
    } else if (type == 14 && dir == MM_TO_CLIENT) {
        s->hello_done = true;
    } else if (type == 2 && dir == MM_TO_CLIENT && !s->server_hello) {
        server_hello(a, s, b, bl);
        if (s->server_hello) {
            mm_obs_tls_hello o = {.server = true, .version = s->server_version,
                                  .cipher = s->cipher, .sni = s->sni,
                                  .ja3 = s->ja3s ? md5_hex(s->ja3s) : "", .ja4 = ""};
            mm_app_observe(a, f, dir, MM_OBS_TLS_HELLO, &o, ts);
            mm_obs_buf rb[3];
            mm_obs_buffers ob = {rb, hello_random(rb, b, bl)};
            mm_app_observe(a, f, dir, MM_OBS_BUFFERS, &ob, ts);
        }
    } else if (type == 11 && bl >= 6 && (dir == MM_TO_CLIENT ? !s->cert.have : !s->client_cert)) {
        /* the server's certificate (logged), or the client's (for the
         * rules only, as Suricata 7 inspects it on its side) */
        tls_cert cc;
        tls_cert *c = &s->cert;
        if (dir == MM_TO_SERVER) {
            memset(&cc, 0, sizeof cc);
            c = &cc;
            s->client_cert = true;
        }
        uint32_t total = be24(b), first = be24(b + 3);
        /* a certificate list or a certificate longer than its message, or
         * one that is not DER: Suricata's app-layer events (tls-events.rules) */
        if (total + 3 > bl || first + 6 > bl) {
            mm_app_observe(a, f, dir, MM_OBS_APP_EVENT, "tls.certificate_invalid_length", ts);
            mm_app_observe(a, f, dir, MM_OBS_APP_EVENT, "tls.invalid_handshake_message", ts);
        } else {
            char sans_all[8192];        /* the leaf's names, all of them, for the observers */
            certificate(c, b + 6, first, sans_all, sizeof sans_all);
            if (!c->have) {
                /* a DER header cut short, or DER that does not parse */
                mm_app_observe(a, f, dir, MM_OBS_APP_EVENT,
                               der_header_cut(b + 6, first) ? "tls.certificate_invalid_length"
                                                          : "tls.invalid_certificate", ts);
                mm_app_observe(a, f, dir, MM_OBS_APP_EVENT, "tls.invalid_handshake_message", ts);
            }
            if (c->have) {
                mm_obs_buf cb[5 + CHAIN_MAX] = {
                    {MM_BUF_TLS_CERT_SUBJECT, (const uint8_t *)c->subject,
                     (uint32_t)strlen(c->subject)},
                    {MM_BUF_TLS_CERT_ISSUER, (const uint8_t *)c->issuer,
                     (uint32_t)strlen(c->issuer)},
                    {MM_BUF_TLS_CERT_SERIAL, (const uint8_t *)c->serial,
                     (uint32_t)strlen(c->serial)},
                    {MM_BUF_TLS_CERT_FINGERPRINT, (const uint8_t *)c->fp, (uint32_t)strlen(c->fp)},
                };
                /* tls.certs: each certificate of the chain (a multi-buffer,
                 * at most CHAIN_MAX); tls.cert_chain_len: how many there are */
                int nb = 4;
                uint32_t ncert = 0;
                /* the list is b[3 .. 3 + total), inside the message (checked
                 * above); each entry a 3-byte length and the certificate */
                for (uint32_t off = 3; off + 3 <= 3 + total;) {
                    uint32_t cl = be24(b + off);
                    if (cl > total - off)
                        break;
                    if (ncert < CHAIN_MAX)
                        cb[nb++] = (mm_obs_buf){MM_BUF_TLS_CERTS, b + off + 3, cl};
                    ncert++;
                    off += 3 + cl;
                }
                uint8_t chain_len[4] = {(uint8_t)(ncert >> 24), (uint8_t)(ncert >> 16),
                                        (uint8_t)(ncert >> 8), (uint8_t)ncert};
                cb[nb++] = (mm_obs_buf){MM_BUF_TLS_CERT_CHAIN_LEN, chain_len, 4};
                mm_obs_buffers ob = {cb, nb};
                mm_app_observe(a, f, dir, MM_OBS_BUFFERS, &ob, ts);
                if (dir == MM_TO_CLIENT) {
                    mm_obs_tls_cert oc = {c->subject, c->issuer, c->notbefore, sans_all, s->sni};
                    mm_app_observe(a, f, dir, MM_OBS_TLS_CERT, &oc, ts);
                }
            }
        }
    }
}

/* Heartbeat and alert records are shown to the detectors (Heartbleed: a
 * request claiming a payload longer than its record). */
static void observe_small(mm_app *a, mm_flow *f, tls_state *s, int dir, const uint8_t *d,
                          uint32_t n, uint64_t ts)
{
    tls_dir *t = &s->d[dir];
    uint32_t want = t->rec_type == 24 ? 3 : 2;
    bool enc = t->ccs;
    while (n && t->rb_len < want && !enc)
        t->rb[t->rb_len++] = *d++, n--;
    if (t->rb_len == 0xFF || (!enc && t->rb_len < want))
        return;                   /* already shown, or more to come */
    if (t->rec_type == 24) {
        mm_obs_tls_heartbeat o = {0};
        o.record_len = t->rec_len;
        o.encrypted = enc;
        if (!enc) {
            o.type = t->rb[0];
            o.payload_len = (uint16_t)(t->rb[1] << 8 | t->rb[2]);
        }
        mm_app_observe(a, f, dir, MM_OBS_TLS_HEARTBEAT, &o, ts);
    } else {
        mm_obs_tls_alert o = {0};
        o.encrypted = enc;
        if (!enc) {
            o.level = t->rb[0];
            o.desc = t->rb[1];
        }
        mm_app_observe(a, f, dir, MM_OBS_TLS_ALERT, &o, ts);
    }
    t->rb_len = 0xFF;
}

static void record(mm_app *a, mm_flow *f, tls_state *s, int dir, const uint8_t *d, uint32_t n,
                   uint64_t ts)
{
    tls_dir *t = &s->d[dir];
    switch (t->rec_type) {
    case 21:                    /* Alert */
    case 24:                    /* Heartbeat */
        observe_small(a, f, s, dir, d, n, ts);
        break;
    case 20:                    /* ChangeCipherSpec */
        t->ccs = true;
        /* both sides encrypt from now on: as Suricata's default
         * encryption-handling, content rules stop looking at the payload */
        if (s->d[0].ccs && s->d[1].ccs)
            f->encrypted = true;
        break;
    case 23:                    /* Application data */
        /* as Suricata's default encryption-handling: from the first one
         * after the ServerHello, packets' payloads are not inspected */
        if (s->server_hello)
            f->nopayload = true;
        break;
    case 22:                    /* Handshake */
        if (t->ccs)            /* after ChangeCipherSpec: encrypted */
            break;
        if (!t->hs && !(t->hs = mm_app_alloc_buf(a, HS_MAX)))
            break;
        if (t->hs_len + n > HS_MAX) {
            mm_app_error(a, f);
            t->hs_len = 0;
            break;
        }
        memcpy(t->hs + t->hs_len, d, n);
        t->hs_len += n;
        for (;;) {
            if (t->hs_len < 4)
                break;
            uint32_t ml = be24(t->hs + 1) + 4;
            if (ml > HS_MAX) {
                mm_app_error(a, f);
                t->hs_len = 0;
                break;
            }
            if (t->hs_len < ml)
                break;
            handshake(a, f, s, dir, t->hs, ml, ts);
            memmove(t->hs, t->hs + ml, t->hs_len - ml);
            t->hs_len -= ml;
        }
        break;
    default:
        break;
    }
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                  uint64_t ts)
{
    tls_state *s = st;
    tls_dir *t = &s->d[dir];
    if (!s->ts)
        s->ts = ts;
    if (!d) {                              /* gap */
        if (t->rec_left > n) {
            t->rec_left -= n;
            t->hs_len = 0;
        } else {
            t->lost = true;
        }
        return;
    }
    if (t->lost)
        return;
    /* SSLv2-compatible ClientHello (first bytes of the client) */
    if (dir == MM_TO_SERVER && !s->client_hello && t->hdr_len == 0 && t->rec_left == 0 &&
        n >= 5 && (d[0] & 0x80) && d[2] == 1) {
        s->client_hello = true;
        s->client_version = be16(d + 3);
        uint32_t rl = ((uint32_t)(d[0] & 0x7F) << 8 | d[1]) + 2;
        if (rl >= n)
            return;
        d += rl;
        n -= rl;
    }
    while (n > 0) {
        if (t->rec_left == 0) {
            uint32_t k = 5 - t->hdr_len;
            if (k > n)
                k = n;
            memcpy(t->hdr + t->hdr_len, d, k);
            t->hdr_len = (uint8_t)(t->hdr_len + k);
            d += k;
            n -= k;
            if (t->hdr_len < 5)
                return;
            t->hdr_len = 0;
            t->rec_type = t->hdr[0];
            t->rec_left = be16(t->hdr + 3);
            t->rec_len = (uint16_t)t->rec_left;
            t->rb_len = 0;
            if (t->hdr[1] != 3 && !(t->hdr[1] == 0 && t->hdr[2] == 2)) {
                t->lost = true;            /* not a TLS record: stop */
                mm_app_error(a, f);
                return;
            }
            if (t->rec_left == 0)
                continue;
        }
        uint32_t k = n < t->rec_left ? n : t->rec_left;
        record(a, f, s, dir, d, k, ts);
        t->rec_left -= k;
        d += k;
        n -= k;
    }
    if ((s->d[0].ccs && s->d[1].ccs) || (s->tls13 && s->cert.have) ||
        (s->server_hello && s->tls13 && s->d[1].hs_len == 0) || s->hello_done)
        log_tls(a, f, s);
    /* TLS 1.3: all after the ServerHello is encrypted */
    if (s->server_hello && s->tls13)
        f->encrypted = true;
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    (void)ts;
    tls_state *s = st;
    log_tls(a, f, s);
    mm_app_free(a, s->d[0].hs, HS_MAX);
    mm_app_free(a, s->d[1].hs, HS_MAX);
    if (s->ja3) mm_app_free(a, s->ja3, JA3_MAX);
    if (s->ja3s) mm_app_free(a, s->ja3s, 1024);
    if (s->alpn_c) mm_app_free(a, s->alpn_c, 512);
}

const mm_app_parser mm_parser_tls = {
    .name = "tls", .id = MM_APP_TLS, .tcp = true, .udp = false,
    .probe = probe, .state_size = sizeof(tls_state), .parse = parse, .finish = finish,
};

bool mm_tls_at_boundary(const void *st, int dir)
{
    const tls_state *s = st;
    return s->d[dir].hdr_len == 0 && s->d[dir].rec_left == 0 && !s->d[dir].lost;
}

bool mm_tls_cert_info(const uint8_t *c0, size_t n, mm_tls_certinfo *out)
{
    memset(out, 0, sizeof *out);
    if (n > UINT32_MAX)
        return false;
    tls_cert c;
    memset(&c, 0, sizeof c);
    certificate(&c, c0, (uint32_t)n, out->names, sizeof out->names);
    if (!c.have)
        return false;
    snprintf(out->subject, sizeof out->subject, "%s", c.subject);
    snprintf(out->issuer, sizeof out->issuer, "%s", c.issuer);
    snprintf(out->not_before, sizeof out->not_before, "%s", c.notbefore);
    snprintf(out->not_after, sizeof out->not_after, "%s", c.notafter);
    snprintf(out->fingerprint, sizeof out->fingerprint, "%s", c.fp);
    return true;
}
