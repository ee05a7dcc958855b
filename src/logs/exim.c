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
 * State: at most 4096 open messages with 1 KB of strings each, found by a
 * hash of message ids, allocated once at the first Exim line; a full table
 * gives up its oldest message as the record of the line that needs room.
 */
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

#define EX_MAX 4096
#define EX_HASH 8192
#define EX_AREA 1024
#define EX_FIELD 256

enum { F_FROM, F_SUBJ, F_MID, F_N };

typedef struct xmsg {
    uint64_t first;
    int64_t ts_us;
    int32_t tzoff;
    bool has_ts, arrived;
    mm_ip src_ip;
    int32_t src_port;
    int64_t size;
    uint8_t id_n, status_n, relay_n, n_to;
    char id[24];
    char status[12];
    char relay[112];
    uint16_t off[F_N], len[F_N];
    uint16_t to_off[LR_MAX_TO], to_len[LR_MAX_TO];
    uint16_t used;
    char area[EX_AREA];
} xmsg;

typedef struct xstate {
    int16_t idx[EX_HASH];
    uint16_t freel[EX_MAX];
    uint32_t nfree;
    bool fin;
    uint32_t nord, pos;
    uint16_t order[EX_MAX];
    xmsg m[EX_MAX];
} xstate;

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

static bool dig2(const char *p, int64_t *v)
{
    return lr_num(p, 2, v);
}

/* "YYYY-MM-DD HH:MM:SS[.ddd][ +ZZZZ][ [pid]] " at p: sets the time, returns
 * what follows (NULL when p has no such time). */
