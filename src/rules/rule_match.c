/*
 * rule_match.c - one rule's options against one buffer, as Suricata's
 * content inspection does it.
 *
 * The options of a buffer are walked in order with a cursor: the end of
 * the last match. A content is searched in a window: absolute (offset, and
 * depth counted from offset) or relative to the cursor (distance, and
 * within counted from the cursor plus distance). When a later option fails
 * and the one after a match is relative to it, the match is retried one
 * byte further on (so "a" then "b" within 2 finds the second "a" of
 * "a..ab"), bounded by a step budget as Suricata bounds its recursion.
 * A negated content must not be in its window and does not move the
 * cursor; pcre moves the cursor to the end of its match; byte_jump and
 * byte_extract move it past what they read; byte_test and isdataat look
 * without moving.
 */
#include <ctype.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <pcre2.h>

#include "rules/rule_match.h"
#include "util/util.h"

#define STEP_BUDGET 3000

struct mm_matcher {
    pcre2_match_data *md;
    pcre2_match_context *mc;
    uint8_t *scratch[2];        /* transformed buffers, base64 decoded data */
    size_t cap[2];
    uint64_t vars[8];
    const uint8_t *b64;         /* decoded by base64_decode, for base64_data */
    uint32_t b64len;
    uint32_t steps;
    uint64_t pcre_runs, pcre_limited;
    mm_capture caps[MM_CAP_MAX];
    int ncaps;
};

mm_matcher *mm_matcher_new(void)
{
    mm_matcher *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->md = pcre2_match_data_create(32, NULL);
    m->mc = pcre2_match_context_create(NULL);
    if (!m->md || !m->mc) {
        mm_matcher_free(m);
        return NULL;
    }
    /* Suricata's defaults: match limit 3500, recursion 1500 */
    pcre2_set_match_limit(m->mc, 3500);
    pcre2_set_depth_limit(m->mc, 1500);
    return m;
}

void mm_matcher_free(mm_matcher *m)
{
    if (!m)
        return;
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mc);
    free(m->scratch[0]);
    free(m->scratch[1]);
    free(m);
}

static uint8_t *scratch(mm_matcher *m, int i, size_t n)
{
    if (n > m->cap[i]) {
        size_t cap = n < 4096 ? 4096 : n;
        uint8_t *p = realloc(m->scratch[i], cap);
        if (!p)
            return NULL;
        m->scratch[i] = p;
        m->cap[i] = cap;
    }
    return m->scratch[i];
}

/* --- searching ------------------------------------------------------------ */

static int fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool letter(uint8_t c)
{
    c |= 0x20;
    return c >= 'a' && c <= 'z';
}

/* pat[1 .. n-1) at p, folded when nocase (its ends are known to fit) */
static bool middle_fits(const uint8_t *p, const uint8_t *pat, uint32_t n, bool nocase)
{
    if (n < 3)
        return true;
    if (!nocase)
        return memcmp(p + 1, pat + 1, n - 2) == 0;
    for (uint32_t k = 1; k + 1 < n; k++)
        if (fold(p[k]) != fold(pat[k]))
            return false;
    return true;
}

/* First position of pat in [from, to) of buf where it fits whole, or -1.
 * Sixteen positions at a time are kept when the pattern's first and last
 * bytes both fit there (a letter in either case when nocase: OR 0x20 maps
 * exactly its two cases to the small one), then checked whole: on text
 * where either byte is rare it looks at a byte about once. */
