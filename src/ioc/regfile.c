/*
 * regfile.c - `reg export` files as evidence (see regfile.h): lines from
 * evtext.c, continuations joined into one logical line (bounded), each
 * logical line read as a key, a value or a comment, string-like data
 * decoded to UTF-8. Nothing is kept between lines but the current key.
 */
#include "ioc/regfile.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioc/evtext.h"

struct mm_regfile {
    mm_regfile_sink s;
    mm_evtext t;
    mm_regfile_stats st;
    int state;                    /* 0 before the header, 1 reading, 2 not a registry file */
    bool cont;                    /* the logical line goes on */
    bool lcut;                    /* the logical line was cut */
    uint64_t lstart;              /* its first line */
    char *l;                      /* the logical line */
    size_t ln, lcap;
    char *key;                    /* the current key ("" none) */
    size_t keycap;
    bool key_deleted;
    char *name;
    size_t namecap;
    char *bytes;                  /* hex data (bytes) */
    size_t bcap;
    char *text;
    size_t tcap;
};

static bool grow(char **pp, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap : 256;
    while (nc < need)
        nc *= 2;
    char *n = realloc(*pp, nc);
    if (!n)
        return false;
    *pp = n;
    *cap = nc;
    return true;
}

static void bad(mm_regfile *r, uint64_t line, const char *why)
{
    r->st.bad++;
    if (r->s.bad)
        r->s.bad(r->s.user, line, why);
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A quoted string from s[*p] (the opening quote) to its closing quote, \\
 * and \" unescaped, into r->name-like buffer *buf. False when it does not
 * close (true all the same when allow_open: a cut line). */
static bool quoted(const char *s, size_t n, size_t *p, char **buf, size_t *cap, size_t *outlen,
                   bool allow_open)
{
    size_t i = *p + 1, o = 0;
    if (!grow(buf, cap, n + 1))
        return false;
    bool closed = false;
    while (i < n) {
        char c = s[i];
        if (c == '\\' && i + 1 < n && (s[i + 1] == '\\' || s[i + 1] == '"')) {
            (*buf)[o++] = s[i + 1];
            i += 2;
            continue;
        }
        if (c == '"') {
            closed = true;
            i++;
            break;
        }
        (*buf)[o++] = c;
        i++;
    }
    (*buf)[o] = 0;
    *outlen = o;
    *p = i;
    return closed || allow_open;
}

/* The strings of decoded data d[0..n) (NULs between), empty ones dropped,
 * each NUL-ended into r->text; only the first for a single string. The
 * length in *o; false when out of memory. */
static bool strings(mm_regfile *r, const char *d, size_t n, bool multi, size_t *out)
{
    if (!grow(&r->text, &r->tcap, n + 2))
        return false;
    size_t o = 0, i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && d[e])
            e++;
        if (e > i) {
            memcpy(r->text + o, d + i, e - i);
            o += e - i;
            r->text[o++] = 0;
            if (!multi)
                break;
        } else if (!multi) {
            break;
        }
        i = e + 1;
    }
    if (!multi && o == 0)
        r->text[o++] = 0;              /* an empty string is a value too */
    *out = o;
    return true;
}

/* hex(...):b1,b2,... from s[p..n) into r->bytes; false when malformed. */
static bool hex_list(mm_regfile *r, const char *s, size_t n, size_t p, size_t *nb)
{
    if (!grow(&r->bytes, &r->bcap, n / 2 + 1))
        return false;
    size_t k = 0;
    for (;;) {
        while (p < n && blank(s[p]))
            p++;
        if (p >= n)
            break;
        int a = mm_hex_value(s[p]);
        if (a < 0)
            return false;
        int v = a;
        p++;
        if (p < n && mm_hex_value(s[p]) >= 0) {
            v = v * 16 + mm_hex_value(s[p]);
            p++;
        }
        r->bytes[k++] = (char)(unsigned char)v;
        while (p < n && blank(s[p]))
            p++;
        if (p >= n)
            break;
        if (s[p] != ',')
            return false;
        p++;
    }
    *nb = k;
    return true;
}

