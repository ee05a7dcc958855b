/*
 * main.c - the mimamori command: dispatch to subcommands.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "mm_config.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mimamori [--version] [--help] COMMAND [ARGS]\n"
            "\n"
            "mimamori watches over the network of a small company: a passive sensor\n"
            "that reads packets, raises alerts and writes Suricata-compatible EVE JSON.\n"
            "\n"
            "commands:\n"
            "  sensor    read captures or a live interface; write flow, anomaly and\n"
            "            stats events (mimamori sensor --help)\n"
            "  geoip     country of IP addresses (English and Japanese names)\n"
            "  segment   verify or print closed event segments (verify, cat)\n"
            "  keygen    make the key pair that seals segments for the analysis side\n"
            "  explain   what a built-in alert means and what to do (Japanese, English)\n"
            "  rules     check Suricata rule files: what loads, what is skipped and why\n"
            "  update    fetch rulesets (ET Open) and name lists over HTTPS\n"
            "  ingest    import sensor output (segments, EVE JSON) into the store\n"
            "  logs      read firewall, proxy, web, DNS, DHCP, mail and login logs\n"
            "            into EVE-shaped JSON records (parse, formats)\n"
            "  ioc       indicator sets in the store: import (STIX, MISP, CSV, lists,\n"
            "            abuse.ch, Suricata), list, show, remove, export blocklists\n"
            "  hunt      which companies and machines met given indicators, back\n"
            "            through everything the store has seen\n"
            "  exposure  what of a company the Internet can reach: scan its own\n"
            "            addresses (open, closed, filtered ports; who answers)\n"
            "  watch     web roots: files that appear, change or disappear, and\n"
            "            WebShells among them (fim events, alerts)\n"
            "  report    reports for each company and across companies (HTML, PDF,\n"
            "            JSON; Japanese and English)\n"
            "  serve     the dashboard: the analysts' and each company's web pages\n"
            "  user      the dashboard's accounts (add, passwd, remove, list)\n"
"  status    how a running sensor is doing: last segment, drops, disk,\n"
"            rules age (exit 1 when it looks stale)\n"
            "\n"
            "See mimamori(1) for details.\n");
}

volatile sig_atomic_t cli_stop;

static void on_stop_signal(int sig)
{
    (void)sig;
    cli_stop = 1;
}

void cli_on_stop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *c = argv[1];
    if (strcmp(c, "--version") == 0 || strcmp(c, "version") == 0) {
        printf("mimamori %s\n", MM_VERSION);
        return 0;
    }
    if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 || strcmp(c, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(c, "sensor") == 0)
        return cmd_sensor(argc - 1, argv + 1);
    if (strcmp(c, "geoip") == 0)
        return cmd_geoip(argc - 1, argv + 1);
    if (strcmp(c, "segment") == 0)
        return cmd_segment(argc - 1, argv + 1);
    if (strcmp(c, "keygen") == 0)
        return cmd_keygen(argc - 1, argv + 1);
    if (strcmp(c, "explain") == 0)
        return cmd_explain(argc - 1, argv + 1);
    if (strcmp(c, "rules") == 0)
        return cmd_rules(argc - 1, argv + 1);
    if (strcmp(c, "update") == 0)
        return cmd_update(argc - 1, argv + 1);
    if (strcmp(c, "ingest") == 0)
        return cmd_ingest(argc - 1, argv + 1);
    if (strcmp(c, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(c, "logs") == 0)
        return cmd_logs(argc - 1, argv + 1);
    if (strcmp(c, "ioc") == 0)
        return cmd_ioc(argc - 1, argv + 1);
    if (strcmp(c, "hunt") == 0)
        return cmd_hunt(argc - 1, argv + 1);
    if (strcmp(c, "exposure") == 0)
        return cmd_exposure(argc - 1, argv + 1);
    if (strcmp(c, "watch") == 0)
        return cmd_watch(argc - 1, argv + 1);
    if (strcmp(c, "user") == 0)
        return cmd_user(argc - 1, argv + 1);
    if (strcmp(c, "status") == 0)
        return cmd_status(argc - 1, argv + 1);
    if (strcmp(c, "serve") == 0)
        return cmd_dash_serve(argc - 1, argv + 1);
    fprintf(stderr, "mimamori: unknown command '%s' (see mimamori --help)\n", c);
    return 2;
}
