/*
 * http_bufs.h - the rule inspection buffers of an HTTP/1.x message (see
 * http_bufs.c for what each holds).
 */
#ifndef MM_HTTP_BUFS_H
#define MM_HTTP_BUFS_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/bufs.h"

/* Scratch a message of n header bytes needs. */
#define MM_HTTP_BUFS_SCRATCH(n) (5 * (size_t)(n) + 300)
#define MM_HTTP_HEADERS_MAX 48     /* header lines given one by one */
#define MM_HTTP_BUFS_MAX (32 + MM_HTTP_HEADERS_MAX)

/* Fills out (at most max) from the raw header block raw[0..n) (start line
 * to the blank line) and the start of the body; derived buffers live in
 * scratch. Returns how many. */
int mm_http_bufs(const char *raw, uint32_t n, bool request, const uint8_t *body, uint32_t blen,
                 mm_obs_buf *out, int max, char *scratch, size_t cap);

#endif
