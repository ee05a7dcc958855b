/*
 * sensor.c - the sensor's main loop.
 *
 * Files are read one after another as one timeline; packets go through
 * decode, the flow table (with TCP reassembly) and, when asked, the pcap
 * ring. Flows time out by packet time, so a capture file gives the same
 * events however fast it is read. Live capture uses wall-clock time for
 * timeouts, and emits a stats event every stats interval even with no
 * traffic, so that "nothing seen" can be told from "sensor dead".
 *
 * Anomaly events are limited per kind to anomaly_rate per minute of packet
 * time; the rest are counted (anomaly_events_suppressed), never lost.
 *
 * SIGHUP (live) sets a flag the capture loop looks at between batches of
 * packets: the rules and indicators are read again into new sets, which
 * replace the running ones only when they load whole (reload()); flows
 * and their state stay. Each attempt is said on stderr and in a stats
 * event written at once (mimamori.stats.reload).
 */
#include "sensor.h"

#include "analysis/geo.h"
#include "capture/capture.h"
#include "ioc/match.h"
#include "output/output.h"
#include "output/pcapdir.h"
#include "proto/app.h"
#include "proto/http_range.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop, g_reload;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void on_hup(int sig)
{
    (void)sig;
    g_reload = 1;
}

void mm_sensor_config_defaults(mm_sensor_config *c)
{
    memset(c, 0, sizeof(*c));
    c->site = "default";
    c->home_net = MM_DEFAULT_HOME_NET;
    mm_flow_config_defaults(&c->flow);
    c->defrag_memcap = 4ULL << 20;
    c->stats_interval_s = 60;
    c->dns_log = 3;             /* requests and responses */
    c->seg_size = 64ULL << 20;
    c->seg_age_s = 3600;
    c->pcap_quota = 1ULL << 30;
    c->snaplen = MM_MAX_SNAPLEN;
    c->promisc = true;
    c->progress = -1;
    c->anomaly_rate = 100;
    c->anomaly_types = 7;
    c->app_memcap = 16ULL << 20;
    c->filestore_max = 16ULL << 20;
    /* SHA-256 only by default: MD5 and SHA-1 cost as much again each (see
     * bench/RESULTS.md); --file-hashes adds them */
    c->file_hashes = MM_HASH_SHA256;
    c->detect.builtin = true;
}

/* ---- profiles (issue 29) ---- */

bool mm_sensor_profile(mm_sensor_config *c, const char *name)
{
    mm_sensor_config d;
    mm_sensor_config_defaults(&d);
    if (strcmp(name, "standard") == 0) {
        c->flow.memcap = d.flow.memcap;
        c->flow.stream_memcap = d.flow.stream_memcap;
        c->defrag_memcap = d.defrag_memcap;
        c->app_memcap = d.app_memcap;
        return true;
    }
    if (strcmp(name, "small") == 0) {
        /* worst case 8 + 4 (+ 16 waiting for acknowledgements) + 2 + 8 MiB
         * for traffic, against 32 + 16 (+ 64) + 4 + 16 by default */
        c->flow.memcap = 8ULL << 20;
        c->flow.stream_memcap = 4ULL << 20;
        c->defrag_memcap = 2ULL << 20;
        c->app_memcap = 8ULL << 20;
        return true;
    }
    return false;
}

/* A cgroup file holding a byte count ("max" or garbage: 0). */
static uint64_t cg_limit(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char b[64];
    uint64_t v = 0;
    if (fgets(b, sizeof b, f)) {
        b[strcspn(b, "\n")] = 0;
        if (!mm_parse_uint(b, UINT64_MAX, &v))
            v = 0;
    }
    fclose(f);
    return v;
}

/* The lowest limit of FILE in the cgroup at ROOT/PATH and its ancestors. */
static uint64_t cg_lowest(const char *root, const char *path, const char *file)
{
    char p[1024];
    if (strlen(path) >= 512 || path[0] != '/' || strstr(path, ".."))
        return 0;
    snprintf(p, sizeof p, "%s", path);
    uint64_t low = 0;
    for (;;) {
        char f[1200];
        snprintf(f, sizeof f, "%s%s/%s", root, strcmp(p, "/") ? p : "", file);
        uint64_t v = cg_limit(f);
        if (v && (!low || v < low))
            low = v;
        char *slash = strrchr(p, '/');
        if (!slash || slash == p)
            break;
        *slash = 0;
    }
    if (strcmp(p, "/") != 0) {      /* the root's own (v1 has one) */
        char f[1200];
        snprintf(f, sizeof f, "%s/%s", root, file);
        uint64_t v = cg_limit(f);
        if (v && (!low || v < low))
            low = v;
    }
    return low;
}

