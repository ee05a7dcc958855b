/* Unit tests: the streaming JSON splitter (util/jsplit), the STIX 2.1
 * patterning evaluator, and the STIX, MISP and ThreatFox readers (ioc/).
 *
 * The pattern cases are the examples of the STIX 2.1 specification's
 * patterning section (9.9, "Examples"), plus a few of ours marked so;
 * what each must yield was worked out from the specification's meaning
 * of the pattern and from the rule of this reader (= / IN / ISSUBSET on
 * a property that names an indicator is kept; an AND, FOLLOWEDBY or
 * qualifier is loosened and said; any other comparison is reported). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "ioc/ioc.h"
#include "ioc/stix_int.h"
#include "util/jsplit.h"

/* ---- the pattern evaluator ---- */

static const char *const tnames[] = {"none", "ipv4",     "ipv6",     "cidr", "domain",
                                     "url",  "email",    "md5",      "sha1", "sha256",
                                     "ja3",  "ja4",      "filename", "user-agent", "subject",
                                     "regkey"};

typedef struct pres {
    char vals[32][200];
    unsigned nv, nuns, nloose;
    char uns[32][400];
    char loose[8][400];
} pres;

static int pv(void *u, mm_ioc_type t, const char *v, size_t n)
{
    pres *r = u;
    if (r->nv < 32)
        snprintf(r->vals[r->nv], sizeof r->vals[0], "%s=%.*s", tnames[t], (int)n, v);
    r->nv++;
    return 0;
}

static void pu(void *u, const char *why)
{
    pres *r = u;
    if (r->nuns < 32)
        snprintf(r->uns[r->nuns], sizeof r->uns[0], "%s", why);
    r->nuns++;
}

static void pl(void *u, const char *why)
{
    pres *r = u;
    if (r->nloose < 8)
        snprintf(r->loose[r->nloose], sizeof r->loose[0], "%s", why);
    r->nloose++;
}

static pres *run_pat(const char *pat, int want_rc)
{
    static pres r;
    memset(&r, 0, sizeof r);
    sp_out o = {pv, pu, pl, &r};
    char err[200] = "";
    int rc = stix_pattern_eval(pat, strlen(pat), &o, err, sizeof err);
    if (rc != want_rc)
        fprintf(stderr, "pattern %s: rc %d (%s)\n", pat, rc, err);
    assert_int_equal(rc, want_rc);
    if (rc < 0) {
        assert_true(err[0] != 0);
        assert_int_equal(r.nv, 0);
    }
    return &r;
}

/* vals: the values in order, NULL-terminated. */
static void expect(const pres *r, const char *const *vals, unsigned nuns, unsigned nloose)
{
    unsigned n = 0;
    while (vals[n])
        n++;
    if (r->nv != n || r->nuns != nuns || r->nloose != nloose) {
        for (unsigned i = 0; i < r->nv && i < 32; i++)
            fprintf(stderr, "  value %s\n", r->vals[i]);
        for (unsigned i = 0; i < r->nuns && i < 32; i++)
            fprintf(stderr, "  unsupported %s\n", r->uns[i]);
        for (unsigned i = 0; i < r->nloose && i < 8; i++)
            fprintf(stderr, "  loosened %s\n", r->loose[i]);
    }
    assert_int_equal(r->nv, n);
    for (unsigned i = 0; i < n; i++)
        assert_string_equal(r->vals[i], vals[i]);
    assert_int_equal(r->nuns, nuns);
    assert_int_equal(r->nloose, nloose);
}

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})

