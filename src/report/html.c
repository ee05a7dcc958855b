/*
 * html.c - the report as one self-contained HTML file: inline CSS, charts
 * as inline SVG, no script and no external fetch, so it opens anywhere,
 * prints cleanly and can be mailed as it is.
 *
 * A company report opens with what an owner needs in a minute (how
 * serious, what to do first), then each finding (what happened, why it
 * matters, what to do, evidence), the three attack pictures of the field
 * report, countries in and out, alerts over time, and the addresses also
 * seen at other companies (without naming them). The survey shows, per
 * family, how many companies were affected, the address-to-company graph
 * with companies anonymised, and country totals.
 */
#include "report/html_int.h"
#include "report/i18n.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


void h_esc(H *h, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", h->f); break;
        case '>': fputs("&gt;", h->f); break;
        case '&': fputs("&amp;", h->f); break;
        case '"': fputs("&quot;", h->f); break;
        case '\'': fputs("&#39;", h->f); break;
        default: fputc(*s, h->f);
        }
    }
}

void h_T(H *h, const char *key) { h_esc(h, rp_t(h->lang, key)); }

void h_th(H *h, const char *const *keys, size_t n)
{
    fputs("<tr>", h->f);
    for (size_t i = 0; i < n; i++) {
        fputs("<th>", h->f);
        h_T(h, keys[i]);
        fputs("</th>", h->f);
    }
    fputs("</tr>\n", h->f);
}

void h_num(H *h, int64_t v)
{
    char b[32], o[48];
    snprintf(b, sizeof b, "%" PRId64, v);
    size_t l = strlen(b), k = 0;
    for (size_t i = 0; i < l; i++) {
        if (i && (l - i) % 3 == 0 && b[i - 1] != '-')
            o[k++] = ',';
        o[k++] = b[i];
    }
    o[k] = 0;
    fputs(o, h->f);
}

void h_when(H *h, int64_t us)
{
    char t[32];
    rp_fmt_time(h->m, us, t, sizeof t, true);
    h_esc(h, t);
}

const char *h_country(H *h, const char *cc)
{
    if (!cc[0] || !strcmp(cc, "XX"))
        return h->lang ? "Unknown" : "不明";
    const char *n = mm_geo_country_name(h->o->geo, cc, h->lang ? "en" : "ja");
    return n ? n : cc;
}

