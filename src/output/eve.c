/*
 * eve.c - EVE JSON events: flow, anomaly, stats.
 *
 * Field names and layouts are Suricata's, so tools built for Suricata read
 * these lines unchanged. What Suricata has no field for goes in one
 * top-level object, "mimamori" (site, sensor, direction, countries, our own
 * counters), because Suricata's schema closes every other object.
 */
#include "output/output.h"
#include "util/community_id.h"
#include "analysis/geo.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mm_eve_init(mm_eve *e)
{
    memset(e, 0, sizeof(*e));
    mj_init(&e->j);
}

void mm_eve_free(mm_eve *e)
{
    mj_free(&e->j);
}

const char *mm_proto_name(uint8_t proto, char *buf, size_t n)
{
    switch (proto) {
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "IPv6-ICMP";
    case 103: return "PIM";
    case 112: return "VRRP";
    case 132: return "SCTP";
    default:
        snprintf(buf, n, "%u", proto);
        return buf;
    }
}

const char *mm_eve_direction(const mm_eve *e, const mm_ip *cli, const mm_ip *srv)
{
    bool c = e->home && mm_netlist_contains(e->home, cli);
    bool s = e->home && mm_netlist_contains(e->home, srv);
    if (c && s) return "internal";
    if (c) return "outbound";
    if (s) return "inbound";
    return "external";
}

void mm_eve_emit(mm_eve *e)
{
    mj_append(&e->j, "\n", 1);
    if (e->j.oom) {
        e->write_errors++;
        return;
    }
    if (e->sink.write(e->sink.ctx, e->j.s, e->j.len) != 0)
        e->write_errors++;
    else
        e->events++;
}

static void header(mm_eve *e, uint64_t ts)
{
    char tsb[MM_TS_LEN];
    mj_reset(&e->j);
    mj_obj_open(&e->j, NULL);
    mm_fmt_ts(ts, tsb);
    mj_str(&e->j, "timestamp", tsb);
}

static void tuple(mm_eve *e, const mm_ip *s, uint16_t sp, const mm_ip *d, uint16_t dp,
                  uint8_t proto, bool ports)
{
    char a[MM_IPSTR_LEN], pn[8];
    mm_ip_str_full(s, a);       /* as Suricata's events: IPv6 written out whole */
    mj_str(&e->j, "src_ip", a);
    if (ports)
        mj_u64(&e->j, "src_port", sp);
    mm_ip_str_full(d, a);
    mj_str(&e->j, "dest_ip", a);
    if (ports)
        mj_u64(&e->j, "dest_port", dp);
    mj_str(&e->j, "proto", mm_proto_name(proto, pn, sizeof pn));
}

/* The packet's number in the capture files (and the file's name, when
 * asked for: Suricata's pcap-file), on events of a packet being handled. */
static void pkt_no(const mm_eve *e, mm_json *j)
{
    if (!e->pcap_cnt || !e->pkt_raw)
        return;                 /* none for what a flow's end writes (Suricata's pseudo packets) */
    mj_u64(j, "pcap_cnt", e->pcap_cnt);
    if (e->pcap_filename)
        mj_str(j, "pcap_filename", e->pcap_filename);
}

static bool has_ports(uint8_t proto) { return proto == 6 || proto == 17 || proto == 132; }

const char *mm_eve_pkt_src(const mm_eve *e)
{
    return !e->pkt_raw ? "stream (flow timeout)"   /* written at a flow's end */
         : !e->tunnel ? "wire/pcap"
         : e->tunnel->outer.src.v == 6 ? "ipv6 tunnel" : "ipv4 tunnel";
}

void mm_eve_tunnel(mm_eve *e, mm_json *j)
{
    const mm_pkt *p = e->tunnel;
    if (!p || !p->outer.on)
        return;
    mj_obj_open(j, "tunnel");
    tuple(e, &p->outer.src, p->outer.sport, &p->outer.dst, p->outer.dport, p->outer.proto,
          has_ports(p->outer.proto));
    mj_u64(j, "depth", p->outer.depth);
    if (e->pcap_cnt)
        mj_u64(j, "pcap_cnt", e->pcap_cnt);
    mj_str(j, "pkt_src", "wire/pcap");
    mj_obj_close(j);
}

