/*
 * flow.h - the flow table and TCP stream reassembly.
 *
 * A flow is the bidirectional conversation of one 5-tuple (plus up to two
 * VLAN ids). Flows live in a keyed hash table (SipHash with a random key)
 * and come from a slab pool whose size is fixed by --flow-memcap: when the
 * pool is empty, the flow closest to its timeout is ended early ("forced")
 * and counted as an eviction. Each flow is also on one of a few timeout
 * queues (per protocol and state, each with its own timeout), kept in order
 * of last activity, so expiry only ever looks at queue tails.
 *
 * TCP payload goes through stream reassembly (stream.c): in-order data is
 * handed straight to the consumer, without a copy; out-of-order segments
 * wait in a bounded per-flow queue drawn from a global segment pool capped
 * by --stream-memcap. Overlaps keep the data that arrived first.
 */
#ifndef MM_FLOW_H
#define MM_FLOW_H

#include "decode/decode.h"
#include "util/hash.h"

enum { MM_TO_SERVER = 0, MM_TO_CLIENT = 1 };
enum { MM_FS_NEW = 0, MM_FS_ESTABLISHED, MM_FS_CLOSED };
enum { MM_END_TIMEOUT = 0, MM_END_FORCED, MM_END_SHUTDOWN };

/* TCP connection states as Suricata names them in flow.tcp.state. */
enum { MM_TCP_NONE = 0, MM_TCP_SYN_SENT, MM_TCP_SYN_RECV, MM_TCP_ESTABLISHED,
       MM_TCP_FIN_WAIT1, MM_TCP_CLOSING, MM_TCP_CLOSED };

typedef struct mm_flowkey {
    uint8_t a[16], b[16];  /* the two addresses, smaller (address, port) first */
    uint16_t pa, pb;
    uint16_t vlan[2];
    uint8_t proto, ver;
    uint8_t pad[2];
} mm_flowkey;

typedef struct mm_seg mm_seg;

/* One direction of a TCP stream. */
typedef struct mm_half {
    uint32_t next_seq;     /* next byte to deliver */
    uint32_t fin_seq;      /* sequence number of FIN (valid when fin) */
    uint64_t delivered;    /* bytes handed to the consumer */
    mm_seg *ooo;           /* out-of-order segments, sorted by seq */
    uint32_t ooo_bytes;
    uint16_t ooo_n;
    bool base_set;         /* next_seq is known (SYN seen or midstream pickup) */
    bool fin;
    bool eof;              /* end already signalled to the consumer */
    bool depth_reached;
    uint32_t gaps;
    /* in-order bytes the app layer has not had yet: Suricata's IDS mode
     * parses a direction's data when the peer acknowledges it */
    uint8_t *hold;
    uint32_t hold_len, hold_cap;
    uint32_t hold_seq;     /* sequence number of hold[0] */
    /* TCP timestamps (RFC 7323) as Suricata checks them: the side's last
     * valid TSval, the second it came, whether its SYN had the option */
    uint32_t last_ts, last_ts_s;
    bool syn_ts;
} mm_half;

typedef struct mm_flow {
    mm_flowkey key;
    struct mm_flow *hnext;           /* hash chain */
    struct mm_flow *qprev, *qnext;   /* timeout queue */
    uint64_t hash;
    uint64_t flow_id;
    uint64_t start_ns, last_ns;
    mm_ip cli, srv;                  /* client = initiator */
    uint16_t cport, sport;
    uint8_t proto;
    uint8_t state;                   /* MM_FS_* */
    uint8_t queue;
    uint8_t tcp_state;
    uint8_t rst_from;                /* bit per direction: it sent a reset, nothing since */
    uint8_t pre_rst_state, pre_rst_fstate;   /* the states the first reset ended */
    uint8_t flags_ts, flags_tc;      /* TCP flags seen per direction */
    uint8_t icmp_type[2], icmp_code[2];
    bool icmp_seen[2];
    bool midstream;
    bool ts_on;                      /* TCP: both SYN and SYN-ACK had timestamps */
    bool tunnel_carrier;             /* the UDP flow carrying a VXLAN/Geneve/Teredo tunnel */
    struct mm_macset *macs;          /* MAC addresses seen (--ethernet; owned by the output) */
    bool encrypted;                  /* TLS handshake over: payload rules stop (as Suricata) */
    bool nopayload;                  /* TLS application data parsed: packets' payloads are no
                                      * longer inspected (Suricata's PKT_NOPAYLOAD_INSPECTION) */
    bool alerted;
    bool bypassed;                   /* a rule's bypass matched (flow state "bypassed") */
    bool passed;                     /* a pass rule matched: no more rule inspection */
    bool no_inspect;                 /* an exception policy: no rule inspection */
    bool no_app;                     /* an exception policy: no app-layer parsing */
    bool pkt_established;            /* TCP: established before the current packet */
    int8_t pkt_dir;                  /* the direction of the packet being processed */
    uint16_t vlan[2];
    uint8_t vlan_n;
    uint64_t pkts[2], bytes[2];
    mm_half half[2];
    void *app;                       /* application-layer state (proto/) */
    void *det;                       /* built-in detectors' state (detect/) */
    uint64_t det_fired;              /* built-in signatures raised on it (bits) */
    /* 0: unknown; for TCP found on acknowledged data only (the app layer
     * gets a side's data when the peer acknowledges it, stream.c) */
    uint16_t app_proto;
    uint16_t app_proto_orig;         /* the protocol before a change (HTTP CONNECT); 0: none */
} mm_flow;

