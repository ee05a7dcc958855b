/*
 * det_rules.c - Suricata rules (--rules FILE|DIR) in the sensor: loading
 * them with the site's variables, inspecting packets, stream chunks and
 * the parsers' buffers, and raising their alerts on the same path as the
 * built-in detectors (threshold.config, the rule's own threshold, EVE
 * alert with Suricata's fields and the rule's metadata).
 *
 * It lives in detect/, not rules/: it is the sensor's side of the engine,
 * made of the detect context (mm_detect, det_flow, trackers), the parsers'
 * observations and the EVE writer, all of which the engine never sees. So
 * detect/ uses rules/ and rules/ knows nothing of detect/ (one arrow), and
 * the engine stays a library that `mimamori rules` and the fuzz targets
 * load without a sensor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "detect/det.h"
#include "proto/app.h"
#include "rules/rule_engine.h"
#include "rules/rule_match.h"
#include "util/json.h"

#define NS 1000000000ULL

/* Flow app_proto (MM_APP_*) as a rule header protocol (MM_RP_*). */
static int rule_app(uint16_t app)
{
    switch (app) {
    case MM_APP_HTTP: return MM_RP_HTTP;
    case MM_APP_TLS: return MM_RP_TLS;
    case MM_APP_DNS: return MM_RP_DNS;
    case MM_APP_SSH: return MM_RP_SSH;
    case MM_APP_SMB: return MM_RP_SMB;
    case MM_APP_NTP: return MM_RP_NTP;
    case MM_APP_DHCP: return MM_RP_DHCP;
    case MM_APP_SMTP: return MM_RP_SMTP;
    case MM_APP_RDP: return MM_RP_RDP;
    case MM_APP_FTP: return MM_RP_FTP;
    case MM_APP_FTPDATA: return MM_RP_FTP_DATA;
    case MM_APP_TELNET: return MM_RP_TELNET;
    case MM_APP_DCERPC: return MM_RP_DCERPC;
    default: return -1;
    }
}

static void on_skip(void *ctx, const char *file, uint64_t line, uint32_t sid, int why,
                    const char *msg)
{
    mm_detect *d = ctx;
    (void)sid;
    if (why == MM_SKIP_SYNTAX && !d->syntax_first[0])
        snprintf(d->syntax_first, sizeof d->syntax_first, "%s line %llu: %s", file ? file : "?",
                 (unsigned long long)line, msg ? msg : "syntax error");
}

bool det_rules_load(mm_detect *d, const mm_detect_config *c, char *err, size_t errlen)
{
    mm_ruleset *rs = mm_ruleset_new();
    if (!rs) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    mm_ruleset_on_skip(rs, on_skip, d);
    char e2[512];
    if (c->home_net) {
        char v[1024];
        snprintf(v, sizeof v, "[%s]", c->home_net);
        if (!mm_ruleset_set_var(rs, "HOME_NET", v, e2, sizeof e2)) {
            snprintf(err, errlen, "--home-net: %s", e2);
            mm_ruleset_free(rs);
            return false;
        }
    }
    for (int i = 0; i < c->nvars; i++) {
        char name[80];
        const char *eq = strchr(c->vars[i], '=');
        if (!eq || (size_t)(eq - c->vars[i]) >= sizeof name) {
            snprintf(err, errlen, "--var %s: NAME=VALUE expected", c->vars[i]);
            mm_ruleset_free(rs);
            return false;
        }
        memcpy(name, c->vars[i], (size_t)(eq - c->vars[i]));
        name[eq - c->vars[i]] = 0;
        if (!mm_ruleset_set_var(rs, name, eq + 1, e2, sizeof e2)) {
            snprintf(err, errlen, "--var: %s", e2);
            mm_ruleset_free(rs);
            return false;
        }
    }
    /* reputation before the rules naming its categories */
    if (c->rep_categories && !mm_ruleset_load_rep_categories(rs, c->rep_categories, e2, sizeof e2)) {
        snprintf(err, errlen, "--reputation-categories: %s", e2);
        mm_ruleset_free(rs);
        return false;
    }
    for (int i = 0; i < c->nrep; i++) {
        uint64_t bad = 0;
        if (!c->rep_categories) {
            snprintf(err, errlen, "--reputation needs --reputation-categories");
            mm_ruleset_free(rs);
            return false;
        }
        if (!mm_ruleset_load_rep_list(rs, c->rep[i], &bad, e2, sizeof e2)) {
            snprintf(err, errlen, "--reputation: %s", e2);
            mm_ruleset_free(rs);
            return false;
        }
        if (bad)
            fprintf(stderr, "mimamori: %s: %llu lines skipped (not address,category,score "
                    "with a known category)\n", c->rep[i], (unsigned long long)bad);
    }
    for (int i = 0; i < c->nrules; i++)
        if (!mm_ruleset_load(rs, c->rules[i], e2, sizeof e2)) {
            snprintf(err, errlen, "--rules: %s", e2);
            mm_ruleset_free(rs);
            return false;
        }
    const mm_rules_summary *s = mm_ruleset_summary(rs);
    d->rules_loaded = s->loaded;
    d->rules_skipped = s->skipped;
    d->rules_requires = s->by_reason[MM_SKIP_REQUIRES];
    d->rules_syntax = s->by_reason[MM_SKIP_SYNTAX];
    d->rules = mm_rules_build(rs, c->rules_cache, e2, sizeof e2);
    if (!d->rules) {
        snprintf(err, errlen, "rules: %s", e2);
        return false;
    }
    d->rt = mm_rules_thread_new(d->rules);
    if (!d->rt) {
        snprintf(err, errlen, "rules: out of memory");
        return false;
    }
    d->bits_words = mm_rules_bits_words(d->rules);
    return true;
}

static void sbuf_pool_free(mm_detect *d);

/* What a rule set's load found, from the detector that loaded it. */
static void rules_facts_copy(mm_detect *to, const mm_detect *from)
{
    to->bits_words = from->bits_words;
    to->rules_loaded = from->rules_loaded;
    to->rules_skipped = from->rules_skipped;
    to->rules_requires = from->rules_requires;
    to->rules_syntax = from->rules_syntax;
    memcpy(to->syntax_first, from->syntax_first, sizeof to->syntax_first);
}

mm_detect *det_rules_reload_prepare(const mm_detect *d, const mm_detect_config *c, char *err,
                                    size_t errlen)
{
    /* the sets of the running rules saved first: the new rules read them */
    if (d->rules)
        mm_datasets_save(mm_rules_set(d->rules));
    mm_detect *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* a file cut or damaged (more rules that do not parse than in the
     * running set, or none left) keeps the running set */
    bool ok = det_rules_load(n, c, err, errlen);
    if (ok && (n->rules_syntax > d->rules_syntax || (n->rules_loaded == 0 && d->rules_loaded))) {
        if (n->rules_loaded == 0)
            snprintf(err, errlen, "the new rules load no rule%s%s", n->syntax_first[0] ? ": " : "",
                     n->syntax_first);
        else
            snprintf(err, errlen, "%llu rules of the new files do not parse (the running set: "
                     "%llu): %s", (unsigned long long)n->rules_syntax,
                     (unsigned long long)d->rules_syntax, n->syntax_first);
        ok = false;
    }
    if (!ok) {
        det_rules_reload_abandon(n);
        return NULL;
    }
    return n;
}

void det_rules_reload_abandon(mm_detect *n)
{
    if (!n)
        return;
    mm_rules_thread_free(n->rt);
    mm_rules_free(n->rules);
    free(n);
}

void det_rules_reload_commit(mm_detect *d, mm_detect *n)
{
    mm_rules_thread_free(d->rt);
    mm_rules_free(d->rules);
    d->rules = n->rules;
    d->rt = n->rt;
    rules_facts_copy(d, n);
    d->rules_gen++;
    free(n);
}

/* A flow's rule state of an older rule set is dropped (its bit and
 * variable numbers mean other things in the new one). */
static void rules_sync(const mm_detect *d, det_flow *df)
{
    if (df->rules_gen == d->rules_gen)
        return;
    free(df->rbits);
    free(df->rints);
    free(df->vars);
    df->rbits = NULL;
    df->rints = NULL;
    df->vars = NULL;
    df->nvars = 0;
    df->rules_gen = d->rules_gen;
}

