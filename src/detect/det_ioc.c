/*
 * det_ioc.c - indicators of compromise met by the traffic (mimamori
 * sensor --ioc): both ends of every flow, the names asked for (DNS, TLS
 * SNI, HTTP Host) and the addresses DNS answered, certificate names, HTTP
 * URLs and User-Agents, JA3/JA3S/JA4, file names and hashes, and mail
 * senders, recipients, subjects and attachment names.
 *
 * A hit is an alert (signature 8700200, family "ioc") whose
 * alert.metadata names the set, the indicator, its type, its source and
 * where it matched (ioc_match: "flow.dest_ip", "dns.query", "tls.sni",
 * "http.url", ...); mimamori.alert.ioc_seen holds what the traffic showed
 * (sub.evil.example for the indicator evil.example). Once per flow and
 * indicator (the first eight distinct indicators of a flow; more are
 * counted as suppressed), as a Suricata dataset rule alerts: every flow
 * that meets an indicator is evidence. A threshold file (threshold.config,
 * sig_id 8700200) limits them as for any signature. Severity 2; 1 when the
 * source gave a confidence of 75 or more, 3 below 40.
 */
#include "detect/det.h"
#include "ioc/match.h"

#include <stdio.h>
#include <string.h>

static void write_meta(mm_json *j, const char *k, const char *v)
{
    if (!v || !*v)
        return;
    mj_arr_open(j, k);
    mj_str(j, NULL, v);
    mj_arr_close(j);
}

static void alert(mm_detect *d, mm_flow *f, int dir, uint64_t ts, uint32_t idx,
                  const char *where, const char *seen)
{
    const mm_iocmatch *m = d->ioc;
    const mm_iocent *e = mm_iocmatch_ent(m, idx);
    if (!e)
        return;
    /* once per flow and indicator */
    det_flow *df = det_flow_get(f);
    if (!df)
        return;
    for (int i = 0; i < df->n_ioc; i++)
        if (df->ioc_hit[i] == idx)
            return;
    if (df->n_ioc >= DET_IOC_PER_FLOW) {
        d->st.suppressed++;
        return;
    }
    df->ioc_hit[df->n_ioc++] = idx;
    const mm_sig *s = &mm_sigs[SIG_IOC];
    const mm_ip *src = dir == MM_TO_SERVER ? &f->cli : &f->srv;
    const mm_ip *dst = dir == MM_TO_SERVER ? &f->srv : &f->cli;
    det_lock(d);
    bool allow = mm_thresholds_allow(d->th, 1, s->sid, src, dst, ts);
    det_unlock(d);
    if (!allow) {
        d->st.thresholded++;
        return;
    }
    d->st.alerts++;
    f->alerted = true;
    int sev = e->confidence >= 75 ? 1 : e->confidence >= 0 && e->confidence < 40 ? 3 : 2;
    mm_eve *ev = d->eve;
    mm_json *j = det_alert_begin(d, f, s, sev, dir, ts);
    write_meta(j, "ioc_set", mm_iocmatch_str(m, e->set));
    char vb[MM_IOCMATCH_VALUE_BUF];
    write_meta(j, "ioc_indicator", mm_iocmatch_value_text(m, e, vb));
    write_meta(j, "ioc_type", mm_ioc_type_name((mm_ioc_type)e->type));
    write_meta(j, "ioc_source", mm_iocmatch_str(m, e->source));
    write_meta(j, "ioc_match", where);
    write_meta(j, "ioc_description", mm_iocmatch_str(m, e->desc));
    mj_obj_close(j);
    mj_obj_close(j);
    j = mm_eve_flow_event_mimamori(ev, f);
    mj_obj_open(j, "alert");
    if (seen && *seen)
        mj_str(j, "ioc_seen", seen);
    mj_obj_close(j);
    mm_eve_flow_event_close(ev);
}

/* Every entry of a key (the same indicator in several sets). */
static void alert_all(mm_detect *d, mm_flow *f, int dir, uint64_t ts, uint32_t first,
                      const char *where, const char *seen)
{
    for (uint32_t i = first; i; i = mm_iocmatch_ent(d->ioc, i)->next)
        alert(d, f, dir, ts, i, where, seen);
}

