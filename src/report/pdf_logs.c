/*
 * pdf_logs.c - the gateway-log section of a company's PDF report, in the
 * order and with the content of the HTML one (html_logs.c): findings
 * explained with their evidence (internal hosts with the machine's name
 * and MAC from DHCP), logins, the firewall's blocked ports with bars,
 * months against the year before, the sources blocked most, the cloud
 * services in use and the HTTPS share.
 */
#include "report/i18n.h"
#include "report/pdf_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void pct(double v, char *o, size_t n)
{
    snprintf(o, n, "%.1f%%", v * 100.0);
}

static void bytes(int64_t b, char *o, size_t n)
{
    static const char *const u[] = {"B", "KB", "MB", "GB", "TB"};
    double v = (double)b;
    int k = 0;
    while (v >= 1024 && k < 4) {
        v /= 1024;
        k++;
    }
    snprintf(o, n, k ? "%.1f %s" : "%.0f %s", v, u[k]);
}

static void host(const rp_host *x, char *o, size_t n)
{
    if (x->name[0] || x->mac[0])
        snprintf(o, n, "%s\n%s%s%s", x->ip, x->name[0] ? x->name : "-", x->mac[0] ? " " : "",
                 x->mac);
    else
        snprintf(o, n, "%s", x->ip);
}

static void explain(P *p, const char *kind)
{
    const mm_explain *e = rp_log_explain(kind);
    p_heading(p, e->title[p->lang], 3);
    p_explain(p, e);
}

static void findings(P *p, const rp_logs *Lg)
{
    int L = p->lang;
    static const char *const order[] = {"ioc", "sinkhole",     "bypass",          "ddns",
                                        "listed",          "server_resolves", "exec_attachment",
                                        "from_mismatch"};
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        size_t n = 0;
        for (size_t i = 0; i < Lg->nfind; i++)
            n += strcmp(Lg->find[i].kind, order[k]) == 0;
        if (!n)
            continue;
        explain(p, order[k]);
        bool mail = strcmp(order[k], "exec_attachment") == 0 ||
                    strcmp(order[k], "from_mismatch") == 0;
        static const double wf[] = {0.2, 0.25, 0.17, 0.08, 0.15, 0.15};
        static const double mwf[] = {0.3, 0.3, 0.1, 0.15, 0.15};
        const char *hd[] = {rp_t(L, "host"),  rp_t(L, "name"),  rp_t(L, "answer"),
                            rp_t(L, "count"), rp_t(L, "first"), rp_t(L, "last")};
        const char *mhd[] = {rp_t(L, "name"), rp_t(L, "source"), rp_t(L, "count"),
                             rp_t(L, "first"), rp_t(L, "last")};
        if (mail)
            p_row(p, 5, mwf, mhd, true);
        else
            p_row(p, 6, wf, hd, true);
        size_t shown = 0;
        for (size_t i = 0; i < Lg->nfind && shown < RP_ROWS; i++) {
            const rp_logfind *f = &Lg->find[i];
            if (strcmp(f->kind, order[k]) != 0)
                continue;
            shown++;
            char h[200], c[32], a[32], b[32];
            host(&f->host, h, sizeof h);
            p_fmt_num(f->count, c, sizeof c);
            p_when(p, f->first, a, sizeof a);
            p_when(p, f->last, b, sizeof b);
            if (mail) {
                const char *cells[] = {f->name, f->answer, c, a, b};
                p_row(p, 5, mwf, cells, false);
            } else {
                const char *cells[] = {h, f->name, f->answer, c, a, b};
                p_row(p, 6, wf, cells, false);
            }
        }
        p_more(p, n, shown);
        p_gap(p, 6);
    }
}

static void logins(P *p, const rp_logs *Lg)
{
    int L = p->lang;
    static const char *const kinds[] = {"abroad", "guessing"};
    for (size_t k = 0; k < 2; k++) {
        size_t n = 0;
        for (size_t i = 0; i < Lg->nauth; i++)
            n += strcmp(Lg->auth[i].kind, kinds[k]) == 0;
        if (!n)
            continue;
        explain(p, kinds[k]);
        static const double wf[] = {0.17, 0.13, 0.09, 0.13, 0.09, 0.07, 0.16, 0.16};
        const char *hd[] = {rp_t(L, "source"), rp_t(L, "country"), rp_t(L, "service"),
                            rp_t(L, "user"),   rp_t(L, "count"),   rp_t(L, "days"),
                            rp_t(L, "first"),  rp_t(L, "last")};
        p_row(p, 8, wf, hd, true);
        size_t shown = 0;
        for (size_t i = 0; i < Lg->nauth && shown < RP_ROWS; i++) {
            const rp_authfind *a = &Lg->auth[i];
            if (strcmp(a->kind, kinds[k]) != 0)
                continue;
            shown++;
            char c[32], d[32], f[32], l[32];
            p_fmt_num(a->count, c, sizeof c);
            p_fmt_num(a->days, d, sizeof d);
            p_when(p, a->first, f, sizeof f);
            p_when(p, a->last, l, sizeof l);
            const char *cells[] = {a->src, a->cc[0] ? p_country(p, a->cc) : "-", a->service,
                                   a->user, c, d, f, l};
            p_row(p, 8, wf, cells, false);
        }
        p_more(p, n, shown);
        p_gap(p, 6);
    }
}

