/*
 * afpacket.c - live capture through Linux AF_PACKET with a TPACKET_V3 ring.
 *
 * The kernel writes packets into a ring of blocks mapped into our memory;
 * a block is handed to us when full or after a short timeout (so a quiet
 * link still delivers), read in place, and given back. Several sockets of
 * one process may join a fanout group: the kernel then spreads packets by
 * flow hash (both directions of a flow to the same socket).
 *
 * Read only: nothing here sends (no ring for transmission, no send call).
 * The socket is opened listening to no protocol, given its filter (the
 * capture filter, or one that only cuts packets to the snapshot length) and
 * its ring, and only then bound to the interface for all protocols: no
 * packet reaches the ring unfiltered or from another interface.
 *
 * The ring's headers are the kernel's, but they are still checked: an
 * offset or length that would point outside its block ends the walk of that
 * block (counted in 'bad'), so mm_afp_walk_block can be fuzzed from memory.
 * VLAN tags that the kernel moved out of the packet are put back after the
 * two MAC addresses, as libpcap does, so the decoder sees the wire's bytes.
 */
#include "capture/capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef ARPHRD_RAWIP
#define ARPHRD_RAWIP 519       /* raw IP (some modems' drivers) */
#endif

/* The kernel hands a block up when it is full or AFP_RETIRE_MS after it
 * was opened, whatever it holds: at low rates every block carries that
 * long of traffic, so a ring holds blocks x AFP_RETIRE_MS at the least
 * while its reader is busy (a stopped sensor with 32 blocks of 1 MiB and
 * 10 ms held 0.3 s). Many smaller blocks and a longer timeout: 128 x
 * 256 KiB, 50 ms, at least 6.4 s at any rate the 32 MiB can hold. A packet
 * larger than a block is cut to it (256 KiB: more than an IP packet). */
#define AFP_DEFAULT_BLOCK (256u << 10)
#define AFP_DEFAULT_BLOCKS 128u
#define AFP_FRAME 2048u           /* only for the ring's arithmetic (V3 packs packets) */
#define AFP_RETIRE_MS 50u         /* a block goes up after this even if not full */
#define AFP_MAX_BLOCKS_CALL 8u    /* blocks read per dispatch: the caller's ticks */

struct mm_afp {
    int fd;
    uint8_t *ring;
    size_t ring_len;
    uint32_t block_size, blocks, cur;
    int linktype;
    uint32_t snaplen;
    uint64_t packets, drops;      /* kernel counters, added up */
    uint64_t bad;                 /* blocks whose walk ended on a bad offset */
    uint8_t *vbuf;                /* a packet with its VLAN tag put back */
    /* A filter that names VLANs runs here, on the packet with its tag put
     * back: the kernel runs a socket's filter on the frame it stripped the
     * tag from, where "vlan 100" never matches (libpcap uses the kernel's
     * tag loads instead; a program for a dead handle cannot). */
    struct bpf_program uprog;
    bool ufilter;
    char iface[IFNAMSIZ];
};

/* Hands each packet of a block to cb; returns how many. Headers are copied
 * out: offsets need not be aligned when the block comes from a fuzzer. */
