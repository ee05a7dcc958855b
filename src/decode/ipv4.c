/*
 * ipv4.c - IPv4 header, fragments, and the tunnels that start at IP:
 * IPv4/IPv6 in IPv4 (protocols 4 and 41) and GRE (47, versions 0 and 1).
 */
#include "decode/decode.h"

#include <string.h>

void mm_decode_gre(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    d->st.gre++;
    if (n < 4) {
        mm_anom(d, p, MM_AN_GRE_SMALL);
        return;
    }
    uint16_t flags = mm_be16(b);
    uint16_t proto = mm_be16(b + 2);
    unsigned ver = flags & 7;
    uint32_t h = 4;
    if (ver == 0) {
        if (flags & 0x8000) h += 4;   /* checksum + reserved */
        if (flags & 0x2000) h += 4;   /* key */
        if (flags & 0x1000) h += 4;   /* sequence */
        if (flags & 0x4000) {         /* routing (RFC 1701): skip SRE list */
            if (!(flags & 0x8000)) h += 4;
            for (int i = 0; i < 16; i++) {
                if (n < h + 4) {
                    mm_anom(d, p, MM_AN_GRE_SMALL);
                    return;
                }
                uint8_t srelen = b[h + 3];
                uint16_t af = mm_be16(b + h);
                h += 4 + srelen;
                if (af == 0 && srelen == 0)
                    break;
            }
        }
    } else if (ver == 1) {            /* enhanced GRE (PPTP) */
        h = 8;                        /* key field is mandatory */
        if (flags & 0x1000) h += 4;   /* sequence */
        if (flags & 0x0080) h += 4;   /* acknowledgment */
    } else {
        mm_anom(d, p, MM_AN_GRE_BADVER);
        return;
    }
    if (n < h) {
        mm_anom(d, p, MM_AN_GRE_SMALL);
        return;
    }
    b += h;
    n -= h;
    if (ver == 1) {
        if (proto != 0x880B)
            return;
        MM_TUNNEL(p, n, mm_decode_ppp(d, p, b, n));
        return;
    }
    if (proto == 0x88BE && !(flags & 0x1000)) {
        /* ERSPAN type I: no sequence number, no header: the frame itself */
        d->st.erspan++;
        MM_TUNNEL(p, n, mm_decode_ether(d, p, b, n));
    } else if (proto == 0x88BE || proto == 0x22EB)
        mm_decode_ethertype(d, p, proto, b, n);     /* ERSPAN: the tunnel starts after its header */
    else
        MM_TUNNEL(p, n, mm_decode_ethertype(d, p, proto, b, n));
}

/* IPv4 options (RFC 791 and the ones after it) checked as Suricata's
 * decoder does: an option length past the options or under 2, an option
 * too short for its kind, a second one of a kind, an unknown kind, options
 * not padded to 8 bytes are reported. Suricata stops decoding a packet at
 * a bad option length; here the reading of the options stops and the
 * packet goes on, as tshark shows it (the flow oracle counts its flows). */
static void ipv4_options(mm_decoder *d, mm_pkt *p, const uint8_t *o, uint32_t n)
{
    if (n % 8)
        mm_anom(d, p, MM_AN_IPV4_OPT_PAD_REQUIRED);
    uint32_t seen = 0;          /* kinds met, by a bit of their number */
    while (n) {
        if (o[0] == 0)          /* end of options */
            break;
        if (o[0] == 1) {        /* no operation */
            o++;
            n--;
            continue;
        }
        if (n < 2) {
            mm_anom(d, p, MM_AN_IPV4_OPT_EOL_REQUIRED);
            break;
        }
        uint8_t type = o[0], len = o[1];
        if (len > n || len < 2) {
            mm_anom(d, p, MM_AN_IPV4_OPT_INVALID_LEN);
            return;
        }
        /* the smallest length of each kind Suricata knows */
        static const struct { uint8_t type, min, exact; } kinds[] = {
            {0x07, 3, 0},    /* record route */
            {0x44, 5, 0},    /* timestamp */
            {0x19, 8, 1},    /* quick-start (RFC 4782) */
            {0x82, 3, 0},    /* security (RFC 1108) */
            {0x85, 3, 0},    /* extended security */
            {0x83, 3, 0},    /* loose source route */
            {0x89, 3, 0},    /* strict source route */
            {0x86, 10, 0},   /* CIPSO */
            {0x88, 4, 1},    /* stream id */
            {0x94, 4, 1},    /* router alert (RFC 2113) */
        };
        size_t k = 0;
        while (k < sizeof kinds / sizeof kinds[0] && kinds[k].type != type)
            k++;
        if (k == sizeof kinds / sizeof kinds[0]) {
            mm_anom(d, p, MM_AN_IPV4_OPT_UNKNOWN);
        } else if (seen & 1u << k) {
            mm_anom(d, p, MM_AN_IPV4_OPT_DUPLICATE);
        } else {
            seen |= 1u << k;
            if (kinds[k].exact ? len != kinds[k].min : len < kinds[k].min)
                mm_anom(d, p, MM_AN_IPV4_OPT_INVALID_LEN);
        }
        o += len;
        n -= len;
    }
}

