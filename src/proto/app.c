/*
 * app.c - protocol detection and dispatch to the parsers; see app.h.
 */
#include "proto/app.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mm_app_parser *const parsers[] = {
    &mm_parser_http, &mm_parser_tls, &mm_parser_dns, &mm_parser_ssh, &mm_parser_smb,
    &mm_parser_ntp, &mm_parser_dhcp, &mm_parser_smtp,
    &mm_parser_rdp, &mm_parser_ftp, &mm_parser_ftpdata, &mm_parser_stratum,
    &mm_parser_telnet, &mm_parser_dcerpc, &mm_parser_dcerpc_udp,
};
#define NPARSERS (sizeof parsers / sizeof parsers[0])

/* Per-flow application state, hung on mm_flow.app. */
typedef struct app_flow {
    const mm_app_parser *p;
    uint32_t seen[2];                 /* bytes offered for probing, per direction */
    uint8_t probe[2][MM_APP_PROBE_MAX];
    uint16_t probe_len[2];
    bool no_more[2];                  /* direction ruled out for every probe */
    size_t size;
    void *st;                         /* parser state, after detection */
    void *tls_st;                     /* TLS started later (STARTTLS, CONNECT...) */
    bool tls_off[2];                  /* cleartext resumed after it (FTP's CCC) */
    bool eof[2];                      /* the stream ended in this direction */
    int8_t det_dir;                   /* the direction the protocol was found in */
    bool other_probed;                /* the other direction's first data was probed */
    bool change;                      /* the parser asked for a protocol change */
} app_flow;

void mm_app_init(mm_app *a, mm_eve *eve, uint64_t memcap, bool enabled)
{
    memset(a, 0, sizeof(*a));
    a->eve = eve;
    a->memcap = memcap;
    a->enabled = enabled;
    a->store.hashes = MM_HASH_SHA256;
    a->http_layers = 2;         /* libhtp's default decompress layer limit */
}

const char *mm_app_name(uint16_t id)
{
    if (id == MM_APP_FAILED)
        return "failed";
    for (size_t i = 0; i < NPARSERS; i++)
        if (parsers[i]->id == id)
            return parsers[i]->name;
    return NULL;
}

/* The per-protocol flow counters Suricata's stats have. */
static bool suricata_counter(const char *n)
{
    static const char *const names[] = {"http", "tls", "dns_tcp", "dns_udp", "ssh", "smb",
                                        "ntp", "dhcp", "smtp", "rdp", "ftp", "ftp_data",
                                        "telnet", "dcerpc_tcp"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(n, names[i]))
            return true;
    return false;
}

/* The stats name for a protocol on a transport: "dns_udp", "http" ... (NULL
 * when the protocol does not run on that transport); *ours is true when
 * Suricata has no such counter (it goes in mimamori's stats). */
static const char *stats_name(uint16_t id, bool udp, bool *ours, char *buf, size_t n)
{
    for (size_t i = 0; i < NPARSERS; i++) {
        const mm_app_parser *p = parsers[i];
        if (p->id != id || (udp ? !p->udp : !p->tcp))
            continue;
        if (p->tcp && p->udp)
            snprintf(buf, n, "%s_%s", p->name, udp ? "udp" : "tcp");
        else
            snprintf(buf, n, "%s", p->name);
        for (char *c = buf; *c; c++)
            if (*c == '-')
                *c = '_';               /* "ftp-data" is counted as "ftp_data" */
        *ours = false;
        if (suricata_counter(buf))
            return buf;
        if (p->tcp && p->udp && !udp && suricata_counter(p->name))
            return p->name;             /* Suricata counts RDP over TCP as "rdp" */
        *ours = true;
        return buf;
    }
    return NULL;
}

/* Every protocol on each of its transports fits the stats' list. */
_Static_assert(2 * (MM_APP__COUNT - 1) <= MM_STATS_APP_FLOWS_MAX, "stats list too short");

