/*
 * pdf_host.c - the web-server section of a company's PDF report, as
 * html_host.c's: the files that appeared or changed, what each looks like,
 * how serious, what to do.
 */
#include "report/i18n.h"
#include "report/pdf_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SHOW 30

/* The classifier's phrases in lang, one per line, into out. */
static void reasons(int lang, const char *list, char *out, size_t n)
{
    size_t o = 0;
    out[0] = 0;
    const char *p = list;
    while (*p && o + 2 < n) {
        const char *sep = strstr(p, "; ");
        size_t l = sep ? (size_t)(sep - p) : strlen(p);
        char one[200];
        snprintf(one, sizeof one, "%.*s", (int)(l < sizeof one - 1 ? l : sizeof one - 1), p);
        int w = snprintf(out + o, n - o, "%s%s", o ? "\n" : "", rp_reason_text(lang, one));
        if (w < 0 || (size_t)w >= n - o)
            break;
        o += (size_t)w;
        p += l + (sep ? 2 : 0);
    }
}

static void web(P *p, const rp_hostfiles *F)
{
    int L = p->lang;
    p_ensure(p, 140);           /* the heading stays with its note and first rows */
    p_heading(p, rp_t(L, "hw"), 3);
    p_para(p, rp_t(L, "hw_note"), 9, false);
    static const double wf[] = {0.16, 0.24, 0.14, 0.08, 0.12, 0.26};
    const char *hd[] = {rp_t(L, "hw_kind"), rp_t(L, "hw_path"), rp_t(L, "hw_from"),
                        rp_t(L, "hw_requests"), rp_t(L, "first"), rp_t(L, "hf_steps")};
    p_row(p, 6, wf, hd, true);
    for (size_t i = 0; i < F->nweb && i < SHOW; i++) {
        const rp_webfind *w = &F->web[i];
        char k1[48], k2[48], path[400], from[80], n[64], first[64], app[64];
        snprintf(k1, sizeof k1, "hw_k_%s", w->kind);
        snprintf(k2, sizeof k2, "hw_do_%s", w->kind);
        app[0] = 0;
        if (w->appeared)
            p_when(p, w->appeared, app, sizeof app);
        snprintf(path, sizeof path, "/%s%s%s%s%s", w->path, app[0] ? "\n" : "",
                 app[0] ? rp_t(L, "hw_appeared") : "", app[0] ? ": " : "", app);
        snprintf(from, sizeof from, w->src[0] ? "%s (%s)" : "%s%s", w->src,
                 w->src[0] ? p_country(p, w->cc) : "");
        snprintf(n, sizeof n, "%" PRId64, w->count);
        if (w->posts) {
            size_t l = strlen(n);
            snprintf(n + l, sizeof n - l, "\nPOST %" PRId64, w->posts);
        }
        p_when(p, w->first, first, sizeof first);
        const char *cells[] = {rp_t(L, k1), path, from, n, first, rp_t(L, k2)};
        p_row(p, 6, wf, cells, false);
    }
    p_more(p, F->nweb, SHOW);
}

void p_hostfiles(P *p, const rp_site *s)
{
    const rp_hostfiles *F = &s->files;
    int L = p->lang;
    if (!F->added && !F->changed && !F->removed && !F->unreadable && !F->nweb)
        return;
    p_heading(p, rp_t(L, "hf"), 2);
    p_para(p, rp_t(L, "hf_note"), 9, false);
    char t[512];
    snprintf(t, sizeof t,
             "%s: %" PRId64 "  /  %s: %" PRId64 "  /  %s: %" PRId64 "  /  %s: %" PRId64
             "  /  %s: %" PRId64,
             rp_t(L, "hf_alerts_n"), F->alerts, rp_t(L, "hf_added_n"), F->added,
             rp_t(L, "hf_changed_n"), F->changed, rp_t(L, "hf_removed_n"), F->removed,
             rp_t(L, "hf_unreadable_n"), F->unreadable);
    p_para(p, t, 9.5, false);
    if (F->n) {
        static const double wf[] = {0.12, 0.09, 0.25, 0.1, 0.22, 0.08, 0.14};
        const char *hd[] = {rp_t(L, "hf_when"), rp_t(L, "hf_server"), rp_t(L, "hf_file"),
                            rp_t(L, "hf_happened"), rp_t(L, "hf_looks"), rp_t(L, "severity"),
                            rp_t(L, "hf_steps")};
        p_row(p, 7, wf, hd, true);
        for (size_t i = 0; i < F->n && i < SHOW; i++) {
            const rp_file *f = &F->v[i];
            char when[64], file[800], act[48], looks[1400], k[48];
            p_when(p, f->ts, when, sizeof when);
            snprintf(file, sizeof file, "%s%s%s", f->path, f->root[0] ? "\n" : "", f->root);
            snprintf(k, sizeof k, "hf_a_%s", f->action);
            snprintf(act, sizeof act, "%s", rp_t(L, k));
            if (f->sid) {
                char rs[1000];
                reasons(L, f->reasons, rs, sizeof rs);
                snprintf(k, sizeof k, "hf_k_%s", f->kind[0] ? f->kind : "script");
                snprintf(looks, sizeof looks, "%s%s%s", rp_t(L, k), rs[0] ? "\n" : "", rs);
            } else
                snprintf(looks, sizeof looks, "%s", rp_t(L, "hf_plain"));
            const mm_explain *e = f->explain[0] ? mm_explain_find(f->explain) : NULL;
            const char *cells[] = {when, f->host, file, act, looks,
                                   f->sev ? rp_t(L, rp_sev_key(f->sev)) : "",
                                   e ? e->title[L ? 1 : 0] : rp_t(L, "hf_steps_plain")};
            p_row(p, 7, wf, cells, false);
        }
        p_more(p, (size_t)(F->added + F->changed), F->n < SHOW ? F->n : SHOW);
    }
    bool head = false;
    size_t it = 0;
    for (const mm_explain *e; (e = rp_files_explain_next(F, SHOW, &it)) != NULL;) {
        if (!head) {
            p_heading(p, rp_t(L, "hf_explain"), 3);
            head = true;
        }
        p_para(p, e->title[L ? 1 : 0], 10, true);
        p_explain(p, e);
    }
    if (F->nweb)
        web(p, F);
    p_gap(p, 6);
}
