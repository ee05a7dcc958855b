/*
 * ioc.h - indicators of compromise: their types, their one normal form,
 * and the interface every indicator file reader feeds.
 *
 * An indicator is a (type, value) pair plus what its source said about it
 * (set, source, first and last seen, validity, confidence, TLP, a
 * description, the source's own id for it). Values are kept in one normal
 * form per type (mm_ioc_normalise) so that the same indicator from two
 * feeds is one row, and so that matching is a lookup:
 *
 *   ipv4, ipv6   the address as inet_ntop writes it
 *   cidr         network/bits with the host bits cleared ("192.0.2.0/24")
 *   domain       lowercase, no trailing dot, no leading "*." or "."
 *   url          the URL as given, refanged, scheme and host lowercased,
 *                default port and fragment dropped; matched by its key
 *                (mm_ioc_url_key: host[:port] + path + query)
 *   email        lowercase address
 *   md5, sha1, sha256   lowercase hex
 *   ja3          lowercase hex of the MD5 (JA3 or JA3S)
 *   ja4          lowercase, as FoxIO writes it (t13d1516h2_8daaf6152771_...)
 *   filename     as given (matched without regard to case)
 *   user-agent, subject   as given (exact)
 *   regkey       a Windows registry key, or a key and a value name below it
 *                ("HKLM\\Software\\...\\Run\\Updater"): the hive written out
 *                (HKLM -> HKEY_LOCAL_MACHINE, HKCU, HKCR, HKU, HKCC), "/" read
 *                as "\\", doubled and trailing backslashes dropped; a hive
 *                alone is refused; matched without regard to case
 *
 * Advisories defang what they publish ("hxxp://evil[.]example"): the
 * normal form refangs "hxxp", "[.]", "(.)", "{.}", "[dot]", "[:]", "[at]".
 *
 * Readers (plain.c, csv.c, stix.c, misp.c, abusech.c, suricata.c) call the
 * sink once per indicator and once per malformed or refused entry, with
 * where it was (a line number or an object id): nothing is dropped
 * silently. An indicator that would match everything (0.0.0.0/0, a bare
 * top-level domain, "*", an empty value) is refused by mm_ioc_normalise.
 */
#ifndef MM_IOC_H
#define MM_IOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mm_ioc_type {
    IOC_NONE = 0,
    IOC_IPV4,
    IOC_IPV6,
    IOC_CIDR,
    IOC_DOMAIN,
    IOC_URL,
    IOC_EMAIL,
    IOC_MD5,
    IOC_SHA1,
    IOC_SHA256,
    IOC_JA3,
    IOC_JA4,
    IOC_FILENAME,
    IOC_USER_AGENT,
    IOC_SUBJECT,
    IOC_REGKEY,
    IOC__COUNT
} mm_ioc_type;

#define MM_IOC_VALUE_MAX 2048   /* longest value kept (a longer one is refused) */

typedef struct mm_ioc {
    mm_ioc_type type;
    const char *value;          /* normal form (mm_ioc_normalise) */
    const char *set;            /* the indicator set it belongs to, or NULL (readers leave it) */
    const char *source;         /* feed or file the indicator came from, or NULL */
    const char *desc;           /* description / threat name / malware family, or NULL */
    const char *tlp;            /* "clear", "green", "amber", "amber+strict", "red", or NULL */
    const char *ref;            /* the source's own id (STIX id, MISP uuid, feed id), or NULL */
    int64_t first_seen, last_seen;     /* microseconds since the epoch, 0: unknown */
    int64_t valid_from, valid_until;   /* 0: unbounded */
    int confidence;             /* 0-100, -1: unknown */
    bool to_ids;                /* the source says: use it for detection (default true) */
} mm_ioc;

