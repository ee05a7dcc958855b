/*
 * sigs.c - the built-in detectors' signatures. Stable ids: gid 1, sid
 * 8700000-8700999 (documented in docs/detectors.md); a changed meaning
 * takes a new sid, a changed wording a new rev.
 *
 * Severity as the issue defines it: 1 exploitation or compromise seen,
 * 2 attacks and attempts, 3 risky exposure and hygiene.
 */
#include "detect/det.h"

#define C_LEAK "Attempted Information Leak"
#define C_BAD "Potentially Bad Traffic"
#define C_ADMIN "Attempted Administrator Privilege Gain"
#define C_ADMIN_OK "Successful Administrator Privilege Gain"
#define C_TROJAN "A Network Trojan was detected"
#define C_SCAN "Detection of a Network Scan"
#define C_DOS "Attempted Denial of Service"
#define C_POLICY "Potential Corporate Privacy Violation"
#define C_MINING "Crypto Currency Mining Activity Detected"
#define C_USER "Attempted User Privilege Gain"
#define C_MISC "Misc activity"

const mm_sig mm_sigs[SIG__COUNT] = {
    [SIG_HB_ATTEMPT] = {8700001, 1, 2, "heartbleed", "heartbleed-attempt", C_LEAK,
                        "MIMAMORI HEARTBLEED heartbeat request longer than its record (CVE-2014-0160 attempt)"},
    [SIG_HB_LEAK] = {8700002, 1, 1, "heartbleed", "heartbleed-leak", C_LEAK,
                     "MIMAMORI HEARTBLEED oversized heartbeat response (memory leaked)"},
    [SIG_RDP_INBOUND] = {8700010, 1, 3, "rdp", "rdp-exposed", C_POLICY,
                         "MIMAMORI RDP connection confirmed between an external and an internal host"},
    [SIG_RDP_ADMIN] = {8700011, 1, 2, "rdp", "rdp-admin-login", C_ADMIN,
                       "MIMAMORI RDP connection request for an administrator account"},
    [SIG_RDP_GUESS] = {8700012, 1, 2, "rdp", "rdp-guessing", C_ADMIN,
                       "MIMAMORI RDP many connection attempts from one source (password guessing)"},
    [SIG_RDP_AFTER_GUESS] = {8700013, 1, 1, "rdp", "rdp-success-after-guessing", C_ADMIN_OK,
                             "MIMAMORI RDP session set up after repeated attempts from outside"},
    [SIG_RDP_OUT_SCAN] = {8700014, 2, 2, "rdp", "rdp-fast", C_SCAN,
                          "MIMAMORI RDP unusually fast connections from one source (scan or infection)"},
    [SIG_NTP_MONLIST] = {8700020, 1, 2, "ntp-ddos", "ntp-monlist", C_DOS,
                         "MIMAMORI NTP mode 7 MON_GETLIST request (monlist)"},
    [SIG_NTP_LARGE_MODE7] = {8700021, 1, 2, "ntp-ddos", "ntp-monlist", C_DOS,
                             "MIMAMORI NTP large mode 7 response"},
    [SIG_NTP_REFLECTOR] = {8700022, 1, 2, "ntp-ddos", "ntp-reflector", C_DOS,
                           "MIMAMORI NTP internal host answers monlist to the Internet (reflector)"},
    [SIG_NTP_FLOOD] = {8700023, 1, 2, "ntp-ddos", "ntp-flood", C_DOS,
                       "MIMAMORI NTP flood of responses received (reflection DDoS)"},
    [SIG_NTP_ANSWERED] = {8700024, 1, 3, "ntp-ddos", "ntp-monlist-answered", C_DOS,
                          "MIMAMORI NTP monlist answered (an amplifier on the path)"},
    [SIG_SSL3_NEGOTIATED] = {8700030, 1, 3, "sslv3", "sslv3-negotiated", C_BAD,
                             "MIMAMORI SSLv3 negotiated (POODLE)"},
    [SIG_SSL3_CLIENT] = {8700031, 1, 3, "sslv3", "sslv3-client", C_BAD,
                         "MIMAMORI SSLv3-only or downgraded ClientHello"},
    [SIG_SSL3_SERVER_EXPOSED] = {8700032, 1, 3, "sslv3", "sslv3-server", C_BAD,
                                 "MIMAMORI SSLv3 accepted by an internal server from the Internet"},
    [SIG_FILE_EXEC] = {8700040, 1, 3, "malicious-file", "file-executable", C_POLICY,
                       "MIMAMORI FILE executable or script transferred"},
    [SIG_FILE_RISKY] = {8700041, 1, 2, "malicious-file", "file-suspicious", C_TROJAN,
                        "MIMAMORI FILE executable or script disguised or from a suspicious server"},
    [SIG_FILE_KNOWN] = {8700042, 1, 1, "malicious-file", "file-known-bad", C_TROJAN,
                        "MIMAMORI FILE transferred file is on the hash list"},
    [SIG_SMB_ETERNALBLUE] = {8700050, 1, 1, "smb-ms17-010", "smb-eternalblue", C_ADMIN,
                             "MIMAMORI SMB MS17-010 EternalBlue transaction sequence"},
    [SIG_SMB_DP_PING] = {8700051, 1, 2, "smb-ms17-010", "smb-doublepulsar", C_TROJAN,
                         "MIMAMORI SMB DoublePulsar backdoor ping (TRANS2 SESSION_SETUP)"},
    [SIG_SMB_DP_INSTALLED] = {8700052, 1, 1, "smb-ms17-010", "smb-doublepulsar", C_ADMIN_OK,
                              "MIMAMORI SMB DoublePulsar backdoor answered (implant present)"},
    [SIG_SMB_INTERNET] = {8700053, 1, 3, "smb-ms17-010", "smb-internet", C_POLICY,
                          "MIMAMORI SMB between an internal host and the Internet"},
    [SIG_GH0ST] = {8700060, 1, 1, "gh0st", "gh0st", C_TROJAN,
                   "MIMAMORI Gh0st RAT framing (magic, lengths, zlib)"},
    [SIG_MINING_SESSION] = {8700070, 1, 1, "cryptojacking", "mining-session", C_MINING,
                            "MIMAMORI MINING Stratum mining session"},
    [SIG_MINING_NAME] = {8700071, 1, 2, "cryptojacking", "mining-name", C_MINING,
                         "MIMAMORI MINING mining pool or browser miner name looked up"},
    [SIG_CRYPTO_P2P] = {8700073, 1, 2, "cryptojacking", "crypto-p2p", C_MINING,
                        "MIMAMORI MINING cryptocurrency node P2P protocol (Monero, Bitcoin, Ethereum)"},
    [SIG_WEBLOGIC] = {8700072, 1, 2, "cryptojacking", "weblogic-exploit", C_ADMIN,
                      "MIMAMORI WebLogic CVE-2017-10271 XMLDecoder exploitation attempt"},
    [SIG_IOC] = {8700200, 1, 2, "ioc", "ioc", C_BAD,
                 "MIMAMORI IOC traffic matches an indicator of compromise"},
    [SIG_C2_BARE_IP] = {8700080, 1, 3, "c2", "c2-bare-ip", C_BAD,
                        "MIMAMORI C2 HTTP or TLS straight to a public IP address"},
    [SIG_C2_DDNS] = {8700081, 1, 2, "c2", "c2-ddns", C_BAD,
                     "MIMAMORI C2 dynamic DNS name"},
    [SIG_C2_SINKHOLE] = {8700082, 1, 2, "c2", "c2-sinkhole", C_TROJAN,
                         "MIMAMORI C2 DNS answer points to a sinkhole or nowhere"},
    [SIG_C2_POWERSHELL] = {8700083, 1, 2, "c2", "c2-powershell", C_TROJAN,
                           "MIMAMORI C2 PowerShell user agent or download cradle"},
    [SIG_SCAN_PORTS] = {8700090, 1, 2, "scan-bruteforce", "scan-ports", C_SCAN,
                        "MIMAMORI SCAN many ports of one host (vertical scan)"},
    [SIG_SCAN_HOSTS] = {8700091, 1, 2, "scan-bruteforce", "scan-hosts", C_SCAN,
                        "MIMAMORI SCAN one port on many hosts (horizontal scan)"},
    [SIG_BRUTEFORCE] = {8700092, 1, 2, "scan-bruteforce", "bruteforce", C_USER,
                        "MIMAMORI SCAN repeated short login sessions (password guessing)"},
    [SIG_IOT_PORT] = {8700093, 1, 2, "scan-bruteforce", "iot-port", C_SCAN,
                      "MIMAMORI SCAN connection from the Internet to an IoT-targeted port"},
    [SIG_EK_CONTAINER] = {8700100, 1, 2, "exploit-kit", "exploit-kit", C_TROJAN,
                          "MIMAMORI EXPLOIT KIT page view then an exploit container from a new host"},
    [SIG_EK_PAYLOAD] = {8700101, 1, 1, "exploit-kit", "exploit-kit-payload", C_TROJAN,
                        "MIMAMORI EXPLOIT KIT payload delivered after an exploit container"},
    [SIG_EK_LANDING] = {8700102, 1, 2, "exploit-kit", "exploit-kit", C_TROJAN,
                        "MIMAMORI EXPLOIT KIT landing page shape on a new host after a page view"},
    /* 3 alone; raised by what is known of the server (det_beacon.c) */
    [SIG_C2_BEACON] = {8700084, 2, 3, "c2", "c2-beacon", C_TROJAN,
                       "MIMAMORI C2 periodic beaconing (regular intervals and sizes)"},
    [SIG_EK_OBFUSCATED] = {8700103, 1, 2, "exploit-kit", "exploit-kit-landing", C_TROJAN,
                           "MIMAMORI EXPLOIT KIT obfuscated landing page or script exploit from a new host another site led to"},
    [SIG_EK_DISGUISED] = {8700104, 1, 1, "exploit-kit", "exploit-kit-disguised", C_TROJAN,
                          "MIMAMORI EXPLOIT KIT payload whose declared type lies (encrypted, XOR-encoded or disguised program)"},
    [SIG_STEALER_HTTP] = {8700110, 1, 1, "stealer", "stealer-http", C_TROJAN,
                          "MIMAMORI STEALER repeated encoded uploads to a script on a bare-address or new host"},
    [SIG_STEALER_FILE] = {8700111, 1, 1, "stealer", "stealer-file", C_TROJAN,
                          "MIMAMORI STEALER harvested credentials or system details uploaded as a file (FTP, HTTP)"},
    [SIG_STEALER_MAIL] = {8700112, 1, 1, "stealer", "stealer-mail", C_TROJAN,
                          "MIMAMORI STEALER harvested credentials or system details sent by mail"},
};
