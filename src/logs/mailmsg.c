/*
 * mailmsg.c - mail messages as evidence (see mailmsg.h): .eml files, mbox
 * files and Maildir folders read with GMime 3, one "mail" event per message.
 *
 * How it works: the input is opened as a GMime stream (a file stream, or a
 * memory stream for mm_mailmsg_read_mem); a GMime parser, in mbox mode for
 * mbox files, builds one GMimeMessage at a time. From each message we keep:
 *
 *  - addresses: From (header_from), To, Cc, Delivered-To and X-Original-To
 *    (delivered_to), the envelope sender (Return-Path, else the sender of
 *    an mbox "From " line; email.from is it, else the From address);
 *  - subject (GMime decodes RFC 2047 words and converts the charset;
 *    Shift_JIS and EUC-JP labels are read as CP932 and EUC-JP-MS, see
 *    relabel();
 *    undeclared 8-bit bytes are tried as UTF-8, EUC-JP, Shift_JIS (CP932)
 *    and then ISO-8859-1; raw ISO-2022-JP escapes are converted here),
 *    Date, Message-ID;
 *  - the first outside hop of the Received chain: walking the Received
 *    headers from the top (the newest), the first whose "from" clause names
 *    an address that is not private, loopback, link-local, shared (CGNAT),
 *    unspecified or unique-local. The address is the one in square brackets
 *    of the clause ("from helo (rdns [192.0.2.1])", Exim's "([192.0.2.1]
 *    helo=x)"), else the HELO word itself when it is an address, else an
 *    address in parentheses. Headers without a from clause or an address
 *    (local pickup) are passed over. The hop number counts every Received
 *    header from the top, 1 first;
 *  - every MIME part that is an attachment or has a file name (RFC 2231
 *    and RFC 2047 names decoded by GMime): name, content type, and the size
 *    and SHA-256 of its content decoded from its transfer encoding (read in
 *    chunks through GMime's decoder and hashed as it comes: nothing held);
 *  - the http and https URLs of text/plain and text/html parts, decoded
 *    from transfer encoding and charset: runs of URL characters after
 *    "http://" or "https://" (in HTML this covers href= and src= values;
 *    "&amp;" is read as "&"); distinct, at most MM_MAIL_MAX_URLS, each cut
 *    to MM_MAIL_URL_MAX bytes.
 *
 * GMime is initialised once (pthread_once) with parser options of our own
 * (loose RFC 2047 / parameter / address modes: real Japanese mail needs
 * them) and its warnings are silenced (hostile input would flood stderr).
 */
#include "logs/mailmsg.h"
#include "logs/logs.h"
#include "util/json.h"

#include <gmime/gmime.h>
#include <nettle/sha2.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- once-only GMime set-up ---- */

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static GMimeParserOptions *g_popts;

static void quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer u)
{
    (void)domain;
    (void)level;
    (void)msg;
    (void)u;
}

static void init_once(void)
{
    g_mime_init();
    g_popts = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(g_popts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(g_popts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(g_popts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_allow_addresses_without_domain(g_popts, TRUE);
    static const char *fallback[] = {"UTF-8", "EUC-JP", "CP932", "ISO-8859-1", NULL};
    g_mime_parser_options_set_fallback_charsets(g_popts, fallback);
    g_log_set_handler("gmime", (GLogLevelFlags)(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
                                                G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG),
                      quiet_log, NULL);
}

static void mail_init(void)
{
    pthread_once(&g_once, init_once);
}

/* ---- small helpers ---- */

static void set_err(char *err, size_t errlen, const char *path, const char *why)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", path, why);
}

/* The length of s cut to at most max bytes, on a UTF-8 character start. */
static size_t cut_utf8(const char *s, size_t n, size_t max, bool *cut)
{
    if (n <= max)
        return n;
    *cut = true;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* ISO-2022-JP written raw (escape sequences, no RFC 2047 word): converted
 * to UTF-8 when it converts, else NULL. The caller frees with g_free. */
static char *from_jis(const char *s)
{
    if (!strstr(s, "\x1b$B") && !strstr(s, "\x1b$@") && !strstr(s, "\x1b(J"))
        return NULL;
    size_t n = strlen(s);
    if (n > MM_MAIL_VALUE_MAX * 4)
        n = MM_MAIL_VALUE_MAX * 4;
    return g_convert(s, (gssize)n, "UTF-8", "ISO-2022-JP", NULL, NULL, NULL);
}

/* Japanese mail labels Microsoft's code pages with the standard names:
 * "Shift_JIS" text holds CP932's NEC and IBM rows (circled digits, roman
 * numerals) that iconv's SHIFT_JIS refuses, "EUC-JP" the same rows. As the
 * WHATWG Encoding Standard (browsers, Thunderbird) reads those labels, the
 * supersets are used: the label of each RFC 2047 word ("=?Shift_JIS?") and
 * RFC 2231 value ("*=Shift_JIS'") is replaced, and GMime decodes the copy.
 * NULL when nothing was relabelled; else g_free it. */
static const struct {
    const char *label, *as;
} g_relabel[] = {
    {"shift_jis", "CP932"}, {"shift-jis", "CP932"}, {"x-sjis", "CP932"},
    {"sjis", "CP932"},      {"euc-jp", "EUC-JP-MS"}, {"x-euc-jp", "EUC-JP-MS"},
};

static const char *relabel_to(const char *p, size_t n)
{
    for (size_t i = 0; i < sizeof g_relabel / sizeof g_relabel[0]; i++)
        if (strlen(g_relabel[i].label) == n && strncasecmp(p, g_relabel[i].label, n) == 0)
            return g_relabel[i].as;
    return NULL;
}

static char *relabel(const char *v)
{
    if (!v)
        return NULL;
    size_t n = strlen(v);
    if (n > (1u << 20))
        return NULL;
    GString *out = NULL;
    size_t done = 0;
    for (size_t i = 0; i + 2 < n; i++) {
        size_t ls;                           /* where a label starts */
        char end;                            /* what ends it */
        if (v[i] == '=' && v[i + 1] == '?') {
            ls = i + 2;
            end = '?';
        } else if (v[i] == '*' && v[i + 1] == '=') {
            ls = i + 2 + (v[i + 2] == '"');
            end = '\'';
        } else {
            continue;
        }
        size_t le = ls;
        while (le < n && le - ls < 16 && v[le] != end && v[le] != '*')
            le++;
        const char *as = le < n && (v[le] == end || (end == '?' && v[le] == '*'))
                             ? relabel_to(v + ls, le - ls)
                             : NULL;
        if (!as)
            continue;
        if (!out)
            out = g_string_sized_new(n + 16);
        g_string_append_len(out, v + done, (gssize)(ls - done));
        g_string_append(out, as);
        done = le;
        i = le;
    }
    if (!out)
        return NULL;
    g_string_append_len(out, v + done, (gssize)(n - done));
    return g_string_free(out, FALSE);
}

/* A header of obj decoded after relabelling, or NULL when the labels are
 * as GMime reads them (then its own decoding stands). */
static char *relabelled_text(GMimeObject *obj, const char *name)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
    GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, name) : NULL;
    const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
    char *rl = relabel(raw);
    if (!rl)
        return NULL;
    char *unf = g_mime_utils_header_unfold(rl);
    g_free(rl);
    char *dec = unf ? g_mime_utils_header_decode_text(g_popts, unf) : NULL;
    g_free(unf);
    return dec;
}

/* A part's file name from its relabelled Content-Disposition or
 * Content-Type, or NULL (as relabelled_text). */
static char *relabelled_name(GMimeObject *obj)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
    static const char *const hdr[] = {"Content-Disposition", "Content-Type"};
    for (int k = 0; k < 2 && hl; k++) {
        GMimeHeader *h = g_mime_header_list_get_header(hl, hdr[k]);
        char *rl = relabel(h ? g_mime_header_get_raw_value(h) : NULL);
        if (!rl)
            continue;
        char *unf = g_mime_utils_header_unfold(rl);
        g_free(rl);
        char *name = NULL;
        if (unf && k == 0) {
            GMimeContentDisposition *d = g_mime_content_disposition_parse(g_popts, unf);
            const char *f = d ? g_mime_content_disposition_get_parameter(d, "filename") : NULL;
            name = f ? g_strdup(f) : NULL;
            if (d)
                g_object_unref(d);
        } else if (unf) {
            GMimeContentType *ct = g_mime_content_type_parse(g_popts, unf);
            const char *f = ct ? g_mime_content_type_get_parameter(ct, "name") : NULL;
            name = f ? g_strdup(f) : NULL;
            if (ct)
                g_object_unref(ct);
        }
        g_free(unf);
        if (name)
            return name;
    }
    return NULL;
}

