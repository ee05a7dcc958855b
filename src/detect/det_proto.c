/*
 * det_proto.c - detectors fed by what the parsers observe: Heartbleed,
 * SSLv3, NTP monlist, MS17-010 and DoublePulsar, RDP, mining, WebLogic,
 * command-and-control names and agents, risky files. Exploit kits
 * (det_ek.c) and stealers (det_stealer.c) are fed from here.
 */
#include "detect/det.h"

#include "analysis/geo.h"
#include "rules/rule_match.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* --- small helpers ---------------------------------------------------------- */

typedef struct kv {
    const char *k[4];
    const char *v[4];
    uint64_t n[4];
    const char *nk[4];
} kv;

/* Extra fields of an alert: up to four strings and four numbers. */
static void kv_json(mm_json *j, const void *arg)
{
    const kv *x = arg;
    for (int i = 0; i < 4; i++) {
        if (x->k[i] && x->v[i] && x->v[i][0])
            mj_str(j, x->k[i], x->v[i]);
        if (x->nk[i])
            mj_u64(j, x->nk[i], x->n[i]);
    }
}

/* needle in h[0, hn), letters in either case (the rules' nocase search) */
static bool ci_contains(const uint8_t *h, size_t hn, const char *needle)
{
    size_t l = strlen(needle);
    if (hn > UINT32_MAX)
        hn = UINT32_MAX;
    return l <= hn && mm_rm_find(h, 0, (uint32_t)hn, (const uint8_t *)needle, (uint32_t)l,
                                 true) >= 0;
}

static bool str_ci_contains(const char *h, const char *needle)
{
    return ci_contains((const uint8_t *)h, strlen(h), needle);
}

/* The address of the host that received the data of direction dir. */
/* HTTP or TLS straight to a public address: told once an hour per
 * company host and server (a program that calls its address every minute
 * is one finding, not sixty; the beacon detector weighs the rhythm). */
static void bare_ip(mm_detect *d, mm_flow *f, int dir, uint64_t ts, const void *x)
{
    struct {
        char tag[4];
        mm_ip a, b;
    } key;
    memset(&key, 0, sizeof key);
    memcpy(key.tag, "bip", 4);
    key.a = f->cli;
    key.b = f->srv;
    trk *t = det_trk(d, &key, sizeof key, ts, 3600);
    if (t->fired) {
        t->count++;
        return;
    }
    t->fired = true;
    det_alert(d, f, SIG_C2_BARE_IP, dir, ts, kv_json, x);
}

static const mm_ip *dst_of(const mm_flow *f, int dir)
{
    return dir == MM_TO_SERVER ? &f->srv : &f->cli;
}

static const mm_ip *src_of(const mm_flow *f, int dir)
{
    return dir == MM_TO_SERVER ? &f->cli : &f->srv;
}

/* --- Heartbleed ------------------------------------------------------------- */

static void heartbeat(mm_detect *d, mm_flow *f, int dir, const mm_obs_tls_heartbeat *o,
                      uint64_t ts)
{
    det_flow *df = det_flow_get(f);
    if (!df)
        return;
    kv x = {.nk = {"record_length", "payload_length"}, .n = {o->record_len, o->payload_len}};
    if (!o->encrypted && o->type == 1) {
        df->hb_req_len = o->record_len;
        /* type, length, payload, at least 16 bytes of padding */
        if ((uint32_t)o->payload_len + 3 + 16 > o->record_len) {
            df->hb_attempt = true;
            det_alert(d, f, SIG_HB_ATTEMPT, dir, ts, kv_json, &x);
        }
        return;
    }
    if (o->encrypted && dir == MM_TO_SERVER) {
        df->hb_req_len = o->record_len;     /* sizes are all there is */
        return;
    }
    bool response = o->encrypted ? dir == MM_TO_CLIENT : o->type == 2;
    if (!response)
        return;
    /* more back than was sent; or any answer to a request a correct
     * server must drop (it did not check the length: it is vulnerable) */
    const char *why = NULL;
    if (df->hb_req_len && o->record_len > df->hb_req_len + d->p.hb_leak_extra)
        why = "response larger than the request";
    else if (!o->encrypted && (uint32_t)o->payload_len + 3 + 16 > o->record_len)
        why = "response declares more than it holds";
    else if (df->hb_attempt)
        why = "the server answered a malformed request";
    if (why) {
        kv y = {.k = {"reason"}, .v = {why},
                .nk = {"record_length", "request_record_length"},
                .n = {o->record_len, df->hb_req_len}};
        det_alert(d, f, SIG_HB_LEAK, dir, ts, kv_json, &y);
    }
}

