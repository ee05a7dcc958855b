/*
 * fetch.c - HTTPS downloads with libcurl (see fetch.h): certificate and
 * host name verified, redirects followed (to HTTPS only), a size cap and
 * time limits so a slow or endless server cannot hang an update.
 */
#include "util/fetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sink {
    uint8_t *p;
    size_t n, cap, max;
    int over;
} sink;

static size_t on_data(char *d, size_t size, size_t nmemb, void *ctx)
{
    sink *s = ctx;
    size_t n = size * nmemb;
    if (n > s->max - s->n) {
        s->over = 1;
        return 0;               /* stops the transfer */
    }
    if (s->n + n > s->cap) {
        size_t cap = s->cap ? s->cap : 65536;
        while (cap < s->n + n)
            cap *= 2;
        uint8_t *np = realloc(s->p, cap);
        if (!np)
            return 0;
        s->p = np;
        s->cap = cap;
    }
    memcpy(s->p + s->n, d, n);
    s->n += n;
    return n;
}

uint8_t *mm_fetch(const char *url, const char *ca, size_t max, size_t *len, char *err,
                  size_t errlen)
{
    if (strncmp(url, "https://", 8) != 0) {
        snprintf(err, errlen, "%s: only https:// URLs are fetched", url);
        return NULL;
    }
    static int init;
    if (!init) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        init = 1;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sink s = {.max = max};
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (ca)
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);     /* 1 KiB/s ... */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);        /* ... for a minute */
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mimamori-update");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        if (s.over)
            snprintf(err, errlen, "%s: larger than %zu bytes", url, max);
        else
            snprintf(err, errlen, "%s: %s", url, cerr[0] ? cerr : curl_easy_strerror(rc));
        free(s.p);
        return NULL;
    }
    if (!s.p && !(s.p = malloc(1))) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *len = s.n;
    return s.p;
}
