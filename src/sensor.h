/*
 * sensor.h - the sensor: capture -> decode -> flow -> stream -> output.
 * The command line (cli/sensor_cmd.c) fills an mm_sensor_config and calls
 * mm_sensor_run(); everything else lives behind this.
 */
#ifndef MM_SENSOR_H
#define MM_SENSOR_H

#include "detect/detect.h"
#include "flow/flow.h"

#define MM_MAX_FILES 1024
#define MM_SENSOR_MAX_IOC 32

typedef struct mm_sensor_config {
    const char *files[MM_MAX_FILES];
    int nfiles;
    const char *iface, *bpf, *user;
    const char *site, *sensor;
    const char *home_net;
    const char *eve_path;       /* "-" = stdout */
    const char *outdir;         /* segments */
    const char *pcap_dir;
    uint64_t pcap_quota;
    int pcap_mode;              /* MM_PCAP_ALL / MM_PCAP_ALERTED */
    mm_flow_config flow;
    uint64_t defrag_memcap;
    uint64_t stats_interval_s;
    uint64_t seg_size, seg_age_s;
    int zstd_level;
    const char *seal_key_path;
    const char *geoip;
    bool community_id;          /* --community-id: Community ID on events */
    uint16_t community_seed;
    uint32_t snaplen;
    bool promisc;
    int progress;               /* -1 auto (terminal), 0 off, 1 on */
    bool quiet;
    uint64_t anomaly_rate;      /* anomaly events per kind per minute */
    bool anomaly_packethdr;     /* anomaly events carry the packet's start */
    uint8_t anomaly_types;      /* events for: 1 decode, 2 stream, 4 applayer anomalies */
    bool ethernet;              /* events carry MAC addresses ("ether", Suricata's) */
    bool pcap_filename;         /* events of a file's packets name the file (pcap-file) */
    bool no_app_layer;          /* decode and flows only */
    uint64_t app_memcap;
    const char *filestore;      /* keep carried files here (NULL: not kept) */
    uint64_t filestore_max;
    unsigned file_hashes;       /* MM_HASH_* bits */
    uint8_t http_headers;       /* all headers in http events: 1 request, 2 response */
    bool http_basic;            /* http events: Suricata's basic fields (extended: no) */
    int http_layers;            /* Content-Encoding layers undone (0: the default, 2) */
    uint64_t http_req_body_limit;   /* libhtp's request-body-limit (0: none) */
    uint8_t smtp_md5;           /* email objects carry MD5s (MM_SMTP_MD5_*) */
    uint8_t dns_log;            /* DNS events logged: 1 requests, 2 responses (default 3) */
    uint8_t ndns_types;         /* DNS events only for questions of these types (0: all) */
    uint16_t dns_types[MM_DNS_TYPES_MAX];
    mm_detect_config detect;    /* built-in detectors (its ioc: made from the files below) */
    const char *ioc[MM_SENSOR_MAX_IOC];     /* --ioc FILE|DIR: indicators, read again on SIGHUP */
    int nioc;
    uint8_t midstream_policy;   /* MM_MSP_*: a TCP flow picked up mid-way (exception policy) */
    int capture;                /* live: MM_CAPTURE_AFPACKET (default) or MM_CAPTURE_PCAP */
    int workers;                /* AF_PACKET workers (0: one a core) */
    uint32_t ring_block_size, ring_blocks;  /* a worker's ring (0: 256 KiB x 128) */
} mm_sensor_config;

/* --ring-size is made of blocks of this size. */
#define MM_RING_BLOCK (256u << 10)
/* Live capture: AF_PACKET rings, one a worker thread in a fanout group
 * (the default), or libpcap (one thread; other platforms' way). */
enum { MM_CAPTURE_AFPACKET, MM_CAPTURE_PCAP };
/* Workers by default: the cores online (at most MM_MAX_WORKERS). */
int mm_sensor_workers_default(void);

/* Suricata's stream.midstream-policy in an IDS: what becomes of a TCP flow
 * whose handshake was not seen. Ignore: as --midstream says; bypass: no
 * app layer, no rules, the flow "bypassed"; pass-flow: no rules, the app
 * layer parsed and logged with --midstream (else not), the flow's action
 * "pass". */
enum { MM_MSP_IGNORE, MM_MSP_BYPASS, MM_MSP_PASS_FLOW };

void mm_sensor_config_defaults(mm_sensor_config *c);

/* Profiles (issue 29): caps for the size of the box. "small" keeps the
 * sensor with ET Open within the budget of docs/mimamori.1 on a 2 GB box;
 * "standard" is mm_sensor_config_defaults' caps. false: no such profile. */
#define MM_SMALL_BOX (2ULL << 30)   /* at most this much memory: small */
bool mm_sensor_profile(mm_sensor_config *c, const char *name);
/* The memory this process may use: physical memory, or the memory limit of
 * its cgroup (v2 memory.max, v1 memory.limit_in_bytes, the lowest of its
 * ancestors') when lower; MIMAMORI_MEMORY (a size) overrides both, for
 * tests. 0 when unknown. */
uint64_t mm_box_memory(void);
/* Runs to the end of input (files) or until SIGINT/SIGTERM (live). A live
 * sensor reads its rules and indicators again on SIGHUP, between packets;
 * a set that fails to load leaves the running one in place. Live capture
 * gives up every capability once the interface and outputs are open.
 * Returns the process exit code: 0 ok, 1 input/output error. */
int mm_sensor_run(const mm_sensor_config *c);
/* -T: the home networks, indicators, lists and rules loaded as
 * mm_sensor_run would (the rules compiled into the rules cache when one
 * is given), counts on stderr, nothing captured. 0 when they load, 1 when
 * not, 2 for a bad --home-net. */
int mm_sensor_test(const mm_sensor_config *c);

#endif
