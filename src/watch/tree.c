/*
 * tree.c - walking a directory tree for `mimamori watch`: the set of files
 * (arena of paths, open-addressing table keyed by path), the walk (openat
 * and fstatat from the root down, never through a symbolic link), and the
 * SHA-256 and first bytes of each regular file.
 */
#include "watch/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"
#include "watch/webshell.h"

/* ---- the set ---------------------------------------------------------- */

void mw_set_init(mw_set *s)
{
    memset(s, 0, sizeof *s);
}

void mw_set_free(mw_set *s)
{
    free(s->e);
    free(s->arena);
    free(s->slot);
    memset(s, 0, sizeof *s);
}

static uint64_t hash_str(const char *p)
{
    uint64_t h = 1469598103934665603ULL;        /* FNV-1a */
    for (; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ULL;
    }
    return h;
}

/* The slot of path: its entry's, or the empty one where it would go. */
static size_t find_slot(const mw_set *s, const char *path)
{
    size_t mask = s->nslot - 1;
    size_t i = (size_t)hash_str(path) & mask;
    for (;;) {
        uint32_t v = s->slot[i];
        if (v == 0)
            return i;
        const mw_entry *e = &s->e[v - 1];
        if (!(e->flags & MW_F_DEAD) && strcmp(s->arena + e->path, path) == 0)
            return i;
        i = (i + 1) & mask;
    }
}

static bool rehash(mw_set *s, size_t nslot)
{
    uint32_t *ns = calloc(nslot, sizeof *ns);
    if (!ns)
        return false;
    free(s->slot);
    s->slot = ns;
    s->nslot = nslot;
    for (size_t k = 0; k < s->n; k++) {
        if (s->e[k].flags & MW_F_DEAD)
            continue;
        size_t i = find_slot(s, s->arena + s->e[k].path);
        s->slot[i] = (uint32_t)(k + 1);
    }
    return true;
}

mw_entry *mw_set_find(const mw_set *s, const char *path)
{
    if (!s->nslot)
        return NULL;
    uint32_t v = s->slot[find_slot(s, path)];
    return v ? &s->e[v - 1] : NULL;
}

mw_entry *mw_set_put(mw_set *s, const char *path)
{
    mw_entry *old = mw_set_find(s, path);
    if (old)
        return old;
    if (s->n >= UINT32_MAX - 1)
        return NULL;
    /* the table at most half full, dead entries counted (they hold slots) */
    if ((s->n + 1) * 2 > s->nslot && !rehash(s, s->nslot ? s->nslot * 2 : 1024))
        return NULL;
    size_t pl = strlen(path) + 1;
    if (s->alen + pl > UINT32_MAX)
        return NULL;
    if (s->alen + pl > s->acap) {
        size_t nc = s->acap ? s->acap : 65536;
        while (nc < s->alen + pl)
            nc *= 2;
        char *na = realloc(s->arena, nc);
        if (!na)
            return NULL;
        s->arena = na;
        s->acap = nc;
    }
    if (!mm_grow(&s->e, &s->cap, s->n, sizeof *s->e, 1024))
        return NULL;
    memcpy(s->arena + s->alen, path, pl);
    mw_entry *e = &s->e[s->n];
    memset(e, 0, sizeof *e);
    e->path = (uint32_t)s->alen;
    s->alen += pl;
    s->slot[find_slot(s, path)] = (uint32_t)(s->n + 1);
    s->n++;
    return e;
}

void mw_set_del(mw_set *s, const char *path)
{
    mw_entry *e = mw_set_find(s, path);
    if (!e)
        return;
    /* the slot stays taken (linear probing needs it): find_slot passes
     * over dead entries, and the next compaction drops them */
    e->flags |= MW_F_DEAD;
    s->dead++;
}

