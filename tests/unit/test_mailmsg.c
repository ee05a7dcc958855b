/* Unit tests: mail messages as events (src/logs/mailmsg.c). The messages of
 * tests/mail (written by tests/mail/mkmail.py with Python's email package
 * doing the encoding) are read and each event is checked field by field
 * against the text before encoding; messages built here in memory check
 * the bounds, the Received rule and the attachment digests (base64
 * encoded here, SHA-256 by nettle over the bytes before encoding). */
#include "testutil.h"
#include "logs/mailmsg.h"
#include "util/jread.h"
#include "util/util.h"
#include "mm_config.h"

#include <nettle/sha2.h>
#include <nettle/nettle-meta.h>
#include <stdio.h>
#include <stdlib.h>

#define MAILDIR_T MM_SRCDIR "/tests/mail"

typedef struct lines {
    char *v[16];
    size_t n;
} lines;

static int grab(void *user, const char *line, size_t len)
{
    lines *l = user;
    if (l->n < 16) {
        l->v[l->n] = malloc(len + 1);
        assert_non_null(l->v[l->n]);
        memcpy(l->v[l->n], line, len);
        l->v[l->n][len] = 0;
        l->n++;
    }
    return 0;
}

static void lines_free(lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    l->n = 0;
}

static jr_doc g_doc;

static void parse(const char *line)
{
    assert_int_equal(jr_parse(&g_doc, line, strlen(line)), 0);
}

static void expect_str(const char *path, const char *want)
{
    char b[4096];
    bool ok = jr_path_str(&g_doc, path, b, sizeof b);
    if (!want) {
        assert_false(ok);
        return;
    }
    if (!ok || strcmp(b, want) != 0)
        fail_msg("%s: got '%s', want '%s'", path, ok ? b : "(absent)", want);
}

static void expect_arr(const char *path, const char *const *want, size_t n)
{
    int a = jr_path(&g_doc, path);
    assert_true(a >= 0);
    for (size_t i = 0; i < n; i++) {
        char b[4096];
        int e = jr_elem(&g_doc, a, (uint32_t)i);
        assert_true(jr_str(&g_doc, e, b, sizeof b));
        if (strcmp(b, want[i]) != 0)
            fail_msg("%s[%zu]: got '%s', want '%s'", path, i, b, want[i]);
    }
    assert_true(jr_elem(&g_doc, a, (uint32_t)n) < 0);
}

static void read_one(const char *name, lines *l)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", MAILDIR_T, name);
    mm_mailmsg_opts o = {.site = "acme"};
    mm_mailmsg_stats st = {0};
    char err[256];
    assert_int_equal(mm_mailmsg_read_path(path, &o, grab, l, &st, err, sizeof err), 0);
    assert_int_equal(st.messages, l->n);
}

static void test_iso2022jp(void **s)
{
    (void)s;
    lines l = {0};
    read_one("jis_subject.eml", &l);
    assert_int_equal(l.n, 1);
    parse(l.v[0]);
    expect_str("event_type", "mail");
    expect_str("timestamp", "2024-01-02T00:15:00.000000+0000");
    expect_str("src_ip", NULL);
    expect_str("email.subject", "会議の資料について");
    expect_str("email.from", "bounce+42@sender.example");
    expect_str("email.header_from", "yamada@sender.example");
    static const char *const to[] = {"tanaka@corp.example", "sales@corp.example"};
    expect_arr("email.to", to, 2);
    static const char *const cc[] = {"boss@corp.example"};
    expect_arr("email.cc", cc, 1);
    static const char *const dt[] = {"tanaka@corp.example", "sales@corp.example"};
    expect_arr("email.delivered_to", dt, 2);
    expect_str("email.message_id", "20240102001500.1234@sender.example");
    expect_str("email.date", "Tue, 02 Jan 2024 09:15:00 +0900");
    expect_str("email.received_from.ip", "203.0.113.25");
    expect_str("email.received_from.helo", "mail.sender.example");
    expect_str("email.received_from.rdns", "mail.sender.example");
    assert_int_equal(jr_path_i64(&g_doc, "email.received_from.hop", -1), 2);
    static const char *const url[] = {"https://files.example.org/share/abc?id=42&x=1"};
    expect_arr("email.url", url, 1);
    assert_int_equal(jr_path_i64(&g_doc, "email.size", -1), 1076);
    expect_str("mimamori.site", "acme");
    expect_str("log.format", "eml");
    expect_str("email.timestamp_source", NULL);
    lines_free(&l);
}

