/*
 * link.c - link layers and what sits between them and IP: Ethernet, 802.1Q
 * and QinQ VLAN tags, MPLS label stacks, PPPoE sessions, PPP, Linux cooked
 * capture v1/v2, BSD loopback, raw IP, Cisco HDLC, PPI, ERSPAN, NSH.
 */
#include "decode/decode.h"

#define ET_IPV4 0x0800
#define ET_ARP 0x0806
#define ET_VLAN 0x8100
#define ET_QINQ 0x88A8
#define ET_QINQ_OLD 0x9100
#define ET_IPV6 0x86DD
#define ET_MPLS 0x8847
#define ET_MPLS_MC 0x8848
#define ET_PPPOE_DISC 0x8863
#define ET_PPPOE_SESS 0x8864
#define ET_TEB 0x6558     /* transparent Ethernet bridging (GRE) */
#define ET_ERSPAN2 0x88BE
#define ET_ERSPAN3 0x22EB
#define ET_NSH 0x894F

void mm_decode_ip(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    if (n < 1) {
        mm_anom(d, p, MM_AN_RAW_BADVER);
        return;
    }
    switch (b[0] >> 4) {
    case 4: mm_decode_ipv4(d, p, b, n); break;
    case 6: mm_decode_ipv6(d, p, b, n); break;
    default: mm_anom(d, p, MM_AN_RAW_BADVER); break;
    }
}

static void decode_mpls(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    d->st.mpls++;
    for (int i = 0; i < 16; i++) {
        if (n < 4) {
            mm_anom(d, p, MM_AN_MPLS_SMALL);
            return;
        }
        bool bottom = b[2] & 1;
        b += 4;
        n -= 4;
        if (bottom)
            break;
        if (i == 15) {
            mm_anom(d, p, MM_AN_MPLS_SMALL);
            return;
        }
    }
    if (n < 1) {
        mm_anom(d, p, MM_AN_MPLS_SMALL);
        return;
    }
    switch (b[0] >> 4) {
    case 4: mm_decode_ipv4(d, p, b, n); break;
    case 6: mm_decode_ipv6(d, p, b, n); break;
    case 0: /* pseudowire control word, then Ethernet */
        if (n < 4) {
            mm_anom(d, p, MM_AN_MPLS_SMALL);
            return;
        }
        mm_decode_ether(d, p, b + 4, n - 4);
        break;
    default: mm_anom(d, p, MM_AN_MPLS_UNKNOWN); break;
    }
}

