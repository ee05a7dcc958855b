/*
 * rule.h - rules of the Suricata language (and the Snort 2.9 spellings ET
 * Open still uses), parsed and checked, ready for matching.
 *
 * A rule is a header (action, protocol, addresses, ports, direction) and
 * a chain of options. Matching options belong to an inspection buffer: the
 * packet or stream payload, or an app-layer buffer (http.uri, dns.query,
 * tls.sni ...) named by a sticky-buffer keyword before them or, in the old
 * spelling, by a modifier after a content. Each buffer of a rule keeps its
 * options in rule order (relative options such as distance and within
 * refer to the match before them in the same buffer) and its transforms
 * (dotprefix ...). Everything else (flow, flowbits, threshold, dsize,
 * metadata ...) is a field of the rule.
 *
 * A rule we cannot support is not an error of the file: the loader skips it
 * with its sid and the reason, and the summary counts reasons and keywords.
 *
 * Address and port sets are interned per ruleset: the thousands of rules
 * that say $HOME_NET share one set.
 */
#ifndef MM_RULE_H
#define MM_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/rule_asn1.h"
#include "proto/bufs.h"
#include "util/util.h"

/* --- address and port sets ------------------------------------------------ */

/* Addresses as 128-bit numbers, IPv4 mapped into ::ffff:0:0/96. A set is a
 * sorted list of disjoint ranges. */
typedef struct mm_u128 {
    uint64_t hi, lo;
} mm_u128;

typedef struct mm_addr_range {
    mm_u128 lo, hi;
} mm_addr_range;

typedef struct mm_addrset {
    size_t n;
    bool any;
    bool negated;               /* written with a '!' (Suricata: not IP-only) */
    mm_addr_range *r;
} mm_addrset;

typedef struct mm_port_range {
    uint16_t lo, hi;
} mm_port_range;

typedef struct mm_portset {
    size_t n;
    bool any;
    mm_port_range *r;
} mm_portset;

static inline int mm_u128_cmp(mm_u128 a, mm_u128 b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    return a.lo < b.lo ? -1 : a.lo > b.lo;
}

static inline mm_u128 mm_u128_inc(mm_u128 a)
{
    if (++a.lo == 0)
        a.hi++;
    return a;
}

/* An address as a number (IPv4 mapped into ::ffff:0:0/96). */
mm_u128 mm_u128_of_ip(const mm_ip *ip);
/* The network of a with its low host bits (0-128) cleared, and its last
 * address. */
void mm_u128_net(mm_u128 a, int host, mm_u128 *lo, mm_u128 *hi);
bool mm_addrset_has(const mm_addrset *s, const mm_ip *ip);
bool mm_portset_has(const mm_portset *s, uint16_t port);

/* --- header --------------------------------------------------------------- */

enum mm_rule_action { MM_RA_ALERT, MM_RA_PASS, MM_RA_DROP, MM_RA_REJECT, MM_RA_CONFIG };

/* Header protocols: the transport ones, then the app-layer ones (a rule on
 * "http" matches only flows whose app_proto is http). */
enum mm_rule_proto {
    MM_RP_IP, MM_RP_TCP, MM_RP_UDP, MM_RP_ICMP, MM_RP_TCP_PKT, MM_RP_TCP_STREAM,
    MM_RP_HTTP, MM_RP_TLS, MM_RP_DNS, MM_RP_SMB, MM_RP_SSH, MM_RP_SMTP, MM_RP_FTP,
    MM_RP_FTP_DATA, MM_RP_DHCP, MM_RP_NTP, MM_RP_RDP, MM_RP_TELNET, MM_RP_DCERPC,
    MM_RP_N
};
const char *mm_rule_proto_name(int p);

/* --- inspection buffers --------------------------------------------------- */

const char *mm_buf_name(int b);

/* Which direction a buffer exists in: 1 to server, 2 to client, 3 both. */
int mm_buf_dir(int b);

enum mm_transform {
    MM_TR_DOTPREFIX = 1, MM_TR_STRIP_WHITESPACE, MM_TR_COMPRESS_WHITESPACE, MM_TR_TO_LOWERCASE,
    MM_TR_TO_UPPERCASE, MM_TR_TO_MD5, MM_TR_TO_SHA1, MM_TR_TO_SHA256, MM_TR_URL_DECODE,
    MM_TR_HEADER_LOWERCASE, MM_TR_STRIP_PSEUDO_HEADERS, MM_TR_PCREXFORM, MM_TR_XOR
};

