/*
 * autoruns.c - Sysinternals Autoruns exports as evidence (see autoruns.h):
 * lines from evtext.c, a row joined across line breaks inside quotes (up
 * to its bound), split into fields, the columns found by their header
 * names. Nothing is kept between rows but the header's map and the
 * current group's entry location.
 */
#include "ioc/autoruns.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ioc/evtext.h"

enum {
    C_TIME, C_LOCATION, C_ENTRY, C_ENABLED, C_CATEGORY, C_PROFILE, C_DESCRIPTION, C_SIGNER,
    C_COMPANY, C_IMAGE, C_VERSION, C_LAUNCH, C_MD5, C_SHA1, C_SHA256, C__COUNT
};

static const char *const col_names[C__COUNT] = {
    "Time", "Entry Location", "Entry", "Enabled", "Category", "Profile", "Description",
    "Signer", "Company", "Image Path", "Version", "Launch String", "MD5", "SHA-1", "SHA-256",
};

struct mm_autoruns {
    mm_autoruns_sink s;
    mm_evtext t;
    mm_autoruns_stats st;
    int state;                    /* 0 before the header, 1 reading, 2 not an export */
    char sep;
    int col[C__COUNT];            /* field index of each column, -1 none */
    char *row;                    /* the row being joined */
    size_t rn;
    bool open;                    /* a quoted field goes on in the next line */
    bool rcut;
    unsigned rlines;              /* lines joined into the row */
    uint64_t rstart;
    char *fbuf;                   /* fields, NUL-ended */
    const char *f[MM_AUTORUNS_COLS_MAX];
    size_t nf;
    char *group;                  /* the current group's entry location */
};

/* Whether the field at s[i] (a quote) closes, CSV-wise, just before a tab
 * or the end of the row. */
static bool tab_quoted(const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] != '"')
            continue;
        if (i + 1 < n && s[i + 1] == '"') {
            i++;
            continue;
        }
        return i + 1 == n || s[i + 1] == '\t';
    }
    return false;
}

/* Splits row[0..n) into fields in a->fbuf. 1 done, 0 a quote still open at
 * the end, -1 too many fields. */
static int split(mm_autoruns *a, const char *s, size_t n)
{
    size_t i = 0, o = 0;
    a->nf = 0;
    for (;;) {
        if (a->nf == MM_AUTORUNS_COLS_MAX)
            return -1;
        a->f[a->nf++] = a->fbuf + o;
        /* tab-separated (autorunsc -ct): a field is quoted only when its
         * closing quote is followed by a tab or the end; else it is taken
         * as it is (a launch string beginning with a quoted path) */
        if (i < n && s[i] == '"' && a->sep == '\t' && !tab_quoted(s, n, i)) {
            while (i < n && s[i] != a->sep)
                a->fbuf[o++] = s[i++];
        } else if (i < n && s[i] == '"') {
            i++;
            bool closed = false;
            while (i < n) {
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        a->fbuf[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    closed = true;
                    break;
                }
                a->fbuf[o++] = s[i++];
            }
            if (!closed)
                return 0;
            /* anything up to the separator belongs to the field */
            while (i < n && s[i] != a->sep)
                a->fbuf[o++] = s[i++];
        } else {
            while (i < n && s[i] != a->sep)
                a->fbuf[o++] = s[i++];
        }
        a->fbuf[o++] = 0;
        if (i >= n)
            return 1;
        i++;                            /* the separator */
    }
}

static void bad(mm_autoruns *a, uint64_t line, const char *why)
{
    a->st.bad++;
    if (a->s.bad)
        a->s.bad(a->s.user, line, why);
}

static const char *field(const mm_autoruns *a, int c)
{
    int k = a->col[c];
    return k >= 0 && (size_t)k < a->nf ? a->f[k] : "";
}

static int header(mm_autoruns *a)
{
    for (int c = 0; c < C__COUNT; c++)
        a->col[c] = -1;
    for (size_t k = 0; k < a->nf; k++) {
        const char *h = a->f[k];
        while (*h == ' ')
            h++;
        for (int c = 0; c < C__COUNT; c++)
            if (a->col[c] < 0 && strcasecmp(h, col_names[c]) == 0)
                a->col[c] = (int)k;
    }
    if (a->col[C_LOCATION] < 0 || a->col[C_ENTRY] < 0 ||
        (a->col[C_IMAGE] < 0 && a->col[C_LAUNCH] < 0)) {
        a->state = 2;
        return 1;
    }
    a->state = 1;
    return 0;
}

