/*
 * watch.h - `mimamori watch`: file integrity of web roots. At start the
 * recorded baseline is compared with a fresh walk of each tree (so what
 * changed while the watcher was down is told), then inotify events and
 * periodic full rescans keep comparing, until stopped. Every difference
 * is an EVE-style `fim` event; executable web content and WebShells raise
 * an `alert` as well. The baseline is rewritten (atomically, after the
 * events it records are on disk) a few seconds after changes and at exit.
 */
#ifndef MM_WATCH_WATCH_H
#define MM_WATCH_WATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/output.h"

typedef struct mw_config {
    const char *const *roots;       /* absolute paths of directories */
    size_t nroots;
    const char *sensor;             /* "host" of the events */
    const char *const *exclude;     /* fnmatch patterns */
    size_t nexclude;
    const char *state;              /* the baseline file */
    const char *outdir;             /* excluded when inside a root (or NULL) */
    uint64_t max_file;              /* bytes hashed of a file at most */
    uint64_t rescan_s;              /* full rescan period */
    uint64_t save_s;                /* baseline written at most this often */
    bool once;                      /* compare, write, record, return */
    bool quiet;
    mm_sink sink;
    /* makes what was written through sink durable (before the baseline
     * records it); may be NULL */
    int (*sync)(void *ctx, uint64_t now_ns);
    void *sync_ctx;
} mw_config;

typedef struct mw_stats {
    uint64_t added, changed, removed, unreadable, alerts;
    uint64_t files, dirs, rescans, overflows, watch_limit, write_errors, saves;
    uint64_t set_bytes;
} mw_stats;

/* Runs until *stop (or once). 0, or -1 with err. */
int mw_run(const mw_config *c, volatile sig_atomic_t *stop, mw_stats *st, char *err,
           size_t errlen);

#endif
