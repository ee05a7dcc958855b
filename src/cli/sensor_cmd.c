/*
 * sensor_cmd.c - `mimamori sensor`: options to mm_sensor_config.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ioc/match.h"
#include "output/pcapdir.h"
#include "proto/app.h"
#include "sensor.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: mimamori sensor (-r FILE... | -i IFACE) [options]\n"
"\n"
"Input\n"
"  -r, --read FILE        pcap or pcapng file ('-' for stdin); repeat for several\n"
"                         files of one capture, read in the order given\n"
"  -i, --interface IFACE  live capture; never transmits\n"
"  -f, --filter BPF       capture filter for -i\n"
"      --capture KIND     afpacket (default: AF_PACKET rings, one worker thread\n"
"                         each, fed by flow hash) or pcap (libpcap, one worker)\n"
"      --workers N        capture workers for afpacket (default: one a core)\n"
"      --ring-size SIZE   each worker's ring (default 32m, in blocks of 256k that\n"
"                         go up full or after 50 ms: at least 6.4 s at low rates)\n"
"      --user USER        drop root privileges to USER once capture is open\n"
"      --snaplen N        bytes kept per packet (default 262144)\n"
"      --no-promisc       do not put the interface in promiscuous mode\n"
"Identity\n"
"      --site NAME        the company (default \"default\"), on every event\n"
"      --sensor NAME      this sensor (default: host name), on every event\n"
"      --home-net LIST    the company's networks, CIDRs separated by commas\n"
"                         (default 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7)\n"
"Output\n"
"      --eve -|FILE       EVE JSON lines to stdout or appended to FILE\n"
"  -o, --output DIR       crash-safe rotated segments in DIR (default\n"
"                         ./mimamori-out when --eve is not given)\n"
"      --segment-size SZ  close a segment at this size (default 64m)\n"
"      --segment-age SEC  ... or after this many seconds (default 3600)\n"
"      --zstd [LEVEL]     compress closed segments (default level 3)\n"
"      --seal-key FILE    seal closed segments to this public key (mimamori keygen)\n"
"      --pcap-dir DIR     keep packets as rotating pcap files in DIR\n"
"      --pcap-quota SZ    disk space for them, oldest removed first (default 1g)\n"
"      --pcap-mode MODE   all (default) or alerted (only flows that raised an alert)\n"
"      --stats-interval S stats event every S seconds live (default 60; 0 = end only)\n"
"      --geoip PATH       add src_country/dest_country to events: 'default' (the\n"
"                         tor-geoipdb data), a directory with geoip/geoip6, or a\n"
"                         .mmdb file (off by default: the analysis side adds them)\n"
"      --community-id     add community_id (Community ID v1, as Zeek and Suricata)\n"
"                         to events about a flow\n"
"      --community-id-seed N  its seed (default 0)\n"
"Limits (sizes in bytes, with optional k, m, g)\n"
"      --no-vlan-tracking flows are the same whatever their VLAN tags (Suricata's\n"
"                         vlan.use-for-tracking: false)\n"
"      --flow-memcap SZ   memory for flows (default 32m); oldest evicted beyond\n"
"      --stream-memcap SZ memory for out-of-order TCP data (default 16m); data\n"
"                         waiting for its acknowledgement: up to 4 times as much\n"
"      --stream-depth SZ  reassembled bytes per direction and flow (default 1m, 0 = all)\n"
"      --defrag-memcap SZ memory for IP fragment reassembly (default 4m)\n"
"      --app-memcap SZ    memory for application-layer parsing (default 16m)\n"
"      --filestore DIR    keep the files carried (HTTP, FTP, mail) in DIR, named\n"
"                         by SHA-256 (DIR/ab/abcd...)\n"
"      --filestore-max SZ largest file kept (default 16m)\n"
"      --file-hashes LIST hashes of every file: any of md5,sha1,sha256, or none\n"
"                         (default sha256)\n"
"      --http-headers WHICH  http events list every header of: none (the default),\n"
"                         request, response or both (Suricata's dump-all-headers)\n""      --http-basic       http events carry Suricata's basic fields only (host,\n"
"                         url, user agent, xff, content type): its extended: no\n"
"      --http-decompress-layers N  Content-Encoding layers undone per body, 1-4\n"
"                         (default 2, libhtp's response-body-decompress-layer-limit)\n"
"      --http-request-body-limit SZ  a multipart upload's files read up to SZ\n"
"                         bytes of its body, then cut (TRUNCATED; libhtp's\n"
"                         request-body-limit; default: no limit)\n"
"      --no-app-layer     flows only: no protocol detection or parsing\n"
"      --anomaly-packethdr  anomaly events carry the first 32 bytes of the packet\n"
"                         (base64) and its link type, as Suricata's packethdr\n"
"      --dns-log WHAT     dns events for requests, responses, both (the default)\n"
"                         or none\n"
"      --dns-types LIST   dns events only for questions of these types (a,aaaa,\n"
"                         mx,txt ...), as Suricata's dns logger's types\n"
"      --smtp-md5 LIST    email objects carry subject_md5 and/or body_md5 (LIST:\n"
"                         subject,body), as Suricata's smtp md5 option\n"
"      --ethernet         events carry MAC addresses (\"ether\": the packet's\n"
"                         src_mac/dest_mac; flow events every address the flow\n"
"                         saw), as Suricata's eve ethernet: yes\n"
"      --pcap-filename    events of a packet read from a file name the file\n"
"                         (pcap_filename), as Suricata's eve pcap-file: true\n"
"      --anomaly-rate N   anomaly events per kind per minute (default 100; the rest\n"
"                         are counted in stats)\n"
"      --anomaly-types LIST  which anomalies become events: any of decode,stream,\n"
"                         applayer, or none (default all three; Suricata's\n"
"                         default is applayer); rules see every anomaly anyway\n"
"Rules (Suricata's language; ET Open loads as published)\n"
"      --rules FILE|DIR   load rules (repeatable; a directory: its *.rules and\n"
"                         classification.config)\n"
"      --var NAME=VALUE   an address or port variable ($HOME_NET follows --home-net)\n"
"      --rules-cache DIR  keep compiled prefilter databases in DIR: a restart with\n"
"                         the same rules skips the compile (unused for 14 days:\n"
"                         removed)\n"
"      --reputation-categories FILE  IP reputation categories for the iprep\n"
"                         keyword (Suricata's: id,name,description per line)\n"
"      --reputation FILE  an IP reputation list (repeatable; address[/prefix],\n"
"                         category id,score 0-127 per line)\n"
"Indicators of compromise\n"
"      --ioc FILE|DIR     alert (family ioc) when traffic meets an indicator of the\n"
"                         file, or of every file in DIR (repeatable): flow ends,\n"
"                         DNS names and answers, TLS SNI, certificate names,\n"
"                         JA3/JA4, HTTP host, URL and User-Agent, file names and\n"
"                         hashes, mail senders, recipients, subjects, attachment\n"
"                         names. Any format mimamori ioc import reads (plain\n"
"                         lists, CSV, STIX 2.1, MISP, abuse.ch, Suricata datasets,\n"
"                         mimamori ioc export's own); domains match subdomains\n"
"      --no-rules         load no ruleset (the built-in detectors still run)\n"
"      --midstream        rules take a TCP flow picked up mid-way (no handshake seen)\n"
"                         as established and see its stream and transactions\n"
"                         (Suricata's stream.midstream: true; else its packets only)\n"
"      --midstream-policy P  what becomes of a TCP flow picked up mid-way, as\n"
"                         Suricata's stream.midstream-policy in IDS mode: ignore\n"
"                         (default; auto is the same), bypass (no app layer, no\n"
"                         rules; the flow 'bypassed'), pass-flow (no rules; its app\n"
"                         layer logged with --midstream; the flow's action 'pass')\n"
"      --alert-payload    rule alerts carry the data they matched (base64 'payload',\n"
"                         and 'stream': 1 when it was stream data), as Suricata's\n"
"      --alert-payload-printable  and as text ('payload_printable')\n"
"      --alert-packet     rule alerts carry the packet being handled (base64\n"
"                         'packet' and its 'packet_info' link type), as Suricata's\n"
"      --alert-verdict    rule alerts carry Suricata's verdict object: alert, or\n"
"                         pass when a pass rule let the packet or flow go\n"
"      --packet-alert-max N  rule alerts per packet at most (default 15; the rest\n"
"                         count as stats detect.alert_queue_overflow)\n"
"      --xff MODE[,forward] X-Forwarded-For in alerts on HTTP: extra-data (alert.xff)\n"
"                         or overwrite (the client's address); the last address of\n"
"                         the list, or with ',forward' the first\n"
"Built-in detectors (alerts with no ruleset; see docs/detectors.md)\n"
"      --no-detect        do not run them (rules still run)\n"
"      --list KIND=FILE   extend a name list: mining, ddns, sinkhole, hash, or vendor\n"
"                         (services never taken for beacons); one entry per line,\n"
"                         hosts-file and adblock lines accepted\n"
"      --hash-list FILE   the same as --list hash=FILE (SHA-256 of known bad files)\n"
"      --detect NAME=N    change a threshold (repeatable); --help-detect lists them\n"
"      --home-country CC  the company's country (ISO code, default JP): alerts say\n"
"                         whether an outside peer is abroad\n"
"      --threshold-file F Suricata threshold.config: suppress, threshold, rate_filter\n"
"                         (e.g. suppress gen_id 1, sig_id 8700080, track by_src, ip 10.0.0.5)\n"
"Memory\n"
"      --profile NAME     caps for the box: small (flows 8m, stream 4m, defrag 2m,\n"
"                         app 8m, rings 8m: the sensor with ET Open in about\n"
"                         150 MiB),\n"
"                         standard (the defaults above) or auto, the default:\n"
"                         small on a box (or cgroup) with at most 2 GiB of memory.\n"
"                         Caps given as options win over the profile's\n"
"Configuration (mimamori(1), packaging/mimamori.yaml)\n"
"      --config FILE      settings from a YAML file: its keys are the long options\n"
"                         above (interface: eth1, rules: [a, b], community-id: yes);\n"
"                         a flag given here wins over the file (default:\n"
"                         %s\n"
"                         when it exists, unless -r is given)\n"
"                         SIGHUP makes a live sensor read its --rules and --ioc\n"
"                         again; a file that fails keeps the old set (the reason\n"
"                         on stderr and in a stats event)\n"
"Other\n"
"      --progress / --no-progress  progress line on stderr (default: on a terminal)\n"
"  -q, --quiet            no summary line at the end\n"
"  -T, --test             load the settings, rules and indicators as a start\n"
"                         would, say what is wrong, and exit (0: they load);\n"
"                         with --rules-cache the compiled rules stay there, so\n"
"                         the start or reload after takes a fraction of the\n"
"                         time and memory (the service runs it first)\n"
"  -h, --help             this help\n"
"\n"
"Exit status: 0 success (a capture cut short mid-record still counts: it is\n"
"reported and processed up to the break), 1 input or output error, 2 usage error.\n",
            cli_config_default());
}

enum {
    O_USER = 256, O_SNAPLEN, O_NOPROMISC, O_SITE, O_SENSOR, O_HOMENET, O_EVE, O_SEGSIZE,
    O_SEGAGE, O_ZSTD, O_SEAL, O_PCAPDIR, O_PCAPQUOTA, O_PCAPMODE, O_STATSINT, O_GEOIP,
    O_FLOWMEMCAP, O_STREAMMEMCAP, O_STREAMDEPTH, O_DEFRAGMEMCAP, O_ANRATE, O_PROGRESS,
    O_NOPROGRESS, O_APPMEMCAP, O_NOAPP, O_FILESTORE, O_FILESTOREMAX, O_FILEHASHES, O_HTTPHDR, O_ANPKT, O_ANTYPES, O_HTTPBASIC, O_HTTPLAYERS, O_HTTPREQLIMIT, O_DNSLOG, O_DNSTYPES,
    O_NODETECT, O_NORULES, O_LIST, O_HASHLIST, O_DETECT, O_HELPDETECT, O_THRESHOLD, O_HOMECC,
    O_RULES, O_VAR, O_RULESCACHE, O_MIDSTREAM, O_MSPOLICY, O_CID, O_CIDSEED, O_XFF, O_NOVLAN,
    O_APAYLOAD, O_APRINT, O_REPCATS, O_REP, O_IOC, O_AVERDICT, O_ALERTMAX, O_ETHER, O_SMTPMD5, O_PCAPNAME, O_APACKET,
    O_CONFIG, O_CAPTURE, O_WORKERS, O_RING,
};

/* ---- --profile (issue 29) ---- */

