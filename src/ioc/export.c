/*
 * export.c - indicators written as blocklists (export.h says which formats
 * and what each holds).
 *
 * How it works: mm_ioc_export_to() runs every indicator through the type,
 * leave-out, safety and duplicate gates (export.h) and keeps pointers to
 * those that pass; the format's writer then walks that list once or a few
 * times (IPv4 before IPv6, one pass per file) and writes each value in the
 * target syntax. Writers ask for their files through open_part(): with a
 * directory or a caller's callbacks every file is written; with one FILE
 * (mm_ioc_export) only the part asked for, the others are passed over.
 *
 * Safety is by construction, not by escaping after the fact: each format
 * has a predicate that accepts only the characters its syntax can hold
 * without quoting (DNS names: letters, digits, '-', '_', '.'; URLs:
 * printable ASCII without quotes, backslash, ';', '#', '|' or spaces), and
 * the few formats that quote (CSV, STIX through the project's JSON writer,
 * Suricata content with |hex|) escape every byte that needs it.
 */
#include "ioc/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <nettle/sha1.h>

#include "analysis/catalog.h"
#include "detect/detect.h"
#include "util/jread.h"
#include "util/json.h"
#include "util/strmap.h"
#include "util/util.h"

#define T(x) (1u << (x))
#define NAME_MAX_LEN 24
#define WL_FILE_MAX (64u << 20)

/* ---- special-purpose addresses ------------------------------------------- */

typedef struct special {
    uint8_t v, bits, why;
    uint8_t b[16];
} special;

/* IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its
 * updates: RFC 7335, 7450, 7526, 8155, 8190, 9602, 9637). A block is here
 * when it is not globally reachable, or is anycast that every network
 * relies on (AS112, 6to4 relay): blocking it is never what a feed means. */
static const special specials[] = {
    {4, 8, IOC_LEFT_RESERVED, {0}},                            /* "this network" */
    {4, 8, IOC_LEFT_PRIVATE, {10}},
    {4, 10, IOC_LEFT_CGNAT, {100, 64}},
    {4, 8, IOC_LEFT_LOOPBACK, {127}},
    {4, 16, IOC_LEFT_LINKLOCAL, {169, 254}},
    {4, 12, IOC_LEFT_PRIVATE, {172, 16}},
    {4, 24, IOC_LEFT_RESERVED, {192, 0, 0}},                   /* IETF protocol assignments */
    {4, 24, IOC_LEFT_DOC, {192, 0, 2}},
    {4, 24, IOC_LEFT_RESERVED, {192, 31, 196}},                /* AS112-v4 */
    {4, 24, IOC_LEFT_RESERVED, {192, 52, 193}},                /* AMT */
    {4, 24, IOC_LEFT_RESERVED, {192, 88, 99}},                 /* 6to4 relay anycast */
    {4, 16, IOC_LEFT_PRIVATE, {192, 168}},
    {4, 24, IOC_LEFT_RESERVED, {192, 175, 48}},                /* direct delegation AS112 */
    {4, 15, IOC_LEFT_RESERVED, {198, 18}},                     /* benchmarking */
    {4, 24, IOC_LEFT_DOC, {198, 51, 100}},
    {4, 24, IOC_LEFT_DOC, {203, 0, 113}},
    {4, 4, IOC_LEFT_MULTICAST, {224}},
    {4, 4, IOC_LEFT_RESERVED, {240}},                          /* and 255.255.255.255 */
    {6, 128, IOC_LEFT_RESERVED, {0}},                          /* :: */
    {6, 128, IOC_LEFT_LOOPBACK, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
    {6, 96, IOC_LEFT_RESERVED, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}}, /* v4-mapped */
    {6, 48, IOC_LEFT_RESERVED, {0, 0x64, 0xff, 0x9b, 0, 1}},   /* local-use NAT64 */
    {6, 64, IOC_LEFT_RESERVED, {0x01, 0x00}},                  /* discard-only 100::/64 */
    {6, 23, IOC_LEFT_RESERVED, {0x20, 0x01, 0x00, 0x00}},      /* IETF protocol assignments */
    {6, 32, IOC_LEFT_DOC, {0x20, 0x01, 0x0d, 0xb8}},
    {6, 48, IOC_LEFT_RESERVED, {0x26, 0x20, 0x00, 0x4f, 0x80, 0x00}}, /* AS112-v6 */
    {6, 20, IOC_LEFT_DOC, {0x3f, 0xff, 0x00}},                 /* 3fff::/20 */
    {6, 16, IOC_LEFT_RESERVED, {0x5f, 0x00}},                  /* SRv6 SIDs */
    {6, 7, IOC_LEFT_PRIVATE, {0xfc}},
    {6, 10, IOC_LEFT_LINKLOCAL, {0xfe, 0x80}},
    {6, 8, IOC_LEFT_MULTICAST, {0xff}},
};

/* Do a/abits and b/bbits share their first min(abits, bbits) bits? */
static bool prefix_overlap(const uint8_t *a, unsigned abits, const uint8_t *b, unsigned bbits)
{
    unsigned bits = abits < bbits ? abits : bbits;
    unsigned full = bits / 8, rest = bits % 8;
    if (full && memcmp(a, b, full) != 0)
        return false;
    if (rest) {
        uint8_t m = (uint8_t)(0xffu << (8 - rest));
        if ((a[full] & m) != (b[full] & m))
            return false;
    }
    return true;
}

/* "a.b.c.d", "x::y", with an optional "/bits". */
static bool parse_net(const char *s, mm_ip *ip, unsigned *bits)
{
    char buf[64];
    const char *slash = strchr(s, '/');
    size_t l = slash ? (size_t)(slash - s) : strlen(s);
    if (l == 0 || l >= sizeof buf)
        return false;
    memcpy(buf, s, l);
    buf[l] = 0;
    if (!mm_ip_parse(buf, ip))
        return false;
    unsigned max = ip->v == 4 ? 32 : 128;
    *bits = max;
    if (slash) {
        uint64_t b;
        if (!slash[1] || !mm_parse_uint(slash + 1, max, &b))
            return false;
        *bits = (unsigned)b;
    }
    return true;
}

static int special_reason(const mm_ip *ip, unsigned bits)
{
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        if (specials[i].v == ip->v && prefix_overlap(ip->b, bits, specials[i].b, specials[i].bits))
            return specials[i].why;
    return IOC_LEFT__COUNT;
}

/* ---- names ------------------------------------------------------------------ */

/* A DNS name every format can write as it is: labels of letters, digits,
 * '-' and '_' (punycode is ASCII), 1-63 bytes each, at most 253 in all. */
static bool dns_name_ok(const char *s)
{
    size_t n = strlen(s), lab = 0;
    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (lab == 0)
                return false;
            lab = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
        if (++lab > 63)
            return false;
    }
    return lab > 0;
}

/* Second-level labels registries sell names under (co.jp, ac.uk, ne.jp ...). */
static const char *const sld_generic[] = {"com", "net", "org", "co", "ne", "or", "ac", "go",
                                          "ed", "gr", "lg", "ad", "gov", "edu", "mil"};

static bool is_suffix(const char *s)
{
    const char *dot = strchr(s, '.');
    if (!dot)
        return true;                    /* a bare label: a TLD */
    const char *last = dot + 1;
    if (strchr(last, '.'))
        return false;
    size_t first = (size_t)(dot - s);
    if (strlen(last) != 2)
        return false;                   /* not under a ccTLD */
    for (size_t i = 0; i < sizeof sld_generic / sizeof sld_generic[0]; i++)
        if (strlen(sld_generic[i]) == first && strncasecmp(sld_generic[i], s, first) == 0)
            return true;
    return false;
}

/* Printable ASCII without the characters that end or escape a token in
 * one of the formats (quotes, backslash, ';', '#', '|', '`', space). */
static bool url_ok(const char *s)
{
    if (!*s)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '\'' || *p == '\\' || *p == ';' ||
            *p == '#' || *p == '|' || *p == '`')
            return false;
    return true;
}

