/*
 * det_stealer.c - information stealers and RATs sending what they took:
 *
 *   HTTP: one company host POSTing encoded data (binary, or base64/hex
 *   that decodes to binary) again and again to one script, on a server
 *   reached by bare address or a host name first seen lately, that
 *   answers little (stealer.posts uploads in stealer.window seconds); or
 *   a single such upload carrying a stealer's own mark (user agent, body
 *   magic).
 *   Files: a file uploaded by FTP (STOR) or HTTP to the Internet whose
 *   name or content is a harvest: stealer log tags (PW_, KL_, SC_ ...),
 *   time-stamped log names, password/cookie/keylog words, and contents
 *   listing passwords with the machine's name and user.
 *   Mail: a message from a company host to a server on the Internet whose
 *   subject, attachments or text are such a harvest, sent to a free mail
 *   service or to its own sender.
 *
 * Bounded: STL_SLOTS upload tracks and SEEN_SLOTS host names (first
 * seen), both direct-mapped and lossy.
 */
#include "detect/det.h"

#include "rules/rule_match.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STL_SLOTS 2048
#define SEEN_SLOTS 8192
#define NEW_HOST_NS (86400ULL * 1000000000ULL)  /* a host first seen this lately is new ... */
#define WATCHED_NS (3600ULL * 1000000000ULL)    /* ... by a sensor that watched this long before */
#define SMALL_ANSWER 1024                       /* bytes of a C2 panel's usual answer */

typedef struct stl_track {
    uint64_t key, first, last;
    uint32_t posts, encoded, small, same;
    uint64_t last_answer, bytes;
    bool fired;
    char host[48], path[80], shape[48];
} stl_track;

typedef struct seen {
    uint64_t h, first;
} seen;

struct det_stealer {
    stl_track t[STL_SLOTS];
    seen s[SEEN_SLOTS];
    uint64_t watch_start;       /* the first request seen */
};

bool det_stealer_init(mm_detect *d)
{
    d->stl = calloc(1, sizeof *d->stl);
    return d->stl != NULL;
}

void det_stealer_free(mm_detect *d)
{
    free(d->stl);
    d->stl = NULL;
}

/* --- helpers ------------------------------------------------------------------ */

static bool mem_ci(const uint8_t *h, size_t hn, const char *needle)
{
    size_t l = strlen(needle);
    if (hn > UINT32_MAX)
        hn = UINT32_MAX;
    return l <= hn && mm_rm_find(h, 0, (uint32_t)hn, (const uint8_t *)needle, (uint32_t)l,
                                 true) >= 0;
}

static bool has_ci(const char *h, const char *needle)
{
    return mem_ci((const uint8_t *)h, strlen(h), needle);
}

/* Appends word to a ", "-separated list in out (room permitting). */
static void add_mark(char *out, size_t on, const char *word)
{
    size_t l = strlen(out);
    if (l + strlen(word) + 3 < on)
        snprintf(out + l, on - l, "%s%s", l ? ", " : "", word);
}

/* Not printable: what random or encrypted bytes mostly are. */
static bool unprintable(uint8_t c)
{
    return c >= 0x7f || (c < 0x20 && c != '\t' && c != '\n' && c != '\r');
}

/* --- harvested data: names and contents ------------------------------------------- */

/* A stealer's log tag at the start of a name or subject: two capitals and
 * an underscore (AgentTesla's PW_, KL_, SC_, CO_, CC_) followed by more. */
static bool log_tag(const char *s)
{
    static const char *const tags[] = {"PW_", "KL_", "SC_", "CO_", "CC_", "WB_"};
    while (*s == ' ' || *s == '"' || *s == '/')
        s++;
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strncmp(s, tags[i], 3) == 0 && strlen(s) > 5)
            return true;
    return false;
}

/* A time stamp in a name: five or more digit groups (2024_05_14_10_12_33). */
static bool stamped(const char *s)
{
    int groups = 0;
    for (const char *p = s; *p;) {
        if (isdigit((unsigned char)*p)) {
            groups++;
            while (isdigit((unsigned char)*p))
                p++;
        } else {
            p++;
        }
    }
    return groups >= 5;
}

static const char *const cred_words[] = {"password", "passwd", "credential", "recovered",
                                         "keylog", "screenshot", "cookies", "logins",
                                         "wallet", "autofill", "creditcard", "stealer",
                                         "grabber"};

/* Credential words in a name or subject, listed into marks; how many. */
static int name_words(const char *s, char *marks, size_t mn)
{
    int k = 0;
    for (size_t i = 0; i < sizeof cred_words / sizeof cred_words[0]; i++)
        if (has_ci(s, cred_words[i])) {
            add_mark(marks, mn, cred_words[i]);
            k++;
        }
    return k;
}

