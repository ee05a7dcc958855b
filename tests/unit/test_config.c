/* Unit tests: the configuration file (util/config.c). */
#include "testutil.h"
#include "util/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const mm_cfg_key keys[] = {
    {"interface", MM_CFG_VALUE}, {"site", MM_CFG_VALUE},   {"home-net", MM_CFG_JOIN},
    {"rules", MM_CFG_LIST},      {"ioc", MM_CFG_LIST},     {"community-id", MM_CFG_FLAG},
    {"no-promisc", MM_CFG_FLAG}, {"zstd", MM_CFG_OPTVALUE}, {"output", MM_CFG_VALUE},
};
#define NKEYS (sizeof keys / sizeof keys[0])

static int parse(const char *text, mm_cfg_args *a, char *err)
{
    return mm_config_parse(text, strlen(text), keys, NKEYS, a, err, 256);
}

static void joined(const mm_cfg_args *a, char *out, size_t n)
{
    out[0] = 0;
    for (int i = 0; i < a->argc; i++) {
        if (i)
            strncat(out, " ", n - strlen(out) - 1);
        strncat(out, a->argv[i], n - strlen(out) - 1);
    }
}

static void test_settings(void **st)
{
    (void)st;
    mm_cfg_args a;
    char err[256], s[1024];
    const char *y =
        "# a sensor\n"
        "interface: eth1\n"
        "site: \"acme\"\n"
        "home_net: [10.0.0.0/8, 192.168.1.0/24]\n"
        "rules:\n  - /var/lib/mimamori/rules\n  - /etc/mimamori/local.rules\n"
        "ioc: /etc/mimamori/ioc\n"
        "community-id: yes\n"
        "no-promisc: false\n"
        "zstd: 5\n"
        "output:\n";
    assert_int_equal(parse(y, &a, err), 0);
    joined(&a, s, sizeof s);
    assert_string_equal(s, "--interface eth1 --site acme --home-net 10.0.0.0/8,192.168.1.0/24 "
                           "--rules /var/lib/mimamori/rules --rules /etc/mimamori/local.rules "
                           "--ioc /etc/mimamori/ioc --community-id --zstd=5");
    assert_null(a.argv[a.argc]);
    mm_cfg_args_free(&a);
    assert_int_equal(parse("zstd: on\n", &a, err), 0);
    joined(&a, s, sizeof s);
    assert_string_equal(s, "--zstd");
    mm_cfg_args_free(&a);
    /* empty files and empty documents hold no settings */
    assert_int_equal(parse("", &a, err), 0);
    assert_int_equal(a.argc, 0);
    assert_int_equal(parse("# nothing\n---\n", &a, err), 0);
    assert_int_equal(a.argc, 0);
    mm_cfg_args_free(&a);
}

static void expect_err(const char *y, const char *want)
{
    mm_cfg_args a;
    char err[256];
    assert_int_equal(parse(y, &a, err), -1);
    if (!strstr(err, want))
        fail_msg("'%s': got '%s', wanted '%s'", y, err, want);
    assert_null(strchr(err, '\n'));
    assert_int_equal(a.argc, 0);
    assert_null(a.argv);
}

static void test_hostile(void **st)
{
    (void)st;
    expect_err("site: a\nfoo: 1\n", "line 2: unknown key 'foo'");
    expect_err("site: a\nsite: b\n", "line 2: site given twice (first on line 1)");
    expect_err("site: [a, b]\n", "line 1: site takes one value, not a list");
    expect_err("community-id: maybe\n", "line 1: community-id: yes or no, not 'maybe'");
    expect_err("rules:\n  - [a]\n", "line 2: rules: a list inside a list is too deep");
    expect_err("rules:\n  - {a: b}\n", "line 2: rules: a mapping inside a list is too deep");
    expect_err("site:\n  name: a\n", "line 2: site: a mapping here is too deep");
    expect_err("- a\n- b\n", "line 1: the file is a mapping of settings");
    expect_err("just text\n", "line 1: the file is a mapping of settings");
    expect_err("site: &x a\noutput: *x\n", "line 2: aliases");
    expect_err("site: a\n---\nsite: b\n", "one document only");
    expect_err("site: \"a\\0b\"\n", "line 1: site: a NUL byte");
    expect_err("site: 'a\n", "line 2: found unexpected end of stream while scanning a quoted "
                              "scalar begun on line 1");
    expect_err("site: a\n  b: c\n", "line 2");
    expect_err("[a, b]: c\n", "line 1: a key is a setting's name, not a list");
    /* too large: a value, a list, the whole file */
    static char big[MM_CFG_MAX_BYTES + 16];
    memcpy(big, "site: ", 6);
    memset(big + 6, 'a', 5000);
    strcpy(big + 5006, "\n");
    expect_err(big, "line 1: site: value too large");
    char *p = big + sprintf(big, "rules:\n");
    for (int i = 0; i < MM_CFG_MAX_ITEMS + 1; i++)
        p += sprintf(p, "  - r%d\n", i);
    expect_err(big, "rules: too many items");
    memset(big, '#', MM_CFG_MAX_BYTES + 1);
    big[MM_CFG_MAX_BYTES + 1] = 0;
    expect_err(big, "too large");
    /* deep nesting is refused at its third level, however deep it goes */
    char deep[20000];
    strcpy(deep, "rules: ");
    memset(deep + 7, '[', 10000);
    deep[10007] = 0;
    expect_err(deep, "too deep");
}

static void test_load(void **st)
{
    (void)st;
    char path[] = "/tmp/mm-cfgtest-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *y = "site: a\nbogus: 1\n";
    assert_int_equal(write(fd, y, strlen(y)), (ssize_t)strlen(y));
    close(fd);
    mm_cfg_args a;
    char err[512];
    assert_int_equal(mm_config_load(path, false, keys, NKEYS, &a, err, sizeof err), -1);
    char want[600];
    snprintf(want, sizeof want, "%s: line 2: unknown key 'bogus'", path);
    assert_string_equal(err, want);
    /* any key when no table is given; values read back by name */
    assert_int_equal(mm_config_load(path, false, NULL, 0, &a, err, sizeof err), 1);
    assert_int_equal(a.argc, 4);
    mm_cfg_args_free(&a);
    unlink(path);
    assert_int_equal(mm_config_load(path, true, keys, NKEYS, &a, err, sizeof err), 0);
    assert_int_equal(a.argc, 0);
    assert_int_equal(mm_config_load(path, false, keys, NKEYS, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "No such file"));
}

static void count_cb(void *u, const char *v)
{
    (void)v;
    (*(int *)u)++;
}

static void test_each(void **st)
{
    (void)st;
    mm_cfg_args a;
    char err[256];
    const char *y = "output: /x\nsite: output\nrules: [a, b]\n";
    assert_int_equal(mm_config_parse(y, strlen(y), NULL, 0, &a, err, sizeof err), 0);
    int n = 0;
    mm_cfg_args_each(&a, "output", count_cb, &n);
    assert_int_equal(n, 1);
    n = 0;
    mm_cfg_args_each(&a, "rules", count_cb, &n);
    assert_int_equal(n, 2);
    mm_cfg_args_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_each),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
