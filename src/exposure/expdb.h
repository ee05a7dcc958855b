/*
 * expdb.h - exposure checks in the store (tables exposure_checks and
 * exposure_ports, store/schema.c), through the store's one interface.
 */
#ifndef MM_EXPOSURE_EXPDB_H
#define MM_EXPOSURE_EXPDB_H

#include "exposure/probe.h"
#include "store/store.h"

typedef struct mm_expdb mm_expdb;

/* A check begins: kind "self", "scan" or "web"; site NULL or "" for an
 * anonymous self-check; requester the address a self-check came from.
 * NULL with a one-line reason. */
mm_expdb *mm_expdb_begin(mm_db *db, const char *site, const char *kind, int64_t ts_us,
                         const char *requester, const char *label, char *err, size_t errlen);
int64_t mm_expdb_check_id(const mm_expdb *x);
/* One port's result (all_states: filtered ones too, as self-checks keep). */
int mm_expdb_port(mm_expdb *x, const mm_probe_result *r, bool all_states);
/* A finding of a web-site check: target the site, port its port, state
 * "open", service what was found ("admin-path"...), detail its words. */
int mm_expdb_finding(mm_expdb *x, const char *target, uint16_t port, const char *service,
                     const char *banner, const char *detail);
/* The check ends with its counts; the writes are committed. */
int mm_expdb_end(mm_expdb *x, size_t targets, size_t ports, const mm_probe_stats *st);
void mm_expdb_abort(mm_expdb *x);

/* A new link for a company's staff: a random token (32 hex digits) kept
 * with the company; 0 or -1 with a reason. */
int mm_expdb_link_new(mm_db *db, const char *site, char token[33], char *err, size_t errlen);
/* The company of a link (out: its name), false when the token is unknown,
 * revoked or not a token. */
bool mm_expdb_link_site(mm_db *db, const char *token, char *out, size_t outlen);

#endif
