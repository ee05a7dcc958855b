/*
 * serve.c - the web layer's transport: GNU libmicrohttpd fills an
 * mm_web_req from a connection, mm_web_dispatch answers it, and the
 * response goes back. Nothing else is decided here.
 *
 * libmicrohttpd runs its own threads (one per connection, at most
 * conn_limit, per_ip_limit from one address) and closes idle connections
 * after timeout_s, so slow clients hold a bounded number of threads for a
 * bounded time. A request head that does not fit the per-connection
 * memory (conn_memory) is answered by libmicrohttpd itself (414 or 431,
 * without our headers: no handler ran). The body is kept up to max_body;
 * when Content-Length says it will pass it, the request is answered 413
 * at once without reading the body; a chunked body that passes it is read
 * on and dropped (libmicrohttpd answers only after the body) up to
 * DRAIN bytes, then answered 413, or the connection closed past DRAIN.
 *
 * The raw request target (with its query) comes from the URI log
 * callback, whose result is also the per-request state.
 */
#include "web/http_int.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAIN ((size_t)1 << 20)

typedef struct conn {
    char target[MM_WEB_MAX_TARGET + 1];
    bool target_over, started, answered;
    uint8_t *body;
    size_t len, cap;
    bool over;
    size_t drained;             /* bytes dropped past the cap */
    uint64_t now_ns;
    mm_web_req req;             /* big: kept here, not on the thread's stack */
    mm_web_resp resp;
} conn;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    conn *k = calloc(1, sizeof(*k));
    if (!k)
        return NULL;
    size_t n = strlen(uri);
    if (n > MM_WEB_MAX_TARGET) {
        k->target_over = true;
        n = 0;
    }
    memcpy(k->target, uri, n);
    k->target[n] = '\0';
    k->now_ns = mm_now_ns();
    return k;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn *k = *con_cls;
    if (k) {
        free(k->body);
        free(k);
        *con_cls = NULL;
    }
}

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    mm_web_req *r = cls;
    if (key)
        mm_web_req_add_header(r, key, value ? value : "");
    return MHD_YES;
}

static void peer_of(struct MHD_Connection *c, mm_ip *ip)
{
    memset(ip, 0, sizeof(*ip));
    ip->v = 4;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        memcpy(ip->b, &in->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        memcpy(ip->b, &in6->sin6_addr, 16);
        ip->v = 6;
        mm_web_ip_norm(ip);
    }
}

