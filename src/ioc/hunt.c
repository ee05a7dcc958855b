/*
 * hunt.c - hunting back through the hunting index (see hunt.h).
 *
 * One indicator is one range query on obs_month (kind, key): an address
 * is an exact key, a network the range of its first and last address (keys
 * are fixed-width hex), a domain its own key or the keys under it ("example.
 * evil" and "example.evil." up to "example.evil/", labels reversed), other
 * values an exact key. The months found are summed per company, value and
 * internal host, inside --from/--to (a month row counts when its first and
 * last times overlap the range), and each host is named from the DHCP
 * lease that covered it at its last sighting.
 */
#include "ioc/hunt.h"
#include "ioc/archive.h"
#include "ioc/iocdb.h"
#include "ioc/obs.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEASE_MAX_US (8LL * 86400 * 1000000)

typedef struct hunter {
    mm_db *db;
    const mm_hunt_opts *o;
    mm_stmt *q, *lease;
    int (*fn)(void *, const mm_hunt_hit *);
    void *user;
    mm_hunt_stats *st;
    int failed, stop;
} hunter;

/* The key range of an indicator: [lo, hi], and for a domain also
 * [lo2, hi2) (its subdomains). False when the type is not in the index. */
static bool range_of(const mm_ioc *c, mm_obs_kind *k, char *lo, char *hi, char *lo2, char *hi2,
                     size_t n)
{
    *k = mm_obs_kind_of(c->type);
    lo2[0] = hi2[0] = 0;
    if (*k == OBS__COUNT)
        return false;
    if (c->type == IOC_CIDR) {
        char a[64];
        const char *sl = strchr(c->value, '/');
        if (!sl || (size_t)(sl - c->value) >= sizeof a)
            return false;
        memcpy(a, c->value, (size_t)(sl - c->value));
        a[sl - c->value] = 0;
        mm_ip ip;
        int bits = atoi(sl + 1);
        if (!mm_ip_parse(a, &ip))
            return false;
        uint8_t m[16] = {0};
        int off = 0;
        if (ip.v == 4) {
            m[10] = m[11] = 0xff;
            memcpy(m + 12, ip.b, 4);
            off = 96;
        } else
            memcpy(m, ip.b, 16);
        uint8_t top[16];
        memcpy(top, m, 16);
        for (int b = off + bits; b < 128; b++)
            top[b / 8] |= (uint8_t)(0x80u >> (b % 8));
        for (int i = 0; i < 16; i++) {
            snprintf(lo + 2 * i, 3, "%02x", m[i]);
            snprintf(hi + 2 * i, 3, "%02x", top[i]);
        }
        return true;
    }
    size_t kl = mm_obs_key(*k, c->value, strlen(c->value), lo, n);
    if (!kl)
        return false;
    memcpy(hi, lo, kl + 1);
    if (*k == OBS_DOMAIN && kl + 2 <= n) {
        memcpy(lo2, lo, kl);
        memcpy(hi2, lo, kl);
        lo2[kl] = '.';
        hi2[kl] = '/';
        lo2[kl + 1] = hi2[kl + 1] = 0;
    }
    return true;
}

static void host_of(hunter *h, int64_t site_id, const char *ip, int64_t us, char *mac,
                    size_t macn, char *name, size_t namen)
{
    mac[0] = name[0] = 0;
    if (!h->lease || !ip[0])
        return;
    mm_stmt *st = h->lease;
    mm_stmt_i64(st, 1, site_id);
    mm_stmt_text(st, 2, ip);
    mm_stmt_i64(st, 3, us);
    if (mm_stmt_step(st) == 1 && strcmp(mm_col_text(st, 1), "ack") == 0) {
        int64_t ts = mm_col_i64(st, 3);
        int64_t until = mm_col_null(st, 4) ? ts + LEASE_MAX_US : mm_col_i64(st, 4);
        if (us <= until) {
            snprintf(mac, macn, "%s", mm_col_text(st, 0));
            snprintf(name, namen, "%s", mm_col_text(st, 2));
        }
    }
    mm_stmt_reset(st);
}

