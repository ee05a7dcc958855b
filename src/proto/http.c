/*
 * http.c - HTTP/1.x.
 *
 * Each direction is a small state machine: header block (gathered in a
 * buffer of at most HDR_MAX bytes), then a body framed by Content-Length,
 * chunked encoding, or, for a response, the end of the connection.
 * Requests wait in a queue (pipelining) and are paired with responses in
 * order; a transaction is logged when its response is complete, or at the
 * end of the flow. A gap inside a body of known length is skipped; a gap
 * elsewhere makes the direction resynchronise at the next line that starts a
 * request or a status line.
 */
#include "proto/app.h"
#include "proto/http_bufs.h"
#include "proto/multipart.h"
#include "proto/file.h"
#include "proto/http_range.h"

#include <ctype.h>
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HDR_MAX 16384       /* header block, per message */
#define MAX_TX 16           /* requests waiting for a response */
#define HBUF 4096           /* logged headers per message: (len, name, len, value) */
#define NAME_MAX_LOG 64
#define VAL_MAX_LOG 1024
#define REQ_BODY_LOG 1024u  /* request body bytes kept for the log (POST values) */
#define RAW_MAX 16384u      /* header block kept for rule inspection */
#define IB_MAX 32768u       /* body bytes rules inspect (http.request_body, file.data) */
#define INFLATE_MAX (64u << 20)   /* decompressed bytes per body, at most */
#define INFLATE_RATIO 1000        /* ... and at most this many per compressed byte */
#define MPART_RULES 8             /* files of an upload the rules see, each */

typedef struct http_tx {
    char method[24], uri[2048], proto[16];
    char host[256], ua[512], referer[512], xff[128];
    bool nolog;                 /* a config rule turned its logging off */
    uint64_t id;                /* its tx_id: the order of requests in the flow */
    char *req_h;
    uint16_t n_req_h;        /* bytes used in req_h */
    /* response */
    bool has_resp, resp_done;
    int status;
    char resp_proto[16], ctype[128], location[512];
    char crange[96];            /* Content-Range as sent ("" none) */
    int64_t cr_start, cr_end, cr_size;      /* ... read (-1: not given or unreadable) */
    char *resp_h;
    uint16_t n_resp_h;
    uint64_t resp_len;
    char *req_body;          /* first REQ_BODY_LOG bytes of the request body */
    uint16_t n_req_body;
    uint64_t req_len;        /* request body bytes (gaps too) */
    uint64_t ts;
} http_tx;

/* What a fileinfo event says of the transaction: a copy of its fields (the
 * transaction may be logged and gone before its body ends), without its
 * header and body buffers. */
typedef struct file_ctx {
    http_tx t;
} file_ctx;

enum { ENC_NONE, ENC_GZIP, ENC_DEFLATE };

#define GZ_HDR_MAX 512u         /* a gzip member header read, at most */

/* A body being decompressed (gzip or deflate) into its file. */
typedef struct body_z {
    z_stream z;
    bool raw_tried, stop;
    bool passthrough;           /* not compressed after all: the bytes as they are */
    bool deflate;               /* Content-Encoding: deflate (may come without its header) */
    uint64_t in, out;
    struct body_z *next;        /* the layer its output goes to (NULL: the file) */
    bool gh_done;               /* gzip: its member header read (or not one) */
    uint16_t ghlen;
    uint8_t gh[GZ_HDR_MAX];     /* ... its bytes until then */
} body_z;

#define HDR_FOLD 4096           /* a folded header line, at most */
#define ENC_LAYERS_MAX 4        /* Content-Encoding tokens kept (the limit is a->http_layers) */

enum { S_HDR = 0, S_BODY_LEN, S_BODY_CHUNK_SIZE, S_BODY_CHUNK_DATA, S_BODY_CHUNK_CRLF,
       S_BODY_CHUNK_TRAILER, S_BODY_CLOSE, S_LOST, S_TUNNEL, S_FIN };

typedef struct dir_state {
    int state;
    char *hdr;
    uint32_t hlen;
    uint64_t left;           /* body bytes still to come (length or chunk) */
    char line[64];           /* chunk size line; the line after a response */
    uint32_t llen;
    bool fin_body;           /* S_FIN: the rest of this line is body */
    bool fin_event;          /* S_FIN: request_body_unexpected said for this request */
    bool hexseen;            /* S_BODY_CHUNK_SIZE: a digit of the size line came */
    const char *ev[4];       /* the app-layer events of the message in flight */
    uint8_t nev;
    mm_file *file;           /* the body being read, as a file */
    uint32_t rid;            /* a range piece: the whole it goes to (http_range.c) */
    uint64_t roff, rtx, rts; /* ... where its next byte goes; its tx and time */
    file_ctx *fctx;
    body_z *bz;              /* its decompression, when encoded */
    bool bomb;               /* decompression stopped (limit or error): cut */
    http_tx *req_tx;         /* request whose body this is (NULL once logged) */
    /* for rules (only when someone observes): the message's header block
     * and the start of its decoded body, inspected when the body ends */
    char *raw;
    uint32_t rawlen;
    uint8_t *ib;
    uint32_t iblen;
    bool insp_pending;
    uint8_t insp_dir;
    struct http_tx *insp_tx;    /* the transaction the message belongs to */
    /* a multipart/form-data request body: its parts are the files */
    mm_mpart *mp;
    uint64_t mp_seen;           /* body bytes it was given */
    char mpb[MM_MPART_BOUNDARY_MAX + 1];    /* its boundary, until the rules saw it */
    struct {
        mm_app *a;
        mm_flow *f;
        uint64_t tx_id, ts;
    } mpc;                      /* what the part callbacks need */
} dir_state;

typedef struct http_state {
    mm_app *a;
    dir_state d[2];
    http_tx *tx[MAX_TX];     /* allocated as requests come */
    uint8_t ntx;             /* queued requests (tx[0] oldest) */
    uint8_t resp_idx;        /* which queued request the current response answers */
    uint64_t next_id;           /* the next transaction's tx_id */
} http_state;

static const char *const methods[] = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS",
                                      "CONNECT", "TRACE", "PATCH", "PROPFIND", "PROPPATCH",
                                      "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
                                      "REPORT", "SUBSCRIBE", "NOTIFY", "M-SEARCH"};

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)f;
    (void)udp;
    if (dir == MM_TO_CLIENT) {
        static const char st[] = "HTTP/1.";
        uint32_t k = n < 7 ? n : 7;
        if (memcmp(d, st, k) != 0)
            return MM_PROBE_NO;
        return n < 7 ? MM_PROBE_MORE : MM_PROBE_YES;
    }
    bool more = false;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        size_t l = strlen(methods[i]);
        if (n >= l + 1 && memcmp(d, methods[i], l) == 0 && d[l] == ' ') {
            /* RTSP and SIP share HTTP's request syntax: not HTTP. */
            const uint8_t *u = d + l + 1;
            size_t ul = n - l - 1;
            if ((ul >= 7 && strncasecmp((const char *)u, "rtsp://", 7) == 0) ||
                (ul >= 8 && strncasecmp((const char *)u, "rtsps://", 8) == 0) ||
                (ul >= 4 && strncasecmp((const char *)u, "sip:", 4) == 0) ||
                (ul >= 5 && strncasecmp((const char *)u, "sips:", 5) == 0) ||
                memmem(u, ul, " RTSP/", 6) || memmem(u, ul, " SIP/", 5))
                return MM_PROBE_NO;
            /* A whole request line names its version ("GET /" alone is
             * HTTP/0.9); other protocols borrow verbs (NATS: "CONNECT {") */
            const uint8_t *eol = memchr(u, '\n', ul);
            if (eol && i != 0 && !memmem(u, (size_t)(eol - u), " HTTP/", 6))
                return MM_PROBE_NO;
            return MM_PROBE_YES;
        }
        if (n < l + 1 && memcmp(d, methods[i], n) == 0)
            more = true;
    }
    return more ? MM_PROBE_MORE : MM_PROBE_NO;
}

static void copyv(char *dst, size_t dn, const char *v, size_t vl)
{
    if (vl >= dn)
        vl = dn - 1;
    memcpy(dst, v, vl);
    dst[vl] = 0;
}

static void free_tx(mm_app *a, http_tx *t)
{
    mm_app_free(a, t->req_body, REQ_BODY_LOG);
    mm_app_free(a, t->req_h, HBUF);
    mm_app_free(a, t->resp_h, HBUF);
    mm_app_free(a, t, sizeof(*t));
}

/* A new transaction at the end of the queue (the oldest is logged first
 * when the queue is full). NULL when out of memory. */
static http_tx *push(mm_app *a, mm_flow *f, http_state *s, uint64_t ts);

/* A Host header without its port (returned, -1 when none). */
static long host_only(const char *host, char *h, size_t hn)
{
    mm_strcpy(h, hn, host);
    char *c = h[0] == '[' ? strchr(h, ']') : strrchr(h, ':');
    if (c && h[0] == '[')
        c = c[1] == ':' ? c + 1 : NULL;
    long port = -1;
    if (c && *c == ':') {
        char *e;
        port = strtol(c + 1, &e, 10);
        if (*e || port <= 0 || port > 65535)
            port = -1;
        else
            *c = 0;
    }
    return port;
}

