/*
 * Unit tests: blocklist export (ioc/export.c).
 *
 * Each format's exact output for a small hand-made list, with the
 * expected text written from the format's own documentation (nftables
 * wiki "Sets", ipset(8), squid.conf "acl", unbound.conf(5) local-zone,
 * the BIND ARM on response policy zones and draft-vixie-dnsop-dns-rpz for
 * rpz-ip owner names, Suricata's datasets and file keyword pages, STIX 2.1
 * sections 3-4 and 9.7 (patterning), the Yamaha RTX command reference for
 * "ip filter"). Then the leave-out rules, one test per reason, and the
 * safety gate (values that would inject into a configuration).
 *
 * Where the device's own checker is installed the export is also run
 * through it, and the test fails when the checker rejects it:
 *   nft -c -f FILE          (needs CAP_NET_ADMIN: as root it works here and
 *                            in CI; otherwise "unshare -rn nft -c -f" is
 *                            tried, which works where user namespaces do)
 *   ipset restore           (into a network namespace of its own, thrown
 *                            away: the host's sets are not touched)
 *   unbound-checkconf       (a config that includes the export)
 *   named-checkzone ORIGIN FILE
 *   squid -k parse -f CONF  (a squid.conf with the three ACL files)
 *   mimamori's own rule loader (mm_ruleset_load: no rule skipped)
 * An absent checker is a skip with its name printed.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/catalog.h"
#include "ioc/export.h"
#include "mm_config.h"
#include "rules/rule.h"
#include "util/jread.h"

#define NOW_US 1796601600000000LL   /* 2026-12-07T00:00:00Z */

static const mm_ioc base[] = {
    {.to_ids = true, .type = IOC_IPV4, .value = "185.220.101.4", .source = "feed-a", .confidence = 80,
     .tlp = "green"},
    {.to_ids = true, .type = IOC_IPV6, .value = "2a01:4f8:10a::1", .confidence = -1},
    {.to_ids = true, .type = IOC_CIDR, .value = "45.9.148.0/24", .confidence = -1},
    {.to_ids = true, .type = IOC_CIDR, .value = "2a01:4f8:c0c::/48", .confidence = -1},
    {.to_ids = true, .type = IOC_DOMAIN, .value = "update-check.xyz", .desc = "=cmd C2", .confidence = -1,
     .first_seen = 1700000000000000LL, .last_seen = 1700086400000000LL},
    {.to_ids = true, .type = IOC_DOMAIN, .value = "login.phish.co.jp", .confidence = -1},
    {.to_ids = true, .type = IOC_URL, .value = "http://dl.bad.example/a/p.exe?id=1", .confidence = -1},
    {.to_ids = true, .type = IOC_MD5, .value = "d41d8cd98f00b204e9800998ecf8427e", .confidence = -1},
    {.to_ids = true, .type = IOC_SHA1, .value = "da39a3ee5e6b4b0d3255bfef95601890afd80709", .confidence = -1},
    {.to_ids = true, .type = IOC_SHA256, .value = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     .confidence = -1},
    {.to_ids = true, .type = IOC_EMAIL, .value = "ceo@phish.co.jp", .confidence = -1},
    {.to_ids = true, .type = IOC_JA3, .value = "e7d705a3286e19ea42f587b344ee6865", .confidence = -1},
    {.to_ids = true, .type = IOC_USER_AGENT, .value = "Mozilla/4.0 (compatible; MSIE 6.0)", .confidence = -1},
    {.to_ids = true, .type = IOC_FILENAME, .value = "invoice.pdf.exe", .confidence = -1},
};
#define NBASE (sizeof base / sizeof base[0])

/* Exports v to a string (one part for multi-file formats). */
static char *export_str(const char *format, const char *part, const mm_ioc *v, size_t n,
                        bool force, mm_ioc_export_stats *st)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    mm_ioc_export_opts o = {.format = format, .part = part, .force = force, .now_us = NOW_US};
    char err[256] = "";
    int rc = mm_ioc_export(m, v, n, &o, NULL, st, err, sizeof err);
    if (rc != 0)
        print_message("export %s: %s\n", format, err);
    assert_int_equal(rc, 0);
    assert_int_equal(fclose(m), 0);
    return buf;
}

static void expect(const char *format, const char *part, const char *want, uint64_t written,
                   uint64_t unfit)
{
    mm_ioc_export_stats st;
    char *got = export_str(format, part, base, NBASE, false, &st);
    if (strcmp(got, want) != 0)
        print_message("---- %s/%s got:\n%s---- want:\n%s----\n", format, part ? part : "", got,
                      want);
    assert_string_equal(got, want);
    free(got);
    assert_int_equal(st.written, written);
    assert_int_equal(st.unfit, unfit);
}

static void test_plain(void **s)
{
    (void)s;
    expect("plain", NULL,
           "185.220.101.4\n2a01:4f8:10a::1\n45.9.148.0/24\n2a01:4f8:c0c::/48\n"
           "update-check.xyz\nlogin.phish.co.jp\nhttp://dl.bad.example/a/p.exe?id=1\n"
           "d41d8cd98f00b204e9800998ecf8427e\nda39a3ee5e6b4b0d3255bfef95601890afd80709\n"
           "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
           "ceo@phish.co.jp\ne7d705a3286e19ea42f587b344ee6865\n"
           "Mozilla/4.0 (compatible; MSIE 6.0)\ninvoice.pdf.exe\n",
           14, 0);
}

static void test_csv(void **s)
{
    (void)s;
    mm_ioc_export_stats st;
    char *got = export_str("csv", NULL, base, 5, false, &st);
    /* RFC 4180: CRLF, quoted fields; the description starting with '='
     * is defused with a leading apostrophe (OWASP CSV injection) */
    assert_string_equal(got,
        "type,value,source,description,first_seen,last_seen,confidence,tlp\r\n"
        "ipv4,\"185.220.101.4\",\"feed-a\",\"\",,,80,green\r\n"
        "ipv6,\"2a01:4f8:10a::1\",\"\",\"\",,,,\r\n"
        "cidr,\"45.9.148.0/24\",\"\",\"\",,,,\r\n"
        "cidr,\"2a01:4f8:c0c::/48\",\"\",\"\",,,,\r\n"
        "domain,\"update-check.xyz\",\"\",\"'=cmd C2\",2023-11-14T22:13:20Z,"
        "2023-11-15T22:13:20Z,,\r\n");
    free(got);
    assert_int_equal(st.written, 5);
}

