/* Unit tests: the rule parser (rules/rule_*.c). Expected values follow
 * the Suricata rule-language documentation: what each keyword means and
 * which combinations it refuses. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

#include "rules/rule.h"
#include "rules/rule_match.h"
#include "rules/rule_ftp.h"
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

/* pcre groups into variables: "flow:NAME"/"pkt:NAME" after the flags (a
 * name may hold '/'), groups named flow_NAME; what a match captured is
 * kept, what a failed later option led to is not. */
static void test_pcre_vars(void **state)
{
    (void)state;
    mm_rule r;
    assert_int_equal(parse("pcre:\"/^(.*)\\/(\\d+\\.\\d+)/G, flow:key,pkt:ua/ver\"; sid:70;", &r), -1);
    const mm_pcre *pc = &r.buf[0].sm[0].u.p;
    assert_int_equal(pc->ncv, 2);
    assert_int_equal(pc->cv[0].kind, MM_VAR_FLOW);
    assert_int_equal(pc->cv[1].kind, MM_VAR_PKT);
    assert_int_equal(pc->cv[1].group, 2);
    assert_string_equal(mm_ruleset_var_name(rs, pc->cv[1].id), "ua/ver");
    assert_int_equal(parse("pcre:\"/(a)/, flow:x,flow:y\"; sid:71;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("pcre:\"/(a)/, other:x\"; sid:72;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("pcre:\"/x(?P<flow_name>[a-z]+)/\"; content:\"!\"; within:1; sid:73;",
                           &r), -1);
    mm_matcher *m = mm_matcher_new();
    assert_non_null(m);
    int n;
    mm_matcher_reset(m);
    assert_true(mm_rbuf_match(m, &r.buf[0], (const uint8_t *)"xabc xdef!", 10));
    const mm_capture *c = mm_matcher_captures(m, &n);
    assert_int_equal(n, 1);             /* "abc" was followed by no '!' */
    assert_int_equal(c[0].len, 3);
    assert_memory_equal(c[0].data, "def", 3);
    assert_string_equal(mm_ruleset_var_name(rs, c[0].id), "name");
    mm_matcher_reset(m);
    assert_false(mm_rbuf_match(m, &r.buf[0], (const uint8_t *)"xabc", 4));
    mm_matcher_captures(m, &n);
    assert_int_equal(n, 0);
    mm_matcher_free(m);
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
    assert_int_equal(parse("byte_math:bytes 4, offset 0, oper +, rvalue 1; sid:46;", &r),
                     MM_SKIP_VALUE);                 /* no result */
    assert_int_equal(parse("byte_math:bytes 5, offset 0, oper <<, rvalue 1, result x; "
                           "sid:47;", &r), MM_SKIP_VALUE);     /* 1-4 bytes with a shift */
    assert_int_equal(parse("byte_math:bytes 2, offset 0, oper &, rvalue 1, result x; "
                           "sid:48;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("byte_math:bytes 2, offset 0, oper +, rvalue 1, result x, "
                           "bitmask zz; sid:49;", &r), MM_SKIP_VALUE);
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
    assert_int_equal(parse("sid:66; sameip;", &r), MM_SKIP_KEYWORD);
    assert_int_equal(parse_line("alert mqtt any any -> any any (sid:67;)", &r),
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

/* The file keywords. Digests are RFC 1321's and FIPS 180's test vectors
 * for "abc"; the list is read beside the rule file, as Suricata reads it
 * from its rule path. */
static void test_file_keywords(void **state)
{
    (void)state;
    char dir[] = "/tmp/mm-rules-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], list[256];
    snprintf(list, sizeof list, "%s/md5.list", dir);
    FILE *fp = fopen(list, "w");
    assert_non_null(fp);
    fputs("# known bad\n900150983CD24FB0D6963F7D28E17F72\n\n"
          "d41d8cd98f00b204e9800998ecf8427e  empty\n", fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/t.rules", dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("alert http any any -> any any (filemd5:md5.list; sid:1;)\n"
          "alert http any any -> any any (filemd5:!md5.list; filesize:>2; sid:2;)\n"
          "alert http any any -> any any (filemd5:missing.list; sid:3;)\n"
          "alert http any any -> any any (filestore; fileext:\"PDF\"; sid:4;)\n"
          "alert http any any -> any any (filename:!\"a.exe\"; filesize:10<>20; sid:5;)\n"
          "alert http any any -> any any (filesha1:md5.list; sid:6;)\n", fp);
    fclose(fp);
    mm_ruleset *s = mm_ruleset_new();
    char err[160];
    assert_true(mm_ruleset_load(s, path, err, sizeof err));
    assert_int_equal(mm_ruleset_summary(s)->loaded, 4);
    assert_int_equal(mm_ruleset_summary(s)->by_reason[MM_SKIP_VALUE], 2);  /* 3: no file, 6: not SHA-1 */
    static const uint8_t md5_abc[16] = {0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
                                        0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};
    static const uint8_t md5_x[16] = {1};
    mm_insp_file abc = {3, true, md5_abc, NULL, NULL}, other = {3, true, md5_x, NULL, NULL},
                 cut = {3, false, NULL, NULL, NULL};
    const mm_rule *r1 = mm_ruleset_rule(s, 0), *r2 = mm_ruleset_rule(s, 1);
    assert_int_equal(r1->file->nhash, 2);
    assert_true(mm_rfile_match(r1->file, &abc));
    assert_false(mm_rfile_match(r1->file, &other));
    assert_false(mm_rfile_match(r1->file, &cut));          /* no digest of a cut file */
    assert_false(mm_rfile_match(r1->file, NULL));          /* no file at all */
    assert_false(mm_rfile_match(r2->file, &abc));
    assert_true(mm_rfile_match(r2->file, &other));
    other.size = 2;
    assert_false(mm_rfile_match(r2->file, &other));        /* filesize:>2 */
    /* fileext: file.name ends in ".pdf", any case; filename: contains, negated */
    const mm_rule *r4 = mm_ruleset_rule(s, 2);
    assert_true(r4->file->store);
    assert_int_equal(r4->buf[0].id, MM_BUF_FILE_NAME);
    const mm_content *c = &r4->buf[0].sm[0].u.c;
    assert_memory_equal(c->pat, ".PDF", 4);
    assert_true(c->flags & MM_CF_ENDSWITH && c->flags & MM_CF_NOCASE);
    const mm_rule *r5 = mm_ruleset_rule(s, 3);
    assert_true(r5->buf[0].sm[0].u.c.flags & MM_CF_NEGATED);
    assert_int_equal(r5->file->size.op, MM_CMP_RANGE);
    mm_ruleset_free(s);
    unlink(list);
    unlink(path);
    rmdir(dir);
}

/* Does the rule (its options) match data in buffer id? */
static bool m(const char *opts, int id, const void *data, size_t n)
{
    mm_rule r;
    char o[1024];
    snprintf(o, sizeof o, "%s sid:900;", opts);
    int why = parse(o, &r);
    if (why != -1)
        fail_msg("rule does not load: %s (%d)", opts, why);
    mm_matcher *mt = mm_matcher_new();
    assert_non_null(mt);
    mm_matcher_reset(mt);
    bool ok = true;
    for (int i = 0; i < r.nbuf; i++)      /* base64_data is judged after the payload */
        if (r.buf[i].id == id || r.buf[i].id == MM_BUF_BASE64_DATA)
            ok = ok && mm_rbuf_match(mt, &r.buf[i], data, (uint32_t)n);
    mm_matcher_free(mt);
    return ok;
}
#define P(opts, s) m(opts, MM_BUF_PAYLOAD, s, sizeof s - 1)

static void test_match_content(void **state)
{
    (void)state;
    /* depth counts from offset */
    assert_true(P("content:\"abc\"; offset:3; depth:3;", "xyzabc"));
    assert_false(P("content:\"abc\"; offset:3; depth:3;", "xyzzabc"));
    assert_false(P("content:\"abc\"; offset:3;", "xabc"));
    /* distance and within from the end of the previous match */
    assert_true(P("content:\"one\"; content:\"two\"; distance:1;", "one two"));
    assert_false(P("content:\"one\"; content:\"two\"; distance:1;", "onetwo"));
    assert_true(P("content:\"one\"; content:\"two\"; within:5;", "one  two"));
    assert_false(P("content:\"one\"; content:\"two\"; within:5;", "one    two"));
    assert_true(P("content:\"one\"; content:\"two\"; distance:2; within:3;", "one  two"));
    assert_false(P("content:\"one\"; content:\"two\"; distance:2; within:3;", "one   two"));
    assert_true(P("content:\"abcd\"; content:\"cd\"; distance:-2; within:2;", "abcd"));
    /* a later relative match that fails makes the first one look again */
    assert_true(P("content:\"a\"; content:\"b\"; within:1;", "aXab"));
    assert_false(P("content:\"a\"; content:\"b\"; within:1;", "aXaXb"));
    /* negation, case, anchors */
    assert_true(P("content:\"GET\"; content:!\"Host\";", "GET / HTTP/1.0"));
    assert_false(P("content:\"GET\"; content:!\"Host\";", "GET / Host: x"));
    assert_true(P("content:\"host\"; nocase;", "HoSt"));
    assert_false(P("content:\"host\";", "HoSt"));
    assert_true(P("content:\"GET\"; startswith;", "GET /"));
    assert_false(P("content:\"GET\"; startswith;", " GET /"));
    assert_true(P("content:\".exe\"; endswith;", "/a.exe"));
    assert_false(P("content:\".exe\"; endswith;", "/a.exe?x"));
    assert_true(P("content:\"|00 01|A\";", "\x00\x01" "A"));
    assert_true(P("content:\"abc\"; isdataat:!1,relative;", "xxabc"));
    assert_false(P("content:\"abc\"; isdataat:!1,relative;", "xxabcd"));
    assert_true(P("isdataat:5;", "123456"));
    assert_false(P("isdataat:6;", "123456"));
}

static void test_match_other(void **state)
{
    (void)state;
    mm_rule r2;
    /* the byte count from a byte_extract variable (Suricata 7): 2 bytes
     * read at 1 are 0x0005; a count of 9 is no binary read at all */
    assert_true(P("byte_extract:1,0,n; byte_test:n,=,5,1;", "\x02\x00\x05"));
    assert_false(P("byte_extract:1,0,n; byte_test:n,=,5,1;", "\x01\x00\x05"));
    assert_false(P("byte_extract:1,0,n; byte_test:n,=,5,1;", "\x09\x00\x05\x00\x00\x00\x00\x00\x00\x00"));
    /* byte_math: 0x22 << 2 = 0x88; the result masked and shifted down by
     * the mask's zero bits; the cursor after the bytes read; no division
     * by zero; an rvalue from a variable */
    assert_true(P("byte_math:bytes 1, offset 1, oper <<, rvalue 2, result r; "
                  "byte_test:1,=,r,2;", "\x00\x22\x88"));
    assert_false(P("byte_math:bytes 1, offset 1, oper <<, rvalue 2, result r; "
                   "byte_test:1,=,r,2;", "\x00\x21\x88"));
    assert_true(P("byte_math:bytes 2, offset 0, oper +, rvalue 1, result r, bitmask 0x0f00; "
                  "byte_test:1,=,r,2;", "\x03\xff\x04"));
    assert_true(P("byte_math:bytes 1, offset 0, oper -, rvalue 1, result r, relative; "
                  "content:\"x\"; within:1;", "\x05x"));
    assert_false(P("byte_math:bytes 1, offset 0, oper /, rvalue 0, result r;", "\x05"));
    assert_true(P("byte_extract:1,0,k; byte_math:bytes 1, offset 1, oper *, rvalue k, "
                  "result r; byte_test:1,=,r,2;", "\x03\x04\x0c"));
    assert_true(P("byte_math:bytes 3, offset 0, oper +, rvalue 1, result r, string dec; "
                  "byte_test:1,=,r,3;", "099d"));
    assert_true(P("byte_test:2,>,1000,0;", "\x04\x00"));
    assert_false(P("byte_test:2,>,1000,0;", "\x00\x04"));
    assert_true(P("byte_test:2,=,1024,0,little;", "\x00\x04"));
    assert_true(P("byte_test:2,!=,7,0;", "\x00\x08"));
    assert_true(P("byte_test:1,&,0x80,0;", "\x81"));
    assert_true(P("byte_test:0,>,450,0,string,dec;", "500 OK"));
    assert_false(P("byte_test:0,>,450,0,string,dec;", "400 OK"));
    assert_true(P("byte_test:3,=,255,0,string,hex;", "0ffZ"));
    assert_true(P("content:\"len=\"; byte_test:2,<,50,0,relative,string,dec;", "xlen=42"));
    assert_true(P("byte_jump:1,0; content:\"X\"; within:1;", "\x02" "abX"));
    assert_false(P("byte_jump:1,0; content:\"X\"; within:1;", "\x01" "abX"));
    assert_false(P("byte_jump:1,0;", "\x09" "ab"));
    assert_true(P("byte_extract:1,0,len; content:\"Z\"; distance:len; within:1;", "\x02" "abZ"));
    assert_false(P("byte_extract:1,0,len; content:\"Z\"; distance:len; within:1;", "\x01" "abZ"));
    assert_true(P("content:\"id=\"; pcre:\"/^\\d+&/R\";", "id=123&"));
    assert_false(P("content:\"id=\"; pcre:\"/^\\d+&/R\";", "id=x123&"));
    assert_true(P("pcre:!\"/evil/i\";", "good"));
    assert_false(P("pcre:!\"/evil/i\";", "EVIL"));
    assert_true(P("base64_decode:relative; base64_data; content:\"hello\";", "aGVsbG8gd29ybGQ="));
    assert_false(P("base64_decode; base64_data; content:\"bye\";", "aGVsbG8gd29ybGQ="));
    /* buffers, sizes and transforms */
    assert_true(m("dns.query; dotprefix; content:\".evil.com\"; endswith;", MM_BUF_DNS_QUERY,
                  "a.evil.com", 10));
    assert_true(m("dns.query; dotprefix; content:\".evil.com\"; endswith;", MM_BUF_DNS_QUERY,
                  "evil.com", 8));
    assert_false(m("dns.query; dotprefix; content:\".evil.com\"; endswith;", MM_BUF_DNS_QUERY,
                   "notevil.com", 11));
    assert_true(m("http.host; bsize:3;", MM_BUF_HTTP_HOST, "abc", 3));
    assert_false(m("http.host; bsize:>3;", MM_BUF_HTTP_HOST, "abc", 3));
    assert_true(m("urilen:<5;", MM_BUF_HTTP_URI, "/abc", 4));
    /* the digest's bytes, as Suricata's (ikev1-transforms writes
     * to_md5; content:"|c425...|"); MD5("abc") from RFC 1321 */
    assert_true(m("http.uri; to_md5; content:\"|900150983cd24fb0d6963f7d28e17f72|\";",
                  MM_BUF_HTTP_URI, "abc", 3));
    assert_true(m("http.header; to_lowercase; compress_whitespace; content:\"x-a: b\";",
                  MM_BUF_HTTP_HEADER, "X-A:    b", 9));
    assert_true(m("http.uri; url_decode; content:\"/a b\";", MM_BUF_HTTP_URI, "/a%20b", 6));
    /* pcrexform keeps the first group where it matches, the buffer as it
     * is where not; xor repeats its key; two expressions, two buffers */
    assert_true(m("http.request_line; pcrexform:\"[a-zA-Z]+\\s+(.*)\\s+HTTP\"; "
                  "content:\"/z.jpg\"; startswith; endswith;",
                  MM_BUF_HTTP_REQUEST_LINE, "GET /z.jpg HTTP/1.1", 19));
    assert_true(m("http.request_line; pcrexform:\"^POST (.*)\"; content:\"GET /\"; startswith;",
                  MM_BUF_HTTP_REQUEST_LINE, "GET /z.jpg HTTP/1.1", 19));
    assert_true(m("http.uri; xor:\"0102\"; content:\"|60 60 60|\";", MM_BUF_HTTP_URI,
                  "aba", 3));
    assert_false(m("http.uri; xor:\"0102\"; content:\"|60 60 60|\";", MM_BUF_HTTP_URI,
                   "abb", 3));
    assert_int_equal(parse("http.uri; pcrexform:\"abc\"; content:\"a\"; sid:60;", &r2),
                     MM_SKIP_VALUE);                 /* no group */
    assert_int_equal(parse("http.uri; xor:\"0g\"; content:\"a\"; sid:61;", &r2), MM_SKIP_VALUE);
    assert_int_equal(parse("http.uri; pcrexform:\"(a)\"; content:\"a\"; http.uri; "
                           "pcrexform:\"(b)\"; content:\"b\"; sid:62;", &r2), -1);
    assert_int_equal(r2.nbuf, 2);
    /* integer fields in Suricata 7's unsigned syntax: a range excludes
     * both ends ("A-B" and "A<>B"), "!N" and "!=N" are not-equal; a range
     * with nothing inside and comparisons that can never hold are refused */
    assert_true(m("tls.cert_chain_len:3;", MM_BUF_TLS_CERT_CHAIN_LEN, "\0\0\0\3", 4));
    assert_true(m("tls.cert_chain_len:0<>4;", MM_BUF_TLS_CERT_CHAIN_LEN, "\0\0\0\3", 4));
    assert_false(m("tls.cert_chain_len:0<>3;", MM_BUF_TLS_CERT_CHAIN_LEN, "\0\0\0\3", 4));
    assert_false(m("tcp.mss:123-456;", MM_BUF_TCP_MSS, "\x01\xc8", 2));        /* 456 */
    assert_true(m("tcp.mss:123-457;", MM_BUF_TCP_MSS, "\x01\xc8", 2));
    assert_false(m("tcp.mss:123-456;", MM_BUF_TCP_MSS, "\x00\x7b", 2));        /* 123 */
    assert_true(m("tcp.mss:!=953;", MM_BUF_TCP_MSS, "\x03\xb8", 2));           /* 952 */
    assert_false(m("tcp.mss:!953;", MM_BUF_TCP_MSS, "\x03\xb9", 2));
    assert_true(m("tcp.mss:>=439;", MM_BUF_TCP_MSS, "\x01\xb7", 2));           /* 439 */
    assert_true(m("tls.cert_chain_len:!2;", MM_BUF_TLS_CERT_CHAIN_LEN, "\0\0\0\3", 4));
    assert_true(m("icmpv6.mtu:<1280;", MM_BUF_ICMPV6_MTU, "\0\0\x04\xb0", 4));     /* 1200 */
    assert_false(m("icmpv6.mtu:<1280;", MM_BUF_ICMPV6_MTU, "\0\0\x05\x00", 4));    /* 1280 */
    assert_int_equal(parse("tcp.mss:5-6; sid:63;", &r2), MM_SKIP_VALUE);
    assert_int_equal(parse("tcp.mss:<0; sid:64;", &r2), MM_SKIP_VALUE);
    assert_int_equal(parse("tcp.mss:>65535; sid:65;", &r2), MM_SKIP_VALUE);
    assert_int_equal(parse("tcp.mss:!<5; sid:66;", &r2), MM_SKIP_VALUE);
    /* a pathological pattern ends within the budget, without a match */
    static char many[4000];
    memset(many, 'a', sizeof many);
    assert_false(m("content:\"a\"; content:\"a\"; distance:0; content:\"b\"; distance:0;",
                   MM_BUF_PAYLOAD, many, sizeof many));
}

/* requires, as Suricata's documentation describes it; we answer as 7.0.0 */
/* asn1: X.690's own example (Annex A.3, the personnel record: an
 * [APPLICATION 0] of 133 content octets holding SETs and strings), a BIT
 * STRING claiming more unused bits than it has, a decimal REAL past 256
 * octets, and what ends the decoding. */
static void test_asn1(void **state)
{
    (void)state;
    static const uint8_t a3[] =
        "\x60\x81\x85\x61\x10\x1a\x04John\x1a\x01P\x1a\x05Smith\xa0\x0a\x1a\x08" "Director"
        "\x42\x01\x33\xa1\x0a\x43\x08" "19710917"
        "\xa2\x12\x61\x10\x1a\x04Mary\x1a\x01T\x1a\x05Smith"
        "\xa3\x42\x31\x1f\x61\x11\x1a\x05Ralph\x1a\x01T\x1a\x05Smith\xa0\x0a\x43\x08" "19571111"
        "\x31\x1f\x61\x11\x1a\x05Susan\x1a\x01" "B\x1a\x05Jones\xa0\x0a\x43\x08" "19590717";
    assert_int_equal(sizeof a3 - 1, 136);   /* 3 header octets + 133 */
    assert_true(m("asn1:oversize_length 132, absolute_offset 0;", MM_BUF_PAYLOAD, a3, sizeof a3 - 1));
    assert_false(m("asn1:oversize_length 133;", MM_BUF_PAYLOAD, a3, sizeof a3 - 1));
    /* from its first inner object on: the longest there is the 66-octet [3] */
    assert_true(m("asn1:oversize_length 65, absolute_offset 3;", MM_BUF_PAYLOAD, a3, sizeof a3 - 1));
    assert_false(m("asn1:oversize_length 66, absolute_offset 3;", MM_BUF_PAYLOAD, a3, sizeof a3 - 1));
    /* cut short, the record is not decoded: nothing to check */
    assert_false(m("asn1:oversize_length 10;", MM_BUF_PAYLOAD, a3, sizeof a3 - 2));
    assert_true(P("asn1:bitstring_overflow;", "\x03\x01\xff"));
    assert_false(P("asn1:bitstring_overflow;", "\x03\x01\x07"));
    /* after a content: relative to the cursor */
    assert_true(P("content:\"XY\"; asn1:bitstring_overflow, relative_offset 1;", "XY.\x03\x01\xff"));
    assert_false(P("content:\"XY\"; asn1:bitstring_overflow, relative_offset 0;", "XY.\x03\x01\xff"));
    uint8_t real[4 + 257];
    memset(real, 0x05, sizeof real);
    memcpy(real, "\x09\x82\x01\x01", 4);
    assert_true(m("asn1:double_overflow;", MM_BUF_PAYLOAD, real, sizeof real));
    real[3] = 0x00;             /* 256 octets: not over */
    assert_false(m("asn1:double_overflow;", MM_BUF_PAYLOAD, real, sizeof real - 1));
    real[3] = 0x01;
    real[4] = 0x40;             /* binary form (bits 8-7 not 00): not the decimal case */
    assert_false(m("asn1:double_overflow;", MM_BUF_PAYLOAD, real, sizeof real));
    /* indefinite length: the SEQUENCE ends at its end-of-contents octets */
    assert_true(P("asn1:bitstring_overflow;", "\x30\x80\x02\x01\x01\x03\x01\xff\x00\x00"));
    assert_false(P("asn1:bitstring_overflow;", "\x30\x80\x02\x01\x01\x03\x01\xff"));
    /* more than 30 objects in a row: Suricata decodes none */
    uint8_t many[2 * 31 + 3];
    for (int i = 0; i < 31; i++)
        memcpy(many + 2 * i, "\x05\x00", 2);
    memcpy(many + 62, "\x03\x01\xff", 3);
    assert_false(m("asn1:bitstring_overflow;", MM_BUF_PAYLOAD, many, sizeof many));
    assert_true(m("asn1:bitstring_overflow;", MM_BUF_PAYLOAD, many + 4, sizeof many - 4));
    mm_rule r;
    assert_int_equal(parse("asn1:frob; sid:1;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("asn1:absolute_offset 1; sid:1;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("asn1:oversize_length -1; sid:1;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("asn1:oversize_length 1, absolute_offset 0, relative_offset 0; sid:1;", &r),
                     MM_SKIP_VALUE);
}

/* ftpbounce: a PORT naming another host than the client, as RFC 2577's
 * bounce; its own address, or another command, is not one. */
static void test_ftpbounce(void **state)
{
    (void)state;
    mm_ip cli = {.b = {192, 168, 1, 10}, .v = 4};
    const char *own = "USER a\r\nPORT 192,168,1,10,4,1\r\n";
    const char *other = "USER a\r\nport 10 ,0,0,5,0,21\r\n";
    assert_false(mm_ftpbounce((const uint8_t *)own, (uint32_t)strlen(own), &cli));
    assert_true(mm_ftpbounce((const uint8_t *)other, (uint32_t)strlen(other), &cli));
    assert_false(mm_ftpbounce((const uint8_t *)"PORT 1,2,3\r\n", 12, &cli));
    assert_false(mm_ftpbounce((const uint8_t *)"PASV 1,2,3,4,5,6\r\n", 18, &cli));
    assert_false(mm_ftpbounce((const uint8_t *)"PORT 1,2,3,999,5,6\r\n", 20, &cli));
    mm_rule r;
    assert_int_equal(parse("content:\"PORT\"; ftpbounce; sid:1;", &r), -1);
    assert_true(r.ftpbounce);
}

static void test_requires(void **state)
{
    (void)state;
    mm_rule r;
    assert_int_equal(parse("requires: version >= 7 < 8; sid:1;", &r), -1);
    assert_int_equal(parse("requires: version >= 8; sid:2;", &r), MM_SKIP_REQUIRES);
    assert_int_equal(parse("requires: version >= 7.0.3 < 8 | >= 9.0.99; sid:3;", &r),
                     MM_SKIP_REQUIRES);
    assert_int_equal(parse("requires: version < 6 | = 7.0; sid:4;", &r), -1);
    assert_int_equal(parse("requires: feature geoip, version >= 6; sid:5;", &r), -1);
    assert_int_equal(parse("requires: feature nosuch; sid:6;", &r), MM_SKIP_REQUIRES);
    assert_int_equal(parse("requires: foo bar; sid:7;", &r), -1);    /* unknown: ignored */
    assert_int_equal(parse("requires: version >> 7; sid:8;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("requires: version; sid:9;", &r), MM_SKIP_VALUE);
    /* a rule for another engine is not read further: syntax we do not know
     * in it is no error */
    assert_int_equal(parse_line("alert vxlan any any => any any (requires: version >= 10; "
                                "frame:x.y; sid:10;)", &r), MM_SKIP_REQUIRES);
}

/* Writes text to a temporary file; its path. */
static const char *tmpfile_with(const char *name, const char *text)
{
    static char path[8][256];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, sizeof path[0], "/tmp/mm-test-%d-%s", (int)getpid(), name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static bool rep(const mm_rule *r, const char *src, const char *dst)
{
    mm_ip s, d;
    assert_true(mm_ip_parse(src, &s) && mm_ip_parse(dst, &d));
    for (int i = 0; i < r->niprep; i++)
        if (!mm_iprep_match(&r->iprep[i], &s, &d))
            return false;
    return true;
}

/* iprep as Suricata's documentation and detect-iprep describe it: a host
 * line has its score in its categories and 0 in the others; a network
 * gives its score to addresses that are not listed hosts, the narrowest
 * network first; any/src/dst/both and isset/isnotset. */
static void test_iprep(void **state)
{
    (void)state;
    mm_ruleset *saved = rs;
    rs = mm_ruleset_new();
    char err[256];
    mm_rule r;
    /* no categories: the rule is skipped (a value it cannot resolve) */
    assert_int_equal(parse("iprep:src,Bad,>,10; sid:1;", &r), MM_SKIP_VALUE);
    const char *cats = tmpfile_with("cats", "1,Bad,Known bad\n2,Scan,Scanners\n# c\n");
    const char *list = tmpfile_with("list",
        "10.0.0.0/8,1,20\n10.1.0.0/16,1,90\n10.1.2.0/24,1,5\n10.1.2.3,2,50\n"
        "192.0.2.7,1,100\n2001:db8::/32,1,60\nnot-an-address,1,5\n192.0.2.8,9,5\n"
        "192.0.2.9,1,300\n192.0.2.7,1,110\n");
    assert_true(mm_ruleset_load_rep_categories(rs, cats, err, sizeof err));
    uint64_t bad = 0;
    assert_true(mm_ruleset_load_rep_list(rs, list, &bad, err, sizeof err));
    assert_int_equal(bad, 3);   /* no address, unknown category 9, score over 127 */
    assert_int_equal(parse("iprep:src,Bad,>,10; sid:1;", &r), -1);
    assert_true(rep(&r, "10.9.9.9", "1.1.1.1"));        /* 10/8: 20 */
    assert_true(rep(&r, "10.1.9.9", "1.1.1.1"));        /* 10.1/16: 90 */
    assert_false(rep(&r, "10.1.2.9", "1.1.1.1"));       /* 10.1.2/24: 5 */
    assert_true(rep(&r, "10.1.3.1", "1.1.1.1"));        /* past the /24: the /16 again */
    assert_false(rep(&r, "10.1.2.3", "1.1.1.1"));       /* a host (category 2 only): Bad 0 */
    assert_true(rep(&r, "192.0.2.7", "1.1.1.1"));       /* the later line: 110 */
    assert_false(rep(&r, "11.0.0.1", "1.1.1.1"));
    assert_true(rep(&r, "2001:db8::1", "1.1.1.1"));
    assert_false(rep(&r, "1.1.1.1", "10.9.9.9"));       /* src only */
    assert_int_equal(parse("iprep:dst,Bad,=,0; sid:2;", &r), -1);
    assert_true(rep(&r, "1.1.1.1", "10.1.2.3"));
    assert_false(rep(&r, "1.1.1.1", "8.8.8.8"));        /* no score is not 0 */
    assert_int_equal(parse("iprep:any,Bad,>,50; sid:3;", &r), -1);
    assert_true(rep(&r, "1.1.1.1", "10.1.0.1"));
    assert_true(rep(&r, "10.1.0.1", "1.1.1.1"));
    assert_false(rep(&r, "10.9.0.1", "1.1.1.1"));
    assert_int_equal(parse("iprep:both,Bad,>,10; sid:4;", &r), -1);
    assert_true(rep(&r, "10.9.0.1", "10.1.0.1"));
    assert_false(rep(&r, "10.9.0.1", "8.8.8.8"));
    assert_int_equal(parse("iprep:dst,Scan,isset; sid:5;", &r), -1);
    assert_true(rep(&r, "1.1.1.1", "10.1.2.3"));
    assert_false(rep(&r, "1.1.1.1", "10.1.2.4"));
    assert_int_equal(parse("iprep:any,Bad,isnotset; sid:6;", &r), -1);
    assert_true(rep(&r, "10.0.0.1", "8.8.8.8"));
    assert_false(rep(&r, "10.0.0.1", "10.0.0.2"));
    assert_int_equal(parse("iprep:both,Bad,isnotset; sid:7;", &r), -1);
    assert_true(rep(&r, "8.8.4.4", "8.8.8.8"));
    assert_false(rep(&r, "10.0.0.1", "8.8.8.8"));
    assert_int_equal(parse("iprep:src,Nope,>,1; sid:8;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("iprep:up,Bad,>,1; sid:9;", &r), MM_SKIP_VALUE);
    assert_int_equal(parse("iprep:src,Bad,~,1; sid:10;", &r), MM_SKIP_VALUE);
    assert_false(mm_ruleset_load_rep_categories(rs, "/nonexistent/cats", err, sizeof err));
    assert_false(mm_ruleset_load_rep_categories(rs, list, err, sizeof err));
    unlink(cats);
    unlink(list);
    mm_ruleset_free(rs);
    rs = saved;
}

/* The content search against the plain definition: every start position
 * tried in turn, bytes compared one by one (A-Z folded when nocase). Random
 * buffers over a few letters in both cases and some other bytes, so
 * patterns are often there, partly there, or there in the other case; and
 * windows starting and ending anywhere, shorter than 16 bytes too. */
static int64_t naive_find(const uint8_t *b, uint32_t from, uint32_t to, const uint8_t *p,
                          uint32_t n, bool nocase)
{
    for (uint64_t i = from; n && i + n <= to; i++) {
        uint32_t k = 0;
        while (k < n && (nocase ? tolower(b[i + k]) == tolower(p[k]) : b[i + k] == p[k]))
            k++;
        if (k == n)
            return (int64_t)i;
    }
    return -1;
}

static void test_find(void **state)
{
    (void)state;
    static const uint8_t alpha[] = "abAB@`[{ z\x00\xff";
    uint8_t buf[200], pat[24];
    srand(7);
    for (int round = 0; round < 200000; round++) {
        uint32_t len = (uint32_t)(rand() % 200);
        for (uint32_t i = 0; i < len; i++)
            buf[i] = alpha[rand() % (sizeof alpha - 1)];
        uint32_t n = 1 + (uint32_t)(rand() % 20);
        if (len > n && rand() % 2) {            /* often from the buffer itself */
            memcpy(pat, buf + rand() % (len - n), n);
            if (rand() % 2)
                pat[rand() % n] ^= 0x20;        /* the other case, or another byte */
        } else {
            for (uint32_t i = 0; i < n; i++)
                pat[i] = alpha[rand() % (sizeof alpha - 1)];
        }
        uint32_t from = len ? (uint32_t)(rand() % (len + 1)) : 0;
        uint32_t to = from + (uint32_t)(rand() % (len - from + 1));
        bool nocase = rand() % 2;
        assert_int_equal(mm_rm_find(buf, from, to, pat, n, nocase),
                         naive_find(buf, from, to, pat, n, nocase));
    }
    /* a window ending before it starts, an empty pattern */
    assert_int_equal(mm_rm_find(buf, 5, 4, pat, 1, false), -1);
    assert_int_equal(mm_rm_find(buf, 0, 10, pat, 0, false), -1);
}

/* Files a dataset writes: relative, no ".." (a rule file must not make the
 * sensor write elsewhere); those it reads may be anywhere. */
static void test_dataset_paths(void **state)
{
    (void)state;
    mm_rule r;
    static const char *const bad[] = {
        "save /tmp/x.txt", "state /tmp/x.txt", "save ../x.txt", "save a/../../x.txt",
        "state a/..", "save a\\\\..\\\\x.txt", "state ..",
    };
    static const char *const good[] = {"save after.csv", "state dir..name/x.txt", "save a/.x"};
    char o[200];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(o, sizeof o, "dns.query; dataset:isset,pb%zu,type string,%s; sid:1;", i, bad[i]);
        assert_int_equal(parse(o, &r), MM_SKIP_VALUE);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(o, sizeof o, "dns.query; dataset:isset,pg%zu,type string,%s; sid:1;", i, good[i]);
        assert_int_equal(parse(o, &r), -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_content),
        cmocka_unit_test(test_buffers),
        cmocka_unit_test(test_pcre_and_bytes),
        cmocka_unit_test(test_pcre_vars),
        cmocka_unit_test(test_state_and_meta),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_file_keywords),
        cmocka_unit_test(test_match_content),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_match_other),
        cmocka_unit_test(test_asn1),
        cmocka_unit_test(test_ftpbounce),
        cmocka_unit_test(test_dataset_paths),
        cmocka_unit_test(test_iprep),
        cmocka_unit_test(test_requires),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
