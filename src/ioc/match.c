/*
 * match.c - indicators in memory for the sensor (see match.h).
 *
 * Every indicator becomes an entry with a lookup key: a kind byte and the
 * bytes that identify it ('I' + version + 16 address bytes; 'N' + version
 * + prefix bits + the masked address; 'D' + a lowercase name; 'U' + the
 * URL key; 'H' + lowercase hex of any hash, so an MD5 from a plain list
 * matches a JA3 as well as a file; 'E', 'J', 'F' (lowercased), 'A', 'S'
 * for mail addresses, JA4, file names, User-Agents and subjects). Keys
 * and strings live in one pool addressed by 32-bit offsets; set, source
 * and description strings are pooled once each. One open-addressing table
 * of entry indexes (keyed SipHash of the key) finds the first entry of a
 * key; entries of the same key in other sets are chained. Networks are
 * looked up once per prefix length present (bitmaps per family), longest
 * first; names once per label boundary.
 *
 * A key is NUL-terminated in the pool, so the value of the types whose
 * normal form is the key's text (names, mail addresses, hashes, JA4,
 * User-Agents, subjects) is not stored twice, and addresses and networks
 * are written from their key when an alert needs them; only URLs and file
 * names whose case differs keep a separate value. bench/ioc.sh measures
 * the memory of a million.
 */
#include "ioc/match.h"
#include "util/hash.h"
#include "util/strmap.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define KEY_MAX (MM_IOC_VALUE_MAX + 2)

struct mm_iocmatch {
    mm_iocent *e;
    size_t n, cap;
    char *pool;
    size_t plen, pcap;
    uint32_t *slot;            /* entry index + 1, 0 empty */
    size_t mask;
    mm_hashkey hk;
    mm_strmap strs;            /* pooled set/source/description strings -> offset */
    uint32_t last_off;         /* the last string pooled (a file's indicators
                                  mostly share set and source) */
    uint64_t v4bits[1], v6bits[3];   /* prefix lengths present (bit b: /b) */
    unsigned types;
    uint64_t shown;            /* refused entries printed while loading */
};

mm_iocmatch *mm_iocmatch_new(void)
{
    mm_iocmatch *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    mm_hashkey_random(&m->hk);
    mm_strmap_init(&m->strs);
    m->pcap = 4096;
    m->pool = malloc(m->pcap);
    m->mask = 1023;
    m->slot = calloc(m->mask + 1, sizeof *m->slot);
    if (!m->pool || !m->slot) {
        mm_iocmatch_free(m);
        return NULL;
    }
    m->pool[0] = 0;
    m->plen = 1;
    return m;
}

void mm_iocmatch_free(mm_iocmatch *m)
{
    if (!m)
        return;
    free(m->e);
    free(m->pool);
    free(m->slot);
    mm_strmap_free(&m->strs);
    free(m);
}

static uint32_t pool_add(mm_iocmatch *m, const void *d, size_t n, bool nul)
{
    size_t need = n + (nul ? 1 : 0);
    if (m->plen + need > UINT32_MAX)
        return 0;
    if (m->plen + need > m->pcap) {
        size_t nc = m->pcap;
        while (nc < m->plen + need)
            nc *= 2;
        char *np = realloc(m->pool, nc);
        if (!np)
            return 0;
        m->pool = np;
        m->pcap = nc;
    }
    uint32_t off = (uint32_t)m->plen;
    memcpy(m->pool + off, d, n);
    if (nul)
        m->pool[off + n] = 0;
    m->plen += need;
    return off;
}

/* A pooled shared string (set, source, description); 0 for NULL/empty. */
static uint32_t pool_str(mm_iocmatch *m, const char *s)
{
    if (!s || !*s)
        return 0;
    if (m->last_off && strcmp(s, m->pool + m->last_off) == 0)
        return m->last_off;
    size_t n = strlen(s);
    if (n > 512)
        n = 512;
    uint64_t *v = mm_strmap_get(&m->strs, s, n);
    uint32_t off = v ? (uint32_t)*v : pool_add(m, s, n, true);
    if (!off)
        return 0;
    if (!v) {
        bool added;
        mm_strmap_put(&m->strs, s, n, off, &added);
    }
    m->last_off = off;
    return off;
}

