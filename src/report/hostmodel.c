/*
 * hostmodel.c - what the watchers of a company's web servers saw, for the
 * reports (table host_files, store/schema.c, filled by ingest from the
 * fim events and host alerts of mimamori watch), in the report's period:
 *
 *   counts   file events per action (added, changed, removed, unreadable)
 *            and how many of them had an alert
 *   files    the files that appeared or changed: those with an alert
 *            first (most severe first, then the newest), then the newest
 *            of the others; at most RP_FILES per company (the counts stay
 *            exact)
 *
 *   web      what the web servers' access logs show beside them (tables
 *            web_paths and web_admin, analysis/logfacts.c): a file the
 *            watch saw appear (or alerted on) whose path below the root is
 *            a URL path the log shows answered after it appeared; a script
 *            whose first answered request in the store was a POST (nobody
 *            had asked for it before: what a dropped WebShell looks like);
 *            administration pages requested from outside the company's
 *            country (the inventory's, default JP, as for logins)
 *
 * What a file looks like is the classifier's reasons, stored as the
 * watcher's English phrases; rp_reason_text gives them in the report's
 * language (the Japanese ones are here, keyed by watch/webshell.c's own
 * phrases, so a phrase added there shows in English until it is added).
 */
#include "detect/explain.h"
#include "report/model.h"
#include "watch/webshell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const reasons_ja[MW_R__COUNT] = {
    [MW_R_EXT_SCRIPT] = "サーバーが実行するプログラムの拡張子",
    [MW_R_DOUBLE_EXT] = "拡張子が二重（画像などに見せかけたプログラム）",
    [MW_R_IMAGE_CODE] = "画像の名前なのにプログラムが入っている",
    [MW_R_EXEC_REQUEST] = "外から送られた内容をそのまま実行する",
    [MW_R_EXEC_CALL] = "サーバーの OS コマンドを実行する",
    [MW_R_PREG_E] = "preg_replace の /e（文字列をプログラムとして実行）",
    [MW_R_CREATE_FUNCTION] = "実行時にプログラムを組み立てる（create_function）",
    [MW_R_B64_DECODE_LONG] = "長い文字列を base64 で復号している",
    [MW_R_DECODE_CHAIN] = "復号の重ね掛け（gzinflate、str_rot13、base64）で中身を隠している",
    [MW_R_LONG_B64] = "非常に長い base64 らしい文字列",
    [MW_R_KNOWN_SHELL] = "公開されている WebShell の目印",
    [MW_R_UPLOAD_DIR] = "アップロードや画像のフォルダにある",
    [MW_R_NOT_EXECUTABLE] = "WebShell の中身（今はサーバーが実行しない名前）",
    [MW_R_HANDLER_CONFIG] = "ファイルを実行可能にするサーバー設定",
};

const char *rp_reason_text(int lang, const char *phrase)
{
    if (lang == 0)
        for (int b = 0; b < MW_R__COUNT; b++)
            if (reasons_ja[b] && strcmp(mw_reason_text(b), phrase) == 0)
                return reasons_ja[b];
    return phrase;
}



static int counts(rp_model *m, mm_db *db, char *err, size_t errlen)
{
    mm_stmt *st = rp_period_stmt(db, m,
        "SELECT site_id, action, COUNT(*), SUM(CASE WHEN sid IS NULL THEN 0 ELSE 1 END)"
        " FROM host_files WHERE ts >= $1 AND ts < $2 GROUP BY site_id, action", err, errlen);
    if (!st)
        return -1;
    int rc;
    while ((rc = mm_stmt_step(st)) == 1) {
        rp_site *s = rp_site_by_id(m, mm_col_i64(st, 0));
        if (!s)
            continue;
        const char *a = mm_col_text(st, 1);
        int64_t n = mm_col_i64(st, 2);
        rp_hostfiles *f = &s->files;
        if (!strcmp(a, "added"))
            f->added += n;
        else if (!strcmp(a, "changed"))
            f->changed += n;
        else if (!strcmp(a, "removed"))
            f->removed += n;
        else if (!strcmp(a, "unreadable"))
            f->unreadable += n;
        f->alerts += mm_col_i64(st, 3);
    }
    mm_stmt_free(st);
    if (rc < 0) {
        snprintf(err, errlen, "store: %s", mm_db_error(db));
        return -1;
    }
    return 0;
}

