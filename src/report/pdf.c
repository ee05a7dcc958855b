/*
 * pdf.c - the report as PDF, made natively: cairo draws the pages (A4),
 * pango lays out the text (Japanese with Noto Sans CJK from Debian's
 * fonts-noto-cjk). The content and order are those of the HTML report
 * (html.c): the first page says how serious and what to do first; then the
 * findings, the three attack pictures, countries and alerts over time; the
 * survey shows families, companies (anonymised), the address-to-company
 * graph and country totals.
 *
 * Layout is a cursor going down the page: every block measures its height
 * first and starts a new page when it would not fit.
 */
#include "report/pdf_int.h"
#include "report/i18n.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <inttypes.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FONT "Noto Sans CJK JP"


static PangoLayout *layout(P *p, const char *txt, double size, bool bold, double width)
{
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_from_string(FONT);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(l, txt, -1);
    return l;
}

double p_text_h(P *p, const char *txt, double size, bool bold, double width)
{
    PangoLayout *l = layout(p, txt, size, bold, width);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    g_object_unref(l);
    return (double)h / PANGO_SCALE;
}

double p_text_at(P *p, const char *txt, double size, bool bold, double x, double y,
                      double width)
{
    PangoLayout *l = layout(p, txt, size, bold, width);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    g_object_unref(l);
    return (double)h / PANGO_SCALE;
}

