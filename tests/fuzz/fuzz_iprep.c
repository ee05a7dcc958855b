/* Fuzz target: IP reputation files and the iprep keyword. The input is a
 * categories file, a NUL byte, a reputation list, a NUL byte and rules;
 * every iprep option loaded is then tested against addresses taken from
 * the input. A category file that does not parse must say why in one line. */
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    mm_ruleset *rs = mm_ruleset_new();
    if (!text || !rs)
        abort();
    memcpy(text, data, size);
    text[size] = 0;
    char *list = memchr(text, 0, size);
    list = list ? list + 1 : text + size;
    char *rules = memchr(list, 0, (size_t)(text + size - list));
    rules = rules ? rules + 1 : text + size;
    size_t ncat = strlen(text), nlist = strlen(list);
    char err[256] = "";
    char *rtext = strdup(rules);    /* the lists are changed while read */
    if (!rtext)
        abort();
    if (!mm_ruleset_parse_rep_categories(rs, "fuzz", text, ncat, err, sizeof err) &&
        (!err[0] || strchr(err, '\n')))
        abort();
    uint64_t bad = 0;
    if (!mm_ruleset_parse_rep_list(rs, list, nlist, &bad))
        abort();
    mm_ruleset_parse(rs, "fuzz", rtext, strlen(rtext));
    mm_ip a = {{0}, 4}, b = {{0}, 6};
    memcpy(a.b, data, size < 4 ? size : 4);
    memcpy(b.b, data + (size > 16 ? size - 16 : 0), size < 16 ? size : 16);
    for (size_t i = 0; i < mm_ruleset_count(rs); i++) {
        const mm_rule *r = mm_ruleset_rule(rs, i);
        for (int k = 0; k < r->niprep; k++) {
            (void)mm_iprep_match(&r->iprep[k], &a, &b);
            (void)mm_iprep_match(&r->iprep[k], &b, &a);
        }
    }
    mm_ruleset_free(rs);
    free(rtext);
    free(text);
    return 0;
}
