/*
 * baseline.c - the watch's state file and the comparison of two sets of
 * files (baseline.h). The state file is read as hostile input: every line
 * is bounded and checked, and a file that does not end with its closing
 * line is refused rather than taken for a smaller tree.
 */
#include "watch/baseline.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

#define MAGIC "mimamori-watch-state 1"
#define LINE_MAX_LEN (3 * MW_PATH_MAX + 256)

/* ---- comparison -------------------------------------------------------- */

int mw_diff(const mw_entry *prev, const mw_entry *cur, unsigned *changed)
{
    *changed = 0;
    if (!prev && !cur)
        return MW_A_NONE;
    if (!prev)
        return cur->flags & MW_F_UNREAD ? MW_A_UNREADABLE : MW_A_ADDED;
    if (!cur)
        return (prev->flags & MW_F_DIR) ? MW_A_NONE : MW_A_REMOVED;
    if (cur->flags & MW_F_UNREAD)
        return (prev->flags & MW_F_UNREAD) ? MW_A_NONE : MW_A_UNREADABLE;
    unsigned c = 0;
    if (prev->size != cur->size)
        c |= MW_C_SIZE;
    if ((prev->flags & MW_F_UNREAD) || memcmp(prev->sha, cur->sha, sizeof cur->sha) != 0 ||
        (prev->flags & MW_F_TRUNC) != (cur->flags & MW_F_TRUNC))
        c |= MW_C_SHA;
    if (prev->mode != cur->mode)
        c |= MW_C_MODE;
    if (prev->uid != cur->uid || prev->gid != cur->gid)
        c |= MW_C_OWNER;
    if (prev->mtime_ns != cur->mtime_ns)
        c |= MW_C_MTIME;
    *changed = c;
    return c & ~(unsigned)MW_C_MTIME ? MW_A_CHANGED : MW_A_NONE;
}

size_t mw_compare(const mw_set *old, const mw_set *cur, mw_change_cb cb, void *user)
{
    size_t count = 0;
    for (size_t i = 0; i < cur->n; i++) {
        const mw_entry *c = &cur->e[i];
        if (c->flags & MW_F_DEAD)
            continue;
        const char *path = mw_path(cur, c);
        const mw_entry *p = mw_set_find(old, path);
        mw_change ch = {.path = path, .cur = c, .prev = p};
        ch.action = mw_diff(p, c, &ch.changed);
        if (ch.action != MW_A_NONE) {
            count++;
            cb(user, &ch);
        }
    }
    for (size_t i = 0; i < old->n; i++) {
        const mw_entry *p = &old->e[i];
        if (p->flags & MW_F_DEAD)
            continue;
        const char *path = mw_path(old, p);
        if (mw_set_find(cur, path))
            continue;
        mw_change ch = {.path = path, .prev = p};
        ch.action = mw_diff(p, NULL, &ch.changed);
        if (ch.action != MW_A_NONE) {
            count++;
            cb(user, &ch);
        }
    }
    return count;
}

const char *mw_action_name(int action)
{
    switch (action) {
    case MW_A_ADDED: return "added";
    case MW_A_CHANGED: return "changed";
    case MW_A_REMOVED: return "removed";
    case MW_A_UNREADABLE: return "unreadable";
    default: return "";
    }
}

/* ---- the file ---------------------------------------------------------- */

static void put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == 0x7f || c == '%')
            fprintf(f, "%%%02X", c);
        else
            fputc(c, f);
    }
}

/* %XX-unescapes s in place; false on a bad escape or a NUL. */
static bool unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p != '%') {
            *o++ = *p;
            continue;
        }
        int a = mm_hex_value(p[1]);
        int b = a < 0 ? -1 : mm_hex_value(p[2]);
        if (b < 0 || (a == 0 && b == 0))
            return false;
        *o++ = (char)(a << 4 | b);
        p += 2;
    }
    *o = 0;
    return true;
}

