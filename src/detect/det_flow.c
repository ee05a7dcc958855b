/*
 * det_flow.c - detectors fed by whole flows and first bytes: Gh0st's
 * framing, scans, password guessing, IoT ports, SMB with the Internet, an
 * NTP server used as a reflector, outbound RDP sweeps.
 */
#include "detect/det.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 1000000000ULL

typedef struct nkv {
    const char *k[3];
    const char *v[3];
    const char *nk[4];
    uint64_t n[4];
} nkv;

static void nkv_json(mm_json *j, const void *arg)
{
    const nkv *x = arg;
    for (int i = 0; i < 3; i++)
        if (x->k[i] && x->v[i] && x->v[i][0])
            mj_str(j, x->k[i], x->v[i]);
    for (int i = 0; i < 4; i++)
        if (x->nk[i])
            mj_u64(j, x->nk[i], x->n[i]);
}

/* --- Gh0st --------------------------------------------------------------------- */

/* Gh0st and its many variants frame each message as: a short ASCII magic
 * word (5 bytes in the original "Gh0st"; variants change word and length),
 * the whole packet's length and the uncompressed length as little-endian
 * 32-bit integers, then a zlib stream. The magic is not trusted, the shape
 * is: lengths that agree with what came, and a valid zlib header. */
static bool gh0st(const uint8_t *p, uint32_t n, uint32_t *magic_len)
{
    for (uint32_t m = 3; m <= 12 && m + 10 <= n; m++) {
        bool word = true;
        for (uint32_t i = 0; i < m && word; i++)
            word = p[i] >= 0x21 && p[i] < 0x7f;
        if (!word)
            return false;
        uint32_t total = mm_le32(p + m), raw = mm_le32(p + m + 4);
        uint8_t cmf = p[m + 8], flg = p[m + 9];
        if (total < m + 10 || total > (16u << 20) || raw == 0 || raw > (64u << 20))
            continue;
        if (total > n ? n < 64 : total < n && (total + m > n || memcmp(p + total, p, m) != 0))
            continue;   /* the first data is the packet, its start, or packets alike */
        if ((cmf & 0x0F) != 8 || (cmf >> 4) > 7 || ((cmf << 8) | flg) % 31 != 0 || (flg & 0x20))
            continue;
        *magic_len = m;
        return true;
    }
    return false;
}

void det_stream(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n)
{
    uint32_t m;
    det_p2p_stream(d, f, dir, p, n);
    if (n < 13 || !gh0st(p, n, &m))
        return;
    char word[13];
    memcpy(word, p, m);
    word[m] = 0;
    nkv x = {.k = {"magic"}, .v = {word}, .nk = {"packet_length", "uncompressed_length"},
             .n = {mm_le32(p + m), mm_le32(p + m + 4)}};
    det_alert(d, f, SIG_GH0ST, dir, f->last_ns, nkv_json, &x);
}

struct ntp_amp {
    uint64_t req, resp;
};

/* Bytes asked and answered, and their ratio (how much an attacker gains). */
static void amp_json(mm_json *j, const void *arg)
{
    const struct ntp_amp *a = arg;
    mj_u64(j, "request_bytes", a->req);
    mj_u64(j, "response_bytes", a->resp);
    if (a->req)
        mj_dbl(j, "amplification", (double)(a->resp * 10 / a->req) / 10.0);
}

/* --- at a flow's end -------------------------------------------------------------- */

/* Nothing came of it: a probe (SYN unanswered or refused, or a connect
 * closed without data; a datagram without reply). */
static bool probe_only(const mm_detect *d, const mm_flow *f)
{
    if (f->proto == 6) {
        if (f->half[0].delivered || f->half[1].delivered || f->pkts[0] > 3 ||
            !(f->flags_ts & 0x02))
            return false;               /* data, or not begun here (mid-flow) */
        /* unanswered, refused, or reset by the client at once (a connect
         * scan); not an idle connection opened ahead of need (browsers) */
        bool synack = (f->flags_tc & 0x12) == 0x12;
        return !synack || (f->flags_tc & 0x04) || ((f->flags_ts & 0x04) && !(f->flags_ts & 0x01));
    }
    /* unanswered datagrams are common (dead resolvers, discovery): only
     * an outsider's count */
    if (f->proto == 17)
        return f->pkts[1] == 0 && f->pkts[0] <= 2 && det_external(d, &f->cli);
    return false;
}

