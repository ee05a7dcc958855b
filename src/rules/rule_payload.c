/*
 * rule_payload.c - the keywords that say what to look for and where:
 * sticky buffers (http.uri; ... and the old sticky spellings file_data,
 * dns_query, tls_sni ...), the old content modifiers that move the content
 * before them into a buffer (http_uri, http_header ...), transforms, and
 * the match options: content with its modifiers, pcre (PCRE2), byte_test,
 * byte_jump, byte_extract, isdataat, bsize, urilen, base64_decode/data.
 *
 * Options gather in the parse context in rule order, each tagged with its
 * buffer; mm_rp_finish_buffers() groups them per buffer into the arena.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rules/rule_int.h"

#define MAX_PATTERN 16384


/* --- buffers -------------------------------------------------------------- */

typedef struct bufdef {
    const char *name;   /* keyword */
    uint8_t id;
    uint8_t dir;        /* 1 to server, 2 to client, 3 both */
    uint8_t legacy;     /* 1: old content modifier (applies to the content before) */
} bufdef;

static const bufdef buffers[] = {
    {"pkt_data", MM_BUF_PAYLOAD, 3, 0},
    {"http.uri", MM_BUF_HTTP_URI, 1, 0}, {"http_uri", MM_BUF_HTTP_URI, 1, 1},
    {"http.uri.raw", MM_BUF_HTTP_URI_RAW, 1, 0}, {"http_raw_uri", MM_BUF_HTTP_URI_RAW, 1, 1},
    {"http.method", MM_BUF_HTTP_METHOD, 1, 0}, {"http_method", MM_BUF_HTTP_METHOD, 1, 1},
    {"http.protocol", MM_BUF_HTTP_PROTOCOL, 3, 0}, {"http_protocol", MM_BUF_HTTP_PROTOCOL, 3, 0},
    {"http.request_line", MM_BUF_HTTP_REQUEST_LINE, 1, 0},
    {"http_request_line", MM_BUF_HTTP_REQUEST_LINE, 1, 0},
    {"http.host", MM_BUF_HTTP_HOST, 1, 0}, {"http_host", MM_BUF_HTTP_HOST, 1, 1},
    {"http.host.raw", MM_BUF_HTTP_HOST_RAW, 1, 0}, {"http_raw_host", MM_BUF_HTTP_HOST_RAW, 1, 1},
    {"http.user_agent", MM_BUF_HTTP_USER_AGENT, 1, 0},
    {"http_user_agent", MM_BUF_HTTP_USER_AGENT, 1, 1},
    {"http.header", MM_BUF_HTTP_HEADER, 3, 0}, {"http_header", MM_BUF_HTTP_HEADER, 3, 1},
    {"http.header.raw", MM_BUF_HTTP_HEADER_RAW, 3, 0},
    {"http_raw_header", MM_BUF_HTTP_HEADER_RAW, 3, 1},
    {"http.header_names", MM_BUF_HTTP_HEADER_NAMES, 3, 0},
    {"http_header_names", MM_BUF_HTTP_HEADER_NAMES, 3, 0},
    {"http.cookie", MM_BUF_HTTP_COOKIE, 3, 0}, {"http_cookie", MM_BUF_HTTP_COOKIE, 3, 1},
    {"http.referer", MM_BUF_HTTP_REFERER, 1, 0}, {"http_referer", MM_BUF_HTTP_REFERER, 1, 0},
    {"http.accept", MM_BUF_HTTP_ACCEPT, 1, 0}, {"http_accept", MM_BUF_HTTP_ACCEPT, 1, 0},
    {"http.accept_enc", MM_BUF_HTTP_ACCEPT_ENC, 1, 0},
    {"http_accept_enc", MM_BUF_HTTP_ACCEPT_ENC, 1, 0},
    {"http.accept_lang", MM_BUF_HTTP_ACCEPT_LANG, 1, 0},
    {"http_accept_lang", MM_BUF_HTTP_ACCEPT_LANG, 1, 0},
    {"http.connection", MM_BUF_HTTP_CONNECTION, 3, 0},
    {"http_connection", MM_BUF_HTTP_CONNECTION, 3, 0},
    {"http.content_type", MM_BUF_HTTP_CONTENT_TYPE, 3, 0},
    {"http_content_type", MM_BUF_HTTP_CONTENT_TYPE, 3, 0},
    {"http.content_len", MM_BUF_HTTP_CONTENT_LEN, 3, 0},
    {"http_content_len", MM_BUF_HTTP_CONTENT_LEN, 3, 0},
    {"http.start", MM_BUF_HTTP_START, 3, 0}, {"http_start", MM_BUF_HTTP_START, 3, 0},
    {"http.request_body", MM_BUF_HTTP_REQUEST_BODY, 1, 0},
    {"http_client_body", MM_BUF_HTTP_REQUEST_BODY, 1, 1},
    {"http.stat_code", MM_BUF_HTTP_STAT_CODE, 2, 0}, {"http_stat_code", MM_BUF_HTTP_STAT_CODE, 2, 1},
    {"http.stat_msg", MM_BUF_HTTP_STAT_MSG, 2, 0}, {"http_stat_msg", MM_BUF_HTTP_STAT_MSG, 2, 1},
    {"http.response_line", MM_BUF_HTTP_RESPONSE_LINE, 2, 0},
    {"http_response_line", MM_BUF_HTTP_RESPONSE_LINE, 2, 0},
    {"http.location", MM_BUF_HTTP_LOCATION, 2, 0},
    {"http.server", MM_BUF_HTTP_SERVER, 2, 0},
    {"http.request_header", MM_BUF_HTTP_REQUEST_HEADER, 1, 0},
    {"ip.src", MM_BUF_IP_SRC, 3, 0}, {"ip.dst", MM_BUF_IP_DST, 3, 0},
    {"http.response_header", MM_BUF_HTTP_RESPONSE_HEADER, 2, 0},
    {"file.data", MM_BUF_FILE_DATA, 3, 0}, {"file_data", MM_BUF_FILE_DATA, 3, 0},
    /* the response body is what file.data gives for HTTP responses: one
     * buffer, so one scan of the body serves both spellings (the rule is
     * held to responses) */
    {"http.response_body", MM_BUF_FILE_DATA, 2, 0},
    {"http_server_body", MM_BUF_FILE_DATA, 2, 1},
    {"dns.query", MM_BUF_DNS_QUERY, 1, 0}, {"dns_query", MM_BUF_DNS_QUERY, 1, 0},
    {"tls.sni", MM_BUF_TLS_SNI, 1, 0}, {"tls_sni", MM_BUF_TLS_SNI, 1, 0},
    {"tls.cert_subject", MM_BUF_TLS_CERT_SUBJECT, 2, 0},
    {"tls_cert_subject", MM_BUF_TLS_CERT_SUBJECT, 2, 0},
    {"tls.cert_issuer", MM_BUF_TLS_CERT_ISSUER, 2, 0},
    {"tls_cert_issuer", MM_BUF_TLS_CERT_ISSUER, 2, 0},
    {"tls.cert_serial", MM_BUF_TLS_CERT_SERIAL, 2, 0},
    {"tls_cert_serial", MM_BUF_TLS_CERT_SERIAL, 2, 0},
    {"tls.cert_fingerprint", MM_BUF_TLS_CERT_FINGERPRINT, 2, 0},
    {"tls_cert_fingerprint", MM_BUF_TLS_CERT_FINGERPRINT, 2, 0},
    {"tls.certs", MM_BUF_TLS_CERTS, 2, 0},
    {"tls.random", MM_BUF_TLS_RANDOM, 3, 0}, {"tls.random_time", MM_BUF_TLS_RANDOM_TIME, 3, 0},
    {"tls.random_bytes", MM_BUF_TLS_RANDOM_BYTES, 3, 0},
    {"ja3.hash", MM_BUF_JA3_HASH, 1, 0}, {"ja3_hash", MM_BUF_JA3_HASH, 1, 0},
    {"ja3.string", MM_BUF_JA3_STRING, 1, 0}, {"ja3_string", MM_BUF_JA3_STRING, 1, 0},
    {"ja3s.hash", MM_BUF_JA3S_HASH, 2, 0}, {"ja3s_hash", MM_BUF_JA3S_HASH, 2, 0},
    {"ja3s.string", MM_BUF_JA3S_STRING, 2, 0}, {"ja3s_string", MM_BUF_JA3S_STRING, 2, 0},
    {"ssh.proto", MM_BUF_SSH_PROTO, 3, 0}, {"ssh_proto", MM_BUF_SSH_PROTO, 3, 0}, {"ssh.protoversion", MM_BUF_SSH_PROTO, 3, 0},
    {"ssh.software", MM_BUF_SSH_SOFTWARE, 3, 0}, {"ssh.softwareversion", MM_BUF_SSH_SOFTWARE, 3, 0},
    {"smb.share", MM_BUF_SMB_SHARE, 1, 0}, {"smb.named_pipe", MM_BUF_SMB_NAMED_PIPE, 1, 0},
    {"smb_share", MM_BUF_SMB_SHARE, 1, 0}, {"smb_named_pipe", MM_BUF_SMB_NAMED_PIPE, 1, 0},
    {"smb.ntlmssp_user", MM_BUF_SMB_NTLMSSP_USER, 1, 0},
    {"smb.ntlmssp_domain", MM_BUF_SMB_NTLMSSP_DOMAIN, 1, 0},
    {"ssh.hassh", MM_BUF_SSH_HASSH, 1, 0}, {"ssh-hassh", MM_BUF_SSH_HASSH, 1, 0},
    {"ssh.hassh.string", MM_BUF_SSH_HASSH_STRING, 1, 0},
    {"ssh-hassh-string", MM_BUF_SSH_HASSH_STRING, 1, 0},
    {"ssh.hassh.server", MM_BUF_SSH_HASSH_SERVER, 2, 0},
    {"ssh-hassh-server", MM_BUF_SSH_HASSH_SERVER, 2, 0},
    {"ssh.hassh.server.string", MM_BUF_SSH_HASSH_SERVER_STRING, 2, 0},
    {"ssh-hassh-server-string", MM_BUF_SSH_HASSH_SERVER_STRING, 2, 0},
    {"file.name", MM_BUF_FILE_NAME, 3, 0}, {"filename", MM_BUF_FILE_NAME, 3, 0},
    {"dcerpc.stub_data", MM_BUF_DCERPC_STUB, 3, 0}, {"dce_stub_data", MM_BUF_DCERPC_STUB, 3, 0},
    {"base64_data", MM_BUF_BASE64_DATA, 3, 0},
    {"ipv4.hdr", MM_BUF_IPV4_HDR, 3, 0}, {"ipv6.hdr", MM_BUF_IPV6_HDR, 3, 0},
    {"tcp.hdr", MM_BUF_TCP_HDR, 3, 0}, {"udp.hdr", MM_BUF_UDP_HDR, 3, 0},
    {"icmpv4.hdr", MM_BUF_ICMPV4_HDR, 3, 0}, {"icmpv6.hdr", MM_BUF_ICMPV6_HDR, 3, 0},
};