/* The flow's Community ID, when asked for (ICMP by the client's message). */
static void flow_cid(mm_eve *e, const mm_flow *f)
{
    if (!e->community_id)
        return;
    char id[MM_COMMUNITY_ID_LEN];
    bool icmp = f->proto == 1 || f->proto == 58;
    mm_community_id(&f->cli, icmp ? f->icmp_type[0] : f->cport, &f->srv,
                    icmp ? f->icmp_code[0] : f->sport, f->proto, e->community_seed, id);
    mj_str(&e->j, "community_id", id);
}

static void mimamori_obj(mm_eve *e, const mm_ip *cli, const mm_ip *srv)
{
    mj_obj_open(&e->j, "mimamori");
    mj_str(&e->j, "site", e->site);
    mj_str(&e->j, "sensor", e->sensor);
    if (cli && srv) {
        mj_str(&e->j, "direction", mm_eve_direction(e, cli, srv));
        char cc[3];
        if (mm_geo_lookup(e->geo, cli, cc) == MM_GEO_COUNTRY)
            mj_str(&e->j, "src_country", cc);
        if (mm_geo_lookup(e->geo, srv, cc) == MM_GEO_COUNTRY)
            mj_str(&e->j, "dest_country", cc);
    }
}

static void mac_str(const uint8_t *a, char *out)
{
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
}

mm_json *mm_eve_begin_flow_event(mm_eve *e, const mm_flow *f, uint64_t ts, const char *type,
                                 bool rev, const char *app_proto)
{
    return mm_eve_begin_flow_event_client(e, f, ts, type, rev, app_proto, NULL);
}

mm_json *mm_eve_begin_flow_event_client(mm_eve *e, const mm_flow *f, uint64_t ts,
                                        const char *type, bool rev, const char *app_proto,
                                        const mm_ip *client)
{
    header(e, ts);
    mj_u64(&e->j, "flow_id", f->flow_id);
    pkt_no(e, &e->j);
    mj_str(&e->j, "event_type", type);
    mj_str(&e->j, "host", e->sensor);
    if (f->vlan_n) {            /* as Suricata's events: the flow's tags */
        mj_arr_open(&e->j, "vlan");
        for (int i = 0; i < f->vlan_n && i < 2; i++)
            mj_u64(&e->j, NULL, f->vlan[i]);
        mj_arr_close(&e->j);
    }
    const mm_ip *cli = client ? client : &f->cli;
    if (rev)
        tuple(e, &f->srv, f->sport, cli, f->cport, f->proto, has_ports(f->proto));
    else
        tuple(e, cli, f->cport, &f->srv, f->sport, f->proto, has_ports(f->proto));
    mj_str(&e->j, "pkt_src", mm_eve_pkt_src(e));
    flow_cid(e, f);
    if (app_proto)
        mj_str(&e->j, "app_proto", app_proto);
    if (e->ethernet && e->pkt_eth) {    /* the packet's own addresses */
        char t[18];
        mj_obj_open(&e->j, "ether");
        mac_str(e->pkt_eth + 6, t);
        mj_str(&e->j, "src_mac", t);
        mac_str(e->pkt_eth, t);
        mj_str(&e->j, "dest_mac", t);
        mj_obj_close(&e->j);
    }
    return &e->j;
}

mm_json *mm_eve_begin_pkt_event(mm_eve *e, const mm_pkt *p, uint64_t ts, const char *type)
{
    header(e, ts);
    pkt_no(e, &e->j);
    mj_str(&e->j, "event_type", type);
    mj_str(&e->j, "host", e->sensor);
    if (p->ipver)
        tuple(e, &p->src, p->sport, &p->dst, p->dport, p->proto,
              has_ports(p->proto) && (p->sport || p->dport));
    mj_str(&e->j, "pkt_src", mm_eve_pkt_src(e));
    return &e->j;
}

