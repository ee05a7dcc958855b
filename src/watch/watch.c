/*
 * watch.c - the loop of `mimamori watch` (watch.h): baseline against a
 * fresh walk at start, then inotify events and periodic rescans; fim and
 * alert events written through the sink; the baseline saved after the
 * events it records are durable.
 */
#include "watch/watch.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "util/json.h"
#include "util/util.h"
#include "watch/baseline.h"
#include "watch/inotify.h"
#include "watch/tree.h"
#include "watch/webshell.h"

#define NS 1000000000ULL

typedef struct watcher {
    const mw_config *c;
    mw_stats *st;
    mw_root *roots;
    mw_inotify *in;
    mm_json j;
    mw_walk_opt opt;
    const char **excl;              /* the configuration's and our own */
    char **own;                     /* ours (freed at the end) */
    size_t nown;
    int cur_root;                   /* root being walked (callbacks) */
    bool baseline_run;              /* first run of a root: no per-file events */
    bool dirty, rescan, in_walk;
    int last_errno;                 /* of the last unreadable path */
} watcher;

/* ---- events -------------------------------------------------------------- */

static void emit(watcher *w)
{
    mm_json *j = &w->j;
    if (j->oom)
        return;
    mj_append(j, "\n", 1);
    if (w->c->sink.write(w->c->sink.ctx, j->s, j->len) != 0)
        w->st->write_errors++;
}

/* ts: the event's time as written (NULL: now). An alert is written with
 * the time of the fim event it is about, so that the store keeps the two
 * as one row (host_files, store/schema.c). */
static void begin(watcher *w, const char *type, const char *ts)
{
    char now[MM_TS_LEN];
    if (!ts) {
        mm_fmt_ts(mm_wall_ns(), now);
        ts = now;
    }
    mj_reset(&w->j);
    mj_obj_open(&w->j, NULL);
    mj_str(&w->j, "timestamp", ts);
    mj_str(&w->j, "event_type", type);
    mj_str(&w->j, "host", w->c->sensor);
}

static void sha_hex(const mw_entry *e, char out[65])
{
    static const char hx[] = "0123456789abcdef";
    for (int k = 0; k < 32; k++) {
        out[2 * k] = hx[e->sha[k] >> 4];
        out[2 * k + 1] = hx[e->sha[k] & 15];
    }
    out[64] = 0;
}

static void meta(mm_json *j, const mw_entry *e)
{
    char buf[MM_TS_LEN];
    mj_u64(j, "size", e->size);
    snprintf(buf, sizeof buf, "0%03o", (unsigned)(e->mode & 07777));
    mj_str(j, "mode", buf);
    mj_u64(j, "uid", e->uid);
    mj_u64(j, "gid", e->gid);
    mm_fmt_ts(e->mtime_ns > 0 ? (uint64_t)e->mtime_ns : 0, buf);
    mj_str(j, "mtime", buf);
    if (!(e->flags & MW_F_UNREAD)) {
        char hex[65];
        sha_hex(e, hex);
        mj_str(j, "sha256", hex);
    }
    if (e->flags & MW_F_TRUNC)
        mj_bool(j, "truncated", true);
}

static void fim_object(watcher *w, const char *root, const mw_change *ch)
{
    mm_json *j = &w->j;
    mj_obj_open(j, "fim");
    mj_str(j, "action", mw_action_name(ch->action));
    mj_str(j, "root", root);
    mj_str(j, "path", ch->path);
    const mw_entry *e = ch->cur;
    if (e) {
        if (e->flags & MW_F_DIR)
            mj_str(j, "type", "directory");
        meta(j, e);
        if (ch->action == MW_A_UNREADABLE && w->last_errno)
            mj_str(j, "error", strerror(w->last_errno));
    }
    if (ch->action == MW_A_CHANGED) {
        mj_arr_open(j, "changed");
        if (ch->changed & MW_C_SIZE)
            mj_str(j, NULL, "size");
        if (ch->changed & MW_C_SHA)
            mj_str(j, NULL, "sha256");
        if (ch->changed & MW_C_MODE)
            mj_str(j, NULL, "mode");
        if (ch->changed & MW_C_OWNER)
            mj_str(j, NULL, "owner");
        if (ch->changed & MW_C_MTIME)
            mj_str(j, NULL, "mtime");
        mj_arr_close(j);
    }
    if (ch->prev && (ch->action == MW_A_CHANGED || ch->action == MW_A_REMOVED)) {
        mj_obj_open(j, "previous");
        meta(j, ch->prev);
        mj_obj_close(j);
    }
    mj_obj_close(j);
}