static const char *const buf_names[MM_BUF_N] = {
    [MM_BUF_PAYLOAD] = "payload", [MM_BUF_HTTP_URI] = "http.uri",
    [MM_BUF_HTTP_URI_RAW] = "http.uri.raw", [MM_BUF_HTTP_METHOD] = "http.method",
    [MM_BUF_HTTP_PROTOCOL] = "http.protocol", [MM_BUF_HTTP_REQUEST_LINE] = "http.request_line",
    [MM_BUF_HTTP_HOST] = "http.host", [MM_BUF_HTTP_HOST_RAW] = "http.host.raw",
    [MM_BUF_HTTP_USER_AGENT] = "http.user_agent", [MM_BUF_HTTP_HEADER] = "http.header",
    [MM_BUF_HTTP_HEADER_RAW] = "http.header.raw", [MM_BUF_HTTP_HEADER_NAMES] = "http.header_names",
    [MM_BUF_HTTP_COOKIE] = "http.cookie", [MM_BUF_HTTP_REFERER] = "http.referer",
    [MM_BUF_HTTP_ACCEPT] = "http.accept", [MM_BUF_HTTP_ACCEPT_ENC] = "http.accept_enc",
    [MM_BUF_HTTP_ACCEPT_LANG] = "http.accept_lang", [MM_BUF_HTTP_CONNECTION] = "http.connection",
    [MM_BUF_HTTP_CONTENT_TYPE] = "http.content_type", [MM_BUF_HTTP_CONTENT_LEN] = "http.content_len",
    [MM_BUF_HTTP_START] = "http.start", [MM_BUF_HTTP_REQUEST_BODY] = "http.request_body",
    [MM_BUF_HTTP_STAT_CODE] = "http.stat_code", [MM_BUF_HTTP_STAT_MSG] = "http.stat_msg",
    [MM_BUF_HTTP_RESPONSE_LINE] = "http.response_line", [MM_BUF_HTTP_LOCATION] = "http.location",
    [MM_BUF_HTTP_SERVER] = "http.server", [MM_BUF_HTTP_RESPONSE_BODY] = "http.response_body",
    [MM_BUF_FILE_DATA] = "file.data", [MM_BUF_HTTP_REQUEST_HEADER] = "http.request_header",
    [MM_BUF_HTTP_RESPONSE_HEADER] = "http.response_header", [MM_BUF_IP_SRC] = "ip.src",
    [MM_BUF_IP_DST] = "ip.dst", [MM_BUF_DNS_OPCODE] = "dns.opcode", [MM_BUF_TCP_MSS] = "tcp.mss", [MM_BUF_DNS_QUERY] = "dns.query",
    [MM_BUF_TLS_SNI] = "tls.sni", [MM_BUF_TLS_CERT_SUBJECT] = "tls.cert_subject",
    [MM_BUF_TLS_CERT_ISSUER] = "tls.cert_issuer", [MM_BUF_TLS_CERT_SERIAL] = "tls.cert_serial",
    [MM_BUF_TLS_CERT_FINGERPRINT] = "tls.cert_fingerprint", [MM_BUF_TLS_CERTS] = "tls.certs",
    [MM_BUF_TLS_RANDOM] = "tls.random", [MM_BUF_TLS_RANDOM_TIME] = "tls.random_time",
    [MM_BUF_TLS_RANDOM_BYTES] = "tls.random_bytes",
    [MM_BUF_TLS_CERT_CHAIN_LEN] = "tls.cert_chain_len", [MM_BUF_ICMPV6_MTU] = "icmpv6.mtu",
    [MM_BUF_JA3_HASH] = "ja3.hash", [MM_BUF_JA3_STRING] = "ja3.string",
    [MM_BUF_JA3S_HASH] = "ja3s.hash", [MM_BUF_JA3S_STRING] = "ja3s.string",
    [MM_BUF_SSH_PROTO] = "ssh.proto", [MM_BUF_SSH_SOFTWARE] = "ssh.software",
    [MM_BUF_SSH_HASSH] = "ssh.hassh", [MM_BUF_SSH_HASSH_STRING] = "ssh.hassh.string",
    [MM_BUF_SSH_HASSH_SERVER] = "ssh.hassh.server",
    [MM_BUF_SSH_HASSH_SERVER_STRING] = "ssh.hassh.server.string",
    [MM_BUF_SMB_NTLMSSP_USER] = "smb.ntlmssp_user",
    [MM_BUF_SMB_NTLMSSP_DOMAIN] = "smb.ntlmssp_domain",
    [MM_BUF_SMB_SHARE] = "smb.share", [MM_BUF_SMB_NAMED_PIPE] = "smb.named_pipe",
    [MM_BUF_FILE_NAME] = "file.name", [MM_BUF_BASE64_DATA] = "base64_data",
    [MM_BUF_IPV4_HDR] = "ipv4.hdr", [MM_BUF_IPV6_HDR] = "ipv6.hdr", [MM_BUF_TCP_HDR] = "tcp.hdr",
    [MM_BUF_UDP_HDR] = "udp.hdr", [MM_BUF_ICMPV4_HDR] = "icmpv4.hdr",
    [MM_BUF_ICMPV6_HDR] = "icmpv6.hdr", [MM_BUF_DCERPC_STUB] = "dcerpc.stub_data",
    [MM_BUF_DCERPC_OPNUM] = "dcerpc.opnum", [MM_BUF_DCERPC_IFACE] = "dcerpc.iface",
};

const char *mm_buf_name(int b)
{
    return b >= 0 && b < MM_BUF_N && buf_names[b] ? buf_names[b] : "?";
}

int mm_buf_dir(int b)
{
    for (size_t i = 0; i < sizeof buffers / sizeof buffers[0]; i++)
        if (buffers[i].id == b)
            return buffers[i].dir;
    return 3;
}

static const struct {
    const char *name;
    uint8_t id;
} transforms[] = {
    {"dotprefix", MM_TR_DOTPREFIX}, {"strip_whitespace", MM_TR_STRIP_WHITESPACE},
    {"compress_whitespace", MM_TR_COMPRESS_WHITESPACE}, {"to_lowercase", MM_TR_TO_LOWERCASE},
    {"to_uppercase", MM_TR_TO_UPPERCASE}, {"to_md5", MM_TR_TO_MD5}, {"to_sha1", MM_TR_TO_SHA1},
    {"to_sha256", MM_TR_TO_SHA256}, {"url_decode", MM_TR_URL_DECODE},
    {"header_lowercase", MM_TR_HEADER_LOWERCASE},
    {"strip_pseudo_headers", MM_TR_STRIP_PSEUDO_HEADERS}, {"pcrexform", MM_TR_PCREXFORM},
    {"xor", MM_TR_XOR},
};

/* pcrexform:"EXPR" (the buffer becomes the expression's first group where
 * it matches, and stays as it is where it does not, as Suricata 7) and
 * xor:"HEXKEY" (each byte xor the key's byte, the key repeated). */
