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
} mm_dce_pdu;

/* The PDU at d[0..n) (n may be less than its fragment length: what is
 * there is read). False when it is no DCE/RPC v5 PDU. */
bool mm_dce_parse(const uint8_t *d, uint32_t n, mm_dce_pdu *out);

/* A bind acknowledgement's results onto the bind's interfaces, in order. */
void mm_dce_ack(mm_dce_pdu *bind, const uint8_t *d, uint32_t n);

/* Suricata's name of a PDU type ("BIND", "REQUEST"...; "UNKNOWN"). */
const char *mm_dce_type_name(uint8_t ptype);

/* The "dcerpc" object of an SMB transaction: its request and response
 * (either may be missing: REQUEST_LOST, UNREPLIED), as Suricata's. */
void mm_dce_json(mm_json *j, const mm_dce_pdu *req, const mm_dce_pdu *res);

/* The interface's UUID as text (37 bytes with the NUL). */
void mm_dce_uuid_str(const uint8_t uuid[16], char *out);

#endif
