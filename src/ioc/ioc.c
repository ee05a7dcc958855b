/*
 * ioc.c - indicator types, their normal form, and the reading of indicator
 * files (format recognised from the content, then one reader per format).
 *
 * Normalising is the one place where a value from a feed is judged: the
 * readers only find values and hand them over through mm_ioc_emit, which
 * guesses the type when the format does not say it, refangs, normalises,
 * refuses what would match everything, and counts. See ioc.h for the
 * normal form of each type.
 */
#include "ioc/ioc.h"
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_FILE_MAX (1024u << 20)   /* a CSV indicator file is read whole, up to this */
#define CHUNK (4u << 20)              /* other line-based files: read in pieces of this */
#define LINE_MAX_BYTES (64u << 10)    /* longer lines are cut (and then refused) */
#define SNIFF_BYTES 65536

static const char *const type_names[IOC__COUNT] = {
    "", "ipv4", "ipv6", "cidr", "domain", "url", "email", "md5", "sha1", "sha256",
    "ja3", "ja4", "filename", "user-agent", "subject", "regkey",
};

const char *mm_ioc_type_name(mm_ioc_type t)
{
    return (unsigned)t < IOC__COUNT ? type_names[t] : "";
}

/* Other spellings feeds use for the same types (MISP, OpenCTI, CSV headers). */
static const struct { const char *name; mm_ioc_type t; } type_alias[] = {
    {"ip", IOC_IPV4}, {"ip-addr", IOC_IPV4}, {"ipv4-addr", IOC_IPV4}, {"ip-dst", IOC_IPV4},
    {"ip-src", IOC_IPV4}, {"ipv6-addr", IOC_IPV6}, {"ipaddress", IOC_IPV4},
    {"ip_address", IOC_IPV4}, {"ip address", IOC_IPV4}, {"ipv4_addr", IOC_IPV4},
    {"network", IOC_CIDR}, {"ip-range", IOC_CIDR}, {"subnet", IOC_CIDR},
    {"hostname", IOC_DOMAIN}, {"fqdn", IOC_DOMAIN}, {"domain-name", IOC_DOMAIN},
    {"host", IOC_DOMAIN}, {"domain_name", IOC_DOMAIN}, {"uri", IOC_URL}, {"link", IOC_URL},
    {"email-addr", IOC_EMAIL}, {"email-src", IOC_EMAIL}, {"email-dst", IOC_EMAIL},
    {"mail", IOC_EMAIL}, {"e-mail", IOC_EMAIL}, {"md5_hash", IOC_MD5}, {"sha-1", IOC_SHA1},
    {"sha1_hash", IOC_SHA1}, {"sha-256", IOC_SHA256}, {"sha256_hash", IOC_SHA256},
    {"ja3-fingerprint-md5", IOC_JA3}, {"ja3_md5", IOC_JA3}, {"ja3s", IOC_JA3},
    {"ja3_hash", IOC_JA3}, {"file-name", IOC_FILENAME}, {"file_name", IOC_FILENAME},
    {"file", IOC_FILENAME}, {"email-attachment", IOC_FILENAME}, {"user_agent", IOC_USER_AGENT},
    {"useragent", IOC_USER_AGENT}, {"email-subject", IOC_SUBJECT},
    {"registry", IOC_REGKEY}, {"registry-key", IOC_REGKEY}, {"windows-registry-key", IOC_REGKEY},
    {"reg_key", IOC_REGKEY}, {"registry_key", IOC_REGKEY},
};

mm_ioc_type mm_ioc_type_parse(const char *name)
{
    if (!name || !*name)
        return IOC_NONE;
    for (int i = 1; i < IOC__COUNT; i++)
        if (strcasecmp(name, type_names[i]) == 0)
            return (mm_ioc_type)i;
    for (size_t i = 0; i < sizeof type_alias / sizeof type_alias[0]; i++)
        if (strcasecmp(name, type_alias[i].name) == 0)
            return type_alias[i].t;
    return IOC_NONE;
}

/* ---- refanging ---- */

/* "hxxp://", "hxxps[://]", "hXXp:": a defanged URL scheme. Only a scheme
 * is rewritten: a name that merely starts with "hxxp" is left alone. */
static bool defanged_scheme(const char *s, size_t n)
{
    if (n < 5 || strncasecmp(s, "hxxp", 4) != 0)
        return false;
    size_t i = 4;
    if (s[i] == 's' || s[i] == 'S')
        i++;
    return i < n && (s[i] == ':' || (s[i] == '[' && i + 1 < n && s[i + 1] == ':'));
}

/* Copies s[0..n) into out with the usual defanging undone and the
 * surrounding blanks (and a pair of quotes or angle brackets) dropped. */