void mm_app_stats_get(const mm_app *a, mm_stats_app *out)
{
    memset(out, 0, sizeof(*out));
    for (uint16_t id = 1; id < MM_APP__COUNT; id++) {
        for (int udp = 0; udp < 2; udp++) {
            char nb[32];
            bool ours;
            const char *n = stats_name(id, udp, &ours, nb, sizeof nb);
            if (!n || out->nflows >= MM_STATS_APP_FLOWS_MAX)
                continue;
            mm_stats_app_flows *c = &out->flows[out->nflows++];
            snprintf(c->name, sizeof c->name, "%s", n);
            c->flows = a->st.flows[id][udp];
            c->ours = ours;
        }
    }
    out->failed[0] = a->st.failed[0];
    out->failed[1] = a->st.failed[1];
    out->events = a->st.events;
    out->parse_errors = a->st.parse_errors;
    out->memcap_skips = a->st.memcap_skips;
    out->memuse = a->st.memuse;
}

void *mm_app_alloc(mm_app *a, size_t n)
{
    if (a->st.memuse + n > a->memcap) {
        a->st.memcap_skips++;
        return NULL;
    }
    void *p = calloc(1, n);
    if (p)
        a->st.memuse += n;
    return p;
}

void *mm_app_alloc_buf(mm_app *a, size_t n)
{
    if (a->st.memuse + n > a->memcap) {
        a->st.memcap_skips++;
        return NULL;
    }
    void *p = malloc(n);
    if (p)
        a->st.memuse += n;
    return p;
}

void mm_app_free(mm_app *a, void *p, size_t n)
{
    if (!p)
        return;
    free(p);
    a->st.memuse -= n;
}

void mm_app_error(mm_app *a, mm_flow *f)
{
    (void)f;
    a->st.parse_errors++;
}

static app_flow *get(mm_app *a, mm_flow *f)
{
    if (f->app)
        return f->app;
    if (f->app_proto)      /* decided earlier and state given up */
        return NULL;
    /* (a TCP flow that failed detection keeps its state: see give_up) */
    if (a->st.memuse + sizeof(app_flow) > a->memcap) {
        a->st.memcap_skips++;
        return NULL;
    }
    app_flow *af = calloc(1, sizeof(*af));
    if (!af)
        return NULL;
    af->size = sizeof(*af);
    a->st.memuse += af->size;
    f->app = af;
    return af;
}

static void release(mm_app *a, mm_flow *f)
{
    app_flow *af = f->app;
    if (!af)
        return;
    a->st.memuse -= af->size;
    free(af->st);
    mm_app_free(a, af->tls_st, mm_parser_tls.state_size);
    free(af);
    f->app = NULL;
}

/* A TLS ClientHello record at the start of d: TLS begins here. */
static bool client_hello_at(const uint8_t *d, uint32_t n)
{
    return n >= 6 && d[0] == 0x16 && d[1] == 3 && d[2] <= 4 && d[5] == 1;
}

/* After STARTTLS, HTTP CONNECT, a SOCKS or PROXY handshake...: TLS takes
 * over the flow; the first protocol's parser sees nothing more. True when
 * the data went to TLS. */
