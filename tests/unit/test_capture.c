/* Unit tests: pcap and pcapng readers (capture/capfile.c). */
#include "testutil.h"
#include "capture/capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static tbuf T;

static void pcap_hdr(tbuf *t, uint32_t magic, uint16_t minor, uint32_t lt)
{
    t->n = 0;
    tb_le32(t, magic);
    tb_le16(t, 2);
    tb_le16(t, minor);
    tb_le32(t, 0);
    tb_le32(t, 0);
    tb_le32(t, 65535);
    tb_le32(t, lt);
}

static void pcap_rec(tbuf *t, uint32_t s, uint32_t frac, uint32_t incl, uint32_t orig, uint8_t fill)
{
    tb_le32(t, s);
    tb_le32(t, frac);
    tb_le32(t, incl);
    tb_le32(t, orig);
    memset(t->b + t->n, fill, incl);
    t->n += incl;
}

static void test_pcap_micro_and_nano(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    pcap_hdr(&T, 0xa1b2c3d4, 4, 1);
    pcap_rec(&T, 10, 500, 60, 100, 0xAB);
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_non_null(c);
    assert_string_equal(mm_capfile_format(c), "pcap");
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.ts_ns, 10 * 1000000000ULL + 500 * 1000ULL);
    assert_int_equal(p.caplen, 60);
    assert_int_equal(p.wirelen, 100);
    assert_int_equal(p.linktype, 1);
    assert_int_equal(p.data[59], 0xAB);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_EOF);
    mm_capfile_close(c);

    pcap_hdr(&T, 0xa1b23c4d, 4, 101);
    pcap_rec(&T, 10, 123456789, 20, 20, 0x45);
    c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.ts_ns, 10123456789ULL);
    assert_int_equal(p.linktype, 101);
    mm_capfile_close(c);
}

static void test_pcap_big_endian(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    T.n = 0;
    tb_be32(&T, 0xa1b2c3d4); tb_be16(&T, 2); tb_be16(&T, 4);
    tb_be32(&T, 0); tb_be32(&T, 0); tb_be32(&T, 65535); tb_be32(&T, 113);
    tb_be32(&T, 7); tb_be32(&T, 1); tb_be32(&T, 4); tb_be32(&T, 4);
    tb_be32(&T, 0xDEADBEEF);
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.linktype, 113);
    assert_int_equal(p.ts_ns, 7000001000ULL);
    assert_int_equal(p.caplen, 4);
    mm_capfile_close(c);
}

static void test_pcap_truncated_and_bogus(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    pcap_hdr(&T, 0xa1b2c3d4, 4, 1);
    pcap_rec(&T, 1, 0, 40, 40, 1);
    pcap_rec(&T, 2, 0, 40, 40, 2);
    T.n -= 10; /* cut in the middle of the second record */
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_ERR);
    assert_non_null(strstr(err, "cut short"));
    mm_capfile_close(c);

    pcap_hdr(&T, 0xa1b2c3d4, 4, 1);
    pcap_rec(&T, 1, 0, 0, 0, 0);
    T.n -= 8;
    tb_le32(&T, 0x7FFFFFFF); /* absurd record length */
    tb_le32(&T, 10);
    c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_ERR);
    mm_capfile_close(c);

    static const uint8_t junk[] = "this is not a capture file";
    assert_null(mm_capfile_open_mem(junk, sizeof junk, err, sizeof err));
    assert_string_equal(err, "not a pcap or pcapng file");
    assert_null(mm_capfile_open_mem(junk, 2, err, sizeof err));
}

static void test_pcap_old_version_swapped_lengths(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    pcap_hdr(&T, 0xa1b2c3d4, 0, 1);  /* version 2.0 */
    tb_le32(&T, 1); tb_le32(&T, 0);
    tb_le32(&T, 1500); tb_le32(&T, 30);  /* caplen and len swapped */
    memset(T.b + T.n, 0, 30);
    T.n += 30;
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.caplen, 30);
    assert_int_equal(p.wirelen, 1500);
    mm_capfile_close(c);
}

/* pcapng helpers (little endian) */
static void ng_block(tbuf *t, uint32_t type, const tbuf *body)
{
    uint32_t len = (uint32_t)(12 + ((body->n + 3) & ~3u));
    tb_le32(t, type);
    tb_le32(t, len);
    tb_put(t, body->b, body->n);
    while ((t->n & 3) != 0)
        tb_u8(t, 0);
    tb_le32(t, len);
}

static tbuf B;

