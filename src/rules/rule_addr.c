/*
 * rule_addr.c - addresses, ports and variables of rule headers.
 *
 * Grammar (Suricata's): ITEM is "any", an address or network (a.b.c.d,
 * a.b.c.d/n, a.b.c.d/m.m.m.m, IPv6 likewise), a port or range ("80",
 * "1024:", ":1023", "1:3"), "$VAR", "[LIST]" or "!ITEM"; LIST is ITEMs
 * separated by commas. A list means the union of its positive items minus
 * its negative ones (everything minus them when all are negative).
 *
 * Variables default to suricata.yaml's values with HOME_NET the private
 * ranges; --var overrides them. Sets are interned: "$HOME_NET" in 20,000
 * rules is one set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rule_int.h"

#define MAX_RANGES 4096
#define MAX_DEPTH 16

/* --- 128-bit numbers ------------------------------------------------------ */

#define u_cmp mm_u128_cmp
#define u_inc mm_u128_inc

static mm_u128 u_dec(mm_u128 a)
{
    if (a.lo-- == 0)
        a.hi--;
    return a;
}

void mm_u128_net(mm_u128 a, int host, mm_u128 *lo, mm_u128 *hi)
{
    *lo = *hi = a;
    if (host >= 64) {
        lo->lo = 0;
        hi->lo = UINT64_MAX;
        uint64_t m = host >= 128 ? UINT64_MAX : (host == 64 ? 0 : ((1ULL << (host - 64)) - 1));
        lo->hi &= ~m;
        hi->hi |= m;
    } else if (host > 0) {
        uint64_t m = (1ULL << host) - 1;
        lo->lo &= ~m;
        hi->lo |= m;
    }
}

mm_u128 mm_u128_of_ip(const mm_ip *ip)
{
    mm_u128 u = {0, 0};
    if (ip->v == 4) {
        u.lo = 0xFFFF00000000ULL | (uint64_t)ip->b[0] << 24 | (uint64_t)ip->b[1] << 16 |
               (uint64_t)ip->b[2] << 8 | ip->b[3];
        return u;
    }
    for (int i = 0; i < 8; i++) {
        u.hi = u.hi << 8 | ip->b[i];
        u.lo = u.lo << 8 | ip->b[8 + i];
    }
    return u;
}

/* --- generic range lists (addresses as 128-bit, ports widened) ------------ */

typedef struct rlist {
    mm_addr_range v[MAX_RANGES];
    size_t n;
} rlist;

static int rcmp(const void *a, const void *b)
{
    return u_cmp(((const mm_addr_range *)a)->lo, ((const mm_addr_range *)b)->lo);
}

/* Sorts and merges overlapping or touching ranges. */
static void normalise(rlist *l)
{
    if (l->n < 2)
        return;
    qsort(l->v, l->n, sizeof l->v[0], rcmp);
    size_t k = 0;
    for (size_t i = 1; i < l->n; i++) {
        mm_u128 next = u_inc(l->v[k].hi);
        if (u_cmp(l->v[i].lo, next) <= 0 || (l->v[k].hi.hi == UINT64_MAX &&
                                             l->v[k].hi.lo == UINT64_MAX)) {
            if (u_cmp(l->v[i].hi, l->v[k].hi) > 0)
                l->v[k].hi = l->v[i].hi;
        } else {
            l->v[++k] = l->v[i];
        }
    }
    l->n = k + 1;
}

/* a -= b; both normalised. False when the result would not fit. */
static bool subtract(rlist *a, const rlist *b)
{
    static rlist out;
    out.n = 0;
    for (size_t i = 0; i < a->n; i++) {
        mm_addr_range cur = a->v[i];
        bool alive = true;
        for (size_t j = 0; j < b->n && alive; j++) {
            const mm_addr_range *x = &b->v[j];
            if (u_cmp(x->hi, cur.lo) < 0 || u_cmp(x->lo, cur.hi) > 0)
                continue;
            if (u_cmp(x->lo, cur.lo) > 0) {
                if (out.n == MAX_RANGES)
                    return false;
                out.v[out.n++] = (mm_addr_range){cur.lo, u_dec(x->lo)};
            }
            if (u_cmp(x->hi, cur.hi) >= 0)
                alive = false;
            else
                cur.lo = u_inc(x->hi);
        }
        if (alive) {
            if (out.n == MAX_RANGES)
                return false;
            out.v[out.n++] = cur;
        }
    }
    memcpy(a->v, out.v, out.n * sizeof out.v[0]);
    a->n = out.n;
    return true;
}

/* --- parsing -------------------------------------------------------------- */

