/*
 * segment.c - crash-safe rotated event segments for collection.
 *
 * A segment is a file of EVE lines framed by two lines of our own:
 *
 *   {"mimamori_segment":{"version":1,"site":..,"sensor":..,"run":..,"seq":N,"opened":..}}
 *   ... event lines ...
 *   {"mimamori_segment_end":{"seq":N,"events":N,"bytes":N,"sha256":"..","closed":..,"recovered":false}}
 *
 * sha256 and bytes cover exactly the event lines. (site, sensor, run, seq)
 * names a segment for import-once; run is random per writer start, seq
 * counts up and is kept in DIR/.state across restarts.
 *
 * Life of a segment: it is written in DIR/.open/NAME.part and fdatasync'd
 * every sync_bytes and at every tick (once a second), so a power cut loses
 * at most the unsynced tail. Closing writes the trailer, syncs, optionally
 * compresses (zstd) and seals (libsodium: a random secretstream key sealed
 * to the analysis side's public key), syncs the result and renames it into
 * DIR atomically, then syncs DIR. A file in DIR is therefore always
 * complete. At start, a .part left by a crash is cut after its last whole
 * line, given a trailer marked recovered, and closed like any other.
 *
 * A full disk (or any write error) never leaves a broken line behind: a
 * failed event write is cut off again (ftruncate to the last whole line)
 * and counted in events_unwritten; a failed trailer is cut off too and the
 * close is tried again at the next tick or write; a segment whose trailer is
 * on disk but whose compressed or sealed copy could not be made waits in
 * .open and is published at a later tick. So a live sensor keeps running
 * through a full disk and writes again when space returns.
 *
 * Sealed file: "MMSEAL01", 80-byte sealed key, 24-byte stream header, then
 * chunks of (4-byte big-endian length, ciphertext); the last chunk carries
 * the FINAL tag, so a cut file is detected.
 */
#include "output/output.h"
#include "util/jread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#define SEAL_MAGIC "MMSEAL01"
#define SEAL_CHUNK 65536
#define READ_MAX (1ULL << 30)   /* largest segment the reader accepts */

struct mm_segw {
    mm_seg_config cfg;
    char dir[4096];
    char site[128], sensor[128];
    unsigned char pk[crypto_box_PUBLICKEYBYTES];
    bool seal;
    char run[17];
    uint64_t seq;             /* next sequence number to use */
    int fd;                   /* open segment, -1 when none */
    char part[4200], name[512];
    crypto_hash_sha256_state sha;
    uint64_t ev, bytes, unsynced;
    uint64_t hdr_len;         /* bytes of the open segment's header line */
    uint64_t opened_ns;
    bool close_due;           /* closing failed (disk full): try again */
    char pend_part[4200], pend_name[512];   /* trailer written, not yet published */
    mm_seg_stats st;
};

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Safe file-name part: letters, digits, '-', '_', '.'; others become '_'. */
/* mkdir -p: the directory and any missing parents. */
static int mkdir_p(const char *dir)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static void safe_name(char *out, size_t n, const char *in)
{
    size_t k = 0;
    for (; *in && k + 1 < n; in++) {
        char c = *in;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        out[k++] = ok ? c : '_';
    }
    out[k] = 0;
    if (k == 0 || out[0] == '.')
        out[0] = '_', out[k ? k : 1] = 0;
}

static int save_state(mm_segw *w)
{
    char path[4200], tmp[4210];
    snprintf(path, sizeof path, "%s/.state", w->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    char b[64];
    int n = snprintf(b, sizeof b, "%llu\n", (unsigned long long)w->seq);
    int r = write_all(fd, b, (size_t)n);
    if (r == 0)
        r = fsync(fd);
    close(fd);
    if (r == 0)
        r = rename(tmp, path);
    return r;
}

/* The sequence number after the highest of this sensor's segments in DIR:
 * .state may lag behind when saving it failed (disk full). */
static void seq_after_published(mm_segw *w)
{
    DIR *d = opendir(w->dir);
    if (!d)
        return;
    size_t sl = strlen(w->sensor);
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        if (strncmp(n, w->sensor, sl) != 0 || n[sl] != '-')
            continue;
        /* SENSOR-YYYYMMDDTHHMMSSZ-SEQUENCE.eve.json... */
        const char *p = n + sl + 1;
        if (strlen(p) < 18 || p[15] != 'Z' || p[16] != '-')
            continue;
        p += 17;
        uint64_t v = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 19) {
            v = v * 10 + (uint64_t)(*p++ - '0');
            digits++;
        }
        if (digits && strncmp(p, ".eve.json", 9) == 0 && v >= w->seq)
            w->seq = v + 1;
    }
    closedir(d);
}

