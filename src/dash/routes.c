/*
 * routes.c - every route of the dashboard, in one table, and the gate
 * that runs the one authorisation decision (authz.h) before any handler.
 *
 * The web layer's routes are registered from this table only, each with
 * the gate as its handler and its row as the gate's context: a route
 * cannot be served without a row, and a row cannot be served without its
 * decision. `mimamori serve --routes` prints what was registered, each
 * with its row, so a test enumerates the routes from the code.
 */
#include "dash/dash_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mm_dash_route table[] = {
    {"GET", "/login", 0, MM_ACC_PUBLIC, dash_login_form, "the login form"},
    {"POST", "/login", MM_WEB_CSRF, MM_ACC_PUBLIC, dash_login, "log in (user, password, csrf)"},
    {"GET", "/static/", MM_WEB_PREFIX, MM_ACC_PUBLIC, dash_static, "style sheets"},
    {"POST", "/logout", MM_WEB_CSRF, MM_ACC_SESSION, dash_logout, "log out"},
    {"GET", "/password", 0, MM_ACC_SESSION, dash_password_form, "the password change form"},
    {"POST", "/password", MM_WEB_CSRF, MM_ACC_SESSION, dash_password,
     "change the password (old, new, again, csrf); other sessions end"},
    {"GET", "/", 0, MM_ACC_SESSION, dash_home, "home: the analyst's overview, a company's own"},
    {"GET", "/survey", 0, MM_ACC_SESSION, dash_survey, "the survey, companies anonymised"},
    {"GET", "/companies", 0, MM_ACC_ANALYST, dash_companies, "every company, with its letter"},
    {"GET", "/imports", 0, MM_ACC_ANALYST, dash_imports,
     "imports per company, each sensor's last alert and health"},
    {"GET", "/hunting", 0, MM_ACC_ANALYST, dash_hunting,
     "indicator hits of every company (set)"},
    {"GET", "/company", 0, MM_ACC_COMPANY, dash_company, "a company's report"},
    {"GET", "/indicators", 0, MM_ACC_COMPANY, dash_indicators,
     "a company's indicator hits (set)"},
    {"GET", "/alerts", 0, MM_ACC_COMPANY, dash_alerts,
     "a company's alerts (from, to, family, severity, host)"},
    {"GET", "/alert", 0, MM_ACC_COMPANY, dash_alert, "one alert and its explanation (id)"},
    {"GET", "/api/alerts", 0, MM_ACC_COMPANY, dash_api_alerts, "a company's alerts as JSON"},
    {"GET", "/download/report.html", 0, MM_ACC_COMPANY, dash_download_html,
     "a company's report, one HTML file"},
    {"GET", "/download/report.pdf", 0, MM_ACC_COMPANY, dash_download_pdf,
     "a company's report as PDF"},
};

const mm_dash_route *mm_dash_routes(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

static void lang_cookie(const mm_web_req *req, mm_web_resp *resp, bool secure)
{
    const char *l = mm_web_req_arg(req, "lang");
    if (l && (strcmp(l, "ja") == 0 || strcmp(l, "en") == 0))
        mm_web_resp_cookie(resp, "lang", l, 365u * 86400, secure);
}

/* The gate: the session from the cookie, the decision, then the row's
 * handler with what the decision gave. */
static int gate_h(void *ctx, const mm_web_req *req, mm_web_resp *resp)
{
    gate *g = ctx;
    mm_dash *d = g->d;
    const mm_dash_route *r = g->r;
    char tok[MM_SESS_TOKEN_LEN + 2];
    mm_session sess;
    bool have = false;
    if (mm_web_cookie_get(mm_web_req_header(req, "Cookie"), MM_SESS_COOKIE, tok, sizeof tok)) {
        pthread_mutex_lock(&d->db_mu);
        have = mm_sess_lookup(d->db, tok, (int64_t)(req->now_ns / 1000), &sess);
        pthread_mutex_unlock(&d->db_mu);
    }
    mm_dash_call call = {r, have ? &sess : NULL, 0, strcmp(req->lang, "ja") == 0};
    mm_authz a = mm_dash_authorize(call.s, r, req, dash_site_resolve, d, &call.site);
    lang_cookie(req, resp, d->c.secure);
    switch (a) {
    case MM_AUTHZ_ALLOW:
        if (call.s && r->access != MM_ACC_PUBLIC && (r->flags & MM_WEB_CSRF)) {
            /* a logged-in form: the session's value too */
            char want[33];
            dash_session_csrf(d, call.s, want);
            const char *sc = mm_web_req_field(req, "sc");
            if (!sc || mm_web_form_count(&req->form, "sc") != 1 || strlen(sc) != 32 ||
                sodium_memcmp(sc, want, 32) != 0) {
                atomic_fetch_add(&d->denied, 1);
                return dash_message(d, &call, req, resp, 403, "forbidden");
            }
        }
        return r->h(d, &call, req, resp);
    case MM_AUTHZ_LOGIN:
        atomic_fetch_add(&d->no_session, 1);
        if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
            return dash_redirect(resp, "/login");
        return dash_message(d, &call, req, resp, 403, "login_needed");
    case MM_AUTHZ_FORBIDDEN:
        atomic_fetch_add(&d->denied, 1);
        return dash_message(d, &call, req, resp, 403, "forbidden");
    case MM_AUTHZ_NOT_FOUND:
        break;
    }
    atomic_fetch_add(&d->not_found, 1);
    return dash_message(d, &call, req, resp, 404, "not_found");
}

bool dash_register(mm_dash *d, mm_web_server *web)
{
    size_t n = sizeof table / sizeof table[0];
    _Static_assert(sizeof table / sizeof table[0] <= MM_DASH_MAX_ROUTES, "gates");
    for (size_t i = 0; i < n; i++) {
        d->gates[i].d = d;
        d->gates[i].r = &table[i];
        if (!mm_web_route(web, table[i].method, table[i].path, table[i].flags, gate_h,
                          &d->gates[i]))
            return false;
    }
    return true;
}

int mm_dash_print_routes(FILE *f)
{
    mm_web_config wc;
    mm_web_config_defaults(&wc);
    char err[256];
    mm_web_server *web = mm_web_new(&wc, err, sizeof err);
    mm_dash *d = calloc(1, sizeof *d);
    if (!web || !d || !dash_register(d, web)) {
        mm_web_free(web);
        free(d);
        return -1;
    }
    int missing = 0;
    for (size_t i = 0; i < mm_web_route_count(web); i++) {
        const char *m, *p;
        int fl;
        void *ctx;
        mm_web_route_at(web, i, &m, &p, &fl, &ctx);
        const mm_dash_route *r = NULL;
        for (size_t k = 0; k < MM_DASH_MAX_ROUTES; k++)
            if (ctx == &d->gates[k] && d->gates[k].r)
                r = d->gates[k].r;
        missing += !r;
        fprintf(f, "%s %s %s %s%s%s %s\n", m, p, r ? mm_access_name(r->access) : "NONE",
                (fl & MM_WEB_PREFIX) ? "prefix" : "exact", (fl & MM_WEB_CSRF) ? ",csrf" : "",
                "", r ? r->what : "");
    }
    mm_web_free(web);
    free(d);
    return missing;
}
