/*
 * rules_cmd.c - "mimamori rules check FILE|DIR...": loads rule files as the
 * sensor would and prints what loaded, what was skipped and why, and how
 * often each keyword appears among loaded and skipped rules. Commented-out
 * rules are not rules and count nowhere. Exit 0 when every file could be
 * read (skipped rules are not an error), 1 when one could not, 2 on usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rules/rule.h"
#include "rules/rule_engine.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mimamori rules check [options] FILE|DIR...\n"
            "\n"
            "Loads Suricata rule files (a directory: its *.rules, and its\n"
            "classification.config when present) and prints the load summary.\n"
            "\n"
            "  --var NAME=VALUE        set an address or port variable (HOME_NET ...)\n"
            "  --classification FILE   read classtypes from FILE (Suricata's format)\n"
            "  --reputation-categories FILE  IP reputation categories (for iprep)\n"
            "  --rules-cache DIR       read and keep compiled prefilter databases here\n"
            "                          (those unused for 14 days are removed)\n"
            "  -v, --verbose           list every skipped rule with its reason\n"
            "  -h, --help              this text\n"
            "\n"
            "The last line is 'loaded: N skipped: N'.\n");
}

typedef struct kwrow {
    char *kw;
    uint64_t loaded, skipped;
} kwrow;

typedef struct kwlist {
    kwrow *v;
    size_t n, cap;
} kwlist;

static void collect(void *ctx, const char *kw, uint64_t loaded, uint64_t skipped)
{
    kwlist *l = ctx;
    if (!mm_grow(&l->v, &l->cap, l->n, sizeof *l->v, 64))
        return;
    char *k = strdup(kw);
    if (k)
        l->v[l->n++] = (kwrow){k, loaded, skipped};
}

static int by_use(const void *a, const void *b)
{
    const kwrow *x = a, *y = b;
    uint64_t tx = x->loaded + x->skipped, ty = y->loaded + y->skipped;
    if (tx != ty)
        return tx > ty ? -1 : 1;
    return strcmp(x->kw, y->kw);
}

static void print_skip(void *ctx, const char *file, uint64_t line, uint32_t sid, int why,
                       const char *msg)
{
    (void)ctx;
    (void)why;
    printf("skipped %s:%llu sid %u: %s\n", file, (unsigned long long)line, sid, msg);
}

static int check(int argc, char **argv)
{
    mm_ruleset *rs = mm_ruleset_new();
    if (!rs) {
        fprintf(stderr, "mimamori rules: out of memory\n");
        return 1;
    }
    int rc = 0, nfiles = 0;
    const char *cache = NULL;
    char err[512];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            mm_ruleset_free(rs);
            return 0;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            mm_ruleset_on_skip(rs, print_skip, NULL);
        } else if (strcmp(a, "--var") == 0 && i + 1 < argc) {
            char *eq = strchr(argv[++i], '=');
            if (!eq) {
                fprintf(stderr, "mimamori rules: --var NAME=VALUE\n");
                mm_ruleset_free(rs);
                return 2;
            }
            *eq = 0;
            if (!mm_ruleset_set_var(rs, argv[i], eq + 1, err, sizeof err)) {
                fprintf(stderr, "mimamori rules: %s\n", err);
                mm_ruleset_free(rs);
                return 2;
            }
        } else if (strcmp(a, "--rules-cache") == 0 && i + 1 < argc) {
            cache = argv[++i];
        } else if (strcmp(a, "--classification") == 0 && i + 1 < argc) {
            if (!mm_ruleset_load_classes(rs, argv[++i], err, sizeof err)) {
                fprintf(stderr, "mimamori rules: %s\n", err);
                mm_ruleset_free(rs);
                return 1;
            }
        } else if (strcmp(a, "--reputation-categories") == 0 && i + 1 < argc) {
            if (!mm_ruleset_load_rep_categories(rs, argv[++i], err, sizeof err)) {
                fprintf(stderr, "mimamori rules: %s\n", err);
                mm_ruleset_free(rs);
                return 1;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "mimamori rules: unknown option '%s'\n", a);
            mm_ruleset_free(rs);
            return 2;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--var") == 0 || strcmp(a, "--classification") == 0 ||
            strcmp(a, "--rules-cache") == 0 || strcmp(a, "--reputation-categories") == 0) {
            i++;
            continue;
        }
        if (a[0] == '-' && a[1])
            continue;
        nfiles++;
        err[0] = 0;
        if (!mm_ruleset_load(rs, a, err, sizeof err)) {
            fprintf(stderr, "mimamori rules: %s\n", err);
            rc = 1;
        }
    }
    if (!nfiles) {
        usage(stderr);
        mm_ruleset_free(rs);
        return 2;
    }
    const mm_rules_summary *s = mm_ruleset_summary(rs);
    printf("files: %llu  rule lines: %llu  rules: %llu\n", (unsigned long long)s->files,
           (unsigned long long)s->lines, (unsigned long long)s->rules);
    printf("loaded: %llu (%.2f %%)  memory: %.1f MiB\n", (unsigned long long)s->loaded,
           s->rules ? 100.0 * (double)s->loaded / (double)s->rules : 0.0,
           (double)mm_ruleset_memory(rs) / 1048576.0);
    printf("\nskipped by reason:\n");
    for (int w = 0; w < MM_SKIP_N; w++)
        if (s->by_reason[w])
            printf("  %-24s %llu\n", mm_skip_name(w), (unsigned long long)s->by_reason[w]);
    kwlist kl = {0};
    mm_ruleset_keywords(rs, collect, &kl);
    if (kl.n > 1)
        qsort(kl.v, kl.n, sizeof *kl.v, by_use);
    printf("\nkeywords (rules loaded, rules skipped):\n");
    for (size_t i = 0; i < kl.n; i++) {
        printf("  %-24s %8llu %8llu\n", kl.v[i].kw, (unsigned long long)kl.v[i].loaded,
               (unsigned long long)kl.v[i].skipped);
        free(kl.v[i].kw);
    }
    free(kl.v);
    uint64_t loaded = s->loaded, skipped = s->skipped;
    /* the engine as the sensor would build it: groups and prefilter */
    mm_rules *e = mm_rules_build(rs, cache, err, sizeof err);
    if (!e) {
        fprintf(stderr, "mimamori rules: %s\n", err);
        rc = 1;
    } else {
        mm_rules_info in;
        mm_rules_info_get(e, &in);
        printf("\nengine: %llu rules inspected, %llu not\n",
               (unsigned long long)in.inspected, (unsigned long long)in.not_inspected);
        printf("prefilter: %llu patterns in %llu databases, %.1f MiB, built in %.2f s\n",
               (unsigned long long)in.patterns, (unsigned long long)in.databases,
               (double)in.db_bytes / 1048576.0, in.build_seconds);
        mm_rules_free(e);
    }
    printf("\nloaded: %llu skipped: %llu\n", (unsigned long long)loaded,
           (unsigned long long)skipped);
    return rc;
}

int cmd_rules(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "check") == 0)
        return check(argc - 1, argv + 1);
    fprintf(stderr, "mimamori rules: unknown subcommand '%s' (check)\n", argv[1]);
    return 2;
}
