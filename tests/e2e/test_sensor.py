#!/usr/bin/env python3
"""End-to-end tests of `mimamori sensor` and its companions, run on the real
binary. Usage: test_sensor.py MIMAMORI MM-PCAPGEN

Oracles are independent of our output: the documented content of the
generated capture (tools/pcapgen.c), tshark/capinfos/editcap on the same
files, Suricata's EVE schema (../shared/data/suricata-eve-schema.json), the
kernel's interface counters for "never transmits".
Prints one line per check and ends with 'N passed, N failed, N skipped'.
"""
import glob
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, eve_event, eve_validator, expect, finish  # noqa: E402
import time

MM, GEN = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared'))
TMP = tempfile.mkdtemp(prefix='mm-e2e-')



def run(args, **kw):
    return subprocess.run([MM] + args, capture_output=True, text=True, **kw)


def events(args):
    r = run(args + ['--eve', '-', '-q'])
    assert r.returncode == 0, r.stderr
    return [eve_event(l) for l in r.stdout.splitlines()]



DEMO = os.path.join(TMP, 'demo.pcap')
subprocess.run([GEN, DEMO], check=True)


def tup(e):
    return (e['proto'], e['src_ip'], e.get('src_port'), e['dest_ip'], e.get('dest_port'))


@check('demo capture: flows are the documented ones')
def _():
    ev = events(['sensor', '-r', DEMO, '--site', 'demo', '--sensor', 's1', '--geoip', 'default'])
    flows = {tup(e): e for e in ev if e['event_type'] == 'flow'}
    want = {
        ('TCP', '192.168.1.10', 50000, '93.184.216.34', 80): 'outbound',
        ('UDP', '192.168.1.10', 53000, '8.8.8.8', 53): 'outbound',
        ('ICMP', '192.168.1.10', None, '1.1.1.1', None): 'outbound',
        ('TCP', 'fd00::10', 40000, '2001:4860:4860::8888', 443): 'outbound',
        ('UDP', '192.168.1.20', 5353, '192.168.1.21', 5353): 'internal',
        ('UDP', '192.168.1.10', 40001, '203.0.113.9', 9999): 'outbound',
        ('TCP', '192.168.1.10', 50001, '198.51.100.7', 8080): 'outbound',
        ('TCP', '185.220.101.5', 61000, '192.168.1.50', 3389): 'inbound',
        # not the packet whose IPv4 length lies (item 9): invalid, as
        # Suricata's decoder takes it (suricata-verify ipv4-truncated)
    }
    expect(set(flows) == set(want), 'flows %s' % sorted(set(flows) ^ set(want)))
    for t, d in want.items():
        m = flows[t]['mimamori']
        expect(m['direction'] == d, '%s direction %s' % (t, m['direction']))
        expect(m['site'] == 'demo' and m['sensor'] == 's1' and flows[t]['host'] == 's1', 'identity')
    http = flows[('TCP', '192.168.1.10', 50000, '93.184.216.34', 80)]
    expect(http['flow']['pkts_toserver'] == 5 and http['flow']['pkts_toclient'] == 3, 'http pkts')
    expect(http['flow']['state'] == 'closed' and http['tcp']['state'] == 'closed', 'http closed')
    expect(http['mimamori']['stream'] == {'toserver_bytes': 65, 'toclient_bytes': 43, 'gaps': 0},
           'http stream %s' % http['mimamori']['stream'])
    frag = flows[('UDP', '192.168.1.10', 40001, '203.0.113.9', 9999)]
    expect(frag['flow']['pkts_toserver'] == 3, 'the 3 fragments count as the flow\'s packets')
    ooo = flows[('TCP', '192.168.1.10', 50001, '198.51.100.7', 8080)]
    expect(ooo['mimamori']['stream']['toserver_bytes'] == 20, 'reassembled 20 bytes')
    vlan = flows[('UDP', '192.168.1.20', 5353, '192.168.1.21', 5353)]
    expect(vlan['vlan'] == [100], 'vlan')
    icmp = flows[('ICMP', '192.168.1.10', None, '1.1.1.1', None)]
    expect(icmp['icmp_type'] == 8 and icmp['response_icmp_type'] == 0, 'icmp types')
    rdp = flows[('TCP', '185.220.101.5', 61000, '192.168.1.50', 3389)]
    expect(rdp['mimamori'].get('src_country', '') != '', 'country of the external peer')
    r = run(['geoip', '185.220.101.5'])
    expect(r.stdout.split('\t')[1] == rdp['mimamori']['src_country'], 'same as mimamori geoip')
    expect('src_country' not in flows[('TCP', '192.168.1.10', 50000, '93.184.216.34', 80)]['mimamori'],
           'no country for a private address')
    an = sorted(e['anomaly']['event'] for e in ev if e['event_type'] == 'anomaly')
    expect(an == ['decoder.ethernet.pkt_too_small', 'decoder.ipv4.trunc_pkt',
                  'stream.reassembly_overlap_different_data'], 'anomalies %s' % an)
    st = [e for e in ev if e['event_type'] == 'stats']
    expect(len(st) == 1, 'one stats event at end of input')
    cap = subprocess.run(['capinfos', '-M', '-T', '-r', '-c', DEMO], capture_output=True,
                         text=True).stdout.split('\t')
    expect(st[0]['stats']['decoder']['pkts'] == int(cap[1]), 'packet count = capinfos')
    expect(st[0]['stats']['defrag']['ipv4']['reassembled'] == 1, 'one reassembled datagram')