static void test_pattern_spec_examples(void **st)
{
    (void)st;
    pres *r;
    /* a file with a SHA-256 hash */
    r = run_pat("[file:hashes.'SHA-256' = "
                "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']", 0);
    expect(r, V("sha256=aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"), 0,
           0);
    /* an e-mail from a domain with an .exe attachment: two MATCHES, nothing kept */
    r = run_pat("[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND "
                "email-message:body_multipart[*].body_raw_ref.name MATCHES "
                "'^Final Report.+\\\\.exe$']", 0);
    expect(r, NONE, 2, 0);
    assert_non_null(strstr(r->uns[0], "MATCHES not evaluated"));
    /* a hash AND a MIME type: the hash kept alone, the AND said */
    r = run_pat("[file:hashes.'SHA-256' = "
                "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND "
                "file:mime_type = 'application/x-pdf']", 0);
    expect(r, V("sha256=aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"), 1,
           1);
    assert_non_null(strstr(r->uns[0], "file:mime_type"));
    assert_non_null(strstr(r->loose[0], "AND of 2 comparisons: each part kept alone"));
    /* two observations joined by AND, the first an OR of two hashes */
    r = run_pat("[file:hashes.'SHA-256' = "
                "'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR "
                "file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND "
                "[file:hashes.'SHA-256' = "
                "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']", 0);
    expect(r, V("sha256=bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c",
                "md5=cead3f77f6cda6ec00f57d76c9a6879f",
                "sha256=aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"),
           0, 1);
    assert_non_null(strstr(r->loose[0], "AND of 2 observations"));
    /* a hash FOLLOWEDBY a registry key, WITHIN 300 SECONDS */
    r = run_pat("([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY "
                "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) WITHIN 300 "
                "SECONDS", 0);
    expect(r, V("md5=79054025255fb1a26e4bc422aef54eb4", "regkey=HKEY_LOCAL_MACHINE\\foo\\bar"),
           0, 2);
    assert_non_null(strstr(r->loose[0], "FOLLOWEDBY of 2 observations"));
    assert_non_null(strstr(r->loose[1], "WITHIN 300 SECONDS"));
    /* three user accounts: nothing here is an indicator */
    r = run_pat("[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND "
                "user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' "
                "AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND "
                "[user-account:account_type = 'unix' AND user-account:user_id = '1009' AND "
                "user-account:account_login = 'Mary']", 0);
    expect(r, NONE, 9, 0);
    /* a pcap artifact by its magic bytes */
    r = run_pat("[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin "
                "MATCHES '\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']", 0);
    expect(r, NONE, 2, 0);
    /* a file name AND its directory */
    r = run_pat("[file:name = 'foo.dll' AND file:parent_directory_ref.path = "
                "'C:\\\\Windows\\\\System32']", 0);
    expect(r, V("filename=foo.dll"), 1, 1);
    /* PE section entropy > 7.0 */
    r = run_pat("[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]", 0);
    expect(r, NONE, 1, 0);
    assert_non_null(strstr(r->uns[0], "operator > not evaluated"));
    /* a MIME type AND a magic number in hex */
    r = run_pat("[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']", 0);
    expect(r, NONE, 2, 0);
    /* traffic to an IPv4 address (the type test is not an indicator) */
    r = run_pat("[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value "
                "= '203.0.113.33/32']", 0);
    expect(r, V("none=203.0.113.33/32"), 1, 1);
    /* traffic to a domain, repeated, within a time */
    r = run_pat("[network-traffic:dst_ref.type = 'domain-name' AND "
                "network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 180 "
                "SECONDS", 0);
    expect(r, V("none=example.com"), 1, 2);
    assert_non_null(strstr(r->loose[1], "REPEATS 5 TIMES WITHIN 180 SECONDS"));
    /* a domain that resolves to an address */
    r = run_pat("[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value "
                "= '198.51.100.1/32']", 0);
    expect(r, V("domain=www.5z8.info"), 1, 1);
    /* two URLs */
    r = run_pat("[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
                0);
    expect(r, V("url=http://example.com/foo", "url=http://example.com/bar"), 0, 0);
    /* a certificate by issuer and serial */
    r = run_pat("[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = "
                "'4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']", 0);
    expect(r, NONE, 2, 0);
    /* two registry keys */
    r = run_pat("[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\CryptoLocker\\\\Files' "
                "OR windows-registry-key:key = "
                "'HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\CurrentVersion\\\\Run\\\\"
                "CryptoLocker_0388']", 0);
    expect(r, V("regkey=HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files",
                "regkey=HKEY_CURRENT_USER\\Software\\Microsoft\\CurrentVersion\\Run\\"
                "CryptoLocker_0388"), 0, 0);
    /* a file by name or size, AND a creation time */
    r = run_pat("[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = "
                "t'2014-01-13T07:03:17Z']", 0);
    expect(r, V("filename=pdf.exe"), 2, 1);
    /* an e-mail by sender and subject */
    r = run_pat("[email-message:sender_ref.value = 'jdoe@example.com' AND "
                "email-message:subject = 'Conference Info']", 0);
    expect(r, V("email=jdoe@example.com", "subject=Conference Info"), 0, 1);
    /* a custom object */
    r = run_pat("[x-usb-device:usbdrive.serial_number = '575833623835']", 0);
    expect(r, NONE, 1, 0);
    /* two command lines in sequence: nothing kept, so nothing loosened */
    r = run_pat("[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine "
                "Root$'] FOLLOWEDBY [process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s "
                "-r localMachineTrustedPublisher$'] WITHIN 300 SECONDS", 0);
    expect(r, NONE, 2, 0);
    /* addresses in a network */
    r = run_pat("[ipv4-addr:value ISSUBSET '198.51.100.0/24']", 0);
    expect(r, V("ipv4=198.51.100.0/24"), 0, 0);
    /* three addresses FOLLOWEDBY a domain WITHIN 600 SECONDS (the qualifier
     * binds to the observation before it) */
    r = run_pat("[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR "
                "ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] FOLLOWEDBY "
                "[domain-name:value = 'example.com'] WITHIN 600 SECONDS", 0);
    expect(r, V("ipv4=198.51.100.1/32", "ipv4=203.0.113.33/32",
                "ipv6=2001:0db8:dead:beef:dead:beef:dead:0001/128", "domain=example.com"),
           0, 2);
    /* START / STOP */
    r = run_pat("[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] START "
                "t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'", 0);
    expect(r, V("md5=79054025255fb1a26e4bc422aef54eb4"), 0, 1);
}

