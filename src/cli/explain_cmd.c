/*
 * explain_cmd.c - `mimamori explain`: the plain-language texts behind the
 * built-in alerts (alert.metadata.explain), in Japanese or English.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "detect/det.h"
#include "detect/explain.h"
#include "util/json.h"
#include "watch/webshell.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: mimamori explain [--lang ja|en] [--json] [KEY...]\n"
"\n"
"What a built-in alert means, why it matters and what to do, for the keys\n"
"in alert.metadata.explain. With no KEY: every key, its title and the\n"
"signatures that use it.\n"
"  --lang ja|en   language (default ja)\n"
"  --json         one JSON object per key (both languages)\n");
}

static void print_text(const mm_explain *e, int l)
{
    static const char *const head[2][3] = {{"何が起きたか", "なぜ問題か", "対処"},
                                           {"What happened", "Why it matters", "What to do"}};
    printf("%s\n\n%s:\n  %s\n\n%s:\n  %s\n\n%s:\n", e->title[l], head[l][0], e->what[l],
           head[l][1], e->why[l], head[l][2]);
    int n = 1;
    for (const char *p = e->steps[l]; *p;) {
        size_t k = strcspn(p, "\n");
        printf("  %d. %.*s\n", n++, (int)k, p);
        p += k + (p[k] == '\n');
    }
}

static void print_json(const mm_explain *e)
{
    static const char *const lang[2] = {"ja", "en"};
    mm_json j;
    mj_init(&j);
    mj_reset(&j);
    mj_obj_open(&j, NULL);
    mj_str(&j, "key", e->key);
    mj_arr_open(&j, "signature_ids");
    for (int s = 0; s < SIG__COUNT; s++)
        if (strcmp(mm_sigs[s].explain, e->key) == 0)
            mj_u64(&j, NULL, mm_sigs[s].sid);
    size_t nw;
    const mw_sig *ws = mw_sigs_all(&nw);
    for (size_t s = 0; s < nw; s++)
        if (strcmp(ws[s].explain, e->key) == 0)
            mj_u64(&j, NULL, ws[s].sid);
    mj_arr_close(&j);
    for (int l = 0; l < 2; l++) {
        mj_obj_open(&j, lang[l]);
        mj_str(&j, "title", e->title[l]);
        mj_str(&j, "what", e->what[l]);
        mj_str(&j, "why", e->why[l]);
        mj_arr_open(&j, "steps");
        for (const char *p = e->steps[l]; *p;) {
            size_t k = strcspn(p, "\n");
            mj_strn(&j, NULL, p, k);
            p += k + (p[k] == '\n');
        }
        mj_arr_close(&j);
        mj_obj_close(&j);
    }
    mj_obj_close(&j);
    printf("%.*s\n", (int)j.len, j.s);
    mj_free(&j);
}

int cmd_explain(int argc, char **argv)
{
    static const struct option opts[] = {
        {"lang", required_argument, 0, 'l'},
        {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int lang = 0, o;
    bool json = false;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'l':
            if (strcmp(optarg, "ja") == 0) lang = 0;
            else if (strcmp(optarg, "en") == 0) lang = 1;
            else {
                fprintf(stderr, "mimamori explain: --lang ja or en\n");
                return 2;
            }
            break;
        case 'j': json = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    size_t n;
    const mm_explain *all = mm_explain_all(&n);
    if (optind == argc) {
        int rc = 0;
        for (int s = 0; s < SIG__COUNT; s++)
            if (!mm_explain_find(mm_sigs[s].explain)) {
                fprintf(stderr, "mimamori explain: signature %u has no text for '%s'\n",
                        mm_sigs[s].sid, mm_sigs[s].explain);
                rc = 1;
            }
        size_t nw;
        const mw_sig *ws = mw_sigs_all(&nw);
        for (size_t s = 0; s < nw; s++)
            if (!mm_explain_find(ws[s].explain)) {
                fprintf(stderr, "mimamori explain: signature %u has no text for '%s'\n",
                        ws[s].sid, ws[s].explain);
                rc = 1;
            }
        for (size_t i = 0; i < n; i++) {
            if (json) {
                print_json(&all[i]);
                continue;
            }
            printf("%-28s %s  [", all[i].key, all[i].title[lang]);
            const char *sep = "";
            for (int s = 0; s < SIG__COUNT; s++)
                if (strcmp(mm_sigs[s].explain, all[i].key) == 0) {
                    printf("%s%u", sep, mm_sigs[s].sid);
                    sep = " ";
                }
            for (size_t s = 0; s < nw; s++)
                if (strcmp(ws[s].explain, all[i].key) == 0) {
                    printf("%s%u", sep, ws[s].sid);
                    sep = " ";
                }
            printf("]\n");
        }
        return rc;
    }
    int rc = 0;
    for (int i = optind; i < argc; i++) {
        const mm_explain *e = mm_explain_find(argv[i]);
        if (!e) {
            fprintf(stderr, "mimamori explain: unknown key '%s' (mimamori explain lists them)\n",
                    argv[i]);
            rc = 1;
            continue;
        }
        if (json)
            print_json(e);
        else
            print_text(e, lang);
    }
    return rc;
}