@check('pkt_src on every event made from a packet, as Suricata 7 (not flow nor stats)')
def _():
    ev = events(['sensor', '-r', DEMO])
    made = [e for e in ev if e['event_type'] not in ('flow', 'stats')]
    expect(made, 'events besides flows')
    for e in made:
        # a packet's events name it (pcap_cnt); what a flow's end writes has no packet
        want = 'wire/pcap' if 'pcap_cnt' in e else 'stream (flow timeout)'
        expect(e.get('pkt_src') == want, '%s: pkt_src %r' % (e['event_type'], e.get('pkt_src')))
    expect(all('pkt_src' not in e for e in ev if e['event_type'] in ('flow', 'stats')),
           'no pkt_src on flow and stats events')
    # Suricata's own expectation (suricata-verify base64-issue-5223): a request
    # never answered is logged when its flow ends, from a pseudo packet
    cap = os.path.join(SHARED, 'suricata-verify', 'tests', 'base64-issue-5223', 'input.pcap')
    if not os.path.exists(cap):
        raise Skip('suricata-verify base64-issue-5223 absent')
    http = [e for e in events(['sensor', '-r', cap]) if e['event_type'] == 'http']
    expect(len(http) == 1 and http[0].get('pkt_src') == 'stream (flow timeout)' and
           'pcap_cnt' not in http[0], 'http at the flow end: %r' % http)


@check('--http-headers: every header of the sides asked for, none by default (as Suricata)')
def _():
    def http_of(extra):
        ev = events(['sensor', '-r', DEMO] + extra)
        return [e['http'] for e in ev if e['event_type'] == 'http']
    plain = http_of([])
    expect(plain and all('request_headers' not in h and 'response_headers' not in h
                         for h in plain), 'no header lists by default')
    # tshark's view of the same request: its header lines, by name
    r = subprocess.run(['tshark', '-r', DEMO, '-Y', 'http.request', '-T', 'fields',
                        '-e', 'http.request.line'], capture_output=True, text=True)
    names = [l.split(':', 1)[0] for l in r.stdout.strip().split(',') if ':' in l]
    req = http_of(['--http-headers', 'request'])
    expect(req and [x['name'] for x in req[0].get('request_headers', [])] == names,
           'request headers %s, tshark %s' % (req and req[0].get('request_headers'), names))
    expect(all('response_headers' not in h for h in req), 'no response headers asked for')
    both = http_of(['--http-headers', 'both'])
    expect(both and both[0].get('response_headers'), 'response headers with both')
    r = run(['sensor', '-r', DEMO, '--http-headers', 'all', '--eve', '/dev/null'])
    expect(r.returncode == 2 and 'none, request, response or both' in r.stderr,
           'a bad value is refused: %s' % r.stderr.strip())


def follow_counts(cap, n):
    """tshark's reassembled byte counts per direction for TCP stream n:
    ((client ip, port), (server ip, port), client bytes, server bytes)."""
    out = subprocess.run(['tshark', '-r', cap, '-q', '-z', 'follow,tcp,raw,%d' % n],
                         capture_output=True, text=True).stdout
    nodes, cb, sb = [], 0, 0
    for l in out.splitlines():
        if l.startswith('Node '):
            hp = l.split(': ', 1)[1]
            host, port = hp.rsplit(':', 1)
            nodes.append((host.strip('[]'), int(port)))
        elif l.startswith('\t'):
            sb += len(l.strip()) // 2
        elif l and all(c in '0123456789abcdef' for c in l.strip()):
            cb += len(l.strip()) // 2
    return nodes, cb, sb


@check('reassembled byte counts equal tshark\'s "follow tcp" per direction')
def _():
    caps = [DEMO]
    for c in ('15_smtp_attachments/zeek__smtp-attachment-msg.pcap',
              '08_pe_download/ndpi__exe_download.pcap',
              '17_ssh_bruteforce/zeek__sshguess.pcap'):
        p = os.path.join(SHARED, 'corpus', 'pcaps', c)
        if os.path.exists(p):
            caps.append(p)
    compared = 0
    for cap in caps:
        flows = {}
        for e in events(['sensor', '-r', cap, '--stream-depth', '0']):
            if e['event_type'] == 'flow' and e['proto'] == 'TCP':
                flows[((e['src_ip'], e['src_port']), (e['dest_ip'], e['dest_port']))] = e
        nstreams = len(flows)
        for n in range(min(nstreams, 6)):
            nodes, cb, sb = follow_counts(cap, n)
            if len(nodes) != 2:
                continue
            e = flows.get((nodes[0], nodes[1]))
            swapped = False
            if e is None:
                e = flows.get((nodes[1], nodes[0]))
                swapped = True
            expect(e is not None, '%s stream %d %s not among our flows' % (cap, n, nodes))
            st = e['mimamori']['stream']
            if st['gaps']:
                continue
            ours = (st['toclient_bytes'], st['toserver_bytes']) if swapped else \
                   (st['toserver_bytes'], st['toclient_bytes'])
            expect(ours == (cb, sb), '%s stream %d: ours %s, tshark %s' % (cap, n, ours, (cb, sb)))
            compared += 1
    expect(compared >= 6, 'only %d streams compared' % compared)


