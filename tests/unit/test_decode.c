/* Unit tests: decoders and IP defragmentation (decode/). */
#include "testutil.h"
#include "decode/decode.h"

static mm_decoder D;
static tbuf T;
static const uint8_t A[4] = {10, 0, 0, 1}, Bq[4] = {192, 0, 2, 7};

static int setup(void **st) { (void)st; return mm_decoder_init(&D, 1 << 20) ? 0 : -1; }
static int teardown(void **st) { (void)st; mm_decoder_free(&D); return 0; }

static void run(mm_pkt *p, int lt, mm_rawpkt *raw)
{
    raw->ts_ns = 1;
    raw->caplen = raw->wirelen = (uint32_t)T.n;
    raw->linktype = lt;
    raw->data = T.b;
    mm_decode(&D, raw, p);
}

static bool has_anom(const mm_pkt *p, int a)
{
    for (int i = 0; i < p->n_anom; i++)
        if (p->anom[i] == a)
            return true;
    return false;
}

static void test_eth_vlan_qinq_tcp(void **st)
{
    (void)st;
    mm_pkt p;
    mm_rawpkt raw;
    T.n = 0;
    tb_eth(&T, 0x88A8);
    tb_be16(&T, 0x0064); tb_be16(&T, 0x8100);   /* outer tag 100 */
    tb_be16(&T, 0x00C8); tb_be16(&T, 0x0800);   /* inner tag 200 */
    tb_ipv4(&T, A, Bq, 6, 20 + 4, 1, 0, 0);
    tb_tcp(&T, 1234, 80, 1000, 0, 0x02);
    tb_put(&T, "ABCD", 4);
    run(&p, MM_LT_ETHERNET, &raw);
    assert_int_equal(p.n_anom, 0);
    assert_int_equal(p.vlan_n, 2);
    assert_int_equal(p.vlan[0], 100);
    assert_int_equal(p.vlan[1], 200);
    assert_int_equal(p.ipver, 4);
    assert_int_equal(p.proto, 6);
    assert_int_equal(p.sport, 1234);
    assert_int_equal(p.dport, 80);
    assert_int_equal(p.seq, 1000);
    assert_int_equal(p.tcp_flags, 0x02);
    assert_int_equal(p.payload_len, 4);
    assert_memory_equal(p.payload, "ABCD", 4);
    assert_memory_equal(p.src.b, A, 4);
}

static void test_mpls_pppoe_sll_null_raw(void **st)
{
    (void)st;
    mm_pkt p;
    mm_rawpkt raw;
    /* MPLS: two labels then IPv4/UDP */
    T.n = 0;
    tb_eth(&T, 0x8847);
    tb_be32(&T, (16u << 12) | 0x40); tb_be32(&T, (17u << 12) | 0x140);
    tb_ipv4(&T, A, Bq, 17, 8, 1, 0, 0);
    tb_udp(&T, 53, 5353, 0);
    run(&p, MM_LT_ETHERNET, &raw);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.dport, 5353);
    /* PPPoE session, PPP protocol 0x0021 */
    T.n = 0;
    tb_eth(&T, 0x8864);
    tb_u8(&T, 0x11); tb_u8(&T, 0); tb_be16(&T, 1); tb_be16(&T, 2 + 28);
    tb_be16(&T, 0x0021);
    tb_ipv4(&T, A, Bq, 17, 8, 1, 0, 0);
    tb_udp(&T, 1, 2, 0);
    run(&p, MM_LT_ETHERNET, &raw);
    assert_int_equal(p.ipver, 4);
    assert_int_equal(p.dport, 2);
    /* Linux cooked v1 */
    T.n = 0;
    for (int i = 0; i < 14; i++) tb_u8(&T, 0);
    tb_be16(&T, 0x0800);
    tb_ipv4(&T, A, Bq, 17, 8, 1, 0, 0);
    tb_udp(&T, 3, 4, 0);
    run(&p, MM_LT_LINUX_SLL, &raw);
    assert_int_equal(p.sport, 3);
    /* BSD loopback, AF 2 in little-endian */
    T.n = 0;
    tb_le32(&T, 2);
    tb_ipv4(&T, A, Bq, 17, 8, 1, 0, 0);
    tb_udp(&T, 5, 6, 0);
    run(&p, MM_LT_NULL, &raw);
    assert_int_equal(p.sport, 5);
    /* raw IPv4 */
    T.n = 0;
    tb_ipv4(&T, A, Bq, 17, 8, 1, 0, 0);
    tb_udp(&T, 7, 8, 0);
    run(&p, MM_LT_RAW, &raw);
    assert_int_equal(p.sport, 7);
}

