/* Unit tests: the rule parser (detect/rule_*.c). Expected values follow
 * the Suricata rule-language documentation: what each keyword means and
 * which combinations it refuses. */
#include <stdio.h>

#include "testutil.h"

#include "detect/rule.h"
#include "util/util.h"

static mm_ruleset *rs;

static int setup(void **state)
{
    (void)state;
    rs = mm_ruleset_new();
    return rs ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    mm_ruleset_free(rs);
    return 0;
}

/* Parses one rule; returns its skip reason, or -1 when it loads. */
static int parse(const char *opts, mm_rule *r)
{
    char line[4096], msg[256];
    snprintf(line, sizeof line, "alert tcp any any -> any any (%s)", opts);
    int why = -1;
    if (mm_rule_parse(rs, line, r, &why, msg, sizeof msg))
        return -1;
    assert_true(msg[0] != 0);
    assert_null(strchr(msg, '\n'));
    return why;
}

static int parse_line(const char *line, mm_rule *r)
{
    char msg[256];
    int why = -1;
    return mm_rule_parse(rs, line, r, &why, msg, sizeof msg) ? -1 : why;
}

static bool has(const mm_addrset *s, const char *ip)
{
    mm_ip a;
    assert_true(mm_ip_parse(ip, &a));
    return mm_addrset_has(s, &a);
}

static void test_addresses(void **state)
{
    (void)state;
    char err[160];
    const mm_addrset *home = mm_ruleset_addrset(rs, "$HOME_NET", err, sizeof err);
    assert_non_null(home);
    assert_true(has(home, "192.168.1.10"));
    assert_true(has(home, "10.255.0.1"));
    assert_true(has(home, "fd00::1"));
    assert_false(has(home, "8.8.8.8"));
    const mm_addrset *ext = mm_ruleset_addrset(rs, "$EXTERNAL_NET", err, sizeof err);
    assert_true(has(ext, "8.8.8.8"));
    assert_true(has(ext, "2001:db8::1"));
    assert_false(has(ext, "172.16.5.5"));
    /* interned: the same text gives the same set */
    assert_ptr_equal(home, mm_ruleset_addrset(rs, "$HOME_NET", err, sizeof err));
    const mm_addrset *l = mm_ruleset_addrset(rs, "[1.2.3.0/24,!1.2.3.4, 5.6.7.8]", err,
                                               sizeof err);
    assert_non_null(l);
    assert_true(has(l, "1.2.3.3"));
    assert_false(has(l, "1.2.3.4"));
    assert_true(has(l, "1.2.3.5"));
    assert_true(has(l, "5.6.7.8"));
    assert_false(has(l, "5.6.7.9"));
    const mm_addrset *m = mm_ruleset_addrset(rs, "10.1.0.0/255.255.0.0", err, sizeof err);
    assert_true(has(m, "10.1.200.3"));
    assert_false(has(m, "10.2.0.1"));
    const mm_addrset *n = mm_ruleset_addrset(rs, "![$HOME_NET,8.8.8.8]", err, sizeof err);
    assert_false(has(n, "8.8.8.8"));
    assert_true(has(n, "8.8.4.4"));
    assert_false(has(n, "10.0.0.1"));
    assert_true(mm_ruleset_addrset(rs, "any", err, sizeof err)->any);
    assert_null(mm_ruleset_addrset(rs, "$NO_SUCH_NET", err, sizeof err));
    assert_non_null(strstr(err, "unknown variable"));
    assert_null(mm_ruleset_addrset(rs, "1.2.3.4/33", err, sizeof err));
    assert_null(mm_ruleset_addrset(rs, "[1.2.3.4,!1.2.3.4]", err, sizeof err));
    assert_null(mm_ruleset_addrset(rs, "[1.2.3.4", err, sizeof err));
    /* a variable that names itself does not loop */
    assert_true(mm_ruleset_set_var(rs, "LOOP", "[1.1.1.1]", err, sizeof err));
    char big[64];
    snprintf(big, sizeof big, "$LOOP");
    assert_false(mm_ruleset_set_var(rs, "LOOP", big, err, sizeof err));
}