static bool login_port(uint16_t p)
{
    return p == 22 || p == 23 || p == 21 || p == 3389 || p == 445 || p == 139 || p == 2323;
}

static bool iot_port(uint16_t p)
{
    static const uint16_t ports[] = {23,   2323, 52869, 9000, 8291, 37215, 7547, 5555,
                                     37777, 34567, 60001, 6789, 5358, 49152, 1023};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (p == ports[i])
            return true;
    return false;
}

typedef struct {
    char tag[4];
    uint16_t port;
    mm_ip a, b;
} fkey;

static void scans(mm_detect *d, mm_flow *f)
{
    uint64_t ts = f->start_ns;
    uint64_t win = det_home(d, &f->cli) ? d->p.scan_window : d->p.scan_window_out;
    fkey k;
    memset(&k, 0, sizeof k);
    /* one source, one host, many ports */
    memcpy(k.tag, "vsc", 4);
    k.a = f->cli;
    k.b = f->srv;
    trk *t = det_trk(d, &k, sizeof k, ts, win);
    uint32_t ports = det_trk_distinct(t, f->sport);
    if (!t->fired && ports >= d->p.scan_ports) {
        t->fired = true;
        nkv x = {.nk = {"ports", "window_seconds"}, .n = {ports, win}};
        det_alert(d, f, SIG_SCAN_PORTS, MM_TO_SERVER, f->last_ns, nkv_json, &x);
    }
    /* one source, many hosts (on one port or several: sweeps mix them) */
    memset(&k, 0, sizeof k);
    memcpy(k.tag, "hsc", 4);
    k.a = f->cli;
    t = det_trk(d, &k, sizeof k, ts, win);
    uint32_t hosts = det_trk_distinct(t, (uint32_t)mm_siphash13(&d->hk, &f->srv, sizeof f->srv));
    if (!t->fired && hosts >= d->p.scan_hosts) {
        t->fired = true;
        nkv x = {.nk = {"hosts", "last_port", "window_seconds"},
                 .n = {hosts, f->sport, win}};
        det_alert(d, f, SIG_SCAN_HOSTS, MM_TO_SERVER, f->last_ns, nkv_json, &x);
    }
}

static void bruteforce(mm_detect *d, mm_flow *f)
{
    fkey k;
    memset(&k, 0, sizeof k);
    memcpy(k.tag, "brf", 4);
    k.a = f->cli;
    k.b = f->srv;
    k.port = f->sport;
    trk *t = det_trk(d, &k, sizeof k, f->start_ns, d->p.brute_window);
    t->count++;
    if (!t->fired && t->count >= d->p.brute_count) {
        t->fired = true;
        nkv x = {.k = {"service"},
                 .v = {f->app_proto ? mm_app_name(f->app_proto) : ""},
                 .nk = {"sessions", "port", "window_seconds"},
                 .n = {t->count, f->sport, d->p.brute_window}};
        det_alert(d, f, SIG_BRUTEFORCE, MM_TO_SERVER, f->last_ns, nkv_json, &x);
    }
}

