/*
 * stream.c - TCP stream reassembly, one direction at a time.
 *
 * Each direction keeps next_seq, the first byte not yet handed on. A segment
 * that starts there is handed to the consumer at once, straight from the
 * packet; so is the part of a segment that extends past next_seq (the rest
 * was already handed on: first data wins). A segment that starts later waits
 * in the direction's out-of-order list, which holds only bytes not held yet
 * (again first wins) and is drained whenever next_seq catches up.
 *
 * Memory: queued bytes live in 2 KiB slots from a pool shared by all flows,
 * grown in blocks up to --stream-memcap. When a direction's queue reaches its
 * limit or the pool is empty, the missing bytes are declared a gap and
 * delivery skips ahead, so memory stays bounded and data keeps flowing.
 * When the receiver acknowledges data the capture never showed, the gap is
 * declared at once. After --stream-depth bytes a direction is no longer
 * handed on.
 *
 * The app layer gets the same bytes later, as Suricata's IDS mode parses
 * them: a direction's in-order data waits in a per-direction hold until
 * the peer acknowledges it, and the acknowledging packet hands it on (so
 * the app layer's events are that packet's). A gap, the direction's end,
 * HOLD_MAX bytes unacknowledged (a one-sided capture) or the global bound
 * (MM_HOLD_PER_MEMCAP times --stream-memcap) hand on what is held at once. HOLD_MAX is a window's worth (a bulk
 * sender runs 60-100 KiB ahead of the ACKs); reaching the depth drops
 * what is held unacknowledged (Suricata truncates the app layer there).
 */
#include "flow/flow.h"

#include <stdlib.h>
#include <string.h>

#define SLOT_SIZE 2048u
#define SEG_DATA (SLOT_SIZE - 16u)
#define SLOTS_PER_BLOCK 32u
#define HOLD_MAX (256u << 10)       /* unacknowledged bytes held per direction */

struct mm_seg {
    mm_seg *next;
    uint32_t seq;
    uint32_t len;
    uint8_t data[SEG_DATA];
};

struct mm_segpool {
    mm_seg *free;
    void **blocks;
    size_t nblocks, capblocks, maxblocks;
    uint64_t in_use;
};

mm_segpool *mm_segpool_new(uint64_t memcap)
{
    mm_segpool *sp = calloc(1, sizeof(*sp));
    if (!sp)
        return NULL;
    sp->maxblocks = (size_t)(memcap / (SLOT_SIZE * SLOTS_PER_BLOCK));
    return sp;
}

void mm_segpool_free(mm_segpool *sp)
{
    if (!sp)
        return;
    for (size_t i = 0; i < sp->nblocks; i++)
        free(sp->blocks[i]);
    free(sp->blocks);
    free(sp);
}

uint64_t mm_segpool_memuse(const mm_segpool *sp)
{
    return (uint64_t)sp->nblocks * SLOT_SIZE * SLOTS_PER_BLOCK;
}

static mm_seg *seg_get(mm_segpool *sp)
{
    if (!sp->free) {
        if (sp->nblocks >= sp->maxblocks)
            return NULL;
        if (sp->nblocks == sp->capblocks) {
            size_t nc = sp->capblocks ? sp->capblocks * 2 : 16;
            void **nb = realloc(sp->blocks, nc * sizeof(*nb));
            if (!nb)
                return NULL;
            sp->blocks = nb;
            sp->capblocks = nc;
        }
        mm_seg *blk = malloc((size_t)SLOT_SIZE * SLOTS_PER_BLOCK);
        if (!blk)
            return NULL;
        sp->blocks[sp->nblocks++] = blk;
        for (unsigned i = 0; i < SLOTS_PER_BLOCK; i++) {
            blk[i].next = sp->free;
            sp->free = &blk[i];
        }
    }
    mm_seg *s = sp->free;
    sp->free = s->next;
    sp->in_use++;
    return s;
}

static void seg_put(mm_segpool *sp, mm_seg *s)
{
    s->next = sp->free;
    sp->free = s;
    sp->in_use--;
}

/* Sequence-space comparisons (RFC 1982 style). */

static void free_queue(mm_stream_ctx *c, mm_half *h)
{
    while (h->ooo) {
        mm_seg *s = h->ooo;
        h->ooo = s->next;
        seg_put(c->pool, s);
    }
    h->ooo_bytes = 0;
    h->ooo_n = 0;
}