static size_t refang(const char *s, size_t n, char *out, size_t outlen)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    while (n >= 2 && ((s[0] == '"' && s[n - 1] == '"') || (s[0] == '\'' && s[n - 1] == '\'') ||
                      (s[0] == '<' && s[n - 1] == '>'))) {
        s++, n -= 2;
        while (n && isspace((unsigned char)*s))
            s++, n--;
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
    }
    static const struct { const char *from; const char *to; } subst[] = {
        {"[.]", "."}, {"(.)", "."}, {"{.}", "."}, {"[dot]", "."}, {"(dot)", "."},
        {"[:]", ":"}, {"[://]", "://"}, {"[at]", "@"}, {"(at)", "@"}, {"[@]", "@"},
        {"[/]", "/"},
    };
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (k + 1 >= outlen)
            return 0;
        if (i == 0 && defanged_scheme(s, n)) {
            memcpy(out, "http", 4);
            k = 4;
            i = 4;
            continue;
        }
        bool done = false;
        if (s[i] == '[' || s[i] == '(' || s[i] == '{') {
            for (size_t j = 0; j < sizeof subst / sizeof subst[0]; j++) {
                size_t fl = strlen(subst[j].from), tl = strlen(subst[j].to);
                if (i + fl <= n && strncasecmp(s + i, subst[j].from, fl) == 0) {
                    if (k + tl + 1 >= outlen)
                        return 0;
                    memcpy(out + k, subst[j].to, tl);
                    k += tl;
                    i += fl;
                    done = true;
                    break;
                }
            }
        }
        if (!done)
            out[k++] = s[i++];
    }
    out[k] = 0;
    return k;
}

/* ---- shapes ---- */

static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return n > 0;
}

static bool host_char(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c >= 0x80;
}

/* A JA4 fingerprint: "t13d1516h2_8daaf6152771_b0da82dd1658" (and the JA4S,
 * JA4H shapes: letters and digits in three or four parts joined by '_'). */
static bool ja4_shape(const char *s, size_t n)
{
    if (n < 20 || n > 80 || !(s[0] == 't' || s[0] == 'q' || s[0] == 'd' || s[0] == 'T' ||
                              s[0] == 'Q' || s[0] == 'D'))
        return false;
    int parts = 1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_')
            parts++;
        else if (!isalnum((unsigned char)s[i]))
            return false;
    }
    return parts >= 3 && parts <= 4 && isdigit((unsigned char)s[1]);
}

/* Extensions of files that are not top-level domains (and the two TLDs,
 * zip and mov, that lists of file names mean far more often). */
static bool file_ext(const char *ext, size_t n)
{
    static const char *const exts[] = {
        "exe", "dll", "sys", "scr", "com.exe", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js",
        "jse", "wsf", "hta", "lnk", "msi", "msp", "jar", "class", "apk", "elf", "bin", "so",
        "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "pptm", "rtf", "pdf",
        "txt", "csv", "zip", "rar", "7z", "gz", "tgz", "tar", "cab", "iso", "img", "vhd",
        "vhdx", "one", "chm", "php", "phtml", "jsp", "jspx", "asp", "aspx", "ashx", "asmx",
        "cgi", "pl", "py", "sh", "dat", "tmp", "log", "ini", "cfg", "reg", "mov", "jpg",
        "jpeg", "png", "gif", "bmp", "ico", "svg", "html", "htm", "xml", "json", "war",
        "ocx", "cpl", "drv", "efi", "dmg", "pkg", "deb", "rpm", "run", "xll", "wll", "iqy",
        "slk", "library-ms", "url", "website", "eml", "msg", "vba", "bas", "inf", "db",
    };
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strlen(exts[i]) == n && strncasecmp(ext, exts[i], n) == 0)
            return true;
    return false;
}

/* Looks like a host name: labels of letters, digits, '-', '_' (or UTF-8),
 * at least two, the last starting with a letter (or "xn--"). */
static bool domain_shape(const char *s, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    size_t labels = 0, len = 0, last = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (len == 0)
                return false;
            labels++;
            len = 0;
            last = i + 1;
            continue;
        }
        if (!host_char(c) || ++len > 63)
            return false;
    }
    if (len == 0 || labels == 0)
        return false;
    unsigned char f = (unsigned char)s[last];
    return isalpha(f) || f >= 0x80;
}

mm_ioc_type mm_ioc_guess(const char *s0, size_t n0)
{
    char buf[MM_IOC_VALUE_MAX + 1];
    size_t n = refang(s0, n0, buf, sizeof buf);
    if (n == 0)
        return IOC_NONE;
    const char *s = buf;
    if (strstr(s, "://"))
        return IOC_URL;
    if (n > 2 && s[0] == '*' && s[1] == '.')
        return domain_shape(s + 2, n - 2) ? IOC_DOMAIN : IOC_NONE;
    mm_ip ip;
    const char *slash = strchr(s, '/');
    if (slash) {
        char head[64];
        size_t hl = (size_t)(slash - s);
        if (hl < sizeof head) {
            memcpy(head, s, hl);
            head[hl] = 0;
            if (mm_ip_parse(head, &ip)) {
                bool digits = slash[1] != 0;
                for (const char *p = slash + 1; *p; p++)
                    digits &= isdigit((unsigned char)*p) != 0;
                return digits ? IOC_CIDR : IOC_URL;
            }
        }
    }
    if (mm_ip_parse(s, &ip))
        return ip.v == 4 ? IOC_IPV4 : IOC_IPV6;
    /* "192.0.2.1:443" as feeds of C2 servers write them */
    const char *colon = strrchr(s, ':');
    if (colon && !strchr(s, '/') && colon == strchr(s, ':')) {
        char head[64];
        size_t hl = (size_t)(colon - s);
        if (hl < sizeof head) {
            memcpy(head, s, hl);
            head[hl] = 0;
            if (mm_ip_parse(head, &ip) && ip.v == 4)
                return IOC_IPV4;
        }
    }
    if (all_hex(s, n)) {
        if (n == 32)
            return IOC_MD5;
        if (n == 40)
            return IOC_SHA1;
        if (n == 64)
            return IOC_SHA256;
    }
    if (ja4_shape(s, n))
        return IOC_JA4;
    const char *at = strchr(s, '@');
    if (at && at > s && !strchr(s, ' ') && domain_shape(at + 1, n - (size_t)(at + 1 - s)))
        return IOC_EMAIL;
    if (slash && slash > s && domain_shape(s, (size_t)(slash - s)))
        return IOC_URL;
    size_t hive = mm_ioc_regkey_hive(s, n, NULL);
    if (hive && hive < n)
        return IOC_REGKEY;
    if (strchr(s, '\\'))
        return IOC_FILENAME;
    const char *dot = strrchr(s, '.');
    if (dot && file_ext(dot + 1, n - (size_t)(dot + 1 - s)))
        return IOC_FILENAME;
    if (domain_shape(s, n))
        return IOC_DOMAIN;
    return IOC_NONE;
}

