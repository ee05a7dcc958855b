/*
 * html_host.c - the web-server section of a company's HTML report: the
 * files that appeared or changed under its watched web roots, what each
 * looks like, how serious it is and what to do (the watcher's alert
 * explanations, detect/explain.c).
 */
#include "report/html_int.h"
#include "report/i18n.h"

#include <inttypes.h>
#include <string.h>

#define SHOW 30                    /* rows of the table; the rest are counted */

/* The classifier's phrases in the report's language, one per line. */
static void reasons(H *h, const char *list)
{
    const char *p = list;
    bool first = true;
    while (*p) {
        const char *sep = strstr(p, "; ");
        size_t l = sep ? (size_t)(sep - p) : strlen(p);
        char one[200];
        snprintf(one, sizeof one, "%.*s", (int)(l < sizeof one - 1 ? l : sizeof one - 1), p);
        if (!first)
            fputs("<br>", h->f);
        h_esc(h, rp_reason_text(h->lang, one));
        first = false;
        p += l + (sep ? 2 : 0);
    }
}

static void file_row(H *h, const rp_file *f)
{
    char k[48];
    fputs("<tr><td>", h->f);
    h_when(h, f->ts);
    fputs("</td><td>", h->f);
    h_esc(h, f->host);
    fputs("</td><td><code>", h->f);
    h_esc(h, f->path);
    fputs("</code>", h->f);
    if (f->root[0]) {
        fputs("<br><span class=\"meta\">", h->f);
        h_esc(h, f->root);
        fputs("</span>", h->f);
    }
    fputs("</td><td>", h->f);
    snprintf(k, sizeof k, "hf_a_%s", f->action);
    h_T(h, k);
    fputs("</td><td>", h->f);
    if (f->sid) {
        snprintf(k, sizeof k, "hf_k_%s", f->kind);
        fputs("<b>", h->f);
        h_T(h, f->kind[0] ? k : "hf_k_script");
        fputs("</b>", h->f);
        if (f->reasons[0]) {
            fputs("<br>", h->f);
            reasons(h, f->reasons);
        }
    } else
        h_T(h, "hf_plain");
    fputs("</td><td>", h->f);
    if (f->sev)
        h_T(h, rp_sev_key(f->sev));
    fputs("</td><td>", h->f);
    const mm_explain *e = f->explain[0] ? mm_explain_find(f->explain) : NULL;
    if (e)
        h_esc(h, e->title[h->lang ? 1 : 0]);
    else
        h_T(h, "hf_steps_plain");
    fputs("</td></tr>\n", h->f);
}

/* The access-log findings beside the files. */
static void web(H *h, const rp_hostfiles *F)
{
    fputs("<h3>", h->f);
    h_T(h, "hw");
    fputs("</h3>\n<p class=\"meta\">", h->f);
    h_T(h, "hw_note");
    fputs("</p>\n<table>", h->f);
    static const char *const cols[] = {"hw_kind", "hw_path", "hw_from", "hw_requests",
                                       "first", "last", "hf_steps"};
    h_th(h, cols, 7);
    for (size_t i = 0; i < F->nweb && i < SHOW; i++) {
        const rp_webfind *w = &F->web[i];
        char k[48];
        fputs("<tr><td>", h->f);
        snprintf(k, sizeof k, "hw_k_%s", w->kind);
        h_T(h, k);
        fputs("</td><td><code>/", h->f);
        h_esc(h, w->path);
        fputs("</code>", h->f);
        if (w->appeared) {
            fputs("<br><span class=\"meta\">", h->f);
            h_T(h, "hw_appeared");
            fputs(": ", h->f);
            h_when(h, w->appeared);
            fputs("</span>", h->f);
        }
        fputs("</td><td>", h->f);
        if (w->src[0]) {
            h_esc(h, w->src);
            fputs(" (", h->f);
            h_esc(h, h_country(h, w->cc));
            fputs(")", h->f);
        }
        fputs("</td><td class=\"n\">", h->f);
        h_num(h, w->count);
        if (w->posts) {
            fputs("<br>", h->f);
            h_T(h, "hw_posts");
            fputs(" ", h->f);
            h_num(h, w->posts);
        }
        fputs("</td><td>", h->f);
        h_when(h, w->first);
        fputs("</td><td>", h->f);
        h_when(h, w->last);
        fputs("</td><td>", h->f);
        snprintf(k, sizeof k, "hw_do_%s", w->kind);
        h_T(h, k);
        fputs("</td></tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
    h_more(h, F->nweb, SHOW);
}

void h_hostfiles(H *h, const rp_site *s)
{
    const rp_hostfiles *F = &s->files;
    if (!F->added && !F->changed && !F->removed && !F->unreadable && !F->nweb)
        return;
    fputs("<h2>", h->f);
    h_T(h, "hf");
    fputs("</h2>\n<p class=\"meta\">", h->f);
    h_T(h, "hf_note");
    fputs("</p>\n<p>", h->f);
    static const char *const ck[] = {"hf_alerts_n", "hf_added_n", "hf_changed_n",
                                     "hf_removed_n", "hf_unreadable_n"};
    const int64_t cv[] = {F->alerts, F->added, F->changed, F->removed, F->unreadable};
    for (size_t i = 0; i < 5; i++) {
        if (i)
            fputs(" &middot; ", h->f);
        h_T(h, ck[i]);
        fprintf(h->f, ": %" PRId64, cv[i]);
    }
    fputs("</p>\n", h->f);
    if (F->n) {
        fputs("<table>", h->f);
        static const char *const cols[] = {"hf_when", "hf_server", "hf_file", "hf_happened",
                                           "hf_looks", "severity", "hf_steps"};
        h_th(h, cols, 7);
        for (size_t i = 0; i < F->n && i < SHOW; i++)
            file_row(h, &F->v[i]);
        fputs("</table>\n", h->f);
        h_more(h, (size_t)(F->added + F->changed), F->n < SHOW ? F->n : SHOW);
    }
    /* each explanation once, in the order of the table */
    bool head = false;
    size_t it = 0;
    for (const mm_explain *e; (e = rp_files_explain_next(F, SHOW, &it)) != NULL;) {
        if (!head) {
            fputs("<h3>", h->f);
            h_T(h, "hf_explain");
            fputs("</h3>\n", h->f);
            head = true;
        }
        fputs("<div class=\"finding\"><h4>", h->f);
        h_esc(h, e->title[h->lang ? 1 : 0]);
        fputs("</h4>\n", h->f);
        h_explain(h, e);
        fputs("</div>\n", h->f);
    }
    if (F->nweb)
        web(h, F);
}
