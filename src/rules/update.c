/*
 * update.c - "mimamori update": fetches rulesets and name lists over HTTPS
 * as a configuration file names them, checks them, applies the analyst's
 * enable/disable/modify lines (as suricata-update does), and writes them
 * where the sensor reads them. A download that fails, does not match its
 * checksum, or does not give a ruleset that loads leaves the last good
 * copy in place.
 *
 * Configuration (one directive per line, # comments):
 *   dir PATH                     where to write (rules/, lists/, cache/)
 *   source NAME URL [md5=URL] [sha256=HEX]
 *                                a ruleset: a .rules file or a .tar.gz of
 *                                them (with classification.config)
 *   list KIND URL [sha256=HEX]   a name list (mining, ddns, sinkhole, hash)
 *   ioc NAME URL [sha256=HEX]    an indicator feed (any format mimamori ioc
 *                                import reads: abuse.ch lists, STIX, MISP,
 *                                CSV, plain lists), written to ioc/NAME when
 *                                it reads as one with at least one indicator
 *   enable SPEC | disable SPEC   SPEC: a sid, re:REGEX (on the rule text)
 *                                or group:FILE (the .rules file it came in)
 *   modify SPEC "FROM" "TO"      replace FROM by TO in the matching rules
 */
#include "rules/update.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha2.h>
#include <pcre2.h>

#include "ioc/ioc.h"
#include "rules/rule.h"
#include "util/fetch.h"
#include "util/util.h"

#define MAX_ARCHIVE (256u << 20)
#define MAX_LIST (64u << 20)
#define MAX_SOURCES 16
#define MAX_LISTS 32
#define MAX_FEED (256u << 20)
#define MAX_CHANGES 4096

typedef struct source {
    char name[64], url[1024], md5_url[1024], sha256[65];
} source;

typedef struct list_src {
    char kind[64], url[1024], sha256[65];
    bool ioc;                   /* an indicator feed (kind: its name) */
} list_src;

enum { CH_ENABLE, CH_DISABLE, CH_MODIFY };
typedef struct change {
    int what;
    uint32_t sid;               /* 0: by regex or group */
    pcre2_code *re;
    char group[128];
    char *from, *to;
    uint64_t hits;
} change;

typedef struct config {
    char dir[1024];
    source src[MAX_SOURCES];
    int nsrc;
    list_src lst[MAX_LISTS];
    int nlst;
    change ch[MAX_CHANGES];
    int nch;
} config;

static void say(FILE *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *log, const char *fmt, ...)
{
    if (!log)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log, fmt, ap);
    va_end(ap);
}

/* --- configuration -------------------------------------------------------- */

/* Next word of *s (a "quoted string" may hold blanks); NULL at the end. */
static char *word(char **s)
{
    char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return NULL;
    char *w = p;
    if (*p == '"') {
        w = ++p;
        while (*p && *p != '"')
            p++;
        if (*p)
            *p++ = 0;
    } else {
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = 0;
    }
    *s = p;
    return w;
}

/* A feed's name is its file name under ioc/: letters, digits, '.', '-', '_'. */
static bool feed_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 60 || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == '_'))
            return false;
    return true;
}

static bool hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
            return false;
    return true;
}

static bool parse_spec(change *c, const char *spec, char *err, size_t errlen)
{
    if (strncmp(spec, "re:", 3) == 0) {
        int e;
        PCRE2_SIZE off;
        c->re = pcre2_compile((PCRE2_SPTR)(spec + 3), PCRE2_ZERO_TERMINATED, 0, &e, &off, NULL);
        if (!c->re) {
            PCRE2_UCHAR m[100];
            pcre2_get_error_message(e, m, sizeof m);
            snprintf(err, errlen, "bad regular expression: %s", (char *)m);
            return false;
        }
        return true;
    }
    if (strncmp(spec, "group:", 6) == 0) {
        snprintf(c->group, sizeof c->group, "%s", spec + 6);
        return c->group[0] != 0;
    }
    char *end;
    unsigned long v = strtoul(spec, &end, 10);
    if (*end || !v || v > UINT32_MAX) {
        snprintf(err, errlen, "'%s': a sid, re:REGEX or group:FILE", spec);
        return false;
    }
    c->sid = (uint32_t)v;
    return true;
}

static void config_free(config *c)
{
    for (int i = 0; i < c->nch; i++) {
        pcre2_code_free(c->ch[i].re);
        free(c->ch[i].from);
        free(c->ch[i].to);
    }
}

