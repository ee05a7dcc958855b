/*
 * probe.c - TCP connect probes, many at once (see probe.h for the door).
 *
 * One thread, one epoll set, a fixed table of slots (parallel of them):
 * a slot is a non-blocking connect in progress, then, on an open port
 * whose banner is asked for, the exchange that tells what answers. New
 * connects start at most `rate` a second. Every slot has a deadline;
 * a connect past it is filtered, a banner past it is what came so far.
 *
 * Discovery (for audits of many addresses) first asks each address on a
 * few common ports; an address that neither accepts nor refuses any of
 * them is down and not probed further (nmap's host discovery does the
 * same with ports 80 and 443 when it may not send raw packets).
 */
#include "exposure/probe.h"
#include "exposure/banner.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const uint16_t discovery_ports[] = {80, 443, 22, 445, 3389};
enum { HOST_UP = 1, HOST_UNREACHABLE = 2 };   /* what discovery learnt */

const char *mm_port_state_name(mm_port_state s)
{
    switch (s) {
    case MM_PS_OPEN: return "open";
    case MM_PS_CLOSED: return "closed";
    default: return "filtered";
    }
}

void mm_probe_opts_default(mm_probe_opts *o)
{
    memset(o, 0, sizeof *o);
    o->timeout_ms = 2000;
    o->parallel = 1024;
    o->rate = 1000;
    o->banners = false;
    o->banner_ms = 2000;
    o->discovery = false;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

typedef enum { SL_FREE, SL_CONNECT, SL_BANNER } slot_phase;

typedef struct slot {
    slot_phase phase;
    int fd;
    size_t ti;                  /* target index */
    uint16_t port;
    uint64_t start, deadline;
    mm_banner_kind bk;
    uint8_t *buf;               /* the reply (MM_BANNER_READ_MAX) */
    size_t blen;
    uint8_t out[640];           /* what we send first */
    size_t olen, osent;
} slot;

typedef struct run {
    const mm_probe_targets *t;
    const uint16_t *ports;
    size_t nports;
    const mm_probe_opts *o;
    mm_probe_cb cb;
    void *u;
    int ep;
    slot *s;
    size_t ns, active;
    /* the next probe: target ti (among the up ones, via up[]), port pi */
    size_t ti, pi;
    const uint8_t *up;          /* per target: probe it (NULL: all) */
    uint8_t *answered;          /* discovery: the target answered */
    uint64_t next_start, gap_ns;
    bool stopped;
    mm_probe_stats *st;
} run;

static void slot_close(run *r, slot *s)
{
    if (s->fd >= 0) {
        epoll_ctl(r->ep, EPOLL_CTL_DEL, s->fd, NULL);
        close(s->fd);
    }
    s->fd = -1;
    s->phase = SL_FREE;
    s->blen = s->olen = s->osent = 0;
    free(s->buf);               /* only an open port's exchange holds one */
    s->buf = NULL;
    r->active--;
}

static int report(run *r, slot *s, mm_port_state state, int err)
{
    mm_probe_result res;
    memset(&res, 0, sizeof res);
    mm_probe_targets_get(r->t, s->ti, &res.addr);
    res.port = s->port;
    res.state = state;
    res.err = err;
    if (state != MM_PS_FILTERED) {
        uint64_t us = (mono_ns() - s->start) / 1000;
        res.rtt_us = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    }
    if (s->phase == SL_BANNER)
        mm_banner_read(s->bk, s->port, s->buf, s->blen, &res);
    if (r->answered) {
        /* discovery: nothing reported; an address that answered is up, one
         * the network says cannot be reached is down: neither is asked again */
        if (state != MM_PS_FILTERED)
            r->answered[s->ti] = HOST_UP;
        else if (err == EHOSTUNREACH || err == ENETUNREACH || err == EHOSTDOWN)
            r->answered[s->ti] = HOST_UNREACHABLE;
        return 0;
    }
    r->st->probes++;
    if (state == MM_PS_OPEN)
        r->st->open++;
    else if (state == MM_PS_CLOSED)
        r->st->closed++;
    else
        r->st->filtered++;
    if (r->cb && r->cb(r->u, &res) != 0)
        r->stopped = true;
    return 0;
}

/* The connect is answered: open or closed, or an error that means no
 * answer came from the port (an ICMP unreachable: filtered, as nmap). */
static void finish_connect(run *r, slot *s, int err)
{
    if (err == 0) {
        if (r->o->banners && !r->answered) {
            mm_ip a;
            mm_probe_targets_get(r->t, s->ti, &a);
            s->bk = mm_banner_opening(s->port, &a, NULL, s->out, sizeof s->out, &s->olen);
            s->osent = 0;
            if (!s->buf && !(s->buf = malloc(MM_BANNER_READ_MAX))) {
                report(r, s, MM_PS_OPEN, 0);    /* no memory: open, unasked */
                slot_close(r, s);
                return;
            }
            s->blen = 0;
            s->phase = SL_BANNER;
            s->deadline = mono_ns() + (uint64_t)r->o->banner_ms * 1000000ull;
            struct epoll_event ev = {.events = EPOLLIN | (s->olen ? EPOLLOUT : 0),
                                     .data.ptr = s};
            if (epoll_ctl(r->ep, EPOLL_CTL_MOD, s->fd, &ev) == 0)
                return;
            s->phase = SL_CONNECT;
        }
        report(r, s, MM_PS_OPEN, 0);
    }
    else if (err == ECONNREFUSED)
        report(r, s, MM_PS_CLOSED, err);
    else
        report(r, s, MM_PS_FILTERED, err);
    slot_close(r, s);
}

static void banner_done(run *r, slot *s)
{
    report(r, s, MM_PS_OPEN, 0);
    slot_close(r, s);
}

static void banner_io(run *r, slot *s, uint32_t events)
{
    if ((events & EPOLLOUT) && s->osent < s->olen) {
        ssize_t w = send(s->fd, s->out + s->osent, s->olen - s->osent, MSG_NOSIGNAL);
        if (w > 0)
            s->osent += (size_t)w;
        else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            banner_done(r, s);
            return;
        }
        if (s->osent == s->olen) {
            struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
            epoll_ctl(r->ep, EPOLL_CTL_MOD, s->fd, &ev);
        }
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t n = recv(s->fd, s->buf + s->blen, MM_BANNER_READ_MAX - s->blen, 0);
        if (n > 0) {
            s->blen += (size_t)n;
            if (mm_banner_enough(s->bk, s->buf, s->blen))
                banner_done(r, s);
        }
        else if (n == 0 || (errno != EAGAIN && errno != EINTR))
            banner_done(r, s);   /* closed: what came is all there is */
    }
}

