/*
 * rdp.c - RDP connection setup: TPKT, X.224 connection request and
 * confirm, then (standard RDP security) the client's MCS Connect Initial.
 *
 * Events "rdp" as Suricata writes them: "initial_request" with the
 * "Cookie: mstshash=" user name, "initial_response", and "connect_request"
 * with what the client says of itself (name, build, desktop, channels).
 * The security protocols asked for and chosen (standard RDP, TLS, CredSSP)
 * have no place in Suricata's rdp object: they go in mimamori.rdp. When
 * TLS or CredSSP is chosen, TLS takes the flow over (app.c) and logs the
 * server's certificate. RDP's UDP transport is identified (app_proto) from
 * its SYN exchange; its content (DTLS) is not read.
 */
#include "proto/app.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

#define RDP_KEEP 4096u

typedef struct rdp_dir {
    uint8_t hdr[4];
    uint8_t hlen;
    uint32_t need, got;
    uint8_t *buf;
    bool done;
} rdp_dir;

typedef struct rdp_state {
    rdp_dir d[2];
    uint64_t tx_id;
    uint32_t requested;
    bool has_requested, confirmed;
    uint32_t selected;
} rdp_state;

/* RDP's UDP transport (MS-RDPEUDP): the SYN and SYN+ACK datagrams carry
 * fixed fields: source ack -1 (SYN) and MTUs of 1132-1232 bytes. */
static int probe_udp(int dir, const uint8_t *d, uint32_t n)
{
    if (n < 16)
        return MM_PROBE_NO;
    uint16_t flags = (uint16_t)(d[6] << 8 | d[7]);
    uint16_t up = (uint16_t)(d[12] << 8 | d[13]), down = (uint16_t)(d[14] << 8 | d[15]);
    if (!(flags & 1) || up < 1132 || up > 1232 || down < 1132 || down > 1232)
        return MM_PROBE_NO;
    if (dir == MM_TO_SERVER)
        return memcmp(d, "\xff\xff\xff\xff", 4) == 0 ? MM_PROBE_YES : MM_PROBE_NO;
    return (flags & 4) ? MM_PROBE_YES : MM_PROBE_NO;    /* SYN+ACK */
}

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)f;
    if (udp)
        return probe_udp(dir, d, n);
    if (d[0] != 3 || (n > 1 && d[1] != 0))
        return MM_PROBE_NO;
    if (n < 6)
        return MM_PROBE_MORE;
    uint32_t len = (uint32_t)d[2] << 8 | d[3];
    /* X.224 length indicator covers the rest of the TPKT */
    if (len < 11 || d[4] != len - 5)
        return MM_PROBE_NO;
    if (d[5] != (dir == MM_TO_SERVER ? 0xE0 : 0xD0))
        return MM_PROBE_NO;
    /* ISO-on-TCP (S7, MMS) sends the same TPDU with TSAP/size parameters
     * (codes 0xC0-0xC2) after the fixed part; RDP sends a cookie or a
     * negotiation structure, or nothing */
    if (n < 12)
        return len == 11 ? MM_PROBE_YES : MM_PROBE_MORE;
    return (d[11] >= 0xC0 && d[11] <= 0xC2) ? MM_PROBE_NO : MM_PROBE_YES;
}

static const char *const proto_names[] = {"tls", "hybrid", "rdstls", "hybrid_ex"};

static void protocols(mm_json *j, const char *key, uint32_t p)
{
    mj_arr_open(j, key);
    if (p == 0)
        mj_str(j, NULL, "rdp");
    for (int i = 0; i < 4; i++)
        if (p & (1u << i))
            mj_str(j, NULL, proto_names[i]);
    mj_arr_close(j);
}