void mm_decode_ethertype(mm_decoder *d, mm_pkt *p, uint16_t et, const uint8_t *b, uint32_t n)
{
    for (;;) {
        p->ethertype = et;
        switch (et) {
        case ET_IPV4: mm_decode_ipv4(d, p, b, n); return;
        case ET_IPV6: mm_decode_ipv6(d, p, b, n); return;
        case ET_VLAN:
        case ET_QINQ:
        case ET_QINQ_OLD:
            if (n < 4) {
                mm_anom(d, p, MM_AN_VLAN_SMALL);
                return;
            }
            if (p->vlan_n < 2)
                p->vlan[p->vlan_n] = mm_be16(b) & 0x0FFF;
            else if (p->vlan_n == 2)
                mm_anom(d, p, MM_AN_VLAN_TOO_MANY);
            if (p->vlan_n == 1)
                d->st.vlan_qinq++;
            else if (p->vlan_n == 0)
                d->st.vlan++;
            if (p->vlan_n >= 8) {
                mm_anom(d, p, MM_AN_TOO_MANY_LAYERS);
                return;
            }
            p->vlan_n++;
            et = mm_be16(b + 2);
            b += 4;
            n -= 4;
            continue;
        case ET_MPLS:
        case ET_MPLS_MC:
            decode_mpls(d, p, b, n);
            return;
        case ET_PPPOE_SESS:
            d->st.pppoe++;
            if (n < 8) {
                mm_anom(d, p, MM_AN_PPPOE_SMALL);
                return;
            }
            {
                uint32_t plen = mm_be16(b + 4);
                uint32_t avail = n - 6;
                if (plen < avail)
                    avail = plen;
                mm_decode_ppp(d, p, b + 6, avail);
            }
            return;
        case ET_TEB:
            mm_decode_ether(d, p, b, n);
            return;
        case ET_ERSPAN2:
            d->st.erspan++;
            if (n < 8) {
                mm_anom(d, p, MM_AN_ERSPAN_SMALL);
                return;
            }
            /* the mirrored frame's VLAN, from the type II header, as
             * Suricata counts it among the packet's VLANs */
            if ((mm_be16(b) & 0x0FFF) && p->vlan_n < 2)
                p->vlan[p->vlan_n++] = mm_be16(b) & 0x0FFF;
            /* the flow counts the GRE payload, the ERSPAN header in it (Suricata) */
            MM_TUNNEL(p, n, mm_decode_ether(d, p, b + 8, n - 8));
            return;
        case ET_ERSPAN3:
            d->st.erspan++;
            if (n < 12) {
                mm_anom(d, p, MM_AN_ERSPAN_SMALL);
                return;
            }
            {
                uint32_t h = 12 + ((b[11] & 1) ? 8 : 0); /* optional subheader */
                if (n < h) {
                    mm_anom(d, p, MM_AN_ERSPAN_SMALL);
                    return;
                }
                MM_TUNNEL(p, n, mm_decode_ether(d, p, b + h, n - h));
            }
            return;
        case ET_NSH: {
            /* Network Service Header (RFC 8300): version 0, its length in
             * 4-byte words (MD type 1: 6, else at least 2), then the
             * next protocol */
            d->st.nsh++;
            if (n < 8) {
                mm_anom(d, p, MM_AN_NSH_SMALL);
                return;
            }
            if (b[0] >> 6) {
                mm_anom(d, p, MM_AN_NSH_VERSION);
                return;
            }
            uint32_t hl = (uint32_t)(mm_be16(b) & 0x3F) * 4;
            uint8_t md = b[2] & 0x0F;
            if (hl < 8 || hl > n || (md == 1 && hl != 24)) {
                mm_anom(d, p, MM_AN_NSH_BAD_LEN);
                return;
            }
            uint8_t next = b[3];
            static const uint16_t next_et[] = {0, ET_IPV4, ET_IPV6, 0, ET_NSH, ET_MPLS};
            if (next == 3) {
                mm_decode_ether(d, p, b + hl, n - hl);
                return;
            }
            if (next >= sizeof next_et / sizeof next_et[0] || !next_et[next]) {
                mm_anom(d, p, MM_AN_NSH_UNKNOWN);
                return;
            }
            if (++p->layers > MM_MAX_LAYERS) {
                mm_anom(d, p, MM_AN_TOO_MANY_LAYERS);
                return;
            }
            et = next_et[next];
            b += hl;
            n -= hl;
            continue;
        }
        case ET_ARP:
        case ET_PPPOE_DISC:
            return; /* not IP: counted by the caller as such */
        default:
            if (et >= 0x0600)
                mm_anom(d, p, MM_AN_ETH_UNKNOWN);
            return; /* 802.3 length field: LLC, not IP */
        }
    }
}

void mm_decode_ether(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    d->st.ethernet++;
    if (++p->layers > MM_MAX_LAYERS) {
        mm_anom(d, p, MM_AN_TOO_MANY_LAYERS);
        return;
    }
    if (n < 14) {
        mm_anom(d, p, MM_AN_ETH_SMALL);
        return;
    }
    p->eth = b;
    mm_decode_ethertype(d, p, mm_be16(b + 12), b + 14, n - 14);
}

static void decode_chdlc(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    d->st.chdlc++;
    if (n < 4) {
        mm_anom(d, p, MM_AN_CHDLC_SMALL);
        return;
    }
    mm_decode_ethertype(d, p, mm_be16(b + 2), b + 4, n - 4);
}

