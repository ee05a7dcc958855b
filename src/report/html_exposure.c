/*
 * html_exposure.c - the exposure section of a company's HTML report (the
 * ports its audits found open, each with why it matters and what to do;
 * its staff's self-checks) and the self-check statistics of the survey.
 */
#include "exposure/ports.h"
#include "report/html_int.h"
#include "report/i18n.h"

#include <inttypes.h>
#include <string.h>

static void share(H *h, int64_t part, int64_t all)
{
    fprintf(h->f, "%.1f%%", all ? 100.0 * (double)part / (double)all : 0.0);
}

static void audit(H *h, const rp_exposure *e)
{
    fputs("<h3>", h->f);
    h_T(h, "exp_audit");
    fputs("</h3>\n<p class=\"meta\">", h->f);
    h_T(h, "exp_audits_n");
    fprintf(h->f, ": %" PRId64 "</p>\n", e->scans);
    if (!e->nopen) {
        fputs("<p>", h->f);
        h_T(h, "exp_audit_none");
        fputs("</p>\n", h->f);
        return;
    }
    fputs("<table>", h->f);
    static const char *const cols[] = {"exp_target", "port", "exp_service", "exp_answer",
                                       "exp_why", "exp_advice", "exp_checked"};
    h_th(h, cols, 7);
    bool ja = h->lang == 0;
    for (size_t i = 0; i < e->nopen; i++) {
        const rp_expopen *o = &e->open[i];
        const mm_port_info *pi = mm_port_info_of((uint16_t)o->port);
        fputs("<tr><td>", h->f);
        h_esc(h, o->target);
        fprintf(h->f, "</td><td class=\"n\">%d/tcp", o->port);
        if (o->serious) {
            fputs("<br><strong>", h->f);
            h_T(h, "exp_serious");
            fputs("</strong>", h->f);
        }
        fputs("</td><td>", h->f);
        h_esc(h, o->service);
        fputs("</td><td>", h->f);
        h_esc(h, o->banner);
        if (o->cert[0]) {
            fputs("<br><span class=\"meta\">", h->f);
            h_esc(h, o->cert);
            fputs("</span>", h->f);
        }
        fputs("</td><td>", h->f);
        h_esc(h, pi ? (ja ? pi->why_ja : pi->why_en) : "");
        fputs("</td><td>", h->f);
        h_esc(h, pi ? (ja ? pi->advice_ja : pi->advice_en) : mm_port_group_advice(PG_OTHER, ja));
        fputs("</td><td>", h->f);
        h_when(h, o->ts);
        fputs("</td></tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
}

static void self(H *h, const rp_exposure *e)
{
    fputs("<h3>", h->f);
    h_T(h, "exp_self");
    fputs("</h3>\n<p class=\"meta\">", h->f);
    h_T(h, "exp_self_note");
    fputs("</p>\n<p>", h->f);
    h_T(h, "exp_checks_n");
    fprintf(h->f, ": %" PRId64 " &middot; ", e->self_checks);
    h_T(h, "exp_exposed_n");
    fprintf(h->f, ": %" PRId64 "</p>\n<table>", e->self_exposed);
    static const char *const cols[] = {"exp_requester", "exp_checked", "exp_open_ports",
                                       "exp_advice"};
    h_th(h, cols, 4);
    for (size_t i = 0; i < e->nself && i < 100; i++) {
        const rp_expself *x = &e->self[i];
        fputs("<tr><td>", h->f);
        h_esc(h, x->requester);
        fputs("</td><td>", h->f);
        h_when(h, x->ts);
        fputs("</td><td>", h->f);
        if (x->open[0])
            h_esc(h, x->open);
        else
            h_T(h, "exp_none_open");
        fputs("</td><td>", h->f);
        const char *advice[16];
        size_t nt = mm_port_advice(x->open, h->lang == 0, advice, 16);
        for (size_t k = 0; k < nt; k++) {
            if (k)
                fputs("<br>", h->f);
            h_esc(h, advice[k]);
        }
        fputs("</td></tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
    h_more(h, e->nself, 100);
}

static void web(H *h, const rp_exposure *e)
{
    fputs("<h3>", h->f);
    h_T(h, "exp_web");
    fputs("</h3>\n<p class=\"meta\">", h->f);
    h_T(h, "exp_web_note");
    fputs("</p>\n<table>", h->f);
    static const char *const cols[] = {"exp_web_kind", "exp_target", "exp_answer", "exp_advice",
                                       "exp_checked"};
    h_th(h, cols, 5);
    for (size_t i = 0; i < e->nweb; i++) {
        const rp_expweb *w = &e->web[i];
        if (!w->problem)
            continue;
        char k[48];
        snprintf(k, sizeof k, "exp_web_%s", w->kind);
        fputs("<tr><td>", h->f);
        h_T(h, k);
        fputs("</td><td>", h->f);
        h_esc(h, w->target);
        if (w->port)
            fprintf(h->f, " (%d)", w->port);
        fputs("</td><td>", h->f);
        h_esc(h, w->what);
        snprintf(k, sizeof k, "exp_web_advice_%s", w->kind);
        fputs("</td><td>", h->f);
        h_T(h, k);
        fputs("</td><td>", h->f);
        h_when(h, w->ts);
        fputs("</td></tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
}

void h_exposure(H *h, const rp_site *s)
{
    const rp_exposure *e = &s->exp;
    if (!e->scans && !e->self_checks && !e->webs)
        return;
    fputs("<h2>", h->f);
    h_T(h, "exp");
    fputs("</h2>\n<p class=\"meta\">", h->f);
    h_T(h, "exp_note");
    fputs("</p>\n", h->f);
    if (e->scans)
        audit(h, e);
    if (e->self_checks)
        self(h, e);
    if (e->webs)
        web(h, e);
}

void h_exposure_survey(H *h)
{
    const rp_expsurvey *S = &h->m->exp;
    if (!S->checks)
        return;
    fputs("<h2>", h->f);
    h_T(h, "exp_survey");
    fputs("</h2>\n<p>", h->f);
    h_T(h, "exp_checks_n");
    fprintf(h->f, ": %" PRId64 " &middot; ", S->checks);
    h_T(h, "exp_exposed_n");
    fprintf(h->f, ": %" PRId64 " (", S->exposed);
    share(h, S->exposed, S->checks);
    fputs(")</p>\n<table>", h->f);
    static const char *const cols[] = {"port", "exp_service", "exp_asked", "exp_open_n",
                                       "exp_share"};
    h_th(h, cols, 5);
    for (size_t i = 0; i < S->nports; i++) {
        const rp_expport *p = &S->ports[i];
        const mm_port_info *pi = mm_port_info_of((uint16_t)p->port);
        fprintf(h->f, "<tr><td class=\"n\">%d/tcp</td><td>", p->port);
        h_esc(h, pi ? pi->service : "");
        fprintf(h->f, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
                      "</td><td class=\"n\">", p->asked, p->open);
        share(h, p->open, p->asked);
        fputs("</td></tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
    if (S->nmonths > 1) {
        fputs("<table>", h->f);
        static const char *const mc[] = {"month", "exp_checks_n", "exp_month_any",
                                         "exp_month_445"};
        h_th(h, mc, 4);
        for (size_t i = 0; i < S->nmonths; i++) {
            const rp_expmonth *mt = &S->months[i];
            fputs("<tr><td>", h->f);
            h_esc(h, mt->month);
            fprintf(h->f, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">", mt->checks);
            share(h, mt->open_any, mt->checks);
            fputs("</td><td class=\"n\">", h->f);
            share(h, mt->open_445, mt->checks);
            fputs("</td></tr>\n", h->f);
        }
        fputs("</table>\n", h->f);
    }
}
