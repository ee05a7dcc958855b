/*
 * capfile.c - pcap and pcapng readers.
 *
 * Both formats are read through one buffer: read() fills it in large chunks
 * and records are handed out as pointers into it, so a packet is copied once
 * (kernel to buffer) and never again. A record that straddles the end of the
 * buffer is moved to its start before the next read. Every length comes from
 * the file and is checked before use: record lengths against the snapshot
 * maximum, block lengths against MM_MAX_BLOCK and the block's own size.
 *
 * pcap: 24-byte header (magic says byte order and micro/nanoseconds), then
 * 16-byte record headers. pcapng: blocks of (type, length, body, length);
 * a Section Header gives the byte order and resets the interface list,
 * Interface Description blocks give each interface its link type and
 * timestamp resolution, packets come in Enhanced, Simple and (obsolete)
 * Packet blocks; everything else is skipped.
 */
#include "capture/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The read buffer is 4 * CHUNK = 1 MiB: small enough to stay in a core's
 * L2 cache between the copy from the kernel and the packet's parsing (a
 * 4 MiB buffer made the whole sensor 4-6 % slower on bench400.pcap, with
 * or without rules; 256 KiB costs more in read calls). */
#define CHUNK (1u << 18)
#define MAX_IFACES 4096

enum { FMT_PCAP, FMT_PCAPNG };

typedef struct ng_iface {
    int linktype;
    uint32_t snaplen;
    uint64_t units;        /* timestamp units per second */
    int64_t offset_s;      /* if_tsoffset */
} ng_iface;

struct mm_capfile {
    int fd;                /* -1 when reading from memory */
    uint8_t *buf;
    size_t cap, start, end;
    bool eof;
    uint64_t consumed, size;
    int fmt;
    bool swap;
    /* pcap */
    int linktype;
    uint32_t ns_mult;      /* 1000 for microseconds, 1 for nanoseconds */
    bool maybe_swapped;    /* versions before 2.3 may swap caplen and len */
    /* pcapng */
    ng_iface *ifs;
    uint32_t n_ifs;
};

static inline uint16_t rd16(const mm_capfile *c, const uint8_t *p)
{
    uint16_t v = (uint16_t)(p[0] | (p[1] << 8));
    return c->swap ? (uint16_t)((v >> 8) | (v << 8)) : v;
}

static inline uint32_t rd32(const mm_capfile *c, const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                 ((uint32_t)p[3] << 24);
    return c->swap ? __builtin_bswap32(v) : v;
}

/* Make n bytes available at buf+start. False when the input ends first. */
static bool need(mm_capfile *c, size_t n)
{
    if (c->end - c->start >= n)
        return true;
    if (c->fd < 0 || c->eof)
        return false;
    if (c->start > 0) {
        memmove(c->buf, c->buf + c->start, c->end - c->start);
        c->end -= c->start;
        c->start = 0;
    }
    if (n > c->cap) {
        size_t ncap = c->cap;
        while (ncap < n)
            ncap *= 2;
        uint8_t *nb = realloc(c->buf, ncap);
        if (!nb)
            return false;
        c->buf = nb;
        c->cap = ncap;
    }
    while (c->end < n) {
        ssize_t r = read(c->fd, c->buf + c->end, c->cap - c->end);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            c->eof = true;
            return false;
        }
        if (r == 0) {
            c->eof = true;
            return false;
        }
        c->end += (size_t)r;
    }
    return true;
}

static void consume(mm_capfile *c, size_t n)
{
    c->start += n;
    c->consumed += n;
}

