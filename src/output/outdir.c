/*
 * outdir.c - a sensor's output directory looked at from outside (the
 * status command): closed segments are the files of DIR not starting with
 * a dot, the open one DIR/.open/NAME.part (docs/segments.md).
 *
 * The newest stats event is looked for at the end of the open segment
 * (its last MiB, the last whole line that is a stats event), else in the
 * newest closed segment, read whole through mm_seg_read (plain or zstd; a
 * sealed one cannot be read without the analysis side's key, and says
 * so). Lines are parsed with jread's bounded reader: the directory's
 * content is input like any other.
 */
#include "output/outdir.h"

#include "output/output.h"
#include "util/jread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define TAIL_BYTES (1u << 20)
#define MAX_LINE (1u << 20)

static uint64_t mtime_ns(const struct stat *st)
{
    return (uint64_t)st->st_mtim.tv_sec * 1000000000ULL + (uint64_t)st->st_mtim.tv_nsec;
}

static bool digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

bool mm_eve_ts_parse(const char *s, uint64_t *ns)
{
    int y, mo, d, h, mi, se;
    if (strlen(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se) ||
        y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return false;
    const char *p = s + 19;
    uint64_t frac = 0;
    if (*p == '.') {
        int k = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, k++)
            if (k < 9)
                frac = frac * 10 + (uint64_t)(*p - '0');
        for (; k < 9; k++)
            frac *= 10;
    }
    int64_t off = 0;
    if (*p == '+' || *p == '-') {
        int oh, om;
        size_t n = strlen(p + 1);
        if (n == 4 && digits(p + 1, 2, &oh) && digits(p + 3, 2, &om))
            off = (int64_t)oh * 3600 + om * 60;
        else if (n == 5 && p[3] == ':' && digits(p + 1, 2, &oh) && digits(p + 4, 2, &om))
            off = (int64_t)oh * 3600 + om * 60;
        else
            return false;
        if (*p == '-')
            off = -off;
    } else if (*p == 'Z') {
        if (p[1])
            return false;
    } else if (*p) {
        return false;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || (int64_t)t - off < 0)
        return false;
    *ns = (uint64_t)((int64_t)t - off) * 1000000000ULL + frac;
    return true;
}

static void u64_at(const jr_doc *d, const char *path, uint64_t *out)
{
    int64_t v = jr_path_i64(d, path, -1);
    *out = v > 0 ? (uint64_t)v : 0;
}

/* A stats event's figures into st; false when the line is not one. */
static bool take_stats(mm_outdir_status *st, const char *line, size_t n)
{
    jr_doc d;
    jr_init(&d, 1 << 16);
    bool ok = false;
    char type[16];
    if (jr_parse(&d, line, n) == 0 && jr_path_str(&d, "event_type", type, sizeof type) &&
        strcmp(type, "stats") == 0) {
        ok = true;
        st->stats = true;
        jr_path_str(&d, "timestamp", st->stats_ts, sizeof st->stats_ts);
        if (!mm_eve_ts_parse(st->stats_ts, &st->stats_ns))
            st->stats_ns = 0;
        u64_at(&d, "stats.uptime", &st->uptime_s);
        st->live = jr_path(&d, "stats.capture") >= 0;
        u64_at(&d, "stats.capture.kernel_packets", &st->kernel_packets);
        u64_at(&d, "stats.capture.kernel_drops", &st->kernel_drops);
        u64_at(&d, "stats.capture.kernel_ifdrops", &st->kernel_ifdrops);
        int wk = jr_path(&d, "mimamori.stats.workers");
        st->nworkers = 0;
        for (int i = 0, w; wk >= 0 && i < MM_MAX_WORKERS && (w = jr_elem(&d, wk, i)) >= 0;
             i++) {
            int64_t v;
            st->worker_packets[i] = st->worker_drops[i] = 0;
            if (jr_i64(&d, jr_member(&d, w, "kernel_packets"), &v) && v > 0)
                st->worker_packets[i] = (uint64_t)v;
            if (jr_i64(&d, jr_member(&d, w, "kernel_drops"), &v) && v > 0)
                st->worker_drops[i] = (uint64_t)v;
            st->nworkers = (unsigned)i + 1;
        }
        u64_at(&d, "mimamori.stats.drops.flow_memcap", &st->drop_flow_memcap);
        u64_at(&d, "mimamori.stats.drops.stream_memcap", &st->drop_stream_memcap);
        u64_at(&d, "mimamori.stats.drops.event_write_errors", &st->drop_write_errors);
        int eng = jr_path(&d, "stats.detect.engines");
        int e0 = eng >= 0 ? jr_elem(&d, eng, 0) : -1;
        st->rules = e0 >= 0;
        st->rules_loaded = st->rules_failed = 0;
        st->rules_reload_ts[0] = 0;
        if (e0 >= 0) {
            int64_t v;
            if (jr_i64(&d, jr_member(&d, e0, "rules_loaded"), &v) && v > 0)
                st->rules_loaded = (uint64_t)v;
            if (jr_i64(&d, jr_member(&d, e0, "rules_failed"), &v) && v > 0)
                st->rules_failed = (uint64_t)v;
            jr_str(&d, jr_member(&d, e0, "last_reload"), st->rules_reload_ts,
                   sizeof st->rules_reload_ts);
        }
        u64_at(&d, "mimamori.stats.reload.done", &st->reloads);
        u64_at(&d, "mimamori.stats.reload.failed", &st->reload_failures);
        st->reload_error[0] = 0;
        jr_path_str(&d, "mimamori.stats.reload.error", st->reload_error, sizeof st->reload_error);
    }
    jr_free(&d);
    return ok;
}

