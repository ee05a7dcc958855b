/*
 * rule_engine.c - the loaded rules, grouped by inspection moment, with a
 * Hyperscan prefilter per inspection buffer (see rule_engine.h).
 *
 * Moments: a rule that inspects an app-layer buffer (http.uri, dns.query,
 * tls.sni ...) is checked when its protocol's parser has that buffer (a
 * complete HTTP request, a DNS query ...); a rule on the payload of TCP
 * flows (tcp or an app-layer protocol in the header) is checked on each
 * reassembled stream chunk; rules on UDP, ICMP, IP, tcp-pkt, and rules
 * testing packet fields (dsize, flags, ttl ...) on each packet.
 *
 * Fast pattern: the content marked fast_pattern, else the longest content
 * not negated (ties: the first). Its bytes go to the database of its
 * buffer and transforms, case-insensitive when the content is nocase;
 * every occurrence of a pattern only makes its rule a candidate, which
 * the full option chain then confirms. Rules without a usable fast
 * pattern are checked at every moment of their group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hs/hs.h>

#include "detect/rule_engine.h"
#include "detect/rule_int.h"
#include "detect/rule_match.h"

#define M_PACKET 1
#define M_STREAM 2
#define M_APP 4

typedef struct pf_list {
    uint8_t moment;             /* M_* */
    uint8_t id, ntr;
    uint8_t tr[MM_MAX_TRANSFORMS];
    hs_database_t *db;
    uint32_t *rule_of;          /* pattern id -> rule index */
    uint32_t npat, cap;
    /* patterns while building */
    char **pat;
    size_t *plen;
    unsigned *pflags;
} pf_list;

struct mm_rules {
    mm_ruleset *rs;
    const mm_rule **r;          /* inspected rules */
    uint8_t *moment;            /* M_* per rule */
    uint32_t n;
    pf_list *lists;
    size_t nlists;
    uint32_t *nopf[3];          /* per moment: rules checked every time */
    uint32_t nnopf[3];
    size_t bits_words;
    mm_rules_info info;
};

struct mm_rules_thread {
    hs_scratch_t *scratch;
    mm_matcher *m;
    uint32_t *stamp;            /* per rule: the inspection that made it a candidate */
    uint32_t gen;
    uint32_t *cand;
    uint32_t ncand;
};

/* --- building ------------------------------------------------------------- */

static int moment_index(uint8_t m)
{
    return m == M_PACKET ? 0 : m == M_STREAM ? 1 : 2;
}

static bool is_app_proto(int p)
{
    return p >= MM_RP_HTTP;
}

/* The moments a rule inspects (0: not inspected yet). */
static uint8_t rule_moments(const mm_rule *r)
{
    bool app = false, payload = false;
    for (int i = 0; i < r->nbuf; i++) {
        if (r->buf[i].id == MM_BUF_PAYLOAD)
            payload = true;
        else if (r->buf[i].id != MM_BUF_BASE64_DATA)
            app = true;
    }
    for (int i = 0; i < r->nbitops; i++)
        if (r->bitops[i].xbits)
            return 0;           /* xbits (per host): not yet */
    if (r->nflowint || r->app_event)
        return 0;
    if (app)
        return payload ? 0 : M_APP;
    bool pkt_fields = r->has_dsize || r->has_flags || r->nhdr || r->has_itype || r->has_icode ||
                      r->has_ip_proto || r->proto == MM_RP_TCP_PKT;
    if (pkt_fields || r->nbuf == 0)
        return M_PACKET;
    if (r->proto == MM_RP_TCP || r->proto == MM_RP_TCP_STREAM)
        return M_STREAM;
    if (is_app_proto(r->proto))
        return M_STREAM | M_PACKET;     /* TCP flows by stream, UDP ones by packet */
    return M_PACKET;
}

