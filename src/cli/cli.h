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

#include <signal.h>

/* SIGINT and SIGTERM set cli_stop, which a long-running command polls. */
extern volatile sig_atomic_t cli_stop;
void cli_on_stop(void);

#endif