enum { O_PROFILE = 1000 };

/* A first pass over the options for --profile alone, so that caps given as
 * options override the profile's whatever their order. Without --profile
 * (or with auto), a box with at most MM_SMALL_BOX of memory gets the small
 * profile. */
static bool profile_first(int argc, char **argv, const struct option *opts,
                          mm_sensor_config *c)
{
    const char *name = NULL;
    bool quiet = false;
    int o, saved = opterr;
    opterr = 0;
    optind = 0;
    while ((o = getopt_long(argc, argv, "r:i:f:o:qhT", opts, NULL)) != -1) {
        if (o == O_PROFILE)
            name = optarg;
        else if (o == 'q')
            quiet = true;
    }
    opterr = saved;
    if (!name || strcmp(name, "auto") == 0) {
        uint64_t mem = mm_box_memory();
        if (mem && mem <= MM_SMALL_BOX) {
            mm_sensor_profile(c, "small");
            if (!quiet)
                fprintf(stderr, "mimamori sensor: %.1f GiB of memory: the small profile "
                        "(--profile standard for the larger caps)\n",
                        (double)mem / (double)(1ULL << 30));
        }
        return true;
    }
    if (!mm_sensor_profile(c, name)) {
        fprintf(stderr, "mimamori sensor: --profile %s: small, standard or auto\n", name);
        return false;
    }
    return true;
}

