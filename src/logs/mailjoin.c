/*
 * mailjoin.c - the table of open mail messages joined by id (mailjoin.h),
 * shared by postfix.c and exim.c: an FNV-1a hash of ids with linear
 * probing (entries moved back when one is taken out), a free list of
 * slots, each message's strings in its own fixed area, and the record a
 * message becomes.
 */
#include <stdlib.h>
#include <string.h>

#include "logs/mailjoin.h"

static uint32_t id_hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 16777619u;
    return h & (MQ_HASH - 1);
}

mq_table *mq_state(mm_logctx *cx, mq_worth_fn worth)
{
    void **st = lr_state(cx);
    if (!*st) {
        mq_table *t = calloc(1, sizeof *t);
        if (!t)
            return NULL;
        for (size_t i = 0; i < MQ_HASH; i++)
            t->idx[i] = -1;
        for (uint32_t i = 0; i < MQ_MAX; i++)
            t->freel[i] = (uint16_t)(MQ_MAX - 1 - i);
        t->nfree = MQ_MAX;
        t->worth = worth;
        *st = t;
    }
    return *st;
}

void mq_free(void *state)
{
    free(state);
}

/* The hash position of id: its entry, or the empty one where it would go. */
static uint32_t find_pos(const mq_table *t, const char *id, size_t n)
{
    uint32_t h = id_hash(id, n);
    for (uint32_t i = 0; i < MQ_HASH; i++) {
        uint32_t j = (h + i) & (MQ_HASH - 1);
        int16_t k = t->idx[j];
        if (k < 0 || (t->m[k].id_n == n && memcmp(t->m[k].id, id, n) == 0))
            return j;
    }
    return UINT32_MAX;   /* not reached: the hash is never full */
}

mq_msg *mq_find(mq_table *t, const char *id, size_t n)
{
    uint32_t j = find_pos(t, id, n);
    return j != UINT32_MAX && t->idx[j] >= 0 ? &t->m[t->idx[j]] : NULL;
}

void mq_close(mq_table *t, mq_msg *m)
{
    uint32_t i = find_pos(t, m->id, m->id_n);
    if (i == UINT32_MAX || t->idx[i] < 0)
        return;
    t->idx[i] = -1;
    /* linear probing: move back the entries that would be lost behind the hole */
    for (uint32_t g = 0, j = (i + 1) & (MQ_HASH - 1); g < MQ_HASH;
         g++, j = (j + 1) & (MQ_HASH - 1)) {
        int16_t k = t->idx[j];
        if (k < 0)
            break;
        uint32_t home = id_hash(t->m[k].id, t->m[k].id_n);
        if ((j > i) ? (home <= i || home > j) : (home <= i && home > j)) {
            t->idx[i] = k;
            t->idx[j] = -1;
            i = j;
        }
    }
    m->first = 0;
    t->freel[t->nfree++] = (uint16_t)(m - t->m);
}

/* Makes room in a full table (mq_open); false when nothing is open. */
static bool evict(mq_table *t, uint64_t now, mm_logrec *r, bool can_emit, bool *out)
{
    mq_worth_fn worth = t->worth;
    mq_msg *old = NULL, *idle = NULL;
    for (uint32_t i = 0; i < MQ_MAX; i++) {
        mq_msg *m = &t->m[i];
        if (!m->first)
            continue;
        if (!old || m->first < old->first)
            old = m;
        if (worth && !worth(m) && (!idle || m->first < idle->first))
            idle = m;
    }
    if (!old)
        return false;
    if (idle && idle != old && now > idle->first + 1000)
        old = idle;
    if (!worth || worth(old)) {
        if (can_emit && !*out) {
            mq_fill(r, old);
            *out = true;
        } else {
            t->lost++;
        }
    } else {
        t->dropped++;
    }
    mq_close(t, old);
    return true;
}

mq_msg *mq_open(mq_table *t, const char *id, size_t n, uint64_t lineno, mm_logrec *r,
                bool can_emit, bool *out)
{
    if (n == 0 || n > sizeof t->m[0].id)
        return NULL;
    if (!t->nfree && !evict(t, lineno, r, can_emit, out))
        return NULL;
    uint16_t k = t->freel[--t->nfree];
    mq_msg *m = &t->m[k];
    memset(m, 0, offsetof(mq_msg, area));
    m->first = lineno ? lineno : 1;
    m->src_port = -1;
    m->size = -1;
    memcpy(m->id, id, n);
    m->id_n = (uint8_t)n;
    uint32_t j = find_pos(t, id, n);
    if (j != UINT32_MAX)
        t->idx[j] = (int16_t)k;
    return m;
}

void mq_set(mq_msg *m, int f, lr_str v)
{
    if (m->len[f] || !v.n)
        return;
    size_t n = v.n > MQ_FIELD ? MQ_FIELD : v.n;
    if (n > (size_t)(MQ_AREA - m->used))
        n = (size_t)(MQ_AREA - m->used);
    if (!n)
        return;
    memcpy(m->area + m->used, v.p, n);
    m->off[f] = m->used;
    m->len[f] = (uint16_t)n;
    m->used = (uint16_t)(m->used + n);
}

