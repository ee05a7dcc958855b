/*
 * authz.h - who may do what on the dashboard, decided in one place.
 *
 * Every route of the dashboard is one row of a table (routes.c) naming
 * its method, path, the web layer's flags, its access kind and its
 * handler. Before any handler runs, mm_dash_authorize takes the request's
 * session (or none), the route and the request and answers:
 *
 *   MM_ACC_PUBLIC   anyone (the login page, the style sheets)
 *   MM_ACC_SESSION  anyone logged in; no company's data but what the
 *                   role may see (the survey, anonymised, is the same
 *                   for everyone)
 *   MM_ACC_ANALYST  analysts only: a company account gets 403
 *   MM_ACC_COMPANY  one company's data. A company account's company is
 *                   its own, from the session, always; an analyst names
 *                   one with ?site=ID or ?company=NAME (404 when there is
 *                   none such, or when neither is given)
 *
 * On every route, a company account whose request names a company
 * (site= or company=, in the query or the form) other than its own gets
 * 404, as if there were no such company. Without a session, every route
 * but the public ones answers MM_AUTHZ_LOGIN (the caller sends a GET to
 * /login and refuses anything else with 403).
 */
#ifndef MM_DASH_AUTHZ_H
#define MM_DASH_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

#include "dash/session.h"
#include "web/http.h"

typedef enum {
    MM_ACC_PUBLIC = 1,
    MM_ACC_SESSION,
    MM_ACC_ANALYST,
    MM_ACC_COMPANY,
} mm_access;

const char *mm_access_name(mm_access a);

typedef enum {
    MM_AUTHZ_ALLOW = 0,
    MM_AUTHZ_LOGIN,           /* no session on a route that needs one */
    MM_AUTHZ_FORBIDDEN,       /* 403: the role may not */
    MM_AUTHZ_NOT_FOUND,       /* 404: no such company, or not the user's */
} mm_authz;

struct mm_dash;
struct mm_dash_call;

/* A handler of the dashboard: what the web layer's handler is, with the
 * decision's outcome (call: the session, the effective company). */
typedef int (*mm_dash_handler)(struct mm_dash *d, const struct mm_dash_call *call,
                               const mm_web_req *req, mm_web_resp *resp);

typedef struct mm_dash_route {
    const char *method, *path;
    int flags;                /* MM_WEB_PREFIX, MM_WEB_CSRF */
    mm_access access;
    mm_dash_handler h;
    const char *what;         /* one line for `mimamori serve --routes` */
} mm_dash_route;

/* The company of an id or a name (either may be NULL): its id, or 0 when
 * there is none. */
typedef int64_t (*mm_site_resolve)(void *ctx, const char *id, const char *name);

/* The decision (see above). *site: the company the handler works on (0
 * when the route has none). */
mm_authz mm_dash_authorize(const mm_session *s, const mm_dash_route *r, const mm_web_req *req,
                           mm_site_resolve resolve, void *rctx, int64_t *site);

#endif
