/*
 * live.c - live capture through libpcap.
 *
 * Opens the interface for reading only: nothing here calls pcap_inject or
 * pcap_sendpacket, so the sensor never transmits on a monitored network.
 * Packets are taken with nanosecond timestamps where the platform gives them,
 * in immediate mode; the handle is non-blocking and waited on with poll(),
 * so a quiet link still returns control to the main loop (the stats
 * heartbeat runs with no traffic, signals are seen at once).
 */
#include "capture/capture.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

struct mm_live {
    pcap_t *p;
    int linktype;
    bool nano;
    mm_live_cb cb;
    void *user;
};

mm_live *mm_live_open(const char *iface, const char *bpf, uint32_t snaplen,
                      bool promisc, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    mm_live *l = calloc(1, sizeof(*l));
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    l->p = pcap_create(iface, perr);
    if (!l->p) {
        snprintf(err, errlen, "%s", perr);
        free(l);
        return NULL;
    }
    pcap_set_snaplen(l->p, (int)snaplen);
    pcap_set_promisc(l->p, promisc ? 1 : 0);
    pcap_set_timeout(l->p, 100);
    pcap_set_immediate_mode(l->p, 1);
    pcap_set_buffer_size(l->p, 32 << 20);
    l->nano = pcap_set_tstamp_precision(l->p, PCAP_TSTAMP_PRECISION_NANO) == 0;
    int rc = pcap_activate(l->p);
    if (rc < 0) {
        snprintf(err, errlen, "%s", pcap_geterr(l->p));
        pcap_close(l->p);
        free(l);
        return NULL;
    }
    /* Receive only: never see our own (non-existent) transmissions twice. */
    pcap_setdirection(l->p, PCAP_D_INOUT);
    if (bpf && *bpf) {
        struct bpf_program prog;
        if (pcap_compile(l->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            snprintf(err, errlen, "filter '%s': %s", bpf, pcap_geterr(l->p));
            pcap_close(l->p);
            free(l);
            return NULL;
        }
        rc = pcap_setfilter(l->p, &prog);
        pcap_freecode(&prog);
        if (rc < 0) {
            snprintf(err, errlen, "filter '%s': %s", bpf, pcap_geterr(l->p));
            pcap_close(l->p);
            free(l);
            return NULL;
        }
    }
    l->linktype = pcap_datalink(l->p);
    /* Non-blocking, with our own poll(): libpcap's buffer timeout is not
     * honoured in immediate mode everywhere, and the main loop must come
     * back with no traffic (heartbeat, signals). */
    if (pcap_setnonblock(l->p, 1, perr) < 0 || pcap_get_selectable_fd(l->p) < 0) {
        snprintf(err, errlen, "cannot poll %s: %s", iface, perr);
        pcap_close(l->p);
        free(l);
        return NULL;
    }
    return l;
}

int mm_live_linktype(const mm_live *l) { return l->linktype; }

static void handler(u_char *u, const struct pcap_pkthdr *h, const u_char *data)
{
    mm_live *l = (mm_live *)u;
    mm_rawpkt p;
    uint64_t frac = (uint64_t)h->ts.tv_usec;
    p.ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ULL + (l->nano ? frac : frac * 1000);
    p.caplen = h->caplen;
    p.wirelen = h->len;
    p.linktype = l->linktype;
    p.iface = 0;
    p.data = data;
    l->cb(l->user, &p);
}

int mm_live_dispatch(mm_live *l, int timeout_ms, mm_live_cb cb, void *user,
                     char *err, size_t errlen)
{
    struct pollfd pf = {.fd = pcap_get_selectable_fd(l->p), .events = POLLIN};
    int pr = poll(&pf, 1, timeout_ms);
    if (pr < 0 && errno != EINTR) {
        snprintf(err, errlen, "poll: %s", strerror(errno));
        return -1;
    }
    if (pr <= 0)
        return 0;
    l->cb = cb;
    l->user = user;
    int n = pcap_dispatch(l->p, 1024, handler, (u_char *)l);
    if (n == PCAP_ERROR) {
        snprintf(err, errlen, "%s", pcap_geterr(l->p));
        return -1;
    }
    if (n == PCAP_ERROR_BREAK)
        return 0;
    return n;
}

void mm_live_stats_get(mm_live *l, mm_live_stats *st)
{
    struct pcap_stat ps;
    memset(st, 0, sizeof(*st));
    if (pcap_stats(l->p, &ps) == 0) {
        st->kernel_packets = ps.ps_recv;
        st->kernel_drops = ps.ps_drop;
        st->iface_drops = ps.ps_ifdrop;
    }
}

void mm_live_close(mm_live *l)
{
    if (!l)
        return;
    pcap_close(l->p);
    free(l);
}

bool mm_drop_capabilities(char *err, size_t errlen)
{
    /* the ambient set first (it would come back across an exec; EINVAL:
     * a kernel without ambient capabilities), then every other set: with
     * the permitted set empty nothing can be raised again */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        snprintf(err, errlen, "clearing ambient capabilities: %s", strerror(errno));
        return false;
    }
    struct __user_cap_header_struct h;
    struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
    memset(&h, 0, sizeof h);
    memset(d, 0, sizeof d);
    h.version = _LINUX_CAPABILITY_VERSION_3;
    h.pid = 0;
    if (syscall(SYS_capset, &h, d) != 0) {
        snprintf(err, errlen, "dropping capabilities: %s", strerror(errno));
        return false;
    }
    return true;
}

bool mm_drop_privileges(const char *user, char *err, size_t errlen)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "no such user '%s'", user);
        return false;
    }
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        snprintf(err, errlen, "cannot become user '%s': %s", user, strerror(errno));
        return false;
    }
    /* Make sure it cannot be undone. */
    if (pw->pw_uid != 0 && setuid(0) == 0) {
        snprintf(err, errlen, "privileges could be regained after dropping them");
        return false;
    }
    return true;
}
