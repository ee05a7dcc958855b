/*
 * json.c - the report as one JSON object, for the analyst and for scripts.
 * Company names are real here (anonymising is for the rendered reports).
 *
 * Always present: sites, alerts_by_family ({site: {family: n}}),
 * countries ({site: {inbound|outbound: {CC: packets}}}, private and
 * reserved addresses left out, unknown countries as XX), cross_site_ips
 * ([{ip, sites}]). The rest is the detail the HTML and PDF show.
 */
#include "report/i18n.h"
#include "report/render.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

static void peers(mm_json *j, const char *key, const rp_model *m, const rp_peers *p, size_t max)
{
    char t[32];
    mj_arr_open(j, key);
    for (size_t i = 0; i < p->n && i < max; i++) {
        const rp_peer *r = &p->v[i];
        mj_obj_open(j, NULL);
        mj_str(j, "ip", r->ip);
        if (r->local[0])
            mj_str(j, "local_ip", r->local);
        mj_str(j, "country", r->cc[0] ? r->cc : "XX");
        mj_u64(j, "alerts", (uint64_t)r->alerts);
        mj_u64(j, "severity", (uint64_t)r->sev);
        if (r->families[0])
            mj_str(j, "families", r->families);
        mj_str(j, "signature", r->sig);
        rp_fmt_time(m, r->first, t, sizeof t, true);
        mj_str(j, "first_alert", t);
        rp_fmt_time(m, r->last, t, sizeof t, true);
        mj_str(j, "last_alert", t);
        mj_u64(j, "flows", (uint64_t)r->flows);
        if (r->app[0])
            mj_str(j, "protocol", r->app);
        mj_u64(j, "packets_in", (uint64_t)r->pkts_in);
        mj_u64(j, "packets_out", (uint64_t)r->pkts_out);
        mj_u64(j, "bytes_in", (uint64_t)r->bytes_in);
        mj_u64(j, "bytes_out", (uint64_t)r->bytes_out);
        if (r->flows) {
            int64_t a = r->flow_first < r->first ? r->flow_first : r->first;
            int64_t b = r->flow_last > r->last ? r->flow_last : r->last;
            mj_u64(j, "duration_s", (uint64_t)((b - a) / 1000000));
            mj_bool(j, "both_directions", r->bytes_in > 0 && r->bytes_out > 0);
        }
        mj_bool(j, "accepted", r->success);
        mj_u64(j, "companies", (uint64_t)(r->nsites ? r->nsites : 1));
        mj_obj_close(j);
    }
    mj_arr_close(j);
}

static void xips(mm_json *j, const char *key, const rp_model *m, const rp_xip *v, size_t n,
                 bool flows)
{
    char t[32];
    mj_arr_open(j, key);
    for (size_t i = 0; i < n; i++) {
        mj_obj_open(j, NULL);
        mj_str(j, "ip", v[i].ip);
        mj_str(j, "country", v[i].cc[0] ? v[i].cc : "XX");
        mj_arr_open(j, "sites");
        for (size_t k = 0; k < v[i].nsites; k++)
            mj_str(j, NULL, m->site[v[i].sites[k]].name);
        mj_arr_close(j);
        mj_u64(j, flows ? "flows" : "alerts", (uint64_t)v[i].alerts);
        if (v[i].families[0])
            mj_str(j, "families", v[i].families);
        rp_fmt_time(m, v[i].first, t, sizeof t, true);
        mj_str(j, "first", t);
        rp_fmt_time(m, v[i].last, t, sizeof t, true);
        mj_str(j, "last", t);
        if (flows) {
            mj_bool(j, "shared_infrastructure", v[i].shared_infra);
            if (v[i].infra[0])
                mj_str(j, "infrastructure", v[i].infra);
        }
        mj_obj_close(j);
    }
    mj_arr_close(j);
}

static void kvs(mm_json *j, const char *key, const rp_list *l)
{
    mj_obj_open(j, key);
    for (size_t i = 0; i < l->n; i++)
        mj_u64(j, l->v[i].key, (uint64_t)l->v[i].n);
    mj_obj_close(j);
}

static void host_obj(mm_json *j, const rp_site *s, const char *ip, const rp_host *h)
{
    if (!h)
        h = rp_site_host(s, ip);
    mj_obj_open(j, "host");
    mj_str(j, "ip", ip);
    if (h && h->name[0])
        mj_str(j, "name", h->name);
    if (h && h->mac[0])
        mj_str(j, "mac", h->mac);
    mj_obj_close(j);
}