static bool no_ctl(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

static bool hex_ok(const char *s, size_t len)
{
    if (strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/* The parts of a URL "scheme://host[:port]/path?query": host (without
 * brackets) and where the path starts. False when it is not of that shape. */
typedef struct url_parts {
    const char *host;
    size_t hostlen;
    const char *path;           /* "" when the URL ends after the host */
} url_parts;

static bool url_split(const char *u, url_parts *p)
{
    const char *s = strstr(u, "://");
    if (!s || s == u)
        return false;
    const char *h = s + 3;
    const char *end = h + strcspn(h, "/?#");
    const char *at = memchr(h, '@', (size_t)(end - h));
    if (at)
        h = at + 1;                     /* user info */
    const char *hend = end;
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(end - h));
        if (!rb)
            return false;
        p->host = h + 1;
        p->hostlen = (size_t)(rb - h - 1);
    } else {
        const char *colon = memchr(h, ':', (size_t)(end - h));
        if (colon)
            hend = colon;
        p->host = h;
        p->hostlen = (size_t)(hend - h);
    }
    p->path = end;
    return p->hostlen > 0;
}

/* ---- the filter ---------------------------------------------------------------- */

struct mm_ioc_export_filter {
    const mm_catalog *catalog;
    mm_strmap host;             /* hostname entries: the name and its subdomains */
    mm_strmap str;              /* exact values */
    char **sub;                 /* substrings */
    size_t nsub, capsub;
    mm_cidr *net;
    size_t nnet, capnet;
    size_t entries;
    uint64_t bad;               /* entries passed over */
};

mm_ioc_export_filter *mm_ioc_export_filter_new(void)
{
    mm_ioc_export_filter *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    mm_strmap_init(&f->host);
    mm_strmap_init(&f->str);
    return f;
}

void mm_ioc_export_filter_free(mm_ioc_export_filter *f)
{
    if (!f)
        return;
    mm_strmap_free(&f->host);
    mm_strmap_free(&f->str);
    for (size_t i = 0; i < f->nsub; i++)
        free(f->sub[i]);
    free(f->sub);
    free(f->net);
    free(f);
}

void mm_ioc_export_filter_catalog(mm_ioc_export_filter *f, const mm_catalog *c)
{
    if (f)
        f->catalog = c;
}

size_t mm_ioc_export_filter_entries(const mm_ioc_export_filter *f)
{
    return f ? f->entries : 0;
}

uint64_t mm_ioc_export_filter_bad(const mm_ioc_export_filter *f)
{
    return f ? f->bad : 0;
}

enum { WL_HOST, WL_CIDR, WL_STRING, WL_SUBSTRING };

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s + 32);
}

/* One entry; false when out of memory (a bad entry is counted, not fatal). */
static bool wl_add(mm_ioc_export_filter *f, int kind, char *e)
{
    size_t l = strlen(e);
    while (l && (e[l - 1] == ' ' || e[l - 1] == '\t' || e[l - 1] == '\r' || e[l - 1] == '\n'))
        e[--l] = 0;
    while (*e == ' ' || *e == '\t')
        e++, l--;
    if (kind == WL_HOST) {
        lower(e);
        if (e[0] == '*' && e[1] == '.')
            e += 2;
        while (*e == '.')
            e++;
        l = strlen(e);
        while (l && e[l - 1] == '.')
            e[--l] = 0;
    }
    if (!l) {
        f->bad++;
        return true;
    }
    bool added;
    switch (kind) {
    case WL_HOST:
        if (!mm_strmap_put(&f->host, e, l, 1, &added))
            return false;
        break;
    case WL_STRING:
        /* "*.name" in a string list is meant as a wildcard: a hostname entry */
        if (e[0] == '*' && e[1] == '.' && e[2])
            return wl_add(f, WL_HOST, e);
        if (!mm_strmap_put(&f->str, e, l, 1, &added))
            return false;
        break;
    case WL_SUBSTRING: {
        if (!mm_grow(&f->sub, &f->capsub, f->nsub, sizeof *f->sub, 16))
            return false;
        char *c = strdup(e);
        if (!c)
            return false;
        f->sub[f->nsub++] = c;
        break;
    }
    default: {
        mm_cidr c;
        unsigned bits;
        if (!parse_net(e, &c.net, &bits)) {
            f->bad++;
            return true;
        }
        c.bits = (uint8_t)bits;
        if (!mm_grow(&f->net, &f->capnet, f->nnet, sizeof *f->net, 64))
            return false;
        f->net[f->nnet++] = c;
        break;
    }
    }
    f->entries++;
    return true;
}

int mm_ioc_export_filter_load_warninglist_mem(mm_ioc_export_filter *f, const char *name,
                                              const char *d, size_t n, char *err, size_t errlen)
{
    if (!name)
        name = "warning list";
    if (!f || !d) {
        snprintf(err, errlen, "%s: nothing to read", name);
        return -1;
    }
    if (n > WL_FILE_MAX || n > UINT32_MAX / 2) {
        snprintf(err, errlen, "%s: too large", name);
        return -1;
    }
    jr_doc doc;
    /* every entry is one token; a list of n bytes has at most n/2 + 1 */
    jr_init(&doc, (uint32_t)(n / 2 + 16));
    int rc = -1;
    char *e = NULL;
    if (jr_parse(&doc, d, n) != 0) {
        snprintf(err, errlen, "%s: not JSON: %s", name, doc.err);
        goto out;
    }
    if (doc.t[0].type != JR_OBJ) {
        snprintf(err, errlen, "%s: not a MISP warning list (no object)", name);
        goto out;
    }
    int list = jr_member(&doc, 0, "list");
    if (list < 0 || doc.t[list].type != JR_ARR) {
        snprintf(err, errlen, "%s: not a MISP warning list (no \"list\" array)", name);
        goto out;
    }
    int kind = WL_STRING;
    int ty = jr_member(&doc, 0, "type");
    if (ty >= 0) {
        if (jr_eq(&doc, ty, "hostname"))
            kind = WL_HOST;
        else if (jr_eq(&doc, ty, "cidr"))
            kind = WL_CIDR;
        else if (jr_eq(&doc, ty, "string"))
            kind = WL_STRING;
        else if (jr_eq(&doc, ty, "substring"))
            kind = WL_SUBSTRING;
        else {
            char tn[32];
            if (!jr_str(&doc, ty, tn, sizeof tn))
                mm_strcpy(tn, sizeof tn, "?");
            snprintf(err, errlen, "%s: warning list type '%s' is not supported", name, tn);
            goto out;
        }
    }
    e = malloc(MM_IOC_VALUE_MAX + 1);
    if (!e) {
        snprintf(err, errlen, "%s: out of memory", name);
        goto out;
    }
    for (uint32_t i = 0;; i++) {
        int t = jr_elem(&doc, list, i);
        if (t < 0)
            break;
        if (doc.t[t].type != JR_STR || doc.t[t].end - doc.t[t].start > MM_IOC_VALUE_MAX) {
            f->bad++;
            continue;
        }
        /* unescaped; an escaped NUL ends the entry there */
        if (!jr_str(&doc, t, e, MM_IOC_VALUE_MAX + 1) || !e[0]) {
            f->bad++;
            continue;
        }
        if (!wl_add(f, kind, e)) {
            snprintf(err, errlen, "%s: out of memory", name);
            goto out;
        }
    }
    rc = 0;
out:
    free(e);
    jr_free(&doc);
    return rc;
}

int mm_ioc_export_filter_load_warninglist(mm_ioc_export_filter *f, const char *path, char *err,
                                          size_t errlen)
{
    size_t n;
    char *d = mm_read_file(path, WL_FILE_MAX, &n, err, errlen);
    if (!d)
        return -1;
    int rc = mm_ioc_export_filter_load_warninglist_mem(f, path, d, n, err, errlen);
    free(d);
    return rc;
}