void mm_eve_pkt_event_close(mm_eve *e, const mm_pkt *p)
{
    mimamori_obj(e, p->ipver ? &p->src : NULL, p->ipver ? &p->dst : NULL);
    mm_eve_flow_event_close(e);
}

mm_json *mm_eve_flow_event_mimamori(mm_eve *e, const mm_flow *f)
{
    if (e->flow_extra)
        e->flow_extra(e->flow_extra_ctx, &e->j, f);
    mimamori_obj(e, &f->cli, &f->srv);
    return &e->j;
}

void mm_eve_flow_event_close(mm_eve *e)
{
    mj_obj_close(&e->j); /* mimamori */
    mj_obj_close(&e->j);
    mm_eve_emit(e);
}

void mm_eve_end_flow_event(mm_eve *e, const mm_flow *f)
{
    mm_eve_flow_event_mimamori(e, f);
    mm_eve_flow_event_close(e);
}

static void flags_hex(char out[3], uint8_t f)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = hex[f >> 4];
    out[1] = hex[f & 15];
    out[2] = 0;
}

static const char *tcp_state_name(uint8_t s)
{
    switch (s) {
    case MM_TCP_SYN_SENT: return "syn_sent";
    case MM_TCP_SYN_RECV: return "syn_recv";
    case MM_TCP_ESTABLISHED: return "established";
    case MM_TCP_FIN_WAIT1: return "fin_wait1";
    case MM_TCP_CLOSING: return "closing";
    case MM_TCP_CLOSED: return "closed";
    default: return "none";
    }
}

#define MACS_SIDE 8

/* The client side's addresses (sources going to the server, destinations
 * coming back) and the server side's, in the order first seen. */
struct mm_macset {
    uint8_t n[2];
    uint8_t mac[2][MACS_SIDE][6];
};

static void mac_add(struct mm_macset *m, int side, const uint8_t *a)
{
    for (int i = 0; i < m->n[side]; i++)
        if (memcmp(m->mac[side][i], a, 6) == 0)
            return;
    if (m->n[side] < MACS_SIDE)
        memcpy(m->mac[side][m->n[side]++], a, 6);
}

void mm_eve_flow_macs(mm_flow *f, int dir, const uint8_t *eth)
{
    if (!eth || (!f->macs && !(f->macs = calloc(1, sizeof *f->macs))))
        return;
    mac_add(f->macs, dir ? 1 : 0, eth + 6);     /* source */
    mac_add(f->macs, dir ? 0 : 1, eth);         /* destination */
}

void mm_eve_flow_macs_free(mm_flow *f)
{
    free(f->macs);
    f->macs = NULL;
}

static void flow_macs(mm_json *j, const struct mm_macset *m)
{
    static const char *const names[2] = {"src_macs", "dest_macs"};
    char t[18];
    mj_obj_open(j, "ether");
    for (int side = 0; side < 2; side++) {
        mj_arr_open(j, names[side]);
        for (int i = 0; i < m->n[side]; i++) {
            mac_str(m->mac[side][i], t);
            mj_str(j, NULL, t);
        }
        mj_arr_close(j);
    }
    mj_obj_close(j);
}