static void test_nft(void **s)
{
    (void)s;
    expect("nft", NULL,
           "# mimamori blocklist: nft -f FILE replaces table inet mimamori\n"
           "table inet mimamori\n"
           "delete table inet mimamori\n"
           "\n"
           "table inet mimamori {\n"
           "\tset v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\tauto-merge\n"
           "\t\telements = {\n\t\t\t185.220.101.4,\n\t\t\t45.9.148.0/24\n\t\t}\n\t}\n"
           "\tset v6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t\tauto-merge\n"
           "\t\telements = {\n\t\t\t2a01:4f8:10a::1,\n\t\t\t2a01:4f8:c0c::/48\n\t\t}\n\t}\n"
           "\n\tchain input {\n\t\ttype filter hook input priority filter - 10; policy accept;\n"
           "\t\tip saddr @v4 drop\n\t\tip6 saddr @v6 drop\n\t}\n"
           "\n\tchain forward {\n\t\ttype filter hook forward priority filter - 10; policy accept;\n"
           "\t\tip saddr @v4 drop\n\t\tip6 saddr @v6 drop\n"
           "\t\tip daddr @v4 drop\n\t\tip6 daddr @v6 drop\n\t}\n"
           "\n\tchain output {\n\t\ttype filter hook output priority filter - 10; policy accept;\n"
           "\t\tip daddr @v4 drop\n\t\tip6 daddr @v6 drop\n\t}\n"
           "}\n",
           4, 10);
}

static void test_ipset(void **s)
{
    (void)s;
    expect("ipset", NULL,
           "create mimamori-v4 hash:net family inet maxelem 65536 -exist\n"
           "flush mimamori-v4\n"
           "add mimamori-v4 185.220.101.4 -exist\n"
           "add mimamori-v4 45.9.148.0/24 -exist\n"
           "create mimamori-v6 hash:net family inet6 maxelem 65536 -exist\n"
           "flush mimamori-v6\n"
           "add mimamori-v6 2a01:4f8:10a::1 -exist\n"
           "add mimamori-v6 2a01:4f8:c0c::/48 -exist\n",
           4, 10);
}

static void test_squid(void **s)
{
    (void)s;
    expect("squid", "domains", ".update-check.xyz\n.login.phish.co.jp\n", 2, 7);
    expect("squid", "urls", "^http://dl\\.bad\\.example/a/p\\.exe\\?id=1\n", 1, 7);
    expect("squid", "ips", "185.220.101.4\n2a01:4f8:10a::1\n45.9.148.0/24\n2a01:4f8:c0c::/48\n",
           4, 7);
    /* a subdomain of a listed name is its parent's (Squid warns of both) */
    const mm_ioc v[] = {{.to_ids = true, .type = IOC_DOMAIN, .value = "a.evil-site.net"},
                        {.to_ids = true, .type = IOC_DOMAIN, .value = "evil-site.net"}};
    mm_ioc_export_stats st;
    char *got = export_str("squid", "domains", v, 2, false, &st);
    assert_string_equal(got, ".evil-site.net\n");
    assert_int_equal(st.duplicate, 1);
    free(got);
    /* one FILE and no part: an error naming the problem */
    mm_ioc_export_opts o = {.format = "squid"};
    char err[256];
    FILE *m = fopen("/dev/null", "w");
    assert_non_null(m);
    assert_int_equal(mm_ioc_export(m, base, NBASE, &o, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "several files"));
    o.part = "nope";
    assert_int_equal(mm_ioc_export(m, base, NBASE, &o, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "no file 'nope'"));
    fclose(m);
}

static void test_unbound_hosts(void **s)
{
    (void)s;
    expect("unbound", NULL,
           "server:\n"
           "local-zone: \"update-check.xyz.\" always_nxdomain\n"
           "local-zone: \"login.phish.co.jp.\" always_nxdomain\n",
           2, 12);
    expect("hosts", NULL, "0.0.0.0 update-check.xyz\n0.0.0.0 login.phish.co.jp\n", 2, 12);
}

static void test_rpz(void **s)
{
    (void)s;
    /* serial: the export time in seconds; rpz-ip owners: prefix length,
     * then the address's parts last first, "zz" for the "::" run */
    expect("rpz", NULL,
           "; mimamori blocklist: response policy zone rpz.mimamori.\n"
           "$TTL 300\n"
           "@\tIN\tSOA\tlocalhost. hostmaster.localhost. 1796601600 3600 600 86400 300\n"
           "@\tIN\tNS\tlocalhost.\n"
           "32.4.101.220.185.rpz-ip\tCNAME\t.\n"
           "128.1.zz.10a.4f8.2a01.rpz-ip\tCNAME\t.\n"
           "24.0.148.9.45.rpz-ip\tCNAME\t.\n"
           "48.zz.c0c.4f8.2a01.rpz-ip\tCNAME\t.\n"
           "update-check.xyz\tCNAME\t.\n*.update-check.xyz\tCNAME\t.\n"
           "login.phish.co.jp\tCNAME\t.\n*.login.phish.co.jp\tCNAME\t.\n",
           6, 8);
}

static void test_rpz_ipv6_forms(void **s)
{
    (void)s;
    /* a lone zero group is written as 0, the longest run as zz (the first
     * of two equal runs), no run at all: every group */
    const mm_ioc v[] = {
        {.to_ids = true, .type = IOC_IPV6, .value = "2a02:0:1:0:0:2:0:0"},
        {.to_ids = true, .type = IOC_IPV6, .value = "2a03:1:2:3:4:5:6:7"},
        {.to_ids = true, .type = IOC_IPV6, .value = "2a04:0:1::"},
    };
    mm_ioc_export_stats st;
    char *got = export_str("rpz", NULL, v, 3, false, &st);
    /* 2a02:0:1:0:0:2:0:0 -> runs at groups 3-4 and 6-7 of equal length:
     * the first (3-4) becomes zz */
    assert_non_null(strstr(got, "\n128.0.0.2.zz.1.0.2a02.rpz-ip\tCNAME\t.\n"));
    assert_non_null(strstr(got, "\n128.7.6.5.4.3.2.1.2a03.rpz-ip\tCNAME\t.\n"));
    assert_non_null(strstr(got, "\n128.zz.1.0.2a04.rpz-ip\tCNAME\t.\n"));
    free(got);
}