void mq_set_unescaped(mq_msg *m, int f, lr_str v)
{
    if (m->len[f] || !v.n)
        return;
    size_t room = (size_t)(MQ_AREA - m->used), n = 0;
    if (room > MQ_FIELD)
        room = MQ_FIELD;
    char *d = m->area + m->used;
    for (size_t i = 0; i < v.n && n < room; i++) {
        if (v.p[i] == '\\' && i + 1 < v.n && (v.p[i + 1] == '"' || v.p[i + 1] == '\\'))
            i++;
        d[n++] = v.p[i];
    }
    if (!n)
        return;
    m->off[f] = m->used;
    m->len[f] = (uint16_t)n;
    m->used = (uint16_t)(m->used + n);
}

void mq_add_to(mq_msg *m, lr_str v)
{
    if (!v.n || v.n > MQ_FIELD || m->n_to >= LR_MAX_TO)
        return;
    for (uint8_t i = 0; i < m->n_to; i++)
        if (m->to_len[i] == v.n && memcmp(m->area + m->to_off[i], v.p, v.n) == 0)
            return;
    if (v.n > (size_t)(MQ_AREA - m->used))
        return;
    memcpy(m->area + m->used, v.p, v.n);
    m->to_off[m->n_to] = m->used;
    m->to_len[m->n_to] = (uint16_t)v.n;
    m->n_to++;
    m->used = (uint16_t)(m->used + v.n);
}

static void set_small(char *dst, uint8_t *dn, size_t cap, lr_str v)
{
    size_t n = v.n < cap ? v.n : cap;
    memcpy(dst, v.p, n);
    *dn = (uint8_t)n;
}

void mq_set_status(mq_msg *m, lr_str v)
{
    set_small(m->status, &m->status_n, sizeof m->status, v);
}

void mq_set_relay(mq_msg *m, lr_str v)
{
    set_small(m->relay, &m->relay_n, sizeof m->relay, v);
}

void mq_set_time(mq_msg *m, const mm_logrec *t)
{
    if (t->has_ts) {
        m->ts_us = t->ts_us;
        m->tzoff = t->tzoff;
        m->has_ts = true;
    }
}

void mq_fill(mm_logrec *r, const mq_msg *m)
{
    r->event_type = "mail";
    r->line = m->first;
    if (m->has_ts) {
        r->ts_us = m->ts_us;
        r->tzoff = m->tzoff;
        r->has_ts = true;
    }
    r->src_ip = m->src_ip;
    r->src_port = m->src_port;
    r->email.size = m->size;
    const char *a = lr_keep(r, m->area, m->used);
    if (a) {
        lr_str *f[MQ_NFIELDS] = {&r->email.from,       &r->email.subject, &r->email.message_id,
                                 &r->email.attachment, &r->host,          &r->email.header_from};
        for (int i = 0; i < MQ_NFIELDS; i++)
            if (m->len[i])
                *f[i] = lr_s(a + m->off[i], m->len[i]);
        for (uint8_t i = 0; i < m->n_to; i++)
            r->email.to[i] = lr_s(a + m->to_off[i], m->to_len[i]);
        r->email.n_to = m->n_to;
    }
    const char *k;
    if (m->status_n && (k = lr_keep(r, m->status, m->status_n)))
        r->email.status = lr_s(k, m->status_n);
    if (m->relay_n && (k = lr_keep(r, m->relay, m->relay_n)))
        r->email.relay = lr_s(k, m->relay_n);
    if ((k = lr_keep(r, m->id, m->id_n)))
        r->email.queue_id = lr_s(k, m->id_n);
}

static int cmp_first(const void *a, const void *b, void *arg)
{
    const mq_msg *m = arg;
    uint64_t x = m[*(const uint16_t *)a].first, y = m[*(const uint16_t *)b].first;
    return x < y ? -1 : x > y;
}

int mq_finish(mm_logctx *cx, mm_logrec *r)
{
    mq_table *t = *lr_state(cx);
    if (!t)
        return LR_SKIP;
    if (!t->fin) {
        t->fin = true;
        t->nord = t->pos = 0;
        for (uint32_t i = 0; i < MQ_MAX; i++)
            if (t->m[i].first)
                t->order[t->nord++] = (uint16_t)i;
        qsort_r(t->order, t->nord, sizeof t->order[0], cmp_first, t->m);
    }
    while (t->pos < t->nord) {
        mq_msg *m = &t->m[t->order[t->pos++]];
        if (!m->first)
            continue;
        if (t->worth && !t->worth(m)) {
            t->dropped++;
            mq_close(t, m);
            continue;
        }
        mq_fill(r, m);
        mq_close(t, m);
        return LR_OK;
    }
    return LR_SKIP;
}
