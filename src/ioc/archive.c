/*
 * archive.c - the compressed events behind the hunting index (see
 * archive.h).
 */
#include "ioc/archive.h"
#include "store/store.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define MAX_OPEN 16                 /* (site, month) files one import may write */
#define LINE_MAX_BYTES (1u << 20)

typedef struct part {
    char site[128];
    int y, m;
    char tmp[4096];
    int fd;
    ZSTD_CCtx *cc;
    uint8_t *ob;
    size_t obn;
} part;

struct mm_archive {
    char dir[3072];
    part p[MAX_OPEN];
    int n;
    unsigned seq;
};

static bool mkdirs(const char *path)
{
    char b[4096];
    if (!mm_strcpy(b, sizeof b, path))
        return false;
    for (char *p = b + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(b, 0750) != 0 && errno != EEXIST)
            return false;
        *p = '/';
    }
    return mkdir(b, 0750) == 0 || errno == EEXIST;
}

int mm_archive_dir(mm_db *db, const char *given, char *out, size_t outlen, char *err,
                   size_t errlen)
{
    out[0] = 0;
    if (mm_store_init(db) != 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return -1;
    }
    if (given) {
        char *abs = NULL;
        if (!mkdirs(given) || !(abs = realpath(given, NULL))) {
            snprintf(err, errlen, "archive %s: %s", given, strerror(errno));
            return -1;
        }
        bool fits = mm_strcpy(out, outlen, abs);
        free(abs);
        if (!fits) {
            snprintf(err, errlen, "archive %s: path too long", given);
            return -1;
        }
        mm_stmt *st = mm_db_prepare(db, "INSERT INTO meta (k, v) VALUES ('archive', $1)"
                                        " ON CONFLICT (k) DO UPDATE SET v = excluded.v");
        int rc = st ? (mm_stmt_text(st, 1, out), mm_stmt_run(st)) : -1;
        mm_stmt_free(st);
        if (rc != 0) {
            snprintf(err, errlen, "store: %s", mm_db_error(db));
            return -1;
        }
        return 0;
    }
    mm_stmt *st = mm_db_prepare(db, "SELECT v FROM meta WHERE k = 'archive'");
    if (!st) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return -1;
    }
    if (mm_stmt_step(st) == 1)
        mm_strcpy(out, outlen, mm_col_text(st, 0));
    mm_stmt_free(st);
    return 0;
}

mm_archive *mm_archive_open(const char *dir, char *err, size_t errlen)
{
    mm_archive *a = calloc(1, sizeof *a);
    if (!a || !mm_strcpy(a->dir, sizeof a->dir, dir)) {
        snprintf(err, errlen, "archive: %s", a ? "directory name too long" : "out of memory");
        free(a);
        return NULL;
    }
    if (!mkdirs(dir)) {
        snprintf(err, errlen, "archive %s: %s", dir, strerror(errno));
        free(a);
        return NULL;
    }
    return a;
}

static int write_all(int fd, const uint8_t *d, size_t n)
{
    while (n) {
        ssize_t w = write(fd, d, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        d += w;
        n -= (size_t)w;
    }
    return 0;
}

static void part_free(part *p, bool unlink_tmp)
{
    if (p->fd >= 0)
        close(p->fd);
    if (unlink_tmp && p->tmp[0])
        unlink(p->tmp);
    ZSTD_freeCCtx(p->cc);
    free(p->ob);
    memset(p, 0, sizeof *p);
    p->fd = -1;
}

void mm_archive_drop(mm_archive *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->n; i++)
        part_free(&a->p[i], true);
    a->n = 0;
}

void mm_archive_close(mm_archive *a)
{
    mm_archive_drop(a);
    free(a);
}

/* A company name as a directory name: anything but letters, digits, '-',
 * '_' and '.' (not leading) becomes '_'. */
static void site_dir(const char *site, char *out, size_t n)
{
    size_t k = 0;
    for (const char *s = site; *s && k + 1 < n; s++) {
        unsigned char c = (unsigned char)*s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || (c == '.' && k > 0);
        out[k++] = ok ? (char)c : '_';
    }
    if (k == 0 && n > 1)
        out[k++] = '_';
    out[k] = 0;
}

static int compress_out(part *p, ZSTD_inBuffer *in, ZSTD_EndDirective end)
{
    for (;;) {
        ZSTD_outBuffer o = {p->ob, p->obn, 0};
        size_t rem = ZSTD_compressStream2(p->cc, &o, in, end);
        if (ZSTD_isError(rem) || write_all(p->fd, p->ob, o.pos) != 0)
            return -1;
        if (end == ZSTD_e_end ? rem == 0 : in->pos == in->size)
            return 0;
    }
}

