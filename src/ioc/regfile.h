/*
 * regfile.h - `reg export` / regedit files (.reg) read as evidence.
 *
 * The first line that is not empty must be "Windows Registry Editor
 * Version 5.00" (UTF-16 LE with a BOM as regedit and reg export write it,
 * or UTF-8) or "REGEDIT4" (an ANSI code page); anything else is not a
 * registry file. Then:
 *
 *   [HKEY_...\path]        a key; [-HKEY_...\path] its deletion
 *   "name"="text"          REG_SZ, with \\ and \" escapes
 *   @="text"               the key's default value (name "")
 *   "name"=dword:0000001f  REG_DWORD (8 hex digits)
 *   "name"=hex:01,02,...   REG_BINARY
 *   "name"=hex(N):...      type N: 2 REG_EXPAND_SZ and 7 REG_MULTI_SZ (UTF-16
 *                          LE bytes in version 5 files, ANSI in REGEDIT4),
 *                          1 REG_SZ, b REG_QWORD, 0 REG_NONE, ...
 *   "name"=-               the value's deletion
 *   ; comment
 *
 * A line ending with a backslash goes on in the next one (leading blanks
 * of the next dropped): how regedit wraps long hex data.
 *
 * Each key and each value is handed to the sink; string-like data (REG_SZ,
 * REG_EXPAND_SZ, REG_MULTI_SZ and hex(1)) decoded to UTF-8, a multi-string
 * as its strings each followed by a NUL. A line that fits none of the forms
 * is counted in `bad` and told to the sink's bad with its line number.
 *
 * Bounds: a physical line of 64 KiB, a logical line (continuations joined)
 * of 1 MiB (past it the value is cut: counted, data up to there kept),
 * names and keys as they come within those.
 */
#ifndef MM_IOC_REGFILE_H
#define MM_IOC_REGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_REG_LOGICAL_MAX (1u << 20)

enum {
    MM_REG_NONE = 0, MM_REG_SZ = 1, MM_REG_EXPAND_SZ = 2, MM_REG_BINARY = 3, MM_REG_DWORD = 4,
    MM_REG_MULTI_SZ = 7, MM_REG_QWORD = 11,
};

typedef struct mm_regval {
    const char *key;              /* the key as the file names it (UTF-8) */
    const char *name;             /* NULL: the key itself; "" the default value */
    uint32_t type;                /* MM_REG_*, or N of hex(N) */
    bool deleted;                 /* [-KEY] or "name"=- */
    bool cut;                     /* the data was longer than the bound */
    const char *text;             /* string-like data: strings each NUL-ended, or NULL */
    size_t tlen;                  /* bytes of text, NULs included */
    uint64_t number;              /* dword / qword */
    uint64_t line;                /* where the key or value begins */
} mm_regval;

typedef struct mm_regfile_sink {
    int (*item)(void *user, const mm_regval *v);    /* non-zero stops */
    void (*bad)(void *user, uint64_t line, const char *why);
    void *user;
} mm_regfile_sink;

typedef struct mm_regfile_stats {
    uint64_t lines, keys, values, deleted, bad, cut, bad_text;
    int version;                  /* 5, or 4 (REGEDIT4) */
} mm_regfile_stats;

typedef struct mm_regfile mm_regfile;

mm_regfile *mm_regfile_new(const mm_regfile_sink *s);
void mm_regfile_free(mm_regfile *r);
/* Bytes of the file in any pieces; 0, 1 when it is not a registry file
 * (known from its first line: nothing more is read), or the sink's stop
 * value. */
int mm_regfile_feed(mm_regfile *r, const uint8_t *d, size_t n);
/* The end; then the counts. Returns as mm_regfile_feed. */
int mm_regfile_end(mm_regfile *r, mm_regfile_stats *st);

/* Whole buffer (tests, fuzzing): 0, 1 not a registry file, or the stop value. */
int mm_regfile_read_mem(const uint8_t *d, size_t n, const mm_regfile_sink *s,
                        mm_regfile_stats *st);

/* True when the first bytes (n of them) look like a registry file. */
bool mm_regfile_sniff(const uint8_t *d, size_t n);

#endif