enum { F_BASIC, F_EXTENDED, F_FULL };
static void http_fields(mm_json *j, const http_tx *t, int level, uint8_t headers);

static void log_tx(mm_app *a, mm_flow *f, http_tx *t)
{
    mm_obs_http o = {.method = t->method, .uri = t->uri, .host = t->host, .ua = t->ua,
                     .ctype = "", .body = (const uint8_t *)t->req_body,
                     .body_len = t->n_req_body, .status = t->has_resp ? t->status : 0,
                     .resp_ctype = t->ctype, .referer = t->referer, .location = t->location,
                     .req_len = t->req_len, .resp_len = t->resp_len};
    mm_app_observe(a, f, MM_TO_SERVER, MM_OBS_HTTP, &o, t->ts);
    if (t->nolog)
        return;
    mm_json *j = mm_app_event_begin(a, f, t->ts, "http", MM_TO_SERVER, false);
    mj_u64(j, "tx_id", t->id);
    mj_obj_open(j, "http");
    http_fields(j, t, a->http_basic ? F_BASIC : F_FULL, a->http_headers);
    mj_obj_close(j);
    mm_app_event_end(a, f);
}

/* The http object of an alert on this transaction (Suricata's: no headers). */
static void alert_json(mm_json *j, const void *ctx)
{
    mj_u64(j, "tx_id", ((const http_tx *)ctx)->id);
    mj_obj_open(j, "http");
    http_fields(j, ctx, F_EXTENDED, 0);
    mj_obj_close(j);
}

/* The fields of the http object: Suricata's basic ones, its extended ones
 * (referer, method, protocol, status, redirect, length: alerts and full),
 * in full the start of the request body; http events (basic or full) the
 * headers of the sides asked for (1 request, 2 response). */
/* Suricata's content_range object: the header as sent, and what it says. */
static void crange_json(mm_json *j, const char *raw, int64_t start, int64_t end, int64_t size)
{
    if (!raw[0])
        return;
    mj_obj_open(j, "content_range");
    mj_str(j, "raw", raw);
    if (start >= 0)
        mj_u64(j, "start", (uint64_t)start);
    if (end >= 0)
        mj_u64(j, "end", (uint64_t)end);
    if (size >= 0)
        mj_u64(j, "size", (uint64_t)size);
    mj_obj_close(j);
}

static void http_fields(mm_json *j, const http_tx *t, int level, uint8_t headers)
{
    bool full = level == F_FULL;
    if (t->host[0]) {
        char h[256];
        long port = host_only(t->host, h, sizeof h);
        mj_str(j, "hostname", h);
        if (port > 0)
            mj_u64(j, "http_port", (uint64_t)port);
    }
    mj_str(j, "url", t->uri);
    if (t->ua[0]) mj_str(j, "http_user_agent", t->ua);
    if (t->xff[0]) mj_str(j, "xff", t->xff);
    if (t->ctype[0])            /* the type without its parameters, as Suricata's */
        mj_strn(j, "http_content_type", t->ctype, strcspn(t->ctype, ";"));
    crange_json(j, t->crange, t->cr_start, t->cr_end, t->cr_size);
    if (level != F_BASIC) {
        if (t->referer[0]) mj_str(j, "http_refer", t->referer);
        mj_str(j, "http_method", t->method);
        mj_str(j, "protocol", t->proto);
    }
    if (full && t->n_req_body) {
        /* the start of the request body (form values of a POST), printable */
        char b[REQ_BODY_LOG];
        for (uint32_t i = 0; i < t->n_req_body; i++) {
            unsigned char c = (unsigned char)t->req_body[i];
            b[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
        }
        mj_strn(j, "http_request_body_printable", b, t->n_req_body);
    }
    if (t->has_resp && level != F_BASIC) {
        mj_u64(j, "status", (uint64_t)t->status);
        if (t->location[0]) mj_str(j, "redirect", t->location);
    }
    if (level != F_BASIC)       /* the answer's body bytes so far, 0 before it */
        mj_u64(j, "length", t->resp_len);
    for (int side = 0; side < 2 && level != F_EXTENDED; side++) {
        if (!(headers & (1 << side)))
            continue;
        const char *h = side ? t->resp_h : t->req_h;
        uint16_t used = side ? t->n_resp_h : t->n_req_h;
        if (!used)
            continue;
        mj_arr_open(j, side ? "response_headers" : "request_headers");
        /* Lengths are stored, not terminators: header bytes may hold NUL. */
        for (uint32_t i = 0; i + 3 <= used;) {
            uint32_t nl = (uint8_t)h[i];
            uint32_t vl = (uint32_t)(uint8_t)h[i + 1 + nl] << 8 | (uint8_t)h[i + 2 + nl];
            mj_obj_open(j, NULL);
            mj_strn(j, "name", h + i + 1, nl);
            mj_strn(j, "value", h + i + 3 + nl, vl);
            mj_obj_close(j);
            i += 3 + nl + vl;
        }
        mj_arr_close(j);
    }
}

/* Remove tx[0] from the queue after logging it. */
static void pop(mm_app *a, mm_flow *f, http_state *s)
{
    if (!s->ntx)
        return;
    log_tx(a, f, s->tx[0]);
    if (s->d[MM_TO_SERVER].req_tx == s->tx[0])
        s->d[MM_TO_SERVER].req_tx = NULL;
    for (int dir = 0; dir < 2; dir++)
        if (s->d[dir].insp_tx == s->tx[0])
            s->d[dir].insp_tx = NULL;
    free_tx(a, s->tx[0]);
    memmove(&s->tx[0], &s->tx[1], (size_t)(s->ntx - 1) * sizeof(http_tx *));
    s->tx[s->ntx - 1] = NULL;
    s->ntx--;
    if (s->resp_idx)
        s->resp_idx--;
}

static http_tx *push(mm_app *a, mm_flow *f, http_state *s, uint64_t ts)
{
    if (s->ntx == MAX_TX)
        pop(a, f, s);          /* no response for the oldest: log it as it is */
    http_tx *t = mm_app_alloc(a, sizeof(http_tx));
    if (!t)
        return NULL;
    t->ts = ts;
    t->id = s->next_id++;       /* the transaction's number in its flow, as logged */
    s->tx[s->ntx++] = t;
    return t;
}

/* a[0..al) is b (lower case) as libhtp compares header names and tokens:
 * case aside and NUL bytes skipped ("chu\0nked" is chunked). */
static bool ieq(const char *a, size_t al, const char *b)
{
    size_t j = 0;
    for (size_t i = 0; i < al; i++) {
        if (!a[i])
            continue;
        if (!b[j] || tolower((unsigned char)a[i]) != b[j])
            return false;
        j++;
    }
    return !b[j];
}

/* b (lower case) inside a[0..al), case aside and NUL bytes skipped. */
static bool has_nz(const char *a, size_t al, const char *b)
{
    char c[512];
    size_t k = 0;
    for (size_t i = 0; i < al && k < sizeof c - 1; i++)
        if (a[i])
            c[k++] = (char)tolower((unsigned char)a[i]);
    c[k] = 0;
    return strstr(c, b) != NULL;
}

static bool same(const char *a, size_t al, const char *b)
{
    return al == strlen(b) && memcmp(a, b, al) == 0;
}

/* A Content-Encoding value as libhtp reads it, in one pass: its layers in
 * the order the sender applied them (appended to lay) - plain
 * gzip/x-gzip/deflate/x-deflate at once, else token by token (',' or
 * whitespace between), a token naming gzip or deflate anywhere in it being
 * that layer, others (identity, lzma ...) none - and its anomalies: more
 * than two tokens is too many (Suricata's default limit), a token not one
 * of the known spellings abnormal. */
static void ce_read(const char *v, size_t vl, uint8_t *lay, int *nlay, bool *too_many,
                    bool *abnormal)
{
    int plain = ieq(v, vl, "gzip") || ieq(v, vl, "x-gzip") ? ENC_GZIP
              : ieq(v, vl, "deflate") || ieq(v, vl, "x-deflate") ? ENC_DEFLATE : ENC_NONE;
    if (plain != ENC_NONE) {
        if (*nlay < ENC_LAYERS_MAX)
            lay[(*nlay)++] = (uint8_t)plain;
        return;
    }
    int tokens = 0;
    for (size_t i = 0; i < vl;) {
        size_t j = i;
        while (j < vl && v[j] != ',' && v[j] != ' ' && v[j] != '\t')
            j++;
        const char *tk = v + i;
        size_t tl = j - i;
        i = j + 1;
        if (!tl)
            continue;
        int e = has_nz(tk, tl, "gzip") ? ENC_GZIP : has_nz(tk, tl, "deflate") ? ENC_DEFLATE
                                                                             : ENC_NONE;
        if (e != ENC_NONE && *nlay < ENC_LAYERS_MAX)
            lay[(*nlay)++] = (uint8_t)e;
        if (++tokens > 2)
            *too_many = true;
        if (*too_many)
            continue;           /* as libhtp: no more judging past the limit */
        if (e == ENC_GZIP)
            *abnormal |= !same(tk, tl, "gzip") && !same(tk, tl, "x-gzip");
        else if (e == ENC_DEFLATE)
            *abnormal |= !same(tk, tl, "deflate") && !same(tk, tl, "x-deflate");
        else if (!same(tk, tl, "lzma") && !same(tk, tl, "inflate") && !same(tk, tl, "none") &&
                 !same(tk, tl, "identity"))
            *abnormal = true;
    }
}

/* Does h[0..n) start as a response's status line (after whitespace)? */
static bool status_line(const char *h, uint32_t n)
{
    /* as libhtp's test (htp_treat_response_line_as_body, reversed): the
     * protocol after any whitespace - a CR too, which ends a line of its
     * own (libhtp asks for "HTTP" only; the slash is asked here too) */
    uint32_t i = 0;
    while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\0' || h[i] == '\r' ||
                     h[i] == '\v' || h[i] == '\f'))
        i++;
    return n - i >= 5 && strncasecmp(h + i, "HTTP/", 5) == 0;
}

