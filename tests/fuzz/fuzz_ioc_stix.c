/* Fuzz target: the JSON indicator readers. Byte 0 picks the reader (low
 * two bits: STIX, MISP, ThreatFox, the STIX pattern parser alone) and the
 * splitter's chunk size for a second read through a file (the next bits);
 * the rest is the document.
 *
 * Checks beyond "no crash": every indicator handed to the sink has a
 * non-empty value and a type; the counts of a read from memory and of
 * the same bytes read from a file in small chunks agree; and the
 * splitter gives the same elements whatever the chunk size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ioc/ioc.h"
#include "ioc/stix_int.h"
#include "util/jsplit.h"

static int fz_add(void *u, const mm_ioc *i)
{
    (void)u;
    if (!i->value || !i->value[0] || i->type == IOC_NONE || i->type >= IOC__COUNT)
        abort();
    return 0;
}

static void fz_bad(void *u, const char *where, const char *why)
{
    (void)u;
    if (!where || !why || strchr(why, '\n'))
        abort();
}

static int fz_value(void *u, mm_ioc_type t, const char *v, size_t n)
{
    (void)u;
    if ((unsigned)t >= IOC__COUNT || (n && !v))
        abort();
    return 0;
}

static void fz_note(void *u, const char *why)
{
    (void)u;
    if (!why)
        abort();
}

typedef struct fz_sum {
    uint64_t n, bytes, refused;
} fz_sum;

static int fz_elem(void *u, const js_elem *e)
{
    fz_sum *s = u;
    if (e->why)
        s->refused++;
    else
        s->bytes += e->n, s->n++;
    return 0;
}

static int memfile(const uint8_t *d, size_t n)
{
    int fd = memfd_create("fz", 0);
    if (fd < 0)
        abort();
    if (n && write(fd, d, n) != (ssize_t)n)
        abort();
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* The splitter over memory and over a file in small chunks must agree. */
static void split_both(const uint8_t *d, size_t n, size_t chunk)
{
    static const char *const paths[] = {"objects[]", "Event.Attribute[]", "response[].Event.Tag[]",
                                        "*[]", "[]"};
    fz_sum a = {0}, b = {0};
    char e1[200], e2[200];
    js_split j1 = {paths, 5, 64, 0, fz_elem, &a, 0, 0, 0, 0, 0};
    js_split j2 = {paths, 5, 64, chunk, fz_elem, &b, 0, 0, 0, 0, 0};
    int r1 = js_split_mem(&j1, (const char *)d, n, e1, sizeof e1);
    int fd = memfile(d, n);
    int r2 = js_split_fd(&j2, fd, e2, sizeof e2);
    close(fd);
    if (r1 != r2 || a.n != b.n || a.bytes != b.bytes || a.refused != b.refused) {
        fprintf(stderr, "mem %d (%s) %llu/%llu/%llu, fd %d (%s) %llu/%llu/%llu\n", r1, e1,
                (unsigned long long)a.n, (unsigned long long)a.bytes,
                (unsigned long long)a.refused, r2, e2, (unsigned long long)b.n,
                (unsigned long long)b.bytes, (unsigned long long)b.refused);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int kind = data[0] & 3;
    size_t chunk = 1 + (data[0] >> 2);
    const char *d = (const char *)data + 1;
    size_t n = size - 1;
    char err[256];
    if (kind == 3) {
        sp_out o = {fz_value, fz_note, fz_note, NULL};
        (void)stix_pattern_eval(d, n, &o, err, sizeof err);
        return 0;
    }
    split_both(data + 1, n, chunk);
    mm_ioc_sink sink = {fz_add, fz_bad, NULL};
    mm_ioc_read_opts o = {0};
    o.now_us = 1700000000000000LL;
    mm_ioc_read_stats s1 = {0}, s2 = {0};
    static const mm_ioc_format fmts[] = {IOC_FMT_STIX, IOC_FMT_MISP, IOC_FMT_THREATFOX};
    int r1;
    if (kind == 0)
        r1 = mm_ioc_read_stix(d, n, &o, &sink, &s1, err, sizeof err);
    else if (kind == 1)
        r1 = mm_ioc_read_misp(d, n, &o, &sink, &s1, err, sizeof err);
    else
        r1 = mm_ioc_read_threatfox(d, n, &o, &sink, &s1, err, sizeof err);
    int fd = memfile(data + 1, n);
    int r2 = mm_ioc_stream_json(fd, fmts[kind], &o, &sink, &s2, err, sizeof err);
    close(fd);
    if (r1 != r2 || s1.indicators != s2.indicators || s1.bad != s2.bad ||
        s1.skipped != s2.skipped || s1.expired != s2.expired)
        abort();
    return 0;
}