/* name[0..n) or a parent in m? */
static bool host_in(const mm_strmap *m, const char *name, size_t n)
{
    if (!m->n)
        return false;
    char b[256];
    if (n == 0 || n >= sizeof b)
        return false;
    for (size_t i = 0; i < n; i++)
        b[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    size_t off = 0;
    while (off < n) {
        if (mm_strmap_get(m, b + off, n - off))
            return true;
        const char *dot = memchr(b + off, '.', n - off);
        if (!dot)
            break;
        off = (size_t)(dot - b) + 1;
    }
    return false;
}

static bool wl_value(const mm_ioc_export_filter *f, const char *v)
{
    size_t l = strlen(v);
    if (f->str.n && mm_strmap_get(&f->str, v, l))
        return true;
    for (size_t i = 0; i < f->nsub; i++)
        if (strstr(v, f->sub[i]))
            return true;
    return false;
}

static bool wl_net(const mm_ioc_export_filter *f, const mm_ip *ip, unsigned bits)
{
    for (size_t i = 0; i < f->nnet; i++)
        if (f->net[i].net.v == ip->v && prefix_overlap(ip->b, bits, f->net[i].net.b, f->net[i].bits))
            return true;
    return false;
}

/* The service checks for a host name (a domain, or a URL's host). */
static int host_reason(const char *h, size_t n, const mm_ioc_export_filter *f)
{
    if (mm_detect_builtin_vendor(h, n))
        return IOC_LEFT_VENDOR;
    if (f && f->catalog && mm_catalog_find(f->catalog, h, n) >= 0)
        return IOC_LEFT_CATALOG;
    if (f && host_in(&f->host, h, n))
        return IOC_LEFT_WARNING;
    return IOC_LEFT__COUNT;
}

mm_ioc_left mm_ioc_export_leave_out(const mm_ioc *ioc, const mm_ioc_export_filter *f)
{
    const char *v = ioc->value ? ioc->value : "";
    switch (ioc->type) {
    case IOC_IPV4:
    case IOC_IPV6:
    case IOC_CIDR: {
        mm_ip ip;
        unsigned bits;
        if (!parse_net(v, &ip, &bits))
            return IOC_LEFT__COUNT;     /* malformed: the safety gate refuses it */
        if (bits < (ip.v == 4 ? 16u : 32u))
            return IOC_LEFT_BROAD;
        int r = special_reason(&ip, bits);
        if (r != IOC_LEFT__COUNT)
            return (mm_ioc_left)r;
        if (f && wl_net(f, &ip, bits))
            return IOC_LEFT_WARNING;
        break;
    }
    case IOC_DOMAIN: {
        if (is_suffix(v))
            return IOC_LEFT_SUFFIX;
        int r = host_reason(v, strlen(v), f);
        if (r != IOC_LEFT__COUNT)
            return (mm_ioc_left)r;
        break;
    }
    case IOC_URL: {
        url_parts u;
        if (!url_split(v, &u))
            break;
        char h[256];
        if (u.hostlen >= sizeof h)
            break;
        memcpy(h, u.host, u.hostlen);
        h[u.hostlen] = 0;
        mm_ip ip;
        if (mm_ip_parse(h, &ip)) {
            int r = special_reason(&ip, ip.v == 4 ? 32 : 128);
            if (r != IOC_LEFT__COUNT)
                return (mm_ioc_left)r;
            if (f && wl_net(f, &ip, ip.v == 4 ? 32 : 128))
                return IOC_LEFT_WARNING;
            break;
        }
        /* the whole site: blocking it blocks the service */
        if (strcmp(u.path, "") == 0 || strcmp(u.path, "/") == 0) {
            if (is_suffix(h))
                return IOC_LEFT_SUFFIX;
            int r = host_reason(h, u.hostlen, f);
            if (r != IOC_LEFT__COUNT)
                return (mm_ioc_left)r;
        }
        break;
    }
    case IOC_EMAIL: {
        /* an address at a big mail service is one mailbox: kept */
        break;
    }
    default:
        break;
    }
    if (f && wl_value(f, v))
        return IOC_LEFT_WARNING;
    return IOC_LEFT__COUNT;
}

/* ---- formats ------------------------------------------------------------------- */

typedef struct ex ex;
typedef struct fmt {
    const char *name;
    unsigned holds;             /* types */
    bool multi;
    bool (*safe)(const mm_ioc *);
    int (*write)(ex *);
} fmt;

struct ex {
    const fmt *f;
    const mm_ioc_export_opts *o;
    const char *name, *origin;
    int64_t now_us;
    const mm_ioc_export_files *files;
    FILE *one;                  /* mm_ioc_export: the one stream */
    const char *part;           /* ... and the part it is for */
    bool part_found;
    mm_ioc_export_stats *st;
    char *err;
    size_t errlen;
    const mm_ioc **kept;
    size_t nkept;
    bool failed;
};

#define ADDR_TYPES (T(IOC_IPV4) | T(IOC_IPV6) | T(IOC_CIDR))

static bool safe_any(const mm_ioc *i)
{
    return no_ctl(i->value);
}

/* An address or network; never /0, which no device takes as a block
 * (ipset refuses it, nftables would drop everything), even when forced. */
static bool safe_addr(const mm_ioc *i)
{
    mm_ip ip;
    unsigned bits;
    return parse_net(i->value, &ip, &bits) && bits > 0;
}

static bool safe_dns(const mm_ioc *i)
{
    return dns_name_ok(i->value);
}

/* Addresses, DNS names and URLs each as their predicate says. */
static bool safe_mixed(const mm_ioc *i)
{
    switch (i->type) {
    case IOC_IPV4:
    case IOC_IPV6:
    case IOC_CIDR:
        return safe_addr(i);
    case IOC_DOMAIN:
        return dns_name_ok(i->value);
    case IOC_URL: {
        url_parts u;
        return url_ok(i->value) && url_split(i->value, &u);
    }
    default:
        return false;
    }
}

static bool safe_suricata(const mm_ioc *i)
{
    switch (i->type) {
    case IOC_MD5:
    case IOC_JA3:
        return hex_ok(i->value, 32);
    case IOC_SHA1:
        return hex_ok(i->value, 40);
    case IOC_SHA256:
        return hex_ok(i->value, 64);
    case IOC_USER_AGENT:
    case IOC_FILENAME:
        return i->value[0] != 0;        /* written base64 */
    default:
        return safe_mixed(i);
    }
}

/* The next part's stream, NULL when this part is not wanted (x->failed
 * tells an error). */
static FILE *open_part(ex *x, const char *part, const char *suffix)
{
    if (x->failed)
        return NULL;
    if (x->one) {
        if (x->f->multi && (!x->part || strcmp(x->part, part) != 0))
            return NULL;
        x->part_found = true;
        return x->one;
    }
    char file[128];
    snprintf(file, sizeof file, "%s%s", x->name, suffix);
    FILE *fp = x->files->open(x->files->user, file);
    if (!fp) {
        snprintf(x->err, x->errlen, "%s: %s", file, strerror(errno));
        x->failed = true;
    }
    return fp;
}

static void close_part(ex *x, FILE *fp)
{
    if (!fp)
        return;
    if (x->one) {
        if (fflush(fp) != 0 || ferror(fp)) {
            snprintf(x->err, x->errlen, "write error: %s", strerror(errno));
            x->failed = true;
        }
        return;
    }
    if (x->files->close(x->files->user, fp) != 0 && !x->failed) {
        snprintf(x->err, x->errlen, "write error: %s", strerror(errno));
        x->failed = true;
    }
}

static bool is_v6(const mm_ioc *i)
{
    return strchr(i->value, ':') != NULL;
}

static void ts_iso(int64_t us, bool millis, char *out, size_t outlen)
{
    int64_t s = us / 1000000, ms = (us % 1000000) / 1000;
    if (us < 0 && us % 1000000) {
        s--;
        ms = (1000000 + us % 1000000) / 1000;
    }
    int64_t days = s / 86400, rem = s % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int y, m, d;
    mm_civil_from_days(days, &y, &m, &d);
    if (millis)
        snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, (int)(rem / 3600),
                 (int)(rem % 3600 / 60), (int)(rem % 60), (int)ms);
    else
        snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
                 (int)(rem % 3600 / 60), (int)(rem % 60));
}

/* -- plain -- */
static int w_plain(ex *x)
{
    FILE *o = open_part(x, "list", ".txt");
    if (!o)
        return x->failed ? -1 : 0;
    for (size_t i = 0; i < x->nkept; i++) {
        fprintf(o, "%s\n", x->kept[i]->value);
        x->st->written++;
    }
    close_part(x, o);
    return x->failed ? -1 : 0;
}

/* -- csv -- */
static void csv_field(FILE *o, const char *s, bool text)
{
    fputc('"', o);
    if (s) {
        if (text && (*s == '=' || *s == '+' || *s == '-' || *s == '@'))
            fputc('\'', o);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
            if (*p == '"')
                fputs("\"\"", o);
            else if (*p < 0x20 || *p == 0x7f)
                fputc(' ', o);
            else
                fputc(*p, o);
        }
    }
    fputc('"', o);
}

