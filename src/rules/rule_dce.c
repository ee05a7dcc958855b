/*
 * rule_dce.c - the DCE/RPC keywords of the rule language, and geoip:
 *   dcerpc.iface:<uuid>[,<op><version>][,any_frag]  (dce_iface)
 *   dcerpc.opnum:<n>[,<n>|<lo>-<hi>]...              (dce_opnum)
 * and their test on what an SMB named pipe's request or response shows
 * (the MM_BUF_DCERPC_OPNUM and MM_BUF_DCERPC_IFACE buffers).
 * dcerpc.stub_data is a sticky buffer (rule_payload.c).
 *   geoip:<src|dst|both|any>,[!]CC[,CC]...
 * the country of the packet's addresses (the sensor's GeoIP data).
 */
#include "rules/rule_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int hexv(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "367abb81-9844-35f1-ad32-98f038001003" into the wire's layout (the first
 * three fields little-endian). */
static bool parse_uuid(const char *s, uint8_t out[16])
{
    uint8_t b[16];
    int k = 0;
    static const int dash_at[] = {8, 13, 18, 23};
    if (strlen(s) != 36)
        return false;
    for (int i = 0, d = 0; i < 36;) {
        if (d < 4 && i == dash_at[d]) {
            if (s[i] != '-')
                return false;
            d++;
            i++;
            continue;
        }
        int h = hexv(s[i]), l = hexv(s[i + 1]);
        if (h < 0 || l < 0)
            return false;
        b[k++] = (uint8_t)(h << 4 | l);
        i += 2;
    }
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++)
        out[i] = b[order[i]];
    return true;
}

static bool kw_iface(mm_rparse *p, const char *kw, char *val, mm_rdce *d)
{
    char *save = NULL, *tok = strtok_r(val, ",", &save);
    if (!tok || !parse_uuid(mm_rp_trim(tok), d->uuid))
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad UUID", kw);
    d->has_iface = true;
    while ((tok = strtok_r(NULL, ",", &save))) {
        char *t = mm_rp_trim(tok);
        int64_t v;
        if (strcmp(t, "any_frag") == 0) {
            d->any_frag = true;
        } else if ((t[0] == '<' || t[0] == '>' || t[0] == '=' || t[0] == '!') &&
                   mm_rp_num(mm_rp_trim(t + 1), 0, 65535, &v)) {
            d->ver_op = (uint8_t)t[0];
            d->ver = (uint16_t)v;
        } else {
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad option '%s'", kw, t);
        }
    }
    return true;
}

static bool kw_opnum(mm_rparse *p, const char *kw, char *val, mm_rdce *d)
{
    char *save = NULL;
    for (char *tok = strtok_r(val, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *t = mm_rp_trim(tok), *dash = strchr(t, '-');
        int64_t lo, hi;
        if (dash) {
            *dash = 0;
            if (!mm_rp_num(mm_rp_trim(t), 0, 65535, &lo) ||
                !mm_rp_num(mm_rp_trim(dash + 1), lo, 65535, &hi))
                return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad range", kw);
        } else if (mm_rp_num(t, 0, 65535, &lo)) {
            hi = lo;
        } else {
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad opnum '%s'", kw, t);
        }
        if (d->nop == MM_DCE_OPNUMS)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: more than %d opnums", kw, MM_DCE_OPNUMS);
        d->op_lo[d->nop] = (uint16_t)lo;
        d->op_hi[d->nop++] = (uint16_t)hi;
    }
    if (!d->nop)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no opnum", kw);
    return true;
}

bool mm_kw_dce(mm_rparse *p, const char *kw, char *val)
{
    if (!val || !*val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
    mm_rdce *d = &p->dce;
    p->has_dce = true;
    bool iface = strcmp(kw, "dcerpc.iface") == 0 || strcmp(kw, "dce_iface") == 0;
    if (iface ? d->has_iface : d->nop)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s given twice", kw);
    return iface ? kw_iface(p, kw, val, d) : kw_opnum(p, kw, val, d);
}

bool mm_rdce_match(const mm_rdce *d, const uint8_t *opnum, const uint8_t *iface)
{
    if (d->nop) {
        if (!opnum)
            return false;
        uint16_t op = (uint16_t)(opnum[0] | opnum[1] << 8);
        bool in = false;
        for (int i = 0; i < d->nop && !in; i++)
            in = op >= d->op_lo[i] && op <= d->op_hi[i];
        if (!in)
            return false;
    }
    if (d->has_iface) {
        if (!iface || memcmp(iface, d->uuid, 16) != 0)
            return false;
        uint16_t v = (uint16_t)(iface[16] | iface[17] << 8);
        switch (d->ver_op) {
        case '<': return v < d->ver;
        case '>': return v > d->ver;
        case '=': return v == d->ver;
        case '!': return v != d->ver;
        default: break;
        }
    }
    return true;
}

bool mm_kw_geoip(mm_rparse *p, const char *kw, char *val)
{
    mm_rgeo *g = &p->geo;
    if (p->has_geo)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s given twice", kw);
    char *save = NULL, *tok = val ? strtok_r(val, ",", &save) : NULL;
    if (!tok)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
    tok = mm_rp_trim(tok);
    g->where = strcmp(tok, "src") == 0 ? MM_GEO_SRC : strcmp(tok, "dst") == 0 ? MM_GEO_DST
             : strcmp(tok, "both") == 0 ? MM_GEO_BOTH : strcmp(tok, "any") == 0 ? MM_GEO_ANY : 0;
    if (!g->where)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: '%s' is not src, dst, both or any", kw, tok);
    while ((tok = strtok_r(NULL, ",", &save))) {
        char *t = mm_rp_trim(tok);
        if (*t == '!') {
            if (g->n)
                return mm_rp_fail(p, MM_SKIP_VALUE, "%s: '!' before the first code only", kw);
            g->neg = true;
            t = mm_rp_trim(t + 1);
        }
        if (strlen(t) != 2 || !isalpha((unsigned char)t[0]) || !isalpha((unsigned char)t[1]))
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: '%s' is no country code", kw, t);
        if (g->n == MM_GEO_CODES)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: more than %d codes", kw, MM_GEO_CODES);
        g->cc[g->n][0] = (char)toupper((unsigned char)t[0]);
        g->cc[g->n][1] = (char)toupper((unsigned char)t[1]);
        g->cc[g->n++][2] = 0;
    }
    if (!g->n)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no country code", kw);
    p->has_geo = true;
    return true;
}

static bool geo_one(const mm_rgeo *g, const char *cc)
{
    bool in = false;
    for (int i = 0; i < g->n && !in && cc[0]; i++)
        in = cc[0] == g->cc[i][0] && cc[1] == g->cc[i][1];
    return in != g->neg;
}

bool mm_rgeo_match(const mm_rgeo *g, const char *src_cc, const char *dst_cc)
{
    switch (g->where) {
    case MM_GEO_SRC: return geo_one(g, src_cc);
    case MM_GEO_DST: return geo_one(g, dst_cc);
    case MM_GEO_BOTH: return geo_one(g, src_cc) && geo_one(g, dst_cc);
    default: return geo_one(g, src_cc) || geo_one(g, dst_cc);
    }
}