static void test_shift_jis_html(void **s)
{
    (void)s;
    lines l = {0};
    read_one("sjis_html.eml", &l);
    assert_int_equal(l.n, 1);
    parse(l.v[0]);
    expect_str("email.subject", "請求書の送付（至急）");
    /* loopback and private hops passed over; "unknown" is no name */
    expect_str("email.received_from.ip", "198.51.100.77");
    expect_str("email.received_from.helo", "phish.example.net");
    expect_str("email.received_from.rdns", NULL);
    assert_int_equal(jr_path_i64(&g_doc, "email.received_from.hop", -1), 3);
    static const char *const url[] = {"https://login.example.net/verify?u=1&t=abc",
                                      "http://cdn.example.com/logo.png",
                                      "HTTPS://Upper.Example.COM/Path"};
    expect_arr("email.url", url, 3);
    expect_str("email.from", "billing@phish.example.net");
    lines_free(&l);
}

static void test_eucjp_attachments(void **s)
{
    (void)s;
    lines l = {0};
    read_one("eucjp_attach.eml", &l);
    assert_int_equal(l.n, 1);
    parse(l.v[0]);
    expect_str("email.subject", "見積もりのご依頼");
    expect_str("email.to", NULL);          /* a group without members */
    int a = jr_path(&g_doc, "email.attachment");
    assert_true(a >= 0);
    int a0 = jr_elem(&g_doc, a, 0), a1 = jr_elem(&g_doc, a, 1);
    assert_true(a0 >= 0 && a1 >= 0 && jr_elem(&g_doc, a, 2) < 0);
    char b[256];
    assert_true(jr_str(&g_doc, jr_member(&g_doc, a0, "filename"), b, sizeof b));
    assert_string_equal(b, "請求書.pdf");      /* RFC 2231 */
    assert_true(jr_str(&g_doc, jr_member(&g_doc, a0, "content_type"), b, sizeof b));
    assert_string_equal(b, "application/pdf");
    int64_t v;
    assert_true(jr_i64(&g_doc, jr_member(&g_doc, a0, "size"), &v));
    assert_int_equal(v, 3000);
    /* sha256sum of the bytes Python's email package decodes from the part */
    assert_true(jr_str(&g_doc, jr_member(&g_doc, a0, "sha256"), b, sizeof b));
    assert_string_equal(b, "86e49b69b767b90cc139b3741e2164cabb724d77d1c730879d3d9d04e8d25ca8");
    assert_true(jr_str(&g_doc, jr_member(&g_doc, a1, "filename"), b, sizeof b));
    assert_string_equal(b, "資料.zip");        /* RFC 2047 in a parameter */
    assert_true(jr_i64(&g_doc, jr_member(&g_doc, a1, "size"), &v));
    assert_int_equal(v, 781);
    assert_true(jr_str(&g_doc, jr_member(&g_doc, a1, "sha256"), b, sizeof b));
    assert_string_equal(b, "4ac5fd69a75f030077cd96130f7b133b8540aa4e83e3faef33632bea390ec2c5");
    static const char *const url[] = {"http://partner.example/quote.html"};
    expect_arr("email.url", url, 1);
    expect_str("email.received_from.ip", "192.0.2.44");
    lines_free(&l);
}