static void help_detect(void)
{
    int n;
    const mm_detect_param *p = mm_detect_params(&n);
    printf("Thresholds of the built-in detectors (--detect NAME=N):\n");
    for (int i = 0; i < n; i++)
        printf("  %-24s %8llu  %s\n", p[i].name, (unsigned long long)p[i].def, p[i].help);
}

static bool add_list(mm_detect_config *d, const char *kind, size_t kl, const char *file)
{
    static char kinds[MM_DETECT_MAX_LISTS][16];
    if (d->nlists >= MM_DETECT_MAX_LISTS) {
        fprintf(stderr, "mimamori sensor: at most %d lists\n", MM_DETECT_MAX_LISTS);
        return false;
    }
    if (kl >= sizeof kinds[0] || !*file) {
        fprintf(stderr, "mimamori sensor: --list KIND=FILE (mining, ddns, sinkhole, hash, vendor)\n");
        return false;
    }
    memcpy(kinds[d->nlists], kind, kl);
    kinds[d->nlists][kl] = 0;
    if (mm_detect_list_kind(kinds[d->nlists]) < 0) {
        fprintf(stderr, "mimamori sensor: --list %s: kind is mining, ddns, sinkhole, hash or vendor\n",
                kinds[d->nlists]);
        return false;
    }
    d->list_kind[d->nlists] = kinds[d->nlists];
    d->list_file[d->nlists++] = file;
    return true;
}

