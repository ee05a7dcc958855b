/*
 * pages_report.c - the pages made from the report's one model (model.h,
 * rendered by html.c and pdf.c as `mimamori report` does): the survey,
 * the companies, a company's report and its downloads.
 */
#include "dash/dash_int.h"
#include "report/i18n.h"
#include "report/render.h"
#include "web/form.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cairo and pango output, one at a time */
static pthread_mutex_t pdf_mu = PTHREAD_MUTEX_INITIALIZER;

/* The report (site index, or -1: the survey) as HTML appended to b:
 * fragment (a page's part) or the whole file. */
static bool render_html(mm_dash *d, const rp_model *m, int site, bool ja, bool fragment,
                        mm_web_buf *b)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return false;
    rp_opts o = {site, ja ? 0 : 1, d->geo, fragment};
    int rc = rp_html(f, m, &o);
    if (fclose(f) != 0)
        rc = -1;
    bool ok = rc == 0 && text && mm_web_buf_add(b, text, len);
    free(text);
    return ok;
}

static int site_index(const rp_model *m, int64_t id)
{
    for (size_t i = 0; i < m->nsite; i++)
        if (m->site[i].id == id)
            return (int)i;
    return -1;
}

static dmodel *model(mm_dash *d)
{
    char err[256];
    dmodel *m = dash_model_get(d, err, sizeof err);
    if (!m)
        fprintf(stderr, "mimamori serve: report model: %s\n", err);
    return m;
}

/* The period a company page or download asks for (?from=, ?to=: dates in
 * the server's zone, the last day included, or ISO 8601 times; both or
 * neither). false on a bad one, one alone or an empty range. */
static bool period(const mm_web_req *req, int64_t *from, int64_t *to)
{
    const char *f = mm_web_req_arg(req, "from"), *t = mm_web_req_arg(req, "to");
    *from = *to = 0;
    if (f && f[0] && !mm_parse_local_when(f, false, from))
        return false;
    if (t && t[0] && !mm_parse_local_when(t, true, to))
        return false;
    return (!*from && !*to) || (*from && *to && *from < *to);
}

/* The model of the period asked; NULL with *status set (400 bad period,
 * -1 store or memory). */
static dmodel *model_asked(mm_dash *d, const mm_web_req *req, int *status)
{
    int64_t from, to;
    if (!period(req, &from, &to)) {
        *status = 400;
        return NULL;
    }
    char err[256];
    dmodel *m = dash_model_period(d, from, to, err, sizeof err);
    if (!m) {
        fprintf(stderr, "mimamori serve: report model: %s\n", err);
        *status = -1;
    }
    return m;
}

/* The period's parameters for a link ("from=..&amp;to=..&amp;" or ""). */
static void period_q(mm_web_buf *b, const mm_web_req *req)
{
    static const char *const k[] = {"from", "to"};
    for (int i = 0; i < 2; i++) {
        const char *v = mm_web_req_arg(req, k[i]);
        if (v && v[0]) {
            mm_web_buf_printf(b, "%s=", k[i]);
            dash_urlenc(b, v);
            mm_web_buf_puts(b, "&amp;");
        }
    }
}

/* The period form of the company page: two dates, the company kept for an
 * analyst. */
static void period_form(mm_web_buf *b, const mm_dash_call *c, const mm_web_req *req)
{
    mm_web_buf_printf(b, "<form class=\"period\" method=\"get\" action=\"/company\">");
    if (c->s && c->s->user.role == MM_ROLE_ANALYST && c->site > 0)
        mm_web_buf_printf(b, "<input type=\"hidden\" name=\"site\" value=\"%lld\">",
                          (long long)c->site);
    static const char *const k[] = {"from", "to"};
    for (int i = 0; i < 2; i++) {
        const char *v = mm_web_req_arg(req, k[i]);
        mm_web_buf_printf(b, "<label>%s <input type=\"date\" name=\"%s\" value=\"",
                          dash_t(c->ja, i ? "to" : "from"), k[i]);
        mm_web_html_puts(b, v ? v : "");
        mm_web_buf_puts(b, "\"></label> ");
    }
    mm_web_buf_printf(b, "<button type=\"submit\">%s</button> <a href=\"/company",
                      dash_t(c->ja, "show"));
    dash_site_q(b, c);
    mm_web_buf_printf(b, "\">%s</a></form>\n", dash_t(c->ja, "all_data"));
}

/* "Your company appears as X" for a company account. */
static void own_letter(const mm_dash_call *c, const rp_model *m, mm_web_buf *b)
{
    if (!c->s || c->s->user.role != MM_ROLE_COMPANY)
        return;
    int i = site_index(m, c->s->user.site_id);
    if (i < 0)
        return;
    char an[32];
    rp_anon(c->ja ? 0 : 1, (size_t)i, an, sizeof an);
    mm_web_buf_printf(b, "<p class=\"meta\">%s: ", dash_t(c->ja, "you_are"));
    mm_web_html_puts(b, an);
    mm_web_buf_puts(b, "</p>\n");
}

int dash_survey(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    dmodel *m = model(d);
    if (!m)
        return -1;
    mm_web_buf *b = &resp->body;
    dash_head(d, c, req, b, dash_t(c->ja, "survey"));
    own_letter(c, &m->m, b);
    bool ok = render_html(d, &m->m, -1, c->ja, true, b);
    dash_model_put(d, m);
    dash_foot(b);
    return ok ? dash_html(resp, 200) : -1;
}

