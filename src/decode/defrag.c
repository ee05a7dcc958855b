/*
 * defrag.c - IPv4 and IPv6 fragment reassembly.
 *
 * A fixed pool of trackers, each with one 64 KiB buffer allocated the first
 * time the slot is used and kept for reuse; the pool size comes from the
 * memory cap, so fragment floods cannot grow memory. A tracker is found by
 * (version, source, destination, id, protocol) with a linear scan: the pool
 * is small and fragments are rare. Each tracker records which byte ranges it
 * holds; overlapping data keeps the bytes that arrived first. When the last
 * fragment has been seen and the ranges cover [0, total), the datagram is
 * handed back. Trackers idle longer than the timeout are reused; when the
 * pool is full the oldest tracker is dropped.
 */
#include "decode/decode.h"

#include <stdlib.h>
#include <string.h>

#define DGRAM_MAX 65535u
#define MAX_RANGES 64

typedef struct range {
    uint32_t s, e;
} range;

typedef struct tracker {
    bool used;
    bool have_last;
    mm_fragkey key;
    uint64_t first_ts, last_ts;
    uint32_t total;
    uint32_t nr;
    range r[MAX_RANGES];
    uint32_t pkts;
    uint64_t bytes;
    uint8_t *buf;
} tracker;

struct mm_defrag {
    tracker *t;
    uint32_t n;            /* slots */
    uint64_t timeout_ns;
    uint64_t memuse;
    uint64_t evicted;      /* unfinished reassemblies dropped: pool full */
};

mm_defrag *mm_defrag_new(uint64_t memcap, uint32_t timeout_s)
{
    mm_defrag *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    uint64_t per = sizeof(tracker) + DGRAM_MAX;
    uint64_t n = memcap / per;
    if (n < 4)
        n = 4;
    if (n > 65536)
        n = 65536;
    f->n = (uint32_t)n;
    f->t = calloc(f->n, sizeof(tracker));
    if (!f->t) {
        free(f);
        return NULL;
    }
    f->timeout_ns = (uint64_t)timeout_s * 1000000000ULL;
    f->memuse = (uint64_t)f->n * sizeof(tracker);
    return f;
}

void mm_defrag_free(mm_defrag *f)
{
    if (!f)
        return;
    for (uint32_t i = 0; i < f->n; i++)
        free(f->t[i].buf);
    free(f->t);
    free(f);
}

uint64_t mm_defrag_memuse(const mm_defrag *f) { return f ? f->memuse : 0; }
uint64_t mm_defrag_evicted(const mm_defrag *f) { return f ? f->evicted : 0; }

static bool key_eq(const mm_fragkey *a, const mm_fragkey *b)
{
    return a->id == b->id && a->ver == b->ver && a->proto == b->proto &&
           memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0;
}

static tracker *find_or_take(mm_defrag *f, const mm_fragkey *k, uint64_t ts)
{
    tracker *free_slot = NULL, *oldest = NULL;
    for (uint32_t i = 0; i < f->n; i++) {
        tracker *t = &f->t[i];
        if (t->used) {
            if (key_eq(&t->key, k))
                return t;
            if (ts > t->last_ts && ts - t->last_ts > f->timeout_ns) {
                t->used = false; /* expired */
            } else if (!oldest || t->first_ts < oldest->first_ts) {
                oldest = t;
            }
        }
        if (!t->used && (!free_slot || (t->buf && !free_slot->buf)))
            free_slot = t;
    }
    tracker *t = free_slot ? free_slot : oldest;
    if (!t)
        return NULL;
    if (!free_slot)
        f->evicted++;
    if (!t->buf) {
        t->buf = malloc(DGRAM_MAX);
        if (!t->buf)
            return NULL;
        f->memuse += DGRAM_MAX;
    }
    t->used = true;
    t->have_last = false;
    t->key = *k;
    t->first_ts = t->last_ts = ts;
    t->total = 0;
    t->nr = 0;
    t->pkts = 0;
    t->bytes = 0;
    return t;
}