typedef struct pctx {
    mm_ruleset *rs;
    bool ports;
    mm_u128 max;
    char *err;
    size_t errlen;
    const char *s;              /* position */
    int depth;
    bool negated;               /* a '!' was met (in a variable too) */
} pctx;

static bool perr(pctx *c, const char *what)
{
    snprintf(c->err, c->errlen, "%s", what);
    return false;
}

static bool add(pctx *c, rlist *l, mm_u128 lo, mm_u128 hi)
{
    if (l->n == MAX_RANGES)
        return perr(c, "too many ranges");
    l->v[l->n++] = (mm_addr_range){lo, hi};
    return true;
}

static bool parse_list(pctx *c, rlist *out, char end);

/* One address, network or port range ending at ',' ']' or the end. */
static bool parse_atom(pctx *c, rlist *l)
{
    size_t n = strcspn(c->s, ",]");
    char tok[128];
    if (n == 0 || n >= sizeof tok)
        return perr(c, "bad address or port");
    memcpy(tok, c->s, n);
    tok[n] = 0;
    c->s += n;
    char *t = mm_rp_trim(tok);
    if (strcmp(t, "any") == 0)
        return add(c, l, (mm_u128){0, 0}, c->max);
    if (c->ports) {
        char *colon = strchr(t, ':');
        int64_t lo = 0, hi = 65535;
        if (colon) {
            *colon = 0;
            char *a = mm_rp_trim(t), *b = mm_rp_trim(colon + 1);
            if ((*a && !mm_rp_num(a, 0, 65535, &lo)) || (*b && !mm_rp_num(b, 0, 65535, &hi)) ||
                (!*a && !*b) || lo > hi)
                return perr(c, "bad port range");
        } else if (!mm_rp_num(t, 0, 65535, &lo)) {
            return perr(c, "bad port");
        } else {
            hi = lo;
        }
        return add(c, l, (mm_u128){0, (uint64_t)lo}, (mm_u128){0, (uint64_t)hi});
    }
    char *slash = strchr(t, '/');
    if (slash)
        *slash++ = 0;
    mm_ip ip;
    if (!mm_ip_parse(t, &ip))
        return perr(c, "bad address");
    int width = ip.v == 4 ? 32 : 128;
    int64_t bits = width;
    if (slash) {
        mm_ip mask;
        if (ip.v == 4 && strchr(slash, '.') && mm_ip_parse(slash, &mask) && mask.v == 4) {
            uint32_t m = (uint32_t)mask.b[0] << 24 | (uint32_t)mask.b[1] << 16 |
                         (uint32_t)mask.b[2] << 8 | mask.b[3];
            bits = 0;
            while (bits < 32 && (m & (0x80000000u >> bits)))
                bits++;
            if (bits < 32 && (m << bits) != 0)
                return perr(c, "bad netmask");
        } else if (!mm_rp_num(slash, 0, width, &bits)) {
            return perr(c, "bad prefix length");
        }
    }
    mm_u128 lo, hi;
    mm_u128_net(mm_u128_of_ip(&ip), width - (int)bits, &lo, &hi);
    return add(c, l, lo, hi);
}

static bool parse_var(pctx *c, rlist *l)
{
    const char *name = ++c->s;
    size_t n = 0;
    while (name[n] && name[n] != ',' && name[n] != ']' && name[n] != ' ')
        n++;
    c->s += n;
    const char *val = mm_rs_var(c->rs, name, n);
    if (!val) {
        snprintf(c->err, c->errlen, "unknown variable $%.*s", (int)(n > 40 ? 40 : n), name);
        return false;
    }
    if (++c->depth > MAX_DEPTH)
        return perr(c, "variables nested too deep");
    pctx sub = *c;
    sub.s = val;
    bool ok = parse_list(&sub, l, 0);
    c->negated |= sub.negated;
    c->depth--;
    return ok;
}

/* An ITEM into pos (positive) or neg; *positive says which it was (an
 * empty positive item still counts as one). */
static bool parse_item(pctx *c, rlist *pos, rlist *neg, bool negated, bool *positive)
{
    while (*c->s == ' ')
        c->s++;
    if (*c->s == '!') {
        c->s++;
        c->negated = true;
        return parse_item(c, pos, neg, !negated, positive);
    }
    *positive = !negated;
    static rlist tmp[MAX_DEPTH + 2];
    if (c->depth > MAX_DEPTH)
        return perr(c, "lists nested too deep");
    rlist *t = &tmp[c->depth];
    t->n = 0;
    c->depth++;
    bool ok;
    if (*c->s == '[') {
        c->s++;
        ok = parse_list(c, t, ']');
        if (ok && *c->s != ']')
            ok = perr(c, "missing ']'");
        else if (ok)
            c->s++;
    } else if (*c->s == '$') {
        ok = parse_var(c, t);
    } else {
        ok = parse_atom(c, t);
    }
    c->depth--;
    if (!ok)
        return false;
    rlist *dst = negated ? neg : pos;
    for (size_t i = 0; i < t->n; i++)
        if (!add(c, dst, t->v[i].lo, t->v[i].hi))
            return false;
    return true;
}

