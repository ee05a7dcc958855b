/*
 * client.h - who the client of a web request is, and which language it
 * reads.
 *
 * The address: the TCP peer, unless the peer is one of our trusted
 * reverse proxies; then X-Forwarded-For is read from the right (each proxy
 * appends the address it received the request from), trusted proxies are
 * passed over, and the first untrusted address is the client. Everything
 * to the left of it was written by the client itself and is never read.
 *
 * What is safest when the header cannot be trusted:
 *  - XFF from an untrusted peer is ignored whole (anyone can send it): the
 *    peer is the client (MM_WEB_CLIENT_XFF_IGNORED, counted by the server).
 *  - A trusted proxy sending no XFF, or an empty one: the request came
 *    from the proxy itself; the peer is the client (MM_WEB_CLIENT_PEER).
 *  - A trusted proxy whose XFF is malformed where we read it (an element
 *    that is not an address, or more elements than MM_WEB_XFF_MAX before an
 *    untrusted one): the client is unknown. out is set to the peer so that
 *    rate limits still bind (all such requests share the proxy's bucket,
 *    which fails closed) but MM_WEB_CLIENT_BAD is returned and the request
 *    is marked client_known = false: a service that acts on the client's
 *    address (the exposure self-check probes it) must refuse, never probe
 *    the proxy or a guess.
 *  - Every element trusted: the request started at a trusted host; the
 *    leftmost element is the client (MM_WEB_CLIENT_XFF).
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, what a dual-stack socket
 * reports for IPv4 peers) are read as the IPv4 address throughout.
 */
#ifndef MM_WEB_CLIENT_H
#define MM_WEB_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

#define MM_WEB_XFF_MAX 32       /* elements read from the right, at most */

typedef enum mm_web_client_src {
    MM_WEB_CLIENT_PEER,         /* the TCP peer (no proxy involved) */
    MM_WEB_CLIENT_XFF,          /* from X-Forwarded-For of a trusted proxy */
    MM_WEB_CLIENT_XFF_IGNORED,  /* the peer; it sent XFF but is not trusted */
    MM_WEB_CLIENT_BAD,          /* unknown: trusted proxy, malformed XFF; out = peer */
} mm_web_client_src;

/* ::ffff:a.b.c.d -> a.b.c.d; anything else unchanged. */
void mm_web_ip_norm(mm_ip *ip);
/* One X-Forwarded-For element: "192.0.2.1", "2001:db8::1", "[2001:db8::1]",
 * "[2001:db8::1]:443", "192.0.2.1:443" (spaces around allowed). */
bool mm_web_xff_elem(const char *s, size_t n, mm_ip *out);
/* xff: the header's value or NULL; trusted: the proxies (NULL or empty:
 * none). */
mm_web_client_src mm_web_client_addr(const mm_ip *peer, const char *xff,
                                     const mm_netlist *trusted, mm_ip *out);

/* "ja" or "en". override (a cookie or a parameter) wins when it is exactly
 * "ja" or "en"; else the Accept-Language range of the highest q naming
 * ja or en (first listed on a tie, q=0 never); else "ja". */
const char *mm_web_lang(const char *accept_language, const char *override);

#endif