static void load_state(mm_segw *w)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/.state", w->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    unsigned long long v;
    if (fscanf(f, "%llu", &v) == 1)
        w->seq = v;
    fclose(f);
}

static void hex(char *out, const unsigned char *in, size_t n)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = h[in[i] >> 4];
        out[2 * i + 1] = h[in[i] & 15];
    }
    out[2 * n] = 0;
}

static int new_segment(mm_segw *w, char *err, size_t errlen)
{
    char ts[MM_TS_LEN], stamp[32];
    uint64_t now = mm_now_ns();
    time_t sec = (time_t)(now / 1000000000ULL);
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(w->name, sizeof w->name, "%s-%s-%08llu.eve.json", w->sensor, stamp,
             (unsigned long long)w->seq);
    snprintf(w->part, sizeof w->part, "%s/.open/%s.part", w->dir, w->name);
    w->fd = open(w->part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", w->part, strerror(errno));
        return -1;
    }
    mm_json j;
    mj_init(&j);
    mj_reset(&j);
    mj_obj_open(&j, NULL);
    mj_obj_open(&j, "mimamori_segment");
    mj_u64(&j, "version", 1);
    mj_str(&j, "site", w->cfg.site);
    mj_str(&j, "sensor", w->cfg.sensor);
    mj_str(&j, "run", w->run);
    mj_u64(&j, "seq", w->seq);
    mm_fmt_ts(now, ts);
    mj_str(&j, "opened", ts);
    mj_obj_close(&j);
    mj_obj_close(&j);
    mj_append(&j, "\n", 1);
    int r = j.oom ? -1 : write_all(w->fd, j.s, j.len);
    size_t hl = j.len;
    mj_free(&j);
    if (r != 0 || fdatasync(w->fd) != 0) {
        int e = errno;
        snprintf(err, errlen, "cannot write %s: %s", w->part, strerror(e));
        close(w->fd);
        w->fd = -1;
        unlink(w->part); /* a header cut short is no segment */
        errno = e;
        return -1;
    }
    w->hdr_len = hl;
    crypto_hash_sha256_init(&w->sha);
    w->ev = w->bytes = w->unsynced = 0;
    w->opened_ns = now;
    w->st.seq = w->seq;
    w->seq++;
    save_state(w);
    return 0;
}

/* zstd-compress src into dst (streaming). */
static int zstd_file(const char *src, const char *dst, int level)
{
    FILE *in = fopen(src, "rb");
    if (!in)
        return -1;
    int ofd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (ofd < 0) {
        fclose(in);
        return -1;
    }
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    size_t ibn = ZSTD_CStreamInSize(), obn = ZSTD_CStreamOutSize();
    void *ib = malloc(ibn), *ob = malloc(obn);
    int rc = (cc && ib && ob) ? 0 : -1;
    if (rc == 0)
        ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level);
    while (rc == 0) {
        size_t n = fread(ib, 1, ibn, in);
        bool last = n < ibn;
        ZSTD_inBuffer zi = {ib, n, 0};
        bool done = false;
        while (!done) {
            ZSTD_outBuffer zo = {ob, obn, 0};
            size_t rem = ZSTD_compressStream2(cc, &zo, &zi, last ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(rem) || write_all(ofd, ob, zo.pos) != 0) {
                rc = -1;
                break;
            }
            done = last ? rem == 0 : zi.pos == zi.size;
        }
        if (last)
            break;
    }
    if (ferror(in))
        rc = -1;
    if (rc == 0 && fsync(ofd) != 0)
        rc = -1;
    ZSTD_freeCCtx(cc);
    free(ib);
    free(ob);
    fclose(in);
    close(ofd);
    return rc;
}