/* A header or decoded value, cut to MM_MAIL_VALUE_MAX. */
static void put_value(mm_json *j, const char *key, const char *v, bool *cut)
{
    if (!v)
        return;
    while (*v == ' ' || *v == '\t')
        v++;
    if (!*v)
        return;
    char *conv = from_jis(v);
    const char *s = conv ? conv : v;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    n = cut_utf8(s, n, MM_MAIL_VALUE_MAX, cut);
    if (n)
        mj_strn(j, key, s, n);
    g_free(conv);
}

/* "<a@b>" or "a@b" (comments and spaces around): the address, or empty. */
static size_t angle_addr(const char *v, const char **out)
{
    if (!v)
        return 0;
    const char *lt = strchr(v, '<');
    if (lt) {
        const char *gt = strchr(lt + 1, '>');
        if (!gt)
            return 0;
        *out = lt + 1;
        return (size_t)(gt - lt - 1);
    }
    while (*v == ' ' || *v == '\t')
        v++;
    const char *e = v;
    while (*e && *e != ' ' && *e != '\t' && *e != '(' && *e != '\r' && *e != '\n')
        e++;
    *out = v;
    return (size_t)(e - v);
}

static void fmt_utc(int64_t secs, char out[40])
{
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t sod = secs - days * 86400;
    int y, m, d;
    mm_civil_from_days(days, &y, &m, &d);
    snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.000000+0000", y, m, d, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60));
}

/* ---- addresses ---- */

typedef struct addr_out {
    mm_json *j;
    const char *key;
    size_t n;
    bool open, *cut;
} addr_out;

static void addr_add(addr_out *a, const char *addr)
{
    if (!addr || !*addr)
        return;
    if (a->n >= MM_MAIL_MAX_ADDRS) {
        *a->cut = true;
        return;
    }
    if (!a->open) {
        mj_arr_open(a->j, a->key);
        a->open = true;
    }
    size_t n = cut_utf8(addr, strlen(addr), MM_MAIL_VALUE_MAX, a->cut);
    mj_strn(a->j, NULL, addr, n);
    a->n++;
}

static void addr_list(addr_out *a, InternetAddressList *l, int depth)
{
    if (!l || depth > 2)
        return;
    int n = internet_address_list_length(l);
    for (int i = 0; i < n && a->n <= MM_MAIL_MAX_ADDRS; i++) {
        InternetAddress *ia = internet_address_list_get_address(l, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(ia))
            addr_add(a, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
        else if (INTERNET_ADDRESS_IS_GROUP(ia))
            addr_list(a, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
                      depth + 1);
    }
}

static void addr_close(addr_out *a)
{
    if (a->open)
        mj_arr_close(a->j);
    a->open = false;
}

static const char *first_mailbox(InternetAddressList *l)
{
    int n = l ? internet_address_list_length(l) : 0;
    for (int i = 0; i < n; i++) {
        InternetAddress *ia = internet_address_list_get_address(l, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(ia))
            return internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
    }
    return NULL;
}

/* ---- the Received chain ---- */

typedef struct hop {
    mm_ip ip;
    char helo[256], rdns[256];
    int index;
} hop;

static bool ip_inside(const mm_ip *ip)
{
    const uint8_t *b = ip->b;
    if (ip->v == 4)
        return b[0] == 0 || b[0] == 10 || b[0] == 127 || (b[0] == 169 && b[1] == 254) ||
               (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) ||
               (b[0] == 100 && (b[1] & 0xC0) == 64) || b[0] >= 224;
    static const uint8_t zero[16];
    if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
        return true;                              /* :: and ::1 */
    return (b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) || b[0] == 0xFF;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* An address written p[0..n), with or without brackets or "IPv6:". */
static bool addr_text(const char *p, size_t n, mm_ip *ip)
{
    if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
        p++;
        n -= 2;
    }
    if (n > 5 && strncasecmp(p, "IPv6:", 5) == 0) {
        p += 5;
        n -= 5;
    }
    return n > 0 && lr_ip(p, n, ip);
}

static void copy_word(char *dst, size_t cap, const char *p, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, p, n);
    dst[n] = 0;
}