/* ---- normal forms ---- */

static bool why_set(char *why, size_t whylen, const char *msg)
{
    if (why && whylen)
        snprintf(why, whylen, "%s", msg);
    return false;
}

static bool norm_ip(mm_ioc_type *t, char *s, char *out, size_t outlen, char *why, size_t wl)
{
    char *slash = strchr(s, '/');
    int bits = -1;
    if (slash) {
        *slash = 0;
        char *end;
        errno = 0;
        long b = strtol(slash + 1, &end, 10);
        if (*end || errno || b < 0 || b > 128 || slash[1] == 0)
            return why_set(why, wl, "not a network prefix length");
        bits = (int)b;
    }
    mm_ip ip;
    if (!mm_ip_parse(s, &ip)) {
        char *colon = strrchr(s, ':');
        if (!slash && colon && colon == strchr(s, ':')) {   /* "a.b.c.d:port" */
            *colon = 0;
            if (!mm_ip_parse(s, &ip) || ip.v != 4)
                return why_set(why, wl, "not an IP address");
        } else
            return why_set(why, wl, "not an IP address");
    }
    int maxb = ip.v == 4 ? 32 : 128;
    if (bits > maxb)
        return why_set(why, wl, "prefix longer than the address");
    if (bits >= 0 && bits < maxb) {
        if (bits < (ip.v == 4 ? 8 : 16))
            return why_set(why, wl, ip.v == 4 ? "a network shorter than /8 matches too much"
                                              : "a network shorter than /16 matches too much");
        for (int i = bits; i < maxb; i++)
            ip.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
        char a[MM_IPSTR_LEN];
        mm_ip_str(&ip, a);
        snprintf(out, outlen, "%s/%d", a, bits);
        *t = IOC_CIDR;
        return true;
    }
    if (ip.v == 4) {
        uint32_t all = 0;
        for (int i = 0; i < 4; i++)
            all |= ip.b[i];
        if (all == 0)
            return why_set(why, wl, "0.0.0.0 is no host");
    }
    mm_ip_str(&ip, out);
    *t = ip.v == 4 ? IOC_IPV4 : IOC_IPV6;
    return true;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static bool norm_domain(mm_ioc_type *t, char *s, char *out, size_t outlen, char *why, size_t wl)
{
    while (*s == '*' || *s == '.')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == '.')
        s[--n] = 0;
    lower(s);
    mm_ip ip;
    if (mm_ip_parse(s, &ip))
        return norm_ip(t, s, out, outlen, why, wl);
    if (n == 0)
        return why_set(why, wl, "an empty name matches everything");
    if (!strchr(s, '.')) {
        bool ok = true;
        for (size_t i = 0; i < n; i++)
            ok &= host_char((unsigned char)s[i]);
        return why_set(why, wl, ok ? "a top-level domain alone matches too much"
                                   : "not a domain name");
    }
    if (!domain_shape(s, n)) {
        /* digits-only last label etc.: still a name if every label is sound */
        bool ok = n <= 253;
        size_t len = 0;
        for (size_t i = 0; i < n && ok; i++) {
            if (s[i] == '.') {
                ok = len > 0;
                len = 0;
            } else
                ok = host_char((unsigned char)s[i]) && ++len <= 63;
        }
        if (!ok || len == 0)
            return why_set(why, wl, "not a domain name");
    }
    if (n + 1 > outlen)
        return why_set(why, wl, "name too long");
    memcpy(out, s, n + 1);
    *t = IOC_DOMAIN;
    return true;
}

static int default_port(const char *scheme, size_t n)
{
    if (n == 4 && strncasecmp(scheme, "http", 4) == 0)
        return 80;
    if (n == 5 && strncasecmp(scheme, "https", 5) == 0)
        return 443;
    if (n == 3 && strncasecmp(scheme, "ftp", 3) == 0)
        return 21;
    return -1;
}

