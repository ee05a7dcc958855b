/*
 * http.h - the web layer's request and response, the route table, the
 * request handling, and the server around GNU libmicrohttpd.
 *
 * The handling is transport-free: mm_web_dispatch takes a request as a
 * transport (or a test, or a fuzz target) filled it and writes the whole
 * response: every limit, the method and route checks, the client's
 * address and language, the rate limit, the CSRF check of routes that ask
 * for it, the handler, and the security headers on every response, error
 * responses included. libmicrohttpd (serve.c) only moves bytes: it fills a
 * request from a connection and sends the response back.
 *
 * What is refused, and how it is counted (mm_web_stats):
 *   400 bad request   a method that is not a token, a target that is not
 *                     an origin-form path ("/..."), control bytes, spaces
 *                     or non-ASCII in the target, a header name that is
 *                     not a token, a malformed query or form body
 *   413 too large     a body over max_body (the transport stops storing it
 *                     at the cap), a form with too many or too long fields
 *   414 too large     a target over MM_WEB_MAX_TARGET
 *   431 too large     more than max_headers headers or max_header_bytes
 *   429 rate limited  the client's address or block has no token left
 *   403 csrf          a route that wants a CSRF token got none or a bad one
 *   405 method        the path exists but not for this method (Allow lists
 *                     the methods it has; HEAD goes where GET goes)
 *   404 not found     no route
 * Paths are matched as received, without percent-decoding (routes are
 * plain ASCII; "/%63heck" is not "/check").
 */
#ifndef MM_WEB_HTTP_H
#define MM_WEB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/json.h"
#include "util/util.h"
#include "web/buf.h"
#include "web/client.h"
#include "web/csrf.h"
#include "web/form.h"
#include "web/ratelimit.h"

#define MM_WEB_MAX_HDRS 64          /* request headers kept */
#define MM_WEB_MAX_TARGET 2048      /* request target (path and query) */
#define MM_WEB_MAX_METHOD 16
#define MM_WEB_MAX_RESP_HDRS 24
#define MM_WEB_MAX_COOKIES 4
#define MM_WEB_MAX_ROUTES 64

typedef struct mm_web_hdr {
    const char *name, *value;
} mm_web_hdr;

typedef struct mm_web_req {
    /* Filled by the transport; the strings stay the transport's. */
    const char *method;
    const char *target;         /* as received: path, then '?' and the query */
    bool target_over;           /* longer than the transport kept: 414 */
    mm_web_hdr hdr[MM_WEB_MAX_HDRS];
    size_t nhdr;
    bool hdr_over;              /* more headers than hdr holds: 431 */
    const uint8_t *body;
    size_t body_len;
    bool body_over;             /* the body passed the cap while uploading: 413 */
    mm_ip peer;                 /* the TCP peer */
    uint64_t now_ns;            /* when it arrived (wall clock, ns since the epoch) */

    /* Filled by mm_web_dispatch before the handler runs. */
    char path[MM_WEB_MAX_TARGET + 1];  /* the target up to '?' */
    const char *query;          /* after '?' ("" when none), raw */
    mm_web_form args;           /* the query, decoded */
    mm_web_form form;           /* an application/x-www-form-urlencoded body */
    mm_ip client;               /* see client.h */
    bool client_known;          /* false: a trusted proxy sent a bad X-Forwarded-For */
    mm_web_client_src client_src;
    const char *lang;           /* "ja" or "en": ?lang=, cookie lang, Accept-Language */
} mm_web_req;

/* An empty request (method GET, target "/", peer 0.0.0.0). */
void mm_web_req_init(mm_web_req *r);
/* false when MM_WEB_MAX_HDRS headers are there already (hdr_over set) */
bool mm_web_req_add_header(mm_web_req *r, const char *name, const char *value);
/* The first header of that name (case-insensitive), or NULL. */
const char *mm_web_req_header(const mm_web_req *r, const char *name);
/* A query parameter, or a form field (first value), or NULL. */
const char *mm_web_req_arg(const mm_web_req *r, const char *name);
const char *mm_web_req_field(const mm_web_req *r, const char *name);

typedef struct mm_web_rhdr {
    char name[64], value[512];
} mm_web_rhdr;

typedef struct mm_web_resp {
    int status;
    char ctype[96];
    mm_web_buf body;
    mm_web_rhdr hdr[MM_WEB_MAX_RESP_HDRS];
    size_t nhdr;
    char cookie[MM_WEB_MAX_COOKIES][512];   /* Set-Cookie values */
    size_t ncookie;
    bool cacheable;             /* set by the handler for static content */
} mm_web_resp;

/* max_body: the most a body may hold (0: 4 MiB). */
void mm_web_resp_init(mm_web_resp *r, size_t max_body);
void mm_web_resp_free(mm_web_resp *r);
/* Set (or replace) a header; false on a name that is not a token, a value
 * with control bytes, or no room. */
