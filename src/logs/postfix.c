/*
 * postfix.c - Postfix mail logs: one record per message, its lines joined by
 * queue id; rejected SMTP transactions; SASL logins.
 *
 *   Jun 18 07:24:18 mx postfix/smtpd[28762]: 1DBB4A7FD: client=host.example[192.0.2.7]
 *   Jun 18 07:24:18 mx postfix/cleanup[28816]: 1DBB4A7FD: message-id=<5809D2@pc>
 *   Jun 18 07:24:18 mx postfix/qmgr[3280]: 1DBB4A7FD: from=<a@example.org>, size=1778, nrcpt=1 (queue active)
 *   Jun 18 07:24:19 mx postfix/smtp[28949]: 1DBB4A7FD: to=<b@example.net>, relay=mx.example.net[198.51.100.2]:25,
 *       delay=1.8, delays=0.2/0.03/0.72/0.81, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9EFE470001)
 *   Jun 18 07:24:19 mx postfix/qmgr[3280]: 1DBB4A7FD: removed
 *
 * The program is "postfix/<daemon>" (or "<syslog_name>/<service>/<daemon>"
 * of a second instance or a master.cf service: "postfix-in/submission/smtpd").
 * A message's lines start with its queue id: short (upper-case hex) or long
 * (enable_long_queue_ids: 10 characters of time in base 52 without vowels,
 * 'z', the inode number). What each daemon writes (Postfix's smtpd(8),
 * cleanup(8), qmgr(8), smtp(8), local(8) and cleanup_message.c):
 *   smtpd    "QID: client=NAME[ADDR][:PORT][, sasl_method=M, sasl_username=U]
 *            [, orig_queue_id=Q, orig_client=NAME[ADDR]]" (the message opens);
 *   pickup   "QID: uid=N from=<sender>" (mail submitted on the host);
 *   cleanup  "QID: message-id=<id>", and the header_checks / body_checks
 *            actions "QID: ACTION: header|body CONTENT(200) from ORIGIN; from=<s>
 *            to=<r> proto=P helo=<h>[: text]" (a WARN or INFO on Subject: gives the
 *            subject, one on From: the header sender (header_from), one on
 *            Content-Type/Content-Disposition the attachment name; REJECT
 *            ends the message as "rejected");
 *   qmgr     "QID: from=<sender>, size=N, nrcpt=N (queue active)",
 *            "QID: from=<s>, status=expired, returned to sender", "QID: removed";
 *   smtp, lmtp, local, virtual, pipe, error, discard
 *            "QID: to=<rcpt>[, orig_to=<a>], relay=R, delay=D, delays=a/b/c/d,
 *            dsn=X.Y.Z, status=sent|deferred|bounced (text)".
 * The record of a message is given at qmgr's "removed" line: its log.line and
 * time are those of the message's first line; email {from, to[] (up to 16,
 * each once), subject, message_id (without <>), size, status (the last
 * delivery's), relay (the last delivery's), queue_id, attachment}; src_ip /
 * src_port the SMTP client (orig_client= when a content filter reinjected
 * it). A message still open at the end of the input is given then (finish).
 * A message relayed through a content filter (amavis) is two messages, one
 * per queue id.
 *
 * Other records:
 *   - smtpd / postscreen "NOQUEUE: reject: CMD from NAME[ADDR]: 554 5.7.1 ...;
 *     from=<a> to=<b> proto=ESMTP helo=<h>" (postscreen: "from [ADDR]:PORT:" and
 *     comma-separated fields), "QID: reject: ..." and "milter-reject:" of any SMTP
 *     command: a mail record, status "rejected", from/to as the line has them
 *     (a whole-message reject -- DATA, BDAT, END-OF-MESSAGE -- of an open
 *     message ends that message as rejected); "warning: non-SMTP command from
 *     NAME[ADDR]" and "improper command pipelining after CMD from NAME[ADDR]":
 *     a rejected mail record with only the client;
 *   - "warning: NAME[ADDR][:PORT]: SASL LOGIN authentication failed: ...[,
 *     sasl_username=U]": event_type "auth", auth {service "smtp", method the
 *     SASL mechanism, user when logged, result "failure"}; a client= line with
 *     sasl_username= is an auth "success" record (the message it opens is
 *     still joined).
 * Every other line of Postfix is skipped; lines of a message that add
 * nothing are consumed (LR_PENDING).
 *
 * State: the table of open messages of mailjoin.c: at most 4096, each
 * with a fixed 1 KB area for its strings (addresses and subject cut at 256
 * bytes), found through a hash of queue ids; allocated once (about 5 MB) at
 * the first Postfix line of a message. When the table is full the message
 * opened first is given as a record in place of the line that needs its
 * slot (or, when that line has a record of its own, counted as lost). A
 * message that never reached the queue manager (client= then a lost
 * connection: no qmgr line, no delivery, no reject) is not a message: it is
 * dropped when evicted or at the end.
 */
