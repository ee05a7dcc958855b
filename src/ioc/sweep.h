/*
 * sweep.h - `mimamori ioc sweep DIR...`: the files of a tree and the
 * Windows evidence among them matched against indicators.
 *
 * The tree is walked by watch/tree.c (openat with O_NOFOLLOW from the
 * root down: no symbolic link below the root is followed, nothing outside
 * the tree is opened, unreadable files counted; the root itself may be a
 * link, or one regular file). For each regular file:
 *
 *   - its base name against file-name indicators (without regard to case,
 *     as Windows names are; a file-name indicator is a base name, so a
 *     path is matched by its last part);
 *   - its SHA-256, SHA-1 and MD5 against hash indicators, computed only
 *     when indicators of that kind are loaded, up to max_file bytes (a
 *     larger file is not matched by hash, and counted);
 *   - when its first bytes are a `reg export` file (regfile.h) or an
 *     Autoruns export (autoruns.h): a key (a .reg section, an entry
 *     location, a key named in string data) and each parent key, and a key
 *     with a value name or entry below it, against registry key
 *     indicators (HKEY_USERS\SID\... also as HKEY_CURRENT_USER\...;
 *     ControlSet00N also as CurrentControlSet; a .reg key's hit is told on
 *     its section's line, its values add only their own names). A lookup
 *     is made only at the depths and up to the length of the registry key
 *     indicators loaded, so the cost of a key stays linear in its length;
 *     the file names found in value data and launch strings against
 *     file-name indicators, and an Autoruns entry's hashes against hash
 *     indicators.
 *
 * Each hit is handed to on_hit. An indicator is told once per file, or
 * per Autoruns row or registry value when it comes from evidence.
 */
#ifndef MM_IOC_SWEEP_H
#define MM_IOC_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ioc/match.h"
#include "store/store.h"

#define MM_SWEEP_MAX_FILE_DEFAULT (256ull << 20)

typedef struct mm_sweep_hit {
    const char *kind;             /* the indicator's type name: filename, sha256, regkey ... */
    const char *value;            /* what was seen (a name, a hash, a key) */
    const char *indicator;        /* the indicator's value */
    const char *set, *source, *desc;   /* "" when none */
    const char *evidence;         /* "file", "autoruns" or "reg" */
    const char *path;             /* the file */
    uint64_t line;                /* autoruns and reg: the row or value's line */
    const char *field;            /* "name", "sha256", "Image Path", "key", "value data" ... */
    const char *where;            /* the path, or "path:line KEY\\VALUE" for evidence */
    const char *sha256;           /* the file's (or the Autoruns entry's) SHA-256, or NULL */
} mm_sweep_hit;

typedef struct mm_sweep_opts {
    uint64_t max_file;            /* 0: MM_SWEEP_MAX_FILE_DEFAULT */
    const char *const *exclude;   /* fnmatch patterns (as watch --exclude) */
    size_t nexclude;
    bool no_evidence;             /* do not read Autoruns and .reg files */
    void (*on_hit)(void *user, const mm_sweep_hit *h);
    /* an unreadable file or directory */
    void (*on_error)(void *user, const char *path, int err);
    void *user;
} mm_sweep_opts;

typedef struct mm_sweep_stats {
    uint64_t files, dirs, bytes, unreadable, skipped, too_deep;
    uint64_t hashed, too_big;     /* files hashed; not hashed, larger than max_file */
    uint64_t autoruns, regfiles;  /* evidence files read */
    uint64_t rows, values;        /* Autoruns entries, registry keys and values */
    uint64_t malformed;           /* evidence lines that fit no form */
    uint64_t bad_text;            /* bad UTF-16 (unpaired surrogates, NULs) */
    uint64_t cut;                 /* evidence lines or values cut at their bound */
    uint64_t hits;
} mm_sweep_stats;

/* Sweeps one tree (root a directory, or one file). 0, or -1 with err when
 * the root cannot be opened. Stats add up over calls. */
int mm_sweep(const char *root, const mm_iocmatch *m, const mm_sweep_opts *o,
             mm_sweep_stats *st, char *err, size_t errlen);

/* Hits kept in the store (table sweep_hits, store/schema.c) for company
 * site on machine host, as the sweep found them at time now (us): opens a
 * transaction on db and the company's row (created when missing). NULL
 * with err on a store error. */
typedef struct mm_sweepdb mm_sweepdb;
mm_sweepdb *mm_sweepdb_open(mm_db *db, const char *site, const char *host, int64_t now,
                            char *err, size_t errlen);
/* One hit (an upsert: the same hit of an earlier sweep has its last time
 * and count moved on). 0 or -1 (the store failed; later hits are ignored). */
int mm_sweepdb_hit(mm_sweepdb *s, const mm_sweep_hit *h);
/* Commits (ok) or rolls back, and frees. 0, or -1 with err. */
int mm_sweepdb_close(mm_sweepdb *s, bool ok, char *err, size_t errlen);

/* The evidence of one buffer (a .reg or Autoruns file's bytes; tests and
 * fuzzing): 0 read, 1 neither kind, -1 out of memory. */
int mm_sweep_evidence_mem(const char *path, const uint8_t *d, size_t n, const mm_iocmatch *m,
                          const mm_sweep_opts *o, mm_sweep_stats *st);

#endif