static void test_pattern_ours(void **st)
{
    (void)st;
    pres *r;
    /* ours: IN, escapes, NOT, !=, LIKE, EXISTS, list index, User-Agent, JA3 */
    r = run_pat("[ipv4-addr:value IN ('198.51.100.1', '198.51.100.2')]", 0);
    expect(r, V("ipv4=198.51.100.1", "ipv4=198.51.100.2"), 0, 0);
    r = run_pat("[email-message:subject = 'it\\'s \\\\ here']", 0);
    expect(r, V("subject=it's \\ here"), 0, 0);
    r = run_pat("[domain-name:value NOT = 'example.com' OR domain-name:value != 'a.example' OR "
                "url:value LIKE 'http://%' OR EXISTS file:name]", 0);
    expect(r, NONE, 4, 0);
    assert_non_null(strstr(r->uns[0], "NOT = not evaluated"));
    r = run_pat("[email-message:to_refs[0].value = 'a@example.com' OR "
                "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = "
                "'Mozilla/4.0 (evil)' OR network-traffic:extensions.'x-ja3'.ja3 = "
                "'e7d705a3286e19ea42f587b344ee6865' OR file:hashes.'SHA-512' = 'ab']", 0);
    expect(r, V("email=a@example.com", "user-agent=Mozilla/4.0 (evil)",
                "ja3=e7d705a3286e19ea42f587b344ee6865"), 1, 0);
    r = run_pat("[file:size = 25536]", 0);
    expect(r, NONE, 1, 0);
    /* a feed's OR of 3000 addresses: each one kept */
    size_t cap = 3000 * 40 + 8, k0 = 0;
    char *big = malloc(cap);
    assert_non_null(big);
    big[k0++] = '[';
    for (int i = 0; i < 3000; i++)
        k0 += (size_t)snprintf(big + k0, cap - k0, "%sipv4-addr:value = '10.0.%d.%d'",
                               i ? " OR " : "", i / 256, i % 256);
    big[k0++] = ']';
    big[k0] = 0;
    r = run_pat(big, 0);
    free(big);
    assert_int_equal(r->nv, 3000);
    assert_string_equal(r->vals[31], "ipv4=10.0.0.31");
    assert_int_equal(r->nuns + r->nloose, 0);
    /* syntax errors: nothing handed out */
    static const char *const bad[] = {
        "", "[", "[ipv4-addr:value = '1.2.3.4'", "ipv4-addr:value = '1.2.3.4'",
        "[ipv4-addr:value = '1.2.3.4'] AND", "[ipv4-addr:value = 'x\\q']",
        "[ipv4-addr:value == '1.2.3.4']", "[ipv4-addr:value = '1.2.3.4'] WITHIN SECONDS",
        "[ipv4-addr:value = '1.2.3.4']]", "[ipv4-addr = '1.2.3.4']", "[a:b IN ()]",
        "[a:b = 'unterminated]", "[a:b LIKE 5]", "[a:b = '1'] START '2016' STOP '2017'",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        run_pat(bad[i], -1);
    /* hostile nesting is refused, not recursed into */
    char deep[2000];
    size_t k = 0;
    for (int i = 0; i < 500; i++)
        deep[k++] = '(';
    memcpy(deep + k, "[a:b = '1']", 11);
    k += 11;
    for (int i = 0; i < 500; i++)
        deep[k++] = ')';
    deep[k] = 0;
    run_pat(deep, -1);
}

/* ---- the splitter ---- */

typedef struct sres {
    char got[16][128];
    unsigned n, refused;
    uint64_t outer[16];
    char keys[16][48];
} sres;

static int sfn(void *u, const js_elem *e)
{
    sres *r = u;
    if (e->why) {
        r->refused++;
        return 0;
    }
    if (r->n < 16) {
        snprintf(r->got[r->n], sizeof r->got[0], "%u:%.*s", e->path, (int)e->n, e->s);
        r->outer[r->n] = e->outer;
        snprintf(r->keys[r->n], sizeof r->keys[0], "%s", e->key);
    }
    r->n++;
    return 0;
}

static int split(const char *doc, const char *const *paths, unsigned np, size_t chunk,
                 size_t cap, sres *r, char *err)
{
    memset(r, 0, sizeof *r);
    js_split j = {paths, np, cap, chunk, sfn, r, 0, 0, 0, 0, 0};
    if (!chunk)
        return js_split_mem(&j, doc, strlen(doc), err, 200);
    /* through a pipe-less temp file, read in tiny chunks */
    char path[] = "/tmp/mm-jsplit-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
    lseek(fd, 0, SEEK_SET);
    int rc = js_split_fd(&j, fd, err, 200);
    close(fd);
    return rc;
}

static void test_jsplit(void **st)
{
    (void)st;
    static const char *const p1[] = {"objects[]"};
    static const char *const pm[] = {"response[].Event.Attribute[]", "[].Event.Attribute[]",
                                     "Event.info"};
    static const char *const pany[] = {"*[]"};
    char err[200];
    sres r;
    const char *doc = "\xef\xbb\xbf{\"type\":\"bundle\",\"x\":{\"objects\":[9]},\"objects\":[ {\"a\":\"]}\\\"\"},"
                      "[1,[2]] , \"s\" ,-1.5e3,true,null ],\"z\":[[[[]]]]}";
    for (size_t chunk = 0; chunk <= 7; chunk++) {
        assert_int_equal(split(doc, p1, 1, chunk, 0, &r, err), 0);
        assert_int_equal(r.n, 6);
        assert_string_equal(r.got[0], "0:{\"a\":\"]}\\\"\"}");
        assert_string_equal(r.got[1], "0:[1,[2]]");
        assert_string_equal(r.got[2], "0:\"s\"");
        assert_string_equal(r.got[3], "0:-1.5e3");
        assert_string_equal(r.got[4], "0:true");
        assert_string_equal(r.got[5], "0:null");
        assert_string_equal(r.keys[0], "objects");
    }
    /* events in a response list and in a top-level list */
    assert_int_equal(split("{\"response\":[{\"Event\":{\"info\":\"a\",\"Attribute\":[1,2]}},"
                           "{\"Event\":{\"Attribute\":[3]}}]}", pm, 3, 0, 0, &r, err), 0);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.got[2], "0:3");
    assert_int_equal(r.outer[0], 0);
    assert_int_equal(r.outer[2], 1);
    assert_int_equal(split("[{\"Event\":{\"Attribute\":[1]}},{\"Event\":{\"info\":\"x\"}}]", pm, 3,
                           3, 0, &r, err), 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.got[0], "1:1");
    assert_int_equal(split("{\"Event\":{\"info\":\"i\\\"nf\"}}", pm, 3, 0, 0, &r, err), 0);
    assert_string_equal(r.got[0], "2:\"i\\\"nf\"");
    /* any member: the key is given */
    assert_int_equal(split("{\"123\":[{\"v\":1}],\"q\":\"ok\",\"456\":[{\"v\":2},{\"v\":3}]}", pany,
                           1, 2, 0, &r, err), 0);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.keys[0], "123");
    assert_string_equal(r.keys[2], "456");
    /* the element cap: refused, the rest still read */
    assert_int_equal(split("{\"objects\":[\"0123456789012345678901234567890\",{\"a\":1},"
                           "[\"01234567890123456789012345678901234567\"]]}", p1, 1, 4, 16, &r,
                           err), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.refused, 2);
    /* errors: truncated, not JSON, trailing data, mismatched, empty */
    static const char *const bad[] = {
        "{\"objects\":[{\"a\":1}", "{\"objects\":[\"abc", "<html>", "{\"objects\":[]} x",
        "{\"objects\":[}", "", "   ", "{\"a\" 1}", "{\"objects\":[1,,2]}", "{,}", "[1 2]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        assert_int_equal(split(bad[i], p1, 1, i % 3, 0, &r, err), -1);
        assert_true(err[0] != 0);
    }
    /* hostile depth outside the paths */
    char deep[5000];
    memset(deep, '[', 2500);
    memset(deep + 2500, ']', 2499);
    deep[4999] = 0;
    assert_int_equal(split(deep, p1, 1, 0, 0, &r, err), -1);
    assert_non_null(strstr(err, "too deep"));
}

