/* Unit tests: pcap and pcapng readers (capture/capfile.c). */
#include "testutil.h"
#include "capture/capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static tbuf T;

static void pcap_hdr(tbuf *t, uint32_t magic, uint16_t minor, uint32_t lt)
{
    t->n = 0;
    tb_le32(t, magic);
    tb_le16(t, 2);
    tb_le16(t, minor);
    tb_le32(t, 0);
    tb_le32(t, 0);
    tb_le32(t, 65535);
    tb_le32(t, lt);
}

static void pcap_rec(tbuf *t, uint32_t s, uint32_t frac, uint32_t incl, uint32_t orig, uint8_t fill)
{
    tb_le32(t, s);
    tb_le32(t, frac);
    tb_le32(t, incl);
    tb_le32(t, orig);
    memset(t->b + t->n, fill, incl);
    t->n += incl;
}

static void test_pcap_micro_and_nano(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    pcap_hdr(&T, 0xa1b2c3d4, 4, 1);
    pcap_rec(&T, 10, 500, 60, 100, 0xAB);
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_non_null(c);
    assert_string_equal(mm_capfile_format(c), "pcap");
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.ts_ns, 10 * 1000000000ULL + 500 * 1000ULL);
    assert_int_equal(p.caplen, 60);
    assert_int_equal(p.wirelen, 100);
    assert_int_equal(p.linktype, 1);
    assert_int_equal(p.data[59], 0xAB);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_EOF);
    mm_capfile_close(c);

    pcap_hdr(&T, 0xa1b23c4d, 4, 101);
    pcap_rec(&T, 10, 123456789, 20, 20, 0x45);
    c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.ts_ns, 10123456789ULL);
    assert_int_equal(p.linktype, 101);
    mm_capfile_close(c);
}

static void test_pcap_big_endian(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    T.n = 0;
    tb_be32(&T, 0xa1b2c3d4); tb_be16(&T, 2); tb_be16(&T, 4);
    tb_be32(&T, 0); tb_be32(&T, 0); tb_be32(&T, 65535); tb_be32(&T, 113);
    tb_be32(&T, 7); tb_be32(&T, 1); tb_be32(&T, 4); tb_be32(&T, 4);
    tb_be32(&T, 0xDEADBEEF);
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.linktype, 113);
    assert_int_equal(p.ts_ns, 7000001000ULL);
    assert_int_equal(p.caplen, 4);
    mm_capfile_close(c);
}

static void test_pcap_truncated_and_bogus(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    pcap_hdr(&T, 0xa1b2c3d4, 4, 1);
    pcap_rec(&T, 1, 0, 40, 40, 1);
    pcap_rec(&T, 2, 0, 40, 40, 2);
    T.n -= 10; /* cut in the middle of the second record */
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_ERR);
    assert_non_null(strstr(err, "cut short"));
    mm_capfile_close(c);

    pcap_hdr(&T, 0xa1b2c3d4, 4, 1);
    pcap_rec(&T, 1, 0, 0, 0, 0);
    T.n -= 8;
    tb_le32(&T, 0x7FFFFFFF); /* absurd record length */
    tb_le32(&T, 10);
    c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_ERR);
    mm_capfile_close(c);

    static const uint8_t junk[] = "this is not a capture file";
    assert_null(mm_capfile_open_mem(junk, sizeof junk, err, sizeof err));
    assert_string_equal(err, "not a pcap or pcapng file");
    assert_null(mm_capfile_open_mem(junk, 2, err, sizeof err));
}

static void test_pcap_old_version_swapped_lengths(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    pcap_hdr(&T, 0xa1b2c3d4, 0, 1);  /* version 2.0 */
    tb_le32(&T, 1); tb_le32(&T, 0);
    tb_le32(&T, 1500); tb_le32(&T, 30);  /* caplen and len swapped */
    memset(T.b + T.n, 0, 30);
    T.n += 30;
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.caplen, 30);
    assert_int_equal(p.wirelen, 1500);
    mm_capfile_close(c);
}

/* pcapng helpers (little endian) */
static void ng_block(tbuf *t, uint32_t type, const tbuf *body)
{
    uint32_t len = (uint32_t)(12 + ((body->n + 3) & ~3u));
    tb_le32(t, type);
    tb_le32(t, len);
    tb_put(t, body->b, body->n);
    while ((t->n & 3) != 0)
        tb_u8(t, 0);
    tb_le32(t, len);
}

static tbuf B;

static void ng_shb(tbuf *t)
{
    B.n = 0;
    tb_le32(&B, 0x1A2B3C4D); tb_le16(&B, 1); tb_le16(&B, 0);
    tb_le32(&B, 0xFFFFFFFF); tb_le32(&B, 0xFFFFFFFF);
    ng_block(t, 0x0A0D0D0A, &B);
}

static void ng_idb(tbuf *t, uint16_t lt, int tsresol)
{
    B.n = 0;
    tb_le16(&B, lt); tb_le16(&B, 0); tb_le32(&B, 0);
    if (tsresol >= 0) {
        tb_le16(&B, 9); tb_le16(&B, 1); tb_u8(&B, (uint8_t)tsresol);
        tb_u8(&B, 0); tb_u8(&B, 0); tb_u8(&B, 0);
        tb_le32(&B, 0); /* end of options */
    }
    ng_block(t, 1, &B);
}

