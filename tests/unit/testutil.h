/* testutil.h - helpers for the unit tests: build packets and captures in memory. */
#ifndef MM_TESTUTIL_H
#define MM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

typedef struct tbuf {
    uint8_t b[70000];
    size_t n;
} tbuf;

static inline void tb_put(tbuf *t, const void *p, size_t n)
{
    memcpy(t->b + t->n, p, n);
    t->n += n;
}
static inline void tb_u8(tbuf *t, uint8_t v) { t->b[t->n++] = v; }
static inline void tb_be16(tbuf *t, uint16_t v) { tb_u8(t, (uint8_t)(v >> 8)); tb_u8(t, (uint8_t)v); }
static inline void tb_be32(tbuf *t, uint32_t v) { tb_be16(t, (uint16_t)(v >> 16)); tb_be16(t, (uint16_t)v); }
static inline void tb_le16(tbuf *t, uint16_t v) { tb_u8(t, (uint8_t)v); tb_u8(t, (uint8_t)(v >> 8)); }
static inline void tb_le32(tbuf *t, uint32_t v) { tb_le16(t, (uint16_t)v); tb_le16(t, (uint16_t)(v >> 16)); }

/* IPv4 header (no checksum needed by our decoder) for an L4 of len bytes. */
static inline void tb_ipv4(tbuf *t, const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
                           uint16_t l4len, uint16_t id, uint16_t fragoff, int more)
{
    tb_u8(t, 0x45); tb_u8(t, 0);
    tb_be16(t, (uint16_t)(20 + l4len));
    tb_be16(t, id);
    tb_be16(t, (uint16_t)((fragoff / 8) | (more ? 0x2000 : 0)));
    tb_u8(t, 64); tb_u8(t, proto);
    tb_be16(t, 0);
    tb_put(t, src, 4);
    tb_put(t, dst, 4);
}

static inline void tb_tcp(tbuf *t, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack,
                          uint8_t flags)
{
    tb_be16(t, sp); tb_be16(t, dp);
    tb_be32(t, seq); tb_be32(t, ack);
    tb_u8(t, 0x50); tb_u8(t, flags);
    tb_be16(t, 65535); tb_be16(t, 0); tb_be16(t, 0);
}

static inline void tb_udp(tbuf *t, uint16_t sp, uint16_t dp, uint16_t payload)
{
    tb_be16(t, sp); tb_be16(t, dp);
    tb_be16(t, (uint16_t)(8 + payload)); tb_be16(t, 0);
}

static inline void tb_eth(tbuf *t, uint16_t ethertype)
{
    static const uint8_t m[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    tb_put(t, m, 12);
    tb_be16(t, ethertype);
}

#endif
