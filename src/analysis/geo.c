/*
 * geo.c - country lookup; see geo.h.
 *
 * tor-geoipdb ranges are loaded into two sorted arrays (IPv4 as 32-bit
 * integers, IPv6 as 128-bit big-endian pairs) and searched by binary search
 * for the last range starting at or below the address. Lines that do not
 * parse are skipped and counted; "??" (unknown) ranges are dropped.
 */
#include "analysis/geo.h"

#include <errno.h>
#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mm_config.h"

typedef struct r4 {
    uint32_t lo, hi;
    char cc[2];
} r4;

typedef struct r6 {
    unsigned __int128 lo, hi;
    char cc[2];
} r6;

typedef struct cname {
    char cc[3];
    char *en, *ja;
} cname;

struct mm_geo {
    r4 *v4;
    size_t n4;
    r6 *v6;
    size_t n6;
    MMDB_s mmdb;
    bool have_mmdb;
    char source[4096];
    cname *names;
    size_t nnames;
    bool names_loaded;
};

static bool read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || sb.st_size < 0 || sb.st_size > (1 << 28)) {
        fclose(f);
        return false;
    }
    char *b = malloc((size_t)sb.st_size + 1);
    if (!b || fread(b, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
        free(b);
        fclose(f);
        return false;
    }
    fclose(f);
    b[sb.st_size] = 0;
    *out = b;
    *len = (size_t)sb.st_size;
    return true;
}

static int cmp4(const void *a, const void *b)
{
    uint32_t x = ((const r4 *)a)->lo, y = ((const r4 *)b)->lo;
    return x < y ? -1 : x > y;
}

static int cmp6(const void *a, const void *b)
{
    unsigned __int128 x = ((const r6 *)a)->lo, y = ((const r6 *)b)->lo;
    return x < y ? -1 : x > y;
}

static unsigned __int128 u128(const uint8_t b[16])
{
    unsigned __int128 v = 0;
    for (int i = 0; i < 16; i++)
        v = (v << 8) | b[i];
    return v;
}

static bool is_cc(const char *p)
{
    return p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z';
}

/* Decimal number at p (no sign, no spaces), at most 10 digits. */
static const char *dec32(const char *p, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    const char *q = p;
    while (q < end && *q >= '0' && *q <= '9' && q - p < 11)
        v = v * 10 + (uint64_t)(*q++ - '0');
    *out = v;
    return q == p ? NULL : q;
}

/* IPv6 text (hex groups, one optional "::", no embedded IPv4) in [p, end). */
static bool hex6(const char *p, const char *end, uint8_t out[16])
{
    uint16_t g[8];
    int n = 0, gap = -1;
    if (end - p >= 2 && p[0] == ':' && p[1] == ':') {
        gap = 0;
        p += 2;
    }
    while (p < end) {
        if (n >= 8)
            return false;
        unsigned v = 0;
        int digits = 0;
        while (p < end && digits < 5) {
            char c = *p;
            unsigned d;
            if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
            else break;
            v = v << 4 | d;
            digits++;
            p++;
        }
        if (digits == 0 || digits > 4)
            return false;
        g[n++] = (uint16_t)v;
        if (p == end)
            break;
        if (*p != ':')
            return false;
        p++;
        if (p < end && *p == ':') {
            if (gap >= 0)
                return false;
            gap = n;
            p++;
        } else if (p == end) {
            return false;
        }
    }
    if ((gap < 0 && n != 8) || (gap >= 0 && n > 7))
        return false;
    int fill = 8 - n, k = 0;
    for (int i = 0; i < 8; i++) {
        uint16_t v;
        if (gap >= 0 && i >= gap && i < gap + fill) v = 0;
        else v = g[k++];
        out[2 * i] = (uint8_t)(v >> 8);
        out[2 * i + 1] = (uint8_t)v;
    }
    return true;
}

static bool load_v4(mm_geo *g, const char *path)
{
    char *b;
    size_t n;
    if (!read_file(path, &b, &n))
        return false;
    size_t cap = n / 20 + 16;
    g->v4 = malloc(cap * sizeof(r4));
    if (!g->v4) {
        free(b);
        return false;
    }
    char *p = b, *end = b + n;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        if (*p != '#') {
            uint64_t lo, hi;
            const char *e1 = dec32(p, nl, &lo), *e2;
            if (e1 && e1 < nl && *e1 == ',') {
                e2 = dec32(e1 + 1, nl, &hi);
                if (e2 && e2 + 3 <= nl && *e2 == ',' && is_cc(e2 + 1) && lo <= hi &&
                    hi <= 0xFFFFFFFFull && g->n4 < cap) {
                    r4 *r = &g->v4[g->n4++];
                    r->lo = (uint32_t)lo;
                    r->hi = (uint32_t)hi;
                    r->cc[0] = e2[1];
                    r->cc[1] = e2[2];
                }
            }
        }
        p = nl + 1;
    }
    free(b);
    for (size_t i = 1; i < g->n4; i++)
        if (g->v4[i - 1].lo > g->v4[i].lo) { /* tor's files are sorted; others may not be */
            qsort(g->v4, g->n4, sizeof(r4), cmp4);
            break;
        }
    return true;
}

