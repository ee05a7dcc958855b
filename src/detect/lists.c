/*
 * lists.c - the detectors' name lists: mining pools and browser miners,
 * dynamic-DNS providers, sinkholes, file hashes. A short built-in default
 * of the best-known entries, extended by --list KIND=FILE.
 *
 * A list file has one entry per line; '#' starts a comment; hosts-file
 * lines ("0.0.0.0 name"), adblock lines ("||name^"), a leading dot and
 * JSON-array punctuation around an entry are accepted, so the usual
 * published forms load as they are. A name matches itself and its
 * subdomains. Sinkhole entries are addresses or prefixes (or names).
 */
#include "detect/det.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[MM_LIST__COUNT] = {"mining", "ddns", "sinkhole", "hash", "vendor"};

int mm_detect_list_kind(const char *name)
{
    for (int i = 0; i < MM_LIST__COUNT; i++)
        if (strcmp(name, kinds[i]) == 0)
            return i;
    return -1;
}

/* Built-in defaults, written from public knowledge of the services. */
static const char *const def_mining[] = {
    /* pools */
    "minexmr.com", "supportxmr.com", "xmrpool.eu", "moneroocean.stream", "hashvault.pro",
    "c3pool.com", "herominers.com", "nanopool.org", "2miners.com", "f2pool.com",
    "ethermine.org", "nicehash.com", "minergate.com", "unmineable.com", "dwarfpool.com",
    "slushpool.com", "antpool.com", "viabtc.com", "poolin.com", "monerohash.com",
    "xmr.pool.minergate.com", "pool.hashvault.pro", "miningpoolhub.com", "coinfoundry.org",
    "prohashing.com", "zpool.ca", "mining-dutch.nl", "kryptex.network", "xmrfast.com",
    "minerxmr.ru", "crypto-pool.fr", "flypool.org", "sparkpool.com", "bw.com",
    /* browser miners */
    "coinhive.com", "coin-hive.com", "authedmine.com", "crypto-loot.com", "cryptoloot.pro",
    "coinimp.com", "webminepool.com", "jsecoin.com", "minero.cc", "ppoi.org",
    "projectpoi.com", "coinerra.com", "coin-have.com", "monerominer.rocks", "cnhv.co",
    "webmine.cz", "minemytraffic.com", "papoto.com", "coinpot.co", "browsermine.com",
};
static const char *const def_ddns[] = {
    "no-ip.com", "no-ip.org", "no-ip.biz", "no-ip.info", "no-ip.net", "ddns.net",
    "hopto.org", "zapto.org", "sytes.net", "serveftp.com", "servehttp.com", "myftp.biz",
    "myftp.org", "bounceme.net", "redirectme.net", "servebeer.com", "serveblog.net",
    "servegame.com", "servepics.com", "servequake.com", "onthewifi.com", "3utilities.com",
    "ddnsking.com", "gotdns.ch", "myvnc.com", "webhop.me", "duckdns.org", "dyndns.org",
    "dyndns.info", "dyndns.biz", "homeip.net", "dynu.net", "dynu.com", "freedns.afraid.org",
    "mooo.com", "chickenkiller.com", "ignorelist.com", "strangled.net", "changeip.com",
    "changeip.net", "dynv6.net", "linkpc.net", "publicvm.com", "kozow.com", "ddnsfree.com",
    "dns.army", "dynamic-dns.net", "myddns.me", "mydyndns.org", "dnsalias.com",
    "dnsalias.net", "dnsalias.org", "is-a-geek.com", "is-a-geek.org", "ath.cx",
    "dyndns.tv", "selfip.com", "selfip.net", "3322.org", "f3322.net", "vicp.net",
};
/* The big vendors' services that every office checks in with all day
 * (operating system and browser updates, certificate status, chat
 * presence, cloud sync, anti-virus updates): never beacon suspects. Only
 * domains the vendor itself runs: shared hosting and CDN customer names
 * (amazonaws.com, cloudfront.net, azurewebsites.net, herokuapp.com,
 * discord, telegram, pastebins ...) are left out on purpose, as C2 lives
 * there. Sources: the vendors' published endpoint lists (Microsoft 365
 * URLs and IP ranges, as MISP's warninglist carries them; Apple's "Use
 * Apple products on enterprise networks"; Google's, Mozilla's and the
 * anti-virus vendors' firewall guides), docs/detectors.md. */
