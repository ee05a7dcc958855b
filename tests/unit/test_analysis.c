/* Unit tests: the JSON reader (util/jread), ISO time parsing, the store
 * (SQLite in memory) and ingest of EVE lines, the report model. */
#include "testutil.h"
#include "analysis/ingest.h"
#include "analysis/webpath.h"
#include "report/model.h"
#include "store/store.h"
#include "util/jread.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void test_jread_values(void **st)
{
    (void)st;
    jr_doc d;
    jr_init(&d, 0);
    const char *s = " {\"a\":1,\"b\":{\"c\":[true,null,\"x\\u00e9\\ud83d\\ude00\\n\"],"
                    "\"d\":-9223372036854775808},\"e\":2.5e3,\"f\\\"\":\"q\",\"g\":\"x\\\\\"} ";
    assert_int_equal(jr_parse(&d, s, strlen(s)), 0);
    assert_int_equal(jr_path_i64(&d, "a", -1), 1);
    assert_int_equal(jr_path_i64(&d, "b.d", 0), INT64_MIN);
    int arr = jr_path(&d, "b.c");
    assert_true(arr > 0);
    assert_int_equal(d.t[jr_elem(&d, arr, 0)].type, JR_BOOL);
    assert_int_equal(d.t[jr_elem(&d, arr, 1)].type, JR_NULL);
    char buf[32];
    assert_true(jr_str(&d, jr_elem(&d, arr, 2), buf, sizeof buf));
    assert_string_equal(buf, "x\xc3\xa9\xf0\x9f\x98\x80\n");   /* é, U+1F600, newline */
    assert_int_equal(jr_elem(&d, arr, 3), -1);
    double v;
    assert_true(jr_dbl(&d, jr_path(&d, "e"), &v));
    assert_true(v == 2500.0);
    int64_t i;
    assert_false(jr_i64(&d, jr_path(&d, "e"), &i));       /* not an integer */
    assert_true(jr_path_str(&d, "f\"", buf, sizeof buf));  /* escaped key */
    assert_string_equal(buf, "q");
    assert_true(jr_path_str(&d, "g", buf, sizeof buf));    /* an escaped backslash ends it */
    assert_string_equal(buf, "x\\");
    assert_int_equal(jr_path(&d, "b.zz"), -1);
    assert_int_equal(jr_path(&d, "a.b"), -1);               /* a is not an object */
    /* truncation keeps the output terminated */
    char small[3];
    assert_true(jr_str(&d, jr_elem(&d, arr, 2), small, sizeof small));
    assert_int_equal(strlen(small), 1);
    jr_free(&d);
}

static void test_jread_refuses(void **st)
{
    (void)st;
    static const char *bad[] = {
        "", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\":01}",
        "{\"a\":1.}", "{\"a\":-}", "{\"a\":tru}", "\"\\x\"", "\"\\u12\"", "\"\\u12\\\"",
        "{\"a\":1}}", "{a:1}", "[1]x", "{\"a\":\"unterminated}",
    };
    jr_doc d;
    jr_init(&d, 0);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        if (jr_parse(&d, bad[k], strlen(bad[k])) == 0)
            fail_msg("accepted: %s", bad[k]);
        assert_true(d.err[0] != 0);
    }
    /* nesting beyond the limit is refused, not recursed into */
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    assert_int_equal(jr_parse(&d, deep, sizeof deep), -1);
    /* the token limit holds */
    jr_free(&d);
    jr_init(&d, 8);
    const char *many = "[1,2,3,4,5,6,7,8,9]";
    assert_int_equal(jr_parse(&d, many, strlen(many)), -1);
    jr_free(&d);
}

/* mm_parse_iso_ts against the C library's timegm. */
static void test_iso_times(void **st)
{
    (void)st;
    struct tm tm = {.tm_year = 2019 - 1900, .tm_mon = 4, .tm_mday = 30, .tm_hour = 9,
                    .tm_min = 11, .tm_sec = 5};
    int64_t want = (int64_t)timegm(&tm) * 1000000 + 138576, us;
    assert_true(mm_parse_iso_ts("2019-05-30T09:11:05.138576+0000", &us));
    assert_int_equal(us, want);
    assert_true(mm_parse_iso_ts("2019-05-30T18:11:05.138576+09:00", &us));
    assert_int_equal(us, want);
    assert_true(mm_parse_iso_ts("2019-05-30T09:11:05.138576Z", &us));
    assert_int_equal(us, want);
    struct tm d = {.tm_year = 1999 - 1900, .tm_mon = 1, .tm_mday = 28};
    assert_true(mm_parse_iso_ts("1999-02-28", &us));
    assert_int_equal(us, (int64_t)timegm(&d) * 1000000);
    struct tm l = {.tm_year = 2024 - 1900, .tm_mon = 1, .tm_mday = 29, .tm_hour = 23,
                   .tm_min = 59, .tm_sec = 59};
    assert_true(mm_parse_iso_ts("2024-02-29T23:59:59", &us));
    assert_int_equal(us, (int64_t)timegm(&l) * 1000000);
    assert_false(mm_parse_iso_ts("2024-13-01", &us));
    assert_false(mm_parse_iso_ts("2024-02-29T24:00", &us));
    assert_false(mm_parse_iso_ts("2024-02-29T10:00:00+9", &us));
    assert_false(mm_parse_iso_ts("2024-02-29x", &us));
}

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/mm-test-analysis-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* Two alerts and flows of a made-up company, as Suricata would write them
 * (no mimamori object): enrichment, rollup, idempotence, growth. */
