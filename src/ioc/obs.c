/*
 * obs.c - the hunting index (see obs.h).
 *
 * Sums are held in a map keyed by (site, month, kind, key, host). A flush
 * writes, per (company, month, kind) it holds, a new piece (obspiece.h)
 * after the ones already there; when a (company, month, kind) would have
 * more than PIECES_MAX pieces, they are read back and written again as
 * one with the new sums, and mm_obs_compact merges, at the end of an
 * ingest, the pieces of what it touched. Pieces are never updated in
 * place: an import appends, and the cost of a merge is that of the month.
 * A month, not a day, is the unit: the index answers "did anyone meet
 * this, who, first and last when, how often"; --detail reads the archive
 * for the rest (docs/hunting.md has the measurements).
 */
#include "ioc/obs.h"
#include "ioc/obspiece.h"
#include "util/strmap.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONTH_US_DAY 86400000000LL
#define PIECE_LEVEL 9               /* zstd: see docs/hunting.md */
#define PIECES_MAX 8                /* pieces of a (company, month, kind) before a merge */
#define UPGRADE_FLUSH_AT 200000     /* old rows held while converting */
/* A piece is stored in parts of at most this many bytes, each a row of a
 * table filled in id order: eight rows fill a 16 KiB page of SQLite, and
 * what a piece's last part leaves free the next rows take, where one
 * piece a row would leave half a page unused at the end of each
 * (docs/hunting.md: 8,000-byte parts left more unused than 2,000). */
#define PART_BYTES 2000
#define PIECE_BYTES_MAX (80u << 20) /* a piece's parts put together */

static const char *const kind_names[OBS__COUNT] = {
    "ip", "domain", "url", "email", "hash", "ja4", "filename", "user-agent", "subject",
};

const char *mm_obs_kind_name(mm_obs_kind k)
{
    return (unsigned)k < OBS__COUNT ? kind_names[k] : "";
}

mm_obs_kind mm_obs_kind_of(mm_ioc_type t)
{
    switch (t) {
    case IOC_IPV4: case IOC_IPV6: case IOC_CIDR: return OBS_IP;
    case IOC_DOMAIN: return OBS_DOMAIN;
    case IOC_URL: return OBS_URL;
    case IOC_EMAIL: return OBS_EMAIL;
    case IOC_MD5: case IOC_SHA1: case IOC_SHA256: case IOC_JA3: return OBS_HASH;
    case IOC_JA4: return OBS_JA4;
    case IOC_FILENAME: return OBS_FILENAME;
    case IOC_USER_AGENT: return OBS_UA;
    case IOC_SUBJECT: return OBS_SUBJECT;
    default: return OBS__COUNT;
    }
}

size_t mm_obs_key(mm_obs_kind k, const char *v, size_t n, char *out, size_t outlen)
{
    if (n == 0 || outlen == 0)
        return 0;
    switch (k) {
    case OBS_IP: {
        char b[64];
        if (n >= sizeof b || outlen < 33)
            return 0;
        memcpy(b, v, n);
        b[n] = 0;
        mm_ip ip;
        if (!mm_ip_parse(b, &ip))
            return 0;
        uint8_t m[16] = {0};
        if (ip.v == 4) {
            m[10] = m[11] = 0xff;
            memcpy(m + 12, ip.b, 4);
        } else
            memcpy(m, ip.b, 16);
        for (int i = 0; i < 16; i++)
            snprintf(out + 2 * i, 3, "%02x", m[i]);
        return 32;
    }
    case OBS_DOMAIN: {
        while (n && v[n - 1] == '.')
            n--;
        while (n && v[0] == '.')
            v++, n--;
        if (n == 0 || n + 1 > outlen)
            return 0;
        /* labels in reverse order: "www.evil.example" -> "example.evil.www" */
        size_t k2 = 0, end = n;
        while (end > 0) {
            size_t start = end;
            while (start > 0 && v[start - 1] != '.')
                start--;
            if (k2)
                out[k2++] = '.';
            for (size_t i = start; i < end; i++)
                out[k2++] = (char)tolower((unsigned char)v[i]);
            end = start ? start - 1 : 0;
            if (start == 0)
                break;
        }
        out[k2] = 0;
        return k2;
    }
    case OBS_URL:
        return mm_ioc_url_key(v, n, out, outlen);
    case OBS_EMAIL:
    case OBS_HASH:
    case OBS_FILENAME:
        if (n + 1 > outlen)
            return 0;
        for (size_t i = 0; i < n; i++)
            out[i] = (char)tolower((unsigned char)v[i]);
        out[n] = 0;
        return n;
    default:
        if (n + 1 > outlen)
            return 0;
        memcpy(out, v, n);
        out[n] = 0;
        return n;
    }
}

