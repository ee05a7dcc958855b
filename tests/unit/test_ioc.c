/* test_ioc.c - indicators: types, normal form, readers, matching, the
 * hunting index's keys. Expected values follow the formats' own rules
 * (RFC 3986 for URLs: scheme and host are case-insensitive, a default port
 * is the same as none, %-encoded unreserved characters equal themselves;
 * RFC 4632 for networks; the abuse.ch and Suricata file layouts). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "ioc/ioc.h"
#include "ioc/match.h"
#include "ioc/native.h"
#include "ioc/obs.h"

static void norm_ok(mm_ioc_type t, const char *in, mm_ioc_type want_t, const char *want)
{
    char out[MM_IOC_VALUE_MAX + 1], why[128];
    mm_ioc_type tt = t;
    if (!mm_ioc_normalise(&tt, in, strlen(in), out, sizeof out, why, sizeof why))
        fail_msg("\"%s\" refused: %s", in, why);
    assert_int_equal(tt, want_t);
    assert_string_equal(out, want);
}

static void norm_bad(mm_ioc_type t, const char *in)
{
    char out[MM_IOC_VALUE_MAX + 1], why[128];
    mm_ioc_type tt = t;
    if (mm_ioc_normalise(&tt, in, strlen(in), out, sizeof out, why, sizeof why))
        fail_msg("\"%s\" taken as \"%s\"", in, out);
}

static void test_guess(void **st)
{
    (void)st;
    static const struct { const char *v; mm_ioc_type t; } g[] = {
        {"192.0.2.1", IOC_IPV4}, {"2001:db8::1", IOC_IPV6}, {"198.51.100.0/24", IOC_CIDR},
        {"evil.example", IOC_DOMAIN}, {"*.evil.example", IOC_DOMAIN},
        {"hxxp://evil[.]example/x", IOC_URL}, {"evil.example/path/a.php", IOC_URL},
        {"bad@evil.example", IOC_EMAIL}, {"d41d8cd98f00b204e9800998ecf8427e", IOC_MD5},
        {"da39a3ee5e6b4b0d3255bfef95601890afd80709", IOC_SHA1},
        {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", IOC_SHA256},
        {"t13d1516h2_8daaf6152771_b0da82dd1658", IOC_JA4}, {"invoice.exe", IOC_FILENAME},
        {"C:\\Users\\x\\AppData\\upd.dll", IOC_FILENAME}, {"192.0.2.9:8443", IOC_IPV4},
        {"evil[.]example", IOC_DOMAIN}, {"just words", IOC_NONE},
        {"HKLM\\Software\\Run", IOC_REGKEY}, {"hkey_current_user\\x", IOC_REGKEY},
        {"HKLMX\\a.exe", IOC_FILENAME},
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        if (mm_ioc_guess(g[i].v, strlen(g[i].v)) != g[i].t)
            fail_msg("%s: guessed %s", g[i].v, mm_ioc_type_name(mm_ioc_guess(g[i].v, strlen(g[i].v))));
}

static void test_normal_form(void **st)
{
    (void)st;
    /* networks: host bits cleared, /32 is an address */
    norm_ok(IOC_NONE, "198.51.100.77/24", IOC_CIDR, "198.51.100.0/24");
    norm_ok(IOC_NONE, "192.0.2.5/32", IOC_IPV4, "192.0.2.5");
    norm_ok(IOC_NONE, "2001:DB8:0:0::1/48", IOC_CIDR, "2001:db8::/48");
    norm_ok(IOC_IPV4, "192.0.2.9:8443", IOC_IPV4, "192.0.2.9");
    /* registry keys: the hive written out, separators tidied, case kept */
    norm_ok(IOC_REGKEY, "HKLM\\Software\\\\Run\\", IOC_REGKEY,
            "HKEY_LOCAL_MACHINE\\Software\\Run");
    norm_ok(IOC_REGKEY, "hkcu/Software/Evil", IOC_REGKEY, "HKEY_CURRENT_USER\\Software\\Evil");
    norm_ok(IOC_NONE, "HKEY_USERS\\S-1-5-21\\Run", IOC_REGKEY, "HKEY_USERS\\S-1-5-21\\Run");
    norm_bad(IOC_REGKEY, "HKLM");
    norm_bad(IOC_REGKEY, "HKLM\\\\");
    norm_bad(IOC_REGKEY, "Software\\Run");
    /* names: lowercase, no trailing dot, no wildcard */
    norm_ok(IOC_DOMAIN, "*.Evil.EXAMPLE.", IOC_DOMAIN, "evil.example");
    norm_ok(IOC_DOMAIN, "evil(.)example", IOC_DOMAIN, "evil.example");
    norm_ok(IOC_DOMAIN, "192.0.2.1", IOC_IPV4, "192.0.2.1");
    /* URLs: refanged, scheme and host lowercased, default port dropped */
    norm_ok(IOC_NONE, "hXXps://Evil.Example:443/A/b.php?x=1#frag", IOC_URL,
            "https://evil.example/A/b.php?x=1");
    norm_ok(IOC_NONE, "HTTP://evil.example:8080", IOC_URL, "http://evil.example:8080/");
    norm_ok(IOC_NONE, "hxxps[://]evil[.]example/x", IOC_URL, "https://evil.example/x");
    /* only a scheme is refanged: a name that starts with "hxxp" is a name,
     * and normalising it twice gives it back unchanged */
    norm_ok(IOC_DOMAIN, "*.hXXp0.example", IOC_DOMAIN, "hxxp0.example");
    norm_ok(IOC_DOMAIN, "hxxp0.example", IOC_DOMAIN, "hxxp0.example");
    norm_ok(IOC_URL, "evil.example/p", IOC_URL, "http://evil.example/p");
    norm_ok(IOC_EMAIL, "<Bad[at]Evil.Example>", IOC_EMAIL, "bad@evil.example");
    norm_ok(IOC_EMAIL, "mailto:x@evil.example", IOC_EMAIL, "x@evil.example");
    norm_ok(IOC_SHA256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    norm_ok(IOC_FILENAME, "C:\\Windows\\Temp\\svchost.exe", IOC_FILENAME, "svchost.exe");
    /* what would match everything, or is not what its type says */
    norm_bad(IOC_NONE, "0.0.0.0/0");
    norm_bad(IOC_NONE, "::/0");
    norm_bad(IOC_CIDR, "10.0.0.0/7");
    norm_bad(IOC_DOMAIN, "com");
    norm_bad(IOC_DOMAIN, "*");
    norm_bad(IOC_DOMAIN, "");
    norm_bad(IOC_DOMAIN, ".");
    norm_bad(IOC_FILENAME, "*.*");
    norm_bad(IOC_MD5, "d41d8cd98f00b204e9800998ecf8427");
    norm_bad(IOC_SHA1, "zz39a3ee5e6b4b0d3255bfef95601890afd80709");
    norm_bad(IOC_URL, "http://");
    norm_bad(IOC_EMAIL, "no-at-sign.example");
    norm_bad(IOC_DOMAIN, "evil\n.example");
    norm_bad(IOC_IPV4, "0.0.0.0");
}