static const mm_content *fast_pattern(const mm_rule *r, const mm_rbuf **in)
{
    const mm_content *best = NULL;
    for (int i = 0; i < r->nbuf; i++) {
        if (r->buf[i].id == MM_BUF_BASE64_DATA)
            continue;
        for (int k = 0; k < r->buf[i].nsm; k++) {
            const mm_sm *s = &r->buf[i].sm[k];
            if (s->type != MM_SM_CONTENT || s->u.c.flags & MM_CF_NEGATED)
                continue;
            if (s->u.c.flags & MM_CF_FAST) {
                *in = &r->buf[i];
                return &s->u.c;
            }
            if (!best || s->u.c.len > best->len) {
                best = &s->u.c;
                *in = &r->buf[i];
            }
        }
    }
    return best;
}

static pf_list *list_for(mm_rules *e, uint8_t moment, const mm_rbuf *b)
{
    for (size_t i = 0; i < e->nlists; i++) {
        pf_list *l = &e->lists[i];
        if (l->moment == moment && l->id == b->id && l->ntr == b->ntr &&
            memcmp(l->tr, b->tr, b->ntr) == 0)
            return l;
    }
    pf_list *nl = realloc(e->lists, (e->nlists + 1) * sizeof *nl);
    if (!nl)
        return NULL;
    e->lists = nl;
    pf_list *l = &e->lists[e->nlists++];
    memset(l, 0, sizeof *l);
    l->moment = moment;
    l->id = b->id;
    l->ntr = b->ntr;
    memcpy(l->tr, b->tr, b->ntr);
    return l;
}

static bool add_pattern(pf_list *l, const mm_content *c, uint32_t rule)
{
    if (l->npat == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 64;
        char **p = realloc(l->pat, cap * sizeof *p);
        if (p)
            l->pat = p;
        size_t *pl = realloc(l->plen, cap * sizeof *pl);
        if (pl)
            l->plen = pl;
        unsigned *pf = realloc(l->pflags, cap * sizeof *pf);
        if (pf)
            l->pflags = pf;
        uint32_t *ro = realloc(l->rule_of, cap * sizeof *ro);
        if (ro)
            l->rule_of = ro;
        if (!p || !pl || !pf || !ro)
            return false;
        l->cap = cap;
    }
    uint16_t off = 0, len = c->len;
    if (c->flags & MM_CF_FAST_CHOP) {
        off = c->fp_off;
        len = c->fp_len;
    }
    l->pat[l->npat] = (char *)c->pat + off;
    l->plen[l->npat] = len;
    l->pflags[l->npat] = HS_FLAG_SINGLEMATCH | (c->flags & MM_CF_NOCASE ? HS_FLAG_CASELESS : 0);
    l->rule_of[l->npat] = rule;
    l->npat++;
    return true;
}

static bool add_nopf(mm_rules *e, int mi, uint32_t rule)
{
    uint32_t *n = realloc(e->nopf[mi], (e->nnopf[mi] + 1) * sizeof *n);
    if (!n)
        return false;
    e->nopf[mi] = n;
    e->nopf[mi][e->nnopf[mi]++] = rule;
    return true;
}

static bool compile(pf_list *l, char *err, size_t errlen)
{
    if (!l->npat)
        return true;
    unsigned *ids = malloc(l->npat * sizeof *ids);
    if (!ids) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (uint32_t i = 0; i < l->npat; i++)
        ids[i] = i;
    hs_compile_error_t *ce = NULL;
    hs_error_t rc = hs_compile_lit_multi((const char *const *)l->pat, l->pflags, ids, l->plen,
                                         l->npat, HS_MODE_BLOCK, NULL, &l->db, &ce);
    free(ids);
    if (rc != HS_SUCCESS) {
        snprintf(err, errlen, "prefilter for %s: %s", mm_buf_name(l->id),
                 ce && ce->message ? ce->message : "compile error");
        hs_free_compile_error(ce);
        return false;
    }
    free(l->pat);
    free(l->plen);
    free(l->pflags);
    l->pat = NULL;
    l->plen = NULL;
    l->pflags = NULL;
    return true;
}

