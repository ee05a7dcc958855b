/*
 * iocdb.c - indicator sets in the store (see iocdb.h).
 *
 * An import is one transaction: the set row is made or refreshed, every
 * indicator read is upserted (a value already in the set keeps its first
 * import and takes the newer description, times and expiry), and an
 * indicator of the set past its expiry is deleted. A file that cannot be
 * read stores nothing.
 */
#include "ioc/iocdb.h"
#include "ioc/native.h"
#include "util/json.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define DAY_US 86400000000LL

typedef struct imp {
    mm_db *db;
    mm_stmt *up;
    int64_t set_id, now, expires;
    const char *path;
    const mm_iocdb_import_opts *io;
    uint64_t shown, bad;
    int failed;
} imp;

static void bind_opt_text(mm_stmt *st, int i, const char *s)
{
    if (s && *s)
        mm_stmt_text(st, i, s);
    else
        mm_stmt_null(st, i);
}

static int on_add(void *u, const mm_ioc *c)
{
    imp *m = u;
    mm_stmt *st = m->up;
    mm_stmt_i64(st, 1, m->set_id);
    mm_stmt_text(st, 2, mm_ioc_type_name(c->type));
    mm_stmt_text(st, 3, c->value);
    bind_opt_text(st, 4, c->source);
    bind_opt_text(st, 5, c->desc);
    bind_opt_text(st, 6, c->tlp);
    bind_opt_text(st, 7, c->ref);
    if (c->confidence >= 0)
        mm_stmt_i64(st, 8, c->confidence);
    else
        mm_stmt_null(st, 8);
    mm_stmt_i64(st, 9, c->to_ids ? 1 : 0);
    mm_stmt_i64(st, 10, c->first_seen);
    mm_stmt_i64(st, 11, c->last_seen);
    mm_stmt_i64(st, 12, c->valid_from);
    mm_stmt_i64(st, 13, c->valid_until);
    mm_stmt_i64(st, 14, m->now);
    mm_stmt_i64(st, 15, m->expires);
    if (mm_stmt_run(st) != 0) {
        m->failed = 1;
        return -1;
    }
    return 0;
}

static void on_bad(void *u, const char *where, const char *why)
{
    imp *m = u;
    uint64_t max = m->io->max_report ? m->io->max_report : 20;
    if (!m->io->quiet && m->shown < max) {
        fprintf(stderr, "%s: %s: %s\n", m->path, where, why);
        m->shown++;
    }
    m->bad++;
}

static int64_t set_id(mm_db *db, const char *name)
{
    mm_stmt *st = mm_db_prepare(db, "SELECT id FROM ioc_sets WHERE name = $1");
    if (!st)
        return -1;
    mm_stmt_text(st, 1, name);
    int64_t id = mm_stmt_step(st) == 1 ? mm_col_i64(st, 0) : 0;
    mm_stmt_free(st);
    return id;
}

