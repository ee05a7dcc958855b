/*
 * keccak.c - Keccak-f[1600] and the Keccak-256 sponge (rate 136 bytes),
 * written from the Keccak reference (FIPS 202's permutation; Ethereum's
 * original padding). Lanes are read and written little-endian, so the
 * result does not depend on the host's byte order.
 */
#include "util/keccak.h"

#include <string.h>

static const uint64_t round_const[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* rho's rotation of lane x + 5y, and pi's destination for it */
static const unsigned rho[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                                 25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

static uint64_t rol(uint64_t v, unsigned n)
{
    return n ? (v << n) | (v >> (64 - n)) : v;
}

static void permute(uint64_t a[25])
{
    for (int r = 0; r < 24; r++) {
        uint64_t c[5], b[25];
        for (int x = 0; x < 5; x++)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) {
            uint64_t dx = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5)
                a[y + x] ^= dx;
        }
        /* rho and pi: lane (x, y) goes to (y, 2x + 3y) */
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                b[y + 5 * ((2 * x + 3 * y) % 5)] = rol(a[x + 5 * y], rho[x + 5 * y]);
        for (int y = 0; y < 25; y += 5)
            for (int x = 0; x < 5; x++)
                a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        a[0] ^= round_const[r];
    }
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void mm_keccak256(const uint8_t *data, size_t len, uint8_t out[32])
{
    enum { RATE = 136 };
    uint64_t a[25];
    memset(a, 0, sizeof a);
    while (len >= RATE) {
        for (int i = 0; i < RATE / 8; i++)
            a[i] ^= load64(data + 8 * i);
        permute(a);
        data += RATE;
        len -= RATE;
    }
    uint8_t last[RATE];
    memset(last, 0, sizeof last);
    if (len)
        memcpy(last, data, len);
    last[len] ^= 0x01;
    last[RATE - 1] ^= 0x80;
    for (int i = 0; i < RATE / 8; i++)
        a[i] ^= load64(last + 8 * i);
    permute(a);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 8; k++)
            out[8 * i + k] = (uint8_t)(a[i] >> (8 * k));
}
