/*
 * util.h - small shared helpers: sizes with k/m/g suffixes, EVE timestamps,
 * IP addresses as text, CIDR lists (home networks), bounded string copy.
 */
#ifndef MM_UTIL_H
#define MM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* An IPv4 or IPv6 address. IPv4 lives in the first 4 bytes, the rest zero. */
typedef struct mm_ip {
    uint8_t b[16];
    uint8_t v;          /* 4 or 6 */
} mm_ip;

/* "64m" -> 67108864. Accepts bytes with optional k, m, g (binary multiples,
 * case-insensitive, optional trailing 'b'/'ib'). Returns false on garbage or overflow. */
bool mm_parse_size(const char *s, uint64_t *out);

/* Whole non-negative number, bounded; false on garbage. */
bool mm_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* EVE timestamp "2023-09-18T06:13:41.532140+0000" (UTC) from ns since epoch.
 * out must hold MM_TS_LEN bytes. */
#define MM_TS_LEN 40
void mm_fmt_ts(uint64_t ts_ns, char *out);

/* Address as text (IPv6 compressed, as inet_ntop); out of MM_IPSTR_LEN bytes. */
#define MM_IPSTR_LEN 48
void mm_ip_str(const mm_ip *ip, char *out);
/* As Suricata's EVE writes addresses: IPv6 with every group, four digits
 * each ("fd01:0000:...:0101"); IPv4 as mm_ip_str. */
void mm_ip_str_full(const mm_ip *ip, char *out);
bool mm_ip_parse(const char *s, mm_ip *out);

/* A list of CIDR networks. */
typedef struct mm_cidr {
    mm_ip net;
    uint8_t bits;
} mm_cidr;

typedef struct mm_netlist {
    mm_cidr *v;
    size_t n;
} mm_netlist;

/* Parse "10.0.0.0/8,fd00::/8,192.0.2.1"; on error writes a message to err. */
bool mm_netlist_parse(mm_netlist *nl, const char *list, char *err, size_t errlen);
bool mm_netlist_contains(const mm_netlist *nl, const mm_ip *ip);
void mm_netlist_free(mm_netlist *nl);
/* The RFC 1918 and RFC 4193 ranges. */
#define MM_DEFAULT_HOME_NET "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"

/* A whole file in memory, NUL-terminated (not counted in *len); NULL with
 * a one-line reason in err when it cannot be read or exceeds max bytes. */
char *mm_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

/* The lowercase hex digest of d[0..n) by nettle's h (&nettle_md5,
 * &nettle_sha1, &nettle_sha256) into out (2 * digest size + 1 bytes);
 * returns its length. */
struct nettle_hash;
size_t mm_hash_hex(const struct nettle_hash *h, const uint8_t *d, size_t n, char *out);
/* The same digest as bytes (digest size, at most 32); returns its length. */
size_t mm_hash_raw(const struct nettle_hash *h, const uint8_t *d, size_t n, uint8_t *out);
/* RFC 4648 base64 of d into out (4 * ((n + 2) / 3) + 1 bytes, NUL-ended);
 * returns the length. */
#define MM_BASE64_LEN(n) (4 * (((size_t)(n) + 2) / 3) + 1)
size_t mm_base64_encode(const uint8_t *d, size_t n, char *out);
/* The value of a base64 character (RFC 4648; with url, the URL-safe '-'
 * and '_' too), -1 for any other. */
int mm_base64_value(uint8_t c, bool url);
/* Base64 of n characters at in, decoded into out (at most cap bytes);
 * characters outside the alphabet (line breaks, padding) are passed
 * over, as mail and web decoders do. Returns the bytes written. */
size_t mm_base64_decode_lax(const uint8_t *in, size_t n, uint8_t *out, size_t cap, bool url);

/* The value of a hex digit (either case), -1 for any other character. */
int mm_hex_value(char c);
/* Writes code point c (at most 0x10FFFF) as UTF-8 into o (room for 4):
 * the bytes written. */
size_t mm_utf8_put(uint32_t c, char *o);
/* A date (YYYY-MM-DD, local midnight in the process's TZ) or an ISO 8601
 * time, as microseconds since the epoch. end: the bound after it (a date
 * counts its whole day, a time itself), for [from, to) ranges. */
bool mm_parse_local_when(const char *s, bool end, int64_t *us);

/* Wall-clock and monotonic time in ns. */
uint64_t mm_now_ns(void);
/* "2019-05-30T09:11:05.138576+0000", "...Z", "+09:00", or a bare date
 * "2026-11-01" (UTC midnight) -> microseconds since the epoch. */
bool mm_parse_iso_ts(const char *s, int64_t *us);
/* Days since 1970-01-01 of a civil date (proleptic Gregorian), and back. */
int64_t mm_days_from_civil(int64_t y, unsigned m, unsigned d);
void mm_civil_from_days(int64_t days, int *y, int *m, int *d);
/* qsort that accepts an empty (possibly NULL) array, which qsort does not. */
void mm_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* Room for element n of the array *vp (a T ** given as void *) of *cap
 * elements of elem bytes: doubled when full (first when empty); false,
 * the array unchanged, when out of memory. */
bool mm_grow(void *vp, size_t *cap, size_t n, size_t elem, size_t first);
uint64_t mm_mono_ns(void);
uint64_t mm_wall_ns(void);
/* The one's-complement sum of d (RFC 1071), added to sum; fold with
 * mm_inet_fold. */
uint32_t mm_inet_sum(const uint8_t *d, size_t n, uint32_t sum);
uint16_t mm_inet_fold(uint32_t sum);    /* the time of day (CLOCK_REALTIME) */

/* strlcpy-like: always terminates, returns true when it fitted. */
bool mm_strcpy(char *dst, size_t dstlen, const char *src);

/* Little-endian reads (the caller has checked the bounds). */
static inline uint16_t mm_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t mm_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t mm_le64(const uint8_t *p)
{
    return (uint64_t)mm_le32(p) | (uint64_t)mm_le32(p + 4) << 32;
}

/* UTF-16LE (n bytes) to UTF-8 in out (always terminated, cut at a whole
 * character); a pair of surrogates is one character, an unpaired one
 * U+FFFD. string: the text ends at a NUL character or an odd last byte;
 * otherwise a NUL character is written as a NUL byte and an odd last byte
 * as U+FFFD. bad (may be NULL) is increased by the U+FFFD written for bad
 * input. out needs n / 2 * 3 + 4 bytes to hold everything. Returns the
 * length written. */
size_t mm_utf16le_utf8(const uint8_t *in, size_t n, char *out, size_t outlen, bool string,
                       uint64_t *bad);
/* The same as a string (protocol fields). */
size_t mm_utf16le_to_utf8(const uint8_t *in, size_t n, char *out, size_t outlen);

#endif
