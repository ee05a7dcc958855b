/*
 * Unit tests: `mimamori watch` (src/watch/): the WebShell classifier on
 * samples written here (WebShells of several kinds, and ordinary pages
 * that must not be called one), double extensions and scripts in images;
 * the file set; the baseline compared with a walk of a temporary tree
 * (added, changed, removed, which fields changed), the state file's round
 * trip and its refusal of damaged files; symbolic links not followed.
 */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "watch/baseline.h"
#include "watch/tree.h"
#include "watch/webshell.h"

static mw_class cls(const char *name, const char *content)
{
    mw_class c;
    mw_classify(name, (const uint8_t *)content, content ? strlen(content) : 0, &c);
    return c;
}

static bool has(const mw_class *c, int bit)
{
    return (c->reasons & (1u << bit)) != 0;
}

static void test_webshells(void **state)
{
    (void)state;
    static const char *const shells[][2] = {
        {"x.php", "<?php @eval($_POST['cmd']); ?>"},
        {"a/b.php", "<?php\n  assert( $_REQUEST [\"z\"] );\n"},
        {"s.php", "<?php system($_GET['c']); ?>"},
        {"s2.php", "<?php echo shell_exec($_SERVER['HTTP_X_CMD']); ?>"},
        {"cc.php", "<?php @$_GET['a']($_POST['b']); ?>"},
        {"e.php", "<?php preg_replace('/.*/e', $_POST['x'], ''); ?>"},
        {"o.php", "<?php eval(gzinflate(base64_decode('7b1pm+M2kjD4ff4VKHZNFaMriaQO3TJ/sZpfJL'))); ?>"},
        {"w.php", "<?php $auth_pass=''; $default_action = 'FilesMan'; ?>"},
        {"cmd.jsp", "<%Runtime.getRuntime().exec(request.getParameter(\"cmd\"));%>"},
        {"c.asp", "<%eval request(\"pass\")%>"},
        {"c.aspx", "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"pass\"],\"unsafe\");%>"},
        {"x.asp", "<% Execute(Request(\"x\")) %>"},
        {"k.php", "<?php $f = create_function('', base64_decode('ZXZhbCgkX1BPU1RbJ3gnXSk7ZXZhbCgkX1BPU1RbJ3gnXSk7ZXZhbCgkX1BPU1RbJ3gnXSk7')); $f(); ?>"},
    };
    for (size_t i = 0; i < sizeof shells / sizeof *shells; i++) {
        mw_class c = cls(shells[i][0], shells[i][1]);
        if (c.kind != MW_K_WEBSHELL)
            fail_msg("%s: kind %s, want webshell", shells[i][0], mw_kind_name(c.kind));
        assert_int_equal(c.severity, 1);
        assert_non_null(mw_class_sig(c.kind));
        assert_int_equal(mw_class_sig(c.kind)->sid, 8700301);
    }
    mw_class c = cls("x.php", "<?php @eval($_POST['cmd']); ?>");
    assert_true(has(&c, MW_R_EXEC_REQUEST));
    c = cls("w.php", "<?php $default_action = 'FilesMan'; ?>");
    assert_true(has(&c, MW_R_KNOWN_SHELL));
}