static void bars(P *p, const rp_logs *Lg)
{
    /* a bar per port, its length the share of the top port; IoT ports red */
    double top = Lg->nports ? Lg->ports[0].share : 1;
    for (size_t i = 0; i < Lg->nports; i++) {
        const rp_port *r = &Lg->ports[i];
        p_ensure(p, 13);
        char lab[48], v[32];
        snprintf(lab, sizeof lab, "%" PRId64 "/%s%s", r->port, r->proto, r->iot ? " (IoT)" : "");
        pct(r->share, v, sizeof v);
        p_text_at(p, lab, 8.5, r->iot, MX, p->y, 110);
        double w = top > 0 ? r->share / top * (CW - 200) : 0;
        if (r->iot)
            cairo_set_source_rgb(p->cr, 0.75, 0.22, 0.17);
        else
            cairo_set_source_rgb(p->cr, 0.36, 0.5, 0.65);
        cairo_rectangle(p->cr, MX + 115, p->y + 2, w < 1 ? 1 : w, 8);
        cairo_fill(p->cr);
        cairo_set_source_rgb(p->cr, 0, 0, 0);
        char cnt[32], t[80];
        p_fmt_num(r->count, cnt, sizeof cnt);
        snprintf(t, sizeof t, "%s  %s", cnt, v);
        p_text_at(p, t, 8.5, false, MX + 120 + (w < 1 ? 1 : w), p->y, 120);
        p->y += 12;
    }
    p->y += 4;
}

static void firewall(P *p, const rp_logs *Lg)
{
    int L = p->lang;
    char t[600], a[32], b[32], c[32];
    p_heading(p, rp_t(L, Lg->action_stated ? "fw" : "fw_all"), 3);
    p_fmt_num(Lg->blocked, a, sizeof a);
    pct(Lg->telnet_share, b, sizeof b);
    pct(Lg->iot_share_top100, c, sizeof c);
    snprintf(t, sizeof t, "%s: %s  /  %s: %s  /  %s: %s",
             rp_t(L, Lg->action_stated ? "fw_blocked_n" : "fw_records_n"), a,
             rp_t(L, "telnet_share"), b, rp_t(L, "iot_share"), c);
    p_para(p, t, 9.5, false);
    bars(p, Lg);
    p_para(p, rp_t(L, "fw_advice"), 9, false);
    if (Lg->nfw_months) {
        static const double wf[] = {0.25, 0.25, 0.25, 0.25};
        const char *hd[] = {rp_t(L, "month"), rp_t(L, "fw_blocked_n"), rp_t(L, "year_before"),
                            rp_t(L, "change")};
        p_row(p, 4, wf, hd, true);
        for (size_t i = 0; i < Lg->nfw_months; i++) {
            const rp_month *mo = &Lg->fw_months[i];
            char n[32], y[32] = "-", ch[32] = "-";
            p_fmt_num(mo->n, n, sizeof n);
            if (mo->year_before >= 0)
                p_fmt_num(mo->year_before, y, sizeof y);
            if (mo->year_before > 0)
                snprintf(ch, sizeof ch, "%+.0f%%",
                         ((double)mo->n / (double)mo->year_before - 1.0) * 100.0);
            const char *cells[] = {mo->month, n, y, ch};
            p_row(p, 4, wf, cells, false);
        }
        p_gap(p, 6);
    }
    if (Lg->nsrcs) {
        p_heading(p, rp_t(L, "fw_sources"), 3);
        static const double wf[] = {0.4, 0.35, 0.25};
        const char *hd[] = {rp_t(L, "ip"), rp_t(L, "country"), rp_t(L, "count")};
        p_row(p, 3, wf, hd, true);
        for (size_t i = 0; i < Lg->nsrcs; i++) {
            char n[32];
            p_fmt_num(Lg->srcs[i].n, n, sizeof n);
            const char *cells[] = {Lg->srcs[i].ip,
                                   Lg->srcs[i].cc[0] ? p_country(p, Lg->srcs[i].cc) : "-", n};
            p_row(p, 3, wf, cells, false);
        }
        p_gap(p, 6);
    }
}

static void shadow(P *p, const rp_logs *Lg)
{
    int L = p->lang;
    p_heading(p, rp_t(L, "shadow"), 3);
    p_para(p, rp_t(L, "shadow_note"), 9.5, false);
    static const double wf[] = {0.12, 0.2, 0.18, 0.13, 0.13, 0.1, 0.14};
    const char *hd[] = {rp_t(L, "month"),    rp_t(L, "service"),    rp_t(L, "category"),
                        rp_t(L, "bytes_up"), rp_t(L, "bytes_down"), rp_t(L, "n_hosts"),
                        rp_t(L, "sanctioned")};
    p_row(p, 7, wf, hd, true);
    size_t shown = 0;
    for (size_t i = 0; i < Lg->nshadow && shown < 40; i++, shown++) {
        const rp_shadow *r = &Lg->shadow[i];
        char ck[40], up[32], dn[32], hs[32];
        snprintf(ck, sizeof ck, "cat_%s", r->category[0] ? r->category : "other");
        const char *cat = rp_t(L, ck);
        bytes(r->up, up, sizeof up);
        bytes(r->down, dn, sizeof dn);
        p_fmt_num(r->hosts, hs, sizeof hs);
        const char *cells[] = {r->month, r->service, strcmp(cat, ck) ? cat : r->category, up, dn,
                               hs, rp_t(L, r->sanctioned ? "yes" : "no")};
        p_row(p, 7, wf, cells, false);
    }
    p_more(p, Lg->nshadow, shown);
    p_gap(p, 6);
}

