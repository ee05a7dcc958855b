/*
 * jsplit.h - split one large JSON document into the elements of the
 * arrays found at given member paths, reading it in fixed chunks.
 *
 * A STIX bundle or a MISP export is one JSON value that can be hundreds
 * of megabytes; what a reader wants is each element of "objects" or of
 * "Event.Attribute", one at a time, to hand to jr_parse. The splitter
 * scans the text once, keeps only the containers on a wanted path as
 * state, and gives each wanted element to a callback as the complete text
 * of that element. Memory: one read chunk plus the largest element
 * (capped: a bigger element is refused as one entry and skipped without
 * being kept), whatever the size of the document.
 *
 * Paths are written from the root: member names joined by '.', "[]" after
 * a step for "each element of this array", "*" for any member name, and
 * the empty path for the root value itself:
 *
 *   "objects[]"                      each element of root.objects
 *   "Event.Attribute[]"              each element of root.Event.Attribute
 *   "response[].Event.Object[]"      the same for each event of "response"
 *   "[].Event.Attribute[]"           ... of each event of a top-level list
 *   "*[]"                            each element of any top-level member
 *   ""                               the root value (when it fits the cap)
 *
 * A path's last step names the elements given (with "[]": the elements,
 * without: the member's value itself). Member names are compared as
 * written in the file (a key spelled with escapes does not match).
 *
 * The structure on the wanted paths is checked as JSON; values off them
 * are skipped by balancing brackets outside strings (each element given
 * is checked in full by whoever parses it). Truncated input, text that is
 * not JSON, and data after the value are errors with a one-line reason.
 */
#ifndef MM_JSPLIT_H
#define MM_JSPLIT_H

#include <stddef.h>
#include <stdint.h>

#define JS_MAX_PATHS 16
#define JS_MAX_STEPS 12
#define JS_ELEM_MAX_DEFAULT ((size_t)16 << 20)
#define JS_CHUNK_DEFAULT ((size_t)1 << 20)
#define JS_DEPTH_MAX 1024

/* One element found. s[0..n) is its complete text, valid during the call;
 * when why is set the element was refused (too big, too deep) and s is
 * NULL. */
typedef struct js_elem {
    unsigned path;          /* index into js_split.paths */
    uint64_t outer;         /* index in the first array on the path (an event's number) */
    uint64_t index;         /* index in its own array (0 for a member value) */
    uint64_t at;            /* byte offset of the element in the document */
    const char *key;        /* the member name its array (or it) is under, as written; "" at the root */
    const char *s;
    size_t n;
    const char *why;
} js_elem;

/* Non-zero stops the split; js_split_* return it. */
typedef int (*js_fn)(void *user, const js_elem *e);

typedef struct js_split {
    const char *const *paths;   /* see above */
    unsigned npaths;            /* at most JS_MAX_PATHS */
    size_t elem_max;            /* 0: JS_ELEM_MAX_DEFAULT */
    size_t chunk;               /* fd reads (0: JS_CHUNK_DEFAULT) */
    js_fn fn;
    void *user;
    /* results */
    uint64_t elements;          /* given to fn with their text */
    uint64_t refused;           /* given to fn with why */
    uint64_t containers;        /* arrays found where a "[]" path wanted one */
    uint64_t bytes;             /* document size read */
    char root;                  /* '{', '[', or 0 for a scalar root */
} js_split;

/* 0 when the whole document was read, a callback's non-zero value when
 * it stopped the split, or -1 with a one-line reason in err (truncated,
 * not JSON, unreadable, a path that does not parse, out of memory). */
int js_split_fd(js_split *j, int fd, char *err, size_t errlen);
int js_split_mem(js_split *j, const char *d, size_t n, char *err, size_t errlen);

#endif