static mm_capfile *detect(mm_capfile *c, char *err, size_t errlen)
{
    if (!need(c, 4)) {
        snprintf(err, errlen, "empty or too short to be a capture file");
        goto fail;
    }
    const uint8_t *p = c->buf + c->start;
    uint32_t m = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                 ((uint32_t)p[3] << 24);
    if (m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1) {
        c->fmt = FMT_PCAP;
        c->swap = (m == 0xd4c3b2a1 || m == 0x4d3cb2a1);
        c->ns_mult = (m == 0xa1b23c4d || m == 0x4d3cb2a1) ? 1 : 1000;
        if (!need(c, 24)) {
            snprintf(err, errlen, "pcap file header cut short");
            goto fail;
        }
        p = c->buf + c->start;
        uint32_t major = rd16(c, p + 4);
        if (major != 2) {
            snprintf(err, errlen, "unsupported pcap version %u", major);
            goto fail;
        }
        /* Lower 16 bits: link type; upper bits may carry FCS information. */
        c->linktype = (int)(rd32(c, p + 20) & 0xFFFF);
        c->maybe_swapped = rd16(c, p + 6) < 3;
        consume(c, 24);
        return c;
    }
    if (m == 0x0A0D0D0A) {
        c->fmt = FMT_PCAPNG;
        return c; /* the section header is read as the first block */
    }
    snprintf(err, errlen, "not a pcap or pcapng file");
fail:
    mm_capfile_close(c);
    return NULL;
}

mm_capfile *mm_capfile_open(const char *path, char *err, size_t errlen)
{
    int fd;
    if (strcmp(path, "-") == 0) {
        fd = dup(0);
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "is a directory");
        close(fd);
        return NULL;
    }
    mm_capfile *c = calloc(1, sizeof(*c));
    if (!c) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->fd = fd;
    c->cap = 4 * CHUNK;
    c->buf = malloc(c->cap);
    if (!c->buf) {
        snprintf(err, errlen, "out of memory");
        mm_capfile_close(c);
        return NULL;
    }
    if (S_ISREG(st.st_mode)) {
        c->size = (uint64_t)st.st_size;
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    return detect(c, err, errlen);
}

mm_capfile *mm_capfile_open_mem(const uint8_t *data, size_t len, char *err, size_t errlen)
{
    mm_capfile *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->fd = -1;
    c->buf = (uint8_t *)data; /* never written through when fd < 0 */
    c->cap = c->end = len;
    c->eof = true;
    c->size = len;
    return detect(c, err, errlen);
}

void mm_capfile_close(mm_capfile *c)
{
    if (!c)
        return;
    if (c->fd >= 0) {
        close(c->fd);
        free(c->buf);
    }
    free(c->ifs);
    free(c);
}

uint64_t mm_capfile_pos(const mm_capfile *c) { return c->consumed; }
uint64_t mm_capfile_size(const mm_capfile *c) { return c->size; }
const char *mm_capfile_format(const mm_capfile *c)
{
    return c->fmt == FMT_PCAP ? "pcap" : "pcapng";
}

static int next_pcap(mm_capfile *c, mm_rawpkt *p, char *err, size_t errlen)
{
    if (!need(c, 16)) {
        if (c->end == c->start)
            return MM_CAP_EOF;
        snprintf(err, errlen, "record header cut short at offset %llu",
                 (unsigned long long)c->consumed);
        return MM_CAP_ERR;
    }
    const uint8_t *h = c->buf + c->start;
    uint32_t sec = rd32(c, h), frac = rd32(c, h + 4);
    uint32_t incl = rd32(c, h + 8), orig = rd32(c, h + 12);
    if (c->maybe_swapped && incl > orig) { /* as libpcap does for old files */
        uint32_t t = incl;
        incl = orig;
        orig = t;
    }
    if (incl > MM_MAX_SNAPLEN) {
        snprintf(err, errlen, "record at offset %llu claims %u bytes (more than %u)",
                 (unsigned long long)c->consumed, incl, MM_MAX_SNAPLEN);
        return MM_CAP_ERR;
    }
    if (!need(c, 16 + (size_t)incl)) {
        snprintf(err, errlen, "packet record cut short at offset %llu (%u bytes announced)",
                 (unsigned long long)c->consumed, incl);
        return MM_CAP_ERR;
    }
    p->ts_ns = (uint64_t)sec * 1000000000ULL + (uint64_t)frac * c->ns_mult;
    p->caplen = incl;
    p->wirelen = orig;
    p->linktype = c->linktype;
    p->iface = 0;
    p->data = c->buf + c->start + 16;
    consume(c, 16 + (size_t)incl);
    return MM_CAP_PKT;
}