static void begin(mm_app *a, mm_flow *f, rdp_state *s, const char *type, int dir, uint64_t ts,
                  mm_json **jp)
{
    mm_json *j = mm_app_event_begin(a, f, ts, "rdp", dir, false);
    mj_obj_open(j, "rdp");
    mj_u64(j, "tx_id", s->tx_id++);
    mj_str(j, "event_type", type);
    *jp = j;
}

struct flagname {
    uint16_t bit;
    const char *name;
};

/* The named bits set in v as a list (nothing when none is). */
static void flag_list(mm_json *j, const char *key, uint16_t v, const struct flagname *t, size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any |= (v & t[i].bit) != 0;
    if (!any)
        return;
    mj_arr_open(j, key);
    for (size_t i = 0; i < n; i++)
        if (v & t[i].bit)
            mj_str(j, NULL, t[i].name);
    mj_arr_close(j);
}

/* X.224 Connection Request: cookie and RDP_NEG_REQ. */
static void conn_request(mm_app *a, mm_flow *f, rdp_state *s, const uint8_t *p, uint32_t n,
                         uint64_t ts)
{
    uint32_t off = 11;                   /* TPKT 4, LI, code, dst ref, src ref, class */
    char cookie[128] = "";
    static const char ck[] = "Cookie: mstshash=";
    if (n >= off + sizeof ck - 1 && memcmp(p + off, ck, sizeof ck - 1) == 0) {
        uint32_t i = off + (uint32_t)sizeof ck - 1, k = 0;
        while (i < n && p[i] != '\r' && p[i] != '\n' && k + 1 < sizeof cookie)
            cookie[k++] = (char)p[i++];
        cookie[k] = 0;
        while (i < n && p[i] != '\n')
            i++;
        off = i + 1;
    } else if (n > off + 8 && memcmp(p + off, "Cookie: ", 8) == 0) {
        while (off < n && p[off] != '\n')  /* a routing token */
            off++;
        off++;
    }
    uint8_t rflags = 0;
    if (off + 8 <= n && p[off] == 1 && mm_le16(p + off + 2) == 8) {
        s->requested = mm_le32(p + off + 4);
        s->has_requested = true;
        rflags = p[off + 1];
    }
    mm_obs_rdp o = {.cookie = cookie, .protocols = s->requested};
    mm_app_observe(a, f, MM_TO_SERVER, MM_OBS_RDP, &o, ts);
    mm_json *j;
    begin(a, f, s, "initial_request", MM_TO_SERVER, ts, &j);
    if (cookie[0])
        mj_str(j, "cookie", cookie);
    mj_obj_close(j);
    if (s->has_requested) {
        /* what Suricata's schema has no field for goes to mimamori.rdp */
        j = mm_app_event_mimamori(a, f);
        mj_obj_open(j, "rdp");
        protocols(j, "requested_protocols", s->requested);
        static const struct flagname rq[] = {
            {0x01, "restricted_admin_mode_required"},
            {0x02, "redirected_authentication_mode_required"},
            {0x08, "correlation_info_present"}};
        flag_list(j, "flags", rflags, rq, sizeof rq / sizeof rq[0]);
        mj_obj_close(j);
        mm_app_event_close(a);
    } else {
        mm_app_event_end(a, f);
    }
}

