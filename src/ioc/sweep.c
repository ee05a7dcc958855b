/*
 * sweep.c - `mimamori ioc sweep` (see sweep.h): the walk of watch/tree.c
 * with a callback per regular file; each file's name looked up, its
 * hashes computed (only the kinds loaded) while the same read feeds the
 * .reg or Autoruns reader its first bytes chose; what the readers hand
 * back looked up as registry keys, file names and hashes.
 */
#include "ioc/sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ioc/autoruns.h"
#include "ioc/evtext.h"
#include "ioc/regfile.h"
#include "watch/tree.h"

#define CHUNK 65536
#define SNIFF 8192
#define SEEN_MAX 64
#define WHERE_MAX 8192

#define KEYBUF (MM_IOC_VALUE_MAX + 64)

typedef struct keyset {
    char v[3][KEYBUF];
    size_t len[3];
    size_t n;
} keyset;

typedef struct sweeper {
    const mm_iocmatch *m;
    const mm_sweep_opts *o;
    mm_sweep_stats *st;
    unsigned types;
    const char *root;
    bool root_is_file;
    uint64_t max_file;
    uint8_t *buf;                 /* CHUNK bytes */
    char path[MW_PATH_MAX + 4096];
    /* the item being matched (a file, an Autoruns row, a registry value) */
    const char *evidence;
    uint64_t line;
    const char *sha256;
    char where[WHERE_MAX];
    uint32_t seen[SEEN_MAX];
    size_t nseen;
    /* registry key indicators: their depths (bit d: d separators; 63 and
     * more in bit 63) and the longest */
    uint64_t depths;
    size_t key_max;
    keyset cur;                   /* the reg file's current key */
    keyset tmp;                   /* an Autoruns location, a key in value data */
    char kbuf[KEYBUF * 2];
} sweeper;

#define T(x) (1u << (x))
#define HASHES (T(IOC_MD5) | T(IOC_SHA1) | T(IOC_SHA256))

static void item(sweeper *w, const char *evidence, uint64_t line, const char *sha256)
{
    w->evidence = evidence;
    w->line = line;
    w->sha256 = sha256;
    w->nseen = 0;
}

/* Every indicator of the lookup chain starting at idx1, once per item. */
static void report(sweeper *w, uint32_t idx1, const char *value, size_t vn, const char *field)
{
    char vbuf[MM_IOC_VALUE_MAX + 1];
    if (vn > MM_IOC_VALUE_MAX)
        vn = MM_IOC_VALUE_MAX;
    memcpy(vbuf, value, vn);
    vbuf[vn] = 0;
    for (; idx1; idx1 = mm_iocmatch_ent(w->m, idx1)->next) {
        bool dup = false;
        for (size_t i = 0; i < w->nseen && !dup; i++)
            dup = w->seen[i] == idx1;
        if (dup)
            continue;
        if (w->nseen < SEEN_MAX)
            w->seen[w->nseen++] = idx1;
        const mm_iocent *e = mm_iocmatch_ent(w->m, idx1);
        char ib[MM_IOCMATCH_VALUE_BUF];
        mm_sweep_hit h = {
            .kind = mm_ioc_type_name((mm_ioc_type)e->type),
            .value = vbuf,
            .indicator = mm_iocmatch_value_text(w->m, e, ib),
            .set = mm_iocmatch_str(w->m, e->set),
            .source = mm_iocmatch_str(w->m, e->source),
            .desc = mm_iocmatch_str(w->m, e->desc),
            .evidence = w->evidence,
            .path = w->path,
            .line = w->line,
            .field = field,
            .where = w->where,
            .sha256 = w->sha256,
        };
        w->st->hits++;
        if (w->o->on_hit)
            w->o->on_hit(w->o->user, &h);
    }
}

static bool sep_char(char c)
{
    return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == ',' || c == ';' || c == '=';
}

/* One candidate file name: the base name of s[0..n), blanks and quotes
 * trimmed. */
