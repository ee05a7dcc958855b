/*
 * detect.h - built-in detectors: the attacks of the seed reports
 * recognised from what the parsers observe (proto/app.h mm_obs_*), from
 * flows as they end, and from the first bytes of unknown TCP streams. No
 * ruleset is needed. Each raises an EVE "alert" (Suricata's layout) with
 * one of our signatures (sigs.c: sid 8700000-8700999, gid 1), its family
 * and the key of its explanation (explain.c).
 *
 * Alerts do not flood: a signature fires once per flow, and once per
 * source address per window (--detect alert.window); what a window held
 * back is counted in the next alert (mimamori.alert.suppressed).
 */
#ifndef MM_DETECT_H
#define MM_DETECT_H

#include "output/output.h"
#include "proto/app.h"

/* Name lists: built-in defaults, extended by --list KIND=FILE. */
enum { MM_LIST_MINING, MM_LIST_DDNS, MM_LIST_SINKHOLE, MM_LIST_HASH, MM_LIST_VENDOR,
       MM_LIST__COUNT };

#define MM_DETECT_MAX_LISTS 16

#define MM_DETECT_MAX_RULES 32
#define MM_DETECT_MAX_REP 16

typedef struct mm_detect_config {
    const char *list_kind[MM_DETECT_MAX_LISTS];
    const char *list_file[MM_DETECT_MAX_LISTS];
    int nlists;
    const char *set[64];        /* "name=value" thresholds (--detect) */
    int nset;
    const char *threshold_file; /* Suricata's threshold.config (NULL: none) */
    const char *home_country;   /* ISO code the company is in ("JP"): "abroad" */
    bool builtin;               /* run the built-in detectors */
    const char *rules[MM_DETECT_MAX_RULES];     /* --rules FILE|DIR */
    int nrules;
    const char *vars[32];       /* --var NAME=VALUE */
    int nvars;
    const char *home_net;       /* the company's networks: the rules' HOME_NET */
    const char *rules_cache;    /* compiled prefilter databases kept here (NULL: none) */
    const char *rep_categories; /* IP reputation: categories file (NULL: none) ... */
    const char *rep[MM_DETECT_MAX_REP];         /* ... and lists (--reputation) */
    int nrep;
    bool midstream;             /* a TCP flow picked up mid-way counts as established */
    /* X-Forwarded-For in alerts on HTTP (Suricata's xff): 0 off, 1 extra-data
     * (alert.xff), 2 overwrite (the client's address replaced); reverse:
     * the last address of the list (a proxy in front of servers), else
     * the first */
    uint8_t xff_mode;
    bool xff_reverse;
    /* rule alerts carry the data they matched (Suricata's alert payload:
     * 1 base64 "payload" and "stream", 2 "payload_printable", 3 both) */
    uint8_t alert_payload;
    /* rule alerts carry Suricata's "verdict" object (alert, or pass when a
     * pass rule let the packet or the flow go) */
    bool alert_verdict;
    /* rule alerts carry the packet being handled (Suricata's alert packet) */
    bool alert_packet;
    /* rule alerts per packet at most (Suricata's packet-alert-max, 0: 15);
     * the rest are counted as alert_queue_overflow */
    uint32_t alert_max;
    /* indicators of compromise to alert on (mimamori sensor --ioc; shared,
     * read-only; NULL: none) */
    const struct mm_iocmatch *ioc;
} mm_detect_config;

typedef struct mm_detect mm_detect;

/* NULL with err set when a list cannot be read or a threshold is unknown. */
mm_detect *mm_detect_new(const mm_detect_config *c, mm_eve *eve, const mm_netlist *home,
                         char *err, size_t errlen);
void mm_detect_free(mm_detect *d);
/* Reads c's rules again and takes c's indicators (a live sensor's
 * SIGHUP), between packets. The new rule set replaces the old one only
 * when it loads whole: false with err, and nothing changed, otherwise.
 * Flows keep going; their rule state (flowbits, flowints, flowvars) of
 * the old set is dropped on their next inspection. */
bool mm_detect_reload(mm_detect *d, const mm_detect_config *c, char *err, size_t errlen);
/* The same in two steps, so that the packet path can go on while the new
 * rules load: prepare reads them beside the running set (d only read; NULL
 * with err when refused); commit makes them the running set (nothing may
 * be inspecting: between packets, workers paused), abandon drops them. */
typedef struct mm_detect_pending mm_detect_pending;
mm_detect_pending *mm_detect_reload_prepare(const mm_detect *d, const mm_detect_config *c,
                                            char *err, size_t errlen);
void mm_detect_reload_commit(mm_detect *d, mm_detect_pending *p, const mm_detect_config *c);
void mm_detect_reload_abandon(mm_detect_pending *p);
/* The entry of list kind (MM_LIST_MINING, MM_LIST_DDNS) that name falls
 * under (the name itself or a parent), or NULL: for the log analyses. */
