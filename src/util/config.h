/*
 * config.h - the configuration file (/etc/mimamori/mimamori.yaml) as
 * command-line arguments.
 *
 * The file is one YAML mapping whose keys are a command's long options
 * ("interface", "site", "home-net", "rules" ...; '_' may stand for '-').
 * Each setting becomes arguments: "key: value" gives "--key value", a list
 * gives one "--key item" per item, "key: yes" gives "--key" for an option
 * that takes no value, and an empty value leaves the setting out. The
 * command parses these before its own arguments, so a flag wins over the
 * file.
 *
 * The reader is a parser of hostile input: at most MM_CFG_MAX_BYTES, keys
 * holding a value or a list of values and nothing deeper, no aliases,
 * bounded counts and lengths; every refusal is one line naming the line
 * of the file.
 */
#ifndef MM_CONFIG_H
#define MM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define MM_CFG_MAX_BYTES (1u << 20)     /* the whole file */
#define MM_CFG_MAX_VALUE 4096           /* one value */
#define MM_CFG_MAX_ITEMS 256            /* items of one list */
#define MM_CFG_MAX_ARGS 4096            /* arguments made in all */

/* What a key takes. */
enum {
    MM_CFG_VALUE,       /* one value: --key value */
    MM_CFG_LIST,        /* a value or a list: --key item, repeated */
    MM_CFG_JOIN,        /* a value or a list joined by commas: --key a,b */
    MM_CFG_FLAG,        /* yes or no: --key when yes */
    MM_CFG_OPTVALUE,    /* yes, or a value: --key, or --key=value */
};

typedef struct mm_cfg_key {
    const char *name;   /* the long option, without "--" */
    int kind;           /* MM_CFG_* */
} mm_cfg_key;

typedef struct mm_cfg_args {
    char **argv;        /* "--key", "value" ... (argc strings, then NULL) */
    int argc;
} mm_cfg_args;

/* Parses text[0..len) against keys (NULL: any key, each a value or a
 * list). 0 with out filled, or -1 with a one-line err ("line 3: ..."). */
int mm_config_parse(const char *text, size_t len, const mm_cfg_key *keys, size_t nkeys,
                    mm_cfg_args *out, char *err, size_t errlen);
/* The same from a file: 1 read, 0 the file does not exist and missing_ok
 * (out empty), -1 with err ("PATH: line 3: ..."). */
int mm_config_load(const char *path, bool missing_ok, const mm_cfg_key *keys, size_t nkeys,
                   mm_cfg_args *out, char *err, size_t errlen);
void mm_cfg_args_free(mm_cfg_args *a);
/* The values of --name in a (made with keys NULL: every setting a pair
 * "--key value"), in order: calls cb for each. */
void mm_cfg_args_each(const mm_cfg_args *a, const char *name,
                      void (*cb)(void *user, const char *value), void *user);

#endif
