/*
 * det.h - inside the built-in detectors: the signature table, the state
 * they share (thresholds, lists, per-source trackers) and the alert path.
 */
#ifndef MM_DET_H
#define MM_DET_H

#include "detect/detect.h"
#include "detect/threshold.h"
#include "util/hash.h"

#include <pthread.h>
#include <stdio.h>

/* Our signatures (sigs.c). The order is the bit in mm_flow.det_fired. */
enum {
    SIG_HB_ATTEMPT, SIG_HB_LEAK,
    SIG_RDP_INBOUND, SIG_RDP_ADMIN, SIG_RDP_GUESS, SIG_RDP_AFTER_GUESS, SIG_RDP_OUT_SCAN,
    SIG_NTP_MONLIST, SIG_NTP_LARGE_MODE7, SIG_NTP_REFLECTOR, SIG_NTP_FLOOD, SIG_NTP_ANSWERED,
    SIG_SSL3_NEGOTIATED, SIG_SSL3_CLIENT, SIG_SSL3_SERVER_EXPOSED,
    SIG_FILE_EXEC, SIG_FILE_RISKY, SIG_FILE_KNOWN,
    SIG_SMB_ETERNALBLUE, SIG_SMB_DP_PING, SIG_SMB_DP_INSTALLED, SIG_SMB_INTERNET,
    SIG_GH0ST,
    SIG_MINING_SESSION, SIG_MINING_NAME, SIG_CRYPTO_P2P, SIG_WEBLOGIC,
    SIG_C2_BARE_IP, SIG_C2_DDNS, SIG_C2_SINKHOLE, SIG_C2_POWERSHELL,
    SIG_SCAN_PORTS, SIG_SCAN_HOSTS, SIG_BRUTEFORCE, SIG_IOT_PORT,
    SIG_EK_CONTAINER, SIG_EK_PAYLOAD, SIG_C2_BEACON, SIG_EK_LANDING,
    SIG_EK_OBFUSCATED, SIG_EK_DISGUISED, SIG_STEALER_HTTP, SIG_STEALER_FILE, SIG_STEALER_MAIL,
    SIG_IOC,
    SIG__COUNT
};

typedef struct mm_sig {
    uint32_t sid;
    uint8_t rev, severity;
    const char *family;         /* alert.metadata.family */
    const char *explain;        /* alert.metadata.explain: key of the texts */
    const char *category;       /* Suricata classtype description */
    const char *msg;            /* alert.signature */
} mm_sig;

extern const mm_sig mm_sigs[SIG__COUNT];

/* Thresholds (det_params in detect.c, --detect name=value). */
typedef struct det_params {
    uint64_t alert_window;      /* s */
    uint64_t hb_leak_extra;     /* bytes a heartbeat response may exceed its request by */
    uint64_t rdp_guess_count, rdp_guess_window;
    uint64_t rdp_scan_hosts, rdp_scan_window, rdp_session_bytes, rdp_fast_conns;
    uint64_t ntp_large_mode7;   /* bytes */
    uint64_t ntp_flood_packets, ntp_flood_sources, ntp_flood_window, ntp_flood_mode7;
    uint64_t scan_ports, scan_hosts, scan_window, scan_window_out;
    uint64_t brute_count, brute_window, brute_short_pkts;
    uint64_t ek_window;
    uint64_t beacon_min_conns, beacon_score, beacon_internal;
    uint64_t stealer_posts, stealer_window;
} det_params;

/* A bounded table of per-source counters over a time window, with a few
 * distinct values remembered (ports, hosts). Lossy under pressure, never
 * growing. */
#define TRK_SLOTS 8192
#define TRK_DIST 32
typedef struct trk {
    uint64_t key;
    uint64_t start;             /* window start, ns (0: free) */
    uint64_t last;
    uint32_t count;
    uint16_t ndist;
    bool fired;
    uint32_t dist[TRK_DIST];
} trk;

