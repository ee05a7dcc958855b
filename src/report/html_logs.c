/*
 * html_logs.c - the gateway-log section of a company's HTML report: the
 * firewall's blocked ports (a bar per port, IoT ports marked), months
 * against the year before, the sources blocked most; the cloud services
 * in use; the HTTPS share; each kind of log finding explained (what
 * happened, why it matters, what to do) with its evidence, internal hosts
 * named by their DHCP lease; password guessing and logins from abroad.
 */
#include "report/html_int.h"
#include "report/i18n.h"

#include <inttypes.h>
#include <string.h>

static void pct(H *h, double v)
{
    fprintf(h->f, "%.1f%%", v * 100.0);
}

static void bytes(H *h, int64_t b)
{
    static const char *const u[] = {"B", "KB", "MB", "GB", "TB"};
    double v = (double)b;
    int k = 0;
    while (v >= 1024 && k < 4) {
        v /= 1024;
        k++;
    }
    fprintf(h->f, k ? "%.1f %s" : "%.0f %s", v, u[k]);
}

/* An internal host: its address, and the machine's name and MAC when a
 * DHCP lease covered the time. */
static void host(H *h, const rp_host *x)
{
    h_esc(h, x->ip);
    if (x->name[0] || x->mac[0]) {
        fputs("<br><span class=\"meta\">", h->f);
        h_esc(h, x->name[0] ? x->name : "-");
        if (x->mac[0]) {
            fputs(" (", h->f);
            h_esc(h, x->mac);
            fputs(")", h->f);
        }
        fputs("</span>", h->f);
    }
}

static void explain(H *h, const char *kind)
{
    const mm_explain *e = rp_log_explain(kind);
    fputs("<div class=\"finding\"><h3>", h->f);
    h_esc(h, e->title[h->lang]);
    fputs("</h3>\n", h->f);
    h_explain(h, e);
}

static void firewall(H *h, const rp_logs *L)
{
    fputs("<h3>", h->f);
    h_T(h, L->action_stated ? "fw" : "fw_all");
    fputs("</h3>\n<p>", h->f);
    h_T(h, L->action_stated ? "fw_blocked_n" : "fw_records_n");
    fputs(": ", h->f);
    h_num(h, L->blocked);
    fputs(" &middot; ", h->f);
    h_T(h, "telnet_share");
    fputs(": ", h->f);
    pct(h, L->telnet_share);
    fputs(" &middot; ", h->f);
    h_T(h, "iot_share");
    fputs(": ", h->f);
    pct(h, L->iot_share_top100);
    fputs("</p>\n<table>", h->f);
    static const char *const cols[] = {"port", "count", "share", "iot"};
    h_th(h, cols, 4);
    double top = L->nports ? L->ports[0].share : 1;
    for (size_t i = 0; i < L->nports; i++) {
        const rp_port *p = &L->ports[i];
        fprintf(h->f, "<tr><td>%" PRId64 "/", p->port);
        h_esc(h, p->proto);
        fputs("</td><td class=\"n\">", h->f);
        h_num(h, p->count);
        fputs("</td><td>", h->f);
        int w = top > 0 ? (int)(p->share / top * 160.0) : 0;
        fprintf(h->f, "<svg width=\"170\" height=\"10\" role=\"img\"><rect width=\"%d\" "
                      "height=\"10\" fill=\"%s\"/></svg> ",
                w < 1 ? 1 : w, p->iot ? "#c0392b" : "#5b7fa6");
        pct(h, p->share);
        fprintf(h->f, "</td><td>%s</td></tr>\n", p->iot ? "&#9679;" : "");
    }
    fputs("</table>\n<p class=\"meta\">", h->f);
    h_T(h, "fw_advice");
    fputs("</p>\n", h->f);
    if (L->nfw_months) {
        fputs("<table>", h->f);
        static const char *const mc[] = {"month", "fw_blocked_n", "year_before", "change"};
        h_th(h, mc, 4);
        for (size_t i = 0; i < L->nfw_months; i++) {
            const rp_month *mo = &L->fw_months[i];
            fputs("<tr><td>", h->f);
            h_esc(h, mo->month);
            fputs("</td><td class=\"n\">", h->f);
            h_num(h, mo->n);
            fputs("</td><td class=\"n\">", h->f);
            if (mo->year_before >= 0)
                h_num(h, mo->year_before);
            else
                fputs("-", h->f);
            fputs("</td><td class=\"n\">", h->f);
            if (mo->year_before > 0)
                fprintf(h->f, "%+.0f%%",
                        ((double)mo->n / (double)mo->year_before - 1.0) * 100.0);
            else
                fputs("-", h->f);
            fputs("</td></tr>\n", h->f);
        }
        fputs("</table>\n", h->f);
    }
    if (L->nsrcs) {
        fputs("<h3>", h->f);
        h_T(h, "fw_sources");
        fputs("</h3>\n<table>", h->f);
        static const char *const sc[] = {"ip", "country", "count"};
        h_th(h, sc, 3);
        for (size_t i = 0; i < L->nsrcs; i++) {
            fputs("<tr><td>", h->f);
            h_esc(h, L->srcs[i].ip);
            fputs("</td><td>", h->f);
            h_esc(h, L->srcs[i].cc[0] ? h_country(h, L->srcs[i].cc) : "-");
            fputs("</td><td class=\"n\">", h->f);
            h_num(h, L->srcs[i].n);
            fputs("</td></tr>\n", h->f);
        }
        fputs("</table>\n", h->f);
    }
}

