/*
 * util.c - see util.h.
 */
#include "util/util.h"

#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool mm_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !*s)
        return false;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

bool mm_parse_size(const char *s, uint64_t *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return false;
    uint64_t v = 0;
    const char *p = s;
    while (isdigit((unsigned char)*p)) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
        p++;
    }
    uint64_t mul = 1;
    switch (tolower((unsigned char)*p)) {
    case 'k': mul = 1ULL << 10; p++; break;
    case 'm': mul = 1ULL << 20; p++; break;
    case 'g': mul = 1ULL << 30; p++; break;
    default: break;
    }
    if (mul > 1 && tolower((unsigned char)*p) == 'i')
        p++;
    if (tolower((unsigned char)*p) == 'b')
        p++;
    if (*p)
        return false;
    if (v > UINT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

void mm_fmt_ts(uint64_t ts_ns, char *out)
{
    /* The date and time part is formatted once per second (per thread). */
    static _Thread_local time_t last_sec = -1;
    static _Thread_local char last[24];
    time_t sec = (time_t)(ts_ns / 1000000000ULL);
    unsigned usec = (unsigned)((ts_ns % 1000000000ULL) / 1000ULL);
    if (sec != last_sec) {
        struct tm tm;
        if (!gmtime_r(&sec, &tm)) {
            memcpy(out, "1970-01-01T00:00:00.000000+0000", 32);
            return;
        }
        snprintf(last, sizeof last, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        last_sec = sec;
    }
    size_t l = strlen(last);
    memcpy(out, last, l);
    for (int i = 5; i >= 0; i--) {
        out[l + (size_t)i] = (char)('0' + usec % 10);
        usec /= 10;
    }
    memcpy(out + l + 6, "+0000", 6);
}

void mm_ip_str(const mm_ip *ip, char *out)
{
    if (!inet_ntop(ip->v == 6 ? AF_INET6 : AF_INET, ip->b, out, MM_IPSTR_LEN))
        mm_strcpy(out, MM_IPSTR_LEN, "?");
}

void mm_ip_str_full(const mm_ip *ip, char *out)
{
    if (ip->v != 6) {
        mm_ip_str(ip, out);
        return;
    }
    static const char hx[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i && !(i & 1))
            *o++ = ':';
        *o++ = hx[ip->b[i] >> 4];
        *o++ = hx[ip->b[i] & 15];
    }
    *o = 0;
}

bool mm_ip_parse(const char *s, mm_ip *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, s, out->b) == 1) {
        out->v = 4;
        return true;
    }
    if (inet_pton(AF_INET6, s, out->b) == 1) {
        out->v = 6;
        return true;
    }
    return false;
}

static void mask_to(mm_ip *ip, unsigned bits)
{
    unsigned total = ip->v == 4 ? 32 : 128;
    for (unsigned i = bits; i < total; i++)
        ip->b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

bool mm_netlist_parse(mm_netlist *nl, const char *list, char *err, size_t errlen)
{
    nl->v = NULL;
    nl->n = 0;
    if (!list)
        return true;
    size_t cap = 0;
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '[' || *p == ']')
            p++;
        if (!*p)
            break;
        char item[128];
        size_t k = 0;
        while (*p && *p != ',' && *p != ' ' && *p != ']') {
            if (k + 1 >= sizeof item) {
                snprintf(err, errlen, "network too long in '%s'", list);
                goto fail;
            }
            item[k++] = *p++;
        }
        item[k] = 0;
        char *slash = strchr(item, '/');
        mm_cidr c;
        if (slash)
            *slash = 0;
        if (!mm_ip_parse(item, &c.net)) {
            snprintf(err, errlen, "not an IP address: '%s'", item);
            goto fail;
        }
        unsigned max = c.net.v == 4 ? 32 : 128;
        uint64_t bits = max;
        if (slash && !mm_parse_uint(slash + 1, max, &bits)) {
            snprintf(err, errlen, "bad prefix length in '%s/%s'", item, slash + 1);
            goto fail;
        }
        c.bits = (uint8_t)bits;
        mask_to(&c.net, c.bits);
        if (nl->n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            mm_cidr *nv = realloc(nl->v, ncap * sizeof(*nv));
            if (!nv) {
                snprintf(err, errlen, "out of memory");
                goto fail;
            }
            nl->v = nv;
            cap = ncap;
        }
        nl->v[nl->n++] = c;
    }
    return true;
