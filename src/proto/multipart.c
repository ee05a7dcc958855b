/*
 * multipart.c - multipart/form-data parts (see multipart.h).
 *
 * A part is: delimiter ("\r\n--" boundary; the first may open the body
 * without its CRLF), the rest of the delimiter's line, header lines, an
 * empty line, then the part's bytes up to the next delimiter. "--" right
 * after a delimiter closes the body; what follows is ignored.
 */
#include "proto/multipart.h"

#include <string.h>
#include <strings.h>

#define HDR_KEEP 2048           /* part header bytes looked at for the filename */
#define HDR_LIMIT 16384         /* header bytes of a part before it is given up */
#define SLICE 4096

enum { P_PRE, P_AFTER, P_LINE, P_HDR, P_DATA, P_END };

struct mm_mpart {
    mm_mpart_cb cb;
    char delim[4 + MM_MPART_BOUNDARY_MAX];
    uint8_t dl;
    uint8_t state;
    bool file;                  /* the part in progress is a file (start called) */
    uint8_t hold[4 + MM_MPART_BOUNDARY_MAX];  /* bytes that may begin a delimiter */
    uint8_t nhold;
    uint32_t linelen;           /* P_HDR: bytes of the current line (CR not counted) */
    uint32_t hdr_total;
    uint16_t nhdr;
    char hdr[HDR_KEEP];
};

static bool is_token_end(char c)
{
    return c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The value of parameter key ("boundary=", "filename=": quoted or a token,
 * on one line) in h[from..n), after a ';' or a blank; NULL when absent. */
static const char *param(const char *h, size_t n, size_t from, const char *key, size_t *len)
{
    size_t kl = strlen(key);
    for (size_t i = from > 0 ? from : 1; i + kl <= n; i++) {
        if (strncasecmp(h + i, key, kl) != 0 ||
            !(h[i - 1] == ';' || h[i - 1] == ' ' || h[i - 1] == '\t'))
            continue;
        const char *v = h + i + kl, *e = h + n;
        bool quoted = v < e && *v == '"';
        v += quoted;
        size_t k = 0;
        while (v + k < e && v[k] != '\r' && v[k] != '\n' &&
               (quoted ? v[k] != '"' : !is_token_end(v[k])))
            k++;
        *len = k;
        return v;
    }
    return NULL;
}

bool mm_mpart_boundary(const char *ctype, size_t len, char *out)
{
    static const char mt[] = "multipart/form-data";
    if (len < sizeof mt - 1 || strncasecmp(ctype, mt, sizeof mt - 1) != 0)
        return false;
    size_t k;
    const char *v = param(ctype, len, sizeof mt - 1, "boundary=", &k);
    if (!v || k == 0 || k > MM_MPART_BOUNDARY_MAX)
        return false;
    memcpy(out, v, k);
    out[k] = 0;
    return true;
}

/* filename="x" (or filename=x) in a part's headers h[0..n). */
static bool find_filename(const char *h, size_t n, const char **name, size_t *len)
{
    return (*name = param(h, n, 1, "filename=", len)) && *len > 0;
}

size_t mm_mpart_size(void)
{
    return sizeof(mm_mpart);
}

void mm_mpart_init(mm_mpart *m, const char *boundary, const mm_mpart_cb *cb)
{
    memset(m, 0, sizeof *m);
    m->cb = *cb;
    size_t bl = strnlen(boundary, MM_MPART_BOUNDARY_MAX);
    memcpy(m->delim, "\r\n--", 4);
    memcpy(m->delim + 4, boundary, bl);
    m->dl = (uint8_t)(4 + bl);
    /* the body may open with its first delimiter: as if a line ended before */
    memcpy(m->hold, "\r\n", 2);
    m->nhold = 2;
    m->state = P_PRE;
}

static void emit(mm_mpart *m, const uint8_t *d, size_t n)
{
    if (m->state == P_DATA && m->file && n)
        m->cb.data(m->cb.ctx, d, (uint32_t)n);
}

static void part_end(mm_mpart *m, bool complete)
{
    if (m->file)
        m->cb.end(m->cb.ctx, complete);
    m->file = false;
}

static void headers_done(mm_mpart *m)
{
    const char *name;
    size_t len;
    m->state = P_DATA;
    if (find_filename(m->hdr, m->nhdr, &name, &len)) {
        m->file = true;
        m->cb.start(m->cb.ctx, name, len);
    }
}

/* Header bytes: returns how many were taken (the empty line ends them). */
static size_t header_bytes(mm_mpart *m, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (m->nhdr < HDR_KEEP)
            m->hdr[m->nhdr++] = (char)c;
        if (++m->hdr_total > HDR_LIMIT) {
            m->state = P_DATA;  /* not headers: the part is skipped */
            return i + 1;
        }
        if (c == '\n') {
            if (m->linelen == 0) {
                headers_done(m);
                return i + 1;
            }
            m->linelen = 0;
        } else if (c != '\r') {
            m->linelen++;
        }
    }
    return n;
}

/* Bytes p[0..n), the held ones first; whatever may still begin a
 * delimiter is held again. */
