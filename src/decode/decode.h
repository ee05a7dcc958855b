/*
 * decode.h - from raw frame to the fields the flow table needs.
 *
 * mm_decode() walks the layers (link, VLAN/MPLS/PPPoE, IP, tunnels, IP
 * fragments, TCP/UDP/ICMP) and fills an mm_pkt with pointers into the frame:
 * nothing is copied except reassembled IP fragments, which live in the
 * defragmenter's buffers until the next call. For tunnels (GRE, IP-in-IP,
 * ERSPAN) the innermost IP layer is what the packet is about.
 *
 * Anything malformed is recorded in pkt->anomaly[] and counted; decoding
 * stops at the damaged layer and keeps what it had. Nothing here can read
 * past caplen.
 */
#ifndef MM_DECODE_H
#define MM_DECODE_H

#include "capture/capture.h"
#include "decode/anomaly.h"
#include "util/util.h"

#define MM_MAX_PKT_ANOM 4
#define MM_MAX_LAYERS 8   /* tunnel/encapsulation depth we follow */

enum { MM_TH_FIN = 0x01, MM_TH_SYN = 0x02, MM_TH_RST = 0x04, MM_TH_PSH = 0x08,
       MM_TH_ACK = 0x10, MM_TH_URG = 0x20, MM_TH_ECE = 0x40, MM_TH_CWR = 0x80 };

typedef struct mm_pkt {
    const mm_rawpkt *raw;
    uint16_t vlan[2];
    uint8_t vlan_n;
    uint8_t layers;          /* encapsulations followed */
    uint8_t ipver;           /* 0: not IP */
    uint8_t proto;           /* IP protocol of the innermost header */
    bool frag_held;          /* a fragment kept for reassembly, no L4 yet */
    bool reassembled;        /* L4 is a reassembled datagram */
    bool l4_ok;              /* L4 header fully decoded */
    bool icmp_error;         /* ICMP error quoting another packet */
    mm_ip src, dst;
    uint16_t sport, dport;
    uint8_t ttl;             /* IPv4 TTL, IPv6 hop limit (innermost header) */
    uint16_t ip_id;          /* IPv4 identification (0 for IPv6) */
    uint8_t tcp_flags;
    uint32_t seq, ack;
    uint16_t win;
    uint8_t icmp_type, icmp_code;
    const uint8_t *l3;       /* innermost IP header (IPv6: with extension headers) */
    uint32_t l3_len;
    const uint8_t *l4;       /* transport header */
    uint32_t l4_len;
    const uint8_t *payload;  /* transport payload */
    uint32_t payload_len;
    uint32_t frag_pkts;      /* for a reassembled datagram: fragments in it */
    uint64_t frag_bytes;     /* and their captured bytes */
    uint16_t ethertype;      /* last ethertype seen (0: none) */
    const uint8_t *eth;      /* the last Ethernet header decoded (NULL: none) */
    /* A packet carried in a tunnel whose inner packet is IP: the outer
     * packet (the first tunnel's carrier), and the inner packet's length
     * from the innermost tunnel's payload on (what its flow counts, as
     * Suricata's tunnel packets). outer.on false: no tunnel. */
    struct {
        bool on;
        bool carrier;        /* a UDP tunnel whose carrier Suricata tracks as a flow */
        uint8_t ipver, proto, depth, entered;
        mm_ip src, dst;
        uint16_t sport, dport;
        const uint8_t *payload;
        uint32_t payload_len;
    } outer;
    uint32_t inner_len;
    uint8_t n_anom;
    uint8_t anom[MM_MAX_PKT_ANOM];
} mm_pkt;

/* Counters kept by the decoder (reported in stats events). */
typedef struct mm_decode_stats {
    uint64_t pkts, bytes;
    uint64_t ipv4, ipv6, tcp, udp, icmpv4, icmpv6, sctp, gre, other_ip;
    uint64_t ethernet, vlan, vlan_qinq, mpls, pppoe, ppp, sll, sll2, null, raw, chdlc, erspan;
    uint64_t nsh;
    uint64_t ipv4_in_ipv4, ipv6_in_ipv4, ipv4_in_ipv6, ipv6_in_ipv6;
    uint64_t gtp, vxlan, geneve, teredo, capwap;
    uint64_t wire_bytes;
    uint64_t not_ip;
    uint64_t frag_v4, frag_v6, reassembled_v4, reassembled_v6;
    uint64_t max_pkt_size;
    uint64_t anomalies[MM_AN__COUNT];
} mm_decode_stats;