/* A folded response line that holds a header of its own (" Transfer-Encoding:
 * chunked"): libhtp reads it as one, not as more of the header before. */
static bool folded_header(const char *c, const char *end)
{
    while (c < end && (*c == ' ' || *c == '\t'))
        c++;
    const char *s0 = c;
    while (c < end && *c != ':' && *c != '\n' && *c != ' ' && *c != '\t')
        c++;
    return c > s0 && c < end && *c == ':';
}

/* Does the line ending at h[end] ('\n') end a response's headers as libhtp
 * reads them: only spaces, tabs and CRs after an earlier line - but CRs
 * alone after a line that ended in CR LF are junk, not the end. */
/* A line of whitespace only (libhtp's ignorable line before a status). */
static bool only_space(const char *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c[i] != ' ' && c[i] != '\t' && c[i] != '\r' && c[i] != '\v' && c[i] != '\f' &&
            c[i] != '\0')
            return false;
    return true;
}

static bool blank_line(const char *h, uint32_t end)
{
    uint32_t i = end;
    bool cr_only = true;
    while (i > 0 && h[i - 1] != '\n') {
        char c = h[i - 1];
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
        cr_only &= c == '\r';
        i--;
    }
    if (i == 0)
        return false;           /* the status line is no blank line */
    return !(cr_only && i >= 2 && h[i - 2] == '\r');
}

/* --- bodies as files ------------------------------------------------------ */

/* zlib's memory, counted against the app memory cap (size kept in front). */
static void *z_alloc(void *op, uInt items, uInt size)
{
    size_t n = (size_t)items * size + 16;
    uint8_t *p = mm_app_alloc_buf(op, n);
    if (!p)
        return Z_NULL;
    memcpy(p, &n, sizeof n);
    return p + 16;
}

static void z_free(void *op, void *q)
{
    if (!q)
        return;
    uint8_t *p = (uint8_t *)q - 16;
    size_t n;
    memcpy(&n, p, sizeof n);
    mm_app_free(op, p, n);
}

static void file_ctx_json(mm_json *j, const void *arg)
{
    const file_ctx *c = arg;
    mj_obj_open(j, "http");
    http_fields(j, &c->t, F_EXTENDED, 0);
    mj_obj_close(j);
}

static bool z_init(mm_app *a, body_z *bz, bool raw)
{
    memset(&bz->z, 0, sizeof bz->z);
    bz->z.zalloc = z_alloc;
    bz->z.zfree = z_free;
    bz->z.opaque = a;
    /* 15+32: zlib or gzip header, found by itself; -15: raw deflate */
    return inflateInit2(&bz->z, raw ? -15 : 15 + 32) == Z_OK;
}

static void fctx_set(mm_app *a, dir_state *ds, const http_tx *t, int dir)
{
    if (!(ds->fctx = mm_app_alloc(a, sizeof *ds->fctx)))
        return;
    http_tx *c = &ds->fctx->t;
    *c = *t;
    c->req_h = c->resp_h = c->req_body = NULL;
    c->n_req_h = c->n_resp_h = c->n_req_body = 0;
    if (dir == MM_TO_SERVER) {  /* an upload: its answer has not come yet */
        c->has_resp = false;
        c->resp_len = 0;
        c->ctype[0] = c->location[0] = c->crange[0] = 0;
    }
}

/* An upload's parts, each with a filename a file of its own (libhtp's
 * multipart files, as Suricata logs them). */
static void mp_start(void *ctx, const char *name, size_t len)
{
    dir_state *ds = ctx;
    if (!(ds->file = mm_file_open(ds->mpc.a, name, len, ds->mpc.ts)))
        return;
    mm_file_set_tx(ds->file, ds->mpc.tx_id);
    mm_file_set_dir(ds->file, MM_TO_SERVER);
}

static void mp_data(void *ctx, const uint8_t *d, uint32_t n)
{
    dir_state *ds = ctx;
    if (ds->file)
        mm_file_data(ds->mpc.a, ds->file, d, n);
}

static void file_done(mm_app *a, mm_flow *f, dir_state *ds, bool complete, uint64_t ts);
static void z_free_all(mm_app *a, dir_state *ds);

static void mp_end(void *ctx, bool complete)
{
    dir_state *ds = ctx;
    file_done(ds->mpc.a, ds->mpc.f, ds, complete, ds->mpc.ts);
}

/* A message body starts: it is a file named by Content-Disposition, or by
 * the URI's path; a multipart/form-data request's files are its parts. */
static void body_start(mm_app *a, mm_flow *f, dir_state *ds, const http_tx *t, int dir,
                       const uint8_t *lay, int nlay,
                       const char *fname, size_t fnl, const char *mpb, uint64_t ts)
{
    if (ds->file || ds->fctx || ds->bz) {
        /* a body still open (a message that ended without saying so):
         * it is cut here, never left behind */
        file_done(a, f, ds, false, ts);
        mm_app_free(a, ds->fctx, sizeof *ds->fctx);
        ds->fctx = NULL;
        z_free_all(a, ds);
    }
    if (dir == MM_TO_SERVER && mpb[0] && (ds->mp = mm_app_alloc(a, mm_mpart_size()))) {
        ds->mpc.a = a;
        ds->mp_seen = 0;
        ds->mpc.tx_id = t->id;
        ds->mpc.ts = ts;
        mm_mpart_cb cb = {mp_start, mp_data, mp_end, ds};
        mm_mpart_init(ds->mp, mpb, &cb);
        mm_strcpy(ds->mpb, sizeof ds->mpb, mpb);
        fctx_set(a, ds, t, dir);
        return;
    }
    const char *name = fname;
    size_t nl = fnl;
    if (!nl) {
        name = t->uri;
        nl = strcspn(t->uri, "?");
    }
    if (!(ds->file = mm_file_open(a, name, nl, ts)))
        return;
    mm_file_set_tx(ds->file, t->id);
    mm_file_set_dir(ds->file, dir);
    if (dir == MM_TO_CLIENT)
        mm_file_set_declared(ds->file, t->ctype);
    fctx_set(a, ds, t, dir);
    /* a piece of a larger file: kept for the whole too (not when encoded:
     * the range counts the encoded bytes) */
    ds->rid = 0;
    if (dir == MM_TO_CLIENT && t->status == 206 && t->crange[0] && t->cr_start >= 0) {
        mm_file_set_range(ds->file, (uint64_t)t->cr_start, (uint64_t)t->cr_end);
        if (!nlay && t->cr_size > 0) {
            ds->rid = mm_hrange_join(a, t->host, t->uri, (uint64_t)t->cr_size, ts);
            ds->roff = (uint64_t)t->cr_start;
            ds->rtx = t->id;
            ds->rts = ts;
        }
    }
    /* the last layer applied is undone first: each decoder's output goes
     * to the one of the layer before it, the first layer's to the file */
    body_z **at = &ds->bz;
    for (int i = nlay - 1; i >= 0; i--) {
        body_z *bz = mm_app_alloc(a, sizeof *bz);
        if (!bz || !z_init(a, bz, false)) {
            mm_app_free(a, bz, sizeof *bz);
            break;              /* out of memory: the layers so far */
        }
        bz->deflate = lay[i] == ENC_DEFLATE;
        *at = bz;
        at = &bz->next;
    }
}

static void z_free_all(mm_app *a, dir_state *ds)
{
    for (body_z *bz = ds->bz, *nx; bz; bz = nx) {
        nx = bz->next;
        inflateEnd(&bz->z);
        mm_app_free(a, bz, sizeof *bz);
    }
    ds->bz = NULL;
}

/* The body's first IB_MAX decoded bytes, for rules. */
static void ib_add(mm_app *a, dir_state *ds, const uint8_t *d, uint32_t n)
{
    if (!ds->insp_pending || ds->iblen >= IB_MAX)
        return;
    if (!ds->ib && !(ds->ib = mm_app_alloc_buf(a, IB_MAX)))
        return;
    uint32_t k = n < IB_MAX - ds->iblen ? n : IB_MAX - ds->iblen;
    memcpy(ds->ib + ds->iblen, d, k);
    ds->iblen += k;
}

/* The message's buffers to the rules (at the end of its headers, or of
 * its body when one follows). */
static void alert_json(mm_json *j, const void *ctx);

/* An app-layer event of the message in flight (name: a literal): to the
 * detectors now, and to the rules again with the message's buffers. */
