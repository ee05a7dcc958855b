/*
 * sshd.c - OpenSSH sshd logins: accepted and failed authentications, and the
 * connections that went away before authenticating (scanners, guessers).
 *
 *   Mar  7 18:53:20 bar sshd[1556]: Accepted password for rda from 192.0.2.113 port 52100 ssh2
 *   Feb 25 14:34:10 belka sshd[31602]: Failed password for invalid user ROOT from 194.117.26.69 port 50273 ssh2
 *
 * The lines are those of OpenSSH's auth.c (auth_log: "%s %s%s%s for %s%.100s
 * from %.200s port %d ssh2%s%s", the "Invalid user", "maximum
 * authentication attempts exceeded" and "User ... not allowed because"
 * lines), packet.c / sshd.c (disconnects, timeouts, key exchange that found
 * nothing in common) and of PAM behind sshd ("pam_unix(sshd:auth):
 * authentication failure; ... rhost=H user=U"); program "sshd", and
 * "sshd-session" / "sshd-auth" since OpenSSH 9.8 / 10.0. The lines taken are
 * those fail2ban's sshd filter (config/filter.d/sshd.conf, every mode) and
 * CrowdSec's sshd-logs parser count, in three kinds:
 *
 *  - an attempt: "Accepted ..." (success, auth.method the method), and the
 *    failures "Failed METHOD for [invalid user] U from H port N", "Invalid
 *    user U from H", PAM's "authentication failure" lines, "User U from H
 *    not allowed because ...", "ROOT LOGIN REFUSED FROM H", tcp-wrappers'
 *    "refused connect from NAME (IP)". "Failed publickey" for an existing
 *    user is not a failure (a client offers each of its keys in turn).
 *  - a connection that ended without getting in: "Connection closed|reset
 *    by [authenticating|invalid user U] H port N [preauth]", "Disconnected
 *    from ... [preauth]", "Received disconnect ...: 3: ... Auth fail" or
 *    "14: No supported authentication methods", "maximum authentication
 *    attempts exceeded", "Disconnecting: Too many authentication failures",
 *    "Did not receive identification string", "Unable to negotiate with H",
 *    timeouts before authentication, broken handshakes. Such a line is a
 *    failure record only when its connection (sshd's pid) logged no attempt
 *    before it, so that a guesser's three "Failed password" and the
 *    "Connection closed by authenticating user" after them are three
 *    failures, not four, while a scanner that never tried a password still
 *    gives one.
 *  - everything else of sshd (sessions, "Connection from", debug lines,
 *    "Postponed", "input_userauth_request") is skipped.
 *
 * PAM and sshd both log a wrong password ("pam_unix(sshd:auth):
 * authentication failure" then "Failed password for"): per connection the
 * one of them that comes second is paired with the first and skipped, so a
 * password tried once is one failure. A few lines have no address
 * ("Disconnecting: Too many authentication failures for root", "User root
 * not allowed because account is locked"): the address comes from the
 * connection's "Connection from H port N" line (LogLevel VERBOSE) when it
 * was seen, else the failure waits (LR_PENDING) for the connection's next
 * line that names it ("Connection closed by H"), as fail2ban does.
 *
 * State: a table of 1024 connections indexed by pid (a newer connection with
 * the same slot replaces the older one; a known pid seen from another
 * address is a new connection). Records: event_type "auth", auth.service
 * "ssh", auth.result "success" | "failure", auth.user, auth.method for
 * "Accepted"/"Failed" lines, src_ip / src_port the client (absent when sshd
 * wrote a host name, UseDNS, unless its connection's address is known), no
 * dest_port (the line does not say it). An "Accepted", "Failed", "Invalid
 * user" or "maximum authentication attempts" line without its "from HOST"
 * is malformed.
 */
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

#define NCONN 1024
#define USER_MAX 64

typedef struct sconn {
    uint64_t pid;
    bool used;
    bool attempted;          /* an attempt record was given for it */
    bool pending;            /* a failure waits for the connection's address */
    mm_ip ip;
    int32_t port;
    uint8_t pam_n, fail_n;   /* unpaired PAM / sshd password failures given */
    uint8_t user_n;
    char user[USER_MAX];
} sconn;

