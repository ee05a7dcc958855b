/*
 * ntp.c - NTP over UDP: every mode, including mode 6 (control) and mode 7
 * (private: the implementation's own requests such as MON_GETLIST, the
 * monlist used in amplification attacks).
 *
 * Event "ntp" per datagram with Suricata's fields (version, mode, stratum,
 * reference_id); what Suricata's object has no room for goes in
 * mimamori.ntp: request or response, and for mode 7 the implementation,
 * request code and the number and size of items (a monlist reply carries
 * up to 6 items of 72 bytes per datagram), for mode 6 the opcode and data
 * count. A flow logs its first NTP_LOG_MAX datagrams; the rest are added up
 * and logged once at its end (an amplification burst is thousands of
 * replies: one line says how many and how large).
 *
 * Every datagram is shown to the detectors (mm_obs_ntp).
 */
#include "proto/app.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

#define NTP_LOG_MAX 8

typedef struct ntp_state {
    uint32_t logged;
    uint64_t more[2];           /* datagrams not logged, per direction */
    uint64_t more_bytes[2];
    uint64_t more_items[2];
    mm_obs_ntp last[2];
    uint64_t last_ts;
} ntp_state;

static const char *priv_name(uint8_t code)
{
    switch (code) {
    case 0: return "PEER_LIST";
    case 1: return "PEER_LIST_SUM";
    case 2: return "PEER_INFO";
    case 3: return "PEER_STATS";
    case 4: return "SYS_INFO";
    case 5: return "SYS_STATS";
    case 6: return "IO_STATS";
    case 7: return "MEM_STATS";
    case 8: return "LOOP_INFO";
    case 9: return "TIMER_STATS";
    case 10: return "CONFIG";
    case 11: return "UNCONFIG";
    case 12: return "SET_SYS_FLAG";
    case 13: return "CLR_SYS_FLAG";
    case 16: return "GET_RESTRICT";
    case 17: return "RESADDFLAGS";
    case 18: return "RESSUBFLAGS";
    case 19: return "UNRESTRICT";
    case 20: return "MON_GETLIST";
    case 21: return "RESET_STATS";
    case 22: return "RESET_PEER";
    case 23: return "REREAD_KEYS";
    case 26: return "TRUSTKEY";
    case 27: return "UNTRUSTKEY";
    case 28: return "AUTHINFO";
    case 29: return "TRAPS";
    case 30: return "ADD_TRAP";
    case 31: return "CLR_TRAP";
    case 32: return "REQUEST_KEY";
    case 33: return "CONTROL_KEY";
    case 34: return "GET_CTLSTATS";
    case 38: return "GET_CLOCKINFO";
    case 39: return "SET_CLKFUDGE";
    case 40: return "GET_KERNEL";
    case 41: return "GET_CLKBUGINFO";
    case 42: return "MON_GETLIST_1";
    case 43: return "HOSTNAME_ASSOCID";
    case 44: return "IF_STATS";
    case 45: return "IF_RELOAD";
    default: return NULL;
    }
}

static const char *ctl_name(uint8_t op)
{
    static const char *const n[] = {NULL, "READSTAT", "READVAR", "WRITEVAR", "READCLOCK",
                                    "WRITECLOCK", "SETTRAP", "ASYNCMSG", "CONFIGURE",
                                    "SAVECONFIG", "READ_MRU", "READ_ORDLIST", "REQ_NONCE"};
    if (op == 31)
        return "UNSETTRAP";
    return op < sizeof n / sizeof n[0] ? n[op] : NULL;
}