@check('community_id equals tshark\'s Community ID for every flow (TCP, UDP, ICMP, IPv6, SCTP)')
def _():
    caps = [DEMO]
    for c in ('corpus/ndpi/pcap/http_ipv6.pcap', 'corpus/ndpi/pcap/icmp-tunnel.pcap',
              'corpus/ndpi/pcap/sctp.cap', 'corpus/pcaps/03_ntp_monlist',
              'corpus/pcaps/17_ssh_bruteforce/zeek__sshguess.pcap'):
        p = os.path.join(SHARED, c)
        if os.path.isdir(p):
            p = sorted(glob.glob(os.path.join(p, '*.pcap')))[0]
        if os.path.exists(p):
            caps.append(p)
    compared = 0
    for cap in caps:
        # tshark: the Community ID of each packet, seed 5; a flow's id is
        # among its packets' (tshark gives ICMP errors their own)
        out = subprocess.run(['tshark', '-n', '-r', cap, '--enable-protocol', 'communityid',
                              '-o', 'communityid.seed:5', '-T', 'fields', '-e', 'communityid'],
                             capture_output=True, text=True).stdout
        theirs = {l.strip() for l in out.splitlines() if l.strip()}
        expect(theirs, '%s: tshark gave no Community ID' % cap)
        for e in events(['sensor', '-r', cap, '--community-id-seed', '5']):
            if e['event_type'] != 'flow':
                continue
            if e['proto'] not in ('TCP', 'UDP', 'ICMP', 'IPv6-ICMP', 'SCTP'):
                continue
            expect(e.get('community_id') in theirs,
                   '%s: flow %s %s:%s -> %s:%s has %s, not one tshark computed' %
                   (cap, e['proto'], e['src_ip'], e.get('src_port'), e['dest_ip'],
                    e.get('dest_port'), e.get('community_id')))
            compared += 1
    expect(compared >= 20, 'only %d flows compared' % compared)
    # off by default
    expect(all('community_id' not in e for e in events(['sensor', '-r', DEMO])), 'off by default')


@check('TLS certificate: fingerprint and serial equal what tshark extracts')
def _():
    cap = os.path.join(SHARED, 'corpus', 'pcaps', '04_sslv3_poodle', 'arkime__ssl-selfsign.pcap')
    if not os.path.exists(cap):
        raise Skip('corpus capture missing: %s' % cap)
    import hashlib
    out = subprocess.run(['tshark', '-n', '-r', cap, '-Y', 'tls.handshake.certificate', '-T',
                          'fields', '-e', 'tls.handshake.certificate', '-e',
                          'x509af.serialNumber'], capture_output=True, text=True).stdout.split('\n')[0]
    der_hex, serial = out.split('\t')[0].split(',')[0], out.split('\t')[1].split(',')[0]
    want_fp = ':'.join('%02x' % b for b in hashlib.sha1(bytes.fromhex(der_hex)).digest())
    tls = [e['tls'] for e in events(['sensor', '-r', cap]) if e['event_type'] == 'tls']
    fps = {t.get('fingerprint') for t in tls}
    expect(want_fp in fps, 'fingerprint %s not in %s' % (want_fp, fps))
    sers = {t.get('serial', '').replace(':', '').lower() for t in tls}
    expect(serial.replace(':', '').lower() in sers, 'serial %s not in %s' % (serial, sers))


@check('--smtp-md5: subject_md5 and body_md5 are the MD5s of the subject and of the raw '
       'body tshark reassembles')
def _():
    import hashlib
    import re
    caps = [os.path.join(SHARED, 'corpus', 'pcaps', '15_smtp_attachments', c) for c in
            ('zeek__smtp-attachment-msg.pcap', 'arkime__smtp-zip.pcap',
             'chrissanders__mail_sender_attachment.pcapng')]
    caps = [c for c in caps if os.path.exists(c)]
    if not caps:
        raise Skip('../shared/corpus SMTP captures absent')
    compared = 0
    for cap in caps:
        # tshark: the client's bytes of each TCP stream; a message is what
        # follows DATA up to CR LF . CR LF, its body what follows the first
        # empty line (dot-stuffing kept, as sent)
        want = set()
        for n in range(8):
            out = subprocess.run(['tshark', '-r', cap, '-q', '-z', 'follow,tcp,raw,%d' % n],
                                 capture_output=True, text=True).stdout
            cli = b''.join(bytes.fromhex(l.strip()) for l in out.splitlines()
                           if l and not l.startswith(('\t', '=', 'Follow', 'Filter', 'Node'))
                           and all(c in '0123456789abcdef' for c in l.strip()))
            pos = 0
            while True:
                m = re.compile(rb'(?:^|\r\n)data\r\n', re.I).search(cli, pos)
                end = cli.find(b'\r\n.\r\n', m.end()) if m else -1
                if end < 0:
                    break
                msg = cli[m.end():end + 2]
                pos = end + 5
                head, sep, body = msg.partition(b'\r\n\r\n')
                subj = re.search(rb'(?im)^subject:[ \t]*(.*?)\r\n(?![ \t])', head + b'\r\n', re.S)
                want.add((hashlib.md5(subj.group(1).strip()).hexdigest() if subj else None,
                          hashlib.md5(body).hexdigest()))
        got = {(e['email'].get('subject_md5'), e['email'].get('body_md5'))
               for e in events(['sensor', '-r', cap, '--smtp-md5', 'subject,body'])
               if e['event_type'] == 'smtp' and e.get('email', {}).get('body_md5')}
        expect(got and got <= want, '%s: ours %s, tshark %s' % (cap, got, want))
        compared += len(got)
    expect(compared >= 2, 'only %d messages compared' % compared)
    expect(all('body_md5' not in json.dumps(e) for e in events(['sensor', '-r', caps[0]])),
           'off by default')