static bool config_parse(config *c, const char *text, char *err, size_t errlen)
{
    char line[4096];
    int lineno = 0;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        lineno++;
        if (n >= sizeof line) {
            snprintf(err, errlen, "line %d: too long", lineno);
            return false;
        }
        memcpy(line, p, n);
        line[n] = 0;
        p += n + (p[n] == '\n');
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *s = line, *kw = word(&s);
        if (!kw)
            continue;
        char e2[256] = "";
        if (strcmp(kw, "dir") == 0) {
            char *d = word(&s);
            if (!d || strlen(d) >= sizeof c->dir)
                goto bad;
            snprintf(c->dir, sizeof c->dir, "%s", d);
        } else if (strcmp(kw, "source") == 0) {
            char *name = word(&s), *url = word(&s);
            if (!name || !url || c->nsrc == MAX_SOURCES || strlen(name) >= 64 ||
                strlen(url) >= 1024 || strspn(name, "abcdefghijklmnopqrstuvwxyz"
                                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                                           strlen(name))
                goto bad;
            source *src = &c->src[c->nsrc++];
            memset(src, 0, sizeof *src);
            snprintf(src->name, sizeof src->name, "%s", name);
            snprintf(src->url, sizeof src->url, "%s", url);
            for (char *o; (o = word(&s));) {
                if (strncmp(o, "md5=", 4) == 0 && strlen(o + 4) < sizeof src->md5_url)
                    snprintf(src->md5_url, sizeof src->md5_url, "%s", o + 4);
                else if (strncmp(o, "sha256=", 7) == 0 && hex64(o + 7))
                    snprintf(src->sha256, sizeof src->sha256, "%s", o + 7);
                else
                    goto bad;
            }
        } else if (strcmp(kw, "list") == 0 || strcmp(kw, "ioc") == 0) {
            bool ioc = kw[0] == 'i';
            char *kind = word(&s), *url = word(&s);
            if (!kind || !url || c->nlst == MAX_LISTS || strlen(url) >= 1024 ||
                (!ioc && strcmp(kind, "mining") && strcmp(kind, "ddns") &&
                 strcmp(kind, "sinkhole") && strcmp(kind, "hash")) ||
                (ioc && !feed_name_ok(kind)))
                goto bad;
            list_src *l = &c->lst[c->nlst++];
            memset(l, 0, sizeof *l);
            l->ioc = ioc;
            snprintf(l->kind, sizeof l->kind, "%s", kind);
            snprintf(l->url, sizeof l->url, "%s", url);
            for (char *o; (o = word(&s));) {
                if (strncmp(o, "sha256=", 7) == 0 && hex64(o + 7))
                    snprintf(l->sha256, sizeof l->sha256, "%s", o + 7);
                else
                    goto bad;
            }
        } else if (!strcmp(kw, "enable") || !strcmp(kw, "disable") || !strcmp(kw, "modify")) {
            char *spec = word(&s);
            if (!spec || c->nch == MAX_CHANGES)
                goto bad;
            change *ch = &c->ch[c->nch];
            memset(ch, 0, sizeof *ch);
            ch->what = kw[0] == 'e' ? CH_ENABLE : kw[0] == 'd' ? CH_DISABLE : CH_MODIFY;
            if (!parse_spec(ch, spec, e2, sizeof e2))
                goto bad;
            c->nch++;
            if (ch->what == CH_MODIFY) {
                char *from = word(&s), *to = word(&s);
                if (!from || !to || !*from || !(ch->from = strdup(from)) || !(ch->to = strdup(to)))
                    goto bad;
            }
        } else {
            snprintf(err, errlen, "line %d: unknown directive '%.32s'", lineno, kw);
            return false;
        }
        if (word(&s))
            goto bad;
        continue;
    bad:
        snprintf(err, errlen, "line %d: bad '%s' line%s%s", lineno, kw, e2[0] ? ": " : "", e2);
        return false;
    }
    if (!c->dir[0]) {
        snprintf(err, errlen, "no 'dir' line: where should the rules go?");
        return false;
    }
    return true;
}

/* --- files ---------------------------------------------------------------- */

static bool mkdirs(const char *path)
{
    char p[1100];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                return false;
            *s = '/';
        }
    return mkdir(p, 0755) == 0 || errno == EEXIST;
}