/* Splits a URL: scheme (may be empty), host, port (-1: none), rest (path,
 * query; fragment cut). False when there is no host. */
typedef struct url_parts {
    const char *scheme, *host, *rest;
    size_t scheme_n, host_n, rest_n;
    long port;
} url_parts;

static bool url_split(const char *u, size_t n, url_parts *p)
{
    memset(p, 0, sizeof *p);
    p->port = -1;
    const char *end = u + n, *hash = memchr(u, '#', n);
    if (hash)
        end = hash;
    const char *sep = NULL;
    for (const char *q = u; q + 2 < end; q++) {
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            sep = q;
            break;
        }
        if (!isalnum((unsigned char)*q) && *q != '+' && *q != '-' && *q != '.')
            break;
    }
    const char *h = u;
    if (sep) {
        p->scheme = u;
        p->scheme_n = (size_t)(sep - u);
        h = sep + 3;
    }
    const char *r = h;
    while (r < end && *r != '/' && *r != '?')
        r++;
    const char *at = NULL;
    for (const char *q = h; q < r; q++)
        if (*q == '@')
            at = q;
    if (at)
        h = at + 1;               /* userinfo is not part of what is matched */
    const char *hend = r;
    if (h < r && *h == '[') {     /* [v6]:port */
        const char *cb = memchr(h, ']', (size_t)(r - h));
        if (!cb)
            return false;
        hend = cb + 1;
    } else {
        for (const char *q = h; q < r; q++)
            if (*q == ':') {
                hend = q;
                break;
            }
    }
    if (hend < r && *hend == ':') {
        long port = 0;
        const char *q = hend + 1;
        if (q == r)
            port = -1;
        for (; q < r; q++) {
            if (!isdigit((unsigned char)*q) || port > 65535)
                return false;
            port = port * 10 + (*q - '0');
        }
        if (port > 65535)
            return false;
        p->port = port;
    }
    p->host = h;
    p->host_n = (size_t)(hend - h);
    p->rest = r;
    p->rest_n = (size_t)(end - r);
    return p->host_n > 0;
}

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

size_t mm_ioc_url_key(const char *url, size_t n, char *out, size_t outlen)
{
    url_parts p;
    if (!url_split(url, n, &p) || outlen == 0)
        return 0;
    size_t k = 0;
#define PUT(c)                       \
    do {                             \
        if (k + 1 >= outlen)         \
            return 0;                \
        out[k++] = (char)(c);        \
    } while (0)
    for (size_t i = 0; i < p.host_n; i++)
        PUT(tolower((unsigned char)p.host[i]));
    while (k > 0 && out[k - 1] == '.')   /* "evil.example." */
        k--;
    int dp = p.scheme_n ? default_port(p.scheme, p.scheme_n) : 80;
    if (p.port >= 0 && p.port != dp) {
        char pb[8];
        int pl = snprintf(pb, sizeof pb, ":%ld", p.port);
        for (int i = 0; i < pl; i++)
            PUT(pb[i]);
    }
    if (p.rest_n == 0 || p.rest[0] != '/')
        PUT('/');
    for (size_t i = 0; i < p.rest_n; i++) {
        unsigned char c = (unsigned char)p.rest[i];
        if (c == '%' && i + 2 < p.rest_n) {
            int hi = hexval((unsigned char)p.rest[i + 1]);
            int lo = hexval((unsigned char)p.rest[i + 2]);
            if (hi >= 0 && lo >= 0) {
                int v = hi * 16 + lo;
                if (isalnum(v) || v == '-' || v == '.' || v == '_' || v == '~') {
                    PUT(v);
                } else {
                    PUT('%');
                    PUT(toupper((unsigned char)p.rest[i + 1]));
                    PUT(toupper((unsigned char)p.rest[i + 2]));
                }
                i += 2;
                continue;
            }
        }
        PUT(c);
    }
#undef PUT
    out[k] = 0;
    return k;
}

static bool norm_url(mm_ioc_type *t, char *s, char *out, size_t outlen, char *why, size_t wl)
{
    size_t n = strlen(s);
    url_parts p;
    if (!url_split(s, n, &p))
        return why_set(why, wl, "not a URL (no host)");
    /* the host must be a name or an address */
    char host[256];
    if (p.host_n >= sizeof host)
        return why_set(why, wl, "URL host too long");
    memcpy(host, p.host, p.host_n);
    host[p.host_n] = 0;
    lower(host);
    mm_ip ip;
    const char *h = host;
    char v6[256];
    if (host[0] == '[' && p.host_n > 2) {
        memcpy(v6, host + 1, p.host_n - 2);
        v6[p.host_n - 2] = 0;
        h = v6;
    }
    size_t hn = strlen(host);
    while (hn && host[hn - 1] == '.')
        host[--hn] = 0;
    if (!mm_ip_parse(h, &ip) && !(strchr(host, '.') && domain_shape(host, hn)))
        return why_set(why, wl, "URL host is not a name or an address");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ')
            return why_set(why, wl, "blank or control character in a URL");
    /* scheme://host[:port]rest, scheme lowercased, default port dropped */
    char scheme[16] = "http";
    if (p.scheme_n) {
        if (p.scheme_n >= sizeof scheme)
            return why_set(why, wl, "URL scheme too long");
        memcpy(scheme, p.scheme, p.scheme_n);
        scheme[p.scheme_n] = 0;
        lower(scheme);
    }
    int dp = default_port(scheme, strlen(scheme));
    char port[8] = "";
    if (p.port >= 0 && p.port != dp)
        snprintf(port, sizeof port, ":%ld", p.port);
    int w = snprintf(out, outlen, "%s://%s%s%s%.*s", scheme, host, port,
                     p.rest_n && p.rest[0] == '/' ? "" : "/", (int)p.rest_n, p.rest);
    if (w < 0 || (size_t)w >= outlen)
        return why_set(why, wl, "URL too long");
    *t = IOC_URL;
    return true;
}

