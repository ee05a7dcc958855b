/*
 * dhcp.c - DHCP (BOOTP with the DHCP magic cookie) over UDP.
 *
 * One "dhcp" event per message with Suricata's extended fields: type
 * (request/reply), id, client MAC, client/assigned/relay/next-server
 * addresses, message type, client id, host name, requested address, lease,
 * renewal and rebinding times, subnet mask, routers, DNS servers, vendor
 * class, parameter request list. Options overloaded into the file and
 * sname fields (option 52) are read too. An ACK says which host (MAC, host
 * name) holds which address from when and for how long: the analysis side
 * builds its IP-to-host map from these.
 */
#include "proto/app.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

#define BOOTP_LEN 236
#define MAX_ADDRS 8

typedef struct dhcp_state {
    uint8_t unused;
} dhcp_state;

static bool looks_dhcp(const uint8_t *d, uint32_t n)
{
    return n >= BOOTP_LEN + 4 && (d[0] == 1 || d[0] == 2) && d[2] <= 16 &&
           d[236] == 0x63 && d[237] == 0x82 && d[238] == 0x53 && d[239] == 0x63;
}

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)f;
    (void)dir;
    return udp && looks_dhcp(d, n) ? MM_PROBE_YES : MM_PROBE_NO;
}

typedef struct dhcp_msg {
    uint8_t type;
    bool has_lease, has_renew, has_rebind, has_mask, has_req;
    uint32_t lease, renew, rebind;
    uint8_t mask[4], req[4];
    uint8_t routers[MAX_ADDRS][4], dns[MAX_ADDRS][4];
    uint8_t nrouters, ndns;
    const uint8_t *hostname, *client_id, *vendor, *params;
    uint8_t hostname_len, client_id_len, vendor_len, params_len;
    uint8_t overload;
} dhcp_msg;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Options in p[0..n): false when malformed (what was read is kept). */
static bool options(const uint8_t *p, uint32_t n, dhcp_msg *m)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t code = p[i++];
        if (code == 0)
            continue;
        if (code == 255)
            return true;
        if (i >= n)
            return false;
        uint8_t len = p[i++];
        if (len > n - i)
            return false;
        const uint8_t *v = p + i;
        i += len;
        switch (code) {
        case 53: if (len >= 1) m->type = v[0]; break;
        case 51: if (len == 4) { m->lease = be32(v); m->has_lease = true; } break;
        case 58: if (len == 4) { m->renew = be32(v); m->has_renew = true; } break;
        case 59: if (len == 4) { m->rebind = be32(v); m->has_rebind = true; } break;
        case 1: if (len == 4) { memcpy(m->mask, v, 4); m->has_mask = true; } break;
        case 50: if (len == 4) { memcpy(m->req, v, 4); m->has_req = true; } break;
        case 3:
            for (uint32_t k = 0; k + 4 <= len && m->nrouters < MAX_ADDRS; k += 4)
                memcpy(m->routers[m->nrouters++], v + k, 4);
            break;
        case 6:
            for (uint32_t k = 0; k + 4 <= len && m->ndns < MAX_ADDRS; k += 4)
                memcpy(m->dns[m->ndns++], v + k, 4);
            break;
        case 12: m->hostname = v; m->hostname_len = len; break;
        case 61: m->client_id = v; m->client_id_len = len; break;
        case 60: m->vendor = v; m->vendor_len = len; break;
        case 55: m->params = v; m->params_len = len; break;
        case 52: if (len >= 1) m->overload = v[0]; break;
        default: break;
        }
    }
    return true;
}

static const char *type_name(uint8_t t)
{
    static const char *const n[] = {NULL, "discover", "offer", "request", "decline", "ack",
                                    "nak", "release", "inform"};
    return t < sizeof n / sizeof n[0] ? n[t] : NULL;
}

/* Names Suricata gives the parameters a client asks for. */
static const char *param_name(uint8_t c)
{
    switch (c) {
    case 1: return "subnet_mask";
    case 2: return "time_offset";
    case 3: return "router";
    case 6: return "dns_server";
    case 12: return "hostname";
    case 15: return "domain";
    case 28: return "broadcast_address";
    case 42: return "ntp_server";
    case 44: return "netbios_name_server";
    case 46: return "netbios_node_type";
    case 47: return "netbios_scope";
    case 51: return "lease_time";
    case 58: return "renewal_time";
    case 59: return "rebinding_time";
    case 119: return "domain_search";
    case 121: return "classless_static_route";
    case 249: return "private_classless_static_route";
    case 252: return "proxy_auto_discovery";
    default: return NULL;
    }
}

