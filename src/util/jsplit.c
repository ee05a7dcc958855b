/*
 * jsplit.c - the streaming JSON element splitter (see jsplit.h).
 *
 * How it works: one byte-level state machine fed chunk by chunk. The
 * containers that lie on a wanted path are kept as frames (a handful: no
 * deeper than the longest path), each with the set of paths still
 * possible below it as a bit mask. A value that starts where a path ends
 * is captured; a value no path can reach into is skipped. Both are read
 * by a small sub-lexer that only knows strings, escapes and bracket depth
 * (a counter, so hostile nesting costs nothing but is still capped). A
 * captured element that lies in one chunk is handed out in place; one
 * that spans chunks is copied into a buffer that grows up to the element
 * cap and no further.
 */
#include "util/jsplit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { K_KEY, K_ANY, K_IDX };

typedef struct js_step {
    uint8_t kind;
    uint8_t len;
    char name[48];
} js_step;

typedef struct js_pat {
    js_step st[JS_MAX_STEPS];
    unsigned n;
} js_pat;

typedef struct js_frame {
    char type;          /* '{' or '[' */
    bool has_outer;
    uint32_t mask;      /* paths still possible below */
    uint64_t idx;       /* arrays: the current element */
    uint64_t outer;
    char key[48];       /* the member name this container is under */
} js_frame;

/* Where the outer machine is. */
enum { L_VALUE, L_AFTER, L_KEY, L_KEYSTR, L_KEYESC, L_COLON, L_END, L_SUB };
/* The sub-lexer of a skipped or captured value. */
enum { V_CONT, V_STR, V_ESC, V_LIT };

typedef struct js_state {
    js_split *j;
    js_pat pat[JS_MAX_PATHS];
    js_frame fr[JS_MAX_STEPS + 1];
    unsigned nfr;
    int lex;
    bool first;             /* nothing yet in the open container */
    bool started;           /* the root value has begun */
    char key[48];
    size_t klen;
    bool klong;
    /* the value being skipped or captured */
    int sub;
    uint64_t sdepth;
    bool cap;
    unsigned cpath;
    uint64_t couter, cidx, cat;
    char ckey[48];
    const char *cwhy;       /* refused: why */
    char *cbuf;
    size_t clen, ccap, cfrom;
    /* the chunk being read */
    const char *cur;
    uint64_t pos;           /* document offset of cur[0] */
    size_t elem_max;
    char err[160];
} js_state;

static int fail(js_state *s, const char *why, size_t i)
{
    snprintf(s->err, sizeof s->err, "%s at byte %llu", why,
             (unsigned long long)(s->pos + i));
    return -1;
}

static int fail_char(js_state *s, char c, size_t i)
{
    char m[64];
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        snprintf(m, sizeof m, "not JSON: unexpected '%c'", c);
    else
        snprintf(m, sizeof m, "not JSON: unexpected byte 0x%02x", u);
    return fail(s, m, i);
}

/* ---- paths ---- */

static bool parse_path(js_pat *p, const char *path)
{
    p->n = 0;
    const char *c = path;
    while (*c) {
        const char *dot = strchr(c, '.');
        size_t seg = dot ? (size_t)(dot - c) : strlen(c);
        size_t name = seg;
        while (name >= 2 && c[name - 2] == '[' && c[name - 1] == ']')
            name -= 2;
        if (name) {
            if (p->n >= JS_MAX_STEPS || name >= sizeof p->st[0].name)
                return false;
            js_step *st = &p->st[p->n++];
            st->kind = (name == 1 && c[0] == '*') ? K_ANY : K_KEY;
            st->len = (uint8_t)name;
            memcpy(st->name, c, name);
            st->name[name] = 0;
        } else if (seg == 0) {
            return false;    /* an empty step ("a..b") */
        }
        for (size_t k = name; k < seg; k += 2) {
            if (p->n >= JS_MAX_STEPS)
                return false;
            p->st[p->n].kind = K_IDX;
            p->st[p->n].len = 0;
            p->n++;
        }
        c += seg;
        if (*c == '.')
            c++;
    }
    return true;
}

static bool step_matches(const js_state *s, const js_step *st, char parent)
{
    if (parent == '[')
        return st->kind == K_IDX;
    if (st->kind == K_ANY)
        return true;
    return st->kind == K_KEY && !s->klong && st->len == s->klen &&
           memcmp(st->name, s->key, s->klen) == 0;
}

