/*
 * ingest.h - importing sensor output into the analysis store.
 *
 * Inputs are our segment files (plain, zstd or sealed; a directory of them,
 * as a sensor writes them or as copied from a removable disk) and plain EVE
 * JSON files, ours or Suricata's. Each input is imported in one
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

#include "analysis/geo.h"
#include "store/store.h"
#include "util/util.h"

typedef struct mm_ingest mm_ingest;

typedef struct mm_ingest_cfg {
    const char *site;          /* NULL: the segment's site, else the event's mimamori.site */
    const mm_netlist *home;    /* NULL: as recorded, else MM_DEFAULT_HOME_NET */
    const mm_geo *geo;         /* NULL: countries unknown ("XX") */
    const unsigned char *pk, *sk;   /* key pair for sealed segments, or NULL */
    bool quiet;                /* no line per input on stderr */
} mm_ingest_cfg;

typedef struct mm_ingest_stats {
    uint64_t inputs;       /* files looked at */
    uint64_t imported;     /* inputs that added events */
    uint64_t already;      /* inputs found already imported */
    uint64_t damaged;      /* inputs refused (damaged, unreadable); the rest went on */
    uint64_t events;       /* event lines read from imported inputs */
    uint64_t alerts, flows, other;
    uint64_t bad_lines;    /* lines that are not JSON or lack what an event needs */
} mm_ingest_stats;

mm_ingest *mm_ingest_new(mm_db *db, const mm_ingest_cfg *cfg, char *err, size_t errlen);
/* A file or a directory (walked, files in name order). 0 when every input
 * was imported or already there; 1 when some were damaged; -1 when the
 * store failed (err set). */
int mm_ingest_path(mm_ingest *in, const char *path, char *err, size_t errlen);
/* Deletes rows older than the retention set for their table (relative to
 * the newest row), 0 or -1. */
int mm_ingest_retention(mm_ingest *in, char *err, size_t errlen);
void mm_ingest_stats_get(const mm_ingest *in, mm_ingest_stats *st);
void mm_ingest_free(mm_ingest *in);

#endif
