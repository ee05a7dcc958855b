/*
 * client.c - the client's address behind trusted proxies and its language
 * (see client.h for the rules and why).
 */
#include "web/client.h"

#include <string.h>

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void mm_web_ip_norm(mm_ip *ip)
{
    if (ip->v == 6 && memcmp(ip->b, v4mapped, 12) == 0) {
        uint8_t a[4];
        memcpy(a, ip->b + 12, 4);
        memset(ip->b, 0, sizeof ip->b);
        memcpy(ip->b, a, 4);
        ip->v = 4;
    }
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }

/* A port: 1-5 digits, at most 65535. */
static bool port_ok(const char *s, size_t n)
{
    if (n == 0 || n > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v <= 65535;
}

bool mm_web_xff_elem(const char *s, size_t n, mm_ip *out)
{
    while (n && is_space(*s)) {
        s++;
        n--;
    }
    while (n && is_space(s[n - 1]))
        n--;
    char tmp[MM_IPSTR_LEN];
    if (n == 0)
        return false;
    if (s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close)
            return false;
        size_t alen = (size_t)(close - s - 1), rest = n - (size_t)(close - s) - 1;
        if (rest) {                 /* "]:port" */
            if (close[1] != ':' || !port_ok(close + 2, rest - 1))
                return false;
        }
        if (alen == 0 || alen >= sizeof tmp || !memchr(s + 1, ':', alen))
            return false;
        memcpy(tmp, s + 1, alen);
        tmp[alen] = '\0';
    } else {
        size_t colons = 0, last = 0;
        for (size_t i = 0; i < n; i++)
            if (s[i] == ':') {
                colons++;
                last = i;
            }
        size_t alen = n;
        if (colons == 1) {          /* IPv4 with a port */
            alen = last;
            if (!port_ok(s + last + 1, n - last - 1))
                return false;
        }
        if (alen == 0 || alen >= sizeof tmp)
            return false;
        memcpy(tmp, s, alen);
        tmp[alen] = '\0';
        if (colons == 1 && strchr(tmp, '.') == NULL)
            return false;
    }
    for (const char *p = tmp; *p; p++)  /* no zone ids, no spaces inside */
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') ||
              *p == ':' || *p == '.'))
            return false;
    if (!mm_ip_parse(tmp, out))
        return false;
    mm_web_ip_norm(out);
    return true;
}

static bool trusted_ip(const mm_netlist *t, const mm_ip *ip)
{
    return t && t->n && mm_netlist_contains(t, ip);
}

mm_web_client_src mm_web_client_addr(const mm_ip *peer, const char *xff,
                                     const mm_netlist *trusted, mm_ip *out)
{
    mm_ip p = *peer;
    mm_web_ip_norm(&p);
    *out = p;
    if (!trusted_ip(trusted, &p))
        return xff ? MM_WEB_CLIENT_XFF_IGNORED : MM_WEB_CLIENT_PEER;
    if (!xff)
        return MM_WEB_CLIENT_PEER;
    size_t len = strlen(xff), end = len;
    bool any = false;
    for (size_t i = 0; i < len; i++)
        if (!is_space(xff[i]) && xff[i] != ',')
            any = true;
    if (!any)
        return MM_WEB_CLIENT_PEER;
    mm_ip last;
    for (int k = 0; k < MM_WEB_XFF_MAX; k++) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        mm_ip ip;
        if (!mm_web_xff_elem(xff + start, end - start, &ip))
            return MM_WEB_CLIENT_BAD;
        if (!trusted_ip(trusted, &ip)) {
            *out = ip;
            return MM_WEB_CLIENT_XFF;
        }
        last = ip;
        if (start == 0) {           /* every element trusted: the leftmost */
            *out = last;
            return MM_WEB_CLIENT_XFF;
        }
        end = start - 1;
    }
    return MM_WEB_CLIENT_BAD;
}

/* One language range: its primary tag is ja or en (or '*'). */
static int range_lang(const char *s, size_t n)
{
    while (n && is_space(*s)) {
        s++;
        n--;
    }
    while (n && is_space(s[n - 1]))
        n--;
    size_t tag = 0;
    while (tag < n && s[tag] != '-')
        tag++;
    if (tag == 2 && (s[0] | 0x20) == 'j' && (s[1] | 0x20) == 'a')
        return 1;
    if (tag == 2 && (s[0] | 0x20) == 'e' && (s[1] | 0x20) == 'n')
        return 2;
    if (n == 1 && s[0] == '*')
        return 3;
    return 0;
}

/* "q=0.8" -> 800; -1 when it is not a valid qvalue (RFC 9110 12.4.2). */
static int qvalue(const char *s, size_t n)
{
    while (n && is_space(*s)) {
        s++;
        n--;
    }
    while (n && is_space(s[n - 1]))
        n--;
    if (n < 3 || (s[0] | 0x20) != 'q' || s[1] != '=')
        return -1;
    s += 2;
    n -= 2;
    if (s[0] != '0' && s[0] != '1')
        return -1;
    int v = (s[0] - '0') * 1000;
    if (n == 1)
        return v;
    if (s[1] != '.' || n > 5)
        return -1;
    int scale = 100;
    for (size_t i = 2; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v += (s[i] - '0') * scale;
        scale /= 10;
    }
    return v > 1000 ? -1 : v;
}

const char *mm_web_lang(const char *al, const char *override)
{
    if (override && strcmp(override, "ja") == 0)
        return "ja";
    if (override && strcmp(override, "en") == 0)
        return "en";
    if (!al)
        return "ja";
    int best = 0, bestq = 0;
    const char *p = al;
    for (int k = 0; k < 64 && *p; k++) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *semi = memchr(p, ';', n);
        size_t rn = semi ? (size_t)(semi - p) : n;
        int lang = range_lang(p, rn), q = 1000;
        if (semi) {
            /* the first parameter is q by RFC 9110; others are not ours */
            const char *par = semi + 1;
            size_t pn = n - rn - 1;
            const char *semi2 = memchr(par, ';', pn);
            q = qvalue(par, semi2 ? (size_t)(semi2 - par) : pn);
        }
        if (lang && q > bestq) {
            best = lang;
            bestq = q;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return best == 2 ? "en" : "ja";
}
