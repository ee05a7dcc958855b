/*
 * threshold.h - Suricata's threshold.config, for every alert the sensor
 * writes (built-in detectors and rules alike): suppress (for a signature,
 * or for it and some hosts), threshold/event_filter (limit, threshold,
 * both; tracked by source, destination, rule or pair), rate_filter (a
 * new_action of pass silences alerts while it holds; alert, drop, reject,
 * sdrop and log leave them: the sensor is passive).
 *
 * gen_id 0 or sig_id 0 stand for any. ip takes an address, a prefix, a
 * bracketed list of them, or $HOME_NET. Lines may be continued with '\'.
 */
#ifndef MM_THRESHOLD_H
#define MM_THRESHOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

typedef struct mm_thresholds mm_thresholds;

/* Parses text (a whole file). NULL with "line N: why" in err on a bad
 * line: a configuration mistake stops the start. home: $HOME_NET. */
mm_thresholds *mm_thresholds_parse(const char *text, size_t n, const mm_netlist *home,
                                   char *err, size_t errlen);
/* Reads and parses a file (at most 16 MiB). */
mm_thresholds *mm_thresholds_load(const char *path, const mm_netlist *home, char *err,
                                  size_t errlen);
void mm_thresholds_free(mm_thresholds *t);
size_t mm_thresholds_count(const mm_thresholds *t);

/* Whether an alert of gid:sid from src to dst at ts (ns) is written. */
bool mm_thresholds_allow(mm_thresholds *t, uint32_t gid, uint32_t sid, const mm_ip *src,
                         const mm_ip *dst, uint64_t ts);

#endif