void mm_obs_key_value(mm_obs_kind k, const char *key, char *out, size_t outlen)
{
    if (!outlen)
        return;
    size_t n = strlen(key);
    if (k == OBS_IP && n == 32) {
        mm_ip ip = {0};
        for (int i = 0; i < 16; i++) {
            unsigned v;
            if (sscanf(key + 2 * i, "%2x", &v) != 1)
                goto asis;
            ip.b[i] = (uint8_t)v;
        }
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(ip.b, mapped, 12) == 0) {
            memmove(ip.b, ip.b + 12, 4);
            memset(ip.b + 4, 0, 12);
            ip.v = 4;
        } else
            ip.v = 6;
        char a[MM_IPSTR_LEN];
        mm_ip_str(&ip, a);
        snprintf(out, outlen, "%s", a);
        return;
    }
    if (k == OBS_DOMAIN && n + 1 <= outlen) {
        /* labels back in their order */
        size_t w = 0, end = n;
        while (end > 0) {
            size_t start = end;
            while (start > 0 && key[start - 1] != '.')
                start--;
            if (w)
                out[w++] = '.';
            memcpy(out + w, key + start, end - start);
            w += end - start;
            if (start == 0)
                break;
            end = start - 1;
        }
        out[w] = 0;
        return;
    }
asis:
    snprintf(out, outlen, "%s", key);
}

/* The key a piece holds: an address as its 16 bytes, other keys as
 * they are. */