static int files(rp_model *m, mm_db *db, char *err, size_t errlen)
{
    mm_stmt *st = rp_period_stmt(db, m,
        "SELECT site_id, host, root, path, ts, action, size, sha256, kind, severity, sid,"
        " reasons, explain FROM host_files WHERE ts >= $1 AND ts < $2"
        " AND action IN ('added', 'changed')"
        " ORDER BY site_id, CASE WHEN sid IS NULL THEN 1 ELSE 0 END, COALESCE(severity, 4),"
        " ts DESC, path", err, errlen);
    if (!st)
        return -1;
    int rc;
    while ((rc = mm_stmt_step(st)) == 1) {
        rp_site *s = rp_site_by_id(m, mm_col_i64(st, 0));
        if (!s)
            continue;
        rp_hostfiles *h = &s->files;
        if (h->n >= RP_FILES)
            continue;
        if (!h->v) {
            h->v = calloc(RP_FILES, sizeof *h->v);
            if (!h->v) {
                rc = -2;
                break;
            }
        }
        rp_file *f = &h->v[h->n++];
        memset(f, 0, sizeof *f);
        rp_copy(f->host, sizeof f->host, mm_col_text(st, 1));
        rp_copy(f->root, sizeof f->root, mm_col_text(st, 2));
        rp_copy(f->path, sizeof f->path, mm_col_text(st, 3));
        f->ts = mm_col_i64(st, 4);
        rp_copy(f->action, sizeof f->action, mm_col_text(st, 5));
        f->size = mm_col_null(st, 6) ? -1 : mm_col_i64(st, 6);
        rp_copy(f->sha256, sizeof f->sha256, mm_col_text(st, 7));
        rp_copy(f->kind, sizeof f->kind, mm_col_text(st, 8));
        int64_t sev = mm_col_i64(st, 9);
        f->sev = sev >= 1 && sev <= 3 ? (int)sev : 0;
        f->sid = mm_col_null(st, 10) ? 0 : mm_col_i64(st, 10);
        if (!f->sid)
            f->sev = 0;
        rp_copy(f->reasons, sizeof f->reasons, mm_col_text(st, 11));
        rp_copy(f->explain, sizeof f->explain, mm_col_text(st, 12));
    }
    mm_stmt_free(st);
    if (rc < 0) {
        snprintf(err, errlen, rc == -2 ? "out of memory" : "store: %s", mm_db_error(db));
        return -1;
    }
    return 0;
}

static const char *const web_sql[3] = {
    "SELECT f.site_id, f.path, MIN(f.ts), w.requests, w.posts, w.first_ts, w.last_ts, '', ''"
    " FROM host_files f JOIN web_paths w ON w.site_id = f.site_id AND w.path = f.path"
    " WHERE (f.action = 'added' OR f.sid IS NOT NULL) AND f.ts >= $1 AND f.ts < $2"
    " AND w.last_ts >= f.ts GROUP BY f.site_id, f.path, w.requests, w.posts, w.first_ts,"
    " w.last_ts ORDER BY f.site_id, MIN(f.ts) DESC, f.path",
    "SELECT site_id, path, 0, requests, posts, first_post_ts, last_ts, '', '' FROM web_paths"
    " WHERE script = 1 AND posts > 0 AND first_post_ts <= first_ts AND last_ts >= $1"
    " AND first_ts < $2 ORDER BY site_id, first_post_ts DESC, path",
    "SELECT a.site_id, a.page, 0, a.count, 0, a.first_ts, a.last_ts, a.src_ip, a.cc"
    " FROM web_admin a WHERE a.cc IS NOT NULL AND a.cc <> COALESCE((SELECT i.value FROM"
    " inventory i WHERE i.site_id = a.site_id AND i.kind = 'country'), 'JP')"
    " AND a.last_ts >= $1 AND a.first_ts < $2 ORDER BY a.site_id, a.count DESC, a.src_ip"};
static const char *const web_kind[3] = {"requested", "first_post", "admin_abroad"};

static int web(rp_model *m, mm_db *db, int k, char *err, size_t errlen)
{
    mm_stmt *st = rp_period_stmt(db, m, web_sql[k], err, errlen);
    if (!st)
        return -1;
    int rc;
    rp_site *last = NULL;
    size_t of_kind = 0;
    while ((rc = mm_stmt_step(st)) == 1) {
        rp_site *s = rp_site_by_id(m, mm_col_i64(st, 0));
        if (!s)
            continue;
        if (s != last) {
            last = s;
            of_kind = 0;
        }
        rp_hostfiles *h = &s->files;
        if (of_kind >= RP_WEBFIND)
            continue;
        if (!h->web) {
            h->web = calloc(3 * RP_WEBFIND, sizeof *h->web);
            if (!h->web) {
                rc = -2;
                break;
            }
        }
        rp_webfind *w = &h->web[h->nweb++];
        of_kind++;
        memset(w, 0, sizeof *w);
        rp_copy(w->kind, sizeof w->kind, web_kind[k]);
        rp_copy(w->path, sizeof w->path, mm_col_text(st, 1));
        w->appeared = mm_col_i64(st, 2);
        w->count = mm_col_i64(st, 3);
        w->posts = mm_col_i64(st, 4);
        w->first = mm_col_i64(st, 5);
        w->last = mm_col_i64(st, 6);
        rp_copy(w->src, sizeof w->src, mm_col_text(st, 7));
        rp_copy(w->cc, sizeof w->cc, mm_col_text(st, 8));
    }
    mm_stmt_free(st);
    if (rc < 0) {
        snprintf(err, errlen, rc == -2 ? "out of memory" : "store: %s", mm_db_error(db));
        return -1;
    }
    return 0;
}

int rp_files_build(rp_model *m, mm_db *db, char *err, size_t errlen)
{
    if (counts(m, db, err, errlen) != 0 || files(m, db, err, errlen) != 0)
        return -1;
    for (int k = 0; k < 3; k++)
        if (web(m, db, k, err, errlen) != 0)
            return -1;
    return 0;
}

void rp_files_free(rp_hostfiles *f)
{
    free(f->v);
    free(f->web);
    memset(f, 0, sizeof *f);
}

const mm_explain *rp_files_explain_next(const rp_hostfiles *F, size_t shown, size_t *it)
{
    for (size_t i; (i = *it) < F->n && i < shown;) {
        ++*it;
        const rp_file *f = &F->v[i];
        if (!f->explain[0])
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(F->v[j].explain, f->explain) == 0;
        const mm_explain *e = seen ? NULL : mm_explain_find(f->explain);
        if (e)
            return e;
    }
    return NULL;
}