@check('HTTP ranges: each 206 piece a file with its Content-Range (start, end, the header '
       'tshark shows); the whole put back from pieces over one flow or several, out of order '
       'and overlapping, is one more file whose size and SHA-256 are those of the pieces '
       'tshark exports laid at their offsets; events validate')
def _():
    import hashlib
    import re
    v = eve_validator(SHARED)
    cases = [('http-range-file', 80), ('http-range-multiflows', 8000), ('http-range', 80)]
    compared = 0
    for case, port in cases:
        cap = os.path.join(SHARED, 'suricata-verify', 'tests', case, 'input.pcap')
        if case == 'http-range':
            cap = os.path.join(SHARED, 'suricata-verify', 'tests', 'detect-pcrexform-01', 'input.pcap')
        if not os.path.exists(cap):
            continue
        decode = ['-d', 'tcp.port==%d,http' % port]
        # each 206 response: its Content-Range and its body (tshark's raw file data)
        out = subprocess.run(['tshark', '-n', '-r', cap, '-o', 'tcp.reassemble_out_of_order:TRUE'] + decode + ['-Y', 'http.response.code==206',
                              '-T', 'json', '--no-duplicate-keys', '-x'], capture_output=True, text=True).stdout
        ranges, objs = [], []
        for pkt in json.loads(out or '[]'):
            h = pkt['_source']['layers']['http']
            for m in (h if isinstance(h, list) else [h]):
                lines = m.get('http.response.line', [])
                lines = [lines] if isinstance(lines, str) else lines
                cr = [re.search(r'Content-Range: bytes (\d+)-(\d+)/(\d+)', l) for l in lines]
                cr = [c for c in cr if c]
                if cr and m.get('http.file_data_raw'):
                    ranges.append(tuple(int(x) for x in cr[0].groups()))
                    objs.append(bytes.fromhex(m['http.file_data_raw'][0]))
        expect(ranges, '%s: tshark shows no range response' % case)
        total = ranges[0][2]
        whole, have = bytearray(total), bytearray(total)
        for (a, b, _), o in zip(ranges, objs):
            expect(len(o) == b - a + 1, '%s: piece %d-%d has %d bytes' % (case, a, b, len(o)))
            whole[a:b + 1] = o
            have[a:b + 1] = b'\1' * len(o)
        ev = events(['sensor', '-r', cap])
        for e in ev:
            errs = list(v.iter_errors(e))
            expect(not errs, '%s: %s' % (case, errs[0].message if errs else ''))
        files = [e for e in ev if e['event_type'] == 'fileinfo']
        pieces = sorted((f['fileinfo']['start'], f['fileinfo']['end']) for f in files
                        if 'start' in f['fileinfo'])
        expect(pieces == sorted((a, b) for a, b, _ in ranges), '%s: pieces %s' % (case, pieces[:4]))
        for f in files:
            cr = f['http'].get('content_range')
            if 'start' in f['fileinfo']:
                expect(cr and cr['raw'] == 'bytes %d-%d/%d' % (cr['start'], cr['end'], total) and
                       (cr['start'], cr['end']) == (f['fileinfo']['start'], f['fileinfo']['end']),
                       '%s: content_range %s' % (case, cr))
        wholes = [f for f in files if 'start' not in f['fileinfo']]
        if all(have):
            expect(len(wholes) == 1 and wholes[0]['fileinfo']['size'] == total and
                   wholes[0]['fileinfo']['sha256'] == hashlib.sha256(bytes(whole)).hexdigest(),
                   '%s: whole %s' % (case, [w['fileinfo'] for w in wholes]))
        else:
            expect(not wholes, '%s: a whole of an incomplete download' % case)
        compared += 1
    if not compared:
        raise Skip('suricata-verify range captures absent')


@check('--ethernet: each flow\'s MAC addresses are those tshark shows on its frames; '
       'events validate; off by default')
def _():
    v = eve_validator(SHARED)
    caps = [DEMO] + [os.path.join(SHARED, 'suricata-verify', 'tests', c) for c in
                     ('mac-eve-multiple-disabled/multi_mac.pcap',)]
    caps = [c for c in caps if os.path.exists(c)]
    compared = 0
    for cap in caps:
        out = subprocess.run(['tshark', '-n', '-r', cap, '-Y', 'tcp or udp', '-T', 'fields',
                              '-e', 'eth.src', '-e', 'eth.dst', '-e', 'ip.src', '-e', 'ip.dst',
                              '-e', 'ipv6.src', '-e', 'ipv6.dst', '-e', 'tcp.srcport',
                              '-e', 'tcp.dstport', '-e', 'udp.srcport', '-e', 'udp.dstport'],
                             capture_output=True, text=True).stdout
        frames = []
        for l in out.splitlines():
            f = l.split('\t')
            if len(f) < 10 or ',' in f[2] + f[4]:
                continue                        # tunnels: not compared
            frames.append((f[0], f[1], f[2] or f[4], f[3] or f[5], f[6] or f[8], f[7] or f[9]))
        for e in events(['sensor', '-r', cap, '--ethernet']):
            errs = list(v.iter_errors(e))
            expect(not errs, '%s: %s in %s' % (cap, errs[0].message if errs else '', e))
            if e['event_type'] != 'flow' or e['proto'] not in ('TCP', 'UDP'):
                continue
            cli = (e['src_ip'], str(e['src_port']))
            srv = (e['dest_ip'], str(e['dest_port']))
            want = ([], [])
            for es, ed, sa, da, sp, dp in frames:
                if ((sa, sp), (da, dp)) == (cli, srv):
                    pair = (es, ed)
                elif ((sa, sp), (da, dp)) == (srv, cli):
                    pair = (ed, es)
                else:
                    continue
                for side in (0, 1):
                    if pair[side] not in want[side]:
                        want[side].append(pair[side])
            if not want[0]:
                continue
            got = e.get('ether', {})
            expect((got.get('src_macs'), got.get('dest_macs')) == (want[0][:8], want[1][:8]),
                   '%s: flow %s: ours %s, tshark %s' % (cap, (cli, srv), got, want))
            compared += 1
    expect(compared >= 5, 'only %d flows compared' % compared)
    expect(all('ether' not in e for e in events(['sensor', '-r', DEMO])), 'off by default')