static void test_yamaha(void **s)
{
    (void)s;
    expect("yamaha", NULL,
           "# mimamori blocklist for Yamaha RTX: reject filters 2000000-2499999 (IPv4) and "
           "2500000-2999999 (IPv6),\n# even numbers: packets from the address, odd: packets to it.\n"
           "ip filter 2000000 reject 185.220.101.4 * * * *\n"
           "ip filter 2000001 reject * 185.220.101.4 * * *\n"
           "ip filter 2000002 reject 45.9.148.0/24 * * * *\n"
           "ip filter 2000003 reject * 45.9.148.0/24 * * *\n"
           "# Apply on the WAN interface (lan2 here) in front of your own filters, e.g.\n"
           "# ip lan2 secure filter in 2000000 2000002 <your inbound filters>\n"
           "# ip lan2 secure filter out 2000001 2000003 <your outbound filters>\n"
           "ipv6 filter 2500000 reject 2a01:4f8:10a::1 * * * *\n"
           "ipv6 filter 2500001 reject * 2a01:4f8:10a::1 * * *\n"
           "ipv6 filter 2500002 reject 2a01:4f8:c0c::/48 * * * *\n"
           "ipv6 filter 2500003 reject * 2a01:4f8:c0c::/48 * * *\n"
           "# Apply on the WAN interface (lan2 here) in front of your own filters, e.g.\n"
           "# ipv6 lan2 secure filter in 2500000 2500002 <your inbound filters>\n"
           "# ipv6 lan2 secure filter out 2500001 2500003 <your outbound filters>\n",
           4, 10);
}

static void test_suricata_dataset(void **s)
{
    (void)s;
    /* string datasets hold base64 (RFC 4648) of the value */
    expect("suricata-dataset", "domain", "dXBkYXRlLWNoZWNrLnh5eg==\nbG9naW4ucGhpc2guY28uanA=\n",
           2, 5);
    expect("suricata-dataset", "useragent", "TW96aWxsYS80LjAgKGNvbXBhdGlibGU7IE1TSUUgNi4wKQ==\n",
           1, 5);
    expect("suricata-dataset", "md5", "d41d8cd98f00b204e9800998ecf8427e\n", 1, 5);
    expect("suricata-dataset", "ipv4", "185.220.101.4\n", 1, 5);
    expect("suricata-dataset", "ipv6", "2a01:4f8:10a::1\n", 1, 5);
}

static void test_suricata_rules(void **s)
{
    (void)s;
    expect("suricata-rules", "rules",
           "# mimamori blocklist rules (sids 9000000-9999999 are mimamori's exports)\n"
           "alert dns any any -> any any (msg:\"mimamori IOC domain update-check.xyz (dns)\"; "
           "dns.query; dotprefix; content:\".update-check.xyz\"; nocase; endswith; sid:9000000; rev:1;)\n"
           "alert tls any any -> any any (msg:\"mimamori IOC domain update-check.xyz (tls)\"; "
           "tls.sni; dotprefix; content:\".update-check.xyz\"; nocase; endswith; sid:9000001; rev:1;)\n"
           "alert http any any -> any any (msg:\"mimamori IOC domain update-check.xyz (http)\"; "
           "http.host; dotprefix; content:\".update-check.xyz\"; nocase; endswith; sid:9000002; rev:1;)\n"
           "alert dns any any -> any any (msg:\"mimamori IOC domain login.phish.co.jp (dns)\"; "
           "dns.query; dotprefix; content:\".login.phish.co.jp\"; nocase; endswith; sid:9000003; rev:1;)\n"
           "alert tls any any -> any any (msg:\"mimamori IOC domain login.phish.co.jp (tls)\"; "
           "tls.sni; dotprefix; content:\".login.phish.co.jp\"; nocase; endswith; sid:9000004; rev:1;)\n"
           "alert http any any -> any any (msg:\"mimamori IOC domain login.phish.co.jp (http)\"; "
           "http.host; dotprefix; content:\".login.phish.co.jp\"; nocase; endswith; sid:9000005; rev:1;)\n"
           "alert http any any -> any any (msg:\"mimamori IOC url\"; flow:to_server; http.host; "
           "content:\"dl.bad.example\"; nocase; startswith; endswith; http.uri; "
           "content:\"/a/p.exe?id=1\"; startswith; sid:9000006; rev:1;)\n"
           "alert ip any any -> [185.220.101.4,45.9.148.0/24] any (msg:\"mimamori IOC address (to)\"; "
           "sid:9000007; rev:1;)\n"
           "alert ip [185.220.101.4,45.9.148.0/24] any -> any any (msg:\"mimamori IOC address (from)\"; "
           "sid:9000008; rev:1;)\n"
           "alert ip any any -> [2a01:4f8:10a::1,2a01:4f8:c0c::/48] any (msg:\"mimamori IOC address (to)\"; "
           "sid:9000009; rev:1;)\n"
           "alert ip [2a01:4f8:10a::1,2a01:4f8:c0c::/48] any -> any any (msg:\"mimamori IOC address (from)\"; "
           "sid:9000010; rev:1;)\n"
           "alert http any any -> any any (msg:\"mimamori IOC useragent\"; http.user_agent; "
           "dataset:isset,mimamori-useragent, type string, load mimamori-useragent.lst; sid:9000011; rev:1;)\n"
           "alert ip any any -> any any (msg:\"mimamori IOC filename\"; file.name; "
           "dataset:isset,mimamori-filename, type string, load mimamori-filename.lst; sid:9000012; rev:1;)\n"
           "alert tls any any -> any any (msg:\"mimamori IOC ja3\"; ja3.hash; "
           "dataset:isset,mimamori-ja3, type md5, load mimamori-ja3.lst; sid:9000013; rev:1;)\n"
           "alert ip any any -> any any (msg:\"mimamori IOC file md5\"; filemd5:mimamori-md5.lst; "
           "sid:9000014; rev:1;)\n"
           "alert ip any any -> any any (msg:\"mimamori IOC file sha256\"; filesha256:mimamori-sha256.lst; "
           "sid:9000015; rev:1;)\n"
           "alert ip any any -> any any (msg:\"mimamori IOC file sha1\"; filesha1:mimamori-sha1.lst; "
           "sid:9000016; rev:1;)\n",
           13, 1);
}

