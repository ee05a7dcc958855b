#!/usr/bin/env python3
"""Flow oracle: our flow events against tshark and capinfos.

For every capture given (files or directories searched for *.pcap/*.pcapng):
  - the set of TCP and UDP 5-tuples in our flow events (direction ignored)
    must equal the set tshark dissects (innermost IP layer; packets carrying
    ICMP are left out, as the TCP/UDP header quoted inside an ICMP error is
    not a flow; our flows of tunnel carriers, marked
    mimamori.tunnel_carrier, are not on tshark's innermost layer; a whole
    frame whose IP header claims more than it holds makes no flow, as
    Suricata's decoder takes it);
  - our packet count (stats decoder.pkts) must equal capinfos' count;
  - our byte total (decoder.bytes, captured bytes as in Suricata) must equal
    the sum of tshark's frame.cap_len;
  - our wire byte total (mimamori.stats.wire_bytes) must equal capinfos' data
    size, which sums the original (wire) lengths; where capinfos and tshark's
    frame.len disagree with each other (damaged files), this is only noted.

Usage: flow_oracle.py MIMAMORI PATH... ; prints one line per capture and a
final 'N passed, N failed' line. Exit 77 (skip) when no capture is found.
"""
import ipaddress
import json
import os
import subprocess
import sys


def captures(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                for f in files:
                    if f.endswith(('.pcap', '.pcapng', '.cap')):
                        out.append(os.path.join(root, f))
        elif os.path.isfile(p):
            out.append(p)
    return sorted(out)


def norm(ip):
    return str(ipaddress.ip_address(ip))


def key(proto, a, ap, b, bp):
    x, y = (norm(a), int(ap)), (norm(b), int(bp))
    return (proto,) + (x + y if x <= y else y + x)


def lying_frames(path):
    """Frames whose IP header claims more than the frame holds (tshark's
    'IPv4 total length exceeds packet length', 'IPv6 payload length does
    not match expected framing length'): when the whole frame was
    captured, the packet is invalid, as Suricata's decoder takes it - no
    flow."""
    r = subprocess.run(['tshark', '-n', '-r', path, '-Y',
                        '(_ws.expert.message contains "total length exceeds packet length" || '
                        'ipv6.plen_exceeds_framing) && frame.cap_len >= frame.len',
                        '-T', 'fields', '-e', 'frame.number'], capture_output=True, text=True)
    return {int(x) for x in r.stdout.split() if x.isdigit()}


def tshark_tuples(path):
    lies = lying_frames(path)
    fields = ['frame.cap_len', 'frame.len', 'frame.number', 'frame.protocols', 'ip.src', 'ip.dst',
              'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport']
    cmd = ['tshark', '-n', '-r', path, '-T', 'fields', '-E', 'occurrence=l',
           '-E', 'separator=\t']
    for f in fields:
        cmd += ['-e', f]
    r = subprocess.run(cmd, capture_output=True, text=True)
    tuples = set()
    cap = wire = 0
    for line in r.stdout.splitlines():
        v = line.split('\t')
        if len(v) < len(fields):
            continue
        cap += int(v[0] or 0)
        wire += int(v[1] or 0)
        if v[2].isdigit() and int(v[2]) in lies:
            continue
        v = v[3:]
        protos = v[0].split(':')
        if 'icmp' in protos or 'icmpv6' in protos:
            continue
        layers = [p for p in protos if p in ('ip', 'ipv6')]
        if not layers:
            continue
        if layers[-1] == 'ip':
            src, dst = v[1], v[2]
        else:
            src, dst = v[3], v[4]
        if not src or not dst:
            continue
        # The transport must come after the innermost IP layer.
        last_ip = max(i for i, p in enumerate(protos) if p in ('ip', 'ipv6'))
        after = protos[last_ip + 1:]
        if 'tcp' in after and v[5] and v[6]:
            tuples.add(key('TCP', src, v[5], dst, v[6]))
        elif 'udp' in after and v[7] and v[8]:
            tuples.add(key('UDP', src, v[7], dst, v[8]))
    return tuples, cap, wire


def capinfos(path):
    r = subprocess.run(['capinfos', '-M', '-T', '-r', '-c', '-d', path],
                       capture_output=True, text=True)
    v = r.stdout.strip().split('\t')
    if len(v) < 3:
        return None, None
    try:
        return int(v[1]), int(v[2])
    except ValueError:
        return None, None


def ours(mimamori, path):
    r = subprocess.run([mimamori, 'sensor', '-r', path, '--eve', '-', '-q',
                        '--site', 'oracle', '--stream-depth', '0'],
                       capture_output=True, text=True)
    tuples, pkts, nbytes, wire = set(), None, None, None
    for line in r.stdout.splitlines():
        e = json.loads(line)
        # the flows of tunnel carriers (VXLAN, Geneve, Teredo) are ours and
        # Suricata's; tshark's innermost layer does not show them
        if e['event_type'] == 'flow' and e['proto'] in ('TCP', 'UDP') and \
                not e.get('mimamori', {}).get('tunnel_carrier'):
            tuples.add(key(e['proto'], e['src_ip'], e['src_port'],
                           e['dest_ip'], e['dest_port']))
        elif e['event_type'] == 'stats':
            pkts = e['stats']['decoder']['pkts']
            nbytes = e['stats']['decoder']['bytes']
            wire = e['mimamori']['stats']['wire_bytes']
    return r.returncode, tuples, pkts, nbytes, wire, r.stderr.strip()


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    mimamori = sys.argv[1]
    files = captures(sys.argv[2:])
    if not files:
        print('SKIP: no captures found under', ' '.join(sys.argv[2:]))
        return 77
    passed = failed = 0
    for f in files:
        cpk, cby = capinfos(f)
        if cpk is None:
            print('SKIP %s: capinfos cannot read it' % f)
            continue
        rc, mine, pk, by, wire, err = ours(mimamori, f)
        theirs, tcap, twire = tshark_tuples(f)
        problems, notes = [], ''
        if rc != 0:
            problems.append('exit %d: %s' % (rc, err))
        if pk != cpk:
            problems.append('packets %s, capinfos %s' % (pk, cpk))
        if by != tcap:
            problems.append('captured bytes %s, tshark %s' % (by, tcap))
        if wire != cby:
            if cby == twire:
                problems.append('wire bytes %s, capinfos %s' % (wire, cby))
            else:
                notes = ' [capinfos data size %s and tshark frame.len sum %s disagree]' % (cby, twire)
        only_ours = sorted(mine - theirs)
        only_tshark = sorted(theirs - mine)
        if only_ours:
            problems.append('%d tuples only in ours, e.g. %s' % (len(only_ours), only_ours[:3]))
        if only_tshark:
            problems.append('%d tuples only in tshark, e.g. %s' % (len(only_tshark), only_tshark[:3]))
        if problems:
            failed += 1
            print('FAIL %s: %s' % (f, '; '.join(problems)))
        else:
            passed += 1
            print('ok   %s (%d tuples, %d packets)%s' % (f, len(mine), pk, notes))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
