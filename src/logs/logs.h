/*
 * logs.h - gateway logs (firewall, proxy, web, DNS, DHCP, mail, logins) read
 * into EVE-shaped records.
 *
 * A log format is one file, src/logs/<format>.c, with the nDPI shape: a cheap
 * probe(line) that says whether a line looks like its format, a parse(line,
 * record) that fills the record without allocating, and one line in the
 * table of logs.c. A file's format is found by running the probes over its
 * first lines; lines of a syslog file are then dispatched one by one among
 * the syslog formats (a /var/log/syslog holds kernel, sshd, dhcpd and postfix
 * lines together).
 *
 * The record is a contract later stages rely on: it is written as one JSON
 * line with EVE's field names wherever EVE has the field (timestamp,
 * event_type, src_ip, src_port, dest_ip, dest_port, proto, http, dns, dhcp,
 * email) and our own objects where it has none (firewall, proxy, auth, log).
 *
 * Strings in a record point into the line being parsed, into the record's
 * scratch area (values that had to be rewritten: a lower-case MAC, a URL
 * put together from parts) or into a format's own state; they are valid
 * until the next line is parsed. Nothing is NUL-terminated: every string is
 * a pointer and a length, and the JSON writer escapes whatever bytes it is
 * given.
 */
#ifndef MM_LOGS_H
#define MM_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/json.h"
#include "util/util.h"

/* A string that is not NUL-terminated; p NULL (or n 0) when absent. */
typedef struct lr_str {
    const char *p;
    uint32_t n;
} lr_str;

#define LR_MAX_ANSWERS 16
#define LR_MAX_TO 16
#define LR_SCRATCH 4096
#define LR_MAX_LINE (64 * 1024)   /* longer lines are cut, counted, not parsed */

typedef struct lr_answer {
    lr_str rrname, rrtype, rdata;
    int64_t ttl;                 /* -1 absent */
} lr_answer;

/* One record. lr_clear() sets every number to -1 ("absent") and every
 * string to empty; a parser sets what its line has. */
typedef struct mm_logrec {
    const char *event_type;      /* "firewall", "proxy", "web", "dns", "dhcp", "mail", "auth" */
    int64_t ts_us;               /* microseconds since the epoch (UTC) */
    int32_t tzoff;               /* seconds east of UTC, to print the time as the line had it */
    bool has_ts;
    mm_ip src_ip, dest_ip;       /* v == 0: absent */
    int32_t src_port, dest_port;
    const char *proto;           /* "TCP", "UDP", "ICMP", "IPv6-ICMP", ... or NULL */
    lr_str proto_text;           /* a protocol we have no name for, as the line wrote it */
    lr_str host;                 /* the log's own host name (syslog header, devname) */

    struct {
        const char *action;      /* "allowed" or "blocked" (NULL: not said) */
        lr_str rule, in_iface, out_iface, reason;
        int64_t bytes, packets;
    } fw;
    struct {
        lr_str hostname, url, http_method, http_user_agent, http_content_type,
            http_refer, protocol;
        int64_t status, length;
    } http;
    struct {
        lr_str action, cache, user, peer;
        int64_t bytes_in, bytes_out, duration_ms;
    } proxy;
    struct {
        const char *type;        /* "query" or "answer" */
        lr_str rrname, rrtype, rcode;
        uint32_t n_answers;
        lr_answer answers[LR_MAX_ANSWERS];
    } dns;
    struct {
        const char *dhcp_type;   /* "ack", "request", "release", "discover", "offer", ... */
        mm_ip assigned_ip;
        lr_str client_mac, hostname, relay;
        int64_t lease_time;
    } dhcp;
    struct {
        lr_str from, subject, message_id, status, relay, queue_id, attachment;
        lr_str header_from;      /* the From: header's address, when the log has it
                                    (from is the envelope sender) */
        uint32_t n_to;
        lr_str to[LR_MAX_TO];
        int64_t size;
    } email;
    struct {
        lr_str service, user, method;
        const char *result;      /* "success" or "failure" */
    } auth;

    uint64_t line;               /* the line the record is of; 0: the line being parsed */

    char scratch[LR_SCRATCH];
    size_t scratch_len;
} mm_logrec;

