/*
 * logevent.c - an EVE event back into a log record, so the analyses of
 * logfacts.c read one thing whether it came from a log file or as JSON:
 * the records `mimamori logs parse` prints and the listener writes into
 * segments (event_type firewall, proxy, web, dns, dhcp, mail, auth), and
 * the sensor's own dns and dhcp events (Suricata's layout, version 2 DNS).
 *
 * Strings are copied into the record's scratch area; a value that does not
 * fit is left out.
 */
#include "analysis/logfacts.h"
#include "util/jread.h"

#include <string.h>

static lr_str keep(const jr_doc *d, int tok, mm_logrec *r)
{
    char b[1024];
    if (tok < 0 || !jr_str(d, tok, b, sizeof b) || !b[0])
        return (lr_str){0};
    size_t n = strlen(b);
    const char *k = lr_keep(r, b, n);
    return k ? lr_s(k, n) : (lr_str){0};
}

static lr_str kpath(const jr_doc *d, const char *path, mm_logrec *r)
{
    return keep(d, jr_path(d, path), r);
}

static void ip_at(const jr_doc *d, const char *path, mm_ip *ip)
{
    char b[64];
    if (jr_path_str(d, path, b, sizeof b))
        lr_ip(b, strlen(b), ip);
}

static int64_t num(const jr_doc *d, const char *path)
{
    return jr_path_i64(d, path, -1);
}

/* A static spelling of a value the record keeps as a constant. */
static const char *one_of(const jr_doc *d, const char *path, const char *const *set)
{
    int t = jr_path(d, path);
    for (; t >= 0 && *set; set++)
        if (jr_eq(d, t, *set))
            return *set;
    return NULL;
}

/* "2024-03-03T10:00:01.000000+0900": the offset of an EVE time. */
static int32_t offset_of(const char *ts)
{
    size_t n = strlen(ts);
    if (n >= 5 && (ts[n - 5] == '+' || ts[n - 5] == '-')) {
        const char *z = ts + n - 4;
        for (int i = 0; i < 4; i++)
            if (z[i] < '0' || z[i] > '9')
                return 0;
        int32_t off = ((z[0] - '0') * 10 + (z[1] - '0')) * 3600 + ((z[2] - '0') * 10 + (z[3] - '0')) * 60;
        return ts[n - 5] == '-' ? -off : off;
    }
    if (n >= 6 && (ts[n - 6] == '+' || ts[n - 6] == '-') && ts[n - 3] == ':') {
        const char *z = ts + n - 5;
        int32_t off = ((z[0] - '0') * 10 + (z[1] - '0')) * 3600 + ((z[3] - '0') * 10 + (z[4] - '0')) * 60;
        return ts[n - 6] == '-' ? -off : off;
    }
    return 0;
}