/* what: 0 DNS and proxy findings, 1 mail findings, 2 indicator hits */
static void log_findings(mm_json *j, const char *key, const rp_model *m, const rp_site *s,
                         int what)
{
    char t[32];
    mj_arr_open(j, key);
    for (size_t i = 0; i < s->logs.nfind; i++) {
        const rp_logfind *f = &s->logs.find[i];
        int is = strcmp(f->kind, "exec_attachment") == 0 ||
                 strcmp(f->kind, "from_mismatch") == 0 ? 1
                 : strcmp(f->kind, "ioc") == 0 ? 2 : 0;
        if (is != what)
            continue;
        mj_obj_open(j, NULL);
        mj_str(j, "kind", f->kind);
        mj_str(j, what == 2 ? "seen" : "name", f->name);
        mj_str(j, what == 1 ? "from" : what == 2 ? "indicator" : "answer", f->answer);
        mj_u64(j, "count", (uint64_t)f->count);
        rp_fmt_time(m, f->first, t, sizeof t, true);
        mj_str(j, "first", t);
        rp_fmt_time(m, f->last, t, sizeof t, true);
        mj_str(j, "last", t);
        if (f->host.ip[0])
            host_obj(j, s, f->host.ip, &f->host);
        mj_obj_close(j);
    }
    mj_arr_close(j);
}

/* What the gateway logs show: the keys are there even when empty. */
static void logs_json(mm_json *j, const rp_model *m, const rp_site *s)
{
    const rp_logs *L = &s->logs;
    char t[32];
    mj_obj_open(j, "firewall");
    mj_u64(j, "records", (uint64_t)L->fw_records);
    mj_u64(j, "blocked", (uint64_t)L->blocked);
    mj_bool(j, "action_stated", L->action_stated || !L->fw_records);
    mj_arr_open(j, "by_port");
    for (size_t i = 0; i < L->nports; i++) {
        mj_obj_open(j, NULL);
        mj_u64(j, "port", (uint64_t)L->ports[i].port);
        mj_str(j, "proto", L->ports[i].proto);
        mj_u64(j, "count", (uint64_t)L->ports[i].count);
        mj_dbl(j, "share", L->ports[i].share);
        mj_bool(j, "iot", L->ports[i].iot);
        mj_obj_close(j);
    }
    mj_arr_close(j);
    mj_dbl(j, "telnet_share", L->telnet_share);
    mj_dbl(j, "iot_share_top100", L->iot_share_top100);
    mj_obj_open(j, "by_month");
    for (size_t i = 0; i < L->nfw_months; i++)
        mj_u64(j, L->fw_months[i].month, (uint64_t)L->fw_months[i].n);
    mj_obj_close(j);
    mj_obj_open(j, "year_before");
    for (size_t i = 0; i < L->nfw_months; i++)
        if (L->fw_months[i].year_before >= 0)
            mj_u64(j, L->fw_months[i].month, (uint64_t)L->fw_months[i].year_before);
    mj_obj_close(j);
    mj_arr_open(j, "top_sources");
    for (size_t i = 0; i < L->nsrcs; i++) {
        mj_obj_open(j, NULL);
        mj_str(j, "ip", L->srcs[i].ip);
        mj_str(j, "country", L->srcs[i].cc[0] ? L->srcs[i].cc : "");
        mj_u64(j, "count", (uint64_t)L->srcs[i].n);
        mj_obj_close(j);
    }
    mj_arr_close(j);
    mj_obj_close(j);

    mj_arr_open(j, "shadow_it");
    for (size_t i = 0; i < L->nshadow; i++) {
        const rp_shadow *r = &L->shadow[i];
        mj_obj_open(j, NULL);
        mj_str(j, "service", r->service);
        mj_str(j, "category", r->category[0] ? r->category : "other");
        mj_str(j, "month", r->month);
        mj_u64(j, "bytes_up", (uint64_t)r->up);
        mj_u64(j, "bytes_down", (uint64_t)r->down);
        mj_u64(j, "requests", (uint64_t)r->requests);
        mj_u64(j, "hosts", (uint64_t)r->hosts);
        rp_fmt_time(m, r->first, t, sizeof t, false);
        mj_str(j, "first_day", t);
        rp_fmt_time(m, r->last, t, sizeof t, false);
        mj_str(j, "last_day", t);
        mj_bool(j, "sanctioned", r->sanctioned);
        mj_obj_close(j);
    }
    mj_arr_close(j);
    mj_obj_open(j, "https_share");
    for (size_t i = 0; i < L->nhttps; i++)
        mj_dbl(j, L->https[i].month, L->https[i].share);
    mj_obj_close(j);
    log_findings(j, "dns_findings", m, s, 0);
    log_findings(j, "mail_findings", m, s, 1);
    log_findings(j, "ioc_findings", m, s, 2);
    mj_arr_open(j, "auth_findings");
    for (size_t i = 0; i < L->nauth; i++) {
        const rp_authfind *a = &L->auth[i];
        mj_obj_open(j, NULL);
        mj_str(j, "kind", a->kind);
        mj_str(j, "service", a->service);
        mj_str(j, "src_ip", a->src);
        mj_str(j, "country", a->cc[0] ? a->cc : "");
        if (a->user[0])
            mj_str(j, "user", a->user);
        mj_u64(j, "count", (uint64_t)a->count);
        mj_u64(j, "days", (uint64_t)a->days);
        rp_fmt_time(m, a->first, t, sizeof t, true);
        mj_str(j, "first", t);
        rp_fmt_time(m, a->last, t, sizeof t, true);
        mj_str(j, "last", t);
        mj_obj_close(j);
    }
    mj_arr_close(j);
}

