/*
 * windhcp.c - the Windows DHCP Server audit log (%windir%\System32\dhcp\
 * DhcpSrvLog-<Day>.log, and DhcpV6SrvLog-<Day>.log for DHCPv6).
 *
 *   10,05/01/19,17:07:20,Assign,10.5.1.12,pc1.example.com,F8CAB82B00D4,,3556780984,0,,,,0x4D53..,MSFT 5.0,,,,0
 *
 * Each file starts with a legend ("Microsoft DHCP Service Activity Log",
 * "Event ID  Meaning", one line per event ID, the QResult codes) and the
 * column line "ID,Date,Time,Description,IP Address,Host Name,MAC Address,
 * User Name, TransactionID, QResult,Probationtime, CorrelationID,Dhcid,
 * VendorClass(Hex),VendorClass(ASCII),UserClass(Hex),UserClass(ASCII),
 * RelayAgentInformation,DnsRegError." (Windows Server 2008 R2 and later;
 * 2008 and before stop after MAC Address); those lines are skipped. Then
 * one CSV line per event: the date MM/DD/YY and time in the server's local
 * time (no zone: --tz), the MAC as twelve hex digits without separators.
 *
 * Event IDs (Microsoft's legend in the file, "Analyze DHCP Server Log
 * Files"): 10 a new address leased, 11 a lease renewed (both "ack"), 12
 * released ("release"), 13 the address found in use on the network
 * ("decline"), 14 the scope's pool exhausted and 15 a lease denied ("nak"),
 * 16 a lease deleted, 17 and 18 a lease expired ("expire": the lease ended
 * without the client releasing it), 20 and 21 a BOOTP address leased
 * ("ack"), 22 no BOOTP address left ("nak"), 23 a BOOTP address deleted
 * ("expire"). Log start/stop (0-2), database cleanup (24, 25), DNS updates
 * (30-35), dropped packets (33, 36) and rogue detection (50 and up) are not
 * lease events: skipped. The DHCPv6 log (columns "ID,Date,Time,Description,
 * IPv6 Address,Host Name,Error Code,Duid Length,Duid Bytes(Hex),User Name,
 * Dhcid,Subnet Prefix"): 11000 Solicit ("discover"), 11001 Advertise
 * ("offer"), 11002 Request, 11003 Confirm, 11004 Renew, 11005 Rebind
 * ("request"), 11006 Decline, 11007 Release, 11008 Information Request
 * ("inform"), 11016 client deleted, 11018 and 11019 expired ("expire"); the
 * MAC is taken from a DUID-LLT or DUID-LL.
 *
 * Records: event_type "dhcp", dhcp {dhcp_type, assigned_ip, client_mac,
 * hostname}. A line with an event ID and a bad date, or a lease event
 * without its address, is malformed.
 */
#include <string.h>

#include "logs/logs.h"

#define NF 12

/* The comma-separated fields of p..e (up to NF; the rest in the last). */
static int fields(const char *p, const char *e, lr_str *f)
{
    int n = 0;
    while (n < NF) {
        const char *c = memchr(p, ',', (size_t)(e - p));
        if (!c || n == NF - 1) {
            f[n++] = lr_s(p, (size_t)(e - p));
            break;
        }
        f[n++] = lr_s(p, (size_t)(c - p));
        p = c + 1;
    }
    return n;
}

/* "NN,MM/DD/YY,HH:MM:SS," at the start */
static bool record_shape(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && i < 6 && p[i] >= '0' && p[i] <= '9')
        i++;
    if (i == 0 || i >= n || p[i] != ',' || n - i < 19)
        return false;
    const char *d = p + i + 1;
    return d[2] == '/' && d[5] == '/' && d[8] == ',' && d[11] == ':' && d[14] == ':' &&
           d[17] == ',';
}

static bool probe(const lr_line *l)
{
    if (record_shape(l->p, l->n))
        return true;
    return lr_starts(l->p, l->n, "ID,Date,Time,Description,IP") ||
           lr_find(l->p, l->n < 80 ? l->n : 80, "Microsoft DHCP Service Activity Log") ||
           lr_find(l->p, l->n < 80 ? l->n : 80, "Microsoft DHCPv6 Service Activity Log");
}

static const struct {
    int id;
    const char *type;
    bool need_ip;
} ids[] = {
    {10, "ack", true},         {11, "ack", true},        {12, "release", true},
    {13, "decline", true},     {14, "nak", false},       {15, "nak", false},
    {16, "expire", true},      {17, "expire", true},     {18, "expire", true},
    {20, "ack", true},         {21, "ack", true},        {22, "nak", false},
    {23, "expire", true},      {11000, "discover", false}, {11001, "offer", true},
    {11002, "request", false}, {11003, "request", false}, {11004, "request", false},
    {11005, "request", false}, {11006, "decline", true}, {11007, "release", true},
    {11008, "inform", false},  {11016, "expire", true},  {11018, "expire", true},
    {11019, "expire", true},
};

