/*
 * buf.h - a growable byte buffer with a hard size bound, for web pages and
 * response bodies.
 *
 * Appends never write past the bound: an append that would is refused
 * whole and sets 'over' (the page is then answered with an error instead
 * of a cut document). Out of memory sets 'oom' the same way. The text is
 * kept NUL-terminated so it can be handed on as a C string.
 */
#ifndef MM_WEB_BUF_H
#define MM_WEB_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mm_web_buf {
    char *s;            /* NULL until the first append */
    size_t len, cap;
    size_t max;         /* most bytes it may hold (0: 1 MiB) */
    bool over, oom;
} mm_web_buf;

void mm_web_buf_init(mm_web_buf *b, size_t max);
void mm_web_buf_free(mm_web_buf *b);
void mm_web_buf_reset(mm_web_buf *b);           /* empty; the flags cleared */
/* false (and the buffer unchanged) when it would pass the bound */
bool mm_web_buf_add(mm_web_buf *b, const void *p, size_t n);
bool mm_web_buf_puts(mm_web_buf *b, const char *s);
bool mm_web_buf_printf(mm_web_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* true when an append was refused (over the bound or out of memory) */
static inline bool mm_web_buf_failed(const mm_web_buf *b) { return b->over || b->oom; }

#endif
