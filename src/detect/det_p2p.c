/*
 * det_p2p.c - cryptocurrency nodes' own protocols, on any port: a node
 * in a company is almost always a planted miner or wallet (cryptojacking).
 *
 *   Monero (and other CryptoNote coins): levin, every message framed by
 *   the 8-byte signature 0x0101010101012101 (little-endian), the body's
 *   length, a return flag, a command, a return code, flags (1 request,
 *   2 response) and the protocol version 1; P2P commands are 1001-1010,
 *   the coin's own 2001-2010.
 *   Bitcoin and its forks: each message begins with the network's 4-byte
 *   magic, a 12-byte command of lowercase letters padded with NULs, the
 *   payload length and a checksum; a node opens with "version".
 *   Ethereum: the discovery protocol (v4) over UDP: a Keccak-256 hash of
 *   the rest, a 65-byte signature, a packet type 1-6 and an RLP list. The
 *   hash is checked, so no other datagram passes for one. (The TCP side,
 *   RLPx, is encrypted from its first byte.)
 */
#include "detect/det.h"
#include "util/keccak.h"

#include <string.h>

static void p2p_json(mm_json *j, const void *arg)
{
    const char *const *x = arg;
    mj_str(j, "network", x[0]);
    mj_str(j, "message", x[1]);
}

/* The alert names the company's host as its source when there is one. */
static void p2p_alert(mm_detect *d, mm_flow *f, int dir, const char *net, const char *msg)
{
    int adir = det_home(d, &f->srv) && !det_home(d, &f->cli) ? MM_TO_CLIENT : MM_TO_SERVER;
    (void)dir;
    const char *x[2] = {net, msg};
    det_alert(d, f, SIG_CRYPTO_P2P, adir, f->last_ns, p2p_json, x);
}

static bool levin(const uint8_t *p, uint32_t n, const char **msg)
{
    static const uint8_t sig[8] = {0x01, 0x21, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01};
    if (n < 33 || memcmp(p, sig, 8) != 0)
        return false;
    uint64_t body = mm_le64(p + 8);
    uint32_t cmd = mm_le32(p + 17), flags = mm_le32(p + 25), ver = mm_le32(p + 29);
    if (body > (100u << 20) || p[16] > 1 || (flags != 1 && flags != 2) || ver != 1)
        return false;
    if (cmd >= 1001 && cmd <= 1010)
        *msg = cmd == 1001 ? "handshake" : cmd == 1002 ? "timed sync" : "p2p";
    else if (cmd >= 2001 && cmd <= 2010)
        *msg = "blocks and transactions";
    else
        return false;
    return true;
}

static const struct {
    uint8_t magic[4];
    const char *net;
} btc_nets[] = {
    {{0xf9, 0xbe, 0xb4, 0xd9}, "bitcoin"},   {{0x0b, 0x11, 0x09, 0x07}, "bitcoin-testnet"},
    {{0x1c, 0x16, 0x3f, 0x28}, "bitcoin-testnet4"}, {{0x0a, 0x03, 0xcf, 0x40}, "bitcoin-signet"},
    {{0xfa, 0xbf, 0xb5, 0xda}, "bitcoin-regtest"},  {{0xe3, 0xe1, 0xf3, 0xe8}, "bitcoin-cash"},
    {{0xfb, 0xc0, 0xb6, 0xdb}, "litecoin"},  {{0xc0, 0xc0, 0xc0, 0xc0}, "dogecoin"},
    {{0xbf, 0x0c, 0x6b, 0xbd}, "dash"},      {{0x24, 0xe9, 0x27, 0x64}, "zcash"},
};

/* The network of a Bitcoin-style message header, or NULL. */
static const char *btc(const uint8_t *p, uint32_t n, char cmd[13])
{
    if (n < 24)
        return NULL;
    const char *net = NULL;
    for (size_t i = 0; i < sizeof btc_nets / sizeof btc_nets[0] && !net; i++)
        if (memcmp(p, btc_nets[i].magic, 4) == 0)
            net = btc_nets[i].net;
    if (!net)
        return NULL;
    size_t l = 0;
    while (l < 12 && p[4 + l] >= 'a' && p[4 + l] <= 'z')
        l++;
    if (l < 2)
        return NULL;
    for (size_t i = l; i < 12; i++)
        if (p[4 + i])
            return NULL;                    /* NUL padding to the end */
    if (mm_le32(p + 16) > (32u << 20))
        return NULL;                        /* the protocol's own message bound */
    memcpy(cmd, p + 4, l);
    cmd[l] = 0;
    return net;
}

void det_p2p_stream(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n)
{
    const char *msg, *net;
    char cmd[13];
    if (levin(p, n, &msg))
        p2p_alert(d, f, dir, "monero", msg);
    else if ((net = btc(p, n, cmd)))
        p2p_alert(d, f, dir, net, cmd);
}

static const char *const disc_types[] = {"", "ping", "pong", "findnode", "neighbors",
                                         "enrrequest", "enrresponse"};

void det_p2p_datagram(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n)
{
    /* hash(32) signature(65) type(1) RLP list; at most 1280 bytes */
    if (n < 100 || n > 1280 || p[97] < 1 || p[97] > 6 || p[98] < 0xc0)
        return;
    uint8_t h[32];
    mm_keccak256(p + 32, n - 32, h);
    if (memcmp(h, p, 32) == 0)
        p2p_alert(d, f, dir, "ethereum", disc_types[p[97]]);
}
