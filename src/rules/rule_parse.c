/*
 * rule_parse.c - reading rule files: lines (with '\' continuations), the
 * header, the option list, the meta and state keywords, and the ruleset
 * with its summary. The payload keywords (buffers, content, pcre, byte_*
 * ...) are in rule_payload.c.
 *
 * A rule is split at its first '(' into header and options; options are
 * separated by ';' not escaped by '\' (as Suricata splits them: quotes do
 * not protect a ';'). Each option is "keyword" or "keyword:value"; the
 * keyword table below says which function takes it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "decode/anomaly.h"
#include "rules/rule_int.h"

#define MAX_FILE (256 * 1024 * 1024)

/* --- small helpers -------------------------------------------------------- */

bool mm_rp_fail(mm_rparse *p, int why, const char *fmt, ...)
{
    p->why = why;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, p->msglen, fmt, ap);
    va_end(ap);
    return false;
}

char *mm_rp_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    return s;
}

bool mm_rp_num(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    while (*s == ' ')
        s++;
    bool neg = *s == '-';
    if (neg || *s == '+')
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    int64_t v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        if (!isxdigit((unsigned char)*s))
            return false;
        for (; isxdigit((unsigned char)*s); s++) {
            int d = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
            if (v > (INT64_MAX - d) / 16)
                return false;
            v = v * 16 + d;
        }
    } else {
        for (; isdigit((unsigned char)*s); s++) {
            if (v > (INT64_MAX - (*s - '0')) / 10)
                return false;
            v = v * 10 + (*s - '0');
        }
    }
    while (*s == ' ')
        s++;
    if (*s)
        return false;
    if (neg)
        v = -v;
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

int mm_rp_split(char *s, char sep, char **parts, int max)
{
    int n = 0;
    bool q = false;
    char *start = s;
    for (char *c = s;; c++) {
        if (*c == '\\' && c[1]) {
            c++;
            continue;
        }
        if (*c == '"')
            q = !q;
        if ((*c == sep && !q) || *c == 0) {
            bool end = *c == 0;
            *c = 0;
            if (n == max)
                return -1;
            parts[n++] = mm_rp_trim(start);
            if (end)
                break;
            start = c + 1;
        }
    }
    return n;
}

bool mm_rp_unquote(char *s, bool required)
{
    size_t n = strlen(s);
    bool quoted = n >= 2 && s[0] == '"' && s[n - 1] == '"';
    if (!quoted && required)
        return false;
    if (quoted) {
        memmove(s, s + 1, n - 2);
        s[n - 2] = 0;
    }
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
        } else if (*r == '"' && quoted) {
            return false;       /* an unescaped quote inside */
        }
        *w++ = *r;
    }
    *w = 0;
    return true;
}

/* --- meta keywords -------------------------------------------------------- */

static bool kw_msg(mm_rparse *p, const char *kw, char *val)
{
    (void)kw;
    if (!val || !mm_rp_unquote(val, false))
        return mm_rp_fail(p, MM_SKIP_VALUE, "msg: bad value");
    if (!(p->r->msg = mm_arena_strdup(&p->rs->arena, val)))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    return true;
}

static bool kw_number(mm_rparse *p, const char *kw, char *val)
{
    int64_t v;
    if (!val || !mm_rp_num(val, 0, UINT32_MAX, &v))
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad number", kw);
    if (strcmp(kw, "sid") == 0) {
        if (v == 0)
            return mm_rp_fail(p, MM_SKIP_VALUE, "sid: 0 is not a sid");
        p->r->sid = (uint32_t)v;
        p->has_sid = true;
    } else if (strcmp(kw, "rev") == 0) {
        p->r->rev = (uint32_t)v;
    } else if (strcmp(kw, "gid") == 0) {
        p->r->gid = (uint32_t)v;
    } else {                    /* priority */
        if (v < 1 || v > 255)
            return mm_rp_fail(p, MM_SKIP_VALUE, "priority: 1-255");
        p->r->priority = (uint8_t)v;
    }
    return true;
}

static bool kw_classtype(mm_rparse *p, const char *kw, char *val)
{
    (void)kw;
    if (!val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "classtype: no value");
    val = mm_rp_trim(val);
    uint64_t *i = mm_strmap_get(&p->rs->class_idx, val, strlen(val));
    if (!i)
        return mm_rp_fail(p, MM_SKIP_VALUE, "classtype: unknown class '%.64s'", val);
    p->r->classtype = (uint16_t)*i;
    return true;
}

static bool kw_reference(mm_rparse *p, const char *kw, char *val)
{
    (void)kw;
    if (!val || !strchr(val, ','))
        return mm_rp_fail(p, MM_SKIP_VALUE, "reference: TYPE,VALUE expected");
    if (p->nrefs == MM_RULE_MAX_REFS)
        return true;            /* kept up to the cap, as metadata */
    if (!(p->refs[p->nrefs++] = mm_arena_strdup(&p->rs->arena, mm_rp_trim(val))))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    return true;
}

static bool kw_metadata(mm_rparse *p, const char *kw, char *val)
{
    (void)kw;
    if (!val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "metadata: no value");
    val = mm_rp_trim(val);
    size_t n = strlen(val), room = sizeof p->metadata - p->metalen;
    if (n + 3 > room)
        return true;            /* kept up to the cap */
    if (p->metalen) {
        memcpy(p->metadata + p->metalen, ", ", 2);
        p->metalen += 2;
    }
    memcpy(p->metadata + p->metalen, val, n + 1);
    p->metalen += n;
    return true;
}

static bool kw_target(mm_rparse *p, const char *kw, char *val)
{
    (void)kw;
    val = val ? mm_rp_trim(val) : NULL;
    if (val && strcmp(val, "src_ip") == 0)
        p->r->target = 1;
    else if (val && strcmp(val, "dest_ip") == 0)
        p->r->target = 2;
    else
        return mm_rp_fail(p, MM_SKIP_VALUE, "target: src_ip or dest_ip");
    return true;
}

static bool kw_flag(mm_rparse *p, const char *kw, char *val)
{
    (void)val;
    if (strcmp(kw, "noalert") == 0)
        p->r->noalert = 1;
    else if (strcmp(kw, "bypass") == 0)
        p->r->bypass = 1;
    else if (strcmp(kw, "alert") == 0)
        p->r->alert_kw = 1;
    else if (strcmp(kw, "ftpbounce") == 0)
        p->r->ftpbounce = 1;
    return true;
}

/* config:logging disable, type tx, scope tx (a config rule's): the
 * transaction it matches is not logged. Other subsystems, types and scopes
 * are not supported. */
static bool kw_config(mm_rparse *p, const char *kw, char *val)
{
    char *parts[4];
    int n = val ? mm_rp_split(val, ',', parts, 4) : -1;
    if (n != 3 || strcmp(parts[0], "logging disable") != 0 || strcmp(parts[1], "type tx") != 0 ||
        strcmp(parts[2], "scope tx") != 0)
        return mm_rp_fail(p, MM_SKIP_KEYWORD, "%s: only 'logging disable, type tx, scope tx'",
                          kw);
    p->r->nolog = 1;
    return true;
}

/* tag:session[,COUNT,METRIC] or tag:host,COUNT,METRIC,src|dst (Suricata's:
 * a session tag without a count is 256 packets). */
