/*
 * flow.c - the flow table; see flow.h for the design.
 */
#include "flow/flow.h"

#include <stdlib.h>
#include <string.h>

#define FLOWS_PER_SLAB 1024u

enum { Q_TCP_NEW, Q_TCP_EST, Q_TCP_CLOSED, Q_UDP_NEW, Q_UDP_EST, Q_OTHER_NEW,
       Q_OTHER_EST, NQ };

typedef struct fqueue {
    mm_flow *head, *tail;  /* head: most recently active */
    uint64_t timeout_ns;
} fqueue;

struct mm_flowtable {
    mm_flow_config cfg;
    mm_flow_hooks hooks;
    mm_hashkey hk;
    mm_flow **buckets;
    uint64_t mask;
    mm_flow *free;
    void **slabs;
    size_t nslabs, maxslabs;
    fqueue q[NQ];
    mm_flow_stats st;
    mm_stream_ctx sc;
    uint64_t last_expire_s;
};

void mm_flow_config_defaults(mm_flow_config *c)
{
    memset(c, 0, sizeof *c);    /* every field a default, later ones too */
    c->memcap = 32ULL << 20;
    c->stream_memcap = 16ULL << 20;
    c->stream_depth = 1ULL << 20;
    c->ooo_max_bytes = 256u << 10;
    /* Suricata's default timeouts (seconds). */
    c->to_tcp_new = 60;
    c->to_tcp_est = 600;
    c->to_tcp_closed = 60;
    c->to_udp_new = 30;
    c->to_udp_est = 300;
    c->to_other_new = 30;
    c->to_other_est = 300;
}

mm_flowtable *mm_flowtable_new(const mm_flow_config *cfg, const mm_flow_hooks *hooks)
{
    mm_flowtable *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->cfg = *cfg;
    t->hooks = *hooks;
    mm_hashkey_random(&t->hk);
    uint64_t maxflows = cfg->memcap / sizeof(mm_flow);
    t->maxslabs = (size_t)(maxflows / FLOWS_PER_SLAB);
    if (t->maxslabs < 1)
        t->maxslabs = 1;
    uint64_t nb = 1024;
    while (nb < (uint64_t)t->maxslabs * FLOWS_PER_SLAB && nb < (1u << 22))
        nb <<= 1;
    t->buckets = calloc(nb, sizeof(mm_flow *));
    t->slabs = calloc(t->maxslabs, sizeof(void *));
    t->sc.pool = mm_segpool_new(cfg->stream_memcap);
    if (!t->buckets || !t->slabs || !t->sc.pool) {
        mm_flowtable_free(t);
        return NULL;
    }
    t->mask = nb - 1;
    t->sc.hooks = &t->hooks;
    t->sc.st = &t->st;
    t->sc.depth = cfg->stream_depth;
    t->sc.hold_max = cfg->stream_memcap * MM_HOLD_PER_MEMCAP;
    t->sc.ooo_max_bytes = cfg->ooo_max_bytes;
    uint32_t to[NQ] = {cfg->to_tcp_new, cfg->to_tcp_est, cfg->to_tcp_closed, cfg->to_udp_new,
                       cfg->to_udp_est, cfg->to_other_new, cfg->to_other_est};
    for (int i = 0; i < NQ; i++)
        t->q[i].timeout_ns = (uint64_t)to[i] * 1000000000ULL;
    return t;
}

void mm_flowtable_free(mm_flowtable *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nslabs; i++)
        free(t->slabs[i]);
    free(t->slabs);
    free(t->buckets);
    mm_segpool_free(t->sc.pool);
    free(t);
}

static void q_remove(mm_flowtable *t, mm_flow *f)
{
    fqueue *q = &t->q[f->queue];
    if (f->qprev) f->qprev->qnext = f->qnext; else q->head = f->qnext;
    if (f->qnext) f->qnext->qprev = f->qprev; else q->tail = f->qprev;
    f->qprev = f->qnext = NULL;
}