static int value_line(mm_regfile *r, char *s, size_t n)
{
    uint64_t line = r->lstart;
    if (!r->key || !r->key[0]) {
        bad(r, line, "value before any key");
        return 0;
    }
    size_t p = 0, nl = 0;
    if (s[0] == '@') {
        if (!grow(&r->name, &r->namecap, 1))
            return -1;
        r->name[0] = 0;
        p = 1;
    } else if (!quoted(s, n, &p, &r->name, &r->namecap, &nl, false)) {
        bad(r, line, "value name without its closing quote");
        return 0;
    }
    while (p < n && blank(s[p]))
        p++;
    if (p >= n || s[p] != '=') {
        bad(r, line, "value without '='");
        return 0;
    }
    p++;
    while (p < n && blank(s[p]))
        p++;
    mm_regval v = {.key = r->key, .name = r->name, .line = line, .cut = r->lcut};
    const char *d = s + p;
    size_t dn = n - p;
    if (dn == 1 && d[0] == '-') {
        v.deleted = true;
        r->st.deleted++;
    } else if (dn && d[0] == '"') {
        size_t q = 0, tl;
        char *tmp = NULL;
        size_t tcap = 0;
        if (!quoted(d, dn, &q, &tmp, &tcap, &tl, r->lcut)) {
            free(tmp);
            bad(r, line, "string value without its closing quote");
            return 0;
        }
        while (q < dn && blank(d[q]))
            q++;
        if (q < dn) {
            free(tmp);
            bad(r, line, "text after a string value");
            return 0;
        }
        v.type = MM_REG_SZ;
        size_t o = 0;
        bool ok = tmp && strings(r, tmp, tl, false, &o);
        free(tmp);
        if (!ok)
            return -1;
        v.text = r->text;
        v.tlen = o;
    } else if (dn >= 6 && strncmp(d, "dword:", 6) == 0) {
        size_t i = 6, k = 0;
        uint64_t x = 0;
        while (i < dn && mm_hex_value(d[i]) >= 0 && k < 8) {
            x = x * 16 + (uint64_t)mm_hex_value(d[i]);
            i++;
            k++;
        }
        while (i < dn && blank(d[i]))
            i++;
        if (k == 0 || i < dn) {
            bad(r, line, "dword value not 1 to 8 hex digits");
            return 0;
        }
        v.type = MM_REG_DWORD;
        v.number = x;
    } else if (dn >= 4 && strncmp(d, "hex", 3) == 0) {
        size_t i = 3;
        uint32_t type = MM_REG_BINARY;
        if (d[i] == '(') {
            i++;
            size_t k = 0;
            type = 0;
            while (i < dn && mm_hex_value(d[i]) >= 0 && k < 8) {
                type = type * 16 + (uint32_t)mm_hex_value(d[i]);
                i++;
                k++;
            }
            if (k == 0 || i >= dn || d[i] != ')') {
                bad(r, line, "hex(N) type not 1 to 8 hex digits");
                return 0;
            }
            i++;
        }
        if (i >= dn || d[i] != ':') {
            bad(r, line, "hex value without ':'");
            return 0;
        }
        i++;
        size_t end = dn;
        if (r->lcut) {
            /* the line was cut: up to the last whole byte */
            while (end > i && d[end - 1] != ',')
                end--;
        }
        size_t nb = 0;
        if (!hex_list(r, d, end, i, &nb)) {
            bad(r, line, "hex data not bytes separated by commas");
            return 0;
        }
        v.type = type;
        if (type == MM_REG_SZ || type == MM_REG_EXPAND_SZ || type == MM_REG_MULTI_SZ) {
            bool multi = type == MM_REG_MULTI_SZ;
            size_t o = 0;
            if (r->st.version == 4) {
                if (!strings(r, r->bytes, nb, multi, &o))
                    return -1;
                v.text = o ? r->text : NULL;   /* a multi-string of no string: none */
                v.tlen = o;
            } else {
                size_t cap = nb / 2 * 3 + 8;
                char *u = malloc(cap);
                if (!u)
                    return -1;
                size_t ul = mm_utf16le_utf8((const uint8_t *)r->bytes, nb, u, cap, false,
                                            &r->st.bad_text);
                bool ok = strings(r, u, ul, multi, &o);
                free(u);
                if (!ok)
                    return -1;
                v.text = o ? r->text : NULL;
                v.tlen = o;
            }
        } else if (type == MM_REG_DWORD && nb == 4) {
            const uint8_t *b = (const uint8_t *)r->bytes;
            v.number = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
                       (uint64_t)b[3] << 24;
        } else if (type == MM_REG_QWORD && nb == 8) {
            const uint8_t *b = (const uint8_t *)r->bytes;
            for (int k = 7; k >= 0; k--)
                v.number = v.number << 8 | b[k];
        }
    } else {
        bad(r, line, "value data of no known form");
        return 0;
    }
    if (r->key_deleted) {
        bad(r, line, "value under a deleted key");
        return 0;
    }
    r->st.values++;
    return r->s.item ? r->s.item(r->s.user, &v) : 0;
}