size_t mm_obs_stored_key(mm_obs_kind k, const char *key, size_t kl, uint8_t *out, size_t outlen)
{
    if (k == OBS_IP) {
        if (kl != 32 || outlen < 16)
            return 0;
        for (int i = 0; i < 16; i++) {
            int hi = mm_hex_value(key[2 * i]), lo = mm_hex_value(key[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return 0;
            out[i] = (uint8_t)(hi << 4 | lo);
        }
        return 16;
    }
    if (kl > outlen)
        return 0;
    memcpy(out, key, kl);
    return kl;
}

void mm_obs_stored_value(mm_obs_kind k, const uint8_t *key, size_t kl, char *out, size_t outlen)
{
    char t[MM_OBSP_KEY_MAX + 1];
    if (k == OBS_IP && kl == 16) {
        for (int i = 0; i < 16; i++)
            snprintf(t + 2 * i, 3, "%02x", key[i]);
    } else {
        if (kl > MM_OBSP_KEY_MAX)
            kl = MM_OBSP_KEY_MAX;
        memcpy(t, key, kl);
        t[kl] = 0;
    }
    mm_obs_key_value(k, t, out, outlen);
}

typedef struct sum {
    int64_t site, month, first, last, count;
    uint8_t kind;
    uint16_t klen;
    uint8_t *key;
    char *host;
} sum;

/* a (company, month, kind) whose pieces this run added to */
typedef struct triple {
    int64_t site, month;
    uint8_t kind;
} triple;

struct mm_obs {
    mm_db *db;
    sum *v;
    size_t n, cap;
    mm_strmap idx;             /* packed (site, month, kind, key, host) -> index */
    mm_stmt *count, *ins, *sel, *del;
    triple *t;
    size_t nt, tcap;
    mm_strmap tidx;
    int level;                 /* zstd level of pieces */
};

static mm_obs *obs_open(mm_db *db)
{
    mm_obs *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->db = db;
    o->level = PIECE_LEVEL;
    mm_strmap_init(&o->idx);
    mm_strmap_init(&o->tidx);
    o->count = mm_db_prepare(db,
        "SELECT COUNT(DISTINCT seq), COALESCE(MAX(seq), -1) FROM obs_piece WHERE kind = $1"
        " AND month = $2 AND site_id = $3");
    o->ins = mm_db_prepare(db,
        "INSERT INTO obs_piece (kind, month, site_id, seq, part, data) VALUES ($1, $2, $3, $4,"
        " $5, $6)");
    o->sel = mm_db_prepare(db,
        "SELECT site_id, seq, part, data FROM obs_piece WHERE kind = $1 AND month = $2 AND"
        " site_id = $3 ORDER BY seq, part");
    o->del = mm_db_prepare(db,
        "DELETE FROM obs_piece WHERE kind = $1 AND month = $2 AND site_id = $3 AND seq = $4");
    if (!o->count || !o->ins || !o->sel || !o->del) {
        mm_obs_free(o);
        return NULL;
    }
    return o;
}

mm_obs *mm_obs_new(mm_db *db)
{
    return mm_obs_upgrade(db) == 0 ? obs_open(db) : NULL;
}

void mm_obs_drop(mm_obs *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++) {
        free(o->v[i].key);
        free(o->v[i].host);
    }
    o->n = 0;
    mm_strmap_free(&o->idx);
    mm_strmap_init(&o->idx);
}

void mm_obs_free(mm_obs *o)
{
    if (!o)
        return;
    mm_obs_drop(o);
    free(o->v);
    free(o->t);
    mm_strmap_free(&o->idx);
    mm_strmap_free(&o->tidx);
    mm_stmt_free(o->count);
    mm_stmt_free(o->ins);
    mm_stmt_free(o->sel);
    mm_stmt_free(o->del);
    free(o);
}

size_t mm_obs_pending(const mm_obs *o)
{
    return o ? o->n : 0;
}

static int64_t month_of(int64_t ts_us)
{
    int64_t days = ts_us >= 0 ? ts_us / MONTH_US_DAY : -((-ts_us + MONTH_US_DAY - 1) / MONTH_US_DAY);
    int y, m, d;
    mm_civil_from_days(days, &y, &m, &d);
    return (int64_t)y * 100 + m;       /* 202612 */
}

int64_t mm_obs_month_start(int64_t month)
{
    return mm_days_from_civil(month / 100, (unsigned)(month % 100), 1) * MONTH_US_DAY;
}

/* Adds a sum of sightings under a stored key (ingest, and the rows of the
 * old table). */
static int add_sum(mm_obs *o, int64_t site, int64_t month, mm_obs_kind k, const uint8_t *key,
                   size_t kl, const char *host, int64_t first, int64_t last, int64_t count)
{
    size_t hl = strlen(host);
    if (hl > MM_OBS_HOST_MAX)
        host = "", hl = 0;        /* no internal host is named that long */
    if (kl == 0 || kl > MM_OBSP_KEY_MAX || count <= 0)
        return 0;
    char pk[MM_OBSP_KEY_MAX + MM_OBS_HOST_MAX + 32];
    memcpy(pk, &site, 8);
    memcpy(pk + 8, &month, 8);
    pk[16] = (char)k;
    pk[17] = (char)(kl >> 8);
    pk[18] = (char)kl;
    memcpy(pk + 19, key, kl);
    memcpy(pk + 19 + kl, host, hl);
    size_t pl = 19 + kl + hl;
    uint64_t *ix = mm_strmap_get(&o->idx, pk, pl);
    if (ix) {
        sum *s = &o->v[*ix];
        if (first < s->first)
            s->first = first;
        if (last > s->last)
            s->last = last;
        s->count = count > INT64_MAX - s->count ? INT64_MAX : s->count + count;
        return 0;
    }
    if (!mm_grow(&o->v, &o->cap, o->n, sizeof *o->v, 256))
        return -1;
    sum *s = &o->v[o->n];
    s->site = site;
    s->month = month;
    s->first = first;
    s->last = last;
    s->count = count;
    s->kind = (uint8_t)k;
    s->klen = (uint16_t)kl;
    s->key = malloc(kl);
    s->host = strdup(host);
    bool added;
    if (!s->key || !s->host || !mm_strmap_put(&o->idx, pk, pl, o->n, &added)) {
        free(s->key);
        free(s->host);
        return -1;
    }
    memcpy(s->key, key, kl);
    o->n++;
    return 0;
}

int mm_obs_add(mm_obs *o, int64_t site, int64_t ts_us, mm_obs_kind k, const char *v, size_t n,
               const char *host)
{
    if (!o || !v || n == 0 || n > MM_IOC_VALUE_MAX || (unsigned)k >= OBS__COUNT || ts_us <= 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20)
            return 0;                     /* not a value anyone would publish */
    char key[MM_IOC_VALUE_MAX + 1];
    size_t kl = mm_obs_key(k, v, n, key, sizeof key);
    uint8_t sk[MM_IOC_VALUE_MAX + 1];
    size_t sl = kl ? mm_obs_stored_key(k, key, kl, sk, sizeof sk) : 0;
    if (!sl)
        return 0;
    return add_sum(o, site, month_of(ts_us), k, sk, sl, host ? host : "", ts_us, ts_us, 1);
}

/* ---- pieces ---- */

static void bind_triple(mm_stmt *st, int64_t site, int64_t month, int kind)
{
    mm_stmt_i64(st, 1, kind);
    mm_stmt_i64(st, 2, month);
    mm_stmt_i64(st, 3, site);
}

static int touch(mm_obs *o, int64_t site, int64_t month, int kind)
{
    char k[17];
    memcpy(k, &site, 8);
    memcpy(k + 8, &month, 8);
    k[16] = (char)kind;
    if (mm_strmap_get(&o->tidx, k, sizeof k))
        return 0;
    bool added;
    if (!mm_grow(&o->t, &o->tcap, o->nt, sizeof *o->t, 64) ||
        !mm_strmap_put(&o->tidx, k, sizeof k, o->nt, &added))
        return -1;
    o->t[o->nt++] = (triple){site, month, (uint8_t)kind};
    return 0;
}

int mm_obs_read_pieces(mm_stmt *st, mm_obs_piece_fn fn, void *user)
{
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    int64_t site = 0, seq = 0, next = 0;
    char name[256] = "";
    bool have = false, gap = false;
    int rc = 0, r;
    for (;;) {
        r = mm_stmt_step(st);
        bool same = r == 1 && have && mm_col_i64(st, 0) == site && mm_col_i64(st, 1) == seq;
        if (have && !same) {
            /* the piece gathered so far is whole */
            mm_obsp p;
            const char *why = "a part is missing";
            bool ok = !gap && mm_obsp_decode(buf, n, &p, &why);
            rc = fn(user, site, seq, name, ok ? &p : NULL, ok ? NULL : why);
            have = false;
            if (rc != 0)
                break;
        }
        if (r != 1)
            break;
        if (!have) {
            have = true;
            gap = false;
            n = 0;
            next = 0;
            site = mm_col_i64(st, 0);
            seq = mm_col_i64(st, 1);
            snprintf(name, sizeof name, "%s", mm_col_count(st) > 4 ? mm_col_text(st, 4) : "");
        }
        size_t bl;
        const uint8_t *b = mm_col_blob(st, 3, &bl);
        if (mm_col_i64(st, 2) != next++ || n + bl > PIECE_BYTES_MAX)
            gap = true;
        else if (bl) {
            while (n + bl > cap) {
                if (!mm_grow(&buf, &cap, cap, 1, 65536)) {
                    r = -1;
                    break;
                }
            }
            if (r < 0)
                break;
            memcpy(buf + n, b, bl);
            n += bl;
        }
    }
    mm_stmt_reset(st);
    free(buf);
    return r < 0 ? -1 : rc;
}

typedef struct got {
    mm_obsp *p;
    int64_t *seq;
    size_t n, cap, scap;
    bool oom;
} got;

static int keep_piece(void *u, int64_t site, int64_t seq, const char *name, mm_obsp *p,
                      const char *why)
{
    got *g = u;
    (void)name;
    if (!p) {
        fprintf(stderr, "hunting index: piece %lld of company %lld kept as it is: %s\n",
                (long long)seq, (long long)site, why);
        return 0;
    }
    if (!mm_grow(&g->p, &g->cap, g->n, sizeof *g->p, 8) ||
        !mm_grow(&g->seq, &g->scap, g->n, sizeof *g->seq, 8)) {
        mm_obsp_free(p);
        g->oom = true;
        return 1;
    }
    g->seq[g->n] = seq;
    g->p[g->n++] = *p;
    return 0;
}

/* Writes recs (combined here) as new pieces of the triple after seq; with
 * merge, first reads the triple's pieces into them and deletes those it
 * read (a damaged piece is left as it is, and said once). 0 or -1. */
static int write_pieces(mm_obs *o, int64_t site, int64_t month, int kind, mm_obsp_rec **recs,
                        size_t *n, size_t *cap, bool merge)
{
    mm_stmt_reset(o->count);
    bind_triple(o->count, site, month, kind);
    if (mm_stmt_step(o->count) != 1) {
        mm_stmt_reset(o->count);
        return -1;
    }
    int64_t pieces = mm_col_i64(o->count, 0), seq = mm_col_i64(o->count, 1);
    mm_stmt_reset(o->count);
    if (pieces + 1 > PIECES_MAX)
        merge = true;
    got g = {0};
    int rc = 0;
    if (merge && pieces > 0) {
        bind_triple(o->sel, site, month, kind);
        if (mm_obs_read_pieces(o->sel, keep_piece, &g) != 0 || g.oom)
            rc = -1;
        for (size_t i = 0; i < g.n && rc == 0; i++) {
            const mm_obsp *p = &g.p[i];
            for (uint32_t e = 0; e < p->nent && rc == 0; e++)
                for (uint32_t j = p->rec_at[e]; j < p->rec_at[e + 1]; j++) {
                    if (!mm_grow(recs, cap, *n, sizeof **recs, 1024)) {
                        rc = -1;
                        break;
                    }
                    (*recs)[(*n)++] = (mm_obsp_rec){
                        p->keys + p->key_off[e], p->key_len[e], p->hosts[p->host[j]],
                        p->first[j], p->last[j], p->count[j]};
                }
        }
    }
    size_t m = rc == 0 ? mm_obsp_combine(*recs, *n) : 0;
    for (size_t at = 0; at < m && rc == 0;) {
        size_t c = mm_obsp_chunk(*recs + at, m - at);
        uint8_t *blob;
        size_t bl;
        if (c == 0 || !mm_obsp_encode(*recs + at, c, o->level, &blob, &bl)) {
            rc = -1;
            break;
        }
        seq++;
        for (size_t off = 0, part = 0; off < bl && rc == 0; off += PART_BYTES, part++) {
            bind_triple(o->ins, site, month, kind);
            mm_stmt_i64(o->ins, 4, seq);
            mm_stmt_i64(o->ins, 5, (int64_t)part);
            mm_stmt_blob(o->ins, 6, blob + off, bl - off < PART_BYTES ? bl - off : PART_BYTES);
            if (mm_stmt_run(o->ins) != 0)
                rc = -1;
        }
        free(blob);
        at += c;
    }
    for (size_t i = 0; i < g.n && rc == 0; i++) {
        bind_triple(o->del, site, month, kind);
        mm_stmt_i64(o->del, 4, g.seq[i]);
        if (mm_stmt_run(o->del) != 0)
            rc = -1;
    }
    for (size_t i = 0; i < g.n; i++)
        mm_obsp_free(&g.p[i]);
    free(g.p);
    free(g.seq);
    if (rc == 0 && touch(o, site, month, kind) != 0)
        rc = -1;
    return rc;
}

static int sum_cmp(const void *x, const void *y)
{
    const sum *a = *(const sum *const *)x, *b = *(const sum *const *)y;
    if (a->site != b->site)
        return a->site < b->site ? -1 : 1;
    if (a->month != b->month)
        return a->month < b->month ? -1 : 1;
    return (int)a->kind - (int)b->kind;
}

static uint32_t minute_in(int64_t us, int64_t month_start)
{
    int64_t m = (us - month_start) / 60000000;
    return m < 0 ? 0 : m > MM_OBSP_MINUTES ? MM_OBSP_MINUTES : (uint32_t)m;
}

int mm_obs_flush(mm_obs *o)
{
    if (!o || o->n == 0)
        return 0;
    int rc = 0;
    sum **ord = malloc(o->n * sizeof *ord);
    mm_obsp_rec *recs = NULL;
    size_t rcap = 0;
    if (!ord)
        rc = -1;
    for (size_t i = 0; ord && i < o->n; i++)
        ord[i] = &o->v[i];
    if (ord && o->n > 1)
        qsort(ord, o->n, sizeof *ord, sum_cmp);
    for (size_t i = 0; ord && i < o->n && rc == 0;) {
        size_t j = i;
        while (j < o->n && sum_cmp(&ord[i], &ord[j]) == 0)
            j++;
        int64_t ms = mm_obs_month_start(ord[i]->month);
        size_t n = 0;
        for (size_t k = i; k < j; k++) {
            if (!mm_grow(&recs, &rcap, n, sizeof *recs, 1024)) {
                rc = -1;
                break;
            }
            const sum *s = ord[k];
            recs[n++] = (mm_obsp_rec){s->key, s->klen, s->host, minute_in(s->first, ms),
                                      minute_in(s->last, ms), (uint64_t)s->count};
        }
        if (rc == 0)
            rc = write_pieces(o, ord[i]->site, ord[i]->month, ord[i]->kind, &recs, &n, &rcap,
                              false);
        i = j;
    }
    free(recs);
    free(ord);
    mm_obs_drop(o);
    return rc;
}

int mm_obs_compact(mm_obs *o)
{
    if (!o)
        return 0;
    int rc = 0;
    mm_obsp_rec *recs = NULL;
    size_t rcap = 0;
    for (size_t i = 0; i < o->nt && rc == 0; i++) {
        const triple *t = &o->t[i];
        bind_triple(o->count, t->site, t->month, t->kind);
        int r = mm_stmt_step(o->count);
        int64_t pieces = r == 1 ? mm_col_i64(o->count, 0) : 0;
        mm_stmt_reset(o->count);
        if (r != 1)
            rc = -1;
        else if (pieces > 1) {
            size_t n = 0;
            rc = write_pieces(o, t->site, t->month, t->kind, &recs, &n, &rcap, true);
        }
    }
    free(recs);
    free(o->t);
    o->t = NULL;
    o->nt = o->tcap = 0;
    mm_strmap_free(&o->tidx);
    mm_strmap_init(&o->tidx);
    return rc;
}

/* ---- the table it replaced ---- */

int mm_obs_upgrade(mm_db *db)
{
    int64_t old = mm_db_scalar(db, mm_db_is_pg(db)
        ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'obs_month'"
          " AND table_schema = current_schema()"
        : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'obs_month'");
    if (old <= 0)
        return 0;
    if (mm_db_begin(db) != 0)
        return -1;
    mm_obs *o = obs_open(db);
    int rc = o ? 0 : -1;
    mm_stmt *q = rc == 0 ? mm_db_prepare(db, "SELECT kind, key, site_id, month, host, first_ts,"
                                             " last_ts, count FROM obs_month") : NULL;
    if (rc == 0 && !q)
        rc = -1;
    int r = 0;
    while (rc == 0 && (r = mm_stmt_step(q)) == 1) {
        int64_t k = mm_col_i64(q, 0);
        const char *key = mm_col_text(q, 1);
        uint8_t sk[MM_OBSP_KEY_MAX];
        size_t sl = k >= 0 && k < OBS__COUNT
                        ? mm_obs_stored_key((mm_obs_kind)k, key, strlen(key), sk, sizeof sk) : 0;
        if (sl && add_sum(o, mm_col_i64(q, 2), mm_col_i64(q, 3), (mm_obs_kind)k, sk, sl,
                          mm_col_text(q, 4), mm_col_i64(q, 5), mm_col_i64(q, 6),
                          mm_col_i64(q, 7)) != 0)
            rc = -1;
        if (rc == 0 && o->n >= UPGRADE_FLUSH_AT)
            rc = mm_obs_flush(o);
    }
    if (r < 0)
        rc = -1;
    mm_stmt_free(q);
    if (rc == 0 && (mm_obs_flush(o) != 0 || mm_obs_compact(o) != 0 ||
                    mm_db_exec(db, "DROP TABLE obs_month") != 0))
        rc = -1;
    mm_obs_free(o);
    if (rc == 0 && mm_db_commit(db) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "hunting index: converting the old table: %s\n", mm_db_error(db));
        mm_db_rollback(db);
    }
    return rc;
}

/* ---- what events and records show ---- */

static int add_str(mm_obs *o, int64_t site, int64_t ts, mm_obs_kind k, const jr_doc *d, int tok,
                   const char *host)
{
    char b[MM_IOC_VALUE_MAX + 1];
    if (tok < 0 || !jr_str(d, tok, b, sizeof b) || !b[0])
        return 0;
    return mm_obs_add(o, site, ts, k, b, strlen(b), host);
}

/* The address of "Name <addr>" or of a bare address. */
static int add_mail(mm_obs *o, int64_t site, int64_t ts, const char *v, size_t n,
                    const char *host)
{
    const char *lt = memchr(v, '<', n);
    if (lt) {
        const char *gt = memchr(lt, '>', n - (size_t)(lt - v));
        size_t an = gt ? (size_t)(gt - lt - 1) : n - (size_t)(lt - v) - 1;
        v = lt + 1;
        n = an;
    }
    while (n && (*v == ' ' || *v == '"'))
        v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '"'))
        n--;
    if (!n || !memchr(v, '@', n))
        return 0;
    return mm_obs_add(o, site, ts, OBS_EMAIL, v, n, host);
}

