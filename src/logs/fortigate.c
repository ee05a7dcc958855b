/*
 * fortigate.c - FortiGate (FortiOS) traffic logs: key=value pairs sent by
 * syslog, with or without a syslog header ("<189>date=2020-04-23 ...").
 *
 *   date=2020-04-23 time=12:11:51 devname="fw1" devid="FG100E..." logid="0000000013"
 *   type="traffic" subtype="forward" level="notice" vd="root" tz="-0500"
 *   srcip=10.1.100.11 srcport=60446 srcintf="port12" dstip=172.16.200.55 dstport=80
 *   dstintf="port11" proto=6 action="close" policyid=4 sentbyte=412 rcvdbyte=2286
 *   sentpkt=6 rcvdpkt=6 ...
 *
 * Fields are described in Fortinet's "FortiOS Log Message Reference"
 * (docs.fortinet.com, e.g. message 13 LOG_ID_TRAFFIC_END_FORWARD, 3
 * LOG_ID_TRAFFIC_DENY). Values are bare or in double quotes. Only
 * type="traffic" lines are records; UTM, event and other types are skipped.
 *
 * action is "the status of the session": deny is a session the policy
 * blocked; accept, start, close, timeout, client-rst and server-rst are
 * sessions the policy allowed (how they ended); dns ("DNS query return
 * error") and ip-conn ("failed connection attempts") are allowed sessions
 * that failed (FortiOS 6.x: "All Others = allowed by Firewall Policy and
 * the status indicates how it was closed"). The word itself goes in
 * firewall.reason. policyid is the rule, srcintf/dstintf the interfaces,
 * sentbyte+rcvdbyte the bytes and sentpkt+rcvdpkt the packets of the
 * session. The time is date= time= with tz= when given (else the reading's
 * zone), else eventtime= (epoch s/ms/us/ns), else the syslog header's.
 *
 * The line is read once, pair by pair (a quoted value may hold spaces,
 * "key=" text and backslash escapes), so a msg="... srcip=..." cannot be
 * taken for a field.
 */
#include <string.h>

#include "logs/logs.h"

enum {
    K_DATE, K_TIME, K_TZ, K_EVENTTIME, K_TYPE, K_DEVNAME, K_SRCIP, K_SRCPORT, K_DSTIP,
    K_DSTPORT, K_SRCINTF, K_DSTINTF, K_PROTO, K_ACTION, K_POLICYID, K_SENTBYTE, K_RCVDBYTE,
    K_SENTPKT, K_RCVDPKT, K_LOGID, K_N
};
static const char *const keys[K_N] = {
    "date",    "time",    "tz",      "eventtime", "type",     "devname",  "srcip",
    "srcport", "dstip",   "dstport", "srcintf",   "dstintf",  "proto",    "action",
    "policyid", "sentbyte", "rcvdbyte", "sentpkt", "rcvdpkt", "logid",
};

static bool keych(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* Reads the pairs of p..p+n into v (by key); returns the number of pairs. */
static unsigned pairs(const char *p, size_t n, lr_str *v)
{
    const char *e = p + n;
    unsigned count = 0;
    while (p < e) {
        while (p < e && (*p == ' ' || *p == '\t' || *p == ','))
            p++;
        const char *k = p;
        while (p < e && keych(*p))
            p++;
        if (p >= e || *p != '=' || p == k) {
            /* not a pair: skip the word */
            while (p < e && *p != ' ' && *p != '\t')
                p++;
            continue;
        }
        size_t kn = (size_t)(p - k);
        p++;
        const char *vs, *ve;
        if (p < e && *p == '"') {
            vs = ++p;
            while (p < e && *p != '"') {
                if (*p == '\\' && p + 1 < e)
                    p++;
                p++;
            }
            ve = p;
            if (p < e)
                p++;
        } else {
            vs = p;
            while (p < e && *p != ' ' && *p != '\t')
                p++;
            ve = p;
        }
        count++;
        for (int i = 0; i < K_N; i++)
            if (strlen(keys[i]) == kn && memcmp(keys[i], k, kn) == 0) {
                if (!v[i].p)
                    v[i] = lr_s(vs, (size_t)(ve - vs));
                break;
            }
    }
    return count;
}

static bool probe(const lr_line *l)
{
    const char *m = l->sys->msg;
    size_t n = l->sys->msg_len > 600 ? 600 : l->sys->msg_len;
    const char *id = lr_find(m, n, "logid=");
    if (!id || (id != m && id[-1] != ' '))
        return false;
    return lr_find(m, n, " type=") && lr_find(m, n, " subtype=");
}

static bool num2(const char *p, int *v)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return false;
    *v = (p[0] - '0') * 10 + (p[1] - '0');
    return true;
}