static int hunt_one(void *u, const mm_ioc *c)
{
    hunter *h = u;
    char lo[MM_IOC_VALUE_MAX + 4], hi[MM_IOC_VALUE_MAX + 4], lo2[MM_IOC_VALUE_MAX + 4],
        hi2[MM_IOC_VALUE_MAX + 4];
    mm_obs_kind k;
    h->st->indicators++;
    if (!range_of(c, &k, lo, hi, lo2, hi2, sizeof lo))
        return 0;
    mm_stmt *q = h->q;
    mm_stmt_i64(q, 1, (int64_t)k);
    mm_stmt_text(q, 2, lo);
    mm_stmt_text(q, 3, hi);
    mm_stmt_i64(q, 4, h->o->from ? h->o->from : INT64_MIN);
    mm_stmt_i64(q, 5, h->o->to ? h->o->to : INT64_MAX);
    mm_stmt_text(q, 6, lo2);
    mm_stmt_text(q, 7, hi2);
    mm_stmt_text(q, 8, h->o->site ? h->o->site : "");
    /* rows are read whole before the DHCP lookups run */
    typedef struct row {
        int64_t site_id, first, last, count;
        char *site, *seen, *host;
    } row;
    row *rows = NULL;
    size_t n = 0, cap = 0;
    int r;
    while ((r = mm_stmt_step(q)) == 1) {
        if (!mm_grow(&rows, &cap, n, sizeof *rows, 16)) {
            r = -1;
            break;
        }
        row *w = &rows[n++];
        w->site_id = mm_col_i64(q, 0);
        w->site = strdup(mm_col_text(q, 1));
        char seen[MM_IOC_VALUE_MAX + 1];
        mm_obs_key_value(k, mm_col_text(q, 2), seen, sizeof seen);
        w->seen = strdup(seen);
        w->host = strdup(mm_col_text(q, 3));
        w->first = mm_col_i64(q, 4);
        w->last = mm_col_i64(q, 5);
        w->count = mm_col_i64(q, 6);
        if (!w->site || !w->seen || !w->host)
            r = -1;
    }
    mm_stmt_reset(q);
    if (r < 0)
        h->failed = 1;
    if (n)
        h->st->indicators_hit++;
    for (size_t i = 0; i < n && !h->failed && !h->stop; i++) {
        char mac[64], name[256];
        host_of(h, rows[i].site_id, rows[i].host, rows[i].last, mac, sizeof mac, name,
                sizeof name);
        mm_hunt_hit hit = {
            .site = rows[i].site, .kind = mm_obs_kind_name(k), .seen = rows[i].seen,
            .indicator = c->value, .itype = mm_ioc_type_name(c->type),
            .set = c->set ? c->set : "", .desc = c->desc ? c->desc : "", .host = rows[i].host,
            .host_name = name, .host_mac = mac, .first = rows[i].first, .last = rows[i].last,
            .count = rows[i].count,
        };
        h->st->hits++;
        if (h->fn(h->user, &hit) != 0)
            h->stop = 1;
    }
    for (size_t i = 0; i < n; i++) {
        free(rows[i].site);
        free(rows[i].seen);
        free(rows[i].host);
    }
    free(rows);
    return h->failed || h->stop ? 1 : 0;
}

