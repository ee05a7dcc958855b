/*
 * community_id.c - Community ID v1 (see community_id.h).
 */
#include "util/community_id.h"

#include <nettle/sha1.h>
#include <string.h>

/* ICMP messages that have an answer: the pair stands for the two ports,
 * and the flow is two-way (Zeek's mapping). Others are one-way: type and
 * code, in the order seen. */
static bool icmp_pair(uint8_t proto, uint8_t type, uint8_t *other)
{
    static const uint8_t v4[][2] = {{8, 0}, {13, 14}, {15, 16}, {10, 9}, {17, 18}};
    static const uint8_t v6[][2] = {{128, 129}, {130, 131}, {133, 134}, {135, 136},
                                    {139, 140}, {144, 145}};
    const uint8_t (*t)[2] = proto == 1 ? v4 : v6;
    size_t n = proto == 1 ? sizeof v4 / sizeof v4[0] : sizeof v6 / sizeof v6[0];
    for (size_t i = 0; i < n; i++) {
        if (t[i][0] == type) {
            *other = t[i][1];
            return true;
        }
        if (t[i][1] == type) {
            *other = t[i][0];
            return true;
        }
    }
    return false;
}

void mm_community_id(const mm_ip *src, uint16_t sp, const mm_ip *dst, uint16_t dp,
                     uint8_t proto, uint16_t seed, char out[MM_COMMUNITY_ID_LEN])
{
    size_t al = src->v == 6 ? 16 : 4;
    bool ports = proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
    bool one_way = false;
    if (proto == 1 || proto == 58) {
        uint8_t other;
        if (icmp_pair(proto, (uint8_t)sp, &other))
            dp = other;
        else
            one_way = true;
    }
    /* the smaller address (then port) first, unless the ICMP message is one-way */
    int c = memcmp(src->b, dst->b, al);
    if (!one_way && (c > 0 || (c == 0 && ports && sp > dp))) {
        const mm_ip *t = src;
        src = dst;
        dst = t;
        uint16_t tp = sp;
        sp = dp;
        dp = tp;
    }
    uint8_t buf[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, src->b, al);
    n += al;
    memcpy(buf + n, dst->b, al);
    n += al;
    buf[n++] = proto;
    buf[n++] = 0;
    if (ports) {
        buf[n++] = (uint8_t)(sp >> 8);
        buf[n++] = (uint8_t)sp;
        buf[n++] = (uint8_t)(dp >> 8);
        buf[n++] = (uint8_t)dp;
    }
    struct sha1_ctx ctx;
    uint8_t dg[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, n, buf);
    sha1_digest(&ctx, sizeof dg, dg);
    out[0] = '1';
    out[1] = ':';
    mm_base64_encode(dg, sizeof dg, out + 2);
}
