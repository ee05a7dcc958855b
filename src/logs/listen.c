/*
 * listen.c - the syslog listener (see listen.h).
 *
 * One thread, one poll() loop over a UDP socket, a TCP listening socket and
 * the TCP connections. A sender is a source address: it has a reading
 * context of its own (its format, found from its lines; a Postfix stream's
 * open messages) and a token bucket for its rate. Senders are kept in a
 * small table; when it is full the one heard from longest ago is finished
 * (its held records written) and replaced.
 *
 * A TCP connection's framing is decided per message: a message that starts
 * with digits and a space is octet-counted (RFC 6587 3.4.1), else it runs
 * to the next LF (or NUL). A frame or line longer than LR_MAX_LINE is
 * dropped and counted; a connection that sends one is closed.
 */
#include "logs/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_TCP_HARD 256
#define TCP_BUF (LR_MAX_LINE + 16)

typedef struct sender {
    mm_ip ip;
    bool used;
    char name[64];              /* "udp:192.0.2.1", shown as the record's log.file */
    mm_logctx cx;
    double tokens;
    uint64_t last_ns;           /* last heard (and last refill) */
} sender;

typedef struct tcpconn {
    int fd;
    mm_ip ip;
    char *buf;
    size_t len;
} tcpconn;

struct mm_listen {
    const mm_listen_cfg *c;
    mm_segw *out;
    mm_json j;
    sender *snd;
    size_t nsnd;
    tcpconn tcp[MAX_TCP_HARD];
    size_t ntcp;
    mm_listen_stats st;
    char *mbuf;                 /* a message being parsed (LR_MAX_LINE + 1) */
    char *dgram;                /* a datagram (64 KiB) */
    int ufd, tfd;
};
typedef struct mm_listen L;

void mm_listen_defaults(mm_listen_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->rate = 2000;
    c->max_senders = 64;
    c->max_tcp = 64;
    c->stats_interval_s = 60;
}

void mm_listen_stats_get(const mm_listen *l, mm_listen_stats *st)
{
    *st = l->st;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* "ADDR:PORT", "[v6]:PORT" or ":PORT" into a socket address. */
static bool parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[64];
    const char *colon;
    if (s[0] == '[') {
        const char *e = strchr(s, ']');
        if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof host)
            return false;
        memcpy(host, s + 1, (size_t)(e - s - 1));
        host[e - s - 1] = 0;
        colon = e + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host)
            return false;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = 0;
    }
    uint64_t port;
    if (!mm_parse_uint(colon + 1, 65535, &port))
        return false;
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (!host[0] || strcmp(host, "0.0.0.0") == 0 || inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof *a4;
        return true;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        return true;
    }
    return false;
}