/* --- SSLv3 ------------------------------------------------------------------ */

static bool cbc_suite(uint16_t c)
{
    static const uint16_t stream_or_null[] = {0x0000, 0x0001, 0x0002, 0x0004, 0x0005, 0x0017,
                                              0x0018, 0x0020, 0x0024, 0x0028, 0x002B, 0x008A,
                                              0x008E, 0x0092, 0xC002, 0xC007, 0xC00C, 0xC011,
                                              0xC016};
    for (size_t i = 0; i < sizeof stream_or_null / sizeof stream_or_null[0]; i++)
        if (c == stream_or_null[i])
            return false;
    return true;
}

static void tls_hello(mm_detect *d, mm_flow *f, int dir, const mm_obs_tls_hello *o, uint64_t ts)
{
    char cipher[8];
    if (!o->server) {
        if ((o->version <= 0x0300 && o->max_version <= 0x0300 && o->version) ||
            o->fallback_scsv) {
            kv x = {.k = {"reason", "sni"},
                    .v = {o->fallback_scsv ? "downgraded retry (TLS_FALLBACK_SCSV)"
                                           : "offers SSLv3 at most",
                          o->sni}};
            det_alert(d, f, SIG_SSL3_CLIENT, dir, ts, kv_json, &x);
        }
        /* no name: straight to an address nobody looked up */
        if (!o->sni[0] && det_external(d, &f->srv)) {
            det_flow *df = det_flow_get(f);
            uint64_t h = mm_siphash13(&d->hk, &f->srv, sizeof f->srv) | 1;
            if (df && d->resolved[h % RESOLVED_SLOTS] != h) {
                df->bare_ip = true;
                kv x = {.k = {"reason"}, .v = {"TLS without a server name to an address no DNS answer gave"}};
                bare_ip(d, f, MM_TO_SERVER, ts, &x);
            }
        }
        return;
    }
    if (o->version != 0x0300)
        return;
    snprintf(cipher, sizeof cipher, "0x%04x", o->cipher);
    kv x = {.k = {"cipher", "poodle"}, .v = {cipher, cbc_suite(o->cipher) ? "CBC suite: vulnerable"
                                                                        : "stream suite"}};
    det_alert(d, f, SIG_SSL3_NEGOTIATED, dir, ts, kv_json, &x);
    if (det_home(d, &f->srv) && det_external(d, &f->cli))
        det_alert(d, f, SIG_SSL3_SERVER_EXPOSED, dir, ts, kv_json, &x);
}

/* --- NTP -------------------------------------------------------------------- */

/* Any monlist answer shows a server that will amplify: one answer is
 * evidence enough (severity 3). An answer nobody here asked for that
 * reaches one of ours is the flood detector's first: it is told at its
 * flow's end, and only when no flood was (det_ntp_answered_end). */
static void ntp_answered(mm_detect *d, mm_flow *f, int dir, const mm_obs_ntp *o, det_flow *df,
                         uint64_t ts)
{
    const mm_ip *dst = dst_of(f, dir), *src = src_of(f, dir);
    bool to_us = det_home(d, dst), from_us = det_home(d, src);
    bool asked = df->ntp_req_bytes > 0;
    if (to_us && !from_us && !asked) {
        df->ntp_unasked = (uint8_t)(dir + 1);
        df->ntp_items = o->items;
        return;
    }
    kv x = {.k = {"direction", "asked"},
            .v = {to_us ? (from_us ? "internal" : "inbound") : (from_us ? "outbound" : "transit"),
                  asked ? "yes" : "no"},
            .nk = {"request_code", "items", "response_bytes"},
            .n = {o->request_code, o->items, df->ntp_resp_bytes}};
    det_alert(d, f, SIG_NTP_ANSWERED, dir, ts, kv_json, &x);
}

