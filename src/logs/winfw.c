/*
 * winfw.c - Windows Firewall (Windows Defender Firewall with Advanced
 * Security) log, %systemroot%\system32\LogFiles\Firewall\pfirewall.log:
 *
 *   #Version: 1.5
 *   #Software: Microsoft Windows Firewall
 *   #Time Format: Local
 *   #Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags
 *            tcpsyn tcpack tcpwin icmptype icmpcode info path
 *
 *   2024-03-03 10:00:00 DROP TCP 198.51.100.7 192.0.2.10 40000 445 52 S 1234 0 8192 - - - RECEIVE
 *
 * A W3C-style file (Microsoft Learn, "Configure Windows Firewall logging";
 * the fields are the #Fields line's, space separated, "-" for none; Windows
 * 10 and later add a "pid" field at the end). action is ALLOW or DROP;
 * Windows XP's firewall wrote OPEN, OPEN-INBOUND and CLOSE for the
 * connections it let through (allowed too) and INFO-EVENTS-LOST, which is
 * not a packet (skipped). path is SEND, RECEIVE or FORWARD: the direction,
 * which has no place in the record. Times are local ("#Time Format:
 * Local"): the reading's zone.
 *
 * The #Fields order is kept in the format's state (a fixed table, allocated
 * once) so that a file whose header lists the fields in another order, or
 * with more of them, is read by name; before any #Fields line the
 * documented default order is used. size is the packet's size: the bytes
 * of one packet. There is no interface or rule in the log.
 */
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

enum { F_DATE, F_TIME, F_ACTION, F_PROTO, F_SRC, F_DST, F_SPORT, F_DPORT, F_SIZE, F_N };
static const char *const names[F_N] = {"date",   "time",     "action",   "protocol", "src-ip",
                                       "dst-ip", "src-port", "dst-port", "size"};

#define MAXCOL 32

typedef struct wf_state {
    int8_t col[F_N];             /* column of each field, -1 absent */
    bool have_fields;
} wf_state;

static void default_order(wf_state *s)
{
    /* date time action protocol src-ip dst-ip src-port dst-port size tcpflags
     * tcpsyn tcpack tcpwin icmptype icmpcode info path */
    static const int8_t d[F_N] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    memcpy(s->col, d, sizeof d);
}

static wf_state *state_of(mm_logctx *cx)
{
    void **st = lr_state(cx);
    if (!*st) {
        wf_state *s = calloc(1, sizeof *s);
        if (!s)
            return NULL;
        default_order(s);
        *st = s;
    }
    return *st;
}

static void free_state(void *st)
{
    free(st);
}

/* "YYYY-MM-DD hh:mm:ss ACTION " at the start of a line */
static bool data_line(const char *p, size_t n)
{
    if (n < 25 || !lr_shape(p, p + n, "dddd-dd-dd dd:dd:dd "))
        return false;
    return lr_starts(p + 20, n - 20, "ALLOW ") || lr_starts(p + 20, n - 20, "DROP ") ||
           lr_starts(p + 20, n - 20, "OPEN") || lr_starts(p + 20, n - 20, "CLOSE ") ||
           lr_starts(p + 20, n - 20, "INFO-EVENTS-LOST");
}

static bool probe(const lr_line *l)
{
    if (lr_starts(l->p, l->n, "#Software: Microsoft Windows Firewall"))
        return true;
    /* a #Fields line with the firewall's own field names, in any order */
    if (lr_starts(l->p, l->n, "#Fields:") && lr_find(l->p, l->n, " src-ip") &&
        lr_find(l->p, l->n, " dst-ip") && lr_find(l->p, l->n, " action"))
        return true;
    return data_line(l->p, l->n);
}