static void test_mbox_and_maildir(void **s)
{
    (void)s;
    lines l = {0};
    read_one("three.mbox", &l);
    assert_int_equal(l.n, 3);
    static const char *const subj[] = {"第1報 お知らせ", "第2報 お知らせ", "第3報 お知らせ"};
    int64_t prev = -1;
    for (size_t i = 0; i < 3; i++) {
        parse(l.v[i]);
        expect_str("email.subject", subj[i]);
        expect_str("log.format", "mbox");
        char want[64];
        snprintf(want, sizeof want, "sender%zu@mbox.example", i);
        expect_str("email.from", want);
        snprintf(want, sizeof want, "https://mbox.example/%zu", i);
        const char *u[] = {want};
        expect_arr("email.url", u, 1);
        int64_t off = jr_path_i64(&g_doc, "log.offset", -1);
        assert_true(off > prev);
        prev = off;
    }
    lines_free(&l);
    /* resumed after the first message, stopped before the third: the
     * offsets stay those of the whole file */
    mm_mailmsg_opts o = {.skip_bytes = 303, .stop_bytes = 606};
    mm_mailmsg_stats st = {0};
    char err[256];
    assert_int_equal(mm_mailmsg_read_path(MAILDIR_T "/three.mbox", &o, grab, &l, &st, err,
                                          sizeof err), 0);
    assert_int_equal(l.n, 1);
    parse(l.v[0]);
    expect_str("email.subject", subj[1]);
    assert_int_equal(jr_path_i64(&g_doc, "log.offset", -1), 303);
    assert_int_equal(jr_path_i64(&g_doc, "email.size", -1), 303);
    lines_free(&l);
    o = (mm_mailmsg_opts){.skip_bytes = 606};
    assert_int_equal(mm_mailmsg_read_path(MAILDIR_T "/three.mbox", &o, grab, &l, &st, err,
                                          sizeof err), 0);
    assert_int_equal(l.n, 1);
    parse(l.v[0]);
    expect_str("email.subject", subj[2]);
    assert_int_equal(jr_path_i64(&g_doc, "log.offset", -1), 606);
    lines_free(&l);
    o = (mm_mailmsg_opts){.skip_bytes = 300};       /* not a "From " line */
    assert_int_equal(mm_mailmsg_read_path(MAILDIR_T "/three.mbox", &o, grab, &l, &st, err,
                                          sizeof err), 1);
    assert_int_equal(l.n, 0);
    read_one("maildir", &l);
    assert_int_equal(l.n, 2);
    parse(l.v[0]);
    expect_str("log.format", "maildir");
    expect_str("email.subject", "既読のメール");
    parse(l.v[1]);
    expect_str("email.subject", "new mail");
    lines_free(&l);
    read_one("no_date.eml", &l);
    parse(l.v[0]);
    expect_str("email.timestamp_source", "file_mtime");
    static const char *const url[] = {"https://example.org/a"};
    expect_arr("email.url", url, 1);
    lines_free(&l);
}

/* ---- in memory ---- */

static int count(void *user, const char *line, size_t len)
{
    (void)len;
    jr_doc d;
    jr_init(&d, 0);
    /* every event must be readable by ingest's reader (4096 tokens) */
    assert_int_equal(jr_parse(&d, line, strlen(line)), 0);
    jr_free(&d);
    return grab(user, line, len);
}

static void mem(const char *text, size_t n, mm_mailfmt fmt, lines *l, mm_mailmsg_stats *st,
                size_t max)
{
    mm_mailmsg_opts o = {.max_message = max};
    char err[256];
    mm_mailmsg_read_mem(text, n, fmt, "mem", 1700000000, &o, count, l, st, err, sizeof err);
}

static void b64(const uint8_t *p, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t k = 0, col = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[k++] = a[v >> 18];
        out[k++] = a[(v >> 12) & 63];
        out[k++] = i + 1 < n ? a[(v >> 6) & 63] : '=';
        out[k++] = i + 2 < n ? a[v & 63] : '=';
        if ((col += 4) >= 76) {
            out[k++] = '\n';
            col = 0;
        }
    }
    out[k++] = '\n';
    out[k] = 0;
}