static void test_stix(void **s)
{
    (void)s;
    const mm_ioc v[] = {
        {.to_ids = true, .type = IOC_DOMAIN, .value = "update-check.xyz", .source = "feed-a", .ref = "x-1",
         .desc = "C2", .confidence = 80, .tlp = "amber", .valid_from = 1700000000000000LL,
         .valid_until = 1800000000000000LL},
        {.to_ids = true, .type = IOC_SHA1, .value = "da39a3ee5e6b4b0d3255bfef95601890afd80709", .confidence = -1},
        {.to_ids = true, .type = IOC_FILENAME, .value = "it's\\bad.exe", .confidence = -1},
        {.to_ids = true, .type = IOC_JA3, .value = "e7d705a3286e19ea42f587b344ee6865", .confidence = -1},
    };
    mm_ioc_export_stats st;
    char *got = export_str("stix", NULL, v, 4, false, &st);
    assert_int_equal(st.written, 3);
    assert_int_equal(st.unfit, 1);     /* ja3: no STIX object */
    assert_true(strncmp(got, "{\"type\":\"bundle\",\"id\":\"bundle--", 28) == 0);
    /* one JSON value, three objects in "objects" */
    jr_doc d;
    jr_init(&d, 100000);
    assert_int_equal(jr_parse(&d, got, strlen(got)), 0);
    int objs = jr_path(&d, "objects");
    assert_true(objs >= 0);
    assert_true(jr_elem(&d, objs, 2) >= 0);
    assert_true(jr_elem(&d, objs, 3) < 0);
    jr_free(&d);
    assert_non_null(strstr(got, "\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--"));
    assert_non_null(strstr(got, "\"created\":\"2026-12-07T00:00:00.000Z\","
                                "\"modified\":\"2026-12-07T00:00:00.000Z\""));
    assert_non_null(strstr(got, "\"pattern\":\"[domain-name:value = 'update-check.xyz']\","
                                "\"pattern_type\":\"stix\",\"pattern_version\":\"2.1\","
                                "\"valid_from\":\"2023-11-14T22:13:20.000Z\","
                                "\"valid_until\":\"2027-01-15T08:00:00.000Z\",\"confidence\":80"));
    assert_non_null(strstr(got, "\"external_references\":[{\"source_name\":\"feed-a\","
                                "\"external_id\":\"x-1\"}]"));
    assert_non_null(strstr(got, "\"object_marking_refs\":[\"marking-definition--"
                                "f88d31f6-486f-44da-b317-01333bde0b82\"]"));
    assert_non_null(strstr(got, "\"pattern\":\"[file:hashes.'SHA-1' = "
                                "'da39a3ee5e6b4b0d3255bfef95601890afd80709']\""));
    /* STIX escapes ' and \ in string literals; JSON then escapes the \ */
    assert_non_null(strstr(got, "\"pattern\":\"[file:name = 'it\\\\'s\\\\\\\\bad.exe']\""));
    /* without a valid_from: created time */
    assert_non_null(strstr(got, "\"valid_from\":\"2026-12-07T00:00:00.000Z\""));
    /* ids are UUIDv5: version nibble 5, variant 10xx */
    const char *p = strstr(got, "indicator--");
    assert_non_null(p);
    assert_int_equal(p[11 + 14], '5');
    assert_true(strchr("89ab", p[11 + 19]) != NULL);
    /* the same indicator gets the same id in a later export */
    char id[48];
    memcpy(id, p, 47);
    id[47] = 0;
    free(got);
    got = export_str("stix", NULL, v, 1, false, &st);
    assert_non_null(strstr(got, id));
    free(got);
}

/* ---- leave-out rules -------------------------------------------------------- */

static mm_ioc_left why(mm_ioc_type t, const char *v, const mm_ioc_export_filter *f)
{
    mm_ioc i = {.type = t, .value = v, .confidence = -1};
    return mm_ioc_export_leave_out(&i, f);
}

static void test_leave_out_addresses(void **s)
{
    (void)s;
    assert_int_equal(why(IOC_IPV4, "10.1.2.3", NULL), IOC_LEFT_PRIVATE);
    assert_int_equal(why(IOC_IPV4, "172.31.255.255", NULL), IOC_LEFT_PRIVATE);
    assert_int_equal(why(IOC_IPV4, "172.32.0.1", NULL), IOC_LEFT__COUNT);
    assert_int_equal(why(IOC_IPV4, "192.168.1.1", NULL), IOC_LEFT_PRIVATE);
    assert_int_equal(why(IOC_IPV4, "100.64.0.1", NULL), IOC_LEFT_CGNAT);
    assert_int_equal(why(IOC_IPV4, "100.127.255.255", NULL), IOC_LEFT_CGNAT);
    assert_int_equal(why(IOC_IPV4, "100.128.0.1", NULL), IOC_LEFT__COUNT);
    assert_int_equal(why(IOC_IPV4, "127.0.0.53", NULL), IOC_LEFT_LOOPBACK);
    assert_int_equal(why(IOC_IPV4, "169.254.169.254", NULL), IOC_LEFT_LINKLOCAL);
    assert_int_equal(why(IOC_IPV4, "224.0.0.251", NULL), IOC_LEFT_MULTICAST);
    assert_int_equal(why(IOC_IPV4, "239.255.255.250", NULL), IOC_LEFT_MULTICAST);
    assert_int_equal(why(IOC_IPV4, "192.0.2.1", NULL), IOC_LEFT_DOC);
    assert_int_equal(why(IOC_IPV4, "198.51.100.7", NULL), IOC_LEFT_DOC);
    assert_int_equal(why(IOC_IPV4, "203.0.113.9", NULL), IOC_LEFT_DOC);
    assert_int_equal(why(IOC_IPV4, "0.0.0.0", NULL), IOC_LEFT_RESERVED);
    assert_int_equal(why(IOC_IPV4, "198.19.1.1", NULL), IOC_LEFT_RESERVED);
    assert_int_equal(why(IOC_IPV4, "255.255.255.255", NULL), IOC_LEFT_RESERVED);
    assert_int_equal(why(IOC_IPV4, "192.0.0.9", NULL), IOC_LEFT_RESERVED);
    assert_int_equal(why(IOC_IPV4, "192.88.99.1", NULL), IOC_LEFT_RESERVED);
    assert_int_equal(why(IOC_IPV4, "8.8.8.8", NULL), IOC_LEFT__COUNT);
    assert_int_equal(why(IOC_IPV6, "::1", NULL), IOC_LEFT_LOOPBACK);
    assert_int_equal(why(IOC_IPV6, "::", NULL), IOC_LEFT_RESERVED);
    assert_int_equal(why(IOC_IPV6, "fe80::1", NULL), IOC_LEFT_LINKLOCAL);
    assert_int_equal(why(IOC_IPV6, "fd12:3456::1", NULL), IOC_LEFT_PRIVATE);
    assert_int_equal(why(IOC_IPV6, "ff02::fb", NULL), IOC_LEFT_MULTICAST);
    assert_int_equal(why(IOC_IPV6, "2001:db8::5", NULL), IOC_LEFT_DOC);
    assert_int_equal(why(IOC_IPV6, "3fff:1::5", NULL), IOC_LEFT_DOC);
    assert_int_equal(why(IOC_IPV6, "::ffff:10.0.0.1", NULL), IOC_LEFT_RESERVED);
    assert_int_equal(why(IOC_IPV6, "2001:4860:4860::8888", NULL), IOC_LEFT__COUNT);
    /* networks: too broad first, then one that covers or sits in a special block */
    assert_int_equal(why(IOC_CIDR, "8.0.0.0/8", NULL), IOC_LEFT_BROAD);
    assert_int_equal(why(IOC_CIDR, "44.0.0.0/15", NULL), IOC_LEFT_BROAD);
    assert_int_equal(why(IOC_CIDR, "44.0.0.0/16", NULL), IOC_LEFT__COUNT);
    assert_int_equal(why(IOC_CIDR, "2a00::/31", NULL), IOC_LEFT_BROAD);
    assert_int_equal(why(IOC_CIDR, "2a00::/32", NULL), IOC_LEFT__COUNT);
    assert_int_equal(why(IOC_CIDR, "192.0.0.0/16", NULL), IOC_LEFT_RESERVED); /* covers 192.0.0/24 */
    assert_int_equal(why(IOC_CIDR, "203.0.0.0/16", NULL), IOC_LEFT_DOC);      /* covers TEST-NET-3 */
    assert_int_equal(why(IOC_CIDR, "10.20.0.0/16", NULL), IOC_LEFT_PRIVATE);
    assert_int_equal(why(IOC_CIDR, "fd00:1:2::/48", NULL), IOC_LEFT_PRIVATE);
    /* a URL on a special address */
    assert_int_equal(why(IOC_URL, "http://192.168.0.1/admin", NULL), IOC_LEFT_PRIVATE);
    assert_int_equal(why(IOC_URL, "http://[::1]:8080/x", NULL), IOC_LEFT_LOOPBACK);
    assert_int_equal(why(IOC_URL, "http://45.9.148.3/x", NULL), IOC_LEFT__COUNT);
}

