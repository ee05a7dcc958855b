/* Unit tests: flow table and TCP stream reassembly (flow/). */
#include "testutil.h"
#include "flow/flow.h"

#include <stdio.h>

/* What the hooks saw. */
static char got[2][4096];
static size_t gotn[2];
static int eofs[2], ended, end_reason, anomalies[MM_AN__COUNT];

static void on_data(void *u, mm_flow *f, int dir, const uint8_t *d, uint32_t len, bool eof)
{
    (void)u; (void)f;
    if (eof) {
        eofs[dir]++;
        return;
    }
    for (uint32_t i = 0; i < len && gotn[dir] < sizeof got[0] - 1; i++)
        got[dir][gotn[dir]++] = d ? (char)d[i] : '?';
}
/* What the app-layer hook saw: the bytes and, per delivery, how many
 * packets the test had sent by then (the packet that handed them on). */
static char app[2][4096];
static size_t appn[2];
static int app_eofs[2], pkt_no, app_at[2][16], napp[2];

static void on_app(void *u, mm_flow *f, int dir, const uint8_t *d, uint32_t len, bool eof)
{
    (void)u; (void)f;
    if (eof) {
        app_eofs[dir]++;
        return;
    }
    if (napp[dir] < 16)
        app_at[dir][napp[dir]++] = pkt_no;
    for (uint32_t i = 0; i < len && appn[dir] < sizeof app[0] - 1; i++)
        app[dir][appn[dir]++] = d ? (char)d[i] : '?';
}

static void on_end(void *u, mm_flow *f, int reason) { (void)u; (void)f; ended++; end_reason = reason; }
static void on_anom(void *u, mm_flow *f, int a) { (void)u; (void)f; anomalies[a]++; }

static mm_flowtable *T;
static mm_flow_config C;

static void reset(void)
{
    memset(got, 0, sizeof got);
    gotn[0] = gotn[1] = 0;
    eofs[0] = eofs[1] = 0;
    ended = 0;
    memset(anomalies, 0, sizeof anomalies);
    memset(app, 0, sizeof app);
    appn[0] = appn[1] = 0;
    app_eofs[0] = app_eofs[1] = 0;
    napp[0] = napp[1] = 0;
    pkt_no = 0;
}

static int setup(void **st)
{
    (void)st;
    mm_flow_config_defaults(&C);
    mm_flow_hooks h = {NULL, on_end, on_data, on_anom, on_app};
    T = mm_flowtable_new(&C, &h);
    reset();
    return T ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    mm_flowtable_free(T);
    return 0;
}

static mm_rawpkt RAW = {.caplen = 60, .wirelen = 60};

/* A TCP packet from client (dir 0) or server (dir 1) of connection n, with
 * its TCP header when the test gives one. */
static mm_flow *tcp_hdr(int n, int from_server, uint32_t seq, uint32_t ack, uint8_t flags,
                        const char *data, uint64_t ts, int *dir, const uint8_t *l4,
                        uint32_t l4len)
{
    mm_pkt p;
    memset(&p, 0, sizeof p);
    p.raw = &RAW;
    p.ipver = 4;
    p.proto = 6;
    p.l4_ok = true;
    p.l4 = l4;
    p.l4_len = l4len;
    uint8_t c[4] = {10, 0, 0, (uint8_t)n}, s[4] = {192, 0, 2, 1};
    memcpy(p.src.b, from_server ? s : c, 4);
    memcpy(p.dst.b, from_server ? c : s, 4);
    p.src.v = p.dst.v = 4;
    p.sport = from_server ? 80 : 40000;
    p.dport = from_server ? 40000 : 80;
    p.seq = seq;
    p.ack = ack;
    p.tcp_flags = flags;
    p.payload = (const uint8_t *)data;
    p.payload_len = data ? (uint32_t)strlen(data) : 0;
    pkt_no++;
    int d;
    return mm_flow_packet(T, &p, ts, dir ? dir : &d);
}

