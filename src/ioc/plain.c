/*
 * plain.c - plain indicator lists: one value a line, its type recognised
 * (mm_ioc_guess) unless the caller gives one.
 *
 * The published forms of such lists load as they are: '#' and ';' start a
 * comment (at the start of a line, or after a blank), hosts-file lines
 * ("0.0.0.0 evil.example") give their name, adblock lines
 * ("||evil.example^") their domain, and a value followed by blanks and
 * more text keeps the rest as its description. A line of no known type is
 * refused with its line number.
 */
#include "ioc/ioc.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Cuts a comment: '#' or ';' at the start or after a blank. */
static size_t uncomment(const char *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((l[i] == '#' || l[i] == ';') && (i == 0 || isspace((unsigned char)l[i - 1])))
            return i;
    return n;
}

static bool sink_addr(const char *p, size_t n)
{
    static const char *const s[] = {"0.0.0.0", "127.0.0.1", "::", "::1", "0"};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (strlen(s[i]) == n && memcmp(p, s[i], n) == 0)
            return true;
    return false;
}

int mm_ioc_read_plain(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                      mm_ioc_read_stats *st, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    mm_ioc base = {.source = o->source, .confidence = -1, .to_ids = true};
    uint64_t lineno = 0;
    const char *p = d, *end = d + n;
    if (n >= 3 && (unsigned char)d[0] == 0xef && (unsigned char)d[1] == 0xbb &&
        (unsigned char)d[2] == 0xbf)
        p += 3;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        size_t ll = uncomment(p, (size_t)(le - p));
        const char *v = p;
        while (ll && isspace((unsigned char)*v))
            v++, ll--;
        while (ll && isspace((unsigned char)v[ll - 1]))
            ll--;
        p = nl ? nl + 1 : end;
        if (ll == 0) {
            continue;
        }
        /* first field, and what follows */
        size_t f1 = 0;
        while (f1 < ll && !isspace((unsigned char)v[f1]) && v[f1] != '\t')
            f1++;
        const char *rest = v + f1;
        size_t rl = ll - f1;
        while (rl && isspace((unsigned char)*rest))
            rest++, rl--;
        const char *val = v;
        size_t vl = f1;
        if (rl && sink_addr(v, f1)) {           /* hosts file */
            val = rest;
            vl = 0;
            while (vl < rl && !isspace((unsigned char)val[vl]))
                vl++;
            rest = NULL;
            rl = 0;
        } else if (vl > 2 && val[0] == '|' && val[1] == '|') {   /* adblock */
            val += 2;
            vl -= 2;
            while (vl && (val[vl - 1] == '^' || val[vl - 1] == '$'))
                vl--;
        }
        /* the value may itself hold blanks only for types given by the
         * caller (a subject or User-Agent list) */
        if (o->type == IOC_SUBJECT || o->type == IOC_USER_AGENT || o->type == IOC_FILENAME) {
            val = v;
            vl = ll;
            rest = NULL;
            rl = 0;
        }
        char where[32], desc[256];
        snprintf(where, sizeof where, "line %llu", (unsigned long long)lineno);
        mm_ioc c = base;
        if (rl && rest) {
            snprintf(desc, sizeof desc, "%.*s", (int)(rl < 255 ? rl : 255), rest);
            c.desc = desc;
        }
        if (mm_ioc_emit(s, st, &c, o->type, val, vl, where) != 0)
            return 0;
    }
    return 0;
}
