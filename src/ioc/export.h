/*
 * export.h - indicators written out as blocklists for the devices small
 * companies have: routers (nftables, ipset, Yamaha RTX), proxies (Squid),
 * resolvers (Unbound, BIND RPZ, a hosts file), sensors (Suricata datasets
 * and rules), and exchange formats (plain, CSV, STIX 2.1).
 *
 * An export takes a list of indicators in their normal form (ioc.h) and
 * passes each through four gates before a format writer sees it:
 *
 *   1. type: the types asked for (opts.types) and the format can hold;
 *      an indicator of a type the format cannot hold is counted "unfit";
 *   2. leave-out rules (skipped with opts.force): special-purpose
 *      addresses and networks of the IANA registries (RFC 6890 and later:
 *      private, shared/CGNAT, loopback, link-local, multicast,
 *      documentation, other reserved), a network that covers or overlaps
 *      one of them, networks shorter than /16 (IPv4) or /32 (IPv6), whole
 *      top-level and public-suffix-like domains, the big vendors' services
 *      (the detectors' built-in vendor list), the cloud catalogue's
 *      services and MISP warning lists given to the filter, and
 *      indicators their source marked as not for detection (MISP's to_ids
 *      false) or whose validity ended before the export. Each reason is
 *      counted on its own (mm_ioc_export_stats.left_out), so the export can
 *      say what it left out and why: a bad feed must not cut a company off
 *      from its mail or DNS. A URL is left out for its host only when it
 *      names the whole site (path "/" and no query): a phishing page on a
 *      big service is blocked, the service is not;
 *   3. safety: a value the target syntax cannot hold as it is (quotes,
 *      spaces, semicolons, control characters, non-ASCII that is not
 *      punycode, a malformed address, a /0) is never written: counted
 *      "unsafe". force does not lift this gate;
 *   4. duplicates (the same type and value twice; in Squid's lists also a
 *      domain under another of the list and a network inside another,
 *      which Squid would ignore with a warning) are written once, counted
 *      "duplicate".
 *
 * Formats and the files they write (a format of several files writes each
 * through mm_ioc_export_files; NAME is opts.name):
 *
 *   plain            every type, one value a line
 *   csv              every type: type,value,source,description,first_seen,
 *                    last_seen,confidence,tlp (RFC 4180, a header row;
 *                    a text field starting with = + - @ gets a leading '
 *                    so that a spreadsheet does not run it)
 *   stix             STIX 2.1 bundle of indicator objects (every type but
 *                    ja3 and ja4, which STIX has no object for); ids are
 *                    UUIDv5 of the type and value, so a later export of
 *                    the same indicator updates it
 *   nft              ipv4, ipv6, cidr: "table inet NAME" with interval sets
 *                    v4 and v6 and drop rules in input, forward and output
 *                    (replaces the table of the same name when loaded
 *                    with nft -f)
 *   ipset            ipv4, ipv6, cidr: an "ipset restore" file, hash:net
 *                    sets NAME-v4 and NAME-v6 (flushed and refilled)
 *   squid            domain, url, ipv4, ipv6, cidr, in three files:
 *                      NAME-domains.acl  dstdomain (".name": it and its
 *                                        subdomains)
 *                      NAME-urls.acl     url_regex (the URL escaped, anchored
 *                                        at its start; Squid sees HTTPS URLs
 *                                        only when it bumps TLS)
 *                      NAME-ips.acl      dst (addresses and networks)
 *                    used as
 *                      acl NAME_domains dstdomain "/path/NAME-domains.acl"
 *                      acl NAME_urls url_regex "/path/NAME-urls.acl"
 *                      acl NAME_ips dst "/path/NAME-ips.acl"
 *                      http_access deny NAME_domains  (and the others)
 *   unbound          domain: server: + local-zone: "name." always_nxdomain
 *   rpz              domain, ipv4, ipv6, cidr: a BIND response-policy zone
 *                    (origin opts.origin): "name CNAME ." and "*.name CNAME
 *                    .", addresses and networks as rpz-ip triggers
 *   hosts            domain: "0.0.0.0 name"
 *   suricata-dataset domain, user-agent, filename (type string, base64),
 *                    ja3 and md5 (type md5), sha256, ipv4 (type ipv4),
 *                    ipv6 (type ip): one file NAME-<kind>.lst each, only
 *                    those that have values
 *   suricata-rules   NAME.rules plus the lists its rules load: domains as
 *                    dns.query / tls.sni / http.host rules (the name and
 *                    its subdomains), URLs as http.host + http.uri rules,
 *                    addresses and networks as ip rules (50 a rule, both
 *                    directions), md5 / sha1 / sha256 by filemd5 /
 *                    filesha1 / filesha256 lists, ja3, user-agent and
 *                    filename by datasets. Sids 9000000-9999999,
 *                    numbered afresh by each export (docs/detectors.md
 *                    lists our sid ranges).
 *   yamaha           ipv4, ipv6, cidr: Yamaha RTX "ip filter" / "ipv6
 *                    filter" reject commands, numbers 2000000 + 2k
 *                    (packets from the address) and 2000000 + 2k + 1
 *                    (packets to it) for IPv4, 2500000 + ... for IPv6;
 *                    the "ip lan2 secure filter in/out" lines that apply
 *                    them are written as comments, because that command
 *                    replaces the interface's whole list and the export
 *                    does not know the router's own filters.
 */