/* What a harvest's text says: the machine (its name, user, system) and
 * the secrets (passwords, with the sites and programs they are for). */
typedef struct harvest {
    int sysinfo, secrets;
    char marks[160];
} harvest;

static void read_text(harvest *h, const uint8_t *t, uint32_t n)
{
    static const char *const sys[] = {"Computer Name", "ComputerName", "PC Name", "PCName",
                                      "User Name", "UserName", "OSFullName", "OS Full Name",
                                      "IP Address", "HWID", "CPU:", "RAM:", "Time:"};
    static const char *const sec[] = {"Password", "Passwd", "Login:", "Host:", "URL:",
                                      "Application:", "Keylog", "Cookies"};
    for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++)
        if (mem_ci(t, n, sys[i])) {
            h->sysinfo++;
            add_mark(h->marks, sizeof h->marks, sys[i]);
        }
    for (size_t i = 0; i < sizeof sec / sizeof sec[0]; i++)
        if (mem_ci(t, n, sec[i])) {
            h->secrets++;
            add_mark(h->marks, sizeof h->marks, sec[i]);
        }
}

/* Free mail services (the address's domain or one of its parents). */
static bool free_mail(const char *addr)
{
    static const char *const dom[] = {"gmail.com", "googlemail.com", "outlook.com", "aol.com",
                                      "ymail.com", "yandex.com", "yandex.ru", "ya.ru",
                                      "mail.ru", "bk.ru", "inbox.ru", "list.ru", "rambler.ru",
                                      "mail.com", "web.de", "zoho.com", "protonmail.com",
                                      "proton.me", "tutanota.com", "yopmail.com", "163.com",
                                      "126.com", "qq.com", "sina.com", "naver.com",
                                      "icloud.com", "gmx.com", "gmx.net", "gmx.de",
                                      "hotmail.com", "live.com", "msn.com", "yahoo.com"};
    static const char *const label[] = {"yahoo.", "hotmail.", "live.", "yandex.", "gmx."};
    const char *at = strrchr(addr, '@');
    if (!at)
        return false;
    char d[128];
    size_t l = strcspn(at + 1, "> \t\n");
    if (l >= sizeof d)
        return false;
    for (size_t i = 0; i < l; i++)
        d[i] = (char)tolower((unsigned char)at[1 + i]);
    d[l] = 0;
    for (size_t i = 0; i < sizeof dom / sizeof dom[0]; i++) {
        size_t k = strlen(dom[i]);
        if (l >= k && strcmp(d + l - k, dom[i]) == 0 && (l == k || d[l - k - 1] == '.'))
            return true;
    }
    for (size_t i = 0; i < sizeof label / sizeof label[0]; i++) {
        const char *p = strstr(d, label[i]);
        if (p && (p == d || p[-1] == '.'))
            return true;
    }
    return false;
}

/* --- HTTP uploads ----------------------------------------------------------------- */

/* A token of a body (a form value or the whole): base64 or hex whose
 * first bytes decode to mostly unprintable ones. "%2B" and the like
 * count as the character they stand for. 0 no, 1 base64, 2 hex. */
static int encoded_token(const uint8_t *t, size_t n)
{
    uint8_t c[256];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof c; i++) {
        if (t[i] == '%' && i + 2 < n && isxdigit(t[i + 1]) && isxdigit(t[i + 2])) {
            unsigned v;
            char hx[3] = {(char)t[i + 1], (char)t[i + 2], 0};
            sscanf(hx, "%x", &v);
            c[k++] = (uint8_t)v;
            i += 2;
        } else {
            c[k++] = t[i];
        }
    }
    if (k < 24)
        return 0;
    bool hex = true, b64 = true;
    for (size_t i = 0; i < k; i++) {
        hex &= isxdigit(c[i]) != 0;
        b64 &= mm_base64_value(c[i], true) >= 0 || c[i] == '=';
    }
    uint8_t out[96];
    size_t o = 0;
    if (hex) {
        for (size_t i = 0; i + 1 < k && o < sizeof out; i += 2) {
            unsigned v;
            char hx[3] = {(char)c[i], (char)c[i + 1], 0};
            sscanf(hx, "%x", &v);
            out[o++] = (uint8_t)v;
        }
    } else if (b64) {
        o = mm_base64_decode_lax(c, k, out, sizeof out, true);
    } else {
        return 0;
    }
    size_t bad = 0;
    for (size_t i = 0; i < o; i++)
        bad += unprintable(out[i]);
    return o >= 12 && bad * 10 >= o * 3 ? (hex ? 2 : 1) : 0;
}