/* The "from" clause of one Received value: true with h filled when it
 * names an address. */
static bool received_from(const char *v, hop *h)
{
    const char *p = v;
    while (is_ws(*p))
        p++;
    if (strncasecmp(p, "from", 4) != 0 || !is_ws(p[4]))
        return false;
    p += 4;
    while (is_ws(*p))
        p++;
    /* the clause ends at " by ", ";" or the end, outside parentheses */
    const char *e = p;
    int depth = 0;
    for (; *e; e++) {
        if (*e == '(')
            depth++;
        else if (*e == ')' && depth > 0)
            depth--;
        else if (depth == 0 && (*e == ';' || (is_ws(*e) && strncasecmp(e + 1, "by", 2) == 0 &&
                                               is_ws(e[3]))))
            break;
    }
    /* the HELO word */
    const char *w = p;
    while (w < e && !is_ws(*w) && *w != '(')
        w++;
    memset(h, 0, sizeof *h);
    copy_word(h->helo, sizeof h->helo, p, (size_t)(w - p));
    /* an address in square brackets */
    for (const char *q = p; q < e; q++) {
        if (*q != '[')
            continue;
        const char *rb = memchr(q, ']', (size_t)(e - q));
        if (!rb)
            break;
        if (addr_text(q + 1, (size_t)(rb - q - 1), &h->ip)) {
            /* the reverse name: the word before it inside parentheses */
            const char *k = q;
            while (k > p && is_ws(k[-1]))
                k--;
            const char *ks = k;
            while (ks > p && !is_ws(ks[-1]) && ks[-1] != '(')
                ks--;
            if (ks < k && ks > p && ks[-1] == '(' && !(k - ks == 7 && strncasecmp(ks, "unknown", 7) == 0))
                copy_word(h->rdns, sizeof h->rdns, ks, (size_t)(k - ks));
            return true;
        }
        q = rb;
    }
    /* the HELO word as an address */
    if (addr_text(p, (size_t)(w - p), &h->ip))
        return true;
    /* an address alone in parentheses: "(192.0.2.1)" */
    for (const char *q = p; q < e; q++) {
        if (*q != '(')
            continue;
        const char *s = q + 1, *t = s;
        while (t < e && !is_ws(*t) && *t != ')')
            t++;
        if (addr_text(s, (size_t)(t - s), &h->ip))
            return true;
    }
    return false;
}

/* ---- URLs ---- */

typedef struct url_set {
    char *buf;
    size_t len, cap;
    uint32_t off[MM_MAIL_MAX_URLS], n_len[MM_MAIL_MAX_URLS];
    size_t n;
    uint32_t tried;              /* places looked at, this message */
    bool full;
} url_set;

static bool url_char(unsigned char c)
{
    return c > 0x20 && c < 0x7F && c != '<' && c != '>' && c != '"' && c != '\'' && c != '`';
}

static void url_add(url_set *u, const char *p, size_t n, bool html, bool *cut)
{
    char tmp[MM_MAIL_URL_MAX];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof tmp; i++) {
        if (html && p[i] == '&' && n - i >= 5 && memcmp(p + i, "&amp;", 5) == 0) {
            tmp[k++] = '&';
            i += 4;
            continue;
        }
        tmp[k++] = p[i];
    }
    if (k == sizeof tmp)
        *cut = true;
    for (size_t i = 0; i < u->n; i++)
        if (u->n_len[i] == k && memcmp(u->buf + u->off[i], tmp, k) == 0)
            return;
    if (u->n >= MM_MAIL_MAX_URLS) {
        u->full = true;
        *cut = true;
        return;
    }
    if (u->len + k > u->cap) {
        size_t nc = u->cap ? u->cap * 2 : 4096;
        while (nc < u->len + k)
            nc *= 2;
        char *b = realloc(u->buf, nc);
        if (!b)
            return;
        u->buf = b;
        u->cap = nc;
    }
    memcpy(u->buf + u->len, tmp, k);
    u->off[u->n] = (uint32_t)u->len;
    u->n_len[u->n] = (uint32_t)k;
    u->n++;
    u->len += k;
}

static void url_scan(url_set *u, const char *t, size_t n, bool html, bool *cut)
{
    /* the next 'h' and 'H' at or after i, found again only when passed:
     * the scan stays linear whatever the text */
    const char *nh = NULL, *nH = NULL;
    size_t i = 0;
    while (i + 7 < n && !u->full) {
        if (!nh || nh < t + i)
            nh = memchr(t + i, 'h', n - i);
        if (!nH || nH < t + i)
            nH = memchr(t + i, 'H', n - i);
        if (!nh)
            nh = t + n;             /* none left: past the end, not looked for again */
        if (!nH)
            nH = t + n;
        const char *h = nh < nH ? nh : nH;
        if (h >= t + n)
            break;
        i = (size_t)(h - t);
        size_t sl = 0;
        if (n - i >= 7 && strncasecmp(h, "http://", 7) == 0)
            sl = 7;
        else if (n - i >= 8 && strncasecmp(h, "https://", 8) == 0)
            sl = 8;
        if (!sl || (i > 0 && (g_ascii_isalnum(t[i - 1]) || t[i - 1] == '_'))) {
            i++;
            continue;
        }
        if (++u->tried > MM_MAIL_URL_TRIES) {
            *cut = true;             /* bounds the comparisons with the URLs kept */
            break;
        }
        size_t e = i + sl;
        while (e < n && url_char((unsigned char)t[e]))
            e++;
        size_t end = e;
        while (end > i + sl && strchr(".,;:!?)]}", t[end - 1]))
            end--;
        if (end > i + sl)
            url_add(u, t + i, end - i, html, cut);
        i = e;
    }
}