static void https(P *p, const rp_logs *Lg)
{
    int L = p->lang;
    p_heading(p, rp_t(L, "https"), 3);
    static const double wf[] = {0.34, 0.33, 0.33};
    const char *hd[] = {rp_t(L, "month"), rp_t(L, "count"), rp_t(L, "share")};
    p_row(p, 3, wf, hd, true);
    for (size_t i = 0; i < Lg->nhttps; i++) {
        char n[32], s[32];
        p_fmt_num(Lg->https[i].n, n, sizeof n);
        pct(Lg->https[i].share, s, sizeof s);
        const char *cells[] = {Lg->https[i].month, n, s};
        p_row(p, 3, wf, cells, false);
    }
    p_gap(p, 6);
}

void p_logs(P *p, const rp_site *s)
{
    const rp_logs *Lg = &s->logs;
    if (!Lg->any)
        return;
    p_heading(p, rp_t(p->lang, "logs"), 2);
    p_para(p, rp_t(p->lang, "logs_note"), 9, false);
    findings(p, Lg);
    logins(p, Lg);
    if (Lg->fw_records)
        firewall(p, Lg);
    if (Lg->nshadow)
        shadow(p, Lg);
    if (Lg->nhttps)
        https(p, Lg);
}

/* The survey's log part (as html_logs.c's): ports blocked across companies,
 * services and findings with the number of companies. */
void p_logs_survey(P *p)
{
    const rp_logsurvey *S = &p->m->logs;
    int L = p->lang;
    if (!S->fw_sites && !S->nservices && !S->nkinds)
        return;
    p_heading(p, rp_t(L, "logs_survey"), 2);
    char t[600], a[32], b[32], c[32];
    if (S->fw_sites) {
        snprintf(t, sizeof t, "%s (%zu %s)", rp_t(L, "fw_survey"), S->fw_sites,
                 rp_t(L, "companies_n"));
        p_heading(p, t, 3);
        p_fmt_num(S->blocked, a, sizeof a);
        pct(S->telnet_share, b, sizeof b);
        pct(S->iot_share_top100, c, sizeof c);
        snprintf(t, sizeof t, "%s: %s  /  %s: %s  /  %s: %s", rp_t(L, "fw_records_n"), a,
                 rp_t(L, "telnet_share"), b, rp_t(L, "iot_share"), c);
        p_para(p, t, 9.5, false);
        static const double wf[] = {0.3, 0.3, 0.25, 0.15};
        const char *hd[] = {rp_t(L, "port"), rp_t(L, "count"), rp_t(L, "share"), rp_t(L, "iot")};
        p_row(p, 4, wf, hd, true);
        for (size_t i = 0; i < S->nports; i++) {
            char port[32], n[32], sh[32];
            snprintf(port, sizeof port, "%" PRId64 "/%s", S->ports[i].port, S->ports[i].proto);
            p_fmt_num(S->ports[i].count, n, sizeof n);
            pct(S->ports[i].share, sh, sizeof sh);
            const char *cells[] = {port, n, sh, S->ports[i].iot ? "IoT" : ""};
            p_row(p, 4, wf, cells, false);
        }
        p_gap(p, 6);
    }
    static const double wf2[] = {0.7, 0.3};
    if (S->nservices) {
        p_heading(p, rp_t(L, "svc_survey"), 3);
        const char *hd[] = {rp_t(L, "service"), rp_t(L, "affected")};
        p_row(p, 2, wf2, hd, true);
        for (size_t i = 0; i < S->nservices && i < 30; i++) {
            char n[32];
            p_fmt_num(S->services[i].n, n, sizeof n);
            const char *cells[] = {S->services[i].key, n};
            p_row(p, 2, wf2, cells, false);
        }
        p_more(p, S->nservices, 30);
        p_gap(p, 6);
    }
    if (S->nkinds) {
        p_heading(p, rp_t(L, "kinds_survey"), 3);
        const char *hd[] = {rp_t(L, "findings"), rp_t(L, "affected")};
        p_row(p, 2, wf2, hd, true);
        for (size_t i = 0; i < S->nkinds; i++) {
            char n[32];
            p_fmt_num(S->kinds[i].n, n, sizeof n);
            const char *cells[] = {rp_log_explain(S->kinds[i].key)->title[L], n};
            p_row(p, 2, wf2, cells, false);
        }
    }
}
