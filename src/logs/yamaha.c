/*
 * yamaha.c - Yamaha RTX / NVR / FWX router filter logs, as the router sends
 * them by syslog (a priority and the message; the receiving syslogd adds its
 * header) or as "show log" prints them (a "YYYY/MM/DD hh:mm:ss: " in front):
 *
 *   PP[01] Rejected at IN(2000) filter: TCP 198.51.100.9:44444 > 192.0.2.1:23
 *   PP[01] Passed at IN(200099) filter: UDP 198.51.100.53:53 > 192.0.2.1:40000
 *   [INSPECT] LAN2[out][101098] TCP 192.168.100.2:50000 > 203.0.113.5:80 (2024/01/01 10:00:00)
 *
 * A static filter whose type ends in -log ("ip filter N reject-log ...",
 * "pass-log") logs "<interface> {Rejected|Passed} at {IN|OUT}(<filter>)
 * filter: <protocol> <source> > <destination>"; a dynamic filter with
 * syslog=on logs each session it opens as "[INSPECT] <interface>[in|out]
 * [<filter>] <protocol> <source> > <destination> (<session time>)". The
 * interface is LAN1, LAN2, PP[01], TUNNEL[1], ...; an address is followed
 * by ":port" (IPv4) or ".port" (IPv6, and IPv4 on older firmware).
 *
 * Yamaha's own reference for these lines could not be found (the command
 * reference documents the -log filter types, not the text they write); the
 * shapes here are the ones public configurations and parsers of RTX1100,
 * RTX1210 and RTX830 logs show (fluent-plugin-with-extra-fields-parser's
 * README; operators' notes of RTX1210/RTX830 syslog with
 * "TUNNEL[1] Rejected at IN(300) filter: UDP a.b.c.d:67 > a.b.c.d:68",
 * "PP[01] Passed at IN(200099)" and IPv6 "[INSPECT] LAN2[out][31] TCP
 * <v6>.56609 > <v6>.443 (...)"). MAC-address filter lines ("LAN1(port1)
 * Rejected at IN(1) filter: <mac> > <mac> IP") carry no IP addresses and
 * are skipped.
 *
 * The record: Rejected is blocked, Passed and INSPECT (a session the
 * dynamic filter let through) are allowed; the filter number is the rule;
 * the interface is in_iface for IN/in and out_iface for OUT/out. The time
 * is the syslog header's, else the "show log" prefix, else the INSPECT
 * session time, in the reading's zone.
 */
#include <string.h>

#include "logs/logs.h"

/* "YYYY/MM/DD hh:mm:ss" at p..e into the record's time */
static bool ytime(mm_logctx *cx, mm_logrec *r, const char *p, const char *e)
{
    if (!lr_shape(p, e, "dddd/dd/dd dd:dd:dd"))
        return false;
    int hh = lr_num2(p + 11), mi = lr_num2(p + 14), ss = lr_num2(p + 17);
    if (hh > 23 || mi > 59 || ss > 60)
        return false;
    lr_set_time(cx, r, lr_num2(p) * 100 + lr_num2(p + 2), lr_num2(p + 5), lr_num2(p + 8), hh, mi,
                ss, 0, false, 0);
    return r->has_ts;
}

/* An address with an optional port: "a.b.c.d:p", "a.b.c.d.p", "v6.p",
 * "[v6]:p" or a bare address. */
static bool addr_port(lr_str t, mm_ip *ip, int32_t *port)
{
    if (t.n == 0 || t.n > 64)
        return false;
    const char *p = t.p, *e = t.p + t.n;
    if (*p == '[') {
        const char *b = memchr(p, ']', t.n);
        if (!b || !lr_ip(p + 1, (size_t)(b - p - 1), ip))
            return false;
        if (b + 1 < e && b[1] == ':' && !lr_port(b + 2, (size_t)(e - b - 2), port))
            return false;
        return b + 1 == e || b[1] == ':';
    }
    /* the last '.' or ':' before digits only */
    const char *s = e;
    while (s > p && s[-1] >= '0' && s[-1] <= '9')
        s--;
    if (s > p + 1 && s < e && (s[-1] == '.' || s[-1] == ':')) {
        mm_ip t2;
        size_t an = (size_t)(s - 1 - p);
        bool v4 = memchr(p, ':', an) == NULL;
        /* "v4:port", "v4.port" and "v6.port"; "v6:port" is not (a v6
         * address can end in ":digits") */
        if ((s[-1] == '.' || v4) && lr_ip(p, an, &t2)) {
            int32_t pt;
            if (lr_port(s, (size_t)(e - s), &pt)) {
                *ip = t2;
                *port = pt;
                return true;
            }
        }
    }
    return lr_ip(p, t.n, ip);
}

/* "PROTO SRC > DST" at c into the record */
static int flow(mm_logctx *cx, mm_logrec *r, lr_cur *c)
{
    lr_str pr, s, gt, d;
    if (!lr_word(c, &pr) || !lr_word(c, &s) || !lr_word(c, &gt) || !lr_eq(gt, ">") ||
        !lr_word(c, &d))
        return lr_bad(cx, "no 'PROTO SRC > DST'");
    if (!addr_port(s, &r->src_ip, &r->src_port)) {
        /* a MAC filter's line ("aa:bb:cc:dd:ee:ff > ... IP"): not an IP record */
        lr_str mac;
        if (lr_mac(r, s.p, s.n, &mac))
            return LR_SKIP;
        return lr_bad(cx, "bad source address");
    }
    if (!addr_port(d, &r->dest_ip, &r->dest_port))
        return lr_bad(cx, "bad destination address");
    r->proto = lr_proto(pr.p, pr.n);
    if (!r->proto)
        r->proto_text = pr;
    else if (strcmp(r->proto, "TCP") != 0 && strcmp(r->proto, "UDP") != 0)
        r->src_port = r->dest_port = -1;
    return LR_OK;
}

