/*
 * dhcpd.c - ISC dhcpd (and the dhcpd of pfSense, OPNsense and Infoblox NIOS)
 * lease lines.
 *
 *   Jan 27 09:25:36 gw dhcpd[71391]: DHCPACK on 192.168.17.164 to f4:8c:50:9d:eb:35 (phone) via em1
 *
 * ISC dhcpd's server/dhcp.c writes one line per message it handles:
 *   DHCPDISCOVER from MAC [(host)] via X[: why not answered]
 *   DHCPOFFER on IP to MAC [(host)] via X
 *   DHCPREQUEST for IP [(server id)] from MAC [(host)] via X[: why]
 *   DHCPACK on IP to MAC [(host)] via X        DHCPACK to IP (MAC) via X  (an INFORM's answer)
 *   DHCPNAK on IP to MAC via X
 *   DHCPRELEASE of IP from MAC [(host)] via X (found|not found)
 *   DHCPDECLINE of IP from MAC [(host)] via X: why
 *   DHCPINFORM from IP via X
 *   BOOTREQUEST from MAC via X                 BOOTREPLY for IP to host (MAC) via X
 * "via X" is the relay's address (giaddr) when a relay forwarded the packet,
 * else the server's interface: dhcp.relay holds either, as written. MAC is
 * "<no identifier>" or a client id in hex when the packet had no hardware
 * address (then client_mac is absent). Infoblox NIOS adds "TransID T",
 * "uid U", "relay X" (preferred for dhcp.relay when it is an address),
 * "lease-duration N" (dhcp.lease_time) and logs "DHCPEXPIRE on IP to MAC".
 * dhcpd -6 (program dhcpd, or Infoblox's dhcpdv6) writes "Advertise NA:
 * address A to client with duid D iaid = I valid for N seconds" (an offer)
 * and "Reply NA: ..." (an ack); the MAC comes from a DUID-LL or DUID-LLT.
 *
 * Records: event_type "dhcp", dhcp {dhcp_type (discover, offer, request, ack,
 * nak, release, decline, inform, expire; BOOTREQUEST is a request, BOOTREPLY
 * an ack), assigned_ip (the address offered, acked, requested, released,
 * declined), client_mac, hostname, relay, lease_time}; an INFORM's client
 * address is src_ip. Other dhcpd lines (uid duplicates, "reuse_lease",
 * pool statistics, DHCPLEASEQUERY, failover) are skipped; a message line
 * without the address or MAC it must have is malformed. The program may
 * come after a second host word (Infoblox: "host 10.0.0.1 dhcpd[7024]: ..."),
 * or stand without a host with its pid after it (the pfSense / OPNsense log
 * view: "Dec 8 12:42:38 dhcpd 2871 DHCPACK on ...").
 */
#include <string.h>

#include "logs/logs.h"

/* dhcpd's message in l: p..e; false when the line is another program's. */
static bool dhcpd_msg(const lr_line *l, const char **p, const char **e)
{
    const lr_syslog *s = l->sys;
    *p = s->msg;
    *e = s->msg + s->msg_len;
    lr_str g = s->program;
    if (lr_eq(g, "dhcpd") || lr_eq(g, "dhcpd6") || lr_eq(g, "dhcpdv6"))
        return true;
    if (g.n)
        return false;
    /* pfSense / OPNsense log view: "Dec 8 12:42:38 dhcpd 2871 DHCPACK ..." */
    if (lr_eq(s->host, "dhcpd") || lr_eq(s->host, "dhcpd6")) {
        const char *q = *p, *end = *e;
        while (q < end && q - *p < 12 && *q >= '0' && *q <= '9')
            q++;
        if (q > *p && q < end && *q == ' ') {
            *p = q + 1;
            return true;
        }
        return false;
    }
    /* "infoblox.localdomain 10.0.0.1 dhcpd[7024]: ...": a second host word */
    const char *q = *p, *end = *e;
    const char *w = q;
    while (w < end && *w != ' ')
        w++;
    if (w - q > 64 || w >= end)
        return false;
    w++;
    if (!lr_starts(w, (size_t)(end - w), "dhcpd"))
        return false;
    const char *t = w + 5;
    if (t < end && (*t == '6' || *t == 'v'))
        t += (*t == 'v') ? 2 : 1;
    if (t < end && *t == '[') {
        const char *b = memchr(t, ']', (size_t)(end - t));
        if (!b || b - t > 12)
            return false;
        t = b + 1;
    }
    if (end - t < 2 || t[0] != ':' || t[1] != ' ')
        return false;
    *p = t + 2;
    return true;
}