/* The argument of a transform that has one (pcrexform's expression, xor's
 * key): at most one such transform per buffer. */
typedef struct mm_trarg {
    char *text;                 /* as written: tells two buffers apart */
    void *code;                 /* pcrexform: pcre2_code * */
    uint8_t *key;               /* xor */
    uint32_t keylen;
} mm_trarg;
#define MM_MAX_TRANSFORMS 4

/* --- match options -------------------------------------------------------- */

enum mm_sm_type {
    MM_SM_CONTENT, MM_SM_PCRE, MM_SM_BYTE_TEST, MM_SM_BYTE_JUMP, MM_SM_BYTE_EXTRACT,
    MM_SM_ISDATAAT, MM_SM_BSIZE, MM_SM_URILEN, MM_SM_BASE64_DECODE, MM_SM_DATASET,
    MM_SM_BYTE_MATH, MM_SM_ASN1
};

/* A named set of values (dataset, datarep), shared by the rules naming it. */
typedef struct mm_dataset mm_dataset;

/* A number that may come from a byte_extract variable of the rule. */
typedef struct mm_rval {
    int32_t v;
    int8_t var;             /* index of the variable, -1: the literal v */
} mm_rval;

#define MM_CF_NOCASE      0x0001
#define MM_CF_NEGATED     0x0002
#define MM_CF_FAST        0x0004   /* fast_pattern given */
#define MM_CF_FAST_ONLY   0x0008
#define MM_CF_FAST_CHOP   0x0010
#define MM_CF_STARTSWITH  0x0020
#define MM_CF_ENDSWITH    0x0040
#define MM_CF_RAWBYTES    0x0080
#define MM_CF_OFFSET      0x0100
#define MM_CF_DEPTH       0x0200
#define MM_CF_DISTANCE    0x0400
#define MM_CF_WITHIN      0x0800
#define MM_CF_RELATIVE_NEXT 0x1000 /* a later option is relative to this one */

typedef struct mm_content {
    uint8_t *pat;
    uint16_t len;
    uint16_t flags;
    uint16_t fp_off, fp_len;    /* fast_pattern:offset,length */
    mm_rval offset, depth, distance, within;
} mm_content;

/* pcre: the compiled expression (pcre2_code), the flags Suricata adds. */
#define MM_PF_RELATIVE  0x01
#define MM_PF_NEGATED   0x02
#define MM_PF_RAWBYTES  0x04
#define MM_PF_NO_LIMIT  0x08    /* O: no match limit override */
#define MM_PF_GREEDY    0x10
/* A pcre group kept in a variable of the flow or of the packet (Suricata's
 * "pcre:\"/.../, flow:NAME\"" and (?P<flow_NAME>...)). */
enum { MM_VAR_FLOW, MM_VAR_PKT };
typedef struct mm_capvar {
    uint32_t id;                /* mm_ruleset_var_name */
    uint8_t kind;               /* MM_VAR_* */
    uint8_t group;              /* the expression's group number */
} mm_capvar;

typedef struct mm_pcre {
    void *code;                 /* pcre2_code * */
    uint8_t flags;
    uint8_t ncapture;           /* groups in the expression */
    uint8_t ncv;                /* groups kept in variables */
    const mm_capvar *cv;
} mm_pcre;

enum mm_byte_op { MM_BOP_LT, MM_BOP_GT, MM_BOP_EQ, MM_BOP_LE, MM_BOP_GE, MM_BOP_AND, MM_BOP_OR };
/* byte_math's operators */
enum mm_math_op { MM_MOP_ADD, MM_MOP_SUB, MM_MOP_MUL, MM_MOP_DIV, MM_MOP_SHL, MM_MOP_SHR };

#define MM_BF_RELATIVE   0x0001
#define MM_BF_LITTLE     0x0002
#define MM_BF_STRING     0x0004
#define MM_BF_NEGATE     0x0008
#define MM_BF_ALIGN      0x0010
#define MM_BF_FROM_BEGIN 0x0020
#define MM_BF_FROM_END   0x0040
#define MM_BF_DCE        0x0080
#define MM_BF_BITMASK    0x0100

