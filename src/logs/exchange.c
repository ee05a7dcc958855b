/*
 * exchange.c - Microsoft Exchange Server message tracking logs (MSGTRK*.LOG).
 *
 *   #Software: Microsoft Exchange Server
 *   #Log-type: Message Tracking Log
 *   #Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,
 *            connector-id,source,event-id,internal-message-id,message-id,...
 *   2023-05-02T10:00:01.123Z,198.51.100.7,mail.example.net,10.0.0.5,EX01,08DB...,EX01\Default
 *            Frontend EX01,SMTP,RECEIVE,4123456789,<id@example.net>,...
 *
 * Microsoft's "Message tracking in Exchange Server": a CSV file (values with
 * commas or quotes in double quotes, "" for a quote) with a header of '#'
 * lines, "#Fields:" naming the columns; date-time is UTC in ISO 8601
 * ("2023-05-02T10:00:01.123Z"); recipient-address holds the recipients
 * separated by ';'. The columns are taken from the file's #Fields line
 * (kept in the format's state), else in the order of Exchange 2013 to 2019
 * (Exchange 2010 lacks network-message-id and writes its own #Fields).
 *
 * One record per line of a message event that moves or ends a message:
 * RECEIVE, SEND, DELIVER, FAIL, DEFER, DSN, DROP, BADMAIL, POISONMESSAGE,
 * DELIVERFAIL, SUBMITFAIL, RESUBMITFAIL (the shadow-redundancy, agent,
 * expansion, resolution and submission bookkeeping events -- HARECEIVE,
 * AGENTINFO, EXPAND, RESOLVE, SUBMIT, NOTIFYMAPI ... -- are skipped).
 * event_type "mail"; email {status the event-id as Exchange writes it,
 * from the sender-address (the header's Sender: or From:), to[] the
 * recipients, subject, message_id (without <>), size total-bytes, queue_id
 * the internal-message-id, relay the other side (server-hostname of a SEND,
 * client-hostname of a RECEIVE)}; src_ip client-ip and dest_ip server-ip
 * (who connected to whom). '#' lines are skipped; a line without a valid
 * date-time or event-id is malformed.
 */
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

enum {
    C_TIME, C_CIP, C_CHOST, C_SIP, C_SHOST, C_EVENT, C_IMID, C_MID, C_RCPT, C_BYTES, C_SUBJ,
    C_SENDER, C_N
};
static const char *const names[C_N] = {
    "date-time", "client-ip", "client-hostname", "server-ip", "server-hostname", "event-id",
    "internal-message-id", "message-id", "recipient-address", "total-bytes", "message-subject",
    "sender-address",
};
/* Exchange 2013-2019: date-time,client-ip,client-hostname,server-ip,server-hostname,
 * source-context,connector-id,source,event-id,internal-message-id,message-id,
 * network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,
 * related-recipient-address,reference,message-subject,sender-address,... */
static const int8_t default_cols[C_N] = {0, 1, 2, 3, 4, 8, 9, 10, 12, 14, 18, 19};

#define MAXF 48

typedef struct xstate {
    bool have;
    int8_t col[C_N];
} xstate;

static const char *const events[] = {
    "RECEIVE", "SEND", "DELIVER", "FAIL", "DEFER", "DSN", "DROP", "BADMAIL", "POISONMESSAGE",
    "DELIVERFAIL", "SUBMITFAIL", "RESUBMITFAIL",
};
static const char *const other_events[] = {
    "AGENTINFO", "CLIENTSUBMISSION", "DUPLICATEDELIVER", "DUPLICATEEXPAND", "DUPLICATEREDIRECT",
    "EXPAND", "HADISCARD", "HARECEIVE", "HAREDIRECT", "HAREDIRECTFAIL", "INITMESSAGECREATED",
    "LOAD", "MODERATIONEXPIRE", "MODERATORAPPROVE", "MODERATORREJECT", "MODERATORSALLNDR",
    "NOTIFYMAPI", "NOTIFYSHADOW", "PROCESS", "PROCESSMEETINGMESSAGE", "REDIRECT", "RESOLVE",
    "RESUBMIT", "RESUBMITDEFER", "SUBMIT", "SUBMITDEFER", "SUPPRESSED", "THROTTLE", "TRANSFER",
};

/* A value's text, "" undone into the record's scratch area when esc. */
static lr_str text(mm_logrec *r, lr_str v, bool esc)
{
    if (!esc)
        return v;
    char b[LR_SCRATCH];
    size_t n = 0;
    for (uint32_t i = 0; i < v.n && n < sizeof b; i++) {
        b[n++] = v.p[i];
        if (v.p[i] == '"' && i + 1 < v.n && v.p[i + 1] == '"')
            i++;
    }
    const char *k = lr_keep(r, b, n);
    return k ? lr_s(k, n) : v;
}

static bool iso_time(const char *p, size_t n)
{
    return n >= 19 && p[4] == '-' && p[7] == '-' && p[10] == 'T' && p[13] == ':' && p[16] == ':';
}

static bool probe(const lr_line *l)
{
    if (lr_starts(l->p, l->n, "#Software: Microsoft Exchange Server") ||
        lr_starts(l->p, l->n, "#Log-type: Message Tracking Log") ||
        lr_starts(l->p, l->n, "#Fields: date-time,client-ip,client-hostname,server-ip"))
        return true;
    if (!iso_time(l->p, l->n))
        return false;
    /* a data line: the event-id as a whole field */
    const char *p = l->p, *e = l->p + l->n;
    for (const char *s = p; s < e;) {
        const char *c = memchr(s, ',', (size_t)(e - s));
        if (!c)
            return false;
        const char *d = c + 1, *z = d;
        while (z < e && *z >= 'A' && *z <= 'Z')
            z++;
        if (z > d && z < e && *z == ',') {
            lr_str w = lr_s(d, (size_t)(z - d));
            if (lr_eq_any(w, events, sizeof events / sizeof events[0]) ||
                lr_eq_any(w, other_events, sizeof other_events / sizeof other_events[0]))
                return true;
        }
        s = c + 1;
    }
    return false;
}

