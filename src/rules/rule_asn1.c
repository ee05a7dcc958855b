/*
 * rule_asn1.c - the asn1 keyword: a BER reader (X.690 identifier and
 * length octets, definite and indefinite lengths) and the checks.
 */
#include "rules/rule_asn1.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 30           /* objects in a row, and levels deep */

bool mm_asn1_parse(const char *val, mm_asn1 *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!val) {
        snprintf(err, errlen, "asn1: no value");
        return false;
    }
    const char *p = val;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t n = 0;
        while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != ',')
            n++;
        uint8_t f = 0;
        bool arg = true;
        if (n == 18 && strncmp(p, "bitstring_overflow", n) == 0)
            f = MM_ASN1_BITSTRING, arg = false;
        else if (n == 15 && strncmp(p, "double_overflow", n) == 0)
            f = MM_ASN1_DOUBLE, arg = false;
        else if (n == 15 && strncmp(p, "oversize_length", n) == 0)
            f = MM_ASN1_OVERSIZE;
        else if (n == 15 && strncmp(p, "absolute_offset", n) == 0)
            f = MM_ASN1_ABSOLUTE;
        else if (n == 15 && strncmp(p, "relative_offset", n) == 0)
            f = MM_ASN1_RELATIVE;
        if (!f || out->flags & f) {
            snprintf(err, errlen, "asn1: %s '%.*s'", f ? "twice" : "unknown option",
                     (int)(n > 32 ? 32 : n), p);
            return false;
        }
        out->flags |= f;
        p += n;
        if (!arg)
            continue;
        while (*p == ' ' || *p == '\t')
            p++;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        bool neg_ok = f == MM_ASN1_RELATIVE;
        if (end == p || errno || (!neg_ok && v < 0) || v > 65535 || v < -65535) {
            snprintf(err, errlen, "asn1: bad number after option");
            return false;
        }
        if (f == MM_ASN1_OVERSIZE)
            out->oversize = (uint32_t)v;
        else
            out->offset = (int32_t)v;
        p = end;
    }
    if ((out->flags & (MM_ASN1_ABSOLUTE | MM_ASN1_RELATIVE)) ==
        (MM_ASN1_ABSOLUTE | MM_ASN1_RELATIVE)) {
        snprintf(err, errlen, "asn1: absolute_offset and relative_offset together");
        return false;
    }
    if (!(out->flags & (MM_ASN1_BITSTRING | MM_ASN1_DOUBLE | MM_ASN1_OVERSIZE))) {
        snprintf(err, errlen, "asn1: no check named");
        return false;
    }
    return true;
}

/* One object's identifier and length octets at d[0..n): its header size,
 * content length (indefinite: the bytes up to its end-of-contents octets,
 * found by reading its children), class/constructed/tag. False when the
 * object is not all there or not well-formed. */
typedef struct ber {
    uint8_t cls;
    bool constructed, indefinite;
    uint32_t tag;
    uint32_t hdr;               /* identifier + length octets */
    uint64_t len;               /* the length octets' value (indefinite: content found) */
    const uint8_t *content;
    uint32_t clen;              /* content bytes */
    uint32_t total;             /* the whole object, end-of-contents included */
} ber;

static bool check(const mm_asn1 *a, const ber *o)
{
    if (a->flags & MM_ASN1_OVERSIZE && (o->len > a->oversize || o->clen > a->oversize))
        return true;
    if (o->cls == 0 && !o->constructed && o->len > 0 && o->clen > 0) {
        /* a BIT STRING's first content octet: the unused bits of its last */
        if (a->flags & MM_ASN1_BITSTRING && o->tag == 3 && o->content[0] > o->len * 8)
            return true;
        /* a REAL in decimal (character) form, bits 8-7 of the first octet 00 */
        if (a->flags & MM_ASN1_DOUBLE && o->tag == 9 && (o->content[0] & 0xC0) == 0 &&
            (o->len > 256 || o->clen > 256))
            return true;
    }
    return false;
}

/* Reads the object at d[0..n) (depth levels may still be opened below it)
 * and checks it and what it holds. Returns 1 a check matched, 0 the object
 * read without one, -1 it is not whole or not well-formed. */
static int object(const mm_asn1 *a, const uint8_t *d, uint32_t n, int depth, ber *o)
{
    if (depth <= 0 || n < 2)
        return -1;
    memset(o, 0, sizeof *o);
    uint32_t i = 0;
    uint8_t id = d[i++];
    o->cls = id >> 6;
    o->constructed = id & 0x20;
    o->tag = id & 0x1F;
    if (o->tag == 0x1F) {       /* high tag number: base 128, at most 4 octets */
        o->tag = 0;
        int k = 0;
        do {
            if (i >= n || ++k > 4)
                return -1;
            o->tag = o->tag << 7 | (d[i] & 0x7F);
        } while (d[i++] & 0x80);
    }
    if (i >= n)
        return -1;
    uint8_t l0 = d[i++];
    if (l0 == 0x80) {
        if (!o->constructed)
            return -1;          /* indefinite length only for constructed ones */
        o->indefinite = true;
    } else if (l0 & 0x80) {
        int k = l0 & 0x7F;
        if (k > 8 || k == 0x7F)
            return -1;
        for (int j = 0; j < k; j++) {
            if (i >= n)
                return -1;
            o->len = o->len << 8 | d[i++];
        }
    } else {
        o->len = l0;
    }
    o->hdr = i;
    o->content = d + i;
    if (!o->indefinite) {
        if (o->len > n - i)
            return -1;          /* runs past the bytes there: not decoded */
        o->clen = (uint32_t)o->len;
        o->total = i + o->clen;
    }
    int hit = 0;
    if (o->constructed) {
        /* the objects inside, up to the content's end or end-of-contents */
        uint32_t at = 0, lim = o->indefinite ? n - i : o->clen;
        for (;;) {
            if (o->indefinite && at + 2 <= lim && o->content[at] == 0 && o->content[at + 1] == 0) {
                o->clen = at;
                o->len = at;
                o->total = i + at + 2;
                break;
            }
            if (at >= lim) {
                if (o->indefinite)
                    return -1;  /* no end-of-contents */
                break;
            }
            ber c;
            int r = object(a, o->content + at, lim - at, depth - 1, &c);
            if (r < 0)
                return -1;      /* a part not whole: nor is the object */
            hit |= r;
            at += c.total;
        }
    }
    return hit || check(a, o) ? 1 : 0;
}

bool mm_asn1_match(const mm_asn1 *a, const uint8_t *buf, uint32_t len, uint32_t cur)
{
    int64_t off = a->flags & MM_ASN1_ABSOLUTE ? a->offset
                : a->flags & MM_ASN1_RELATIVE ? (int64_t)cur + a->offset : 0;
    if (!buf || off < 0 || off >= len)
        return false;
    const uint8_t *d = buf + off;
    uint32_t n = len - (uint32_t)off;
    bool hit = false;
    for (int frames = 0; n; frames++) {
        if (frames == MAX_FRAMES)
            return false;       /* more objects than that: Suricata decodes none */
        ber o;
        int r = object(a, d, n, MAX_FRAMES, &o);
        if (r < 0)
            break;              /* the decoding ends at the first bad object */
        hit |= r > 0;
        d += o.total;
        n -= o.total;
    }
    return hit;
}
