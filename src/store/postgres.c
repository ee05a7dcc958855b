/*
 * postgres.c - the PostgreSQL backend of the store (libpq). Statements are
 * server-side prepared once; parameters travel as text (bytes in binary)
 * and PostgreSQL infers their types from the statement. Results are read
 * whole, as text (the store's queries return aggregates, not raw tables);
 * a BYTEA column comes as \x and hex digits and is decoded on demand.
 */
#include "store/store_int.h"
#include "util/util.h"

#include <libpq-fe.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_MAX_PARAMS 32

typedef struct {
    mm_db base;
    PGconn *c;
    unsigned next_name;
} pg_db;

typedef struct {
    mm_stmt base;
    char name[24];
    int nparams;
    char *val[PG_MAX_PARAMS];
    int len[PG_MAX_PARAMS], fmt[PG_MAX_PARAMS];   /* fmt 1: bytes of len */
    PGresult *res;
    uint8_t *blob;              /* a decoded BYTEA column */
    size_t blob_cap;
    int row, nrows;
} pg_stmt;

static void seterr(mm_db *db, const char *msg)
{
    snprintf(db->err, sizeof db->err, "%s", msg);
    size_t l = strlen(db->err);
    while (l && (db->err[l - 1] == '\n' || db->err[l - 1] == ' '))
        db->err[--l] = 0;
}

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static void pg_close(mm_db *db)
{
    PQfinish(((pg_db *)db)->c);
    free(db);
}

static int pg_exec(mm_db *db, const char *sql)
{
    char *x = mm_sql_expand(sql, "BIGSERIAL PRIMARY KEY", "", "BYTEA");
    if (!x) {
        seterr(db, "out of memory");
        return -1;
    }
    PGresult *r = PQexec(((pg_db *)db)->c, x);
    free(x);
    ExecStatusType s = PQresultStatus(r);
    int rc = 0;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
        seterr(db, PQerrorMessage(((pg_db *)db)->c));
        rc = -1;
    }
    PQclear(r);
    return rc;
}

static mm_stmt *pg_prepare(mm_db *db, const char *sql)
{
    pg_db *d = (pg_db *)db;
    pg_stmt *st = calloc(1, sizeof(*st));
    if (!st) {
        seterr(db, "out of memory");
        return NULL;
    }
    st->base.db = db;
    for (const char *p = sql; (p = strchr(p, '$')); p++) {
        int k = atoi(p + 1);
        if (k > st->nparams)
            st->nparams = k;
    }
    if (st->nparams > PG_MAX_PARAMS) {
        seterr(db, "too many parameters");
        free(st);
        return NULL;
    }
    snprintf(st->name, sizeof st->name, "mm%u", d->next_name++);
    PGresult *r = PQprepare(d->c, st->name, sql, st->nparams, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        seterr(db, PQerrorMessage(d->c));
        PQclear(r);
        free(st);
        return NULL;
    }
    PQclear(r);
    return &st->base;
}

#define P(st) ((pg_stmt *)(st))

static void pg_reset(mm_stmt *st)
{
    pg_stmt *p = P(st);
    PQclear(p->res);
    p->res = NULL;
    for (int i = 0; i < PG_MAX_PARAMS; i++) {
        free(p->val[i]);
        p->val[i] = NULL;
        p->len[i] = p->fmt[i] = 0;
    }
}

static void pg_free(mm_stmt *st)
{
    pg_db *d = (pg_db *)st->db;
    char sql[64];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", P(st)->name);
    PQclear(PQexec(d->c, sql));
    pg_reset(st);
    free(P(st)->blob);
    free(st);
}

static void put(mm_stmt *st, int i, char *v)
{
    if (i < 1 || i > PG_MAX_PARAMS) {
        free(v);
        return;
    }
    free(P(st)->val[i - 1]);
    P(st)->val[i - 1] = v;
    P(st)->len[i - 1] = P(st)->fmt[i - 1] = 0;
}

static void pg_i64(mm_stmt *st, int i, int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRId64, v);
    put(st, i, strdup(b));
}

static void pg_dbl(mm_stmt *st, int i, double v)
{
    char b[40];
    snprintf(b, sizeof b, "%.17g", v);
    put(st, i, strdup(b));
}

