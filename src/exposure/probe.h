/*
 * probe.h - the narrow door: the only code of mimamori that opens
 * connections to other machines.
 *
 * A probe run takes an mm_probe_targets, and there are exactly two ways to
 * make one: from the address a self-check request came from
 * (mm_probe_targets_peer), or from a list the user has declared as their
 * own (mm_probe_targets_owned, which refuses to work without that
 * declaration, and refuses more than a /22 unless told it is large).
 * Nothing else can name a target.
 *
 * Probes are TCP connects (no raw packets, no privileges), as nmap's -sT:
 *   open      the connection was accepted
 *   closed    refused (RST): the machine is reachable, the port is closed
 *   filtered  no answer within the timeout, or an ICMP unreachable
 * Open ports may be asked who they are: the first line a service says by
 * itself, or an HTTP or TLS exchange on the ports where the client talks
 * first, the TLS certificate's names and expiry.
 */
#ifndef MM_EXPOSURE_PROBE_H
#define MM_EXPOSURE_PROBE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

typedef enum mm_port_state { MM_PS_OPEN, MM_PS_CLOSED, MM_PS_FILTERED } mm_port_state;
const char *mm_port_state_name(mm_port_state s);   /* "open", "closed", "filtered" */

typedef struct mm_probe_targets mm_probe_targets;

/* The one address a self-check may probe: where its request came from. */
mm_probe_targets *mm_probe_targets_peer(const mm_ip *peer);

/* Addresses the user owns: each spec an address, a CIDR block
 * (192.0.2.0/24, 2001:db8::/120), a range (192.0.2.10-20 or
 * 192.0.2.10-192.0.2.20), or @FILE with one spec per line (# comments).
 * Refused without i_own_these; more than 1024 addresses (a /22) refused
 * without large; never more than 1 << 20. NULL with a one-line reason. */
mm_probe_targets *mm_probe_targets_owned(const char *const *specs, size_t n, bool i_own_these,
                                         bool large, char *err, size_t errlen);
size_t mm_probe_targets_count(const mm_probe_targets *t);
void mm_probe_targets_get(const mm_probe_targets *t, size_t i, mm_ip *out);
void mm_probe_targets_free(mm_probe_targets *t);

typedef struct mm_probe_opts {
    uint32_t timeout_ms;     /* a connect's answer (default 2000) */
    uint32_t parallel;       /* connections in progress at once (default 1024) */
    uint32_t rate;           /* new connections per second, 0: no limit (default 1000) */
    bool banners;            /* ask open ports who they are */
    uint32_t banner_ms;      /* how long a service may take to speak (default 2000) */
    bool discovery;          /* skip addresses that answer none of a few common ports */
} mm_probe_opts;
void mm_probe_opts_default(mm_probe_opts *o);

#define MM_BANNER_MAX 256
typedef struct mm_probe_result {
    mm_ip addr;
    uint16_t port;
    mm_port_state state;
    int err;                 /* errno of a refused or failed connect, else 0 */
    uint32_t rtt_us;         /* time to the answer (0 when filtered) */
    char service[24];        /* found from what it said: "ssh", "http", "tls"... */
    char banner[MM_BANNER_MAX];   /* its first line, printable ASCII */
    char cert_subject[256];  /* a TLS service's certificate */
    char cert_names[512];    /* subjectAltName DNS names, comma-separated */
    char cert_not_after[24]; /* "2027-01-31T23:59:59" */
} mm_probe_result;

/* One result per address and port, in the order the answers come; an
 * address skipped by discovery reports nothing (down[] counts them).
 * The callback returns non-zero to stop. *stop (may be NULL) is read
 * between events, for a signal handler. Returns 0, or -1 with a reason. */
typedef int (*mm_probe_cb)(void *u, const mm_probe_result *r);
typedef struct mm_probe_stats {
    uint64_t probes, open, closed, filtered, hosts_up, hosts_down;
} mm_probe_stats;
int mm_probe_run(const mm_probe_targets *t, const uint16_t *ports, size_t nports,
                 const mm_probe_opts *o, mm_probe_cb cb, void *u, volatile sig_atomic_t *stop,
                 mm_probe_stats *st, char *err, size_t errlen);

/* One HTTP (tls false) or HTTPS request, GET path, to address i of t,
 * for the name host (the Host header and SNI), no redirect followed, at
 * most 64 KiB read (probe_http.c). False with a reason in err when no
 * answer came. */
typedef struct mm_http_answer {
    int status;
    char location[512], auth[128], server[96], ctype[64], title[128];
    size_t body_len;
    char cert_names[512], cert_not_after[24];   /* HTTPS: the leaf certificate */
    char err[128];
} mm_http_answer;
bool mm_probe_http(const mm_probe_targets *t, size_t i, const char *host, uint16_t port, bool tls,
                   const char *path, uint32_t timeout_ms, mm_http_answer *a);
/* What of an answer is kept (also for the fuzz target): a header line's
 * Location, WWW-Authenticate, Server or Content-Type, printable; a page's
 * <title>, one printable line. */
void mm_http_answer_header(mm_http_answer *a, const char *line, size_t n);
void mm_http_answer_title(const char *b, size_t n, char *out, size_t cap);

#endif