/* date=YYYY-MM-DD time=HH:MM:SS [tz="+HHMM"] */
static bool date_time(mm_logctx *cx, mm_logrec *r, lr_str d, lr_str t, lr_str z)
{
    int y1, y2, mo, da, hh, mi, ss = 0;
    if (d.n != 10 || d.p[4] != '-' || d.p[7] != '-' || !num2(d.p, &y1) || !num2(d.p + 2, &y2) ||
        !num2(d.p + 5, &mo) || !num2(d.p + 8, &da))
        return false;
    if (t.n < 5 || t.p[2] != ':' || !num2(t.p, &hh) || !num2(t.p + 3, &mi))
        return false;
    if (t.n >= 8 && (t.p[5] != ':' || !num2(t.p + 6, &ss)))
        return false;
    if (hh > 23 || mi > 59 || ss > 60)
        return false;
    bool has_zone = false;
    int32_t zone = 0;
    if (z.n == 5 && (z.p[0] == '+' || z.p[0] == '-')) {
        int zh, zm;
        if (num2(z.p + 1, &zh) && num2(z.p + 3, &zm) && zh <= 14 && zm <= 59) {
            has_zone = true;
            zone = (int32_t)((zh * 3600 + zm * 60) * (z.p[0] == '-' ? -1 : 1));
        }
    }
    lr_set_time(cx, r, y1 * 100 + y2, mo, da, hh, mi, ss, 0, has_zone, zone);
    return r->has_ts;
}

/* eventtime: seconds, or milli-, micro-, nanoseconds since the epoch */
static bool event_time(mm_logrec *r, lr_str v)
{
    int64_t t;
    if (!lr_num(v.p, v.n, &t) || t == 0)
        return false;
    int64_t us;
    if (v.n <= 10)
        us = t * 1000000;
    else if (v.n <= 13)
        us = t * 1000;
    else if (v.n <= 16)
        us = t;
    else
        us = t / 1000;
    r->ts_us = us;
    r->tzoff = 0;
    r->has_ts = true;
    return true;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *m = l->sys->msg;
    size_t n = l->sys->msg_len;
    lr_str v[K_N];
    memset(v, 0, sizeof v);
    if (pairs(m, n, v) < 3 || !v[K_TYPE].p)
        return LR_SKIP;
    if (!lr_eq(v[K_TYPE], "traffic"))
        return LR_SKIP;

    if (!(v[K_DATE].n && v[K_TIME].n && date_time(cx, r, v[K_DATE], v[K_TIME], v[K_TZ])) &&
        !(v[K_EVENTTIME].n && event_time(r, v[K_EVENTTIME])))
        lr_time_syslog(cx, r, l);
    r->host = v[K_DEVNAME].n ? v[K_DEVNAME] : l->sys->host;

    if (!v[K_SRCIP].n || !lr_ip(v[K_SRCIP].p, v[K_SRCIP].n, &r->src_ip))
        return lr_bad(cx, "no source address (srcip=)");
    if (!v[K_DSTIP].n || !lr_ip(v[K_DSTIP].p, v[K_DSTIP].n, &r->dest_ip))
        return lr_bad(cx, "no destination address (dstip=)");
    if (v[K_SRCPORT].n && !lr_port(v[K_SRCPORT].p, v[K_SRCPORT].n, &r->src_port))
        return lr_bad(cx, "bad source port (srcport=)");
    if (v[K_DSTPORT].n && !lr_port(v[K_DSTPORT].p, v[K_DSTPORT].n, &r->dest_port))
        return lr_bad(cx, "bad destination port (dstport=)");
    if (v[K_PROTO].n) {
        r->proto = lr_proto(v[K_PROTO].p, v[K_PROTO].n);
        if (!r->proto)
            r->proto_text = v[K_PROTO];
    }
    lr_str a = v[K_ACTION];
    if (a.n) {
        r->fw.reason = a;
        if (lr_eq(a, "deny") || lr_eq(a, "block") || lr_eq(a, "blocked") || lr_eq(a, "drop"))
            r->fw.action = "blocked";
        else
            r->fw.action = "allowed";
    }
    r->fw.rule = v[K_POLICYID];
    r->fw.in_iface = v[K_SRCINTF];
    r->fw.out_iface = v[K_DSTINTF];

    int64_t x, y;
    bool hx = v[K_SENTBYTE].n && lr_num(v[K_SENTBYTE].p, v[K_SENTBYTE].n, &x);
    bool hy = v[K_RCVDBYTE].n && lr_num(v[K_RCVDBYTE].p, v[K_RCVDBYTE].n, &y);
    if (hx || hy)
        r->fw.bytes = (hx ? x : 0) + (hy ? y : 0);
    hx = v[K_SENTPKT].n && lr_num(v[K_SENTPKT].p, v[K_SENTPKT].n, &x);
    hy = v[K_RCVDPKT].n && lr_num(v[K_RCVDPKT].p, v[K_RCVDPKT].n, &y);
    if (hx || hy)
        r->fw.packets = (hx ? x : 0) + (hy ? y : 0);
    return LR_OK;
}

const mm_logfmt lf_fortigate = {
    .name = "fortigate",
    .event_type = "firewall",
    .what = "FortiGate (FortiOS) traffic logs, key=value over syslog",
    .example = "date=2019-05-13 time=11:45:04 logid=\"0000000013\" type=\"traffic\" "
               "subtype=\"forward\" srcip=10.1.100.11 srcport=60446 srcintf=\"port12\" "
               "dstip=172.16.200.55 dstport=80 dstintf=\"port11\" proto=6 action=\"close\" "
               "policyid=4 sentbyte=412 rcvdbyte=2286 sentpkt=6 rcvdpkt=6",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