static void test_gre_and_ipv6_exthdr(void **st)
{
    (void)st;
    mm_pkt p;
    mm_rawpkt raw;
    static const uint8_t in1[4] = {172, 16, 0, 1}, in2[4] = {172, 16, 0, 2};
    T.n = 0;
    tb_eth(&T, 0x0800);
    tb_ipv4(&T, A, Bq, 47, 4 + 20 + 8, 1, 0, 0);
    tb_be16(&T, 0); tb_be16(&T, 0x0800);  /* GRE v0, IPv4 */
    tb_ipv4(&T, in1, in2, 17, 8, 2, 0, 0);
    tb_udp(&T, 1111, 2222, 0);
    run(&p, MM_LT_ETHERNET, &raw);
    assert_int_equal(p.n_anom, 0);
    assert_memory_equal(p.src.b, in1, 4);   /* innermost layer */
    assert_int_equal(p.sport, 1111);

    /* ERSPAN (draft-foschiano-erspan): type I is GRE 0x88BE without a
     * sequence number and no header of its own; type II has the sequence
     * number and an 8-byte header whose low 12 bits of the first word are
     * the mirrored frame's VLAN (as tshark reads both) */
    for (int type = 1; type <= 2; type++) {
        T.n = 0;
        tb_eth(&T, 0x0800);
        uint16_t inner = 14 + 20 + 8;
        tb_ipv4(&T, A, Bq, 47, (uint16_t)(4 + (type == 2 ? 4 + 8 : 0) + inner), 1, 0, 0);
        tb_be16(&T, type == 2 ? 0x1000 : 0); tb_be16(&T, 0x88BE);
        if (type == 2) {
            tb_be32(&T, 7);                       /* sequence */
            tb_be16(&T, 0x1000 | 23); tb_be16(&T, 0); tb_be32(&T, 0);   /* ver 1, VLAN 23 */
        }
        tb_eth(&T, 0x0800);
        tb_ipv4(&T, in1, in2, 17, 8, 2, 0, 0);
        tb_udp(&T, 3333, 4444, 0);
        run(&p, MM_LT_ETHERNET, &raw);
        assert_int_equal(p.n_anom, 0);
        assert_memory_equal(p.src.b, in1, 4);
        assert_int_equal(p.dport, 4444);
        assert_int_equal(p.vlan_n, type == 2 ? 1 : 0);
        if (type == 2)
            assert_int_equal(p.vlan[0], 23);
    }

    /* NSH (RFC 8300, as tshark reads it): version 0, length in 4-byte
     * words (MD type 2: 2 words here; MD type 1: always 6), next protocol
     * 1 = IPv4; a wrong length or an unknown next protocol are anomalies */
    for (int md = 1; md <= 4; md++) {
        T.n = 0;
        tb_eth(&T, 0x894F);
        uint8_t words = md == 1 ? 6 : md == 3 ? 1 : 2;
        tb_u8(&T, 0); tb_u8(&T, words);
        tb_u8(&T, md == 1 ? 1 : 2); tb_u8(&T, md == 4 ? 9 : 1);
        tb_be32(&T, (1u << 8) | 2);                 /* SPI 1, SI 2 */
        for (int i = 8; i < words * 4; i++)
            tb_u8(&T, 0);                           /* context headers */
        tb_ipv4(&T, in1, in2, 17, 8, 2, 0, 0);
        tb_udp(&T, 5555, 6666, 0);
        run(&p, MM_LT_ETHERNET, &raw);
        if (md <= 2) {
            assert_int_equal(p.n_anom, 0);
            assert_int_equal(p.dport, 6666);
        } else {
            assert_int_equal(p.n_anom, 1);
            assert_int_equal(p.anom[0], md == 3 ? MM_AN_NSH_BAD_LEN : MM_AN_NSH_UNKNOWN);
            assert_int_equal(p.ipver, 0);
        }
    }

    /* IPv6 with hop-by-hop and destination options, then TCP */
    T.n = 0;
    tb_eth(&T, 0x86DD);
    tb_be32(&T, 0x60000000); tb_be16(&T, 8 + 8 + 20); tb_u8(&T, 0); tb_u8(&T, 64);
    for (int i = 0; i < 15; i++) tb_u8(&T, 0);
    tb_u8(&T, 1);
    tb_u8(&T, 0x20); tb_u8(&T, 0x01);
    for (int i = 0; i < 13; i++) tb_u8(&T, 0);
    tb_u8(&T, 2);
    tb_u8(&T, 60); tb_u8(&T, 0); for (int i = 0; i < 6; i++) tb_u8(&T, 0); /* hop-by-hop */
    tb_u8(&T, 6); tb_u8(&T, 0); for (int i = 0; i < 6; i++) tb_u8(&T, 0);  /* dest opts */
    tb_tcp(&T, 40000, 443, 1, 0, 0x02);
    run(&p, MM_LT_ETHERNET, &raw);
    assert_int_equal(p.n_anom, 0);
    assert_int_equal(p.ipver, 6);
    assert_int_equal(p.proto, 6);
    assert_int_equal(p.dport, 443);

    /* destination options holding an option of unknown type (0x3e, RFC
     * 8200 section 4.2's action bits 00: skip it), then an atomic fragment
     * header (offset 0, no more: RFC 6946) before TCP; the same with a
     * second fragment header, and with an option running past its header */
    for (int k = 0; k < 3; k++) {
        T.n = 0;
        tb_eth(&T, 0x86DD);
        tb_be32(&T, 0x60000000);
        tb_be16(&T, (uint16_t)(8 + 8 + (k == 1 ? 8 : 0) + 20));
        tb_u8(&T, 60); tb_u8(&T, 64);
        for (int i = 0; i < 32; i++) tb_u8(&T, (uint8_t)(i == 15 || i == 31 ? 1 : 0));
        tb_u8(&T, 44); tb_u8(&T, 0);                        /* dest opts, 8 bytes */
        tb_u8(&T, 0x3e); tb_u8(&T, k == 2 ? 9 : 4); for (int i = 0; i < 4; i++) tb_u8(&T, 0);
        tb_u8(&T, k == 1 ? 44 : 6); tb_u8(&T, 0); tb_be16(&T, 0); tb_be32(&T, 7);  /* fragment */
        if (k == 1) {
            tb_u8(&T, 6); tb_u8(&T, 0); tb_be16(&T, 0); tb_be32(&T, 8);
        }
        tb_tcp(&T, 40000, 443, 1, 0, 0x02);
        run(&p, MM_LT_ETHERNET, &raw);
        assert_true(has_anom(&p, k == 2 ? MM_AN_IPV6_OPT_LEN : MM_AN_IPV6_DST_UNKNOWN));
        assert_true(has_anom(&p, MM_AN_IPV6_USELESS_FH));
        assert_true(has_anom(&p, MM_AN_IPV6_DUPL_FH) == (k == 1));
        if (k != 1)
            assert_int_equal(p.dport, 443);     /* the atomic fragment is read on */
    }
}

