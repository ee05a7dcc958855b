/* Fuzz target: the syslog listener's input, a TCP stream (RFC 6587 framing:
 * octet counting or LF/NUL) read in chunks whose sizes the input chooses,
 * each message then read as the listener reads it: its format found from
 * the message when the sender has none yet, its lines through the sender's
 * reading context. Byte 0: the chunk size (1..256). Checks that every frame
 * lies inside the bytes given and uses at least one byte. */
#include <stdlib.h>
#include <string.h>

#include "logs/listen.h"

static mm_json j;

static int on_rec(void *u, const mm_logrec *r, const mm_logctx *cx)
{
    (void)u;
    lr_write_json(r, cx, &j);
    return 0;
}

static void message(mm_logctx *cx, const char *m, size_t n)
{
    static char line[LR_MAX_LINE + 1];
    if (n > LR_MAX_LINE)
        abort();                /* the framing bounds every message */
    memcpy(line, m, n);
    line[n] = 0;
    char *p = line, *e = line + n;
    while (p < e) {
        char *nl = memchr(p, '\n', (size_t)(e - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(e - p);
        p[len] = 0;
        if (len) {
            lr_syslog sys;
            lr_syslog_parse(p, len, &sys);
            lr_line ln = {p, len, &sys, 0};
            if (!cx->fmt || !cx->fmt->probe(&ln)) {
                const char *one[1] = {p};
                const mm_logfmt *f = mm_logs_detect(one, 1);
                if (f)
                    cx->fmt = f;
            }
            mm_logctx_line(cx, p, len, on_rec, NULL);
        }
        p += len + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    static char *buf;
    if (!init) {
        mj_init(&j);
        buf = malloc(LR_MAX_LINE + 16);
        if (!buf)
            abort();
        init = true;
    }
    if (size < 1)
        return 0;
    size_t chunk = 1 + data[0];
    data++;
    size--;
    mm_logopt opt = {0};
    opt.quiet = true;
    opt.tz = "UTC";
    mm_logctx cx;
    mm_logctx_init(&cx, &opt, "tcp:fuzz", NULL, 1700000000LL * 1000000);
    size_t have = 0, at = 0;
    bool closed = false;
    while (at < size && !closed) {
        size_t k = size - at < chunk ? size - at : chunk;
        if (k > LR_MAX_LINE + 16 - have)
            k = LR_MAX_LINE + 16 - have;
        memcpy(buf + have, data + at, k);
        have += k;
        at += k;
        size_t off = 0;
        for (;;) {
            const char *msg;
            size_t len, used;
            int rc = mm_syslog_frame(buf + off, have - off, &msg, &len, &used);
            if (rc == MM_FRAME_TOO_LONG) {
                closed = true;
                break;
            }
            if (rc == MM_FRAME_MORE)
                break;
            if (used == 0 || used > have - off || msg < buf + off ||
                msg + len > buf + off + used)
                abort();
            message(&cx, msg, len);
            off += used;
            if (off == have)
                break;
        }
        memmove(buf, buf + off, have - off);
        have -= off;
        if (have >= LR_MAX_LINE + 16)
            closed = true;      /* the listener closes such a connection */
    }
    mm_logctx_finish(&cx, on_rec, NULL);
    mm_logctx_free(&cx);
    return 0;
}