typedef struct mm_byteop {
    uint8_t nbytes;             /* 1-10 (string), 1-8 binary */
    uint8_t nbytes_var;         /* a byte_extract variable gives it: its index + 1 (0: no) */
    uint8_t op;                 /* byte_test: MM_BOP_*; byte_math: MM_MOP_* */
    uint8_t base;               /* string: 8, 10, 16 */
    uint8_t var;                /* byte_extract, byte_math: variable index */
    uint16_t flags;
    mm_rval offset;
    mm_rval value;              /* byte_test value, byte_math rvalue: a variable ... */
    uint64_t value64;           /* ... or this literal (value.var < 0) */
    uint32_t multiplier;        /* byte_jump/byte_extract, 1 when absent */
    int32_t post_offset;        /* byte_jump */
    uint64_t bitmask;
} mm_byteop;

/* bsize, urilen, dsize and stream_size: a number against one or two. */
enum mm_cmp_op { MM_CMP_EQ, MM_CMP_LT, MM_CMP_GT, MM_CMP_LE, MM_CMP_GE, MM_CMP_RANGE,
                 MM_CMP_NE };
typedef struct mm_cmp {
    uint8_t op;
    uint64_t a, b;              /* RANGE: a < x < b, as Suricata's "a<>b" */
} mm_cmp;
bool mm_cmp_eval(const mm_cmp *c, uint64_t x);

typedef struct mm_sm {
    uint8_t type;               /* MM_SM_* */
    union {
        mm_content c;
        mm_pcre p;
        mm_byteop b;
        struct {
            mm_rval at;
            uint8_t relative, negated, rawbytes;
        } isdataat;
        mm_cmp size;            /* bsize, urilen */
        struct {
            mm_rval bytes, offset;
            uint8_t relative;
        } b64;
        struct {
            mm_dataset *set;    /* changed by set/unset as traffic goes */
            uint8_t cmd;        /* 0 set, 1 unset, 2 isset, 3 isnotset */
            uint8_t op;         /* datarep: 1 >, 2 <, 3 >=, 4 <=, 5 == (0: dataset) */
            uint32_t value;
        } ds;
        mm_asn1 asn1;
    } u;
} mm_sm;

/* One buffer a rule inspects, with its transforms and options. */
typedef struct mm_rbuf {
    uint8_t id;                 /* MM_BUF_* */
    uint8_t ntr;
    uint8_t tr[MM_MAX_TRANSFORMS];
    uint16_t nsm, cap;
    mm_sm *sm;
    const mm_trarg *targ;       /* pcrexform, xor (NULL: none) */
} mm_rbuf;

/* The layer a checksum keyword (ipv4-csum, tcpv4-csum ...) is about. */
enum mm_csum { MM_CSUM_NONE, MM_CSUM_IPV4, MM_CSUM_TCPV4, MM_CSUM_TCPV6, MM_CSUM_UDPV4,
               MM_CSUM_UDPV6, MM_CSUM_ICMPV4, MM_CSUM_ICMPV6 };

/* --- state options -------------------------------------------------------- */

#define MM_FLOW_TO_SERVER      0x01
#define MM_FLOW_TO_CLIENT      0x02
#define MM_FLOW_ESTABLISHED    0x04
#define MM_FLOW_NOT_ESTABLISHED 0x08
#define MM_FLOW_STATELESS      0x10
#define MM_FLOW_ONLY_STREAM    0x20
#define MM_FLOW_NO_STREAM      0x40
#define MM_FLOW_ONLY_FRAG      0x80
#define MM_FLOW_NO_FRAG        0x100

enum mm_bit_cmd { MM_BIT_SET, MM_BIT_UNSET, MM_BIT_TOGGLE, MM_BIT_ISSET, MM_BIT_ISNOTSET };

/* flowbits / xbits: a command on one or more named bits ("a|b": any of,
 * "a&b": all of, for the tests). Bit names are numbered per ruleset. */
typedef struct mm_bitop {
    uint8_t cmd;
    uint8_t xbits;              /* xbits: track by_src/by_dst/ip_pair (1/2/3) */
    uint8_t any;                /* several names joined by '|' */
    uint8_t nbits;
    uint32_t bit[4];
    uint32_t expire;            /* xbits */
} mm_bitop;