@check('every event type validates against Suricata\'s EVE schema')
def _():
    # Our additions live in one top-level object, "mimamori".
    v = eve_validator(SHARED)
    caps = [DEMO] + sorted(glob.glob(os.path.join(SHARED, 'corpus', 'pcaps', '*', '*.pcap*')))[:12]
    for c in ('13_dns/zeek__dns53.pcap', '08_pe_download/ndpi__exe_download.pcap',
              '17_ssh_bruteforce/zeek__sshguess.pcap', '16_tls_sni_cloud/ndpi__sites.pcapng',
              '05_smb_ms17-010/eternalsafety__eternalblue-success-unpatched-win7.pcap',
              '03_ntp_monlist/zeek__ntpmode67.pcap', '03_ntp_monlist/zeek__ntp2.pcap',
              '14_dhcp/zeek__dhcp.pcap', '15_smtp_attachments/zeek__smtp-attachment-msg.pcap',
              '02_rdp/ndpi__rdp3.pcap', '09_crypto_mining/ndpi__mining.pcapng',
              '11_telnet_mirai/ndpi__telnet.pcap'):
        caps.append(os.path.join(SHARED, 'corpus', 'pcaps', c))
    caps.append(os.path.join(SHARED, 'corpus', 'ndpi', 'pcap', 'smb_deletefile.pcap'))
    caps.append(os.path.join(SHARED, 'suricata-verify', 'tests', 'output-eve-ftp-data', 'input.pcap'))
    caps = [c for c in caps if os.path.exists(c)]
    seen = set()
    for c in caps:
        if c.endswith(('.out', '.log', '.test')):
            continue
        for e in events(['sensor', '-r', c, '--anomaly-rate', '5']):
            seen.add(e['event_type'])
            errs = list(v.iter_errors(e))
            expect(not errs, '%s: %s in %s' % (c, errs[0].message if errs else '', e))
    expect({'flow', 'anomaly', 'stats', 'dns', 'http', 'tls', 'ssh', 'smb', 'ntp', 'dhcp', 'smtp',
            'rdp', 'ftp', 'ftp_data', 'stratum', 'telnet', 'alert', 'fileinfo'} <= seen,
           'event types validated: %s' % sorted(seen))


@check('exit codes and one-line errors')
def _():
    r = run([])
    expect(r.returncode == 2, 'no command')
    r = run(['sensor'])
    expect(r.returncode == 2 and 'give capture files' in r.stderr, 'no input')
    r = run(['sensor', '-r', DEMO, '--flow-memcap', 'lots'])
    expect(r.returncode == 2 and 'not a size' in r.stderr, 'bad size')
    r = run(['sensor', '-r', DEMO, '--bogus'])
    expect(r.returncode == 2, 'unknown option')
    r = run(['sensor', '-r', DEMO, '--home-net', '10.0.0.0/99'])
    expect(r.returncode == 2, 'bad home-net')
    missing = os.path.join(TMP, 'nope.pcap')
    r = run(['sensor', '-r', missing, '--eve', '-'])
    expect(r.returncode == 1 and r.stderr.count('\n') == 1 and missing in r.stderr, r.stderr)
    notcap = os.path.join(TMP, 'not.pcap')
    open(notcap, 'w').write('hello, this is text\n' * 10)
    r = run(['sensor', '-r', notcap, '--eve', '-'])
    expect(r.returncode == 1 and 'not a pcap or pcapng file' in r.stderr, r.stderr)
    r = run(['--version'])
    expect(r.returncode == 0 and r.stdout.startswith('mimamori '), 'version')
    for a in (['--help'], ['sensor', '--help']):
        r = run(a)
        expect(r.returncode == 0 and 'usage' in r.stdout, 'help')


@check('a capture cut mid-record: processed up to the break, reported, exit 0')
def _():
    data = open(DEMO, 'rb').read()
    cut = os.path.join(TMP, 'cut.pcap')
    open(cut, 'wb').write(data[:len(data) - 7])
    r = run(['sensor', '-r', cut, '--eve', '-', '-q'])
    expect(r.returncode == 0, 'exit %d' % r.returncode)
    expect(cut in r.stderr and 'cut short' in r.stderr, r.stderr)
    ev = [json.loads(l) for l in r.stdout.splitlines()]
    expect(any(e['event_type'] == 'anomaly' and e['anomaly']['event'] == 'decoder.capture.file_truncated'
               for e in ev), 'truncation anomaly')
    st = [e for e in ev if e['event_type'] == 'stats'][0]
    expect(st['stats']['decoder']['pkts'] == 39, 'all whole records read')