/* ---- one message ---- */

typedef struct reader {
    const mm_mailmsg_opts *o;
    mm_mail_on_event on_event;
    void *user;
    mm_mailmsg_stats *st;
    mm_json j;
    url_set urls;
    const char *name;            /* log.file */
    const char *format;          /* log.format */
    int64_t mtime;
    size_t max_message;
    /* the bytes, for the scan before each message: a buffer, or a file */
    const unsigned char *mem;
    int fd;
    int64_t limit;               /* bytes that may be read */
    unsigned char *scan;         /* SCAN_CHUNK bytes */
} reader;

/* Size and SHA-256 of a part's content decoded from its transfer
 * encoding: the raw content is read in chunks through GMime's decoder for
 * the encoding (GMimeFilterBasic) and hashed by nettle as it comes (GLib's
 * GChecksum took two fifths of the time). */
static bool part_digest(GMimePart *part, uint64_t *size, char hex[65])
{
    struct sha256_ctx c;
    sha256_init(&c);
    uint64_t total = 0;
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    GMimeStream *src = w ? g_mime_data_wrapper_get_stream(w) : NULL;
    if (src) {
        GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(w);
        GMimeFilter *f = NULL;
        if (enc == GMIME_CONTENT_ENCODING_BASE64 ||
            enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
            enc == GMIME_CONTENT_ENCODING_UUENCODE)
            f = g_mime_filter_basic_new(enc, FALSE);
        if (g_mime_stream_reset(src) != 0) {
            if (f)
                g_object_unref(f);
            return false;
        }
        static _Thread_local char buf[65536];
        bool ok = true;
        for (;;) {
            /* a bounded stream answers -1 past its end: that is the end */
            ssize_t k = g_mime_stream_eos(src) ? 0 : g_mime_stream_read(src, buf, sizeof buf);
            if (k < 0 && g_mime_stream_eos(src))
                k = 0;
            if (k < 0) {
                ok = false;
                break;
            }
            char *out = buf;
            size_t outlen = (size_t)k, pre = 0;
            if (f && k > 0)
                g_mime_filter_filter(f, buf, (size_t)k, 0, &out, &outlen, &pre);
            else if (f)
                g_mime_filter_complete(f, buf, 0, 0, &out, &outlen, &pre);
            if (outlen && out) {
                sha256_update(&c, outlen, (const uint8_t *)out);
                total += outlen;
            }
            if (k == 0)
                break;
        }
        g_mime_stream_reset(src);
        if (f)
            g_object_unref(f);
        if (!ok)
            return false;
    }
    uint8_t dg[SHA256_DIGEST_SIZE];
    sha256_digest(&c, sizeof dg, dg);
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        hex[2 * i] = hx[dg[i] >> 4];
        hex[2 * i + 1] = hx[dg[i] & 15];
    }
    hex[64] = 0;
    *size = total;
    return true;
}

typedef struct parts_out {
    reader *r;
    size_t n_parts, n_attach;
    bool open, cut;
} parts_out;

static void one_part(parts_out *po, GMimeObject *obj)
{
    if (!GMIME_IS_PART(obj))
        return;
    GMimePart *part = GMIME_PART(obj);
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    const char *fname = g_mime_part_get_filename(part);
    bool attach = fname || g_mime_part_is_attachment(part);
    if (attach) {
        if (po->n_attach >= MM_MAIL_MAX_ATTACH) {
            po->cut = true;
        } else {
            mm_json *j = &po->r->j;
            if (!po->open) {
                mj_arr_open(j, "attachment");
                po->open = true;
            }
            mj_obj_open(j, NULL);
            char *rn = fname ? relabelled_name(obj) : NULL;
            put_value(j, "filename", rn ? rn : fname, &po->cut);
            g_free(rn);
            if (ct) {
                char *mt = g_mime_content_type_get_mime_type(ct);
                put_value(j, "content_type", mt, &po->cut);
                g_free(mt);
            }
            uint64_t size;
            char hex[65];
            if (part_digest(part, &size, hex)) {
                mj_u64(j, "size", size);
                mj_str(j, "sha256", hex);
            }
            mj_obj_close(j);
            po->n_attach++;
        }
    }
    /* URLs of text bodies (and of text files attached) */
    if (GMIME_IS_TEXT_PART(obj) && ct && !po->r->urls.full) {
        bool plain = g_mime_content_type_is_type(ct, "text", "plain"),
             html = g_mime_content_type_is_type(ct, "text", "html");
        /* GMime decodes the whole part into memory: a part whose encoded
         * content is over twice the scanned size is passed over */
        GMimeDataWrapper *w = g_mime_part_get_content(part);
        GMimeStream *raw = w ? g_mime_data_wrapper_get_stream(w) : NULL;
        gint64 rawlen = raw ? g_mime_stream_length(raw) : -1;
        if ((plain || html) && rawlen > (gint64)MM_MAIL_TEXT_MAX * 2) {
            po->cut = true;
        } else if (plain || html) {
            const char *cs = g_mime_text_part_get_charset(GMIME_TEXT_PART(obj));
            const char *as = cs ? relabel_to(cs, strlen(cs)) : NULL;
            if (as)
                g_mime_text_part_set_charset(GMIME_TEXT_PART(obj), as);
            char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(obj));
            if (text) {
                size_t n = strlen(text);
                if (n > MM_MAIL_TEXT_MAX) {
                    n = MM_MAIL_TEXT_MAX;
                    po->cut = true;
                }
                url_scan(&po->r->urls, text, n, html, &po->cut);
                g_free(text);
            }
        }
    }
}

/* "1 Jan 2024 12:00 JST": a zone GMime does not know (it reads it as
 * +0000), common in Japanese mail; true when the Date has it and no
 * numeric offset. */