int mw_state_save(const char *file, const mw_root *roots, size_t n, char *err, size_t errlen)
{
    char tmp[4096 + 16];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", file) >= (int)sizeof tmp) {
        snprintf(err, errlen, "%s: name too long", file);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    fprintf(f, "%s\n", MAGIC);
    for (size_t r = 0; r < n; r++) {
        fputs("R ", f);
        put_escaped(f, roots[r].path);
        fputc('\n', f);
        const mw_set *s = &roots[r].set;
        for (size_t i = 0; i < s->n; i++) {
            const mw_entry *e = &s->e[i];
            if (e->flags & MW_F_DEAD)
                continue;
            char hex[65];
            if (e->flags & MW_F_UNREAD) {
                strcpy(hex, "-");
            } else {
                for (int k = 0; k < 32; k++)
                    snprintf(hex + 2 * k, 3, "%02x", e->sha[k]);
            }
            fprintf(f, "F %s %" PRIu64 " %o %" PRIu32 " %" PRIu32 " %" PRId64 " %u %u %u %" PRIx32 " ",
                    hex, e->size, (unsigned)e->mode, e->uid, e->gid, e->mtime_ns,
                    (unsigned)e->flags, (unsigned)e->kind, (unsigned)e->severity, e->reasons);
            put_escaped(f, mw_path(s, e));
            fputc('\n', f);
        }
    }
    fputs("E\n", f);
    bool ok = fflush(f) == 0 && !ferror(f) && fsync(fileno(f)) == 0;
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok || rename(tmp, file) != 0) {
        if (ok)
            saved = errno;
        unlink(tmp);
        snprintf(err, errlen, "%s: %s", file, strerror(saved));
        return -1;
    }
    /* the rename itself made durable */
    char dir[4096];
    mm_strcpy(dir, sizeof dir, file);
    char *sl = strrchr(dir, '/');
    if (sl)
        *(sl == dir ? sl + 1 : sl) = 0;
    else
        strcpy(dir, ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

static bool parse_entry(char *line, mw_set *s)
{
    /* F sha size mode uid gid mtime flags kind sev reasons path */
    char *f[11];
    char *save = NULL;
    char *p = strtok_r(line, " ", &save);
    for (int i = 0; i < 11; i++) {
        p = strtok_r(NULL, " ", &save);
        if (!p)
            return false;
        f[i] = p;
    }
    if (strtok_r(NULL, " ", &save))
        return false;
    uint64_t size, mode, uid, gid, flags, kind, sev, reasons;
    char *end;
    errno = 0;
    long long mt = strtoll(f[5], &end, 10);
    if (*end || errno)
        return false;
    mode = strtoull(f[2], &end, 8);
    if (*end || mode > UINT32_MAX)
        return false;
    reasons = strtoull(f[9], &end, 16);
    if (*end || reasons > UINT32_MAX)
        return false;
    if (!mm_parse_uint(f[1], UINT64_MAX, &size) || !mm_parse_uint(f[3], UINT32_MAX, &uid) ||
        !mm_parse_uint(f[4], UINT32_MAX, &gid) || !mm_parse_uint(f[6], 0xff, &flags) ||
        !mm_parse_uint(f[7], 0xff, &kind) || !mm_parse_uint(f[8], 3, &sev))
        return false;
    if (flags & MW_F_DEAD)
        return false;
    char *path = f[10];
    if (!unescape(path) || !path[0] || strlen(path) >= MW_PATH_MAX)
        return false;
    uint8_t sha[32] = {0};
    if (!(flags & MW_F_UNREAD)) {
        if (strlen(f[0]) != 64)
            return false;
        for (int k = 0; k < 32; k++) {
            int a = mm_hex_value(f[0][2 * k]), b = mm_hex_value(f[0][2 * k + 1]);
            if (a < 0 || b < 0)
                return false;
            sha[k] = (uint8_t)(a << 4 | b);
        }
    } else if (strcmp(f[0], "-") != 0) {
        return false;
    }
    if (mw_set_find(s, path))
        return false;                   /* twice: not a file we wrote */
    mw_entry *e = mw_set_put(s, path);
    if (!e)
        return false;
    e->size = size;
    e->mtime_ns = mt;
    e->mode = (uint32_t)mode;
    e->uid = (uint32_t)uid;
    e->gid = (uint32_t)gid;
    e->flags = (uint8_t)flags;
    e->kind = (uint8_t)kind;
    e->severity = (uint8_t)sev;
    e->reasons = (uint32_t)reasons;
    memcpy(e->sha, sha, sizeof sha);
    return true;
}

int mw_state_load(const char *file, mw_root *roots, size_t n, char *err, size_t errlen)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", file, strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        snprintf(err, errlen, "%s: %s", file, strerror(errno));
        return -1;
    }
    char *line = malloc(LINE_MAX_LEN + 2);
    if (!line) {
        fclose(f);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    uint64_t lineno = 0;
    mw_set *cur = NULL;
    bool ended = false, bad = false, skip = false;
    while (!bad && fgets(line, LINE_MAX_LEN + 2, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n' || ended) {
            bad = true;                 /* too long, cut short, or after E */
            break;
        }
        line[--len] = 0;
        if (lineno == 1) {
            bad = strcmp(line, MAGIC) != 0;
        } else if (strcmp(line, "E") == 0) {
            ended = true;
        } else if (line[0] == 'R' && line[1] == ' ') {
            char *rp = line + 2;
            if (!unescape(rp)) {
                bad = true;
                break;
            }
            cur = NULL;
            skip = true;                /* a root no longer watched */
            for (size_t i = 0; i < n; i++)
                if (strcmp(roots[i].path, rp) == 0 && !roots[i].known) {
                    cur = &roots[i].set;
                    roots[i].known = true;
                    skip = false;
                }
        } else if (line[0] == 'F' && line[1] == ' ') {
            if (skip)
                continue;
            if (!cur || !parse_entry(line, cur))
                bad = true;
        } else {
            bad = true;
        }
    }
    free(line);
    fclose(f);
    if (bad || !ended) {
        snprintf(err, errlen, "%s: %s at line %" PRIu64, file,
                 bad ? "malformed" : "cut short", lineno);
        for (size_t i = 0; i < n; i++) {
            mw_set_free(&roots[i].set);
            roots[i].known = false;
        }
        return -1;
    }
    return 1;
}