static void http_event(mm_app *a, mm_flow *f, dir_state *ds, int dir, const char *name,
                       uint64_t ts)
{
    mm_app_observe(a, f, dir, MM_OBS_APP_EVENT, name, ts);
    if (ds->nev < sizeof ds->ev / sizeof ds->ev[0])
        ds->ev[ds->nev++] = name;
}

static void rule_inspect(mm_app *a, mm_flow *f, dir_state *ds, int dir, uint64_t ts,
                         const mm_file_info *file)
{
    ds->insp_pending = false;
    char mpb[sizeof ds->mpb];       /* this message's upload boundary, taken once */
    memcpy(mpb, ds->mpb, sizeof mpb);
    ds->mpb[0] = 0;
    if (!ds->raw || !ds->rawlen)
        return;
    /* per thread: the sensor's workers parse at once */
    static _Thread_local char scratch[MM_HTTP_BUFS_SCRATCH(RAW_MAX)];
    static _Thread_local uint8_t whole[RAW_MAX + IB_MAX];
    mm_obs_buf b[MM_HTTP_BUFS_MAX + 2 + 2 * MPART_RULES];
    int n = mm_http_bufs(ds->raw, ds->rawlen, dir == MM_TO_SERVER, ds->ib, ds->iblen, b,
                         MM_HTTP_BUFS_MAX, scratch, sizeof scratch);
    if (n && mpb[0] && ds->ib) {
        /* an upload: file.data and file.name of each of its files (a rule's
         * file.data looks at one file, as Suricata's) */
        int k = 0;
        for (int i = 0; i < n; i++)
            if (b[i].id != MM_BUF_FILE_DATA)
                b[k++] = b[i];
        n = k;
        mm_mpart_piece pc[MPART_RULES];
        int np = mm_mpart_split(ds->ib, ds->iblen, mpb, pc, MPART_RULES);
        for (int i = 0; i < np; i++) {
            b[n++] = (mm_obs_buf){MM_BUF_FILE_DATA, pc[i].data, pc[i].data_len};
            b[n++] = (mm_obs_buf){MM_BUF_FILE_NAME, pc[i].name, pc[i].name_len};
        }
    }
    if (n) {
        /* the message as sent (headers, then the body decoded) for rules
         * that mix payload content with http buffers */
        memcpy(whole, ds->raw, ds->rawlen);
        if (ds->iblen)
            memcpy(whole + ds->rawlen, ds->ib, ds->iblen);
        b[n++] = (mm_obs_buf){MM_BUF_PAYLOAD, whole, ds->rawlen + ds->iblen};
        if (file && file->name[0])
            b[n++] = (mm_obs_buf){MM_BUF_FILE_NAME, (const uint8_t *)file->name,
                                  (uint32_t)strlen(file->name)};
    }
    ds->rawlen = 0;
    ds->iblen = 0;
    if (n) {
        http_tx *it = ds->insp_tx;
        bool nolog = false;
        mm_obs_buffers ob = {b, n, it ? alert_json : NULL, it, file,
                             it && it->xff[0] ? it->xff : NULL, it ? &nolog : NULL,
                             ds->ev, ds->nev};
        mm_app_observe(a, f, dir, MM_OBS_BUFFERS, &ob, ts);
        if (nolog)
            it->nolog = true;       /* a config rule: not logged */
    }
    ds->insp_tx = NULL;
    ds->nev = 0;
    /* given back at once: an idle connection holds none of it */
    mm_app_free(a, ds->raw, RAW_MAX);
    ds->raw = NULL;
    mm_app_free(a, ds->ib, IB_MAX);
    ds->ib = NULL;
}

static void z_feed(mm_app *a, mm_flow *f, dir_state *ds, body_z *bz, const uint8_t *d,
                   uint32_t n);

/* Decoded bytes to the next layer down, or to the file. */
static void z_emit(mm_app *a, mm_flow *f, dir_state *ds, body_z *next, const uint8_t *d,
                   uint32_t n)
{
    if (next) {
        if (!next->stop)
            z_feed(a, f, ds, next, d, n);
        return;
    }
    ib_add(a, ds, d, n);
    mm_file_data(a, ds->file, d, n);
}

static void z_run(mm_app *a, mm_flow *f, dir_state *ds, body_z *bz, const uint8_t *d,
                  uint32_t n);

/* gzip's member header (RFC 1952) at g[0..n): its length; 0 when not all
 * there yet, -1 when it is no gzip header. */
static int gzip_head(const uint8_t *g, uint32_t n)
{
    if ((n >= 1 && g[0] != 0x1f) || (n >= 2 && g[1] != 0x8b) || (n >= 3 && g[2] != 8))
        return -1;
    if (n < 10)
        return 0;
    uint8_t flg = g[3];
    uint32_t at = 10;
    if (flg & 0x04) {                   /* FEXTRA */
        if (n < at + 2)
            return 0;
        at += 2u + (g[at] | (uint32_t)g[at + 1] << 8);
    }
    for (uint8_t bit = 0x08; bit <= 0x10; bit <<= 1) {     /* FNAME, FCOMMENT */
        if (!(flg & bit))
            continue;
        while (at < n && g[at])
            at++;
        if (at >= n)
            return 0;
        at++;
    }
    if (flg & 0x02)                     /* FHCRC: not checked */
        at += 2;
    return at <= n ? (int)at : 0;
}

/* A layer's bytes. A gzip layer's member header is read here, as libhtp
 * reads it: its reserved flag bits and header CRC are not judged, and the
 * data after it is inflated raw (so a wrong trailer CRC does not cut it). */
static void z_feed(mm_app *a, mm_flow *f, dir_state *ds, body_z *bz, const uint8_t *d,
                   uint32_t n)
{
    if (bz->deflate || bz->gh_done) {
        z_run(a, f, ds, bz, d, n);
        return;
    }
    uint32_t k = n < GZ_HDR_MAX - bz->ghlen ? n : GZ_HDR_MAX - bz->ghlen;
    memcpy(bz->gh + bz->ghlen, d, k);
    bz->ghlen = (uint16_t)(bz->ghlen + k);
    d += k;
    n -= k;
    int h = gzip_head(bz->gh, bz->ghlen);
    if (h == 0 && bz->ghlen < GZ_HDR_MAX)
        return;                         /* more of the header to come */
    bz->gh_done = true;
    if (h > 0) {
        inflateEnd(&bz->z);
        bz->raw_tried = true;
        if (!z_init(a, bz, true)) {
            bz->stop = true;
            return;
        }
    } else {
        h = 0;                          /* not gzip's header: as zlib finds it */
    }
    if (bz->ghlen > (uint16_t)h)
        z_run(a, f, ds, bz, bz->gh + h, (uint32_t)(bz->ghlen - h));
    if (n && !bz->stop)
        z_run(a, f, ds, bz, d, n);
}

static void z_run(mm_app *a, mm_flow *f, dir_state *ds, body_z *bz, const uint8_t *d,
                  uint32_t n)
{
    uint8_t out[16384];
    if (bz->passthrough) {
        z_emit(a, f, ds, bz->next, d, n);
        return;
    }
    bool first = bz->in == 0;
    bz->z.next_in = (Bytef *)(uintptr_t)d;
    bz->z.avail_in = n;
    bz->in += n;
    while (bz->z.avail_in && !bz->stop) {
        bz->z.next_out = out;
        bz->z.avail_out = sizeof out;
        int r = inflate(&bz->z, Z_NO_FLUSH);
        uint32_t got = (uint32_t)(sizeof out - bz->z.avail_out);
        if (r == Z_DATA_ERROR && first && !bz->raw_tried && bz->deflate) {
            /* "deflate" sent raw, without the zlib header: again as such */
            inflateEnd(&bz->z);
            bz->raw_tried = true;
            if (!z_init(a, bz, true)) {
                bz->stop = true;
                break;
            }
            bz->z.next_in = (Bytef *)(uintptr_t)d;
            bz->z.avail_in = n;
            continue;
        }
        if (got) {
            bz->out += got;
            if (bz->out > INFLATE_MAX || bz->out > bz->in * INFLATE_RATIO + 65536) {
                mm_app_error(a, f);           /* a decompression bomb: stop here */
                bz->stop = true;
                ds->bomb = true;
                break;
            }
            z_emit(a, f, ds, bz->next, out, got);
        }
        if (r == Z_STREAM_END)
            bz->stop = true;
        else if (r == Z_DATA_ERROR && first && !bz->out) {
            /* a body that says gzip/deflate but is not: as libhtp, its
             * bytes go on as they are */
            bz->passthrough = true;
            z_emit(a, f, ds, bz->next, d, n);
            break;
        } else if (r != Z_OK && r != Z_BUF_ERROR) {
            mm_app_error(a, f);
            bz->stop = true;
            ds->bomb = true;                  /* broken: the file is cut here */
        } else if (r == Z_BUF_ERROR && !got)
            break;
    }
}