static int w_csv(ex *x)
{
    FILE *o = open_part(x, "csv", ".csv");
    if (!o)
        return x->failed ? -1 : 0;
    fputs("type,value,source,description,first_seen,last_seen,confidence,tlp\r\n", o);
    for (size_t i = 0; i < x->nkept; i++) {
        const mm_ioc *c = x->kept[i];
        char a[40] = "", b[40] = "";
        if (c->first_seen)
            ts_iso(c->first_seen, false, a, sizeof a);
        if (c->last_seen)
            ts_iso(c->last_seen, false, b, sizeof b);
        fprintf(o, "%s,", mm_ioc_type_name(c->type));
        csv_field(o, c->value, true);
        fputc(',', o);
        csv_field(o, c->source, true);
        fputc(',', o);
        csv_field(o, c->desc, true);
        fprintf(o, ",%s,%s,", a, b);
        if (c->confidence >= 0 && c->confidence <= 100)
            fprintf(o, "%d", c->confidence);
        fputc(',', o);
        if (c->tlp && dns_name_ok(c->tlp))
            fputs(c->tlp, o);
        else if (c->tlp && strcmp(c->tlp, "amber+strict") == 0)
            fputs(c->tlp, o);
        fputs("\r\n", o);
        x->st->written++;
    }
    close_part(x, o);
    return x->failed ? -1 : 0;
}

/* -- STIX 2.1 -- */

/* UUIDv5 (RFC 4122 4.3) of name in our namespace. */
static void uuid5(const char *name, size_t n, char out[37])
{
    static const uint8_t ns[16] = {0x5c, 0x0e, 0x7a, 0x1d, 0x93, 0x42, 0x4b, 0x8e,
                                   0xa1, 0x6f, 0x6d, 0x69, 0x6d, 0x61, 0x6d, 0x6f};
    struct sha1_ctx c;
    uint8_t h[SHA1_DIGEST_SIZE];
    sha1_init(&c);
    sha1_update(&c, sizeof ns, ns);
    sha1_update(&c, n, (const uint8_t *)name);
    sha1_digest(&c, sizeof h, h);
    h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);
    h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
    static const char hx[] = "0123456789abcdef";
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hx[h[i] >> 4];
        out[k++] = hx[h[i] & 15];
    }
    out[k] = 0;
}

/* The pattern's object path for a type, NULL when STIX has none. */
static const char *stix_path(mm_ioc_type t, const char *v)
{
    switch (t) {
    case IOC_IPV4: return "ipv4-addr:value";
    case IOC_IPV6: return "ipv6-addr:value";
    case IOC_CIDR: return strchr(v, ':') ? "ipv6-addr:value" : "ipv4-addr:value";
    case IOC_DOMAIN: return "domain-name:value";
    case IOC_URL: return "url:value";
    case IOC_EMAIL: return "email-addr:value";
    case IOC_MD5: return "file:hashes.MD5";
    case IOC_SHA1: return "file:hashes.'SHA-1'";
    case IOC_SHA256: return "file:hashes.'SHA-256'";
    case IOC_FILENAME: return "file:name";
    case IOC_USER_AGENT:
        return "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'";
    case IOC_SUBJECT: return "email-message:subject";
    case IOC_REGKEY: return "windows-registry-key:key";
    default: return NULL;
    }
}

/* TLP 1.0 marking definitions of the STIX 2.1 specification (section 7.2.1.4). */
static const char *stix_tlp(const char *tlp)
{
    if (!tlp)
        return NULL;
    if (strcmp(tlp, "clear") == 0 || strcmp(tlp, "white") == 0)
        return "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
    if (strcmp(tlp, "green") == 0)
        return "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
    if (strcmp(tlp, "amber") == 0 || strcmp(tlp, "amber+strict") == 0)
        return "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
    if (strcmp(tlp, "red") == 0)
        return "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";
    return NULL;
}

static bool flush_json(FILE *o, mm_json *j)
{
    if (j->oom)
        return false;
    if (j->len && fwrite(j->s, 1, j->len, o) != j->len)
        return false;
    j->len = 0;                         /* the nesting state stays */
    return true;
}

static int w_stix(ex *x)
{
    FILE *o = open_part(x, "bundle", ".json");
    if (!o)
        return x->failed ? -1 : 0;
    char now[40], id[64], u[37];
    ts_iso(x->now_us, true, now, sizeof now);
    char seed[64];
    int sl = snprintf(seed, sizeof seed, "bundle:%" PRId64 ":%zu", x->now_us, x->nkept);
    uuid5(seed, (size_t)sl, u);
    mm_json j;
    mj_init(&j);
    mj_reset(&j);
    mj_obj_open(&j, NULL);
    mj_str(&j, "type", "bundle");
    snprintf(id, sizeof id, "bundle--%s", u);
    mj_str(&j, "id", id);
    mj_arr_open(&j, "objects");
    size_t plen = MM_IOC_VALUE_MAX * 2 + 256;
    char *pat = malloc(plen), *key = malloc(MM_IOC_VALUE_MAX + 32);
    if (!pat || !key) {
        snprintf(x->err, x->errlen, "out of memory");
        x->failed = true;
    }
    for (size_t i = 0; i < x->nkept && !x->failed; i++) {
        const mm_ioc *c = x->kept[i];
        const char *path = stix_path(c->type, c->value);
        if (!path)
            continue;                   /* not in STIX_TYPES: cannot happen */
        /* the pattern: [path = 'value'] with ' and \ escaped */
        size_t k = (size_t)snprintf(pat, plen, "[%s = '", path);
        for (const char *p = c->value; *p && k + 4 < plen; p++) {
            if (*p == '\'' || *p == '\\')
                pat[k++] = '\\';
            pat[k++] = *p;
        }
        if (k + 3 >= plen)
            continue;                   /* cannot happen: values are bounded */
        pat[k++] = '\'';
        pat[k++] = ']';
        pat[k] = 0;
        int kl = snprintf(key, MM_IOC_VALUE_MAX + 32, "%s:%s", mm_ioc_type_name(c->type), c->value);
        uuid5(key, kl > 0 ? (size_t)kl : 0, u);
        snprintf(id, sizeof id, "indicator--%s", u);
        mj_obj_open(&j, NULL);
        mj_str(&j, "type", "indicator");
        mj_str(&j, "spec_version", "2.1");
        mj_str(&j, "id", id);
        mj_str(&j, "created", now);
        mj_str(&j, "modified", now);
        /* a name: the type and value, cut to a sensible length */
        char nm[160];
        snprintf(nm, sizeof nm, "%s %s", mm_ioc_type_name(c->type), c->value);
        mj_str(&j, "name", nm);
        if (c->desc && *c->desc)
            mj_str(&j, "description", c->desc);
        mj_arr_open(&j, "indicator_types");
        mj_str(&j, NULL, "malicious-activity");
        mj_arr_close(&j);
        mj_str(&j, "pattern", pat);
        mj_str(&j, "pattern_type", "stix");
        mj_str(&j, "pattern_version", "2.1");
        int64_t vf = c->valid_from ? c->valid_from : c->first_seen ? c->first_seen : x->now_us;
        char t1[40];
        ts_iso(vf, true, t1, sizeof t1);
        mj_str(&j, "valid_from", t1);
        if (c->valid_until && c->valid_until > vf) {
            ts_iso(c->valid_until, true, t1, sizeof t1);
            mj_str(&j, "valid_until", t1);
        }
        if (c->confidence >= 0 && c->confidence <= 100)
            mj_i64(&j, "confidence", c->confidence);
        if (c->source && *c->source) {
            mj_arr_open(&j, "external_references");
            mj_obj_open(&j, NULL);
            mj_str(&j, "source_name", c->source);
            if (c->ref && *c->ref)
                mj_str(&j, "external_id", c->ref);
            mj_obj_close(&j);
            mj_arr_close(&j);
        }
        const char *mk = stix_tlp(c->tlp);
        if (mk) {
            mj_arr_open(&j, "object_marking_refs");
            mj_str(&j, NULL, mk);
            mj_arr_close(&j);
        }
        mj_obj_close(&j);
        if (!flush_json(o, &j)) {
            snprintf(x->err, x->errlen, "write error or out of memory");
            x->failed = true;
            break;
        }
        x->st->written++;
    }
    mj_arr_close(&j);
    mj_obj_close(&j);
    mj_append(&j, "\n", 1);
    if (!x->failed && !flush_json(o, &j)) {
        snprintf(x->err, x->errlen, "write error or out of memory");
        x->failed = true;
    }
    mj_free(&j);
    free(pat);
    free(key);
    close_part(x, o);
    return x->failed ? -1 : 0;
}

