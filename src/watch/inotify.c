/*
 * inotify.c - inotify watches on the watched trees' directories
 * (inotify.h). Watch descriptors are small numbers the kernel hands out
 * in order, so the table is an array indexed by them; a watch the kernel
 * drops (IN_IGNORED: its directory removed) frees its slot.
 */
#include "watch/inotify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "util/util.h"
#include "watch/tree.h"

typedef struct wslot {
    char *rel;                  /* NULL: free */
    int root;
} wslot;

struct mw_inotify {
    int fd;
    wslot *w;
    size_t cap, count;
};

uint32_t mw_inotify_mask(void)
{
    return IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_ATTRIB |
           IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;
}

mw_inotify *mw_inotify_open(char *err, size_t errlen)
{
    mw_inotify *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    n->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (n->fd < 0) {
        snprintf(err, errlen, "inotify: %s", strerror(errno));
        free(n);
        return NULL;
    }
    return n;
}

void mw_inotify_close(mw_inotify *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->cap; i++)
        free(n->w[i].rel);
    free(n->w);
    close(n->fd);
    free(n);
}

int mw_inotify_fd(const mw_inotify *n)
{
    return n->fd;
}

size_t mw_inotify_count(const mw_inotify *n)
{
    return n->count;
}

int mw_inotify_add(mw_inotify *n, int root, const char *rel, int fd)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    /* the magic link leads to the very directory fd is open on */
    int wd = inotify_add_watch(n->fd, proc, mw_inotify_mask());
    if (wd < 0)
        return -1;
    size_t i = (size_t)wd;
    if (i >= n->cap) {
        size_t nc = n->cap ? n->cap : 256;
        while (nc <= i)
            nc *= 2;
        wslot *nw = realloc(n->w, nc * sizeof *nw);
        if (!nw) {
            inotify_rm_watch(n->fd, wd);
            errno = ENOMEM;
            return -1;
        }
        memset(nw + n->cap, 0, (nc - n->cap) * sizeof *nw);
        n->w = nw;
        n->cap = nc;
    }
    char *copy = strdup(rel);
    if (!copy) {
        errno = ENOMEM;
        return -1;
    }
    if (n->w[i].rel)
        free(n->w[i].rel);      /* the same directory again (rescan, move) */
    else
        n->count++;
    n->w[i].rel = copy;
    n->w[i].root = root;
    return 0;
}

static void forget(mw_inotify *n, size_t i)
{
    if (i < n->cap && n->w[i].rel) {
        free(n->w[i].rel);
        n->w[i].rel = NULL;
        n->count--;
    }
}

void mw_inotify_drop(mw_inotify *n, int root, const char *rel)
{
    size_t rl = strlen(rel);
    for (size_t i = 0; i < n->cap; i++) {
        const char *r = n->w[i].rel;
        if (!r || n->w[i].root != root)
            continue;
        if (rl == 0 || (strncmp(r, rel, rl) == 0 && (r[rl] == 0 || r[rl] == '/'))) {
            inotify_rm_watch(n->fd, (int)i);
            forget(n, i);
        }
    }
}

int mw_inotify_read(mw_inotify *n, mw_inotify_cb cb, void *user, bool *overflow)
{
    _Alignas(struct inotify_event) char buf[65536];
    int total = 0;
    char path[MW_PATH_MAX];
    for (int rounds = 0; rounds < 64; rounds++) {   /* the rest at the next call */
        ssize_t r = read(n->fd, buf, sizeof buf);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return total;
            return -1;
        }
        if (r == 0)
            return total;
        size_t off = 0;
        while (off + sizeof(struct inotify_event) <= (size_t)r) {
            const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
            size_t len = sizeof *ev + ev->len;
            if (off + len > (size_t)r)
                break;
            off += len;
            total++;
            if (ev->mask & IN_Q_OVERFLOW) {
                *overflow = true;
                continue;
            }
            if (ev->wd < 0 || (size_t)ev->wd >= n->cap || !n->w[ev->wd].rel)
                continue;
            wslot *w = &n->w[ev->wd];
            if (ev->mask & IN_IGNORED) {
                forget(n, (size_t)ev->wd);
                continue;
            }
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
                /* told by its parent as well (IN_DELETE / IN_MOVED_FROM) */
                continue;
            }
            const char *name = ev->len ? ev->name : "";
            if (!name[0])
                continue;
            int k = w->rel[0] ? snprintf(path, sizeof path, "%s/%s", w->rel, name)
                              : snprintf(path, sizeof path, "%s", name);
            if (k < 0 || (size_t)k >= sizeof path)
                continue;
            cb(user, w->root, path, ev->mask);
        }
    }
    return total;
}