/* The alert of a file that is executable web content or a WebShell. */
static void alert(watcher *w, const char *root, const mw_change *ch, const char *ts)
{
    const mw_entry *e = ch->cur;
    const mw_sig *s = mw_class_sig(e->kind);
    if (!s)
        return;
    int sev = e->severity >= 1 && e->severity <= 3 ? e->severity : 3;
    begin(w, "alert", ts);
    mm_json *j = &w->j;
    mj_obj_open(j, "alert");
    mj_str(j, "action", "allowed");
    mj_u64(j, "gid", 1);
    mj_u64(j, "signature_id", s->sid);
    mj_u64(j, "rev", 1);
    mj_str(j, "signature", s->msg);
    mj_str(j, "category", s->category);
    mj_u64(j, "severity", (uint64_t)sev);
    mj_obj_open(j, "metadata");
    mj_arr_open(j, "family");
    mj_str(j, NULL, "webshell");
    mj_arr_close(j);
    mj_arr_open(j, "explain");
    mj_str(j, NULL, s->explain);
    mj_arr_close(j);
    mj_obj_close(j);
    mj_obj_close(j);
    fim_object(w, root, ch);
    mj_obj_open(j, "mimamori");
    mj_obj_open(j, "alert");
    mj_str(j, "kind", mw_kind_name(e->kind));
    mj_arr_open(j, "reasons");
    for (int b = 0; b < MW_R__COUNT; b++)
        if (e->reasons & (1u << b))
            mj_str(j, NULL, mw_reason_text(b));
    mj_arr_close(j);
    mj_obj_close(j);
    mj_obj_close(j);
    mj_obj_close(j);
    emit(w);
    w->st->alerts++;
}

static void tell(watcher *w, int root, const mw_change *ch)
{
    const char *rp = w->roots[root].path;
    switch (ch->action) {
    case MW_A_ADDED: w->st->added++; break;
    case MW_A_CHANGED: w->st->changed++; break;
    case MW_A_REMOVED: w->st->removed++; break;
    case MW_A_UNREADABLE: w->st->unreadable++; break;
    default: return;
    }
    w->dirty = true;
    char ts[MM_TS_LEN];
    mm_fmt_ts(mm_wall_ns(), ts);
    begin(w, "fim", ts);
    fim_object(w, rp, ch);
    mj_obj_close(&w->j);
    emit(w);
    /* new content, or new permissions, of something the server may run */
    if (ch->cur && ch->cur->kind != MW_K_NONE &&
        (ch->action == MW_A_ADDED ||
         (ch->action == MW_A_CHANGED && (ch->changed & (MW_C_SHA | MW_C_SIZE | MW_C_MODE)))))
        alert(w, rp, ch, ts);
}

/* ---- walks --------------------------------------------------------------- */

static void on_error(void *u, const char *path, int err)
{
    (void)path;
    watcher *w = u;
    w->last_errno = err;
}

static void on_dir(void *u, const char *path, int fd)
{
    watcher *w = u;
    w->st->dirs++;
    if (!w->in)
        return;
    if (mw_inotify_add(w->in, w->cur_root, path, fd) != 0 && errno == ENOSPC) {
        if (!w->st->watch_limit && !w->c->quiet)
            fprintf(stderr, "mimamori watch: the inotify watch limit is reached "
                            "(fs.inotify.max_user_watches): changes below %s are found "
                            "by the periodic rescans\n", path[0] ? path : "/");
        w->st->watch_limit++;
        if (!w->in_walk)
            w->rescan = true;
    }
}