static void app_out(mm_stream_ctx *c, mm_flow *f, int dir, const uint8_t *data,
                    uint32_t len, bool eof)
{
    c->hooks->app_data(c->hooks->user, f, dir, data, len, eof);
}

static void hold_drop(mm_stream_ctx *c, mm_half *h)
{
    free(h->hold);
    c->hold_total -= h->hold_cap;
    h->hold = NULL;
    h->hold_cap = 0;
}

/* Hands the first n held bytes of a direction to the app layer. */
static void hold_release(mm_stream_ctx *c, mm_flow *f, int dir, uint32_t n)
{
    mm_half *h = &f->half[dir];
    if (n > h->hold_len)
        n = h->hold_len;
    if (!n)
        return;
    app_out(c, f, dir, h->hold, n, false);
    h->hold_len -= n;
    h->hold_seq += n;
    if (h->hold_len)
        memmove(h->hold, h->hold + n, h->hold_len);
    else
        hold_drop(c, h);        /* memory only for bytes not acknowledged yet */
}

/* Bytes [seq, seq+len) for the app layer: held until acknowledged. */
static void hold_add(mm_stream_ctx *c, mm_flow *f, int dir, uint32_t seq,
                     const uint8_t *data, uint32_t len)
{
    mm_half *h = &f->half[dir];
    if (h->hold_len + (uint64_t)len > HOLD_MAX)
        hold_release(c, f, dir, h->hold_len);   /* nobody acknowledges: go on */
    uint32_t need = h->hold_len + len;
    if (need > HOLD_MAX) {
        app_out(c, f, dir, data, len, false);
        return;
    }
    if (need > h->hold_cap) {
        uint32_t cap = h->hold_cap ? h->hold_cap : 2048u;
        while (cap < need)
            cap *= 2;
        uint8_t *nb = c->hold_total + (cap - h->hold_cap) <= c->hold_max
                          ? realloc(h->hold, cap) : NULL;
        if (!nb) {
            hold_release(c, f, dir, h->hold_len);
            app_out(c, f, dir, data, len, false);
            return;
        }
        c->hold_total += cap - h->hold_cap;
        h->hold = nb;
        h->hold_cap = cap;
    }
    if (!h->hold_len)
        h->hold_seq = seq;
    memcpy(h->hold + h->hold_len, data, len);
    h->hold_len += len;
}

/* The peer acknowledged up to ack: what of the hold that covers goes on. */
static void hold_ack(mm_stream_ctx *c, mm_flow *f, int dir, uint32_t ack)
{
    mm_half *h = &f->half[dir];
    int32_t n = seqdiff(ack, h->hold_seq);
    if (h->hold_len && n > 0)
        hold_release(c, f, dir, (uint32_t)n);
}

static void hold_flush(mm_stream_ctx *c, mm_flow *f, int dir)
{
    hold_release(c, f, dir, f->half[dir].hold_len);
}

static void deliver(mm_stream_ctx *c, mm_flow *f, int dir, const uint8_t *data, uint32_t len)
{
    mm_half *h = &f->half[dir];
    uint32_t seq = h->next_seq;
    h->next_seq += len;
    if (h->depth_reached)
        return;
    bool cut = false;
    if (c->depth && h->delivered + len >= c->depth) {
        /* a segment that would go past the depth is left out whole, as
         * Suricata's reassembly depth check does */
        if (h->delivered + len > c->depth)
            len = 0;
        h->depth_reached = true;
        cut = true;
        c->st->depth_reached++;
        if (c->hooks->stream_anomaly)
            c->hooks->stream_anomaly(c->hooks->user, f, MM_AN_STREAM_DEPTH);
    }
    if (len) {
        h->delivered += len;
        c->st->stream_bytes += len;
        if (c->hooks->stream_data)
            c->hooks->stream_data(c->hooks->user, f, dir, data, len, false);
        if (c->hooks->app_data)
            hold_add(c, f, dir, seq, data, len);
    }
    /* Suricata's IDS mode at the depth: the app layer is truncated there
     * and has only what the peer had acknowledged; the bytes held for an
     * acknowledgement are never parsed */
    if (cut && h->hold) {
        h->hold_len = 0;
        hold_drop(c, h);
    }
    if (h->depth_reached)
        free_queue(c, h);
}