static int add_mail_tok(mm_obs *o, int64_t site, int64_t ts, const jr_doc *d, int tok,
                        const char *host)
{
    char b[1024];
    if (tok < 0)
        return 0;
    if (d->t[tok].type == JR_ARR) {
        for (uint32_t i = 0; i < 256; i++) {
            int e = jr_elem(d, tok, i);
            if (e < 0)
                break;
            if (jr_str(d, e, b, sizeof b) && add_mail(o, site, ts, b, strlen(b), host) != 0)
                return -1;
        }
        return 0;
    }
    if (!jr_str(d, tok, b, sizeof b))
        return 0;
    /* "a@x, b@y" */
    for (char *p = b; *p;) {
        char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (add_mail(o, site, ts, p, n, host) != 0)
            return -1;
        p = c ? c + 1 : p + n;
    }
    return 0;
}

/* A URL's host as a name or address too (a hunt for the domain finds
 * the URLs of mails and proxies). */
static int add_url(mm_obs *o, int64_t site, int64_t ts, const char *u, size_t n,
                   const char *host)
{
    if (mm_obs_add(o, site, ts, OBS_URL, u, n, host) != 0)
        return -1;
    const char *h = u;
    const char *sep = NULL;
    for (size_t i = 0; i + 2 < n; i++)
        if (u[i] == ':' && u[i + 1] == '/' && u[i + 2] == '/') {
            sep = u + i + 3;
            break;
        }
    if (sep)
        h = sep;
    size_t hl = 0;
    while (h + hl < u + n && h[hl] != '/' && h[hl] != ':' && h[hl] != '?' && h[hl] != '#')
        hl++;
    if (!hl)
        return 0;
    char b[256];
    if (hl >= sizeof b)
        return 0;
    memcpy(b, h, hl);
    b[hl] = 0;
    mm_ip ip;
    return mm_obs_add(o, site, ts, mm_ip_parse(b, &ip) ? OBS_IP : OBS_DOMAIN, b, hl, host);
}