void det_rules_worker_free(mm_detect *w)
{
    sbuf_pool_free(w);
    mm_rules_thread_free(w->rt);
    w->rt = NULL;
}

bool det_rules_worker_sync(mm_detect *w)
{
    const mm_detect *o = w->owner;
    if (w->rt && w->rules == o->rules)
        return true;
    mm_rules_thread_free(w->rt);
    w->rt = NULL;
    w->rules = o->rules;
    if (w->rules && !(w->rt = mm_rules_thread_new(w->rules)))
        return false;
    rules_facts_copy(w, o);
    w->rules_gen = o->rules_gen;
    return true;
}

void det_rules_free(mm_detect *d)
{
    sbuf_pool_free(d);
    if (d->rules)
        mm_datasets_save(mm_rules_set(d->rules));     /* the run's end: sets with a save file */
    mm_rules_thread_free(d->rt);
    mm_rules_free(d->rules);
}

/* --- alerts --------------------------------------------------------------- */

/* A flowvar (a rule's pcre group): set again in place, new ones after the
 * others, at most DET_MAX_VARS a flow (the rest are not kept). */
#define DET_MAX_VARS 16
struct det_var {
    uint32_t id;
    uint16_t len;
    uint8_t data[MM_CAP_LEN];
};

typedef struct hit_ctx {
    mm_detect *d;
    mm_flow *f;
    int dir;
    uint64_t ts;
    const mm_obs_buffers *ob;   /* app moment: the parser's object writer */
    const mm_pkt *p;            /* a packet outside any flow (decode events) */
} hit_ctx;

/* metadata "key value, key value2, other x" as Suricata writes it:
 * {"key": ["value", "value2"], "other": ["x"]} (keys in first-seen order). */
static void metadata(mm_json *j, const char *md)
{
    char keys[32][48];
    int nk = 0;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", md);
    char *items[128];
    int n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && n < 128;
         t = strtok_r(NULL, ",", &save))
        items[n++] = t;
    for (int i = 0; i < n; i++) {
        while (*items[i] == ' ')
            items[i]++;
        char *sp = strchr(items[i], ' ');
        if (!sp || sp == items[i])
            continue;
        size_t kl = (size_t)(sp - items[i]);
        if (kl >= sizeof keys[0])
            continue;
        bool seen = false;
        for (int k = 0; k < nk; k++)
            seen |= strlen(keys[k]) == kl && memcmp(keys[k], items[i], kl) == 0;
        if (seen || nk == 32)
            continue;
        memcpy(keys[nk], items[i], kl);
        keys[nk][kl] = 0;
        nk++;
    }
    for (int k = 0; k < nk; k++) {
        mj_arr_open(j, keys[k]);
        size_t kl = strlen(keys[k]);
        for (int i = 0; i < n; i++) {
            if (strncmp(items[i], keys[k], kl) != 0 || items[i][kl] != ' ')
                continue;
            char *v = items[i] + kl + 1;
            while (*v == ' ')
                v++;
            size_t vl = strlen(v);
            while (vl && v[vl - 1] == ' ')
                v[--vl] = 0;
            mj_str(j, NULL, v);
        }
        mj_arr_close(j);
    }
}

/* The rule's own threshold (threshold: / detection_filter:): true when
 * this match may alert. */
static bool own_threshold(mm_detect *d, const mm_rule *r, const mm_ip *src, const mm_ip *dst,
                          uint64_t ts)
{
    const mm_rthreshold *t = r->has_threshold ? &r->threshold
                           : r->has_detection_filter ? &r->detection_filter : NULL;
    if (!t)
        return true;
    struct {
        uint32_t sid, gid;
        uint8_t ip[16], ip2[16];
        uint8_t track;
    } k;
    memset(&k, 0, sizeof k);
    k.sid = r->sid;
    k.gid = r->gid;
    k.track = t->track;
    if (t->track == MM_TRACK_SRC || t->track == MM_TRACK_BOTH)
        memcpy(k.ip, src->b, 16);
    if (t->track == MM_TRACK_DST || t->track == MM_TRACK_BOTH)
        memcpy(t->track == MM_TRACK_DST ? k.ip : k.ip2, dst->b, 16);
    trk *s = det_trk(d, &k, sizeof k, ts, t->seconds);
    uint32_t n = ++s->count;
    switch (t->type) {
    case MM_THR_LIMIT: return n <= t->count;
    case MM_THR_THRESHOLD: return n % t->count == 0;
    case MM_THR_BOTH: return n == t->count;
    default: return n > t->count;       /* detection_filter */
    }
}

/* The address an X-Forwarded-For list names: its first ("forward") or
 * last ("reverse", what the proxy nearest the server saw); false when
 * that item is not an address. */