/* Body bytes (d NULL: a gap of n). */
static void body_data(mm_app *a, mm_flow *f, dir_state *ds, const uint8_t *d, uint32_t n)
{
    if (ds->req_tx)
        ds->req_tx->req_len += n;
    if (d && ds->req_tx) {
        http_tx *t = ds->req_tx;
        if (t->n_req_body < REQ_BODY_LOG &&
            (t->req_body || (t->req_body = mm_app_alloc_buf(a, REQ_BODY_LOG)))) {
            uint32_t k = n < REQ_BODY_LOG - t->n_req_body ? n : REQ_BODY_LOG - t->n_req_body;
            memcpy(t->req_body + t->n_req_body, d, k);
            t->n_req_body = (uint16_t)(t->n_req_body + k);
        }
    }
    if (ds->mp) {
        if (d)
            ib_add(a, ds, d, n);
        /* libhtp's request-body-limit as Suricata applies it to an
         * upload: the body is read up to the limit; the next data past it
         * cuts the file in progress (TRUNCATED) and no more parts come */
        uint64_t lim = a->http_req_body_limit;
        if (lim && ds->mp_seen >= lim) {
            ds->mpc.f = f;
            mm_mpart_finish(ds->mp, false);
            mm_app_free(a, ds->mp, mm_mpart_size());
            ds->mp = NULL;
            return;
        }
        if (lim && ds->mp_seen + n > lim)
            n = (uint32_t)(lim - ds->mp_seen);
        ds->mp_seen += n;
        mm_mpart_feed(ds->mp, d, n);
        return;
    }
    if (!ds->file)
        return;
    if (!d) {
        if (ds->bz)
            ds->bz->stop = true;
        mm_file_data(a, ds->file, NULL, n);
        ds->rid = 0;            /* the whole cannot have these bytes from here */
        return;
    }
    if (ds->bz) {
        if (!ds->bz->stop)
            z_feed(a, f, ds, ds->bz, d, n);
        return;
    }
    ib_add(a, ds, d, n);
    mm_file_data(a, ds->file, d, n);
    if (ds->rid) {
        mm_hrange_data(a, f, ds->rid, ds->roff, d, n, ds->rtx, ds->rts,
                       ds->fctx ? file_ctx_json : NULL, ds->fctx);
        ds->roff += n;
    }
}

/* The file in progress ends: its fileinfo event (none for an empty one). */
static void file_done(mm_app *a, mm_flow *f, dir_state *ds, bool complete, uint64_t ts)
{
    if (ds->file && mm_file_size(ds->file) == 0)
        mm_file_free(a, ds->file);
    else if (ds->file)
        mm_file_close(a, f, ds->file, complete && !ds->bomb, ts, ds->fctx ? file_ctx_json : NULL,
                      ds->fctx);
    ds->file = NULL;
    ds->rid = 0;
}

/* The body ends (complete) or is cut: its fileinfo event. */
static void body_end(mm_app *a, mm_flow *f, dir_state *ds, bool complete, uint64_t ts)
{
    if (ds->mp) {
        ds->mpc.f = f;
        ds->mpc.ts = ts;
        mm_mpart_finish(ds->mp, complete);
        mm_app_free(a, ds->mp, mm_mpart_size());
        ds->mp = NULL;
    }
    /* the rules see the message with its file (name, size, digests)
     * before the file's own event */
    if (ds->insp_pending) {
        mm_file_info fi;
        bool hf = ds->file && mm_file_size(ds->file) > 0;
        if (hf)
            mm_file_info_get(ds->file, complete && !ds->bomb, &fi);
        rule_inspect(a, f, ds, ds->insp_dir, ts, hf ? &fi : NULL);
    }
    file_done(a, f, ds, complete, ts);
    mm_app_free(a, ds->fctx, sizeof *ds->fctx);
    ds->fctx = NULL;
    z_free_all(a, ds);
    ds->bomb = false;
    ds->req_tx = NULL;
}

/* Parse the header block in d->hdr (ending with an empty line). Returns the
 * state to go to next. */
/* A path with "%25" then two hex digits: a percent sign encoded once more
 * (libhtp's double-encoded URI, an evasion of URL filters). */
static bool double_encoded(const char *uri)
{
    size_t n = strcspn(uri, "?");
    for (size_t i = 0; i + 4 < n; i++)
        if (uri[i] == '%' && uri[i + 1] == '2' && uri[i + 2] == '5' &&
            isxdigit((unsigned char)uri[i + 3]) && isxdigit((unsigned char)uri[i + 4]))
            return true;
    return false;
}

