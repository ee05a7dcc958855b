/*
 * rule_asn1.h - the asn1 payload keyword (Suricata's, from Snort): BER
 * objects decoded from an offset of the buffer, each (and each one inside
 * a constructed one) checked for the malformations old ASN.1 decoders
 * overflowed on (MS04-007):
 *
 *   bitstring_overflow   a BIT STRING whose unused-bit count exceeds its bits
 *   double_overflow      a REAL in decimal form longer than 256 bytes
 *   oversize_length N    an object longer than N
 *   absolute_offset N    decode from byte N of the buffer (else from 0) ...
 *   relative_offset N    ... or N (may be negative) from the cursor
 *
 * Only objects whose bytes are all there are checked (a length running
 * past the buffer ends the decoding), at most 30 in a row and 30 deep.
 */
#ifndef MM_RULE_ASN1_H
#define MM_RULE_ASN1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_ASN1_BITSTRING 0x01
#define MM_ASN1_DOUBLE    0x02
#define MM_ASN1_OVERSIZE  0x04
#define MM_ASN1_ABSOLUTE  0x08
#define MM_ASN1_RELATIVE  0x10

typedef struct mm_asn1 {
    uint8_t flags;              /* MM_ASN1_* */
    uint32_t oversize;
    int32_t offset;             /* absolute (>= 0) or relative */
} mm_asn1;

/* Parses the keyword's value ("bitstring_overflow, relative_offset 54 ...");
 * false with a reason in err. */
bool mm_asn1_parse(const char *val, mm_asn1 *out, char *err, size_t errlen);

/* Does buf (len bytes, cursor at cur) hold an object the checks name? */
bool mm_asn1_match(const mm_asn1 *a, const uint8_t *buf, uint32_t len, uint32_t cur);

#endif