static bool xff_addr(const char *v, bool last, mm_ip *out)
{
    const char *s = v;
    if (last) {
        const char *c = strrchr(v, ',');
        s = c ? c + 1 : v;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    char t[MM_IPSTR_LEN];
    size_t n = 0;
    while (s[n] && s[n] != ',' && s[n] != ' ' && s[n] != '\t' && n + 1 < sizeof t) {
        t[n] = s[n];
        n++;
    }
    t[n] = 0;
    return n && mm_ip_parse(t, out);
}

/* A rule's tag set on its alert: the session's, or a host's (the alert's
 * source or destination). The alert's own packet is the first counted. */
static void tag_start(mm_detect *d, mm_flow *f, const mm_rtag *rt, const mm_inspection *in,
                      uint64_t ts)
{
    det_tag *t = NULL;
    if (!rt->host) {
        det_flow *df = f ? det_flow_get(f) : NULL;
        if (!df)
            return;
        t = &df->stag;
    } else {
        const mm_ip *ip = rt->dst ? in->dst : in->src;
        for (unsigned i = 0; i < DET_HOST_TAGS && !t; i++)
            if (d->htags[i].on && memcmp(&d->htags[i].ip, ip, sizeof *ip) == 0)
                t = &d->htags[i];
        if (!t) {
            t = &d->htags[d->htag_next];
            d->htag_next = (d->htag_next + 1) % DET_HOST_TAGS;
            if (!t->on)
                d->hosts_on++;
        }
        t->ip = *ip;
    }
    t->on = true;
    t->metric = rt->metric;
    t->count = rt->count;
    t->seen = 1;                /* the packet that started it counts, */
    t->first_pkt = d->pkt_no;   /* but is not logged as tagged (as Suricata) */
    t->start_ns = ts;
    t->bytes = 0;
    d->ntags_on++;
}

/* Counts packet p (len bytes at ts) against tag t: true while it lasts. */
static bool tag_counts(det_tag *t, uint32_t len, uint64_t ts)
{
    if (!t->on)
        return false;
    bool in;
    switch (t->metric) {
    case MM_TAG_SECONDS: in = ts - t->start_ns <= (uint64_t)t->count * 1000000000ULL; break;
    case MM_TAG_BYTES: in = (t->bytes += len) <= t->count; break;
    default: in = ++t->seen <= t->count; break;
    }
    if (!in)
        t->on = false;
    return in;
}

void mm_detect_flow_end_start(mm_detect *d)
{
    if (d) {
        d->pkt_alerts = 0;
        d->pkt_passed = false;
    }
}

void mm_detect_packet_start(mm_detect *d)
{
    if (d) {
        d->cur_pkt = NULL;
        d->pend_pkt = NULL;
        d->pkt_no++;
        d->pkt_alerts = 0;
        d->pkt_passed = false;
    }
}

void mm_detect_tagged(mm_detect *d, mm_flow *f, const mm_pkt *p, uint64_t ts)
{
    if (!d || !d->ntags_on || !p->raw)
        return;
    bool tagged = false;
    uint32_t len = p->raw->caplen;
    det_flow *df = f ? f->det : NULL;
    if (df && df->stag.first_pkt != d->pkt_no)
        tagged |= tag_counts(&df->stag, len, ts);
    for (unsigned i = 0; p->ipver && d->hosts_on && i < DET_HOST_TAGS; i++) {
        det_tag *t = &d->htags[i];
        if (t->on && t->first_pkt != d->pkt_no && (memcmp(&t->ip, &p->src, sizeof p->src) == 0 ||
                      memcmp(&t->ip, &p->dst, sizeof p->dst) == 0)) {
            tagged |= tag_counts(t, len, ts);
            if (!t->on)
                d->hosts_on--;  /* its count is over */
        }
    }
    if (!tagged)
        return;
    /* the packet as captured, as Suricata's tagged packets are logged */
    mm_json *j = mm_eve_begin_pkt_event(d->eve, p, ts, "packet");
    char *b64 = malloc(MM_BASE64_LEN(len));
    if (b64) {
        mm_base64_encode(p->raw->data, len, b64);
        mj_str(j, "packet", b64);
        free(b64);
    }
    mj_obj_open(j, "packet_info");
    mj_u64(j, "linktype", (uint64_t)p->raw->linktype);
    mj_obj_close(j);
    mm_eve_pkt_event_close(d->eve, p);
}

/* key: the bytes in base64 */
static void b64_field(mm_json *j, const char *key, const uint8_t *d, size_t n)
{
    char *s = malloc(MM_BASE64_LEN(n));
    if (s) {
        mm_base64_encode(d, n, s);
        mj_str(j, key, s);
        free(s);
    }
}

/* A reassembled IP datagram as one packet, as Suricata hands it to
 * detection and dumps it in an alert: the link-layer bytes of the
 * fragment that completed it, its IP header made whole (IPv4: total
 * length, no fragment bits, checksum again; IPv6: the fragment header
 * taken out of the chain, payload length), then the reassembled payload.
 * Returns the length written to out (0: cannot, the raw packet is used). */
static size_t defragged(const mm_pkt *p, const mm_rawpkt *raw, uint8_t *out, size_t cap)
{
    const uint8_t *b = p->l3;
    if (!b || b < raw->data || b + p->l3_len > raw->data + raw->caplen || !p->l4)
        return 0;
    size_t pre = (size_t)(b - raw->data), hl = p->l3_len;
    if (pre + hl + p->l4_len > cap)
        return 0;
    memcpy(out, raw->data, pre);
    uint8_t *h = out + pre;
    memcpy(h, b, hl);
    if (p->ipver == 4) {
        size_t tot = hl + p->l4_len;
        if (tot > 0xFFFF)
            return 0;
        h[2] = (uint8_t)(tot >> 8), h[3] = (uint8_t)tot;
        h[6] = h[7] = 0;
        h[10] = h[11] = 0;
        uint32_t sum = 0;
        for (size_t i = 0; i + 1 < hl; i += 2)
            sum += (uint32_t)h[i] << 8 | h[i + 1];
        while (sum >> 16)
            sum = (sum & 0xFFFF) + (sum >> 16);
        h[10] = (uint8_t)(~sum >> 8), h[11] = (uint8_t)~sum;
    } else {
        /* walk the chain to the fragment header; what comes before it
         * (hop-by-hop, routing, destination options) stays */
        size_t q = 40, prev = 6;
        uint8_t nh = h[6];
        while ((nh == 0 || nh == 43 || nh == 60) && q + 8 <= hl) {
            prev = q;
            nh = h[q];
            q += ((size_t)h[q + 1] + 1) * 8;
        }
        if (nh != 44 || q + 8 > hl)
            return 0;
        h[prev] = h[q];                         /* the fragment's next header */
        memmove(h + q, h + q + 8, hl - q - 8);
        hl -= 8;
        size_t plen = hl - 40 + p->l4_len;
        if (plen > 0xFFFF)
            return 0;
        h[4] = (uint8_t)(plen >> 8), h[5] = (uint8_t)plen;
    }
    memcpy(h + hl, p->l4, p->l4_len);
    return pre + hl + p->l4_len;
}

/* When asked for, the alert's packet with its link type (pkt_src, where it
 * came from, is in every event's header). */
static void alert_packet(const mm_detect *d, const mm_eve *e, mm_json *j)
{
    const mm_rawpkt *raw = e->pkt_raw;
    if (!d->alert_packet || !raw)
        return;
    const mm_pkt *p = d->cur_pkt;
    size_t n = 0;
    uint8_t *pseudo = NULL;
    if (p && p->raw == raw && p->reassembled && !p->outer.on &&
        (pseudo = malloc(raw->caplen + (size_t)p->l4_len)))
        n = defragged(p, raw, pseudo, raw->caplen + (size_t)p->l4_len);
    if (n)
        b64_field(j, "packet", pseudo, n);
    else
        b64_field(j, "packet", raw->data, raw->caplen);
    free(pseudo);
    mj_obj_open(j, "packet_info");
    mj_u64(j, "linktype", (uint64_t)raw->linktype);
    mj_obj_close(j);
}

/* The data an alert's rule matched, as Suricata's alert payload options:
 * the packet's payload, or the stream data inspected ("stream": 1), or a
 * transaction moment's raw message. */
static void alert_payload(mm_json *j, const mm_inspection *in, uint8_t what)
{
    const mm_obs_buf *b = NULL;
    for (int i = 0; i < in->nbuf && !b; i++)
        if (in->buf[i].id == MM_BUF_PAYLOAD)
            b = &in->buf[i];
    if (b && b->data && b->len) {
        if (what & 1)
            b64_field(j, "payload", b->data, b->len);
        if (what & 2) {
            char *s = malloc((size_t)b->len + 1);
            if (s) {
                for (uint32_t i = 0; i < b->len; i++)
                    s[i] = b->data[i] >= 0x20 && b->data[i] < 0x7f ? (char)b->data[i] : '.';
                mj_strn(j, "payload_printable", s, b->len);
                free(s);
            }
        }
    }
    if (what & 1)
        mj_u64(j, "stream", in->moment == MM_MOMENT_STREAM && !in->pkt_stream);
}

static void hit(void *ctx, const mm_rule *r, const mm_inspection *in)
{
    hit_ctx *h = ctx;
    mm_detect *d = h->d;
    mm_flow *f = h->f;
    /* bypass: Suricata marks the flow; with no capture bypass (as from a
     * file) inspection goes on, and the flow's log says so */
    if (r->bypass && f)
        f->bypassed = true;
    /* config: the transaction is not logged; no alert */
    if (r->action == MM_RA_CONFIG) {
        if (h->ob && h->ob->nolog)
            *h->ob->nolog = true;
        return;
    }
    /* pass: as Suricata's, no alert (unless the rule says alert), and the
     * rest of the flow goes by uninspected (its logs go on) */
    if (r->action == MM_RA_PASS) {
        /* the flow when the match was on a transaction, on stream data, or
         * by an IP-only or app-protocol rule; else this packet only */
        if (f && (in->moment == MM_MOMENT_APP ||
                  (in->moment == MM_MOMENT_STREAM && !in->pkt_stream) ||
                  r->proto >= MM_RP_HTTP || mm_rule_ip_only(r)))
            f->passed = true;
        else
            d->pkt_passed = true;
        if (!r->alert_kw)
            return;
    } else if (d->pkt_passed) {
        return;                 /* the packet was let go: no later alert on it */
    }
    det_lock(d);
    bool own = own_threshold(d, r, in->src, in->dst, h->ts);
    bool allow = own && mm_thresholds_allow(d->th, r->gid, r->sid, in->src, in->dst, h->ts);
    det_unlock(d);
    if (!own)
        return;
    if (!allow) {
        d->st.thresholded++;
        return;
    }
    /* a packet's alerts beyond packet-alert-max are dropped (the rules
     * come in Suricata's order: pass first, then as written) */
    if (d->pkt_alerts >= d->alert_max) {
        d->st.overflow++;
        return;
    }
    d->pkt_alerts++;
    d->st.alerts++;
    d->rule_alerts++;
    for (int i = 0; i < r->ntags; i++)
        tag_start(d, f, &r->tags[i], in, h->ts);
    const mm_ruleset *rs = mm_rules_set(d->rules);
    mm_eve *e = d->eve;
    mm_json *j;
    /* the client's address an HTTP proxy passed on (X-Forwarded-For) */
    mm_ip xff;
    bool has_xff = d->xff_mode && h->ob && h->ob->xff && xff_addr(h->ob->xff, d->xff_reverse, &xff);
    if (f) {
        f->alerted = true;
        if (has_xff && d->xff_mode == 2)
            j = mm_eve_begin_flow_event_client(e, f, h->ts, "alert", h->dir == MM_TO_CLIENT,
                                               f->app_proto ? mm_app_name(f->app_proto) : NULL,
                                               &xff);
        else
            j = mm_eve_begin_flow_event(e, f, h->ts, "alert", h->dir == MM_TO_CLIENT,
                                        f->app_proto ? mm_app_name(f->app_proto) : NULL);
        /* an ICMP packet's type and code, as Suricata's alert has them */
        if (in->pkt && (in->ip_proto == 1 || in->ip_proto == 58)) {
            mj_u64(j, "icmp_type", in->pkt->icmp_type);
            mj_u64(j, "icmp_code", in->pkt->icmp_code);
        }
        mj_str(j, "direction", h->dir == MM_TO_CLIENT ? "to_client" : "to_server");
    } else if (h->p) {
        j = mm_eve_begin_pkt_event(e, h->p, h->ts, "alert");
    } else {
        return;
    }
    mj_obj_open(j, "alert");
    mj_str(j, "action", "allowed");
    mj_u64(j, "gid", r->gid);
    mj_u64(j, "signature_id", r->sid);
    mj_u64(j, "rev", r->rev);
    mj_str(j, "signature", r->msg ? r->msg : "");
    const char *cat = mm_ruleset_class_desc(rs, r->classtype);
    mj_str(j, "category", cat ? cat : "");
    mj_u64(j, "severity", r->priority);
    if (r->metadata) {
        mj_obj_open(j, "metadata");
        metadata(j, r->metadata);
        mj_obj_close(j);
    }
    if (has_xff && d->xff_mode == 1) {
        char t[MM_IPSTR_LEN];
        mm_ip_str(&xff, t);
        mj_str(j, "xff", t);
    }
    mj_obj_close(j);
    mm_eve_tunnel(e, j);
    alert_packet(d, e, j);
    if (d->alert_payload)
        alert_payload(j, in, d->alert_payload);
    if (d->alert_verdict) {
        mj_obj_open(j, "verdict");
        mj_str(j, "action", (f && f->passed) || d->pkt_passed ? "pass" : "alert");
        mj_obj_close(j);
    }
    if (!f) {
        mm_eve_pkt_event_close(e, h->p);
        return;
    }
    if (h->ob && h->ob->json)
        h->ob->json(j, h->ob->json_ctx);
    /* the flow as it stands, as Suricata 7 adds to alerts */
    char start[MM_TS_LEN];
    mm_fmt_ts(f->start_ns, start);
    mj_obj_open(j, "flow");
    mj_u64(j, "pkts_toserver", f->pkts[0]);
    mj_u64(j, "pkts_toclient", f->pkts[1]);
    mj_u64(j, "bytes_toserver", f->bytes[0]);
    mj_u64(j, "bytes_toclient", f->bytes[1]);
    mj_str(j, "start", start);
    /* and the flow's own tuple, client to server (Suricata 7) */
    char a[MM_IPSTR_LEN];
    bool ports = f->proto == 6 || f->proto == 17 || f->proto == 132;
    mm_ip_str_full(&f->cli, a);
    mj_str(j, "src_ip", a);
    mm_ip_str_full(&f->srv, a);
    mj_str(j, "dest_ip", a);
    if (ports) {
        mj_u64(j, "src_port", f->cport);
        mj_u64(j, "dest_port", f->sport);
    }
    mj_obj_close(j);
    d->alert_caps = true;
    j = mm_eve_flow_event_mimamori(e, f);
    d->alert_caps = false;
    mj_obj_open(j, "alert");
    mj_str(j, "source", "rule");
    /* the report's family: ours, so in mimamori (the alert object stays
     * Suricata's, the rule's own metadata only) */
    const char *family = mm_rule_family(r->gid, r->sid, mm_ruleset_class_name(rs, r->classtype));
    if (family)
        mj_str(j, "family", family);
    mj_obj_close(j);
    mm_eve_flow_event_close(e);
}

/* A flow's variables as Suricata's EVE shows them on every event of the
 * flow: flowbits named traffic/id/X and traffic/label/X in "traffic", the
 * other flowbits and the flowints in "metadata". */
/* The next flowbit set at or after b (UINT32_MAX: none); empty words are
 * skipped whole. */
static uint32_t next_bit(const uint32_t *bits, uint32_t words, uint32_t b)
{
    for (; b < words * 32; b++) {
        if (!bits[b / 32]) {
            b |= 31;
            continue;
        }
        if (bits[b / 32] >> (b % 32) & 1)
            return b;
    }
    return UINT32_MAX;
}

void mm_detect_traffic_json(const mm_detect *d, const mm_flow *f, mm_json *j)
{
    const det_flow *df = f->det;
    if (!d || !d->rules || !df || df->rules_gen != d->rules_gen || (!df->rbits && !df->rints && !df->nvars && !d->alert_caps))
        return;
    const mm_ruleset *rs = mm_rules_set(d->rules);
    static const char *const kinds[2] = {"id", "label"};
    bool open = false, other = false;
    for (int k = 0; k < 2 && df->rbits; k++) {
        bool arr = false;
        char pre[16];
        snprintf(pre, sizeof pre, "traffic/%s/", kinds[k]);
        size_t pl = strlen(pre);
        for (uint32_t b = next_bit(df->rbits, d->bits_words, 0); b != UINT32_MAX;
             b = next_bit(df->rbits, d->bits_words, b + 1)) {
            const char *nm = mm_ruleset_bit_name(rs, b);
            if (!nm || strncmp(nm, "traffic/", 8) != 0) {
                other = other || nm;
                continue;
            }
            if (strncmp(nm, pre, pl) != 0 || !nm[pl])
                continue;
            if (!open) {
                mj_obj_open(j, "traffic");
                open = true;
            }
            if (!arr) {
                mj_arr_open(j, kinds[k]);
                arr = true;
            }
            mj_str(j, NULL, nm + pl);
        }
        if (arr)
            mj_arr_close(j);
    }
    if (open)
        mj_obj_close(j);
    bool ints = false;
    uint32_t nints = df->rints ? mm_rules_ints(d->rules) : 0;
    for (uint32_t i = 0; i < nints && !ints; i++)
        ints = df->rints[i].set;
    int npk = 0;
    const mm_capture *pk = d->alert_caps ? mm_rules_captures(d->rt, &npk) : NULL;
    bool pkt = false;
    for (int i = 0; i < npk && !pkt; i++)
        pkt = pk[i].kind == MM_VAR_PKT;
    if (!other && !ints && !df->nvars && !pkt)
        return;
    mj_obj_open(j, "metadata");
    if (df->nvars) {            /* [{"NAME": "value"}, ...] as Suricata's */
        mj_arr_open(j, "flowvars");
        for (int i = 0; i < df->nvars; i++) {
            mj_obj_open(j, NULL);
            const char *nm = mm_ruleset_var_name(rs, df->vars[i].id);
            mj_strn(j, nm ? nm : "?", (const char *)df->vars[i].data, df->vars[i].len);
            mj_obj_close(j);
        }
        mj_arr_close(j);
    }
    if (pkt) {
        mj_arr_open(j, "pktvars");
        for (int i = 0; i < npk; i++) {
            if (pk[i].kind != MM_VAR_PKT)
                continue;
            mj_obj_open(j, NULL);
            const char *nm = mm_ruleset_var_name(rs, pk[i].id);
            mj_strn(j, nm ? nm : "?", (const char *)pk[i].data, pk[i].len);
            mj_obj_close(j);
        }
        mj_arr_close(j);
    }
    if (other) {
        mj_arr_open(j, "flowbits");
        for (uint32_t b = next_bit(df->rbits, d->bits_words, 0); b != UINT32_MAX;
             b = next_bit(df->rbits, d->bits_words, b + 1)) {
            const char *nm = mm_ruleset_bit_name(rs, b);
            if (nm && strncmp(nm, "traffic/", 8) != 0)
                mj_str(j, NULL, nm);
        }
        mj_arr_close(j);
    }
    if (ints) {
        mj_obj_open(j, "flowints");
        for (uint32_t i = 0; i < nints; i++) {
            const char *nm = mm_ruleset_flowint_name(rs, i);
            if (df->rints[i].set && nm)
                mj_i64(j, nm, df->rints[i].v);
        }
        mj_obj_close(j);
    }
    mj_obj_close(j);
}

/* --- inspection ----------------------------------------------------------- */

typedef struct bits_ctx {
    mm_detect *d;
    mm_flow *f;
} bits_ctx;

static uint32_t *bits_alloc(void *ctx)
{
    bits_ctx *b = ctx;
    if (!b->d->bits_words)
        return NULL;
    det_flow *df = det_flow_get(b->f);
    if (!df)
        return NULL;
    rules_sync(b->d, df);
    if (!df->rbits)
        df->rbits = calloc(b->d->bits_words, sizeof *df->rbits);
    return df->rbits;
}

static void var_set(void *ctx, uint32_t id, const uint8_t *d, uint16_t n)
{
    bits_ctx *b = ctx;
    det_flow *df = det_flow_get(b->f);
    if (!df)
        return;
    rules_sync(b->d, df);
    if (!df->vars && !(df->vars = calloc(DET_MAX_VARS, sizeof *df->vars)))
        return;
    int i = 0;
    while (i < df->nvars && df->vars[i].id != id)
        i++;
    if (i == DET_MAX_VARS)
        return;
    if (i == df->nvars)
        df->nvars++;
    df->vars[i].id = id;
    df->vars[i].len = n < MM_CAP_LEN ? n : MM_CAP_LEN;
    memcpy(df->vars[i].data, d, df->vars[i].len);
}

/* The inspection of a moment of flow f in direction dir. */
static mm_fint *ints_alloc(void *ctx)
{
    bits_ctx *b = ctx;
    size_t n = mm_rules_ints(b->d->rules);
    det_flow *df = n ? det_flow_get(b->f) : NULL;
    if (!df)
        return NULL;
    rules_sync(b->d, df);
    if (!df->rints)
        df->rints = calloc(n, sizeof *df->rints);
    return df->rints;
}

/* geoip: an address's country from the sensor's GeoIP data */
static void insp_country(void *ctx, const mm_ip *ip, char cc[3])
{
    det_country(((bits_ctx *)ctx)->d, ip, cc);
}

static mm_inspection flow_insp(mm_detect *d, mm_flow *f, int dir, int moment, bits_ctx *bc)
{
    bool tc = dir == MM_TO_CLIENT;
    /* a TCP flow picked up mid-way has no app layer for Suricata unless
     * stream.midstream is on (see inspect) */
    bool no_app = f->proto == 6 && f->midstream && !d->midstream;
    if (f->det)
        rules_sync(d, f->det);
    return (mm_inspection){
        .moment = moment,
        .app = rule_app(no_app ? 0 : f->app_proto),
        .ip_proto = f->proto,
        .src = tc ? &f->srv : &f->cli,
        .dst = tc ? &f->cli : &f->srv,
        .sp = tc ? f->sport : f->cport,
        .dp = tc ? f->cport : f->sport,
        .to_client = tc,
        /* as Suricata with stream.midstream off: a TCP flow whose handshake
         * was not seen is never established (--midstream: it is) */
        .established = f->proto == 6 ? (moment == MM_MOMENT_PACKET ? f->pkt_established
                                                                    : f->tcp_state >= MM_TCP_ESTABLISHED) &&
                                           (!f->midstream || d->midstream)
                                     : f->pkts[0] && f->pkts[1],
        .bits = f->det ? ((det_flow *)f->det)->rbits : NULL,
        .bits_alloc = bits_alloc,
        .bits_ctx = bc,
        .ints = f->det ? ((det_flow *)f->det)->rints : NULL,
        .ints_alloc = ints_alloc,
        .var_set = var_set,
        .ts = f->last_ns,
        .country = insp_country,
    };
}

static void inspect(mm_detect *d, mm_flow *f, int dir, int moment, const mm_obs_buf *b, int nb,
                    const mm_insp_pkt *pkt, uint64_t ts, const mm_obs_buffers *ob)
{
    if (f->passed || f->no_inspect)
        return;                 /* a pass rule matched earlier, or an exception policy */
    /* a TCP flow picked up mid-way has no stream nor app layer for
     * Suricata unless stream.midstream is on: its stream and app-layer
     * rules stay silent, except that its stream rules see each packet's
     * payload (a stream moment given a packet: mm_detect_packet) */
    bool pkt_stream = moment == MM_MOMENT_STREAM && pkt;
    if (moment != MM_MOMENT_PACKET && !pkt_stream && f->proto == 6 && f->midstream &&
        !d->midstream)
        return;
    bits_ctx bc = {d, f};
    mm_inspection in = flow_insp(d, f, dir, moment, &bc);
    in.pkt_stream = pkt_stream;
    in.pkt = pkt;
    in.buf = b;
    in.nbuf = nb;
    mm_insp_file fi;
    const mm_file_info *fl = ob ? ob->file : NULL;
    if (fl) {
        bool h = fl->complete;
        fi = (mm_insp_file){fl->size, fl->complete,
                            h && fl->hashes & MM_HASH_MD5 ? fl->md5 : NULL,
                            h && fl->hashes & MM_HASH_SHA1 ? fl->sha1 : NULL,
                            h && fl->hashes & MM_HASH_SHA256 ? fl->sha256 : NULL};
        in.file = &fi;
    }
    if (ob) {
        in.events = ob->events;
        in.nevents = ob->nevents;
        in.events_alone = ob->events_alone;
    }
    hit_ctx h = {d, f, dir, ts, ob, NULL};
    mm_rules_inspect(d->rules, d->rt, &in, hit, &h);
}

void det_rules_app_event(mm_detect *d, mm_flow *f, int dir, const char *name, bool both,
                         uint64_t ts)
{
    if (!d->rules || !mm_rules_has_events(d->rules))
        return;
    bits_ctx bc = {d, f};
    mm_inspection in = flow_insp(d, f, dir, MM_MOMENT_APP, &bc);
    hit_ctx h = {d, f, dir, ts, NULL, NULL};
    mm_rules_app_event(d->rules, d->rt, &in, name, false, hit, &h);
    /* an event belongs to its transaction, which Suricata inspects in both
     * directions: a rule naming the other direction sees it there, and an
     * undirected one too when the transaction is still open that way (an
     * SMB file's: inspected again at the other side's next packet) */
    in = flow_insp(d, f, !dir, MM_MOMENT_APP, &bc);
    hit_ctx h2 = {d, f, !dir, ts, NULL, NULL};
    mm_rules_app_event(d->rules, d->rt, &in, name, !both, hit, &h2);
}

/* An anomaly raised on a packet (p; f when it belongs to a flow) or on a
 * flow's stream (p NULL): the decode-event / stream-event rules on it. */
void mm_detect_event(mm_detect *d, mm_flow *f, int dir, const mm_pkt *p, int an, uint64_t ts)
{
    if (!d || !d->rules || !mm_rules_has_events(d->rules))
        return;
    bits_ctx bc = {d, f};
    mm_inspection in;
    mm_insp_pkt pk;
    mm_obs_buf b = {MM_BUF_PAYLOAD, NULL, 0};
    static const mm_ip none = {{0}, 0};
    if (f) {
        in = flow_insp(d, f, dir, MM_MOMENT_PACKET, &bc);
    } else {
        if (!p)
            return;
        bool ip = p->ipver != 0;
        in = (mm_inspection){.moment = MM_MOMENT_PACKET, .app = -1, .ip_proto = p->proto,
                             .bits_ctx = &bc, .country = insp_country,
                             .src = ip ? &p->src : &none, .dst = ip ? &p->dst : &none,
                             .sp = p->sport, .dp = p->dport, .ts = ts};
    }
    if (p) {
        pk = (mm_insp_pkt){.ttl = p->ttl, .ip_id = p->ip_id, .tcp_flags = p->tcp_flags,
                           .window = p->win, .seq = p->seq, .ack = p->ack,
                           .icmp_type = p->icmp_type, .icmp_code = p->icmp_code};
        in.pkt = &pk;
        b.data = p->payload;
        b.len = p->payload ? p->payload_len : 0;
    }
    in.buf = &b;
    in.nbuf = 1;
    hit_ctx h = {d, f, dir, ts, NULL, f ? NULL : p};
    mm_rules_event(d->rules, d->rt, &in, an, hit, &h);
}

/* A transaction side's buffers kept for the next packet of its direction. */
#define DEFER_BUFS 4
#define DEFER_MAX 4                 /* moments waiting per direction */
#define DEFER_BYTES (16u << 10)     /* bytes kept per moment */

typedef struct det_defer {
    int n;                          /* moments waiting */
    struct {
        int nb;
        mm_obs_buf b[DEFER_BUFS];
        uint64_t ts;
        uint8_t *data;
    } m[DEFER_MAX];
} det_defer;

static void defer_run(mm_detect *d, mm_flow *f, det_flow *df, int dir)
{
    det_defer *q = df->defer[dir];
    if (!q)
        return;
    df->defer[dir] = NULL;          /* alerts below may not defer again */
    for (int i = 0; i < q->n; i++) {
        mm_obs_buffers ob = {q->m[i].b, q->m[i].nb, NULL, NULL, NULL, NULL};
        if (d->rules)
            inspect(d, f, dir, MM_MOMENT_APP, q->m[i].b, q->m[i].nb, NULL, q->m[i].ts, &ob);
        free(q->m[i].data);
    }
    free(q);
}

/* Suricata inspects a transaction's side for the rules at the next packet
 * of that side (DetectRunTx per packet direction): a DCE/RPC request
 * parsed when the server's ACK handed it on is inspected at the client's
 * next packet. Done for DCE/RPC over TCP, whose alerts carry no object of
 * the transaction: a copy of the buffers waits (at most DEFER_MAX moments,
 * DEFER_BYTES each; past that, inspected at once). */
static bool defer_app(mm_detect *d, mm_flow *f, int dir, const mm_obs_buffers *ob, uint64_t ts)
{
    const mm_pkt *p = d->pend_pkt;
    if (f->proto != 6 || f->app_proto != MM_APP_DCERPC || !p || ob->file || ob->json ||
        ob->nevents || ob->n > DEFER_BUFS || p->proto != 6 || p->sport == p->dport)
        return false;
    /* the packet begun must be this flow's, and of the other direction */
    bool fwd = !memcmp(p->src.b, f->cli.b, 16) && p->sport == f->cport &&
               !memcmp(p->dst.b, f->srv.b, 16) && p->dport == f->sport;
    bool rev = !memcmp(p->src.b, f->srv.b, 16) && p->sport == f->sport &&
               !memcmp(p->dst.b, f->cli.b, 16) && p->dport == f->cport;
    if (!(fwd || rev) || (fwd ? MM_TO_SERVER : MM_TO_CLIENT) == dir)
        return false;
    det_flow *df = det_flow_get(f);
    if (!df)
        return false;
    det_defer *q = df->defer[dir];
    if (!q && !(q = df->defer[dir] = calloc(1, sizeof *q)))
        return false;
    if (q->n == DEFER_MAX)
        return false;
    uint64_t total = 0;
    for (int i = 0; i < ob->n; i++)
        total += ob->b[i].data ? ob->b[i].len : 0;
    if (total > DEFER_BYTES)
        return false;
    uint8_t *data = total ? malloc(total) : NULL;
    if (total && !data)
        return false;
    uint32_t at = 0;
    for (int i = 0; i < ob->n; i++) {
        q->m[q->n].b[i] = ob->b[i];
        if (ob->b[i].len && ob->b[i].data) {
            memcpy(data + at, ob->b[i].data, ob->b[i].len);
            q->m[q->n].b[i].data = data + at;
            at += ob->b[i].len;
        }
    }
    q->m[q->n].nb = ob->n;
    q->m[q->n].ts = ts;
    q->m[q->n].data = data;
    q->n++;
    return true;
}

void det_rules_app(mm_detect *d, mm_flow *f, int dir, const mm_obs_buffers *ob, uint64_t ts)
{
    if (d->rules && (ob->n || ob->file) && !defer_app(d, f, dir, ob, ts))
        inspect(d, f, dir, MM_MOMENT_APP, ob->b, ob->n, NULL, ts, ob);
}

void mm_detect_packet_pending(mm_detect *d, const mm_pkt *p)
{
    if (d)
        d->pend_pkt = p;
}

/* Stream data goes to the rules as Suricata's IDS mode inspects its raw
 * stream: what the peer has acknowledged, from where the last inspection
 * ended, once that is at least a chunk (stream.reassembly.toserver- and
 * toclient-chunk-size, 2560 by default; Suricata varies it by up to 10 %
 * at start, we do not) - checked on each packet of the data's own
 * direction. The protocols whose Suricata parser asks for the raw stream
 * at each message or record it completes (HTTP, TLS, SMTP, DCE/RPC: its
 * AppLayerParserTriggerRawStreamReassembly) are inspected as soon as
 * anything is acknowledged; the stream depth, a gap, the side's FIN or
 * RST and the flow's end inspect what is held at once. So a chunk starts
 * where the previous one ended, at an acknowledged position, and a
 * pattern sent a byte per segment is found in one piece. */
#define RAW_CHUNK 2560u             /* Suricata's default chunk size */
#define SBUF_MIN 4096u              /* a hold's first size (pooled) */
#define SBUF_MAX (64u << 10)        /* a direction's hold at most */
#define SBUF_TOTAL (16u << 20)       /* and for all flows */
#define SBUF_KEEP 64u                /* emptied buffers kept for the next ones */

/* Stream data to the rules now, as one piece. */
static void stream_inspect(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n)
{
    mm_obs_buf b = {MM_BUF_PAYLOAD, p, n};
    inspect(d, f, dir, MM_MOMENT_STREAM, &b, 1, NULL, f->last_ns, NULL);
}

/* A first hold buffer: from the emptied ones first (no allocation per
 * flow on the packet path), NULL past the global bound. */
static uint8_t *sbuf_get(mm_detect *d)
{
    if (d->sbuf_total + SBUF_MIN > SBUF_TOTAL / d->sbuf_share)
        return NULL;
    uint8_t *b = d->sbuf_free;
    if (b) {
        memcpy(&d->sbuf_free, b, sizeof(void *));
        d->nsbuf_free--;
    } else if (!(b = malloc(SBUF_MIN))) {
        return NULL;
    }
    d->sbuf_total += SBUF_MIN;
    return b;
}

static void sbuf_put(mm_detect *d, uint8_t *b, uint32_t cap)
{
    d->sbuf_total -= cap;
    if (cap != SBUF_MIN || d->nsbuf_free >= SBUF_KEEP) {
        free(b);
        return;
    }
    memcpy(b, &d->sbuf_free, sizeof(void *));
    d->sbuf_free = b;
    d->nsbuf_free++;
}

static void sbuf_pool_free(mm_detect *d)
{
    while (d->sbuf_free) {
        void *b = d->sbuf_free;
        memcpy(&d->sbuf_free, b, sizeof(void *));
        free(b);
    }
    d->nsbuf_free = 0;
}

/* Room for need bytes in a direction's hold (need <= SBUF_MAX); false past
 * the global bound or without memory. */
static bool sbuf_room(mm_detect *d, det_flow *df, int dir, uint32_t need)
{
    if (need <= df->scap[dir])
        return true;
    if (!df->sbuf[dir]) {
        if (!(df->sbuf[dir] = sbuf_get(d)))
            return false;
        df->scap[dir] = SBUF_MIN;
        if (need <= SBUF_MIN)
            return true;
    }
    uint32_t cap = df->scap[dir];
    while (cap < need)
        cap *= 2;
    if (cap > SBUF_MAX)
        cap = SBUF_MAX;
    if (d->sbuf_total + (cap - df->scap[dir]) > SBUF_TOTAL / d->sbuf_share)
        return false;
    uint8_t *nb = realloc(df->sbuf[dir], cap);
    if (!nb)
        return false;
    d->sbuf_total += cap - df->scap[dir];
    df->sbuf[dir] = nb;
    df->scap[dir] = cap;
    return true;
}

static void sbuf_release(mm_detect *d, det_flow *df, int dir)
{
    if (df->sbuf[dir])
        sbuf_put(d, df->sbuf[dir], df->scap[dir]);
    df->sbuf[dir] = NULL;
    df->slen[dir] = df->scap[dir] = df->sack[dir] = 0;
}

/* Inspects the first n bytes a direction holds as one piece; the rest
 * stays (an emptied hold is given back). */
static void sinspect(mm_detect *d, mm_flow *f, det_flow *df, int dir, uint32_t n)
{
    if (!n)
        return;
    uint8_t *buf = df->sbuf[dir];
    uint32_t len = df->slen[dir];
    /* taken off before the rules run (an alert may end up here again) */
    df->sbuf[dir] = NULL;
    df->slen[dir] = df->sack[dir] = 0;
    uint32_t cap = df->scap[dir];
    df->scap[dir] = 0;
    stream_inspect(d, f, dir, buf, n);
    if (n == len || df->sbuf[dir]) {
        sbuf_put(d, buf, cap);
        return;
    }
    memmove(buf, buf + n, len - n);
    df->sbuf[dir] = buf;
    df->scap[dir] = cap;
    df->slen[dir] = len - n;
}

/* Inspects all a direction holds, acknowledged or not. */
static void sflush(mm_detect *d, mm_flow *f, det_flow *df, int dir)
{
    if (df->slen[dir])
        sinspect(d, f, df, dir, df->slen[dir]);
    else
        sbuf_release(d, df, dir);
}

/* Apps whose Suricata parser triggers raw stream inspection per message. */
static bool raw_trigger_app(uint16_t app)
{
    return app == MM_APP_HTTP || app == MM_APP_TLS || app == MM_APP_SMTP ||
           app == MM_APP_DCERPC;
}

/* A packet of direction dir (or its data) is being handled: its
 * acknowledged data goes to the rules when it makes a chunk. */
static void sready(mm_detect *d, mm_flow *f, det_flow *df, int dir)
{
    if (!df->slen[dir])
        return;
    uint32_t want = raw_trigger_app(f->app_proto) || f->half[dir].depth_reached ? 1 : RAW_CHUNK;
    if (df->sack[dir] >= want)
        sinspect(d, f, df, dir, df->sack[dir]);
}

/* Reassembled stream data (p NULL: a gap or the end): held until the peer
 * acknowledges it and a chunk is there (sready); past SBUF_MAX what was
 * acknowledged goes first, then the rest (a side nobody acknowledges: a
 * one-sided capture); past the global bound, at once. */
void det_rules_stream(mm_detect *d, mm_flow *f, int dir, const uint8_t *p, uint32_t n)
{
    if (!d->rules)
        return;
    det_flow *df = f->det;
    /* a direction's end (its FIN) inspects nothing by itself when the
     * capture shows the peer: what it holds waits for the peer's
     * acknowledgement as before (Suricata's IDS mode inspects raw stream
     * data once acknowledged); one-sided, nobody acknowledges: at once. A
     * gap inspects what came before it. */
    if (!p && !n && !f->encrypted && f->pkts[!dir])
        return;
    if (!p || f->encrypted) {
        if (df)
            sflush(d, f, df, dir);
        return;
    }
    if (!n)
        return;
    if (!df && !(df = det_flow_get(f))) {
        stream_inspect(d, f, dir, p, n);
        return;
    }
    sready(d, f, df, dir);      /* what was acknowledged before this data */
    if (df->slen[dir] + (uint64_t)n > SBUF_MAX) {
        sinspect(d, f, df, dir, df->sack[dir]);
        if (df->slen[dir] + (uint64_t)n > SBUF_MAX)
            sflush(d, f, df, dir);
    }
    if (n > SBUF_MAX || !sbuf_room(d, df, dir, df->slen[dir] + n)) {
        sflush(d, f, df, dir);
        stream_inspect(d, f, dir, p, n);    /* too big, or over the bound: at once */
        return;
    }
    memcpy(df->sbuf[dir] + df->slen[dir], p, n);
    df->slen[dir] += n;
}

/* A packet of direction dir: what it acknowledges of the other side's
 * held data, then dir's own chunk (at its FIN or RST: all it holds). */
static void stream_packet(mm_detect *d, mm_flow *f, det_flow *df, int dir, const mm_pkt *p)
{
    int o = !dir;
    /* a SYN-ACK's acknowledgement does not count (TCP Fast Open data in
     * the SYN waits for what follows it, as Suricata inspects no stream
     * before the handshake ends) */
    if (df->slen[o] && (p->tcp_flags & (MM_TH_ACK | MM_TH_SYN)) == MM_TH_ACK) {
        const mm_half *h = &f->half[o];
        uint32_t acked = df->slen[o];
        if (!h->depth_reached) {
            /* the hold ends where the other side's in-order data ends */
            int32_t a = (int32_t)(p->ack - (h->next_seq - df->slen[o]));
            acked = a <= 0 ? 0 : (uint32_t)a < df->slen[o] ? (uint32_t)a : df->slen[o];
        }
        if (acked > df->sack[o])
            df->sack[o] = acked;
    }
    /* a RST ends it all; a FIN only when the capture shows one side (else
     * its data waits for the peer's acknowledgement, as Suricata's) */
    if ((p->tcp_flags & MM_TH_RST) || ((p->tcp_flags & MM_TH_FIN) && !f->pkts[o]))
        sflush(d, f, df, dir);
    else
        sready(d, f, df, dir);
}

void det_rules_stream_flush(mm_detect *d, mm_flow *f)
{
    det_flow *df = f->det;
    if (!d->rules || !df)
        return;
    for (int dir = 0; dir < 2; dir++) {
        sflush(d, f, df, dir);
        defer_run(d, f, df, dir);
    }
}

void det_rules_stream_free(mm_detect *d, mm_flow *f)
{
    det_flow *df = f->det;
    if (!df)
        return;
    for (int dir = 0; dir < 2; dir++) {
        sbuf_release(d, df, dir);
        det_defer *q = df->defer[dir];
        df->defer[dir] = NULL;
        for (int i = 0; q && i < q->n; i++)
            free(q->m[i].data);
        free(q);
    }
}

/* The checksums the checksum keywords look at (Suricata's ipv4-csum,
 * tcpv4-csum ...): the IPv4 header's, and the transport's over its
 * pseudo-header (a UDP checksum of 0 is "none": valid). */
static void checksums(const mm_pkt *p, mm_insp_pkt *pk)
{
    if (p->ipver == 4 && p->l3 && p->l3_len >= 20 && !p->reassembled) {
        pk->csum_ip4 = MM_CSUM_IPV4;
        pk->csum_ip4_ok = mm_inet_fold(mm_inet_sum(p->l3, p->l3_len, 0)) == 0xFFFF;
    }
    if (!p->l4 || !p->l4_ok || p->icmp_error || !p->l3 || p->outer.on)
        return;
    const uint8_t *end = p->payload ? p->payload + p->payload_len : p->l4 + p->l4_len;
    if (end < p->l4)
        return;
    size_t n = (size_t)(end - p->l4);
    bool v4 = p->ipver == 4;
    uint32_t sum = 0;
    if (p->proto == 6 || p->proto == 17 || p->proto == 58) {
        /* the pseudo-header: addresses, protocol, length */
        sum = mm_inet_sum(p->src.b, v4 ? 4 : 16, sum);
        sum = mm_inet_sum(p->dst.b, v4 ? 4 : 16, sum);
        uint8_t ph[8] = {0, 0, (uint8_t)(n >> 24), (uint8_t)(n >> 16), 0, 0,
                         (uint8_t)(n >> 8), (uint8_t)n};
        ph[5] = p->proto;
        sum = mm_inet_sum(ph, 8, sum);
    }
    switch (p->proto) {
    case 6: pk->csum_l4 = v4 ? MM_CSUM_TCPV4 : MM_CSUM_TCPV6; break;
    case 17:
        pk->csum_l4 = v4 ? MM_CSUM_UDPV4 : MM_CSUM_UDPV6;
        if (v4 && n >= 8 && p->l4[6] == 0 && p->l4[7] == 0) {
            pk->csum_l4_ok = 1;         /* no checksum */
            return;
        }
        break;
    case 1:
        if (!v4)
            return;
        pk->csum_l4 = MM_CSUM_ICMPV4;
        break;
    case 58: pk->csum_l4 = MM_CSUM_ICMPV6; break;
    default: return;
    }
    pk->csum_l4_ok = mm_inet_fold(mm_inet_sum(p->l4, n, sum)) == 0xFFFF;
}

/* A packet whose transport header does not decode: Suricata keeps no flow
 * for it and knows no protocol above IP; its rules on "ip" still see it
 * (IP-only ones as on a packet outside any flow). */
static void bad_l4_packet(mm_detect *d, const mm_pkt *p, uint64_t ts)
{
    if (!p->ipver)
        return;
    mm_insp_pkt pk = {.ttl = p->ttl, .ip_id = p->ip_id};
    mm_obs_buf b = {MM_BUF_PAYLOAD, NULL, 0};
    bits_ctx bc = {d, NULL};
    mm_inspection in = {.moment = MM_MOMENT_PACKET, .app = -1, .ip_proto = 0,
                        .src = &p->src, .dst = &p->dst, .pkt = &pk, .buf = &b, .nbuf = 1,
                        .ts = ts, .bits_ctx = &bc, .country = insp_country};
    hit_ctx h = {d, NULL, 0, ts, NULL, p};
    mm_rules_inspect(d->rules, d->rt, &in, hit, &h);
}

void mm_detect_packet(mm_detect *d, mm_flow *f, int dir, const mm_pkt *p, uint64_t ts)
{
    d->cur_pkt = p;
    d->pend_pkt = NULL;
    if (f && d->ioc)
        det_ioc_flow(d, f, ts);
    if (f && f->det && ((det_flow *)f->det)->defer[dir])
        defer_run(d, f, f->det, dir);
    if (f && p->proto == 17 && p->l4_ok && p->payload_len)
        mm_detect_datagram(d, f, dir, p->payload, p->payload_len);
    if (!d->rules || !f)
        return;
    if (!p->l4_ok) {
        bad_l4_packet(d, p, ts);
        return;
    }
    det_flow *sdf = f->det;
    if (sdf && p->proto == 6)
        stream_packet(d, f, sdf, dir, p);
    mm_insp_pkt pk = {.ttl = p->ttl, .ip_id = p->ip_id,
                      .tcp_flags = p->tcp_flags, .window = p->win, .seq = p->seq,
                      .ack = p->ack, .icmp_type = p->icmp_type, .icmp_code = p->icmp_code,
                      .later = f->pkts[dir] > (p->reassembled ? p->frag_pkts : 1),
                      .nopayload = f->nopayload};
    /* ICMP messages with an identifier and a sequence number (echo,
     * timestamp, information, address mask; ICMPv6 echo) */
    bool v6 = p->proto == 58;
    uint8_t t = p->icmp_type;
    if ((p->proto == 1 || v6) && p->l4_len >= 8 &&
        (v6 ? (t == 128 || t == 129) : (t == 0 || t == 8 || (t >= 13 && t <= 18)))) {
        pk.icmp_id = (uint16_t)(p->l4[4] << 8 | p->l4[5]);
        pk.icmp_seq = (uint16_t)(p->l4[6] << 8 | p->l4[7]);
    }
    if (mm_rules_need_csum(d->rules))
        checksums(p, &pk);
    /* the payload first (the prefilter's dsize bound reads it), then the
     * innermost headers for ipv4.hdr ... icmpv6.hdr */
    mm_obs_buf b[6] = {{MM_BUF_PAYLOAD, p->payload, f->nopayload ? 0 : p->payload_len}};
    int nb = 1;
    /* ip.src and ip.dst: the addresses as the packet goes */
    const mm_ip *sa = dir == MM_TO_CLIENT ? &f->srv : &f->cli;
    const mm_ip *da = dir == MM_TO_CLIENT ? &f->cli : &f->srv;
    b[nb++] = (mm_obs_buf){MM_BUF_IP_SRC, sa->b, sa->v == 4 ? 4u : 16u};
    b[nb++] = (mm_obs_buf){MM_BUF_IP_DST, da->b, da->v == 4 ? 4u : 16u};
    if (p->l3 && p->l3_len)
        b[nb++] = (mm_obs_buf){p->ipver == 6 ? MM_BUF_IPV6_HDR : MM_BUF_IPV4_HDR, p->l3,
                               p->l3_len};
    uint8_t l4id = p->proto == 6 ? MM_BUF_TCP_HDR : p->proto == 17 ? MM_BUF_UDP_HDR
                 : p->proto == 1 ? MM_BUF_ICMPV4_HDR : p->proto == 58 ? MM_BUF_ICMPV6_HDR : 0;
    if (l4id && p->l4) {
        uint32_t hl = p->payload && p->payload >= p->l4 && p->payload <= p->l4 + p->l4_len
                          ? (uint32_t)(p->payload - p->l4) : p->l4_len;
        /* ICMPv4 messages whose fixed part is longer than 8 bytes, as
         * Suricata sizes icmpv4.hdr: router advertisement (its address
         * entries), timestamp, address mask */
        if (l4id == MM_BUF_ICMPV4_HDR && p->l4_len >= 8) {
            uint8_t t4 = p->l4[0];
            uint32_t want = t4 == 9 ? 8 + (uint32_t)p->l4[4] * p->l4[5] * 4
                          : (t4 == 13 || t4 == 14) ? 20 : (t4 == 17 || t4 == 18) ? 12 : 8;
            hl = want < p->l4_len ? want : p->l4_len;
        }
        b[nb++] = (mm_obs_buf){l4id, p->l4, hl};
        /* tcp.mss: the MSS option (kind 2, length 4) among the options */
        const uint8_t *mss;
        uint8_t ml;
        if (l4id == MM_BUF_TCP_HDR && mm_tcp_option(p, 2, &mss, &ml) && ml == 2)
            b[nb++] = (mm_obs_buf){MM_BUF_TCP_MSS, mss, 2};
        /* icmpv6.mtu: a Packet Too Big's MTU (no other type has one) */
        if (l4id == MM_BUF_ICMPV6_HDR && p->l4_len >= 8 && p->l4[0] == 2)
            b[nb++] = (mm_obs_buf){MM_BUF_ICMPV6_MTU, p->l4 + 4, 4};
    }
    inspect(d, f, dir, MM_MOMENT_PACKET, b, nb, &pk, ts, NULL);
    /* a TCP flow Suricata keeps no session for (picked up mid-way, no
     * --midstream) has no stream: its stream rules look at each packet's
     * payload instead */
    if (p->proto == 6 && f->midstream && !d->midstream && p->payload_len)
        inspect(d, f, dir, MM_MOMENT_STREAM, b, 1, &pk, ts, NULL);
}

/* The file in an alert on it, as Suricata lists a transaction's files
 * (filename, gaps, state, stored, size, tx_id), and the alert's tx_id: the
 * file's transaction (Suricata's alert on a tx carries its id). */
static void file_json(mm_json *j, const void *ctx)
{
    const mm_obs_file *o = ctx;
    if (o->has_tx)
        mj_u64(j, "tx_id", o->tx_id);
    if (o->json)
        o->json(j, o->json_arg);        /* the carrier's object, as its fileinfo's */
    mj_arr_open(j, "files");
    mj_obj_open(j, NULL);
    mj_str(j, "filename", o->name ? o->name : "");
    mj_bool(j, "gaps", o->gaps);
    mj_str(j, "state", o->complete ? "CLOSED" : "TRUNCATED");
    mj_bool(j, "stored", o->stored);
    mj_u64(j, "size", o->size);
    if (o->has_tx)
        mj_u64(j, "tx_id", o->tx_id);
    mj_obj_close(j);
    mj_arr_close(j);
}

/* A file carried by SMB, SMTP or FTP, at its end: file.name and file.data
 * (its first 32 KiB) to the rules. HTTP bodies are inspected by the HTTP
 * parser with the rest of their message. */
void det_rules_file(mm_detect *d, mm_flow *f, const mm_obs_file *o, uint64_t ts)
{
    if (!d->rules || f->app_proto == MM_APP_HTTP)
        return;
    mm_obs_buf b[2];
    int n = 0;
    if (o->name && o->name[0])
        b[n++] = (mm_obs_buf){MM_BUF_FILE_NAME, (const uint8_t *)o->name,
                              (uint32_t)strlen(o->name)};
    if (o->data_len)
        b[n++] = (mm_obs_buf){MM_BUF_FILE_DATA, o->data, o->data_len};
    /* inspected the way the file went */
    mm_obs_buffers ob = {b, n, file_json, o, o->info};
    inspect(d, f, o->dir, MM_MOMENT_APP, b, n, NULL, ts, &ob);
}