/* A LIST up to end (']' or 0) into out, evaluated. */
static bool parse_list(pctx *c, rlist *out, char end)
{
    rlist *pos = calloc(2, sizeof *pos);
    if (!pos)
        return perr(c, "out of memory");
    rlist *neg = pos + 1;
    bool ok = true, any_pos = false;
    for (;;) {
        bool positive;
        if (!(ok = parse_item(c, pos, neg, false, &positive)))
            break;
        any_pos |= positive;
        while (*c->s == ' ')
            c->s++;
        if (*c->s == ',') {
            c->s++;
            continue;
        }
        if (*c->s == end || (*c->s == 0 && end == 0))
            break;
        ok = perr(c, *c->s ? "unexpected character in list" : "unterminated list");
        break;
    }
    if (ok) {
        if (!any_pos) {
            pos->n = 1;
            pos->v[0] = (mm_addr_range){{0, 0}, c->max};
        }
        normalise(pos);
        normalise(neg);
        if (!subtract(pos, neg))
            ok = perr(c, "too many ranges");
    }
    if (ok) {
        for (size_t i = 0; i < pos->n && ok; i++)
            ok = add(c, out, pos->v[i].lo, pos->v[i].hi);
        normalise(out);
    }
    free(pos);
    return ok;
}

static bool evaluate(mm_ruleset *rs, const char *text, bool ports, rlist *out, bool *negated,
                     char *err, size_t errlen)
{
    pctx c = {rs, ports, ports ? (mm_u128){0, 65535} : (mm_u128){UINT64_MAX, UINT64_MAX},
              err, errlen, text, 0, false};
    out->n = 0;
    if (!parse_list(&c, out, 0))
        return false;
    if (*c.s) {
        snprintf(err, errlen, "unexpected '%c'", *c.s);
        return false;
    }
    if (out->n == 0) {
        snprintf(err, errlen, "%s match nothing", ports ? "ports" : "addresses");
        return false;
    }
    if (negated)
        *negated = c.negated;
    return true;
}

static void *intern(mm_ruleset *rs, char kind, const char *text)
{
    char key[1024];
    int n = snprintf(key, sizeof key, "%c:%s", kind, text);
    if (n < 0 || (size_t)n >= sizeof key)
        return NULL;
    uint64_t *v = mm_strmap_get(&rs->sets, key, (size_t)n);
    return v ? (void *)(uintptr_t)*v : NULL;
}

static void remember(mm_ruleset *rs, char kind, const char *text, const void *set)
{
    char key[1024];
    int n = snprintf(key, sizeof key, "%c:%s", kind, text);
    if (n > 0 && (size_t)n < sizeof key)
        mm_strmap_put(&rs->sets, key, (size_t)n, (uint64_t)(uintptr_t)set, NULL);
}

const mm_addrset *mm_ruleset_addrset(mm_ruleset *rs, const char *text, char *err, size_t errlen)
{
    const mm_addrset *s = intern(rs, 'a', text);
    if (s)
        return s;
    static rlist l;
    bool neg;
    if (!evaluate(rs, text, false, &l, &neg, err, errlen))
        return NULL;
    mm_addrset *a = mm_arena_alloc(&rs->arena, sizeof *a);
    if (!a || !(a->r = mm_arena_dup(&rs->arena, l.v, l.n * sizeof l.v[0]))) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->n = l.n;
    a->negated = neg;
    a->any = l.n == 1 && l.v[0].lo.hi == 0 && l.v[0].lo.lo == 0 && l.v[0].hi.hi == UINT64_MAX &&
             l.v[0].hi.lo == UINT64_MAX;
    remember(rs, 'a', text, a);
    return a;
}