fail:
    mm_netlist_free(nl);
    return false;
}

bool mm_netlist_contains(const mm_netlist *nl, const mm_ip *ip)
{
    for (size_t i = 0; i < nl->n; i++) {
        const mm_cidr *c = &nl->v[i];
        if (c->net.v != ip->v)
            continue;
        unsigned full = c->bits / 8, rest = c->bits % 8;
        if (memcmp(c->net.b, ip->b, full) != 0)
            continue;
        if (rest) {
            uint8_t m = (uint8_t)(0xFF00u >> rest);
            if ((ip->b[full] & m) != c->net.b[full])
                continue;
        }
        return true;
    }
    return false;
}

void mm_netlist_free(mm_netlist *nl)
{
    free(nl->v);
    nl->v = NULL;
    nl->n = 0;
}

uint64_t mm_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

uint32_t mm_inet_sum(const uint8_t *d, size_t n, uint32_t sum)
{
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        sum += (uint32_t)d[i] << 8 | d[i + 1];
        if (sum & 0x80000000u)
            sum = (sum & 0xFFFF) + (sum >> 16);
    }
    if (i < n)
        sum += (uint32_t)d[i] << 8;
    return sum;
}

uint16_t mm_inet_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)sum;
}

uint64_t mm_wall_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

uint64_t mm_mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

bool mm_strcpy(char *dst, size_t dstlen, const char *src)
{
    if (dstlen == 0)
        return false;
    size_t n = strlen(src);
    bool fits = n < dstlen;
    if (!fits)
        n = dstlen - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
    return fits;
}

size_t mm_utf8_put(uint32_t c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | c >> 6);
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | c >> 12);
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | c >> 18);
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

size_t mm_utf16le_utf8(const uint8_t *in, size_t n, char *out, size_t outlen, bool string,
                       uint64_t *bad)
{
    size_t o = 0;
    uint64_t nbad = 0;
    if (!outlen)
        return 0;
    for (size_t i = 0; i < n; i += 2) {
        uint32_t c;
        if (i + 1 >= n) {
            if (string)
                break;                  /* an odd last byte is no character */
            c = 0xFFFD;
            nbad++;
        } else {
            c = mm_le16(in + i);
            if (c == 0 && string)
                break;
            if (c >= 0xD800 && c <= 0xDBFF) {
                uint32_t lo = i + 3 < n ? mm_le16(in + i + 2) : 0;
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                    i += 2;
                } else {
                    c = 0xFFFD;
                    nbad++;
                }
            } else if (c >= 0xDC00 && c <= 0xDFFF) {
                c = 0xFFFD;
                nbad++;
            }
        }
        char tmp[4];
        size_t k = mm_utf8_put(c, tmp);
        if (o + k + 1 > outlen)
            break;
        memcpy(out + o, tmp, k);
        o += k;
    }
    out[o] = 0;
    if (bad)
        *bad += nbad;
    return o;
}

size_t mm_utf16le_to_utf8(const uint8_t *in, size_t n, char *out, size_t outlen)
{
    return mm_utf16le_utf8(in, n, out, outlen, true, NULL);
}

char *mm_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    for (;;) {
        if (!b) {
            snprintf(err, errlen, "%s: out of memory", path);
            fclose(f);
            return NULL;
        }
        n += fread(b + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        if (cap > max) {
            snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
            free(b);
            fclose(f);
            return NULL;
        }
        char *nb = realloc(b, cap * 2);
        if (!nb)
            free(b);
        b = nb;
        cap *= 2;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad || n > max) {
        snprintf(err, errlen, bad ? "%s: read error" : "%s: too large", path);
        free(b);
        return NULL;
    }
    b[n] = 0;
    *len = n;
    return b;
}