static bool load_v6(mm_geo *g, const char *path)
{
    char *b;
    size_t n;
    if (!read_file(path, &b, &n))
        return false;
    size_t cap = n / 30 + 16;
    g->v6 = malloc(cap * sizeof(r6));
    if (!g->v6) {
        free(b);
        return false;
    }
    char *p = b, *end = b + n;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        char *c1 = memchr(p, ',', (size_t)(nl - p));
        char *c2 = c1 ? memchr(c1 + 1, ',', (size_t)(nl - c1 - 1)) : NULL;
        if (*p != '#' && c1 && c2 && c2 + 3 <= nl && is_cc(c2 + 1) && g->n6 < cap) {
            uint8_t ia[16], iz[16];
            if (hex6(p, c1, ia) && hex6(c1 + 1, c2, iz)) {
                r6 *r = &g->v6[g->n6++];
                r->lo = u128(ia);
                r->hi = u128(iz);
                r->cc[0] = c2[1];
                r->cc[1] = c2[2];
            }
        }
        p = nl + 1;
    }
    free(b);
    for (size_t i = 1; i < g->n6; i++)
        if (g->v6[i - 1].lo > g->v6[i].lo) {
            qsort(g->v6, g->n6, sizeof(r6), cmp6);
            break;
        }
    return true;
}

static bool exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

static bool try_dir(mm_geo *g, const char *dir)
{
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/geoip", dir);
    snprintf(b, sizeof b, "%s/geoip6", dir);
    if (!exists(a))
        return false;
    if (!load_v4(g, a))
        return false;
    load_v6(g, b); /* optional */
    mm_strcpy(g->source, sizeof g->source, dir);
    return true;
}

mm_geo *mm_geo_open(const char *path, char *err, size_t errlen)
{
    mm_geo *g = calloc(1, sizeof(*g));
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (path) {
        size_t l = strlen(path);
        if (l > 5 && strcmp(path + l - 5, ".mmdb") == 0) {
            int r = MMDB_open(path, MMDB_MODE_MMAP, &g->mmdb);
            if (r != MMDB_SUCCESS) {
                snprintf(err, errlen, "%s: %s", path, MMDB_strerror(r));
                free(g);
                return NULL;
            }
            g->have_mmdb = true;
            mm_strcpy(g->source, sizeof g->source, path);
            return g;
        }
        if (try_dir(g, path))
            return g;
        snprintf(err, errlen, "%s: no geoip file there (expected DIR/geoip or a .mmdb file)", path);
        mm_geo_close(g);
        return NULL;
    }
    const char *env = getenv("MIMAMORI_GEOIP");
    const char *cands[] = {env, MM_SRCDATADIR "/geoip", MM_DATADIR "/geoip", "/usr/share/tor"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++)
        if (cands[i] && try_dir(g, cands[i]))
            return g;
    snprintf(err, errlen, "no GeoIP data found (run scripts/install-deps.sh)");
    mm_geo_close(g);
    return NULL;
}

void mm_geo_close(mm_geo *g)
{
    if (!g)
        return;
    if (g->have_mmdb)
        MMDB_close(&g->mmdb);
    free(g->v4);
    free(g->v6);
    for (size_t i = 0; i < g->nnames; i++) {
        free(g->names[i].en);
        free(g->names[i].ja);
    }
    free(g->names);
    free(g);
}

size_t mm_geo_ranges(const mm_geo *g, int v) { return g ? (v == 4 ? g->n4 : g->n6) : 0; }
const char *mm_geo_source(const mm_geo *g) { return g ? g->source : ""; }

const char *mm_geo_kind_name(mm_geo_kind k)
{
    switch (k) {
    case MM_GEO_COUNTRY: return "country";
    case MM_GEO_UNKNOWN: return "unknown";
    case MM_GEO_PRIVATE: return "private";
    case MM_GEO_LOOPBACK: return "loopback";
    case MM_GEO_LINKLOCAL: return "link-local";
    case MM_GEO_MULTICAST: return "multicast";
    default: return "reserved";
    }
}

