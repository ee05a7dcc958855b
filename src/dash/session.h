/*
 * session.h - logins of the dashboard (store table sessions).
 *
 * A session is a random 32-byte token, sent to the browser as 64 hex
 * digits in the cookie MM_SESS_COOKIE; the store keeps only its SHA-256.
 * It ends MM_SESS_IDLE_S after its last use, MM_SESS_MAX_S after the
 * login at the latest, at logout, and when the user's password changes.
 * A token is made only by a login: a cookie a browser sends before it is
 * never made a session (no fixation).
 */
#ifndef MM_DASH_SESSION_H
#define MM_DASH_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "dash/users.h"
#include "store/store.h"

#define MM_SESS_COOKIE "mm_session"
#define MM_SESS_TOKEN_LEN 64          /* hex digits */
#define MM_SESS_IDLE_S (30 * 60)
#define MM_SESS_MAX_S (12 * 3600)
#define MM_SESS_TOUCH_S 60            /* last use written at most this often */

typedef struct mm_session {
    mm_user user;
    char hash[65];                    /* the token's SHA-256, hex */
    int64_t created, expires, last_seen;
} mm_session;

/* A new session for user at now_us: the token (MM_SESS_TOKEN_LEN hex
 * digits and a NUL) in token. 0 or -1. */
int mm_sess_create(mm_db *db, int64_t user_id, int64_t now_us,
                   char token[MM_SESS_TOKEN_LEN + 1]);
/* The live session of a token (any text: what a cookie held), its user
 * read again; its last use updated. false when there is none, it has
 * expired (then it is deleted), or its user is gone. */
bool mm_sess_lookup(mm_db *db, const char *token, int64_t now_us, mm_session *out);
/* Ends the session of a token. 0 or -1. */
int mm_sess_revoke(mm_db *db, const char *token);
/* Ends every session of a user but the one whose hash is keep_hash (NULL:
 * all). 0 or -1. */
int mm_sess_revoke_user(mm_db *db, int64_t user_id, const char *keep_hash);
/* Deletes the expired sessions. */
int mm_sess_sweep(mm_db *db, int64_t now_us);
/* The hex SHA-256 of a token (false when it is not 64 hex digits). */
bool mm_sess_hash(const char *token, char out[65]);

#endif
