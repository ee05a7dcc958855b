/*
 * dcerpc.h - DCE/RPC connection-oriented PDUs (C706 chapter 12, MS-RPCE
 * 2.2.2) as they cross an SMB named pipe: the header, a request's opnum
 * and stub data, the interfaces a bind names and the results its
 * acknowledgement gives - what Suricata's smb log writes as "dcerpc" and
 * its dcerpc.* rule keywords look at.
 */
#ifndef MM_DCERPC_H
#define MM_DCERPC_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/bufs.h"
#include "util/json.h"

#define MM_DCE_IFACES 4         /* context items of a bind kept */

enum {
    MM_DCE_REQUEST = 0, MM_DCE_RESPONSE = 2, MM_DCE_FAULT = 3, MM_DCE_BIND = 11,
    MM_DCE_BIND_ACK = 12, MM_DCE_BIND_NAK = 13, MM_DCE_ALTER = 14, MM_DCE_ALTER_RESP = 15
};

typedef struct mm_dce_iface {
    uint8_t uuid[16];           /* as on the wire (little-endian fields) */
    uint16_t ver, ver_minor;
    uint16_t ctx_id;
    uint16_t ack_result, ack_reason;
    bool acked;
} mm_dce_iface;

typedef struct mm_dce_pdu {
    uint8_t ptype, flags;
    uint16_t frag_len;
    uint32_t call_id;
    uint16_t opnum, ctx_id;     /* request */
    const uint8_t *stub;        /* request/response: stub data present in the bytes */
    uint32_t stub_have;         /* ... how many of its bytes are there */
    uint32_t stub_len;          /* ... its length as the PDU says */
    uint8_t nif;                /* bind / alter context: the items kept */
    mm_dce_iface iface[MM_DCE_IFACES];
    uint8_t minor;              /* rpc_vers_minor */
    /* a request's or response's fragments so far and their stub bytes */
    uint32_t frag_cnt;
    uint64_t stub_total;
} mm_dce_pdu;

/* The PDU at d[0..n) (n may be less than its fragment length: what is
 * there is read). False when it is no DCE/RPC v5 PDU. */
bool mm_dce_parse(const uint8_t *d, uint32_t n, mm_dce_pdu *out);

/* A connection-oriented header at d (16 bytes): version 5.0/5.1, a known
 * data representation, a fragment length that holds the header and the
 * authentication; its fragment and auth lengths (either may be NULL). */
bool mm_dce_header(const uint8_t *d, uint16_t *frag_len, uint16_t *auth_len);

/* A bind acknowledgement's results onto the bind's interfaces, in order. */
void mm_dce_ack(mm_dce_pdu *bind, const uint8_t *d, uint32_t n);

/* The interfaces a bind's acknowledgement accepted join the connection's
 * (or pipe's) bound ones, by context id (at most MM_DCE_IFACES). */
void mm_dce_bound_add(mm_dce_iface *bound, uint8_t *nbound, const mm_dce_pdu *bind);

/* The rules' buffers of a request, or of an answer (pdu) to request req:
 * dcerpc.opnum and dcerpc.iface (the interface req's context is bound to)
 * when req is a request with pdu's call id, dcerpc.stub_data when pdu has
 * stub bytes. op and ifc hold the first two's bytes. Returns how many of
 * b[3] it filled. */
int mm_dce_rule_bufs(const mm_dce_pdu *pdu, const mm_dce_pdu *req, const mm_dce_iface *bound,
                     uint8_t nbound, mm_obs_buf b[3], uint8_t op[2], uint8_t ifc[20]);

/* Suricata's name of a PDU type ("BIND", "REQUEST"...; "UNKNOWN"). */
const char *mm_dce_type_name(uint8_t ptype);

/* The "dcerpc" object of a transaction: its request and response (either
 * may be missing: REQUEST_LOST, UNREPLIED), as Suricata's smb log writes
 * it, or (tcp) as its dcerpc log does: the opnum inside "req", and the
 * rpc_version. */
void mm_dce_json(mm_json *j, const mm_dce_pdu *req, const mm_dce_pdu *res, bool tcp);

/* The interface's UUID as text (37 bytes with the NUL). */
void mm_dce_uuid_str(const uint8_t uuid[16], char *out);

#endif