enum mm_track { MM_TRACK_SRC, MM_TRACK_DST, MM_TRACK_RULE, MM_TRACK_BOTH, MM_TRACK_FLOW };
enum mm_thr_type { MM_THR_LIMIT, MM_THR_THRESHOLD, MM_THR_BOTH, MM_THR_DETECTION };
typedef struct mm_rthreshold {
    uint8_t type, track;
    uint32_t count, seconds;
} mm_rthreshold;

/* flowint: name, operator, value (kept and counted; tested when matching). */
typedef struct mm_flowint {
    uint32_t var;
    uint8_t op;                 /* '=', '+', '-', '<', '>', 'l', 'g', 'e', 'n', 's', 'x' */
    uint32_t value;
} mm_flowint;

/* Packet header fields compared with a number (ttl:<5; window:0 ...). */
enum mm_hdr_field { MM_HF_TTL, MM_HF_IP_ID, MM_HF_TCP_WINDOW, MM_HF_TCP_SEQ, MM_HF_TCP_ACK,
                    MM_HF_ICMP_ID, MM_HF_ICMP_SEQ };
typedef struct mm_hdrcmp {
    uint8_t field;
    mm_cmp c;
} mm_hdrcmp;
#define MM_RULE_MAX_HDR 4

/* The file keywords: filestore (a file must be there), filesize, and a
 * digest list of filemd5/filesha1/filesha256 (sorted, hash_len bytes each). */
typedef struct mm_rfile {
    uint8_t store, has_size;
    mm_cmp size;
    uint8_t hash_len;           /* 16 md5, 20 sha1, 32 sha256; 0: no list */
    uint8_t hash_neg;
    uint32_t nhash;
    const uint8_t *hashes;
} mm_rfile;

/* A file at its end, as the file keywords test it. */
typedef struct mm_insp_file {
    uint64_t size;
    bool complete;
    const uint8_t *md5, *sha1, *sha256;     /* NULL: not computed */
} mm_insp_file;
bool mm_rfile_match(const mm_rfile *f, const mm_insp_file *fi);

/* tag: packets logged after an alert, of its session or of one of its
 * hosts, for a count of packets, seconds or bytes. */
enum mm_tag_metric { MM_TAG_PACKETS, MM_TAG_SECONDS, MM_TAG_BYTES };
typedef struct mm_rtag {
    uint8_t host;               /* 0 session, 1 host */
    uint8_t dst;                /* host: the alert's destination (else its source) */
    uint8_t metric;             /* MM_TAG_* */
    uint32_t count;
} mm_rtag;

/* iprep: a reputation category's score of the packet's source and/or
 * destination (rule_iprep.c). */
typedef struct mm_reputation mm_reputation;
typedef struct mm_iprep {
    uint8_t side;               /* 0 any, 1 src, 2 dst, 3 both */
    uint8_t cat;
    uint8_t test;               /* 0 compare c, 1 isset, 2 isnotset */
    mm_cmp c;
    const mm_reputation *rep;
} mm_iprep;
#define MM_RULE_MAX_IPREP 2
bool mm_iprep_match(const mm_iprep *o, const mm_ip *src, const mm_ip *dst);

/* --- the rule ------------------------------------------------------------- */