/* ---- the readers ---- */

typedef struct rres {
    char got[64][320];
    unsigned n;
    char bad[64][320];
    unsigned nbad;
} rres;

static int radd(void *u, const mm_ioc *i)
{
    rres *r = u;
    if (r->n < 64)
        snprintf(r->got[r->n], sizeof r->got[0], "%s:%s|%s|%s|%s|%d|%d", mm_ioc_type_name(i->type),
                 i->value, i->tlp ? i->tlp : "-", i->ref ? i->ref : "-", i->desc ? i->desc : "-",
                 i->confidence, i->to_ids);
    r->n++;
    return 0;
}

static void rbad(void *u, const char *where, const char *why)
{
    rres *r = u;
    if (r->nbad < 64)
        snprintf(r->bad[r->nbad], sizeof r->bad[0], "%s: %s", where, why);
    r->nbad++;
}

typedef int (*reader_fn)(const char *, size_t, const mm_ioc_read_opts *, const mm_ioc_sink *,
                         mm_ioc_read_stats *, char *, size_t);

static char *slurp(const char *name, size_t *n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/ioc/%s", MM_SRCDIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fprintf(stderr, "cannot open %s\n", path);
    assert_non_null(f);
    static char buf[1 << 16];
    *n = fread(buf, 1, sizeof buf - 1, f);
    buf[*n] = 0;
    fclose(f);
    return buf;
}