static void test_truncations_are_anomalies(void **st)
{
    (void)st;
    mm_pkt p;
    mm_rawpkt raw;
    T.n = 0;
    tb_eth(&T, 0x0800);
    T.n -= 1;
    run(&p, MM_LT_ETHERNET, &raw);
    assert_true(has_anom(&p, MM_AN_ETH_SMALL));

    T.n = 0;
    tb_eth(&T, 0x0800);
    tb_u8(&T, 0x45);
    run(&p, MM_LT_ETHERNET, &raw);
    assert_true(has_anom(&p, MM_AN_IPV4_SMALL));

    T.n = 0;
    tb_eth(&T, 0x0800);
    tb_ipv4(&T, A, Bq, 6, 200, 1, 0, 0);  /* claims 200 bytes of TCP */
    tb_tcp(&T, 1, 2, 0, 0, 0x02);
    run(&p, MM_LT_ETHERNET, &raw);
    assert_true(has_anom(&p, MM_AN_IPV4_TRUNC));
    /* the whole frame is here and the length lies: an invalid packet, as
     * Suricata's decoder takes it (no addresses, no transport) */
    assert_int_equal(p.sport, 0);
    assert_int_equal(p.ipver, 0);
    /* the same bytes cut by the snapshot length: decoded as far as they go */
    raw.ts_ns = 1;
    raw.caplen = (uint32_t)T.n;
    raw.wirelen = 20 + 14 + 200;
    raw.linktype = MM_LT_ETHERNET;
    raw.data = T.b;
    mm_decode(&D, &raw, &p);
    assert_false(has_anom(&p, MM_AN_IPV4_TRUNC));
    assert_int_equal(p.sport, 1);

    T.n = 0;
    tb_eth(&T, 0x0800);
    tb_ipv4(&T, A, Bq, 6, 10, 1, 0, 0);
    tb_be32(&T, 0x00010002); tb_be32(&T, 0); tb_be16(&T, 0);
    run(&p, MM_LT_ETHERNET, &raw);
    assert_true(has_anom(&p, MM_AN_TCP_SMALL));

    T.n = 0;
    tb_u8(&T, 0x99);
    run(&p, MM_LT_RAW, &raw);
    assert_true(has_anom(&p, MM_AN_RAW_BADVER));

    T.n = 0;
    tb_u8(&T, 0);
    run(&p, 4242, &raw);
    assert_true(has_anom(&p, MM_AN_LINK_UNSUPPORTED));
}

