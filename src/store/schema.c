/*
 * schema.c - the tables of the analysis store, the same on SQLite and
 * PostgreSQL.
 *
 *   sites      one row per company (name as the analyst gave it)
 *   imports    what was imported, so importing it again adds nothing:
 *              kind 'segment' keyed by the segment's own name and checksum,
 *              kind 'file' by the SHA-256 of the file's bytes, kind 'eve'
 *              by the SHA-256 of the imported prefix of an EVE file (head:
 *              the SHA-256 of its first line, to find the prefix again
 *              when the file has grown), kind 'mail' by the SHA-256 of a
 *              mail file (.eml, mbox, one Maildir message)
 *   alerts     one row per alert, enriched at import: family, direction,
 *              which end is local and which remote, the remote's country
 *   flows_day  the flows with an alert peer (a remote address that had
 *              an alert at that company, in the store or the same input)
 *              rolled up per UTC day and (local host, remote host,
 *              direction): packets and bytes each way, first and last
 *              time: what the reports show of an attacker or a malicious
 *              site. Keyed company, remote address first, as the report
 *              reads it. All other traffic is kept only as the two rollups
 *              below: a row per host pair and day for every flow would be
 *              nearly a row per flow.
 *   countries_day  packets each way per UTC day and remote country: the
 *              country shares and tables of the reports
 *   peers      per company and public remote address: first and last
 *              time, flows, packets and bytes each way, and how many flows
 *              were not our own connections to a web, name or time
 *              service; the cross-company view over all traffic reads it
 *   span       the first and last event time in the store ('first',
 *              'last'), so a report of all data knows its period without
 *              scanning
 *   retention  days to keep per table (no row: keep everything)
 *
 * From gateway logs (and the sensor's DHCP and DNS events), kept as the
 * reports read them; a month is the record's local calendar month
 * ("2024-03"), as the log wrote its time:
 *   fw_month   firewall records per month, action, protocol and destination
 *              port: the blocked-port shares, the telnet and IoT shares
 *   fw_src_month  blocked records per month and source address (country)
 *   web_month  per month, catalogued cloud service and internal client:
 *              bytes up and down, requests, first and last time (shadow IT)
 *   web_scheme_month  web requests per month, HTTPS and plain HTTP
 *   log_findings  what the logs show that needs a look, per kind (sinkhole,
 *              ddns, listed, server_resolves, bypass, exec_attachment),
 *              name, answer or detail, and internal host: count, first, last
 *   auth_day   logins per day, service, source address and result
 *   web_paths  per company and path below the document root (analysis/
 *              webpath.h) that a web server's access log shows answered
 *              (status 200-399, or none given): requests, POSTs, first and
 *              last time, the first POST's time, whether the path names a
 *              script (watch/webshell.h): a file the watch saw appear that is
 *              requested, a script whose first request was a POST
 *   web_admin  requests for administration pages (wp-login.php, wp-admin,
 *              administrator ...) per company, page and source address
 *              with its country: the report shows those from abroad
 *   dhcp_leases  each DHCP acknowledgement or release: which machine (MAC,
 *              name) had an address from when (until: the lease's end when
 *              the line said its length)
 *   inventory  what the company told us (mimamori ingest --inventory):
 *              its resolvers, servers that should not resolve names,
 *              sanctioned services, its country
 *
 * Indicators and hunting (src/ioc/):
 *   ioc_sets   one row per indicator set: name, where it came from, its
 *              format, whether it is hunted again after each import (watch)
 *              and how long its indicators stay (expires_days)
 *   iocs       the indicators of each set in normal form (src/ioc/ioc.h)
 *              with what their source said: description, TLP, confidence,
 *              first and last seen, validity, the source's id; expires is
 *              the time the indicator leaves the set (0: never)
 *   obs_piece  the hunting index: per kind of value an indicator can name
 *              (0 ip, 1 domain, 2 url, 3 email, 4 hash, 5 ja4, 6 filename,
 *              7 user-agent, 8 subject), UTC month (202612) and company,
 *              pieces (seq; each in parts of at most 2000 bytes, rows
 *              appended in id order so that pages fill) of the values
 *              seen, each with the internal
 *              hosts that met it, first and last minute and count, sorted
 *              by the key a value is looked up by: an address as its 16
 *              bytes (IPv4 mapped into IPv6), so a network is a key range;
 *              a name with its labels reversed ("example.evil.www"), so a
 *              domain and its subdomains are a key range (the layout is in
 *              src/ioc/obspiece.h, the reasons in docs/hunting.md). It
 *              replaced obs_month (a row per value, month and host), whose
 *              rows ingest and hunt convert once
 *   ioc_hits   what hunting a watched set found (mimamori ioc import
 *              --watch), per company, set, indicator, value seen and
 *              internal host (with its DHCP name and MAC at the last
 *              sighting): the reports' indicator findings
 *
 * Host watch (src/watch/, mimamori watch) and sweeps (mimamori ioc sweep):
 *   sensor_health  per company and sensor, its newest stats event: when,
 *              uptime, packets, drops (kernel, interface, memcaps, events it
 *              could not write), rules loaded and failed and when they were
 *              read, reloads, the output directory's free and total bytes
 *              (-1 unknown): the dashboard's sensors
 *   host_files  one row per file event of a watched web root: the machine
 *              (host: the watcher's sensor name), the time, the root and the
 *              path below it, what happened (added, changed, removed,
 *              unreadable), size and SHA-256 after it; when the watcher
 *              raised an alert for it (the alert carries the time of its
 *              fim event, so both land on one row): the classifier's kind,
 *              severity, signature id, reasons (English phrases joined by
 *              "; ") and explanation key. Keyed by (company, host, root,
 *              path, time, action): a segment imported again adds nothing
 *   sweep_hits what `mimamori ioc sweep --site S` found on a machine (host:
 *              --host or its name): per set, indicator and where it was seen
 *              (the path, or "path:line KEY\VALUE" in Windows evidence), with
 *              the kind, evidence kind, field, the file's SHA-256, first and
 *              last sweep that found it and how many sweeps did. Apart from
 *              ioc_hits because hunting a watched set rewrites that set's rows
 *              of ioc_hits from the hunting index, which has no files; the
 *              reports read both as indicator findings
 *
 * The dashboard (src/dash/):
 *   users      an account: name, role ('analyst' or 'company'), the company
 *              of a company account (site_id; NULL for analysts), the
 *              password as libsodium's Argon2id string, failed logins in a
 *              row and the time a lockout ends (0: none)
 *   sessions   a login: the SHA-256 (hex) of the random token the browser
 *              holds (the token itself is stored nowhere), its user, when
 *              it was made, when it ends at the latest, when last used
 *
 * Times are microseconds since the epoch (UTC). remote_cc is the ISO code
 * of a public remote address, 'XX' when the GeoIP data has no country for
 * it, NULL for private and reserved addresses; alerts.local_cc the same for
 * the local end (a company with public addresses).
 */
