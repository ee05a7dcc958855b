/*
 * rule_family.c - which of the report's families a rule alert belongs to,
 * by sid (the ET Open rules of the field reports' attacks, read from the
 * ruleset itself) and otherwise by classtype; never by message text (ET
 * renames rules: sid 2001330, once "ET POLICY RDP connection confirm", is
 * now "ET INFO RDP - Response To External Host").
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "rules/rule.h"

static const struct {
    uint32_t sid;
    const char *family;
} by_sid[] = {
    /* RDP exposure, guessing, fast connections, BlueKeep, Nmap probes */
    {2001330, "rdp"}, {2001972, "rdp"}, {2012709, "rdp"}, {2012710, "rdp"}, {2012711, "rdp"},
    {2012712, "rdp"}, {2013479, "rdp"}, {2014385, "rdp"}, {2023753, "rdp"}, {2023755, "rdp"},
    {2027192, "rdp"}, {2027193, "rdp"}, {2027369, "rdp"}, {2027412, "rdp"}, {2027413, "rdp"},
    {2036252, "rdp"},
    /* Heartbleed requests and large responses, scanners */
    {2018377, "heartbleed"}, {2018378, "heartbleed"}, {2018382, "heartbleed"},
    {2018383, "heartbleed"}, {2018388, "heartbleed"}, {2018389, "heartbleed"},
    {2021023, "heartbleed"}, {2021024, "heartbleed"}, {2028303, "heartbleed"},
    /* NTP monlist and other mode 7 reflection */
    {2017918, "ntp-ddos"}, {2017920, "ntp-ddos"}, {2017921, "ntp-ddos"}, {2017965, "ntp-ddos"},
    {2017966, "ntp-ddos"}, {2019010, "ntp-ddos"}, {2019011, "ntp-ddos"}, {2019012, "ntp-ddos"},
    {2019013, "ntp-ddos"}, {2019014, "ntp-ddos"}, {2019015, "ntp-ddos"}, {2019016, "ntp-ddos"},
    {2019017, "ntp-ddos"}, {2019018, "ntp-ddos"}, {2019019, "ntp-ddos"}, {2019020, "ntp-ddos"},
    {2019021, "ntp-ddos"}, {2019022, "ntp-ddos"},
    /* EternalBlue, EternalRomance, EternalChampion, DoublePulsar */
    {2024207, "smb-ms17-010"}, {2024208, "smb-ms17-010"}, {2024212, "smb-ms17-010"},
    {2024213, "smb-ms17-010"}, {2024216, "smb-ms17-010"}, {2024217, "smb-ms17-010"},
    {2024218, "smb-ms17-010"}, {2024219, "smb-ms17-010"}, {2024220, "smb-ms17-010"},
    {2024297, "smb-ms17-010"}, {2024430, "smb-ms17-010"}, {2025649, "smb-ms17-010"},
    {2025650, "smb-ms17-010"}, {2025992, "smb-ms17-010"},
};

/* classtype, its description in Suricata's classification.config (what
 * EVE's alert.category carries), family */
static const struct {
    const char *classtype, *category;
    const char *family;
} by_class[] = {
    {"exploit-kit", "Exploit Kit Activity Detected", "exploit-kit"},
    {"coin-mining", "Crypto Currency Mining Activity Detected", "cryptojacking"},
    {"command-and-control", "Malware Command and Control Activity Detected", "c2"},
    {"domain-c2", "Domain Observed Used for C2 Detected", "c2"},
    {"trojan-activity", "A Network Trojan was detected", "c2"},
    {"network-scan", "Detection of a Network Scan", "scan-bruteforce"},
    {"attempted-recon", "Attempted Information Leak", "scan-bruteforce"},
    {"default-login-attempt", "Attempt to login by a default username and password",
     "scan-bruteforce"},
    {"suspicious-login", "An attempted login using a suspicious username was detected",
     "scan-bruteforce"},
};

const char *mm_rule_family(uint32_t gid, uint32_t sid, const char *classtype)
{
    if (gid == 1)
        for (size_t i = 0; i < sizeof by_sid / sizeof by_sid[0]; i++)
            if (by_sid[i].sid == sid)
                return by_sid[i].family;
    if (classtype)
        for (size_t i = 0; i < sizeof by_class / sizeof by_class[0]; i++)
            if (strcmp(by_class[i].classtype, classtype) == 0)
                return by_class[i].family;
    return NULL;
}

const char *mm_rule_family_category(uint32_t gid, uint32_t sid, const char *category)
{
    const char *f = mm_rule_family(gid, sid, NULL);
    if (f || !category)
        return f;
    for (size_t i = 0; i < sizeof by_class / sizeof by_class[0]; i++)
        if (strcasecmp(by_class[i].category, category) == 0)
            return by_class[i].family;
    return NULL;
}