uint64_t mm_box_memory(void)
{
    const char *env = getenv("MIMAMORI_MEMORY");
    uint64_t v;
    if (env && *env && mm_parse_size(env, &v))
        return v;
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    uint64_t mem = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : 0;
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return mem;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        uint64_t lim = 0;
        if (strncmp(line, "0::", 3) == 0)
            lim = cg_lowest("/sys/fs/cgroup", line + 3, "memory.max");
        else {
            char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
            if (a && b && (size_t)(b - a - 1) == 6 && strncmp(a + 1, "memory", 6) == 0)
                lim = cg_lowest("/sys/fs/cgroup/memory", b + 1, "memory.limit_in_bytes");
        }
        if (lim && (!mem || lim < mem))
            mem = lim;
    }
    fclose(f);
    return mem;
}

typedef struct sensor {
    const mm_sensor_config *cfg;
    mm_decoder dec;
    mm_flowtable *ft;
    mm_eve eve;
    mm_app app;
    mm_detect *det;             /* NULL: built-in detectors off */
    mm_netlist home;
    mm_geo *geo;
    FILE *evefp;
    mm_segw *segw;
    bool seg_failing;
    const char *outdir;         /* segments' directory (NULL: none) */           /* the last segment write failed (disk full) */
    mm_pcapdir *pcap;
    mm_live *live;
    uint64_t start_mono;
    uint64_t rules_load_ns;         /* when the rules were loaded (time of day) */
    mm_detect_config dcfg;          /* cfg->detect with the indicators below */
    struct mm_iocmatch *ioc;        /* --ioc's (NULL: none) */
    uint64_t reloads, reload_failures, reload_ns;
    char reload_error[512];         /* why the last reload was refused ("": it was not) */
    uint64_t an_minute[MM_AN__COUNT + 1];     /* the last: app-layer events */
    uint64_t an_count[MM_AN__COUNT + 1];
    uint64_t an_suppressed;
    uint64_t stream_anomalies;
    uint64_t last_ts;
    /* progress */
    bool progress;
    uint64_t prog_last, prog_bytes_done, prog_total;
} sensor;

/* Both sinks at once when --eve and -o are given. */
static int sink_write(void *ctx, const char *line, size_t len)
{
    sensor *s = ctx;
    int r = 0;
    if (s->evefp && fwrite(line, 1, len, s->evefp) != len)
        r = -1;
    if (s->segw) {
        if (mm_segw_write(s->segw, line, len) != 0) {
            r = -1;
            if (!s->seg_failing)
                fprintf(stderr, "mimamori: writing segments in %s: %s; events are counted "
                        "and dropped until writing works again\n", s->outdir, strerror(errno));
            s->seg_failing = true;
        } else if (s->seg_failing) {
            mm_seg_stats ss;
            mm_segw_stats(s->segw, &ss);
            fprintf(stderr, "mimamori: writing segments in %s again (%llu events could not "
                    "be written)\n", s->outdir, (unsigned long long)ss.unwritten);
            s->seg_failing = false;
        }
    }
    return r;
}

static bool anomaly_allowed(sensor *s, uint64_t ts, int a)
{
    int type = a == MM_AN__COUNT ? 4 : strcmp(mm_anomaly_table[a].type, "stream") == 0 ? 2 : 1;
    if (!(s->cfg->anomaly_types & type))
        return false;
    uint64_t minute = ts / 60000000000ULL;
    if (s->an_minute[a] != minute) {
        s->an_minute[a] = minute;
        s->an_count[a] = 0;
    }
    if (s->an_count[a] >= s->cfg->anomaly_rate) {
        s->an_suppressed++;
        return false;
    }
    s->an_count[a]++;
    return true;
}

/* The parsers' observations: an app-layer event is also an anomaly event
 * ("applayer", as Suricata logs them by default; at most --anomaly-rate a
 * minute, all protocols together); everything goes on to detection. */
static void observe(void *ctx, mm_flow *f, int dir, int kind, const void *obs, uint64_t ts)
{
    sensor *s = ctx;
    if ((kind == MM_OBS_APP_EVENT || kind == MM_OBS_APP_EVENT_MSG ||
         kind == MM_OBS_APP_EVENT_TX) &&
        anomaly_allowed(s, ts, MM_AN__COUNT))
        mm_eve_applayer_anomaly(&s->eve, ts, f, obs,
                                f->app_proto ? mm_app_name(f->app_proto) : NULL,
                                s->eve.pcap_cnt && f->pkt_dir == MM_TO_CLIENT,
                                s->app.event_tx ? (int64_t)(s->app.event_tx - 1) : -1);
    if (s->det)
        mm_detect_observe(s->det, f, dir, kind, obs, ts);
}

