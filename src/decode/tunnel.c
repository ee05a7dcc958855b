/*
 * tunnel.c - tunnels carried in UDP, recognised by port and checked by
 * header shape before the inner packet is decoded (so that ordinary traffic
 * on these ports stays what it is): GTP-U (2152), VXLAN (4789), Geneve
 * (6081), Teredo (3544), CAPWAP data (5247). When the inner packet decodes,
 * it is what the flow is about, as tshark shows it.
 */
#include "decode/decode.h"

static bool try_gtpu(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    if (n < 8 || (b[0] >> 5) != 1 || !(b[0] & 0x10) || b[1] != 0xFF)
        return false;
    uint32_t h = 8;
    if (b[0] & 0x07) {
        if (n < 12)
            return false;
        h = 12;
        uint8_t next = (b[0] & 0x04) ? b[11] : 0;
        for (int i = 0; next && i < 8; i++) {
            if (n < h + 4 || b[h] == 0)
                return false;
            uint32_t el = (uint32_t)b[h] * 4;
            if (n < h + el)
                return false;
            next = b[h + el - 1];
            h += el;
        }
        if (next)
            return false;
    }
    if (n <= h)
        return false;
    unsigned v = b[h] >> 4;
    if (v != 4 && v != 6)
        return false;
    MM_TUNNEL(p, n - h, mm_decode_ip(d, p, b + h, n - h));
    return true;
}

static bool try_vxlan(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    if (n < 8 + 14 || !(b[0] & 0x08))
        return false;
    MM_TUNNEL(p, n - 8, mm_decode_ether(d, p, b + 8, n - 8));
    return true;
}

static bool try_geneve(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    if (n < 8 || (b[0] >> 6) != 0)
        return false;
    uint32_t h = 8 + (uint32_t)(b[0] & 0x3F) * 4;
    if (n < h)
        return false;
    MM_TUNNEL(p, n - h, mm_decode_ethertype(d, p, mm_be16(b + 2), b + h, n - h));
    return true;
}

static bool try_teredo(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    uint32_t h = 0;
    for (int i = 0; i < 2; i++) {
        if (n >= h + 2 && b[h] == 0 && b[h + 1] == 1) {          /* authentication */
            if (n < h + 4)
                return false;
            h += 4 + b[h + 2] + b[h + 3] + 8 + 1;
        } else if (n >= h + 2 && b[h] == 0 && b[h + 1] == 0) {   /* origin indication */
            h += 8;
        }
    }
    if (n < h + 40 || (b[h] >> 4) != 6 || 40u + mm_be16(b + h + 4) != n - h)
        return false;
    MM_TUNNEL(p, n - h, mm_decode_ipv6(d, p, b + h, n - h));
    return true;
}

static bool try_capwap(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    if (n < 8 || b[0] != 0)       /* version 0, not DTLS */
        return false;
    uint32_t hlen = (uint32_t)(b[1] >> 3) * 4;
    unsigned wbid = (b[2] >> 1) & 0x1F;
    bool native = b[2] & 1, frag = b[3] & 0x80;
    if (hlen < 8 || n < hlen || frag)
        return false;
    b += hlen;
    n -= hlen;
    if (!native) {                /* IEEE 802.3 frame */
        MM_TUNNEL(p, n, mm_decode_ether(d, p, b, n));
        return true;
    }
    if (wbid != 1 || n < 24)      /* IEEE 802.11 */
        return false;
    /* Controllers send the 802.11 frame control with its two bytes swapped;
     * tshark reads it that way by default, and so do we. */
    uint8_t fc0 = b[1], fc1 = b[0];
    /* Data frames only. The protected bit is ignored: a controller carries
     * frames the access point has already decrypted. */
    if (((fc0 >> 2) & 3) != 2)
        return false;
    unsigned sub = fc0 >> 4;
    if (sub & 0x04)               /* null function: no payload */
        return false;
    uint32_t h = 24;
    if ((fc1 & 0x03) == 0x03)
        h += 6;
    if (sub & 0x08) {
        h += 2;
        if (fc1 & 0x80)
            h += 4;
    }
    if (n < h + 8 || b[h] != 0xAA || b[h + 1] != 0xAA || b[h + 2] != 0x03)
        return false;
    MM_TUNNEL(p, n - h - 8, mm_decode_ethertype(d, p, mm_be16(b + h + 6), b + h + 8, n - h - 8));
    return true;
}

void mm_decode_udp_tunnel(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    uint16_t s = p->sport, t = p->dport;
    /* Suricata decodes VXLAN, Geneve and Teredo and keeps a flow of their
     * carrier packets too (the first tunnel's) */
    bool first = p->outer.entered == 0;
    if (s == 2152 || t == 2152) {
        if (try_gtpu(d, p, b, n)) d->st.gtp++;
    } else if (t == 4789) {
        if (try_vxlan(d, p, b, n)) {
            d->st.vxlan++;
            p->outer.carrier |= first;
        }
    } else if (t == 6081) {
        if (try_geneve(d, p, b, n)) {
            d->st.geneve++;
            p->outer.carrier |= first;
        }
    } else if (s == 3544 || t == 3544) {
        if (try_teredo(d, p, b, n)) {
            d->st.teredo++;
            p->outer.carrier |= first;
        }
    } else if (s == 5247 || t == 5247) {
        if (try_capwap(d, p, b, n)) d->st.capwap++;
    }
}