int64_t mm_rm_find(const uint8_t *buf, uint32_t from, uint32_t to, const uint8_t *pat,
                   uint32_t n, bool nocase)
{
    if (to < from || to - from < n || n == 0)
        return -1;
    uint32_t last = to - n;             /* the last position it can start at */
    uint32_t i = from;
    bool lf = nocase && letter(pat[0]), ll = nocase && letter(pat[n - 1]);
    uint8_t tf = lf ? (uint8_t)(pat[0] | 0x20) : pat[0], mf = lf ? 0x20 : 0;
    uint8_t tl = ll ? (uint8_t)(pat[n - 1] | 0x20) : pat[n - 1], ml = ll ? 0x20 : 0;
#if defined(__SSE2__)
    const __m128i vtf = _mm_set1_epi8((char)tf), vmf = _mm_set1_epi8((char)mf);
    const __m128i vtl = _mm_set1_epi8((char)tl), vml = _mm_set1_epi8((char)ml);
    for (; i <= last && last - i >= 15; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(buf + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(buf + i + n - 1));
        __m128i eq = _mm_and_si128(_mm_cmpeq_epi8(_mm_or_si128(a, vmf), vtf),
                                   _mm_cmpeq_epi8(_mm_or_si128(b, vml), vtl));
        unsigned bits = (unsigned)_mm_movemask_epi8(eq);
        while (bits) {
            unsigned j = (unsigned)__builtin_ctz(bits);
            if (middle_fits(buf + i + j, pat, n, nocase))
                return (int64_t)i + j;
            bits &= bits - 1;
        }
    }
#endif
    for (; i <= last; i++)
        if ((uint8_t)(buf[i] | mf) == tf && (uint8_t)(buf[i + n - 1] | ml) == tl &&
            middle_fits(buf + i, pat, n, nocase))
            return i;
    return -1;
}

static int64_t val(const mm_matcher *m, mm_rval v)
{
    return v.var >= 0 ? (int64_t)m->vars[v.var & 7] : v.v;
}

/* --- byte reads ----------------------------------------------------------- */

/* Reads the number at buf[pos] per b; false when it is not there. */
static bool read_number(const mm_byteop *b, const uint8_t *buf, uint32_t len, int64_t pos,
                        uint64_t *out, uint32_t *used)
{
    if (pos < 0 || pos > len)
        return false;
    uint32_t avail = len - (uint32_t)pos;
    const uint8_t *p = buf + pos;
    if (b->flags & MM_BF_STRING) {
        /* nbytes 0: the digits there are (strtoull's way) */
        uint32_t n = b->nbytes ? b->nbytes : (avail < 23 ? avail : 23);
        if (n > avail)
            return false;
        uint64_t v = 0;
        uint32_t i = 0;
        for (; i < n; i++) {
            int c = p[i], d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (b->base == 16 && isxdigit(c))
                d = fold(c) - 'a' + 10;
            else
                break;
            if (d >= b->base || v > (UINT64_MAX - (uint64_t)d) / b->base)
                return false;
            v = v * b->base + (uint64_t)d;
        }
        if (i == 0 || (b->nbytes && i != n))
            return false;
        *out = v;
        *used = b->nbytes ? n : i;
    } else {
        if (b->nbytes > avail)
            return false;
        uint64_t v = 0;
        for (int i = 0; i < b->nbytes; i++) {
            int k = (b->flags & MM_BF_LITTLE) ? b->nbytes - 1 - i : i;
            v = v << 8 | p[k];
        }
        *out = v;
        *used = b->nbytes;
    }
    if (b->flags & MM_BF_BITMASK && b->bitmask) {
        uint64_t mask = b->bitmask;
        *out &= mask;
        while (!(mask & 1)) {
            mask >>= 1;
            *out >>= 1;
        }
    }
    return true;
}

/* --- the walk ------------------------------------------------------------- */

typedef struct walk {
    mm_matcher *m;
    const mm_sm *sm;
    int n;
    const uint8_t *buf;
    uint32_t len;
} walk;

static bool is_relative(const mm_sm *s)
{
    switch (s->type) {
    case MM_SM_CONTENT: return s->u.c.flags & (MM_CF_DISTANCE | MM_CF_WITHIN);
    case MM_SM_PCRE: return s->u.p.flags & MM_PF_RELATIVE;
    case MM_SM_BYTE_TEST: case MM_SM_BYTE_JUMP: case MM_SM_BYTE_EXTRACT: case MM_SM_BYTE_MATH:
        return s->u.b.flags & MM_BF_RELATIVE;
    case MM_SM_ISDATAAT: return s->u.isdataat.relative;
    case MM_SM_BASE64_DECODE: return s->u.b64.relative;
    case MM_SM_ASN1: return s->u.asn1.flags & MM_ASN1_RELATIVE;
    default: return false;
    }
}

/* 1: the rest matches; 0: it does not here; -1: nor anywhere further on (a
 * content searched to the buffer's end and absent), so earlier matches need
 * not be retried further on (as Suricata stops its retries) */
