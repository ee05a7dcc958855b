/* Fuzz target: what mimamori update reads: its configuration (first byte
 * even) and the downloaded .tar.gz archives (first byte odd). */
#include <stdlib.h>
#include <string.h>

#include "rules/update.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        (void)mm_update_archive_members(data + 1, size - 1);
        return 0;
    }
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    char err[512] = "";
    if (mm_update_check_config(text, err, sizeof err) != 0 && (!err[0] || strchr(err, '\n')))
        abort();                /* a one-line reason */
    free(text);
    return 0;
}
