/*
 * ipv6.c - IPv6 header and extension headers (hop-by-hop, routing,
 * fragment, destination options, AH, mobility), fragments, and tunnels
 * that start at IPv6 (IPv4/IPv6 in IPv6, GRE).
 */
#include "decode/decode.h"

#include <string.h>

#define MAX_EXT 16

/* The options of a hop-by-hop or destination-options header h (el bytes):
 * one that is not Pad1, PadN, Router Alert, Jumbo Payload or Home Address
 * is unknown, as Suricata judges them; an option running past the header
 * has an invalid length. */
static void options(mm_decoder *d, mm_pkt *p, const uint8_t *h, uint32_t el, bool hbh)
{
    uint32_t off = 2;
    while (off < el) {
        uint8_t type = h[off];
        if (type == 0) {                /* Pad1 */
            off++;
            continue;
        }
        if (off + 1 >= el || off + 2u + h[off + 1] > el) {
            mm_anom(d, p, MM_AN_IPV6_OPT_LEN);
            return;
        }
        if (type != 1 && type != 0x05 && type != 0xC2 && type != 0xC9)
            mm_anom(d, p, hbh ? MM_AN_IPV6_HBH_UNKNOWN : MM_AN_IPV6_DST_UNKNOWN);
        off += 2u + h[off + 1];
    }
}

void mm_decode_ipv6(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    if (++p->layers > MM_MAX_LAYERS) {
        mm_anom(d, p, MM_AN_TOO_MANY_LAYERS);
        return;
    }
    if (n < 40) {
        mm_anom(d, p, MM_AN_IPV6_SMALL);
        return;
    }
    if ((b[0] >> 4) != 6) {
        mm_anom(d, p, MM_AN_IPV6_BADVER);
        return;
    }
    uint32_t plen = mm_be16(b + 4);
    uint32_t avail = n - 40;
    bool cut = false;
    if (plen == 0) {
        plen = avail; /* jumbogram or offload */
    } else if (plen > avail) {
        /* a lie: invalid, as Suricata's decoder takes it (no addresses,
         * no flow); cut by the snapshot length: decode what is there */
        if (p->raw->caplen >= p->raw->wirelen) {
            mm_anom(d, p, MM_AN_IPV6_TRUNC);
            return;
        }
        plen = avail;
        cut = true;
    }
    d->st.ipv6++;
    p->ipver = 6;
    p->l3 = b;
    p->l3_len = 40;
    p->ttl = b[7];
    p->ip_id = 0;
    memcpy(p->src.b, b + 8, 16);
    memcpy(p->dst.b, b + 24, 16);
    p->src.v = p->dst.v = 6;

    uint8_t nh = b[6];
    const uint8_t *q = b + 40;
    uint32_t left = plen;
    bool frag = false, seen_fh = false;
    uint32_t foff = 0, fid = 0;
    bool fmore = false;

    for (int i = 0; i < MAX_EXT; i++) {
        uint32_t el;
        switch (nh) {
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
            if (left < 8) {
                mm_anom(d, p, MM_AN_IPV6_TRUNC_EXT);
                p->proto = nh;
                return;
            }
            el = ((uint32_t)q[1] + 1) * 8;
            if ((nh == 0 || nh == 60) && el <= left)
                options(d, p, q, el, nh == 0);
            break;
        case 51:  /* AH: length in 4-byte units, minus 2 */
            if (left < 8) {
                mm_anom(d, p, MM_AN_IPV6_TRUNC_EXT);
                p->proto = nh;
                return;
            }
            el = ((uint32_t)q[1] + 2) * 4;
            break;
        case 44:  /* fragment */
            if (left < 8) {
                mm_anom(d, p, MM_AN_IPV6_TRUNC_EXT);
                p->proto = nh;
                return;
            }
            el = 8;
            if (q[1])
                mm_anom(d, p, MM_AN_IPV6_FH_RES);       /* its reserved byte */
            if (seen_fh) {
                /* a second fragment header: Suricata stops reading here */
                mm_anom(d, p, MM_AN_IPV6_DUPL_FH);
                p->proto = 59;
                return;
            }
            seen_fh = true;
            {
                uint16_t fo = mm_be16(q + 2);
                foff = (uint32_t)(fo & 0xFFF8);
                fmore = fo & 1;
                fid = mm_be32(q + 4);
                /* An atomic fragment (offset 0, no more) is a whole packet,
                 * its fragment header of no use (RFC 6946) */
                frag = foff != 0 || fmore;
                if (!frag)
                    mm_anom(d, p, MM_AN_IPV6_USELESS_FH);
            }
            break;
        default:
            goto done;
        }
        if (el > left) {
            mm_anom(d, p, MM_AN_IPV6_TRUNC_EXT);
            p->proto = nh;
            return;
        }
        nh = q[0];
        q += el;
        left -= el;
        /* a header follows: it needs 2 bytes at least (Suricata's check
         * after each extension header, an atomic fragment's too; a
         * fragment's rest is read once reassembled) */
        if (!frag && nh != 59 && left < 2) {
            mm_anom(d, p, MM_AN_IPV6_TRUNC_EXT);
            p->proto = nh;
            return;
        }
    }
done:
    p->proto = nh;
    p->l3_len = (uint32_t)(q - b);   /* with its extension headers, as ipv6.hdr */
    if (frag && cut && foff == 0) {
        d->st.frag_v6++;   /* cut first fragment: decode what it carries */
    } else if (frag) {
        d->st.frag_v6++;
        if (fmore && (left % 8) != 0) {
            mm_anom(d, p, MM_AN_IPV6_FRAG_INVLEN);
            return;
        }
        mm_fragkey k;
        memset(&k, 0, sizeof k);
        memcpy(k.src, b + 8, 16);
        memcpy(k.dst, b + 24, 16);
        k.id = fid;
        k.ver = 6;
        k.proto = nh;
        if (!mm_decode_fragment(d, p, &k, foff, fmore, &q, &left))
            return;
    }
    mm_decode_ip_payload(d, p, nh, q, left);
}