/* Every event of a flow: its "traffic" and "metadata" (flowbits, flowints). */
static void flow_traffic(void *ctx, mm_json *j, const mm_flow *f)
{
    mm_detect_traffic_json(ctx, f, j);
}

static void hook_flow_end(void *u, mm_flow *f, int reason)
{
    sensor *s = u;
    uint64_t cnt = s->eve.pcap_cnt;
    s->eve.pcap_cnt = 0;            /* not a packet's doing: no pcap_cnt */
    mm_detect_flow_end_start(s->det);
    mm_app_flow_end(&s->app, f);
    if (s->det)
        mm_detect_flow_end(s->det, f);
    mm_eve_flow(&s->eve, f, reason, mm_app_name(f->app_proto),
                f->app_proto_orig ? mm_app_name(f->app_proto_orig) : NULL);
    mm_eve_flow_macs_free(f);
    if (s->det)
        mm_detect_flow_free(s->det, f);
    s->eve.pcap_cnt = cnt;
}

static void hook_stream_data(void *u, mm_flow *f, int dir, const uint8_t *d, uint32_t n, bool eof)
{
    sensor *s = u;
    if (s->det && (n || eof))           /* data, a gap (d NULL) or the end */
        mm_detect_stream(s->det, f, dir, d, n);
}

/* The same data once the peer has acknowledged it. */
static void hook_app_data(void *u, mm_flow *f, int dir, const uint8_t *d, uint32_t n, bool eof)
{
    sensor *s = u;
    if (f->no_app)
        return;
    mm_app_stream(&s->app, f, dir, d, n, eof);
}

static void hook_stream_anomaly(void *u, mm_flow *f, int a)
{
    sensor *s = u;
    uint64_t ts = f->last_ns;
    s->stream_anomalies++;
    if (s->det)
        mm_detect_event(s->det, f, MM_TO_SERVER, NULL, a, ts);
    if (anomaly_allowed(s, ts, a))
        mm_eve_anomaly(&s->eve, ts, NULL, f, a);
}

static uint64_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%llu %llu", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void emit_stats(sensor *s, uint64_t ts)
{
    mm_flow_stats fs;
    mm_flow_stats_get(s->ft, &fs);
    mm_stats_app app;
    mm_app_stats_get(&s->app, &app);
    mm_sensor_stats st;
    memset(&st, 0, sizeof st);
    st.uptime_s = (mm_mono_ns() - s->start_mono) / 1000000000ULL;
    st.dec = &s->dec.st;
    st.flow = &fs;
    st.defrag_memuse = mm_decoder_memuse(&s->dec);
    st.defrag_evicted = mm_defrag_evicted(s->dec.defrag);
    st.anomaly_events_suppressed = s->an_suppressed;
    st.events = s->eve.events;
    st.rss_bytes = rss_bytes();
    st.app = &app;
    st.filestore = s->app.store.dir != NULL;
    st.fs_errors = s->app.store.errors;
    if (s->det) {
        mm_detect_stats ds;
        mm_detect_stats_get(s->det, &ds);
        st.detect = true;
        st.alerts = ds.alerts;
        st.alerts_suppressed = ds.suppressed;
        st.alerts_thresholded = ds.thresholded;
        st.alerts_overflow = ds.overflow;
        if (s->cfg->detect.nrules) {
            st.rules = true;
            /* Suricata's failed rules, and skipped ones (their requires) */
            mm_detect_rules_counts(s->det, &st.rules_loaded, &st.rules_failed,
                                   &st.rules_skipped);
            st.rules_failed -= st.rules_skipped;
            st.rules_load_ns = s->rules_load_ns;
        }
    }
    if (s->live) {
        mm_live_stats ls;
        mm_live_stats_get(s->live, &ls);
        st.live = 1;
        st.kernel_packets = ls.kernel_packets;
        st.kernel_drops = ls.kernel_drops;
        st.kernel_ifdrops = ls.iface_drops;
    }
    st.reloads = s->reloads;
    st.reload_failures = s->reload_failures;
    st.reload_ns = s->reload_ns;
    st.reload_error = s->reload_error[0] ? s->reload_error : NULL;
    if (s->segw) {
        mm_seg_stats ss;
        mm_segw_stats(s->segw, &ss);
        st.seg_closed = ss.closed;
        st.seg_write_errors = ss.write_errors;
        st.seg_unwritten = ss.unwritten;
        struct statvfs vs;
        if (s->cfg->outdir && statvfs(s->cfg->outdir, &vs) == 0) {
            st.disk = true;
            st.disk_free = (uint64_t)vs.f_bavail * vs.f_frsize;
            st.disk_total = (uint64_t)vs.f_blocks * vs.f_frsize;
        }
    }
    if (s->pcap) {
        mm_pcapdir_counters ps;
        mm_pcapdir_stats_get(s->pcap, &ps);
        st.pcap_written = ps.written_bytes;
        st.pcap_dropped = ps.not_kept;
        st.pcap_removed = ps.files_removed;
        st.pcap_disk_full = ps.disk_full;
    }
    mm_eve_stats(&s->eve, ts, &st);
}