@check('several -r files are one timeline (a flow across the split stays one flow)')
def _():
    base = os.path.join(TMP, 'part.pcap')
    subprocess.run(['editcap', '-c', '5', DEMO, base], check=True, capture_output=True)
    parts = sorted(glob.glob(os.path.join(TMP, 'part_*.pcap')))
    expect(len(parts) == 8, 'editcap made %d parts' % len(parts))
    args = ['sensor']
    for p in parts:
        args += ['-r', p]
    a = [e for e in events(args) if e['event_type'] == 'flow']
    b = [e for e in events(['sensor', '-r', DEMO]) if e['event_type'] == 'flow']
    key = lambda e: (tup(e), e['flow']['pkts_toserver'], e['flow']['pkts_toclient'],
                     e['flow']['bytes_toserver'], e['flow']['start'])
    expect(sorted(map(key, a)) == sorted(map(key, b)), 'same flows')


@check('nanosecond pcap and pcapng give the same flows and timestamps')
def _():
    ns = os.path.join(TMP, 'demo-ns.pcap')
    ng = os.path.join(TMP, 'demo.pcapng')
    subprocess.run(['editcap', '-F', 'nsecpcap', DEMO, ns], check=True, capture_output=True)
    subprocess.run(['editcap', '-F', 'pcapng', DEMO, ng], check=True, capture_output=True)
    key = lambda e: (tup(e), e['flow']['start'], e['flow']['end'], e['flow']['bytes_toclient'])
    ref = sorted(key(e) for e in events(['sensor', '-r', DEMO]) if e['event_type'] == 'flow')
    for f in (ns, ng):
        got = sorted(key(e) for e in events(['sensor', '-r', f]) if e['event_type'] == 'flow')
        expect(got == ref, f)


@check('segments: rotation, zstd, sealing, verify and cat give back the events')
def _():
    keyp = os.path.join(TMP, 'central')
    r = run(['keygen', keyp])
    expect(r.returncode == 0, r.stderr)
    expect(oct(os.stat(keyp + '.key').st_mode & 0o777) == '0o600', 'secret key mode')
    out = os.path.join(TMP, 'segs')
    r = run(['sensor', '-r', DEMO, '-o', out, '--zstd', '--seal-key', keyp + '.pub',
             '--segment-size', '4k', '--site', 'acme', '-q'])
    expect(r.returncode == 0, r.stderr)
    segs = sorted(glob.glob(os.path.join(out, '*.eve.json.zst.sealed')))
    expect(len(segs) >= 2, 'rotated into %d segments' % len(segs))
    r = run(['segment', 'verify'] + segs)
    expect(r.returncode == 1 and 'sealed' in r.stderr, 'sealed needs the key')
    r = run(['segment', 'verify', '--key', keyp + '.key'] + segs)
    expect(r.returncode == 0 and r.stdout.count('OK') == len(segs), r.stdout + r.stderr)
    r = run(['segment', 'cat', '--key', keyp + '.key'] + segs)
    got = [eve_event(l) for l in r.stdout.splitlines()]
    ref = events(['sensor', '-r', DEMO, '--site', 'acme'])
    strip = lambda e: json.dumps({k: v for k, v in e.items() if k not in ('flow_id', 'stats', 'mimamori')},
                                 sort_keys=True)
    expect(sorted(map(strip, got)) == sorted(map(strip, ref)), 'same events through segments')
    expect(all(e['mimamori']['site'] == 'acme' for e in got), 'site on every event')


@check('default output: segments in ./mimamori-out')
def _():
    d = os.path.join(TMP, 'cwd')
    os.mkdir(d)
    r = subprocess.run([MM, 'sensor', '-r', DEMO], cwd=d, capture_output=True, text=True)
    expect(r.returncode == 0 and 'mimamori-out/' in r.stderr, r.stderr)
    expect(len(glob.glob(os.path.join(d, 'mimamori-out', '*.eve.json'))) == 1, 'one segment')


def mmdb_file(path):
    """A minimal MaxMind DB (format 2.0, IPv4 tree, 24-bit records) mapping
    133.0.0.0/8 to country JP, written from the published format spec."""
    def ctrl(t, size):
        return bytes([(t << 5) | size]) if t <= 7 else bytes([size, t - 7])
    def s_(x):
        return ctrl(2, len(x)) + x.encode()
    def u(t, v, n):
        return ctrl(t, n) + v.to_bytes(n, 'big')
    def m(d):
        out = ctrl(7, len(d))
        for k, v in d.items():
            out += s_(k) + v
        return out
    nodes, data_off = 8, 0
    bits = [(133 >> (7 - i)) & 1 for i in range(8)]
    tree = b''
    for i, b in enumerate(bits):
        nxt = i + 1 if i < 7 else nodes + 16 + data_off
        rec = [nodes, nodes]
        rec[b] = nxt
        tree += rec[0].to_bytes(3, 'big') + rec[1].to_bytes(3, 'big')
    data = m({'country': m({'iso_code': s_('JP')})})
    meta = m({'node_count': u(6, nodes, 4), 'record_size': u(5, 24, 1),
              'ip_version': u(5, 4, 1), 'database_type': s_('mimamori-test'),
              'languages': ctrl(11, 1) + s_('en'),
              'binary_format_major_version': u(5, 2, 1),
              'binary_format_minor_version': u(5, 0, 1),
              'build_epoch': ctrl(9, 4) + (1700000000).to_bytes(4, 'big'),
              'description': m({'en': s_('test')})})
    with open(path, 'wb') as f:
        f.write(tree + b'\0' * 16 + data + b'\xab\xcd\xefMaxMind.com' + meta)