static int seal_file(const char *src, const char *dst, const unsigned char *pk)
{
    FILE *in = fopen(src, "rb");
    if (!in)
        return -1;
    int ofd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (ofd < 0) {
        fclose(in);
        return -1;
    }
    unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    unsigned char sealed[crypto_box_SEALBYTES + sizeof key];
    unsigned char hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_state st;
    crypto_secretstream_xchacha20poly1305_keygen(key);
    int rc = crypto_box_seal(sealed, key, sizeof key, pk);
    if (rc == 0)
        rc = crypto_secretstream_xchacha20poly1305_init_push(&st, hdr, key);
    sodium_memzero(key, sizeof key);
    if (rc == 0)
        rc = write_all(ofd, SEAL_MAGIC, 8);
    if (rc == 0)
        rc = write_all(ofd, sealed, sizeof sealed);
    if (rc == 0)
        rc = write_all(ofd, hdr, sizeof hdr);
    unsigned char *ib = malloc(SEAL_CHUNK);
    unsigned char *ob = malloc(SEAL_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
    if (!ib || !ob)
        rc = -1;
    while (rc == 0) {
        size_t n = fread(ib, 1, SEAL_CHUNK, in);
        int c = fgetc(in);
        bool last = (c == EOF);
        if (!last)
            ungetc(c, in);
        unsigned long long olen;
        crypto_secretstream_xchacha20poly1305_push(
            &st, ob, &olen, ib, n, NULL, 0,
            last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        unsigned char lb[4] = {(unsigned char)(olen >> 24), (unsigned char)(olen >> 16),
                               (unsigned char)(olen >> 8), (unsigned char)olen};
        if (write_all(ofd, lb, 4) != 0 || write_all(ofd, ob, (size_t)olen) != 0)
            rc = -1;
        if (last)
            break;
    }
    if (ferror(in))
        rc = -1;
    if (rc == 0 && fsync(ofd) != 0)
        rc = -1;
    free(ib);
    free(ob);
    fclose(in);
    close(ofd);
    return rc;
}

/* Trailer + sync already done for part: compress/seal and move into DIR. */
static int publish(mm_segw *w, const char *part, const char *name)
{
    char cur[4300], next[4300], final[4300];
    snprintf(cur, sizeof cur, "%s", part);
    char fname[600];
    snprintf(fname, sizeof fname, "%s", name);
    if (w->cfg.zstd_level > 0) {
        snprintf(next, sizeof next, "%s/.open/%s.zst.tmp", w->dir, name);
        if (zstd_file(cur, next, w->cfg.zstd_level) != 0)
            return -1;
        if (strcmp(cur, part) != 0)
            unlink(cur);
        snprintf(cur, sizeof cur, "%s", next);
        strncat(fname, ".zst", sizeof fname - strlen(fname) - 1);
    }
    if (w->seal) {
        snprintf(next, sizeof next, "%s/.open/%s.sealed.tmp", w->dir, name);
        if (seal_file(cur, next, w->pk) != 0)
            return -1;
        if (strcmp(cur, part) != 0)
            unlink(cur);
        snprintf(cur, sizeof cur, "%s", next);
        strncat(fname, ".sealed", sizeof fname - strlen(fname) - 1);
    }
    snprintf(final, sizeof final, "%s/%s", w->dir, fname);
    if (rename(cur, final) != 0)
        return -1;
    if (strcmp(cur, part) != 0)
        unlink(part);
    fsync_dir(w->dir);
    char od[4200];
    snprintf(od, sizeof od, "%s/.open", w->dir);
    fsync_dir(od);
    return 0;
}

static int trailer(int fd, uint64_t seq, uint64_t ev, uint64_t bytes,
                   const crypto_hash_sha256_state *sha, bool recovered)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    char hx[65], ts[MM_TS_LEN];
    crypto_hash_sha256_state fin = *sha;   /* the caller's state stays usable */
    crypto_hash_sha256_final(&fin, d);
    hex(hx, d, sizeof d);
    mm_fmt_ts(mm_now_ns(), ts);
    char b[512];
    int n = snprintf(b, sizeof b,
                     "{\"mimamori_segment_end\":{\"seq\":%llu,\"events\":%llu,\"bytes\":%llu,"
                     "\"sha256\":\"%s\",\"closed\":\"%s\",\"recovered\":%s}}\n",
                     (unsigned long long)seq, (unsigned long long)ev,
                     (unsigned long long)bytes, hx, ts, recovered ? "true" : "false");
    if (write_all(fd, b, (size_t)n) != 0)
        return -1;
    return fsync(fd);
}

/* Cut the open segment back to its last whole event line (after a failed
 * write); false when even that fails and the segment is given up to the
 * next start's recovery. */
static bool cut_back(mm_segw *w)
{
    off_t good = (off_t)(w->hdr_len + w->bytes);
    if (ftruncate(w->fd, good) == 0 && lseek(w->fd, good, SEEK_SET) == good)
        return true;
    close(w->fd);
    w->fd = -1;
    w->close_due = false;
    return false;
}

/* Publish the segment whose trailer is on disk but which could not be
 * moved into DIR yet. */
static int publish_pending(mm_segw *w)
{
    if (!w->pend_part[0])
        return 0;
    if (publish(w, w->pend_part, w->pend_name) != 0)
        return -1;
    w->pend_part[0] = 0;
    w->st.closed++;
    return 0;
}

static int close_segment(mm_segw *w)
{
    if (publish_pending(w) != 0 && w->fd >= 0) {
        /* one segment waits for space already: this one grows meanwhile */
        w->close_due = true;
        errno = ENOSPC;
        return -1;
    }
    if (w->fd < 0)
        return 0;
    int r = trailer(w->fd, w->st.seq, w->ev, w->bytes, &w->sha, false);
    if (r != 0) {
        int e = errno;
        w->st.write_errors++;
        if (cut_back(w))
            w->close_due = true;   /* keep it open; close again later */
        errno = e;
        return -1;
    }
    close(w->fd);
    w->fd = -1;
    w->close_due = false;
    if (publish(w, w->part, w->name) != 0) {
        int e = errno;
        w->st.write_errors++;
        /* complete on disk: publish it at a later tick (or at the next
         * start, as any .part) */
        snprintf(w->pend_part, sizeof w->pend_part, "%s", w->part);
        snprintf(w->pend_name, sizeof w->pend_name, "%s", w->name);
        errno = e;
        return -1;
    }
    w->st.closed++;
    return 0;
}

/* True when the segment NAME is already in DIR in one of its forms. */
static bool published(const mm_segw *w, const char *name)
{
    static const char *const suffix[] = {"", ".zst", ".sealed", ".zst.sealed"};
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        char p[4900];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s%s", w->dir, name, suffix[i]);
        if (stat(p, &sb) == 0)
            return true;
    }
    return false;
}