static void test_url_key(void **st)
{
    (void)st;
    char k[256];
    /* the same resource written three ways has one key */
    const char *same[] = {"http://EVIL.example:80/%7Euser/a%2fb?q=1",
                          "evil.example/~user/a%2Fb?q=1", "http://evil.example/%7euser/a%2Fb?q=1#x"};
    for (size_t i = 0; i < 3; i++) {
        assert_true(mm_ioc_url_key(same[i], strlen(same[i]), k, sizeof k) > 0);
        assert_string_equal(k, "evil.example/~user/a%2Fb?q=1");
    }
    assert_true(mm_ioc_url_key("https://a.example:8443", 22, k, sizeof k) > 0);
    assert_string_equal(k, "a.example:8443/");
}

typedef struct got {
    char v[64][256];
    mm_ioc_type t[64];
    char desc[64][128];
    int conf[64];
    int64_t first[64];
    int n, bad;
} got;

static int got_add(void *u, const mm_ioc *c)
{
    got *g = u;
    if (g->n < 64) {
        snprintf(g->v[g->n], sizeof g->v[0], "%s", c->value);
        snprintf(g->desc[g->n], sizeof g->desc[0], "%s", c->desc ? c->desc : "");
        g->t[g->n] = c->type;
        g->conf[g->n] = c->confidence;
        g->first[g->n] = c->first_seen;
        g->n++;
    }
    return 0;
}