typedef struct mm_defrag mm_defrag;

typedef struct mm_fragkey {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t ver, proto;
} mm_fragkey;

typedef struct mm_decoder {
    mm_decode_stats st;
    mm_defrag *defrag;
} mm_decoder;

bool mm_decoder_init(mm_decoder *d, uint64_t defrag_memcap);
void mm_decoder_free(mm_decoder *d);
/* Decode one frame into p. Always returns; problems are in p->anom. */
void mm_decode(mm_decoder *d, const mm_rawpkt *raw, mm_pkt *p);
/* Bytes held by the defragmenter. */
uint64_t mm_decoder_memuse(const mm_decoder *d);

/* Internal: one function per layer (link.c, ipv4.c, ipv6.c, l4.c). */
void mm_anom(mm_decoder *d, mm_pkt *p, int a);
void mm_decode_ether(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n);
void mm_decode_ethertype(mm_decoder *d, mm_pkt *p, uint16_t et, const uint8_t *b, uint32_t n);
void mm_decode_link(mm_decoder *d, mm_pkt *p, int linktype, const uint8_t *b, uint32_t n);
void mm_decode_ip(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n); /* by version nibble */
void mm_decode_ipv4(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n);
void mm_decode_ipv6(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n);
void mm_decode_ppp(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n);
void mm_decode_gre(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n);
/* After an IP header (and any reassembly): tunnels or the transport layer. */
void mm_decode_ip_payload(mm_decoder *d, mm_pkt *p, uint8_t proto, const uint8_t *b, uint32_t n);
/* Hand a fragment to the defragmenter for p: true when the datagram is now
 * complete (*data and *len then hold it), false when held or dropped. */
bool mm_decode_fragment(mm_decoder *d, mm_pkt *p, const mm_fragkey *k, uint32_t off, bool more,
                        const uint8_t **data, uint32_t *len);
void mm_decode_udp_tunnel(mm_decoder *d, mm_pkt *p, const uint8_t *b, uint32_t n);
/* Around a tunnel's inner decode: mm_tunnel_enter before it (the first
 * keeps the outer packet; returns the IP header to compare with),
 * mm_tunnel_leave after it (a tunnel only when an inner IP header was
 * decoded). */
const uint8_t *mm_tunnel_enter(mm_pkt *p);
#define MM_TUNNEL(p, len, call)                              \
    do {                                                     \
        const uint8_t *l3_before_ = mm_tunnel_enter(p);      \
        call;                                                \
        mm_tunnel_leave((p), l3_before_, (len));             \
    } while (0)
void mm_tunnel_leave(mm_pkt *p, const uint8_t *l3_before, uint32_t inner_len);
void mm_decode_l4(mm_decoder *d, mm_pkt *p, uint8_t proto, const uint8_t *b, uint32_t n);
/* A decoded TCP packet's option of this kind (2 MSS, 8 timestamps ...):
 * its value and length (the option's bytes after kind and length); false
 * when the packet has none or its options do not parse to it. */
bool mm_tcp_option(const mm_pkt *p, uint8_t kind, const uint8_t **val, uint8_t *len);

/* Defragmentation (defrag.c). */

mm_defrag *mm_defrag_new(uint64_t memcap, uint32_t timeout_s);
void mm_defrag_free(mm_defrag *f);
/* Offer a fragment: data is what follows the IP header(s), off in bytes.
 * Returns 1 with *out and *outlen set when the datagram is complete, 0 when held,
 * -1 when dropped (no room, or the fragment makes no sense). *overlap is
 * set when the fragment overlapped data already held. */
int mm_defrag_add(mm_defrag *f, const mm_fragkey *k, uint64_t ts_ns, uint32_t off, bool more,
                  const uint8_t *data, uint32_t len, uint32_t rawbytes,
                  const uint8_t **out, uint32_t *outlen, uint32_t *pkts, uint64_t *bytes,
                  bool *overlap);
uint64_t mm_defrag_memuse(const mm_defrag *f);
/* Unfinished reassemblies dropped because the pool was full. */
uint64_t mm_defrag_evicted(const mm_defrag *f);

static inline uint16_t mm_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t mm_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#endif
