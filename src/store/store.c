/*
 * store.c - picks the backend from the target's spelling and forwards
 * every call of store.h to it (see store_int.h).
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mm_db *mm_db_open(const char *target, char *err, size_t errlen)
{
    if (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0)
        return mm_pg_open(target, err, errlen);
    return mm_sqlite_open(target, err, errlen);
}

void mm_db_close(mm_db *db)
{
    if (db)
        db->ops->close(db);
}

bool mm_db_is_pg(const mm_db *db) { return db->pg; }
const char *mm_db_error(mm_db *db) { return db->err; }
int mm_db_exec(mm_db *db, const char *sql) { return db->ops->exec(db, sql); }
int mm_db_begin(mm_db *db) { return db->ops->exec(db, "BEGIN"); }
int mm_db_commit(mm_db *db) { return db->ops->exec(db, "COMMIT"); }

void mm_db_rollback(mm_db *db)
{
    char keep[sizeof db->err];
    memcpy(keep, db->err, sizeof keep);
    db->ops->exec(db, "ROLLBACK");
    memcpy(db->err, keep, sizeof keep);   /* the cause, not the rollback, is news */
}

mm_stmt *mm_db_prepare(mm_db *db, const char *sql) { return db->ops->prepare(db, sql); }

void mm_stmt_free(mm_stmt *st)
{
    if (st)
        st->db->ops->stmt_free(st);
}

void mm_stmt_i64(mm_stmt *st, int idx, int64_t v) { st->db->ops->bind_i64(st, idx, v); }
void mm_stmt_dbl(mm_stmt *st, int idx, double v) { st->db->ops->bind_dbl(st, idx, v); }
void mm_stmt_null(mm_stmt *st, int idx) { st->db->ops->bind_null(st, idx); }
void mm_stmt_blob(mm_stmt *st, int idx, const void *v, size_t n)
{
    st->db->ops->bind_blob(st, idx, v, n);
}

void mm_stmt_text(mm_stmt *st, int idx, const char *v)
{
    if (v)
        st->db->ops->bind_text(st, idx, v);
    else
        st->db->ops->bind_null(st, idx);
}

int mm_stmt_step(mm_stmt *st) { return st->db->ops->step(st); }
void mm_stmt_reset(mm_stmt *st) { st->db->ops->reset(st); }

int mm_stmt_run(mm_stmt *st)
{
    int rc = mm_stmt_step(st);
    mm_stmt_reset(st);
    return rc < 0 ? -1 : 0;
}

int mm_col_count(mm_stmt *st) { return st->db->ops->col_count(st); }
bool mm_col_null(mm_stmt *st, int col) { return st->db->ops->col_null(st, col); }
int64_t mm_col_i64(mm_stmt *st, int col) { return st->db->ops->col_i64(st, col); }
double mm_col_dbl(mm_stmt *st, int col) { return st->db->ops->col_dbl(st, col); }
const char *mm_col_text(mm_stmt *st, int col) { return st->db->ops->col_text(st, col); }
const uint8_t *mm_col_blob(mm_stmt *st, int col, size_t *n)
{
    return st->db->ops->col_blob(st, col, n);
}

int64_t mm_db_scalar(mm_db *db, const char *sql)
{
    mm_stmt *st = mm_db_prepare(db, sql);
    if (!st)
        return 0;
    int64_t v = mm_stmt_step(st) == 1 ? mm_col_i64(st, 0) : 0;
    mm_stmt_free(st);
    return v;
}

char *mm_sql_expand(const char *sql, const char *id, const char *wor, const char *blob)
{
    static const char *const from[3] = {"@ID@", "@WOR@", "@BLOB@"};
    const char *to[3] = {id, wor, blob};
    size_t n = strlen(sql) + 1;
    for (int k = 0; k < 3; k++)
        for (const char *p = sql; (p = strstr(p, from[k])); p += strlen(from[k]))
            n += strlen(to[k]);
    char *out = malloc(n), *o = out;
    if (!out)
        return NULL;
    for (const char *p = sql; *p;) {
        int k = -1;
        for (int j = 0; j < 3 && k < 0; j++)
            if (strncmp(p, from[j], strlen(from[j])) == 0)
                k = j;
        if (k < 0) {
            *o++ = *p++;
            continue;
        }
        size_t l = strlen(to[k]);
        memcpy(o, to[k], l);
        o += l;
        p += strlen(from[k]);
    }
    *o = 0;
    return out;
}