int mm_iocdb_import(mm_db *db, const char *path, const mm_ioc_read_opts *o,
                    const mm_iocdb_import_opts *io, mm_ioc_read_stats *st, char *err,
                    size_t errlen)
{
    char name[256];
    if (io->set && *io->set)
        mm_strcpy(name, sizeof name, io->set);
    else {
        const char *b = strrchr(path, '/');
        mm_strcpy(name, sizeof name, b ? b + 1 : path);
    }
    int64_t now = (int64_t)(mm_wall_ns() / 1000);
    imp m = {.db = db, .now = now, .path = path, .io = io};
    m.expires = io->expires_days > 0 ? now + (int64_t)io->expires_days * DAY_US : 0;
    if (mm_db_begin(db) != 0)
        goto store_err;
    mm_stmt *ins = mm_db_prepare(db,
        "INSERT INTO ioc_sets (name, source, format, watch, expires_days, created, updated)"
        " VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (name) DO UPDATE SET"
        " source = excluded.source, format = excluded.format, watch = excluded.watch,"
        " expires_days = excluded.expires_days, updated = excluded.updated");
    if (!ins)
        goto store_err_rb;
    mm_stmt_text(ins, 1, name);
    mm_stmt_text(ins, 2, o->source ? o->source : path);
    mm_stmt_text(ins, 3, mm_ioc_format_name(o->format));
    mm_stmt_i64(ins, 4, io->watch ? 1 : 0);
    mm_stmt_i64(ins, 5, io->expires_days);
    mm_stmt_i64(ins, 6, now);
    int rc = mm_stmt_run(ins);
    mm_stmt_free(ins);
    if (rc != 0 || (m.set_id = set_id(db, name)) <= 0)
        goto store_err_rb;
    m.up = mm_db_prepare(db,
        "INSERT INTO iocs (set_id, type, value, source, description, tlp, ref, confidence,"
        " to_ids, first_seen, last_seen, valid_from, valid_until, imported, expires) VALUES"
        " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        " ON CONFLICT (set_id, type, value) DO UPDATE SET"
        " source = COALESCE(excluded.source, iocs.source),"
        " description = COALESCE(excluded.description, iocs.description),"
        " tlp = COALESCE(excluded.tlp, iocs.tlp), ref = COALESCE(excluded.ref, iocs.ref),"
        " confidence = COALESCE(excluded.confidence, iocs.confidence),"
        " to_ids = excluded.to_ids,"
        " first_seen = CASE WHEN iocs.first_seen > 0 AND (excluded.first_seen = 0 OR"
        " iocs.first_seen < excluded.first_seen) THEN iocs.first_seen ELSE excluded.first_seen END,"
        " last_seen = CASE WHEN excluded.last_seen > iocs.last_seen THEN excluded.last_seen"
        " ELSE iocs.last_seen END,"
        " valid_from = excluded.valid_from, valid_until = excluded.valid_until,"
        " imported = excluded.imported, expires = excluded.expires");
    if (!m.up)
        goto store_err_rb;
    mm_ioc_sink sink = {on_add, on_bad, &m};
    mm_ioc_read_stats local = {0};
    if (!st)
        st = &local;
    rc = mm_ioc_read_file(path, o, &sink, st, err, errlen);
    mm_stmt_free(m.up);
    if (m.failed)
        goto store_err_rb;
    if (rc != 0) {
        mm_db_rollback(db);
        return -1;
    }
    /* what has passed its expiry leaves the set */
    mm_stmt *del = mm_db_prepare(db,
        "DELETE FROM iocs WHERE set_id = $1 AND expires > 0 AND expires < $2");
    if (!del)
        goto store_err_rb;
    mm_stmt_i64(del, 1, m.set_id);
    mm_stmt_i64(del, 2, now);
    rc = mm_stmt_run(del);
    mm_stmt_free(del);
    if (rc != 0 || mm_db_commit(db) != 0)
        goto store_err_rb;
    if (!io->quiet && m.bad > m.shown)
        fprintf(stderr, "%s: %llu more refused entries not shown\n", path,
                (unsigned long long)(m.bad - m.shown));
    return 0;
store_err_rb:
    snprintf(err, errlen, "store: %s", mm_db_error(db));
    mm_db_rollback(db);
    return -1;
store_err:
    snprintf(err, errlen, "store: %s", mm_db_error(db));
    return -1;
}

int mm_iocdb_list(mm_db *db, FILE *out, bool json, char *err, size_t errlen)
{
    mm_stmt *st = mm_db_prepare(db,
        "SELECT s.name, s.source, s.format, s.watch, s.expires_days, s.updated,"
        " (SELECT COUNT(*) FROM iocs i WHERE i.set_id = s.id) FROM ioc_sets s ORDER BY s.name");
    mm_stmt *types = mm_db_prepare(db,
        "SELECT i.type, COUNT(*) FROM iocs i JOIN ioc_sets s ON s.id = i.set_id"
        " WHERE s.name = $1 GROUP BY i.type ORDER BY i.type");
    if (!st || !types) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        mm_stmt_free(st);
        mm_stmt_free(types);
        return -1;
    }
    if (!json)
        fprintf(out, "%-24s %10s  %-5s  %-16s  %s\n", "set", "indicators", "watch", "updated",
                "types");
    while (mm_stmt_step(st) == 1) {
        char upd[MM_TS_LEN];
        mm_fmt_ts((uint64_t)mm_col_i64(st, 5) * 1000, upd);
        upd[16] = 0;
        upd[10] = ' ';
        char tl[512] = "";
        size_t tn = 0;
        mm_json j;
        mj_init(&j);
        mj_reset(&j);
        mj_obj_open(&j, NULL);
        mj_str(&j, "set", mm_col_text(st, 0));
        mj_i64(&j, "indicators", mm_col_i64(st, 6));
        mj_bool(&j, "watch", mm_col_i64(st, 3) != 0);
        mj_i64(&j, "expires_days", mm_col_i64(st, 4));
        mj_str(&j, "updated", upd);
        mj_str(&j, "source", mm_col_text(st, 1));
        mj_obj_open(&j, "types");
        mm_stmt_text(types, 1, mm_col_text(st, 0));
        while (mm_stmt_step(types) == 1) {
            mj_i64(&j, mm_col_text(types, 0), mm_col_i64(types, 1));
            if (tn < sizeof tl - 40)
                tn += (size_t)snprintf(tl + tn, sizeof tl - tn, "%s%s %lld", tn ? ", " : "",
                                       mm_col_text(types, 0), (long long)mm_col_i64(types, 1));
        }
        mm_stmt_reset(types);
        mj_obj_close(&j);
        mj_obj_close(&j);
        if (json) {
            fwrite(j.s, 1, j.len, out);
            fputc('\n', out);
        } else
            fprintf(out, "%-24s %10lld  %-5s  %-16s  %s\n", mm_col_text(st, 0),
                    (long long)mm_col_i64(st, 6), mm_col_i64(st, 3) ? "yes" : "no", upd, tl);
        mj_free(&j);
    }
    mm_stmt_free(st);
    mm_stmt_free(types);
    return 0;
}