static int logical(mm_regfile *r, char *s, size_t n)
{
    while (n && blank(s[0])) {
        s++;
        n--;
    }
    while (n && blank(s[n - 1]))
        n--;
    s[n] = 0;
    if (n == 0 || s[0] == ';')
        return 0;
    if (r->state == 0) {
        if (strcmp(s, "Windows Registry Editor Version 5.00") == 0) {
            r->st.version = 5;
        } else if (strcmp(s, "REGEDIT4") == 0) {
            r->st.version = 4;
        } else {
            r->state = 2;
            return 1;
        }
        r->state = 1;
        return 0;
    }
    if (s[0] == '[') {
        char *rb = strrchr(s, ']');
        if (!rb || rb == s + 1 || (rb == s + 2 && s[1] == '-')) {
            bad(r, r->lstart, "key without ']' or empty");
            return 0;
        }
        bool del = s[1] == '-';
        char *k = s + 1 + (del ? 1 : 0);
        size_t kl = (size_t)(rb - k);
        for (char *q = rb + 1; *q; q++)
            if (!blank(*q)) {
                bad(r, r->lstart, "text after a key's ']'");
                return 0;
            }
        if (!grow(&r->key, &r->keycap, kl + 1))
            return -1;
        memcpy(r->key, k, kl);
        r->key[kl] = 0;
        r->key_deleted = del;
        r->st.keys++;
        if (del)
            r->st.deleted++;
        mm_regval v = {.key = r->key, .deleted = del, .line = r->lstart, .cut = r->lcut};
        return r->s.item ? r->s.item(r->s.user, &v) : 0;
    }
    if (s[0] == '"' || s[0] == '@')
        return value_line(r, s, n);
    bad(r, r->lstart, "not a key, a value or a comment");
    return 0;
}

/* Appends to the logical line, within its bound. */
static bool lappend(mm_regfile *r, const char *s, size_t n)
{
    if (r->ln + n > MM_REG_LOGICAL_MAX) {
        n = MM_REG_LOGICAL_MAX - r->ln;
        r->lcut = true;
    }
    if (!grow(&r->l, &r->lcap, r->ln + n + 1))
        return false;
    memcpy(r->l + r->ln, s, n);
    r->ln += n;
    r->l[r->ln] = 0;
    return true;
}