void det_ntp_answered_end(mm_detect *d, mm_flow *f, det_flow *df)
{
    int dir = df->ntp_unasked - 1;
    struct {
        char tag[4];
        mm_ip ip;
    } key = {"ntf", *dst_of(f, dir)};
    trk *t = det_trk(d, &key, sizeof key, f->last_ns, d->p.ntp_flood_window);
    if (t->fired)
        return;                             /* the flood alert told it */
    key.tag[2] = 'a';                       /* once an hour per host of ours */
    t = det_trk(d, &key, sizeof key, f->last_ns, 3600);
    if (t->fired)
        return;
    t->fired = true;
    /* 2 when its flow carried ten large answers or more: a reflection
     * aimed at us, below the flood's count */
    int sev = df->ntp_resp_bytes >= 10 * d->p.ntp_large_mode7 ? 2 : 3;
    kv x = {.k = {"direction", "asked"}, .v = {"inbound", "no"},
            .nk = {"items", "response_bytes"}, .n = {df->ntp_items, df->ntp_resp_bytes}};
    det_alert_sev(d, f, SIG_NTP_ANSWERED, sev, dir, f->last_ns, kv_json, &x);
}

static void ntp(mm_detect *d, mm_flow *f, int dir, const mm_obs_ntp *o, uint64_t ts)
{
    det_flow *df = det_flow_get(f);
    if (!df)
        return;
    bool monlist = o->mode == 7 && (o->request_code == 20 || o->request_code == 42);
    kv x = {.nk = {"request_code", "length", "items"}, .n = {o->request_code, o->len, o->items}};
    const mm_ip *dst = dst_of(f, dir), *src = src_of(f, dir);
    if (o->mode == 7) {
        df->ntp_mode7 = true;
        if (!o->response) {
            df->ntp_req_bytes += o->len;
            if (monlist)
                det_alert(d, f, SIG_NTP_MONLIST, dir, ts, kv_json, &x);
        } else {
            df->ntp_resp_bytes += o->len;
            /* one of ours answering monlist to the Internet: a reflector
             * (told at the flow's end with the volume) */
            if (monlist && det_home(d, src) && det_external(d, dst))
                df->monlist_resp = true;
            else if (monlist)
                ntp_answered(d, f, dir, o, df, ts);
            /* a large answer to a request seen, or sent by one of ours
             * (unasked answers arriving are the flood's, counted below) */
            if (o->len >= d->p.ntp_large_mode7 && (df->ntp_req_bytes || det_home(d, src)))
                det_alert(d, f, SIG_NTP_LARGE_MODE7, dir, ts, kv_json, &x);
        }
    }
    /* responses arriving at one of ours from many senders: a reflection flood */
    bool resp = o->response || o->mode == 4;
    if (!resp || !det_home(d, dst) || det_home(d, src))
        return;
    struct {
        char tag[4];
        mm_ip ip;
    } key = {"ntf", *dst};
    trk *t = det_trk(d, &key, sizeof key, ts, d->p.ntp_flood_window);
    t->count++;
    uint32_t srcs = det_trk_distinct(t, (uint32_t)mm_siphash13(&d->hk, src, sizeof *src));
    /* monlist answers nobody here asked for: a reflection aimed at us,
     * whatever the number of reflectors */
    bool unasked_now = o->mode == 7 && o->response && !df->ntp_req_bytes;
    key.tag[2] = '7';
    trk *t7 = unasked_now ? det_trk(d, &key, sizeof key, ts, d->p.ntp_flood_window) : NULL;
    if (t7)
        t7->count++;
    bool flood = t->count >= d->p.ntp_flood_packets && srcs >= d->p.ntp_flood_sources;
    bool unasked = t7 && t7->count >= d->p.ntp_flood_mode7;
    if (!t->fired && (flood || unasked)) {
        t->fired = true;
        kv y = {.k = {"kind"}, .v = {flood ? "responses from many servers"
                                           : "monlist answers nobody here asked for"},
                .nk = {"packets", "sources", "window_seconds"},
                .n = {t7 && !flood ? t7->count : t->count, srcs, d->p.ntp_flood_window}};
        det_alert(d, f, SIG_NTP_FLOOD, dir, ts, kv_json, &y);
    }
}

/* --- SMB MS17-010 ------------------------------------------------------------ */

#define SMB1_TRANS 0x25
#define SMB1_TRANS2 0x32
#define SMB1_TRANS2_SECONDARY 0x33
#define SMB1_NT_TRANS 0xA0
#define STATUS_NOT_IMPLEMENTED 0xC0000002u