/* -- nftables -- */
static void nft_set(ex *x, FILE *o, bool v6)
{
    fprintf(o, "\tset %s {\n\t\ttype %s\n\t\tflags interval\n\t\tauto-merge\n", v6 ? "v6" : "v4",
            v6 ? "ipv6_addr" : "ipv4_addr");
    bool any = false;
    for (size_t i = 0; i < x->nkept; i++) {
        if (is_v6(x->kept[i]) != v6)
            continue;
        fprintf(o, "%s%s", any ? ",\n\t\t\t" : "\t\telements = {\n\t\t\t", x->kept[i]->value);
        any = true;
        x->st->written++;
    }
    if (any)
        fputs("\n\t\t}\n", o);
    fputs("\t}\n", o);
}

static int w_nft(ex *x)
{
    FILE *o = open_part(x, "nft", ".nft");
    if (!o)
        return x->failed ? -1 : 0;
    fprintf(o, "# mimamori blocklist: nft -f FILE replaces table inet %s\n", x->name);
    fprintf(o, "table inet %s\ndelete table inet %s\n\ntable inet %s {\n", x->name, x->name, x->name);
    nft_set(x, o, false);
    nft_set(x, o, true);
    static const char *const chains[] = {"input", "forward", "output"};
    for (int c = 0; c < 3; c++) {
        fprintf(o, "\n\tchain %s {\n\t\ttype filter hook %s priority filter - 10; policy accept;\n",
                chains[c], chains[c]);
        if (c != 2)
            fputs("\t\tip saddr @v4 drop\n\t\tip6 saddr @v6 drop\n", o);
        if (c != 0)
            fputs("\t\tip daddr @v4 drop\n\t\tip6 daddr @v6 drop\n", o);
        fputs("\t}\n", o);
    }
    fputs("}\n", o);
    close_part(x, o);
    return x->failed ? -1 : 0;
}

/* -- ipset -- */
static int w_ipset(ex *x)
{
    FILE *o = open_part(x, "ipset", ".ipset");
    if (!o)
        return x->failed ? -1 : 0;
    size_t n4 = 0, n6 = 0;
    for (size_t i = 0; i < x->nkept; i++)
        is_v6(x->kept[i]) ? n6++ : n4++;
    for (int v6 = 0; v6 < 2; v6++) {
        size_t max = (v6 ? n6 : n4) < 65536 ? 65536 : (v6 ? n6 : n4);
        fprintf(o, "create %s-v%d hash:net family %s maxelem %zu -exist\nflush %s-v%d\n", x->name,
                v6 ? 6 : 4, v6 ? "inet6" : "inet", max, x->name, v6 ? 6 : 4);
        for (size_t i = 0; i < x->nkept; i++) {
            if (is_v6(x->kept[i]) != (bool)v6)
                continue;
            fprintf(o, "add %s-v%d %s -exist\n", x->name, v6 ? 6 : 4, x->kept[i]->value);
            x->st->written++;
        }
    }
    close_part(x, o);
    return x->failed ? -1 : 0;
}

/* -- squid -- */

/* A network as a map key: version, prefix length, the masked address. */
static void net_key(const mm_ip *ip, unsigned bits, uint8_t key[18])
{
    key[0] = ip->v;
    key[1] = (uint8_t)bits;
    memset(key + 2, 0, 16);
    unsigned full = bits / 8, rest = bits % 8;
    memcpy(key + 2, ip->b, full);
    if (rest)
        key[2 + full] = (uint8_t)(ip->b[full] & (0xffu << (8 - rest)));
}

static int w_squid(ex *x)
{
    /* domains: one entry for a name and its subdomains; a name under
     * another of the list is left to its parent (Squid warns of both) */
    mm_strmap names;
    mm_strmap_init(&names);
    for (size_t i = 0; i < x->nkept; i++) {
        bool added;
        const mm_ioc *c = x->kept[i];
        if (c->type == IOC_DOMAIN && !mm_strmap_put(&names, c->value, strlen(c->value), 1, &added)) {
            snprintf(x->err, x->errlen, "out of memory");
            mm_strmap_free(&names);
            return -1;
        }
    }
    FILE *o = open_part(x, "domains", "-domains.acl");
    if (o) {
        for (size_t i = 0; i < x->nkept; i++) {
            const mm_ioc *c = x->kept[i];
            if (c->type != IOC_DOMAIN)
                continue;
            const char *dot = strchr(c->value, '.');
            if (dot && host_in(&names, dot + 1, strlen(dot + 1))) {
                x->st->duplicate++;
                continue;
            }
            fprintf(o, ".%s\n", c->value);
            x->st->written++;
        }
        close_part(x, o);
    }
    mm_strmap_free(&names);
    o = open_part(x, "urls", "-urls.acl");
    if (o) {
        for (size_t i = 0; i < x->nkept; i++) {
            const mm_ioc *c = x->kept[i];
            if (c->type != IOC_URL)
                continue;
            fputc('^', o);
            for (const char *p = c->value; *p; p++) {
                if (strchr(".^$*+?()[]{}|\\", *p))
                    fputc('\\', o);
                fputc(*p, o);
            }
            fputc('\n', o);
            x->st->written++;
        }
        close_part(x, o);
    }
    o = open_part(x, "ips", "-ips.acl");
    if (o) {
        /* an address or network inside another of the list is left to
         * the wider one: Squid ignores it with a warning */
        mm_strmap nets;
        mm_strmap_init(&nets);
        uint8_t lens[2][129];
        memset(lens, 0, sizeof lens);
        for (size_t i = 0; i < x->nkept && !x->failed; i++) {
            mm_ip ip;
            unsigned bits;
            uint8_t key[18];
            bool added;
            if (!(ADDR_TYPES & T(x->kept[i]->type)) || !parse_net(x->kept[i]->value, &ip, &bits))
                continue;
            net_key(&ip, bits, key);
            lens[ip.v == 6][bits] = 1;
            if (!mm_strmap_put(&nets, (const char *)key, sizeof key, 1, &added)) {
                snprintf(x->err, x->errlen, "out of memory");
                x->failed = true;
            }
        }
        for (size_t i = 0; i < x->nkept && !x->failed; i++) {
            const mm_ioc *c = x->kept[i];
            mm_ip ip;
            unsigned bits;
            if (!(ADDR_TYPES & T(c->type)) || !parse_net(c->value, &ip, &bits))
                continue;
            bool covered = false;
            for (unsigned b = 0; b < bits && !covered; b++) {
                uint8_t key[18];
                if (!lens[ip.v == 6][b])
                    continue;
                net_key(&ip, b, key);
                covered = mm_strmap_get(&nets, (const char *)key, sizeof key) != NULL;
            }
            if (covered) {
                x->st->duplicate++;
                continue;
            }
            fprintf(o, "%s\n", c->value);
            x->st->written++;
        }
        mm_strmap_free(&nets);
        close_part(x, o);
    }
    return x->failed ? -1 : 0;
}

/* -- unbound -- */
static int w_unbound(ex *x)
{
    FILE *o = open_part(x, "conf", ".conf");
    if (!o)
        return x->failed ? -1 : 0;
    fputs("server:\n", o);
    for (size_t i = 0; i < x->nkept; i++) {
        fprintf(o, "local-zone: \"%s.\" always_nxdomain\n", x->kept[i]->value);
        x->st->written++;
    }
    close_part(x, o);
    return x->failed ? -1 : 0;
}

/* -- hosts -- */
static int w_hosts(ex *x)
{
    FILE *o = open_part(x, "hosts", ".hosts");
    if (!o)
        return x->failed ? -1 : 0;
    for (size_t i = 0; i < x->nkept; i++) {
        fprintf(o, "0.0.0.0 %s\n", x->kept[i]->value);
        x->st->written++;
    }
    close_part(x, o);
    return x->failed ? -1 : 0;
}

/* -- BIND RPZ -- */

/* The rpz-ip owner name of a network: "bits.d.c.b.a" for IPv4, "bits" and
 * the 16-bit groups last first for IPv6, with "zz" for the longest run of
 * zero groups (as "::" would stand for it). */