/* An ASN.1 DER structure filling the body (OCSP and certificate requests). */
static bool der(const uint8_t *b, uint32_t n, uint64_t total)
{
    if (n < 2 || b[0] != 0x30)
        return false;
    uint64_t len = b[1], hdr = 2;
    if (b[1] & 0x80) {
        unsigned k = b[1] & 0x7f;
        if (k == 0 || k > 4 || n < 2 + k)
            return false;
        len = 0;
        for (unsigned i = 0; i < k; i++)
            len = len << 8 | b[2 + i];
        hdr += k;
    }
    return hdr + len == total;
}

/* What a request body is: 0 empty or text, 1 encoded (shape told). */
static bool encoded_body(const uint8_t *b, uint32_t n, uint64_t total, char *shape, size_t sn)
{
    shape[0] = 0;
    if (!b || !n || der(b, n, total))
        return false;
    uint32_t bad = 0, high = 0;
    for (uint32_t i = 0; i < n; i++) {
        bad += b[i] < 0x20 && b[i] != '\t' && b[i] != '\n' && b[i] != '\r';
        high += b[i] >= 0x7f;
    }
    if (bad * 20 >= n || (high * 10 >= n * 4 && bad)) {
        snprintf(shape, sn, "binary");
        return true;
    }
    uint32_t i = 0;
    while (i < n && isspace(b[i]))
        i++;
    if (i < n && (b[i] == '{' || b[i] == '[' || b[i] == '<'))
        return false;                   /* JSON, XML: text an application reads */
    /* the whole body, or form fields: how much of it is encoded tokens */
    uint32_t enc = 0;
    int kind = 0;
    for (uint32_t p = 0; p < n;) {
        uint32_t e = p;
        while (e < n && b[e] != '&')
            e++;
        uint32_t v = p;
        while (v < e && b[v] != '=')
            v++;
        /* "k=value": the value; a body with no '=' (or base64's own) is all value */
        uint32_t vs = v < e && v - p <= 32 && v + 1 < e ? v + 1 : p;
        int t = encoded_token(b + vs, e - vs);
        if (t) {
            enc += e - vs;
            kind = t;
        }
        p = e + 1;
    }
    if (enc * 10 < n * 6)
        return false;
    snprintf(shape, sn, "%s", kind == 2 ? "hex of binary data" : "base64 of binary data");
    return true;
}

/* Marks of known stealers' uploads (user agents, body magic). */
static const char *stealer_mark(const mm_obs_http *o)
{
    static const struct {
        const char *ua, *body, *prefix, *what;
    } marks[] = {
        {"Charon; Inferno", NULL, NULL, "LokiBot user agent"},
        {NULL, "ckav.ru", NULL, "LokiBot upload"},
        {"MSIE 5.0; Windows 98", NULL, NULL, "Pony user agent"},
        {NULL, NULL, "CRYPTED0", "Pony encrypted report"},
        {NULL, NULL, "PWDFILE0", "Pony password report"},
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        if (marks[i].ua && has_ci(o->ua, marks[i].ua))
            return marks[i].what;
        if (marks[i].body && o->body && mem_ci(o->body, o->body_len, marks[i].body))
            return marks[i].what;
        if (marks[i].prefix && o->body && o->body_len >= 8 &&
            memcmp(o->body, marks[i].prefix, 8) == 0)
            return marks[i].what;
    }
    return NULL;
}

/* A script's path: a server-side page (.php, .asp ...), or a directory. */
static bool script_path(const char *uri, size_t l)
{
    static const char *const ext[] = {".php", ".php5", ".asp", ".aspx", ".jsp", ".cgi", ".pl"};
    if (l && uri[l - 1] == '/')
        return true;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (l >= e && strncasecmp(uri + l - e, ext[i], e) == 0)
            return true;
    }
    return false;
}

/* When this host name was first seen (now, if never). */
static uint64_t first_seen(mm_detect *d, const char *host, uint64_t ts)
{
    char low[256];
    size_t i = 0;
    for (; host[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)host[i]);
    uint64_t h = mm_siphash13(&d->hk, low, i) | 1;
    if (!d->stl->watch_start || ts < d->stl->watch_start)
        d->stl->watch_start = ts;
    seen *s = &d->stl->s[h % SEEN_SLOTS];
    if (s->h != h || ts < s->first) {
        s->h = h;
        s->first = ts;
    }
    return s->first;
}

