/*
 * dcerpc.c - DCE/RPC connection-oriented PDUs (see dcerpc.h).
 *
 * Common header (16 bytes): version 5, minor, type, flags, data
 * representation (byte 0 bit 0x10: little-endian integers), fragment
 * length, auth length, call id. Then per type: a request's alloc hint,
 * context id, opnum (and an object UUID when flag 0x80) before its stub;
 * a response's alloc hint, context id, cancel count before its stub; a
 * bind's (or alter context's) fragment sizes, association group and
 * context items (id, transfer syntax count, abstract syntax UUID and
 * version, transfer syntaxes of 20 bytes); its acknowledgement's sizes,
 * association group, secondary address (padded to 4) and one result
 * (result, reason, transfer syntax) per item.
 */
#include "proto/dcerpc.h"

#include <stdio.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p, bool le)
{
    return le ? (uint16_t)(p[0] | p[1] << 8) : (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p, bool le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
              : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The stub's length as the fragment gives it: what follows the fixed
 * part, less the authentication trailer (8 bytes and the verifier). */
static uint32_t stub_length(const mm_dce_pdu *o, uint32_t fixed, uint16_t auth_len)
{
    uint32_t trailer = auth_len ? 8u + auth_len : 0;
    return o->frag_len > fixed + trailer ? o->frag_len - fixed - trailer : 0;
}

bool mm_dce_header(const uint8_t *d, uint16_t *frag_len, uint16_t *auth_len)
{
    bool le = d[4] & 0x10;
    uint16_t frag = rd16(d + 8, le), auth = rd16(d + 10, le);
    if (frag_len)
        *frag_len = frag;
    if (auth_len)
        *auth_len = auth;
    return d[0] == 5 && d[1] <= 1 && (d[4] & 0xEE) == 0 && frag >= 16 && auth + 16u <= frag;
}

bool mm_dce_parse(const uint8_t *d, uint32_t n, mm_dce_pdu *o)
{
    memset(o, 0, sizeof *o);
    if (n < 16 || d[0] != 5 || d[1] > 1)
        return false;
    bool le = d[4] & 0x10;
    o->ptype = d[2];
    o->minor = d[1];
    o->flags = d[3];
    o->frag_len = rd16(d + 8, le);
    uint16_t auth_len = rd16(d + 10, le);
    o->call_id = rd32(d + 12, le);
    if (o->frag_len < 16)
        return false;
    uint32_t end = n < o->frag_len ? n : o->frag_len;
    switch (o->ptype) {
    case MM_DCE_REQUEST: {
        if (end < 24)
            return true;
        o->ctx_id = rd16(d + 20, le);
        o->opnum = rd16(d + 22, le);
        uint32_t fixed = o->flags & 0x80 ? 40 : 24;
        o->stub_len = stub_length(o, fixed, auth_len);
        o->stub = end > fixed ? d + fixed : NULL;
        o->stub_have = o->stub ? end - fixed : 0;
        o->frag_cnt = 1;
        o->stub_total = o->stub_len;
        break;
    }
    case MM_DCE_RESPONSE:
        if (end < 24)
            return true;
        o->ctx_id = rd16(d + 20, le);
        o->stub_len = stub_length(o, 24, auth_len);
        o->stub = end > 24 ? d + 24 : NULL;
        o->stub_have = o->stub ? end - 24 : 0;
        o->frag_cnt = 1;
        o->stub_total = o->stub_len;
        break;
    case MM_DCE_BIND:
    case MM_DCE_ALTER: {
        if (end < 28)
            return true;
        uint8_t items = d[24];
        uint32_t at = 28;
        for (uint8_t i = 0; i < items && at + 24 <= end; i++) {
            uint8_t ntrans = d[at + 2];
            if (o->nif < MM_DCE_IFACES) {
                mm_dce_iface *f = &o->iface[o->nif++];
                f->ctx_id = rd16(d + at, le);
                memcpy(f->uuid, d + at + 4, 16);
                f->ver = rd16(d + at + 20, le);
                f->ver_minor = rd16(d + at + 22, le);
            }
            at += 24 + 20u * ntrans;
        }
        break;
    }
    default:
        break;
    }
    return true;
}

void mm_dce_ack(mm_dce_pdu *bind, const uint8_t *d, uint32_t n)
{
    if (n < 26 || d[0] != 5)
        return;
    bool le = d[4] & 0x10;
    uint16_t frag = rd16(d + 8, le);
    uint32_t end = n < frag ? n : frag;
    uint32_t at = 26 + rd16(d + 24, le);    /* secondary address */
    at = (at + 3) & ~3u;
    if (at + 4 > end)
        return;
    uint8_t results = d[at];
    at += 4;
    for (uint8_t i = 0; i < results && i < bind->nif && at + 24 <= end; i++, at += 24) {
        bind->iface[i].ack_result = rd16(d + at, le);
        bind->iface[i].ack_reason = rd16(d + at + 2, le);
        bind->iface[i].acked = true;
    }
}

void mm_dce_bound_add(mm_dce_iface *bound, uint8_t *nbound, const mm_dce_pdu *bind)
{
    for (int i = 0; i < bind->nif; i++) {
        if (!bind->iface[i].acked || bind->iface[i].ack_result != 0)
            continue;
        int k = 0;
        while (k < *nbound && bound[k].ctx_id != bind->iface[i].ctx_id)
            k++;
        if (k == MM_DCE_IFACES)
            continue;
        bound[k] = bind->iface[i];
        if (k == *nbound)
            (*nbound)++;
    }
}

int mm_dce_rule_bufs(const mm_dce_pdu *pdu, const mm_dce_pdu *req, const mm_dce_iface *bound,
                     uint8_t nbound, mm_obs_buf b[3], uint8_t op[2], uint8_t ifc[20])
{
    int n = 0;
    if (req && req->ptype == MM_DCE_REQUEST && req->call_id == pdu->call_id) {
        op[0] = (uint8_t)req->opnum;
        op[1] = (uint8_t)(req->opnum >> 8);
        b[n++] = (mm_obs_buf){MM_BUF_DCERPC_OPNUM, op, 2};
        for (int i = 0; i < nbound; i++) {
            if (bound[i].ctx_id != req->ctx_id)
                continue;
            memcpy(ifc, bound[i].uuid, 16);
            ifc[16] = (uint8_t)bound[i].ver;
            ifc[17] = (uint8_t)(bound[i].ver >> 8);
            ifc[18] = (uint8_t)bound[i].ver_minor;
            ifc[19] = (uint8_t)(bound[i].ver_minor >> 8);
            b[n++] = (mm_obs_buf){MM_BUF_DCERPC_IFACE, ifc, 20};
            break;
        }
    }
    if (pdu->stub && pdu->stub_have)
        b[n++] = (mm_obs_buf){MM_BUF_DCERPC_STUB, pdu->stub,
                              pdu->stub_have < pdu->stub_len ? pdu->stub_have : pdu->stub_len};
    return n;
}

const char *mm_dce_type_name(uint8_t t)
{
    static const char *const names[] = {
        "REQUEST", "PING", "RESPONSE", "FAULT", "WORKING", "NOCALL", "REJECT", "ACK",
        "CL_CANCEL", "FACK", "CANCEL_ACK", "BIND", "BIND_ACK", "BIND_NAK", "ALTER_CONTEXT",
        "ALTER_CONTEXT_RESP", "AUTH3", "SHUTDOWN", "CO_CANCEL", "ORPHANED"};
    return t < sizeof names / sizeof names[0] ? names[t] : "UNKNOWN";
}

void mm_dce_uuid_str(const uint8_t u[16], char *out)
{
    /* the first three fields little-endian, as Windows sends them */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             u[3], u[2], u[1], u[0], u[5], u[4], u[7], u[6], u[8], u[9], u[10], u[11], u[12],
             u[13], u[14], u[15]);
}

void mm_dce_json(mm_json *j, const mm_dce_pdu *req, const mm_dce_pdu *res, bool tcp)
{
    mj_obj_open(j, "dcerpc");
    mj_str(j, "request", req ? mm_dce_type_name(req->ptype) : "REQUEST_LOST");
    mj_str(j, "response", res ? mm_dce_type_name(res->ptype) : "UNREPLIED");
    if (req && req->ptype == MM_DCE_REQUEST) {
        if (!tcp)
            mj_u64(j, "opnum", req->opnum);
        mj_obj_open(j, "req");
        if (tcp)
            mj_u64(j, "opnum", req->opnum);
        mj_u64(j, "frag_cnt", req->frag_cnt);
        mj_u64(j, "stub_data_size", req->stub_total);
        mj_obj_close(j);
    }
    if (req && (req->ptype == MM_DCE_BIND || req->ptype == MM_DCE_ALTER) && req->nif) {
        mj_arr_open(j, "interfaces");
        for (int i = 0; i < req->nif; i++) {
            char u[37], v[16];
            mm_dce_uuid_str(req->iface[i].uuid, u);
            snprintf(v, sizeof v, "%u.%u", req->iface[i].ver, req->iface[i].ver_minor);
            mj_obj_open(j, NULL);
            mj_str(j, "uuid", u);
            mj_str(j, "version", v);
            if (req->iface[i].acked) {
                mj_u64(j, "ack_result", req->iface[i].ack_result);
                if (!tcp)       /* the dcerpc log has no reason (Suricata's schema) */
                    mj_u64(j, "ack_reason", req->iface[i].ack_reason);
            }
            mj_obj_close(j);
        }
        mj_arr_close(j);
    }
    if (res && res->ptype == MM_DCE_RESPONSE) {
        mj_obj_open(j, "res");
        mj_u64(j, "frag_cnt", res->frag_cnt);
        mj_u64(j, "stub_data_size", res->stub_total);
        mj_obj_close(j);
    }
    mj_u64(j, "call_id", req ? req->call_id : res ? res->call_id : 0);
    if (tcp) {
        char v[8];
        snprintf(v, sizeof v, "5.%u", req ? req->minor : res ? res->minor : 0);
        mj_str(j, "rpc_version", v);
    }
    mj_obj_close(j);
}
