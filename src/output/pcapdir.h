/*
 * pcapdir.h - packets kept as rotating pcap files within a disk quota.
 */
#ifndef MM_PCAPDIR_H
#define MM_PCAPDIR_H

#include "capture/capture.h"

enum { MM_PCAP_ALL = 0, MM_PCAP_ALERTED = 1 };

typedef struct mm_pcapdir mm_pcapdir;

typedef struct mm_pcapdir_stats {
    uint64_t written_bytes, written_pkts, not_kept, files_removed, files;
    uint64_t in_use;       /* bytes of our pcap files in the directory */
    bool disk_full;
} mm_pcapdir_counters;

mm_pcapdir *mm_pcapdir_open(const char *dir, uint64_t quota, char *err, size_t errlen);
/* Keep one packet; returns false when it could not be kept (counted). */
bool mm_pcapdir_write(mm_pcapdir *pd, const mm_rawpkt *p);
void mm_pcapdir_stats_get(const mm_pcapdir *pd, mm_pcapdir_counters *st);
void mm_pcapdir_close(mm_pcapdir *pd);

#endif
