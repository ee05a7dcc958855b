/*
 * rule_iprep.c - Suricata's IP reputation: categories, lists giving
 * addresses a score (0-127) per category, and the iprep keyword.
 *
 *   categories file:  id,short name,description        (id 0-59)
 *   reputation file:  address[/prefix],category id,score
 *   iprep:<any|src|dst|both>,<category>,<op>,<value>    op: < > = != <= >=
 *   iprep:<any|src|dst|both>,<category>,isset|isnotset
 *
 * As Suricata's: an address written alone is a host, which has its score
 * in each category it is listed in and 0 in the others; a network gives
 * its score to the addresses in it that are not listed hosts, the
 * narrowest network of the category first. "src" and "dst" test one side,
 * "any" either (isnotset: one side has no score), "both" the two
 * (isnotset: neither has one). A line that does not parse, or names a
 * category the categories file does not define, is skipped and counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rule_int.h"

#define REP_CATS 60
#define REP_MAX_SCORE 127
#define REP_FILE_MAX (64u << 20)
#define REP_MAX_ENTRIES (2u << 20)      /* hosts and networks, all files */

typedef struct rep_host {
    mm_u128 a;
    uint32_t seq;               /* line order: a later line wins */
    uint8_t cat, val;
} rep_host;

typedef struct rep_net {
    mm_u128 lo, hi;
    uint32_t seq;
    int32_t up;                 /* the narrowest network containing it (-1: none) */
    uint8_t cat, val;
} rep_net;

struct mm_reputation {
    char *cat_name[REP_CATS];   /* NULL: not defined */
    rep_host *host;
    size_t nhost, caphost;
    rep_net *net;
    size_t nnet, capnet;
    uint32_t seq;
};

static mm_reputation *rep_of(mm_ruleset *rs)
{
    if (!rs->rep)
        rs->rep = calloc(1, sizeof *rs->rep);
    return rs->rep;
}

void mm_reputation_free(mm_reputation *r)
{
    if (!r)
        return;
    for (int i = 0; i < REP_CATS; i++)
        free(r->cat_name[i]);
    free(r->host);
    free(r->net);
    free(r);
}

size_t mm_reputation_memory(const mm_reputation *r)
{
    return r ? sizeof *r + r->caphost * sizeof *r->host + r->capnet * sizeof *r->net : 0;
}

/* "a,b,c" into at most 3 trimmed fields; the count. */
static int fields3(char *s, char *f[3])
{
    int n = 0;
    for (char *p = s;; ) {
        char *c = n < 2 ? strchr(p, ',') : NULL;
        if (c)
            *c = 0;
        f[n++] = mm_rp_trim(p);
        if (!c)
            break;
        p = c + 1;
    }
    return n;
}

bool mm_ruleset_parse_rep_categories(mm_ruleset *rs, const char *name, char *text, size_t len,
                                     char *err, size_t errlen)
{
    mm_reputation *r = rep_of(rs);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    char *cur = text, *line;
    size_t n;
    uint64_t lineno = 0;
    bool ok = true;
    while (ok && mm_rp_next_line(&cur, text + len, &line, &n, &lineno)) {
        line[n] = 0;
        char *f[3];
        int64_t id;
        if (fields3(line, f) < 2 || !mm_rp_num(f[0], 0, REP_CATS - 1, &id) || !f[1][0] ||
            strlen(f[1]) > 64) {
            snprintf(err, errlen, "%s line %llu: id,name,description expected (id 0-%d)",
                     name, (unsigned long long)lineno, REP_CATS - 1);
            ok = false;
            break;
        }
        free(r->cat_name[id]);
        if (!(r->cat_name[id] = strdup(f[1]))) {
            snprintf(err, errlen, "out of memory");
            ok = false;
        }
    }
    return ok;
}

bool mm_ruleset_load_rep_categories(mm_ruleset *rs, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *text = mm_read_file(path, 1u << 20, &len, err, errlen);
    if (!text)
        return false;
    bool ok = mm_ruleset_parse_rep_categories(rs, path, text, len, err, errlen);
    free(text);
    return ok;
}

