/*
 * ingest.c - sensor output into the store (see ingest.h).
 *
 * One input, one transaction: alerts are inserted as they are read, flows
 * are summed in memory per (site, UTC day, local, remote, direction) and
 * written as upserts into flows_day before the commit (flushed early when
 * the map grows large, still inside the transaction). A segment whose
 * checksum fails at its end is rolled back whole.
 *
 * Lines are read with the one-pass reader (util/jread.h); a line that is
 * not JSON, or an event without the fields it needs, is counted as bad and
 * skipped.
 */
#include "analysis/ingest.h"
#include "analysis/logfacts.h"
#include "ioc/archive.h"
#include "ioc/obs.h"
#include "rules/rule.h"
#include "logs/logs.h"
#include "logs/mailmsg.h"
#include "output/output.h"
#include "util/jread.h"
#include "util/strmap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define FLUSH_AT 200000         /* flow aggregates held before an early flush */
#define HEAD_BYTES 4096
#define MAX_DEPTH 4             /* directory levels walked */
#define DAY_US 86400000000LL

typedef struct flow_agg {
    uint64_t hash;
    int64_t site_id, day, first, last;
    int64_t flows, pkts_in, pkts_out, bytes_in, bytes_out, dport;
    int64_t unusual;       /* flows not ours to a web, name or time service */
    char local[46], remote[46], dir[10], cc[3], app[24];
    bool pub, has_cc;
} flow_agg;

struct mm_ingest {
    mm_db *db;
    mm_ingest_cfg cfg;
    mm_netlist defhome;
    mm_ingest_stats st;
    jr_doc doc;
    mm_stmt *ins_alert, *up_flow, *up_cc, *up_peer, *span_first, *span_last, *find_site, *add_site, *find_import, *add_import, *heads;
    mm_strmap sites;           /* name -> id */
    /* "site|remote" of every alert of the companies in alerted_sites:
     * flows_day keeps per-host detail only for these addresses */
    mm_strmap alerted, alerted_sites;
    mm_stmt *alert_peers;
    /* flow sums: fv holds them, ftab (open addressing, keyed SipHash of
     * the key fields) finds them; both kept across inputs */
    flow_agg *fv;
    size_t fn, fcap;
    uint32_t *ftab;
    size_t fmask;              /* slots - 1 (a power of two minus one) */
    mm_hashkey hk;
    /* the input being imported */
    const char *seg_site;
    uint64_t in_events;
    mm_ingest_stats snap;      /* the counters before this input */
    int64_t tmin, tmax;        /* event times of the input */
    int failed;                /* the store failed while importing */
    char err[512];
    mm_logfacts *lf;           /* sums of log records (and sensor dns, dhcp) */
    mm_obs *obs;               /* the hunting index (ioc/obs.h) */
    mm_archive *arch;          /* the events behind it (NULL: not kept) */
    /* "site|flow_id" -> catalogued service + 1, from the sensor's tls
     * (server name) and http (host) events, until the flow's own event
     * gives its bytes (shadow IT without a proxy) */
    mm_strmap svc_flows;
    mm_logrec rec;             /* a log event read back from JSON */
    mm_stmt *log_heads;
    mm_stmt *up_file;          /* host_files: a watcher's file event or host alert */
    mm_stmt *up_health;        /* sensor_health: a sensor's newest stats event */
};

/* ---- sites ---- */

static int64_t site_id(mm_ingest *in, const char *name)
{
    uint64_t *v = mm_strmap_get(&in->sites, name, strlen(name));
    if (v)
        return (int64_t)*v;
    int64_t id = -1;
    mm_stmt_text(in->add_site, 1, name);
    if (mm_stmt_run(in->add_site) != 0)
        return -1;
    mm_stmt_text(in->find_site, 1, name);
    if (mm_stmt_step(in->find_site) == 1)
        id = mm_col_i64(in->find_site, 0);
    mm_stmt_reset(in->find_site);
    if (id >= 0) {
        bool added;
        mm_strmap_put(&in->sites, name, strlen(name), (uint64_t)id, &added);
    }
    return id;
}

/* ---- enrichment ---- */

typedef struct ends {
    const char *dir;
    char local[46], remote[46];
    char cc[3];                /* the remote end's country */
    bool pub, has_cc;
    mm_ip lip;                 /* the local end, parsed (lip_ok) */
    bool lip_ok;
} ends;

/* Orients an event: cli/srv are the flow's client and server. */
/* The country of an address as stored: ISO code, "XX" for a public
 * address the data does not place, "" for private and reserved ones. */
static bool country_of(const mm_ingest *in, const mm_ip *ip, char cc[3])
{
    mm_geo_kind k = mm_geo_lookup(in->cfg.geo, ip, cc);
    if (k == MM_GEO_UNKNOWN)
        memcpy(cc, "XX", 3);
    else if (k != MM_GEO_COUNTRY)
        cc[0] = 0;
    return k == MM_GEO_COUNTRY || k == MM_GEO_UNKNOWN;
}

static void orient(mm_ingest *in, const char *cli, const char *srv, const char *recorded,
                   ends *e)
{
    mm_ip c, s;
    bool okc = mm_ip_parse(cli, &c), oks = mm_ip_parse(srv, &s);
    bool hc, hs;
    if (in->cfg.home || !recorded) {
        const mm_netlist *h = in->cfg.home ? in->cfg.home : &in->defhome;
        hc = okc && mm_netlist_contains(h, &c);
        hs = oks && mm_netlist_contains(h, &s);
    } else {
        hc = !strcmp(recorded, "outbound") || !strcmp(recorded, "internal");
        hs = !strcmp(recorded, "inbound") || !strcmp(recorded, "internal");
    }
    const char *local = srv, *remote = cli;
    const mm_ip *rip = &c;
    bool okr = okc;
    if (hc && hs) {
        e->dir = "internal";
        local = cli, remote = srv, rip = &s, okr = oks;
    } else if (hc) {
        e->dir = "outbound";
        local = cli, remote = srv, rip = &s, okr = oks;
    } else if (hs) {
        e->dir = "inbound";
    } else {
        e->dir = "external";
    }
    mm_strcpy(e->local, sizeof e->local, local);
    mm_strcpy(e->remote, sizeof e->remote, remote);
    e->pub = e->has_cc = okr && country_of(in, rip, e->cc);
    e->lip_ok = rip == &c ? oks : okc;
    e->lip = rip == &c ? s : c;
}

static const char *event_site(mm_ingest *in, char *buf, size_t n)
{
    if (in->cfg.site)
        return in->cfg.site;
    if (in->seg_site && in->seg_site[0])
        return in->seg_site;
    if (jr_path_str(&in->doc, "mimamori.site", buf, n) && buf[0])
        return buf;
    return NULL;
}

static bool event_time(const jr_doc *d, const char *path, int64_t *us)
{
    char ts[48];
    return jr_path_str(d, path, ts, sizeof ts) && mm_parse_iso_ts(ts, us);
}

/* ---- alerts ---- */

/* "site|remote": the key of an alert peer. */
static size_t peer_key(char *k, size_t n, int64_t site, const char *remote)
{
    int l = snprintf(k, n, "%lld|%s", (long long)site, remote);
    return l < 0 ? 0 : (size_t)l < n ? (size_t)l : n - 1;
}


/* An address as the store keeps it (IPv6 compressed, whichever way the
 * event wrote it: ours and Suricata's write every group); false when the
 * text is not an address. */
static bool canon_ip(char *s, size_t n)
{
    mm_ip ip;
    if (!mm_ip_parse(s, &ip))
        return false;
    char t[MM_IPSTR_LEN];
    mm_ip_str(&ip, t);
    mm_strcpy(s, n, t);
    return true;
}

/* ---- file events of a watched web root (mimamori watch) ---- */

/* A fim event (alert false) or a host alert (alert true) into host_files:
 * both of one change carry the same time, so the alert's classifier
 * fields land on the fim event's row whichever comes first. Returns 1 for
 * an event without what a row needs (counted as bad by the caller when it
 * is an alert), 0 for a baseline summary, -1 on a store error. */
static int file_event(mm_ingest *in, int64_t sid_db, int64_t ts, const char *sensor, bool alert)
{
    jr_doc *d = &in->doc;
    char action[16], root[1024], path[2048], sha[80], kind[32], expl[64], reasons[512];
    if (!jr_path_str(d, "fim.action", action, sizeof action))
        return 1;
    if (strcmp(action, "added") && strcmp(action, "changed") && strcmp(action, "removed") &&
        strcmp(action, "unreadable"))
        return strcmp(action, "baseline") ? 1 : 0;
    if (!jr_path_str(d, "fim.path", path, sizeof path) || !path[0])
        return 1;
    if (!jr_path_str(d, "fim.root", root, sizeof root))
        root[0] = 0;
    mm_stmt *st = in->up_file;
    mm_stmt_i64(st, 1, sid_db);
    mm_stmt_text(st, 2, sensor[0] ? sensor : "host");
    mm_stmt_text(st, 3, root);
    mm_stmt_text(st, 4, path);
    mm_stmt_i64(st, 5, ts);
    mm_stmt_text(st, 6, action);
    int64_t size;
    if (jr_i64(d, jr_path(d, "fim.size"), &size) && size >= 0)
        mm_stmt_i64(st, 7, size);
    else
        mm_stmt_null(st, 7);
    mm_stmt_text(st, 8, jr_path_str(d, "fim.sha256", sha, sizeof sha) && sha[0] ? sha : NULL);
    if (alert) {
        int64_t sev = jr_path_i64(d, "alert.severity", 3);
        kind[0] = expl[0] = 0;
        jr_path_str(d, "mimamori.alert.kind", kind, sizeof kind);
        jr_str(d, jr_elem(d, jr_path(d, "alert.metadata.explain"), 0), expl, sizeof expl);
        /* the reasons, "; " between them, cut on a whole phrase */
        size_t rl = 0;
        reasons[0] = 0;
        int arr = jr_path(d, "mimamori.alert.reasons");
        for (uint32_t i = 0; i < 32; i++) {
            char one[160];
            int t = jr_elem(d, arr, i);
            if (t < 0)
                break;
            if (!jr_str(d, t, one, sizeof one) || !one[0] || strchr(one, ';'))
                continue;
            size_t ol = strlen(one);
            if (rl + ol + 3 > sizeof reasons)
                break;
            if (rl) {
                memcpy(reasons + rl, "; ", 2);
                rl += 2;
            }
            memcpy(reasons + rl, one, ol + 1);
            rl += ol;
        }
        mm_stmt_text(st, 9, kind[0] ? kind : NULL);
        mm_stmt_i64(st, 10, sev >= 1 && sev <= 3 ? sev : 3);
        mm_stmt_i64(st, 11, jr_path_i64(d, "alert.signature_id", 0));
        mm_stmt_text(st, 12, reasons[0] ? reasons : NULL);
        mm_stmt_text(st, 13, expl[0] ? expl : NULL);
    } else
        for (int i = 9; i <= 13; i++)
            mm_stmt_null(st, i);
    if (mm_stmt_run(st) != 0)
        return -1;
    in->st.file_events += !alert;
    return 0;
}