/* Finish a .part a crash left behind. */
static void recover(mm_segw *w, const char *fname)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/.open/%s", w->dir, fname);
    char base[600];
    snprintf(base, sizeof base, "%s", fname);
    char *pd = strstr(base, ".part");
    if (pd)
        *pd = 0;
    if (published(w, base)) {
        /* a crash after the compressed copy was renamed into DIR and
         * before the .part was removed: the segment is closed already */
        unlink(path);
        return;
    }
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || (uint64_t)sb.st_size > READ_MAX) {
        close(fd);
        return;
    }
    size_t n = (size_t)sb.st_size;
    char *buf = malloc(n + 1);
    if (!buf || pread(fd, buf, n, 0) != (ssize_t)n) {
        free(buf);
        close(fd);
        return;
    }
    buf[n] = 0; /* the searches below stop at the end */
    /* Keep whole lines only. */
    size_t keep = n;
    while (keep > 0 && buf[keep - 1] != '\n')
        keep--;
    char *nl = memchr(buf, '\n', keep);
    unsigned long long seq = 0;
    const char *sp = nl ? strstr(buf, "\"seq\":") : NULL;
    if (!nl || strncmp(buf, "{\"mimamori_segment\":", 20) != 0 || !sp || sp > nl ||
        sscanf(sp + 6, "%llu", &seq) != 1) {
        /* Not even a header: nothing to save. */
        free(buf);
        close(fd);
        unlink(path);
        return;
    }
    /* killed after the file was made and before .state was saved: the
     * sequence number must not be handed out again */
    if (seq >= w->seq && seq < UINT64_MAX)
        w->seq = seq + 1;
    bool has_trailer = false;
    if (keep > 0) {
        size_t ls = keep - 1;
        while (ls > 0 && buf[ls - 1] != '\n')
            ls--;
        has_trailer = strncmp(buf + ls, "{\"mimamori_segment_end\":", 24) == 0;
        if (has_trailer)
            keep = ls;  /* recompute it: the file may have been cut after it */
    }
    size_t body = (size_t)(nl - buf) + 1;
    crypto_hash_sha256_state sha;
    crypto_hash_sha256_init(&sha);
    crypto_hash_sha256_update(&sha, (unsigned char *)buf + body, keep - body);
    uint64_t ev = 0;
    for (size_t i = body; i < keep; i++)
        ev += buf[i] == '\n';
    int r = ftruncate(fd, (off_t)keep);
    if (r == 0)
        r = lseek(fd, 0, SEEK_END) < 0 ? -1 : 0;
    if (r == 0)
        r = trailer(fd, seq, ev, keep - body, &sha, true);
    close(fd);
    free(buf);
    if (r != 0)
        return;
    char name[600];
    snprintf(name, sizeof name, "%s", fname);
    char *dot = strstr(name, ".part");
    if (dot)
        *dot = 0;
    if (publish(w, path, name) == 0) {
        w->st.recovered++;
        w->st.closed++;
    }
}

