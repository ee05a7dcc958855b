/*
 * rule_file.c - the file keywords of the rule language: filestore (the
 * rule is about a file), filesize, and filemd5/filesha1/filesha256 with a
 * list of digests (one hex digest per line, '#' comments), read relative
 * to the rule file's directory as Suricata reads them relative to its
 * rule path. filename and fileext are contents of file.name (rule_payload.c).
 *
 * A rule with any of them is inspected when a file ends, with the file's
 * size and digests (mm_insp_file).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules/rule_int.h"

#define HASH_LIST_MAX (64u << 20)   /* a list file larger than this is refused */

static int cmp16(const void *a, const void *b) { return memcmp(a, b, 16); }
static int cmp20(const void *a, const void *b) { return memcmp(a, b, 20); }
static int cmp32(const void *a, const void *b) { return memcmp(a, b, 32); }

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* A regular file only: a rule never makes us read a device or a pipe. */
static char *read_regular(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a readable file", path);
        return NULL;
    }
    return mm_read_file(path, max, len, err, errlen);
}

char *mm_rp_read_beside(mm_rparse *p, const char *name, size_t max, size_t *len, char *err,
                        size_t errlen)
{
    const char *rf = p->rs->cur_path;
    const char *slash = rf ? strrchr(rf, '/') : NULL;
    if (name[0] != '/' && slash) {
        char path[4096];
        int k = snprintf(path, sizeof path, "%.*s/%s", (int)(slash - rf), rf, name);
        if (k > 0 && (size_t)k < sizeof path) {
            char *t = read_regular(path, max, len, err, errlen);
            if (t)
                return t;
        }
    }
    return read_regular(name, max, len, err, errlen);
}

bool mm_rp_next_line(char **cur, char *end, char **line, size_t *n, uint64_t *lineno)
{
    while (*cur < end) {
        char *s = *cur;
        char *e = memchr(s, '\n', (size_t)(end - s));
        if (!e)
            e = end;
        *cur = e < end ? e + 1 : end;
        (*lineno)++;
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (s == e || *s == '#')
            continue;
        *line = s;
        *n = (size_t)(e - s);
        return true;
    }
    return false;
}

static bool kw_hashes(mm_rparse *p, const char *kw, char *val, mm_rfile *f)
{
    size_t hl = strcmp(kw, "filemd5") == 0 ? 16 : strcmp(kw, "filesha1") == 0 ? 20 : 32;
    if (f->hash_len)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: one digest list per rule", kw);
    bool neg = *val == '!';
    char *name = mm_rp_trim(val + neg);
    size_t nl = strlen(name);
    if (nl >= 2 && name[0] == '"' && name[nl - 1] == '"') {
        name[nl - 1] = 0;
        name++;
    }
    if (!*name)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no list file", kw);
    size_t len;
    char err[160];
    char *text = mm_rp_read_beside(p, name, HASH_LIST_MAX, &len, err, sizeof err);
    if (!text)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: %s", kw, err);
    size_t n = 0, cap = 0;
    uint8_t *d = NULL;
    uint64_t lineno = 0;
    bool ok = true;
    char *cur = text, *t;
    size_t tl;
    while (mm_rp_next_line(&cur, text + len, &t, &tl, &lineno)) {
        char *e = t + tl;
        char *q = t;
        while (q < e && isxdigit((unsigned char)*q))
            q++;
        if ((size_t)(q - t) != 2 * hl || (q < e && !isspace((unsigned char)*q))) {
            mm_rp_fail(p, MM_SKIP_VALUE, "%s: %s line %llu is not a %zu-byte digest", kw, name,
                       (unsigned long long)lineno, hl);
            ok = false;
            break;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            uint8_t *nd = realloc(d, nc * hl);
            if (!nd) {
                ok = mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
                break;
            }
            d = nd;
            cap = nc;
        }
        for (size_t i = 0; i < hl; i++)
            d[n * hl + i] = (uint8_t)(hexval((unsigned char)t[2 * i]) << 4 |
                                      hexval((unsigned char)t[2 * i + 1]));
        n++;
    }
    free(text);
    if (ok && n == 0)
        ok = mm_rp_fail(p, MM_SKIP_VALUE, "%s: %s holds no digest", kw, name);
    if (ok) {
        mm_sort(d, n, hl, hl == 16 ? cmp16 : hl == 20 ? cmp20 : cmp32);
        if (!(f->hashes = mm_arena_dup(&p->rs->arena, d, n * hl)))
            ok = mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    }
    free(d);
    if (!ok)
        return false;
    f->hash_len = (uint8_t)hl;
    f->hash_neg = neg;
    f->nhash = (uint32_t)n;
    return true;
}

bool mm_kw_file(mm_rparse *p, const char *kw, char *val)
{
    mm_rfile *f = &p->file;
    p->has_file = true;
    if (strcmp(kw, "filestore") == 0) {
        f->store = 1;           /* its options (direction, scope) only say what to keep */
        return true;
    }
    if (!val || !*val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
    if (strcmp(kw, "filesize") == 0) {
        if (f->has_size)
            return mm_rp_fail(p, MM_SKIP_VALUE, "filesize: given twice");
        char *v = mm_rp_trim(val);
        /* "<>" ranges and the plain comparisons, as bsize */
        if (!mm_rp_cmp(v, UINT64_MAX >> 1, &f->size))
            return mm_rp_fail(p, MM_SKIP_VALUE, "filesize: bad value '%.32s'", v);
        f->has_size = 1;
        return true;
    }
    return kw_hashes(p, kw, val, f);
}

static bool has_digest(const mm_rfile *f, const uint8_t *dg)
{
    size_t lo = 0, hi = f->nhash;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(f->hashes + mid * f->hash_len, dg, f->hash_len);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

bool mm_rfile_match(const mm_rfile *f, const mm_insp_file *fi)
{
    if (!fi)
        return false;
    if (f->has_size && !mm_cmp_eval(&f->size, fi->size))
        return false;
    if (f->hash_len) {
        const uint8_t *dg = f->hash_len == 16 ? fi->md5 : f->hash_len == 20 ? fi->sha1
                                                                            : fi->sha256;
        if (!fi->complete || !dg)
            return false;       /* a cut file has no digest to compare, either way */
        if (has_digest(f, dg) == (bool)f->hash_neg)
            return false;
    }
    return true;
}