#include <string.h>

#include "logs/mailjoin.h"

/* --- small readers --- */

static bool starts(const char *p, const char *e, const char *t)
{
    return lr_starts(p, (size_t)(e - p), t);
}

static const char *after(const char *p, const char *e, const char *t)
{
    return starts(p, e, t) ? p + strlen(t) : NULL;
}

static bool is_hex_upper(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* base 52 of long queue ids: digits and letters without vowels, no 'z' */
static bool is_b52(char c)
{
    if (c >= '0' && c <= '9')
        return true;
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'y')))
        return false;
    return !strchr("AEIOUaeiou", c);
}

/* The queue id at p ("QID: ..."): its length, 0 when there is none. */
static size_t queue_id(const char *p, const char *e)
{
    size_t n = 0;
    while (p + n < e && n < 24 && p[n] != ':')
        n++;
    if (p + n + 1 >= e || p[n] != ':' || p[n + 1] != ' ' || n < 5 || n > 20)
        return 0;
    bool hex = true;
    for (size_t i = 0; i < n; i++)
        hex = hex && is_hex_upper(p[i]);
    if (hex)
        return n;
    /* long: 10 of base 52, 'z', 1.. of base 51 */
    if (n < 12)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 10) {
            if (p[i] != 'z')
                return 0;
        } else if (!is_b52(p[i])) {
            return 0;
        }
    }
    return n;
}

/* "<addr>" at p: the address without the brackets; the closing '>' is the
 * first one followed by the end, a space, ',' ';' or ':' */
static bool angle(const char *p, const char *e, lr_str *v, const char **end)
{
    if (p >= e || *p != '<')
        return false;
    const char *s = p + 1;
    for (const char *q = s; q < e; q++) {
        if (*q != '>')
            continue;
        if (q + 1 == e || q[1] == ' ' || q[1] == ',' || q[1] == ';' || q[1] == ':') {
            *v = lr_s(s, (size_t)(q - s));
            if (end)
                *end = q + 1;
            return true;
        }
    }
    return false;
}

/* KEY=<value> in p..e, KEY at the start or after ' ' ',' ';' */
static bool key_angle(const char *p, const char *e, const char *key, lr_str *v)
{
    size_t k = strlen(key);
    for (const char *s = p; s < e;) {
        const char *h = lr_find(s, (size_t)(e - s), key);
        if (!h)
            return false;
        if ((h == p || h[-1] == ' ' || h[-1] == ',' || h[-1] == ';') &&
            angle(h + k, e, v, NULL))
            return true;
        s = h + 1;
    }
    return false;
}

/* KEY=value up to ", " or the end ("relay=", "status=", "size=") */
static bool key_val(const char *p, const char *e, const char *key, lr_str *v)
{
    const char *h = lr_find_word(p, (size_t)(e - p), key);
    if (!h)
        return false;
    const char *a = h + strlen(key), *q = a;
    while (q < e && *q != ',' && *q != ' ')
        q++;
    *v = lr_s(a, (size_t)(q - a));
    return true;
}

/* "NAME[ADDR][:PORT]" at p (postscreen: "[ADDR]:PORT"): the address and
 * port; *end past it. */
