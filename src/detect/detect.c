/*
 * detect.c - the built-in detectors' frame: thresholds, the alert path
 * (once per flow, once per source and window), per-source trackers.
 */
#include "detect/det.h"
#include "ioc/match.h"
#include "rules/rule_engine.h"

#include "analysis/geo.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 1000000000ULL

static const struct {
    mm_detect_param p;
    size_t off;
} params[] = {
#define P(n, field, def, help) {{n, def, help}, offsetof(det_params, field)}
    P("alert.window", alert_window, 60,
      "seconds in which one source raises one signature once (then counted)"),
    P("heartbleed.leak_extra", hb_leak_extra, 16,
      "bytes a heartbeat response may exceed its request by before it is a leak"),
    P("rdp.guess_count", rdp_guess_count, 10,
      "RDP connection requests from one source to one host that make guessing"),
    P("rdp.guess_window", rdp_guess_window, 600, "seconds for rdp.guess_count"),
    P("rdp.session_bytes", rdp_session_bytes, 100000,
      "bytes an RDP server sends in a session that worked (a failed login sends far less)"),
    P("rdp.scan_hosts", rdp_scan_hosts, 10,
      "hosts one source opens RDP connections to that make a scan"),
    P("rdp.fast_conns", rdp_fast_conns, 20,
      "RDP connections one source opens (any hosts) that are unusually fast"),
    P("rdp.scan_window", rdp_scan_window, 60, "seconds for rdp.scan_hosts"),
    P("ntp.large_mode7", ntp_large_mode7, 400,
      "bytes of a mode 7 response that make it large (monlist returns up to 440)"),
    P("ntp.flood_packets", ntp_flood_packets, 1000,
      "NTP responses to one internal host that make a flood"),
    P("ntp.flood_sources", ntp_flood_sources, 10, "distinct senders a flood needs"),
    P("ntp.flood_window", ntp_flood_window, 60, "seconds for ntp.flood_packets"),
    P("ntp.flood_mode7", ntp_flood_mode7, 20,
      "mode 7 answers nobody here asked for, to one internal host, that make a flood"),
    P("scan.ports", scan_ports, 8,
      "ports of one host one source probes without a session (vertical scan)"),
    P("scan.hosts", scan_hosts, 6,
      "hosts one source probes without a session, any port (horizontal scan)"),
    P("scan.window", scan_window, 3600, "seconds for scan.ports and scan.hosts"),
    P("scan.window_outside", scan_window_out, 86400,
      "the same for sources outside the company (slow scans from the Internet)"),
    P("brute.count", brute_count, 10,
      "short sessions from one source to one login service (SSH, Telnet, FTP, RDP, SMB)"),
    P("brute.window", brute_window, 300, "seconds for brute.count"),
    P("ek.window", ek_window, 60,
      "seconds between the steps of a drive-by (page, new host, landing, exploit, payload)"),
    P("beacon.min_conns", beacon_min_conns, 20,
      "connections from one host to one server and port before their rhythm is scored"),
    P("beacon.score", beacon_score, 80,
      "score (0-100, RITA's way: regular intervals, regular small sizes) that makes a beacon"),
    P("beacon.internal", beacon_internal, 0,
      "1: also score servers inside the company (off: internal polling is common)"),
    P("brute.short_packets", brute_short_pkts, 60,
      "packets at most in a session counted as a short (failed) login"),
    P("stealer.posts", stealer_posts, 3,
      "encoded uploads from one host to one script on a bare-address or new host that make a stealer"),
    P("stealer.window", stealer_window, 3600, "seconds for stealer.posts"),
#undef P
};

const mm_detect_param *mm_detect_params(int *n)
{
    static mm_detect_param out[sizeof params / sizeof params[0]];
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        out[i] = params[i].p;
    *n = (int)(sizeof params / sizeof params[0]);
    return out;
}