int mm_hunt(mm_db *db, const mm_hunt_opts *o, int (*fn)(void *user, const mm_hunt_hit *h),
            void *user, mm_hunt_stats *st, char *err, size_t errlen)
{
    mm_hunt_stats local = {0};
    if (!st)
        st = &local;
    hunter h = {.db = db, .o = o, .fn = fn, .user = user, .st = st};
    h.q = mm_db_prepare(db,
        /* two key ranges as a UNION ALL, each a range of the primary key
         * (an OR of ranges is a full scan of a table without rowid) */
        "SELECT x.site_id, s.name, x.key, x.host, MIN(x.f), MAX(x.l), SUM(x.c) FROM"
        " (SELECT site_id, key, host, first_ts AS f, last_ts AS l, count AS c FROM obs_month"
        " WHERE kind = $1 AND key >= $2 AND key <= $3 AND last_ts >= $4 AND first_ts <= $5"
        " UNION ALL SELECT site_id, key, host, first_ts, last_ts, count FROM obs_month"
        " WHERE kind = $1 AND key >= $6 AND key < $7 AND last_ts >= $4 AND first_ts <= $5) x"
        " JOIN sites s ON s.id = x.site_id WHERE ($8 = '' OR s.name = $8)"
        " GROUP BY x.site_id, s.name, x.key, x.host ORDER BY s.name, x.host, x.key");
    h.lease = mm_db_prepare(db,
        "SELECT mac, kind, hostname, ts, until_ts FROM dhcp_leases WHERE site_id = $1 AND"
        " ip = $2 AND ts <= $3 ORDER BY ts DESC LIMIT 1");
    if (!h.q) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        mm_stmt_free(h.lease);
        return -1;
    }
    int rc = 0;
    if (o->nvalues) {
        for (int i = 0; i < o->nvalues && !h.failed && !h.stop; i++) {
            char v[MM_IOC_VALUE_MAX + 1], why[128];
            mm_ioc_type t = IOC_NONE;
            if (!mm_ioc_normalise(&t, o->values[i], strlen(o->values[i]), v, sizeof v, why,
                                  sizeof why)) {
                fprintf(stderr, "mimamori hunt: %s: %s\n", o->values[i], why);
                st->refused++;
                continue;
            }
            mm_ioc c = {.type = t, .value = v, .confidence = -1, .to_ids = true};
            hunt_one(&h, &c);
        }
        if (st->refused == (uint64_t)o->nvalues) {
            snprintf(err, errlen, "no indicator among the values given");
            rc = -1;
        }
    } else if (mm_iocdb_each(db, o->set, 0, 0, hunt_one, &h, err, errlen) != 0)
        rc = -1;
    if (h.failed) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        rc = -1;
    }
    mm_stmt_free(h.q);
    mm_stmt_free(h.lease);
    return rc;
}

/* ---- the events behind a hit ---- */

typedef struct detail {
    unsigned left;
    int (*fn)(void *, const char *, size_t);
    void *user;
} detail;

static int detail_line(void *u, const char *line, size_t len)
{
    detail *d = u;
    if (d->left == 0)
        return 1;
    d->left--;
    return d->fn(d->user, line, len) != 0 || d->left == 0;
}

int mm_hunt_detail(mm_db *db, const mm_hunt_hit *h, unsigned max,
                   int (*fn)(void *user, const char *line, size_t len), void *user, bool *none,
                   char *err, size_t errlen)
{
    char dir[4096];
    *none = false;
    if (mm_archive_dir(db, NULL, dir, sizeof dir, err, errlen) != 0)
        return -1;
    if (!dir[0]) {
        *none = true;
        return 0;
    }
    /* what the event lines hold: an address as EVE writes it (IPv6 in
     * full), a URL's host and path apart (http.hostname, http.url) */
    char a[MM_IPSTR_LEN], host[256], path[MM_IOC_VALUE_MAX + 1], hostip[MM_IPSTR_LEN];
    const char *needles[4] = {0};
    int n = 0;
    mm_ip ip;
    if (strcmp(h->kind, "ip") == 0 && mm_ip_parse(h->seen, &ip)) {
        mm_ip_str_full(&ip, a);
        needles[n++] = a;
    } else if (strcmp(h->kind, "url") == 0) {
        const char *sl = strchr(h->seen, '/');
        size_t hl = sl ? (size_t)(sl - h->seen) : strlen(h->seen);
        snprintf(host, sizeof host, "%.*s", (int)(hl < sizeof host ? hl : sizeof host - 1),
                 h->seen);
        snprintf(path, sizeof path, "%s", sl ? sl : "/");
        needles[n++] = host;
        needles[n++] = path;
    } else
        needles[n++] = h->seen;
    if (h->host[0] && mm_ip_parse(h->host, &ip)) {
        mm_ip_str_full(&ip, hostip);
        needles[n++] = hostip;
    }
    detail d = {max ? max : 10, fn, user};
    return mm_archive_scan(dir, h->site, h->first, h->last, needles, detail_line, &d, err,
                           errlen);
}

