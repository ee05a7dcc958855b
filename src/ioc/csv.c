/*
 * csv.c - indicator tables: CSV (or tab- or semicolon-separated) with a
 * header row, columns mapped by name; also abuse.ch's URLhaus and Feodo
 * Tracker CSV files, whose header is the last comment line before the data
 * ("# id,dateadded,url,...").
 *
 * A column is one of: a value of a known type (its header names the type:
 * "ip", "domain", "fqdn", "url", "sha256", "ファイル名" ...), a value of any
 * type ("value", "indicator", "ioc", "hash": the type comes from a "type"
 * column when there is one, else it is recognised), or something about the
 * row's values (description, first and last seen, confidence, TLP, source,
 * id, to_ids). One row may give several indicators: an advisory's table
 * with an FQDN and an IP column gives both. --columns overrides the mapping:
 * "value=IOC,type=Kind,desc=3" (a header name or a 1-based column number;
 * roles: value, type, desc, first_seen, last_seen, confidence, tlp,
 * source, ref, to_ids, or a type name such as domain=Host).
 *
 * Fields follow RFC 4180 (quotes, doubled quotes, line breaks in quotes).
 */
#include "ioc/ioc.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_COLS 64
#define FIELD_MAX 4096

enum role { R_NONE, R_VALUE, R_TYPE, R_DESC, R_FIRST, R_LAST, R_CONF, R_TLP, R_SOURCE, R_REF,
            R_TOIDS };

typedef struct col {
    enum role role;
    mm_ioc_type type;      /* R_VALUE: the column's type (IOC_NONE: from a type column or guessed) */
} col;

typedef struct csv_rd {
    const char *p, *end;
    char sep;
    uint64_t line;         /* line of the row being read (1-based) */
    char *f[MAX_COLS];
    size_t fl[MAX_COLS];
    int nf;
    char buf[MAX_COLS * 256 + FIELD_MAX];
    bool cut;              /* a field was longer than the buffer allows */
} csv_rd;

/* Reads one row into r->f; false at the end. */
static bool next_row(csv_rd *r)
{
    if (r->p >= r->end)
        return false;
    r->nf = 0;
    r->cut = false;
    size_t k = 0;
    bool more = true;
    while (more && r->p < r->end) {
        if (r->nf >= MAX_COLS) {        /* drop the rest of the row */
            while (r->p < r->end && *r->p != '\n')
                r->p++;
            break;
        }
        r->f[r->nf] = r->buf + k;
        size_t start = k;
        bool q = r->p < r->end && *r->p == '"';
        if (q)
            r->p++;
        more = false;
        while (r->p < r->end) {
            char c = *r->p;
            if (q) {
                if (c == '"') {
                    if (r->p + 1 < r->end && r->p[1] == '"') {
                        r->p += 2;
                        c = '"';
                    } else {
                        r->p++;
                        q = false;
                        continue;
                    }
                } else {
                    if (c == '\n')
                        r->line++;
                    r->p++;
                }
            } else {
                if (c == r->sep) {
                    r->p++;
                    more = true;
                    break;
                }
                if (c == '\n') {
                    r->p++;
                    r->line++;
                    break;
                }
                r->p++;
                if (c == '\r')
                    continue;
            }
            if (k + 1 < sizeof r->buf && k - start < FIELD_MAX)
                r->buf[k++] = c;
            else
                r->cut = true;
        }
        if (r->p >= r->end && !more)
            r->line++;
        r->fl[r->nf] = k - start;
        r->buf[k++] = 0;
        if (k >= sizeof r->buf)
            k = sizeof r->buf - 1;
        r->nf++;
    }
    return true;
}

static void trim(char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
    (*s)[*n] = 0;
}

