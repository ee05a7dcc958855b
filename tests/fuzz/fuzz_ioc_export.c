/* Fuzz target: blocklist export (ioc/export.c) and its MISP warning list
 * reader.
 *
 * Byte 0 chooses: bit 7 set, the rest is a warning list (JSON) loaded into
 * a filter, which then judges indicators made of the same bytes; else the
 * rest is indicators, records separated by 0x1e, each record's first byte
 * its type and the remainder its value (any bytes: quotes, newlines,
 * semicolons, non-ASCII), exported in every format with force set by bit 0
 * into memory. Besides not crashing, each format's output must keep its
 * shape whatever the values were: every line of a line-based format
 * starts with what that format writes and holds one value, so a value that
 * carried a newline or a quote into a router's configuration aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioc/export.h"
#include "util/jread.h"

#define MAX_IOC 64
#define MAX_PARTS 16

typedef struct part {
    char name[64];
    char *buf;
    size_t len;
    FILE *f;
} part;

typedef struct parts {
    part p[MAX_PARTS];
    int n;
} parts;

static FILE *p_open(void *user, const char *file)
{
    parts *ps = user;
    if (ps->n >= MAX_PARTS)
        abort();                        /* no format writes this many files */
    part *p = &ps->p[ps->n];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", file);
    p->f = open_memstream(&p->buf, &p->len);
    if (!p->f)
        abort();
    ps->n++;
    return p->f;
}

static int p_close(void *user, FILE *f)
{
    (void)user;
    return fclose(f);
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
    size_t l = strlen(suf);
    return n >= l && memcmp(s + n - l, suf, l) == 0;
}

static bool starts(const char *s, size_t n, const char *pre)
{
    size_t l = strlen(pre);
    return n >= l && memcmp(s, pre, l) == 0;
}

static bool only(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c && strchr(set, c))))
            return false;
    }
    return true;
}

static bool has(const char *s, size_t n, char c)
{
    return memchr(s, c, n) != NULL;
}

/* Checks one line of file `name` written in `format`. */
static bool line_ok(const char *format, const char *name, const char *s, size_t n)
{
    if (strcmp(format, "plain") == 0)
        return !has(s, n, '\r');
    if (strcmp(format, "hosts") == 0)
        return starts(s, n, "0.0.0.0 ") && only(s + 8, n - 8, "-_.");
    if (strcmp(format, "unbound") == 0)
        return (n == 7 && starts(s, n, "server:")) ||
               (starts(s, n, "local-zone: \"") && ends_with(s, n, ".\" always_nxdomain") &&
                only(s + 13, n - 13 - 17, "-_."));
    if (strcmp(format, "ipset") == 0)
        return (starts(s, n, "create ") || starts(s, n, "flush ") || starts(s, n, "add ")) &&
               only(s, n, " -.:/");
    if (strcmp(format, "yamaha") == 0)
        return starts(s, n, "# ") ? only(s, n, " #-.,:()<>") :
               (starts(s, n, "ip filter ") || starts(s, n, "ipv6 filter ")) &&
               only(s, n, " .:/*");
    if (strcmp(format, "nft") == 0)
        return only(s, n, " \t{}.,:/@#-_=") ||
               (memmem(s, n, "type filter hook", 16) && only(s, n, " \t-;"));
    if (strcmp(format, "rpz") == 0) {
        if (starts(s, n, "; ") || starts(s, n, "$TTL ") || starts(s, n, "@\t"))
            return only(s, n, " \t.:;@$");
        return ends_with(s, n, "\tCNAME\t.") && only(s, n - 8, "-_.*");
    }
    if (strcmp(format, "squid") == 0) {
        if (strstr(name, "-domains."))
            return s[0] == '.' && only(s, n, "-_.");
        if (strstr(name, "-urls."))
            return s[0] == '^' && !has(s, n, ' ') && !has(s, n, '"') && !has(s, n, '\r');
        return only(s, n, ".:/");
    }
    if (strcmp(format, "suricata-dataset") == 0 ||
        (strcmp(format, "suricata-rules") == 0 && strstr(name, ".lst")))
        return n > 0 && only(s, n, "+/=.:");
    if (strcmp(format, "suricata-rules") == 0)
        return starts(s, n, "# ") || (starts(s, n, "alert ") && ends_with(s, n, " rev:1;)") &&
                                      !has(s, n, '\r'));
    return true;
}