#ifndef MM_IOC_EXPORT_H
#define MM_IOC_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ioc/ioc.h"

struct mm_catalog;

/* Why an indicator was left out of a blocklist. */
typedef enum mm_ioc_left {
    IOC_LEFT_PRIVATE,       /* RFC 1918, RFC 4193 */
    IOC_LEFT_CGNAT,         /* 100.64.0.0/10 */
    IOC_LEFT_LOOPBACK,
    IOC_LEFT_LINKLOCAL,
    IOC_LEFT_MULTICAST,
    IOC_LEFT_DOC,           /* documentation (TEST-NET, 2001:db8::/32, 3fff::/20) */
    IOC_LEFT_RESERVED,      /* the other special-purpose ranges */
    IOC_LEFT_BROAD,         /* a network shorter than /16 or /32 */
    IOC_LEFT_SUFFIX,        /* a top-level or public-suffix-like domain */
    IOC_LEFT_VENDOR,        /* the big vendors' services (built-in list) */
    IOC_LEFT_CATALOG,       /* a cloud service of the catalogue */
    IOC_LEFT_WARNING,       /* on a MISP warning list */
    IOC_LEFT_NOT_IDS,       /* its source says: not for detection (to_ids false) */
    IOC_LEFT_EXPIRED,       /* valid_until before the export's time */
    IOC_LEFT__COUNT
} mm_ioc_left;

typedef struct mm_ioc_export_opts {
    const char *format;     /* a name of mm_ioc_export_formats() */
    unsigned types;         /* bits (1u << IOC_x); 0: every type the format can hold */
    bool force;             /* write what the leave-out rules would leave out */
    const char *name;       /* table, set, ACL and file name stem (NULL: "mimamori");
                             * letters, digits, '_' and '-', at most 24 */
    const char *origin;     /* RPZ zone origin (NULL: "rpz.mimamori.") */
    const char *part;       /* mm_ioc_export with a format of several files: which
                             * one ("domains", "rules", "md5", ...) */
    int64_t now_us;         /* export time (STIX created, RPZ serial); 0: now */
} mm_ioc_export_opts;

typedef struct mm_ioc_export_stats {
    uint64_t written;                       /* indicators written */
    uint64_t left_out[IOC_LEFT__COUNT];     /* by reason (not when forced) */
    uint64_t unfit;                         /* of types the format cannot hold */
    uint64_t unsafe;                        /* values the format cannot hold safely */
    uint64_t duplicate;                     /* written once already */
} mm_ioc_export_stats;