/* Copy the parts of [s,e) not yet held; returns false when the range list is full. */
static bool insert(tracker *t, uint32_t s, uint32_t e, const uint8_t *data, bool *overlap)
{
    uint32_t pos = s;
    for (uint32_t i = 0; i < t->nr && pos < e; i++) {
        range *r = &t->r[i];
        if (r->e <= pos)
            continue;
        if (r->s >= e)
            break;
        if (r->s > pos)
            memcpy(t->buf + pos, data + (pos - s), r->s - pos);
        *overlap = true;
        pos = r->e;
    }
    if (pos < e)
        memcpy(t->buf + pos, data + (pos - s), e - pos);

    /* Merge [s,e) into the sorted, disjoint range list. */
    uint32_t i = 0;
    while (i < t->nr && t->r[i].e < s)
        i++;
    uint32_t j = i;
    uint32_t ns = s, ne = e;
    while (j < t->nr && t->r[j].s <= e) {
        if (t->r[j].s < ns)
            ns = t->r[j].s;
        if (t->r[j].e > ne)
            ne = t->r[j].e;
        j++;
    }
    uint32_t removed = j - i;
    if (removed == 0) {
        if (t->nr >= MAX_RANGES)
            return false;
        memmove(&t->r[i + 1], &t->r[i], (t->nr - i) * sizeof(range));
        t->nr++;
    } else if (removed > 1) {
        memmove(&t->r[i + 1], &t->r[j], (t->nr - j) * sizeof(range));
        t->nr -= removed - 1;
    }
    t->r[i].s = ns;
    t->r[i].e = ne;
    return true;
}

int mm_defrag_add(mm_defrag *f, const mm_fragkey *k, uint64_t ts_ns, uint32_t off, bool more,
                  const uint8_t *data, uint32_t len, uint32_t rawbytes,
                  const uint8_t **out, uint32_t *outlen, uint32_t *pkts, uint64_t *bytes,
                  bool *overlap)
{
    if ((uint64_t)off + len > DGRAM_MAX)
        return -1;
    tracker *t = find_or_take(f, k, ts_ns);
    if (!t)
        return -1;
    if (ts_ns > t->last_ts)
        t->last_ts = ts_ns;
    t->pkts++;
    t->bytes += rawbytes;
    uint32_t e = off + len;
    if (!more) {
        if (!t->have_last) {
            t->have_last = true;
            t->total = e;
        } else if (t->total != e) {
            *overlap = true; /* a second, different end: keep the first */
        }
    }
    if (t->have_last && e > t->total) {
        *overlap = true;
        e = t->total > off ? t->total : off;
    }
    if (e > off && !insert(t, off, e, data, overlap)) {
        t->used = false;
        return -1;
    }
    if (t->have_last && t->nr == 1 && t->r[0].s == 0 && t->r[0].e == t->total) {
        t->used = false; /* buffer stays valid until the next call */
        *out = t->buf;
        *outlen = t->total;
        *pkts = t->pkts;
        *bytes = t->bytes;
        return 1;
    }
    return 0;
}

bool mm_decode_fragment(mm_decoder *d, mm_pkt *p, const mm_fragkey *k, uint32_t off, bool more,
                        const uint8_t **data, uint32_t *len)
{
    bool v4 = k->ver == 4;
    if (off + *len > DGRAM_MAX) {
        mm_anom(d, p, v4 ? MM_AN_IPV4_FRAG_LARGE : MM_AN_IPV6_FRAG_LARGE);
        return false;
    }
    const uint8_t *out;
    uint32_t outlen, pk;
    uint64_t by;
    bool overlap = false;
    int r = mm_defrag_add(d->defrag, k, p->raw->ts_ns, off, more, *data, *len, p->raw->caplen,
                          &out, &outlen, &pk, &by, &overlap);
    if (overlap)
        mm_anom(d, p, v4 ? MM_AN_IPV4_FRAG_OVERLAP : MM_AN_IPV6_FRAG_OVERLAP);
    if (r == 0) {
        p->frag_held = true;
        return false;
    }
    if (r < 0) {
        mm_anom(d, p, v4 ? MM_AN_IPV4_FRAG_IGNORED : MM_AN_IPV6_FRAG_IGNORED);
        return false;
    }
    if (v4)
        d->st.reassembled_v4++;
    else
        d->st.reassembled_v6++;
    p->reassembled = true;
    p->frag_pkts = pk;
    p->frag_bytes = by;
    *data = out;
    *len = outlen;
    return true;
}
