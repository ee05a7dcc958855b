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
 *      (an ipv4.trunc_pkt anomaly; an invalid packet: no flow) and an
 *      Ethernet frame too short for a header.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktw.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mm-pcapgen OUT.pcap [--base-time SECONDS]\n");
        return 2;
    }
    uint64_t start = 1700000000ULL * 1000000ULL; /* 2023-11-14T22:13:20Z */
    if (argc == 4 && strcmp(argv[2], "--base-time") == 0)
        start = strtoull(argv[3], NULL, 10) * 1000000ULL;
    if (!pw_open(argv[1], start)) {
        perror(argv[1]);
        return 1;
    }

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
    if (!pw_close()) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
