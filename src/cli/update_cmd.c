/*
 * update_cmd.c - "mimamori update": fetch rulesets and name lists.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rules/update.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mimamori update [--config FILE] [--dir DIR] [--ca FILE] [-q]\n"
            "\n"
            "Fetches the rulesets, name lists and indicator feeds the configuration\n"
            "names (HTTPS only, checksums checked), applies its enable/disable/modify\n"
            "lines and writes DIR/rules/NAME.rules, DIR/rules/classification.config,\n"
            "DIR/lists/KIND-N.txt and DIR/ioc/NAME (a feed only when it reads as\n"
            "indicators); a download that fails keeps the last good copy.\n"
            "Without --config: ET Open for Suricata 7 and the public mining-name lists\n"
            "into /var/lib/mimamori (the format is in mimamori(1)).\n"
            "\n"
            "  --config FILE   the configuration\n"
            "  --dir DIR       write here instead of the configuration's 'dir'\n"
            "  --ca FILE       trust these certificate authorities (PEM) instead of the\n"
            "                  system's\n"
            "  -q, --quiet     no progress lines\n"
            "\n"
            "Exit status: 0 all fetched, 1 a download or write failed, 2 usage or\n"
            "configuration error.\n");
}

int cmd_update(int argc, char **argv)
{
    const char *conf = NULL, *dir = NULL, *ca = NULL;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "--config") || !strcmp(a, "--dir") || !strcmp(a, "--ca")) && i + 1 < argc) {
            const char **dst = a[2] == 'c' && a[3] == 'o' ? &conf : a[2] == 'd' ? &dir : &ca;
            *dst = argv[++i];
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    char *text = NULL;
    if (conf) {
        FILE *f = fopen(conf, "r");
        if (!f) {
            perror(conf);
            return 2;
        }
        size_t cap = 1 << 16, n = 0;
        text = malloc(cap);
        while (text) {
            size_t r = fread(text + n, 1, cap - n - 1, f);
            n += r;
            if (r == 0)
                break;
            if (n + 1 == cap) {
                if (cap >= (1u << 24)) {
                    fprintf(stderr, "mimamori update: %s: too large\n", conf);
                    free(text);
                    fclose(f);
                    return 2;
                }
                char *nt = realloc(text, cap *= 2);
                if (!nt)
                    free(text);
                text = nt;
            }
        }
        fclose(f);
        if (!text) {
            fprintf(stderr, "mimamori update: out of memory\n");
            return 1;
        }
        text[n] = 0;
    }
    char err[512] = "";
    int rc = mm_update(text ? text : mm_update_default_config, dir, ca, quiet ? NULL : stdout,
                       err, sizeof err);
    if (rc)
        fprintf(stderr, "mimamori update: %s%s\n", conf && rc == 2 ? conf : "",
                conf && rc == 2 ? ": " : "");
    if (rc && err[0])
        fprintf(stderr, "mimamori update: %s\n", err);
    free(text);
    return rc;
}