static mm_flow *tcp(int n, int from_server, uint32_t seq, uint32_t ack, uint8_t flags,
                    const char *data, uint64_t ts, int *dir)
{
    return tcp_hdr(n, from_server, seq, ack, flags, data, ts, dir, NULL, 0);
}

enum { F = 1, S = 2, R = 4, P = 8, A = 16 };

/* The same with a TCP header carrying the timestamps option (NOP NOP
 * kind 8 length 10, RFC 7323). */
static mm_flow *tcp_ts(int n, int from_server, uint32_t seq, uint32_t ack, uint8_t flags,
                       const char *data, uint64_t ts, uint32_t tsval, uint32_t tsecr)
{
    static uint8_t h[32];
    memset(h, 0, sizeof h);
    h[12] = 8 << 4;
    h[20] = h[21] = 1;
    h[22] = 8;
    h[23] = 10;
    for (int i = 0; i < 4; i++) {
        h[24 + i] = (uint8_t)(tsval >> (24 - 8 * i));
        h[28 + i] = (uint8_t)(tsecr >> (24 - 8 * i));
    }
    return tcp_hdr(n, from_server, seq, ack, flags, data, ts, NULL, h, sizeof h);
}

/* Suricata's timestamp checks (suricata-verify bug-3286, output-eve-anomaly
 * 02/03): a server answer in SYN_SENT whose TSecr is not the SYN's TSval is
 * not the session's (a forged reset does not close it); once both sides
 * use timestamps, a TSval of 0 or one going back is refused and its data
 * stays out of the stream. */
static void test_tcp_timestamps(void **st)
{
    (void)st;
    reset();
    tcp_ts(12, 0, 100, 0, S, NULL, 1000000000, 5000, 0);
    mm_flow *f = tcp_ts(12, 1, 0, 101, R | A, NULL, 1000000001, 100, 100);
    assert_int_equal(anomalies[MM_AN_STREAM_BAD_TS], 1);
    assert_int_equal(f->tcp_state, MM_TCP_SYN_SENT);
    tcp_ts(12, 1, 500, 101, S | A, NULL, 1000000002, 9000, 5000);
    tcp_ts(12, 0, 101, 501, A, NULL, 1000000003, 5001, 9000);
    f = tcp_ts(12, 0, 101, 501, P | A, "GET /", 1000000004, 5002, 9000);
    assert_int_equal(f->tcp_state, MM_TCP_ESTABLISHED);
    assert_int_equal(anomalies[MM_AN_STREAM_BAD_TS], 1);
    tcp_ts(12, 0, 106, 501, P | A, "EVIL", 1000000005, 4000, 9000);    /* goes back */
    assert_int_equal(anomalies[MM_AN_STREAM_BAD_TS], 2);
    tcp_ts(12, 0, 106, 501, P | A, " x", 1000000006, 0, 9000);         /* zero */
    assert_int_equal(anomalies[MM_AN_STREAM_BAD_TS], 3);
    tcp_ts(12, 0, 106, 501, P | A, " HTTP/1.0", 1000000007, 5003, 9000);
    assert_int_equal(anomalies[MM_AN_STREAM_BAD_TS], 3);
    mm_flow_flush(T);
    assert_string_equal(got[0], "GET / HTTP/1.0");
    /* a SYN without timestamps: a SYN-ACK echoing one is taken (Suricata 7,
     * bug-4702-02), a reset echoing one is not (bug-3286-03) */
    reset();
    tcp(13, 0, 100, 0, S, NULL, 1, NULL);
    f = tcp_ts(13, 1, 0, 101, R | A, NULL, 2, 100, 100);
    assert_int_equal(anomalies[MM_AN_STREAM_BAD_TS], 1);
    assert_int_equal(f->tcp_state, MM_TCP_SYN_SENT);
    f = tcp_ts(13, 1, 500, 101, S | A, NULL, 3, 9000, 1);
    assert_int_equal(anomalies[MM_AN_STREAM_BAD_TS], 1);
    assert_int_equal(f->tcp_state, MM_TCP_SYN_RECV);
    mm_flow_flush(T);
}