static void got_bad(void *u, const char *where, const char *why)
{
    (void)where;
    (void)why;
    ((got *)u)->bad++;
}

static void read_text(const char *text, mm_ioc_format f, mm_ioc_type t, got *g,
                      mm_ioc_read_stats *st)
{
    memset(g, 0, sizeof *g);
    memset(st, 0, sizeof *st);
    mm_ioc_read_opts o = {.format = f, .type = t};
    mm_ioc_sink s = {got_add, got_bad, g};
    char err[256];
    if (mm_ioc_read_mem("t", text, strlen(text), &o, &s, st, err, sizeof err) != 0)
        fail_msg("read: %s", err);
}

static void test_plain(void **st0)
{
    (void)st0;
    got g;
    mm_ioc_read_stats st;
    read_text("# comment\n0.0.0.0 ads.evil.example\n||miner.example^\n"
              "203.0.113.7   # C2 of 2026-11\nhxxp://x[.]example/a  dropper\n\ncom\n",
              IOC_FMT_AUTO, IOC_NONE, &g, &st);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.v[0], "ads.evil.example");
    assert_string_equal(g.v[1], "miner.example");
    assert_string_equal(g.v[2], "203.0.113.7");
    assert_string_equal(g.v[3], "http://x.example/a");
    assert_string_equal(g.desc[3], "dropper");
    assert_int_equal(st.bad, 1);          /* "com" */
    assert_int_equal(g.bad, 1);
}

static void test_csv(void **st0)
{
    (void)st0;
    got g;
    mm_ioc_read_stats st;
    /* an advisory's table: two value columns per row, a description */
    read_text("FQDN,IP address,Description\n"
              "c2.evil.example,198.51.100.20,\"first stage, loader\"\n"
              "update.evil.example,,second stage\n",
              IOC_FMT_AUTO, IOC_NONE, &g, &st);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.v[0], "c2.evil.example");
    assert_int_equal(g.t[0], IOC_DOMAIN);
    assert_string_equal(g.v[1], "198.51.100.20");
    assert_string_equal(g.desc[1], "first stage, loader");
    assert_string_equal(g.v[2], "update.evil.example");
    /* type and value columns (a MISP CSV export) */
    read_text("uuid,event_id,category,type,value,comment,to_ids\n"
              "u1,1,Network activity,ip-dst,192.0.2.44,c2,1\n"
              "u2,1,Payload delivery,sha256,"
              "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855,drop,1\n",
              IOC_FMT_AUTO, IOC_NONE, &g, &st);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.t[0], IOC_IPV4);
    assert_int_equal(g.t[1], IOC_SHA256);
    /* URLhaus: the header is the last comment line; time is UTC */
    read_text("################\n# abuse.ch URLhaus Database Dump (CSV)\n#\n"
              "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"
              "\"3021411\",\"2024-08-12 10:15:09\",\"http://198.51.100.9:43210/i\",\"online\","
              "\"2024-08-12 10:15:09\",\"malware_download\",\"elf,mozi\","
              "\"https://urlhaus.abuse.ch/url/3021411/\",\"geenensp\"\n",
              IOC_FMT_AUTO, IOC_NONE, &g, &st);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.t[0], IOC_URL);
    assert_string_equal(g.v[0], "http://198.51.100.9:43210/i");
    /* 2024-08-12 10:15:09 UTC = 1723457709 s */
    assert_int_equal(g.first[0], 1723457709LL * 1000000);
    assert_non_null(strstr(g.desc[0], "malware_download"));
}