static void test_digest_independent(void **s)
{
    (void)s;
    uint8_t data[5000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + (i >> 5));
    char hex[65];
    mm_hash_hex(&nettle_sha256, data, sizeof data, hex);
    char *enc = malloc(8000);
    char *msg = malloc(16000);
    assert_non_null(enc);
    assert_non_null(msg);
    b64(data, sizeof data, enc);
    int n = snprintf(msg, 16000,
                     "From: a@example.org\nMessage-ID: <x@y>\nMIME-Version: 1.0\n"
                     "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n"
                     "Content-Type: text/plain\n\nbody\n--XX\n"
                     "Content-Type: application/octet-stream\n"
                     "Content-Disposition: attachment; filename*0*=utf-8''%%E6%%9C%%88;\n"
                     " filename*1=\"-report.bin\"\n"
                     "Content-Transfer-Encoding: base64\n\n%s--XX--\n",
                     enc);
    lines l = {0};
    mm_mailmsg_stats st = {0};
    mem(msg, (size_t)n, MM_MAIL_EML, &l, &st, 0);
    assert_int_equal(l.n, 1);
    parse(l.v[0]);
    int a = jr_elem(&g_doc, jr_path(&g_doc, "email.attachment"), 0);
    char b[256];
    assert_true(jr_str(&g_doc, jr_member(&g_doc, a, "filename"), b, sizeof b));
    assert_string_equal(b, "月-report.bin");
    assert_true(jr_str(&g_doc, jr_member(&g_doc, a, "sha256"), b, sizeof b));
    assert_string_equal(b, hex);
    int64_t v;
    assert_true(jr_i64(&g_doc, jr_member(&g_doc, a, "size"), &v));
    assert_int_equal(v, sizeof data);
    /* no Date: the time given, said so */
    expect_str("timestamp", "2023-11-14T22:13:20.000000+0000");
    expect_str("email.timestamp_source", "file_mtime");
    lines_free(&l);
    free(enc);
    free(msg);
}

static void test_received_rule(void **s)
{
    (void)s;
    static const struct {
        const char *hdrs, *ip, *helo, *rdns;
        int hop;
    } c[] = {
        /* private and loopback only: none */
        {"Received: from a (a [10.0.0.1]) by b; x\nReceived: from c (localhost [127.0.0.1]) by d\n",
         NULL, NULL, NULL, 0},
        /* shared (CGNAT), link-local: passed over */
        {"Received: from a (a [100.64.1.1]) by b\nReceived: from e (e [169.254.3.3]) by f\n"
         "Received: from g (g.example [192.0.2.9]) by h\n",
         "192.0.2.9", "g", "g.example", 3},
        /* IPv6 literal; unique-local passed over */
        {"Received: from x ([IPv6:fd00::1]) by y\n"
         "Received: from mx.example (mx.example [IPv6:2001:db8::25]) by y\n",
         "2001:db8::25", "mx.example", "mx.example", 2},
        /* HELO an address literal, no brackets elsewhere */
        {"Received: from 203.0.113.80 by mx; Mon\n", "203.0.113.80", "203.0.113.80", NULL, 1},
        /* a local pickup has no from clause; "by" inside parentheses is not the end */
        {"Received: by mx.example (Postfix, from userid 0)\n"
         "Received: from h (unknown [198.51.100.3] (may be forged) by x) by y\n",
         "198.51.100.3", "h", NULL, 2},
        /* an address in parentheses */
        {"Received: from h (198.51.100.4) by y\n", "198.51.100.4", "h", NULL, 1},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char msg[2048];
        int n = snprintf(msg, sizeof msg, "%sFrom: a@b.example\nSubject: t\n\nbody\n", c[i].hdrs);
        lines l = {0};
        mm_mailmsg_stats st = {0};
        mem(msg, (size_t)n, MM_MAIL_EML, &l, &st, 0);
        assert_int_equal(l.n, 1);
        parse(l.v[0]);
        expect_str("email.received_from.ip", c[i].ip);
        if (c[i].ip) {
            expect_str("email.received_from.helo", c[i].helo);
            expect_str("email.received_from.rdns", c[i].rdns);
            assert_int_equal(jr_path_i64(&g_doc, "email.received_from.hop", -1), c[i].hop);
        }
        lines_free(&l);
    }
}