static void test_ingest_and_model(void **st)
{
    (void)st;
    static const char lines[] =
        "{\"timestamp\":\"2026-11-02T10:00:00.000000+0900\",\"event_type\":\"alert\","
        "\"src_ip\":\"192.168.1.5\",\"src_port\":3389,\"dest_ip\":\"203.0.113.9\","
        "\"dest_port\":4444,\"proto\":\"TCP\",\"alert\":{\"gid\":1,\"signature_id\":2001330,"
        "\"rev\":9,\"signature\":\"ET INFO RDP - Response To External Host\",\"category\":"
        "\"Misc activity\",\"severity\":3},\"direction\":\"to_client\"}\n"
        "{\"timestamp\":\"2026-11-02T11:00:00.000000+0900\",\"event_type\":\"alert\","
        "\"src_ip\":\"192.168.1.7\",\"src_port\":50000,\"dest_ip\":\"198.51.100.4\","
        "\"dest_port\":80,\"proto\":\"TCP\",\"alert\":{\"gid\":1,\"signature_id\":9999999,"
        "\"rev\":1,\"signature\":\"EK landing\",\"category\":\"Exploit Kit Activity "
        "Detected\",\"severity\":1}}\n"
        "not json\n"
        "{\"timestamp\":\"2026-11-02T11:00:00.000000+0900\",\"event_type\":\"flow\","
        "\"src_ip\":\"192.168.1.7\",\"src_port\":50000,\"dest_ip\":\"198.51.100.4\","
        "\"dest_port\":80,\"proto\":\"TCP\",\"app_proto\":\"http\",\"flow\":{"
        "\"pkts_toserver\":5,\"pkts_toclient\":7,\"bytes_toserver\":500,\"bytes_toclient\":7000,"
        "\"start\":\"2026-11-02T11:00:00.000000+0900\",\"end\":\"2026-11-02T11:00:09.000000+0900\"}}\n"
        "{\"timestamp\":\"2026-11-02T12:00:00.000000+0900\",\"event_type\":\"flow\","
        "\"src_ip\":\"203.0.113.9\",\"src_port\":4444,\"dest_ip\":\"192.168.1.5\","
        "\"dest_port\":3389,\"proto\":\"TCP\",\"flow\":{\"pkts_toserver\":3,\"pkts_toclient\":2,"
        "\"bytes_toserver\":300,\"bytes_toclient\":200,\"start\":\"2026-11-02T12:00:00+0900\","
        "\"end\":\"2026-11-02T12:00:01+0900\"}}\n";
    char err[256];
    mm_db *db = mm_db_open(":memory:", err, sizeof err);
    assert_non_null(db);
    mm_ingest_cfg cfg = {.site = "Sakura", .quiet = true};
    mm_ingest *in = mm_ingest_new(db, &cfg, err, sizeof err);
    assert_non_null(in);
    char *p = write_tmp(lines);
    assert_int_equal(mm_ingest_path(in, p, err, sizeof err), 0);
    mm_ingest_stats s;
    mm_ingest_stats_get(in, &s);
    assert_int_equal(s.alerts, 2);
    assert_int_equal(s.flows, 2);
    assert_int_equal(s.bad_lines, 1);
    /* the same file again adds nothing */
    assert_int_equal(mm_ingest_path(in, p, err, sizeof err), 0);
    mm_ingest_stats_get(in, &s);
    assert_int_equal(s.already, 1);
    assert_int_equal(mm_db_scalar(db, "SELECT COUNT(*) FROM alerts"), 2);
    /* enrichment: the RDP response (to_client, from the server 192.168.1.5)
     * belongs to an inbound connection from 203.0.113.9; families by sid and by category text */
    assert_int_equal(mm_db_scalar(db, "SELECT COUNT(*) FROM alerts WHERE sid = 2001330 AND "
                                      "family = 'rdp' AND direction = 'inbound' AND "
                                      "remote_ip = '203.0.113.9' AND local_ip = '192.168.1.5'"), 1);
    assert_int_equal(mm_db_scalar(db, "SELECT COUNT(*) FROM alerts WHERE sid = 9999999 AND "
                                      "family = 'exploit-kit' AND direction = 'outbound'"), 1);
    /* documentation addresses are reserved: no country, not public */
    assert_int_equal(mm_db_scalar(db, "SELECT COUNT(*) FROM alerts WHERE remote_public = 1"), 0);
    /* flows: packets by the direction they travelled */
    assert_int_equal(mm_db_scalar(db, "SELECT pkts_in FROM flows_day WHERE remote_ip = "
                                      "'198.51.100.4'"), 7);
    assert_int_equal(mm_db_scalar(db, "SELECT pkts_out FROM flows_day WHERE remote_ip = "
                                      "'198.51.100.4'"), 5);
    assert_int_equal(mm_db_scalar(db, "SELECT pkts_in FROM flows_day WHERE remote_ip = "
                                      "'203.0.113.9'"), 3);
    /* the file grows: only the new line goes in */
    FILE *f = fopen(p, "a");
    assert_non_null(f);
    fputs("{\"timestamp\":\"2026-11-03T10:00:00+0900\",\"event_type\":\"alert\",\"src_ip\":"
          "\"203.0.113.9\",\"dest_ip\":\"192.168.1.5\",\"proto\":\"TCP\",\"alert\":{"
          "\"signature_id\":2001330,\"severity\":3}}\n{\"partial\":", f);
    fclose(f);
    assert_int_equal(mm_ingest_path(in, p, err, sizeof err), 0);
    assert_int_equal(mm_db_scalar(db, "SELECT COUNT(*) FROM alerts"), 3);
    assert_int_equal(mm_ingest_path(in, p, err, sizeof err), 0);
    assert_int_equal(mm_db_scalar(db, "SELECT COUNT(*) FROM alerts"), 3);

    rp_model m;
    assert_int_equal(rp_model_build(&m, db, 0, 0, "Asia/Tokyo", err, sizeof err), 0);
    assert_int_equal(m.nsite, 1);
    assert_string_equal(m.site[0].name, "Sakura");
    assert_int_equal(m.site[0].alerts, 3);
    assert_int_equal(m.site[0].sev[1], 1);
    assert_int_equal(m.site[0].sev[3], 2);
    assert_int_equal(m.site[0].level, 1);
    assert_int_equal(m.site[0].days.n, 2);           /* 11-02 and 11-03 in Tokyo */
    assert_string_equal(m.site[0].days.v[0].key, "2026-11-02");
    rp_model_free(&m);
    unlink(p);
    mm_ingest_free(in);
    mm_db_close(db);
}