static void on_event(run *r, slot *s, uint32_t events)
{
    if (s->phase == SL_CONNECT) {
        int err = 0;
        socklen_t l = sizeof err;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l) != 0)
            err = errno;
        if (err == 0 && !(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        finish_connect(r, s, err);
    }
    else if (s->phase == SL_BANNER)
        banner_io(r, s, events);
}

/* The next address and port to probe; false when all have been. */
static bool next_job(run *r, size_t *ti, uint16_t *port)
{
    size_t nt = mm_probe_targets_count(r->t);
    /* port by port across the addresses: one machine is not asked about
     * all its ports at once */
    while (r->pi < r->nports) {
        while (r->ti < nt) {
            size_t i = r->ti++;
            if (r->answered && r->answered[i])
                continue;       /* discovery already knows */
            if (!r->up || r->up[i] == HOST_UP) {
                *ti = i;
                *port = r->ports[r->pi];
                return true;
            }
        }
        r->ti = 0;
        r->pi++;
    }
    return false;
}

/* Starts one connect; false when no socket can be had now. */
static bool start(run *r, slot *s, size_t ti, uint16_t port)
{
    mm_ip a;
    mm_probe_targets_get(r->t, ti, &a);
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    if (a.v == 4) {
        struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
        sa->sin_family = AF_INET;
        sa->sin_port = htons(port);
        memcpy(&sa->sin_addr, a.b, 4);
        sl = sizeof *sa;
    } else {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        memcpy(&sa->sin6_addr, a.b, 16);
        sl = sizeof *sa;
    }
    int fd = socket(a.v == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    s->fd = fd;
    s->ti = ti;
    s->port = port;
    s->phase = SL_CONNECT;
    s->start = mono_ns();
    s->deadline = s->start + (uint64_t)r->o->timeout_ms * 1000000ull;
    s->blen = s->olen = s->osent = 0;
    r->active++;
    if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
        struct epoll_event ev = {.events = 0, .data.ptr = s};
        epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev);
        finish_connect(r, s, 0);
        return true;
    }
    if (errno != EINPROGRESS) {
        int e = errno;
        struct epoll_event ev = {.events = 0, .data.ptr = s};
        epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev);
        finish_connect(r, s, e);
        return true;
    }
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = s};
    if (epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        s->fd = -1;
        s->phase = SL_FREE;
        r->active--;
        return false;
    }
    return true;
}

