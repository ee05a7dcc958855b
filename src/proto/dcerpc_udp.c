/*
 * dcerpc_udp.c - DCE/RPC over UDP: connectionless PDUs (C706 chapter 12.5,
 * version 4), each datagram one PDU behind an 80-byte header that names
 * the object, interface and activity UUIDs, a sequence number, an opnum
 * and the fragment's length and number.
 *
 * As Suricata 7's DCE/RPC-over-UDP parser: a flow is DCE/RPC when its
 * first datagram is a request with a valid version 4 header; a transaction
 * is a request and its response, found by activity UUID and sequence
 * number (a fragment joins the transaction of its kind not done yet); a
 * side is done with a PDU that is no fragment or the last one. A datagram
 * shorter than the header or than its fragment length, of another
 * version, or neither request nor response is a parse error and left out.
 * The transaction is logged as a "dcerpc" event once both sides are done
 * (at the flow's end otherwise), with activityuuid, seqnum and
 * rpc_version 4.0; its req.opnum is 0, as Suricata 7 never takes the
 * header's opnum into the transaction. Each fragment's stub bytes go to
 * the rules as dcerpc.stub_data.
 */
#include "proto/app.h"
#include "proto/dcerpc.h"

#include <string.h>

#define HDR 80u
#define TXS 16                  /* transactions open at once per flow */
#define FL1_LASTFRAG 0x02
#define FL1_FRAG 0x04

typedef struct udp_tx {
    bool used, req_done, res_done;
    uint8_t act[16];
    uint32_t seqnum;
    uint32_t frag_req, frag_res;
    uint64_t stub_req, stub_res;
    uint64_t age;
} udp_tx;

typedef struct udp_state {
    udp_tx tx[TXS];
    uint64_t clock;
} udp_state;

static uint32_t rd32(const uint8_t *p, bool le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
              : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

static uint16_t rd16(const uint8_t *p, bool le)
{
    return le ? (uint16_t)(p[0] | p[1] << 8) : (uint16_t)(p[1] | p[0] << 8);
}

/* Suricata's test of a connectionless header: version 4, reserved bits of
 * flags2 clear, a known data representation; on the first datagram only
 * a request ("04 00" is its detection pattern). */
static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)f;
    (void)dir;
    if (!udp || n < HDR || d[0] != 4 || d[1] != MM_DCE_REQUEST)
        return MM_PROBE_NO;
    if ((d[3] & 0xfc) || (d[4] & 0xee) || d[5] > 3)
        return MM_PROBE_NO;
    return MM_PROBE_YES;
}

static void log_tx(mm_app *a, mm_flow *f, udp_tx *t, uint64_t ts)
{
    char u[37];
    mm_json *j = mm_app_event_begin(a, f, ts, "dcerpc", MM_TO_SERVER, false);
    mj_obj_open(j, "dcerpc");
    if (t->req_done) {
        mj_str(j, "request", "REQUEST");
        mj_obj_open(j, "req");
        mj_u64(j, "opnum", 0);
        mj_u64(j, "frag_cnt", t->frag_req);
        mj_u64(j, "stub_data_size", t->stub_req);
        mj_obj_close(j);
    } else {
        mj_str(j, "request", "REQUEST_LOST");
    }
    if (t->res_done) {
        mj_str(j, "response", "RESPONSE");
        mj_obj_open(j, "res");
        mj_u64(j, "frag_cnt", t->frag_res);
        mj_u64(j, "stub_data_size", t->stub_res);
        mj_obj_close(j);
    } else {
        mj_str(j, "response", "UNREPLIED");
    }
    mm_dce_uuid_str(t->act, u);
    mj_str(j, "activityuuid", u);
    mj_u64(j, "seqnum", t->seqnum);
    mj_str(j, "rpc_version", "4.0");
    mj_obj_close(j);
    mm_app_event_end(a, f);
    t->used = false;
}

static udp_tx *tx_for(mm_app *a, mm_flow *f, udp_state *s, const uint8_t act[16],
                      uint32_t seqnum, bool req, uint64_t ts)
{
    for (int i = 0; i < TXS; i++) {
        udp_tx *t = &s->tx[i];
        if (t->used && t->seqnum == seqnum && !memcmp(t->act, act, 16) &&
            (req ? !t->req_done : !t->res_done))
            return t;
    }
    udp_tx *t = NULL;
    for (int i = 0; i < TXS && !t; i++)
        if (!s->tx[i].used)
            t = &s->tx[i];
    if (!t) {                   /* full: the oldest is logged as it stands */
        t = &s->tx[0];
        for (int i = 1; i < TXS; i++)
            if (s->tx[i].age < t->age)
                t = &s->tx[i];
        log_tx(a, f, t, ts);
    }
    memset(t, 0, sizeof *t);
    t->used = true;
    memcpy(t->act, act, 16);
    t->seqnum = seqnum;
    t->age = ++s->clock;
    return t;
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                  uint64_t ts)
{
    udp_state *s = st;
    if (!d || n < HDR || d[0] != 4) {
        mm_app_error(a, f);
        return;
    }
    uint8_t type = d[1], fl1 = d[2];
    bool le = d[4] != 0;        /* Suricata: any byte but 0 is little-endian */
    uint32_t seqnum = rd32(d + 64, le);
    uint16_t frag_len = rd16(d + 74, le);
    if (n - HDR < frag_len || (type != MM_DCE_REQUEST && type != MM_DCE_RESPONSE)) {
        mm_app_error(a, f);
        return;
    }
    bool req = type == MM_DCE_REQUEST;
    udp_tx *t = tx_for(a, f, s, d + 40, seqnum, req, ts);
    bool done = !(fl1 & FL1_FRAG) || (fl1 & FL1_LASTFRAG);
    if (req) {
        t->frag_req++;
        t->stub_req += frag_len;
        t->req_done |= done;
    } else {
        t->frag_res++;
        t->stub_res += frag_len;
        t->res_done |= done;
    }
    if (a->buffers && frag_len) {
        mm_obs_buf b = {MM_BUF_DCERPC_STUB, d + HDR, frag_len};
        mm_obs_buffers ob = {&b, 1, NULL, NULL, NULL, NULL};
        mm_app_observe(a, f, dir, MM_OBS_BUFFERS, &ob, ts);
    }
    if (t->req_done && t->res_done)
        log_tx(a, f, t, ts);
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    udp_state *s = st;
    for (;;) {                  /* what is pending, oldest first */
        udp_tx *t = NULL;
        for (int i = 0; i < TXS; i++)
            if (s->tx[i].used && (!t || s->tx[i].age < t->age))
                t = &s->tx[i];
        if (!t)
            break;
        log_tx(a, f, t, ts);
    }
}

const mm_app_parser mm_parser_dcerpc_udp = {
    .name = "dcerpc", .id = MM_APP_DCERPC, .tcp = false, .udp = true,
    .probe = probe, .state_size = sizeof(udp_state), .parse = parse, .finish = finish,
};
