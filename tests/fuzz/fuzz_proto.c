/* Fuzz target: application-layer detection and every parser (HTTP, TLS, DNS,
 * SSH, SMB...), and the built-in detectors fed by them, through the same
 * entry points the sensor uses. Input: byte 0 picks
 * TCP or UDP and the ports (bit 5: the server is on the Internet); then chunks of (flags byte, 2-byte length,
 * data): flags bit 0 is the direction, bit 1 a gap instead of data. Events
 * are written to a sink that checks each is one line of JSON-safe bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "detect/detect.h"
#include "proto/app.h"
#include "proto/http_range.h"

static int sink(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    if (len == 0 || line[len - 1] != '\n')
        abort();
    for (size_t i = 0; i + 1 < len; i++)
        if ((unsigned char)line[i] < 0x20)
            abort();   /* control bytes must have been escaped */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const uint16_t ports[] = {80, 443, 53, 22, 445, 123, 21, 23, 135};
    bool udp = data[0] & 1;
    mm_eve eve;
    mm_eve_init(&eve);
    eve.site = "fuzz";
    eve.sensor = "fuzz";
    eve.sink = (mm_sink){sink, NULL};
    mm_app app;
    mm_app_init(&app, &eve, 1 << 20, true);
    app.store.hashes = MM_HASH_MD5 | MM_HASH_SHA1 | MM_HASH_SHA256;
    static mm_netlist home;
    static mm_detect *det;
    static mm_detect_config dc = {.builtin = true};
    char err[256];
    if (!det) {
        /* rules on every kind of buffer the parsers hand over, so their
         * MM_OBS_BUFFERS paths run too */
        static char path[] = "/tmp/mm-fuzz-rules-XXXXXX";
        int fd = mkstemp(path);
        static const char rules[] =
            "alert http any any -> any any (http.uri; content:\"/\"; http.host; dotprefix; "
            "content:\".a\"; flowbits:set,x; sid:1;)\n"
            "alert http any any -> any any (content:\"GET\"; http_method; content:\"Host\"; "
            "file.data; pcre:\"/a+b/\"; http.header_names; content:\"|0d 0a|\"; sid:2;)\n"
            "alert http any any -> any any (flow:to_client; http.stat_code; content:\"200\"; "
            "http.response_body; byte_test:1,>,0,0; flowbits:isset,x; sid:3;)\n"
            "alert dns any any -> any any (dns.query; content:\"a\"; bsize:>1; sid:4;)\n"
            "alert tls any any -> any any (tls.sni; content:\".\"; ja3.hash; content:\"a\"; "
            "sid:5;)\n"
            "alert tls any any -> any any (tls.cert_subject; content:\"CN\"; sid:6;)\n"
            "alert ssh any any -> any any (ssh.proto; content:\"2\"; sid:7;)\n"
            "alert smb any any -> any any (smb.share; content:\"C\"; sid:8;)\n"
            "alert tcp any any -> any any (file.data; content:\"MZ\"; file.name; "
            "content:\".\"; sid:9;)\n"
            "alert tcp any any -> any any (asn1:bitstring_overflow, double_overflow, "
            "oversize_length 64; sid:10;)\n"
            "alert tcp any any -> any any (content:\"0\"; asn1:oversize_length 8, "
            "relative_offset -1; sid:11;)\n"
            "alert tcp any any -> any any (ftpbounce; sid:12;)\n";
        if (fd < 0 || write(fd, rules, sizeof rules - 1) != (ssize_t)(sizeof rules - 1))
            abort();
        close(fd);
        dc.rules[0] = path;
        dc.nrules = 1;
        if (!mm_netlist_parse(&home, "10.0.0.0/8", err, sizeof err) ||
            !(det = mm_detect_new(&dc, &eve, &home, err, sizeof err)))
            abort();
        unlink(path);
    }
    mm_detect_rebind(det, &eve);
    app.observe = mm_detect_observe;
    app.observe_ctx = det;
    app.buffers = true;
    mm_flow f;
    memset(&f, 0, sizeof f);
    f.proto = udp ? 17 : 6;
    f.cli.v = f.srv.v = 4;
    f.cli.b[0] = 10;
    f.srv.b[0] = 192;
    if (data[0] & 0x20) {
        /* a server on the Internet: the detectors of what leaves the
         * company (stealers) look at it */
        f.srv.b[0] = 93, f.srv.b[1] = 184, f.srv.b[2] = 216, f.srv.b[3] = 34;
    }
    f.cport = 40000;
    f.sport = ports[(data[0] >> 1) % (sizeof ports / sizeof ports[0])];
    size_t off = 1;
    uint64_t ts = 1000000000ULL;
    while (off + 3 <= size) {
        uint8_t fl = data[off];
        size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (n > size - off)
            n = size - off;
        int dir = fl & 1;
        f.pkts[dir]++;
        f.last_ns = ts;
        uint8_t *copy = malloc(n ? n : 1);   /* exact size: ASan sees overreads */
        memcpy(copy, data + off, n);
        if (udp) {
            mm_app_udp(&app, &f, dir, copy, (uint32_t)n, ts);
            mm_detect_datagram(det, &f, dir, copy, (uint32_t)n);
        }
        else if (fl & 2)
            mm_app_stream(&app, &f, dir, NULL, (uint32_t)n, false);
        else {
            f.half[dir].delivered += n;
            mm_app_stream(&app, &f, dir, copy, (uint32_t)n, false);
            if (n)
                mm_detect_stream(det, &f, dir, copy, (uint32_t)n);
        }
        free(copy);
        off += n;
        ts += 1000000ULL;
    }
    mm_app_flow_end(&app, &f);
    mm_hrange_free(&app);       /* range pieces outlive their flow */
    mm_detect_flow_end(det, &f);
    mm_detect_flow_free(det, &f);
    if (getenv("FUZZ_DEBUG"))
        fprintf(stderr, "memuse %llu app_proto %u\n", (unsigned long long)app.st.memuse,
                f.app_proto);
    if (app.st.memuse != 0)
        abort();   /* every parser gives back what it took */
    mm_eve_free(&eve);
    return 0;
}