static bool has(const rres *r, const char *prefix)
{
    for (unsigned i = 0; i < r->n && i < 64; i++)
        if (!strncmp(r->got[i], prefix, strlen(prefix)))
            return true;
    return false;
}

static bool has_bad(const rres *r, const char *part)
{
    for (unsigned i = 0; i < r->nbad && i < 64; i++)
        if (strstr(r->bad[i], part))
            return true;
    return false;
}

static void dump(const rres *r, const mm_ioc_read_stats *s)
{
    for (unsigned i = 0; i < r->n && i < 64; i++)
        fprintf(stderr, "  + %s\n", r->got[i]);
    for (unsigned i = 0; i < r->nbad && i < 64; i++)
        fprintf(stderr, "  ! %s\n", r->bad[i]);
    fprintf(stderr, "  indicators %llu bad %llu skipped %llu expired %llu\n",
            (unsigned long long)s->indicators, (unsigned long long)s->bad,
            (unsigned long long)s->skipped, (unsigned long long)s->expired);
}

static void read_sample(reader_fn fn, const char *name, int64_t now, rres *r,
                        mm_ioc_read_stats *s)
{
    size_t n;
    char *d = slurp(name, &n);
    memset(r, 0, sizeof *r);
    memset(s, 0, sizeof *s);
    mm_ioc_read_opts o = {0};
    o.now_us = now;
    mm_ioc_sink sink = {radd, rbad, r};
    char err[200] = "";
    int rc = fn(d, n, &o, &sink, s, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s: %s\n", name, err);
    assert_int_equal(rc, 0);
    if (getenv("MM_TEST_VERBOSE"))
        dump(r, s);
}

static void test_stix_bundle(void **st)
{
    (void)st;
    rres r;
    mm_ioc_read_stats s;
    /* now: 2026-01-01 */
    read_sample(mm_ioc_read_stix, "stix-bundle.json", 1767225600000000LL, &r, &s);
    assert_true(has(&r, "ipv4:198.51.100.7|amber|indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f|"
                        "C2 server|80|1"));
    assert_true(has(&r, "domain:evil.example.com|amber+strict|"));
    assert_true(has(&r, "cidr:203.0.113.0/24|-|"));
    assert_true(has(&r, "sha256:aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f|"
                        "clear|"));
    assert_true(has(&r, "email:jdoe@example.com|"));
    assert_true(has(&r, "subject:Conference Info|"));
    assert_true(has(&r, "url:http://bad.example.net/gate.php|"));
    assert_true(has(&r, "ipv4:192.0.2.99|-|observed-data--"));
    /* TLP from a marking definition of the bundle itself (not a standard id) */
    assert_true(has(&r, "domain:sco.example.org|amber+strict|domain-name--"));
    assert_true(has(&r, "md5:79054025255fb1a26e4bc422aef54eb4|-|file--"));
    assert_true(has(&r, "filename:invoice.exe|-|file--"));
    assert_true(has_bad(&r, "AND of 2 comparisons: each part kept alone"));
    assert_true(has(&r, "regkey:HKEY_LOCAL_MACHINE\\foo|"));
    assert_true(has_bad(&r, "FOLLOWEDBY"));
    assert_true(has_bad(&r, "pattern_type \"sigma\""));
    assert_true(has_bad(&r, "indicator--0000000b-0000-4000-8000-00000000000b: pattern:"));
    assert_true(has_bad(&r, "revoked"));
    assert_false(has(&r, "ipv4:192.0.2.66"));   /* expired */
    assert_int_equal(s.expired, 1);
    assert_int_equal(s.indicators, 14);
    /* identity, relationship, 2 marking-definitions, malware, sigma, revoked */
    assert_int_equal(s.skipped, 7);
}

static int stop_after_2(void *u, const mm_ioc *i)
{
    (void)i;
    return ++*(int *)u >= 2 ? -1 : 0;
}

static void test_stix_single_and_errors(void **st)
{
    (void)st;
    rres r;
    mm_ioc_read_stats s = {0};
    mm_ioc_sink sink = {radd, rbad, &r};
    char err[200];
    const char *one = "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern_type\":\"stix\","
                      "\"pattern\":\"[domain-name:value = 'one.example.com']\"}";
    memset(&r, 0, sizeof r);
    assert_int_equal(mm_ioc_read_stix(one, strlen(one), NULL, &sink, &s, err, sizeof err), 0);
    assert_int_equal(s.indicators, 1);
    assert_true(has(&r, "domain:one.example.com|-|indicator--1|"));
    const char *list = "[{\"type\":\"domain-name\",\"id\":\"domain-name--1\",\"value\":\"l.example."
                       "com\"}, 5, {\"type\":\"indicator\"}]";
    memset(&r, 0, sizeof r);
    memset(&s, 0, sizeof s);
    assert_int_equal(mm_ioc_read_stix(list, strlen(list), NULL, &sink, &s, err, sizeof err), 0);
    assert_int_equal(s.indicators, 1);
    assert_int_equal(s.bad, 2);
    /* an object without a type is not STIX: said, not skipped silently */
    const char *notype = "{\"Event\":{\"info\":\"x\"}}";
    memset(&s, 0, sizeof s);
    assert_int_equal(mm_ioc_read_stix(notype, strlen(notype), NULL, &sink, &s, err, sizeof err), 0);
    assert_int_equal(s.bad, 1);
    /* the sink stops the read (even with -1): not an error */
    const char *three = "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"id\":\"i"
                        "ndicator--2\",\"pattern\":\"[ipv4-addr:value IN ('192.0.2.1','192.0.2.2','19"
                        "2.0.2.3')]\"},{\"type\":\"url\",\"value\":\"http://a.example/\"}]}";
    int calls = 0;
    mm_ioc_sink stopper = {stop_after_2, rbad, &calls};
    memset(&s, 0, sizeof s);
    assert_int_equal(mm_ioc_read_stix(three, strlen(three), NULL, &stopper, &s, err, sizeof err), 0);
    assert_int_equal(calls, 2);
    static const char *const bad[] = {"", "{\"type\":\"bundle\",\"objects\":[", "42", "nope"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        assert_int_equal(mm_ioc_read_stix(bad[i], strlen(bad[i]), NULL, &sink, &s, err,
                                          sizeof err), -1);
        assert_true(err[0] != 0);
    }
}

static void test_misp(void **st)
{
    (void)st;
    rres r;
    mm_ioc_read_stats s;
    read_sample(mm_ioc_read_misp, "misp-event.json", 0, &r, &s);
    /* event Tag tlp:amber comes after the attributes: the pre-pass finds it */
    assert_true(has(&r, "ipv4:198.51.100.23|amber|5b1a3c6e-1111-4c8e-9d0a-000000000001|"
                        "Phishing campaign (Network activity): C2|-1|1"));
    assert_true(has(&r, "domain:evil.example.com|amber|"));
    assert_true(has(&r, "ipv4:198.51.100.24|amber|"));
    assert_true(has(&r, "email:attacker@example.net|amber|"));
    assert_true(has(&r, "subject:Urgent invoice|amber|"));
    assert_true(has(&r, "filename:invoice.pdf.exe|amber|"));
    assert_true(has(&r, "md5:79054025255fb1a26e4bc422aef54eb4|amber|"));
    assert_true(has(&r, "url:http://evil.example.com/gate.php|red|"));   /* attribute's own Tag */
    assert_true(has(&r, "user-agent:Mozilla/4.0 (compatible; EvilBot)|amber|"));
    assert_true(has(&r, "ja3:e7d705a3286e19ea42f587b344ee6865|amber|"));
    assert_true(has(&r, "sha256:aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f|"
                        "amber|"));   /* from the Object */
    assert_true(has(&r, "domain:ids-off.example.com|amber|") &&
                has(&r, "domain:ids-off.example.com|amber|5b1a3c6e-1111-4c8e-9d0a-00000000000c|"
                        "Phishing campaign (Network activity)|-1|0"));
    assert_true(has_bad(&r, "MISP type \"text\""));
    assert_true(has_bad(&r, "MISP type \"AS\""));
    assert_int_equal(s.indicators, 14);
    assert_int_equal(s.skipped, 4);   /* text, AS, jarm, deleted */

    /* a response list of two events, and a top-level list */
    read_sample(mm_ioc_read_misp, "misp-response.json", 0, &r, &s);
    assert_true(has(&r, "ipv4:192.0.2.1|green|"));
    assert_true(has(&r, "domain:second.example.org|-|"));
    assert_int_equal(s.indicators, 2);
    /* an attribute search (restSearch) answer */
    read_sample(mm_ioc_read_misp, "misp-attributes.json", 0, &r, &s);
    assert_true(has(&r, "ipv4:203.0.113.50|green|5b1a3c6e-5555-4c8e-9d0a-000000000001|"
                        "Searched event (Network activity): beacon|-1|1"));
    assert_true(has(&r, "sha256:aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f|"
                        "-|5b1a3c6e-5555-4c8e-9d0a-000000000002|Searched event (Payload delivery)|"));
    assert_int_equal(s.indicators, 2);
    read_sample(mm_ioc_read_misp, "misp-list.json", 0, &r, &s);
    assert_true(has(&r, "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709|"));
    assert_int_equal(s.indicators, 2);

    /* registry keys: regkey, regkey|value (the key kept, the data not), the
     * hive abbreviated and a hive alone refused */
    static const char rk[] =
        "{\"Event\": {\"info\": \"r\", \"Attribute\": ["
        "{\"uuid\": \"u1\", \"type\": \"regkey\", \"value\": "
        "\"HKLM\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\Updater\"},"
        "{\"uuid\": \"u2\", \"type\": \"regkey|value\", \"value\": "
        "\"HKEY_CURRENT_USER\\\\Software\\\\Evil\\\\|C:\\\\x\\\\evil.exe\"},"
        "{\"uuid\": \"u3\", \"type\": \"regkey\", \"value\": \"HKLM\"}]}}";
    memset(&r, 0, sizeof r);
    memset(&s, 0, sizeof s);
    mm_ioc_sink sink = {radd, rbad, &r};
    char err[200] = "";
    assert_int_equal(mm_ioc_read_misp(rk, strlen(rk), NULL, &sink, &s, err, sizeof err), 0);
    if (getenv("MM_TEST_VERBOSE"))
        dump(&r, &s);
    assert_true(has(&r, "regkey:HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\"
                        "CurrentVersion\\Run\\Updater|"));
    assert_true(has(&r, "regkey:HKEY_CURRENT_USER\\Software\\Evil|"));
    assert_true(has_bad(&r, "hive alone"));
    assert_int_equal(s.indicators, 2);
}

/* Through a pipe, which cannot be read twice: the event's Tag (after the
 * attributes) is not known in time, its info (before) is; a single STIX
 * object, which needs a second read, is an error said in one line. */
static void test_pipe(void **st)
{
    (void)st;
    size_t n;
    char *d = slurp("misp-event.json", &n);
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_true(n < 60000);   /* fits the pipe: written before it is read */
    assert_int_equal(write(p[1], d, n), (ssize_t)n);
    close(p[1]);
    rres r;
    memset(&r, 0, sizeof r);
    mm_ioc_read_stats s = {0};
    mm_ioc_sink sink = {radd, rbad, &r};
    char err[200] = "";
    assert_int_equal(mm_ioc_stream_json(p[0], IOC_FMT_MISP, NULL, &sink, &s, err, sizeof err), 0);
    close(p[0]);
    assert_int_equal(s.indicators, 14);
    assert_true(has(&r, "ipv4:198.51.100.23|-|5b1a3c6e-1111-4c8e-9d0a-000000000001|"
                        "Phishing campaign (Network activity): C2|"));
    assert_true(has(&r, "url:http://evil.example.com/gate.php|red|"));
    const char *one = "{\"type\":\"url\",\"value\":\"http://a.example/\"}";
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], one, strlen(one)), (ssize_t)strlen(one));
    close(p[1]);
    memset(&s, 0, sizeof s);
    assert_int_equal(mm_ioc_stream_json(p[0], IOC_FMT_STIX, NULL, &sink, &s, err, sizeof err), -1);
    close(p[0]);
    assert_non_null(strstr(err, "cannot be rewound"));
}