mm_segw *mm_segw_open(const mm_seg_config *cfg, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium failed to start");
        return NULL;
    }
    mm_segw *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->cfg = *cfg;
    w->fd = -1;
    snprintf(w->dir, sizeof w->dir, "%s", cfg->dir);
    /* the header keeps the names as given (JSON-escaped); only file names
     * are made safe */
    mm_strcpy(w->site, sizeof w->site, cfg->site ? cfg->site : "");
    safe_name(w->sensor, sizeof w->sensor, cfg->sensor);
    w->cfg.site = w->site;
    w->cfg.sensor = cfg->sensor;
    if (cfg->seal_pk) {
        memcpy(w->pk, cfg->seal_pk, sizeof w->pk);
        w->seal = true;
    }
    unsigned char rb[8];
    randombytes_buf(rb, sizeof rb);
    hex(w->run, rb, sizeof rb);
    char od[4200];
    snprintf(od, sizeof od, "%s/.open", w->dir);
    if (mkdir_p(w->dir) != 0 || (mkdir(od, 0755) != 0 && errno != EEXIST)) {
        snprintf(err, errlen, "cannot create %s: %s", od, strerror(errno));
        free(w);
        return NULL;
    }
    load_state(w);
    seq_after_published(w);
    DIR *d = opendir(od);
    if (d) {
        struct dirent *de;
        char names[64][300];
        int nn = 0;
        while ((de = readdir(d)) && nn < 64) {
            size_t l = strlen(de->d_name);
            if (l > 5 && l < 300 && strcmp(de->d_name + l - 5, ".part") == 0)
                snprintf(names[nn++], sizeof names[0], "%s", de->d_name);
            else if (l > 4 && strcmp(de->d_name + l - 4, ".tmp") == 0) {
                char p[4600];
                snprintf(p, sizeof p, "%s/%s", od, de->d_name);
                unlink(p); /* half-made compressed/sealed copy: remade from .part */
            }
        }
        closedir(d);
        for (int i = 0; i < nn; i++)
            recover(w, names[i]);
    }
    if (new_segment(w, err, errlen) != 0) {
        free(w);
        return NULL;
    }
    return w;
}

