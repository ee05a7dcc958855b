/*
 * pktw.c - writing crafted packets to a pcap file (see pktw.h).
 */
#include "pktw.h"

#include <stdlib.h>
#include <string.h>


FILE *out;
uint64_t now_us;

static void put32(uint32_t v) { fwrite(&v, 4, 1, out); }

void rec(const uint8_t *d, uint32_t caplen, uint32_t wirelen)
{
    put32((uint32_t)(now_us / 1000000));
    put32((uint32_t)(now_us % 1000000));
    put32(caplen);
    put32(wirelen);
    fwrite(d, 1, caplen, out);
    now_us += 1500;
}

uint16_t csum_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}

uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)(p[n - 1] << 8);
    return s;
}

addr A4(int a, int b, int c, int d)
{
    addr x = {4, {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d}};
    return x;
}

addr A6(const char *s)
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

uint8_t pkt[70000];

/* Ethernet (+ optional VLAN) header; returns its length. */
size_t eth(uint8_t *p, int v, int vlan)
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

uint16_t ipid = 1000;

/* IPv4/IPv6 header at p for an L4 payload of l4len; returns header length. */
size_t iphdr(uint8_t *p, addr s, addr d, uint8_t proto, size_t l4len, uint16_t fragoff,
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

void l4csum(uint8_t *l4, size_t n, addr s, addr d, uint8_t proto, int off)
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

void tcp(addr s, uint16_t sp, addr d, uint16_t dp, uint32_t seq, uint32_t ack,
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

void udp(addr s, uint16_t sp, addr d, uint16_t dp, const uint8_t *data, size_t dlen, int vlan)
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

int pw_open(const char *path, uint64_t start_us)
{
    now_us = start_us;
    out = fopen(path, "wb");
    if (!out)
        return 0;
    uint32_t gh[6] = {0xa1b2c3d4, 2 | (4u << 16), 0, 0, 65535, 1};
    return fwrite(gh, sizeof gh, 1, out) == 1;
}

int pw_close(void)
{
    return fclose(out) == 0;
}

void tc_open(tconn *t, addr c, uint16_t cp, addr s, uint16_t sp)
{
    t->c = c;
    t->s = s;
    t->cp = cp;
    t->sp = sp;
    t->cseq = 1000u + (uint32_t)cp * 7u;
    t->sseq = 500000u + (uint32_t)cp * 13u;
    tcp(c, cp, s, sp, t->cseq++, 0, S, "", 0);
    tcp(s, sp, c, cp, t->sseq++, t->cseq, S | A, "", 0);
    tcp(c, cp, s, sp, t->cseq, t->sseq, A, "", 0);
}

void tc_send(tconn *t, int from_server, const void *d, size_t n)
{
    const char *p = d;
    while (n) {
        size_t k = n > 1400 ? 1400 : n;
        if (from_server) {
            tcp(t->s, t->sp, t->c, t->cp, t->sseq, t->cseq, P | A, p, k);
            t->sseq += (uint32_t)k;
            tcp(t->c, t->cp, t->s, t->sp, t->cseq, t->sseq, A, "", 0);
        } else {
            tcp(t->c, t->cp, t->s, t->sp, t->cseq, t->sseq, P | A, p, k);
            t->cseq += (uint32_t)k;
            tcp(t->s, t->sp, t->c, t->cp, t->sseq, t->cseq, A, "", 0);
        }
        p += k;
        n -= k;
    }
}

void tc_close(tconn *t)
{
    tcp(t->c, t->cp, t->s, t->sp, t->cseq++, t->sseq, F | A, "", 0);
    tcp(t->s, t->sp, t->c, t->cp, t->sseq++, t->cseq, F | A, "", 0);
    tcp(t->c, t->cp, t->s, t->sp, t->cseq, t->sseq, A, "", 0);
}