typedef struct cmp_ctx {
    watcher *w;
    int root;
} cmp_ctx;

static void cmp_cb(void *u, const mw_change *ch)
{
    cmp_ctx *x = u;
    x->w->last_errno = 0;
    tell(x->w, x->root, ch);
}

/* The first baseline of a root: one summary event, and alerts for what
 * already looks hidden or like a WebShell (not for every script). */
static void first_baseline(watcher *w, int r, const mw_walk_stats *ws)
{
    const mw_set *s = &w->roots[r].set;
    begin(w, "fim", NULL);
    mj_obj_open(&w->j, "fim");
    mj_str(&w->j, "action", "baseline");
    mj_str(&w->j, "root", w->roots[r].path);
    mj_u64(&w->j, "files", ws->files);
    mj_u64(&w->j, "directories", ws->dirs);
    mj_u64(&w->j, "bytes", ws->bytes);
    mj_u64(&w->j, "unreadable", ws->unreadable);
    mj_obj_close(&w->j);
    mj_obj_close(&w->j);
    emit(w);
    w->dirty = true;
    for (size_t i = 0; i < s->n; i++) {
        const mw_entry *e = &s->e[i];
        if (e->flags & MW_F_UNREAD) {
            mw_change ch = {.action = MW_A_UNREADABLE, .path = mw_path(s, e), .cur = e};
            w->last_errno = 0;
            tell(w, r, &ch);
        } else if (e->kind > MW_K_SCRIPT) {
            mw_change ch = {.action = MW_A_ADDED, .path = mw_path(s, e), .cur = e};
            alert(w, w->roots[r].path, &ch, NULL);
        }
    }
}

/* A full walk of root r compared with what is recorded; the walk then
 * becomes the record. */
static int full_scan(watcher *w, int r, bool first, char *err, size_t errlen)
{
    mw_set fresh;
    mw_set_init(&fresh);
    mw_walk_stats ws;
    w->cur_root = r;
    w->in_walk = true;
    int rc = mw_walk(w->roots[r].path, &w->opt, &fresh, &ws, err, errlen);
    w->in_walk = false;
    if (rc != 0) {
        mw_set_free(&fresh);
        return -1;
    }
    if (first && !w->roots[r].known) {
        mw_set_free(&w->roots[r].set);
        w->roots[r].set = fresh;
        first_baseline(w, r, &ws);
    } else {
        cmp_ctx x = {w, r};
        mw_compare(&w->roots[r].set, &fresh, cmp_cb, &x);
        /* mtime-only differences are recorded too */
        if (fresh.n != w->roots[r].set.n - w->roots[r].set.dead)
            w->dirty = true;
        else
            for (size_t i = 0; i < fresh.n && !w->dirty; i++) {
                const mw_entry *o = mw_set_find(&w->roots[r].set, mw_path(&fresh, &fresh.e[i]));
                if (!o || o->mtime_ns != fresh.e[i].mtime_ns)
                    w->dirty = true;
            }
        mw_set_free(&w->roots[r].set);
        w->roots[r].set = fresh;
    }
    w->roots[r].known = true;
    return 0;
}

/* ---- live events ------------------------------------------------------- */

static bool under(const char *path, const char *dir, size_t dl)
{
    return strncmp(path, dir, dl) == 0 && path[dl] == '/';
}

/* Everything recorded below dir is gone. */
static void remove_below(watcher *w, int r, const char *dir)
{
    mw_set *s = &w->roots[r].set;
    size_t dl = strlen(dir);
    for (size_t i = 0; i < s->n; i++) {
        mw_entry *e = &s->e[i];
        if ((e->flags & MW_F_DEAD) || !under(mw_path(s, e), dir, dl))
            continue;
        mw_change ch = {.path = mw_path(s, e), .prev = e};
        ch.action = mw_diff(e, NULL, &ch.changed);
        if (ch.action)
            tell(w, r, &ch);
        e->flags |= MW_F_DEAD;
        s->dead++;
        w->dirty = true;
    }
    /* the directory itself, when it was recorded as unreadable */
    mw_entry *d = mw_set_find(s, dir);
    if (d) {
        d->flags |= MW_F_DEAD;
        s->dead++;
    }
}

