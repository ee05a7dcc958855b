/* Unit tests: the log reader (src/logs/logs.c), syslog headers and record
 * times (syslog.c), the record's value readers (logrec.c). The formats
 * themselves are tested by the case files of tests/logs (documented lines) and against
 * CrowdSec's expected parses (tests/e2e/logs_oracle.py). */
#include "testutil.h"
#include "logs/logs.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static lr_syslog hdr(const char *line)
{
    lr_syslog s;
    lr_syslog_parse(line, strlen(line), &s);
    return s;
}

static bool str_is(lr_str s, const char *t)
{
    return lr_eq(s, t);
}

static void test_syslog_headers(void **st)
{
    (void)st;
    lr_syslog s = hdr("Jan 26 18:12:55 junction dhcpd[4842]: DHCPACK on 10.0.0.2");
    assert_true(s.ok);
    assert_int_equal(s.mon, 1);
    assert_int_equal(s.day, 26);
    assert_int_equal(s.hour, 18);
    assert_int_equal(s.sec, 55);
    assert_false(s.has_year);
    assert_true(str_is(s.host, "junction"));
    assert_true(str_is(s.program, "dhcpd"));
    assert_true(str_is(s.pid, "4842"));
    assert_int_equal(s.msg_len, strlen("DHCPACK on 10.0.0.2"));
    assert_memory_equal(s.msg, "DHCPACK on 10.0.0.2", s.msg_len);

    /* no host: the first word is the tag */
    s = hdr("Jul  7 04:49:57 dnsmasq[15210]: query[A] a.example from 10.0.0.3");
    assert_true(s.ok);
    assert_int_equal(s.day, 7);
    assert_int_equal(s.host.n, 0);
    assert_true(str_is(s.program, "dnsmasq"));
    assert_memory_equal(s.msg, "query[A]", 8);

    /* PRI, a tag without pid, a year after the day */
    s = hdr("<134>Mar  3 2024 10:00:01 fw01 filterlog: 5,,,1000,em0");
    assert_true(s.ok);
    assert_int_equal(s.pri, 134);
    assert_true(s.has_year);
    assert_int_equal(s.year, 2024);
    assert_true(str_is(s.host, "fw01"));
    assert_true(str_is(s.program, "filterlog"));
    assert_int_equal(s.pid.n, 0);

    /* RFC 5424 with structured data and a BOM */
    s = hdr("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
            "[exampleSDID@32473 iut=\"3\" eventSource=\"App]lication\"] \xEF\xBB\xBF" "An application event");
    assert_true(s.ok);
    assert_true(s.has_zone);
    assert_int_equal(s.zone, 0);
    assert_int_equal(s.usec, 3000);
    assert_true(str_is(s.host, "mymachine.example.com"));
    assert_true(str_is(s.program, "evntslog"));
    assert_int_equal(s.pid.n, 0);
    assert_int_equal(s.msg_len, strlen("An application event"));
    assert_memory_equal(s.msg, "An application event", s.msg_len);

    /* RFC 5424 with a nil timestamp */
    s = hdr("<13>1 - host app 12 - - hello");
    assert_true(s.ok);
    assert_int_equal(s.mon, 0);
    assert_true(str_is(s.pid, "12"));

    /* ISO in front, as rsyslog's high precision format */
    s = hdr("2024-05-06T07:08:09.123456+09:00 gw sshd[77]: Accepted password");
    assert_true(s.ok);
    assert_true(s.has_zone);
    assert_int_equal(s.zone, 9 * 3600);
    assert_int_equal(s.usec, 123456);
    assert_true(str_is(s.program, "sshd"));

    /* not a header: the message is the whole line */
    s = hdr("1157689312.049   5006 10.105.21.199 TCP_MISS/200 19763 CONNECT a:443");
    assert_false(s.ok);
    assert_int_equal(s.msg_len, strlen("1157689312.049   5006 10.105.21.199 TCP_MISS/200 19763 CONNECT a:443"));
    s = hdr("<189>date=2020-04-23 time=01:16:08 devname=\"x\"");
    assert_false(s.ok);
    assert_int_equal(s.pri, 189);
    assert_memory_equal(s.msg, "date=", 5);

    /* hostile: cut headers */
    const char *bad[] = {"", "<", "<999>", "Jan", "Jan 32 10:00:00 x", "Jan 1 25:00:00 x y:",
                         "2024-13-01T00:00:00Z h p: m", "<1>1 ", "<1>1 [", "Jan  1 10:00:00"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        s = hdr(bad[i]);
        assert_true(s.msg_len <= strlen(bad[i]));
    }
    s = hdr("Jan 1 25:00:00 x y: z");
    assert_false(s.ok);
}

