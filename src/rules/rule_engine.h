/*
 * rule_engine.h - loaded rules made ready to inspect traffic: each rule
 * is put in the group of the moment it inspects (a packet, a stream chunk,
 * or an app-layer moment such as a complete HTTP request) and its fast
 * pattern goes to a multi-pattern prefilter (Hyperscan) per inspection
 * buffer. At a moment, the buffers are scanned, the rules whose fast
 * pattern was seen (and those with none) are checked in full, and the
 * caller hears of each rule that matched.
 */
#ifndef MM_RULE_ENGINE_H
#define MM_RULE_ENGINE_H

#include "rules/rule.h"

typedef struct mm_rules mm_rules;

/* Builds the engine from rs (which it keeps and frees). cache_dir (NULL:
 * none): compiled prefilter databases are read from and written to it, so a
 * restart with the same rules skips the compile. NULL with a message on
 * failure (out of memory, prefilter compile error). */
mm_rules *mm_rules_build(mm_ruleset *rs, const char *cache_dir, char *err, size_t errlen);
void mm_rules_free(mm_rules *e);
const mm_ruleset *mm_rules_set(const mm_rules *e);

typedef struct mm_rules_info {
    uint64_t rules;             /* rules loaded */
    uint64_t inspected;         /* of them, rules the engine inspects */
    uint64_t not_inspected;     /* xbits (not yet) */
    uint64_t prefiltered;       /* with a fast pattern in a prefilter */
    uint64_t patterns, databases;
    size_t db_bytes;            /* prefilter databases */
    double build_seconds;
} mm_rules_info;
void mm_rules_info_get(const mm_rules *e, mm_rules_info *i);

/* Inspection moments. */
enum mm_moment { MM_MOMENT_PACKET, MM_MOMENT_STREAM, MM_MOMENT_APP };

/* The packet's header fields, for packet moments (NULL otherwise). */
typedef struct mm_insp_pkt {
    /* checksums (when rules ask, mm_rules_need_csum): the layer checked
     * (MM_CSUM_*, 0: none) and whether it is right; the IPv4 header's too */
    uint8_t csum_l4, csum_l4_ok, csum_ip4, csum_ip4_ok;
    uint8_t ttl, tcp_flags;
    uint16_t ip_id, window, icmp_id, icmp_seq;
    uint8_t icmp_type, icmp_code;
    uint32_t seq, ack;
    uint8_t later;              /* not its flow's first packet that way: IP-only rules skip it */
    uint8_t nopayload;          /* its flow's payload is not inspected (TLS after the
                                 * handshake, as Suricata's PKT_NOPAYLOAD_INSPECTION):
                                 * rules on the payload or its size skip it */
} mm_insp_pkt;

typedef struct mm_inspection {
    int moment;                 /* MM_MOMENT_* */
    int app;                    /* MM_RP_HTTP ...: the flow's app-layer protocol (-1 none) */
    uint8_t ip_proto;
    const mm_ip *src, *dst;     /* as the data travels */
    uint16_t sp, dp;
    int to_client;              /* direction in the flow */
    bool established;
    const mm_insp_pkt *pkt;
    const mm_obs_buf *buf;     /* the buffers of this moment (payload as MM_BUF_PAYLOAD) */
    int nbuf;
    uint32_t *bits;             /* the flow's flowbits (mm_rules_bits_words words), NULL: none set */
    uint32_t *(*bits_alloc)(void *ctx); /* makes them when a rule first sets one */
    void *bits_ctx;
    const mm_insp_file *file;   /* a file ended at this moment (NULL: none) */
    struct mm_fint *ints;       /* the flow's flowints (mm_rules_ints) or NULL: none set */
    struct mm_fint *(*ints_alloc)(void *ctx);   /* made when a rule first changes one */
    /* app moment: the events the message raised, for the rules naming one
     * with buffers of the message (app-layer-event + http_client_body ...) */
    const char *const *events;
    int nevents;
    bool events_alone;          /* and the rules on one of them alone */
    /* a flowvar a matching rule's pcre captured (bits_ctx; NULL: not kept) */
    void (*var_set)(void *ctx, uint32_t id, const uint8_t *d, uint16_t n);
    uint64_t ts;                /* when (ns): the xbits' expiry is counted from it */
    /* the country of an address for geoip (cc: "" unknown; NULL: none) */
    void (*country)(void *ctx, const mm_ip *ip, char cc[3]);
    /* stream moment on a packet's payload: a TCP flow without a session
     * (picked up mid-way), whose packets stand for its stream, as
     * Suricata's stream rules fall back to the packet; the rules also
     * checked at the packet moment are left out */
    bool pkt_stream;
} mm_inspection;

/* A flowint of a flow. */
typedef struct mm_fint {
    int64_t v;
    bool set;
} mm_fint;

/* Flowints a flow needs (0: no rule uses flowint). */
size_t mm_rules_ints(const mm_rules *e);


/* The file digests (1 md5, 2 sha1, 4 sha256, as MM_HASH_*) some rule
 * compares: the parsers must compute them. */
unsigned mm_rules_file_hashes(const mm_rules *e);

/* Words of flowbits state a flow needs (0: no rule uses flowbits). */
size_t mm_rules_bits_words(const mm_rules *e);

/* Scratch of one inspecting thread. */
typedef struct mm_rules_thread mm_rules_thread;
mm_rules_thread *mm_rules_thread_new(const mm_rules *e);
/* The pcre captures of the rule being reported (its alert: pktvars). */
struct mm_capture;
const struct mm_capture *mm_rules_captures(const mm_rules_thread *t, int *n);
void mm_rules_thread_free(mm_rules_thread *t);

/* Suricata's IP-only rule (checked on the first packet of each direction
 * of a flow): addresses and ports, no payload, no packet field. */
bool mm_rule_ip_only(const mm_rule *r);

/* Calls hit for each rule that matches (after flowbits, noalert; before
 * thresholds, which the alert path applies). Returns the number of hits. */
typedef void (*mm_rule_hit_fn)(void *ctx, const mm_rule *r, const mm_inspection *in);
int mm_rules_inspect(const mm_rules *e, mm_rules_thread *t, const mm_inspection *in,
                     mm_rule_hit_fn hit, void *ctx);

/* Rules on an app-layer event ("http.request_auth_unrecognized", the
 * name app-layer-event gives) raised by a parser at in's moment. */
int mm_rules_app_event(const mm_rules *e, mm_rules_thread *t, const mm_inspection *in,
                       const char *name, bool directed, mm_rule_hit_fn hit, void *ctx);

/* Rules on an anomaly (decode-event, stream-event): event is MM_AN_*;
 * in describes the packet (or the flow) it was raised on. */
bool mm_rules_has_events(const mm_rules *e);
/* Whether a rule has a checksum keyword (mm_insp_pkt.csum_* then needed). */
bool mm_rules_need_csum(const mm_rules *e);
int mm_rules_event(const mm_rules *e, mm_rules_thread *t, const mm_inspection *in, int event,
                   mm_rule_hit_fn hit, void *ctx);

#endif