static void smb1(mm_detect *d, mm_flow *f, int dir, const mm_obs_smb1 *o, uint64_t ts)
{
    det_flow *df = det_flow_get(f);
    if (!df)
        return;
    kv x = {.nk = {"command", "subcommand", "multiplex_id"}, .n = {o->cmd, o->subcmd, o->mid}};
    if (!o->response) {
        switch (o->cmd) {
        case SMB1_NT_TRANS:
            df->smb_nt_trans = true;
            break;
        case SMB1_TRANS:
        case SMB1_TRANS2:
            /* a TRANS2 SESSION_SETUP is DoublePulsar's ping or command */
            if (o->cmd == SMB1_TRANS2 && o->subcmd == 0x000E && o->setup_count) {
                df->dp_mid = (uint16_t)(o->mid + 1);
                det_alert(d, f, SIG_SMB_DP_PING, dir, ts, kv_json, &x);
            }
            df->smb_nt_trans = false;
            break;
        case SMB1_TRANS2_SECONDARY:
            /* continuing an NT_TRANS with TRANS2 secondaries: EternalBlue's
             * type confusion (the server sizes the buffer from the NT_TRANS) */
            if (df->smb_nt_trans)
                det_alert(d, f, SIG_SMB_ETERNALBLUE, dir, ts, kv_json, &x);
            break;
        default:
            break;
        }
        return;
    }
    /* the implant answers the ping with its multiplex id raised by 16 */
    if (o->cmd == SMB1_TRANS2 && df->dp_mid && o->status == STATUS_NOT_IMPLEMENTED &&
        o->mid == (uint16_t)(df->dp_mid - 1 + 16))
        det_alert(d, f, SIG_SMB_DP_INSTALLED, dir, ts, kv_json, &x);
}

/* --- RDP -------------------------------------------------------------------- */

static bool admin_name(const char *u)
{
    static const char *const names[] = {"administrator", "admin", "administrateur",
                                        "administrador", "root", "adm", "guest"};
    const char *bs = strrchr(u, '\\');
    if (bs)
        u = bs + 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(u, names[i]) == 0)
            return true;
    return false;
}

typedef struct {
    char tag[4];
    mm_ip a, b;
} pair_key;

static void rdp(mm_detect *d, mm_flow *f, int dir, const mm_obs_rdp *o, uint64_t ts)
{
    pair_key key = {"rdg", f->cli, f->srv};
    char cc[3];
    if (!o->confirm) {
        kv x = {.k = {"user"}, .v = {o->cookie}};
        if (o->cookie[0] && admin_name(o->cookie))
            det_alert(d, f, SIG_RDP_ADMIN, dir, ts, kv_json, &x);
        trk *t = det_trk(d, &key, sizeof key, ts, d->p.rdp_guess_window);
        t->count++;
        if (!t->fired && t->count >= d->p.rdp_guess_count) {
            t->fired = true;
            det_country(d, &f->cli, cc);
            kv y = {.k = {"user", "source_country", "abroad"},
                    .v = {o->cookie, cc, det_abroad(d, cc)},
                    .nk = {"attempts", "window_seconds"},
                    .n = {t->count, d->p.rdp_guess_window}};
            det_alert(d, f, SIG_RDP_GUESS, dir, ts, kv_json, &y);
        }
        return;
    }
    if (o->failure || det_home(d, &f->cli) == det_home(d, &f->srv))
        return;
    /* a session set up between the company and the outside */
    const mm_ip *ext = det_home(d, &f->cli) ? &f->srv : &f->cli;
    det_country(d, ext, cc);
    trk *t = det_trk(d, &key, sizeof key, ts, d->p.rdp_guess_window);
    kv x = {.k = {"external_country", "direction", "abroad"},
            .v = {cc, det_home(d, &f->cli) ? "outbound" : "inbound", det_abroad(d, cc)},
            .nk = {"attempts"}, .n = {t->count}};
    det_alert(d, f, SIG_RDP_INBOUND, dir, ts, kv_json, &x);
    /* whether a session after many attempts was a login that worked shows
     * at the flow's end, by what the server sent (det_flow.c) */
}

/* --- names: mining pools, dynamic DNS, answers ------------------------------ */

