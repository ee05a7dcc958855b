/*
 * jread.c - the one-pass JSON reader (see jread.h).
 *
 * The parser is a loop over a small state machine with an explicit stack
 * of open containers, so hostile nesting cannot exhaust the C stack. When
 * a container closes, its token learns where its subtree ends (next),
 * which is what makes member lookup a skip list over siblings.
 */
#include "util/jread.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jr_init(jr_doc *d, uint32_t max)
{
    memset(d, 0, sizeof(*d));
    d->max = max ? max : 4096;
}

void jr_free(jr_doc *d)
{
    free(d->t);
    d->t = NULL;
    d->cap = d->nt = 0;
}

static int fail(jr_doc *d, const char *why, size_t at)
{
    snprintf(d->err, sizeof d->err, "%s at byte %zu", why, at);
    return -1;
}

static int add(jr_doc *d, jr_type type, size_t start)
{
    if (d->nt >= d->max)
        return -1;
    if (d->nt == d->cap) {
        uint32_t nc = d->cap ? d->cap * 2 : 256;
        if (nc > d->max)
            nc = d->max;
        jr_tok *t = realloc(d->t, (size_t)nc * sizeof(*t));
        if (!t)
            return -1;
        d->t = t;
        d->cap = nc;
    }
    jr_tok *t = &d->t[d->nt];
    t->start = t->end = (uint32_t)start;
    t->next = d->nt + 1;
    t->type = (uint8_t)type;
    t->esc = false;
    return (int)d->nt++;
}

static bool ishex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string starting at s[i] == '"': returns the index after the closing
 * quote, 0 on error. The closing quote is the first one not escaped (an
 * even run of backslashes before it); escapes are checked only when the
 * string has a backslash at all, which EVE strings rarely do. Raw control
 * characters are accepted (they cannot confuse the reader). */
static size_t scan_string(jr_doc *d, size_t i, int tok)
{
    const char *s = d->s;
    size_t n = d->n, j = i + 1;
    const char *q;
    for (;;) {
        q = memchr(s + j, '"', n - j);
        if (!q)
            return 0;
        size_t k = (size_t)(q - s), b = 0;
        while (k - b > i + 1 && s[k - b - 1] == '\\')
            b++;
        if (b % 2 == 0)
            break;
        j = k + 1;
    }
    size_t stop = (size_t)(q - s);
    const char *bs = memchr(s + i + 1, '\\', stop - (i + 1));
    if (bs) {
        for (size_t k = (size_t)(bs - s); k < stop; k++) {
            if (s[k] != '\\')
                continue;
            char c = s[++k];
            if (c == 'u') {
                if (k + 4 >= stop || !ishex(s[k + 1]) || !ishex(s[k + 2]) || !ishex(s[k + 3]) ||
                    !ishex(s[k + 4]))
                    return 0;
                k += 4;
            } else if (!c || !strchr("\"\\/bfnrt", c)) {
                return 0;
            }
        }
    }
    d->t[tok].start = (uint32_t)(i + 1);
    d->t[tok].end = (uint32_t)stop;
    d->t[tok].esc = bs != NULL;
    return stop + 1;
}

static size_t scan_number(const char *s, size_t n, size_t i)
{
    size_t j = i;
    if (j < n && s[j] == '-')
        j++;
    if (j >= n)
        return 0;
    if (s[j] == '0') {
        j++;
    } else if (s[j] >= '1' && s[j] <= '9') {
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
    } else {
        return 0;
    }
    if (j < n && s[j] == '.') {
        j++;
        size_t k = j;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j == k)
            return 0;
    }
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        j++;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        size_t k = j;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j == k)
            return 0;
    }
    return j;
}

enum { S_VALUE, S_VALUE_OR_END, S_KEY, S_KEY_OR_END, S_AFTER };

