/*
 * evegen.c - mm-evegen: EVE JSON events of many fictional companies over
 * many days, for the analysis benchmark (bench/analysis.sh). Not traffic:
 * the events a sensor would have written, made directly so that 30
 * companies x 4 months (about 10 million events) take seconds to make.
 *
 *   mm-evegen [--sites N] [--days N] [--events N] [--seed N] [--names 1] OUTDIR
 *
 * With --names 1, each outbound flow to a web or name server also has the
 * protocol event the sensor writes with it: a tls event (SNI) for 443, an
 * http event (host, URL, User-Agent) for 80, a dns event (query and answer)
 * for 53, the names drawn from a pool of 50,000 shared by all companies,
 * each company using its own few hundred most (the hunting benchmark,
 * bench/ioc.sh).
 *
 * Writes OUTDIR/site-NN.eve.json, one file per company, events in time
 * order within the company's working hours. Per company and day: --events
 * events (default 2800), nine in ten flows (to and from random public
 * addresses, so every country appears) and one in ten alerts drawn from
 * the families of the field report; the attackers come from a shared pool
 * of 300 addresses, so the same attacker reaches several companies.
 * Deterministic for a given seed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static uint32_t below(uint32_t n) { return (uint32_t)(rnd() % n); }

/* A random public IPv4 address (not private, reserved or multicast). */
static uint32_t public_ip(void)
{
    for (;;) {
        uint32_t a = (uint32_t)rnd();
        uint8_t o = (uint8_t)(a >> 24), o2 = (uint8_t)(a >> 16);
        if (o == 0 || o == 10 || o == 127 || o >= 224 || (o == 100 && (o2 & 0xC0) == 64) ||
            (o == 169 && o2 == 254) || (o == 172 && (o2 & 0xF0) == 16) ||
            (o == 192 && o2 == 168) || (o == 192 && o2 == 0) || (o == 198 && (o2 & 0xFE) == 18) ||
            (o == 198 && o2 == 51) || (o == 203 && o2 == 0))
            continue;
        return a;
    }
}

