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
#include "proto/bufs.h"
#include "output/output.h"

enum {
    MM_APP_UNKNOWN = 0,
    MM_APP_HTTP,
    MM_APP_TLS,
    MM_APP_DNS,
    MM_APP_SSH,
    MM_APP_SMB,
    MM_APP_NTP,
    MM_APP_DHCP,
    MM_APP_SMTP,
    MM_APP_RDP,
    MM_APP_FTP,
    MM_APP_FTPDATA,
    MM_APP_STRATUM,
    MM_APP_TELNET,
    MM_APP_DCERPC,
    MM_APP__COUNT,
    MM_APP_FAILED = 0xFFFF,
};

#define MM_APP_PROBE_MAX 256    /* bytes per direction kept for probing */
#define MM_APP_GIVEUP 4096      /* bytes per direction after which we stop trying */

enum { MM_PROBE_NO = 0, MM_PROBE_YES = 1, MM_PROBE_MORE = 2 };

/* Suricata's smtp md5 option: the subject's, the raw body's. */
#define MM_SMTP_MD5_SUBJECT 1
#define MM_SMTP_MD5_BODY 2

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
    /* A TCP packet of direction dir, once its data and what it
     * acknowledges went to the parser (NULL: none). Suricata's loggers
     * run per packet: a file of a direction is logged at a packet of that
     * direction, so what the parser holds for it is written here. */
    void (*packet)(mm_app *a, mm_flow *f, void *st, int dir, uint64_t ts);
} mm_app_parser;

typedef struct mm_app_stats {
    uint64_t flows[MM_APP__COUNT][2];   /* [id][0: TCP, 1: UDP] */
    uint64_t failed[2];
    uint64_t events, parse_errors, memcap_skips;
    uint64_t memuse;
} mm_app_stats;

/* What parsers show the built-in detectors beyond the log: facts an
 * attack is recognised by (header fields, sizes) that a log line would not
 * carry. One callback, a kind and a struct per kind. */
enum {
    MM_OBS_SMB1 = 1,        /* mm_obs_smb1: every SMB1 message */
    MM_OBS_TLS_HEARTBEAT,   /* mm_obs_tls_heartbeat: every heartbeat record */
    MM_OBS_TLS_ALERT,       /* mm_obs_tls_alert: every cleartext alert record */
    MM_OBS_NTP,             /* mm_obs_ntp: every NTP datagram */
    MM_OBS_TLS_HELLO,       /* mm_obs_tls_hello: ClientHello and ServerHello */
    MM_OBS_NAME,            /* mm_obs_name: a name asked for (DNS, SNI, Host) */
    MM_OBS_DNS_ANSWER,      /* mm_obs_dns_answer: each A/AAAA answer */
    MM_OBS_HTTP,            /* mm_obs_http: each request (with its response) */
    MM_OBS_STRATUM,         /* mm_obs_stratum: each mining call */
    MM_OBS_RDP,             /* mm_obs_rdp: X.224 connection request/confirm */
    MM_OBS_FILE,            /* mm_obs_file: each file carried, at its end */
    MM_OBS_LOGIN,           /* mm_obs_login: a login answered (FTP, Telnet, SMB) */
    MM_OBS_TLS_CERT,        /* mm_obs_tls_cert: the server's certificate (TLS <= 1.2) */
    MM_OBS_BUFFERS,         /* mm_obs_buffers: rule inspection buffers of a moment */
    MM_OBS_APP_EVENT,       /* const char *: an app-layer event by Suricata's name
                             * ("http.request_auth_unrecognized"), for the rules */
    MM_OBS_APP_EVENT_MSG,   /* the same, logged only: its rules are checked with
                             * its message (mm_obs_buffers.events_alone) */
    MM_OBS_MAIL,            /* mm_obs_mail: each SMTP message, at its end */
    MM_OBS_APP_EVENT_TX,    /* const char *: an event of a transaction still open
                             * both ways (an SMB file's): Suricata inspects its
                             * events in each direction, so an undirected rule
                             * on it alerts for both */
};

typedef struct mm_obs_smb1 {
    uint8_t cmd;
    bool response;
    uint32_t status;
    uint16_t tid, pid, uid, mid;
    uint8_t word_count;
    /* Transactions (TRANS, TRANS2, NT_TRANS and their secondaries). */
    uint16_t subcmd;        /* setup word 0 (TRANS2), function (NT_TRANS) */
    uint8_t setup_count;
    uint32_t total_param, total_data, param_count, param_offset, param_disp;
    uint32_t data_count, data_offset, data_disp;
    uint32_t msg_len;       /* SMB message length from the NetBIOS header */
} mm_obs_smb1;