/* "IN(2000) filter:" after "Rejected at " / "Passed at " */
static const char *verdict(const char *m, size_t n, const char **after)
{
    const char *v = lr_find(m, n > 200 ? 200 : n, " Rejected at ");
    if (v) {
        *after = v + 13;
        return "blocked";
    }
    v = lr_find(m, n > 200 ? 200 : n, " Passed at ");
    if (v) {
        *after = v + 11;
        return "allowed";
    }
    return NULL;
}

/* the message after an optional "YYYY/MM/DD hh:mm:ss: " */
static const char *body(const char *m, size_t n)
{
    if (n > 21 && m[4] == '/' && m[10] == ' ' && m[19] == ':' && m[20] == ' ' && lr_digits(m, 1))
        return m + 21;
    return m;
}

static bool probe(const lr_line *l)
{
    const char *m = body(l->sys->msg, l->sys->msg_len);
    size_t n = l->sys->msg_len - (size_t)(m - l->sys->msg);
    if (lr_starts(m, n, "[INSPECT] "))
        return true;
    const char *a;
    if (!verdict(m, n, &a))
        return false;
    size_t rest = n - (size_t)(a - m);
    return (lr_starts(a, rest, "IN(") || lr_starts(a, rest, "OUT(")) &&
           lr_find(a, rest > 40 ? 40 : rest, ") filter: ");
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *m0 = l->sys->msg;
    const char *m = body(m0, l->sys->msg_len);
    const char *e = m0 + l->sys->msg_len;
    size_t n = (size_t)(e - m);
    if (!lr_time_syslog(cx, r, l) && m != m0)
        ytime(cx, r, m0, e);
    r->host = l->sys->host;

    if (lr_starts(m, n, "[INSPECT] ")) {
        lr_cur c = lr_cur_of(m + 10, n - 10);
        lr_str w;
        if (!lr_word(&c, &w))
            return lr_bad(cx, "no interface");
        /* IF[dir][num]: the last two bracketed parts */
        const char *we = w.p + w.n;
        const char *b2 = NULL, *b1 = NULL;
        if (w.n > 4 && we[-1] == ']') {
            for (const char *q = we - 2; q > w.p; q--)
                if (*q == '[') {
                    b2 = q;
                    break;
                }
            if (b2 && b2 > w.p + 1 && b2[-1] == ']')
                for (const char *q = b2 - 2; q > w.p; q--)
                    if (*q == '[') {
                        b1 = q;
                        break;
                    }
        }
        if (!b1 || !b2)
            return lr_bad(cx, "no IF[dir][filter]");
        lr_str ifc = lr_s(w.p, (size_t)(b1 - w.p));
        lr_str dir = lr_s(b1 + 1, (size_t)(b2 - 1 - b1 - 1));
        r->fw.rule = lr_s(b2 + 1, (size_t)(we - 1 - b2 - 1));
        if (lr_eqi(dir, "out"))
            r->fw.out_iface = ifc;
        else if (lr_eqi(dir, "in"))
            r->fw.in_iface = ifc;
        else
            return lr_bad(cx, "direction is not in or out");
        r->fw.action = "allowed";
        int rc = flow(cx, r, &c);
        if (rc != LR_OK)
            return rc;
        if (!r->has_ts) {
            const char *o = memchr(c.p, '(', (size_t)(e - c.p));
            if (o)
                ytime(cx, r, o + 1, e);
        }
        return LR_OK;
    }

    const char *a;
    const char *act = verdict(m, n, &a);
    if (!act)
        return LR_SKIP;
    lr_str ifc = lr_s(m, (size_t)(a - m) - (act[0] == 'b' ? 13 : 11));
    bool in = lr_starts(a, (size_t)(e - a), "IN(");
    if (!in && !lr_starts(a, (size_t)(e - a), "OUT("))
        return LR_SKIP;
    const char *o = a + (in ? 3 : 4);
    const char *cp = memchr(o, ')', (size_t)(e - o) > 40 ? 40 : (size_t)(e - o));
    if (!cp || !lr_starts(cp, (size_t)(e - cp), ") filter: "))
        return LR_SKIP;
    r->fw.rule = lr_s(o, (size_t)(cp - o));
    r->fw.action = act;
    if (in)
        r->fw.in_iface = ifc;
    else
        r->fw.out_iface = ifc;
    const char *f = cp + 10;
    lr_cur c = lr_cur_of(f, (size_t)(e - f));
    return flow(cx, r, &c);
}

const mm_logfmt lf_yamaha = {
    .name = "yamaha",
    .event_type = "firewall",
    .what = "Yamaha RTX router filter logs (Rejected/Passed at ... filter, [INSPECT])",
    .example = "PP[01] Rejected at IN(2000) filter: TCP 198.51.100.9:44444 > 192.0.2.1:23",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