mm_rules *mm_rules_build(mm_ruleset *rs, char *err, size_t errlen)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    mm_rules *e = calloc(1, sizeof *e);
    size_t n = mm_ruleset_count(rs);
    if (!e || !(e->r = calloc(n ? n : 1, sizeof *e->r)) ||
        !(e->moment = calloc(n ? n : 1, 1))) {
        if (e) {
            free(e->r);
            free(e);
        }
        mm_ruleset_free(rs);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->rs = rs;
    e->info.rules = n;
    for (size_t i = 0; i < n; i++) {
        const mm_rule *r = mm_ruleset_rule(rs, i);
        uint8_t mo = rule_moments(r);
        if (!mo) {
            e->info.not_inspected++;
            continue;
        }
        uint32_t idx = e->n++;
        e->r[idx] = r;
        e->moment[idx] = mo;
        const mm_rbuf *in = NULL;
        const mm_content *fp = fast_pattern(r, &in);
        for (int b = 0; b < 3; b++) {
            uint8_t m1 = (uint8_t)(1 << b);
            if (!(mo & m1))
                continue;
            pf_list *l = fp ? list_for(e, m1, in) : NULL;
            bool ok = fp ? l && add_pattern(l, fp, idx) : add_nopf(e, b, idx);
            if (!ok) {
                mm_rules_free(e);
                snprintf(err, errlen, "out of memory");
                return NULL;
            }
        }
        if (fp)
            e->info.prefiltered++;
    }
    e->info.inspected = e->n;
    for (size_t i = 0; i < e->nlists; i++) {
        e->info.patterns += e->lists[i].npat;
        if (!compile(&e->lists[i], err, errlen)) {
            mm_rules_free(e);
            return NULL;
        }
        if (e->lists[i].db) {
            size_t sz = 0;
            hs_database_size(e->lists[i].db, &sz);
            e->info.db_bytes += sz;
            e->info.databases++;
        }
    }
    e->bits_words = (rs->nbits + 31) / 32;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    e->info.build_seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    return e;
}

void mm_rules_free(mm_rules *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nlists; i++) {
        hs_free_database(e->lists[i].db);
        free(e->lists[i].rule_of);
        free(e->lists[i].pat);
        free(e->lists[i].plen);
        free(e->lists[i].pflags);
    }
    free(e->lists);
    for (int i = 0; i < 3; i++)
        free(e->nopf[i]);
    free(e->r);
    free(e->moment);
    mm_ruleset_free(e->rs);
    free(e);
}

const mm_ruleset *mm_rules_set(const mm_rules *e)
{
    return e->rs;
}

void mm_rules_info_get(const mm_rules *e, mm_rules_info *i)
{
    *i = e->info;
}

size_t mm_rules_bits_words(const mm_rules *e)
{
    return e->bits_words;
}

mm_rules_thread *mm_rules_thread_new(const mm_rules *e)
{
    mm_rules_thread *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->stamp = calloc(e->n ? e->n : 1, sizeof *t->stamp);
    t->cand = calloc(e->n ? e->n : 1, sizeof *t->cand);
    t->m = mm_matcher_new();
    if (!t->stamp || !t->cand || !t->m) {
        mm_rules_thread_free(t);
        return NULL;
    }
    for (size_t i = 0; i < e->nlists; i++)
        if (e->lists[i].db && hs_alloc_scratch(e->lists[i].db, &t->scratch) != HS_SUCCESS) {
            mm_rules_thread_free(t);
            return NULL;
        }
    return t;
}

void mm_rules_thread_free(mm_rules_thread *t)
{
    if (!t)
        return;
    hs_free_scratch(t->scratch);
    mm_matcher_free(t->m);
    free(t->stamp);
    free(t->cand);
    free(t);
}

/* --- inspecting ----------------------------------------------------------- */

typedef struct scan_ctx {
    mm_rules_thread *t;
    const pf_list *l;
} scan_ctx;

static void candidate(mm_rules_thread *t, uint32_t rule)
{
    if (t->stamp[rule] == t->gen)
        return;
    t->stamp[rule] = t->gen;
    t->cand[t->ncand++] = rule;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    scan_ctx *s = ctx;
    candidate(s->t, s->l->rule_of[id]);
    return 0;
}