static const struct {
    const char *word, *type;
} kinds[] = {
    {"DHCPDISCOVER", "discover"}, {"DHCPOFFER", "offer"},     {"DHCPREQUEST", "request"},
    {"DHCPACK", "ack"},           {"DHCPNAK", "nak"},         {"DHCPRELEASE", "release"},
    {"DHCPDECLINE", "decline"},   {"DHCPINFORM", "inform"},   {"DHCPEXPIRE", "expire"},
    {"BOOTREQUEST", "request"},   {"BOOTREPLY", "ack"},
};

static bool probe(const lr_line *l)
{
    const char *p, *e;
    return l->sys->ok && dhcpd_msg(l, &p, &e);
}

/* The words of a line, cut at spaces; a "(...)" group kept whole even with
 * spaces inside ("(Hostname Unsuitable for Printing)"); one ':' ending a
 * word dropped ("via eth1: network ..."), unless it ends an IPv6 address
 * ("2001:db8::"). */
#define MAXW 48
typedef struct words {
    lr_str w[MAXW];
    bool colon[MAXW];
    int n;
} words;

static void split(const char *p, const char *e, words *ws)
{
    ws->n = 0;
    while (p < e && ws->n < MAXW) {
        while (p < e && *p == ' ')
            p++;
        if (p >= e)
            break;
        const char *s = p;
        if (*p == '(') {
            const char *c = memchr(p, ')', (size_t)(e - p));
            p = c ? c + 1 : e;
            while (p < e && *p != ' ')
                p++;
        } else {
            while (p < e && *p != ' ')
                p++;
        }
        lr_str w = lr_s(s, (size_t)(p - s));
        mm_ip ip;
        bool colon = w.n > 1 && w.p[w.n - 1] == ':' && !lr_ip(w.p, w.n, &ip);
        if (colon)
            w.n--;
        ws->colon[ws->n] = colon;
        ws->w[ws->n++] = w;
    }
}

static bool paren(lr_str w, lr_str *in)
{
    if (w.n < 2 || w.p[0] != '(' || w.p[w.n - 1] != ')')
        return false;
    *in = lr_s(w.p + 1, w.n - 2);
    return true;
}