/* The lookup key of an indicator; its length (0: cannot be keyed). */
static size_t key_of(const mm_ioc *c, uint8_t *k)
{
    size_t vl = strlen(c->value);
    switch (c->type) {
    case IOC_IPV4:
    case IOC_IPV6: {
        mm_ip ip;
        if (!mm_ip_parse(c->value, &ip))
            return 0;
        k[0] = 'I';
        k[1] = ip.v;
        memcpy(k + 2, ip.b, 16);
        return 18;
    }
    case IOC_CIDR: {
        char a[64];
        const char *sl = strchr(c->value, '/');
        if (!sl || (size_t)(sl - c->value) >= sizeof a)
            return 0;
        memcpy(a, c->value, (size_t)(sl - c->value));
        a[sl - c->value] = 0;
        mm_ip ip;
        int bits = atoi(sl + 1);
        if (!mm_ip_parse(a, &ip) || bits < 0 || bits > (ip.v == 4 ? 32 : 128))
            return 0;
        k[0] = 'N';
        k[1] = ip.v;
        k[2] = (uint8_t)bits;
        memcpy(k + 3, ip.b, 16);
        return 19;
    }
    case IOC_URL: {
        k[0] = 'U';
        size_t n = mm_ioc_url_key(c->value, vl, (char *)k + 1, KEY_MAX - 1);
        return n ? n + 1 : 0;
    }
    default:
        break;
    }
    if (vl + 1 > KEY_MAX)
        return 0;
    static const char kinds[IOC__COUNT] = {
        [IOC_DOMAIN] = 'D', [IOC_EMAIL] = 'E', [IOC_MD5] = 'H', [IOC_SHA1] = 'H',
        [IOC_SHA256] = 'H', [IOC_JA3] = 'H', [IOC_JA4] = 'J', [IOC_FILENAME] = 'F',
        [IOC_USER_AGENT] = 'A', [IOC_SUBJECT] = 'S', [IOC_REGKEY] = 'R',
    };
    if ((unsigned)c->type >= IOC__COUNT || !kinds[c->type])
        return 0;
    k[0] = (uint8_t)kinds[c->type];
    memcpy(k + 1, c->value, vl);
    if (c->type == IOC_FILENAME || c->type == IOC_DOMAIN || c->type == IOC_EMAIL ||
        c->type == IOC_REGKEY)
        for (size_t i = 1; i <= vl; i++)
            k[i] = (uint8_t)tolower(k[i]);
    return vl + 1;
}

static uint32_t find(const mm_iocmatch *m, const uint8_t *k, size_t kl)
{
    uint64_t h = mm_siphash13(&m->hk, k, kl);
    for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
        uint32_t s = m->slot[i];
        if (!s)
            return 0;
        const mm_iocent *e = &m->e[s - 1];
        if (e->klen == kl && memcmp(m->pool + e->key, k, kl) == 0)
            return s;
    }
}

static bool grow_table(mm_iocmatch *m)
{
    size_t nm = m->mask * 2 + 1;
    uint32_t *ns = calloc(nm + 1, sizeof *ns);
    if (!ns)
        return false;
    for (size_t i = 0; i <= m->mask; i++) {
        uint32_t s = m->slot[i];
        if (!s)
            continue;
        const mm_iocent *e = &m->e[s - 1];
        uint64_t h = mm_siphash13(&m->hk, m->pool + e->key, e->klen);
        size_t j = h & nm;
        while (ns[j])
            j = (j + 1) & nm;
        ns[j] = s;
    }
    free(m->slot);
    m->slot = ns;
    m->mask = nm;
    return true;
}

int mm_iocmatch_add(mm_iocmatch *m, const mm_ioc *c)
{
    uint8_t k[KEY_MAX];
    size_t kl = key_of(c, k);
    if (kl == 0 || kl > UINT16_MAX)
        return 0;                          /* nothing the traffic can show */
    uint32_t set = pool_str(m, c->set);
    uint32_t first = find(m, k, kl);
    for (uint32_t s = first; s; s = m->e[s - 1].next)
        if (m->e[s - 1].set == set)
            return 0;                      /* already in this set */
    if ((m->n + 1) * 2 > m->mask + 1 && !grow_table(m))
        return -1;
    if (m->n >= UINT32_MAX - 1 || !mm_grow(&m->e, &m->cap, m->n, sizeof *m->e, 1024))
        return -1;
    mm_iocent e = {.type = (uint8_t)c->type, .klen = (uint16_t)kl, .set = set};
    e.confidence = (int8_t)(c->confidence >= 0 && c->confidence <= 100 ? c->confidence : -1);
    e.source = pool_str(m, c->source);
    e.desc = pool_str(m, c->desc);
    e.key = pool_add(m, k, kl, true);
    if (!e.key)
        return -1;
    /* the value is the key's text for all but URLs, addresses and
     * networks (written from the key) and file names of another case */
    bool binary = c->type == IOC_IPV4 || c->type == IOC_IPV6 || c->type == IOC_CIDR;
    if (!binary && strcmp(m->pool + e.key + 1, c->value) != 0) {
        e.value = pool_add(m, c->value, strlen(c->value), true);
        if (!e.value)
            return -1;
    }
    uint32_t idx = (uint32_t)m->n;
    if (first) {                           /* chain behind the first of the key */
        uint32_t s = first;
        while (m->e[s - 1].next)
            s = m->e[s - 1].next;
        m->e[idx] = e;
        m->n++;
        m->e[s - 1].next = idx + 1;
    } else {
        m->e[idx] = e;
        m->n++;
        uint64_t h = mm_siphash13(&m->hk, k, kl);
        size_t i = h & m->mask;
        while (m->slot[i])
            i = (i + 1) & m->mask;
        m->slot[i] = idx + 1;
    }
    if (c->type == IOC_CIDR) {
        uint8_t bits = k[2];
        if (k[1] == 4)
            m->v4bits[0] |= 1ULL << bits;
        else
            m->v6bits[bits / 64] |= 1ULL << (bits % 64);
    }
    m->types |= 1u << c->type;
    return 0;
}

