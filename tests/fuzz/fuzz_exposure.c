/* Fuzz target: what the exposure checks read from outside - a service's
 * reply to a probe (exposure/banner.c: greetings, HTTP, TLS records and
 * certificates), target lists and port lists as users write them.
 * Byte 0 picks: 0 a reply (byte 1 the kind of exchange, bytes 2-3 the
 * port), 1 target specs (one per line), 2 a
 * port list, 3 an HTTP answer's header lines and page (byte 1 on). What a reply gives must be printable one-line text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exposure/banner.h"
#include "exposure/ports.h"
#include "exposure/probe.h"

static void printable(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == cap)
        abort();                /* not NUL-terminated */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t sel = data[0] % 4;
    if (sel == 3) {             /* an HTTP answer: header lines, then a page */
        mm_http_answer a;
        memset(&a, 0, sizeof a);
        const char *d = (const char *)data + 1, *end = d + size - 1;
        while (d < end) {
            const char *nl = memchr(d, '\n', (size_t)(end - d));
            size_t l = nl ? (size_t)(nl - d) + 1 : (size_t)(end - d);
            mm_http_answer_header(&a, d, l);
            d += l;
        }
        mm_http_answer_title((const char *)data + 1, size - 1, a.title, sizeof a.title);
        printable(a.location, sizeof a.location);
        printable(a.auth, sizeof a.auth);
        printable(a.server, sizeof a.server);
        printable(a.ctype, sizeof a.ctype);
        if (strnlen(a.title, sizeof a.title) == sizeof a.title)
            abort();
        for (const char *p = a.title; *p; p++)
            if ((unsigned char)*p < 0x20)
                abort();
        return 0;
    }
    if (sel == 0) {
        if (size < 4)
            return 0;
        mm_banner_kind k = (mm_banner_kind)(data[1] % 3);
        uint16_t port = (uint16_t)(data[2] << 8 | data[3]);
        const uint8_t *d = data + 4;
        size_t n = size - 4;
        (void)mm_banner_enough(k, d, n);
        mm_probe_result r;
        memset(&r, 0x41, sizeof r);
        mm_banner_read(k, port, d, n, &r);
        printable(r.service, sizeof r.service);
        printable(r.banner, sizeof r.banner);
        printable(r.cert_not_after, sizeof r.cert_not_after);
        /* certificate names come from DER: bounded, NUL-terminated */
        if (strnlen(r.cert_subject, sizeof r.cert_subject) == sizeof r.cert_subject ||
            strnlen(r.cert_names, sizeof r.cert_names) == sizeof r.cert_names)
            abort();
        uint8_t out[640];
        size_t len;
        mm_ip a = {.v = 4, .b = {192, 0, 2, 1}};
        mm_banner_opening(port, &a, NULL, out, sizeof out, &len);
        if (len > sizeof out)
            abort();
        return 0;
    }
    char *s = malloc(size - 1);
    if (!s)
        return 0;
    memcpy(s, data + 2, size - 2);
    s[size - 2] = 0;
    char err[256];
    if (sel == 1) {
        const char *specs[16];
        size_t ns = 0;
        for (char *p = s, *nl; p && ns < 16; p = nl) {
            nl = strchr(p, '\n');
            if (nl)
                *nl++ = 0;
            if (p[0] != '@')    /* no files */
                specs[ns++] = p;
        }
        /* (--large's million addresses would make each run slow: the
         * bound past a /22 is what is fuzzed) */
        mm_probe_targets *t = mm_probe_targets_owned(specs, ns, true, false, err, sizeof err);
        if (t) {
            size_t n = mm_probe_targets_count(t);
            if (n == 0 || n > 1024u)
                abort();
            mm_ip prev, cur;
            for (size_t i = 0; i < n; i++) {
                mm_probe_targets_get(t, i, &cur);
                if (cur.v != 4 && cur.v != 6)
                    abort();
                if (i && prev.v == cur.v && memcmp(prev.b, cur.b, 16) >= 0)
                    abort();    /* sorted, each once */
                prev = cur;
            }
            mm_probe_targets_free(t);
        }
        else
            printable(err, sizeof err);
    } else {
        mm_portlist pl;
        if (mm_portlist_parse(&pl, s, err, sizeof err)) {
            for (size_t i = 0; i < pl.n; i++)
                if (pl.v[i] == 0 || (i && pl.v[i] <= pl.v[i - 1]) ||
                    !mm_portlist_has(&pl, pl.v[i]))
                    abort();
            mm_portlist_free(&pl);
        }
        else
            printable(err, sizeof err);
    }
    free(s);
    return 0;
}