/* What the table calls back with. */
typedef struct mm_flow_hooks {
    void *user;
    /* A flow ended (timeout, eviction, end of input). */
    void (*flow_end)(void *user, mm_flow *f, int reason);
    /* Reassembled TCP data, or a gap (data NULL, len = missing bytes), or end
     * of stream (len 0, eof true). dir: MM_TO_SERVER / MM_TO_CLIENT. */
    void (*stream_data)(void *user, mm_flow *f, int dir, const uint8_t *data,
                        uint32_t len, bool eof);
    /* A stream anomaly on a flow (MM_AN_STREAM_*). */
    void (*stream_anomaly)(void *user, mm_flow *f, int anomaly);
    /* The same data for the app layer, handed on when the peer acknowledges
     * it (or when a gap, the end, or the hold's bound comes first). */
    void (*app_data)(void *user, mm_flow *f, int dir, const uint8_t *data,
                     uint32_t len, bool eof);
} mm_flow_hooks;

typedef struct mm_flow_config {
    uint64_t memcap;          /* flows */
    uint64_t stream_memcap;   /* out-of-order segment pool */
    uint64_t stream_depth;    /* bytes per direction handed on; 0 = unlimited */
    uint32_t ooo_max_bytes;   /* per direction */
    uint32_t to_tcp_new, to_tcp_est, to_tcp_closed;
    uint32_t to_udp_new, to_udp_est;
    uint32_t to_other_new, to_other_est;
    bool no_vlan;             /* VLAN tags are not part of a flow's key */
} mm_flow_config;

void mm_flow_config_defaults(mm_flow_config *c);

typedef struct mm_flow_stats {
    uint64_t total, tcp, udp, icmpv4, icmpv6, other;
    uint64_t active, evicted, memcap_drops;
    uint64_t ended_new, ended_est, ended_closed;
    uint64_t tcp_syn, tcp_synack, tcp_rst, midstream;
    uint64_t stream_bytes, retransmitted, overlaps, overlap_diff, gaps, depth_reached;
    uint64_t seg_memcap_drops, ooo_segments;
    uint64_t memuse, stream_memuse;
} mm_flow_stats;

typedef struct mm_flowtable mm_flowtable;

mm_flowtable *mm_flowtable_new(const mm_flow_config *cfg, const mm_flow_hooks *hooks);
void mm_flowtable_free(mm_flowtable *t);
/* Account one decoded packet to its flow, running reassembly for TCP.
 * Returns the flow, or NULL when the packet belongs to none (not IP, a held
 * fragment, or no flow could be had). */
mm_flow *mm_flow_packet(mm_flowtable *t, const mm_pkt *p, uint64_t ts_ns, int *dir);
/* TCP sequence numbers compared across the wrap: a - b as a signed distance. */
static inline int32_t seqdiff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

/* The direction of p in f (MM_TO_SERVER / MM_TO_CLIENT). */
int mm_flow_dir(const mm_flow *f, const mm_pkt *p);
/* Turns a flow that has seen one packet around: the client becomes the
 * server (an app layer found that first packet was an answer). */
void mm_flow_reverse(mm_flow *f);
/* End flows whose timeout has passed at time now. */
void mm_flow_expire(mm_flowtable *t, uint64_t now_ns);
/* End every flow (end of input / shutdown). */
void mm_flow_flush(mm_flowtable *t);
void mm_flow_stats_get(const mm_flowtable *t, mm_flow_stats *st);

/* Stream internals (stream.c), used by flow.c. */
typedef struct mm_segpool mm_segpool;
mm_segpool *mm_segpool_new(uint64_t memcap);
void mm_segpool_free(mm_segpool *sp);
uint64_t mm_segpool_memuse(const mm_segpool *sp);

typedef struct mm_stream_ctx {
    mm_segpool *pool;
    const mm_flow_hooks *hooks;
    mm_flow_stats *st;
    uint64_t depth;
    uint32_t ooo_max_bytes;
    uint64_t hold_total;      /* bytes allocated to app-layer holds, all flows */
    uint64_t hold_max;        /* ... at most: MM_HOLD_PER_MEMCAP x the stream memcap */
} mm_stream_ctx;

/* Data waiting for its acknowledgement (all flows together) may take this
 * many times --stream-memcap (16m by default: 64 MiB). */
#define MM_HOLD_PER_MEMCAP 4u

void mm_stream_packet(mm_stream_ctx *c, mm_flow *f, int dir, const mm_pkt *p);
/* Hand on whatever is queued (with gaps) and signal end of both directions. */
void mm_stream_finish(mm_stream_ctx *c, mm_flow *f);

#endif