typedef struct sstate {
    sconn c[NCONN];
} sstate;

/* sshd's message (p..e) and pid, false when the line is not sshd's. Besides
 * the program names: "[sshd]: msg" with no program (fail2ban's samples) and
 * old PAM's "sshd(pam_unix)[pid]: msg" (Red Hat 4 era). */
static bool sshd_msg(const lr_line *l, const char **p, const char **e, lr_str *pid)
{
    const lr_syslog *s = l->sys;
    *p = s->msg;
    *e = s->msg + s->msg_len;
    *pid = s->pid;
    if (lr_eq(s->program, "sshd") || lr_eq(s->program, "sshd-session") ||
        lr_eq(s->program, "sshd-auth"))
        return true;
    if (s->program.n)
        return false;
    if (lr_eq(s->host, "[sshd]") || lr_eq(s->host, "[sshd]:"))
        return true;
    if (lr_starts(s->msg, s->msg_len, "sshd(pam_unix)[")) {
        const char *b = s->msg + 15, *q = b, *end = *e;
        while (q < end && q - b < 12 && *q >= '0' && *q <= '9')
            q++;
        if (end - q < 2 || q[0] != ']' || q[1] != ':')
            return false;
        *pid = lr_s(b, (size_t)(q - b));
        *p = q + 2;
        while (*p < end && **p == ' ')
            (*p)++;
        return true;
    }
    return false;
}

static bool probe(const lr_line *l)
{
    const char *p, *e;
    lr_str pid;
    return l->sys->ok && sshd_msg(l, &p, &e, &pid);
}

static bool starts(const char *p, const char *e, const char *t)
{
    return lr_starts(p, (size_t)(e - p), t);
}

static bool ends(const char *p, const char *e, const char *t)
{
    size_t k = strlen(t);
    return (size_t)(e - p) >= k && memcmp(e - k, t, k) == 0;
}

static const char *after(const char *p, const char *e, const char *t)
{
    return starts(p, e, t) ? p + strlen(t) : NULL;
}

/* A word that is an address ("1.2.3.4", "::ffff:1.2.3.4", "[::1]"), a
 * trailing ':' allowed ("from 1.2.3.4: 11: Bye"). */
static bool addr_word(lr_str w, mm_ip *ip)
{
    if (lr_ip(w.p, w.n, ip))
        return true;
    return w.n > 1 && w.p[w.n - 1] == ':' && lr_ip(w.p, w.n - 1, ip);
}

/* "H[ port N]" at p: the host word (up to a space, or a ':' ending it) and
 * the port; *end past what was read. */
static bool host_port(const char *p, const char *e, lr_str *host, int32_t *port,
                      const char **end)
{
    const char *h = p;
    while (p < e && *p != ' ')
        p++;
    if (p == h)
        return false;
    lr_str w = lr_s(h, (size_t)(p - h));
    mm_ip tmp;
    if (!lr_ip(w.p, w.n, &tmp) && w.n > 1 && w.p[w.n - 1] == ':') {
        w.n--;
        p--;
    }
    *host = w;
    *port = -1;
    if (e - p > 6 && memcmp(p, " port ", 6) == 0) {
        const char *d = p + 6, *q = d;
        while (q < e && *q >= '0' && *q <= '9')
            q++;
        if (q > d && lr_port(d, (size_t)(q - d), port))
            p = q;
    }
    *end = p;
    return true;
}

/* The " from H[ port N][ sshD]" of an auth_log line: the first one followed
 * by the end, ": " (extra info) or " [preauth]"; the user name before it
 * may hold " from " (a name is the client's to choose) and so may the
 * info after it. */
static bool auth_from(const char *p, const char *e, const char **user_end, lr_str *host,
                      int32_t *port)
{
    const char *s = p;
    for (int guard = 0; guard < 64 && s < e; guard++) {
        const char *f = lr_find(s, (size_t)(e - s), " from ");
        if (!f)
            break;
        const char *q;
        lr_str h;
        int32_t pt;
        if (host_port(f + 6, e, &h, &pt, &q)) {
            if (e - q >= 4 && memcmp(q, " ssh", 4) == 0) {
                q += 4;
                while (q < e && *q >= '0' && *q <= '9')
                    q++;
            }
            if (q == e || *q == ':' || (e - q >= 10 && memcmp(q, " [preauth]", 10) == 0)) {
                *user_end = f;
                *host = h;
                *port = pt;
                return true;
            }
        }
        s = f + 1;
    }
    return false;
}

