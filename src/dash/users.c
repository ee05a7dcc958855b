/*
 * users.c - accounts and the login check (see users.h).
 */
#include "dash/users.h"
#include "util/util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Argon2 takes MEMLIMIT_INTERACTIVE (64 MiB) per hash: at most this many
 * at once, the others wait. */
#define PW_PARALLEL 4

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool ready;
static char dummy[MM_PWHASH_LEN];     /* a hash of a random password */
static pthread_mutex_t slot_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_cv = PTHREAD_COND_INITIALIZER;
static unsigned slots_used;

static void slot_take(void)
{
    pthread_mutex_lock(&slot_mu);
    while (slots_used >= PW_PARALLEL)
        pthread_cond_wait(&slot_cv, &slot_mu);
    slots_used++;
    pthread_mutex_unlock(&slot_mu);
}

static void slot_give(void)
{
    pthread_mutex_lock(&slot_mu);
    slots_used--;
    pthread_cond_signal(&slot_cv);
    pthread_mutex_unlock(&slot_mu);
}

static bool hash_raw(const char *pw, char out[MM_PWHASH_LEN])
{
    slot_take();
    int rc = crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    slot_give();
    return rc == 0;
}

static void init_once(void)
{
    if (sodium_init() < 0)
        return;
    uint8_t r[24];
    char pw[49];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(pw, sizeof pw, r, sizeof r);
    ready = hash_raw(pw, dummy);
    sodium_memzero(pw, sizeof pw);
}

bool mm_pw_init(void)
{
    pthread_once(&once, init_once);
    return ready;
}

bool mm_pw_hash(const char *pw, char out[MM_PWHASH_LEN])
{
    _Static_assert(MM_PWHASH_LEN == crypto_pwhash_STRBYTES, "hash string size");
    if (!mm_pw_init() || strlen(pw) > MM_PW_MAX)
        return false;
    return hash_raw(pw, out);
}

bool mm_pw_verify(const char *hash, const char *pw)
{
    if (!mm_pw_init())
        return false;
    size_t l = strlen(pw);
    if (l > MM_PW_MAX)
        l = MM_PW_MAX;             /* still spends the time */
    char h[MM_PWHASH_LEN];
    if (!mm_strcpy(h, sizeof h, hash))
        mm_strcpy(h, sizeof h, dummy);
    slot_take();
    int rc = crypto_pwhash_str_verify(h, pw, l);
    slot_give();
    return rc == 0 && strlen(pw) <= MM_PW_MAX;
}