/* What of the company the Internet reaches: its audits' open ports, its
 * staff's self-checks. */
static void exposure_json(mm_json *j, const rp_model *m, const rp_site *s)
{
    const rp_exposure *e = &s->exp;
    char t[32];
    mj_obj_open(j, "exposure");
    mj_u64(j, "audits", (uint64_t)e->scans);
    mj_u64(j, "level", (uint64_t)e->level);
    mj_arr_open(j, "open_ports");
    for (size_t i = 0; i < e->nopen; i++) {
        const rp_expopen *o = &e->open[i];
        mj_obj_open(j, NULL);
        mj_str(j, "target", o->target);
        mj_u64(j, "port", (uint64_t)o->port);
        if (o->service[0])
            mj_str(j, "service", o->service);
        if (o->banner[0])
            mj_str(j, "banner", o->banner);
        if (o->cert[0])
            mj_str(j, "certificate", o->cert);
        mj_bool(j, "maintenance", o->maintenance);
        mj_bool(j, "urgent", o->serious);
        rp_fmt_time(m, o->ts, t, sizeof t, true);
        mj_str(j, "checked", t);
        mj_obj_close(j);
    }
    mj_arr_close(j);
    mj_u64(j, "self_checks", (uint64_t)e->self_checks);
    mj_u64(j, "self_exposed", (uint64_t)e->self_exposed);
    mj_arr_open(j, "self");
    for (size_t i = 0; i < e->nself; i++) {
        mj_obj_open(j, NULL);
        mj_str(j, "requester", e->self[i].requester);
        rp_fmt_time(m, e->self[i].ts, t, sizeof t, true);
        mj_str(j, "checked", t);
        mj_str(j, "open_ports", e->self[i].open);
        mj_obj_close(j);
    }
    mj_arr_close(j);
    mj_u64(j, "web_checks", (uint64_t)e->webs);
    mj_arr_open(j, "web");
    for (size_t i = 0; i < e->nweb; i++) {
        const rp_expweb *w = &e->web[i];
        mj_obj_open(j, NULL);
        mj_str(j, "kind", w->kind);
        mj_str(j, "target", w->target);
        if (w->port)
            mj_u64(j, "port", (uint64_t)w->port);
        mj_str(j, "what", w->what);
        mj_bool(j, "problem", w->problem);
        rp_fmt_time(m, w->ts, t, sizeof t, true);
        mj_str(j, "checked", t);
        mj_obj_close(j);
    }
    mj_arr_close(j);
    mj_obj_close(j);
}

/* The files that appeared or changed on the company's web servers (mimamori
 * watch): when, which, what happened, what it looks like (the classifier's
 * reasons), severity, and what to do (the alert's explanation: its key, its
 * title and steps in the report's language). */
