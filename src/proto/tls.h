/*
 * tls.h - what of the TLS parser other parts use: a certificate's fields,
 * read as the sensor's tls events log them.
 */
#ifndef MM_PROTO_TLS_H
#define MM_PROTO_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mm_tls_certinfo {
    char subject[512], issuer[512];
    char not_before[24], not_after[24];    /* "2027-01-31T23:59:59" (UTC) */
    char fingerprint[64];                  /* SHA-1, "aa:bb:..." */
    char names[2048];                      /* subjectAltName DNS names, comma-separated */
} mm_tls_certinfo;

/* The fields of the DER certificate der[0..n); false when it is not one. */
bool mm_tls_cert_info(const uint8_t *c, size_t n, mm_tls_certinfo *out);

#endif