void mm_eve_flow(mm_eve *e, const mm_flow *f, int reason, const char *app_proto,
                 const char *app_proto_orig)
{
    static const char *states[] = {"new", "established", "closed"};
    static const char *reasons[] = {"timeout", "forced", "shutdown"};
    char tsb[MM_TS_LEN];
    mm_json *j = &e->j;
    header(e, f->start_ns);
    mj_u64(j, "flow_id", f->flow_id);
    mj_str(j, "event_type", "flow");
    mj_str(j, "host", e->sensor);
    if (f->vlan_n) {
        mj_arr_open(j, "vlan");
        for (int i = 0; i < f->vlan_n && i < 2; i++)
            mj_u64(j, NULL, f->vlan[i]);
        mj_arr_close(j);
    }
    bool ports = has_ports(f->proto);
    tuple(e, &f->cli, f->cport, &f->srv, f->sport, f->proto, ports);
    flow_cid(e, f);
    if ((f->proto == 1 || f->proto == 58) && f->icmp_seen[0]) {
        mj_u64(j, "icmp_type", f->icmp_type[0]);
        mj_u64(j, "icmp_code", f->icmp_code[0]);
    }
    if ((f->proto == 1 || f->proto == 58) && f->icmp_seen[1]) {
        mj_u64(j, "response_icmp_type", f->icmp_type[1]);
        mj_u64(j, "response_icmp_code", f->icmp_code[1]);
    }
    if (app_proto)
        mj_str(j, "app_proto", app_proto);
    if (app_proto_orig)
        mj_str(j, "app_proto_orig", app_proto_orig);
    mj_obj_open(j, "flow");
    mj_u64(j, "pkts_toserver", f->pkts[0]);
    mj_u64(j, "pkts_toclient", f->pkts[1]);
    mj_u64(j, "bytes_toserver", f->bytes[0]);
    mj_u64(j, "bytes_toclient", f->bytes[1]);
    mm_fmt_ts(f->start_ns, tsb);
    mj_str(j, "start", tsb);
    mm_fmt_ts(f->last_ns, tsb);
    mj_str(j, "end", tsb);
    /* whole seconds between the first and last packet's seconds, as Suricata */
    mj_u64(j, "age", f->last_ns / 1000000000ULL - f->start_ns / 1000000000ULL);
    mj_str(j, "state", f->bypassed ? "bypassed" : states[f->state]);
    mj_str(j, "reason", reasons[reason]);
    mj_bool(j, "alerted", f->alerted);
    if (f->passed)
        mj_str(j, "action", "pass");
    mj_obj_close(j);
    if (e->ethernet && f->macs)
        flow_macs(j, f->macs);
    if (e->flow_extra)
        e->flow_extra(e->flow_extra_ctx, j, f);
    if (f->proto == 6) {
        char h[3];
        uint8_t all = f->flags_ts | f->flags_tc;
        mj_obj_open(j, "tcp");
        flags_hex(h, all);
        mj_str(j, "tcp_flags", h);
        flags_hex(h, f->flags_ts);
        mj_str(j, "tcp_flags_ts", h);
        flags_hex(h, f->flags_tc);
        mj_str(j, "tcp_flags_tc", h);
        if (all & MM_TH_SYN) mj_bool(j, "syn", true);
        if (all & MM_TH_FIN) mj_bool(j, "fin", true);
        if (all & MM_TH_RST) mj_bool(j, "rst", true);
        if (all & MM_TH_PSH) mj_bool(j, "psh", true);
        if (all & MM_TH_ACK) mj_bool(j, "ack", true);
        if (all & MM_TH_URG) mj_bool(j, "urg", true);
        if (all & MM_TH_ECE) mj_bool(j, "ecn", true);
        if (all & MM_TH_CWR) mj_bool(j, "cwr", true);
        mj_str(j, "state", tcp_state_name(f->tcp_state));
        if (f->half[0].gaps) mj_bool(j, "ts_gap", true);
        if (f->half[1].gaps) mj_bool(j, "tc_gap", true);
        mj_obj_close(j);
    }
    mimamori_obj(e, &f->cli, &f->srv);
    if (f->tunnel_carrier)
        mj_bool(j, "tunnel_carrier", true);
    if (f->proto == 6) {
        mj_obj_open(j, "stream");
        mj_u64(j, "toserver_bytes", f->half[0].delivered);
        mj_u64(j, "toclient_bytes", f->half[1].delivered);
        mj_u64(j, "gaps", (uint64_t)f->half[0].gaps + f->half[1].gaps);
        if (f->midstream)
            mj_bool(j, "midstream", true);
        mj_obj_close(j);
    }
    mj_obj_close(j); /* mimamori */
    mj_obj_close(j);
    mm_eve_emit(e);
}

