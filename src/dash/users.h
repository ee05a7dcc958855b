/*
 * users.h - the dashboard's accounts (store table users): passwords as
 * libsodium's Argon2id strings (crypto_pwhash_str, OPSLIMIT_INTERACTIVE,
 * MEMLIMIT_INTERACTIVE), the login check with its lockout.
 *
 * A login that fails MM_USER_LOCK_AFTER times in a row locks the account
 * for MM_USER_LOCK_S seconds (a right password is refused too while it is
 * locked). A login for a name that does not exist spends the same Argon2
 * time (it is checked against a hash of a random password made at
 * start), so the answer's time does not tell which names exist; the
 * caller says the same words for every refusal.
 */
#ifndef MM_DASH_USERS_H
#define MM_DASH_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

#include "store/store.h"

#define MM_USER_LOCK_AFTER 10
#define MM_USER_LOCK_S (15 * 60)
#define MM_USER_NAME_MAX 64        /* bytes of a name: letters, digits, . _ - @ */
#define MM_PW_MIN 10               /* characters of a new password, at least */
#define MM_PW_MAX 512              /* bytes of a password, at most */
#define MM_PWHASH_LEN 128          /* crypto_pwhash_STRBYTES */

typedef enum { MM_ROLE_ANALYST = 1, MM_ROLE_COMPANY = 2 } mm_role;

typedef struct mm_user {
    int64_t id;
    char name[MM_USER_NAME_MAX + 1];
    mm_role role;
    int64_t site_id;               /* a company account's company; 0 for analysts */
    char site[128];                /* its name */
} mm_user;

/* Needs sodium_init() (done here; false when libsodium cannot start). */
bool mm_pw_init(void);
/* An Argon2id string of pw (NUL-ended, at most MM_PW_MAX bytes). */
bool mm_pw_hash(const char *pw, char out[MM_PWHASH_LEN]);
/* true when pw matches hash (constant time in libsodium). */
bool mm_pw_verify(const char *hash, const char *pw);
/* A new password is acceptable: MM_PW_MIN..MM_PW_MAX bytes, no control bytes. */
bool mm_pw_acceptable(const char *pw);
/* A user name is acceptable (see MM_USER_NAME_MAX). */
bool mm_user_name_ok(const char *name);

const char *mm_role_name(mm_role r);
/* "analyst" or "company" -> role; 0 otherwise. */
mm_role mm_role_parse(const char *s);

/* mimamori user ...: 0, or -1 with a reason in err. add refuses a name in
 * use, a company role without a company in the store, or an analyst
 * with one. passwd also ends every session of the user. */
int mm_user_add(mm_db *db, const char *name, mm_role role, const char *site, const char *pw,
                char *err, size_t errlen);
int mm_user_passwd(mm_db *db, const char *name, const char *pw, char *err, size_t errlen);
int mm_user_remove(mm_db *db, const char *name, char *err, size_t errlen);
/* One line per user: name, role, company, locked or not. */
typedef void (*mm_user_cb)(void *ctx, const mm_user *u, int64_t locked_until, int64_t failed);
int mm_user_each(mm_db *db, mm_user_cb cb, void *ctx);
/* The user of an id (false when there is none). */
bool mm_user_get(mm_db *db, int64_t id, mm_user *out);

typedef enum {
    MM_LOGIN_OK = 0,
    MM_LOGIN_BAD,                  /* no such user, or a wrong password */
    MM_LOGIN_LOCKED,               /* too many failures: wait */
    MM_LOGIN_ERROR,                /* the store failed */
} mm_login_result;

/* The login check at now_us (see above). out filled on MM_LOGIN_OK. mu
 * (NULL: none) is the store's lock: held for the store's parts, not
 * while Argon2 runs. A new password is also ended in every session of
 * the user (the caller makes the one it keeps). */
mm_login_result mm_user_login(mm_db *db, pthread_mutex_t *mu, const char *name, const char *pw,
                              int64_t now_us, mm_user *out);
/* A password change by the user: old must match (failures count towards
 * the lockout as a login's do). */
mm_login_result mm_user_change_pw(mm_db *db, pthread_mutex_t *mu, int64_t id, const char *old_pw,
                                  const char *new_pw, int64_t now_us);

#endif