void det_stealer_http(mm_detect *d, mm_flow *f, int dir, const mm_obs_http *o, uint64_t ts)
{
    char ipname[MM_IPSTR_LEN];
    const char *host = o->host;
    mm_ip lit;
    bool bare = !host[0] || mm_ip_parse(host, &lit);
    if (!host[0]) {
        mm_ip_str(&f->srv, ipname);
        host = ipname;
    }
    uint64_t first = first_seen(d, host, ts);
    if (strcmp(o->method, "POST") != 0 || !det_home(d, &f->cli) || !det_external(d, &f->srv))
        return;
    char shape[48];
    if (!encoded_body(o->body, o->body_len, o->req_len, shape, sizeof shape))
        return;
    size_t pl = strcspn(o->uri, "?#");
    /* new: first seen lately, by a sensor that had been watching well
     * before (at its start every name is new: that tells nothing) */
    bool fresh = ts >= first && ts - first <= NEW_HOST_NS &&
                 first - d->stl->watch_start >= WATCHED_NS;
    const char *mark = stealer_mark(o);
    if (!mark && (!script_path(o->uri, pl) || !(bare || fresh)))
        return;
    struct {
        char tag[4];
        mm_ip cli;
        uint64_t h;
    } key;
    memset(&key, 0, sizeof key);
    memcpy(key.tag, "stl", 4);
    key.cli = f->cli;
    char low[256];
    size_t n = 0;
    for (const char *p = host; *p && n < 128; p++)
        low[n++] = (char)tolower((unsigned char)*p);
    for (size_t i = 0; i < pl && n < sizeof low; i++)
        low[n++] = o->uri[i];
    key.h = mm_siphash13(&d->hk, low, n);
    uint64_t k = mm_siphash13(&d->hk, &key, sizeof key) | 1;
    stl_track *t = &d->stl->t[k % STL_SLOTS];
    uint64_t win = d->p.stealer_window * 1000000000ULL;
    if (t->key != k || ts < t->first || ts - t->first > win) {
        memset(t, 0, sizeof *t);
        t->key = k;
        t->first = ts;
        snprintf(t->host, sizeof t->host, "%s", host);
        snprintf(t->path, sizeof t->path, "%.*s", (int)(pl < 79 ? pl : 79), o->uri);
    }
    t->last = ts;
    t->posts++;
    t->encoded++;
    t->bytes += o->req_len;
    snprintf(t->shape, sizeof t->shape, "%s", shape);
    if (o->resp_len <= SMALL_ANSWER)
        t->small++;
    if (t->posts > 1 && o->resp_len == t->last_answer)
        t->same++;
    t->last_answer = o->resp_len;
    bool repeated = t->encoded >= d->p.stealer_posts && t->small * 2 >= t->posts;
    if (t->fired || !(repeated || mark))
        return;
    t->fired = true;
    const char *why = mark ? mark : bare ? "server reached by bare address"
                                         : "host first seen lately";
    det_fields x = {.k = {"host", "url", "body", "reason", "user_agent"},
                .v = {t->host, t->path, t->shape, why, o->ua},
                .nk = {"uploads", "small_answers", "same_size_answers", "bytes_sent",
                       "window_seconds", "last_answer_bytes"},
                .n = {t->posts, t->small, t->same, t->bytes, d->p.stealer_window,
                      o->resp_len}};
    det_alert(d, f, SIG_STEALER_HTTP, dir, ts, det_fields_json, &x);
}

/* --- files uploaded (FTP, HTTP) ------------------------------------------------------ */

void det_stealer_file(mm_detect *d, mm_flow *f, const mm_obs_file *o, uint64_t ts)
{
    if (o->dir != MM_TO_SERVER || !det_home(d, &f->cli) || !det_external(d, &f->srv))
        return;
    const char *carrier = f->app_proto == MM_APP_FTPDATA ? "ftp"
                        : f->app_proto == MM_APP_HTTP ? "http" : NULL;
    if (!carrier || !o->name[0])
        return;
    const char *slash = strrchr(o->name, '/'), *bs = strrchr(o->name, '\\');
    const char *base = slash > bs ? slash + 1 : bs ? bs + 1 : o->name;
    char marks[160] = "";
    bool tag = log_tag(base), stamp = stamped(base);
    if (tag)
        add_mark(marks, sizeof marks, "stealer log tag");
    if (stamp)
        add_mark(marks, sizeof marks, "time-stamped name");
    int words = name_words(base, marks, sizeof marks);
    harvest h = {0};
    read_text(&h, o->data, o->data_len);
    bool harvested = (tag && (stamp || h.sysinfo || h.secrets)) ||
                     (words && (stamp || h.sysinfo + h.secrets >= 2)) ||
                     (h.secrets && h.sysinfo >= 2);
    if (!harvested)
        return;
    char srv[MM_IPSTR_LEN];
    mm_ip_str(&f->srv, srv);
    det_fields x = {.k = {"carrier", "server", "filename", "name_marks", "content_marks"},
                .v = {carrier, srv, o->name, marks, h.marks},
                .nk = {"size"}, .n = {o->size}};
    det_alert(d, f, SIG_STEALER_FILE, MM_TO_SERVER, ts, det_fields_json, &x);
}

