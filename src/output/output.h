/*
 * output.h - where EVE lines go, and how they are built.
 *
 * A sink takes complete lines (JSON plus newline). Two kinds: a plain stream
 * (stdout or a file, for --eve) and the segment writer (for -o DIR), which
 * rotates crash-safe segment files for collection (segment.c).
 *
 * The writer knows nothing of the stages that call it: what it needs of
 * them (a protocol's name, the app layer's counters) comes in the call, as
 * strings and numbers, so imports run one way: proto/ and detect/ use
 * output/, never the reverse.
 */
#ifndef MM_OUTPUT_H
#define MM_OUTPUT_H

#include <stdio.h>

#include "flow/flow.h"
#include "util/json.h"

typedef struct mm_geo mm_geo;

typedef struct mm_sink {
    /* Returns 0, or -1 on a write error (errno set). */
    int (*write)(void *ctx, const char *line, size_t len);
    void *ctx;
} mm_sink;

/* ---- segments (segment.c) ---- */
typedef struct mm_segw mm_segw;

typedef struct mm_seg_config {
    const char *dir;
    const char *site, *sensor;
    uint64_t max_bytes;      /* close a segment at this size */
    uint64_t max_age_ns;     /* ... or this old (wall clock) */
    int zstd_level;          /* 0: no compression */
    const unsigned char *seal_pk;   /* crypto_box public key, or NULL */
    uint64_t sync_bytes;     /* fsync the open segment every so many bytes */
} mm_seg_config;

typedef struct mm_seg_stats {
    uint64_t closed, events, bytes, recovered, write_errors;
    uint64_t unwritten;      /* events dropped because writing failed (disk full) */
    uint64_t seq;            /* sequence number of the open segment */
} mm_seg_stats;

/* Opens DIR (created if missing), recovers segments a crash left open, and
 * starts a new one. NULL with err on failure. */
mm_segw *mm_segw_open(const mm_seg_config *cfg, char *err, size_t errlen);
int mm_segw_write(void *w, const char *line, size_t len);
/* Close the open segment if it is old enough (call now and then). */
void mm_segw_tick(mm_segw *w, uint64_t now_ns);
/* Close the open segment and the writer; 0 or -1 (err set). */
int mm_segw_close(mm_segw *w, char *err, size_t errlen);
void mm_segw_stats(const mm_segw *w, mm_seg_stats *st);

/* A key written by `mimamori keygen`: n bytes in hex on the first line. */
int mm_read_key_hex(const char *path, unsigned char *out, size_t n, char *err, size_t errlen);

/* Reading segments back (verification, the analysis side). Calls cb for each
 * event line; returns 0 when the segment is complete and its checksum holds,
 * or -1 with err. sk: crypto_box secret key for sealed segments (or NULL). */
typedef int (*mm_seg_line_cb)(void *user, const char *line, size_t len);
typedef struct mm_seg_info {
    char site[128], sensor[128];
    uint64_t seq, events, bytes;
    char sha256[65];
    bool recovered;
} mm_seg_info;
int mm_seg_read_mem(const unsigned char *data, size_t len, const unsigned char *pk,
                    const unsigned char *sk, mm_seg_line_cb cb, void *user, mm_seg_info *info,
                    char *err, size_t errlen);
int mm_seg_read(const char *path, const unsigned char *pk, const unsigned char *sk,
                mm_seg_line_cb cb, void *user, mm_seg_info *info, char *err, size_t errlen);

/* ---- EVE builders (eve.c) ---- */
typedef struct mm_eve {
    const char *site, *sensor;
    const mm_netlist *home;
    const mm_geo *geo;
    mm_sink sink;
    mm_json j;
    uint64_t events, write_errors;
    /* Number of the packet being handled in the capture files (as
     * Suricata's pcap_cnt); 0 when live or at a flow's end. */
    uint64_t pcap_cnt;
    /* The packet being handled when it came through a tunnel (its alerts
     * name the outer packet as Suricata's "tunnel"); NULL otherwise. */
    const mm_pkt *tunnel;
    /* Suricata's ethernet: yes: events of a packet carry its MAC addresses
     * (the Ethernet header of the packet being handled, NULL: none), flow
     * events the addresses their flow saw */
    bool ethernet;
    const uint8_t *pkt_eth;
    /* the packet being handled (NULL: none, as at a flow's end): rule
     * alerts may carry it (--alert-packet) and say where it came from */
    const struct mm_rawpkt *pkt_raw;
    /* the capture file being read, on events of its packets (NULL: not
     * asked for, or live) */
    const char *pcap_filename;
    /* anomaly events carry the packet's first 32 bytes (--anomaly-packethdr) */
    bool anomaly_packethdr;
    /* Community ID on every event with a flow tuple (--community-id) */
    bool community_id;
    uint16_t community_seed;
    /* adds objects of others (traffic, metadata) to every event of a flow
     * (NULL: none) */
    void (*flow_extra)(void *ctx, mm_json *j, const mm_flow *f);
    void *flow_extra_ctx;
} mm_eve;

void mm_eve_init(mm_eve *e);
void mm_eve_free(mm_eve *e);
/* "inbound", "outbound", "internal" or "external", from the home networks. */
const char *mm_eve_direction(const mm_eve *e, const mm_ip *cli, const mm_ip *srv);
const char *mm_proto_name(uint8_t proto, char *buf, size_t n);

/* The flow event at a flow's end. app_proto, app_proto_orig: the names of
 * the flow's protocol and of the one before a change (NULL: none). */
void mm_eve_flow(mm_eve *e, const mm_flow *f, int reason, const char *app_proto,
                 const char *app_proto_orig);