static bool jst_only(const char *v)
{
    if (!v)
        return false;
    size_t n = strlen(v);
    if (n > 200)
        return false;
    for (size_t i = 0; i + 4 < n; i++)
        if ((v[i] == '+' || v[i] == '-') && g_ascii_isdigit(v[i + 1]) &&
            g_ascii_isdigit(v[i + 2]) && g_ascii_isdigit(v[i + 3]) && g_ascii_isdigit(v[i + 4]))
            return false;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
        n--;
    return n >= 4 && strncasecmp(v + n - 3, "JST", 3) == 0 && (v[n - 4] == ' ' || v[n - 4] == '\t');
}

/* Writes the event of one message; returns on_event's answer. */
static int message_event(reader *r, GMimeMessage *msg, const char *mbox_marker, int64_t offset,
                         uint64_t size, bool heavy)
{
    GMimeObject *top = GMIME_OBJECT(msg);
    mm_json *j = &r->j;
    bool cut = heavy;

    /* the Received chain, the delivery headers */
    hop h;
    bool have_hop = false;
    int hop_no = 0;
    GMimeHeaderList *hl = g_mime_object_get_header_list(top);
    int nh = hl ? g_mime_header_list_get_count(hl) : 0;
    for (int i = 0; i < nh && !have_hop; i++) {
        GMimeHeader *hd = g_mime_header_list_get_header_at(hl, i);
        const char *name = hd ? g_mime_header_get_name(hd) : NULL;
        if (!name || strcasecmp(name, "Received") != 0)
            continue;
        if (++hop_no > MM_MAIL_MAX_RECEIVED)
            break;
        const char *v = g_mime_header_get_raw_value(hd);
        if (v && received_from(v, &h) && !ip_inside(&h.ip)) {
            h.index = hop_no;
            have_hop = true;
        }
    }

    /* the time */
    GDateTime *dt = g_mime_message_get_date(msg);
    int64_t secs = dt ? g_date_time_to_unix(dt) : -1;
    if (secs >= 0 && jst_only(g_mime_object_get_header(top, "Date")))
        secs -= 9 * 3600;
    bool dated = secs >= 0 && secs <= 253402300799LL;
    if (!dated) {
        secs = r->mtime < 0 ? 0 : r->mtime > 253402300799LL ? 253402300799LL : r->mtime;
        r->st->no_date++;
    }
    char ts[40];
    fmt_utc(secs, ts);

    mj_reset(j);
    mj_obj_open(j, NULL);
    mj_str(j, "timestamp", ts);
    mj_str(j, "event_type", "mail");
    /* no src_ip: the sending server is not a host of the company, and the
     * log record's src_ip is where the hunting index looks for one */
    mj_obj_open(j, "email");

    /* envelope sender: Return-Path, else the mbox "From " line */
    const char *hfrom = first_mailbox(g_mime_message_get_from(msg));
    const char *ep = NULL;
    size_t en = angle_addr(g_mime_object_get_header(top, "Return-Path"), &ep);
    if (!en && mbox_marker && strncmp(mbox_marker, "From ", 5) == 0) {
        en = angle_addr(mbox_marker + 5, &ep);
        if (en == 13 && memcmp(ep, "MAILER-DAEMON", 13) == 0)
            en = 0;
    }
    if (en) {
        size_t k = cut_utf8(ep, en, MM_MAIL_VALUE_MAX, &cut);
        mj_strn(j, "from", ep, k);
    } else {
        put_value(j, "from", hfrom, &cut);
    }
    put_value(j, "header_from", hfrom, &cut);

    addr_out a = {j, "to", 0, false, &cut};
    addr_list(&a, g_mime_message_get_to(msg), 0);
    addr_close(&a);
    a = (addr_out){j, "cc", 0, false, &cut};
    addr_list(&a, g_mime_message_get_cc(msg), 0);
    addr_close(&a);
    a = (addr_out){j, "delivered_to", 0, false, &cut};
    for (int i = 0; i < nh && i < 4096; i++) {
        GMimeHeader *hd = g_mime_header_list_get_header_at(hl, i);
        const char *name = hd ? g_mime_header_get_name(hd) : NULL;
        if (!name || (strcasecmp(name, "Delivered-To") != 0 && strcasecmp(name, "X-Original-To") != 0))
            continue;
        const char *dp = NULL;
        size_t dn = angle_addr(g_mime_header_get_value(hd), &dp);
        if (!dn)
            continue;
        char b[MM_MAIL_VALUE_MAX + 1];
        copy_word(b, sizeof b, dp, dn);
        addr_add(&a, b);
    }
    addr_close(&a);

    char *subj = relabelled_text(top, "Subject");
    put_value(j, "subject", subj ? subj : g_mime_message_get_subject(msg), &cut);
    g_free(subj);
    put_value(j, "message_id", g_mime_message_get_message_id(msg), &cut);
    put_value(j, "date", g_mime_object_get_header(top, "Date"), &cut);
    if (have_hop) {
        mj_obj_open(j, "received_from");
        char ipb[MM_IPSTR_LEN];
        size_t n = lr_ip_text(&h.ip, ipb);
        mj_strn(j, "ip", ipb, n);
        put_value(j, "helo", h.helo, &cut);
        put_value(j, "rdns", h.rdns, &cut);
        mj_u64(j, "hop", (uint64_t)h.index);
        mj_obj_close(j);
    }

    /* the parts: attachments written as met, URLs gathered */
    r->urls.len = 0;
    r->urls.n = 0;
    r->urls.full = false;
    r->urls.tried = 0;
    parts_out po = {r, 0, 0, false, false};
    GMimePartIter *it = g_mime_part_iter_new(top);
    if (it) {
        if (g_mime_part_iter_is_valid(it)) {
            do {
                if (++po.n_parts > MM_MAIL_MAX_PARTS) {
                    po.cut = true;
                    break;
                }
                GMimeObject *cur = g_mime_part_iter_get_current(it);
                if (cur)
                    one_part(&po, cur);
            } while (g_mime_part_iter_next(it));
        }
        g_mime_part_iter_free(it);
    }
    if (po.open)
        mj_arr_close(j);
    if (po.cut)
        cut = true;
    if (r->urls.n) {
        mj_arr_open(j, "url");
        for (size_t i = 0; i < r->urls.n; i++)
            mj_strn(j, NULL, r->urls.buf + r->urls.off[i], r->urls.n_len[i]);
        mj_arr_close(j);
    }
    mj_u64(j, "size", size);
    if (!dated)
        mj_str(j, "timestamp_source", "file_mtime");
    if (cut)
        mj_bool(j, "cut", true);
    mj_obj_close(j);

    if (r->o->site) {
        mj_obj_open(j, "mimamori");
        mj_str(j, "site", r->o->site);
        mj_obj_close(j);
    }
    mj_obj_open(j, "log");
    mj_str(j, "format", r->format);
    if (r->name)
        mj_str(j, "file", r->name);
    mj_u64(j, "offset", (uint64_t)(offset > 0 ? offset : 0));
    mj_obj_close(j);
    mj_obj_close(j);
    if (cut)
        r->st->cut++;
    if (j->oom)
        return 0;
    r->st->messages++;
    return r->on_event(r->user, j->s, j->len);
}

