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
 * Live capture runs in worker threads (one per AF_PACKET socket of a
 * fanout group, or one for libpcap); the main thread takes the signals.
 * SIGHUP: the rules and indicators are read again into new sets while the
 * workers capture, which replace the running ones, with the workers
 * paused between packets, only when they load whole (reload()); flows and
 * their state stay. Each attempt is said on stderr and in a stats event
 * written at once (mimamori.stats.reload).
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
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
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
        c->ring_block_size = d.ring_block_size;
        c->ring_blocks = d.ring_blocks;
        return true;
    }
    if (strcmp(name, "small") == 0) {
        /* worst case 8 + 4 (+ 16 waiting for acknowledgements) + 2 + 8 MiB
         * for traffic, against 32 + 16 (+ 64) + 4 + 16 by default */
        c->flow.memcap = 8ULL << 20;
        c->flow.stream_memcap = 4ULL << 20;
        c->defrag_memcap = 2ULL << 20;
        c->app_memcap = 8ULL << 20;
        /* each worker's ring: 8 MiB (80 ms at 800 Mbit/s, 1.6 s at low
         * rates) against 32 */
        c->ring_block_size = MM_RING_BLOCK;
        c->ring_blocks = (8u << 20) / MM_RING_BLOCK;
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

/* The outputs all workers write to; mu taken when there are workers. */
typedef struct outputs {
    pthread_mutex_t mu;
    bool shared;                /* workers: take mu */
    FILE *evefp;
    mm_segw *segw;
    bool seg_failing;           /* the last segment write failed (disk full) */
    const char *outdir;         /* segments' directory (NULL: none) */
    mm_pcapdir *pcap;
} outputs;

static void out_lock(outputs *o)
{
    if (o->shared)
        pthread_mutex_lock(&o->mu);
}

static void out_unlock(outputs *o)
{
    if (o->shared)
        pthread_mutex_unlock(&o->mu);
}

struct pool;

typedef struct sensor {
    const mm_sensor_config *cfg;
    outputs *out;
    mm_afp *afp;                /* AF_PACKET ring (live, --capture afpacket) */
    struct pool *pool;          /* workers (NULL: this thread alone) */
    pthread_t th;
    mm_decoder dec;
    mm_flowtable *ft;
    mm_eve eve;
    mm_app app;
    mm_detect *det;             /* NULL: built-in detectors off */
    mm_netlist home;
    mm_geo *geo;
    mm_live *live;              /* libpcap (live, --capture pcap) */
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
    out_lock(s->out);
    int r = 0;
    if (s->out->evefp && fwrite(line, 1, len, s->out->evefp) != len)
        r = -1;
    if (s->out->segw) {
        if (mm_segw_write(s->out->segw, line, len) != 0) {
            r = -1;
            if (!s->out->seg_failing)
                fprintf(stderr, "mimamori: writing segments in %s: %s; events are counted "
                        "and dropped until writing works again\n", s->out->outdir, strerror(errno));
            s->out->seg_failing = true;
        } else if (s->out->seg_failing) {
            mm_seg_stats ss;
            mm_segw_stats(s->out->segw, &ss);
            fprintf(stderr, "mimamori: writing segments in %s again (%llu events could not "
                    "be written)\n", s->out->outdir, (unsigned long long)ss.unwritten);
            s->out->seg_failing = false;
        }
    }
    out_unlock(s->out);
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

/* Workers (--workers, live capture through AF_PACKET): threads that each
 * read one socket of a fanout group, with their own decoder, flow table,
 * app layer and detection context; the rules, lists and indicators are
 * the first worker's, shared (mm_detect_worker). The main thread pauses
 * them between batches of packets to write statistics and to reload. */
typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_int pause;           /* the main thread asks the workers to wait */
    atomic_int stop;
    int paused, running;
    int failed;                 /* a worker's capture failed */
    sensor *w;
    int n;
} pool;

/* Counters of all workers added up (a u64-only struct). */
static void add_u64s(void *acc, const void *v, size_t size)
{
    for (size_t i = 0; i + sizeof(uint64_t) <= size; i += sizeof(uint64_t)) {
        uint64_t a, b;
        memcpy(&a, (char *)acc + i, sizeof a);
        memcpy(&b, (const char *)v + i, sizeof b);
        a += b;
        memcpy((char *)acc + i, &a, sizeof a);
    }
}
_Static_assert(sizeof(mm_decode_stats) % sizeof(uint64_t) == 0, "u64 only");
_Static_assert(sizeof(mm_flow_stats) % sizeof(uint64_t) == 0, "u64 only");
_Static_assert(sizeof(mm_detect_stats) % sizeof(uint64_t) == 0, "u64 only");

/* Worker x's flow and decoder counters added to fs and dec (the largest
 * packet: the largest of all). */
static void add_worker_counts(const sensor *x, mm_flow_stats *fs, mm_decode_stats *dec)
{
    mm_flow_stats f1;
    mm_flow_stats_get(x->ft, &f1);
    add_u64s(fs, &f1, sizeof *fs);
    uint64_t big = dec->max_pkt_size > x->dec.st.max_pkt_size ? dec->max_pkt_size
                                                               : x->dec.st.max_pkt_size;
    add_u64s(dec, &x->dec.st, sizeof *dec);
    dec->max_pkt_size = big;
}

static void live_stats(sensor *s, mm_live_stats *ls)
{
    memset(ls, 0, sizeof *ls);
    if (s->afp)
        mm_afp_stats_get(s->afp, ls);
    else if (s->live)
        mm_live_stats_get(s->live, ls);
}

/* A stats event for every worker together (s: the first; the others
 * paused or gone). */
static void emit_stats(sensor *s, uint64_t ts)
{
    int n = s->pool ? s->pool->n : 1;
    sensor *w = s->pool ? s->pool->w : s;
    mm_flow_stats fs;
    mm_stats_app app;
    mm_decode_stats dec;
    mm_detect_stats ds;
    mm_live_stats ls;
    mm_worker_stats wk[MM_MAX_WORKERS];
    memset(&fs, 0, sizeof fs);
    memset(&dec, 0, sizeof dec);
    memset(&ds, 0, sizeof ds);
    memset(&ls, 0, sizeof ls);
    mm_sensor_stats st;
    memset(&st, 0, sizeof st);
    for (int i = 0; i < n; i++) {
        sensor *x = &w[i];
        uint64_t flows0 = fs.total;
        add_worker_counts(x, &fs, &dec);
        mm_stats_app a1;
        mm_app_stats_get(&x->app, &a1);
        if (i == 0) {
            app = a1;
        } else {                        /* the same protocols in the same order */
            for (unsigned k = 0; k < app.nflows && k < a1.nflows; k++)
                app.flows[k].flows += a1.flows[k].flows;
            app.failed[0] += a1.failed[0];
            app.failed[1] += a1.failed[1];
            app.events += a1.events;
            app.parse_errors += a1.parse_errors;
            app.memcap_skips += a1.memcap_skips;
            app.memuse += a1.memuse;
        }
        st.defrag_memuse += mm_decoder_memuse(&x->dec);
        st.defrag_evicted += mm_defrag_evicted(x->dec.defrag);
        st.anomaly_events_suppressed += x->an_suppressed;
        st.events += x->eve.events;
        st.fs_errors += x->app.store.errors;
        if (x->det) {
            mm_detect_stats d1;
            mm_detect_stats_get(x->det, &d1);
            add_u64s(&ds, &d1, sizeof ds);
        }
        mm_live_stats l1;
        live_stats(x, &l1);
        ls.kernel_packets += l1.kernel_packets;
        ls.kernel_drops += l1.kernel_drops;
        ls.iface_drops += l1.iface_drops;
        if (i < MM_MAX_WORKERS)
            wk[i] = (mm_worker_stats){.kernel_packets = l1.kernel_packets,
                                      .kernel_drops = l1.kernel_drops,
                                      .pkts = x->dec.st.pkts, .flows = fs.total - flows0};
    }
    st.uptime_s = (mm_mono_ns() - s->start_mono) / 1000000000ULL;
    st.dec = &dec;
    st.flow = &fs;
    st.rss_bytes = rss_bytes();
    st.app = &app;
    st.filestore = s->app.store.dir != NULL;
    if (n > 1) {
        st.nworkers = (unsigned)(n < MM_MAX_WORKERS ? n : MM_MAX_WORKERS);
        st.workers = wk;
    }
    if (s->det) {
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
    if (s->live || s->afp) {
        st.live = 1;
        st.kernel_packets = ls.kernel_packets;
        st.kernel_drops = ls.kernel_drops;
        st.kernel_ifdrops = ls.iface_drops;
    }
    st.reloads = s->reloads;
    st.reload_failures = s->reload_failures;
    st.reload_ns = s->reload_ns;
    st.reload_error = s->reload_error[0] ? s->reload_error : NULL;
    out_lock(s->out);
    if (s->out->segw) {
        mm_seg_stats ss;
        mm_segw_stats(s->out->segw, &ss);
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
    if (s->out->pcap) {
        mm_pcapdir_counters ps;
        mm_pcapdir_stats_get(s->out->pcap, &ps);
        st.pcap_written = ps.written_bytes;
        st.pcap_dropped = ps.not_kept;
        st.pcap_removed = ps.files_removed;
        st.pcap_disk_full = ps.disk_full;
    }
    out_unlock(s->out);
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
    if (s->out->pcap && (s->cfg->pcap_mode == MM_PCAP_ALL || (f && f->alerted))) {
        out_lock(s->out);
        mm_pcapdir_write(s->out->pcap, raw);
        out_unlock(s->out);
    }
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

static void pool_pause(struct pool *p);
static void pool_resume(struct pool *p);

/* SIGHUP: the rules and indicators read again; the running sets stay
 * when the new ones fail. They are read beside the running ones while
 * the workers go on capturing (alone, between packets), and swapped in
 * with the workers paused: nothing holds a rule or an indicator of the
 * old sets then. */
static void reload(sensor *s, uint64_t now)
{
    const mm_sensor_config *c = s->cfg;
    char err[512] = "";
    uint64_t t0 = mm_mono_ns();
    mm_iocmatch *ioc = NULL;
    mm_detect_pending *pend = NULL;
    mm_detect_config dc = s->dcfg;
    bool ok = true;
    if (c->nioc && !(ioc = load_ioc(c, err, sizeof err)))
        ok = false;
    if (ok && s->det) {
        dc.ioc = c->nioc ? ioc : NULL;
        ok = (pend = mm_detect_reload_prepare(s->det, &dc, err, sizeof err)) != NULL;
    }
    uint64_t t1 = mm_mono_ns();
    if (s->pool)
        pool_pause(s->pool);
    s->reload_ns = now;
    if (ok && pend)
        mm_detect_reload_commit(s->det, pend, &dc);
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
        /* the workers (paused) take the new set */
        for (int i = 1; s->pool && i < s->pool->n; i++) {
            sensor *w = &s->pool->w[i];
            if (w->det && !mm_detect_worker_sync(w->det)) {
                fprintf(stderr, "mimamori: reload: out of memory for worker %d's rules; "
                        "it stops\n", i + 1);
                atomic_store(&s->pool->stop, 1);
                s->pool->failed = 1;
            }
            w->app.store.hashes = s->app.store.hashes;
        }
        uint64_t loaded = 0, skipped = 0;
        if (s->det && c->detect.nrules)
            mm_detect_rules_counts(s->det, &loaded, &skipped, NULL);
        fprintf(stderr, "mimamori: reloaded in %.2f s (capture held %.3f s): rules: %llu "
                "loaded, %llu skipped; %zu indicators\n", (double)(mm_mono_ns() - t0) / 1e9,
                (double)(mm_mono_ns() - (s->pool ? t1 : t0)) / 1e9, (unsigned long long)loaded,
                (unsigned long long)skipped, s->ioc ? mm_iocmatch_count(s->ioc) : (size_t)0);
    }
    emit_stats(s, now);
    if (s->pool)
        pool_resume(s->pool);
}

static int live_dispatch(sensor *s, char *err, size_t errlen)
{
    if (s->afp)
        return mm_afp_dispatch(s->afp, 100, live_cb, s, err, errlen);
    return mm_live_dispatch(s->live, 100, live_cb, s, err, errlen);
}

/* ---- workers ---- */

/* Between batches: wait here while the main thread has them paused. */
static void pool_checkpoint(pool *p)
{
    if (!atomic_load(&p->pause))
        return;
    pthread_mutex_lock(&p->mu);
    p->paused++;
    pthread_cond_broadcast(&p->cv);
    while (atomic_load(&p->pause))
        pthread_cond_wait(&p->cv, &p->mu);
    p->paused--;
    pthread_mutex_unlock(&p->mu);
}

/* Every running worker waiting between packets. */
static void pool_pause(pool *p)
{
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->pause, 1);
    while (p->paused < p->running)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

static void pool_resume(pool *p)
{
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->pause, 0);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void *worker_main(void *arg)
{
    sensor *s = arg;
    pool *p = s->pool;
    char err[512];
    uint64_t next_tick = 0;
    while (!atomic_load(&p->stop)) {
        if (live_dispatch(s, err, sizeof err) < 0) {
            fprintf(stderr, "mimamori: %s: %s\n", s->cfg->iface, err);
            pthread_mutex_lock(&p->mu);
            p->failed = 1;
            pthread_mutex_unlock(&p->mu);
            atomic_store(&p->stop, 1);
            break;
        }
        uint64_t mono = mm_mono_ns(), now = mm_now_ns();
        if (now > s->last_ts)
            s->last_ts = now;
        if (mono >= next_tick) {
            mm_flow_expire(s->ft, s->last_ts);
            next_tick = mono + 1000000000ULL;
        }
        pool_checkpoint(p);
    }
    pthread_mutex_lock(&p->mu);
    p->running--;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* The main thread with workers: signals, reloads, statistics, segment
 * ticks; the workers capture. */
static int run_workers(sensor *s)
{
    pool *p = s->pool;
    const mm_sensor_config *c = s->cfg;
    uint64_t interval = c->stats_interval_s * 1000000000ULL;
    uint64_t next_stats = mm_mono_ns() + interval, next_tick = 0;
    sigset_t all, old;
    sigfillset(&all);
    /* signals are the main thread's: the workers block them all */
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int started = 0;
    for (int i = 0; i < p->n; i++) {
        pthread_mutex_lock(&p->mu);
        p->running++;
        pthread_mutex_unlock(&p->mu);
        if (pthread_create(&p->w[i].th, NULL, worker_main, &p->w[i]) != 0) {
            pthread_mutex_lock(&p->mu);
            p->running--;
            p->failed = 1;
            pthread_mutex_unlock(&p->mu);
            fprintf(stderr, "mimamori: could not start worker %d: %s\n", i + 1,
                    strerror(errno));
            atomic_store(&p->stop, 1);
            break;
        }
        started++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    while (!g_stop && !atomic_load(&p->stop)) {
        poll(NULL, 0, 100);             /* a signal cuts it short */
        uint64_t mono = mm_mono_ns(), now = mm_now_ns();
        if (g_reload) {
            g_reload = 0;
            reload(s, now);             /* pauses the workers to swap; its stats event */
        }
        if (mono >= next_tick) {
            out_lock(s->out);
            if (s->out->segw)
                mm_segw_tick(s->out->segw, now);
            if (s->out->evefp)
                fflush(s->out->evefp);
            out_unlock(s->out);
            next_tick = mono + 1000000000ULL;
        }
        if (interval && mono >= next_stats) {
            pool_pause(p);
            emit_stats(s, now);
            pool_resume(p);
            next_stats = mono + interval;
        }
    }
    atomic_store(&p->stop, 1);
    pool_resume(p);
    for (int i = 0; i < started; i++)
        pthread_join(p->w[i].th, NULL);
    return p->failed ? 1 : 0;
}

/* Worker i's own pipeline, made like the first's (setup_pipeline) with
 * its detector borrowing the first's rules and shared state. */
static bool worker_init(sensor *w, sensor *first, char *err, size_t errlen);

/* The pipeline's settings (decoder and flow table made before). */
static void setup_pipeline(sensor *s)
{
    const mm_sensor_config *c = s->cfg;
    mm_eve_init(&s->eve);
    int n = s->pool ? s->pool->n : 1;
    mm_app_init(&s->app, &s->eve, c->app_memcap / (uint64_t)n, !c->no_app_layer);
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
}

/* Decoder and flow table, their caps shared out among n workers. */
static bool make_tables(sensor *s, int n)
{
    const mm_sensor_config *c = s->cfg;
    if (!mm_decoder_init(&s->dec, c->defrag_memcap / (uint64_t)n)) {
        fprintf(stderr, "mimamori: out of memory\n");
        return false;
    }
    mm_flow_hooks hooks = {.user = s, .flow_end = hook_flow_end,
                           .stream_data = hook_stream_data,
                           .app_data = hook_app_data,
                           .stream_anomaly = hook_stream_anomaly};
    mm_flow_config fc = c->flow;
    fc.memcap /= (uint64_t)n;
    fc.stream_memcap /= (uint64_t)n;
    s->ft = mm_flowtable_new(&fc, &hooks);
    if (!s->ft) {
        fprintf(stderr, "mimamori: out of memory for the flow table\n");
        return false;
    }
    return true;
}

static bool worker_init(sensor *w, sensor *first, char *err, size_t errlen)
{
    w->cfg = first->cfg;
    w->out = first->out;
    w->pool = first->pool;
    w->start_mono = first->start_mono;
    w->geo = first->geo;
    w->home = first->home;              /* borrowed: freed with the first */
    w->dcfg = first->dcfg;
    if (first->det && !(w->det = mm_detect_worker(first->det, &w->eve,
                                                  (unsigned)first->pool->n, err, errlen)))
        return false;
    if (!make_tables(w, first->pool->n)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    setup_pipeline(w);
    return true;
}

static void worker_free(sensor *w)
{
    mm_afp_close(w->afp);
    mm_flowtable_free(w->ft);
    mm_hrange_free(&w->app);
    mm_detect_free(w->det);
    mm_decoder_free(&w->dec);
    mm_eve_free(&w->eve);
}

int mm_sensor_workers_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MM_MAX_WORKERS ? MM_MAX_WORKERS : (int)n;
}

/* The sensor's summary on stderr at the end. */
static void summary(sensor *s, int nw)
{
    const mm_sensor_config *c = s->cfg;
    sensor *w = s->pool ? s->pool->w : s;
    mm_flow_stats fs;
    mm_decode_stats dec;
    memset(&fs, 0, sizeof fs);
    memset(&dec, 0, sizeof dec);
    uint64_t an = 0, events = 0, dfe = 0, unw = 0;
    for (int i = 0; i < nw; i++) {
        add_worker_counts(&w[i], &fs, &dec);
        an += w[i].stream_anomalies;
        events += w[i].eve.events;
        dfe += mm_defrag_evicted(w[i].dec.defrag);
    }
    for (int a = 0; a < MM_AN__COUNT; a++)
        an += dec.anomalies[a];
    uint64_t pkts = dec.pkts, bytes = dec.bytes;
    double secs = (double)(mm_mono_ns() - s->start_mono) / 1e9;
    fprintf(stderr,
            "mimamori: %llu packets, %.1f MB in %.2f s (%.0f MB/s); %llu flows; "
            "%llu anomalies; %llu events",
            (unsigned long long)pkts, (double)bytes / 1e6, secs,
            secs > 0 ? (double)bytes / 1e6 / secs : 0, (unsigned long long)fs.total,
            (unsigned long long)an, (unsigned long long)events);
    if (nw > 1)
        fprintf(stderr, " (%d workers)", nw);
    if (c->eve_path)
        fprintf(stderr, " -> %s", strcmp(c->eve_path, "-") == 0 ? "stdout" : c->eve_path);
    if (s->out->outdir)
        fprintf(stderr, " -> %s/", s->out->outdir);
    fputc('\n', stderr);
    /* what the memory caps and a full disk cost, when they cost anything */
    if (s->out->segw) {
        mm_seg_stats ss;
        mm_segw_stats(s->out->segw, &ss);
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

/* Live capture's sockets: one libpcap handle, or one AF_PACKET socket a
 * worker (a fanout group when more than one). */
static bool open_capture(sensor *ws, int nw, char *err, size_t errlen)
{
    const mm_sensor_config *c = ws[0].cfg;
    if (c->capture == MM_CAPTURE_PCAP) {
        ws[0].live = mm_live_open(c->iface, c->bpf, c->snaplen, c->promisc, err, errlen);
        return ws[0].live != NULL;
    }
    mm_afp_config ac = {.iface = c->iface, .bpf = c->bpf, .snaplen = c->snaplen,
                        .promisc = c->promisc,
                        .fanout_id = nw > 1 ? (uint16_t)(getpid() & 0xffff) : 0,
                        .block_size = c->ring_block_size, .blocks = c->ring_blocks};
    for (int i = 0; i < nw; i++)
        if (!(ws[i].afp = mm_afp_open(&ac, err, errlen)))
            return false;
    return true;
}

/* The detectors' settings with the indicators of --ioc read; false (said
 * on stderr) when they cannot be. */
static bool start_detect_config(sensor *s)
{
    const mm_sensor_config *c = s->cfg;
    char err[512];
    s->dcfg = c->detect;
    if (c->nioc) {
        if (!(s->ioc = load_ioc(c, err, sizeof err))) {
            fprintf(stderr, "mimamori sensor: %s\n", err);
            return false;
        }
        s->dcfg.ioc = s->ioc;
    }
    return true;
}

int mm_sensor_test(const mm_sensor_config *c)
{
    sensor S, *s = &S;
    memset(s, 0, sizeof S);
    s->cfg = c;
    char err[512];
    int rc = 1;
    if (!mm_netlist_parse(&s->home, c->home_net, err, sizeof err)) {
        fprintf(stderr, "mimamori: --home-net: %s\n", err);
        return 2;
    }
    if (!start_detect_config(s))
        goto out;
    uint64_t t0 = mm_mono_ns();
    mm_eve_init(&s->eve);
    if (c->detect.builtin || c->detect.nrules || s->dcfg.ioc) {
        s->det = mm_detect_new(&s->dcfg, &s->eve, &s->home, err, sizeof err);
        if (!s->det) {
            fprintf(stderr, "mimamori: %s\n", err);
            goto out;
        }
    }
    uint64_t loaded = 0, skipped = 0;
    if (s->det && c->detect.nrules)
        mm_detect_rules_counts(s->det, &loaded, &skipped, NULL);
    fprintf(stderr, "mimamori: the settings load: rules: %llu loaded, %llu skipped%s%s; "
            "built-in detectors %s; %.2f s\n", (unsigned long long)loaded,
            (unsigned long long)skipped, c->detect.rules_cache ? "; compiled in " : "",
            c->detect.rules_cache ? c->detect.rules_cache : "", c->detect.builtin ? "on" : "off",
            (double)(mm_mono_ns() - t0) / 1e9);
    rc = 0;
out:
    mm_detect_free(s->det);
    mm_iocmatch_free(s->ioc);
    mm_eve_free(&s->eve);
    mm_netlist_free(&s->home);
    return rc;
}

int mm_sensor_run(const mm_sensor_config *c)
{
    int nw = 1;
    if (c->iface && c->capture != MM_CAPTURE_PCAP)
        nw = c->workers > 0 ? c->workers : mm_sensor_workers_default();
    if (nw > MM_MAX_WORKERS)
        nw = MM_MAX_WORKERS;
    sensor *ws = calloc((size_t)nw, sizeof *ws), *s = ws;
    outputs O;
    pool P;
    memset(&O, 0, sizeof O);
    memset(&P, 0, sizeof P);
    if (!ws) {
        fprintf(stderr, "mimamori: out of memory\n");
        return 1;
    }
    s->cfg = c;
    s->out = &O;
    s->start_mono = mm_mono_ns();
    char err[512];
    int rc = 1;
    int made = 1;                       /* workers whose pipeline was begun */
    /* live capture: worker threads, even one (libpcap's only one), so the
     * main thread's reload reads new rules while they capture */
    bool pooled = c->iface != NULL;
    if (pooled) {
        pthread_mutex_init(&O.mu, NULL);
        pthread_mutex_init(&P.mu, NULL);
        pthread_cond_init(&P.cv, NULL);
        O.shared = true;
        P.w = ws;
        P.n = nw;
        s->pool = &P;
    }

    if (sodium_init() < 0) {
        fprintf(stderr, "mimamori: libsodium failed to start\n");
        goto out;
    }
    if (!mm_netlist_parse(&s->home, c->home_net, err, sizeof err)) {
        fprintf(stderr, "mimamori: --home-net: %s\n", err);
        rc = 2;
        goto out;
    }
    /* the indicators first (their counts are said even when a capture
     * file fails below) */
    if (!start_detect_config(s))
        goto out;
    /* Check every input before doing anything: a bad file fails fast. */
    for (int i = 0; i < c->nfiles; i++) {
        mm_capfile *cf = mm_capfile_open(c->files[i], err, sizeof err);
        if (!cf) {
            fprintf(stderr, "mimamori: %s: %s\n", c->files[i], err);
            goto out;
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
    if (!make_tables(s, nw))
        goto out;
    if (c->iface && !open_capture(ws, nw, err, sizeof err)) {
        fprintf(stderr, "mimamori: %s: %s\n", c->iface, err);
        goto out;
    }
    /* Outputs. */
    if (c->eve_path) {
        if (strcmp(c->eve_path, "-") == 0) {
            O.evefp = stdout;
        } else {
            O.evefp = fopen(c->eve_path, "a");
            if (!O.evefp) {
                fprintf(stderr, "mimamori: %s: %s\n", c->eve_path, strerror(errno));
                goto out;
            }
        }
        setvbuf(O.evefp, NULL, _IOFBF, 1 << 20);
    }
    const char *outdir = c->outdir ? c->outdir : (c->eve_path ? NULL : "mimamori-out");
    O.outdir = outdir;
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
        O.segw = mm_segw_open(&sc, err, sizeof err);
        if (!O.segw) {
            fprintf(stderr, "mimamori: %s\n", err);
            goto out;
        }
    }
    if (c->pcap_dir) {
        O.pcap = mm_pcapdir_open(c->pcap_dir, c->pcap_quota, err, sizeof err);
        if (!O.pcap) {
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
    if (c->iface && !mm_drop_capabilities(err, sizeof err)) {
        fprintf(stderr, "mimamori: %s\n", err);
        goto out;
    }
    setup_pipeline(s);
    for (int i = 1; i < nw; i++) {
        made = i + 1;
        if (!worker_init(&ws[i], s, err, sizeof err)) {
            fprintf(stderr, "mimamori: worker %d: %s\n", i + 1, err);
            goto out;
        }
    }
    s->progress = c->progress == 1 || (c->progress == -1 && !c->iface && isatty(2));
    if (c->iface && !c->quiet)
        fprintf(stderr, "mimamori: capturing on %s with %s, %d worker%s\n", c->iface,
                c->capture == MM_CAPTURE_PCAP ? "libpcap" : "AF_PACKET", nw, nw > 1 ? "s" : "");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (c->iface) {
        sa.sa_handler = on_hup;
        sigaction(SIGHUP, &sa, NULL);
    }

    rc = pooled ? run_workers(s) : run_files(s);
    uint64_t last = 0;
    for (int i = 0; i < nw; i++) {
        mm_flow_flush(ws[i].ft);
        if (ws[i].last_ts > last)
            last = ws[i].last_ts;
    }
    emit_stats(s, last ? last : mm_now_ns());
    if (!c->quiet)
        summary(s, nw);
out:
    if (O.evefp) {
        if (fflush(O.evefp) != 0) {
            fprintf(stderr, "mimamori: writing events: %s\n", strerror(errno));
            rc = 1;
        }
        if (O.evefp != stdout)
            fclose(O.evefp);
    }
    if (O.segw && mm_segw_close(O.segw, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori: %s\n", err);
        rc = 1;
    }
    uint64_t write_errors = 0;
    for (int i = 0; i < nw; i++)
        write_errors += ws[i].eve.write_errors;
    if (write_errors && rc == 0) {
        fprintf(stderr, "mimamori: %llu events could not be written\n",
                (unsigned long long)write_errors);
        rc = 1;
    }
    mm_pcapdir_close(O.pcap);
    for (int i = made - 1; i >= 1; i--)     /* before the first: they borrow from it */
        worker_free(&ws[i]);
    for (int i = made; i < nw; i++)
        mm_afp_close(ws[i].afp);
    mm_afp_close(s->afp);
    mm_live_close(s->live);
    mm_flowtable_free(s->ft);
    mm_hrange_free(&s->app);
    mm_detect_free(s->det);
    mm_iocmatch_free(s->ioc);
    mm_decoder_free(&s->dec);
    mm_eve_free(&s->eve);
    mm_geo_close(s->geo);
    mm_netlist_free(&s->home);
    if (pooled) {
        pthread_mutex_destroy(&O.mu);
        pthread_mutex_destroy(&P.mu);
        pthread_cond_destroy(&P.cv);
    }
    free(ws);
    return rc;
}
