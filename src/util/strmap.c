/*
 * strmap.c - string-keyed open-addressing map (see strmap.h). Capacity is
 * a power of two kept at most half full; linear probing.
 */
#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

void mm_strmap_init(mm_strmap *m)
{
    memset(m, 0, sizeof *m);
    mm_hashkey_random(&m->hk);
}

void mm_strmap_free(mm_strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slot[i].key);
    free(m->slot);
    m->slot = NULL;
    m->cap = m->n = 0;
}

static size_t find(const mm_strmap *m, const char *key, size_t len)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)mm_siphash13(&m->hk, key, len) & mask;
    while (m->slot[i].key &&
           (m->slot[i].len != len || memcmp(m->slot[i].key, key, len) != 0))
        i = (i + 1) & mask;
    return i;
}

uint64_t *mm_strmap_get(const mm_strmap *m, const char *key, size_t len)
{
    if (!m->cap)
        return NULL;
    size_t i = find(m, key, len);
    return m->slot[i].key ? &m->slot[i].val : NULL;
}

static bool grow(mm_strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    mm_strmap_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return false;
    mm_strmap old = *m;
    m->slot = s;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slot[i].key)
            m->slot[find(m, old.slot[i].key, old.slot[i].len)] = old.slot[i];
    free(old.slot);
    return true;
}

uint64_t *mm_strmap_put(mm_strmap *m, const char *key, size_t len, uint64_t val, bool *added)
{
    if (added)
        *added = false;
    if ((m->n + 1) * 2 > m->cap && !grow(m))
        return NULL;
    size_t i = find(m, key, len);
    if (!m->slot[i].key) {
        char *k = malloc(len + 1);
        if (!k)
            return NULL;
        memcpy(k, key, len);
        k[len] = 0;
        m->slot[i] = (mm_strmap_slot){k, len, val};
        m->n++;
        if (added)
            *added = true;
    }
    return &m->slot[i].val;
}

void mm_strmap_each(const mm_strmap *m, void (*fn)(void *ctx, const char *key, uint64_t val),
                    void *ctx)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slot[i].key)
            fn(ctx, m->slot[i].key, m->slot[i].val);
}

void mm_strmap_each_len(const mm_strmap *m,
                        void (*fn)(void *ctx, const char *key, size_t len, uint64_t val), void *ctx)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slot[i].key)
            fn(ctx, m->slot[i].key, m->slot[i].len, m->slot[i].val);
}

bool mm_strmap_del(mm_strmap *m, const char *key, size_t len)
{
    if (!m->cap)
        return false;
    size_t mask = m->cap - 1, i = find(m, key, len);
    if (!m->slot[i].key)
        return false;
    free(m->slot[i].key);
    m->slot[i].key = NULL;
    m->n--;
    /* backward shift: later entries of the probe run move into the hole
     * when their home slot is not between the hole and them */
    for (size_t j = (i + 1) & mask; m->slot[j].key; j = (j + 1) & mask) {
        size_t home = (size_t)mm_siphash13(&m->hk, m->slot[j].key, m->slot[j].len) & mask;
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays)
            continue;
        m->slot[i] = m->slot[j];
        m->slot[j].key = NULL;
        i = j;
    }
    return true;
}

size_t mm_strmap_memory(const mm_strmap *m)
{
    size_t b = m->cap * sizeof *m->slot;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slot[i].key)
            b += m->slot[i].len + 1;
    return b;
}