static void ng_shb(tbuf *t)
{
    B.n = 0;
    tb_le32(&B, 0x1A2B3C4D); tb_le16(&B, 1); tb_le16(&B, 0);
    tb_le32(&B, 0xFFFFFFFF); tb_le32(&B, 0xFFFFFFFF);
    ng_block(t, 0x0A0D0D0A, &B);
}

static void ng_idb(tbuf *t, uint16_t lt, int tsresol)
{
    B.n = 0;
    tb_le16(&B, lt); tb_le16(&B, 0); tb_le32(&B, 0);
    if (tsresol >= 0) {
        tb_le16(&B, 9); tb_le16(&B, 1); tb_u8(&B, (uint8_t)tsresol);
        tb_u8(&B, 0); tb_u8(&B, 0); tb_u8(&B, 0);
        tb_le32(&B, 0); /* end of options */
    }
    ng_block(t, 1, &B);
}

static void ng_epb(tbuf *t, uint32_t ifid, uint64_t ts, uint32_t len, uint8_t fill)
{
    B.n = 0;
    tb_le32(&B, ifid);
    tb_le32(&B, (uint32_t)(ts >> 32)); tb_le32(&B, (uint32_t)ts);
    tb_le32(&B, len); tb_le32(&B, len);
    memset(B.b + B.n, fill, len);
    B.n += len;
    ng_block(t, 6, &B);
}

static void test_pcapng_interfaces(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    T.n = 0;
    ng_shb(&T);
    ng_idb(&T, 1, -1);     /* Ethernet, microseconds */
    ng_idb(&T, 101, 9);    /* raw IP, nanoseconds */
    B.n = 0;
    tb_le32(&B, 0); /* a Name Resolution block: skipped */
    ng_block(&T, 4, &B);
    ng_epb(&T, 0, 5000000ULL, 14, 0x11);         /* 5 s in microseconds */
    ng_epb(&T, 1, 7000000123ULL, 21, 0x45);      /* 7.000000123 s in nanoseconds */
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_non_null(c);
    assert_string_equal(mm_capfile_format(c), "pcapng");
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.linktype, 1);
    assert_int_equal(p.iface, 0);
    assert_int_equal(p.ts_ns, 5000000000ULL);
    assert_int_equal(p.caplen, 14);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.linktype, 101);
    assert_int_equal(p.iface, 1);
    assert_int_equal(p.ts_ns, 7000000123ULL);
    assert_int_equal(p.caplen, 21);
    assert_int_equal(p.data[20], 0x45);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_EOF);
    mm_capfile_close(c);
}

static void test_pcapng_bad_blocks(void **st)
{
    (void)st;
    char err[256];
    mm_rawpkt p;
    T.n = 0;
    ng_shb(&T);
    ng_idb(&T, 1, -1);
    ng_epb(&T, 3, 0, 14, 0); /* names an interface that does not exist */
    mm_capfile *c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_ERR);
    mm_capfile_close(c);

    T.n = 0;
    ng_shb(&T);
    tb_le32(&T, 6);
    tb_le32(&T, 13); /* length not a multiple of 4 */
    c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_ERR);
    mm_capfile_close(c);

    T.n = 0;
    ng_shb(&T);
    ng_idb(&T, 1, -1);
    ng_epb(&T, 0, 0, 40, 0);
    T.n -= 20; /* cut */
    c = mm_capfile_open_mem(T.b, T.n, err, sizeof err);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_ERR);
    assert_non_null(strstr(err, "cut short"));
    mm_capfile_close(c);
}

/* Files are read through a buffer of about 1 MiB: records that straddle its
 * end, and a block larger than it, come through whole. */
static void le32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    assert_int_equal(fwrite(b, 1, 4, f), 4);
}

static void fill(FILE *f, uint8_t v, uint32_t n)
{
    while (n--)
        assert_int_equal(fputc(v, f), v);
}

