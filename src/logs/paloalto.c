/*
 * paloalto.c - Palo Alto Networks PAN-OS traffic logs, CSV as the firewall
 * sends them by syslog (BSD or IETF header, or none):
 *
 *   Oct  4 18:54:26 pa-fw 1,2023/10/04 18:54:26,012501002341,TRAFFIC,end,2561,
 *     2023/10/04 18:54:24,10.0.0.5,203.0.113.44,198.51.100.2,203.0.113.44,out-web,,,ssl,
 *     vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd,2023/10/04 18:54:24,72568134,1,
 *     49583,443,50464,443,0x40441a,tcp,allow,7312,2228,5084,22,...,tcp-rst-from-client,...
 *
 * The field order is PAN-OS's "Traffic Log Fields" (docs.paloaltonetworks.com,
 * pan-os-admin, monitoring, use syslog for monitoring, syslog field
 * descriptions), counted from 0:
 *
 *    0 FUTURE_USE, 1 Receive Time, 2 Serial Number, 3 Type, 4 Threat/Content
 *    Type (subtype: start, end, drop, deny), 5 FUTURE_USE, 6 Generated Time,
 *    7 Source Address, 8 Destination Address, 9 NAT Source IP, 10 NAT
 *    Destination IP, 11 Rule Name, 12 Source User, 13 Destination User,
 *    14 Application, 15 Virtual System, 16 Source Zone, 17 Destination Zone,
 *    18 Inbound Interface, 19 Outbound Interface, 20 Log Action, 21 FUTURE_USE,
 *    22 Session ID, 23 Repeat Count, 24 Source Port, 25 Destination Port,
 *    26 NAT Source Port, 27 NAT Destination Port, 28 Flags, 29 Protocol,
 *    30 Action, 31 Bytes, 32 Bytes Sent, 33 Bytes Received, 34 Packets,
 *    35 Start Time, 36 Elapsed Time, 37 Category, 38 FUTURE_USE, 39 Sequence
 *    Number, 40 Action Flags, 41 Source Location, 42 Destination Location,
 *    43 FUTURE_USE, 44 Packets Sent, 45 Packets Received, 46 Session End
 *    Reason, 47-50 Device Group Hierarchy, 51 Virtual System Name, 52 Device
 *    Name, ... (later versions append more).
 *
 * Only Type TRAFFIC is a record; THREAT, SYSTEM, CONFIG and the other types
 * are skipped. The CSV is found by its Receive Time ("YYYY/MM/DD hh:mm:ss"
 * after a comma), so whatever header comes before it does not matter (a BSD
 * header without a host name makes a syslog reader take "1,2023/..." for the
 * host). Values may be in double quotes (a comma inside).
 *
 * The record: Generated Time in the reading's zone (PAN-OS writes the
 * firewall's local time without an offset), the pre-NAT addresses and ports
 * (the NAT ones have no place in the record), the rule name, the inbound and
 * outbound interfaces, Bytes and Packets (both directions), the session end
 * reason in firewall.reason, the Device Name as host. Action allow is
 * allowed; deny, drop, drop-icmp, reset-client, reset-server and reset-both
 * are blocked. Zones are not kept (no field).
 */
#include <string.h>

#include "logs/logs.h"

#define MAXF 64

/* "YYYY/MM/DD hh:mm:ss" at p (19 bytes before e) */
static bool pan_time_at(const char *p, const char *e)
{
    return lr_shape(p, e, "dddd/dd/dd dd:dd:dd");
}

/* The start of field 0: the word before the first ",<receive time>," in the
 * first bytes of the line. */
static const char *csv_start(const char *p, size_t n)
{
    const char *e = p + n, *lim = p + (n > 400 ? 400 : n);
    for (const char *c = p; c < lim && (c = memchr(c, ',', (size_t)(lim - c))) != NULL; c++) {
        if (!pan_time_at(c + 1, e) || c + 20 >= e || c[20] != ',')
            continue;
        const char *s = c;
        while (s > p && s[-1] != ' ' && s[-1] != '>' && c - s < 32)
            s--;
        return s;
    }
    return NULL;
}

static bool upper_word(lr_str w)
{
    if (w.n < 3 || w.n > 16)
        return false;
    for (uint32_t i = 0; i < w.n; i++)
        if (!((w.p[i] >= 'A' && w.p[i] <= 'Z') || w.p[i] == '_'))
            return false;
    return true;
}