/* ---- capture buffer ---- */

static void cap_refuse(js_state *s, const char *why)
{
    if (!s->cwhy)
        s->cwhy = why;
    s->clen = 0;
    if (s->ccap > ((size_t)1 << 20)) {
        free(s->cbuf);
        s->cbuf = NULL;
        s->ccap = 0;
    }
}

static int cap_append(js_state *s, const char *b, size_t n)
{
    if (s->cwhy || !n)
        return 0;
    if (n > s->elem_max || s->clen > s->elem_max - n) {
        cap_refuse(s, "element larger than the cap");
        return 0;
    }
    if (s->clen + n > s->ccap) {
        size_t nc = s->ccap ? s->ccap : 65536;
        while (nc < s->clen + n)
            nc *= 2;
        if (nc > s->elem_max)
            nc = s->elem_max;
        char *nb = realloc(s->cbuf, nc);
        if (!nb) {
            snprintf(s->err, sizeof s->err, "out of memory for a %zu-byte element", nc);
            return -1;
        }
        s->cbuf = nb;
        s->ccap = nc;
    }
    memcpy(s->cbuf + s->clen, b, n);
    s->clen += n;
    return 0;
}

/* The captured value ends before cur[e]. */
static int cap_emit(js_state *s, size_t e)
{
    js_split *j = s->j;
    js_elem el = {s->cpath, s->couter, s->cidx, s->cat, s->ckey, NULL, 0, NULL};
    size_t span = e - s->cfrom;
    if (!s->cwhy && (span > s->elem_max || s->clen > s->elem_max - span))
        cap_refuse(s, "element larger than the cap");
    if (s->cwhy) {
        el.why = s->cwhy;
        j->refused++;
    } else if (s->clen == 0) {
        el.s = span ? s->cur + s->cfrom : "";
        el.n = span;
        j->elements++;
    } else {
        if (span && cap_append(s, s->cur + s->cfrom, span) < 0)
            return -1;
        el.s = s->cbuf;
        el.n = s->clen;
        j->elements++;
    }
    s->cap = false;
    s->cwhy = NULL;
    s->clen = 0;
    return j->fn ? j->fn(j->user, &el) : 0;
}

/* ---- the outer machine ---- */

static void value_done(js_state *s)
{
    s->lex = s->nfr ? L_AFTER : L_END;
    s->first = false;
}

static int close_frame(js_state *s, char c, size_t i)
{
    if (!s->nfr || (c == '}') != (s->fr[s->nfr - 1].type == '{'))
        return fail(s, "not JSON: mismatched bracket", i);
    s->nfr--;
    value_done(s);
    return 0;
}

static bool is_lit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' ||
           c == '.' || c == 'E';
}

