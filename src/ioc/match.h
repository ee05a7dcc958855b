/*
 * match.h - indicators in memory for the sensor: loaded once, read-only
 * afterwards, looked up by what the traffic shows.
 *
 * Lookups: an address (exact, then each network prefix length present),
 * a name (itself and each parent domain), a URL key (mm_ioc_url_key of
 * host + path), and exact values of the other types (email addresses,
 * hashes, JA3/JA4, file names without regard to case, User-Agents,
 * subjects). A value in several sets is one entry per set; a lookup gives
 * every entry of the value.
 */
#ifndef MM_IOC_MATCH_H
#define MM_IOC_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "ioc/ioc.h"
#include "util/util.h"

typedef struct mm_iocmatch mm_iocmatch;

/* One indicator as the sensor keeps it. */
typedef struct mm_iocent {
    uint8_t type;              /* mm_ioc_type */
    int8_t confidence;         /* -1: unknown */
    uint16_t klen;             /* lookup key length */
    uint32_t key;              /* lookup key: offset into the pool (NUL after it) */
    uint32_t value;            /* the value when it differs from the key's text (0: it
                                  does not; see mm_iocmatch_value_text) */
    uint32_t set, source, desc;   /* offsets into the string pool (0: none) */
    uint32_t next;             /* the next entry of the same key + 1 (0: none) */
} mm_iocent;

mm_iocmatch *mm_iocmatch_new(void);
void mm_iocmatch_free(mm_iocmatch *m);
/* Adds one indicator (to_ids false and expired ones are the caller's to
 * leave out). 0, or -1 when out of memory. */
int mm_iocmatch_add(mm_iocmatch *m, const mm_ioc *c);
/* Loads a file or every file of a directory (not recursive; names
 * starting with '.' skipped), any format mm_ioc_read_file takes; the set
 * is the file's name unless the file names it (mimamori format). Refused
 * entries are counted in st and the first few printed to stderr. */
int mm_iocmatch_load(mm_iocmatch *m, const char *path, mm_ioc_read_stats *st, char *err,
                     size_t errlen);

size_t mm_iocmatch_count(const mm_iocmatch *m);
size_t mm_iocmatch_memory(const mm_iocmatch *m);
/* Types present (bit 1 << IOC_x): the sensor computes file hashes only
 * when a hash indicator is loaded. */
unsigned mm_iocmatch_types(const mm_iocmatch *m);

/* Lookups: the first entry index + 1 (0: no match); follow ->next. */
uint32_t mm_iocmatch_ip(const mm_iocmatch *m, const mm_ip *ip);
/* The name and its parents (any case, a trailing dot allowed). */
uint32_t mm_iocmatch_domain(const mm_iocmatch *m, const char *name, size_t n);
/* The same for every match, not the first only (an address and each network
 * around it; a name and each parent): start with *state = 0 and call again
 * while the result is not 0. */
uint32_t mm_iocmatch_ip_next(const mm_iocmatch *m, const mm_ip *ip, int *state);
uint32_t mm_iocmatch_domain_next(const mm_iocmatch *m, const char *name, size_t n,
                                 size_t *state);
uint32_t mm_iocmatch_url(const mm_iocmatch *m, const char *host, const char *uri);
uint32_t mm_iocmatch_value(const mm_iocmatch *m, mm_ioc_type t, const char *v, size_t n);

const mm_iocent *mm_iocmatch_ent(const mm_iocmatch *m, uint32_t idx1);
/* The indicator's value in normal form (an address or network written from
 * its key into buf, of at least MM_IOCMATCH_VALUE_BUF bytes). */
#define MM_IOCMATCH_VALUE_BUF 64
const char *mm_iocmatch_value_text(const mm_iocmatch *m, const mm_iocent *e, char *buf);
const char *mm_iocmatch_str(const mm_iocmatch *m, uint32_t off);   /* "" for 0 */

#endif
