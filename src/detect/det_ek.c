/*
 * det_ek.c - exploit kits: the drive-by delivery, recognised by its steps
 * rather than by one kit's URLs. Per client, the web hosts it asked
 * lately, which host led to which (Referer, redirect) and which step each
 * one showed:
 *
 *   a page on an ordinary site
 *   -> a host new to the client, reached from that page (Referer, a
 *      redirect, or simply right after it)
 *   -> a landing page: obfuscated script (long unbroken strings, decoding
 *      calls, escapes), VBScript, or the landing URL shape of Angler and
 *      Neutrino (alerts); a page loading a plugin (a step, no alert)
 *   -> an exploit: Flash, Java, Silverlight (by content, type or name), or
 *      a second obfuscated script
 *   -> the payload: a program, or data whose declared type lies about it
 *      (encrypted with no known type, a program XOR-encoded, a program
 *      declared as something else).
 *
 * All within ek.window seconds. Fixed tables: EK_SLOTS clients (a new
 * client takes its slot over), EK_HOSTS hosts each (the oldest goes).
 */
#include "detect/det.h"

#include "rules/rule_match.h"
#include "proto/fshape.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert(SIG__COUNT <= 64, "mm_flow.det_fired has one bit per signature");

#define EK_SLOTS 1024
#define EK_HOSTS 12
#define OBFUSCATED 60           /* mm_fshape_obfuscation from which a script is obfuscated */
#define ENCRYPTED 780           /* entropy (hundredths of a bit) of encrypted data */

enum { ST_LANDING = 1, ST_EXPLOIT = 2 };
enum { LED_NONE, LED_BEFORE, LED_REFERER, LED_REDIRECT };

typedef struct ek_host {
    uint64_t h;                 /* hash of the host name */
    uint64_t first, last;       /* first and last request to it */
    uint64_t ref;               /* the host that led here (hash, 0: none known) */
    uint64_t stage_ts;          /* when it last showed a step */
    uint8_t led;                /* LED_*: how ref led here */
    uint8_t stage;              /* ST_* */
    char name[48];
} ek_host;

typedef struct ek_client {
    uint64_t key;
    ek_host host[EK_HOSTS];
    uint64_t cont_ts, cont_host;                /* an exploit container delivered */
    uint64_t redir_to, redir_from, redir_ts;    /* the last redirect to another host */
} ek_client;

struct det_ek {
    ek_client c[EK_SLOTS];
};

bool det_ek_init(mm_detect *d)
{
    d->ek = calloc(1, sizeof *d->ek);
    return d->ek != NULL;
}

void det_ek_free(mm_detect *d)
{
    free(d->ek);
    d->ek = NULL;
}

/* --- helpers ------------------------------------------------------------------ */

static bool has_ci(const char *h, const char *needle)
{
    size_t hn = strlen(h), l = strlen(needle);
    return l <= hn && hn <= UINT32_MAX &&
           mm_rm_find((const uint8_t *)h, 0, (uint32_t)hn, (const uint8_t *)needle,
                      (uint32_t)l, true) >= 0;
}

static uint64_t host_hash(const mm_detect *d, const char *h, size_t n)
{
    char low[256];
    size_t i = 0;
    for (; i < n && h[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)h[i]);
    return i ? mm_siphash13(&d->hk, low, i) | 1 : 0;
}

/* The host of an absolute URL ("http://user@host:port/..."), hashed; 0
 * when the URL names none (a path alone). */