static void q_push(mm_flowtable *t, mm_flow *f, int qi)
{
    fqueue *q = &t->q[qi];
    f->queue = (uint8_t)qi;
    f->qprev = NULL;
    f->qnext = q->head;
    if (q->head) q->head->qprev = f; else q->tail = f;
    q->head = f;
}

static int queue_for(const mm_flow *f)
{
    if (f->proto == 6) {
        if (f->state == MM_FS_CLOSED) return Q_TCP_CLOSED;
        return f->state == MM_FS_ESTABLISHED ? Q_TCP_EST : Q_TCP_NEW;
    }
    if (f->proto == 17)
        return f->state == MM_FS_NEW ? Q_UDP_NEW : Q_UDP_EST;
    return f->state == MM_FS_NEW ? Q_OTHER_NEW : Q_OTHER_EST;
}

static void end_flow(mm_flowtable *t, mm_flow *f, int reason)
{
    if (f->proto == 6)
        mm_stream_finish(&t->sc, f);
    if (t->hooks.flow_end)
        t->hooks.flow_end(t->hooks.user, f, reason);
    switch (f->state) {
    case MM_FS_NEW: t->st.ended_new++; break;
    case MM_FS_ESTABLISHED: t->st.ended_est++; break;
    default: t->st.ended_closed++; break;
    }
    q_remove(t, f);
    mm_flow **pp = &t->buckets[f->hash & t->mask];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    t->st.active--;
    f->hnext = t->free;
    t->free = f;
}

/* Make room: end the flow that would time out first. */
static bool evict_one(mm_flowtable *t)
{
    mm_flow *best = NULL;
    uint64_t best_dl = UINT64_MAX;
    for (int i = 0; i < NQ; i++) {
        mm_flow *f = t->q[i].tail;
        if (f && f->last_ns + t->q[i].timeout_ns < best_dl) {
            best = f;
            best_dl = f->last_ns + t->q[i].timeout_ns;
        }
    }
    if (!best)
        return false;
    t->st.evicted++;
    end_flow(t, best, MM_END_FORCED);
    return true;
}

static mm_flow *alloc_flow(mm_flowtable *t)
{
    if (!t->free && t->nslabs < t->maxslabs) {
        mm_flow *slab = malloc(sizeof(mm_flow) * FLOWS_PER_SLAB);
        if (slab) {
            t->slabs[t->nslabs++] = slab;
            for (unsigned i = 0; i < FLOWS_PER_SLAB; i++) {
                slab[i].hnext = t->free;
                t->free = &slab[i];
            }
        }
    }
    if (!t->free && !evict_one(t))
        return NULL;
    mm_flow *f = t->free;
    t->free = f->hnext;
    return f;
}

static inline int addr_cmp(const mm_pkt *p)
{
    int c = memcmp(p->src.b, p->dst.b, 16);
    if (c)
        return c;
    return (int)p->sport - (int)p->dport;
}

static uint64_t make_flow_id(mm_flowtable *t, uint64_t hash, uint64_t ts)
{
    uint64_t v[2] = {hash, ts};
    /* 53 bits: exact in JavaScript numbers (Kibana), below 2^63 for EVE. */
    return mm_siphash13(&t->hk, v, sizeof v) & ((1ULL << 53) - 1);
}

#define PAWS_24DAYS (24u * 86400u)

/* Suricata's TCP timestamp checks (its default BSD policy): in SYN_SENT a
 * server's TSecr must echo the client SYN's TSval; once both handshake
 * packets had timestamps, a TSval must not be 0 nor go back from the
 * sender's last one (PAWS, RFC 7323 5.3) unless that one is 24 days old.
 * False: the packet is not the session's (Suricata's
 * stream.pkt_invalid_timestamp; the stream ignores it). */