/* DHCPv6: "Advertise NA: address A to client with duid D iaid = I valid for N seconds" */
static int v6_line(mm_logctx *cx, const lr_line *l, mm_logrec *r, const char *p, const char *e)
{
    const char *type;
    if (lr_starts(p, (size_t)(e - p), "Advertise "))
        type = "offer";
    else if (lr_starts(p, (size_t)(e - p), "Reply "))
        type = "ack";
    else
        return LR_SKIP;
    const char *a = lr_find(p, (size_t)(e - p), ": address ");
    if (!a || a - p > 16)
        return LR_SKIP;   /* "Reply PD: prefix ...", other answers */
    words ws;
    split(a + 10, e, &ws);
    if (ws.n < 1 || !lr_ip(ws.w[0].p, ws.w[0].n, &r->dhcp.assigned_ip))
        return lr_bad(cx, "DHCPv6 answer without an address");
    r->dhcp.dhcp_type = type;
    for (int i = 1; i + 1 < ws.n; i++) {
        if (lr_eq(ws.w[i], "duid")) {
            /* DUID-LLT 00:01:00:01:<time 4>:<mac 6>, DUID-LL 00:03:00:01:<mac 6> */
            lr_str d = ws.w[i + 1];
            if (d.n == 41 && lr_starts(d.p, d.n, "00:01:00:01:"))
                lr_mac(r, d.p + 24, 17, &r->dhcp.client_mac);
            else if (d.n == 29 && lr_starts(d.p, d.n, "00:03:00:01:"))
                lr_mac(r, d.p + 12, 17, &r->dhcp.client_mac);
        } else if (lr_eq(ws.w[i], "valid") && i + 2 < ws.n && lr_eq(ws.w[i + 1], "for")) {
            int64_t v;
            if (lr_num(ws.w[i + 2].p, ws.w[i + 2].n, &v))
                r->dhcp.lease_time = v;
        }
    }
    lr_time_syslog(cx, r, l);
    r->host = l->sys->host;
    return LR_OK;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *p, *e;
    if (!dhcpd_msg(l, &p, &e))
        return LR_SKIP;
    while (e > p && e[-1] == ' ')
        e--;
    if (e - p >= 2 && e[-2] == '\\' && e[-1] == 'n')
        e -= 2;   /* Infoblox's samples end a line with a literal "\n" */
    words ws;
    split(p, e, &ws);
    if (ws.n == 0)
        return LR_SKIP;
    int kind = -1;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (lr_eq(ws.w[0], kinds[i].word)) {
            kind = (int)i;
            break;
        }
    if (kind < 0)
        return v6_line(cx, l, r, p, e);
    r->dhcp.dhcp_type = kinds[kind].type;
    bool inform = lr_eq(ws.w[0], "DHCPINFORM");

    /* walk the words: keyword then value */
    bool have_ip = false, have_client = false;
    lr_str via = {0}, relay = {0};
    for (int i = 1; i < ws.n; i++) {
        lr_str w = ws.w[i];
        bool last = i + 1 >= ws.n;
        lr_str in;
        if ((lr_eq(w, "on") || lr_eq(w, "for") || lr_eq(w, "of")) && !last && !have_ip) {
            if (!lr_ip(ws.w[i + 1].p, ws.w[i + 1].n, &r->dhcp.assigned_ip))
                return lr_bad(cx, "dhcpd line without a valid address after '%.*s'", (int)w.n,
                              w.p);
            have_ip = true;
            i++;
            /* "for IP (server id)" */
            if (i + 1 < ws.n && paren(ws.w[i + 1], &in))
                i++;
        } else if ((lr_eq(w, "to") || lr_eq(w, "from")) && !last && !have_client) {
            lr_str v = ws.w[++i];
            mm_ip ip;
            have_client = true;
            if (lr_ip(v.p, v.n, &ip)) {
                /* "DHCPINFORM from IP", "DHCPACK to IP (MAC)" */
                if (inform)
                    r->src_ip = ip;
                else if (!have_ip) {
                    r->dhcp.assigned_ip = ip;
                    have_ip = true;
                }
                if (i + 1 < ws.n && paren(ws.w[i + 1], &in)) {
                    lr_mac(r, in.p, in.n, &r->dhcp.client_mac);
                    i++;
                }
            } else if (lr_mac(r, v.p, v.n, &r->dhcp.client_mac)) {
                if (i + 1 < ws.n && paren(ws.w[i + 1], &in)) {
                    if (in.n)
                        r->dhcp.hostname = in;
                    i++;
                }
            } else if (i + 1 < ws.n && paren(ws.w[i + 1], &in) &&
                       lr_mac(r, in.p, in.n, &r->dhcp.client_mac)) {
                /* "BOOTREPLY for IP to host (MAC)" */
                r->dhcp.hostname = v;
                i++;
            } else if (lr_eq(v, "<no") && i + 1 < ws.n) {
                i++;   /* "<no identifier>" */
            }
            /* else a client id in hex: no MAC */
        } else if (lr_eq(w, "via") && !last && !via.n) {
            via = ws.w[++i];
        } else if (lr_eq(w, "relay") && !last) {
            relay = ws.w[++i];
        } else if (lr_eq(w, "lease-duration") && !last) {
            int64_t v;
            if (lr_num(ws.w[i + 1].p, ws.w[i + 1].n, &v))
                r->dhcp.lease_time = v;
            i++;
        } else if (ws.colon[i]) {
            break;   /* ": network X: no free leases", ": unknown lease": the reason */
        }
        if (i < ws.n && ws.colon[i])
            break;
    }
    mm_ip tmp;
    if (relay.n && lr_ip(relay.p, relay.n, &tmp))
        r->dhcp.relay = relay;
    else if (via.n)
        r->dhcp.relay = via;

    const char *t = r->dhcp.dhcp_type;
    bool need_ip = strcmp(t, "discover") != 0 && strcmp(t, "request") != 0;
    bool need_mac = strcmp(t, "inform") != 0 && strcmp(t, "release") != 0 &&
                    strcmp(t, "decline") != 0 && strcmp(t, "expire") != 0;
    if (need_ip && !have_ip && !r->src_ip.v)
        return lr_bad(cx, "%.*s without its address", (int)ws.w[0].n, ws.w[0].p);
    if (need_mac && !have_client)
        return lr_bad(cx, "%.*s without its client", (int)ws.w[0].n, ws.w[0].p);
    if (!have_ip && !have_client)
        return lr_bad(cx, "%.*s without address or client", (int)ws.w[0].n, ws.w[0].p);
    lr_time_syslog(cx, r, l);
    r->host = l->sys->host;
    return LR_OK;
}

const mm_logfmt lf_dhcpd = {
    .name = "dhcpd",
    .event_type = "dhcp",
    .what = "ISC dhcpd leases (also pfSense, OPNsense, Infoblox NIOS): DHCPACK, DHCPREQUEST, ...",
    .example = "Jan 27 09:25:36 gw dhcpd[71391]: DHCPACK on 192.168.17.164 to f4:8c:50:9d:eb:35 "
               "(phone) via em1",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
