/*
 * keccak.h - Keccak-256 as Ethereum uses it (the original Keccak padding,
 * 0x01 ... 0x80, not SHA3-256's 0x06): enough to check that a datagram
 * is an Ethereum discovery packet, whose first 32 bytes are this hash of
 * the rest.
 */
#ifndef MM_KECCAK_H
#define MM_KECCAK_H

#include <stddef.h>
#include <stdint.h>

void mm_keccak256(const uint8_t *data, size_t len, uint8_t out[32]);

#endif
