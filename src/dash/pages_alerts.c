/*
 * pages_alerts.c - a company's alerts from the store's alerts table, with
 * filters (time range, family, severity, internal host), one alert with
 * its explanation (detect/explain.c, as `mimamori explain` shows it), and
 * the same list as JSON. Every query is bound to the company the one
 * decision gave (c->site), never to a request parameter.
 */
#include "dash/dash_int.h"
#include "detect/explain.h"
#include "report/i18n.h"
#include "util/util.h"
#include "web/form.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ROWS 500

typedef struct filt {
    int64_t from, to;           /* us, [from, to) */
    const char *family, *host;  /* "" any */
    int64_t sev;                /* 0 any */
    const char *from_s, *to_s;  /* as given ("" none) */
} filt;

static const char *arg(const mm_web_req *req, const char *k)
{
    const char *v = mm_web_req_arg(req, k);
    return v ? v : "";
}

/* false on a malformed filter (the page says 400) */
static bool parse_filter(const mm_web_req *req, filt *f)
{
    memset(f, 0, sizeof *f);
    f->to = INT64_MAX;
    static const char *const keys[] = {"from", "to", "family", "host", "severity"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (mm_web_form_count(&req->args, keys[i]) > 1)
            return false;         /* one value each */
    f->from_s = arg(req, "from");
    f->to_s = arg(req, "to");
    f->family = arg(req, "family");
    f->host = arg(req, "host");
    const char *sv = arg(req, "severity");
    uint64_t v;
    if (f->from_s[0] && !mm_parse_local_when(f->from_s, false, &f->from))
        return false;
    if (f->to_s[0] && !mm_parse_local_when(f->to_s, true, &f->to))
        return false;
    if (sv[0] && (!mm_parse_uint(sv, 3, &v) || v == 0))
        return false;
    f->sev = sv[0] ? (int64_t)v : 0;
    if (strlen(f->family) > 64 || strlen(f->host) > 64)
        return false;
    if (f->host[0]) {
        mm_ip ip;
        if (!mm_ip_parse(f->host, &ip))
            return false;
    }
    return true;
}

static mm_stmt *query(mm_dash *d, int64_t site, const filt *f)
{
    mm_stmt *st = mm_db_prepare(d->db,
        "SELECT id, ts, severity, family, signature, local_ip, remote_ip, remote_cc, explain,"
        " direction FROM alerts WHERE site_id = $1 AND ts >= $2 AND ts < $3"
        " AND ($4 = '' OR family = $4) AND ($5 = 0 OR severity = $5)"
        " AND ($6 = '' OR local_ip = $6) ORDER BY ts DESC, id DESC LIMIT 501");
    if (!st)
        return NULL;
    mm_stmt_i64(st, 1, site);
    mm_stmt_i64(st, 2, f->from);
    mm_stmt_i64(st, 3, f->to);
    mm_stmt_text(st, 4, f->family);
    mm_stmt_i64(st, 5, f->sev);
    mm_stmt_text(st, 6, f->host);
    return st;
}

static void fmt_ts(int64_t us, char *out, size_t n)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(out, n, "?");
}

static void input(mm_web_buf *b, const char *label, const char *name, const char *type,
                  const char *value)
{
    mm_web_buf_printf(b, "<label>%s<input name=\"%s\" type=\"%s\" value=\"", label, name, type);
    mm_web_html_puts(b, value);
    mm_web_buf_puts(b, "\"></label>");
}

static void filter_form(mm_dash *d, const mm_dash_call *c, const filt *f, mm_web_buf *b)
{
    bool ja = c->ja;
    mm_web_buf_puts(b, "<form class=\"filter\" method=\"get\" action=\"/alerts\">");
    if (c->s->user.role == MM_ROLE_ANALYST)
        mm_web_buf_printf(b, "<input type=\"hidden\" name=\"site\" value=\"%" PRId64 "\">",
                          c->site);
    input(b, dash_t(ja, "from"), "from", "date", f->from_s);
    input(b, dash_t(ja, "to"), "to", "date", f->to_s);
    mm_web_buf_printf(b, "<label>%s<select name=\"family\"><option value=\"\">%s</option>",
                      dash_t(ja, "family"), dash_t(ja, "any"));
    pthread_mutex_lock(&d->db_mu);
    mm_stmt *st = mm_db_prepare(d->db, "SELECT DISTINCT family FROM alerts WHERE site_id = $1"
                                       " AND family IS NOT NULL ORDER BY family LIMIT 200");
    if (st) {
        mm_stmt_i64(st, 1, c->site);
        while (mm_stmt_step(st) == 1) {
            const char *fam = mm_col_text(st, 0);
            mm_web_buf_puts(b, "<option value=\"");
            mm_web_html_puts(b, fam);
            mm_web_buf_printf(b, "\"%s>", strcmp(fam, f->family) == 0 ? " selected" : "");
            mm_web_html_puts(b, rp_family_name(ja ? 0 : 1, fam));
            mm_web_buf_puts(b, "</option>");
        }
        mm_stmt_free(st);
    }
    pthread_mutex_unlock(&d->db_mu);
    mm_web_buf_printf(b, "</select></label><label>%s<select name=\"severity\">"
                         "<option value=\"\">%s</option>",
                      dash_t(ja, "severity"), dash_t(ja, "any"));
    for (int s = 1; s <= 3; s++)
        mm_web_buf_printf(b, "<option value=\"%d\"%s>%d</option>", s,
                          f->sev == s ? " selected" : "", s);
    mm_web_buf_puts(b, "</select></label>");
    input(b, dash_t(ja, "host"), "host", "text", f->host);
    mm_web_buf_printf(b, "<button>%s</button></form>\n", dash_t(ja, "filter"));
}