/* The role of a header cell. */
static col role_of(const char *h0)
{
    char h[128];
    size_t n = 0;
    for (; h0[n] && n + 1 < sizeof h; n++)
        h[n] = (char)tolower((unsigned char)h0[n]);
    h[n] = 0;
    for (size_t i = 0; i < n; i++)
        if (h[i] == ' ' || h[i] == '-')
            h[i] = '_';
    static const struct { const char *name; enum role role; mm_ioc_type t; } names[] = {
        {"value", R_VALUE, IOC_NONE}, {"indicator", R_VALUE, IOC_NONE},
        {"ioc", R_VALUE, IOC_NONE}, {"ioc_value", R_VALUE, IOC_NONE},
        {"indicator_value", R_VALUE, IOC_NONE}, {"observable", R_VALUE, IOC_NONE},
        {"hash", R_VALUE, IOC_NONE}, {"hashes", R_VALUE, IOC_NONE},
        {"file_hash", R_VALUE, IOC_NONE}, {"ハッシュ値", R_VALUE, IOC_NONE},
        {"ハッシュ", R_VALUE, IOC_NONE}, {"ip", R_VALUE, IOC_IPV4},
        {"ip_address", R_VALUE, IOC_IPV4}, {"ipaddress", R_VALUE, IOC_IPV4},
        {"ipv4", R_VALUE, IOC_IPV4}, {"ipv6", R_VALUE, IOC_IPV6}, {"dst_ip", R_VALUE, IOC_IPV4},
        {"src_ip", R_VALUE, IOC_IPV4}, {"ip_dst", R_VALUE, IOC_IPV4},
        {"dstip", R_VALUE, IOC_IPV4}, {"c2_ip", R_VALUE, IOC_IPV4},
        {"ipアドレス", R_VALUE, IOC_IPV4}, {"cidr", R_VALUE, IOC_CIDR},
        {"network", R_VALUE, IOC_CIDR}, {"domain", R_VALUE, IOC_DOMAIN},
        {"domain_name", R_VALUE, IOC_DOMAIN}, {"fqdn", R_VALUE, IOC_DOMAIN},
        {"hostname", R_VALUE, IOC_DOMAIN}, {"host", R_VALUE, IOC_DOMAIN},
        {"ドメイン", R_VALUE, IOC_DOMAIN}, {"ドメイン名", R_VALUE, IOC_DOMAIN},
        {"url", R_VALUE, IOC_URL}, {"uri", R_VALUE, IOC_URL}, {"email", R_VALUE, IOC_EMAIL},
        {"email_address", R_VALUE, IOC_EMAIL}, {"sender", R_VALUE, IOC_EMAIL},
        {"メールアドレス", R_VALUE, IOC_EMAIL}, {"送信元", R_VALUE, IOC_EMAIL},
        {"md5", R_VALUE, IOC_MD5}, {"md5_hash", R_VALUE, IOC_MD5}, {"sha1", R_VALUE, IOC_SHA1},
        {"sha1_hash", R_VALUE, IOC_SHA1}, {"sha256", R_VALUE, IOC_SHA256},
        {"sha256_hash", R_VALUE, IOC_SHA256}, {"sha_256", R_VALUE, IOC_SHA256},
        {"sha_1", R_VALUE, IOC_SHA1}, {"ja3", R_VALUE, IOC_JA3}, {"ja3_md5", R_VALUE, IOC_JA3},
        {"ja3s", R_VALUE, IOC_JA3}, {"ja4", R_VALUE, IOC_JA4}, {"filename", R_VALUE, IOC_FILENAME},
        {"file_name", R_VALUE, IOC_FILENAME}, {"ファイル名", R_VALUE, IOC_FILENAME},
        {"regkey", R_VALUE, IOC_REGKEY}, {"registry_key", R_VALUE, IOC_REGKEY},
        {"レジストリ", R_VALUE, IOC_REGKEY},
        {"user_agent", R_VALUE, IOC_USER_AGENT}, {"useragent", R_VALUE, IOC_USER_AGENT},
        {"subject", R_VALUE, IOC_SUBJECT}, {"件名", R_VALUE, IOC_SUBJECT},
        {"type", R_TYPE, 0}, {"kind", R_TYPE, 0}, {"ioc_type", R_TYPE, 0},
        {"indicator_type", R_TYPE, 0}, {"種別", R_TYPE, 0}, {"description", R_DESC, 0},
        {"comment", R_DESC, 0}, {"threat", R_DESC, 0}, {"malware", R_DESC, 0},
        {"malware_printable", R_DESC, 0}, {"threat_type", R_DESC, 0}, {"tags", R_DESC, 0},
        {"name", R_DESC, 0}, {"info", R_DESC, 0}, {"説明", R_DESC, 0}, {"備考", R_DESC, 0},
        {"first_seen", R_FIRST, 0}, {"first_seen_utc", R_FIRST, 0}, {"firstseen", R_FIRST, 0},
        {"dateadded", R_FIRST, 0}, {"date_added", R_FIRST, 0}, {"date", R_FIRST, 0},
        {"created", R_FIRST, 0}, {"timestamp", R_FIRST, 0}, {"last_seen", R_LAST, 0},
        {"last_seen_utc", R_LAST, 0}, {"lastseen", R_LAST, 0}, {"last_online", R_LAST, 0},
        {"modified", R_LAST, 0}, {"confidence", R_CONF, 0}, {"confidence_level", R_CONF, 0},
        {"score", R_CONF, 0}, {"tlp", R_TLP, 0}, {"source", R_SOURCE, 0},
        {"reporter", R_SOURCE, 0}, {"feed", R_SOURCE, 0}, {"id", R_REF, 0}, {"uuid", R_REF, 0},
        {"ioc_id", R_REF, 0}, {"ref", R_REF, 0}, {"reference", R_REF, 0},
        {"to_ids", R_TOIDS, 0},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(h, names[i].name) == 0)
            return (col){names[i].role, names[i].t};
    return (col){R_NONE, IOC_NONE};
}