/* The UDP packet that carries a tunnel (VXLAN, Geneve, Teredo) is a
 * packet of its own for Suricata: its flow is counted and the packet rules
 * see it, while its payload is the tunnel's, parsed by no app layer. */
static void tunnel_outer(sensor *s, const mm_pkt *p, uint64_t ts)
{
    mm_pkt o = *p;
    o.ipver = p->outer.ipver;
    o.proto = 17;
    o.src = p->outer.src;
    o.dst = p->outer.dst;
    o.sport = p->outer.sport;
    o.dport = p->outer.dport;
    o.payload = p->outer.payload;
    o.payload_len = p->outer.payload_len;
    o.l3 = NULL;
    o.l3_len = 0;
    o.l4 = p->outer.payload - 8;        /* the UDP header before its payload */
    o.l4_len = 8 + p->outer.payload_len;
    o.l4_ok = true;
    o.reassembled = o.frag_held = o.icmp_error = false;
    o.tcp_flags = 0;
    o.n_anom = 0;
    o.outer.on = false;
    o.inner_len = 0;
    int dir = 0;
    mm_flow *f = mm_flow_packet(s->ft, &o, ts, &dir);
    if (f)
        f->tunnel_carrier = true;
    if (f && s->det)
        mm_detect_packet(s->det, f, dir, &o, ts);
}

/* The midstream exception policy, on a flow's first packet. */
static void midstream_policy(sensor *s, mm_flow *f)
{
    f->no_inspect = true;
    if (s->cfg->midstream_policy == MM_MSP_BYPASS) {
        f->bypassed = true;
        f->no_app = true;
    } else {                            /* pass-flow */
        f->passed = true;
        f->no_app = !s->cfg->detect.midstream;
    }
}

static void packet(sensor *s, const mm_rawpkt *raw)
{
    mm_pkt p;
    uint64_t ts = raw->ts_ns;
    if (ts > s->last_ts)
        s->last_ts = ts;
    mm_decode(&s->dec, raw, &p);
    mm_detect_packet_start(s->det);
    mm_detect_packet_pending(s->det, &p);
    s->eve.pkt_raw = raw;
    int dir = 0;
    if (p.outer.on && p.outer.carrier)
        tunnel_outer(s, &p, ts);
    s->eve.tunnel = p.outer.on ? &p : NULL;
    mm_flow *f = mm_flow_packet(s->ft, &p, ts, &dir);
    /* a TCP flow whose first packet is not a SYN (a SYN-ACK first is a
     * pick-up for Suricata too) */
    if (f && s->cfg->midstream_policy && p.proto == 6 && f->pkts[0] + f->pkts[1] == 1 &&
        (p.tcp_flags & (MM_TH_SYN | MM_TH_ACK)) != MM_TH_SYN)
        midstream_policy(s, f);
    if (s->eve.ethernet)
        s->eve.pkt_eth = p.eth;
    if (f && p.proto == 17 && p.l4_ok && p.payload_len) {
        mm_app_udp(&s->app, f, dir, p.payload, p.payload_len, ts);
        dir = mm_flow_dir(f, &p);       /* the app layer may have turned it around */
    }
    /* the packet's own output of the app layer (files of its direction) */
    if (f && p.proto == 6 && !f->no_app)
        mm_app_packet(&s->app, f, dir, ts);
    if (s->eve.ethernet && f)
        mm_eve_flow_macs(f, dir, p.eth);
    if (s->det) {
        mm_detect_tagged(s->det, f, &p, ts);
        if (f)
            mm_detect_packet(s->det, f, dir, &p, ts);
    }
    for (int i = 0; i < p.n_anom; i++) {
        /* a rule on an event looks once per packet, however often the
         * packet raised it (two bad IPv4 options: one alert) */
        bool again = false;
        for (int k = 0; k < i; k++)
            again |= p.anom[k] == p.anom[i];
        if (s->det && !again)
            mm_detect_event(s->det, f, dir, &p, p.anom[i], ts);
        if (anomaly_allowed(s, ts, p.anom[i]))
            mm_eve_anomaly(&s->eve, ts, &p, f, p.anom[i]);
    }
    s->eve.tunnel = NULL;
    s->eve.pkt_eth = NULL;
    s->eve.pkt_raw = NULL;
    if (s->pcap && (s->cfg->pcap_mode == MM_PCAP_ALL || (f && f->alerted)))
        mm_pcapdir_write(s->pcap, raw);
    mm_flow_expire(s->ft, s->last_ts);
}