static void test_leave_out_names(void **s)
{
    (void)s;
    assert_int_equal(why(IOC_DOMAIN, "com", NULL), IOC_LEFT_SUFFIX);
    assert_int_equal(why(IOC_DOMAIN, "co.jp", NULL), IOC_LEFT_SUFFIX);
    assert_int_equal(why(IOC_DOMAIN, "ne.jp", NULL), IOC_LEFT_SUFFIX);
    assert_int_equal(why(IOC_DOMAIN, "co.uk", NULL), IOC_LEFT_SUFFIX);
    assert_int_equal(why(IOC_DOMAIN, "lg.jp", NULL), IOC_LEFT_SUFFIX);
    assert_int_equal(why(IOC_DOMAIN, "evil.co.jp", NULL), IOC_LEFT__COUNT);
    assert_int_equal(why(IOC_DOMAIN, "co.com", NULL), IOC_LEFT__COUNT);   /* not under a ccTLD */
    assert_int_equal(why(IOC_DOMAIN, "evil.jp", NULL), IOC_LEFT__COUNT);
    /* the built-in vendor list: the name and its subdomains */
    assert_int_equal(why(IOC_DOMAIN, "microsoft.com", NULL), IOC_LEFT_VENDOR);
    assert_int_equal(why(IOC_DOMAIN, "ctldl.windowsupdate.com", NULL), IOC_LEFT_VENDOR);
    assert_int_equal(why(IOC_DOMAIN, "microsoft.com.evil.net", NULL), IOC_LEFT__COUNT);
    assert_int_equal(why(IOC_DOMAIN, "notmicrosoft.com", NULL), IOC_LEFT__COUNT);
    /* a URL: its whole site is left out, one page on the site is not */
    assert_int_equal(why(IOC_URL, "https://www.google.com/", NULL), IOC_LEFT_VENDOR);
    assert_int_equal(why(IOC_URL, "https://www.google.com", NULL), IOC_LEFT_VENDOR);
    assert_int_equal(why(IOC_URL, "https://docs.google.com/forms/d/e/1FAIp/viewform", NULL),
                     IOC_LEFT__COUNT);
}

static void test_leave_out_catalog(void **s)
{
    (void)s;
    char err[256];
    mm_catalog *c = mm_catalog_open(NULL, err, sizeof err);
    if (!c) {
        print_message("SKIP: cloud catalogue: %s\n", err);
        skip();
    }
    mm_ioc_export_filter *f = mm_ioc_export_filter_new();
    assert_non_null(f);
    assert_int_equal(why(IOC_DOMAIN, "github.com", f), IOC_LEFT__COUNT);
    mm_ioc_export_filter_catalog(f, c);
    assert_int_equal(why(IOC_DOMAIN, "github.com", f), IOC_LEFT_CATALOG);
    assert_int_equal(why(IOC_DOMAIN, "api.github.com", f), IOC_LEFT_CATALOG);
    assert_int_equal(why(IOC_DOMAIN, "evil-github.com", f), IOC_LEFT__COUNT);
    mm_ioc_export_filter_free(f);
    mm_catalog_free(c);
}

static void test_leave_out_warninglists(void **s)
{
    (void)s;
    mm_ioc_export_filter *f = mm_ioc_export_filter_new();
    assert_non_null(f);
    char err[256];
    static const char host[] = "{\"name\":\"t\",\"type\":\"hostname\",\"list\":"
                               "[\".dyn.example\",\"*.cdn.example\",\"shortener.example\",\"\",7]}";
    assert_int_equal(mm_ioc_export_filter_load_warninglist_mem(f, "t", host, sizeof host - 1, err,
                                                               sizeof err), 0);
    assert_int_equal(mm_ioc_export_filter_bad(f), 2);
    static const char cidr[] = "{\"type\":\"cidr\",\"list\":[\"104.16.0.0/13\",\"8.8.8.8\","
                               "\"2606:4700::/32\",\"nonsense\",\"1.2.3.4/33\"]}";
    assert_int_equal(mm_ioc_export_filter_load_warninglist_mem(f, "c", cidr, sizeof cidr - 1, err,
                                                               sizeof err), 0);
    assert_int_equal(mm_ioc_export_filter_bad(f), 4);
    static const char str[] = "{\"type\":\"string\",\"list\":[\"exact.example\",\"*.wild.example\"]}";
    assert_int_equal(mm_ioc_export_filter_load_warninglist_mem(f, "s", str, sizeof str - 1, err,
                                                               sizeof err), 0);
    static const char sub[] = "{\"type\":\"substring\",\"list\":[\"sinkhole\"]}";
    assert_int_equal(mm_ioc_export_filter_load_warninglist_mem(f, "u", sub, sizeof sub - 1, err,
                                                               sizeof err), 0);
    assert_int_equal(mm_ioc_export_filter_entries(f), 9);
    assert_int_equal(why(IOC_DOMAIN, "a.dyn.example", f), IOC_LEFT_WARNING);
    assert_int_equal(why(IOC_DOMAIN, "dyn.example", f), IOC_LEFT_WARNING);
    assert_int_equal(why(IOC_DOMAIN, "x.cdn.example", f), IOC_LEFT_WARNING);
    assert_int_equal(why(IOC_DOMAIN, "other.example", f), IOC_LEFT__COUNT);
    assert_int_equal(why(IOC_DOMAIN, "exact.example", f), IOC_LEFT_WARNING);
    assert_int_equal(why(IOC_DOMAIN, "a.exact.example", f), IOC_LEFT__COUNT);
    assert_int_equal(why(IOC_DOMAIN, "b.wild.example", f), IOC_LEFT_WARNING);
    assert_int_equal(why(IOC_DOMAIN, "sinkhole.evil.example", f), IOC_LEFT_WARNING);
    assert_int_equal(why(IOC_IPV4, "104.18.2.3", f), IOC_LEFT_WARNING);
    assert_int_equal(why(IOC_IPV4, "8.8.8.8", f), IOC_LEFT_WARNING);
    assert_int_equal(why(IOC_IPV4, "8.8.4.4", f), IOC_LEFT__COUNT);
    assert_int_equal(why(IOC_CIDR, "104.20.0.0/16", f), IOC_LEFT_WARNING);   /* inside */
    assert_int_equal(why(IOC_CIDR, "8.8.0.0/16", f), IOC_LEFT_WARNING);      /* covers 8.8.8.8 */
    assert_int_equal(why(IOC_IPV6, "2606:4700::6810:1", f), IOC_LEFT_WARNING);
    assert_int_equal(why(IOC_URL, "http://shortener.example/", f), IOC_LEFT_WARNING);
    assert_int_equal(why(IOC_URL, "http://shortener.example/abc", f), IOC_LEFT__COUNT);
    /* refused lists */
    static const char rx[] = "{\"type\":\"regex\",\"list\":[\".*\"]}";
    assert_int_equal(mm_ioc_export_filter_load_warninglist_mem(f, "r", rx, sizeof rx - 1, err,
                                                               sizeof err), -1);
    assert_non_null(strstr(err, "'regex' is not supported"));
    assert_int_equal(mm_ioc_export_filter_load_warninglist_mem(f, "n", "[1]", 3, err,
                                                               sizeof err), -1);
    assert_int_equal(mm_ioc_export_filter_load_warninglist_mem(f, "n", "{\"list\":", 8, err,
                                                               sizeof err), -1);
    mm_ioc_export_filter_free(f);
}