/* What to leave out besides the built-in rules: the cloud catalogue and
 * MISP warning lists. A NULL filter means the built-in rules only. */
typedef struct mm_ioc_export_filter mm_ioc_export_filter;

mm_ioc_export_filter *mm_ioc_export_filter_new(void);
void mm_ioc_export_filter_free(mm_ioc_export_filter *f);
/* Services of catalogue c (analysis/catalog.h; kept by the caller, not
 * copied) are left out. */
void mm_ioc_export_filter_catalog(mm_ioc_export_filter *f, const struct mm_catalog *c);
/* A MISP warning list ({"name":..., "type": "hostname" | "cidr" | "string"
 * | "substring", "list": [...]}): 0, or -1 with a one-line reason (a
 * "regex" list is refused: its patterns are not ours to run). Entries that
 * are not usable (a bad network, an empty string, not a string) are passed
 * over and counted (mm_ioc_export_filter_bad). */
int mm_ioc_export_filter_load_warninglist(mm_ioc_export_filter *f, const char *path, char *err,
                                          size_t errlen);
/* The same from memory (name for messages, may be NULL). */
int mm_ioc_export_filter_load_warninglist_mem(mm_ioc_export_filter *f, const char *name,
                                              const char *d, size_t n, char *err, size_t errlen);
/* Entries loaded from warning lists, and entries passed over. */
size_t mm_ioc_export_filter_entries(const mm_ioc_export_filter *f);
uint64_t mm_ioc_export_filter_bad(const mm_ioc_export_filter *f);

/* Where the files of a format go: open(user, file) for each file (a bare
 * name such as "mimamori-domains.acl"); NULL and errno set on failure.
 * close(user, f) returns 0, or non-zero when the file could not be
 * written. */
typedef struct mm_ioc_export_files {
    FILE *(*open)(void *user, const char *file);
    int (*close)(void *user, FILE *f);
    void *user;
} mm_ioc_export_files;

/* Exports v[0..n) to out. A format of several files needs o->part (the
 * name of the file without NAME- and the extension: "domains", "urls",
 * "ips" for squid; "rules", "md5", ... for Suricata). 0, or -1 with a
 * one-line reason in err (unknown format or part, bad name, write error,
 * out of memory). st is filled (zeroed first). */
int mm_ioc_export(FILE *out, const mm_ioc *v, size_t n, const mm_ioc_export_opts *o,
                  const mm_ioc_export_filter *f, mm_ioc_export_stats *st, char *err,
                  size_t errlen);
/* Every file of the format through files. */
int mm_ioc_export_to(const mm_ioc_export_files *files, const mm_ioc *v, size_t n,
                     const mm_ioc_export_opts *o, const mm_ioc_export_filter *f,
                     mm_ioc_export_stats *st, char *err, size_t errlen);
/* Every file of the format into directory dir (which must exist). */
int mm_ioc_export_dir(const char *dir, const mm_ioc *v, size_t n, const mm_ioc_export_opts *o,
                      const mm_ioc_export_filter *f, mm_ioc_export_stats *st, char *err,
                      size_t errlen);

/* Does the format write more than one file? false for unknown names. */
bool mm_ioc_export_multi(const char *format);
/* The formats, one line each with what it holds ("  nft   nftables ..."),
 * for --help. */
const char *mm_ioc_export_formats(void);
/* Why an indicator was left out, as the summary says it ("private
 * addresses"). */
const char *mm_ioc_left_name(mm_ioc_left r);
/* One line, for stderr: "written 120; left out 3: 2 private addresses, 1
 * big vendor service; 4 of types the format cannot hold". */
void mm_ioc_export_summary(FILE *to, const mm_ioc_export_stats *st);

/* The leave-out decision on the value alone (force, to_ids and validity
 * not looked at): the reason, or IOC_LEFT__COUNT when it may be blocked. */
mm_ioc_left mm_ioc_export_leave_out(const mm_ioc *ioc, const mm_ioc_export_filter *f);

#endif