static void name_at(sweeper *w, const char *s, size_t n, const char *field)
{
    while (n && (s[0] == ' ' || s[0] == '\t' || s[0] == '"' || s[0] == '\''))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"' || s[n - 1] == '\''))
        n--;
    size_t bl;
    const char *b = mm_evtext_basename(s, n, &bl);
    if (bl == 0 || bl > MM_IOC_VALUE_MAX)
        return;
    uint32_t r = mm_iocmatch_value(w->m, IOC_FILENAME, b, bl);
    if (r)
        report(w, r, b, bl, field);
}

/* The file names a command line or a value's data may hold: the pieces
 * between quotes and commas (a quoted path with blanks), and the words
 * (an unquoted path followed by arguments). */
static void names_in(sweeper *w, const char *s, size_t n, const char *field)
{
    if (!(w->types & T(IOC_FILENAME)))
        return;
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && s[e] != '"' && s[e] != ',')
            e++;
        if (e > i)
            name_at(w, s + i, e - i, field);
        i = e + 1;
    }
    i = 0;
    while (i < n) {
        while (i < n && sep_char(s[i]))
            i++;
        size_t e = i;
        while (e < n && !sep_char(s[e]))
            e++;
        if (e > i)
            name_at(w, s + i, e - i, field);
        i = e;
    }
}

/* Adds a + b + c as the next spelling of ks (when it fits). */
static void keyset_add(keyset *ks, const char *a, size_t al, const char *b, size_t bl,
                       const char *c, size_t cl)
{
    if (ks->n >= 3 || al + bl + cl >= KEYBUF)
        return;
    char tmp[KEYBUF];
    memcpy(tmp, a, al);
    memcpy(tmp + al, b, bl);
    memcpy(tmp + al + bl, c, cl);
    tmp[al + bl + cl] = 0;
    memcpy(ks->v[ks->n], tmp, al + bl + cl + 1);
    ks->len[ks->n++] = al + bl + cl;
}

/* A key as evidence names it, in normal form, and the other spellings of
 * the same key (HKEY_USERS\SID\... as HKEY_CURRENT_USER\..., ControlSet00N
 * as CurrentControlSet). */
static void keyset_make(const sweeper *w, keyset *ks, const char *key)
{
    ks->n = 0;
    if (!(w->types & T(IOC_REGKEY)))
        return;
    size_t n = strlen(key);
    if (n >= KEYBUF)
        return;                         /* longer than any indicator can be */
    size_t kl = mm_ioc_regkey_norm(key, n, ks->v[0], KEYBUF);
    if (!kl)
        return;
    ks->len[0] = kl;
    ks->n = 1;
    const char *k0 = ks->v[0];
    static const char hku[] = "HKEY_USERS\\";
    if (strncasecmp(k0, hku, sizeof hku - 1) == 0) {
        const char *rest = strchr(k0 + sizeof hku - 1, '\\');
        if (rest)
            keyset_add(ks, "HKEY_CURRENT_USER", 17, rest, strlen(rest), "", 0);
    }
    static const char cs[] = "\\ControlSet00";
    const char *p = strcasestr(k0, cs);
    if (p && p[sizeof cs - 1] >= '0' && p[sizeof cs - 1] <= '9' &&
        (p[sizeof cs] == '\\' || p[sizeof cs] == 0))
        keyset_add(ks, k0, (size_t)(p - k0), "\\CurrentControlSet", 18, p + sizeof cs,
                   strlen(p + sizeof cs));
}

static unsigned depth_of(const char *k, size_t n)
{
    unsigned d = 0;
    for (size_t i = 0; i < n; i++)
        d += k[i] == '\\';
    return d;
}

static bool depth_wanted(const sweeper *w, unsigned d)
{
    return (w->depths >> (d < 63 ? d : 63)) & 1;
}

/* Looked up only when an indicator of that depth and no shorter length
 * exists: each lookup hashes at most the longest indicator. */