static void live_cb(void *u, const mm_rawpkt *p)
{
    packet(u, p);
}

static void progress(sensor *s, uint64_t done, bool final)
{
    if (!s->progress)
        return;
    uint64_t now = mm_mono_ns();
    if (!final && now - s->prog_last < 250000000ULL)
        return;
    s->prog_last = now;
    double secs = (double)(now - s->start_mono) / 1e9;
    double mb = (double)s->dec.st.bytes / 1e6;
    double pct = s->prog_total ? 100.0 * (double)done / (double)s->prog_total : 0;
    fprintf(stderr, "\r%llu packets, %.1f MB, %.0f MB/s, %.0f%%   ",
            (unsigned long long)s->dec.st.pkts, mb, secs > 0 ? mb / secs : 0, pct);
    if (final)
        fputc('\n', stderr);
}

static int run_files(sensor *s)
{
    const mm_sensor_config *c = s->cfg;
    char err[512];
    int rc = 0;
    for (int i = 0; i < c->nfiles && !g_stop; i++) {
        mm_capfile *cf = mm_capfile_open(c->files[i], err, sizeof err);
        if (!cf) {
            fprintf(stderr, "mimamori: %s: %s\n", c->files[i], err);
            return 1;
        }
        mm_rawpkt raw;
        int r = MM_CAP_EOF;
        uint64_t n = 0;
        while (!g_stop && (r = mm_capfile_next(cf, &raw, err, sizeof err)) == MM_CAP_PKT) {
            s->eve.pcap_cnt++;
            s->eve.pcap_filename = c->pcap_filename ? c->files[i] : NULL;
            packet(s, &raw);
            if ((++n & 4095) == 0)
                progress(s, s->prog_bytes_done + mm_capfile_pos(cf), false);
        }
        if (r == MM_CAP_ERR) {
            fprintf(stderr, "mimamori: %s: %s; packets before it were processed\n",
                    c->files[i], err);
            mm_pkt p;
            memset(&p, 0, sizeof p);
            mm_anom(&s->dec, &p, MM_AN_CAP_TRUNCATED);
            mm_eve_anomaly(&s->eve, s->last_ts, NULL, NULL, MM_AN_CAP_TRUNCATED);
        }
        s->prog_bytes_done += mm_capfile_pos(cf);
        mm_capfile_close(cf);
    }
    progress(s, s->prog_bytes_done, true);
    return rc;
}

/* The indicators of --ioc, NULL with err when a file cannot be read. */
static struct mm_iocmatch *load_ioc(const mm_sensor_config *c, char *err, size_t errlen)
{
    mm_iocmatch *m = mm_iocmatch_new();
    mm_ioc_read_stats st = {0};
    char e2[512];
    if (!m) {
        snprintf(err, errlen, "--ioc: out of memory");
        return NULL;
    }
    for (int i = 0; i < c->nioc; i++)
        if (mm_iocmatch_load(m, c->ioc[i], &st, e2, sizeof e2) != 0) {
            snprintf(err, errlen, "--ioc %s", e2);
            mm_iocmatch_free(m);
            return NULL;
        }
    if (!c->quiet)
        fprintf(stderr, "mimamori sensor: %zu indicators loaded (%.1f MiB), %llu refused\n",
                mm_iocmatch_count(m), (double)mm_iocmatch_memory(m) / 1048576.0,
                (unsigned long long)st.bad);
    return m;
}

/* SIGHUP: the rules and indicators read again; the running sets stay
 * when the new ones fail. Between packets: nothing holds a rule or an
 * indicator of the old sets then. */