static void files_json(mm_json *j, const rp_model *m, const rp_site *s, int lang)
{
    const rp_hostfiles *F = &s->files;
    char t[32];
    int L = lang ? 1 : 0;
    mj_obj_open(j, "web_files");
    mj_u64(j, "alerts", (uint64_t)F->alerts);
    mj_u64(j, "added", (uint64_t)F->added);
    mj_u64(j, "changed", (uint64_t)F->changed);
    mj_u64(j, "removed", (uint64_t)F->removed);
    mj_u64(j, "unreadable", (uint64_t)F->unreadable);
    mj_arr_open(j, "files");
    for (size_t i = 0; i < F->n; i++) {
        const rp_file *f = &F->v[i];
        mj_obj_open(j, NULL);
        rp_fmt_time(m, f->ts, t, sizeof t, true);
        mj_str(j, "time", t);
        mj_i64(j, "ts_us", f->ts);
        mj_str(j, "host", f->host);
        mj_str(j, "root", f->root);
        mj_str(j, "path", f->path);
        mj_str(j, "action", f->action);
        if (f->size >= 0)
            mj_u64(j, "size", (uint64_t)f->size);
        if (f->sha256[0])
            mj_str(j, "sha256", f->sha256);
        if (f->sid) {
            mj_u64(j, "signature_id", (uint64_t)f->sid);
            mj_u64(j, "severity", (uint64_t)f->sev);
            mj_str(j, "kind", f->kind);
        }
        mj_arr_open(j, "reasons");
        const char *p = f->reasons;
        while (*p) {
            const char *sep = strstr(p, "; ");
            size_t l = sep ? (size_t)(sep - p) : strlen(p);
            char one[200];
            snprintf(one, sizeof one, "%.*s", (int)(l < sizeof one - 1 ? l : sizeof one - 1), p);
            mj_str(j, NULL, rp_reason_text(L, one));
            p += l + (sep ? 2 : 0);
        }
        mj_arr_close(j);
        const mm_explain *e = f->explain[0] ? mm_explain_find(f->explain) : NULL;
        if (e) {
            mj_str(j, "explain", e->key);
            mj_str(j, "title", e->title[L]);
        }
        mj_arr_open(j, "what_to_do");
        const char *st = e ? e->steps[L] : rp_t(L, "hf_steps_plain");
        while (*st) {
            const char *nl = strchr(st, '\n');
            size_t l = nl ? (size_t)(nl - st) : strlen(st);
            char one[600];
            snprintf(one, sizeof one, "%.*s", (int)(l < sizeof one - 1 ? l : sizeof one - 1), st);
            mj_str(j, NULL, one);
            st += l + (nl ? 1 : 0);
        }
        mj_arr_close(j);
        mj_obj_close(j);
    }
    mj_arr_close(j);
    mj_arr_open(j, "web_findings");
    for (size_t i = 0; i < F->nweb; i++) {
        const rp_webfind *w = &F->web[i];
        mj_obj_open(j, NULL);
        mj_str(j, "kind", w->kind);
        mj_str(j, "path", w->path);
        if (w->src[0]) {
            mj_str(j, "src_ip", w->src);
            mj_str(j, "country", w->cc);
        }
        mj_u64(j, "count", (uint64_t)w->count);
        mj_u64(j, "posts", (uint64_t)w->posts);
        rp_fmt_time(m, w->first, t, sizeof t, true);
        mj_str(j, "first", t);
        mj_i64(j, "first_us", w->first);
        rp_fmt_time(m, w->last, t, sizeof t, true);
        mj_str(j, "last", t);
        if (w->appeared) {
            rp_fmt_time(m, w->appeared, t, sizeof t, true);
            mj_str(j, "appeared", t);
        }
        char k[48];
        snprintf(k, sizeof k, "hw_do_%s", w->kind);
        mj_str(j, "what_to_do", rp_t(L, k));
        mj_obj_close(j);
    }
    mj_arr_close(j);
    mj_obj_close(j);
}

/* The sensor's findings, each internal host with the machine a DHCP lease
 * says it was. */