static void test_file_across_buffer(void **st)
{
    (void)st;
    char path[] = "/tmp/mm-capfile-XXXXXX", err[256];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    /* pcap: 3000 records of 1..1600 bytes (about 2.4 MB) */
    le32(f, 0xa1b2c3d4);
    le32(f, 2 | (4u << 16));
    le32(f, 0);
    le32(f, 0);
    le32(f, 65535);
    le32(f, 1);
    for (uint32_t i = 0; i < 3000; i++) {
        uint32_t n = 1 + (i * 37) % 1600;
        le32(f, i);
        le32(f, 0);
        le32(f, n);
        le32(f, n);
        fill(f, (uint8_t)i, n);
    }
    assert_int_equal(fclose(f), 0);
    mm_capfile *c = mm_capfile_open(path, err, sizeof err);
    assert_non_null(c);
    mm_rawpkt p;
    for (uint32_t i = 0; i < 3000; i++) {
        uint32_t n = 1 + (i * 37) % 1600;
        assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
        assert_int_equal(p.ts_ns, (uint64_t)i * 1000000000ULL);
        assert_int_equal(p.caplen, n);
        uint32_t k = 0;
        while (k < n && p.data[k] == (uint8_t)i)
            k++;
        assert_int_equal(k, n);
    }
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_EOF);
    mm_capfile_close(c);

    /* pcapng: a packet, an unknown block of 3 MiB, a packet */
    f = fopen(path, "wb");
    assert_non_null(f);
    T.n = 0;
    ng_shb(&T);
    ng_idb(&T, 1, -1);
    ng_epb(&T, 0, 1000000ULL, 60, 0x11);
    assert_int_equal(fwrite(T.b, 1, T.n, f), T.n);
    uint32_t big = 3u << 20;
    le32(f, 0x0BADBEEF);
    le32(f, 12 + big);
    fill(f, 0x77, big);
    le32(f, 12 + big);
    T.n = 0;
    ng_epb(&T, 0, 2000000ULL, 1500, 0x22);
    assert_int_equal(fwrite(T.b, 1, T.n, f), T.n);
    assert_int_equal(fclose(f), 0);
    c = mm_capfile_open(path, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.caplen, 60);
    assert_int_equal(p.data[59], 0x11);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_PKT);
    assert_int_equal(p.ts_ns, 2000000000ULL);
    assert_int_equal(p.caplen, 1500);
    assert_int_equal(p.data[1499], 0x22);
    assert_int_equal(mm_capfile_next(c, &p, err, sizeof err), MM_CAP_EOF);
    mm_capfile_close(c);
    unlink(path);
}

/* --- AF_PACKET (capture/afpacket.c) ---
 * In a network namespace made here, with a veth pair of its own: frames are
 * sent out of one end (B) with a packet socket and captured on the other
 * (A). The namespace and its links are the test's alone; its name is
 * removed as soon as the test is in it, so it goes away with the test
 * process whatever way that ends. Skipped when not root or without ip. */

static char afp_ns[32], afp_a[IFNAMSIZ], afp_b[IFNAMSIZ];
static int afp_orig_ns = -1;
static bool afp_ready;
static const char *afp_skip = "";

