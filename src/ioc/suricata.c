/*
 * suricata.c - Suricata's own indicator files: datasets (one value a line;
 * string values in base64, md5 and sha256 in hex, ipv4 and ip as
 * addresses; a datarep line adds ",reputation") and IP reputation lists
 * ("address-or-network,category,score").
 *
 * A dataset file does not say its type: it comes from --type (a string
 * dataset of names is --type domain, of URLs --type url ...), else each
 * line's value is recognised after base64 decoding when it is not already
 * a recognisable value.
 */
#include "ioc/ioc.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *next_line(const char *p, const char *end, const char **le)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *le = nl ? nl : end;
    while (*le > p && ((*le)[-1] == '\r' || (*le)[-1] == ' ' || (*le)[-1] == '\t'))
        (*le)--;
    return nl ? nl + 1 : end;
}

/* The next line with content (blanks before it skipped, '#' comments
 * passed over) at *p: its start in *ls, its end in *le, its number counted
 * in *lineno. False at the end. */
static bool data_line(const char **p, const char *end, const char **ls, const char **le,
                      uint64_t *lineno)
{
    while (*p < end) {
        *ls = *p;
        *p = next_line(*p, end, le);
        ++*lineno;
        while (*ls < *le && isspace((unsigned char)**ls))
            ++*ls;
        if (*ls < *le && **ls != '#')
            return true;
    }
    return false;
}

int mm_ioc_read_dataset(const char *d, size_t n, const mm_ioc_read_opts *o,
                        const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    mm_ioc base = {.source = o->source, .confidence = -1, .to_ids = true};
    const char *p = d, *end = d + n;
    uint64_t lineno = o->line0;
    const char *ls, *le;
    while (data_line(&p, end, &ls, &le, &lineno)) {
        const char *comma = memchr(ls, ',', (size_t)(le - ls));
        const char *ve = comma ? comma : le;
        char where[32];
        snprintf(where, sizeof where, "line %llu", (unsigned long long)lineno);
        mm_ioc c = base;
        if (comma) {                      /* datarep: value,reputation */
            long rep = 0;
            for (const char *q = comma + 1; q < le && *q >= '0' && *q <= '9' && rep <= 100; q++)
                rep = rep * 10 + (*q - '0');
            c.confidence = rep > 100 ? 100 : (int)rep;
        }
        size_t vl = (size_t)(ve - ls);
        mm_ioc_type t = o->type;
        bool hexish = vl == 32 || vl == 64 || vl == 40;
        for (size_t i = 0; i < vl && hexish; i++)
            hexish = isxdigit((unsigned char)ls[i]) != 0;
        bool addr = false;
        if (!hexish && vl < 64) {
            char b[64];
            memcpy(b, ls, vl);
            b[vl] = 0;
            mm_ip ip;
            addr = mm_ip_parse(b, &ip);
        }
        bool textual = t == IOC_DOMAIN || t == IOC_URL || t == IOC_EMAIL || t == IOC_FILENAME ||
                       t == IOC_USER_AGENT || t == IOC_SUBJECT || t == IOC_JA4 ||
                       (t == IOC_NONE && !hexish && !addr);
        if (textual) {
            /* a string dataset: base64 of the bytes */
            uint8_t raw[MM_IOC_VALUE_MAX];
            size_t rl = mm_base64_decode_lax((const uint8_t *)ls, vl, raw, sizeof raw, false);
            if (rl == 0) {
                mm_ioc_bad(s, st, where, "not base64 (a string dataset line)");
                continue;
            }
            if (mm_ioc_emit(s, st, &c, t, (const char *)raw, rl, where) != 0)
                return 0;
        } else if (mm_ioc_emit(s, st, &c, t, ls, vl, where) != 0)
            return 0;
    }
    return 0;
}

int mm_ioc_read_iprep(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                      mm_ioc_read_stats *st, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    mm_ioc base = {.source = o->source, .confidence = -1, .to_ids = true};
    const char *p = d, *end = d + n;
    uint64_t lineno = o->line0;
    const char *ls, *le;
    while (data_line(&p, end, &ls, &le, &lineno)) {
        char line[256], where[32];
        snprintf(where, sizeof where, "line %llu", (unsigned long long)lineno);
        size_t ll = (size_t)(le - ls);
        if (ll >= sizeof line) {
            mm_ioc_bad(s, st, where, "line too long for address,category,score");
            continue;
        }
        memcpy(line, ls, ll);
        line[ll] = 0;
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (!c1 || !c2) {
            mm_ioc_bad(s, st, where, "not address,category,score");
            continue;
        }
        *c1 = *c2 = 0;
        char *e1, *e2;
        long cat = strtol(c1 + 1, &e1, 10), score = strtol(c2 + 1, &e2, 10);
        if (*e1 || *e2 || cat < 0 || cat > 255 || score < 0 || score > 127) {
            mm_ioc_bad(s, st, where, "category 0-255 and score 0-127 expected");
            continue;
        }
        char desc[48];
        snprintf(desc, sizeof desc, "reputation category %ld, score %ld", cat, score);
        mm_ioc c = base;
        c.desc = desc;
        c.confidence = (int)(score * 100 / 127);
        if (mm_ioc_emit(s, st, &c, IOC_IPV4, line, strlen(line), where) != 0)
            return 0;
    }
    return 0;
}