/* Read one datagram; false when it is not NTP. */
static bool decode(const uint8_t *d, uint32_t n, mm_obs_ntp *o)
{
    if (n < 8)
        return false;
    memset(o, 0, sizeof(*o));
    o->version = (d[0] >> 3) & 7;
    o->mode = d[0] & 7;
    o->len = n;
    if (o->version < 1 || o->version > 4 || o->mode == 0)
        return false;
    if (o->mode == 7) {
        /* R M VN mode | A seq | impl | reqcode | err(4) nitems(12) | mbz(4) size(12) */
        o->response = d[0] & 0x80;
        o->implementation = d[2];
        o->request_code = d[3];
        o->items = (uint16_t)((d[4] & 0x0F) << 8 | d[5]);
        o->item_size = (uint16_t)((d[6] & 0x0F) << 8 | d[7]);
        if (o->implementation != 0 && o->implementation != 2 && o->implementation != 3)
            return false;
        if ((d[6] & 0xF0) != 0 || (uint32_t)o->items * o->item_size > n - 8)
            return false;
        return true;
    }
    if (o->mode == 6) {
        /* flags | R E M opcode | seq 2 | status 2 | assoc 2 | offset 2 | count 2 | data */
        if (n < 12)
            return false;
        o->response = d[1] & 0x80;
        o->opcode = d[1] & 0x1F;
        o->items = (uint16_t)(d[10] << 8 | d[11]);
        return o->opcode <= 12 || o->opcode == 31 ? 12u + o->items <= n : false;
    }
    /* modes 1-5: 48-byte header, then extension fields or a MAC */
    if (n < 48 || (n - 48) % 4 != 0 || d[1] > 16)
        return false;
    o->stratum = d[1];
    o->response = o->mode == 2 || o->mode == 4 || o->mode == 5;
    return true;
}

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)dir;
    mm_obs_ntp o;
    if (!udp || !decode(d, n, &o))
        return MM_PROBE_NO;
    bool port = f->sport == 123 || f->cport == 123;
    if (port)
        return MM_PROBE_YES;
    /* elsewhere, only the common shapes: a 48-byte (or MAC'd) client or
     * server packet whose poll and precision are sane, or a private or
     * control request of the ntpd implementations */
    if (o.mode == 3 || o.mode == 4)
        return (n == 48 || n == 68 || n == 72) && d[2] <= 17 && (int8_t)d[3] < 0
                   ? MM_PROBE_YES : MM_PROBE_NO;
    if (o.mode == 7)
        return (o.implementation == 2 || o.implementation == 3) && priv_name(o.request_code)
                   ? MM_PROBE_YES : MM_PROBE_NO;
    return MM_PROBE_NO;
}

static void log_ntp(mm_app *a, mm_flow *f, const uint8_t *d, const mm_obs_ntp *o, int dir,
                    uint64_t ts, uint64_t more, uint64_t more_bytes, uint64_t more_items)
{
    mm_json *j = mm_app_event_begin(a, f, ts, "ntp", dir, true);
    mj_obj_open(j, "ntp");
    mj_u64(j, "version", o->version);
    mj_u64(j, "mode", o->mode);
    if (o->mode <= 5) {
        mj_u64(j, "stratum", o->stratum);
        if (d) {
            char ref[16];
            if (o->stratum <= 1) {
                /* a four-character source name ("GPS", "LOCL", "RATE"...) */
                size_t k = 0;
                for (int i = 0; i < 4 && d[12 + i]; i++)
                    ref[k++] = (d[12 + i] >= 0x20 && d[12 + i] < 0x7f) ? (char)d[12 + i] : '?';
                ref[k] = 0;
            } else {
                snprintf(ref, sizeof ref, "%u.%u.%u.%u", d[12], d[13], d[14], d[15]);
            }
            mj_str(j, "reference_id", ref);
        }
    }
    mj_obj_close(j);
    j = mm_app_event_mimamori(a, f);
    mj_obj_open(j, "ntp");
    mj_str(j, "type", o->response ? "response" : "request");
    if (o->mode == 7) {
        mj_u64(j, "implementation", o->implementation);
        mj_u64(j, "request_code", o->request_code);
        const char *rn = priv_name(o->request_code);
        if (rn)
            mj_str(j, "request", rn);
        mj_u64(j, "items", o->items);
        mj_u64(j, "item_size", o->item_size);
    } else if (o->mode == 6) {
        mj_u64(j, "opcode", o->opcode);
        const char *on = ctl_name((uint8_t)o->opcode);
        if (on)
            mj_str(j, "request", on);
        mj_u64(j, "count", o->items);
    }
    mj_u64(j, "length", o->len);
    if (more) {
        /* the summary at the end of a flow: datagrams not logged one by one */
        mj_u64(j, "more_datagrams", more);
        mj_u64(j, "more_bytes", more_bytes);
        if (o->mode == 7)
            mj_u64(j, "more_items", more_items);
    }
    mj_obj_close(j);
    mm_app_event_close(a);
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                  uint64_t ts)
{
    ntp_state *s = st;
    mm_obs_ntp o;
    if (!d)
        return;
    if (!decode(d, n, &o)) {
        mm_app_error(a, f);
        return;
    }
    mm_app_observe(a, f, dir, MM_OBS_NTP, &o, ts);
    if (s->logged < NTP_LOG_MAX) {
        s->logged++;
        log_ntp(a, f, d, &o, dir, ts, 0, 0, 0);
        return;
    }
    s->more[dir]++;
    s->more_bytes[dir] += n;
    s->more_items[dir] += o.items;
    s->last[dir] = o;
    s->last_ts = ts;
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    (void)ts;
    ntp_state *s = st;
    for (int dir = 0; dir < 2; dir++)
        if (s->more[dir])
            log_ntp(a, f, NULL, &s->last[dir], dir, s->last_ts, s->more[dir],
                    s->more_bytes[dir], s->more_items[dir]);
}

const mm_app_parser mm_parser_ntp = {
    .name = "ntp", .id = MM_APP_NTP, .tcp = false, .udp = true,
    .probe = probe, .state_size = sizeof(ntp_state), .parse = parse, .finish = finish,
};
