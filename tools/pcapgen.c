/*
 * pcapgen.c - writes a small capture of known content for the demo and the
 * tests: what is in it is listed below, so tests can check our output
 * against it (and tshark checks the same file independently).
 *
 *   mm-pcapgen OUT.pcap [--base-time SECONDS]
 *
 * Content (all checksums valid):
 *   1. HTTP over TCP 192.168.1.10:50000 -> 93.184.216.34:80, full handshake,
 *      request, response, FIN both sides (outbound).
 *   2. DNS over UDP 192.168.1.10:53000 -> 8.8.8.8:53, query and answer.
 *   3. ICMP echo request and reply 192.168.1.10 <-> 1.1.1.1.
 *   4. TCP over IPv6 fd00::10:40000 -> 2001:4860:4860::8888:443, handshake,
 *      data both ways, RST.
 *   5. UDP in 802.1Q VLAN 100: 192.168.1.20:5353 -> 192.168.1.21:5353 (internal).
 *   6. UDP datagram of 3000 bytes in three IPv4 fragments sent out of order,
 *      192.168.1.10:40001 -> 203.0.113.9:9999... (reserved doc range: external dest)
 *   7. TCP 192.168.1.10:50001 -> 198.51.100.7:8080 whose client data comes out
 *      of order, with a retransmission and an overlap (first data wins):
 *      the reassembled client stream is "0123456789ABCDEFGHIJ".
 *   8. Inbound RDP attempt 185.220.101.5:61000 -> 192.168.1.50:3389: SYN,
 *      SYN-ACK, RST (inbound).
 *   9. A packet whose IPv4 total length claims more than was captured
 *      (an ipv4.trunc_pkt anomaly) and an Ethernet frame too short for a header.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static uint64_t now_us;

static void put32(uint32_t v) { fwrite(&v, 4, 1, out); }

static void rec(const uint8_t *d, uint32_t caplen, uint32_t wirelen)
{
    put32((uint32_t)(now_us / 1000000));
    put32((uint32_t)(now_us % 1000000));
    put32(caplen);
    put32(wirelen);
    fwrite(d, 1, caplen, out);
    now_us += 1500;
}

static uint16_t csum_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)(p[n - 1] << 8);
    return s;
}

typedef struct addr {
    int v;
    uint8_t b[16];
} addr;

static addr A4(int a, int b, int c, int d)
{
    addr x = {4, {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d}};
    return x;
}

static addr A6(const char *s)
{
    addr x = {6, {0}};
    /* tiny parser for the fixed literals used here: groups with one '::' */
    uint16_t g[8] = {0};
    int n = 0, dbl = -1;
    const char *p = s;
    while (*p && n < 8) {
        if (p[0] == ':' && p[1] == ':') {
            dbl = n;
            p += 2;
            continue;
        }
        if (*p == ':') {
            p++;
            continue;
        }
        g[n++] = (uint16_t)strtoul(p, (char **)&p, 16);
    }
    uint16_t full[8] = {0};
    if (dbl < 0) dbl = n;
    for (int i = 0; i < dbl; i++) full[i] = g[i];
    for (int i = dbl; i < n; i++) full[8 - (n - i)] = g[i];
    for (int i = 0; i < 8; i++) {
        x.b[2 * i] = (uint8_t)(full[i] >> 8);
        x.b[2 * i + 1] = (uint8_t)full[i];
    }
    return x;
}

static uint8_t pkt[70000];

/* Ethernet (+ optional VLAN) header; returns its length. */
static size_t eth(uint8_t *p, int v, int vlan)
{
    static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a}, mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};
    memcpy(p, mac_b, 6);
    memcpy(p + 6, mac_a, 6);
    size_t o = 12;
    if (vlan) {
        p[o] = 0x81; p[o + 1] = 0x00; p[o + 2] = (uint8_t)(vlan >> 8); p[o + 3] = (uint8_t)vlan;
        o += 4;
    }
    p[o] = v == 4 ? 0x08 : 0x86;
    p[o + 1] = v == 4 ? 0x00 : 0xDD;
    return o + 2;
}

static uint16_t ipid = 1000;