bool mw_set_compact(mw_set *s)
{
    mw_set t;
    mw_set_init(&t);
    for (size_t k = 0; k < s->n; k++) {
        if (s->e[k].flags & MW_F_DEAD)
            continue;
        mw_entry *e = mw_set_put(&t, s->arena + s->e[k].path);
        if (!e) {
            mw_set_free(&t);
            return false;
        }
        uint32_t p = e->path;
        *e = s->e[k];
        e->path = p;
    }
    mw_set_free(s);
    *s = t;
    return true;
}

size_t mw_set_bytes(const mw_set *s)
{
    return s->cap * sizeof *s->e + s->acap + s->nslot * sizeof *s->slot;
}

/* ---- one file ---------------------------------------------------------- */

bool mw_excluded(const mw_walk_opt *o, const char *rel)
{
    if (!o->nexclude)
        return false;
    /* the path, then each directory above it: its path and its name */
    char buf[MW_PATH_MAX];
    if (!mm_strcpy(buf, sizeof buf, rel))
        return true;                    /* too long to be one of ours */
    size_t len = strlen(buf);
    for (;;) {
        const char *base = strrchr(buf, '/');
        base = base ? base + 1 : buf;
        for (size_t i = 0; i < o->nexclude; i++)
            if (fnmatch(o->exclude[i], buf, 0) == 0 || fnmatch(o->exclude[i], base, 0) == 0)
                return true;
        while (len > 0 && buf[len - 1] != '/')
            len--;
        if (len == 0)
            return false;
        buf[--len] = 0;
    }
}

static void fill_meta(mw_entry *e, const struct stat *st)
{
    e->size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
    e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
    e->mode = (uint32_t)st->st_mode;
    e->uid = (uint32_t)st->st_uid;
    e->gid = (uint32_t)st->st_gid;
}

/* Hashes and classifies the open regular file fd (path rel); head is a
 * buffer of MW_HEAD_MAX bytes; *got: the bytes hashed. Returns 0, or -1
 * with errno. */
static int hash_fd(int fd, const char *rel, uint64_t cap, uint8_t *head, mw_entry *e,
                   uint64_t *got)
{
    struct sha256_ctx c;
    sha256_init(&c);
    uint8_t buf[65536];
    uint64_t done = 0;
    size_t hlen = 0;
    bool more = false;
    while (done < cap) {
        size_t want = sizeof buf;
        if (cap - done < want)
            want = (size_t)(cap - done);
        ssize_t r = read(fd, buf, want);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        sha256_update(&c, (size_t)r, buf);
        if (hlen < MW_HEAD_MAX) {
            size_t k = (size_t)r < MW_HEAD_MAX - hlen ? (size_t)r : MW_HEAD_MAX - hlen;
            memcpy(head + hlen, buf, k);
            hlen += k;
        }
        done += (uint64_t)r;
    }
    if (done >= cap) {
        /* is there more than the cap? */
        uint8_t one;
        ssize_t r = read(fd, &one, 1);
        more = r > 0;
    }
    sha256_digest(&c, sizeof e->sha, e->sha);
    *got = done;
    if (more)
        e->flags |= MW_F_TRUNC;
    mw_class k;
    mw_classify(rel, head, hlen, &k);
    e->kind = (uint8_t)k.kind;
    e->severity = (uint8_t)k.severity;
    e->reasons = k.reasons;
    return 0;
}

/* Opens name in dfd (path rel in the tree) as the regular file fstatat
 * saw (same inode), hashes it, and fills e from the open file. 1 done, 0 no longer a regular file,
 * -1 unreadable (errno). */
/* Opens name in dfd as the regular file fstatat saw (same inode): the fd
 * (st filled), -2 when it is no longer one, -1 unreadable (errno). */
static int open_file_at(int dfd, const char *name, const struct stat *seen, struct stat *st)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno == ENOENT || errno == ELOOP ? -2 : -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) ||
        (seen && (st->st_ino != seen->st_ino || st->st_dev != seen->st_dev))) {
        close(fd);
        return -2;
    }
    return fd;
}

