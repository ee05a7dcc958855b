/*
 * native.c - mimamori's own indicator file: what `mimamori ioc export
 * --format mimamori` writes and `mimamori sensor --ioc` reads fastest.
 *
 *   # mimamori indicators 1
 *   # type<TAB>value<TAB>set<TAB>source<TAB>confidence<TAB>tlp<TAB>first_seen
 *   #   <TAB>last_seen<TAB>valid_until<TAB>ref<TAB>to_ids<TAB>description
 *   domain<TAB>evil.example<TAB>advisory-7<TAB>jpcert<TAB>80<TAB>amber<TAB>...
 *
 * One indicator a line, tab-separated; times as ISO 8601 UTC or empty; a
 * tab, line break or backslash inside a field is written \t, \n, \\. The
 * values are already in normal form, but are normalised again on reading
 * (the file may have been edited by hand).
 */
#include "ioc/ioc.h"
#include "ioc/native.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NF 12

static void put_field(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\t')
            fputs("\\t", f);
        else if (*s == '\n')
            fputs("\\n", f);
        else if (*s == '\r')
            fputs("\\r", f);
        else if (*s == '\\')
            fputs("\\\\", f);
        else
            fputc(*s, f);
    }
}

static void put_time(FILE *f, int64_t us)
{
    if (us <= 0)
        return;
    int64_t sec = us / 1000000, days = sec / 86400, rem = sec % 86400;
    int y, m, d;
    mm_civil_from_days(days, &y, &m, &d);
    fprintf(f, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
            (int)(rem / 60 % 60), (int)(rem % 60));
}

void mm_ioc_native_header(FILE *f)
{
    fputs("# mimamori indicators 1\n# type\tvalue\tset\tsource\tconfidence\ttlp\tfirst_seen\t"
          "last_seen\tvalid_until\tref\tto_ids\tdescription\n", f);
}

void mm_ioc_native_write(FILE *f, const mm_ioc *c)
{
    fputs(mm_ioc_type_name(c->type), f);
    fputc('\t', f);
    put_field(f, c->value);
    fputc('\t', f);
    put_field(f, c->set);
    fputc('\t', f);
    put_field(f, c->source);
    fputc('\t', f);
    if (c->confidence >= 0)
        fprintf(f, "%d", c->confidence);
    fputc('\t', f);
    put_field(f, c->tlp);
    fputc('\t', f);
    put_time(f, c->first_seen);
    fputc('\t', f);
    put_time(f, c->last_seen);
    fputc('\t', f);
    put_time(f, c->valid_until);
    fputc('\t', f);
    put_field(f, c->ref);
    fputc('\t', f);
    fputs(c->to_ids ? "1" : "0", f);
    fputc('\t', f);
    put_field(f, c->desc);
    fputc('\n', f);
}

/* Undoes put_field in place. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
            *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r;
        } else
            *w++ = *r;
    }
    *w = 0;
}

static int64_t get_time(const char *s)
{
    int64_t us;
    return *s && mm_parse_iso_ts(s, &us) ? us : 0;
}

int mm_ioc_read_mimamori(const char *d, size_t n, const mm_ioc_read_opts *o,
                         const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    const char *p = d, *end = d + n;
    uint64_t lineno = 0;
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t ll = (size_t)(le - p);
        const char *ls = p;
        p = nl ? nl + 1 : end;
        lineno++;
        if (ll && ls[ll - 1] == '\r')
            ll--;
        if (ll == 0 || ls[0] == '#')
            continue;
        if (ll + 1 > cap) {
            char *nb = realloc(line, ll + 1);
            if (!nb) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
                break;
            }
            line = nb;
            cap = ll + 1;
        }
        memcpy(line, ls, ll);
        line[ll] = 0;
        char *f[NF];
        int nf = 0;
        for (char *q = line; nf < NF;) {
            f[nf++] = q;
            char *tab = strchr(q, '\t');
            if (!tab)
                break;
            *tab = 0;
            q = tab + 1;
        }
        char where[32];
        snprintf(where, sizeof where, "line %llu", (unsigned long long)lineno);
        if (nf < 2) {
            mm_ioc_bad(s, st, where, "not type<TAB>value...");
            continue;
        }
        for (int i = 0; i < nf; i++)
            unescape(f[i]);
        for (int i = nf; i < NF; i++)
            f[i] = (char *)"";      /* read only from here on */
        mm_ioc_type t = mm_ioc_type_parse(f[0]);
        if (t == IOC_NONE) {
            mm_ioc_bad(s, st, where, "unknown indicator type");
            continue;
        }
        mm_ioc c = {
            .set = *f[2] ? f[2] : NULL,
            .source = *f[3] ? f[3] : o->source,
            .confidence = *f[4] ? atoi(f[4]) : -1,
            .tlp = *f[5] ? f[5] : NULL,
            .first_seen = get_time(f[6]),
            .last_seen = get_time(f[7]),
            .valid_until = get_time(f[8]),
            .ref = *f[9] ? f[9] : NULL,
            .to_ids = strcmp(f[10], "0") != 0,
            .desc = *f[11] ? f[11] : NULL,
        };
        if (c.confidence > 100 || c.confidence < -1)
            c.confidence = -1;
        if (c.valid_until && o->now_us && c.valid_until < o->now_us) {
            st->expired++;
            continue;
        }
        if (mm_ioc_emit(s, st, &c, t, f[1], strlen(f[1]), where) != 0)
            break;
    }
    free(line);
    return rc;
}