static void gap(mm_stream_ctx *c, mm_flow *f, int dir, uint32_t len)
{
    mm_half *h = &f->half[dir];
    h->next_seq += len;
    h->gaps++;
    c->st->gaps++;
    if (h->depth_reached)
        return;
    if (c->hooks->stream_anomaly)
        c->hooks->stream_anomaly(c->hooks->user, f, MM_AN_STREAM_GAP);
    if (c->hooks->stream_data)
        c->hooks->stream_data(c->hooks->user, f, dir, NULL, len, false);
    if (c->hooks->app_data) {
        hold_flush(c, f, dir);
        app_out(c, f, dir, NULL, len, false);
    }
}

/* Hand on queued segments that next_seq has reached. */
static void drain(mm_stream_ctx *c, mm_flow *f, int dir)
{
    mm_half *h = &f->half[dir];
    while (h->ooo && seqdiff(h->ooo->seq, h->next_seq) <= 0) {
        mm_seg *s = h->ooo;
        h->ooo = s->next;
        h->ooo_bytes -= s->len;
        h->ooo_n--;
        int32_t skip = seqdiff(h->next_seq, s->seq);
        if ((uint32_t)skip < s->len)
            deliver(c, f, dir, s->data + skip, s->len - (uint32_t)skip);
        seg_put(c->pool, s);
    }
}

/* Skip the hole before the first queued segment. */
static void force_gap(mm_stream_ctx *c, mm_flow *f, int dir)
{
    mm_half *h = &f->half[dir];
    if (!h->ooo)
        return;
    int32_t d = seqdiff(h->ooo->seq, h->next_seq);
    if (d > 0)
        gap(c, f, dir, (uint32_t)d);
    drain(c, f, dir);
}

/* Queue [seq, seq+len) keeping bytes already queued. False: no room. */
static bool enqueue(mm_stream_ctx *c, mm_flow *f, int dir, uint32_t seq,
                    const uint8_t *data, uint32_t len)
{
    mm_half *h = &f->half[dir];
    mm_seg **pp = &h->ooo;
    uint32_t pos = seq, end = seq + len;
    while (seqdiff(end, pos) > 0) {
        mm_seg *s = *pp;
        if (s && seqdiff(s->seq + s->len, pos) <= 0) {
            pp = &s->next;
            continue;
        }
        if (s && seqdiff(s->seq, pos) <= 0) {
            /* pos lies inside s: compare the overlap, keep s */
            uint32_t o_end = seqdiff(s->seq + s->len, end) < 0 ? s->seq + s->len : end;
            uint32_t n = o_end - pos;
            c->st->overlaps++;
            if (memcmp(s->data + (pos - s->seq), data + (pos - seq), n) != 0) {
                c->st->overlap_diff++;
                if (c->hooks->stream_anomaly)
                    c->hooks->stream_anomaly(c->hooks->user, f, MM_AN_STREAM_OVERLAP_DIFF);
            }
            pos = o_end;
            pp = &s->next;
            continue;
        }
        /* Free space before s (or at the end): fill one slot's worth. */
        uint32_t lim = end;
        if (s && seqdiff(s->seq, lim) < 0)
            lim = s->seq;
        uint32_t n = lim - pos;
        if (n > SEG_DATA)
            n = SEG_DATA;
        if (h->ooo_bytes + n > c->ooo_max_bytes)
            return false;
        mm_seg *ns = seg_get(c->pool);
        if (!ns) {
            c->st->seg_memcap_drops++;
            if (c->hooks->stream_anomaly)
                c->hooks->stream_anomaly(c->hooks->user, f, MM_AN_STREAM_MEMCAP);
            return false;
        }
        ns->seq = pos;
        ns->len = n;
        memcpy(ns->data, data + (pos - seq), n);
        ns->next = s;
        *pp = ns;
        pp = &ns->next;
        h->ooo_bytes += n;
        h->ooo_n++;
        c->st->ooo_segments++;
        pos += n;
    }
    return true;
}

