/*
 * obspiece.c - the hunting index's pieces (see obspiece.h).
 */
#include "ioc/obspiece.h"
#include "util/strmap.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define PIECE_VERSION 1
#define PLAIN_MAX (64u << 20)       /* a piece's payload */
#define RECS_MAX (1u << 20)         /* its records */
#define BUDGET (48u << 20)          /* keys, hosts and 40 bytes a record */
#define HOST_MAX 255

/* ---- bytes and varints ---- */

typedef struct bb {
    uint8_t *p;
    size_t n, cap;
    bool oom;
} bb;

static void bb_put(bb *b, const void *v, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->n + n)
            c *= 2;
        uint8_t *q = realloc(b->p, c);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = c;
    }
    if (n)
        memcpy(b->p + b->n, v, n);
    b->n += n;
}

static void bb_var(bb *b, uint64_t v)
{
    uint8_t t[10];
    size_t n = 0;
    while (v >= 0x80) {
        t[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (uint8_t)v;
    bb_put(b, t, n);
}

typedef struct rd {
    const uint8_t *p;
    size_t n, at;
    bool bad;
} rd;

static uint64_t rd_var(rd *r)
{
    uint64_t v = 0;
    for (unsigned sh = 0; sh < 64; sh += 7) {
        if (r->at >= r->n) {
            r->bad = true;
            return 0;
        }
        uint8_t c = r->p[r->at++];
        if (sh == 63 && c > 1) {
            r->bad = true;
            return 0;
        }
        v |= (uint64_t)(c & 0x7f) << sh;
        if (!(c & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

/* A sub-reader over the next n bytes. */
static rd rd_sub(rd *r, uint64_t n)
{
    rd s = {0};
    if (r->bad || n > r->n - r->at) {
        r->bad = true;
        s.bad = true;
        return s;
    }
    s.p = r->p + r->at;
    s.n = (size_t)n;
    r->at += (size_t)n;
    return s;
}

/* ---- combining records ---- */

static int keycmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t m = al < bl ? al : bl;
    int c = m ? memcmp(a, b, m) : 0;
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

static int rec_cmp(const void *x, const void *y)
{
    const mm_obsp_rec *a = x, *b = y;
    int c = keycmp(a->key, a->klen, b->key, b->klen);
    return c ? c : strcmp(a->host, b->host);
}

size_t mm_obsp_combine(mm_obsp_rec *recs, size_t n)
{
    if (n > 1)
        qsort(recs, n, sizeof *recs, rec_cmp);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w && rec_cmp(&recs[w - 1], &recs[i]) == 0) {
            mm_obsp_rec *d = &recs[w - 1];
            if (recs[i].first < d->first)
                d->first = recs[i].first;
            if (recs[i].last > d->last)
                d->last = recs[i].last;
            d->count = recs[i].count > UINT64_MAX - d->count ? UINT64_MAX
                                                              : d->count + recs[i].count;
            continue;
        }
        recs[w++] = recs[i];
    }
    return w;
}

/* ---- writing ---- */

size_t mm_obsp_chunk(const mm_obsp_rec *recs, size_t n)
{
    size_t used = 0, i = 0;
    for (; i < n && i < RECS_MAX; i++) {
        size_t c = recs[i].klen + strlen(recs[i].host) + 40;
        if (i && used + c > BUDGET)
            break;
        used += c;
    }
    return i;
}

bool mm_obsp_encode(const mm_obsp_rec *recs, size_t n, int level, uint8_t **out,
                    size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    enum { S_KEYS, S_NREC, S_HOST, S_FIRST, S_SPAN, S_COUNT, S__N };
    bb s[S__N] = {{0}}, hosts = {0}, pay = {0};
    mm_strmap hix;
    mm_strmap_init(&hix);
    uint64_t nhosts = 0, nent = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        const mm_obsp_rec *r = &recs[i];
        size_t hl = strlen(r->host);
        if (n > RECS_MAX || r->klen == 0 || r->klen > MM_OBSP_KEY_MAX || hl > HOST_MAX ||
            r->count == 0 ||
            r->first > r->last || r->last > MM_OBSP_MINUTES) {
            ok = false;
            break;
        }
        bool added;
        uint64_t *hi = mm_strmap_put(&hix, r->host, hl, nhosts, &added);
        if (!hi) {
            ok = false;
            break;
        }
        if (added) {
            bb_var(&hosts, hl);
            bb_put(&hosts, r->host, hl);
            nhosts++;
        }
        /* a new entry when the key changes */
        size_t j = i;
        if (i == 0 || keycmp(recs[i - 1].key, recs[i - 1].klen, r->key, r->klen) != 0) {
            size_t shared = 0;
            if (i > 0) {
                const mm_obsp_rec *p = &recs[i - 1];
                if (keycmp(p->key, p->klen, r->key, r->klen) > 0) {
                    ok = false;     /* not combined: out of order */
                    break;
                }
                while (shared < p->klen && shared < r->klen && p->key[shared] == r->key[shared])
                    shared++;
            }
            bb_var(&s[S_KEYS], shared);
            bb_var(&s[S_KEYS], r->klen - shared);
            bb_put(&s[S_KEYS], r->key + shared, r->klen - shared);
            uint64_t nr = 1;
            while (j + nr < n && keycmp(recs[j + nr].key, recs[j + nr].klen, r->key, r->klen) == 0)
                nr++;
            bb_var(&s[S_NREC], nr);
            nent++;
        }
        bb_var(&s[S_HOST], *hi);
        uint8_t f2[2] = {(uint8_t)r->first, (uint8_t)(r->first >> 8)};
        bb_put(&s[S_FIRST], f2, 2);
        bb_var(&s[S_SPAN], r->last - r->first);
        bb_var(&s[S_COUNT], r->count - 1);
    }
    mm_strmap_free(&hix);
    if (ok) {
        bb_var(&pay, nhosts);
        bb_put(&pay, hosts.p, hosts.n);
        bb_var(&pay, nent);
        bb_var(&pay, n);
        for (int k = 0; k < S__N; k++) {
            bb_var(&pay, s[k].n);
            bb_put(&pay, s[k].p, s[k].n);
        }
    }
    for (int k = 0; k < S__N; k++) {
        ok = ok && !s[k].oom;
        free(s[k].p);
    }
    ok = ok && !hosts.oom && !pay.oom && pay.n <= PLAIN_MAX;
    free(hosts.p);
    if (!ok) {
        free(pay.p);
        return false;
    }
    bb o = {0};
    uint8_t head[2] = {PIECE_VERSION, 0};
    if (level > 0) {
        size_t bound = ZSTD_compressBound(pay.n);
        uint8_t *z = malloc(bound);
        size_t zn = z ? ZSTD_compress(z, bound, pay.p, pay.n, level) : 0;
        if (z && !ZSTD_isError(zn) && zn < pay.n) {
            head[1] = 1;
            bb_put(&o, head, 2);
            bb_var(&o, pay.n);
            bb_put(&o, z, zn);
        }
        free(z);
    }
    if (head[1] == 0) {
        bb_put(&o, head, 2);
        bb_var(&o, pay.n);
        bb_put(&o, pay.p, pay.n);
    }
    free(pay.p);
    if (o.oom) {
        free(o.p);
        return false;
    }
    *out = o.p;
    *outlen = o.n;
    return true;
}

/* ---- reading ---- */

void mm_obsp_free(mm_obsp *p)
{
    free(p->hosts);
    free(p->key_off);
    free(p->key_len);
    free(p->rec_at);
    free(p->host);
    free(p->first);
    free(p->last);
    free(p->count);
    free(p->keys);
    free(p->hostbuf);
    free(p->plain);
    memset(p, 0, sizeof *p);
}

static bool fail(mm_obsp *p, const char **why, const char *w)
{
    mm_obsp_free(p);
    *why = w;
    return false;
}

bool mm_obsp_decode(const uint8_t *blob, size_t len, mm_obsp *p, const char **why)
{
    memset(p, 0, sizeof *p);
    rd r = {blob, len, 0, false};
    if (len < 3 || blob[0] != PIECE_VERSION || blob[1] > 1)
        return fail(p, why, "not a piece of a version this program reads");
    r.at = 2;
    uint64_t plen = rd_var(&r);
    if (r.bad || plen > PLAIN_MAX)
        return fail(p, why, "payload length out of bounds");
    const uint8_t *pay = blob + r.at;
    size_t payn = len - r.at;
    if (blob[1] == 1) {
        p->plain = malloc(plen ? (size_t)plen : 1);
        if (!p->plain)
            return fail(p, why, "out of memory");
        size_t got = ZSTD_decompress(p->plain, (size_t)plen, pay, payn);
        if (ZSTD_isError(got) || got != plen)
            return fail(p, why, "compressed payload damaged");
        pay = p->plain;
        payn = (size_t)plen;
    } else if (payn != plen)
        return fail(p, why, "payload length does not match");
    rd q = {pay, payn, 0, false};
    uint64_t nh = rd_var(&q);
    if (q.bad || nh > q.n - q.at || nh > RECS_MAX)
        return fail(p, why, "host count out of bounds");
    p->nhosts = (uint32_t)nh;
    p->hosts = calloc(nh ? (size_t)nh : 1, sizeof *p->hosts);
    size_t hb_at = q.at;
    size_t hbn = 0;
    for (uint64_t i = 0; i < nh && !q.bad; i++) {
        uint64_t l = rd_var(&q);
        if (l > HOST_MAX) {
            q.bad = true;
            break;
        }
        rd_sub(&q, l);
        hbn += (size_t)l + 1;
    }
    if (q.bad || !p->hosts)
        return fail(p, why, "hosts damaged");
    p->hostbuf = malloc(hbn ? hbn : 1);
    if (!p->hostbuf)
        return fail(p, why, "out of memory");
    q.at = hb_at;
    for (size_t i = 0, w = 0; i < nh; i++) {
        size_t l = (size_t)rd_var(&q);
        memcpy(p->hostbuf + w, q.p + q.at, l);
        q.at += l;
        p->hostbuf[w + l] = 0;
        if (memchr(p->hostbuf + w, 0, l))
            return fail(p, why, "host with a NUL");
        p->hosts[i] = p->hostbuf + w;
        w += l + 1;
    }
    uint64_t ne = rd_var(&q), nr = rd_var(&q);
    if (q.bad || ne > nr || nr > q.n - q.at || nr > RECS_MAX || (nr && !ne))
        return fail(p, why, "entry or record count out of bounds");
    p->nent = (uint32_t)ne;
    p->nrec = (uint32_t)nr;
    rd st[6];
    for (int k = 0; k < 6; k++)
        st[k] = rd_sub(&q, rd_var(&q));
    if (q.bad || q.at != q.n)
        return fail(p, why, "streams damaged");
    size_t en = ne ? (size_t)ne : 1, rn = nr ? (size_t)nr : 1;
    p->key_off = malloc(en * sizeof *p->key_off);
    p->key_len = malloc(en * sizeof *p->key_len);
    p->rec_at = malloc((en + 1) * sizeof *p->rec_at);
    p->host = malloc(rn * sizeof *p->host);
    p->first = malloc(rn * sizeof *p->first);
    p->last = malloc(rn * sizeof *p->last);
    p->count = malloc(rn * sizeof *p->count);
    if (!p->key_off || !p->key_len || !p->rec_at || !p->host || !p->first || !p->last ||
        !p->count)
        return fail(p, why, "out of memory");
    size_t kcap = 0, kn = 0;
    uint32_t prev_off = 0, prev_len = 0, at = 0;
    for (uint32_t e = 0; e < p->nent; e++) {
        uint64_t shared = rd_var(&st[0]), rest = rd_var(&st[0]);
        if (st[0].bad || shared > prev_len || rest > MM_OBSP_KEY_MAX - shared ||
            rest > st[0].n - st[0].at || shared + rest == 0)
            return fail(p, why, "keys damaged");
        size_t kl = (size_t)(shared + rest);
        if (kn + kl > BUDGET)
            return fail(p, why, "keys too long");
        while (kn + kl >= kcap)
            if (!mm_grow(&p->keys, &kcap, kcap, 1, 8192))
                return fail(p, why, "out of memory");
        memmove(p->keys + kn, p->keys + prev_off, (size_t)shared);
        memcpy(p->keys + kn + shared, st[0].p + st[0].at, (size_t)rest);
        st[0].at += (size_t)rest;
        if (e > 0 && keycmp(p->keys + prev_off, prev_len, p->keys + kn, kl) >= 0)
            return fail(p, why, "keys out of order");
        p->key_off[e] = (uint32_t)kn;
        p->key_len[e] = (uint32_t)kl;
        prev_off = (uint32_t)kn;
        prev_len = (uint32_t)kl;
        kn += kl;
        uint64_t c = rd_var(&st[1]);
        if (st[1].bad || c == 0 || c > p->nrec - at)
            return fail(p, why, "record counts damaged");
        p->rec_at[e] = at;
        at += (uint32_t)c;
    }
    if (at != p->nrec || st[0].at != st[0].n || st[1].at != st[1].n)
        return fail(p, why, "record counts do not add up");
    p->rec_at[p->nent] = at;
    for (uint32_t i = 0; i < p->nrec; i++) {
        uint64_t h = rd_var(&st[2]), f = 0, sp = rd_var(&st[4]), c = rd_var(&st[5]);
        if (st[3].n - st[3].at >= 2) {
            f = (uint64_t)st[3].p[st[3].at] | (uint64_t)st[3].p[st[3].at + 1] << 8;
            st[3].at += 2;
        } else
            st[3].bad = true;
        if (st[2].bad || st[3].bad || st[4].bad || st[5].bad || h >= p->nhosts ||
            f > MM_OBSP_MINUTES || sp > MM_OBSP_MINUTES - f || c == UINT64_MAX)
            return fail(p, why, "records damaged");
        p->host[i] = (uint32_t)h;
        p->first[i] = (uint32_t)f;
        p->last[i] = (uint32_t)(f + sp);
        p->count[i] = c + 1;
    }
    for (int k = 2; k < 6; k++)
        if (st[k].at != st[k].n)
            return fail(p, why, "records do not add up");
    return true;
}

int mm_obsp_cmp(const mm_obsp *p, uint32_t i, const uint8_t *k, size_t kl)
{
    return keycmp(p->keys + p->key_off[i], p->key_len[i], k, kl);
}

uint32_t mm_obsp_lower(const mm_obsp *p, const uint8_t *k, size_t kl)
{
    uint32_t lo = 0, hi = p->nent;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (mm_obsp_cmp(p, mid, k, kl) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