static int basename_add(mm_obs *o, int64_t site, int64_t ts, const char *name,
                        const char *host)
{
    const char *b = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return mm_obs_add(o, site, ts, OBS_FILENAME, b, strlen(b), host);
}

/* from: the first attachment whose name is indexed here (a mail file's
 * first name also comes through its log record) */
static int attachments(mm_obs *o, int64_t site, int64_t ts, const jr_doc *d, int arr,
                       const char *host, uint32_t from)
{
    char b[1024];
    if (arr < 0)
        return 0;
    if (d->t[arr].type == JR_STR)
        return jr_str(d, arr, b, sizeof b) ? basename_add(o, site, ts, b, host) : 0;
    for (uint32_t i = 0; i < 256; i++) {
        int e = jr_elem(d, arr, i);
        if (e < 0)
            break;
        if (d->t[e].type == JR_STR) {
            if (jr_str(d, e, b, sizeof b) && basename_add(o, site, ts, b, host) != 0)
                return -1;
            continue;
        }
        if (i >= from && jr_str(d, jr_member(d, e, "filename"), b, sizeof b) &&
            basename_add(o, site, ts, b, host) != 0)
            return -1;
        static const char *const hs[] = {"sha256", "md5", "sha1"};
        for (int h = 0; h < 3; h++)
            if (add_str(o, site, ts, OBS_HASH, d, jr_member(d, e, hs[h]), host) != 0)
                return -1;
    }
    return 0;
}