int mm_segw_write(void *vw, const char *line, size_t len)
{
    mm_segw *w = vw;
    if (w->fd < 0) {
        char e[256];
        if (new_segment(w, e, sizeof e) != 0) {
            int en = errno;
            w->st.write_errors++;
            w->st.unwritten++;
            errno = en ? en : EIO;
            return -1;
        }
    }
    if (write_all(w->fd, line, len) != 0) {
        int e = errno;
        w->st.write_errors++;
        w->st.unwritten++;
        cut_back(w);
        errno = e;
        return -1;
    }
    crypto_hash_sha256_update(&w->sha, (const unsigned char *)line, len);
    w->ev++;
    w->bytes += len;
    w->unsynced += len;
    w->st.events++;
    w->st.bytes += len;
    if (w->unsynced >= w->cfg.sync_bytes) {
        fdatasync(w->fd);
        w->unsynced = 0;
    }
    if (w->bytes >= w->cfg.max_bytes && !w->close_due)
        close_segment(w); /* the next write opens a new one */
    return 0;
}

void mm_segw_tick(mm_segw *w, uint64_t now)
{
    publish_pending(w);
    if (w->fd < 0)
        return;
    if (w->close_due) {
        close_segment(w);
        return;
    }
    if (w->unsynced) {
        fdatasync(w->fd);
        w->unsynced = 0;
    }
    if (w->ev > 0 && now > w->opened_ns && now - w->opened_ns >= w->cfg.max_age_ns)
        close_segment(w);
}

int mm_segw_close(mm_segw *w, char *err, size_t errlen)
{
    if (!w)
        return 0;
    int r = close_segment(w);
    if (r == 0 && w->pend_part[0]) {
        r = -1;             /* a closed segment still waits to be published */
        errno = ENOSPC;
    }
    if (r != 0)
        snprintf(err, errlen, "could not close segment in %s: %s (what is on disk is "
                 "recovered at the next start)", w->dir, strerror(errno));
    if (w->fd >= 0)
        close(w->fd);
    free(w);
    return r;
}

void mm_segw_stats(const mm_segw *w, mm_seg_stats *st) { *st = w->st; }

int mm_read_key_hex(const char *path, unsigned char *out, size_t n, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[512] = "";
    if (!fgets(line, sizeof line, f))
        line[0] = 0;
    fclose(f);
    size_t bl;
    int r = sodium_hex2bin(out, n, line, strlen(line), " \t\r\n", &bl, NULL);
    sodium_memzero(line, sizeof line);
    if (r != 0 || bl != n) {
        snprintf(err, errlen, "%s: not a key (expected %zu bytes in hex)", path, n);
        return -1;
    }
    return 0;
}

/* ---------------- reading ---------------- */

typedef struct rbuf {
    unsigned char *p;
    size_t n, cap;
} rbuf;

static int rb_add(rbuf *b, const void *d, size_t n)
{
    if (n == 0)
        return 0;
    if (b->n + n > READ_MAX)
        return -1;
    if (b->n + n > b->cap) {
        size_t nc = b->cap ? b->cap : 65536;
        while (nc < b->n + n)
            nc *= 2;
        unsigned char *np = realloc(b->p, nc);
        if (!np)
            return -1;
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
    return 0;
}

static int unseal(rbuf *in, const unsigned char *pk, const unsigned char *sk, rbuf *out,
                  char *err, size_t errlen)
{
    size_t need = 8 + crypto_box_SEALBYTES + crypto_secretstream_xchacha20poly1305_KEYBYTES +
                  crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    if (in->n < need) {
        snprintf(err, errlen, "sealed segment cut short");
        return -1;
    }
    if (!pk || !sk) {
        snprintf(err, errlen, "segment is sealed: give the analysis side's key (--key)");
        return -1;
    }
    unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    const unsigned char *p = in->p + 8;
    if (crypto_box_seal_open(key, p, crypto_box_SEALBYTES + sizeof key, pk, sk) != 0) {
        snprintf(err, errlen, "cannot open sealed segment: wrong key or damaged");
        return -1;
    }
    p += crypto_box_SEALBYTES + sizeof key;
    crypto_secretstream_xchacha20poly1305_state st;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&st, p, key) != 0) {
        sodium_memzero(key, sizeof key);
        snprintf(err, errlen, "sealed segment header damaged");
        return -1;
    }
    sodium_memzero(key, sizeof key);
    p += crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    const unsigned char *end = in->p + in->n;
    unsigned char *m = malloc(SEAL_CHUNK);
    bool final = false;
    int rc = m ? 0 : -1;
    while (rc == 0 && !final) {
        if (end - p < 4) {
            snprintf(err, errlen, "sealed segment cut short");
            rc = -1;
            break;
        }
        size_t cl = ((size_t)p[0] << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
        p += 4;
        if (cl < crypto_secretstream_xchacha20poly1305_ABYTES ||
            cl > SEAL_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES ||
            (size_t)(end - p) < cl) {
            snprintf(err, errlen, "sealed segment damaged or cut short");
            rc = -1;
            break;
        }
        unsigned long long ml;
        unsigned char tag;
        if (crypto_secretstream_xchacha20poly1305_pull(&st, m, &ml, &tag, p, cl, NULL, 0) != 0) {
            snprintf(err, errlen, "sealed segment fails authentication (damaged)");
            rc = -1;
            break;
        }
        p += cl;
        final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        if (rb_add(out, m, (size_t)ml) != 0)
            rc = -1;
    }
    if (rc == 0 && p != end) {
        snprintf(err, errlen, "data after the end of a sealed segment");
        rc = -1;
    }
    free(m);
    return rc;
}