static void test_warninglist_files(void **s)
{
    (void)s;
    const char *dir = "../shared/data";
    char path[512];
    struct stat sb;
    if (stat(dir, &sb) != 0)
        dir = MM_SRCDATADIR "/../../shared/data";
    snprintf(path, sizeof path, "%s/misp-warninglists_microsoft-office365.json", dir);
    if (stat(path, &sb) != 0) {
        print_message("SKIP: %s not found\n", path);
        skip();
    }
    mm_ioc_export_filter *f = mm_ioc_export_filter_new();
    char err[256];
    assert_int_equal(mm_ioc_export_filter_load_warninglist(f, path, err, sizeof err), 0);
    assert_true(mm_ioc_export_filter_entries(f) > 100);
    assert_int_equal(why(IOC_DOMAIN, "acompli.net", f), IOC_LEFT_WARNING);
    snprintf(path, sizeof path, "%s/misp-warninglists_sinkholes.json", dir);
    assert_int_equal(mm_ioc_export_filter_load_warninglist(f, path, err, sizeof err), 0);
    assert_int_equal(why(IOC_IPV4, "104.155.11.149", f), IOC_LEFT_WARNING);
    assert_int_equal(mm_ioc_export_filter_bad(f), 0);
    mm_ioc_export_filter_free(f);
}

/* Every reason counted on its own, and the summary line. */
static void test_counts_and_summary(void **s)
{
    (void)s;
    const mm_ioc v[] = {
        {.to_ids = true, .type = IOC_IPV4, .value = "10.0.0.1"},
        {.to_ids = true, .type = IOC_IPV4, .value = "192.168.3.3"},
        {.to_ids = true, .type = IOC_IPV4, .value = "185.220.101.4"},
        {.to_ids = true, .type = IOC_IPV4, .value = "185.220.101.4"},
        {.to_ids = true, .type = IOC_CIDR, .value = "1.0.0.0/8"},
        {.to_ids = true, .type = IOC_DOMAIN, .value = "outlook.com"},
        {.to_ids = true, .type = IOC_MD5, .value = "d41d8cd98f00b204e9800998ecf8427e"},
    };
    mm_ioc_export_stats st;
    char *got = export_str("nft", NULL, v, 7, false, &st);
    free(got);
    assert_int_equal(st.written, 1);
    assert_int_equal(st.left_out[IOC_LEFT_PRIVATE], 2);
    assert_int_equal(st.left_out[IOC_LEFT_BROAD], 1);
    assert_int_equal(st.duplicate, 1);
    assert_int_equal(st.unfit, 2);     /* a domain and a hash in an nftables set */
    char *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    mm_ioc_export_summary(m, &st);
    fclose(m);
    assert_string_equal(line, "written 1; left out 3: 2 private addresses, 1 network too broad "
                              "for a router; 2 of types the format cannot hold; 1 duplicate\n");
    free(line);
    mm_ioc_export_stats one = {.written = 0, .unfit = 1, .unsafe = 3, .duplicate = 2};
    one.left_out[IOC_LEFT_VENDOR] = 1;
    one.left_out[IOC_LEFT_CATALOG] = 2;
    one.left_out[IOC_LEFT_WARNING] = 1;
    m = open_memstream(&line, &len);
    mm_ioc_export_summary(m, &one);
    fclose(m);
    assert_string_equal(line, "written 0; left out 4: 1 big vendor service, 2 well-known cloud "
                              "services, 1 on a MISP warning list; 1 of a type the format cannot "
                              "hold; 3 not safe to write in the format; 2 duplicates\n");
    free(line);
    /* forced: the private addresses and the broad network are written */
    got = export_str("plain", NULL, v, 7, true, &st);
    assert_string_equal(got, "10.0.0.1\n192.168.3.3\n185.220.101.4\n1.0.0.0/8\noutlook.com\n"
                             "d41d8cd98f00b204e9800998ecf8427e\n");
    free(got);
    assert_int_equal(st.written, 6);
    /* types: only those asked for; the rest is not counted at all */
    mm_ioc_export_opts o = {.format = "plain", .types = 1u << IOC_DOMAIN, .force = true};
    char err[256];
    m = open_memstream(&line, &len);
    assert_int_equal(mm_ioc_export(m, v, 7, &o, NULL, &st, err, sizeof err), 0);
    fclose(m);
    assert_string_equal(line, "outlook.com\n");
    assert_int_equal(st.unfit, 0);
    free(line);
}