const mm_portset *mm_ruleset_portset(mm_ruleset *rs, const char *text, char *err, size_t errlen)
{
    const mm_portset *s = intern(rs, 'p', text);
    if (s)
        return s;
    static rlist l;
    if (!evaluate(rs, text, true, &l, NULL, err, errlen))
        return NULL;
    mm_portset *p = mm_arena_alloc(&rs->arena, sizeof *p);
    if (!p || !(p->r = mm_arena_alloc(&rs->arena, l.n * sizeof *p->r))) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < l.n; i++)
        p->r[i] = (mm_port_range){(uint16_t)l.v[i].lo.lo, (uint16_t)l.v[i].hi.lo};
    p->n = l.n;
    p->any = l.n == 1 && p->r[0].lo == 0 && p->r[0].hi == 65535;
    remember(rs, 'p', text, p);
    return p;
}

bool mm_addrset_has(const mm_addrset *s, const mm_ip *ip)
{
    if (s->any)
        return true;
    mm_u128 u = mm_u128_of_ip(ip);
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t m = (lo + hi) / 2;
        if (u_cmp(s->r[m].hi, u) < 0)
            lo = m + 1;
        else
            hi = m;
    }
    return lo < s->n && u_cmp(s->r[lo].lo, u) <= 0;
}

bool mm_portset_has(const mm_portset *s, uint16_t port)
{
    if (s->any)
        return true;
    for (size_t i = 0; i < s->n; i++)
        if (port >= s->r[i].lo && port <= s->r[i].hi)
            return true;
    return false;
}

/* --- variables ------------------------------------------------------------ */

/* suricata.yaml's address-groups and port-groups, HOME_NET our private
 * ranges. */
static const char *const defaults[][2] = {
    {"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12,fc00::/7]"},
    {"EXTERNAL_NET", "!$HOME_NET"},
    {"HTTP_SERVERS", "$HOME_NET"}, {"SMTP_SERVERS", "$HOME_NET"},
    {"SQL_SERVERS", "$HOME_NET"}, {"DNS_SERVERS", "$HOME_NET"},
    {"TELNET_SERVERS", "$HOME_NET"}, {"AIM_SERVERS", "$EXTERNAL_NET"},
    {"DC_SERVERS", "$HOME_NET"}, {"DNP3_SERVER", "$HOME_NET"}, {"DNP3_CLIENT", "$HOME_NET"},
    {"MODBUS_CLIENT", "$HOME_NET"}, {"MODBUS_SERVER", "$HOME_NET"},
    {"ENIP_CLIENT", "$HOME_NET"}, {"ENIP_SERVER", "$HOME_NET"},
    {"HTTP_PORTS", "80"}, {"SHELLCODE_PORTS", "!80"}, {"ORACLE_PORTS", "1521"},
    {"SSH_PORTS", "22"}, {"DNP3_PORTS", "20000"}, {"MODBUS_PORTS", "502"},
    {"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"}, {"FTP_PORTS", "21"},
    {"GENEVE_PORTS", "6081"}, {"VXLAN_PORTS", "4789"}, {"TEREDO_PORTS", "3544"},
};

void mm_rs_default_vars(mm_ruleset *rs)
{
    char err[64];
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        mm_ruleset_set_var(rs, defaults[i][0], defaults[i][1], err, sizeof err);
}

const char *mm_rs_var(const mm_ruleset *rs, const char *name, size_t len)
{
    uint64_t *v = mm_strmap_get(&rs->vars, name, len);
    return v ? rs->var_val[*v] : NULL;
}

bool mm_ruleset_set_var(mm_ruleset *rs, const char *name, const char *value, char *err,
                        size_t errlen)
{
    if (*name == '$')
        name++;
    size_t nl = strlen(name);
    if (nl == 0 || nl > 64 || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789_") != nl) {
        snprintf(err, errlen, "bad variable name '%.64s'", name);
        return false;
    }
    if (strlen(value) >= 900) {
        snprintf(err, errlen, "variable %s: value too long", name);
        return false;
    }
    char *v = mm_arena_strdup(&rs->arena, value);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    bool added;
    uint64_t *slot = mm_strmap_put(&rs->vars, name, nl, rs->nvars, &added);
    if (!slot) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (added) {
        char **nv = realloc(rs->var_val, (rs->nvars + 1) * sizeof *nv);
        if (!nv) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        rs->var_val = nv;
        rs->nvars++;
    }
    rs->var_val[*slot] = v;
    /* sets made with the old value are stale */
    mm_strmap_free(&rs->sets);
    mm_strmap_init(&rs->sets);
    /* a value must parse as addresses or as ports */
    static rlist l;
    char e1[128], e2[128];
    if (!evaluate(rs, value, false, &l, NULL, e1, sizeof e1) &&
        !evaluate(rs, value, true, &l, NULL, e2, sizeof e2)) {
        snprintf(err, errlen, "variable %s: %s", name, e1);
        return false;
    }
    return true;
}