static int headers_done(mm_app *a, mm_flow *f, http_state *s, int dir, uint64_t ts)
{
    dir_state *d = &s->d[dir];
    char *p = d->hdr, *end = d->hdr + d->hlen;
    char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
        return S_LOST;
    if (a->buffers && (d->raw || (d->raw = mm_app_alloc_buf(a, RAW_MAX)))) {
        d->rawlen = d->hlen < RAW_MAX ? d->hlen : RAW_MAX;
        memcpy(d->raw, d->hdr, d->rawlen);
        d->iblen = 0;
        d->insp_pending = false;
        d->insp_dir = (uint8_t)dir;
        d->mpb[0] = 0;          /* set again by body_start for an upload */
    }
    if (dir == MM_TO_CLIENT) {
        /* libhtp ends a response's header line at a CR alone too */
        for (char *q = p; q < end; q++)
            if (*q == '\r' && q + 1 < end && q[1] != '\n' && q[1] != '\r' && q > p &&
                q[-1] != '\n')
                *q = '\n';     /* (a CR starting a line is junk in it) */
        eol = memchr(p, '\n', (size_t)(end - p));
        /* and passes over lines of only whitespace before the status line */
        while (eol && eol + 1 < end && only_space(p, (size_t)(eol - p))) {
            p = eol + 1;
            eol = memchr(p, '\n', (size_t)(end - p));
        }
        if (!eol)
            return S_LOST;
    }
    size_t l0 = (size_t)(eol - p);
    if (l0 && p[l0 - 1] == '\r')
        l0--;
    http_tx *t = NULL;
    bool chunked = false, has_len = false, no_body = false, has_te = false;
    uint64_t clen = 0;
    uint8_t lay[ENC_LAYERS_MAX];
    int nlay = 0;
    char fname[256] = "";
    char mpb[MM_MPART_BOUNDARY_MAX + 1] = "";
    if (dir == MM_TO_SERVER) {
        /* request line: METHOD SP URI SP PROTO */
        char *sp1 = memchr(p, ' ', l0);
        char *sp2 = sp1 ? memchr(sp1 + 1, ' ', l0 - (size_t)(sp1 + 1 - p)) : NULL;
        if (!sp1) {
            mm_app_error(a, f);
            return S_LOST;
        }
        if (!(t = push(a, f, s, ts)))
            return S_LOST;
        copyv(t->method, sizeof t->method, p, (size_t)(sp1 - p));
        if (sp2) {
            copyv(t->uri, sizeof t->uri, sp1 + 1, (size_t)(sp2 - sp1 - 1));
            copyv(t->proto, sizeof t->proto, sp2 + 1, l0 - (size_t)(sp2 + 1 - p));
        } else {
            copyv(t->uri, sizeof t->uri, sp1 + 1, l0 - (size_t)(sp1 + 1 - p));
            mm_strcpy(t->proto, sizeof t->proto, "HTTP/0.9");
        }
        no_body = false;
    } else {
        if (s->resp_idx >= s->ntx) {
            /* a response without a request we saw (mid-stream pickup):
             * libhtp's "Unable to match response to request" */
            if (!(t = push(a, f, s, ts)))
                return S_LOST;
            http_event(a, f, d, MM_TO_CLIENT, "http.unable_to_match_response_to_request", ts);
            s->resp_idx = (uint8_t)(s->ntx - 1);
        } else {
            t = s->tx[s->resp_idx];
        }
        t->has_resp = true;
        size_t lead = 0;
        while (lead < l0 && (p[lead] == ' ' || p[lead] == '\t' || p[lead] == '\0'))
            lead++;
        const char *ln = p + lead;
        size_t ll = l0 - lead;
        if (ll < 5 || strncasecmp(ln, "HTTP/", 5) != 0) {
            mm_app_error(a, f);
            return S_LOST;
        }
        /* as libhtp: the protocol up to the first whitespace, the status
         * after any run of it; a line without a status number ("HTTP/1.1",
         * "HTTP/1.1 2xx") still has its headers and body read, status 0 */
        size_t pl = 0;
        while (pl < ll && ln[pl] != ' ' && ln[pl] != '\t')
            pl++;
        copyv(t->resp_proto, sizeof t->resp_proto, ln, pl);
        size_t k = pl;
        while (k < ll && (ln[k] == ' ' || ln[k] == '\t'))
            k++;
        const unsigned char *sc = (const unsigned char *)ln + k;
        if (k + 3 <= ll && isdigit(sc[0]) && isdigit(sc[1]) && isdigit(sc[2]) &&
            (k + 3 == ll || !isdigit(sc[3])))
            t->status = (sc[0] - '0') * 100 + (sc[1] - '0') * 10 + (sc[2] - '0');
        else
            t->status = 0;
        no_body = (t->status >= 100 && t->status < 200) || t->status == 204 ||
                  t->status == 304 || strcmp(t->method, "HEAD") == 0;
    }
    d->insp_tx = t;
    int ncl = 0;                   /* Content-Length headers */
    bool auth_unknown = false, ce_layers = false, ce_abnormal = false;
    /* header lines */
    char **hs = dir == MM_TO_SERVER ? &t->req_h : &t->resp_h;
    uint16_t *nh = dir == MM_TO_SERVER ? &t->n_req_h : &t->n_resp_h;
    char fold[HDR_FOLD];
    for (char *cur = eol + 1; cur < end;) {
        eol = memchr(cur, '\n', (size_t)(end - cur));
        if (!eol)
            break;
        size_t l = (size_t)(eol - cur);
        if (l && cur[l - 1] == '\r')
            l--;
        if (l == 0)
            break;
        /* a line starting with a space or tab continues the header before
         * it (obs-fold): read as one, joined by a space, as libhtp does */
        p = cur;
        cur = eol + 1;
        if (cur < end && (*cur == ' ' || *cur == '\t' || *cur == '\0') && l < sizeof fold &&
            !(dir == MM_TO_CLIENT && folded_header(cur, end))) {
            memcpy(fold, p, l);
            p = fold;
            while (cur < end && (*cur == ' ' || *cur == '\t' || *cur == '\0')) {
                char *e2 = memchr(cur, '\n', (size_t)(end - cur));
                if (!e2)
                    break;
                size_t l2 = (size_t)(e2 - cur);
                if (l2 && cur[l2 - 1] == '\r')
                    l2--;
                const char *c2 = cur;
                while (l2 && (*c2 == ' ' || *c2 == '\t' || *c2 == '\0'))
                    c2++, l2--;
                if (l + 1 + l2 > sizeof fold)
                    l2 = sizeof fold - l - 1 < l2 ? sizeof fold - l - 1 : l2;
                if (l + 1 + l2 <= sizeof fold) {
                    fold[l++] = ' ';
                    memcpy(fold + l, c2, l2);
                    l += l2;
                }
                cur = e2 + 1;
            }
        }
        while (l && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++, l--;               /* a folded line read as a header, a CR before one */
        char *colon = memchr(p, ':', l);
        if (colon) {
            size_t nl = (size_t)(colon - p);
            while (nl && isspace((unsigned char)p[nl - 1]))
                nl--;               /* "Transfer-Encoding :" */
            char *v = colon + 1;
            while (v < p + l && (*v == ' ' || *v == '\t'))
                v++;
            size_t vl = (size_t)(p + l - v);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
            if (dir == MM_TO_SERVER) {
                if (ieq(p, nl, "host")) copyv(t->host, sizeof t->host, v, vl);
                else if (ieq(p, nl, "user-agent")) copyv(t->ua, sizeof t->ua, v, vl);
                else if (ieq(p, nl, "referer")) copyv(t->referer, sizeof t->referer, v, vl);
                else if (ieq(p, nl, "x-forwarded-for")) copyv(t->xff, sizeof t->xff, v, vl);
                else if (ieq(p, nl, "content-type") && !mm_mpart_boundary(v, vl, mpb)) mpb[0] = 0;
            } else {
                if (ieq(p, nl, "content-type")) copyv(t->ctype, sizeof t->ctype, v, vl);
                else if (ieq(p, nl, "content-range")) {
                    copyv(t->crange, sizeof t->crange, v, vl);
                    if (!mm_crange_parse(v, vl, &t->cr_start, &t->cr_end, &t->cr_size))
                        t->cr_start = t->cr_end = t->cr_size = -1;
                }
                else if (ieq(p, nl, "location")) copyv(t->location, sizeof t->location, v, vl);
            }
            if (dir == MM_TO_SERVER && ieq(p, nl, "authorization")) {
                /* schemes libhtp knows: Basic, Digest, Bearer */
                size_t sl = 0;
                while (sl < vl && v[sl] != ' ' && v[sl] != '\t')
                    sl++;
                auth_unknown |= !ieq(v, sl, "basic") && !ieq(v, sl, "digest") &&
                                !ieq(v, sl, "bearer");
            }
            if (ieq(p, nl, "content-length")) {
                ncl++;
                char tmp[24];
                copyv(tmp, sizeof tmp, v, vl);
                char *e;
                unsigned long long x = strtoull(tmp, &e, 10);
                if (e != tmp) {
                    has_len = true;
                    clen = x;
                }
            } else if (ieq(p, nl, "transfer-encoding")) {
                has_te = true;
                chunked |= has_nz(v, vl, "chunked");
            } else if (ieq(p, nl, "content-encoding")) {
                ce_read(v, vl, lay, &nlay, &ce_layers, &ce_abnormal);
            } else if (ieq(p, nl, "content-disposition")) {
                /* filename="x" or filename=x */
                for (size_t i = 0; i + 9 <= vl; i++) {
                    if (strncasecmp(v + i, "filename=", 9) != 0)
                        continue;
                    const char *q = v + i + 9, *qe = v + vl;
                    bool quoted = q < qe && *q == '"';
                    q += quoted;
                    size_t k = 0;
                    while (q < qe && k + 1 < sizeof fname && (quoted ? *q != '"' : *q != ';'))
                        fname[k++] = *q++;
                    fname[k] = 0;
                    break;
                }
            }
            size_t cn = nl < NAME_MAX_LOG ? nl : NAME_MAX_LOG;
            size_t cv = vl < VAL_MAX_LOG ? vl : VAL_MAX_LOG;
            if (*nh + cn + cv + 3 <= HBUF) {     /* headers past the buffer are not logged */
                if (!*hs)
                    *hs = mm_app_alloc_buf(a, HBUF);
                if (*hs) {
                    char *o = *hs + *nh;
                    o[0] = (char)cn;
                    memcpy(o + 1, p, cn);
                    o[1 + cn] = (char)(cv >> 8);
                    o[2 + cn] = (char)cv;
                    memcpy(o + 3 + cn, v, cv);
                    *nh = (uint16_t)(*nh + cn + cv + 3);
                }
            }
        }
    }
    /* the anomalies libhtp names, as Suricata's app-layer-event rules know
     * them (http-events.rules) */
    if (ncl > 1)
        http_event(a, f, d, dir,
                       dir == MM_TO_SERVER ? "http.duplicate_content_length_field_in_request"
                                           : "http.duplicate_content_length_field_in_response",
                       ts);
    if (auth_unknown)
        http_event(a, f, d, dir, "http.request_auth_unrecognized", ts);
    if (ce_layers && dir == MM_TO_CLIENT)  /* libhtp judges answers' encodings */
        http_event(a, f, d, dir, "http.too_many_encoding_layers", ts);
    if (ce_abnormal && dir == MM_TO_CLIENT)
        http_event(a, f, d, dir, "http.abnormal_ce_header", ts);
    if (dir == MM_TO_SERVER && double_encoded(t->uri))
        http_event(a, f, d, dir, "http.double_encoded_uri", ts);
    if (dir == MM_TO_SERVER && t->host[0]) {
        char h[256];
        host_only(t->host, h, sizeof h);
        mm_obs_name o = {.source = MM_NAME_HTTP, .name = h};
        mm_app_observe(a, f, dir, MM_OBS_NAME, &o, ts);
    }
    /* A status that carries no body (1xx, 204, 304) with a
     * Transfer-Encoding or Content-Length has its body read all the same,
     * as libhtp does ("browsers interpret content sent by the server"); a
     * 100 is interim only without Transfer-Encoding and without a
     * positive Content-Length; a 101 switches protocols only without
     * either. */
    bool framed = has_te || ncl > 0;
    if (dir == MM_TO_CLIENT && t->status >= 100 && t->status < 200) {
        bool body = t->status == 100 ? has_te || (has_len && clen > 0) : framed;
        if (body)
            no_body = strcmp(t->method, "HEAD") == 0;
        else if (t->status != 101)
            return S_HDR;          /* interim response: the real one follows */
    } else if (dir == MM_TO_CLIENT && (t->status == 204 || t->status == 304) && framed) {
        no_body = strcmp(t->method, "HEAD") == 0;
    }
    if (dir == MM_TO_CLIENT && ((t->status == 101 && !framed) ||
                                (strcmp(t->method, "CONNECT") == 0 && t->status / 100 == 2))) {
        /* Switching protocols (WebSocket...) or a tunnel: no more HTTP. */
        d->insp_tx = t;
        rule_inspect(a, f, d, dir, ts, NULL);
        t->resp_done = true;
        s->resp_idx++;
        bool change = t->status != 101;  /* a CONNECT tunnel's protocol is found anew */
        while (s->ntx && s->tx[0]->resp_done)
            pop(a, f, s);               /* t may be gone */
        s->d[MM_TO_SERVER].state = S_TUNNEL;
        if (change)
            mm_app_change_proto(a, f);
        return S_TUNNEL;
    }
    if (no_body)
        goto done;
    if (chunked || (has_len && clen) || (dir == MM_TO_CLIENT && !has_len)) {
        body_start(a, f, d, t, dir, lay, nlay < a->http_layers ? nlay : a->http_layers, fname,
                   strlen(fname), mpb, ts);
        if (dir == MM_TO_SERVER)
            d->req_tx = t;
    }
    d->insp_pending = d->rawlen > 0;   /* the rules look when the body has come */
    if (chunked)
        return S_BODY_CHUNK_SIZE;
    if (has_len && clen) {
        d->left = clen;
        return S_BODY_LEN;
    }
    if (dir == MM_TO_CLIENT) {
        if (has_len)
            goto done;
        return S_BODY_CLOSE;       /* until the connection ends */
    }
    /* a request without a body: what follows at once decides whether it
     * is over (libhtp's REQ_FINALIZE; see fin) */
    d->insp_tx = t;
    d->llen = 0;
    d->fin_body = d->fin_event = false;
    return S_FIN;
done:
    rule_inspect(a, f, d, dir, ts, NULL);
    if (dir == MM_TO_CLIENT) {
        t->resp_done = true;
        s->resp_idx++;
        while (s->ntx && s->tx[0]->resp_done)
            pop(a, f, s);
    }
    return S_HDR;
}

static void body_done(mm_app *a, mm_flow *f, http_state *s, int dir, uint64_t ts)
{
    body_end(a, f, &s->d[dir], true, ts);
    if (dir == MM_TO_CLIENT && s->resp_idx < s->ntx) {
        s->tx[s->resp_idx]->resp_done = true;
        s->resp_idx++;
        while (s->ntx && s->tx[0]->resp_done)
            pop(a, f, s);
    }
}

static void body_bytes(mm_app *a, mm_flow *f, http_state *s, int dir, const uint8_t *d,
                       uint64_t n)
{
    if (dir == MM_TO_CLIENT && s->resp_idx < s->ntx) {
        s->tx[s->resp_idx]->resp_len += n;
        if (s->d[dir].fctx)
            s->d[dir].fctx->t.resp_len = s->tx[s->resp_idx]->resp_len;
    }
    body_data(a, f, &s->d[dir], d, (uint32_t)n);
}

/* Take body bytes of known length from the chunk; true when none are left. */
static bool take_body(mm_app *a, mm_flow *f, http_state *s, int dir, dir_state *ds,
                      const uint8_t **d, uint32_t *n)
{
    uint64_t k = *n < ds->left ? *n : ds->left;
    body_bytes(a, f, s, dir, *d, k);
    ds->left -= k;
    *d += k;
    *n -= (uint32_t)k;
    return ds->left == 0;
}

/* Looks like the start of a message of this direction? (resynchronising) */
static bool msg_start(int dir, const uint8_t *d, uint32_t n)
{
    return probe(NULL, dir, false, d, n) == MM_PROBE_YES;
}

/* What the line after a message is (libhtp's REQ_FINALIZE/RES_FINALIZE):
 * 1 more body, 0 the next message, -1 too little of it yet. A response's
 * next message is a line with "http" after spaces, whatever the case (what
 * browsers take for a status line); a request's, a line whose first word
 * is a known method. *odd: a request body line that libhtp reports. */
static int fin_line(int dir, const char *l, uint32_t n, bool whole, bool *odd)
{
    uint32_t i = 0;
    *odd = false;
    while (i < n && (isspace((unsigned char)l[i]) || (dir == MM_TO_CLIENT && l[i] == 0)))
        i++;
    if (dir == MM_TO_CLIENT) {
        if (n - i < 4)
            return whole ? 1 : -1;
        return strncasecmp(l + i, "http", 4) != 0;
    }
    uint32_t w = i;
    while (w < n && !isspace((unsigned char)l[w]))
        w++;
    if (w == i)
        return whole ? 1 : -1;          /* only spaces: more body, said nothing */
    if (w == n && !whole)
        return -1;                      /* the word may go on */
    for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++)
        if (strlen(methods[k]) == w - i && memcmp(methods[k], l + i, w - i) == 0)
            return 0;
    *odd = true;
    return 1;
}

