/* Fuzz target: the AF_PACKET ring's block walker (capture/afpacket.c) on a
 * block from memory. Byte 0 picks the link type (bit 0: raw IP, else
 * Ethernet, where VLAN tags are put back); the rest is the block, its
 * descriptor first, as the kernel would hand it up. */
#include "capture/capture.h"

#include <stdlib.h>
#include <string.h>

static uint64_t sink;

static void touch(void *u, const mm_rawpkt *p)
{
    (void)u;
    if (p->caplen > p->wirelen || p->caplen > MM_MAX_SNAPLEN)
        abort();
    uint64_t s = p->ts_ns;
    for (uint32_t i = 0; i < p->caplen; i++)   /* every byte handed up must be readable */
        s += p->data[i];
    sink += s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 22))
        return 0;
    int lt = (data[0] & 1) ? MM_LT_RAW : MM_LT_ETHERNET;
    /* a copy of exactly the block's size, so reading past it is caught */
    size_t n = size - 1;
    uint8_t *blk = malloc(n ? n : 1);
    if (!blk)
        return 0;
    if (n)
        memcpy(blk, data + 1, n);
    uint64_t bad = 0;
    mm_afp_walk_block(blk, (uint32_t)n, lt, touch, NULL, &bad);
    free(blk);
    return 0;
}