/* Name lists: a set of names (matching themselves and subdomains), and for
 * sinkholes addresses and prefixes. */
typedef struct det_names {
    char **v;                   /* open addressing, NULL free */
    size_t cap, n;
} det_names;

/* Exploit-kit chains (det_ek.c) and information stealers (det_stealer.c)
 * keep their own fixed-size tables, made and freed with the detector. */
struct det_ek;
struct det_stealer;

/* Beaconing: per client, server and port, the last connections' start
 * times and sizes. */
#define BEACON_SLOTS 2048
#define BEACON_WAYS 4
#define BEACON_CONNS 64
typedef struct beacon {
    uint64_t key;
    uint64_t base;              /* ns; times are ms after it */
    uint64_t last;              /* ns: the last connection's start */
    uint32_t n;                 /* connections seen (the ring keeps 64) */
    bool fired;
    uint8_t ev;                 /* evidence about the server (det_beacon.c) */
    uint32_t t_ms[BEACON_CONNS];
    uint32_t bytes[BEACON_CONNS];
} beacon;

/* Addresses DNS answers gave lately (a connection to one had a name). */
#define RESOLVED_SLOTS 16384

/* A tag (rule keyword tag): packets logged after an alert while the
 * count of packets, seconds or bytes lasts; seen counts from the alert's
 * own packet, as Suricata counts it. */
typedef struct det_tag {
    bool on;
    uint8_t metric;             /* MM_TAG_* */
    uint32_t count, seen;
    uint64_t start_ns, bytes;
    uint64_t first_pkt;         /* the packet that started it (mm_detect.pkt_no): not logged */
    mm_ip ip;                   /* a host tag's address */
} det_tag;
#define DET_HOST_TAGS 256

struct mm_detect {
    mm_eve *eve;
    const struct mm_iocmatch *ioc;  /* indicators (--ioc), NULL: none */
    const mm_netlist *home;
    det_params p;
    mm_hashkey hk;
    trk *trk;                   /* TRK_SLOTS */
    det_names names[MM_LIST__COUNT];
    mm_netlist sinkhole_nets;
    uint64_t mining_ips;        /* addresses in the mining list */
    char *nets;                 /* sinkhole prefixes while lists are read */
    size_t nets_len;
    uint64_t *resolved;         /* RESOLVED_SLOTS */
    struct det_ek *ek;          /* det_ek.c */
    struct det_stealer *stl;    /* det_stealer.c */
    beacon *bc;                 /* BEACON_SLOTS */
    mm_thresholds *th;          /* --threshold-file (NULL: none) */
    struct mm_geo *geo;         /* opened on first need when the sensor has none */
    bool geo_tried;
    char home_cc[3];
    mm_detect_stats st;
    bool builtin;               /* the built-in detectors run (--no-detect: not) */
    bool midstream;             /* --midstream: flows picked up mid-way are established */
    uint8_t xff_mode;           /* --xff: 0 off, 1 extra-data, 2 overwrite */
    bool xff_reverse;
    struct mm_rules *rules;     /* --rules (NULL: none) */
    uint32_t rules_gen;         /* rule sets loaded since the start (a reload: one more) */
    uint64_t rules_syntax;      /* rules of the set that do not parse (syntax errors) */
    char syntax_first[256];     /* the first of them: "FILE line N: why" */
    struct mm_rules_thread *rt;
    size_t bits_words;          /* flowbits per flow */
    det_tag htags[DET_HOST_TAGS];  /* tag:host, oldest replaced when full */
    unsigned htag_next, ntags_on;  /* ntags_on: tags (session or host) set, ever */
    unsigned hosts_on;             /* host tags still counting */
    uint64_t rules_loaded, rules_skipped, rule_alerts;
    uint64_t rules_requires;    /* of the skipped: for another engine (requires) */
    uint64_t sbuf_total;        /* stream bytes held for the rules (det_flow.sbuf) */
    uint32_t sbuf_share;        /* the bound on them divided among this many workers */
    void *sbuf_free;            /* emptied buffers kept for reuse (a list through their
                                 * first bytes), at most SBUF_KEEP */
    unsigned nsbuf_free;
    uint64_t pkt_no;            /* packets begun (mm_detect_packet_start) */
    uint8_t alert_payload;      /* mm_detect_config.alert_payload */
    bool alert_verdict;         /* mm_detect_config.alert_verdict */
    bool alert_packet;          /* mm_detect_config.alert_packet */
    uint32_t alert_max;         /* rule alerts per packet (Suricata's packet-alert-max) */
    uint32_t pkt_alerts;        /* given on the packet begun */
    bool pkt_passed;            /* a pass rule matched it */
    const struct mm_pkt *cur_pkt;  /* the packet being inspected (alert dumps) */
    const struct mm_pkt *pend_pkt; /* the packet begun, before its flow is known */
    bool alert_caps;            /* a rule's alert is being written: its pktvars go in it */
    /* Workers (mm_detect_worker): a worker's detector borrows the first's
     * rules, lists, indicators and the state that spans flows (trackers,
     * beacons, resolved names, exploit-kit and stealer tables, the
     * threshold file), which xlock (recursive) guards; NULL: alone, no
     * locking. Its own: the rules' thread context, statistics, stream
     * buffers, host tags. */
    struct mm_detect *owner;    /* NULL: owns what it holds */
    pthread_mutex_t *xlock;
};