static void reload(sensor *s, uint64_t now)
{
    const mm_sensor_config *c = s->cfg;
    char err[512] = "";
    uint64_t t0 = mm_mono_ns();
    s->reload_ns = now;
    mm_iocmatch *ioc = NULL;
    bool ok = true;
    if (c->nioc && !(ioc = load_ioc(c, err, sizeof err)))
        ok = false;
    if (ok && s->det) {
        mm_detect_config dc = s->dcfg;
        dc.ioc = c->nioc ? ioc : NULL;
        ok = mm_detect_reload(s->det, &dc, err, sizeof err);
    }
    if (!ok) {
        mm_iocmatch_free(ioc);
        s->reload_failures++;
        snprintf(s->reload_error, sizeof s->reload_error, "%s", err);
        fprintf(stderr, "mimamori: reload refused, the running rules and indicators stay: %s\n",
                err);
    } else {
        if (c->nioc) {
            mm_iocmatch_free(s->ioc);
            s->ioc = ioc;
            s->dcfg.ioc = ioc;
        }
        s->reloads++;
        s->reload_error[0] = 0;
        s->rules_load_ns = mm_wall_ns();
        /* the new rules may compare other digests of files */
        s->app.store.hashes = c->file_hashes | mm_detect_file_hashes(s->det);
        uint64_t loaded = 0, skipped = 0;
        if (s->det && c->detect.nrules)
            mm_detect_rules_counts(s->det, &loaded, &skipped, NULL);
        fprintf(stderr, "mimamori: reloaded in %.2f s: rules: %llu loaded, %llu skipped; "
                "%zu indicators\n", (double)(mm_mono_ns() - t0) / 1e9,
                (unsigned long long)loaded, (unsigned long long)skipped,
                s->ioc ? mm_iocmatch_count(s->ioc) : (size_t)0);
    }
    emit_stats(s, now);
}

static int run_live(sensor *s)
{
    const mm_sensor_config *c = s->cfg;
    char err[512];
    uint64_t interval = c->stats_interval_s * 1000000000ULL;
    uint64_t next_stats = mm_mono_ns() + interval, next_tick = 0;
    while (!g_stop) {
        int n = mm_live_dispatch(s->live, 100, live_cb, s, err, sizeof err);
        if (n < 0) {
            fprintf(stderr, "mimamori: %s: %s\n", c->iface, err);
            return 1;
        }
        uint64_t mono = mm_mono_ns(), now = mm_now_ns();
        if (now > s->last_ts)
            s->last_ts = now;
        if (g_reload) {
            g_reload = 0;
            reload(s, now);
        }
        if (mono >= next_tick) {
            mm_flow_expire(s->ft, s->last_ts);
            if (s->segw)
                mm_segw_tick(s->segw, now);
            if (s->evefp)
                fflush(s->evefp);
            next_tick = mono + 1000000000ULL;
        }
        if (interval && mono >= next_stats) {
            emit_stats(s, now);
            next_stats = mono + interval;
        }
    }
    return 0;
}