static int open_sock(const char *spec, int type, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (!parse_addr(spec, &ss, &sl)) {
        snprintf(err, errlen, "'%s': expected ADDR:PORT ([v6]:PORT)", spec);
        return -1;
    }
    int fd = socket(ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, errlen, "%s: socket: %s", spec, strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (type == SOCK_DGRAM) {
        int rcv = 4 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    }
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || (type == SOCK_STREAM && listen(fd, 64) != 0)) {
        snprintf(err, errlen, "%s: %s", spec, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void ip_of(const struct sockaddr_storage *ss, mm_ip *ip)
{
    memset(ip, 0, sizeof *ip);
    if (ss->ss_family == AF_INET) {
        memcpy(ip->b, &((const struct sockaddr_in *)ss)->sin_addr, 4);
        ip->v = 4;
    } else if (ss->ss_family == AF_INET6) {
        memcpy(ip->b, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
        ip->v = 6;
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(ip->b, mapped, 12) == 0) {
            memmove(ip->b, ip->b + 12, 4);
            memset(ip->b + 4, 0, 12);
            ip->v = 4;
        }
    }
}

/* --- records out --- */

static int on_rec(void *user, const mm_logrec *r, const mm_logctx *cx)
{
    L *l = user;
    lr_write_json(r, cx, &l->j);
    if (l->j.oom)
        return 0;
    mj_append(&l->j, "\n", 1);
    if (mm_segw_write(l->out, l->j.s, l->j.len) != 0)
        l->st.write_errors++;
    return 0;
}

static void sender_finish(L *l, sender *s)
{
    uint64_t before = s->cx.st.records;
    mm_logctx_finish(&s->cx, on_rec, l);
    l->st.records += s->cx.st.records - before;   /* the records held to the end */
    mm_logctx_free(&s->cx);
    s->used = false;
}

static sender *sender_of(L *l, const mm_ip *ip, const char *proto, uint64_t now)
{
    sender *oldest = NULL;
    for (size_t i = 0; i < l->nsnd; i++) {
        sender *s = &l->snd[i];
        if (s->used && s->ip.v == ip->v && memcmp(s->ip.b, ip->b, 16) == 0)
            return s;
        if (!s->used || !oldest || (oldest->used && s->last_ns < oldest->last_ns))
            oldest = s;
    }
    if (!oldest)
        return NULL;
    if (oldest->used) {
        l->st.drop_senders++;       /* a sender forgotten to make room */
        sender_finish(l, oldest);
    }
    sender *s = oldest;
    memset(s, 0, sizeof *s);
    s->used = true;
    s->ip = *ip;
    char a[MM_IPSTR_LEN];
    mm_ip_str(ip, a);
    snprintf(s->name, sizeof s->name, "%s:%s", proto, a);
    mm_logctx_init(&s->cx, &l->c->opt, s->name,
                   l->c->opt.format ? mm_log_format(l->c->opt.format) : NULL,
                   (int64_t)(now / 1000));
    s->cx.site = l->c->site;
    s->cx.sensor = l->c->sensor;
    s->tokens = 2.0 * l->c->rate;
    s->last_ns = now;
    return s;
}

static bool allowed(L *l, const mm_ip *ip)
{
    if (l->c->allow && !mm_netlist_contains(l->c->allow, ip)) {
        l->st.drop_not_allowed++;
        return false;
    }
    return true;
}

/* One message from a sender: each of its lines through the sender's
 * context, the format found from the line when the sender has none or the
 * line is not of its format. */
static void message(L *l, const mm_ip *ip, const char *proto, const char *msg, size_t n)
{
    /* a copy: lines are cut in place, and a frame is followed by the next */
    if (n > LR_MAX_LINE) {
        l->st.drop_long++;
        return;
    }
    memcpy(l->mbuf, msg, n);
    l->mbuf[n] = 0;
    char *p = l->mbuf;
    uint64_t now = now_ns();
    sender *s = sender_of(l, ip, proto, now);
    if (!s)
        return;
    /* refill */
    double add = (double)(now - s->last_ns) / 1e9 * l->c->rate;
    s->tokens = s->tokens + add > 2.0 * l->c->rate ? 2.0 * l->c->rate : s->tokens + add;
    s->last_ns = now;
    mm_logctx_set_ref(&s->cx, (int64_t)(now / 1000));
    char *e = p + n;
    while (p < e) {
        char *nl = memchr(p, '\n', (size_t)(e - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(e - p);
        char *line = p;
        p += len + (nl ? 1 : 0);
        while (len && (line[len - 1] == '\r' || line[len - 1] == 0))
            len--;
        if (!len)
            continue;
        if (s->tokens < 1.0) {
            l->st.drop_rate++;
            continue;
        }
        s->tokens -= 1.0;
        line[len] = 0;
        l->st.lines++;
        if (!l->c->opt.format) {
            lr_syslog sys;
            lr_syslog_parse(line, len, &sys);
            lr_line ln = {line, len, &sys, 0};
            if (!s->cx.fmt || !s->cx.fmt->probe(&ln)) {
                const char *one[1] = {line};
                const mm_logfmt *f = mm_logs_detect(one, 1);
                if (f)
                    s->cx.fmt = f;
            }
        }
        uint64_t before = s->cx.st.records;
        int rc = mm_logctx_line(&s->cx, line, len, on_rec, l);
        if (rc == LR_BAD)
            l->st.malformed++;
        else if (rc == LR_SKIP)
            l->st.skipped++;
        l->st.records += s->cx.st.records - before;
    }
}

/* --- TCP --- */

static void tcp_close(L *l, size_t i)
{
    close(l->tcp[i].fd);
    free(l->tcp[i].buf);
    l->tcp[i] = l->tcp[--l->ntcp];
}

/* The complete messages in a connection's buffer; false when the
 * connection is to be closed (a message too long). */
int mm_syslog_frame(const char *p, size_t n, const char **msg, size_t *len, size_t *used)
{
    /* octet counting: "LEN SP MSG" (LEN without leading zeros) */
    size_t k = 0;
    uint64_t flen = 0;
    while (k < n && k < 7 && p[k] >= '0' && p[k] <= '9')
        flen = flen * 10 + (uint64_t)(p[k++] - '0');
    if (k > 0 && k < n && p[k] == ' ' && p[0] != '0') {
        if (flen > LR_MAX_LINE)
            return MM_FRAME_TOO_LONG;
        if (n - k - 1 < flen)
            return MM_FRAME_MORE;
        *msg = p + k + 1;
        *len = (size_t)flen;
        *used = k + 1 + (size_t)flen;
        return MM_FRAME_MSG;
    }
    if (k > 0 && k == n)
        return MM_FRAME_MORE;           /* digits so far: wait */
    /* non-transparent framing: to LF or NUL */
    const char *nl = memchr(p, '\n', n), *nul = memchr(p, 0, n);
    if (nul && (!nl || nul < nl))
        nl = nul;
    if (!nl)
        return MM_FRAME_MORE;
    *msg = p;
    *len = (size_t)(nl - p);
    *used = *len + 1;
    return MM_FRAME_MSG;
}

/* The complete messages in a connection's buffer; false when the
 * connection is to be closed (a message too long). */
static bool tcp_frames(L *l, tcpconn *t)
{
    size_t off = 0;
    while (off < t->len) {
        const char *msg;
        size_t len, used;
        int rc = mm_syslog_frame(t->buf + off, t->len - off, &msg, &len, &used);
        if (rc == MM_FRAME_TOO_LONG) {
            l->st.drop_long++;
            return false;
        }
        if (rc == MM_FRAME_MORE)
            break;
        message(l, &t->ip, "tcp", msg, len);
        off += used;
    }
    if (off) {
        memmove(t->buf, t->buf + off, t->len - off);
        t->len -= off;
    }
    if (t->len >= TCP_BUF) {
        l->st.drop_long++;
        return false;
    }
    return true;
}

static void tcp_read(L *l, size_t i)
{
    tcpconn *t = &l->tcp[i];
    for (;;) {
        ssize_t k = read(t->fd, t->buf + t->len, TCP_BUF - t->len);
        if (k > 0) {
            t->len += (size_t)k;
            if (!tcp_frames(l, t)) {
                tcp_close(l, i);
                return;
            }
            continue;
        }
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        /* closed: what is left is a last message without its newline */
        if (t->len)
            message(l, &t->ip, "tcp", t->buf, t->len);
        tcp_close(l, i);
        return;
    }
}

static void tcp_accept(L *l, int lfd)
{
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            return;
        mm_ip ip;
        ip_of(&ss, &ip);
        l->st.tcp_accepted++;
        if (!allowed(l, &ip)) {
            close(fd);
            continue;
        }
        size_t max = l->c->max_tcp < MAX_TCP_HARD ? l->c->max_tcp : MAX_TCP_HARD;
        char *buf = l->ntcp < max ? malloc(TCP_BUF + 1) : NULL;
        if (!buf) {
            l->st.drop_tcp++;
            close(fd);
            continue;
        }
        l->tcp[l->ntcp++] = (tcpconn){fd, ip, buf, 0};
    }
}

/* --- stats --- */

static void write_stats(L *l)
{
    mm_json *j = &l->j;
    char ts[MM_TS_LEN];
    mm_fmt_ts(now_ns(), ts);
    size_t live = 0;
    for (size_t i = 0; i < l->nsnd; i++)
        live += l->snd[i].used;
    l->st.senders = live;
    mj_reset(j);
    mj_obj_open(j, NULL);
    mj_str(j, "timestamp", ts);
    mj_str(j, "event_type", "stats");
    mj_obj_open(j, "stats");
    mj_obj_open(j, "logs");
    mj_u64(j, "datagrams", l->st.datagrams);
    mj_u64(j, "tcp_connections", l->st.tcp_accepted);
    mj_u64(j, "lines", l->st.lines);
    mj_u64(j, "records", l->st.records);
    mj_u64(j, "skipped", l->st.skipped);
    mj_u64(j, "malformed", l->st.malformed);
    mj_u64(j, "senders", l->st.senders);
    mj_obj_open(j, "dropped");
    mj_u64(j, "not_allowed", l->st.drop_not_allowed);
    mj_u64(j, "rate", l->st.drop_rate);
    mj_u64(j, "senders", l->st.drop_senders);
    mj_u64(j, "tcp", l->st.drop_tcp);
    mj_u64(j, "too_long", l->st.drop_long);
    mj_u64(j, "write_errors", l->st.write_errors);
    mj_obj_close(j);
    mj_obj_close(j);
    mj_obj_close(j);
    if (l->c->site || l->c->sensor) {
        mj_obj_open(j, "mimamori");
        if (l->c->site)
            mj_str(j, "site", l->c->site);
        if (l->c->sensor)
            mj_str(j, "sensor", l->c->sensor);
        mj_obj_close(j);
    }
    mj_obj_close(j);
    mj_append(j, "\n", 1);
    if (!j->oom && mm_segw_write(l->out, j->s, j->len) != 0)
        l->st.write_errors++;
}

/* "udp 127.0.0.1:5514": where a socket is bound (port 0 picks one). */
static void say_bound(int fd, const char *proto, bool quiet)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (quiet || getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return;
    char a[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof a);
        port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        fprintf(stderr, "mimamori logs listen: %s %s:%u\n", proto, a, port);
    } else {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof a);
        port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        fprintf(stderr, "mimamori logs listen: %s [%s]:%u\n", proto, a, port);
    }
}

void mm_listen_close(mm_listen *l)
{
    if (!l)
        return;
    for (size_t i = 0; l->snd && i < l->nsnd; i++)
        if (l->snd[i].used)
            mm_logctx_free(&l->snd[i].cx);
    while (l->ntcp)
        tcp_close(l, l->ntcp - 1);
    if (l->ufd >= 0)
        close(l->ufd);
    if (l->tfd >= 0)
        close(l->tfd);
    free(l->dgram);
    free(l->mbuf);
    free(l->snd);
    mj_free(&l->j);
    free(l);
}

mm_listen *mm_listen_open(const mm_listen_cfg *c, char *err, size_t errlen)
{
    L *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    l->c = c;
    l->ufd = l->tfd = -1;
    mj_init(&l->j);
    l->nsnd = c->max_senders ? c->max_senders : 256;
    l->snd = calloc(l->nsnd, sizeof *l->snd);
    l->mbuf = malloc(LR_MAX_LINE + 1);
    l->dgram = malloc(65536);
    if (!l->snd || !l->dgram || !l->mbuf) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (c->udp && (l->ufd = open_sock(c->udp, SOCK_DGRAM, err, errlen)) < 0)
        goto fail;
    if (c->tcp && (l->tfd = open_sock(c->tcp, SOCK_STREAM, err, errlen)) < 0)
        goto fail;
    if (l->ufd < 0 && l->tfd < 0) {
        snprintf(err, errlen, "nothing to listen on: give --udp and/or --tcp");
        goto fail;
    }
    if (l->ufd >= 0)
        say_bound(l->ufd, "udp", c->quiet);
    if (l->tfd >= 0)
        say_bound(l->tfd, "tcp", c->quiet);
    return l;
fail:
    mm_listen_close(l);
    return NULL;
}

int mm_listen_run(mm_listen *l, mm_segw *out, volatile sig_atomic_t *stop, char *err,
                  size_t errlen)
{
    const mm_listen_cfg *c = l->c;
    l->out = out;
    int ufd = l->ufd, tfd = l->tfd, rc = 0;
    char *dgram = l->dgram;
    uint64_t interval = (uint64_t)(c->stats_interval_s ? c->stats_interval_s : 60) * 1000000000ULL;
    uint64_t next_stats = mono_ns() + interval;
    while (!*stop) {
        struct pollfd pf[2 + MAX_TCP_HARD];
        size_t np = 0;
        if (ufd >= 0)
            pf[np++] = (struct pollfd){ufd, POLLIN, 0};
        if (tfd >= 0)
            pf[np++] = (struct pollfd){tfd, POLLIN, 0};
        size_t base = np;
        for (size_t i = 0; i < l->ntcp; i++)
            pf[np++] = (struct pollfd){l->tcp[i].fd, POLLIN, 0};
        int k = poll(pf, (nfds_t)np, 500);
        if (k < 0 && errno != EINTR) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            rc = -1;
            break;
        }
        if (k > 0) {
            size_t pi = 0;
            if (ufd >= 0 && (pf[pi++].revents & POLLIN)) {
                for (int burst = 0; burst < 1024; burst++) {
                    struct sockaddr_storage ss;
                    socklen_t sl = sizeof ss;
                    ssize_t n = recvfrom(ufd, dgram, 65535, 0, (struct sockaddr *)&ss, &sl);
                    if (n < 0)
                        break;
                    l->st.datagrams++;
                    mm_ip ip;
                    ip_of(&ss, &ip);
                    if (!allowed(l, &ip))
                        continue;
                    message(l, &ip, "udp", dgram, (size_t)n);
                }
            }
            if (tfd >= 0 && (pf[pi++].revents & POLLIN))
                tcp_accept(l, tfd);
            /* connections in reverse: tcp_close moves the last one down */
            for (size_t i = np; i-- > base;) {
                if (pf[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                    size_t ci = i - base;
                    if (ci < l->ntcp && l->tcp[ci].fd == pf[i].fd)
                        tcp_read(l, ci);
                }
            }
        }
        uint64_t m = mono_ns();
        mm_segw_tick(out, now_ns());
        if (m >= next_stats) {
            write_stats(l);
            next_stats = m + interval;
        }
    }
    /* the end: records senders still hold (joined mail), the last stats */
    for (size_t i = 0; i < l->nsnd; i++)
        if (l->snd[i].used)
            sender_finish(l, &l->snd[i]);
    while (l->ntcp)
        tcp_close(l, l->ntcp - 1);
    write_stats(l);
    return rc;
}