static bool set_param(det_params *p, const char *kv, char *err, size_t errlen)
{
    const char *eq = strchr(kv, '=');
    if (!eq) {
        snprintf(err, errlen, "--detect %s: expected NAME=VALUE", kv);
        return false;
    }
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        size_t l = strlen(params[i].p.name);
        if ((size_t)(eq - kv) != l || strncmp(kv, params[i].p.name, l) != 0)
            continue;
        char *e;
        unsigned long long v = strtoull(eq + 1, &e, 10);
        bool flag = strcmp(params[i].p.name, "beacon.internal") == 0;
        if (e == eq + 1 || *e || (v == 0 && !flag) || v > (flag ? 1 : 1000000000ULL)) {
            if (flag)
                snprintf(err, errlen, "--detect %s: 0 or 1", kv);
            else
                snprintf(err, errlen, "--detect %s: value must be a whole number from 1", kv);
            return false;
        }
        *(uint64_t *)((char *)p + params[i].off) = v;
        return true;
    }
    snprintf(err, errlen, "--detect %s: unknown threshold (see mimamori sensor --help)", kv);
    return false;
}

mm_detect *mm_detect_new(const mm_detect_config *c, mm_eve *eve, const mm_netlist *home,
                         char *err, size_t errlen)
{
    mm_detect *d = calloc(1, sizeof(*d));
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    d->eve = eve;
    d->home = home;
    d->sbuf_share = 1;
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        *(uint64_t *)((char *)&d->p + params[i].off) = params[i].p.def;
    for (int i = 0; i < c->nset; i++)
        if (!set_param(&d->p, c->set[i], err, errlen)) {
            free(d);
            return NULL;
        }
    mm_hashkey_random(&d->hk);
    d->trk = calloc(TRK_SLOTS, sizeof(trk));
    d->bc = calloc(BEACON_SLOTS, sizeof(beacon));
    d->resolved = calloc(RESOLVED_SLOTS, sizeof *d->resolved);
    if (!d->trk || !d->bc || !d->resolved || !det_ek_init(d) || !det_stealer_init(d)) {
        free(d->trk);
        free(d->resolved);
        det_ek_free(d);
        det_stealer_free(d);
        free(d->bc);
        snprintf(err, errlen, "out of memory");
        free(d);
        return NULL;
    }
    if (!det_lists_init(d, c, err, errlen)) {
        mm_detect_free(d);
        return NULL;
    }
    snprintf(d->home_cc, sizeof d->home_cc, "%s", c->home_country ? c->home_country : "JP");
    d->builtin = c->builtin;
    d->ioc = c->ioc && mm_iocmatch_count(c->ioc) ? c->ioc : NULL;
    d->midstream = c->midstream;
    d->xff_mode = c->xff_mode;
    d->xff_reverse = c->xff_reverse;
    d->alert_payload = c->alert_payload;
    d->alert_verdict = c->alert_verdict;
    d->alert_packet = c->alert_packet;
    d->alert_max = c->alert_max ? c->alert_max : 15;
    if (c->nrules && !det_rules_load(d, c, err, errlen)) {
        mm_detect_free(d);
        return NULL;
    }
    if (c->threshold_file) {
        char e2[512];
        if (!(d->th = mm_thresholds_load(c->threshold_file, home, e2, sizeof e2))) {
            snprintf(err, errlen, "--threshold-file %s", e2);
            mm_detect_free(d);
            return NULL;
        }
    }
    return d;
}

void mm_detect_free(mm_detect *d)
{
    if (!d)
        return;
    if (d->owner) {                     /* a worker's: its own parts only */
        det_rules_worker_free(d);
        free(d);
        return;
    }
    if (d->xlock) {
        pthread_mutex_destroy(d->xlock);
        free(d->xlock);
    }
    free(d->resolved);
    det_lists_free(d);
    det_rules_free(d);
    mm_thresholds_free(d->th);
    mm_geo_close(d->geo);
    free(d->trk);
    det_ek_free(d);
    det_stealer_free(d);
    free(d->bc);
    free(d);
}

struct mm_detect_pending {
    mm_detect *rules;           /* the new rules in a detector of their own (NULL: none) */
};

mm_detect_pending *mm_detect_reload_prepare(const mm_detect *d, const mm_detect_config *c,
                                            char *err, size_t errlen)
{
    mm_detect_pending *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (c->nrules && !(p->rules = det_rules_reload_prepare(d, c, err, errlen))) {
        free(p);
        return NULL;
    }
    return p;
}

void mm_detect_reload_commit(mm_detect *d, mm_detect_pending *p, const mm_detect_config *c)
{
    if (p->rules)
        det_rules_reload_commit(d, p->rules);
    d->ioc = c->ioc && mm_iocmatch_count(c->ioc) ? c->ioc : NULL;
    free(p);
}

