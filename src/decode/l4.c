/*
 * l4.c - what follows an IP header: tunnels (IP-in-IP, GRE) and the
 * transport headers TCP, UDP, ICMPv4, ICMPv6, SCTP.
 * The payload pointer and length are what stream reassembly and the
 * application-layer parsers will read.
 */
#include "decode/decode.h"

static bool icmp4_is_error(uint8_t t)
{
    return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
}

/* The ICMPv4 types and codes Suricata's decoder knows; others are its
 * unknown_type / unknown_code anomalies (router solicitation too). */
static void icmp4_check(mm_decoder *d, mm_pkt *p, uint8_t type, uint8_t code)
{
    for (int i = 0; i < p->n_anom; i++)
        if (p->anom[i] == MM_AN_IPV4_TRUNC)
            return;             /* Suricata decodes no further than a lying IPv4 length */
    int max;                    /* highest known code */
    switch (type) {
    case 3: max = 15; break;    /* destination unreachable */
    case 5: max = 3; break;     /* redirect */
    case 11: max = 1; break;    /* time exceeded */
    case 9: return;             /* router advertisement: any code */
    case 0: case 4: case 8: case 12: case 13: case 14: case 15: case 16: case 17: case 18:
        max = 0;
        break;
    default:
        mm_anom(d, p, MM_AN_ICMPV4_UNK_TYPE);
        return;
    }
    if (code > max)
        mm_anom(d, p, MM_AN_ICMPV4_UNK_CODE);
}

void mm_decode_ip_payload(mm_decoder *d, mm_pkt *p, uint8_t proto, const uint8_t *b, uint32_t n)
{
    bool outer4 = p->ipver == 4;
    switch (proto) {
    case 4:
        if (outer4) d->st.ipv4_in_ipv4++; else d->st.ipv4_in_ipv6++;
        MM_TUNNEL(p, n, mm_decode_ipv4(d, p, b, n));
        return;
    case 41:
        if (outer4) d->st.ipv6_in_ipv4++; else d->st.ipv6_in_ipv6++;
        MM_TUNNEL(p, n, mm_decode_ipv6(d, p, b, n));
        return;
    case 47:
        /* A GRE packet whose payload is not IP stays a flow of the outer
         * addresses with protocol 47. */
        mm_decode_gre(d, p, b, n);
        return;
    default:
        mm_decode_l4(d, p, proto, b, n);
        return;
    }
}

void mm_decode_l4(mm_decoder *d, mm_pkt *p, uint8_t proto, const uint8_t *b, uint32_t n)
{
    /* an inner transport header replaces the outer one entirely (a tunnel's
     * UDP ports must not stay on the ICMP inside it) */
    p->sport = p->dport = 0;
    p->tcp_flags = 0;
    p->seq = p->ack = 0;
    p->win = 0;
    p->icmp_type = p->icmp_code = 0;
    p->icmp_error = false;
    p->payload = NULL;
    p->payload_len = 0;
    p->l4_ok = false;
    p->proto = proto;
    p->l4 = b;
    p->l4_len = n;
    switch (proto) {
    case 6: {
        d->st.tcp++;
        if (n < 20) {
            mm_anom(d, p, MM_AN_TCP_SMALL);
            if (n >= 4) { /* ports are still known: the flow is real */
                p->sport = mm_be16(b);
                p->dport = mm_be16(b + 2);
            }
            return;
        }
        uint32_t hl = (uint32_t)(b[12] >> 4) * 4;
        p->sport = mm_be16(b);
        p->dport = mm_be16(b + 2);
        p->seq = mm_be32(b + 4);
        p->ack = mm_be32(b + 8);
        p->tcp_flags = b[13];
        p->win = mm_be16(b + 14);
        if (hl < 20) {
            mm_anom(d, p, MM_AN_TCP_HLEN);
            return;
        }
        if (hl > n) {
            mm_anom(d, p, MM_AN_TCP_OPTLEN);
            return;
        }
        p->payload = b + hl;
        p->payload_len = n - hl;
        p->l4_ok = true;
        return;
    }
    case 17: {
        d->st.udp++;
        if (n < 8) {
            mm_anom(d, p, MM_AN_UDP_SMALL);
            if (n >= 4) {
                p->sport = mm_be16(b);
                p->dport = mm_be16(b + 2);
            }
            return;
        }
        p->sport = mm_be16(b);
        p->dport = mm_be16(b + 2);
        uint32_t ul = mm_be16(b + 4);
        uint32_t plen = n - 8;
        if (ul == 0 && p->ipver == 6) {
            /* jumbogram: length from IPv6 */
        } else if (ul < 8) {
            mm_anom(d, p, MM_AN_UDP_LEN_INVALID);   /* shorter than its header */
        } else if (ul - 8 <= plen) {
            plen = ul - 8;
        } else if (p->raw->caplen >= p->raw->wirelen) {
            mm_anom(d, p, MM_AN_UDP_PKT_SMALL);     /* says more than there is */
        }
        p->payload = b + 8;
        p->payload_len = plen;
        p->l4_ok = true;
        if (plen >= 8)
            mm_decode_udp_tunnel(d, p, b + 8, plen);
        return;
    }
    case 1:
        d->st.icmpv4++;
        if (n < 4) {
            mm_anom(d, p, MM_AN_ICMPV4_SMALL);
            return;
        }
        p->icmp_type = b[0];
        p->icmp_code = b[1];
        p->icmp_error = icmp4_is_error(b[0]);
        icmp4_check(d, p, b[0], b[1]);
        p->payload = n >= 8 ? b + 8 : b + n;
        p->payload_len = n >= 8 ? n - 8 : 0;
        p->l4_ok = true;
        return;
    case 58:
        d->st.icmpv6++;
        if (n < 4) {
            mm_anom(d, p, MM_AN_ICMPV6_SMALL);
            return;
        }
        p->icmp_type = b[0];
        p->icmp_code = b[1];
        p->icmp_error = b[0] < 128;
        p->payload = n >= 8 ? b + 8 : b + n;
        p->payload_len = n >= 8 ? n - 8 : 0;
        p->l4_ok = true;
        return;
    case 132:
        d->st.sctp++;
        if (n >= 12) {
            p->sport = mm_be16(b);
            p->dport = mm_be16(b + 2);
            p->payload = b + 12;
            p->payload_len = n - 12;
            p->l4_ok = true;
        }
        return;
    default:
        d->st.other_ip++;
        p->payload = b;
        p->payload_len = n;
        return;
    }
}

bool mm_tcp_option(const mm_pkt *p, uint8_t kind, const uint8_t **val, uint8_t *len)
{
    if (p->proto != 6 || !p->l4 || p->l4_len < 20)
        return false;
    uint32_t hl = (uint32_t)(p->l4[12] >> 4) * 4;
    if (hl > p->l4_len)
        hl = p->l4_len;
    for (uint32_t o = 20; o + 1 < hl;) {
        uint8_t k = p->l4[o];
        if (k == 0)
            break;
        if (k == 1) {
            o++;
            continue;
        }
        uint8_t ol = p->l4[o + 1];
        if (ol < 2 || o + ol > hl)
            break;
        if (k == kind) {
            *val = p->l4 + o + 2;
            *len = (uint8_t)(ol - 2);
            return true;
        }
        o += ol;
    }
    return false;
}