static bool norm_email(char *s, char *out, size_t outlen, char *why, size_t wl)
{
    if (strncasecmp(s, "mailto:", 7) == 0)
        s += 7;
    lower(s);
    char *at = strrchr(s, '@');
    if (!at || at == s || strchr(s, ' ') || strchr(s, ','))
        return why_set(why, wl, "not an email address");
    size_t dn = strlen(at + 1);
    if (!domain_shape(at + 1, dn)) {
        mm_ip ip;
        char lit[64];
        if (!(dn > 2 && dn < sizeof lit && at[1] == '[' && at[dn] == ']'))
            return why_set(why, wl, "not an email address (domain)");
        memcpy(lit, at + 2, dn - 2);
        lit[dn - 2] = 0;
        if (!mm_ip_parse(lit, &ip))
            return why_set(why, wl, "not an email address (domain)");
    }
    return mm_strcpy(out, outlen, s) || why_set(why, wl, "address too long");
}

static bool norm_hex(const char *s, size_t want, char *out, size_t outlen, char *why, size_t wl)
{
    size_t n = strlen(s);
    if (n != want || !all_hex(s, n))
        return why_set(why, wl, want == 32 ? "not an MD5 (32 hex digits)"
                                : want == 40 ? "not a SHA-1 (40 hex digits)"
                                             : "not a SHA-256 (64 hex digits)");
    if (n + 1 > outlen)
        return false;
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    return true;
}

/* ---- registry keys ---- */

static const struct {
    const char *abbr, *full;
} hives[] = {
    {"HKLM", "HKEY_LOCAL_MACHINE"}, {"HKCU", "HKEY_CURRENT_USER"},
    {"HKCR", "HKEY_CLASSES_ROOT"},  {"HKU", "HKEY_USERS"},
    {"HKCC", "HKEY_CURRENT_CONFIG"}, {"HKPD", "HKEY_PERFORMANCE_DATA"},
    {"HKDD", "HKEY_DYN_DATA"},
};

size_t mm_ioc_regkey_hive(const char *s, size_t n, const char **full)
{
    for (size_t i = 0; i < sizeof hives / sizeof hives[0]; i++) {
        const char *names[2] = {hives[i].abbr, hives[i].full};
        for (int k = 0; k < 2; k++) {
            size_t l = strlen(names[k]);
            if (n >= l && strncasecmp(s, names[k], l) == 0 &&
                (n == l || s[l] == '\\' || s[l] == '/')) {
                if (full)
                    *full = hives[i].full;
                return l;
            }
        }
    }
    return 0;
}

size_t mm_ioc_regkey_norm(const char *s, size_t n, char *out, size_t outlen)
{
    const char *full;
    size_t hl = mm_ioc_regkey_hive(s, n, &full);
    if (!hl || outlen == 0)
        return 0;
    size_t k = strlen(full);
    if (k + 1 > outlen)
        return 0;
    memcpy(out, full, k);
    for (size_t i = hl; i < n; i++) {
        char c = s[i] == '/' ? '\\' : s[i];
        if (c == '\\' && out[k - 1] == '\\')
            continue;                   /* doubled separators are one */
        if ((unsigned char)c < 0x20 || c == 0x7f)
            return 0;
        if (k + 2 > outlen)
            return 0;
        out[k++] = c;
    }
    while (k > 0 && out[k - 1] == '\\')
        k--;
    out[k] = 0;
    return k;
}

static bool norm_regkey(const char *s, char *out, size_t outlen, char *why, size_t wl)
{
    size_t n = strlen(s);
    if (!mm_ioc_regkey_hive(s, n, NULL))
        return why_set(why, wl, "not a registry key (HKLM\\..., HKEY_CURRENT_USER\\...)");
    size_t k = mm_ioc_regkey_norm(s, n, out, outlen);
    if (!k)
        return why_set(why, wl, "registry key too long");
    if (!strchr(out, '\\'))
        return why_set(why, wl, "a registry hive alone matches everything");
    return true;
}

