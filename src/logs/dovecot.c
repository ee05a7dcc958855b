/*
 * dovecot.c - Dovecot IMAP/POP3 logins and authentication failures.
 *
 *   Jun 13 16:30:54 mx dovecot: imap-login: Login: user=<bob>, method=PLAIN, rip=192.0.2.7,
 *       lip=192.0.2.1, mpid=1234, TLS, session=<abc>
 *   Jun 13 16:30:54 mx dovecot: imap-login: Disconnected (auth failed, 2 attempts in 12 secs):
 *       user=<bob>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1, TLS
 *
 * Dovecot's log (its own log_path, or syslog as program "dovecot"): a
 * process name ("imap-login:", "pop3-login:", "submission-login:",
 * "managesieve-login:", "auth:", "auth-worker(N):", "auth(default):"), an
 * optional level ("Info: "), the text. The login processes write, per
 * client connection (Dovecot's login-common/client-common.c): "Login:
 * user=<u>, method=M, rip=REMOTE, lip=LOCAL, ..." when it got in;
 * "Disconnected (auth failed, N attempts[ in S secs])", "Aborted login (auth
 * failed, ...)", "Login aborted: ... (auth failed, ...)" (2.3.11 and later),
 * "Disconnected: Inactivity (auth failed, ...)", or "(tried to use disabled
 * plaintext auth)" when it did not. With auth_verbose=yes the auth process
 * writes each wrong password: "pam(u,REMOTE[,session]): pam_authenticate()
 * failed: ...", "passwd-file(u,REMOTE): unknown user" / "Password mismatch"
 * / "invalid credentials" (any passdb); PAM itself "pam_unix(dovecot:auth):
 * authentication failure; ... rhost=REMOTE [user=u]". Those are fail2ban's
 * dovecot filter lines (normal mode); "no auth attempts" (aggressive mode
 * only, a client that tried nothing) is skipped.
 *
 * Records: event_type "auth", auth {service "imap" / "pop3" / "submission"
 * / "sieve" from the login process, "dovecot" for the auth process (which
 * serves them all), user, method (the SASL mechanism), result}, src_ip the
 * client (rip). A connection's "auth failed, N attempts" is one failure
 * record, not N (the line is a summary); with auth_verbose the auth
 * process's lines are records too, so such a log counts each attempt once
 * more. Times: the syslog header, Dovecot's own "YYYY-MM-DD HH:MM:SS", or
 * daemontools' TAI64N label ("@4000000050a7b3c2...").
 */
#include <string.h>

#include "logs/logs.h"

static const struct {
    const char *prefix, *service;
} procs[] = {
    {"imap-login: ", "imap"},          {"pop3-login: ", "pop3"},
    {"submission-login: ", "submission"}, {"managesieve-login: ", "sieve"},
    {"auth-worker(", "dovecot"},        {"auth(", "dovecot"},
    {"auth: ", "dovecot"},              {"dovecot-auth: ", "dovecot"},
};

static const char *after(const char *p, const char *e, const char *t)
{
    return lr_starts(p, (size_t)(e - p), t) ? p + strlen(t) : NULL;
}

/* The text after Dovecot's process name (and level), the service; NULL
 * when the line is not Dovecot's. */
