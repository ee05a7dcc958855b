/*
 * test_proto.c - what the parsers show the detectors (mm_app_observe), fed
 * with messages built here byte by byte from the protocols' definitions
 * (RFC 6520 heartbeat, MS-CIFS TRANS2, ntpd's mode 7 header).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "proto/app.h"
#include "proto/multipart.h"
#include "proto/http_range.h"

/* The events written, for the tests that look at them. */
static char events[16384];
static size_t nevents;

static int sink(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    if (nevents + len < sizeof events) {
        memcpy(events + nevents, line, len);
        nevents += len;
        events[nevents] = 0;
    }
    return 0;
}

typedef struct seen {
    int n_hb, n_smb, n_ntp, n_ev;
    char ev[64];
    mm_obs_tls_heartbeat hb;
    mm_obs_smb1 smb;
    mm_obs_ntp ntp;
} seen;

static void observer(void *ctx, mm_flow *f, int dir, int kind, const void *obs, uint64_t ts)
{
    (void)f, (void)dir, (void)ts;
    seen *s = ctx;
    if (kind == MM_OBS_TLS_HEARTBEAT) {
        s->n_hb++;
        s->hb = *(const mm_obs_tls_heartbeat *)obs;
    } else if (kind == MM_OBS_SMB1) {
        s->n_smb++;
        s->smb = *(const mm_obs_smb1 *)obs;
    } else if (kind == MM_OBS_APP_EVENT || kind == MM_OBS_APP_EVENT_MSG ||
               kind == MM_OBS_APP_EVENT_TX) {
        s->n_ev++;
        snprintf(s->ev, sizeof s->ev, "%s", (const char *)obs);
    } else if (kind == MM_OBS_NTP) {
        s->n_ntp++;
        s->ntp = *(const mm_obs_ntp *)obs;
    }
}

typedef struct rig {
    mm_eve eve;
    mm_app app;
    mm_flow f;
    seen s;
} rig;

static void rig_init(rig *r, uint8_t proto, uint16_t sport)
{
    memset(r, 0, sizeof(*r));
    nevents = 0;
    events[0] = 0;
    mm_eve_init(&r->eve);
    r->eve.site = r->eve.sensor = "t";
    r->eve.sink = (mm_sink){sink, NULL};
    mm_app_init(&r->app, &r->eve, 1 << 20, true);
    r->app.observe = observer;
    r->app.observe_ctx = &r->s;
    r->f.proto = proto;
    r->f.cli.v = r->f.srv.v = 4;
    r->f.cport = 40000;
    r->f.sport = sport;
}

static void rig_done(rig *r)
{
    mm_app_flow_end(&r->app, &r->f);
    assert_int_equal(r->app.st.memuse, 0);
    mm_eve_free(&r->eve);
}

/* a ClientHello record (TLS 1.1, no ciphers or extensions to speak of) */
static const uint8_t hello[] = {
    0x16, 0x03, 0x02, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29, 0x03, 0x02,
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
    25, 26, 27, 28, 29, 30, 31, 32,
    0x00, 0x00, 0x02, 0x00, 0x2f, 0x01, 0x00};

static void tls_heartbeat(void **state)
{
    (void)state;
    rig r;
    rig_init(&r, 6, 443);
    r.f.last_ns = 1;
    mm_app_stream(&r.app, &r.f, MM_TO_SERVER, hello, sizeof hello, false);
    assert_int_equal(r.f.app_proto, MM_APP_TLS);
    /* heartbeat request: record of 3 bytes claiming a 16384-byte payload */
    static const uint8_t hb[] = {0x18, 0x03, 0x02, 0x00, 0x03, 0x01, 0x40, 0x00};
    mm_app_stream(&r.app, &r.f, MM_TO_SERVER, hb, 6, false);   /* split mid-record */
    assert_int_equal(r.s.n_hb, 0);
    mm_app_stream(&r.app, &r.f, MM_TO_SERVER, hb + 6, 2, false);
    assert_int_equal(r.s.n_hb, 1);
    assert_int_equal(r.s.hb.type, 1);
    assert_int_equal(r.s.hb.payload_len, 16384);
    assert_int_equal(r.s.hb.record_len, 3);
    assert_false(r.s.hb.encrypted);
    rig_done(&r);
}

