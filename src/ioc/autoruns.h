/*
 * autoruns.h - Sysinternals Autoruns exports (autorunsc -c, comma
 * separated, or -ct, tab separated; UTF-16 LE with a BOM as autorunsc
 * writes them, or UTF-8) read as evidence.
 *
 * The first line that is not empty is the header; it names the columns
 * ("Time", "Entry Location", "Entry", "Enabled", "Category", "Profile",
 * "Description", "Signer", "Company", "Image Path", "Version", "Launch
 * String", "MD5", "SHA-1", "PESHA-1", "PESHA-256", "SHA-256", "IMP"), in
 * any order and any case, and must hold "Entry Location" and "Entry" and
 * one of "Image Path" and "Launch String"; else the file is not an Autoruns
 * export. A tab in the header makes the file tab-separated. Fields may be
 * quoted ("" inside a quoted field is one quote; a quoted field may hold
 * line breaks, up to the row bound). Autoruns' own group rows (an entry
 * location alone, the other columns empty) set the location and are not
 * entries. An "Image Path" of "File not found: C:\..." gives the path.
 *
 * Bounds: a line of 64 KiB; a row (quoted line breaks joined) of 256 KiB
 * and 16 lines (each line joined splits the row again: the bound keeps
 * that linear); 64 columns. A row that breaks them, or whose quoting does not close, is
 * counted in `bad` and told to the sink's bad.
 */
#ifndef MM_IOC_AUTORUNS_H
#define MM_IOC_AUTORUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_AUTORUNS_ROW_MAX (256u << 10)
#define MM_AUTORUNS_COLS_MAX 64
#define MM_AUTORUNS_ROW_LINES 16

/* Fields of one entry ("" when the file has no such column). */
typedef struct mm_autorun {
    const char *time, *location, *entry, *enabled, *category, *profile, *description, *signer,
        *company, *image, *version, *launch, *md5, *sha1, *sha256;
    uint64_t line;                /* where the row begins */
} mm_autorun;

typedef struct mm_autoruns_sink {
    int (*row)(void *user, const mm_autorun *a);    /* non-zero stops */
    void (*bad)(void *user, uint64_t line, const char *why);
    void *user;
} mm_autoruns_sink;

typedef struct mm_autoruns_stats {
    uint64_t lines, rows, groups, bad, cut, bad_text;
    bool tabs;
} mm_autoruns_stats;

typedef struct mm_autoruns mm_autoruns;

mm_autoruns *mm_autoruns_new(const mm_autoruns_sink *s);
void mm_autoruns_free(mm_autoruns *a);
/* 0, 1 when the file is not an Autoruns export (known from its header),
 * or the sink's stop value. */
int mm_autoruns_feed(mm_autoruns *a, const uint8_t *d, size_t n);
int mm_autoruns_end(mm_autoruns *a, mm_autoruns_stats *st);
int mm_autoruns_read_mem(const uint8_t *d, size_t n, const mm_autoruns_sink *s,
                         mm_autoruns_stats *st);

/* True when the first bytes look like an Autoruns header. */
bool mm_autoruns_sniff(const uint8_t *d, size_t n);

#endif