static bool rpz_ip(const char *v, char *out, size_t outlen)
{
    mm_ip ip;
    unsigned bits;
    if (!parse_net(v, &ip, &bits))
        return false;
    if (ip.v == 4) {
        snprintf(out, outlen, "%u.%u.%u.%u.%u", bits, ip.b[3], ip.b[2], ip.b[1], ip.b[0]);
        return true;
    }
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)ip.b[2 * i] << 8 | ip.b[2 * i + 1];
    int best = -1, bestlen = 0;
    for (int i = 0; i < 8;) {
        if (g[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && !g[j])
            j++;
        if (j - i > bestlen && j - i >= 2) {
            best = i;
            bestlen = j - i;
        }
        i = j;
    }
    size_t k = (size_t)snprintf(out, outlen, "%u", bits);
    for (int i = 7; i >= 0 && k < outlen; i--) {
        if (best >= 0 && i >= best && i < best + bestlen) {
            if (i == best)
                k += (size_t)snprintf(out + k, outlen - k, ".zz");
            continue;
        }
        k += (size_t)snprintf(out + k, outlen - k, ".%x", g[i]);
    }
    return k < outlen;
}

static int w_rpz(ex *x)
{
    FILE *o = open_part(x, "zone", ".rpz");
    if (!o)
        return x->failed ? -1 : 0;
    uint64_t serial = x->now_us > 0 ? (uint64_t)(x->now_us / 1000000) % 4294967296u : 1;
    fprintf(o,
            "; mimamori blocklist: response policy zone %s\n"
            "$TTL 300\n"
            "@\tIN\tSOA\tlocalhost. hostmaster.localhost. %" PRIu64 " 3600 600 86400 300\n"
            "@\tIN\tNS\tlocalhost.\n",
            x->origin, serial);
    size_t olen = strlen(x->origin);
    for (size_t i = 0; i < x->nkept; i++) {
        const mm_ioc *c = x->kept[i];
        if (c->type == IOC_DOMAIN) {
            /* "*." + name + "." + origin must fit a DNS name (255) */
            if (strlen(c->value) + 3 + olen > 255) {
                x->st->unsafe++;
                continue;
            }
            fprintf(o, "%s\tCNAME\t.\n*.%s\tCNAME\t.\n", c->value, c->value);
        } else {
            char n[128];
            if (!rpz_ip(c->value, n, sizeof n)) {
                x->st->unsafe++;
                continue;
            }
            fprintf(o, "%s.rpz-ip\tCNAME\t.\n", n);
        }
        x->st->written++;
    }
    close_part(x, o);
    return x->failed ? -1 : 0;
}

/* -- Suricata -- */

typedef struct ds_kind {
    const char *part;           /* file NAME-<part>.lst, dataset NAME-<part> */
    unsigned types;
    const char *dtype;          /* dataset type */
    bool b64;
} ds_kind;

static const ds_kind ds_kinds[] = {
    {"domain", T(IOC_DOMAIN), "string", true},
    {"useragent", T(IOC_USER_AGENT), "string", true},
    {"filename", T(IOC_FILENAME), "string", true},
    {"ja3", T(IOC_JA3), "md5", false},
    {"md5", T(IOC_MD5), "md5", false},
    {"sha256", T(IOC_SHA256), "sha256", false},
    {"ipv4", T(IOC_IPV4), "ipv4", false},
    {"ipv6", T(IOC_IPV6), "ip", false},
    {"sha1", T(IOC_SHA1), NULL, false},     /* a filesha1 list: not a dataset */
};

static size_t count_types(const ex *x, unsigned types)
{
    size_t n = 0;
    for (size_t i = 0; i < x->nkept; i++)
        if (types & T(x->kept[i]->type))
            n++;
    return n;
}

/* Writes the list file of kind k; counts written when count. */
static void ds_write(ex *x, const ds_kind *k, bool count)
{
    char suffix[40];
    snprintf(suffix, sizeof suffix, "-%s.lst", k->part);
    FILE *o = open_part(x, k->part, suffix);
    if (!o)
        return;
    char *b = k->b64 ? malloc(MM_BASE64_LEN(MM_IOC_VALUE_MAX)) : NULL;
    if (k->b64 && !b) {
        snprintf(x->err, x->errlen, "out of memory");
        x->failed = true;
    }
    for (size_t i = 0; i < x->nkept && !x->failed; i++) {
        const mm_ioc *c = x->kept[i];
        if (!(k->types & T(c->type)))
            continue;
        if (k->b64) {
            size_t l = strlen(c->value);
            if (l > MM_IOC_VALUE_MAX)
                continue;
            mm_base64_encode((const uint8_t *)c->value, l, b);
            fprintf(o, "%s\n", b);
        } else {
            for (const char *p = c->value; *p; p++)
                fputc(*p >= 'A' && *p <= 'F' ? *p + 32 : *p, o);
            fputc('\n', o);
        }
        if (count)
            x->st->written++;
    }
    free(b);
    close_part(x, o);
}

static int w_dataset(ex *x)
{
    for (size_t k = 0; k < sizeof ds_kinds / sizeof ds_kinds[0] && !x->failed; k++)
        if (ds_kinds[k].dtype && count_types(x, ds_kinds[k].types))
            ds_write(x, &ds_kinds[k], true);
    return x->failed ? -1 : 0;
}

typedef struct rules_out {
    FILE *o;
    uint32_t sid;
    bool full;
} rules_out;

#define SID_FIRST 9000000u
#define SID_LAST 9999999u

/* "alert ..." up to the sid, then "sid:N; rev:1;)" */
static bool rule_sid(ex *x, rules_out *r)
{
    if (r->sid > SID_LAST) {
        if (!r->full)
            snprintf(x->err, x->errlen, "more rules than the sid range %u-%u holds", SID_FIRST,
                     SID_LAST);
        r->full = true;
        x->failed = true;
        return false;
    }
    fprintf(r->o, " sid:%u; rev:1;)\n", r->sid++);
    return true;
}

/* content:"..." with every byte outside [A-Za-z0-9./_-] (and ':' '?' '=' '&'
 * '%' '~' '+' ',' '@' '!' '*' '(' ')' '[' ']') as |XX|. */
static void rule_content(FILE *o, const char *s, size_t n)
{
    fputs("content:\"", o);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("./_-:?=&%~+,@!*()[]", c))
            fputc(c, o);
        else
            fprintf(o, "|%02X|", c);
    }
    fputc('"', o);
}