static bool norm_text(mm_ioc_type t, char *s, char *out, size_t outlen, char *why, size_t wl)
{
    if (t == IOC_FILENAME) {
        char *base = s;
        for (char *p = s; *p; p++)
            if (*p == '/' || *p == '\\')
                base = p + 1;
        /* the name after the last separator, trimmed and unquoted as the
         * whole value was */
        char tmp[MM_IOC_VALUE_MAX + 1];
        size_t bl = refang(base, strlen(base), tmp, sizeof tmp);
        if (bl)
            memcpy(s, tmp, bl + 1);     /* no longer than base, which lies in s */
        else
            s[0] = 0;
        if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
            return why_set(why, wl, "not a file name");
    }
    size_t n = strlen(s);
    if (n == 0 || strcmp(s, "*") == 0 || strcmp(s, "*.*") == 0)
        return why_set(why, wl, "an empty or wildcard value matches everything");
    if (t == IOC_USER_AGENT && n < 4)
        return why_set(why, wl, "a User-Agent this short matches too much");
    return mm_strcpy(out, outlen, s) || why_set(why, wl, "value too long");
}

bool mm_ioc_normalise(mm_ioc_type *t, const char *s0, size_t n0, char *out, size_t outlen,
                      char *why, size_t wl)
{
    char s[MM_IOC_VALUE_MAX + 1];
    if (n0 > MM_IOC_VALUE_MAX)
        return why_set(why, wl, "value longer than 2048 bytes");
    size_t n = refang(s0, n0, s, sizeof s);
    if (n == 0 || strcmp(s, "*") == 0)
        return why_set(why, wl, "an empty or wildcard value matches everything");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return why_set(why, wl, "control character in the value");
    if (*t == IOC_NONE)
        *t = mm_ioc_guess(s, n);
    switch (*t) {
    case IOC_IPV4:
    case IOC_IPV6:
    case IOC_CIDR:
        return norm_ip(t, s, out, outlen, why, wl);
    case IOC_DOMAIN:
        return norm_domain(t, s, out, outlen, why, wl);
    case IOC_URL:
        return norm_url(t, s, out, outlen, why, wl);
    case IOC_EMAIL:
        return norm_email(s, out, outlen, why, wl);
    case IOC_MD5:
    case IOC_JA3:
        return norm_hex(s, 32, out, outlen, why, wl);
    case IOC_SHA1:
        return norm_hex(s, 40, out, outlen, why, wl);
    case IOC_SHA256:
        return norm_hex(s, 64, out, outlen, why, wl);
    case IOC_JA4:
        if (!ja4_shape(s, n))
            return why_set(why, wl, "not a JA4 fingerprint");
        lower(s);
        return mm_strcpy(out, outlen, s);
    case IOC_FILENAME:
    case IOC_USER_AGENT:
    case IOC_SUBJECT:
        return norm_text(*t, s, out, outlen, why, wl);
    case IOC_REGKEY:
        return norm_regkey(s, out, outlen, why, wl);
    default:
        return why_set(why, wl, "not an indicator of a known type");
    }
}

size_t mm_ioc_next_label(const char *name, size_t n, size_t from)
{
    for (size_t i = from; i < n; i++)
        if (name[i] == '.')
            return i + 1;
    return n;
}

/* ---- formats ---- */

static const char *const fmt_names[IOC_FMT__COUNT] = {
    "auto", "plain", "csv", "stix", "misp", "urlhaus", "threatfox", "feodo", "dataset", "iprep",
    "mimamori",
};

const char *mm_ioc_format_name(mm_ioc_format f)
{
    return (unsigned)f < IOC_FMT__COUNT ? fmt_names[f] : "?";
}

mm_ioc_format mm_ioc_format_parse(const char *name)
{
    for (int i = 0; i < IOC_FMT__COUNT; i++)
        if (strcasecmp(name, fmt_names[i]) == 0)
            return (mm_ioc_format)i;
    if (strcasecmp(name, "txt") == 0 || strcasecmp(name, "list") == 0)
        return IOC_FMT_PLAIN;
    if (strcasecmp(name, "stix2") == 0 || strcasecmp(name, "stix2.1") == 0)
        return IOC_FMT_STIX;
    return IOC_FMT__COUNT;
}

static bool head_has(const char *h, size_t n, const char *needle)
{
    return h && n && memmem(h, n, needle, strlen(needle)) != NULL;
}

/* The first line that is not blank and not a comment. */
static const char *first_data_line(const char *h, size_t n, size_t *len)
{
    const char *p = h, *end = h + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *q = p;
        while (q < le && isspace((unsigned char)*q))
            q++;
        if (q < le && *q != '#') {
            *len = (size_t)(le - q);
            return q;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    *len = 0;
    return NULL;
}

/* A comment line that is a CSV header: three or more comma-separated
 * names without blanks inside, one of them a column of values. */
static bool comment_header(const char *p, const char *end)
{
    static const char *const values[] = {"url", "ip", "ip_address", "dst_ip", "domain",
                                         "hostname", "fqdn", "ioc", "ioc_value", "value",
                                         "indicator", "sha256_hash", "md5_hash", "sha256"};
    int fields = 0;
    bool value = false;
    while (p < end) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *fe = c ? c : end;
        while (p < fe && (*p == ' ' || *p == '"'))
            p++;
        const char *q = fe;
        while (q > p && (q[-1] == ' ' || q[-1] == '"' || q[-1] == '\r'))
            q--;
        size_t n = (size_t)(q - p);
        if (n == 0 || n > 32 || memchr(p, ' ', n))
            return false;
        for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
            value |= strlen(values[i]) == n && strncasecmp(p, values[i], n) == 0;
        fields++;
        p = c ? c + 1 : end;
    }
    return fields >= 3 && value;
}

