/*
 * store.h - the analysis store: one SQL interface over SQLite (a file, the
 * default) and PostgreSQL (a postgresql:// URL, for a central server).
 *
 * Callers write one SQL text for both: parameters are $1, $2, ... in the
 * order they first appear (SQLite reads "$1" as a named parameter and
 * numbers it by first appearance, PostgreSQL by its digits), upserts are
 * INSERT ... ON CONFLICT (...) DO UPDATE, and times are integers
 * (microseconds since the epoch, UTC). The spellings that differ are
 * written as placeholders in schema text and expanded per backend by
 * mm_db_exec: @ID@ an auto-numbered key, @WOR@ after a table that SQLite
 * should store in its key's order (WITHOUT ROWID; nothing on PostgreSQL),
 * @BLOB@ a column of bytes (BLOB, BYTEA).
 *
 * Statements are prepared once and run many times: bind, step until it
 * returns 0, reset. Column values are valid until the next step or reset.
 */
#ifndef MM_STORE_H
#define MM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_db mm_db;
typedef struct mm_stmt mm_stmt;

/* target: a file path (SQLite, created if missing, WAL) or a
 * postgresql:// or postgres:// URL. */
mm_db *mm_db_open(const char *target, char *err, size_t errlen);
void mm_db_close(mm_db *db);
bool mm_db_is_pg(const mm_db *db);
/* The last error message of the connection. */
const char *mm_db_error(mm_db *db);

/* One or more statements without parameters. 0 or -1 (see mm_db_error). */
int mm_db_exec(mm_db *db, const char *sql);
int mm_db_begin(mm_db *db);
int mm_db_commit(mm_db *db);
void mm_db_rollback(mm_db *db);

mm_stmt *mm_db_prepare(mm_db *db, const char *sql);
void mm_stmt_free(mm_stmt *st);
/* idx counts from 1. Text is copied. */
void mm_stmt_i64(mm_stmt *st, int idx, int64_t v);
void mm_stmt_text(mm_stmt *st, int idx, const char *v);   /* NULL binds NULL */
void mm_stmt_dbl(mm_stmt *st, int idx, double v);
void mm_stmt_null(mm_stmt *st, int idx);
/* Bytes (a BLOB in SQLite, a BYTEA in PostgreSQL), copied. */
void mm_stmt_blob(mm_stmt *st, int idx, const void *v, size_t n);
/* 1: a row is ready; 0: done; -1: error (see mm_db_error). */
int mm_stmt_step(mm_stmt *st);
/* Clears the result and the bindings, ready to run again. */
void mm_stmt_reset(mm_stmt *st);
/* Runs a statement that returns no rows: step + reset; 0 or -1. */
int mm_stmt_run(mm_stmt *st);

int mm_col_count(mm_stmt *st);
bool mm_col_null(mm_stmt *st, int col);     /* col counts from 0 */
int64_t mm_col_i64(mm_stmt *st, int col);
double mm_col_dbl(mm_stmt *st, int col);
const char *mm_col_text(mm_stmt *st, int col);   /* "" for NULL */
/* A BLOB / BYTEA column: its bytes and length (NULL and 0 for NULL or
 * empty); valid like text, until the next step or reset. */
const uint8_t *mm_col_blob(mm_stmt *st, int col, size_t *n);

/* One number from a query without parameters (0 on error or no row). */
int64_t mm_db_scalar(mm_db *db, const char *sql);

/* Creates the tables when missing (schema.c). 0 or -1. */
int mm_store_init(mm_db *db);

#endif
