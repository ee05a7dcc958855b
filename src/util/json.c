/*
 * json.c - streaming JSON writer; see json.h.
 */
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

void mj_init(mm_json *j)
{
    memset(j, 0, sizeof(*j));
}

void mj_free(mm_json *j)
{
    free(j->s);
    memset(j, 0, sizeof(*j));
}

void mj_reset(mm_json *j)
{
    j->len = 0;
    j->depth = 0;
    j->first[0] = true;
    j->oom = false;
}

static bool grow(mm_json *j, size_t extra)
{
    if (j->oom)
        return false;
    if (j->len + extra + 1 <= j->cap)
        return true;
    size_t ncap = j->cap ? j->cap : 1024;
    while (ncap < j->len + extra + 1) {
        if (ncap > SIZE_MAX / 2) {
            j->oom = true;
            return false;
        }
        ncap *= 2;
    }
    char *n = realloc(j->s, ncap);
    if (!n) {
        j->oom = true;
        return false;
    }
    j->s = n;
    j->cap = ncap;
    return true;
}

void mj_append(mm_json *j, const char *p, size_t n)
{
    if (!grow(j, n))
        return;
    memcpy(j->s + j->len, p, n);
    j->len += n;
    j->s[j->len] = 0;
}

static inline void put(mm_json *j, char c)
{
    if (j->len + 2 > j->cap && !grow(j, 1))
        return;
    j->s[j->len++] = c;
    j->s[j->len] = 0;
}

static void escaped(mm_json *j, const char *v, size_t n);
static size_t utf8_len(const unsigned char *p, size_t n);

/* Separator and key before a member or array element. Keys are mostly the
 * program's constants, written as they are; a key that needs escaping
 * (a company name, a value used as a key) is escaped like a string. */
static void member(mm_json *j, const char *key)
{
    bool comma = !j->first[j->depth];
    j->first[j->depth] = false;
    if (!key) {
        if (comma)
            put(j, ',');
        return;
    }
    /* one pass: the length, and whether the key is plain (the loop stops
     * at the NUL, which is below 0x20) */
    size_t i = 0;
    unsigned char c;
    while ((c = (unsigned char)key[i]) >= 0x20 && c < 0x80 && c != '"' && c != '\\')
        i++;
    if (key[i]) {
        if (comma)
            put(j, ',');
        escaped(j, key, i + strlen(key + i));
        put(j, ':');
        return;
    }
    if (!grow(j, i + 4))
        return;
    char *o = j->s + j->len;
    if (comma)
        *o++ = ',';
    *o++ = '"';
    memcpy(o, key, i);
    o += i;
    *o++ = '"';
    *o++ = ':';
    *o = 0;
    j->len = (size_t)(o - j->s);
}

static void open_(mm_json *j, const char *key, char c)
{
    member(j, key);
    put(j, c);
    if (j->depth + 1 < MJ_MAX_DEPTH) {
        j->depth++;
        j->first[j->depth] = true;
    } else {
        j->oom = true; /* nesting beyond what the writer supports */
    }
}

void mj_obj_open(mm_json *j, const char *key) { open_(j, key, '{'); }
void mj_arr_open(mm_json *j, const char *key) { open_(j, key, '['); }

void mj_obj_close(mm_json *j)
{
    put(j, '}');
    if (j->depth > 0)
        j->depth--;
}

void mj_arr_close(mm_json *j)
{
    put(j, ']');
    if (j->depth > 0)
        j->depth--;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t need;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { need = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 4; cp = c & 0x07; }
    else return 0;
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return need;
}

/* A string's characters, escaped, without its quotes. */
static void escaped_body(mm_json *j, const char *v, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)v;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            /* copy a run of plain ASCII at once */
            size_t k = i + 1;
            while (k < n && p[k] >= 0x20 && p[k] < 0x80 && p[k] != '"' && p[k] != '\\')
                k++;
            mj_append(j, v + i, k - i);
            i = k;
            continue;
        }
        if (c == '"' || c == '\\') {
            put(j, '\\');
            put(j, (char)c);
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t l = utf8_len(p + i, n - i);
            if (l > 0) {
                mj_append(j, v + i, l);
                i += l;
                continue;
            }
        }
        switch (c) {
        case '\n': mj_append(j, "\\n", 2); break;
        case '\r': mj_append(j, "\\r", 2); break;
        case '\t': mj_append(j, "\\t", 2); break;
        default: {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            mj_append(j, e, 6);
        }
        }
        i++;
    }
}