static int unzstd(rbuf *in, rbuf *out, char *err, size_t errlen)
{
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    size_t obn = ZSTD_DStreamOutSize();
    void *ob = malloc(obn);
    int rc = (dc && ob) ? 0 : -1;
    ZSTD_inBuffer zi = {in->p, in->n, 0};
    size_t last = 1;
    while (rc == 0 && zi.pos < zi.size) {
        ZSTD_outBuffer zo = {ob, obn, 0};
        last = ZSTD_decompressStream(dc, &zo, &zi);
        if (ZSTD_isError(last)) {
            snprintf(err, errlen, "zstd: %s", ZSTD_getErrorName(last));
            rc = -1;
            break;
        }
        if (rb_add(out, ob, zo.pos) != 0) {
            snprintf(err, errlen, "segment larger than %llu bytes", (unsigned long long)READ_MAX);
            rc = -1;
        }
    }
    if (rc == 0 && last != 0) {
        snprintf(err, errlen, "compressed segment cut short");
        rc = -1;
    }
    ZSTD_freeDCtx(dc);
    free(ob);
    return rc;
}

/* Value of "key": in a line: a number or a string copied into out. */
/* A member of the header or trailer object ("mimamori_segment.site"), read
 * with the JSON reader so escaped names come back as they were written. */
static bool field(const char *line, size_t n, const char *obj, const char *key, char *out,
                  size_t outn)
{
    jr_doc d;
    jr_init(&d, 64);
    bool ok = false;
    out[0] = 0;
    if (jr_parse(&d, line, n) == 0) {
        int t = jr_member(&d, jr_member(&d, 0, obj), key);
        if (t >= 0 && d.t[t].type == JR_STR) {
            ok = jr_str(&d, t, out, outn);
        } else if (t >= 0 && (d.t[t].type == JR_NUM || d.t[t].type == JR_BOOL)) {
            size_t l = d.t[t].end - d.t[t].start;
            if (l >= outn)
                l = outn - 1;
            memcpy(out, line + d.t[t].start, l);
            out[l] = 0;
            ok = true;
        }
    }
    jr_free(&d);
    return ok;
}

static int seg_parse(rbuf *raw, const unsigned char *pk, const unsigned char *sk,
                     mm_seg_line_cb cb, void *user, mm_seg_info *info, char *err, size_t errlen);

int mm_seg_read_mem(const unsigned char *data, size_t len, const unsigned char *pk,
                    const unsigned char *sk, mm_seg_line_cb cb, void *user, mm_seg_info *info,
                    char *err, size_t errlen)
{
    rbuf raw = {(unsigned char *)data, len, len};
    memset(info, 0, sizeof(*info));
    return seg_parse(&raw, pk, sk, cb, user, info, err, errlen);
}

