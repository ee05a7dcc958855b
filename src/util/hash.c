/*
 * hash.c - SipHash-1-3 (Aumasson and Bernstein), written from the paper's
 * description: one compression round per 8-byte word, three finalisation
 * rounds.
 */
#include "util/hash.h"

#include <string.h>
#include <sodium.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND                                                            \
    do {                                                                    \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);           \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                              \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                              \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);           \
    } while (0)

void mm_hashkey_random(mm_hashkey *k)
{
    randombytes_buf(k, sizeof(*k));
}

/* SipHash-c-d: c compression rounds per word, d finalisation rounds. */
static inline uint64_t siphash_cd(const mm_hashkey *k, const void *data, size_t len, int c, int d)
{
    const uint8_t *in = data;
    uint64_t v0 = 0x736f6d6570736575ULL ^ k->k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k->k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k->k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k->k1;
    uint64_t b = ((uint64_t)len) << 56;
    size_t left = len & 7;
    const uint8_t *end = in + len - left;

    for (; in != end; in += 8) {
        uint64_t m;
        memcpy(&m, in, 8); /* little-endian hosts; the hash need only be stable per run */
        v3 ^= m;
        for (int i = 0; i < c; i++)
            SIPROUND;
        v0 ^= m;
    }
    switch (left) {
    case 7: b |= ((uint64_t)in[6]) << 48; /* fall through */
    case 6: b |= ((uint64_t)in[5]) << 40; /* fall through */
    case 5: b |= ((uint64_t)in[4]) << 32; /* fall through */
    case 4: b |= ((uint64_t)in[3]) << 24; /* fall through */
    case 3: b |= ((uint64_t)in[2]) << 16; /* fall through */
    case 2: b |= ((uint64_t)in[1]) << 8;  /* fall through */
    case 1: b |= ((uint64_t)in[0]); break;
    default: break;
    }
    v3 ^= b;
    for (int i = 0; i < c; i++)
        SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    for (int i = 0; i < d; i++)
        SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t mm_siphash13(const mm_hashkey *k, const void *data, size_t len)
{
    return siphash_cd(k, data, len, 1, 3);
}

uint64_t mm_siphash24(const mm_hashkey *k, const void *data, size_t len)
{
    return siphash_cd(k, data, len, 2, 4);
}