static void test_benign(void **state)
{
    (void)state;
    /* ordinary pages: scripts, not WebShells */
    static const char *const pages[][2] = {
        {"index.php", "<?php\n/* front page */\nrequire __DIR__ . '/wp-blog-header.php';\n"
                      "$title = htmlspecialchars($_GET['q'] ?? '');\necho \"<h1>$title</h1>\";\n"},
        {"contact.php", "<?php\nif ($_SERVER['REQUEST_METHOD'] === 'POST') {\n"
                        "  $name = trim($_POST['name']);\n  mail('a@example.jp', 'contact', $name);\n}\n"
                        "$img = base64_decode($row['thumb']);\n?>\n<form method=post></form>\n"},
        {"admin/backup.php", "<?php\n$out = passthru('/usr/bin/mysqldump shop > /tmp/shop.sql');\n?>"},
        {"app.jsp", "<%@ page contentType=\"text/html\" %><p><%= request.getParameter(\"n\") %></p>"},
        {"retrieval.php", "<?php $x = retrieval($_POST['a']); $y->eval($_GET['b']); ?>"},
    };
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        mw_class c = cls(pages[i][0], pages[i][1]);
        if (c.kind != MW_K_SCRIPT)
            fail_msg("%s: kind %s, want script", pages[i][0], mw_kind_name(c.kind));
        assert_int_equal(c.severity, 3);
        assert_int_equal(mw_class_sig(c.kind)->sid, 8700300);
    }
    /* not web content at all */
    mw_class c = cls("style.css", "body { color: red }");
    assert_int_equal(c.kind, MW_K_NONE);
    assert_null(mw_class_sig(c.kind));
    c = cls("logo.png", "\x89PNG\r\n\x1a\n<%\x01\x80 random bytes");
    assert_int_equal(c.kind, MW_K_NONE);        /* "<%" in binary is no code */
    c = cls("notes.txt", "passthru( something )");
    assert_int_equal(c.kind, MW_K_NONE);        /* one weak sign, not run */
    /* a page with an inline picture: a data: URI is not an encoded payload */
    static char big[20000];
    strcpy(big, "<?php echo 1; ?><img src=\"data:image/png;base64,");
    size_t l = strlen(big);
    memset(big + l, 'A', 12000);
    strcpy(big + l + 12000, "\"> <?php $s = base64_decode($x); ?>");
    c = cls("page.php", big);
    assert_int_equal(c.kind, MW_K_SCRIPT);
    assert_false(has(&c, MW_R_LONG_B64));
    /* ... but a long run inside code is */
    memcpy(big, "<?php $p='", 10);
    memset(big + 10, 'Q', 9000);
    strcpy(big + 9010, "'; $q = gzinflate(str_rot13($p)); ?>");
    c = cls("p.php", big);
    assert_int_equal(c.kind, MW_K_WEBSHELL);    /* long run + decoding chain */
    assert_true(has(&c, MW_R_LONG_B64));
    assert_true(has(&c, MW_R_DECODE_CHAIN));
}

static void test_disguised(void **state)
{
    (void)state;
    mw_class c = cls("x.jpg.php", "<?php echo 'hello'; ?>");
    assert_int_equal(c.kind, MW_K_DOUBLE_EXT);
    assert_int_equal(c.severity, 2);
    assert_int_equal(mw_class_sig(c.kind)->sid, 8700302);
    assert_true(has(&c, MW_R_DOUBLE_EXT));
    c = cls("photo.php.jpg", "\xff\xd8\xff\xe0 <?php echo 1; ?>");
    assert_int_equal(c.kind, MW_K_SCRIPT_IN_IMAGE);     /* both; the image wins */
    assert_true(has(&c, MW_R_DOUBLE_EXT));
    c = cls("photo.php.pdf", "%PDF-1.4 <?php echo 1; ?>");
    assert_int_equal(c.kind, MW_K_DOUBLE_EXT);
    c = cls("photo.php.jpg", "\xff\xd8\xff\xe0 plain image data");
    assert_int_equal(c.kind, MW_K_NONE);
    c = cls("shell.asp;.jpg", "<% response.write(1) %>");
    assert_int_equal(mw_class_sig(c.kind)->sid, 8700302);
    assert_true(has(&c, MW_R_DOUBLE_EXT));
    c = cls("img/logo.gif", "GIF89a;<?php echo 'x'; ?>");
    assert_int_equal(c.kind, MW_K_SCRIPT_IN_IMAGE);
    assert_int_equal(c.severity, 1);            /* in an image directory: raised */
    assert_true(has(&c, MW_R_UPLOAD_DIR));
    c = cls("favicon.ico", "\x01\x02\x03<?= `id` ?>");
    assert_int_equal(c.kind, MW_K_SCRIPT_IN_IMAGE);
    c = cls("g.gif", "GIF89a;<?php @eval($_POST[1]); ?>");
    assert_int_equal(c.kind, MW_K_WEBSHELL);    /* the worst of what it is */
    assert_true(has(&c, MW_R_IMAGE_CODE));
    c = cls("wp-content/uploads/2024/a.php", "<?php echo 1;");
    assert_int_equal(c.kind, MW_K_SCRIPT);
    assert_int_equal(c.severity, 2);
    c = cls(".htaccess", "AddType application/x-httpd-php .jpg\n");
    assert_int_equal(c.kind, MW_K_SCRIPT);
    assert_true(has(&c, MW_R_HANDLER_CONFIG));
    c = cls("README", NULL);
    assert_int_equal(c.kind, MW_K_NONE);
    for (int k = MW_K_NONE; k <= MW_K_WEBSHELL; k++)
        assert_non_null(mw_kind_name(k));
}