static void smb1_trans2(void **state)
{
    (void)state;
    rig r;
    rig_init(&r, 6, 445);
    uint8_t m[4 + 32 + 1 + 30 + 2];
    memset(m, 0, sizeof m);
    uint32_t len = sizeof m - 4;
    m[0] = 0x00;                              /* NetBIOS session message */
    m[3] = (uint8_t)len;
    memcpy(m + 4, "\xffSMB", 4);
    m[4 + 4] = 0x32;                          /* TRANS2 */
    m[4 + 10] = 0x00;                         /* flags2 (little-endian at 10..11) */
    m[4 + 11] = 0xc0;
    m[4 + 24] = 0x00, m[4 + 25] = 0x08;       /* TID 0x0800 */
    m[4 + 30] = 0x41;                         /* MID 0x41 */
    uint8_t *w = m + 4 + 33;
    m[4 + 32] = 15;                           /* word count: 14 + 1 setup word */
    w[0] = 0x0c;                              /* total parameter count 12 */
    w[2] = 0x00, w[3] = 0x10;                 /* total data count 4096 */
    w[26] = 1;                                /* setup count */
    w[28] = 0x0e;                             /* setup[0]: SESSION_SETUP */
    r.f.last_ns = 1;
    mm_app_stream(&r.app, &r.f, MM_TO_SERVER, m, sizeof m, false);
    assert_int_equal(r.f.app_proto, MM_APP_SMB);
    assert_int_equal(r.s.n_smb, 1);
    assert_int_equal(r.s.smb.cmd, 0x32);
    assert_false(r.s.smb.response);
    assert_int_equal(r.s.smb.subcmd, 0x0e);
    assert_int_equal(r.s.smb.total_param, 12);
    assert_int_equal(r.s.smb.total_data, 4096);
    assert_int_equal(r.s.smb.tid, 0x0800);
    assert_int_equal(r.s.smb.mid, 0x41);
    assert_int_equal(r.s.smb.msg_len, len);
    rig_done(&r);
}

static void ntp_monlist(void **state)
{
    (void)state;
    rig r;
    rig_init(&r, 17, 123);
    /* mode 7 request, version 2, implementation XNTPD (3), MON_GETLIST_1 */
    uint8_t req[48];
    memset(req, 0, sizeof req);
    req[0] = 0x17;
    req[2] = 3;
    req[3] = 42;
    r.f.pkts[0] = 1;
    mm_app_udp(&r.app, &r.f, MM_TO_SERVER, req, sizeof req, 1);
    assert_int_equal(r.f.app_proto, MM_APP_NTP);
    assert_int_equal(r.s.n_ntp, 1);
    assert_int_equal(r.s.ntp.mode, 7);
    assert_int_equal(r.s.ntp.version, 2);
    assert_int_equal(r.s.ntp.implementation, 3);
    assert_int_equal(r.s.ntp.request_code, 42);
    assert_false(r.s.ntp.response);
    /* the reply: 6 items of 72 bytes */
    uint8_t resp[8 + 6 * 72];
    memset(resp, 0, sizeof resp);
    resp[0] = 0x97;                           /* response bit, version 2, mode 7 */
    resp[2] = 3;
    resp[3] = 42;
    resp[5] = 6;
    resp[7] = 72;
    mm_app_udp(&r.app, &r.f, MM_TO_CLIENT, resp, sizeof resp, 2);
    assert_int_equal(r.s.n_ntp, 2);
    assert_true(r.s.ntp.response);
    assert_int_equal(r.s.ntp.items, 6);
    assert_int_equal(r.s.ntp.item_size, 72);
    rig_done(&r);
}