static bool in4(uint32_t a, uint32_t net, int bits)
{
    uint32_t m = bits == 0 ? 0 : 0xFFFFFFFFu << (32 - bits);
    return (a & m) == net;
}

mm_geo_kind mm_geo_special(const mm_ip *ip)
{
    if (ip->v == 4) {
        uint32_t a = ((uint32_t)ip->b[0] << 24) | ((uint32_t)ip->b[1] << 16) |
                     ((uint32_t)ip->b[2] << 8) | ip->b[3];
        if (in4(a, 0x0A000000, 8) || in4(a, 0xAC100000, 12) || in4(a, 0xC0A80000, 16) ||
            in4(a, 0x64400000, 10))
            return MM_GEO_PRIVATE;
        if (in4(a, 0x7F000000, 8)) return MM_GEO_LOOPBACK;
        if (in4(a, 0xA9FE0000, 16)) return MM_GEO_LINKLOCAL;
        if (in4(a, 0xE0000000, 4)) return MM_GEO_MULTICAST;
        if (in4(a, 0x00000000, 8) || in4(a, 0xC0000000, 24) || in4(a, 0xC0000200, 24) ||
            in4(a, 0xC6120000, 15) || in4(a, 0xC6336400, 24) || in4(a, 0xCB007100, 24) ||
            in4(a, 0xF0000000, 4))
            return MM_GEO_RESERVED;
        return MM_GEO_COUNTRY;
    }
    const uint8_t *b = ip->b;
    static const uint8_t zero[16];
    if (memcmp(b, zero, 15) == 0 && b[15] == 1) return MM_GEO_LOOPBACK;
    if (memcmp(b, zero, 16) == 0) return MM_GEO_RESERVED;
    if ((b[0] & 0xFE) == 0xFC) return MM_GEO_PRIVATE;
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return MM_GEO_LINKLOCAL;
    if (b[0] == 0xFF) return MM_GEO_MULTICAST;
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return MM_GEO_RESERVED;
    if (memcmp(b, zero, 10) == 0 && b[10] == 0xFF && b[11] == 0xFF) {
        mm_ip v4 = {{b[12], b[13], b[14], b[15]}, 4};
        return mm_geo_special(&v4);
    }
    if ((b[0] & 0xE0) != 0x20) return MM_GEO_RESERVED; /* outside global unicast 2000::/3 */
    return MM_GEO_COUNTRY;
}

static bool mmdb_country(const mm_geo *g, const mm_ip *ip, char cc[3])
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (ip->v == 4) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, ip->b, 4);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, ip->b, 16);
    }
    int merr = 0;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr((MMDB_s *)&g->mmdb, (struct sockaddr *)&ss, &merr);
    if (merr != MMDB_SUCCESS || !r.found_entry)
        return false;
    MMDB_entry_data_s d;
    const char *paths[2][3] = {{"country", "iso_code", NULL}, {"registered_country", "iso_code", NULL}};
    for (int i = 0; i < 2; i++) {
        if (MMDB_aget_value(&r.entry, &d, paths[i]) == MMDB_SUCCESS && d.has_data &&
            d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size == 2 && is_cc(d.utf8_string)) {
            cc[0] = d.utf8_string[0];
            cc[1] = d.utf8_string[1];
            cc[2] = 0;
            return true;
        }
    }
    return false;
}

mm_geo_kind mm_geo_lookup(const mm_geo *g, const mm_ip *ip, char cc[3])
{
    cc[0] = 0;
    mm_geo_kind k = mm_geo_special(ip);
    if (k != MM_GEO_COUNTRY)
        return k;
    if (!g)
        return MM_GEO_UNKNOWN;
    if (g->have_mmdb)
        return mmdb_country(g, ip, cc) ? MM_GEO_COUNTRY : MM_GEO_UNKNOWN;
    const char *found = NULL;
    if (ip->v == 4) {
        uint32_t a = ((uint32_t)ip->b[0] << 24) | ((uint32_t)ip->b[1] << 16) |
                     ((uint32_t)ip->b[2] << 8) | ip->b[3];
        size_t lo = 0, hi = g->n4;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (g->v4[mid].lo <= a) lo = mid + 1; else hi = mid;
        }
        if (lo > 0 && a <= g->v4[lo - 1].hi)
            found = g->v4[lo - 1].cc;
    } else {
        unsigned __int128 a = u128(ip->b);
        size_t lo = 0, hi = g->n6;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (g->v6[mid].lo <= a) lo = mid + 1; else hi = mid;
        }
        if (lo > 0 && a <= g->v6[lo - 1].hi)
            found = g->v6[lo - 1].cc;
    }
    if (!found)
        return MM_GEO_UNKNOWN;
    cc[0] = found[0];
    cc[1] = found[1];
    cc[2] = 0;
    return MM_GEO_COUNTRY;
}

