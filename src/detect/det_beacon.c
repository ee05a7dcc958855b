/*
 * det_beacon.c - periodic check-ins (beaconing), and how far to believe
 * them.
 *
 * A regular rhythm alone is what every office sends all day: update
 * checks, chat presence, cloud sync, anti-virus signatures. So the score
 * (RITA's: regular intervals, regular small sizes) only finds candidates,
 * at severity 3; what raises one is evidence about the other end, each
 * piece one step (two or more: severity 1):
 *   - no name: HTTP to an address, TLS without a server name, or any
 *     connection to an address no DNS answer gave;
 *   - a dynamic-DNS name;
 *   - the server's certificate: self-signed, for another name than the
 *     one asked for, or issued in the last 30 days.
 * The big vendors' services (the "vendor" list: their domains, matched by
 * the name asked for or the certificate's names) are never candidates.
 */
#include "detect/det.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS 1000000000ULL
#define YOUNG_DAYS 30

/* --- the certificate -------------------------------------------------------- */

/* Does certificate name pat ("host" or "*.domain") cover name? */
static bool covers(const char *pat, size_t pl, const char *name)
{
    size_t nl = strlen(name);
    if (pl > 2 && pat[0] == '*' && pat[1] == '.') {
        const char *dot = strchr(name, '.');  /* the wildcard is one label */
        return dot && dot != name && (size_t)(name + nl - dot) == pl - 1 &&
               strncasecmp(dot, pat + 1, pl - 1) == 0;
    }
    return pl == nl && strncasecmp(pat, name, nl) == 0;
}

/* The CN of a subject as logged ("C=US, O=Org, CN=host"), or NULL. */
static const char *subject_cn(const char *subject, size_t *len)
{
    const char *p = subject;
    while ((p = strstr(p, "CN=")) != NULL) {
        if (p == subject || p[-1] == ' ') {
            p += 3;
            *len = strcspn(p, ",");
            return p;
        }
        p += 3;
    }
    return NULL;
}

/* Calls fn on each name the certificate covers (its CN and its DNS
 * alternative names), until fn says stop. */
static bool each_name(const mm_obs_tls_cert *o, bool (*fn)(const char *n, size_t l, void *u),
                      void *u)
{
    size_t l;
    const char *cn = subject_cn(o->subject, &l);
    if (cn && l && fn(cn, l, u))
        return true;
    for (const char *p = o->sans; *p;) {
        l = strcspn(p, ",");
        if (l && fn(p, l, u))
            return true;
        p += l;
        if (*p)
            p++;
    }
    return false;
}

static bool name_covers(const char *n, size_t l, void *u)
{
    return covers(n, l, u);
}

typedef struct {
    mm_detect *d;
    bool hit;
} vendor_q;

static bool name_vendor(const char *n, size_t l, void *u)
{
    vendor_q *q = u;
    char buf[256];
    if (l >= sizeof buf)
        return false;
    memcpy(buf, n, l);
    buf[l] = 0;
    const char *s = buf[0] == '*' && buf[1] == '.' ? buf + 2 : buf;
    return (q->hit = det_name_match(q->d, MM_LIST_VENDOR, s) != NULL);
}

/* "YYYY-MM-DDTHH:MM:SS" -> seconds since 1970 (false when not that). */
static bool iso_secs(const char *s, int64_t *out)
{
    int y, mo, dd, h, mi, se;
    if (strlen(s) < 19 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &dd, &h, &mi, &se) != 6 || mo < 1 ||
        mo > 12 || dd < 1 || dd > 31 || h > 23 || mi > 59 || se > 60)
        return false;
    *out = mm_days_from_civil(y, (unsigned)mo, (unsigned)dd) * 86400 + h * 3600 + mi * 60 + se;
    return true;
}