/* " from H[ port N][ on A port P]" ending the line: the first " from "
 * whose rest is only that. */
static bool tail_from(const char *p, const char *e, const char *kw, const char **before,
                      lr_str *host, int32_t *port)
{
    const char *s = p;
    size_t kn = strlen(kw);
    for (int guard = 0; guard < 64 && s < e; guard++) {
        const char *f = lr_find(s, (size_t)(e - s), kw);
        if (!f)
            return false;
        const char *q;
        lr_str h;
        int32_t pt;
        if (host_port(f + kn, e, &h, &pt, &q)) {
            if (e - q >= 4 && memcmp(q, " on ", 4) == 0)
                q = e;   /* " on 10.0.0.1 port 22 [rdomain ...]" */
            if (e - q >= 4 && memcmp(q, " via", 4) == 0)
                q = e;   /* macOS: "from H via 192.168.1.201" */
            if (q == e) {
                *before = f;
                *host = h;
                *port = pt;
                return true;
            }
        }
        s = f + 1;
    }
    return false;
}

/* "[authenticating user U |invalid user U ]H[ port N]" ending the line
 * (Connection closed by, Disconnected from, Disconnecting): false when what
 * stands before the host is something else. */
static bool user_host(const char *p, const char *e, lr_str *user, lr_str *host, int32_t *port)
{
    /* the host is the word before " port N" at the end, or the last word */
    const char *q = e;
    int32_t pt = -1;
    const char *sp = q;
    while (sp > p && sp[-1] != ' ')
        sp--;
    if (sp > p && sp < q) {
        int32_t v;
        const char *kw = sp - 6;
        if (kw >= p && memcmp(kw, " port ", 6) == 0 && lr_port(sp, (size_t)(q - sp), &v)) {
            pt = v;
            q = kw;
        }
    }
    const char *h = q;
    while (h > p && h[-1] != ' ')
        h--;
    if (h == q)
        return false;
    *host = lr_s(h, (size_t)(q - h));
    *port = pt;
    *user = (lr_str){0};
    if (h == p)
        return true;
    const char *u;
    if ((u = after(p, h, "authenticating user ")) || (u = after(p, h, "invalid user ")) ||
        (u = after(p, h, "user "))) {
        const char *ue = h - 1;   /* the space before the host */
        if (ue < u)
            ue = u;
        *user = lr_s(u, (size_t)(ue - u));
        return true;
    }
    return false;
}

/* --- the connection table --- */

static sconn *conn_of(mm_logctx *cx, lr_str spid)
{
    int64_t pid;
    if (!lr_num(spid.p, spid.n, &pid))
        return NULL;
    void **st = lr_state(cx);
    if (!*st) {
        *st = calloc(1, sizeof(sstate));
        if (!*st)
            return NULL;
    }
    sstate *s = *st;
    sconn *c = &s->c[(uint64_t)pid % NCONN];
    if (!c->used || c->pid != (uint64_t)pid) {
        memset(c, 0, sizeof *c);
        c->used = true;
        c->pid = (uint64_t)pid;
        c->port = -1;
    }
    return c;
}

static void conn_reset(sconn *c)
{
    uint64_t pid = c->pid;
    memset(c, 0, sizeof *c);
    c->used = true;
    c->pid = pid;
    c->port = -1;
}

/* The line's address for its connection: a different one than known is a
 * new connection of a reused pid. */
static void conn_addr(sconn *c, const mm_ip *ip, int32_t port)
{
    if (!c || !ip->v)
        return;
    if (c->ip.v && memcmp(&c->ip, ip, sizeof *ip) != 0)
        conn_reset(c);
    c->ip = *ip;
    if (port >= 0)
        c->port = port;
}

static void free_state(void *st)
{
    free(st);
}

/* --- records --- */

