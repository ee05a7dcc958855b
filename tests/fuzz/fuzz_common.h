/* fuzz_common.h - the sensor pipeline after capture, for fuzz targets:
 * decoder + flow table with reassembly, output discarded. */
#ifndef MM_FUZZ_COMMON_H
#define MM_FUZZ_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/flow.h"

static uint64_t fz_sink;

static void fz_data(void *u, mm_flow *f, int dir, const uint8_t *d, uint32_t len, bool eof)
{
    (void)u; (void)f; (void)eof;
    if (d && len)
        fz_sink += d[0] + d[len - 1] + (uint64_t)dir;   /* touch the bytes */
}

typedef struct fz_pipe {
    mm_decoder dec;
    mm_flowtable *ft;
} fz_pipe;

static fz_pipe *fz_pipe_new(void)
{
    static fz_pipe p;
    static bool init;
    if (!init) {
        mm_flow_config c;
        mm_flow_config_defaults(&c);
        c.memcap = 1 << 20;
        c.stream_memcap = 1 << 20;
        c.ooo_max_bytes = 64 << 10;
        mm_flow_hooks h = {NULL, NULL, fz_data, NULL, fz_data};
        if (!mm_decoder_init(&p.dec, 1 << 20) || !(p.ft = mm_flowtable_new(&c, &h)))
            abort();
        init = true;
    }
    return &p;
}

static void fz_packet(fz_pipe *p, const mm_rawpkt *raw)
{
    mm_pkt pk;
    int dir;
    mm_decode(&p->dec, raw, &pk);
    mm_flow_packet(p->ft, &pk, raw->ts_ns, &dir);
    mm_flow_expire(p->ft, raw->ts_ns);
}

#endif