typedef struct mm_obs_tls_heartbeat {
    uint8_t type;           /* 1 request, 2 response; 0 encrypted (unknown) */
    uint16_t payload_len;   /* claimed payload length (0 when encrypted) */
    uint16_t record_len;    /* TLS record length */
    bool encrypted;         /* after ChangeCipherSpec: only sizes are known */
} mm_obs_tls_heartbeat;

typedef struct mm_obs_tls_alert {
    uint8_t level, desc;
    bool encrypted;
} mm_obs_tls_alert;

typedef struct mm_obs_ntp {
    uint8_t version, mode, stratum;
    bool response;
    uint8_t implementation, request_code;   /* mode 7 */
    uint16_t items, item_size;               /* mode 7 */
    uint16_t opcode;                         /* mode 6 */
    uint32_t len;                            /* datagram length */
} mm_obs_ntp;

typedef struct mm_obs_tls_hello {
    bool server;            /* ServerHello (else ClientHello) */
    uint16_t version;       /* hello version (server: supported_versions' choice) */
    uint16_t max_version;   /* ClientHello: highest offered (supported_versions) */
    uint16_t cipher;        /* ServerHello: the suite chosen */
    bool fallback_scsv;     /* ClientHello: TLS_FALLBACK_SCSV (a downgraded retry) */
    const char *sni;        /* "" when none */
    const char *ja3;        /* JA3 (client) or JA3S (server) hash, "" when none */
    const char *ja4;        /* JA4 of a ClientHello, "" when none */
} mm_obs_tls_hello;

typedef struct mm_obs_tls_cert {
    const char *subject, *issuer;   /* as logged: "C=US, O=Org, CN=host" */
    const char *notbefore;          /* "YYYY-MM-DDTHH:MM:SS" ("" unknown) */
    const char *sans;               /* subjectAltName DNS names, comma-separated */
    const char *sni;                /* the name the client asked for ("" none) */
} mm_obs_tls_cert;

enum { MM_NAME_DNS = 1, MM_NAME_SNI, MM_NAME_HTTP };
typedef struct mm_obs_name {
    int source;             /* MM_NAME_* */
    const char *name;
} mm_obs_name;

typedef struct mm_obs_dns_answer {
    const char *rrname;     /* the name asked */
    mm_ip addr;             /* what it resolves to */
} mm_obs_dns_answer;

typedef struct mm_obs_http {
    const char *method, *uri, *host, *ua, *ctype;   /* request ("" when absent) */
    const uint8_t *body;    /* start of the request body (window) */
    uint32_t body_len;
    int status;             /* 0: no response */
    const char *resp_ctype; /* response Content-Type */
    const char *referer, *location;     /* Referer, a response's Location ("" none) */
    uint64_t req_len, resp_len;         /* body bytes each way */
} mm_obs_http;

typedef struct mm_obs_stratum {
    const char *method, *user, *agent;
} mm_obs_stratum;

typedef struct mm_obs_rdp {
    bool confirm;           /* X.224 connection confirm (else request) */
    bool failure;           /* a confirm carrying RDP_NEG_FAILURE */
    const char *cookie;     /* mstshash user ("" when none) */
    uint32_t protocols;     /* requested or selected */
} mm_obs_rdp;

/* A file at its end as the rules see it (filesize, filemd5 ...). */
typedef struct mm_file_info {
    const char *name;
    uint64_t size;
    bool complete;          /* whole, no gaps */
    unsigned hashes;        /* MM_HASH_* computed (a cut file's: of the bytes seen) */
    uint8_t md5[16], sha1[20], sha256[32];
} mm_file_info;

typedef struct mm_obs_file {
    const mm_file_info *info;
    const char *name;       /* as carried ("" when none) */
    const char *magic;      /* type by content */
    const uint8_t *head;    /* first bytes of the content */
    uint32_t head_len;
    const uint8_t *data;    /* the first 32 KiB when rules run (else = head) */
    uint32_t data_len;
    uint64_t size;
    bool complete;
    const char *sha256;     /* hex, "" when not computed */
    bool macros;            /* an Office file with a VBA project */
    const char *inner;      /* a program or script inside the archive ("" none) */
    const char *declared;   /* the carrier's declared type ("" none) */
    int dir;                /* the way it went (MM_TO_*) */
    bool gaps, stored;      /* as its fileinfo says */
    bool has_tx;            /* it belongs to transaction tx_id */
    uint64_t tx_id;
    /* writes the carrier's object ("ftp_data": {...}) into an alert (NULL: none) */
    void (*json)(mm_json *j, const void *arg);
    const void *json_arg;
    const struct mm_fshape *shape;  /* the content's shape (proto/fshape.h), NULL: none */
} mm_obs_file;