/* IPv4/IPv6 header at p for an L4 payload of l4len; returns header length. */
static size_t iphdr(uint8_t *p, addr s, addr d, uint8_t proto, size_t l4len, uint16_t fragoff,
                    int more, uint16_t id)
{
    if (s.v == 4) {
        memset(p, 0, 20);
        p[0] = 0x45;
        size_t tot = 20 + l4len;
        p[2] = (uint8_t)(tot >> 8); p[3] = (uint8_t)tot;
        p[4] = (uint8_t)(id >> 8); p[5] = (uint8_t)id;
        uint16_t fo = (uint16_t)((fragoff / 8) | (more ? 0x2000 : 0));
        p[6] = (uint8_t)(fo >> 8); p[7] = (uint8_t)fo;
        p[8] = 64;
        p[9] = proto;
        memcpy(p + 12, s.b, 4);
        memcpy(p + 16, d.b, 4);
        uint16_t c = csum_fold(csum_add(0, p, 20));
        p[10] = (uint8_t)(c >> 8); p[11] = (uint8_t)c;
        return 20;
    }
    memset(p, 0, 40);
    p[0] = 0x60;
    p[4] = (uint8_t)(l4len >> 8); p[5] = (uint8_t)l4len;
    p[6] = proto;
    p[7] = 64;
    memcpy(p + 8, s.b, 16);
    memcpy(p + 24, d.b, 16);
    return 40;
}

static void l4csum(uint8_t *l4, size_t n, addr s, addr d, uint8_t proto, int off)
{
    uint32_t sum = 0;
    if (s.v == 4) {
        sum = csum_add(sum, s.b, 4);
        sum = csum_add(sum, d.b, 4);
        sum += proto;
        sum += (uint32_t)n;
    } else {
        sum = csum_add(sum, s.b, 16);
        sum = csum_add(sum, d.b, 16);
        sum += (uint32_t)(n >> 16) + (uint32_t)(n & 0xFFFF);
        sum += proto;
    }
    l4[off] = l4[off + 1] = 0;
    uint16_t c = csum_fold(csum_add(sum, l4, n));
    if (proto == 17 && c == 0)
        c = 0xFFFF;
    l4[off] = (uint8_t)(c >> 8);
    l4[off + 1] = (uint8_t)c;
}

static void tcp(addr s, uint16_t sp, addr d, uint16_t dp, uint32_t seq, uint32_t ack,
                uint8_t flags, const char *data, size_t dlen)
{
    size_t o = eth(pkt, s.v, 0);
    size_t l4len = 20 + dlen;
    size_t h = iphdr(pkt + o, s, d, 6, l4len, 0, 0, ipid++);
    uint8_t *t = pkt + o + h;
    memset(t, 0, 20);
    t[0] = (uint8_t)(sp >> 8); t[1] = (uint8_t)sp;
    t[2] = (uint8_t)(dp >> 8); t[3] = (uint8_t)dp;
    t[4] = (uint8_t)(seq >> 24); t[5] = (uint8_t)(seq >> 16); t[6] = (uint8_t)(seq >> 8); t[7] = (uint8_t)seq;
    t[8] = (uint8_t)(ack >> 24); t[9] = (uint8_t)(ack >> 16); t[10] = (uint8_t)(ack >> 8); t[11] = (uint8_t)ack;
    t[12] = 0x50;
    t[13] = flags;
    t[14] = 0xFA; t[15] = 0xF0;
    memcpy(t + 20, data, dlen);
    l4csum(t, l4len, s, d, 6, 16);
    rec(pkt, (uint32_t)(o + h + l4len), (uint32_t)(o + h + l4len));
}

static void udp(addr s, uint16_t sp, addr d, uint16_t dp, const uint8_t *data, size_t dlen, int vlan)
{
    size_t o = eth(pkt, s.v, vlan);
    size_t l4len = 8 + dlen;
    size_t h = iphdr(pkt + o, s, d, 17, l4len, 0, 0, ipid++);
    uint8_t *u = pkt + o + h;
    u[0] = (uint8_t)(sp >> 8); u[1] = (uint8_t)sp;
    u[2] = (uint8_t)(dp >> 8); u[3] = (uint8_t)dp;
    u[4] = (uint8_t)(l4len >> 8); u[5] = (uint8_t)l4len;
    memcpy(u + 8, data, dlen);
    l4csum(u, l4len, s, d, 17, 6);
    rec(pkt, (uint32_t)(o + h + l4len), (uint32_t)(o + h + l4len));
}