/* DUID in hex without separators: DUID-LLT 0001 0001 <time 8> <mac 12>,
 * DUID-LL 0003 0001 <mac 12>. */
static void duid_mac(mm_logrec *r, lr_str d)
{
    if (d.n == 28 && lr_starts(d.p, d.n, "00010001"))
        lr_mac(r, d.p + 16, 12, &r->dhcp.client_mac);
    else if (d.n == 20 && lr_starts(d.p, d.n, "00030001"))
        lr_mac(r, d.p + 8, 12, &r->dhcp.client_mac);
}

static int parse(mm_logctx *cx, const lr_line *l, mm_logrec *r)
{
    const char *p = l->p, *e = l->p + l->n;
    if (!record_shape(p, l->n)) {
        /* the legend and the column line; a syslog-forwarded line */
        if (l->sys->ok && record_shape(l->sys->msg, l->sys->msg_len)) {
            p = l->sys->msg;
            e = p + l->sys->msg_len;
        } else {
            if (l->n && p[0] >= '0' && p[0] <= '9' && memchr(p, ',', l->n) &&
                !memchr(p, '\t', l->n) && (memchr(p, '/', l->n) != NULL))
                return lr_bad(cx, "Windows DHCP line without a MM/DD/YY,HH:MM:SS date");
            return LR_SKIP;
        }
    }
    while (e > p && (e[-1] == ' ' || e[-1] == '\r'))
        e--;
    lr_str f[NF];
    int n = fields(p, e, f);
    if (n < 4)
        return lr_bad(cx, "Windows DHCP line with too few fields");
    int64_t id, mo, dd, yy, hh, mi, ss;
    const char *d = f[1].p, *t = f[2].p;
    if (!lr_num(f[0].p, f[0].n, &id) || f[1].n != 8 || f[2].n != 8 || !lr_digits(d, 2) ||
        !lr_digits(d + 3, 2) || !lr_digits(d + 6, 2) || !lr_num(d, 2, &mo) ||
        !lr_num(d + 3, 2, &dd) || !lr_num(d + 6, 2, &yy) || !lr_num(t, 2, &hh) ||
        !lr_num(t + 3, 2, &mi) || !lr_num(t + 6, 2, &ss) || mo < 1 || mo > 12 || dd < 1 ||
        dd > 31 || hh > 23 || mi > 59 || ss > 60)
        return lr_bad(cx, "Windows DHCP line with a bad date or time");
    int k = -1;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (ids[i].id == id) {
            k = (int)i;
            break;
        }
    if (k < 0)
        return LR_SKIP;
    lr_set_time(cx, r, (int)(2000 + yy), (int)mo, (int)dd, (int)hh, (int)mi, (int)ss, 0, false, 0);
    r->dhcp.dhcp_type = ids[k].type;
    bool v6 = id >= 11000;
    if (n > 4 && f[4].n && !lr_ip(f[4].p, f[4].n, &r->dhcp.assigned_ip))
        return lr_bad(cx, "Windows DHCP line with a bad address '%.*s'",
                      (int)(f[4].n > 64 ? 64 : f[4].n), f[4].p);
    if (ids[k].need_ip && !r->dhcp.assigned_ip.v)
        return lr_bad(cx, "Windows DHCP lease event %lld without its address", (long long)id);
    if (n > 5 && f[5].n)
        r->dhcp.hostname = f[5];
    if (!v6 && n > 6 && f[6].n && !lr_mac(r, f[6].p, f[6].n, &r->dhcp.client_mac)) {
        /* a client id rather than a MAC (not 6 bytes): left out */
    }
    if (v6 && n > 8 && f[8].n)
        duid_mac(r, f[8]);
    if (strcmp(r->dhcp.dhcp_type, "inform") == 0 && r->dhcp.assigned_ip.v) {
        r->src_ip = r->dhcp.assigned_ip;
        r->dhcp.assigned_ip.v = 0;
    }
    return LR_OK;
}

const mm_logfmt lf_windhcp = {
    .name = "windhcp",
    .event_type = "dhcp",
    .what = "Windows DHCP Server audit log (DhcpSrvLog-*.log, DhcpV6SrvLog-*.log)",
    .example = "10,05/01/19,17:07:20,Assign,10.5.1.12,pc1.example.com,F8CAB82B00D4,,3556780984,0,"
               ",,,0x4D53465420352E30,MSFT 5.0,,,,0",
    .syslog = false,
    .probe = probe,
    .parse = parse,
};