/* The state shared between workers' detectors: taken around the
 * built-ins and every use of trackers and thresholds (recursive). */
static inline void det_lock(mm_detect *d)
{
    if (d->xlock)
        pthread_mutex_lock(d->xlock);
}
static inline void det_unlock(mm_detect *d)
{
    if (d->xlock)
        pthread_mutex_unlock(d->xlock);
}


#define DET_IOC_PER_FLOW 8

/* Per-flow state, allocated on first need (mm_flow.det). */
typedef struct det_flow {
    uint32_t hb_req_len;        /* last heartbeat request record length */
    bool hb_attempt;            /* a malformed heartbeat request went by */
    bool smb_nt_trans;          /* an NT_TRANS with a large data total went by */
    uint16_t dp_mid;            /* DoublePulsar ping's multiplex id + 1 (0: none) */
    bool monlist_resp;          /* one of ours answered monlist to the Internet */
    bool ntp_mode7;
    uint8_t ntp_unasked;        /* a monlist answer nobody asked for came in: dir + 1 */
    uint16_t ntp_items;
    uint64_t ntp_req_bytes, ntp_resp_bytes;
    char host[128];             /* HTTP Host / SNI / last name of this flow */
    bool bare_ip;               /* HTTP Host or no-SNI TLS to a literal public IP */
    bool vendor;                /* the name or certificate is a big vendor's */
    uint8_t cert;               /* CERT_*: what the server's certificate showed */
    uint8_t file_kind;          /* FK_* of the last file this flow carried */
    uint8_t n_ioc;              /* indicators this flow has alerted on (det_ioc.c) */
    uint32_t ioc_hit[DET_IOC_PER_FLOW];
    uint32_t rules_gen;         /* the rule set rbits, rints and vars belong to */
    uint32_t *rbits;            /* the rules' flowbits (NULL until one is set) */
    struct mm_fint *rints;      /* the rules' flowints (NULL until one is set) */
    struct det_var *vars;       /* the rules' flowvars from pcre groups (NULL: none) */
    uint8_t nvars;
    det_tag stag;               /* a rule's tag:session on this flow */
    /* a direction's stream data not inspected by the rules yet (sbuf:
     * slen bytes in scap, the first sack of them acknowledged by the
     * peer): inspected in chunks as Suricata's raw stream (det_rules.c),
     * so a pattern cut across segments is found */
    uint8_t *sbuf[2];
    uint32_t slen[2], scap[2], sack[2];
    /* the last response body's content, for the HTTP observation that
     * follows its file (det_ek.c) */
    struct det_body {
        bool fresh;             /* set by the file, taken by the request */
        char magic[40];
        uint8_t obfuscation;    /* mm_fshape_obfuscation */
        uint8_t decoders;
        uint8_t xor_len;        /* a program XOR-encoded with a key this long (0: no) */
        bool text, vbscript;
        bool plugin;            /* a page that loads Flash, Silverlight or Java */
        bool media;             /* audio or video by its first bytes */
        uint16_t entropy;       /* hundredths of a bit per byte */
        uint32_t longest;       /* longest unbroken string */
        uint64_t size;
    } body;
    /* a direction's transaction side parsed at a packet of the other
     * direction, inspected at the next packet of its own (DCE/RPC over
     * TCP: det_rules_app) */
    struct det_defer *defer[2];
} det_flow;