static void regkey_lookup(sweeper *w, const char *k, size_t kl, unsigned depth,
                          const char *field)
{
    if (kl == 0 || kl > w->key_max || !depth_wanted(w, depth))
        return;
    uint32_t r = mm_iocmatch_value(w->m, IOC_REGKEY, k, kl);
    if (r)
        report(w, r, k, kl, field);
}

/* The keys of ks and each parent down to the hive's first key. */
static void keyset_walk(sweeper *w, const keyset *ks, const char *field)
{
    for (size_t i = 0; i < ks->n; i++) {
        const char *k = ks->v[i];
        size_t kl = ks->len[i];
        unsigned d = depth_of(k, kl);
        while (d >= 1) {
            regkey_lookup(w, k, kl, d, field);
            const char *bs = memrchr(k, '\\', kl);
            if (!bs)
                break;
            kl = (size_t)(bs - k);
            d--;
        }
    }
}

/* The keys of ks with a value name below them. */
static void keyset_value(sweeper *w, const keyset *ks, const char *name, const char *field)
{
    size_t nl = strlen(name);
    if (nl == 0)
        return;
    for (size_t i = 0; i < ks->n; i++) {
        size_t kl = ks->len[i];
        if (kl + 1 + nl > w->key_max)
            continue;
        unsigned d = depth_of(ks->v[i], kl) + 1 + depth_of(name, nl);
        if (!depth_wanted(w, d))
            continue;
        memcpy(w->kbuf, ks->v[i], kl);
        w->kbuf[kl] = '\\';
        memcpy(w->kbuf + kl + 1, name, nl);
        regkey_lookup(w, w->kbuf, kl + 1 + nl, d, field);
    }
}

static void match_hash(sweeper *w, mm_ioc_type t, const char *hex, const char *field)
{
    size_t n = strlen(hex);
    size_t want = t == IOC_MD5 ? 32 : t == IOC_SHA1 ? 40 : 64;
    if (n != want || !(w->types & T(t)))
        return;
    for (size_t i = 0; i < n; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f') ||
              (hex[i] >= 'A' && hex[i] <= 'F')))
            return;
    uint32_t r = mm_iocmatch_value(w->m, t, hex, n);
    if (r)
        report(w, r, hex, n, field);
}

/* ---- evidence ---- */

static void set_where(sweeper *w, const char *a, const char *b, const char *c)
{
    snprintf(w->where, sizeof w->where, "%s:%llu %s%s%s", w->path, (unsigned long long)w->line,
             a, b, c);
}

static int on_reg(void *u, const mm_regval *v)
{
    sweeper *w = u;
    w->st->values++;
    item(w, "reg", v->line, NULL);
    if (!v->name) {
        /* a key: it and its parents; its values then only add their names */
        set_where(w, v->deleted ? "[-" : "[", v->key, "]");
        keyset_make(w, &w->cur, v->key);
        keyset_walk(w, &w->cur, "key");
        return 0;
    }
    set_where(w, v->key, "\\", v->name[0] ? v->name : "(default)");
    keyset_value(w, &w->cur, v->name, "value name");
    if (v->name[0])
        names_in(w, v->name, strlen(v->name), "value name");
    for (size_t i = 0; v->text && i < v->tlen;) {
        const char *s = v->text + i;
        size_t l = strnlen(s, v->tlen - i);
        if (mm_ioc_regkey_hive(s, l, NULL)) {
            keyset_make(w, &w->tmp, s);
            keyset_walk(w, &w->tmp, "value data");
        }
        names_in(w, s, l, "value data");
        i += l + 1;
    }
    return 0;
}