static const char *const source_names[] = {"", "dns", "tls_sni", "http_host"};

static bool ip_literal(const char *s)
{
    mm_ip ip;
    return mm_ip_parse(s, &ip);
}

static void name(mm_detect *d, mm_flow *f, int dir, const mm_obs_name *o, uint64_t ts)
{
    const char *hit;
    kv x = {.k = {"name", "listed", "seen_in"}, .v = {o->name, NULL, source_names[o->source]}};
    if (o->source == MM_NAME_HTTP) {
        det_flow *df = det_flow_get(f);
        if (df)
            snprintf(df->host, sizeof df->host, "%s", o->name);
        mm_ip lit;
        if (mm_ip_parse(o->name, &lit) && det_external(d, &lit) && df) {
            df->bare_ip = true;
            kv y = {.k = {"host", "reason"}, .v = {o->name, "HTTP Host is an address"}};
            bare_ip(d, f, dir, ts, &y);
        }
    }
    if (o->source == MM_NAME_SNI) {
        det_flow *df = det_flow_get(f);
        if (df)
            snprintf(df->host, sizeof df->host, "%s", o->name);
    }
    if (ip_literal(o->name))
        return;
    if ((hit = det_name_match(d, MM_LIST_MINING, o->name))) {
        x.v[1] = hit;
        det_alert(d, f, SIG_MINING_NAME, dir, ts, kv_json, &x);
    }
    if ((hit = det_name_match(d, MM_LIST_DDNS, o->name))) {
        x.v[1] = hit;
        det_alert(d, f, SIG_C2_DDNS, dir, ts, kv_json, &x);
    }
}

/* A name of the Internet (not a local or reverse-lookup one). */
static bool external_name(const char *n)
{
    size_t l = strlen(n);
    static const char *const local[] = {".local", ".lan", ".home", ".internal", ".arpa",
                                        ".localdomain", ".localhost", ".corp", ".test",
                                        ".invalid"};
    if (!strchr(n, '.') || strcasecmp(n, "localhost") == 0)
        return false;
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++) {
        size_t k = strlen(local[i]);
        if (l >= k && strcasecmp(n + l - k, local[i]) == 0)
            return false;
    }
    return true;
}

bool det_resolved(const mm_detect *d, const mm_ip *ip)
{
    uint64_t h = mm_siphash13(&d->hk, ip, sizeof *ip) | 1;
    return d->resolved[h % RESOLVED_SLOTS] == h;
}

static void dns_answer(mm_detect *d, mm_flow *f, int dir, const mm_obs_dns_answer *o,
                       uint64_t ts)
{
    uint64_t h = mm_siphash13(&d->hk, &o->addr, sizeof o->addr) | 1;
    d->resolved[h % RESOLVED_SLOTS] = h;
    if (!det_sinkhole(d, &o->addr) || !external_name(o->rrname))
        return;
    char a[MM_IPSTR_LEN];
    mm_ip_str(&o->addr, a);
    kv x = {.k = {"name", "answer"}, .v = {o->rrname, a}};
    det_alert(d, f, SIG_C2_SINKHOLE, dir, ts, kv_json, &x);
}

/* --- HTTP: WebLogic, PowerShell ---------------------------------------------- */

static void http(mm_detect *d, mm_flow *f, int dir, const mm_obs_http *o, uint64_t ts)
{
    const uint8_t *b = o->body;
    uint32_t n = o->body_len;
    det_ek_http(d, f, dir, o, ts);
    det_stealer_http(d, f, dir, o, ts);
    kv x = {.k = {"url", "host", "user_agent"}, .v = {o->uri, o->host, o->ua}};
    if (strcmp(o->method, "POST") == 0 && str_ci_contains(o->uri, "/wls-wsat/") && b &&
        (ci_contains(b, n, "<java") || ci_contains(b, n, "java.beans")) &&
        (ci_contains(b, n, "ProcessBuilder") || ci_contains(b, n, "java.lang.Runtime") ||
         ci_contains(b, n, "/bin/") || ci_contains(b, n, "cmd.exe") ||
         ci_contains(b, n, "powershell")))
        det_alert(d, f, SIG_WEBLOGIC, dir, ts, kv_json, &x);
    static const char *const cradles[] = {"downloadstring(", "downloadfile(", "downloaddata(",
                                          "invoke-expression", "iex(", "iex (",
                                          "invoke-webrequest", "net.webclient",
                                          "-encodedcommand", "frombase64string("};
    bool cradle = false;
    for (size_t i = 0; i < sizeof cradles / sizeof cradles[0] && !cradle; i++)
        cradle = str_ci_contains(o->uri, cradles[i]) || (b && ci_contains(b, n, cradles[i]));
    if (str_ci_contains(o->ua, "WindowsPowerShell") || str_ci_contains(o->ua, "PowerShell/") ||
        cradle)
        det_alert(d, f, SIG_C2_POWERSHELL, dir, ts, kv_json, &x);
}