/* The message before S_FIN is over: its body (if any) ends, the rules see it. */
static void fin_done(mm_app *a, mm_flow *f, http_state *s, int dir, uint64_t ts)
{
    dir_state *ds = &s->d[dir];
    ds->state = S_HDR;
    ds->llen = 0;
    ds->fin_body = false;
    body_done(a, f, s, dir, ts);
}

/* More body after the message ended by its length (or, for a request, had
 * none): appended to it, the file started when the request had none. */
static void fin_body_bytes(mm_app *a, mm_flow *f, http_state *s, int dir, const uint8_t *d,
                           uint32_t n, uint64_t ts)
{
    dir_state *ds = &s->d[dir];
    if (dir == MM_TO_SERVER && !ds->file && ds->insp_tx) {
        body_start(a, f, ds, ds->insp_tx, dir, NULL, 0, "", 0, "", ts);
        ds->req_tx = ds->insp_tx;
    }
    body_bytes(a, f, s, dir, d, n);
}

/* After a message of known length with more data at once (libhtp's
 * REQ_FINALIZE / RES_FINALIZE): a line that does not start the next
 * message is more body of this one, up to its end of line; the next
 * message's line ends this one and starts it. */
static void fin(mm_app *a, mm_flow *f, http_state *s, int dir, const uint8_t **dp,
                uint32_t *np, uint64_t ts)
{
    dir_state *ds = &s->d[dir];
    const uint8_t *d = *dp;
    uint32_t n = *np;
    if (ds->fin_body) {
        const uint8_t *lf = memchr(d, '\n', n);
        uint32_t k = lf ? (uint32_t)(lf - d) + 1 : n;
        fin_body_bytes(a, f, s, dir, d, k, ts);
        if (lf)
            ds->fin_body = false;
        *dp = d + k;
        *np = n - k;
        return;
    }
    uint32_t i = 0;
    bool eol = false;
    while (i < n && ds->llen < sizeof ds->line) {
        char c = (char)d[i++];
        ds->line[ds->llen++] = c;
        if (c == '\n') {
            eol = true;
            break;
        }
    }
    *dp = d + i;
    *np = n - i;
    bool odd;
    int what = fin_line(dir, ds->line, ds->llen, eol || ds->llen == sizeof ds->line, &odd);
    if (what < 0)
        return;                             /* too little to tell yet */
    if (what > 0) {
        if (odd && !ds->fin_event) {
            ds->fin_event = true;           /* once a request, as libhtp */
            http_event(a, f, ds, dir, "http.request_body_unexpected", ts);
        }
        fin_body_bytes(a, f, s, dir, (const uint8_t *)ds->line, ds->llen, ts);
        ds->fin_body = !eol;
        ds->llen = 0;
        return;
    }
    /* the next message: this one is over; its line starts the next */
    uint32_t ll = ds->llen;
    char line[sizeof ds->line];
    memcpy(line, ds->line, ll);
    fin_done(a, f, s, dir, ts);
    if (!ds->hdr && !(ds->hdr = mm_app_alloc_buf(a, HDR_MAX))) {
        ds->state = S_LOST;
        return;
    }
    memcpy(ds->hdr, line, ll);
    ds->hlen = ll;
}

/* A response that does not begin with a status line: its bytes are the
 * body, read until the connection closes, as libhtp takes them (and as
 * browsers do: an HTTP/0.9-style answer). */