static bool tls_upgrade(mm_app *a, mm_flow *f, app_flow *af, int dir, const uint8_t *d,
                        uint32_t n, uint64_t ts)
{
    if (af->p == &mm_parser_tls)
        return false;
    if (!af->tls_st) {
        if (dir != MM_TO_SERVER || !d || !client_hello_at(d, n))
            return false;
        af->tls_st = mm_app_alloc(a, mm_parser_tls.state_size);
        if (!af->tls_st)
            return false;
        if (f->app_proto == MM_APP_FAILED || f->app_proto == MM_APP_UNKNOWN) {
            f->app_proto = MM_APP_TLS;
            a->st.flows[MM_APP_TLS][0]++;
        }
    }
    if (af->tls_off[dir])
        return false;
    if (!af->p && !af->other_probed && dir == MM_TO_CLIENT && d && n) {
        /* TLS from the first byte: the peer's first data is no TLS record
         * (type 20-24) - known one way only, as Suricata 7 says */
        af->other_probed = true;
        if (d[0] < 20 || d[0] > 24)
            mm_app_observe(a, f, dir, MM_OBS_APP_EVENT,
                           "applayer_detect_protocol_only_one_direction", ts);
    }
    /* Four printable bytes where a record should start cannot be TLS (a
     * record begins with type 20-24): the first protocol speaks again in
     * clear, as FTP does after CCC. */
    if (af->p && d && n >= 4 && mm_tls_at_boundary(af->tls_st, dir) &&
        d[0] >= 0x20 && d[0] < 0x7f && d[1] >= 0x20 && d[1] < 0x7f && d[2] >= 0x20 &&
        d[2] < 0x7f && d[3] >= 0x20 && d[3] < 0x7f) {
        af->tls_off[dir] = true;
        return false;
    }
    mm_parser_tls.parse(a, f, af->tls_st, dir, d, n, ts);
    return true;
}

/* Try the probes on what direction dir has shown so far. */
static void detect(mm_app *a, mm_flow *f, app_flow *af, int dir, bool udp,
                   const uint8_t *udp_data, uint32_t udp_len)
{
    bool any_more = false;
    for (size_t i = 0; i < NPARSERS; i++) {
        const mm_app_parser *p = parsers[i];
        if (udp ? !p->udp : !p->tcp)
            continue;
        if (p->excluded && p->excluded(f))
            continue;
        int r = p->probe(f, dir, udp, udp ? udp_data : af->probe[dir], udp ? udp_len : af->probe_len[dir]);
        if (r == MM_PROBE_YES) {
            if (a->st.memuse + p->state_size > a->memcap) {
                a->st.memcap_skips++;
                f->app_proto = p->id;
                release(a, f);
                return;
            }
            af->st = calloc(1, p->state_size);
            if (!af->st)
                return;
            af->size += p->state_size;
            a->st.memuse += p->state_size;
            af->p = p;
            af->det_dir = (int8_t)dir;
            f->app_proto = p->id;
            a->st.flows[p->id][udp]++;
            return;
        }
        if (r == MM_PROBE_MORE)
            any_more = true;
    }
    if (!udp && (!any_more || af->probe_len[dir] == MM_APP_PROBE_MAX))
        af->no_more[dir] = true;
}

static void give_up(mm_app *a, mm_flow *f)
{
    f->app_proto = MM_APP_FAILED;
    a->st.failed[f->proto == 17]++;
    if (f->proto != 6)
        release(a, f);   /* TCP keeps its small state: TLS may still start */
}

void mm_app_expect(mm_app *a, const mm_ip *ip, uint16_t port, const char *cmd,
                   const char *name)
{
    mm_app_expectation *e = &a->expect[a->expect_next++ % MM_APP_EXPECT];
    e->ip = *ip;
    e->port = port;
    e->used = true;
    mm_strcpy(e->cmd, sizeof e->cmd, cmd);
    mm_strcpy(e->name, sizeof e->name, name);
}

/* Parser p takes flow f over: its state, counted against the memory cap. */
static bool adopt(mm_app *a, mm_flow *f, app_flow *af, const mm_app_parser *p, bool udp)
{
    if (!(af->st = mm_app_alloc(a, p->state_size)))
        return false;
    af->size += p->state_size;      /* counted once: release() gives it back */
    af->p = p;
    f->app_proto = p->id;
    a->st.flows[p->id][udp]++;
    return true;
}