static void escaped(mm_json *j, const char *v, size_t n)
{
    put(j, '"');
    escaped_body(j, v, n);
    put(j, '"');
}

/* ,"key": for a key known to be plain */
static void member_k(mm_json *j, const char *key, size_t klen)
{
    bool comma = !j->first[j->depth];
    j->first[j->depth] = false;
    if (!grow(j, klen + 4))
        return;
    char *o = j->s + j->len;
    if (comma)
        *o++ = ',';
    *o++ = '"';
    memcpy(o, key, klen);
    o += klen;
    *o++ = '"';
    *o++ = ':';
    *o = 0;
    j->len = (size_t)(o - j->s);
}

void mj_strn_k(mm_json *j, const char *key, size_t klen, const char *v, size_t n)
{
    member_k(j, key, klen);
    escaped(j, v, n);
}

void mj_u64_k(mm_json *j, const char *key, size_t klen, uint64_t v)
{
    char b[24];
    char *p = b + sizeof b;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    member_k(j, key, klen);
    mj_append(j, p, (size_t)(b + sizeof b - p));
}

void mj_strn(mm_json *j, const char *key, const char *v, size_t n)
{
    member(j, key);
    escaped(j, v, n);
}

void mj_bytes_text(mm_json *j, const char *key, const uint8_t *v, size_t n)
{
    size_t i = 0, l;
    while (i < n && (l = utf8_len(v + i, n - i)) > 0)
        i += l;
    member(j, key);
    if (i == n) {
        escaped(j, (const char *)v, n);
        return;
    }
    static const char hex[] = "0123456789abcdef";
    char buf[256];
    size_t k = 0;
    put(j, '"');
    for (i = 0; i < n; i++) {
        /* each piece escaped on its own: a \x text is 4 plain characters */
        if (k + 4 > sizeof buf) {
            escaped_body(j, buf, k);
            k = 0;
        }
        if (v[i] < 0x80) {
            buf[k++] = (char)v[i];
        } else {
            buf[k++] = '\\';
            buf[k++] = 'x';
            buf[k++] = hex[v[i] >> 4];
            buf[k++] = hex[v[i] & 15];
        }
    }
    escaped_body(j, buf, k);
    put(j, '"');
}

void mj_str(mm_json *j, const char *key, const char *v)
{
    mj_strn(j, key, v ? v : "", v ? strlen(v) : 0);
}

void mj_u64(mm_json *j, const char *key, uint64_t v)
{
    char b[24];
    char *p = b + sizeof b;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    member(j, key);
    mj_append(j, p, (size_t)(b + sizeof b - p));
}

void mj_i64(mm_json *j, const char *key, int64_t v)
{
    if (v >= 0) {
        mj_u64(j, key, (uint64_t)v);
        return;
    }
    char b[24];
    int n = snprintf(b, sizeof b, "%" PRId64, v);
    member(j, key);
    mj_append(j, b, (size_t)n);
}

void mj_bool(mm_json *j, const char *key, bool v)
{
    member(j, key);
    if (v)
        mj_append(j, "true", 4);
    else
        mj_append(j, "false", 5);
}

void mj_dbl(mm_json *j, const char *key, double v)
{
    char b[40];
    int n = snprintf(b, sizeof b, "%.6g", v);
    member(j, key);
    if (n <= 0 || b[0] == 'n' || b[0] == 'i' || b[1] == 'i') /* nan/inf are not JSON */
        mj_append(j, "0", 1);
    else
        mj_append(j, b, (size_t)n);
}

void mj_raw(mm_json *j, const char *key, const char *raw, size_t n)
{
    member(j, key);
    mj_append(j, raw, n);
}
