/*
 * catalog.c - the cloud service catalogue (see catalog.h).
 *
 * The file is tab-separated: service, category, domains (comma-separated),
 * source; '#' lines are comments. Each domain goes into one map (domain ->
 * service index); a host is looked up as itself, then without its first
 * label, and so on, so a domain matches itself and its subdomains. Host
 * names are compared in lower case without a trailing dot.
 */
#include "analysis/catalog.h"
#include "mm_config.h"
#include "util/strmap.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SERVICES 4096

struct mm_catalog {
    char **service, **category;
    size_t n;
    mm_strmap domains;      /* domain -> service index */
};

void mm_catalog_free(mm_catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->service[i]);
        free(c->category[i]);
    }
    free(c->service);
    free(c->category);
    mm_strmap_free(&c->domains);
    free(c);
}

static const char *default_path(void)
{
    static const char *const cands[] = {MM_SRCDATADIR "/cloud_services.tsv",
                                        MM_DATADIR "/cloud_services.tsv"};
    const char *env = getenv("MIMAMORI_DATA");
    static char buf[4096];
    if (env && *env) {
        snprintf(buf, sizeof buf, "%s/cloud_services.tsv", env);
        return buf;
    }
    struct stat st;
    for (size_t i = 0; i < sizeof cands / sizeof *cands; i++)
        if (stat(cands[i], &st) == 0)
            return cands[i];
    return cands[1];
}

static char *lower_dup(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        s[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
    s[n] = 0;
    return s;
}

mm_catalog *mm_catalog_open(const char *path, char *err, size_t errlen)
{
    if (!path)
        path = default_path();
    size_t len;
    char *text = mm_read_file(path, 8u << 20, &len, err, errlen);
    if (!text)
        return NULL;
    mm_catalog *c = calloc(1, sizeof *c);
    if (!c) {
        free(text);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    mm_strmap_init(&c->domains);
    c->service = calloc(MAX_SERVICES, sizeof *c->service);
    c->category = calloc(MAX_SERVICES, sizeof *c->category);
    if (!c->service || !c->category)
        goto oom;
    unsigned lineno = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        lineno++;
        if (line[0] == '#' || line[0] == 0 || line[0] == '\r')
            continue;
        char *f[4] = {line, NULL, NULL, NULL};
        for (int i = 1; i < 4; i++) {
            char *t = f[i - 1] ? strchr(f[i - 1], '\t') : NULL;
            if (t) {
                *t = 0;
                f[i] = t + 1;
            }
        }
        if (!f[1] || !f[2] || !f[0][0] || !f[1][0]) {
            snprintf(err, errlen, "%s:%u: expected service, category, domains", path, lineno);
            goto fail;
        }
        if (strcmp(f[0], "service") == 0)      /* a header line */
            continue;
        if (c->n >= MAX_SERVICES) {
            snprintf(err, errlen, "%s: more than %d services", path, MAX_SERVICES);
            goto fail;
        }
        size_t idx = c->n;
        c->service[idx] = strdup(f[0]);
        c->category[idx] = strdup(f[1]);
        if (!c->service[idx] || !c->category[idx]) {
            free(c->service[idx]);
            free(c->category[idx]);
            goto oom;
        }
        c->n++;
        for (char *d = f[2], *e; d && *d; d = e) {
            e = strchr(d, ',');
            size_t dl = e ? (size_t)(e - d) : strcspn(d, "\r");
            while (dl && (d[0] == ' ')) {
                d++;
                dl--;
            }
            while (dl && (d[dl - 1] == ' ' || d[dl - 1] == '.'))
                dl--;
            if (dl && dl < 256) {
                char *k = lower_dup(d, dl);
                bool added;
                if (!k || !mm_strmap_put(&c->domains, k, dl, idx, &added)) {
                    free(k);
                    goto oom;
                }
                free(k);
            }
            if (e)
                e++;
        }
    }
    free(text);
    return c;
oom:
    snprintf(err, errlen, "out of memory");
fail:
    free(text);
    mm_catalog_free(c);
    return NULL;
}

int mm_catalog_find(const mm_catalog *c, const char *host, size_t n)
{
    if (!c || !host || n == 0 || n >= 256)
        return -1;
    char b[256];
    for (size_t i = 0; i < n; i++)
        b[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
    while (n && b[n - 1] == '.')
        n--;
    size_t off = 0;
    while (off < n) {
        uint64_t *v = mm_strmap_get(&c->domains, b + off, n - off);
        if (v)
            return (int)*v;
        const char *dot = memchr(b + off, '.', n - off);
        if (!dot)
            break;
        off = (size_t)(dot - b) + 1;
    }
    return -1;
}

size_t mm_catalog_count(const mm_catalog *c)
{
    return c ? c->n : 0;
}

const char *mm_catalog_service(const mm_catalog *c, int i)
{
    return c && i >= 0 && (size_t)i < c->n ? c->service[i] : NULL;
}

const char *mm_catalog_category(const mm_catalog *c, int i)
{
    return c && i >= 0 && (size_t)i < c->n ? c->category[i] : NULL;
}

int mm_catalog_by_name(const mm_catalog *c, const char *service)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (strcmp(c->service[i], service) == 0)
            return (int)i;
    return -1;
}
