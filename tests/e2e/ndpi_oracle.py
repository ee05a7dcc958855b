#!/usr/bin/env python3
"""Protocol identification against nDPI's published results.

nDPI's test suite ships, per capture, the flows ndpiReader found and the
protocol of each (corpus/ndpi/result/NAME.out, or NAME.out beside a corpus
capture). For the protocols both tools know, every flow nDPI identified by
content ("Confidence: DPI") must have that app_proto in our flow events
(recall), and our flows of that protocol that nDPI identified by content
as something else are counted against us (precision). nDPI's telnet
"Username" must be among our telnet users. Every disagreement is printed.

Usage: ndpi_oracle.py MIMAMORI [--min PCT] PATH...  ; 'N passed, N failed'.
"""
import glob
import ipaddress
import json
import os
import re
import subprocess
import sys

# nDPI master protocol -> our app_proto
NAMES = {'HTTP': 'http', 'TLS': 'tls', 'DNS': 'dns', 'SSH': 'ssh', 'SMBv1': 'smb',
         'SMBv23': 'smb', 'RDP': 'rdp', 'NTP': 'ntp', 'DHCP': 'dhcp', 'SMTP': 'smtp',
         'FTP_CONTROL': 'ftp', 'FTP_DATA': 'ftp-data', 'Mining': 'stratum', 'Telnet': 'telnet'}

# nDPI names for services or variants carried in a protocol we name by its
# wire format: DNS to DNSCrypt/Avast resolvers is DNS; SMTP or FTP that
# turned to TLS (STARTTLS, AUTH TLS) is ours smtp/ftp or tls; SMB over the
# NetBIOS session service is nDPI's NetBIOS.
SAME = {'DNScrypt': {'dns'}, 'AVASTSecureDNS': {'dns'}, 'SMTPS': {'smtp', 'tls'},
        'FTPS': {'ftp', 'tls'}, 'NetBIOS': {'smb'},
        # services nDPI names that run inside TLS (implicit, STARTTLS, or
        # through a SOCKS proxy): on the wire, TLS
        'IMAPS': {'tls'}, 'POPS': {'tls'}, 'ApplePush': {'tls'}, 'SOCKS': {'tls', 'http'},
        'PostgreSQL': {'tls'}, 'MySQL': {'tls'}, 'NoMachine': {'tls'},
        'Gnutella': {'tls'},   # gnutella.pcap: those flows open with a TLS ClientHello
        'HTTP_Proxy': {'http'}, 'HTTP_Connect': {'http'}, 'SOAP': {'http'}}

FLOW = re.compile(r'^\s+\d+\s+(TCP|UDP)\s+(\S+)\s+<?->\s+(\S+)\s+\[proto: [\d.]+/([^\]]+)\]')


def norm_ip(ip):
    """One spelling per address (nDPI writes '::' for a single zero group,
    which RFC 5952 and we do not)."""
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return ip


def endpoint(s):
    if s.startswith('['):
        ip, _, port = s[1:].rpartition(']:')
    else:
        ip, _, port = s.rpartition(':')
    return norm_ip(ip), port


def ndpi_flows(out):
    flows = []
    for l in open(out, errors='replace'):
        m = FLOW.match(l)
        if not m or 'Confidence: DPI' not in l:
            continue
        proto = m.group(4).split('.')[0]
        a, b = endpoint(m.group(2)), endpoint(m.group(3))
        user = re.search(r'\[Username: ([^\]]*)\]', l)
        flows.append((m.group(1), tuple(sorted([a, b])), proto, user.group(1) if user else None))
    return flows


def result_for(cap):
    base = os.path.basename(cap)
    near = cap + '.out'
    if os.path.exists(near):
        return near
    res = os.path.join(os.path.dirname(os.path.dirname(cap)), 'result', base + '.out')
    return res if os.path.exists(res) else None


def main():
    args = sys.argv[1:]
    need = 99.0
    if len(args) >= 2 and args[1] == '--min':
        need = float(args[2])
        del args[1:3]
    if len(args) < 2:
        print(__doc__)
        return 2
    mm = args[0]
    caps = []
    for p in args[1:]:
        if os.path.isdir(p):
            caps += sorted(glob.glob(os.path.join(p, '**', '*.pcap*'), recursive=True))
    caps = [c for c in caps if not c.endswith('.out') and result_for(c)]
    if not caps:
        print('SKIP: no captures with nDPI results')
        return 77
    tot = {}
    for cap in caps:
        want = [f for f in ndpi_flows(result_for(cap)) if f[2] in NAMES]
        allndpi = {(f[0], f[1]): f[2] for f in ndpi_flows(result_for(cap))}
        r = subprocess.run([mm, 'sensor', '-r', cap, '--eve', '-', '-q'], capture_output=True,
                           text=True)
        ours, users = {}, {}
        for l in r.stdout.splitlines():
            e = json.loads(l)
            if 'src_port' not in e:
                continue
            k = (e['proto'], tuple(sorted([(norm_ip(e['src_ip']), str(e['src_port'])),
                                           (norm_ip(e['dest_ip']), str(e['dest_port']))])))
            if e['event_type'] == 'flow':
                ours[k] = e.get('app_proto', '')
            elif e['event_type'] == 'telnet':
                users.setdefault(k, set()).update(e['mimamori']['telnet'].get('users', []))
        for proto, ep, name, user in want:
            t = tot.setdefault(NAMES[name], [0, 0, 0, 0])
            t[0] += 1
            got = ours.get((proto, ep))
            if got == NAMES[name]:
                t[1] += 1
            else:
                print('  %s: nDPI %s, ours %s: %s %s' % (os.path.basename(cap), name, got, proto, ep))
            if user is not None and NAMES[name] == 'telnet':
                t[0] += 1
                if user in users.get((proto, ep), set()):
                    t[1] += 1
                else:
                    print('  %s: nDPI telnet user %r, ours %s' % (os.path.basename(cap), user,
                                                                 sorted(users.get((proto, ep), []))))
        for k, ap in ours.items():
            if ap in NAMES.values() and k in allndpi:
                t = tot.setdefault(ap, [0, 0, 0, 0])
                t[2] += 1
                if NAMES.get(allndpi[k]) != ap and ap not in SAME.get(allndpi[k], ()):
                    t[3] += 1
                    print('  %s: ours %s, nDPI %s: %s %s' % (os.path.basename(cap), ap,
                                                             allndpi[k], k[0], k[1]))
    passed = failed = 0
    for p, (n, found, mine, wrong) in sorted(tot.items()):
        ok = (n == 0 or 100.0 * found / n >= need) and (mine == 0 or 100.0 * wrong / mine <= 100 - need)
        print('%s %s: nDPI %d, found %d (%.1f%%); ours %d judged, nDPI says otherwise %d' % (
            'ok  ' if ok else 'FAIL', p, n, found, 100.0 * found / n if n else 100, mine, wrong))
        passed += ok
        failed += not ok
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