/* Stores e (a fresh look at path) in the record. */
static void record(mw_set *s, const char *path, const mw_entry *e)
{
    mw_entry *d = mw_set_put(s, path);
    if (!d)
        return;
    uint32_t p = d->path;
    *d = *e;
    d->path = p;
}

static void look_again(watcher *w, int r, const char *path, bool created)
{
    mw_set *s = &w->roots[r].set;
    mw_entry e;
    int err_no = 0;
    int k = mw_stat_one(w->roots[r].path, path, &w->opt, &e, &err_no);
    mw_entry *prev = mw_set_find(s, path);
    if (k == 1 && created && e.size == 0 && !prev)
        return;                 /* being written: its IN_CLOSE_WRITE follows */
    if (k == 0) {
        if (prev) {
            mw_change ch = {.path = path, .prev = prev};
            ch.action = mw_diff(prev, NULL, &ch.changed);
            if (ch.action)
                tell(w, r, &ch);
            mw_set_del(s, path);
            w->dirty = true;
        }
        return;
    }
    mw_change ch = {.path = path, .prev = prev, .cur = &e};
    ch.action = mw_diff(prev, &e, &ch.changed);
    w->last_errno = k < 0 ? err_no : 0;
    if (ch.action)
        tell(w, r, &ch);
    if (ch.action || ch.changed || !prev)
        w->dirty = true;
    record(s, path, &e);
}

/* A directory appeared (created or moved in): walk it, watching its
 * directories, and compare what it holds with the record. Only one moved
 * in can replace what the record holds below it (a created one's
 * predecessor was removed with its IN_DELETE), so only then is the record
 * searched (a pass over it). */
static void dir_appeared(watcher *w, int r, const char *path, bool moved_in)
{
    mw_set sub;
    mw_set_init(&sub);
    mw_walk_stats ws;
    char err[256];
    w->cur_root = r;
    w->in_walk = true;
    int rc = mw_walk_sub(w->roots[r].path, path, &w->opt, &sub, &ws, err, sizeof err);
    w->in_walk = false;
    if (rc != 0) {
        mw_set_free(&sub);
        return;                 /* gone again: its removal is told by the parent */
    }
    mw_set *s = &w->roots[r].set;
    for (size_t i = 0; i < sub.n; i++) {
        const mw_entry *e = &sub.e[i];
        const char *p = mw_path(&sub, e);
        mw_entry *prev = mw_set_find(s, p);
        mw_change ch = {.path = p, .prev = prev, .cur = e};
        ch.action = mw_diff(prev, e, &ch.changed);
        w->last_errno = 0;
        if (ch.action)
            tell(w, r, &ch);
        record(s, p, e);
        w->dirty = true;
    }
    /* what the record had below it that is not there now */
    size_t dl = strlen(path);
    for (size_t i = 0; moved_in && i < s->n; i++) {
        mw_entry *e = &s->e[i];
        const char *p = mw_path(s, e);
        if ((e->flags & MW_F_DEAD) || !under(p, path, dl) || mw_set_find(&sub, p))
            continue;
        mw_change ch = {.path = p, .prev = e};
        ch.action = mw_diff(e, NULL, &ch.changed);
        if (ch.action)
            tell(w, r, &ch);
        e->flags |= MW_F_DEAD;
        s->dead++;
    }
    mw_set_free(&sub);
}