static int on_fim(mm_ingest *in)
{
    jr_doc *d = &in->doc;
    char sbuf[128], sensor[128];
    const char *site = event_site(in, sbuf, sizeof sbuf);
    int64_t ts;
    if (!site || !event_time(d, "timestamp", &ts)) {
        in->st.bad_lines++;
        return 0;
    }
    if (!jr_path_str(d, "host", sensor, sizeof sensor))
        jr_path_str(d, "mimamori.sensor", sensor, sizeof sensor);
    int64_t sid_db = site_id(in, site);
    if (sid_db < 0) {
        in->failed = 1;
        return -1;
    }
    if (ts < in->tmin)
        in->tmin = ts;
    if (ts > in->tmax)
        in->tmax = ts;
    int rc = file_event(in, sid_db, ts, sensor, false);
    if (rc > 0)
        in->st.bad_lines++;
    if (rc < 0) {
        in->failed = 1;
        return -1;
    }
    return 0;
}

/* A sensor's stats event: the newest of each sensor is its health
 * (sensor_health: the dashboard's sensors). A stats event without a
 * company (Suricata's own) is one more "other" event. */
static int on_stats(mm_ingest *in)
{
    jr_doc *d = &in->doc;
    char sbuf[128], sensor[128], t[48], rerr[256];
    const char *site = event_site(in, sbuf, sizeof sbuf);
    int64_t ts;
    if (!site || !event_time(d, "timestamp", &ts)) {
        in->st.other++;
        return 0;
    }
    if (!jr_path_str(d, "mimamori.sensor", sensor, sizeof sensor) &&
        !jr_path_str(d, "host", sensor, sizeof sensor))
        sensor[0] = 0;
    int64_t sid = site_id(in, site);
    if (sid < 0) {
        in->failed = 1;
        return -1;
    }
    in->st.other++;
    int eng = jr_elem(d, jr_path(d, "stats.detect.engines"), 0);
    int64_t loaded = -1, failed = -1, reload = 0;
    if (eng >= 0) {
        jr_i64(d, jr_member(d, eng, "rules_loaded"), &loaded);
        jr_i64(d, jr_member(d, eng, "rules_failed"), &failed);
        if (jr_str(d, jr_member(d, eng, "last_reload"), t, sizeof t) &&
            !mm_parse_iso_ts(t, &reload))
            reload = 0;
    }
    mm_stmt *st = in->up_health;
    mm_stmt_i64(st, 1, sid);
    mm_stmt_text(st, 2, sensor);
    mm_stmt_i64(st, 3, ts);
    mm_stmt_i64(st, 4, jr_path_i64(d, "stats.uptime", 0));
    mm_stmt_i64(st, 5, jr_path_i64(d, "stats.decoder.pkts", 0));
    mm_stmt_i64(st, 6, jr_path_i64(d, "stats.capture.kernel_packets", 0));
    mm_stmt_i64(st, 7, jr_path_i64(d, "mimamori.stats.drops.kernel", 0));
    mm_stmt_i64(st, 8, jr_path_i64(d, "mimamori.stats.drops.interface", 0));
    mm_stmt_i64(st, 9, jr_path_i64(d, "mimamori.stats.drops.flow_memcap", 0) +
                           jr_path_i64(d, "mimamori.stats.drops.stream_memcap", 0));
    mm_stmt_i64(st, 10, jr_path_i64(d, "mimamori.stats.drops.event_write_errors", 0) +
                            jr_path_i64(d, "mimamori.stats.output.events_unwritten", 0));
    mm_stmt_i64(st, 11, loaded);
    mm_stmt_i64(st, 12, failed);
    mm_stmt_i64(st, 13, reload);
    mm_stmt_i64(st, 14, jr_path_i64(d, "mimamori.stats.reload.done", 0));
    mm_stmt_i64(st, 15, jr_path_i64(d, "mimamori.stats.reload.failed", 0));
    mm_stmt_text(st, 16, jr_path_str(d, "mimamori.stats.reload.error", rerr, sizeof rerr) ? rerr
                                                                                          : NULL);
    mm_stmt_i64(st, 17, jr_path_i64(d, "mimamori.stats.output.disk_free", -1));
    mm_stmt_i64(st, 18, jr_path_i64(d, "mimamori.stats.output.disk_total", -1));
    if (mm_stmt_run(st) != 0) {
        in->failed = 1;
        return -1;
    }
    return 0;
}

static int on_alert(mm_ingest *in, int64_t sid_db, int64_t ts)
{
    jr_doc *d = &in->doc;
    char src[46], dst[46], sig[512], cat[128], fam[48], expl[64], proto[16], app[24],
        sensor[128], dir[16], pdir[16];
    bool has_src = jr_path_str(d, "src_ip", src, sizeof src),
         has_dst = jr_path_str(d, "dest_ip", dst, sizeof dst);
    /* an alert of a host, not of traffic (mimamori watch: a WebShell in a
     * web root): no addresses, its fim object says what and where */
    bool host = !has_src && !has_dst && jr_member(d, 0, "fim") >= 0;
    if (host)
        src[0] = dst[0] = 0;
    else if (!has_src || !has_dst || !canon_ip(src, sizeof src) || !canon_ip(dst, sizeof dst))
        return 1;
    int64_t gid = jr_path_i64(d, "alert.gid", 1), sid = jr_path_i64(d, "alert.signature_id", -1);
    if (sid < 0)
        return 1;
    jr_path_str(d, "alert.signature", sig, sizeof sig);
    jr_path_str(d, "alert.category", cat, sizeof cat);
    fam[0] = expl[0] = 0;
    jr_str(d, jr_elem(d, jr_path(d, "alert.metadata.family"), 0), fam, sizeof fam);
    if (!fam[0])                /* a rule's alert: the sensor's family in mimamori */
        jr_path_str(d, "mimamori.alert.family", fam, sizeof fam);
    jr_str(d, jr_elem(d, jr_path(d, "alert.metadata.explain"), 0), expl, sizeof expl);
    if (!fam[0]) {
        const char *f = mm_rule_family_category((uint32_t)gid, (uint32_t)sid, cat[0] ? cat : NULL);
        mm_strcpy(fam, sizeof fam, f ? f : "other");
    }
    jr_path_str(d, "proto", proto, sizeof proto);
    jr_path_str(d, "app_proto", app, sizeof app);
    if (!jr_path_str(d, "host", sensor, sizeof sensor))
        jr_path_str(d, "mimamori.sensor", sensor, sizeof sensor);
    bool rec = jr_path_str(d, "mimamori.direction", dir, sizeof dir);
    jr_path_str(d, "direction", pdir, sizeof pdir);
    bool rev = strcmp(pdir, "to_client") == 0;
    ends e;
    if (host) {
        /* the machine is the internal host: the sensor name it wrote */
        memset(&e, 0, sizeof e);
        e.dir = "host";
        mm_strcpy(e.local, sizeof e.local, sensor[0] ? sensor : "host");
    } else
        orient(in, rev ? dst : src, rev ? src : dst, rec ? dir : NULL, &e);

    mm_stmt *st = in->ins_alert;
    mm_stmt_i64(st, 1, sid_db);
    mm_stmt_i64(st, 2, ts);
    mm_stmt_text(st, 3, sensor);
    mm_stmt_i64(st, 4, gid);
    mm_stmt_i64(st, 5, sid);
    mm_stmt_i64(st, 6, jr_path_i64(d, "alert.rev", 0));
    mm_stmt_text(st, 7, sig);
    mm_stmt_text(st, 8, cat);
    mm_stmt_i64(st, 9, jr_path_i64(d, "alert.severity", 3));
    mm_stmt_text(st, 10, fam);
    mm_stmt_text(st, 11, expl[0] ? expl : NULL);
    mm_stmt_text(st, 12, proto);
    mm_stmt_text(st, 13, app[0] ? app : NULL);
    mm_stmt_text(st, 14, host ? NULL : src);
    mm_stmt_i64(st, 15, jr_path_i64(d, "src_port", 0));
    mm_stmt_text(st, 16, host ? NULL : dst);
    mm_stmt_i64(st, 17, jr_path_i64(d, "dest_port", 0));
    mm_stmt_text(st, 18, e.dir);
    mm_stmt_text(st, 19, e.local);
    mm_stmt_text(st, 20, host ? NULL : e.remote);
    mm_stmt_text(st, 21, e.has_cc ? e.cc : NULL);
    mm_stmt_i64(st, 22, e.pub);
    mm_stmt_i64(st, 23, jr_path_i64(d, "flow_id", 0));
    char lcc[3];
    mm_stmt_text(st, 24, e.lip_ok && country_of(in, &e.lip, lcc) ? lcc : NULL);
    if (mm_stmt_run(st) != 0)
        return -1;
    in->st.alerts++;
    if (host && file_event(in, sid_db, ts, e.local, true) < 0)
        return -1;
    char k[80];
    size_t kl = peer_key(k, sizeof k, sid_db, e.remote);
    bool added;
    if (!mm_strmap_put(&in->alerted, k, kl, 1, &added))
        return -1;
    return 0;
}

/* ---- flows ---- */

#define SVC_FLOWS_MAX 200000   /* flows waiting for their flow event */

static size_t flow_key(char *k, size_t n, int64_t site, int64_t flow_id)
{
    int l = snprintf(k, n, "%lld|%lld", (long long)site, (long long)flow_id);
    return l < 0 ? 0 : (size_t)l < n ? (size_t)l : n - 1;
}


