/*
 * sqlite.c - the SQLite backend of the store: one file, WAL journal,
 * synchronous=NORMAL (a power cut loses at most the last transactions,
 * never the file), a busy timeout so a report can read while an ingest
 * writes.
 */
#include "store/store_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    mm_db base;
    sqlite3 *h;
} sq_db;

typedef struct {
    mm_stmt base;
    sqlite3_stmt *s;
} sq_stmt;

static void seterr(mm_db *db)
{
    snprintf(db->err, sizeof db->err, "%s", sqlite3_errmsg(((sq_db *)db)->h));
}

static void sq_close(mm_db *db)
{
    sqlite3_close(((sq_db *)db)->h);
    free(db);
}

/* Expands @ID@ (an auto-numbered key), @WOR@ (a table stored in its
 * primary key's order: WITHOUT ROWID) and @BLOB@ into SQLite's spelling. */
static char *expand(const char *sql)
{
    return mm_sql_expand(sql, "INTEGER PRIMARY KEY", " WITHOUT ROWID", "BLOB");
}

static int sq_exec(mm_db *db, const char *sql)
{
    char *x = expand(sql), *msg = NULL;
    if (!x) {
        snprintf(db->err, sizeof db->err, "out of memory");
        return -1;
    }
    int rc = sqlite3_exec(((sq_db *)db)->h, x, NULL, NULL, &msg);
    free(x);
    if (rc != SQLITE_OK) {
        snprintf(db->err, sizeof db->err, "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* SQLite numbers "$N" parameters by first appearance, not by N: a
 * statement where $2 comes before $1 would bind the wrong values, so it is
 * refused (a programming error, caught by any test that runs it). */
static bool params_in_order(const char *sql)
{
    long next = 1;
    for (const char *p = sql; (p = strchr(p, '$')); p++) {
        long k = strtol(p + 1, NULL, 10);
        if (k > next)
            return false;
        if (k == next)
            next++;
    }
    return true;
}

static mm_stmt *sq_prepare(mm_db *db, const char *sql)
{
    if (!params_in_order(sql)) {
        snprintf(db->err, sizeof db->err, "parameters out of order in: %.200s", sql);
        return NULL;
    }
    sq_stmt *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(db->err, sizeof db->err, "out of memory");
        return NULL;
    }
    st->base.db = db;
    if (sqlite3_prepare_v3(((sq_db *)db)->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->s, NULL) !=
        SQLITE_OK) {
        seterr(db);
        free(st);
        return NULL;
    }
    return &st->base;
}

#define S(st) (((sq_stmt *)(st))->s)

static void sq_free(mm_stmt *st)
{
    sqlite3_finalize(S(st));
    free(st);
}

static void sq_i64(mm_stmt *st, int i, int64_t v) { sqlite3_bind_int64(S(st), i, v); }
static void sq_dbl(mm_stmt *st, int i, double v) { sqlite3_bind_double(S(st), i, v); }
static void sq_null(mm_stmt *st, int i) { sqlite3_bind_null(S(st), i); }
static void sq_blob(mm_stmt *st, int i, const void *v, size_t n)
{
    /* a zero-length blob is not NULL: SQLite binds NULL for a NULL pointer */
    static const uint8_t none;
    sqlite3_bind_blob64(S(st), i, n ? v : &none, n, SQLITE_TRANSIENT);
}
static void sq_text(mm_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(S(st), i, v, -1, SQLITE_TRANSIENT);
}

static int sq_step(mm_stmt *st)
{
    int rc = sqlite3_step(S(st));
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    seterr(st->db);
    return -1;
}

static void sq_reset(mm_stmt *st)
{
    sqlite3_reset(S(st));
    sqlite3_clear_bindings(S(st));
}

static int sq_ncol(mm_stmt *st) { return sqlite3_column_count(S(st)); }
static bool sq_isnull(mm_stmt *st, int c) { return sqlite3_column_type(S(st), c) == SQLITE_NULL; }
static int64_t sq_coli(mm_stmt *st, int c) { return sqlite3_column_int64(S(st), c); }
static double sq_cold(mm_stmt *st, int c) { return sqlite3_column_double(S(st), c); }
static const char *sq_colt(mm_stmt *st, int c)
{
    const unsigned char *t = sqlite3_column_text(S(st), c);
    return t ? (const char *)t : "";
}

static const uint8_t *sq_colb(mm_stmt *st, int c, size_t *n)
{
    const uint8_t *b = sqlite3_column_blob(S(st), c);
    int l = sqlite3_column_bytes(S(st), c);
    *n = b && l > 0 ? (size_t)l : 0;
    return *n ? b : NULL;
}

static const mm_db_ops sq_ops = {
    sq_close, sq_exec, sq_prepare, sq_free, sq_i64, sq_text, sq_dbl, sq_null, sq_blob,
    sq_step, sq_reset, sq_ncol, sq_isnull, sq_coli, sq_cold, sq_colt, sq_colb,
};

mm_db *mm_sqlite_open(const char *path, char *err, size_t errlen)
{
    sq_db *db = calloc(1, sizeof(*db));
    if (!db) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    db->base.ops = &sq_ops;
    if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) : "cannot open");
        sqlite3_close(db->h);
        free(db);
        return NULL;
    }
    sqlite3_busy_timeout(db->h, 30000);
    /* 64 MiB of page cache: an import's upserts touch pages all over the
     * rollup's key, and the default 2 MiB makes each one a read */
    if (sq_exec(&db->base, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                           " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;") != 0) {
        snprintf(err, errlen, "%s: %s", path, db->base.err);
        sq_close(&db->base);
        return NULL;
    }
    return &db->base;
}