static bool proto_ok(const mm_rule *r, const mm_inspection *in)
{
    switch (r->proto) {
    case MM_RP_IP:
        return true;
    case MM_RP_TCP:
    case MM_RP_TCP_PKT:
    case MM_RP_TCP_STREAM:
        return in->ip_proto == 6;
    case MM_RP_UDP:
        return in->ip_proto == 17;
    case MM_RP_ICMP:
        return in->ip_proto == 1 || in->ip_proto == 58;
    default:
        return in->app == r->proto;
    }
}

static bool hosts_ok(const mm_rule *r, const mm_inspection *in)
{
    if (mm_addrset_has(r->src, in->src) && mm_addrset_has(r->dst, in->dst) &&
        mm_portset_has(r->sp, in->sp) && mm_portset_has(r->dp, in->dp))
        return true;
    return r->bidir && mm_addrset_has(r->src, in->dst) && mm_addrset_has(r->dst, in->src) &&
           mm_portset_has(r->sp, in->dp) && mm_portset_has(r->dp, in->sp);
}

static bool flow_ok(const mm_rule *r, const mm_inspection *in)
{
    uint16_t f = r->flow;
    if (f & MM_FLOW_TO_SERVER && in->to_client)
        return false;
    if (f & MM_FLOW_TO_CLIENT && !in->to_client)
        return false;
    if (f & MM_FLOW_ESTABLISHED && !in->established)
        return false;
    if (f & MM_FLOW_NOT_ESTABLISHED && in->established)
        return false;
    return true;
}

static bool packet_ok(const mm_rule *r, const mm_inspection *in, uint32_t payload_len)
{
    if (r->has_dsize && (in->moment != MM_MOMENT_PACKET || !mm_cmp_eval(&r->dsize, payload_len)))
        return false;
    const mm_insp_pkt *p = in->pkt;
    if (r->has_flags || r->nhdr || r->has_itype || r->has_icode || r->has_ip_proto) {
        if (!p)
            return false;
        if (r->has_ip_proto && (in->ip_proto == r->ip_proto) == (bool)r->ip_proto_neg)
            return false;
        if (r->has_itype && !mm_cmp_eval(&r->itype, p->icmp_type))
            return false;
        if (r->has_icode && !mm_cmp_eval(&r->icode, p->icmp_code))
            return false;
        if (r->has_flags) {
            if (in->ip_proto != 6)
                return false;
            uint8_t fl = p->tcp_flags & r->tcp_flags_mask;
            bool ok;
            switch (r->tcp_flags_mod) {
            case '+': ok = (fl & r->tcp_flags) == r->tcp_flags; break;
            case '*': ok = (fl & r->tcp_flags) != 0; break;
            case '!': ok = (fl & r->tcp_flags) == 0; break;
            default: ok = fl == r->tcp_flags;
            }
            if (!ok)
                return false;
        }
        for (int i = 0; i < r->nhdr; i++) {
            uint64_t v;
            switch (r->hdr[i].field) {
            case MM_HF_TTL: v = p->ttl; break;
            case MM_HF_IP_ID: v = p->ip_id; break;
            case MM_HF_TCP_WINDOW: v = p->window; break;
            case MM_HF_TCP_SEQ: v = p->seq; break;
            case MM_HF_TCP_ACK: v = p->ack; break;
            case MM_HF_ICMP_ID: v = p->icmp_id; break;
            default: v = p->icmp_seq;
            }
            if (!mm_cmp_eval(&r->hdr[i].c, v))
                return false;
        }
    }
    return true;
}

static bool bit_set(const uint32_t *bits, uint32_t b)
{
    return bits && (bits[b / 32] >> (b % 32)) & 1;
}

static bool bits_ok(const mm_rule *r, const uint32_t *bits)
{
    for (int i = 0; i < r->nbitops; i++) {
        const mm_bitop *o = &r->bitops[i];
        if (o->cmd != MM_BIT_ISSET && o->cmd != MM_BIT_ISNOTSET)
            continue;
        int set = 0;
        for (int k = 0; k < o->nbits; k++)
            set += bit_set(bits, o->bit[k]);
        bool all = set == o->nbits, any = set > 0;
        if (o->cmd == MM_BIT_ISSET && !(o->any ? any : all))
            return false;
        if (o->cmd == MM_BIT_ISNOTSET && (o->any ? all : any))
            return false;
    }
    return true;
}

