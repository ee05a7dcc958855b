/*
 * community_id.h - the Community ID (v1) of a flow, as Zeek, Suricata
 * and Wireshark compute it: SHA-1 over the seed and the flow's tuple with
 * the smaller endpoint first, base64, prefixed "1:" (corelight's
 * community-id-spec; ICMP types and codes stand in for ports as Zeek maps
 * them).
 */
#ifndef MM_COMMUNITY_ID_H
#define MM_COMMUNITY_ID_H

#include <stdint.h>

#include "util/util.h"

#define MM_COMMUNITY_ID_LEN 32      /* "1:" + 28 base64 characters + NUL */

/* For TCP/UDP/SCTP the ports; for ICMP (1) and ICMPv6 (58) sp is the
 * type and dp the code of the first side's message; other protocols
 * ignore them. */
void mm_community_id(const mm_ip *src, uint16_t sp, const mm_ip *dst, uint16_t dp,
                     uint8_t proto, uint16_t seed, char out[MM_COMMUNITY_ID_LEN]);

#endif
