/* Fuzz target: DCE/RPC PDUs as they cross an SMB named pipe (the request
 * or bind first, then its answer from the same bytes' second half), and
 * the "dcerpc" object written from them. */
#include <stdlib.h>
#include <string.h>

#include "proto/dcerpc.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    uint32_t n = (uint32_t)size, half = n / 2;
    mm_dce_pdu req, res;
    bool hq = mm_dce_parse(data, n, &req);
    bool hr = mm_dce_parse(data + half, n - half, &res);
    if (hq && req.stub && (req.stub < data || req.stub + req.stub_have > data + n))
        abort();    /* the stub must lie within the bytes given */
    if (hq)
        mm_dce_ack(&req, data + half, n - half);
    mm_json j;
    mj_init(&j);
    mj_reset(&j);
    mj_obj_open(&j, NULL);
    mm_dce_json(&j, hq ? &req : NULL, hr ? &res : NULL, size & 1);
    mj_obj_close(&j);
    for (size_t i = 0; i < j.len; i++)
        if ((unsigned char)j.s[i] < 0x20)
            abort();
    mj_free(&j);
    return 0;
}
