/*
 * http_range.c - HTTP range pieces put back together (see http_range.h).
 */
#include "proto/http_range.h"

#include "proto/file.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RANGE_FILES 16
#define RANGE_HELD (1u << 20)
#define RANGE_IDLE_NS (60ull * 1000000000ull)
#define KEY_MAX 800

/* Bytes that came before the bytes preceding them, held until those come. */
typedef struct piece {
    uint64_t off;
    uint32_t len;
    struct piece *next;         /* by offset */
    uint8_t d[];
} piece;

typedef struct whole {
    uint32_t id;                /* 0: a free slot */
    char key[KEY_MAX];          /* host '\n' uri */
    uint64_t size;
    uint64_t next;              /* bytes [0, next) given to the file */
    uint64_t held;
    uint64_t last;              /* when a piece last came (ns) */
    mm_file *file;
    piece *pieces;
} whole;

typedef struct hr_table {
    whole w[RANGE_FILES];
    uint32_t ids;
} hr_table;

static bool num(const char **p, const char *end, int64_t *out)
{
    const char *s = *p;
    if (s < end && *s == '*') {
        *out = -1;
        *p = s + 1;
        return true;
    }
    int64_t v = 0;
    int digits = 0;
    while (s < end && isdigit((unsigned char)*s)) {
        if (v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (*s++ - '0');
        digits++;
    }
    if (!digits)
        return false;
    *out = v;
    *p = s;
    return true;
}

bool mm_crange_parse(const char *v, size_t n, int64_t *start, int64_t *end, int64_t *size)
{
    const char *p = v, *e = v + n;
    *start = *end = *size = -1;
    if (n >= 5 && strncasecmp(p, "bytes", 5) == 0)
        p += 5;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p < e && *p == '*') {           /* "*" / SIZE: an unsatisfied range */
        p++;
    } else {
        if (!num(&p, e, start) || *start < 0 || p >= e || *p++ != '-' || !num(&p, e, end) ||
            *end < *start)
            return false;
    }
    if (p >= e || *p++ != '/' || !num(&p, e, size) || p != e)
        return false;
    return *size < 0 || *end < *size;
}

static void drop(mm_app *a, whole *w)
{
    if (w->file)
        mm_file_free(a, w->file);
    for (piece *p = w->pieces, *nx; p; p = nx) {
        nx = p->next;
        mm_app_free(a, p, sizeof *p + p->len);
    }
    memset(w, 0, sizeof *w);
}

static whole *find(hr_table *t, uint32_t id)
{
    for (int i = 0; id && i < RANGE_FILES; i++)
        if (t->w[i].id == id)
            return &t->w[i];
    return NULL;
}

uint32_t mm_hrange_join(mm_app *a, const char *host, const char *uri, uint64_t size,
                        uint64_t ts)
{
    char key[KEY_MAX];
    if (!size || !uri[0] || strlen(host) + strlen(uri) + 2 > sizeof key)
        return 0;
    snprintf(key, sizeof key, "%s\n%s", host, uri);
    hr_table *t = a->hrange;
    if (!t && !(t = a->hrange = mm_app_alloc(a, sizeof *t)))
        return 0;
    whole *slot = NULL;
    for (int i = 0; i < RANGE_FILES; i++) {
        whole *w = &t->w[i];
        if (w->id && w->size == size && strcmp(w->key, key) == 0) {
            w->last = ts;
            return w->id;
        }
        /* a free slot, else the one idle longest */
        if (!slot || (slot->id && (!w->id || w->last < slot->last)))
            slot = w;
    }
    if (slot->id && slot->last + RANGE_IDLE_NS > ts && slot->last <= ts)
        return 0;               /* every whole still in progress: none more */
    drop(a, slot);
    size_t nl = strcspn(uri, "?");
    if (!(slot->file = mm_file_open(a, uri, nl, ts)))
        return 0;
    mm_file_set_dir(slot->file, MM_TO_CLIENT);
    if (++t->ids == 0)
        t->ids = 1;
    slot->id = t->ids;
    mm_strcpy(slot->key, sizeof slot->key, key);
    slot->size = size;
    slot->last = ts;
    return slot->id;
}

/* Bytes at off (off <= w->next) to the file: the part past w->next. */
static void give(mm_app *a, whole *w, uint64_t off, const uint8_t *d, uint64_t n)
{
    if (off + n <= w->next)
        return;
    uint64_t skip = w->next - off;
    mm_file_data(a, w->file, d + skip, (uint32_t)(n - skip));
    w->next = off + n;
}

static void hold(mm_app *a, whole *w, uint64_t off, const uint8_t *d, uint32_t n)
{
    if (w->held + n > RANGE_HELD)
        return;                 /* too much ahead: this piece is lost */
    piece *p = mm_app_alloc_buf(a, sizeof *p + n);
    if (!p)
        return;
    p->off = off;
    p->len = n;
    memcpy(p->d, d, n);
    piece **at = &w->pieces;
    while (*at && (*at)->off <= off)
        at = &(*at)->next;
    p->next = *at;
    *at = p;
    w->held += n;
}

void mm_hrange_data(mm_app *a, mm_flow *f, uint32_t id, uint64_t off, const uint8_t *d,
                    uint32_t n, uint64_t tx_id, uint64_t ts,
                    void (*ctx)(mm_json *j, const void *arg), const void *arg)
{
    whole *w = a->hrange ? find(a->hrange, id) : NULL;
    if (!w || !d || off >= w->size)
        return;
    if (n > w->size - off)
        n = (uint32_t)(w->size - off);
    w->last = ts;
    if (off > w->next) {
        hold(a, w, off, d, n);
        return;
    }
    give(a, w, off, d, n);
    while (w->pieces && w->pieces->off <= w->next) {
        piece *p = w->pieces;
        w->pieces = p->next;
        w->held -= p->len;
        give(a, w, p->off, p->d, p->len);
        mm_app_free(a, p, sizeof *p + p->len);
    }
    if (w->next < w->size)
        return;
    mm_file_set_tx(w->file, tx_id);
    mm_file_close(a, f, w->file, true, ts, ctx, arg);
    w->file = NULL;
    drop(a, w);
}

void mm_hrange_free(mm_app *a)
{
    hr_table *t = a->hrange;
    if (!t)
        return;
    for (int i = 0; i < RANGE_FILES; i++)
        drop(a, &t->w[i]);
    mm_app_free(a, t, sizeof *t);
    a->hrange = NULL;
}