static int step(walk *w, int i, uint32_t cur);

static int content(walk *w, int i, uint32_t cur)
{
    const mm_content *c = &w->sm[i].u.c;
    int64_t from, to = w->len;
    if (c->flags & (MM_CF_DISTANCE | MM_CF_WITHIN)) {
        int64_t dist = c->flags & MM_CF_DISTANCE ? val(w->m, c->distance) : 0;
        from = (int64_t)cur + dist;
        if (from < 0)
            from = 0;
        if (c->flags & MM_CF_WITHIN) {
            int64_t lim = (int64_t)cur + dist + val(w->m, c->within);
            if (lim < to)
                to = lim;
        }
    } else {
        from = c->flags & MM_CF_OFFSET ? val(w->m, c->offset) : 0;
        if (c->flags & (MM_CF_DEPTH | MM_CF_STARTSWITH)) {
            int64_t lim = from + val(w->m, c->depth);
            if (lim < to)
                to = lim;
        }
    }
    if (c->flags & MM_CF_ENDSWITH) {
        /* only where it would end at the buffer's end */
        int64_t at = (int64_t)w->len - c->len;
        if (at < from || at + c->len > to)
            from = to;          /* no room: not found */
        else
            from = at;
    }
    bool neg = c->flags & MM_CF_NEGATED;
    bool nocase = c->flags & MM_CF_NOCASE;
    bool to_end = to >= (int64_t)w->len && !(c->flags & MM_CF_ENDSWITH);
    while (from <= to) {
        if (++w->m->steps > STEP_BUDGET)
            return -1;
        int64_t pos = from < 0 || from > w->len ? -1
                    : mm_rm_find(w->buf, (uint32_t)from, (uint32_t)(to < 0 ? 0 : to), c->pat, c->len,
                           nocase);
        if (neg)
            return pos < 0 ? step(w, i + 1, cur) : 0;
        if (pos < 0)
            return to_end ? -1 : 0;     /* to the end and absent: nowhere later either */
        int r = step(w, i + 1, (uint32_t)pos + c->len);
        if (r)
            return r;
        /* retry further on only when what follows hangs on this match */
        if (i + 1 >= w->n || !is_relative(&w->sm[i + 1]))
            return 0;
        from = pos + 1;
    }
    return 0;
}

static int pcre(walk *w, int i, uint32_t cur)
{
    const mm_pcre *p = &w->sm[i].u.p;
    mm_matcher *m = w->m;
    /* relative: the subject begins at the cursor, so '^' anchors there */
    uint32_t base = p->flags & MM_PF_RELATIVE ? cur : 0;
    bool neg = p->flags & MM_PF_NEGATED;
    if (base > w->len)
        return neg ? step(w, i + 1, cur) : 0;
    uint32_t start = 0;
    for (;;) {
        if (++m->steps > STEP_BUDGET)
            return -1;
        m->pcre_runs++;
        int rc = pcre2_match(p->code, w->buf + base, w->len - base, start, 0, m->md, m->mc);
        if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
            m->pcre_limited++;
        if (neg)
            return rc < 0 ? step(w, i + 1, cur) : 0;
        if (rc < 0)
            return 0;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
        uint32_t s = (uint32_t)ov[0], e = base + (uint32_t)ov[1];
        int saved = m->ncaps;
        for (int k = 0; k < p->ncv && m->ncaps < MM_CAP_MAX; k++) {
            unsigned g = p->cv[k].group;
            if ((int)g >= rc || ov[2 * g] == PCRE2_UNSET || ov[2 * g + 1] < ov[2 * g])
                continue;
            mm_capture *c = &m->caps[m->ncaps++];
            size_t n = ov[2 * g + 1] - ov[2 * g];
            c->id = p->cv[k].id;
            c->kind = p->cv[k].kind;
            c->len = (uint16_t)(n < MM_CAP_LEN ? n : MM_CAP_LEN);
            memcpy(c->data, w->buf + base + ov[2 * g], c->len);
        }
        int r = step(w, i + 1, e);
        if (r <= 0)
            m->ncaps = saved;       /* what did not lead to a match is not kept */
        if (r)
            return r;
        if (i + 1 >= w->n || !is_relative(&w->sm[i + 1]) || base + s >= w->len)
            return 0;
        start = s + 1;
    }
}

