/*
 * dash.h - the dashboard: one web server on the shared web layer
 * (src/web) for the analysts and for each company's users, reading the
 * store through its one interface and rendering the report's one model.
 *
 * Accounts and logins: users.h, session.h. Who may do what: authz.h and
 * the one route table (routes.c). Pages: pages*.c.
 */
#ifndef MM_DASH_H
#define MM_DASH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dash/authz.h"
#include "web/http.h"

typedef struct mm_dash_config {
    mm_web_config web;          /* listen, limits, trusted proxies */
    const char *db;             /* the store (file or postgresql:// URL) */
    const char *tz;             /* time zone of the pages (Asia/Tokyo) */
    const char *geoip;          /* country names (NULL: the default data) */
    bool secure;                /* cookies marked Secure (served over TLS) */
    uint32_t model_ttl_s;       /* a report model is reused this long (60) */
} mm_dash_config;

void mm_dash_config_defaults(mm_dash_config *c);

typedef struct mm_dash mm_dash;

mm_dash *mm_dash_new(const mm_dash_config *c, char *err, size_t errlen);
bool mm_dash_start(mm_dash *d, char *err, size_t errlen);
uint16_t mm_dash_port(const mm_dash *d);
mm_web_server *mm_dash_web(mm_dash *d);
void mm_dash_free(mm_dash *d);

/* The route table (every route the dashboard serves, in order). */
const mm_dash_route *mm_dash_routes(size_t *n);
/* Prints the routes a server registers, each with its table row's access
 * kind: "METHOD PATH ACCESS FLAGS WHAT", one per line. Returns the number
 * of registered routes without a row (0 when every one has its row), or
 * -1 when the routes could not be registered. */
int mm_dash_print_routes(FILE *f);

typedef struct mm_dash_counters {
    uint64_t login_ok, login_failed, login_locked, login_rate, denied, not_found, no_session;
} mm_dash_counters;
void mm_dash_stats(mm_dash *d, mm_dash_counters *out);

#endif
