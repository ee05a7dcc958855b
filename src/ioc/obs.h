/*
 * obs.h - the hunting index: every value an indicator can name that the
 * sensors and logs showed, per company, UTC month and internal host, with
 * first and last time and count (tables obs_keys and obs_month; see
 * store/schema.c and docs/hunting.md).
 *
 * Ingest adds values as it reads events (mm_obs_add, mm_obs_eve,
 * mm_obs_logrec); they are summed in memory and written by mm_obs_flush
 * inside the import's transaction (mm_obs_drop forgets them when the
 * import is rolled back).
 */
#ifndef MM_IOC_OBS_H
#define MM_IOC_OBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ioc/ioc.h"
#include "logs/logs.h"
#include "store/store.h"
#include "util/jread.h"

typedef struct mm_obs mm_obs;

/* The kinds of the index and the key a value is found by. */
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
/* Forgets the sums not written (the import was rolled back). */
void mm_obs_drop(mm_obs *o);
/* Sums held (an early flush when large). */
size_t mm_obs_pending(const mm_obs *o);

#endif