const char rp_html_css[] =
    "body{font-family:'Noto Sans CJK JP','Noto Sans JP',sans-serif;margin:2em auto;"
    "max-width:60em;padding:0 1em;color:#222;line-height:1.6}\n"
    "h1{font-size:1.6em;border-bottom:3px solid #234;padding-bottom:.2em}\n"
    "h2{font-size:1.3em;margin-top:2em;border-left:6px solid #234;padding-left:.4em}\n"
    "h3{font-size:1.1em;margin-bottom:.2em}\n"
    "table{border-collapse:collapse;margin:.5em 0 1em}\n"
    "td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}\n"
    "th{background:#eef}\ntd.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".box{border:2px solid #888;border-radius:6px;padding:.8em 1.2em;margin:1em 0}\n"
    ".l1{border-color:#c00;background:#fff0f0}.l2{border-color:#d80;background:#fff8e8}"
    ".l3{border-color:#080;background:#f0fff0}\n"
    ".level{font-size:1.3em;font-weight:bold}\n"
    ".finding{border:1px solid #ccc;border-radius:6px;padding:.5em 1em;margin:1em 0;"
    "page-break-inside:avoid}\n"
    ".sev1{color:#c00;font-weight:bold}.sev2{color:#b60;font-weight:bold}.sev3{color:#666}\n"
    ".meta{color:#555;font-size:.9em}\nsvg{max-width:100%;height:auto}\n"
    "figure.pie{display:inline-block;margin:0 1em 1em 0;vertical-align:top}\n";

/* The document's head, or in a fragment (a page of the dashboard, whose
 * own head links rp_html_css) only the report's opening element. */
static void head(H *h, const char *title)
{
    if (h->o->fragment) {
        fputs("<div class=\"report\">\n", h->f);
        return;
    }
    fprintf(h->f, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<title>", h->lang ? "en" : "ja");
    h_esc(h, title);
    fputs("</title><style>\n", h->f);
    fputs(rp_html_css, h->f);
    fputs("</style></head><body>\n", h->f);
}

/* ---- charts ---- */

static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f"};

/* A pie of the top countries of one direction, the rest as "other". */
static void pie(H *h, const rp_country *cc, size_t n, bool in, const char *label)
{
    size_t idx[6];
    int64_t total, rest;
    size_t k = rp_pie_slices(cc, n, in, idx, 6, &total, &rest);
    fputs("<figure class=\"pie\"><figcaption><b>", h->f);
    h_T(h, label);
    fputs("</b></figcaption>", h->f);
    if (total == 0) {
        fputs("<p>", h->f);
        h_T(h, "none");
        fputs("</p></figure>\n", h->f);
        return;
    }
    fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"360\" height=\"200\" "
          "viewBox=\"0 0 360 200\" role=\"img\">", h->f);
    double a0 = -M_PI / 2, cx = 95, cy = 100, r = 90;
    for (size_t i = 0; i <= k; i++) {
        int64_t v = i < k ? (in ? cc[idx[i]].in : cc[idx[i]].out) : rest;
        if (v <= 0)
            continue;
        double frac = (double)v / (double)total, a1 = a0 + frac * 2 * M_PI;
        const char *col = palette[i < k ? i : 7];
        if (frac > 0.9999)
            fprintf(h->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>", cx, cy, r,
                    col);
        else
            fprintf(h->f,
                    "<path d=\"M%.1f %.1f L%.2f %.2f A%.1f %.1f 0 %d 1 %.2f %.2f Z\" "
                    "fill=\"%s\" stroke=\"#fff\"/>",
                    cx, cy, cx + r * cos(a0), cy + r * sin(a0), r, r, frac > 0.5 ? 1 : 0,
                    cx + r * cos(a1), cy + r * sin(a1), col);
        fprintf(h->f, "<rect x=\"200\" y=\"%zu\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                      "<text x=\"218\" y=\"%zu\" font-size=\"12\">",
                20 + i * 22, col, 31 + i * 22);
        h_esc(h, i < k ? h_country(h, cc[idx[i]].cc) : (h->lang ? "Other" : "その他"));
        fprintf(h->f, " %.1f%%</text>", 100.0 * frac);
        a0 = a1;
    }
    fputs("</svg></figure>\n", h->f);
}

/* Alerts per local day, every day of the period shown (empty days too). */
static void timeline(H *h, const rp_site *s)
{
    if (s->days.n == 0)
        return;
    int64_t d0, max, *cnt;
    size_t nd = rp_day_series(h->m, s, &d0, &cnt, &max);
    if (!nd)
        return;
    double w = 640.0 / (double)nd, H0 = 160;
    fprintf(h->f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"700\" height=\"210\" "
                  "viewBox=\"0 0 700 210\" role=\"img\"><line x1=\"50\" y1=\"%.0f\" x2=\"690\" "
                  "y2=\"%.0f\" stroke=\"#333\"/>", H0 + 10, H0 + 10);
    fprintf(h->f, "<text x=\"45\" y=\"16\" font-size=\"11\" text-anchor=\"end\">%" PRId64
                  "</text><text x=\"45\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">0</text>",
            max, H0 + 10);
    for (size_t i = 0; i < nd; i++) {
        char d[16];
        rp_day_label(d0 + (int64_t)i, d, sizeof d);
        int64_t v = cnt[i];
        double bh = H0 * (double)v / (double)max, x = 50 + w * (double)i;
        if (v)
            fprintf(h->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"#d62728\"><title>%s: %" PRId64 "</title></rect>",
                    x + w * 0.1, H0 + 10 - bh, w * 0.8 > 1 ? w * 0.8 : 1, bh, d, v);
        size_t step = nd / 8 + 1;
        if (i % step == 0)
            fprintf(h->f, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\">%s</text>", x,
                    H0 + 28, d + 5);
    }
    fputs("</svg>\n", h->f);
    free(cnt);
}

/* ---- tables ---- */

static void country_table(H *h, const rp_country *cc, size_t n)
{
    fputs("<table><tr><th>#</th><th>", h->f);
    h_T(h, "country");
    fputs("</th><th>", h->f);
    h_T(h, "packets");
    fputs("</th><th>", h->f);
    h_T(h, "inbound");
    fputs("</th><th>", h->f);
    h_T(h, "outbound");
    fputs("</th></tr>\n", h->f);
    for (size_t i = 0; i < n && i < RP_TOP; i++) {
        fprintf(h->f, "<tr><td class=\"n\">%zu</td><td>", i + 1);
        h_esc(h, h_country(h, cc[i].cc));
        fputs("</td><td class=\"n\">", h->f);
        h_num(h, cc[i].in + cc[i].out);
        fputs("</td><td class=\"n\">", h->f);
        h_num(h, cc[i].in);
        fputs("</td><td class=\"n\">", h->f);
        h_num(h, cc[i].out);
        fputs("</td></tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
}

static void countries(H *h, const rp_country *cc, size_t n)
{
    pie(h, cc, n, true, "inbound");
    pie(h, cc, n, false, "outbound");
    fputs("<h3>", h->f);
    h_T(h, "top_countries");
    fputs("</h3>\n", h->f);
    country_table(h, cc, n);
}

void h_steps(H *h, const char *list)
{
    fputs("<ol>", h->f);
    const char *p = list;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(l < sizeof line - 1 ? l : sizeof line - 1), p);
        fputs("<li>", h->f);
        h_esc(h, line);
        fputs("</li>", h->f);
        p += l + (nl ? 1 : 0);
    }
    fputs("</ol>\n", h->f);
}

void h_explain(H *h, const mm_explain *e)
{
    int L = h->lang;
    fputs("<p><b>", h->f);
    h_T(h, "what");
    fputs(":</b> ", h->f);
    h_esc(h, e->what[L]);
    fputs("</p>\n<p><b>", h->f);
    h_T(h, "why");
    fputs(":</b> ", h->f);
    h_esc(h, e->why[L]);
    fputs("</p>\n<p><b>", h->f);
    h_T(h, "what_to_do");
    fputs(":</b></p>", h->f);
    h_steps(h, e->steps[L]);
}

/* The first page's "most important problem" and its first steps. */
static void first_do(H *h, const mm_explain *e)
{
    fputs("<p><b>", h->f);
    h_T(h, "most_serious");
    fputs(":</b> ", h->f);
    h_esc(h, e->title[h->lang]);
    fputs("</p><p><b>", h->f);
    h_T(h, "first_do");
    fputs(":</b></p>", h->f);
    h_steps(h, e->steps[h->lang]);
}

static void finding(H *h, const rp_site *s, const rp_finding *f)
{
    const mm_explain *e = rp_finding_explain(f);
    int L = h->lang;
    fputs("<div class=\"finding\"><h3>", h->f);
    fprintf(h->f, "<span class=\"%s\">[", rp_sev_key(f->sev));
    h_T(h, rp_sev_key(f->sev));
    fputs("]</span> ", h->f);
    h_esc(h, e->title[L]);
    fputs("</h3><p class=\"meta\">", h->f);
    h_esc(h, rp_family_name(L, f->family));
    fputs(" &middot; ", h->f);
    h_esc(h, f->sig);
    fputs("</p>\n", h->f);
    h_explain(h, e);
    fputs("<p><b>", h->f);
    h_T(h, "evidence");
    fputs(":</b> ", h->f);
    h_T(h, "count");
    fputs(" ", h->f);
    h_num(h, f->count);
    fputs(", ", h->f);
    h_T(h, "first");
    fputs(" ", h->f);
    h_when(h, f->first);
    fputs(", ", h->f);
    h_T(h, "last");
    fputs(" ", h->f);
    h_when(h, f->last);
    fputs("</p>\n<table><tr><th>", h->f);
    h_T(h, "hosts");
    fputs("</th><th>", h->f);
    h_T(h, "remotes");
    fputs("</th></tr><tr><td>", h->f);
    for (size_t i = 0; i < f->nh; i++) {
        h_esc(h, f->hosts[i].key);
        fputs(" (", h->f);
        h_num(h, f->hosts[i].n);
        fputs(")", h->f);
        const rp_host *x = rp_site_host(s, f->hosts[i].key);
        if (x && (x->name[0] || x->mac[0])) {
            fputs(" <span class=\"meta\">", h->f);
            h_esc(h, x->name[0] ? x->name : "-");
            if (x->mac[0]) {
                fputs(" ", h->f);
                h_esc(h, x->mac);
            }
            fputs("</span>", h->f);
        }
        fputs("<br>", h->f);
    }
    if (f->nhosts > (int64_t)f->nh)
        fprintf(h->f, "&hellip; %" PRId64, f->nhosts);
    fputs("</td><td>", h->f);
    for (size_t i = 0; i < f->nr; i++) {
        h_esc(h, f->remotes[i].ip);
        if (f->remotes[i].cc[0]) {
            fputs(" &ndash; ", h->f);
            h_esc(h, h_country(h, f->remotes[i].cc));
        }
        fputs(" (", h->f);
        h_num(h, f->remotes[i].n);
        fputs(")", h->f);
        if (f->remotes[i].nsites >= 2) {
            fputs(" <b>&#9888; ", h->f);
            h_T(h, "other_companies");
            fputs("</b>", h->f);
        }
        fputs("<br>", h->f);
    }
    if (f->nremotes > (int64_t)f->nr)
        fprintf(h->f, "&hellip; %" PRId64, f->nremotes);
    fputs("</td></tr></table></div>\n", h->f);
}

/* The line under a table cut at RP_ROWS rows. */
void h_more(H *h, size_t n, size_t shown)
{
    if (n <= shown)
        return;
    char line[160];
    rp_more_line(h->lang, line, sizeof line, n - shown);
    fputs("<p class=\"meta\">", h->f);
    h_esc(h, line);
    fputs("</p>\n", h->f);
}

static void picture(H *h, const char *title, const rp_peers *p, int kind)
{
    if (p->n == 0)
        return;
    fputs("<h3>", h->f);
    h_T(h, title);
    fputs("</h3>\n<table><tr><th>", h->f);
    h_T(h, "remote");
    fputs("</th><th>", h->f);
    h_T(h, "country");
    fputs("</th>", h->f);
    if (kind != 3) {
        fputs("<th>", h->f);
        h_T(h, "local");
        fputs("</th>", h->f);
    }
    fputs("<th>", h->f);
    h_T(h, "alerts");
    fputs("</th><th>", h->f);
    h_T(h, "first");
    fputs("</th><th>", h->f);
    h_T(h, "last");
    fputs("</th>", h->f);
    const char *extra = kind == 1 ? "accepted" : kind == 2 ? "duration" : "packets";
    fputs("<th>", h->f);
    h_T(h, extra);
    fputs("</th>", h->f);
    if (kind == 2) {
        fputs("<th>", h->f);
        h_T(h, "both_dir");
        fputs("</th><th>", h->f);
        h_T(h, "sent");
        fputs(" / ", h->f);
        h_T(h, "received");
        fputs("</th>", h->f);
    }
    fputs("</tr>\n", h->f);
    for (size_t i = 0; i < p->n && i < RP_ROWS; i++) {
        const rp_peer *r = &p->v[i];
        fputs("<tr><td>", h->f);
        h_esc(h, r->ip);
        fputs("</td><td>", h->f);
        h_esc(h, h_country(h, r->cc));
        fputs("</td>", h->f);
        if (kind != 3) {
            fputs("<td>", h->f);
            h_esc(h, r->local);
            fputs("</td>", h->f);
        }
        fputs("<td class=\"n\">", h->f);
        h_num(h, r->alerts);
        fputs("</td><td>", h->f);
        h_when(h, r->first);
        fputs("</td><td>", h->f);
        h_when(h, r->last);
        fputs("</td><td class=\"n\">", h->f);
        if (kind == 1) {
            h_T(h, r->success ? "yes" : "no");
        } else if (kind == 2) {
            int64_t a = r->flows && r->flow_first < r->first ? r->flow_first : r->first;
            int64_t b = r->flow_last > r->last ? r->flow_last : r->last;
            char du[32];
            rp_duration(h->lang, (b - a) / 1000000, du, sizeof du);
            h_esc(h, du);
            fputs("</td><td>", h->f);
            h_T(h, r->bytes_in > 0 && r->bytes_out > 0 ? "yes" : "no");
            fputs("</td><td class=\"n\">", h->f);
            h_num(h, r->bytes_out);
            fputs(" B / ", h->f);
            h_num(h, r->bytes_in);
            fputs(" B", h->f);
        } else {
            h_num(h, r->pkts_in);
        }
        fputs("</td></tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
    h_more(h, p->n, RP_ROWS);
}

/* A comma list of family keys as names. */
static void families(H *h, const char *fams)
{
    for (const char *p = fams; *p;) {
        const char *c = strchr(p, ',');
        char fam[48];
        snprintf(fam, sizeof fam, "%.*s", (int)(c ? c - p : (long)strlen(p)), p);
        h_esc(h, rp_family_name(h->lang, fam));
        if (!c)
            break;
        fputs(", ", h->f);
        p = c + 1;
    }
}

static void period(H *h)
{
    fputs("<p class=\"meta\">", h->f);
    h_T(h, "period");
    fputs(": ", h->f);
    h_when(h, h->m->from);
    fputs(" &ndash; ", h->f);
    h_when(h, h->m->to - 1);
    fputs(" (", h->f);
    h_esc(h, h->m->tz);
    fputs(")</p>\n", h->f);
}

static void site_report(H *h, const rp_site *s)
{
    int L = h->lang;
    char title[256];
    snprintf(title, sizeof title, "%s: %s", rp_t(L, "title_site"), s->name);
    head(h, title);
    fputs("<h1>", h->f);
    h_esc(h, title);
    fputs("</h1>\n", h->f);
    period(h);

    /* the first page: how serious, what to do first */
    fprintf(h->f, "<div class=\"box l%d\"><p class=\"level\">", s->level);
    h_T(h, s->level == 1 ? "level_1" : s->level == 2 ? "level_2" : "level_3");
    fputs("</p><p>", h->f);
    if (s->alerts == 0) {
        h_T(h, "no_alerts");
    } else {
        char line[512];
        rp_summary_line(L, line, sizeof line, (long long)s->alerts, (long long)s->sev[1],
                        (long long)s->sev[2], (long long)s->sev[3]);
        h_esc(h, line);
    }
    fputs("</p>\n", h->f);
    if (s->nfind && s->level < 3)
        first_do(h, rp_finding_explain(&s->find[0]));
    else if (s->logs.level && s->logs.level < 3)
        first_do(h, rp_log_explain(rp_logs_first_kind(&s->logs)));   /* it is in the logs */
    fputs("</div>\n", h->f);

    if (s->nfind) {
        fputs("<h2>", h->f);
        h_T(h, "findings");
        fputs("</h2>\n", h->f);
        for (size_t i = 0; i < s->nfind; i++)
            finding(h, s, &s->find[i]);
    }
    picture(h, "pic_remote", &s->remote_control, 1);
    picture(h, "pic_malicious", &s->malicious, 2);
    picture(h, "pic_ddos", &s->ddos, 3);
    h_hostfiles(h, s);
    h_logs(h, s);
    h_exposure(h, s);

    fputs("<h2>", h->f);
    h_T(h, "countries");
    fputs("</h2>\n", h->f);
    countries(h, s->cc, s->ncc);
    if (s->days.n) {
        fputs("<h2>", h->f);
        h_T(h, "over_time");
        fputs("</h2>\n", h->f);
        timeline(h, s);
    }

    /* addresses also seen elsewhere, without naming the other companies */
    fputs("<h2>", h->f);
    h_T(h, "shared_ips");
    fputs("</h2>\n", h->f);
    if (s->shared_ips == 0) {
        fputs("<p>", h->f);
        h_T(h, "none");
        fputs("</p>\n", h->f);
    } else {
        fputs("<p>", h->f);
        h_T(h, "shared_ips_note");
        fputs("</p><table><tr><th>", h->f);
        h_T(h, "ip");
        fputs("</th><th>", h->f);
        h_T(h, "country");
        fputs("</th><th>", h->f);
        h_T(h, "family");
        fputs("</th><th>", h->f);
        h_T(h, "alerts");
        fputs("</th><th>", h->f);
        h_T(h, "n_companies");
        fputs("</th></tr>\n", h->f);
        size_t shown = 0;
        for (size_t i = 0; i < s->remotes.n; i++) {
            const rp_peer *r = &s->remotes.v[i];
            if (r->nsites < 2 || shown++ >= RP_ROWS)
                continue;
            fputs("<tr><td>", h->f);
            h_esc(h, r->ip);
            fputs("</td><td>", h->f);
            h_esc(h, h_country(h, r->cc));
            fputs("</td><td>", h->f);
            families(h, r->families);
            fputs("</td><td class=\"n\">", h->f);
            h_num(h, r->alerts);
            fprintf(h->f, "</td><td class=\"n\">%d</td></tr>\n", r->nsites);
        }
        fputs("</table>\n", h->f);
        h_more(h, (size_t)s->shared_ips, RP_ROWS);
    }
}

/* The address-to-company graph: addresses on the left, companies on the
 * right, a line for each address that reached a company. */
static void xgraph(H *h)
{
    const rp_model *m = h->m;
    size_t nip = m->nxip < 40 ? m->nxip : 40;
    size_t rows = nip > m->nsite ? nip : m->nsite;
    fprintf(h->f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"700\" height=\"%zu\" "
                  "viewBox=\"0 0 700 %zu\" role=\"img\">", rows * 24 + 20, rows * 24 + 20);
    for (size_t i = 0; i < nip; i++)
        for (size_t k = 0; k < m->xip[i].nsites; k++)
            fprintf(h->f, "<line x1=\"230\" y1=\"%zu\" x2=\"480\" y2=\"%" PRId64 "\" "
                          "stroke=\"%s\" stroke-width=\"1.5\"/>",
                    i * 24 + 20, m->xip[i].sites[k] * 24 + 20, palette[i % 7]);
    for (size_t i = 0; i < nip; i++) {
        fprintf(h->f, "<circle cx=\"230\" cy=\"%zu\" r=\"4\" fill=\"%s\"/><text x=\"222\" y=\"%zu\" "
                      "font-size=\"12\" text-anchor=\"end\">",
                i * 24 + 20, palette[i % 7], i * 24 + 24);
        h_esc(h, m->xip[i].ip);
        fputs(" (", h->f);
        h_esc(h, m->xip[i].cc[0] ? m->xip[i].cc : "XX");
        fputs(")</text>", h->f);
    }
    for (size_t i = 0; i < m->nsite; i++) {
        char an[32];
        rp_anon(h->lang, i, an, sizeof an);
        fprintf(h->f, "<circle cx=\"480\" cy=\"%zu\" r=\"4\" fill=\"#333\"/><text x=\"490\" "
                      "y=\"%zu\" font-size=\"12\">", i * 24 + 20, i * 24 + 24);
        h_esc(h, an);
        fputs("</text>", h->f);
    }
    fputs("</svg>\n", h->f);
}

static void survey(H *h)
{
    const rp_model *m = h->m;
    int L = h->lang;
    head(h, rp_t(L, "title_all"));
    fputs("<h1>", h->f);
    h_T(h, "title_all");
    fputs("</h1>\n", h->f);
    period(h);
    size_t hit = 0;
    for (size_t i = 0; i < m->nsite; i++)
        hit += m->site[i].alerts > 0;
    char line[512];
    rp_survey_line(L, line, sizeof line, m->nsite, hit, (long long)m->alerts);
    fputs("<div class=\"box\"><p>", h->f);
    h_esc(h, line);
    fputs("</p></div>\n<h2>", h->f);
    h_T(h, "families");
    fputs("</h2>\n<table><tr><th>", h->f);
    h_T(h, "family");
    fputs("</th><th>", h->f);
    h_T(h, "affected");
    fputs("</th><th>", h->f);
    h_T(h, "alerts");
    fputs("</th></tr>\n", h->f);
    for (size_t i = 0; i < m->fam_sites.n; i++) {
        const rp_kv *kv = &m->fam_sites.v[i];
        int64_t al = 0;
        for (size_t k = 0; k < m->fam_alerts.n; k++)
            if (!strcmp(m->fam_alerts.v[k].key, kv->key))
                al = m->fam_alerts.v[k].n;
        fputs("<tr><td>", h->f);
        h_esc(h, rp_family_name(L, kv->key));
        fprintf(h->f, "</td><td class=\"n\">%" PRId64 " / %zu</td><td class=\"n\">", kv->n,
                m->nsite);
        h_num(h, al);
        fputs("</td></tr>\n", h->f);
    }
    fputs("</table>\n<h2>", h->f);
    h_T(h, "per_company");
    fputs("</h2>\n<table><tr><th>", h->f);
    h_T(h, "company");
    fputs("</th><th>", h->f);
    h_T(h, "severity");
    fputs("</th><th>", h->f);
    h_T(h, "alerts");
    fputs("</th><th>", h->f);
    h_T(h, "sev1");
    fputs("</th><th>", h->f);
    h_T(h, "sev2");
    fputs("</th><th>", h->f);
    h_T(h, "sev3");
    fputs("</th><th>", h->f);
    h_T(h, "family");
    fputs("</th></tr>\n", h->f);
    for (size_t i = 0; i < m->nsite; i++) {
        const rp_site *s = &m->site[i];
        char an[32];
        rp_anon(L, i, an, sizeof an);
        fputs("<tr><td>", h->f);
        h_esc(h, an);
        fprintf(h->f, "</td><td class=\"%s\">", s->level == 1 ? "sev1" : s->level == 2 ? "sev2" : "sev3");
        h_T(h, s->level == 1 ? "level_1" : s->level == 2 ? "level_2" : "level_3");
        fputs("</td><td class=\"n\">", h->f);
        h_num(h, s->alerts);
        for (int k = 1; k <= 3; k++) {
            fputs("</td><td class=\"n\">", h->f);
            h_num(h, s->sev[k]);
        }
        fputs("</td><td>", h->f);
        for (size_t k = 0; k < s->families.n; k++) {
            if (k)
                fputs(", ", h->f);
            h_esc(h, rp_family_name(L, s->families.v[k].key));
        }
        fputs("</td></tr>\n", h->f);
    }
    fputs("</table>\n<h2>", h->f);
    h_T(h, "xsite");
    fputs("</h2>\n", h->f);
    if (m->nxip == 0) {
        fputs("<p>", h->f);
        h_T(h, "none");
        fputs("</p>\n", h->f);
    } else {
        xgraph(h);
        fputs("<table><tr><th>", h->f);
        h_T(h, "ip");
        fputs("</th><th>", h->f);
        h_T(h, "country");
        fputs("</th><th>", h->f);
        h_T(h, "company");
        fputs("</th><th>", h->f);
        h_T(h, "family");
        fputs("</th><th>", h->f);
        h_T(h, "alerts");
        fputs("</th></tr>\n", h->f);
        for (size_t i = 0; i < m->nxip && i < RP_TOP; i++) {
            const rp_xip *x = &m->xip[i];
            fputs("<tr><td>", h->f);
            h_esc(h, x->ip);
            fputs("</td><td>", h->f);
            h_esc(h, h_country(h, x->cc));
            fputs("</td><td>", h->f);
            for (size_t k = 0; k < x->nsites; k++) {
                char an[32];
                rp_anon(L, (size_t)x->sites[k], an, sizeof an);
                if (k)
                    fputs(", ", h->f);
                h_esc(h, an);
            }
            fputs("</td><td>", h->f);
            families(h, x->families);
            fputs("</td><td class=\"n\">", h->f);
            h_num(h, x->alerts);
            fputs("</td></tr>\n", h->f);
        }
        fputs("</table>\n", h->f);
        h_more(h, m->nxip, RP_TOP);
    }
    if (m->nxflow) {
        fputs("<h2>", h->f);
        h_T(h, "xsite_flows");
        fputs("</h2>\n<table><tr><th>", h->f);
        h_T(h, "ip");
        fputs("</th><th>", h->f);
        h_T(h, "country");
        fputs("</th><th>", h->f);
        h_T(h, "n_companies");
        fputs("</th><th>", h->f);
        h_T(h, "shared_infra");
        fputs("</th></tr>\n", h->f);
        for (size_t i = 0; i < m->nxflow && i < RP_TOP; i++) {
            const rp_xip *x = &m->xflow[i];
            fputs("<tr><td>", h->f);
            h_esc(h, x->ip);
            fputs("</td><td>", h->f);
            h_esc(h, h_country(h, x->cc));
            fprintf(h->f, "</td><td class=\"n\">%zu</td><td>", x->nsites);
            if (x->shared_infra)
                h_esc(h, rp_t(L, x->infra));
            fputs("</td></tr>\n", h->f);
        }
        fputs("</table>\n", h->f);
        h_more(h, m->nxflow, RP_TOP);
    }
    fputs("<h2>", h->f);
    h_T(h, "country_totals");
    fputs("</h2>\n", h->f);
    countries(h, m->cc, m->ncc);
    h_logs_survey(h);
    h_exposure_survey(h);
}

int rp_html(FILE *f, const rp_model *m, const rp_opts *o)
{
    H h = {f, m, o, o->lang};
    if (o->site >= 0)
        site_report(&h, &m->site[o->site]);
    else
        survey(&h);
    fputs(o->fragment ? "</div>\n" : "<p class=\"meta\">mimamori</p>\n</body></html>\n", f);
    return ferror(f) ? -1 : 0;
}