static void footer(P *p)
{
    char f[160];
    snprintf(f, sizeof f, "%s  -  %d", p->footer, p->page);
    cairo_set_source_rgb(p->cr, 0.4, 0.4, 0.4);
    p_text_at(p, f, 8, false, MX, PH - 35, CW);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void newpage(P *p)
{
    if (p->page > 0) {
        footer(p);
        cairo_show_page(p->cr);
    }
    p->page++;
    p->y = MTOP;
}

void p_ensure(P *p, double h)
{
    if (p->y + h > PH - MBOT)
        newpage(p);
}

void p_heading(P *p, const char *txt, int level)
{
    double size = level == 1 ? 18 : level == 2 ? 14 : 11.5;
    double h = p_text_h(p, txt, size, true, CW);
    p_ensure(p, h + (level == 2 ? 40 : 10));   /* keep a heading with what follows */
    p->y += level == 1 ? 0 : level == 2 ? 12 : 6;
    if (level == 2) {
        cairo_set_source_rgb(p->cr, 0.13, 0.2, 0.27);
        cairo_rectangle(p->cr, MX, p->y + 2, 4, h - 2);
        cairo_fill(p->cr);
        cairo_set_source_rgb(p->cr, 0, 0, 0);
    }
    p->y += p_text_at(p, txt, size, true, MX + (level == 2 ? 10 : 0), p->y, CW) + 4;
    if (level == 1) {
        cairo_set_line_width(p->cr, 2);
        cairo_move_to(p->cr, MX, p->y);
        cairo_line_to(p->cr, PW - MX, p->y);
        cairo_stroke(p->cr);
        p->y += 6;
    }
}

void p_para(P *p, const char *txt, double size, bool bold)
{
    PangoLayout *l = layout(p, txt, size, bold, CW);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    p_ensure(p, (double)h / PANGO_SCALE);
    cairo_move_to(p->cr, MX, p->y);
    pango_cairo_show_layout(p->cr, l);
    g_object_unref(l);
    p->y += (double)h / PANGO_SCALE + 3;
}

void p_steps(P *p, const char *list, double x)
{
    int n = 1;
    for (const char *s = list; *s; n++) {
        const char *nl = strchr(s, '\n');
        size_t l = nl ? (size_t)(nl - s) : strlen(s);
        char line[600];
        snprintf(line, sizeof line, "%d. %.*s", n, (int)(l < 580 ? l : 580), s);
        double h = p_text_h(p, line, 10, false, CW - (x - MX));
        p_ensure(p, h);
        p->y += p_text_at(p, line, 10, false, x, p->y, CW - (x - MX)) + 1;
        s += l + (nl ? 1 : 0);
    }
    p->y += 3;
}

/* One table row; widths are fractions of the content width. Each cell is
 * laid out once: measured, then drawn from the same layout. */
void p_row(P *p, int n, const double *wf, const char *const *cells, bool header)
{
    PangoLayout *lay[16];
    double hmax = 0;
    if (n > 16)
        n = 16;
    for (int i = 0; i < n; i++) {
        lay[i] = layout(p, cells[i], 9, header, wf[i] * CW - 6);
        int w, h;
        pango_layout_get_size(lay[i], &w, &h);
        if ((double)h / PANGO_SCALE > hmax)
            hmax = (double)h / PANGO_SCALE;
    }
    hmax += 5;
    p_ensure(p, hmax);
    double x = MX;
    cairo_set_line_width(p->cr, 0.5);
    for (int i = 0; i < n; i++) {
        double w = wf[i] * CW;
        if (header) {
            cairo_set_source_rgb(p->cr, 0.92, 0.92, 1);
            cairo_rectangle(p->cr, x, p->y, w, hmax);
            cairo_fill(p->cr);
        }
        cairo_set_source_rgb(p->cr, 0.7, 0.7, 0.7);
        cairo_rectangle(p->cr, x, p->y, w, hmax);
        cairo_stroke(p->cr);
        cairo_set_source_rgb(p->cr, 0, 0, 0);
        cairo_move_to(p->cr, x + 3, p->y + 2.5);
        pango_cairo_show_layout(p->cr, lay[i]);
        g_object_unref(lay[i]);
        x += w;
    }
    p->y += hmax;
}

void p_gap(P *p, double h) { p->y += h; }

void p_fmt_num(int64_t v, char *o, size_t n)
{
    char b[32];
    snprintf(b, sizeof b, "%" PRId64, v);
    size_t l = strlen(b), k = 0;
    for (size_t i = 0; i < l && k + 2 < n; i++) {
        if (i && (l - i) % 3 == 0 && b[i - 1] != '-')
            o[k++] = ',';
        o[k++] = b[i];
    }
    o[k] = 0;
}

const char *p_country(P *p, const char *cc)
{
    if (!cc[0] || !strcmp(cc, "XX"))
        return p->lang ? "Unknown" : "不明";
    const char *n = mm_geo_country_name(p->o->geo, cc, p->lang ? "en" : "ja");
    return n ? n : cc;
}

static const double palette[][3] = {{0.12, 0.47, 0.71}, {1, 0.5, 0.05}, {0.17, 0.63, 0.17},
                                    {0.84, 0.15, 0.16}, {0.58, 0.4, 0.74}, {0.55, 0.34, 0.29},
                                    {0.89, 0.47, 0.76}, {0.5, 0.5, 0.5}};

/* A pie of one direction's top countries, drawn at x (width half the page). */
static void pie(P *p, const rp_country *cc, size_t n, bool in, const char *label, double x,
                double y)
{
    size_t idx[6];
    int64_t total, rest;
    size_t k = rp_pie_slices(cc, n, in, idx, 6, &total, &rest);
    p_text_at(p, rp_t(p->lang, label), 10, true, x, y, CW / 2 - 10);
    if (total == 0) {
        p_text_at(p, rp_t(p->lang, "none"), 9, false, x, y + 20, CW / 2);
        return;
    }
    double cx = x + 55, cy = y + 85, r = 55, a0 = -M_PI / 2;
    for (size_t i = 0; i <= k; i++) {
        int64_t v = i < k ? (in ? cc[idx[i]].in : cc[idx[i]].out) : rest;
        if (v <= 0)
            continue;
        double frac = (double)v / (double)total, a1 = a0 + frac * 2 * M_PI;
        const double *c = palette[i < k ? i : 7];
        cairo_set_source_rgb(p->cr, c[0], c[1], c[2]);
        cairo_move_to(p->cr, cx, cy);
        cairo_arc(p->cr, cx, cy, r, a0, a1);
        cairo_close_path(p->cr);
        cairo_fill(p->cr);
        cairo_rectangle(p->cr, x + 122, y + 28 + (double)i * 16, 9, 9);
        cairo_fill(p->cr);
        cairo_set_source_rgb(p->cr, 0, 0, 0);
        char t[128];
        snprintf(t, sizeof t, "%s %.1f%%",
                 i < k ? p_country(p, cc[idx[i]].cc) : (p->lang ? "Other" : "その他"), 100.0 * frac);
        p_text_at(p, t, 8.5, false, x + 135, y + 25 + (double)i * 16, CW / 2 - 140);
        a0 = a1;
    }
}

static void countries(P *p, const rp_country *cc, size_t n)
{
    p_ensure(p, 160);
    pie(p, cc, n, true, "inbound", MX, p->y);
    pie(p, cc, n, false, "outbound", MX + CW / 2, p->y);
    p->y += 160;
    p_heading(p, rp_t(p->lang, "top_countries"), 3);
    static const double wf[] = {0.07, 0.33, 0.2, 0.2, 0.2};
    const char *hd[] = {"#", rp_t(p->lang, "country"), rp_t(p->lang, "packets"),
                        rp_t(p->lang, "inbound"), rp_t(p->lang, "outbound")};
    p_row(p, 5, wf, hd, true);
    for (size_t i = 0; i < n && i < RP_TOP; i++) {
        char a[8], b[32], c[32], d[32];
        snprintf(a, sizeof a, "%zu", i + 1);
        p_fmt_num(cc[i].in + cc[i].out, b, sizeof b);
        p_fmt_num(cc[i].in, c, sizeof c);
        p_fmt_num(cc[i].out, d, sizeof d);
        const char *cells[] = {a, p_country(p, cc[i].cc), b, c, d};
        p_row(p, 5, wf, cells, false);
    }
}

static void timeline(P *p, const rp_site *s)
{
    int64_t d0, max, *cnt;
    size_t nd = rp_day_series(p->m, s, &d0, &cnt, &max);
    if (!nd)
        return;
    p_ensure(p, 150);
    double x0 = MX + 30, w = (CW - 30) / (double)nd, h0 = 110, y0 = p->y + 10;
    char t[32];
    snprintf(t, sizeof t, "%" PRId64, max);
    p_text_at(p, t, 8, false, MX, y0 - 5, 28);
    p_text_at(p, "0", 8, false, MX, y0 + h0 - 10, 28);
    cairo_set_line_width(p->cr, 0.8);
    cairo_move_to(p->cr, x0, y0 + h0);
    cairo_line_to(p->cr, MX + CW, y0 + h0);
    cairo_stroke(p->cr);
    size_t step = nd / 6 + 1;
    for (size_t i = 0; i < nd; i++) {
        char d[16];
        rp_day_label(d0 + (int64_t)i, d, sizeof d);
        int64_t v = cnt[i];
        double bh = h0 * (double)v / (double)max, x = x0 + w * (double)i;
        if (v) {
            cairo_set_source_rgb(p->cr, 0.84, 0.15, 0.16);
            cairo_rectangle(p->cr, x + w * 0.1, y0 + h0 - bh, w * 0.8 > 0.8 ? w * 0.8 : 0.8, bh);
            cairo_fill(p->cr);
            cairo_set_source_rgb(p->cr, 0, 0, 0);
        }
        if (i % step == 0)
            p_text_at(p, d + 5, 7.5, false, x, y0 + h0 + 3, 40);
    }
    free(cnt);
    p->y += 150;
}

void p_when(const P *p, int64_t us, char *o, size_t n) { rp_fmt_time(p->m, us, o, n, true); }

void p_explain(P *p, const mm_explain *e)
{
    int L = p->lang;
    char t[1200];
    snprintf(t, sizeof t, "%s: %s", rp_t(L, "what"), e->what[L]);
    p_para(p, t, 10, false);
    snprintf(t, sizeof t, "%s: %s", rp_t(L, "why"), e->why[L]);
    p_para(p, t, 10, false);
    snprintf(t, sizeof t, "%s:", rp_t(L, "what_to_do"));
    p_para(p, t, 10, true);
    p_steps(p, e->steps[L], MX + 10);
}

static void finding(P *p, const rp_site *s, const rp_finding *f)
{
    const mm_explain *e = rp_finding_explain(f);
    int L = p->lang;
    char t[512], a[32], b[32], c[32];
    snprintf(t, sizeof t, "[%s] %s", rp_t(L, rp_sev_key(f->sev)), e->title[L]);
    p_heading(p, t, 3);
    snprintf(t, sizeof t, "%s - %s", rp_family_name(L, f->family), f->sig);
    cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
    p_para(p, t, 8.5, false);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    p_explain(p, e);
    p_fmt_num(f->count, a, sizeof a);
    p_when(p, f->first, b, sizeof b);
    p_when(p, f->last, c, sizeof c);
    snprintf(t, sizeof t, "%s: %s %s, %s %s, %s %s", rp_t(L, "evidence"), rp_t(L, "count"), a,
             rp_t(L, "first"), b, rp_t(L, "last"), c);
    p_para(p, t, 9.5, false);
    char hosts[600] = "", rem[900] = "";
    for (size_t i = 0; i < f->nh; i++) {
        size_t l = strlen(hosts);
        const rp_host *x = rp_site_host(s, f->hosts[i].key);
        bool named = x && (x->name[0] || x->mac[0]);
        snprintf(hosts + l, sizeof hosts - l, "%s%s (%" PRId64 ")%s%s%s%s", i ? "\n" : "",
                 f->hosts[i].key, f->hosts[i].n, named ? " " : "",
                 named ? (x->name[0] ? x->name : "-") : "", named && x->mac[0] ? " " : "",
                 named ? x->mac : "");
    }
    for (size_t i = 0; i < f->nr; i++) {
        size_t l = strlen(rem);
        snprintf(rem + l, sizeof rem - l, "%s%s%s%s (%" PRId64 ")%s", i ? "\n" : "",
                 f->remotes[i].ip, f->remotes[i].cc[0] ? " - " : "",
                 f->remotes[i].cc[0] ? p_country(p, f->remotes[i].cc) : "", f->remotes[i].n,
                 f->remotes[i].nsites >= 2 ? (L ? " ! seen at other companies" : " ！他社での観測")
                                           : "");
    }
    static const double wf[] = {0.4, 0.6};
    const char *hd[] = {rp_t(L, "hosts"), rp_t(L, "remotes")};
    const char *cells[] = {hosts, rem};
    p_row(p, 2, wf, hd, true);
    p_row(p, 2, wf, cells, false);
    p_gap(p, 8);
}

void p_more(P *p, size_t n, size_t shown)
{
    if (n <= shown)
        return;
    char line[160];
    rp_more_line(p->lang, line, sizeof line, n - shown);
    p_para(p, line, 8.5, false);
}

static void picture(P *p, const char *title, const rp_peers *ps, int kind)
{
    if (ps->n == 0)
        return;
    int L = p->lang;
    p_heading(p, rp_t(L, title), 3);
    static const double w1[] = {0.17, 0.14, 0.17, 0.1, 0.17, 0.17, 0.08};
    static const double w2[] = {0.15, 0.12, 0.14, 0.07, 0.13, 0.13, 0.08, 0.08, 0.1};
    static const double w3[] = {0.2, 0.16, 0.12, 0.2, 0.2, 0.12};
    const char *extra = kind == 1 ? "accepted" : kind == 2 ? "duration" : "packets";
    const char *hd[9];
    int n = 0;
    hd[n++] = rp_t(L, "remote");
    hd[n++] = rp_t(L, "country");
    if (kind != 3)
        hd[n++] = rp_t(L, "local");
    hd[n++] = rp_t(L, "alerts");
    hd[n++] = rp_t(L, "first");
    hd[n++] = rp_t(L, "last");
    hd[n++] = rp_t(L, extra);
    if (kind == 2) {
        hd[n++] = rp_t(L, "both_dir");
        hd[n++] = rp_t(L, "sent");
    }
    const double *wf = kind == 1 ? w1 : kind == 2 ? w2 : w3;
    p_row(p, n, wf, hd, true);
    for (size_t i = 0; i < ps->n && i < RP_ROWS; i++) {
        const rp_peer *r = &ps->v[i];
        char al[32], fi[32], la[32], ex[48], sent[40];
        p_fmt_num(r->alerts, al, sizeof al);
        p_when(p, r->first, fi, sizeof fi);
        p_when(p, r->last, la, sizeof la);
        const char *c[9];
        int k = 0;
        c[k++] = r->ip;
        c[k++] = p_country(p, r->cc);
        if (kind != 3)
            c[k++] = r->local;
        c[k++] = al;
        c[k++] = fi;
        c[k++] = la;
        if (kind == 1) {
            snprintf(ex, sizeof ex, "%s", rp_t(L, r->success ? "yes" : "no"));
        } else if (kind == 2) {
            int64_t a = r->flows && r->flow_first < r->first ? r->flow_first : r->first;
            int64_t b = r->flow_last > r->last ? r->flow_last : r->last;
            rp_duration(L, (b - a) / 1000000, ex, sizeof ex);
        } else {
            p_fmt_num(r->pkts_in, ex, sizeof ex);
        }
        c[k++] = ex;
        if (kind == 2) {
            c[k++] = rp_t(L, r->bytes_in > 0 && r->bytes_out > 0 ? "yes" : "no");
            p_fmt_num(r->bytes_out, sent, sizeof sent);
            c[k++] = sent;
        }
        p_row(p, k, wf, c, false);
    }
    p_more(p, ps->n, RP_ROWS);
    p_gap(p, 8);
}

static void period(P *p)
{
    char a[32], b[32], t[160];
    p_when(p, p->m->from, a, sizeof a);
    p_when(p, p->m->to - 1, b, sizeof b);
    snprintf(t, sizeof t, "%s: %s - %s (%s)", rp_t(p->lang, "period"), a, b, p->m->tz);
    p_para(p, t, 9, false);
}

static void fam_list(int L, const char *fams, char *out, size_t n)
{
    out[0] = 0;
    for (const char *s = fams; *s;) {
        const char *c = strchr(s, ',');
        char f[48];
        snprintf(f, sizeof f, "%.*s", (int)(c ? c - s : (long)strlen(s)), s);
        size_t l = strlen(out);
        snprintf(out + l, n - l, "%s%s", l ? ", " : "", rp_family_name(L, f));
        if (!c)
            break;
        s = c + 1;
    }
}

static void site_pdf(P *p, const rp_site *s)
{
    int L = p->lang;
    char t[512];
    snprintf(t, sizeof t, "%s: %s", rp_t(L, "title_site"), s->name);
    p_heading(p, t, 1);
    period(p);
    p_gap(p, 6);
    /* the first page's box: level, summary, what to do first */
    double y0 = p->y;
    static const double col[4][3] = {{0, 0, 0}, {0.8, 0, 0}, {0.85, 0.5, 0}, {0, 0.5, 0}};
    p->y += 8;
    cairo_set_source_rgb(p->cr, col[s->level][0], col[s->level][1], col[s->level][2]);
    p->y += p_text_at(p, rp_t(L, s->level == 1 ? "level_1" : s->level == 2 ? "level_2" : "level_3"),
                    15, true, MX + 10, p->y, CW - 20) + 4;
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    if (s->alerts == 0)
        snprintf(t, sizeof t, "%s", rp_t(L, "no_alerts"));
    else
        rp_summary_line(L, t, sizeof t, (long long)s->alerts, (long long)s->sev[1],
                        (long long)s->sev[2], (long long)s->sev[3]);
    p->y += p_text_at(p, t, 10, false, MX + 10, p->y, CW - 20) + 4;
    if (s->nfind && s->level < 3) {
        const mm_explain *e = rp_finding_explain(&s->find[0]);
        snprintf(t, sizeof t, "%s: %s", rp_t(L, "most_serious"), e->title[L]);
        p->y += p_text_at(p, t, 10.5, true, MX + 10, p->y, CW - 20) + 4;
        snprintf(t, sizeof t, "%s:", rp_t(L, "first_do"));
        p->y += p_text_at(p, t, 10.5, true, MX + 10, p->y, CW - 20) + 2;
        p_steps(p, e->steps[L], MX + 20);
    } else if (s->logs.level && s->logs.level < 3) {
        /* the most serious thing is in the logs */
        const mm_explain *e = rp_log_explain(rp_logs_first_kind(&s->logs));
        snprintf(t, sizeof t, "%s: %s", rp_t(L, "most_serious"), e->title[L]);
        p->y += p_text_at(p, t, 10.5, true, MX + 10, p->y, CW - 20) + 4;
        snprintf(t, sizeof t, "%s:", rp_t(L, "first_do"));
        p->y += p_text_at(p, t, 10.5, true, MX + 10, p->y, CW - 20) + 2;
        p_steps(p, e->steps[L], MX + 20);
    }
    cairo_set_source_rgb(p->cr, col[s->level][0], col[s->level][1], col[s->level][2]);
    cairo_set_line_width(p->cr, 1.5);
    cairo_rectangle(p->cr, MX, y0, CW, p->y - y0 + 4);
    cairo_stroke(p->cr);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    p->y += 12;

    if (s->nfind) {
        p_heading(p, rp_t(L, "findings"), 2);
        for (size_t i = 0; i < s->nfind; i++)
            finding(p, s, &s->find[i]);
    }
    picture(p, "pic_remote", &s->remote_control, 1);
    picture(p, "pic_malicious", &s->malicious, 2);
    picture(p, "pic_ddos", &s->ddos, 3);
    p_hostfiles(p, s);
    p_logs(p, s);
    p_exposure(p, s);
    p_ensure(p, 230);   /* the heading stays with its charts */
    p_heading(p, rp_t(L, "countries"), 2);
    countries(p, s->cc, s->ncc);
    if (s->days.n) {
        p_heading(p, rp_t(L, "over_time"), 2);
        timeline(p, s);
    }
    p_heading(p, rp_t(L, "shared_ips"), 2);
    if (s->shared_ips == 0) {
        p_para(p, rp_t(L, "none"), 10, false);
        return;
    }
    p_para(p, rp_t(L, "shared_ips_note"), 10, false);
    static const double wf[] = {0.25, 0.2, 0.3, 0.12, 0.13};
    const char *hd[] = {rp_t(L, "ip"), rp_t(L, "country"), rp_t(L, "family"), rp_t(L, "alerts"),
                        rp_t(L, "n_companies")};
    p_row(p, 5, wf, hd, true);
    size_t shown = 0;
    for (size_t i = 0; i < s->remotes.n; i++) {
        const rp_peer *r = &s->remotes.v[i];
        if (r->nsites < 2 || shown++ >= RP_ROWS)
            continue;
        char a[32], n[16], fams[400];
        p_fmt_num(r->alerts, a, sizeof a);
        snprintf(n, sizeof n, "%d", r->nsites);
        fam_list(L, r->families, fams, sizeof fams);
        const char *c[] = {r->ip, p_country(p, r->cc), fams, a, n};
        p_row(p, 5, wf, c, false);
    }
    p_more(p, (size_t)s->shared_ips, RP_ROWS);
}

static void xgraph(P *p)
{
    const rp_model *m = p->m;
    size_t nip = m->nxip < 30 ? m->nxip : 30;
    size_t rows = nip > m->nsite ? nip : m->nsite;
    double h = (double)rows * 16 + 10;
    if (h > PH - MTOP - MBOT - 20)
        h = PH - MTOP - MBOT - 20;
    double step = (h - 10) / (double)(rows ? rows : 1);
    p_ensure(p, h);
    double y0 = p->y + 8, xl = MX + 180, xr = MX + 360;
    cairo_set_line_width(p->cr, 1);
    for (size_t i = 0; i < nip; i++) {
        const double *c = palette[i % 7];
        for (size_t k = 0; k < m->xip[i].nsites; k++) {
            cairo_set_source_rgb(p->cr, c[0], c[1], c[2]);
            cairo_move_to(p->cr, xl, y0 + (double)i * step);
            cairo_line_to(p->cr, xr, y0 + (double)m->xip[i].sites[k] * step);
            cairo_stroke(p->cr);
        }
    }
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    for (size_t i = 0; i < nip; i++) {
        char t[80];
        snprintf(t, sizeof t, "%s (%s)", m->xip[i].ip, m->xip[i].cc[0] ? m->xip[i].cc : "XX");
        p_text_at(p, t, 7.5, false, MX, y0 + (double)i * step - 6, 175);
        cairo_arc(p->cr, xl, y0 + (double)i * step, 2.5, 0, 2 * M_PI);
        cairo_fill(p->cr);
    }
    for (size_t i = 0; i < m->nsite && (double)i * step < h; i++) {
        char an[32];
        rp_anon(p->lang, i, an, sizeof an);
        cairo_arc(p->cr, xr, y0 + (double)i * step, 2.5, 0, 2 * M_PI);
        cairo_fill(p->cr);
        p_text_at(p, an, 7.5, false, xr + 6, y0 + (double)i * step - 6, 120);
    }
    p->y += h + 6;
}

static void survey_pdf(P *p)
{
    const rp_model *m = p->m;
    int L = p->lang;
    p_heading(p, rp_t(L, "title_all"), 1);
    period(p);
    size_t hit = 0;
    for (size_t i = 0; i < m->nsite; i++)
        hit += m->site[i].alerts > 0;
    char t[512];
    rp_survey_line(L, t, sizeof t, m->nsite, hit, (long long)m->alerts);
    p_para(p, t, 11, true);

    p_heading(p, rp_t(L, "families"), 2);
    static const double wf1[] = {0.5, 0.25, 0.25};
    const char *h1[] = {rp_t(L, "family"), rp_t(L, "affected"), rp_t(L, "alerts")};
    p_row(p, 3, wf1, h1, true);
    for (size_t i = 0; i < m->fam_sites.n; i++) {
        const rp_kv *kv = &m->fam_sites.v[i];
        int64_t al = 0;
        for (size_t k = 0; k < m->fam_alerts.n; k++)
            if (!strcmp(m->fam_alerts.v[k].key, kv->key))
                al = m->fam_alerts.v[k].n;
        char a[32], b[32];
        snprintf(a, sizeof a, "%" PRId64 " / %zu", kv->n, m->nsite);
        p_fmt_num(al, b, sizeof b);
        const char *c[] = {rp_family_name(L, kv->key), a, b};
        p_row(p, 3, wf1, c, false);
    }

    p_heading(p, rp_t(L, "per_company"), 2);
    static const double wf2[] = {0.12, 0.2, 0.09, 0.07, 0.07, 0.07, 0.38};
    const char *h2[] = {rp_t(L, "company"), rp_t(L, "severity"), rp_t(L, "alerts"),
                        rp_t(L, "sev1"), rp_t(L, "sev2"), rp_t(L, "sev3"), rp_t(L, "family")};
    p_row(p, 7, wf2, h2, true);
    for (size_t i = 0; i < m->nsite; i++) {
        const rp_site *s = &m->site[i];
        char an[32], a[32], s1[32], s2[32], s3[32], fams[600] = "";
        rp_anon(L, i, an, sizeof an);
        p_fmt_num(s->alerts, a, sizeof a);
        p_fmt_num(s->sev[1], s1, sizeof s1);
        p_fmt_num(s->sev[2], s2, sizeof s2);
        p_fmt_num(s->sev[3], s3, sizeof s3);
        for (size_t k = 0; k < s->families.n; k++) {
            size_t l = strlen(fams);
            snprintf(fams + l, sizeof fams - l, "%s%s", k ? ", " : "",
                     rp_family_name(L, s->families.v[k].key));
        }
        const char *c[] = {an, rp_t(L, s->level == 1 ? "level_1" : s->level == 2 ? "level_2" : "level_3"),
                           a, s1, s2, s3, fams};
        p_row(p, 7, wf2, c, false);
    }

    p_heading(p, rp_t(L, "xsite"), 2);
    if (m->nxip == 0) {
        p_para(p, rp_t(L, "none"), 10, false);
    } else {
        xgraph(p);
        static const double wf3[] = {0.2, 0.15, 0.3, 0.25, 0.1};
        const char *h3[] = {rp_t(L, "ip"), rp_t(L, "country"), rp_t(L, "company"),
                            rp_t(L, "family"), rp_t(L, "alerts")};
        p_row(p, 5, wf3, h3, true);
        for (size_t i = 0; i < m->nxip && i < RP_TOP; i++) {
            const rp_xip *x = &m->xip[i];
            char cos[400] = "", fams[400], a[32];
            for (size_t k = 0; k < x->nsites; k++) {
                char an[32];
                rp_anon(L, (size_t)x->sites[k], an, sizeof an);
                size_t l = strlen(cos);
                snprintf(cos + l, sizeof cos - l, "%s%s", k ? ", " : "", an);
            }
            fam_list(L, x->families, fams, sizeof fams);
            p_fmt_num(x->alerts, a, sizeof a);
            const char *c[] = {x->ip, p_country(p, x->cc), cos, fams, a};
            p_row(p, 5, wf3, c, false);
        }
        p_more(p, m->nxip, RP_TOP);
    }
    if (m->nxflow) {
        p_heading(p, rp_t(L, "xsite_flows"), 2);
        static const double wf4[] = {0.25, 0.2, 0.15, 0.4};
        const char *h4[] = {rp_t(L, "ip"), rp_t(L, "country"), rp_t(L, "n_companies"),
                            rp_t(L, "shared_infra")};
        p_row(p, 4, wf4, h4, true);
        for (size_t i = 0; i < m->nxflow && i < RP_TOP; i++) {
            const rp_xip *x = &m->xflow[i];
            char n[16];
            snprintf(n, sizeof n, "%zu", x->nsites);
            const char *c[] = {x->ip, p_country(p, x->cc), n, x->shared_infra ? rp_t(L, x->infra) : ""};
            p_row(p, 4, wf4, c, false);
        }
        p_more(p, m->nxflow, RP_TOP);
    }
    p_ensure(p, 230);
    p_heading(p, rp_t(L, "country_totals"), 2);
    countries(p, m->cc, m->ncc);
    p_logs_survey(p);
    p_exposure_survey(p);
}

int rp_pdf(const char *path, const rp_model *m, const rp_opts *o, char *err, size_t errlen)
{
    P p = {0};
    p.m = m;
    p.o = o;
    p.lang = o->lang;
    p.surf = cairo_pdf_surface_create(path, PW, PH);
    if (cairo_surface_status(p.surf) != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "%s: %s", path, cairo_status_to_string(cairo_surface_status(p.surf)));
        cairo_surface_destroy(p.surf);
        return -1;
    }
    p.cr = cairo_create(p.surf);
    char foot[200];
    snprintf(foot, sizeof foot, "mimamori - %s",
             o->site >= 0 ? m->site[o->site].name : rp_t(p.lang, "title_all"));
    p.footer = foot;
    newpage(&p);
    if (o->site >= 0)
        site_pdf(&p, &m->site[o->site]);
    else
        survey_pdf(&p);
    footer(&p);
    cairo_show_page(p.cr);
    cairo_status_t st = cairo_status(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(p.surf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(p.surf);
    cairo_surface_destroy(p.surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "%s: %s", path, cairo_status_to_string(st));
        return -1;
    }
    return 0;
}

void rp_pdf_cleanup(void)
{
    /* the font caches of pango, cairo and fontconfig live until exit; freed
     * here so a leak checker sees only real leaks */
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
}
