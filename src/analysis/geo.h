/*
 * geo.h - country of an IP address.
 *
 * Default data: the country range files of Debian's tor-geoipdb (geoip and
 * geoip6, "low,high,CC" per line), unpacked by scripts/install-deps.sh into
 * data/geoip/. Alternatively a MaxMind/DB-IP .mmdb file through
 * libmaxminddb. Private, loopback, link-local, multicast and reserved
 * addresses are reported as such, never as a country. Country names in
 * English and Japanese come from Debian's iso-codes (its JSON table and its
 * Japanese gettext catalogue), loaded on first use.
 */
#ifndef MM_GEO_H
#define MM_GEO_H

#include "util/util.h"

typedef struct mm_geo mm_geo;

typedef enum mm_geo_kind {
    MM_GEO_COUNTRY = 0,   /* cc holds the ISO 3166-1 alpha-2 code */
    MM_GEO_UNKNOWN,       /* public, but in no range of the data */
    MM_GEO_PRIVATE,       /* RFC 1918, RFC 6598 shared, RFC 4193 unique local */
    MM_GEO_LOOPBACK,
    MM_GEO_LINKLOCAL,
    MM_GEO_MULTICAST,
    MM_GEO_RESERVED,      /* documentation, benchmarking, "this network", future use */
} mm_geo_kind;

/* path: a directory holding geoip/geoip6, or an .mmdb file; NULL searches
 * $MIMAMORI_GEOIP, the source tree's data/geoip, the installed data
 * directory and /usr/share/tor. */
mm_geo *mm_geo_open(const char *path, char *err, size_t errlen);
void mm_geo_close(mm_geo *g);
/* Kind of address; for MM_GEO_COUNTRY cc gets the code ("JP"). g may be NULL
 * (then only the special ranges are known). */
mm_geo_kind mm_geo_lookup(const mm_geo *g, const mm_ip *ip, char cc[3]);
const char *mm_geo_kind_name(mm_geo_kind k);
/* Special ranges only (no data needed). MM_GEO_COUNTRY means "public". */
mm_geo_kind mm_geo_special(const mm_ip *ip);
/* Country name in "en" or "ja"; NULL when unknown. */
const char *mm_geo_country_name(mm_geo *g, const char *cc, const char *lang);
size_t mm_geo_ranges(const mm_geo *g, int v);   /* ranges loaded (4 or 6) */
const char *mm_geo_source(const mm_geo *g);

#endif