@check('filestore: files kept under their SHA-256, as fileinfo says; tshark exports the same bodies')
def _():
    cap = os.path.join(SHARED, 'corpus', 'pcaps', '07_exploit_kit', 'testmynids__neutrino.pcap')
    if not os.path.exists(cap):
        raise Skip('corpus capture absent: %s' % cap)
    import hashlib
    store = os.path.join(TMP, 'filestore')
    ev = events(['sensor', '-r', cap, '--filestore', store, '--file-hashes', 'md5,sha1,sha256'])
    fi = [e['fileinfo'] for e in ev if e['event_type'] == 'fileinfo']
    stored = [x for x in fi if x['stored']]
    expect(stored, 'some files stored')
    for x in stored:
        path = os.path.join(store, x['sha256'][:2], x['sha256'])
        data = open(path, 'rb').read()
        expect(hashlib.sha256(data).hexdigest() == x['sha256'], 'content of %s' % path)
        expect(hashlib.md5(data).hexdigest() == x['md5'] and len(data) == x['size'], 'md5/size')
    expect(all(x['state'] == 'TRUNCATED' and x['gaps'] for x in fi if not x['stored']),
           'only files with gaps not kept')
    exo = os.path.join(TMP, 'exported')
    os.makedirs(exo, exist_ok=True)
    subprocess.run(['tshark', '-r', cap, '-o', 'tcp.reassemble_out_of_order:TRUE',
                    '--export-objects', 'http,' + exo], capture_output=True)
    theirs = {hashlib.md5(open(os.path.join(exo, f), 'rb').read()).hexdigest() for f in os.listdir(exo)}
    theirs.discard(hashlib.md5(b'').hexdigest())
    whole = {x['md5'] for x in stored if x['state'] == 'CLOSED'}
    expect(theirs == whole, 'tshark %s, ours %s' % (sorted(theirs), sorted(whole)))
    r = run(['sensor', '-r', cap, '--filestore', '/proc/mimamori-nope', '--eve', '/dev/null'])
    expect(r.returncode == 1 and '--filestore' in r.stderr and r.stderr.count('\n') == 1, r.stderr)


@check('GeoIP from a .mmdb file (libmaxminddb)')
def _():
    db = os.path.join(TMP, 'test.mmdb')
    mmdb_file(db)
    r = run(['geoip', '--geoip', db, '133.1.2.3', '134.1.2.3', '10.0.0.1'])
    expect(r.returncode == 0, r.stderr)
    got = [l.split('\t')[1] for l in r.stdout.splitlines()]
    expect(got == ['JP', 'unknown', 'private'], got)
    r = run(['geoip', '--geoip', os.path.join(TMP, 'missing.mmdb'), '1.1.1.1'])
    expect(r.returncode == 1 and 'missing.mmdb' in r.stderr, r.stderr)