/* A syslog line's header, parsed once by the reader for every line. */
typedef struct lr_syslog {
    bool ok;                     /* a header was found */
    bool has_zone, has_year;
    int pri;                     /* -1: none */
    int year, mon, day, hour, min, sec;  /* as written; year 0 when absent */
    int32_t usec;
    int32_t zone;                /* seconds east of UTC when has_zone */
    lr_str host, program, pid;
    const char *msg;             /* the message after "program[pid]: " */
    size_t msg_len;
} lr_syslog;

/* One input line as given to probe and parse. */
typedef struct lr_line {
    const char *p;               /* the whole line, NUL-terminated, no newline */
    size_t n;
    const lr_syslog *sys;        /* header of p (sys->ok false when none) */
    uint64_t lineno;             /* 1-based */
} lr_line;

typedef struct mm_logctx mm_logctx;

enum {
    LR_OK = 0,        /* a record was filled */
    LR_SKIP = 1,      /* not a record of this format (another program's line, a comment) */
    LR_BAD = 2,       /* this format's line but malformed: why in ctx (lr_why) */
    LR_PENDING = 3,   /* consumed; its record comes later (a mail's lines are joined) */
};

typedef struct mm_logfmt {
    const char *name;            /* "netfilter", "squid", ... */
    const char *event_type;
    const char *what;            /* one line for `logs formats` */
    const char *example;         /* a line of the format */
    bool syslog;                 /* its lines come behind a syslog header */
    /* Cheap: does the line look like this format? */
    bool (*probe)(const lr_line *l);
    int (*parse)(mm_logctx *cx, const lr_line *l, mm_logrec *r);
    /* Optional: the records still held at the end of the input (joined mail
     * messages), one per call; LR_OK while there are more, else LR_SKIP. */
    int (*finish)(mm_logctx *cx, mm_logrec *r);
    /* Optional: frees the format's state (cx->state[i]). */
    void (*free_state)(void *state);
} mm_logfmt;

const mm_logfmt *const *mm_log_formats(size_t *n);
const mm_logfmt *mm_log_format(const char *name);

/* Options of a reading. */
typedef struct mm_logopt {
    const char *format;          /* NULL: detect per file */
    int year;                    /* 0: the file's modification year (rollover handled) */
    const char *tz;              /* zone of lines without one; NULL: Asia/Tokyo */
    unsigned quote_max;          /* malformed lines quoted on stderr per file (default 5) */
    bool quiet;
    /* Byte offsets in the (decompressed) input: lines that end at or before
     * skip_bytes are passed over (imported before; their numbers still
     * count), lines that end past stop_bytes are not read (0: to the end). */
    uint64_t skip_bytes, stop_bytes;
} mm_logopt;

typedef struct mm_logstats {
    uint64_t lines, records, skipped, malformed, cut, files, bad_files;
    const char *format;          /* the last file's format (found or given) */
} mm_logstats;

/* Called for each record; return non-zero to stop. */
typedef int (*mm_log_cb)(void *user, const mm_logrec *r, const mm_logctx *cx);

/* The state of one reading (one file or one stream of lines). */
struct mm_logctx {
    const mm_logopt *opt;
    const char *file;            /* shown in records and messages ("-" for stdin) */
    const mm_logfmt *fmt;        /* the detected or given format */
    const mm_logfmt *cur;        /* the format of the line being parsed */
    int64_t ref_us;              /* the file's modification time: lines without a year */
    uint64_t lineno;
    char why[160];               /* the reason of the last LR_BAD */
    void *state[32];             /* per format (by table index), owned by it */
    /* time: the zone's offset cached per civil hour; a fixed offset; the
     * year of lines without one (--year and its rollovers, or the file's) */
    int64_t tz_hour;
    int32_t tz_off;
    bool tz_fixed;
    int32_t tz_fixed_off;
    int year_cur, last_mon;
    int64_t ref_days;            /* civil day of ref_us in the zone */
    int ref_year;
    mm_logstats st;
    unsigned quoted;
    const char *site, *sensor;   /* written as mimamori {site, sensor} when set */
};