static int walk(const uint8_t *blk, uint32_t size, int linktype, uint32_t snaplen,
                uint8_t *vbuf, const struct bpf_program *uf, mm_live_cb cb, void *user,
                uint64_t *bad)
{
    struct tpacket_block_desc bd;
    if (size < sizeof bd) {
        (*bad)++;
        return 0;
    }
    memcpy(&bd, blk, sizeof bd);
    uint32_t npkts = bd.hdr.bh1.num_pkts;
    uint64_t off = bd.hdr.bh1.offset_to_first_pkt;
    int n = 0;
    for (uint32_t i = 0; i < npkts; i++) {
        struct tpacket3_hdr h;
        if (off + sizeof h > size) {
            (*bad)++;
            return n;
        }
        memcpy(&h, blk + off, sizeof h);
        uint64_t data_off = off + h.tp_mac;
        if (data_off + h.tp_snaplen > size) {
            (*bad)++;
            return n;
        }
        mm_rawpkt p;
        p.ts_ns = (uint64_t)h.tp_sec * 1000000000ULL + h.tp_nsec;
        p.caplen = h.tp_snaplen;
        p.wirelen = h.tp_len;
        p.linktype = linktype;
        p.iface = 0;
        p.data = blk + data_off;
        bool vlan = (h.tp_status & TP_STATUS_VLAN_VALID) || h.hv1.tp_vlan_tci != 0;
        if (vlan && linktype == MM_LT_ETHERNET && p.caplen >= 12 && vbuf) {
            uint16_t tpid = (h.tp_status & TP_STATUS_VLAN_TPID_VALID) ? h.hv1.tp_vlan_tpid
                                                                       : ETH_P_8021Q;
            uint32_t rest = p.caplen - 12;
            uint32_t room = snaplen > 16 ? snaplen - 16 : 0;
            if (rest > room)
                rest = room;
            memcpy(vbuf, p.data, 12);
            vbuf[12] = (uint8_t)(tpid >> 8);
            vbuf[13] = (uint8_t)tpid;
            vbuf[14] = (uint8_t)(h.hv1.tp_vlan_tci >> 8);
            vbuf[15] = (uint8_t)h.hv1.tp_vlan_tci;
            memcpy(vbuf + 16, p.data + 12, rest);
            p.caplen = 16 + rest;
            p.wirelen += 4;
            p.data = vbuf;
        }
        if (p.caplen > snaplen)
            p.caplen = snaplen;
        if (p.wirelen < p.caplen)
            p.wirelen = p.caplen;
        struct pcap_pkthdr ph = {.caplen = p.caplen, .len = p.wirelen};
        if (!uf || pcap_offline_filter(uf, &ph, p.data)) {
            cb(user, &p);
            n++;
        }
        if (i + 1 < npkts) {
            if (h.tp_next_offset == 0) {
                (*bad)++;
                return n;
            }
            off += h.tp_next_offset;
        }
    }
    return n;
}

int mm_afp_walk_block(const uint8_t *blk, uint32_t size, int linktype, mm_live_cb cb,
                      void *user, uint64_t *bad)
{
    uint8_t *vbuf = malloc(MM_MAX_SNAPLEN + 4);
    if (!vbuf)
        return -1;
    int n = walk(blk, size, linktype, MM_MAX_SNAPLEN, vbuf, NULL, cb, user, bad);
    free(vbuf);
    return n;
}

static int arphrd_linktype(int arphrd)
{
    switch (arphrd) {
    case ARPHRD_ETHER:
    case ARPHRD_LOOPBACK:      /* Linux loopback frames carry a zeroed Ethernet header */
        return MM_LT_ETHERNET;
    case ARPHRD_NONE:          /* tun, WireGuard */
    case ARPHRD_PPP:
    case ARPHRD_RAWIP:
        return MM_LT_RAW;
    default:
        return -1;
    }
}

static void afp_free(mm_afp *a)
{
    if (a->ring)
        munmap(a->ring, a->ring_len);
    if (a->fd >= 0)
        close(a->fd);
    free(a->vbuf);
    if (a->ufilter)
        pcap_freecode(&a->uprog);
    free(a);
}