static void shadow(H *h, const rp_logs *L)
{
    fputs("<h3>", h->f);
    h_T(h, "shadow");
    fputs("</h3>\n<p>", h->f);
    h_T(h, "shadow_note");
    fputs("</p>\n<table>", h->f);
    static const char *const cols[] = {"month",      "service", "category", "bytes_up",
                                       "bytes_down", "n_hosts", "sanctioned"};
    h_th(h, cols, 7);
    size_t shown = 0;
    for (size_t i = 0; i < L->nshadow && shown < 40; i++, shown++) {
        const rp_shadow *r = &L->shadow[i];
        char ck[40];
        snprintf(ck, sizeof ck, "cat_%s", r->category[0] ? r->category : "other");
        const char *cat = rp_t(h->lang, ck);
        fputs("<tr><td>", h->f);
        h_esc(h, r->month);
        fputs("</td><td>", h->f);
        h_esc(h, r->service);
        fputs("</td><td>", h->f);
        h_esc(h, strcmp(cat, ck) ? cat : r->category);
        fputs("</td><td class=\"n\">", h->f);
        bytes(h, r->up);
        fputs("</td><td class=\"n\">", h->f);
        bytes(h, r->down);
        fputs("</td><td class=\"n\">", h->f);
        h_num(h, r->hosts);
        fputs("</td><td>", h->f);
        h_T(h, r->sanctioned ? "yes" : "no");
        fputs("</td></tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
    h_more(h, L->nshadow, shown);
}

static void https(H *h, const rp_logs *L)
{
    fputs("<h3>", h->f);
    h_T(h, "https");
    fputs("</h3>\n<table>", h->f);
    static const char *const cols[] = {"month", "count", "share"};
    h_th(h, cols, 3);
    for (size_t i = 0; i < L->nhttps; i++) {
        fputs("<tr><td>", h->f);
        h_esc(h, L->https[i].month);
        fputs("</td><td class=\"n\">", h->f);
        h_num(h, L->https[i].n);
        fputs("</td><td class=\"n\">", h->f);
        pct(h, L->https[i].share);
        fputs("</td></tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
}

/* Each kind of finding once, explained, with its rows as evidence. */
static void findings(H *h, const rp_logs *L)
{
    static const char *const order[] = {"ioc", "sinkhole",     "bypass",          "ddns",
                                        "listed",          "server_resolves", "exec_attachment",
                                        "from_mismatch"};
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        size_t n = 0;
        for (size_t i = 0; i < L->nfind; i++)
            n += strcmp(L->find[i].kind, order[k]) == 0;
        if (!n)
            continue;
        explain(h, order[k]);
        fputs("<table>", h->f);
        bool mail = strcmp(order[k], "exec_attachment") == 0 ||
                    strcmp(order[k], "from_mismatch") == 0;
        static const char *const cols[] = {"host", "name", "answer", "count", "first", "last"};
        static const char *const mcols[] = {"name", "source", "count", "first", "last"};
        if (mail)
            h_th(h, mcols, 5);
        else
            h_th(h, cols, 6);
        size_t shown = 0;
        for (size_t i = 0; i < L->nfind && shown < RP_ROWS; i++) {
            const rp_logfind *f = &L->find[i];
            if (strcmp(f->kind, order[k]) != 0)
                continue;
            shown++;
            fputs("<tr><td>", h->f);
            if (!mail) {
                host(h, &f->host);
                fputs("</td><td>", h->f);
            }
            h_esc(h, f->name);
            fputs("</td><td>", h->f);
            h_esc(h, f->answer);
            fputs("</td><td class=\"n\">", h->f);
            h_num(h, f->count);
            fputs("</td><td>", h->f);
            h_when(h, f->first);
            fputs("</td><td>", h->f);
            h_when(h, f->last);
            fputs("</td></tr>\n", h->f);
        }
        fputs("</table>\n", h->f);
        h_more(h, n, shown);
        fputs("</div>\n", h->f);
    }
}

static void logins(H *h, const rp_logs *L)
{
    static const char *const kinds[] = {"abroad", "guessing"};
    for (size_t k = 0; k < 2; k++) {
        size_t n = 0;
        for (size_t i = 0; i < L->nauth; i++)
            n += strcmp(L->auth[i].kind, kinds[k]) == 0;
        if (!n)
            continue;
        explain(h, kinds[k]);
        fputs("<table>", h->f);
        static const char *const cols[] = {"source", "country", "service", "user",
                                           "count",  "days",    "first",   "last"};
        h_th(h, cols, 8);
        size_t shown = 0;
        for (size_t i = 0; i < L->nauth && shown < RP_ROWS; i++) {
            const rp_authfind *a = &L->auth[i];
            if (strcmp(a->kind, kinds[k]) != 0)
                continue;
            shown++;
            fputs("<tr><td>", h->f);
            h_esc(h, a->src);
            fputs("</td><td>", h->f);
            h_esc(h, a->cc[0] ? h_country(h, a->cc) : "-");
            fputs("</td><td>", h->f);
            h_esc(h, a->service);
            fputs("</td><td>", h->f);
            h_esc(h, a->user);
            fputs("</td><td class=\"n\">", h->f);
            h_num(h, a->count);
            fputs("</td><td class=\"n\">", h->f);
            h_num(h, a->days);
            fputs("</td><td>", h->f);
            h_when(h, a->first);
            fputs("</td><td>", h->f);
            h_when(h, a->last);
            fputs("</td></tr>\n", h->f);
        }
        fputs("</table>\n", h->f);
        h_more(h, n, shown);
        fputs("</div>\n", h->f);
    }
}

void h_logs(H *h, const rp_site *s)
{
    const rp_logs *L = &s->logs;
    if (!L->any)
        return;
    fputs("<h2>", h->f);
    h_T(h, "logs");
    fputs("</h2>\n<p class=\"meta\">", h->f);
    h_T(h, "logs_note");
    fputs("</p>\n", h->f);
    if (L->nfind || L->nauth) {
        findings(h, L);
        logins(h, L);
    }
    if (L->fw_records)
        firewall(h, L);
    if (L->nshadow)
        shadow(h, L);
    if (L->nhttps)
        https(h, L);
}

/* The survey's log part: ports blocked across companies, services and
 * findings with the number of companies (none named). */
void h_logs_survey(H *h)
{
    const rp_logsurvey *S = &h->m->logs;
    if (!S->fw_sites && !S->nservices && !S->nkinds)
        return;
    fputs("<h2>", h->f);
    h_T(h, "logs_survey");
    fputs("</h2>\n", h->f);
    if (S->fw_sites) {
        fputs("<h3>", h->f);
        h_T(h, "fw_survey");
        fprintf(h->f, " (%zu ", S->fw_sites);
        h_T(h, "companies_n");
        fputs(")</h3>\n<p>", h->f);
        h_T(h, "fw_records_n");
        fputs(": ", h->f);
        h_num(h, S->blocked);
        fputs(" &middot; ", h->f);
        h_T(h, "telnet_share");
        fputs(": ", h->f);
        pct(h, S->telnet_share);
        fputs(" &middot; ", h->f);
        h_T(h, "iot_share");
        fputs(": ", h->f);
        pct(h, S->iot_share_top100);
        fputs("</p>\n<table>", h->f);
        static const char *const cols[] = {"port", "count", "share", "iot"};
        h_th(h, cols, 4);
        for (size_t i = 0; i < S->nports; i++) {
            fprintf(h->f, "<tr><td>%" PRId64 "/", S->ports[i].port);
            h_esc(h, S->ports[i].proto);
            fputs("</td><td class=\"n\">", h->f);
            h_num(h, S->ports[i].count);
            fputs("</td><td class=\"n\">", h->f);
            pct(h, S->ports[i].share);
            fprintf(h->f, "</td><td>%s</td></tr>\n", S->ports[i].iot ? "&#9679;" : "");
        }
        fputs("</table>\n", h->f);
    }
    if (S->nservices) {
        fputs("<h3>", h->f);
        h_T(h, "svc_survey");
        fputs("</h3>\n<table>", h->f);
        static const char *const cols[] = {"service", "affected"};
        h_th(h, cols, 2);
        for (size_t i = 0; i < S->nservices && i < 30; i++) {
            fputs("<tr><td>", h->f);
            h_esc(h, S->services[i].key);
            fprintf(h->f, "</td><td class=\"n\">%" PRId64 "</td></tr>\n", S->services[i].n);
        }
        fputs("</table>\n", h->f);
        h_more(h, S->nservices, 30);
    }
    if (S->nkinds) {
        fputs("<h3>", h->f);
        h_T(h, "kinds_survey");
        fputs("</h3>\n<table>", h->f);
        static const char *const cols[] = {"findings", "affected"};
        h_th(h, cols, 2);
        for (size_t i = 0; i < S->nkinds; i++) {
            fputs("<tr><td>", h->f);
            h_esc(h, rp_log_explain(S->kinds[i].key)->title[h->lang]);
            fprintf(h->f, "</td><td class=\"n\">%" PRId64 "</td></tr>\n", S->kinds[i].n);
        }
        fputs("</table>\n", h->f);
    }
}