static void bits_apply(const mm_rule *r, uint32_t *bits)
{
    if (!bits)
        return;
    for (int i = 0; i < r->nbitops; i++) {
        const mm_bitop *o = &r->bitops[i];
        for (int k = 0; k < o->nbits; k++) {
            uint32_t w = o->bit[k] / 32, m = 1u << (o->bit[k] % 32);
            if (o->cmd == MM_BIT_SET)
                bits[w] |= m;
            else if (o->cmd == MM_BIT_UNSET)
                bits[w] &= ~m;
            else if (o->cmd == MM_BIT_TOGGLE)
                bits[w] ^= m;
        }
    }
}

static const mm_obs_buf *find_buf(const mm_inspection *in, uint8_t id)
{
    for (int i = 0; i < in->nbuf; i++)
        if (in->buf[i].id == id)
            return &in->buf[i];
    return NULL;
}

static bool rule_matches(mm_rules_thread *t, const mm_rule *r, const mm_inspection *in)
{
    const mm_obs_buf *pl = find_buf(in, MM_BUF_PAYLOAD);
    if (!proto_ok(r, in) || !flow_ok(r, in) || !packet_ok(r, in, pl ? pl->len : 0) ||
        !hosts_ok(r, in) || !bits_ok(r, in->bits))
        return false;
    mm_matcher_reset(t->m);
    for (int i = 0; i < r->nbuf; i++) {
        const mm_rbuf *b = &r->buf[i];
        if (b->id == MM_BUF_BASE64_DATA) {
            if (!mm_rbuf_match(t->m, b, NULL, 0))
                return false;
            continue;
        }
        const mm_obs_buf *d = find_buf(in, b->id);
        if (!d || !mm_rbuf_match(t->m, b, d->data, d->len))
            return false;
    }
    return true;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int mm_rules_inspect(const mm_rules *e, mm_rules_thread *t, const mm_inspection *in,
                     mm_rule_hit_fn hit, void *ctx)
{
    uint8_t m1 = in->moment == MM_MOMENT_PACKET ? M_PACKET
               : in->moment == MM_MOMENT_STREAM ? M_STREAM : M_APP;
    if (++t->gen == 0) {
        memset(t->stamp, 0, e->n * sizeof *t->stamp);
        t->gen = 1;
    }
    t->ncand = 0;
    for (size_t i = 0; i < e->nlists; i++) {
        const pf_list *l = &e->lists[i];
        if (l->moment != m1 || !l->db)
            continue;
        const mm_obs_buf *d = find_buf(in, l->id);
        if (!d || !d->len)
            continue;
        const uint8_t *data = d->data;
        uint32_t len = d->len;
        if (l->ntr) {
            mm_rbuf tb = {.id = l->id, .ntr = l->ntr};
            memcpy(tb.tr, l->tr, l->ntr);
            if (!mm_matcher_transform(t->m, &tb, &data, &len))
                continue;
        }
        scan_ctx sc = {t, l};
        hs_scan(l->db, (const char *)data, len, 0, t->scratch, on_match, &sc);
    }
    int mi = moment_index(m1);
    for (uint32_t i = 0; i < e->nnopf[mi]; i++)
        candidate(t, e->nopf[mi][i]);
    int hits = 0;
    /* in rule order, so flowbits set by an earlier rule count for a later one */
    if (t->ncand > 1)
        qsort(t->cand, t->ncand, sizeof *t->cand, cmp_u32);
    for (uint32_t i = 0; i < t->ncand; i++) {
        uint32_t ri = t->cand[i];
        const mm_rule *r = e->r[ri];
        /* a UDP flow of an app protocol is seen by packet, a TCP one by stream */
        if (m1 == M_PACKET && e->moment[ri] & M_STREAM && in->ip_proto == 6)
            continue;
        if (!rule_matches(t, r, in))
            continue;
        bits_apply(r, in->bits);
        if (r->noalert)
            continue;
        hits++;
        hit(ctx, r, in);
    }
    return hits;
}
