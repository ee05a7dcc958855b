/*
 * bufs.h - the inspection buffers parsers hand to rule matching (the
 * sticky buffers of the Suricata rule language: http.uri, dns.query ...).
 * A parser that has such a buffer at a moment (a complete HTTP request, a
 * DNS query ...) passes them together in an MM_OBS_BUFFERS observation.
 */
#ifndef MM_BUFS_H
#define MM_BUFS_H

#include <stdint.h>

/* Every buffer a rule can inspect. MM_BUF_PAYLOAD is the packet payload or
 * the reassembled stream (as Suricata's payload inspection). */
enum mm_buf {
    MM_BUF_PAYLOAD,
    MM_BUF_HTTP_URI, MM_BUF_HTTP_URI_RAW, MM_BUF_HTTP_METHOD, MM_BUF_HTTP_PROTOCOL,
    MM_BUF_HTTP_REQUEST_LINE, MM_BUF_HTTP_HOST, MM_BUF_HTTP_HOST_RAW, MM_BUF_HTTP_USER_AGENT,
    MM_BUF_HTTP_HEADER, MM_BUF_HTTP_HEADER_RAW, MM_BUF_HTTP_HEADER_NAMES, MM_BUF_HTTP_COOKIE,
    MM_BUF_HTTP_REFERER, MM_BUF_HTTP_ACCEPT, MM_BUF_HTTP_ACCEPT_ENC, MM_BUF_HTTP_ACCEPT_LANG,
    MM_BUF_HTTP_CONNECTION, MM_BUF_HTTP_CONTENT_TYPE, MM_BUF_HTTP_CONTENT_LEN,
    MM_BUF_HTTP_START, MM_BUF_HTTP_REQUEST_BODY, MM_BUF_HTTP_STAT_CODE, MM_BUF_HTTP_STAT_MSG,
    MM_BUF_HTTP_RESPONSE_LINE, MM_BUF_HTTP_LOCATION, MM_BUF_HTTP_SERVER,
    MM_BUF_HTTP_RESPONSE_BODY, MM_BUF_FILE_DATA,
    MM_BUF_HTTP_REQUEST_HEADER, MM_BUF_HTTP_RESPONSE_HEADER,   /* one per header line */
    MM_BUF_DNS_QUERY, MM_BUF_DNS_OPCODE,    /* opcode: one byte (dns.opcode) */
    MM_BUF_TLS_SNI, MM_BUF_TLS_CERT_SUBJECT, MM_BUF_TLS_CERT_ISSUER, MM_BUF_TLS_CERT_SERIAL,
    MM_BUF_TLS_CERT_FINGERPRINT, MM_BUF_TLS_CERTS, MM_BUF_JA3_HASH, MM_BUF_JA3_STRING,
    MM_BUF_JA3S_HASH, MM_BUF_JA3S_STRING,
    MM_BUF_TLS_RANDOM, MM_BUF_TLS_RANDOM_TIME, MM_BUF_TLS_RANDOM_BYTES,   /* a hello's random */
    MM_BUF_TLS_CERT_CHAIN_LEN,      /* certificates in the chain: 4 bytes (tls.cert_chain_len) */
    MM_BUF_SSH_PROTO, MM_BUF_SSH_SOFTWARE, MM_BUF_SSH_HASSH, MM_BUF_SSH_HASSH_STRING,
    MM_BUF_SSH_HASSH_SERVER, MM_BUF_SSH_HASSH_SERVER_STRING,
    MM_BUF_SMB_SHARE, MM_BUF_SMB_NAMED_PIPE, MM_BUF_SMB_NTLMSSP_USER, MM_BUF_SMB_NTLMSSP_DOMAIN,
    MM_BUF_FILE_NAME,
    MM_BUF_BASE64_DATA,
    /* the innermost packet headers (packet moment) */
    MM_BUF_IPV4_HDR, MM_BUF_IPV6_HDR, MM_BUF_TCP_HDR, MM_BUF_UDP_HDR, MM_BUF_ICMPV4_HDR,
    MM_BUF_ICMPV6_HDR,
    MM_BUF_IP_SRC, MM_BUF_IP_DST,   /* the addresses: 4 or 16 bytes */
    MM_BUF_ICMPV6_MTU,              /* a Packet Too Big's MTU: 4 bytes (icmpv6.mtu) */
    MM_BUF_TCP_MSS,                 /* the MSS option's value: 2 bytes (tcp.mss) */
    /* DCE/RPC over an SMB named pipe: a request's or response's stub data
     * (dcerpc.stub_data), the request's opnum (2 bytes, little-endian) and
     * the interface its context is bound to (16 bytes of UUID as on the
     * wire, then major and minor version, 2 bytes each, little-endian) */
    MM_BUF_DCERPC_STUB, MM_BUF_DCERPC_OPNUM, MM_BUF_DCERPC_IFACE,
    MM_BUF_FTPDATA_COMMAND,         /* an FTP data connection's command ("RETR", "STOR") */
    MM_BUF_N
};

/* A moment may give several buffers of one id (one per header line ...):
 * a rule's buffer matches when one of them does, as Suricata's
 * multi-buffer matching. */
typedef struct mm_obs_buf {
    uint8_t id;                 /* MM_BUF_* */
    const uint8_t *data;
    uint32_t len;
} mm_obs_buf;

#endif