void mm_eve_applayer_anomaly(mm_eve *e, uint64_t ts, const mm_flow *f, const char *name,
                             const char *app_proto, bool to_client, int64_t tx_id)
{
    /* "http.request_auth_unrecognized" -> app_proto http, event
     * REQUEST_AUTH_UNRECOGNIZED (Suricata's event names) */
    const char *dot = strchr(name, '.');
    /* the events of Suricata's parsers written in Rust keep their case */
    static const char *const rust[] = {"ftp.", "dns.", "smb.", "ssh.", "rdp.", "dcerpc.",
                                       "ntp.", "dhcp.", "telnet.", "http2.", "mqtt."};
    bool keep = false;
    for (size_t i = 0; i < sizeof rust / sizeof rust[0] && !keep; i++)
        keep = !strncmp(name, rust[i], strlen(rust[i]));
    char ev[96];
    size_t k = 0;
    for (const char *c = dot ? dot + 1 : name; *c && k < sizeof ev - 1; c++)
        ev[k++] = keep ? *c : (char)toupper((unsigned char)*c);
    ev[k] = 0;
    bool detect = strcmp(ev, "APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS") == 0 ||
                  strcmp(ev, "APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION") == 0;
    mm_json *j = mm_eve_begin_flow_event(e, f, ts, "anomaly", to_client, app_proto);
    if (tx_id >= 0)
        mj_u64(j, "tx_id", (uint64_t)tx_id);
    mj_obj_open(j, "anomaly");
    if (app_proto)
        mj_str(j, "app_proto", app_proto);
    mj_str(j, "type", "applayer");
    mj_str(j, "event", ev);
    mj_str(j, "layer", detect ? "proto_detect" : "proto_parser");
    mj_obj_close(j);
    mm_eve_end_flow_event(e, f);
}

void mm_eve_anomaly(mm_eve *e, uint64_t ts, const mm_pkt *p, const mm_flow *f, int an)
{
    const mm_anomaly_info *ai = &mm_anomaly_table[an];
    char ev[96];
    mm_json *j = &e->j;
    header(e, ts);
    if (f)
        mj_u64(j, "flow_id", f->flow_id);
    pkt_no(e, j);
    mj_str(j, "event_type", "anomaly");
    mj_str(j, "host", e->sensor);
    const mm_ip *cli = NULL, *srv = NULL;
    if (f) {
        tuple(e, &f->cli, f->cport, &f->srv, f->sport, f->proto, has_ports(f->proto));
        flow_cid(e, f);
        cli = &f->cli;
        srv = &f->srv;
    } else if (p && p->ipver) {
        tuple(e, &p->src, p->sport, &p->dst, p->dport, p->proto,
              has_ports(p->proto) && (p->sport || p->dport));
        cli = &p->src;
        srv = &p->dst;
    }
    mj_str(j, "pkt_src", mm_eve_pkt_src(e));
    mj_obj_open(j, "anomaly");
    mj_str(j, "type", ai->type);
    if (strcmp(ai->type, "stream") == 0)
        snprintf(ev, sizeof ev, "stream.%s", ai->name);
    else
        snprintf(ev, sizeof ev, "decoder.%s.%s", ai->layer, ai->name);
    mj_str(j, "event", ev);
    mj_obj_close(j);
    if (e->anomaly_packethdr && p && p->raw) {
        /* as Suricata's packethdr: the start of the frame and its link type */
        char b64[64];
        size_t n = p->raw->caplen < 32 ? p->raw->caplen : 32;
        b64[mm_base64_encode(p->raw->data, n, b64)] = 0;
        mj_str(j, "packet", b64);
        mj_obj_open(j, "packet_info");
        mj_u64(j, "linktype", (uint64_t)p->raw->linktype);
        mj_obj_close(j);
    }
    if (f && e->flow_extra)
        e->flow_extra(e->flow_extra_ctx, j, f);
    mimamori_obj(e, cli, srv);
    mj_obj_close(j);
    mj_obj_close(j);
    mm_eve_emit(e);
}