static int on_autorun(void *u, const mm_autorun *a)
{
    sweeper *w = u;
    w->st->rows++;
    /* the entry's SHA-256 goes with its hits when it is one (64 hex digits) */
    const char *sha = strlen(a->sha256) == 64 ? a->sha256 : NULL;
    char lsha[65];
    for (int i = 0; sha && i < 64; i++) {
        char c = sha[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c + 32);
        else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            sha = NULL;
        lsha[i] = c;
    }
    lsha[64] = 0;
    if (sha)
        sha = lsha;
    item(w, "autoruns", a->line, sha);
    set_where(w, a->location, a->location[0] && a->entry[0] ? "\\" : "", a->entry);
    if (mm_ioc_regkey_hive(a->location, strlen(a->location), NULL)) {
        keyset_make(w, &w->tmp, a->location);
        keyset_value(w, &w->tmp, a->entry, "Entry Location");
        keyset_walk(w, &w->tmp, "Entry Location");
    } else if (a->entry[0] && (w->types & T(IOC_FILENAME))) {
        /* a folder (Startup), a task, a service list: the entry's name */
        name_at(w, a->entry, strlen(a->entry), "Entry");
    }
    if (w->types & T(IOC_FILENAME)) {
        name_at(w, a->image, strlen(a->image), "Image Path");
        names_in(w, a->launch, strlen(a->launch), "Launch String");
    }
    match_hash(w, IOC_SHA256, a->sha256, "SHA-256");
    match_hash(w, IOC_SHA1, a->sha1, "SHA-1");
    match_hash(w, IOC_MD5, a->md5, "MD5");
    return 0;
}

typedef struct reader {
    mm_regfile *reg;
    mm_autoruns *ar;
} reader;

/* Picks the reader the first bytes call for. */
static int reader_open(sweeper *w, reader *r, const uint8_t *d, size_t n)
{
    memset(r, 0, sizeof *r);
    if (w->o->no_evidence || !(w->types & (T(IOC_REGKEY) | T(IOC_FILENAME) | HASHES)))
        return 0;
    if (mm_regfile_sniff(d, n)) {
        mm_regfile_sink s = {on_reg, NULL, w};   /* malformed lines: counted */
        r->reg = mm_regfile_new(&s);
        if (!r->reg)
            return -1;
        w->st->regfiles++;
    } else if (mm_autoruns_sniff(d, n)) {
        mm_autoruns_sink s = {on_autorun, NULL, w};
        r->ar = mm_autoruns_new(&s);
        if (!r->ar)
            return -1;
        w->st->autoruns++;
    }
    return 0;
}

static bool reader_on(const reader *r)
{
    return r->reg || r->ar;
}

static void reader_feed(reader *r, const uint8_t *d, size_t n)
{
    if (r->reg && mm_regfile_feed(r->reg, d, n) != 0) {
        mm_regfile_free(r->reg);        /* not one after all, or out of memory */
        r->reg = NULL;
    }
    if (r->ar && mm_autoruns_feed(r->ar, d, n) != 0) {
        mm_autoruns_free(r->ar);
        r->ar = NULL;
    }
}

static void reader_close(sweeper *w, reader *r, bool cut)
{
    if (r->reg) {
        mm_regfile_stats s;
        mm_regfile_end(r->reg, &s);
        w->st->malformed += s.bad;
        w->st->bad_text += s.bad_text;
        w->st->cut += s.cut + (cut ? 1 : 0);
        mm_regfile_free(r->reg);
    }
    if (r->ar) {
        mm_autoruns_stats s;
        mm_autoruns_end(r->ar, &s);
        w->st->malformed += s.bad;
        w->st->bad_text += s.bad_text;
        w->st->cut += s.cut + (cut ? 1 : 0);
        mm_autoruns_free(r->ar);
    }
    memset(r, 0, sizeof *r);
}

/* ---- files ---- */

static void hex(const uint8_t *d, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[2 * n] = 0;
}

static ssize_t read_some(int fd, uint8_t *b, size_t n)
{
    for (;;) {
        ssize_t r = read(fd, b, n);
        if (r >= 0 || errno != EINTR)
            return r;
    }
}

