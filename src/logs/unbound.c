/*
 * unbound.c - Unbound's query and reply logging (unbound.conf(5):
 * log-queries, log-replies, log-tag-queryreply, log-destaddr,
 * log-local-actions; local-zone type inform; RPZ "rpz: applied").
 *
 *   [1700000000] unbound[1234:0] info: 192.0.2.1 example.com. A IN
 *   [1700000000] unbound[1234:0] info: 192.0.2.1 example.com. A IN NOERROR
 *     0.000000 1 62
 *   Nov 14 22:13:20 ns unbound: [1234:0] info: 192.0.2.1 ads.example. A IN
 *   ... info: ads.example. always_nxdomain 192.0.2.1@53000 x.ads.example. A IN
 *
 * Unbound's log_vmsg() (util/log.c) writes "[EPOCH] IDENT[PID:TID] TYPE: MSG"
 * to its log file, "Mmm dd hh:mm:ss IDENT[PID:TID] TYPE: MSG" with
 * log-time-ascii, an ISO time with log-time-iso, and "[PID:TID] TYPE: MSG"
 * through syslog (program "unbound"). TYPE is "info", or "query"/"reply"
 * with log-tag-queryreply. The messages (util/net_help.c log_query_in,
 * util/data/msgreply.c log_reply_info, services/localzone.c lz_inform_print,
 * services/rpz.c, respip/respip.c):
 *
 *   CLIENT NAME TYPE CLASS                       a query (log-queries)
 *   CLIENT NAME TYPE CLASS RCODE SECS CACHED SIZE[ on PROTO ADDR PORT]
 *                                                an answer (log-replies; the
 *                                                "on ..." with log-destaddr);
 *                                                "CLIENT - - - FORMERR - - -"
 *                                                for a query it could not read
 *   ZONE ACTION CLIENT@PORT NAME TYPE CLASS      a local-zone action
 *   rpz: applied [NAME] RULE ACTION CLIENT@PORT NAME TYPE CLASS
 *
 * A local action or RPZ hit whose ACTION fixes the answer is an answer
 * record: refuse/always_refuse REFUSED, always_nxdomain/nxdomain NXDOMAIN,
 * always_nodata/nodata NOERROR without data, always_null NOERROR with
 * 0.0.0.0 (A) or :: (AAAA); other actions (inform, static, deny, drop,
 * passthru...) give a query record. Names lose their trailing dot (EVE's
 * form; the root stays "."). Other Unbound lines are skipped. An epoch
 * time is printed in UTC.
 */
#include <string.h>

#include "logs/logs.h"

#define MAX_WORDS 16

static lr_str strip_dot(lr_str s)
{
    if (s.n > 1 && s.p[s.n - 1] == '.')
        s.n--;
    return s;
}

static bool is_class(lr_str w)
{
    static const char *const c[] = {"IN", "CH", "HS", "NONE", "ANY"};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++)
        if (lr_eq(w, c[i]))
            return true;
    return w.n > 5 && w.n < 12 && memcmp(w.p, "CLASS", 5) == 0;
}

