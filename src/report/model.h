/*
 * model.h - what a report says, computed once from the store and then
 * written as JSON (json.c), HTML (html.c) or PDF (pdf.c).
 *
 * The model holds every company of the period (the survey needs them all;
 * a company report uses one of them plus the cross-company facts that do
 * not name the others). Lists are bounded (top N) where a report would
 * print them; totals are exact.
 */
#ifndef MM_REPORT_MODEL_H
#define MM_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define RP_TOP 30          /* rows of a top list (countries: figure 6.2 has 29) */
#define RP_ROWS 10         /* rows of a picture or address table in a rendered report
                              (the JSON keeps up to 200); the rest are counted */

typedef struct rp_kv {
    char key[48];
    int64_t n;
} rp_kv;

typedef struct rp_list {   /* a growable list of key -> count */
    rp_kv *v;
    size_t n, cap;
} rp_list;

typedef struct rp_country {
    char cc[3];
    int64_t in, out;       /* packets by the direction they travelled */
} rp_country;

typedef struct rp_peer {   /* a remote address and what it did */
    char ip[46], cc[3], local[46];
    char families[128];    /* comma separated */
    int64_t alerts, first, last;   /* alert times (us) */
    int64_t flows, pkts_in, pkts_out, bytes_in, bytes_out, flow_first, flow_last;
    int sev;               /* most severe (1 highest), 0 none */
    int nsites;            /* companies this address had alerts at (cross-company) */
    bool success;          /* remote control: the connection was accepted */
    char sig[160];         /* the most severe alert's signature */
    char app[24];          /* an application protocol of its flows (flows_day) */
    char explain[48];      /* its explanation key, if one of ours */
} rp_peer;

typedef struct rp_peers {
    rp_peer *v;
    size_t n, cap;
} rp_peers;

#define RP_EVID 5          /* hosts and remote addresses shown per finding */

typedef struct rp_finding {        /* alerts of one explanation (or family) */
    char key[48];                  /* explain key of a built-in alert, else the family */
    char family[32];
    char sig[160];                 /* one of its signatures */
    int sev;
    int64_t count, first, last, nhosts, nremotes;
    rp_kv hosts[RP_EVID];          /* internal host -> alerts */
    size_t nh;
    struct {
        char ip[46], cc[3];
        int64_t n;
        int nsites;
    } remotes[RP_EVID];
    size_t nr;
} rp_finding;

/* --- what the gateway logs show (report/logmodel.c) --- */

typedef struct rp_host {           /* an internal address and, when a DHCP lease */
    char ip[46];                   /* covered the time, the machine that had it */
    char name[64], mac[18];
} rp_host;

typedef struct rp_port {
    char proto[12];
    int64_t port, count;
    double share;                  /* of the blocked records */
    bool iot;                      /* an IoT port (data/iot_ports.tsv) */
} rp_port;

typedef struct rp_month {
    char month[8];                 /* "2024-03" */
    int64_t n, year_before;        /* year_before -1: the store has no such month */
    double share;                  /* HTTPS share: https / (https + http) */
} rp_month;

typedef struct rp_src {
    char ip[46], cc[3];
    int64_t n;
} rp_src;

typedef struct rp_shadow {         /* a cloud service used in a month */
    char service[48], category[24], month[8];
    int64_t up, down, requests, hosts, first, last;
    bool sanctioned;
} rp_shadow;

typedef struct rp_logfind {        /* a DNS, proxy or mail finding */
    char kind[20];                 /* sinkhole, ddns, listed, server_resolves, bypass,
                                      exec_attachment */
    char name[200], answer[120];
    rp_host host;
    int64_t count, first, last;
} rp_logfind;

typedef struct rp_authfind {       /* password guessing, or a login from abroad */
    char kind[12];                 /* "guessing" or "abroad" */
    char service[24], src[46], cc[3], user[48];
    int64_t count, days, first, last;
} rp_authfind;

typedef struct rp_logs {
    bool any;                      /* log data in the period */
    int64_t fw_records, blocked;   /* firewall records, blocked ones */
    bool action_stated;            /* false: the log does not say blocked (port
                                      figures then count every record) */
    rp_port *ports;                /* top 20 */
    size_t nports;
    double telnet_share, iot_share_top100;
    rp_month *fw_months;           /* blocked per month, with the year before */
    size_t nfw_months;
    rp_src *srcs;                  /* sources blocked most, top 10 */
    size_t nsrcs;
    rp_shadow *shadow;             /* service-months at >= 1 MB */
    size_t nshadow;
    rp_month *https;               /* HTTPS share per month */
    size_t nhttps;
    rp_logfind *find;              /* dns, proxy and mail findings, most first */
    size_t nfind;
    rp_authfind *auth;
    size_t nauth;
    int level;                     /* 1..3 as the site's, 0 nothing */
} rp_logs;