static int w_rules(ex *x)
{
    /* the lists the rules load */
    bool have[sizeof ds_kinds / sizeof ds_kinds[0]];
    for (size_t k = 0; k < sizeof ds_kinds / sizeof ds_kinds[0]; k++) {
        have[k] = false;
        /* domains and addresses go into rules, not lists */
        if (ds_kinds[k].types & (T(IOC_DOMAIN) | T(IOC_IPV4) | T(IOC_IPV6)))
            continue;
        if (count_types(x, ds_kinds[k].types)) {
            have[k] = true;
            ds_write(x, &ds_kinds[k], false);
        }
    }
    if (x->failed)
        return -1;
    rules_out r = {open_part(x, "rules", ".rules"), SID_FIRST, false};
    if (!r.o)
        return x->failed ? -1 : 0;
    fprintf(r.o, "# mimamori blocklist rules (sids %u-%u are mimamori's exports)\n", SID_FIRST,
            SID_LAST);
    const char *nm = x->name;
    for (size_t i = 0; i < x->nkept && !x->failed; i++) {
        const mm_ioc *c = x->kept[i];
        if (c->type == IOC_DOMAIN) {
            static const char *const buf[][2] = {
                {"dns", "dns.query; dotprefix;"},
                {"tls", "tls.sni; dotprefix;"},
                {"http", "http.host; dotprefix;"},
            };
            for (int b = 0; b < 3 && !x->failed; b++) {
                fprintf(r.o, "alert %s any any -> any any (msg:\"%s IOC domain %s (%s)\"; %s ",
                        buf[b][0], nm, c->value, buf[b][0], buf[b][1]);
                char dotted[260];
                int dl = snprintf(dotted, sizeof dotted, ".%s", c->value);
                rule_content(r.o, dotted, (size_t)dl < sizeof dotted ? (size_t)dl : sizeof dotted - 1);
                fputs("; nocase; endswith;", r.o);
                rule_sid(x, &r);
            }
            x->st->written++;
        } else if (c->type == IOC_URL) {
            url_parts u;
            if (!url_split(c->value, &u))
                continue;
            fprintf(r.o, "alert http any any -> any any (msg:\"%s IOC url\"; flow:to_server; "
                         "http.host; ", nm);
            rule_content(r.o, u.host, u.hostlen);
            fputs("; nocase; startswith; endswith; http.uri; ", r.o);
            /* the URI as Suricata normalises it: "/" when the URL has no path */
            const char *p = u.path;
            char uri[MM_IOC_VALUE_MAX + 2];
            int ul = snprintf(uri, sizeof uri, "%s%s", *p == '/' ? "" : "/", p);
            rule_content(r.o, uri, ul > 0 && (size_t)ul < sizeof uri ? (size_t)ul : 0);
            fputs("; startswith;", r.o);
            if (rule_sid(x, &r))
                x->st->written++;
        }
    }
    /* addresses and networks: 50 a rule, each direction */
    for (int v6 = 0; v6 < 2 && !x->failed; v6++) {
        size_t i = 0;
        while (i < x->nkept && !x->failed) {
            char *list = NULL;
            size_t len = 0, cnt = 0;
            FILE *m = open_memstream(&list, &len);
            if (!m) {
                snprintf(x->err, x->errlen, "out of memory");
                x->failed = true;
                break;
            }
            for (; i < x->nkept && cnt < 50; i++) {
                const mm_ioc *c = x->kept[i];
                if (!(ADDR_TYPES & T(c->type)) || is_v6(c) != (bool)v6)
                    continue;
                fprintf(m, "%s%s", cnt ? "," : "", c->value);
                cnt++;
            }
            if (fclose(m) != 0 || !list) {
                free(list);
                snprintf(x->err, x->errlen, "out of memory");
                x->failed = true;
                break;
            }
            if (cnt) {
                fprintf(r.o, "alert ip any any -> [%s] any (msg:\"%s IOC address (to)\";", list, nm);
                rule_sid(x, &r);
                fprintf(r.o, "alert ip [%s] any -> any any (msg:\"%s IOC address (from)\";", list,
                        nm);
                if (rule_sid(x, &r))
                    x->st->written += cnt;
            }
            free(list);
        }
    }
    for (size_t k = 0; k < sizeof ds_kinds / sizeof ds_kinds[0] && !x->failed; k++) {
        if (!have[k])
            continue;
        const ds_kind *d = &ds_kinds[k];
        unsigned t = d->types;
        if (t & (T(IOC_MD5) | T(IOC_SHA1) | T(IOC_SHA256))) {
            const char *kw = t & T(IOC_MD5) ? "filemd5" : t & T(IOC_SHA1) ? "filesha1" : "filesha256";
            fprintf(r.o, "alert ip any any -> any any (msg:\"%s IOC file %s\"; %s:%s-%s.lst;", nm,
                    d->part, kw, nm, d->part);
        } else {
            const char *proto = t & T(IOC_JA3) ? "tls" : t & T(IOC_USER_AGENT) ? "http" : "ip";
            const char *bufname = t & T(IOC_JA3) ? "ja3.hash" : t & T(IOC_USER_AGENT)
                                                                   ? "http.user_agent"
                                                                   : "file.name";
            fprintf(r.o,
                    "alert %s any any -> any any (msg:\"%s IOC %s\"; %s; dataset:isset,%s-%s, "
                    "type %s, load %s-%s.lst;",
                    proto, nm, d->part, bufname, nm, d->part, d->dtype, nm, d->part);
        }
        if (rule_sid(x, &r))
            x->st->written += count_types(x, t);
    }
    close_part(x, r.o);
    return x->failed ? -1 : 0;
}

/* -- Yamaha RTX -- */
#define YAMAHA_V4 2000000u
#define YAMAHA_V6 2500000u
#define YAMAHA_MAX 249999u

static int w_yamaha(ex *x)
{
    FILE *o = open_part(x, "filters", ".txt");
    if (!o)
        return x->failed ? -1 : 0;
    fprintf(o, "# mimamori blocklist for Yamaha RTX: reject filters %u-%u (IPv4) and %u-%u "
               "(IPv6),\n# even numbers: packets from the address, odd: packets to it.\n",
            YAMAHA_V4, YAMAHA_V4 + 2 * YAMAHA_MAX + 1, YAMAHA_V6, YAMAHA_V6 + 2 * YAMAHA_MAX + 1);
    for (int v6 = 0; v6 < 2 && !x->failed; v6++) {
        unsigned base = v6 ? YAMAHA_V6 : YAMAHA_V4, k = 0;
        const char *cmd = v6 ? "ipv6" : "ip";
        for (size_t i = 0; i < x->nkept; i++) {
            const mm_ioc *c = x->kept[i];
            if (is_v6(c) != (bool)v6)
                continue;
            if (k > YAMAHA_MAX) {
                snprintf(x->err, x->errlen, "more than %u networks for one Yamaha filter range",
                         YAMAHA_MAX + 1);
                x->failed = true;
                break;
            }
            fprintf(o, "%s filter %u reject %s * * * *\n", cmd, base + 2 * k, c->value);
            fprintf(o, "%s filter %u reject * %s * * *\n", cmd, base + 2 * k + 1, c->value);
            k++;
            x->st->written++;
        }
        if (!k || x->failed)
            continue;
        /* the commands that apply them replace the interface's list: given
         * as comments to merge with the router's own filters */
        fprintf(o, "# Apply on the WAN interface (lan2 here) in front of your own filters, e.g.\n"
                   "# %s lan2 secure filter in", cmd);
        for (unsigned j = 0; j < k; j++)
            fprintf(o, " %u", base + 2 * j);
        fprintf(o, " <your inbound filters>\n# %s lan2 secure filter out", cmd);
        for (unsigned j = 0; j < k; j++)
            fprintf(o, " %u", base + 2 * j + 1);
        fputs(" <your outbound filters>\n", o);
    }
    close_part(x, o);
    return x->failed ? -1 : 0;
}

#define ALL_TYPES ((T(IOC__COUNT) - 1u) & ~T(IOC_NONE))
#define STIX_TYPES (ALL_TYPES & ~(T(IOC_JA3) | T(IOC_JA4)))
#define SURI_DS (T(IOC_DOMAIN) | T(IOC_USER_AGENT) | T(IOC_FILENAME) | T(IOC_JA3) | T(IOC_MD5) | \
                 T(IOC_SHA256) | T(IOC_IPV4) | T(IOC_IPV6))
#define SURI_RULES (T(IOC_DOMAIN) | T(IOC_URL) | ADDR_TYPES | T(IOC_USER_AGENT) | \
                    T(IOC_FILENAME) | T(IOC_JA3) | T(IOC_MD5) | T(IOC_SHA1) | T(IOC_SHA256))

static const fmt fmts[] = {
    {"plain", ALL_TYPES, false, safe_any, w_plain},
    {"csv", ALL_TYPES, false, safe_any, w_csv},
    {"stix", STIX_TYPES, false, safe_any, w_stix},
    {"nft", ADDR_TYPES, false, safe_addr, w_nft},
    {"ipset", ADDR_TYPES, false, safe_addr, w_ipset},
    {"squid", T(IOC_DOMAIN) | T(IOC_URL) | ADDR_TYPES, true, safe_mixed, w_squid},
    {"unbound", T(IOC_DOMAIN), false, safe_dns, w_unbound},
    {"rpz", T(IOC_DOMAIN) | ADDR_TYPES, false, safe_mixed, w_rpz},
    {"hosts", T(IOC_DOMAIN), false, safe_dns, w_hosts},
    {"suricata-dataset", SURI_DS, true, safe_suricata, w_dataset},
    {"suricata-rules", SURI_RULES, true, safe_suricata, w_rules},
    {"yamaha", ADDR_TYPES, false, safe_addr, w_yamaha},
};

static const fmt *find_fmt(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
        if (strcmp(fmts[i].name, name) == 0)
            return &fmts[i];
    return NULL;
}

bool mm_ioc_export_multi(const char *format)
{
    const fmt *f = find_fmt(format);
    return f && f->multi;
}