/* ---- country names from iso-codes ---- */

/* Next JSON string value after "key": within [p, end); unescapes \" \\ \/ only
 * (iso-codes names use no other escapes); returns malloc'd or NULL. */
static char *json_value(const char *p, const char *end, const char *key)
{
    char pat[40];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    size_t pl = strlen(pat);
    for (const char *q = p; q + pl < end; q++) {
        if (memcmp(q, pat, pl) != 0)
            continue;
        q += pl;
        while (q < end && (*q == ' ' || *q == ':'))
            q++;
        if (q >= end || *q != '"')
            return NULL;
        q++;
        char *out = malloc((size_t)(end - q) + 1);
        if (!out)
            return NULL;
        size_t k = 0;
        while (q < end && *q != '"') {
            if (*q == '\\' && q + 1 < end)
                q++;
            out[k++] = *q++;
        }
        out[k] = 0;
        return out;
    }
    return NULL;
}

static uint32_t rd32mo(const char *mo, uint64_t off, bool sw)
{
    uint32_t v;
    memcpy(&v, mo + off, 4);
    return sw ? __builtin_bswap32(v) : v;
}

/* gettext .mo lookup: translation of msgid, or NULL. */
static const char *mo_lookup(const char *mo, size_t n, const char *msgid)
{
    if (n < 28)
        return NULL;
    uint32_t magic;
    memcpy(&magic, mo, 4);
    bool sw = magic == 0xde120495;
    if (magic != 0x950412de && !sw)
        return NULL;
#define RD(off) rd32mo(mo, (off), sw)
    uint32_t cnt = RD(8), oo = RD(12), to = RD(16);
    if ((uint64_t)oo + (uint64_t)cnt * 8 > n || (uint64_t)to + (uint64_t)cnt * 8 > n)
        return NULL;
    size_t ml = strlen(msgid);
    for (uint32_t i = 0; i < cnt; i++) {
        uint32_t l = RD(oo + i * 8), o = RD(oo + i * 8 + 4);
        if ((uint64_t)o + l >= n || l != ml || memcmp(mo + o, msgid, ml) != 0)
            continue;
        uint32_t tl = RD(to + i * 8), tof = RD(to + i * 8 + 4);
        if ((uint64_t)tof + tl >= n || mo[tof + tl] != 0)
            return NULL;
        return mo + tof;
    }
#undef RD
    return NULL;
}

static void load_names(mm_geo *g)
{
    g->names_loaded = true;
    char *js, *mo = NULL;
    size_t jn, mon = 0;
    if (!read_file("/usr/share/iso-codes/json/iso_3166-1.json", &js, &jn))
        return;
    read_file("/usr/share/locale/ja/LC_MESSAGES/iso_3166-1.mo", &mo, &mon);
    size_t cap = 0;
    const char *p = js, *end = js + jn;
    while ((p = memchr(p, '{', (size_t)(end - p))) != NULL) {
        const char *e = memchr(p + 1, '}', (size_t)(end - p - 1));
        if (!e)
            break;
        char *a2 = json_value(p, e, "alpha_2");
        char *name = json_value(p, e, "name");
        char *common = json_value(p, e, "common_name");
        if (a2 && name && strlen(a2) == 2) {
            if (g->nnames == cap) {
                size_t nc = cap ? cap * 2 : 256;
                cname *nn = realloc(g->names, nc * sizeof(*nn));
                if (!nn)
                    break;
                g->names = nn;
                cap = nc;
            }
            cname *c = &g->names[g->nnames++];
            memcpy(c->cc, a2, 3);
            c->en = strdup(common ? common : name);
            const char *ja = mo ? mo_lookup(mo, mon, common ? common : name) : NULL;
            if (!ja && mo)
                ja = mo_lookup(mo, mon, name);
            c->ja = ja ? strdup(ja) : NULL;
        }
        free(a2);
        free(name);
        free(common);
        p = e + 1;
    }
    free(js);
    free(mo);
}

const char *mm_geo_country_name(mm_geo *g, const char *cc, const char *lang)
{
    if (!g)
        return NULL;
    if (!g->names_loaded)
        load_names(g);
    for (size_t i = 0; i < g->nnames; i++)
        if (strcmp(g->names[i].cc, cc) == 0)
            return strcmp(lang, "ja") == 0 && g->names[i].ja ? g->names[i].ja : g->names[i].en;
    return NULL;
}