static bool ts_ok(mm_flow *f, int dir, const mm_pkt *p, uint64_t now_ns)
{
    /* most packets: a session without timestamps, nothing to read */
    if (!f->ts_on && f->tcp_state != MM_TCP_NONE && f->tcp_state != MM_TCP_SYN_SENT)
        return true;
    const uint8_t *o;
    uint8_t ol;
    bool has = mm_tcp_option(p, 8, &o, &ol) && ol == 8;
    uint32_t val = has ? mm_be32(o) : 0, ecr = has ? mm_be32(o + 4) : 0;
    uint32_t sec = (uint32_t)(now_ns / 1000000000ULL);
    uint8_t sa = p->tcp_flags & (MM_TH_SYN | MM_TH_ACK);
    mm_half *cli = &f->half[MM_TO_SERVER], *srv = &f->half[MM_TO_CLIENT], *snd = &f->half[dir];
    if (f->tcp_state == MM_TCP_NONE) {
        if (sa == MM_TH_SYN && has) {
            cli->last_ts = val;
            cli->last_ts_s = sec;
            cli->syn_ts = true;
        }
        return true;
    }
    if (f->tcp_state == MM_TCP_SYN_SENT) {
        /* a SYN without the option: a server's TSecr echoes nothing (but
         * a SYN-ACK with one is taken, as suricata-verify's bug-4702-02
         * expects of Suricata 7) */
        if (dir == MM_TO_CLIENT && has &&
            (cli->syn_ts ? cli->last_ts && ecr && ecr != cli->last_ts
                         : !cli->last_ts && ecr && sa != (MM_TH_SYN | MM_TH_ACK)))
            return false;
        if (sa == (MM_TH_SYN | MM_TH_ACK) && dir == MM_TO_CLIENT) {
            if (has && cli->syn_ts) {
                srv->last_ts = val;
                srv->last_ts_s = sec;
                f->ts_on = true;
            } else {
                cli->last_ts = 0;
            }
            cli->syn_ts = false;
        } else if (sa == MM_TH_SYN && dir == MM_TO_SERVER && has) {
            cli->last_ts = val;             /* a SYN sent again: the latest counts */
            cli->last_ts_s = sec;
            cli->syn_ts = true;
        }
        return true;
    }
    if (!f->ts_on || !has || (f->tcp_state == MM_TCP_SYN_RECV && sa == (MM_TH_SYN | MM_TH_ACK)))
        return true;
    if (val == 0)
        return false;
    bool in_order = snd->base_set && p->seq == snd->next_seq;
    bool stale = snd->last_ts && sec > snd->last_ts_s + PAWS_24DAYS;
    if ((int32_t)(val - snd->last_ts) < 0 || stale) {
        if (!(in_order && sec > snd->last_ts_s + PAWS_24DAYS))
            return false;
        in_order = true;                    /* valid anyway: the old TSval is too old */
    }
    if (in_order)
        snd->last_ts = val;
    snd->last_ts_s = sec;
    return true;
}

/* Follows the TCP state; false when the packet is not the session's (a
 * bad timestamp: reported, and the stream does not take it). */