bool mm_pw_acceptable(const char *pw)
{
    size_t l = strlen(pw);
    if (l < MM_PW_MIN || l > MM_PW_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

bool mm_user_name_ok(const char *name)
{
    size_t l = strlen(name);
    if (l == 0 || l > MM_USER_NAME_MAX)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-' || *p == '@'))
            return false;
    return true;
}

const char *mm_role_name(mm_role r)
{
    return r == MM_ROLE_ANALYST ? "analyst" : r == MM_ROLE_COMPANY ? "company" : "?";
}

mm_role mm_role_parse(const char *s)
{
    if (s && strcmp(s, "analyst") == 0)
        return MM_ROLE_ANALYST;
    if (s && strcmp(s, "company") == 0)
        return MM_ROLE_COMPANY;
    return 0;
}

/* ---- the store ---- */

static int64_t now_us(void) { return (int64_t)(mm_now_ns() / 1000); }

/* One statement run once with text parameters (NULL binds NULL); the
 * number of rows it reported through RETURNING, or -1. */
static int64_t run_returning(mm_db *db, const char *sql, const char *a, const char *b,
                             int64_t n3, bool use3)
{
    mm_stmt *st = mm_db_prepare(db, sql);
    if (!st)
        return -1;
    if (a)
        mm_stmt_text(st, 1, a);
    if (b)
        mm_stmt_text(st, 2, b);
    if (use3)
        mm_stmt_i64(st, 3, n3);
    int64_t rows = 0;
    int rc;
    while ((rc = mm_stmt_step(st)) == 1)
        rows++;
    mm_stmt_free(st);
    return rc < 0 ? -1 : rows;
}

static bool site_of(mm_db *db, const char *site, int64_t *id)
{
    mm_stmt *st = mm_db_prepare(db, "SELECT id FROM sites WHERE name = $1");
    if (!st)
        return false;
    mm_stmt_text(st, 1, site);
    bool ok = mm_stmt_step(st) == 1;
    if (ok)
        *id = mm_col_i64(st, 0);
    mm_stmt_free(st);
    return ok;
}

int mm_user_add(mm_db *db, const char *name, mm_role role, const char *site, const char *pw,
                char *err, size_t errlen)
{
    if (!mm_user_name_ok(name)) {
        snprintf(err, errlen, "a user name is 1 to %d letters, digits, '.', '_', '-' or '@'",
                 MM_USER_NAME_MAX);
        return -1;
    }
    if (role != MM_ROLE_ANALYST && role != MM_ROLE_COMPANY) {
        snprintf(err, errlen, "the role is analyst or company");
        return -1;
    }
    if ((role == MM_ROLE_COMPANY) != (site != NULL)) {
        snprintf(err, errlen, role == MM_ROLE_COMPANY ? "a company account needs --site"
                                                      : "an analyst account has no --site");
        return -1;
    }
    if (!mm_pw_acceptable(pw)) {
        snprintf(err, errlen, "a password is %d to %d characters, without control characters",
                 MM_PW_MIN, MM_PW_MAX);
        return -1;
    }
    int64_t sid = 0;
    if (site && !site_of(db, site, &sid)) {
        snprintf(err, errlen, "no company named '%s' in the store", site);
        return -1;
    }
    char h[MM_PWHASH_LEN];
    if (!mm_pw_hash(pw, h)) {
        snprintf(err, errlen, "cannot hash the password (libsodium)");
        return -1;
    }
    mm_stmt *st = mm_db_prepare(db, "INSERT INTO users (name, role, site_id, pwhash, failed,"
                                    " locked_until, created) VALUES ($1, $2, $3, $4, 0, 0, $5)"
                                    " ON CONFLICT (name) DO NOTHING RETURNING id");
    if (!st) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return -1;
    }
    mm_stmt_text(st, 1, name);
    mm_stmt_text(st, 2, mm_role_name(role));
    if (site)
        mm_stmt_i64(st, 3, sid);
    else
        mm_stmt_null(st, 3);
    mm_stmt_text(st, 4, h);
    mm_stmt_i64(st, 5, now_us());
    int rc = mm_stmt_step(st);
    mm_stmt_free(st);
    if (rc < 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return -1;
    }
    if (rc == 0) {
        snprintf(err, errlen, "a user named '%s' exists already", name);
        return -1;
    }
    return 0;
}

static int set_hash(mm_db *db, const char *name, const char *h, char *err, size_t errlen);
static mm_login_result login_ok(mm_db *db, int64_t id, mm_user *out);

int mm_user_passwd(mm_db *db, const char *name, const char *pw, char *err, size_t errlen)
{
    if (!mm_pw_acceptable(pw)) {
        snprintf(err, errlen, "a password is %d to %d characters, without control characters",
                 MM_PW_MIN, MM_PW_MAX);
        return -1;
    }
    char h[MM_PWHASH_LEN];
    if (!mm_pw_hash(pw, h)) {
        snprintf(err, errlen, "cannot hash the password (libsodium)");
        return -1;
    }
    return set_hash(db, name, h, err, errlen);
}

/* The new hash, the lockout cleared, every session of the user ended. */
static int set_hash(mm_db *db, const char *name, const char *h, char *err, size_t errlen)
{
    int64_t n = run_returning(db, "UPDATE users SET pwhash = $1, failed = 0, locked_until = 0"
                                  " WHERE name = $2 RETURNING id", h, name, 0, false);
    if (n == 1 &&
        run_returning(db, "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE"
                          " name = $1) RETURNING user_id", name, NULL, 0, false) >= 0)
        return 0;
    if (n == 0)
        snprintf(err, errlen, "no user named '%s'", name);
    else
        snprintf(err, errlen, "store: %s", mm_db_error(db));
    return -1;
}

int mm_user_remove(mm_db *db, const char *name, char *err, size_t errlen)
{
    if (mm_db_begin(db) != 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return -1;
    }
    int64_t s = run_returning(db, "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users"
                                  " WHERE name = $1) RETURNING user_id", name, NULL, 0, false);
    int64_t n = s < 0 ? -1 : run_returning(db, "DELETE FROM users WHERE name = $1 RETURNING id",
                                           name, NULL, 0, false);
    if (n == 1 && mm_db_commit(db) == 0)
        return 0;
    if (n == 0)
        snprintf(err, errlen, "no user named '%s'", name);
    else
        snprintf(err, errlen, "store: %s", mm_db_error(db));
    mm_db_rollback(db);
    return -1;
}

static const char user_cols[] =
    "SELECT u.id, u.name, u.role, COALESCE(u.site_id, 0), COALESCE(s.name, ''), u.pwhash,"
    " u.failed, u.locked_until FROM users u LEFT JOIN sites s ON s.id = u.site_id";

static void user_row(mm_stmt *st, mm_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = mm_col_i64(st, 0);
    mm_strcpy(u->name, sizeof u->name, mm_col_text(st, 1));
    u->role = mm_role_parse(mm_col_text(st, 2));
    u->site_id = mm_col_i64(st, 3);
    mm_strcpy(u->site, sizeof u->site, mm_col_text(st, 4));
}

int mm_user_each(mm_db *db, mm_user_cb cb, void *ctx)
{
    char sql[512];
    snprintf(sql, sizeof sql, "%s ORDER BY u.name", user_cols);
    mm_stmt *st = mm_db_prepare(db, sql);
    if (!st)
        return -1;
    int rc;
    while ((rc = mm_stmt_step(st)) == 1) {
        mm_user u;
        user_row(st, &u);
        cb(ctx, &u, mm_col_i64(st, 7), mm_col_i64(st, 6));
    }
    mm_stmt_free(st);
    return rc < 0 ? -1 : 0;
}

bool mm_user_get(mm_db *db, int64_t id, mm_user *out)
{
    char sql[512];
    snprintf(sql, sizeof sql, "%s WHERE u.id = $1", user_cols);
    mm_stmt *st = mm_db_prepare(db, sql);
    if (!st)
        return false;
    mm_stmt_i64(st, 1, id);
    bool ok = mm_stmt_step(st) == 1;
    if (ok)
        user_row(st, out);
    mm_stmt_free(st);
    /* an account that is neither role, or a company account without its
     * company, is no account */
    return ok && (out->role == MM_ROLE_ANALYST ||
                  (out->role == MM_ROLE_COMPANY && out->site_id > 0 && out->site[0]));
}

/* A failure counted; the lockout starts at the MM_USER_LOCK_AFTER-th. */
static int count_failure(mm_db *db, int64_t id, int64_t now)
{
    mm_stmt *st = mm_db_prepare(db,
        "UPDATE users SET failed = CASE WHEN failed + 1 >= $1 THEN 0 ELSE failed + 1 END,"
        " locked_until = CASE WHEN failed + 1 >= $1 THEN $2 ELSE locked_until END"
        " WHERE id = $3");
    if (!st)
        return -1;
    mm_stmt_i64(st, 1, MM_USER_LOCK_AFTER);
    mm_stmt_i64(st, 2, now + (int64_t)MM_USER_LOCK_S * 1000000);
    mm_stmt_i64(st, 3, id);
    int rc = mm_stmt_run(st);
    mm_stmt_free(st);
    return rc;
}

/* What the login needs of a user, read under the store's lock. */
typedef struct rec {
    bool found;
    mm_user u;
    char hash[MM_PWHASH_LEN];
    int64_t locked_until;
} rec;

static int read_rec(mm_db *db, const char *col, const char *name, int64_t id, rec *r)
{
    memset(r, 0, sizeof *r);
    char sql[512];
    snprintf(sql, sizeof sql, "%s WHERE u.%s = $1", user_cols, col);
    mm_stmt *st = mm_db_prepare(db, sql);
    if (!st)
        return -1;
    if (name)
        mm_stmt_text(st, 1, name);
    else
        mm_stmt_i64(st, 1, id);
    int rc = mm_stmt_step(st);
    if (rc == 1) {
        user_row(st, &r->u);
        r->found = mm_strcpy(r->hash, sizeof r->hash, mm_col_text(st, 5));
        r->locked_until = mm_col_i64(st, 7);
    }
    mm_stmt_free(st);
    return rc < 0 ? -1 : 0;
}

static void lock(pthread_mutex_t *mu)
{
    if (mu)
        pthread_mutex_lock(mu);
}

static void unlock(pthread_mutex_t *mu)
{
    if (mu)
        pthread_mutex_unlock(mu);
}

/* Returns with mu held. */
static mm_login_result check(mm_db *db, pthread_mutex_t *mu, rec *r, const char *pw, int64_t now)
{
    /* the Argon2 time is spent whatever the case, without the store's lock */
    unlock(mu);
    bool match = mm_pw_verify(r->found ? r->hash : dummy, pw);
    lock(mu);
    if (!r->found)
        return MM_LOGIN_BAD;
    if (r->locked_until > now)
        return MM_LOGIN_LOCKED;
    if (!match)
        return count_failure(db, r->u.id, now) == 0 ? MM_LOGIN_BAD : MM_LOGIN_ERROR;
    return MM_LOGIN_OK;
}

mm_login_result mm_user_login(mm_db *db, pthread_mutex_t *mu, const char *name, const char *pw,
                              int64_t now_us, mm_user *out)
{
    if (!mm_pw_init())
        return MM_LOGIN_ERROR;
    rec r;
    lock(mu);
    mm_login_result res = read_rec(db, "name", name, 0, &r) != 0 ? MM_LOGIN_ERROR
                                                                 : check(db, mu, &r, pw, now_us);
    if (res == MM_LOGIN_OK)
        res = login_ok(db, r.u.id, out);
    unlock(mu);
    sodium_memzero(r.hash, sizeof r.hash);
    return res;
}

static mm_login_result login_ok(mm_db *db, int64_t id, mm_user *out)
{
    {
        if (!mm_user_get(db, id, out))
            return MM_LOGIN_BAD;
        mm_stmt *st = mm_db_prepare(db, "UPDATE users SET failed = 0 WHERE id = $1");
        if (!st)
            return MM_LOGIN_ERROR;
        mm_stmt_i64(st, 1, id);
        int rc = mm_stmt_run(st);
        mm_stmt_free(st);
        if (rc != 0)
            return MM_LOGIN_ERROR;
    }
    return MM_LOGIN_OK;
}

mm_login_result mm_user_change_pw(mm_db *db, pthread_mutex_t *mu, int64_t id, const char *old_pw,
                                  const char *new_pw, int64_t now_us)
{
    rec r;
    lock(mu);
    mm_login_result res = read_rec(db, "id", NULL, id, &r) != 0 ? MM_LOGIN_ERROR
                                                                : check(db, mu, &r, old_pw, now_us);
    unlock(mu);
    sodium_memzero(r.hash, sizeof r.hash);
    if (res != MM_LOGIN_OK)
        return res;
    char h[MM_PWHASH_LEN], err[256];
    if (!mm_pw_acceptable(new_pw) || !mm_pw_hash(new_pw, h))
        return MM_LOGIN_ERROR;
    lock(mu);
    int rc = set_hash(db, r.u.name, h, err, sizeof err);
    unlock(mu);
    return rc == 0 ? MM_LOGIN_OK : MM_LOGIN_ERROR;
}