/* Timestamp in interface units -> ns since the epoch (saturating). */
static uint64_t ng_ts(const ng_iface *f, uint64_t t)
{
    unsigned __int128 ns = (unsigned __int128)(t / f->units) * 1000000000u +
                           (unsigned __int128)(t % f->units) * 1000000000u / f->units;
    __int128 s = (__int128)ns + (__int128)f->offset_s * 1000000000;
    if (s < 0)
        return 0;
    if (s > (__int128)UINT64_MAX)
        return UINT64_MAX;
    return (uint64_t)s;
}

/* Options of an Interface Description block: tsresol (9) and tsoffset (14). */
static void ng_idb_options(const mm_capfile *c, ng_iface *f, const uint8_t *o, size_t n)
{
    while (n >= 4) {
        uint16_t code = rd16(c, o), len = rd16(c, o + 2);
        size_t padded = ((size_t)len + 3) & ~(size_t)3;
        if (code == 0 || 4 + padded > n)
            break;
        if (code == 9 && len >= 1) {
            uint8_t r = o[4];
            unsigned e = r & 0x7F;
            if (r & 0x80) {
                if (e <= 62)
                    f->units = 1ULL << e;
            } else if (e <= 18) {
                uint64_t u = 1;
                for (unsigned i = 0; i < e; i++)
                    u *= 10;
                f->units = u;
            }
        } else if (code == 14 && len == 8) {
            uint64_t lo = rd32(c, o + 4), hi = rd32(c, o + 8);
            uint64_t v = c->swap ? (lo << 32) | hi : (hi << 32) | lo;
            f->offset_s = (int64_t)v;
        }
        o += 4 + padded;
        n -= 4 + padded;
    }
}