/* Writes data to path through a temporary file and a rename. */
static bool write_atomic(const char *path, const void *data, size_t n, char *err, size_t errlen)
{
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return false;
    }
    const uint8_t *p = data;
    size_t left = n;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return false;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return false;
    }
    return true;
}

static bool sha256_is(const uint8_t *d, size_t n, const char *want)
{
    char hx[65];
    mm_hash_hex(&nettle_sha256, d, n, hx);
    return strncasecmp(hx, want, 64) == 0;
}

static bool md5_is(const uint8_t *d, size_t n, const uint8_t *txt, size_t tl)
{
    char hx[33];
    mm_hash_hex(&nettle_md5, d, n, hx);
    /* the .md5 file: the digest, perhaps followed by a name */
    size_t i = 0;
    while (i < tl && (txt[i] == ' ' || txt[i] == '\n' || txt[i] == '\r'))
        i++;
    return tl - i >= 32 && strncasecmp((const char *)txt + i, hx, 32) == 0;
}

/* --- archives ------------------------------------------------------------- */

/* gunzip of a .gz (bounded); NULL when it is not one or is too large. */
static uint8_t *gunzip(const uint8_t *d, size_t n, size_t max, size_t *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return NULL;
    size_t cap = n * 4 + 65536, k = 0;
    uint8_t *b = malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)d;
    z.avail_in = (uInt)n;
    int rc = Z_OK;
    while (b && rc == Z_OK) {
        if (k == cap) {
            if (cap >= max) {
                rc = Z_MEM_ERROR;
                break;
            }
            cap = cap * 2 > max ? max : cap * 2;
            uint8_t *nb = realloc(b, cap);
            if (!nb)
                break;
            b = nb;
        }
        z.next_out = b + k;
        z.avail_out = (uInt)(cap - k);
        rc = inflate(&z, Z_NO_FLUSH);
        k = cap - z.avail_out;
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(b);
        return NULL;
    }
    *out = k;
    return b;
}

typedef struct members {
    char name[256];
    const uint8_t *data;
    size_t len;
} member;

/* The regular files of a tar (ustar) archive; -1 when it is damaged. */
static int tar_members(const uint8_t *d, size_t n, member *m, int max)
{
    int k = 0;
    size_t off = 0;
    while (off + 512 <= n) {
        const uint8_t *h = d + off;
        if (h[0] == 0)
            break;              /* end of archive */
        char size_s[13];
        memcpy(size_s, h + 124, 12);
        size_s[12] = 0;
        char *end;
        unsigned long long sz = strtoull(size_s, &end, 8);
        if (end == size_s || sz > n)
            return -1;
        off += 512;
        if (off + sz > n)
            return -1;
        if ((h[156] == '0' || h[156] == 0) && k < max) {
            char name[256];
            size_t pl = strnlen((const char *)h + 345, 155), nl = strnlen((const char *)h, 100);
            if (memcmp(h + 257, "ustar", 5) == 0 && pl)
                snprintf(name, sizeof name, "%.*s/%.*s", (int)pl, h + 345, (int)nl, h);
            else
                snprintf(name, sizeof name, "%.*s", (int)nl, h);
            const char *base = strrchr(name, '/');
            snprintf(m[k].name, sizeof m[k].name, "%s", base ? base + 1 : name);
            m[k].data = d + off;
            m[k].len = (size_t)sz;
            k++;
        }
        off += (size_t)((sz + 511) / 512 * 512);
    }
    return k;
}

/* --- enable / disable / modify --------------------------------------------- */

static uint32_t sid_of(const char *r)
{
    const char *s = strstr(r, "sid:");
    while (s && s > r && s[-1] != ';' && s[-1] != ' ' && s[-1] != '(')
        s = strstr(s + 4, "sid:");
    if (!s)
        return 0;
    s += 4;
    while (*s == ' ')
        s++;
    unsigned long v = strtoul(s, NULL, 10);
    return v <= UINT32_MAX ? (uint32_t)v : 0;
}

static bool applies(change *c, const char *rule, uint32_t sid, const char *group,
                    pcre2_match_data *md)
{
    if (c->sid)
        return c->sid == sid;
    if (c->group[0])
        return strcmp(c->group, group) == 0;
    return pcre2_match(c->re, (PCRE2_SPTR)rule, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) >= 0;
}

typedef struct outbuf {
    char *p;
    size_t n, cap;
} outbuf;