static void pg_text(mm_stmt *st, int i, const char *v) { put(st, i, strdup(v)); }
static void pg_null(mm_stmt *st, int i) { put(st, i, NULL); }

static void pg_blob(mm_stmt *st, int i, const void *v, size_t n)
{
    if (i < 1 || i > PG_MAX_PARAMS)
        return;
    if (n > INT32_MAX) {
        put(st, i, NULL);           /* beyond what one parameter carries */
        return;
    }
    char *b = malloc(n ? n : 1);
    if (b && n)
        memcpy(b, v, n);
    put(st, i, b);
    if (b) {
        P(st)->len[i - 1] = (int)n;
        P(st)->fmt[i - 1] = 1;
    }
}

static int pg_step(mm_stmt *st)
{
    pg_stmt *p = P(st);
    if (!p->res) {
        pg_db *d = (pg_db *)st->db;
        p->res = PQexecPrepared(d->c, p->name, p->nparams, (const char *const *)p->val, p->len,
                                p->fmt, 0);
        ExecStatusType s = PQresultStatus(p->res);
        if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
            seterr(st->db, PQerrorMessage(d->c));
            PQclear(p->res);
            p->res = NULL;
            return -1;
        }
        p->row = -1;
        p->nrows = PQntuples(p->res);
    }
    if (p->row + 1 < p->nrows) {
        p->row++;
        return 1;
    }
    return 0;
}

static int pg_ncol(mm_stmt *st) { return P(st)->res ? PQnfields(P(st)->res) : 0; }

static bool pg_isnull(mm_stmt *st, int c)
{
    pg_stmt *p = P(st);
    return !p->res || p->row < 0 || c >= PQnfields(p->res) || PQgetisnull(p->res, p->row, c);
}

static const char *pg_colt(mm_stmt *st, int c)
{
    pg_stmt *p = P(st);
    if (pg_isnull(st, c))
        return "";
    return PQgetvalue(p->res, p->row, c);
}

static int64_t pg_coli(mm_stmt *st, int c) { return strtoll(pg_colt(st, c), NULL, 10); }
static double pg_cold(mm_stmt *st, int c) { return strtod(pg_colt(st, c), NULL); }

/* BYTEA's text output ("\x" and hex digits, the default since 9.0). */
static const uint8_t *pg_colb(mm_stmt *st, int c, size_t *n)
{
    pg_stmt *p = P(st);
    *n = 0;
    if (pg_isnull(st, c))
        return NULL;
    const char *t = PQgetvalue(p->res, p->row, c);
    size_t tl = (size_t)PQgetlength(p->res, p->row, c);
    if (tl < 2 || t[0] != '\\' || t[1] != 'x' || (tl - 2) % 2)
        return NULL;
    size_t bl = (tl - 2) / 2;
    if (bl == 0)
        return NULL;
    if (bl > p->blob_cap) {
        uint8_t *nb = realloc(p->blob, bl);
        if (!nb)
            return NULL;
        p->blob = nb;
        p->blob_cap = bl;
    }
    for (size_t i = 0; i < bl; i++) {
        int hi = mm_hex_value(t[2 + 2 * i]), lo = mm_hex_value(t[3 + 2 * i]);
        if (hi < 0 || lo < 0)
            return NULL;
        p->blob[i] = (uint8_t)(hi << 4 | lo);
    }
    *n = bl;
    return p->blob;
}

static const mm_db_ops pg_ops = {
    pg_close, pg_exec, pg_prepare, pg_free, pg_i64, pg_text, pg_dbl, pg_null, pg_blob,
    pg_step, pg_reset, pg_ncol, pg_isnull, pg_coli, pg_cold, pg_colt, pg_colb,
};

mm_db *mm_pg_open(const char *url, char *err, size_t errlen)
{
    pg_db *db = calloc(1, sizeof(*db));
    if (!db) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    db->base.ops = &pg_ops;
    db->base.pg = true;
    db->c = PQconnectdb(url);
    if (PQstatus(db->c) != CONNECTION_OK) {
        seterr(&db->base, PQerrorMessage(db->c));
        snprintf(err, errlen, "PostgreSQL: %s", db->base.err);
        pg_close(&db->base);
        return NULL;
    }
    PQsetNoticeProcessor(db->c, quiet, NULL);
    return &db->base;
}