static const mm_trarg *transform_arg(mm_rparse *p, const char *kw, uint8_t id, char *val)
{
    size_t n0 = val ? strlen(val) : 0;
    if (n0 < 3 || val[0] != '"' || val[n0 - 1] != '"')
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: a quoted value is needed", kw), NULL;
    val[n0 - 1] = 0;
    char *v = val + 1, *w = v;
    for (char *r = v; *r; r++) {       /* \" and \; as pcre's; the rest PCRE's */
        if (*r == '\\' && (r[1] == '"' || r[1] == ';'))
            r++;
        *w++ = *r;
    }
    *w = 0;
    mm_arena *a = &p->rs->arena;
    mm_trarg *t = mm_arena_alloc(a, sizeof *t);
    if (!t || !(t->text = mm_arena_strdup(a, v)))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory"), NULL;
    if (id == MM_TR_XOR) {
        size_t n = strlen(v);
        if (n % 2 || n > 510)
            return mm_rp_fail(p, MM_SKIP_VALUE, "xor: an even number of hex digits (at most "
                              "255 bytes)"), NULL;
        if (!(t->key = mm_arena_alloc(a, n / 2 + 1)))
            return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory"), NULL;
        for (size_t i = 0; i < n; i += 2) {
            if (!isxdigit((unsigned char)v[i]) || !isxdigit((unsigned char)v[i + 1]))
                return mm_rp_fail(p, MM_SKIP_VALUE, "xor: '%.16s' is not hex", v), NULL;
            char h[3] = {v[i], v[i + 1], 0};
            t->key[i / 2] = (uint8_t)strtoul(h, NULL, 16);
        }
        t->keylen = (uint32_t)(n / 2);
        return t;
    }
    if (p->npcres == MM_RULE_MAX_SM)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: too many expressions", kw), NULL;
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
    if (!code) {
        PCRE2_UCHAR m[120];
        pcre2_get_error_message(err, m, sizeof m);
        return mm_rp_fail(p, MM_SKIP_PCRE, "pcrexform at %zu: %s", (size_t)off, (char *)m), NULL;
    }
    p->pcres[p->npcres++] = code;
    uint32_t cap = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &cap);
    if (cap < 1)
        return mm_rp_fail(p, MM_SKIP_VALUE, "pcrexform: no group to keep"), NULL;
    t->code = code;
    return t;
}

static bool has_targ(const uint8_t *tr, int ntr)
{
    for (int i = 0; i < ntr; i++)
        if (tr[i] == MM_TR_PCREXFORM || tr[i] == MM_TR_XOR)
            return true;
    return false;
}

/* A buffer of which a flow or message has several at once (a file each, a
 * header line each): a rule naming it twice wants one instance to have
 * the first options and one (maybe another) the second ones, as
 * Suricata's multi-buffers (file-match-crossed). */
static bool multi_buffer(int id)
{
    return id == MM_BUF_FILE_DATA || id == MM_BUF_FILE_NAME ||
           id == MM_BUF_HTTP_REQUEST_HEADER || id == MM_BUF_HTTP_RESPONSE_HEADER;
}

/* The buffer (index into p->buf) with this id and transforms (and the
 * argument of the one that takes one), made when new (or when fresh). */
static int buf_index2(mm_rparse *p, uint8_t id, const uint8_t *tr, int ntr,
                      const mm_trarg *targ, bool fresh)
{
    if (!has_targ(tr, ntr))
        targ = NULL;
    for (int i = 0; i < p->nbuf && !fresh; i++)
        if (p->buf[i].id == id && p->buf[i].ntr == ntr &&
            (ntr == 0 || memcmp(p->buf[i].tr, tr, (size_t)ntr) == 0) &&
            (!targ || strcmp(p->buf[i].targ->text, targ->text) == 0))
            return i;
    if (p->nbuf == MM_RULE_MAX_BUF)
        return -1;
    mm_rbuf *b = &p->buf[p->nbuf];
    memset(b, 0, sizeof *b);
    b->id = id;
    b->ntr = (uint8_t)ntr;
    if (ntr)
        memcpy(b->tr, tr, (size_t)ntr);
    b->targ = targ;
    return p->nbuf++;
}

static int buf_index(mm_rparse *p, uint8_t id, const uint8_t *tr, int ntr,
                     const mm_trarg *targ)
{
    return buf_index2(p, id, tr, ntr, targ, false);
}

/* The buffer the next match option goes to. */
static int target_buf(mm_rparse *p)
{
    if (p->pending >= 0) {
        p->cur = buf_index2(p, (uint8_t)p->pending, p->pending_tr, p->npending_tr,
                            p->pending_targ, p->pending_new);
        p->pending = -1;
        p->pending_new = false;
        p->npending_tr = 0;
        return p->cur;
    }
    if (p->cur >= 0)
        return p->cur;
    return buf_index(p, MM_BUF_PAYLOAD, NULL, 0, NULL);
}

static mm_sm *new_sm(mm_rparse *p, uint8_t type, const char *kw)
{
    if (p->nsm == MM_RULE_MAX_SM) {
        mm_rp_fail(p, MM_SKIP_VALUE, "%s: more than %d match options", kw, MM_RULE_MAX_SM);
        return NULL;
    }
    int b = target_buf(p);
    if (b < 0) {
        mm_rp_fail(p, MM_SKIP_VALUE, "%s: more than %d buffers", kw, MM_RULE_MAX_BUF);
        return NULL;
    }
    mm_sm *s = &p->sm[p->nsm];
    memset(s, 0, sizeof *s);
    s->type = type;
    p->smbuf[p->nsm] = (uint8_t)b;
    p->nsm++;
    return s;
}

mm_sm *mm_rp_new_sm(mm_rparse *p, uint8_t type, const char *kw)
{
    return new_sm(p, type, kw);
}

/* --- values --------------------------------------------------------------- */

static int var_index(const mm_rparse *p, const char *name)
{
    for (int i = 0; i < p->nvars; i++)
        if (strcmp(p->vars[i], name) == 0)
            return i;
    return -1;
}

/* A number or a byte_extract variable. */
static bool rval(mm_rparse *p, const char *kw, const char *s, int32_t lo, int32_t hi, mm_rval *v)
{
    int64_t x;
    while (*s == ' ')
        s++;
    if (mm_rp_num(s, lo, hi, &x)) {
        *v = (mm_rval){(int32_t)x, -1};
        return true;
    }
    int i = var_index(p, s);
    if (i >= 0) {
        *v = (mm_rval){0, (int8_t)i};
        return true;
    }
    return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad value '%.32s'", kw, s);
}

/* "text|41 42|text" with \-escapes into out; returns the length or -1. */
static int content_bytes(const char *s, uint8_t *out, size_t max)
{
    size_t n = 0;
    bool hex = false;
    int nib = -1;
    for (; *s; s++) {
        if (*s == '|') {
            if (hex && nib >= 0)
                return -1;
            hex = !hex;
            continue;
        }
        if (hex) {
            if (*s == ' ' || *s == '\t')
                continue;
            if (!isxdigit((unsigned char)*s))
                return -1;
            int d = isdigit((unsigned char)*s) ? *s - '0' : tolower((unsigned char)*s) - 'a' + 10;
            if (nib < 0) {
                nib = d;
                continue;
            }
            if (n == max)
                return -1;
            out[n++] = (uint8_t)(nib << 4 | d);
            nib = -1;
            continue;
        }
        if (*s == '\\') {
            if (!s[1])
                return -1;
            s++;
        }
        if (n == max)
            return -1;
        out[n++] = (uint8_t)*s;
    }
    if (hex)
        return -1;
    return (int)n;
}

/* --- content -------------------------------------------------------------- */