/* The last stats line in buf[0..n) (whole lines only; cut: buf does not
 * begin at a line's start). */
static bool last_stats_in(mm_outdir_status *st, const char *buf, size_t n, bool cut)
{
    size_t end = n;
    while (end > 0) {
        /* [start, end) is a line without its newline */
        size_t start = end;
        while (start > 0 && buf[start - 1] != '\n')
            start--;
        if (start == 0 && cut)
            return false;               /* the first line may be cut: not trusted */
        if (end > start && memmem(buf + start, end - start, "\"event_type\":\"stats\"", 20) &&
            take_stats(st, buf + start, end - start))
            return true;
        end = start ? start - 1 : 0;
    }
    return false;
}

static bool stats_of_open(mm_outdir_status *st, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat sb;
    bool found = false;
    if (fstat(fd, &sb) == 0 && sb.st_size > 0) {
        size_t want = (uint64_t)sb.st_size > TAIL_BYTES ? TAIL_BYTES : (size_t)sb.st_size;
        char *buf = malloc(want);
        if (buf) {
            ssize_t got = pread(fd, buf, want, (off_t)((uint64_t)sb.st_size - want));
            if (got > 0) {
                size_t n = (size_t)got;
                /* the last line may be half written: up to the last newline */
                while (n > 0 && buf[n - 1] != '\n')
                    n--;
                found = n && last_stats_in(st, buf, n - 1, (uint64_t)sb.st_size > want);
            }
            free(buf);
        }
    }
    close(fd);
    return found;
}

typedef struct seg_scan {
    mm_outdir_status *st;
    char *line;                     /* the last stats line seen */
    size_t len;
} seg_scan;

static int keep_stats(void *u, const char *line, size_t len)
{
    seg_scan *s = u;
    if (len > MAX_LINE || !memmem(line, len, "\"event_type\":\"stats\"", 20))
        return 0;
    char *c = realloc(s->line, len);
    if (!c)
        return 0;
    memcpy(c, line, len);
    s->line = c;
    s->len = len;
    return 0;
}

int mm_outdir_status_get(const char *dir, mm_outdir_status *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *de;
    char path[4096];
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || !strstr(de->d_name, ".eve.json"))
            continue;
        st->closed++;
        st->closed_bytes += (uint64_t)sb.st_size;
        uint64_t m = mtime_ns(&sb);
        if (m > st->last_mtime_ns || (m == st->last_mtime_ns && strcmp(de->d_name, st->last_name) > 0)) {
            st->last_mtime_ns = m;
            snprintf(st->last_name, sizeof st->last_name, "%s", de->d_name);
        }
    }
    closedir(d);
    snprintf(path, sizeof path, "%s/.open", dir);
    if ((d = opendir(path))) {
        while ((de = readdir(d))) {
            size_t l = strlen(de->d_name);
            if (l < 6 || strcmp(de->d_name + l - 5, ".part") != 0)
                continue;
            struct stat sb;
            char p2[4096];
            snprintf(p2, sizeof p2, "%s/.open/%s", dir, de->d_name);
            if (stat(p2, &sb) != 0 || !S_ISREG(sb.st_mode) || mtime_ns(&sb) < st->open_mtime_ns)
                continue;
            st->open_mtime_ns = mtime_ns(&sb);
            st->open_bytes = (uint64_t)sb.st_size;
            snprintf(st->open_name, sizeof st->open_name, "%s", de->d_name);
        }
        closedir(d);
    }
    struct statvfs vf;
    if (statvfs(dir, &vf) == 0) {
        st->disk_total = (uint64_t)vf.f_blocks * vf.f_frsize;
        st->disk_free = (uint64_t)vf.f_bavail * vf.f_frsize;
    }
    if (st->open_name[0]) {
        snprintf(path, sizeof path, "%s/.open/%s", dir, st->open_name);
        if (stats_of_open(st, path))
            snprintf(st->stats_from, sizeof st->stats_from, ".open/%s", st->open_name);
    }
    if (!st->stats && st->last_name[0]) {
        size_t l = strlen(st->last_name);
        if (l > 7 && strcmp(st->last_name + l - 7, ".sealed") == 0) {
            snprintf(st->stats_note, sizeof st->stats_note,
                     "the newest segment is sealed: its stats need the analysis side's key");
        } else {
            seg_scan sc = {st, NULL, 0};
            char e2[256];
            snprintf(path, sizeof path, "%s/%s", dir, st->last_name);
            mm_seg_info info;
            if (mm_seg_read(path, NULL, NULL, keep_stats, &sc, &info, e2, sizeof e2) != 0 &&
                !sc.line)
                snprintf(st->stats_note, sizeof st->stats_note, "%s: %s", st->last_name, e2);
            if (sc.line && take_stats(st, sc.line, sc.len))
                snprintf(st->stats_from, sizeof st->stats_from, "%s", st->last_name);
            free(sc.line);
        }
    }
    if (!st->stats && !st->stats_note[0])
        snprintf(st->stats_note, sizeof st->stats_note, "no stats event found");
    return 0;
}