static void test_set(void **state)
{
    (void)state;
    mw_set s;
    mw_set_init(&s);
    char p[64];
    for (int i = 0; i < 5000; i++) {
        snprintf(p, sizeof p, "d%d/f%d.php", i % 17, i);
        mw_entry *e = mw_set_put(&s, p);
        assert_non_null(e);
        e->size = (uint64_t)i;
    }
    assert_int_equal(s.n, 5000);
    for (int i = 0; i < 5000; i += 7) {
        snprintf(p, sizeof p, "d%d/f%d.php", i % 17, i);
        mw_entry *e = mw_set_find(&s, p);
        assert_non_null(e);
        assert_int_equal(e->size, (uint64_t)i);
        mw_set_del(&s, p);
        assert_null(mw_set_find(&s, p));
    }
    /* put again after delete: a new live entry */
    mw_entry *e = mw_set_put(&s, "d0/f0.php");
    assert_non_null(e);
    assert_int_equal(e->size, 0);
    assert_true(mw_set_compact(&s));
    assert_int_equal(s.dead, 0);
    assert_non_null(mw_set_find(&s, "d0/f0.php"));
    assert_non_null(mw_set_find(&s, "d1/f1.php"));
    assert_null(mw_set_find(&s, "d7/f7.php"));
    mw_set_free(&s);
}

static void put(const char *dir, const char *rel, const char *content)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

typedef struct seen {
    char path[32][64];
    int action[32];
    unsigned changed[32];
    int n;
} seen;

static void on_change(void *u, const mw_change *c)
{
    seen *s = u;
    assert_true(s->n < 32);
    snprintf(s->path[s->n], sizeof s->path[0], "%s", c->path);
    s->action[s->n] = c->action;
    s->changed[s->n] = c->changed;
    s->n++;
}

static int find_seen(const seen *s, const char *path)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->path[i], path) == 0)
            return i;
    return -1;
}