/* A variable's new value for the options after option i: kept when they
 * match (a later buffer of the rule reads it, as Suricata's byte values
 * outlive their list), the old one back when they do not. */
static int set_var(walk *w, int i, uint8_t var, uint64_t v, uint32_t cur)
{
    uint64_t saved = w->m->vars[var & 7];
    w->m->vars[var & 7] = v;
    int r = step(w, i + 1, cur);
    if (r <= 0)
        w->m->vars[var & 7] = saved;
    return r > 0 ? 1 : 0;       /* another value may lead elsewhere */
}

/* byte_math: v (read at the cursor's new place cur) with its operator and
 * rvalue, masked, into its variable for the options after it. */
static int byte_math(walk *w, int i, uint64_t v, uint32_t cur)
{
    const mm_byteop *b = &w->sm[i].u.b;
    uint64_t r = b->value.var >= 0 ? w->m->vars[b->value.var & 7] : b->value64;
    switch (b->op) {
    case MM_MOP_ADD: v += r; break;
    case MM_MOP_SUB: v -= r; break;
    case MM_MOP_MUL: v *= r; break;
    case MM_MOP_DIV:
        if (r == 0)
            return 0;           /* no value: no match */
        v /= r;
        break;
    case MM_MOP_SHL: v = r < 64 ? v << r : 0; break;
    default: v = r < 64 ? v >> r : 0; break;
    }
    if (b->flags & MM_BF_BITMASK) {
        v &= b->bitmask;
        for (uint64_t m = b->bitmask; v && m && !(m & 1); m >>= 1)
            v >>= 1;
    }
    return set_var(w, i, b->var, v, cur);
}

static int byte_op(walk *w, int i, uint32_t cur)
{
    const mm_sm *s = &w->sm[i];
    const mm_byteop *b = &s->u.b;
    int64_t base = b->flags & MM_BF_RELATIVE ? cur : 0;
    int64_t pos = base + val(w->m, b->offset);
    uint64_t v;
    uint32_t used;
    mm_byteop bv;
    if (b->nbytes_var) {
        /* the count from a variable: within the usual bounds; a binary read
         * of 0 bytes reads the value 0, as Suricata's */
        uint64_t nb = w->m->vars[(b->nbytes_var - 1) & 7];
        if (nb > (b->flags & MM_BF_STRING ? 20u : 8u) || (nb == 0 && b->flags & MM_BF_STRING))
            return 0;
        bv = *b;
        bv.nbytes = (uint8_t)nb;
        b = &bv;
    }
    if (s->type == MM_SM_BYTE_MATH && b->flags & MM_BF_BITMASK) {
        /* byte_math masks the result, not the number read */
        if (b != &bv)
            bv = *b;
        bv.flags &= (uint16_t)~MM_BF_BITMASK;
        b = &bv;
    }
    if (!read_number(b, w->buf, w->len, pos, &v, &used))
        return 0;
    if (s->type == MM_SM_BYTE_MATH)
        return byte_math(w, i, v, (uint32_t)(pos + used));
    if (s->type == MM_SM_BYTE_TEST) {
        uint64_t want = b->value.var >= 0 ? w->m->vars[b->value.var & 7] : b->value64;
        bool r;
        switch (b->op) {
        case MM_BOP_LT: r = v < want; break;
        case MM_BOP_GT: r = v > want; break;
        case MM_BOP_LE: r = v <= want; break;
        case MM_BOP_GE: r = v >= want; break;
        case MM_BOP_AND: r = (v & want) != 0; break;
        case MM_BOP_OR: r = (v ^ want) != 0; break;
        default: r = v == want; break;
        }
        if (b->flags & MM_BF_NEGATE)
            r = !r;
        return r ? step(w, i + 1, cur) : 0;
    }
    if (s->type == MM_SM_BYTE_EXTRACT) {
        uint64_t x = v * b->multiplier;
        if (b->flags & MM_BF_ALIGN && b->post_offset > 1)
            x = (x + (uint64_t)b->post_offset - 1) / (uint64_t)b->post_offset *
                (uint64_t)b->post_offset;
        return set_var(w, i, b->var, x, (uint32_t)(pos + used));
    }
    /* byte_jump */
    int64_t jump = (int64_t)(v > (uint64_t)INT32_MAX ? INT32_MAX : v) * b->multiplier;
    if (b->flags & MM_BF_ALIGN)
        jump = (jump + 3) & ~(int64_t)3;
    int64_t from = b->flags & MM_BF_FROM_BEGIN ? 0 : b->flags & MM_BF_FROM_END ? w->len
                 : pos + used;
    int64_t to = from + jump + b->post_offset;
    if (to < 0 || to > w->len)
        return 0;
    return step(w, i + 1, (uint32_t)to) > 0 ? 1 : 0;
}