/* "md5,sha256", "none": the hashes computed for every file. */
static bool hashes_opt(const char *v, unsigned *out)
{
    if (!strcmp(v, "none")) {
        *out = 0;
        return true;
    }
    unsigned h = 0;
    const char *p = v;
    while (*p) {
        size_t l = strcspn(p, ",");
        if (l == 3 && !strncmp(p, "md5", 3))
            h |= MM_HASH_MD5;
        else if (l == 4 && !strncmp(p, "sha1", 4))
            h |= MM_HASH_SHA1;
        else if (l == 6 && !strncmp(p, "sha256", 6))
            h |= MM_HASH_SHA256;
        else
            return false;
        p += l + (p[l] == ',');
    }
    *out = h;
    return h != 0;
}

static bool size_opt(const char *name, const char *v, uint64_t *out)
{
    if (!mm_parse_size(v, out)) {
        fprintf(stderr, "mimamori sensor: %s: '%s' is not a size (bytes, optional k/m/g)\n",
                name, v);
        return false;
    }
    return true;
}

static bool uint_opt(const char *name, const char *v, uint64_t max, uint64_t *out)
{
    if (!mm_parse_uint(v, max, out)) {
        fprintf(stderr, "mimamori sensor: %s: '%s' is not a whole number up to %llu\n", name,
                v, (unsigned long long)max);
        return false;
    }
    return true;
}

/* A comma list of words into bits (the first word bit 0 ...). */
static bool word_set(const char *name, const char *v, const char *const *words, uint8_t *out)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", v);
    *out = 0;
    if (strcmp(v, "none") == 0)
        return true;
    for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); t; t = strtok_r(NULL, ",", &sv)) {
        int k = 0;
        while (words[k] && strcmp(words[k], t) != 0)
            k++;
        if (!words[k] || k > 7) {
            fprintf(stderr, "mimamori sensor: %s: '%s' is not one of", name, t);
            for (k = 0; words[k]; k++)
                fprintf(stderr, "%s %s", k ? "," : "", words[k]);
            fputc('\n', stderr);
            return false;
        }
        *out |= (uint8_t)(1u << k);
    }
    return true;
}