static void conn_confirm(mm_app *a, mm_flow *f, rdp_state *s, const uint8_t *p, uint32_t n,
                         uint64_t ts)
{
    uint32_t off = 11;
    mm_obs_rdp o = {.confirm = true, .cookie = "", .failure = off + 8 <= n && p[off] == 3,
                    .protocols = off + 8 <= n && p[off] == 2 ? mm_le32(p + off + 4) : 0};
    mm_app_observe(a, f, MM_TO_CLIENT, MM_OBS_RDP, &o, ts);
    mm_json *j;
    begin(a, f, s, "initial_response", MM_TO_CLIENT, ts, &j);
    mj_obj_close(j);
    /* the server's flags and the protocol chosen, or why not, in
     * mimamori.rdp (Suricata's schema has no field for them) */
    j = mm_app_event_mimamori(a, f);
    mj_obj_open(j, "rdp");
    s->confirmed = true;
    if (off + 8 <= n && p[off] == 2) {
        s->selected = mm_le32(p + off + 4);
        uint32_t sp = s->selected;
        mj_str(j, "selected_protocol", sp == 0 ? "rdp" : sp == 1 ? "tls" : sp == 2 ? "hybrid"
                                       : sp == 4 ? "rdstls" : sp == 8 ? "hybrid_ex" : "unknown");
        static const struct flagname rs[] = {
            {0x01, "extended_client_data"}, {0x02, "dynvc_gfx"}, {0x08, "restricted_admin"},
            {0x10, "redirected_authentication"}};
        flag_list(j, "server_supports", p[off + 1], rs, sizeof rs / sizeof rs[0]);
    } else if (off + 8 <= n && p[off] == 3) {
        char fc[16];
        uint32_t code = mm_le32(p + off + 4);
        snprintf(fc, sizeof fc, "%u", code);
        mj_str(j, "failure_code", fc);
        static const char *const why[] = {
            NULL, "ssl required by server", "ssl not allowed by server", "ssl cert not on server",
            "inconsistent flags", "hybrid required by server",
            "ssl with user auth required by server"};
        if (code >= 1 && code <= 6)
            mj_str(j, "reason", why[code]);
    } else {
        mj_str(j, "selected_protocol", "rdp");   /* no negotiation: standard RDP */
    }
    mj_obj_close(j);
    mm_app_event_close(a);
}

static const char *client_version(uint32_t v)
{
    switch (v) {
    case 0x00080001: return "v4";
    case 0x00080004: return "v5";
    case 0x00080005: return "v10.0";
    case 0x00080006: return "v10.1";
    case 0x00080007: return "v10.2";
    case 0x00080008: return "v10.3";
    case 0x00080009: return "v10.4";
    case 0x0008000a: return "v10.5";
    case 0x0008000b: return "v10.6";
    case 0x0008000c: return "v10.7";
    default: return NULL;
    }
}

/* The client's Windows build number as a name (the NT release list), as
 * Suricata names it: "Windows 7 SP1", "Windows 10 RS5"; NULL unknown. */
static const char *build_name(uint32_t b, char *out, size_t n)
{
    static const struct {
        uint32_t build;
        const char *name, *suffix;
    } t[] = {
        {528, "Windows NT 3.1", ""}, {807, "Windows NT 3.5", ""}, {1057, "Windows NT 3.51", ""},
        {1381, "Windows NT 4.0", ""}, {2195, "Windows 2000", ""}, {2600, "Windows XP", ""},
        {3790, "Windows Server 2003", ""}, {6000, "Windows Vista", " RTM"},
        {6001, "Windows Vista", " SP1"}, {6002, "Windows Vista", " SP2"},
        {7600, "Windows 7", " RTM"}, {7601, "Windows 7", " SP1"}, {9200, "Windows 8", ""},
        {9600, "Windows 8.1", ""}, {10240, "Windows 10", " TH1"}, {10586, "Windows 10", " TH2"},
        {14393, "Windows 10", " RS1"}, {15063, "Windows 10", " RS2"},
        {16299, "Windows 10", " RS3"}, {17134, "Windows 10", " RS4"},
        {17763, "Windows 10", " RS5"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].build == b) {
            snprintf(out, n, "%s%s", t[i].name, t[i].suffix);
            return out;
        }
    return NULL;
}

/* MCS Connect Initial: the GCC user data blocks, found by their headers
 * (client core data 0xC001, network data 0xC003). */