static int base64_decode(walk *w, int i, uint32_t cur)
{
    const mm_sm *s = &w->sm[i];
    int64_t from = (s->u.b64.relative ? cur : 0) + val(w->m, s->u.b64.offset);
    if (from < 0 || from > w->len)
        return step(w, i + 1, cur);
    uint32_t n = w->len - (uint32_t)from;
    int64_t max = val(w->m, s->u.b64.bytes);
    if (s->u.b64.bytes.var >= 0 || s->u.b64.bytes.v)
        n = (uint32_t)(max < n ? max : n);
    uint8_t *out = scratch(w->m, 1, n);
    if (!out)
        return 0;
    /* RFC 4648 alphabet; stops at the first byte outside it */
    uint32_t k = 0, acc = 0, bits = 0;
    for (uint32_t j = 0; j < n; j++) {
        uint8_t c = w->buf[from + j];
        int d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
              : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
        if (d < 0)
            break;
        acc = acc << 6 | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (uint8_t)(acc >> bits);
        }
    }
    w->m->b64 = out;
    w->m->b64len = k;
    return step(w, i + 1, cur);
}

static int step(walk *w, int i, uint32_t cur)
{
    if (i >= w->n)
        return 1;
    const mm_sm *s = &w->sm[i];
    switch (s->type) {
    case MM_SM_CONTENT:
        return content(w, i, cur);
    case MM_SM_PCRE:
        return pcre(w, i, cur);
    case MM_SM_BYTE_TEST:
    case MM_SM_BYTE_JUMP:
    case MM_SM_BYTE_EXTRACT:
    case MM_SM_BYTE_MATH:
        return byte_op(w, i, cur);
    case MM_SM_ISDATAAT: {
        /* as Suricata: N bytes left after the cursor, or a byte at offset N */
        int64_t n = val(w->m, s->u.isdataat.at);
        bool there = s->u.isdataat.relative ? (int64_t)cur + n <= w->len : n < w->len;
        return there != (bool)s->u.isdataat.negated ? step(w, i + 1, cur) : 0;
    }
    case MM_SM_BSIZE:
    case MM_SM_URILEN:
        /* the buffer's size: no other position changes it */
        return mm_cmp_eval(&s->u.size, w->len) ? step(w, i + 1, cur) : -1;
    case MM_SM_BASE64_DECODE:
        return base64_decode(w, i, cur);
    case MM_SM_ASN1:
        /* the objects from its offset: the cursor stays */
        return mm_asn1_match(&s->u.asn1, w->buf, w->len, cur) ? step(w, i + 1, cur) : 0;
    case MM_SM_DATASET:
        /* the whole buffer: no other position changes it */
        return mm_dataset_match(s, w->buf, w->len) ? step(w, i + 1, cur) : -1;
    default:
        return 0;
    }
}

/* --- transforms ----------------------------------------------------------- */

