/*
 * obspiece.h - one piece of the hunting index: the values of one kind a
 * company showed in one UTC month, with per value the internal hosts that
 * met it, the first and last minute and the count (table obs_piece; see
 * obs.h for who writes pieces and hunt.c for who reads them).
 *
 * A piece is written once and never changed: ingest appends pieces and
 * merges those of a (company, month, kind) into one when they pile up.
 *
 * Layout (version 1):
 *   u8 version, u8 codec (0: plain, 1: zstd), varint length of the plain
 *   payload, then the payload (compressed with codec 1):
 *     varint hosts, each (varint length, bytes)
 *     varint entries, varint records
 *     six streams, each a varint byte length and its varints:
 *       keys    per entry: bytes shared with the previous key, length of
 *               the rest, the rest (keys sorted as bytes, distinct)
 *       nrec    per entry: its records (at least 1)
 *       host    per record: index into the hosts
 *       first   per record: minute of the month of the first sighting,
 *               two bytes, low first (a varint would spend a third byte
 *               on most minutes of a month)
 *       span    per record: minutes from the first to the last
 *       count   per record: sightings - 1
 * Columns apart compress better than rows: each stream holds numbers of
 * one kind (docs/hunting.md has the measurements). Keys are bytes: an
 * address as its 16 bytes (IPv4 mapped), other values as their text key.
 */
#ifndef MM_IOC_OBSPIECE_H
#define MM_IOC_OBSPIECE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_OBSP_KEY_MAX 4096        /* longest key a piece holds */
#define MM_OBSP_MINUTES (31 * 1440) /* minutes in the longest month */

/* One record to write: a (key, host) with its minutes and count. */
typedef struct mm_obsp_rec {
    const uint8_t *key;
    uint32_t klen;
    const char *host;               /* NUL-ended, "" when unknown, at most 255 bytes */
    uint32_t first, last;           /* minutes of the month, first <= last */
    uint64_t count;                 /* >= 1 */
} mm_obsp_rec;

/* Sorts recs by (key, host) and adds up those of the same key and host
 * (earliest first, latest last, counts summed). Returns how many remain. */
size_t mm_obsp_combine(mm_obsp_rec *recs, size_t n);

/* How many of the first records fit in one piece (at least 1 when n > 0):
 * a piece holds at most 2^20 records and 48 MiB of keys and hosts, so
 * that reading one back stays bounded. */
size_t mm_obsp_chunk(const mm_obsp_rec *recs, size_t n);

/* The piece of n combined records (n no more than mm_obsp_chunk allows) (see mm_obsp_combine), malloc'd into
 * *out and *outlen. level: zstd's (0: no compression). false when out of
 * memory or a record is out of bounds. */
bool mm_obsp_encode(const mm_obsp_rec *recs, size_t n, int level, uint8_t **out,
                    size_t *outlen);

/* A piece read back, every part checked. */
typedef struct mm_obsp {
    uint32_t nhosts, nent, nrec;
    const char **hosts;             /* NUL-ended */
    uint32_t *key_off, *key_len;    /* into keys */
    uint32_t *rec_at;               /* entry i: records rec_at[i] .. rec_at[i+1]-1 */
    uint32_t *host, *first, *last;  /* per record; minutes of the month */
    uint64_t *count;
    uint8_t *keys;                  /* the keys written out in full */
    char *hostbuf;
    uint8_t *plain;                 /* the decompressed payload */
} mm_obsp;

/* Decodes a piece. false with a reason (the piece is damaged or not one);
 * p is then empty and may be freed. */
bool mm_obsp_decode(const uint8_t *blob, size_t len, mm_obsp *p, const char **why);
void mm_obsp_free(mm_obsp *p);

/* The first entry whose key is >= (k, kl) (nent when none). */
uint32_t mm_obsp_lower(const mm_obsp *p, const uint8_t *k, size_t kl);
/* Compares entry i's key with (k, kl) as bytes (shorter first on a tie). */
int mm_obsp_cmp(const mm_obsp *p, uint32_t i, const uint8_t *k, size_t kl);

#endif