/* A watcher's fim event and its alert (same time) become one row of
 * host_files in either order; a baseline summary is not a row; a fim event
 * without a path is a bad line; an alert's reasons are kept. */
static void test_ingest_file_events(void **st)
{
    (void)st;
    static const char lines[] =
        "{\"timestamp\":\"2026-12-07T10:00:00.000001+0900\",\"event_type\":\"alert\","
        "\"host\":\"web1\",\"alert\":{\"gid\":1,\"signature_id\":8700301,\"rev\":1,"
        "\"signature\":\"MIMAMORI WEBSHELL\",\"severity\":1,\"metadata\":{\"family\":"
        "[\"webshell\"],\"explain\":[\"webshell-content\"]}},\"fim\":{\"action\":\"added\","
        "\"root\":\"/srv/www\",\"path\":\"up/c.php\",\"size\":30,\"sha256\":\"ab\"},"
        "\"mimamori\":{\"alert\":{\"kind\":\"webshell\",\"reasons\":[\"one\",\"two\"]}}}\n"
        "{\"timestamp\":\"2026-12-07T10:00:00.000001+0900\",\"event_type\":\"fim\","
        "\"host\":\"web1\",\"fim\":{\"action\":\"added\",\"root\":\"/srv/www\","
        "\"path\":\"up/c.php\",\"size\":30,\"sha256\":\"ab\"}}\n"
        "{\"timestamp\":\"2026-12-07T10:00:01+0900\",\"event_type\":\"fim\","
        "\"host\":\"web1\",\"fim\":{\"action\":\"removed\",\"root\":\"/srv/www\","
        "\"path\":\"old.html\"}}\n"
        "{\"timestamp\":\"2026-12-07T09:00:00+0900\",\"event_type\":\"fim\","
        "\"host\":\"web1\",\"fim\":{\"action\":\"baseline\",\"root\":\"/srv/www\","
        "\"files\":3}}\n"
        "{\"timestamp\":\"2026-12-07T10:00:02+0900\",\"event_type\":\"fim\","
        "\"fim\":{\"action\":\"added\"}}\n";
    char err[256];
    mm_db *db = mm_db_open(":memory:", err, sizeof err);
    assert_non_null(db);
    mm_ingest_cfg cfg = {.site = "Sakura", .quiet = true};
    mm_ingest *in = mm_ingest_new(db, &cfg, err, sizeof err);
    assert_non_null(in);
    char *p = write_tmp(lines);
    assert_int_equal(mm_ingest_path(in, p, err, sizeof err), 0);
    mm_ingest_stats s;
    mm_ingest_stats_get(in, &s);
    assert_int_equal(s.alerts, 1);
    assert_int_equal(s.file_events, 2);
    assert_int_equal(s.bad_lines, 1);
    assert_int_equal(mm_db_scalar(db, "SELECT COUNT(*) FROM host_files"), 2);
    assert_int_equal(mm_db_scalar(db, "SELECT COUNT(*) FROM host_files WHERE path = 'up/c.php'"
                                      " AND host = 'web1' AND action = 'added' AND sid = 8700301"
                                      " AND severity = 1 AND kind = 'webshell' AND size = 30"
                                      " AND reasons = 'one; two' AND explain = 'webshell-content'"),
                     1);
    rp_model m;
    assert_int_equal(rp_model_build(&m, db, 0, 0, "Asia/Tokyo", err, sizeof err), 0);
    assert_int_equal(m.nsite, 1);
    const rp_hostfiles *F = &m.site[0].files;
    assert_int_equal(F->added, 1);
    assert_int_equal(F->removed, 1);
    assert_int_equal(F->alerts, 1);
    assert_int_equal(F->n, 1);
    assert_string_equal(F->v[0].path, "up/c.php");
    assert_int_equal(F->v[0].sev, 1);
    rp_model_free(&m);
    mm_ingest_free(in);
    mm_db_close(db);
    unlink(p);
}

