/*
 * decode.c - entry point of the decoder and the anomaly table.
 */
#include "decode/decode.h"

#include <string.h>

const mm_anomaly_info mm_anomaly_table[MM_AN__COUNT] = {
#define X(id, type, layer, name, schema) {type, layer, name, schema},
    MM_ANOMALIES(X)
#undef X
};

bool mm_decoder_init(mm_decoder *d, uint64_t defrag_memcap)
{
    memset(d, 0, sizeof(*d));
    d->defrag = mm_defrag_new(defrag_memcap, 60);
    return d->defrag != NULL;
}

void mm_decoder_free(mm_decoder *d)
{
    mm_defrag_free(d->defrag);
    d->defrag = NULL;
}

uint64_t mm_decoder_memuse(const mm_decoder *d)
{
    return mm_defrag_memuse(d->defrag);
}

void mm_anom(mm_decoder *d, mm_pkt *p, int a)
{
    d->st.anomalies[a]++;
    if (p->n_anom < MM_MAX_PKT_ANOM)
        p->anom[p->n_anom++] = (uint8_t)a;
}

const uint8_t *mm_tunnel_enter(mm_pkt *p)
{
    if (p->outer.entered++ == 0) {  /* the first tunnel: its carrier is the outer packet */
        p->outer.ipver = p->ipver;
        p->outer.proto = p->proto;
        p->outer.src = p->src;
        p->outer.dst = p->dst;
        p->outer.sport = p->sport;
        p->outer.dport = p->dport;
        p->outer.payload = p->payload;
        p->outer.payload_len = p->payload_len;
    }
    return p->l3;
}

void mm_tunnel_leave(mm_pkt *p, const uint8_t *l3_before, uint32_t inner_len)
{
    if (p->l3 == l3_before)
        return;                 /* the inner packet is not IP: no tunnel here */
    p->outer.on = true;
    p->outer.depth++;
    if (!p->inner_len)          /* the innermost tunnel's, which ends first */
        p->inner_len = inner_len;
}

void mm_decode(mm_decoder *d, const mm_rawpkt *raw, mm_pkt *p)
{
    /* Only the fields later stages test are reset; the rest are written
     * before they are read. */
    p->raw = raw;
    p->vlan[0] = p->vlan[1] = 0;
    p->vlan_n = 0;
    p->layers = 0;
    p->ipver = 0;
    p->proto = 0;
    p->frag_held = false;
    p->reassembled = false;
    p->l4_ok = false;
    p->icmp_error = false;
    p->sport = p->dport = 0;
    p->tcp_flags = 0;
    p->l3 = p->l4 = p->payload = NULL;
    p->l3_len = 0;
    p->l4_len = p->payload_len = 0;
    p->frag_pkts = 0;
    p->frag_bytes = 0;
    p->ethertype = 0;
    p->eth = NULL;
    p->outer.on = p->outer.carrier = false;
    p->outer.depth = p->outer.entered = 0;
    p->inner_len = 0;
    p->n_anom = 0;

    d->st.pkts++;
    d->st.bytes += raw->caplen;
    d->st.wire_bytes += raw->wirelen;
    if (raw->caplen > d->st.max_pkt_size)
        d->st.max_pkt_size = raw->caplen;
    mm_decode_link(d, p, raw->linktype, raw->data, raw->caplen);
    if (p->ipver == 0)
        d->st.not_ip++;
}
