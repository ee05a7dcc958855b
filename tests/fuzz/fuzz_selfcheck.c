/* Fuzz target: the self-check service's request handling (exposure/
 * service.c on the web layer) from bytes, without sockets and without a
 * connection to anything (the service's dry run). Input: byte 0 the peer
 * (bit 0 a trusted proxy, bit 1 IPv6, bits 2-7 its last byte), then
 * "METHOD\nTARGET\n", header lines "Name: value\n", an empty line and the
 * body: forms with consent and ports, JSON for /api/check, result ids,
 * company links. Every response must carry the security headers and a
 * status in range; a JSON answer must be one JSON object. */
#include <stdlib.h>
#include <string.h>

#include "exposure/service.h"
#include "util/jread.h"
#include "webreq.h"


static mm_selfcheck *svc;
static mm_selfcheck_config cfg;
static uint64_t clock_ns = 1796601600000000000ULL;

static void setup(void)
{
    memset(&cfg, 0, sizeof cfg);
    mm_web_config_defaults(&cfg.web);
    cfg.web.listen = NULL;
    cfg.web.trusted_proxies = "10.0.0.0/8,fd00::/8";
    cfg.web.rl.capacity = 64;
    cfg.web.csrf_capacity = 64;
    cfg.max_parallel = 4;
    cfg.dry_run = true;
    char err[256];
    if (!mm_portlist_parse(&cfg.ports, "maintenance", err, sizeof err) ||
        !(svc = mm_selfcheck_new(&cfg, err, sizeof err)))
        abort();
}

static void check_resp(const mm_web_resp *r)
{
    if (r->status < 100 || r->status > 599 || !mm_web_resp_get(r, "Content-Security-Policy") ||
        !mm_web_resp_get(r, "X-Frame-Options") || !mm_web_resp_get(r, "X-Content-Type-Options"))
        abort();
    for (size_t i = 0; i < r->nhdr; i++)
        if (strpbrk(r->hdr[i].value, "\r\n"))
            abort();
    if (strncmp(r->ctype, "application/json", 16) == 0) {
        jr_doc d;
        jr_init(&d, 4096);
        if (jr_parse(&d, r->body.s ? r->body.s : "", r->body.len) != 0 || d.t[0].type != JR_OBJ)
            abort();
        jr_free(&d);
    }
    if (strncmp(r->ctype, "text/html", 9) == 0 && r->body.s &&
        (memmem(r->body.s, r->body.len, "<script", 7) || memmem(r->body.s, r->body.len,
                                                                  "style=", 6)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!svc)
        setup();
    clock_ns += 1000000000ULL;
    static char in[FZ_WEB_MAXIN + 1];
    static mm_web_req req;
    static mm_web_resp resp;
    if (!fz_web_input(&req, data, size, in, clock_ns))
        return 0;
    mm_web_resp_init(&resp, 1 << 20);
    mm_web_dispatch(mm_selfcheck_web(svc), &req, &resp);
    check_resp(&resp);
    mm_web_req_done(&req);
    mm_web_resp_free(&resp);
    return 0;
}