static bool tcp_track(mm_flowtable *t, mm_flow *f, int dir, const mm_pkt *p, uint64_t now_ns)
{
    uint8_t fl = p->tcp_flags;
    /* the state this packet finds (Suricata's per-packet "established":
     * the ACK that ends the handshake is not yet) */
    f->pkt_established = f->tcp_state >= MM_TCP_ESTABLISHED;
    if (dir == MM_TO_SERVER) f->flags_ts |= fl; else f->flags_tc |= fl;
    if (!ts_ok(f, dir, p, now_ns)) {
        if (t->hooks.stream_anomaly)
            t->hooks.stream_anomaly(t->hooks.user, f, MM_AN_STREAM_BAD_TS);
        return false;
    }
    if (fl & MM_TH_RST) {
        if (!f->rst_from) {
            f->pre_rst_state = f->tcp_state;
            f->pre_rst_fstate = f->state;
        }
        f->rst_from |= (uint8_t)(1u << dir);
        f->tcp_state = MM_TCP_CLOSED;
        f->state = MM_FS_CLOSED;
        return true;
    }
    if (f->rst_from & (1u << dir)) {
        /* an ordinary packet from the side that sent the reset: the reset
         * was likely forged by a third party (Suricata's
         * stream.suspected_rst_inject); the session goes on */
        f->rst_from &= (uint8_t)~(1u << dir);
        if (!f->rst_from) {
            f->tcp_state = f->pre_rst_state;
            f->state = f->pre_rst_fstate;
        }
        if (t->hooks.stream_anomaly)
            t->hooks.stream_anomaly(t->hooks.user, f, MM_AN_STREAM_RST_INJECT);
    }
    switch (f->tcp_state) {
    case MM_TCP_NONE:
        if ((fl & (MM_TH_SYN | MM_TH_ACK)) == MM_TH_SYN)
            f->tcp_state = MM_TCP_SYN_SENT;
        else if ((fl & (MM_TH_SYN | MM_TH_ACK)) == (MM_TH_SYN | MM_TH_ACK))
            f->tcp_state = MM_TCP_SYN_RECV;
        else if (f->pkts[0] && f->pkts[1]) {
            f->tcp_state = MM_TCP_ESTABLISHED; /* picked up mid-stream */
            f->state = MM_FS_ESTABLISHED;
        }
        break;
    case MM_TCP_SYN_SENT:
        if ((fl & (MM_TH_SYN | MM_TH_ACK)) == (MM_TH_SYN | MM_TH_ACK) && dir == MM_TO_CLIENT)
            f->tcp_state = MM_TCP_SYN_RECV;
        break;
    case MM_TCP_SYN_RECV:
        if ((fl & MM_TH_ACK) && !(fl & MM_TH_SYN) && dir == MM_TO_SERVER) {
            f->tcp_state = MM_TCP_ESTABLISHED;
            f->state = MM_FS_ESTABLISHED;
        }
        break;
    default:
        break;
    }
    if (fl & MM_TH_FIN) {
        if (f->tcp_state == MM_TCP_FIN_WAIT1 && !(f->half[dir].fin))
            f->tcp_state = MM_TCP_CLOSING;
        else if (f->tcp_state < MM_TCP_FIN_WAIT1 || f->tcp_state == MM_TCP_ESTABLISHED)
            f->tcp_state = MM_TCP_FIN_WAIT1;
    }
    if (f->tcp_state == MM_TCP_CLOSING && (fl & MM_TH_ACK) && !(fl & MM_TH_FIN)) {
        f->tcp_state = MM_TCP_CLOSED;
        f->state = MM_FS_CLOSED;
    }
    return true;
}

int mm_flow_dir(const mm_flow *f, const mm_pkt *p)
{
    int dir = (memcmp(p->src.b, f->cli.b, 16) == 0 && p->sport == f->cport)
                  ? MM_TO_SERVER : MM_TO_CLIENT;
    if (dir == MM_TO_CLIENT && memcmp(p->src.b, p->dst.b, 16) == 0 && p->sport == p->dport)
        dir = MM_TO_SERVER;
    return dir;
}

void mm_flow_reverse(mm_flow *f)
{
    if (f->pkts[0] + f->pkts[1] != 1 || f->proto == 6)
        return;                 /* only a flow's first packet decides */
    mm_ip ip = f->cli;
    f->cli = f->srv;
    f->srv = ip;
    uint16_t port = f->cport;
    f->cport = f->sport;
    f->sport = port;
    uint64_t n = f->pkts[0];
    f->pkts[0] = f->pkts[1];
    f->pkts[1] = n;
    n = f->bytes[0];
    f->bytes[0] = f->bytes[1];
    f->bytes[1] = n;
    uint8_t t = f->icmp_type[0], c = f->icmp_code[0];   /* ICMP's per direction */
    bool seen = f->icmp_seen[0];
    f->icmp_type[0] = f->icmp_type[1];
    f->icmp_code[0] = f->icmp_code[1];
    f->icmp_seen[0] = f->icmp_seen[1];
    f->icmp_type[1] = t;
    f->icmp_code[1] = c;
    f->icmp_seen[1] = seen;
}

/* An ICMPv4 destination unreachable quoting a TCP or UDP packet belongs
 * to that packet's flow when there is one, as Suricata's flow hash keys
 * such an error by the quoted tuple: counted there (its direction by its
 * source address: an error from a router on the way is to the client),
 * no stream. NULL: no such flow. */