/* The companies with their survey letters and alert counts (analysts). */
static void company_table(const mm_dash_call *c, const rp_model *m, mm_web_buf *b)
{
    bool ja = c->ja;
    mm_web_buf_printf(b, "<h2>%s</h2>\n<div class=\"scroll\"><table><tr><th>%s</th><th>%s</th>"
                         "<th>%s</th></tr>\n",
                      dash_t(ja, "companies"), dash_t(ja, "company"), dash_t(ja, "letter"),
                      dash_t(ja, "alerts"));
    for (size_t i = 0; i < m->nsite; i++) {
        char an[32];
        rp_anon(ja ? 0 : 1, i, an, sizeof an);
        mm_web_buf_printf(b, "<tr><td><a href=\"/company?site=%" PRId64 "\">", m->site[i].id);
        mm_web_html_puts(b, m->site[i].name);
        mm_web_buf_puts(b, "</a></td><td>");
        mm_web_html_puts(b, an);
        mm_web_buf_printf(b, "</td><td><a href=\"/alerts?site=%" PRId64 "\">%" PRId64
                             "</a></td></tr>\n",
                          m->site[i].id, m->site[i].alerts);
    }
    mm_web_buf_puts(b, "</table></div>\n");
}

int dash_companies(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    dmodel *m = model(d);
    if (!m)
        return -1;
    mm_web_buf *b = &resp->body;
    dash_head(d, c, req, b, dash_t(c->ja, "companies"));
    company_table(c, &m->m, b);
    dash_model_put(d, m);
    dash_foot(b);
    return dash_html(resp, 200);
}

int dash_home(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    if (c->s->user.role == MM_ROLE_COMPANY)
        return dash_redirect(resp, "/company");
    dmodel *m = model(d);
    if (!m)
        return -1;
    mm_web_buf *b = &resp->body;
    dash_head(d, c, req, b, dash_t(c->ja, "home"));
    company_table(c, &m->m, b);
    bool ok = render_html(d, &m->m, -1, c->ja, true, b);
    dash_model_put(d, m);
    dash_foot(b);
    return ok ? dash_html(resp, 200) : -1;
}

int dash_company(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    int status = 0;
    dmodel *m = model_asked(d, req, &status);
    if (!m)
        return status == 400 ? dash_message(d, c, req, resp, 400, "bad_period") : -1;
    int i = site_index(&m->m, c->site);
    if (i < 0) {
        dash_model_put(d, m);
        return dash_message(d, c, req, resp, 404, "not_found");
    }
    mm_web_buf *b = &resp->body;
    dash_head(d, c, req, b, m->m.site[i].name);
    period_form(b, c, req);
    mm_web_buf_printf(b, "<p class=\"downloads\">%s: <a href=\"/download/report.html",
                      dash_t(c->ja, "downloads"));
    dash_site_q(b, c);
    period_q(b, req);
    mm_web_buf_printf(b, "lang=%s\">HTML</a><a href=\"/download/report.pdf", c->ja ? "ja" : "en");
    dash_site_q(b, c);
    period_q(b, req);
    mm_web_buf_printf(b, "lang=%s\">PDF</a><a href=\"/alerts", c->ja ? "ja" : "en");
    dash_site_q(b, c);
    mm_web_buf_printf(b, "\">%s</a></p>\n", dash_t(c->ja, "alerts"));
    bool ok = render_html(d, &m->m, i, c->ja, true, b);
    dash_model_put(d, m);
    dash_foot(b);
    return ok ? dash_html(resp, 200) : -1;
}

static void attachment(mm_web_resp *resp, bool ja, const char *ext)
{
    char v[96];
    snprintf(v, sizeof v, "attachment; filename=\"report-%s.%s\"", ja ? "ja" : "en", ext);
    mm_web_resp_header(resp, "Content-Disposition", v);
}

int dash_download_html(mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                       mm_web_resp *resp)
{
    int status = 0;
    dmodel *m = model_asked(d, req, &status);
    if (!m)
        return status == 400 ? dash_message(d, c, req, resp, 400, "bad_period") : -1;
    int i = site_index(&m->m, c->site);
    if (i < 0) {
        dash_model_put(d, m);
        return dash_message(d, c, req, resp, 404, "not_found");
    }
    bool ok = render_html(d, &m->m, i, c->ja, false, &resp->body);
    dash_model_put(d, m);
    if (!ok)
        return -1;
    attachment(resp, c->ja, "html");
    return dash_html(resp, 200);
}

int dash_download_pdf(mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp)
{
    int status = 0;
    dmodel *m = model_asked(d, req, &status);
    if (!m)
        return status == 400 ? dash_message(d, c, req, resp, 400, "bad_period") : -1;
    int i = site_index(&m->m, c->site);
    if (i < 0) {
        dash_model_put(d, m);
        return dash_message(d, c, req, resp, 404, "not_found");
    }
    const char *tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/mimamori-dash-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        dash_model_put(d, m);
        return -1;
    }
    close(fd);
    char err[256];
    rp_opts o = {i, c->ja ? 0 : 1, d->geo, 0};
    pthread_mutex_lock(&pdf_mu);
    int rc = rp_pdf(path, &m->m, &o, err, sizeof err);
    pthread_mutex_unlock(&pdf_mu);
    dash_model_put(d, m);
    bool ok = false;
    if (rc == 0) {
        FILE *f = fopen(path, "rb");
        if (f) {
            char chunk[65536];
            size_t n;
            ok = true;
            while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
                ok = mm_web_buf_add(&resp->body, chunk, n);
            ok = ok && !ferror(f);
            fclose(f);
        }
    } else {
        fprintf(stderr, "mimamori serve: pdf: %s\n", err);
    }
    unlink(path);
    if (!ok)
        return -1;
    attachment(resp, c->ja, "pdf");
    mm_strcpy(resp->ctype, sizeof resp->ctype, "application/pdf");
    return 200;
}