static const char *const role_names[] = {"", "value", "type", "desc", "first_seen", "last_seen",
                                         "confidence", "tlp", "source", "ref", "to_ids"};

/* Applies --columns: "role=header-or-number,...". */
static int apply_columns(const char *spec, col *cols, int ncols, char *const *hdr, char *err,
                         size_t errlen)
{
    char buf[1024];
    if (!mm_strcpy(buf, sizeof buf, spec)) {
        snprintf(err, errlen, "--columns: too long");
        return -1;
    }
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq) {
            snprintf(err, errlen, "--columns: \"%s\" is not role=column", item);
            return -1;
        }
        *eq = 0;
        const char *what = eq + 1;
        int idx = -1;
        char *end;
        long num = strtol(what, &end, 10);
        if (*what && !*end && num >= 1 && num <= ncols)
            idx = (int)num - 1;
        for (int i = 0; i < ncols && idx < 0; i++)
            if (hdr[i] && strcasecmp(hdr[i], what) == 0)
                idx = i;
        if (idx < 0) {
            snprintf(err, errlen, "--columns: no column \"%s\"", what);
            return -1;
        }
        col c = {R_NONE, IOC_NONE};
        for (int r = 1; r < (int)(sizeof role_names / sizeof role_names[0]); r++)
            if (strcasecmp(item, role_names[r]) == 0)
                c.role = (enum role)r;
        if (c.role == R_NONE) {
            c.type = mm_ioc_type_parse(item);
            if (c.type == IOC_NONE) {
                snprintf(err, errlen, "--columns: unknown role \"%s\"", item);
                return -1;
            }
            c.role = R_VALUE;
        }
        cols[idx] = c;
    }
    return 0;
}

/* "2024-08-12 10:15:09" (UTC unless it says), ISO 8601, or epoch seconds. */
static int64_t parse_time(const char *s)
{
    if (!*s)
        return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*end && v > 0 && v < 32503680000LL)
        return (int64_t)v * 1000000;
    char b[64];
    if (!mm_strcpy(b, sizeof b, s))
        return 0;
    if (strlen(b) >= 19 && b[10] == ' ')
        b[10] = 'T';
    size_t n = strlen(b);
    if (n == 19 && n + 2 < sizeof b)
        memcpy(b + n, "Z", 2);
    int64_t us;
    return mm_parse_iso_ts(b, &us) ? us : 0;
}

static char pick_sep(const char *l, size_t n)
{
    size_t c = 0, t = 0, sc = 0;
    bool q = false;
    for (size_t i = 0; i < n; i++) {
        if (l[i] == '"')
            q = !q;
        else if (!q)
            c += l[i] == ',', t += l[i] == '\t', sc += l[i] == ';';
    }
    return t > c && t >= sc ? '\t' : sc > c ? ';' : ',';
}

