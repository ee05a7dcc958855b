/*
 * outdir.h - how a sensor is doing, read from its output directory
 * (`mimamori status`): the segments it closed, the open one, the disk,
 * and its newest stats event (drops, rules, reloads).
 */
#ifndef MM_OUTDIR_H
#define MM_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/output.h"
#include "util/util.h"

typedef struct mm_outdir_status {
    uint64_t closed;                /* closed segments in the directory */
    uint64_t closed_bytes;          /* their size */
    char last_name[256];            /* the newest of them ("": none) */
    uint64_t last_mtime_ns;         /* when it was closed */
    char open_name[256];            /* the segment being written ("": none) */
    uint64_t open_bytes, open_mtime_ns;
    uint64_t disk_total, disk_free; /* the file system's bytes (free: for us) */
    /* the newest stats event: in the open segment, else in the newest
     * closed one that is not sealed */
    bool stats;
    char stats_ts[MM_TS_LEN];
    uint64_t stats_ns;
    char stats_from[256];           /* the segment it was found in */
    char stats_note[160];           /* why there is none ("" when there is) */
    uint64_t uptime_s;
    bool live;
    uint64_t kernel_packets, kernel_drops, kernel_ifdrops;
    unsigned nworkers;              /* live capture workers (0: one thread) ... */
    uint64_t worker_packets[MM_MAX_WORKERS];        /* ... each one's ring counters */
    uint64_t worker_drops[MM_MAX_WORKERS];
    uint64_t drop_flow_memcap, drop_stream_memcap, drop_write_errors;
    bool rules;
    uint64_t rules_loaded, rules_failed;
    char rules_reload_ts[MM_TS_LEN];
    uint64_t reloads, reload_failures;
    char reload_error[512];
} mm_outdir_status;

/* Reads dir. 0, or -1 with err when it is not a readable directory. */
int mm_outdir_status_get(const char *dir, mm_outdir_status *st, char *err, size_t errlen);

/* "2026-12-07T06:40:00.123456+0000" (EVE's form, any offset) as ns since
 * the epoch; false when it is not one. */
bool mm_eve_ts_parse(const char *s, uint64_t *ns);

#endif