static void test_reassembly_in_order_and_direction(void **st)
{
    (void)st;
    reset();
    int dir;
    tcp(1, 0, 100, 0, S, NULL, 1, &dir);
    assert_int_equal(dir, MM_TO_SERVER);
    tcp(1, 1, 500, 101, S | A, NULL, 2, &dir);
    assert_int_equal(dir, MM_TO_CLIENT);
    tcp(1, 0, 101, 501, A, "GET / ", 3, NULL);
    tcp(1, 0, 107, 501, A, "HTTP/1.0", 4, NULL);
    mm_flow *f = tcp(1, 1, 501, 115, A, "200 OK", 5, NULL);
    assert_int_equal(f->state, MM_FS_ESTABLISHED);
    tcp(1, 0, 115, 507, F | A, NULL, 6, NULL);
    tcp(1, 1, 507, 116, F | A, NULL, 7, NULL);
    f = tcp(1, 0, 116, 508, A, NULL, 8, NULL);
    assert_int_equal(f->state, MM_FS_CLOSED);
    assert_string_equal(got[0], "GET / HTTP/1.0");
    assert_string_equal(got[1], "200 OK");
    assert_int_equal(eofs[0], 1);
    assert_int_equal(eofs[1], 1);
    assert_int_equal(f->pkts[0], 5);
    assert_int_equal(f->pkts[1], 3);
    mm_flow_flush(T);
    assert_int_equal(ended, 1);
    assert_int_equal(end_reason, MM_END_SHUTDOWN);
}

/* A reset followed by more of the same side's traffic (Suricata's
 * stream.suspected_rst_inject): the event once, the session goes on; a
 * reset answered by nothing more closes the flow. */
/* The app layer gets a direction's bytes when the peer acknowledges them
 * (Suricata's IDS mode): the rules' stream hook at once, the app hook at
 * the acknowledging packet, part by part on partial ACKs; a SYN-ACK
 * releases nothing; the end of the direction releases the rest. */
static void test_app_data_waits_for_ack(void **st)
{
    (void)st;
    reset();
    tcp(20, 0, 100, 0, S, "tfo", 1, NULL);                    /* 1: SYN with data */
    tcp(20, 1, 500, 104, S | A, NULL, 2, NULL);               /* 2: acks it */
    assert_int_equal((int)appn[0], 0);                        /* not yet */
    assert_string_equal(got[0], "tfo");                       /* the rules: at once */
    tcp(20, 0, 104, 501, A, NULL, 3, NULL);                   /* 3 */
    tcp(20, 0, 104, 501, P | A, "GET / HTTP/1.0\r\n", 4, NULL); /* 4 */
    assert_int_equal((int)appn[0], 0);
    tcp(20, 1, 501, 107, A, NULL, 5, NULL);                   /* 5: part of it */
    assert_int_equal(napp[0], 1);
    assert_int_equal(app_at[0][0], 5);
    assert_string_equal(app[0], "tfoGET");
    tcp(20, 1, 501, 120, P | A, "HTTP/1.0 200 OK\r\n", 6, NULL);   /* 6: the rest */
    assert_string_equal(app[0], "tfoGET / HTTP/1.0\r\n");
    assert_int_equal(app_at[0][1], 6);
    assert_int_equal((int)appn[1], 0);
    tcp(20, 0, 120, 518, F | A, NULL, 7, NULL);               /* 7: acks the answer */
    assert_string_equal(app[1], "HTTP/1.0 200 OK\r\n");
    assert_int_equal(app_at[1][0], 7);
    tcp(20, 1, 518, 121, F | A, NULL, 8, NULL);
    tcp(20, 0, 121, 519, A, NULL, 9, NULL);
    mm_flow_flush(T);
    assert_int_equal(app_eofs[0], 1);
    assert_int_equal(app_eofs[1], 1);
    /* a one-sided capture: nothing acknowledges, the next packet of the
     * side (or the end) hands its bytes on */
    reset();
    tcp(21, 0, 100, 0, A, "USER a\r\n", 1, NULL);
    assert_int_equal((int)appn[0], 0);
    tcp(21, 0, 108, 0, A, "PASS b\r\n", 2, NULL);
    assert_string_equal(app[0], "USER a\r\n");
    mm_flow_flush(T);
    assert_string_equal(app[0], "USER a\r\nPASS b\r\n");
}