/* A new TCP flow announced by a control connection (FTP data). */
static bool expected(mm_app *a, mm_flow *f, app_flow *af)
{
    for (int i = 0; i < MM_APP_EXPECT; i++) {
        mm_app_expectation *e = &a->expect[i];
        if (!e->used || e->port != f->sport || e->ip.v != f->srv.v ||
            memcmp(e->ip.b, f->srv.b, 16) != 0)
            continue;
        e->used = false;
        if (!adopt(a, f, af, &mm_parser_ftpdata, false))
            return false;
        af->other_probed = true;        /* announced, not probed: no mismatch */
        mm_ftpdata_init(af->st, e->cmd, e->name);
        return true;
    }
    return false;
}

/* The first data of the direction the protocol was not found in: when it
 * is plainly another protocol (an HTTP request answered by an SSH banner),
 * Suricata's applayer_mismatch_protocol_both_directions. The flow keeps
 * the protocol found first. */
static void other_direction(mm_app *a, mm_flow *f, app_flow *af, int dir, const uint8_t *d,
                            uint32_t n, uint64_t ts)
{
    af->other_probed = true;
    uint32_t k = n < MM_APP_PROBE_MAX ? n : MM_APP_PROBE_MAX;
    const mm_app_parser *other = NULL;
    for (size_t i = 0; i < NPARSERS; i++) {
        const mm_app_parser *p = parsers[i];
        if (!p->tcp || (p->excluded && p->excluded(f)) ||
            p->probe(f, dir, false, d, k) != MM_PROBE_YES)
            continue;
        if (p == af->p)
            return;             /* the same protocol answers */
        if (!other)
            other = p;
    }
    if (other)
        mm_app_observe(a, f, dir, MM_OBS_APP_EVENT,
                       "applayer_mismatch_protocol_both_directions", ts);
    else if (af->p == &mm_parser_tls)
        /* TLS is known by its records both ways: a peer answering with
         * something else (an SMTP greeting on 465) is known one way only,
         * as Suricata 7 says (smtp-tls-protodetect) */
        mm_app_observe(a, f, dir, MM_OBS_APP_EVENT,
                       "applayer_detect_protocol_only_one_direction", ts);
}

void mm_app_change_proto(mm_app *a, mm_flow *f)
{
    (void)a;
    app_flow *af = f->app;
    if (af && af->p && !f->app_proto_orig)  /* one change per flow */
        af->change = true;
}

/* The parser that asked for a change is finished and dropped; detection
 * starts over on what comes next, both directions. */
static void change_proto(mm_app *a, mm_flow *f, app_flow *af)
{
    const mm_app_parser *p = af->p;
    if (p->finish)
        p->finish(a, f, af->st, f->last_ns);
    free(af->st);
    a->st.memuse -= p->state_size;
    af->size -= p->state_size;
    af->st = NULL;
    af->p = NULL;
    af->change = false;
    f->app_proto_orig = f->app_proto;
    f->app_proto = MM_APP_UNKNOWN;
    for (int d = 0; d < 2; d++) {
        af->seen[d] = 0;
        af->probe_len[d] = 0;
        af->no_more[d] = false;
    }
    af->other_probed = false;
}

