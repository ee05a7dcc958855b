/*
 * geoip_cmd.c - `mimamori geoip [--geoip PATH] [--lang en|ja] IP...`
 * One line per address: address, code (or the kind of special address),
 * country name.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "analysis/geo.h"
#include "cli/cli.h"

int cmd_geoip(int argc, char **argv)
{
    static const struct option opts[] = {
        {"geoip", required_argument, 0, 'g'},
        {"lang", required_argument, 0, 'l'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *path = NULL, *lang = "en";
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'g': path = optarg; break;
        case 'l':
            if (strcmp(optarg, "en") != 0 && strcmp(optarg, "ja") != 0) {
                fprintf(stderr, "mimamori geoip: --lang: en or ja\n");
                return 2;
            }
            lang = optarg;
            break;
        case 'h':
            printf("usage: mimamori geoip [--geoip DIR|FILE.mmdb] [--lang en|ja] IP...\n"
                   "Prints: address, country code (or private, loopback, link-local,\n"
                   "multicast, reserved, unknown), country name.\n");
            return 0;
        default:
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: mimamori geoip [--geoip PATH] [--lang en|ja] IP...\n");
        return 2;
    }
    char err[512];
    mm_geo *g = mm_geo_open(path, err, sizeof err);
    if (!g) {
        fprintf(stderr, "mimamori geoip: %s\n", err);
        return 1;
    }
    int rc = 0;
    for (int i = optind; i < argc; i++) {
        mm_ip ip;
        if (!mm_ip_parse(argv[i], &ip)) {
            fprintf(stderr, "mimamori geoip: not an IP address: '%s'\n", argv[i]);
            rc = 1;
            continue;
        }
        char cc[3];
        mm_geo_kind k = mm_geo_lookup(g, &ip, cc);
        if (k == MM_GEO_COUNTRY) {
            const char *n = mm_geo_country_name(g, cc, lang);
            printf("%s\t%s\t%s\n", argv[i], cc, n ? n : "");
        } else {
            printf("%s\t%s\t\n", argv[i], mm_geo_kind_name(k));
        }
    }
    mm_geo_close(g);
    return rc;
}
