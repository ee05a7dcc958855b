/*
 * hunt.c - hunting back through the hunting index (see hunt.h).
 *
 * The indicators are read first, each turned into the key ranges it
 * covers: an address one key, a network the range of its first and last
 * address (keys are the 16 bytes of the address), a domain its own key
 * and the keys under it ("example.evil." up to "example.evil/", labels
 * reversed), other values one key. Then every piece of the index of a
 * kind some indicator needs, in the months of --from/--to, is decoded
 * once and each range binary-searched in it. What matches is summed per
 * indicator, company, value and internal host (a record counts when its
 * minutes overlap --from/--to), and each host is named from the DHCP
 * lease that covered it at its last sighting.
 */
#include "ioc/hunt.h"
#include "ioc/archive.h"
#include "ioc/iocdb.h"
#include "ioc/obs.h"
#include "ioc/obspiece.h"
#include "util/strmap.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEASE_MAX_US (8LL * 86400 * 1000000)

/* One indicator looked for, with the key ranges it covers: [lo, hi], and
 * for a domain also [lo2, hi2) (the names under it). */
typedef struct want {
    mm_ioc_type type;
    mm_obs_kind kind;
    char *value, *set, *desc;
    uint8_t *lo, *hi, *lo2, *hi2;   /* one allocation, from lo */
    size_t lol, hil, lo2l, hi2l;
} want;

/* The sum of what a piece's records say for one (indicator, company,
 * value, host). */
typedef struct agg {
    uint32_t w;
    int64_t site_id;
    char *site, *host;
    uint8_t *key;
    size_t kl;
    int64_t first, last, count;
} agg;

typedef struct hunter {
    mm_db *db;
    const mm_hunt_opts *o;
    mm_stmt *lease;
    int (*fn)(void *, const mm_hunt_hit *);
    void *user;
    mm_hunt_stats *st;
    want *w;
    size_t nw, wcap;
    agg *a;
    size_t na, acap;
    mm_strmap aidx;
    mm_obs_kind kind;               /* of the pieces being read */
    int64_t month, month_start;
    int failed;
} hunter;

static void want_free(want *w)
{
    free(w->value);
    free(w->set);
    free(w->desc);
    free(w->lo);
}

/* The key ranges of an indicator (false when its type is not in the
 * index). */
static bool range_of(const mm_ioc *c, want *w)
{
    w->kind = mm_obs_kind_of(c->type);
    if (w->kind == OBS__COUNT)
        return false;
    uint8_t lo[MM_IOC_VALUE_MAX + 2], hi[MM_IOC_VALUE_MAX + 2];
    size_t lol = 0, hil = 0;
    bool sub = false;
    if (c->type == IOC_CIDR) {
        char a[64];
        const char *sl = strchr(c->value, '/');
        if (!sl || (size_t)(sl - c->value) >= sizeof a)
            return false;
        memcpy(a, c->value, (size_t)(sl - c->value));
        a[sl - c->value] = 0;
        mm_ip ip;
        int bits = atoi(sl + 1);
        if (!mm_ip_parse(a, &ip) || bits < 0 || bits > 128)
            return false;
        memset(lo, 0, 16);
        int off = 0;
        if (ip.v == 4) {
            lo[10] = lo[11] = 0xff;
            memcpy(lo + 12, ip.b, 4);
            off = 96;
        } else
            memcpy(lo, ip.b, 16);
        memcpy(hi, lo, 16);
        for (int b = off + bits; b < 128; b++)
            hi[b / 8] |= (uint8_t)(0x80u >> (b % 8));
        lol = hil = 16;
    } else {
        char t[MM_IOC_VALUE_MAX + 1];
        size_t kl = mm_obs_key(w->kind, c->value, strlen(c->value), t, sizeof t);
        lol = kl ? mm_obs_stored_key(w->kind, t, kl, lo, sizeof lo - 1) : 0;
        if (!lol)
            return false;
        memcpy(hi, lo, lol);
        hil = lol;
        sub = w->kind == OBS_DOMAIN;
    }
    size_t n2 = sub ? lol + 1 : 0;
    w->lo = malloc(lol + hil + 2 * n2);
    if (!w->lo)
        return false;
    w->hi = w->lo + lol;
    w->lo2 = w->hi + hil;
    w->hi2 = w->lo2 + n2;
    memcpy(w->lo, lo, lol);
    memcpy(w->hi, hi, hil);
    w->lol = lol;
    w->hil = hil;
    w->lo2l = w->hi2l = n2;
    if (sub) {
        memcpy(w->lo2, lo, lol);
        memcpy(w->hi2, lo, lol);
        w->lo2[lol] = '.';
        w->hi2[lol] = '/';
    }
    return true;
}