static void ng_epb(tbuf *t, uint32_t ifid, uint64_t ts, uint32_t len, uint8_t fill)
{
    B.n = 0;
    tb_le32(&B, ifid);
    tb_le32(&B, (uint32_t)(ts >> 32)); tb_le32(&B, (uint32_t)ts);
    tb_le32(&B, len); tb_le32(&B, len);
    memset(B.b + B.n, fill, len);
    B.n += len;
    ng_block(t, 6, &B);
}

static void test_pcapng_interfaces(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    T.n = 0;
    ng_shb(&T);
    ng_idb(&T, 1, -1);     /* Ethernet, microseconds */
    ng_idb(&T, 101, 9);    /* raw IP, nanoseconds */
    B.n = 0;
    tb_le32(&B, 0); /* a Name Resolution block: skipped */
    ng_block(&T, 4, &B);
    ng_epb(&T, 0, 5000000ULL, 14, 0x11);         /* 5 s in microseconds */
    ng_epb(&T, 1, 7000000123ULL, 21, 0x45);      /* 7.000000123 s in nanoseconds */
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_non_null(c);
    assert_string_equal(mm_capfile_format(c), "pcapng");
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.linktype, 1);
    assert_int_equal(p.iface, 0);
    assert_int_equal(p.ts_ns, 5000000000ULL);
    assert_int_equal(p.caplen, 14);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.linktype, 101);
    assert_int_equal(p.iface, 1);
    assert_int_equal(p.ts_ns, 7000000123ULL);
    assert_int_equal(p.caplen, 21);
    assert_int_equal(p.data[20], 0x45);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_EOF);
    mm_capfile_close(c);
}

static void test_pcapng_bad_blocks(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    T.n = 0;
    ng_shb(&T);
    ng_idb(&T, 1, -1);
    ng_epb(&T, 3, 0, 14, 0); /* names an interface that does not exist */
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_ERR);
    mm_capfile_close(c);

    T.n = 0;
    ng_shb(&T);
    tb_le32(&T, 6);
    tb_le32(&T, 13); /* length not a multiple of 4 */
    c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_ERR);
    mm_capfile_close(c);

    T.n = 0;
    ng_shb(&T);
    ng_idb(&T, 1, -1);
    ng_epb(&T, 0, 0, 40, 0);
    T.n -= 20; /* cut */
    c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_ERR);
    assert_non_null(strstr(err, "cut short"));
    mm_capfile_close(c);
}

/* Files are read through a buffer of about 1 MiB: records that straddle its
 * end, and a block larger than it, come through whole. */
static void le32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    assert_int_equal(fwrite(b, 1, 4, f), 4);
}

static void fill(FILE *f, uint8_t v, uint32_t n)
{
    while (n--)
        assert_int_equal(fputc(v, f), v);
}

static void test_file_across_buffer(void **st)
{
    (void)st;
    char path[] = "/tmp/mm-capfile-XXXXXX", err[256];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    /* pcap: 3000 records of 1..1600 bytes (about 2.4 MB) */
    le32(f, 0xa1b2c3d4);
    le32(f, 2 | (4u << 16));
    le32(f, 0);
    le32(f, 0);
    le32(f, 65535);
    le32(f, 1);
    for (uint32_t i = 0; i < 3000; i++) {
        uint32_t n = 1 + (i * 37) % 1600;
        le32(f, i);
        le32(f, 0);
        le32(f, n);
        le32(f, n);
        fill(f, (uint8_t)i, n);
    }
    assert_int_equal(fclose(f), 0);
    mm_capfile *c = mm_capfile_open(path, err, sizeof err);
    assert_non_null(c);
    mm_rawpkt p;
    for (uint32_t i = 0; i < 3000; i++) {
        uint32_t n = 1 + (i * 37) % 1600;
        assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
        assert_int_equal(p.ts_ns, (uint64_t)i * 1000000000ULL);
        assert_int_equal(p.caplen, n);
        uint32_t k = 0;
        while (k < n && p.data[k] == (uint8_t)i)
            k++;
        assert_int_equal(k, n);
    }
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_EOF);
    mm_capfile_close(c);

    /* pcapng: a packet, an unknown block of 3 MiB, a packet */
    f = fopen(path, "wb");
    assert_non_null(f);
    T.n = 0;
    ng_shb(&T);
    ng_idb(&T, 1, -1);
    ng_epb(&T, 0, 1000000ULL, 60, 0x11);
    assert_int_equal(fwrite(T.b, 1, T.n, f), T.n);
    uint32_t big = 3u << 20;
    le32(f, 0x0BADBEEF);
    le32(f, 12 + big);
    fill(f, 0x77, big);
    le32(f, 12 + big);
    T.n = 0;
    ng_epb(&T, 0, 2000000ULL, 1500, 0x22);
    assert_int_equal(fwrite(T.b, 1, T.n, f), T.n);
    assert_int_equal(fclose(f), 0);
    c = mm_capfile_open(path, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.caplen, 60);
    assert_int_equal(p.data[59], 0x11);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.ts_ns, 2000000000ULL);
    assert_int_equal(p.caplen, 1500);
    assert_int_equal(p.data[1499], 0x22);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_EOF);
    mm_capfile_close(c);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_micro_and_nano),
        cmocka_unit_test(test_file_across_buffer),
        cmocka_unit_test(test_pcap_big_endian),
        cmocka_unit_test(test_pcap_truncated_and_bogus),
        cmocka_unit_test(test_pcap_old_version_swapped_lengths),
        cmocka_unit_test(test_pcapng_interfaces),
        cmocka_unit_test(test_pcapng_bad_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