static bool client_at(const char *p, const char *e, mm_ip *ip, int32_t *port, const char **end)
{
    const char *b = p;
    while (b < e && *b != '[' && *b != ' ')
        b++;
    if (b >= e || *b != '[')
        return false;
    const char *c = memchr(b, ']', (size_t)(e - b));
    if (!c || !lr_ip(b + 1, (size_t)(c - b - 1), ip))
        return false;
    const char *q = c + 1;
    *port = -1;
    if (q + 1 < e && *q == ':' && q[1] >= '0' && q[1] <= '9') {
        const char *d = q + 1, *z = d;
        while (z < e && *z >= '0' && *z <= '9')
            z++;
        if (lr_port(d, (size_t)(z - d), port))
            q = z;
    }
    if (end)
        *end = q;
    return true;
}

/* --- open messages (mailjoin.c) --- */

/* Is it worth a record: it reached the queue, or was delivered or refused. */
static bool worth(const mq_msg *m)
{
    return m->queued || m->status_n || m->n_to;
}

/* The message of queue id q, opened when new (the table full: the oldest
 * goes, as r when can_emit; a session that never queued its message --
 * client= and nothing after -- older than 1000 lines is dropped instead). */
static mq_msg *open_msg(mm_logctx *cx, const lr_line *l, mq_table *s, const char *q, size_t n,
                        mm_logrec *r, bool can_emit, bool *out)
{
    mq_msg *m = mq_find(s, q, n);
    if (m)
        return m;
    m = mq_open(s, q, n, l->lineno, r, can_emit, out);
    if (!m)
        return NULL;
    /* the time of the first line */
    mm_logrec t;
    t.has_ts = false;
    if (lr_time_syslog(cx, &t, l))
        mq_set_time(m, &t);
    mq_set(m, MQ_HOST, l->sys->host.n > 64 ? lr_s(l->sys->host.p, 64) : l->sys->host);
    return m;
}

/* --- lines --- */

static bool is_postfix(const lr_line *l, lr_str *daemon)
{
    lr_str p = l->sys->program;
    if (p.n < 7 || memcmp(p.p, "postfix", 7) != 0 || (p.n > 7 && p.p[7] != '/' && p.p[7] != '-'))
        return false;
    const char *d = p.p + p.n;
    while (d > p.p && d[-1] != '/')
        d--;
    *daemon = lr_s(d, (size_t)(p.p + p.n - d));
    return true;
}

static bool probe(const lr_line *l)
{
    lr_str d;
    return l->sys->ok && is_postfix(l, &d);
}

/* The trailer "; from=<a> to=<b> proto=P helo=<h>" (postscreen: with commas)
 * of a reject or a header action: from and to into r. */
static void trailer(const char *p, const char *e, lr_str *from, lr_str *to)
{
    lr_str v;
    if (key_angle(p, e, "from=", &v) && v.n)
        *from = v;
    if (key_angle(p, e, "to=", &v) && v.n)
        *to = v;
}

/* "reject: CMD from NAME[ADDR]: text; from=<a> to=<b> ..." (q after "reject: ") */
static int reject_rec(mm_logctx *cx, const lr_line *l, mm_logrec *r, const char *q,
                      const char *e)
{
    const char *f = lr_find(q, (size_t)(e - q), " from ");
    if (!f || f - q > 40)
        return lr_bad(cx, "postfix reject without its client");
    const char *end;
    if (!client_at(f + 6, e, &r->src_ip, &r->src_port, &end))
        return lr_bad(cx, "postfix reject without the client's address");
    lr_time_syslog(cx, r, l);
    r->event_type = "mail";
    r->host = l->sys->host;
    r->email.status = lr_s("rejected", 8);
    const char *t = lr_find(end, (size_t)(e - end), "; from=<");
    if (!t)
        t = lr_find(end, (size_t)(e - end), "; to=<");
    if (t) {
        lr_str to = {0};
        trailer(t + 2, e, &r->email.from, &to);
        if (to.n) {
            r->email.to[0] = to;
            r->email.n_to = 1;
        }
    }
    return LR_OK;
}

/* An SMTP AUTH record of the client ip:port. */
static void smtp_auth(mm_logctx *cx, const lr_line *l, mm_logrec *r, mm_ip ip, int32_t port,
                      const char *result)
{
    r->event_type = "auth";
    lr_time_syslog(cx, r, l);
    r->host = l->sys->host;
    r->src_ip = ip;
    r->src_port = port;
    r->auth.service = lr_s("smtp", 4);
    r->auth.result = result;
}