static void add_data(mm_stream_ctx *c, mm_flow *f, int dir, uint32_t seq,
                     const uint8_t *data, uint32_t len)
{
    mm_half *h = &f->half[dir];
    if (h->depth_reached) {
        h->next_seq = seqdiff(seq + len, h->next_seq) > 0 ? seq + len : h->next_seq;
        return;
    }
    int32_t d = seqdiff(seq, h->next_seq);
    if (d < 0) {
        uint32_t behind = (uint32_t)(-(int64_t)d);
        if (behind >= len) {
            c->st->retransmitted++;
            return;
        }
        c->st->overlaps++;
        seq += behind;
        data += behind;
        len -= behind;
        d = 0;
    }
    if (d > (1 << 30)) {
        if (c->hooks->stream_anomaly)
            c->hooks->stream_anomaly(c->hooks->user, f, MM_AN_STREAM_BAD_SEQ);
        return;
    }
    if (d == 0) {
        deliver(c, f, dir, data, len);
        drain(c, f, dir);
        return;
    }
    /* Ahead of next_seq: queue; when there is no room, skip ahead. */
    for (int tries = 0; tries < 3; tries++) {
        if (enqueue(c, f, dir, seq, data, len))
            return;
        if (h->ooo) {
            if (c->hooks->stream_anomaly && tries == 0)
                c->hooks->stream_anomaly(c->hooks->user, f, MM_AN_STREAM_LIMIT);
            force_gap(c, f, dir);
        } else {
            int32_t dd = seqdiff(seq, h->next_seq);
            if (dd > 0)
                gap(c, f, dir, (uint32_t)dd);
        }
        d = seqdiff(seq, h->next_seq);
        if (d <= 0) {
            add_data(c, f, dir, seq, data, len);
            return;
        }
    }
}

static void check_eof(mm_stream_ctx *c, mm_flow *f, int dir)
{
    mm_half *h = &f->half[dir];
    if (h->fin && !h->eof && !h->ooo && seqdiff(h->next_seq, h->fin_seq) >= 0) {
        h->eof = true;
        if (c->hooks->stream_data)
            c->hooks->stream_data(c->hooks->user, f, dir, NULL, 0, true);
        if (c->hooks->app_data) {
            hold_flush(c, f, dir);
            app_out(c, f, dir, NULL, 0, true);
        }
    }
}

void mm_stream_packet(mm_stream_ctx *c, mm_flow *f, int dir, const mm_pkt *p)
{
    mm_half *h = &f->half[dir];
    uint8_t fl = p->tcp_flags;
    uint32_t seq = p->seq;
    if (fl & MM_TH_SYN) {
        if (!h->base_set || (h->delivered == 0 && !h->ooo && h->gaps == 0)) {
            h->next_seq = seq + 1;
            h->base_set = true;
        }
        seq += 1;
    }
    /* what this packet acknowledges of the other side goes to the app
     * layer first (not a SYN-ACK's: the app layer runs once the handshake
     * is over, as Suricata's); a side whose peer the capture has not shown
     * by its next packet (a one-sided capture) is not held any longer */
    if ((fl & (MM_TH_ACK | MM_TH_SYN)) == MM_TH_ACK && f->half[dir ^ 1].hold_len)
        hold_ack(c, f, dir ^ 1, p->ack);
    if (h->hold_len && !f->pkts[dir ^ 1])
        hold_flush(c, f, dir);
    uint32_t len = p->payload_len;
    if (!h->base_set) {
        if (len == 0)
            return;
        h->next_seq = seq;      /* picked up mid-stream */
        h->base_set = true;
    }
    /* a reset's payload (a diagnostic text, RFC 1122 4.2.2.12) is not part
     * of the stream, as Suricata */
    if (len > 0 && !h->eof && !(fl & MM_TH_RST))
        add_data(c, f, dir, seq, p->payload, len);

    /* The peer acknowledges bytes we never saw: declare the gap now. */
    if (fl & MM_TH_ACK) {
        mm_half *o = &f->half[dir ^ 1];
        if (o->base_set && o->ooo && seqdiff(p->ack, o->next_seq) > 0 &&
            seqdiff(p->ack, o->ooo->seq) >= 0)
            force_gap(c, f, dir ^ 1);
        if (o->ooo == NULL)
            check_eof(c, f, dir ^ 1);
    }
    if ((fl & MM_TH_FIN) && !h->fin) {
        h->fin = true;
        h->fin_seq = seq + len;
    }
    check_eof(c, f, dir);
}

void mm_stream_finish(mm_stream_ctx *c, mm_flow *f)
{
    for (int dir = 0; dir < 2; dir++) {
        mm_half *h = &f->half[dir];
        while (h->ooo)
            force_gap(c, f, dir);
        free_queue(c, h);
        if (c->hooks->app_data)
            hold_flush(c, f, dir);
        if (h->base_set && !h->eof) {
            h->eof = true;
            if (c->hooks->stream_data)
                c->hooks->stream_data(c->hooks->user, f, dir, NULL, 0, true);
            if (c->hooks->app_data)
                app_out(c, f, dir, NULL, 0, true);
        }
        if (h->hold)
            hold_drop(c, h);
    }
}
