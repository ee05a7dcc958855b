/*
 * explain.h - what each built-in alert means, in plain Japanese and
 * English, for a company owner with no security background: what
 * happened, why it matters, what to do (first step first). The report
 * side looks texts up by alert.metadata.explain.
 */
#ifndef MM_EXPLAIN_H
#define MM_EXPLAIN_H

#include <stddef.h>

typedef struct mm_explain {
    const char *key;
    const char *title[2];       /* [0] ja, [1] en */
    const char *what[2];
    const char *why[2];
    const char *steps[2];       /* what to do, one step per line */
} mm_explain;

/* NULL when the key is unknown. */
const mm_explain *mm_explain_find(const char *key);
/* All of them (n set to the count). */
const mm_explain *mm_explain_all(size_t *n);

#endif