const char *mm_ioc_export_formats(void)
{
    return "  plain             every type, one value a line\n"
           "  csv               every type: type,value,source,description,first_seen,last_seen,"
           "confidence,tlp\n"
           "  stix              STIX 2.1 bundle of indicators (not ja3, ja4)\n"
           "  nft               nftables table with interval sets (nft -f): ip, cidr\n"
           "  ipset             ipset restore file, hash:net sets: ip, cidr\n"
           "  squid             Squid ACL files NAME-domains.acl, NAME-urls.acl, NAME-ips.acl\n"
           "  unbound           Unbound local-zone always_nxdomain: domain\n"
           "  rpz               BIND response-policy zone: domain, ip, cidr\n"
           "  hosts             hosts file (0.0.0.0 name): domain\n"
           "  suricata-dataset  Suricata dataset files NAME-<kind>.lst\n"
           "  suricata-rules    Suricata rules NAME.rules and the lists they load "
           "(sids 9000000-9999999)\n"
           "  yamaha            Yamaha RTX ip filter reject commands: ip, cidr\n";
}

/* Each reason as the summary says it: for one, and for several. */
static const char *const left_names[IOC_LEFT__COUNT][2] = {
    {"private address", "private addresses"},
    {"shared (CGNAT) address", "shared (CGNAT) addresses"},
    {"loopback address", "loopback addresses"},
    {"link-local address", "link-local addresses"},
    {"multicast address", "multicast addresses"},
    {"documentation address", "documentation addresses"},
    {"reserved address", "reserved addresses"},
    {"network too broad for a router", "networks too broad for a router"},
    {"top-level or public-suffix domain", "top-level or public-suffix domains"},
    {"big vendor service", "big vendor services"},
    {"well-known cloud service", "well-known cloud services"},
    {"on a MISP warning list", "on a MISP warning list"},
    {"not for detection (to_ids false)", "not for detection (to_ids false)"},
    {"expired", "expired"},
};

const char *mm_ioc_left_name(mm_ioc_left r)
{
    return r >= 0 && r < IOC_LEFT__COUNT ? left_names[r][1] : "";
}

void mm_ioc_export_summary(FILE *to, const mm_ioc_export_stats *st)
{
    uint64_t left = 0;
    for (int r = 0; r < IOC_LEFT__COUNT; r++)
        left += st->left_out[r];
    fprintf(to, "written %" PRIu64, st->written);
    if (left) {
        fprintf(to, "; left out %" PRIu64 ":", left);
        bool first = true;
        for (int r = 0; r < IOC_LEFT__COUNT; r++)
            if (st->left_out[r]) {
                fprintf(to, "%s %" PRIu64 " %s", first ? "" : ",", st->left_out[r],
                        left_names[r][st->left_out[r] != 1]);
                first = false;
            }
    }
    if (st->unfit)
        fprintf(to, "; %" PRIu64 " of %s the format cannot hold", st->unfit,
                st->unfit == 1 ? "a type" : "types");
    if (st->unsafe)
        fprintf(to, "; %" PRIu64 " not safe to write in the format", st->unsafe);
    if (st->duplicate)
        fprintf(to, "; %" PRIu64 " duplicate%s", st->duplicate, st->duplicate == 1 ? "" : "s");
    fputc('\n', to);
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

static bool origin_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 200 || s[n - 1] != '.')
        return false;
    char b[256];
    memcpy(b, s, n - 1);
    b[n - 1] = 0;
    return dns_name_ok(b);
}

static int run(ex *x, const mm_ioc *v, size_t n, const mm_ioc_export_filter *filt)
{
    const mm_ioc_export_opts *o = x->o;
    memset(x->st, 0, sizeof *x->st);
    x->f = find_fmt(o ? o->format : NULL);
    if (!x->f) {
        snprintf(x->err, x->errlen, "unknown export format '%s'", o && o->format ? o->format : "");
        return -1;
    }
    x->name = o->name ? o->name : "mimamori";
    if (!name_ok(x->name)) {
        snprintf(x->err, x->errlen,
                 "bad export name '%s' (letters, digits, '_' and '-', a letter first, at most %d)",
                 x->name, NAME_MAX_LEN);
        return -1;
    }
    x->origin = o->origin ? o->origin : "rpz.mimamori.";
    if (!origin_ok(x->origin)) {
        snprintf(x->err, x->errlen, "bad zone origin '%s' (a DNS name ending in '.')", x->origin);
        return -1;
    }
    x->now_us = o->now_us ? o->now_us : (int64_t)(mm_now_ns() / 1000);
    if (n && !v) {
        snprintf(x->err, x->errlen, "no indicators");
        return -1;
    }
    x->kept = n ? malloc(n * sizeof *x->kept) : NULL;
    if (n && !x->kept) {
        snprintf(x->err, x->errlen, "out of memory");
        return -1;
    }
    mm_strmap seen;
    mm_strmap_init(&seen);
    char *key = malloc(MM_IOC_VALUE_MAX + 2);
    int rc = -1;
    if (!key) {
        snprintf(x->err, x->errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const mm_ioc *c = &v[i];
        if (c->type <= IOC_NONE || c->type >= IOC__COUNT || !c->value)
            continue;
        if (o->types && !(o->types & T(c->type)))
            continue;
        if (!(x->f->holds & T(c->type))) {
            x->st->unfit++;
            continue;
        }
        if (!o->force) {
            mm_ioc_left r = !c->to_ids ? IOC_LEFT_NOT_IDS
                            : c->valid_until && c->valid_until < x->now_us
                                ? IOC_LEFT_EXPIRED
                                : mm_ioc_export_leave_out(c, filt);
            if (r != IOC_LEFT__COUNT) {
                x->st->left_out[r]++;
                continue;
            }
        }
        size_t l = strlen(c->value);
        if (l > MM_IOC_VALUE_MAX || !x->f->safe(c)) {
            x->st->unsafe++;
            continue;
        }
        key[0] = (char)('A' + c->type);
        memcpy(key + 1, c->value, l);
        bool added;
        if (!mm_strmap_put(&seen, key, l + 1, 1, &added)) {
            snprintf(x->err, x->errlen, "out of memory");
            goto out;
        }
        if (!added) {
            x->st->duplicate++;
            continue;
        }
        x->kept[x->nkept++] = c;
    }
    rc = x->f->write(x);
    if (rc == 0 && x->one && x->f->multi && !x->part_found) {
        snprintf(x->err, x->errlen,
                 x->part ? "format %s has no file '%s'"
                         : "format %s writes several files: name one (part) or give a directory",
                 x->f->name, x->part ? x->part : "");
        rc = -1;
    }
out:
    free(key);
    mm_strmap_free(&seen);
    free(x->kept);
    x->kept = NULL;
    return rc;
}

int mm_ioc_export_to(const mm_ioc_export_files *files, const mm_ioc *v, size_t n,
                     const mm_ioc_export_opts *o, const mm_ioc_export_filter *f,
                     mm_ioc_export_stats *st, char *err, size_t errlen)
{
    mm_ioc_export_stats dummy;
    ex x = {.o = o, .files = files, .st = st ? st : &dummy, .err = err, .errlen = errlen};
    if (!files || !files->open || !files->close || !o) {
        snprintf(err, errlen, "nowhere to export to");
        return -1;
    }
    return run(&x, v, n, f);
}

int mm_ioc_export(FILE *out, const mm_ioc *v, size_t n, const mm_ioc_export_opts *o,
                  const mm_ioc_export_filter *f, mm_ioc_export_stats *st, char *err,
                  size_t errlen)
{
    mm_ioc_export_stats dummy;
    ex x = {.o = o, .one = out, .part = o ? o->part : NULL, .st = st ? st : &dummy, .err = err,
            .errlen = errlen};
    if (!out || !o) {
        snprintf(err, errlen, "nowhere to export to");
        return -1;
    }
    return run(&x, v, n, f);
}

static FILE *dir_open(void *user, const char *file)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", (const char *)user, file) >= sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    return fopen(path, "w");
}

static int dir_close(void *user, FILE *f)
{
    (void)user;
    int bad = ferror(f);
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

int mm_ioc_export_dir(const char *dir, const mm_ioc *v, size_t n, const mm_ioc_export_opts *o,
                      const mm_ioc_export_filter *f, mm_ioc_export_stats *st, char *err,
                      size_t errlen)
{
    mm_ioc_export_files files = {dir_open, dir_close, (void *)(uintptr_t)dir};
    if (!dir) {
        snprintf(err, errlen, "no directory");
        return -1;
    }
    return mm_ioc_export_to(&files, v, n, o, f, st, err, errlen);
}
