/* Fuzz target: the hunting index's pieces (src/ioc/obspiece.c), which a
 * hunt reads back from the store as hostile bytes.
 *
 * Byte 0 even: the rest describes records (key length, key, host length,
 * host, first minute (2 bytes), span, count), which are combined, encoded
 * (bit 1 of byte 0: compressed) and decoded again: what comes back must be
 * the combined records exactly. Byte 0 odd: the rest is decoded as a
 * piece; when it is accepted, its records written again must decode to the
 * same piece. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioc/obspiece.h"

#define MAX_RECS 512

static void check_same(const mm_obsp_rec *r, size_t n, const mm_obsp *p)
{
    size_t k = 0;
    for (uint32_t e = 0; e < p->nent; e++)
        for (uint32_t j = p->rec_at[e]; j < p->rec_at[e + 1]; j++, k++) {
            if (k >= n || r[k].klen != p->key_len[e] ||
                memcmp(r[k].key, p->keys + p->key_off[e], r[k].klen) != 0 ||
                strcmp(r[k].host, p->hosts[p->host[j]]) != 0 || r[k].first != p->first[j] ||
                r[k].last != p->last[j] || r[k].count != p->count[j]) {
                fprintf(stderr, "record %zu differs after a round trip\n", k);
                abort();
            }
        }
    if (k != n) {
        fprintf(stderr, "%zu records written, %zu read\n", n, k);
        abort();
    }
}

/* Every record of p, in its order. */
static size_t records_of(const mm_obsp *p, mm_obsp_rec *r, size_t max)
{
    size_t k = 0;
    for (uint32_t e = 0; e < p->nent; e++)
        for (uint32_t j = p->rec_at[e]; j < p->rec_at[e + 1] && k < max; j++)
            r[k++] = (mm_obsp_rec){p->keys + p->key_off[e], p->key_len[e], p->hosts[p->host[j]],
                                   p->first[j], p->last[j], p->count[j]};
    return k;
}

static void round_trip(mm_obsp_rec *r, size_t n, int level)
{
    uint8_t *blob;
    size_t bl;
    size_t c = mm_obsp_chunk(r, n);
    if (!mm_obsp_encode(r, c, level, &blob, &bl))
        return;
    mm_obsp p;
    const char *why;
    if (!mm_obsp_decode(blob, bl, &p, &why)) {
        fprintf(stderr, "a piece just written is refused: %s\n", why);
        abort();
    }
    check_same(r, c, &p);
    mm_obsp_free(&p);
    free(blob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        mm_obsp p;
        const char *why;
        if (!mm_obsp_decode(data + 1, size - 1, &p, &why))
            return 0;
        if (p.nrec <= MAX_RECS) {
            mm_obsp_rec *r = malloc((p.nrec ? p.nrec : 1) * sizeof *r);
            if (r) {
                size_t n = records_of(&p, r, p.nrec);
                round_trip(r, n, 0);
                free(r);
            }
        }
        mm_obsp_free(&p);
        return 0;
    }
    static mm_obsp_rec r[MAX_RECS];
    static char hosts[MAX_RECS][256];
    size_t n = 0, at = 1;
    while (n < MAX_RECS && at < size) {
        size_t kl = data[at++];
        if (kl == 0 || kl > size - at)
            break;
        const uint8_t *key = data + at;
        at += kl;
        size_t hl = at < size ? data[at++] : 0;
        if (hl > size - at)
            break;
        memcpy(hosts[n], data + at, hl);
        hosts[n][hl] = 0;
        at += hl;
        if (size - at < 4)
            break;
        uint32_t first = ((uint32_t)data[at] | (uint32_t)data[at + 1] << 8) % (MM_OBSP_MINUTES + 1);
        uint32_t last = first + data[at + 2];
        if (last > MM_OBSP_MINUTES)
            last = MM_OBSP_MINUTES;
        r[n] = (mm_obsp_rec){key, (uint32_t)kl, hosts[n], first, last, (uint64_t)data[at + 3] + 1};
        at += 4;
        n++;
    }
    n = mm_obsp_combine(r, n);
    round_trip(r, n, data[0] & 2 ? 3 : 0);
    return 0;
}
