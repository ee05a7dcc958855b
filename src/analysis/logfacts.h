/*
 * logfacts.h - what the reports need from gateway log records (and from the
 * sensor's DNS and DHCP events, given as the same records), summed in
 * memory during an import and written into the store's log tables
 * (store/schema.c: fw_month, fw_src_month, web_month, web_scheme_month,
 * log_findings, auth_day, dhcp_leases) inside the import's transaction.
 *
 * What a record adds:
 *   firewall  records per month, action, protocol, destination port; blocked
 *             records per source; a query to a resolver outside the
 *             company (port 53/853, when the inventory names its resolvers)
 *             is a "bypass" finding
 *   proxy     HTTPS or HTTP per month; bytes and requests per month,
 *             catalogued cloud service and client (shadow IT); names on
 *             the mining and dynamic-DNS lists are findings
 *   dns       answers that point nowhere or at a sinkhole ("sinkhole"),
 *             names on the dynamic-DNS list ("ddns") or others ("listed"),
 *             names resolved by a host the inventory lists as a server
 *             ("server_resolves"), a query sent to a resolver outside the
 *             company ("bypass", the sensor's events)
 *   dhcp      acknowledgements and releases: which machine had an address
 *   mail      an executable or macro attachment from outside
 *   auth      logins per day, source and result
 *
 * The inventory (mimamori ingest --inventory FILE) is a small text file per
 * company, one entry per line, '#' for comments:
 *   resolver 192.168.1.1       the company's own DNS servers (CIDR allowed)
 *   server 192.168.1.10        hosts with no reason to resolve names
 *   sanctioned dropbox         a cloud service the company uses on purpose
 *   country JP                 the company's country (logins from elsewhere)
 */
#ifndef MM_LOGFACTS_H
#define MM_LOGFACTS_H

#include "analysis/catalog.h"
#include "analysis/geo.h"
#include "detect/detect.h"
#include "logs/logs.h"
#include "store/store.h"

typedef struct mm_logfacts mm_logfacts;

/* geo, home, lists and cat may be NULL (no countries; the private ranges
 * as home; no list findings; no shadow IT). */
mm_logfacts *mm_logfacts_new(mm_db *db, const mm_geo *geo, const mm_netlist *home,
                             const mm_detect *lists, const mm_catalog *cat, char *err,
                             size_t errlen);
void mm_logfacts_free(mm_logfacts *lf);
/* Adds what the record shows to the sums of site_id. 0, or -1 when the
 * store failed. */
int mm_logfacts_record(mm_logfacts *lf, int64_t site_id, const mm_logrec *r);
/* A flow of the sensor's to a catalogued cloud service (its TLS server name
 * or HTTP host matched svc): bytes up (client to server) and down, for the
 * shadow IT of the client's month. 0 or -1. */
int mm_logfacts_web(mm_logfacts *lf, int64_t site, int64_t ts_us, int32_t tzoff, int svc,
                    const mm_ip *client, int64_t up, int64_t down);
/* Writes the sums (inside the caller's transaction) and empties them. */
int mm_logfacts_flush(mm_logfacts *lf);
/* Forgets the sums (the caller rolled back). */
void mm_logfacts_drop(mm_logfacts *lf);
/* Replaces the inventory of site_id with the file's entries. 0, or -1
 * with a one-line reason (file:line: why) in err. */
int mm_logfacts_inventory(mm_logfacts *lf, int64_t site_id, const char *path, char *err,
                          size_t errlen);
/* An EVE event of a log kind (firewall, proxy, web, dns, dhcp, mail, auth:
 * our log records as JSON, or the sensor's dns and dhcp events) as a
 * record; false for other events. */
struct jr_doc;
bool mm_logrec_from_eve(const struct jr_doc *d, mm_logrec *r);
/* "2024-03" of a time and its zone's offset. */
void mm_logfacts_month(int64_t ts_us, int32_t tzoff, char out[8]);

#endif