size_t mm_hash_raw(const struct nettle_hash *h, const uint8_t *d, size_t n, uint8_t *out)
{
    union {
        struct md5_ctx md5;
        struct sha1_ctx sha1;
        struct sha256_ctx sha256;
    } c;
    h->init(&c);
    h->update(&c, n, d);
    h->digest(&c, h->digest_size, out);
    return h->digest_size;
}

size_t mm_hash_hex(const struct nettle_hash *h, const uint8_t *d, size_t n, char *out)
{
    uint8_t dg[SHA256_DIGEST_SIZE];
    static const char x[] = "0123456789abcdef";
    mm_hash_raw(h, d, n, dg);
    for (unsigned i = 0; i < h->digest_size; i++) {
        out[2 * i] = x[dg[i] >> 4];
        out[2 * i + 1] = x[dg[i] & 15];
    }
    out[2 * h->digest_size] = 0;
    return 2 * h->digest_size;
}

int64_t mm_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void mm_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    /* H. Hinnant's civil_from_days */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static bool digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

bool mm_parse_iso_ts(const char *s, int64_t *us)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    const char *p = s + 10;
    int64_t frac = 0, off = 0;
    if (*p == 'T' || *p == ' ') {
        if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || h > 23 || mi > 59)
            return false;
        p += 6;
        if (*p == ':') {
            if (!digits(p + 1, 2, &se) || se > 60)
                return false;
            p += 3;
        }
        if (*p == '.') {
            p++;
            int n = 0;
            while (*p >= '0' && *p <= '9') {
                if (n < 6) {
                    frac = frac * 10 + (*p - '0');
                    n++;
                }
                p++;
            }
            if (n == 0)
                return false;
            while (n++ < 6)
                frac *= 10;
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            int sign = *p == '-' ? -1 : 1;
            if (!digits(p + 1, 2, &oh))
                return false;
            p += 3;
            if (*p == ':')
                p++;
            if (!digits(p, 2, &om))
                return false;
            p += 2;
            off = sign * ((int64_t)oh * 3600 + om * 60);
        }
    }
    if (*p)
        return false;
    int64_t days = mm_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t sec = days * 86400 + h * 3600 + mi * 60 + se - off;
    *us = sec * 1000000 + frac;
    return true;
}

void mm_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (base && n > 1)
        qsort(base, n, size, cmp);
}

bool mm_grow(void *vp, size_t *cap, size_t n, size_t elem, size_t first)
{
    void **v = vp;
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : first;
    if (c < *cap || c > SIZE_MAX / elem)
        return false;
    void *nv = realloc(*v, c * elem);
    if (!nv)
        return false;
    *v = nv;
    *cap = c;
    return true;
}

size_t mm_base64_encode(const uint8_t *d, size_t n, char *out)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = out;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        *o++ = al[v >> 18 & 63];
        *o++ = al[v >> 12 & 63];
        *o++ = i + 1 < n ? al[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? al[v & 63] : '=';
    }
    *o = 0;
    return (size_t)(o - out);
}

int mm_base64_value(uint8_t c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || (url && c == '-'))
        return 62;
    if (c == '/' || (url && c == '_'))
        return 63;
    return -1;
}

size_t mm_base64_decode_lax(const uint8_t *in, size_t n, uint8_t *out, size_t cap, bool url)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n && o < cap; i++) {
        int v = mm_base64_value(in[i], url);
        if (v < 0)
            continue;
        acc = (acc << 6 | (uint32_t)v) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    return o;
}

bool mm_parse_local_when(const char *s, bool end, int64_t *us)
{
    if (!mm_parse_iso_ts(s, us))
        return false;
    if (strlen(s) == 10) {
        time_t t = (time_t)(*us / 1000000);
        struct tm tm;
        if (!localtime_r(&t, &tm))
            return false;
        *us -= (int64_t)tm.tm_gmtoff * 1000000;
        if (end)
            *us += 86400LL * 1000000;
    } else if (end) {
        *us += 1;
    }
    return true;
}

int mm_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
