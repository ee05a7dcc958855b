/*
 * dcerpc_tcp.c - DCE/RPC straight over TCP: the endpoint mapper on 135 and
 * the dynamic ports it hands out (service control, DCOM/WMI, directory
 * replication...). PDUs are framed by their fragment length; a
 * transaction runs from a request (or bind, alter context) to the last
 * fragment of its answer, matched by call id, and is logged as Suricata's
 * "dcerpc" event. Requests and answers go to the rules (dcerpc.opnum,
 * dcerpc.iface, dcerpc.stub_data) as on an SMB pipe.
 */
#include "proto/app.h"
#include "proto/dcerpc.h"

#include <string.h>

#define PDU_KEEP 8192u          /* bytes of each PDU kept: headers, bind items, stub */
#define TXS 8                   /* transactions awaiting their answer */
#define PFC_FIRST 0x01
#define PFC_LAST 0x02

/* What a direction has buffered of a PDU not yet whole (Suricata's
 * buffer_ts/buffer_tc): its first PDU_KEEP bytes, and how many there are. */
typedef struct dce_dir {
    uint8_t buf[PDU_KEEP];
    uint32_t have, kept;
} dce_dir;

typedef struct dce_tx {
    bool used, has_req, has_res;
    uint32_t call_id;
    uint64_t age;
    mm_dce_pdu req, res;
} dce_tx;

typedef struct dce_state {
    dce_dir d[2];
    uint8_t hdr[16];            /* the header parsed last, either direction's */
    bool hdr_set;               /* ... and the PDU it heads is not done */
    uint8_t need, prev;         /* direction expected next, of the last PDU done */
    bool dead;                  /* a parse error: the flow is not parsed any more */
    dce_tx tx[TXS];
    uint64_t clock;
    uint8_t nbound;
    mm_dce_iface bound[MM_DCE_IFACES];
} dce_state;

static bool client_type(uint8_t t)
{
    return t == MM_DCE_REQUEST || t == MM_DCE_BIND || t == MM_DCE_ALTER;
}

static bool server_type(uint8_t t)
{
    return t == MM_DCE_RESPONSE || t == MM_DCE_BIND_ACK || t == MM_DCE_ALTER_RESP ||
           t == MM_DCE_FAULT || t == MM_DCE_BIND_NAK;
}

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)f;
    if (udp || d[0] != 5)
        return MM_PROBE_NO;
    if (n < 16)
        return MM_PROBE_MORE;
    if (!mm_dce_header(d, NULL, NULL))
        return MM_PROBE_NO;
    return (dir == MM_TO_SERVER ? client_type(d[2]) : server_type(d[2])) ? MM_PROBE_YES
                                                                          : MM_PROBE_NO;
}

static void log_tx(mm_app *a, mm_flow *f, dce_tx *t, uint64_t ts)
{
    mm_json *j = mm_app_event_begin(a, f, ts, "dcerpc", MM_TO_SERVER, false);
    mm_dce_json(j, t->has_req ? &t->req : NULL, t->has_res ? &t->res : NULL, true);
    mm_app_event_end(a, f);
    t->used = false;
}

static dce_tx *tx_find(dce_state *s, uint32_t call_id)
{
    for (int i = 0; i < TXS; i++)
        if (s->tx[i].used && s->tx[i].call_id == call_id)
            return &s->tx[i];
    return NULL;
}

static dce_tx *tx_new(mm_app *a, mm_flow *f, dce_state *s, uint32_t call_id, uint64_t ts)
{
    dce_tx *t = NULL;
    for (int i = 0; i < TXS && !t; i++)
        if (!s->tx[i].used)
            t = &s->tx[i];
    if (!t) {
        t = &s->tx[0];          /* full: the oldest is logged unanswered */
        for (int i = 1; i < TXS; i++)
            if (s->tx[i].age < t->age)
                t = &s->tx[i];
        log_tx(a, f, t, ts);
    }
    memset(t, 0, sizeof *t);
    t->used = true;
    t->call_id = call_id;
    t->age = ++s->clock;
    return t;
}

static void to_rules(mm_app *a, mm_flow *f, dce_state *s, int dir, const mm_dce_pdu *pdu,
                     const dce_tx *t, uint64_t ts)
{
    if (!a->buffers)
        return;
    mm_obs_buf b[3];
    uint8_t op[2], ifc[20];
    int n = mm_dce_rule_bufs(pdu, t->has_req ? &t->req : NULL, s->bound, s->nbound, b, op, ifc);
    if (n) {
        mm_obs_buffers ob = {b, n, NULL, NULL, NULL, NULL};
        mm_app_observe(a, f, dir, MM_OBS_BUFFERS, &ob, ts);
    }
}

/* A fragment's stub as Suricata's DCE/RPC-over-TCP parser takes it, for its
 * log's size and the dcerpc.stub_data buffer alike: a request's bytes after
 * its 24-byte header (an object UUID included), a response's after the
 * 16-byte common header, each to the fragment's end (an authentication
 * trailer included). */
static void suricata_stub(mm_dce_pdu *p, const uint8_t *d, uint32_t kept)
{
    uint32_t off = p->ptype == MM_DCE_REQUEST ? 24u : 16u;
    uint32_t end = kept < p->frag_len ? kept : p->frag_len;
    p->stub_total = p->frag_len > off ? p->frag_len - off : 0;
    p->stub_len = (uint32_t)p->stub_total;
    p->stub = end > off ? d + off : NULL;
    p->stub_have = end > off ? end - off : 0;
}

