/* The web fuzz targets' request from bytes (fuzz_web.c, fuzz_selfcheck.c):
 * the peer from one byte (bit 0 a trusted proxy's range, bit 1 IPv6,
 * bits 2-7 its last byte), then "METHOD\nTARGET\n", header lines
 * "Name: value\n" up to an empty line, and the body. in (n bytes, with
 * room for a NUL after them) is cut in place; false when the method or
 * the target line is missing. */
#ifndef MM_FUZZ_WEBREQ_H
#define MM_FUZZ_WEBREQ_H

#include <string.h>

#include "web/http.h"

#define FZ_WEB_MAXIN 65536

/* The request of a fuzz input: byte 0 the peer, the rest copied into a
 * buffer of the caller's (FZ_WEB_MAXIN + 1 bytes) and read as above. */
static inline bool fz_web_req(mm_web_req *req, char *in, size_t n, uint8_t peer_byte,
                              uint64_t now_ns);
static inline bool fz_web_input(mm_web_req *req, const uint8_t *data, size_t size, char *buf,
                                uint64_t now_ns)
{
    if (size < 1 || size > FZ_WEB_MAXIN)
        return false;
    memcpy(buf, data + 1, size - 1);
    return fz_web_req(req, buf, size - 1, data[0], now_ns);
}

static inline bool fz_web_req(mm_web_req *req, char *in, size_t n, uint8_t peer_byte,
                              uint64_t now_ns)
{
    mm_ip peer = {0};
    if (peer_byte & 2) {
        peer.v = 6;
        peer.b[0] = (peer_byte & 1) ? 0xfd : 0x20;
        peer.b[1] = (peer_byte & 1) ? 0x00 : 0x01;
        peer.b[15] = peer_byte >> 2;
    } else {
        peer.v = 4;
        peer.b[0] = (peer_byte & 1) ? 10 : 198;
        peer.b[3] = peer_byte >> 2;
    }
    mm_web_req_init(req);
    req->peer = peer;
    req->now_ns = now_ns;
    in[n] = '\0';
    /* method and target: the first two lines (NULs end them early, as a
     * C string would) */
    char *p = in, *end = in + n;
    char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
        return false;
    *nl = '\0';
    req->method = p;
    p = nl + 1;
    nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
        return false;
    *nl = '\0';
    req->target = p;
    p = nl + 1;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        *nl = '\0';
        if (*p == '\0') {
            p = nl + 1;
            break;
        }
        char *colon = strchr(p, ':');
        if (colon) {
            *colon = '\0';
            char *v = colon + 1;
            while (*v == ' ')
                v++;
            mm_web_req_add_header(req, p, v);
        } else
            mm_web_req_add_header(req, p, "");
        p = nl + 1;
    }
    req->body = (const uint8_t *)(p < end ? p : end);
    req->body_len = p < end ? (size_t)(end - p) : 0;
    return true;
}

#endif