static const char *dovecot_text(const lr_line *l, const char **end, const char **service)
{
    const char *p = l->p, *e = l->p + l->n;
    const lr_syslog *s = l->sys;
    bool prog = s->ok && (lr_eq(s->program, "dovecot") || lr_eq(s->program, "dovecot-auth") ||
                          lr_eq(s->program, "auth"));
    /* the process name comes first in the text: within the first 40 bytes
     * (a timestamp of Dovecot's own log, "dovecot: " of a nested name) */
    const char *from = prog ? s->msg : p;
    size_t span = (size_t)(e - from) < 60 ? (size_t)(e - from) : 60;
    const char *best = NULL;
    size_t k = 0;
    for (size_t i = 0; i < sizeof procs / sizeof procs[0]; i++) {
        /* at the start of the text or of a word */
        const char *h = lr_find_word(from, span, procs[i].prefix);
        if (h && h - from > 40)
            h = NULL;
        if (h && (!best || h < best)) {
            best = h;
            k = i;
        }
    }
    const char *q;
    if (best) {
        q = best + strlen(procs[k].prefix);
        if (procs[k].prefix[strlen(procs[k].prefix) - 1] == '(') {
            /* "auth-worker(1234): " */
            const char *c = memchr(q, ')', (size_t)(e - q));
            if (!c || c - q > 32 || e - c < 3 || c[1] != ':' || c[2] != ' ')
                return NULL;
            q = c + 3;
        }
        *service = procs[k].service;
    } else if (prog) {
        q = s->msg;   /* "dovecot: pam_unix(dovecot:auth): ..." */
        *service = "dovecot";
    } else {
        const char *h = lr_find(p, span, "pam_unix(dovecot:auth): ");
        if (!h)
            return NULL;
        q = h;
        *service = "dovecot";
    }
    /* "dovecot: auth(default): ..." nests the names: one more */
    for (int i = 0; i < 2; i++) {
        const char *w;
        if ((w = after(q, e, "Info: ")) || (w = after(q, e, "Warning: ")) ||
            (w = after(q, e, "Error: ")))
            q = w;
    }
    *end = e;
    return q;
}

static bool probe(const lr_line *l)
{
    const char *e, *svc;
    return dovecot_text(l, &e, &svc) != NULL;
}

/* "KEY=<value>" or "KEY=value" up to ',' */
static bool kv(const char *p, const char *e, const char *key, lr_str *v)
{
    size_t k = strlen(key);
    for (const char *s = p; s < e;) {
        const char *h = lr_find(s, (size_t)(e - s), key);
        if (!h)
            return false;
        if ((h == p || h[-1] == ' ' || h[-1] == ',' || h[-1] == '(') && h + k < e &&
            h[k] == '=') {
            const char *a = h + k + 1, *z;
            if (a < e && *a == '<') {
                a++;
                z = memchr(a, '>', (size_t)(e - a));
                if (!z)
                    z = e;
            } else {
                z = a;
                while (z < e && *z != ',' && *z != ' ')
                    z++;
            }
            *v = lr_s(a, (size_t)(z - a));
            return true;
        }
        s = h + 1;
    }
    return false;
}

/* Times: the syslog header, "YYYY-MM-DD HH:MM:SS" in front, TAI64N "@4000..." */
static void line_time(mm_logctx *cx, mm_logrec *r, const lr_line *l)
{
    const char *p = l->p;
    size_t n = l->n;
    if (n >= 25 && p[0] == '@' && p[1] == '4' && p[25] == ' ') {
        uint64_t sec = 0, nano = 0;
        for (int i = 1; i <= 16; i++) {
            char c = p[i];
            int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (h < 0)
                return;
            sec = sec * 16 + (uint64_t)h;
        }
        for (int i = 17; i <= 24; i++) {
            char c = p[i];
            int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (h < 0)
                return;
            nano = nano * 16 + (uint64_t)h;
        }
        uint64_t base = (uint64_t)1 << 62;
        if (sec < base || sec - base > (uint64_t)1 << 40 || nano >= 1000000000)
            return;
        r->ts_us = (int64_t)(sec - base) * 1000000 + (int64_t)(nano / 1000);
        r->tzoff = 0;
        r->has_ts = true;
        return;
    }
    if (n >= 19 && p[4] == '-' && p[7] == '-' && p[10] == ' ' && p[13] == ':' && p[16] == ':') {
        int64_t y, mo, d, h, mi, s;
        if (lr_num(p, 4, &y) && lr_num(p + 5, 2, &mo) && lr_num(p + 8, 2, &d) &&
            lr_num(p + 11, 2, &h) && lr_num(p + 14, 2, &mi) && lr_num(p + 17, 2, &s) && h < 24 &&
            mi < 60 && s <= 60) {
            lr_set_time(cx, r, (int)y, (int)mo, (int)d, (int)h, (int)mi, (int)s, 0, false, 0);
            return;
        }
    }
    if (lr_time_syslog(cx, r, l))
        r->host = l->sys->host;
}

