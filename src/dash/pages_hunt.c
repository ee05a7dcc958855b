/*
 * pages_hunt.c - what hunting found (the store's ioc_hits: indicators of
 * watched sets met by a company's machines, `mimamori ioc import
 * --watch`; and sweep_hits: what `mimamori ioc sweep --site` found on a
 * machine's disk): every company's for the analyst, a company's own for it.
 */
#include "dash/dash_int.h"
#include "util/util.h"
#include "web/form.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_ROWS 500

static void when(mm_web_buf *b, int64_t us)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    char s[32];
    if (us <= 0 || !localtime_r(&t, &tm) || !strftime(s, sizeof s, "%Y-%m-%d %H:%M", &tm))
        snprintf(s, sizeof s, "-");
    mm_web_html_puts(b, s);
}

static void cell(mm_web_buf *b, const char *s)
{
    mm_web_buf_puts(b, "<td>");
    mm_web_html_puts(b, s);
    mm_web_buf_puts(b, "</td>");
}

/* site 0: every company (the analyst's view) */
static int hits(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp,
                int64_t site)
{
    bool ja = c->ja;
    const char *set = mm_web_req_arg(req, "set");
    if (mm_web_form_count(&req->args, "set") > 1 || (set && strlen(set) > 200))
        return dash_message(d, c, req, resp, 400, "bad_filter");
    mm_web_buf *b = &resp->body;
    dash_head(d, c, req, b, dash_t(ja, "hunting"));
    mm_web_buf_printf(b, "<h1>%s</h1>\n<div class=\"scroll\"><table><tr>", dash_t(ja, "hunting"));
    if (!site)
        mm_web_buf_printf(b, "<th>%s</th>", dash_t(ja, "company"));
    mm_web_buf_printf(b, "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                         "<th>%s</th></tr>\n",
                      dash_t(ja, "ioc_set"), dash_t(ja, "indicator"), dash_t(ja, "seen"),
                      dash_t(ja, "host"), dash_t(ja, "count"), dash_t(ja, "last_seen"),
                      dash_t(ja, "description"));
    pthread_mutex_lock(&d->db_mu);
    mm_stmt *st = mm_db_prepare(d->db,
        "SELECT s.id, s.name, h.set_name, h.indicator, h.seen, h.host, COALESCE(h.host_name, ''),"
        " h.count, h.last_ts, COALESCE(h.description, '') FROM (SELECT site_id, set_name,"
        " indicator, seen, host, host_name, count, last_ts, description FROM ioc_hits"
        " UNION ALL SELECT site_id, set_name, indicator, seen, host, CAST(NULL AS TEXT), count,"
        " last_ts, description FROM sweep_hits) h"
        " JOIN sites s ON s.id = h.site_id WHERE ($1 = 0 OR h.site_id = $1)"
        " AND ($2 = '' OR h.set_name = $2) ORDER BY h.last_ts DESC LIMIT 501");
    if (!st) {
        pthread_mutex_unlock(&d->db_mu);
        return -1;
    }
    mm_stmt_i64(st, 1, site);
    mm_stmt_text(st, 2, set ? set : "");
    int rc;
    size_t n = 0;
    while ((rc = mm_stmt_step(st)) == 1) {
        if (n++ == MAX_ROWS)
            break;
        mm_web_buf_puts(b, "<tr>");
        if (!site) {
            mm_web_buf_printf(b, "<td><a href=\"/company?site=%" PRId64 "\">", mm_col_i64(st, 0));
            mm_web_html_puts(b, mm_col_text(st, 1));
            mm_web_buf_puts(b, "</a></td>");
        }
        cell(b, mm_col_text(st, 2));
        cell(b, mm_col_text(st, 3));
        cell(b, mm_col_text(st, 4));
        mm_web_buf_puts(b, "<td>");
        mm_web_html_puts(b, mm_col_text(st, 5));
        if (mm_col_text(st, 6)[0]) {
            mm_web_buf_puts(b, " (");
            mm_web_html_puts(b, mm_col_text(st, 6));
            mm_web_buf_puts(b, ")");
        }
        mm_web_buf_printf(b, "</td><td class=\"n\">%" PRId64 "</td><td>", mm_col_i64(st, 7));
        when(b, mm_col_i64(st, 8));
        mm_web_buf_puts(b, "</td>");
        cell(b, mm_col_text(st, 9));
        mm_web_buf_puts(b, "</tr>\n");
    }
    mm_stmt_free(st);
    pthread_mutex_unlock(&d->db_mu);
    if (rc < 0)
        return -1;
    mm_web_buf_puts(b, "</table></div>\n");
    if (n == 0)
        mm_web_buf_printf(b, "<p>%s</p>\n", dash_t(ja, "no_hits"));
    else if (n > MAX_ROWS)
        mm_web_buf_printf(b, "<p class=\"meta\">%d %s</p>\n", MAX_ROWS, dash_t(ja, "more_rows"));
    dash_foot(b);
    return dash_html(resp, 200);
}

int dash_hunting(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    return hits(d, c, req, resp, 0);
}

int dash_indicators(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    if (c->site <= 0)
        return dash_message(d, c, req, resp, 404, "not_found");
    return hits(d, c, req, resp, c->site);
}