/* Where a reader found something it could not take. */
typedef struct mm_ioc_sink {
    /* One indicator (strings valid only during the call). Non-zero stops the read. */
    int (*add)(void *user, const mm_ioc *ioc);
    /* A malformed or refused entry: where ("line 12", "indicator--9c3...")
     * and why, one line. */
    void (*bad)(void *user, const char *where, const char *why);
    void *user;
} mm_ioc_sink;

/* Type names as stored and printed ("ipv4", "cidr", "domain", "url",
 * "email", "md5", "sha1", "sha256", "ja3", "ja4", "filename",
 * "user-agent", "subject", "regkey"); IOC_NONE is "". */
const char *mm_ioc_type_name(mm_ioc_type t);
/* The type of a name above (also accepts common spellings: "ip",
 * "ip-dst", "hostname", "fqdn", "sha-256", "ja3_md5", ...); IOC_NONE if none. */
mm_ioc_type mm_ioc_type_parse(const char *name);

/* Recognises the type of a bare value (a plain list line): addresses,
 * networks, URLs (with a scheme, or "host/path"), email addresses, hashes
 * by length (32 hex: md5), JA4, domains (a dot and a known-shaped last
 * label), and otherwise a file name when it has an extension. IOC_NONE
 * when it is none of these. Defanged values are recognised. */
mm_ioc_type mm_ioc_guess(const char *s, size_t n);

/* Writes the normal form of s[0..n) read as type t into out (outlen
 * bytes). Returns true, or false with a one-line reason in why (whylen
 * bytes) when the value is malformed for its type or would match
 * everything. An IPv4 or IPv6 value with a prefix becomes IOC_CIDR (and a
 * /32 or /128 an address): *t is updated. */
bool mm_ioc_normalise(mm_ioc_type *t, const char *s, size_t n, char *out, size_t outlen,
                      char *why, size_t whylen);

/* The key a URL is matched by: host[:port when not the scheme's default]
 * followed by the path and query, host lowercased, "%xx" of unreserved
 * characters decoded, an empty path as "/". Works on a normal-form URL or
 * on "host" + "uri" joined by the caller. Returns the length (0 when it
 * does not fit or is not a URL). */
size_t mm_ioc_url_key(const char *url, size_t n, char *out, size_t outlen);

/* Registry keys: the length of the hive name s begins with (HKLM,
 * HKEY_LOCAL_MACHINE, ..., any case, followed by the end or a separator),
 * 0 when none; *full (when not NULL) gets its full name. */
size_t mm_ioc_regkey_hive(const char *s, size_t n, const char **full);
/* The normal form of a key (hive written out, "/" as "\\", doubled and
 * trailing separators dropped) into out; its length, 0 when s does not
 * begin with a hive, holds a control character or does not fit. */
size_t mm_ioc_regkey_norm(const char *s, size_t n, char *out, size_t outlen);

/* Domain parent walk: the offset of the next label after the first dot in
 * name[from..n), or n when there is none. */
size_t mm_ioc_next_label(const char *name, size_t n, size_t from);

/* ---- reading indicator files ---- */

typedef enum mm_ioc_format {
    IOC_FMT_AUTO = 0,
    IOC_FMT_PLAIN,      /* one value a line, type guessed */
    IOC_FMT_CSV,        /* a header row, columns mapped by name */
    IOC_FMT_STIX,       /* STIX 2.1 bundle (or one object) */
    IOC_FMT_MISP,       /* MISP event JSON (or a list of events) */
    IOC_FMT_URLHAUS,    /* abuse.ch URLhaus CSV */
    IOC_FMT_THREATFOX,  /* abuse.ch ThreatFox JSON export */
    IOC_FMT_FEODO,      /* abuse.ch Feodo Tracker IP blocklist (plain or CSV) */
    IOC_FMT_DATASET,    /* Suricata dataset file (type from --dataset-type or the name) */
    IOC_FMT_IPREP,      /* Suricata IP reputation file (ip,category,score) */
    IOC_FMT_MIMAMORI,   /* mimamori's own export (TSV with a header) */
    IOC_FMT__COUNT
} mm_ioc_format;

