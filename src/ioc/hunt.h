/*
 * hunt.h - hunting back: which companies and internal hosts met given
 * indicators, when and how often, from the hunting index (ioc/obs.h) of
 * everything the store has imported.
 */
#ifndef MM_IOC_HUNT_H
#define MM_IOC_HUNT_H

#include <stdint.h>

#include "ioc/ioc.h"
#include "store/store.h"

typedef struct mm_hunt_opts {
    const char *set;                /* hunt this set (NULL: every set, unless values) */
    const char *const *values;      /* or these values (type recognised) */
    int nvalues;
    int64_t from, to;               /* microseconds; 0: unbounded */
    const char *site;               /* one company (NULL: all) */
} mm_hunt_opts;

typedef struct mm_hunt_hit {
    const char *site;
    const char *kind;               /* index kind: ip, domain, url, ... */
    const char *seen;               /* the value as seen (www.evil.example) */
    const char *indicator;          /* the indicator it matched (evil.example) */
    const char *itype;              /* the indicator's type */
    const char *set;                /* its set ("" for values given) */
    const char *desc;               /* its description ("" none) */
    const char *host;               /* internal host ("" unknown) */
    const char *host_name, *host_mac;   /* from DHCP at the last sighting ("" unknown) */
    int64_t first, last, count;
} mm_hunt_hit;

typedef struct mm_hunt_stats {
    uint64_t indicators;            /* looked for */
    uint64_t refused;               /* values given that are no indicator */
    uint64_t hits;                  /* (company, value, host) rows */
    uint64_t indicators_hit;        /* indicators with at least one hit */
} mm_hunt_stats;

/* Calls fn per hit, grouped by indicator, then company and host. 0, or -1
 * with err set (a store error, or a value given that is no indicator when
 * nothing else was given). */
int mm_hunt(mm_db *db, const mm_hunt_opts *o, int (*fn)(void *user, const mm_hunt_hit *h),
            void *user, mm_hunt_stats *st, char *err, size_t errlen);

/* The archived events behind a hit (ingest --archive): the lines of its
 * company in the months of its first to last time that show its value
 * (and its host, when it has one), at most max, each given to fn. 0 (also
 * when there is no archive: *none set), or -1 with err. */
int mm_hunt_detail(mm_db *db, const mm_hunt_hit *h, unsigned max,
                   int (*fn)(void *user, const char *line, size_t len), void *user, bool *none,
                   char *err, size_t errlen);

/* Hunts every set imported with --watch and keeps the hits as findings
 * (table ioc_hits) for the reports: the hits of a set replace its
 * earlier ones. 0 or -1. */
int mm_hunt_watched(mm_db *db, uint64_t *hits, char *err, size_t errlen);

#endif