static void test_threatfox(void **st)
{
    (void)st;
    rres r;
    mm_ioc_read_stats s;
    read_sample(mm_ioc_read_threatfox, "threatfox-export.json", 0, &r, &s);
    assert_true(has(&r, "ipv4:198.51.100.77|-|threatfox:1001|Cobalt Strike (botnet_cc)|75|1"));
    assert_true(has(&r, "domain:c2.example.com|-|threatfox:1002|"));
    assert_true(has(&r, "url:http://dl.example.com/payload.bin|-|threatfox:1003|"));
    assert_true(has(&r, "md5:79054025255fb1a26e4bc422aef54eb4|-|threatfox:1004|"));
    assert_true(has(&r, "sha256:aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f|"));
    assert_true(has_bad(&r, "ioc_type \"sha3_384_hash\""));
    assert_int_equal(s.indicators, 5);
    assert_int_equal(s.skipped, 1);
    read_sample(mm_ioc_read_threatfox, "threatfox-api.json", 0, &r, &s);
    assert_true(has(&r, "domain:gaga.example.com|-|threatfox:41|Dridex (botnet_cc)|50|1"));
    assert_int_equal(s.indicators, 2);
}

/* ---- streaming a large bundle with bounded memory ---- */

static long vm_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static int count_add(void *u, const mm_ioc *i)
{
    (void)i;
    (*(uint64_t *)u)++;
    return 0;
}