typedef struct rp_logsurvey {      /* the logs across companies */
    int64_t blocked;               /* over the companies whose firewall logs we have */
    size_t fw_sites;
    rp_port *ports;                /* top 20 across companies */
    size_t nports;
    double telnet_share, iot_share_top100;
    rp_kv *services;               /* cloud service -> companies using it */
    size_t nservices;
    rp_kv *kinds;                  /* finding kind -> companies with it */
    size_t nkinds;
} rp_logsurvey;

typedef struct rp_expopen {        /* a port of the company the Internet reaches */
    char target[46], service[24], banner[160], cert[200];
    int port;
    int64_t ts;                    /* the audit that found it */
    bool maintenance, serious;     /* should not face the Internet; an entry for attacks */
} rp_expopen;

typedef struct rp_expself {        /* a staff member's self-check (the company's link) */
    char requester[46], open[128]; /* the ports found open: "445, 3389" ("" none) */
    int64_t ts;
} rp_expself;

typedef struct rp_expweb {         /* a finding of a web-site check */
    char kind[16];                 /* name, port, path, certificate */
    char target[300], what[300];
    int port;
    int64_t ts;
    bool problem;
} rp_expweb;

typedef struct rp_exposure {       /* exposure checks of the company */
    int64_t scans;                 /* audits in the period */
    rp_expopen *open;              /* open ports, each address's latest audit */
    size_t nopen;
    int64_t self_checks, self_exposed;
    rp_expself *self;              /* the latest check of each requester */
    size_t nself;
    int64_t webs;                  /* web-site checks in the period */
    rp_expweb *web;                /* the latest web-site check's findings */
    size_t nweb;
    int level;                     /* 1..3 as the site's, 0 nothing */
} rp_exposure;

typedef struct rp_expport {
    int port;
    int64_t asked, open;
} rp_expport;

typedef struct rp_expmonth {
    char month[8];
    int64_t checks, open_any, open_445;
} rp_expmonth;

typedef struct rp_expsurvey {      /* self-checks of everyone (anonymous ones too) */
    int64_t checks, exposed;       /* checks; those that found a port open */
    rp_expport *ports;             /* per port asked: checks, and how many found it open */
    size_t nports;
    rp_expmonth *months;           /* per local month */
    size_t nmonths;
} rp_expsurvey;

/* --- what the watchers of its web servers saw (report/hostmodel.c) --- */

typedef struct rp_file {           /* a file that appeared or changed */
    char host[64];                 /* the watched machine (the watcher's sensor name) */
    char root[256], path[512];     /* the watched root and the path below it */
    char action[12];               /* "added" or "changed" */
    char kind[24];                 /* the classifier's kind ("" when no alert) */
    char sha256[65], explain[48];  /* explain: the alert's explanation key */
    char reasons[400];             /* the classifier's phrases, "; " between them */
    int64_t ts, size, sid;         /* sid 0: no alert */
    int sev;                       /* 1..3 of its alert, 0 none */
} rp_file;

typedef struct rp_webfind {        /* what the web server's access log shows beside them */
    char kind[16];                 /* "requested": a file the watch saw appear (or alerted
                                      on) was requested; "first_post": a script whose first
                                      answered request was a POST; "admin_abroad": an
                                      administration page requested from abroad */
    char path[300];                /* the path below the root, or the administration page */
    char src[46], cc[3];           /* admin_abroad: the source and its country */
    int64_t count, posts;          /* requests (answered ones for a path), POSTs */
    int64_t first, last;           /* first and last request (first_post: the first POST) */
    int64_t appeared;              /* requested: when the watch saw the file */
} rp_webfind;

typedef struct rp_hostfiles {
    int64_t added, changed, removed, unreadable, alerts;   /* file events in the period */
    rp_file *v;                    /* alerted ones first (most severe, newest), then the
                                      newest others; at most RP_FILES */
    size_t n;
    rp_webfind *web;               /* requested, then first_post, then admin_abroad; at
                                      most RP_WEBFIND of each kind */
    size_t nweb;
} rp_hostfiles;

#define RP_WEBFIND 100

#define RP_FILES 200

typedef struct rp_site {
    char name[128];
    int64_t id;
    int64_t alerts, sev[4];        /* sev[1..3] */
    int64_t flows, pkts_in, pkts_out;
    rp_list families;              /* family -> alerts */
    rp_list days;                  /* local date "YYYY-MM-DD" -> alerts */
    rp_list hosts;                 /* internal host -> alerts */
    rp_country *cc;                /* every country, by in+out descending */
    size_t ncc;
    rp_peers remotes;              /* remote IPs with alerts, most alerts first */
    rp_peers remote_control;       /* picture 1 */
    rp_peers malicious;            /* picture 2 */
    rp_peers ddos;                 /* picture 3 */
    int64_t shared_ips;            /* remotes that also had alerts at other companies */
    rp_finding *find;              /* most severe first, then most alerts */
    size_t nfind;
    int level;                     /* 1 serious, 2 needs attention, 3 no serious problem */
    rp_logs logs;                  /* what the gateway logs show */
    rp_exposure exp;               /* what of it the Internet reaches */
    rp_hostfiles files;            /* files that appeared or changed on its web servers */
    rp_host *hostinfo;             /* each internal host of the findings, with its lease */
    size_t nhostinfo;
} rp_site;

