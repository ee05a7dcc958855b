/*
 * ratelimit.h - token buckets keyed by client address, for the web layer.
 *
 * A request takes one token from the bucket of its address AND one from
 * the bucket of its address block (an IPv4 /24, an IPv6 /56 by default:
 * what one customer line usually gets), so an attacker with a whole block
 * of addresses is held to the block's rate. A request is let through only
 * when both buckets have a token (neither is charged otherwise). Buckets
 * refill continuously at their rate up to their burst.
 *
 * The table has a fixed capacity (the address and the block entries share
 * it); when full, the least recently used entry is dropped. Dropping a
 * bucket forgets its debt, so an attacker who churns the table with many
 * addresses can reset buckets: the block buckets, being few, are the ones
 * that stay; size the table for the expected number of clients. Time is
 * passed in by the caller (nanoseconds, any monotonic origin); a clock
 * that steps back refills nothing. Thread-safe (one mutex).
 */
#ifndef MM_WEB_RATELIMIT_H
#define MM_WEB_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

typedef struct mm_web_rl_config {
    double addr_rate, addr_burst;   /* tokens per second, bucket size: per address */
    double block_rate, block_burst; /* the same per block */
    uint8_t v4_prefix, v6_prefix;   /* block sizes (1-32, 1-128) */
    size_t capacity;                /* entries in the table */
} mm_web_rl_config;

/* 1 request/s with a burst of 20 per address; 5/s, burst 100 per block;
 * /24, /56; 65536 entries. */
void mm_web_rl_defaults(mm_web_rl_config *c);

typedef struct mm_web_rl mm_web_rl;

/* NULL on a bad configuration or out of memory. */
mm_web_rl *mm_web_rl_new(const mm_web_rl_config *c);
void mm_web_rl_free(mm_web_rl *rl);
/* true: let the request through (a token taken from both buckets). */
bool mm_web_rl_take(mm_web_rl *rl, const mm_ip *ip, uint64_t now_ns);
/* entries in use, and entries dropped to make room, so far */
size_t mm_web_rl_used(mm_web_rl *rl);
uint64_t mm_web_rl_evicted(mm_web_rl *rl);

#endif