/* A value begins with cur[i] == c. */
static int value_start(js_state *s, char c, size_t i)
{
    uint32_t mask = 0, full = 0;
    uint64_t outer = 0, idx = 0;
    bool has_outer = false;
    unsigned depth = s->nfr;    /* the value's path length */
    if (depth == 0) {
        for (unsigned p = 0; p < s->j->npaths; p++)
            mask |= 1u << p;
    } else {
        const js_frame *f = &s->fr[depth - 1];
        has_outer = f->has_outer || f->type == '[';
        outer = f->has_outer ? f->outer : f->idx;
        idx = f->type == '[' ? f->idx : 0;
        for (unsigned p = 0; p < s->j->npaths; p++)
            if ((f->mask >> p & 1) && s->pat[p].n >= depth &&
                step_matches(s, &s->pat[p].st[depth - 1], f->type))
                mask |= 1u << p;
    }
    for (unsigned p = 0; p < s->j->npaths; p++)
        if ((mask >> p & 1) && s->pat[p].n == depth) {
            full = 1u << p;
            s->cpath = p;
            break;
        }
    char key[48] = "";
    if (depth > 0) {
        const js_frame *f = &s->fr[depth - 1];
        const char *k = f->key;
        size_t kl = strlen(k);
        if (f->type == '{') {
            k = s->key;
            kl = s->klong ? 0 : s->klen;
        }
        if (kl >= sizeof key)
            kl = sizeof key - 1;
        memcpy(key, k, kl);
        key[kl] = 0;
    }
    if (depth == 0)
        s->j->root = (c == '{' || c == '[') ? c : 0;
    if (c != '{' && c != '[' && c != '"' && c != '-' && !(c >= '0' && c <= '9') &&
        c != 't' && c != 'f' && c != 'n')
        return fail_char(s, c, i);
    if (!full && mask && (c == '{' || c == '[')) {
        for (unsigned p = 0; p < s->j->npaths; p++)
            if ((mask >> p & 1) && c == '[' && s->pat[p].n > depth &&
                s->pat[p].st[depth].kind == K_IDX) {
                s->j->containers++;
                break;
            }
        js_frame *f = &s->fr[s->nfr++];
        f->type = c;
        f->mask = mask;
        f->idx = 0;
        f->outer = outer;
        f->has_outer = has_outer;
        memcpy(f->key, key, sizeof key);
        s->first = true;
        s->lex = c == '{' ? L_KEY : L_VALUE;
        return 0;
    }
    s->cap = full != 0;
    if (s->cap) {
        s->couter = has_outer ? outer : 0;
        s->cidx = idx;
        memcpy(s->ckey, key, sizeof key);
        s->cat = s->pos + i;
        s->cfrom = i;
        s->clen = 0;
        s->cwhy = NULL;
    }
    s->lex = L_SUB;
    s->sdepth = (c == '{' || c == '[') ? 1 : 0;
    s->sub = c == '"' ? V_STR : (s->sdepth ? V_CONT : V_LIT);
    return 0;
}

static int sub_done(js_state *s, size_t e)
{
    int r = s->cap ? cap_emit(s, e) : 0;
    value_done(s);
    return r;
}

/* One byte of a skipped or captured value; *again: reprocess this byte. */
static int sub_byte(js_state *s, char c, size_t i, bool *again)
{
    switch (s->sub) {
    case V_CONT:
        if (c == '"') {
            s->sub = V_STR;
        } else if (c == '{' || c == '[') {
            if (++s->sdepth > JS_DEPTH_MAX) {
                if (!s->cap)
                    return fail(s, "JSON nested too deep", i);
                cap_refuse(s, "element nested too deep");
            }
        } else if (c == '}' || c == ']') {
            if (--s->sdepth == 0)
                return sub_done(s, i + 1);
        }
        return 0;
    case V_STR:
        if (c == '\\')
            s->sub = V_ESC;
        else if (c == '"') {
            if (s->sdepth == 0)
                return sub_done(s, i + 1);
            s->sub = V_CONT;
        }
        return 0;
    case V_ESC:
        s->sub = V_STR;
        return 0;
    default:
        if (is_lit(c))
            return 0;
        *again = true;
        return sub_done(s, i);
    }
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int outer_byte(js_state *s, char c, size_t i)
{
    switch (s->lex) {
    case L_VALUE:
        if (is_ws(c))
            return 0;
        if (!s->started && s->pos + i < 3 && c == "\xef\xbb\xbf"[s->pos + i])
            return 0;   /* a UTF-8 byte order mark */
        if (c == ']' && s->first && s->nfr && s->fr[s->nfr - 1].type == '[')
            return close_frame(s, c, i);
        s->started = true;
        return value_start(s, c, i);
    case L_AFTER:
        if (is_ws(c))
            return 0;
        if (c == ',') {
            js_frame *f = &s->fr[s->nfr - 1];
            if (f->type == '[')
                f->idx++;
            s->lex = f->type == '{' ? L_KEY : L_VALUE;
            return 0;
        }
        if (c == '}' || c == ']')
            return close_frame(s, c, i);
        return fail_char(s, c, i);
    case L_KEY:
        if (is_ws(c))
            return 0;
        if (c == '"') {
            s->klen = 0;
            s->klong = false;
            s->lex = L_KEYSTR;
            return 0;
        }
        if (c == '}' && s->first)
            return close_frame(s, c, i);
        return fail_char(s, c, i);
    case L_KEYSTR:
    case L_KEYESC:
        if (s->lex == L_KEYSTR && c == '"') {
            s->lex = L_COLON;
            return 0;
        }
        s->lex = (s->lex == L_KEYSTR && c == '\\') ? L_KEYESC : L_KEYSTR;
        if (s->klen < sizeof s->key)
            s->key[s->klen++] = c;
        else
            s->klong = true;
        return 0;
    case L_COLON:
        if (is_ws(c))
            return 0;
        if (c != ':')
            return fail_char(s, c, i);
        s->lex = L_VALUE;
        s->first = false;
        return 0;
    default:  /* L_END */
        if (is_ws(c))
            return 0;
        return fail(s, "not JSON: data after the value", i);
    }
}

static int feed(js_state *s, const char *b, size_t n)
{
    s->cur = b;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        int r;
        if (s->lex == L_SUB) {
            bool again = false;
            r = sub_byte(s, c, i, &again);
            if (r == 0 && again)
                r = outer_byte(s, c, i);
        } else {
            r = outer_byte(s, c, i);
        }
        if (r)
            return r;
    }
    /* keep the part of a capture that lies in this chunk */
    if (s->lex == L_SUB && s->cap) {
        if (cap_append(s, b + s->cfrom, n - s->cfrom) < 0)
            return -1;
        s->cfrom = 0;
    }
    s->pos += n;
    return 0;
}