static int64_t record_time(const mm_logopt *opt, int64_t ref, const char *line, int32_t *off)
{
    mm_logctx cx;
    mm_logctx_init(&cx, opt, "t", NULL, ref);
    lr_syslog s;
    lr_syslog_parse(line, strlen(line), &s);
    lr_line l = {line, strlen(line), &s, 1};
    static mm_logrec r;
    lr_clear(&r);
    assert_true(lr_time_syslog(&cx, &r, &l));
    if (off)
        *off = r.tzoff;
    return r.ts_us / 1000000;
}

static void test_times(void **st)
{
    (void)st;
    mm_logopt utc = {.tz = "UTC"};
    /* the file was last written 2024-01-05 12:00 UTC */
    int64_t ref = (int64_t)1704456000 * 1000000;
    /* 2023-12-30 23:00:00 UTC: December lines of a January file */
    assert_int_equal(record_time(&utc, ref, "Dec 30 23:00:00 h p: m", NULL), 1703977200);
    /* 2024-01-05 10:00:00 */
    assert_int_equal(record_time(&utc, ref, "Jan  5 10:00:00 h p: m", NULL), 1704448800);
    /* a day ahead of the file's time (clock skew) stays in its year */
    assert_int_equal(record_time(&utc, ref, "Jan  6 10:00:00 h p: m", NULL), 1704535200);
    /* a month ahead cannot be: the year before (2023-02-01) */
    assert_int_equal(record_time(&utc, ref, "Feb  1 00:00:00 h p: m", NULL), 1675209600);
    /* a zone in the line wins over --tz */
    assert_int_equal(record_time(&utc, ref, "2024-01-02T09:00:00+09:00 h p: m", NULL), 1704153600);

    /* --tz: Tokyo is UTC+9 all year; New York changes in March */
    mm_logopt tokyo = {.tz = "Asia/Tokyo", .year = 2024};
    int32_t off;
    assert_int_equal(record_time(&tokyo, ref, "Jul  1 09:00:00 h p: m", &off), 1719792000);
    assert_int_equal(off, 9 * 3600);
    mm_logopt ny = {.tz = "America/New_York", .year = 2024};
    assert_int_equal(record_time(&ny, ref, "Jul  1 08:00:00 h p: m", &off), 1719835200);
    assert_int_equal(off, -4 * 3600);
    assert_int_equal(record_time(&ny, ref, "Jan  1 07:00:00 h p: m", &off), 1704110400);
    assert_int_equal(off, -5 * 3600);
    /* the zone's jumps: 02:30 on 2024-03-10 does not exist in New York (read
     * with the offset before the jump, -5), 01:30 on 2024-11-03 comes twice
     * (one of the two, -4 or -5); the hours around them are exact */
    int64_t t = record_time(&ny, ref, "Mar 10 01:59:59 h p: m", &off);
    assert_int_equal(t, 1710053999);
    assert_int_equal(off, -5 * 3600);
    t = record_time(&ny, ref, "Mar 10 03:00:00 h p: m", &off);
    assert_int_equal(t, 1710054000);
    assert_int_equal(off, -4 * 3600);
    t = record_time(&ny, ref, "Mar 10 02:30:00 h p: m", &off);
    assert_true(t >= 1710053999 - 3600 && t <= 1710054000 + 3600);
    t = record_time(&ny, ref, "Nov  3 01:30:00 h p: m", &off);
    assert_true(t == 1730611800 || t == 1730615400);
    assert_true(off == -4 * 3600 || off == -5 * 3600);
    t = record_time(&ny, ref, "Nov  3 03:00:00 h p: m", &off);
    assert_int_equal(t, 1730620800);
    assert_int_equal(off, -5 * 3600);
    mm_logopt fixed = {.tz = "+05:30", .year = 2024};
    assert_int_equal(record_time(&fixed, ref, "Jan  1 05:30:00 h p: m", &off), 1704067200);
    assert_int_equal(off, 5 * 3600 + 1800);

    assert_true(lr_tz_known("Asia/Tokyo"));
    assert_true(lr_tz_known("UTC"));
    assert_true(lr_tz_known("-03:00"));
    assert_false(lr_tz_known("Mars/Olympus"));
    assert_false(lr_tz_known("../../etc/passwd"));
    assert_false(lr_tz_known("/etc/localtime"));

    /* civil days against timegm over 1970..2200 */
    srand(7);
    for (int i = 0; i < 20000; i++) {
        struct tm tm = {0};
        tm.tm_year = 70 + rand() % 230;
        tm.tm_mon = rand() % 12;
        tm.tm_mday = 1 + rand() % 28;
        time_t tg = timegm(&tm);
        assert_int_equal(mm_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                                            (unsigned)tm.tm_mday),
                         (int64_t)tg / 86400);
    }
}