static void test_ports(void **state)
{
    (void)state;
    char err[160];
    const mm_portset *p = mm_ruleset_portset(rs, "[80,443,8000:8100]", err, sizeof err);
    assert_non_null(p);
    assert_true(mm_portset_has(p, 80));
    assert_true(mm_portset_has(p, 8050));
    assert_false(mm_portset_has(p, 81));
    const mm_portset *n = mm_ruleset_portset(rs, "!80", err, sizeof err);
    assert_false(mm_portset_has(n, 80));
    assert_true(mm_portset_has(n, 8080));
    const mm_portset *lo = mm_ruleset_portset(rs, ":1023", err, sizeof err);
    assert_true(mm_portset_has(lo, 0) && mm_portset_has(lo, 1023) && !mm_portset_has(lo, 1024));
    const mm_portset *hi = mm_ruleset_portset(rs, "1024:", err, sizeof err);
    assert_true(mm_portset_has(hi, 65535) && !mm_portset_has(hi, 1023));
    const mm_portset *fd = mm_ruleset_portset(rs, "$FILE_DATA_PORTS", err, sizeof err);
    assert_true(mm_portset_has(fd, 80) && mm_portset_has(fd, 110) && mm_portset_has(fd, 143));
    assert_null(mm_ruleset_portset(rs, "70000", err, sizeof err));
    assert_null(mm_ruleset_portset(rs, "[80,!80]", err, sizeof err));
    assert_null(mm_ruleset_portset(rs, "9:1", err, sizeof err));
}

static const mm_rbuf *buf_of(const mm_rule *r, int id)
{
    for (int i = 0; i < r->nbuf; i++)
        if (r->buf[i].id == id)
            return &r->buf[i];
    return NULL;
}