size_t mm_iocmatch_count(const mm_iocmatch *m)
{
    return m ? m->n : 0;
}

size_t mm_iocmatch_memory(const mm_iocmatch *m)
{
    return m ? m->cap * sizeof *m->e + m->pcap + (m->mask + 1) * sizeof *m->slot +
                   mm_strmap_memory(&m->strs)
             : 0;
}

unsigned mm_iocmatch_types(const mm_iocmatch *m)
{
    return m ? m->types : 0;
}

const mm_iocent *mm_iocmatch_ent(const mm_iocmatch *m, uint32_t idx1)
{
    return idx1 && idx1 <= m->n ? &m->e[idx1 - 1] : NULL;
}

const char *mm_iocmatch_value_text(const mm_iocmatch *m, const mm_iocent *e, char *buf)
{
    if (e->value)
        return m->pool + e->value;
    const uint8_t *k = (const uint8_t *)m->pool + e->key;
    if (k[0] == 'I' || k[0] == 'N') {
        mm_ip ip = {.v = k[1]};
        memcpy(ip.b, k + (k[0] == 'I' ? 2 : 3), 16);
        mm_ip_str(&ip, buf);
        if (k[0] == 'N') {
            size_t l = strlen(buf);
            snprintf(buf + l, MM_IOCMATCH_VALUE_BUF - l, "/%u", k[2]);
        }
        return buf;
    }
    return (const char *)k + 1;
}

const char *mm_iocmatch_str(const mm_iocmatch *m, uint32_t off)
{
    return off && off < m->plen ? m->pool + off : "";
}

uint32_t mm_iocmatch_ip(const mm_iocmatch *m, const mm_ip *ip)
{
    int state = 0;
    return mm_iocmatch_ip_next(m, ip, &state);
}

/* state: 0 the address itself, then 1 + (the prefix length to try next,
 * counted down from the longest). */
uint32_t mm_iocmatch_ip_next(const mm_iocmatch *m, const mm_ip *ip, int *state)
{
    if (!m || !m->n || (ip->v != 4 && ip->v != 6) || *state < 0)
        return 0;
    uint8_t k[19];
    int maxb = ip->v == 4 ? 32 : 128;
    if (*state == 0) {
        k[0] = 'I';
        k[1] = ip->v;
        memcpy(k + 2, ip->b, 16);
        *state = 1 + maxb;
        uint32_t r = find(m, k, 18);
        if (r)
            return r;
    }
    k[0] = 'N';
    k[1] = ip->v;
    for (int bits = *state - 1; bits >= 0; bits--) {
        bool present = ip->v == 4 ? (m->v4bits[0] >> bits) & 1
                                  : (m->v6bits[bits / 64] >> (bits % 64)) & 1;
        if (!present)
            continue;
        k[2] = (uint8_t)bits;
        memset(k + 3, 0, 16);
        memcpy(k + 3, ip->b, (size_t)bits / 8);
        if (bits % 8)
            k[3 + bits / 8] = (uint8_t)(ip->b[bits / 8] & (0xFF00u >> (bits % 8)));
        uint32_t r = find(m, k, 19);
        if (r) {
            *state = bits;          /* next: the prefix lengths shorter than this */
            return r;
        }
    }
    *state = -1;
    return 0;
}

uint32_t mm_iocmatch_domain(const mm_iocmatch *m, const char *name, size_t n)
{
    size_t state = 0;
    return mm_iocmatch_domain_next(m, name, n, &state);
}

