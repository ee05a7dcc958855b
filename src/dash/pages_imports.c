/*
 * pages_imports.c - the analyst's view of what came in: each company's
 * imports (segments, EVE files, logs, mail) from the store's imports table,
 * each sensor's last alert, a sensor silent for more than two days marked,
 * and each sensor's health from its newest stats event (drops, rules and
 * their age, the output disk).
 */
#include "dash/dash_int.h"
#include "util/util.h"
#include "web/form.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SILENT_US (2LL * 86400 * 1000000)

static void when(mm_web_buf *b, int64_t us)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    char s[32];
    if (us <= 0 || !localtime_r(&t, &tm) || !strftime(s, sizeof s, "%Y-%m-%d %H:%M", &tm))
        snprintf(s, sizeof s, "-");
    mm_web_html_puts(b, s);
}

static void bytes(mm_web_buf *b, int64_t v)
{
    if (v < 0)
        mm_web_buf_puts(b, "-");
    else if (v >= 1000000000)
        mm_web_buf_printf(b, "%.1f GB", (double)v / 1e9);
    else
        mm_web_buf_printf(b, "%.0f MB", (double)v / 1e6);
}

/* Each sensor's newest stats event (sensor_health, filled by ingest): the
 * drops, the rules and their age, the output disk. Under db_mu; 0 or -1. */
static int health(mm_dash *d, const mm_dash_call *c, mm_web_buf *b, int64_t now)
{
    bool ja = c->ja;
    mm_web_buf_printf(b, "</table></div>\n<h2>%s</h2>\n<div class=\"scroll\"><table><tr>"
                         "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                         "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
                      dash_t(ja, "health"), dash_t(ja, "company"), dash_t(ja, "sensor"),
                      dash_t(ja, "last_stats"), dash_t(ja, "packets"), dash_t(ja, "drops"),
                      dash_t(ja, "memcap"), dash_t(ja, "unwritten"), dash_t(ja, "rules_n"),
                      dash_t(ja, "rules_age"), dash_t(ja, "reload_failed"),
                      dash_t(ja, "disk_free"));
    mm_stmt *st = mm_db_prepare(d->db,
        "SELECT s.name, h.sensor, h.ts, h.pkts, h.kernel_pkts, h.kernel_drops + h.if_drops,"
        " h.memcap_drops, h.write_errors, h.rules_loaded, h.rules_failed, h.rules_ts,"
        " h.reload_failures, h.reload_error, h.disk_free, h.disk_total FROM sensor_health h"
        " JOIN sites s ON s.id = h.site_id ORDER BY s.name, h.sensor LIMIT 1000");
    if (!st)
        return -1;
    int rc;
    while ((rc = mm_stmt_step(st)) == 1) {
        int64_t ts = mm_col_i64(st, 2), pk = mm_col_i64(st, 3), kpk = mm_col_i64(st, 4),
                drop = mm_col_i64(st, 5), rts = mm_col_i64(st, 10);
        bool stale = now - ts > SILENT_US;
        mm_web_buf_puts(b, "<tr><td>");
        mm_web_html_puts(b, mm_col_text(st, 0));
        mm_web_buf_puts(b, "</td><td>");
        mm_web_html_puts(b, mm_col_text(st, 1));
        mm_web_buf_printf(b, "</td><td%s>", stale ? " class=\"sev2\"" : "");
        when(b, ts);
        if (stale)
            mm_web_buf_printf(b, " (%s)", dash_t(ja, "stale"));
        /* drops as a share of what the kernel saw (a file read has none) */
        int64_t seen = kpk > 0 ? kpk : pk;
        mm_web_buf_printf(b, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n%s\">%" PRId64,
                          pk, drop > 0 ? " sev2" : "", drop);
        if (drop > 0 && seen > 0)
            mm_web_buf_printf(b, " (%.2f %%)", 100.0 * (double)drop / (double)seen);
        mm_web_buf_printf(b, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n%s\">%" PRId64
                             "</td><td class=\"n\">",
                          mm_col_i64(st, 6), mm_col_i64(st, 7) > 0 ? " sev2" : "",
                          mm_col_i64(st, 7));
        if (mm_col_i64(st, 8) >= 0)
            mm_web_buf_printf(b, "%" PRId64 " (%" PRId64 ")", mm_col_i64(st, 8),
                              mm_col_i64(st, 9) > 0 ? mm_col_i64(st, 9) : 0);
        else
            mm_web_buf_puts(b, "-");
        mm_web_buf_puts(b, "</td><td>");
        if (rts > 0) {
            when(b, rts);
            mm_web_buf_printf(b, " (%" PRId64 " %s)", (int64_t)((now - rts) / 86400000000LL),
                              dash_t(ja, "days_ago"));
        } else
            mm_web_buf_puts(b, "-");
        mm_web_buf_printf(b, "</td><td class=\"n%s\">%" PRId64, mm_col_i64(st, 11) > 0 ? " sev2" : "",
                          mm_col_i64(st, 11));
        if (!mm_col_null(st, 12)) {
            mm_web_buf_puts(b, " (");
            mm_web_html_puts(b, mm_col_text(st, 12));
            mm_web_buf_puts(b, ")");
        }
        mm_web_buf_puts(b, "</td><td class=\"n\">");
        bytes(b, mm_col_i64(st, 13));
        mm_web_buf_puts(b, " / ");
        bytes(b, mm_col_i64(st, 14));
        mm_web_buf_puts(b, "</td></tr>\n");
    }
    mm_stmt_free(st);
    mm_web_buf_puts(b, "</table></div>\n");
    return rc < 0 ? -1 : 0;
}

