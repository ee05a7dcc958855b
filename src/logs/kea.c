/*
 * kea.c - ISC Kea DHCPv4 / DHCPv6 server lease messages.
 *
 *   2024-01-02 03:04:05.123 INFO  [kea-dhcp4.leases/1234.139] DHCP4_LEASE_ALLOC [hwtype=1
 *       aa:bb:cc:dd:ee:ff], cid=[01:aa:bb:cc:dd:ee:ff], tid=0x4e6ff12: lease 192.0.2.100 has
 *       been allocated for 3600 seconds
 *
 * Kea's log line (Kea ARM, "Logging"): the default pattern for files and
 * stdout is "%D{%Y-%m-%d %H:%M:%S.%q} %-5p [%c/%i.%t] %m" (local time,
 * severity, [logger/pid.thread], the message), for syslog "%-5p [%c.%t] %m"
 * behind the syslog header (program kea-dhcp4 / kea-dhcp6). The message
 * starts with its identifier; the texts are those of Kea's message files
 * (kea-messages, dhcp4_messages.mes, dhcp6_messages.mes,
 * alloc_engine_messages.mes). The first argument of a lease message names
 * the client: "[hwtype=1 aa:bb:..], cid=[..], tid=0x.." for DHCPv4,
 * "duid=[..], [hwtype=1 aa:bb:..|no hwaddr info], tid=0x.." for DHCPv6.
 *
 * Records (event_type "dhcp"):
 *   DHCP4_LEASE_ALLOC, DHCP4_LEASE_REUSE  "%1: lease %2 has been allocated|reused for %3 seconds": ack
 *   DHCP4_LEASE_OFFER (DHCP4_LEASE_ADVERT before Kea 2.5)  "%1: lease %2 will be offered": offer
 *   DHCP4_INIT_REBOOT "%1: client is in INIT-REBOOT state and requests address %2": request
 *   DHCP4_RELEASE, _DELETED, _EXPIRED  "%1: address %2 was released properly": release
 *   DHCP4_DECLINE_LEASE  "Received DHCPDECLINE for addr %1 from client %2 ...": decline
 *   DHCP4_PACKET_NAK_0002..0004  (the server answers DHCPNAK): nak
 *   DHCP6_LEASE_ALLOC, _REUSE, _RENEW  "%1: lease for address %2 and iaid=%3 has been allocated
 *       [for %4 seconds]": ack;  DHCP6_LEASE_ADVERT: offer
 *   DHCP6_RELEASE_NA, _DELETED, _EXPIRED: release;  DHCP6_DECLINE_LEASE: decline
 *   ALLOC_ENGINE_V4_LEASE_RECLAIM, ALLOC_ENGINE_V6_LEASE_RECLAIM (an address, /128): expire
 * dhcp {dhcp_type, assigned_ip, client_mac (hwtype 1, or a DUID-LL/LLT),
 * lease_time}. Prefix delegation (DHCP6_PD_*) gives no address: skipped, as
 * are Kea's other messages. A lease message without its address is
 * malformed.
 */
#include <string.h>

#include "logs/logs.h"

static const struct {
    const char *id, *type;
    const char *before;     /* the address follows this text */
} msgs[] = {
    {"DHCP4_LEASE_ALLOC", "ack", ": lease "},
    {"DHCP4_LEASE_REUSE", "ack", ": lease "},
    {"DHCP4_LEASE_OFFER", "offer", ": lease "},
    {"DHCP4_LEASE_ADVERT", "offer", ": lease "},
    {"DHCP4_INIT_REBOOT", "request", "requests address "},
    {"DHCP4_RELEASE", "release", ": address "},
    {"DHCP4_RELEASE_DELETED", "release", ": address "},
    {"DHCP4_RELEASE_EXPIRED", "release", ": address "},
    {"DHCP4_DECLINE_LEASE", "decline", "DHCPDECLINE for addr "},
    {"DHCP4_PACKET_NAK_0002", "nak", ": invalid address "},
    {"DHCP4_PACKET_NAK_0003", "nak", NULL},
    {"DHCP4_PACKET_NAK_0004", "nak", NULL},
    {"DHCP6_LEASE_ALLOC", "ack", "lease for address "},
    {"DHCP6_LEASE_REUSE", "ack", "lease for address "},
    {"DHCP6_LEASE_RENEW", "ack", "lease for address "},
    {"DHCP6_LEASE_ADVERT", "offer", "lease for address "},
    {"DHCP6_RELEASE_NA", "release", "binding for address "},
    {"DHCP6_RELEASE_NA_DELETED", "release", "binding for address "},
    {"DHCP6_RELEASE_NA_EXPIRED", "release", "binding for address "},
    {"DHCP6_DECLINE_LEASE", "decline", "DECLINE for address "},
    {"ALLOC_ENGINE_V4_LEASE_RECLAIM", "expire", "expired lease for address "},
    {"ALLOC_ENGINE_V6_LEASE_RECLAIM", "expire", "expired lease for prefix "},
};

/* "[kea-dhcp4." or "[kea-dhcp6." near the start: the logger */
static const char *logger(const char *p, size_t n)
{
    size_t m = n < 256 ? n : 256;
    const char *h = lr_find(p, m, "[kea-dhcp");
    while (h) {
        size_t left = (size_t)(p + n - h);
        if (left > 11 && (h[9] == '4' || h[9] == '6') && h[10] == '.')
            return h;
        const char *s = h + 1;
        if (s >= p + m)
            break;
        h = lr_find(s, (size_t)(p + m - s), "[kea-dhcp");
    }
    return NULL;
}