static void ipstr(uint32_t a, char *o)
{
    snprintf(o, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void ts(time_t t, unsigned us, char *o)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(o, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+0000", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
}

/* sid, severity, family, explain, signature, category, inbound */
static const struct {
    unsigned sid, sev;
    const char *fam, *expl, *sig, *cat;
    int inbound;
} alerts[] = {
    {8700010, 3, "rdp", "rdp-exposed", "MIMAMORI RDP connection between an external and an internal host", "Potential Corporate Privacy Violation", 1},
    {8700012, 2, "rdp", "rdp-guessing", "MIMAMORI RDP password guessing from outside", "Attempted Administrator Privilege Gain", 1},
    {8700013, 1, "rdp", "rdp-success-after-guessing", "MIMAMORI RDP session set up after repeated attempts from outside", "Successful Administrator Privilege Gain", 1},
    {8700023, 2, "ntp-ddos", "ntp-flood", "MIMAMORI NTP flood of responses received (reflection DDoS)", "Attempted Denial of Service", 1},
    {8700001, 2, "heartbleed", "heartbleed-attempt", "MIMAMORI Heartbleed heartbeat request", "Attempted Information Leak", 1},
    {8700030, 2, "sslv3", "sslv3-negotiated", "MIMAMORI SSLv3 negotiated", "Potential Corporate Privacy Violation", 0},
    {8700041, 2, "malicious-file", "file-suspicious", "MIMAMORI program disguised as another type", "A Network Trojan was detected", 0},
    {8700050, 1, "smb-ms17-010", "smb-eternalblue", "MIMAMORI SMB EternalBlue exploit attempt", "Attempted Administrator Privilege Gain", 1},
    {8700060, 1, "gh0st", "gh0st", "MIMAMORI Gh0st RAT traffic", "A Network Trojan was detected", 0},
    {8700084, 1, "c2", "c2-beacon", "MIMAMORI C2 periodic beaconing (regular intervals and sizes)", "A Network Trojan was detected", 0},
    {8700100, 2, "exploit-kit", "exploit-kit", "MIMAMORI exploit kit container after a page view", "A Network Trojan was detected", 0},
    {8700070, 1, "cryptojacking", "mining-session", "MIMAMORI crypto mining session", "Crypto Currency Mining Activity Detected", 0},
    {8700090, 2, "scan-bruteforce", "scan-ports", "MIMAMORI SCAN port scan", "Detection of a Network Scan", 1},
    {2001330, 3, NULL, NULL, "ET INFO RDP - Response To External Host", "Misc activity", 1},
};

#define NAME_POOL 50000u

/* Name n of the pool: "a1234.svc56.example-net.com" and the like. */
static void name_of(unsigned n, char *o)
{
    static const char *const tld[] = {"com", "net", "jp", "org", "io", "co.jp"};
    snprintf(o, 64, "%s%u.svc%u.site%u.%s", n % 3 ? "api" : "www", n % 97, n / 97 % 211, n,
             tld[n % 6]);
}

static void app_event(FILE *f, unsigned dp, const char *tsb, uint64_t fid, const char *a,
                      const char *b, const char *nm, uint32_t rem, const char *site,
                      unsigned sensor)
{
    fprintf(f, "{\"timestamp\":\"%s\",\"flow_id\":%" PRIu64 ",\"event_type\":\"%s\","
               "\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":%u,"
               "\"proto\":\"%s\",", tsb, fid, dp == 443 ? "tls" : dp == 80 ? "http" : "dns", a,
            1024 + below(60000), b, dp, dp == 53 ? "UDP" : "TCP");
    if (dp == 443)
        fprintf(f, "\"tls\":{\"sni\":\"%s\",\"version\":\"TLS 1.3\",\"ja4\":"
                   "\"t13d1516h2_8daaf6152771_%012x\"}", nm, below(64));
    else if (dp == 80)
        fprintf(f, "\"http\":{\"hostname\":\"%s\",\"url\":\"/p/%u.html\","
                   "\"http_user_agent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) v%u\","
                   "\"http_method\":\"GET\",\"status\":200}", nm, below(50), below(8));
    else {
        char r[16];
        ipstr(rem, r);
        fprintf(f, "\"dns\":{\"version\":2,\"type\":\"answer\",\"rrname\":\"%s\","
                   "\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":\"%s\","
                   "\"rrtype\":\"A\",\"ttl\":300,\"rdata\":\"%s\"}]}", nm, nm, r);
    }
    fprintf(f, ",\"mimamori\":{\"site\":\"%s\",\"sensor\":\"s%02u\",\"direction\":\"outbound\"}}\n",
            site, sensor);
}

int main(int argc, char **argv)
{
    unsigned sites = 30, days = 120, per_day = 2800;
    uint64_t seed = 1;
    unsigned names = 0;
    int i;
    for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        unsigned long v = strtoul(argv[i + 1], NULL, 10);
        if (!strcmp(argv[i], "--sites")) sites = (unsigned)v;
        else if (!strcmp(argv[i], "--days")) days = (unsigned)v;
        else if (!strcmp(argv[i], "--events")) per_day = (unsigned)v;
        else if (!strcmp(argv[i], "--seed")) seed = v;
        else if (!strcmp(argv[i], "--names")) names = (unsigned)v;
        else break;
    }
    if (i != argc - 1 || !sites || sites > 1000 || !days || days > 3660 || !per_day ||
        per_day > 10000000) {
        fprintf(stderr, "usage: mm-evegen [--sites N] [--days N] [--events N] [--seed N] "
                        "[--names 1] OUTDIR\n");
        return 2;
    }
    const char *dir = argv[i];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        perror(dir);
        return 1;
    }
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    uint32_t attackers[300];
    for (int k = 0; k < 300; k++)
        attackers[k] = public_ip();
    time_t t0 = 1700006400;   /* 2023-11-15 00:00 UTC = 09:00 in Tokyo */
    uint64_t total = 0, flow_id = 1;
    for (unsigned s = 0; s < sites; s++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/site-%02u.eve.json", dir, s + 1);
        FILE *f = fopen(path, "w");
        if (!f) {
            perror(path);
            return 1;
        }
        setvbuf(f, NULL, _IOFBF, 1 << 20);
        char site[32];
        snprintf(site, sizeof site, "company-%02u", s + 1);
        /* each company has a few usual partners and its own attackers' mix */
        uint32_t partners[64];
        for (int k = 0; k < 64; k++)
            partners[k] = public_ip();
        unsigned fam_bias = below(sizeof alerts / sizeof alerts[0]);
        unsigned usual[400];          /* the names this company uses most */
        for (int k = 0; k < 400; k++)
            usual[k] = below(NAME_POOL);
        for (unsigned d = 0; d < days; d++) {
            for (unsigned e = 0; e < per_day; e++) {
                /* spread over 09:00-18:00 Tokyo time, in order */
                time_t t = t0 + (time_t)d * 86400 + (time_t)((uint64_t)e * 32400 / per_day);
                char tsb[40], a[16], b[16];
                ts(t, below(1000000), tsb);
                uint32_t local = 0xC0A80000u | (s & 0xFF) << 8 | (10 + below(40));
                if (below(10) != 0) {
                    uint32_t rem = below(4) ? partners[below(64)] : public_ip();
                    bool in = below(8) == 0;
                    uint64_t pts = 2 + below(40), ptc = 2 + below(60);
                    ipstr(in ? rem : local, a);
                    ipstr(in ? local : rem, b);
                    static const unsigned ports[] = {443, 443, 443, 80, 53, 123, 25, 3389};
                    unsigned dp = ports[below(8)];
                    fprintf(f,
                            "{\"timestamp\":\"%s\",\"flow_id\":%" PRIu64 ",\"event_type\":\"flow\","
                            "\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":%u,"
                            "\"proto\":\"%s\",\"app_proto\":\"%s\",\"flow\":{\"pkts_toserver\":%" PRIu64
                            ",\"pkts_toclient\":%" PRIu64 ",\"bytes_toserver\":%" PRIu64
                            ",\"bytes_toclient\":%" PRIu64 ",\"start\":\"%s\",\"end\":\"%s\","
                            "\"age\":1,\"state\":\"closed\",\"reason\":\"timeout\",\"alerted\":false},"
                            "\"mimamori\":{\"site\":\"%s\",\"sensor\":\"s%02u\",\"direction\":\"%s\"}}\n",
                            tsb, flow_id, a, 1024 + below(60000), b, dp,
                            dp == 53 || dp == 123 ? "UDP" : "TCP",
                            dp == 443 ? "tls" : dp == 80 ? "http" : dp == 53 ? "dns" : "failed", pts,
                            ptc, pts * (60 + below(400)), ptc * (60 + below(1400)), tsb, tsb, site,
                            s + 1, in ? "inbound" : "outbound");
                    if (names && !in && (dp == 443 || dp == 80 || dp == 53)) {
                        char nm[64];
                        name_of(below(8) ? usual[below(400)] : below(NAME_POOL), nm);
                        app_event(f, dp, tsb, flow_id, a, b, nm, rem, site, s + 1);
                        total++;
                    }
                    flow_id++;
                } else {
                    unsigned k = below(3) ? fam_bias : below(sizeof alerts / sizeof alerts[0]);
                    uint32_t rem = attackers[below(4) ? (s * 7 + below(12)) % 300 : below(300)];
                    bool in = alerts[k].inbound;
                    ipstr(in ? rem : local, a);
                    ipstr(in ? local : rem, b);
                    fprintf(f,
                            "{\"timestamp\":\"%s\",\"flow_id\":%" PRIu64 ",\"event_type\":\"alert\","
                            "\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":%u,"
                            "\"proto\":\"TCP\",\"direction\":\"to_server\",\"alert\":{\"action\":\"allowed\","
                            "\"gid\":1,\"signature_id\":%u,\"rev\":1,\"signature\":\"%s\",\"category\":\"%s\","
                            "\"severity\":%u",
                            tsb, flow_id++, a, 1024 + below(60000), b, in ? 3389u : 443u, alerts[k].sid,
                            alerts[k].sig, alerts[k].cat, alerts[k].sev);
                    if (alerts[k].fam)
                        fprintf(f, ",\"metadata\":{\"family\":[\"%s\"],\"explain\":[\"%s\"]}",
                                alerts[k].fam, alerts[k].expl);
                    fprintf(f, "},\"mimamori\":{\"site\":\"%s\",\"sensor\":\"s%02u\",\"direction\":\"%s\"}}\n",
                            site, s + 1, in ? "inbound" : "outbound");
                }
                total++;
            }
        }
        if (fclose(f) != 0) {
            perror(path);
            return 1;
        }
    }
    fprintf(stderr, "mm-evegen: %" PRIu64 " events for %u companies over %u days in %s\n", total,
            sites, days, dir);
    return 0;
}