static const char *const def_vendor[] = {
    /* Microsoft: Windows, Office, Teams, OneDrive, Defender, Edge (not windows.net:
     * its blob and web hosts are any Azure customer's) */
    "microsoft.com", "windowsupdate.com", "windows.com", "live.com", "live.net", "msn.com",
    "office.com", "office.net", "office365.com", "microsoftonline.com", "microsoftonline-p.com",
    "sharepoint.com", "onedrive.com", "skype.com", "lync.com", "msftconnecttest.com",
    "msftncsi.com", "bing.com", "bing.net", "msedge.net", "outlook.com", "msauth.net",
    "msftauth.net", "msauthimages.net", "msecnd.net", "s-microsoft.com",
    "microsoftazuread-sso.com", "aka.ms", "visualstudio.com", "xboxlive.com",
    "microsoftedge.com", "microsoftstore.com", "msocsp.com", "msocdn.com", "sfx.ms",
    "onenote.com",
    /* Apple */
    "apple.com", "icloud.com", "icloud-content.com", "mzstatic.com", "apple-cloudkit.com",
    "cdn-apple.com", "aaplimg.com", "apple-dns.net", "me.com",
    /* Google: Chrome and Android updates, Drive, Gmail, Meet */
    "google.com", "googleapis.com", "gstatic.com", "gvt1.com", "gvt2.com", "gvt3.com",
    "googlevideo.com", "youtube.com", "ytimg.com",
    "android.com", "google.co.jp", "gmail.com", "googlemail.com", "pki.goog",
    "chromium.org", "google-analytics.com", "googletagmanager.com", "doubleclick.net",
    /* certificate status (OCSP and CRL) of the public CAs */
    "digicert.com", "verisign.com", "symcb.com", "symcd.com", "globalsign.com",
    "globalsign.net", "sectigo.com", "usertrust.com", "comodoca.com", "lencr.org",
    "letsencrypt.org", "amazontrust.com", "entrust.net", "godaddy.com", "starfieldtech.com",
    "identrust.com", "secomtrust.net", "cybertrust.ne.jp", "jprs.jp",
    /* Mozilla */
    "mozilla.com", "mozilla.org", "mozilla.net", "firefox.com", "mozaws.net",
    /* Adobe, Oracle Java, hardware vendors' update agents */
    "adobe.com", "adobe.io", "adobelogin.com", "java.com", "oracle.com", "intel.com",
    "nvidia.com", "dell.com", "hp.com", "lenovo.com", "vmware.com",
    /* chat presence and video calls */
    "slack.com", "slack-edge.com", "slack-msgs.com", "zoom.us", "zoom.com", "webex.com",
    "line.me", "line-apps.com", "line-scdn.net", "naver.jp", "chatwork.com",
    "worksmobile.com", "cybozu.com", "kintone.com",
    /* cloud sync clients */
    "dropbox.com", "dropboxapi.com", "box.com", "boxcloud.com", "amazon.com", "amazon.co.jp",
    /* anti-virus and endpoint protection updates */
    "trendmicro.com", "trendmicro.co.jp", "trendmicro.jp", "symantec.com", "norton.com",
    "nortonlifelock.com", "broadcom.com", "mcafee.com", "kaspersky.com", "kaspersky-labs.com",
    "eset.com", "eset.net", "sophos.com", "sophosxl.net", "avast.com", "avg.com",
    "bitdefender.com", "bitdefender.net", "f-secure.com", "crowdstrike.com",
    "sentinelone.net", "malwarebytes.com", "webroot.com", "fortinet.com", "fortinet.net",
    "fortiguard.com", "paloaltonetworks.com",
};
/* Sinkholes: addresses operators publish for seized malware domains. */
static const char *const def_sinkhole[] = {
    "0.0.0.0/32",            /* an answer that points nowhere */
    "127.0.0.0/8",           /* loopback for an external name */
    "131.253.18.11/32", "131.253.18.12/32",   /* Microsoft */
    "199.2.137.0/24", "204.95.99.0/24",       /* Microsoft */
    "148.81.111.0/24",                        /* CERT Polska */
    "195.22.26.192/26",                       /* Anubis Networks */
    "192.42.116.41/32", "192.42.119.41/32",   /* Conficker working group */
    "87.255.51.229/32",                       /* abuse.ch */
    "38.229.70.0/24",                         /* Shadowserver */
    "216.218.185.162/32",                     /* Shadowserver */
};

/* --- a set of names --------------------------------------------------------- */

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t)tolower((unsigned char)*s)) * 1099511628211ULL;
    return h;
}