/* An address: itself and each network around it. */
static void addr(mm_detect *d, mm_flow *f, int dir, const mm_ip *ip, const char *where,
                 uint64_t ts)
{
    int state = 0;
    char a[MM_IPSTR_LEN] = "";
    for (uint32_t r; (r = mm_iocmatch_ip_next(d->ioc, ip, &state)) != 0;) {
        if (!a[0])
            mm_ip_str(ip, a);
        alert_all(d, f, dir, ts, r, where, a);
    }
}

void det_ioc_flow(mm_detect *d, mm_flow *f, uint64_t ts)
{
    uint64_t bit = 1ULL << SIG_IOC;
    if (f->det_fired & bit)
        return;
    f->det_fired |= bit;                /* the ends are looked up once */
    addr(d, f, MM_TO_SERVER, &f->srv, "flow.dest_ip", ts);
    addr(d, f, MM_TO_CLIENT, &f->cli, "flow.src_ip", ts);
}

static void name(mm_detect *d, mm_flow *f, int dir, const char *n, const char *where,
                 uint64_t ts)
{
    if (!n || !*n)
        return;
    size_t state = 0, len = strlen(n);
    for (uint32_t r; (r = mm_iocmatch_domain_next(d->ioc, n, len, &state)) != 0;)
        alert_all(d, f, dir, ts, r, where, n);   /* the name and each parent listed */
}

static void value(mm_detect *d, mm_flow *f, int dir, mm_ioc_type t, const char *v,
                  const char *where, uint64_t ts)
{
    if (!v || !*v)
        return;
    uint32_t r = mm_iocmatch_value(d->ioc, t, v, strlen(v));
    if (r)
        alert_all(d, f, dir, ts, r, where, v);
}

/* The address inside "Name <addr>" (or the whole value). */
static void mail_addr(mm_detect *d, mm_flow *f, int dir, const char *v, const char *where,
                      uint64_t ts)
{
    if (!v || !*v)
        return;
    char b[320];
    const char *lt = strrchr(v, '<');
    const char *s = lt ? lt + 1 : v;
    size_t n = 0;
    while (s[n] && s[n] != '>' && s[n] != '\n' && n + 1 < sizeof b) {
        b[n] = s[n];
        n++;
    }
    while (n && (b[n - 1] == ' ' || b[n - 1] == '\r'))
        n--;
    b[n] = 0;
    const char *p = b;
    while (*p == ' ')
        p++;
    value(d, f, dir, IOC_EMAIL, p, where, ts);
}

static void hex(const uint8_t *d, size_t n, char *out)
{
    static const char x[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = x[d[i] >> 4];
        out[2 * i + 1] = x[d[i] & 15];
    }
    out[2 * n] = 0;
}

static void file(mm_detect *d, mm_flow *f, const mm_obs_file *o, uint64_t ts)
{
    int dir = o->dir == MM_TO_CLIENT ? MM_TO_CLIENT : MM_TO_SERVER;
    if (o->name && *o->name) {
        const char *base = o->name;
        for (const char *p = o->name; *p; p++)
            if (*p == '/' || *p == '\\')
                base = p + 1;
        value(d, f, dir, IOC_FILENAME, base, "fileinfo.filename", ts);
    }
    const mm_file_info *fi = o->info;
    if (!fi)
        return;
    char h[65];
    if (fi->hashes & MM_HASH_MD5) {
        hex(fi->md5, 16, h);
        value(d, f, dir, IOC_MD5, h, "fileinfo.md5", ts);
    }
    if (fi->hashes & MM_HASH_SHA1) {
        hex(fi->sha1, 20, h);
        value(d, f, dir, IOC_SHA1, h, "fileinfo.sha1", ts);
    }
    if (fi->hashes & MM_HASH_SHA256) {
        hex(fi->sha256, 32, h);
        value(d, f, dir, IOC_SHA256, h, "fileinfo.sha256", ts);
    }
}