static bool set_filter(mm_afp *a, const char *bpf, char *err, size_t errlen)
{
    if (bpf && *bpf) {
        pcap_t *dead = pcap_open_dead(a->linktype, (int)a->snaplen);
        if (!dead) {
            snprintf(err, errlen, "filter '%s': out of memory", bpf);
            return false;
        }
        struct bpf_program prog;
        if (pcap_compile(dead, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            snprintf(err, errlen, "filter '%s': %s", bpf, pcap_geterr(dead));
            pcap_close(dead);
            return false;
        }
        pcap_close(dead);
        if (strstr(bpf, "vlan")) {          /* run here (struct mm_afp); the kernel cuts */
            a->uprog = prog;
            a->ufilter = true;
            bpf = NULL;
            goto snap;
        }
        /* struct bpf_insn and struct sock_filter have the same layout */
        struct sock_fprog fp = {.len = (unsigned short)prog.bf_len,
                                .filter = (struct sock_filter *)prog.bf_insns};
        int rc = setsockopt(a->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp);
        int e = errno;
        pcap_freecode(&prog);
        if (rc != 0) {
            snprintf(err, errlen, "filter '%s': %s", bpf, strerror(e));
            return false;
        }
        return true;
    }
    /* No filter: one that accepts everything, cut to the snapshot length
     * (TPACKET_V3 copies whole packets up to the block's size otherwise). */
snap:;
    struct sock_filter ret = BPF_STMT(BPF_RET | BPF_K, a->snaplen);
    struct sock_fprog fp = {.len = 1, .filter = &ret};
    if (setsockopt(a->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) != 0) {
        snprintf(err, errlen, "%s: snapshot length filter: %s", a->iface, strerror(errno));
        return false;
    }
    return true;
}

mm_afp *mm_afp_open(const mm_afp_config *c, char *err, size_t errlen)
{
    if (!c->iface || !*c->iface || strlen(c->iface) >= IFNAMSIZ) {
        snprintf(err, errlen, "%s: no such interface", c->iface ? c->iface : "");
        return NULL;
    }
    unsigned ifindex = if_nametoindex(c->iface);
    if (ifindex == 0) {
        snprintf(err, errlen, "%s: no such interface", c->iface);
        return NULL;
    }
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        page = 4096;
    uint32_t bsize = c->block_size ? c->block_size : AFP_DEFAULT_BLOCK;
    uint32_t nblocks = c->blocks ? c->blocks : AFP_DEFAULT_BLOCKS;
    if (bsize % (uint32_t)page != 0 || bsize < AFP_FRAME || bsize > (1u << 30)) {
        snprintf(err, errlen, "AF_PACKET block size %u: not a multiple of the page size (%ld)",
                 bsize, page);
        return NULL;
    }
    if ((uint64_t)bsize * nblocks > (4ULL << 30)) {
        snprintf(err, errlen, "AF_PACKET ring of %u blocks of %u bytes: too large", nblocks,
                 bsize);
        return NULL;
    }
    mm_afp *a = calloc(1, sizeof(*a));
    if (!a || !(a->vbuf = malloc(MM_MAX_SNAPLEN + 4))) {
        free(a);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->fd = -1;
    snprintf(a->iface, sizeof a->iface, "%s", c->iface);
    a->snaplen = c->snaplen && c->snaplen < MM_MAX_SNAPLEN ? c->snaplen : MM_MAX_SNAPLEN;
    a->block_size = bsize;
    a->blocks = nblocks;

    /* Protocol 0: nothing is queued until bind() below names one. */
    a->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (a->fd < 0) {
        snprintf(err, errlen, "AF_PACKET socket: %s", strerror(errno));
        afp_free(a);
        return NULL;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", c->iface);
    if (ioctl(a->fd, SIOCGIFHWADDR, &ifr) != 0) {
        snprintf(err, errlen, "%s: link type: %s", c->iface, strerror(errno));
        afp_free(a);
        return NULL;
    }
    a->linktype = arphrd_linktype(ifr.ifr_hwaddr.sa_family);
    if (a->linktype < 0) {
        snprintf(err, errlen, "%s: link type %d not supported by --capture afpacket; "
                 "use --capture pcap", c->iface, ifr.ifr_hwaddr.sa_family);
        afp_free(a);
        return NULL;
    }
    if (!set_filter(a, c->bpf, err, errlen)) {
        afp_free(a);
        return NULL;
    }
    int v = TPACKET_V3;
    if (setsockopt(a->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) != 0) {
        snprintf(err, errlen, "%s: TPACKET_V3: %s", c->iface, strerror(errno));
        afp_free(a);
        return NULL;
    }
    struct tpacket_req3 req;
    memset(&req, 0, sizeof req);
    req.tp_block_size = bsize;
    req.tp_block_nr = nblocks;
    req.tp_frame_size = AFP_FRAME;
    req.tp_frame_nr = (bsize / AFP_FRAME) * nblocks;
    req.tp_retire_blk_tov = AFP_RETIRE_MS;
    req.tp_sizeof_priv = 0;
    req.tp_feature_req_word = 0;
    if (setsockopt(a->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) {
        snprintf(err, errlen, "%s: ring of %u blocks of %u bytes: %s", c->iface, nblocks,
                 bsize, strerror(errno));
        afp_free(a);
        return NULL;
    }
    a->ring_len = (size_t)bsize * nblocks;
    void *m = mmap(NULL, a->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
    if (m == MAP_FAILED) {
        snprintf(err, errlen, "%s: mapping the ring: %s", c->iface, strerror(errno));
        afp_free(a);
        return NULL;
    }
    a->ring = m;
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int)ifindex;
    if (bind(a->fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
        snprintf(err, errlen, "%s: bind: %s", c->iface, strerror(errno));
        afp_free(a);
        return NULL;
    }
    if (c->promisc) {
        struct packet_mreq mr;
        memset(&mr, 0, sizeof mr);
        mr.mr_ifindex = (int)ifindex;
        mr.mr_type = PACKET_MR_PROMISC;
        if (setsockopt(a->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0) {
            snprintf(err, errlen, "%s: promiscuous mode: %s", c->iface, strerror(errno));
            afp_free(a);
            return NULL;
        }
    }
    if (c->fanout_id) {
        /* after bind: the kernel only lets a bound socket join */
        uint32_t mode = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG;
        int f = (int)(c->fanout_id | mode << 16);
        if (setsockopt(a->fd, SOL_PACKET, PACKET_FANOUT, &f, sizeof f) != 0) {
            snprintf(err, errlen, "%s: fanout group %u: %s", c->iface, (unsigned)c->fanout_id,
                     strerror(errno));
            afp_free(a);
            return NULL;
        }
    }
    return a;
}

int mm_afp_linktype(const mm_afp *a) { return a->linktype; }

static uint8_t *block_at(mm_afp *a, uint32_t i)
{
    return a->ring + (size_t)i * a->block_size;
}

static uint32_t block_status(const uint8_t *b)
{
    const struct tpacket_block_desc *bd = (const struct tpacket_block_desc *)(const void *)b;
    return __atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
}

int mm_afp_dispatch(mm_afp *a, int timeout_ms, mm_live_cb cb, void *user, char *err,
                    size_t errlen)
{
    if (!(block_status(block_at(a, a->cur)) & TP_STATUS_USER)) {
        struct pollfd pf = {.fd = a->fd, .events = POLLIN | POLLERR};
        int pr = poll(&pf, 1, timeout_ms);
        if (pr < 0 && errno != EINTR) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            return -1;
        }
        if (pr > 0 && (pf.revents & (POLLERR | POLLNVAL))) {
            int e = 0;
            socklen_t el = sizeof e;
            if (pf.revents & POLLNVAL)
                e = EBADF;
            else if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
                e = errno;
            if (e == ENETDOWN) {
                snprintf(err, errlen, "%s: the interface went down", a->iface);
                return -1;
            }
            if (e != 0) {
                snprintf(err, errlen, "%s: %s", a->iface, strerror(e));
                return -1;
            }
        }
    }
    int n = 0;
    uint32_t max = a->blocks < AFP_MAX_BLOCKS_CALL ? a->blocks : AFP_MAX_BLOCKS_CALL;
    for (uint32_t k = 0; k < max; k++) {
        uint8_t *b = block_at(a, a->cur);
        if (!(block_status(b) & TP_STATUS_USER))
            break;
        n += walk(b, a->block_size, a->linktype, a->snaplen, a->vbuf,
                  a->ufilter ? &a->uprog : NULL, cb, user, &a->bad);
        struct tpacket_block_desc *bd = (struct tpacket_block_desc *)(void *)b;
        __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        a->cur = (a->cur + 1) % a->blocks;
    }
    return n;
}

void mm_afp_stats_get(mm_afp *a, mm_live_stats *st)
{
    struct tpacket_stats_v3 s;
    socklen_t sl = sizeof s;
    memset(&s, 0, sizeof s);
    if (getsockopt(a->fd, SOL_PACKET, PACKET_STATISTICS, &s, &sl) == 0) {
        a->packets += s.tp_packets;
        a->drops += s.tp_drops;
    }
    memset(st, 0, sizeof(*st));
    st->kernel_packets = a->packets;
    st->kernel_drops = a->drops;
    st->iface_drops = 0;
}

void mm_afp_close(mm_afp *a)
{
    if (a)
        afp_free(a);
}
