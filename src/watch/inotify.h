/*
 * inotify.h - the directories of the watched trees under inotify: one
 * watch a directory (added through the directory's open descriptor, so no
 * symbolic link is followed), a table from watch to (root, relative path),
 * and the events read back as (root, path of the entry, mask).
 */
#ifndef MM_WATCH_INOTIFY_H
#define MM_WATCH_INOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mw_inotify mw_inotify;

mw_inotify *mw_inotify_open(char *err, size_t errlen);
void mw_inotify_close(mw_inotify *n);
int mw_inotify_fd(const mw_inotify *n);

/* Watches directory rel of root number root, open as fd. 0, or -1 with
 * errno (ENOSPC: the system's watch limit is reached). */
int mw_inotify_add(mw_inotify *n, int root, const char *rel, int fd);
/* Drops the watches of rel and of every directory below it. */
void mw_inotify_drop(mw_inotify *n, int root, const char *rel);
size_t mw_inotify_count(const mw_inotify *n);

/* What one event is about: root, entry path relative to it, the mask. */
typedef void (*mw_inotify_cb)(void *user, int root, const char *rel, uint32_t mask);
/* Reads what is pending (the descriptor is non-blocking) and calls cb for
 * each event of a known watch; *overflow set on IN_Q_OVERFLOW. Returns the
 * events read, or -1 on a read error. */
int mw_inotify_read(mw_inotify *n, mw_inotify_cb cb, void *user, bool *overflow);

/* The mask every directory is watched with. */
uint32_t mw_inotify_mask(void);

#endif