static void test_compare(void **state)
{
    (void)state;
    char dir[] = "/tmp/mm-watch-unit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[1024];
    snprintf(p, sizeof p, "%s/sub", dir);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/skip", dir);
    assert_int_equal(mkdir(p, 0755), 0);
    put(dir, "a.txt", "one");
    put(dir, "sub/b.php", "<?php echo 1;");
    put(dir, "sub/c.html", "<p>x</p>");
    put(dir, "skip/x.log", "log");
    put(dir, "gone.txt", "bye");
    /* a link out of the tree: not followed, not recorded */
    snprintf(p, sizeof p, "%s/out", dir);
    assert_int_equal(symlink("/etc", p), 0);
    snprintf(p, sizeof p, "%s/passwd", dir);
    assert_int_equal(symlink("/etc/passwd", p), 0);

    static const char *const excl[] = {"skip"};
    mw_walk_opt o = {.max_file = 1 << 20, .exclude = excl, .nexclude = 1};
    mw_root r = {.path = dir};
    mw_set_init(&r.set);
    mw_walk_stats ws;
    char err[256];
    assert_int_equal(mw_walk(dir, &o, &r.set, &ws, err, sizeof err), 0);
    assert_int_equal(ws.files, 4);
    assert_null(mw_set_find(&r.set, "passwd"));
    assert_null(mw_set_find(&r.set, "skip/x.log"));
    mw_entry *b = mw_set_find(&r.set, "sub/b.php");
    assert_non_null(b);
    assert_int_equal(b->kind, MW_K_SCRIPT);

    /* the state file round trip */
    char st[1100];
    snprintf(st, sizeof st, "%s/.state", dir);
    assert_int_equal(mw_state_save(st, &r, 1, err, sizeof err), 0);
    mw_root back = {.path = dir};
    mw_set_init(&back.set);
    assert_int_equal(mw_state_load(st, &back, 1, err, sizeof err), 1);
    assert_true(back.known);
    assert_int_equal(back.set.n, r.set.n);
    mw_entry *bb = mw_set_find(&back.set, "sub/b.php");
    assert_non_null(bb);
    assert_memory_equal(bb->sha, b->sha, 32);
    assert_int_equal(bb->mode, b->mode);
    assert_int_equal(bb->mtime_ns, b->mtime_ns);
    assert_int_equal(bb->kind, b->kind);

    /* changes */
    put(dir, "a.txt", "two!");
    snprintf(p, sizeof p, "%s/sub/c.html", dir);
    assert_int_equal(chmod(p, 0600), 0);
    snprintf(p, sizeof p, "%s/gone.txt", dir);
    assert_int_equal(unlink(p), 0);
    put(dir, "sub/new.php", "<?php @eval($_POST['x']);");
    mw_set fresh;
    mw_set_init(&fresh);
    o.exclude = NULL;
    o.nexclude = 0;
    static const char *const excl2[] = {"skip", ".state"};
    o.exclude = excl2;
    o.nexclude = 2;
    assert_int_equal(mw_walk(dir, &o, &fresh, &ws, err, sizeof err), 0);
    seen s = {0};
    size_t n = mw_compare(&back.set, &fresh, on_change, &s);
    assert_int_equal(n, 4);
    int i = find_seen(&s, "a.txt");
    assert_true(i >= 0);
    assert_int_equal(s.action[i], MW_A_CHANGED);
    assert_true(s.changed[i] & MW_C_SIZE);
    assert_true(s.changed[i] & MW_C_SHA);
    assert_false(s.changed[i] & MW_C_MODE);
    i = find_seen(&s, "sub/c.html");
    assert_true(i >= 0);
    assert_int_equal(s.action[i], MW_A_CHANGED);
    assert_int_equal(s.changed[i] & ~(unsigned)MW_C_MTIME, MW_C_MODE);
    i = find_seen(&s, "gone.txt");
    assert_true(i >= 0);
    assert_int_equal(s.action[i], MW_A_REMOVED);
    i = find_seen(&s, "sub/new.php");
    assert_true(i >= 0);
    assert_int_equal(s.action[i], MW_A_ADDED);
    assert_int_equal(mw_set_find(&fresh, "sub/new.php")->kind, MW_K_WEBSHELL);
    assert_int_equal(find_seen(&s, "sub/b.php"), -1);

    /* the same tree again: nothing */
    seen s2 = {0};
    assert_int_equal(mw_compare(&fresh, &fresh, on_change, &s2), 0);

    /* one file looked at afresh (live) */
    mw_entry one;
    int en;
    assert_int_equal(mw_stat_one(dir, "sub/new.php", &o, &one, &en), 1);
    assert_memory_equal(one.sha, mw_set_find(&fresh, "sub/new.php")->sha, 32);
    assert_int_equal(mw_stat_one(dir, "out/passwd", &o, &one, &en), 0);
    assert_int_equal(mw_stat_one(dir, "passwd", &o, &one, &en), 0);
    assert_int_equal(mw_stat_one(dir, "../etc/passwd", &o, &one, &en), 0);
    assert_int_equal(mw_stat_one(dir, "skip/x.log", &o, &one, &en), 0);

    /* a damaged state file is refused, not taken for a smaller tree */
    FILE *f = fopen(st, "r+");
    assert_non_null(f);
    assert_int_equal(fseek(f, -2, SEEK_END), 0);
    fputs("X\n", f);
    fclose(f);
    mw_root again = {.path = dir};
    mw_set_init(&again.set);
    assert_int_equal(mw_state_load(st, &again, 1, err, sizeof err), -1);
    assert_false(again.known);
    assert_int_equal(again.set.n, 0);
    snprintf(p, sizeof p, "%s/missing", dir);
    assert_int_equal(mw_state_load(p, &again, 1, err, sizeof err), 0);

    mw_set_free(&fresh);
    mw_set_free(&r.set);
    mw_set_free(&back.set);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webshells),
        cmocka_unit_test(test_benign),
        cmocka_unit_test(test_disguised),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