static void run(mm_mpart *m, const uint8_t *p, size_t n)
{
    while (n && m->state != P_END) {
        switch (m->state) {
        case P_PRE:
        case P_DATA: {
            const uint8_t *q = memmem(p, n, m->delim, m->dl);
            if (!q) {
                size_t keep = n < (size_t)m->dl - 1 ? n : (size_t)m->dl - 1;
                emit(m, p, n - keep);
                memcpy(m->hold, p + n - keep, keep);
                m->nhold = (uint8_t)keep;
                return;
            }
            emit(m, p, (size_t)(q - p));
            part_end(m, true);
            n -= (size_t)(q - p) + m->dl;
            p = q + m->dl;
            m->state = P_AFTER;
            break;
        }
        case P_AFTER:
            if (n < 2) {
                memcpy(m->hold, p, n);
                m->nhold = (uint8_t)n;
                return;
            }
            m->state = p[0] == '-' && p[1] == '-' ? P_END : P_LINE;
            break;
        case P_LINE: {
            const uint8_t *q = memchr(p, '\n', n);
            if (!q)
                return;     /* the rest of the delimiter's line */
            n -= (size_t)(q - p) + 1;
            p = q + 1;
            m->state = P_HDR;
            m->nhdr = 0;
            m->linelen = 0;
            m->hdr_total = 0;
            break;
        }
        case P_HDR: {
            size_t k = header_bytes(m, p, n);
            p += k;
            n -= k;
            break;
        }
        default:
            return;
        }
    }
}

void mm_mpart_feed(mm_mpart *m, const uint8_t *d, uint32_t n)
{
    if (m->state == P_END)
        return;
    if (!d) {
        /* held bytes were the part's after all; a part's headers cut by
         * a gap leave it unread; a delimiter cut by it is missed */
        emit(m, m->hold, m->nhold);
        m->nhold = 0;
        if (m->state == P_DATA && m->file)
            m->cb.data(m->cb.ctx, NULL, n);
        else if (m->state == P_HDR)
            m->state = P_DATA;
        else if (m->state != P_DATA)
            m->state = P_PRE;
        return;
    }
    uint8_t buf[sizeof m->hold + SLICE];
    while (n) {
        uint32_t s = n < SLICE ? n : SLICE;
        size_t h = m->nhold;
        memcpy(buf, m->hold, h);
        memcpy(buf + h, d, s);
        m->nhold = 0;
        run(m, buf, h + s);
        d += s;
        n -= s;
    }
}

void mm_mpart_finish(mm_mpart *m, bool whole)
{
    if (m->state == P_DATA && m->file) {
        emit(m, m->hold, m->nhold);
        part_end(m, whole);
    }
    m->nhold = 0;
    m->state = P_END;
}

/* The end of a part's headers from p (the index after their empty line)
 * within its first HDR_LIMIT bytes, or UINT32_MAX. */
static uint32_t headers_end(const uint8_t *p, uint32_t n)
{
    uint32_t linelen = 0;
    for (uint32_t i = 0; i < n && i < HDR_LIMIT; i++) {
        if (p[i] == '\n') {
            if (linelen == 0)
                return i + 1;
            linelen = 0;
        } else if (p[i] != '\r') {
            linelen++;
        }
    }
    return UINT32_MAX;
}

/* Where the next delimiter starts at or after from (-1: none). */
static int64_t next_delim(const uint8_t *body, uint32_t n, uint32_t from, const char *delim,
                          size_t dl)
{
    if (from >= n)
        return -1;
    const uint8_t *q = memmem(body + from, n - from, delim, dl);
    return q ? q - body : -1;
}

int mm_mpart_split(const uint8_t *body, uint32_t n, const char *boundary, mm_mpart_piece *out,
                   int max)
{
    char delim[4 + MM_MPART_BOUNDARY_MAX];
    size_t bl = strnlen(boundary, MM_MPART_BOUNDARY_MAX), dl = 4 + bl;
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, bl);
    /* the first delimiter: at the start without its CRLF (as if at -2), or
     * after a line */
    int64_t q = n >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0
                ? -2 : next_delim(body, n, 0, delim, dl);
    int k = 0;
    while (q != -1 && k < max) {
        uint32_t at = (uint32_t)(q + (int64_t)dl);  /* after the delimiter */
        if (at + 2 > n || (body[at] == '-' && body[at + 1] == '-'))
            break;
        const uint8_t *nl = memchr(body + at, '\n', n - at);
        if (!nl)
            break;
        uint32_t h = (uint32_t)(nl - body) + 1;
        uint32_t hl = headers_end(body + h, n - h);
        if (hl == UINT32_MAX) {
            if (n - h <= HDR_LIMIT)
                break;          /* cut in its headers */
            q = next_delim(body, n, h + HDR_LIMIT + 1, delim, dl);  /* not headers: skipped */
            continue;
        }
        uint32_t ds = h + hl;
        q = next_delim(body, n, ds, delim, dl);
        const char *name;
        size_t len;
        if (find_filename((const char *)body + h, hl < HDR_KEEP ? hl : HDR_KEEP, &name, &len)) {
            uint32_t de = q >= 0 ? (uint32_t)q : n;
            out[k++] = (mm_mpart_piece){(const uint8_t *)name, body + ds, (uint32_t)len, de - ds};
        }
    }
    return k;
}