static void drop_flows(mm_ingest *in)
{
    in->fn = 0;
    if (in->ftab)
        memset(in->ftab, 0xFF, (in->fmask + 1) * sizeof(*in->ftab));
}

static int by_country(const void *x, const void *y)
{
    const flow_agg *a = x, *b = y;
    if (a->site_id != b->site_id)
        return a->site_id < b->site_id ? -1 : 1;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return strcmp(a->cc, b->cc);
}

static int by_peer(const void *x, const void *y)
{
    const flow_agg *a = x, *b = y;
    if (a->site_id != b->site_id)
        return a->site_id < b->site_id ? -1 : 1;
    return strcmp(a->remote, b->remote);
}

static bool counts_abroad(const flow_agg *a)
{
    return a->has_cc && (!strcmp(a->dir, "inbound") || !strcmp(a->dir, "outbound"));
}

/* countries_day from the sums (sorted here; the table is rebuilt after). */
static int flush_countries(mm_ingest *in)
{
    mm_sort(in->fv, in->fn, sizeof(flow_agg), by_country);
    mm_stmt *st = in->up_cc;
    for (size_t i = 0; i < in->fn;) {
        const flow_agg *a = &in->fv[i];
        int64_t f = 0, pi = 0, po = 0, bi = 0, bo = 0;
        size_t j = i;
        for (; j < in->fn && !by_country(a, &in->fv[j]); j++) {
            if (!counts_abroad(&in->fv[j]))
                continue;
            f += in->fv[j].flows;
            pi += in->fv[j].pkts_in;
            po += in->fv[j].pkts_out;
            bi += in->fv[j].bytes_in;
            bo += in->fv[j].bytes_out;
        }
        if (f) {
            mm_stmt_i64(st, 1, a->site_id);
            mm_stmt_i64(st, 2, a->day);
            mm_stmt_text(st, 3, a->cc);
            mm_stmt_i64(st, 4, f);
            mm_stmt_i64(st, 5, pi);
            mm_stmt_i64(st, 6, po);
            mm_stmt_i64(st, 7, bi);
            mm_stmt_i64(st, 8, bo);
            if (mm_stmt_run(st) != 0)
                return -1;
        }
        i = j;
    }
    return 0;
}

/* peers: one row per company and public remote address. */
static int flush_peers(mm_ingest *in)
{
    mm_sort(in->fv, in->fn, sizeof(flow_agg), by_peer);
    mm_stmt *st = in->up_peer;
    for (size_t i = 0; i < in->fn;) {
        const flow_agg *a = &in->fv[i];
        int64_t f = 0, un = 0, first = a->first, last = a->last, v[4] = {0, 0, 0, 0};
        size_t j = i;
        for (; j < in->fn && !by_peer(a, &in->fv[j]); j++) {
            const flow_agg *b = &in->fv[j];
            f += b->flows;
            un += b->unusual;
            v[0] += b->pkts_in;
            v[1] += b->pkts_out;
            v[2] += b->bytes_in;
            v[3] += b->bytes_out;
            if (b->first < first)
                first = b->first;
            if (b->last > last)
                last = b->last;
        }
        if (a->pub) {
            mm_stmt_i64(st, 1, a->site_id);
            mm_stmt_text(st, 2, a->remote);
            mm_stmt_text(st, 3, a->cc);
            mm_stmt_i64(st, 4, first);
            mm_stmt_i64(st, 5, last);
            mm_stmt_i64(st, 6, f);
            mm_stmt_i64(st, 7, un);
            for (int k = 0; k < 4; k++)
                mm_stmt_i64(st, 8 + k, v[k]);
            if (mm_stmt_run(st) != 0)
                return -1;
        }
        i = j;
    }
    return 0;
}

/* Is remote an alert peer of site (in the store or this input)? The
 * company's alert peers are read from the store once. */
static int alerted(mm_ingest *in, int64_t site, const char *remote)
{
    char k[80];
    size_t kl = peer_key(k, sizeof k, site, "");
    bool added;
    if (!mm_strmap_put(&in->alerted_sites, k, kl, 1, &added))
        return -1;
    if (added) {
        mm_stmt_i64(in->alert_peers, 1, site);
        int rc;
        while ((rc = mm_stmt_step(in->alert_peers)) == 1) {
            size_t l = peer_key(k, sizeof k, site, mm_col_text(in->alert_peers, 0));
            if (!mm_strmap_put(&in->alerted, k, l, 1, &added)) {
                rc = -1;
                break;
            }
        }
        mm_stmt_reset(in->alert_peers);
        if (rc < 0)
            return -1;
    }
    kl = peer_key(k, sizeof k, site, remote);
    return mm_strmap_get(&in->alerted, k, kl) != NULL;
}

static void forget_alerted(mm_ingest *in)
{
    mm_strmap_free(&in->alerted);
    mm_strmap_free(&in->alerted_sites);
    mm_strmap_init(&in->alerted);
    mm_strmap_init(&in->alerted_sites);
}

/* Writes the flow sums: every one into countries_day and peers, and into
 * flows_day (per day and host pair) those whose remote end had an alert at
 * that company: the detail the reports show for alert peers, without a
 * row per host pair for all the traffic. */
static int flush_flows(mm_ingest *in)
{
    mm_stmt *st = in->up_flow;
    for (size_t i = 0; i < in->fn; i++) {
        const flow_agg *a = &in->fv[i];
        int al = alerted(in, a->site_id, a->remote);
        if (al < 0)
            return -1;
        if (!al)
            continue;
        mm_stmt_i64(st, 1, a->site_id);
        mm_stmt_i64(st, 2, a->day);
        mm_stmt_text(st, 3, a->local);
        mm_stmt_text(st, 4, a->remote);
        mm_stmt_text(st, 5, a->dir);
        mm_stmt_text(st, 6, a->has_cc ? a->cc : NULL);
        mm_stmt_i64(st, 7, a->pub);
        mm_stmt_text(st, 8, a->app[0] ? a->app : NULL);
        mm_stmt_i64(st, 9, a->dport);
        mm_stmt_i64(st, 10, a->flows);
        mm_stmt_i64(st, 11, a->pkts_in);
        mm_stmt_i64(st, 12, a->pkts_out);
        mm_stmt_i64(st, 13, a->bytes_in);
        mm_stmt_i64(st, 14, a->bytes_out);
        mm_stmt_i64(st, 15, a->first);
        mm_stmt_i64(st, 16, a->last);
        if (mm_stmt_run(st) != 0)
            return -1;
    }
    if (flush_countries(in) != 0 || flush_peers(in) != 0)
        return -1;
    drop_flows(in);
    return 0;
}

#define SLOT_FREE UINT32_MAX

/* Grows the table to twice its slots (or 4096), re-placing every sum. */
static bool ftab_grow(mm_ingest *in)
{
    size_t n = in->ftab ? (in->fmask + 1) * 2 : 4096;
    uint32_t *t = malloc(n * sizeof(*t));
    if (!t)
        return false;
    memset(t, 0xFF, n * sizeof(*t));
    for (size_t i = 0; i < in->fn; i++) {
        size_t k = in->fv[i].hash & (n - 1);
        while (t[k] != SLOT_FREE)
            k = (k + 1) & (n - 1);
        t[k] = (uint32_t)i;
    }
    free(in->ftab);
    in->ftab = t;
    in->fmask = n - 1;
    return true;
}

/* The sum for this key, added (zeroed, key set) when new; NULL on no memory. */
static flow_agg *flow_slot(mm_ingest *in, int64_t site, int64_t day, const ends *e)
{
    if ((!in->ftab || in->fn * 2 >= in->fmask) && !ftab_grow(in))
        return NULL;
    char buf[160];
    size_t ll = strlen(e->local), rl = strlen(e->remote), dl = strlen(e->dir), n = 0;
    memcpy(buf, &site, 8);
    memcpy(buf + 8, &day, 8);
    n = 16;
    memcpy(buf + n, e->local, ll + 1);
    n += ll + 1;
    memcpy(buf + n, e->remote, rl + 1);
    n += rl + 1;
    memcpy(buf + n, e->dir, dl);
    n += dl;
    uint64_t h = mm_siphash13(&in->hk, buf, n);
    size_t k = h & in->fmask;
    for (; in->ftab[k] != SLOT_FREE; k = (k + 1) & in->fmask) {
        flow_agg *a = &in->fv[in->ftab[k]];
        if (a->hash == h && a->site_id == site && a->day == day && !strcmp(a->local, e->local) &&
            !strcmp(a->remote, e->remote) && !strcmp(a->dir, e->dir))
            return a;
    }
    if (in->fn == in->fcap) {
        size_t nc = in->fcap ? in->fcap * 2 : 1024;
        flow_agg *v = realloc(in->fv, nc * sizeof(*v));
        if (!v)
            return NULL;
        in->fv = v;
        in->fcap = nc;
    }
    flow_agg *a = &in->fv[in->fn];
    in->ftab[k] = (uint32_t)in->fn++;
    memset(a, 0, sizeof(*a));
    a->hash = h;
    a->site_id = site;
    a->day = day;
    memcpy(a->local, e->local, sizeof a->local);
    memcpy(a->remote, e->remote, sizeof a->remote);
    mm_strcpy(a->dir, sizeof a->dir, e->dir);
    a->flows = -1;   /* marks a new sum for the caller */
    return a;
}