static mm_flow *icmp_error_flow(mm_flowtable *t, const mm_pkt *p, uint64_t ts, int *dirp)
{
    if (p->ipver != 4 || p->proto != 1 || p->icmp_type != 3 || !p->l4_ok || !p->l4 ||
        p->l4_len < 8 + 20)
        return NULL;
    const uint8_t *ip = p->l4 + 8;
    uint32_t n = p->l4_len - 8, hl = (uint32_t)(ip[0] & 15) * 4;
    uint8_t proto = ip[9];
    if (ip[0] >> 4 != 4 || hl < 20 || (proto != 6 && proto != 17) ||
        n < hl + (proto == 6 ? 20u : 8u))
        return NULL;
    mm_pkt q;
    memset(&q, 0, sizeof q);
    q.ipver = 4;
    q.proto = proto;
    q.src.v = q.dst.v = 4;
    memcpy(q.src.b, ip + 12, 4);        /* as the decoder keeps IPv4 addresses */
    memcpy(q.dst.b, ip + 16, 4);
    q.sport = (uint16_t)(ip[hl] << 8 | ip[hl + 1]);
    q.dport = (uint16_t)(ip[hl + 2] << 8 | ip[hl + 3]);
    mm_flowkey k;
    memset(&k, 0, sizeof k);
    bool keep = addr_cmp(&q) <= 0;
    const mm_ip *a = keep ? &q.src : &q.dst, *b = keep ? &q.dst : &q.src;
    memcpy(k.a, a->b, 16);
    memcpy(k.b, b->b, 16);
    k.pa = keep ? q.sport : q.dport;
    k.pb = keep ? q.dport : q.sport;
    if (!t->cfg.no_vlan) {
        k.vlan[0] = p->vlan[0];
        k.vlan[1] = p->vlan[1];
    }
    k.proto = proto;
    k.ver = 4;
    uint64_t h = mm_siphash13(&t->hk, &k, sizeof k);
    mm_flow *f = t->buckets[h & t->mask];
    while (f && (f->hash != h || memcmp(&f->key, &k, sizeof k) != 0))
        f = f->hnext;
    if (!f)
        return NULL;
    int dir = memcmp(p->src.b, f->cli.b, 16) == 0 ? MM_TO_SERVER : MM_TO_CLIENT;
    *dirp = dir;
    f->pkt_dir = (int8_t)dir;
    f->pkts[dir]++;
    f->bytes[dir] += p->outer.on ? p->inner_len : p->raw->caplen;
    if (ts > f->last_ns)
        f->last_ns = ts;
    return f;
}