static void test_tunnel_depth_bounded(void **st)
{
    (void)st;
    mm_pkt p;
    mm_rawpkt raw;
    /* 20 nested IPv4-in-IPv4 headers: decoding must stop at the limit. */
    T.n = 0;
    for (int i = 0; i < 20; i++)
        tb_ipv4(&T, A, Bq, 4, (uint16_t)((19 - i) * 20 + 8), 1, 0, 0);
    tb_udp(&T, 1, 2, 0);
    run(&p, MM_LT_RAW, &raw);
    assert_true(has_anom(&p, MM_AN_TOO_MANY_LAYERS));
}

/* One fragment: len bytes from data, at offset off of the datagram. */
static void frag_at(mm_pkt *p, mm_rawpkt *raw, const uint8_t *data, uint16_t off, uint16_t len,
                    int more, uint16_t id)
{
    T.n = 0;
    tb_ipv4(&T, A, Bq, 17, len, id, off, more);
    tb_put(&T, data, len);
    run(p, MM_LT_RAW, raw);
}

/* The fragment of datagram dg that starts at off. */
static void frag(mm_pkt *p, mm_rawpkt *raw, const uint8_t *dg, uint16_t off, uint16_t len, int more,
                 uint16_t id)
{
    frag_at(p, raw, dg + off, off, len, more, id);
}

static void test_defrag_out_of_order_and_overlap(void **st)
{
    (void)st;
    static uint8_t dg[3008];
    mm_pkt p;
    mm_rawpkt raw;
    for (int i = 0; i < 3008; i++)
        dg[i] = (uint8_t)i;
    dg[0] = 0x12; dg[1] = 0x34; dg[2] = 0x00; dg[3] = 0x35;
    dg[4] = 3008 >> 8; dg[5] = 3008 & 0xFF;
    frag(&p, &raw, dg, 1480, 1480, 1, 77);
    assert_true(p.frag_held);
    assert_int_equal(p.sport, 0);
    frag(&p, &raw, dg, 2960, 48, 0, 77);
    assert_true(p.frag_held);
    frag(&p, &raw, dg, 0, 1480, 1, 77);
    assert_false(p.frag_held);
    assert_true(p.reassembled);
    assert_int_equal(p.frag_pkts, 3);
    assert_int_equal(p.sport, 0x1234);
    assert_int_equal(p.dport, 53);
    assert_int_equal(p.payload_len, 3000);
    assert_memory_equal(p.payload, dg + 8, 3000);

    /* Overlap: the second copy of bytes 8..15 differs and must lose. */
    static uint8_t alt[3008];
    memcpy(alt, dg, sizeof alt);
    memset(alt + 8, 0xEE, 1472);
    frag(&p, &raw, dg, 0, 16, 1, 78);
    frag(&p, &raw, alt, 8, 1472, 1, 78);    /* overlaps 8..15 */
    assert_true(has_anom(&p, MM_AN_IPV4_FRAG_OVERLAP));
    frag(&p, &raw, dg, 1480, 1528, 0, 78);
    assert_true(p.reassembled);
    assert_memory_equal(p.payload, dg + 8, 8);         /* first data kept */
    assert_int_equal(p.payload[8], 0xEE);              /* new data filled the rest */

    /* A fragment that would make a datagram over 65535 bytes is refused. */
    frag_at(&p, &raw, dg, 65528, 16, 0, 79);
    assert_true(has_anom(&p, MM_AN_IPV4_FRAG_LARGE));
}

