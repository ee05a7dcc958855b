/*
 * ratelimit.c - the address and block token buckets (see ratelimit.h).
 *
 * The table: a fixed array of entries, a keyed hash (SipHash) index of
 * chained entry numbers, and a doubly linked list in order of use; the
 * list's tail is the entry dropped when the array is full.
 */
#include "web/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

#define NIL UINT32_MAX

typedef struct rl_key {
    uint8_t b[16];
    uint8_t v;          /* 4 or 6 */
    uint8_t bits;       /* 0 for an address, else the block's prefix */
} rl_key;

typedef struct rl_entry {
    rl_key key;
    double tokens;
    uint64_t last_ns;
    uint32_t hnext;     /* hash chain */
    uint32_t prev, next; /* use order: head the most recent */
    bool used;
} rl_entry;

struct mm_web_rl {
    mm_web_rl_config cfg;
    rl_entry *e;
    uint32_t *head;     /* hash buckets */
    uint32_t nbuckets;  /* a power of two */
    uint32_t lru_head, lru_tail, nfree;
    uint32_t *freelist;
    size_t used;
    uint64_t evicted;
    mm_hashkey hk;
    pthread_mutex_t mu;
};

void mm_web_rl_defaults(mm_web_rl_config *c)
{
    c->addr_rate = 1.0;
    c->addr_burst = 20.0;
    c->block_rate = 5.0;
    c->block_burst = 100.0;
    c->v4_prefix = 24;
    c->v6_prefix = 56;
    c->capacity = 65536;
}

mm_web_rl *mm_web_rl_new(const mm_web_rl_config *c)
{
    if (!(c->addr_rate >= 0 && c->addr_burst >= 1 && c->block_rate >= 0 && c->block_burst >= 1) ||
        c->addr_burst > 1e9 || c->block_burst > 1e9 || c->addr_rate > 1e9 || c->block_rate > 1e9 ||
        c->v4_prefix < 1 || c->v4_prefix > 32 || c->v6_prefix < 1 || c->v6_prefix > 128 ||
        c->capacity < 2 || c->capacity > (1u << 24))
        return NULL;
    mm_web_rl *rl = calloc(1, sizeof(*rl));
    if (!rl)
        return NULL;
    rl->cfg = *c;
    rl->nbuckets = 1;
    while (rl->nbuckets < c->capacity * 2)
        rl->nbuckets <<= 1;
    rl->e = calloc(c->capacity, sizeof(rl_entry));
    rl->head = malloc(rl->nbuckets * sizeof(uint32_t));
    rl->freelist = malloc(c->capacity * sizeof(uint32_t));
    if (!rl->e || !rl->head || !rl->freelist) {
        mm_web_rl_free(rl);
        return NULL;
    }
    for (uint32_t i = 0; i < rl->nbuckets; i++)
        rl->head[i] = NIL;
    for (size_t i = 0; i < c->capacity; i++)
        rl->freelist[i] = (uint32_t)(c->capacity - 1 - i);
    rl->nfree = (uint32_t)c->capacity;
    rl->lru_head = rl->lru_tail = NIL;
    mm_hashkey_random(&rl->hk);
    pthread_mutex_init(&rl->mu, NULL);
    return rl;
}

void mm_web_rl_free(mm_web_rl *rl)
{
    if (!rl)
        return;
    if (rl->e && rl->head && rl->freelist)
        pthread_mutex_destroy(&rl->mu);
    free(rl->e);
    free(rl->head);
    free(rl->freelist);
    free(rl);
}

static uint32_t bucket(const mm_web_rl *rl, const rl_key *k)
{
    return (uint32_t)mm_siphash13(&rl->hk, k, sizeof(*k)) & (rl->nbuckets - 1);
}

static void lru_unlink(mm_web_rl *rl, uint32_t i)
{
    rl_entry *e = &rl->e[i];
    if (e->prev != NIL)
        rl->e[e->prev].next = e->next;
    else
        rl->lru_head = e->next;
    if (e->next != NIL)
        rl->e[e->next].prev = e->prev;
    else
        rl->lru_tail = e->prev;
    e->prev = e->next = NIL;
}