static void test_suricata_files(void **st0)
{
    (void)st0;
    got g;
    mm_ioc_read_stats st;
    /* string dataset lines are base64: "ZXZpbC5leGFtcGxl" is "evil.example" */
    read_text("ZXZpbC5leGFtcGxl\nbm90IGEgbmFtZSE=\n", IOC_FMT_DATASET, IOC_DOMAIN, &g, &st);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.v[0], "evil.example");
    assert_int_equal(st.bad, 1);
    /* datarep: value,reputation */
    read_text("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,90\n",
              IOC_FMT_DATASET, IOC_SHA256, &g, &st);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.conf[0], 90);
    /* iprep: address,category,score (score 0-127) */
    read_text("192.0.2.1,1,127\n198.51.100.0/24,2,64\n192.0.2.2,1,900\n", IOC_FMT_AUTO,
              IOC_NONE, &g, &st);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.t[1], IOC_CIDR);
    assert_int_equal(g.conf[0], 100);
    assert_int_equal(st.bad, 1);
}

static void test_native_roundtrip(void **st0)
{
    (void)st0;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    mm_ioc_native_header(f);
    mm_ioc a = {.type = IOC_SUBJECT, .value = "請求書 のご確認", .set = "adv", .source = "jpcert",
                .desc = "line\nbreak \\ here", .confidence = 70, .tlp = "amber", .to_ids = true,
                .first_seen = 1723457709LL * 1000000};
    mm_ioc_native_write(f, &a);
    fclose(f);
    got g;
    mm_ioc_read_stats st;
    read_text(buf, IOC_FMT_AUTO, IOC_NONE, &g, &st);
    free(buf);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.v[0], "請求書 のご確認");
    assert_string_equal(g.desc[0], "line\nbreak \\ here");
    assert_int_equal(g.conf[0], 70);
    assert_int_equal(g.first[0], 1723457709LL * 1000000);
    (void)a;
}

static void add(mm_iocmatch *m, mm_ioc_type t, const char *v, const char *set)
{
    char out[MM_IOC_VALUE_MAX + 1], why[64];
    assert_true(mm_ioc_normalise(&t, v, strlen(v), out, sizeof out, why, sizeof why));
    mm_ioc c = {.type = t, .value = out, .set = set, .confidence = -1, .to_ids = true};
    assert_int_equal(mm_iocmatch_add(m, &c), 0);
}