void det_beacon_cert(mm_detect *d, mm_flow *f, const mm_obs_tls_cert *o, uint64_t ts)
{
    det_flow *df = det_flow_get(f);
    if (!df)
        return;
    vendor_q q = {d, false};
    each_name(o, name_vendor, &q);
    if (q.hit)
        df->vendor = true;
    if (o->subject[0] && strcmp(o->subject, o->issuer) == 0)
        df->cert |= CERT_SELF_SIGNED;
    if (o->sni[0] && !each_name(o, name_covers, (void *)o->sni))
        df->cert |= CERT_OTHER_NAME;
    int64_t nb;
    if (iso_secs(o->notbefore, &nb) && (int64_t)(ts / NS) >= nb &&
        (int64_t)(ts / NS) - nb < YOUNG_DAYS * 86400)
        df->cert |= CERT_YOUNG;
}

/* --- the rhythm --------------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Quartiles of sorted v[0..n): Q1, median, Q3 (nearest rank). */
static void quartiles(const uint32_t *v, uint32_t n, double q[3])
{
    q[0] = v[n / 4];
    q[1] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + (double)v[n / 2]) / 2;
    q[2] = v[(3 * n) / 4 < n ? (3 * n) / 4 : n - 1];
}

/* Median absolute deviation about the median of sorted v. */
static double madm(const uint32_t *v, uint32_t n, double med)
{
    uint32_t dev[BEACON_CONNS];
    for (uint32_t i = 0; i < n; i++) {
        double x = v[i] > med ? v[i] - med : med - v[i];
        dev[i] = (uint32_t)(x + 0.5);
    }
    qsort(dev, n, sizeof dev[0], cmp_u32);
    return n % 2 ? dev[n / 2] : (dev[n / 2 - 1] + (double)dev[n / 2]) / 2;
}

/* How regular a series is, 0..1, as RITA scores beacons: a symmetric
 * spread (Bowley skewness near 0) and a small dispersion (MADM against a
 * scale: 30 s of jitter for intervals, 32 bytes for sizes). */
static double regularity(uint32_t *v, uint32_t n, double scale, double *median)
{
    qsort(v, n, sizeof v[0], cmp_u32);
    double q[3];
    quartiles(v, n, q);
    double skew = q[2] - q[0] > 0 && q[1] != q[0] && q[1] != q[2]
                      ? (q[2] + q[0] - 2 * q[1]) / (q[2] - q[0]) : 0;
    if (skew < 0)
        skew = -skew;
    double m = madm(v, n, q[1]) / scale;
    *median = q[1];
    return ((1 - (skew > 1 ? 1 : skew)) + (m > 1 ? 0 : 1 - m)) / 2;
}

/* --- corroboration ------------------------------------------------------------ */

enum { EV_NO_NAME = 1, EV_DDNS = 2 };   /* beside the CERT_* bits, shifted by 4 */

typedef struct {
    uint64_t n[4];
    const char *host;
    unsigned ev;
} beacon_ev;

static void beacon_json(mm_json *j, const void *arg)
{
    const beacon_ev *x = arg;
    static const char *const nk[4] = {"connections", "interval_ms", "median_bytes", "score"};
    for (int i = 0; i < 4; i++)
        mj_u64(j, nk[i], x->n[i]);
    if (x->host && x->host[0])
        mj_str(j, "host", x->host);
    mj_arr_open(j, "evidence");
    static const struct { unsigned bit; const char *why; } ev[] = {
        {EV_NO_NAME, "no name: straight to an address"},
        {EV_DDNS, "dynamic-DNS name"},
        {CERT_SELF_SIGNED << 4, "self-signed certificate"},
        {CERT_OTHER_NAME << 4, "certificate for another name"},
        {CERT_YOUNG << 4, "certificate issued in the last 30 days"},
    };
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
        if (x->ev & ev[i].bit)
            mj_str(j, NULL, ev[i].why);
    if (!x->ev)
        mj_str(j, NULL, "regular rhythm only");
    mj_arr_close(j);
}