static uint64_t url_host(const mm_detect *d, const char *u)
{
    const char *p = u;
    while (isalpha((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (p > u && strncmp(p, "://", 3) == 0)
        p += 3;
    else if (u[0] == '/' && u[1] == '/')
        p = u + 2;                      /* scheme-relative */
    else
        return 0;
    size_t l = strcspn(p, "/?#");
    const char *at = memchr(p, '@', l);
    if (at) {
        l -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t hl = p[0] == '[' ? strcspn(p, "]") + 1 : strcspn(p, ":/?#");
    return host_hash(d, p, hl < l ? hl : l);
}

static bool ends_with(const char *uri, const char *ext)
{
    size_t l = strcspn(uri, "?#"), e = strlen(ext);
    return l >= e && strncasecmp(uri + l - e, ext, e) == 0;
}

/* Landing pages of the Angler and Neutrino families: /word/number/words
 * joined by hyphens ("/rifle/1993618/kindle-stiff-right"): random
 * dictionary words no site names its pages with. */
static bool landing_shape(const char *uri)
{
    const char *p = uri;
    size_t l;
    if (*p++ != '/')
        return false;
    for (l = 0; p[l] >= 'a' && p[l] <= 'z'; l++)
        ;
    if (l < 3 || l > 16 || p[l] != '/')
        return false;
    p += l + 1;
    for (l = 0; p[l] >= '0' && p[l] <= '9'; l++)
        ;
    if (l < 5 || l > 9 || p[l] != '/')
        return false;
    p += l + 1;
    int words = 0;
    for (;;) {
        for (l = 0; p[l] >= 'a' && p[l] <= 'z'; l++)
            ;
        if (l < 2)
            return false;
        words++;
        p += l;
        if (*p != '-')
            break;
        p++;
    }
    return words >= 3 && (*p == 0 || *p == '?' || *p == '/');
}

/* --- response bodies ------------------------------------------------------------ */

/* A Windows program XOR-encoded with a repeating key of 1-32 bytes: the
 * key comes from the DOS stub's known text at 0x4E, must agree with
 * itself where it repeats, and must turn the first bytes into "MZ" and
 * the header it points to into "PE\0\0". The key's length, 0 if not. */
static unsigned xor_program(const uint8_t *h, uint32_t n)
{
    static const char stub[] = "This program cannot be run in DOS mode";
    const uint32_t at = 0x4E, sl = sizeof stub - 1;
    if (n < at + sl)
        return 0;
    for (unsigned len = 1; len <= 32; len++) {
        uint8_t key[32];
        bool have[32] = {false}, ok = true, zero = true;
        for (uint32_t i = 0; i < sl && ok; i++) {
            unsigned j = (at + i) % len;
            uint8_t k = h[at + i] ^ (uint8_t)stub[i];
            if (have[j])
                ok = key[j] == k;
            else {
                key[j] = k;
                have[j] = true;
                zero &= k == 0;
            }
        }
        if (!ok || zero)
            continue;                   /* no key, or a program in clear */
        if ((h[0] ^ key[0]) != 'M' || (h[1] ^ key[1 % len]) != 'Z')
            continue;
        uint32_t pe = 0;
        for (unsigned b = 0; b < 4; b++)
            pe |= (uint32_t)(h[0x3C + b] ^ key[(0x3C + b) % len]) << (8 * b);
        if (pe <= n - 4) {
            static const uint8_t sig[4] = {'P', 'E', 0, 0};
            bool pe_ok = true;
            for (unsigned b = 0; b < 4; b++)
                pe_ok &= (h[pe + b] ^ key[(pe + b) % len]) == sig[b];
            if (!pe_ok)
                continue;
        }
        return len;
    }
    return 0;
}

/* Audio and video containers our magic table leaves out (high entropy,
 * honest): MP4/QuickTime, FLV, Matroska/WebM, Ogg, MP3, AAC, MPEG-TS. */
static bool media(const uint8_t *h, uint32_t n)
{
    if (n >= 8 && memcmp(h + 4, "ftyp", 4) == 0)
        return true;
    if (n >= 4 && (memcmp(h, "FLV\x01", 4) == 0 || memcmp(h, "\x1a\x45\xdf\xa3", 4) == 0 ||
                   memcmp(h, "OggS", 4) == 0 || memcmp(h, "ID3", 3) == 0))
        return true;
    if (n >= 2 && h[0] == 0xFF && (h[1] & 0xE0) == 0xE0)
        return true;                    /* an MPEG audio or ADTS frame */
    return n >= 377 && h[0] == 0x47 && h[188] == 0x47 && h[376] == 0x47;
}

void det_ek_file(mm_detect *d, mm_flow *f, const mm_obs_file *o, uint64_t ts)
{
    (void)d, (void)ts;
    if (o->dir != MM_TO_CLIENT || f->app_proto != MM_APP_HTTP)
        return;
    det_flow *df = det_flow_get(f);
    if (!df)
        return;
    struct det_body *b = &df->body;
    memset(b, 0, sizeof *b);
    b->fresh = true;
    snprintf(b->magic, sizeof b->magic, "%s", o->magic);
    b->size = o->size;
    b->xor_len = (uint8_t)xor_program(o->head, o->head_len);
    b->media = media(o->head, o->head_len);
    const mm_fshape *s = o->shape;
    if (s) {
        b->obfuscation = (uint8_t)mm_fshape_obfuscation(s);
        b->decoders = (uint8_t)mm_fshape_decoders(s);
        b->text = mm_fshape_text(s);
        b->vbscript = s->kw[MM_KW_VBSCRIPT] > 0;
        b->plugin = s->kw[MM_KW_FLASH] || s->kw[MM_KW_FLASH_CLSID] || s->kw[MM_KW_SILVERLIGHT] ||
                    s->kw[MM_KW_APPLET];
        b->entropy = (uint16_t)mm_fshape_entropy(s);
        b->longest = s->run > s->run_max && !s->run_data ? s->run : s->run_max;
    }
}

/* Content of no type we know, and not declared a picture, sound, video or
 * font (those are high-entropy by nature): what encrypted data looks like. */
static bool unknown_type(const struct det_body *b, const char *ct)
{
    static const char *const media_types[] = {"image/", "audio/", "video/", "font/"};
    for (size_t i = 0; i < sizeof media_types / sizeof media_types[0]; i++)
        if (strncasecmp(ct, media_types[i], strlen(media_types[i])) == 0)
            return false;
    return !b->media && (!b->magic[0] || strcmp(b->magic, "data") == 0);
}

static bool program_type(const char *ct)
{
    return has_ci(ct, "x-msdownload") || has_ci(ct, "x-msdos-program") ||
           has_ci(ct, "x-dosexec") || has_ci(ct, "x-executable") ||
           has_ci(ct, "x-ms-installer") || has_ci(ct, "x-msi");
}

/* --- the chain ----------------------------------------------------------------- */

static ek_client *client_of(mm_detect *d, const mm_flow *f)
{
    uint64_t ck = mm_siphash13(&d->hk, &f->cli, sizeof f->cli) | 1;
    ek_client *c = &d->ek->c[ck % EK_SLOTS];
    if (c->key != ck) {
        memset(c, 0, sizeof(*c));
        c->key = ck;
    }
    return c;
}

static ek_host *find(ek_client *c, uint64_t h)
{
    for (int i = 0; i < EK_HOSTS && h; i++)
        if (c->host[i].h == h)
            return &c->host[i];
    return NULL;
}

/* The host that led to eh: the one named by its Referer or a redirect,
 * else the last other host asked before it (a page that was open). */
static const ek_host *origin(ek_client *c, const ek_host *eh, uint64_t w)
{
    const ek_host *r = find(c, eh->ref);
    if (r && r != eh && r->first <= eh->first && eh->first - r->first <= 10 * w)
        return r;
    const ek_host *page = NULL;
    for (int i = 0; i < EK_HOSTS; i++) {
        const ek_host *p = &c->host[i];
        if (p != eh && p->h && p->last <= eh->first && eh->first - p->last <= w &&
            (!page || p->last > page->last))
            page = p;
    }
    return page;
}

/* "site -> gate -> landing": eh and the hosts that led to it. */
static void chain_text(ek_client *c, const ek_host *eh, char *out, size_t on)
{
    const ek_host *hop[4];
    int n = 0;
    for (const ek_host *h = eh; h && n < 4; h = find(c, h->ref)) {
        bool again = false;
        for (int i = 0; i < n; i++)
            again |= hop[i] == h;
        if (again)
            break;
        hop[n++] = h;
    }
    size_t k = 0;
    out[0] = 0;
    for (int i = n - 1; i >= 0 && k < on; i--) {
        int w = snprintf(out + k, on - k, "%s%s", hop[i]->name, i ? " -> " : "");
        if (w < 0)
            break;
        k += (size_t)w;
    }
}

static const char *const led_text[] = {"", "a page open before", "Referer", "redirect"};

void det_ek_http(mm_detect *d, mm_flow *f, int dir, const mm_obs_http *o, uint64_t ts)
{
    uint64_t w = d->p.ek_window * 1000000000ULL;
    ek_client *c = client_of(d, f);
    det_flow *df = f->det;
    struct det_body b = {0};
    if (df && df->body.fresh) {
        b = df->body;               /* this request's response body */
        df->body.fresh = false;
    }
    char ipname[MM_IPSTR_LEN];
    const char *hname = o->host;
    if (!hname[0]) {
        mm_ip_str(&f->srv, ipname);
        hname = ipname;
    }
    uint64_t hh = host_hash(d, hname, strlen(hname));
    ek_host *eh = find(c, hh);
    if (!eh) {
        eh = &c->host[0];
        for (int i = 1; i < EK_HOSTS; i++)
            if (c->host[i].last < eh->last)
                eh = &c->host[i];
        memset(eh, 0, sizeof(*eh));
        eh->h = hh;
        eh->first = ts;
        snprintf(eh->name, sizeof eh->name, "%s", hname);
        uint64_t rh = url_host(d, o->referer);
        if (rh && rh != hh) {
            eh->ref = rh;
            eh->led = LED_REFERER;
        } else if (c->redir_to == hh && ts >= c->redir_ts && ts - c->redir_ts <= w) {
            eh->ref = c->redir_from;
            eh->led = LED_REDIRECT;
        }
    }
    if (ts < eh->first)
        eh->first = ts;                 /* requests are told at their answer */
    if (ts > eh->last)
        eh->last = ts;
    if (o->status >= 300 && o->status < 400 && o->location[0]) {
        uint64_t lh = url_host(d, o->location);
        if (lh && lh != hh) {
            c->redir_to = lh;
            c->redir_from = hh;
            c->redir_ts = ts;
        }
    }
    uint8_t fk = df ? df->file_kind : FK_NONE;
    const char *ct = o->resp_ctype;
    const char *container = NULL;
    if (fk == FK_FLASH || has_ci(ct, "shockwave-flash") || ends_with(o->uri, ".swf"))
        container = "Flash";
    else if (fk == FK_JAR || has_ci(ct, "java-archive") || has_ci(ct, "x-java-applet") ||
             ends_with(o->uri, ".jar"))
        container = "Java";
    else if (fk == FK_XAP || has_ci(ct, "silverlight") || ends_with(o->uri, ".xap"))
        container = "Silverlight";
    bool fresh_host = ts >= eh->first && ts - eh->first <= w;
    const ek_host *from = fresh_host ? origin(c, eh, w) : NULL;
    /* the page that led here, Referer or not (8700100-8700102 as they were) */
    const ek_host *page = NULL;
    if (ts - eh->first <= w)
        for (int i = 0; i < EK_HOSTS; i++) {
            const ek_host *p = &c->host[i];
            if (p != eh && p->h && p->last <= eh->first && eh->first - p->last <= w &&
                (!page || p->last > page->last))
                page = p;
        }
    if (!from)
        from = page;
    char chain[160];
    bool html = has_ci(ct, "html") || strncmp(b.magic, "HTML", 4) == 0;
    bool script = html || has_ci(ct, "javascript") || has_ci(ct, "ecmascript") ||
                  has_ci(ct, "vbscript");
    if (!container && page && landing_shape(o->uri) && has_ci(ct, "html")) {
        eh->stage |= ST_LANDING;
        eh->stage_ts = ts;
        det_fields x = {.k = {"page_host", "landing_host", "url"}, .v = {page->name, eh->name, o->uri}};
        det_alert(d, f, SIG_EK_LANDING, dir, ts, det_fields_json, &x);
        return;
    }
    /* an obfuscated landing page, or the script exploit after it, from a
     * host new to this client that another site led to */
    if (!container && from && script && b.text && strcmp(o->method, "GET") == 0 &&
        (b.obfuscation >= OBFUSCATED || (b.vbscript && html))) {
        const char *what = b.vbscript && html ? "VBScript in a page (Internet Explorer exploit)"
                         : eh->stage & ST_LANDING ? "another obfuscated script (script exploit)"
                                                  : "obfuscated script (landing page)";
        eh->stage |= ((eh->stage & ST_LANDING) || b.vbscript) ? ST_EXPLOIT : ST_LANDING;
        eh->stage_ts = ts;
        chain_text(c, eh, chain, sizeof chain);
        det_fields x = {.k = {"what", "chain", "led_by", "landing_host", "url", "content_type"},
                    .v = {what, chain, led_text[eh->led ? eh->led : LED_BEFORE], eh->name,
                          o->uri, ct},
                    .nk = {"obfuscation_score", "longest_string", "decoding_calls",
                           "entropy_centibits", "size"},
                    .n = {b.obfuscation, b.longest, b.decoders, b.entropy, b.size}};
        det_alert(d, f, SIG_EK_OBFUSCATED, dir, ts, det_fields_json, &x);
        return;
    }
    /* a page loading a plugin, on a new host another site led to: a
     * landing, told by what follows it */
    if (!container && from && html && b.plugin && strcmp(o->method, "GET") == 0) {
        eh->stage |= ST_LANDING;
        eh->stage_ts = ts;
    }
    if (container) {
        if (page) {
            c->cont_ts = ts;
            c->cont_host = hh;
            eh->stage |= ST_EXPLOIT;
            eh->stage_ts = ts;
            det_fields x = {.k = {"container", "page_host", "exploit_host", "url"},
                        .v = {container, page->name, eh->name, o->uri}};
            det_alert(d, f, SIG_EK_CONTAINER, dir, ts, det_fields_json, &x);
        }
        return;
    }
    bool program = fk == FK_PE || program_type(ct);
    bool opaque = has_ci(ct, "application/octet-stream") && hh == c->cont_host;
    if ((program || opaque) && c->cont_ts && ts >= c->cont_ts && ts - c->cont_ts <= w) {
        det_fields x = {.k = {"exploit_host", "url", "payload"},
                    .v = {eh->name, o->uri, program ? "program" : "opaque download from the exploit host"}};
        det_alert(d, f, SIG_EK_PAYLOAD, dir, ts, det_fields_json, &x);
        return;
    }
    /* the payload, from a host of the chain: a lie no honest server tells
     * (a program XOR-encoded, encrypted data declared a program) needs only
     * the way here; other lies a step of the kit before them; a program
     * as it is, an obfuscated landing page before it */
    bool pe = fk == FK_PE;
    bool encrypted = unknown_type(&b, ct) && b.size >= 2048 && b.entropy >= ENCRYPTED;
    const ek_host *step = eh->stage && ts >= eh->stage_ts && ts - eh->stage_ts <= w ? eh : NULL;
    const ek_host *r = find(c, eh->ref);
    if (!step && r && r->stage && ts >= r->stage_ts && ts - r->stage_ts <= w)
        step = r;
    char why[96];
    bool ok;
    if (b.xor_len) {
        snprintf(why, sizeof why, "program XOR-encoded with a %u-byte key", b.xor_len);
        ok = step || (fresh_host && from);
    } else if (encrypted && program_type(ct)) {
        snprintf(why, sizeof why, "declared a program but encrypted (no known type)");
        ok = step || (fresh_host && from);
    } else if (encrypted) {
        snprintf(why, sizeof why, "encrypted data of no known type");
        ok = step != NULL;
    } else if (pe && !program_type(ct) && !has_ci(ct, "octet-stream")) {
        snprintf(why, sizeof why, "program declared as another type");
        ok = step != NULL;
    } else if (pe) {
        snprintf(why, sizeof why, "program after a landing page");
        ok = step && (step->stage & ST_LANDING);
    } else {
        return;
    }
    if (!ok)
        return;
    chain_text(c, eh, chain, sizeof chain);
    det_fields x = {.k = {"reason", "declared", "magic", "chain", "payload_host", "url",
                      "step_host"},
                .v = {why, ct, b.magic, chain, eh->name, o->uri, step ? step->name : ""},
                .nk = {"size", "entropy_centibits"}, .n = {b.size, b.entropy}};
    det_alert(d, f, SIG_EK_DISGUISED, dir, ts, det_fields_json, &x);
}