int jr_parse(jr_doc *d, const char *s, size_t n)
{
    d->s = s;
    d->n = n;
    d->nt = 0;
    d->err[0] = 0;
    if (n >= UINT32_MAX)
        return fail(d, "line too long", 0);
    uint32_t stack[JR_MAX_DEPTH];
    int sp = 0, state = S_VALUE;
    size_t i = 0;
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
            i++;
        if (state == S_AFTER) {
            if (sp == 0) {
                if (i != n)
                    return fail(d, "text after the value", i);
                return 0;
            }
            if (i >= n)
                return fail(d, "truncated", i);
            jr_tok *top = &d->t[stack[sp - 1]];
            char c = s[i];
            if (c == ',') {
                state = top->type == JR_OBJ ? S_KEY : S_VALUE;
                i++;
                continue;
            }
            if ((c == '}' && top->type == JR_OBJ) || (c == ']' && top->type == JR_ARR)) {
                top->next = d->nt;
                top->end = (uint32_t)(i + 1);
                sp--;
                i++;
                continue;
            }
            return fail(d, "expected ',' or a closing bracket", i);
        }
        if (i >= n)
            return fail(d, "truncated", i);
        char c = s[i];
        if (state == S_KEY || state == S_KEY_OR_END) {
            if (c == '}' && state == S_KEY_OR_END) {
                state = S_AFTER;
                continue;
            }
            if (c != '"')
                return fail(d, "expected a member name", i);
            int k = add(d, JR_STR, i);
            if (k < 0)
                return fail(d, "too many values", i);
            size_t j = scan_string(d, i, k);
            if (!j)
                return fail(d, "bad string", i);
            i = j;
            while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
                i++;
            if (i >= n || s[i] != ':')
                return fail(d, "expected ':'", i);
            i++;
            state = S_VALUE;
            continue;
        }
        if (state == S_VALUE_OR_END && c == ']') {
            state = S_AFTER;
            continue;
        }
        int k = add(d, JR_NULL, i);
        if (k < 0)
            return fail(d, "too many values", i);
        switch (c) {
        case '{':
        case '[':
            if (sp == JR_MAX_DEPTH)
                return fail(d, "nested too deep", i);
            d->t[k].type = c == '{' ? JR_OBJ : JR_ARR;
            stack[sp++] = (uint32_t)k;
            state = c == '{' ? S_KEY_OR_END : S_VALUE_OR_END;
            i++;
            continue;
        case '"': {
            d->t[k].type = JR_STR;
            size_t j = scan_string(d, i, k);
            if (!j)
                return fail(d, "bad string", i);
            i = j;
            break;
        }
        case 't':
        case 'f':
        case 'n': {
            const char *lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
            size_t l = strlen(lit);
            if (n - i < l || memcmp(s + i, lit, l) != 0)
                return fail(d, "bad literal", i);
            d->t[k].type = c == 'n' ? JR_NULL : JR_BOOL;
            d->t[k].end = (uint32_t)(i + l);
            i += l;
            break;
        }
        default: {
            size_t j = scan_number(s, n, i);
            if (!j)
                return fail(d, "unexpected character", i);
            d->t[k].type = JR_NUM;
            d->t[k].end = (uint32_t)j;
            i = j;
            break;
        }
        }
        state = S_AFTER;
    }
}

bool jr_eq(const jr_doc *d, int tok, const char *str)
{
    if (tok < 0 || (uint32_t)tok >= d->nt || d->t[tok].type != JR_STR)
        return false;
    const jr_tok *t = &d->t[tok];
    size_t l = strlen(str);
    if (!t->esc)
        return t->end - t->start == l && memcmp(d->s + t->start, str, l) == 0;
    char buf[256];
    if (l >= sizeof buf - 1)
        return false;
    return jr_str(d, tok, buf, sizeof buf) && strcmp(buf, str) == 0;
}

int jr_member(const jr_doc *d, int obj, const char *key)
{
    if (obj < 0 || (uint32_t)obj >= d->nt || d->t[obj].type != JR_OBJ)
        return -1;
    size_t l = strlen(key);
    uint32_t k = (uint32_t)obj + 1, end = d->t[obj].next;
    while (k + 1 < end) {
        const jr_tok *t = &d->t[k];
        if (t->esc ? jr_eq(d, (int)k, key)
                   : t->end - t->start == l && memcmp(d->s + t->start, key, l) == 0)
            return (int)k + 1;
        k = d->t[k + 1].next;
    }
    return -1;
}

