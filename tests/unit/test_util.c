/* Unit tests: JSON writer, sizes, timestamps, networks, hash (util/). */
#include <stdio.h>

#include "testutil.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/keccak.h"
#include "util/strmap.h"
#include "util/util.h"

static void test_json_escaping(void **st)
{
    (void)st;
    mm_json j;
    mj_init(&j);
    mj_reset(&j);
    mj_obj_open(&j, NULL);
    mj_str(&j, "a", "q\"b\\s\n\t\x01");
    mj_strn(&j, "utf8", "\xe6\x97\xa5\xe6\x9c\xac", 6);        /* valid: kept */
    mj_strn(&j, "bad", "\xff\xc3(\xed\xa0\x80", 6);            /* invalid: escaped */
    mj_arr_open(&j, "n");
    mj_u64(&j, NULL, 18446744073709551615ULL);
    mj_i64(&j, NULL, -5);
    mj_bool(&j, NULL, true);
    mj_arr_close(&j);
    mj_obj_close(&j);
    assert_false(j.oom);
    assert_string_equal(j.s, "{\"a\":\"q\\\"b\\\\s\\n\\t\\u0001\","
                             "\"utf8\":\"\xe6\x97\xa5\xe6\x9c\xac\","
                             "\"bad\":\"\\u00ff\\u00c3(\\u00ed\\u00a0\\u0080\","
                             "\"n\":[18446744073709551615,-5,true]}");
    mj_free(&j);
}

static void test_sizes_and_numbers(void **st)
{
    (void)st;
    uint64_t v;
    assert_true(mm_parse_size("64m", &v));
    assert_int_equal(v, 64ULL << 20);
    assert_true(mm_parse_size("1G", &v));
    assert_int_equal(v, 1ULL << 30);
    assert_true(mm_parse_size("512kib", &v));
    assert_int_equal(v, 512ULL << 10);
    assert_true(mm_parse_size("100", &v));
    assert_int_equal(v, 100);
    assert_false(mm_parse_size("", &v));
    assert_false(mm_parse_size("m", &v));
    assert_false(mm_parse_size("10x", &v));
    assert_false(mm_parse_size("-1", &v));
    assert_false(mm_parse_size("99999999999999999999", &v));
    assert_false(mm_parse_size("17179869184g", &v));   /* overflows 64 bits */
    assert_true(mm_parse_uint("42", 100, &v));
    assert_false(mm_parse_uint("101", 100, &v));
}

static void test_timestamp_format(void **st)
{
    (void)st;
    char b[MM_TS_LEN];
    /* 1700000000 s after the epoch is 2023-11-14 22:13:20 UTC. */
    mm_fmt_ts(1700000000ULL * 1000000000ULL + 123456789ULL, b);
    assert_string_equal(b, "2023-11-14T22:13:20.123456+0000");
    mm_fmt_ts(0, b);
    assert_string_equal(b, "1970-01-01T00:00:00.000000+0000");
}

static void test_netlist(void **st)
{
    (void)st;
    mm_netlist nl;
    char err[128];
    mm_ip ip;
    assert_true(mm_netlist_parse(&nl, MM_DEFAULT_HOME_NET, err, sizeof err));
    assert_int_equal(nl.n, 4);
    mm_ip_parse("172.31.255.255", &ip);
    assert_true(mm_netlist_contains(&nl, &ip));
    mm_ip_parse("172.32.0.0", &ip);
    assert_false(mm_netlist_contains(&nl, &ip));
    mm_ip_parse("fd12::1", &ip);
    assert_true(mm_netlist_contains(&nl, &ip));
    mm_ip_parse("2001:db8::1", &ip);
    assert_false(mm_netlist_contains(&nl, &ip));
    mm_netlist_free(&nl);
    assert_true(mm_netlist_parse(&nl, "[192.0.2.7, 10.1.2.3/33]", err, sizeof err) == false);
    assert_false(mm_netlist_parse(&nl, "banana", err, sizeof err));
    assert_true(mm_netlist_parse(&nl, "192.0.2.7", err, sizeof err));
    mm_ip_parse("192.0.2.7", &ip);
    assert_true(mm_netlist_contains(&nl, &ip));
    mm_ip_parse("192.0.2.8", &ip);
    assert_false(mm_netlist_contains(&nl, &ip));
    mm_netlist_free(&nl);
}

/* SipHash-2-4 reference vectors (key 00..0f, message 00,01,.. of length i),
 * as published with the reference implementation. */
static const uint64_t sip24[16] = {
    0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
    0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
    0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
    0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
};