static int read_file_at(int dfd, const char *name, const char *rel, const struct stat *seen,
                        uint64_t cap, uint8_t *head, mw_entry *e)
{
    struct stat st;
    int fd = open_file_at(dfd, name, seen, &st);
    if (fd < 0)
        return fd == -2 ? 0 : -1;
    /* A file written while it is read: its size and time before the read
     * need not be those of the bytes hashed. Read again (at most three
     * times) until they hold still; the size kept is always that of the
     * bytes hashed, so that size and SHA-256 describe one content (the
     * write's own inotify event brings another look). */
    int r = -1;
    for (int tries = 0; tries < 3; tries++) {
        fill_meta(e, &st);
        e->flags &= ~(uint32_t)MW_F_TRUNC;
        uint64_t got = 0;
        if ((r = hash_fd(fd, rel, cap, head, e, &got)) != 0)
            break;
        if (!(e->flags & MW_F_TRUNC))
            e->size = got;
        struct stat st2;
        if (fstat(fd, &st2) != 0 || (st2.st_size == st.st_size &&
                                     st2.st_mtim.tv_sec == st.st_mtim.tv_sec &&
                                     st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec))
            break;
        st = st2;
        if (lseek(fd, 0, SEEK_SET) != 0)
            break;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return r == 0 ? 1 : -1;
}

/* ---- the walk ---------------------------------------------------------- */

typedef struct walker {
    const mw_walk_opt *o;
    mw_set *out;
    mw_walk_stats *st;
    uint8_t *head;
    char path[MW_PATH_MAX];
} walker;

static void unreadable(walker *w, const char *rel, const struct stat *st, bool dir, int err)
{
    w->st->unreadable++;
    mw_entry *e = w->out ? mw_set_put(w->out, rel) : NULL;
    if (e) {
        if (st)
            fill_meta(e, st);
        e->flags = MW_F_UNREAD | (dir ? MW_F_DIR : 0);
    }
    if (w->o->on_error)
        w->o->on_error(w->o->user, rel, err);
}

/* Walks the directory open as dfd whose relative path is w->path[0..plen). */
static void walk_dir(walker *w, int dfd, size_t plen, int depth)
{
    w->st->dirs++;
    if (w->o->on_dir)
        w->o->on_dir(w->o->user, w->path, dfd);
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        size_t nl = strlen(name);
        size_t sep = plen ? 1 : 0;
        if (plen + sep + nl + 1 > sizeof w->path) {
            w->st->skipped++;
            continue;
        }
        if (sep)
            w->path[plen] = '/';
        memcpy(w->path + plen + sep, name, nl + 1);
        size_t clen = plen + sep + nl;
        if (mw_excluded(w->o, w->path)) {
            w->st->skipped++;
            w->path[plen] = 0;
            continue;
        }
        struct stat st;
        if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno != ENOENT)
                unreadable(w, w->path, NULL, false, errno);
        } else if (S_ISDIR(st.st_mode)) {
            if (depth + 1 > MW_DEPTH_MAX) {
                w->st->too_deep++;
            } else {
                int cfd = openat(dirfd(d), name,
                                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (cfd < 0) {
                    if (errno != ENOENT)
                        unreadable(w, w->path, &st, true, errno);
                } else {
                    walk_dir(w, cfd, clen, depth + 1);
                }
            }
        } else if (S_ISREG(st.st_mode) && w->o->on_file) {
            struct stat fst;
            int fd = open_file_at(dirfd(d), name, &st, &fst);
            if (fd == -1) {
                unreadable(w, w->path, &st, false, errno);
            } else if (fd >= 0) {
                int r = w->o->on_file(w->o->user, w->path, fd, &fst);
                int saved = errno;
                close(fd);
                if (r != 0) {
                    unreadable(w, w->path, &fst, false, saved);
                } else {
                    w->st->files++;
                    w->st->bytes += fst.st_size > 0 ? (uint64_t)fst.st_size : 0;
                }
            }
        } else if (S_ISREG(st.st_mode)) {
            mw_entry tmp;
            memset(&tmp, 0, sizeof tmp);
            int r = read_file_at(dirfd(d), name, w->path, &st, w->o->max_file, w->head, &tmp);
            if (r < 0) {
                unreadable(w, w->path, &st, false, errno);
            } else if (r > 0) {
                mw_entry *e = mw_set_put(w->out, w->path);
                if (e) {
                    uint32_t p = e->path;
                    *e = tmp;
                    e->path = p;
                    w->st->files++;
                    w->st->bytes += tmp.size;
                } else {
                    w->st->skipped++;
                }
            }
        }
        /* symbolic links, devices, FIFOs, sockets: not followed, not read */
        w->path[plen] = 0;
    }
    closedir(d);
}