/* Text options: some clients count a terminating NUL in the length. */
static void text(mm_json *j, const char *key, const uint8_t *v, uint32_t n)
{
    while (n && v[n - 1] == 0)
        n--;
    mj_strn(j, key, (const char *)v, n);
}

static void ip4(mm_json *j, const char *key, const uint8_t *a)
{
    char b[16];
    snprintf(b, sizeof b, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    mj_str(j, key, b);
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *d, uint32_t n,
                  uint64_t ts)
{
    (void)st;
    if (!d)
        return;
    if (!looks_dhcp(d, n)) {
        mm_app_error(a, f);
        return;
    }
    dhcp_msg m;
    memset(&m, 0, sizeof m);
    if (!options(d + 240, n - 240, &m))
        mm_app_error(a, f);
    if (m.overload & 1)
        options(d + 108, 128, &m);      /* file field */
    if (m.overload & 2)
        options(d + 44, 64, &m);        /* sname field */

    mm_json *j = mm_app_event_begin(a, f, ts, "dhcp", dir, true);
    mj_obj_open(j, "dhcp");
    mj_str(j, "type", d[0] == 1 ? "request" : "reply");
    mj_u64(j, "id", be32(d + 4));
    if (d[1] == 1 && d[2] == 6) {
        char mac[18];
        snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", d[28], d[29], d[30], d[31],
                 d[32], d[33]);
        mj_str(j, "client_mac", mac);
    }
    ip4(j, "assigned_ip", d + 16);
    ip4(j, "client_ip", d + 12);
    if (be32(d + 24))
        ip4(j, "relay_ip", d + 24);
    if (be32(d + 20))
        ip4(j, "next_server_ip", d + 20);
    const char *tn = type_name(m.type);
    if (tn)
        mj_str(j, "dhcp_type", tn);
    if (m.client_id_len) {
        char cid[3 * 255 + 1];
        size_t k = 0;
        for (uint32_t i = 0; i < m.client_id_len; i++)
            k += (size_t)snprintf(cid + k, sizeof cid - k, i ? ":%02x" : "%02x", m.client_id[i]);
        mj_str(j, "client_id", cid);
    }
    if (m.hostname_len)
        text(j, "hostname", m.hostname, m.hostname_len);
    if (m.has_req)
        ip4(j, "requested_ip", m.req);
    if (m.has_lease)
        mj_u64(j, "lease_time", m.lease);
    if (m.has_renew)
        mj_u64(j, "renewal_time", m.renew);
    if (m.has_rebind)
        mj_u64(j, "rebinding_time", m.rebind);
    if (m.has_mask)
        ip4(j, "subnet_mask", m.mask);
    if (m.nrouters) {
        mj_arr_open(j, "routers");
        for (int i = 0; i < m.nrouters; i++)
            ip4(j, NULL, m.routers[i]);
        mj_arr_close(j);
    }
    if (m.ndns) {
        mj_arr_open(j, "dns_servers");
        for (int i = 0; i < m.ndns; i++)
            ip4(j, NULL, m.dns[i]);
        mj_arr_close(j);
    }
    if (m.vendor_len)
        text(j, "vendor_class_identifier", m.vendor, m.vendor_len);
    if (m.params_len) {
        mj_arr_open(j, "params");
        for (uint32_t i = 0; i < m.params_len; i++) {
            const char *pn = param_name(m.params[i]);
            if (pn)
                mj_str(j, NULL, pn);
        }
        mj_arr_close(j);
    }
    mj_obj_close(j);
    mm_app_event_end(a, f);
}

const mm_app_parser mm_parser_dhcp = {
    .name = "dhcp", .id = MM_APP_DHCP, .tcp = false, .udp = true,
    .probe = probe, .state_size = sizeof(dhcp_state), .parse = parse, .finish = NULL,
};