static int add_want(void *u, const mm_ioc *c)
{
    hunter *h = u;
    h->st->indicators++;
    want w = {.type = c->type};
    if (!range_of(c, &w))
        return 0;
    w.value = strdup(c->value);
    w.set = strdup(c->set ? c->set : "");
    w.desc = strdup(c->desc ? c->desc : "");
    if (!w.value || !w.set || !w.desc || !mm_grow(&h->w, &h->wcap, h->nw, sizeof *h->w, 64)) {
        want_free(&w);
        h->failed = 1;
        return 1;
    }
    h->w[h->nw++] = w;
    return 0;
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

/* A record of entry e of a piece matched indicator wi. */
static void add_hit(hunter *h, uint32_t wi, int64_t site_id, const char *site, const mm_obsp *p,
                    uint32_t e, uint32_t r, int64_t month_start)
{
    /* the index keeps minutes: a hit spans from the start of its first
     * minute to the end of its last, which holds the true times, and
     * counts when any of that lies in --from/--to */
    int64_t first = month_start + (int64_t)p->first[r] * 60000000;
    int64_t last = month_start + ((int64_t)p->last[r] + 1) * 60000000 - 1;
    if ((h->o->from && last < h->o->from) || (h->o->to && first > h->o->to))
        return;
    const uint8_t *k = p->keys + p->key_off[e];
    size_t kl = p->key_len[e];
    const char *host = p->hosts[p->host[r]];
    size_t hl = strlen(host);
    char pk[4 + 8 + 2 + MM_OBSP_KEY_MAX + MM_OBS_HOST_MAX + 1];
    if (kl > MM_OBSP_KEY_MAX || hl > MM_OBS_HOST_MAX)
        return;
    memcpy(pk, &wi, 4);
    memcpy(pk + 4, &site_id, 8);
    pk[12] = (char)(kl >> 8);
    pk[13] = (char)kl;
    memcpy(pk + 14, k, kl);
    memcpy(pk + 14 + kl, host, hl);
    size_t pl = 14 + kl + hl;
    uint64_t *ix = mm_strmap_get(&h->aidx, pk, pl);
    if (ix) {
        agg *a = &h->a[*ix];
        if (first < a->first)
            a->first = first;
        if (last > a->last)
            a->last = last;
        a->count = (int64_t)p->count[r] > INT64_MAX - a->count ? INT64_MAX
                                                               : a->count + (int64_t)p->count[r];
        return;
    }
    bool added;
    if (!mm_grow(&h->a, &h->acap, h->na, sizeof *h->a, 64)) {
        h->failed = 1;
        return;
    }
    agg *a = &h->a[h->na];
    *a = (agg){.w = wi, .site_id = site_id, .site = strdup(site), .host = strdup(host),
               .key = malloc(kl), .kl = kl, .first = first, .last = last,
               .count = p->count[r] > INT64_MAX ? INT64_MAX : (int64_t)p->count[r]};
    if (!a->site || !a->host || !a->key || !mm_strmap_put(&h->aidx, pk, pl, h->na, &added)) {
        free(a->site);
        free(a->host);
        free(a->key);
        h->failed = 1;
        return;
    }
    memcpy(a->key, k, kl);
    h->na++;
}

static void hits_in(hunter *h, uint32_t wi, int64_t site_id, const char *site, const mm_obsp *p,
                    int64_t ms, const uint8_t *lo, size_t lol, const uint8_t *hi, size_t hil,
                    bool incl)
{
    for (uint32_t e = mm_obsp_lower(p, lo, lol); e < p->nent && !h->failed; e++) {
        int c = mm_obsp_cmp(p, e, hi, hil);
        if (c > 0 || (c == 0 && !incl))
            break;
        for (uint32_t r = p->rec_at[e]; r < p->rec_at[e + 1]; r++)
            add_hit(h, wi, site_id, site, p, e, r, ms);
    }
}

/* One piece: every indicator of its kind looked up in it. */
static int look_in(void *u, int64_t site_id, int64_t seq, const char *site, mm_obsp *p,
                   const char *why)
{
    hunter *h = u;
    (void)seq;
    if (!p) {
        fprintf(stderr, "mimamori hunt: a piece of the hunting index of %s, %lld, %s, is"
                " damaged (%s): not read\n", site, (long long)h->month,
                mm_obs_kind_name(h->kind), why);
        return 0;
    }
    for (size_t wi = 0; wi < h->nw && !h->failed; wi++) {
        const want *w = &h->w[wi];
        if (w->kind != h->kind)
            continue;
        hits_in(h, (uint32_t)wi, site_id, site, p, h->month_start, w->lo, w->lol, w->hi, w->hil,
                true);
        if (w->lo2l)
            hits_in(h, (uint32_t)wi, site_id, site, p, h->month_start, w->lo2, w->lo2l, w->hi2,
                    w->hi2l, false);
    }
    mm_obsp_free(p);
    return h->failed ? 1 : 0;
}

/* Every piece of kind k in the months asked, each decoded once, each
 * indicator of that kind looked up in it. */
static int hunt_kind(hunter *h, mm_obs_kind k, mm_stmt *months, mm_stmt *pieces)
{
    int64_t m0 = 0, m1 = 999912;
    int y, m, d;
    if (h->o->from) {
        mm_civil_from_days(h->o->from / 86400000000LL, &y, &m, &d);
        m0 = (int64_t)y * 100 + m;
    }
    if (h->o->to) {
        mm_civil_from_days(h->o->to / 86400000000LL, &y, &m, &d);
        m1 = (int64_t)y * 100 + m;
    }
    /* month by month: PostgreSQL's results are read whole */
    int64_t *ms = NULL;
    size_t nm = 0, mcap = 0;
    mm_stmt_i64(months, 1, k);
    mm_stmt_i64(months, 2, m0);
    mm_stmt_i64(months, 3, m1);
    int r;
    while ((r = mm_stmt_step(months)) == 1) {
        if (!mm_grow(&ms, &mcap, nm, sizeof *ms, 16)) {
            r = -1;
            break;
        }
        ms[nm++] = mm_col_i64(months, 0);
    }
    mm_stmt_reset(months);
    if (r < 0)
        h->failed = 1;
    for (size_t i = 0; i < nm && !h->failed; i++) {
        h->kind = k;
        h->month = ms[i];
        h->month_start = mm_obs_month_start(ms[i]);
        mm_stmt_i64(pieces, 1, k);
        mm_stmt_i64(pieces, 2, ms[i]);
        mm_stmt_text(pieces, 3, h->o->site ? h->o->site : "");
        if (mm_obs_read_pieces(pieces, look_in, h) != 0)
            h->failed = 1;
    }
    free(ms);
    return h->failed ? -1 : 0;
}

static int agg_cmp(const void *x, const void *y)
{
    const agg *a = x, *b = y;
    if (a->w != b->w)
        return a->w < b->w ? -1 : 1;
    int c = strcmp(a->site, b->site);
    if (c)
        return c;
    if ((c = strcmp(a->host, b->host)))
        return c;
    size_t m = a->kl < b->kl ? a->kl : b->kl;
    c = memcmp(a->key, b->key, m);
    return c ? c : (a->kl > b->kl) - (a->kl < b->kl);
}

int mm_hunt(mm_db *db, const mm_hunt_opts *o, int (*fn)(void *user, const mm_hunt_hit *h),
            void *user, mm_hunt_stats *st, char *err, size_t errlen)
{
    mm_hunt_stats local = {0};
    if (!st)
        st = &local;
    hunter h = {.db = db, .o = o, .fn = fn, .user = user, .st = st};
    mm_strmap_init(&h.aidx);
    mm_stmt *months = mm_db_prepare(db,
        "SELECT DISTINCT month FROM obs_piece WHERE kind = $1 AND month >= $2 AND month <= $3"
        " ORDER BY month");
    mm_stmt *pieces = mm_db_prepare(db,
        "SELECT p.site_id, p.seq, p.part, p.data, s.name FROM obs_piece p JOIN sites s"
        " ON s.id = p.site_id WHERE p.kind = $1 AND p.month = $2 AND ($3 = '' OR s.name = $3)"
        " ORDER BY p.site_id, p.seq, p.part");
    h.lease = mm_db_prepare(db,
        "SELECT mac, kind, hostname, ts, until_ts FROM dhcp_leases WHERE site_id = $1 AND"
        " ip = $2 AND ts <= $3 ORDER BY ts DESC LIMIT 1");
    int rc = 0;
    err[0] = 0;
    if (!months || !pieces)
        h.failed = 1;
    if (!h.failed && o->nvalues) {
        for (int i = 0; i < o->nvalues && !h.failed; i++) {
            char v[MM_IOC_VALUE_MAX + 1], why[128];
            mm_ioc_type t = IOC_NONE;
            if (!mm_ioc_normalise(&t, o->values[i], strlen(o->values[i]), v, sizeof v, why,
                                  sizeof why)) {
                fprintf(stderr, "mimamori hunt: %s: %s\n", o->values[i], why);
                st->refused++;
                continue;
            }
            mm_ioc c = {.type = t, .value = v, .confidence = -1, .to_ids = true};
            add_want(&h, &c);
        }
        if (st->refused == (uint64_t)o->nvalues) {
            snprintf(err, errlen, "no indicator among the values given");
            rc = -1;
        }
    } else if (!h.failed && mm_iocdb_each(db, o->set, 0, 0, add_want, &h, err, errlen) != 0)
        rc = -1;
    for (int k = 0; k < OBS__COUNT && rc == 0 && !h.failed; k++) {
        bool any = false;
        for (size_t i = 0; i < h.nw && !any; i++)
            any = h.w[i].kind == (mm_obs_kind)k;
        if (any)
            hunt_kind(&h, (mm_obs_kind)k, months, pieces);
    }
    if (rc == 0 && !h.failed && h.na > 1)
        qsort(h.a, h.na, sizeof *h.a, agg_cmp);
    bool stop = false;
    for (size_t i = 0; rc == 0 && !h.failed && !stop && i < h.na; i++) {
        const agg *a = &h.a[i];
        const want *w = &h.w[a->w];
        if (i == 0 || h.a[i - 1].w != a->w)
            st->indicators_hit++;
        char seen[MM_IOC_VALUE_MAX + 1], mac[64], name[256];
        mm_obs_stored_value(w->kind, a->key, a->kl, seen, sizeof seen);
        host_of(&h, a->site_id, a->host, a->last, mac, sizeof mac, name, sizeof name);
        mm_hunt_hit hit = {
            .site = a->site, .kind = mm_obs_kind_name(w->kind), .seen = seen,
            .indicator = w->value, .itype = mm_ioc_type_name(w->type), .set = w->set,
            .desc = w->desc, .host = a->host, .host_name = name, .host_mac = mac,
            .first = a->first, .last = a->last, .count = a->count,
        };
        st->hits++;
        if (fn(user, &hit) != 0)
            stop = true;
    }
    if (h.failed && rc == 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        rc = -1;
    }
    for (size_t i = 0; i < h.na; i++) {
        free(h.a[i].site);
        free(h.a[i].host);
        free(h.a[i].key);
    }
    free(h.a);
    for (size_t i = 0; i < h.nw; i++)
        want_free(&h.w[i]);
    free(h.w);
    mm_strmap_free(&h.aidx);
    mm_stmt_free(months);
    mm_stmt_free(pieces);
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
    if (mm_obs_upgrade(db) != 0 || mm_iocdb_watched(db, add_name, &w) != 0) {
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