static int loop(run *r, volatile sig_atomic_t *stop)
{
    struct epoll_event evs[128];
    bool more = true;
    size_t pend_ti = 0;
    uint16_t pend_port = 0;
    bool pending = false;
    while ((more || pending || r->active) && !r->stopped) {
        if (stop && *stop)
            break;
        uint64_t now = mono_ns();
        /* start what the rate and the slots allow */
        while ((pending || more) && r->active < r->ns && now >= r->next_start) {
            if (!pending) {
                more = next_job(r, &pend_ti, &pend_port);
                if (!more)
                    break;
                pending = true;
            }
            slot *s = NULL;
            for (size_t i = 0; i < r->ns && !s; i++)
                if (r->s[i].phase == SL_FREE)
                    s = &r->s[i];
            if (!s || !start(r, s, pend_ti, pend_port)) {
                if (!r->active)
                    return -1;  /* no socket at all */
                break;          /* no socket now (EMFILE...): after some end */
            }
            pending = false;
            r->next_start = r->gap_ns ? (r->next_start > now - r->gap_ns ? r->next_start : now) +
                                            r->gap_ns
                                      : 0;
        }
        /* wait for an answer, a deadline or the next start */
        uint64_t wake = now + 100000000ull;
        for (size_t i = 0; i < r->ns; i++)
            if (r->s[i].phase != SL_FREE && r->s[i].deadline < wake)
                wake = r->s[i].deadline;
        if ((pending || more) && r->active < r->ns && r->next_start < wake)
            wake = r->next_start;
        int ms = wake > now ? (int)((wake - now + 999999) / 1000000) : 0;
        if (!r->active && !pending && !more)
            break;
        int n = epoll_wait(r->ep, evs, (int)(sizeof evs / sizeof *evs), ms);
        if (n < 0 && errno != EINTR)
            return -1;
        for (int i = 0; i < n; i++) {
            slot *s = evs[i].data.ptr;
            if (s->phase != SL_FREE)
                on_event(r, s, evs[i].events);
        }
        now = mono_ns();
        for (size_t i = 0; i < r->ns; i++) {
            slot *s = &r->s[i];
            if (s->phase == SL_FREE || s->deadline > now)
                continue;
            if (s->phase == SL_CONNECT) {
                report(r, s, MM_PS_FILTERED, ETIMEDOUT);
                slot_close(r, s);
            }
            else
                banner_done(r, s);
        }
    }
    return 0;
}

/* The open-file limit raised as far as allowed; the connections that fit. */
static size_t fit_parallel(size_t want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    size_t room = rl.rlim_cur > 64 ? (size_t)rl.rlim_cur - 32 : 16;
    return want < room ? want : room;
}

static int run_once(run *r, volatile sig_atomic_t *stop)
{
    r->ti = r->pi = 0;
    r->next_start = 0;
    r->stopped = false;
    return loop(r, stop);
}

int mm_probe_run(const mm_probe_targets *t, const uint16_t *ports, size_t nports,
                 const mm_probe_opts *o, mm_probe_cb cb, void *u, volatile sig_atomic_t *stop,
                 mm_probe_stats *st, char *err, size_t errlen)
{
    mm_probe_stats dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    if (!t || !nports) {
        snprintf(err, errlen, "nothing to probe");
        return -1;
    }
    run r;
    memset(&r, 0, sizeof r);
    r.t = t;
    r.o = o;
    r.cb = cb;
    r.u = u;
    r.st = st;
    r.ns = fit_parallel(o->parallel ? o->parallel : 1);
    r.gap_ns = o->rate ? 1000000000ull / o->rate : 0;
    r.ep = epoll_create1(EPOLL_CLOEXEC);
    r.s = calloc(r.ns, sizeof *r.s);
    size_t nt = mm_probe_targets_count(t);
    uint8_t *answered = NULL;
    int rc = -1;
    if (r.ep < 0 || !r.s) {
        snprintf(err, errlen, "out of memory or descriptors");
        goto out;
    }
    for (size_t i = 0; i < r.ns; i++)
        r.s[i].fd = -1;
    if (o->discovery && nt > 1) {
        if (!(answered = calloc(nt, 1))) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        r.answered = answered;
        r.ports = discovery_ports;
        r.nports = sizeof discovery_ports / sizeof *discovery_ports;
        if (run_once(&r, stop) != 0) {
            snprintf(err, errlen, "probing: %s", strerror(errno));
            goto out;
        }
        for (size_t i = 0; i < nt; i++)
            answered[i] == HOST_UP ? st->hosts_up++ : st->hosts_down++;
        r.answered = NULL;
        r.up = answered;
    }
    else
        st->hosts_up = nt;
    r.ports = ports;
    r.nports = nports;
    if (run_once(&r, stop) != 0) {
        snprintf(err, errlen, "probing: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (r.s) {
        for (size_t i = 0; i < r.ns; i++) {
            if (r.s[i].fd >= 0)
                close(r.s[i].fd);
            free(r.s[i].buf);
        }
        free(r.s);
    }
    if (r.ep >= 0)
        close(r.ep);
    free(answered);
    return rc;
}