static void cert(mm_detect *d, mm_flow *f, int dir, const mm_obs_tls_cert *o, uint64_t ts)
{
    /* subject CN */
    const char *cn = o->subject ? strstr(o->subject, "CN=") : NULL;
    if (cn) {
        char b[256];
        size_t n = 0;
        cn += 3;
        while (cn[n] && cn[n] != ',' && n + 1 < sizeof b) {
            b[n] = cn[n];
            n++;
        }
        b[n] = 0;
        name(d, f, dir, b[0] == '*' && b[1] == '.' ? b + 2 : b, "tls.subject", ts);
    }
    for (const char *p = o->sans; p && *p;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        char b[256];
        if (n && n < sizeof b) {
            memcpy(b, p, n);
            b[n] = 0;
            char *q = b;
            while (*q == ' ')
                q++;
            name(d, f, dir, q[0] == '*' && q[1] == '.' ? q + 2 : q, "tls.sans", ts);
        }
        p = c ? c + 1 : p + n;
    }
}

/* Each address of a list separated by sep. */
static void mail_list(mm_detect *d, mm_flow *f, int dir, const char *list, char sep,
                      const char *where, uint64_t ts)
{
    for (const char *p = list; p && *p;) {
        const char *c = strchr(p, sep);
        size_t n = c ? (size_t)(c - p) : strlen(p);
        char b[320];
        if (n && n < sizeof b) {
            memcpy(b, p, n);
            b[n] = 0;
            mail_addr(d, f, dir, b, where, ts);
        }
        p = c ? c + 1 : p + n;
    }
}

static void mail(mm_detect *d, mm_flow *f, int dir, const mm_obs_mail *o, uint64_t ts)
{
    mail_addr(d, f, dir, o->mail_from, "smtp.mail_from", ts);
    mail_list(d, f, dir, o->rcpt, '\n', "smtp.rcpt_to", ts);
    mail_addr(d, f, dir, o->from, "email.from", ts);
    mail_list(d, f, dir, o->to, ',', "email.to", ts);
    value(d, f, dir, IOC_SUBJECT, o->subject, "email.subject", ts);
    for (int i = 0; i < o->natt; i++)
        value(d, f, dir, IOC_FILENAME, o->att[i], "email.attachment", ts);
}

void det_ioc_observe(mm_detect *d, mm_flow *f, int dir, int kind, const void *obs, uint64_t ts)
{
    switch (kind) {
    case MM_OBS_NAME: {
        const mm_obs_name *o = obs;
        name(d, f, dir, o->name, o->source == MM_NAME_DNS ? "dns.query"
                                 : o->source == MM_NAME_SNI ? "tls.sni" : "http.hostname", ts);
        break;
    }
    case MM_OBS_DNS_ANSWER: {
        const mm_obs_dns_answer *o = obs;
        /* the name answered for too: an answer seen without its query
         * (one way of the traffic mirrored) still shows who resolved it */
        name(d, f, dir, o->rrname, "dns.answer", ts);
        addr(d, f, dir, &o->addr, "dns.answer", ts);
        break;
    }
    case MM_OBS_HTTP: {
        const mm_obs_http *o = obs;
        uint32_t r = mm_iocmatch_url(d->ioc, o->host, o->uri);
        if (r) {
            char u[1024];
            snprintf(u, sizeof u, "%s%s", o->host, o->uri);
            alert_all(d, f, MM_TO_SERVER, ts, r, "http.url", u);
        }
        value(d, f, MM_TO_SERVER, IOC_USER_AGENT, o->ua, "http.user_agent", ts);
        break;
    }
    case MM_OBS_TLS_HELLO: {
        const mm_obs_tls_hello *o = obs;
        value(d, f, dir, IOC_JA3, o->ja3, o->server ? "tls.ja3s.hash" : "tls.ja3.hash", ts);
        value(d, f, dir, IOC_JA4, o->ja4, "tls.ja4", ts);
        break;
    }
    case MM_OBS_TLS_CERT:
        cert(d, f, MM_TO_CLIENT, obs, ts);
        break;
    case MM_OBS_FILE:
        file(d, f, obs, ts);
        break;
    case MM_OBS_MAIL:
        mail(d, f, dir, obs, ts);
        break;
    default:
        break;
    }
}
