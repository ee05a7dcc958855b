/*
 * probe_http.c - the narrow door's HTTP part: one HTTP or HTTPS request to
 * an address of an mm_probe_targets (so only to the requester or to the
 * user's own addresses, as every probe), for a host name the user owns.
 * libcurl connects only to that address (CURLOPT_RESOLVE pins the name to
 * it, CURLOPT_CONNECT_TO is not used), follows no redirect, and reads at
 * most 64 KiB of the answer. The server's certificate is read, not
 * trusted: an audit wants to see an expired or self-signed one.
 */
#include "exposure/probe.h"

#include <ctype.h>
#include <stddef.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define BODY_MAX 65536

typedef struct sink {
    char *b;
    size_t n;
} sink;

static size_t on_body(char *p, size_t sz, size_t nm, void *u)
{
    sink *s = u;
    size_t n = sz * nm;
    size_t room = BODY_MAX - s->n;
    size_t k = n < room ? n : room;
    memcpy(s->b + s->n, p, k);
    s->n += k;
    return s->n >= BODY_MAX ? 0 : n;    /* enough: stop */
}

void mm_http_answer_header(mm_http_answer *a, const char *line, size_t n)
{
    static const struct { const char *name; size_t off; size_t cap; } h[] = {
        {"location:", offsetof(mm_http_answer, location), sizeof ((mm_http_answer *)0)->location},
        {"www-authenticate:", offsetof(mm_http_answer, auth), sizeof ((mm_http_answer *)0)->auth},
        {"server:", offsetof(mm_http_answer, server), sizeof ((mm_http_answer *)0)->server},
        {"content-type:", offsetof(mm_http_answer, ctype), sizeof ((mm_http_answer *)0)->ctype},
    };
    for (size_t i = 0; i < sizeof h / sizeof *h; i++) {
        size_t l = strlen(h[i].name);
        if (n < l || strncasecmp(line, h[i].name, l) != 0)
            continue;
        char *out = (char *)a + h[i].off;
        size_t k = 0, j = l;
        while (j < n && line[j] == ' ')
            j++;
        for (; j < n && k + 1 < h[i].cap && line[j] != '\r' && line[j] != '\n'; j++)
            out[k++] = line[j] >= 0x20 && line[j] < 0x7F ? line[j] : '?';
        out[k] = 0;
    }
}

static size_t on_header(char *p, size_t sz, size_t nm, void *u)
{
    size_t n = sz * nm;
    mm_http_answer_header(u, p, n);
    return n;
}

/* "Jan  5 12:00:00 2027 GMT" or "2027-01-05 12:00:00 GMT" -> ISO 8601. */
static void cert_time(const char *v, char out[24])
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *e = strptime(v, "%b %d %H:%M:%S %Y", &tm);
    if (!e) {
        memset(&tm, 0, sizeof tm);
        e = strptime(v, "%Y-%m-%d %H:%M:%S", &tm);
    }
    if (!e) {
        out[0] = 0;
        return;
    }
    snprintf(out, 24, "%04d-%02d-%02dT%02d:%02d:%02d", (tm.tm_year + 1900) % 10000,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The leaf certificate's names and expiry from libcurl's certinfo. */
static void certinfo(CURL *c, mm_http_answer *a)
{
    struct curl_certinfo *ci = NULL;
    if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
        return;
    for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next) {
        const char *d = s->data;
        if (strncmp(d, "Expire date:", 12) == 0)
            cert_time(d + 12, a->cert_not_after);
        else if (strncmp(d, "X509v3 Subject Alternative Name:", 32) == 0) {
            /* "DNS:a.example, DNS:b.example" -> "a.example,b.example" */
            size_t k = 0;
            for (const char *p = d + 32; *p && k + 1 < sizeof a->cert_names;) {
                while (*p == ' ' || *p == ',')
                    p++;
                if (strncmp(p, "DNS:", 4) == 0) {
                    p += 4;
                    if (k && k + 1 < sizeof a->cert_names)
                        a->cert_names[k++] = ',';
                    while (*p && *p != ',' && k + 1 < sizeof a->cert_names)
                        a->cert_names[k++] = isprint((unsigned char)*p) ? *p++ : (p++, '?');
                } else
                    while (*p && *p != ',')
                        p++;
            }
            a->cert_names[k] = 0;
        }
    }
}

void mm_http_answer_title(const char *b, size_t n, char *out, size_t cap)
{
    out[0] = 0;
    const char *t = memmem(b, n, "<title", 6);
    if (!t)
        t = memmem(b, n, "<TITLE", 6);
    if (!t)
        return;
    const char *gt = memchr(t, '>', n - (size_t)(t - b));
    if (!gt)
        return;
    gt++;
    size_t k = 0;
    for (const char *p = gt; p < b + n && *p != '<' && k + 1 < cap; p++)
        if (!(k == 0 && isspace((unsigned char)*p)))
            out[k++] = (unsigned char)*p < 0x20 ? ' ' : *p;
    while (k && out[k - 1] == ' ')
        k--;
    out[k] = 0;
}

bool mm_probe_http(const mm_probe_targets *t, size_t i, const char *host, uint16_t port, bool tls,
                   const char *path, uint32_t timeout_ms, mm_http_answer *a)
{
    memset(a, 0, sizeof *a);
    if (i >= mm_probe_targets_count(t) || !host || !host[0] || strlen(host) > 253 ||
        strpbrk(host, ":/?#@[] \t\r\n") || path[0] != '/' || strpbrk(path, " \t\r\n")) {
        snprintf(a->err, sizeof a->err, "bad request");
        return false;
    }
    mm_ip ip;
    mm_probe_targets_get(t, i, &ip);
    char addr[MM_IPSTR_LEN], pin[400], url[1200];
    mm_ip_str(&ip, addr);
    snprintf(pin, sizeof pin, ip.v == 6 ? "%s:%u:[%s]" : "%s:%u:%s", host, port, addr);
    snprintf(url, sizeof url, "%s://%s:%u%s", tls ? "https" : "http", host, port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *res = curl_slist_append(NULL, pin);
    sink body = {malloc(BODY_MAX), 0};
    bool ok = false;
    if (!c || !res || !body.b) {
        snprintf(a->err, sizeof a->err, "out of memory");
        goto out;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_RESOLVE, res);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mimamori-exposure");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    CURLcode rc = curl_easy_perform(c);
    long st = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && body.n >= BODY_MAX) && st == 0) {
        snprintf(a->err, sizeof a->err, "%s", curl_easy_strerror(rc));
        goto out;
    }
    a->status = (int)st;
    a->body_len = body.n;
    mm_http_answer_title(body.b, body.n, a->title, sizeof a->title);
    if (tls)
        certinfo(c, a);
    ok = true;
out:
    free(body.b);
    curl_slist_free_all(res);
    if (c)
        curl_easy_cleanup(c);
    return ok;
}
