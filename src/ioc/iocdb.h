/*
 * iocdb.h - indicator sets in the analysis store (tables ioc_sets, iocs;
 * see store/schema.c): import, list, show, remove, and reading them back
 * for export, the sensor and hunting.
 */
#ifndef MM_IOCDB_H
#define MM_IOCDB_H

#include <stdio.h>

#include "ioc/ioc.h"
#include "store/store.h"

typedef struct mm_iocdb_import_opts {
    const char *set;           /* set name (NULL: the file's name without directory) */
    bool watch;                /* hunted again after every import */
    int expires_days;          /* indicators leave the set this long after their last import (0: never) */
    bool quiet;                /* no line per refused entry on stderr */
    uint64_t max_report;       /* refused entries printed at most (0: 20) */
} mm_iocdb_import_opts;

/* Reads path with o and stores its indicators in the set (created when
 * missing), in one transaction. Refused entries are printed to stderr
 * ("FILE: line 3: not an indicator of a known type: ..."). 0, or -1 with
 * err set (nothing stored). */
int mm_iocdb_import(mm_db *db, const char *path, const mm_ioc_read_opts *o,
                    const mm_iocdb_import_opts *io, mm_ioc_read_stats *st, char *err,
                    size_t errlen);

/* One line per set (name, indicators by type, source, watch, updated). */
int mm_iocdb_list(mm_db *db, FILE *out, bool json, char *err, size_t errlen);
/* The indicators of one set, in the mimamori format. */
int mm_iocdb_show(mm_db *db, const char *set, FILE *out, char *err, size_t errlen);
/* Deletes a set and its indicators; -1 when there is no such set. */
int mm_iocdb_remove(mm_db *db, const char *set, char *err, size_t errlen);

/* Calls fn for each current indicator (not expired; valid at now_us when
 * non-zero) of set (NULL: every set), of the types in the mask (0: all).
 * fn returning non-zero stops. 0, or -1 on a store error. */
int mm_iocdb_each(mm_db *db, const char *set, unsigned types, int64_t now_us,
                  int (*fn)(void *user, const mm_ioc *c), void *user, char *err, size_t errlen);

/* Set names with watch on, one call each. */
int mm_iocdb_watched(mm_db *db, int (*fn)(void *user, const char *set), void *user);

#endif