static int on_flow(mm_ingest *in, int64_t sid_db, int64_t ts, bool netflow)
{
    jr_doc *d = &in->doc;
    char src[46], dst[46], dir[16], app[24];
    if (!jr_path_str(d, "src_ip", src, sizeof src) || !jr_path_str(d, "dest_ip", dst, sizeof dst) ||
        !canon_ip(src, sizeof src) || !canon_ip(dst, sizeof dst))
        return 1;
    int fo = jr_member(d, 0, netflow ? "netflow" : "flow");
    int64_t start = ts, end = ts;
    char tb[48];
    if (jr_str(d, jr_member(d, fo, "start"), tb, sizeof tb))
        mm_parse_iso_ts(tb, &start);
    if (!jr_str(d, jr_member(d, fo, "end"), tb, sizeof tb) || !mm_parse_iso_ts(tb, &end) ||
        end < start)
        end = start;
    int64_t ts_pk = 0, tc_pk = 0, ts_by = 0, tc_by = 0;
    if (netflow) {
        jr_i64(d, jr_member(d, fo, "pkts"), &ts_pk);
        jr_i64(d, jr_member(d, fo, "bytes"), &ts_by);
    } else {
        jr_i64(d, jr_member(d, fo, "pkts_toserver"), &ts_pk);
        jr_i64(d, jr_member(d, fo, "pkts_toclient"), &tc_pk);
        jr_i64(d, jr_member(d, fo, "bytes_toserver"), &ts_by);
        jr_i64(d, jr_member(d, fo, "bytes_toclient"), &tc_by);
    }
    if (ts_pk < 0 || tc_pk < 0 || ts_by < 0 || tc_by < 0)
        return 1;
    bool rec = jr_path_str(d, "mimamori.direction", dir, sizeof dir);
    if (!jr_path_str(d, "app_proto", app, sizeof app) || !strcmp(app, "failed"))
        app[0] = 0;
    ends e;
    orient(in, src, dst, rec ? dir : NULL, &e);
    if (strcmp(e.dir, "internal") != 0 &&
        mm_obs_add(in->obs, sid_db, start, OBS_IP, e.remote, strlen(e.remote),
                   strcmp(e.dir, "external") ? e.local : "") != 0)
        return -1;
    /* the client sent toserver: out when the client is local */
    bool cli_local = !strcmp(e.dir, "outbound") || !strcmp(e.dir, "internal");
    int64_t day = start >= 0 ? start / DAY_US : (start - DAY_US + 1) / DAY_US;
    int64_t fid;
    if (in->svc_flows.n && jr_i64(d, jr_member(d, 0, "flow_id"), &fid)) {
        char k[64];
        size_t kl = flow_key(k, sizeof k, sid_db, fid);
        uint64_t *v = mm_strmap_get(&in->svc_flows, k, kl);
        mm_ip cip;
        if (v && cli_local && mm_ip_parse(src, &cip) &&
            mm_logfacts_web(in->lf, sid_db, start, 0, (int)(*v - 1), &cip, ts_by, tc_by) != 0)
            return -1;
        if (v)
            mm_strmap_del(&in->svc_flows, k, kl);
    }

    int64_t dport = 0;
    jr_i64(d, jr_member(d, 0, "dest_port"), &dport);
    flow_agg *a = flow_slot(in, sid_db, day, &e);
    if (!a)
        return -1;
    if (a->flows < 0) {
        a->flows = 0;
        a->first = start;
        a->last = end;
        memcpy(a->cc, e.cc, 3);
        a->has_cc = e.has_cc;
        a->pub = e.pub;
        a->dport = dport;
    }
    if (!a->app[0] && app[0])
        mm_strcpy(a->app, sizeof a->app, app);
    a->flows++;
    if (strcmp(e.dir, "outbound") != 0 ||
        (dport != 53 && dport != 80 && dport != 123 && dport != 443 && dport != 853))
        a->unusual++;
    a->pkts_out += cli_local ? ts_pk : tc_pk;
    a->pkts_in += cli_local ? tc_pk : ts_pk;
    a->bytes_out += cli_local ? ts_by : tc_by;
    a->bytes_in += cli_local ? tc_by : ts_by;
    if (end > in->tmax)
        in->tmax = end;
    if (start < in->tmin)
        in->tmin = start;
    if (start < a->first)
        a->first = start;
    if (end > a->last)
        a->last = end;
    in->st.flows++;
    if (in->fn >= FLUSH_AT)
        return flush_flows(in);
    return 0;
}

/* ---- log records ---- */

/* The hunting index's share of a log record: the internal host and, for
 * a record between the company and the outside, the remote address. */
static int obs_record(mm_ingest *in, int64_t sid_db, const mm_logrec *r)
{
    char a[MM_IPSTR_LEN] = "", b[MM_IPSTR_LEN] = "";
    if (r->src_ip.v)
        mm_ip_str(&r->src_ip, a);
    if (r->dest_ip.v)
        mm_ip_str(&r->dest_ip, b);
    if (a[0] && b[0]) {
        ends e;
        orient(in, a, b, NULL, &e);
        if (!strcmp(e.dir, "internal"))
            return mm_obs_logrec(in->obs, sid_db, r, a, "");
        return mm_obs_logrec(in->obs, sid_db, r, strcmp(e.dir, "external") ? e.local : "",
                             strcmp(r->event_type, "firewall") == 0 ? e.remote : "");
    }
    return mm_obs_logrec(in->obs, sid_db, r, a, "");
}

static int log_record(mm_ingest *in, int64_t sid_db, const mm_logrec *r)
{
    if (r->has_ts) {
        if (r->ts_us < in->tmin)
            in->tmin = r->ts_us;
        if (r->ts_us > in->tmax)
            in->tmax = r->ts_us;
    }
    if (mm_logfacts_record(in->lf, sid_db, r) != 0 || obs_record(in, sid_db, r) != 0) {
        in->failed = 1;
        return -1;
    }
    in->st.log_records++;
    return 0;
}

/* A log record (or a sensor's dns or dhcp event) read from JSON. */
static int on_log_event(mm_ingest *in)
{
    char sbuf[128];
    const char *site = event_site(in, sbuf, sizeof sbuf);
    if (!site) {
        in->st.bad_lines++;
        return 0;
    }
    int64_t sid_db = site_id(in, site);
    if (sid_db < 0) {
        in->failed = 1;
        return -1;
    }
    return log_record(in, sid_db, &in->rec);
}

/* ---- cloud services the sensor saw (shadow IT) ---- */

/* A tls or http event: the server's name, when it is a catalogued service,
 * kept by flow until the flow event brings the bytes. */
static int on_service_name(mm_ingest *in, bool tls)
{
    in->st.other++;
    const mm_catalog *cat = in->cfg.cat;
    jr_doc *d = &in->doc;
    char name[256];
    int64_t fid;
    if (!cat || !jr_i64(d, jr_member(d, 0, "flow_id"), &fid) ||
        !jr_path_str(d, tls ? "tls.sni" : "http.hostname", name, sizeof name) || !name[0])
        return 0;
    int svc = mm_catalog_find(cat, name, strlen(name));
    if (svc < 0)
        return 0;
    char sbuf[128];
    const char *site = event_site(in, sbuf, sizeof sbuf);
    if (!site)
        return 0;
    int64_t sid_db = site_id(in, site);
    if (sid_db < 0) {
        in->failed = 1;
        return -1;
    }
    if (in->svc_flows.n >= SVC_FLOWS_MAX) {      /* bounded: forget the waiting ones */
        mm_strmap_free(&in->svc_flows);
        mm_strmap_init(&in->svc_flows);
    }
    char k[64];
    size_t kl = flow_key(k, sizeof k, sid_db, fid);
    bool added;
    uint64_t *v = mm_strmap_put(&in->svc_flows, k, kl, (uint64_t)svc + 1, &added);
    if (v && !added)
        *v = (uint64_t)svc + 1;
    return 0;
}

/* ---- the hunting index ---- */

/* What an http, tls, fileinfo, smtp or mail event shows, under its
 * company's internal host. */
static int obs_event(mm_ingest *in)
{
    jr_doc *d = &in->doc;
    int et = jr_member(d, 0, "event_type");
    if (!jr_eq(d, et, "http") && !jr_eq(d, et, "tls") && !jr_eq(d, et, "fileinfo") &&
        !jr_eq(d, et, "smtp") && !jr_eq(d, et, "mail"))
        return 0;
    char sbuf[128], src[64] = "", dst[64] = "";
    const char *site = event_site(in, sbuf, sizeof sbuf);
    int64_t ts;
    if (!site || !event_time(d, "timestamp", &ts))
        return 0;
    int64_t sid_db = site_id(in, site);
    if (sid_db < 0) {
        in->failed = 1;
        return -1;
    }
    const char *host = "";
    ends e;
    if (jr_path_str(d, "src_ip", src, sizeof src) && jr_path_str(d, "dest_ip", dst, sizeof dst) &&
        canon_ip(src, sizeof src) && canon_ip(dst, sizeof dst)) {
        /* the recorded direction is the flow's, whose client is src_ip;
         * a fileinfo event's src_ip is the file's sender: told by the
         * company's networks instead */
        char dir[16];
        bool rec = !jr_eq(d, et, "fileinfo") &&
                   jr_path_str(d, "mimamori.direction", dir, sizeof dir);
        orient(in, src, dst, rec ? dir : NULL, &e);
        host = !strcmp(e.dir, "external") ? "" : e.local;
    }
    if (mm_obs_eve(in->obs, d, sid_db, ts, host) != 0) {
        in->failed = 1;
        return -1;
    }
    return 0;
}

/* ---- one line ---- */

static int on_line(void *user, const char *line, size_t len)
{
    mm_ingest *in = user;
    if (in->failed)
        return -1;
    if (mm_obs_pending(in->obs) >= FLUSH_AT && mm_obs_flush(in->obs) != 0) {
        in->failed = 1;             /* an early flush, still inside the transaction */
        return -1;
    }
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
        len--;
    if (len == 0)
        return 0;
    in->in_events++;
    jr_doc *d = &in->doc;
    if (jr_parse(d, line, len) != 0 || d->t[0].type != JR_OBJ) {
        in->st.bad_lines++;
        return 0;
    }
    if (in->arch) {
        char ab[128];
        const char *as = event_site(in, ab, sizeof ab);
        int64_t ats;
        if (as && event_time(d, "timestamp", &ats) &&
            mm_archive_line(in->arch, as, ats, line, len) != 0) {
            in->failed = 1;
            return -1;
        }
    }
    int et = jr_member(d, 0, "event_type");
    bool alert = jr_eq(d, et, "alert"), flow = jr_eq(d, et, "flow"),
         netflow = jr_eq(d, et, "netflow");
    if (jr_eq(d, et, "fim"))
        return on_fim(in);
    if (jr_eq(d, et, "stats"))
        return on_stats(in);
    if (!alert && !flow && !netflow) {
        if (et < 0)
            in->st.bad_lines++;
        else if (obs_event(in) != 0)
            return -1;
        else if (jr_eq(d, et, "tls") || jr_eq(d, et, "http"))
            return on_service_name(in, jr_eq(d, et, "tls"));
        else if (mm_logrec_from_eve(d, &in->rec)) {
            in->st.other++;
            return on_log_event(in);
        }
        else
            in->st.other++;
        return 0;
    }
    int64_t ts;
    char sbuf[128];
    const char *site = event_site(in, sbuf, sizeof sbuf);
    if (!site || !event_time(d, "timestamp", &ts)) {
        in->st.bad_lines++;
        return 0;
    }
    if (ts < in->tmin)
        in->tmin = ts;
    if (ts > in->tmax)
        in->tmax = ts;
    int64_t sid_db = site_id(in, site);
    if (sid_db < 0) {
        in->failed = 1;
        return -1;
    }
    int rc = alert ? on_alert(in, sid_db, ts) : on_flow(in, sid_db, ts, netflow);
    if (rc > 0)
        in->st.bad_lines++;
    if (rc < 0) {
        in->failed = 1;
        return -1;
    }
    return 0;
}