mm_flow *mm_flow_packet(mm_flowtable *t, const mm_pkt *p, uint64_t ts, int *dirp)
{
    if (p->ipver == 0 || p->frag_held)
        return NULL;
    mm_flow *ef = icmp_error_flow(t, p, ts, dirp);
    if (ef)
        return ef;
    mm_flowkey k;
    memset(&k, 0, sizeof k);
    bool keep = addr_cmp(p) <= 0;
    const mm_ip *a = keep ? &p->src : &p->dst, *b = keep ? &p->dst : &p->src;
    memcpy(k.a, a->b, 16);
    memcpy(k.b, b->b, 16);
    k.pa = keep ? p->sport : p->dport;
    k.pb = keep ? p->dport : p->sport;
    if (!t->cfg.no_vlan) {
        k.vlan[0] = p->vlan[0];
        k.vlan[1] = p->vlan[1];
    }
    k.proto = p->proto;
    k.ver = p->ipver;
    uint64_t h = mm_siphash13(&t->hk, &k, sizeof k);

    mm_flow *f = t->buckets[h & t->mask];
    while (f && (f->hash != h || memcmp(&f->key, &k, sizeof k) != 0))
        f = f->hnext;
    if (!f) {
        f = alloc_flow(t);
        if (!f) {
            t->st.memcap_drops++;
            return NULL;
        }
        memset(f, 0, sizeof(*f));
        f->key = k;
        f->hash = h;
        f->start_ns = f->last_ns = ts;
        f->flow_id = make_flow_id(t, h, ts);
        f->proto = p->proto;
        f->vlan[0] = p->vlan[0];
        f->vlan[1] = p->vlan[1];
        f->vlan_n = p->vlan_n;
        bool swap = false;
        if (p->proto == 6) {
            uint8_t sa = p->tcp_flags & (MM_TH_SYN | MM_TH_ACK);
            if (sa == (MM_TH_SYN | MM_TH_ACK))
                swap = true;               /* we saw the server's answer first */
            else if (sa != MM_TH_SYN) {
                f->midstream = true;
                t->st.midstream++;
                swap = p->sport < 1024 && p->dport >= 1024;
            }
        }
        f->cli = swap ? p->dst : p->src;
        f->srv = swap ? p->src : p->dst;
        f->cport = swap ? p->dport : p->sport;
        f->sport = swap ? p->sport : p->dport;
        f->hnext = t->buckets[h & t->mask];
        t->buckets[h & t->mask] = f;
        t->st.total++;
        t->st.active++;
        switch (p->proto) {
        case 6: t->st.tcp++; break;
        case 17: t->st.udp++; break;
        case 1: t->st.icmpv4++; break;
        case 58: t->st.icmpv6++; break;
        default: t->st.other++; break;
        }
        q_push(t, f, queue_for(f));
    }

    int dir = mm_flow_dir(f, p);
    *dirp = dir;
    f->pkt_dir = (int8_t)dir;
    f->pkts[dir] += p->reassembled ? p->frag_pkts : 1;
    /* a tunnelled packet counts from its tunnel's payload on, as Suricata */
    f->bytes[dir] += p->reassembled ? p->frag_bytes : p->outer.on ? p->inner_len : p->raw->caplen;
    if (ts > f->last_ns)
        f->last_ns = ts;

    if (p->proto == 6) {
        if (p->tcp_flags & MM_TH_SYN) {
            if (p->tcp_flags & MM_TH_ACK) t->st.tcp_synack++; else t->st.tcp_syn++;
        }
        if (p->tcp_flags & MM_TH_RST)
            t->st.tcp_rst++;
        if (tcp_track(t, f, dir, p, ts)) {
            if (p->l4_ok)
                mm_stream_packet(&t->sc, f, dir, p);
        }
    } else {
        if (p->proto == 1 || p->proto == 58) {
            f->icmp_type[dir] = p->icmp_type;
            f->icmp_code[dir] = p->icmp_code;
            f->icmp_seen[dir] = true;
        }
        if (f->state == MM_FS_NEW && f->pkts[0] && f->pkts[1])
            f->state = MM_FS_ESTABLISHED;
    }
    /* Most recently active first in its (possibly new) queue. */
    int qi = queue_for(f);
    if (f->queue != qi || t->q[qi].head != f) {
        q_remove(t, f);
        q_push(t, f, qi);
    }
    return f;
}

void mm_flow_expire(mm_flowtable *t, uint64_t now)
{
    uint64_t s = now / 1000000000ULL;
    if (s == t->last_expire_s)
        return;  /* at most once per second of packet time */
    t->last_expire_s = s;
    for (int i = 0; i < NQ; i++) {
        fqueue *q = &t->q[i];
        while (q->tail && q->tail->last_ns + q->timeout_ns <= now)
            end_flow(t, q->tail, MM_END_TIMEOUT);
    }
}

void mm_flow_flush(mm_flowtable *t)
{
    /* Oldest first, so output is roughly in order of last activity. */
    for (;;) {
        mm_flow *best = NULL;
        for (int i = 0; i < NQ; i++) {
            mm_flow *f = t->q[i].tail;
            if (f && (!best || f->last_ns < best->last_ns))
                best = f;
        }
        if (!best)
            break;
        end_flow(t, best, MM_END_SHUTDOWN);
    }
}

void mm_flow_stats_get(const mm_flowtable *t, mm_flow_stats *st)
{
    *st = t->st;
    st->memuse = (uint64_t)t->nslabs * FLOWS_PER_SLAB * sizeof(mm_flow) +
                 (t->mask + 1) * sizeof(mm_flow *);
    st->stream_memuse = mm_segpool_memuse(t->sc.pool) + t->sc.hold_total;
}