typedef struct mm_obs_buffers {
    const mm_obs_buf *b;
    int n;
    /* writes the protocol's object ("http": {...}) into an alert (NULL: none) */
    void (*json)(mm_json *j, const void *ctx);
    const void *json_ctx;
    const mm_file_info *file;   /* the file that ended with this moment (NULL: none) */
    const char *xff;            /* the request's X-Forwarded-For (NULL: none) */
    bool *nolog;                /* set by a rule "config: logging disable" (NULL: no tx) */
    /* the app-layer events the message raised ("http.request_body_unexpected"):
     * rules naming one with buffers of the message are checked here */
    const char *const *events;
    int nevents;
    bool events_alone;          /* rules on an event alone are checked here too */
} mm_obs_buffers;

/* A mail message as sent (SMTP), at its end. */
typedef struct mm_obs_mail {
    const char *helo, *banner;      /* the client's greeting, the server's */
    const char *mail_from, *rcpt;   /* envelope; rcpt: addresses '\n'-separated */
    const char *from, *to, *subject, *xmailer;  /* headers ("" when absent) */
    const char *const *att;         /* attachment names */
    int natt;
    const uint8_t *text;            /* the start of the text parts, decoded */
    uint32_t text_len;
    bool auth;                      /* the client logged in (AUTH accepted) */
} mm_obs_mail;

typedef struct mm_obs_login {
    const char *service;    /* "ftp", "telnet", "smb" */
    bool ok;                /* accepted (else refused) */
} mm_obs_login;

typedef void (*mm_app_observer)(void *ctx, mm_flow *f, int dir, int kind, const void *obs,
                                uint64_t ts);

/* A connection announced by another (FTP's PASV/PORT): when a TCP flow to
 * ip:port starts, it is ftp-data carrying the transfer named here. */
#define MM_APP_EXPECT 32
typedef struct mm_app_expectation {
    mm_ip ip;
    uint16_t port;
    bool used;
    char cmd[8];
    char name[256];
} mm_app_expectation;

/* Where files are kept (--filestore): dir NULL to keep none. */
enum { MM_HASH_MD5 = 1, MM_HASH_SHA1 = 2, MM_HASH_SHA256 = 4 };

typedef struct mm_filestore {
    unsigned hashes;            /* MM_HASH_* computed for every file */
    const char *dir;
    uint64_t max;               /* larger files are not kept */
    uint64_t stored, not_stored, errors;
} mm_filestore;

/* DNS logging as Suricata's dns logger options: requests and responses
 * (each on by default), types (the question types logged). */
enum { MM_DNS_NO_REQUESTS = 1, MM_DNS_NO_RESPONSES = 2 };
#define MM_DNS_TYPES_MAX 32
/* The number of a DNS record type named as Suricata's types option names
 * them ("a", "aaaa", "mx", ... any case), or -1. */
int mm_dns_type_of(const char *name);

struct mm_app {
    mm_eve *eve;
    uint64_t memcap;
    mm_app_stats st;
    bool enabled;
    mm_app_observer observe;    /* NULL: nobody listens */
    bool buffers;               /* rules listen: keep what MM_OBS_BUFFERS needs */
    uint8_t http_headers;       /* HTTP events list all headers: 1 request, 2 response */
    bool http_basic;            /* HTTP events: Suricata's basic fields only */
    uint8_t http_layers;        /* Content-Encoding layers undone per body (default 2) */
    uint64_t http_req_body_limit;   /* request body bytes read for its upload's
                                     * files (libhtp's request-body-limit; 0: all) */
    uint8_t smtp_md5;           /* email objects carry MD5s: MM_SMTP_MD5_* */
    uint8_t dns_unlogged;       /* DNS events left out: MM_DNS_NO_REQUESTS, _RESPONSES */
    uint8_t ndns_types;         /* DNS events only for questions of these types (0: all) */
    uint16_t dns_types[MM_DNS_TYPES_MAX];
    void *observe_ctx;
    mm_app_expectation expect[MM_APP_EXPECT];
    unsigned expect_next;
    mm_filestore store;
    void *hrange;               /* HTTP range pieces being put together (http_range.c) */
    uint64_t event_tx;          /* the transaction (id + 1) of the app-layer event
                                 * being observed (mm_app_tx_event), 0: none */
};

/* For parsers: a data connection to ip:port will come (oldest forgotten). */
void mm_app_expect(mm_app *a, const mm_ip *ip, uint16_t port, const char *cmd,
                   const char *name);