void det_beacon(mm_detect *d, mm_flow *f)
{
    uint16_t p = f->sport;
    if ((f->proto != 6 && f->proto != 17) || p == 53 || p == 123 || p == 137 || p == 138 ||
        p == 5353 || p == 1900 || p == 67 || p == 68 || !det_home(d, &f->cli) ||
        (!d->p.beacon_internal && !det_external(d, &f->srv)))
        return;
    det_flow *df = f->det;
    const char *host = df ? df->host : "";
    if ((df && df->vendor) || det_name_match(d, MM_LIST_VENDOR, host))
        return;                             /* a big vendor's service */
    struct {
        uint8_t proto;
        uint16_t port;
        mm_ip a, b;
    } key;
    memset(&key, 0, sizeof key);
    key.proto = f->proto;
    key.port = p;
    key.a = f->cli;
    key.b = f->srv;
    uint64_t h = mm_siphash13(&d->hk, &key, sizeof key) | 1;
    /* four ways per set: a busy host's other servers do not push a
     * rhythm out (direct mapping lost one in a few dozen keys); the way
     * seen least lately makes room */
    beacon *set = &d->bc[(h % (BEACON_SLOTS / BEACON_WAYS)) * BEACON_WAYS], *b = NULL;
    for (int i = 0; i < BEACON_WAYS && !b; i++)
        if (set[i].key == h)
            b = &set[i];
    if (!b) {
        b = &set[0];
        for (int i = 1; i < BEACON_WAYS; i++)
            if (set[i].last < b->last)
                b = &set[i];
    }
    if (b->key != h || f->start_ns < b->base) {
        memset(b, 0, sizeof(*b));
        b->key = h;
        b->base = f->start_ns;
    }
    b->last = f->start_ns;
    uint64_t ms = (f->start_ns - b->base) / 1000000ULL;
    if (ms > UINT32_MAX)
        return;                             /* 49 days on: the slot waits for reuse */
    uint64_t bytes = f->bytes[0] + f->bytes[1];
    b->t_ms[b->n % BEACON_CONNS] = (uint32_t)ms;
    b->bytes[b->n % BEACON_CONNS] = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
    b->n++;
    /* evidence gathers over the connections (a resumed TLS session shows
     * no certificate; the first one did) */
    if (df) {
        b->ev |= (unsigned)df->cert << 4;
        if (det_name_match(d, MM_LIST_DDNS, host))
            b->ev |= EV_DDNS;
    }
    if (df ? df->bare_ip || (!df->host[0] && !det_resolved(d, &f->srv))
           : !det_resolved(d, &f->srv))
        b->ev |= EV_NO_NAME;
    if (b->fired || b->n < d->p.beacon_min_conns || b->n < 4)
        return;
    uint32_t n = b->n < BEACON_CONNS ? b->n : BEACON_CONNS;
    uint32_t t[BEACON_CONNS], iv[BEACON_CONNS], sz[BEACON_CONNS];
    memcpy(t, b->t_ms, n * sizeof t[0]);
    memcpy(sz, b->bytes, n * sizeof sz[0]);
    qsort(t, n, sizeof t[0], cmp_u32);
    for (uint32_t i = 1; i < n; i++)
        iv[i - 1] = t[i] - t[i - 1];
    double med_iv, med_sz;
    double ts_score = regularity(iv, n - 1, 30000.0, &med_iv);
    double ds_score = regularity(sz, n, 32.0, &med_sz);
    /* small messages are what beacons send: large ones weigh less */
    double small = med_sz >= 65535 ? 0 : 1 - med_sz / 65535;
    ds_score = (2 * ds_score + small) / 3;
    double score = (ts_score + ds_score) / 2;
    if (med_iv < 1000 || score * 100 < (double)d->p.beacon_score)
        return;                             /* bursts under a second are not a rhythm */
    b->fired = true;
    /* a self-signed certificate is usually for another name too: one piece */
    unsigned pieces = !!(b->ev & EV_NO_NAME) + !!(b->ev & EV_DDNS) +
                      !!(b->ev & ((CERT_SELF_SIGNED | CERT_OTHER_NAME) << 4)) +
                      !!(b->ev & (CERT_YOUNG << 4));
    int sev = pieces >= 2 ? 1 : pieces == 1 ? 2 : 3;
    beacon_ev x = {{b->n, (uint64_t)med_iv, (uint64_t)med_sz, (uint64_t)(score * 100 + 0.5)},
                   host, b->ev};
    det_alert_sev(d, f, SIG_C2_BEACON, sev, MM_TO_SERVER, f->last_ns, beacon_json, &x);
}
