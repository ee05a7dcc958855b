/*
 * hash.h - keyed hashing for tables fed by the network.
 *
 * SipHash-1-3 with a 128-bit key drawn at start-up from the kernel's random
 * source, so an attacker who picks addresses and ports cannot predict which
 * bucket a flow lands in (no hash flooding).
 */
#ifndef MM_HASH_H
#define MM_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct mm_hashkey {
    uint64_t k0, k1;
} mm_hashkey;

void mm_hashkey_random(mm_hashkey *k);
uint64_t mm_siphash13(const mm_hashkey *k, const void *data, size_t len);
uint64_t mm_siphash24(const mm_hashkey *k, const void *data, size_t len);

#endif