static bool out_add(outbuf *o, const char *s, size_t n)
{
    if (o->n + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 1 << 20;
        while (cap < o->n + n + 1)
            cap *= 2;
        char *np = realloc(o->p, cap);
        if (!np)
            return false;
        o->p = np;
        o->cap = cap;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = 0;
    return true;
}

/* Appends the rules of one file to o with the changes applied. */
static bool apply_changes(config *c, const char *group, const uint8_t *d, size_t n, outbuf *o,
                          pcre2_match_data *md)
{
    char hdr[300];
    int hl = snprintf(hdr, sizeof hdr, "# from %s\n", group);
    if (!out_add(o, hdr, (size_t)hl))
        return false;
    const char *p = (const char *)d, *end = p + n;
    char *line = NULL;
    size_t lcap = 0;
    bool ok = true;
    while (p < end && ok) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len + 64 > lcap) {
            lcap = len + 4096;
            char *nlp = realloc(line, lcap);
            if (!nlp) {
                ok = false;
                break;
            }
            line = nlp;
        }
        memcpy(line, p, len);
        line[len] = 0;
        p += len + (nl != NULL);
        /* a rule, active or commented out */
        char *r = line;
        bool commented = false;
        while (*r == ' ' || *r == '\t')
            r++;
        if (*r == '#') {
            commented = true;
            r++;
            while (*r == ' ')
                r++;
        }
        uint32_t sid = (strncmp(r, "alert ", 6) == 0 || strncmp(r, "drop ", 5) == 0 ||
                        strncmp(r, "pass ", 5) == 0 || strncmp(r, "reject", 6) == 0)
                           ? sid_of(r) : 0;
        if (!sid) {
            ok = out_add(o, line, len) && out_add(o, "\n", 1);
            continue;
        }
        bool enabled = !commented;
        char *text = r;
        char *mod = NULL;
        for (int i = 0; i < c->nch; i++) {
            change *ch = &c->ch[i];
            if (!applies(ch, text, sid, group, md))
                continue;
            ch->hits++;
            if (ch->what == CH_ENABLE) {
                enabled = true;
            } else if (ch->what == CH_DISABLE) {
                enabled = false;
            } else {
                char *at = strstr(text, ch->from);
                if (!at)
                    continue;
                size_t fl = strlen(ch->from), tl = strlen(ch->to), l = strlen(text);
                char *nt = malloc(l - fl + tl + 1);
                if (!nt) {
                    ok = false;
                    break;
                }
                memcpy(nt, text, (size_t)(at - text));
                memcpy(nt + (at - text), ch->to, tl);
                memcpy(nt + (at - text) + tl, at + fl, l - (size_t)(at - text) - fl + 1);
                free(mod);
                text = mod = nt;
            }
        }
        if (ok)
            ok = (enabled || out_add(o, "# ", 2)) && out_add(o, text, strlen(text)) &&
                 out_add(o, "\n", 1);
        free(mod);
    }
    free(line);
    return ok;
}

/* --- the update ----------------------------------------------------------- */

/* The archive (or rules file) of a source: fetched and checked, or the last
 * good copy. */
static uint8_t *get_source(const config *c, const source *s, const char *ca, size_t *len,
                           bool *fresh, FILE *log)
{
    char cache[1200], err[512];
    snprintf(cache, sizeof cache, "%s/cache/%s.download", c->dir, s->name);
    *fresh = false;
    size_t n;
    uint8_t *d = mm_fetch(s->url, ca, MAX_ARCHIVE, &n, err, sizeof err);
    const char *why = d ? NULL : err;
    if (d && s->md5_url[0]) {
        size_t ml;
        uint8_t *m = mm_fetch(s->md5_url, ca, 4096, &ml, err, sizeof err);
        if (!m)
            why = err;
        else if (!md5_is(d, n, m, ml))
            why = "the MD5 does not match the published one";
        free(m);
    }
    if (d && !why && s->sha256[0] && !sha256_is(d, n, s->sha256))
        why = "the SHA-256 does not match the configured one";
    if (!why) {
        *fresh = true;
        *len = n;
        return d;
    }
    free(d);
    say(log, "%s: %s; keeping the last good copy\n", s->name, why);
    return (uint8_t *)mm_read_file(cache, MAX_ARCHIVE, len, err, sizeof err);
}

