/*
 * csrf.c - signed single-use CSRF tokens (see csrf.h).
 *
 * Layout before base64: version (1) | issue time, seconds, big-endian (8)
 * | nonce (16) | HMAC-SHA256 (32) = 57 bytes, 76 characters. The MAC
 * covers the first 25 bytes and the address (version byte 4 or 6 and 16
 * address bytes), so a token taken to another address does not verify.
 */
#include "web/csrf.h"

#include <nettle/hmac.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define TOK_VER 1
#define NONCE 16
#define HEAD (1 + 8 + NONCE)
#define RAW (HEAD + SHA256_DIGEST_SIZE)
#define SLACK_S 60              /* clock slack for a token "from the future" */

typedef struct used {
    uint8_t nonce[NONCE];
    uint64_t expires_s;         /* 0: free */
} used;

struct mm_web_csrf {
    uint8_t key[32];
    uint32_t lifetime_s;
    size_t cap;
    used *set;
    pthread_mutex_t mu;
};

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

mm_web_csrf *mm_web_csrf_new(uint32_t lifetime_s, size_t capacity)
{
    if (sodium_init() < 0)
        return NULL;
    mm_web_csrf *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->lifetime_s = lifetime_s ? lifetime_s : MM_WEB_CSRF_LIFETIME_S;
    c->cap = capacity ? capacity : MM_WEB_CSRF_CAPACITY;
    c->set = calloc(c->cap, sizeof(used));
    if (!c->set) {
        free(c);
        return NULL;
    }
    randombytes_buf(c->key, sizeof c->key);
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void mm_web_csrf_free(mm_web_csrf *c)
{
    if (!c)
        return;
    sodium_memzero(c->key, sizeof c->key);
    pthread_mutex_destroy(&c->mu);
    free(c->set);
    free(c);
}

static void mac(const mm_web_csrf *c, const uint8_t head[HEAD], const mm_ip *client,
                uint8_t out[SHA256_DIGEST_SIZE])
{
    struct hmac_sha256_ctx h;
    mm_ip ip = *client;
    uint8_t a[17];
    a[0] = ip.v;
    memcpy(a + 1, ip.b, 16);
    if (ip.v == 4)
        memset(a + 5, 0, 12);   /* bytes past an IPv4 address do not count */
    hmac_sha256_set_key(&h, sizeof c->key, c->key);
    hmac_sha256_update(&h, HEAD, head);
    hmac_sha256_update(&h, sizeof a, a);
    hmac_sha256_digest(&h, SHA256_DIGEST_SIZE, out);
}

bool mm_web_csrf_issue(mm_web_csrf *c, const mm_ip *client, uint64_t now_ns, char *out,
                       size_t outlen)
{
    if (outlen < MM_WEB_CSRF_LEN + 1)
        return false;
    uint8_t raw[RAW];
    uint64_t t = now_ns / 1000000000u;
    raw[0] = TOK_VER;
    for (int i = 0; i < 8; i++)
        raw[1 + i] = (uint8_t)(t >> (56 - 8 * i));
    randombytes_buf(raw + 9, NONCE);
    mac(c, raw, client, raw + HEAD);
    size_t o = 0;
    for (size_t i = 0; i < RAW; i += 3) {       /* RAW is a multiple of 3 */
        uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
        out[o++] = b64url[v & 63];
    }
    out[o] = '\0';
    return true;
}

static bool decode(const char *tok, uint8_t raw[RAW])
{
    if (strnlen(tok, MM_WEB_CSRF_LEN + 1) != MM_WEB_CSRF_LEN)
        return false;
    for (size_t i = 0, o = 0; i < MM_WEB_CSRF_LEN; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            int d = mm_base64_value((uint8_t)tok[i + k], true);
            if (d < 0 || tok[i + k] == '+' || tok[i + k] == '/')
                return false;   /* the URL-safe alphabet only */
            v = v << 6 | (uint32_t)d;
        }
        raw[o++] = (uint8_t)(v >> 16);
        raw[o++] = (uint8_t)(v >> 8);
        raw[o++] = (uint8_t)v;
    }
    return true;
}

mm_web_csrf_res mm_web_csrf_check(mm_web_csrf *c, const char *token, const mm_ip *client,
                                  uint64_t now_ns)
{
    uint8_t raw[RAW], want[SHA256_DIGEST_SIZE];
    if (!token || !decode(token, raw) || raw[0] != TOK_VER)
        return MM_WEB_CSRF_MALFORMED;
    mac(c, raw, client, want);
    if (sodium_memcmp(want, raw + HEAD, sizeof want) != 0)
        return MM_WEB_CSRF_BAD;
    uint64_t t = 0, now = now_ns / 1000000000u;
    for (int i = 0; i < 8; i++)
        t = t << 8 | raw[1 + i];
    if (t > now + SLACK_S)
        return MM_WEB_CSRF_FUTURE;
    if (now - (t < now ? t : now) >= c->lifetime_s)
        return MM_WEB_CSRF_EXPIRED;
    uint64_t expires = t + c->lifetime_s;
    mm_web_csrf_res r = MM_WEB_CSRF_FULL;
    pthread_mutex_lock(&c->mu);
    size_t freeslot = c->cap;
    bool seen = false;
    for (size_t i = 0; i < c->cap; i++) {
        used *u = &c->set[i];
        if (u->expires_s && u->expires_s <= now)
            u->expires_s = 0;           /* that token expired: its place is free */
        if (!u->expires_s) {
            if (freeslot == c->cap)
                freeslot = i;
        } else if (memcmp(u->nonce, raw + 9, NONCE) == 0) {
            seen = true;
            break;
        }
    }
    if (seen) {
        r = MM_WEB_CSRF_REPLAY;
    } else if (freeslot < c->cap) {
        memcpy(c->set[freeslot].nonce, raw + 9, NONCE);
        c->set[freeslot].expires_s = expires;
        r = MM_WEB_CSRF_OK;
    }
    pthread_mutex_unlock(&c->mu);
    return r;
}

const char *mm_web_csrf_res_name(mm_web_csrf_res r)
{
    switch (r) {
    case MM_WEB_CSRF_OK: return "ok";
    case MM_WEB_CSRF_MALFORMED: return "malformed";
    case MM_WEB_CSRF_BAD: return "bad";
    case MM_WEB_CSRF_EXPIRED: return "expired";
    case MM_WEB_CSRF_FUTURE: return "future";
    case MM_WEB_CSRF_REPLAY: return "replay";
    case MM_WEB_CSRF_FULL: return "full";
    }
    return "?";
}