enum { K_SKIP, K_BAD, K_SUCCESS, K_ATTEMPT, K_CONN, K_CLOSE };

typedef struct sline {
    int kind;
    bool pam;            /* a PAM failure (paired with sshd's) */
    bool pw;             /* sshd's password / keyboard-interactive failure */
    lr_str user, method, host;
    int32_t port;
    bool has_host;       /* the line names the client */
    bool last;           /* ends the connection's attempts */
} sline;

static void set_user(sline *s, const char *u, const char *ue)
{
    if (u && ue > u)
        s->user = lr_s(u, (size_t)(ue - u));
}

static bool set_tail(sline *s, const char *p, const char *e, const char *kw)
{
    const char *b;
    if (!tail_from(p, e, kw, &b, &s->host, &s->port))
        return false;
    s->has_host = true;
    return true;
}

/* A PAM failure "... [illegal user |invalid user ]U from H" at q. */
static int pam_for(sline *s, const char *q, const char *e)
{
    const char *u;
    if ((u = after(q, e, "illegal user ")) || (u = after(q, e, "invalid user ")))
        q = u;
    const char *b;
    if (tail_from(q, e, " from ", &b, &s->host, &s->port)) {
        s->has_host = true;
        set_user(s, q, b);
    }
    s->pam = true;
    return K_ATTEMPT;
}

/* A PAM "authentication failure; ... rhost=H user=U" at p. */
static int pam_kv(sline *s, const char *p, const char *e)
{
    lr_str v;
    if (lr_kv(p, (size_t)(e - p), "rhost", &v) && v.n) {
        s->host = v;
        s->has_host = true;
    }
    if (lr_kv(p, (size_t)(e - p), "user", &v) && v.n)
        s->user = v;
    s->pam = true;
    return K_ATTEMPT;
}

/* A connection's failure naming its client "H[ port N]" at q. */
static int conn_from(sline *s, const char *q, const char *e)
{
    const char *end;
    if (!host_port(q, e, &s->host, &s->port, &end))
        return K_SKIP;
    s->has_host = true;
    return K_CONN;
}

/* What the message says; p..e the message without prefixes and without a
 * trailing " [preauth]" (preauth tells whether it had one). */