/* ---- the scan before GMime ----
 *
 * GMime keeps every header line (about 500 bytes each) and every MIME part
 * (about 1.4 KB) in memory: 6 MB of empty parts made 1.4 GB. Before each
 * message its bytes are scanned once (a memchr a line): where it ends (the
 * next "From " line of an mbox), how many lines its header blocks have
 * (the top one, and after each line beginning "--", a boundary or not, up
 * to the next blank line), their bytes, and the lines beginning "--". Over
 * a bound the message is read for its top header block only (itself cut
 * at the bound): an event with what the headers say, marked cut. An mbox
 * message over the size limit is passed over without being parsed. */

#define SCAN_CHUNK 65536
#define HEAD_LINES_MAX 10000      /* header-block lines of a message */
#define HEAD_BYTES_MAX (512u << 10)
#define DASH_LINES_MAX 10000      /* lines beginning "--" */

typedef struct region {
    int64_t end;                  /* where the message ends */
    int64_t head_cut;             /* where a headers-only read stops */
    bool heavy;                   /* over a bound */
} region;

static ssize_t src_read(reader *r, int64_t off, unsigned char *buf, size_t n)
{
    if (off >= r->limit)
        return 0;
    if ((uint64_t)(r->limit - off) < n)
        n = (size_t)(r->limit - off);
    if (r->mem) {
        memcpy(buf, r->mem + off, n);
        return (ssize_t)n;
    }
    ssize_t k;
    do
        k = pread(r->fd, buf, n, (off_t)off);
    while (k < 0 && errno == EINTR);
    return k;
}

/* The top header block is cut at the first of: its blank line (kept),
 * HEAD_BYTES_MAX bytes from the start (mid-line: GMime reads the last
 * header as far as it goes), the start of line HEAD_LINES_MAX + 1. */
static void scan_region(reader *r, int64_t start, bool mbox, region *rg)
{
    unsigned char *buf = r->scan;
    rg->end = r->limit;
    rg->head_cut = -1;
    rg->heavy = false;
    int64_t pos = start;          /* the chunk's offset */
    int64_t byte_cut = start + (int64_t)HEAD_BYTES_MAX + (mbox ? 1024 : 0);
    bool marker = mbox, in_head = true, top = true, skip_nl = false;
    uint32_t lines = 0, dashes = 0;
    uint64_t bytes = 0;
    while (pos < r->limit) {
        ssize_t k = src_read(r, pos, buf, SCAN_CHUNK);
        if (k <= 0)
            break;
        size_t n = (size_t)k, i = 0;
        bool eof = pos + k >= r->limit;
        if (skip_nl) {            /* the rest of a line longer than a chunk */
            const unsigned char *nl = memchr(buf, '\n', n);
            size_t len = nl ? (size_t)(nl - buf) : n;
            if (in_head) {
                bytes += len;
                if (top && rg->head_cut < 0 && pos + (int64_t)len > byte_cut)
                    rg->head_cut = byte_cut;
            }
            if (!nl) {
                pos += k;
                goto check;
            }
            skip_nl = false;
            i = len + 1;
        }
        while (i < n) {
            const unsigned char *nl = memchr(buf + i, '\n', n - i);
            if (!nl && !eof && i > 0)
                break;            /* read again from this line's start */
            size_t e = nl ? (size_t)(nl - buf) : n;
            size_t len = e - i;
            if (len && buf[e - 1] == '\r')
                len--;
            const unsigned char *l = buf + i;
            int64_t at = pos + (int64_t)i;
            if (marker) {
                marker = false;
            } else if (mbox && len >= 5 && memcmp(l, "From ", 5) == 0) {
                rg->end = at;
                if (rg->head_cut < 0 || rg->head_cut > at)
                    rg->head_cut = at;
                return;
            } else if (len == 0) {
                if (top && in_head && rg->head_cut < 0)
                    rg->head_cut = pos + (int64_t)(nl ? e + 1 : e);
                in_head = top = false;
            } else if (len >= 2 && l[0] == '-' && l[1] == '-') {
                dashes++;
                in_head = !top;
            } else if (in_head) {
                lines++;
                bytes += len;
                if (top && rg->head_cut < 0) {
                    if (lines > HEAD_LINES_MAX)
                        rg->head_cut = at;
                    else if (at + (int64_t)len > byte_cut)
                        rg->head_cut = byte_cut;
                }
            }
            if (!nl) {
                skip_nl = !eof;   /* a line longer than the chunk */
                i = n;
                break;
            }
            i = e + 1;
        }
        pos += (int64_t)i;
    check:
        if (lines > HEAD_LINES_MAX || bytes > HEAD_BYTES_MAX || dashes > DASH_LINES_MAX) {
            rg->heavy = true;
            if (!mbox && rg->head_cut >= 0)
                return;           /* nothing more to learn */
        }
    }
    if (rg->head_cut < 0 || rg->head_cut > rg->end)
        rg->head_cut = rg->end;
}

