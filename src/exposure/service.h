/*
 * service.h - the self-check web service (field report 003): a visitor
 * agrees to the terms, picks ports, and the service connects back to the
 * visitor's own address on them, saying per port "safe (no answer)",
 * "closed" or "open: may allow intrusion" with what to do.
 *
 * Built on the shared web layer (web/http.h). It probes only the address
 * the request came from (the TCP peer, or the first untrusted address of
 * X-Forwarded-For when the peer is a trusted proxy); no parameter can
 * name a target. Checks are bounded: ports per check, checks at once,
 * checks per requester and per address block. Every check is recorded in
 * the store; one made through a company's link counts for that company.
 *
 *   GET  /                 the terms and the port list (?c=LINK for a company)
 *   POST /check            consent, ports, CSRF token -> 303 to /result?id=
 *   GET  /result?id=ID     the page while it runs (refreshes), then the result
 *   POST /api/check        {"consent": true, "ports": [22, 445], "company": LINK}
 *                          -> {"target": ADDRESS, "ports": [{"port", "state"}]}
 *   GET  /static/mm.css    the style sheet (no inline style or script anywhere)
 */
#ifndef MM_EXPOSURE_SERVICE_H
#define MM_EXPOSURE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exposure/ports.h"
#include "store/store.h"
#include "web/http.h"

#define MM_SELF_MAX_PORTS 64

typedef struct mm_selfcheck_config {
    mm_web_config web;          /* listen address, proxies, limits */
    const char *db;             /* the store (NULL: checks are not recorded) */
    mm_portlist ports;          /* the ports offered (the caller's) */
    uint32_t timeout_ms;        /* per port (2000) */
    unsigned max_parallel;      /* checks at once (64); more wait up to 20 s */
    double check_rate;          /* checks a second per requester (1/30) ... */
    double check_burst;         /* ... with this many at once (5) */
    bool dry_run;               /* answer every check as if nothing answered,
                                   without a connection (to try the pages) */
} mm_selfcheck_config;

typedef struct mm_selfcheck mm_selfcheck;

mm_selfcheck *mm_selfcheck_new(const mm_selfcheck_config *c, char *err, size_t errlen);
/* Starts listening (libmicrohttpd's threads); false with a reason. */
bool mm_selfcheck_start(mm_selfcheck *s, char *err, size_t errlen);
uint16_t mm_selfcheck_port(const mm_selfcheck *s);
/* The web layer, for tests and fuzzing (dispatch without sockets). */
mm_web_server *mm_selfcheck_web(mm_selfcheck *s);
typedef struct mm_selfcheck_stats {
    uint64_t checks, refused_busy, refused_rate, refused_unknown_client, probes;
} mm_selfcheck_stats;
void mm_selfcheck_stats_get(mm_selfcheck *s, mm_selfcheck_stats *out);
/* Stops serving, waits for the checks running, closes the store. */
void mm_selfcheck_free(mm_selfcheck *s);

#endif