void mm_decode_ppp(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n)
{
    d->st.ppp++;
    if (n >= 2 && b[0] == 0xFF && b[1] == 0x03) { /* address and control */
        b += 2;
        n -= 2;
    }
    if (n < 1) {
        mm_anom(d, p, MM_AN_PPP_SMALL);
        return;
    }
    uint16_t proto;
    if (b[0] & 1) { /* protocol field compression: one byte */
        proto = b[0];
        b += 1;
        n -= 1;
    } else {
        if (n < 2) {
            mm_anom(d, p, MM_AN_PPP_SMALL);
            return;
        }
        proto = mm_be16(b);
        b += 2;
        n -= 2;
    }
    switch (proto) {
    case 0x0021: mm_decode_ipv4(d, p, b, n); break;
    case 0x0057: mm_decode_ipv6(d, p, b, n); break;
    case 0x0281: decode_mpls(d, p, b, n); break;
    default:
        if (proto < 0x4000) /* network-layer protocols we do not decode */
            mm_anom(d, p, MM_AN_PPP_UNSUP);
        break;   /* link control (LCP, IPCP, auth...): not IP */
    }
}

void mm_decode_link(mm_decoder *d, mm_pkt *p, int lt, const uint8_t *b, uint32_t n)
{
    switch (lt) {
    case MM_LT_ETHERNET:
        mm_decode_ether(d, p, b, n);
        break;
    case MM_LT_LINUX_SLL:
        d->st.sll++;
        if (n < 16) {
            mm_anom(d, p, MM_AN_SLL_SMALL);
            return;
        }
        mm_decode_ethertype(d, p, mm_be16(b + 14), b + 16, n - 16);
        break;
    case MM_LT_LINUX_SLL2:
        d->st.sll2++;
        if (n < 20) {
            mm_anom(d, p, MM_AN_SLL2_SMALL);
            return;
        }
        mm_decode_ethertype(d, p, mm_be16(b), b + 20, n - 20);
        break;
    case MM_LT_NULL:
    case MM_LT_LOOP: {
        d->st.null++;
        if (n < 4) {
            mm_anom(d, p, MM_AN_NULL_SMALL);
            return;
        }
        /* The family is in the capturing host's byte order (NULL) or network
         * order (LOOP): accept either. IPv6 is 24, 28 or 30 depending on the BSD. */
        uint32_t le = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
                      ((uint32_t)b[3] << 24);
        uint32_t af = (le & 0xFFFF0000u) ? __builtin_bswap32(le) : le;
        if (af == 2)
            mm_decode_ipv4(d, p, b + 4, n - 4);
        else if (af == 24 || af == 28 || af == 30 || af == 10)
            mm_decode_ipv6(d, p, b + 4, n - 4);
        else
            mm_anom(d, p, MM_AN_NULL_UNSUP);
        break;
    }
    case MM_LT_RAW:
    case MM_DLT_RAW_ALT1:
    case MM_DLT_RAW_ALT2:
        d->st.raw++;
        mm_decode_ip(d, p, b, n);
        break;
    case MM_LT_IPV4:
        d->st.raw++;
        mm_decode_ipv4(d, p, b, n);
        break;
    case MM_LT_IPV6:
        d->st.raw++;
        mm_decode_ipv6(d, p, b, n);
        break;
    case MM_LT_PPP:
        /* Some systems write Cisco HDLC under the PPP link type: its
         * address byte is 0x0F (unicast) or 0x8F (broadcast). */
        if (n >= 1 && (b[0] == 0x0F || b[0] == 0x8F))
            decode_chdlc(d, p, b, n);
        else
            mm_decode_ppp(d, p, b, n);
        break;
    case MM_LT_CHDLC:
        decode_chdlc(d, p, b, n);
        break;
    case MM_LT_PPI: {
        if (n < 8) {
            mm_anom(d, p, MM_AN_LINK_UNSUPPORTED);
            return;
        }
        uint32_t hl = (uint32_t)b[2] | ((uint32_t)b[3] << 8);
        int inner = (int)((uint32_t)b[4] | ((uint32_t)b[5] << 8) | ((uint32_t)b[6] << 16) |
                          ((uint32_t)b[7] << 24));
        if (hl < 8 || hl > n || inner == MM_LT_PPI) {
            mm_anom(d, p, MM_AN_LINK_UNSUPPORTED);
            return;
        }
        mm_decode_link(d, p, inner, b + hl, n - hl);
        break;
    }
    default:
        mm_anom(d, p, MM_AN_LINK_UNSUPPORTED);
        break;
    }
}
