/*
 * segment_cmd.c - `mimamori segment verify|cat` and `mimamori keygen`.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "output/output.h"

static int print_line(void *u, const char *line, size_t len)
{
    (void)u;
    fwrite(line, 1, len, stdout);
    fputc('\n', stdout);
    return 0;
}

static int load_secret(const char *path, unsigned char *pk, unsigned char *sk)
{
    char err[512];
    if (mm_read_key_hex(path, sk, crypto_box_SECRETKEYBYTES, err, sizeof err) != 0) {
        fprintf(stderr, "mimamori segment: %s\n", err);
        return -1;
    }
    crypto_scalarmult_base(pk, sk);
    return 0;
}

int cmd_segment(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "cat") != 0)) {
        fprintf(stderr, "usage: mimamori segment verify|cat [--key FILE.key] SEGMENT...\n");
        return 2;
    }
    bool cat = strcmp(argv[1], "cat") == 0;
    static const struct option opts[] = {{"key", required_argument, 0, 'k'}, {0, 0, 0, 0}};
    const char *key = NULL;
    int o;
    optind = 2;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'k')
            key = optarg;
        else
            return 2;
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: mimamori segment verify|cat [--key FILE.key] SEGMENT...\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    if (key && load_secret(key, pk, sk) != 0)
        return 1;
    int rc = 0;
    for (int i = optind; i < argc; i++) {
        mm_seg_info info;
        char err[256];
        int r = mm_seg_read(argv[i], key ? pk : NULL, key ? sk : NULL, cat ? print_line : NULL,
                            NULL, &info, err, sizeof err);
        if (r != 0) {
            fprintf(stderr, "mimamori segment: %s: %s\n", argv[i], err);
            rc = 1;
        } else if (!cat) {
            printf("OK\t%s\tsite=%s sensor=%s seq=%llu events=%llu sha256=%s%s\n", argv[i],
                   info.site, info.sensor, (unsigned long long)info.seq,
                   (unsigned long long)info.events, info.sha256,
                   info.recovered ? " (recovered after a crash)" : "");
        }
    }
    sodium_memzero(sk, sizeof sk);
    return rc;
}

int cmd_keygen(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: mimamori keygen PREFIX\n"
                        "writes PREFIX.pub (give to sensors: --seal-key) and PREFIX.key\n"
                        "(keep on the analysis side: mimamori segment --key)\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(pk, sk);
    char hx[2 * crypto_box_SECRETKEYBYTES + 2];
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s.key", argv[1]);
    snprintf(p2, sizeof p2, "%s.pub", argv[1]);
    int fd = open(p1, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        fprintf(stderr, "mimamori keygen: %s: %s\n", p1, strerror(errno));
        return 1;
    }
    sodium_bin2hex(hx, sizeof hx, sk, sizeof sk);
    strcat(hx, "\n");
    bool ok = write(fd, hx, strlen(hx)) == (ssize_t)strlen(hx);
    close(fd);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(hx, sizeof hx);
    FILE *f = fopen(p2, "wx");
    if (!f || !ok) {
        fprintf(stderr, "mimamori keygen: cannot write keys\n");
        if (f)
            fclose(f);
        return 1;
    }
    sodium_bin2hex(hx, sizeof hx, pk, sizeof pk);
    fprintf(f, "%s\n", hx);
    fclose(f);
    printf("%s (secret, keep on the analysis side)\n%s (public, for --seal-key)\n", p1, p2);
    return 0;
}