static inline void mm_app_observe(mm_app *a, mm_flow *f, int dir, int kind, const void *obs,
                                  uint64_t ts)
{
    if (a->observe)
        a->observe(a->observe_ctx, f, dir, kind, obs, ts);
}

/* For parsers: an app-layer event of transaction tx_id (Suricata logs a
 * tx's events with its tx_id). */
static inline void mm_app_tx_event(mm_app *a, mm_flow *f, int dir, const char *name,
                                   uint64_t tx_id, uint64_t ts)
{
    a->event_tx = tx_id + 1;
    mm_app_observe(a, f, dir, MM_OBS_APP_EVENT, name, ts);
    a->event_tx = 0;
}

void mm_app_init(mm_app *a, mm_eve *eve, uint64_t memcap, bool enabled);
const char *mm_app_name(uint16_t id);   /* NULL for unknown */
/* The app layer's counters as a stats event writes them: flows per
 * protocol and transport by their stats names, Suricata's and ours. */
void mm_app_stats_get(const mm_app *a, mm_stats_app *out);

/* Called by the sensor. */
void mm_app_stream(mm_app *a, mm_flow *f, int dir, const uint8_t *d, uint32_t n, bool eof);
void mm_app_udp(mm_app *a, mm_flow *f, int dir, const uint8_t *d, uint32_t n, uint64_t ts);
void mm_app_flow_end(mm_app *a, mm_flow *f);
/* After a TCP packet of direction dir went through the stream: the
 * parser's packet hook; a session closed (both FINs, the last one
 * acknowledged) ends the parser's work, as Suricata's STREAM_EOF. */
void mm_app_packet(mm_app *a, mm_flow *f, int dir, uint64_t ts);

/* For parsers: did direction dir of a TCP flow reach the stream depth (the
 * rest of it never reaches the parser: a file in it is cut)? */
static inline bool mm_app_depth_cut(const mm_flow *f, int dir)
{
    return f->proto == 6 && f->half[dir].depth_reached;
}

/* For parsers: memory that counts against the app memory cap (NULL when
 * over it or out of memory; counted as a memcap skip). */
void *mm_app_alloc(mm_app *a, size_t n);          /* zeroed */
void *mm_app_alloc_buf(mm_app *a, size_t n);      /* not zeroed: for buffers */
void mm_app_free(mm_app *a, void *p, size_t n);

/* For parsers: the protocol ends here and another may begin (a tunnel after
 * an HTTP CONNECT was answered 2xx): once the current chunk is parsed, the
 * parser's state is finished and dropped and the flow's next data of
 * either direction goes through detection again, as Suricata's protocol
 * change (the flow's app_proto_orig keeps the first protocol). */
void mm_app_change_proto(mm_app *a, mm_flow *f);

/* For parsers: a parse error or a limit reached (counted, and an applayer
 * anomaly event is not raised per error to keep the log quiet). */
void mm_app_error(mm_app *a, mm_flow *f);

/* Probe helpers for text protocols: the data begins with one of the verbs
 * (upper case, compared without case), whole or as far as it came; a
 * "220" greeting line containing word (upper case). */
int mm_probe_verbs(const uint8_t *d, uint32_t n, const char *const *verbs, size_t nverbs);
int mm_probe_greeting(const uint8_t *d, uint32_t n, const char *word);

/* Event helpers for parsers: start an event of the flow (tuple oriented
 * from the client, or from the packet's sender when dir_tuple is true), then
 * add the protocol object, then end. */
mm_json *mm_app_event_begin(mm_app *a, const mm_flow *f, uint64_t ts, const char *type,
                            int dir, bool dir_tuple);
void mm_app_event_end(mm_app *a, const mm_flow *f);
/* Or: mimamori opens our own object (parser adds e.g. "ntp"), close emits. */
mm_json *mm_app_event_mimamori(mm_app *a, const mm_flow *f);
void mm_app_event_close(mm_app *a);

/* The parsers (one file each). */
extern const mm_app_parser mm_parser_http, mm_parser_tls, mm_parser_dns, mm_parser_ssh,
    mm_parser_smb, mm_parser_ntp, mm_parser_dhcp, mm_parser_smtp,
    mm_parser_rdp, mm_parser_ftp, mm_parser_ftpdata,
    mm_parser_stratum, mm_parser_telnet, mm_parser_dcerpc, mm_parser_dcerpc_udp;

/* tls.c: between two records of direction dir (a cleartext protocol may
 * resume there, as FTP after CCC). */
bool mm_tls_at_boundary(const void *st, int dir);

/* ftp.c: fills a new ftp-data state with what its control connection said. */
void mm_ftpdata_init(void *st, const char *cmd, const char *name);

#endif