/* ---- watched sets: findings for the reports ---- */

typedef struct keep {
    mm_stmt *ins;
    int64_t now;
    uint64_t n;
    int failed;
} keep;

static int keep_hit(void *u, const mm_hunt_hit *h)
{
    keep *k = u;
    mm_stmt *st = k->ins;
    mm_stmt_text(st, 1, h->set);
    mm_stmt_text(st, 2, h->itype);
    mm_stmt_text(st, 3, h->indicator);
    mm_stmt_text(st, 4, h->seen);
    mm_stmt_text(st, 5, h->host);
    mm_stmt_text(st, 6, h->host_name);
    mm_stmt_text(st, 7, h->host_mac);
    mm_stmt_text(st, 8, h->desc);
    mm_stmt_i64(st, 9, h->first);
    mm_stmt_i64(st, 10, h->last);
    mm_stmt_i64(st, 11, h->count);
    mm_stmt_i64(st, 12, k->now);
    mm_stmt_text(st, 13, h->site);
    if (mm_stmt_run(st) != 0) {
        k->failed = 1;
        return 1;
    }
    k->n++;
    return 0;
}

typedef struct wl {
    char **names;
    size_t n, cap;
} wl;

static int add_name(void *u, const char *set)
{
    wl *w = u;
    if (!mm_grow(&w->names, &w->cap, w->n, sizeof *w->names, 8))
        return 1;
    w->names[w->n] = strdup(set);
    if (w->names[w->n])
        w->n++;
    return 0;
}

int mm_hunt_watched(mm_db *db, uint64_t *hits, char *err, size_t errlen)
{
    wl w = {0};
    *hits = 0;
    if (mm_iocdb_watched(db, add_name, &w) != 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return -1;
    }
    int rc = 0;
    keep k = {.now = (int64_t)(mm_wall_ns() / 1000)};
    k.ins = mm_db_prepare(db,
        "INSERT INTO ioc_hits (site_id, set_name, itype, indicator, seen, host, host_name,"
        " host_mac, description, first_ts, last_ts, count, found) SELECT id, $1, $2, $3, $4,"
        " $5, $6, $7, $8, $9, $10, $11, $12 FROM sites WHERE name = $13"
        " ON CONFLICT (site_id, set_name, indicator, seen, host) DO UPDATE SET"
        " first_ts = excluded.first_ts, last_ts = excluded.last_ts, count = excluded.count,"
        " host_name = excluded.host_name, host_mac = excluded.host_mac");
    mm_stmt *del = mm_db_prepare(db, "DELETE FROM ioc_hits WHERE set_name = $1");
    if (!k.ins || !del) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        rc = -1;
    }
    for (size_t i = 0; i < w.n && rc == 0; i++) {
        if (mm_db_begin(db) != 0) {
            rc = -1;
            break;
        }
        mm_stmt_text(del, 1, w.names[i]);
        mm_hunt_opts o = {.set = w.names[i]};
        if (mm_stmt_run(del) != 0 || mm_hunt(db, &o, keep_hit, &k, NULL, err, errlen) != 0 ||
            k.failed || mm_db_commit(db) != 0) {
            mm_db_rollback(db);
            rc = -1;
        }
    }
    if (rc != 0 && !err[0])
        snprintf(err, errlen, "store: %s", mm_db_error(db));
    *hits = k.n;
    mm_stmt_free(k.ins);
    mm_stmt_free(del);
    for (size_t i = 0; i < w.n; i++)
        free(w.names[i]);
    free(w.names);
    return rc;
}
