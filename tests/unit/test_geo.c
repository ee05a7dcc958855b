/* Unit tests: GeoIP (analysis/geo.c). */
#include "testutil.h"
#include "analysis/geo.h"

#include <stdlib.h>

static mm_geo_kind kind(const mm_geo *g, const char *s, char cc[3])
{
    mm_ip ip;
    assert_true(mm_ip_parse(s, &ip));
    return mm_geo_lookup(g, &ip, cc);
}

static void test_special_ranges(void **st)
{
    (void)st;
    char cc[3];
    assert_int_equal(kind(NULL, "10.1.2.3", cc), MM_GEO_PRIVATE);
    assert_int_equal(kind(NULL, "172.16.0.1", cc), MM_GEO_PRIVATE);
    assert_int_equal(kind(NULL, "172.32.0.1", cc), MM_GEO_UNKNOWN);
    assert_int_equal(kind(NULL, "192.168.255.1", cc), MM_GEO_PRIVATE);
    assert_int_equal(kind(NULL, "100.64.0.1", cc), MM_GEO_PRIVATE);
    assert_int_equal(kind(NULL, "127.0.0.1", cc), MM_GEO_LOOPBACK);
    assert_int_equal(kind(NULL, "169.254.1.1", cc), MM_GEO_LINKLOCAL);
    assert_int_equal(kind(NULL, "224.0.0.251", cc), MM_GEO_MULTICAST);
    assert_int_equal(kind(NULL, "192.0.2.1", cc), MM_GEO_RESERVED);
    assert_int_equal(kind(NULL, "198.51.100.7", cc), MM_GEO_RESERVED);
    assert_int_equal(kind(NULL, "203.0.113.9", cc), MM_GEO_RESERVED);
    assert_int_equal(kind(NULL, "255.255.255.255", cc), MM_GEO_RESERVED);
    assert_int_equal(kind(NULL, "::1", cc), MM_GEO_LOOPBACK);
    assert_int_equal(kind(NULL, "fe80::1", cc), MM_GEO_LINKLOCAL);
    assert_int_equal(kind(NULL, "fd00::10", cc), MM_GEO_PRIVATE);
    assert_int_equal(kind(NULL, "ff02::1", cc), MM_GEO_MULTICAST);
    assert_int_equal(kind(NULL, "2001:db8::1", cc), MM_GEO_RESERVED);
    assert_int_equal(kind(NULL, "::ffff:10.0.0.1", cc), MM_GEO_PRIVATE);
}

/* Known registrations (RIR allocations, not our data): 133.0.0.0/8 and
 * 2001:200::/32 are Japanese (JPNIC / WIDE), 8.8.8.8 is in the US. */
static void test_lookup_with_data(void **st)
{
    (void)st;
    char err[256], cc[3];
    mm_geo *g = mm_geo_open(NULL, err, sizeof err);
    if (!g) {
        print_message("SKIP: %s\n", err);
        skip();
    }
    assert_true(mm_geo_ranges(g, 4) > 100000);
    assert_true(mm_geo_ranges(g, 6) > 10000);
    assert_int_equal(kind(g, "133.1.1.1", cc), MM_GEO_COUNTRY);
    assert_string_equal(cc, "JP");
    assert_int_equal(kind(g, "2001:200::1", cc), MM_GEO_COUNTRY);
    assert_string_equal(cc, "JP");
    assert_int_equal(kind(g, "8.8.8.8", cc), MM_GEO_COUNTRY);
    assert_string_equal(cc, "US");
    assert_int_equal(kind(g, "10.0.0.1", cc), MM_GEO_PRIVATE);
    assert_string_equal(mm_geo_country_name(g, "JP", "en"), "Japan");
    assert_string_equal(mm_geo_country_name(g, "JP", "ja"), "日本");
    assert_string_equal(mm_geo_country_name(g, "DE", "ja"), "ドイツ");
    assert_null(mm_geo_country_name(g, "QQ", "en"));
    mm_geo_close(g);
}

static void test_bad_path(void **st)
{
    (void)st;
    char err[256];
    assert_null(mm_geo_open("/nonexistent/dir", err, sizeof err));
    assert_null(mm_geo_open("/nonexistent/x.mmdb", err, sizeof err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_special_ranges),
        cmocka_unit_test(test_lookup_with_data),
        cmocka_unit_test(test_bad_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