static void findings_json(mm_json *j, const rp_model *m, const rp_site *s)
{
    char t[32];
    mj_arr_open(j, "findings");
    for (size_t i = 0; i < s->nfind; i++) {
        const rp_finding *f = &s->find[i];
        mj_obj_open(j, NULL);
        mj_str(j, "key", f->key);
        mj_str(j, "family", f->family);
        mj_str(j, "signature", f->sig);
        mj_u64(j, "severity", (uint64_t)f->sev);
        mj_u64(j, "count", (uint64_t)f->count);
        rp_fmt_time(m, f->first, t, sizeof t, true);
        mj_str(j, "first", t);
        rp_fmt_time(m, f->last, t, sizeof t, true);
        mj_str(j, "last", t);
        mj_arr_open(j, "hosts");
        for (size_t k = 0; k < f->nh; k++) {
            const rp_host *h = rp_site_host(s, f->hosts[k].key);
            mj_obj_open(j, NULL);
            mj_str(j, "ip", f->hosts[k].key);
            if (h && h->name[0])
                mj_str(j, "name", h->name);
            if (h && h->mac[0])
                mj_str(j, "mac", h->mac);
            mj_u64(j, "alerts", (uint64_t)f->hosts[k].n);
            mj_obj_close(j);
        }
        mj_arr_close(j);
        if (f->nh)
            host_obj(j, s, f->hosts[0].key, NULL);
        mj_obj_close(j);
    }
    mj_arr_close(j);
}