static const char *exim_time(mm_logctx *cx, mm_logrec *r, const char *p, const char *e)
{
    if (e - p < 20 || p[4] != '-' || p[7] != '-' || p[10] != ' ' || p[13] != ':' ||
        p[16] != ':')
        return NULL;
    int64_t y, mo, d, h, mi, s;
    if (!lr_num(p, 4, &y) || !dig2(p + 5, &mo) || !dig2(p + 8, &d) || !dig2(p + 11, &h) ||
        !dig2(p + 14, &mi) || !dig2(p + 17, &s) || mo < 1 || mo > 12 || d < 1 || d > 31 ||
        h > 23 || mi > 59 || s > 60)
        return NULL;
    const char *q = p + 19;
    int32_t usec = 0;
    if (q < e && *q == '.') {
        int32_t scale = 100000;
        q++;
        for (int i = 0; i < 6 && q < e && *q >= '0' && *q <= '9'; i++, q++) {
            usec += (*q - '0') * scale;
            scale /= 10;
        }
    }
    bool has_zone = false;
    int32_t zone = 0;
    if (e - q >= 6 && q[0] == ' ' && (q[1] == '+' || q[1] == '-')) {
        int64_t zh, zm;
        if (dig2(q + 2, &zh) && dig2(q + 4, &zm) && (q + 6 == e || q[6] == ' ')) {
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
        lr_set_time(cx, r, (int)y, (int)mo, (int)d, (int)h, (int)mi, (int)s, usec, has_zone,
                    zone);
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
    size_t k = strlen(key);
    for (const char *s = p; s < e;) {
        const char *h = lr_find(s, (size_t)(e - s), key);
        if (!h)
            return false;
        if (h == p || h[-1] == ' ') {
            const char *a = h + k, *z = a;
            while (z < e && *z != ' ')
                z++;
            *v = lr_s(a, (size_t)(z - a));
            return true;
        }
        s = h + 1;
    }
    return false;
}

/* H=name (helo) [address]:port: the address (and port), and "name [address]" */
static bool host_field(const char *p, const char *e, mm_ip *ip, int32_t *port, lr_str *name,
                       lr_str *addr)
{
    const char *h = NULL;
    for (const char *s = p; s < e;) {
        const char *f = lr_find(s, (size_t)(e - s), "H=");
        if (!f)
            return false;
        if (f == p || f[-1] == ' ') {
            h = f + 2;
            break;
        }
        s = f + 1;
    }
    if (!h)
        return false;
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

/* --- the table --- */

static uint32_t hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 16777619u;
    return h & (EX_HASH - 1);
}

static xstate *state_of(mm_logctx *cx)
{
    void **st = lr_state(cx);
    if (!*st) {
        xstate *s = calloc(1, sizeof *s);
        if (!s)
            return NULL;
        for (size_t i = 0; i < EX_HASH; i++)
            s->idx[i] = -1;
        for (uint32_t i = 0; i < EX_MAX; i++)
            s->freel[i] = (uint16_t)(EX_MAX - 1 - i);
        s->nfree = EX_MAX;
        *st = s;
    }
    return *st;
}

static void free_state(void *st)
{
    free(st);
}

static uint32_t find_pos(xstate *s, const char *q, size_t n)
{
    uint32_t h = hash(q, n);
    for (uint32_t i = 0; i < EX_HASH; i++) {
        uint32_t j = (h + i) & (EX_HASH - 1);
        int16_t k = s->idx[j];
        if (k < 0 || (s->m[k].id_n == n && memcmp(s->m[k].id, q, n) == 0))
            return j;
    }
    return UINT32_MAX;
}

static xmsg *find(xstate *s, const char *q, size_t n)
{
    uint32_t j = find_pos(s, q, n);
    return j != UINT32_MAX && s->idx[j] >= 0 ? &s->m[s->idx[j]] : NULL;
}

static void unlink_msg(xstate *s, xmsg *m)
{
    uint32_t i = find_pos(s, m->id, m->id_n);
    if (i == UINT32_MAX || s->idx[i] < 0)
        return;
    s->idx[i] = -1;
    for (uint32_t j = (i + 1) & (EX_HASH - 1), g = 0; g < EX_HASH; j = (j + 1) & (EX_HASH - 1), g++) {
        int16_t k = s->idx[j];
        if (k < 0)
            break;
        uint32_t home = hash(s->m[k].id, s->m[k].id_n);
        if ((j > i) ? (home <= i || home > j) : (home <= i && home > j)) {
            s->idx[i] = k;
            s->idx[j] = -1;
            i = j;
        }
    }
    m->first = 0;
    s->freel[s->nfree++] = (uint16_t)(m - s->m);
}

static void area_set(xmsg *m, int f, lr_str v)
{
    if (m->len[f] || !v.n)
        return;
    size_t n = v.n > EX_FIELD ? EX_FIELD : v.n;
    if (n > (size_t)(EX_AREA - m->used))
        n = (size_t)(EX_AREA - m->used);
    if (!n)
        return;
    memcpy(m->area + m->used, v.p, n);
    m->off[f] = m->used;
    m->len[f] = (uint16_t)n;
    m->used = (uint16_t)(m->used + n);
}

/* the subject with Exim's \" and \\ escapes undone */
static void area_set_unescaped(xmsg *m, int f, lr_str v)
{
    if (m->len[f] || !v.n)
        return;
    size_t room = (size_t)(EX_AREA - m->used), n = 0;
    if (room > EX_FIELD)
        room = EX_FIELD;
    char *d = m->area + m->used;
    for (size_t i = 0; i < v.n && n < room; i++) {
        if (v.p[i] == '\\' && i + 1 < v.n && (v.p[i + 1] == '"' || v.p[i + 1] == '\\'))
            i++;
        d[n++] = v.p[i];
    }
    if (!n)
        return;
    m->off[f] = m->used;
    m->len[f] = (uint16_t)n;
    m->used = (uint16_t)(m->used + n);
}

static void add_to(xmsg *m, lr_str v)
{
    if (!v.n || v.n > EX_FIELD || m->n_to >= LR_MAX_TO)
        return;
    for (uint8_t i = 0; i < m->n_to; i++)
        if (m->to_len[i] == v.n && memcmp(m->area + m->to_off[i], v.p, v.n) == 0)
            return;
    if (v.n > (size_t)(EX_AREA - m->used))
        return;
    memcpy(m->area + m->used, v.p, v.n);
    m->to_off[m->n_to] = m->used;
    m->to_len[m->n_to++] = (uint16_t)v.n;
    m->used = (uint16_t)(m->used + v.n);
}

static void set_small(char *dst, uint8_t *dn, size_t cap, const char *p, size_t n)
{
    if (n > cap)
        n = cap;
    memcpy(dst, p, n);
    *dn = (uint8_t)n;
}

static void fill(mm_logrec *r, const xmsg *m)
{
    r->event_type = "mail";
    r->line = m->first;
    if (m->has_ts) {
        r->ts_us = m->ts_us;
        r->tzoff = m->tzoff;
        r->has_ts = true;
    }
    r->src_ip = m->src_ip;
    r->src_port = m->src_port;
    r->email.size = m->size;
    const char *a = lr_keep(r, m->area, m->used);
    if (a) {
        lr_str *f[F_N] = {&r->email.from, &r->email.subject, &r->email.message_id};
        for (int i = 0; i < F_N; i++)
            if (m->len[i])
                *f[i] = lr_s(a + m->off[i], m->len[i]);
        for (uint8_t i = 0; i < m->n_to; i++)
            r->email.to[i] = lr_s(a + m->to_off[i], m->to_len[i]);
        r->email.n_to = m->n_to;
    }
    const char *k;
    if (m->status_n && (k = lr_keep(r, m->status, m->status_n)))
        r->email.status = lr_s(k, m->status_n);
    if (m->relay_n && (k = lr_keep(r, m->relay, m->relay_n)))
        r->email.relay = lr_s(k, m->relay_n);
    if ((k = lr_keep(r, m->id, m->id_n)))
        r->email.queue_id = lr_s(k, m->id_n);
}

static xmsg *open_msg(xstate *s, const lr_line *l, const mm_logrec *t, const char *q, size_t n,
                      mm_logrec *r, bool *out)
{
    xmsg *m = find(s, q, n);
    if (m)
        return m;
    if (!s->nfree) {
        xmsg *old = NULL;
        for (uint32_t i = 0; i < EX_MAX; i++)
            if (s->m[i].first && (!old || s->m[i].first < old->first))
                old = &s->m[i];
        if (!old)
            return NULL;
        if (!*out) {
            fill(r, old);
            *out = true;
        }
        unlink_msg(s, old);
    }
    uint16_t k = s->freel[--s->nfree];
    m = &s->m[k];
    memset(m, 0, offsetof(xmsg, area));
    m->first = l->lineno ? l->lineno : 1;
    m->src_port = -1;
    m->size = -1;
    memcpy(m->id, q, n);
    m->id_n = (uint8_t)n;
    if (t->has_ts) {
        m->ts_us = t->ts_us;
        m->tzoff = t->tzoff;
        m->has_ts = true;
    }
    uint32_t j = find_pos(s, q, n);
    if (j != UINT32_MAX)
        s->idx[j] = (int16_t)k;
    return m;
}

/* --- lines --- */

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
    if (t->has_ts) {
        r->ts_us = t->ts_us;
        r->tzoff = t->tzoff;
        r->has_ts = true;
    }
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
    if (t->has_ts) {
        r->ts_us = t->ts_us;
        r->tzoff = t->tzoff;
        r->has_ts = true;
    }
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
    xstate *s = state_of(cx);
    if (!s)
        return LR_SKIP;
    bool out = false;
    xmsg *m = find(s, id, idn);

    if (!flagged) {
        if (lr_starts(q, (size_t)(e - q), "Completed")) {
            if (!m)
                return LR_SKIP;
            fill(r, m);
            unlink_msg(s, m);
            return LR_OK;
        }
        if (!rej)
            return m ? LR_PENDING : LR_SKIP;   /* "Message is frozen", "Failed to connect" */
        /* "ID H=... F=<s> rejected after DATA: ...": the message refused */
        int rc = reject_rec(cx, r, q, e, rej, &t);
        if (rc != LR_OK)
            return rc;
        if (m) {
            area_set(m, F_FROM, r->email.from);
            if (!m->src_ip.v) {
                m->src_ip = r->src_ip;
                m->src_port = r->src_port;
            }
            set_small(m->status, &m->status_n, sizeof m->status, "rejected", 8);
            lr_str host = r->host;
            lr_clear(r);
            r->host = host;
            fill(r, m);
            unlink_msg(s, m);
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
        m->arrived = true;
        if (!lr_eq(addr, "<>"))
            area_set(m, F_FROM, addr);
        /* the time and line of the arrival when a cutthrough delivery came first */
        if (t.has_ts) {
            m->ts_us = t.ts_us;
            m->tzoff = t.tzoff;
            m->has_ts = true;
        }
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
            area_set(m, F_MID, v);
        }
        if (subject_field(ae, e, &v))
            area_set_unescaped(m, F_SUBJ, v);
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
    add_to(m, rcpt);
    const char *st = deliv ? (f0 == '*' ? NULL : "sent") : bounce ? "bounced" : "deferred";
    if (st)
        set_small(m->status, &m->status_n, sizeof m->status, st, strlen(st));
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
            set_small(m->relay, &m->relay_n, sizeof m->relay, b, n);
    }
    return out ? LR_OK : LR_PENDING;
}

static int cmp_first(const void *a, const void *b, void *arg)
{
    const xmsg *m = arg;
    uint64_t x = m[*(const uint16_t *)a].first, y = m[*(const uint16_t *)b].first;
    return x < y ? -1 : x > y;
}

static int finish(mm_logctx *cx, mm_logrec *r)
{
    xstate *s = *lr_state(cx);
    if (!s)
        return LR_SKIP;
    if (!s->fin) {
        s->fin = true;
        s->nord = s->pos = 0;
        for (uint32_t i = 0; i < EX_MAX; i++)
            if (s->m[i].first)
                s->order[s->nord++] = (uint16_t)i;
        qsort_r(s->order, s->nord, sizeof s->order[0], cmp_first, s->m);
    }
    while (s->pos < s->nord) {
        xmsg *m = &s->m[s->order[s->pos++]];
        if (!m->first)
            continue;
        fill(r, m);
        unlink_msg(s, m);
        return LR_OK;
    }
    return LR_SKIP;
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
    .finish = finish,
    .free_state = free_state,
};