bool mm_logrec_from_eve(const jr_doc *d, mm_logrec *r)
{
    static const char *const types[] = {"firewall", "proxy", "web", "dns", "dhcp", "mail",
                                        "auth", NULL};
    const char *et = one_of(d, "event_type", types);
    if (!et)
        return false;
    lr_clear(r);
    r->event_type = et;
    char ts[64];
    if (!jr_path_str(d, "timestamp", ts, sizeof ts) || !mm_parse_iso_ts(ts, &r->ts_us))
        return false;
    r->has_ts = true;
    r->tzoff = offset_of(ts);
    ip_at(d, "src_ip", &r->src_ip);
    ip_at(d, "dest_ip", &r->dest_ip);
    int64_t p = num(d, "src_port");
    r->src_port = p >= 0 && p <= 65535 ? (int32_t)p : -1;
    p = num(d, "dest_port");
    r->dest_port = p >= 0 && p <= 65535 ? (int32_t)p : -1;
    char proto[24];
    if (jr_path_str(d, "proto", proto, sizeof proto)) {
        r->proto = lr_proto(proto, strlen(proto));
        if (!r->proto)
            r->proto_text = keep(d, jr_path(d, "proto"), r);
    }
    if (et == types[0]) {
        static const char *const act[] = {"allowed", "blocked", NULL};
        r->fw.action = one_of(d, "firewall.action", act);
        r->fw.rule = kpath(d, "firewall.rule", r);
        r->fw.bytes = num(d, "firewall.bytes");
        r->fw.packets = num(d, "firewall.packets");
    } else if (et == types[1] || et == types[2]) {
        r->http.hostname = kpath(d, "http.hostname", r);
        r->http.url = kpath(d, "http.url", r);
        r->http.http_method = kpath(d, "http.http_method", r);
        r->http.status = num(d, "http.status");
        r->http.length = num(d, "http.length");
        r->proxy.bytes_in = num(d, "proxy.bytes_in");
        r->proxy.bytes_out = num(d, "proxy.bytes_out");
    } else if (et == types[3]) {
        static const char *const kind[] = {"query", "answer", NULL};
        r->dns.type = one_of(d, "dns.type", kind);
        r->dns.rrname = kpath(d, "dns.rrname", r);
        r->dns.rrtype = kpath(d, "dns.rrtype", r);
        r->dns.rcode = kpath(d, "dns.rcode", r);
        int arr = jr_path(d, "dns.answers");
        for (uint32_t i = 0; arr >= 0 && i < LR_MAX_ANSWERS; i++) {
            int a = jr_elem(d, arr, i);
            if (a < 0)
                break;
            lr_answer *an = &r->dns.answers[r->dns.n_answers++];
            an->rrname = keep(d, jr_member(d, a, "rrname"), r);
            an->rrtype = keep(d, jr_member(d, a, "rrtype"), r);
            an->rdata = keep(d, jr_member(d, a, "rdata"), r);
            int64_t ttl;
            an->ttl = jr_i64(d, jr_member(d, a, "ttl"), &ttl) ? ttl : -1;
        }
        /* A sensor's answer event goes from the server to the client (a
         * log record names the client as src_ip) */
        if (r->dns.type && strcmp(r->dns.type, "answer") == 0 && jr_member(d, 0, "log") < 0) {
            mm_ip t = r->src_ip;
            r->src_ip = r->dest_ip;
            r->dest_ip = t;
            int32_t tp = r->src_port;
            r->src_port = r->dest_port;
            r->dest_port = tp;
        }
        /* Suricata's version-2 answers in brief: "grouped": {"A": [..]} */
        if (r->dns.n_answers == 0) {
            static const char *const rr[] = {"A", "AAAA"};
            for (int k = 0; k < 2; k++) {
                char path[32];
                snprintf(path, sizeof path, "dns.grouped.%s", rr[k]);
                int g = jr_path(d, path);
                for (uint32_t i = 0; g >= 0 && r->dns.n_answers < LR_MAX_ANSWERS; i++) {
                    int a = jr_elem(d, g, i);
                    if (a < 0)
                        break;
                    lr_answer *an = &r->dns.answers[r->dns.n_answers++];
                    an->rrname = (lr_str){0};
                    an->rrtype = lr_s(rr[k], strlen(rr[k]));
                    an->rdata = keep(d, a, r);
                    an->ttl = -1;
                }
            }
        }
    } else if (et == types[4]) {
        static const char *const dt[] = {"ack", "request", "release", "discover", "offer",
                                         "decline", "nak", "inform", "expire", NULL};
        r->dhcp.dhcp_type = one_of(d, "dhcp.dhcp_type", dt);
        ip_at(d, "dhcp.assigned_ip", &r->dhcp.assigned_ip);
        /* Suricata writes 0.0.0.0 when nothing was assigned */
        static const uint8_t zero[16];
        if (r->dhcp.assigned_ip.v && memcmp(r->dhcp.assigned_ip.b, zero, 16) == 0)
            r->dhcp.assigned_ip.v = 0;
        lr_str mac = kpath(d, "dhcp.client_mac", r);
        if (mac.n)
            lr_mac(r, mac.p, mac.n, &r->dhcp.client_mac);
        r->dhcp.hostname = kpath(d, "dhcp.hostname", r);
        r->dhcp.lease_time = num(d, "dhcp.lease_time");
    } else if (et == types[5]) {
        r->email.from = kpath(d, "email.from", r);
        r->email.header_from = kpath(d, "email.header_from", r);
        r->email.subject = kpath(d, "email.subject", r);
        r->email.status = kpath(d, "email.status", r);
        r->email.attachment = kpath(d, "email.attachment", r);
        /* a mail message's attachments (logs/mailmsg.c): the first name */
        int att = jr_path(d, "email.attachment");
        for (uint32_t i = 0; att >= 0 && d->t[att].type == JR_ARR && !r->email.attachment.n &&
                             i < 256; i++) {
            int a = jr_elem(d, att, i);
            if (a < 0)
                break;
            r->email.attachment = keep(d, jr_member(d, a, "filename"), r);
        }
        r->email.size = num(d, "email.size");
        int arr = jr_path(d, "email.to");
        for (uint32_t i = 0; arr >= 0 && i < LR_MAX_TO; i++) {
            int a = jr_elem(d, arr, i);
            if (a < 0)
                break;
            r->email.to[r->email.n_to++] = keep(d, a, r);
        }
    } else {
        static const char *const res[] = {"success", "failure", NULL};
        r->auth.result = one_of(d, "auth.result", res);
        r->auth.service = kpath(d, "auth.service", r);
        r->auth.user = kpath(d, "auth.user", r);
    }
    return true;
}