/* A parser's event ("http.request_auth_unrecognized") as Suricata's
 * anomaly of type applayer; app_proto: the flow's protocol (NULL: none).
 * As Suricata logs them: oriented as the packet that raised it goes
 * (to_client: from the server), with its transaction's tx_id (-1: none). */
void mm_eve_applayer_anomaly(mm_eve *e, uint64_t ts, const mm_flow *f, const char *name,
                             const char *app_proto, bool to_client, int64_t tx_id);
/* A packet of flow f going dir with Ethernet header eth: its addresses
 * join the flow's sets (at most 8 a side); and the sets' end. */
void mm_eve_flow_macs(mm_flow *f, int dir, const uint8_t *eth);
void mm_eve_flow_macs_free(mm_flow *f);
/* Suricata's "tunnel" object of an alert on a tunnelled packet (none
 * otherwise). */
void mm_eve_tunnel(mm_eve *e, mm_json *j);
/* Where the event's packet came from, as Suricata's pkt_src ("wire/pcap";
 * "stream (flow timeout)" for what is written at a flow's end). Every
 * event made from a packet carries it (not flow nor stats events). */
const char *mm_eve_pkt_src(const mm_eve *e);
/* An anomaly seen on a packet (p may lack a flow) or on a flow (stream). */
void mm_eve_anomaly(mm_eve *e, uint64_t ts_ns, const mm_pkt *p, const mm_flow *f, int anomaly);

/* Flows of one protocol on one transport, by their stats name ("http",
 * "dns_udp"); ours: Suricata has no such counter (it goes in mimamori's
 * stats). */
#define MM_STATS_APP_FLOWS_MAX 32
typedef struct mm_stats_app_flows {
    char name[24];
    uint64_t flows;
    bool ours;
} mm_stats_app_flows;

/* The app layer's part of a stats event. */
typedef struct mm_stats_app {
    mm_stats_app_flows flows[MM_STATS_APP_FLOWS_MAX];   /* in the order written */
    unsigned nflows;
    uint64_t failed[2];         /* flows no protocol was found in: TCP, UDP */
    uint64_t events, parse_errors, memcap_skips;
    uint64_t memuse;
} mm_stats_app;

/* One capture worker's share (--workers): what its socket's ring took
 * and dropped, the packets it decoded and the flows it made. */
#define MM_MAX_WORKERS 64
typedef struct mm_worker_stats {
    uint64_t kernel_packets, kernel_drops, pkts, flows;
} mm_worker_stats;

/* Everything a stats event reports. */
typedef struct mm_sensor_stats {
    uint64_t uptime_s;
    const mm_decode_stats *dec;
    const mm_flow_stats *flow;
    uint64_t kernel_packets, kernel_drops, kernel_ifdrops, live;
    unsigned nworkers;               /* workers (0: one thread) ... */
    const mm_worker_stats *workers;  /* ... and each one's counters */
    uint64_t anomaly_events_suppressed;
    uint64_t defrag_memuse;
    uint64_t events;
    uint64_t seg_closed, seg_write_errors, seg_unwritten;
    bool disk;                       /* the output directory's file system: */
    uint64_t disk_free, disk_total;  /* bytes free (for this user) and in all */
    uint64_t defrag_evicted;         /* reassemblies given up: the pool was full */
    uint64_t pcap_written, pcap_dropped, pcap_removed, pcap_disk_full;
    uint64_t rss_bytes;
    const mm_stats_app *app;         /* NULL: no app_layer objects */
    bool filestore;                  /* files are kept (--filestore) */
    uint64_t fs_errors;              /* files that could not be kept */
    bool detect;                /* built-in detectors ran */
    uint64_t alerts, alerts_suppressed, alerts_thresholded, alerts_overflow;
    bool rules;                 /* --rules given: the engine's counts */
    uint64_t rules_loaded, rules_failed, rules_skipped, rules_load_ns;
    /* reloads (SIGHUP): done, refused (the old set kept), when the last
     * was tried and why it was refused (NULL: it was not) */
    uint64_t reloads, reload_failures, reload_ns;
    const char *reload_error;
} mm_sensor_stats;
void mm_eve_stats(mm_eve *e, uint64_t ts_ns, const mm_sensor_stats *s);

/* An event about flow f: timestamp, flow_id, event_type, host, the tuple
 * (client first, or server first when rev), app_proto; the caller adds its
 * object, then mm_eve_end_flow_event adds "mimamori" and emits. */
mm_json *mm_eve_begin_flow_event(mm_eve *e, const mm_flow *f, uint64_t ts, const char *type,
                                 bool rev, const char *app_proto);
void mm_eve_end_flow_event(mm_eve *e, const mm_flow *f);
/* The same with the client's address given (X-Forwarded-For overwrite). */
mm_json *mm_eve_begin_flow_event_client(mm_eve *e, const mm_flow *f, uint64_t ts,
                                        const char *type, bool rev, const char *app_proto,
                                        const mm_ip *client);
/* Or in two steps, to add fields of one's own to "mimamori": the first
 * writes the common ones and leaves the object open, the second closes the
 * event and emits it. */
mm_json *mm_eve_flow_event_mimamori(mm_eve *e, const mm_flow *f);
void mm_eve_flow_event_close(mm_eve *e);

/* An event about a packet outside any flow (an undecodable one): its
 * addresses when it has them; closed by mm_eve_pkt_event_close. */
mm_json *mm_eve_begin_pkt_event(mm_eve *e, const mm_pkt *p, uint64_t ts, const char *type);
void mm_eve_pkt_event_close(mm_eve *e, const mm_pkt *p);

/* Emit the line in e->j (adds the newline). */
void mm_eve_emit(mm_eve *e);

#endif
