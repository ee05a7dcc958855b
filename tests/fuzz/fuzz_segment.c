/* Fuzz target: the segment reader (the analysis side reads segments from
 * collection disks: hostile input). */
#include <sodium.h>
#include <stdlib.h>

#include "output/output.h"

static int line_cb(void *u, const char *l, size_t n)
{
    (void)u;
    return n > 0 && l[0] == 0 ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    static bool init;
    if (!init) {
        if (sodium_init() < 0)
            abort();
        crypto_box_keypair(pk, sk);
        init = true;
    }
    mm_seg_info info;
    char err[256];
    mm_seg_read_mem(data, size, pk, sk, line_cb, NULL, &info, err, sizeof err);
    return 0;
}