static void on_event(void *u, int r, const char *path, uint32_t mask)
{
    watcher *w = u;
    if (r < 0 || (size_t)r >= w->c->nroots || mw_excluded(&w->opt, path))
        return;
    if (mask & IN_ISDIR) {
        if (mask & (IN_DELETE | IN_MOVED_FROM)) {
            remove_below(w, r, path);
            mw_inotify_drop(w->in, r, path);
        }
        if (mask & (IN_CREATE | IN_MOVED_TO))
            dir_appeared(w, r, path, (mask & IN_MOVED_TO) != 0);
        return;
    }
    look_again(w, r, path, (mask & IN_CREATE) != 0);
}

/* ---- the loop ------------------------------------------------------------ */

static int save(watcher *w, char *err, size_t errlen)
{
    uint64_t now = mm_wall_ns();
    if (w->c->sync && w->c->sync(w->c->sync_ctx, now) != 0)
        w->st->write_errors++;
    for (size_t r = 0; r < w->c->nroots; r++)
        if (w->roots[r].set.dead > 1024 && w->roots[r].set.dead * 2 > w->roots[r].set.n)
            mw_set_compact(&w->roots[r].set);
    if (mw_state_save(w->c->state, w->roots, w->c->nroots, err, errlen) != 0)
        return -1;
    w->st->saves++;
    w->dirty = false;
    return 0;
}

/* The state file, its temporary and the output directory, when they lie
 * in a watched tree, are left out (else each save would be a change). */
static void exclude_own(watcher *w, const char *path)
{
    if (!path)
        return;
    char *rp = realpath(path, NULL);
    if (!rp) {
        /* the state file may not exist yet: its directory does */
        char dir[PATH_MAX];
        if (!mm_strcpy(dir, sizeof dir, path))
            return;
        char *sl = strrchr(dir, '/');
        const char *base = sl ? sl + 1 : dir;
        char name[PATH_MAX];
        mm_strcpy(name, sizeof name, base);
        if (sl)
            *(sl == dir ? sl + 1 : sl) = 0;
        else
            strcpy(dir, ".");
        char *rd = realpath(dir, NULL);
        if (!rd)
            return;
        size_t need = strlen(rd) + strlen(name) + 2;
        rp = malloc(need);
        if (rp)
            snprintf(rp, need, "%s/%s", strcmp(rd, "/") == 0 ? "" : rd, name);
        free(rd);
        if (!rp)
            return;
    }
    for (size_t r = 0; r < w->c->nroots; r++) {
        char *rr = realpath(w->roots[r].path, NULL);
        if (!rr)
            continue;
        size_t rl = strlen(rr);
        if (strncmp(rp, rr, rl) == 0 && rp[rl] == '/') {
            const char *rel = rp + rl + 1;
            for (int k = 0; k < 3; k++) {
                size_t need = strlen(rel) + 8;
                char *pat = malloc(need);
                if (!pat)
                    break;
                snprintf(pat, need, k == 0 ? "%s" : k == 1 ? "%s/*" : "%s.tmp", rel);
                char **no = realloc(w->own, (w->nown + 1) * sizeof *no);
                if (!no) {
                    free(pat);
                    break;
                }
                w->own = no;
                w->own[w->nown++] = pat;
            }
        }
        free(rr);
    }
    free(rp);
}

