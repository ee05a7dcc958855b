/*
 * tree.h - the files of a directory tree as `mimamori watch` keeps them:
 * one compact entry per regular file (path relative to the root, size,
 * mode, owner, mtime, SHA-256, what the file looks like), paths in one
 * arena, a hash table keyed by path. A walk never follows a symbolic link
 * and never leaves the tree (openat with O_NOFOLLOW from the root down).
 *
 * Memory: an entry is 72 bytes, its path its length plus one in the arena,
 * the table 8 bytes a slot at most half full: a million files with paths
 * of 60 bytes cost about 72 + 61 + 16 = 150 MB (measured figures in
 * docs/NOTES.md).
 */
#ifndef MM_WATCH_TREE_H
#define MM_WATCH_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define MW_PATH_MAX 4096           /* bytes of a relative path, NUL included */
#define MW_DEPTH_MAX 128           /* directory levels below the root */
#define MW_HEAD_MAX (1u << 20)     /* first bytes the classifier sees */

/* entry flags */
#define MW_F_TRUNC 0x01            /* larger than the cap: hashed up to it */
#define MW_F_UNREAD 0x02           /* could not be read (no hash) */
#define MW_F_DIR 0x04              /* an unreadable directory */
#define MW_F_DEAD 0x08             /* removed (live); gone at the next compaction */

typedef struct mw_entry {
    uint64_t size;
    int64_t mtime_ns;
    uint32_t path;                 /* offset of the NUL-ended path in the arena */
    uint32_t mode, uid, gid;
    uint32_t reasons;              /* webshell.h reason bits */
    uint8_t sha[32];
    uint8_t flags, kind, severity; /* kind and severity: webshell.h */
} mw_entry;

typedef struct mw_set {
    mw_entry *e;
    size_t n, cap, dead;
    char *arena;
    size_t alen, acap;
    uint32_t *slot;                /* index + 1 of an entry; 0 empty */
    size_t nslot;                  /* a power of two */
} mw_set;

void mw_set_init(mw_set *s);
void mw_set_free(mw_set *s);
static inline const char *mw_path(const mw_set *s, const mw_entry *e)
{
    return s->arena + e->path;
}
/* The live entry of path, or NULL. */
mw_entry *mw_set_find(const mw_set *s, const char *path);
/* A new entry for path (or the live one), zeroed but for its path; NULL
 * when out of memory or the arena is full (4 GiB of paths). */
mw_entry *mw_set_put(mw_set *s, const char *path);
/* Marks the entry of path removed. */
void mw_set_del(mw_set *s, const char *path);
/* Removes dead entries and their paths (call when dead is large). */
bool mw_set_compact(mw_set *s);
/* Bytes the set holds (entries, arena, table). */
size_t mw_set_bytes(const mw_set *s);

/* How a walk runs. */
typedef struct mw_walk_opt {
    uint64_t max_file;             /* hash at most this much of a file */
    const char *const *exclude;    /* fnmatch patterns, matched against the
                                      relative path and the base name */
    size_t nexclude;
    /* an unreadable file or directory: relative path, errno */
    void (*on_error)(void *user, const char *path, int err);
    void *user;
    /* each directory entered (relative path, "" for the root), for inotify;
     * fd is open on it for the call */
    void (*on_dir)(void *user, const char *path, int fd);
    /* when set, each regular file is handed here instead of being hashed
     * and put in the set (which may then be NULL): relative path, the file
     * open read-only (O_NOFOLLOW, checked to be the inode the walk saw),
     * its stat; 0, or -1 with errno when it could not be read (counted and
     * told as unreadable) */
    int (*on_file)(void *user, const char *path, int fd, const struct stat *st);
} mw_walk_opt;

typedef struct mw_walk_stats {
    uint64_t files, dirs, bytes, unreadable, skipped, too_deep;
} mw_walk_stats;

/* Walks root into out (which it fills; out must be initialised). Returns
 * 0, or -1 with err when the root itself cannot be opened. */
int mw_walk(const char *root, const mw_walk_opt *o, mw_set *out, mw_walk_stats *st,
            char *err, size_t errlen);

/* The same for directory rel below root only (paths in out begin with
 * rel); rel is opened without following any link. */
int mw_walk_sub(const char *root, const char *rel, const mw_walk_opt *o, mw_set *out,
                mw_walk_stats *st, char *err, size_t errlen);

/* Looks at one path below root afresh (live events): fills e (flags, hash,
 * class) and returns 1 for a regular file, 0 when there is none (gone, or
 * not a regular file, or excluded), -1 when it is unreadable (errno in
 * *err_no; e holds what fstatat gave). */
int mw_stat_one(const char *root, const char *rel, const mw_walk_opt *o, mw_entry *e,
                int *err_no);

/* True when rel (or its base name) matches an exclude pattern. */
bool mw_excluded(const mw_walk_opt *o, const char *rel);

/* Opens directory rel below root without following links (O_NOFOLLOW on
 * every component); -1 with errno. rel "" is the root. */
int mw_open_dir(const char *root, const char *rel);

#endif
