/*
 * expdb.c - exposure checks written to the store: one transaction per
 * check (its row, then its ports, then its counts).
 */
#include "exposure/expdb.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mm_expdb {
    mm_db *db;
    int64_t id, site_id, ts;
    mm_stmt *port;
};

static int64_t site_of(mm_db *db, const char *name)
{
    if (!name || !name[0])
        return 0;               /* anonymous */
    mm_stmt *add = mm_db_prepare(db, "INSERT INTO sites (name) VALUES ($1)"
                                     " ON CONFLICT (name) DO NOTHING");
    mm_stmt *find = mm_db_prepare(db, "SELECT id FROM sites WHERE name = $1");
    int64_t id = -1;
    if (add && find) {
        mm_stmt_text(add, 1, name);
        if (mm_stmt_run(add) == 0) {
            mm_stmt_text(find, 1, name);
            if (mm_stmt_step(find) == 1)
                id = mm_col_i64(find, 0);
        }
    }
    mm_stmt_free(add);
    mm_stmt_free(find);
    return id;
}

mm_expdb *mm_expdb_begin(mm_db *db, const char *site, const char *kind, int64_t ts_us,
                         const char *requester, const char *label, char *err, size_t errlen)
{
    if (mm_store_init(db) != 0 || mm_db_begin(db) != 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return NULL;
    }
    mm_expdb *x = calloc(1, sizeof *x);
    mm_stmt *ins = NULL;
    if (!x)
        goto fail;
    x->db = db;
    x->ts = ts_us;
    if ((x->site_id = site_of(db, site)) < 0)
        goto fail;
    ins = mm_db_prepare(db, "INSERT INTO exposure_checks (site_id, kind, ts, requester, label)"
                            " VALUES ($1, $2, $3, $4, $5) RETURNING id");
    if (!ins)
        goto fail;
    mm_stmt_i64(ins, 1, x->site_id);
    mm_stmt_text(ins, 2, kind);
    mm_stmt_i64(ins, 3, ts_us);
    mm_stmt_text(ins, 4, requester);
    mm_stmt_text(ins, 5, label);
    if (mm_stmt_step(ins) != 1)
        goto fail;
    x->id = mm_col_i64(ins, 0);
    mm_stmt_reset(ins);
    mm_stmt_free(ins);
    ins = NULL;
    x->port = mm_db_prepare(db,
        "INSERT INTO exposure_ports (check_id, site_id, target, port, state, service, banner,"
        " cert_subject, cert_names, cert_not_after, detail)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        " ON CONFLICT (check_id, target, port) DO NOTHING");
    if (!x->port)
        goto fail;
    return x;
fail:
    snprintf(err, errlen, "store: %s", mm_db_error(db));
    mm_stmt_free(ins);
    mm_db_rollback(db);
    if (x)
        mm_stmt_free(x->port);
    free(x);
    return NULL;
}

int64_t mm_expdb_check_id(const mm_expdb *x) { return x->id; }

static int put(mm_expdb *x, const char *target, uint16_t port, const char *state,
               const char *service, const char *banner, const char *subj, const char *names,
               const char *not_after, const char *detail)
{
    mm_stmt *st = x->port;
    mm_stmt_i64(st, 1, x->id);
    mm_stmt_i64(st, 2, x->site_id);
    mm_stmt_text(st, 3, target);
    mm_stmt_i64(st, 4, port);
    mm_stmt_text(st, 5, state);
    mm_stmt_text(st, 6, service && service[0] ? service : NULL);
    mm_stmt_text(st, 7, banner && banner[0] ? banner : NULL);
    mm_stmt_text(st, 8, subj && subj[0] ? subj : NULL);
    mm_stmt_text(st, 9, names && names[0] ? names : NULL);
    mm_stmt_text(st, 10, not_after && not_after[0] ? not_after : NULL);
    mm_stmt_text(st, 11, detail && detail[0] ? detail : NULL);
    return mm_stmt_run(st);
}

int mm_expdb_port(mm_expdb *x, const mm_probe_result *r, bool all_states)
{
    if (r->state == MM_PS_FILTERED && !all_states)
        return 0;
    char ip[MM_IPSTR_LEN];
    mm_ip_str(&r->addr, ip);
    return put(x, ip, r->port, mm_port_state_name(r->state), r->service, r->banner,
               r->cert_subject, r->cert_names, r->cert_not_after, NULL);
}

int mm_expdb_finding(mm_expdb *x, const char *target, uint16_t port, const char *service,
                     const char *banner, const char *detail)
{
    return put(x, target, port, "open", service, banner, NULL, NULL, NULL, detail);
}

int mm_expdb_end(mm_expdb *x, size_t targets, size_t ports, const mm_probe_stats *st)
{
    mm_stmt *up = mm_db_prepare(x->db,
        "UPDATE exposure_checks SET targets = $1, ports = $2, open = $3, closed = $4,"
        " filtered = $5, hosts_down = $6 WHERE id = $7");
    int rc = -1;
    if (up) {
        mm_stmt_i64(up, 1, (int64_t)targets);
        mm_stmt_i64(up, 2, (int64_t)ports);
        mm_stmt_i64(up, 3, (int64_t)st->open);
        mm_stmt_i64(up, 4, (int64_t)st->closed);
        mm_stmt_i64(up, 5, (int64_t)st->filtered);
        mm_stmt_i64(up, 6, (int64_t)st->hosts_down);
        mm_stmt_i64(up, 7, x->id);
        rc = mm_stmt_run(up);
        mm_stmt_free(up);
    }
    /* the store's span: a report's default period covers the check */
    static const char *const span[] = {
        "INSERT INTO span (k, v) VALUES ('first', $1) ON CONFLICT (k) DO UPDATE"
        " SET v = CASE WHEN excluded.v < span.v THEN excluded.v ELSE span.v END",
        "INSERT INTO span (k, v) VALUES ('last', $1) ON CONFLICT (k) DO UPDATE"
        " SET v = CASE WHEN excluded.v > span.v THEN excluded.v ELSE span.v END"};
    for (int i = 0; i < 2 && rc == 0; i++) {
        mm_stmt *sp = mm_db_prepare(x->db, span[i]);
        rc = -1;
        if (sp) {
            mm_stmt_i64(sp, 1, x->ts);
            rc = mm_stmt_run(sp);
            mm_stmt_free(sp);
        }
    }
    mm_stmt_free(x->port);
    if (rc == 0)
        rc = mm_db_commit(x->db);
    else
        mm_db_rollback(x->db);
    free(x);
    return rc;
}

void mm_expdb_abort(mm_expdb *x)
{
    if (!x)
        return;
    mm_stmt_free(x->port);
    mm_db_rollback(x->db);
    free(x);
}

int mm_expdb_link_new(mm_db *db, const char *site, char token[33], char *err, size_t errlen)
{
    uint8_t r[16];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(token, 33, r, sizeof r);
    if (mm_store_init(db) != 0 || mm_db_begin(db) != 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return -1;
    }
    int64_t sid = site_of(db, site);
    mm_stmt *st = sid > 0 ? mm_db_prepare(db, "INSERT INTO exposure_links (token, site_id,"
                                              " created) VALUES ($1, $2, $3)")
                          : NULL;
    int rc = -1;
    if (st) {
        mm_stmt_text(st, 1, token);
        mm_stmt_i64(st, 2, sid);
        mm_stmt_i64(st, 3, (int64_t)(mm_now_ns() / 1000));
        rc = mm_stmt_run(st);
        mm_stmt_free(st);
    }
    if (rc == 0)
        rc = mm_db_commit(db);
    else
        mm_db_rollback(db);
    if (rc != 0)
        snprintf(err, errlen, "store: %s", mm_db_error(db));
    return rc;
}

bool mm_expdb_link_site(mm_db *db, const char *token, char *out, size_t outlen)
{
    if (strlen(token) != 32 || strspn(token, "0123456789abcdef") != 32)
        return false;
    mm_stmt *st = mm_db_prepare(db, "SELECT s.name FROM exposure_links l JOIN sites s"
                                    " ON s.id = l.site_id WHERE l.token = $1 AND l.revoked = 0");
    bool ok = false;
    if (st) {
        mm_stmt_text(st, 1, token);
        if (mm_stmt_step(st) == 1) {
            snprintf(out, outlen, "%s", mm_col_text(st, 0));
            ok = true;
        }
        mm_stmt_free(st);
    }
    return ok;
}