/* --- mining sessions ---------------------------------------------------------- */

static void stratum(mm_detect *d, mm_flow *f, int dir, const mm_obs_stratum *o, uint64_t ts)
{
    static const char *const methods[] = {"mining.subscribe", "mining.authorize",
                                          "mining.submit", "login", "submit",
                                          "eth_submitLogin", "eth_submitWork", "getjob"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(o->method, methods[i]) == 0) {
            kv x = {.k = {"method", "user", "agent"}, .v = {o->method, o->user, o->agent}};
            det_alert(d, f, SIG_MINING_SESSION, dir, ts, kv_json, &x);
            return;
        }
}

/* --- files --------------------------------------------------------------------- */

static const char *ext_of(const char *name)
{
    const char *slash = strrchr(name, '/'), *bs = strrchr(name, '\\');
    const char *base = slash > bs ? slash + 1 : bs ? bs + 1 : name;
    const char *dot = strrchr(base, '.');
    return dot ? dot + 1 : "";
}

static bool in_list(const char *ext, const char *const *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(ext, l[i]) == 0)
            return true;
    return false;
}

static const char *const exec_ext[] = {"exe", "dll", "scr", "com", "cpl", "sys", "msi",
                                       "ocx", "pif", "efi", "drv"};
static const char *const script_ext[] = {"ps1", "psm1", "vbs", "vbe", "js", "jse", "hta",
                                         "wsf", "wsh", "bat", "cmd", "lnk", "jar", "docm",
                                         "xlsm", "pptm", "dotm", "xlam", "iso", "sh"};

/* A zip whose first member is a program or script (the delivery archive). */
static bool zip_holds_exec(const uint8_t *h, uint32_t n)
{
    if (n < 30 || memcmp(h, "PK\x03\x04", 4) != 0)
        return false;
    uint32_t nl = mm_le16(h + 26);
    if (nl == 0 || nl > 255 || 30 + nl > n)
        return false;
    char name[256];
    memcpy(name, h + 30, nl);
    name[nl] = 0;
    const char *e = ext_of(name);
    return in_list(e, exec_ext, sizeof exec_ext / sizeof exec_ext[0]) ||
           in_list(e, script_ext, sizeof script_ext / sizeof script_ext[0]);
}

