/*
 * app.h - the application layer: which protocol a flow speaks, and the
 * parsers that read it.
 *
 * Every protocol is one file with one table entry (mm_app_parser), as in
 * nDPI: a probe that says whether the first bytes of a direction look like
 * the protocol, and a parser fed with reassembled TCP data or with UDP
 * datagrams. Detection is by content, never by port: the first bytes of
 * each direction (up to MM_APP_PROBE_MAX, gathered across segments) are
 * offered to every probe of the transport; the first that says yes wins. A
 * flow whose first MM_APP_GIVEUP bytes in both directions match nothing is
 * "failed", as Suricata says.
 *
 * Memory: parser state is allocated when a protocol is found, bounded per
 * flow by each parser and in total by the app memory cap; above it a flow
 * keeps its app_proto but is not parsed (counted).
 */
#ifndef MM_APP_H
#define MM_APP_H

#include "flow/flow.h"
#include "output/output.h"

enum {
    MM_APP_UNKNOWN = 0,
    MM_APP_HTTP,
    MM_APP_TLS,
    MM_APP_DNS,
    MM_APP_SSH,
    MM_APP__COUNT,
    MM_APP_FAILED = 0xFFFF,
};

#define MM_APP_PROBE_MAX 64     /* bytes per direction kept for probing */
#define MM_APP_GIVEUP 4096      /* bytes per direction after which we stop trying */

enum { MM_PROBE_NO = 0, MM_PROBE_YES = 1, MM_PROBE_MORE = 2 };

typedef struct mm_app mm_app;

typedef struct mm_app_parser {
    const char *name;           /* app_proto in EVE */
    uint16_t id;
    bool tcp, udp;              /* transports it runs on */
    /* Do the first n bytes of direction dir of flow f look like this
     * protocol? (udp: d is one whole datagram). Content decides; a probe may
     * be less strict on the protocol's well-known port, never port-only. */
    int (*probe)(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n);
    /* A flow this protocol's probe must not claim (NULL: none): for a
     * protocol whose wire format another protocol reuses. */
    bool (*excluded)(const mm_flow *f);
    size_t state_size;          /* zeroed state allocated on detection */
    /* Data of one direction: a TCP chunk (d NULL: a gap of n bytes) or a
     * UDP datagram. ts: time of the packet that carried it. */
    void (*parse)(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                  uint64_t ts);
    /* Flow ends: log what is pending, free what the state owns. */
    void (*finish)(mm_app *a, mm_flow *f, void *st, uint64_t ts);
} mm_app_parser;

typedef struct mm_app_stats {
    uint64_t flows[MM_APP__COUNT][2];   /* [id][0: TCP, 1: UDP] */
    uint64_t failed[2];
    uint64_t events, parse_errors, memcap_skips;
    uint64_t memuse;
} mm_app_stats;

struct mm_app {
    mm_eve *eve;
    uint64_t memcap;
    mm_app_stats st;
    bool enabled;
};

void mm_app_init(mm_app *a, mm_eve *eve, uint64_t memcap, bool enabled);
const char *mm_app_name(uint16_t id);   /* NULL for unknown */
/* Suricata's stats name for a protocol on a transport: "dns_udp", "http" ...
 * (NULL when the protocol does not run on that transport). */
const char *mm_app_stats_name(uint16_t id, bool udp, char *buf, size_t n);

/* Called by the sensor. */
void mm_app_stream(mm_app *a, mm_flow *f, int dir, const uint8_t *d, uint32_t n, bool eof);
void mm_app_udp(mm_app *a, mm_flow *f, int dir, const uint8_t *d, uint32_t n, uint64_t ts);
void mm_app_flow_end(mm_app *a, mm_flow *f);

/* For parsers: memory that counts against the app memory cap (NULL when
 * over it or out of memory; counted as a memcap skip). */
void *mm_app_alloc(mm_app *a, size_t n);          /* zeroed */
void *mm_app_alloc_buf(mm_app *a, size_t n);      /* not zeroed: for buffers */
void mm_app_free(mm_app *a, void *p, size_t n);

/* For parsers: a parse error or a limit reached (counted, and an applayer
 * anomaly event is not raised per error to keep the log quiet). */
void mm_app_error(mm_app *a, mm_flow *f);

/* Event helpers for parsers: start an event of the flow (tuple oriented
 * from the client, or from the packet's sender when dir_tuple is true), then
 * add the protocol object, then end. */
mm_json *mm_app_event_begin(mm_app *a, const mm_flow *f, uint64_t ts, const char *type,
                            int dir, bool dir_tuple);
void mm_app_event_end(mm_app *a, const mm_flow *f);

/* The parsers (one file each). */
extern const mm_app_parser mm_parser_http, mm_parser_tls, mm_parser_dns, mm_parser_ssh;

#endif