const char *mm_ioc_format_name(mm_ioc_format f);
mm_ioc_format mm_ioc_format_parse(const char *name);   /* IOC_FMT__COUNT: unknown */

typedef struct mm_ioc_read_opts {
    mm_ioc_format format;       /* IOC_FMT_AUTO: recognised from the content */
    const char *source;         /* default source name (NULL: the file's name) */
    const char *columns;        /* CSV: "value=ioc,type=kind,desc=comment" overrides */
    mm_ioc_type type;           /* plain / dataset: every line is this type (IOC_NONE: guessed) */
    int64_t now_us;             /* for STIX valid_until in the past (0: not checked) */
    uint64_t line0;             /* lines before the buffer (a file read in pieces):
                                   where messages count lines from */
} mm_ioc_read_opts;

/* Counts of one read. */
typedef struct mm_ioc_read_stats {
    uint64_t indicators;        /* given to the sink */
    uint64_t bad;               /* malformed or refused entries (each given to sink.bad) */
    uint64_t skipped;           /* entries that are not indicators (comments, other objects) */
    uint64_t expired;           /* valid_until already past */
} mm_ioc_read_stats;

/* Recognises the format of a file from its first bytes (head[0..n)) and
 * name; IOC_FMT_PLAIN when nothing more specific fits. */
mm_ioc_format mm_ioc_sniff(const char *name, const char *head, size_t n);

/* Reads one file (streamed: memory does not grow with its size beyond
 * one object or line). 0, or -1 with a one-line reason in err when the
 * file cannot be read at all or is not of the format. */
int mm_ioc_read_file(const char *path, const mm_ioc_read_opts *o, const mm_ioc_sink *sink,
                     mm_ioc_read_stats *st, char *err, size_t errlen);

/* The same over a buffer (fuzz targets, tests). name may be NULL. */
int mm_ioc_read_mem(const char *name, const char *d, size_t n, const mm_ioc_read_opts *o,
                    const mm_ioc_sink *sink, mm_ioc_read_stats *st, char *err, size_t errlen);

/* Per-format readers, called by mm_ioc_read_*. Each reads the whole of
 * d[0..n) (a STIX or MISP reader that streams from a FILE has its own
 * entry point below). */
int mm_ioc_read_plain(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                      mm_ioc_read_stats *st, char *err, size_t errlen);
int mm_ioc_read_csv(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                    mm_ioc_read_stats *st, char *err, size_t errlen);
int mm_ioc_read_stix(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                     mm_ioc_read_stats *st, char *err, size_t errlen);
int mm_ioc_read_misp(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                     mm_ioc_read_stats *st, char *err, size_t errlen);
int mm_ioc_read_dataset(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                        mm_ioc_read_stats *st, char *err, size_t errlen);
int mm_ioc_read_iprep(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                      mm_ioc_read_stats *st, char *err, size_t errlen);
int mm_ioc_read_mimamori(const char *d, size_t n, const mm_ioc_read_opts *o,
                         const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen);
int mm_ioc_read_threatfox(const char *d, size_t n, const mm_ioc_read_opts *o,
                          const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen);

/* Streaming JSON readers (files of any size, one object in memory at a time). */
int mm_ioc_stream_json(int fd, mm_ioc_format f, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                       mm_ioc_read_stats *st, char *err, size_t errlen);

/* Counts a refusal: calls s->bad and st->bad++. */
void mm_ioc_bad(const mm_ioc_sink *s, mm_ioc_read_stats *st, const char *where, const char *why);
/* Normalises raw (type t, IOC_NONE: guessed) into a copy of base and hands
 * it to the sink; a bad value goes to mm_ioc_bad with where. Returns the
 * sink's result (0 when refused). */
int mm_ioc_emit(const mm_ioc_sink *s, mm_ioc_read_stats *st, const mm_ioc *base, mm_ioc_type t,
                const char *raw, size_t n, const char *where);

#endif
