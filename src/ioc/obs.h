/*
 * obs.h - the hunting index: every value an indicator can name that the
 * sensors and logs showed, per company, UTC month and internal host, with
 * first and last minute and count (table obs_piece, pieces laid out as
 * ioc/obspiece.h says; see store/schema.c and docs/hunting.md).
 *
 * Ingest adds values as it reads events (mm_obs_add, mm_obs_eve,
 * mm_obs_logrec); they are summed in memory and written by mm_obs_flush
 * inside the import's transaction (mm_obs_drop forgets them when the
 * import is rolled back); mm_obs_compact, at the end, merges the pieces
 * the run added to.
 */
#ifndef MM_IOC_OBS_H
#define MM_IOC_OBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ioc/ioc.h"
#include "ioc/obspiece.h"
#include "logs/logs.h"
#include "store/store.h"
#include "util/jread.h"

typedef struct mm_obs mm_obs;

/* The kinds of the index and the key a value is found by. The numbers
 * are stored: never renumber. */
typedef enum mm_obs_kind {
    OBS_IP, OBS_DOMAIN, OBS_URL, OBS_EMAIL, OBS_HASH, OBS_JA4, OBS_FILENAME, OBS_UA,
    OBS_SUBJECT, OBS__COUNT
} mm_obs_kind;

const char *mm_obs_kind_name(mm_obs_kind k);
/* The index kind an indicator type is looked up in (OBS__COUNT: none). */
mm_obs_kind mm_obs_kind_of(mm_ioc_type t);
/* The key of a value of kind k (for an address: 32 hex digits, IPv4
 * mapped; a name: labels reversed; a URL: mm_ioc_url_key; mail addresses,
 * hashes and file names lowercased). Its length, 0 when the value cannot
 * be keyed. */
size_t mm_obs_key(mm_obs_kind k, const char *v, size_t n, char *out, size_t outlen);
/* The value a key stands for, as hunting shows it (an address written
 * out, a name's labels in their order; other keys as they are). */
void mm_obs_key_value(mm_obs_kind k, const char *key, char *out, size_t outlen);

/* What a piece stores for a key (an address's 32 hex digits become its 16
 * bytes; other keys stay as they are): its length, 0 when it cannot. */
size_t mm_obs_stored_key(mm_obs_kind k, const char *key, size_t kl, uint8_t *out, size_t outlen);
/* The value a stored key stands for, as hunting shows it. */
void mm_obs_stored_value(mm_obs_kind k, const uint8_t *key, size_t kl, char *out, size_t outlen);
/* Microseconds since the epoch of the start of a month (202612). */
int64_t mm_obs_month_start(int64_t month);

#define MM_OBS_HOST_MAX 255         /* a longer internal host counts as unknown */

/* Reads the pieces a statement returns as rows of (site_id, seq, part,
 * data[, name]) ordered by site_id, seq, part: the parts of each piece
 * are put together and decoded, and fn called once per piece with it (fn
 * owns it: mm_obsp_free) or with NULL and why it could not be read. The
 * statement is stepped to its end and reset. 0, -1 on a store error, or
 * what fn returned when not 0 (then it stops). */
typedef int (*mm_obs_piece_fn)(void *user, int64_t site_id, int64_t seq, const char *name,
                               mm_obsp *p, const char *why);
int mm_obs_read_pieces(mm_stmt *st, mm_obs_piece_fn fn, void *user);

/* Converts the table of an older store (obs_month) into pieces once, in a
 * transaction of its own (call it outside one). 0 or -1. */
int mm_obs_upgrade(mm_db *db);
/* Converts (mm_obs_upgrade) and gets ready to write. NULL on a store error. */
mm_obs *mm_obs_new(mm_db *db);
void mm_obs_free(mm_obs *o);
/* One sighting. host: the internal host ("" when none is known). */
int mm_obs_add(mm_obs *o, int64_t site, int64_t ts_us, mm_obs_kind k, const char *v, size_t n,
               const char *host);
/* What a sensor event shows (flow remote addresses are the caller's to
 * add: they need the company's networks): http (host, URL, User-Agent),
 * tls (SNI, certificate subject name, JA3, JA3S, JA4), fileinfo (name,
 * hashes), smtp (envelope, headers, attachments) and mail messages'
 * attachment objects, URLs and first outside hop. */
int mm_obs_eve(mm_obs *o, const jr_doc *d, int64_t site, int64_t ts_us, const char *host);
/* What a log record shows: remote addresses of firewall records, names
 * and answers of DNS, hosts, URLs and User-Agents of proxy and web logs,
 * senders, recipients, subjects and attachments of mail. */
int mm_obs_logrec(mm_obs *o, int64_t site, const mm_logrec *r, const char *host,
                  const char *remote);
/* Writes the sums (in the caller's transaction). 0 or -1 (store error). */
int mm_obs_flush(mm_obs *o);
/* Merges into one the pieces of each (company, month, kind) the flushes
 * since the last call added to (in the caller's transaction). 0 or -1. */
int mm_obs_compact(mm_obs *o);
/* Forgets the sums not written (the import was rolled back). */
void mm_obs_drop(mm_obs *o);
/* Sums held (an early flush when large). */
size_t mm_obs_pending(const mm_obs *o);

#endif