int dash_alerts(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    filt f;
    if (!parse_filter(req, &f))
        return dash_message(d, c, req, resp, 400, "bad_filter");
    bool ja = c->ja;
    mm_web_buf *b = &resp->body;
    dash_head(d, c, req, b, dash_t(ja, "alerts"));
    mm_web_buf_printf(b, "<h1>%s</h1>\n", dash_t(ja, "alerts"));
    filter_form(d, c, &f, b);
    pthread_mutex_lock(&d->db_mu);
    mm_stmt *st = query(d, c->site, &f);
    if (!st) {
        pthread_mutex_unlock(&d->db_mu);
        return -1;
    }
    size_t n = 0;
    int rc;
    while ((rc = mm_stmt_step(st)) == 1) {
        if (n == MAX_ROWS) {
            mm_web_buf_printf(b, "<p class=\"meta\">%d %s</p>\n", MAX_ROWS,
                              dash_t(ja, "more_rows"));
            break;
        }
        if (n++ == 0)
            mm_web_buf_printf(b, "<div class=\"scroll\"><table><tr><th>%s</th><th>%s</th>"
                                 "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
                              dash_t(ja, "time"), dash_t(ja, "severity"), dash_t(ja, "family"),
                              dash_t(ja, "host"), dash_t(ja, "remote"), dash_t(ja, "signature"));
        char t[32];
        fmt_ts(mm_col_i64(st, 1), t, sizeof t);
        mm_web_buf_printf(b, "<tr><td><a href=\"/alert");
        dash_site_q(b, c);
        mm_web_buf_printf(b, "id=%" PRId64 "\">%s</a></td><td class=\"sev%" PRId64 "\">%" PRId64
                             "</td><td>",
                          mm_col_i64(st, 0), t, mm_col_i64(st, 2), mm_col_i64(st, 2));
        mm_web_html_puts(b, rp_family_name(ja ? 0 : 1, mm_col_text(st, 3)));
        mm_web_buf_puts(b, "</td><td>");
        mm_web_html_puts(b, mm_col_text(st, 5));
        mm_web_buf_puts(b, "</td><td>");
        mm_web_html_puts(b, mm_col_text(st, 6));
        if (mm_col_text(st, 7)[0]) {
            mm_web_buf_puts(b, " (");
            mm_web_html_puts(b, mm_col_text(st, 7));
            mm_web_buf_puts(b, ")");
        }
        mm_web_buf_puts(b, "</td><td>");
        mm_web_html_puts(b, mm_col_text(st, 4));
        mm_web_buf_puts(b, "</td></tr>\n");
    }
    mm_stmt_free(st);
    pthread_mutex_unlock(&d->db_mu);
    if (rc < 0)
        return -1;
    if (n)
        mm_web_buf_puts(b, "</table></div>\n");
    else
        mm_web_buf_printf(b, "<p>%s</p>\n", dash_t(ja, "no_alerts"));
    dash_foot(b);
    return dash_html(resp, 200);
}

static void steps(mm_web_buf *b, const char *list)
{
    mm_web_buf_puts(b, "<ol>");
    for (const char *p = list; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l) {
            mm_web_buf_puts(b, "<li>");
            mm_web_html_escape(b, p, l);
            mm_web_buf_puts(b, "</li>");
        }
        p += l + (e ? 1 : 0);
    }
    mm_web_buf_puts(b, "</ol>\n");
}