/* ---- imports ---- */

static void hexdigest(struct sha256_ctx *c, char out[65])
{
    struct sha256_ctx copy = *c;
    uint8_t dg[SHA256_DIGEST_SIZE];
    sha256_digest(&copy, sizeof dg, dg);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", dg[i]);
}

static int64_t site_of_import(mm_ingest *in, const char *fallback)
{
    const char *s = in->cfg.site ? in->cfg.site : fallback;
    return s && s[0] ? site_id(in, s) : -2;
}

/* sid_db < 0: under any site. */
static bool import_known(mm_ingest *in, int64_t sid_db, const char *kind, const char *key)
{
    mm_stmt_i64(in->find_import, 1, sid_db);
    mm_stmt_text(in->find_import, 2, kind);
    mm_stmt_text(in->find_import, 3, key);
    bool known = mm_stmt_step(in->find_import) == 1;
    mm_stmt_reset(in->find_import);
    return known;
}

static int import_add(mm_ingest *in, int64_t sid_db, const char *kind, const char *key,
                      const char *head, int64_t bytes, const char *source)
{
    mm_stmt *st = in->add_import;
    mm_stmt_i64(st, 1, sid_db);
    mm_stmt_text(st, 2, kind);
    mm_stmt_text(st, 3, key);
    mm_stmt_text(st, 4, head);
    mm_stmt_i64(st, 5, bytes);
    mm_stmt_i64(st, 6, (int64_t)in->in_events);
    mm_stmt_text(st, 7, source);
    mm_stmt_i64(st, 8, (int64_t)(mm_now_ns() / 1000));
    return mm_stmt_run(st);
}

static void say(mm_ingest *in, const char *path, const char *what)
{
    if (!in->cfg.quiet)
        fprintf(stderr, "%s: %s\n", path, what);
}

/* Undoes the input: its rows, its flow sums, and site ids it may have
 * created (the cache would otherwise name rows that were rolled back). */
static void rollback(mm_ingest *in)
{
    /* the events of an input that is not imported count nowhere */
    in->st.alerts = in->snap.alerts;
    in->st.flows = in->snap.flows;
    in->st.other = in->snap.other;
    in->st.bad_lines = in->snap.bad_lines;
    in->st.log_records = in->snap.log_records;
    in->st.log_skipped = in->snap.log_skipped;
    mm_db_rollback(in->db);
    drop_flows(in);
    mm_logfacts_drop(in->lf);
    mm_obs_drop(in->obs);
    mm_archive_drop(in->arch);
    mm_strmap_free(&in->sites);
    mm_strmap_init(&in->sites);
    forget_alerted(in);
}

static void say_why(mm_ingest *in, const char *path, const char *what, const char *why)
{
    if (!in->cfg.quiet)
        fprintf(stderr, "%s: %s: %s\n", path, what, why);
}

static int begin(mm_ingest *in)
{
    in->snap = in->st;
    in->in_events = 0;
    in->tmin = INT64_MAX;
    in->tmax = INT64_MIN;
    in->failed = 0;
    drop_flows(in);
    mm_logfacts_drop(in->lf);
    mm_obs_drop(in->obs);
    mm_archive_drop(in->arch);
    return mm_db_begin(in->db);
}

static int finish(mm_ingest *in)
{
    if (in->failed || flush_flows(in) != 0 || mm_logfacts_flush(in->lf) != 0 ||
        mm_obs_flush(in->obs) != 0)
        return -1;
    if (in->tmax >= in->tmin) {
        mm_stmt_i64(in->span_first, 1, in->tmin);
        mm_stmt_i64(in->span_last, 1, in->tmax);
        if (mm_stmt_run(in->span_first) != 0 || mm_stmt_run(in->span_last) != 0)
            return -1;
    }
    return 0;
}

/* The store's commit, then the archive's (which only appends once the
 * store has the import: a failure there loses detail, never a row). */
static int commit(mm_ingest *in)
{
    if (mm_db_commit(in->db) != 0)
        return -1;
    char e[512];
    if (mm_archive_commit(in->arch, e, sizeof e) != 0)
        fprintf(stderr, "mimamori ingest: %s (the events of this input are not archived)\n", e);
    return 0;
}

static int store_fail(mm_ingest *in, const char *path, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: store: %s", path, mm_db_error(in->db));
    rollback(in);
    return -1;
}

static bool is_segment(const unsigned char *p, size_t n)
{
    static const char plain[] = "{\"mimamori_segment\":";
    return (n >= 8 && memcmp(p, "MMSEAL01", 8) == 0) ||
           (n >= 4 && p[0] == 0x28 && p[1] == 0xB5 && p[2] == 0x2F && p[3] == 0xFD) ||
           (n >= sizeof plain - 1 && memcmp(p, plain, sizeof plain - 1) == 0);
}

static int import_segment(mm_ingest *in, const char *path, const unsigned char *data, size_t n,
                          char *err, size_t errlen)
{
    struct sha256_ctx c;
    char fkey[65], key[400], serr[256];
    sha256_init(&c);
    sha256_update(&c, n, data);
    hexdigest(&c, fkey);
    /* the site is known once the header is read; the file key is checked per site */
    if (begin(in) != 0)
        return store_fail(in, path, err, errlen);
    mm_seg_info info;
    memset(&info, 0, sizeof info);
    /* A quick look for the file key (under the given site, or any when the
     * segment names its own) avoids reading the segment again. */
    int64_t fs = in->cfg.site ? site_id(in, in->cfg.site) : -1;
    if (in->cfg.site && fs < 0)
        return store_fail(in, path, err, errlen);
    if (import_known(in, fs, "file", fkey)) {
        rollback(in);
        in->st.already++;
        say(in, path, "already imported");
        return 0;
    }
    in->seg_site = info.site;
    /* Lines go in as they are read; the header's site is filled before the
     * first line. */
    int rc = mm_seg_read_mem(data, n, in->cfg.pk, in->cfg.sk, on_line, in, &info, serr,
                             sizeof serr);
    in->seg_site = NULL;
    if (in->failed)
        return store_fail(in, path, err, errlen);
    if (rc != 0) {
        rollback(in);
        in->st.damaged++;
        say_why(in, path, "damaged, skipped", serr);
        return 1;
    }
    int64_t s = site_of_import(in, info.site);
    if (s == -2) {
        rollback(in);
        in->st.damaged++;
        say(in, path, "no site in the segment: give --site");
        return 1;
    }
    snprintf(key, sizeof key, "%s/%llu/%s", info.sensor, (unsigned long long)info.seq,
             info.sha256);
    if (s < 0)
        return store_fail(in, path, err, errlen);
    if (import_known(in, s, "segment", key)) {
        rollback(in);
        in->st.already++;
        say(in, path, "already imported");
        return 0;
    }
    if (finish(in) != 0 || import_add(in, s, "segment", key, NULL, (int64_t)n, path) != 0 ||
        import_add(in, s, "file", fkey, NULL, (int64_t)n, path) != 0 || commit(in) != 0)
        return store_fail(in, path, err, errlen);
    in->st.imported++;
    in->st.events += in->in_events;
    if (!in->cfg.quiet)
        fprintf(stderr, "%s: imported %llu events%s\n", path, (unsigned long long)in->in_events,
                info.recovered ? " (segment recovered after a crash)" : "");
    return 0;
}

/* The longest earlier import of this file's content: the bytes to skip. */
static int64_t resume_point(mm_ingest *in, int64_t sid_db, const unsigned char *data, size_t n,
                            const char *head)
{
    int64_t best = 0;
    mm_stmt *st = in->heads;
    mm_stmt_i64(st, 1, sid_db);
    mm_stmt_text(st, 2, head);
    while (mm_stmt_step(st) == 1) {
        int64_t b = mm_col_i64(st, 0);
        const char *key = mm_col_text(st, 1);
        if (b <= best || b <= 0 || (uint64_t)b > n)
            continue;
        struct sha256_ctx c;
        char hex[65];
        sha256_init(&c);
        sha256_update(&c, (size_t)b, data);
        hexdigest(&c, hex);
        if (strcmp(hex, key) == 0)
            best = b;
    }
    mm_stmt_reset(st);
    return best;
}