static void lru_front(mm_web_rl *rl, uint32_t i)
{
    rl_entry *e = &rl->e[i];
    e->prev = NIL;
    e->next = rl->lru_head;
    if (rl->lru_head != NIL)
        rl->e[rl->lru_head].prev = i;
    rl->lru_head = i;
    if (rl->lru_tail == NIL)
        rl->lru_tail = i;
}

static void drop(mm_web_rl *rl, uint32_t i)
{
    rl_entry *e = &rl->e[i];
    uint32_t *p = &rl->head[bucket(rl, &e->key)];
    while (*p != NIL && *p != i)
        p = &rl->e[*p].hnext;
    if (*p == i)
        *p = e->hnext;
    lru_unlink(rl, i);
    e->used = false;
    rl->freelist[rl->nfree++] = i;
    rl->used--;
}

/* The entry of key, made (with a full bucket) when absent; never fails:
 * the least recently used entry makes room. */
static rl_entry *lookup(mm_web_rl *rl, const rl_key *k, double burst, uint64_t now)
{
    uint32_t b = bucket(rl, k);
    for (uint32_t i = rl->head[b]; i != NIL; i = rl->e[i].hnext)
        if (memcmp(&rl->e[i].key, k, sizeof(*k)) == 0) {
            lru_unlink(rl, i);
            lru_front(rl, i);
            return &rl->e[i];
        }
    if (rl->nfree == 0) {
        drop(rl, rl->lru_tail);
        rl->evicted++;
    }
    uint32_t i = rl->freelist[--rl->nfree];
    rl_entry *e = &rl->e[i];
    e->key = *k;
    e->tokens = burst;
    e->last_ns = now;
    e->used = true;
    e->hnext = rl->head[b];
    rl->head[b] = i;
    lru_front(rl, i);
    rl->used++;
    return e;
}

static void refill(rl_entry *e, double rate, double burst, uint64_t now)
{
    if (now > e->last_ns) {
        double add = (double)(now - e->last_ns) / 1e9 * rate;
        e->tokens = e->tokens + add > burst ? burst : e->tokens + add;
        e->last_ns = now;
    }
}

static void make_key(rl_key *k, const mm_ip *ip, uint8_t bits)
{
    memset(k, 0, sizeof(*k));
    k->v = ip->v == 6 ? 6 : 4;
    k->bits = bits;
    size_t len = k->v == 4 ? 4 : 16;
    memcpy(k->b, ip->b, len);
    if (bits) {
        for (size_t i = 0; i < len; i++) {
            size_t lo = i * 8;
            if (lo >= bits)
                k->b[i] = 0;
            else if (lo + 8 > bits)
                k->b[i] &= (uint8_t)(0xff << (8 - (bits - lo)));
        }
    }
}

bool mm_web_rl_take(mm_web_rl *rl, const mm_ip *ip, uint64_t now_ns)
{
    rl_key ka, kb;
    make_key(&ka, ip, 0);
    make_key(&kb, ip, ka.v == 4 ? rl->cfg.v4_prefix : rl->cfg.v6_prefix);
    pthread_mutex_lock(&rl->mu);
    /* the block first (see below) */
    rl_entry *blk = lookup(rl, &kb, rl->cfg.block_burst, now_ns);
    /* the block's entry is now the most recent, and the table holds at
     * least two, so making room for the address never drops it */
    rl_entry *adr = lookup(rl, &ka, rl->cfg.addr_burst, now_ns);
    refill(blk, rl->cfg.block_rate, rl->cfg.block_burst, now_ns);
    refill(adr, rl->cfg.addr_rate, rl->cfg.addr_burst, now_ns);
    bool ok = blk->tokens >= 1.0 && adr->tokens >= 1.0;
    if (ok) {
        blk->tokens -= 1.0;
        adr->tokens -= 1.0;
    }
    pthread_mutex_unlock(&rl->mu);
    return ok;
}

size_t mm_web_rl_used(mm_web_rl *rl)
{
    pthread_mutex_lock(&rl->mu);
    size_t n = rl->used;
    pthread_mutex_unlock(&rl->mu);
    return n;
}

uint64_t mm_web_rl_evicted(mm_web_rl *rl)
{
    pthread_mutex_lock(&rl->mu);
    uint64_t n = rl->evicted;
    pthread_mutex_unlock(&rl->mu);
    return n;
}
