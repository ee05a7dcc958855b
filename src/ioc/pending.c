/*
 * pending.c - the JSON indicator readers (STIX 2.1, MISP, ThreatFox) until
 * their files land: each refuses with a clear message. Removed when
 * stix.c and misp.c are in.
 */
#include "ioc/ioc.h"

#include <stdio.h>

static int not_yet(char *err, size_t errlen)
{
    snprintf(err, errlen, "this build cannot read JSON indicator files yet");
    return -1;
}

int mm_ioc_read_stix(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                     mm_ioc_read_stats *st, char *err, size_t errlen)
{
    (void)d, (void)n, (void)o, (void)s, (void)st;
    return not_yet(err, errlen);
}

int mm_ioc_read_misp(const char *d, size_t n, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                     mm_ioc_read_stats *st, char *err, size_t errlen)
{
    (void)d, (void)n, (void)o, (void)s, (void)st;
    return not_yet(err, errlen);
}

int mm_ioc_read_threatfox(const char *d, size_t n, const mm_ioc_read_opts *o,
                          const mm_ioc_sink *s, mm_ioc_read_stats *st, char *err, size_t errlen)
{
    (void)d, (void)n, (void)o, (void)s, (void)st;
    return not_yet(err, errlen);
}

int mm_ioc_stream_json(int fd, mm_ioc_format f, const mm_ioc_read_opts *o, const mm_ioc_sink *s,
                       mm_ioc_read_stats *st, char *err, size_t errlen)
{
    (void)fd, (void)f, (void)o, (void)s, (void)st;
    return not_yet(err, errlen);
}