enum { FK_NONE, FK_PE, FK_FLASH, FK_JAR, FK_XAP, FK_SCRIPT };
enum { CERT_SELF_SIGNED = 1, CERT_OTHER_NAME = 2, CERT_YOUNG = 4 };

det_flow *det_flow_get(mm_flow *f);

/* det_rules.c: Suricata rules in the sensor */
bool det_rules_load(mm_detect *d, const mm_detect_config *c, char *err, size_t errlen);
void det_rules_free(mm_detect *d);
/* A worker's detector (mm_detect_worker): its rules context freed; made
 * again for the owner's rules when they changed (false without memory). */
void det_rules_worker_free(mm_detect *w);
bool det_rules_worker_sync(mm_detect *w);
/* Rules read again (mm_detect_reload): loaded beside the running set (the
 * packet path may go on meanwhile; d is only read), NULL with err when
 * they do not load whole; then the running set replaced (nothing
 * inspecting), or the new one dropped. */
mm_detect *det_rules_reload_prepare(const mm_detect *d, const mm_detect_config *c, char *err,
                                    size_t errlen);
void det_rules_reload_commit(mm_detect *d, mm_detect *n);
void det_rules_reload_abandon(mm_detect *n);
void det_rules_app(mm_detect *d, mm_flow *f, int dir, const mm_obs_buffers *ob, uint64_t ts);
/* both: the event's transaction is open both ways (MM_OBS_APP_EVENT_TX). */
void det_rules_app_event(mm_detect *d, mm_flow *f, int dir, const char *name, bool both,
                         uint64_t ts);
void det_rules_stream(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n);
/* The stream data the rules still hold: inspected (flow end), or dropped
 * (free). */
void det_rules_stream_flush(mm_detect *d, mm_flow *f);
void det_rules_stream_free(mm_detect *d, mm_flow *f);
void det_rules_file(mm_detect *d, mm_flow *f, const mm_obs_file *o, uint64_t ts);

/* Raise alert sig on flow f; dir: direction of the traffic that showed it
 * (MM_TO_SERVER: the client is the source). extra adds fields to
 * mimamori.alert (may be NULL). */
void det_alert(mm_detect *d, mm_flow *f, int sig, int dir, uint64_t ts,
               void (*extra)(mm_json *j, const void *arg), const void *arg);
/* The same at a severity of the detector's choosing (1-3: evidence that
 * corroborates raises it, the signature's own is the usual one). */
void det_alert_sev(mm_detect *d, mm_flow *f, int sig, int severity, int dir, uint64_t ts,
                   void (*extra)(mm_json *j, const void *arg), const void *arg);

/* The start of a built-in alert's event, up to and with alert.metadata's
 * family and explain: the caller adds metadata, closes it and the alert
 * object (mj_obj_close twice), then the mimamori part. */
mm_json *det_alert_begin(mm_detect *d, mm_flow *f, const mm_sig *s, int severity, int dir,
                         uint64_t ts);

/* Extra fields of an alert (mimamori.alert): up to eight strings and six
 * numbers; unset and empty strings are left out. */