typedef struct rp_xip {            /* an address seen at several companies */
    char ip[46], cc[3];
    char families[128];
    int64_t alerts, first, last;
    int64_t *sites;                /* indexes into model.site */
    size_t nsites;
    bool shared_infra;             /* flows view: public resolver, common service */
    char infra[48];
} rp_xip;

typedef struct rp_model {
    int64_t from, to;              /* us, [from, to) */
    int64_t tzoff;                 /* seconds east of UTC at 'to' */
    char tz[64];
    rp_site *site;
    size_t nsite;
    rp_list fam_sites;             /* family -> companies affected */
    rp_list fam_alerts;            /* family -> alerts, all companies */
    rp_country *cc;                /* all companies */
    size_t ncc;
    rp_xip *xip;                   /* cross-company, alerts */
    size_t nxip;
    rp_xip *xflow;                 /* cross-company, flows */
    size_t nxflow;
    int64_t alerts, flows;
    rp_logsurvey logs;             /* what the gateway logs show across companies */
    rp_expsurvey exp;              /* the self-check service's statistics */
} rp_model;

/* The exposure part of every site and the self-check statistics
 * (expmodel.c; called by rp_model_build). */
int rp_exposure_build(rp_model *m, mm_db *db, char *err, size_t errlen);
void rp_exposure_free(rp_model *m);
/* The web-server file part of every site (hostmodel.c; called by
 * rp_model_build). */
int rp_files_build(rp_model *m, mm_db *db, char *err, size_t errlen);
void rp_files_free(rp_hostfiles *f);
/* The explanations of the first `shown` files, each once in their order:
 * the next one from *it (0 to begin), NULL at the end. */
struct mm_explain;
const struct mm_explain *rp_files_explain_next(const rp_hostfiles *F, size_t shown,
                                               size_t *it);
/* The classifier's phrase (webshell.c's English, as stored) in lang. */
const char *rp_reason_text(int lang, const char *phrase);
/* The gateway-log part of every site (logmodel.c; called by rp_model_build). */
int rp_logs_build(rp_model *m, mm_db *db, char *err, size_t errlen);
void rp_logs_free(rp_logs *l);
/* The kind of log finding to act on first: a login from abroad, then an
 * answer from a sinkhole, then the finding seen most (NULL when none). */
const char *rp_logs_first_kind(const rp_logs *l);
void rp_logsurvey_free(rp_logsurvey *s);
/* The category of each shadow-IT service from the catalogue (NULL: none). */
struct mm_catalog;
void rp_logs_categories(rp_model *m, const struct mm_catalog *cat);
/* The record of an internal host of s (filled by rp_logs_build), or NULL. */
const rp_host *rp_site_host(const rp_site *s, const char *ip);
/* Builds the model for [from, to) (0, 0: all data). tz: a zoneinfo name. */
int rp_model_build(rp_model *m, mm_db *db, int64_t from, int64_t to, const char *tz, char *err,
                   size_t errlen);
void rp_model_free(rp_model *m);
/* The site of a store id, or NULL. */
rp_site *rp_site_by_id(rp_model *m, int64_t id);
/* A statement of sql with $1, $2 bound to the model's period [from, to);
 * NULL with err ("store: ...") when it does not prepare. */
mm_stmt *rp_period_stmt(mm_db *db, const rp_model *m, const char *sql, char *err,
                        size_t errlen);
/* s (NULL: "") into out of n bytes, cut to fit. */
void rp_copy(char *out, size_t n, const char *s);
/* The site's index, or -1. */
int rp_model_site(const rp_model *m, const char *name);
/* Pie slices: indexes of the (up to max) countries with the most packets
 * in one direction, largest first; *total is that direction's sum and
 * *rest what the slices leave. Returns the number of slices. */
size_t rp_pie_slices(const rp_country *cc, size_t n, bool in, size_t *idx, size_t max,
                     int64_t *total, int64_t *rest);
/* The alert chart of a company: the period's local days (the last 400 at
 * most) from *day0, alerts per day in *counts (malloc'd, the return value
 * entries; 0 and NULL when out of memory), *max the largest (at least 1). */
size_t rp_day_series(const rp_model *m, const rp_site *s, int64_t *day0, int64_t **counts,
                     int64_t *max);
/* "YYYY-MM-DD" of a day number (days since 1970-01-01). */
void rp_day_label(int64_t day, char *out, size_t n);
/* Local date/time text of us under the model's zone. */
void rp_fmt_time(const rp_model *m, int64_t us, char *out, size_t n, bool with_time);

#endif