static int update_source(config *c, const source *s, const char *ca, pcre2_match_data *md,
                         FILE *log)
{
    size_t n;
    bool fresh;
    uint8_t *d = get_source(c, s, ca, &n, &fresh, log);
    if (!d) {
        say(log, "%s: no copy to use\n", s->name);
        return 1;
    }
    char err[512];
    /* the rules: a .rules file, or every .rules of a .tar.gz */
    outbuf o = {0};
    const uint8_t *classes = NULL;
    size_t classes_len = 0;
    uint8_t *tar = NULL;
    bool ok = true;
    int nfiles = 0;
    if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
        size_t tl;
        tar = gunzip(d, n, MAX_ARCHIVE, &tl);
        static member m[1024];
        int k = tar ? tar_members(tar, tl, m, 1024) : -1;
        if (k < 0) {
            say(log, "%s: the archive is damaged\n", s->name);
            ok = false;
        }
        for (int i = 0; ok && i < k; i++) {
            size_t nl = strlen(m[i].name);
            if (nl > 6 && strcmp(m[i].name + nl - 6, ".rules") == 0) {
                ok = apply_changes(c, m[i].name, m[i].data, m[i].len, &o, md);
                nfiles++;
            } else if (strcmp(m[i].name, "classification.config") == 0) {
                classes = m[i].data;
                classes_len = m[i].len;
            }
        }
    } else {
        ok = apply_changes(c, s->name, d, n, &o, md);
        nfiles = 1;
    }
    /* the result must be a ruleset that loads */
    mm_ruleset *rs = ok ? mm_ruleset_new() : NULL;
    if (rs) {
        if (classes)
            mm_ruleset_parse_classes(rs, (const char *)classes, classes_len);
        mm_ruleset_parse(rs, s->name, o.p ? o.p : "", o.n);
    }
    const mm_rules_summary *sum = rs ? mm_ruleset_summary(rs) : NULL;
    if (ok && (!sum || !nfiles || sum->loaded == 0)) {
        say(log, "%s: no rule loads from it; keeping the last good copy\n", s->name);
        ok = false;
    }
    char path[1200];
    if (ok) {
        snprintf(path, sizeof path, "%s/rules/%s.rules", c->dir, s->name);
        ok = write_atomic(path, o.p, o.n, err, sizeof err);
        if (ok && classes) {
            snprintf(path, sizeof path, "%s/rules/classification.config", c->dir);
            ok = write_atomic(path, classes, classes_len, err, sizeof err);
        }
        if (ok && fresh) {
            snprintf(path, sizeof path, "%s/cache/%s.download", c->dir, s->name);
            ok = write_atomic(path, d, n, err, sizeof err);
        }
        if (!ok)
            say(log, "%s: %s\n", s->name, err);
    }
    if (ok)
        say(log, "%s: %s, %d files, %llu rules (%llu load, %llu skipped)\n", s->name,
            fresh ? "fetched" : "last good copy", nfiles, (unsigned long long)sum->rules,
            (unsigned long long)sum->loaded, (unsigned long long)sum->skipped);
    mm_ruleset_free(rs);
    free(o.p);
    free(tar);
    free(d);
    return ok && fresh ? 0 : 1;
}

static int count_ioc(void *u, const mm_ioc *c)
{
    (void)c;
    ++*(uint64_t *)u;
    return 0;
}

/* An indicator feed: kept only when it reads as indicators. */
static int update_feed(config *c, const list_src *l, const char *ca, FILE *log)
{
    char err[512], path[1200];
    size_t n;
    uint8_t *d = mm_fetch(l->url, ca, MAX_FEED, &n, err, sizeof err);
    const char *why = d ? NULL : err;
    if (d && l->sha256[0] && !sha256_is(d, n, l->sha256))
        why = "the SHA-256 does not match the configured one";
    uint64_t got = 0;
    mm_ioc_read_stats st = {0};
    if (d && !why) {
        mm_ioc_sink sink = {count_ioc, NULL, &got};
        mm_ioc_read_opts o = {0};
        if (mm_ioc_read_mem(l->kind, (const char *)d, n, &o, &sink, &st, err, sizeof err) != 0)
            why = err;
        else if (got == 0)
            why = "no indicator in it";
    }
    if (why) {
        say(log, "ioc %s: %s; keeping the last good copy\n", l->kind, why);
        free(d);
        return 1;
    }
    snprintf(path, sizeof path, "%s/ioc/%s", c->dir, l->kind);
    bool ok = write_atomic(path, d, n, err, sizeof err);
    if (ok)
        say(log, "ioc %s: fetched, %llu indicators (%llu entries refused) -> %s\n", l->kind,
            (unsigned long long)got, (unsigned long long)st.bad, path);
    else
        say(log, "ioc %s: %s\n", l->kind, err);
    free(d);
    return ok ? 0 : 1;
}