static void check_part(const char *format, const part *p, const mm_ioc_export_stats *st)
{
    if (strcmp(format, "stix") == 0) {
        jr_doc d;
        jr_init(&d, 1u << 20);
        if (jr_parse(&d, p->buf, p->len) != 0 || d.t[0].type != JR_OBJ) {
            fprintf(stderr, "stix: not one JSON object: %s\n", d.err);
            abort();
        }
        jr_free(&d);
        return;
    }
    if (strcmp(format, "csv") == 0) {
        /* one record a line: the header and each indicator */
        uint64_t lines = 0;
        for (size_t i = 0; i < p->len; i++)
            lines += p->buf[i] == '\n';
        if (lines != st->written + 1) {
            fprintf(stderr, "csv: %llu lines for %llu indicators\n", (unsigned long long)lines,
                    (unsigned long long)st->written);
            abort();
        }
        return;
    }
    size_t i = 0;
    while (i < p->len) {
        const char *nl = memchr(p->buf + i, '\n', p->len - i);
        if (!nl) {
            fprintf(stderr, "%s %s: last line not ended\n", format, p->name);
            abort();
        }
        size_t n = (size_t)(nl - (p->buf + i));
        if (!line_ok(format, p->name, p->buf + i, n)) {
            fprintf(stderr, "%s %s: bad line '%.*s'\n", format, p->name, (int)n, p->buf + i);
            abort();
        }
        i += n + 1;
    }
}

static const char *const formats[] = {"plain", "csv", "stix", "nft", "ipset", "squid",
                                      "unbound", "rpz", "hosts", "suricata-dataset",
                                      "suricata-rules", "yamaha"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    char err[256];
    mm_ioc_export_filter *filt = NULL;
    /* one copy of the input with room for the NULs that end values */
    char *copy = malloc(size + 1);
    if (!copy)
        abort();
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = 0;
    if (data[0] & 0x80) {
        filt = mm_ioc_export_filter_new();
        if (!filt)
            abort();
        (void)mm_ioc_export_filter_load_warninglist_mem(filt, "fuzz", (const char *)data + 1,
                                                        size - 1, err, sizeof err);
    }
    mm_ioc v[MAX_IOC];
    size_t n = 0;
    char *p = copy, *end = copy + size - 1;
    while (p < end && n < MAX_IOC) {
        char *sep = memchr(p, 0x1e, (size_t)(end - p));
        if (!sep)
            sep = end;
        *sep = 0;
        if (sep > p) {
            memset(&v[n], 0, sizeof v[n]);
            v[n].type = (mm_ioc_type)(1 + (unsigned char)p[0] % (IOC__COUNT - 1));
            v[n].value = p + 1;
            v[n].desc = n ? v[n - 1].value : NULL;
            v[n].source = "fuzz";
            v[n].tlp = (p[0] & 0x40) ? "amber" : NULL;
            v[n].confidence = (int)((unsigned char)p[0] % 110) - 5;
            v[n].first_seen = (int64_t)(unsigned char)p[0] * 86400000000LL;
            v[n].to_ids = (p[0] & 0x20) == 0;
            v[n].valid_until = (p[0] & 0x10) ? v[n].first_seen : 0;
            n++;
        }
        p = sep + 1;
    }
    for (size_t k = 0; k < n; k++)      /* the leave-out rules on their own */
        (void)mm_ioc_export_leave_out(&v[k], filt);
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        parts ps;
        ps.n = 0;
        mm_ioc_export_files files = {p_open, p_close, &ps};
        mm_ioc_export_opts o = {.format = formats[f], .force = data[0] & 1,
                                .now_us = 1796601600000000LL};
        mm_ioc_export_stats st;
        int rc = mm_ioc_export_to(&files, v, n, &o, filt, &st, err, sizeof err);
        if (rc != 0) {
            fprintf(stderr, "%s: %s\n", formats[f], err);
            abort();                    /* nothing here is a reason to fail */
        }
        for (int i = 0; i < ps.n; i++) {
            check_part(formats[f], &ps.p[i], &st);
            free(ps.p[i].buf);
        }
        char *line = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&line, &len);
        if (!m)
            abort();
        mm_ioc_export_summary(m, &st);
        fclose(m);
        free(line);
    }
    mm_ioc_export_filter_free(filt);
    free(copy);
    return 0;
}
