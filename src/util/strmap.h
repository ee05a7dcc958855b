/*
 * strmap.h - a map from strings to a 64-bit value (open addressing, keyed
 * SipHash so a hostile file cannot make it slow). Keys are copied.
 */
#ifndef MM_STRMAP_H
#define MM_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/hash.h"

typedef struct mm_strmap_slot {
    char *key;
    size_t len;
    uint64_t val;
} mm_strmap_slot;

typedef struct mm_strmap {
    mm_strmap_slot *slot;
    size_t cap, n;
    mm_hashkey hk;
} mm_strmap;

void mm_strmap_init(mm_strmap *m);
void mm_strmap_free(mm_strmap *m);
/* The value's address, or NULL when absent. */
uint64_t *mm_strmap_get(const mm_strmap *m, const char *key, size_t len);
/* The value's address, inserted with val when absent (*added says which);
 * NULL when out of memory. */
uint64_t *mm_strmap_put(mm_strmap *m, const char *key, size_t len, uint64_t val, bool *added);
/* Calls fn for each entry (in no particular order). */
void mm_strmap_each(const mm_strmap *m, void (*fn)(void *ctx, const char *key, uint64_t val),
                    void *ctx);
/* The same with each key's length (keys may hold any byte). */
void mm_strmap_each_len(const mm_strmap *m,
                        void (*fn)(void *ctx, const char *key, size_t len, uint64_t val), void *ctx);
/* Removes key; false when it was not there. */
bool mm_strmap_del(mm_strmap *m, const char *key, size_t len);
size_t mm_strmap_memory(const mm_strmap *m);

#endif