static int show_one(void *u, const mm_ioc *c)
{
    mm_ioc_native_write(u, c);
    return 0;
}

int mm_iocdb_show(mm_db *db, const char *set, FILE *out, char *err, size_t errlen)
{
    if (set_id(db, set) <= 0) {
        snprintf(err, errlen, "no indicator set \"%s\" (see mimamori ioc list)", set);
        return -1;
    }
    mm_ioc_native_header(out);
    return mm_iocdb_each(db, set, 0, 0, show_one, out, err, errlen);
}

int mm_iocdb_remove(mm_db *db, const char *set, char *err, size_t errlen)
{
    int64_t id = set_id(db, set);
    if (id <= 0) {
        snprintf(err, errlen, "no indicator set \"%s\" (see mimamori ioc list)", set);
        return -1;
    }
    mm_stmt *a = mm_db_prepare(db, "DELETE FROM iocs WHERE set_id = $1");
    mm_stmt *b = mm_db_prepare(db, "DELETE FROM ioc_sets WHERE id = $1");
    int rc = -1;
    if (a && b && mm_db_begin(db) == 0) {
        mm_stmt_i64(a, 1, id);
        mm_stmt_i64(b, 1, id);
        rc = mm_stmt_run(a) == 0 && mm_stmt_run(b) == 0 && mm_db_commit(db) == 0 ? 0 : -1;
        if (rc != 0)
            mm_db_rollback(db);
    }
    if (rc != 0)
        snprintf(err, errlen, "store: %s", mm_db_error(db));
    mm_stmt_free(a);
    mm_stmt_free(b);
    return rc;
}

int mm_iocdb_each(mm_db *db, const char *set, unsigned types, int64_t now_us,
                  int (*fn)(void *user, const mm_ioc *c), void *user, char *err, size_t errlen)
{
    mm_stmt *st = mm_db_prepare(db,
        "SELECT s.name, i.type, i.value, i.source, i.description, i.tlp, i.ref, i.confidence,"
        " i.to_ids, i.first_seen, i.last_seen, i.valid_from, i.valid_until FROM iocs i"
        " JOIN ioc_sets s ON s.id = i.set_id WHERE ($1 = '' OR s.name = $1)"
        " AND (i.expires = 0 OR i.expires > $2) AND (CAST($3 AS BIGINT) = 0 OR i.valid_until = 0 OR"
        " i.valid_until > $3) ORDER BY s.name, i.type, i.value");
    if (!st) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return -1;
    }
    int64_t now = now_us ? now_us : (int64_t)(mm_wall_ns() / 1000);
    mm_stmt_text(st, 1, set ? set : "");
    mm_stmt_i64(st, 2, now);
    mm_stmt_i64(st, 3, now_us);
    int r, rc = 0;
    while ((r = mm_stmt_step(st)) == 1) {
        mm_ioc c = {0};
        c.type = mm_ioc_type_parse(mm_col_text(st, 1));
        if (c.type == IOC_NONE || (types && !(types & (1u << c.type))))
            continue;
        c.set = mm_col_text(st, 0);
        c.value = mm_col_text(st, 2);
#define OPT(i) (mm_col_null(st, i) ? NULL : mm_col_text(st, i))
        c.source = OPT(3);
        c.desc = OPT(4);
        c.tlp = OPT(5);
        c.ref = OPT(6);
#undef OPT
        c.confidence = mm_col_null(st, 7) ? -1 : (int)mm_col_i64(st, 7);
        c.to_ids = mm_col_i64(st, 8) != 0;
        c.first_seen = mm_col_i64(st, 9);
        c.last_seen = mm_col_i64(st, 10);
        c.valid_from = mm_col_i64(st, 11);
        c.valid_until = mm_col_i64(st, 12);
        if (fn(user, &c) != 0)
            break;
    }
    if (r < 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        rc = -1;
    }
    mm_stmt_free(st);
    return rc;
}

int mm_iocdb_watched(mm_db *db, int (*fn)(void *user, const char *set), void *user)
{
    mm_stmt *st = mm_db_prepare(db, "SELECT name FROM ioc_sets WHERE watch = 1 ORDER BY name");
    if (!st)
        return -1;
    while (mm_stmt_step(st) == 1)
        if (fn(user, mm_col_text(st, 0)) != 0)
            break;
    mm_stmt_free(st);
    return 0;
}