static void test_bounds(void **s)
{
    (void)s;
    size_t cap = 2u << 20, n = 0;
    char *m = malloc(cap);
    assert_non_null(m);
    n += (size_t)snprintf(m + n, cap - n, "From: a@b.example\nTo: ");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(m + n, cap - n, "%su%d@x.example", i ? ", " : "", i);
    n += (size_t)snprintf(m + n, cap - n, "\nCc: ");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(m + n, cap - n, "%sc%d@x.example", i ? ", " : "", i);
    n += (size_t)snprintf(m + n, cap - n, "\nSubject: ");
    for (int i = 0; i < 3000; i++)
        m[n++] = (char)('a' + i % 26);
    n += (size_t)snprintf(m + n, cap - n,
                          "\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
                          "--B\nContent-Type: text/html\n\n");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(m + n, cap - n, "<a href=\"http://h%d.example/p\">x</a>\n", i);
    n += (size_t)snprintf(m + n, cap - n, "https://long.example/");
    for (int i = 0; i < 5000; i++)
        m[n++] = 'q';
    m[n++] = '\n';
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(m + n, cap - n,
                              "--B\nContent-Type: application/x-a\n"
                              "Content-Disposition: attachment; filename=\"f%d.bin\"\n\nabc\n",
                              i);
    n += (size_t)snprintf(m + n, cap - n, "--B--\n");
    lines l = {0};
    mm_mailmsg_stats st = {0};
    mem(m, n, MM_MAIL_EML, &l, &st, 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(st.cut, 1);
    jr_doc big;
    jr_init(&big, 0);
    assert_int_equal(jr_parse(&big, l.v[0], strlen(l.v[0])), 0);
    int to = jr_path(&big, "email.to"), att = jr_path(&big, "email.attachment"),
        url = jr_path(&big, "email.url");
    assert_true(jr_elem(&big, to, MM_MAIL_MAX_ADDRS - 1) >= 0);
    assert_true(jr_elem(&big, to, MM_MAIL_MAX_ADDRS) < 0);
    assert_true(jr_elem(&big, att, MM_MAIL_MAX_ATTACH - 1) >= 0);
    assert_true(jr_elem(&big, att, MM_MAIL_MAX_ATTACH) < 0);
    assert_true(jr_elem(&big, url, MM_MAIL_MAX_URLS - 1) >= 0);
    assert_true(jr_elem(&big, url, MM_MAIL_MAX_URLS) < 0);
    char *b = malloc(8192);
    assert_non_null(b);
    assert_true(jr_path_str(&big, "email.subject", b, 8192));
    assert_int_equal(strlen(b), MM_MAIL_VALUE_MAX);
    assert_true(jr_path(&big, "email.cut") >= 0);
    free(b);
    jr_free(&big);
    lines_free(&l);

    /* a long URL is cut to its bound */
    const char *lu = "From: a@b\nMessage-ID: <1@b>\n\nhttps://x.example/";
    size_t ln = strlen(lu);
    memcpy(m, lu, ln);
    memset(m + ln, 'z', 4000);
    n = ln + 4000;
    st = (mm_mailmsg_stats){0};
    mem(m, n, MM_MAIL_EML, &l, &st, 0);
    assert_int_equal(l.n, 1);
    parse(l.v[0]);
    char u[4096];
    assert_true(jr_str(&g_doc, jr_elem(&g_doc, jr_path(&g_doc, "email.url"), 0), u, sizeof u));
    assert_int_equal(strlen(u), MM_MAIL_URL_MAX);
    lines_free(&l);

    /* over the size limit: counted, no event */
    st = (mm_mailmsg_stats){0};
    mem(m, n, MM_MAIL_EML, &l, &st, 100);
    assert_int_equal(l.n, 0);
    assert_int_equal(st.too_large, 1);
    /* in an mbox, the one over the limit only */
    const char *mb = "From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\nSubject: small\n\nx\n\n"
                     "From c@d Mon Jan  1 00:00:00 2024\nFrom: c@d\nSubject: big\n\n"
                     "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n\n"
                     "From e@f Mon Jan  1 00:00:00 2024\nFrom: e@f\nSubject: small2\n\nz\n";
    st = (mm_mailmsg_stats){0};
    mem(mb, strlen(mb), MM_MAIL_MBOX, &l, &st, 90);
    assert_int_equal(l.n, 2);
    assert_int_equal(st.too_large, 1);
    parse(l.v[1]);
    expect_str("email.subject", "small2");
    expect_str("email.from", "e@f");
    lines_free(&l);
    free(m);
}

/* What GMime would hold of a message is bounded: too many MIME parts or
 * header lines and the message is read for its top headers only. */
static void test_heavy(void **s)
{
    (void)s;
    size_t cap = 4u << 20, n = 0;
    char *m = malloc(cap);
    assert_non_null(m);
    n += (size_t)snprintf(m + n, cap - n, "From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b.example\n"
                          "Subject: first\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nx\n\n");
    size_t second = n;
    n += (size_t)snprintf(m + n, cap - n, "From c@d Mon Jan  1 00:00:00 2024\nFrom: c@d.example\n"
                          "Subject: many parts\nMIME-Version: 1.0\n"
                          "Content-Type: multipart/mixed; boundary=B\n\n");
    for (int i = 0; i < 20000; i++)
        n += (size_t)snprintf(m + n, cap - n, "--B\n\n\n");
    n += (size_t)snprintf(m + n, cap - n, "--B--\n\n");
    size_t third = n;
    n += (size_t)snprintf(m + n, cap - n, "From e@f Mon Jan  1 00:00:00 2024\nFrom: e@f.example\n"
                          "Subject: many headers\nTo: t@corp.example\n");
    for (int i = 0; i < 20000; i++)
        n += (size_t)snprintf(m + n, cap - n, "X-H: %d\n", i);
    n += (size_t)snprintf(m + n, cap - n, "\nbody\n\n");
    size_t fourth = n;
    n += (size_t)snprintf(m + n, cap - n, "From g@h Mon Jan  1 00:00:00 2024\nFrom: g@h.example\n"
                          "Subject: last\n\nhttps://last.example/\n");
    lines l = {0};
    mm_mailmsg_stats st = {0};
    mem(m, n, MM_MAIL_MBOX, &l, &st, 0);
    assert_int_equal(l.n, 4);
    assert_int_equal(st.heavy, 2);
    static const char *const subj[] = {"first", "many parts", "many headers", "last"};
    const size_t offs[] = {0, second, third, fourth};
    for (size_t i = 0; i < 4; i++) {
        parse(l.v[i]);
        expect_str("email.subject", subj[i]);
        assert_int_equal(jr_path_i64(&g_doc, "log.offset", -1), offs[i]);
        assert_int_equal(jr_path(&g_doc, "email.cut") >= 0, i == 1 || i == 2);
    }
    parse(l.v[2]);
    static const char *const to[] = {"t@corp.example"};
    expect_arr("email.to", to, 1);
    parse(l.v[3]);
    static const char *const url[] = {"https://last.example/"};
    expect_arr("email.url", url, 1);
    lines_free(&l);
    /* one message of a single 1 MB header line: cut inside it */
    n = 0;
    n += (size_t)snprintf(m + n, cap - n, "Subject: long\nTo: ");
    for (int i = 0; i < 60000; i++)
        n += (size_t)snprintf(m + n, cap - n, "%su%d@x.example", i ? "," : "", i);
    n += (size_t)snprintf(m + n, cap - n, "\n\nbody\n");
    st = (mm_mailmsg_stats){0};
    mem(m, n, MM_MAIL_EML, &l, &st, 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(st.heavy, 1);
    parse(l.v[0]);
    expect_str("email.subject", "long");
    int a = jr_path(&g_doc, "email.to");
    assert_true(jr_elem(&g_doc, a, MM_MAIL_MAX_ADDRS - 1) >= 0);
    lines_free(&l);
    free(m);
}

static void test_raw_jis_and_8bit(void **s)
{
    (void)s;
    /* ISO-2022-JP written raw in the header, and undeclared 8-bit
     * Shift_JIS: "テスト" (CP932 83 65 83 58 83 67) */
    const char *msg = "From: a@b.example\nSubject: \x1b$B%F%9%H\x1b(B raw\n"
                      "To: \"\x83\x65\x83\x58\x83\x67\" <t@b.example>\n\nbody\n";
    lines l = {0};
    mm_mailmsg_stats st = {0};
    mem(msg, strlen(msg), MM_MAIL_EML, &l, &st, 0);
    assert_int_equal(l.n, 1);
    parse(l.v[0]);
    expect_str("email.subject", "テスト raw");
    static const char *const to[] = {"t@b.example"};
    expect_arr("email.to", to, 1);
    lines_free(&l);
    /* a Date in JST by name (GMime knows no such zone) */
    const char *jst = "From: a@b.example\nDate: Mon, 1 Jan 2024 12:00:00 JST\n\nb\n";
    mem(jst, strlen(jst), MM_MAIL_EML, &l, &st, 0);
    assert_int_equal(l.n, 1);
    parse(l.v[0]);
    expect_str("timestamp", "2024-01-01T03:00:00.000000+0000");
    lines_free(&l);
}

/* Shift_JIS and EUC-JP labels read as CP932 and EUC-JP-MS: NEC row 13
 * (circled digits) in a subject, a body, RFC 2231 and RFC 2047 names */
static void test_cp932(void **s)
{
    (void)s;
    static const char msg[] = "From: a@b.example\012Subject: =\077Shift_JIS\077B\077h0CQv4uBj5E=\077=\012MIME-Version: 1.0\012Content-Type: multipart/mixed; boundary=B\012\012--B\012Content-Type: text/plain; charset=Shift_JIS\012Content-Transfer-Encoding: 8bit\012\012\207@\224\324 https://a.example/\207@\012--B\012Content-Type: application/pdf\012Content-Disposition: attachment; filename*=Shift_JIS''%87%40%90%BF%8B%81%8F%91\012\012x\012--B\012Content-Type: application/zip; name=\042=\077shift_jis\077B\077h0KOkZe/LnppcA==\077=\042\012\012y\012--B--\012";
    lines l = {0};
    mm_mailmsg_stats st = {0};
    mem(msg, sizeof msg - 1, MM_MAIL_EML, &l, &st, 0);
    assert_int_equal(l.n, 1);
    parse(l.v[0]);
    expect_str("email.subject", "①請求書");
    static const char *const url[] = {"https://a.example/"};
    expect_arr("email.url", url, 1);
    int a = jr_path(&g_doc, "email.attachment");
    char b[256];
    assert_true(jr_str(&g_doc, jr_member(&g_doc, jr_elem(&g_doc, a, 0), "filename"), b, sizeof b));
    assert_string_equal(b, "①請求書");
    assert_true(jr_str(&g_doc, jr_member(&g_doc, jr_elem(&g_doc, a, 1), "filename"), b, sizeof b));
    assert_string_equal(b, "③資料.zip");
    lines_free(&l);
    static const char msg2[] = "From: a@b.example\012Subject: =\077EUC-JP\077B\077raG4q8DR\077=\012\012b\012";
    mem(msg2, sizeof msg2 - 1, MM_MAIL_EML, &l, &st, 0);
    assert_int_equal(l.n, 1);
    parse(l.v[0]);
    expect_str("email.subject", "①見積");
    lines_free(&l);
}

static void test_is_mail(void **s)
{
    (void)s;
    static const struct {
        const char *head;
        bool mail;
    } c[] = {
        {"Received: from a by b; Mon, 1 Jan 2024\nFrom: x@y\n\nbody", true},
        {"Return-Path: <a@b>\nX: y\n", true},
        {"From: a@b\nTo: c@d\nMessage-ID: <1@b>\n\n", true},
        {"From: a@b\nTo: c@d\n\n", false},
        {"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\n", true},
        {"From here we go\nnot a header\n", false},
        {"Jan  1 00:00:00 host postfix/smtpd[1]: connect from x\n", false},
        {"{\"event_type\":\"mail\"}\n", false},
        {"Received: x\nthis is no header\nFrom: a\n", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        if (mm_mailmsg_is_mail("x.log", (const unsigned char *)c[i].head, strlen(c[i].head)) !=
            c[i].mail)
            fail_msg("case %zu: %s", i, c[i].head);
    assert_true(mm_mailmsg_is_mail("a/b.EML", NULL, 0));
    assert_true(mm_mailmsg_is_mail(MAILDIR_T "/maildir", NULL, 0));
    assert_false(mm_mailmsg_is_mail(MAILDIR_T, NULL, 0));
}

int main(void)
{
    jr_init(&g_doc, 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso2022jp),
        cmocka_unit_test(test_shift_jis_html),
        cmocka_unit_test(test_eucjp_attachments),
        cmocka_unit_test(test_mbox_and_maildir),
        cmocka_unit_test(test_digest_independent),
        cmocka_unit_test(test_received_rule),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_heavy),
        cmocka_unit_test(test_raw_jis_and_8bit),
        cmocka_unit_test(test_cp932),
        cmocka_unit_test(test_is_mail),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    jr_free(&g_doc);
    return rc;
}
