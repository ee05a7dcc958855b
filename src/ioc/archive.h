/*
 * archive.h - the events behind the hunting index: every event line an
 * ingest imports, kept compressed per company and UTC month in a directory
 * the store knows (meta 'archive'), so that `mimamori hunt --detail` can
 * print the original events behind a hit.
 *
 * Layout: DIR/SITE/YYYY-MM.eve.zst, each a sequence of zstd frames (one
 * per import that had events of that month), one EVE line per event. An
 * import writes its lines to temporary files (DIR/.tmp-PID-N) and appends
 * them to the month files only after the store has committed: a rolled
 * back import leaves nothing, a crash between the commit and the append
 * loses that import's lines from the archive (never doubles them).
 */
#ifndef MM_IOC_ARCHIVE_H
#define MM_IOC_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct mm_archive mm_archive;

struct mm_db;
/* The archive directory of the store: given (created, made absolute and
 * kept in the store's meta table for later imports and hunts), or the one
 * kept earlier, or none (out[0] == 0). 0, or -1 with err. */
int mm_archive_dir(struct mm_db *db, const char *given, char *out, size_t outlen, char *err,
                   size_t errlen);

/* dir is created when missing. NULL with err set. */
mm_archive *mm_archive_open(const char *dir, char *err, size_t errlen);
void mm_archive_close(mm_archive *a);     /* drops what was not committed */
/* One event line of company site at ts_us. 0, or -1 (write error: err). */
int mm_archive_line(mm_archive *a, const char *site, int64_t ts_us, const char *line,
                    size_t len);
/* The import committed: append its lines to the month files. 0 or -1. */
int mm_archive_commit(mm_archive *a, char *err, size_t errlen);
/* The import was rolled back: forget its lines. */
void mm_archive_drop(mm_archive *a);

/* Calls fn for each archived line of site in the months of [from, to]
 * (microseconds) that contains every one of the needles (substrings; NULL
 * ends the list), until fn returns non-zero. 0, or -1 with err. */
int mm_archive_scan(const char *dir, const char *site, int64_t from, int64_t to,
                    const char *const *needles,
                    int (*fn)(void *user, const char *line, size_t len), void *user, char *err,
                    size_t errlen);

#endif