static int classify(const char *p, const char *e, bool preauth, sline *s)
{
    const char *q, *u;
    s->port = -1;
    if ((q = after(p, e, "Accepted ")) || (q = after(p, e, "Failed "))) {
        bool ok = *p == 'A';
        const char *m = q;
        while (q < e && *q != ' ')
            q++;
        s->method = lr_s(m, (size_t)(q - m));
        if (!(q = after(q, e, " for ")))
            return K_BAD;
        bool invalid = false;
        if ((u = after(q, e, "invalid user ")) || (u = after(q, e, "illegal user "))) {
            invalid = true;
            q = u;
        }
        const char *ue;
        if (auth_from(q, e, &ue, &s->host, &s->port)) {
            s->has_host = true;
        } else {
            const char *b;
            if (!tail_from(q, e, " from ", &b, &s->host, &s->port))
                return K_BAD;
            s->has_host = true;
            ue = b;
        }
        set_user(s, q, ue);
        if (lr_eq(s->user, "<invalid username>"))
            s->user = (lr_str){0};
        if (ok)
            return K_SUCCESS;
        if (lr_eq(s->method, "publickey") && !invalid)
            return K_SKIP;   /* a client trying its keys one by one */
        s->pw = lr_eq(s->method, "password") || lr_starts(s->method.p, s->method.n,
                                                             "keyboard-interactive");
        return K_ATTEMPT;
    }
    if ((u = after(p, e, "Invalid user ")) || (u = after(p, e, "Illegal user ")) ||
        (u = after(p, e, "invalid user ")) || (u = after(p, e, "illegal user "))) {
        const char *b;
        if (!tail_from(u - 1, e, " from ", &b, &s->host, &s->port))
            return K_BAD;
        s->has_host = true;
        set_user(s, u, b);
        return K_ATTEMPT;
    }
    if ((q = after(p, e, "User not known to the underlying authentication module for ")))
        return pam_for(s, q, e);
    if ((u = after(p, e, "User "))) {
        const char *na = lr_find(u, (size_t)(e - u), " not allowed because ");
        if (!na)
            return K_SKIP;
        const char *b;
        lr_str h;
        int32_t pt;
        if (tail_from(u - 1, na, " from ", &b, &h, &pt)) {
            s->host = h;
            s->port = pt;
            s->has_host = true;
            set_user(s, u, b);
        } else {
            set_user(s, u, na);
        }
        return K_ATTEMPT;
    }
    if (starts(p, e, "ROOT LOGIN REFUSED")) {
        s->user = lr_s("root", 4);
        const char *f = lr_find(p, (size_t)(e - p), " FROM ");
        if (f) {
            const char *end;
            if (host_port(f + 6, e, &s->host, &s->port, &end))
                s->has_host = true;
        }
        return K_ATTEMPT;
    }
    if ((q = after(p, e, "refused connect from "))) {
        /* tcp wrappers: "refused connect from NAME (IP)" */
        if (e - q < 3 || e[-1] != ')')
            return K_SKIP;
        const char *o = e - 1;
        while (o > q && o[-1] != '(')
            o--;
        if (o <= q)
            return K_SKIP;
        s->host = lr_s(o, (size_t)(e - 1 - o));
        s->has_host = true;
        return K_ATTEMPT;
    }
    /* PAM: "pam_unix(sshd:auth): authentication failure; logname= uid=0
     * euid=0 tty=ssh ruser= rhost=H  user=U" (pam_sss and others alike) */
    if (starts(p, e, "pam_")) {
        const char *c = lr_find(p, (size_t)(e - p), "(sshd:auth): authentication failure;");
        if (!c || c - p > 32)
            return K_SKIP;
        return pam_kv(s, c, e);
    }
    if (starts(p, e, "authentication failure; ")) {
        /* old PAM: "sshd(pam_unix)[19939]: authentication failure; ... rhost=H" */
        return pam_kv(s, p, e);
    }
    /* "error: PAM: Authentication failure for [illegal user] U from H" */
    if ((q = after(p, e, "Authentication failure for ")) ||
        (q = after(p, e, "authentication failure for ")) ||
        (q = after(p, e, "Authentication error for ")) ||
        (q = after(p, e, "authentication error for "))) {
        return pam_for(s, q, e);
    }
    if ((q = after(p, e, "maximum authentication attempts exceeded for "))) {
        if ((u = after(q, e, "invalid user ")))
            q = u;
        const char *ue;
        if (!auth_from(q, e, &ue, &s->host, &s->port))
            return K_BAD;
        s->has_host = true;
        set_user(s, q, ue);
        s->last = true;
        return K_CONN;
    }
    if ((q = after(p, e, "Disconnecting: Too many authentication failures"))) {
        if ((q = after(q, e, " for ")))
            set_user(s, q, e);
        s->last = true;
        return K_CONN;
    }
    if ((q = after(p, e, "Disconnecting "))) {
        /* "Disconnecting invalid user U H port N: Too many authentication
         * failures" / "...: Change of username or service not allowed" */
        const char *c = lr_find(q, (size_t)(e - q), ": ");
        if (c && user_host(q, c, &s->user, &s->host, &s->port) && s->user.p) {
            s->has_host = true;
            /* a client that tried another user name in the same connection */
            return lr_find(c, (size_t)(e - c), "Change of username") ? K_ATTEMPT : K_CONN;
        }
        return K_SKIP;
    }
    if ((q = after(p, e, "Connection closed by ")) || (q = after(p, e, "Connection reset by ")) ||
        (q = after(p, e, "Disconnected from "))) {
        if (!user_host(q, e, &s->user, &s->host, &s->port))
            return K_SKIP;
        mm_ip ip;
        s->has_host = true;
        if (!s->user.p && !addr_word(s->host, &ip))
            return K_SKIP;
        /* without [preauth]: the end of a session, or of a connection
         * whose failure had no address yet */
        return preauth ? K_CONN : K_CLOSE;
    }
    if ((q = after(p, e, "Received disconnect from "))) {
        const char *end;
        if (!host_port(q, e, &s->host, &s->port, &end))
            return K_SKIP;
        s->has_host = true;
        while (end < e && (*end == ':' || *end == ' '))
            end++;
        if (starts(end, e, "3:") && ends(end, e, "Auth fail"))
            return K_CONN;
        if (starts(end, e, "14:") && lr_find(end, (size_t)(e - end), "authentication methods"))
            return K_CONN;
        return K_CLOSE;
    }
    if (starts(p, e, "Did not receive identification string from ") ||
        starts(p, e, "Bad protocol version identification ")) {
        /* the last " from ": the identification is the client's text */
        const char *f = NULL, *s2 = p;
        for (int g = 0; g < 64; g++) {
            const char *h = lr_find(s2, (size_t)(e - s2), " from ");
            if (!h)
                break;
            f = h;
            s2 = h + 1;
        }
        return f ? conn_from(s, f + 6, e) : K_SKIP;
    }
    if ((q = after(p, e, "banner exchange: Connection from ")) ||
        (q = after(p, e, "ssh_dispatch_run_fatal: Connection from ")) ||
        (q = after(p, e, "Unable to negotiate with ")))
        return conn_from(s, q, e);
    if ((q = after(p, e, "Timeout before authentication for "))) {
        if ((u = after(q, e, "connection from ")))
            q = u;
        return conn_from(s, q, e);
    }
    if (starts(p, e, "Magic value check failed")) {
        if (!set_tail(s, p, e, " from "))
            return K_SKIP;
        return K_CONN;
    }
    /* failures that name no address: it comes from the connection */
    if (starts(p, e, "Unable to negotiate a ") || starts(p, e, "no matching ") ||
        starts(p, e, "Read from socket failed: Connection reset by peer") ||
        starts(p, e, "kex_exchange_identification: client sent invalid protocol identifier") ||
        starts(p, e, "kex_exchange_identification: Connection closed by remote host") ||
        starts(p, e, "kex_exchange_identification: read: Connection reset by peer"))
        return K_CONN;
    return K_SKIP;
}