static bool names_add(det_names *ns, const char *name)
{
    if ((ns->n + 1) * 2 > ns->cap) {
        size_t cap = ns->cap ? ns->cap * 2 : 256;
        char **v = calloc(cap, sizeof(char *));
        if (!v)
            return false;
        for (size_t i = 0; i < ns->cap; i++)
            if (ns->v[i]) {
                size_t k = name_hash(ns->v[i]) & (cap - 1);
                while (v[k])
                    k = (k + 1) & (cap - 1);
                v[k] = ns->v[i];
            }
        free(ns->v);
        ns->v = v;
        ns->cap = cap;
    }
    size_t k = name_hash(name) & (ns->cap - 1);
    while (ns->v[k]) {
        if (strcasecmp(ns->v[k], name) == 0)
            return true;
        k = (k + 1) & (ns->cap - 1);
    }
    if (!(ns->v[k] = strdup(name)))
        return false;
    ns->n++;
    return true;
}

static const char *names_find(const det_names *ns, const char *name)
{
    if (!ns->cap)
        return NULL;
    size_t k = name_hash(name) & (ns->cap - 1);
    while (ns->v[k]) {
        if (strcasecmp(ns->v[k], name) == 0)
            return ns->v[k];
        k = (k + 1) & (ns->cap - 1);
    }
    return NULL;
}

const char *det_name_match(const mm_detect *d, int kind, const char *name)
{
    const det_names *ns = &d->names[kind];
    if (!ns->n || !name || !*name)
        return NULL;
    char buf[256];
    size_t l = strlen(name);
    if (l >= sizeof buf)
        return NULL;
    memcpy(buf, name, l + 1);
    if (l && buf[l - 1] == '.')
        buf[--l] = 0;                   /* the root's dot */
    for (const char *p = buf; p && *p;) {
        const char *hit = names_find(ns, p);
        if (hit)
            return hit;
        p = strchr(p, '.');
        if (p)
            p++;
    }
    return NULL;
}

bool det_sinkhole(const mm_detect *d, const mm_ip *ip)
{
    return d->sinkhole_nets.n && mm_netlist_contains(&d->sinkhole_nets, ip);
}

const char *mm_detect_listed(const mm_detect *d, int kind, const char *name)
{
    return kind >= 0 && kind < MM_LIST__COUNT ? det_name_match(d, kind, name) : NULL;
}

/* The built-in vendor entry name[0..n) (or a parent of it) falls under:
 * a walk up the labels, each compared with the short built-in list. */
const char *mm_detect_builtin_vendor(const char *name, size_t n)
{
    while (n && name[n - 1] == '.')
        n--;
    size_t off = 0;
    while (off < n) {
        size_t l = n - off;
        for (size_t i = 0; i < sizeof def_vendor / sizeof def_vendor[0]; i++)
            if (strlen(def_vendor[i]) == l && strncasecmp(def_vendor[i], name + off, l) == 0)
                return def_vendor[i];
        const char *dot = memchr(name + off, '.', l);
        if (!dot)
            break;
        off = (size_t)(dot - name) + 1;
    }
    return NULL;
}

bool mm_detect_sinkhole(const mm_detect *d, const mm_ip *ip)
{
    return det_sinkhole(d, ip);
}

/* --- reading ---------------------------------------------------------------- */

