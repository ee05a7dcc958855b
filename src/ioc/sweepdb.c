/*
 * sweepdb.c - the hits of `mimamori ioc sweep --site S` kept in the store
 * (table sweep_hits, store/schema.c; see sweep.h): one transaction per
 * sweep, one upsert per hit, so a sweep run again moves the last time and
 * the count of what it finds again and adds what is new.
 */
#include "ioc/sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mm_sweepdb {
    mm_db *db;
    mm_stmt *up;
    int64_t site, now;
    char host[256];
    int failed;
    uint64_t hits;
};

static int64_t site_row(mm_db *db, const char *name)
{
    mm_stmt *add = mm_db_prepare(db, "INSERT INTO sites (name) VALUES ($1)"
                                     " ON CONFLICT (name) DO NOTHING");
    mm_stmt *get = mm_db_prepare(db, "SELECT id FROM sites WHERE name = $1");
    int64_t id = -1;
    if (add && get) {
        mm_stmt_text(add, 1, name);
        mm_stmt_text(get, 1, name);
        if (mm_stmt_run(add) == 0 && mm_stmt_step(get) == 1)
            id = mm_col_i64(get, 0);
    }
    mm_stmt_free(add);
    mm_stmt_free(get);
    return id;
}

mm_sweepdb *mm_sweepdb_open(mm_db *db, const char *site, const char *host, int64_t now,
                            char *err, size_t errlen)
{
    if (!site || !site[0] || strlen(site) > 127) {
        snprintf(err, errlen, "--site: a company name of 1 to 127 bytes");
        return NULL;
    }
    mm_sweepdb *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->db = db;
    s->now = now;
    snprintf(s->host, sizeof s->host, "%s", host && host[0] ? host : "host");
    if (mm_store_init(db) != 0 || mm_db_begin(db) != 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        free(s);
        return NULL;
    }
    s->site = site_row(db, site);
    s->up = mm_db_prepare(db,
        "INSERT INTO sweep_hits (site_id, host, set_name, itype, indicator, seen, evidence,"
        " field, path, sha256, description, first_ts, last_ts, count) VALUES ($1, $2, $3,"
        " $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1)"
        " ON CONFLICT (site_id, host, set_name, indicator, seen) DO UPDATE SET"
        " sha256 = excluded.sha256, description = excluded.description,"
        " last_ts = CASE WHEN excluded.last_ts > sweep_hits.last_ts THEN excluded.last_ts"
        " ELSE sweep_hits.last_ts END,"
        " count = sweep_hits.count + CASE WHEN excluded.last_ts > sweep_hits.last_ts"
        " THEN 1 ELSE 0 END");
    if (s->site < 0 || !s->up) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        mm_stmt_free(s->up);
        mm_db_rollback(db);
        free(s);
        return NULL;
    }
    return s;
}

int mm_sweepdb_hit(mm_sweepdb *s, const mm_sweep_hit *h)
{
    if (s->failed)
        return -1;
    mm_stmt *st = s->up;
    const char *set = h->set && h->set[0] ? h->set : h->source && h->source[0] ? h->source
                                                                               : "sweep";
    mm_stmt_i64(st, 1, s->site);
    mm_stmt_text(st, 2, s->host);
    mm_stmt_text(st, 3, set);
    mm_stmt_text(st, 4, h->kind);
    mm_stmt_text(st, 5, h->indicator);
    mm_stmt_text(st, 6, h->where);
    mm_stmt_text(st, 7, h->evidence);
    mm_stmt_text(st, 8, h->field);
    mm_stmt_text(st, 9, h->path);
    mm_stmt_text(st, 10, h->sha256);
    mm_stmt_text(st, 11, h->desc && h->desc[0] ? h->desc : NULL);
    mm_stmt_i64(st, 12, s->now);
    if (mm_stmt_run(st) != 0) {
        s->failed = 1;
        return -1;
    }
    s->hits++;
    return 0;
}

/* The store's span (first and last event time, what a report of all data
 * covers) takes in the sweep's time when it found something. */
static int widen_span(mm_sweepdb *s)
{
    static const char *const sql[2] = {
        "INSERT INTO span (k, v) VALUES ('first', $1) ON CONFLICT (k) DO UPDATE"
        " SET v = CASE WHEN excluded.v < span.v THEN excluded.v ELSE span.v END",
        "INSERT INTO span (k, v) VALUES ('last', $1) ON CONFLICT (k) DO UPDATE"
        " SET v = CASE WHEN excluded.v > span.v THEN excluded.v ELSE span.v END"};
    for (int i = 0; i < 2; i++) {
        mm_stmt *st = mm_db_prepare(s->db, sql[i]);
        if (!st)
            return -1;
        mm_stmt_i64(st, 1, s->now);
        int rc = mm_stmt_run(st);
        mm_stmt_free(st);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int mm_sweepdb_close(mm_sweepdb *s, bool ok, char *err, size_t errlen)
{
    if (!s)
        return 0;
    int rc = 0;
    mm_stmt_free(s->up);
    if (ok && !s->failed && s->hits && widen_span(s) != 0)
        s->failed = 1;
    if (ok && !s->failed) {
        if (mm_db_commit(s->db) != 0) {
            snprintf(err, errlen, "store: %s", mm_db_error(s->db));
            mm_db_rollback(s->db);
            rc = -1;
        }
    } else {
        if (s->failed)
            snprintf(err, errlen, "store: %s", mm_db_error(s->db));
        mm_db_rollback(s->db);
        rc = s->failed ? -1 : 0;
    }
    free(s);
    return rc;
}
