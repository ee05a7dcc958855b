/*
 * capture.h - where packets come from: capture files (pcap, pcapng) and live
 * interfaces (libpcap). Both hand out mm_rawpkt records; the data pointer is
 * valid until the next call on the same source.
 */
#ifndef MM_CAPTURE_H
#define MM_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Link types we decode (values of the pcap LINKTYPE_ registry). */
enum {
    MM_LT_NULL = 0,        /* BSD loopback: 4-byte AF in host order */
    MM_LT_ETHERNET = 1,
    MM_LT_PPP = 9,
    MM_LT_RAW = 101,       /* raw IPv4/IPv6 */
    MM_LT_CHDLC = 104,     /* Cisco HDLC */
    MM_LT_LOOP = 108,      /* OpenBSD loopback: AF in network order */
    MM_LT_LINUX_SLL = 113,
    MM_LT_PPI = 192,
    MM_LT_IPV4 = 228,
    MM_LT_IPV6 = 229,
    MM_LT_LINUX_SLL2 = 276,
};
/* DLT_RAW as written by some systems (12 on most, 14 on OpenBSD). */
#define MM_DLT_RAW_ALT1 12
#define MM_DLT_RAW_ALT2 14

typedef struct mm_rawpkt {
    uint64_t ts_ns;        /* ns since the epoch */
    uint32_t caplen;       /* bytes present at data */
    uint32_t wirelen;      /* bytes on the wire, as the file says */
    int linktype;
    uint32_t iface;        /* interface index within the file */
    const uint8_t *data;
} mm_rawpkt;

/* Largest record we accept; libpcap's maximum snapshot length. */
#define MM_MAX_SNAPLEN 262144u
/* Largest pcapng block we accept. */
#define MM_MAX_BLOCK (16u << 20)

typedef struct mm_capfile mm_capfile;

enum { MM_CAP_EOF = 0, MM_CAP_PKT = 1, MM_CAP_ERR = -1 };

/* Open a capture file ("-" reads standard input). On failure returns NULL and
 * writes a one-line reason to err (e.g. "not a pcap or pcapng file"). */
mm_capfile *mm_capfile_open(const char *path, char *err, size_t errlen);
/* Read from memory (fuzzing, tests); data must outlive the reader. */
mm_capfile *mm_capfile_open_mem(const uint8_t *data, size_t len, char *err, size_t errlen);
/* Next packet: MM_CAP_PKT, MM_CAP_EOF, or MM_CAP_ERR with err set (a record
 * cut short or damaged: packets before it were good, nothing after is read). */
int mm_capfile_next(mm_capfile *c, mm_rawpkt *p, char *err, size_t errlen);
uint64_t mm_capfile_pos(const mm_capfile *c);   /* bytes consumed */
uint64_t mm_capfile_size(const mm_capfile *c);  /* 0 when unknown (pipe) */
const char *mm_capfile_format(const mm_capfile *c); /* "pcap" / "pcapng" */
void mm_capfile_close(mm_capfile *c);

/* Live capture through libpcap. Never transmits. */
typedef struct mm_live mm_live;
typedef struct mm_live_stats {
    uint64_t kernel_packets, kernel_drops, iface_drops;
} mm_live_stats;

mm_live *mm_live_open(const char *iface, const char *bpf, uint32_t snaplen,
                      bool promisc, char *err, size_t errlen);
/* Wait up to timeout_ms for packets and hand each to cb; returns packets
 * handled, 0 on timeout, -1 on error (err set). */
typedef void (*mm_live_cb)(void *user, const mm_rawpkt *p);
int mm_live_dispatch(mm_live *l, int timeout_ms, mm_live_cb cb, void *user,
                     char *err, size_t errlen);
void mm_live_stats_get(mm_live *l, mm_live_stats *st);
int mm_live_linktype(const mm_live *l);
void mm_live_close(mm_live *l);

/* Live capture through AF_PACKET (Linux): a TPACKET_V3 ring of blocks
 * mapped from the kernel, read without a copy, optionally one of several
 * sockets of a fanout group that the kernel feeds by flow hash (both
 * directions of a flow to the same socket), as Suricata's workers runmode
 * does. Never transmits. */
typedef struct mm_afp mm_afp;
typedef struct mm_afp_config {
    const char *iface;
    const char *bpf;            /* capture filter (tcpdump syntax), NULL: none */
    uint32_t snaplen;
    bool promisc;
    uint16_t fanout_id;         /* fanout group (0: this socket alone) */
    uint32_t block_size;        /* bytes a ring block (0: 1 MiB) */
    uint32_t blocks;            /* blocks in the ring (0: 32) */
} mm_afp_config;

mm_afp *mm_afp_open(const mm_afp_config *c, char *err, size_t errlen);
/* Waits up to timeout_ms for a filled block and hands each of its packets
 * to cb, returning the block to the kernel after; returns packets handled,
 * 0 on timeout, -1 on error (err set). */
int mm_afp_dispatch(mm_afp *a, int timeout_ms, mm_live_cb cb, void *user, char *err,
                    size_t errlen);
/* Totals since the socket opened (the kernel's counters reset at each
 * read: they are added up here); iface_drops is 0. */
void mm_afp_stats_get(mm_afp *a, mm_live_stats *st);
int mm_afp_linktype(const mm_afp *a);
void mm_afp_close(mm_afp *a);
/* The packets of one ring block of size bytes (its descriptor first), as
 * mm_afp_dispatch reads them, for fuzzing and tests: every offset is checked
 * against size; a bad one ends the walk and adds 1 to *bad. Returns packets
 * handed to cb, -1 when out of memory. */
int mm_afp_walk_block(const uint8_t *blk, uint32_t size, int linktype, mm_live_cb cb,
                      void *user, uint64_t *bad);

/* Drop root: switch to user (and its primary group, no supplementary groups).
 * Returns false with err set when it cannot. */
bool mm_drop_privileges(const char *user, char *err, size_t errlen);
/* Gives up every capability (effective, permitted, inheritable, ambient)
 * for good: once live capture is open, CAP_NET_RAW and CAP_NET_ADMIN (a
 * service's only ones) are no longer needed. */
bool mm_drop_capabilities(char *err, size_t errlen);

#endif
