/*
 * netfilter.c - Linux netfilter LOG / NFLOG lines (iptables, nftables,
 * firewalld, ufw, ulogd's LOGEMU, Proxmox's pve-firewall log).
 *
 *   Jun  8 14:34:33 gw kernel: [5002.08] IPTABLES-DROP: IN=eth0 OUT= MAC=...
 *     SRC=195.54.160.107 DST=51.15.166.67 LEN=40 ... PROTO=TCP SPT=8080 DPT=8123 ...
 *
 * The kernel writes KEY=value pairs after the administrator's prefix (up to
 * 29 characters, anything); IPv6 lines have the same keys. The prefix is
 * the record's rule; its words say the action when they can (DROP, REJECT,
 * BLOCK, DENY: blocked; ACCEPT, ALLOW, PASS: allowed), else none is given.
 * LEN= is the IP packet's length: one packet of that many bytes.
 *
 * Proxmox's firewall log has no syslog header but its own:
 *   "VMID LEVEL CHAIN DD/Mon/YYYY:HH:MM:SS +ZZZZ [policy] ACTION: IN=..."
 */
#include <string.h>

#include <stddef.h>

#include "logs/logs.h"

/* The first "KEY=" that starts a word (at the start or after a space), by
 * the '=' signs (memchr), which are few: cheaper than a substring search on
 * every line of a syslog file. */
static const char *key_at(const char *m, size_t n, const char *key, size_t k)
{
    const char *p = m, *e = m + n;
    while (p < e) {
        const char *q = memchr(p, '=', (size_t)(e - p));
        if (!q)
            return NULL;
        const char *s = q - k;
        if (q - m >= (ptrdiff_t)k && memcmp(s, key, k) == 0 && (s == m || s[-1] == ' '))
            return s;
        p = q + 1;
    }
    return NULL;
}

static const char *kv_start(const char *m, size_t n)
{
    return key_at(m, n, "IN", 2);
}

static bool probe(const lr_line *l)
{
    const char *m = l->sys->msg;
    size_t n = l->sys->msg_len;
    /* IN=, then SRC= and DST= after it */
    const char *in = kv_start(m, n);
    if (!in)
        return false;
    const char *src = key_at(in, (size_t)(m + n - in), "SRC", 3);
    return src && key_at(src, (size_t)(m + n - src), "DST", 3) != NULL;
}

static bool letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The action the prefix's words say: a word (a run of letters, any case) of
 * the blocking kind anywhere wins over one of the allowing kind. */
static const char *action_of(const char *p, size_t n)
{
    static const char *const blocked[] = {"drop",  "dropped", "reject", "block",
                                          "blocked", "deny",  "denied"};
    static const char *const allowed[] = {"accept", "accepted", "allow", "allowed", "pass"};
    bool allow = false;
    for (size_t i = 0; i < n;) {
        if (!letter(p[i])) {
            i++;
            continue;
        }
        size_t k = i;
        while (k < n && letter(p[k]))
            k++;
        lr_str w = lr_s(p + i, k - i);
        for (size_t j = 0; j < sizeof blocked / sizeof *blocked; j++)
            if (lr_eqi(w, blocked[j]))
                return "blocked";
        for (size_t j = 0; j < sizeof allowed / sizeof *allowed && !allow; j++)
            allow = lr_eqi(w, allowed[j]);
        i = k;
    }
    return allow ? "allowed" : NULL;
}

