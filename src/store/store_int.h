/*
 * store_int.h - what the two backends (sqlite.c, postgres.c) provide to
 * store.c, which dispatches the calls of store.h through this table.
 */
#ifndef MM_STORE_INT_H
#define MM_STORE_INT_H

#include "store/store.h"

typedef struct mm_db_ops {
    void (*close)(mm_db *db);
    int (*exec)(mm_db *db, const char *sql);
    mm_stmt *(*prepare)(mm_db *db, const char *sql);
    void (*stmt_free)(mm_stmt *st);
    void (*bind_i64)(mm_stmt *st, int idx, int64_t v);
    void (*bind_text)(mm_stmt *st, int idx, const char *v);
    void (*bind_dbl)(mm_stmt *st, int idx, double v);
    void (*bind_null)(mm_stmt *st, int idx);
    void (*bind_blob)(mm_stmt *st, int idx, const void *v, size_t n);
    int (*step)(mm_stmt *st);
    void (*reset)(mm_stmt *st);
    int (*col_count)(mm_stmt *st);
    bool (*col_null)(mm_stmt *st, int col);
    int64_t (*col_i64)(mm_stmt *st, int col);
    double (*col_dbl)(mm_stmt *st, int col);
    const char *(*col_text)(mm_stmt *st, int col);
    const uint8_t *(*col_blob)(mm_stmt *st, int col, size_t *n);
} mm_db_ops;

struct mm_db {
    const mm_db_ops *ops;
    bool pg;
    char err[512];
};

struct mm_stmt {
    mm_db *db;
};

/* The schema's backend spellings: @ID@ (an auto-numbered key), @WOR@
 * (after a table stored in key order) and @BLOB@ (a column of bytes);
 * malloc'd, NULL on no memory. */
char *mm_sql_expand(const char *sql, const char *id, const char *wor, const char *blob);

mm_db *mm_sqlite_open(const char *path, char *err, size_t errlen);
mm_db *mm_pg_open(const char *url, char *err, size_t errlen);

#endif