static int update_list(config *c, const list_src *l, int idx, const char *ca, FILE *log)
{
    if (l->ioc)
        return update_feed(c, l, ca, log);
    char err[512], path[1200];
    size_t n;
    uint8_t *d = mm_fetch(l->url, ca, MAX_LIST, &n, err, sizeof err);
    const char *why = d ? NULL : err;
    if (d && l->sha256[0] && !sha256_is(d, n, l->sha256))
        why = "the SHA-256 does not match the configured one";
    if (d && !why && memchr(d, 0, n))
        why = "not a text file";
    if (why) {
        say(log, "list %s: %s; keeping the last good copy\n", l->kind, why);
        free(d);
        return 1;
    }
    snprintf(path, sizeof path, "%s/lists/%s-%d.txt", c->dir, l->kind, idx);
    bool ok = write_atomic(path, d, n, err, sizeof err);
    if (ok)
        say(log, "list %s: fetched, %zu bytes -> %s\n", l->kind, n, path);
    else
        say(log, "list %s: %s\n", l->kind, err);
    free(d);
    return ok ? 0 : 1;
}

int mm_update(const char *config_text, const char *dir, const char *ca, FILE *log, char *err,
              size_t errlen)
{
    static config c;
    memset(&c, 0, sizeof c);
    if (!config_parse(&c, config_text, err, errlen)) {
        config_free(&c);
        return 2;
    }
    if (dir)
        snprintf(c.dir, sizeof c.dir, "%s", dir);
    char sub[1200];
    const char *subs[] = {"rules", "lists", "cache", "ioc"};
    for (int i = 0; i < 4; i++) {
        snprintf(sub, sizeof sub, "%s/%s", c.dir, subs[i]);
        if (!mkdirs(sub)) {
            snprintf(err, errlen, "%s: %s", sub, strerror(errno));
            config_free(&c);
            return 1;
        }
    }
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    int failed = 0;
    for (int i = 0; i < c.nsrc; i++)
        failed += update_source(&c, &c.src[i], ca, md, log);
    for (int i = 0; i < c.nlst; i++)
        failed += update_list(&c, &c.lst[i], i, ca, log);
    for (int i = 0; i < c.nch; i++)
        if (!c.ch[i].hits)
            say(log, "note: an %s line matched no rule\n",
                c.ch[i].what == CH_ENABLE ? "enable" : c.ch[i].what == CH_DISABLE ? "disable"
                                                                                : "modify");
    pcre2_match_data_free(md);
    config_free(&c);
    if (failed)
        snprintf(err, errlen, "%d of %d downloads failed (the last good copies stay)", failed,
                 c.nsrc + c.nlst);
    return failed ? 1 : 0;
}

int mm_update_check_config(const char *text, char *err, size_t errlen)
{
    static config c;
    memset(&c, 0, sizeof c);
    bool ok = config_parse(&c, text, err, errlen);
    config_free(&c);
    return ok ? 0 : 2;
}

int mm_update_archive_members(const uint8_t *d, size_t n)
{
    size_t tl;
    uint8_t *tar = gunzip(d, n, 64u << 20, &tl);
    if (!tar)
        return -1;
    static member m[1024];
    int k = tar_members(tar, tl, m, 1024);
    for (int i = 0; i < k; i++)         /* members lie inside the archive */
        if (m[i].data < tar || m[i].data + m[i].len > tar + tl)
            abort();
    free(tar);
    return k;
}

const char mm_update_default_config[] =
    "# mimamori update: the defaults\n"
    "dir /var/lib/mimamori\n"
    "source etopen https://rules.emergingthreats.net/open/suricata-7.0/emerging.rules.tar.gz "
    "md5=https://rules.emergingthreats.net/open/suricata-7.0/emerging.rules.tar.gz.md5\n"
    "list mining https://raw.githubusercontent.com/hoshsadiq/adblock-nocoin-list/master/hosts.txt\n"
    "list mining https://zerodot1.gitlab.io/CoinBlockerLists/hosts_browser\n";
