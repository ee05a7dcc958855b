/*
 * exim.c - Exim's main log: one record per message, its lines joined by
 * message id; rejected SMTP commands; failed SMTP AUTH.
 *
 *   2002-10-31 08:57:53 16ZCW1-0005MB-00 <= kryten@dwarf.fict.example H=mailer.fict.example
 *       [192.168.123.123] U=exim P=smtp S=5678 id=<incoming message id>
 *   2002-10-31 09:00:10 16ZCW1-0005MB-00 => monk@holistic.fict.example R=dnslookup
 *       T=remote_smtp H=holistic.fict.example [192.168.234.234]
 *   2002-10-31 09:00:11 16ZCW1-0005MB-00 Completed
 *
 * The Exim specification, chapter "Log files": a line is the time
 * ("YYYY-MM-DD HH:MM:SS", ".ddd" with +millisec, a zone with log_timezone,
 * "[pid]" with +pid), the message id (6-6-2 characters before Exim 4.97,
 * 6-11-4 since: "16VDhn-000000001bo-D342"), and a two-character flag: "<="
 * arrival, "(=" fakereject, "=>" delivery, "->" another address of the same
 * delivery, ">>" cutthrough delivery, "*>" delivery suppressed by -N, "**"
 * delivery failed (bounced), "==" delivery deferred; "Completed" when the
 * message leaves the spool. Fields: H=name (helo) [address]:port (only the
 * address in brackets can be relied on), U= user, P= protocol, S= size,
 * id= the Message-ID header, T="subject" (log_selector +subject), R= router,
 * T= transport on deliveries. Written to syslog (program exim or exim4) the
 * lines come behind a syslog header, with or without Exim's own time.
 *
 * The record of a message is given at "Completed" (or at the end of the
 * input): event_type "mail", the time and log.line of its first line,
 * email {from (the envelope sender; "<>", a bounce, leaves it absent), to[]
 * (each delivered, bounced or deferred address once, the original address
 * when Exim gives one in angle brackets), subject, message_id, size, status
 * of the last delivery line ("sent", "bounced", "deferred"), relay (its
 * "host [address]"), queue_id (Exim's message id)}, src_ip / src_port the
 * sending host of the "<=" line.
 *
 * Other records: "H=... [address] F=<sender> rejected RCPT <rcpt>: why"
 * (and rejected MAIL, EHLO/HELO, "rejected after DATA" of a message id): a
 * mail record, status "rejected" ("temporarily rejected", greylisting,
 * is skipped); "NAME authenticator failed for H [address]: 535 ...
 * (set_id=user)": event_type "auth", auth {service "smtp", method the
 * authenticator, user the set_id, result "failure"}. Exim's other lines
 * (connections, queue runs, retry notes) are skipped.
 *
 * State: the table of open messages of mailjoin.c: at most 4096 with 1 KB
 * of strings each, found by a hash of message ids, allocated once at the
 * first Exim line of a message; a full table gives up its oldest message as
 * the record of the line that needs room.
 */
#include <string.h>

#include "logs/mailjoin.h"

/* --- the line's layout --- */