static int afp_sh(const char *fmt, ...)
{
    char cmd[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static int afp_group_teardown(void **st)
{
    (void)st;
    if (afp_orig_ns >= 0) {
        if (setns(afp_orig_ns, CLONE_NEWNET) != 0)
            perror("setns back");
        close(afp_orig_ns);
        afp_orig_ns = -1;
    }
    if (afp_ns[0])
        afp_sh("ip netns del %s 2>/dev/null", afp_ns);
    afp_ns[0] = 0;
    return 0;
}

static int afp_group_setup(void **st)
{
    (void)st;
    if (geteuid() != 0) {
        afp_skip = "not root";
        return 0;
    }
    if (afp_sh("ip netns list >/dev/null 2>&1") != 0) {
        afp_skip = "'ip netns' not available";
        return 0;
    }
    int pid = (int)getpid();
    snprintf(afp_ns, sizeof afp_ns, "mmafp%d", pid);
    snprintf(afp_a, sizeof afp_a, "mmafp%da", pid);
    snprintf(afp_b, sizeof afp_b, "mmafp%db", pid);
    if (afp_sh("ip netns add %s", afp_ns) != 0) {
        afp_ns[0] = 0;
        afp_skip = "cannot make a network namespace";
        return 0;
    }
    /* no IPv6 in the namespace: no router solicitations or MLD reports
     * on the links, only the test's frames */
    afp_sh("ip netns exec %s sh -c 'echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6;"
           " echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6' 2>/dev/null", afp_ns);
    if (afp_sh("ip -n %s link add %s type veth peer name %s && ip -n %s link set %s up &&"
               " ip -n %s link set %s up", afp_ns, afp_a, afp_b, afp_ns, afp_a, afp_ns,
               afp_b) != 0) {
        afp_skip = "cannot make a veth pair";
        afp_group_teardown(st);
        return 0;
    }
    char path[128];
    snprintf(path, sizeof path, "/run/netns/%s", afp_ns);
    int nsfd = open(path, O_RDONLY | O_CLOEXEC);
    afp_orig_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (nsfd < 0 || afp_orig_ns < 0 || setns(nsfd, CLONE_NEWNET) != 0) {
        if (nsfd >= 0)
            close(nsfd);
        afp_skip = "cannot enter the namespace";
        afp_group_teardown(st);
        return 0;
    }
    close(nsfd);
    /* its name goes at once: the namespace lives on while this process is
     * in it and is gone with it, even when a failure aborts the test */
    afp_sh("ip netns del %s", afp_ns);
    afp_ns[0] = 0;
    afp_ready = true;
    return 0;
}

#define AFP_MAGIC 0x6d6d6166u
#define AFP_FLOWS 200
#define AFP_PER_FLOW 5
#define AFP_N (AFP_FLOWS * AFP_PER_FLOW)

/* An Ethernet/IPv4/UDP frame of len bytes (at least 50) whose payload
 * starts with the magic and seq. vlan_tpid 0: untagged. */
static size_t afp_frame(uint8_t *f, size_t len, uint16_t vlan_tpid, uint16_t tci, uint16_t sport,
                        uint16_t dport, uint32_t seq)
{
    tbuf *t = malloc(sizeof *t);
    assert_non_null(t);
    t->n = 0;
    static const uint8_t m[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    tb_put(t, m, 12);
    if (vlan_tpid) {
        tb_be16(t, vlan_tpid);
        tb_be16(t, tci);
    }
    tb_be16(t, 0x0800);
    size_t l4 = len - t->n - 20;
    static const uint8_t src[4] = {10, 99, 0, 1}, dst[4] = {10, 99, 0, 2};
    tb_ipv4(t, src, dst, 17, (uint16_t)l4, (uint16_t)seq, 0, 0);
    tb_udp(t, sport, dport, (uint16_t)(l4 - 8));
    tb_be32(t, AFP_MAGIC);
    tb_be32(t, seq);
    while (t->n < len)
        tb_u8(t, (uint8_t)t->n);
    memcpy(f, t->b, len);
    free(t);
    return len;
}

static int afp_sender(void)
{
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);   /* receives nothing */
    assert_true(fd >= 0);
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = (int)if_nametoindex(afp_b);
    assert_true(sll.sll_ifindex > 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof sll), 0);
    return fd;
}

static void afp_send(int fd, const uint8_t *f, size_t len)
{
    for (int tries = 0;; tries++) {
        ssize_t w = send(fd, f, len, 0);
        if (w == (ssize_t)len)
            return;
        /* a full device queue: let it drain */
        assert_true(tries < 1000 && w < 0 && (errno == ENOBUFS || errno == EAGAIN));
        usleep(1000);
    }
}

static uint64_t afp_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

typedef struct afp_seen {
    int sock;                 /* which socket this callback is for */
    int got[AFP_N];           /* times each seq arrived */
    int flow_sock[AFP_FLOWS]; /* socket that had the flow (0: none yet), -1 both */
    int per_sock[2];          /* flows first seen on each socket */
    uint64_t all[2];          /* every packet, ours or not */
    uint64_t ours;
    uint32_t want_len, want_caplen;
    uint16_t only_dport;      /* when set: every packet must go to this port */
    int bad;                  /* packets of ours not as sent */
    uint64_t t0;
} afp_seen;

static void afp_cb(void *u, const mm_rawpkt *p)
{
    afp_seen *s = u;
    s->all[s->sock]++;
    if (p->caplen < 50 || p->linktype != MM_LT_ETHERNET)
        return;
    const uint8_t *d = p->data;
    if (d[12] != 0x08 || d[13] != 0x00 || d[23] != 17)
        return;
    uint32_t magic = (uint32_t)d[42] << 24 | (uint32_t)d[43] << 16 | (uint32_t)d[44] << 8 | d[45];
    if (magic != AFP_MAGIC)
        return;
    uint32_t seq = (uint32_t)d[46] << 24 | (uint32_t)d[47] << 16 | (uint32_t)d[48] << 8 | d[49];
    uint16_t sport = (uint16_t)(d[34] << 8 | d[35]), dport = (uint16_t)(d[36] << 8 | d[37]);
    uint64_t now = afp_now_ns();
    if (seq >= AFP_N || p->wirelen != s->want_len || p->caplen != s->want_caplen ||
        p->ts_ns + 5000000000ULL < s->t0 || p->ts_ns > now + 1000000000ULL ||
        (s->only_dport && dport != s->only_dport) || sport != 20000 + seq / AFP_PER_FLOW) {
        s->bad++;
        return;
    }
    s->ours++;
    s->got[seq]++;
    int flow = (int)(seq / AFP_PER_FLOW);
    if (s->flow_sock[flow] == 0) {
        s->flow_sock[flow] = s->sock + 1;
        s->per_sock[s->sock]++;
    } else if (s->flow_sock[flow] != s->sock + 1) {
        s->flow_sock[flow] = -1;
    }
}

static void test_afp_fanout(void **st)
{
    (void)st;
    if (!afp_ready) {
        printf("skipped: %s\n", afp_skip);
        skip();
    }
    char err[256] = "";
    mm_afp_config c = {.iface = afp_a, .snaplen = 65535, .promisc = true,
                       .fanout_id = (uint16_t)(getpid() & 0xffff), .block_size = 256 << 10,
                       .blocks = 8};
    mm_afp *a[2];
    a[0] = mm_afp_open(&c, err, sizeof err);
    assert_non_null(a[0]);
    c.promisc = false;
    c.block_size = 0;          /* the defaults: 128 blocks of 256 KiB */
    c.blocks = 0;
    a[1] = mm_afp_open(&c, err, sizeof err);
    if (!a[1])
        fail_msg("%s", err);
    assert_int_equal(mm_afp_linktype(a[0]), MM_LT_ETHERNET);

    afp_seen *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->want_len = s->want_caplen = 120;
    s->t0 = afp_now_ns();
    int fd = afp_sender();
    uint8_t f[256];
    /* flows interleaved: packet k of every flow, then k + 1 */
    for (int k = 0; k < AFP_PER_FLOW; k++)
        for (int fl = 0; fl < AFP_FLOWS; fl++) {
            uint32_t seq = (uint32_t)(fl * AFP_PER_FLOW + k);
            afp_send(fd, f, afp_frame(f, 120, 0, 0, (uint16_t)(20000 + fl), 7777, seq));
        }
    close(fd);
    uint64_t end = afp_now_ns() + 3000000000ULL;
    while (s->ours < AFP_N && afp_now_ns() < end)
        for (int i = 0; i < 2; i++) {
            s->sock = i;
            assert_true(mm_afp_dispatch(a[i], 20, afp_cb, s, err, sizeof err) >= 0);
        }
    /* the kernel's counts: packets it put in the rings (wait for a block
     * still filling to be handed up) */
    mm_live_stats ks[2];
    uint64_t kp = 0, kd = 0;
    end = afp_now_ns() + 1000000000ULL;
    for (;;) {
        kp = kd = 0;
        for (int i = 0; i < 2; i++) {
            mm_afp_stats_get(a[i], &ks[i]);
            kp += ks[i].kernel_packets;
            kd += ks[i].kernel_drops;
        }
        if (kp == s->all[0] + s->all[1] || afp_now_ns() > end)
            break;
        for (int i = 0; i < 2; i++) {
            s->sock = i;
            assert_true(mm_afp_dispatch(a[i], 20, afp_cb, s, err, sizeof err) >= 0);
        }
    }
    printf("afpacket fanout: %llu of ours (%llu all) on socket 0 %d flows, socket 1 %d flows;"
           " kernel %llu packets, %llu drops\n", (unsigned long long)s->ours,
           (unsigned long long)(s->all[0] + s->all[1]), s->per_sock[0], s->per_sock[1],
           (unsigned long long)kp, (unsigned long long)kd);
    assert_int_equal(s->bad, 0);
    assert_int_equal(s->ours, AFP_N);
    for (int i = 0; i < AFP_N; i++)
        assert_int_equal(s->got[i], 1);
    for (int i = 0; i < AFP_FLOWS; i++)
        assert_true(s->flow_sock[i] > 0);
    assert_true(s->per_sock[0] > 0 && s->per_sock[1] > 0);
    assert_int_equal(kp, s->all[0] + s->all[1]);
    assert_int_equal(kd, 0);
    /* totals add up: a second read adds nothing new */
    mm_live_stats again;
    mm_afp_stats_get(a[0], &again);
    assert_true(again.kernel_packets >= ks[0].kernel_packets);
    free(s);
    mm_afp_close(a[0]);
    mm_afp_close(a[1]);
}

static void test_afp_filter_snaplen(void **st)
{
    (void)st;
    if (!afp_ready) {
        printf("skipped: %s\n", afp_skip);
        skip();
    }
    char err[256] = "";
    mm_afp_config c = {.iface = afp_a, .bpf = "udp port 9 and", .snaplen = 64};
    assert_null(mm_afp_open(&c, err, sizeof err));
    assert_non_null(strstr(err, "filter 'udp port 9 and': "));
    c.bpf = "udp port 9";
    mm_afp *a = mm_afp_open(&c, err, sizeof err);
    if (!a)
        fail_msg("%s", err);
    afp_seen *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->want_len = 200;
    s->want_caplen = 64;
    s->only_dport = 9;
    s->t0 = afp_now_ns();
    int fd = afp_sender();
    uint8_t f[256];
    for (uint32_t seq = 0; seq < 100; seq++)
        afp_send(fd, f, afp_frame(f, 200, 0, 0, (uint16_t)(20000 + seq / AFP_PER_FLOW),
                                  seq % 2 ? 10 : 9, seq));
    close(fd);
    uint64_t end = afp_now_ns() + 3000000000ULL;
    while (s->ours < 50 && afp_now_ns() < end)
        assert_true(mm_afp_dispatch(a, 20, afp_cb, s, err, sizeof err) >= 0);
    /* anything left over (nothing should be) */
    for (int i = 0; i < 5; i++)
        assert_true(mm_afp_dispatch(a, 20, afp_cb, s, err, sizeof err) >= 0);
    assert_int_equal(s->bad, 0);
    assert_int_equal(s->ours, 50);
    assert_int_equal(s->all[0], 50);
    for (uint32_t seq = 0; seq < 100; seq++)
        assert_int_equal(s->got[seq], seq % 2 ? 0 : 1);
    mm_live_stats ks;
    mm_afp_stats_get(a, &ks);
    assert_int_equal(ks.kernel_packets, 50);
    assert_int_equal(ks.kernel_drops, 0);
    assert_int_equal(ks.iface_drops, 0);
    free(s);
    mm_afp_close(a);
}

typedef struct afp_vl {
    uint8_t got[2][128];
    uint32_t len[2], wirelen[2];
    int n;
} afp_vl;

static void afp_vcb(void *u, const mm_rawpkt *p)
{
    afp_vl *v = u;
    if (p->caplen < 50 || p->caplen > 128 || v->n >= 2)
        return;
    const uint8_t *d = p->data;
    if (d[46] != 0x6d || d[47] != 0x6d || d[48] != 0x61 || d[49] != 0x66)
        return;   /* the magic, 4 bytes further on than untagged */
    memcpy(v->got[v->n], d, p->caplen);
    v->len[v->n] = p->caplen;
    v->wirelen[v->n] = p->wirelen;
    v->n++;
}

static void test_afp_vlan(void **st)
{
    (void)st;
    if (!afp_ready) {
        printf("skipped: %s\n", afp_skip);
        skip();
    }
    char err[256] = "";
    mm_afp_config c = {.iface = afp_a, .snaplen = 1500, .block_size = 64 << 10, .blocks = 4};
    mm_afp *a = mm_afp_open(&c, err, sizeof err);
    if (!a)
        fail_msg("%s", err);
    uint8_t f[2][128];
    afp_frame(f[0], 100, 0x8100, 0x6064, 30000, 53, 1);   /* priority 3, VLAN 100 */
    afp_frame(f[1], 100, 0x88a8, 0x0fff, 30001, 53, 2);   /* 802.1ad, VLAN 4095 */
    int fd = afp_sender();
    afp_send(fd, f[0], 100);
    afp_send(fd, f[1], 100);
    close(fd);
    afp_vl v;
    memset(&v, 0, sizeof v);
    uint64_t end = afp_now_ns() + 3000000000ULL;
    while (v.n < 2 && afp_now_ns() < end)
        assert_true(mm_afp_dispatch(a, 20, afp_vcb, &v, err, sizeof err) >= 0);
    assert_int_equal(v.n, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(v.len[i], 100);
        assert_int_equal(v.wirelen[i], 100);
        assert_memory_equal(v.got[i], f[i], 100);
    }
    mm_afp_close(a);
}

/* A filter that names VLANs: matched on the packet with its tag put back
 * (the kernel strips it before a socket filter runs). */
static void test_afp_vlan_filter(void **st)
{
    (void)st;
    if (!afp_ready) {
        printf("skipped: %s\n", afp_skip);
        skip();
    }
    char err[256] = "";
    mm_afp_config c = {.iface = afp_a, .snaplen = 1500, .bpf = "vlan 100 and udp port 53",
                       .block_size = 64 << 10, .blocks = 4};
    mm_afp *a = mm_afp_open(&c, err, sizeof err);
    if (!a)
        fail_msg("%s", err);
    uint8_t f[4][128];
    afp_frame(f[0], 100, 0x8100, 0x0064, 30000, 53, 1);   /* VLAN 100, port 53: kept */
    afp_frame(f[1], 100, 0x8100, 0x00c8, 30001, 53, 2);   /* VLAN 200 */
    afp_frame(f[2], 100, 0, 0, 30002, 53, 3);             /* untagged */
    afp_frame(f[3], 100, 0x8100, 0x0064, 30003, 54, 4);   /* VLAN 100, port 54 */
    int fd = afp_sender();
    for (int i = 0; i < 4; i++)
        afp_send(fd, f[i], 100);
    afp_send(fd, f[0], 100);                              /* and the first again */
    close(fd);
    afp_vl v;
    memset(&v, 0, sizeof v);
    uint64_t end = afp_now_ns() + 1000000000ULL;
    while (afp_now_ns() < end)
        assert_true(mm_afp_dispatch(a, 20, afp_vcb, &v, err, sizeof err) >= 0);
    assert_int_equal(v.n, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(v.len[i], 100);
        assert_memory_equal(v.got[i], f[0], 100);
    }
    mm_afp_close(a);
}

static void test_afp_errors(void **st)
{
    (void)st;
    char err[256] = "";
    mm_afp_config c = {.iface = "mmafp-nosuch", .snaplen = 1500};
    assert_null(mm_afp_open(&c, err, sizeof err));
    assert_string_equal(err, "mmafp-nosuch: no such interface");
    c.iface = "an-interface-name-far-too-long";
    assert_null(mm_afp_open(&c, err, sizeof err));
    assert_non_null(strstr(err, "no such interface"));
    c.iface = "lo";
    c.block_size = 5000;
    assert_null(mm_afp_open(&c, err, sizeof err));
    assert_non_null(strstr(err, "block size 5000"));
}

/* The block walker on blocks built in memory: offsets that point outside
 * the block end the walk and are counted. */
typedef struct afp_wk {
    int n;
    uint32_t caplen[4], wirelen[4];
    uint8_t first[4];
    uint64_t ts0;
    uint8_t d0[32];
} afp_wk;

static void afp_wcb(void *u, const mm_rawpkt *p)
{
    afp_wk *w = u;
    if (w->n == 0) {
        w->ts0 = p->ts_ns;
        memcpy(w->d0, p->data, p->caplen < 32 ? p->caplen : 32);
    }
    if (w->n < 4) {
        w->caplen[w->n] = p->caplen;
        w->wirelen[w->n] = p->wirelen;
        w->first[w->n] = p->caplen ? p->data[0] : 0;
    }
    w->n++;
}

static void afp_put_hdr(uint8_t *blk, uint32_t off, uint32_t next, uint32_t snap, uint32_t len,
                        uint16_t mac)
{
    struct tpacket3_hdr h;
    memset(&h, 0, sizeof h);
    h.tp_next_offset = next;
    h.tp_sec = 5;
    h.tp_nsec = 7;
    h.tp_snaplen = snap;
    h.tp_len = len;
    h.tp_mac = mac;
    memcpy(blk + off, &h, sizeof h);
}

static void test_afp_walk_block(void **st)
{
    (void)st;
    static uint8_t blk[4096];
    memset(blk, 0, sizeof blk);
    struct tpacket_block_desc bd;
    memset(&bd, 0, sizeof bd);
    bd.hdr.bh1.num_pkts = 3;
    bd.hdr.bh1.offset_to_first_pkt = 64;
    memcpy(blk, &bd, sizeof bd);
    afp_put_hdr(blk, 64, 128, 40, 60, 64);
    blk[128] = 0xA1;
    afp_put_hdr(blk, 192, 256, 20, 20, 66);
    blk[258] = 0xB2;
    afp_put_hdr(blk, 448, 0, 100, 100, 64);
    blk[512] = 0xC3;
    afp_wk w;
    memset(&w, 0, sizeof w);
    uint64_t bad = 0;
    assert_int_equal(mm_afp_walk_block(blk, sizeof blk, MM_LT_RAW, afp_wcb, &w, &bad), 3);
    assert_int_equal(bad, 0);
    assert_int_equal(w.caplen[0], 40);
    assert_int_equal(w.first[0], 0xA1);
    assert_int_equal(w.first[1], 0xB2);
    assert_int_equal(w.first[2], 0xC3);
    /* the third packet's data runs past the block: two handed up, one bad */
    memset(&w, 0, sizeof w);
    assert_int_equal(mm_afp_walk_block(blk, 600, MM_LT_RAW, afp_wcb, &w, &bad), 2);
    assert_int_equal(bad, 1);
    /* a next offset of 0 before the last packet */
    afp_put_hdr(blk, 192, 0, 20, 20, 66);
    memset(&w, 0, sizeof w);
    assert_int_equal(mm_afp_walk_block(blk, sizeof blk, MM_LT_RAW, afp_wcb, &w, &bad), 2);
    assert_int_equal(bad, 2);
    /* first packet beyond the block; a block shorter than its descriptor */
    bd.hdr.bh1.offset_to_first_pkt = 0xfffffff0u;
    memcpy(blk, &bd, sizeof bd);
    assert_int_equal(mm_afp_walk_block(blk, sizeof blk, MM_LT_RAW, afp_wcb, &w, &bad), 0);
    assert_int_equal(mm_afp_walk_block(blk, 8, MM_LT_RAW, afp_wcb, &w, &bad), 0);
    assert_int_equal(bad, 4);
    /* a VLAN tag put back after the MAC addresses; ts in ns */
    bd.hdr.bh1.num_pkts = 1;
    bd.hdr.bh1.offset_to_first_pkt = 64;
    memcpy(blk, &bd, sizeof bd);
    struct tpacket3_hdr h;
    memset(&h, 0, sizeof h);
    h.tp_snaplen = 20;
    h.tp_len = 30;
    h.tp_mac = 64;
    h.tp_sec = 2;
    h.tp_nsec = 3;
    h.tp_status = TP_STATUS_VLAN_VALID;
    h.hv1.tp_vlan_tci = 0x0123;
    memcpy(blk + 64, &h, sizeof h);
    for (int i = 0; i < 20; i++)
        blk[128 + i] = (uint8_t)i;
    memset(&w, 0, sizeof w);
    assert_int_equal(mm_afp_walk_block(blk, sizeof blk, MM_LT_ETHERNET, afp_wcb, &w, &bad), 1);
    assert_int_equal(w.caplen[0], 24);
    assert_int_equal(w.wirelen[0], 34);
    assert_int_equal(w.ts0, 2000000003ULL);
    static const uint8_t want[24] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x81, 0x00, 0x01, 0x23,
                                     12, 13, 14, 15, 16, 17, 18, 19};
    assert_memory_equal(w.d0, want, 24);
    /* with the 802.1ad type given; the raw link type has no tag put back */
    h.tp_status = TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID;
    h.hv1.tp_vlan_tpid = 0x88a8;
    memcpy(blk + 64, &h, sizeof h);
    memset(&w, 0, sizeof w);
    assert_int_equal(mm_afp_walk_block(blk, sizeof blk, MM_LT_ETHERNET, afp_wcb, &w, &bad), 1);
    assert_int_equal(w.d0[12], 0x88);
    assert_int_equal(w.d0[13], 0xa8);
    memset(&w, 0, sizeof w);
    assert_int_equal(mm_afp_walk_block(blk, sizeof blk, MM_LT_RAW, afp_wcb, &w, &bad), 1);
    assert_int_equal(w.caplen[0], 20);
    assert_int_equal(w.d0[12], 12);
    assert_int_equal(bad, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_micro_and_nano),
        cmocka_unit_test(test_file_across_buffer),
        cmocka_unit_test(test_pcap_big_endian),
        cmocka_unit_test(test_pcap_truncated_and_bogus),
        cmocka_unit_test(test_pcap_old_version_swapped_lengths),
        cmocka_unit_test(test_pcapng_interfaces),
        cmocka_unit_test(test_pcapng_bad_blocks),
        cmocka_unit_test(test_afp_walk_block),
        cmocka_unit_test(test_afp_errors),
    };
    const struct CMUnitTest live[] = {
        cmocka_unit_test(test_afp_fanout),
        cmocka_unit_test(test_afp_filter_snaplen),
        cmocka_unit_test(test_afp_vlan),
        cmocka_unit_test(test_afp_vlan_filter),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    return rc | cmocka_run_group_tests_name("afpacket", live, afp_group_setup,
                                            afp_group_teardown);
}