/* A UDP flow whose first packet is a DNS answer: the answer's receiver is
 * the client (Suricata turns such a flow around). */
static void dns_answer_first(void **state)
{
    (void)state;
    rig r;
    rig_init(&r, 17, 40000);
    r.f.cport = 53;                           /* the first packet came from port 53 */
    r.f.cli.b[3] = 1;
    r.f.srv.b[3] = 11;
    /* response 0x8d32, one question (a.b A), no answers */
    static const uint8_t resp[] = {0x8d, 0x32, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
                                   1, 'a', 1, 'b', 0, 0, 1, 0, 1};
    r.f.pkts[0] = 1;
    mm_app_udp(&r.app, &r.f, MM_TO_SERVER, resp, sizeof resp, 1);
    assert_int_equal(r.f.app_proto, MM_APP_DNS);
    assert_int_equal(r.f.cli.b[3], 11);
    assert_int_equal(r.f.srv.b[3], 1);
    assert_int_equal(r.f.cport, 40000);
    assert_int_equal(r.f.sport, 53);
    assert_int_equal(r.f.pkts[0], 0);
    assert_int_equal(r.f.pkts[1], 1);
    rig_done(&r);
}

/* DNS answers as Suricata 7 logs them (RFC 1035 wire format by hand): a
 * TXT record with two character-strings is two answers, a NULL record's
 * bytes are text with \xNN past 0x7F, the Z bit shows as "z"; --dns-types
 * and --dns-log leave messages out by their question's type. */
static void dns_txt_null_z(void **state)
{
    (void)state;
    rig r;
    rig_init(&r, 17, 53);
    /* response id 7, flags 0x81c0 (QR RD RA Z), 1 question t.x TXT, 2 answers:
     * TXT "ab" "" (rdlen 4), NULL 'V' 0xc5 (rdlen 2) */
    static const uint8_t resp[] = {
        0, 7, 0x81, 0xc0, 0, 1, 0, 2, 0, 0, 0, 0,
        1, 't', 1, 'x', 0, 0, 16, 0, 1,
        0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 5, 0, 4, 2, 'a', 'b', 0,
        0xc0, 12, 0, 10, 0, 1, 0, 0, 0, 5, 0, 2, 'V', 0xc5};
    r.f.pkts[1] = 1;
    mm_app_udp(&r.app, &r.f, MM_TO_CLIENT, resp, sizeof resp, 1);
    assert_non_null(strstr(events, "\"z\":true"));
    assert_non_null(strstr(events, "{\"rrname\":\"t.x\",\"rrtype\":\"TXT\",\"ttl\":5,"
                                   "\"rdata\":\"ab\"},{\"rrname\":\"t.x\",\"rrtype\":\"TXT\","
                                   "\"ttl\":5,\"rdata\":\"\"}"));
    assert_non_null(strstr(events, "\"rrtype\":\"NULL\",\"ttl\":5,\"rdata\":\"V\\\\xc5\""));
    assert_non_null(strstr(events, "\"TXT\":[\"ab\",\"\"]"));
    /* the same answer with only A questions logged, then with no answers */
    nevents = 0;
    events[0] = 0;
    r.app.ndns_types = 1;
    r.app.dns_types[0] = (uint16_t)mm_dns_type_of("A");
    mm_app_udp(&r.app, &r.f, MM_TO_CLIENT, resp, sizeof resp, 2);
    assert_null(strstr(events, "\"dns\""));
    r.app.dns_types[0] = (uint16_t)mm_dns_type_of("txt");
    mm_app_udp(&r.app, &r.f, MM_TO_CLIENT, resp, sizeof resp, 3);
    assert_non_null(strstr(events, "\"dns\""));
    nevents = 0;
    events[0] = 0;
    r.app.dns_unlogged = MM_DNS_NO_RESPONSES;
    mm_app_udp(&r.app, &r.f, MM_TO_CLIENT, resp, sizeof resp, 4);
    assert_null(strstr(events, "\"dns\""));
    assert_int_equal(r.s.n_ev, 4);              /* z_flag_set, each time */
    assert_string_equal(r.s.ev, "dns.z_flag_set");
    rig_done(&r);
    /* opcodes 7 and up are unassigned (RFC 6895's registry ends at 6,
     * DSO): Suricata's invalid_opcode; 6 is none */
    rig_init(&r, 17, 53);
    uint8_t q[] = {0, 8, 0x48, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'q', 0, 0, 1, 0, 1};
    mm_app_udp(&r.app, &r.f, MM_TO_SERVER, q, sizeof q, 1);        /* opcode 9 */
    assert_int_equal(r.s.n_ev, 1);
    assert_string_equal(r.s.ev, "dns.invalid_opcode");
    q[2] = 0x30;                                                     /* opcode 6 */
    mm_app_udp(&r.app, &r.f, MM_TO_SERVER, q, sizeof q, 2);
    assert_int_equal(r.s.n_ev, 1);
    rig_done(&r);
}