int mm_archive_line(mm_archive *a, const char *site, int64_t ts_us, const char *line,
                    size_t len)
{
    if (!a || len == 0 || len > LINE_MAX_BYTES || ts_us <= 0)
        return 0;
    int y, m, d;
    mm_civil_from_days(ts_us / 86400000000LL, &y, &m, &d);
    part *p = NULL;
    for (int i = 0; i < a->n && !p; i++)
        if (a->p[i].y == y && a->p[i].m == m && strcmp(a->p[i].site, site) == 0)
            p = &a->p[i];
    if (!p) {
        if (a->n == MAX_OPEN)
            return 0;                   /* an import over many months: the rest unarchived */
        p = &a->p[a->n];
        memset(p, 0, sizeof *p);
        p->fd = -1;
        if (!mm_strcpy(p->site, sizeof p->site, site))
            return 0;
        p->y = y;
        p->m = m;
        char tmp[sizeof p->tmp];
        snprintf(tmp, sizeof tmp, "%s/.tmp-%ld-%u", a->dir, (long)getpid(), a->seq++);
        memcpy(p->tmp, tmp, sizeof tmp);
        p->fd = open(p->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        p->cc = ZSTD_createCCtx();
        p->obn = ZSTD_CStreamOutSize();
        p->ob = malloc(p->obn);
        a->n++;
        if (p->fd < 0 || !p->cc || !p->ob)
            return -1;
        ZSTD_CCtx_setParameter(p->cc, ZSTD_c_compressionLevel, 6);
    }
    ZSTD_inBuffer in = {line, len, 0};
    ZSTD_inBuffer nl = {"\n", 1, 0};
    return compress_out(p, &in, ZSTD_e_continue) || compress_out(p, &nl, ZSTD_e_continue) ? -1
                                                                                         : 0;
}

/* Appends the temporary file's bytes to the month file. */
static int append(const char *tmp, const char *dst)
{
    int in = open(tmp, O_RDONLY | O_CLOEXEC);
    int out = open(dst, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    uint8_t buf[65536];
    while (rc == 0) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = r < 0 ? -1 : 0;
            break;
        }
        rc = write_all(out, buf, (size_t)r);
    }
    if (out >= 0 && (fsync(out) != 0 || close(out) != 0))
        rc = -1;
    if (in >= 0)
        close(in);
    return rc;
}

int mm_archive_commit(mm_archive *a, char *err, size_t errlen)
{
    if (!a)
        return 0;
    int rc = 0;
    for (int i = 0; i < a->n; i++) {
        part *p = &a->p[i];
        ZSTD_inBuffer none = {NULL, 0, 0};
        char sd[256], dir[3500], dst[4096];
        site_dir(p->site, sd, sizeof sd);
        snprintf(dir, sizeof dir, "%s/%s", a->dir, sd);
        snprintf(dst, sizeof dst, "%s/%04d-%02d.eve.zst", dir, p->y, p->m);
        if (p->fd < 0 || compress_out(p, &none, ZSTD_e_end) != 0 || close(p->fd) != 0 ||
            (p->fd = -1, !mkdirs(dir)) || append(p->tmp, dst) != 0) {
            if (rc == 0)
                snprintf(err, errlen, "archive %s: %s", dst, strerror(errno));
            rc = -1;
        }
        part_free(p, true);
    }
    a->n = 0;
    return rc;
}

int mm_archive_scan(const char *dir, const char *site, int64_t from, int64_t to,
                    const char *const *needles,
                    int (*fn)(void *user, const char *line, size_t len), void *user, char *err,
                    size_t errlen)
{
    char sd[256];
    site_dir(site, sd, sizeof sd);
    int y0, m0, y1, m1, d;
    mm_civil_from_days(from / 86400000000LL, &y0, &m0, &d);
    mm_civil_from_days(to / 86400000000LL, &y1, &m1, &d);
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    size_t ibn = ZSTD_DStreamInSize(), obn = ZSTD_DStreamOutSize();
    uint8_t *ib = malloc(ibn);
    char *ob = malloc(obn), *line = malloc(LINE_MAX_BYTES + 1);
    int rc = 0;
    if (!dc || !ib || !ob || !line) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    for (int y = y0, m = m0; rc == 0 && (y < y1 || (y == y1 && m <= m1));) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s/%04d-%02d.eve.zst", dir, sd, y, m);
        if (++m == 13)
            m = 1, y++;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;                   /* nothing archived that month */
        ZSTD_DCtx_reset(dc, ZSTD_reset_session_only);
        size_t ll = 0;
        bool stop = false;
        for (;;) {
            ssize_t r = read(fd, ib, ibn);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            ZSTD_inBuffer in = {ib, (size_t)r, 0};
            while (in.pos < in.size && !stop) {
                ZSTD_outBuffer o = {ob, obn, 0};
                size_t z = ZSTD_decompressStream(dc, &o, &in);
                if (ZSTD_isError(z)) {
                    snprintf(err, errlen, "%s: %s", path, ZSTD_getErrorName(z));
                    rc = -1;
                    stop = true;
                    break;
                }
                for (size_t i = 0; i < o.pos && !stop; i++) {
                    if (ob[i] != '\n') {
                        if (ll < LINE_MAX_BYTES)
                            line[ll++] = ob[i];
                        continue;
                    }
                    line[ll] = 0;
                    bool all = true;
                    for (const char *const *n = needles; n && *n && all; n++)
                        all = strcasestr(line, *n) != NULL;
                    if (all && fn(user, line, ll) != 0)
                        stop = true;
                    ll = 0;
                }
            }
            if (stop)
                break;
        }
        close(fd);
        if (stop)
            break;
    }
    ZSTD_freeDCtx(dc);
    free(ib);
    free(ob);
    free(line);
    return rc;
}