/* The message without the prefixes sshd, syslog and Solaris put before it. */
static void strip(const char **pp, const char **ep, bool *preauth)
{
    const char *p = *pp, *e = *ep;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    /* Solaris: "[ID 800047 auth.info] " */
    if (starts(p, e, "[ID ")) {
        const char *b = memchr(p, ']', (size_t)(e - p));
        if (b && b - p < 48) {
            p = b + 1;
            while (p < e && *p == ' ')
                p++;
        }
    }
    /* rsyslog: "message repeated 3 times: [ Failed password ...]" */
    if (starts(p, e, "message repeated ")) {
        const char *b = lr_find(p, (size_t)(e - p), ": [ ");
        if (b && b - p < 40 && e > b + 4 && e[-1] == ']') {
            p = b + 4;
            e--;
        }
    }
    for (int i = 0; i < 3; i++) {
        const char *q;
        if ((q = after(p, e, "error: ")) || (q = after(p, e, "fatal: ")) ||
            (q = after(p, e, "PAM: ")))
            p = q;
    }
    while (e > p && e[-1] == ' ')
        e--;
    *preauth = ends(p, e, " [preauth]");
    if (*preauth)
        e -= 10;
    while (e > p && e[-1] == ' ')
        e--;
    *pp = p;
    *ep = e;
}