static int row(mm_autoruns *a)
{
    bool any = false;
    for (size_t k = 0; k < a->nf && !any; k++)
        any = a->f[k][0] != 0;
    if (!any)
        return 0;
    const char *loc = field(a, C_LOCATION), *entry = field(a, C_ENTRY);
    const char *image = field(a, C_IMAGE), *launch = field(a, C_LAUNCH);
    if (loc[0] && !entry[0] && !image[0] && !launch[0]) {
        /* a group row: the location of the rows below it */
        size_t l = strlen(loc);
        char *g = realloc(a->group, l + 1);
        if (!g)
            return -1;
        memcpy(g, loc, l + 1);
        a->group = g;
        a->st.groups++;
        return 0;
    }
    if (!loc[0] && a->group)
        loc = a->group;
    static const char nf[] = "File not found: ";
    if (strncasecmp(image, nf, sizeof nf - 1) == 0)
        image += sizeof nf - 1;
    mm_autorun r = {
        .time = field(a, C_TIME), .location = loc, .entry = entry,
        .enabled = field(a, C_ENABLED), .category = field(a, C_CATEGORY),
        .profile = field(a, C_PROFILE), .description = field(a, C_DESCRIPTION),
        .signer = field(a, C_SIGNER), .company = field(a, C_COMPANY), .image = image,
        .version = field(a, C_VERSION), .launch = launch, .md5 = field(a, C_MD5),
        .sha1 = field(a, C_SHA1), .sha256 = field(a, C_SHA256), .line = a->rstart,
    };
    a->st.rows++;
    return a->s.row ? a->s.row(a->s.user, &r) : 0;
}

/* The row a->row[0..rn) is complete (or cut): split and handle it. */
static int finish(mm_autoruns *a, bool at_end)
{
    int r = split(a, a->row, a->rn);
    if (r == 0 && !at_end && !a->rcut && a->rlines < MM_AUTORUNS_ROW_LINES) {
        a->open = true;
        return 0;
    }
    a->open = false;
    size_t n = a->rn;
    a->rn = 0;
    bool cut = a->rcut;
    a->rcut = false;
    if (cut)
        a->st.cut++;
    if (r < 0) {
        bad(a, a->rstart, "more than 64 fields");
        return 0;
    }
    if (r == 0) {
        bad(a, a->rstart, cut ? "row longer than 256 KiB"
                              : at_end ? "quoted field not closed"
                                       : "quoted field not closed within 16 lines");
        return 0;
    }
    if (a->state == 0) {
        if (n == 0)
            return 0;
        if (strchr(a->row, '\t')) {
            a->sep = '\t';
            a->st.tabs = true;
            if (split(a, a->row, n) != 1) {
                a->state = 2;
                return 1;
            }
        }
        return header(a);
    }
    return row(a);
}

static int on_line(void *u, char *line, size_t n, bool cut, uint64_t lineno)
{
    mm_autoruns *a = u;
    a->st.lines = lineno;
    if (!a->open) {
        a->rn = 0;
        a->rlines = 0;
        a->rstart = lineno;
    } else if (a->rn < MM_AUTORUNS_ROW_MAX) {
        a->row[a->rn++] = '\n';
    }
    if (cut)
        a->rcut = true;
    size_t room = MM_AUTORUNS_ROW_MAX - a->rn;
    if (n > room) {
        n = room;
        a->rcut = true;
    }
    memcpy(a->row + a->rn, line, n);
    a->rn += n;
    a->rlines++;
    a->row[a->rn] = 0;
    if (a->state == 0 && a->rn == 0)
        return 0;
    return finish(a, false);
}

mm_autoruns *mm_autoruns_new(const mm_autoruns_sink *s)
{
    mm_autoruns *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    if (s)
        a->s = *s;
    a->sep = ',';
    a->row = malloc(MM_AUTORUNS_ROW_MAX + 1);
    a->fbuf = malloc(MM_AUTORUNS_ROW_MAX + MM_AUTORUNS_COLS_MAX + 1);
    if (!a->row || !a->fbuf || mm_evtext_init(&a->t, 0, on_line, a) != 0) {
        free(a->row);
        free(a->fbuf);
        free(a);
        return NULL;
    }
    return a;
}

void mm_autoruns_free(mm_autoruns *a)
{
    if (!a)
        return;
    mm_evtext_free(&a->t);
    free(a->row);
    free(a->fbuf);
    free(a->group);
    free(a);
}

int mm_autoruns_feed(mm_autoruns *a, const uint8_t *d, size_t n)
{
    if (a->state == 2)
        return 1;
    return mm_evtext_feed(&a->t, d, n);
}

int mm_autoruns_end(mm_autoruns *a, mm_autoruns_stats *st)
{
    int rc = 1;
    if (a->state != 2) {
        rc = mm_evtext_end(&a->t);
        if (rc == 0 && a->open)
            rc = finish(a, true);
        if (rc == 0 && a->state == 0)
            rc = 1;
    }
    a->st.cut += a->t.cut;
    a->st.bad_text += a->t.bad_text;
    if (st)
        *st = a->st;
    return rc;
}

int mm_autoruns_read_mem(const uint8_t *d, size_t n, const mm_autoruns_sink *s,
                         mm_autoruns_stats *st)
{
    mm_autoruns *a = mm_autoruns_new(s);
    if (!a)
        return -1;
    int rc = mm_autoruns_feed(a, d, n);
    int rc2 = mm_autoruns_end(a, st);
    mm_autoruns_free(a);
    return rc ? rc : rc2;
}

bool mm_autoruns_sniff(const uint8_t *d, size_t n)
{
    char h[4096];
    if (!mm_evtext_first_line(d, n < 8192 ? n : 8192, h, sizeof h))
        return false;
    /* the header names, quoted or not */
    return strstr(h, "Entry Location") && (strstr(h, "Image Path") || strstr(h, "Launch String"));
}