/* "#Fields: a b c" -> the columns of the fields we read */
static int fields_line(mm_logctx *cx, const lr_line *l)
{
    wf_state *s = state_of(cx);
    if (!s)
        return LR_SKIP;
    for (int i = 0; i < F_N; i++)
        s->col[i] = -1;
    lr_cur c = lr_cur_of(l->p + 8, l->n - 8);
    lr_str w;
    for (int k = 0; k < MAXCOL && lr_word(&c, &w); k++)
        for (int i = 0; i < F_N; i++)
            if (lr_eq(w, names[i]))
                s->col[i] = (int8_t)k;
    s->have_fields = true;
    return LR_SKIP;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    if (l->n && l->p[0] == '#') {
        if (lr_starts(l->p, l->n, "#Fields:"))
            return fields_line(cx, l);
        return LR_SKIP;
    }
    wf_state *s = state_of(cx);
    if (!s)
        return LR_SKIP;
    lr_str v[MAXCOL];
    int k = 0;
    lr_cur c = lr_cur_of(l->p, l->n);
    while (k < MAXCOL && lr_word(&c, &v[k]))
        k++;
    if (k == 0)
        return LR_SKIP;
#define COL(i) (s->col[i] >= 0 && s->col[i] < k ? v[s->col[i]] : (lr_str){0})
#define SET(x) ((x).n && !lr_eq((x), "-"))
    lr_str act = COL(F_ACTION);
    if (lr_eq(act, "INFO-EVENTS-LOST"))
        return LR_SKIP;
    if (lr_eq(act, "DROP"))
        r->fw.action = "blocked";
    else if (lr_eq(act, "ALLOW") || lr_eq(act, "OPEN") || lr_eq(act, "OPEN-INBOUND") ||
             lr_eq(act, "CLOSE"))
        r->fw.action = "allowed";
    else
        return lr_bad(cx, "no ALLOW, DROP, OPEN or CLOSE action");

    lr_str d = COL(F_DATE), t = COL(F_TIME);
    if (d.n == 10 && t.n >= 8 && d.p[4] == '-' && d.p[7] == '-' && t.p[2] == ':' &&
        t.p[5] == ':') {
        int64_t y, mo, da, hh, mi, ss;
        if (lr_num(d.p, 4, &y) && lr_num(d.p + 5, 2, &mo) && lr_num(d.p + 8, 2, &da) &&
            lr_num(t.p, 2, &hh) && lr_num(t.p + 3, 2, &mi) && lr_num(t.p + 6, 2, &ss) &&
            hh < 24 && mi < 60 && ss <= 60)
            lr_set_time(cx, r, (int)y, (int)mo, (int)da, (int)hh, (int)mi, (int)ss, 0, false, 0);
    }
    if (!r->has_ts)
        return lr_bad(cx, "no date and time");

    lr_str x = COL(F_SRC);
    if (!lr_ip(x.p, x.n, &r->src_ip))
        return lr_bad(cx, "bad src-ip");
    x = COL(F_DST);
    if (!lr_ip(x.p, x.n, &r->dest_ip))
        return lr_bad(cx, "bad dst-ip");
    x = COL(F_PROTO);
    if (SET(x)) {
        r->proto = lr_proto(x.p, x.n);
        if (!r->proto)
            r->proto_text = x;
    }
    x = COL(F_SPORT);
    if (SET(x) && !lr_port(x.p, x.n, &r->src_port))
        return lr_bad(cx, "bad src-port");
    x = COL(F_DPORT);
    if (SET(x) && !lr_port(x.p, x.n, &r->dest_port))
        return lr_bad(cx, "bad dst-port");
    x = COL(F_SIZE);
    int64_t sz;
    if (SET(x) && lr_num(x.p, x.n, &sz)) {
        r->fw.bytes = sz;
        r->fw.packets = 1;
    }
#undef COL
#undef SET
    return LR_OK;
}

const mm_logfmt lf_winfw = {
    .name = "winfw",
    .event_type = "firewall",
    .what = "Windows Firewall log (pfirewall.log, W3C #Fields)",
    .example = "2024-03-03 10:00:00 DROP TCP 198.51.100.7 192.0.2.10 40000 445 52 S 1234 0 8192 "
               "- - - RECEIVE",
    .syslog = false,
    .probe = probe,
    .parse = parse,
    .free_state = free_state,
};