static int import_eve(mm_ingest *in, const char *path, const unsigned char *data, size_t n,
                      char *err, size_t errlen)
{
    /* whole lines only: a line being written now waits for the next import */
    size_t usable = n;
    while (usable && data[usable - 1] != '\n')
        usable--;
    if (usable == 0) {
        in->st.already++;
        say(in, path, "no complete line yet");
        return 0;
    }
    struct sha256_ctx c;
    char head[65], key[65];
    /* head: the first line (at most HEAD_BYTES), which stays the same as
     * the file grows */
    const unsigned char *nl1 = memchr(data, '\n', usable);
    size_t hl = (size_t)(nl1 - data) + 1;
    sha256_init(&c);
    sha256_update(&c, hl < HEAD_BYTES ? hl : HEAD_BYTES, data);
    hexdigest(&c, head);
    if (begin(in) != 0)
        return store_fail(in, path, err, errlen);
    char sbuf[128] = "";
    if (!in->cfg.site) {
        /* the first event's mimamori.site names the company of the file */
        const unsigned char *nl = memchr(data, '\n', usable);
        if (jr_parse(&in->doc, (const char *)data, (size_t)(nl - data)) == 0)
            jr_path_str(&in->doc, "mimamori.site", sbuf, sizeof sbuf);
    }
    int64_t s = site_of_import(in, sbuf);
    if (s == -2) {
        rollback(in);
        in->st.damaged++;
        say(in, path, "no site named in the events: give --site");
        return 1;
    }
    if (s < 0)
        return store_fail(in, path, err, errlen);
    int64_t from = resume_point(in, s, data, usable, head);
    if ((size_t)from == usable) {
        rollback(in);
        in->st.already++;
        say(in, path, "already imported");
        return 0;
    }
    const char *p = (const char *)data + from, *end = (const char *)data + usable;
    while (p < end && !in->failed) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        on_line(in, p, (size_t)(nl - p));
        p = nl + 1;
    }
    sha256_init(&c);
    sha256_update(&c, usable, data);
    hexdigest(&c, key);
    if (finish(in) != 0 || import_add(in, s, "eve", key, head, (int64_t)usable, path) != 0 ||
        commit(in) != 0)
        return store_fail(in, path, err, errlen);
    in->st.imported++;
    in->st.events += in->in_events;
    if (!in->cfg.quiet)
        fprintf(stderr, "%s: imported %llu events%s\n", path, (unsigned long long)in->in_events,
                from ? " (new lines since the last import)" : "");
    return 0;
}

/* ---- gateway log files ---- */

#define MAX_RESUME 64           /* earlier imports of one head looked at */

typedef struct resume_cand {
    uint64_t bytes;
    char key[65];
} resume_cand;

static int by_bytes(const void *a, const void *b)
{
    const resume_cand *x = a, *y = b;
    return x->bytes < y->bytes ? -1 : x->bytes > y->bytes;
}

typedef struct log_scan {
    char head[65], key[65];
    uint64_t usable, resume, total;
    bool damaged;              /* the compressed data ends early */
} log_scan;

/* The first pass over a log file's (decompressed) content: head (the
 * SHA-256 of its first line, at most HEAD_BYTES), the length up to its last
 * newline and that prefix's SHA-256 (key), and the longest earlier import
 * of the same content (resume), all by streaming: memory does not grow with
 * the file. Rotated copies (.1, .gz) of what was imported are thus known by
 * content, whatever their names. */
static int scan_log(mm_ingest *in, int64_t site, const char *path, log_scan *sc, char *why,
                    size_t whylen)
{
    memset(sc, 0, sizeof *sc);
    gzFile z = gzopen(path, "rb");
    if (!z) {
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    gzbuffer(z, 256 * 1024);
    enum { CHUNK = 256 * 1024 };
    unsigned char *buf = malloc(CHUNK);
    resume_cand *cand = calloc(MAX_RESUME, sizeof *cand);
    if (!buf || !cand) {
        free(buf);
        free(cand);
        gzclose(z);
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    struct sha256_ctx ctx, at_nl;
    sha256_init(&ctx);
    sha256_init(&at_nl);
    size_t nc = 0, ci = 0;
    bool first = true;
    uint64_t off = 0;
    for (;;) {
        int k = gzread(z, buf, CHUNK);
        if (k <= 0) {
            int zerr = Z_OK;
            gzerror(z, &zerr);
            if (k < 0 || (zerr != Z_OK && zerr != Z_STREAM_END))
                sc->damaged = true;
            break;
        }
        if (first) {
            /* the head, and the earlier imports that began with it */
            first = false;
            const unsigned char *nl = memchr(buf, '\n', (size_t)k);
            size_t hl = nl ? (size_t)(nl - buf) + 1 : (size_t)k;
            struct sha256_ctx h;
            sha256_init(&h);
            sha256_update(&h, hl < HEAD_BYTES ? hl : HEAD_BYTES, buf);
            hexdigest(&h, sc->head);
            mm_stmt *st = in->log_heads;
            mm_stmt_i64(st, 1, site);
            mm_stmt_text(st, 2, sc->head);
            while (mm_stmt_step(st) == 1 && nc < MAX_RESUME) {
                int64_t b = mm_col_i64(st, 0);
                if (b <= 0)
                    continue;
                cand[nc].bytes = (uint64_t)b;
                mm_strcpy(cand[nc].key, sizeof cand[nc].key, mm_col_text(st, 1));
                nc++;
            }
            mm_stmt_reset(st);
            mm_sort(cand, nc, sizeof *cand, by_bytes);
        }
        /* feed the chunk, stopping at each earlier import's end and after
         * the chunk's last newline */
        const unsigned char *lastnl = NULL;
        for (const unsigned char *q = buf + k; q > buf;)
            if (*--q == '\n') {
                lastnl = q;
                break;
            }
        uint64_t nl_at = lastnl ? off + (uint64_t)(lastnl - buf) + 1 : 0;
        size_t done = 0;
        for (;;) {
            uint64_t next = off + (uint64_t)k;
            bool is_cand = false, is_nl = false;
            while (ci < nc && cand[ci].bytes <= off + done)
                ci++;
            if (ci < nc && cand[ci].bytes < next) {
                next = cand[ci].bytes;
                is_cand = true;
            }
            if (lastnl && nl_at > off + done && nl_at <= next) {
                if (nl_at < next)
                    is_cand = false;
                next = nl_at;
                is_nl = true;
            }
            if (ci < nc && cand[ci].bytes == next)
                is_cand = true;
            sha256_update(&ctx, (size_t)(next - off - done), buf + done);
            done = (size_t)(next - off);
            if (is_cand) {
                char hex[65];
                hexdigest(&ctx, hex);
                for (size_t j = ci; j < nc && cand[j].bytes == next; j++)
                    if (strcmp(hex, cand[j].key) == 0 && next > sc->resume)
                        sc->resume = next;
            }
            if (is_nl) {
                at_nl = ctx;
                sc->usable = nl_at;
            }
            if (done >= (size_t)k)
                break;
        }
        off += (uint64_t)k;
    }
    sc->total = off;
    hexdigest(&at_nl, sc->key);
    free(buf);
    free(cand);
    gzclose(z);
    /* an import that stopped inside a line of this content cannot be */
    if (sc->resume > sc->usable)
        sc->resume = 0;
    return 0;
}

typedef struct log_pass {
    mm_ingest *in;
    int64_t site;
} log_pass;

static int on_log_rec(void *user, const mm_logrec *r, const mm_logctx *cx)
{
    log_pass *lp = user;
    (void)cx;
    lp->in->in_events++;
    return log_record(lp->in, lp->site, r) != 0;
}

static int import_log(mm_ingest *in, const char *path, char *err, size_t errlen)
{
    if (!in->cfg.site) {
        in->st.damaged++;
        say(in, path, "a log file names no company: give --site");
        return 1;
    }
    if (begin(in) != 0)
        return store_fail(in, path, err, errlen);
    int64_t s = site_id(in, in->cfg.site);
    if (s < 0)
        return store_fail(in, path, err, errlen);
    log_scan sc;
    char why[256];
    if (scan_log(in, s, path, &sc, why, sizeof why) != 0) {
        rollback(in);
        in->st.damaged++;
        say_why(in, path, "cannot read", why);
        return 1;
    }
    if (sc.usable == 0) {
        rollback(in);
        in->st.already++;
        say(in, path, sc.total ? "no complete line yet" : "empty");
        return 0;
    }
    if (sc.resume == sc.usable) {
        rollback(in);
        in->st.already++;
        say(in, path, "already imported");
        return 0;
    }
    mm_logopt opt = {0};
    opt.format = in->cfg.log_format;
    opt.year = in->cfg.log_year;
    opt.tz = in->cfg.log_tz;
    opt.quiet = in->cfg.quiet;
    opt.quote_max = 3;
    opt.skip_bytes = sc.resume;
    opt.stop_bytes = sc.usable;
    log_pass lp = {in, s};
    mm_logstats ls = {0};
    int rc = mm_logs_read_file(path, &opt, on_log_rec, &lp, &ls, why, sizeof why);
    if (in->failed)
        return store_fail(in, path, err, errlen);
    if (rc == 1) {
        rollback(in);
        if (ls.bad_files && !ls.files && strstr(why, "not a log format")) {
            in->st.unknown++;
            say(in, path, "not a format mimamori knows, passed over");
            return 0;
        }
        in->st.damaged++;
        say_why(in, path, "cannot read", why);
        return 1;
    }
    if (finish(in) != 0 ||
        import_add(in, s, "log", sc.key, sc.head, (int64_t)sc.usable, path) != 0 ||
        commit(in) != 0)
        return store_fail(in, path, err, errlen);
    in->st.imported++;
    in->st.log_files++;
    in->st.events += in->in_events;
    in->st.log_skipped += ls.skipped + ls.malformed;
    if (!in->cfg.quiet)
        fprintf(stderr, "%s: imported %llu log records%s%s\n", path,
                (unsigned long long)in->in_events,
                sc.resume ? " (new lines since the last import)" : "",
                sc.damaged ? " (the compressed data ends early: read up to there)" : "");
    return 0;
}

/* Is this the first line of an EVE file (a JSON object with an
 * event_type)? Zeek's JSON logs are objects too, without one. */
static bool is_eve(mm_ingest *in, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i >= n || p[i] != '{')
        return false;
    const unsigned char *nl = memchr(p + i, '\n', n - i);
    size_t len = nl ? (size_t)(nl - (p + i)) : n - i;
    if (jr_parse(&in->doc, (const char *)p + i, len) != 0)
        return true;          /* JSON-looking but broken: EVE's bad lines */
    return jr_member(&in->doc, 0, "event_type") >= 0;
}

int mm_ingest_inventory(mm_ingest *in, const char *site, const char *path, char *err,
                        size_t errlen)
{
    if (mm_db_begin(in->db) != 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(in->db));
        return -1;
    }
    int64_t s = site_id(in, site);
    if (s < 0 || mm_logfacts_inventory(in->lf, s, path, err, errlen) != 0 ||
        commit(in) != 0) {
        if (s < 0)
            snprintf(err, errlen, "store: %s", mm_db_error(in->db));
        mm_db_rollback(in->db);
        mm_strmap_free(&in->sites);
        mm_strmap_init(&in->sites);
        return -1;
    }
    return 0;
}

/* ---- mail messages (.eml, mbox, Maildir files) ---- */

