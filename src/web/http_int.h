/*
 * http_int.h - the server's state, shared by the request handling
 * (http.c) and the libmicrohttpd transport (serve.c) only.
 */
#ifndef MM_WEB_HTTP_INT_H
#define MM_WEB_HTTP_INT_H

#include <stdatomic.h>

#include "web/http.h"

typedef struct mm_web_route_t {
    char method[MM_WEB_MAX_METHOD + 1];
    char path[256];
    size_t plen;
    int flags;
    mm_web_handler h;
    void *ctx;
} mm_web_route_t;

struct MHD_Daemon;

struct mm_web_server {
    mm_web_config cfg;
    mm_netlist trusted;
    mm_web_rl *rl;              /* NULL: no rate limit */
    mm_web_csrf *csrf;
    mm_web_route_t routes[MM_WEB_MAX_ROUTES];
    size_t nroutes;
    struct MHD_Daemon *mhd;
    uint16_t port;
    _Atomic uint64_t requests, bad_request, too_large, rate_limited, csrf_refused, method,
        not_found, xff_ignored, client_unknown, handler_error;
};

#endif