static bool is_type(lr_str w)
{
    if (w.n == 0 || w.n > 16 || w.p[0] < 'A' || w.p[0] > 'Z')
        return false;
    for (uint32_t i = 0; i < w.n; i++) {
        char c = w.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

static bool is_upper(lr_str w)
{
    if (w.n == 0 || w.n > 16)
        return false;
    for (uint32_t i = 0; i < w.n; i++)
        if (!((w.p[i] >= 'A' && w.p[i] <= 'Z') || (w.p[i] >= '0' && w.p[i] <= '9')))
            return false;
    return true;
}

/* The message after Unbound's own prefix. */
typedef struct ubline {
    bool epoch_ok;
    int64_t epoch;
    lr_str tag;                 /* "info", "query", "reply", ... */
    lr_str w[MAX_WORDS];
    int nw;
    bool more;                  /* more words than MAX_WORDS */
    bool file_time;             /* a log file's line with a written time */
} ubline;

/* "IDENT[PID:TID]" */
static bool ident_word(lr_str w)
{
    if (w.n < 4 || w.p[w.n - 1] != ']')
        return false;
    const char *b = memchr(w.p, '[', w.n);
    return b && b > w.p && memchr(b, ':', (size_t)(w.p + w.n - b)) != NULL;
}

static bool split(const lr_line *l, ubline *u)
{
    memset(u, 0, sizeof *u);
    const lr_syslog *s = l->sys;
    const char *m = s->msg;
    size_t n = s->msg_len;
    lr_cur c;
    lr_str w;
    if (!s->ok) {
        /* "[1700000000] unbound[1234:0] info: ..." */
        c = lr_cur_of(l->p, l->n);
        if (!lr_word(&c, &w) || w.n < 3 || w.p[0] != '[' || w.p[w.n - 1] != ']' ||
            !lr_num(w.p + 1, w.n - 2, &u->epoch))
            return false;
        u->epoch_ok = true;
        if (!lr_word(&c, &w) || !ident_word(w))
            return false;
    } else if (ident_word(s->host) && s->program.n && !s->pid.n) {
        /* log-time-ascii / log-time-iso: "Mmm dd hh:mm:ss unbound[1234:0]
         * info: ..." reads as host "unbound[1234:0]", program "info" */
        u->file_time = true;
        u->tag = s->program;
        c = lr_cur_of(m, n);
        while (u->nw < MAX_WORDS && lr_word(&c, &u->w[u->nw]))
            u->nw++;
        if (u->nw == MAX_WORDS && lr_word(&c, &w))
            u->more = true;
        return true;
    } else {
        if (!lr_eq(s->program, "unbound"))
            return false;
        c = lr_cur_of(m, n);
        /* syslog: "[PID:TID] info: ..." */
        lr_cur c2 = c;
        if (lr_word(&c2, &w) && w.n > 2 && w.p[0] == '[' && w.p[w.n - 1] == ']' &&
            memchr(w.p, ':', w.n))
            c = c2;
    }
    if (!lr_word(&c, &w) || w.n < 2 || w.p[w.n - 1] != ':')
        return false;
    u->tag = lr_s(w.p, w.n - 1);
    while (u->nw < MAX_WORDS && lr_word(&c, &u->w[u->nw]))
        u->nw++;
    if (u->nw == MAX_WORDS && lr_word(&c, &w))
        u->more = true;
    return true;
}

enum shape { S_NONE, S_QUERY, S_REPLY, S_FORMERR, S_ACTION };

static enum shape shape_of(const ubline *u, mm_ip *client)
{
    if (!lr_eq(u->tag, "info") && !lr_eq(u->tag, "query") && !lr_eq(u->tag, "reply"))
        return S_NONE;
    const lr_str *w = u->w;
    int n = u->nw;
    if (n >= 8 && lr_eq(w[1], "-") && lr_eq(w[4], "FORMERR") && lr_ip(w[0].p, w[0].n, client))
        return S_FORMERR;
    if ((n == 4 || n == 8 || n == 12) && is_type(w[2]) && is_class(w[3]) &&
        lr_ip(w[0].p, w[0].n, client)) {
        if (n == 4)
            return S_QUERY;
        if (is_upper(w[4]) && memchr(w[5].p, '.', w[5].n) && (n == 8 || lr_eq(w[8], "on")))
            return S_REPLY;
        return S_NONE;
    }
    /* ... ACTION CLIENT@PORT NAME TYPE CLASS */
    if (n >= 5 && !u->more && is_type(w[n - 2]) && is_class(w[n - 1])) {
        const lr_str *a = &w[n - 4];
        const char *at = NULL;
        for (uint32_t i = a->n; i > 0; i--)
            if (a->p[i - 1] == '@') {
                at = a->p + i - 1;
                break;
            }
        if (at && lr_ip(a->p, (size_t)(at - a->p), client))
            return S_ACTION;
    }
    return S_NONE;
}

static bool probe(const lr_line *l)
{
    ubline u;
    mm_ip ip;
    return split(l, &u) && shape_of(&u, &ip) != S_NONE;
}

static void epoch_time(mm_logrec *r, int64_t epoch)
{
    if (epoch < 0 || epoch > 253402300799) /* up to 9999-12-31 */
        return;
    r->ts_us = epoch * 1000000;
    r->tzoff = 0;
    r->has_ts = true;
}

/* The action of a local zone or RPZ rule: the rcode it answers with ("" for
 * an answer with data, NULL when it does not say). */
static const char *rcode_of_action(lr_str a, bool *null_data)
{
    *null_data = false;
    if (lr_eq(a, "refuse") || lr_eq(a, "always_refuse"))
        return "REFUSED";
    if (lr_eq(a, "always_nxdomain") || lr_eq(a, "nxdomain"))
        return "NXDOMAIN";
    if (lr_eq(a, "always_nodata") || lr_eq(a, "nodata"))
        return "NOERROR";
    if (lr_eq(a, "always_null")) {
        *null_data = true;
        return "NOERROR";
    }
    return NULL;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    ubline u;
    if (!split(l, &u))
        return LR_SKIP;
    mm_ip client;
    enum shape sh = shape_of(&u, &client);
    if (sh == S_NONE) {
        /* a log-queries line whose client is not an address */
        if ((u.nw == 4 || u.nw == 8) && is_type(u.w[2]) && is_class(u.w[3]) &&
            (lr_eq(u.tag, "info") || lr_eq(u.tag, "query") || lr_eq(u.tag, "reply")) &&
            u.w[1].n && u.w[1].p[u.w[1].n - 1] == '.')
            return lr_bad(cx, "client address '%.*s'", (int)(u.w[0].n > 60 ? 60 : u.w[0].n),
                          u.w[0].p);
        return LR_SKIP;
    }
    if (u.epoch_ok)
        epoch_time(r, u.epoch);
    else
        lr_time_syslog(cx, r, l);
    if (!u.file_time)
        r->host = l->sys->host;
    r->src_ip = client;
    const lr_str *w = u.w;
    int n = u.nw;
    switch (sh) {
    case S_QUERY:
        r->dns.type = "query";
        r->dns.rrname = strip_dot(w[1]);
        r->dns.rrtype = w[2];
        break;
    case S_FORMERR:
    case S_REPLY:
        r->dns.type = "answer";
        if (sh == S_REPLY) {
            r->dns.rrname = strip_dot(w[1]);
            r->dns.rrtype = w[2];
        }
        r->dns.rcode = w[4];
        if (n == 12 && lr_eq(w[8], "on")) {
            /* " on udp 192.0.2.53 53" */
            if (lr_eq(w[9], "udp"))
                r->proto = "UDP";
            else if (lr_eq(w[9], "tcp") || lr_eq(w[9], "dot") || lr_eq(w[9], "doh"))
                r->proto = "TCP";
            lr_ip(w[10].p, w[10].n, &r->dest_ip);
            lr_port(w[11].p, w[11].n, &r->dest_port);
        }
        break;
    case S_ACTION: {
        const lr_str *a = &w[n - 4];
        const char *at = a->p;
        for (uint32_t i = a->n; i > 0; i--)
            if (a->p[i - 1] == '@') {
                at = a->p + i - 1;
                break;
            }
        lr_port(at + 1, (size_t)(a->p + a->n - at - 1), &r->src_port);
        r->dns.rrname = strip_dot(w[n - 3]);
        r->dns.rrtype = w[n - 2];
        bool null_data;
        const char *rc = rcode_of_action(w[n - 5], &null_data);
        if (!rc) {
            r->dns.type = "query";
            break;
        }
        r->dns.type = "answer";
        r->dns.rcode = lr_s(rc, strlen(rc));
        if (null_data && (lr_eq(r->dns.rrtype, "A") || lr_eq(r->dns.rrtype, "AAAA"))) {
            lr_answer *an = &r->dns.answers[r->dns.n_answers++];
            an->rrname = r->dns.rrname;
            an->rrtype = r->dns.rrtype;
            an->ttl = -1;
            an->rdata = lr_eq(r->dns.rrtype, "A") ? lr_s("0.0.0.0", 7) : lr_s("::", 2);
        }
        break;
    }
    default:
        return LR_SKIP;
    }
    return LR_OK;
}

const mm_logfmt lf_unbound = {
    .name = "unbound",
    .event_type = "dns",
    .what = "Unbound log-queries / log-replies / log-local-actions (log file or syslog)",
    .example = "[1700000000] unbound[1234:0] info: 192.0.2.1 example.com. A IN NOERROR "
               "0.000000 1 62",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