static int record(mm_logctx *cx, const lr_line *l, mm_logrec *r, const sline *s,
                  const char *result, sconn *c)
{
    lr_time_syslog(cx, r, l);
    r->host = l->sys->host;
    r->auth.service = lr_s("ssh", 3);
    r->auth.result = result;
    if (s->user.p && s->user.n)
        r->auth.user = s->user;
    else if (c && c->user_n)
        r->auth.user = lr_s(c->user, c->user_n);
    if (s->method.n)
        r->auth.method = s->method;
    mm_ip ip;
    if (s->has_host && addr_word(s->host, &ip)) {
        r->src_ip = ip;
        if (s->port >= 0)
            r->src_port = s->port;
    } else if (c && c->ip.v) {
        /* no address on the line, or a host name (UseDNS): the connection's */
        r->src_ip = c->ip;
        if (c->port >= 0)
            r->src_port = c->port;
    }
    if (c) {
        c->pending = false;
        if (s->last)
            c->attempted = true;
    }
    return LR_OK;
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *p, *e;
    lr_str pid;
    if (!sshd_msg(l, &p, &e, &pid))
        return LR_SKIP;
    bool preauth;
    strip(&p, &e, &preauth);
    sconn *c = conn_of(cx, pid);

    /* "Connection from H port N on A port P": the connection's address */
    const char *q;
    if ((q = after(p, e, "Connection from ")) || (q = after(p, e, "SSH: Server;Ltype: "))) {
        if (*p == 'S') {
            q = lr_find(q, (size_t)(e - q), ";Remote: ");
            if (!q)
                return LR_SKIP;
            q += 9;
        }
        const char *a = q;
        while (q < e && *q != ' ' && *q != ';')
            q++;
        lr_str w = lr_s(a, (size_t)(q - a));
        if (*p == 'S') {
            /* "Remote: 127.0.0.1-1780" */
            const char *d = w.p + w.n;
            while (d > w.p && d[-1] != '-')
                d--;
            if (d > w.p)
                w.n = (uint32_t)(d - 1 - w.p);
        }
        mm_ip ip;
        int32_t port = -1;
        if (c && lr_ip(w.p, w.n, &ip)) {
            if (*p == 'C') {
                /* a new connection */
                conn_reset(c);
                if (e - q > 6 && memcmp(q, " port ", 6) == 0) {
                    const char *d = q + 6, *z = d;
                    while (z < e && *z >= '0' && *z <= '9')
                        z++;
                    lr_port(d, (size_t)(z - d), &port);
                }
            }
            conn_addr(c, &ip, port);
        }
        return LR_SKIP;
    }

    sline s;
    memset(&s, 0, sizeof s);
    int kind = classify(p, e, preauth, &s);
    mm_ip ip;
    bool has_ip = s.has_host && addr_word(s.host, &ip);
    if (has_ip)
        conn_addr(c, &ip, s.port);

    switch (kind) {
    case K_BAD:
        return lr_bad(cx, "sshd login line without its client (from HOST)");
    case K_SUCCESS:
        if (c) {
            c->attempted = true;
            c->pam_n = c->fail_n = 0;
        }
        return record(cx, l, r, &s, "success", c);
    case K_ATTEMPT:
        if (c) {
            c->attempted = true;
            /* PAM's and sshd's line of one wrong password */
            if (s.pam) {
                if (c->fail_n) {
                    c->fail_n--;
                    return LR_SKIP;
                }
                if (c->pam_n < 255)
                    c->pam_n++;
            } else if (s.pw) {
                if (c->pam_n) {
                    c->pam_n--;
                    return LR_SKIP;
                }
                if (c->fail_n < 255)
                    c->fail_n++;
            }
        }
        break;
    case K_CONN:
        if (c && c->attempted && !c->pending)
            return LR_SKIP;
        break;
    case K_CLOSE:
        /* a session's end: a record only for a failure waiting for it */
        if (c && c->pending && has_ip)
            return record(cx, l, r, &s, "failure", c);
        return LR_SKIP;
    default:
        return LR_SKIP;
    }
    if (!s.has_host && !(c && c->ip.v)) {
        /* no address yet: wait for the connection to name it */
        if (!c)
            return LR_SKIP;   /* no pid to wait on: nothing to attribute it to */
        c->pending = true;
        if (s.user.p && s.user.n) {
            size_t n = s.user.n < USER_MAX ? s.user.n : USER_MAX;
            memcpy(c->user, s.user.p, n);
            c->user_n = (uint8_t)n;
        }
        return LR_PENDING;
    }
    return record(cx, l, r, &s, "failure", c);
}

const mm_logfmt lf_sshd = {
    .name = "sshd",
    .event_type = "auth",
    .what = "OpenSSH sshd logins: accepted, failed, invalid users, pre-auth disconnects",
    .example = "Feb 25 14:34:10 belka sshd[31602]: Failed password for invalid user ROOT "
               "from 194.117.26.69 port 50273 ssh2",
    .syslog = true,
    .probe = probe,
    .parse = parse,
    .free_state = free_state,
};