static void free_state(void *st)
{
    free(st);
}

static xstate *state_of(mm_logctx *cx)
{
    void **st = lr_state(cx);
    if (!*st)
        *st = calloc(1, sizeof(xstate));
    return *st;
}

/* "#Fields: a,b,c": where each known column is */
static void fields_line(xstate *s, const char *p, const char *e)
{
    for (int i = 0; i < C_N; i++)
        s->col[i] = -1;
    int k = 0;
    while (p < e && k < MAXF) {
        while (p < e && *p == ' ')
            p++;
        const char *a = p;
        while (p < e && *p != ',')
            p++;
        const char *z = p;
        while (z > a && (z[-1] == ' ' || z[-1] == '\r'))
            z--;
        lr_str w = lr_s(a, (size_t)(z - a));
        for (int i = 0; i < C_N; i++)
            if (lr_eqi(w, names[i]))
                s->col[i] = (int8_t)k;
        k++;
        if (p < e)
            p++;
    }
    s->have = true;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *p = l->p, *e = l->p + l->n;
    while (e > p && (e[-1] == '\r' || e[-1] == ' '))
        e--;
    xstate *s = state_of(cx);
    if (p < e && *p == '#') {
        if (s && lr_starts(p, (size_t)(e - p), "#Fields:"))
            fields_line(s, p + 8, e);
        return LR_SKIP;
    }
    if (p == e)
        return LR_SKIP;
    const int8_t *col = s && s->have ? s->col : default_cols;
    lr_str f[MAXF + 1];
    bool esc[MAXF + 1];
    int n = lr_csv(p, e, f, esc, MAXF);
    f[n] = lr_s(NULL, 0);          /* the value of a column the line lacks */
    esc[n] = false;
#define COL(c) (col[c] >= 0 && col[c] < n ? col[c] : n)
    lr_str t = f[COL(C_TIME)], ev = f[COL(C_EVENT)];
    if (!iso_time(t.p, t.n))
        return lr_bad(cx, "Exchange tracking line without its date-time");
    lr_tm tm;
    if (!lr_iso_time(t.p, t.p + t.n, 'T', &tm))
        return lr_bad(cx, "Exchange tracking line with a bad date-time");
    if (!ev.n)
        return lr_bad(cx, "Exchange tracking line without its event-id");
    if (!lr_eq_any(ev, events, sizeof events / sizeof events[0]))
        return LR_SKIP;
    /* UTC ("Z"); a zone is not written by Exchange */
    lr_set_time(cx, r, tm.year, tm.mon, tm.day, tm.hour, tm.min, tm.sec, tm.usec, true, 0);
    r->email.status = ev;

    lr_str x;
    x = f[COL(C_CIP)];
    if (x.n)
        lr_ip(x.p, x.n, &r->src_ip);
    x = f[COL(C_SIP)];
    if (x.n)
        lr_ip(x.p, x.n, &r->dest_ip);
    if (lr_eq(ev, "SEND"))
        r->email.relay = text(r, f[COL(C_SHOST)], esc[COL(C_SHOST)]);
    else if (lr_eq(ev, "RECEIVE"))
        r->email.relay = text(r, f[COL(C_CHOST)], esc[COL(C_CHOST)]);
    x = f[COL(C_IMID)];
    if (x.n)
        r->email.queue_id = x;
    lr_str mid = text(r, f[COL(C_MID)], esc[COL(C_MID)]);
    if (mid.n >= 2 && mid.p[0] == '<' && mid.p[mid.n - 1] == '>') {
        mid.p++;
        mid.n -= 2;
    }
    r->email.message_id = mid;
    r->email.subject = text(r, f[COL(C_SUBJ)], esc[COL(C_SUBJ)]);
    r->email.from = text(r, f[COL(C_SENDER)], esc[COL(C_SENDER)]);
    if (lr_eq(r->email.from, "<>"))
        r->email.from = (lr_str){0};
    x = f[COL(C_BYTES)];
    int64_t v;
    if (x.n && lr_num(x.p, x.n, &v))
        r->email.size = v;
    lr_str rc = text(r, f[COL(C_RCPT)], esc[COL(C_RCPT)]);
    const char *a = rc.p, *re = rc.p ? rc.p + rc.n : NULL;
    while (a && a < re && r->email.n_to < LR_MAX_TO) {
        const char *z = memchr(a, ';', (size_t)(re - a));
        if (!z)
            z = re;
        if (z > a)
            r->email.to[r->email.n_to++] = lr_s(a, (size_t)(z - a));
        a = z + 1;
    }
#undef COL
    return LR_OK;
}

const mm_logfmt lf_exchange = {
    .name = "exchange",
    .event_type = "mail",
    .what = "Microsoft Exchange message tracking log (MSGTRK*.LOG, CSV with #Fields)",
    .example = "2023-05-02T10:00:01.123Z,198.51.100.7,mail.example.net,10.0.0.5,EX01,,EX01\\Default "
               "Frontend EX01,SMTP,RECEIVE,4123456789,<id@example.net>,,clerk@example.com,,20480,1,,,"
               "Invoice,billing@example.net,billing@example.net",
    .syslog = false,
    .probe = probe,
    .parse = parse,
    .free_state = free_state,
};
