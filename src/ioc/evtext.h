/*
 * evtext.h - lines of exported Windows evidence (Autoruns CSV, `reg export`
 * files), whatever their encoding, as UTF-8.
 *
 * Windows tools write UTF-16 LE with a byte order mark (reg export,
 * autorunsc -c/-ct), sometimes UTF-8 (with or without a BOM) or an ANSI
 * code page (REGEDIT4). The reader is fed bytes in pieces of any size
 * and calls on_line once per line (LF ends a line, a CR before it is
 * dropped), the line in UTF-8 and NUL-terminated:
 *
 *   - FF FE: UTF-16 LE; FE FF: UTF-16 BE; EF BB BF: UTF-8 (the mark dropped);
 *     no mark: UTF-16 LE when the second byte is 0 and the first is not
 *     (a file whose mark was lost), else 8-bit text.
 *   - UTF-16: an unpaired surrogate, a NUL character or an odd last byte
 *     becomes U+FFFD and is counted in `bad_text`: the line is kept (a
 *     value cannot hide an entry behind one bad character).
 *   - 8-bit text: bytes as they are (UTF-8 or a code page; printers and
 *     the JSON writer escape what is not UTF-8), a NUL byte becomes '?'
 *     and is counted in `bad_text`.
 *   - A line longer than `max_line` bytes (of UTF-8) is cut at a whole
 *     character; the rest up to its end is dropped and the line counted in
 *     `cut` and handed over with cut set.
 *
 * Memory: one buffer of max_line + 1 bytes, allocated by mm_evtext_init.
 */
#ifndef MM_IOC_EVTEXT_H
#define MM_IOC_EVTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_EVTEXT_LINE_MAX (64u << 10)   /* default bytes of one line */

typedef enum mm_evtext_enc {
    EVT_UNKNOWN = 0,
    EVT_8BIT,
    EVT_UTF16LE,
    EVT_UTF16BE,
} mm_evtext_enc;

typedef struct mm_evtext {
    /* a line: text, length, whether it was cut, its number (from 1);
     * non-zero stops the reading (mm_evtext_feed returns it) */
    int (*on_line)(void *user, char *line, size_t n, bool cut, uint64_t lineno);
    void *user;
    mm_evtext_enc enc;
    size_t max_line;
    uint64_t lineno;
    uint64_t bad_text;            /* unpaired surrogates, NULs, odd bytes */
    uint64_t cut;                 /* lines cut at max_line */
    uint64_t bytes;               /* bytes fed */
    /* internal */
    char *line;
    size_t len;
    bool cutting;
    uint8_t pend[3];
    size_t npend;
    uint32_t hi;                  /* a high surrogate waiting for its pair */
} mm_evtext;

/* max_line 0: MM_EVTEXT_LINE_MAX. 0, or -1 when out of memory. */
int mm_evtext_init(mm_evtext *t, size_t max_line,
                   int (*on_line)(void *, char *, size_t, bool, uint64_t), void *user);
void mm_evtext_free(mm_evtext *t);
/* Feeds bytes; returns what on_line returned when it stopped, else 0. */
int mm_evtext_feed(mm_evtext *t, const uint8_t *d, size_t n);
/* The end of the input: the last line without its LF, a dangling half
 * character. Returns as mm_evtext_feed. */
int mm_evtext_end(mm_evtext *t);

/* The first line of d[0..n) that is not blank, decoded as the reader
 * decodes it, into out (cut to outlen - 1 bytes); false when there is none
 * within the n bytes or out of memory. For sniffing a file's head. */
bool mm_evtext_first_line(const uint8_t *d, size_t n, char *out, size_t outlen);

/* The base name of a Windows or POSIX path s[0..n) (after the last '\' or
 * '/'); *bl gets its length. */
const char *mm_evtext_basename(const char *s, size_t n, size_t *bl);

#endif
