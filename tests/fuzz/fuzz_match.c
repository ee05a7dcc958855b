/* Fuzz target: one rule's options against hostile data (rules/rule_match.c):
 * content search, pcre, byte_test/jump/extract/math, isdataat, base64,
 * asn1, transforms. Input: the options of one rule (up to the first
 * newline), then the buffer every one of its buffers is matched against.
 * The rule must parse; the match must end (the step budget) without
 * reading outside the buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"
#include "rules/rule_match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size < 2048 ? size : 2048);
    if (!nl)
        return 0;
    size_t olen = (size_t)(nl - data);
    if (memchr(data, '\0', olen))
        return 0;
    char line[2200];
    int k = snprintf(line, sizeof line, "alert tcp any any -> any any (%.*s)", (int)olen,
                     (const char *)data);
    if (k < 0 || (size_t)k >= sizeof line)
        return 0;
    /* one rule set for many inputs (making one zeroes large tables), made
     * anew now and then: what a parse leaves in its arena is bounded */
    static mm_ruleset *rs;
    static mm_matcher *m;
    static unsigned uses;
    if (rs && ++uses % 512 == 0) {
        mm_ruleset_free(rs);
        rs = NULL;
    }
    if (!rs)
        rs = mm_ruleset_new();
    if (!m)
        m = mm_matcher_new();
    if (!rs || !m)
        return 0;
    mm_rule r;
    int why = -1;
    char msg[256];
    if (!mm_rule_parse(rs, line, &r, &why, msg, sizeof msg))
        return 0;
    /* a copy of exactly the buffer's bytes: a read past it is ASan's */
    size_t blen = size - olen - 1;
    uint8_t *buf = malloc(blen ? blen : 1);
    if (!buf)
        return 0;
    memcpy(buf, nl + 1, blen);
    mm_matcher_reset(m);
    for (int i = 0; i < r.nbuf; i++)       /* its transforms first, as the engine */
        (void)mm_rbuf_match(m, &r.buf[i], buf, (uint32_t)blen);
    free(buf);
    return 0;
}