mm_ioc_format mm_ioc_sniff(const char *name, const char *h, size_t n)
{
    if (n >= 3 && (unsigned char)h[0] == 0xef && (unsigned char)h[1] == 0xbb &&
        (unsigned char)h[2] == 0xbf)
        h += 3, n -= 3;
    size_t i = 0;
    while (i < n && isspace((unsigned char)h[i]))
        i++;
    if (i < n && (h[i] == '{' || h[i] == '[')) {
        if (head_has(h, n, "\"ioc_value\"") ||
            (head_has(h, n, "\"query_status\"") && head_has(h, n, "\"ioc_type\"")))
            return IOC_FMT_THREATFOX;       /* the export, or an API answer */
        if (head_has(h, n, "\"Event\"") || head_has(h, n, "\"Attribute\""))
            return IOC_FMT_MISP;
        if (head_has(h, n, "\"spec_version\"") || head_has(h, n, "\"bundle\"") ||
            head_has(h, n, "\"pattern\""))
            return IOC_FMT_STIX;
        return IOC_FMT_AUTO;        /* JSON of no format we know */
    }
    if (head_has(h, n, "# mimamori indicators"))
        return IOC_FMT_MIMAMORI;
    if (head_has(h, n, "URLhaus"))
        return IOC_FMT_URLHAUS;
    if (head_has(h, n, "Feodo Tracker"))
        return IOC_FMT_FEODO;
    size_t ll;
    const char *l = first_data_line(h, n, &ll);
    /* a header in the last comment line before the data, as abuse.ch
     * writes it ("# id,dateadded,url,...") */
    for (const char *p = h, *end = l ? l : h + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (*p == '#' && memchr(p, ',', (size_t)(le - p)) && comment_header(p + 1, le))
            return IOC_FMT_CSV;
        if (!nl)
            break;
        p = nl + 1;
    }
    if (l) {
        /* ip,category,score */
        int commas = 0;
        bool digits_after = true;
        for (size_t k = 0; k < ll && l[k] != '\r'; k++) {
            if (l[k] == ',')
                commas++;
            else if (commas > 0 && !isdigit((unsigned char)l[k]) && l[k] != ' ')
                digits_after = false;
        }
        const char *c1 = memchr(l, ',', ll);
        char ipb[64];
        if (commas == 2 && digits_after && c1 && (size_t)(c1 - l) < sizeof ipb) {
            memcpy(ipb, l, (size_t)(c1 - l));
            ipb[c1 - l] = 0;
            mm_ip ip;
            if (mm_ip_parse(ipb, &ip))
                return IOC_FMT_IPREP;
        }
        if (memchr(l, ',', ll) || memchr(l, '\t', ll) || memchr(l, ';', ll)) {
            /* a header naming value columns, or a type guessable column */
            char lw[512];
            size_t m = ll < sizeof lw - 1 ? ll : sizeof lw - 1;
            for (size_t k = 0; k < m; k++)
                lw[k] = (char)tolower((unsigned char)l[k]);
            lw[m] = 0;
            static const char *const cols[] = {"value", "indicator", "ioc", "ip", "domain",
                                               "url", "hash", "sha256", "md5", "fqdn", "type",
                                               "host", "observable", "sha1", "email"};
            for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
                if (strstr(lw, cols[k]))
                    return IOC_FMT_CSV;
        }
    }
    (void)name;
    return IOC_FMT_PLAIN;
}

void mm_ioc_bad(const mm_ioc_sink *s, mm_ioc_read_stats *st, const char *where, const char *why)
{
    st->bad++;
    if (s->bad)
        s->bad(s->user, where, why);
}

int mm_ioc_emit(const mm_ioc_sink *s, mm_ioc_read_stats *st, const mm_ioc *base, mm_ioc_type t,
                const char *raw, size_t n, const char *where)
{
    char val[MM_IOC_VALUE_MAX + 1], why[128];
    mm_ioc_type tt = t;
    if (!mm_ioc_normalise(&tt, raw, n, val, sizeof val, why, sizeof why)) {
        char msg[256];
        int show = n > 60 ? 60 : (int)n;
        bool printable = true;
        for (int i = 0; i < show; i++)
            printable &= (unsigned char)raw[i] >= 0x20 && raw[i] != 0x7f;
        if (printable)
            snprintf(msg, sizeof msg, "%s: \"%.*s%s\"", why, show, raw, n > 60 ? "..." : "");
        else
            snprintf(msg, sizeof msg, "%s", why);
        mm_ioc_bad(s, st, where, msg);
        return 0;
    }
    mm_ioc c = *base;
    c.type = tt;
    c.value = val;
    st->indicators++;
    return s->add ? s->add(s->user, &c) : 0;
}

static int read_lines(mm_ioc_format f, const char *d, size_t n, const mm_ioc_read_opts *o,
                      const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen);