/* Reads the messages of a stream (taken over: unreferenced here).
 * Returns 0, 1 (nothing there) or -1 (on_event stopped). */
static int read_stream(reader *r, GMimeStream *s, bool mbox, int64_t skip, char *err,
                       size_t errlen)
{
    GMimeParser *p = g_mime_parser_new_with_stream(s);
    if (!p) {
        g_object_unref(s);
        set_err(err, errlen, r->name ? r->name : "-", "out of memory");
        return 1;
    }
    g_mime_parser_set_format(p, mbox ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
    int rc = 0;
    uint64_t before = r->st->messages;
    int64_t at = skip;            /* where the next message starts */
    while (at < r->limit) {
        region rg;
        scan_region(r, at, mbox, &rg);
        uint64_t size = rg.end > at ? (uint64_t)(rg.end - at) : 0;
        GMimeMessage *msg = NULL;
        char *marker = NULL;
        int64_t start = at, next = rg.end;
        if (size > r->max_message || rg.heavy) {
            if (size > r->max_message) {
                r->st->too_large++;
            } else {
                /* the top header block only, from a parser of its own */
                r->st->heavy++;
                GMimeStream *sub = g_mime_stream_substream(s, at, rg.head_cut);
                GMimeParser *hp = sub ? g_mime_parser_new_with_stream(sub) : NULL;
                if (hp) {
                    g_mime_parser_set_format(hp, mbox ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
                    msg = g_mime_parser_construct_message(hp, g_popts);
                    if (msg && mbox)
                        marker = g_mime_parser_get_mbox_marker(hp);
                    g_object_unref(hp);
                }
                if (sub)
                    g_object_unref(sub);
                if (!msg)
                    r->st->bad++;
            }
            /* the main parser goes on after this message */
            if (g_mime_stream_seek(s, next, GMIME_STREAM_SEEK_SET) != next) {
                if (msg)
                    g_object_unref(msg);
                g_free(marker);
                break;
            }
            g_mime_parser_init_with_stream(p, s);
            g_mime_parser_set_format(p, mbox ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
        } else {
            msg = g_mime_parser_construct_message(p, g_popts);
            if (!msg) {
                r->st->bad++;
                break;
            }
            if (mbox) {
                start = g_mime_parser_get_mbox_marker_offset(p);
                marker = g_mime_parser_get_mbox_marker(p);
                next = g_mime_parser_tell(p);
                if (next <= at)
                    next = r->limit;          /* no progress: the end */
                size = next > start ? (uint64_t)(next - start) : 0;
            } else {
                next = r->limit;
            }
        }
        if (msg) {
            int cb = message_event(r, msg, marker, start, size, rg.heavy);
            g_object_unref(msg);
            if (cb != 0)
                rc = -1;
        }
        g_free(marker);
        if (rc || !mbox || (mbox && !rg.heavy && size <= r->max_message && g_mime_parser_eos(p)))
            break;
        at = next;
    }
    g_object_unref(p);
    g_object_unref(s);
    if (rc == 0 && r->st->messages == before && r->st->too_large == 0 && r->st->heavy == 0) {
        set_err(err, errlen, r->name ? r->name : "-", "no mail message in it");
        return 1;
    }
    return rc;
}

static void reader_init(reader *r, const mm_mailmsg_opts *o, mm_mail_on_event cb, void *user,
                        mm_mailmsg_stats *st)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->on_event = cb;
    r->user = user;
    r->st = st;
    r->max_message = o->max_message ? o->max_message : MM_MAIL_MAX_MESSAGE;
    r->fd = -1;
    mj_init(&r->j);
}

static void reader_free(reader *r)
{
    free(r->scan);
    mj_free(&r->j);
    free(r->urls.buf);
}

int mm_mailmsg_read_mem(const void *buf, size_t n, mm_mailfmt fmt, const char *name,
                        int64_t mtime, const mm_mailmsg_opts *o, mm_mail_on_event on_event,
                        void *user, mm_mailmsg_stats *st, char *err, size_t errlen)
{
    mail_init();
    reader r;
    reader_init(&r, o, on_event, user, st);
    r.name = name;
    r.mtime = mtime;
    r.format = fmt == MM_MAIL_MBOX ? "mbox" : fmt == MM_MAIL_MAILDIR ? "maildir" : "eml";
    int rc;
    if (fmt != MM_MAIL_MBOX && n > r.max_message) {
        st->too_large++;
        rc = 0;
    } else {
        GMimeStream *s = g_mime_stream_mem_new_with_buffer((const char *)buf, n);
        r.mem = buf;
        r.limit = (int64_t)n;
        r.scan = malloc(SCAN_CHUNK);
        if (s && !r.scan) {
            g_object_unref(s);
            s = NULL;
        }
        rc = s ? read_stream(&r, s, fmt == MM_MAIL_MBOX, 0, err, errlen) : 1;
    }
    reader_free(&r);
    return rc;
}

/* One file: an mbox when it begins with "From ", else one message. */
static int read_file(reader *r, const char *path, bool maildir, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        set_err(err, errlen, path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (!S_ISREG(sb.st_mode)) {
        set_err(err, errlen, path, "not a file");
        close(fd);
        return 1;
    }
    char head[5];
    ssize_t k = pread(fd, head, sizeof head, 0);
    bool mbox = !maildir && k == 5 && memcmp(head, "From ", 5) == 0;
    r->name = path;
    r->mtime = (int64_t)sb.st_mtime;
    r->format = maildir ? "maildir" : mbox ? "mbox" : "eml";
    if (!mbox && (uint64_t)sb.st_size > r->max_message) {
        close(fd);
        r->st->too_large++;
        return 0;
    }
    GMimeStream *s = g_mime_stream_fs_new(fd);           /* owns fd */
    if (!s) {
        close(fd);
        set_err(err, errlen, path, "out of memory");
        return 1;
    }
    uint64_t stop = r->o->stop_bytes;
    if (stop > 0 && stop < (uint64_t)sb.st_size) {
        g_mime_stream_set_bounds(s, 0, (gint64)stop);
        sb.st_size = (off_t)stop;
    }
    uint64_t skip = r->o->skip_bytes;
    if (mbox && skip > 0) {
        char from[5];
        if ((uint64_t)sb.st_size < 5 || skip > (uint64_t)sb.st_size - 5 ||
            pread(fd, from, 5, (off_t)skip) != 5 ||
            memcmp(from, "From ", 5) != 0 ||
            g_mime_stream_seek(s, (gint64)skip, GMIME_STREAM_SEEK_SET) != (gint64)skip) {
            g_object_unref(s);
            set_err(err, errlen, path, "the offset to resume at is not a \"From \" line");
            return 1;
        }
    }
    if (!r->scan && !(r->scan = malloc(SCAN_CHUNK))) {
        g_object_unref(s);
        set_err(err, errlen, path, "out of memory");
        return 1;
    }
    r->mem = NULL;
    r->fd = fd;
    r->limit = (int64_t)sb.st_size;
    int rc = read_stream(r, s, mbox, mbox ? (int64_t)skip : 0, err, errlen);
    r->fd = -1;
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

bool mm_mailmsg_is_maildir(const char *path)
{
    char sub[4096];
    if (!is_dir(path))
        return false;
    if ((size_t)snprintf(sub, sizeof sub, "%s/cur", path) >= sizeof sub || !is_dir(sub))
        return false;
    snprintf(sub, sizeof sub, "%s/new", path);
    return is_dir(sub);
}

/* The files of a Maildir's cur/ and new/, in name order. */
static int read_maildir(reader *r, const char *path, char *err, size_t errlen)
{
    static const char *const subs[] = {"cur", "new"};
    int rc = 0;
    uint64_t before = r->st->messages;
    for (int s = 0; s < 2 && rc >= 0; s++) {
        char dir[4096];
        if ((size_t)snprintf(dir, sizeof dir, "%s/%s", path, subs[s]) >= sizeof dir)
            continue;
        DIR *d = opendir(dir);
        if (!d)
            continue;
        char **names = NULL;
        size_t nn = 0, cap = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            if (nn == cap) {
                size_t nc = cap ? cap * 2 : 64;
                char **v = realloc(names, nc * sizeof *v);
                if (!v)
                    break;
                names = v;
                cap = nc;
            }
            if ((names[nn] = strdup(de->d_name)))
                nn++;
        }
        closedir(d);
        if (nn)
            qsort(names, nn, sizeof *names, cmp_names);
        for (size_t i = 0; i < nn; i++) {
            char f[4096];
            if (rc >= 0 && (size_t)snprintf(f, sizeof f, "%s/%s", dir, names[i]) < sizeof f) {
                struct stat sb;
                if (stat(f, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
                    char e2[256];
                    int k = read_file(r, f, true, e2, sizeof e2);
                    if (k < 0)
                        rc = -1;
                }
            }
            free(names[i]);
        }
        free(names);
    }
    if (rc == 0 && r->st->messages == before && r->st->too_large == 0) {
        set_err(err, errlen, path, "no mail message in the Maildir");
        return 1;
    }
    return rc;
}

int mm_mailmsg_read_path(const char *path, const mm_mailmsg_opts *o, mm_mail_on_event on_event,
                         void *user, mm_mailmsg_stats *st, char *err, size_t errlen)
{
    mail_init();
    reader r;
    reader_init(&r, o, on_event, user, st);
    int rc;
    if (!o->maildir_file && is_dir(path))
        rc = mm_mailmsg_is_maildir(path) ? read_maildir(&r, path, err, errlen)
                                         : (set_err(err, errlen, path,
                                                    "a folder that is not a Maildir"),
                                            1);
    else
        rc = read_file(&r, path, o->maildir_file, err, errlen);
    reader_free(&r);
    return rc;
}

/* ---- is it mail? ---- */

/* A header line "Name: value": the name's length, or 0. */
static size_t header_name(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && i < 80 && p[i] > 0x20 && p[i] < 0x7F && p[i] != ':')
        i++;
    return i > 0 && i < n && p[i] == ':' ? i : 0;
}

static bool name_is(const unsigned char *p, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp((const char *)p, name, n) == 0;
}

/* Header lines from p up to the blank line (or the end of the bytes
 * given): true when they are all header-shaped and name mail. */
static bool mail_headers(const unsigned char *p, size_t n)
{
    bool from = false, mid = false, strong = false;
    size_t i = 0, lines = 0;
    while (i < n && lines < 200) {
        const unsigned char *nl = memchr(p + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - p) : n;
        size_t len = e - i;
        if (len && p[e - 1] == '\r')
            len--;
        if (len == 0)
            break;                              /* end of the headers */
        if (p[i] == ' ' || p[i] == '\t') {
            if (lines == 0)
                return false;                   /* continuation of nothing */
        } else {
            size_t k = header_name(p + i, len);
            if (!k) {
                if (!nl)
                    break;                      /* a line cut by the head's end */
                return false;
            }
            const unsigned char *h = p + i;
            if (name_is(h, k, "Received") || name_is(h, k, "Return-Path") ||
                name_is(h, k, "Delivered-To") || name_is(h, k, "X-Original-To"))
                strong = true;
            else if (name_is(h, k, "From"))
                from = true;
            else if (name_is(h, k, "Message-ID"))
                mid = true;
        }
        lines++;
        if (!nl)
            break;
        i = e + 1;
    }
    return strong || (from && mid);
}

bool mm_mailmsg_is_mail(const char *path, const unsigned char *head, size_t n)
{
    if (path) {
        size_t pl = strlen(path);
        if (pl > 4 && strcasecmp(path + pl - 4, ".eml") == 0)
            return true;
        if (!head && mm_mailmsg_is_maildir(path))
            return true;
    }
    if (!head || n == 0)
        return false;
    if (n > 5 && memcmp(head, "From ", 5) == 0) {
        /* "From sender date" then header lines */
        const unsigned char *nl = memchr(head, '\n', n);
        if (!nl || (size_t)(nl - head) > 1000)
            return false;
        size_t off = (size_t)(nl - head) + 1;
        return off < n && header_name(head + off, n - off) > 0;
    }
    return mail_headers(head, n);
}