/* "warning: NAME[ADDR][:PORT]: SASL MECH authentication failed: ..." */
static int sasl_fail(mm_logctx *cx, const lr_line *l, mm_logrec *r, const char *q,
                     const char *e)
{
    const char *end;
    mm_ip ip;
    int32_t port;
    if (!client_at(q, e, &ip, &port, &end) || !(end = after(end, e, ": SASL ")))
        return LR_SKIP;
    const char *m = end;
    while (end < e && *end != ' ')
        end++;
    if (!starts(end, e, " authentication failed"))
        return LR_SKIP;
    /* the server's own trouble, not the client's failure */
    if (lr_find(end, (size_t)(e - end), "Connection lost to authentication server"))
        return LR_SKIP;
    smtp_auth(cx, l, r, ip, port, "failure");
    r->auth.method = lr_s(m, (size_t)(end - m));
    const char *u = lr_find(end, (size_t)(e - end), "sasl_username=");
    if (u) {
        u += 14;
        const char *ue = u;
        while (ue < e && *ue != ',' && *ue != ' ')
            ue++;
        if (ue > u)
            r->auth.user = lr_s(u, (size_t)(ue - u));
    }
    return LR_OK;
}

/* A client misbehaving before any message: a rejected mail record. */
static int client_rec(mm_logctx *cx, const lr_line *l, mm_logrec *r, const char *f,
                      const char *e)
{
    const char *end;
    if (!client_at(f, e, &r->src_ip, &r->src_port, &end))
        return lr_bad(cx, "postfix line without the client's address");
    r->event_type = "mail";
    lr_time_syslog(cx, r, l);
    r->host = l->sys->host;
    r->email.status = lr_s("rejected", 8);
    return LR_OK;
}