static int on_line(void *u, char *line, size_t n, bool cut, uint64_t lineno)
{
    mm_regfile *r = u;
    r->st.lines = lineno;
    if (cut)
        r->lcut = true;
    size_t e = n;
    while (e && blank(line[e - 1]))
        e--;
    bool more = e && line[e - 1] == '\\';
    if (r->cont) {
        size_t b = 0;
        while (b < e && blank(line[b]))
            b++;
        if (!lappend(r, line + b, (more ? e - 1 : e) - b))
            return -1;
    } else {
        size_t b = 0;
        while (b < e && blank(line[b]))
            b++;
        /* a key or a comment never continues */
        if (b < e && (line[b] == '[' || line[b] == ';'))
            more = false;
        r->ln = 0;
        r->lstart = lineno;
        if (!lappend(r, line, more ? e - 1 : n))
            return -1;
    }
    if (more) {
        r->cont = true;
        return 0;
    }
    r->cont = false;
    if (r->lcut)
        r->st.cut++;
    int rc = logical(r, r->l, r->ln);
    r->lcut = false;
    r->ln = 0;
    return rc;
}

mm_regfile *mm_regfile_new(const mm_regfile_sink *s)
{
    mm_regfile *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (s)
        r->s = *s;
    if (mm_evtext_init(&r->t, 0, on_line, r) != 0) {
        free(r);
        return NULL;
    }
    return r;
}

void mm_regfile_free(mm_regfile *r)
{
    if (!r)
        return;
    mm_evtext_free(&r->t);
    free(r->l);
    free(r->key);
    free(r->name);
    free(r->bytes);
    free(r->text);
    free(r);
}

int mm_regfile_feed(mm_regfile *r, const uint8_t *d, size_t n)
{
    if (r->state == 2)
        return 1;
    return mm_evtext_feed(&r->t, d, n);
}

int mm_regfile_end(mm_regfile *r, mm_regfile_stats *st)
{
    int rc = 0;
    if (r->state != 2) {
        rc = mm_evtext_end(&r->t);
        if (rc == 0 && r->cont) {
            /* a continuation that never ended: the file ends the line */
            r->cont = false;
            if (r->lcut)
                r->st.cut++;
            rc = logical(r, r->l, r->ln);
        }
        if (rc == 0 && r->state == 0)
            rc = 1;                     /* no header at all */
    } else {
        rc = 1;
    }
    r->st.cut += r->t.cut;
    r->st.bad_text += r->t.bad_text;
    if (st)
        *st = r->st;
    return rc;
}

int mm_regfile_read_mem(const uint8_t *d, size_t n, const mm_regfile_sink *s,
                        mm_regfile_stats *st)
{
    mm_regfile *r = mm_regfile_new(s);
    if (!r)
        return -1;
    int rc = mm_regfile_feed(r, d, n);
    int rc2 = mm_regfile_end(r, st);
    mm_regfile_free(r);
    return rc ? rc : rc2;
}

bool mm_regfile_sniff(const uint8_t *d, size_t n)
{
    /* the header in UTF-16 LE, UTF-8 or 8-bit after an optional BOM */
    static const char h5[] = "Windows Registry Editor Version 5.00";
    static const char h4[] = "REGEDIT4";
    size_t i = 0;
    bool wide = false;
    if (n >= 2 && d[0] == 0xFF && d[1] == 0xFE) {
        i = 2;
        wide = true;
    } else if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
        i = 3;
    } else if (n >= 2 && d[0] && !d[1]) {
        wide = true;
    }
    /* blank lines first */
    size_t step = wide ? 2 : 1;
    while (i + step <= n && (d[i] == '\r' || d[i] == '\n' || d[i] == ' ' || d[i] == '\t') &&
           (!wide || d[i + 1] == 0))
        i += step;
    const char *hs[2] = {h5, h4};
    for (int k = 0; k < 2; k++) {
        size_t hl = strlen(hs[k]);
        if (n < i + hl * step)
            continue;
        bool ok = true;
        for (size_t j = 0; j < hl && ok; j++)
            ok = d[i + j * step] == (uint8_t)hs[k][j] && (!wide || d[i + j * step + 1] == 0);
        if (ok)
            return true;
    }
    return false;
}
