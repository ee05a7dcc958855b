/*
 * stix_int.h - internals shared by the STIX and MISP readers: the STIX
 * patterning evaluator and the JSON-element helpers.
 */
#ifndef MM_IOC_STIX_INT_H
#define MM_IOC_STIX_INT_H

#include <stddef.h>

#include "ioc/ioc.h"

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

#define SP_MAX_TOKENS 4096
#define SP_MAX_DEPTH 64

/* Parses a STIX 2.1 pattern (grammar of the STIX 2.1 specification,
 * section 9) and hands out what maps to indicators. 0, a value()
 * callback's non-zero result, or -1 with a one-line reason in err when
 * the pattern does not parse (then nothing has been handed out). */
int stix_pattern_eval(const char *pat, size_t n, const sp_out *o, char *err, size_t errlen);

#endif