/* The entry a line holds, cleaned in place; NULL when none. */
static char *entry(char *line)
{
    char *h = strchr(line, '#');
    if (h)
        *h = 0;
    char *p = line;
    while (*p && (isspace((unsigned char)*p) || *p == '"' || *p == '[' || *p == '|'))
        p++;
    /* hosts-file form: an address, then the name */
    char *sp = p + strcspn(p, " \t");
    if (*sp && (strncmp(p, "0.0.0.0", 7) == 0 || strncmp(p, "127.0.0.1", 9) == 0 ||
                strncmp(p, "::", 2) == 0)) {
        p = sp;
        while (isspace((unsigned char)*p))
            p++;
    }
    size_t l = strcspn(p, " \t\r\n\v\f\",^$]");
    p[l] = 0;
    while (*p == '.' || *p == '*')
        p++;
    if (!*p)
        return NULL;
    for (char *c = p; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return p;
}

#define NETS_CAP (1u << 20)

/* Sinkhole addresses and prefixes gather in d->nets ("a,b/24,...") until
 * the lists are read, then make one netlist. */
static bool add_entry(mm_detect *d, int kind, const char *e)
{
    if (kind == MM_LIST_SINKHOLE && (isdigit((unsigned char)e[0]) || strchr(e, ':'))) {
        char ip[64];
        size_t l = strcspn(e, "/");
        mm_ip tmp;
        if (l >= sizeof ip)
            return true;
        memcpy(ip, e, l);
        ip[l] = 0;
        if (!mm_ip_parse(ip, &tmp))
            return true;                /* not an address: left out */
        if (e[l] == '/') {
            char *end;
            if (!isdigit((unsigned char)e[l + 1]))
                return true;            /* strtoul would skip spaces: digits only */
            unsigned long bits = strtoul(e + l + 1, &end, 10);
            if (*end || bits > (tmp.v == 4 ? 32u : 128u))
                return true;
        }
        l = strlen(e);
        if (d->nets_len + l + 2 > NETS_CAP)
            return true;                /* beyond the bound: the rest is left out */
        if (d->nets_len)
            d->nets[d->nets_len++] = ',';
        memcpy(d->nets + d->nets_len, e, l);
        d->nets_len += l;
        d->nets[d->nets_len] = 0;
        return true;
    }
    if (kind == MM_LIST_MINING) {
        mm_ip tmp;
        if (mm_ip_parse(e, &tmp))
            d->mining_ips++;            /* pools by address: flows are checked too */
    }
    return names_add(&d->names[kind], e);
}

bool det_list_read(mm_detect *d, int kind, FILE *fp)
{
    char line[1024];
    while (fgets(line, sizeof line, fp)) {
        size_t l = strlen(line);
        if (l == sizeof line - 1 && line[l - 1] != '\n') {
            int ch;                     /* an overlong line: skipped whole */
            while ((ch = fgetc(fp)) != EOF && ch != '\n')
                ;
            continue;
        }
        char *e = entry(line);
        if (e && strlen(e) < 256 && !add_entry(d, kind, e))
            return false;
    }
    return true;
}

bool det_lists_finish(mm_detect *d, char *err, size_t errlen)
{
    mm_netlist_free(&d->sinkhole_nets);
    return mm_netlist_parse(&d->sinkhole_nets, d->nets, err, errlen);
}

bool det_lists_init(mm_detect *d, const mm_detect_config *c, char *err, size_t errlen)
{
    if (!(d->nets = malloc(NETS_CAP))) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    d->nets[0] = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof def_mining / sizeof def_mining[0]; i++)
        ok = names_add(&d->names[MM_LIST_MINING], def_mining[i]);
    for (size_t i = 0; ok && i < sizeof def_ddns / sizeof def_ddns[0]; i++)
        ok = names_add(&d->names[MM_LIST_DDNS], def_ddns[i]);
    for (size_t i = 0; ok && i < sizeof def_sinkhole / sizeof def_sinkhole[0]; i++)
        ok = add_entry(d, MM_LIST_SINKHOLE, def_sinkhole[i]);
    for (size_t i = 0; ok && i < sizeof def_vendor / sizeof def_vendor[0]; i++)
        ok = names_add(&d->names[MM_LIST_VENDOR], def_vendor[i]);
    for (int i = 0; ok && i < c->nlists; i++) {
        int kind = mm_detect_list_kind(c->list_kind[i]);
        if (kind < 0) {
            snprintf(err, errlen, "--list %s: unknown kind (mining, ddns, sinkhole, hash, vendor)",
                     c->list_kind[i]);
            return false;
        }
        FILE *fp = fopen(c->list_file[i], "r");
        if (!fp) {
            snprintf(err, errlen, "--list %s=%s: %s", c->list_kind[i], c->list_file[i],
                     strerror(errno));
            return false;
        }
        ok = det_list_read(d, kind, fp);
        fclose(fp);
    }
    if (!ok) {
        snprintf(err, errlen, "out of memory reading lists");
        return false;
    }
    return det_lists_finish(d, err, errlen);
}

void det_lists_free(mm_detect *d)
{
    for (int k = 0; k < MM_LIST__COUNT; k++) {
        for (size_t i = 0; i < d->names[k].cap; i++)
            free(d->names[k].v[i]);
        free(d->names[k].v);
        memset(&d->names[k], 0, sizeof d->names[k]);
    }
    mm_netlist_free(&d->sinkhole_nets);
    free(d->nets);
    d->nets = NULL;
    d->nets_len = 0;
}