/* The source's word: not for detection, or no longer valid. */
static void test_not_ids_and_expired(void **s)
{
    (void)s;
    const mm_ioc v[] = {
        {.to_ids = false, .type = IOC_DOMAIN, .value = "context-only.example"},
        {.to_ids = true, .type = IOC_DOMAIN, .value = "old.example",
         .valid_until = NOW_US - 1},
        {.to_ids = true, .type = IOC_DOMAIN, .value = "current.example",
         .valid_until = NOW_US + 1},
    };
    mm_ioc_export_stats st;
    char *got = export_str("hosts", NULL, v, 3, false, &st);
    assert_string_equal(got, "0.0.0.0 current.example\n");
    assert_int_equal(st.left_out[IOC_LEFT_NOT_IDS], 1);
    assert_int_equal(st.left_out[IOC_LEFT_EXPIRED], 1);
    free(got);
    got = export_str("hosts", NULL, v, 3, true, &st);
    assert_string_equal(got, "0.0.0.0 context-only.example\n0.0.0.0 old.example\n"
                             "0.0.0.0 current.example\n");
    free(got);
}

/* Values that would break out of the target syntax are never written. */
static void test_unsafe(void **s)
{
    (void)s;
    const mm_ioc v[] = {
        {.to_ids = true, .type = IOC_DOMAIN, .value = "evil.net\" always_transparent\nlocal-zone: \"x"},
        {.to_ids = true, .type = IOC_DOMAIN, .value = "evil.net; rm -rf /"},
        {.to_ids = true, .type = IOC_DOMAIN, .value = "b\xc3\xa4" "d.example"},
        {.to_ids = true, .type = IOC_DOMAIN, .value = "xn--bd-via.example"},
        {.to_ids = true, .type = IOC_DOMAIN, .value = "a..b.example"},
        {.to_ids = true, .type = IOC_URL, .value = "http://evil.net/a\"b"},
        {.to_ids = true, .type = IOC_URL, .value = "http://evil.net/a b"},
        {.to_ids = true, .type = IOC_URL, .value = "http://evil.net/ok"},
        {.to_ids = true, .type = IOC_IPV4, .value = "1.2.3.4 * * * *\nip filter 1 pass"},
        {.to_ids = true, .type = IOC_USER_AGENT, .value = "ua\nwith newline"},
        {.to_ids = true, .type = IOC_CIDR, .value = "0.0.0.0/0"},      /* everything: never, even forced */
    };
    mm_ioc_export_stats st;
    char *got = export_str("unbound", NULL, v, 10, false, &st);
    assert_string_equal(got, "server:\nlocal-zone: \"xn--bd-via.example.\" always_nxdomain\n");
    assert_int_equal(st.unsafe, 4);
    free(got);
    got = export_str("squid", "urls", v, 10, false, &st);
    assert_string_equal(got, "^http://evil\\.net/ok\n");
    assert_int_equal(st.unsafe, 7);
    free(got);
    got = export_str("yamaha", NULL, v, 11, true, &st);
    assert_null(strstr(got, "ip filter"));
    assert_int_equal(st.unsafe, 2);
    free(got);
    got = export_str("plain", NULL, v, 10, true, &st);
    assert_null(strstr(got, "newline"));
    assert_null(strstr(got, "local-zone"));
    free(got);
}