static void count_bad(void *u, const char *where, const char *why)
{
    (void)u;
    (void)where;
    (void)why;
}

static void test_stream_large(void **st)
{
    (void)st;
    char path[] = "/tmp/mm-stix-big-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    FILE *f = fdopen(fd, "w+");
    assert_non_null(f);
    fputs("{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[", f);
    uint64_t want = 0;
    long long bytes = 0;
    for (unsigned i = 0; bytes < 50LL << 20; i++) {
        int w = fprintf(f,
                        "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--"
                        "%08x-0000-4000-8000-000000000000\",\"created\":\"2024-01-01T00:00:00Z\","
                        "\"modified\":\"2024-01-01T00:00:00Z\",\"name\":\"bulk %u\","
                        "\"pattern_type\":\"stix\",\"pattern\":\"[ipv4-addr:value = '10.%u.%u.%u'"
                        " OR domain-name:value = 'h%u.example.com']\","
                        "\"valid_from\":\"2024-01-01T00:00:00Z\"}",
                        i ? "," : "", i, i, (i >> 16) & 255, (i >> 8) & 255, i & 255, i);
        assert_true(w > 0);
        bytes += w;
        want += 2;
        if (i == 1000) {
            /* one element of 20 MB: refused whole, never buffered */
            fputs(",{\"type\":\"note\",\"content\":\"", f);
            for (int k = 0; k < 20 * 1024; k++)
                fprintf(f, "%01024d", 0);
            fputs("\"}", f);
            bytes += 20LL << 20;
        }
    }
    fputs("]}", f);
    fflush(f);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    /* reset the peak so that it measures this read */
    FILE *cr = fopen("/proc/self/clear_refs", "w");
    if (cr) {
        fputs("5", cr);
        fclose(cr);
    }
    long before = vm_hwm_kb();
    uint64_t got = 0;
    mm_ioc_sink sink = {count_add, count_bad, &got};
    mm_ioc_read_stats s = {0};
    char err[200] = "";
    int rc = mm_ioc_stream_json(fd, IOC_FMT_STIX, NULL, &sink, &s, err, sizeof err);
    long after = vm_hwm_kb();
    fclose(f);
    if (rc)
        fprintf(stderr, "stream: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(got, want);
    assert_int_equal(s.indicators, want);
    assert_int_equal(s.bad, 1);   /* the 20 MB element */
    fprintf(stderr, "  streamed %llu MB: %llu indicators, VmHWM %ld -> %ld kB\n", bytes >> 20,
            (unsigned long long)want, before, after);
    /* AddressSanitizer keeps freed memory in quarantine: the bound is
     * checked in the plain build only */
#ifndef __SANITIZE_ADDRESS__
    if (before > 0 && after > 0)
        assert_true(after - before < 40 * 1024);
#endif
}

/* A 40 MB MISP response (Tag after the attributes: two passes). */
static void test_stream_misp(void **st)
{
    (void)st;
    char path[] = "/tmp/mm-misp-big-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    FILE *f = fdopen(fd, "w+");
    assert_non_null(f);
    fputs("{\"response\":[", f);
    uint64_t want = 0;
    long long bytes = 0;
    for (unsigned ev = 0; bytes < 40LL << 20; ev++) {
        bytes += fprintf(f, "%s{\"Event\":{\"info\":\"bulk %u\",\"Attribute\":[", ev ? "," : "", ev);
        for (unsigned i = 0; i < 1000; i++, want++)
            bytes += fprintf(f, "%s{\"uuid\":\"a-%u-%u\",\"type\":\"ip-dst\",\"category\":"
                             "\"Network activity\",\"to_ids\":true,\"value\":\"10.%u.%u.%u\"}",
                             i ? "," : "", ev, i, ev & 255, i >> 8, i & 255);
        bytes += fprintf(f, "],\"Tag\":[{\"name\":\"tlp:%s\"}]}}", ev % 2 ? "red" : "green");
    }
    fputs("]}", f);
    fflush(f);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    FILE *cr = fopen("/proc/self/clear_refs", "w");
    if (cr) {
        fputs("5", cr);
        fclose(cr);
    }
    long before = vm_hwm_kb();
    uint64_t got = 0;
    mm_ioc_sink sink = {count_add, count_bad, &got};
    mm_ioc_read_stats s = {0};
    char err[200] = "";
    int rc = mm_ioc_stream_json(fd, IOC_FMT_MISP, NULL, &sink, &s, err, sizeof err);
    long after = vm_hwm_kb();
    fclose(f);
    assert_int_equal(rc, 0);
    assert_int_equal(got, want);
    fprintf(stderr, "  streamed %llu MB of MISP: %llu indicators, VmHWM %ld -> %ld kB\n",
            bytes >> 20, (unsigned long long)want, before, after);
    /* AddressSanitizer keeps freed memory in quarantine: the bound is
     * checked in the plain build only */
#ifndef __SANITIZE_ADDRESS__
    if (before > 0 && after > 0)
        assert_true(after - before < 40 * 1024);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_large),
        cmocka_unit_test(test_stream_misp),
        cmocka_unit_test(test_pattern_spec_examples),
        cmocka_unit_test(test_pattern_ours),
        cmocka_unit_test(test_jsplit),
        cmocka_unit_test(test_stix_bundle),
        cmocka_unit_test(test_stix_single_and_errors),
        cmocka_unit_test(test_misp),
        cmocka_unit_test(test_threatfox),
        cmocka_unit_test(test_pipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