/* Data of one direction: probe until a protocol is found, then parse. */
static void feed(mm_app *a, mm_flow *f, int dir, const uint8_t *d, uint32_t n, uint64_t ts,
                 bool udp)
{
    app_flow *af = get(a, f);
    if (!af)
        return;
    if (!udp && !af->p && f->app_proto == MM_APP_UNKNOWN && !af->seen[0] && !af->seen[1] &&
        a->expect_next && expected(a, f, af)) {
        af->p->parse(a, f, af->st, dir, d, n, ts);
        return;
    }
    if (!udp && tls_upgrade(a, f, af, dir, d, n, ts))
        return;
    if (af->p) {
        if (!udp && d && n && !af->other_probed && dir != af->det_dir)
            other_direction(a, f, af, dir, d, n, ts);
        af->p->parse(a, f, af->st, dir, d, n, ts);
        if (af->change)
            change_proto(a, f, af);
        return;
    }
    if (f->app_proto == MM_APP_FAILED) {
        /* Late start: after a SOCKS or PROXY handshake, or another protocol
         * we do not parse, a chunk may begin a protocol we know. */
        if (!d)
            return;
        for (size_t i = 0; i < NPARSERS; i++) {
            const mm_app_parser *p = parsers[i];
            if (!p->tcp || (p->excluded && p->excluded(f)) ||
                p->probe(f, dir, false, d, n < MM_APP_PROBE_MAX ? n : MM_APP_PROBE_MAX) !=
                    MM_PROBE_YES)
                continue;
            if (!adopt(a, f, af, p, false))
                return;
            af->other_probed = true;    /* a late start: the other side is not compared */
            p->parse(a, f, af->st, dir, d, n, ts);
            return;
        }
        return;
    }
    if (!d) {
        af->no_more[dir] = true;        /* a gap before detection: direction lost */
    } else {
        af->seen[dir] += n;
        if (!af->no_more[dir]) {
            if (udp)
                af->probe_len[dir] = 0; /* each datagram is probed on its own */
            uint32_t held = af->probe_len[dir];
            uint32_t k = n < MM_APP_PROBE_MAX - held ? n : MM_APP_PROBE_MAX - held;
            memcpy(af->probe[dir] + held, d, k);
            af->probe_len[dir] = (uint16_t)(held + k);
            detect(a, f, af, dir, udp, d, n);
            if (!f->app)
                return;                 /* found, but no memory to parse it */
            if (!af->p && !udp && held) {
                /* A chunk may start the protocol after a handshake of
                 * another (SOCKS, PROXY): probe it on its own too. */
                uint32_t k2 = n < MM_APP_PROBE_MAX ? n : MM_APP_PROBE_MAX;
                memcpy(af->probe[dir], d, k2);
                af->probe_len[dir] = (uint16_t)k2;
                af->no_more[dir] = false;
                detect(a, f, af, dir, udp, d, n);
                if (!f->app)
                    return;
                if (af->p) {
                    af->p->parse(a, f, af->st, dir, d, n, ts);
                    return;
                }
                /* not this either: gathering goes on from this chunk */
            }
            if (af->p) {
                /* The parser gets what the other direction showed so far
                 * (a greeting, sent before), then what was held back of
                 * this one, then this data. */
                int o = dir ^ 1;
                if (af->probe_len[o] && !udp) {
                    af->p->parse(a, f, af->st, o, af->probe[o], af->probe_len[o], ts);
                    /* what that direction sent beyond the probe window is
                     * not held: the parser hears of it as a gap */
                    if (af->seen[o] > af->probe_len[o])
                        af->p->parse(a, f, af->st, o, NULL, af->seen[o] - af->probe_len[o], ts);
                }
                if (held && !udp)
                    af->p->parse(a, f, af->st, dir, af->probe[dir], held, ts);
                af->p->parse(a, f, af->st, dir, d, n, ts);
                return;
            }
        }
    }
    if (!udp && (af->no_more[0] || af->seen[0] >= MM_APP_GIVEUP) &&
        (af->no_more[1] || af->seen[1] >= MM_APP_GIVEUP))
        give_up(a, f);
}

void mm_app_stream(mm_app *a, mm_flow *f, int dir, const uint8_t *d, uint32_t n, bool eof)
{
    if (eof && f->app) {
        /* both directions over: the parser's work is done now, not at the
         * flow's timeout (closed connections would hold memory until then) */
        app_flow *af = f->app;
        af->eof[dir & 1] = true;
        /* Suricata's app layer has its end (STREAM_EOF: the txs still
         * open are logged) when the TCP session is closed - the last FIN
         * acknowledged (mm_app_packet) - or when the flow ends */
        if (af->eof[0] && af->eof[1] && f->tcp_state == MM_TCP_CLOSED)
            mm_app_flow_end(a, f);
        return;
    }
    if (!a->enabled || eof || n == 0 || (f->app_proto == MM_APP_FAILED && !f->app))
        return;
    feed(a, f, dir, d, n, f->last_ns, false);
}