static bool kw_tag(mm_rparse *p, const char *kw, char *val)
{
    mm_rule *r = p->r;
    if (!val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
    if (r->ntags == 2)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: more than two tags", kw);
    char *parts[5];
    int n = mm_rp_split(val, ',', parts, 5);
    mm_rtag t = {.metric = MM_TAG_PACKETS, .count = 256};
    if (n >= 1 && strcmp(parts[0], "host") == 0)
        t.host = 1;
    else if (n < 1 || strcmp(parts[0], "session") != 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: session or host", kw);
    if (n >= 3) {
        int64_t c;
        if (!mm_rp_num(parts[1], 1, UINT32_MAX, &c))
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad count", kw);
        t.count = (uint32_t)c;
        if (strcmp(parts[2], "packets") == 0)
            t.metric = MM_TAG_PACKETS;
        else if (strcmp(parts[2], "seconds") == 0)
            t.metric = MM_TAG_SECONDS;
        else if (strcmp(parts[2], "bytes") == 0)
            t.metric = MM_TAG_BYTES;
        else
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: packets, seconds or bytes", kw);
    } else if (n != 1) {
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: a count needs its metric", kw);
    }
    if (t.host) {
        if (n != 4 || (strcmp(parts[3], "src") != 0 && strcmp(parts[3], "dst") != 0))
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: host,COUNT,METRIC,src|dst", kw);
        t.dst = parts[3][0] == 'd';
    } else if (n > 3) {
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: too many values", kw);
    }
    r->tags[r->ntags++] = t;
    return true;
}

/* --- state keywords ------------------------------------------------------- */

static bool kw_flow(mm_rparse *p, const char *kw, char *val)
{
    (void)kw;
    char *parts[8];
    int n = val ? mm_rp_split(val, ',', parts, 8) : -1;
    if (n <= 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "flow: bad value");
    static const struct {
        const char *name;
        uint16_t bit;
    } opts[] = {
        {"to_server", MM_FLOW_TO_SERVER}, {"from_client", MM_FLOW_TO_SERVER},
        {"to_client", MM_FLOW_TO_CLIENT}, {"from_server", MM_FLOW_TO_CLIENT},
        {"established", MM_FLOW_ESTABLISHED}, {"not_established", MM_FLOW_NOT_ESTABLISHED},
        {"stateless", MM_FLOW_STATELESS}, {"only_stream", MM_FLOW_ONLY_STREAM},
        {"no_stream", MM_FLOW_NO_STREAM}, {"only_frag", MM_FLOW_ONLY_FRAG},
        {"no_frag", MM_FLOW_NO_FRAG},
    };
    for (int i = 0; i < n; i++) {
        size_t j = 0;
        while (j < sizeof opts / sizeof opts[0] && strcmp(parts[i], opts[j].name) != 0)
            j++;
        if (j == sizeof opts / sizeof opts[0])
            return mm_rp_fail(p, MM_SKIP_VALUE, "flow: unknown '%.32s'", parts[i]);
        p->r->flow |= opts[j].bit;
    }
    uint16_t f = p->r->flow;
    if ((f & MM_FLOW_TO_SERVER && f & MM_FLOW_TO_CLIENT) ||
        (f & MM_FLOW_ESTABLISHED && f & MM_FLOW_NOT_ESTABLISHED) ||
        (f & MM_FLOW_ONLY_STREAM && f & MM_FLOW_NO_STREAM))
        return mm_rp_fail(p, MM_SKIP_VALUE, "flow: contradictory options");
    return true;
}

/* The id of a name in a map of names (flowbits, flowints), new ones
 * numbered in order with their name kept for output; UINT32_MAX: no memory. */
static uint32_t name_id(mm_ruleset *rs, mm_strmap *m, char ***names, size_t *n,
                        const char *name)
{
    bool added;
    uint64_t *v = mm_strmap_put(m, name, strlen(name), *n, &added);
    if (!v)
        return UINT32_MAX;
    if (added) {
        char **nb = realloc(*names, (*n + 1) * sizeof *nb);
        if (!nb) {
            mm_strmap_del(m, name, strlen(name));
            return UINT32_MAX;
        }
        *names = nb;
        (*names)[(*n)++] = mm_arena_strdup(&rs->arena, name);
    }
    return (uint32_t)*v;
}

uint32_t mm_rp_var_id(mm_ruleset *rs, const char *name)
{
    return name_id(rs, &rs->varnames, &rs->var_names, &rs->nvarnames, name);
}

static uint32_t bit_id(mm_ruleset *rs, const char *name)
{
    return name_id(rs, &rs->bits, &rs->bit_names, &rs->nbits, name);
}

static bool kw_bits(mm_rparse *p, const char *kw, char *val)
{
    bool xb = strcmp(kw, "xbits") == 0, hb = strcmp(kw, "hostbits") == 0;
    char *parts[6];
    int n = val ? mm_rp_split(val, ',', parts, 6) : -1;
    if (n <= 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad value", kw);
    if (!xb && n == 1 && strcmp(parts[0], "noalert") == 0) {
        p->r->noalert = 1;
        return true;
    }
    static const char *const cmds[] = {"set", "unset", "toggle", "isset", "isnotset"};
    int cmd = -1;
    for (int i = 0; i < 5; i++)
        if (strcmp(parts[0], cmds[i]) == 0)
            cmd = i;
    if (cmd < 0 || n < 2)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad command '%.32s'", kw, parts[0]);
    if (p->nbitops == MM_RULE_MAX_BITOPS)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: too many", kw);
    mm_bitop *b = &p->bitops[p->nbitops];
    memset(b, 0, sizeof *b);
    b->cmd = (uint8_t)cmd;
    char *names = parts[1];
    if (!*names)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no name", kw);
    b->any = strchr(names, '|') != NULL;
    if (b->any && strchr(names, '&'))
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: '|' and '&' together", kw);
    if ((b->any || strchr(names, '&')) && cmd != MM_BIT_ISSET && cmd != MM_BIT_ISNOTSET)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: several names only for tests", kw);
    for (char *save = NULL, *t = strtok_r(names, "|&", &save); t; t = strtok_r(NULL, "|&", &save)) {
        t = mm_rp_trim(t);
        if (!*t || strlen(t) > 128)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad name", kw);
        if (b->nbits == 4)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: too many names", kw);
        uint32_t id = bit_id(p->rs, t);
        if (id == UINT32_MAX)
            return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
        b->bit[b->nbits++] = id;
    }
    if (hb) {
        /* hostbits:set,name[,src|dst]: xbits on the source (the default)
         * or destination host, as Suricata's */
        const char *d = n > 2 ? mm_rp_trim(parts[2]) : "src";
        b->xbits = strcmp(d, "src") == 0 ? 1 : strcmp(d, "dst") == 0 ? 2 : 0;
        if (!b->xbits || n > 3)
            return mm_rp_fail(p, MM_SKIP_VALUE, "hostbits: '%.32s': src or dst", d);
    } else if (xb) {
        /* xbits:set,name,track ip_src|ip_dst|ip_pair[,expire N] */
        for (int i = 2; i < n; i++) {
            if (strncmp(parts[i], "track", 5) == 0) {
                const char *t = mm_rp_trim(parts[i] + 5);
                b->xbits = strcmp(t, "ip_src") == 0 ? 1 : strcmp(t, "ip_dst") == 0 ? 2
                         : strcmp(t, "ip_pair") == 0 ? 3 : 0;
            } else if (strncmp(parts[i], "expire", 6) == 0) {
                int64_t e;
                if (!mm_rp_num(parts[i] + 6, 1, UINT32_MAX, &e))
                    return mm_rp_fail(p, MM_SKIP_VALUE, "xbits: bad expire");
                b->expire = (uint32_t)e;
            } else {
                return mm_rp_fail(p, MM_SKIP_VALUE, "xbits: unknown '%.32s'", parts[i]);
            }
        }
        if (!b->xbits)
            return mm_rp_fail(p, MM_SKIP_VALUE, "xbits: track ip_src, ip_dst or ip_pair needed");
    } else if (n > 2) {
        return mm_rp_fail(p, MM_SKIP_VALUE, "flowbits: too many values");
    }
    p->nbitops++;
    return true;
}

static bool kw_flowint(mm_rparse *p, const char *kw, char *val)
{
    (void)kw;
    char *parts[3];
    int n = val ? mm_rp_split(val, ',', parts, 3) : -1;
    if (n < 2 || !*parts[0])
        return mm_rp_fail(p, MM_SKIP_VALUE, "flowint: NAME,OP[,VALUE]");
    static const struct {
        const char *op;
        char code;
        bool value;
    } ops[] = {{"=", '=', true}, {"+", '+', true}, {"-", '-', true}, {"<", '<', true},
               {">", '>', true}, {"<=", 'l', true}, {">=", 'g', true}, {"==", 'e', true},
               {"!=", 'n', true}, {"isset", 's', false}, {"notset", 'x', false},
               {"isnotset", 'x', false}};
    size_t i = 0;
    while (i < sizeof ops / sizeof ops[0] && strcmp(ops[i].op, parts[1]) != 0)
        i++;
    if (i == sizeof ops / sizeof ops[0] || ops[i].value != (n == 3))
        return mm_rp_fail(p, MM_SKIP_VALUE, "flowint: bad operator '%.16s'", parts[1]);
    int64_t v = 0;
    if (n == 3 && !mm_rp_num(parts[2], 0, UINT32_MAX, &v))
        return mm_rp_fail(p, MM_SKIP_VALUE, "flowint: bad value");
    mm_rule *r = p->r;
    if (r->nflowint == 8)
        return mm_rp_fail(p, MM_SKIP_VALUE, "flowint: too many");
    if (!r->flowint && !(r->flowint = mm_arena_alloc(&p->rs->arena, 8 * sizeof *r->flowint)))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    uint32_t id = name_id(p->rs, &p->rs->flowints, &p->rs->flowint_names, &p->rs->nflowints,
                          parts[0]);
    if (id == UINT32_MAX)
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    r->flowint[r->nflowint++] = (mm_flowint){id, (uint8_t)ops[i].code, (uint32_t)v};
    return true;
}

/* threshold: type T, track K, count N, seconds S (any order);
 * detection_filter: track K, count N, seconds S. */
static bool kw_threshold(mm_rparse *p, const char *kw, char *val)
{
    bool df = strcmp(kw, "detection_filter") == 0;
    char *parts[6];
    int n = val ? mm_rp_split(val, ',', parts, 6) : -1;
    if (n <= 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad value", kw);
    mm_rthreshold t = {.type = df ? MM_THR_DETECTION : 0xFF, .track = 0xFF};
    bool have_count = false, have_secs = false;
    for (int i = 0; i < n; i++) {
        char *k = parts[i], *v = k + strcspn(k, " \t");
        if (*v)
            *v++ = 0;
        v = mm_rp_trim(v);
        int64_t x;
        if (strcmp(k, "type") == 0 && !df) {
            t.type = strcmp(v, "limit") == 0 ? MM_THR_LIMIT : strcmp(v, "threshold") == 0
                   ? MM_THR_THRESHOLD : strcmp(v, "both") == 0 ? MM_THR_BOTH : 0xFF;
            if (t.type == 0xFF)
                return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad type", kw);
        } else if (strcmp(k, "track") == 0) {
            t.track = strcmp(v, "by_src") == 0 ? MM_TRACK_SRC : strcmp(v, "by_dst") == 0
                    ? MM_TRACK_DST : strcmp(v, "by_rule") == 0 ? MM_TRACK_RULE
                    : strcmp(v, "by_both") == 0 ? MM_TRACK_BOTH : strcmp(v, "by_flow") == 0
                    ? MM_TRACK_FLOW : 0xFF;
            if (t.track == 0xFF)
                return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad track", kw);
        } else if (strcmp(k, "count") == 0 && mm_rp_num(v, 1, UINT32_MAX, &x)) {
            t.count = (uint32_t)x;
            have_count = true;
        } else if (strcmp(k, "seconds") == 0 && mm_rp_num(v, 1, UINT32_MAX, &x)) {
            t.seconds = (uint32_t)x;
            have_secs = true;
        } else {
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad '%.32s'", kw, k);
        }
    }
    if (t.type == 0xFF || t.track == 0xFF || !have_count || !have_secs)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: type, track, count and seconds needed", kw);
    if (df) {
        if (p->r->has_detection_filter)
            return mm_rp_fail(p, MM_SKIP_VALUE, "detection_filter given twice");
        p->r->detection_filter = t;
        p->r->has_detection_filter = 1;
    } else {
        if (p->r->has_threshold)
            return mm_rp_fail(p, MM_SKIP_VALUE, "threshold given twice");
        p->r->threshold = t;
        p->r->has_threshold = 1;
    }
    return true;
}

/* "N", "<N", ">N", "<=N", ">=N", "!N", "N<>M", "N-M" into c. */
static bool parse_cmp(const char *s, uint64_t max, mm_cmp *c)
{
    char buf[64];
    if (strlen(s) >= sizeof buf)
        return false;
    strcpy(buf, s);
    char *t = mm_rp_trim(buf);
    int64_t a, b;
    char *mid = strstr(t, "<>");
    size_t sep = 2;
    if (!mid && t[0] != '-' && (mid = strchr(t + 1, '-')))
        sep = 1;
    if (mid) {
        *mid = 0;
        if (!mm_rp_num(t, 0, (int64_t)max, &a) || !mm_rp_num(mid + sep, 0, (int64_t)max, &b) ||
            a >= b)
            return false;
        *c = (mm_cmp){MM_CMP_RANGE, (uint64_t)a, (uint64_t)b};
        return true;
    }
    uint8_t op = MM_CMP_EQ;
    if (t[0] == '<' && t[1] == '=') {
        op = MM_CMP_LE;
        t += 2;
    } else if (t[0] == '>' && t[1] == '=') {
        op = MM_CMP_GE;
        t += 2;
    } else if (t[0] == '<') {
        op = MM_CMP_LT;
        t++;
    } else if (t[0] == '>') {
        op = MM_CMP_GT;
        t++;
    } else if (t[0] == '!' && t[1] == '=') {
        op = MM_CMP_NE;
        t += 2;
    } else if (t[0] == '!') {
        op = MM_CMP_NE;
        t++;
    } else if (t[0] == '=') {
        t++;
    }
    if (!mm_rp_num(t, 0, (int64_t)max, &a))
        return false;
    *c = (mm_cmp){op, (uint64_t)a, 0};
    return true;
}

bool mm_cmp_eval(const mm_cmp *c, uint64_t x)
{
    switch (c->op) {
    case MM_CMP_EQ: return x == c->a;
    case MM_CMP_LT: return x < c->a;
    case MM_CMP_GT: return x > c->a;
    case MM_CMP_LE: return x <= c->a;
    case MM_CMP_GE: return x >= c->a;
    case MM_CMP_NE: return x != c->a;
    default: return x > c->a && x < c->b;
    }
}

bool mm_rp_cmp(const char *s, uint64_t max, mm_cmp *c)
{
    return parse_cmp(s, max, c);
}

static bool kw_packet(mm_rparse *p, const char *kw, char *val)
{
    mm_rule *r = p->r;
    if (!val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
    val = mm_rp_trim(val);
    static const struct {
        const char *kw;
        uint8_t field;
        uint64_t max;
    } hdr[] = {{"ttl", MM_HF_TTL, 255}, {"id", MM_HF_IP_ID, 65535},
               {"window", MM_HF_TCP_WINDOW, 65535}, {"seq", MM_HF_TCP_SEQ, UINT32_MAX},
               {"ack", MM_HF_TCP_ACK, UINT32_MAX}, {"icmp_id", MM_HF_ICMP_ID, 65535},
               {"icmp_seq", MM_HF_ICMP_SEQ, 65535}};
    for (size_t i = 0; i < sizeof hdr / sizeof hdr[0]; i++) {
        if (strcmp(kw, hdr[i].kw) != 0)
            continue;
        if (r->nhdr == MM_RULE_MAX_HDR)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: too many header tests", kw);
        mm_hdrcmp *h = &p->hdr[r->nhdr];
        h->field = hdr[i].field;
        if (!parse_cmp(val, hdr[i].max, &h->c))
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad value", kw);
        r->nhdr++;
        return true;
    }
    static const char *const csums[] = {NULL, "ipv4-csum", "tcpv4-csum", "tcpv6-csum",
                                        "udpv4-csum", "udpv6-csum", "icmpv4-csum",
                                        "icmpv6-csum"};
    for (int i = 1; i < (int)(sizeof csums / sizeof csums[0]); i++) {
        if (strcmp(kw, csums[i]) != 0)
            continue;
        if (strcmp(val, "valid") != 0 && strcmp(val, "invalid") != 0)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: valid or invalid", kw);
        r->csum = (uint8_t)i;
        r->csum_valid = val[0] == 'v';
        return true;
    }
    if (strcmp(kw, "dsize") == 0) {
        if (!parse_cmp(val, 65535, &r->dsize))
            return mm_rp_fail(p, MM_SKIP_VALUE, "dsize: bad value");
        r->has_dsize = 1;
    } else if (strcmp(kw, "itype") == 0 || strcmp(kw, "icode") == 0) {
        mm_cmp *c = kw[1] == 't' ? &r->itype : &r->icode;
        if (!parse_cmp(val, 255, c))
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad value", kw);
        *(kw[1] == 't' ? &r->has_itype : &r->has_icode) = 1;
    } else if (strcmp(kw, "ip_proto") == 0) {
        int64_t v;
        bool neg = *val == '!';
        const char *s = neg ? val + 1 : val;
        static const struct {
            const char *n;
            uint8_t v;
        } names[] = {{"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"ipv6-icmp", 58}, {"gre", 47},
                     {"esp", 50}, {"ah", 51}, {"sctp", 132}, {"igmp", 2}, {"ipip", 4}};
        size_t i = 0;
        while (i < sizeof names / sizeof names[0] && strcmp(names[i].n, s) != 0)
            i++;
        if (i < sizeof names / sizeof names[0])
            v = names[i].v;
        else if (!mm_rp_num(s, 0, 255, &v))
            return mm_rp_fail(p, MM_SKIP_VALUE, "ip_proto: bad value");
        r->ip_proto = (uint8_t)v;
        r->ip_proto_neg = neg;
        r->has_ip_proto = 1;
    } else if (strcmp(kw, "flags") == 0 || strcmp(kw, "tcp.flags") == 0) {
        /* flags:[!|*|+]FSRPAUCE0[,mask] */
        char *comma = strchr(val, ',');
        if (comma)
            *comma++ = 0;
        size_t vl = strlen(val);
        if (vl > 1 && (val[vl - 1] == '+' || val[vl - 1] == '*' || val[vl - 1] == '!')) {
            r->tcp_flags_mod = (uint8_t)val[vl - 1];      /* Snort's trailing form */
            val[vl - 1] = 0;
        }
        const char *s = val;
        if (*s == '!' || *s == '*' || *s == '+')
            r->tcp_flags_mod = (uint8_t)*s++;
        /* '1' and '2' are the old names of CWR and ECE */
        static const char letters[] = "FSRPAU12";
        for (; *s; s++) {
            char ch = (char)toupper((unsigned char)*s);
            ch = ch == 'C' ? '1' : ch == 'E' ? '2' : ch;
            const char *l = strchr(letters, ch);
            if (*s == '0')
                continue;
            if (!l || !*l)
                return mm_rp_fail(p, MM_SKIP_VALUE, "flags: bad flag '%c'", *s);
            r->tcp_flags |= (uint8_t)(1u << (l - letters));
        }
        r->tcp_flags_mask = 0xFF;
        if (comma) {
            for (s = mm_rp_trim(comma); *s; s++) {
                char ch = (char)toupper((unsigned char)*s);
                ch = ch == 'C' ? '1' : ch == 'E' ? '2' : ch;
                const char *l = strchr(letters, ch);
                if (!l || !*l)
                    return mm_rp_fail(p, MM_SKIP_VALUE, "flags: bad mask '%c'", *s);
                r->tcp_flags_mask &= (uint8_t)~(1u << (l - letters));
            }
        }
        r->has_flags = 1;
    } else if (strcmp(kw, "stream_size") == 0) {
        char *parts[3];
        if (mm_rp_split(val, ',', parts, 3) != 3)
            return mm_rp_fail(p, MM_SKIP_VALUE, "stream_size: SIDE,OP,N");
        r->stream_size_side = strcmp(parts[0], "server") == 0 ? 1 : strcmp(parts[0], "client") == 0
                            ? 2 : strcmp(parts[0], "both") == 0 ? 3
                            : strcmp(parts[0], "either") == 0 ? 4 : 0;
        char both[80];
        snprintf(both, sizeof both, "%s%s", parts[1], parts[2]);
        if (!r->stream_size_side || !parse_cmp(both, UINT32_MAX, &r->stream_size) ||
            r->stream_size.op == MM_CMP_RANGE)
            return mm_rp_fail(p, MM_SKIP_VALUE, "stream_size: bad value");
        r->has_stream_size = 1;
    } else if (strcmp(kw, "tls.version") == 0 || strcmp(kw, "ssl_version") == 0) {
        static const struct {
            const char *n;
            uint16_t v;
        } v[] = {{"1.0", 0x0301}, {"1.1", 0x0302}, {"1.2", 0x0303}, {"1.3", 0x0304},
                 {"ssl3", 0x0300}, {"sslv3", 0x0300}, {"ssl2", 0x0200}, {"sslv2", 0x0200},
                 {"tls1.0", 0x0301}, {"tls1.1", 0x0302}, {"tls1.2", 0x0303}, {"tls1.3", 0x0304}};
        int64_t x;
        size_t i = 0;
        while (i < sizeof v / sizeof v[0] && strcmp(v[i].n, val) != 0)
            i++;
        if (i < sizeof v / sizeof v[0])
            r->tls_version = v[i].v;
        else if (mm_rp_num(val, 0, 0xFFFF, &x))
            r->tls_version = (uint16_t)x;
        else
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad version", kw);
        r->tls_version_set = 1;
    } else {                    /* app-layer-event */
        if (!(r->app_event = mm_arena_strdup(&p->rs->arena, val)))
            return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    }
    return true;
}

/* decode-event:<layer>.<name> and stream-event:<name>: an anomaly our
 * decoder or stream engine raises under Suricata's name. */
static bool kw_event(mm_rparse *p, const char *kw, char *val)
{
    if (!val || !*val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
    if (p->r->event)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: one event per rule", kw);
    bool stream = kw[0] == 's';
    val = mm_rp_trim(val);
    if (stream && strncmp(val, "stream.", 7) == 0)
        val += 7;
    for (int i = 0; i < MM_AN__COUNT; i++) {
        const mm_anomaly_info *ai = &mm_anomaly_table[i];
        if (stream != (strcmp(ai->type, "stream") == 0))
            continue;
        size_t ll = strlen(ai->layer);
        bool same = stream ? strcmp(val, ai->name) == 0
                           : strncmp(val, ai->layer, ll) == 0 && val[ll] == '.' &&
                                 strcmp(val + ll + 1, ai->name) == 0;
        if (same) {
            p->r->event = (uint8_t)(i + 1);
            return true;
        }
    }
    return mm_rp_fail(p, MM_SKIP_KEYWORD, "%s: '%.48s' is not an event we raise", kw, val);
}

/* --- the keyword table ---------------------------------------------------- */

typedef struct kwdef {
    const char *name;
    mm_kw_fn fn;
} kwdef;

static const kwdef keywords[] = {
    {"prefilter", kw_flag},     /* a hint for the prefilter: ours picks its own */
    {"msg", kw_msg}, {"sid", kw_number}, {"rev", kw_number}, {"gid", kw_number},
    {"priority", kw_number}, {"classtype", kw_classtype}, {"reference", kw_reference},
    {"metadata", kw_metadata}, {"target", kw_target}, {"noalert", kw_flag}, {"tag", kw_tag}, {"bypass", kw_flag}, {"alert", kw_flag}, {"ftpbounce", kw_flag}, {"config", kw_config},
    {"flow", kw_flow}, {"flowbits", kw_bits}, {"xbits", kw_bits}, {"hostbits", kw_bits}, {"flowint", kw_flowint},
    {"threshold", kw_threshold}, {"detection_filter", kw_threshold},
    {"dsize", kw_packet}, {"itype", kw_packet}, {"icode", kw_packet},
    {"ip_proto", kw_packet}, {"flags", kw_packet}, {"tcp.flags", kw_packet},
    {"stream_size", kw_packet},
    {"ipv4-csum", kw_packet}, {"tcpv4-csum", kw_packet}, {"tcpv6-csum", kw_packet},
    {"udpv4-csum", kw_packet}, {"udpv6-csum", kw_packet}, {"icmpv4-csum", kw_packet},
    {"icmpv6-csum", kw_packet},
    {"tls.version", kw_packet}, {"ssl_version", kw_packet},
    {"app-layer-event", kw_packet}, {"ttl", kw_packet}, {"id", kw_packet},
    {"window", kw_packet}, {"seq", kw_packet}, {"ack", kw_packet}, {"icmp_id", kw_packet},
    {"icmp_seq", kw_packet},
    {"filestore", mm_kw_file}, {"filesize", mm_kw_file}, {"filemd5", mm_kw_file},
    {"filesha1", mm_kw_file}, {"filesha256", mm_kw_file},
    {"dataset", mm_kw_dataset}, {"datarep", mm_kw_dataset}, {"iprep", mm_kw_iprep},
    {"requires", mm_kw_requires},
    {"decode-event", kw_event}, {"stream-event", kw_event},
    {"dcerpc.iface", mm_kw_dce}, {"dce_iface", mm_kw_dce}, {"dcerpc.opnum", mm_kw_dce},
    {"dce_opnum", mm_kw_dce}, {"geoip", mm_kw_geoip},
};

/* Keywords we know and do not support: a rule using one is skipped with a
 * reason naming it (and never silently half-matched). */
static const char *const unsupported[] = {
    "lua", "luajit",
    "filemagic",
    "replace", "ssl_state", "app-layer-protocol", "fragbits",
    "fragoffset", "tos", "ipopts", "sameip", "rpc", "engine-event",
    "krb5_msg_type", "snmp.community",
    "sip.method", "http2.header",
};

/* --- rule ----------------------------------------------------------------- */

static const char *const proto_names[MM_RP_N] = {
    "ip", "tcp", "udp", "icmp", "tcp-pkt", "tcp-stream", "http", "tls", "dns", "smb",
    "ssh", "smtp", "ftp", "ftp-data", "dhcp", "ntp", "rdp", "telnet", "dcerpc",
};

const char *mm_rule_proto_name(int p)
{
    return p >= 0 && p < MM_RP_N ? proto_names[p] : "?";
}

static const char *const skip_names[MM_SKIP_N] = {
    "syntax", "unsupported keyword", "protocol not parsed", "bad value", "unknown variable",
    "pcre does not compile", "duplicate sid", "action", "requires (another engine)",
};

const char *mm_skip_name(int why)
{
    return why >= 0 && why < MM_SKIP_N ? skip_names[why] : "?";
}

static int find_proto(const char *s)
{
    for (int i = 0; i < MM_RP_N; i++)
        if (strcmp(s, proto_names[i]) == 0)
            return i;
    /* Suricata's other spellings */
    if (strcmp(s, "http1") == 0)
        return MM_RP_HTTP;
    if (strcmp(s, "ipv4") == 0 || strcmp(s, "ipv6") == 0 || strcmp(s, "pkthdr") == 0)
        return MM_RP_IP;
    if (strcmp(s, "icmpv4") == 0 || strcmp(s, "icmpv6") == 0)
        return MM_RP_ICMP;
    if (strcmp(s, "ssl") == 0)
        return MM_RP_TLS;
    return -1;
}

/* Header: ACTION PROTO SRC SPORT DIR DST DPORT. */
static bool parse_header(mm_rparse *p, char *h)
{
    char *tok[8];
    int n = 0;
    /* split on blanks, keeping [ ... ] groups that hold blanks together */
    for (char *s = h; *s;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        if (n == 8)
            return mm_rp_fail(p, MM_SKIP_SYNTAX, "header: too many fields");
        tok[n++] = s;
        int depth = 0;
        while (*s && (depth > 0 || (*s != ' ' && *s != '\t'))) {
            depth += *s == '[';
            depth -= *s == ']';
            s++;
        }
        if (*s)
            *s++ = 0;
    }
    if (n != 7)
        return mm_rp_fail(p, MM_SKIP_SYNTAX, "header: 7 fields expected, %d found", n);
    mm_rule *r = p->r;
    static const char *const actions[] = {"alert", "pass", "drop", "reject", "rejectsrc",
                                          "rejectdst", "rejectboth", "config"};
    int a = -1;
    for (int i = 0; i < 8; i++)
        if (strcmp(tok[0], actions[i]) == 0)
            a = i;
    if (a < 0)
        return mm_rp_fail(p, MM_SKIP_ACTION, "unknown action '%.32s'", tok[0]);
    r->action = a == 0 ? MM_RA_ALERT : a == 1 ? MM_RA_PASS : a == 2 ? MM_RA_DROP
              : a == 7 ? MM_RA_CONFIG : MM_RA_REJECT;
    int pr = find_proto(tok[1]);
    if (pr < 0)
        return mm_rp_fail(p, MM_SKIP_PROTOCOL, "protocol '%.32s' not parsed", tok[1]);
    r->proto = (uint8_t)pr;
    if (strcmp(tok[4], "->") == 0)
        r->bidir = 0;
    else if (strcmp(tok[4], "<>") == 0)
        r->bidir = 1;
    else if (strcmp(tok[4], "<-") == 0)
        return mm_rp_fail(p, MM_SKIP_SYNTAX, "direction '<-' is not valid");
    else
        return mm_rp_fail(p, MM_SKIP_SYNTAX, "bad direction '%.8s'", tok[4]);
    char err[160];
    int why[4] = {0};
    const void *sets[4];
    for (int i = 0; i < 4; i++) {
        int t = i == 0 ? 2 : i == 1 ? 3 : i == 2 ? 5 : 6;
        bool ports = i & 1;
        sets[i] = ports ? (const void *)mm_ruleset_portset(p->rs, tok[t], err, sizeof err)
                        : (const void *)mm_ruleset_addrset(p->rs, tok[t], err, sizeof err);
        if (!sets[i]) {
            why[i] = strstr(err, "unknown variable") ? MM_SKIP_VARIABLE : MM_SKIP_VALUE;
            return mm_rp_fail(p, why[i], "%s '%.64s': %s", ports ? "ports" : "addresses", tok[t],
                              err);
        }
    }
    r->src = sets[0];
    r->sp = sets[1];
    r->dst = sets[2];
    r->dp = sets[3];
    return true;
}

/* Splits options at ';' not escaped; calls the keyword's function. The
 * names of the keywords used go to kws (for the summary). */
static bool parse_options(mm_rparse *p, char *o, const char **kws, int *nkws, int maxkws)
{
    char *s = o;
    while (*s) {
        char *start = s;
        while (*s && *s != ';') {
            if (*s == '\\' && s[1])
                s++;
            s++;
        }
        bool last = !*s;
        *s = 0;
        char *opt = mm_rp_trim(start);
        if (!last)
            s++;
        if (!*opt) {
            if (last)
                break;
            continue;
        }
        char *val = NULL;
        char *colon = strchr(opt, ':');
        if (colon) {
            *colon = 0;
            val = mm_rp_trim(colon + 1);
        }
        char *kw = mm_rp_trim(opt);
        if (*nkws < maxkws)
            kws[(*nkws)++] = kw;
        bool done = false;
        for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
            if (strcmp(kw, keywords[i].name) == 0) {
                if (!keywords[i].fn(p, kw, val))
                    return false;
                done = true;
                break;
            }
        if (done)
            continue;
        bool known = false;
        if (!mm_kw_payload(p, kw, val, &known))
            return false;
        if (known)
            continue;
        for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
            if (strcmp(kw, unsupported[i]) == 0)
                return mm_rp_fail(p, MM_SKIP_KEYWORD, "keyword '%s' not supported", kw);
        return mm_rp_fail(p, MM_SKIP_KEYWORD, "unknown keyword '%.48s'", kw);
    }
    return true;
}

static bool finish_rule(mm_rparse *p)
{
    mm_rule *r = p->r;
    mm_arena *a = &p->rs->arena;
    if (!p->has_sid)
        return mm_rp_fail(p, MM_SKIP_SYNTAX, "no sid");
    if ((r->action == MM_RA_CONFIG) != (r->nolog != 0))
        return mm_rp_fail(p, MM_SKIP_ACTION, "the config action goes with the config keyword");
    if (!r->gid)
        r->gid = 1;
    if (!mm_rp_check_buffers(p) || !mm_rp_finish_buffers(p))
        return false;
    if (p->nbitops && !(r->bitops = mm_arena_dup(a, p->bitops, p->nbitops * sizeof *p->bitops)))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    r->nbitops = (uint8_t)p->nbitops;
    if (p->nrefs && !(r->refs = mm_arena_dup(a, p->refs, p->nrefs * sizeof *p->refs)))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    r->nrefs = (uint16_t)p->nrefs;
    if (p->metalen && !(r->metadata = mm_arena_strdup(a, p->metadata)))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    if (!r->priority)
        r->priority = r->classtype ? p->rs->classes[r->classtype].prio : 3;
    r->nvars = (uint8_t)p->nvars;
    if (r->nhdr && !(r->hdr = mm_arena_dup(a, p->hdr, r->nhdr * sizeof p->hdr[0])))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    if (r->niprep && !(r->iprep = mm_arena_dup(a, p->iprep, r->niprep * sizeof p->iprep[0])))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    if (p->has_file && !(r->file = mm_arena_dup(a, &p->file, sizeof p->file)))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    if (p->has_dce && !(r->dce = mm_arena_dup(a, &p->dce, sizeof p->dce)))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    if (p->has_geo && !(r->geo = mm_arena_dup(a, &p->geo, sizeof p->geo)))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    return true;
}

bool mm_rule_parse(mm_ruleset *rs, const char *line, mm_rule *r, int *why, char *msg,
                   size_t msglen)
{
    static mm_rparse p;         /* large (options gathered before copying) */
    memset(&p, 0, sizeof p);
    memset(r, 0, sizeof *r);
    p.rs = rs;
    p.r = r;
    p.msg = msg;
    p.msglen = msglen;
    p.cur = p.pending = p.last_sm = p.last_any = -1;
    msg[0] = 0;
    size_t n = strlen(line);
    char *copy = malloc(n + 1);
    if (!copy) {
        *why = MM_SKIP_VALUE;
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    memcpy(copy, line, n + 1);
    bool ok = false;
    char *open = strchr(copy, '(');
    char *close = strrchr(copy, ')');
    if (open && !mm_rp_requires(open + 1, &p.why, msg, msglen)) {
        ;                       /* for another engine: nothing else of it is read */
    } else if (!open || !close || close < open) {
        mm_rp_fail(&p, MM_SKIP_SYNTAX, "no option list in parentheses");
    } else if (*mm_rp_trim(close + 1)) {
        mm_rp_fail(&p, MM_SKIP_SYNTAX, "text after the closing parenthesis");
    } else {
        *open = 0;
        *close = 0;
        const char *kws[64];
        int nkws = 0;
        ok = parse_header(&p, copy) && parse_options(&p, open + 1, kws, &nkws, 64) &&
             finish_rule(&p);
    }
    if (!ok) {
        *why = p.why;
        for (int i = 0; i < p.npcres; i++)
            pcre2_code_free(p.pcres[i]);
    } else {
        for (int i = 0; i < p.npcres; i++) {
            if (rs->npcres == rs->cappcres) {
                size_t cap = rs->cappcres ? rs->cappcres * 2 : 64;
                void **np = realloc(rs->pcres, cap * sizeof *np);
                if (!np) {
                    for (int j = i; j < p.npcres; j++)
                        pcre2_code_free(p.pcres[j]);
                    *why = MM_SKIP_VALUE;
                    snprintf(msg, msglen, "out of memory");
                    free(copy);
                    return false;
                }
                rs->pcres = np;
                rs->cappcres = cap;
            }
            rs->pcres[rs->npcres++] = p.pcres[i];
        }
    }
    free(copy);
    return ok;
}

/* --- keyword statistics --------------------------------------------------- */

/* The option keywords of a rule line (rough split, for the summary only). */
static void count_keywords(mm_ruleset *rs, const char *line, bool loaded)
{
    const char *o = strchr(line, '(');
    if (!o)
        return;
    const char *seen[64];
    size_t seenlen[64];
    int nseen = 0;
    for (const char *s = o + 1; *s;) {
        while (*s == ' ' || *s == '\t')
            s++;
        const char *k = s;
        while (*s && *s != ':' && *s != ';' && *s != ')' && *s != ' ')
            s++;
        size_t kl = (size_t)(s - k);
        while (*s && *s != ';') {
            if (*s == '\\' && s[1])
                s++;
            s++;
        }
        if (*s)
            s++;
        if (kl == 0 || kl > 40)
            continue;
        bool word = true;       /* garbage is not a keyword to list */
        for (size_t i = 0; i < kl; i++)
            word &= isalnum((unsigned char)k[i]) || k[i] == '.' || k[i] == '_' || k[i] == '-';
        if (!word)
            continue;
        bool dup = false;
        for (int i = 0; i < nseen; i++)
            dup |= seenlen[i] == kl && memcmp(seen[i], k, kl) == 0;
        if (dup || nseen == 64)
            continue;
        seen[nseen] = k;
        seenlen[nseen++] = kl;
        bool added;
        uint64_t *v = mm_strmap_put(&rs->kw, k, kl, rs->nkw, &added);
        if (!v)
            return;
        if (added) {
            mm_kwcount *nk = realloc(rs->kwc, (rs->nkw + 1) * sizeof *nk);
            if (!nk)
                return;
            rs->kwc = nk;
            rs->kwc[rs->nkw++] = (mm_kwcount){0, 0};
        }
        if (loaded)
            rs->kwc[*v].loaded++;
        else
            rs->kwc[*v].skipped++;
    }
}

typedef struct kwiter {
    const mm_ruleset *rs;
    mm_rule_kw_fn fn;
    void *ctx;
} kwiter;

static void kw_each(void *ctx, const char *key, uint64_t val)
{
    kwiter *it = ctx;
    it->fn(it->ctx, key, it->rs->kwc[val].loaded, it->rs->kwc[val].skipped);
}

void mm_ruleset_keywords(const mm_ruleset *rs, mm_rule_kw_fn fn, void *ctx)
{
    kwiter it = {rs, fn, ctx};
    mm_strmap_each(&rs->kw, kw_each, &it);
}

/* --- the ruleset ---------------------------------------------------------- */

/* Suricata's classification.config classes, for rule files loaded without
 * one (a loaded file adds to and overrides these). */
static const char default_classes[] =
    "config classification: not-suspicious,Not Suspicious Traffic,3\n"
    "config classification: unknown,Unknown Traffic,3\n"
    "config classification: bad-unknown,Potentially Bad Traffic,2\n"
    "config classification: attempted-recon,Attempted Information Leak,2\n"
    "config classification: successful-recon-limited,Information Leak,2\n"
    "config classification: successful-recon-largescale,Large Scale Information Leak,2\n"
    "config classification: attempted-dos,Attempted Denial of Service,2\n"
    "config classification: successful-dos,Denial of Service,2\n"
    "config classification: attempted-user,Attempted User Privilege Gain,1\n"
    "config classification: unsuccessful-user,Unsuccessful User Privilege Gain,1\n"
    "config classification: successful-user,Successful User Privilege Gain,1\n"
    "config classification: attempted-admin,Attempted Administrator Privilege Gain,1\n"
    "config classification: successful-admin,Successful Administrator Privilege Gain,1\n"
    "config classification: rpc-portmap-decode,Decode of an RPC Query,2\n"
    "config classification: shellcode-detect,Executable code was detected,1\n"
    "config classification: string-detect,A suspicious string was detected,3\n"
    "config classification: suspicious-filename-detect,A suspicious filename was detected,2\n"
    "config classification: suspicious-login,An attempted login using a suspicious username "
    "was detected,2\n"
    "config classification: system-call-detect,A system call was detected,2\n"
    "config classification: tcp-connection,A TCP connection was detected,4\n"
    "config classification: trojan-activity,A Network Trojan was detected, 1\n"
    "config classification: unusual-client-port-connection,A client was using an unusual "
    "port,2\n"
    "config classification: network-scan,Detection of a Network Scan,3\n"
    "config classification: denial-of-service,Detection of a Denial of Service Attack,2\n"
    "config classification: non-standard-protocol,Detection of a non-standard protocol or "
    "event,2\n"
    "config classification: protocol-command-decode,Generic Protocol Command Decode,3\n"
    "config classification: web-application-activity,access to a potentially vulnerable web "
    "application,2\n"
    "config classification: web-application-attack,Web Application Attack,1\n"
    "config classification: misc-activity,Misc activity,3\n"
    "config classification: misc-attack,Misc Attack,2\n"
    "config classification: icmp-event,Generic ICMP event,3\n"
    "config classification: inappropriate-content,Inappropriate Content was Detected,1\n"
    "config classification: policy-violation,Potential Corporate Privacy Violation,1\n"
    "config classification: default-login-attempt,Attempt to login by a default username and "
    "password,2\n"
    "config classification: targeted-activity,Targeted Malicious Activity was Detected,1\n"
    "config classification: exploit-kit,Exploit Kit Activity Detected,1\n"
    "config classification: external-ip-check,Device Retrieving External IP Address "
    "Detected,2\n"
    "config classification: domain-c2,Domain Observed Used for C2 Detected,1\n"
    "config classification: pup-activity,Possibly Unwanted Program Detected,2\n"
    "config classification: credential-theft,Successful Credential Theft Detected,1\n"
    "config classification: social-engineering,Possible Social Engineering Attempted,2\n"
    "config classification: coin-mining,Crypto Currency Mining Activity Detected,2\n"
    "config classification: command-and-control,Malware Command and Control Activity "
    "Detected,1\n";

mm_ruleset *mm_ruleset_new(void)
{
    mm_ruleset *rs = calloc(1, sizeof *rs);
    if (!rs)
        return NULL;
    mm_strmap_init(&rs->vars);
    mm_strmap_init(&rs->sets);
    mm_strmap_init(&rs->class_idx);
    mm_strmap_init(&rs->bits);
    mm_strmap_init(&rs->flowints);
    mm_strmap_init(&rs->varnames);
    mm_strmap_init(&rs->sids);
    mm_strmap_init(&rs->kw);
    rs->classes = calloc(1, sizeof *rs->classes);
    if (!rs->classes) {
        mm_ruleset_free(rs);
        return NULL;
    }
    rs->nclasses = 1;
    mm_rs_default_vars(rs);
    mm_ruleset_parse_classes(rs, default_classes, sizeof default_classes - 1);
    return rs;
}

void mm_ruleset_free(mm_ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->npcres; i++)
        pcre2_code_free(rs->pcres[i]);
    free(rs->pcres);
    mm_datasets_free(rs);
    mm_reputation_free(rs->rep);
    free(rs->rules);
    free(rs->var_val);
    free(rs->classes);
    free(rs->bit_names);
    free(rs->flowint_names);
    free(rs->var_names);
    mm_strmap_free(&rs->varnames);
    free(rs->kwc);
    mm_strmap_free(&rs->vars);
    mm_strmap_free(&rs->sets);
    mm_strmap_free(&rs->class_idx);
    mm_strmap_free(&rs->bits);
    mm_strmap_free(&rs->flowints);
    mm_strmap_free(&rs->sids);
    mm_strmap_free(&rs->kw);
    mm_arena_free(&rs->arena);
    free(rs);
}

void mm_ruleset_parse_classes(mm_ruleset *rs, const char *text, size_t n)
{
    const char *end = text + n;
    while (text < end) {
        const char *nl = memchr(text, '\n', (size_t)(end - text));
        size_t len = nl ? (size_t)(nl - text) : (size_t)(end - text);
        char line[512];
        if (len < sizeof line) {
            memcpy(line, text, len);
            line[len] = 0;
            char *s = mm_rp_trim(line);
            if (strncmp(s, "config classification:", 22) == 0) {
                char *parts[3];
                if (mm_rp_split(s + 22, ',', parts, 3) == 3 && *parts[0]) {
                    int64_t prio;
                    if (mm_rp_num(parts[2], 1, 255, &prio)) {
                        bool added;
                        uint64_t *idx = mm_strmap_put(&rs->class_idx, parts[0], strlen(parts[0]),
                                                      rs->nclasses, &added);
                        mm_class *nc = added ? realloc(rs->classes,
                                                       (rs->nclasses + 1) * sizeof *nc)
                                             : rs->classes;
                        if (idx && nc && *idx < 65535) {
                            rs->classes = nc;
                            if (added)
                                rs->nclasses++;
                            rs->classes[*idx] = (mm_class){
                                mm_arena_strdup(&rs->arena, parts[0]),
                                mm_arena_strdup(&rs->arena, parts[1]), (uint8_t)prio};
                        }
                    }
                }
            }
        }
        text += len + 1;
    }
}

bool mm_ruleset_load_classes(mm_ruleset *rs, const char *path, char *err, size_t errlen)
{
    size_t n;
    char *t = mm_read_file(path, MAX_FILE, &n, err, errlen);
    if (!t)
        return false;
    mm_ruleset_parse_classes(rs, t, n);
    free(t);
    return true;
}

static void skip(mm_ruleset *rs, const char *file, uint64_t line, uint32_t sid, int why,
                 const char *msg)
{
    rs->sum.skipped++;
    rs->sum.by_reason[why]++;
    if (rs->on_skip) {
        char clean[256];        /* reasons quote the rule: keep them printable */
        size_t i = 0;
        for (; msg[i] && i + 1 < sizeof clean; i++)
            clean[i] = (msg[i] >= 0x20 && msg[i] < 0x7F) ? msg[i] : '?';
        clean[i] = 0;
        rs->on_skip(rs->on_skip_ctx, file, line, sid, why, clean);
    }
}

/* The sid written in a rule line, for skip messages (0: none found). */
static uint32_t sid_of(const char *line)
{
    for (const char *s = line; (s = strstr(s, "sid")); s += 3) {
        if (s > line && (isalnum((unsigned char)s[-1]) || s[-1] == '_' || s[-1] == '.'))
            continue;
        const char *v = s + 3;
        while (*v == ' ')
            v++;
        if (*v != ':')
            continue;
        v++;
        while (*v == ' ')
            v++;
        uint64_t x = 0;
        while (isdigit((unsigned char)*v) && x < UINT32_MAX)
            x = x * 10 + (uint64_t)(*v++ - '0');
        return x <= UINT32_MAX ? (uint32_t)x : 0;
    }
    return 0;
}

static void add_rule(mm_ruleset *rs, const char *file, uint64_t lineno, const char *line)
{
    rs->sum.rules++;
    mm_rule tmp;
    int why = 0;
    char msg[256];
    if (strlen(line) > MM_RULE_MAX_LEN) {
        skip(rs, file, lineno, sid_of(line), MM_SKIP_SYNTAX, "rule longer than 256 KiB");
        count_keywords(rs, line, false);
        return;
    }
    if (!mm_rule_parse(rs, line, &tmp, &why, msg, sizeof msg)) {
        skip(rs, file, lineno, sid_of(line), why, msg);
        count_keywords(rs, line, false);
        return;
    }
    char key[24];
    int kl = snprintf(key, sizeof key, "%u:%u", tmp.gid, tmp.sid);
    bool added;
    uint64_t *slot = mm_strmap_put(&rs->sids, key, (size_t)kl, rs->n, &added);
    if (!slot || !added) {
        skip(rs, file, lineno, tmp.sid, MM_SKIP_DUPLICATE, slot ? "duplicate sid" : "out of memory");
        count_keywords(rs, line, false);
        return;
    }
    mm_rule *r = mm_arena_dup(&rs->arena, &tmp, sizeof tmp);
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 256;
        mm_rule **nr = realloc(rs->rules, cap * sizeof *nr);
        if (nr) {
            rs->rules = nr;
            rs->cap = cap;
        }
    }
    if (!r || rs->n == rs->cap) {
        skip(rs, file, lineno, tmp.sid, MM_SKIP_VALUE, "out of memory");
        return;
    }
    rs->rules[rs->n++] = r;
    rs->sum.loaded++;
    count_keywords(rs, line, true);
}

void mm_ruleset_parse(mm_ruleset *rs, const char *name, const char *text, size_t n)
{
    const char *end = text + n;
    uint64_t lineno = 0;
    char *acc = NULL;           /* a rule continued over lines ending in '\' */
    size_t acclen = 0;
    uint64_t accline = 0;
    bool toolong = false;
    while (text < end) {
        const char *nl = memchr(text, '\n', (size_t)(end - text));
        size_t len = nl ? (size_t)(nl - text) : (size_t)(end - text);
        const char *line = text;
        text += len + 1;
        lineno++;
        rs->sum.lines++;
        while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
            len--;
        bool cont = len && line[len - 1] == '\\';
        if (cont)
            len--;
        if (acc || cont || toolong) {
            if (!acc && !toolong)
                accline = lineno;
            if (toolong || acclen + len > MM_RULE_MAX_LEN) {
                /* a rule continued past the limit: counted once, at its end */
                toolong = true;
                if (!cont) {
                    free(acc);
                    acc = NULL;
                    acclen = 0;
                    toolong = false;
                    rs->sum.rules++;
                    skip(rs, name, accline, 0, MM_SKIP_SYNTAX, "rule longer than 256 KiB");
                }
                continue;
            }
            char *na = realloc(acc, acclen + len + 1);
            if (!na) {
                free(acc);
                acc = NULL;
                acclen = 0;
                continue;
            }
            acc = na;
            memcpy(acc + acclen, line, len);
            acclen += len;
            acc[acclen] = 0;
            if (cont)
                continue;
            line = acc;
            len = acclen;
        }
        /* skip blanks; '#' starts a comment (a commented-out rule is not a rule) */
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i < len && line[i] != '#') {
            char *l = malloc(len - i + 1);
            if (l) {
                memcpy(l, line + i, len - i);
                l[len - i] = 0;
                if (memchr(l, 0, len - i)) {
                    rs->sum.rules++;
                    skip(rs, name, acc ? accline : lineno, 0, MM_SKIP_SYNTAX, "NUL byte in rule");
                } else
                    add_rule(rs, name, acc ? accline : lineno, l);
                free(l);
            }
        }
        free(acc);
        acc = NULL;
        acclen = 0;
    }
    free(acc);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool mm_ruleset_load(mm_ruleset *rs, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return false;
        }
        char **names = NULL;
        size_t nn = 0;
        bool ok = true;
        for (struct dirent *e; (e = readdir(d));) {
            size_t l = strlen(e->d_name);
            if (l > 6 && strcmp(e->d_name + l - 6, ".rules") == 0) {
                char **nv = realloc(names, (nn + 1) * sizeof *nv);
                if (!nv || !(nv[nn] = strdup(e->d_name))) {
                    names = nv ? nv : names;
                    ok = false;
                    break;
                }
                names = nv;
                nn++;
            }
        }
        closedir(d);
        if (nn > 1)
            qsort(names, nn, sizeof *names, cmp_str);
        /* the set's own classes, when it ships them */
        char p[4096];
        snprintf(p, sizeof p, "%s/classification.config", path);
        if (ok && access(p, R_OK) == 0 && !mm_ruleset_load_classes(rs, p, err, errlen))
            ok = false;
        for (size_t i = 0; i < nn && ok; i++) {
            snprintf(p, sizeof p, "%s/%s", path, names[i]);
            ok = mm_ruleset_load(rs, p, err, errlen);
        }
        if (!ok && !err[0])
            snprintf(err, errlen, "%s: out of memory", path);
        for (size_t i = 0; i < nn; i++)
            free(names[i]);
        free(names);
        return ok;
    }
    size_t n;
    char *t = mm_read_file(path, MAX_FILE, &n, err, errlen);
    if (!t)
        return false;
    rs->sum.files++;
    rs->cur_path = path;
    mm_ruleset_parse(rs, path, t, n);
    rs->cur_path = NULL;
    free(t);
    return true;
}

const mm_rules_summary *mm_ruleset_summary(const mm_ruleset *rs)
{
    return &rs->sum;
}

size_t mm_ruleset_count(const mm_ruleset *rs)
{
    return rs->n;
}

const mm_rule *mm_ruleset_rule(const mm_ruleset *rs, size_t i)
{
    return i < rs->n ? rs->rules[i] : NULL;
}

const char *mm_ruleset_class_name(const mm_ruleset *rs, uint16_t idx)
{
    return idx && idx < rs->nclasses ? rs->classes[idx].name : NULL;
}

const char *mm_ruleset_class_desc(const mm_ruleset *rs, uint16_t idx)
{
    return idx && idx < rs->nclasses ? rs->classes[idx].desc : NULL;
}

const char *mm_ruleset_bit_name(const mm_ruleset *rs, uint32_t id)
{
    return id < rs->nbits ? rs->bit_names[id] : NULL;
}

const char *mm_ruleset_flowint_name(const mm_ruleset *rs, uint32_t id)
{
    return id < rs->nflowints ? rs->flowint_names[id] : NULL;
}

const char *mm_ruleset_var_name(const mm_ruleset *rs, uint32_t id)
{
    return id < rs->nvarnames ? rs->var_names[id] : NULL;
}

void mm_ruleset_on_skip(mm_ruleset *rs, mm_rule_skip_fn fn, void *ctx)
{
    rs->on_skip = fn;
    rs->on_skip_ctx = ctx;
}

size_t mm_ruleset_memory(const mm_ruleset *rs)
{
    size_t b = sizeof *rs + rs->arena.bytes + rs->cap * sizeof *rs->rules +
               mm_strmap_memory(&rs->vars) + mm_strmap_memory(&rs->sets) +
               mm_strmap_memory(&rs->class_idx) + mm_strmap_memory(&rs->bits) +
               mm_strmap_memory(&rs->sids) + mm_strmap_memory(&rs->kw) +
               rs->nkw * sizeof *rs->kwc + rs->nclasses * sizeof *rs->classes +
               mm_reputation_memory(rs->rep);
    for (size_t i = 0; i < rs->npcres; i++) {
        size_t sz = 0;
        pcre2_pattern_info(rs->pcres[i], PCRE2_INFO_SIZE, &sz);
        b += sz;
    }
    return b;
}