/* Keccak-256 with the original padding (Ethereum's), against the
 * published values: the empty message (Ethereum's well-known empty-data
 * hash) and "abc". */
static void hexeq(const uint8_t *h, const char *want)
{
    char got[65];
    for (int i = 0; i < 32; i++)
        snprintf(got + 2 * i, 3, "%02x", h[i]);
    assert_string_equal(got, want);
}

static void test_keccak256(void **st)
{
    (void)st;
    uint8_t h[32];
    mm_keccak256((const uint8_t *)"", 0, h);
    hexeq(h, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    mm_keccak256((const uint8_t *)"abc", 3, h);
    hexeq(h, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

static void test_siphash_vectors(void **st)
{
    (void)st;
    mm_hashkey k;
    uint8_t kb[16], m[16];
    for (int i = 0; i < 16; i++) {
        kb[i] = (uint8_t)i;
        m[i] = (uint8_t)i;
    }
    memcpy(&k.k0, kb, 8);
    memcpy(&k.k1, kb + 8, 8);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(mm_siphash24(&k, m, i), sip24[i]);
    uint64_t a = mm_siphash13(&k, m, 15);
    k.k0 ^= 1;
    assert_true(mm_siphash13(&k, m, 15) != a); /* the key matters */
}

/* Deleting keeps every other key findable (backward shift over probe runs,
 * checked against a plain array of what should be there). */
static void test_strmap_delete(void **st)
{
    (void)st;
    mm_strmap m;
    mm_strmap_init(&m);
    enum { N = 2000 };
    static bool in[N];
    char k[16];
    for (int i = 0; i < N; i++) {
        snprintf(k, sizeof k, "k%d", i);
        assert_non_null(mm_strmap_put(&m, k, strlen(k), (uint64_t)i, NULL));
        in[i] = true;
    }
    uint32_t x = 12345;
    for (int round = 0; round < 3 * N; round++) {
        x = x * 1103515245u + 12345u;
        int i = (int)((x >> 8) % N);
        snprintf(k, sizeof k, "k%d", i);
        if (round % 3 == 2) {
            bool added;
            assert_non_null(mm_strmap_put(&m, k, strlen(k), (uint64_t)i, &added));
            assert_int_equal(added, !in[i]);
            in[i] = true;
        } else {
            assert_int_equal(mm_strmap_del(&m, k, strlen(k)), in[i]);
            in[i] = false;
        }
    }
    size_t n = 0;
    for (int i = 0; i < N; i++) {
        snprintf(k, sizeof k, "k%d", i);
        uint64_t *v = mm_strmap_get(&m, k, strlen(k));
        assert_int_equal(v != NULL, in[i]);
        if (v)
            assert_int_equal(*v, (uint64_t)i);
        n += in[i];
    }
    assert_int_equal(m.n, n);
    mm_strmap_free(&m);
}

/* EVE's address text: IPv6 written out whole as Suricata's events have it
 * (suricata-verify's decode-too-small expects fd01:0000:...:0101:0101). */
/* RFC 1071 section 3's example: the sum of 00 01 f2 03 f4 f5 f6 f7 is
 * 2ddf0, folded ddf2; an odd length pads with a zero byte. */
static void test_inet_sum(void **st)
{
    (void)st;
    static const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(mm_inet_sum(d, sizeof d, 0), 0x2ddf0);
    assert_int_equal(mm_inet_fold(mm_inet_sum(d, sizeof d, 0)), 0xddf2);
    assert_int_equal(mm_inet_fold(mm_inet_sum(d, 3, 0)), 0xf201);  /* 0001 + f200 */
}

static void test_ip_full(void **st)
{
    (void)st;
    mm_ip a;
    char t[MM_IPSTR_LEN];
    assert_true(mm_ip_parse("fd01::101:101", &a));
    mm_ip_str_full(&a, t);
    assert_string_equal(t, "fd01:0000:0000:0000:0000:0000:0101:0101");
    assert_true(mm_ip_parse(t, &a));
    mm_ip_str(&a, t);
    assert_string_equal(t, "fd01::101:101");
    assert_true(mm_ip_parse("192.0.2.7", &a));
    mm_ip_str_full(&a, t);
    assert_string_equal(t, "192.0.2.7");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_inet_sum),
        cmocka_unit_test(test_sizes_and_numbers),
        cmocka_unit_test(test_timestamp_format),
        cmocka_unit_test(test_netlist),
        cmocka_unit_test(test_siphash_vectors),
        cmocka_unit_test(test_keccak256),
        cmocka_unit_test(test_strmap_delete),
        cmocka_unit_test(test_ip_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
