/* Fuzz target: the gateway log formats (src/logs/). Byte 0 chooses the
 * format (its index in the table; past the end: the format is detected
 * from the lines), byte 1 the options (bit 0: --year 2024, bit 1: --tz
 * UTC, bit 2: the input read as a file through zlib, so gzip data and
 * long lines take the reader's paths). The rest is the lines. Every record
 * is written as JSON; records held to the end (joined mail) come out too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "logs/logs.h"

static mm_json j;

static int on_rec(void *u, const mm_logrec *r, const mm_logctx *cx)
{
    (void)u;
    lr_write_json(r, cx, &j);
    if (!j.oom && (j.len < 2 || j.s[0] != '{' || j.s[j.len - 1] != '}'))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        mj_init(&j);
        init = true;
    }
    if (size < 2)
        return 0;
    size_t nf;
    const mm_logfmt *const *f = mm_log_formats(&nf);
    mm_logopt opt = {0};
    opt.quiet = true;
    opt.year = data[1] & 1 ? 2024 : 0;
    opt.tz = data[1] & 2 ? "UTC" : "Asia/Tokyo";
    const mm_logfmt *fmt = data[0] < nf ? f[data[0]] : NULL;
    if (fmt)
        opt.format = fmt->name;
    data += 2;
    size -= 2;
    if (opt.year == 0 && (data[-1] & 4)) {
        int fd = memfd_create("fuzz_logs", 0);
        if (fd < 0)
            return 0;
        if (write(fd, data, size) != (ssize_t)size) {
            close(fd);
            return 0;
        }
        char path[64], err[512];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        mm_logstats st = {0};
        int rc = mm_logs_read_file(path, &opt, on_rec, NULL, &st, err, sizeof err);
        if (rc == 1 && (!err[0] || strchr(err, '\n')))
            abort();   /* a one-line reason */
        close(fd);
        return 0;
    }
    /* line by line, as the syslog listener gives them */
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = 0;
    if (!fmt) {
        const char *lines[64];
        size_t n = 0;
        char *tmp = strndup(copy, size);
        for (char *s = tmp, *save = NULL, *t; n < 64 && (t = strtok_r(s, "\n", &save)); s = NULL)
            lines[n++] = t;
        fmt = mm_logs_detect(lines, n);
        free(tmp);
        if (!fmt) {
            free(copy);
            return 0;
        }
    }
    mm_logctx cx;
    mm_logctx_init(&cx, &opt, "fuzz", fmt, 1700000000LL * 1000000);
    char *s = copy, *e = copy + size;
    while (s < e) {
        char *nl = memchr(s, '\n', (size_t)(e - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(e - s);
        s[n] = 0;
        mm_logctx_line(&cx, s, n, on_rec, NULL);
        s += n + 1;
    }
    mm_logctx_finish(&cx, on_rec, NULL);
    mm_logctx_free(&cx);
    free(copy);
    return 0;
}