/* One mail file: its messages become "mail" events read by on_line, in one
 * transaction, recorded as kind 'mail' keyed by the SHA-256 of the file's
 * bytes (a Maildir message keeps its content when it moves from new/ to
 * cur/, so it is not imported twice). An mbox that has grown since an
 * earlier import is read from the "From " line where that import ended:
 * the SHA-256 of the content before each "From " line is looked up among
 * the mail imports. */
/* An input opened and its size taken; -1 (counted as damaged, said why)
 * when it cannot be. */
static int open_input(mm_ingest *in, const char *path, struct stat *sb)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, sb) != 0) {
        in->st.damaged++;
        say_why(in, path, "cannot read", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int import_mail(mm_ingest *in, const char *path, bool maildir_file, char *err,
                       size_t errlen)
{
    in->st.inputs += maildir_file;    /* import_file counted the others */
    if (!in->cfg.site) {
        in->st.damaged++;
        say(in, path, "a mail file names no company: give --site");
        return 1;
    }
    struct stat sb;
    int fd = open_input(in, path, &sb);
    if (fd < 0)
        return 1;
    if (sb.st_size <= 0) {
        close(fd);
        in->st.already++;
        say(in, path, "empty");
        return 0;
    }
    enum { CHUNK = 256 * 1024, KEEP = 5 };
    unsigned char *buf = malloc(CHUNK + KEEP);
    if (!buf) {
        close(fd);
        in->st.damaged++;
        say(in, path, "out of memory");
        return 1;
    }
    if (begin(in) != 0) {
        free(buf);
        close(fd);
        return store_fail(in, path, err, errlen);
    }
    int64_t s = site_id(in, in->cfg.site);
    if (s < 0) {
        free(buf);
        close(fd);
        return store_fail(in, path, err, errlen);
    }
    /* Streamed (memory does not grow with the file): the bytes not yet
     * hashed (at most KEEP) stay at the head of buf, so a "\nFrom " across
     * two reads is seen. */
    char key[65], hex[65];
    struct sha256_ctx c;
    sha256_init(&c);
    uint64_t fed = 0, resume = 0, n = 0;
    size_t carry = 0;
    bool mbox = false;
    int bad = 0;
    for (;;) {
        ssize_t k = read(fd, buf + carry, CHUNK);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            bad = errno;
        if (k <= 0)
            break;
        if (n == 0)
            mbox = !maildir_file && k >= 5 && memcmp(buf, "From ", 5) == 0;
        n += (uint64_t)k;
        size_t len = carry + (size_t)k;                 /* buf holds [fed, fed + len) */
        size_t at = 0;                                  /* hashed up to buf + at */
        for (const unsigned char *q = buf; mbox && (q = memmem(q, len - (size_t)(q - buf),
                                                                 "\nFrom ", 6)); q++) {
            size_t line = (size_t)(q - buf) + 1;
            sha256_update(&c, line - at, buf + at);
            at = line;
            hexdigest(&c, hex);
            if (import_known(in, s, "mail", hex))
                resume = fed + line;
        }
        size_t upto = len > KEEP ? len - KEEP : 0;
        if (upto > at) {
            sha256_update(&c, upto - at, buf + at);
            at = upto;
        }
        carry = len - at;
        memmove(buf, buf + at, carry);
        fed += at;
    }
    sha256_update(&c, carry, buf);
    hexdigest(&c, key);
    free(buf);
    close(fd);
    if (bad) {
        rollback(in);
        in->st.damaged++;
        say_why(in, path, "cannot read", strerror(bad));
        return 1;
    }
    if (import_known(in, s, "mail", key)) {
        rollback(in);
        in->st.already++;
        say(in, path, "already imported");
        return 0;
    }
    /* the bytes hashed, no more: a message appended meanwhile waits */
    mm_mailmsg_opts o = {.site = in->cfg.site, .maildir_file = maildir_file,
                         .skip_bytes = resume, .stop_bytes = n};
    mm_mailmsg_stats ms = {0};
    char why[512];
    int rc = mm_mailmsg_read_path(path, &o, on_line, in, &ms, why, sizeof why);
    if (in->failed || rc < 0)
        return store_fail(in, path, err, errlen);
    if (rc != 0) {
        rollback(in);
        in->st.damaged++;
        say_why(in, path, "cannot read", why);
        return 1;
    }
    if (finish(in) != 0 || import_add(in, s, "mail", key, NULL, (int64_t)n, path) != 0 ||
        commit(in) != 0)
        return store_fail(in, path, err, errlen);
    in->st.imported++;
    in->st.events += in->in_events;
    if (!in->cfg.quiet)
        fprintf(stderr, "%s: imported %llu mail messages%s%s\n", path,
                (unsigned long long)ms.messages,
                resume ? " (new messages since the last import)" : "",
                ms.too_large ? " (some over the size limit, passed over)" : "");
    return 0;
}

/* A Maildir folder: the files of cur/ and new/ (tmp/ holds deliveries
 * being written), each a message. */
static int import_maildir(mm_ingest *in, const char *path, char *err, size_t errlen)
{
    static const char *const subs[] = {"cur", "new"};
    int worst = 0;
    for (int i = 0; i < 2 && worst >= 0; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", path, subs[i]);
        struct dirent **names = NULL;
        int nn = scandir(dir, &names, NULL, alphasort);
        for (int k = 0; k < nn; k++) {
            char f[4096];
            struct stat sb;
            if (worst >= 0 && names[k]->d_name[0] != '.' &&
                (size_t)snprintf(f, sizeof f, "%s/%s", dir, names[k]->d_name) < sizeof f &&
                stat(f, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
                int rc = import_mail(in, f, true, err, errlen);
                if (rc < 0 || rc > worst)
                    worst = rc;
            }
            free(names[k]);
        }
        free(names);
    }
    return worst;
}

static int import_file(mm_ingest *in, const char *path, char *err, size_t errlen)
{
    in->st.inputs++;
    struct stat sb;
    int fd = open_input(in, path, &sb);
    if (fd < 0)
        return 1;
    size_t n = (size_t)sb.st_size;
    if (n == 0) {
        close(fd);
        in->st.already++;
        say(in, path, "empty");
        return 0;
    }
    void *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        in->st.damaged++;
        say_why(in, path, "cannot read", strerror(errno));
        return 1;
    }
    /* neither a segment nor EVE JSON: a log file (gzip ones included) */
    const unsigned char *u = m;
    bool gz = n >= 2 && u[0] == 0x1f && u[1] == 0x8b;
    if (gz || (!is_segment(m, n) && !is_eve(in, m, n))) {
        bool mail = !gz && mm_mailmsg_is_mail(path, u, n < HEAD_BYTES ? n : HEAD_BYTES);
        munmap(m, n);
        return mail ? import_mail(in, path, false, err, errlen)
                    : import_log(in, path, err, errlen);
    }
    int rc = is_segment(m, n) ? import_segment(in, path, m, n, err, errlen)
                              : import_eve(in, path, m, n, err, errlen);
    munmap(m, n);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(mm_ingest *in, const char *path, int depth, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        in->st.inputs++;
        in->st.damaged++;
        say_why(in, path, "cannot read", strerror(errno));
        return 1;
    }
    if (!S_ISDIR(sb.st_mode))
        return S_ISREG(sb.st_mode) ? import_file(in, path, err, errlen) : 0;
    if (mm_mailmsg_is_maildir(path))
        return import_maildir(in, path, err, errlen);
    if (depth >= MAX_DEPTH)
        return 0;
    DIR *dir = opendir(path);
    if (!dir) {
        in->st.damaged++;
        say_why(in, path, "cannot read", strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.')     /* ., .., .open (segments being written), .state */
            continue;
        if (nn == cap) {
            cap = cap ? cap * 2 : 64;
            char **v = realloc(names, cap * sizeof(*v));
            if (!v)
                break;
            names = v;
        }
        names[nn] = strdup(de->d_name);
        if (names[nn])
            nn++;
    }
    closedir(dir);
    if (nn)
        mm_sort(names, nn, sizeof(*names), cmp_names);
    int worst = 0;
    for (size_t i = 0; i < nn; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, names[i]);
        int rc = worst < 0 ? -1 : walk(in, sub, depth + 1, err, errlen);
        if (rc < 0 || (rc > worst && worst >= 0))
            worst = rc;
        free(names[i]);
    }
    free(names);
    return worst;
}

int mm_ingest_path(mm_ingest *in, const char *path, char *err, size_t errlen)
{
    return walk(in, path, 0, err, errlen);
}

/* ---- retention ---- */

int mm_ingest_compact(mm_ingest *in, char *err, size_t errlen)
{
    if (!in->obs)
        return 0;
    if (mm_db_begin(in->db) != 0 || mm_obs_compact(in->obs) != 0 || mm_db_commit(in->db) != 0) {
        snprintf(err, errlen, "store: hunting index: %s", mm_db_error(in->db));
        mm_db_rollback(in->db);
        return -1;
    }
    return 0;
}

int mm_ingest_retention(mm_ingest *in, char *err, size_t errlen)
{
    static const char *const sql[] = {
        "DELETE FROM alerts WHERE ts < (SELECT MAX(ts) FROM alerts) -"
        " (SELECT days FROM retention WHERE tbl = 'alerts') * 86400000000",
        "DELETE FROM flows_day WHERE day < (SELECT MAX(day) FROM flows_day) -"
        " (SELECT days FROM retention WHERE tbl = 'flows')",
        "DELETE FROM countries_day WHERE day < (SELECT MAX(day) FROM countries_day) -"
        " (SELECT days FROM retention WHERE tbl = 'flows')",
        "DELETE FROM peers WHERE last_ts < (SELECT MAX(last_ts) FROM peers) -"
        " (SELECT days FROM retention WHERE tbl = 'flows') * 86400000000",
        /* the web server's files go with the alerts, its access paths with
         * the flows */
        "DELETE FROM host_files WHERE ts < (SELECT MAX(ts) FROM host_files) -"
        " (SELECT days FROM retention WHERE tbl = 'alerts') * 86400000000",
        "DELETE FROM web_paths WHERE last_ts < (SELECT MAX(last_ts) FROM web_paths) -"
        " (SELECT days FROM retention WHERE tbl = 'flows') * 86400000000",
        "DELETE FROM web_admin WHERE last_ts < (SELECT MAX(last_ts) FROM web_admin) -"
        " (SELECT days FROM retention WHERE tbl = 'flows') * 86400000000",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
        if (mm_db_exec(in->db, sql[i]) != 0) {
            snprintf(err, errlen, "store: %s", mm_db_error(in->db));
            return -1;
        }
    return 0;
}

/* ---- life ---- */

mm_ingest *mm_ingest_new(mm_db *db, const mm_ingest_cfg *cfg, char *err, size_t errlen)
{
    mm_ingest *in = calloc(1, sizeof(*in));
    if (!in) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    in->db = db;
    in->cfg = *cfg;
    jr_init(&in->doc, 0);
    mm_strmap_init(&in->sites);
    mm_strmap_init(&in->alerted);
    mm_strmap_init(&in->alerted_sites);
    mm_strmap_init(&in->svc_flows);
    mm_hashkey_random(&in->hk);
    mm_netlist_parse(&in->defhome, MM_DEFAULT_HOME_NET, err, errlen);
    if (mm_store_init(db) != 0)
        goto fail;
    in->ins_alert = mm_db_prepare(db,
        "INSERT INTO alerts (site_id, ts, sensor, gid, sid, rev, signature, category, severity,"
        " family, explain, proto, app_proto, src_ip, src_port, dest_ip, dest_port, direction,"
        " local_ip, remote_ip, remote_cc, remote_public, flow_id, local_cc) VALUES ($1, $2, $3,"
        " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,"
        " $22, $23, $24)");
    /* the newest stats event of a sensor wins (an older segment imported
     * later leaves it) */
    in->up_health = mm_db_prepare(db,
        "INSERT INTO sensor_health (site_id, sensor, ts, uptime, pkts, kernel_pkts, kernel_drops,"
        " if_drops, memcap_drops, write_errors, rules_loaded, rules_failed, rules_ts, reloads,"
        " reload_failures, reload_error, disk_free, disk_total) VALUES ($1, $2, $3, $4, $5, $6,"
        " $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        " ON CONFLICT (site_id, sensor) DO UPDATE SET ts = excluded.ts,"
        " uptime = excluded.uptime, pkts = excluded.pkts, kernel_pkts = excluded.kernel_pkts,"
        " kernel_drops = excluded.kernel_drops, if_drops = excluded.if_drops,"
        " memcap_drops = excluded.memcap_drops, write_errors = excluded.write_errors,"
        " rules_loaded = excluded.rules_loaded, rules_failed = excluded.rules_failed,"
        " rules_ts = excluded.rules_ts, reloads = excluded.reloads,"
        " reload_failures = excluded.reload_failures, reload_error = excluded.reload_error,"
        " disk_free = excluded.disk_free, disk_total = excluded.disk_total"
        " WHERE excluded.ts >= sensor_health.ts");
    in->up_file = mm_db_prepare(db,
        "INSERT INTO host_files (site_id, host, root, path, ts, action, size, sha256, kind,"
        " severity, sid, reasons, explain) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
        " $11, $12, $13) ON CONFLICT (site_id, host, root, path, ts, action) DO UPDATE SET"
        " size = COALESCE(excluded.size, host_files.size),"
        " sha256 = COALESCE(excluded.sha256, host_files.sha256),"
        " kind = COALESCE(excluded.kind, host_files.kind),"
        " severity = COALESCE(excluded.severity, host_files.severity),"
        " sid = COALESCE(excluded.sid, host_files.sid),"
        " reasons = COALESCE(excluded.reasons, host_files.reasons),"
        " explain = COALESCE(excluded.explain, host_files.explain)");
    in->up_flow = mm_db_prepare(db,
        "INSERT INTO flows_day (site_id, day, local_ip, remote_ip, direction, remote_cc,"
        " remote_public, app_proto, dest_port, flows, pkts_in, pkts_out, bytes_in, bytes_out,"
        " first_ts, last_ts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
        " $14, $15, $16) ON CONFLICT (site_id, remote_ip, day, local_ip, direction) DO UPDATE"
        " SET flows = flows_day.flows + excluded.flows,"
        " pkts_in = flows_day.pkts_in + excluded.pkts_in,"
        " pkts_out = flows_day.pkts_out + excluded.pkts_out,"
        " bytes_in = flows_day.bytes_in + excluded.bytes_in,"
        " bytes_out = flows_day.bytes_out + excluded.bytes_out,"
        " app_proto = COALESCE(flows_day.app_proto, excluded.app_proto),"
        " first_ts = CASE WHEN excluded.first_ts < flows_day.first_ts THEN excluded.first_ts"
        " ELSE flows_day.first_ts END,"
        " last_ts = CASE WHEN excluded.last_ts > flows_day.last_ts THEN excluded.last_ts"
        " ELSE flows_day.last_ts END");
    in->up_cc = mm_db_prepare(db,
        "INSERT INTO countries_day (site_id, day, cc, flows, pkts_in, pkts_out, bytes_in,"
        " bytes_out) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (site_id, day, cc)"
        " DO UPDATE SET flows = countries_day.flows + excluded.flows,"
        " pkts_in = countries_day.pkts_in + excluded.pkts_in,"
        " pkts_out = countries_day.pkts_out + excluded.pkts_out,"
        " bytes_in = countries_day.bytes_in + excluded.bytes_in,"
        " bytes_out = countries_day.bytes_out + excluded.bytes_out");
    in->up_peer = mm_db_prepare(db,
        "INSERT INTO peers (site_id, remote_ip, remote_cc, first_ts, last_ts, flows, unusual,"
        " pkts_in, pkts_out, bytes_in, bytes_out) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
        " $10, $11) ON CONFLICT (site_id, remote_ip) DO UPDATE"
        " SET flows = peers.flows + excluded.flows, unusual = peers.unusual + excluded.unusual,"
        " pkts_in = peers.pkts_in + excluded.pkts_in,"
        " pkts_out = peers.pkts_out + excluded.pkts_out,"
        " bytes_in = peers.bytes_in + excluded.bytes_in,"
        " bytes_out = peers.bytes_out + excluded.bytes_out,"
        " first_ts = CASE WHEN excluded.first_ts < peers.first_ts THEN excluded.first_ts"
        " ELSE peers.first_ts END,"
        " last_ts = CASE WHEN excluded.last_ts > peers.last_ts THEN excluded.last_ts"
        " ELSE peers.last_ts END");
    in->span_first = mm_db_prepare(db,
        "INSERT INTO span (k, v) VALUES ('first', $1) ON CONFLICT (k) DO UPDATE"
        " SET v = CASE WHEN excluded.v < span.v THEN excluded.v ELSE span.v END");
    in->span_last = mm_db_prepare(db,
        "INSERT INTO span (k, v) VALUES ('last', $1) ON CONFLICT (k) DO UPDATE"
        " SET v = CASE WHEN excluded.v > span.v THEN excluded.v ELSE span.v END");
    in->alert_peers = mm_db_prepare(db, "SELECT DISTINCT remote_ip FROM alerts WHERE site_id = $1");
    in->find_site = mm_db_prepare(db, "SELECT id FROM sites WHERE name = $1");
    in->add_site = mm_db_prepare(db,
        "INSERT INTO sites (name) VALUES ($1) ON CONFLICT (name) DO NOTHING");
    in->find_import = mm_db_prepare(db,
        "SELECT id FROM imports WHERE (site_id = $1 OR $1 < 0) AND kind = $2 AND key = $3");
    in->add_import = mm_db_prepare(db,
        "INSERT INTO imports (site_id, kind, key, head, bytes, events, source, imported)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    in->heads = mm_db_prepare(db,
        "SELECT bytes, key FROM imports WHERE site_id = $1 AND head = $2 AND kind = 'eve'");
    in->log_heads = mm_db_prepare(db,
        "SELECT bytes, key FROM imports WHERE site_id = $1 AND head = $2 AND kind = 'log'"
        " ORDER BY bytes DESC");
    in->lf = mm_logfacts_new(db, cfg->geo, cfg->home, cfg->lists, cfg->cat, err, errlen);
    in->obs = in->lf ? mm_obs_new(db) : NULL;
    if (in->obs && cfg->archive && !(in->arch = mm_archive_open(cfg->archive, err, errlen))) {
        mm_ingest_free(in);
        return NULL;
    }
    if (in->lf && !in->obs)
        snprintf(err, errlen, "store: %s", mm_db_error(db));
    if (!in->lf || !in->obs) {
        mm_ingest_free(in);
        return NULL;
    }
    if (!in->ins_alert || !in->up_file || !in->up_health || !in->up_flow || !in->up_cc || !in->up_peer || !in->alert_peers ||
        !in->span_first ||
        !in->span_last || !in->find_site || !in->add_site || !in->find_import ||
        !in->add_import || !in->heads || !in->log_heads)
        goto fail;
    return in;
fail:
    snprintf(err, errlen, "store: %s", mm_db_error(db));
    mm_ingest_free(in);
    return NULL;
}

void mm_ingest_stats_get(const mm_ingest *in, mm_ingest_stats *st)
{
    *st = in->st;
}

void mm_ingest_free(mm_ingest *in)
{
    if (!in)
        return;
    mm_stmt_free(in->ins_alert);
    mm_stmt_free(in->up_file);
    mm_stmt_free(in->up_health);
    mm_stmt_free(in->up_flow);
    mm_stmt_free(in->up_cc);
    mm_stmt_free(in->alert_peers);
    mm_stmt_free(in->span_first);
    mm_stmt_free(in->span_last);
    mm_stmt_free(in->up_peer);
    mm_stmt_free(in->find_site);
    mm_stmt_free(in->add_site);
    mm_stmt_free(in->find_import);
    mm_stmt_free(in->add_import);
    mm_stmt_free(in->heads);
    mm_stmt_free(in->log_heads);
    mm_logfacts_free(in->lf);
    mm_obs_free(in->obs);
    mm_archive_close(in->arch);
    jr_free(&in->doc);
    mm_strmap_free(&in->sites);
    mm_strmap_free(&in->alerted);
    mm_strmap_free(&in->alerted_sites);
    mm_strmap_free(&in->svc_flows);
    free(in->ftab);
    mm_netlist_free(&in->defhome);
    free(in->fv);
    free(in);
}