static void connect_initial(mm_app *a, mm_flow *f, rdp_state *s, const uint8_t *p, uint32_t n,
                            uint64_t ts)
{
    const uint8_t *core = NULL, *net = NULL;
    uint32_t core_len = 0, net_len = 0;
    for (uint32_t i = 7; i + 4 <= n; i++) {
        uint16_t t = mm_le16(p + i), l = mm_le16(p + i + 2);
        if (!core && t == 0xC001 && l >= 132 && l <= n - i && client_version(mm_le32(p + i + 4))) {
            core = p + i;
            core_len = l;
            i += l - 1;
        } else if (core && !net && t == 0xC003 && l >= 8 && l <= n - i) {
            net = p + i;
            net_len = l;
            break;
        }
    }
    if (!core)
        return;
    mm_json *j;
    begin(a, f, s, "connect_request", MM_TO_SERVER, ts, &j);
    mj_obj_open(j, "client");
    mj_str(j, "version", client_version(mm_le32(core + 4)));
    mj_u64(j, "desktop_width", mm_le16(core + 8));
    mj_u64(j, "desktop_height", mm_le16(core + 10));
    char b[160];
    const char *bn = build_name(mm_le32(core + 20), b, sizeof b);
    if (!bn) {
        snprintf(b, sizeof b, "%u", mm_le32(core + 20));
        bn = b;
    }
    mj_str(j, "build", bn);
    mm_utf16le_to_utf8(core + 24, 32, b, sizeof b);
    if (b[0])
        mj_str(j, "client_name", b);
    if (mm_le32(core + 64))
        mj_u64(j, "function_keys", mm_le32(core + 64));
    /* the optional fields, as far as the block goes (TS_UD_CS_CORE) */
    if (core_len >= 136)
        mj_u64(j, "product_id", mm_le16(core + 134));
    if (core_len >= 146) {
        /* earlyCapabilityFlags (MS-RDPBCGR 2.2.1.3.2) */
        static const struct flagname caps[] = {
            {0x0001, "support_errinfo_pdf"}, {0x0002, "want_32bpp_session"},
            {0x0004, "support_statusinfo_pdu"}, {0x0008, "strong_asymmetric_keys"},
            {0x0020, "valid_connection_type"}, {0x0040, "support_monitor_layout_pdu"},
            {0x0080, "support_netchar_autodetect"}, {0x0100, "support_dynvc_gfx_protocol"},
            {0x0200, "support_dynamic_time_zone"}, {0x0400, "support_heartbeat_pdu"}};
        flag_list(j, "capabilities", mm_le16(core + 144), caps, sizeof caps / sizeof caps[0]);
    }
    if (core_len >= 210) {
        mm_utf16le_to_utf8(core + 146, 64, b, sizeof b);
        if (b[0])
            mj_str(j, "id", b);
    }
    mj_obj_close(j);
    if (net && net_len >= 8) {
        uint32_t cnt = mm_le32(net + 4);
        if (cnt && cnt <= 31 && 8 + cnt * 12 <= net_len) {
            mj_arr_open(j, "channels");
            for (uint32_t c = 0; c < cnt; c++) {
                const uint8_t *nm = net + 8 + c * 12;
                size_t k = 0;
                while (k < 8 && nm[k] >= 0x20 && nm[k] < 0x7f)
                    k++;
                mj_strn(j, NULL, (const char *)nm, k);
            }
            mj_arr_close(j);
        }
    }
    mj_obj_close(j);
    /* the build as a number too (the name above covers known releases
     * only), and what Suricata writes that its schema has no field for */
    j = mm_app_event_mimamori(a, f);
    mj_obj_open(j, "rdp");
    mj_u64(j, "client_build", mm_le32(core + 20));
    if (mm_le32(core + 60))
        mj_u64(j, "keyboard_subtype", mm_le32(core + 60));
    mm_utf16le_to_utf8(core + 68, 64, b, sizeof b);
    if (b[0])
        mj_str(j, "ime", b);
    if (core_len >= 140 && mm_le32(core + 136))
        mj_u64(j, "serial_number", mm_le32(core + 136));
    if (core_len >= 211 && core[210] >= 1 && core[210] <= 7) {
        static const char *const hints[] = {"", "modem", "low_broadband", "satellite",
                                            "high_broadband", "wan", "lan", "autodetect"};
        mj_str(j, "connection_hint", hints[core[210]]);
    }
    if (core_len >= 224) {
        mj_u64(j, "physical_width", mm_le32(core + 216));
        mj_u64(j, "physical_height", mm_le32(core + 220));
    }
    mj_obj_close(j);
    mm_app_event_close(a);
}

