/*
 * dash_int.h - the dashboard's state, shared by its files only.
 */
#ifndef MM_DASH_INT_H
#define MM_DASH_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "analysis/geo.h"
#include "dash/dash.h"
#include "report/model.h"

#define MM_DASH_MAX_ROUTES 32

/* A report model shared by the requests that render from it. */
typedef struct dmodel {
    rp_model m;
    int refs;
    uint64_t built_ns;
    int64_t from, to;           /* its period (0, 0: all data) */
} dmodel;

#define MM_DASH_PERIODS 4       /* models of chosen periods kept */

/* What the one decision gave a handler. */
typedef struct mm_dash_call {
    const mm_dash_route *route;
    const mm_session *s;        /* NULL on a public route without a login */
    int64_t site;               /* the company the route works on (0: none) */
    bool ja;                    /* the page's language */
} mm_dash_call;

typedef struct gate {
    struct mm_dash *d;
    const mm_dash_route *r;
} gate;

struct mm_dash {
    mm_dash_config c;
    char tz[64];
    mm_web_server *web;
    mm_db *db;
    pthread_mutex_t db_mu;      /* the store's connection is one */
    mm_db *mdb;                 /* a second one, for building the model
                                   (under build_mu) while requests go on */
    mm_web_rl *login_rl;        /* login attempts per client and block */
    mm_geo *geo;
    pthread_mutex_t model_mu, build_mu;
    dmodel *cur;
    dmodel *per[MM_DASH_PERIODS];   /* chosen periods, the oldest replaced */
    /* the refresher (mm_dash_start): builds the model every model_ttl_s,
     * so no request waits for a build but the first */
    pthread_t refresher;
    bool refreshing, stopping;
    pthread_cond_t stop_cv;     /* with model_mu */
    gate gates[MM_DASH_MAX_ROUTES];
    uint8_t sc_key[32];         /* session CSRF values: BLAKE2b keyed with it */
    _Atomic uint64_t login_ok, login_failed, login_locked, login_rate, denied, not_found,
        no_session;
};

/* routes.c: registers every row of the table on web behind the gate. */
bool dash_register(struct mm_dash *d, mm_web_server *web);

/* server.c: the model of the store (built at most every model_ttl_s),
 * held until dash_model_put. NULL with a reason in err. */
dmodel *dash_model_get(struct mm_dash *d, char *err, size_t errlen);
/* The model of [from, to) (both 0: dash_model_get), built on demand, one
 * build at a time, the last MM_DASH_PERIODS kept for model_ttl_s. */
dmodel *dash_model_period(struct mm_dash *d, int64_t from, int64_t to, char *err,
                          size_t errlen);
void dash_model_put(struct mm_dash *d, dmodel *m);
/* The company of an id or a name (authz.h's mm_site_resolve; takes the
 * store's lock). */
int64_t dash_site_resolve(void *ctx, const char *id, const char *name);

/* The session's CSRF value (32 hex digits) for the field "sc" of every
 * form a logged-in user posts (the web layer's token binds the client's
 * address, this one the session). */
void dash_session_csrf(const struct mm_dash *d, const mm_session *s, char out[33]);

/* pages.c: the frame of every page, words, the login and password pages */
extern const char dash_css[];
const char *dash_t(bool ja, const char *key);
void dash_head(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_buf *b,
               const char *title);
void dash_foot(mm_web_buf *b);
int dash_html(mm_web_resp *resp, int status);
int dash_message(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                 mm_web_resp *resp, int status, const char *key);
int dash_redirect(mm_web_resp *resp, const char *to);
/* A URL query value, percent-encoded. */
void dash_urlenc(mm_web_buf *b, const char *s);
/* "?site=N&" for an analyst's links to a company, "?" otherwise. */
void dash_site_q(mm_web_buf *b, const mm_dash_call *c);

int dash_login_form(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                    mm_web_resp *resp);
int dash_login(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp);
int dash_logout(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                mm_web_resp *resp);
int dash_password_form(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                       mm_web_resp *resp);
int dash_password(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                  mm_web_resp *resp);
int dash_static(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                mm_web_resp *resp);

/* pages_report.c */
int dash_home(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp);
int dash_survey(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                mm_web_resp *resp);
int dash_companies(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                   mm_web_resp *resp);
int dash_company(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                 mm_web_resp *resp);
int dash_download_html(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                       mm_web_resp *resp);
int dash_download_pdf(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                      mm_web_resp *resp);

/* pages_imports.c */
int dash_imports(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                 mm_web_resp *resp);

/* pages_hunt.c */
int dash_hunting(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                 mm_web_resp *resp);
int dash_indicators(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                    mm_web_resp *resp);

/* pages_alerts.c */
int dash_alerts(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                mm_web_resp *resp);
int dash_alert(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req, mm_web_resp *resp);
int dash_api_alerts(struct mm_dash *d, const mm_dash_call *c, const mm_web_req *req,
                    mm_web_resp *resp);

#endif