static int lineless_response(mm_app *a, mm_flow *f, http_state *s, uint64_t ts)
{
    dir_state *ds = &s->d[MM_TO_CLIENT];
    http_tx *t;
    if (s->resp_idx >= s->ntx) {
        if (!(t = push(a, f, s, ts)))
            return S_LOST;
        http_event(a, f, ds, MM_TO_CLIENT, "http.unable_to_match_response_to_request", ts);
        s->resp_idx = (uint8_t)(s->ntx - 1);
    } else {
        t = s->tx[s->resp_idx];
    }
    t->has_resp = true;
    t->status = 0;
    /* the rules see it as a response with no header and this body */
    if (a->buffers && (ds->raw || (ds->raw = mm_app_alloc_buf(a, RAW_MAX)))) {
        memcpy(ds->raw, "\r\n", 2);    /* an empty header block */
        ds->rawlen = 2;
        ds->iblen = 0;
        ds->insp_dir = MM_TO_CLIENT;
        ds->mpb[0] = 0;
        ds->insp_pending = true;
    }
    ds->insp_tx = t;
    body_start(a, f, ds, t, MM_TO_CLIENT, NULL, 0, "", 0, "", ts);
    body_bytes(a, f, s, MM_TO_CLIENT, (const uint8_t *)ds->hdr, ds->hlen);
    ds->hlen = 0;
    return S_BODY_CLOSE;
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                  uint64_t ts)
{
    http_state *s = st;
    dir_state *ds = &s->d[dir];
    ds->mpc.f = f;                           /* for an upload's part callbacks */
    ds->mpc.ts = ts;
    if (!d) {                                /* gap */
        if (ds->state == S_TUNNEL)
            return;
        if (ds->state == S_FIN) {
            fin_done(a, f, s, dir, ts);      /* the message was whole */
            ds->state = S_LOST;
            ds->hlen = 0;
            return;
        }
        if (ds->state == S_BODY_LEN) {
            /* the gap is body as far as the body goes (libhtp's): a gap
             * past its end ends the message, and what follows is lost */
            uint64_t k = n < ds->left ? n : ds->left;
            ds->left -= k;
            body_bytes(a, f, s, dir, NULL, k);
            if (ds->left == 0) {
                ds->state = n > k ? S_LOST : S_HDR;
                ds->hlen = 0;
                body_done(a, f, s, dir, ts);
            }
        } else if (ds->state == S_BODY_CLOSE) {
            body_bytes(a, f, s, dir, NULL, n);
        } else {
            body_end(a, f, ds, false, ts);
            ds->state = S_LOST;
            ds->hlen = 0;
        }
        return;
    }
    while (n > 0) {
        switch (ds->state) {
        case S_LOST: {
            /* resynchronise at a line that starts a message */
            uint32_t i = 0;
            bool found = false;
            while (i < n) {
                if ((i == 0 || d[i - 1] == '\n') && msg_start(dir, d + i, n - i)) {
                    found = true;
                    break;
                }
                i++;
            }
            if (!found)
                return;
            d += i;
            n -= i;
            ds->state = S_HDR;
            ds->hlen = 0;
            break;
        }
        case S_HDR: {
            if (!ds->hdr && !(ds->hdr = mm_app_alloc_buf(a, HDR_MAX)))
                return;
            /* copy until the blank line that ends the header block */
            uint32_t i = 0;
            bool end = false, lineless = false;
            while (i < n) {
                if (ds->hlen >= HDR_MAX) {
                    mm_app_error(a, f);     /* header block too large */
                    ds->state = S_LOST;
                    ds->hlen = 0;
                    break;
                }
                char c = (char)d[i++];
                if (ds->hlen == 0 && (c == '\r' || c == '\n'))
                    continue;               /* stray CRLF between messages */
                ds->hdr[ds->hlen++] = c;
                if (c == '\n' && ds->hlen >= 2 &&
                    (ds->hdr[ds->hlen - 2] == '\n' ||
                     (ds->hlen >= 3 && ds->hdr[ds->hlen - 2] == '\r' &&
                      ds->hdr[ds->hlen - 3] == '\n'))) {
                    end = true;
                    break;
                }
                if (c == '\n' && dir == MM_TO_CLIENT && blank_line(ds->hdr, ds->hlen - 1) &&
                    !(i < n && (d[i] == '\n' || d[i] == ' ' || d[i] == '\t' ||
                                (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n')))) {
                    /* libhtp: a line of only whitespace ends them too, unless
                     * an empty or a folded line follows it */
                    end = true;
                    break;
                }
                if (c == '\n' && dir == MM_TO_CLIENT && !memchr(ds->hdr, '\n', ds->hlen - 1) &&
                    !status_line(ds->hdr, ds->hlen)) {
                    /* libhtp passes over such a line when a status line may
                     * follow ('H' next) or it is blank; else the response
                     * has none, and this is its body */
                    if ((i < n && (d[i] == 'H' || d[i] == 'h')) || ds->hlen <= 3) {
                        ds->hlen = 0;
                        continue;
                    }
                    lineless = true;
                    break;
                }
            }
            d += i;
            n -= i;
            if (lineless) {
                ds->state = lineless_response(a, f, s, ts);
                continue;
            }
            if (end) {
                ds->state = headers_done(a, f, s, dir, ts);
                ds->hlen = 0;
                ds->llen = 0;
                mm_app_free(a, ds->hdr, HDR_MAX);   /* only a message in flight holds one */
                ds->hdr = NULL;
            }
            break;
        }
        case S_BODY_LEN:
            if (take_body(a, f, s, dir, ds, &d, &n)) {
                if (n > 0) {
                    /* more follows at once: libhtp's FINALIZE looks at it
                     * before the message ends */
                    ds->state = S_FIN;
                    ds->llen = 0;
                    ds->fin_body = ds->fin_event = false;
                    break;
                }
                ds->state = S_HDR;
                body_done(a, f, s, dir, ts);
            }
            break;
        case S_FIN:
            fin(a, f, s, dir, &d, &n, ts);
            break;
        case S_BODY_CLOSE:
            body_bytes(a, f, s, dir, d, n);
            return;
        case S_TUNNEL:
            return;
        case S_BODY_CHUNK_SIZE:
        case S_BODY_CHUNK_TRAILER: {
            /* read one line */
            uint32_t i = 0;
            bool eol = false, bad = false;
            while (i < n) {
                char c = (char)d[i++];
                if (c == '\n') {
                    eol = true;
                    break;
                }
                if (ds->state == S_BODY_CHUNK_SIZE && dir == MM_TO_CLIENT && !ds->hexseen) {
                    if (isxdigit((unsigned char)c)) {
                        ds->hexseen = true;
                    } else if (!isspace((unsigned char)c)) {
                        bad = true;
                        i--;
                        break;
                    }
                }
                if (ds->llen < sizeof ds->line - 1)
                    ds->line[ds->llen++] = c;
            }
            if (bad) {
                /* as libhtp: an answer's chunk that does not start with its
                 * size ends the chunked reading - the rest of the body is
                 * read as it comes, to the connection's end */
                body_bytes(a, f, s, dir, (const uint8_t *)ds->line, ds->llen);
                ds->llen = 0;
                ds->hexseen = false;
                ds->state = S_BODY_CLOSE;
                d += i;
                n -= i;
                break;
            }
            d += i;
            n -= i;
            if (!eol)
                break;
            ds->hexseen = false;
            ds->line[ds->llen] = 0;
            if (ds->state == S_BODY_CHUNK_TRAILER) {
                bool empty = ds->llen == 0 || (ds->llen == 1 && ds->line[0] == '\r');
                ds->llen = 0;
                if (empty) {
                    ds->state = S_HDR;
                    body_done(a, f, s, dir, ts);
                }
                break;
            }
            /* as libhtp: an empty line before a chunk's size is passed
             * over, and so is whitespace before the digits */
            char *ln = ds->line;
            while (isspace((unsigned char)*ln))
                ln++;
            if (!*ln) {
                ds->llen = 0;
                break;
            }
            char *e;
            unsigned long long sz = strtoull(ln, &e, 16);
            ds->llen = 0;
            if (e == ln || !isxdigit((unsigned char)*ln)) {
                mm_app_error(a, f);
                body_end(a, f, ds, false, ts);
                ds->state = S_LOST;
                break;
            }
            if (sz == 0) {
                ds->state = S_BODY_CHUNK_TRAILER;
            } else {
                ds->left = sz;
                ds->state = S_BODY_CHUNK_DATA;
            }
            break;
        }
        case S_BODY_CHUNK_DATA:
            if (take_body(a, f, s, dir, ds, &d, &n)) {
                ds->state = S_BODY_CHUNK_CRLF;
                ds->llen = 0;
            }
            break;
        case S_BODY_CHUNK_CRLF: {
            /* the CRLF after chunk data */
            while (n > 0 && ds->state == S_BODY_CHUNK_CRLF) {
                char c = (char)*d++;
                n--;
                if (c == '\n')
                    ds->state = S_BODY_CHUNK_SIZE;
            }
            break;
        }
        default:
            return;
        }
    }
    /* the data ends at a line's end after a message: it is over (libhtp
     * finalizes when it has no more data to look at) */
    if (ds->state == S_FIN && !ds->llen && !ds->fin_body)
        fin_done(a, f, s, dir, ts);
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    http_state *s = st;
    /* A header block cut by the end of the flow ("GET /" and nothing
     * more) is still a request: log what it says, as Suricata does. */
    for (int dir = 0; dir < 2; dir++) {
        dir_state *ds = &s->d[dir];
        if (ds->state == S_HDR && ds->hdr && ds->hlen && ds->hlen + 4 <= HDR_MAX &&
            msg_start(dir, (const uint8_t *)ds->hdr, ds->hlen)) {
            memcpy(ds->hdr + ds->hlen, "\r\n\r\n", 4);
            ds->hlen += 4;
            ds->state = headers_done(a, f, s, dir, ts);
            ds->hlen = 0;
        }
    }
    /* a response's first bytes, cut by the end without a line break and
     * no status line: its body (libhtp takes the stream's end for the
     * line's) */
    dir_state *rs = &s->d[MM_TO_CLIENT];
    if (rs->state == S_HDR && rs->hdr && rs->hlen > 2 && !status_line(rs->hdr, rs->hlen) &&
        !memchr(rs->hdr, '\n', rs->hlen))
        rs->state = lineless_response(a, f, s, ts);
    /* after a body of known length: what came after it decides nothing more */
    for (int dir = 0; dir < 2; dir++) {
        dir_state *ds = &s->d[dir];
        if (ds->state != S_FIN)
            continue;
        bool odd;
        if (!ds->fin_body && ds->llen && fin_line(dir, ds->line, ds->llen, true, &odd) > 0)
            fin_body_bytes(a, f, s, dir, (const uint8_t *)ds->line, ds->llen, ts);
        fin_done(a, f, s, dir, ts);
    }
    /* a body read until the connection closed is whole; any other is cut */
    for (int dir = 0; dir < 2; dir++)
        body_end(a, f, &s->d[dir],
                 s->d[dir].state == S_BODY_CLOSE && !mm_app_depth_cut(f, dir), ts);
    while (s->ntx)
        pop(a, f, s);
    mm_app_free(a, s->d[0].hdr, HDR_MAX);
    mm_app_free(a, s->d[1].hdr, HDR_MAX);
    for (int dir = 0; dir < 2; dir++) {
        mm_app_free(a, s->d[dir].raw, RAW_MAX);
        mm_app_free(a, s->d[dir].ib, IB_MAX);
    }
}

const mm_app_parser mm_parser_http = {
    .name = "http", .id = MM_APP_HTTP, .tcp = true, .udp = false,
    .probe = probe, .state_size = sizeof(http_state), .parse = parse, .finish = finish,
};