static void test_defrag_pool_is_bounded(void **st)
{
    (void)st;
    static uint8_t dg[64];
    mm_pkt p;
    mm_rawpkt raw;
    uint64_t before = mm_decoder_memuse(&D);
    /* Thousands of datagrams whose last fragment never comes. */
    for (uint16_t id = 1; id < 5000; id++)
        frag(&p, &raw, dg, 0, 16, 1, id);
    uint64_t after = mm_decoder_memuse(&D);
    assert_true(after <= (1u << 20) + 100000);
    assert_true(after >= before);
}

/* ICMPv4 types and codes Suricata's decoder does not know are its
 * unknown_type / unknown_code anomalies (types per RFC 792/950/1256). */
static void icmp4(mm_pkt *p, mm_rawpkt *raw, uint8_t type, uint8_t code)
{
    T.n = 0;
    tb_eth(&T, 0x0800);
    tb_ipv4(&T, A, Bq, 1, 8, 1, 0, 0);
    tb_u8(&T, type); tb_u8(&T, code); tb_be16(&T, 0);
    tb_be32(&T, 0);
    run(p, MM_LT_ETHERNET, raw);
}

static void test_icmp4_unknown_type_code(void **st)
{
    (void)st;
    mm_pkt p;
    mm_rawpkt raw;
    icmp4(&p, &raw, 8, 0);              /* echo */
    assert_int_equal(p.n_anom, 0);
    icmp4(&p, &raw, 3, 13);             /* unreachable, administratively prohibited */
    assert_int_equal(p.n_anom, 0);
    icmp4(&p, &raw, 9, 16);             /* router advertisement: any code */
    assert_int_equal(p.n_anom, 0);
    icmp4(&p, &raw, 8, 1);
    assert_true(has_anom(&p, MM_AN_ICMPV4_UNK_CODE));
    icmp4(&p, &raw, 3, 16);
    assert_true(has_anom(&p, MM_AN_ICMPV4_UNK_CODE));
    icmp4(&p, &raw, 11, 2);
    assert_true(has_anom(&p, MM_AN_ICMPV4_UNK_CODE));
    icmp4(&p, &raw, 10, 0);             /* router solicitation: not in Suricata's list */
    assert_true(has_anom(&p, MM_AN_ICMPV4_UNK_TYPE));
    icmp4(&p, &raw, 42, 0);
    assert_true(has_anom(&p, MM_AN_ICMPV4_UNK_TYPE));
    assert_false(has_anom(&p, MM_AN_ICMPV4_UNK_CODE));
}

/* VXLAN (RFC 7348) carrying an ICMP echo: the packet is the inner one, and
 * none of the outer UDP header stays on it (its ports would split an echo
 * and its reply into two flows). */
