/*
 * targets.c - the two ways a probe target comes to be (see probe.h): the
 * peer of a self-check request, or the user's own addresses, declared so.
 */
#include "exposure/probe.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OWNED_SMALL 1024         /* a /22 */
#define OWNED_MAX (1u << 20)     /* never more, --large or not */

struct mm_probe_targets {
    mm_ip *v;
    size_t n, cap;
};

mm_probe_targets *mm_probe_targets_peer(const mm_ip *peer)
{
    if (!peer || (peer->v != 4 && peer->v != 6))
        return NULL;
    mm_probe_targets *t = calloc(1, sizeof *t);
    if (!t || !(t->v = malloc(sizeof *t->v))) {
        free(t);
        return NULL;
    }
    t->v[0] = *peer;
    t->n = t->cap = 1;
    return t;
}

size_t mm_probe_targets_count(const mm_probe_targets *t) { return t ? t->n : 0; }

void mm_probe_targets_get(const mm_probe_targets *t, size_t i, mm_ip *out)
{
    *out = t->v[i];
}

void mm_probe_targets_free(mm_probe_targets *t)
{
    if (t) {
        free(t->v);
        free(t);
    }
}

static bool push(mm_probe_targets *t, const mm_ip *ip)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 64;
        mm_ip *nv = realloc(t->v, nc * sizeof *nv);
        if (!nv)
            return false;
        t->v = nv;
        t->cap = nc;
    }
    t->v[t->n++] = *ip;
    return true;
}

/* The address i steps after base (i < 2^32), within its last 64 bits. */
static mm_ip nth(const mm_ip *base, uint64_t i)
{
    mm_ip r = *base;
    int last = r.v == 4 ? 3 : 15, first = r.v == 4 ? 0 : 8;
    uint64_t carry = i;
    for (int k = last; k >= first && carry; k--) {
        uint64_t s = r.b[k] + (carry & 0xFF);
        r.b[k] = (uint8_t)s;
        carry = (carry >> 8) + (s >> 8);
    }
    return r;
}

/* hi - lo + 1 when both are of one family, lo <= hi and they differ only
 * in the last 64 bits; 0 otherwise. */
static uint64_t span(const mm_ip *lo, const mm_ip *hi)
{
    if (lo->v != hi->v)
        return 0;
    int len = lo->v == 4 ? 4 : 16, head = lo->v == 4 ? 0 : 8;
    if (memcmp(lo->b, hi->b, (size_t)head) != 0)
        return 0;
    uint64_t a = 0, b = 0;
    for (int k = head; k < len; k++) {
        a = a << 8 | lo->b[k];
        b = b << 8 | hi->b[k];
    }
    if (b < a || b - a >= OWNED_MAX)
        return 0;
    return b - a + 1;
}

/* The spec as a message may show it: printable, at most 60 bytes. */
static void shown(const char *s, size_t l, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < l && k + 4 < cap && i < 60; i++)
        out[k++] = s[i] >= 0x20 && s[i] < 0x7F ? s[i] : '?';
    if (l > 60 && k + 4 < cap) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
}