void det_flow_end(mm_detect *d, mm_flow *f)
{
    det_flow *df = f->det;
    bool cli_home = det_home(d, &f->cli), srv_home = det_home(d, &f->srv);
    if (f->proto == 6 || f->proto == 17) {
        bool probe = probe_only(d, f);
        if (!probe)
            det_beacon(d, f);
        if (probe)
            scans(d, f);
        uint64_t pkts = f->pkts[0] + f->pkts[1];
        if (f->proto == 6 && !probe && login_port(f->sport) && pkts <= d->p.brute_short_pkts &&
            f->half[0].delivered && f->half[1].delivered)
            bruteforce(d, f);
        if (f->proto == 6 && iot_port(f->sport) && cli_home != srv_home &&
            det_external(d, cli_home ? &f->srv : &f->cli)) {
            nkv x = {.k = {"direction"}, .v = {cli_home ? "outbound" : "inbound"},
                     .nk = {"port"}, .n = {f->sport}};
            det_alert(d, f, SIG_IOT_PORT, MM_TO_SERVER, f->last_ns, nkv_json, &x);
        }
        if (f->proto == 6 && f->sport == 3389 && (f->flags_ts & 0x02)) {
            /* one source opening RDP connections fast: to many hosts (a
             * sweep) or many times (a tool) - ET's "unusually fast
             * Terminal Server traffic" */
            fkey k;
            memset(&k, 0, sizeof k);
            memcpy(k.tag, "rds", 4);
            k.a = f->cli;
            trk *t = det_trk(d, &k, sizeof k, f->start_ns, d->p.rdp_scan_window);
            t->count++;
            uint32_t hosts =
                det_trk_distinct(t, (uint32_t)mm_siphash13(&d->hk, &f->srv, sizeof f->srv));
            if (!t->fired && (hosts >= d->p.rdp_scan_hosts || t->count >= d->p.rdp_fast_conns)) {
                t->fired = true;
                nkv x = {.k = {"direction"},
                         .v = {cli_home ? (srv_home ? "internal" : "outbound") : "inbound"},
                         .nk = {"hosts", "connections", "window_seconds"},
                         .n = {hosts, t->count, d->p.rdp_scan_window}};
                det_alert(d, f, SIG_RDP_OUT_SCAN, MM_TO_SERVER, f->last_ns, nkv_json, &x);
            }
        }
    }
    if (d->mining_ips && f->proto == 6 && f->half[0].delivered && det_external(d, &f->srv)) {
        char ip[MM_IPSTR_LEN];
        mm_ip_str(&f->srv, ip);
        const char *hit = det_name_match(d, MM_LIST_MINING, ip);
        if (hit) {
            nkv x = {.k = {"address", "seen_in"}, .v = {hit, "connection"}};
            det_alert(d, f, SIG_MINING_NAME, MM_TO_SERVER, f->last_ns, nkv_json, &x);
        }
    }
    if (f->app_proto == MM_APP_RDP && srv_home && det_external(d, &f->cli) &&
        f->bytes[MM_TO_CLIENT] >= d->p.rdp_session_bytes) {
        /* a working session after many attempts from the same outsider */
        struct {
            char tag[4];
            mm_ip a, b;
        } key = {"rdg", f->cli, f->srv};
        trk *t = det_trk(d, &key, sizeof key, f->start_ns, d->p.rdp_guess_window);
        if (t->count >= d->p.rdp_guess_count) {
            char cc[3];
            det_country(d, &f->cli, cc);
            nkv x = {.k = {"source_country", "abroad"}, .v = {cc, det_abroad(d, cc)},
                     .nk = {"attempts", "session_bytes", "session_seconds"},
                     .n = {t->count, f->bytes[MM_TO_CLIENT],
                           (f->last_ns - f->start_ns) / NS}};
            det_alert(d, f, SIG_RDP_AFTER_GUESS, MM_TO_SERVER, f->last_ns, nkv_json, &x);
        }
    }
    if (f->app_proto == MM_APP_SMB && cli_home != srv_home &&
        det_external(d, cli_home ? &f->srv : &f->cli)) {
        nkv x = {.k = {"direction"}, .v = {cli_home ? "outbound" : "inbound"}};
        det_alert(d, f, SIG_SMB_INTERNET, MM_TO_SERVER, f->last_ns, nkv_json, &x);
    }
    if (df && df->ntp_unasked)
        det_ntp_answered_end(d, f, df);
    if (df && df->monlist_resp) {
        int dir = det_home(d, &f->srv) ? MM_TO_CLIENT : MM_TO_SERVER;
        struct ntp_amp a = {df->ntp_req_bytes, df->ntp_resp_bytes};
        det_alert(d, f, SIG_NTP_REFLECTOR, dir, f->last_ns, amp_json, &a);
    }
}