int mm_ioc_read_mem(const char *name, const char *d, size_t n, const mm_ioc_read_opts *o,
                    const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen)
{
    mm_ioc_read_opts def = {0};
    if (!o)
        o = &def;
    mm_ioc_format f = o->format;
    if (f == IOC_FMT_AUTO)
        f = mm_ioc_sniff(name, d, n < SNIFF_BYTES ? n : SNIFF_BYTES);
    switch (f) {
    case IOC_FMT_AUTO:
        snprintf(err, errlen, "JSON of no indicator format mimamori knows (STIX 2.1, MISP, "
                              "ThreatFox)");
        return -1;
    case IOC_FMT_STIX:
        return mm_ioc_read_stix(d, n, o, s, st, err, errlen);
    case IOC_FMT_MISP:
        return mm_ioc_read_misp(d, n, o, s, st, err, errlen);
    case IOC_FMT_THREATFOX:
        return mm_ioc_read_threatfox(d, n, o, s, st, err, errlen);
    default:
        return read_lines(f, d, n, o, s, st, err, errlen);
    }
}

/* A file of one entry a line, in pieces of whole lines: memory stays at
 * one piece whatever the file's size. */
static int read_pieces(int fd, const char *path, mm_ioc_format f, const mm_ioc_read_opts *o,
                       const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen)
{
    char *buf = malloc(CHUNK + LINE_MAX_BYTES);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    mm_ioc_read_opts oo = *o;
    size_t have = 0;
    int rc = 0;
    for (;;) {
        ssize_t r;
        do
            r = read(fd, buf + have, CHUNK + LINE_MAX_BYTES - have);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            rc = -1;
            break;
        }
        have += (size_t)r;
        if (have == 0)
            break;
        /* whole lines only, unless the file ends or one line fills the buffer */
        size_t use = have;
        if (r > 0) {
            const char *nl = memrchr(buf, '\n', have);
            if (nl)
                use = (size_t)(nl - buf) + 1;
            else if (have < CHUNK + LINE_MAX_BYTES)
                continue;
        }
        if (read_lines(f, buf, use, &oo, s, st, err, errlen) != 0) {
            rc = -1;
            break;
        }
        for (size_t i = 0; i < use; i++)
            oo.line0 += buf[i] == '\n';
        memmove(buf, buf + use, have - use);
        have -= use;
        if (r == 0 && have == 0)
            break;
    }
    free(buf);
    return rc;
}

int mm_ioc_read_file(const char *path, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                     mm_ioc_read_stats *st, char *err, size_t errlen)
{
    mm_ioc_read_opts def = {0};
    if (!o)
        o = &def;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    char *head = malloc(SNIFF_BYTES);
    if (!head) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ssize_t hn = pread(fd, head, SNIFF_BYTES, 0);
    if (hn < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(head);
        close(fd);
        return -1;
    }
    mm_ioc_format f = o->format != IOC_FMT_AUTO ? o->format
                                                : mm_ioc_sniff(path, head, (size_t)hn);
    free(head);
    mm_ioc_read_opts oo = *o;
    oo.format = f;
    if (!oo.source) {
        const char *b = strrchr(path, '/');
        oo.source = b ? b + 1 : path;
    }
    if (f == IOC_FMT_AUTO) {
        close(fd);
        snprintf(err, errlen, "%s: JSON of no indicator format mimamori knows (STIX 2.1, MISP, "
                              "ThreatFox)", path);
        return -1;
    }
    if (f == IOC_FMT_STIX || f == IOC_FMT_MISP || f == IOC_FMT_THREATFOX) {
        int rc = mm_ioc_stream_json(fd, f, &oo, s, st, err, errlen);
        close(fd);
        return rc;
    }
    if (f == IOC_FMT_PLAIN || f == IOC_FMT_DATASET || f == IOC_FMT_IPREP ||
        f == IOC_FMT_MIMAMORI) {
        int rc = read_pieces(fd, path, f, &oo, s, st, err, errlen);
        close(fd);
        return rc;
    }
    close(fd);
    size_t len;
    char *d = mm_read_file(path, LINE_FILE_MAX, &len, err, errlen);
    if (!d)
        return -1;
    int rc = read_lines(f, d, len, &oo, s, st, err, errlen);
    free(d);
    return rc;
}

static int read_lines(mm_ioc_format f, const char *d, size_t n, const mm_ioc_read_opts *o,
                      const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen)
{
    switch (f) {
    case IOC_FMT_CSV:
    case IOC_FMT_URLHAUS:
        return mm_ioc_read_csv(d, n, o, s, st, err, errlen);
    case IOC_FMT_FEODO: {
        /* the blocklist as text (one address a line) or as CSV */
        size_t ll;
        const char *l = first_data_line(d, n, &ll);
        if (l && memchr(l, ',', ll))
            return mm_ioc_read_csv(d, n, o, s, st, err, errlen);
        return mm_ioc_read_plain(d, n, o, s, st, err, errlen);
    }
    case IOC_FMT_DATASET:
        return mm_ioc_read_dataset(d, n, o, s, st, err, errlen);
    case IOC_FMT_IPREP:
        return mm_ioc_read_iprep(d, n, o, s, st, err, errlen);
    case IOC_FMT_MIMAMORI:
        return mm_ioc_read_mimamori(d, n, o, s, st, err, errlen);
    default:
        return mm_ioc_read_plain(d, n, o, s, st, err, errlen);
    }
}
