/*
 * pdf_exposure.c - the exposure section of a company's PDF report and the
 * self-check statistics of the survey, as html_exposure.c's.
 */
#include "exposure/ports.h"
#include "report/i18n.h"
#include "report/pdf_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void share(int64_t part, int64_t all, char *o, size_t n)
{
    snprintf(o, n, "%.1f%%", all ? 100.0 * (double)part / (double)all : 0.0);
}

void p_exposure(P *p, const rp_site *s)
{
    const rp_exposure *e = &s->exp;
    int L = p->lang;
    if (!e->scans && !e->self_checks && !e->webs)
        return;
    p_heading(p, rp_t(L, "exp"), 2);
    p_para(p, rp_t(L, "exp_note"), 9, false);
    char t[256], w[64];
    if (e->scans) {
        p_heading(p, rp_t(L, "exp_audit"), 3);
        if (!e->nopen)
            p_para(p, rp_t(L, "exp_audit_none"), 9.5, false);
        static const double wf[] = {0.17, 0.1, 0.18, 0.25, 0.3};
        const char *hd[] = {rp_t(L, "exp_target"), rp_t(L, "port"), rp_t(L, "exp_answer"),
                            rp_t(L, "exp_why"), rp_t(L, "exp_advice")};
        if (e->nopen)
            p_row(p, 5, wf, hd, true);
        for (size_t i = 0; i < e->nopen; i++) {
            const rp_expopen *o = &e->open[i];
            const mm_port_info *pi = mm_port_info_of((uint16_t)o->port);
            char port[64], ans[400];
            snprintf(port, sizeof port, "%d/tcp%s%s", o->port, o->serious ? "\n" : "",
                     o->serious ? rp_t(L, "exp_serious") : "");
            snprintf(ans, sizeof ans, "%s%s%s%s%s", o->service, o->banner[0] ? "\n" : "",
                     o->banner, o->cert[0] ? "\n" : "", o->cert);
            const char *cells[] = {o->target, port, ans,
                                   pi ? (L ? pi->why_en : pi->why_ja) : "",
                                   pi ? (L ? pi->advice_en : pi->advice_ja)
                                      : mm_port_group_advice(PG_OTHER, L == 0)};
            p_row(p, 5, wf, cells, false);
        }
        p_gap(p, 6);
    }
    if (e->self_checks) {
        p_heading(p, rp_t(L, "exp_self"), 3);
        p_para(p, rp_t(L, "exp_self_note"), 9, false);
        snprintf(t, sizeof t, "%s: %" PRId64 "  /  %s: %" PRId64, rp_t(L, "exp_checks_n"),
                 e->self_checks, rp_t(L, "exp_exposed_n"), e->self_exposed);
        p_para(p, t, 9.5, false);
        static const double wf[] = {0.2, 0.2, 0.15, 0.45};
        const char *hd[] = {rp_t(L, "exp_requester"), rp_t(L, "exp_checked"),
                            rp_t(L, "exp_open_ports"), rp_t(L, "exp_advice")};
        p_row(p, 4, wf, hd, true);
        for (size_t i = 0; i < e->nself && i < 100; i++) {
            p_when(p, e->self[i].ts, w, sizeof w);
            const char *advice[8];
            size_t nt = mm_port_advice(e->self[i].open, L == 0, advice, 8);
            char all[2048];
            size_t k = 0;
            all[0] = 0;
            for (size_t j = 0; j < nt && k + 2 < sizeof all; j++)
                k += (size_t)snprintf(all + k, sizeof all - k, "%s%s", j ? "\n" : "", advice[j]);
            const char *cells[] = {e->self[i].requester, w,
                                   e->self[i].open[0] ? e->self[i].open
                                                      : rp_t(L, "exp_none_open"),
                                   all};
            p_row(p, 4, wf, cells, false);
        }
        p_more(p, e->nself, 100);
    }
    if (e->webs) {
        p_heading(p, rp_t(L, "exp_web"), 3);
        p_para(p, rp_t(L, "exp_web_note"), 9, false);
        static const double wf[] = {0.15, 0.3, 0.25, 0.3};
        const char *hd[] = {rp_t(L, "exp_web_kind"), rp_t(L, "exp_target"),
                            rp_t(L, "exp_answer"), rp_t(L, "exp_advice")};
        p_row(p, 4, wf, hd, true);
        for (size_t i = 0; i < e->nweb; i++) {
            const rp_expweb *x = &e->web[i];
            if (!x->problem)
                continue;
            char k[48], k2[48], tg[320];
            snprintf(k, sizeof k, "exp_web_%s", x->kind);
            snprintf(k2, sizeof k2, "exp_web_advice_%s", x->kind);
            snprintf(tg, sizeof tg, x->port ? "%s (%d)" : "%s", x->target, x->port);
            const char *cells[] = {rp_t(L, k), tg, x->what, rp_t(L, k2)};
            p_row(p, 4, wf, cells, false);
        }
    }
}

void p_exposure_survey(P *p)
{
    const rp_expsurvey *S = &p->m->exp;
    int L = p->lang;
    if (!S->checks)
        return;
    p_heading(p, rp_t(L, "exp_survey"), 2);
    char t[256], a[32], b[32], c[32];
    share(S->exposed, S->checks, a, sizeof a);
    snprintf(t, sizeof t, "%s: %" PRId64 "  /  %s: %" PRId64 " (%s)", rp_t(L, "exp_checks_n"),
             S->checks, rp_t(L, "exp_exposed_n"), S->exposed, a);
    p_para(p, t, 9.5, false);
    static const double wf[] = {0.2, 0.2, 0.2, 0.2, 0.2};
    const char *hd[] = {rp_t(L, "port"), rp_t(L, "exp_service"), rp_t(L, "exp_asked"),
                        rp_t(L, "exp_open_n"), rp_t(L, "exp_share")};
    p_row(p, 5, wf, hd, true);
    for (size_t i = 0; i < S->nports; i++) {
        const rp_expport *x = &S->ports[i];
        const mm_port_info *pi = mm_port_info_of((uint16_t)x->port);
        char port[16];
        snprintf(port, sizeof port, "%d/tcp", x->port);
        snprintf(a, sizeof a, "%" PRId64, x->asked);
        snprintf(b, sizeof b, "%" PRId64, x->open);
        share(x->open, x->asked, c, sizeof c);
        const char *cells[] = {port, pi ? pi->service : "", a, b, c};
        p_row(p, 5, wf, cells, false);
    }
    if (S->nmonths > 1) {
        p_gap(p, 6);
        static const double wm[] = {0.25, 0.25, 0.25, 0.25};
        const char *hm[] = {rp_t(L, "month"), rp_t(L, "exp_checks_n"), rp_t(L, "exp_month_any"),
                            rp_t(L, "exp_month_445")};
        p_row(p, 4, wm, hm, true);
        for (size_t i = 0; i < S->nmonths; i++) {
            const rp_expmonth *mt = &S->months[i];
            snprintf(a, sizeof a, "%" PRId64, mt->checks);
            share(mt->open_any, mt->checks, b, sizeof b);
            share(mt->open_445, mt->checks, c, sizeof c);
            const char *cells[] = {mt->month, a, b, c};
            p_row(p, 4, wm, cells, false);
        }
    }
}