int mm_ioc_read_csv(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                    mm_ioc_read_stats *st, char *err, size_t errlen)
{
    const char *p = d, *end = d + n;
    if (n >= 3 && (unsigned char)d[0] == 0xef && (unsigned char)d[1] == 0xbb &&
        (unsigned char)d[2] == 0xbf)
        p += 3;
    /* the header: the first line that is not a comment, unless the last
     * comment line before it is a header (abuse.ch) */
    const char *hdr = NULL, *hdr_end = NULL, *last_comment = NULL, *lc_end = NULL;
    uint64_t line = 0, hdr_line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        const char *q = p;
        while (q < le && isspace((unsigned char)*q))
            q++;
        if (q < le && *q == '#') {
            q++;
            while (q < le && *q == ' ')
                q++;
            if (memchr(q, ',', (size_t)(le - q)))
                last_comment = q, lc_end = le;
        } else if (q < le) {
            hdr = q;
            hdr_end = le;
            hdr_line = line;
            break;
        }
        p = nl ? nl + 1 : end;
    }
    if (!hdr) {
        return 0;                    /* nothing but comments */
    }
    csv_rd *r = calloc(1, sizeof *r);
    char *names[MAX_COLS] = {0};
    col cols[MAX_COLS];
    memset(cols, 0, sizeof cols);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int ncols = 0, rc = 0;
    bool data_is_hdr = true;
    /* is the commented line the header? (it names value columns and the
     * first line does not) */
    for (int pass = 0; pass < 2; pass++) {
        const char *hs = pass == 0 && last_comment ? last_comment : hdr;
        const char *he = pass == 0 && last_comment ? lc_end : hdr_end;
        if (pass == 0 && !last_comment)
            continue;
        r->p = hs;
        r->end = he;
        r->sep = pick_sep(hs, (size_t)(he - hs));
        next_row(r);
        bool any = false;
        for (int i = 0; i < r->nf; i++) {
            char *f = r->f[i];
            size_t fl = r->fl[i];
            trim(&f, &fl);
            any |= role_of(f).role == R_VALUE;
        }
        if (any || pass == 1) {
            ncols = r->nf;
            for (int i = 0; i < ncols; i++) {
                char *f = r->f[i];
                size_t fl = r->fl[i];
                trim(&f, &fl);
                names[i] = strdup(f);
                cols[i] = role_of(f);
            }
            data_is_hdr = pass == 1;
            break;
        }
    }
    char sep = r->sep;
    if (o->columns && apply_columns(o->columns, cols, ncols, names, err, errlen) != 0) {
        rc = -1;
        goto out;
    }
    bool has_value = false;
    for (int i = 0; i < ncols; i++)
        has_value |= cols[i].role == R_VALUE;
    if (!has_value) {
        snprintf(err, errlen, "no column of indicator values in the header (line %llu); name "
                 "them with --columns value=NAME", (unsigned long long)hdr_line);
        rc = -1;
        goto out;
    }
    r->p = data_is_hdr ? hdr_end : hdr;
    if (data_is_hdr && r->p < end)
        r->p++;
    r->end = end;
    r->sep = sep;
    r->line = data_is_hdr ? hdr_line : hdr_line - 1;
    mm_ioc base = {.source = o->source, .confidence = -1, .to_ids = true};
    while (true) {
        uint64_t row_line = r->line + 1;
        if (!next_row(r))
            break;
        if (r->nf == 1 && r->fl[0] == 0)
            continue;
        if (r->fl[0] > 0 && r->f[0][0] == '#')
            continue;
        char where[48];
        snprintf(where, sizeof where, "line %llu", (unsigned long long)row_line);
        if (r->cut) {
            mm_ioc_bad(s, st, where, "a field longer than 4096 bytes");
            continue;
        }
        mm_ioc c = base;
        mm_ioc_type rowtype = IOC_NONE;
        char desc[512] = "";
        for (int i = 0; i < r->nf && i < ncols; i++) {
            char *f = r->f[i];
            size_t fl = r->fl[i];
            trim(&f, &fl);
            if (!fl)
                continue;
            switch (cols[i].role) {
            case R_TYPE:
                rowtype = mm_ioc_type_parse(f);
                break;
            case R_DESC: {
                size_t dl = strlen(desc);
                snprintf(desc + dl, sizeof desc - dl, "%s%s", dl ? "; " : "", f);
                break;
            }
            case R_FIRST:
                c.first_seen = parse_time(f);
                break;
            case R_LAST:
                c.last_seen = parse_time(f);
                break;
            case R_CONF: {
                long v = strtol(f, NULL, 10);
                c.confidence = v < 0 ? 0 : v > 100 ? 100 : (int)v;
                break;
            }
            case R_TLP:
                c.tlp = f;
                break;
            case R_SOURCE:
                c.source = f;
                break;
            case R_REF:
                c.ref = f;
                break;
            case R_TOIDS:
                c.to_ids = !(strcmp(f, "0") == 0 || strcasecmp(f, "false") == 0);
                break;
            default:
                break;
            }
        }
        if (c.tlp && strncasecmp(c.tlp, "tlp:", 4) == 0)
            c.tlp += 4;
        c.desc = desc[0] ? desc : NULL;
        int got = 0;
        for (int i = 0; i < r->nf && i < ncols; i++) {
            if (cols[i].role != R_VALUE)
                continue;
            char *f = r->f[i];
            size_t fl = r->fl[i];
            trim(&f, &fl);
            if (!fl)
                continue;
            got++;
            mm_ioc_type t = cols[i].type != IOC_NONE ? cols[i].type : rowtype;
            if (mm_ioc_emit(s, st, &c, t, f, fl, where) != 0)
                goto out;
        }
        if (!got)
            st->skipped++;
    }
out:
    for (int i = 0; i < MAX_COLS; i++)
        free(names[i]);
    free(r);
    return rc;
}