/* --- mail -------------------------------------------------------------------------------- */

/* A subject's RFC 2047 encoded words (=?charset?B|Q?...?=) decoded, the
 * rest as it is. */
static void subject_text(const char *s, char *out, size_t on)
{
    size_t k = 0;
    while (*s && k + 1 < on) {
        const char *q1, *q2, *end;
        if (s[0] == '=' && s[1] == '?' && (q1 = strchr(s + 2, '?')) &&
            (q1[1] == 'B' || q1[1] == 'b' || q1[1] == 'Q' || q1[1] == 'q') && q1[2] == '?' &&
            (end = strstr(q1 + 3, "?="))) {
            q2 = q1 + 3;
            if (q1[1] == 'B' || q1[1] == 'b') {
                k += mm_base64_decode_lax((const uint8_t *)q2, (size_t)(end - q2),
                                          (uint8_t *)out + k, on - 1 - k, true);
            } else {
                for (const char *p = q2; p < end && k + 1 < on; p++) {
                    unsigned v;
                    if (*p == '_')
                        out[k++] = ' ';
                    else if (*p == '=' && p + 2 < end && isxdigit((unsigned char)p[1]) &&
                             isxdigit((unsigned char)p[2]) && sscanf(p + 1, "%2x", &v) == 1) {
                        out[k++] = (char)v;
                        p += 2;
                    } else
                        out[k++] = *p;
                }
            }
            s = end + 2;
            while (*s == ' ' || *s == '\t')
                s++;                    /* space between encoded words is dropped */
            continue;
        }
        out[k++] = *s++;
    }
    out[k] = 0;
}

void det_stealer_mail(mm_detect *d, mm_flow *f, int dir, const mm_obs_mail *o, uint64_t ts)
{
    if (!det_home(d, &f->cli) || !det_external(d, &f->srv))
        return;
    char subject[512], marks[160] = "";
    subject_text(o->subject, subject, sizeof subject);
    bool tag = log_tag(subject);
    if (tag)
        add_mark(marks, sizeof marks, "stealer log tag in the subject");
    int words = name_words(subject, marks, sizeof marks);
    char atts[256] = "";
    for (int i = 0; i < o->natt; i++) {
        tag |= log_tag(o->att[i]);
        words += name_words(o->att[i], marks, sizeof marks);
        add_mark(atts, sizeof atts, o->att[i]);
    }
    harvest h = {0};
    read_text(&h, o->text, o->text_len);
    /* where it goes: a free mail service, or back to its own sender */
    char rcpt[256];
    snprintf(rcpt, sizeof rcpt, "%.*s", (int)strcspn(o->rcpt, "\n"), o->rcpt);
    bool to_free = false;
    for (const char *p = o->rcpt; *p;) {
        size_t l = strcspn(p, "\n");
        char one[256];
        snprintf(one, sizeof one, "%.*s", (int)(l < 255 ? l : 255), p);
        to_free |= free_mail(one);
        p += l + (p[l] == '\n');
    }
    bool self = o->mail_from[0] && strcasecmp(o->mail_from, rcpt) == 0;
    bool from_free = free_mail(o->mail_from);
    bool harvested = tag || ((words || h.secrets) && h.sysinfo >= 2 &&
                             (to_free || from_free || self));
    if (!harvested)
        return;
    const char *route = to_free ? "to a free mail service"
                      : self ? "to its own sender"
                      : from_free ? "from a free mail account" : "to a server on the Internet";
    det_fields x = {.k = {"subject", "mail_from", "rcpt_to", "attachments", "route", "name_marks",
                      "content_marks", "server_banner"},
                .v = {subject, o->mail_from, rcpt, atts, route, marks, h.marks, o->banner},
                .nk = {"authenticated", "attachment_count"}, .n = {o->auth, (uint64_t)o->natt}};
    det_alert(d, f, SIG_STEALER_MAIL, dir, ts, det_fields_json, &x);
}
