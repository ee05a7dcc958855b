/*
 * session.c - sessions in the store (see session.h).
 */
#include "dash/session.h"
#include "util/util.h"

#include <sodium.h>
#include <string.h>

bool mm_sess_hash(const char *token, char out[65])
{
    if (!token || strlen(token) != MM_SESS_TOKEN_LEN)
        return false;
    for (const char *p = token; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const uint8_t *)token, MM_SESS_TOKEN_LEN);
    sodium_bin2hex(out, 65, h, sizeof h);
    return true;
}

int mm_sess_create(mm_db *db, int64_t user_id, int64_t now_us, char token[MM_SESS_TOKEN_LEN + 1])
{
    if (!mm_pw_init())
        return -1;
    uint8_t r[32];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(token, MM_SESS_TOKEN_LEN + 1, r, sizeof r);
    sodium_memzero(r, sizeof r);
    char h[65];
    if (!mm_sess_hash(token, h))
        return -1;
    mm_stmt *st = mm_db_prepare(db, "INSERT INTO sessions (token_hash, user_id, created, expires,"
                                    " last_seen) VALUES ($1, $2, $3, $4, $3)");
    if (!st)
        return -1;
    mm_stmt_text(st, 1, h);
    mm_stmt_i64(st, 2, user_id);
    mm_stmt_i64(st, 3, now_us);
    mm_stmt_i64(st, 4, now_us + (int64_t)MM_SESS_MAX_S * 1000000);
    int rc = mm_stmt_run(st);
    mm_stmt_free(st);
    return rc;
}

static int delete_hash(mm_db *db, const char *h)
{
    mm_stmt *st = mm_db_prepare(db, "DELETE FROM sessions WHERE token_hash = $1");
    if (!st)
        return -1;
    mm_stmt_text(st, 1, h);
    int rc = mm_stmt_run(st);
    mm_stmt_free(st);
    return rc;
}

bool mm_sess_lookup(mm_db *db, const char *token, int64_t now_us, mm_session *out)
{
    memset(out, 0, sizeof *out);
    if (!mm_sess_hash(token, out->hash))
        return false;
    mm_stmt *st = mm_db_prepare(db, "SELECT user_id, created, expires, last_seen FROM sessions"
                                    " WHERE token_hash = $1");
    if (!st)
        return false;
    mm_stmt_text(st, 1, out->hash);
    int64_t uid = 0;
    bool found = mm_stmt_step(st) == 1;
    if (found) {
        uid = mm_col_i64(st, 0);
        out->created = mm_col_i64(st, 1);
        out->expires = mm_col_i64(st, 2);
        out->last_seen = mm_col_i64(st, 3);
    }
    mm_stmt_free(st);
    if (!found)
        return false;
    if (now_us >= out->expires || now_us - out->last_seen >= (int64_t)MM_SESS_IDLE_S * 1000000 ||
        now_us < out->created || !mm_user_get(db, uid, &out->user)) {
        delete_hash(db, out->hash);
        return false;
    }
    if (now_us - out->last_seen >= (int64_t)MM_SESS_TOUCH_S * 1000000) {
        st = mm_db_prepare(db, "UPDATE sessions SET last_seen = $1 WHERE token_hash = $2");
        if (st) {
            mm_stmt_i64(st, 1, now_us);
            mm_stmt_text(st, 2, out->hash);
            mm_stmt_run(st);
            mm_stmt_free(st);
        }
        out->last_seen = now_us;
    }
    return true;
}

int mm_sess_revoke(mm_db *db, const char *token)
{
    char h[65];
    if (!mm_sess_hash(token, h))
        return 0;
    return delete_hash(db, h);
}

int mm_sess_revoke_user(mm_db *db, int64_t user_id, const char *keep_hash)
{
    mm_stmt *st = mm_db_prepare(db, "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2");
    if (!st)
        return -1;
    mm_stmt_i64(st, 1, user_id);
    mm_stmt_text(st, 2, keep_hash ? keep_hash : "");
    int rc = mm_stmt_run(st);
    mm_stmt_free(st);
    return rc;
}

int mm_sess_sweep(mm_db *db, int64_t now_us)
{
    mm_stmt *st = mm_db_prepare(db, "DELETE FROM sessions WHERE expires <= $1 OR last_seen <= $2");
    if (!st)
        return -1;
    mm_stmt_i64(st, 1, now_us);
    mm_stmt_i64(st, 2, now_us - (int64_t)MM_SESS_IDLE_S * 1000000);
    int rc = mm_stmt_run(st);
    mm_stmt_free(st);
    return rc;
}
