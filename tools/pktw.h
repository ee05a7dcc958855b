/*
 * pktw.h - writing crafted packets to a pcap file (tools only): Ethernet,
 * IPv4/IPv6 with valid checksums, TCP segments and UDP datagrams, and
 * whole TCP conversations (handshake, data with acknowledgements, close).
 */
#ifndef MM_PKTW_H
#define MM_PKTW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct addr {
    int v;
    uint8_t b[16];
} addr;

extern FILE *out;           /* the capture being written */
extern uint64_t now_us;     /* time of the next packet */
extern uint8_t pkt[70000];
extern uint16_t ipid;

enum { F = 0x01, S = 0x02, R = 0x04, P = 0x08, A = 0x10 };

/* Opens path and writes the pcap header (Ethernet); false on error. */
int pw_open(const char *path, uint64_t start_us);
int pw_close(void);

void rec(const uint8_t *d, uint32_t caplen, uint32_t wirelen);
uint16_t csum_fold(uint32_t s);
uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n);
addr A4(int a, int b, int c, int d);
addr A6(const char *s);
size_t eth(uint8_t *p, int v, int vlan);
size_t iphdr(uint8_t *p, addr s, addr d, uint8_t proto, size_t l4len, uint16_t fragoff, int more,
             uint16_t id);
void l4csum(uint8_t *l4, size_t n, addr s, addr d, uint8_t proto, int off);
void tcp(addr s, uint16_t sp, addr d, uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags,
         const char *data, size_t dlen);
void udp(addr s, uint16_t sp, addr d, uint16_t dp, const uint8_t *data, size_t dlen, int vlan);

/* A TCP conversation. */
typedef struct tconn {
    addr c, s;
    uint16_t cp, sp;
    uint32_t cseq, sseq;    /* next sequence number of each side */
} tconn;
void tc_open(tconn *t, addr c, uint16_t cp, addr s, uint16_t sp);
/* Data from the client (from_server 0) or the server, in segments of at
 * most 1400 bytes, each acknowledged by the other side. */
void tc_send(tconn *t, int from_server, const void *d, size_t n);
void tc_close(tconn *t);

#endif
