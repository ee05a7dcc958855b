/*
 * stix_int.h - internals shared by the STIX and MISP readers: the STIX
 * patterning evaluator and the JSON-element helpers.
 */
#ifndef MM_IOC_STIX_INT_H
#define MM_IOC_STIX_INT_H

#include <stddef.h>

#include "ioc/ioc.h"
#include "util/jread.h"
#include "util/jsplit.h"

/* What evaluating a pattern yields. */
typedef struct sp_out {
    /* One value that maps to an indicator of type t (IOC_NONE: guess it).
     * v[0..n) is the literal unescaped. Non-zero stops the evaluation. */
    int (*value)(void *u, mm_ioc_type t, const char *v, size_t n);
    /* A part not evaluated (counted: refused) or a loosening (not
     * counted: the values were kept), one line. */
    void (*unsupported)(void *u, const char *why);
    void (*loosened)(void *u, const char *why);
    void *u;
} sp_out;

#define SP_MAX_TOKENS (1u << 20)  /* an OR of many thousand values is common */
#define SP_MAX_NODES (1u << 19)
#define SP_MAX_DEPTH 64

/* Parses a STIX 2.1 pattern (grammar of the STIX 2.1 specification,
 * section 9) and hands out what maps to indicators. 0, a value()
 * callback's non-zero result, or -1 with a one-line reason in err when
 * the pattern does not parse (then nothing has been handed out). */
int stix_pattern_eval(const char *pat, size_t n, const sp_out *o, char *err, size_t errlen);

/* ---- reading JSON elements (stix.c), shared with misp.c ---- */

typedef struct ioc_rd {
    const mm_ioc_read_opts *o;
    const mm_ioc_sink *s;
    mm_ioc_read_stats *st;
    jr_doc doc;
    int stop;               /* the sink's non-zero result: stop reading */
} ioc_rd;

#define IOC_RD_MAX_TOKENS (1u << 20)

void ioc_rd_init(ioc_rd *r, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                 mm_ioc_read_stats *st);
void ioc_rd_free(ioc_rd *r);
/* Parses one element into r->doc; false (reported as bad) when it is not
 * JSON or was refused by the splitter. */
bool ioc_rd_parse(ioc_rd *r, const js_elem *e);
/* Runs the splitter over fd (fd >= 0) or d[0..n). 0, or -1 with err. */
int ioc_split(js_split *j, int fd, const char *d, size_t n, char *err, size_t errlen);
/* Rewinds fd to where a read began (off); false when it cannot. */
bool ioc_rewind(int fd, long long off);
/* A time value: ISO 8601 string ("...Z", "2020-12-08 13:36:27 UTC"), or
 * epoch seconds as a number or a string of digits. 0 when unknown. */
int64_t ioc_json_time(const jr_doc *d, int tok);
/* A confidence 0-100 (number or string), -1 when absent or out of range. */
int ioc_json_conf(const jr_doc *d, int tok);
/* A string token unescaped into out, whole: false when it is not a
 * string, does not fit, or holds a NUL (\u0000), which would cut it. */
bool ioc_json_value(const jr_doc *d, int tok, char *out, size_t outlen, size_t *n);
/* mm_ioc_emit, remembering the sink's stop. */
int ioc_emit(ioc_rd *r, const mm_ioc *base, mm_ioc_type t, const char *v, size_t n,
             const char *where);
/* An entry that is not an indicator but deserves a word: skipped++ and
 * sink.bad (not counted as bad). */
void ioc_skip_note(ioc_rd *r, const char *where, const char *why);
/* Copies at most outlen-1 bytes of s into out, control characters as
 * spaces (for messages and descriptions). */
void ioc_clean_copy(char *out, size_t outlen, const char *s);

int stix_stream(int fd, const char *d, size_t n, const mm_ioc_read_opts *o,
                const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen);
int misp_stream(int fd, const char *d, size_t n, const mm_ioc_read_opts *o,
                const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen);
int threatfox_stream(int fd, const char *d, size_t n, const mm_ioc_read_opts *o,
                     const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen);

#endif