/* state: the offset in name of the next suffix to try. */
uint32_t mm_iocmatch_domain_next(const mm_iocmatch *m, const char *name, size_t n,
                                 size_t *state)
{
    if (!m || !m->n || !(m->types & (1u << IOC_DOMAIN)) || n == 0 || n > 253)
        return 0;
    uint8_t k[256];
    k[0] = 'D';
    while (n && name[n - 1] == '.')
        n--;
    for (size_t i = 0; i < n; i++)
        k[1 + i] = (uint8_t)tolower((unsigned char)name[i]);
    for (size_t off = *state; off < n; off = mm_ioc_next_label((const char *)k + 1, n, off)) {
        uint32_t r;
        if (off) {
            if (k[off] != '.')
                return 0;      /* a state that is not a label boundary */
            k[off] = 'D';      /* the key starts at the label: kind byte before it */
            r = find(m, k + off, n - off + 1);
            k[off] = '.';
        } else
            r = find(m, k, n + 1);
        if (r) {
            *state = mm_ioc_next_label((const char *)k + 1, n, off);
            return r;
        }
    }
    *state = n;
    return 0;
}

uint32_t mm_iocmatch_url(const mm_iocmatch *m, const char *host, const char *uri)
{
    if (!m || !(m->types & (1u << IOC_URL)) || !host || !*host)
        return 0;
    char u[KEY_MAX];
    int w = snprintf(u, sizeof u, "%s%s", host, uri && *uri == '/' ? uri : "/");
    if (w < 0 || (size_t)w >= sizeof u)
        return 0;
    uint8_t k[KEY_MAX + 1];
    k[0] = 'U';
    size_t kl = mm_ioc_url_key(u, (size_t)w, (char *)k + 1, sizeof k - 1);
    return kl ? find(m, k, kl + 1) : 0;
}

uint32_t mm_iocmatch_value(const mm_iocmatch *m, mm_ioc_type t, const char *v, size_t n)
{
    if (!m || !m->n || n == 0 || n + 1 > KEY_MAX || (unsigned)t >= IOC__COUNT)
        return 0;
    static const char kinds[IOC__COUNT] = {
        [IOC_EMAIL] = 'E', [IOC_MD5] = 'H', [IOC_SHA1] = 'H', [IOC_SHA256] = 'H',
        [IOC_JA3] = 'H', [IOC_JA4] = 'J', [IOC_FILENAME] = 'F', [IOC_USER_AGENT] = 'A',
        [IOC_SUBJECT] = 'S', [IOC_REGKEY] = 'R',
    };
    if (!kinds[t])
        return 0;
    uint8_t k[KEY_MAX];
    k[0] = (uint8_t)kinds[t];
    memcpy(k + 1, v, n);
    if (t == IOC_EMAIL || t == IOC_FILENAME || kinds[t] == 'H' || t == IOC_JA4 ||
        t == IOC_REGKEY)
        for (size_t i = 1; i <= n; i++)
            k[i] = (uint8_t)tolower(k[i]);
    return find(m, k, n + 1);
}

/* ---- loading ---- */

typedef struct load_ctx {
    mm_iocmatch *m;
    const char *set, *path;
    int64_t now;
    int failed;
} load_ctx;

static int load_add(void *u, const mm_ioc *c)
{
    load_ctx *x = u;
    if (!c->to_ids || (c->valid_until && c->valid_until < x->now))
        return 0;
    mm_ioc cc = *c;
    if (!cc.set)
        cc.set = x->set;
    if (mm_iocmatch_add(x->m, &cc) != 0) {
        x->failed = 1;
        return -1;
    }
    return 0;
}

static void load_bad(void *u, const char *where, const char *why)
{
    load_ctx *x = u;
    if (x->m->shown++ < 10)
        fprintf(stderr, "%s: %s: %s\n", x->path, where, why);
}

static int load_file(mm_iocmatch *m, const char *path, mm_ioc_read_stats *st, char *err,
                     size_t errlen)
{
    const char *b = strrchr(path, '/');
    char set[256];
    mm_strcpy(set, sizeof set, b ? b + 1 : path);
    char *dot = strrchr(set, '.');
    if (dot && dot != set)
        *dot = 0;
    load_ctx x = {.m = m, .set = set, .path = path, .now = (int64_t)(mm_wall_ns() / 1000)};
    mm_ioc_read_opts o = {.now_us = x.now};
    mm_ioc_sink sink = {load_add, load_bad, &x};
    int rc = mm_ioc_read_file(path, &o, &sink, st, err, errlen);
    if (x.failed) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int mm_iocmatch_load(mm_iocmatch *m, const char *path, mm_ioc_read_stats *st, char *err,
                     size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode))
        return load_file(m, path, st, err, errlen);
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (!mm_grow(&names, &cap, n, sizeof *names, 16) || !(names[n] = strdup(de->d_name))) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    mm_sort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", path, names[i]);
        if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        rc = load_file(m, p, st, err, errlen);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}
