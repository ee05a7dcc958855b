/* Fuzz target: decoders. The first byte picks the link type, the rest is a
 * sequence of frames (2-byte length + bytes) so that fragments and TCP
 * segments can meet in the defragmenter and the stream reassembler. */
#include "capture/capture.h"
#include "fuzz_common.h"

static const int linktypes[] = {MM_LT_ETHERNET, MM_LT_RAW, MM_LT_LINUX_SLL, MM_LT_LINUX_SLL2,
                                MM_LT_NULL, MM_LT_LOOP, MM_LT_PPP, MM_LT_CHDLC, MM_LT_PPI,
                                MM_LT_IPV4, MM_LT_IPV6};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fz_pipe *p = fz_pipe_new();
    int lt = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
    size_t off = 1;
    uint64_t ts = 1000000000ULL;
    while (off + 2 <= size) {
        size_t n = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (n > size - off)
            n = size - off;
        /* a private copy, so reads past n are caught by ASan */
        uint8_t *frame = malloc(n ? n : 1);
        memcpy(frame, data + off, n);
        mm_rawpkt raw = {ts, (uint32_t)n, (uint32_t)n, lt, 0, frame};
        fz_packet(p, &raw);
        free(frame);
        off += n;
        ts += 1000000ULL;
    }
    mm_flow_flush(p->ft);
    return 0;
}
