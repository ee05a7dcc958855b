/* Fuzz target: capture file readers (pcap, pcapng) feeding the whole
 * decode/flow/stream pipeline. */
#include "capture/capture.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    fz_pipe *p = fz_pipe_new();
    mm_capfile *c = mm_capfile_open_mem(data, size, err, sizeof err);
    if (!c)
        return 0;
    mm_rawpkt raw;
    int n = 0;
    while (mm_capfile_next(c, &raw, err, sizeof err) == MM_CAP_PKT && n++ < 100000)
        fz_packet(p, &raw);
    mm_capfile_close(c);
    mm_flow_flush(p->ft);
    return 0;
}