def write_pcap(path, n, size):
    """n UDP packets of size bytes, Ethernet, distinct source ports."""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            ip_len = size - 14
            eth = b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00'
            ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, ip_len, i & 0xFFFF, 0, 64, 17, 0,
                             bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
            udp = struct.pack('!HHHH', 10000 + i % 50000, 9, ip_len - 20, 0)
            pkt = eth + ip + udp + b'x' * (ip_len - 28)
            f.write(struct.pack('<IIII', 1700000000 + i // 1000, (i % 1000) * 1000, len(pkt), len(pkt)))
            f.write(pkt)


@check('pcap ring: quota kept, oldest removed first, other files untouched')
def _():
    big = os.path.join(TMP, 'big.pcap')
    write_pcap(big, 4000, 1000)          # about 4 MB of packets
    ring = os.path.join(TMP, 'ring')
    os.makedirs(os.path.join(ring, 'events'))
    keep = os.path.join(ring, 'events', 'segment.eve.json')
    open(keep, 'w').write('{}\n')
    open(os.path.join(ring, 'notes.txt'), 'w').write('mine')
    r = run(['sensor', '-r', big, '--pcap-dir', ring, '--pcap-quota', '1m', '--eve', '-', '-q'])
    expect(r.returncode == 0, r.stderr)
    files = sorted(glob.glob(os.path.join(ring, 'mimamori-*.pcap')))
    total = sum(os.path.getsize(f) for f in files)
    expect(total <= 1 << 20, 'kept %d bytes' % total)
    expect(os.path.exists(keep) and os.path.exists(os.path.join(ring, 'notes.txt')), 'others kept')
    st = [json.loads(l) for l in r.stdout.splitlines() if '"stats"' in l][-1]
    expect(st['mimamori']['stats']['output']['pcap_files_removed'] > 0, 'files removed')
    # The newest packets are the ones kept: the last file ends with the last packet.
    last = subprocess.run(['tshark', '-r', files[-1], '-T', 'fields', '-e', 'udp.srcport'],
                          capture_output=True, text=True).stdout.split()
    expect(last and int(last[-1]) == 10000 + 3999, 'newest kept')
    # With room for all: every packet is kept, readable by capinfos.
    ring2 = os.path.join(TMP, 'ring2')
    r = run(['sensor', '-r', big, '--pcap-dir', ring2, '--pcap-quota', '100m', '--eve', '/dev/null', '-q'])
    n = 0
    for f in glob.glob(os.path.join(ring2, '*.pcap')):
        n += int(subprocess.run(['capinfos', '-M', '-T', '-r', '-c', f], capture_output=True,
                                text=True).stdout.split('\t')[1])
    expect(n == 4000, 'all %d packets kept' % n)


def netns_ok():
    if os.geteuid() != 0 or not shutil.which('ip'):
        return False
    r = subprocess.run(['ip', 'netns', 'add', 'mm-probe'], capture_output=True)
    subprocess.run(['ip', 'netns', 'del', 'mm-probe'], capture_output=True)
    return r.returncode == 0


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True, capture_output=True)


@check('live capture in a network namespace: flows, heartbeat, dropped privileges, never transmits')
def _():
    if not netns_ok():
        raise Skip('needs root and ip netns')
    a, b = 'mm-sensor-%d' % os.getpid(), 'mm-peer-%d' % os.getpid()
    try:
        sh('ip netns add %s && ip netns add %s' % (a, b))
        sh('ip link add mmcap0 netns %s type veth peer name mmpeer0 netns %s' % (a, b))
        # The sensor's side has no address and no IPv6: nothing of its own to send.
        sh('ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1' % a)
        sh('ip netns exec %s ip link set mmcap0 up' % a)
        sh('ip netns exec %s ip addr add 10.99.0.2/24 dev mmpeer0' % b)
        sh('ip netns exec %s ip link set mmpeer0 up' % b)
        mac = subprocess.run(
            ['ip', 'netns', 'exec', a, 'cat', '/sys/class/net/mmcap0/address'],
            capture_output=True, text=True).stdout.strip()
        sh('ip netns exec %s ip neigh add 10.99.0.1 lladdr %s dev mmpeer0' % (b, mac))
        eve = os.path.join(TMP, 'live.json')
        open(eve, 'w').close()
        os.chmod(TMP, 0o777)
        os.chmod(eve, 0o666)
        p = subprocess.Popen(['ip', 'netns', 'exec', a, MM, 'sensor', '-i', 'mmcap0', '--eve', eve,
                              '--stats-interval', '1', '--user', 'nobody', '--site', 'live',
                              '--filter', 'udp or tcp'],
                             stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        uid = None
        for pid in subprocess.run(['pgrep', '-f', 'mmcap0 --eve'], capture_output=True,
                                  text=True).stdout.split():
            for line in open('/proc/%s/status' % pid):
                if line.startswith('Uid:'):
                    uid = int(line.split()[1])
        tx0 = int(subprocess.run(['ip', 'netns', 'exec', a, 'cat',
                                  '/sys/class/net/mmcap0/statistics/tx_packets'],
                                 capture_output=True, text=True).stdout)
        send = ("import socket\n"
                "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                "[s.sendto(b'hello',('10.99.0.1',5000+i)) for i in range(3)]\n"
                "t=socket.socket(); t.settimeout(0.3)\n"
                "try: t.connect(('10.99.0.1',8080))\n"
                "except Exception: pass\n")
        subprocess.run(['ip', 'netns', 'exec', b, sys.executable, '-c', send], capture_output=True)
        time.sleep(2.5)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)
        tx1 = int(subprocess.run(['ip', 'netns', 'exec', a, 'cat',
                                  '/sys/class/net/mmcap0/statistics/tx_packets'],
                                 capture_output=True, text=True).stdout)
        ev = [json.loads(l) for l in open(eve)]
        flows = [e for e in ev if e['event_type'] == 'flow']
        udp = {e['dest_port'] for e in flows if e['proto'] == 'UDP' and e['dest_ip'] == '10.99.0.1'}
        expect(udp == {5000, 5001, 5002}, 'udp flows %s' % udp)
        expect(any(e['proto'] == 'TCP' and e['dest_port'] == 8080 for e in flows), 'tcp SYN flow')
        stats = [e for e in ev if e['event_type'] == 'stats']
        expect(len(stats) >= 3, 'heartbeat stats events: %d' % len(stats))
        expect('capture' in stats[-1]['stats'], 'kernel counters in live stats')
        expect(uid == 65534, 'running as nobody (uid %s)' % uid)
        expect(tx1 == tx0 == 0, 'sensor interface transmitted %d packets' % tx1)
        expect(p.returncode == 0, 'exit %s: %s' % (p.returncode, p.stderr.read()))
    finally:
        subprocess.run(['ip', 'netns', 'del', a], capture_output=True)
        subprocess.run(['ip', 'netns', 'del', b], capture_output=True)


@check('a sensor killed mid-segment: the next start recovers the segment')
def _():
    out = os.path.join(TMP, 'crash')
    fifo = os.path.join(TMP, 'feed.pcap')
    os.mkfifo(fifo)
    p = subprocess.Popen([MM, 'sensor', '-r', fifo, '-o', out, '-q'], stderr=subprocess.PIPE)
    data = open(DEMO, 'rb').read()
    w = open(fifo, 'wb')
    w.write(data)
    w.flush()
    # All packets are in and the flows are still open (the fifo is not
    # closed): kill it the hard way while its segment is open.
    time.sleep(0.5)
    p.kill()
    p.wait()
    w.close()
    parts = glob.glob(os.path.join(out, '.open', '*.part'))
    expect(len(parts) == 1, 'an open segment was left behind')
    r = run(['sensor', '-r', DEMO, '-o', out, '-q'])
    expect(r.returncode == 0, r.stderr)
    segs = sorted(glob.glob(os.path.join(out, '*.eve.json')))
    r = run(['segment', 'verify'] + segs)
    expect(r.returncode == 0 and 'recovered after a crash' in r.stdout and len(segs) == 2, r.stdout)


shutil.rmtree(TMP, ignore_errors=True)
finish()