static int finish(js_state *s)
{
    if (s->lex == L_SUB && s->sub == V_LIT) {
        s->cur = NULL;
        s->cfrom = 0;
        int r = sub_done(s, 0);
        if (r)
            return r;
    }
    if (s->lex == L_END)
        return 0;
    if (!s->started)
        snprintf(s->err, sizeof s->err, "not JSON: no value (empty or blank input)");
    else if (s->lex == L_SUB && (s->sub == V_STR || s->sub == V_ESC))
        snprintf(s->err, sizeof s->err, "truncated JSON: ends inside a string (%llu bytes)",
                 (unsigned long long)s->pos);
    else
        snprintf(s->err, sizeof s->err,
                 "truncated JSON: ends with %llu containers open (%llu bytes)",
                 (unsigned long long)(s->nfr + s->sdepth), (unsigned long long)s->pos);
    return -1;
}

static int init(js_state *s, js_split *j)
{
    memset(s, 0, sizeof *s);
    s->j = j;
    s->lex = L_VALUE;
    s->elem_max = j->elem_max ? j->elem_max : JS_ELEM_MAX_DEFAULT;
    j->elements = j->refused = j->containers = j->bytes = 0;
    j->root = 0;
    if (j->npaths > JS_MAX_PATHS) {
        snprintf(s->err, sizeof s->err, "too many paths (%u, at most %d)", j->npaths,
                 JS_MAX_PATHS);
        return -1;
    }
    for (unsigned p = 0; p < j->npaths; p++)
        if (!j->paths[p] || !parse_path(&s->pat[p], j->paths[p])) {
            snprintf(s->err, sizeof s->err, "bad path \"%s\"", j->paths[p] ? j->paths[p] : "");
            return -1;
        }
    return 0;
}

static int done(js_state *s, int r, char *err, size_t errlen)
{
    if (r < 0 && err && errlen)
        snprintf(err, errlen, "%s", s->err);
    s->j->bytes = s->pos;
    free(s->cbuf);
    return r;
}

int js_split_mem(js_split *j, const char *d, size_t n, char *err, size_t errlen)
{
    js_state *s = malloc(sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int r = init(s, j);
    if (r == 0) {
        r = d ? feed(s, d, n) : 0;
        if (r == 0)
            r = finish(s);
    }
    r = done(s, r, err, errlen);
    free(s);
    return r;
}

static ssize_t read_full(int fd, char *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int js_split_fd(js_split *j, int fd, char *err, size_t errlen)
{
    size_t csz = j->chunk ? j->chunk : JS_CHUNK_DEFAULT;
    js_state *s = malloc(sizeof *s);
    char *buf = malloc(csz);
    if (!s || !buf) {
        free(s);
        free(buf);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int r = init(s, j);
    while (r == 0) {
        ssize_t got = read_full(fd, buf, csz);
        if (got < 0) {
            snprintf(s->err, sizeof s->err, "read: %s", strerror(errno));
            r = -1;
            break;
        }
        if (got == 0) {
            r = finish(s);
            break;
        }
        r = feed(s, buf, (size_t)got);
    }
    r = done(s, r, err, errlen);
    free(s);
    free(buf);
    return r;
}