int mw_run(const mw_config *c, volatile sig_atomic_t *stop, mw_stats *st, char *err,
           size_t errlen)
{
    memset(st, 0, sizeof *st);
    watcher w = {.c = c, .st = st};
    int rc = -1;
    mj_init(&w.j);
    w.roots = calloc(c->nroots ? c->nroots : 1, sizeof *w.roots);
    if (!w.roots) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t r = 0; r < c->nroots; r++) {
        w.roots[r].path = c->roots[r];
        mw_set_init(&w.roots[r].set);
    }
    exclude_own(&w, c->state);
    exclude_own(&w, c->outdir);
    w.excl = calloc(c->nexclude + w.nown + 1, sizeof *w.excl);
    if (!w.excl) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < c->nexclude; i++)
        w.excl[i] = c->exclude[i];
    for (size_t i = 0; i < w.nown; i++)
        w.excl[c->nexclude + i] = w.own[i];
    w.opt = (mw_walk_opt){.max_file = c->max_file ? c->max_file : 256ULL << 20,
                          .exclude = w.excl, .nexclude = c->nexclude + w.nown,
                          .on_error = on_error, .on_dir = on_dir, .user = &w};

    char lerr[512];
    int lr = mw_state_load(c->state, w.roots, c->nroots, lerr, sizeof lerr);
    if (lr < 0 && !c->quiet)
        fprintf(stderr, "mimamori watch: %s: starting a new baseline\n", lerr);
    if (!c->once) {
        w.in = mw_inotify_open(err, errlen);
        if (!w.in)
            goto out;
    }
    /* watches first (during the walk), so nothing between walk and watch
     * is missed */
    for (size_t r = 0; r < c->nroots; r++)
        if (full_scan(&w, (int)r, true, err, errlen) != 0)
            goto out;
    if (save(&w, err, errlen) != 0)
        goto out;
    if (c->once) {
        rc = 0;
        goto out;
    }
    if (!c->quiet)
        fprintf(stderr, "mimamori watch: watching %zu directories\n", mw_inotify_count(w.in));
    uint64_t rescan_ns = (c->rescan_s ? c->rescan_s : 3600) * NS;
    uint64_t save_ns = (c->save_s ? c->save_s : 2) * NS;
    uint64_t next_rescan = mm_mono_ns() + rescan_ns, last_save = mm_mono_ns();
    uint64_t save_gap = save_ns;
    while (!*stop) {
        uint64_t now = mm_mono_ns();
        uint64_t wait = 1000;
        if (next_rescan > now && (next_rescan - now) / 1000000 < wait)
            wait = (next_rescan - now) / 1000000;
        struct pollfd p = {.fd = mw_inotify_fd(w.in), .events = POLLIN};
        int pr = poll(&p, 1, (int)wait);
        if (pr < 0 && errno != EINTR) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            goto out;
        }
        if (pr > 0) {
            bool overflow = false;
            if (mw_inotify_read(w.in, on_event, &w, &overflow) < 0) {
                snprintf(err, errlen, "inotify: %s", strerror(errno));
                goto out;
            }
            if (overflow) {
                st->overflows++;
                w.rescan = true;
            }
        }
        now = mm_mono_ns();
        if (w.rescan || now >= next_rescan) {
            for (size_t r = 0; r < c->nroots; r++)
                if (full_scan(&w, (int)r, false, err, errlen) != 0 && !c->quiet)
                    fprintf(stderr, "mimamori watch: rescan: %s\n", err);
            st->rescans++;
            w.rescan = false;
            /* with watches missing, rescans come more often */
            next_rescan = now + (st->watch_limit && rescan_ns > 60 * NS ? 60 * NS : rescan_ns);
        }
        if (c->sync)
            c->sync(c->sync_ctx, mm_wall_ns());
        if (w.dirty && now - last_save >= save_gap) {
            if (save(&w, err, errlen) != 0 && !c->quiet)
                fprintf(stderr, "mimamori watch: %s\n", err);
            last_save = mm_mono_ns();
            /* a large record under constant change: not more than a tenth
             * of the time spent writing it */
            save_gap = (last_save - now) * 10 > save_ns ? (last_save - now) * 10 : save_ns;
        }
    }
    rc = 0;
    if (w.dirty && save(&w, err, errlen) != 0)
        rc = -1;
out:
    if (w.roots) {
        for (size_t r = 0; r < c->nroots; r++) {
            st->files += w.roots[r].set.n - w.roots[r].set.dead;
            st->set_bytes += mw_set_bytes(&w.roots[r].set);
            mw_set_free(&w.roots[r].set);
        }
    }
    free(w.roots);
    for (size_t i = 0; i < w.nown; i++)
        free(w.own[i]);
    free(w.own);
    free(w.excl);
    mw_inotify_close(w.in);
    mj_free(&w.j);
    return rc;
}