/* Bytes after a response body of the stated length that do not begin a
 * status line are more of that body (libhtp's RES_FINALIZE; suricata-verify
 * http-gap-simple: Content-Length 12, "Hello World!\r\n", a file of 14);
 * a status line after the body starts the next response. */
static void http_body_after_length(void **state)
{
    (void)state;
    rig r;
    rig_init(&r, 6, 80);
    static const char req[] = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nHello World!\r\n"
                               "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    r.f.last_ns = 1;
    mm_app_stream(&r.app, &r.f, MM_TO_SERVER, (const uint8_t *)req, sizeof req - 1, false);
    mm_app_stream(&r.app, &r.f, MM_TO_CLIENT, (const uint8_t *)resp, sizeof resp - 1, false);
    rig_done(&r);
    assert_non_null(strstr(events, "\"url\":\"/1\""));
    assert_non_null(strstr(events, "\"size\":14,"));
    assert_non_null(strstr(events, "\"url\":\"/2\""));
    assert_non_null(strstr(events, "\"size\":3,"));
    assert_null(strstr(events, "\"gaps\":true"));
}

/* A request without a length followed by a line that is no request line:
 * libhtp takes it for more body and says "Unexpected request body" (once);
 * a line of spaces is body too, said nothing (suricata-verify
 * http-request-invalid); a known method starts the next request. */
static void http_request_body_unexpected(void **state)
{
    (void)state;
    rig r;
    rig_init(&r, 6, 80);
    static const char req[] = "POST /a HTTP/1.1\r\nHost: a\r\n\r\nlogin=foo&password=bar\r\n"
                              "x=1\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n";
    r.f.last_ns = 1;
    mm_app_stream(&r.app, &r.f, MM_TO_SERVER, (const uint8_t *)req, sizeof req - 1, false);
    assert_int_equal(r.s.n_ev, 1);
    assert_string_equal(r.s.ev, "http.request_body_unexpected");
    rig_done(&r);
    assert_non_null(strstr(events, "\"url\":\"/b\""));
    rig_init(&r, 6, 80);
    static const char req2[] = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc\r\n";
    mm_app_stream(&r.app, &r.f, MM_TO_SERVER, (const uint8_t *)req2, sizeof req2 - 1, false);
    assert_int_equal(r.s.n_ev, 0);
    rig_done(&r);
}

/* A TLS flow whose server answers in clear (SMTP's greeting on 465):
 * Suricata 7's APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION, once. */