int dash_imports(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    bool ja = c->ja;
    mm_web_buf *b = &resp->body;
    dash_head(d, c, req, b, dash_t(ja, "imports"));
    mm_web_buf_printf(b, "<h1>%s</h1>\n<div class=\"scroll\"><table><tr><th>%s</th><th>%s</th>"
                         "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
                      dash_t(ja, "imports"), dash_t(ja, "company"), dash_t(ja, "kind"),
                      dash_t(ja, "n_imports"), dash_t(ja, "events"), dash_t(ja, "bytes"),
                      dash_t(ja, "last_import"));
    pthread_mutex_lock(&d->db_mu);
    mm_stmt *st = mm_db_prepare(d->db,
        "SELECT s.id, s.name, i.kind, COUNT(*), COALESCE(SUM(i.events), 0),"
        " COALESCE(SUM(i.bytes), 0), COALESCE(MAX(i.imported), 0) FROM imports i"
        " JOIN sites s ON s.id = i.site_id GROUP BY s.id, s.name, i.kind ORDER BY s.name, i.kind");
    int rc = -1;
    if (st) {
        while ((rc = mm_stmt_step(st)) == 1) {
            mm_web_buf_printf(b, "<tr><td><a href=\"/company?site=%" PRId64 "\">",
                              mm_col_i64(st, 0));
            mm_web_html_puts(b, mm_col_text(st, 1));
            mm_web_buf_puts(b, "</a></td><td>");
            mm_web_html_puts(b, mm_col_text(st, 2));
            mm_web_buf_printf(b, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
                                 "</td><td class=\"n\">%" PRId64 "</td><td>",
                              mm_col_i64(st, 3), mm_col_i64(st, 4), mm_col_i64(st, 5));
            when(b, mm_col_i64(st, 6));
            mm_web_buf_puts(b, "</td></tr>\n");
        }
        mm_stmt_free(st);
    }
    if (rc < 0) {
        pthread_mutex_unlock(&d->db_mu);
        return -1;
    }
    mm_web_buf_printf(b, "</table></div>\n<h2>%s</h2>\n<div class=\"scroll\"><table><tr>"
                         "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
                      dash_t(ja, "sensors"), dash_t(ja, "company"), dash_t(ja, "sensor"),
                      dash_t(ja, "alerts"), dash_t(ja, "last_alert"));
    st = mm_db_prepare(d->db,
        "SELECT s.id, s.name, COALESCE(a.sensor, ''), COUNT(*), MAX(a.ts) FROM alerts a"
        " JOIN sites s ON s.id = a.site_id GROUP BY s.id, s.name, a.sensor"
        " ORDER BY s.name, 3 LIMIT 1000");
    int64_t now = (int64_t)(req->now_ns / 1000);
    rc = -1;
    if (st) {
        while ((rc = mm_stmt_step(st)) == 1) {
            int64_t last = mm_col_i64(st, 4);
            mm_web_buf_printf(b, "<tr><td><a href=\"/alerts?site=%" PRId64 "\">",
                              mm_col_i64(st, 0));
            mm_web_html_puts(b, mm_col_text(st, 1));
            mm_web_buf_puts(b, "</a></td><td>");
            mm_web_html_puts(b, mm_col_text(st, 2));
            mm_web_buf_printf(b, "</td><td class=\"n\">%" PRId64 "</td><td%s>", mm_col_i64(st, 3),
                              now - last > SILENT_US ? " class=\"sev2\"" : "");
            when(b, last);
            if (now - last > SILENT_US)
                mm_web_buf_printf(b, " (%s)", dash_t(ja, "silent"));
            mm_web_buf_puts(b, "</td></tr>\n");
        }
        mm_stmt_free(st);
    }
    if (rc >= 0)
        rc = health(d, c, b, now);
    pthread_mutex_unlock(&d->db_mu);
    if (rc < 0)
        return -1;
    dash_foot(b);
    return dash_html(resp, 200);
}