static int urls(mm_obs *o, int64_t site, int64_t ts, const jr_doc *d, int arr, const char *host)
{
    char b[MM_IOC_VALUE_MAX + 1];
    for (uint32_t i = 0; arr >= 0 && i < 256; i++) {
        int e = jr_elem(d, arr, i);
        if (e < 0)
            break;
        if (jr_str(d, e, b, sizeof b) && add_url(o, site, ts, b, strlen(b), host) != 0)
            return -1;
    }
    return 0;
}

int mm_obs_eve(mm_obs *o, const jr_doc *d, int64_t site, int64_t ts, const char *host)
{
    int et = jr_member(d, 0, "event_type");
    int rc = 0;
    char b[MM_IOC_VALUE_MAX + 1];
    if (jr_eq(d, et, "http")) {
        int h = jr_member(d, 0, "http");
        char hn[256];
        if (jr_str(d, jr_member(d, h, "hostname"), hn, sizeof hn) && hn[0]) {
            mm_ip ip;
            rc |= mm_obs_add(o, site, ts, mm_ip_parse(hn, &ip) ? OBS_IP : OBS_DOMAIN, hn,
                             strlen(hn), host);
            if (jr_str(d, jr_member(d, h, "url"), b, sizeof b)) {
                char u[MM_IOC_VALUE_MAX + 300];
                int w = snprintf(u, sizeof u, "%s%s%s", hn, b[0] == '/' ? "" : "/", b);
                if (w > 0 && (size_t)w < sizeof u)
                    rc |= mm_obs_add(o, site, ts, OBS_URL, u, (size_t)w, host);
            }
        }
        rc |= add_str(o, site, ts, OBS_UA, d, jr_member(d, h, "http_user_agent"), host);
    } else if (jr_eq(d, et, "tls")) {
        int t = jr_member(d, 0, "tls");
        rc |= add_str(o, site, ts, OBS_DOMAIN, d, jr_member(d, t, "sni"), host);
        if (jr_str(d, jr_member(d, t, "subject"), b, sizeof b)) {
            char *cn = strstr(b, "CN=");
            if (cn) {
                cn += 3;
                size_t n = strcspn(cn, ",");
                if (n > 2 && cn[0] == '*' && cn[1] == '.')
                    cn += 2, n -= 2;
                rc |= mm_obs_add(o, site, ts, OBS_DOMAIN, cn, n, host);
            }
        }
        rc |= add_str(o, site, ts, OBS_HASH, d, jr_member(d, jr_member(d, t, "ja3"), "hash"),
                      host);
        rc |= add_str(o, site, ts, OBS_HASH, d, jr_member(d, jr_member(d, t, "ja3s"), "hash"),
                      host);
        rc |= add_str(o, site, ts, OBS_JA4, d, jr_member(d, t, "ja4"), host);
    } else if (jr_eq(d, et, "fileinfo")) {
        int f = jr_member(d, 0, "fileinfo");
        if (jr_str(d, jr_member(d, f, "filename"), b, sizeof b) && b[0])
            rc |= basename_add(o, site, ts, b, host);
        static const char *const hs[] = {"sha256", "md5", "sha1"};
        for (int h = 0; h < 3; h++)
            rc |= add_str(o, site, ts, OBS_HASH, d, jr_member(d, f, hs[h]), host);
    } else if (jr_eq(d, et, "smtp") || jr_eq(d, et, "mail")) {
        int s = jr_member(d, 0, "smtp");
        int e = jr_member(d, 0, "email");
        bool smtp = jr_eq(d, et, "smtp");
        if (smtp) {
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, s, "mail_from"), host);
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, s, "rcpt_to"), host);
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, e, "from"), host);
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, e, "to"), host);
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, e, "cc"), host);
            rc |= add_str(o, site, ts, OBS_SUBJECT, d, jr_member(d, e, "subject"), host);
            rc |= attachments(o, site, ts, d, jr_member(d, e, "attachment"), host, 0);
        } else {
            /* mail messages (.eml, mbox, Maildir): from, to and subject come
             * through the log record; here what a record cannot hold */
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, e, "cc"), host);
            rc |= add_mail_tok(o, site, ts, d, jr_member(d, e, "delivered_to"), host);
            int a = jr_member(d, e, "attachment");
            if (a >= 0 && d->t[a].type == JR_ARR)
                rc |= attachments(o, site, ts, d, a, host, 1);
            int rf = jr_member(d, e, "received_from");
            char ipb[64];
            if (jr_str(d, jr_member(d, rf, "ip"), ipb, sizeof ipb))
                rc |= mm_obs_add(o, site, ts, OBS_IP, ipb, strlen(ipb), host);
        }
        rc |= urls(o, site, ts, d, jr_member(d, e, "url"), host);
    }
    return rc ? -1 : 0;
}