/* cleanup's "ACTION: header|body CONTENT from ORIGIN; from=<s> ..." */
static void content_action(mq_msg *m, const char *p, const char *e)
{
    const char *c;
    if (!(c = after(p, e, "header ")) && !(c = after(p, e, "body ")))
        return;
    /* the end of CONTENT: " from ORIGIN;" followed by the trailer or the end */
    const char *ce = NULL;
    for (const char *s = c; s < e && !ce;) {
        const char *f = lr_find(s, (size_t)(e - s), " from ");
        if (!f)
            break;
        const char *o = f + 6, *z = o;
        while (z < e && *z != ' ' && *z != ';')
            z++;
        if (z < e && *z == ';' && z > o) {
            const char *t = z + 1;
            if (t == e || starts(t, e, " from=<") || starts(t, e, " to=<") ||
                starts(t, e, " proto=") || starts(t, e, " helo=<") || starts(t, e, ": "))
                ce = f;
        }
        s = f + 1;
    }
    if (!ce)
        return;
    lr_str from = {0}, to = {0};
    trailer(ce, e, &from, &to);
    mq_set(m, MQ_FROM, from);
    mq_add_to(m, to);
    lr_str v;
    if (starts(c, ce, "Subject:")) {
        v = lr_s(c + 8, (size_t)(ce - c - 8));
        while (v.n && *v.p == ' ') {
            v.p++;
            v.n--;
        }
        mq_set(m, MQ_SUBJECT, v);
    }
    /* From: "Name <a@b>" or a bare address: the address */
    if (starts(c, ce, "From:")) {
        const char *lt = memchr(c, '<', (size_t)(ce - c)), *gt;
        if (lt && (gt = memchr(lt, '>', (size_t)(ce - lt))) != NULL) {
            v = lr_s(lt + 1, (size_t)(gt - lt - 1));
        } else {
            v = lr_s(c + 5, (size_t)(ce - c - 5));
            while (v.n && *v.p == ' ') {
                v.p++;
                v.n--;
            }
            while (v.n && v.p[v.n - 1] == ' ')
                v.n--;
        }
        if (v.n && memchr(v.p, '@', v.n))
            mq_set(m, MQ_HDRFROM, v);
    }
    /* an attachment's name: name="x" or filename="x" (MIME headers) */
    const char *nm = lr_find(c, (size_t)(ce - c), "name=");
    if (nm && (starts(c, ce, "Content-Type:") || starts(c, ce, "Content-Disposition:") ||
               starts(c, ce, "Content-type:") || starts(c, ce, "Content-disposition:"))) {
        const char *a = nm + 5, *z;
        if (a < ce && *a == '"') {
            a++;
            z = memchr(a, '"', (size_t)(ce - a));
            if (!z)
                z = ce;
        } else {
            z = a;
            while (z < ce && *z != ';' && *z != ' ')
                z++;
        }
        mq_set(m, MQ_ATTACHMENT, lr_s(a, (size_t)(z - a)));
    }
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    lr_str daemon;
    if (!is_postfix(l, &daemon))
        return LR_SKIP;
    const char *p = l->sys->msg, *e = p + l->sys->msg_len;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    const char *q;

    if ((q = after(p, e, "NOQUEUE: "))) {
        const char *w;
        if ((w = after(q, e, "reject: ")) || (w = after(q, e, "milter-reject: ")))
            return reject_rec(cx, l, r, w, e);
        return LR_SKIP;
    }
    if ((q = after(p, e, "warning: "))) {
        const char *f;
        if ((f = after(q, e, "non-SMTP command from ")))
            return client_rec(cx, l, r, f, e);
        return sasl_fail(cx, l, r, q, e);
    }
    if ((q = after(p, e, "improper command pipelining after "))) {
        const char *f = lr_find(q, (size_t)(e - q), " from ");
        if (!f || f - q > 20)
            return LR_SKIP;
        return client_rec(cx, l, r, f + 6, e);
    }

    size_t qn = queue_id(p, e);
    if (!qn)
        return LR_SKIP;
    const char *qid = p;
    q = p + qn + 2;
    mq_table *s = mq_state(cx, worth);
    if (!s)
        return LR_SKIP;
    bool out = false;
    mq_msg *m;
    const char *w;

    if ((w = after(q, e, "client="))) {
        mm_ip ip;
        int32_t port;
        const char *end;
        if (!client_at(w, e, &ip, &port, &end))
            return lr_bad(cx, "postfix client= without an address");
        const char *oc = lr_find(end, (size_t)(e - end), "orig_client=");
        mm_ip oip;
        int32_t oport;
        if (oc && client_at(oc + 12, e, &oip, &oport, NULL)) {
            ip = oip;
            port = oport;
        }
        lr_str user = {0}, meth = {0};
        key_val(end, e, "sasl_username=", &user);
        key_val(end, e, "sasl_method=", &meth);
        bool sasl = user.n > 0;
        m = open_msg(cx, l, s, qid, qn, r, !sasl, &out);
        if (m) {
            m->src_ip = ip;
            m->src_port = port;
        }
        if (sasl) {
            smtp_auth(cx, l, r, ip, port, "success");
            r->auth.user = user;
            r->auth.method = meth;
            return LR_OK;
        }
        return out ? LR_OK : LR_PENDING;
    }
    if ((w = after(q, e, "removed"))) {
        if (w != e)
            return LR_SKIP;
        m = mq_find(s, qid, qn);
        if (!m)
            return LR_SKIP;
        mq_fill(r, m);
        mq_close(s, m);
        return LR_OK;
    }
    if ((w = after(q, e, "reject: ")) || (w = after(q, e, "milter-reject: "))) {
        m = mq_find(s, qid, qn);
        if (starts(w, e, "header ") || starts(w, e, "body ")) {
            /* cleanup: the message's content refused */
            if (!m)
                m = open_msg(cx, l, s, qid, qn, r, true, &out);
            if (out)
                return LR_OK;
            if (!m)
                return LR_SKIP;
            content_action(m, w, e);
            mq_set_status(m, lr_s("rejected", 8));
            mq_fill(r, m);
            mq_close(s, m);
            return LR_OK;
        }
        bool whole = starts(w, e, "DATA ") || starts(w, e, "BDAT ") ||
                     starts(w, e, "END-OF-MESSAGE ");
        if (m && whole) {
            lr_str from = {0}, to = {0};
            const char *t = lr_find(w, (size_t)(e - w), "; from=<");
            if (t)
                trailer(t + 2, e, &from, &to);
            mq_set(m, MQ_FROM, from);
            mq_add_to(m, to);
            mq_set_status(m, lr_s("rejected", 8));
            mq_fill(r, m);
            mq_close(s, m);
            return LR_OK;
        }
        int rc = reject_rec(cx, l, r, w, e);
        if (rc == LR_OK) {
            const char *k = lr_keep(r, qid, qn);
            if (k)
                r->email.queue_id = lr_s(k, qn);
        }
        return rc;
    }

    /* lines that open or add to a message */
    bool opens = starts(q, e, "uid=") || starts(q, e, "message-id=") ||
                 starts(q, e, "from=<") || starts(q, e, "to=") || starts(q, e, "warning: header ") ||
                 starts(q, e, "warning: body ") || starts(q, e, "info: header ") ||
                 starts(q, e, "info: body ") || starts(q, e, "discard: ") ||
                 starts(q, e, "milter-discard: ");
    m = mq_find(s, qid, qn);
    if (!m && !opens)
        return LR_SKIP;
    if (!m)
        m = open_msg(cx, l, s, qid, qn, r, true, &out);
    if (!m)
        return out ? LR_OK : LR_SKIP;
    lr_str v;
    if ((w = after(q, e, "uid="))) {
        /* pickup: "uid=1000 from=<user>" */
        if (key_angle(w, e, "from=", &v))
            mq_set(m, MQ_FROM, v);
    } else if ((w = after(q, e, "message-id="))) {
        lr_str id = lr_s(w, (size_t)(e - w));
        if (id.n >= 2 && id.p[0] == '<' && id.p[id.n - 1] == '>') {
            id.p++;
            id.n -= 2;
        }
        mq_set(m, MQ_MSGID, id);
    } else if (starts(q, e, "from=<")) {
        /* qmgr: "from=<s>, size=N, nrcpt=N (queue active)" or "from=<s>,
         * status=expired, returned to sender" */
        const char *end;
        if (angle(q + 5, e, &v, &end)) {
            mq_set(m, MQ_FROM, v);
            int64_t n;
            lr_str sz;
            if (key_val(end, e, "size=", &sz) && lr_num(sz.p, sz.n, &n))
                m->size = n;
            if (key_val(end, e, "status=", &v) && v.n)
                mq_set_status(m, v);
            m->queued = true;
        }
    } else if (starts(q, e, "to=")) {
        /* a delivery: "to=<r>, [orig_to=<a>,] relay=R, ..., status=S (text)" */
        const char *end;
        if (!angle(q + 3, e, &v, &end)) {
            if (m->first == l->lineno && !worth(m))
                mq_close(s, m);   /* opened by this line only */
            return lr_bad(cx, "postfix delivery without its recipient");
        }
        mq_add_to(m, v);
        if (key_val(end, e, "relay=", &v) && v.n)
            mq_set_relay(m, v);
        if (key_val(end, e, "status=", &v) && v.n)
            mq_set_status(m, v);
    } else if ((w = after(q, e, "warning: ")) || (w = after(q, e, "info: ")) ||
               (w = after(q, e, "hold: ")) || (w = after(q, e, "redirect: ")) ||
               (w = after(q, e, "filter: ")) || (w = after(q, e, "prepend: ")) ||
               (w = after(q, e, "replace: "))) {
        content_action(m, w, e);
    } else if ((w = after(q, e, "discard: ")) || (w = after(q, e, "milter-discard: "))) {
        content_action(m, w, e);
        mq_set_status(m, lr_s("discarded", 9));
    }
    return out ? LR_OK : LR_PENDING;
}

const mm_logfmt lf_postfix = {
    .name = "postfix",
    .event_type = "mail",
    .what = "Postfix: one record per message (smtpd, cleanup, qmgr, smtp joined by queue id), "
            "rejects, SASL logins",
    .example = "Jun 18 07:24:19 mx postfix/smtp[28949]: 1DBB4A7FD: to=<b@example.net>, "
               "relay=mx.example.net[198.51.100.2]:25, delay=1.8, dsn=2.0.0, status=sent (250 Ok)",
    .syslog = true,
    .probe = probe,
    .parse = parse,
    .finish = mq_finish,
    .free_state = mq_free,
};