static void record(mm_app *a, mm_flow *f, rdp_state *s, int dir, const uint8_t *p, uint32_t n,
                   uint64_t ts)
{
    rdp_dir *d = &s->d[dir];
    if (n < 7)
        return;
    uint8_t code = p[5] & 0xF0;
    if (dir == MM_TO_SERVER && code == 0xE0) {
        conn_request(a, f, s, p, n, ts);
    } else if (dir == MM_TO_CLIENT && code == 0xD0) {
        conn_confirm(a, f, s, p, n, ts);
        if (s->selected)
            d->done = s->d[0].done = true;   /* TLS follows: app.c hands it over */
    } else if (dir == MM_TO_SERVER && code == 0xF0) {
        connect_initial(a, f, s, p, n, ts);
        d->done = true;                      /* the rest is encrypted or bulk */
    } else if (dir == MM_TO_CLIENT && code == 0xF0 && n >= 9 && p[7] == 0x7F && p[8] == 0x66) {
        /* MCS Connect Response (T.125, BER application 102): logged as
         * Suricata does, with no detail */
        mm_json *j;
        begin(a, f, s, "connect_response", MM_TO_CLIENT, ts, &j);
        mj_obj_close(j);
        mm_app_event_end(a, f);
        d->done = true;
    }
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *p, uint32_t n,
                  uint64_t ts)
{
    rdp_state *s = st;
    rdp_dir *d = &s->d[dir];
    if (d->done || f->proto == 17)
        return;                              /* UDP transport: identified only */
    if (!p) {
        d->done = true;
        return;
    }
    while (n && !d->done) {
        if (d->hlen < 4) {
            d->hdr[d->hlen++] = *p++;
            n--;
            if (d->hlen < 4)
                continue;
            if (d->hdr[0] != 3) {
                d->done = true;              /* fast-path or TLS: not ours */
                return;
            }
            d->need = (uint32_t)d->hdr[2] << 8 | d->hdr[3];
            if (d->need < 7) {
                mm_app_error(a, f);
                d->done = true;
                return;
            }
            if (!d->buf && !(d->buf = mm_app_alloc_buf(a, RDP_KEEP))) {
                d->done = true;
                return;
            }
            memcpy(d->buf, d->hdr, 4);
            d->got = 4;
        }
        uint32_t k = n < d->need - d->got ? n : d->need - d->got;
        if (d->got < RDP_KEEP) {
            uint32_t c = k < RDP_KEEP - d->got ? k : RDP_KEEP - d->got;
            memcpy(d->buf + d->got, p, c);
        }
        d->got += k;
        p += k;
        n -= k;
        if (d->got == d->need) {
            record(a, f, s, dir, d->buf, d->got < RDP_KEEP ? d->got : RDP_KEEP, ts);
            d->hlen = 0;
        }
    }
    if (d->done) {
        mm_app_free(a, d->buf, RDP_KEEP);
        d->buf = NULL;
    }
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    (void)f;
    (void)ts;
    rdp_state *s = st;
    for (int i = 0; i < 2; i++)
        mm_app_free(a, s->d[i].buf, RDP_KEEP);
}

const mm_app_parser mm_parser_rdp = {
    .name = "rdp", .id = MM_APP_RDP, .tcp = true, .udp = true,
    .probe = probe, .state_size = sizeof(rdp_state), .parse = parse, .finish = finish,
};
