/*
 * serve_cmd.c - `mimamori serve`: the dashboard (src/dash).
 */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "dash/dash.h"
#include "report/render.h"
#include "util/util.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: mimamori serve --db DB --listen ADDR:PORT [--tls-cert F --tls-key F] [options]\n"
"       mimamori serve --routes\n"
"\n"
"The dashboard: one web server for the analysts (every company, the\n"
"survey) and for each company's users (their own report, alerts and\n"
"explanations, the survey anonymised). Accounts: mimamori user.\n"
"\n"
"  --db PATH|URL         SQLite file (default mimamori.db) or postgresql://...\n"
"  --listen ADDR:PORT    127.0.0.1:8080, [::]:8080 (both families); port 0:\n"
"                        any free port (the one bound is printed)\n"
"  --trusted-proxy CIDR  a reverse proxy whose X-Forwarded-For is believed\n"
"                        (repeatable)\n"
"  --tls-cert FILE       HTTPS: the certificate (PEM, the chain after it) and\n"
"  --tls-key FILE        its key (PEM); TLS 1.2 and 1.3; cookies are Secure\n"
"  --secure-cookies      mark cookies Secure without --tls-cert (the browser\n"
"                        reaches the server over HTTPS, through a proxy)\n"
"  --tz ZONE             time zone of the pages (default Asia/Tokyo)\n"
"  --geoip PATH          country data for names (default: the default data)\n"
"  --routes              print every route with its access kind and exit\n"
"  -h, --help            this help\n"
"\n"
"Logins: 10 failures in a row lock an account for 15 minutes; attempts are\n"
"rate limited per address. A session ends 30 minutes after its last use,\n"
"12 hours after the login, at logout or at a password change.\n");
}

/* A PEM file's text (at most 1 MiB), NULL with a message. */
static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "mimamori serve: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1u << 20;
    char *b = malloc(cap + 1);
    size_t n = b ? fread(b, 1, cap + 1, f) : 0;
    bool bad = !b || ferror(f) || n > cap || n == 0 || memchr(b, 0, n) ||
               !memmem(b, n, "-----BEGIN ", 11);
    fclose(f);
    if (bad) {
        fprintf(stderr, "mimamori serve: %s: not a PEM file (or over 1 MiB)\n", path);
        free(b);
        return NULL;
    }
    b[n] = 0;
    return b;
}

int cmd_dash_serve(int argc, char **argv)
{
    enum { O_DB = 256, O_LISTEN, O_PROXY, O_SECURE, O_TZ, O_GEO, O_ROUTES, O_CERT, O_KEY };
    static const struct option opts[] = {
        {"db", required_argument, 0, O_DB},         {"listen", required_argument, 0, O_LISTEN},
        {"trusted-proxy", required_argument, 0, O_PROXY},
        {"secure-cookies", no_argument, 0, O_SECURE}, {"tz", required_argument, 0, O_TZ},
        {"geoip", required_argument, 0, O_GEO},     {"routes", no_argument, 0, O_ROUTES},
        {"tls-cert", required_argument, 0, O_CERT}, {"tls-key", required_argument, 0, O_KEY},
        {"help", no_argument, 0, 'h'},              {0, 0, 0, 0},
    };
    mm_dash_config c;
    mm_dash_config_defaults(&c);
    c.web.max_resp = 32u << 20;     /* a PDF report */
    char proxies[1024] = "";
    bool routes = false;
    const char *cert_path = NULL, *key_path = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case O_DB: c.db = optarg; break;
        case O_LISTEN: c.web.listen = optarg; break;
        case O_PROXY: {
            size_t l = strlen(proxies);
            if (l + strlen(optarg) + 2 > sizeof proxies) {
                fprintf(stderr, "mimamori serve: too many --trusted-proxy\n");
                return 2;
            }
            snprintf(proxies + l, sizeof proxies - l, "%s%s", l ? "," : "", optarg);
            break;
        }
        case O_SECURE: c.secure = true; break;
        case O_TZ: c.tz = optarg; break;
        case O_GEO: c.geoip = optarg; break;
        case O_ROUTES: routes = true; break;
        case O_CERT: cert_path = optarg; break;
        case O_KEY: key_path = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    if (routes)
        return mm_dash_print_routes(stdout) == 0 ? 0 : 1;
    if (!c.web.listen) {
        fprintf(stderr, "mimamori serve: --listen ADDR:PORT is needed (see --help)\n");
        return 2;
    }
    if (proxies[0])
        c.web.trusted_proxies = proxies;
    if (!cert_path != !key_path) {
        fprintf(stderr, "mimamori serve: --tls-cert and --tls-key go together\n");
        return 2;
    }
    char *cert = NULL, *key = NULL;
    if (cert_path && (!(cert = read_pem(cert_path)) || !(key = read_pem(key_path)))) {
        free(cert);
        return 1;
    }
    c.web.tls_cert_pem = cert;
    c.web.tls_key_pem = key;
    if (cert)
        c.secure = true;
    if (c.geoip && !strcmp(c.geoip, "default"))
        c.geoip = NULL;
    setenv("TZ", c.tz, 1);
    tzset();
    char err[512];
    mm_dash *d = mm_dash_new(&c, err, sizeof err);
    int rc = 1;
    if (!d || !mm_dash_start(d, err, sizeof err)) {
        fprintf(stderr, "mimamori serve: %s\n", err);
        goto out;
    }
    cli_on_stop();
    fprintf(stderr, "mimamori serve: listening on port %u\n", mm_dash_port(d));
    while (!cli_stop) {
        struct timespec ts = {0, 200000000};
        nanosleep(&ts, NULL);
    }
    mm_dash_counters dc;
    mm_dash_stats(d, &dc);
    mm_web_counters wc;
    mm_web_stats(mm_dash_web(d), &wc);
    fprintf(stderr, "mimamori serve: logins %llu ok, %llu failed, %llu locked, %llu rate "
                    "limited; refused: %llu forbidden, %llu not found, %llu without a session; "
                    "requests %llu (bad %llu, too large %llu, rate %llu, csrf %llu)\n",
            (unsigned long long)dc.login_ok, (unsigned long long)dc.login_failed,
            (unsigned long long)dc.login_locked, (unsigned long long)dc.login_rate,
            (unsigned long long)dc.denied, (unsigned long long)dc.not_found,
            (unsigned long long)dc.no_session, (unsigned long long)wc.requests,
            (unsigned long long)wc.bad_request, (unsigned long long)wc.too_large,
            (unsigned long long)wc.rate_limited, (unsigned long long)wc.csrf);
    rc = 0;
out:
    mm_dash_free(d);
    rp_pdf_cleanup();
    free(cert);
    if (key) {
        sodium_memzero(key, strlen(key));
        free(key);
    }
    return rc;
}