static void test_suspected_rst_inject(void **st)
{
    (void)st;
    reset();
    tcp(9, 0, 100, 0, S, NULL, 1, NULL);
    tcp(9, 1, 500, 101, S | A, NULL, 2, NULL);
    tcp(9, 0, 101, 501, A, NULL, 3, NULL);
    mm_flow *f = tcp(9, 0, 101, 501, R | A, NULL, 4, NULL);
    assert_int_equal(f->state, MM_FS_CLOSED);
    tcp(9, 1, 501, 101, A, NULL, 5, NULL);          /* the other side: no event */
    assert_int_equal(anomalies[MM_AN_STREAM_RST_INJECT], 0);
    f = tcp(9, 0, 101, 501, P | A, "GET /", 6, NULL);
    assert_int_equal(anomalies[MM_AN_STREAM_RST_INJECT], 1);
    assert_int_equal(f->state, MM_FS_ESTABLISHED);
    assert_int_equal(f->tcp_state, MM_TCP_ESTABLISHED);
    tcp(9, 0, 106, 501, A, NULL, 7, NULL);
    assert_int_equal(anomalies[MM_AN_STREAM_RST_INJECT], 1);
    f = tcp(9, 1, 501, 106, R, NULL, 8, NULL);
    assert_int_equal(f->state, MM_FS_CLOSED);
    mm_flow_flush(T);
}

static void test_out_of_order_overlap_first_wins(void **st)
{
    (void)st;
    reset();
    tcp(2, 0, 0, 0, S, NULL, 1, NULL);
    tcp(2, 1, 0, 1, S | A, NULL, 1, NULL);
    tcp(2, 0, 11, 1, A, "ABCDE", 2, NULL);    /* bytes 10..14, early */
    tcp(2, 0, 16, 1, A, "KLMNO", 2, NULL);    /* 15..19 */
    assert_int_equal(gotn[0], 0);             /* nothing deliverable yet */
    tcp(2, 0, 1, 1, A, "01234", 3, NULL);     /* 0..4 */
    assert_string_equal(got[0], "01234");
    tcp(2, 0, 9, 1, A, "89xyz", 3, NULL);     /* 8..12 overlaps queued 10..12 */
    tcp(2, 0, 1, 1, A, "01234", 3, NULL);     /* retransmission: ignored */
    tcp(2, 0, 4, 1, A, "34567", 3, NULL);     /* 3..7 overlaps delivered 3,4 */
    assert_string_equal(got[0], "0123456789ABCDEKLMNO");
    assert_true(anomalies[MM_AN_STREAM_OVERLAP_DIFF] >= 1);
    mm_flow_flush(T);
}

static void test_gap_declared_on_ack_and_at_end(void **st)
{
    (void)st;
    reset();
    tcp(3, 0, 0, 0, S, NULL, 1, NULL);
    tcp(3, 1, 0, 1, S | A, NULL, 1, NULL);
    tcp(3, 0, 1, 1, A, "abc", 2, NULL);
    tcp(3, 0, 7, 1, A, "ghi", 2, NULL);       /* bytes 3..5 never captured */
    assert_string_equal(got[0], "abc");
    tcp(3, 1, 1, 10, A, NULL, 3, NULL);       /* server acknowledges all 9 */
    assert_string_equal(got[0], "abc???ghi");
    assert_int_equal(anomalies[MM_AN_STREAM_GAP], 1);

    tcp(3, 0, 13, 1, A, "mno", 4, NULL);      /* 12..14, hole at 9..11, never acked */
    mm_flow_flush(T);                          /* the end hands on what is queued */
    assert_string_equal(got[0], "abc???ghi???mno");
    assert_int_equal(eofs[0], 1);
}