bool mm_web_resp_header(mm_web_resp *r, const char *name, const char *value);
const char *mm_web_resp_get(const mm_web_resp *r, const char *name);
/* A cookie: Path=/, HttpOnly, SameSite=Strict, Max-Age (0: a session
 * cookie), Secure when secure. Names are tokens, values RFC 6265
 * cookie-octets; false otherwise or when there is no room. */
bool mm_web_resp_cookie(mm_web_resp *r, const char *name, const char *value, uint32_t max_age_s,
                        bool secure);
/* A cookie removed: empty, Max-Age=0, with the same attributes. */
bool mm_web_resp_cookie_clear(mm_web_resp *r, const char *name, bool secure);
/* Shorthands for a whole body; they return status (for "return ...;"). */
int mm_web_resp_text(mm_web_resp *r, int status, const char *ctype, const char *text);
int mm_web_resp_json(mm_web_resp *r, int status, const mm_json *j);

/* A handler: the status (100-599), or a negative number for an internal
 * error (then a 500 is sent, whatever it wrote). */
typedef int (*mm_web_handler)(void *ctx, const mm_web_req *req, mm_web_resp *resp);

enum {
    MM_WEB_PREFIX = 1,          /* the path is a prefix ("/static/") */
    MM_WEB_CSRF = 2,            /* a valid CSRF token (field "csrf" or header
                                   X-CSRF-Token) is required, used up */
};

typedef struct mm_web_config {
    const char *listen;         /* "127.0.0.1:8080", "[::]:8080" (both families) */
    unsigned conn_limit;        /* connections at once (256) */
    unsigned per_ip_limit;      /* connections at once from one address (16) */
    unsigned timeout_s;         /* idle connection closed after (15) */
    size_t conn_memory;         /* per connection, for the request head (32 KiB) */
    size_t max_body;            /* request body cap (64 KiB) */
    size_t max_resp;            /* response body cap (4 MiB) */
    unsigned max_headers;       /* request headers (48, at most MM_WEB_MAX_HDRS) */
    size_t max_header_bytes;    /* names and values together (8 KiB) */
    const char *trusted_proxies;/* CIDR list (NULL: none) */
    bool rate_limit;            /* (true) with rl */
    mm_web_rl_config rl;
    uint32_t csrf_lifetime_s;   /* (1800) */
    const char *tls_cert_pem;   /* both set: HTTPS only (TLS 1.2 and 1.3), */
    const char *tls_key_pem;    /* the PEM texts kept by the caller while it runs */
    size_t csrf_capacity;       /* used-token set (4096) */
} mm_web_config;

void mm_web_config_defaults(mm_web_config *c);

typedef struct mm_web_server mm_web_server;

/* The CSRF key is drawn here. NULL with a reason in err. */
mm_web_server *mm_web_new(const mm_web_config *c, char *err, size_t errlen);
void mm_web_free(mm_web_server *s);     /* stops it first when running */
/* Before mm_web_start only. method: "GET", "POST", ... */
bool mm_web_route(mm_web_server *s, const char *method, const char *path, int flags,
                  mm_web_handler h, void *ctx);
/* The routes registered, in order of registration: route i's method,
 * path, flags and handler context (false when i is past the last). */
size_t mm_web_route_count(const mm_web_server *s);
bool mm_web_route_at(const mm_web_server *s, size_t i, const char **method, const char **path,
                     int *flags, void **ctx);
/* The whole handling of one request (resp initialised by the caller with
 * mm_web_resp_init; mm_web_req's dispatch fields are filled and freed
 * with mm_web_req_done). Thread-safe. */
void mm_web_dispatch(mm_web_server *s, mm_web_req *req, mm_web_resp *resp);
/* Frees what dispatch parsed into req (its forms). */
void mm_web_req_done(mm_web_req *req);
/* A CSRF token for the request's client, for a page's form. */
bool mm_web_csrf_token(mm_web_server *s, const mm_web_req *req, char *out, size_t outlen);

typedef struct mm_web_counters {
    uint64_t requests, bad_request, too_large, rate_limited, csrf, method, not_found;
    uint64_t xff_ignored, client_unknown, handler_error;
} mm_web_counters;
void mm_web_stats(const mm_web_server *s, mm_web_counters *out);

/* serve.c: listen on c->listen with libmicrohttpd (its own threads, one
 * per connection, bounded by conn_limit). false with a reason in err. */
bool mm_web_start(mm_web_server *s, char *err, size_t errlen);
/* The bound port (the real one when "...:0" was asked), 0 when stopped. */
uint16_t mm_web_port(const mm_web_server *s);
void mm_web_stop(mm_web_server *s);

/* "192.0.2.1:80" or "[2001:db8::1]:80" -> address and port. */
bool mm_web_parse_listen(const char *s, mm_ip *ip, uint16_t *port);

#endif
