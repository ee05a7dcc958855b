/* Fuzz target: Suricata threshold.config files (suppress, threshold,
 * event_filter, rate_filter; continuations, ip lists). A parsed file is
 * then applied to alerts made from the input's bytes. */
#include <stdlib.h>
#include <string.h>

#include "detect/threshold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mm_netlist home;
    static bool init;
    char err[512];
    if (!init) {
        if (!mm_netlist_parse(&home, "10.0.0.0/8,fc00::/7", err, sizeof err))
            abort();
        init = true;
    }
    mm_thresholds *t = mm_thresholds_parse((const char *)data, size, &home, err, sizeof err);
    if (!t) {
        if (!err[0] || strchr(err, '\n'))
            abort();   /* a one-line reason */
        return 0;
    }
    mm_ip a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.v = b.v = 4;
    for (size_t i = 0; i + 8 <= size && i < 4096; i += 8) {
        memcpy(a.b, data + i, 4);
        memcpy(b.b, data + i + 4, 4);
        uint32_t sid = data[i] | (uint32_t)data[i + 1] << 8;
        (void)mm_thresholds_allow(t, 1, sid, &a, &b, (uint64_t)i * 1000000000ULL);
    }
    mm_thresholds_free(t);
    return 0;
}