/* Applies the buffer's transforms: buf and len become the result (scratch). */
bool mm_matcher_transform(mm_matcher *m, const mm_rbuf *rb, const uint8_t **buf, uint32_t *len)
{
    for (int t = 0; t < rb->ntr; t++) {
        const uint8_t *in = *buf;
        uint32_t n = *len;
        uint8_t *o = scratch(m, 0, (size_t)n + 65);
        if (!o)
            return false;
        if (in == o) {          /* a second transform: work from a copy */
            uint8_t *c = scratch(m, 1, n);
            if (!c)
                return false;
            memcpy(c, in, n);
            in = c;
        }
        uint32_t k = 0;
        switch (rb->tr[t]) {
        case MM_TR_DOTPREFIX:
            o[k++] = '.';
            memcpy(o + 1, in, n);
            k += n;
            break;
        case MM_TR_TO_LOWERCASE:
        case MM_TR_HEADER_LOWERCASE:
            for (; k < n; k++)
                o[k] = (uint8_t)fold(in[k]);
            break;
        case MM_TR_TO_UPPERCASE:
            for (; k < n; k++)
                o[k] = (uint8_t)toupper(in[k]);
            break;
        case MM_TR_STRIP_WHITESPACE:
            for (uint32_t j = 0; j < n; j++)
                if (!isspace(in[j]))
                    o[k++] = in[j];
            break;
        case MM_TR_COMPRESS_WHITESPACE:
            for (uint32_t j = 0; j < n; j++)
                if (!isspace(in[j]) || j == 0 || !isspace(in[j - 1]))
                    o[k++] = isspace(in[j]) ? ' ' : in[j];
            break;
        case MM_TR_URL_DECODE:
            for (uint32_t j = 0; j < n; j++) {
                if (in[j] == '%' && j + 2 < n && isxdigit(in[j + 1]) && isxdigit(in[j + 2])) {
                    int hi = isdigit(in[j + 1]) ? in[j + 1] - '0' : fold(in[j + 1]) - 'a' + 10;
                    int lo = isdigit(in[j + 2]) ? in[j + 2] - '0' : fold(in[j + 2]) - 'a' + 10;
                    o[k++] = (uint8_t)(hi << 4 | lo);
                    j += 2;
                } else {
                    o[k++] = in[j] == '+' ? ' ' : in[j];
                }
            }
            break;
        case MM_TR_TO_MD5:
            k = (uint32_t)mm_hash_raw(&nettle_md5, in, n, o);
            break;
        case MM_TR_TO_SHA1:
            k = (uint32_t)mm_hash_raw(&nettle_sha1, in, n, o);
            break;
        case MM_TR_TO_SHA256:
            k = (uint32_t)mm_hash_raw(&nettle_sha256, in, n, o);
            break;
        case MM_TR_PCREXFORM: {
            /* the first group where the expression matches; else as it is */
            int rc = rb->targ ? pcre2_match(rb->targ->code, in, n, 0, 0, m->md, m->mc) : -1;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
            if (rc > 1 && ov[2] != PCRE2_UNSET && ov[3] >= ov[2] && ov[3] <= n) {
                k = (uint32_t)(ov[3] - ov[2]);
                memcpy(o, in + ov[2], k);
            } else {
                memcpy(o, in, n);
                k = n;
            }
            break;
        }
        case MM_TR_XOR:
            for (; k < n; k++)
                o[k] = rb->targ && rb->targ->keylen ?
                       (uint8_t)(in[k] ^ rb->targ->key[k % rb->targ->keylen]) : in[k];
            break;
        default:                /* strip_pseudo_headers: HTTP/2 only */
            memcpy(o, in, n);
            k = n;
        }
        *buf = o;
        *len = k;
    }
    return true;
}

bool mm_rbuf_match(mm_matcher *m, const mm_rbuf *rb, const uint8_t *buf, uint32_t len)
{
    if (rb->id == MM_BUF_BASE64_DATA) {
        if (!m->b64)
            return false;
        buf = m->b64;
        len = m->b64len;
    }
    if (rb->ntr && !mm_matcher_transform(m, rb, &buf, &len))
        return false;
    walk w = {m, rb->sm, rb->nsm, buf, len};
    m->steps = 0;
    return step(&w, 0, 0) > 0;
}

const mm_capture *mm_matcher_captures(const mm_matcher *m, int *n)
{
    *n = m->ncaps;
    return m->caps;
}

void mm_matcher_reset(mm_matcher *m)
{
    m->ncaps = 0;
    memset(m->vars, 0, sizeof m->vars);
    m->b64 = NULL;
    m->b64len = 0;
}

void mm_matcher_stats(const mm_matcher *m, uint64_t *pcre_runs, uint64_t *pcre_limited)
{
    *pcre_runs = m->pcre_runs;
    *pcre_limited = m->pcre_limited;
}