static int lr_add(mm_obs *o, int64_t site, int64_t ts, mm_obs_kind k, lr_str s,
                  const char *host)
{
    return s.n ? mm_obs_add(o, site, ts, k, s.p, s.n, host) : 0;
}

int mm_obs_logrec(mm_obs *o, int64_t site, const mm_logrec *r, const char *host,
                  const char *remote)
{
    if (!r->has_ts || !r->event_type)
        return 0;
    int64_t ts = r->ts_us;
    int rc = 0;
    const char *et = r->event_type;
    if (remote && *remote && strcmp(et, "dhcp") != 0)
        rc |= mm_obs_add(o, site, ts, OBS_IP, remote, strlen(remote), host);
    if (!strcmp(et, "dns")) {
        rc |= lr_add(o, site, ts, OBS_DOMAIN, r->dns.rrname, host);
        for (uint32_t i = 0; i < r->dns.n_answers && i < LR_MAX_ANSWERS; i++) {
            const lr_answer *a = &r->dns.answers[i];
            char b[64];
            if (a->rdata.n && a->rdata.n < sizeof b) {
                memcpy(b, a->rdata.p, a->rdata.n);
                b[a->rdata.n] = 0;
                mm_ip ip;
                if (mm_ip_parse(b, &ip))
                    rc |= mm_obs_add(o, site, ts, OBS_IP, b, a->rdata.n, host);
                else if (a->rrtype.n == 5 && !memcmp(a->rrtype.p, "CNAME", 5))
                    rc |= lr_add(o, site, ts, OBS_DOMAIN, a->rdata, host);
            }
        }
    } else if (!strcmp(et, "proxy") || !strcmp(et, "web")) {
        char hn[256];
        size_t hl = r->http.hostname.n < sizeof hn ? r->http.hostname.n : 0;
        memcpy(hn, r->http.hostname.p ? r->http.hostname.p : "", hl);
        hn[hl] = 0;
        mm_ip ip;
        if (hl)
            rc |= mm_obs_add(o, site, ts, mm_ip_parse(hn, &ip) ? OBS_IP : OBS_DOMAIN, hn, hl,
                             host);
        if (r->http.url.n) {
            const char *u = r->http.url.p;
            size_t un = r->http.url.n;
            if (memmem(u, un, "://", 3) || !hl)
                rc |= add_url(o, site, ts, u, un, host);
            else {
                char b[MM_IOC_VALUE_MAX + 300];
                int w = snprintf(b, sizeof b, "%s%s%.*s", hn, u[0] == '/' ? "" : "/", (int)un, u);
                if (w > 0 && (size_t)w < sizeof b)
                    rc |= mm_obs_add(o, site, ts, OBS_URL, b, (size_t)w, host);
            }
        }
        rc |= lr_add(o, site, ts, OBS_UA, r->http.http_user_agent, host);
    } else if (!strcmp(et, "mail")) {
        if (r->email.from.n)
            rc |= add_mail(o, site, ts, r->email.from.p, r->email.from.n, host);
        if (r->email.header_from.n)
            rc |= add_mail(o, site, ts, r->email.header_from.p, r->email.header_from.n, host);
        for (uint32_t i = 0; i < r->email.n_to && i < LR_MAX_TO; i++)
            rc |= add_mail(o, site, ts, r->email.to[i].p, r->email.to[i].n, host);
        rc |= lr_add(o, site, ts, OBS_SUBJECT, r->email.subject, host);
        if (r->email.attachment.n) {
            char b[1024];
            size_t n = r->email.attachment.n < sizeof b ? r->email.attachment.n : sizeof b - 1;
            memcpy(b, r->email.attachment.p, n);
            b[n] = 0;
            rc |= basename_add(o, site, ts, b, host);
        }
    }
    return rc ? -1 : 0;
}