static void tls_one_direction(void **state)
{
    (void)state;
    rig r;
    rig_init(&r, 6, 465);
    r.f.last_ns = 1;
    mm_app_stream(&r.app, &r.f, MM_TO_SERVER, hello, sizeof hello, false);
    assert_int_equal(r.f.app_proto, MM_APP_TLS);
    static const char greet[] = "220 mail.example ESMTP\r\n";
    mm_app_stream(&r.app, &r.f, MM_TO_CLIENT, (const uint8_t *)greet, sizeof greet - 1, false);
    mm_app_stream(&r.app, &r.f, MM_TO_CLIENT, (const uint8_t *)greet, sizeof greet - 1, false);
    assert_int_equal(r.s.n_ev, 1);
    assert_string_equal(r.s.ev, "applayer_detect_protocol_only_one_direction");
    rig_done(&r);
}

/* multipart/form-data (RFC 7578, delimiters of RFC 2046 5.1.1): what the
 * streaming parser hands on, for any cut of the body, and the one-shot
 * split of the same bytes. */
typedef struct mp_got {
    char name[64];
    uint8_t data[256];
    uint32_t n, gaps;
    int starts, ends;
    bool complete;
} mp_got;

static void mp_start_cb(void *ctx, const char *name, size_t len)
{
    mp_got *g = ctx;
    g->starts++;
    snprintf(g->name, sizeof g->name, "%.*s", (int)len, name);
    g->n = 0;
}

static void mp_data_cb(void *ctx, const uint8_t *d, uint32_t n)
{
    mp_got *g = ctx;
    if (!d) {
        g->gaps += n;
        return;
    }
    assert_true(g->n + n <= sizeof g->data);
    memcpy(g->data + g->n, d, n);
    g->n += n;
}

static void mp_end_cb(void *ctx, bool complete)
{
    mp_got *g = ctx;
    g->ends++;
    g->complete = complete;
}

static void multipart_parts(void **state)
{
    (void)state;
    char b[MM_MPART_BOUNDARY_MAX + 1];
    static const char ct[] = "multipart/form-data; boundary=----X1";
    assert_true(mm_mpart_boundary(ct, sizeof ct - 1, b));
    assert_string_equal(b, "----X1");
    static const char ctq[] = "Multipart/Form-Data;boundary=\"a b\"; charset=x";
    assert_true(mm_mpart_boundary(ctq, sizeof ctq - 1, b));
    assert_string_equal(b, "a b");
    static const char other[] = "text/plain; boundary=x";
    assert_false(mm_mpart_boundary(other, sizeof other - 1, b));
    char longb[128] = "multipart/form-data; boundary=";
    memset(longb + strlen(longb), 'z', 71);
    assert_false(mm_mpart_boundary(longb, strlen(longb), b));

    /* a preamble, a form field (no filename: no file), a file whose bytes
     * hold a CRLF, "--" and a near-miss of the delimiter, the closing
     * delimiter, an epilogue with one more (ignored) */
    static const uint8_t file[] = "GIF89a\r\n--\r\n------X\x00\xff\r\n----X";
    uint8_t body[512];
    size_t n = 0;
#define PUT(s) (memcpy(body + n, s, sizeof s - 1), n += sizeof s - 1)
    PUT("preamble\r\n------X1\r\n");
    PUT("Content-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n------X1  \r\n");
    PUT("Content-Disposition: form-data; name=\"up\"; filename=\"a.gif\"\r\n");
    PUT("Content-Type: image/gif\r\n\r\n");
    memcpy(body + n, file, sizeof file - 1);
    n += sizeof file - 1;
    PUT("\r\n------X1--\r\nepilogue\r\n------X1\r\nfilename=\"b\"\r\n\r\nzz");
#undef PUT
    static const uint32_t cuts[] = {1, 2, 3, 7, 10, 64, 4096};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        mp_got g;
        memset(&g, 0, sizeof g);
        mm_mpart_cb cb = {mp_start_cb, mp_data_cb, mp_end_cb, &g};
        uint8_t mem[8192];
        assert_true(mm_mpart_size() <= sizeof mem);
        mm_mpart *m = (mm_mpart *)mem;
        mm_mpart_init(m, "----X1", &cb);
        for (size_t at = 0; at < n; at += cuts[c])
            mm_mpart_feed(m, body + at, (uint32_t)(n - at < cuts[c] ? n - at : cuts[c]));
        mm_mpart_finish(m, true);
        assert_int_equal(g.starts, 1);
        assert_int_equal(g.ends, 1);
        assert_true(g.complete);
        assert_string_equal(g.name, "a.gif");
        assert_int_equal(g.n, sizeof file - 1);
        assert_memory_equal(g.data, file, sizeof file - 1);
    }
    mm_mpart_piece pc[4];
    assert_int_equal(mm_mpart_split(body, (uint32_t)n, "----X1", pc, 4), 1);
    assert_int_equal(pc[0].name_len, 5);
    assert_memory_equal(pc[0].name, "a.gif", 5);
    assert_int_equal(pc[0].data_len, sizeof file - 1);
    assert_memory_equal(pc[0].data, file, sizeof file - 1);

    /* the body opening with its delimiter; cut in the file, then a gap */
    static const char cut[] = "------X1\r\nContent-Disposition: form-data; filename=c.bin\r\n"
                              "\r\nABCDEF\r\n------";
    mp_got g;
    memset(&g, 0, sizeof g);
    mm_mpart_cb cb = {mp_start_cb, mp_data_cb, mp_end_cb, &g};
    uint8_t mem[8192];
    mm_mpart *m = (mm_mpart *)mem;
    mm_mpart_init(m, "----X1", &cb);
    mm_mpart_feed(m, (const uint8_t *)cut, sizeof cut - 1);
    mm_mpart_feed(m, NULL, 100);
    mm_mpart_finish(m, false);
    assert_string_equal(g.name, "c.bin");
    assert_int_equal(g.n, 14);                  /* "ABCDEF\r\n------": held, then data */
    assert_memory_equal(g.data, "ABCDEF\r\n------", 14);
    assert_int_equal(g.gaps, 100);
    assert_false(g.complete);
    assert_int_equal(mm_mpart_split((const uint8_t *)cut, sizeof cut - 1, "----X1", pc, 4), 1);
    assert_int_equal(pc[0].data_len, 14);
}