int dash_alert(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    uint64_t id;
    const char *ids = mm_web_req_arg(req, "id");
    if (!ids || !mm_parse_uint(ids, INT64_MAX, &id))
        return dash_message(d, c, req, resp, 404, "not_found");
    bool ja = c->ja;
    static const char *const cols[] = {"ts", "severity", "family", "signature", "category",
                                       "proto", "app_proto", "src_ip", "src_port", "dest_ip",
                                       "dest_port", "direction", "local_ip", "remote_ip",
                                       "remote_cc", "sensor", "sid"};
    pthread_mutex_lock(&d->db_mu);
    mm_stmt *st = mm_db_prepare(d->db, "SELECT ts, severity, COALESCE(family, ''), signature,"
                                       " category, proto, app_proto, src_ip, src_port, dest_ip,"
                                       " dest_port, direction, local_ip, remote_ip, remote_cc,"
                                       " sensor, sid, COALESCE(explain, '') FROM alerts"
                                       " WHERE id = $1 AND site_id = $2");
    if (!st) {
        pthread_mutex_unlock(&d->db_mu);
        return -1;
    }
    mm_stmt_i64(st, 1, (int64_t)id);
    mm_stmt_i64(st, 2, c->site);
    int rc = mm_stmt_step(st);
    if (rc != 1) {
        mm_stmt_free(st);
        pthread_mutex_unlock(&d->db_mu);
        return rc < 0 ? -1 : dash_message(d, c, req, resp, 404, "not_found");
    }
    mm_web_buf *b = &resp->body;
    dash_head(d, c, req, b, dash_t(ja, "alert"));
    mm_web_buf_printf(b, "<h1>%s %" PRIu64 "</h1>\n<div class=\"scroll\"><table>\n",
                      dash_t(ja, "alert"), id);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        mm_web_buf_printf(b, "<tr><th>%s</th><td>", cols[i]);
        if (i == 0) {
            char t[32];
            fmt_ts(mm_col_i64(st, 0), t, sizeof t);
            mm_web_html_puts(b, t);
        } else if (i == 2) {
            mm_web_html_puts(b, rp_family_name(ja ? 0 : 1, mm_col_text(st, 2)));
        } else {
            mm_web_html_puts(b, mm_col_text(st, (int)i));
        }
        mm_web_buf_puts(b, "</td></tr>\n");
    }
    mm_web_buf_puts(b, "</table></div>\n");
    char key[64];
    mm_strcpy(key, sizeof key, mm_col_text(st, 17));
    mm_stmt_free(st);
    pthread_mutex_unlock(&d->db_mu);
    const mm_explain *e = key[0] ? mm_explain_find(key) : NULL;
    int L = ja ? 0 : 1;
    mm_web_buf_printf(b, "<h2>%s</h2>\n", dash_t(ja, "explain"));
    if (!e) {
        mm_web_buf_printf(b, "<p>%s</p>\n", dash_t(ja, "no_explain"));
    } else {
        mm_web_buf_puts(b, "<h3>");
        mm_web_html_puts(b, e->title[L]);
        mm_web_buf_printf(b, "</h3>\n<h3>%s</h3><p>", dash_t(ja, "what"));
        mm_web_html_puts(b, e->what[L]);
        mm_web_buf_printf(b, "</p>\n<h3>%s</h3><p>", dash_t(ja, "why"));
        mm_web_html_puts(b, e->why[L]);
        mm_web_buf_printf(b, "</p>\n<h3>%s</h3>\n", dash_t(ja, "steps"));
        steps(b, e->steps[L]);
    }
    dash_foot(b);
    return dash_html(resp, 200);
}

int dash_api_alerts(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    (void)c;
    filt f;
    mm_json j;
    mj_init(&j);
    mj_reset(&j);
    mj_obj_open(&j, NULL);
    if (!parse_filter(req, &f)) {
        mj_str(&j, "error", "a filter is malformed");
        mj_obj_close(&j);
        int r = mm_web_resp_json(resp, 400, &j);
        mj_free(&j);
        return r;
    }
    mj_arr_open(&j, "alerts");
    pthread_mutex_lock(&d->db_mu);
    mm_stmt *st = query(d, c->site, &f);
    int rc = -1;
    size_t n = 0;
    if (st) {
        while ((rc = mm_stmt_step(st)) == 1 && n++ < MAX_ROWS) {
            mj_obj_open(&j, NULL);
            mj_i64(&j, "id", mm_col_i64(st, 0));
            mj_i64(&j, "ts", mm_col_i64(st, 1));
            mj_i64(&j, "severity", mm_col_i64(st, 2));
            mj_str(&j, "family", mm_col_text(st, 3));
            mj_str(&j, "signature", mm_col_text(st, 4));
            mj_str(&j, "local_ip", mm_col_text(st, 5));
            mj_str(&j, "remote_ip", mm_col_text(st, 6));
            mj_str(&j, "remote_cc", mm_col_text(st, 7));
            mj_str(&j, "explain", mm_col_text(st, 8));
            mj_obj_close(&j);
        }
        mm_stmt_free(st);
    }
    pthread_mutex_unlock(&d->db_mu);
    mj_arr_close(&j);
    mj_bool(&j, "truncated", n > MAX_ROWS);
    mj_obj_close(&j);
    int r = rc < 0 ? -1 : mm_web_resp_json(resp, 200, &j);
    mj_free(&j);
    return r;
}