static int on_file(void *u, const char *rel, int fd, const struct stat *fst)
{
    sweeper *w = u;
    if (w->root_is_file)
        snprintf(w->path, sizeof w->path, "%s", w->root);
    else
        snprintf(w->path, sizeof w->path, "%s%s%s", w->root,
                 w->root[0] && w->root[strlen(w->root) - 1] == '/' ? "" : "/", rel);
    uint64_t size = fst->st_size > 0 ? (uint64_t)fst->st_size : 0;
    size_t bl;
    const char *base = mm_evtext_basename(rel, strlen(rel), &bl);
    uint32_t name_hit = (w->types & T(IOC_FILENAME)) && bl <= MM_IOC_VALUE_MAX
                            ? mm_iocmatch_value(w->m, IOC_FILENAME, base, bl)
                            : 0;
    bool fits = size <= w->max_file;
    bool want_md5 = fits && (w->types & T(IOC_MD5));
    bool want_sha1 = fits && (w->types & T(IOC_SHA1));
    bool want_sha256 = fits && ((w->types & HASHES) || name_hit);
    if (!fits && (w->types & HASHES))
        w->st->too_big++;
    struct md5_ctx c5;
    struct sha1_ctx c1;
    struct sha256_ctx c256;
    md5_init(&c5);
    sha1_init(&c1);
    sha256_init(&c256);
    bool hashing = want_md5 || want_sha1 || want_sha256;
    reader r;
    memset(&r, 0, sizeof r);
    uint64_t done = 0;
    bool first = true;
    bool evidence_cut = false;
    for (;;) {
        size_t want = CHUNK;
        if (first && !hashing)
            want = SNIFF;
        if (w->max_file - done < want)
            want = (size_t)(w->max_file - done);
        if (want == 0) {
            if (reader_on(&r) && done < size)
                evidence_cut = true;
            break;
        }
        ssize_t got = read_some(fd, w->buf, want);
        if (got < 0) {
            int saved = errno;
            reader_close(w, &r, false);
            errno = saved;
            return -1;
        }
        if (got == 0)
            break;
        if (first) {
            first = false;
            if (reader_open(w, &r, w->buf, (size_t)got) != 0) {
                errno = ENOMEM;
                return -1;
            }
        }
        if (want_md5)
            md5_update(&c5, (size_t)got, w->buf);
        if (want_sha1)
            sha1_update(&c1, (size_t)got, w->buf);
        if (want_sha256)
            sha256_update(&c256, (size_t)got, w->buf);
        if (reader_on(&r))
            reader_feed(&r, w->buf, (size_t)got);
        done += (uint64_t)got;
        if (!hashing && !reader_on(&r))
            break;                      /* the first bytes were all it needed */
    }
    reader_close(w, &r, evidence_cut);
    char s256[65] = "", s1[41] = "", s5[33] = "";
    uint8_t dg[32];
    if (hashing && done == size) {
        w->st->hashed++;
        if (want_sha256) {
            sha256_digest(&c256, 32, dg);
            hex(dg, 32, s256);
        }
        if (want_sha1) {
            sha1_digest(&c1, 20, dg);
            hex(dg, 20, s1);
        }
        if (want_md5) {
            md5_digest(&c5, 16, dg);
            hex(dg, 16, s5);
        }
    }
    item(w, "file", 0, s256[0] ? s256 : NULL);
    snprintf(w->where, sizeof w->where, "%s", w->path);
    if (name_hit)
        report(w, name_hit, base, bl, "name");
    if (s256[0])
        match_hash(w, IOC_SHA256, s256, "sha256");
    if (s1[0])
        match_hash(w, IOC_SHA1, s1, "sha1");
    if (s5[0])
        match_hash(w, IOC_MD5, s5, "md5");
    return 0;
}

static void on_error(void *u, const char *path, int err)
{
    sweeper *w = u;
    if (!w->o->on_error)
        return;
    if (w->root_is_file) {
        w->o->on_error(w->o->user, path, err);
        return;
    }
    snprintf(w->path, sizeof w->path, "%s%s%s", w->root,
             w->root[0] && w->root[strlen(w->root) - 1] == '/' ? "" : "/", path);
    w->o->on_error(w->o->user, w->path, err);
}