static bool probe(const lr_line *l)
{
    const char *s = csv_start(l->p, l->n);
    if (!s)
        return false;
    lr_str f[5];
    const char *e = l->p + l->n;
    /* the first four fields only */
    int k = 0;
    const char *p = s;
    while (k < 5 && p <= e) {
        const char *c = memchr(p, ',', (size_t)(e - p));
        const char *fe = c ? c : e;
        f[k++] = lr_s(p, (size_t)(fe - p));
        if (!c)
            break;
        p = c + 1;
    }
    return k >= 5 && upper_word(f[3]);
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *s = csv_start(l->p, l->n);
    if (!s)
        return LR_SKIP;
    const char *e = l->p + l->n;
    lr_str f[MAXF];
    int k = lr_csv(s, e, f, NULL, MAXF);
    if (k < 5 || !upper_word(f[3]))
        return LR_SKIP;
    if (!lr_eq(f[3], "TRAFFIC"))
        return LR_SKIP;
    if (k < 35)
        return lr_bad(cx, "a TRAFFIC line of %d fields (35 at least)", k);

    lr_str gt = f[6].n ? f[6] : f[1];
    if (gt.n == 19 && pan_time_at(gt.p, gt.p + gt.n)) {
        int y = lr_num2(gt.p) * 100 + lr_num2(gt.p + 2);
        lr_set_time(cx, r, y, lr_num2(gt.p + 5), lr_num2(gt.p + 8), lr_num2(gt.p + 11),
                    lr_num2(gt.p + 14), lr_num2(gt.p + 17), 0, false, 0);
    } else {
        lr_time_syslog(cx, r, l);
    }
    /* the Device Name, else the syslog header's host (not when the header
     * reader took "1,2017/07/13" for one) */
    lr_str h = l->sys->host;
    if (k > 52 && f[52].n)
        r->host = f[52];
    else if (h.n && !memchr(h.p, ',', h.n))
        r->host = h;

    if (!lr_ip(f[7].p, f[7].n, &r->src_ip))
        return lr_bad(cx, "bad source address");
    if (!lr_ip(f[8].p, f[8].n, &r->dest_ip))
        return lr_bad(cx, "bad destination address");
    r->fw.rule = f[11];
    r->fw.in_iface = f[18];
    r->fw.out_iface = f[19];
    if (f[29].n) {
        r->proto = lr_proto(f[29].p, f[29].n);
        if (!r->proto)
            r->proto_text = f[29];
    }
    bool ports = !r->proto || (strcmp(r->proto, "ICMP") != 0 && strcmp(r->proto, "IPv6-ICMP") != 0);
    if (ports) {
        if (f[24].n && !lr_port(f[24].p, f[24].n, &r->src_port))
            return lr_bad(cx, "bad source port");
        if (f[25].n && !lr_port(f[25].p, f[25].n, &r->dest_port))
            return lr_bad(cx, "bad destination port");
    }
    lr_str a = f[30];
    if (lr_eq(a, "allow"))
        r->fw.action = "allowed";
    else if (lr_eq(a, "deny") || lr_eq(a, "drop") || lr_eq(a, "drop-icmp") ||
             lr_eq(a, "reset-client") || lr_eq(a, "reset-server") || lr_eq(a, "reset-both") ||
             lr_eq(a, "drop-all-packets"))
        r->fw.action = "blocked";
    int64_t v;
    if (lr_num(f[31].p, f[31].n, &v))
        r->fw.bytes = v;
    if (lr_num(f[34].p, f[34].n, &v))
        r->fw.packets = v;
    if (k > 46 && f[46].n)
        r->fw.reason = f[46];
    return LR_OK;
}

const mm_logfmt lf_paloalto = {
    .name = "paloalto",
    .event_type = "firewall",
    .what = "Palo Alto Networks PAN-OS traffic log (CSV over syslog)",
    .example = "Oct  4 18:54:26 pa-fw 1,2023/10/04 18:54:26,012501002341,TRAFFIC,end,2561,"
               "2023/10/04 18:54:24,10.0.0.5,203.0.113.44,198.51.100.2,203.0.113.44,out-web,,,"
               "ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd,2023/10/04 18:54:24,72568134,"
               "1,49583,443,50464,443,0x40441a,tcp,allow,7312,2228,5084,22,2023/10/04 18:53:52,16,"
               "any,,7253419119627122716,0x8000000000000000,10.0.0.0-10.255.255.255,Japan,,12,10,"
               "tcp-rst-from-client",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
