/*
 * http_bufs.c - the HTTP/1.x rule inspection buffers of one message, from
 * its raw header block (start line to the blank line) and the start of
 * its body, as Suricata's sticky buffers name and shape them:
 *
 *   request:  http.request_line, http.method, http.uri (normalized: an
 *             absolute URI loses scheme and host, %XX decoded),
 *             http.uri.raw, http.protocol
 *   response: http.response_line, http.protocol, http.stat_code,
 *             http.stat_msg, http.location, http.server
 *   both:     http.header ("Name: Value\r\n" each), http.header.raw (the
 *             lines as sent), http.header_names ("\r\nName\r\n...\r\n\r\n"),
 *             http.start (start line and headers, up to the blank line),
 *             http.host (lower case, no port) and http.host.raw,
 *             http.user_agent, http.cookie (Cookie; Set-Cookie in a
 *             response), http.referer, http.accept, http.accept_enc,
 *             http.accept_lang, http.connection, http.content_type,
 *             http.content_len; the body as http.request_body (request) or
 *             http.response_body (response), and file.data; each header
 *             line as "Name: Value" (http.request_header or
 *             http.response_header, one buffer per header).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "proto/http_bufs.h"

static bool name_is(const char *p, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(p, name, n) == 0;
}

static void add(mm_obs_buf *out, int *k, int max, uint8_t id, const void *d, size_t n)
{
    if (*k < max)
        out[(*k)++] = (mm_obs_buf){id, d, (uint32_t)n};
}

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

int mm_http_bufs(const char *raw, uint32_t n, bool request, const uint8_t *body, uint32_t blen,
                 mm_obs_buf *out, int max, char *scratch, size_t cap)
{
    int k = 0;
    const char *end = raw + n;
    const char *eol = memchr(raw, '\n', n);
    if (!eol || cap < MM_HTTP_BUFS_SCRATCH(n))
        return 0;
    size_t l0 = (size_t)(eol - raw);
    if (l0 && raw[l0 - 1] == '\r')
        l0--;
    /* scratch: [normalized uri | header | names | host] */
    char *uri = scratch, *hdr = uri + n + 1, *names = hdr + 2 * (size_t)n + 8,
         *host = names + 2 * (size_t)n + 8;
    size_t hl = 0, nl = 0;
    /* each header as "Name: Value" (http.request_header / response_header),
     * kept as places in hdr and handed out after the rest */
    uint32_t one_at[MM_HTTP_HEADERS_MAX], one_len[MM_HTTP_HEADERS_MAX];
    int nones = 0;
    /* the start line's three words: METHOD URI PROTO, or PROTO CODE MESSAGE */
    const char *w0 = raw, *w1 = NULL, *w2 = NULL;
    size_t l0w = l0, l1 = 0, l2 = 0;
    const char *sp1 = memchr(raw, ' ', l0);
    if (sp1) {
        l0w = (size_t)(sp1 - raw);
        w1 = sp1 + 1;
        const char *sp2 = memchr(w1, ' ', l0 - (size_t)(w1 - raw));
        l1 = sp2 ? (size_t)(sp2 - w1) : l0 - (size_t)(w1 - raw);
        if (sp2) {
            w2 = sp2 + 1;
            l2 = l0 - (size_t)(w2 - raw);
        }
    }
    add(out, &k, max, request ? MM_BUF_HTTP_REQUEST_LINE : MM_BUF_HTTP_RESPONSE_LINE, raw, l0);
    if (w1) {
        add(out, &k, max, request ? MM_BUF_HTTP_METHOD : MM_BUF_HTTP_PROTOCOL, w0, l0w);
        add(out, &k, max, request ? MM_BUF_HTTP_URI_RAW : MM_BUF_HTTP_STAT_CODE, w1, l1);
        if (w2)
            add(out, &k, max, request ? MM_BUF_HTTP_PROTOCOL : MM_BUF_HTTP_STAT_MSG, w2, l2);
    }
    if (request && w1) {
        /* absolute form: keep the path */
        const char *pu = w1;
        size_t pl = l1;
        if (pl > 7 && (strncasecmp(pu, "http://", 7) == 0 || strncasecmp(pu, "https://", 8) == 0)) {
            const char *slash = memchr(pu + 8, '/', pl - 8);
            pl = slash ? pl - (size_t)(slash - pu) : 1;
            pu = slash ? slash : "/";
        }
        size_t w = 0;
        for (size_t i = 0; i < pl; i++) {
            if (pu[i] == '%' && i + 2 < pl && isxdigit((unsigned char)pu[i + 1]) &&
                isxdigit((unsigned char)pu[i + 2])) {
                uri[w++] = (char)(hexval((unsigned char)pu[i + 1]) << 4 |
                          hexval((unsigned char)pu[i + 2]));
                i += 2;
            } else {
                uri[w++] = pu[i];
            }
        }
        add(out, &k, max, MM_BUF_HTTP_URI, uri, w);
    }
    const char *hstart = eol + 1, *hend = hstart;
    names[nl++] = '\r';
    names[nl++] = '\n';
    for (const char *p = hstart; p < end;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            break;
        size_t l = (size_t)(e - p);
        if (l && p[l - 1] == '\r')
            l--;
        if (l == 0)
            break;
        hend = e + 1;
        const char *colon = memchr(p, ':', l);
        if (colon) {
            size_t kn = (size_t)(colon - p);
            const char *v = colon + 1;
            while (v < p + l && (*v == ' ' || *v == '\t'))
                v++;
            size_t vl = (size_t)(p + l - v);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
            if (nones < MM_HTTP_HEADERS_MAX) {
                one_at[nones] = (uint32_t)hl;
                one_len[nones++] = (uint32_t)(kn + 2 + vl);
            }
            memcpy(hdr + hl, p, kn);
            hl += kn;
            hdr[hl++] = ':';
            hdr[hl++] = ' ';
            memcpy(hdr + hl, v, vl);
            hl += vl;
            hdr[hl++] = '\r';
            hdr[hl++] = '\n';
            memcpy(names + nl, p, kn);
            nl += kn;
            names[nl++] = '\r';
            names[nl++] = '\n';
            static const struct {
                const char *name;
                uint8_t id;
                uint8_t req;            /* 1 request, 2 response, 3 both */
            } h[] = {
                {"user-agent", MM_BUF_HTTP_USER_AGENT, 1}, {"cookie", MM_BUF_HTTP_COOKIE, 1},
                {"set-cookie", MM_BUF_HTTP_COOKIE, 2}, {"referer", MM_BUF_HTTP_REFERER, 1},
                {"accept", MM_BUF_HTTP_ACCEPT, 1}, {"accept-encoding", MM_BUF_HTTP_ACCEPT_ENC, 1},
                {"accept-language", MM_BUF_HTTP_ACCEPT_LANG, 1},
                {"connection", MM_BUF_HTTP_CONNECTION, 3},
                {"content-type", MM_BUF_HTTP_CONTENT_TYPE, 3},
                {"content-length", MM_BUF_HTTP_CONTENT_LEN, 3},
                {"location", MM_BUF_HTTP_LOCATION, 2}, {"server", MM_BUF_HTTP_SERVER, 2},
            };
            for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
                if (h[i].req & (request ? 1 : 2) && name_is(p, kn, h[i].name))
                    add(out, &k, max, h[i].id, v, vl);
            if (request && name_is(p, kn, "host")) {
                add(out, &k, max, MM_BUF_HTTP_HOST_RAW, v, vl);
                size_t w = 0;
                /* no port; an IPv6 literal keeps its brackets */
                const char *stop = v[0] == '[' ? memchr(v, ']', vl) : memchr(v, ':', vl);
                size_t hn = stop ? (size_t)(stop - v) + (v[0] == '[') : vl;
                for (size_t i = 0; i < hn && i < 255; i++)
                    host[w++] = (char)tolower((unsigned char)v[i]);
                add(out, &k, max, MM_BUF_HTTP_HOST, host, w);
            }
        }
        p = e + 1;
    }
    names[nl++] = '\r';
    names[nl++] = '\n';
    add(out, &k, max, MM_BUF_HTTP_HEADER, hdr, hl);
    add(out, &k, max, MM_BUF_HTTP_HEADER_RAW, hstart, (size_t)(hend - hstart));
    add(out, &k, max, MM_BUF_HTTP_HEADER_NAMES, names, nl);
    add(out, &k, max, MM_BUF_HTTP_START, raw, (size_t)(hend - raw) + 2 <= n
                                                   ? (size_t)(hend - raw) + 2 : n);
    if (body && blen) {
        /* the body is the message's file both ways: file.data of an
         * upload too, as Suricata's */
        add(out, &k, max, request ? MM_BUF_HTTP_REQUEST_BODY : MM_BUF_HTTP_RESPONSE_BODY, body,
            blen);
        add(out, &k, max, MM_BUF_FILE_DATA, body, blen);
    }
    for (int i = 0; i < nones; i++)
        add(out, &k, max, request ? MM_BUF_HTTP_REQUEST_HEADER : MM_BUF_HTTP_RESPONSE_HEADER,
            hdr + one_at[i], one_len[i]);
    return k;
}
