/*
 * buf.c - the bounded growable buffer of the web layer (see buf.h).
 */
#include "web/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_DEFAULT_MAX ((size_t)1 << 20)

void mm_web_buf_init(mm_web_buf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max ? max : BUF_DEFAULT_MAX;
}

void mm_web_buf_free(mm_web_buf *b)
{
    free(b->s);
    size_t max = b->max;
    mm_web_buf_init(b, max);
}

void mm_web_buf_reset(mm_web_buf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
    b->over = b->oom = false;
}

/* Room for n more bytes and the terminator. */
static bool reserve(mm_web_buf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n) {
        b->over = true;
        return false;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

bool mm_web_buf_add(mm_web_buf *b, const void *p, size_t n)
{
    if (!reserve(b, n))
        return false;
    if (n)
        memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
    return true;
}

bool mm_web_buf_puts(mm_web_buf *b, const char *s)
{
    return mm_web_buf_add(b, s, strlen(s));
}

bool mm_web_buf_printf(mm_web_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return false;
    if ((size_t)n < sizeof small)
        return mm_web_buf_add(b, small, (size_t)n);
    if (!reserve(b, (size_t)n))
        return false;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}
