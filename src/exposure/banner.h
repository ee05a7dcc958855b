/*
 * banner.h - who answers on an open port: what to say first (nothing, an
 * HTTP request, or a TLS ClientHello), when enough has been read, and what
 * the reply says (service, first line, TLS certificate). The reply comes
 * from a machine we do not control: it is read as hostile input.
 */
#ifndef MM_EXPOSURE_BANNER_H
#define MM_EXPOSURE_BANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exposure/probe.h"

typedef enum mm_banner_kind {
    MM_BK_WAIT,      /* the server speaks first (SSH, FTP, SMTP...) */
    MM_BK_HTTP,      /* we send an HTTP request */
    MM_BK_TLS,       /* we send a TLS ClientHello */
} mm_banner_kind;

#define MM_BANNER_READ_MAX 16384   /* what is read of a reply, at most */

/* What to send first to port; the bytes (at most cap) go to out, their
 * count to *len (0 for MM_BK_WAIT). host: the name for HTTP's Host and
 * TLS's SNI (NULL: the address as text, and no SNI). */
mm_banner_kind mm_banner_opening(uint16_t port, const mm_ip *addr, const char *host, uint8_t *out,
                                 size_t cap, size_t *len);
/* Has enough of the reply been read to say what it is? */
bool mm_banner_enough(mm_banner_kind k, const uint8_t *d, size_t n);
/* Fills r's service, banner and certificate fields from the reply. */
void mm_banner_read(mm_banner_kind k, uint16_t port, const uint8_t *d, size_t n,
                    mm_probe_result *r);

#endif