static void file(mm_detect *d, mm_flow *f, const mm_obs_file *o, uint64_t ts)
{
    const char *ext = ext_of(o->name);
    bool pe = strncmp(o->magic, "PE32", 4) == 0 || strcmp(o->magic, "MS-DOS executable") == 0;
    bool exec_name = in_list(ext, exec_ext, sizeof exec_ext / sizeof exec_ext[0]);
    bool script = in_list(ext, script_ext, sizeof script_ext / sizeof script_ext[0]) ||
                  strcmp(o->magic, "script text executable") == 0;
    bool archive = zip_holds_exec(o->head, o->head_len) || o->inner[0];
    bool macro = o->macros;
    const char *known = o->sha256[0] ? det_name_match(d, MM_LIST_HASH, o->sha256) : NULL;
    int dir = MM_TO_CLIENT;             /* downloads are the common case */
    det_ek_file(d, f, o, ts);
    det_stealer_file(d, f, o, ts);
    det_flow *df = det_flow_get(f);
    if (df)
        df->file_kind = pe ? FK_PE
                      : strncmp(o->magic, "Macromedia Flash", 16) == 0 ? FK_FLASH
                      : strncmp(o->magic, "Java archive", 12) == 0 ? FK_JAR
                      : strncmp(o->magic, "Silverlight", 11) == 0 ? FK_XAP
                      : script ? FK_SCRIPT : FK_NONE;
    const char *why = NULL;
    static const char *const harmless[] = {"image/", "text/", "audio/", "video/", "font/",
                                           "application/pdf", "application/json",
                                           "application/xml", "application/javascript"};
    bool declared_harmless = false;
    for (size_t i = 0; i < sizeof harmless / sizeof harmless[0] && o->declared[0]; i++)
        declared_harmless |= strncasecmp(o->declared, harmless[i], strlen(harmless[i])) == 0;
    if (pe && !exec_name)
        why = ext[0] ? "program content under another extension" : "program without an extension";
    else if (pe && declared_harmless)
        why = "program content declared as another type";
    else if (macro)
        why = "Office document with macros";
    if (!why && archive && o->inner[0])
        why = "archive holding a program or script";
    if (!why && (pe || script || archive) && df && df->bare_ip)
        why = "from a server reached by address only";
    if (!why && (pe || script || archive) && df && df->host[0] &&
        det_name_match(d, MM_LIST_DDNS, df->host))
        why = "from a dynamic-DNS name";
    kv x = {.k = {"filename", "magic", "reason", "sha256"}, .v = {o->name, o->magic, why, o->sha256},
            .nk = {"size"}, .n = {o->size}};
    if (why && o->declared[0] && pe && declared_harmless) {
        x.k[1] = "declared";
        x.v[1] = o->declared;
    }
    if (o->inner[0]) {
        x.k[1] = "inner";                   /* the member says more than "zip" */
        x.v[1] = o->inner;
    }
    if (known) {
        x.v[2] = "hash on the list";
        det_alert(d, f, SIG_FILE_KNOWN, dir, ts, kv_json, &x);
        return;
    }
    if (!(pe || script || archive || macro))
        return;
    det_alert(d, f, why ? SIG_FILE_RISKY : SIG_FILE_EXEC, dir, ts, kv_json, &x);
}

/* --- refused logins ---------------------------------------------------------- */

static void login(mm_detect *d, mm_flow *f, int dir, const mm_obs_login *o, uint64_t ts)
{
    if (o->ok)
        return;
    struct {
        char tag[4];
        char service[8];
        mm_ip a, b;
    } key;
    memset(&key, 0, sizeof key);
    memcpy(key.tag, "lgf", 4);
    snprintf(key.service, sizeof key.service, "%s", o->service);
    key.a = f->cli;
    key.b = f->srv;
    trk *t = det_trk(d, &key, sizeof key, ts, d->p.brute_window);
    t->count++;
    if (!t->fired && t->count >= d->p.brute_count) {
        t->fired = true;
        kv x = {.k = {"service"}, .v = {o->service},
                .nk = {"failed_logins", "window_seconds"}, .n = {t->count, d->p.brute_window}};
        det_alert(d, f, SIG_BRUTEFORCE, dir == MM_TO_CLIENT ? MM_TO_SERVER : dir, ts, kv_json, &x);
    }
}

/* --- dispatch ------------------------------------------------------------------ */

void det_observe(mm_detect *d, mm_flow *f, int dir, int kind, const void *obs, uint64_t ts)
{
    switch (kind) {
    case MM_OBS_TLS_HEARTBEAT: heartbeat(d, f, dir, obs, ts); break;
    case MM_OBS_TLS_HELLO: tls_hello(d, f, dir, obs, ts); break;
    case MM_OBS_NTP: ntp(d, f, dir, obs, ts); break;
    case MM_OBS_SMB1: smb1(d, f, dir, obs, ts); break;
    case MM_OBS_RDP: rdp(d, f, dir, obs, ts); break;
    case MM_OBS_NAME: name(d, f, dir, obs, ts); break;
    case MM_OBS_DNS_ANSWER: dns_answer(d, f, dir, obs, ts); break;
    case MM_OBS_HTTP: http(d, f, dir, obs, ts); break;
    case MM_OBS_STRATUM: stratum(d, f, dir, obs, ts); break;
    case MM_OBS_FILE: file(d, f, obs, ts); break;
    case MM_OBS_LOGIN: login(d, f, dir, obs, ts); break;
    case MM_OBS_TLS_CERT: det_beacon_cert(d, f, obs, ts); break;
    case MM_OBS_MAIL: det_stealer_mail(d, f, dir, obs, ts); break;
    default: break;
    }
}
