/* Fuzz target: the configuration file (util/config.c). Byte 0 even: the
 * sensor-like table of keys; odd: any key. A refusal is one line; the
 * arguments made are well formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const mm_cfg_key keys[] = {
        {"interface", MM_CFG_VALUE}, {"site", MM_CFG_VALUE},    {"home-net", MM_CFG_JOIN},
        {"rules", MM_CFG_LIST},      {"ioc", MM_CFG_LIST},      {"community-id", MM_CFG_FLAG},
        {"zstd", MM_CFG_OPTVALUE},   {"output", MM_CFG_VALUE},
    };
    if (size == 0)
        return 0;
    bool any = data[0] & 1;
    mm_cfg_args a;
    char err[512];
    int r = mm_config_parse((const char *)data + 1, size - 1, any ? NULL : keys,
                            any ? 0 : sizeof keys / sizeof keys[0], &a, err, sizeof err);
    if (r != 0) {
        if (!err[0] || strchr(err, '\n') || a.argc || a.argv)
            abort();
        return 0;
    }
    if (a.argc && (!a.argv || a.argv[a.argc]))
        abort();
    for (int i = 0; i < a.argc; i++)
        if (strlen(a.argv[i]) > MM_CFG_MAX_VALUE + 80)
            abort();
    if (any && a.argc % 2)
        abort();
    mm_cfg_args_free(&a);
    return 0;
}
