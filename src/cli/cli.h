/*
 * cli.h - subcommands of the mimamori binary (git-style). Each parses its
 * own arguments and calls into the library; no logic lives here.
 * Exit codes: 0 ok, 1 input/runtime error, 2 usage error.
 */
#ifndef MM_CLI_H
#define MM_CLI_H

int cmd_sensor(int argc, char **argv);
int cmd_geoip(int argc, char **argv);
int cmd_segment(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_ioc(int argc, char **argv);
int cmd_hunt(int argc, char **argv);
int cmd_exposure(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_dash_serve(int argc, char **argv);   /* mimamori serve */
int cmd_status(int argc, char **argv);

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>

#include "util/config.h"

/* A command's configuration file (cli_config.c): its long options are the
 * keys, except skip; repeat: options given more than once (a list in the
 * file); join: comma lists (a list in the file, joined). */
typedef struct cli_config_spec {
    const char *cmd;
    const struct option *opts;
    const char *const *repeat, *const *join, *const *skip;
} cli_config_spec;
/* argv with the file's settings after argv[0] (*nfile arguments), before
 * the command line's. The file is --config FILE's, or the default one
 * (cli_config_default(), absent: no settings) when use_default. NULL when
 * the file is refused (the reason printed: exit 2). */
char **cli_config_argv(const cli_config_spec *spec, int argc, char **argv, bool use_default,
                       int *newargc, int *nfile);
const char *cli_config_default(void);

/* SIGINT and SIGTERM set cli_stop, which a long-running command polls. */
extern volatile sig_atomic_t cli_stop;
void cli_on_stop(void);

#endif
