/*
 * webcheck.h - a company's web sites, looked at from outside (field report
 * 001: maintenance paths reachable on 12 % of web sites): management
 * names of each domain resolved through DNS (manage., admin., cpanel. ...),
 * management ports of the addresses found (FTP, SSH, control panels,
 * databases), administration paths fetched over HTTP and HTTPS (/admin,
 * /wp-login.php, /phpmyadmin/, /server-status ...; reachable, a password
 * prompt, or a redirect to a login page), and each HTTPS name's
 * certificate (names, expiry).
 *
 * The domains are the user's own (refused without i_own_these); every
 * connection goes through the probe door to the addresses they resolve to.
 */
#ifndef MM_EXPOSURE_WEBCHECK_H
#define MM_EXPOSURE_WEBCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exposure/probe.h"

typedef struct mm_webfind {
    const char *kind;           /* "name", "port", "path", "certificate" */
    char host[256];             /* the name looked at */
    char addr[MM_IPSTR_LEN];
    uint16_t port;
    char url[600];              /* a path's URL, else "" */
    int status;                 /* a path's HTTP status, else 0 */
    char what[400];             /* in plain words: what answers */
    bool problem;               /* a finding to act on (a certificate line may not be) */
} mm_webfind;

typedef struct mm_webcheck_opts {
    bool i_own_these;
    uint32_t timeout_ms;        /* connections and requests (3000) */
    const char *names;          /* management name prefixes, comma-separated (NULL: built in) */
    const char *paths;          /* administration paths, comma-separated (NULL: built in) */
} mm_webcheck_opts;

typedef struct mm_webcheck_stats {
    size_t names, addresses, requests, findings;
} mm_webcheck_stats;

typedef int (*mm_webfind_cb)(void *u, const mm_webfind *f);

/* The findings of each domain, through cb. 0, or -1 with a reason. */
int mm_webcheck_run(const char *const *domains, size_t n, const mm_webcheck_opts *o,
                    mm_webfind_cb cb, void *u, mm_webcheck_stats *st, char *err, size_t errlen);

#endif
