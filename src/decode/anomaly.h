/*
 * anomaly.h - every anomaly the sensor counts, in one table.
 *
 * Each entry: identifier, EVE anomaly type ("decode" or "stream"), the
 * layer and event name (Suricata's spelling where Suricata has the same
 * event, so stats land under decoder.event.<layer>.<name> and
 * stream.<name> as in Suricata's schema), and whether Suricata's stats
 * schema has that counter (ours-only counters go to mimamori.stats).
 */
#ifndef MM_ANOMALY_H
#define MM_ANOMALY_H

#define MM_ANOMALIES(X)                                                            \
    X(CAP_TRUNCATED,     "decode", "capture",  "file_truncated",          0)       \
    X(LINK_UNSUPPORTED,  "decode", "capture",  "unsupported_linktype",    0)       \
    X(ETH_SMALL,         "decode", "ethernet", "pkt_too_small",           1)       \
    X(ETH_UNKNOWN,       "decode", "ethernet", "unknown_ethertype",       1)       \
    X(VLAN_SMALL,        "decode", "vlan",     "header_too_small",        1)       \
    X(VLAN_TOO_MANY,     "decode", "vlan",     "too_many_layers",         1)       \
    X(MPLS_SMALL,        "decode", "mpls",     "header_too_small",        1)       \
    X(MPLS_UNKNOWN,      "decode", "mpls",     "unknown_payload_type",    1)       \
    X(PPPOE_SMALL,       "decode", "pppoe",    "pkt_too_small",           1)       \
    X(PPP_SMALL,         "decode", "ppp",      "pkt_too_small",           1)       \
    X(PPP_UNSUP,         "decode", "ppp",      "unsup_proto",             1)       \
    X(SLL_SMALL,         "decode", "sll",      "pkt_too_small",           1)       \
    X(SLL2_SMALL,        "decode", "sll2",     "pkt_too_small",           1)       \
    X(NULL_SMALL,        "decode", "ltnull",   "pkt_too_small",           1)       \
    X(NULL_UNSUP,        "decode", "ltnull",   "unsupported_type",        1)       \
    X(RAW_BADVER,        "decode", "ipraw",    "invalid_ip_version",      1)       \
    X(CHDLC_SMALL,       "decode", "chdlc",    "pkt_too_small",           1)       \
    X(GRE_SMALL,         "decode", "gre",      "pkt_too_small",           1)       \
    X(GRE_BADVER,        "decode", "gre",      "wrong_version",           1)       \
    X(ERSPAN_SMALL,      "decode", "erspan",   "header_too_small",        1)       \
    X(NSH_SMALL,         "decode", "nsh",      "header_too_small",        1)       \
    X(NSH_VERSION,       "decode", "nsh",      "unsupported_version",     1)       \
    X(NSH_BAD_LEN,       "decode", "nsh",      "bad_header_length",       1)       \
    X(NSH_UNKNOWN,       "decode", "nsh",      "unknown_payload",         1)       \
    X(TOO_MANY_LAYERS,   "decode", "decoder",  "too_many_layers",         0)       \
    X(IPV4_SMALL,        "decode", "ipv4",     "pkt_too_small",           1)       \
    X(IPV4_HLEN,         "decode", "ipv4",     "hlen_too_small",          1)       \
    X(IPV4_IPLEN,        "decode", "ipv4",     "iplen_smaller_than_hlen", 1)       \
    X(IPV4_TRUNC,        "decode", "ipv4",     "trunc_pkt",               1)       \
    X(IPV4_BADVER,       "decode", "ipv4",     "wrong_ip_version",        1)       \
    X(IPV4_FRAG_LARGE,   "decode", "ipv4",     "frag_pkt_too_large",      1)       \
    X(IPV4_FRAG_OVERLAP, "decode", "ipv4",     "frag_overlap",            1)       \
    X(IPV4_FRAG_IGNORED, "decode", "ipv4",     "frag_ignored",            1)       \
    X(IPV4_OPT_INVALID,  "decode", "ipv4",     "opt_invalid",             1)       \
    X(IPV4_OPT_INVALID_LEN, "decode", "ipv4",  "opt_invalid_len",         1)       \
    X(IPV4_OPT_MALFORMED, "decode", "ipv4",    "opt_malformed",           1)       \
    X(IPV4_OPT_PAD_REQUIRED, "decode", "ipv4", "opt_pad_required",        1)       \
    X(IPV4_OPT_EOL_REQUIRED, "decode", "ipv4", "opt_eol_required",        1)       \
    X(IPV4_OPT_DUPLICATE, "decode", "ipv4",    "opt_duplicate",           1)       \
    X(IPV4_OPT_UNKNOWN,  "decode", "ipv4",     "opt_unknown",             1)       \
    X(IPV6_SMALL,        "decode", "ipv6",     "pkt_too_small",           1)       \
    X(IPV6_TRUNC,        "decode", "ipv6",     "trunc_pkt",               1)       \
    X(IPV6_BADVER,       "decode", "ipv6",     "wrong_ip_version",        1)       \
    X(IPV6_TRUNC_EXT,    "decode", "ipv6",     "trunc_exthdr",            1)       \
    X(IPV6_FRAG_LARGE,   "decode", "ipv6",     "frag_pkt_too_large",      1)       \
    X(IPV6_FRAG_OVERLAP, "decode", "ipv6",     "frag_overlap",            1)       \
    X(IPV6_FRAG_INVLEN,  "decode", "ipv6",     "frag_invalid_length",     1)       \
    X(IPV6_FRAG_IGNORED, "decode", "ipv6",     "frag_ignored",            1)       \
    X(IPV6_USELESS_FH,   "decode", "ipv6",     "exthdr_useless_fh",       1)       \
    X(IPV6_DUPL_FH,      "decode", "ipv6",     "exthdr_dupl_fh",          1)       \
    X(IPV6_FH_RES,       "decode", "ipv6",     "fh_non_zero_reserved_field", 1)    \
    X(IPV6_OPT_LEN,      "decode", "ipv6",     "exthdr_invalid_optlen",   1)       \
    X(IPV6_HBH_UNKNOWN,  "decode", "ipv6",     "hopopts_unknown_opt",     1)       \
    X(IPV6_DST_UNKNOWN,  "decode", "ipv6",     "dstopts_unknown_opt",     1)       \
    X(TCP_SMALL,         "decode", "tcp",      "pkt_too_small",           1)       \
    X(TCP_HLEN,          "decode", "tcp",      "hlen_too_small",          1)       \
    X(TCP_OPTLEN,        "decode", "tcp",      "invalid_optlen",          1)       \
    X(UDP_SMALL,         "decode", "udp",      "hlen_too_small",          1)       \
    X(UDP_PKT_SMALL,     "decode", "udp",      "pkt_too_small",           1)       \
    X(UDP_HLEN,          "decode", "udp",      "hlen_invalid",            1)       \
    X(UDP_LEN_INVALID,   "decode", "udp",      "len_invalid",             1)       \
    X(ICMPV4_SMALL,      "decode", "icmpv4",   "pkt_too_small",           1)       \
    X(ICMPV4_UNK_TYPE,   "decode", "icmpv4",   "unknown_type",            1)       \
    X(ICMPV4_UNK_CODE,   "decode", "icmpv4",   "unknown_code",            1)       \
    X(ICMPV6_SMALL,      "decode", "icmpv6",   "pkt_too_small",           1)       \
    X(STREAM_GAP,        "stream", "stream",   "reassembly_seq_gap",      1)       \
    X(STREAM_DEPTH,      "stream", "stream",   "reassembly_depth_reached", 1)      \
    X(STREAM_MEMCAP,     "stream", "stream",   "reassembly_insert_memcap", 1)      \
    X(STREAM_LIMIT,      "stream", "stream",   "reassembly_insert_limit", 1)       \
    X(STREAM_OVERLAP_DIFF, "stream", "stream", "reassembly_overlap_different_data", 1) \
    X(STREAM_BAD_SEQ,    "stream", "stream",   "reassembly_insert_invalid", 1)       \
    X(STREAM_RST_INJECT, "stream", "stream",   "suspected_rst_inject",    1)       \
    X(STREAM_BAD_TS,     "stream", "stream",   "pkt_invalid_timestamp",   1)

enum mm_anomaly {
#define X(id, type, layer, name, schema) MM_AN_##id,
    MM_ANOMALIES(X)
#undef X
    MM_AN__COUNT
};

typedef struct mm_anomaly_info {
    const char *type, *layer, *name;
    int in_schema;
} mm_anomaly_info;

extern const mm_anomaly_info mm_anomaly_table[MM_AN__COUNT];

#endif
