/* Unit tests: crash-safe segments (output/segment.c). */
#include "testutil.h"
#include "output/output.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static int setup(void **st)
{
    (void)st;
    snprintf(dir, sizeof dir, "/tmp/mm-segtest-XXXXXX");
    return mkdtemp(dir) && sodium_init() >= 0 ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Closed segment files in dir (not .open, not .state), sorted. */
static int list(char names[][256], int max)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) && n < max)
        if (de->d_name[0] != '.')
            snprintf(names[n++], 256, "%s/%s", dir, de->d_name);
    if (d)
        closedir(d);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(names[i], names[j]) > 0) {
                char t[256];
                memcpy(t, names[i], 256);
                memcpy(names[i], names[j], 256);
                memcpy(names[j], t, 256);
            }
    return n;
}

static int lines;
static int count_line(void *u, const char *l, size_t n)
{
    (void)u;
    assert_true(n > 0 && l[0] == '{');
    lines++;
    return 0;
}

static void write_events(mm_segw *w, int n)
{
    char line[128];
    for (int i = 0; i < n; i++) {
        int k = snprintf(line, sizeof line, "{\"event_type\":\"test\",\"i\":%d}\n", i);
        assert_int_equal(mm_segw_write(w, line, (size_t)k), 0);
    }
}

static void test_rotate_and_verify(void **st)
{
    (void)st;
    char err[256];
    mm_seg_config c = {.dir = dir, .site = "acme", .sensor = "s1", .max_bytes = 4096,
                       .max_age_ns = 3600ULL * 1000000000ULL, .sync_bytes = 1024};
    mm_segw *w = mm_segw_open(&c, err, sizeof err);
    assert_non_null(w);
    write_events(w, 500);             /* ~15 KB: several segments */
    assert_int_equal(mm_segw_close(w, err, sizeof err), 0);
    char names[64][256];
    int n = list(names, 64);
    assert_true(n >= 3);
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        mm_seg_info info;
        lines = 0;
        assert_int_equal(mm_seg_read(names[i], NULL, NULL, count_line, NULL, &info, err, sizeof err), 0);
        assert_string_equal(info.site, "acme");
        assert_string_equal(info.sensor, "s1");
        assert_int_equal(info.seq, (uint64_t)i);
        assert_int_equal((uint64_t)lines, info.events);
        assert_false(info.recovered);
        total += info.events;
    }
    assert_int_equal(total, 500);

    /* One flipped byte in an event: the checksum must catch it. */
    int fd = open(names[0], O_RDWR);
    char ch;
    assert_int_equal(pread(fd, &ch, 1, 150), 1);
    ch ^= 0x01;
    assert_int_equal(pwrite(fd, &ch, 1, 150), 1);
    close(fd);
    mm_seg_info info;
    assert_int_equal(mm_seg_read(names[0], NULL, NULL, NULL, NULL, &info, err, sizeof err), -1);

    /* A segment cut short (no end line) is refused. */
    struct stat sb;
    stat(names[1], &sb);
    assert_int_equal(truncate(names[1], sb.st_size - 30), 0);
    assert_int_equal(mm_seg_read(names[1], NULL, NULL, NULL, NULL, &info, err, sizeof err), -1);
}

static void test_crash_recovery_and_sequence(void **st)
{
    (void)st;
    char err[256];
    mm_seg_config c = {.dir = dir, .site = "acme", .sensor = "s1", .max_bytes = 1 << 20,
                       .max_age_ns = 3600ULL * 1000000000ULL, .sync_bytes = 1};
    mm_segw *w = mm_segw_open(&c, err, sizeof err);
    write_events(w, 10);
    /* Simulate a power cut: the writer never closes; half a line follows. */
    char part[512] = "";
    char od[300];
    snprintf(od, sizeof od, "%s/.open", dir);
    DIR *d = opendir(od);
    struct dirent *de;
    while ((de = readdir(d)))
        if (strstr(de->d_name, ".part"))
            snprintf(part, sizeof part, "%s/%s", od, de->d_name);
    closedir(d);
    assert_true(part[0]);
    FILE *f = fopen(part, "a");
    fputs("{\"event_type\":\"cut in the mid", f);
    fclose(f);
    free(w); /* abandon it, as a crash would (the fd leaks like in a crash) */

    mm_segw *w2 = mm_segw_open(&c, err, sizeof err);
    assert_non_null(w2);
    write_events(w2, 3);
    assert_int_equal(mm_segw_close(w2, err, sizeof err), 0);
    char names[8][256];
    int n = list(names, 8);
    assert_int_equal(n, 2);
    mm_seg_info info;
    lines = 0;
    assert_int_equal(mm_seg_read(names[0], NULL, NULL, count_line, NULL, &info, err, sizeof err), 0);
    assert_true(info.recovered);
    assert_int_equal(info.events, 10);   /* the cut line is gone, the rest kept */
    assert_int_equal(info.seq, 0);
    assert_int_equal(mm_seg_read(names[1], NULL, NULL, NULL, NULL, &info, err, sizeof err), 0);
    assert_int_equal(info.seq, 1);       /* sequence continues after a restart */
    assert_int_equal(info.events, 3);
}

/* A write that fails half way (here the file size limit, as a full disk
 * would) is cut back to the last whole line; the events that could not be
 * written are counted and writing goes on once it can. */
