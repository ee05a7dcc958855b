/*
 * form.h - what a browser sends and what a page writes back:
 * application/x-www-form-urlencoded bodies and query strings, the Cookie
 * header, and HTML escaping.
 *
 * Every input is hostile: the number of fields and the length of each key
 * and value are bounded, bad percent escapes and escapes of control bytes
 * (NUL included: values are used as C strings) refuse the whole form.
 * JSON request bodies are read with util/jread.h and JSON responses written
 * with util/json.h (no second reader or writer here).
 */
#ifndef MM_WEB_FORM_H
#define MM_WEB_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "web/buf.h"

#define MM_WEB_FORM_MAX_FIELDS 64
#define MM_WEB_FORM_MAX_KEY 128
#define MM_WEB_FORM_MAX_VALUE 8192

typedef struct mm_web_field {
    char *key, *value;          /* decoded, NUL-terminated */
    size_t value_len;
} mm_web_field;

typedef struct mm_web_form {
    mm_web_field f[MM_WEB_FORM_MAX_FIELDS];
    size_t n;
    char *mem;                  /* one allocation holding every key and value */
} mm_web_form;

typedef enum mm_web_form_err {
    MM_WEB_FORM_OK = 0,
    MM_WEB_FORM_BAD,            /* bad escape, control byte */
    MM_WEB_FORM_TOO_MANY,       /* more than MM_WEB_FORM_MAX_FIELDS fields */
    MM_WEB_FORM_TOO_LONG,       /* a key or value over its bound */
    MM_WEB_FORM_NOMEM,
} mm_web_form_err;

/* "a=1&b=x+y&a=%41" -> (a,1) (b,"x y") (a,A). Empty pieces ("&&") are
 * passed over; a piece without '=' is a key with an empty value. On error
 * the form is left empty. Free with mm_web_form_free. */
mm_web_form_err mm_web_form_parse(mm_web_form *f, const char *s, size_t n);
void mm_web_form_free(mm_web_form *f);
/* The first value of key, or NULL. */
const char *mm_web_form_get(const mm_web_form *f, const char *key);
/* How many times key occurs. */
size_t mm_web_form_count(const mm_web_form *f, const char *key);

/* Percent-decoding of n bytes into out (cap bytes, terminated); plus:
 * '+' is a space. The decoded length, or -1 on a bad escape, a decoded
 * byte under 0x20 or 0x7f, or when it does not fit. */
long mm_web_urldecode(const char *s, size_t n, char *out, size_t cap, bool plus);

/* The value of cookie name in a Cookie header ("a=1; b=2"; double quotes
 * around a value removed), copied into out (terminated). False when absent,
 * malformed or longer than outlen - 1. The first of repeated names wins. */
bool mm_web_cookie_get(const char *header, const char *name, char *out, size_t outlen);

/* s (n bytes) into b with & < > " ' escaped, control bytes other than tab,
 * newline and carriage return left out and bytes that are not UTF-8
 * replaced by U+FFFD, so any bytes are safe in element text and in quoted
 * attribute values. False when b refused the text. */
bool mm_web_html_escape(mm_web_buf *b, const char *s, size_t n);
bool mm_web_html_puts(mm_web_buf *b, const char *s);

#endif