int mm_seg_read(const char *path, const unsigned char *pk, const unsigned char *sk,
                mm_seg_line_cb cb, void *user, mm_seg_info *info, char *err, size_t errlen)
{
    memset(info, 0, sizeof(*info));
    rbuf raw = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    unsigned char chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s", strerror(errno));
            close(fd);
            free(raw.p);
            return -1;
        }
        if (r == 0)
            break;
        if (rb_add(&raw, chunk, (size_t)r) != 0) {
            snprintf(err, errlen, "segment too large");
            close(fd);
            free(raw.p);
            return -1;
        }
    }
    close(fd);
    int rc = seg_parse(&raw, pk, sk, cb, user, info, err, errlen);
    free(raw.p);
    return rc;
}

static int seg_parse(rbuf *raw, const unsigned char *pk, const unsigned char *sk,
                     mm_seg_line_cb cb, void *user, mm_seg_info *info, char *err, size_t errlen)
{
    rbuf a = {0}, b = {0};
    rbuf *cur = raw;
    int rc = -1;
    if (cur->n >= 8 && memcmp(cur->p, SEAL_MAGIC, 8) == 0) {
        if (unseal(cur, pk, sk, &a, err, errlen) != 0)
            goto out;
        cur = &a;
    }
    if (cur->n >= 4 && cur->p[0] == 0x28 && cur->p[1] == 0xB5 && cur->p[2] == 0x2F &&
        cur->p[3] == 0xFD) {
        if (unzstd(cur, &b, err, errlen) != 0)
            goto out;
        cur = &b;
    }
    const char *s = (const char *)cur->p;
    size_t n = cur->n;
    const char *nl = n ? memchr(s, '\n', n) : NULL;
    char v[160];
    if (!nl || (size_t)(nl - s) < 20 || memcmp(s, "{\"mimamori_segment\":", 20) != 0) {
        snprintf(err, errlen, "not a mimamori segment (no header line)");
        goto out;
    }
    size_t hl = (size_t)(nl - s);
    static const char H[] = "mimamori_segment", T[] = "mimamori_segment_end";
    if (field(s, hl, H, "site", v, sizeof v)) mm_strcpy(info->site, sizeof info->site, v);
    if (field(s, hl, H, "sensor", v, sizeof v)) mm_strcpy(info->sensor, sizeof info->sensor, v);
    if (field(s, hl, H, "seq", v, sizeof v)) info->seq = strtoull(v, NULL, 10);
    if (n == 0 || s[n - 1] != '\n') {
        snprintf(err, errlen, "segment cut short (last line incomplete)");
        goto out;
    }
    size_t ts = n - 1;
    while (ts > 0 && s[ts - 1] != '\n')
        ts--;
    if (ts <= hl || n - ts < 24 || memcmp(s + ts, "{\"mimamori_segment_end\":", 24) != 0) {
        snprintf(err, errlen, "segment has no end line (cut short or still open)");
        goto out;
    }
    const char *body = nl + 1;
    size_t blen = (size_t)((s + ts) - body);
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, (const unsigned char *)body, blen);
    char hx[65];
    hex(hx, d, sizeof d);
    size_t tl = n - ts - 1;
    char want[80] = "";
    field(s + ts, tl, T, "sha256", want, sizeof want);
    if (field(s + ts, tl, T, "events", v, sizeof v)) info->events = strtoull(v, NULL, 10);
    if (field(s + ts, tl, T, "bytes", v, sizeof v)) info->bytes = strtoull(v, NULL, 10);
    if (field(s + ts, tl, T, "recovered", v, sizeof v)) info->recovered = strcmp(v, "true") == 0;
    mm_strcpy(info->sha256, sizeof info->sha256, hx);
    if (strcmp(want, hx) != 0 || info->bytes != blen) {
        snprintf(err, errlen, "checksum mismatch: segment damaged");
        goto out;
    }
    uint64_t count = 0;
    const char *p = body;
    while (p < s + ts) {
        const char *e = memchr(p, '\n', (size_t)((s + ts) - p));
        if (!e)
            break;
        count++;
        if (cb && cb(user, p, (size_t)(e - p)) != 0) {
            snprintf(err, errlen, "stopped by reader");
            goto out;
        }
        p = e + 1;
    }
    if (count != info->events) {
        snprintf(err, errlen, "event count mismatch: segment damaged");
        goto out;
    }
    rc = 0;
out:
    free(a.p);
    free(b.p);
    return rc;
}
