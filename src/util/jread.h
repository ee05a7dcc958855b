/*
 * jread.h - a small JSON reader for one EVE line at a time.
 *
 * The line is parsed in place into a flat array of tokens (no copy, no
 * allocation after the first line): each token records its type, where it
 * lies in the text and the index of the token after its whole subtree, so
 * looking a member up skips over nested values instead of descending into
 * them. Objects list key and value tokens alternately. Input is hostile:
 * depth and token count are bounded and a line that breaks them, or is not
 * JSON, is refused with a one-line reason.
 *
 * Why not a library: ingest reads a few fields of millions of lines; a
 * DOM library (jansson, json-c) allocates every value of every line. This
 * reader does one pass and no allocation (bench/ingest.sh measures it).
 */
#ifndef MM_JREAD_H
#define MM_JREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { JR_NULL, JR_BOOL, JR_NUM, JR_STR, JR_ARR, JR_OBJ } jr_type;

typedef struct jr_tok {
    uint32_t start, end;   /* text span; for strings the bytes between the quotes */
    uint32_t next;         /* index of the first token after this value's subtree */
    uint8_t type;
    bool esc;              /* string holds backslash escapes */
} jr_tok;

#define JR_MAX_DEPTH 32

typedef struct jr_doc {
    const char *s;
    size_t n;
    jr_tok *t;
    uint32_t nt, cap, max; /* used, allocated, hard limit */
    char err[96];
} jr_doc;

/* max: most tokens a line may have (0: 4096). */
void jr_init(jr_doc *d, uint32_t max);
void jr_free(jr_doc *d);
/* Parses s[0..n) (one JSON value, whitespace around it allowed). 0, or -1
 * with d->err set. Token 0 is the top value. */
int jr_parse(jr_doc *d, const char *s, size_t n);

/* Member key of object token obj: its value token, or -1. */
int jr_member(const jr_doc *d, int obj, const char *key);
/* Dotted path from the top ("alert.signature_id"): value token or -1. */
int jr_path(const jr_doc *d, const char *path);
/* The i-th element of an array token, or -1. */
int jr_elem(const jr_doc *d, int arr, uint32_t i);

/* String value unescaped into out (truncated to outlen-1, always
 * terminated; \u escapes become UTF-8, bad ones U+FFFD). False when the
 * token is not a string or tok < 0. */
bool jr_str(const jr_doc *d, int tok, char *out, size_t outlen);
/* Integer value (a number without fraction or exponent in int64 range). */
bool jr_i64(const jr_doc *d, int tok, int64_t *v);
bool jr_dbl(const jr_doc *d, int tok, double *v);
/* Shorthands: the value at path, or dflt. */
int64_t jr_path_i64(const jr_doc *d, const char *path, int64_t dflt);
bool jr_path_str(const jr_doc *d, const char *path, char *out, size_t outlen);
/* String equality without copying (unescaped compare only for plain strings). */
bool jr_eq(const jr_doc *d, int tok, const char *s);

#endif