/* Proxmox: "0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: IN=" */
static bool proxmox_time(mm_logctx *cx, mm_logrec *r, const char *p, const char *e,
                         const char **after)
{
    lr_cur c = lr_cur_of(p, (size_t)(e - p));
    lr_str w[5];
    for (int i = 0; i < 5; i++)
        if (!lr_word(&c, &w[i]))
            return false;
    int64_t v;
    if (!lr_num(w[0].p, w[0].n, &v) || !lr_num(w[1].p, w[1].n, &v))
        return false;
    const char *d = w[3].p;
    if (w[3].n != 20 || d[2] != '/' || d[6] != '/' || d[11] != ':' || w[4].n != 5)
        return false;
    int mon = lr_month(d + 3);
    int64_t day, year, hh, mm, ss, zh, zm;
    if (!mon || !lr_num(d, 2, &day) || !lr_num(d + 7, 4, &year) || !lr_num(d + 12, 2, &hh) ||
        !lr_num(d + 15, 2, &mm) || !lr_num(d + 18, 2, &ss) || !lr_num(w[4].p + 1, 2, &zh) ||
        !lr_num(w[4].p + 3, 2, &zm) || (w[4].p[0] != '+' && w[4].p[0] != '-'))
        return false;
    int32_t zone = (int32_t)((zh * 3600 + zm * 60) * (w[4].p[0] == '-' ? -1 : 1));
    lr_set_time(cx, r, (int)year, mon, (int)day, (int)hh, (int)mm, (int)ss, 0, true, zone);
    r->fw.in_iface = w[2];       /* the chain, until IN= says the interface */
    *after = c.p;
    return true;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *m = l->sys->msg, *e = m + l->sys->msg_len;
    const char *k = kv_start(m, l->sys->msg_len);
    if (!k)
        return LR_SKIP;
    size_t kn = (size_t)(e - k);
    /* the prefix: after the kernel's "[uptime]", before IN= */
    const char *pre = m;
    if (!lr_time_syslog(cx, r, l)) {
        const char *after;
        if (proxmox_time(cx, r, m, k, &after))
            pre = after;
    }
    if (pre < k && *pre == '[') {
        /* the kernel's uptime "[ 1234.567890]", not a prefix in brackets */
        const char *b = pre + 1;
        while (b < k && (*b == ' ' || *b == '.' || (*b >= '0' && *b <= '9')))
            b++;
        if (b < k && *b == ']')
            pre = b + 1;
    }
    while (pre < k && *pre == ' ')
        pre++;
    const char *pe = k;
    while (pe > pre && (pe[-1] == ' ' || pe[-1] == ':'))
        pe--;
    if (pe > pre)
        r->fw.rule = lr_s(pre, (size_t)(pe - pre));
    r->fw.action = action_of(pre, (size_t)(pe - pre));
    r->host = l->sys->host;

    /* the KEY=value words in one pass; the first LEN= is the IP length */
    lr_str in = {0}, out = {0}, src = {0}, dst = {0}, proto = {0}, spt = {0}, dpt = {0},
           len = {0};
    bool got_in = false;
    lr_cur c = lr_cur_of(k, kn);
    lr_str w;
    while (lr_word(&c, &w)) {
        const char *eq = memchr(w.p, '=', w.n);
        if (!eq)
            continue;
        size_t kl = (size_t)(eq - w.p);
        lr_str v = lr_s(eq + 1, w.n - kl - 1);
        switch (kl) {
        case 2:
            if (w.p[0] == 'I' && w.p[1] == 'N' && !got_in) {
                in = v;
                got_in = true;
            }
            break;
        case 3:
            if (memcmp(w.p, "OUT", 3) == 0 && !out.p)
                out = v;
            else if (memcmp(w.p, "SRC", 3) == 0 && !src.p)
                src = v;
            else if (memcmp(w.p, "DST", 3) == 0 && !dst.p)
                dst = v;
            else if (memcmp(w.p, "SPT", 3) == 0 && !spt.p)
                spt = v;
            else if (memcmp(w.p, "DPT", 3) == 0 && !dpt.p)
                dpt = v;
            else if (memcmp(w.p, "LEN", 3) == 0 && !len.p)
                len = v;
            break;
        case 5:
            if (memcmp(w.p, "PROTO", 5) == 0 && !proto.p)
                proto = v;
            break;
        default:
            break;
        }
    }
    if (in.n)
        r->fw.in_iface = in;
    else if (r->fw.in_iface.n)
        r->fw.in_iface = (lr_str){0};
    if (out.n)
        r->fw.out_iface = out;
    if (!src.p || !lr_ip(src.p, src.n, &r->src_ip))
        return lr_bad(cx, "no source address (SRC=)");
    if (!dst.p || !lr_ip(dst.p, dst.n, &r->dest_ip))
        return lr_bad(cx, "no destination address (DST=)");
    if (proto.p) {
        r->proto = lr_proto(proto.p, proto.n);
        if (!r->proto)
            r->proto_text = proto;
    }
    if (spt.p && !lr_port(spt.p, spt.n, &r->src_port))
        return lr_bad(cx, "bad source port (SPT=)");
    if (dpt.p && !lr_port(dpt.p, dpt.n, &r->dest_port))
        return lr_bad(cx, "bad destination port (DPT=)");
    int64_t bytes;
    if (len.p && lr_num(len.p, len.n, &bytes)) {
        r->fw.bytes = bytes;
        r->fw.packets = 1;
    }
    return LR_OK;
}

const mm_logfmt lf_netfilter = {
    .name = "netfilter",
    .event_type = "firewall",
    .what = "Linux netfilter LOG/NFLOG (iptables, nftables, firewalld, ufw, Proxmox)",
    .example = "Jun  8 14:34:33 gw kernel: [50028442.088484] DROP: IN=eth0 OUT= "
               "SRC=195.54.160.107 DST=51.15.166.67 LEN=40 PROTO=TCP SPT=8080 DPT=23",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