static int cmp_host(const void *a, const void *b)
{
    const rep_host *x = a, *y = b;
    int c = mm_u128_cmp(x->a, y->a);
    if (c)
        return c;
    if (x->cat != y->cat)
        return x->cat < y->cat ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* by category, then start; the wider of two first (a container before
 * what it holds) */
static int cmp_net(const void *a, const void *b)
{
    const rep_net *x = a, *y = b;
    if (x->cat != y->cat)
        return x->cat < y->cat ? -1 : 1;
    int c = mm_u128_cmp(x->lo, y->lo);
    if (c)
        return c;
    if ((c = mm_u128_cmp(y->hi, x->hi)))
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorted, the same entry given twice kept once (its last line), and each
 * network linked to the narrowest one containing it. */
static void rep_finish(mm_reputation *r)
{
    mm_sort(r->host, r->nhost, sizeof *r->host, cmp_host);
    size_t k = 0;
    for (size_t i = 0; i < r->nhost; i++) {
        if (k && mm_u128_cmp(r->host[k - 1].a, r->host[i].a) == 0 &&
            r->host[k - 1].cat == r->host[i].cat)
            k--;
        r->host[k++] = r->host[i];
    }
    r->nhost = k;
    mm_sort(r->net, r->nnet, sizeof *r->net, cmp_net);
    k = 0;
    for (size_t i = 0; i < r->nnet; i++) {
        if (k && r->net[k - 1].cat == r->net[i].cat &&
            mm_u128_cmp(r->net[k - 1].lo, r->net[i].lo) == 0 &&
            mm_u128_cmp(r->net[k - 1].hi, r->net[i].hi) == 0)
            k--;
        r->net[k++] = r->net[i];
    }
    r->nnet = k;
    /* networks nest or are apart: a stack of the ones still open */
    int32_t top = -1;
    for (size_t i = 0; i < r->nnet; i++) {
        rep_net *n = &r->net[i];
        while (top >= 0 && (r->net[top].cat != n->cat || mm_u128_cmp(r->net[top].hi, n->hi) < 0))
            top = r->net[top].up;
        n->up = top;
        top = (int32_t)i;
    }
}

bool mm_ruleset_parse_rep_list(mm_ruleset *rs, char *text, size_t len, uint64_t *bad)
{
    mm_reputation *r = rep_of(rs);
    if (!r)
        return false;
    char *cur = text, *line;
    size_t n;
    uint64_t lineno = 0;
    *bad = 0;
    while (mm_rp_next_line(&cur, text + len, &line, &n, &lineno)) {
        line[n] = 0;
        char *f[3];
        int64_t cat, val, bits = -1;
        mm_ip ip;
        char *slash = strchr(line, '/');
        if (slash)
            *slash++ = 0;
        if (fields3(slash ? slash : line, f) != 3 || !mm_rp_num(f[1], 0, REP_CATS - 1, &cat) ||
            !r->cat_name[cat] || !mm_rp_num(f[2], 0, REP_MAX_SCORE, &val) ||
            !mm_ip_parse(slash ? mm_rp_trim(line) : f[0], &ip) ||
            (slash && !mm_rp_num(f[0], 0, ip.v == 4 ? 32 : 128, &bits)) ||
            r->nhost + r->nnet >= REP_MAX_ENTRIES) {
            (*bad)++;
            continue;
        }
        mm_u128 a = mm_u128_of_ip(&ip);
        if (!slash) {
            if (!mm_grow(&r->host, &r->caphost, r->nhost, sizeof *r->host, 1024)) {
                rep_finish(r);
                return false;
            }
            r->host[r->nhost++] = (rep_host){a, r->seq++, (uint8_t)cat, (uint8_t)val};
            continue;
        }
        if (!mm_grow(&r->net, &r->capnet, r->nnet, sizeof *r->net, 64)) {
            rep_finish(r);
            return false;
        }
        rep_net *e = &r->net[r->nnet++];
        mm_u128_net(a, (ip.v == 4 ? 32 : 128) - (int)bits, &e->lo, &e->hi);
        e->seq = r->seq++;
        e->cat = (uint8_t)cat;
        e->val = (uint8_t)val;
    }
    rep_finish(r);
    return true;
}

bool mm_ruleset_load_rep_list(mm_ruleset *rs, const char *path, uint64_t *bad, char *err,
                              size_t errlen)
{
    size_t len;
    char *text = mm_read_file(path, REP_FILE_MAX, &len, err, errlen);
    if (!text)
        return false;
    bool ok = mm_ruleset_parse_rep_list(rs, text, len, bad);
    if (!ok)
        snprintf(err, errlen, "out of memory");
    free(text);
    return ok;
}

/* The score of ip in category cat; -1: none. */
static int rep_get(const mm_reputation *r, uint8_t cat, const mm_ip *ip)
{
    if (!r || !ip->v)
        return -1;
    mm_u128 x = mm_u128_of_ip(ip);
    size_t lo = 0, hi = r->nhost;
    while (lo < hi) {           /* first host entry >= x */
        size_t m = lo + (hi - lo) / 2;
        if (mm_u128_cmp(r->host[m].a, x) < 0)
            lo = m + 1;
        else
            hi = m;
    }
    if (lo < r->nhost && mm_u128_cmp(r->host[lo].a, x) == 0) {
        for (size_t i = lo; i < r->nhost && mm_u128_cmp(r->host[i].a, x) == 0; i++)
            if (r->host[i].cat == cat)
                return r->host[i].val;
        return 0;               /* a listed host, not in this category */
    }
    /* the last network of the category starting at or before x ... */
    lo = 0;
    hi = r->nnet;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        const rep_net *n = &r->net[m];
        if (n->cat < cat || (n->cat == cat && mm_u128_cmp(n->lo, x) <= 0))
            lo = m + 1;
        else
            hi = m;
    }
    if (!lo || r->net[lo - 1].cat != cat)
        return -1;
    /* ... or the narrowest network around it that holds x */
    for (int32_t i = (int32_t)lo - 1; i >= 0; i = r->net[i].up)
        if (mm_u128_cmp(r->net[i].hi, x) >= 0)
            return r->net[i].val;
    return -1;
}

enum { SIDE_ANY, SIDE_SRC, SIDE_DST, SIDE_BOTH };
enum { TEST_CMP, TEST_ISSET, TEST_ISNOTSET };

bool mm_kw_iprep(mm_rparse *p, const char *kw, char *val)
{
    mm_rule *r = p->r;
    if (!val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
    if (r->niprep == MM_RULE_MAX_IPREP)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: more than %d", kw, MM_RULE_MAX_IPREP);
    char *parts[5];
    int n = mm_rp_split(val, ',', parts, 5);
    if (n != 3 && n != 4)
        return mm_rp_fail(p, MM_SKIP_VALUE, "iprep: side,category,op,value expected");
    static const char *const sides[] = {"any", "src", "dst", "both"};
    mm_iprep o = {0};
    int side = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(mm_rp_trim(parts[0]), sides[i]) == 0)
            side = i;
    if (side < 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "iprep: side '%.8s' (any, src, dst, both)", parts[0]);
    o.side = (uint8_t)side;
    const char *name = mm_rp_trim(parts[1]);
    const mm_reputation *rep = p->rs->rep;
    int cat = -1;
    for (int i = 0; rep && i < REP_CATS && cat < 0; i++)
        if (rep->cat_name[i] && strcmp(rep->cat_name[i], name) == 0)
            cat = i;
    if (cat < 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "iprep: category '%.32s' not in the categories file",
                          name);
    o.cat = (uint8_t)cat;
    o.rep = rep;
    if (n == 3) {
        const char *t = mm_rp_trim(parts[2]);
        if (strcmp(t, "isset") == 0)
            o.test = TEST_ISSET;
        else if (strcmp(t, "isnotset") == 0)
            o.test = TEST_ISNOTSET;
        else
            return mm_rp_fail(p, MM_SKIP_VALUE, "iprep: isset or isnotset expected");
    } else {
        char c[40];
        snprintf(c, sizeof c, "%.8s%.24s", mm_rp_trim(parts[2]), mm_rp_trim(parts[3]));
        if (!c[0] || !strchr("<>=!", c[0]) || !mm_rp_cmp(c, 255, &o.c))
            return mm_rp_fail(p, MM_SKIP_VALUE, "iprep: bad comparison '%.32s'", c);
    }
    p->iprep[r->niprep++] = o;
    return true;
}

static bool score_ok(const mm_iprep *o, int v)
{
    return v >= 0 && (o->test == TEST_ISSET || mm_cmp_eval(&o->c, (uint64_t)v));
}

bool mm_iprep_match(const mm_iprep *o, const mm_ip *src, const mm_ip *dst)
{
    int s = o->side != SIDE_DST ? rep_get(o->rep, o->cat, src) : -1;
    int d = o->side != SIDE_SRC ? rep_get(o->rep, o->cat, dst) : -1;
    bool no = o->test == TEST_ISNOTSET;
    switch (o->side) {
    case SIDE_SRC: return no ? s < 0 : score_ok(o, s);
    case SIDE_DST: return no ? d < 0 : score_ok(o, d);
    case SIDE_ANY: return no ? s < 0 || d < 0 : score_ok(o, s) || score_ok(o, d);
    default: return no ? s < 0 && d < 0 : score_ok(o, s) && score_ok(o, d);
    }
}