static bool kw_content(mm_rparse *p, const char *kw, char *val)
{
    if (!val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
    bool neg = false;
    if (*val == '!') {
        neg = true;
        val = mm_rp_trim(val + 1);
    }
    size_t l = strlen(val);
    if (l < 2 || val[0] != '"' || val[l - 1] != '"')
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: value must be quoted", kw);
    val[l - 1] = 0;
    static uint8_t bytes[MAX_PATTERN];
    int n = content_bytes(val + 1, bytes, sizeof bytes);
    if (n < 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad pattern", kw);
    if (n == 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: empty pattern", kw);
    if (strcmp(kw, "uricontent") == 0) {
        if (p->pending >= 0 || p->cur >= 0)
            return mm_rp_fail(p, MM_SKIP_VALUE, "uricontent after a sticky buffer");
        p->pending = MM_BUF_HTTP_URI;
    }
    mm_sm *s = new_sm(p, MM_SM_CONTENT, kw);
    if (!s)
        return false;
    if (strcmp(kw, "uricontent") == 0)
        p->cur = -1;            /* the next content is back on the payload */
    mm_content *c = &s->u.c;
    if (!(c->pat = mm_arena_dup(&p->rs->arena, bytes, (size_t)n)))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    c->len = (uint16_t)n;
    c->flags = neg ? MM_CF_NEGATED : 0;
    c->offset = c->depth = c->distance = c->within = (mm_rval){0, -1};
    p->last_sm = p->last_any = p->nsm - 1;
    return true;
}

static mm_content *last_content(mm_rparse *p, const char *kw)
{
    if (p->last_sm < 0) {
        mm_rp_fail(p, MM_SKIP_VALUE, "%s: no content before it", kw);
        return NULL;
    }
    return &p->sm[p->last_sm].u.c;
}

static bool kw_modifier(mm_rparse *p, const char *kw, char *val)
{
    mm_content *c = last_content(p, kw);
    if (!c)     /* rawbytes may follow a pcre too (and means nothing to us) */
        return strcmp(kw, "rawbytes") == 0 && p->last_any >= 0;
    if (strcmp(kw, "nocase") == 0) {
        c->flags |= MM_CF_NOCASE;
    } else if (strcmp(kw, "rawbytes") == 0) {
        c->flags |= MM_CF_RAWBYTES;
    } else if (strcmp(kw, "startswith") == 0) {
        if (c->flags & (MM_CF_OFFSET | MM_CF_DEPTH | MM_CF_DISTANCE | MM_CF_WITHIN))
            return mm_rp_fail(p, MM_SKIP_VALUE, "startswith with offset/depth/distance/within");
        c->flags |= MM_CF_STARTSWITH;
        c->depth = (mm_rval){c->len, -1};
        c->offset = (mm_rval){0, -1};
    } else if (strcmp(kw, "endswith") == 0) {
        c->flags |= MM_CF_ENDSWITH;
    } else if (strcmp(kw, "fast_pattern") == 0) {
        c->flags |= MM_CF_FAST;
        if (val && strcmp(mm_rp_trim(val), "only") == 0) {
            c->flags |= MM_CF_FAST_ONLY;
        } else if (val && *val) {
            char *parts[2];
            int64_t o, l;
            if (mm_rp_split(val, ',', parts, 2) != 2 || !mm_rp_num(parts[0], 0, 65535, &o) ||
                !mm_rp_num(parts[1], 1, 65535, &l) || o + l > c->len)
                return mm_rp_fail(p, MM_SKIP_VALUE, "fast_pattern: bad offset,length");
            c->flags |= MM_CF_FAST_CHOP;
            c->fp_off = (uint16_t)o;
            c->fp_len = (uint16_t)l;
        }
    } else {
        /* offset, depth, distance, within */
        if (!val)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
        bool abs = kw[0] == 'o' || (kw[0] == 'd' && kw[1] == 'e');
        if (c->flags & MM_CF_STARTSWITH)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s with startswith", kw);
        if (abs && c->flags & (MM_CF_DISTANCE | MM_CF_WITHIN))
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s with distance/within", kw);
        if (!abs && c->flags & (MM_CF_OFFSET | MM_CF_DEPTH))
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s with offset/depth", kw);
        mm_rval v;
        int32_t lo = strcmp(kw, "distance") == 0 ? -65535 : 0;
        if (!rval(p, kw, val, lo, 65535, &v))
            return false;
        uint16_t bit;
        if (strcmp(kw, "offset") == 0) {
            c->offset = v;
            bit = MM_CF_OFFSET;
        } else if (strcmp(kw, "depth") == 0) {
            if (v.var < 0 && v.v < c->len)
                return mm_rp_fail(p, MM_SKIP_VALUE, "depth shorter than the content");
            c->depth = v;
            bit = MM_CF_DEPTH;
        } else if (strcmp(kw, "distance") == 0) {
            c->distance = v;
            bit = MM_CF_DISTANCE;
        } else {
            if (v.var < 0 && v.v < c->len)
                return mm_rp_fail(p, MM_SKIP_VALUE, "within shorter than the content");
            c->within = v;
            bit = MM_CF_WITHIN;
        }
        if (c->flags & bit)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s given twice", kw);
        c->flags |= bit;
    }
    return true;
}

/* --- pcre ----------------------------------------------------------------- */

static const struct {
    char flag;
    uint8_t buf;
} pcre_bufs[] = {
    {'U', MM_BUF_HTTP_URI}, {'I', MM_BUF_HTTP_URI_RAW}, {'P', MM_BUF_HTTP_REQUEST_BODY},
    {'Q', MM_BUF_FILE_DATA}, {'H', MM_BUF_HTTP_HEADER}, {'D', MM_BUF_HTTP_HEADER_RAW},
    {'M', MM_BUF_HTTP_METHOD}, {'C', MM_BUF_HTTP_COOKIE}, {'S', MM_BUF_HTTP_STAT_CODE},
    {'Y', MM_BUF_HTTP_STAT_MSG}, {'V', MM_BUF_HTTP_USER_AGENT}, {'W', MM_BUF_HTTP_HOST},
    {'Z', MM_BUF_HTTP_HOST_RAW},
};

#define MM_PCRE_MAX_VARS 8

/* The variables a pcre's groups go to: "flow:NAME" / "pkt:NAME" after the
 * flags, one per group in order, and groups named flow_NAME / pkt_NAME. */
static bool pcre_vars(mm_rparse *p, mm_pcre *pc, char *list)
{
    mm_capvar cv[MM_PCRE_MAX_VARS];
    int n = 0;
    if (list) {
        char *parts[MM_PCRE_MAX_VARS + 1];
        int k = mm_rp_split(list, ',', parts, MM_PCRE_MAX_VARS + 1);
        if (k < 1 || k > MM_PCRE_MAX_VARS || k > pc->ncapture)
            return mm_rp_fail(p, MM_SKIP_VALUE, "pcre: more variables than groups");
        for (int i = 0; i < k; i++) {
            char *v = mm_rp_trim(parts[i]);
            bool flow = strncmp(v, "flow:", 5) == 0;
            if (!flow && strncmp(v, "pkt:", 4) != 0)
                return mm_rp_fail(p, MM_SKIP_VALUE, "pcre: '%.32s': flow:NAME or pkt:NAME", v);
            const char *name = v + (flow ? 5 : 4);
            if (!*name || strlen(name) > 63)
                return mm_rp_fail(p, MM_SKIP_VALUE, "pcre: bad variable name");
            uint32_t id = mm_rp_var_id(p->rs, name);
            if (id == UINT32_MAX)
                return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
            cv[n++] = (mm_capvar){id, flow ? MM_VAR_FLOW : MM_VAR_PKT, (uint8_t)(i + 1)};
        }
    }
    uint32_t names = 0, esz = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(pc->code, PCRE2_INFO_NAMECOUNT, &names);
    pcre2_pattern_info(pc->code, PCRE2_INFO_NAMEENTRYSIZE, &esz);
    pcre2_pattern_info(pc->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < names && table; i++) {
        PCRE2_SPTR e = table + i * esz;
        unsigned g = (unsigned)(e[0] << 8 | e[1]);
        const char *nm = (const char *)e + 2;
        bool flow = strncmp(nm, "flow_", 5) == 0;
        if (!flow && strncmp(nm, "pkt_", 4) != 0)
            continue;
        if (n == MM_PCRE_MAX_VARS || g > 255)
            return mm_rp_fail(p, MM_SKIP_VALUE, "pcre: too many variables");
        uint32_t id = mm_rp_var_id(p->rs, nm + (flow ? 5 : 4));
        if (id == UINT32_MAX)
            return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
        cv[n++] = (mm_capvar){id, flow ? MM_VAR_FLOW : MM_VAR_PKT, (uint8_t)g};
    }
    if (!n)
        return true;
    mm_capvar *a = mm_arena_dup(&p->rs->arena, cv, (size_t)n * sizeof *cv);
    if (!a)
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    pc->cv = a;
    pc->ncv = (uint8_t)n;
    return true;
}

static bool kw_pcre(mm_rparse *p, const char *kw, char *val)
{
    if (!val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "pcre: no value");
    bool neg = false;
    if (*val == '!') {
        neg = true;
        val = mm_rp_trim(val + 1);
    }
    size_t l = strlen(val);
    if (l < 4 || val[0] != '"' || val[l - 1] != '"' || val[1] != '/')
        return mm_rp_fail(p, MM_SKIP_VALUE, "pcre: \"/expression/flags\" expected");
    val[l - 1] = 0;
    char *re = val + 2;
    /* the closing '/': the last one followed by flags and the end, or by
     * flags and the list of variables the groups go to ("/.../i, flow:a") */
    char *end = NULL, *vars = NULL;
    for (char *c = strchr(re, ','); c && !end; c = strchr(c + 1, ',')) {
        const char *v = c + 1;
        while (*v == ' ')
            v++;
        if (strncmp(v, "flow:", 5) != 0 && strncmp(v, "pkt:", 4) != 0)
            continue;
        char *q = c;
        while (q > re && isalpha((unsigned char)q[-1]))
            q--;
        if (q > re && q[-1] == '/') {
            end = q - 1;
            *c = 0;
            vars = c + 1;
        }
    }
    if (!end)
        end = strrchr(re, '/');
    if (!end)
        return mm_rp_fail(p, MM_SKIP_VALUE, "pcre: no closing '/'");
    *end = 0;
    uint32_t opts = 0;
    uint8_t flags = neg ? MM_PF_NEGATED : 0;
    int buf = -1;
    for (const char *f = end + 1; *f; f++) {
        switch (*f) {
        case 'i': opts |= PCRE2_CASELESS; break;
        case 's': opts |= PCRE2_DOTALL; break;
        case 'm': opts |= PCRE2_MULTILINE; break;
        case 'x': opts |= PCRE2_EXTENDED; break;
        case 'A': opts |= PCRE2_ANCHORED; break;
        case 'E': opts |= PCRE2_DOLLAR_ENDONLY; break;
        case 'G': opts |= PCRE2_UNGREEDY; break;
        case 'R': flags |= MM_PF_RELATIVE; break;
        case 'B': flags |= MM_PF_RAWBYTES; break;
        case 'O': flags |= MM_PF_NO_LIMIT; break;
        default: {
            size_t i = 0;
            while (i < sizeof pcre_bufs / sizeof pcre_bufs[0] && pcre_bufs[i].flag != *f)
                i++;
            if (i == sizeof pcre_bufs / sizeof pcre_bufs[0])
                return mm_rp_fail(p, MM_SKIP_VALUE, "pcre: unknown flag '%c'", *f);
            if (buf >= 0 && buf != pcre_bufs[i].buf)
                return mm_rp_fail(p, MM_SKIP_VALUE, "pcre: two buffer flags");
            buf = pcre_bufs[i].buf;
        }
        }
    }
    /* Suricata's escapes inside the quoted value: \" \; \\ become themselves
     * before the expression reaches PCRE (other escapes are PCRE's) */
    char *w = re;
    for (char *r = re; *r; r++) {
        if (*r == '\\' && (r[1] == '"' || r[1] == ';'))
            r++;
        *w++ = *r;
    }
    *w = 0;
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, opts, &err, &off, NULL);
    if (!code) {
        PCRE2_UCHAR m[120];
        pcre2_get_error_message(err, m, sizeof m);
        return mm_rp_fail(p, MM_SKIP_PCRE, "pcre at %zu: %s", (size_t)off, (char *)m);
    }
    p->pcres[p->npcres++] = code;
    int saved_cur = p->cur, saved_pending = p->pending;
    if (buf >= 0) {
        int active = p->pending >= 0 ? p->pending : p->cur >= 0 ? p->buf[p->cur].id : -1;
        if (active >= 0 && active != buf)
            return mm_rp_fail(p, MM_SKIP_VALUE, "pcre: buffer flag with another sticky buffer");
        if (active < 0) {
            p->pending = buf;
            p->npending_tr = 0;
        }
    }
    mm_sm *s = new_sm(p, MM_SM_PCRE, kw);
    if (!s)
        return false;
    if (buf >= 0 && saved_pending < 0 && (saved_cur < 0 || p->buf[saved_cur].id != buf))
        p->cur = saved_cur;     /* a flag applies to this pcre only */
    s->u.p.code = code;
    s->u.p.flags = flags;
    uint32_t cap = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &cap);
    s->u.p.ncapture = (uint8_t)(cap > 255 ? 255 : cap);
    if (!pcre_vars(p, &s->u.p, vars))
        return false;
    p->last_any = p->nsm - 1;
    p->last_sm = -1;
    return true;
}

/* --- byte_test, byte_jump, byte_extract, byte_math ------------------------ */

/* A new variable's name (byte_extract, byte_math result): not a number, not
 * given before, and room for it. */
static bool var_name_ok(mm_rparse *p, const char *kw, const char *name)
{
    if (!name || !*name || strlen(name) >= sizeof p->vars[0] || isdigit((unsigned char)*name))
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad name", kw);
    if (var_index(p, name) >= 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: '%s' given twice", kw, name);
    if (p->nvars == MM_RULE_MAX_VARS)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: too many variables", kw);
    return true;
}

/* The options every byte_* keyword shares; false when part is not one. */
static bool byte_common(mm_rparse *p, mm_byteop *b, const char *part, bool *bad)
{
    *bad = false;
    if (strcmp(part, "relative") == 0)
        b->flags |= MM_BF_RELATIVE;
    else if (strcmp(part, "little") == 0)
        b->flags |= MM_BF_LITTLE;
    else if (strcmp(part, "big") == 0)
        b->flags &= (uint16_t)~MM_BF_LITTLE;
    else if (strcmp(part, "dce") == 0)
        b->flags |= MM_BF_DCE;
    else if (strcmp(part, "string") == 0)
        b->flags |= MM_BF_STRING;
    else if (strcmp(part, "hex") == 0 || strcmp(part, "dec") == 0 || strcmp(part, "oct") == 0)
        b->base = part[0] == 'h' ? 16 : part[0] == 'd' ? 10 : 8; else if (strncmp(part, "bitmask", 7) == 0) {
        int64_t m;
        if (!mm_rp_num(part + 7, 0, INT64_MAX, &m) || m == 0) {
            *bad = true;
            return mm_rp_fail(p, MM_SKIP_VALUE, "bad bitmask");
        }
        b->flags |= MM_BF_BITMASK;
        b->bitmask = (uint64_t)m;
    } else {
        return false;
    }
    return true;
}

static bool byte_nbytes(mm_rparse *p, const char *kw, const char *s, mm_byteop *b)
{
    int64_t n;
    while (*s == ' ')
        s++;
    int v = var_index(p, s);
    if (v >= 0) {               /* as Suricata 7: the count read earlier */
        b->nbytes_var = (uint8_t)(v + 1);
        b->nbytes = 1;
        return true;
    }
    if (!mm_rp_num(s, 0, 23, &n))
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bytes must be 0-23 or a variable", kw);
    b->nbytes = (uint8_t)n;
    return true;
}

static bool byte_check(mm_rparse *p, const char *kw, mm_byteop *b)
{
    /* text numbers: as many digits as fit 64 bits (0: the digits there
     * are, as Suricata reads them); binary: 1-8 bytes */
    if (b->flags & MM_BF_STRING) {
        if (!b->base)
            b->base = 10;
        int max = b->base == 16 ? 14 : b->base == 10 ? 20 : 23;
        if (b->nbytes > max)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: at most %d digits", kw, max);
    } else {
        if (b->base)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: a base without 'string'", kw);
        if (b->nbytes < 1 || b->nbytes > 8)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: binary reads are 1-8 bytes", kw);
    }
    if (b->flags & MM_BF_RELATIVE && p->last_any < 0 && p->cur < 0 && p->pending < 0 &&
        p->nsm == 0)
        b->flags &= (uint16_t)~MM_BF_RELATIVE;      /* relative to the start */
    return true;
}

/* A byte_extract or byte_math option whose result goes to a new variable. */
static bool add_var_op(mm_rparse *p, const char *kw, uint8_t type, mm_byteop *b,
                       const char *name)
{
    mm_sm *s = new_sm(p, type, kw);
    if (!s)
        return false;
    b->var = (uint8_t)p->nvars;
    snprintf(p->vars[p->nvars++], sizeof p->vars[0], "%s", name);
    s->u.b = *b;
    p->last_any = p->nsm - 1;
    return true;
}

static bool kw_byte_test(mm_rparse *p, const char *kw, char *val)
{
    char *parts[12];
    int n = val ? mm_rp_split(val, ',', parts, 12) : -1;
    if (n < 4)
        return mm_rp_fail(p, MM_SKIP_VALUE, "byte_test: BYTES,OP,VALUE,OFFSET[,...]");
    mm_byteop b = {.multiplier = 1};
    if (!byte_nbytes(p, kw, parts[0], &b))
        return false;
    const char *op = parts[1];
    if (*op == '!') {
        b.flags |= MM_BF_NEGATE;
        op++;
    }
    static const struct {
        const char *s;
        uint8_t op;
    } ops[] = {{"<", MM_BOP_LT}, {">", MM_BOP_GT}, {"=", MM_BOP_EQ}, {"<=", MM_BOP_LE},
               {">=", MM_BOP_GE}, {"&", MM_BOP_AND}, {"^", MM_BOP_OR}};
    size_t i = 0;
    while (i < sizeof ops / sizeof ops[0] && strcmp(ops[i].s, op) != 0)
        i++;
    if (i == sizeof ops / sizeof ops[0])
        return mm_rp_fail(p, MM_SKIP_VALUE, "byte_test: bad operator '%.8s'", parts[1]);
    b.op = ops[i].op;
    int64_t v;
    if (mm_rp_num(parts[2], 0, INT64_MAX, &v)) {
        b.value = (mm_rval){0, -1};
        b.value64 = (uint64_t)v;
    } else if (!rval(p, kw, parts[2], 0, INT32_MAX, &b.value)) {
        return false;
    }
    if (!rval(p, kw, parts[3], -65535, 65535, &b.offset))
        return false;
    for (int k = 4; k < n; k++) {
        bool bad;
        if (!byte_common(p, &b, parts[k], &bad))
            return bad ? false : mm_rp_fail(p, MM_SKIP_VALUE, "byte_test: unknown '%.32s'",
                                            parts[k]);
    }
    if (!byte_check(p, kw, &b))
        return false;
    mm_sm *s = new_sm(p, MM_SM_BYTE_TEST, kw);
    if (!s)
        return false;
    s->u.b = b;
    return true;
}

static bool kw_byte_jump(mm_rparse *p, const char *kw, char *val)
{
    char *parts[14];
    int n = val ? mm_rp_split(val, ',', parts, 14) : -1;
    if (n < 2)
        return mm_rp_fail(p, MM_SKIP_VALUE, "byte_jump: BYTES,OFFSET[,...]");
    mm_byteop b = {.multiplier = 1};
    if (!byte_nbytes(p, kw, parts[0], &b) || !rval(p, kw, parts[1], -65535, 65535, &b.offset))
        return false;
    for (int k = 2; k < n; k++) {
        bool bad;
        int64_t x;
        if (byte_common(p, &b, parts[k], &bad))
            continue;
        if (bad)
            return false;
        if (strcmp(parts[k], "align") == 0)
            b.flags |= MM_BF_ALIGN;
        else if (strcmp(parts[k], "from_beginning") == 0)
            b.flags |= MM_BF_FROM_BEGIN;
        else if (strcmp(parts[k], "from_end") == 0)
            b.flags |= MM_BF_FROM_END;
        else if (strncmp(parts[k], "multiplier", 10) == 0 &&
                 mm_rp_num(parts[k] + 10, 1, 65535, &x))
            b.multiplier = (uint32_t)x;
        else if (strncmp(parts[k], "post_offset", 11) == 0 &&
                 mm_rp_num(parts[k] + 11, -65535, 65535, &x))
            b.post_offset = (int32_t)x;
        else
            return mm_rp_fail(p, MM_SKIP_VALUE, "byte_jump: unknown '%.32s'", parts[k]);
    }
    if (!byte_check(p, kw, &b))
        return false;
    mm_sm *s = new_sm(p, MM_SM_BYTE_JUMP, kw);
    if (!s)
        return false;
    s->u.b = b;
    p->last_any = p->nsm - 1;
    return true;
}

static bool kw_byte_extract(mm_rparse *p, const char *kw, char *val)
{
    char *parts[12];
    int n = val ? mm_rp_split(val, ',', parts, 12) : -1;
    if (n < 3)
        return mm_rp_fail(p, MM_SKIP_VALUE, "byte_extract: BYTES,OFFSET,NAME[,...]");
    mm_byteop b = {.multiplier = 1};
    if (!byte_nbytes(p, kw, parts[0], &b) || !rval(p, kw, parts[1], -65535, 65535, &b.offset))
        return false;
    const char *name = parts[2];
    if (!var_name_ok(p, kw, name))
        return false;
    for (int k = 3; k < n; k++) {
        bool bad;
        int64_t x;
        if (byte_common(p, &b, parts[k], &bad))
            continue;
        if (bad)
            return false;
        if (strncmp(parts[k], "multiplier", 10) == 0 && mm_rp_num(parts[k] + 10, 1, 65535, &x))
            b.multiplier = (uint32_t)x;
        else if (strncmp(parts[k], "align", 5) == 0 && mm_rp_num(parts[k] + 5, 2, 4, &x) &&
                 x != 3)
            b.flags |= MM_BF_ALIGN, b.post_offset = (int32_t)x;
        else
            return mm_rp_fail(p, MM_SKIP_VALUE, "byte_extract: unknown '%.32s'", parts[k]);
    }
    return byte_check(p, kw, &b) && add_var_op(p, kw, MM_SM_BYTE_EXTRACT, &b, name);
}

/* byte_math:bytes N, offset N, oper OP, rvalue V, result NAME[, relative]
 * [, endian big|little][, dce][, string hex|dec|oct][, bitmask HEX]: reads a
 * number as byte_extract does, applies OP with V (a number or a variable),
 * masks it, and keeps it in NAME for later options (Suricata 7's keyword). */
static bool kw_byte_math(mm_rparse *p, const char *kw, char *val)
{
    char *parts[12];
    int n = val ? mm_rp_split(val, ',', parts, 12) : -1;
    if (n < 5 || n > 10)
        return mm_rp_fail(p, MM_SKIP_VALUE,
                          "byte_math: bytes, offset, oper, rvalue, result[, ...]");
    mm_byteop b = {.multiplier = 1, .value = {0, -1}};
    const char *name = NULL;
    unsigned seen = 0;
    for (int k = 0; k < n; k++) {
        char *w = parts[k], *v = w;
        while (*v && *v != ' ' && *v != '\t')
            v++;
        if (*v)
            *v++ = '\0';
        while (*v == ' ' || *v == '\t')
            v++;
        static const char *const names[] = {"bytes", "offset", "oper", "rvalue", "result",
                                            "relative", "endian", "dce", "string", "bitmask"};
        unsigned i = 0;
        while (i < sizeof names / sizeof names[0] && strcmp(names[i], w) != 0)
            i++;
        if (i == sizeof names / sizeof names[0])
            return mm_rp_fail(p, MM_SKIP_VALUE, "byte_math: unknown '%.32s'", w);
        if (seen & 1u << i)
            return mm_rp_fail(p, MM_SKIP_VALUE, "byte_math: '%s' given twice", w);
        seen |= 1u << i;
        int64_t x;
        switch (i) {
        case 0:
            if (mm_rp_num(v, 1, 10, &x))
                b.nbytes = (uint8_t)x;
            else if (!byte_nbytes(p, kw, v, &b))
                return false;
            break;
        case 1:
            if (!mm_rp_num(v, -65535, 65535, &x))
                return mm_rp_fail(p, MM_SKIP_VALUE, "byte_math: offset must be -65535-65535");
            b.offset = (mm_rval){(int32_t)x, -1};
            break;
        case 2: {
            static const char *const ops[] = {"+", "-", "*", "/", "<<", ">>"};
            unsigned o = 0;
            while (o < 6 && strcmp(ops[o], v) != 0)
                o++;
            if (o == 6)
                return mm_rp_fail(p, MM_SKIP_VALUE, "byte_math: bad oper '%.8s'", v);
            b.op = (uint8_t)o;
            break;
        }
        case 3:
            if (mm_rp_num(v, 0, UINT32_MAX, &x))
                b.value64 = (uint64_t)x;
            else if (!rval(p, kw, v, 0, 0, &b.value))
                return false;
            break;
        case 4:
            name = v;
            break;
        case 5:
            b.flags |= MM_BF_RELATIVE;
            break;
        case 6:
            if (strcmp(v, "little") == 0)
                b.flags |= MM_BF_LITTLE;
            else if (strcmp(v, "big") != 0)
                return mm_rp_fail(p, MM_SKIP_VALUE, "byte_math: bad endian '%.16s'", v);
            break;
        case 7:
            b.flags |= MM_BF_DCE;
            break;
        case 8:
            b.flags |= MM_BF_STRING;
            if (strcmp(v, "hex") == 0 || strcmp(v, "dec") == 0 || strcmp(v, "oct") == 0)
                b.base = v[0] == 'h' ? 16 : v[0] == 'd' ? 10 : 8;
            else
                return mm_rp_fail(p, MM_SKIP_VALUE, "byte_math: bad string '%.16s'", v);
            break;
        default: {
            /* hexadecimal, with or without 0x, as Suricata reads it */
            const char *h = v[0] == '0' && (v[1] == 'x' || v[1] == 'X') ? v + 2 : v;
            char *end;
            errno = 0;
            unsigned long long m = strtoull(h, &end, 16);
            if (!*h || *end || errno || m > UINT32_MAX || !isxdigit((unsigned char)*h))
                return mm_rp_fail(p, MM_SKIP_VALUE, "byte_math: bad bitmask '%.16s'", v);
            b.bitmask = m;
            b.flags |= MM_BF_BITMASK;
            break;
        }
        }
    }
    if ((seen & 0x1f) != 0x1f)
        return mm_rp_fail(p, MM_SKIP_VALUE, "byte_math: bytes, offset, oper, rvalue and "
                          "result are needed");
    if ((b.op == MM_MOP_SHL || b.op == MM_MOP_SHR) && !b.nbytes_var && b.nbytes > 4)
        return mm_rp_fail(p, MM_SKIP_VALUE, "byte_math: 1-4 bytes with a shift");
    if (b.flags & MM_BF_DCE && b.flags & MM_BF_STRING)
        return mm_rp_fail(p, MM_SKIP_VALUE, "byte_math: dce with string");
    return byte_check(p, kw, &b) && var_name_ok(p, kw, name) &&
           add_var_op(p, kw, MM_SM_BYTE_MATH, &b, name);
}

/* --- isdataat, bsize, urilen, base64 --------------------------------------- */

static bool kw_isdataat(mm_rparse *p, const char *kw, char *val)
{
    char *parts[3];
    int n = val ? mm_rp_split(val, ',', parts, 3) : -1;
    if (n < 1)
        return mm_rp_fail(p, MM_SKIP_VALUE, "isdataat: no value");
    bool neg = parts[0][0] == '!';
    mm_rval at;
    if (!rval(p, kw, parts[0] + neg, 0, 65535, &at))
        return false;
    uint8_t rel = 0, raw = 0;
    for (int k = 1; k < n; k++) {
        if (strcmp(parts[k], "relative") == 0)
            rel = 1;
        else if (strcmp(parts[k], "rawbytes") == 0)
            raw = 1;
        else
            return mm_rp_fail(p, MM_SKIP_VALUE, "isdataat: unknown '%.32s'", parts[k]);
    }
    mm_sm *s = new_sm(p, MM_SM_ISDATAAT, kw);
    if (!s)
        return false;
    s->u.isdataat.at = at;
    s->u.isdataat.relative = rel;
    s->u.isdataat.negated = neg;
    s->u.isdataat.rawbytes = raw;
    return true;
}

static bool kw_asn1(mm_rparse *p, const char *kw, char *val)
{
    mm_asn1 a;
    char err[96];
    if (!mm_asn1_parse(val, &a, err, sizeof err))
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s", err);
    mm_sm *s = new_sm(p, MM_SM_ASN1, kw);
    if (!s)
        return false;
    s->u.asn1 = a;
    return true;
}

static bool kw_bsize(mm_rparse *p, const char *kw, char *val)
{
    if (p->pending < 0 && p->cur < 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "bsize: no sticky buffer before it");
    mm_cmp c;
    if (!val || !mm_rp_cmp(val, UINT32_MAX, &c))
        return mm_rp_fail(p, MM_SKIP_VALUE, "bsize: bad value");
    mm_sm *s = new_sm(p, MM_SM_BSIZE, kw);
    if (!s)
        return false;
    s->u.size = c;
    return true;
}

static bool kw_urilen(mm_rparse *p, const char *kw, char *val)
{
    char *parts[2];
    int n = val ? mm_rp_split(val, ',', parts, 2) : -1;
    mm_cmp c;
    if (n < 1 || !mm_rp_cmp(parts[0], 65535, &c))
        return mm_rp_fail(p, MM_SKIP_VALUE, "urilen: bad value");
    uint8_t buf = MM_BUF_HTTP_URI;
    if (n == 2 && strcmp(parts[1], "raw") == 0)
        buf = MM_BUF_HTTP_URI_RAW;
    else if (n == 2 && strcmp(parts[1], "norm") != 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "urilen: raw or norm");
    /* lives in the uri buffer, without changing the sticky buffer */
    int saved_cur = p->cur, saved_pending = p->pending, saved_ntr = p->npending_tr;
    uint8_t saved_tr[MM_MAX_TRANSFORMS];
    memcpy(saved_tr, p->pending_tr, sizeof saved_tr);
    p->pending = buf;
    p->npending_tr = 0;
    mm_sm *s = new_sm(p, MM_SM_URILEN, kw);
    p->cur = saved_cur;
    p->pending = saved_pending;
    p->npending_tr = saved_ntr;
    memcpy(p->pending_tr, saved_tr, sizeof saved_tr);
    if (!s)
        return false;
    s->u.size = c;
    return true;
}

static bool kw_base64_decode(mm_rparse *p, const char *kw, char *val)
{
    mm_sm *s;
    mm_rval bytes = {0, -1}, offset = {0, -1};
    uint8_t rel = 0;
    if (val && *val) {
        char *parts[3];
        int n = mm_rp_split(val, ',', parts, 3);
        for (int k = 0; k < n; k++) {
            if (strncmp(parts[k], "bytes", 5) == 0) {
                if (!rval(p, kw, parts[k] + 5, 1, 65535, &bytes))
                    return false;
            } else if (strncmp(parts[k], "offset", 6) == 0) {
                if (!rval(p, kw, parts[k] + 6, 0, 65535, &offset))
                    return false;
            } else if (strcmp(parts[k], "relative") == 0) {
                rel = 1;
            } else {
                return mm_rp_fail(p, MM_SKIP_VALUE, "base64_decode: unknown '%.32s'", parts[k]);
            }
        }
        if (n < 0)
            return mm_rp_fail(p, MM_SKIP_VALUE, "base64_decode: bad value");
    }
    if (!(s = new_sm(p, MM_SM_BASE64_DECODE, kw)))
        return false;
    s->u.b64.bytes = bytes;
    s->u.b64.offset = offset;
    s->u.b64.relative = rel;
    p->last_any = p->nsm - 1;
    return true;
}

/* --- dispatch ------------------------------------------------------------- */

static bool mm_kw_payload_content(mm_rparse *p, const char *kw, char *val)
{
    return kw_content(p, kw, val);
}

/* The value forms of the old TLS keywords: tls.fingerprint:"aa:bb..."
 * (equal), tls.subject:"CN=..." and tls.issuerdn:"..." (contain), of
 * ftpdata_command:retr|stor (equal), and of the file ones: filename:"x"
 * (file.name contains x), fileext:"x" (it ends in ".x"), both in any case;
 * with '!' to negate: a content in the buffer. */
static bool kw_value(mm_rparse *p, const char *kw, char *val)
{
    if (!val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
    bool ext = strcmp(kw, "fileext") == 0;
    uint8_t id = strcmp(kw, "ftpdata_command") == 0 ? MM_BUF_FTPDATA_COMMAND
               : strcmp(kw, "tls.fingerprint") == 0 ? MM_BUF_TLS_CERT_FINGERPRINT
               : strcmp(kw, "tls.subject") == 0 ? MM_BUF_TLS_CERT_SUBJECT
               : strcmp(kw, "tls.issuerdn") == 0 ? MM_BUF_TLS_CERT_ISSUER
                                                  : MM_BUF_FILE_NAME;
    int saved_cur = p->cur, saved_pending = p->pending;
    p->pending = id;
    p->npending_tr = 0;
    char quoted[1024];
    bool neg = *val == '!';
    char *v = mm_rp_trim(val + neg);
    size_t l = strlen(v);
    if (l >= 2 && v[0] == '"' && v[l - 1] == '"') {
        v[l - 1] = 0;
        v++;
    }
    if (strchr(v, '|') || strlen(v) > sizeof quoted - 4)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad value", kw);
    if (id == MM_BUF_FTPDATA_COMMAND && strcasecmp(v, "retr") && strcasecmp(v, "stor"))
        return mm_rp_fail(p, MM_SKIP_VALUE, "ftpdata_command: retr or stor");
    snprintf(quoted, sizeof quoted, "%s\"%s%s\"", neg ? "!" : "", ext ? "." : "", v);
    bool ok = mm_kw_payload_content(p, "content", quoted);
    p->cur = saved_cur;
    p->pending = saved_pending;
    if (!ok)
        return false;
    mm_content *c = &p->sm[p->nsm - 1].u.c;
    if (id == MM_BUF_TLS_CERT_FINGERPRINT || id == MM_BUF_FTPDATA_COMMAND) {
        /* the whole buffer, in any case (startswith: a depth of its length) */
        c->flags |= MM_CF_STARTSWITH | MM_CF_ENDSWITH | MM_CF_NOCASE;
        c->depth = (mm_rval){c->len, -1};
        c->offset = (mm_rval){0, -1};
    }
    if (id == MM_BUF_FILE_NAME)     /* names compare in any case, as Suricata's */
        c->flags |= MM_CF_NOCASE | (ext ? MM_CF_ENDSWITH : 0);
    p->last_sm = p->last_any = -1;
    return true;
}

/* Numbers of a protocol field given as a small big-endian buffer, with
 * Suricata 7's unsigned-integer syntax: "N", "=N", "!N", "!=N", "<N",
 * "<=N", ">N", ">=N", and "A-B" or "A<>B" for A < value < B (both ends
 * excluded, B > A + 1). Each becomes one or two byte_tests on it. */
static const struct {
    const char *kw;
    uint8_t id, nbytes;
    int64_t max;
} int_fields[] = {
    {"dns.opcode", MM_BUF_DNS_OPCODE, 1, 15},
    {"tcp.mss", MM_BUF_TCP_MSS, 2, 65535},
    {"tls.cert_chain_len", MM_BUF_TLS_CERT_CHAIN_LEN, 4, UINT32_MAX},
    {"icmpv6.mtu", MM_BUF_ICMPV6_MTU, 4, UINT32_MAX},
};

static int int_field(const char *kw)
{
    for (size_t i = 0; i < sizeof int_fields / sizeof int_fields[0]; i++)
        if (strcmp(kw, int_fields[i].kw) == 0)
            return (int)i;
    return -1;
}

static bool kw_int_field(mm_rparse *p, const char *kw, int fi, char *val)
{
    uint8_t id = int_fields[fi].id, nb = int_fields[fi].nbytes;
    int64_t max = int_fields[fi].max;
    if (!val || !*val)
        return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no value", kw);
    char *v = mm_rp_trim(val);
    uint8_t ops[2] = {MM_BOP_EQ, 0};
    int64_t nums[2];
    uint16_t neg = 0;
    int n = 1;
    char *sep = strstr(v, "<>");
    char *dash = strchr(v, '-');
    if (isdigit((unsigned char)*v) && (sep || dash)) {
        char *second = sep ? sep + 2 : dash + 1;
        *(sep ? sep : dash) = 0;
        if (!mm_rp_num(mm_rp_trim(v), 0, max, &nums[0]) ||
            !mm_rp_num(mm_rp_trim(second), 0, max, &nums[1]) || nums[1] <= nums[0] + 1)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad range", kw);
        ops[0] = MM_BOP_GT;
        ops[1] = MM_BOP_LT;
        n = 2;
    } else {
        size_t skip = 0;
        if (v[0] == '>' || v[0] == '<') {
            bool eq = v[1] == '=';
            ops[0] = v[0] == '>' ? (eq ? MM_BOP_GE : MM_BOP_GT) : (eq ? MM_BOP_LE : MM_BOP_LT);
            skip = eq ? 2 : 1;
        } else if (v[0] == '!') {
            neg = MM_BF_NEGATE;
            skip = v[1] == '=' ? 2 : 1;
        } else if (v[0] == '=') {
            skip = 1;
        }
        if (!mm_rp_num(mm_rp_trim(v + skip), 0, max, &nums[0]) ||
            (ops[0] == MM_BOP_LT && nums[0] == 0) || (ops[0] == MM_BOP_GE && nums[0] == 0) ||
            ((ops[0] == MM_BOP_GT || ops[0] == MM_BOP_LE) && nums[0] == max))
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: bad value", kw);
    }
    int saved_cur = p->cur, saved_pending = p->pending;
    for (int i = 0; i < n; i++) {
        p->pending = id;
        p->npending_tr = 0;
        mm_sm *s = new_sm(p, MM_SM_BYTE_TEST, kw);
        if (!s)
            return false;
        s->u.b = (mm_byteop){.nbytes = nb, .op = ops[i], .flags = neg, .multiplier = 1,
                             .offset = {0, -1}, .value = {0, -1}, .value64 = (uint64_t)nums[i]};
    }
    p->cur = saved_cur;
    p->pending = saved_pending;
    p->last_sm = p->last_any = -1;
    return true;
}

bool mm_kw_payload(mm_rparse *p, const char *kw, char *val, bool *known)
{
    *known = true;
    int fi = int_field(kw);
    if (fi >= 0)
        return kw_int_field(p, kw, fi, val);
    if (strcmp(kw, "tls.fingerprint") == 0 || strcmp(kw, "tls.subject") == 0 ||
        strcmp(kw, "ftpdata_command") == 0 ||
        strcmp(kw, "tls.issuerdn") == 0 || strcmp(kw, "fileext") == 0 ||
        ((strcmp(kw, "filename") == 0 || strcmp(kw, "file.name") == 0) && val && *val))
        return kw_value(p, kw, val);
    for (size_t i = 0; i < sizeof buffers / sizeof buffers[0]; i++) {
        const bufdef *b = &buffers[i];
        if (strcmp(kw, b->name) != 0)
            continue;
        if (val && *val)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s takes no value", kw);
        if (b->id == MM_BUF_FILE_DATA && b->dir == 2)
            p->r->flow |= MM_FLOW_TO_CLIENT;
        if (b->legacy) {
            /* moves the content before it into the buffer */
            if (p->last_sm < 0)
                return mm_rp_fail(p, MM_SKIP_VALUE, "%s: no content before it", kw);
            if (p->buf[p->smbuf[p->last_sm]].id != MM_BUF_PAYLOAD)
                return mm_rp_fail(p, MM_SKIP_VALUE, "%s: content already in a sticky buffer", kw);
            int idx = buf_index(p, b->id, NULL, 0, NULL);
            if (idx < 0)
                return mm_rp_fail(p, MM_SKIP_VALUE, "%s: too many buffers", kw);
            p->smbuf[p->last_sm] = (uint8_t)idx;
            return true;
        }
        if (b->id == MM_BUF_PAYLOAD) {
            p->cur = p->pending = -1;
            p->npending_tr = 0;
        } else {
            bool named = false;
            for (int k = 0; k < p->nbuf; k++)
                named |= p->buf[k].id == b->id;
            p->pending = b->id;
            p->pending_new = named && multi_buffer(b->id);
            p->npending_tr = 0;
        }
        p->last_sm = -1;
        p->last_any = -1;
        return true;
    }
    for (size_t i = 0; i < sizeof transforms / sizeof transforms[0]; i++) {
        if (strcmp(kw, transforms[i].name) != 0)
            continue;
        if (p->pending < 0 && p->cur >= 0) {
            /* later options inspect the buffer transformed, earlier ones
             * keep it as it was (Suricata makes a list for the pair) */
            p->pending = p->buf[p->cur].id;
            p->npending_tr = p->buf[p->cur].ntr;
            memcpy(p->pending_tr, p->buf[p->cur].tr, sizeof p->pending_tr);
            p->pending_targ = p->buf[p->cur].targ;
        }
        if (p->pending < 0)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: transforms follow a sticky buffer", kw);
        if (p->npending_tr == MM_MAX_TRANSFORMS)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s: too many transforms", kw);
        bool param = transforms[i].id == MM_TR_PCREXFORM || transforms[i].id == MM_TR_XOR;
        if (!param && val && *val)
            return mm_rp_fail(p, MM_SKIP_VALUE, "%s takes no value", kw);
        if (param) {
            if (has_targ(p->pending_tr, p->npending_tr))
                return mm_rp_fail(p, MM_SKIP_VALUE, "%s: one pcrexform or xor per buffer", kw);
            if (!(p->pending_targ = transform_arg(p, kw, transforms[i].id, val)))
                return false;
        }
        p->pending_tr[p->npending_tr++] = transforms[i].id;
        return true;
    }
    static const struct {
        const char *name;
        mm_kw_fn fn;
    } opts[] = {
        {"content", kw_content}, {"uricontent", kw_content}, {"nocase", kw_modifier},
        {"rawbytes", kw_modifier}, {"depth", kw_modifier}, {"offset", kw_modifier},
        {"distance", kw_modifier}, {"within", kw_modifier}, {"fast_pattern", kw_modifier},
        {"startswith", kw_modifier}, {"endswith", kw_modifier}, {"pcre", kw_pcre},
        {"byte_test", kw_byte_test}, {"byte_jump", kw_byte_jump},
        {"byte_extract", kw_byte_extract}, {"byte_math", kw_byte_math},
        {"isdataat", kw_isdataat}, {"bsize", kw_bsize},
        {"urilen", kw_urilen}, {"base64_decode", kw_base64_decode}, {"asn1", kw_asn1},
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(kw, opts[i].name) == 0)
            return opts[i].fn(p, kw, val);
    *known = false;
    return true;
}

bool mm_rp_check_buffers(mm_rparse *p)
{
    int fast = 0, dirs = 0;
    for (int i = 0; i < p->nsm; i++)
        if (p->sm[i].type == MM_SM_CONTENT && p->sm[i].u.c.flags & MM_CF_FAST)
            fast++;
    if (fast > 1)
        return mm_rp_fail(p, MM_SKIP_VALUE, "fast_pattern on %d contents", fast);
    for (int i = 0; i < p->nbuf; i++) {
        int d = mm_buf_dir(p->buf[i].id);
        if (d != 3)
            dirs |= d;
    }
    if (dirs == 3)
        return mm_rp_fail(p, MM_SKIP_VALUE, "buffers of both directions in one rule");
    uint16_t f = p->r->flow;
    if ((dirs == 1 && f & MM_FLOW_TO_CLIENT) || (dirs == 2 && f & MM_FLOW_TO_SERVER))
        return mm_rp_fail(p, MM_SKIP_VALUE, "flow direction contradicts the buffers");
    if (p->pending >= 0 && p->nsm == 0 && p->nbuf == 0)
        return mm_rp_fail(p, MM_SKIP_VALUE, "sticky buffer %s with nothing to match",
                          mm_buf_name(p->pending));
    return true;
}

static int buf_cost(int id)
{
    switch (id) {
    case MM_BUF_BASE64_DATA:
        return 4;
    case MM_BUF_PAYLOAD: case MM_BUF_FILE_DATA: case MM_BUF_HTTP_REQUEST_BODY:
    case MM_BUF_HTTP_RESPONSE_BODY: case MM_BUF_TLS_CERTS:
        return 3;
    case MM_BUF_HTTP_HEADER: case MM_BUF_HTTP_HEADER_RAW: case MM_BUF_HTTP_START:
    case MM_BUF_HTTP_HEADER_NAMES: case MM_BUF_HTTP_COOKIE:
        return 2;
    case MM_BUF_HTTP_URI: case MM_BUF_HTTP_URI_RAW: case MM_BUF_HTTP_REQUEST_LINE:
    case MM_BUF_HTTP_USER_AGENT: case MM_BUF_JA3_STRING:
        return 1;
    default:
        return 0;
    }
}

bool mm_rp_finish_buffers(mm_rparse *p)
{
    mm_rule *r = p->r;
    mm_arena *a = &p->rs->arena;
    if (!p->nbuf)
        return true;
    if (!(r->buf = mm_arena_alloc(a, (size_t)p->nbuf * sizeof *r->buf)))
        return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
    int nb = 0;
    for (int i = 0; i < p->nbuf; i++) {
        int n = 0;
        for (int k = 0; k < p->nsm; k++)
            n += p->smbuf[k] == i;
        if (!n)
            continue;           /* a buffer left empty by a moved content */
        mm_rbuf *b = &r->buf[nb++];
        *b = p->buf[i];
        if (!(b->sm = mm_arena_alloc(a, (size_t)n * sizeof *b->sm)))
            return mm_rp_fail(p, MM_SKIP_VALUE, "out of memory");
        for (int k = 0; k < p->nsm; k++)
            if (p->smbuf[k] == i)
                b->sm[b->nsm++] = p->sm[k];
        b->cap = b->nsm;
    }
    r->nbuf = (uint16_t)nb;
    /* cheap buffers are checked first (a method or a host is a few bytes,
     * a body many thousands): the order of buffers does not change what
     * matches, except base64_data, which reads what base64_decode put
     * aside and so stays last; nor when byte variables, read in one
     * buffer, may be used in a later one */
    for (int i = 1; i < nb && !p->nvars; i++)
        for (int j = i; j > 0 && buf_cost(r->buf[j].id) < buf_cost(r->buf[j - 1].id); j--) {
            mm_rbuf x = r->buf[j];
            r->buf[j] = r->buf[j - 1];
            r->buf[j - 1] = x;
        }
    return true;
}