typedef struct mm_rule {
    uint32_t sid, gid, rev;
    uint8_t action, proto;
    uint8_t bidir;              /* "<>" */
    uint8_t priority;           /* 1-255, from classtype or priority */
    uint16_t flow;              /* MM_FLOW_* */
    uint16_t classtype;         /* index into the ruleset's classes, 0: none */
    uint8_t noalert, target;    /* target: 0 none, 1 src, 2 dest */
    uint8_t has_dsize, has_stream_size, has_ip_proto, has_itype, has_icode, has_flags;
    uint8_t csum;               /* MM_CSUM_*: a checksum keyword (0: none) */
    uint8_t csum_valid;         /* it asks for a valid checksum (else invalid) */
    const mm_addrset *src, *dst;
    const mm_portset *sp, *dp;
    char *msg;
    char *metadata;             /* "key value, key value" as written */
    char **refs;                /* "type,value" */
    uint16_t nrefs;
    uint16_t nbuf;
    mm_rbuf *buf;
    uint8_t nbitops;
    mm_bitop *bitops;
    uint8_t nflowint;
    mm_flowint *flowint;
    mm_rthreshold threshold, detection_filter;
    uint8_t has_threshold, has_detection_filter;
    mm_cmp dsize, stream_size, itype, icode;
    uint8_t stream_size_side;   /* 1 server, 2 client, 3 both, 4 either */
    uint8_t ip_proto, ip_proto_neg;
    uint8_t tcp_flags, tcp_flags_mask, tcp_flags_mod;  /* mod: 0 exact, '+' all, '*' any, '!' not */
    uint8_t nhdr;
    const mm_hdrcmp *hdr;       /* nhdr of them, in the ruleset's arena (few rules
                                   have any: out of line, 112 bytes less a rule) */
    uint8_t tls_version_set;
    uint16_t tls_version;
    uint8_t nvars;              /* byte_extract variables */
    char *app_event;            /* app-layer-event */
    const mm_rfile *file;       /* file keywords (NULL: none) */
    uint8_t event;              /* decode-event / stream-event: MM_AN_* + 1 (0: none) */
    uint8_t ntags;
    mm_rtag tags[2];
    uint8_t bypass;             /* bypass: the flow is marked bypassed when it matches */
    uint8_t nolog;              /* config:logging disable, type tx, scope tx */
    uint8_t ftpbounce;          /* an FTP PORT to another host than the client */
    uint8_t niprep;
    const mm_iprep *iprep;      /* niprep of them, in the arena (as hdr) */
    uint8_t alert_kw;           /* alert: a pass rule logs its alert too */
    const struct mm_rdce *dce;  /* dcerpc.iface / dcerpc.opnum (NULL: none) */
    const struct mm_rgeo *geo;  /* geoip (NULL: none) */
} mm_rule;

/* geoip:<src|dst|both|any>,[!]CC[,CC...]: the country of the packet's
 * source, destination, both or either is (not, with '!') one of the list. */
#define MM_GEO_CODES 32
enum { MM_GEO_SRC = 1, MM_GEO_DST = 2, MM_GEO_BOTH = 3, MM_GEO_ANY = 4 };
typedef struct mm_rgeo {
    uint8_t where;              /* MM_GEO_* */
    bool neg;
    uint8_t n;
    char cc[MM_GEO_CODES][3];
} mm_rgeo;

/* dcerpc.iface (the request's context bound to this interface, accepted,
 * its major version compared) and dcerpc.opnum (one of the ranges). */
#define MM_DCE_OPNUMS 8
typedef struct mm_rdce {
    bool has_iface, any_frag;
    uint8_t uuid[16];           /* as on the wire */
    uint8_t ver_op;             /* 0 any, '<', '>', '=', '!' */
    uint16_t ver;
    uint8_t nop;                /* 0: no opnum test */
    uint16_t op_lo[MM_DCE_OPNUMS], op_hi[MM_DCE_OPNUMS];
} mm_rdce;
/* The rule's test on the moment's opnum and interface buffers (NULL: the
 * moment has none). */
bool mm_rdce_match(const mm_rdce *d, const uint8_t *opnum, const uint8_t *iface);
/* The rule's test on the countries of the source and destination ("" when
 * not known: no country matches it, so a negated list does). */
bool mm_rgeo_match(const mm_rgeo *g, const char *src_cc, const char *dst_cc);

/* --- the ruleset ---------------------------------------------------------- */

typedef struct mm_ruleset mm_ruleset;

/* Why a rule was skipped. */
enum mm_skip {
    MM_SKIP_SYNTAX, MM_SKIP_KEYWORD, MM_SKIP_PROTOCOL, MM_SKIP_VALUE, MM_SKIP_VARIABLE,
    MM_SKIP_PCRE, MM_SKIP_DUPLICATE, MM_SKIP_ACTION, MM_SKIP_REQUIRES, MM_SKIP_N
};
const char *mm_skip_name(int why);

typedef struct mm_rules_summary {
    uint64_t files, lines, rules, loaded, skipped;
    uint64_t by_reason[MM_SKIP_N];
} mm_rules_summary;

/* vars: "NAME=VALUE" strings overriding suricata.yaml's defaults. */
mm_ruleset *mm_ruleset_new(void);
void mm_ruleset_free(mm_ruleset *rs);
/* Sets a variable ("HOME_NET", "[10.0.0.0/8]"); false with a message when
 * the value does not parse. */
bool mm_ruleset_set_var(mm_ruleset *rs, const char *name, const char *value, char *err,
                        size_t errlen);
/* The set an address or port text stands for ("$HOME_NET", "[80,443]"),
 * interned; NULL with a message in err when it does not parse. */