static void test_bad_options(void **s)
{
    (void)s;
    char err[256];
    FILE *m = fopen("/dev/null", "w");
    assert_non_null(m);
    mm_ioc_export_opts o = {.format = "pdf"};
    assert_int_equal(mm_ioc_export(m, base, NBASE, &o, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown export format"));
    o.format = "nft";
    o.name = "x; flush ruleset";
    assert_int_equal(mm_ioc_export(m, base, NBASE, &o, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad export name"));
    o.name = NULL;
    o.format = "rpz";
    o.origin = "rpz.example";      /* not absolute */
    assert_int_equal(mm_ioc_export(m, base, NBASE, &o, NULL, NULL, err, sizeof err), -1);
    fclose(m);
    assert_non_null(strstr(mm_ioc_export_formats(), "suricata-rules"));
}

/* ---- the devices' own checkers --------------------------------------------- */

static char tmpdir[] = "/tmp/mm-ioc-export-XXXXXX";

static bool have(const char *prog)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* A list with everything the formats hold, some of it left out. */
static const mm_ioc full[] = {
    {.to_ids = true, .type = IOC_IPV4, .value = "185.220.101.4"},
    {.to_ids = true, .type = IOC_IPV4, .value = "10.1.1.1"},
    {.to_ids = true, .type = IOC_IPV6, .value = "2a01:4f8:10a::1"},
    {.to_ids = true, .type = IOC_CIDR, .value = "45.9.148.0/24"},
    {.to_ids = true, .type = IOC_CIDR, .value = "45.9.148.128/25"},           /* inside the /24: merged */
    {.to_ids = true, .type = IOC_CIDR, .value = "2a01:4f8:c0c::/48"},
    {.to_ids = true, .type = IOC_DOMAIN, .value = "update-check.xyz"},
    {.to_ids = true, .type = IOC_DOMAIN, .value = "a.update-check.xyz"},
    {.to_ids = true, .type = IOC_DOMAIN, .value = "login.phish.co.jp"},
    {.to_ids = true, .type = IOC_DOMAIN, .value = "xn--80ak6aa92e.com"},
    {.to_ids = true, .type = IOC_DOMAIN, .value = "under_score.example"},
    {.to_ids = true, .type = IOC_URL, .value = "http://dl.bad.example/a/p.exe?id=1&x=(2)"},
    {.to_ids = true, .type = IOC_URL, .value = "https://185.220.101.4:8443/gate.php"},
    {.to_ids = true, .type = IOC_MD5, .value = "d41d8cd98f00b204e9800998ecf8427e"},
    {.to_ids = true, .type = IOC_SHA1, .value = "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {.to_ids = true, .type = IOC_SHA256, .value = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {.to_ids = true, .type = IOC_JA3, .value = "e7d705a3286e19ea42f587b344ee6865"},
    {.to_ids = true, .type = IOC_USER_AGENT, .value = "Mozilla/4.0 (compatible; MSIE 6.0)"},
    {.to_ids = true, .type = IOC_FILENAME, .value = "invoice.pdf.exe"},
};
#define NFULL (sizeof full / sizeof full[0])

static void export_dir(const char *format)
{
    mm_ioc_export_opts o = {.format = format, .now_us = NOW_US};
    mm_ioc_export_stats st;
    char err[256];
    int rc = mm_ioc_export_dir(tmpdir, full, NFULL, &o, NULL, &st, err, sizeof err);
    if (rc)
        print_message("export %s: %s\n", format, err);
    assert_int_equal(rc, 0);
    assert_true(st.written > 0);
}

static void test_check_nft(void **s)
{
    (void)s;
    if (!have("nft")) {
        print_message("SKIP: nft not installed (Debian package nftables)\n");
        skip();
    }
    export_dir("nft");
    /* -c: parse and check against the kernel without committing. As root
     * this works directly; without CAP_NET_ADMIN it fails with "Operation
     * not permitted", and a user namespace of our own gives the right. */
    int rc = sh("nft -c -f %s/mimamori.nft 2>%s/nft.err", tmpdir, tmpdir);
    if (rc != 0 && sh("grep -q 'Operation not permitted' %s/nft.err", tmpdir) == 0)
        rc = sh("unshare -rn nft -c -f %s/mimamori.nft", tmpdir);
    if (rc != 0)
        sh("cat %s/nft.err >&2", tmpdir);
    assert_int_equal(rc, 0);
}

static void test_check_ipset(void **s)
{
    (void)s;
    if (!have("ipset") || !have("unshare")) {
        print_message("SKIP: ipset or unshare not installed (Debian packages ipset, util-linux)\n");
        skip();
    }
    export_dir("ipset");
    /* sets live in a network namespace: a new one of our own is loaded
     * and thrown away, the host's sets are not touched (as root; else a
     * user namespace too) */
    int rc = sh("unshare -n sh -c 'ipset restore < %s/mimamori.ipset && ipset list -n' "
                ">%s/ipset.out 2>&1", tmpdir, tmpdir);
    if (rc != 0 && sh("grep -q 'Operation not permitted' %s/ipset.out", tmpdir) == 0)
        rc = sh("unshare -rn sh -c 'ipset restore < %s/mimamori.ipset' >%s/ipset.out 2>&1",
                tmpdir, tmpdir);
    if (rc != 0)
        sh("cat %s/ipset.out >&2", tmpdir);
    assert_int_equal(rc, 0);
}

static void test_check_unbound(void **s)
{
    (void)s;
    if (!have("unbound-checkconf")) {
        print_message("SKIP: unbound-checkconf not installed (Debian package unbound)\n");
        skip();
    }
    export_dir("unbound");
    char conf[600];
    snprintf(conf, sizeof conf, "%s/unbound-test.conf", tmpdir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f, "server:\n\tchroot: \"\"\n\tusername: \"\"\n\tdirectory: \"%s\"\n"
               "\tpidfile: \"\"\ninclude: \"%s/mimamori.conf\"\n", tmpdir, tmpdir);
    fclose(f);
    assert_int_equal(sh("unbound-checkconf %s >&2", conf), 0);
}

static void test_check_rpz(void **s)
{
    (void)s;
    if (!have("named-checkzone")) {
        print_message("SKIP: named-checkzone not installed (Debian package bind9-utils)\n");
        skip();
    }
    export_dir("rpz");
    assert_int_equal(sh("named-checkzone -q rpz.mimamori. %s/mimamori.rpz || "
                        "named-checkzone rpz.mimamori. %s/mimamori.rpz >&2", tmpdir, tmpdir), 0);
}

static void test_check_squid(void **s)
{
    (void)s;
    const char *squid = access("/usr/sbin/squid", X_OK) == 0 ? "/usr/sbin/squid" : "squid";
    if (strcmp(squid, "squid") == 0 && !have("squid")) {
        print_message("SKIP: squid not installed (Debian package squid)\n");
        skip();
    }
    export_dir("squid");
    char conf[600];
    snprintf(conf, sizeof conf, "%s/squid-test.conf", tmpdir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f,
            "http_port 127.0.0.1:3128\n"
            "acl mimamori_domains dstdomain \"%s/mimamori-domains.acl\"\n"
            "acl mimamori_urls url_regex \"%s/mimamori-urls.acl\"\n"
            "acl mimamori_ips dst \"%s/mimamori-ips.acl\"\n"
            "http_access deny mimamori_domains\n"
            "http_access deny mimamori_urls\n"
            "http_access deny mimamori_ips\n"
            "http_access deny all\n",
            tmpdir, tmpdir, tmpdir);
    fclose(f);
    /* squid -k parse exits 0 on warnings too: fail on any ERROR or FATAL line */
    int rc = sh("%s -k parse -f %s >%s/squid.out 2>&1", squid, conf, tmpdir);
    int bad = sh("grep -E 'ERROR|FATAL|WARNING' %s/squid.out >&2", tmpdir);
    assert_int_equal(rc, 0);
    assert_int_not_equal(bad, 0);
}

static int rules_skipped;
static void on_skip(void *ctx, const char *file, uint64_t line, uint32_t sid, int w,
                    const char *msg)
{
    (void)ctx;
    (void)w;
    print_message("skipped %s:%llu sid %u: %s\n", file, (unsigned long long)line, sid, msg);
    rules_skipped++;
}

static void test_check_suricata_rules(void **s)
{
    (void)s;
    export_dir("suricata-rules");
    mm_ruleset *rs = mm_ruleset_new();
    assert_non_null(rs);
    mm_ruleset_on_skip(rs, on_skip, NULL);
    char path[600], err[512] = "";
    snprintf(path, sizeof path, "%s/mimamori.rules", tmpdir);
    bool ok = mm_ruleset_load(rs, path, err, sizeof err);
    if (!ok)
        print_message("%s\n", err);
    assert_true(ok);
    const mm_rules_summary *sum = mm_ruleset_summary(rs);
    assert_int_equal(rules_skipped, 0);
    assert_int_equal(sum->skipped, 0);
    /* 5 domains x 3 buffers, 2 URLs, 2 x 2 address rules, 6 lists */
    assert_int_equal(sum->loaded, 5 * 3 + 2 + 4 + 6);
    mm_ruleset_free(rs);
}

static int setup(void **s)
{
    (void)s;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **s)
{
    (void)s;
    if (getenv("MM_TEST_KEEP")) {
        print_message("exports kept in %s\n", tmpdir);
        return 0;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_nft),
        cmocka_unit_test(test_ipset),
        cmocka_unit_test(test_squid),
        cmocka_unit_test(test_unbound_hosts),
        cmocka_unit_test(test_rpz),
        cmocka_unit_test(test_rpz_ipv6_forms),
        cmocka_unit_test(test_yamaha),
        cmocka_unit_test(test_suricata_dataset),
        cmocka_unit_test(test_suricata_rules),
        cmocka_unit_test(test_stix),
        cmocka_unit_test(test_leave_out_addresses),
        cmocka_unit_test(test_leave_out_names),
        cmocka_unit_test(test_leave_out_catalog),
        cmocka_unit_test(test_leave_out_warninglists),
        cmocka_unit_test(test_warninglist_files),
        cmocka_unit_test(test_counts_and_summary),
        cmocka_unit_test(test_not_ids_and_expired),
        cmocka_unit_test(test_unsafe),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_check_nft),
        cmocka_unit_test(test_check_ipset),
        cmocka_unit_test(test_check_unbound),
        cmocka_unit_test(test_check_rpz),
        cmocka_unit_test(test_check_squid),
        cmocka_unit_test(test_check_suricata_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
