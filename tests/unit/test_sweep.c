/* test_sweep.c - `mimamori ioc sweep`'s readers and matching: evidence text
 * (UTF-16 LE/BE with and without a BOM, surrogates, cut lines), reg export
 * files (escapes, continuations, dword, hex, hex(2), hex(7), deletions,
 * REGEDIT4), Autoruns CSV and tab-separated exports, and the sweep of a
 * tree the test writes. The expected values come from the files' own rules
 * (regedit's escapes, UTF-16 as the Unicode standard defines it), the
 * inputs are made here byte by byte. */
#include "testutil.h"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ioc/autoruns.h"
#include "ioc/evtext.h"
#include "ioc/ioc.h"
#include "util/util.h"
#include "ioc/match.h"
#include "ioc/regfile.h"
#include "ioc/sweep.h"

/* ---- helpers ---- */

/* ASCII / UTF-8 text as UTF-16 LE (characters past U+FFFF as pairs), with
 * a BOM when bom. Returns the length. */
static size_t utf16(const char *s, uint8_t *out, bool bom)
{
    size_t o = 0;
    if (bom) {
        out[o++] = 0xFF;
        out[o++] = 0xFE;
    }
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c;
        if (*p < 0x80) {
            c = *p++;
        } else if ((*p & 0xE0) == 0xC0) {
            c = (uint32_t)(*p & 0x1F) << 6 | (p[1] & 0x3F);
            p += 2;
        } else if ((*p & 0xF0) == 0xE0) {
            c = (uint32_t)(*p & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
            p += 3;
        } else {
            c = (uint32_t)(*p & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
                (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
            p += 4;
        }
        if (c >= 0x10000) {
            uint32_t v = c - 0x10000;
            uint32_t hi = 0xD800 + (v >> 10), lo = 0xDC00 + (v & 0x3FF);
            out[o++] = (uint8_t)hi;
            out[o++] = (uint8_t)(hi >> 8);
            out[o++] = (uint8_t)lo;
            out[o++] = (uint8_t)(lo >> 8);
        } else {
            out[o++] = (uint8_t)c;
            out[o++] = (uint8_t)(c >> 8);
        }
    }
    return o;
}

/* hex(2)-style data: the UTF-16 LE bytes of s and a NUL character, as
 * "hex(N):xx,xx,..." with a continuation after every 16 bytes. */
static void hex_utf16(char *out, size_t outlen, const char *type, const char *const *strs,
                      size_t n)
{
    uint8_t b[4096];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += utf16(strs[i], b + k, false);
        b[k++] = 0;
        b[k++] = 0;
    }
    if (n != 1) {                       /* a multi-string ends with an empty one */
        b[k++] = 0;
        b[k++] = 0;
    }
    size_t o = (size_t)snprintf(out, outlen, "%s:", type);
    for (size_t i = 0; i < k; i++) {
        o += (size_t)snprintf(out + o, outlen - o, "%02x%s", b[i], i + 1 < k ? "," : "");
        if (i + 1 < k && i % 16 == 15)
            o += (size_t)snprintf(out + o, outlen - o, "\\\r\n  ");
    }
}

typedef struct got {
    char items[64][512];
    unsigned n, nbad;
    char bad[16][128];
} got;

static int reg_item(void *u, const mm_regval *v)
{
    got *g = u;
    /* text: NULL, or strings each NUL-ended */
    assert_true(v->text ? v->tlen > 0 && v->text[v->tlen - 1] == 0 : v->tlen == 0);
    if (g->n < 64) {
        char text[400] = "";
        size_t o = 0;
        for (size_t i = 0; v->text && i < v->tlen && o + 2 < sizeof text; i++)
            text[o++] = v->text[i] ? v->text[i] : '|';
        text[o] = 0;
        if (!v->name)
            snprintf(g->items[g->n], sizeof g->items[0], "%sK %s", v->deleted ? "-" : "",
                     v->key);
        else
            snprintf(g->items[g->n], sizeof g->items[0], "%sV %s :: %s :: %u :: %s :: %llu",
                     v->deleted ? "-" : "", v->key, v->name, v->type, text,
                     (unsigned long long)v->number);
    }
    g->n++;
    return 0;
}

static void reg_bad(void *u, uint64_t line, const char *why)
{
    got *g = u;
    if (g->nbad < 16)
        snprintf(g->bad[g->nbad], sizeof g->bad[0], "%llu: %s", (unsigned long long)line, why);
    g->nbad++;
}

static bool has_item(const got *g, const char *s)
{
    for (unsigned i = 0; i < g->n && i < 64; i++)
        if (strcmp(g->items[i], s) == 0)
            return true;
    for (unsigned i = 0; i < g->n && i < 64; i++)
        fprintf(stderr, "  item %s\n", g->items[i]);
    fprintf(stderr, "  wanted %s\n", s);
    return false;
}

/* ---- evidence text ---- */

typedef struct lines {
    char l[16][256];
    bool cut[16];
    unsigned n;
} lines;

static int on_line(void *u, char *line, size_t n, bool cut, uint64_t no)
{
    lines *L = u;
    assert_int_equal(strlen(line), n);
    assert_int_equal(no, L->n + 1);
    if (L->n < 16) {
        snprintf(L->l[L->n], sizeof L->l[0], "%s", line);
        L->cut[L->n] = cut;
    }
    L->n++;
    return 0;
}

static void text_of(const uint8_t *d, size_t n, size_t piece, size_t max, lines *L,
                    mm_evtext *t)
{
    memset(L, 0, sizeof *L);
    assert_int_equal(mm_evtext_init(t, max, on_line, L), 0);
    for (size_t i = 0; i < n; i += piece)
        assert_int_equal(mm_evtext_feed(t, d + i, n - i < piece ? n - i : piece), 0);
    assert_int_equal(mm_evtext_end(t), 0);
    mm_evtext_free(t);
}

static void test_evtext(void **st)
{
    (void)st;
    uint8_t b[512];
    /* U+1F600 as a pair, U+65E5 (日), CRLF, a last line without LF */
    size_t n = utf16("a\xf0\x9f\x98\x80 \xe6\x97\xa5\r\nsecond\nthird", b, true);
    lines L;
    mm_evtext t;
    for (size_t piece = 1; piece <= 7; piece += 3) {
        text_of(b, n, piece, 0, &L, &t);
        assert_int_equal(L.n, 3);
        assert_string_equal(L.l[0], "a\xf0\x9f\x98\x80 \xe6\x97\xa5");
        assert_string_equal(L.l[1], "second");
        assert_string_equal(L.l[2], "third");
        assert_int_equal(t.enc, EVT_UTF16LE);
        assert_int_equal(t.bad_text, 0);
    }
    /* no BOM: known by the zero second byte */
    n = utf16("x\ny", b, false);
    text_of(b, n, 1, 0, &L, &t);
    assert_int_equal(L.n, 2);
    assert_string_equal(L.l[1], "y");
    /* a lone high surrogate, a lone low one, a NUL, an odd last byte: U+FFFD each */
    uint8_t bad[] = {0xFF, 0xFE, 'a', 0, 0x00, 0xD8, 'b', 0, 0x00, 0xDC, 0, 0, '\n', 0, 'z'};
    text_of(bad, sizeof bad, 1, 0, &L, &t);
    assert_int_equal(L.n, 2);
    assert_string_equal(L.l[0], "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(L.l[1], "\xef\xbf\xbd");
    assert_int_equal(t.bad_text, 4);
    /* UTF-16 BE with its BOM */
    uint8_t be[] = {0xFE, 0xFF, 0, 'h', 0, 'i', 0, '\n'};
    text_of(be, sizeof be, 2, 0, &L, &t);
    assert_int_equal(L.n, 1);
    assert_string_equal(L.l[0], "hi");
    /* UTF-8 with BOM; a line cut at 8 bytes, never inside a character */
    const char *u8 = "\xef\xbb\xbfshort\n1234567\xe6\x97\xa5tail\nok";
    text_of((const uint8_t *)u8, strlen(u8), 5, 8, &L, &t);
    assert_int_equal(L.n, 3);
    assert_string_equal(L.l[0], "short");
    assert_string_equal(L.l[1], "1234567");
    assert_true(L.cut[1]);
    assert_false(L.cut[2]);
    assert_int_equal(t.cut, 1);
    /* 8-bit text: a NUL byte becomes '?' */
    const uint8_t nul[] = {'a', 'b', 0, 'c'};
    text_of(nul, sizeof nul, 4, 0, &L, &t);
    assert_string_equal(L.l[0], "ab?c");
    assert_int_equal(t.bad_text, 1);
    /* the buffer decoder: NUL kept as a separator, a bad pair counted */
    uint8_t d[] = {'A', 0, 0, 0, 'B', 0, 0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8};
    char out[64];
    uint64_t nb = 0;
    size_t ol = mm_utf16le_utf8(d, sizeof d, out, sizeof out, false, &nb);
    assert_int_equal(ol, 1 + 1 + 1 + 4 + 3);
    assert_memory_equal(out, "A\0B\xf0\x9f\x98\x80\xef\xbf\xbd", ol);
    assert_int_equal(nb, 1);
    size_t bl;
    const char *base = mm_evtext_basename("C:\\a/b\\Evil.exe", 15, &bl);
    assert_int_equal(bl, 8);
    assert_memory_equal(base, "Evil.exe", 8);
}

/* ---- reg export files ---- */

static const char reg5[] =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "; a comment\r\n"
    "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run]\r\n"
    "\"Updater\"=\"\\\"C:\\\\Users\\\\x\\\\AppData\\\\Roaming\\\\upd.exe\\\" -s\"\r\n"
    "@=\"default \\\"quoted\\\"\"\r\n"
    "\"Count\"=dword:0000001f\r\n"
    "\"Bin\"=hex:01,02,\\\r\n"
    "  03,ff\r\n"
    "\"Path\"=%s\r\n"
    "\"Multi\"=%s\r\n"
    "\"Gone\"=-\r\n"
    "\"na\\\"me\\\\x\"=\"\xe6\x97\xa5\xe6\x9c\xac\"\r\n"
    "\r\n"
    "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil]\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Odd]\r\n"
    "\"Q\"=hex(b):01,00,00,00,00,00,00,00\r\n"
    "\"bad\"=dword:123456789\r\n"
    "\"open\"=\"no end\r\n"
    "garbage line\r\n"
    "\"x\"=wat:1\r\n";

static void test_regfile(void **st)
{
    (void)st;
    char path[2048], multi[2048], text[8192];
    const char *p1[] = {"%APPDATA%\\drop.dll"};
    const char *p7[] = {"first", "C:\\x\\second.exe", "\xe6\x97\xa5"};
    hex_utf16(path, sizeof path, "hex(2)", p1, 1);
    hex_utf16(multi, sizeof multi, "hex(7)", p7, 3);
    snprintf(text, sizeof text, reg5, path, multi);
    static uint8_t b[65536];
    size_t n = utf16(text, b, true);
    got g;
    mm_regfile_stats s;
    for (size_t piece = 1; piece <= 4096; piece *= 64) {
        memset(&g, 0, sizeof g);
        mm_regfile_sink sink = {reg_item, reg_bad, &g};
        mm_regfile *r = mm_regfile_new(&sink);
        assert_non_null(r);
        for (size_t i = 0; i < n; i += piece)
            assert_int_equal(mm_regfile_feed(r, b + i, n - i < piece ? n - i : piece), 0);
        assert_int_equal(mm_regfile_end(r, &s), 0);
        mm_regfile_free(r);
        const char *run = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";
        char want[512];
        snprintf(want, sizeof want, "K %s", run);
        assert_true(has_item(&g, want));
        snprintf(want, sizeof want,
                 "V %s :: Updater :: 1 :: \"C:\\Users\\x\\AppData\\Roaming\\upd.exe\" -s| :: 0",
                 run);
        assert_true(has_item(&g, want));
        snprintf(want, sizeof want, "V %s ::  :: 1 :: default \"quoted\"| :: 0", run);
        assert_true(has_item(&g, want));
        snprintf(want, sizeof want, "V %s :: Count :: 4 ::  :: 31", run);
        assert_true(has_item(&g, want));
        snprintf(want, sizeof want, "V %s :: Bin :: 3 ::  :: 0", run);
        assert_true(has_item(&g, want));
        snprintf(want, sizeof want, "V %s :: Path :: 2 :: %%APPDATA%%\\drop.dll| :: 0", run);
        assert_true(has_item(&g, want));
        snprintf(want, sizeof want,
                 "V %s :: Multi :: 7 :: first|C:\\x\\second.exe|\xe6\x97\xa5| :: 0", run);
        assert_true(has_item(&g, want));
        snprintf(want, sizeof want, "-V %s :: Gone :: 0 ::  :: 0", run);
        assert_true(has_item(&g, want));
        snprintf(want, sizeof want, "V %s :: na\"me\\x :: 1 :: \xe6\x97\xa5\xe6\x9c\xac| :: 0",
                 run);
        assert_true(has_item(&g, want));
        assert_true(has_item(&g, "-K HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil"));
        assert_true(has_item(&g, "V HKEY_LOCAL_MACHINE\\SOFTWARE\\Odd :: Q :: 11 ::  :: 1"));
        /* 9 digits, no closing quote, no form, an unknown data form */
        assert_int_equal(s.bad, 4);
        assert_int_equal(g.nbad, 4);
        /* line 19 of the text, 24 of the file: the hex(2) and hex(7) data
         * take 2 and 3 continuation lines */
        assert_string_equal(g.bad[0], "24: dword value not 1 to 8 hex digits");
        assert_int_equal(s.version, 5);
        assert_int_equal(s.keys, 3);
        assert_int_equal(s.values, 9);
        assert_int_equal(s.deleted, 2);
        assert_int_equal(s.bad_text, 0);
    }
    /* REGEDIT4, 8-bit: hex(2) is ANSI bytes; a file ending inside a continuation */
    const char *r4 = "REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\S]\n\"E\"=hex(2):43,3a,5c,61,2e,65,78,65,00\n"
                     "\"M\"=hex(7):00,00\n\"T\"=hex:00,\\\n";
    memset(&g, 0, sizeof g);
    mm_regfile_sink sink = {reg_item, reg_bad, &g};
    assert_int_equal(mm_regfile_read_mem((const uint8_t *)r4, strlen(r4), &sink, &s), 0);
    assert_int_equal(s.version, 4);
    assert_true(has_item(&g, "V HKEY_LOCAL_MACHINE\\S :: E :: 2 :: C:\\a.exe| :: 0"));
    assert_true(has_item(&g, "V HKEY_LOCAL_MACHINE\\S :: T :: 3 ::  :: 0"));
    /* a multi-string holding no string (found by fuzz_regfile: no text, not
     * an empty one) */
    assert_true(has_item(&g, "V HKEY_LOCAL_MACHINE\\S :: M :: 7 ::  :: 0"));
    /* not a registry file; a value before any key; an empty key */
    const char *no = "Key,Value\nHKLM\\x,1\n";
    assert_int_equal(mm_regfile_read_mem((const uint8_t *)no, strlen(no), &sink, &s), 1);
    assert_false(mm_regfile_sniff((const uint8_t *)no, strlen(no)));
    assert_true(mm_regfile_sniff(b, n));
    assert_true(mm_regfile_sniff((const uint8_t *)r4, strlen(r4)));
    assert_int_equal(mm_regfile_read_mem((const uint8_t *)"", 0, &sink, &s), 1);
    const char *early = "REGEDIT4\n\"a\"=\"b\"\n[]\n[-]\n";
    memset(&g, 0, sizeof g);
    assert_int_equal(mm_regfile_read_mem((const uint8_t *)early, strlen(early), &sink, &s), 0);
    assert_int_equal(s.bad, 3);
    /* a hex value of 2 MiB in continuation lines: cut at the bound, counted */
    size_t big = 2u << 20;
    char *h = malloc(big + 256);
    assert_non_null(h);
    size_t o = (size_t)sprintf(h, "REGEDIT4\n[HKEY_LOCAL_MACHINE\\B]\n\"big\"=hex:");
    while (o < big) {
        memcpy(h + o, "00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,\\\n  ", 52);
        o += 52;
    }
    o += (size_t)sprintf(h + o, "00\n\"after\"=\"x\"\n");
    memset(&g, 0, sizeof g);
    assert_int_equal(mm_regfile_read_mem((const uint8_t *)h, o, &sink, &s), 0);
    free(h);
    assert_int_equal(s.cut, 1);
    assert_int_equal(s.bad, 0);
    assert_true(has_item(&g, "V HKEY_LOCAL_MACHINE\\B :: after :: 1 :: x| :: 0"));
}

/* ---- Autoruns ---- */

static int ar_row(void *u, const mm_autorun *a)
{
    got *g = u;
    if (g->n < 64)
        snprintf(g->items[g->n], sizeof g->items[0], "%s|%s|%s|%s|%s|%s|%llu", a->location,
                 a->entry, a->image, a->launch, a->sha256, a->signer,
                 (unsigned long long)a->line);
    g->n++;
    return 0;
}

static const char ar_csv[] =
    "\"Time\",\"Entry Location\",\"Entry\",\"Enabled\",\"Category\",\"Profile\","
    "\"Description\",\"Signer\",\"Company\",\"Image Path\",\"Version\",\"Launch String\","
    "\"MD5\",\"SHA-1\",\"PESHA-1\",\"PESHA-256\",\"SHA-256\",\"IMP\"\r\n"
    "\"\",\"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\",\"\",\"\",\"\",\"\","
    "\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"\r\n"
    "\"20240101-000000\",\"\",\"Evil\",\"enabled\",\"Logon\",\"System-wide\",\"a, \"\"b\"\"\","
    "\"(Not verified) X\",\"\",\"File not found: C:\\ProgramData\\e.exe\",\"\","
    "\"C:\\ProgramData\\e.exe /s\",\"\",\"\",\"\",\"\",\"AB\",\"\"\r\n"
    "\"\",\"Task Scheduler\",\"\\Upd\",\"enabled\",\"Tasks\",\"System-wide\",\"two\r\nlines\","
    "\"\",\"\",\"c:\\t\\u.exe\",\"\",\"c:\\t\\u.exe\",\"\",\"\",\"\",\"\",\"\",\"\"\r\n"
    "\r\n";

static void test_autoruns(void **st)
{
    (void)st;
    static uint8_t b[65536];
    size_t n = utf16(ar_csv, b, true);
    got g;
    mm_autoruns_stats s;
    for (size_t piece = 1; piece <= 4096; piece *= 64) {
        memset(&g, 0, sizeof g);
        mm_autoruns_sink sink = {ar_row, reg_bad, &g};
        mm_autoruns *a = mm_autoruns_new(&sink);
        assert_non_null(a);
        for (size_t i = 0; i < n; i += piece)
            assert_int_equal(mm_autoruns_feed(a, b + i, n - i < piece ? n - i : piece), 0);
        assert_int_equal(mm_autoruns_end(a, &s), 0);
        mm_autoruns_free(a);
        assert_int_equal(g.n, 2);
        assert_true(has_item(&g, "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run|Evil|"
                                 "C:\\ProgramData\\e.exe|C:\\ProgramData\\e.exe /s|AB|"
                                 "(Not verified) X|3"));
        assert_true(has_item(&g, "Task Scheduler|\\Upd|c:\\t\\u.exe|c:\\t\\u.exe|||4"));
        assert_int_equal(s.groups, 1);
        assert_int_equal(s.bad, 0);
        assert_false(s.tabs);
    }
    assert_true(mm_autoruns_sniff(b, n));
    /* autorunsc -ct in UTF-8: tabs, unquoted; a row with more than 64
     * fields; a quote never closed at the end */
    char t[8192];
    size_t o = (size_t)snprintf(t, sizeof t,
        "Time\tEntry Location\tEntry\tEnabled\tCategory\tImage Path\tLaunch String\tSHA-256\n"
        "x\tHKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\tOneDrive\tenabled\tLogon\t"
        "c:\\od\\onedrive.exe\t\"c:\\od\\onedrive.exe\" /background\tff\n");
    for (int i = 0; i < 70; i++)
        o += (size_t)snprintf(t + o, sizeof t - o, "f\t");
    o += (size_t)snprintf(t + o, sizeof t - o, "\n\"open\tHKLM\\x\tE\n");
    memset(&g, 0, sizeof g);
    mm_autoruns_sink sink = {ar_row, reg_bad, &g};
    assert_int_equal(mm_autoruns_read_mem((const uint8_t *)t, o, &sink, &s), 0);
    assert_true(s.tabs);
    assert_true(has_item(&g, "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run|OneDrive|"
                             "c:\\od\\onedrive.exe|\"c:\\od\\onedrive.exe\" /background|ff||2"));
    /* a quote that does not close before a tab: the field as it is */
    assert_true(has_item(&g, "HKLM\\x|E|||||4"));
    assert_int_equal(s.bad, 1);
    assert_string_equal(g.bad[0], "3: more than 64 fields");
    /* comma-separated: a quote never closed at the end of the file */
    const char *open = "Entry Location,Entry,Image Path\nHKLM\\x,E,\"c:\\a.exe\n\n";
    memset(&g, 0, sizeof g);
    assert_int_equal(mm_autoruns_read_mem((const uint8_t *)open, strlen(open), &sink, &s), 0);
    assert_int_equal(g.n, 0);
    assert_int_equal(s.bad, 1);
    assert_string_equal(g.bad[0], "2: quoted field not closed");
    /* a quote left open over more than 16 lines: the row ends there */
    char many[512];
    o = (size_t)snprintf(many, sizeof many, "Entry Location,Entry,Image Path\nHKLM\\x,\"E");
    for (int i = 0; i < 20; i++)
        o += (size_t)snprintf(many + o, sizeof many - o, "\n");
    o += (size_t)snprintf(many + o, sizeof many - o, "HKLM\\y,F,c:\\f.exe\n");
    memset(&g, 0, sizeof g);
    assert_int_equal(mm_autoruns_read_mem((const uint8_t *)many, o, &sink, &s), 0);
    assert_string_equal(g.bad[0], "2: quoted field not closed within 16 lines");
    assert_true(has_item(&g, "HKLM\\y|F|c:\\f.exe||||22"));
    /* not an export */
    const char *no = "\"Name\",\"Value\"\n\"a\",\"b\"\n";
    assert_int_equal(mm_autoruns_read_mem((const uint8_t *)no, strlen(no), &sink, &s), 1);
    assert_false(mm_autoruns_sniff((const uint8_t *)no, strlen(no)));
}

/* ---- matching ---- */

static void add(mm_iocmatch *m, mm_ioc_type t, const char *v)
{
    char out[MM_IOC_VALUE_MAX + 1], why[64];
    assert_true(mm_ioc_normalise(&t, v, strlen(v), out, sizeof out, why, sizeof why));
    mm_ioc c = {.type = t, .value = out, .set = "adv", .confidence = -1, .to_ids = true};
    assert_int_equal(mm_iocmatch_add(m, &c), 0);
}

typedef struct hits {
    char h[32][600];
    unsigned n;
} hits;

static void on_hit(void *u, const mm_sweep_hit *h)
{
    hits *x = u;
    if (x->n < 32)
        snprintf(x->h[x->n], sizeof x->h[0], "%s|%s|%s|%s|%s|%s", h->kind, h->indicator,
                 h->evidence, h->field, h->where, h->sha256 ? h->sha256 : "-");
    x->n++;
}

static bool has_hit(const hits *x, const char *prefix)
{
    for (unsigned i = 0; i < x->n && i < 32; i++)
        if (strncmp(x->h[i], prefix, strlen(prefix)) == 0)
            return true;
    for (unsigned i = 0; i < x->n && i < 32; i++)
        fprintf(stderr, "  hit %s\n", x->h[i]);
    fprintf(stderr, "  wanted %s\n", prefix);
    return false;
}

static void test_sweep_evidence(void **st)
{
    (void)st;
    mm_iocmatch *m = mm_iocmatch_new();
    assert_non_null(m);
    add(m, IOC_REGKEY, "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater");
    add(m, IOC_REGKEY, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\EvilSvc");
    add(m, IOC_REGKEY, "HKLM\\SOFTWARE\\Evil");
    add(m, IOC_FILENAME, "drop.dll");
    add(m, IOC_FILENAME, "E.EXE");
    add(m, IOC_SHA256, "abababababababababababababababababababababababababababababababab");
    const char *reg =
        "Windows Registry Editor Version 5.00\n"
        "[HKEY_USERS\\S-1-5-21-1\\Software\\Microsoft\\Windows\\CurrentVersion\\Run]\n"
        "\"Updater\"=\"C:\\\\x\\\\fine.exe\"\n"
        "\"Other\"=\"rundll32.exe C:\\\\y\\\\Drop.dll,Start\"\n"
        "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\EvilSvc\\Parameters]\n"
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil\\Sub\\Deeper]\n"
        "\"k\"=\"HKLM\\\\SOFTWARE\\\\Evil\"\n";
    hits x = {0};
    mm_sweep_opts o = {.on_hit = on_hit, .user = &x};
    mm_sweep_stats s = {0};
    assert_int_equal(mm_sweep_evidence_mem("r.reg", (const uint8_t *)reg, strlen(reg), m, &o,
                                           &s), 0);
    assert_true(has_hit(&x, "regkey|HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\"
                            "CurrentVersion\\Run\\Updater|reg|value name|r.reg:3 HKEY_USERS"));
    assert_true(has_hit(&x, "filename|drop.dll|reg|value data|r.reg:4 "));
    assert_true(has_hit(&x, "regkey|HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\"
                            "EvilSvc|reg|key|r.reg:5 [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001"));
    assert_true(has_hit(&x, "regkey|HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil|reg|key|r.reg:6 "));
    /* a key named in value data; the value's own key (line 6's hit) is not
     * told again for each of its values */
    assert_true(has_hit(&x, "regkey|HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil|reg|value data|r.reg:7 "));
    assert_int_equal(x.n, 5);
    assert_int_equal(s.hits, 5);
    assert_int_equal(s.regfiles, 1);

    static uint8_t b[65536];
    size_t n = utf16(ar_csv, b, true);
    memset(&x, 0, sizeof x);
    memset(&s, 0, sizeof s);
    add(m, IOC_SHA256, "00000000000000000000000000000000000000000000000000000000000000ab");
    assert_int_equal(mm_sweep_evidence_mem("a.csv", b, n, m, &o, &s), 0);
    assert_true(has_hit(&x, "filename|E.EXE|autoruns|Image Path|a.csv:3 HKLM\\SOFTWARE\\"
                            "Microsoft\\Windows\\CurrentVersion\\Run\\Evil|-"));
    assert_int_equal(x.n, 1);                /* once for the row: Launch String too */
    assert_int_equal(s.rows, 2);
    assert_int_equal(mm_sweep_evidence_mem("n", (const uint8_t *)"plain", 5, m, &o, &s), 1);
    mm_iocmatch_free(m);
}

static void write_file(const char *path, const void *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(d, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void test_sweep_tree(void **st)
{
    (void)st;
    char root[] = "/tmp/mm-sweep-XXXXXX";
    assert_non_null(mkdtemp(root));
    char p[512], outside[512];
    snprintf(p, sizeof p, "%s/t", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/t/sub", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/t/sub/INVOICE.pdf.exe", root);
    write_file(p, "MZ", 2);
    snprintf(p, sizeof p, "%s/t/payload.bin", root);
    write_file(p, "payload", 7);
    snprintf(p, sizeof p, "%s/t/big.bin", root);
    write_file(p, "payload-and-more", 16);
    /* a file outside the tree with an indicator's name, linked from inside */
    snprintf(outside, sizeof outside, "%s/evil.dll", root);
    write_file(outside, "x", 1);
    snprintf(p, sizeof p, "%s/t/evil.dll", root);
    assert_int_equal(symlink(outside, p), 0);
    snprintf(p, sizeof p, "%s/t/outdir", root);
    assert_int_equal(symlink(root, p), 0);
    /* SHA-256 of "payload", by nettle here and compared below */
    uint8_t dg[32];
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, 7, (const uint8_t *)"payload");
    sha256_digest(&c, 32, dg);
    char sha[65];
    for (int i = 0; i < 32; i++)
        snprintf(sha + 2 * i, 3, "%02x", dg[i]);
    mm_iocmatch *m = mm_iocmatch_new();
    add(m, IOC_FILENAME, "invoice.pdf.exe");
    add(m, IOC_FILENAME, "evil.dll");
    add(m, IOC_SHA256, sha);
    hits x = {0};
    mm_sweep_opts o = {.on_hit = on_hit, .user = &x, .max_file = 10};
    mm_sweep_stats s = {0};
    char err[256];
    snprintf(p, sizeof p, "%s/t", root);
    assert_int_equal(mm_sweep(p, m, &o, &s, err, sizeof err), 0);
    char want[700];
    snprintf(want, sizeof want, "filename|invoice.pdf.exe|file|name|%s/t/sub/INVOICE.pdf.exe|",
             root);
    assert_true(has_hit(&x, want));
    snprintf(want, sizeof want, "sha256|%s|file|sha256|%s/t/payload.bin|%s", sha, root, sha);
    assert_true(has_hit(&x, want));
    assert_int_equal(x.n, 2);               /* the links are not followed */
    assert_int_equal(s.files, 3);
    assert_int_equal(s.too_big, 1);         /* big.bin, over 10 bytes */
    assert_int_equal(s.hashed, 2);
    /* one file as the root */
    memset(&x, 0, sizeof x);
    snprintf(p, sizeof p, "%s/t/payload.bin", root);
    assert_int_equal(mm_sweep(p, m, &o, &s, err, sizeof err), 0);
    assert_int_equal(x.n, 1);
    /* a link named as the root is followed (as find and grep do) */
    memset(&x, 0, sizeof x);
    snprintf(p, sizeof p, "%s/t/evil.dll", root);
    assert_int_equal(mm_sweep(p, m, &o, &s, err, sizeof err), 0);
    assert_int_equal(x.n, 1);
    snprintf(p, sizeof p, "%s/none", root);
    assert_int_equal(mm_sweep(p, m, &o, &s, err, sizeof err), -1);
    mm_iocmatch_free(m);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evtext),         cmocka_unit_test(test_regfile),
        cmocka_unit_test(test_autoruns),       cmocka_unit_test(test_sweep_evidence),
        cmocka_unit_test(test_sweep_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