static enum MHD_Result answer(mm_web_server *s, struct MHD_Connection *c, const char *method,
                              conn *k)
{
    mm_web_req *r = &k->req;
    mm_web_resp *resp = &k->resp;
    if (k->answered)
        return MHD_YES;         /* early 413 sent: anything after is dropped */
    k->answered = true;
    mm_web_req_init(r);
    r->method = method;
    r->target = k->target;
    r->target_over = k->target_over;
    r->body = k->body;
    r->body_len = k->len;
    r->body_over = k->over;
    r->now_ns = k->now_ns;
    peer_of(c, &r->peer);
    MHD_get_connection_values(c, MHD_HEADER_KIND, on_header, r);
    mm_web_resp_init(resp, s->cfg.max_resp);
    mm_web_dispatch(s, r, resp);
    struct MHD_Response *m = MHD_create_response_from_buffer(
        resp->body.len, resp->body.s ? resp->body.s : (char *)"", MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = MHD_NO;
    if (m) {
        MHD_add_response_header(m, "Content-Type", resp->ctype);
        for (size_t i = 0; i < resp->nhdr; i++)
            MHD_add_response_header(m, resp->hdr[i].name, resp->hdr[i].value);
        for (size_t i = 0; i < resp->ncookie; i++)
            MHD_add_response_header(m, "Set-Cookie", resp->cookie[i]);
        ret = MHD_queue_response(c, (unsigned)resp->status, m);
        MHD_destroy_response(m);
    }
    mm_web_resp_free(resp);
    mm_web_req_done(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)url;
    (void)version;
    mm_web_server *s = cls;
    conn *k = *con_cls;
    if (!k)
        return MHD_NO;              /* out of memory in on_uri: close */
    if (!k->started) {
        k->started = true;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        uint64_t n;
        if (cl && mm_parse_uint(cl, UINT64_MAX, &n) && n > s->cfg.max_body) {
            k->over = true;         /* refuse before reading it */
            return answer(s, c, method, k);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (k->over || n > s->cfg.max_body - k->len) {
            /* over the cap: libmicrohttpd answers only once the body is
             * read, so the rest is read and dropped, up to DRAIN bytes;
             * past that (a chunked body may never end) the connection is
             * closed without an answer */
            k->over = true;
            k->drained += n;
            return k->drained > DRAIN ? MHD_NO : MHD_YES;
        }
        if (k->len + n > k->cap) {
            size_t cap = k->cap ? k->cap : 4096;
            while (cap < k->len + n)
                cap *= 2;
            if (cap > s->cfg.max_body)
                cap = s->cfg.max_body;
            uint8_t *b = realloc(k->body, cap);
            if (!b)
                return MHD_NO;
            k->body = b;
            k->cap = cap;
        }
        memcpy(k->body + k->len, upload_data, n);
        k->len += n;
        return MHD_YES;
    }
    return answer(s, c, method, k);
}

bool mm_web_start(mm_web_server *s, char *err, size_t errlen)
{
    mm_ip ip;
    uint16_t port;
    if (s->mhd) {
        snprintf(err, errlen, "already running");
        return false;
    }
    if (!s->cfg.listen || !mm_web_parse_listen(s->cfg.listen, &ip, &port)) {
        snprintf(err, errlen, "no listen address");
        return false;
    }
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
    const struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
    if (ip.v == 4) {
        memset(&in4, 0, sizeof in4);
        in4.sin_family = AF_INET;
        in4.sin_port = htons(port);
        memcpy(&in4.sin_addr, ip.b, 4);
        sa = (const struct sockaddr *)&in4;
    } else {
        static const uint8_t any[16];
        memset(&in6, 0, sizeof in6);
        in6.sin6_family = AF_INET6;
        in6.sin6_port = htons(port);
        memcpy(&in6.sin6_addr, ip.b, 16);
        sa = (const struct sockaddr *)&in6;
        /* "[::]:PORT" takes IPv4 too; another IPv6 address only itself */
        flags |= memcmp(ip.b, any, 16) == 0 ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
    }
    /* HTTPS: the certificate and key as PEM in memory, TLS 1.2 and 1.3 */
    struct MHD_OptionItem tls[4];
    size_t nt = 0;
    if (s->cfg.tls_cert_pem || s->cfg.tls_key_pem) {
        if (!s->cfg.tls_cert_pem || !s->cfg.tls_key_pem) {
            snprintf(err, errlen, "TLS needs both a certificate and its key");
            return false;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(err, errlen, "this libmicrohttpd has no TLS");
            return false;
        }
        flags |= MHD_USE_TLS;
        tls[nt++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0,
                                            (void *)(uintptr_t)s->cfg.tls_key_pem};
        tls[nt++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0,
                                            (void *)(uintptr_t)s->cfg.tls_cert_pem};
        tls[nt++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0,
                                            (void *)(uintptr_t)"NORMAL:-VERS-ALL:+VERS-TLS1.3:"
                                                               "+VERS-TLS1.2"};
    }
    tls[nt] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    s->mhd = MHD_start_daemon(flags, port, NULL, NULL, on_request, s,
                              MHD_OPTION_ARRAY, tls,
                              MHD_OPTION_SOCK_ADDR, sa,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->cfg.conn_limit,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)s->cfg.per_ip_limit,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->cfg.timeout_s,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)s->cfg.conn_memory,
                              MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
                              MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
                              MHD_OPTION_END);
    if (!s->mhd) {
        snprintf(err, errlen, "cannot listen on %s%s", s->cfg.listen,
                 nt ? " (or the TLS certificate or key is not usable)" : "");
        return false;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : port;
    return true;
}

uint16_t mm_web_port(const mm_web_server *s)
{
    return s->mhd ? s->port : 0;
}

void mm_web_stop(mm_web_server *s)
{
    if (s->mhd) {
        MHD_stop_daemon(s->mhd);
        s->mhd = NULL;
        s->port = 0;
    }
}