static void test_vxlan_inner_replaces_outer(void **st)
{
    (void)st;
    mm_pkt p;
    mm_rawpkt raw;
    static const uint8_t in_a[4] = {10, 0, 0, 1}, in_b[4] = {10, 0, 0, 2};
    T.n = 0;
    uint16_t inner = 14 + 20 + 8;
    tb_eth(&T, 0x0800);
    tb_ipv4(&T, A, Bq, 17, (uint16_t)(8 + 8 + inner), 1, 0, 0);
    tb_udp(&T, 40000, 4789, (uint16_t)(8 + inner));
    tb_u8(&T, 0x08); tb_u8(&T, 0); tb_be16(&T, 0);      /* flags: VNI present */
    tb_be32(&T, 42u << 8);                              /* VNI 42 */
    tb_eth(&T, 0x0800);
    tb_ipv4(&T, in_a, in_b, 1, 8, 2, 0, 0);
    tb_u8(&T, 8); tb_u8(&T, 0); tb_be16(&T, 0);         /* echo request */
    tb_be16(&T, 7); tb_be16(&T, 1);
    run(&p, MM_LT_ETHERNET, &raw);
    assert_int_equal(p.n_anom, 0);
    assert_int_equal(p.proto, 1);
    assert_memory_equal(p.src.b, in_a, 4);
    assert_memory_equal(p.dst.b, in_b, 4);
    assert_int_equal(p.icmp_type, 8);
    assert_int_equal(p.sport, 0);
    assert_int_equal(p.dport, 0);
    assert_true(p.l4_ok);
    /* the carrier is kept as the outer packet, and the inner packet's length
     * counts from the inner Ethernet header (VXLAN header and outer layers
     * excluded), as Suricata's tunnel packets */
    assert_true(p.outer.on);
    assert_true(p.outer.carrier);
    assert_int_equal(p.outer.depth, 1);
    assert_int_equal(p.outer.proto, 17);
    assert_int_equal(p.outer.sport, 40000);
    assert_int_equal(p.outer.dport, 4789);
    assert_memory_equal(p.outer.src.b, A, 4);
    assert_memory_equal(p.outer.dst.b, Bq, 4);
    assert_int_equal(p.outer.payload_len, 8 + inner);
    assert_int_equal(p.inner_len, inner);

    /* VXLAN carrying ARP: no inner IP packet, so no tunnel: the packet stays
     * the carrier's UDP packet */
    T.n = 0;
    uint16_t arp = 14 + 28;
    tb_eth(&T, 0x0800);
    tb_ipv4(&T, A, Bq, 17, (uint16_t)(8 + 8 + arp), 1, 0, 0);
    tb_udp(&T, 40000, 4789, (uint16_t)(8 + arp));
    tb_u8(&T, 0x08); tb_u8(&T, 0); tb_be16(&T, 0);
    tb_be32(&T, 42u << 8);
    tb_eth(&T, 0x0806);
    for (int i = 0; i < 28; i++)
        tb_u8(&T, 0);
    run(&p, MM_LT_ETHERNET, &raw);
    assert_false(p.outer.on);
    assert_int_equal(p.inner_len, 0);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.dport, 4789);
}

/* IPv4 options as Suricata's decoder checks them, on the options of
 * suricata-verify's ip_secopt.pcap (a security option of length 2, then a
 * length past the end: two opt_invalid_len, and 12 bytes not padded to 8);
 * a router alert option alone: padding wanted, nothing else; the packet
 * still decodes. */
static void test_ipv4_options(void **st)
{
    (void)st;
    mm_pkt p;
    mm_rawpkt raw;
    static const uint8_t opts[2][12] = {
        {0x82, 0x02, 0xf1, 0x35, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, 0xaa, 0x00},
        {0x94, 0x04, 0x00, 0x00},
    };
    static const uint8_t optlen[2] = {12, 4};
    for (int k = 0; k < 2; k++) {
        T.n = 0;
        tb_eth(&T, 0x0800);
        uint8_t hl = (uint8_t)(20 + optlen[k]);
        tb_u8(&T, (uint8_t)(0x40 | hl / 4)); tb_u8(&T, 0);
        tb_be16(&T, (uint16_t)(hl + 8));
        tb_be16(&T, 1); tb_be16(&T, 0);
        tb_u8(&T, 64); tb_u8(&T, 17); tb_be16(&T, 0);
        for (int i = 0; i < 4; i++) tb_u8(&T, A[i]);
        for (int i = 0; i < 4; i++) tb_u8(&T, Bq[i]);
        for (int i = 0; i < optlen[k]; i++) tb_u8(&T, opts[k][i]);
        tb_be16(&T, 5060); tb_be16(&T, 5060); tb_be16(&T, 8); tb_be16(&T, 0);
        run(&p, MM_LT_ETHERNET, &raw);
        int invalid_len = 0;
        for (int i = 0; i < p.n_anom; i++)
            invalid_len += p.anom[i] == MM_AN_IPV4_OPT_INVALID_LEN;
        assert_int_equal(invalid_len, k == 0 ? 2 : 0);
        assert_true(has_anom(&p, MM_AN_IPV4_OPT_PAD_REQUIRED));
        assert_int_equal(p.sport, 5060);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eth_vlan_qinq_tcp),
        cmocka_unit_test(test_mpls_pppoe_sll_null_raw),
        cmocka_unit_test(test_gre_and_ipv6_exthdr),
        cmocka_unit_test(test_truncations_are_anomalies),
        cmocka_unit_test(test_ipv4_options),
        cmocka_unit_test(test_tunnel_depth_bounded),
        cmocka_unit_test(test_vxlan_inner_replaces_outer),
        cmocka_unit_test(test_icmp4_unknown_type_code),
        cmocka_unit_test(test_defrag_out_of_order_and_overlap),
        cmocka_unit_test(test_defrag_pool_is_bounded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