int mw_open_dir(const char *root, const char *rel)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[MW_PATH_MAX];
    if (!mm_strcpy(buf, sizeof buf, rel)) {
        close(fd);
        errno = ENAMETOOLONG;
        return -1;
    }
    char *save = NULL;
    for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (strcmp(c, "..") == 0 || strcmp(c, ".") == 0) {
            close(fd);
            errno = EINVAL;
            return -1;
        }
        int n = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int saved = errno;
        close(fd);
        if (n < 0) {
            errno = saved;
            return -1;
        }
        fd = n;
    }
    return fd;
}

int mw_walk_sub(const char *root, const char *rel, const mw_walk_opt *o, mw_set *out,
                mw_walk_stats *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    int fd = mw_open_dir(root, rel);
    if (fd < 0) {
        snprintf(err, errlen, "%s%s%s: %s", root, rel[0] ? "/" : "", rel, strerror(errno));
        return -1;
    }
    walker w = {.o = o, .out = out, .st = st};
    if (!mm_strcpy(w.path, sizeof w.path, rel)) {
        close(fd);
        snprintf(err, errlen, "path too long");
        return -1;
    }
    w.head = o->on_file ? NULL : malloc(MW_HEAD_MAX);
    if (!w.head && !o->on_file) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    walk_dir(&w, fd, strlen(rel), 0);
    free(w.head);
    return 0;
}

int mw_walk(const char *root, const mw_walk_opt *o, mw_set *out, mw_walk_stats *st,
            char *err, size_t errlen)
{
    return mw_walk_sub(root, "", o, out, st, err, errlen);
}

int mw_stat_one(const char *root, const char *rel, const mw_walk_opt *o, mw_entry *e,
                int *err_no)
{
    memset(e, 0, sizeof *e);
    *err_no = 0;
    if (!rel[0] || mw_excluded(o, rel))
        return 0;
    char dir[MW_PATH_MAX];
    if (!mm_strcpy(dir, sizeof dir, rel))
        return 0;
    char *slash = strrchr(dir, '/');
    const char *base = rel;
    if (slash) {
        *slash = 0;
        base = rel + (slash - dir) + 1;
    } else {
        dir[0] = 0;
    }
    int dfd = mw_open_dir(root, dir);
    if (dfd < 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EINVAL)
            return 0;                   /* gone, or not a path of the tree */
        *err_no = errno;
        e->flags = MW_F_UNREAD;
        return -1;
    }
    struct stat st;
    int r = 0;
    if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
        uint8_t *head = malloc(MW_HEAD_MAX);
        if (!head) {
            close(dfd);
            *err_no = ENOMEM;
            e->flags = MW_F_UNREAD;
            return -1;
        }
        r = read_file_at(dfd, base, rel, &st, o->max_file, head, e);
        free(head);
        if (r < 0) {
            *err_no = errno;
            memset(e, 0, sizeof *e);
            fill_meta(e, &st);
            e->flags = MW_F_UNREAD;
        }
    }
    close(dfd);
    return r;
}