static void test_write_error_cut_back(void **st)
{
    (void)st;
    char err[256];
    mm_seg_config c = {.dir = dir, .site = "acme", .sensor = "s1", .max_bytes = 1 << 20,
                       .max_age_ns = 3600ULL * 1000000000ULL, .sync_bytes = 1 << 20};
    mm_segw *w = mm_segw_open(&c, err, sizeof err);
    assert_non_null(w);
    write_events(w, 20);
    char part[512] = "", od[300];
    snprintf(od, sizeof od, "%s/.open", dir);
    DIR *d = opendir(od);
    struct dirent *de;
    while ((de = readdir(d)))
        if (strstr(de->d_name, ".part"))
            snprintf(part, sizeof part, "%s/%s", od, de->d_name);
    closedir(d);
    struct stat sb;
    assert_int_equal(stat(part, &sb), 0);
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)sb.st_size + 40;   /* one more line and a part of the next */
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int failed = 0;
    char line[128];
    for (int i = 0; i < 10; i++) {
        int k = snprintf(line, sizeof line, "{\"event_type\":\"test\",\"i\":%d}\n", 100 + i);
        failed += mm_segw_write(w, line, (size_t)k) != 0;
    }
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_int_equal(failed, 9);
    mm_seg_stats ss;
    mm_segw_stats(w, &ss);
    assert_int_equal(ss.unwritten, 9);
    assert_int_equal(stat(part, &sb), 0);
    write_events(w, 5);
    assert_int_equal(mm_segw_close(w, err, sizeof err), 0);
    char names[8][256];
    assert_int_equal(list(names, 8), 1);
    mm_seg_info info;
    lines = 0;
    assert_int_equal(mm_seg_read(names[0], NULL, NULL, count_line, NULL, &info, err, sizeof err), 0);
    assert_int_equal(info.events, 26);
    assert_int_equal(lines, 26);
}

/* Killed after a segment was made and before .state was saved: the number
 * is not handed out again, nor one below a segment already in DIR. */
static void test_sequence_never_reused(void **st)
{
    (void)st;
    char err[256], path[400];
    mm_seg_config c = {.dir = dir, .site = "acme", .sensor = "s1", .max_bytes = 1 << 20,
                       .max_age_ns = 3600ULL * 1000000000ULL, .sync_bytes = 1};
    mm_segw *w = mm_segw_open(&c, err, sizeof err);
    assert_non_null(w);
    write_events(w, 2);
    snprintf(path, sizeof path, "%s/.state", dir);
    FILE *f = fopen(path, "w");
    fputs("0\n", f);              /* the state as it was before the segment */
    fclose(f);
    free(w);                      /* killed */
    w = mm_segw_open(&c, err, sizeof err);
    assert_non_null(w);
    mm_seg_stats ss;
    mm_segw_stats(w, &ss);
    assert_int_equal(ss.recovered, 1);
    assert_int_equal(ss.seq, 1);
    assert_int_equal(mm_segw_close(w, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/s1-20260101T000000Z-00000007.eve.json", dir);
    f = fopen(path, "w");
    fclose(f);
    snprintf(path, sizeof path, "%s/.state", dir);
    f = fopen(path, "w");
    fputs("0\n", f);
    fclose(f);
    w = mm_segw_open(&c, err, sizeof err);
    assert_non_null(w);
    mm_segw_stats(w, &ss);
    assert_int_equal(ss.seq, 8);
    assert_int_equal(mm_segw_close(w, err, sizeof err), 0);
}

static void test_zstd_and_sealed(void **st)
{
    (void)st;
    char err[256];
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    unsigned char pk2[crypto_box_PUBLICKEYBYTES], sk2[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(pk, sk);
    crypto_box_keypair(pk2, sk2);
    mm_seg_config c = {.dir = dir, .site = "acme", .sensor = "s1", .max_bytes = 1 << 20,
                       .max_age_ns = 3600ULL * 1000000000ULL, .sync_bytes = 1 << 20,
                       .zstd_level = 3, .seal_pk = pk};
    mm_segw *w = mm_segw_open(&c, err, sizeof err);
    write_events(w, 2000);
    assert_int_equal(mm_segw_close(w, err, sizeof err), 0);
    char names[4][256];
    assert_int_equal(list(names, 4), 1);
    assert_non_null(strstr(names[0], ".eve.json.zst.sealed"));
    /* The plaintext must not appear in the file. */
    FILE *f = fopen(names[0], "rb");
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_null(memmem(buf, n, "event_type", 10));
    mm_seg_info info;
    assert_int_equal(mm_seg_read(names[0], NULL, NULL, NULL, NULL, &info, err, sizeof err), -1);
    assert_int_equal(mm_seg_read(names[0], pk2, sk2, NULL, NULL, &info, err, sizeof err), -1);
    lines = 0;
    assert_int_equal(mm_seg_read(names[0], pk, sk, count_line, NULL, &info, err, sizeof err), 0);
    assert_int_equal(lines, 2000);
    /* Cut the sealed file: detected. */
    assert_int_equal(truncate(names[0], (off_t)n - 5), 0);
    assert_int_equal(mm_seg_read(names[0], pk, sk, NULL, NULL, &info, err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rotate_and_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_recovery_and_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zstd_and_sealed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_error_cut_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequence_never_reused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
