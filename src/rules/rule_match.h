/*
 * rule_match.h - matching a rule's options against a buffer (see
 * rule_match.c for the semantics). A matcher holds the scratch space and
 * PCRE2 match data of one thread; it allocates only when a transform or
 * base64_decode needs more room than it has.
 */
#ifndef MM_RULE_MATCH_H
#define MM_RULE_MATCH_H

#include "rules/rule.h"

typedef struct mm_matcher mm_matcher;

mm_matcher *mm_matcher_new(void);
void mm_matcher_free(mm_matcher *m);
/* Before each rule: forgets byte_extract variables and base64 data. */
void mm_matcher_reset(mm_matcher *m);
/* True when every option of rb holds on buf (after rb's transforms). */
bool mm_rbuf_match(mm_matcher *m, const mm_rbuf *rb, const uint8_t *buf, uint32_t len);
/* Applies rb's transforms to buf (the result lives in the matcher's scratch). */
bool mm_matcher_transform(mm_matcher *m, const mm_rbuf *rb, const uint8_t **buf, uint32_t *len);
/* The first position of pat (n bytes, letters in either case when nocase)
 * in buf[from, to) where it fits whole; -1 when none. */
int64_t mm_rm_find(const uint8_t *buf, uint32_t from, uint32_t to, const uint8_t *pat,
                   uint32_t n, bool nocase);
void mm_matcher_stats(const mm_matcher *m, uint64_t *pcre_runs, uint64_t *pcre_limited);

/* What the last rule's pcre groups put in variables (flow:NAME, pkt:NAME),
 * in the order matched; kept from the matches the rule went on with. */
#define MM_CAP_MAX 8
#define MM_CAP_LEN 256
typedef struct mm_capture {
    uint32_t id;                /* mm_ruleset_var_name */
    uint8_t kind;               /* MM_VAR_* */
    uint16_t len;
    uint8_t data[MM_CAP_LEN];
} mm_capture;
const mm_capture *mm_matcher_captures(const mm_matcher *m, int *n);

#endif