#include "store/store.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);"
    "CREATE TABLE IF NOT EXISTS sites (id @ID@, name TEXT UNIQUE NOT NULL);"
    "CREATE TABLE IF NOT EXISTS imports (id @ID@, site_id BIGINT NOT NULL, kind TEXT NOT NULL,"
    " key TEXT NOT NULL, head TEXT, bytes BIGINT, events BIGINT, source TEXT, imported BIGINT,"
    " UNIQUE (site_id, kind, key));"
    "CREATE INDEX IF NOT EXISTS imports_head ON imports (site_id, head);"
    "CREATE TABLE IF NOT EXISTS alerts (id @ID@, site_id BIGINT NOT NULL, ts BIGINT NOT NULL,"
    " sensor TEXT, gid BIGINT, sid BIGINT, rev BIGINT, signature TEXT, category TEXT,"
    " severity BIGINT, family TEXT, explain TEXT, proto TEXT, app_proto TEXT, src_ip TEXT,"
    " src_port BIGINT, dest_ip TEXT, dest_port BIGINT, direction TEXT, local_ip TEXT,"
    " remote_ip TEXT, remote_cc TEXT, remote_public BIGINT, flow_id BIGINT, local_cc TEXT);"
    "CREATE INDEX IF NOT EXISTS alerts_site_ts ON alerts (site_id, ts);"
    "CREATE TABLE IF NOT EXISTS flows_day (site_id BIGINT NOT NULL, day BIGINT NOT NULL,"
    " local_ip TEXT NOT NULL, remote_ip TEXT NOT NULL, direction TEXT NOT NULL,"
    " remote_cc TEXT, remote_public BIGINT, app_proto TEXT, dest_port BIGINT, flows BIGINT,"
    " pkts_in BIGINT, pkts_out BIGINT, bytes_in BIGINT, bytes_out BIGINT, first_ts BIGINT,"
    " last_ts BIGINT, PRIMARY KEY (site_id, remote_ip, day, local_ip, direction))@WOR@;"
    "CREATE TABLE IF NOT EXISTS countries_day (site_id BIGINT NOT NULL, day BIGINT NOT NULL,"
    " cc TEXT NOT NULL, flows BIGINT, pkts_in BIGINT, pkts_out BIGINT, bytes_in BIGINT,"
    " bytes_out BIGINT, PRIMARY KEY (site_id, day, cc))@WOR@;"
    "CREATE TABLE IF NOT EXISTS peers (site_id BIGINT NOT NULL, remote_ip TEXT NOT NULL,"
    " remote_cc TEXT, first_ts BIGINT, last_ts BIGINT, flows BIGINT, unusual BIGINT,"
    " pkts_in BIGINT, pkts_out BIGINT, bytes_in BIGINT, bytes_out BIGINT,"
    " PRIMARY KEY (site_id, remote_ip))@WOR@;"
    "CREATE INDEX IF NOT EXISTS peers_ip ON peers (remote_ip);"
    "CREATE TABLE IF NOT EXISTS span (k TEXT PRIMARY KEY, v BIGINT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS retention (tbl TEXT PRIMARY KEY, days BIGINT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS fw_month (site_id BIGINT NOT NULL, month TEXT NOT NULL,"
    " action TEXT NOT NULL, proto TEXT NOT NULL, dest_port BIGINT NOT NULL, records BIGINT,"
    " PRIMARY KEY (site_id, month, action, proto, dest_port))@WOR@;"
    "CREATE TABLE IF NOT EXISTS fw_src_month (site_id BIGINT NOT NULL, month TEXT NOT NULL,"
    " src_ip TEXT NOT NULL, cc TEXT, records BIGINT, first_ts BIGINT, last_ts BIGINT,"
    " PRIMARY KEY (site_id, month, src_ip))@WOR@;"
    "CREATE TABLE IF NOT EXISTS web_month (site_id BIGINT NOT NULL, month TEXT NOT NULL,"
    " service TEXT NOT NULL, client TEXT NOT NULL, bytes_up BIGINT, bytes_down BIGINT,"
    " requests BIGINT, first_ts BIGINT, last_ts BIGINT,"
    " PRIMARY KEY (site_id, month, service, client))@WOR@;"
    "CREATE TABLE IF NOT EXISTS web_scheme_month (site_id BIGINT NOT NULL, month TEXT NOT NULL,"
    " https BIGINT, http BIGINT, PRIMARY KEY (site_id, month))@WOR@;"
    "CREATE TABLE IF NOT EXISTS log_findings (site_id BIGINT NOT NULL, kind TEXT NOT NULL,"
    " name TEXT NOT NULL, answer TEXT NOT NULL, host TEXT NOT NULL, count BIGINT,"
    " first_ts BIGINT, last_ts BIGINT, PRIMARY KEY (site_id, kind, name, answer, host))@WOR@;"
    "CREATE TABLE IF NOT EXISTS auth_day (site_id BIGINT NOT NULL, day BIGINT NOT NULL,"
    " service TEXT NOT NULL, src_ip TEXT NOT NULL, result TEXT NOT NULL, cc TEXT,"
    " count BIGINT, last_user TEXT, first_ts BIGINT, last_ts BIGINT,"
    " PRIMARY KEY (site_id, day, service, src_ip, result))@WOR@;"
    "CREATE TABLE IF NOT EXISTS web_paths (site_id BIGINT NOT NULL, path TEXT NOT NULL,"
    " script BIGINT, requests BIGINT, posts BIGINT, first_ts BIGINT, last_ts BIGINT,"
    " first_post_ts BIGINT, PRIMARY KEY (site_id, path))@WOR@;"
    "CREATE TABLE IF NOT EXISTS web_admin (site_id BIGINT NOT NULL, page TEXT NOT NULL,"
    " src_ip TEXT NOT NULL, cc TEXT, count BIGINT, first_ts BIGINT, last_ts BIGINT,"
    " PRIMARY KEY (site_id, page, src_ip))@WOR@;"
    "CREATE TABLE IF NOT EXISTS dhcp_leases (site_id BIGINT NOT NULL, ip TEXT NOT NULL,"
    " ts BIGINT NOT NULL, mac TEXT NOT NULL, kind TEXT NOT NULL, hostname TEXT,"
    " until_ts BIGINT, PRIMARY KEY (site_id, ip, ts, mac, kind))@WOR@;"
    "CREATE TABLE IF NOT EXISTS inventory (site_id BIGINT NOT NULL, kind TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY (site_id, kind, value))@WOR@;"
    "CREATE TABLE IF NOT EXISTS ioc_sets (id @ID@, name TEXT UNIQUE NOT NULL, source TEXT,"
    " format TEXT, watch BIGINT NOT NULL DEFAULT 0, expires_days BIGINT NOT NULL DEFAULT 0,"
    " created BIGINT, updated BIGINT);"
    "CREATE TABLE IF NOT EXISTS iocs (set_id BIGINT NOT NULL, type TEXT NOT NULL,"
    " value TEXT NOT NULL, source TEXT, description TEXT, tlp TEXT, ref TEXT,"
    " confidence BIGINT, to_ids BIGINT, first_seen BIGINT, last_seen BIGINT,"
    " valid_from BIGINT, valid_until BIGINT, imported BIGINT, expires BIGINT,"
    " PRIMARY KEY (set_id, type, value))@WOR@;"
    "CREATE TABLE IF NOT EXISTS obs_piece (id @ID@, kind BIGINT NOT NULL,"
    " month BIGINT NOT NULL, site_id BIGINT NOT NULL, seq BIGINT NOT NULL,"
    " part BIGINT NOT NULL, data @BLOB@ NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS obs_piece_key ON obs_piece"
    " (kind, month, site_id, seq, part);"
    "CREATE TABLE IF NOT EXISTS ioc_hits (site_id BIGINT NOT NULL, set_name TEXT NOT NULL,"
    " itype TEXT, indicator TEXT NOT NULL, seen TEXT NOT NULL, host TEXT NOT NULL,"
    " host_name TEXT, host_mac TEXT, description TEXT, first_ts BIGINT, last_ts BIGINT,"
    " count BIGINT, found BIGINT,"
    " PRIMARY KEY (site_id, set_name, indicator, seen, host))@WOR@;"
    "CREATE TABLE IF NOT EXISTS sensor_health (site_id BIGINT NOT NULL, sensor TEXT NOT NULL,"
    " ts BIGINT NOT NULL, uptime BIGINT, pkts BIGINT, kernel_pkts BIGINT, kernel_drops BIGINT,"
    " if_drops BIGINT, memcap_drops BIGINT, write_errors BIGINT, rules_loaded BIGINT,"
    " rules_failed BIGINT, rules_ts BIGINT, reloads BIGINT, reload_failures BIGINT,"
    " reload_error TEXT, disk_free BIGINT, disk_total BIGINT,"
    " PRIMARY KEY (site_id, sensor))@WOR@;"
    "CREATE TABLE IF NOT EXISTS host_files (site_id BIGINT NOT NULL, host TEXT NOT NULL,"
    " root TEXT NOT NULL, path TEXT NOT NULL, ts BIGINT NOT NULL, action TEXT NOT NULL,"
    " size BIGINT, sha256 TEXT, kind TEXT, severity BIGINT, sid BIGINT, reasons TEXT,"
    " explain TEXT, PRIMARY KEY (site_id, host, root, path, ts, action))@WOR@;"
    "CREATE INDEX IF NOT EXISTS host_files_ts ON host_files (site_id, ts);"
    "CREATE TABLE IF NOT EXISTS sweep_hits (site_id BIGINT NOT NULL, host TEXT NOT NULL,"
    " set_name TEXT NOT NULL, itype TEXT, indicator TEXT NOT NULL, seen TEXT NOT NULL,"
    " evidence TEXT, field TEXT, path TEXT, sha256 TEXT, description TEXT, first_ts BIGINT,"
    " last_ts BIGINT, count BIGINT,"
    " PRIMARY KEY (site_id, host, set_name, indicator, seen))@WOR@;"
    /* exposure checks (src/exposure): a check is one self-check, audit or
     * web-site check; site 0 is an anonymous self-check. Its ports: every
     * port asked for a self-check, the open and closed ones of an audit
     * (the rest were filtered: the check's counts say how many). */
    "CREATE TABLE IF NOT EXISTS exposure_checks (id @ID@, site_id BIGINT NOT NULL,"
    " kind TEXT NOT NULL, ts BIGINT NOT NULL, requester TEXT, targets BIGINT, ports BIGINT,"
    " open BIGINT, closed BIGINT, filtered BIGINT, hosts_down BIGINT, label TEXT);"
    "CREATE INDEX IF NOT EXISTS exposure_checks_site ON exposure_checks (site_id, ts);"
    "CREATE TABLE IF NOT EXISTS exposure_ports (check_id BIGINT NOT NULL, site_id BIGINT NOT NULL,"
    " target TEXT NOT NULL, port BIGINT NOT NULL, state TEXT NOT NULL, service TEXT,"
    " banner TEXT, cert_subject TEXT, cert_names TEXT, cert_not_after TEXT, detail TEXT,"
    " PRIMARY KEY (check_id, target, port))@WOR@;"
    /* a company's link for its staff's self-checks (mimamori exposure link) */
    "CREATE TABLE IF NOT EXISTS exposure_links (token TEXT PRIMARY KEY, site_id BIGINT NOT NULL,"
    " created BIGINT, revoked BIGINT NOT NULL DEFAULT 0);"
    /* the dashboard's accounts and logins (src/dash) */
    "CREATE TABLE IF NOT EXISTS users (id @ID@, name TEXT UNIQUE NOT NULL, role TEXT NOT NULL,"
    " site_id BIGINT, pwhash TEXT NOT NULL, failed BIGINT NOT NULL DEFAULT 0,"
    " locked_until BIGINT NOT NULL DEFAULT 0, created BIGINT);"
    "CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL,"
    " created BIGINT NOT NULL, expires BIGINT NOT NULL, last_seen BIGINT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);"
    "INSERT INTO meta (k, v) VALUES ('schema', '1') ON CONFLICT (k) DO NOTHING;";

int mm_store_init(mm_db *db)
{
    return mm_db_exec(db, schema);
}