enum { F = 0x01, S = 0x02, R = 0x04, P = 0x08, A = 0x10 };

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mm-pcapgen OUT.pcap [--base-time SECONDS]\n");
        return 2;
    }
    now_us = 1700000000ULL * 1000000ULL; /* 2023-11-14T22:13:20Z */
    if (argc == 4 && strcmp(argv[2], "--base-time") == 0)
        now_us = strtoull(argv[3], NULL, 10) * 1000000ULL;
    out = fopen(argv[1], "wb");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    uint32_t gh[6] = {0xa1b2c3d4, 2 | (4u << 16), 0, 0, 65535, 1};
    fwrite(gh, sizeof gh, 1, out);

    addr lan = A4(192, 168, 1, 10), web = A4(93, 184, 216, 34);
    /* 1. HTTP */
    const char *req = "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: demo\r\n\r\n";
    const char *rsp = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    uint32_t c = 1000, s = 5000;
    tcp(lan, 50000, web, 80, c, 0, S, "", 0);
    tcp(web, 80, lan, 50000, s, c + 1, S | A, "", 0);
    tcp(lan, 50000, web, 80, c + 1, s + 1, A, "", 0);
    tcp(lan, 50000, web, 80, c + 1, s + 1, P | A, req, strlen(req));
    tcp(web, 80, lan, 50000, s + 1, c + 1 + (uint32_t)strlen(req), P | A, rsp, strlen(rsp));
    tcp(lan, 50000, web, 80, c + 1 + (uint32_t)strlen(req), s + 1 + (uint32_t)strlen(rsp), F | A, "", 0);
    tcp(web, 80, lan, 50000, s + 1 + (uint32_t)strlen(rsp), c + 2 + (uint32_t)strlen(req), F | A, "", 0);
    tcp(lan, 50000, web, 80, c + 2 + (uint32_t)strlen(req), s + 2 + (uint32_t)strlen(rsp), A, "", 0);

    /* 2. DNS */
    static const uint8_t q[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
    uint8_t a[64];
    memcpy(a, q, sizeof q);
    a[2] = 0x81; a[3] = 0x80; a[7] = 1;
    static const uint8_t ans[] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4, 93, 184, 216, 34};
    memcpy(a + sizeof q, ans, sizeof ans);
    udp(lan, 53000, A4(8, 8, 8, 8), 53, q, sizeof q, 0);
    udp(A4(8, 8, 8, 8), 53, lan, 53000, a, sizeof q + sizeof ans, 0);

    /* 3. ICMP echo */
    for (int i = 0; i < 2; i++) {
        addr src = i ? A4(1, 1, 1, 1) : lan, dst = i ? lan : A4(1, 1, 1, 1);
        size_t o = eth(pkt, 4, 0);
        size_t h = iphdr(pkt + o, src, dst, 1, 16, 0, 0, ipid++);
        uint8_t *ic = pkt + o + h;
        memset(ic, 0, 16);
        ic[0] = i ? 0 : 8;
        ic[4] = 0; ic[5] = 7; ic[7] = 1;
        memcpy(ic + 8, "pingdata", 8);
        uint16_t cs = csum_fold(csum_add(0, ic, 16));
        ic[2] = (uint8_t)(cs >> 8); ic[3] = (uint8_t)cs;
        rec(pkt, (uint32_t)(o + h + 16), (uint32_t)(o + h + 16));
    }

    /* 4. TCP over IPv6 */
    addr l6 = A6("fd00::10"), r6 = A6("2001:4860:4860::8888");
    tcp(l6, 40000, r6, 443, 1, 0, S, "", 0);
    tcp(r6, 443, l6, 40000, 100, 2, S | A, "", 0);
    tcp(l6, 40000, r6, 443, 2, 101, A, "", 0);
    tcp(l6, 40000, r6, 443, 2, 101, P | A, "hello6", 6);
    tcp(r6, 443, l6, 40000, 101, 8, P | A, "world6", 6);
    tcp(l6, 40000, r6, 443, 8, 107, R | A, "", 0);

    /* 5. VLAN UDP (internal) */
    udp(A4(192, 168, 1, 20), 5353, A4(192, 168, 1, 21), 5353, (const uint8_t *)"vlan-data", 9, 100);

    /* 6. fragmented UDP, fragments out of order (2, 0, 1) */
    {
        static uint8_t dg[3008];
        addr fd = A4(203, 0, 113, 9);
        for (int i = 0; i < 3000; i++)
            dg[8 + i] = (uint8_t)('a' + i % 26);
        dg[0] = 0x9C; dg[1] = 0x41;   /* 40001 */
        dg[2] = 0x27; dg[3] = 0x0F;   /* 9999 */
        dg[4] = (uint8_t)(3008 >> 8); dg[5] = (uint8_t)(3008 & 0xFF);
        l4csum(dg, 3008, lan, fd, 17, 6);
        const int offs[3] = {2960, 0, 1480};
        const int lens[3] = {48, 1480, 1480};
        for (int k = 0; k < 3; k++) {
            size_t o = eth(pkt, 4, 0);
            size_t h = iphdr(pkt + o, lan, fd, 17, (size_t)lens[k], (uint16_t)offs[k],
                             offs[k] != 2960, 4242);
            memcpy(pkt + o + h, dg + offs[k], (size_t)lens[k]);
            rec(pkt, (uint32_t)(o + h + (size_t)lens[k]), (uint32_t)(o + h + (size_t)lens[k]));
        }
    }

    /* 7. out-of-order client data with retransmission and overlap */
    {
        addr srv = A4(198, 51, 100, 7);
        uint32_t cs = 70000, ss = 90000;
        tcp(lan, 50001, srv, 8080, cs, 0, S, "", 0);
        tcp(srv, 8080, lan, 50001, ss, cs + 1, S | A, "", 0);
        tcp(lan, 50001, srv, 8080, cs + 1, ss + 1, A, "", 0);
        tcp(lan, 50001, srv, 8080, cs + 11, ss + 1, P | A, "ABCDE", 5);        /* 10..14 early */
        tcp(lan, 50001, srv, 8080, cs + 1, ss + 1, P | A, "01234", 5);         /* 0..4 */
        tcp(lan, 50001, srv, 8080, cs + 9, ss + 1, P | A, "89XYZ", 5);         /* 8..12: overlaps 10..12 (first wins: ABC) */
        tcp(lan, 50001, srv, 8080, cs + 1, ss + 1, P | A, "01234", 5);         /* retransmission */
        tcp(lan, 50001, srv, 8080, cs + 6, ss + 1, P | A, "567", 3);           /* 5..7 fills the hole */
        tcp(lan, 50001, srv, 8080, cs + 16, ss + 1, P | A, "FGHIJ", 5);        /* 15..19 */
        tcp(srv, 8080, lan, 50001, ss + 1, cs + 21, A, "", 0);
        tcp(lan, 50001, srv, 8080, cs + 21, ss + 1, F | A, "", 0);
        tcp(srv, 8080, lan, 50001, ss + 1, cs + 22, F | A, "", 0);
        tcp(lan, 50001, srv, 8080, cs + 22, ss + 2, A, "", 0);
    }

    /* 8. inbound RDP attempt */
    {
        addr ext = A4(185, 220, 101, 5), host = A4(192, 168, 1, 50);
        tcp(ext, 61000, host, 3389, 1, 0, S, "", 0);
        tcp(host, 3389, ext, 61000, 500, 2, S | A, "", 0);
        tcp(ext, 61000, host, 3389, 2, 0, R, "", 0);
    }

    /* 9. anomalies: IPv4 total length beyond the frame; runt Ethernet frame */
    {
        size_t o = eth(pkt, 4, 0);
        size_t h = iphdr(pkt + o, lan, A4(93, 184, 216, 34), 17, 200, 0, 0, ipid++);
        memset(pkt + o + h, 0, 8);
        pkt[o + h] = 0x30; pkt[o + h + 1] = 0x39; pkt[o + h + 2] = 0x00; pkt[o + h + 3] = 0x35;
        pkt[o + h + 5] = 8;
        rec(pkt, (uint32_t)(o + h + 8), (uint32_t)(o + h + 8));
        rec(pkt, 10, 10);
    }
    if (fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