int rp_json(FILE *f, const rp_model *m, const rp_opts *o)
{
    mm_json j;
    mj_init(&j);
    mj_reset(&j);
    char t[32];
    size_t lo = o->site >= 0 ? (size_t)o->site : 0, hi = o->site >= 0 ? lo + 1 : m->nsite;
    mj_obj_open(&j, NULL);
    rp_fmt_time(m, m->from, t, sizeof t, true);
    mj_str(&j, "from", t);
    rp_fmt_time(m, m->to - 1, t, sizeof t, true);
    mj_str(&j, "to", t);
    mj_str(&j, "tz", m->tz);
    mj_arr_open(&j, "sites");
    for (size_t i = lo; i < hi; i++)
        mj_str(&j, NULL, m->site[i].name);
    mj_arr_close(&j);

    mj_obj_open(&j, "alerts_by_family");
    for (size_t i = lo; i < hi; i++)
        kvs(&j, m->site[i].name, &m->site[i].families);
    mj_obj_close(&j);
    mj_obj_open(&j, "alerts_by_severity");
    for (size_t i = lo; i < hi; i++) {
        mj_obj_open(&j, m->site[i].name);
        for (int s = 1; s <= 3; s++) {
            char k[2] = {(char)('0' + s), 0};
            mj_u64(&j, k, (uint64_t)m->site[i].sev[s]);
        }
        mj_obj_close(&j);
    }
    mj_obj_close(&j);
    mj_obj_open(&j, "countries");
    for (size_t i = lo; i < hi; i++) {
        const rp_site *s = &m->site[i];
        mj_obj_open(&j, s->name);
        mj_obj_open(&j, "inbound");
        for (size_t k = 0; k < s->ncc; k++)
            if (s->cc[k].in)
                mj_u64(&j, s->cc[k].cc, (uint64_t)s->cc[k].in);
        mj_obj_close(&j);
        mj_obj_open(&j, "outbound");
        for (size_t k = 0; k < s->ncc; k++)
            if (s->cc[k].out)
                mj_u64(&j, s->cc[k].cc, (uint64_t)s->cc[k].out);
        mj_obj_close(&j);
        mj_obj_close(&j);
    }
    mj_obj_close(&j);
    mj_obj_open(&j, "top_countries");
    for (size_t i = lo; i < hi; i++) {
        const rp_site *s = &m->site[i];
        mj_arr_open(&j, s->name);
        for (size_t k = 0; k < s->ncc && k < RP_TOP; k++) {
            mj_obj_open(&j, NULL);
            mj_str(&j, "country", s->cc[k].cc);
            const char *nm = mm_geo_country_name(o->geo, s->cc[k].cc, o->lang ? "en" : "ja");
            if (nm)
                mj_str(&j, "name", nm);
            mj_u64(&j, "packets", (uint64_t)(s->cc[k].in + s->cc[k].out));
            mj_obj_close(&j);
        }
        mj_arr_close(&j);
    }
    mj_obj_close(&j);

    /* cross-company: only in the survey (a company's JSON keeps the count) */
    xips(&j, "cross_site_ips", m, o->site >= 0 ? NULL : m->xip, o->site >= 0 ? 0 : m->nxip,
         false);
    xips(&j, "cross_site_flow_ips", m, o->site >= 0 ? NULL : m->xflow,
         o->site >= 0 ? 0 : m->nxflow, true);
    kvs(&j, "families_affected", &m->fam_sites);
    if (o->site < 0) {
        /* the logs across companies (the survey only) */
        const rp_logsurvey *S = &m->logs;
        mj_obj_open(&j, "logs_survey");
        mj_u64(&j, "companies_with_firewall_logs", (uint64_t)S->fw_sites);
        mj_u64(&j, "blocked", (uint64_t)S->blocked);
        mj_arr_open(&j, "by_port");
        for (size_t i = 0; i < S->nports; i++) {
            mj_obj_open(&j, NULL);
            mj_u64(&j, "port", (uint64_t)S->ports[i].port);
            mj_str(&j, "proto", S->ports[i].proto);
            mj_u64(&j, "count", (uint64_t)S->ports[i].count);
            mj_dbl(&j, "share", S->ports[i].share);
            mj_bool(&j, "iot", S->ports[i].iot);
            mj_obj_close(&j);
        }
        mj_arr_close(&j);
        mj_dbl(&j, "telnet_share", S->telnet_share);
        mj_dbl(&j, "iot_share_top100", S->iot_share_top100);
        mj_obj_open(&j, "services");
        for (size_t i = 0; i < S->nservices; i++)
            mj_u64(&j, S->services[i].key, (uint64_t)S->services[i].n);
        mj_obj_close(&j);
        mj_obj_open(&j, "findings");
        for (size_t i = 0; i < S->nkinds; i++)
            mj_u64(&j, S->kinds[i].key, (uint64_t)S->kinds[i].n);
        mj_obj_close(&j);
        mj_obj_close(&j);
        /* the self-check service across everyone (anonymous checks too) */
        const rp_expsurvey *E = &m->exp;
        mj_obj_open(&j, "exposure_survey");
        mj_u64(&j, "checks", (uint64_t)E->checks);
        mj_u64(&j, "exposed", (uint64_t)E->exposed);
        mj_arr_open(&j, "by_port");
        for (size_t i = 0; i < E->nports; i++) {
            mj_obj_open(&j, NULL);
            mj_u64(&j, "port", (uint64_t)E->ports[i].port);
            mj_u64(&j, "checks", (uint64_t)E->ports[i].asked);
            mj_u64(&j, "open", (uint64_t)E->ports[i].open);
            mj_obj_close(&j);
        }
        mj_arr_close(&j);
        mj_arr_open(&j, "by_month");
        for (size_t i = 0; i < E->nmonths; i++) {
            mj_obj_open(&j, NULL);
            mj_str(&j, "month", E->months[i].month);
            mj_u64(&j, "checks", (uint64_t)E->months[i].checks);
            mj_u64(&j, "open_any", (uint64_t)E->months[i].open_any);
            mj_u64(&j, "open_445", (uint64_t)E->months[i].open_445);
            mj_obj_close(&j);
        }
        mj_arr_close(&j);
        mj_obj_close(&j);
    }

    mj_obj_open(&j, "companies");
    for (size_t i = lo; i < hi; i++) {
        const rp_site *s = &m->site[i];
        mj_obj_open(&j, s->name);
        mj_u64(&j, "alerts", (uint64_t)s->alerts);
        mj_u64(&j, "flows", (uint64_t)s->flows);
        mj_u64(&j, "packets_in", (uint64_t)s->pkts_in);
        mj_u64(&j, "packets_out", (uint64_t)s->pkts_out);
        kvs(&j, "alerts_by_day", &s->days);
        kvs(&j, "internal_hosts", &s->hosts);
        mj_u64(&j, "ips_also_at_other_companies", (uint64_t)s->shared_ips);
        peers(&j, "remote_ips", m, &s->remotes, 200);
        peers(&j, "remote_control", m, &s->remote_control, 200);
        peers(&j, "malicious_sites", m, &s->malicious, 200);
        peers(&j, "ddos", m, &s->ddos, 200);
        mj_u64(&j, "level", (uint64_t)s->level);
        findings_json(&j, m, s);
        logs_json(&j, m, s);
        exposure_json(&j, m, s);
        files_json(&j, m, s, o->lang);
        mj_obj_close(&j);
    }
    mj_obj_close(&j);
    mj_obj_close(&j);
    mj_append(&j, "\n", 1);
    int rc = j.oom || fwrite(j.s, 1, j.len, f) != j.len ? -1 : 0;
    mj_free(&j);
    return rc;
}
