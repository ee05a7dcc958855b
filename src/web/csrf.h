/*
 * csrf.h - tokens against cross-site request forgery.
 *
 * A token is stateless and signed: HMAC-SHA256, under a key drawn at start
 * (randombytes_buf), over a version byte, the issue time (seconds), a
 * random nonce and the client's address. Its text is URL-safe base64
 * without padding (MM_WEB_CSRF_LEN characters). A token is good when its
 * MAC matches for the address the check is made from (compared in
 * constant time), it is not older than the lifetime, not from the future
 * (past a small clock slack), and it was not used before.
 *
 * Single use: the nonces of accepted tokens are kept until their token
 * would have expired anyway. The set has a fixed capacity; when every
 * place holds an unexpired nonce the check is refused (MM_WEB_CSRF_FULL)
 * rather than the set grown or an entry forgotten early (which would let
 * that token be replayed). Filling it takes 'capacity' valid tokens, each
 * fetched from a page of the rate-limited server, within one lifetime.
 * Thread-safe.
 */
#ifndef MM_WEB_CSRF_H
#define MM_WEB_CSRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define MM_WEB_CSRF_LEN 76          /* characters of a token */
#define MM_WEB_CSRF_LIFETIME_S 1800 /* default lifetime: 30 minutes */
#define MM_WEB_CSRF_CAPACITY 4096   /* default used-token set */

typedef struct mm_web_csrf mm_web_csrf;

typedef enum mm_web_csrf_res {
    MM_WEB_CSRF_OK = 0,
    MM_WEB_CSRF_MALFORMED,      /* not a token at all */
    MM_WEB_CSRF_BAD,            /* MAC does not match: tampered, another key or address */
    MM_WEB_CSRF_EXPIRED,
    MM_WEB_CSRF_FUTURE,         /* issued after now */
    MM_WEB_CSRF_REPLAY,         /* already used */
    MM_WEB_CSRF_FULL,           /* the used-token set is full */
} mm_web_csrf_res;

/* lifetime_s 0: MM_WEB_CSRF_LIFETIME_S; capacity 0: MM_WEB_CSRF_CAPACITY.
 * NULL when libsodium cannot start or out of memory. */
mm_web_csrf *mm_web_csrf_new(uint32_t lifetime_s, size_t capacity);
void mm_web_csrf_free(mm_web_csrf *c);
/* A token for client at now (ns since the epoch) into out (at least
 * MM_WEB_CSRF_LEN + 1 bytes). */
bool mm_web_csrf_issue(mm_web_csrf *c, const mm_ip *client, uint64_t now_ns, char *out,
                       size_t outlen);
/* Checks token (NULL: malformed) for client at now; a good token is used
 * up. */
mm_web_csrf_res mm_web_csrf_check(mm_web_csrf *c, const char *token, const mm_ip *client,
                                  uint64_t now_ns);
const char *mm_web_csrf_res_name(mm_web_csrf_res r);

#endif
