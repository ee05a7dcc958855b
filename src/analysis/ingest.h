/*
 * ingest.h - importing sensor output into the analysis store.
 *
 * Inputs are our segment files (plain, zstd or sealed; a directory of them,
 * as a sensor writes them or as copied from a removable disk), plain EVE
 * JSON files, ours or Suricata's, and gateway log files (src/logs/: plain
 * or gzip, found by content; their records go through analysis/logfacts). Each input is imported in one
 * transaction, so a damaged segment adds nothing and the others still go
 * in; each is recorded in the imports table, so importing it again adds
 * nothing (an EVE file that has grown since is imported from where the
 * last import stopped).
 *
 * Enrichment at import: the country of the remote end (GeoIP), the
 * direction (inbound / outbound / internal / external, from --home-net when
 * given, else what our sensor recorded, else the private ranges as home),
 * and the family of each alert (our built-in alerts carry it; rule alerts
 * map by sid, then classtype; else "other").
 */
#ifndef MM_INGEST_H
#define MM_INGEST_H

#include "analysis/catalog.h"
#include "analysis/geo.h"
#include "detect/detect.h"
#include "store/store.h"
#include "util/util.h"

typedef struct mm_ingest mm_ingest;

typedef struct mm_ingest_cfg {
    const char *site;          /* NULL: the segment's site, else the event's mimamori.site */
    const mm_netlist *home;    /* NULL: as recorded, else MM_DEFAULT_HOME_NET */
    const mm_geo *geo;         /* NULL: countries unknown ("XX") */
    const unsigned char *pk, *sk;   /* key pair for sealed segments, or NULL */
    bool quiet;                /* no line per input on stderr */
    /* gateway logs: the format of every log file (NULL: found per file),
     * the year and zone of lines without them (0, NULL: the file's year,
     * Asia/Tokyo) */
    const char *log_format;
    int log_year;
    const char *log_tz;
    const mm_detect *lists;    /* name lists for the log findings, or NULL */
    const mm_catalog *cat;     /* cloud services (shadow IT), or NULL */
    const char *archive;       /* keep every event line here (ioc/archive.h), or NULL */
} mm_ingest_cfg;

typedef struct mm_ingest_stats {
    uint64_t inputs;       /* files looked at */
    uint64_t imported;     /* inputs that added events */
    uint64_t already;      /* inputs found already imported */
    uint64_t damaged;      /* inputs refused (damaged, unreadable); the rest went on */
    uint64_t events;       /* event lines read from imported inputs */
    uint64_t alerts, flows, other;
    uint64_t file_events;  /* fim events of mimamori watch (host_files) */
    uint64_t bad_lines;    /* lines that are not JSON or lack what an event needs */
    uint64_t log_files;    /* inputs read as gateway logs */
    uint64_t log_records;  /* records of logs (files, or log events in JSON) */
    uint64_t log_skipped;  /* log lines that were not records, or malformed */
    uint64_t unknown;      /* files of no format mimamori knows, passed over */
} mm_ingest_stats;

mm_ingest *mm_ingest_new(mm_db *db, const mm_ingest_cfg *cfg, char *err, size_t errlen);
/* A file or a directory (walked, files in name order). 0 when every input
 * was imported or already there; 1 when some were damaged; -1 when the
 * store failed (err set). */
int mm_ingest_path(mm_ingest *in, const char *path, char *err, size_t errlen);
/* Replaces the inventory of a company (resolvers, servers, sanctioned
 * services, country: see analysis/logfacts.h). 0, or -1 with err. */
int mm_ingest_inventory(mm_ingest *in, const char *site, const char *path, char *err,
                        size_t errlen);
/* Merges the hunting index's pieces the imports added to (one piece per
 * company, month and kind; see ioc/obs.h), in a transaction. 0 or -1. */
int mm_ingest_compact(mm_ingest *in, char *err, size_t errlen);
/* Deletes rows older than the retention set for their table (relative to
 * the newest row), 0 or -1. */
int mm_ingest_retention(mm_ingest *in, char *err, size_t errlen);
void mm_ingest_stats_get(const mm_ingest *in, mm_ingest_stats *st);
void mm_ingest_free(mm_ingest *in);

#endif
