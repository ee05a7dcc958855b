/*
 * evtext.c - lines of exported Windows evidence as UTF-8 (see evtext.h):
 * the encoding from the first bytes, UTF-16 decoded one code unit at a
 * time (a half unit or a high surrogate kept between pieces), lines cut
 * at a bound.
 */
#include "ioc/evtext.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

int mm_evtext_init(mm_evtext *t, size_t max_line,
                   int (*on_line)(void *, char *, size_t, bool, uint64_t), void *user)
{
    memset(t, 0, sizeof *t);
    t->max_line = max_line ? max_line : MM_EVTEXT_LINE_MAX;
    t->on_line = on_line;
    t->user = user;
    t->line = malloc(t->max_line + 1);
    return t->line ? 0 : -1;
}

void mm_evtext_free(mm_evtext *t)
{
    free(t->line);
    t->line = NULL;
}

static int end_line(mm_evtext *t)
{
    size_t n = t->len;
    if (n && t->line[n - 1] == '\r')
        n--;
    t->line[n] = 0;
    bool cut = t->cutting;
    if (cut)
        t->cut++;
    t->len = 0;
    t->cutting = false;
    t->lineno++;
    return t->on_line ? t->on_line(t->user, t->line, n, cut, t->lineno) : 0;
}

/* Appends k bytes of one character (never split) unless the line is full. */
static void append(mm_evtext *t, const char *s, size_t k)
{
    if (t->cutting)
        return;
    if (t->len + k > t->max_line) {
        t->cutting = true;
        /* 8-bit text comes a byte at a time: a UTF-8 character begun
         * before the bound is not left half */
        size_t b = t->len, back = 0;
        while (b > 0 && back < 3 && ((unsigned char)t->line[b - 1] & 0xC0) == 0x80) {
            b--;
            back++;
        }
        if (b > 0) {
            unsigned char lead = (unsigned char)t->line[b - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (need > 1 && back + 1 < need)
                t->len = b - 1;
        }
        return;
    }
    memcpy(t->line + t->len, s, k);
    t->len += k;
}

/* One UTF-16 code unit. */
static int unit(mm_evtext *t, uint32_t u)
{
    char o[4];
    if (t->hi) {
        uint32_t hi = t->hi;
        t->hi = 0;
        if (u >= 0xDC00 && u <= 0xDFFF) {
            uint32_t c = 0x10000 + ((hi - 0xD800) << 10) + (u - 0xDC00);
            append(t, o, mm_utf8_put(c, o));
            return 0;
        }
        t->bad_text++;
        append(t, o, mm_utf8_put(0xFFFD, o));
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
        t->hi = u;
        return 0;
    }
    if ((u >= 0xDC00 && u <= 0xDFFF) || u == 0) {
        t->bad_text++;
        u = 0xFFFD;
    }
    if (u == '\n')
        return end_line(t);
    append(t, o, mm_utf8_put(u, o));
    return 0;
}

int mm_evtext_feed(mm_evtext *t, const uint8_t *d, size_t n)
{
    t->bytes += n;
    size_t i = 0;
    if (t->enc == EVT_UNKNOWN) {
        /* up to three bytes decide */
        while (t->npend < 3 && i < n)
            t->pend[t->npend++] = d[i++];
        if (t->npend < 3)
            return 0;
        const uint8_t *p = t->pend;
        size_t skip = 0;
        if (p[0] == 0xFF && p[1] == 0xFE) {
            t->enc = EVT_UTF16LE;
            skip = 2;
        } else if (p[0] == 0xFE && p[1] == 0xFF) {
            t->enc = EVT_UTF16BE;
            skip = 2;
        } else if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
            t->enc = EVT_8BIT;
            skip = 3;
        } else if (p[0] != 0 && p[1] == 0) {
            t->enc = EVT_UTF16LE;
        } else {
            t->enc = EVT_8BIT;
        }
        uint8_t rest[3];
        size_t nr = t->npend - skip;
        memcpy(rest, p + skip, nr);
        t->npend = 0;
        int r = nr ? mm_evtext_feed(t, rest, nr) : 0;
        t->bytes -= nr;
        if (r)
            return r;
    }
    if (t->enc == EVT_8BIT) {
        while (i < n) {
            const uint8_t *nl = memchr(d + i, '\n', n - i);
            size_t end = nl ? (size_t)(nl - d) : n;
            for (size_t k = i; k < end; k++) {
                char c = (char)d[k];
                if (c == 0) {
                    t->bad_text++;
                    c = '?';
                }
                append(t, &c, 1);
            }
            i = end;
            if (nl) {
                i++;
                int r = end_line(t);
                if (r)
                    return r;
            }
        }
        return 0;
    }
    bool le = t->enc == EVT_UTF16LE;
    for (; i < n; i++) {
        t->pend[t->npend++] = d[i];
        if (t->npend < 2)
            continue;
        t->npend = 0;
        uint32_t u = le ? (uint32_t)t->pend[0] | (uint32_t)t->pend[1] << 8
                        : (uint32_t)t->pend[1] | (uint32_t)t->pend[0] << 8;
        int r = unit(t, u);
        if (r)
            return r;
    }
    return 0;
}

int mm_evtext_end(mm_evtext *t)
{
    char o[4];
    if (t->enc == EVT_UNKNOWN && t->npend) {
        /* one or two bytes in all: 8-bit text */
        uint8_t p[3];
        size_t np = t->npend;
        memcpy(p, t->pend, np);
        t->npend = 0;
        t->enc = EVT_8BIT;
        int r = mm_evtext_feed(t, p, np);
        t->bytes -= np;
        if (r)
            return r;
    }
    if (t->hi) {
        t->hi = 0;
        t->bad_text++;
        append(t, o, mm_utf8_put(0xFFFD, o));
    }
    if (t->npend) {
        t->npend = 0;
        t->bad_text++;
        append(t, o, mm_utf8_put(0xFFFD, o));
    }
    if (t->len || t->cutting)
        return end_line(t);
    return 0;
}

const char *mm_evtext_basename(const char *s, size_t n, size_t *bl)
{
    size_t b = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\\' || s[i] == '/')
            b = i + 1;
    *bl = n - b;
    return s + b;
}

typedef struct first {
    char *out;
    size_t outlen;
    bool found;
} first;

static int first_line(void *u, char *line, size_t n, bool cut, uint64_t lineno)
{
    (void)cut;
    (void)lineno;
    first *f = u;
    size_t b = 0;
    while (b < n && (line[b] == ' ' || line[b] == '\t'))
        b++;
    if (b == n)
        return 0;
    size_t k = n - b < f->outlen - 1 ? n - b : f->outlen - 1;
    memcpy(f->out, line + b, k);
    f->out[k] = 0;
    f->found = true;
    return 1;
}

bool mm_evtext_first_line(const uint8_t *d, size_t n, char *out, size_t outlen)
{
    if (!outlen)
        return false;
    out[0] = 0;
    first f = {out, outlen, false};
    mm_evtext t;
    if (mm_evtext_init(&t, outlen, first_line, &f) != 0)
        return false;
    if (mm_evtext_feed(&t, d, n) == 0)
        mm_evtext_end(&t);
    mm_evtext_free(&t);
    return f.found;
}