static void test_content(void **state)
{
    (void)state;
    mm_rule r;
    assert_int_equal(parse("msg:\"x\"; content:\"a|3b 20|b\\\"c\"; nocase; offset:2; depth:10; "
                           "content:!\"zz\"; distance:-3; within:5; sid:1;", &r), -1);
    assert_int_equal(r.nbuf, 1);
    const mm_rbuf *b = &r.buf[0];
    assert_int_equal(b->id, MM_BUF_PAYLOAD);
    assert_int_equal(b->nsm, 2);
    const mm_content *c = &b->sm[0].u.c;
    assert_int_equal(c->len, 6);
    assert_memory_equal(c->pat, "a; b\"c", 6);
    assert_true(c->flags & MM_CF_NOCASE);
    assert_int_equal(c->offset.v, 2);
    assert_int_equal(c->depth.v, 10);
    c = &b->sm[1].u.c;
    assert_true(c->flags & MM_CF_NEGATED);
    assert_int_equal(c->distance.v, -3);
    assert_int_equal(c->within.v, 5);
    /* what Suricata refuses */
    assert_int_equal(parse("content:\"abc\"; depth:2; sid:2;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("content:\"abc\"; offset:1; distance:1; sid:3;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("content:\"abc\"; startswith; offset:1; sid:4;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("content:\"a|4\"; sid:5;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("content:\"\"; sid:6;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("content:abc; sid:7;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("nocase; content:\"a\"; sid:8;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("content:\"a\"; fast_pattern; content:\"b\"; fast_pattern; sid:9;", &r),
                     MM_SKIP_VALUE);
    assert_int_equal(parse("content:\"abcdef\"; fast_pattern:2,3; sid:10;", &r), -1);
    c = &r.buf[0].sm[0].u.c;
    assert_true(c->flags & MM_CF_FAST_CHOP);
    assert_int_equal(c->fp_off, 2);
    assert_int_equal(c->fp_len, 3);
    assert_int_equal(parse("content:\"abc\"; fast_pattern:2,3; sid:11;", &r), MM_SKIP_VALUE);
}

static void test_buffers(void **state)
{
    (void)state;
    mm_rule r;
    /* old modifier moves the content before it; later contents stay on the payload */
    assert_int_equal(parse("content:\"GET\"; http_method; content:\"/x.php\"; nocase; http_uri; "
                           "content:\"raw\"; sid:20;", &r), -1);
    assert_int_equal(r.nbuf, 3);
    assert_non_null(buf_of(&r, MM_BUF_HTTP_METHOD));
    const mm_rbuf *u = buf_of(&r, MM_BUF_HTTP_URI);
    assert_non_null(u);
    assert_true(u->sm[0].u.c.flags & MM_CF_NOCASE);
    assert_int_equal(buf_of(&r, MM_BUF_PAYLOAD)->nsm, 1);
    /* sticky buffer, transform, and a transform half-way making a second list */
    assert_int_equal(parse("dns.query; content:\"rs-\"; startswith; dotprefix; "
                           "content:\".rustdesk.com\"; endswith; sid:21;", &r), -1);
    assert_int_equal(r.nbuf, 2);
    assert_int_equal(r.buf[0].id, MM_BUF_DNS_QUERY);
    assert_int_equal(r.buf[0].ntr, 0);
    assert_int_equal(r.buf[1].id, MM_BUF_DNS_QUERY);
    assert_int_equal(r.buf[1].ntr, 1);
    assert_int_equal(r.buf[1].tr[0], MM_TR_DOTPREFIX);
    assert_true(r.buf[1].sm[0].u.c.flags & MM_CF_ENDSWITH);
    /* old sticky spellings */
    assert_int_equal(parse("http.stat_code; content:\"200\"; http.uri; content:\"/a\"; sid:22;",
                           &r), MM_SKIP_VALUE);   /* response and request buffers together */
    assert_int_equal(parse("tls_sni; content:\"a.b\"; ja3_hash; content:\"e7d7\"; sid:23;", &r), -1);
    assert_non_null(buf_of(&r, MM_BUF_TLS_SNI));
    assert_non_null(buf_of(&r, MM_BUF_JA3_HASH));
    assert_int_equal(parse("uricontent:\"/a\"; content:\"b\"; sid:24;", &r), -1);
    assert_non_null(buf_of(&r, MM_BUF_HTTP_URI));
    assert_non_null(buf_of(&r, MM_BUF_PAYLOAD));
    assert_int_equal(parse("http.uri; content:\"a\"; http_header; sid:25;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("dotprefix; content:\"a\"; sid:26;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("bsize:10; sid:27;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("http.host; bsize:<20; content:\"x\"; sid:28;", &r), -1);
    assert_int_equal(buf_of(&r, MM_BUF_HTTP_HOST)->sm[0].u.size.op, MM_CMP_LT);
    assert_int_equal(parse("flow:to_server; http.stat_code; content:\"200\"; sid:29;", &r),
                     MM_SKIP_VALUE);
    /* value form of the old TLS keywords */
    assert_int_equal(parse("tls.fingerprint:\"47:46:41\"; sid:30;", &r), -1);
    const mm_rbuf *fp = buf_of(&r, MM_BUF_TLS_CERT_FINGERPRINT);
    assert_non_null(fp);
    assert_true((fp->sm[0].u.c.flags & (MM_CF_STARTSWITH | MM_CF_ENDSWITH)) ==
                (MM_CF_STARTSWITH | MM_CF_ENDSWITH));
}

static void test_pcre_and_bytes(void **state)
{
    (void)state;
    mm_rule r;
    assert_int_equal(parse("content:\"a\"; pcre:\"/^b\\x3b[0-9]+/Ri\"; sid:40;", &r), -1);
    assert_int_equal(r.buf[0].sm[1].type, MM_SM_PCRE);
    assert_true(r.buf[0].sm[1].u.p.flags & MM_PF_RELATIVE);
    assert_int_equal(parse("pcre:\"/\\/x\\.php$/U\"; content:\"z\"; sid:41;", &r), -1);
    assert_non_null(buf_of(&r, MM_BUF_HTTP_URI));
    assert_int_equal(buf_of(&r, MM_BUF_PAYLOAD)->nsm, 1);   /* U applies to the pcre only */
    assert_int_equal(parse("pcre:\"/(unclosed/\"; sid:42;", &r), MM_SKIP_PCRE);
    assert_int_equal(parse("pcre:\"/a/J\"; sid:43;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("byte_extract:2,0,len,relative; byte_test:2,>,len,0,relative; "
                           "byte_jump:4,0,relative,little,multiplier 2,post_offset -1; "
                           "isdataat:!len,relative; sid:44;", &r), -1);
    const mm_rbuf *b = &r.buf[0];
    assert_int_equal(b->nsm, 4);
    assert_int_equal(b->sm[1].u.b.value.var, 0);
    assert_int_equal(b->sm[2].u.b.multiplier, 2);
    assert_int_equal(b->sm[2].u.b.post_offset, -1);
    assert_true(b->sm[2].u.b.flags & MM_BF_LITTLE);
    assert_int_equal(b->sm[3].u.isdataat.at.var, 0);
    assert_true(b->sm[3].u.isdataat.negated);
    assert_int_equal(parse("byte_test:0,>,450,0,string,dec; sid:45;", &r), -1);
    assert_int_equal(parse("byte_test:9,=,1,0; sid:46;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("byte_test:4,=,1,0,hex; sid:47;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("byte_test:4,=,nosuchvar,0; sid:48;", &r), MM_SKIP_VALUE);
}

static void test_state_and_meta(void **state)
{
    (void)state;
    mm_rule r;
    assert_int_equal(parse("msg:\"m\\;x\"; flow:established,to_server; flowbits:set,a.b; "
                           "flowbits:isset,c|d; flowbits:noalert; threshold: type both, track "
                           "by_src, count 20, seconds 360; dsize:10<>20; flags:S,12; "
                           "classtype:trojan-activity; reference:url,example.com; "
                           "metadata:former_category MALWARE; metadata:tag x; sid:60; rev:3;", &r),
                     -1);
    assert_string_equal(r.msg, "m;x");
    assert_int_equal(r.flow, MM_FLOW_ESTABLISHED | MM_FLOW_TO_SERVER);
    assert_int_equal(r.nbitops, 2);
    assert_int_equal(r.bitops[1].cmd, MM_BIT_ISSET);
    assert_int_equal(r.bitops[1].nbits, 2);
    assert_true(r.bitops[1].any);
    assert_true(r.noalert);
    assert_int_equal(r.threshold.type, MM_THR_BOTH);
    assert_int_equal(r.threshold.count, 20);
    assert_int_equal(r.threshold.seconds, 360);
    assert_int_equal(r.dsize.op, MM_CMP_RANGE);
    assert_true(mm_cmp_eval(&r.dsize, 15) && !mm_cmp_eval(&r.dsize, 20));
    assert_int_equal(r.tcp_flags, 0x02);
    assert_int_equal(r.tcp_flags_mask, 0x3F);     /* CWR and ECE ignored */
    assert_int_equal(r.priority, 1);
    assert_string_equal(mm_ruleset_class_name(rs, r.classtype), "trojan-activity");
    assert_string_equal(r.metadata, "former_category MALWARE, tag x");
    assert_int_equal(r.nrefs, 1);
    assert_int_equal(r.rev, 3);
    assert_int_equal(r.gid, 1);
    assert_int_equal(parse("flow:to_server,to_client; sid:61;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("classtype:no-such-class; sid:62;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("threshold: type limit, track by_src, count 1; sid:63;", &r),
                     MM_SKIP_VALUE);
    assert_int_equal(parse("flowbits:set,a|b; sid:64;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("msg:\"no sid\";", &r), MM_SKIP_SYNTAX);
    assert_int_equal(parse("sid:65; frobnicate:1;", &r), MM_SKIP_KEYWORD);
    assert_int_equal(parse("sid:66; asn1:oversize_length 100;", &r), MM_SKIP_KEYWORD);
    assert_int_equal(parse_line("alert dcerpc any any -> any any (sid:67;)", &r),
                     MM_SKIP_PROTOCOL);
    assert_int_equal(parse_line("frob tcp any any -> any any (sid:68;)", &r), MM_SKIP_ACTION);
    assert_int_equal(parse_line("alert tcp any any <- any any (sid:69;)", &r), MM_SKIP_SYNTAX);
    assert_int_equal(parse_line("alert tcp $NOPE any -> any any (sid:70;)", &r),
                     MM_SKIP_VARIABLE);
    assert_int_equal(parse_line("alert http any any <> [10.0.0.0/8, !10.1.0.0/16] "
                                "$HTTP_PORTS (sid:71;)", &r), -1);
    assert_int_equal(r.proto, MM_RP_HTTP);
    assert_true(r.bidir);
}

static void test_files(void **state)
{
    (void)state;
    mm_ruleset *s = mm_ruleset_new();
    assert_non_null(s);
    static const char text[] =
        "# a comment, and a commented-out rule:\n"
        "# alert tcp any any -> any any (sid:1;)\n"
        "\n"
        "alert tcp any any -> any any (msg:\"one\"; \\\n"
        "   content:\"x\"; sid:2;)\n"
        "alert tcp any any -> any any (msg:\"dup\"; sid:2;)\n"
        "alert tcp any any -> any any (msg:\"bad\"; nonsense; sid:3;)\r\n"
        "alert udp any any -> any 53 (msg:\"three\"; sid:4; rev:1;)";
    mm_ruleset_parse(s, "mem", text, sizeof text - 1);
    const mm_rules_summary *sum = mm_ruleset_summary(s);
    assert_int_equal(sum->rules, 4);
    assert_int_equal(sum->loaded, 2);
    assert_int_equal(sum->skipped, 2);
    assert_int_equal(sum->by_reason[MM_SKIP_DUPLICATE], 1);
    assert_int_equal(sum->by_reason[MM_SKIP_KEYWORD], 1);
    assert_string_equal(mm_ruleset_rule(s, 0)->msg, "one");
    assert_int_equal(mm_ruleset_rule(s, 1)->sid, 4);
    mm_ruleset_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_content),
        cmocka_unit_test(test_buffers),
        cmocka_unit_test(test_pcre_and_bytes),
        cmocka_unit_test(test_state_and_meta),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