static void test_match(void **st0)
{
    (void)st0;
    mm_iocmatch *m = mm_iocmatch_new();
    assert_non_null(m);
    add(m, IOC_DOMAIN, "evil.example", "a");
    add(m, IOC_DOMAIN, "evil.example", "b");     /* the same value in a second set */
    add(m, IOC_DOMAIN, "evil.example", "b");     /* and again: kept once */
    add(m, IOC_CIDR, "198.51.100.0/24", "a");
    add(m, IOC_CIDR, "2001:db8:1::/48", "a");
    add(m, IOC_IPV4, "192.0.2.1", "a");
    add(m, IOC_URL, "http://files.example/get.php?id=1", "a");
    add(m, IOC_SHA256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "a");
    add(m, IOC_FILENAME, "Invoice.EXE", "a");
    assert_int_equal(mm_iocmatch_count(m), 8);
    /* a name matches itself and its subdomains, not a longer label */
    mm_ip ip;
    uint32_t r = mm_iocmatch_domain(m, "WWW.Evil.Example.", 17);
    assert_true(r);
    const mm_iocent *e = mm_iocmatch_ent(m, r);
    char vb[MM_IOCMATCH_VALUE_BUF];
    assert_string_equal(mm_iocmatch_value_text(m, e, vb), "evil.example");
    assert_true(e->next);                        /* set b's entry follows */
    assert_true(mm_ip_parse("198.51.100.200", &ip));
    e = mm_iocmatch_ent(m, mm_iocmatch_ip(m, &ip));
    assert_string_equal(mm_iocmatch_value_text(m, e, vb), "198.51.100.0/24");
    assert_false(mm_iocmatch_domain(m, "notevil.example", 15));
    assert_false(mm_iocmatch_domain(m, "example", 7));
    assert_true(mm_ip_parse("198.51.100.200", &ip));
    assert_true(mm_iocmatch_ip(m, &ip));
    assert_true(mm_ip_parse("198.51.101.1", &ip));
    assert_false(mm_iocmatch_ip(m, &ip));
    assert_true(mm_ip_parse("2001:db8:1:ffff::9", &ip));
    assert_true(mm_iocmatch_ip(m, &ip));
    assert_true(mm_ip_parse("192.0.2.1", &ip));
    assert_true(mm_iocmatch_ip(m, &ip));
    assert_true(mm_iocmatch_url(m, "FILES.example:80", "/get.php?id=1"));
    assert_false(mm_iocmatch_url(m, "files.example", "/get.php?id=2"));
    assert_true(mm_iocmatch_value(m, IOC_SHA256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 64));
    assert_true(mm_iocmatch_value(m, IOC_FILENAME, "invoice.exe", 11));
    assert_false(mm_iocmatch_value(m, IOC_FILENAME, "invoice.ex", 10));
    add(m, IOC_REGKEY, "HKLM\\Software\\Evil", "a");
    assert_true(mm_iocmatch_value(m, IOC_REGKEY, "hkey_local_machine\\SOFTWARE\\evil", 32));
    assert_false(mm_iocmatch_value(m, IOC_FILENAME, "hkey_local_machine\\software\\evil", 32));
    mm_iocmatch_free(m);
}

static void test_obs_keys(void **st0)
{
    (void)st0;
    char k[128];
    assert_int_equal(mm_obs_key(OBS_DOMAIN, "www.Evil.example.", 17, k, sizeof k), 16);
    assert_string_equal(k, "example.evil.www");
    /* IPv4 is mapped into IPv6 (::ffff:192.0.2.1) */
    assert_int_equal(mm_obs_key(OBS_IP, "192.0.2.1", 9, k, sizeof k), 32);
    assert_string_equal(k, "00000000000000000000ffffc0000201");
    assert_int_equal(mm_obs_key(OBS_IP, "2001:db8::1", 11, k, sizeof k), 32);
    assert_string_equal(k, "20010db8000000000000000000000001");
    /* and back */
    char v[128];
    mm_obs_key_value(OBS_IP, "00000000000000000000ffffc0000201", v, sizeof v);
    assert_string_equal(v, "192.0.2.1");
    mm_obs_key_value(OBS_IP, k, v, sizeof v);
    assert_string_equal(v, "2001:db8::1");
    mm_obs_key_value(OBS_DOMAIN, "example.evil.www", v, sizeof v);
    assert_string_equal(v, "www.evil.example");
    mm_obs_key_value(OBS_DOMAIN, "com", v, sizeof v);
    assert_string_equal(v, "com");
}

/* Pieces of the hunting index: records combined, written, read back;
 * damaged pieces refused whole. */