int jr_elem(const jr_doc *d, int arr, uint32_t i)
{
    if (arr < 0 || (uint32_t)arr >= d->nt || d->t[arr].type != JR_ARR)
        return -1;
    uint32_t k = (uint32_t)arr + 1, end = d->t[arr].next;
    for (uint32_t c = 0; k < end; c++) {
        if (c == i)
            return (int)k;
        k = d->t[k].next;
    }
    return -1;
}

int jr_path(const jr_doc *d, const char *path)
{
    if (d->nt == 0)
        return -1;
    int tok = 0;
    char part[64];
    while (*path && tok >= 0) {
        const char *dot = strchr(path, '.');
        size_t l = dot ? (size_t)(dot - path) : strlen(path);
        if (l >= sizeof part)
            return -1;
        memcpy(part, path, l);
        part[l] = 0;
        tok = jr_member(d, tok, part);
        path += l + (dot ? 1 : 0);
    }
    return tok;
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static unsigned hex4(const char *p)
{
    return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

bool jr_str(const jr_doc *d, int tok, char *out, size_t outlen)
{
    if (outlen == 0)
        return false;
    out[0] = 0;
    if (tok < 0 || (uint32_t)tok >= d->nt || d->t[tok].type != JR_STR)
        return false;
    const jr_tok *t = &d->t[tok];
    const char *p = d->s + t->start, *e = d->s + t->end;
    size_t o = 0;
    if (!t->esc) {
        size_t l = (size_t)(e - p);
        if (l > outlen - 1)
            l = outlen - 1;
        memcpy(out, p, l);
        out[l] = 0;
        return true;
    }
    while (p < e) {
        char tmp[4];
        size_t w = 1;
        if (*p != '\\') {
            tmp[0] = *p++;
        } else {
            char c = p[1];
            p += 2;
            switch (c) {
            case 'b': tmp[0] = '\b'; break;
            case 'f': tmp[0] = '\f'; break;
            case 'n': tmp[0] = '\n'; break;
            case 'r': tmp[0] = '\r'; break;
            case 't': tmp[0] = '\t'; break;
            case 'u': {
                unsigned cp = hex4(p);
                p += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && e - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                    unsigned lo = hex4(p + 2);
                    if (lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        p += 6;
                    }
                }
                if (cp >= 0xD800 && cp < 0xE000)
                    cp = 0xFFFD;
                w = mm_utf8_put(cp, tmp);
                break;
            }
            default: tmp[0] = c; break;
            }
        }
        if (o + w > outlen - 1)
            break;
        memcpy(out + o, tmp, w);
        o += w;
    }
    out[o] = 0;
    return true;
}

bool jr_i64(const jr_doc *d, int tok, int64_t *v)
{
    if (tok < 0 || (uint32_t)tok >= d->nt || d->t[tok].type != JR_NUM)
        return false;
    const char *p = d->s + d->t[tok].start, *e = d->s + d->t[tok].end;
    bool neg = *p == '-';
    if (neg)
        p++;
    uint64_t x = 0;
    for (; p < e; p++) {
        if (*p < '0' || *p > '9')
            return false;
        if (x > (UINT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (x > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        return false;
    *v = neg ? (int64_t)(0 - x) : (int64_t)x;
    return true;
}

bool jr_dbl(const jr_doc *d, int tok, double *v)
{
    if (tok < 0 || (uint32_t)tok >= d->nt || d->t[tok].type != JR_NUM)
        return false;
    char buf[64];
    size_t l = d->t[tok].end - d->t[tok].start;
    if (l >= sizeof buf)
        return false;
    memcpy(buf, d->s + d->t[tok].start, l);
    buf[l] = 0;
    *v = strtod(buf, NULL);
    return true;
}

int64_t jr_path_i64(const jr_doc *d, const char *path, int64_t dflt)
{
    int64_t v;
    return jr_i64(d, jr_path(d, path), &v) ? v : dflt;
}

bool jr_path_str(const jr_doc *d, const char *path, char *out, size_t outlen)
{
    return jr_str(d, jr_path(d, path), out, outlen);
}