static void test_values(void **st)
{
    (void)st;
    static mm_logrec r;
    lr_clear(&r);
    lr_str m;
    const char *good[][2] = {
        {"AA-BB-CC-DD-EE-0F", "aa:bb:cc:dd:ee:0f"}, {"aabb.ccdd.ee0f", "aa:bb:cc:dd:ee:0f"},
        {"AABBCCDDEE0F", "aa:bb:cc:dd:ee:0f"},      {"0:1b:2:3:4:5", "00:1b:02:03:04:05"},
        {"f4:8c:50:9d:eb:35", "f4:8c:50:9d:eb:35"},
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        assert_true(lr_mac(&r, good[i][0], strlen(good[i][0]), &m));
        assert_int_equal(m.n, 17);
        assert_memory_equal(m.p, good[i][1], 17);
    }
    const char *badm[] = {"aa:bb:cc", "gg:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff:00", "", ":::::",
                          "aabbccddeeff00", "aa::cc:dd:ee:ff", "123:bb:cc:dd:ee:ff",
                          "fffffffffffffffffffff:aa:bb:cc:dd:ee"};
    for (size_t i = 0; i < sizeof badm / sizeof *badm; i++)
        assert_false(lr_mac(&r, badm[i], strlen(badm[i]), &m));

    mm_ip ip;
    assert_true(lr_ip("::ffff:192.0.2.1", 16, &ip));
    assert_int_equal(ip.v, 4);
    assert_int_equal(ip.b[0], 192);
    assert_int_equal(ip.b[4], 0);
    assert_true(lr_ip("[2001:db8::1]", 13, &ip));
    assert_int_equal(ip.v, 6);
    assert_false(lr_ip("1.2.3", 5, &ip));
    assert_false(lr_ip("1.2.3.4 ", 8, &ip));

    /* the dotted-quad fast path against inet_pton, on text made of digits
     * and dots (leading zeros, big numbers, missing parts) */
    srand(11);
    for (int i = 0; i < 200000; i++) {
        char t[20];
        size_t tn = 1 + (size_t)(rand() % 16);
        for (size_t k = 0; k < tn; k++)
            t[k] = "0123456789.12.5"[rand() % 15];
        t[tn] = 0;
        struct in_addr a4;
        mm_ip got;
        bool want = inet_pton(AF_INET, t, &a4) == 1;
        bool have = lr_ip(t, tn, &got) && got.v == 4;
        if (want != have || (want && memcmp(got.b, &a4, 4) != 0))
            fail_msg("lr_ip(\"%s\"): %d, inet_pton: %d", t, have, want);
    }
    assert_string_equal(lr_proto("6", 1), "TCP");
    assert_string_equal(lr_proto("icmpv6", 6), "IPv6-ICMP");
    assert_string_equal(lr_proto("ICMPv6", 6), "IPv6-ICMP");
    assert_string_equal(lr_proto("udp", 3), "UDP");
    assert_null(lr_proto("999", 3));
    assert_null(lr_proto("bogus", 5));

    int32_t port;
    assert_true(lr_port("65535", 5, &port));
    assert_false(lr_port("65536", 5, &port));
    assert_false(lr_port("-1", 2, &port));
    int64_t v;
    assert_false(lr_num("9999999999999999999", 19, &v));

    lr_str kv;
    const char *line = "IN=eth0 OUT= SRC=1.2.3.4 xSRC=9 name=\"a b\"";
    assert_true(lr_kv(line, strlen(line), "SRC", &kv));
    assert_true(lr_eq(kv, "1.2.3.4"));
    assert_true(lr_kv(line, strlen(line), "OUT", &kv));
    assert_int_equal(kv.n, 0);
    assert_true(lr_kv(line, strlen(line), "name", &kv));
    assert_true(lr_eq(kv, "a b"));
    assert_false(lr_kv(line, strlen(line), "DST", &kv));

    /* the scratch area is bounded */
    char big[LR_SCRATCH];
    memset(big, 'x', sizeof big);
    lr_clear(&r);
    assert_non_null(lr_keep(&r, big, sizeof big - 10));
    assert_null(lr_keep(&r, big, 11));
}