static int record(mm_logctx *cx, const lr_line *l, mm_logrec *r, const char *service,
                  const char *result, lr_str user, lr_str method, lr_str rip)
{
    if (!rip.n || !lr_ip(rip.p, rip.n, &r->src_ip))
        return lr_bad(cx, "Dovecot login line without the client's address");
    line_time(cx, r, l);
    r->auth.service = lr_s(service, strlen(service));
    r->auth.result = result;
    if (user.n)
        r->auth.user = user;
    if (method.n)
        r->auth.method = method;
    return LR_OK;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *e, *svc;
    const char *p = dovecot_text(l, &e, &svc);
    if (!p)
        return LR_SKIP;
    while (e > p && (e[-1] == ' ' || e[-1] == '\r'))
        e--;
    lr_str user = {0}, method = {0}, rip = {0};
    const char *q;

    if ((q = after(p, e, "Login: "))) {
        kv(q, e, "user", &user);
        kv(q, e, "method", &method);
        kv(q, e, "rip", &rip);
        return record(cx, l, r, svc, "success", user, method, rip);
    }
    if (lr_starts(p, (size_t)(e - p), "Disconnected") || lr_starts(p, (size_t)(e - p), "Aborted login") ||
        lr_starts(p, (size_t)(e - p), "Login aborted")) {
        /* the reason in parentheses before the ": user=..., rip=..." part */
        const char *c = lr_find(p, (size_t)(e - p), "): ");
        const char *fields = c ? c + 3 : e;
        size_t head = (size_t)(fields - p);
        bool failed = lr_find(p, head, "(auth failed, ") ||
                      lr_find(p, head, "(tried to use disabled ") ||
                      lr_find(p, head, "(tried to use disallowed ");
        if (!failed)
            return LR_SKIP;   /* no auth attempts, a client that went away */
        kv(fields, e, "user", &user);
        kv(fields, e, "method", &method);
        kv(fields, e, "rip", &rip);
        return record(cx, l, r, svc, "failure", user, method, rip);
    }
    /* PAM: "pam_unix(dovecot:auth): authentication failure; ... rhost=H [user=U]" */
    if ((q = after(p, e, "pam_unix(dovecot:auth): authentication failure;"))) {
        kv(q, e, "rhost", &rip);
        kv(q, e, "user", &user);
        return record(cx, l, r, "dovecot", "failure", user, method, rip);
    }
    /* the auth process: "pam(u,1.2.3.4[,session]): pam_authenticate() failed: ...",
     * "passwd-file(u,1.2.3.4): unknown user" and other passdbs */
    const char *o = p;
    while (o < e && o - p < 16 && ((*o >= 'a' && *o <= 'z') || *o == '-'))
        o++;
    if (o > p && o < e && *o == '(') {
        const char *c = memchr(o, ')', (size_t)(e - o));
        if (!c || e - c < 3 || c[1] != ':' || c[2] != ' ')
            return LR_SKIP;
        const char *why = c + 3;
        size_t wn = (size_t)(e - why);
        bool fail = (lr_starts(p, (size_t)(e - p), "pam(") &&
                     lr_starts(why, wn, "pam_authenticate() failed")) ||
                    lr_starts(why, wn, "unknown user") || lr_starts(why, wn, "Password mismatch") ||
                    lr_starts(why, wn, "invalid credentials");
        if (!fail)
            return LR_SKIP;
        /* "u,1.2.3.4[,<session>]": the user may hold commas; the address
         * is the field after the last comma that parses as one */
        const char *a = o + 1;
        const char *last = NULL, *lastend = NULL;
        for (const char *x = a; x < c; x++) {
            if (*x != ',')
                continue;
            const char *y = x + 1, *z = y;
            while (z < c && *z != ',')
                z++;
            mm_ip ip;
            if (lr_ip(y, (size_t)(z - y), &ip)) {
                last = x;
                lastend = z;
            }
        }
        if (!last)
            return lr_bad(cx, "Dovecot auth failure without the client's address");
        user = lr_s(a, (size_t)(last - a));
        rip = lr_s(last + 1, (size_t)(lastend - last - 1));
        return record(cx, l, r, "dovecot", "failure", user, method, rip);
    }
    return LR_SKIP;
}

const mm_logfmt lf_dovecot = {
    .name = "dovecot",
    .event_type = "auth",
    .what = "Dovecot IMAP/POP3 logins and authentication failures",
    .example = "Jun 13 16:30:54 mx dovecot: imap-login: Disconnected (auth failed, 2 attempts): "
               "user=<bob>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1, TLS",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