typedef struct det_fields {
    const char *k[8], *v[8];
    const char *nk[6];
    uint64_t n[6];
} det_fields;
void det_fields_json(mm_json *j, const void *arg);

/* Tracker entry for key material (created or reset when its window is over). */
trk *det_trk(mm_detect *d, const void *key, size_t klen, uint64_t ts, uint64_t window_s);
/* Adds v to the distinct values; returns how many distinct there are. */
uint32_t det_trk_distinct(trk *t, uint32_t v);

bool det_home(const mm_detect *d, const mm_ip *ip);
/* The country of ip into cc ("" when unknown; the GeoIP data is opened on
 * first need), and "yes"/"no" for whether that is abroad ("" unknown). */
const char *det_country(mm_detect *d, const mm_ip *ip, char cc[3]);
const char *det_abroad(const mm_detect *d, const char *cc);
/* Outside the company and on the Internet. */
bool det_external(const mm_detect *d, const mm_ip *ip);
/* A public address (not private, loopback, link-local, multicast, CGNAT, documentation). */
bool det_public(const mm_ip *ip);

/* Lists (lists.c). */
bool det_lists_init(mm_detect *d, const mm_detect_config *c, char *err, size_t errlen);
/* One list file's entries (fuzzing reads them from memory); then finish. */
bool det_list_read(mm_detect *d, int kind, FILE *fp);
bool det_lists_finish(mm_detect *d, char *err, size_t errlen);
void det_lists_free(mm_detect *d);
/* The listed name name matches (itself or a parent domain), or NULL. */
const char *det_name_match(const mm_detect *d, int kind, const char *name);
bool det_sinkhole(const mm_detect *d, const mm_ip *ip);

/* Exploit kits (det_ek.c): the chain per client, fed by each HTTP
 * request and each response body. */
bool det_ek_init(mm_detect *d);
void det_ek_free(mm_detect *d);
void det_ek_http(mm_detect *d, mm_flow *f, int dir, const mm_obs_http *o, uint64_t ts);
void det_ek_file(mm_detect *d, mm_flow *f, const mm_obs_file *o, uint64_t ts);

/* Information stealers (det_stealer.c): uploads over HTTP, files sent by
 * FTP or HTTP, mail. */
bool det_stealer_init(mm_detect *d);
void det_stealer_free(mm_detect *d);
void det_stealer_http(mm_detect *d, mm_flow *f, int dir, const mm_obs_http *o, uint64_t ts);
void det_stealer_file(mm_detect *d, mm_flow *f, const mm_obs_file *o, uint64_t ts);
void det_stealer_mail(mm_detect *d, mm_flow *f, int dir, const mm_obs_mail *o, uint64_t ts);

/* Detectors (det_proto.c, det_flow.c). */
void det_observe(mm_detect *d, mm_flow *f, int dir, int kind, const void *obs, uint64_t ts);
void det_stream(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n);
void det_flow_end(mm_detect *d, mm_flow *f);
/* Beaconing (det_beacon.c): at a flow's end; the server's certificate. */
void det_beacon(mm_detect *d, mm_flow *f);
void det_beacon_cert(mm_detect *d, mm_flow *f, const mm_obs_tls_cert *o, uint64_t ts);
/* A monlist answer nobody asked for, at its flow's end (det_proto.c). */
void det_ntp_answered_end(mm_detect *d, mm_flow *f, det_flow *df);
/* Some DNS answer lately gave this address (det_proto.c). */
bool det_resolved(const mm_detect *d, const mm_ip *ip);
/* Cryptocurrency nodes (det_p2p.c): a TCP chunk, a UDP datagram. */
void det_p2p_stream(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n);
void det_p2p_datagram(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n);

/* Indicators (det_ioc.c): both ends of a flow (once), what parsers saw. */
void det_ioc_flow(mm_detect *d, mm_flow *f, uint64_t ts);
void det_ioc_observe(mm_detect *d, mm_flow *f, int dir, int kind, const void *obs, uint64_t ts);

#endif