/* decoder.event.<layer>.<name> for the anomalies Suricata's schema knows. */
static void decoder_events(mm_json *j, const mm_decode_stats *d, bool in_schema)
{
    const char *open_layer = NULL;
    for (int a = 0; a < MM_AN__COUNT; a++) {
        const mm_anomaly_info *ai = &mm_anomaly_table[a];
        if (strcmp(ai->type, "decode") != 0 || ai->in_schema != in_schema)
            continue;
        /* Entries of one layer are adjacent in the table. */
        if (!open_layer || strcmp(open_layer, ai->layer) != 0) {
            if (open_layer)
                mj_obj_close(j);
            mj_obj_open(j, ai->layer);
            open_layer = ai->layer;
        }
        mj_u64(j, ai->name, d->anomalies[a]);
    }
    if (open_layer)
        mj_obj_close(j);
}

/* Flows per protocol and transport: Suricata's counters, or ours. */
static void app_flow_counters(mm_json *j, const mm_stats_app *st, bool ours)
{
    for (unsigned i = 0; i < st->nflows && i < MM_STATS_APP_FLOWS_MAX; i++)
        if (st->flows[i].ours == ours)
            mj_u64(j, st->flows[i].name, st->flows[i].flows);
}

void mm_eve_stats(mm_eve *e, uint64_t ts, const mm_sensor_stats *s)
{
    mm_json *j = &e->j;
    const mm_decode_stats *d = s->dec;
    const mm_flow_stats *f = s->flow;
    header(e, ts);
    mj_str(j, "event_type", "stats");
    mj_str(j, "host", e->sensor);
    mj_obj_open(j, "stats");
    mj_u64(j, "uptime", s->uptime_s);
    if (s->live) {
        mj_obj_open(j, "capture");
        mj_u64(j, "kernel_packets", s->kernel_packets);
        mj_u64(j, "kernel_drops", s->kernel_drops);
        mj_u64(j, "kernel_ifdrops", s->kernel_ifdrops);
        mj_obj_close(j);
    }
    mj_obj_open(j, "decoder");
    mj_u64(j, "pkts", d->pkts);
    mj_u64(j, "bytes", d->bytes);
    mj_u64(j, "invalid", d->not_ip);
    mj_u64(j, "ipv4", d->ipv4);
    mj_u64(j, "ipv6", d->ipv6);
    mj_u64(j, "ethernet", d->ethernet);
    mj_u64(j, "sll", d->sll);
    mj_u64(j, "sll2", d->sll2);
    mj_u64(j, "null", d->null);
    mj_u64(j, "raw", d->raw);
    mj_u64(j, "chdlc", d->chdlc);
    mj_u64(j, "ppp", d->ppp);
    mj_u64(j, "pppoe", d->pppoe);
    mj_u64(j, "gre", d->gre);
    mj_u64(j, "erspan", d->erspan);
    mj_u64(j, "nsh", d->nsh);
    mj_u64(j, "vlan", d->vlan);
    mj_u64(j, "vlan_qinq", d->vlan_qinq);
    mj_u64(j, "mpls", d->mpls);
    mj_u64(j, "ipv4_in_ipv4", d->ipv4_in_ipv4);
    mj_u64(j, "ipv6_in_ipv4", d->ipv6_in_ipv4);
    mj_u64(j, "ipv4_in_ipv6", d->ipv4_in_ipv6);
    mj_u64(j, "ipv6_in_ipv6", d->ipv6_in_ipv6);
    mj_u64(j, "teredo", d->teredo);
    mj_u64(j, "vxlan", d->vxlan);
    mj_u64(j, "geneve", d->geneve);
    mj_u64(j, "tcp", d->tcp);
    mj_u64(j, "udp", d->udp);
    mj_u64(j, "sctp", d->sctp);
    mj_u64(j, "icmpv4", d->icmpv4);
    mj_u64(j, "icmpv6", d->icmpv6);
    mj_u64(j, "avg_pkt_size", d->pkts ? d->bytes / d->pkts : 0);
    mj_u64(j, "max_pkt_size", d->max_pkt_size);
    mj_obj_open(j, "event");
    decoder_events(j, d, true);
    mj_obj_close(j);
    mj_obj_close(j); /* decoder */
    mj_obj_open(j, "defrag");
    mj_obj_open(j, "ipv4");
    mj_u64(j, "fragments", d->frag_v4);
    mj_u64(j, "reassembled", d->reassembled_v4);
    mj_obj_close(j);
    mj_obj_open(j, "ipv6");
    mj_u64(j, "fragments", d->frag_v6);
    mj_u64(j, "reassembled", d->reassembled_v6);
    mj_obj_close(j);
    mj_u64(j, "memuse", s->defrag_memuse);
    mj_u64(j, "tracker_hard_reuse", s->defrag_evicted);   /* Suricata's: an unfinished one dropped */
    mj_obj_close(j);
    mj_obj_open(j, "flow");
    mj_u64(j, "total", f->total);
    mj_u64(j, "active", f->active);
    mj_u64(j, "tcp", f->tcp);
    mj_u64(j, "udp", f->udp);
    mj_u64(j, "icmpv4", f->icmpv4);
    mj_u64(j, "icmpv6", f->icmpv6);
    mj_u64(j, "memuse", f->memuse);
    mj_u64(j, "memcap", f->memcap_drops);
    mj_obj_open(j, "end");
    mj_obj_open(j, "state");
    mj_u64(j, "new", f->ended_new);
    mj_u64(j, "established", f->ended_est);
    mj_u64(j, "closed", f->ended_closed);
    mj_obj_close(j);
    mj_obj_close(j);
    mj_obj_close(j); /* flow */
    mj_obj_open(j, "tcp");
    mj_u64(j, "syn", f->tcp_syn);
    mj_u64(j, "synack", f->tcp_synack);
    mj_u64(j, "rst", f->tcp_rst);
    mj_u64(j, "midstream_pickups", f->midstream);
    mj_u64(j, "reassembly_gap", f->gaps);
    mj_u64(j, "overlap", f->overlaps);
    mj_u64(j, "overlap_diff_data", f->overlap_diff);
    mj_u64(j, "segment_memcap_drop", f->seg_memcap_drops);
    mj_u64(j, "stream_depth_reached", f->depth_reached);
    mj_u64(j, "reassembly_memuse", f->stream_memuse);
    mj_obj_close(j);
    if (s->app) {
        mj_obj_open(j, "app_layer");
        mj_obj_open(j, "flow");
        app_flow_counters(j, s->app, false);
        mj_u64(j, "failed_tcp", s->app->failed[0]);
        mj_u64(j, "failed_udp", s->app->failed[1]);
        mj_obj_close(j);
        mj_obj_close(j);
    }
    if (s->filestore) {         /* as Suricata's file-store output */
        mj_obj_open(j, "file_store");
        mj_u64(j, "fs_errors", s->fs_errors);
        mj_obj_close(j);
    }
    if (s->detect) {
        mj_obj_open(j, "detect");
        if (s->rules) {         /* as Suricata's one engine (no tenants) */
            char t[MM_TS_LEN];
            mm_fmt_ts(s->rules_load_ns, t);
            mj_arr_open(j, "engines");
            mj_obj_open(j, NULL);
            mj_u64(j, "id", 0);
            mj_str(j, "last_reload", t);
            mj_u64(j, "rules_loaded", s->rules_loaded);
            mj_u64(j, "rules_failed", s->rules_failed);
            mj_u64(j, "rules_skipped", s->rules_skipped);
            mj_obj_close(j);
            mj_arr_close(j);
        }
        mj_u64(j, "alert", s->alerts);
        mj_u64(j, "alert_queue_overflow", s->alerts_overflow);
        mj_u64(j, "alerts_suppressed", s->alerts_thresholded);
        mj_obj_close(j);
    }
    mj_obj_close(j); /* stats */

    mj_obj_open(j, "mimamori");
    mj_str(j, "site", e->site);
    mj_str(j, "sensor", e->sensor);
    mj_obj_open(j, "stats");
    mj_u64(j, "events", s->events);
    mj_u64(j, "flows_evicted", f->evicted);
    mj_u64(j, "flows_not_tracked", f->memcap_drops);
    mj_u64(j, "not_ip", d->not_ip);
    mj_u64(j, "wire_bytes", d->wire_bytes);
    mj_u64(j, "gtp", d->gtp);
    mj_u64(j, "capwap", d->capwap);
    mj_u64(j, "stream_bytes", f->stream_bytes);
    mj_u64(j, "retransmitted_segments", f->retransmitted);
    mj_u64(j, "out_of_order_segments", f->ooo_segments);
    mj_u64(j, "anomaly_events_suppressed", s->anomaly_events_suppressed);
    mj_obj_open(j, "anomalies");
    decoder_events(j, d, false);
    mj_obj_close(j);
    if (s->nworkers) {                  /* the capture's workers, each */
        mj_arr_open(j, "workers");
        for (unsigned i = 0; i < s->nworkers; i++) {
            mj_obj_open(j, NULL);
            mj_u64(j, "kernel_packets", s->workers[i].kernel_packets);
            mj_u64(j, "kernel_drops", s->workers[i].kernel_drops);
            mj_u64(j, "pkts", s->workers[i].pkts);
            mj_u64(j, "flows", s->workers[i].flows);
            mj_obj_close(j);
        }
        mj_arr_close(j);
    }
    mj_obj_open(j, "drops");
    mj_u64(j, "kernel", s->kernel_drops);
    mj_u64(j, "interface", s->kernel_ifdrops);
    mj_u64(j, "flow_memcap", f->memcap_drops);
    mj_u64(j, "stream_memcap", f->seg_memcap_drops);
    mj_u64(j, "defrag_memcap", s->defrag_evicted);
    mj_u64(j, "event_write_errors", e->write_errors + s->seg_write_errors);
    mj_obj_close(j);
    if (s->app) {
        mj_obj_open(j, "app_layer");
        mj_obj_open(j, "flow");
        app_flow_counters(j, s->app, true);   /* protocols Suricata does not count */
        mj_obj_close(j);
        mj_u64(j, "events", s->app->events);
        mj_u64(j, "parse_errors", s->app->parse_errors);
        mj_u64(j, "memcap_skips", s->app->memcap_skips);
        mj_u64(j, "memuse", s->app->memuse);
        mj_obj_close(j);
    }
    if (s->detect) {
        mj_u64(j, "alerts_suppressed", s->alerts_suppressed);
        mj_u64(j, "alerts_thresholded", s->alerts_thresholded);
    }
    if (s->reloads || s->reload_failures) {   /* rules and indicators read again (SIGHUP) */
        char t[MM_TS_LEN];
        mm_fmt_ts(s->reload_ns, t);
        mj_obj_open(j, "reload");
        mj_u64(j, "done", s->reloads);
        mj_u64(j, "failed", s->reload_failures);
        mj_str(j, "last", t);
        if (s->reload_error)
            mj_str(j, "error", s->reload_error);
        mj_obj_close(j);
    }
    mj_obj_open(j, "memory");
    mj_u64(j, "flows", f->memuse);
    mj_u64(j, "stream", f->stream_memuse);
    mj_u64(j, "defrag", s->defrag_memuse);
    mj_u64(j, "rss", s->rss_bytes);
    mj_obj_close(j);
    mj_obj_open(j, "output");
    mj_u64(j, "segments_closed", s->seg_closed);
    mj_u64(j, "events_unwritten", s->seg_unwritten);
    if (s->disk) {
        mj_u64(j, "disk_free", s->disk_free);
        mj_u64(j, "disk_total", s->disk_total);
    }
    mj_u64(j, "pcap_bytes_written", s->pcap_written);
    mj_u64(j, "pcap_packets_not_kept", s->pcap_dropped);
    mj_u64(j, "pcap_files_removed", s->pcap_removed);
    mj_bool(j, "disk_full", s->pcap_disk_full != 0);
    mj_obj_close(j);
    mj_obj_close(j); /* mimamori.stats */
    mj_obj_close(j); /* mimamori */
    mj_obj_close(j);
    mm_eve_emit(e);
}
