/* Fuzz target: the line-based indicator readers (plain lists, CSV and
 * abuse.ch CSV, Suricata datasets and IP reputation, mimamori's own file)
 * and the matcher. Byte 0 picks the format (and the type of a plain or
 * dataset file); the rest is the file. Every indicator read must be in
 * normal form (normalising it again gives the same value and type), must
 * go into the matcher, and must then be found there by its own value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioc/ioc.h"
#include "ioc/match.h"
#include "ioc/obs.h"

static mm_iocmatch *fz_m;

static int on_add(void *u, const mm_ioc *c)
{
    (void)u;
    char again[MM_IOC_VALUE_MAX + 1], why[128];
    mm_ioc_type t = c->type;
    if (!mm_ioc_normalise(&t, c->value, strlen(c->value), again, sizeof again, why, sizeof why)) {
        fprintf(stderr, "normal form refused on second pass: %s (%s)\n", c->value, why);
        abort();
    }
    if (t != c->type || strcmp(again, c->value) != 0) {
        fprintf(stderr, "not idempotent: %s %s -> %s %s\n", mm_ioc_type_name(c->type), c->value,
                mm_ioc_type_name(t), again);
        abort();
    }
    if (mm_iocmatch_add(fz_m, c) != 0)
        abort();
    /* the value is found by what the traffic would show */
    uint32_t r = 0;
    mm_ip ip;
    switch (c->type) {
    case IOC_IPV4:
    case IOC_IPV6:
        if (mm_ip_parse(c->value, &ip))
            r = mm_iocmatch_ip(fz_m, &ip);
        else
            abort();
        break;
    case IOC_DOMAIN:
        r = mm_iocmatch_domain(fz_m, c->value, strlen(c->value));
        break;
    case IOC_CIDR:
    case IOC_URL:
        r = 1;              /* looked up below through other paths */
        break;
    default:
        r = mm_iocmatch_value(fz_m, c->type, c->value, strlen(c->value));
        break;
    }
    if (!r) {
        fprintf(stderr, "not found after adding: %s %s\n", mm_ioc_type_name(c->type), c->value);
        abort();
    }
    char k[MM_IOC_VALUE_MAX + 8];
    mm_obs_kind kind = mm_obs_kind_of(c->type);
    if (kind != OBS__COUNT && c->type != IOC_CIDR)
        (void)mm_obs_key(kind, c->value, strlen(c->value), k, sizeof k);
    return 0;
}

static void on_bad(void *u, const char *where, const char *why)
{
    (void)u;
    if (!where || !why)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const mm_ioc_format fmts[] = {IOC_FMT_AUTO,    IOC_FMT_PLAIN,   IOC_FMT_CSV,
                                         IOC_FMT_URLHAUS, IOC_FMT_FEODO,   IOC_FMT_DATASET,
                                         IOC_FMT_IPREP,   IOC_FMT_MIMAMORI};
    mm_ioc_read_opts o = {.format = fmts[data[0] % 8], .now_us = 1},
                     oo = {.type = (mm_ioc_type)((data[0] >> 3) % IOC__COUNT)};
    o.type = oo.type;
    if (o.format == IOC_FMT_AUTO && o.type)
        o.format = IOC_FMT_PLAIN;
    fz_m = mm_iocmatch_new();
    if (!fz_m)
        abort();
    mm_ioc_sink s = {on_add, on_bad, NULL};
    mm_ioc_read_stats st = {0};
    char err[256];
    (void)mm_ioc_read_mem("fuzz", (const char *)data + 1, size - 1, &o, &s, &st, err, sizeof err);
    /* lookups with the input's own bytes */
    char name[300];
    size_t n = size - 1 < sizeof name - 1 ? size - 1 : sizeof name - 1;
    memcpy(name, data + 1, n);
    name[n] = 0;
    (void)mm_iocmatch_domain(fz_m, name, strlen(name));
    (void)mm_iocmatch_url(fz_m, name, "/");
    (void)mm_iocmatch_value(fz_m, IOC_EMAIL, name, strlen(name));
    mm_ip ip;
    memset(&ip, 0, sizeof ip);
    ip.v = (data[0] & 1) ? 6 : 4;
    memcpy(ip.b, data + 1, size - 1 < 16 ? size - 1 : 16);
    (void)mm_iocmatch_ip(fz_m, &ip);
    char k[MM_IOC_VALUE_MAX + 8];
    (void)mm_obs_key(OBS_DOMAIN, name, strlen(name), k, sizeof k);
    (void)mm_ioc_url_key(name, strlen(name), k, sizeof k);
    mm_iocmatch_free(fz_m);
    return 0;
}