int mm_sensor_run(const mm_sensor_config *c)
{
    sensor S, *s = &S;
    memset(s, 0, sizeof S);
    s->cfg = c;
    s->start_mono = mm_mono_ns();
    char err[512];
    int rc = 1;

    if (sodium_init() < 0) {
        fprintf(stderr, "mimamori: libsodium failed to start\n");
        return 1;
    }
    if (!mm_netlist_parse(&s->home, c->home_net, err, sizeof err)) {
        fprintf(stderr, "mimamori: --home-net: %s\n", err);
        return 2;
    }
    /* the indicators first (their counts are said even when a capture
     * file fails below) */
    s->dcfg = c->detect;
    if (c->nioc) {
        if (!(s->ioc = load_ioc(c, err, sizeof err))) {
            fprintf(stderr, "mimamori sensor: %s\n", err);
            goto out;
        }
        s->dcfg.ioc = s->ioc;
    }
    /* Check every input before doing anything: a bad file fails fast. */
    for (int i = 0; i < c->nfiles; i++) {
        mm_capfile *cf = mm_capfile_open(c->files[i], err, sizeof err);
        if (!cf) {
            fprintf(stderr, "mimamori: %s: %s\n", c->files[i], err);
            mm_netlist_free(&s->home);
            return 1;
        }
        s->prog_total += mm_capfile_size(cf);
        mm_capfile_close(cf);
    }
    if (c->geoip) {
        /* Optional here: the analysis side adds countries at import. */
        s->geo = mm_geo_open(strcmp(c->geoip, "default") == 0 ? NULL : c->geoip, err, sizeof err);
        if (!s->geo) {
            fprintf(stderr, "mimamori: --geoip: %s\n", err);
            goto out;
        }
    }
    if (c->detect.builtin || c->detect.nrules || s->dcfg.ioc) {
        s->rules_load_ns = mm_wall_ns();
        s->det = mm_detect_new(&s->dcfg, &s->eve, &s->home, err, sizeof err);
        if (!s->det) {
            fprintf(stderr, "mimamori: %s\n", err);
            goto out;
        }
#ifdef __GLIBC__
        /* compiling a large ruleset (ET Open) frees tens of MiB of
         * temporaries that glibc would otherwise keep for the whole run */
        malloc_trim(0);
#endif
        if (c->detect.nrules && !c->quiet) {
            uint64_t loaded, skipped;
            mm_detect_rules_counts(s->det, &loaded, &skipped, NULL);
            fprintf(stderr, "mimamori: rules: %llu loaded, %llu skipped "
                            "('mimamori rules check -v' says why)\n",
                    (unsigned long long)loaded, (unsigned long long)skipped);
        }
    }
    if (!mm_decoder_init(&s->dec, c->defrag_memcap)) {
        fprintf(stderr, "mimamori: out of memory\n");
        goto out;
    }
    mm_flow_hooks hooks = {.user = s, .flow_end = hook_flow_end,
                           .stream_data = hook_stream_data,
                           .app_data = hook_app_data,
                           .stream_anomaly = hook_stream_anomaly};
    s->ft = mm_flowtable_new(&c->flow, &hooks);
    if (!s->ft) {
        fprintf(stderr, "mimamori: out of memory for the flow table\n");
        goto out;
    }
    if (c->iface) {
        s->live = mm_live_open(c->iface, c->bpf, c->snaplen, c->promisc, err, sizeof err);
        if (!s->live) {
            fprintf(stderr, "mimamori: %s: %s\n", c->iface, err);
            goto out;
        }
    }
    /* Outputs. */
    if (c->eve_path) {
        if (strcmp(c->eve_path, "-") == 0) {
            s->evefp = stdout;
        } else {
            s->evefp = fopen(c->eve_path, "a");
            if (!s->evefp) {
                fprintf(stderr, "mimamori: %s: %s\n", c->eve_path, strerror(errno));
                goto out;
            }
        }
        setvbuf(s->evefp, NULL, _IOFBF, 1 << 20);
    }
    const char *outdir = c->outdir ? c->outdir : (c->eve_path ? NULL : "mimamori-out");
    s->outdir = outdir;
    if (outdir) {
        unsigned char pk[crypto_box_PUBLICKEYBYTES];
        mm_seg_config sc = {.dir = outdir, .site = c->site, .sensor = c->sensor,
                            .max_bytes = c->seg_size, .max_age_ns = c->seg_age_s * 1000000000ULL,
                            .zstd_level = c->zstd_level, .sync_bytes = 1 << 20};
        if (c->seal_key_path) {
            if (mm_read_key_hex(c->seal_key_path, pk, sizeof pk, err, sizeof err) != 0) {
                fprintf(stderr, "mimamori: --seal-key: %s\n", err);
                goto out;
            }
            sc.seal_pk = pk;
        }
        s->segw = mm_segw_open(&sc, err, sizeof err);
        if (!s->segw) {
            fprintf(stderr, "mimamori: %s\n", err);
            goto out;
        }
    }
    if (c->pcap_dir) {
        s->pcap = mm_pcapdir_open(c->pcap_dir, c->pcap_quota, err, sizeof err);
        if (!s->pcap) {
            fprintf(stderr, "mimamori: --pcap-dir: %s\n", err);
            goto out;
        }
    }
    if (c->filestore) {
        /* made before privileges are dropped; must be ours to write */
        struct stat st;
        if (mkdir(c->filestore, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "mimamori: --filestore %s: %s\n", c->filestore, strerror(errno));
            goto out;
        }
        if (stat(c->filestore, &st) != 0 || !S_ISDIR(st.st_mode) ||
            access(c->filestore, W_OK) != 0) {
            fprintf(stderr, "mimamori: --filestore %s: not a writable directory\n", c->filestore);
            goto out;
        }
    }
    if (c->user) {
        if (!mm_drop_privileges(c->user, err, sizeof err)) {
            fprintf(stderr, "mimamori: --user: %s\n", err);
            goto out;
        }
    }
    /* capture and outputs are open: no capability is needed any more */
    if (s->live && !mm_drop_capabilities(err, sizeof err)) {
        fprintf(stderr, "mimamori: %s\n", err);
        goto out;
    }
    mm_eve_init(&s->eve);
    mm_app_init(&s->app, &s->eve, c->app_memcap, !c->no_app_layer);
    s->app.store.dir = c->filestore;
    s->app.store.max = c->filestore_max;
    s->app.store.hashes = c->file_hashes | mm_detect_file_hashes(s->det);
    s->app.http_headers = c->http_headers;
    s->app.http_basic = c->http_basic;
    if (c->http_layers > 0)
        s->app.http_layers = (uint8_t)c->http_layers;
    s->app.http_req_body_limit = c->http_req_body_limit;
    s->app.smtp_md5 = c->smtp_md5;
    s->app.dns_unlogged = (uint8_t)(~c->dns_log & 3u);
    s->app.ndns_types = c->ndns_types;
    memcpy(s->app.dns_types, c->dns_types, sizeof c->dns_types);
    s->app.observe = observe;
    s->app.observe_ctx = s;
    if (s->det)
        s->app.buffers = c->detect.nrules > 0;
    s->eve.site = c->site;
    s->eve.community_id = c->community_id;
    s->eve.anomaly_packethdr = c->anomaly_packethdr;
    s->eve.ethernet = c->ethernet;
    if (s->det) {
        s->eve.flow_extra = flow_traffic;
        s->eve.flow_extra_ctx = s->det;
    }
    s->eve.community_seed = c->community_seed;
    s->eve.sensor = c->sensor;
    s->eve.home = &s->home;
    s->eve.geo = s->geo;
    s->eve.sink = (mm_sink){sink_write, s};
    s->progress = c->progress == 1 || (c->progress == -1 && !c->iface && isatty(2));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (s->live) {
        sa.sa_handler = on_hup;
        sigaction(SIGHUP, &sa, NULL);
    }

    rc = s->live ? run_live(s) : run_files(s);
    mm_flow_flush(s->ft);
    emit_stats(s, s->last_ts ? s->last_ts : mm_now_ns());

    if (!c->quiet) {
        mm_flow_stats fs;
        mm_flow_stats_get(s->ft, &fs);
        double secs = (double)(mm_mono_ns() - s->start_mono) / 1e9;
        uint64_t an = s->stream_anomalies;
        for (int a = 0; a < MM_AN__COUNT; a++)
            an += s->dec.st.anomalies[a];
        fprintf(stderr,
                "mimamori: %llu packets, %.1f MB in %.2f s (%.0f MB/s); %llu flows; "
                "%llu anomalies; %llu events",
                (unsigned long long)s->dec.st.pkts, (double)s->dec.st.bytes / 1e6, secs,
                secs > 0 ? (double)s->dec.st.bytes / 1e6 / secs : 0,
                (unsigned long long)fs.total, (unsigned long long)an,
                (unsigned long long)s->eve.events);
        if (c->eve_path)
            fprintf(stderr, " -> %s", strcmp(c->eve_path, "-") == 0 ? "stdout" : c->eve_path);
        if (outdir)
            fprintf(stderr, " -> %s/", outdir);
        fputc('\n', stderr);
        /* what the memory caps and a full disk cost, when they cost anything */
        uint64_t dfe = mm_defrag_evicted(s->dec.defrag), unw = 0;
        if (s->segw) {
            mm_seg_stats ss;
            mm_segw_stats(s->segw, &ss);
            unw = ss.unwritten;
        }
        if (fs.evicted || fs.memcap_drops || fs.seg_memcap_drops || dfe || unw)
            fprintf(stderr,
                    "mimamori: limits reached: %llu flows evicted, %llu not tracked "
                    "(flow memcap); %llu TCP segments dropped (stream memcap); %llu "
                    "reassemblies dropped (defrag memcap); %llu events not written\n",
                    (unsigned long long)fs.evicted, (unsigned long long)fs.memcap_drops,
                    (unsigned long long)fs.seg_memcap_drops, (unsigned long long)dfe,
                    (unsigned long long)unw);
    }
out:
    if (s->evefp) {
        if (fflush(s->evefp) != 0) {
            fprintf(stderr, "mimamori: writing events: %s\n", strerror(errno));
            rc = 1;
        }
        if (s->evefp != stdout)
            fclose(s->evefp);
    }
    if (s->segw && mm_segw_close(s->segw, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori: %s\n", err);
        rc = 1;
    }
    if (s->eve.write_errors && rc == 0) {
        fprintf(stderr, "mimamori: %llu events could not be written\n",
                (unsigned long long)s->eve.write_errors);
        rc = 1;
    }
    mm_pcapdir_close(s->pcap);
    mm_live_close(s->live);
    mm_flowtable_free(s->ft);
    mm_hrange_free(&s->app);
    mm_detect_free(s->det);
    mm_iocmatch_free(s->ioc);
    mm_decoder_free(&s->dec);
    mm_eve_free(&s->eve);
    mm_geo_close(s->geo);
    mm_netlist_free(&s->home);
    return rc;
}