void mm_decode_ipv4(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    if (++p->layers > MM_MAX_LAYERS) {
        mm_anom(d, p, MM_AN_TOO_MANY_LAYERS);
        return;
    }
    if (n < 20) {
        mm_anom(d, p, MM_AN_IPV4_SMALL);
        return;
    }
    if ((b[0] >> 4) != 4) {
        mm_anom(d, p, MM_AN_IPV4_BADVER);
        return;
    }
    uint32_t hl = (uint32_t)(b[0] & 0x0F) * 4;
    if (hl < 20) {
        mm_anom(d, p, MM_AN_IPV4_HLEN);
        return;
    }
    if (hl > n) {
        mm_anom(d, p, MM_AN_IPV4_TRUNC);
        return;
    }
    uint32_t tot = mm_be16(b + 2);
    bool cut = false;      /* the datagram is not all here */
    if (tot == 0) {
        tot = n;               /* segmentation offload: length left to the NIC */
    } else if (tot < hl) {
        mm_anom(d, p, MM_AN_IPV4_IPLEN);
        return;
    } else if (tot > n) {
        /* A lie (the whole frame was captured): the packet is invalid, as
         * Suricata's decoder takes it - no addresses, no flow. Cut by the
         * snapshot length: decode what is there. */
        if (p->raw->caplen >= p->raw->wirelen) {
            mm_anom(d, p, MM_AN_IPV4_TRUNC);
            return;
        }
        tot = n;
        cut = true;
    }
    if (hl > 20)
        ipv4_options(d, p, b + 20, hl - 20);
    d->st.ipv4++;
    uint8_t proto = b[9];
    p->ipver = 4;
    p->l3 = b;
    p->l3_len = hl;
    p->ttl = b[8];
    p->ip_id = (uint16_t)(b[4] << 8 | b[5]);
    p->proto = proto;
    memset(&p->src, 0, sizeof p->src);
    memset(&p->dst, 0, sizeof p->dst);
    memcpy(p->src.b, b + 12, 4);
    memcpy(p->dst.b, b + 16, 4);
    p->src.v = p->dst.v = 4;

    uint16_t fo = mm_be16(b + 6);
    uint32_t off = (uint32_t)(fo & 0x1FFF) * 8;
    bool more = (fo & 0x2000) != 0;
    const uint8_t *l4 = b + hl;
    uint32_t l4n = tot - hl;
    if ((off || more) && cut && off == 0) {
        /* A cut first fragment can never be reassembled: decode what it
         * carries, as tshark does. */
        d->st.frag_v4++;
    } else if (off || more) {
        d->st.frag_v4++;
        mm_fragkey k;
        memset(&k, 0, sizeof k);
        memcpy(k.src, b + 12, 4);
        memcpy(k.dst, b + 16, 4);
        k.id = mm_be16(b + 4);
        k.ver = 4;
        k.proto = proto;
        if (!mm_decode_fragment(d, p, &k, off, more, &l4, &l4n))
            return;
    }
    mm_decode_ip_payload(d, p, proto, l4, l4n);
}