/* Content-Range values: RFC 9110's forms, and what is not one. */
static void content_range_parse(void **state)
{
    (void)state;
    int64_t a, b, n;
    assert_true(mm_crange_parse("bytes 500-1000/146515", 21, &a, &b, &n));
    assert_true(a == 500 && b == 1000 && n == 146515);
    assert_true(mm_crange_parse("bytes 0-0/*", 11, &a, &b, &n));
    assert_true(a == 0 && b == 0 && n == -1);
    assert_true(mm_crange_parse("bytes */42", 10, &a, &b, &n));
    assert_true(a == -1 && b == -1 && n == 42);
    static const char *const bad[] = {"bytes 5-4/10", "bytes 0-10/10", "bytes 1-2", "bytes -2/3",
                                      "bytes 1-2/3x", "bytes 99999999999999999999-1/2", "", "bytes"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(mm_crange_parse(bad[i], strlen(bad[i]), &a, &b, &n));
}

/* Two 206 answers of one file, the second half first: each a piece with
 * its start and end, and the whole (its SHA-256 that of "abcdef", as
 * sha256sum gives it) once the first half came. */
static void http_range_pieces(void **state)
{
    (void)state;
    rig r;
    rig_init(&r, 6, 80);
    static const char req[] = "GET /f HTTP/1.1\r\nHost: a\r\n\r\nGET /f HTTP/1.1\r\nHost: a\r\n\r\n";
    static const char resp[] =
        "HTTP/1.1 206 Partial\r\nContent-Range: bytes 3-5/6\r\nContent-Length: 3\r\n\r\ndef"
        "HTTP/1.1 206 Partial\r\nContent-Range: bytes 0-2/6\r\nContent-Length: 3\r\n\r\nabc";
    r.f.last_ns = 1;
    mm_app_stream(&r.app, &r.f, MM_TO_SERVER, (const uint8_t *)req, sizeof req - 1, false);
    mm_app_stream(&r.app, &r.f, MM_TO_CLIENT, (const uint8_t *)resp, sizeof resp - 1, false);
    mm_app_flow_end(&r.app, &r.f);
    mm_hrange_free(&r.app);
    rig_done(&r);
    assert_non_null(strstr(events, "\"start\":3,\"end\":5"));
    assert_non_null(strstr(events, "\"start\":0,\"end\":2"));
    assert_non_null(strstr(events, "\"content_range\":{\"raw\":\"bytes 0-2/6\",\"start\":0,"
                                   "\"end\":2,\"size\":6}"));
    assert_non_null(strstr(events, "bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721"));
    assert_non_null(strstr(events, "\"size\":6,"));
}

/* At most 16 wholes at once: a 17th waits until one has been idle a minute. */
static void http_range_bounds(void **state)
{
    (void)state;
    rig r;
    rig_init(&r, 6, 80);
    char uri[16];
    for (int i = 0; i < 16; i++) {
        snprintf(uri, sizeof uri, "/%d", i);
        assert_int_not_equal(mm_hrange_join(&r.app, "h", uri, 100, 1000), 0);
    }
    assert_int_equal(mm_hrange_join(&r.app, "h", "/x", 100, 2000), 0);
    assert_int_not_equal(mm_hrange_join(&r.app, "h", "/3", 100, 2000), 0);    /* known */
    assert_int_not_equal(mm_hrange_join(&r.app, "h", "/x", 100, 61000000000ull + 1000), 0);
    mm_hrange_free(&r.app);
    rig_done(&r);
}

/* The stats' flow counters, as the EVE writer gets them (it knows no
 * protocol): Suricata's names where it has the counter, ours elsewhere. */
static void app_stats_names(void **state)
{
    (void)state;
    mm_eve eve;
    mm_app a;
    mm_eve_init(&eve);
    mm_app_init(&a, &eve, 1 << 20, true);
    a.st.flows[MM_APP_DNS][1] = 7;
    a.st.flows[MM_APP_RDP][0] = 2;
    a.st.failed[1] = 3;
    mm_stats_app st;
    mm_app_stats_get(&a, &st);
    int found = 0;
    for (unsigned i = 0; i < st.nflows; i++) {
        const mm_stats_app_flows *c = &st.flows[i];
        if (!strcmp(c->name, "dns_udp")) {
            assert_int_equal(c->flows, 7);
            assert_false(c->ours);
            found |= 1;
        } else if (!strcmp(c->name, "rdp")) {          /* RDP over TCP */
            assert_int_equal(c->flows, 2);
            assert_false(c->ours);
            found |= 2;
        } else if (!strcmp(c->name, "rdp_udp") || !strcmp(c->name, "stratum")) {
            assert_true(c->ours);
            found |= 4;
        } else if (!strcmp(c->name, "ftp_data")) {      /* "ftp-data" as counted */
            found |= 8;
        }
    }
    assert_int_equal(found, 15);
    assert_int_equal(st.failed[1], 3);
    mm_eve_free(&eve);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tls_heartbeat),
        cmocka_unit_test(smb1_trans2),
        cmocka_unit_test(ntp_monlist),
        cmocka_unit_test(dns_answer_first),
        cmocka_unit_test(dns_txt_null_z),
        cmocka_unit_test(http_body_after_length),
        cmocka_unit_test(http_request_body_unexpected),
        cmocka_unit_test(tls_one_direction),
        cmocka_unit_test(multipart_parts),
        cmocka_unit_test(content_range_parse),
        cmocka_unit_test(http_range_pieces),
        cmocka_unit_test(http_range_bounds),
        cmocka_unit_test(app_stats_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