/* --- the reader (logs.c) --- */

/* A reading of path ("-": stdin; .gz read through zlib, by content). Returns
 * 0 when the file was read (bad lines counted), 1 when it could not be read
 * or is of no known format (a one-line reason in err), -1 when cb stopped. */
int mm_logs_read_file(const char *path, const mm_logopt *opt, mm_log_cb cb, void *user,
                      mm_logstats *st, char *err, size_t errlen);

/* A format for these lines (NUL-separated in buf, n lines), or NULL. */
const mm_logfmt *mm_logs_detect(const char *const *lines, size_t n);

/* Context for lines given one at a time (the syslog listener, tests). */
void mm_logctx_init(mm_logctx *cx, const mm_logopt *opt, const char *file,
                    const mm_logfmt *fmt, int64_t ref_us);
void mm_logctx_free(mm_logctx *cx);
/* A new reference time (a listener's clock) for lines without a year. */
void mm_logctx_set_ref(mm_logctx *cx, int64_t ref_us);
/* Parses one line (NUL-terminated, without its newline); calls cb for the
 * record it completes. Returns LR_OK, LR_SKIP, LR_BAD or LR_PENDING. */
int mm_logctx_line(mm_logctx *cx, const char *line, size_t n, mm_log_cb cb, void *user);
/* The records formats still hold (end of input). */
void mm_logctx_finish(mm_logctx *cx, mm_log_cb cb, void *user);

/* --- the record (logrec.c) --- */

void lr_clear(mm_logrec *r);
/* The record as one JSON object (no newline) into j, which is reset first. */
void lr_write_json(const mm_logrec *r, const mm_logctx *cx, mm_json *j);
/* Copies n bytes into the scratch area; NULL when it is full. */
const char *lr_keep(mm_logrec *r, const char *p, size_t n);
/* lr_str of p..p+n */
static inline lr_str lr_s(const char *p, size_t n)
{
    lr_str s = {p, (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n)};
    return s;
}
/* An address written as text (IPv4, IPv6, "::ffff:1.2.3.4", "[::1]"); false
 * and *ip untouched when it is not one. */
bool lr_ip(const char *p, size_t n, mm_ip *ip);
/* An address as text (IPv6 compressed), NUL-terminated; its length (0 when
 * absent). */
size_t lr_ip_text(const mm_ip *ip, char out[MM_IPSTR_LEN]);
/* A whole decimal number of 1..18 digits; false when it is not. */
bool lr_num(const char *p, size_t n, int64_t *v);
/* A port 0..65535 into *port; false otherwise. */
bool lr_port(const char *p, size_t n, int32_t *port);
/* Are the n bytes at p (n > 0) all decimal digits? */
bool lr_digits(const char *p, size_t n);
/* The two decimal digits at p (the caller has checked them) as a number. */
int lr_num2(const char *p);
/* A MAC (aa:bb:.., aa-bb-.., aabb.ccdd.eeff, any case) lower case with colons
 * into the scratch area. */
bool lr_mac(mm_logrec *r, const char *p, size_t n, lr_str *out);
/* An IP protocol by number ("6") or name ("tcp", "TCP", "icmp") as EVE
 * names it (static string), NULL when unknown. */
const char *lr_proto(const char *p, size_t n);
/* The state slot of the format being run (cx->cur): a format that keeps
 * state across lines (a W3C file's #Fields, Postfix's open messages) puts
 * it there and frees it in free_state. */
