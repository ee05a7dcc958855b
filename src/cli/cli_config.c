/*
 * cli_config.c - a command's configuration file (util/config.h) put
 * before its own arguments, so that getopt sees the file's settings
 * first and a flag given on the command line wins.
 *
 * The keys are the command's long options: an option without a value is
 * a yes/no setting, one with an optional value takes yes or a value, the
 * others a value (a list for the repeatable ones, joined by commas for
 * the comma-list ones).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_config.h"

static bool listed(const char *const *names, const char *n)
{
    for (int i = 0; names && names[i]; i++)
        if (strcmp(names[i], n) == 0)
            return true;
    return false;
}

/* --config FILE or --config=FILE among the arguments (before "--"). */
static const char *config_arg(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            path = argv[i] + 9;
    }
    return path;
}

const char *cli_config_default(void)
{
    return MM_CONFIG_FILE;
}

char **cli_config_argv(const cli_config_spec *spec, int argc, char **argv, bool use_default,
                       int *newargc, int *nfile)
{
    static mm_cfg_args held;            /* kept to the end: options point into it */
    static char **av;
    const char *path = config_arg(argc, argv);
    bool explicit = path != NULL;
    if (!path && !use_default) {
        *newargc = argc;
        *nfile = 0;
        return argv;
    }
    if (!path)
        path = MM_CONFIG_FILE;
    size_t n = 0;
    while (spec->opts[n].name)
        n++;
    mm_cfg_key *keys = calloc(n ? n : 1, sizeof *keys);
    if (!keys) {
        fprintf(stderr, "mimamori %s: out of memory\n", spec->cmd);
        return NULL;
    }
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        const struct option *o = &spec->opts[i];
        if (listed(spec->skip, o->name))
            continue;
        keys[nk].name = o->name;
        keys[nk].kind = o->has_arg == no_argument         ? MM_CFG_FLAG
                        : o->has_arg == optional_argument ? MM_CFG_OPTVALUE
                        : listed(spec->repeat, o->name)   ? MM_CFG_LIST
                        : listed(spec->join, o->name)     ? MM_CFG_JOIN
                                                          : MM_CFG_VALUE;
        nk++;
    }
    char err[600];
    int r = mm_config_load(path, !explicit, keys, nk, &held, err, sizeof err);
    free(keys);
    if (r < 0) {
        fprintf(stderr, "mimamori %s: %s\n", spec->cmd, err);
        return NULL;
    }
    if (held.argc == 0) {
        *newargc = argc;
        *nfile = 0;
        return argv;
    }
    av = calloc((size_t)argc + (size_t)held.argc + 1, sizeof *av);
    if (!av) {
        fprintf(stderr, "mimamori %s: out of memory\n", spec->cmd);
        return NULL;
    }
    av[0] = argv[0];
    memcpy(av + 1, held.argv, (size_t)held.argc * sizeof *av);
    memcpy(av + 1 + held.argc, argv + 1, (size_t)(argc - 1) * sizeof *av);
    *newargc = argc + held.argc;
    *nfile = held.argc;
    return av;
}