void mm_detect_reload_abandon(mm_detect_pending *p)
{
    if (!p)
        return;
    det_rules_reload_abandon(p->rules);
    free(p);
}

bool mm_detect_reload(mm_detect *d, const mm_detect_config *c, char *err, size_t errlen)
{
    mm_detect_pending *p = mm_detect_reload_prepare(d, c, err, errlen);
    if (!p)
        return false;
    mm_detect_reload_commit(d, p, c);
    return true;
}

mm_detect *mm_detect_worker(mm_detect *first, mm_eve *eve, unsigned nworkers, char *err,
                            size_t errlen)
{
    first->sbuf_share = nworkers ? nworkers : 1;
    if (!first->xlock) {
        pthread_mutexattr_t a;
        pthread_mutex_t *m = malloc(sizeof *m);
        if (!m || pthread_mutexattr_init(&a) != 0) {
            free(m);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
        pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
        int rc = pthread_mutex_init(m, &a);
        pthread_mutexattr_destroy(&a);
        if (rc != 0) {
            free(m);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
        first->xlock = m;
    }
    mm_detect *w = malloc(sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *w = *first;                        /* the shared parts, borrowed */
    w->owner = first;
    w->eve = eve;
    w->geo = NULL;                      /* det_country asks the owner's */
    memset(&w->st, 0, sizeof w->st);
    memset(w->htags, 0, sizeof w->htags);
    w->htag_next = w->ntags_on = w->hosts_on = 0;
    w->rt = NULL;
    w->rules = NULL;
    w->sbuf_total = 0;
    w->sbuf_free = NULL;
    w->nsbuf_free = 0;
    w->pkt_no = 0;
    w->pkt_alerts = 0;
    w->pkt_passed = false;
    w->cur_pkt = w->pend_pkt = NULL;
    w->alert_caps = false;
    if (!mm_detect_worker_sync(w)) {
        free(w);
        snprintf(err, errlen, "rules: out of memory");
        return NULL;
    }
    return w;
}

bool mm_detect_worker_sync(mm_detect *w)
{
    const mm_detect *o = w->owner;
    if (!o)
        return true;
    w->ioc = o->ioc;
    return det_rules_worker_sync(w);
}

void mm_detect_rebind(mm_detect *d, mm_eve *eve)
{
    d->eve = eve;
}

void mm_detect_stats_get(const mm_detect *d, mm_detect_stats *st)
{
    *st = d->st;
}

det_flow *det_flow_get(mm_flow *f)
{
    if (!f->det)
        f->det = calloc(1, sizeof(det_flow));
    return f->det;
}

/* --- trackers ------------------------------------------------------------- */

trk *det_trk(mm_detect *d, const void *key, size_t klen, uint64_t ts, uint64_t window_s)
{
    uint64_t h = mm_siphash13(&d->hk, key, klen) | 1;
    /* two slots a key may use: the older gives way */
    trk *a = &d->trk[h % TRK_SLOTS], *b = &d->trk[(h >> 17) % TRK_SLOTS];
    trk *t = a->key == h ? a : b->key == h ? b : NULL;
    if (!t) {
        t = a->last <= b->last ? a : b;
        memset(t, 0, sizeof(*t));
        t->key = h;
    }
    /* flows end out of order (at a flush): an earlier time inside the
     * window moves its start back */
    uint64_t w = window_s * NS;
    if (t->start && ts < t->start && t->start - ts <= w && t->last - ts <= w)
        t->start = ts;
    if (!t->start || (ts > t->start && ts - t->start > w) || (ts < t->start && t->start - ts > w)) {
        uint64_t key0 = t->key;
        memset(t, 0, sizeof(*t));
        t->key = key0;
        t->start = ts ? ts : 1;
    }
    if (ts > t->last)
        t->last = ts;
    return t;
}

uint32_t det_trk_distinct(trk *t, uint32_t v)
{
    for (uint16_t i = 0; i < t->ndist; i++)
        if (t->dist[i] == v)
            return t->ndist;
    if (t->ndist < TRK_DIST)
        t->dist[t->ndist++] = v;
    return t->ndist;
}

/* --- addresses ------------------------------------------------------------ */

bool det_home(const mm_detect *d, const mm_ip *ip)
{
    return d->home && mm_netlist_contains(d->home, ip);
}

const char *det_country(mm_detect *d, const mm_ip *ip, char cc[3])
{
    const mm_geo *g = d->eve->geo;
    cc[0] = 0;
    if (!g) {
        mm_detect *o = d->owner ? d->owner : d;
        det_lock(d);
        if (!o->geo_tried) {
            char err[256];
            o->geo_tried = true;                /* once: alerts that need it are rare */
            o->geo = mm_geo_open(NULL, err, sizeof err);
        }
        g = o->geo;
        det_unlock(d);
    }
    if (!g || mm_geo_lookup(g, ip, cc) != MM_GEO_COUNTRY)
        cc[0] = 0;
    return cc;
}

const char *det_abroad(const mm_detect *d, const char *cc)
{
    return !cc[0] ? "" : strcmp(cc, d->home_cc) ? "yes" : "no";
}

bool det_external(const mm_detect *d, const mm_ip *ip)
{
    return !det_home(d, ip) && det_public(ip);
}

bool det_public(const mm_ip *ip)
{
    return mm_geo_special(ip) == MM_GEO_COUNTRY;
}

/* --- alerts --------------------------------------------------------------- */

typedef struct {
    uint32_t sid;
    uint8_t v;
    uint8_t ip[16];
} src_key;

void det_alert(mm_detect *d, mm_flow *f, int sig, int dir, uint64_t ts,
               void (*extra)(mm_json *j, const void *arg), const void *arg)
{
    det_alert_sev(d, f, sig, mm_sigs[sig].severity, dir, ts, extra, arg);
}

mm_json *det_alert_begin(mm_detect *d, mm_flow *f, const mm_sig *s, int severity, int dir,
                         uint64_t ts)
{
    mm_json *j = mm_eve_begin_flow_event(d->eve, f, ts, "alert", dir == MM_TO_CLIENT,
                                         f->app_proto ? mm_app_name(f->app_proto) : NULL);
    mj_str(j, "direction", dir == MM_TO_CLIENT ? "to_client" : "to_server");
    mj_obj_open(j, "alert");
    mj_str(j, "action", "allowed");
    mj_u64(j, "gid", 1);
    mj_u64(j, "signature_id", s->sid);
    mj_u64(j, "rev", s->rev);
    mj_str(j, "signature", s->msg);
    mj_str(j, "category", s->category);
    mj_u64(j, "severity", (uint64_t)severity);
    mj_obj_open(j, "metadata");
    mj_arr_open(j, "family");
    mj_str(j, NULL, s->family);
    mj_arr_close(j);
    mj_arr_open(j, "explain");
    mj_str(j, NULL, s->explain);
    mj_arr_close(j);
    return j;
}

static void alert_sev(mm_detect *d, mm_flow *f, int sig, int severity, int dir, uint64_t ts,
                      void (*extra)(mm_json *j, const void *arg), const void *arg);

void det_alert_sev(mm_detect *d, mm_flow *f, int sig, int severity, int dir, uint64_t ts,
                   void (*extra)(mm_json *j, const void *arg), const void *arg)
{
    det_lock(d);
    alert_sev(d, f, sig, severity, dir, ts, extra, arg);
    det_unlock(d);
}

static void alert_sev(mm_detect *d, mm_flow *f, int sig, int severity, int dir, uint64_t ts,
                      void (*extra)(mm_json *j, const void *arg), const void *arg)
{
    const mm_sig *s = &mm_sigs[sig];
    uint64_t bit = 1ULL << sig;
    if (f->det_fired & bit)
        return;                                     /* once per flow */
    f->det_fired |= bit;
    const mm_ip *src = dir == MM_TO_SERVER ? &f->cli : &f->srv;
    const mm_ip *dst = dir == MM_TO_SERVER ? &f->srv : &f->cli;
    if (!mm_thresholds_allow(d->th, 1, s->sid, src, dst, ts)) {
        d->st.thresholded++;                        /* the analyst's threshold file */
        return;
    }
    src_key k = {.sid = s->sid, .v = src->v};
    memcpy(k.ip, src->b, 16);
    /* the tracker's own window never ends here: this one is kept by hand
     * so that what a window held back is told by the next alert */
    trk *t = det_trk(d, &k, sizeof k, ts, UINT32_MAX);
    uint64_t win = d->p.alert_window * NS;
    if (t->fired && ts >= t->start && ts - t->start <= win) {
        t->count++;
        d->st.suppressed++;
        return;
    }
    uint32_t held = t->count;
    t->fired = true;
    t->start = ts ? ts : 1;
    t->count = 0;
    d->st.alerts++;
    f->alerted = true;
    mm_eve *e = d->eve;
    mm_json *j = det_alert_begin(d, f, s, severity, dir, ts);
    mj_obj_close(j);
    mj_obj_close(j);
    j = mm_eve_flow_event_mimamori(e, f);
    mj_obj_open(j, "alert");
    if (held)
        mj_u64(j, "suppressed", held);
    if (extra)
        extra(j, arg);
    mj_obj_close(j);
    mm_eve_flow_event_close(e);
}

void det_fields_json(mm_json *j, const void *arg)
{
    const det_fields *x = arg;
    for (int i = 0; i < 8; i++)
        if (x->k[i] && x->v[i] && x->v[i][0])
            mj_str(j, x->k[i], x->v[i]);
    for (int i = 0; i < 6; i++)
        if (x->nk[i])
            mj_u64(j, x->nk[i], x->n[i]);
}

/* --- entry points --------------------------------------------------------- */

void mm_detect_observe(void *ctx, mm_flow *f, int dir, int kind, const void *obs, uint64_t ts)
{
    mm_detect *d = ctx;
    if (kind == MM_OBS_BUFFERS)
        det_rules_app(d, f, dir, obs, ts);
    else if (kind == MM_OBS_FILE)
        det_rules_file(d, f, obs, ts);
    else if (kind == MM_OBS_APP_EVENT_MSG)
        return;                 /* checked with its message's buffers */
    else if (kind == MM_OBS_APP_EVENT || kind == MM_OBS_APP_EVENT_TX) {
        det_rules_app_event(d, f, dir, obs, kind == MM_OBS_APP_EVENT_TX, ts);
        return;
    }
    if (kind == MM_OBS_BUFFERS || (!d->builtin && !d->ioc))
        return;
    det_lock(d);
    if (d->builtin)
        det_observe(d, f, dir, kind, obs, ts);
    if (d->ioc)
        det_ioc_observe(d, f, dir, kind, obs, ts);
    det_unlock(d);
}

void mm_detect_stream(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n)
{
    det_rules_stream(d, f, dir, p, n);
    if (!p || !n)
        return;
    /* only chunks that begin in the first 4 KiB of a direction are looked
     * at (a message or two may come before the framing) */
    if (d->builtin && p && f->half[dir].delivered - n < 4096 && !f->half[dir].gaps) {
        det_lock(d);
        det_stream(d, f, dir, p, n);
        det_unlock(d);
    }
}

void mm_detect_datagram(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n)
{
    /* the built-ins look at a UDP flow's first datagrams each way */
    if (d->builtin && n && f->pkts[dir] <= 4) {
        det_lock(d);
        det_p2p_datagram(d, f, dir, p, n);
        det_unlock(d);
    }
}

void mm_detect_rules_counts(const mm_detect *d, uint64_t *loaded, uint64_t *skipped,
                            uint64_t *requires)
{
    *loaded = d->rules_loaded;
    *skipped = d->rules_skipped;
    if (requires)
        *requires = d->rules_requires;
}

unsigned mm_detect_file_hashes(const mm_detect *d)
{
    unsigned h = d && d->rules ? mm_rules_file_hashes(d->rules) : 0;
    unsigned t = d ? mm_iocmatch_types(d->ioc) : 0;
    if (t & (1u << IOC_MD5))
        h |= MM_HASH_MD5;
    if (t & (1u << IOC_SHA1))
        h |= MM_HASH_SHA1;
    if (t & (1u << IOC_SHA256))
        h |= MM_HASH_SHA256;
    return h;
}

void mm_detect_flow_end(mm_detect *d, mm_flow *f)
{
    det_rules_stream_flush(d, f);
    if (d->builtin) {
        det_lock(d);
        det_flow_end(d, f);
        det_unlock(d);
    }
}

void mm_detect_flow_free(mm_detect *d, mm_flow *f)
{
    if (f->det) {
        det_rules_stream_free(d, f);
        free(((det_flow *)f->det)->rbits);
        free(((det_flow *)f->det)->rints);
        free(((det_flow *)f->det)->vars);
    }
    free(f->det);
    f->det = NULL;
}