void **lr_state(mm_logctx *cx);
/* Sets cx->why (printf-style) and returns LR_BAD. */
int lr_bad(mm_logctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- tokens (logrec.c): a cursor over a line --- */
typedef struct lr_cur {
    const char *p, *e;
} lr_cur;
static inline lr_cur lr_cur_of(const char *p, size_t n)
{
    lr_cur c = {p, p + n};
    return c;
}
/* The next run of non-space bytes (spaces skipped first); false at the end. */
bool lr_word(lr_cur *c, lr_str *w);
/* Is s equal to the C string t? */
/* (inline: the length of a literal t is then known when compiling) */
static inline bool lr_eq(lr_str s, const char *t)
{
    size_t n = strlen(t);
    return s.n == n && (n == 0 || memcmp(s.p, t, n) == 0);
}
static inline bool lr_eqi(lr_str s, const char *t)
{
    size_t n = strlen(t);
    return s.n == n && (n == 0 || strncasecmp(s.p, t, n) == 0);
}
static inline bool lr_starts(const char *p, size_t n, const char *t)
{
    size_t k = strlen(t);
    return n >= k && memcmp(p, t, k) == 0;
}
/* The first occurrence of t in p..p+n, or NULL. */
const char *lr_find(const char *p, size_t n, const char *t);
/* The first t in p..p+n at its start or after a space (a word's start), or NULL. */
const char *lr_find_word(const char *p, size_t n, const char *t);
/* KEY=value in "K1=v1 K2=v2 ..." (netfilter, FortiGate): the value after
 * " KEY=" or at the start (quoted values without their quotes). */
bool lr_kv(const char *p, size_t n, const char *key, lr_str *v);
/* Is s equal to one of the n strings of list? */
bool lr_eq_any(lr_str s, const char *const *list, size_t n);
/* Does p..e start with shape ('d' a decimal digit, any other byte itself)? */
bool lr_shape(const char *p, const char *e, const char *shape);
/* The double-quoted string at *pp ('"' there), backslash escapes passed
 * over: its content, *pp past the closing quote; false when it does not end. */
bool lr_quoted(const char **pp, const char *e, lr_str *out);
/* The comma-separated values of p..e, at most max, into f, a value in
 * double quotes without them ("" inside left as written; esc[i], when esc
 * is given, says whether value i has one); how many there are. */
int lr_csv(const char *p, const char *e, lr_str *f, bool *esc, int max);
/* The host of the URL u, "scheme://[user@]host[:port]/..." (with bare, of
 * "[user@]host[:port]" too), without the brackets of "[v6]"; *port (when
 * given) the text after "host:" (p NULL: no ':'), *auth (when given) the
 * authority after any "user@"; false when there is no host. */
bool lr_url_host(lr_str u, bool bare, lr_str *host, lr_str *port, lr_str *auth);

/* --- time (syslog.c) --- */

/* Parses the syslog header of a line: RFC 3164 ("<PRI>Mmm dd hh:mm:ss host
 * prog[pid]: msg", host optional), RFC 5424 ("<PRI>1 2024-01-02T03:04:05Z host
 * app procid msgid [sd] msg"), ISO timestamps in front ("2024-01-02T03:04:05
 * +09:00 host prog: ") and journald's short-iso. */
void lr_syslog_parse(const char *p, size_t n, lr_syslog *s);
/* The record's time from a civil date and time written in the line. A
 * missing year (0) comes from opt->year or the file's time; has_zone false
 * takes the reading's zone. */
void lr_set_time(mm_logctx *cx, mm_logrec *r, int year, int mon, int day, int hour, int min,
                 int sec, int32_t usec, bool has_zone, int32_t zone);
/* The record's time from the syslog header of the line, false when none. */
bool lr_time_syslog(mm_logctx *cx, mm_logrec *r, const lr_line *l);
/* Month "Jan".."Dec" (any case) -> 1..12, 0 when not one. */
int lr_month(const char *p);
/* A date and time as a line writes them (zone: seconds east of UTC). */
typedef struct lr_tm {
    int year, mon, day, hour, min, sec;
    int32_t usec, zone;
} lr_tm;
/* "YYYY-MM-DD?hh:mm:ss[.frac]" at p..e, ? being sep, its fields in range:
 * into *t (usec from up to six digits, zone 0); what follows (past the
 * fraction), NULL when p has no such time. */
const char *lr_iso_time(const char *p, const char *e, char sep, lr_tm *t);
/* The Common Log Format's "dd/Mon/yyyy:hh:mm:ss +zzzz]" (a day of one or
 * two digits, a year from 1970) at p..e into *t; what follows the ']',
 * NULL when p has no such time. */
const char *lr_clf_time(const char *p, const char *e, lr_tm *t);
/* Is zone a time zone this machine knows? */
bool lr_tz_known(const char *zone);

#endif