static void test_obs_piece(void **st0)
{
    (void)st0;
    static const uint8_t a4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
    static const uint8_t b4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 200};
    mm_obsp_rec r[] = {
        {b4, 16, "10.0.0.2", 100, 100, 1},
        {a4, 16, "10.0.0.1", 50, 60, 2},
        {b4, 16, "10.0.0.2", 90, 95, 3},       /* the same key and host as the first */
        {a4, 16, "", 0, 44639, 1},
        {b4, 16, "10.0.0.1", 7, 7, 1},
    };
    size_t n = mm_obsp_combine(r, 5);
    assert_int_equal(n, 4);
    for (int level = 0; level <= 9; level += 9) {
        uint8_t *blob;
        size_t bl;
        assert_int_equal(mm_obsp_chunk(r, n), n);
        assert_true(mm_obsp_encode(r, n, level, &blob, &bl));
        mm_obsp p;
        const char *why = NULL;
        assert_true(mm_obsp_decode(blob, bl, &p, &why));
        assert_int_equal(p.nent, 2);
        assert_int_equal(p.nrec, 4);
        /* a4: hosts "" then "10.0.0.1"; b4: "10.0.0.1", then "10.0.0.2" combined */
        assert_int_equal(p.rec_at[1], 2);
        assert_string_equal(p.hosts[p.host[0]], "");
        assert_int_equal(p.last[0], 44639);
        assert_string_equal(p.hosts[p.host[1]], "10.0.0.1");
        assert_int_equal(p.first[1], 50);
        assert_int_equal(p.last[1], 60);
        assert_int_equal(p.count[1], 2);
        assert_string_equal(p.hosts[p.host[3]], "10.0.0.2");
        assert_int_equal(p.first[3], 90);
        assert_int_equal(p.last[3], 100);
        assert_int_equal(p.count[3], 4);
        /* lookups */
        assert_int_equal(mm_obsp_lower(&p, a4, 16), 0);
        assert_int_equal(mm_obsp_lower(&p, b4, 16), 1);
        assert_int_equal(mm_obsp_lower(&p, b4, 15), 0);   /* a prefix of a4 too */
        assert_int_equal(mm_obsp_cmp(&p, 1, b4, 16), 0);
        mm_obsp_free(&p);
        /* every shorter piece and every single changed byte: refused or
         * read within bounds (ASan watches), never a crash */
        for (size_t cut = 0; cut < bl; cut++) {
            assert_false(mm_obsp_decode(blob, cut, &p, &why));
            mm_obsp_free(&p);
        }
        for (size_t i = 0; i < bl; i++)
            for (int bit = 0; bit < 8; bit++) {
                blob[i] ^= (uint8_t)(1u << bit);
                if (mm_obsp_decode(blob, bl, &p, &why))
                    mm_obsp_free(&p);
                blob[i] ^= (uint8_t)(1u << bit);
            }
        free(blob);
    }
    /* what cannot be written is refused */
    mm_obsp_rec bad = {a4, 16, "h", 10, 9, 1};
    uint8_t *blob;
    size_t bl;
    assert_false(mm_obsp_encode(&bad, 1, 0, &blob, &bl));
}

/* Stored keys: an address as 16 bytes, and back. */
static void test_obs_stored(void **st0)
{
    (void)st0;
    uint8_t k[64];
    char v[128];
    assert_int_equal(mm_obs_stored_key(OBS_IP, "00000000000000000000ffffc0000201", 32, k, sizeof k),
                     16);
    assert_int_equal(k[12], 192);
    assert_int_equal(k[15], 1);
    mm_obs_stored_value(OBS_IP, k, 16, v, sizeof v);
    assert_string_equal(v, "192.0.2.1");
    assert_int_equal(mm_obs_stored_key(OBS_IP, "00000000000000000000ffffc00002zz", 32, k, sizeof k),
                     0);
    assert_int_equal(mm_obs_stored_key(OBS_DOMAIN, "example.evil", 12, k, sizeof k), 12);
    mm_obs_stored_value(OBS_DOMAIN, k, 12, v, sizeof v);
    assert_string_equal(v, "evil.example");
    /* the start of a month */
    assert_int_equal(mm_obs_month_start(202612), 1796083200LL * 1000000);
    assert_int_equal(mm_obs_month_start(197001), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guess),         cmocka_unit_test(test_normal_form),
        cmocka_unit_test(test_url_key),       cmocka_unit_test(test_plain),
        cmocka_unit_test(test_csv),           cmocka_unit_test(test_suricata_files),
        cmocka_unit_test(test_native_roundtrip), cmocka_unit_test(test_match),
        cmocka_unit_test(test_obs_keys),      cmocka_unit_test(test_obs_piece),
        cmocka_unit_test(test_obs_stored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