/* Request targets as paths below the document root (analysis/webpath.h). */
static void test_web_path(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } v[] = {
        {"/wp-content/uploads/a.php?x=1", "wp-content/uploads/a.php"},
        {"/a//b/./c.php#frag", "a/b/c.php"},
        {"/a/b/../c.php", "a/c.php"},
        {"/a/%2E%2e/c%2ephp", "c.php"},
        {"http://example.jp:8080/x/y.php?q", "x/y.php"},
        {"HTTPS://example.jp/x%2Fy.php", "x/y.php"},
        {"/x\\y.asp", "x/y.asp"},
        {"/dir/", "dir"},
        {"/%zz%4", "%zz%4"},
        {"/", ""},
        {"*", ""},
        {"example.jp:443", ""},
        {"http://example.jp", ""},
        {"http://example.jp?x", ""},
        {"/../etc/passwd", ""},
        {"/a/../../b", ""},
        {"/a%00.php", ""},
        {"/a%0a.php", ""},
        {"", ""},
    };
    char out[MM_WEBPATH_MAX];
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        size_t n = mm_web_path(v[i].in, strlen(v[i].in), out, sizeof out);
        if (n != strlen(v[i].out) || (n && strcmp(out, v[i].out) != 0))
            fail_msg("%s: got %zu '%s', want '%s'", v[i].in, n, n ? out : "", v[i].out);
    }
    /* bounded: a path one byte too long for the buffer is refused */
    char longp[40];
    memset(longp, 'a', sizeof longp);
    longp[0] = '/';
    char small[16];
    assert_int_equal(mm_web_path(longp, 16, small, sizeof small), 15);
    assert_int_equal(mm_web_path(longp, 17, small, sizeof small), 0);
    char name[32];
    assert_true(mm_web_admin("wp-login.php", name));
    assert_string_equal(name, "wp-login.php");
    assert_true(mm_web_admin("WP-Admin/options.php", name));
    assert_string_equal(name, "wp-admin");
    assert_true(mm_web_admin("user/login", name));
    assert_false(mm_web_admin("user/loginx", name));
    assert_false(mm_web_admin("blog/wp-login.php", name));
    assert_false(mm_web_admin("administrators", name));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jread_values),
        cmocka_unit_test(test_web_path),
        cmocka_unit_test(test_ingest_file_events),
        cmocka_unit_test(test_jread_refuses),
        cmocka_unit_test(test_iso_times),
        cmocka_unit_test(test_ingest_and_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