static bool probe(const lr_line *l)
{
    if (lr_eq(l->sys->program, "kea-dhcp4") || lr_eq(l->sys->program, "kea-dhcp6"))
        return true;
    return logger(l->p, l->n) != NULL;
}

/* "YYYY-MM-DD HH:MM:SS[.fff]" at the start of the line (local time) */
static bool own_time(mm_logctx *cx, mm_logrec *r, const char *p, size_t n)
{
    lr_tm t;
    if (!lr_iso_time(p, p + n, ' ', &t))
        return false;
    lr_set_time(cx, r, t.year, t.mon, t.day, t.hour, t.min, t.sec, t.usec, false, 0);
    return true;
}

/* the client's MAC from the label: "hwtype=1 aa:bb:..]" or a DUID-LL/LLT */
static void client_mac(mm_logrec *r, const char *p, const char *e)
{
    const char *h = lr_find(p, (size_t)(e - p), "hwtype=1 ");
    if (h) {
        const char *m = h + 9, *z = m;
        while (z < e && *z != ']' && *z != ',' && *z != ' ')
            z++;
        if (lr_mac(r, m, (size_t)(z - m), &r->dhcp.client_mac))
            return;
    }
    const char *d = lr_find(p, (size_t)(e - p), "duid=[");
    if (d) {
        const char *s = d + 6, *z = s;
        while (z < e && *z != ']')
            z++;
        size_t n = (size_t)(z - s);
        /* DUID-LLT 00:01:00:01:<4 time>:<mac>, DUID-LL 00:03:00:01:<mac> */
        if (n == 41 && lr_starts(s, n, "00:01:00:01:"))
            lr_mac(r, s + 24, 17, &r->dhcp.client_mac);
        else if (n == 29 && lr_starts(s, n, "00:03:00:01:"))
            lr_mac(r, s + 12, 17, &r->dhcp.client_mac);
    }
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *lg = logger(l->p, l->n);
    if (!lg)
        return LR_SKIP;
    const char *e = l->p + l->n;
    const char *b = memchr(lg, ']', (size_t)(e - lg));
    if (!b || b + 2 > e)
        return LR_SKIP;
    const char *p = b + 1;
    while (p < e && *p == ' ')
        p++;
    const char *id = p;
    while (p < e && *p != ' ')
        p++;
    lr_str mid = lr_s(id, (size_t)(p - id));
    int k = -1;
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
        if (lr_eq(mid, msgs[i].id)) {
            k = (int)i;
            break;
        }
    if (k < 0)
        return LR_SKIP;
    while (e > p && (e[-1] == ' ' || e[-1] == '\r'))
        e--;
    r->dhcp.dhcp_type = msgs[k].type;
    /* Kea's own time in front (its file), else the syslog header's */
    if (!own_time(cx, r, l->p, l->n) && lr_time_syslog(cx, r, l))
        r->host = l->sys->host;
    client_mac(r, p, e);

    /* the address */
    if (msgs[k].before) {
        const char *a = lr_find(p, (size_t)(e - p), msgs[k].before);
        if (!a)
            return lr_bad(cx, "%s without its address", msgs[k].id);
        a += strlen(msgs[k].before);
        const char *z = a;
        while (z < e && *z != ' ' && *z != ',' && *z != '/')
            z++;
        if (z > a && z[-1] == '.')
            z--;   /* "was released properly." */
        if (!lr_ip(a, (size_t)(z - a), &r->dhcp.assigned_ip))
            return lr_bad(cx, "%s with a bad address", msgs[k].id);
        if (z < e && *z == '/' && !lr_starts(z, (size_t)(e - z), "/128"))
            return LR_SKIP;   /* a prefix reclaimed, not an address */
    } else {
        /* NAK_0003/0004: "client sent ciaddr %2, requested-ip-address %3" */
        const char *a = lr_find(p, (size_t)(e - p), "requested-ip-address ");
        if (a) {
            a += 21;
            const char *z = a;
            while (z < e && *z != ' ' && *z != ',')
                z++;
            mm_ip ip;
            if (lr_ip(a, (size_t)(z - a), &ip) && !(ip.v == 4 && !ip.b[0] && !ip.b[1] &&
                                                     !ip.b[2] && !ip.b[3]))
                r->dhcp.assigned_ip = ip;
        }
    }
    /* the lease time: "for N seconds" */
    const char *f = lr_find(p, (size_t)(e - p), " for ");
    while (f) {
        const char *d = f + 5, *z = d;
        while (z < e && *z >= '0' && *z <= '9')
            z++;
        int64_t v;
        if (z > d && lr_starts(z, (size_t)(e - z), " seconds") &&
            lr_num(d, (size_t)(z - d), &v)) {
            if (strcmp(r->dhcp.dhcp_type, "decline") != 0)
                r->dhcp.lease_time = v;
            break;
        }
        const char *s = f + 1;
        f = lr_find(s, (size_t)(e - s), " for ");
    }
    return LR_OK;
}

const mm_logfmt lf_kea = {
    .name = "kea",
    .event_type = "dhcp",
    .what = "ISC Kea DHCPv4/DHCPv6 lease messages (DHCP4_LEASE_ALLOC, ...), file or syslog",
    .example = "2024-01-02 03:04:05.123 INFO  [kea-dhcp4.leases/1234.139] DHCP4_LEASE_ALLOC "
               "[hwtype=1 aa:bb:cc:dd:ee:ff], cid=[01:aa:bb:cc:dd:ee:ff], tid=0x4e6ff12: lease "
               "192.0.2.100 has been allocated for 3600 seconds",
    .syslog = true,
    .probe = probe,
    .parse = parse,
};