static bool alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* An Exim message id at p: 6-6-2 or 6-11-4; its length or 0. */
static size_t msg_id(const char *p, const char *e)
{
    size_t n = 0;
    while (p + n < e && n < 24 && (alnum(p[n]) || p[n] == '-'))
        n++;
    if (n != 16 && n != 23)
        return 0;
    size_t a = 6, b = n == 16 ? 6 : 11;
    if (p[a] != '-' || p[a + 1 + b] != '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (i != a && i != a + 1 + b && !alnum(p[i]))
            return 0;
    if (p + n < e && p[n] != ' ')
        return 0;
    return n;
}

/* "YYYY-MM-DD HH:MM:SS[.ddd][ +ZZZZ][ [pid]] " at p: sets the time, returns
 * what follows (NULL when p has no such time). */
static const char *exim_time(mm_logctx *cx, mm_logrec *r, const char *p, const char *e)
{
    lr_tm t;
    const char *q = e - p < 20 ? NULL : lr_iso_time(p, e, ' ', &t);
    if (!q)
        return NULL;
    bool has_zone = false;
    int32_t zone = 0;
    if (e - q >= 6 && q[0] == ' ' && (q[1] == '+' || q[1] == '-')) {
        int64_t zh, zm;
        if (lr_num(q + 2, 2, &zh) && lr_num(q + 4, 2, &zm) && (q + 6 == e || q[6] == ' ')) {
            zone = (int32_t)((zh * 3600 + zm * 60) * (q[1] == '-' ? -1 : 1));
            has_zone = true;
            q += 6;
        }
    }
    while (q < e && *q == ' ')
        q++;
    if (q < e && *q == '[') {
        /* +pid: "[1234]" (split lines: "[1/5]") */
        const char *b = memchr(q, ']', (size_t)(e - q));
        if (b && b - q < 24) {
            q = b + 1;
            while (q < e && *q == ' ')
                q++;
        }
    }
    if (r)
        lr_set_time(cx, r, t.year, t.mon, t.day, t.hour, t.min, t.sec, t.usec, has_zone, zone);
    return q;
}

/* " exim[pid]: " or " exim4[pid]: " in the first 100 bytes: what follows */
static const char *tag_after(const char *p, const char *e)
{
    size_t n = (size_t)(e - p) < 100 ? (size_t)(e - p) : 100;
    const char *h = lr_find(p, n, " exim");
    if (!h)
        return NULL;
    const char *q = h + 5;
    if (q < e && *q == '4')
        q++;
    if (q < e && *q == '[') {
        const char *b = memchr(q, ']', (size_t)(e - q));
        if (!b || b - q > 12)
            return NULL;
        q = b + 1;
    }
    if (e - q < 2 || q[0] != ':' || q[1] != ' ')
        return NULL;
    return q + 2;
}

/* The message of the line: after the syslog header when Exim wrote to
 * syslog, after Exim's own time; NULL when the line is not Exim's. */
static const char *exim_body(mm_logctx *cx, mm_logrec *r, const lr_line *l, const char **end,
                             bool *timed)
{
    const char *e = l->p + l->n;
    const char *q = exim_time(cx, r, l->p, e);
    *timed = q != NULL;
    if (q) {
        *end = e;
        return q;
    }
    const lr_syslog *s = l->sys;
    const char *m = s->msg, *me = s->msg + s->msg_len;
    if (!s->ok || !(lr_eq(s->program, "exim") || lr_eq(s->program, "exim4"))) {
        /* a header the syslog reader does not know (Sophos UTM:
         * "2011:03:08-10:29:44 mx3 exim[11721]: ..."): " exim[pid]: " early on */
        m = tag_after(l->p, e);
        if (!m)
            return NULL;
        me = e;
    }
    q = exim_time(cx, r, m, me);
    *timed = q != NULL;
    *end = me;
    return q ? q : m;
}

static const char *after(const char *p, const char *e, const char *t)
{
    return lr_starts(p, (size_t)(e - p), t) ? p + strlen(t) : NULL;
}

static bool probe(const lr_line *l)
{
    const char *e = l->p + l->n, *q;
    if (l->sys->ok && (lr_eq(l->sys->program, "exim") || lr_eq(l->sys->program, "exim4")))
        return true;
    if (!(q = exim_time(NULL, NULL, l->p, e))) {
        const char *m = tag_after(l->p, e);
        return m && exim_time(NULL, NULL, m, e);
    }
    return msg_id(q, e) || after(q, e, "H=") || after(q, e, "SMTP connection from ") ||
           after(q, e, "Start queue run") || after(q, e, "End queue run") ||
           after(q, e, "exim ") ||
           lr_find(q, (size_t)(e - q), " authenticator failed for ");
}

/* --- fields --- */

/* " KEY=" field value (to the next space) in p..e */
static bool field(const char *p, const char *e, const char *key, lr_str *v)
{
    const char *h = lr_find_word(p, (size_t)(e - p), key);
    if (!h)
        return false;
    const char *a = h + strlen(key), *z = a;
    while (z < e && *z != ' ')
        z++;
    *v = lr_s(a, (size_t)(z - a));
    return true;
}

/* H=name (helo) [address]:port: the address (and port), and "name [address]" */
static bool host_field(const char *p, const char *e, mm_ip *ip, int32_t *port, lr_str *name,
                       lr_str *addr)
{
    const char *h = lr_find_word(p, (size_t)(e - p), "H=");
    if (!h)
        return false;
    h += 2;
    if (name)
        *name = (lr_str){0};
    const char *q = h;
    for (int w = 0; w < 6 && q < e; w++) {
        while (q < e && *q == ' ')
            q++;
        if (q >= e)
            break;
        if (*q == '(') {
            const char *c = memchr(q, ')', (size_t)(e - q));
            if (!c)
                return false;
            q = c + 1;
            continue;
        }
        if (*q == '[') {
            const char *c = memchr(q, ']', (size_t)(e - q));
            if (!c || !lr_ip(q + 1, (size_t)(c - q - 1), ip))
                return false;
            if (addr)
                *addr = lr_s(q + 1, (size_t)(c - q - 1));
            *port = -1;
            if (c + 2 < e && c[1] == ':') {
                const char *d = c + 2, *z = d;
                while (z < e && *z >= '0' && *z <= '9')
                    z++;
                lr_port(d, (size_t)(z - d), port);
            }
            return true;
        }
        if (w > 0)
            return false;   /* another field: no address given */
        const char *z = q;
        while (z < e && *z != ' ')
            z++;
        if (name)
            *name = lr_s(q, (size_t)(z - q));
        q = z;
    }
    return false;
}

/* T="subject" with \" escapes */
static bool subject_field(const char *p, const char *e, lr_str *v)
{
    for (const char *s = p; s < e;) {
        const char *f = lr_find(s, (size_t)(e - s), " T=\"");
        if (!f)
            return false;
        const char *a = f + 4;
        for (const char *q = a; q < e; q++) {
            if (*q == '\\' && q + 1 < e) {
                q++;
                continue;
            }
            if (*q == '"') {
                *v = lr_s(a, (size_t)(q - a));
                return true;
            }
        }
        s = f + 1;
    }
    return false;
}

/* --- open messages (mailjoin.c) --- */

/* The message of id, opened when new with the time of t (the table full:
 * the oldest goes, as r unless the line already gave one). */
static mq_msg *open_msg(mq_table *s, const lr_line *l, const mm_logrec *t, const char *q,
                        size_t n, mm_logrec *r, bool *out)
{
    mq_msg *m = mq_find(s, q, n);
    if (m)
        return m;
    m = mq_open(s, q, n, l->lineno, r, true, out);
    if (m)
        mq_set_time(m, t);
    return m;
}

/* --- lines --- */

/* The record's time: the line's, read into t. */
static void time_of(mm_logrec *r, const mm_logrec *t)
{
    if (t->has_ts) {
        r->ts_us = t->ts_us;
        r->tzoff = t->tzoff;
        r->has_ts = true;
    }
}

/* "H=... [addr] F=<s> rejected RCPT <r>: why" and the like */
static int reject_rec(mm_logctx *cx, mm_logrec *r, const char *p, const char *e,
                      const char *rej, const mm_logrec *t)
{
    int32_t port;
    if (!host_field(p, rej, &r->src_ip, &port, NULL, NULL) &&
        !host_field(p, e, &r->src_ip, &port, NULL, NULL)) {
        /* "rejected EHLO from [1.2.3.4]: ..." */
        const char *f = lr_find(rej, (size_t)(e - rej), " from [");
        const char *c = f ? memchr(f + 7, ']', (size_t)(e - f - 7)) : NULL;
        if (!c || !lr_ip(f + 7, (size_t)(c - f - 7), &r->src_ip))
            return lr_bad(cx, "Exim reject without the client's address");
        port = -1;
    }
    r->src_port = port;
    r->event_type = "mail";
    time_of(r, t);
    r->email.status = lr_s("rejected", 8);
    lr_str v;
    if (field(p, e, "F=", &v) && v.n >= 2 && v.p[0] == '<' && v.p[v.n - 1] == '>' && v.n > 2)
        r->email.from = lr_s(v.p + 1, v.n - 2);
    const char *rc = lr_find(rej, (size_t)(e - rej), "rejected RCPT <");
    if (rc) {
        const char *a = rc + 15, *z = a;
        while (z < e && *z != '>')
            z++;
        if (z < e && z > a) {
            r->email.to[0] = lr_s(a, (size_t)(z - a));
            r->email.n_to = 1;
        }
    }
    return LR_OK;
}

/* "NAME authenticator failed for H [addr]:port: 535 ... (set_id=user)" */
static int auth_fail(mm_logctx *cx, mm_logrec *r, const char *p, const char *e, const char *f,
                     const mm_logrec *t)
{
    const char *n = f;
    while (n > p && n[-1] != ' ')
        n--;
    const char *h = f + 25;   /* strlen(" authenticator failed for ") */
    const char *c = memchr(h, '[', (size_t)(e - h));
    const char *b = c ? memchr(c, ']', (size_t)(e - c)) : NULL;
    if (!b || !lr_ip(c + 1, (size_t)(b - c - 1), &r->src_ip))
        return lr_bad(cx, "Exim authenticator failure without the client's address");
    if (b + 2 < e && b[1] == ':') {
        const char *d = b + 2, *z = d;
        while (z < e && *z >= '0' && *z <= '9')
            z++;
        lr_port(d, (size_t)(z - d), &r->src_port);
    }
    r->event_type = "auth";
    time_of(r, t);
    r->auth.service = lr_s("smtp", 4);
    r->auth.result = "failure";
    if (f > n)
        r->auth.method = lr_s(n, (size_t)(f - n));
    const char *u = lr_find(b, (size_t)(e - b), "(set_id=");
    if (u) {
        u += 8;
        const char *z = memchr(u, ')', (size_t)(e - u));
        if (z && z > u)
            r->auth.user = lr_s(u, (size_t)(z - u));
    }
    return LR_OK;
}

/* " rejected RCPT|MAIL|EHLO|HELO|VRFY|after|connection" in p..e (not the
 * "temporarily rejected" of greylisting) */
static const char *rejected(const char *p, const char *e)
{
    static const char *const what[] = {"RCPT ", "MAIL ", "EHLO", "HELO", "VRFY", "after ",
                                       "connection", "by local_scan"};
    for (const char *s = p; s < e;) {
        const char *h = lr_find(s, (size_t)(e - s), "rejected ");
        if (!h)
            return NULL;
        if ((h == p || h[-1] == ' ') && !(h - p >= 12 && memcmp(h - 12, "temporarily ", 12) == 0))
            for (size_t i = 0; i < sizeof what / sizeof what[0]; i++)
                if (lr_starts(h + 9, (size_t)(e - h - 9), what[i]))
                    return h;
        s = h + 1;
    }
    return NULL;
}

static bool is_exim_prog(const lr_line *l)
{
    return l->sys->ok && (lr_eq(l->sys->program, "exim") || lr_eq(l->sys->program, "exim4"));
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    mm_logrec t;
    t.has_ts = false;
    const char *e;
    bool timed;
    const char *p = exim_body(cx, &t, l, &e, &timed);
    if (!p)
        return LR_SKIP;
    if (!timed)
        lr_time_syslog(cx, &t, l);
    while (e > p && (e[-1] == ' ' || e[-1] == '\r'))
        e--;
    if (is_exim_prog(l))
        r->host = l->sys->host;

    size_t idn = msg_id(p, e);
    const char *id = p;
    const char *q = p + idn;
    while (q < e && *q == ' ')
        q++;
    /* the flag after the message id */
    char f0 = 0, f1 = 0;
    if (idn && e - q >= 2 && (q + 2 == e || q[2] == ' ')) {
        f0 = q[0];
        f1 = q[1];
    }
    bool arrival = (f0 == '<' && f1 == '=') || (f0 == '(' && f1 == '=');
    bool deliv = (f0 == '=' && f1 == '>') || (f0 == '-' && f1 == '>') || (f0 == '>' && f1 == '>') ||
                 (f0 == '*' && f1 == '>');
    bool bounce = f0 == '*' && f1 == '*';
    bool defer = f0 == '=' && f1 == '=';
    bool flagged = arrival || deliv || bounce || defer;

    if (!flagged) {
        const char *af = lr_find(p, (size_t)(e - p), " authenticator failed for ");
        if (af)
            return auth_fail(cx, r, p, e, af, &t);
    }
    const char *rej = flagged ? NULL : rejected(p, e);
    if (!idn) {
        if (rej)
            return reject_rec(cx, r, p, e, rej, &t);
        return LR_SKIP;
    }
    mq_table *s = mq_state(cx, NULL);
    if (!s)
        return LR_SKIP;
    bool out = false;
    mq_msg *m = mq_find(s, id, idn);

    if (!flagged) {
        if (lr_starts(q, (size_t)(e - q), "Completed")) {
            if (!m)
                return LR_SKIP;
            mq_fill(r, m);
            mq_close(s, m);
            return LR_OK;
        }
        if (!rej)
            return m ? LR_PENDING : LR_SKIP;   /* "Message is frozen", "Failed to connect" */
        /* "ID H=... F=<s> rejected after DATA: ...": the message refused */
        int rc = reject_rec(cx, r, q, e, rej, &t);
        if (rc != LR_OK)
            return rc;
        if (m) {
            mq_set(m, MQ_FROM, r->email.from);
            if (!m->src_ip.v) {
                m->src_ip = r->src_ip;
                m->src_port = r->src_port;
            }
            mq_set_status(m, lr_s("rejected", 8));
            lr_str host = r->host;
            lr_clear(r);
            r->host = host;
            mq_fill(r, m);
            mq_close(s, m);
            return LR_OK;
        }
        const char *k = lr_keep(r, id, idn);
        if (k)
            r->email.queue_id = lr_s(k, idn);
        return LR_OK;
    }

    const char *a = q + 2;
    while (a < e && *a == ' ')
        a++;
    const char *ae = a;
    while (ae < e && *ae != ' ')
        ae++;
    if (ae == a)
        return lr_bad(cx, "Exim %c%c line without an address", f0, f1);
    if (!m)
        m = open_msg(s, l, &t, id, idn, r, &out);
    if (!m)
        return LR_SKIP;
    lr_str addr = lr_s(a, (size_t)(ae - a));
    if (arrival) {
        m->queued = true;
        if (!lr_eq(addr, "<>"))
            mq_set(m, MQ_FROM, addr);
        /* the time and line of the arrival when a cutthrough delivery came first */
        mq_set_time(m, &t);
        m->first = l->lineno ? l->lineno : m->first;
        int32_t port;
        mm_ip ip;
        if (host_field(ae, e, &ip, &port, NULL, NULL)) {
            m->src_ip = ip;
            m->src_port = port;
        }
        lr_str v;
        int64_t n;
        if (field(ae, e, "S=", &v) && lr_num(v.p, v.n, &n))
            m->size = n;
        if (field(ae, e, "id=", &v)) {
            if (v.n >= 2 && v.p[0] == '<' && v.p[v.n - 1] == '>') {
                v.p++;
                v.n -= 2;
            }
            mq_set(m, MQ_MSGID, v);
        }
        if (subject_field(ae, e, &v))
            mq_set_unescaped(m, MQ_SUBJECT, v);
        return out ? LR_OK : LR_PENDING;
    }
    /* deliveries: "=> local <orig@domain> R=.. T=..", "** addr <addr>: why" */
    lr_str rcpt = addr;
    const char *o = ae;
    while (o < e && *o == ' ')
        o++;
    if (o < e && *o == '(') {
        const char *c = memchr(o, ')', (size_t)(e - o));
        if (c) {
            o = c + 1;
            while (o < e && *o == ' ')
                o++;
        }
    }
    if (o < e && *o == '<') {
        const char *c = memchr(o, '>', (size_t)(e - o));
        if (c && c > o + 1)
            rcpt = lr_s(o + 1, (size_t)(c - o - 1));
    }
    if (rcpt.n && rcpt.p[rcpt.n - 1] == ':')
        rcpt.n--;
    mq_add_to(m, rcpt);
    const char *st = deliv ? (f0 == '*' ? NULL : "sent") : bounce ? "bounced" : "deferred";
    if (st)
        mq_set_status(m, lr_s(st, strlen(st)));
    mm_ip ip;
    int32_t port;
    lr_str name, ad;
    if (host_field(ae, e, &ip, &port, &name, &ad)) {
        char b[112];
        size_t n = 0;
        if (name.n && name.n < 64) {
            memcpy(b, name.p, name.n);
            n = name.n;
        }
        if (ad.n && ad.n < 46) {
            b[n++] = '[';
            memcpy(b + n, ad.p, ad.n);
            n += ad.n;
            b[n++] = ']';
        }
        if (n)
            mq_set_relay(m, lr_s(b, n));
    }
    return out ? LR_OK : LR_PENDING;
}

const mm_logfmt lf_exim = {
    .name = "exim",
    .event_type = "mail",
    .what = "Exim main log: one record per message (<= => ** == Completed joined by id), "
            "rejects, failed AUTH",
    .example = "2002-10-31 08:57:53 16ZCW1-0005MB-00 <= kryten@dwarf.fict.example "
               "H=mailer.fict.example [192.168.123.123] U=exim P=smtp S=5678",
    .syslog = true,
    .probe = probe,
    .parse = parse,
    .finish = mq_finish,
    .free_state = mq_free,
};
