/*
 * json.h - a small streaming JSON writer for EVE lines.
 *
 * The writer appends to one growable buffer that is reused from event to event,
 * so steady-state output does not allocate. Keys are the program's own
 * constants and are written as they are; string values come from the network
 * and are escaped: control characters and bytes that are not valid UTF-8
 * become \u00XX, so every line is valid JSON whatever the packet held.
 * Nesting is tracked to a fixed depth; going deeper is a programming error.
 */
#ifndef MM_JSON_H
#define MM_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define MJ_MAX_DEPTH 16

typedef struct mm_json {
    char *s;
    size_t len, cap;
    int depth;
    bool first[MJ_MAX_DEPTH]; /* no member written yet at this depth */
    bool oom;                 /* an allocation failed: the line is lost */
} mm_json;

void mj_init(mm_json *j);
void mj_free(mm_json *j);
void mj_reset(mm_json *j);                 /* empty, ready for a new value */

void mj_obj_open(mm_json *j, const char *key);   /* key NULL at top or in arrays */
void mj_obj_close(mm_json *j);
void mj_arr_open(mm_json *j, const char *key);
void mj_arr_close(mm_json *j);

void mj_str(mm_json *j, const char *key, const char *v);
void mj_strn(mm_json *j, const char *key, const char *v, size_t n);
/* Bytes as Suricata's set_string_from_bytes writes them: as they are when
 * they are UTF-8, else each byte past 0x7F as the text \xNN. */
void mj_bytes_text(mm_json *j, const char *key, const uint8_t *v, size_t n);
void mj_u64(mm_json *j, const char *key, uint64_t v);
void mj_i64(mm_json *j, const char *key, int64_t v);
void mj_bool(mm_json *j, const char *key, bool v);
void mj_dbl(mm_json *j, const char *key, double v);
/* A preformatted JSON value (already valid JSON) under key. */
void mj_raw(mm_json *j, const char *key, const char *raw, size_t n);

/* Members whose key is a string literal of the program that needs no
 * escaping (letters, digits, '_'): the key is copied as it is, without the
 * check the other writers make. Use through the macros. */
void mj_strn_k(mm_json *j, const char *key, size_t klen, const char *v, size_t n);
void mj_u64_k(mm_json *j, const char *key, size_t klen, uint64_t v);
#define MJ_STRN(j, lit, v, n) mj_strn_k((j), "" lit, sizeof(lit) - 1, (v), (n))
#define MJ_U64(j, lit, v) mj_u64_k((j), "" lit, sizeof(lit) - 1, (v))

/* Append n bytes exactly as given (used for the trailing newline). */
void mj_append(mm_json *j, const char *p, size_t n);

#endif