static void init(sweeper *w, const mm_iocmatch *m, const mm_sweep_opts *o, mm_sweep_stats *st)
{
    memset(w, 0, sizeof *w);
    w->m = m;
    w->o = o;
    w->st = st;
    w->types = mm_iocmatch_types(m);
    w->max_file = o->max_file ? o->max_file : MM_SWEEP_MAX_FILE_DEFAULT;
    if (w->types & T(IOC_REGKEY)) {
        char b[MM_IOCMATCH_VALUE_BUF];
        for (uint32_t i = 1; i <= mm_iocmatch_count(m); i++) {
            const mm_iocent *e = mm_iocmatch_ent(m, i);
            if (e->type != IOC_REGKEY)
                continue;
            const char *v = mm_iocmatch_value_text(m, e, b);
            size_t l = strlen(v);
            unsigned d = depth_of(v, l);
            w->depths |= 1ull << (d < 63 ? d : 63);
            if (l > w->key_max)
                w->key_max = l;
        }
    }
}

int mm_sweep(const char *root, const mm_iocmatch *m, const mm_sweep_opts *o,
             mm_sweep_stats *st, char *err, size_t errlen)
{
    sweeper *w = malloc(sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    init(w, m, o, st);
    w->root = root;
    w->buf = malloc(CHUNK);
    if (!w->buf) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    struct stat rs;
    /* the root named on the command line is followed if it is a link (as
     * find and grep do); nothing below it is */
    if (stat(root, &rs) != 0) {
        snprintf(err, errlen, "%s: %s", root, strerror(errno));
        rc = -1;
    } else if (S_ISREG(rs.st_mode)) {
        w->root_is_file = true;
        int fd = open(root, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        struct stat fs;
        if (fd < 0 || fstat(fd, &fs) != 0 || !S_ISREG(fs.st_mode)) {
            snprintf(err, errlen, "%s: %s", root, fd < 0 ? strerror(errno) : "not a regular file");
            rc = -1;
        } else if (on_file(w, root, fd, &fs) != 0) {
            st->unreadable++;
            on_error(w, root, errno);
        } else {
            st->files++;
            st->bytes += fs.st_size > 0 ? (uint64_t)fs.st_size : 0;
        }
        if (fd >= 0)
            close(fd);
    } else if (!S_ISDIR(rs.st_mode)) {
        snprintf(err, errlen, "%s: not a directory or a regular file", root);
        rc = -1;
    } else {
        mw_walk_opt wo = {
            .max_file = w->max_file, .exclude = o->exclude, .nexclude = o->nexclude,
            .on_error = on_error, .user = w, .on_file = on_file,
        };
        mw_walk_stats ws;
        rc = mw_walk(root, &wo, NULL, &ws, err, errlen);
        st->files += ws.files;
        st->dirs += ws.dirs;
        st->bytes += ws.bytes;
        st->unreadable += ws.unreadable;
        st->skipped += ws.skipped;
        st->too_deep += ws.too_deep;
    }
    free(w->buf);
    free(w);
    return rc;
}

int mm_sweep_evidence_mem(const char *path, const uint8_t *d, size_t n, const mm_iocmatch *m,
                          const mm_sweep_opts *o, mm_sweep_stats *st)
{
    sweeper *w = malloc(sizeof *w);
    if (!w)
        return -1;
    init(w, m, o, st);
    snprintf(w->path, sizeof w->path, "%s", path ? path : "");
    reader r;
    int rc = reader_open(w, &r, d, n < SNIFF ? n : SNIFF);
    if (rc == 0 && !reader_on(&r))
        rc = 1;
    if (rc == 0) {
        /* in pieces, as a file is read */
        for (size_t i = 0; i < n; i += CHUNK)
            reader_feed(&r, d + i, n - i < CHUNK ? n - i : CHUNK);
        reader_close(w, &r, false);
    }
    free(w);
    return rc;
}