void mm_app_udp(mm_app *a, mm_flow *f, int dir, const uint8_t *d, uint32_t n, uint64_t ts)
{
    if (!a->enabled || n == 0 || f->app_proto == MM_APP_FAILED)
        return;
    feed(a, f, dir, d, n, ts, true);
    /* UDP: a flow whose first datagrams match nothing is given up. */
    app_flow *af = f->app;
    if (af && !af->p && f->pkts[0] + f->pkts[1] >= 8)
        give_up(a, f);
}

void mm_app_flow_end(mm_app *a, mm_flow *f)
{
    app_flow *af = f->app;
    if (af && af->p && af->p->finish)
        af->p->finish(a, f, af->st, f->last_ns);
    if (af && af->tls_st)
        mm_parser_tls.finish(a, f, af->tls_st, f->last_ns);
    if (af && !af->p && !f->app_proto && (af->seen[0] || af->seen[1]))
        give_up(a, f);
    release(a, f);
}

void mm_app_packet(mm_app *a, mm_flow *f, int dir, uint64_t ts)
{
    app_flow *af = f->app;
    if (!af)
        return;
    if (af->p && af->p->packet && af->st)
        af->p->packet(a, f, af->st, dir, ts);
    if (f->app == af && af->eof[0] && af->eof[1] && f->tcp_state == MM_TCP_CLOSED)
        mm_app_flow_end(a, f);
}

mm_json *mm_app_event_begin(mm_app *a, const mm_flow *f, uint64_t ts, const char *type,
                            int dir, bool dir_tuple)
{
    return mm_eve_begin_flow_event(a->eve, f, ts, type, dir_tuple && dir == MM_TO_CLIENT,
                                   mm_app_name(f->app_proto));
}

void mm_app_event_end(mm_app *a, const mm_flow *f)
{
    mm_eve_end_flow_event(a->eve, f);
    a->st.events++;
}

mm_json *mm_app_event_mimamori(mm_app *a, const mm_flow *f)
{
    return mm_eve_flow_event_mimamori(a->eve, f);
}

void mm_app_event_close(mm_app *a)
{
    mm_eve_flow_event_close(a->eve);
    a->st.events++;
}

int mm_probe_verbs(const uint8_t *d, uint32_t n, const char *const *verbs, size_t nverbs)
{
    for (size_t v = 0; v < nverbs; v++) {
        size_t l = strlen(verbs[v]);
        uint32_t k = n < l ? n : (uint32_t)l, i = 0;
        while (i < k && toupper(d[i]) == verbs[v][i])
            i++;
        if (i == k)
            return n >= l ? MM_PROBE_YES : MM_PROBE_MORE;
    }
    return MM_PROBE_NO;
}

int mm_probe_greeting(const uint8_t *d, uint32_t n, const char *word)
{
    if (n < 4)
        return memcmp(d, "220", n < 3 ? n : 3) == 0 ? MM_PROBE_MORE : MM_PROBE_NO;
    if (memcmp(d, "220", 3) != 0 || (d[3] != ' ' && d[3] != '-'))
        return MM_PROBE_NO;
    const uint8_t *eol = memchr(d, '\n', n);
    uint32_t l = eol ? (uint32_t)(eol - d) : n;
    size_t wl = strlen(word);
    for (uint32_t i = 0; i + wl <= l; i++) {
        size_t k = 0;
        while (k < wl && toupper(d[i + k]) == word[k])
            k++;
        if (k == wl)
            return MM_PROBE_YES;
    }
    return eol ? MM_PROBE_NO : MM_PROBE_MORE;
}
