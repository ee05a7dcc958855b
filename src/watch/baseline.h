/*
 * baseline.h - what `mimamori watch` last recorded of each watched tree:
 * the state file (written atomically: temporary file, fsync, rename, fsync
 * of the directory) and the comparison of two sets of files into added,
 * changed, removed and unreadable events.
 *
 * State file: text, one line a record, paths %XX-escaped:
 *   mimamori-watch-state 1
 *   R <root>
 *   F <sha256|-> <size> <mode octal> <uid> <gid> <mtime ns> <flags> <kind> <severity> <reasons> <path>
 *   E
 * A file without its closing E line, or with a malformed line, is refused.
 */
#ifndef MM_WATCH_BASELINE_H
#define MM_WATCH_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "watch/tree.h"

typedef struct mw_root {
    const char *path;           /* as given (made absolute by the caller) */
    mw_set set;
    bool known;                 /* the state file had it */
} mw_root;

/* 0 written, -1 with err. */
int mw_state_save(const char *file, const mw_root *roots, size_t n, char *err, size_t errlen);
/* Fills the sets of the roots the file names (known set true); others are
 * left empty. 1 loaded, 0 no file, -1 unreadable or malformed (err). */
int mw_state_load(const char *file, mw_root *roots, size_t n, char *err, size_t errlen);

enum { MW_A_NONE = 0, MW_A_ADDED, MW_A_CHANGED, MW_A_REMOVED, MW_A_UNREADABLE };
#define MW_C_SIZE 0x01
#define MW_C_SHA 0x02
#define MW_C_MODE 0x04
#define MW_C_OWNER 0x08
#define MW_C_MTIME 0x10

typedef struct mw_change {
    int action;                 /* MW_A_* */
    const char *path;
    const mw_entry *cur, *prev; /* cur NULL when removed, prev NULL when new */
    unsigned changed;           /* MW_C_* (changed) */
} mw_change;

/* The event between what was recorded (prev, or NULL) and what is there
 * (cur, or NULL); MW_A_NONE for nothing to tell (same, or only the mtime). */
int mw_diff(const mw_entry *prev, const mw_entry *cur, unsigned *changed);

typedef void (*mw_change_cb)(void *user, const mw_change *c);
/* Every difference of cur from old, new and changed paths first (in cur's
 * order), then removed ones (in old's order). Returns the count. */
size_t mw_compare(const mw_set *old, const mw_set *cur, mw_change_cb cb, void *user);

const char *mw_action_name(int action);

#endif
