/*
 * json.c - the report as one JSON object, for the analyst and for scripts.
 * Company names are real here (anonymising is for the rendered reports).
 *
 * Always present: sites, alerts_by_family ({site: {family: n}}),
 * countries ({site: {inbound|outbound: {CC: packets}}}, private and
 * reserved addresses left out, unknown countries as XX), cross_site_ips
 * ([{ip, sites}]). The rest is the detail the HTML and PDF show.
 */
#include "report/render.h"
#include "util/json.h"

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
        mj_obj_close(&j);
    }
    mj_obj_close(&j);
    mj_obj_close(&j);
    mj_append(&j, "\n", 1);
    int rc = j.oom || fwrite(j.s, 1, j.len, f) != j.len ? -1 : 0;
    mj_free(&j);
    return rc;
}
