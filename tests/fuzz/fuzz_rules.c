/* Fuzz target: rule files (the Suricata language): lines, continuations,
 * headers with variables and lists, every keyword's value. A skipped rule
 * must come with a one-line reason; loaded rules must be self-consistent. */
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"

static void on_skip(void *ctx, const char *file, uint64_t line, uint32_t sid, int why,
                    const char *msg)
{
    (void)ctx;
    (void)file;
    (void)line;
    (void)sid;
    if (why < 0 || why >= MM_SKIP_N || !msg[0] || strchr(msg, '\n'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mm_ruleset *rs = mm_ruleset_new();
    if (!rs)
        return 0;
    mm_ruleset_on_skip(rs, on_skip, NULL);
    mm_ruleset_parse(rs, "fuzz", (const char *)data, size);
    const mm_rules_summary *s = mm_ruleset_summary(rs);
    if (s->loaded + s->skipped != s->rules || mm_ruleset_count(rs) != s->loaded)
        abort();
    for (size_t i = 0; i < mm_ruleset_count(rs); i++) {
        const mm_rule *r = mm_ruleset_rule(rs, i);
        if (!r->sid || !r->src || !r->dst || !r->sp || !r->dp || !r->priority)
            abort();
        for (int b = 0; b < r->nbuf; b++) {
            if (r->buf[b].id >= MM_BUF_N || !r->buf[b].nsm)
                abort();
            for (int k = 0; k < r->buf[b].nsm; k++) {
                const mm_sm *m = &r->buf[b].sm[k];
                if (m->type == MM_SM_CONTENT && (!m->u.c.len || !m->u.c.pat))
                    abort();
            }
        }
    }
    mm_ruleset_free(rs);
    return 0;
}
