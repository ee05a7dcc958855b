/*
 * multipart.h - the parts of a multipart/form-data body (RFC 7578, the
 * delimiter of RFC 2046 5.1.1): the files an HTTP upload carries, as
 * libhtp hands them to Suricata - one file per part with a filename, its
 * bytes those between the part's headers and the CRLF before the next
 * delimiter.
 *
 * Two ways over the same grammar: a streaming parser for the body as it
 * arrives (any cut, gaps), which opens, feeds and closes a file per part
 * through callbacks, and a one-shot split of a body prefix held in memory
 * (the bytes the rules inspect) into its file parts.
 */
#ifndef MM_MULTIPART_H
#define MM_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_MPART_BOUNDARY_MAX 70    /* RFC 2046: 1 to 70 characters */

/* The boundary of a Content-Type value "multipart/form-data; boundary=X"
 * (quoted or not) into out (MM_MPART_BOUNDARY_MAX + 1 bytes). False for
 * another type or a missing, empty or too long boundary. */
bool mm_mpart_boundary(const char *ctype, size_t len, char *out);

typedef struct mm_mpart_cb {
    /* a part with a filename starts (name: its bytes as written, not NUL
     * terminated) */
    void (*start)(void *ctx, const char *name, size_t len);
    void (*data)(void *ctx, const uint8_t *d, uint32_t n);  /* d NULL: a gap of n */
    void (*end)(void *ctx, bool complete);  /* complete: its delimiter came */
    void *ctx;
} mm_mpart_cb;

typedef struct mm_mpart mm_mpart;

/* The parser is the caller's memory (mm_mpart_size() bytes, from its own
 * allocator); init makes it ready for one body. */
size_t mm_mpart_size(void);
void mm_mpart_init(mm_mpart *m, const char *boundary, const mm_mpart_cb *cb);
/* Body bytes (d NULL: a gap of n bytes - the part in progress gets it as
 * a gap; a delimiter cut by it is not seen). */
void mm_mpart_feed(mm_mpart *m, const uint8_t *d, uint32_t n);
/* The body ended: a file part still open ends, complete only when the
 * body was (whole) - the closing delimiter missing does not cut it, as
 * libhtp. */
void mm_mpart_finish(mm_mpart *m, bool whole);

/* A file part found in a body held in memory. */
typedef struct mm_mpart_piece {
    const uint8_t *name, *data;
    uint32_t name_len, data_len;
} mm_mpart_piece;

/* The file parts of body[0..n) (at most max); a part cut by the end of
 * the bytes has what is there. Returns how many. */
int mm_mpart_split(const uint8_t *body, uint32_t n, const char *boundary, mm_mpart_piece *out,
                   int max);

#endif