static bool one_spec(mm_probe_targets *t, const char *spec0, bool large, char *err, size_t errlen)
{
    char s[128], spec[72];
    const char *p0 = spec0;
    size_t l = strlen(p0);
    while (l && isspace((unsigned char)p0[l - 1]))
        l--;
    while (l && isspace((unsigned char)*p0))
        p0++, l--;
    if (l == 0)
        return true;
    shown(p0, l, spec, sizeof spec);
    if (l >= sizeof s) {
        snprintf(err, errlen, "target \"%s\" is too long", spec);
        return false;
    }
    memcpy(s, p0, l);
    s[l] = 0;
    mm_ip lo, hi;
    uint64_t count = 0;
    char *slash = strchr(s, '/'), *dash = strchr(s, '-');
    if (slash) {
        *slash = 0;
        char *end;
        long bits = strtol(slash + 1, &end, 10);
        if (!mm_ip_parse(s, &lo) || *end || end == slash + 1 || bits < 0 ||
            bits > (lo.v == 4 ? 32 : 128)) {
            snprintf(err, errlen, "target \"%s\": not an address block", spec);
            return false;
        }
        int hostbits = (lo.v == 4 ? 32 : 128) - (int)bits;
        if (hostbits > 20) {
            snprintf(err, errlen, "target \"%s\": more than 2^20 addresses", spec);
            return false;
        }
        /* the block's first address: host bits cleared */
        int len = lo.v == 4 ? 4 : 16;
        for (int k = len - 1, hb = hostbits; k >= 0 && hb > 0; k--, hb -= 8)
            lo.b[k] &= (uint8_t)(hb >= 8 ? 0 : 0xFF << hb);
        count = 1ull << hostbits;
    }
    else if (dash) {
        *dash = 0;
        const char *h = dash + 1;
        if (!mm_ip_parse(s, &lo)) {
            snprintf(err, errlen, "target \"%s\": not an address range", spec);
            return false;
        }
        if (lo.v == 4 && !strchr(h, '.')) {     /* 192.0.2.10-20 */
            char *end;
            long last = strtol(h, &end, 10);
            if (*end || end == h || last < 0 || last > 255) {
                snprintf(err, errlen, "target \"%s\": not an address range", spec);
                return false;
            }
            hi = lo;
            hi.b[3] = (uint8_t)last;
        }
        else if (!mm_ip_parse(h, &hi)) {
            snprintf(err, errlen, "target \"%s\": not an address range", spec);
            return false;
        }
        count = span(&lo, &hi);
        if (!count) {
            snprintf(err, errlen, "target \"%s\": the range is empty, mixed or too large",
                     spec);
            return false;
        }
    }
    else {
        if (!mm_ip_parse(s, &lo)) {
            snprintf(err, errlen, "target \"%s\": not an address, block or range", spec);
            return false;
        }
        count = 1;
    }
    if (t->n + count > (large ? OWNED_MAX : OWNED_SMALL)) {
        if (large)
            snprintf(err, errlen, "more than %u addresses to probe", OWNED_MAX);
        else
            snprintf(err, errlen, "more than %d addresses (a /22): give --large if you mean it",
                     OWNED_SMALL);
        return false;
    }
    for (uint64_t i = 0; i < count; i++) {
        mm_ip a = nth(&lo, i);
        if (!push(t, &a)) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
    }
    return true;
}

static int ip_cmp(const void *a, const void *b)
{
    const mm_ip *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return memcmp(x->b, y->b, 16);
}

static bool from_file(mm_probe_targets *t, const char *path, bool large, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return false;
    }
    char line[256];
    unsigned no = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        no++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%u: line too long", path, no);
            ok = false;
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char e[200];
        if (!one_spec(t, line, large, e, sizeof e)) {
            snprintf(err, errlen, "%s:%u: %s", path, no, e);
            ok = false;
        }
    }
    fclose(f);
    return ok;
}

mm_probe_targets *mm_probe_targets_owned(const char *const *specs, size_t n, bool i_own_these,
                                         bool large, char *err, size_t errlen)
{
    if (!i_own_these) {
        snprintf(err, errlen,
                 "probing is only for addresses you own or run: say so with --i-own-these");
        return NULL;
    }
    mm_probe_targets *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        bool ok = specs[i][0] == '@' ? from_file(t, specs[i] + 1, large, err, errlen)
                                     : one_spec(t, specs[i], large, err, errlen);
        if (!ok) {
            mm_probe_targets_free(t);
            return NULL;
        }
    }
    if (t->n == 0) {
        snprintf(err, errlen, "no target addresses given");
        mm_probe_targets_free(t);
        return NULL;
    }
    /* one probe per address, in address order */
    qsort(t->v, t->n, sizeof *t->v, ip_cmp);
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++)
        if (k == 0 || ip_cmp(&t->v[k - 1], &t->v[i]) != 0)
            t->v[k++] = t->v[i];
    t->n = k;
    return t;
}