const char *mm_detect_listed(const mm_detect *d, int kind, const char *name);
/* The built-in vendor list's entry (MM_LIST_VENDOR's defaults) that
 * name[0..n) or a parent of it is, or NULL; no mm_detect needed. */
const char *mm_detect_builtin_vendor(const char *name, size_t n);
/* Is ip a sinkhole's address (or an answer that points nowhere)? */
bool mm_detect_sinkhole(const mm_detect *d, const mm_ip *ip);
/* A worker's detector (the sensor's --workers): it borrows first's rules,
 * lists, indicators and the state that spans flows, guarded by a lock
 * from then on; alerts go to eve. Stream data held for the rules is
 * bounded for the nworkers together. Freed with mm_detect_free before
 * first. NULL with err without memory. */
mm_detect *mm_detect_worker(mm_detect *first, mm_eve *eve, unsigned nworkers, char *err,
                            size_t errlen);
/* After first was reloaded (mm_detect_reload), with the worker idle: the
 * worker takes the new rules and indicators. false without memory. */
bool mm_detect_worker_sync(mm_detect *w);
/* Alerts go to eve from now on (a fuzzer's fresh writer per input). */
void mm_detect_rebind(mm_detect *d, mm_eve *eve);

/* A UDP datagram's payload (the sensor calls it from mm_detect_packet). */
void mm_detect_datagram(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n);

/* The parsers' observer (mm_app.observe). */
void mm_detect_observe(void *ctx, mm_flow *f, int dir, int kind, const void *obs, uint64_t ts);
/* Reassembled TCP data as the stream hands it on (first bytes only are looked at). */
void mm_detect_stream(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n);
/* Each decoded packet of a flow (the rules' packet moment). */
struct mm_pkt;
void mm_detect_packet(mm_detect *d, mm_flow *f, int dir, const struct mm_pkt *p, uint64_t ts);
/* Packet p as a tagged packet (event "packet") when a rule's tag covers
 * its session or one of its addresses; before the packet's own inspection. */
void mm_detect_tagged(mm_detect *d, mm_flow *f, const struct mm_pkt *p, uint64_t ts);
/* A packet begins (before anything of it is inspected). */
void mm_detect_packet_start(mm_detect *d);
/* The packet begun, before the flow table has placed it (its app-layer
 * moments come first: det_rules_app tells their packet's direction). */
void mm_detect_packet_pending(mm_detect *d, const struct mm_pkt *p);
/* A flow's end begins: inspected as a packet of its own (Suricata's
 * pseudo packet), with its own packet-alert-max. */
void mm_detect_flow_end_start(mm_detect *d);
/* An anomaly (MM_AN_*) raised on packet p (f: its flow, NULL when none) or
 * on flow f's stream (p NULL): the rules' decode-event and stream-event. */
void mm_detect_event(mm_detect *d, mm_flow *f, int dir, const struct mm_pkt *p, int an,
                     uint64_t ts);
/* Rules loaded and skipped (for the sensor's start-up line). */
/* requires (NULL: not wanted): of the skipped, those for another engine. */
void mm_detect_rules_counts(const mm_detect *d, uint64_t *loaded, uint64_t *skipped,
                            uint64_t *requires);
/* The file digests the rules compare (MM_HASH_*): computed for every file. */
unsigned mm_detect_file_hashes(const mm_detect *d);
/* A flow ends (before its flow event). */
void mm_detect_flow_end(mm_detect *d, mm_flow *f);
/* Its state dropped (after its flow event, which may read it). */
void mm_detect_flow_free(mm_detect *d, mm_flow *f);
/* The flow's traffic labels (flowbits "traffic/id/X", "traffic/label/Y")
 * as Suricata's "traffic" object; nothing when it has none. */
void mm_detect_traffic_json(const mm_detect *d, const mm_flow *f, mm_json *j);

typedef struct mm_detect_stats {
    uint64_t alerts, suppressed;    /* written; held back by our flood control */
    uint64_t thresholded;           /* held back by the threshold file */
    uint64_t overflow;              /* over the alerts a packet may have */
} mm_detect_stats;
void mm_detect_stats_get(const mm_detect *d, mm_detect_stats *st);

/* Thresholds: name, default, meaning (for --help and the man page). */
typedef struct mm_detect_param {
    const char *name;
    uint64_t def;
    const char *help;
} mm_detect_param;
const mm_detect_param *mm_detect_params(int *n);

/* The list kinds' names ("mining", "ddns", "sinkhole", "hash", "vendor"); -1 unknown. */
int mm_detect_list_kind(const char *name);

#endif