/* A whole PDU of direction dir (its first kept bytes in d). */
static void pdu(mm_app *a, mm_flow *f, dce_state *s, int dir, const uint8_t *d, uint32_t kept,
                uint64_t ts)
{
    mm_dce_pdu p;
    if (!mm_dce_parse(d, kept, &p))
        return;
    if (p.ptype == MM_DCE_REQUEST || p.ptype == MM_DCE_RESPONSE)
        suricata_stub(&p, d, kept);
    if (dir == MM_TO_SERVER && client_type(p.ptype)) {
        dce_tx *t = tx_find(s, p.call_id);
        if (t && t->has_req && !t->has_res && p.ptype == MM_DCE_REQUEST &&
            t->req.ptype == MM_DCE_REQUEST && !(p.flags & PFC_FIRST)) {
            t->req.frag_cnt++;              /* a request's next fragment */
            t->req.stub_total += p.stub_total;
            return;
        }
        if (t)
            log_tx(a, f, t, ts);            /* the call id again: the old one ends */
        t = tx_new(a, f, s, p.call_id, ts);
        t->req = p;
        t->has_req = true;
        to_rules(a, f, s, dir, &p, t, ts);
        t->req.stub = NULL;
    } else if (dir == MM_TO_CLIENT && server_type(p.ptype)) {
        dce_tx *t = tx_find(s, p.call_id);
        if (!t)
            t = tx_new(a, f, s, p.call_id, ts);     /* its request not seen */
        if (t->has_res && p.ptype == MM_DCE_RESPONSE && t->res.ptype == MM_DCE_RESPONSE &&
            !(p.flags & PFC_FIRST)) {
            t->res.frag_cnt++;
            t->res.stub_total += p.stub_total;
        } else {
            t->res = p;
            t->has_res = true;
            if (t->has_req && (p.ptype == MM_DCE_BIND_ACK || p.ptype == MM_DCE_ALTER_RESP) &&
                (t->req.ptype == MM_DCE_BIND || t->req.ptype == MM_DCE_ALTER)) {
                mm_dce_ack(&t->req, d, kept);
                mm_dce_bound_add(s->bound, &s->nbound, &t->req);
            }
            to_rules(a, f, s, dir, &p, t, ts);
            t->res.stub = NULL;
        }
        if (p.ptype != MM_DCE_RESPONSE || p.flags & PFC_LAST)
            log_tx(a, f, t, ts);
    }
}

#define BUF_MAX (1u << 20)      /* buffered per direction before it is an error */

static void die(mm_app *a, mm_flow *f, dce_state *s)
{
    mm_app_error(a, f);
    s->dead = true;
}

/* One chunk of a direction, as Suricata 7's DCE/RPC-over-TCP parser takes
 * it (its handle_input_data): what the direction buffered and the chunk
 * make one buffer, of which one PDU at most is read per chunk - once that
 * PDU is whole, the buffer is emptied, the chunk's bytes past it with it
 * (two PDUs acknowledged together: the second is not seen; 8.0.5 reads
 * them all). The header is parsed once per PDU and kept across the
 * directions; a chunk of the other direction while one waits for the rest
 * of its PDU, a PDU type other than bind, alter context, their answers,
 * request and response (a fault, AUTH3), a gap or 1 MiB buffered end the
 * parsing of the flow. A buffer that does not start with a version 5.0/5.1
 * header waits for more, never read again. */
static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                  uint64_t ts)
{
    dce_state *s = st;
    dce_dir *D = &s->d[dir];
    if (s->dead)
        return;
    if (!d) {
        die(a, f, s);
        return;
    }
    if (!n)
        return;
    if (D->have + (uint64_t)n > BUF_MAX) {
        die(a, f, s);
        return;
    }
    if (s->prev == dir)
        s->need = (uint8_t)dir;
    if (s->need != dir) {
        die(a, f, s);
        return;
    }
    if (D->kept < PDU_KEEP) {
        uint32_t k = n < PDU_KEEP - D->kept ? n : PDU_KEEP - D->kept;
        memcpy(D->buf + D->kept, d, k);
        D->kept += k;
    }
    D->have += n;
    if (!s->hdr_set) {
        if (D->have < 16 || D->buf[0] != 5 || D->buf[1] > 1)
            return;
        memcpy(s->hdr, D->buf, 16);
        s->hdr_set = true;
    }
    bool le = s->hdr[4] & 0x10;
    uint16_t frag = le ? (uint16_t)(s->hdr[8] | s->hdr[9] << 8)
                       : (uint16_t)(s->hdr[8] << 8 | s->hdr[9]);
    if (D->have < frag)
        return;
    uint8_t type = s->hdr[2];
    switch (type) {
    case MM_DCE_REQUEST:
        if (frag < 24) {
            die(a, f, s);
            return;
        }
        break;
    case MM_DCE_RESPONSE: case MM_DCE_BIND: case MM_DCE_ALTER:
    case MM_DCE_BIND_ACK: case MM_DCE_ALTER_RESP:
        break;
    default:
        die(a, f, s);
        return;
    }
    pdu(a, f, s, dir, D->buf, D->kept < frag ? D->kept : frag, ts);
    D->have = D->kept = 0;
    s->hdr_set = false;
    s->need = (uint8_t)!dir;
    s->prev = (uint8_t)dir;
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    dce_state *s = st;
    for (;;) {                  /* what is pending, oldest first */
        dce_tx *t = NULL;
        for (int i = 0; i < TXS; i++)
            if (s->tx[i].used && (!t || s->tx[i].age < t->age))
                t = &s->tx[i];
        if (!t)
            break;
        log_tx(a, f, t, ts);
    }
}

const mm_app_parser mm_parser_dcerpc = {
    .name = "dcerpc", .id = MM_APP_DCERPC, .tcp = true, .udp = false,
    .probe = probe, .state_size = sizeof(dce_state), .parse = parse, .finish = finish,
};