static int next_pcapng(mm_capfile *c, mm_rawpkt *p, char *err, size_t errlen)
{
    for (;;) {
        if (!need(c, 12)) {
            if (c->end == c->start)
                return MM_CAP_EOF;
            snprintf(err, errlen, "block header cut short at offset %llu",
                     (unsigned long long)c->consumed);
            return MM_CAP_ERR;
        }
        const uint8_t *b = c->buf + c->start;
        uint32_t raw_type = (uint32_t)b[0] | ((uint32_t)b[1] << 8) |
                            ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
        if (raw_type == 0x0A0D0D0A) {
            /* Section header: byte-order magic decides how to read the rest. */
            uint32_t bom = (uint32_t)b[8] | ((uint32_t)b[9] << 8) |
                           ((uint32_t)b[10] << 16) | ((uint32_t)b[11] << 24);
            if (bom == 0x1A2B3C4D)
                c->swap = false;
            else if (bom == 0x4D3C2B1A)
                c->swap = true;
            else {
                snprintf(err, errlen, "bad pcapng byte-order magic at offset %llu",
                         (unsigned long long)c->consumed);
                return MM_CAP_ERR;
            }
            c->n_ifs = 0;
        }
        uint32_t type = rd32(c, b), len = rd32(c, b + 4);
        if (len < 12 || (len & 3) || len > MM_MAX_BLOCK) {
            snprintf(err, errlen, "bad pcapng block length %u at offset %llu", len,
                     (unsigned long long)c->consumed);
            return MM_CAP_ERR;
        }
        if (!need(c, len)) {
            snprintf(err, errlen, "pcapng block cut short at offset %llu (%u bytes announced)",
                     (unsigned long long)c->consumed, len);
            return MM_CAP_ERR;
        }
        b = c->buf + c->start;
        const uint8_t *body = b + 8;
        size_t blen = len - 12;
        int got = 0;

        if (type == 1) { /* Interface Description */
            if (blen < 8) {
                snprintf(err, errlen, "interface block too short at offset %llu",
                         (unsigned long long)c->consumed);
                return MM_CAP_ERR;
            }
            if (c->n_ifs >= MAX_IFACES) {
                snprintf(err, errlen, "more than %d interfaces", MAX_IFACES);
                return MM_CAP_ERR;
            }
            if ((c->n_ifs & (c->n_ifs - 1)) == 0) { /* grow at powers of two */
                size_t ncap = c->n_ifs ? c->n_ifs * 2 : 4;
                ng_iface *nf = realloc(c->ifs, ncap * sizeof(*nf));
                if (!nf) {
                    snprintf(err, errlen, "out of memory");
                    return MM_CAP_ERR;
                }
                c->ifs = nf;
            }
            ng_iface *f = &c->ifs[c->n_ifs++];
            f->linktype = rd16(c, body);
            f->snaplen = rd32(c, body + 4);
            f->units = 1000000;
            f->offset_s = 0;
            ng_idb_options(c, f, body + 8, blen - 8);
        } else if (type == 6 || type == 2) { /* Enhanced / obsolete Packet */
            if (blen < 20) {
                snprintf(err, errlen, "packet block too short at offset %llu",
                         (unsigned long long)c->consumed);
                return MM_CAP_ERR;
            }
            uint32_t ifid = type == 6 ? rd32(c, body) : rd16(c, body);
            uint64_t ts = ((uint64_t)rd32(c, body + 4) << 32) | rd32(c, body + 8);
            uint32_t capl = rd32(c, body + 12), orig = rd32(c, body + 16);
            if (ifid >= c->n_ifs) {
                snprintf(err, errlen, "packet names interface %u of %u at offset %llu",
                         ifid, c->n_ifs, (unsigned long long)c->consumed);
                return MM_CAP_ERR;
            }
            if (capl > blen - 20 || capl > MM_MAX_SNAPLEN) {
                snprintf(err, errlen, "packet length %u overruns its block at offset %llu",
                         capl, (unsigned long long)c->consumed);
                return MM_CAP_ERR;
            }
            const ng_iface *f = &c->ifs[ifid];
            p->ts_ns = ng_ts(f, ts);
            p->caplen = capl;
            p->wirelen = orig;
            p->linktype = f->linktype;
            p->iface = ifid;
            p->data = body + 20;
            got = 1;
        } else if (type == 3) { /* Simple Packet: interface 0, no timestamp */
            if (blen < 4 || c->n_ifs == 0) {
                snprintf(err, errlen, "simple packet block without interface at offset %llu",
                         (unsigned long long)c->consumed);
                return MM_CAP_ERR;
            }
            uint32_t orig = rd32(c, body);
            uint32_t capl = orig;
            const ng_iface *f = &c->ifs[0];
            if (f->snaplen && capl > f->snaplen)
                capl = f->snaplen;
            if (capl > blen - 4)
                capl = (uint32_t)(blen - 4);
            if (capl > MM_MAX_SNAPLEN)
                capl = MM_MAX_SNAPLEN;
            p->ts_ns = 0;
            p->caplen = capl;
            p->wirelen = orig;
            p->linktype = f->linktype;
            p->iface = 0;
            p->data = body + 4;
            got = 1;
        }
        /* type 0x0A0D0D0A (section), statistics, name resolution, custom: skipped */
        consume(c, len);
        if (got)
            return MM_CAP_PKT;
    }
}

int mm_capfile_next(mm_capfile *c, mm_rawpkt *p, char *err, size_t errlen)
{
    return c->fmt == FMT_PCAP ? next_pcap(c, p, err, errlen) : next_pcapng(c, p, err, errlen);
}
