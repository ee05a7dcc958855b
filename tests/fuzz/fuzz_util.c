/* Fuzz target: the small text parsers of the command line (sizes, networks)
 * and the JSON writer's escaping (packet bytes become JSON strings). */
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    uint64_t v;
    mm_parse_size(s, &v);
    mm_parse_uint(s, UINT64_MAX, &v);
    mm_netlist nl;
    char err[128];
    if (mm_netlist_parse(&nl, s, err, sizeof err))
        mm_netlist_free(&nl);
    mm_json j;
    mj_init(&j);
    mj_reset(&j);
    mj_obj_open(&j, NULL);
    mj_strn(&j, "k", (const char *)data, size);
    mj_obj_close(&j);
    /* every byte that left the writer must be printable ASCII or UTF-8 */
    for (size_t i = 0; i < j.len; i++)
        if ((unsigned char)j.s[i] < 0x20)
            abort();
    mj_free(&j);
    free(s);
    return 0;
}