int cmd_sensor(int argc, char **argv)
{
    static const struct option opts[] = {
        {"read", required_argument, 0, 'r'},
        {"interface", required_argument, 0, 'i'},
        {"filter", required_argument, 0, 'f'},
        {"user", required_argument, 0, O_USER},
        {"test", no_argument, 0, 'T'},
        {"capture", required_argument, 0, O_CAPTURE},
        {"workers", required_argument, 0, O_WORKERS},
        {"ring-size", required_argument, 0, O_RING},
        {"snaplen", required_argument, 0, O_SNAPLEN},
        {"no-promisc", no_argument, 0, O_NOPROMISC},
        {"site", required_argument, 0, O_SITE},
        {"sensor", required_argument, 0, O_SENSOR},
        {"home-net", required_argument, 0, O_HOMENET},
        {"eve", required_argument, 0, O_EVE},
        {"output", required_argument, 0, 'o'},
        {"segment-size", required_argument, 0, O_SEGSIZE},
        {"segment-age", required_argument, 0, O_SEGAGE},
        {"zstd", optional_argument, 0, O_ZSTD},
        {"seal-key", required_argument, 0, O_SEAL},
        {"pcap-dir", required_argument, 0, O_PCAPDIR},
        {"pcap-quota", required_argument, 0, O_PCAPQUOTA},
        {"pcap-mode", required_argument, 0, O_PCAPMODE},
        {"stats-interval", required_argument, 0, O_STATSINT},
        {"geoip", required_argument, 0, O_GEOIP},
        {"flow-memcap", required_argument, 0, O_FLOWMEMCAP},
        {"no-vlan-tracking", no_argument, 0, O_NOVLAN},
        {"stream-memcap", required_argument, 0, O_STREAMMEMCAP},
        {"stream-depth", required_argument, 0, O_STREAMDEPTH},
        {"defrag-memcap", required_argument, 0, O_DEFRAGMEMCAP},
        {"anomaly-rate", required_argument, 0, O_ANRATE},
        {"anomaly-packethdr", no_argument, 0, O_ANPKT},
        {"anomaly-types", required_argument, 0, O_ANTYPES},
        {"http-basic", no_argument, 0, O_HTTPBASIC},
        {"http-decompress-layers", required_argument, 0, O_HTTPLAYERS},
        {"http-request-body-limit", required_argument, 0, O_HTTPREQLIMIT},
        {"app-memcap", required_argument, 0, O_APPMEMCAP},
        {"no-app-layer", no_argument, 0, O_NOAPP},
        {"filestore", required_argument, 0, O_FILESTORE},
        {"filestore-max", required_argument, 0, O_FILESTOREMAX},
        {"file-hashes", required_argument, 0, O_FILEHASHES},
        {"http-headers", required_argument, 0, O_HTTPHDR},
        {"no-detect", no_argument, 0, O_NODETECT},
        {"midstream", no_argument, 0, O_MIDSTREAM},
        {"midstream-policy", required_argument, 0, O_MSPOLICY},
        {"xff", required_argument, 0, O_XFF},
        {"alert-payload", no_argument, 0, O_APAYLOAD},
        {"alert-payload-printable", no_argument, 0, O_APRINT},
        {"alert-verdict", no_argument, 0, O_AVERDICT},
        {"ethernet", no_argument, 0, O_ETHER},
        {"pcap-filename", no_argument, 0, O_PCAPNAME},
        {"alert-packet", no_argument, 0, O_APACKET},
        {"smtp-md5", required_argument, 0, O_SMTPMD5},
        {"dns-log", required_argument, 0, O_DNSLOG},
        {"dns-types", required_argument, 0, O_DNSTYPES},
        {"packet-alert-max", required_argument, 0, O_ALERTMAX},
        {"community-id", no_argument, 0, O_CID},
        {"community-id-seed", required_argument, 0, O_CIDSEED},
        {"no-rules", no_argument, 0, O_NORULES},
        {"rules", required_argument, 0, O_RULES},
        {"var", required_argument, 0, O_VAR},
        {"rules-cache", required_argument, 0, O_RULESCACHE},
        {"reputation-categories", required_argument, 0, O_REPCATS},
        {"reputation", required_argument, 0, O_REP},
        {"ioc", required_argument, 0, O_IOC},
        {"list", required_argument, 0, O_LIST},
        {"hash-list", required_argument, 0, O_HASHLIST},
        {"detect", required_argument, 0, O_DETECT},
        {"help-detect", no_argument, 0, O_HELPDETECT},
        {"threshold-file", required_argument, 0, O_THRESHOLD},
        {"home-country", required_argument, 0, O_HOMECC},
        {"progress", no_argument, 0, O_PROGRESS},
        {"no-progress", no_argument, 0, O_NOPROGRESS},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {"profile", required_argument, 0, O_PROFILE},   /* issue 29 */
        {"config", required_argument, 0, O_CONFIG},
        {0, 0, 0, 0},
    };
    /* the configuration file's settings come before the command line's
     * (cli_config.c); the default file is not read for capture files */
    static const char *const repeat[] = {"rules", "ioc", "var", "reputation", "list",
                                         "hash-list", "detect", NULL};
    static const char *const join[] = {"home-net", "file-hashes", "dns-types",
                                       "anomaly-types", "smtp-md5", NULL};
    static const char *const skip[] = {"read", "config", "help", "help-detect", NULL};
    static const cli_config_spec spec = {"sensor", opts, repeat, join, skip};
    bool reading = false;
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        reading |= (argv[i][0] == '-' && argv[i][1] == 'r') || !strncmp(argv[i], "--read", 6);
    int nfile = 0;
    argv = cli_config_argv(&spec, argc, argv, !reading, &argc, &nfile);
    if (!argv)
        return 2;
    unsigned cli_seen = 0;              /* repeatable options the command line gave */
    bool iface_file = false, bpf_file = false, test = false;
#define CLI_FIRST(bit) (optind > nfile + 1 && !(cli_seen & (bit)) && (cli_seen |= (bit)))
    static mm_sensor_config c;
    mm_sensor_config_defaults(&c);
    bool norules = false;
    static char host[256];
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        strcpy(host, "sensor");
    c.sensor = host;
    uint64_t v;
    int o;
    if (!profile_first(argc, argv, opts, &c))
        return 2;
    optind = 1;
    while ((o = getopt_long(argc, argv, "r:i:f:o:qhT", opts, NULL)) != -1) {
        switch (o) {
        case 'r':
            if (c.nfiles >= MM_MAX_FILES) {
                fprintf(stderr, "mimamori sensor: at most %d files\n", MM_MAX_FILES);
                return 2;
            }
            c.files[c.nfiles++] = optarg;
            break;
        case 'i': c.iface = optarg; iface_file = optind <= nfile + 1; break;
        case 'f': c.bpf = optarg; bpf_file = optind <= nfile + 1; break;
        case O_CONFIG: break;           /* read above */
        case O_USER: c.user = optarg; break;
        case O_CAPTURE:
            if (strcmp(optarg, "afpacket") == 0)
                c.capture = MM_CAPTURE_AFPACKET;
            else if (strcmp(optarg, "pcap") == 0)
                c.capture = MM_CAPTURE_PCAP;
            else {
                fprintf(stderr, "mimamori sensor: --capture: afpacket or pcap\n");
                return 2;
            }
            break;
        case O_WORKERS:
            if (!uint_opt("--workers", optarg, MM_MAX_WORKERS, &v) || v < 1) {
                fprintf(stderr, "mimamori sensor: --workers: 1 to %d\n", MM_MAX_WORKERS);
                return 2;
            }
            c.workers = (int)v;
            break;
        case O_RING:
            if (!mm_parse_size(optarg, &v) || v < (1u << 20) || v > (1ULL << 30)) {
                fprintf(stderr, "mimamori sensor: --ring-size: a size from 1m to 1g\n");
                return 2;
            }
            c.ring_block_size = MM_RING_BLOCK;
            c.ring_blocks = (uint32_t)(v / MM_RING_BLOCK);
            break;
        case O_SNAPLEN:
            if (!uint_opt("--snaplen", optarg, MM_MAX_SNAPLEN, &v) || v < 64) {
                fprintf(stderr, "mimamori sensor: --snaplen: 64 to %u\n", MM_MAX_SNAPLEN);
                return 2;
            }
            c.snaplen = (uint32_t)v;
            break;
        case O_NOPROMISC: c.promisc = false; break;
        case O_SITE: c.site = optarg; break;
        case O_SENSOR: c.sensor = optarg; break;
        case O_HOMENET: c.home_net = optarg; break;
        case O_EVE: c.eve_path = optarg; break;
        case 'o': c.outdir = optarg; break;
        case O_SEGSIZE:
            if (!size_opt("--segment-size", optarg, &c.seg_size) || c.seg_size < 4096) {
                fprintf(stderr, "mimamori sensor: --segment-size: at least 4k\n");
                return 2;
            }
            break;
        case O_SEGAGE:
            if (!uint_opt("--segment-age", optarg, 86400 * 366, &c.seg_age_s) || c.seg_age_s == 0)
                return 2;
            break;
        case O_ZSTD:
            c.zstd_level = 3;
            if (optarg) {
                if (!uint_opt("--zstd", optarg, 19, &v) || v == 0)
                    return 2;
                c.zstd_level = (int)v;
            }
            break;
        case O_SEAL: c.seal_key_path = optarg; break;
        case O_PCAPDIR: c.pcap_dir = optarg; break;
        case O_PCAPQUOTA:
            if (!size_opt("--pcap-quota", optarg, &c.pcap_quota) || c.pcap_quota < (1u << 20)) {
                fprintf(stderr, "mimamori sensor: --pcap-quota: at least 1m\n");
                return 2;
            }
            break;
        case O_PCAPMODE:
            if (strcmp(optarg, "all") == 0) c.pcap_mode = MM_PCAP_ALL;
            else if (strcmp(optarg, "alerted") == 0) c.pcap_mode = MM_PCAP_ALERTED;
            else {
                fprintf(stderr, "mimamori sensor: --pcap-mode: all or alerted\n");
                return 2;
            }
            break;
        case O_STATSINT:
            if (!uint_opt("--stats-interval", optarg, 86400, &c.stats_interval_s))
                return 2;
            break;
        case O_GEOIP: c.geoip = optarg; break;
        case O_CID: c.community_id = true; break;
        case O_NOVLAN: c.flow.no_vlan = true; break;
        case O_CIDSEED: {
            char *end;
            unsigned long sv = strtoul(optarg, &end, 10);
            if (!*optarg || *end || sv > 65535) {
                fprintf(stderr, "mimamori: --community-id-seed: '%s': give 0-65535\n", optarg);
                return 2;
            }
            c.community_seed = (uint16_t)sv;
            c.community_id = true;
            break;
        }
        case O_FLOWMEMCAP:
            if (!size_opt("--flow-memcap", optarg, &c.flow.memcap)) return 2;
            break;
        case O_STREAMMEMCAP:
            if (!size_opt("--stream-memcap", optarg, &c.flow.stream_memcap)) return 2;
            break;
        case O_STREAMDEPTH:
            if (!size_opt("--stream-depth", optarg, &c.flow.stream_depth)) return 2;
            break;
        case O_DEFRAGMEMCAP:
            if (!size_opt("--defrag-memcap", optarg, &c.defrag_memcap)) return 2;
            break;
        case O_ANRATE:
            if (!uint_opt("--anomaly-rate", optarg, 1000000000, &c.anomaly_rate)) return 2;
            break;
        case O_APPMEMCAP:
            if (!size_opt("--app-memcap", optarg, &c.app_memcap)) return 2;
            break;
        case O_NOAPP: c.no_app_layer = true; break;
        case O_FILESTORE: c.filestore = optarg; break;
        case O_FILEHASHES:
            if (!hashes_opt(optarg, &c.file_hashes)) {
                fprintf(stderr, "mimamori: --file-hashes: '%s': give md5, sha1, sha256 "
                                "separated by commas, or none\n", optarg);
                return 2;
            }
            break;
        case O_ANPKT: c.anomaly_packethdr = true; break;
        case O_HTTPREQLIMIT:
            if (!size_opt("--http-request-body-limit", optarg, &c.http_req_body_limit))
                return 2;
            break;
        case O_HTTPBASIC: c.http_basic = true; break;
        case O_HTTPLAYERS: {
            char *e;
            long nl = strtol(optarg, &e, 10);
            if (*e || nl < 1 || nl > 4) {
                fprintf(stderr, "mimamori: --http-decompress-layers: '%s': give 1 to 4\n", optarg);
                return 2;
            }
            c.http_layers = (int)nl;
            break;
        }
        case O_ETHER: c.ethernet = true; break;
        case O_PCAPNAME: c.pcap_filename = true; break;
        case O_APACKET: c.detect.alert_packet = true; break;
        case O_DNSLOG: {
            static const char *const w[] = {"requests", "responses", NULL};
            if (!strcmp(optarg, "both"))
                c.dns_log = 3;
            else if (!word_set("--dns-log", optarg, w, &c.dns_log))
                return 2;
            break;
        }
        case O_DNSTYPES: {
            char buf[512];
            snprintf(buf, sizeof buf, "%s", optarg);
            c.ndns_types = 0;
            for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); t; t = strtok_r(NULL, ",", &sv)) {
                int ty = mm_dns_type_of(t);
                if (ty < 0 || c.ndns_types == MM_DNS_TYPES_MAX) {
                    fprintf(stderr, "mimamori sensor: --dns-types: '%s' is %s\n", t,
                            ty < 0 ? "not a record type (a, aaaa, mx, txt ...)" : "one too many");
                    return 2;
                }
                c.dns_types[c.ndns_types++] = (uint16_t)ty;
            }
            break;
        }
        case O_SMTPMD5: {
            static const char *const w[] = {"subject", "body", NULL};
            if (!word_set("--smtp-md5", optarg, w, &c.smtp_md5)) return 2;
            break;
        }
        case O_ANTYPES: {
            static const char *const w[] = {"decode", "stream", "applayer", NULL};
            if (!word_set("--anomaly-types", optarg, w, &c.anomaly_types)) return 2;
            break;
        }
        case O_HTTPHDR: {
            static const char *const which[] = {"none", "request", "response", "both"};
            int k = 0;
            while (k < 4 && strcmp(optarg, which[k]))
                k++;
            if (k == 4) {
                fprintf(stderr, "mimamori: --http-headers: '%s': give none, request, response "
                                "or both\n", optarg);
                return 2;
            }
            c.http_headers = (uint8_t)k;
            break;
        }
        case O_FILESTOREMAX:
            if (!size_opt("--filestore-max", optarg, &c.filestore_max)) return 2;
            break;
        case O_NODETECT: c.detect.builtin = false; break;
        case O_MIDSTREAM: c.detect.midstream = true; break;
        case O_MSPOLICY:
            if (!strcmp(optarg, "ignore") || !strcmp(optarg, "auto"))
                c.midstream_policy = MM_MSP_IGNORE;
            else if (!strcmp(optarg, "bypass"))
                c.midstream_policy = MM_MSP_BYPASS;
            else if (!strcmp(optarg, "pass-flow"))
                c.midstream_policy = MM_MSP_PASS_FLOW;
            else {
                fprintf(stderr, "mimamori sensor: --midstream-policy %s: ignore, auto, bypass or "
                                "pass-flow (a passive sensor drops and rejects nothing)\n", optarg);
                return 2;
            }
            break;
        case O_APAYLOAD: c.detect.alert_payload |= 1; break;
        case O_APRINT: c.detect.alert_payload |= 2; break;
        case O_AVERDICT: c.detect.alert_verdict = true; break;
        case O_ALERTMAX:
            if (!uint_opt("--packet-alert-max", optarg, 1000, &v) || v == 0) {
                fprintf(stderr, "mimamori sensor: --packet-alert-max: 1 to 1000\n");
                return 2;
            }
            c.detect.alert_max = (uint32_t)v;
            break;
        case O_XFF: {
            const char *m = optarg;
            size_t ml = strcspn(m, ",");
            const char *dep = m[ml] ? m + ml + 1 : "reverse";
            c.detect.xff_mode = ml == 10 && !strncmp(m, "extra-data", 10) ? 1
                              : ml == 9 && !strncmp(m, "overwrite", 9) ? 2 : 0;
            if (!c.detect.xff_mode || (strcmp(dep, "reverse") && strcmp(dep, "forward"))) {
                fprintf(stderr, "mimamori: --xff: '%s': give extra-data or overwrite, "
                                "optionally ',forward' or ',reverse'\n", optarg);
                return 2;
            }
            c.detect.xff_reverse = strcmp(dep, "reverse") == 0;
            break;
        }
        case O_NORULES: norules = true; break;
        case O_RULES:
            if (CLI_FIRST(1))
                c.detect.nrules = 0;
            if (c.detect.nrules == MM_DETECT_MAX_RULES) {
                fprintf(stderr, "mimamori sensor: at most %d --rules\n", MM_DETECT_MAX_RULES);
                return 2;
            }
            c.detect.rules[c.detect.nrules++] = optarg;
            break;
        case O_RULESCACHE: c.detect.rules_cache = optarg; break;
        case O_VAR:
            if (CLI_FIRST(2))
                c.detect.nvars = 0;
            if (!strchr(optarg, '=') ||
                c.detect.nvars == (int)(sizeof c.detect.vars / sizeof c.detect.vars[0])) {
                fprintf(stderr, "mimamori sensor: --var NAME=VALUE (at most 32)\n");
                return 2;
            }
            c.detect.vars[c.detect.nvars++] = optarg;
            break;
        case O_LIST: {
            if (CLI_FIRST(4))
                c.detect.nlists = 0;
            const char *eq = strchr(optarg, '=');
            if (!eq) {
                fprintf(stderr, "mimamori sensor: --list KIND=FILE\n");
                return 2;
            }
            if (!add_list(&c.detect, optarg, (size_t)(eq - optarg), eq + 1))
                return 2;
            break;
        }
        case O_HASHLIST:
            if (CLI_FIRST(4))
                c.detect.nlists = 0;
            if (!add_list(&c.detect, "hash", 4, optarg))
                return 2;
            break;
        case O_DETECT:
            if (CLI_FIRST(8))
                c.detect.nset = 0;
            if (c.detect.nset >= (int)(sizeof c.detect.set / sizeof c.detect.set[0])) {
                fprintf(stderr, "mimamori sensor: too many --detect\n");
                return 2;
            }
            c.detect.set[c.detect.nset++] = optarg;
            break;
        case O_REPCATS: c.detect.rep_categories = optarg; break;
        case O_REP:
            if (CLI_FIRST(16))
                c.detect.nrep = 0;
            if (c.detect.nrep == MM_DETECT_MAX_REP) {
                fprintf(stderr, "mimamori sensor: at most %d --reputation\n", MM_DETECT_MAX_REP);
                return 2;
            }
            c.detect.rep[c.detect.nrep++] = optarg;
            break;
        case O_IOC:
            if (CLI_FIRST(32))
                c.nioc = 0;
            if (c.nioc == MM_SENSOR_MAX_IOC) {
                fprintf(stderr, "mimamori sensor: at most %d --ioc\n", MM_SENSOR_MAX_IOC);
                return 2;
            }
            c.ioc[c.nioc++] = optarg;
            break;
        case O_HELPDETECT: help_detect(); return 0;
        case O_THRESHOLD: c.detect.threshold_file = optarg; break;
        case O_HOMECC:
            if (strlen(optarg) != 2 || optarg[0] < 'A' || optarg[0] > 'Z' || optarg[1] < 'A' ||
                optarg[1] > 'Z') {
                fprintf(stderr, "mimamori sensor: --home-country: a two-letter ISO code (JP)\n");
                return 2;
            }
            c.detect.home_country = optarg;
            break;
        case O_PROGRESS: c.progress = 1; break;
        case O_NOPROGRESS: c.progress = 0; break;
        case 'q': c.quiet = true; break;
        case 'T': test = true; break;
        case O_PROFILE: break;      /* applied by profile_first */
        case 'h': usage(stdout); return 0;
        default:
            fprintf(stderr, "(see mimamori sensor --help)\n");
            return 2;
        }
    }
#undef CLI_FIRST
    if (c.nfiles && iface_file) {       /* -r here wins over the file's interface */
        c.iface = NULL;
        if (bpf_file)
            c.bpf = NULL;
    }
    if (optind < argc) {
        fprintf(stderr, "mimamori sensor: unexpected argument '%s' (files are given with -r)\n",
                argv[optind]);
        return 2;
    }
    if (test) {
        if (norules)
            c.detect.nrules = 0;
        c.detect.home_net = c.home_net;
        return mm_sensor_test(&c);
    }
    if ((c.nfiles == 0) == (c.iface == NULL)) {
        fprintf(stderr, "mimamori sensor: give capture files with -r or an interface with -i "
                        "(one of the two)\n");
        return 2;
    }
    if (c.bpf && !c.iface) {
        fprintf(stderr, "mimamori sensor: --filter applies to live capture (-i)\n");
        return 2;
    }
    if (!c.site[0] || !c.sensor[0]) {
        fprintf(stderr, "mimamori sensor: --site and --sensor must not be empty\n");
        return 2;
    }
    if (norules)
        c.detect.nrules = 0;
    c.detect.home_net = c.home_net;
    return mm_sensor_run(&c);
}
