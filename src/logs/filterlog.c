/*
 * filterlog.c - pf's filter log as pfSense and OPNsense write it: the
 * program "filterlog" (BSD syslog or RFC 5424 header), one CSV line per
 * logged packet.
 *
 *   Sep 28 10:38:24 pfSense filterlog: 53,,,1000102631,em0,match,block,in,4,
 *     0x0,,64,600,0,none,6,tcp,44,10.0.2.2,10.0.2.15,53792,22,0,S,31552001,,65535,,mss
 *
 * The layout is Netgate's "Raw Filter Log Format" (docs.netgate.com, pfSense
 * monitoring/raw-filter-log-format; OPNsense keeps it, see its filterlog
 * description.txt). Fields, counted from 0:
 *
 *   common  0 rule number, 1 sub rule, 2 anchor, 3 tracker (pfSense: a number,
 *           OPNsense: a hex label or a UUID), 4 real interface, 5 reason
 *           ("match"), 6 action (pass, block, reject), 7 direction (in, out),
 *           8 IP version (4, 6)
 *   IPv4    9 TOS, 10 ECN, 11 TTL, 12 ID, 13 offset, 14 flags, 15 protocol
 *           id, 16 protocol text, 17 length, 18 source, 19 destination
 *   IPv6    9 class, 10 flow label, 11 hop limit, 12 protocol text,
 *           13 protocol id, 14 length, 15 source, 16 destination
 *   then, by protocol id: TCP (6) and UDP (17) source port, destination
 *   port, data length (TCP: flags, sequence, ack, window, urg, options);
 *   ICMP an ICMP type word and its data; CARP (112) type, ttl, vhid, ...
 *
 * The record: the tracker is the rule (the stable per-rule id; the rule
 * number is the line in the loaded ruleset and changes when it is
 * reloaded), else the rule number; the interface is in_iface for "in" and
 * out_iface for "out"; pass is allowed, block and reject are blocked; the
 * IP length is the bytes of one packet; the reason goes in firewall.reason.
 */
#include <string.h>

#include "logs/logs.h"

#define MAXF 40

/* Splits p..p+n on commas into at most MAXF fields; returns the count
 * (the last field holds the rest when there are more). */
static int split_csv(const char *p, size_t n, lr_str *f)
{
    const char *e = p + n, *s = p;
    int k = 0;
    while (k < MAXF - 1) {
        const char *c = memchr(s, ',', (size_t)(e - s));
        if (!c)
            break;
        f[k++] = lr_s(s, (size_t)(c - s));
        s = c + 1;
    }
    f[k++] = lr_s(s, (size_t)(e - s));
    return k;
}

/* The CSV's common part: a rule number, an action, a direction and an IP
 * version where they belong. */
static bool csv_shape(const char *m, size_t n)
{
    lr_str f[MAXF];
    if (n < 20 || m[0] < '0' || m[0] > '9')
        return false;
    int k = split_csv(m, n > 512 ? 512 : n, f);
    if (k < 12 || !lr_digits(f[0].p, f[0].n))
        return false;
    if (!lr_eq(f[7], "in") && !lr_eq(f[7], "out"))
        return false;
    return lr_eq(f[8], "4") || lr_eq(f[8], "6");
}

static bool probe(const lr_line *l)
{
    const lr_syslog *s = l->sys;
    if (lr_eq(s->program, "filterlog"))
        return true;
    /* a line without a syslog header (a filter.log read through clog, a
     * relay that kept only the message) */
    if (s->program.n == 0)
        return csv_shape(s->msg, s->msg_len);
    return false;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const lr_syslog *s = l->sys;
    if (!lr_eq(s->program, "filterlog") && !(s->program.n == 0 && csv_shape(s->msg, s->msg_len)))
        return LR_SKIP;
    lr_time_syslog(cx, r, l);
    r->host = s->host;

    lr_str f[MAXF];
    int k = split_csv(s->msg, s->msg_len, f);
    if (k < 9)
        return lr_bad(cx, "too few fields (%d)", k);
    if (!lr_digits(f[0].p, f[0].n))
        return lr_bad(cx, "no rule number");
    r->fw.rule = f[3].n ? f[3] : f[0];
    r->fw.reason = f[5];
    if (lr_eq(f[6], "pass"))
        r->fw.action = "allowed";
    else if (lr_eq(f[6], "block") || lr_eq(f[6], "reject"))
        r->fw.action = "blocked";
    if (lr_eq(f[7], "out"))
        r->fw.out_iface = f[4];
    else
        r->fw.in_iface = f[4];

    int i;                      /* index of the protocol id */
    lr_str ptext;
    int len_i;
    if (lr_eq(f[8], "4")) {
        i = 15;
        ptext = f[16];
        len_i = 17;
    } else if (lr_eq(f[8], "6")) {
        i = 13;
        ptext = f[12];
        len_i = 14;
    } else {
        return lr_bad(cx, "IP version is not 4 or 6");
    }
    if (k < len_i + 3)
        return lr_bad(cx, "too few fields for IPv%.*s (%d)", (int)f[8].n, f[8].p, k);
    lr_str sa = f[len_i + 1], da = f[len_i + 2];
    if (!lr_ip(sa.p, sa.n, &r->src_ip))
        return lr_bad(cx, "bad source address");
    if (!lr_ip(da.p, da.n, &r->dest_ip))
        return lr_bad(cx, "bad destination address");
    if ((r->src_ip.v == 4) != lr_eq(f[8], "4") || (r->dest_ip.v == 4) != lr_eq(f[8], "4"))
        return lr_bad(cx, "address of the wrong IP version");

    int64_t pid = -1;
    if (!lr_num(f[i].p, f[i].n, &pid) || pid > 255)
        pid = -1;
    r->proto = pid >= 0 ? lr_proto(f[i].p, f[i].n) : NULL;
    if (!r->proto && ptext.n)
        r->proto = lr_proto(ptext.p, ptext.n);
    if (!r->proto) {
        if (ptext.n)
            r->proto_text = ptext;
        else if (pid >= 0)
            r->proto_text = f[i];
    }
    int64_t len;
    if (lr_num(f[len_i].p, f[len_i].n, &len)) {
        r->fw.bytes = len;
        r->fw.packets = 1;
    }
    if (pid == 6 || pid == 17) {
        int pi = len_i + 3;
        if (k < pi + 2)
            return lr_bad(cx, "no ports for TCP/UDP");
        if (!lr_port(f[pi].p, f[pi].n, &r->src_port))
            return lr_bad(cx, "bad source port");
        if (!lr_port(f[pi + 1].p, f[pi + 1].n, &r->dest_port))
            return lr_bad(cx, "bad destination port");
    }
    return LR_OK;
}

const mm_logfmt lf_filterlog = {
    .name = "filterlog",
    .event_type = "firewall",
    .what = "pf filter log of pfSense / OPNsense (filterlog CSV, BSD syslog or RFC 5424)",
    .example = "Sep 28 10:38:24 pfSense filterlog: 53,,,1000102631,em0,match,block,in,4,0x0,,64,"
               "600,0,none,6,tcp,44,10.0.2.2,10.0.2.15,53792,22,0,S,31552001,,65535,,mss",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