const mm_addrset *mm_ruleset_addrset(mm_ruleset *rs, const char *text, char *err, size_t errlen);
const mm_portset *mm_ruleset_portset(mm_ruleset *rs, const char *text, char *err, size_t errlen);
/* Reads classification.config lines (name, description, priority). */
bool mm_ruleset_load_classes(mm_ruleset *rs, const char *path, char *err, size_t errlen);
void mm_ruleset_parse_classes(mm_ruleset *rs, const char *text, size_t n);

/* IP reputation (Suricata's reputation-categories-file and
 * reputation-files), read before the rules naming its categories: the
 * categories ("id,name,description"); a list ("address[/prefix],id,score"),
 * whose lines that do not parse are skipped and counted in *bad. False
 * (with err) when a file cannot be read or a category line is wrong. */
bool mm_ruleset_load_rep_categories(mm_ruleset *rs, const char *path, char *err, size_t errlen);
bool mm_ruleset_load_rep_list(mm_ruleset *rs, const char *path, uint64_t *bad, char *err,
                              size_t errlen);
/* The same from memory: text[0..len] (text[len] writable, as a NUL), changed
 * while read; name for messages. */
bool mm_ruleset_parse_rep_categories(mm_ruleset *rs, const char *name, char *text, size_t len,
                                     char *err, size_t errlen);
bool mm_ruleset_parse_rep_list(mm_ruleset *rs, char *text, size_t len, uint64_t *bad);

/* Loads a rule file, or every *.rules of a directory. False (with err)
 * only when the file cannot be read; bad rules are skipped and counted. */
bool mm_ruleset_load(mm_ruleset *rs, const char *path, char *err, size_t errlen);
/* Parses rules from memory (name: for messages). */
void mm_ruleset_parse(mm_ruleset *rs, const char *name, const char *text, size_t n);

/* One rule line, parsed into r (allocations owned by rs). On failure
 * returns false, *why = MM_SKIP_*, msg says what (and names the keyword). */
bool mm_rule_parse(mm_ruleset *rs, const char *line, mm_rule *r, int *why, char *msg,
                   size_t msglen);

const mm_rules_summary *mm_ruleset_summary(const mm_ruleset *rs);
size_t mm_ruleset_count(const mm_ruleset *rs);
const mm_rule *mm_ruleset_rule(const mm_ruleset *rs, size_t i);
const char *mm_ruleset_class_name(const mm_ruleset *rs, uint16_t idx);
const char *mm_ruleset_class_desc(const mm_ruleset *rs, uint16_t idx);
const char *mm_ruleset_bit_name(const mm_ruleset *rs, uint32_t id);
const char *mm_ruleset_flowint_name(const mm_ruleset *rs, uint32_t id);
const char *mm_ruleset_var_name(const mm_ruleset *rs, uint32_t id);

/* Where skips are reported: called once per skipped rule. */
typedef void (*mm_rule_skip_fn)(void *ctx, const char *file, uint64_t line, uint32_t sid,
                                int why, const char *msg);
void mm_ruleset_on_skip(mm_ruleset *rs, mm_rule_skip_fn fn, void *ctx);

/* Keyword use among loaded rules and among skipped ones (for the summary). */
typedef void (*mm_rule_kw_fn)(void *ctx, const char *kw, uint64_t loaded, uint64_t skipped);
void mm_ruleset_keywords(const mm_ruleset *rs, mm_rule_kw_fn fn, void *ctx);

/* The report's family of a rule alert (rdp, heartbleed, c2 ...), by sid
 * and classtype; NULL when none fits. */
const char *mm_rule_family(uint32_t gid, uint32_t sid, const char *classtype);
/* The same from an EVE alert: sid, then the category text (the classtype's
 * description), as Suricata's events carry no classtype. */
const char *mm_rule_family_category(uint32_t gid, uint32_t sid, const char *category);

/* Does the whole buffer d pass the dataset / datarep option s? */
bool mm_dataset_match(const mm_sm *s, const uint8_t *d, uint32_t n);
/* Writes the datasets that have a save file (at the end of a run). */
void mm_datasets_save(const mm_ruleset *rs);

/* Bytes held by the ruleset (rules, sets, compiled expressions). */
size_t mm_ruleset_memory(const mm_ruleset *rs);

#endif
