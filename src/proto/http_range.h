/*
 * http_range.h - a file downloaded in pieces: HTTP 206 responses with a
 * Content-Range, in one flow or several (download managers, Windows'
 * BITS, resumed downloads), put back together as Suricata's URL range
 * container does. Each piece stays a file of its own (fileinfo with start
 * and end); once every byte of the whole is there, the whole is a file
 * too, with its size and hashes, logged in the transaction that
 * completed it.
 *
 * The pieces are keyed by host and URI. Bounded: at most RANGE_FILES
 * wholes at once (an idle one goes for a new one), RANGE_HELD bytes of
 * pieces that arrived before the bytes preceding them per whole.
 */
#ifndef MM_HTTP_RANGE_H
#define MM_HTTP_RANGE_H

#include "proto/app.h"

#include <stdbool.h>
#include <stdint.h>

/* A Content-Range value "bytes START-END/SIZE" (either side may be '*');
 * the parts not given are -1. False when it is not one. */
bool mm_crange_parse(const char *v, size_t n, int64_t *start, int64_t *end, int64_t *size);

/* A piece of the whole of size bytes at host+uri begins at offset start:
 * the id of its whole (0: none, the piece is not kept). */
uint32_t mm_hrange_join(mm_app *a, const char *host, const char *uri, uint64_t size,
                        uint64_t ts);

/* The piece's bytes d[0..n) at offset off of whole id. When they complete
 * it, the whole's fileinfo event is written in flow f (ctx adds the
 * protocol's object). */
void mm_hrange_data(mm_app *a, mm_flow *f, uint32_t id, uint64_t off, const uint8_t *d,
                    uint32_t n, uint64_t tx_id, uint64_t ts,
                    void (*ctx)(mm_json *j, const void *arg), const void *arg);

/* Frees every whole not completed (the sensor stops). */
void mm_hrange_free(mm_app *a);

#endif