/* --- reading files --- */

typedef struct got {
    int n;
    uint64_t lines[16];
} got;

static int on_rec(void *u, const mm_logrec *r, const mm_logctx *cx)
{
    got *g = u;
    if (g->n < 16)
        g->lines[g->n] = r->line ? r->line : cx->lineno;
    g->n++;
    return 0;
}

#define NF_LINE(dpt) "Mar  3 10:00:01 gw kernel: DROP IN=eth0 OUT= SRC=198.51.100.7 " \
                     "DST=192.0.2.10 LEN=60 PROTO=TCP SPT=1 DPT=" dpt

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void test_reader(void **st)
{
    (void)st;
    char dir[] = "/tmp/mm-logtest-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[300], err[512];
    mm_logopt opt = {.tz = "UTC", .quiet = true};

    /* CRLF endings, a foreign line, a last line without a newline */
    const char *text = NF_LINE("23") "\r\nMar  3 10:00:02 gw cron[1]: job\r\n" NF_LINE("24");
    snprintf(p, sizeof p, "%s/a.log", dir);
    write_file(p, text, strlen(text));
    got g = {0};
    mm_logstats s = {0};
    assert_int_equal(mm_logs_read_file(p, &opt, on_rec, &g, &s, err, sizeof err), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.lines[0], 1);
    assert_int_equal(g.lines[1], 3);
    assert_int_equal(s.lines, 3);
    assert_int_equal(s.skipped, 1);

    /* a 10 MB line between two records: passed over, counted */
    static char buf[65536];
    snprintf(p, sizeof p, "%s/long.log", dir);
    FILE *lf = fopen(p, "wb");
    assert_non_null(lf);
    fprintf(lf, "%s\n", NF_LINE("23"));
    memset(buf, 'A', sizeof buf);
    for (size_t done = 0; done < 10 * 1000 * 1000; done += sizeof buf)
        assert_int_equal(fwrite(buf, 1, sizeof buf, lf), sizeof buf);
    fprintf(lf, "\n%s\n", NF_LINE("25"));
    fclose(lf);
    memset(&g, 0, sizeof g);
    memset(&s, 0, sizeof s);
    assert_int_equal(mm_logs_read_file(p, &opt, on_rec, &g, &s, err, sizeof err), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.lines[1], 3);
    assert_int_equal(s.cut, 1);

    /* gzip, whole and cut short */
    snprintf(p, sizeof p, "%s/a.log.gz", dir);
    gzFile z = gzopen(p, "wb");
    assert_non_null(z);
    for (int i = 0; i < 2000; i++)
        gzprintf(z, "%s\n", NF_LINE("23"));
    gzclose(z);
    memset(&g, 0, sizeof g);
    memset(&s, 0, sizeof s);
    assert_int_equal(mm_logs_read_file(p, &opt, on_rec, &g, &s, err, sizeof err), 0);
    assert_int_equal(g.n, 2000);
    size_t zn;
    char *zd = mm_read_file(p, 1 << 20, &zn, err, sizeof err);
    assert_non_null(zd);
    snprintf(p, sizeof p, "%s/cut.log.gz", dir);
    write_file(p, zd, zn / 2);
    free(zd);
    memset(&g, 0, sizeof g);
    memset(&s, 0, sizeof s);
    assert_int_equal(mm_logs_read_file(p, &opt, on_rec, &g, &s, err, sizeof err), 0);
    assert_true(g.n > 0 && g.n < 2000);
    if (s.malformed != 1)
        fail_msg("cut gzip: %d records, %llu lines, %llu malformed", g.n,
                 (unsigned long long)s.lines, (unsigned long long)s.malformed);

    /* no known format: one line naming the file */
    snprintf(p, sizeof p, "%s/garbage.bin", dir);
    for (size_t i = 0; i < 5000; i++)
        buf[i] = (char)(i * 7919 % 251);
    write_file(p, buf, 5000);
    assert_int_equal(mm_logs_read_file(p, &opt, on_rec, &g, &s, err, sizeof err), 1);
    assert_non_null(strstr(err, "garbage.bin"));
    assert_null(strchr(err, '\n'));
    assert_int_equal(mm_logs_read_file("/nonexistent/x.log", &opt, on_rec, &g, &s, err,
                                       sizeof err), 1);
    assert_int_equal(mm_logs_read_file(dir, &opt, on_rec, &g, &s, err, sizeof err), 1);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_formats_table(void **st)
{
    (void)st;
    size_t n;
    const mm_logfmt *const *f = mm_log_formats(&n);
    /* every format file is linked in (logs.c refers to them weakly) */
    static const char *const want[] = {
        "netfilter", "filterlog", "fortigate", "asa", "paloalto", "winfw", "yamaha",
        "squid", "w3c", "weblog", "bind", "unbound", "dnsmasq", "dnsmasq_dhcp", "windns",
        "zeek_dns", "infoblox", "dhcpd", "windhcp", "kea", "postfix", "exim", "exchange",
        "sshd", "dovecot"};
    assert_int_equal(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++)
        if (!mm_log_format(want[i]))
            fail_msg("format %s is not linked in", want[i]);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(f[i]->name);
        assert_non_null(f[i]->probe);
        assert_non_null(f[i]->parse);
        assert_non_null(f[i]->example);
        assert_ptr_equal(mm_log_format(f[i]->name), f[i]);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(f[i]->name, f[j]->name);
        /* each format's example is detected as that format */
        const char *ex[1] = {f[i]->example};
        const mm_logfmt *d = mm_logs_detect(ex, 1);
        if (d != f[i])
            fail_msg("the example of %s is detected as %s", f[i]->name, d ? d->name : "none");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syslog_headers),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_reader),
        cmocka_unit_test(test_formats_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