static void test_midstream_pickup(void **st)
{
    (void)st;
    reset();
    mm_flow *f = tcp(4, 1, 9000, 123, P | A, "server-first", 1, NULL);
    /* First packet from port 80 to a high port: the sender is the server. */
    assert_int_equal(f->sport, 80);
    assert_true(f->midstream);
    tcp(4, 0, 123, 9012, P | A, "client", 2, NULL);
    assert_string_equal(got[1], "server-first");
    assert_string_equal(got[0], "client");
    mm_flow_flush(T);
}

static void test_depth_limit(void **st)
{
    (void)st;
    mm_flowtable_free(T);
    mm_flow_config c = C;
    c.stream_depth = 8;
    mm_flow_hooks h = {NULL, on_end, on_data, on_anom};
    T = mm_flowtable_new(&c, &h);
    reset();
    tcp(5, 0, 0, 0, S, NULL, 1, NULL);
    tcp(5, 0, 1, 0, A, "12345", 2, NULL);
    tcp(5, 0, 6, 0, A, "67890", 3, NULL);
    tcp(5, 0, 11, 0, A, "abcde", 4, NULL);
    /* a segment that would cross the depth is left out whole (Suricata's
     * StreamTcpReassembleCheckDepth; suricata-verify filestore-v2.7:
     * 1420-byte segments, depth 100000, a file of 99400) */
    assert_string_equal(got[0], "12345");
    assert_int_equal(anomalies[MM_AN_STREAM_DEPTH], 1);
    mm_flow_flush(T);
}

static void test_timeouts_by_packet_time(void **st)
{
    (void)st;
    reset();
    uint64_t s = 1000000000ULL;
    tcp(6, 0, 0, 0, S, NULL, 100 * s, NULL);          /* new TCP: 60 s timeout */
    mm_flow_expire(T, 150 * s);
    assert_int_equal(ended, 0);
    mm_flow_expire(T, 161 * s);
    assert_int_equal(ended, 1);
    assert_int_equal(end_reason, MM_END_TIMEOUT);
}

static void test_memcap_evicts_and_counts(void **st)
{
    (void)st;
    mm_flowtable_free(T);
    mm_flow_config c = C;
    c.memcap = 1;                 /* one slab of flows at most */
    mm_flow_hooks h = {NULL, on_end, on_data, on_anom};
    T = mm_flowtable_new(&c, &h);
    reset();
    mm_pkt p;
    memset(&p, 0, sizeof p);
    p.raw = &RAW;
    p.ipver = 4;
    p.proto = 17;
    p.src.v = p.dst.v = 4;
    p.dst.b[0] = 8;
    for (uint32_t i = 0; i < 5000; i++) {
        p.src.b[0] = 10;
        p.src.b[1] = (uint8_t)(i >> 8);
        p.src.b[2] = (uint8_t)i;
        p.sport = 1000;
        p.dport = 53;
        int dir;
        assert_non_null(mm_flow_packet(T, &p, 1000 + i, &dir));
    }
    mm_flow_stats fs;
    mm_flow_stats_get(T, &fs);
    assert_int_equal(fs.total, 5000);
    assert_true(fs.evicted >= 5000 - 1024);
    assert_true(fs.active <= 1024);
    assert_int_equal(ended, fs.evicted);
    mm_flow_flush(T);
    mm_flow_stats_get(T, &fs);
    assert_int_equal(fs.active, 0);
}

static void test_flow_id_range(void **st)
{
    (void)st;
    reset();
    mm_flow *f = tcp(7, 0, 0, 0, S, NULL, 1, NULL);
    assert_true(f->flow_id < (1ULL << 53));
    mm_flow_flush(T);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reassembly_in_order_and_direction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order_overlap_first_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suspected_rst_inject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_app_data_waits_for_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_timestamps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_declared_on_ack_and_at_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_midstream_pickup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeouts_by_packet_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memcap_evicts_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_id_range, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
