#!/usr/bin/env python3
"""The rule loader on Emerging Threats Open as published
(../shared/rules/etopen) and on crafted rule files.

Oracles: the number of active rules and each keyword's use are counted
here from the files themselves and checked against
../shared/rules/KEYWORDS.md (made by the ruleset's own statistics
script); the skip reasons and the command's exit codes are what the
contract says.

Usage: test_rules.py MIMAMORI
Prints one line per check and ends with 'N passed, N failed, N skipped'.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, eve_validator, expect, finish  # noqa: E402

MM = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared'))
ET = os.path.join(SHARED, 'rules', 'etopen')
TMP = tempfile.mkdtemp(prefix='mm-rules-')
ACTIONS = ('alert', 'pass', 'drop', 'reject', 'rejectsrc', 'rejectdst', 'rejectboth')


def run(args):
    return subprocess.run([MM] + args, capture_output=True, text=True)


def need_et():
    if not os.path.isdir(ET):
        raise Skip('ET Open absent: %s' % ET)


def corpus_pcap(rel=''):
    """A path under the corpus's captures (the folder itself by default);
    the check is skipped when it is absent."""
    path = os.path.join(SHARED, 'corpus', 'pcaps', rel)
    if not os.path.exists(path):
        raise Skip('corpus absent: %s' % path)
    return path


def active_rules():
    """Active rules of every ET file, as the statistics script counts them:
    lines that begin with an action (commented-out rules are not rules)."""
    rules = []
    for name in sorted(os.listdir(ET)):
        if name.endswith('.rules'):
            with open(os.path.join(ET, name), encoding='utf-8', errors='replace') as f:
                rules += [l.strip() for l in f if l.strip().split(' ', 1)[0] in ACTIONS]
    return rules


def summary(out):
    last = out.strip().splitlines()[-1]
    m = re.fullmatch(r'loaded: (\d+) skipped: (\d+)', last)
    expect(m, 'last line %r' % last)
    return int(m.group(1)), int(m.group(2))


def keyword_table(out):
    rows, on = {}, False
    for line in out.splitlines():
        if line.startswith('keywords'):
            on = True
            continue
        if on:
            if not line.strip():
                break
            kw, loaded, skipped = line.split()
            rows[kw] = (int(loaded), int(skipped))
    return rows


@check('ET Open: every active rule counted, at least 98 % loaded')
def _():
    need_et()
    rules = active_rules()
    r = run(['rules', 'check', ET])
    expect(r.returncode == 0, r.stderr)
    loaded, skipped = summary(r.stdout)
    expect(loaded + skipped == len(rules), 'counted %d, files hold %d'
           % (loaded + skipped, len(rules)))
    with open(os.path.join(SHARED, 'rules', 'KEYWORDS.md'), encoding='utf-8') as f:
        m = re.search(r'active (\d+)', f.read())
    expect(m and int(m.group(1)) == len(rules), 'KEYWORDS.md says %s' % (m and m.group(1)))
    expect(loaded >= 0.98 * len(rules), 'loaded %d of %d' % (loaded, len(rules)))
    print('      %d of %d loaded (%.2f %%)' % (loaded, len(rules), 100.0 * loaded / len(rules)))


@check('ET Open: keyword use per rule as KEYWORDS.md counts it')
def _():
    need_et()
    with open(os.path.join(SHARED, 'rules', 'KEYWORDS.md'), encoding='utf-8') as f:
        text = f.read()
    published = {}
    for m in re.finditer(r'^\| \d+ \| `([^`]+)` \| [^|]+ \| (\d+) \|', text, re.M):
        published[m.group(1)] = int(m.group(2))
    expect(len(published) > 80, 'KEYWORDS.md table not found')
    ours = keyword_table(run(['rules', 'check', ET]).stdout)
    bad = ['%s: ours %s, published %d' % (k, sum(ours.get(k, (0, 0))), n)
           for k, n in sorted(published.items()) if sum(ours.get(k, (0, 0))) != n]
    expect(not bad, '; '.join(bad[:10]))


@check('ET Open: each skipped rule named with its sid and a reason')
def _():
    need_et()
    r = run(['rules', 'check', '-v', ET])
    loaded, skipped = summary(r.stdout)
    lines = [l for l in r.stdout.splitlines() if l.startswith('skipped ') and ' sid ' in l]
    expect(len(lines) == skipped, '%d lines for %d skipped' % (len(lines), skipped))
    for l in lines:
        expect(re.match(r'skipped \S+:\d+ sid [1-9]\d*: \S', l), l)


def write(name, text):
    p = os.path.join(TMP, name)
    with open(p, 'w', encoding='utf-8') as f:
        f.write(text)
    return p


@check('crafted rules: reasons per rule, comments not counted, continuations joined')
def _():
    p = write('t.rules', '\n'.join([
        '# alert tcp any any -> any any (msg:"commented"; sid:1;)',
        'alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ok"; flow:established,to_server;'
        ' http.uri; content:"/a.php"; endswith; sid:10; rev:1;)',
        'alert tcp any any -> any any (msg:"split"; \\',
        '    content:"x"; sid:11;)',
        'alert tcp any any -> any any (msg:"unknown"; frobnicate; sid:12;)',
        'alert mqtt any any -> any any (msg:"proto"; sid:13;)',
        'alert tcp $NOWHERE any -> any any (msg:"var"; sid:14;)',
        'alert tcp any any -> any any (msg:"pcre"; pcre:"/(/"; sid:15;)',
        'alert tcp any any -> any any (msg:"dup"; sid:10;)',
        'alert tcp any any -> any any (msg:"no sid";)',
        '']))
    r = run(['rules', 'check', '-v', p])
    expect(r.returncode == 0, r.stderr)
    expect(summary(r.stdout) == (2, 6), summary(r.stdout))
    for sid, reason in [(12, 'unknown keyword'), (13, "protocol 'mqtt'"),
                        (14, 'unknown variable'), (15, 'pcre'), (10, 'duplicate sid'),
                        (0, 'no sid')]:
        expect(re.search(r'sid %d: .*%s' % (sid, re.escape(reason)), r.stdout),
               'sid %d: %s' % (sid, reason))
    reasons = dict(re.findall(r'^  (\S[^\d]*?)\s+(\d+)$', r.stdout, re.M))
    expect(reasons.get('unsupported keyword') == '1', reasons)


@check('variables: --var changes what $HOME_NET means, bad values are errors')
def _():
    p = write('v.rules', 'alert tcp $HOME_NET any -> $DB any (msg:"v"; sid:1;)\n')
    expect(summary(run(['rules', 'check', p]).stdout) == (0, 1), 'unknown $DB')
    r = run(['rules', 'check', '--var', 'DB=[10.0.0.5,10.0.0.6]', p])
    expect(summary(r.stdout) == (1, 0), r.stdout[-200:])
    r = run(['rules', 'check', '--var', 'HOME_NET=[300.1.1.1]', p])
    expect(r.returncode == 2 and r.stderr.count('\n') == 1, r.stderr)


@check('exit codes: 1 when a file cannot be read, 2 on usage errors')
def _():
    r = run(['rules', 'check', os.path.join(TMP, 'missing.rules')])
    expect(r.returncode == 1 and r.stderr.count('\n') == 1, (r.returncode, r.stderr))
    expect(run(['rules', 'check']).returncode == 2, 'no file')
    expect(run(['rules', 'frob']).returncode == 2, 'unknown subcommand')
    expect(run(['rules', 'check', '--frob', 'x']).returncode == 2, 'unknown option')
    r = run(['rules', '--help'])
    expect(r.returncode == 0 and 'loaded: N skipped: N' in r.stdout, r.stdout)


@check('garbage: binary and huge lines are skipped with reasons, never a crash')
def _():
    p = os.path.join(TMP, 'g.rules')
    with open(p, 'wb') as f:
        f.write(os.urandom(20000))
        f.write(b'\nalert tcp any any -> any any (content:"' + b'A' * 300000 + b'"; sid:5;)\n')
        f.write(b'alert tcp [' * 2000 + b'\n')
    r = run(['rules', 'check', p])
    expect(r.returncode == 0, r.stderr)
    loaded, skipped = summary(r.stdout)
    expect(loaded == 0, loaded)


def alerts(cap, extra=()):
    r = run(['sensor', '-r', cap, '--eve', '-', '-q', '--no-detect'] + list(extra))
    expect(r.returncode == 0, r.stderr)
    return [e for e in map(json.loads, r.stdout.splitlines()) if e['event_type'] == 'alert']


@check('rule alerts: each buffer kind fires where the traffic has it; Suricata\'s layout')
def _():
    pcaps = corpus_pcap()
    p = write('k.rules', '\n'.join([
        'alert http any any -> any any (msg:"uri"; flow:established,to_server; http.uri; '
        'content:"/"; startswith; classtype:misc-activity; sid:1;)',
        'alert http any any -> any any (msg:"old"; content:"GET"; http_method; sid:2;)',
        'alert http any any -> any any (msg:"resp"; flow:to_client; http.stat_code; '
        'content:"200"; file_data; content:"<html"; nocase; sid:3;)',
        'alert tcp any any -> any any (msg:"stream"; flow:established,to_server; '
        'content:"GET "; depth:4; metadata:former_category TEST, tag a, tag b; sid:4;)',
        'alert dns any any -> any any (msg:"query"; dns.query; content:"."; sid:5;)',
        'alert tls any any -> any any (msg:"sni"; tls.sni; content:"."; sid:6;)',
        'alert ssh any any -> any any (msg:"ssh"; ssh.proto; content:"2.0"; sid:7;)',
        'alert tcp any any -> any any (msg:"syn"; flags:S; sid:8;)',
        'alert http any any -> any any (msg:"mixed"; content:"GET"; http_method; '
        'content:"|0d 0a|Host|3a| "; sid:9;)',
        'alert http any any -> any any (msg:"mixed, absent"; content:"GET"; http_method; '
        'content:"no such header|3a|"; sid:10;)',
        '']))
    got = {}
    for cap in ('07_exploit_kit/testmynids__neutrino.pcap', '13_dns/zeek__dns53.pcap',
                '16_tls_sni_cloud/ndpi__sites.pcapng', '17_ssh_bruteforce/zeek__sshguess.pcap',
                '12_port_scan/zeek__nmap-vsn.pcap'):
        for a in alerts(os.path.join(pcaps, cap), ['--rules', p]):
            got.setdefault(a['alert']['signature_id'], a)
    expect(set(got) >= {1, 2, 3, 4, 6, 7, 8, 9} and 10 not in got, 'sids %s' % sorted(got))
    a = got[1]
    expect(a['alert']['category'] == 'Misc activity' and a['alert']['severity'] == 3, a['alert'])
    expect(a['http']['url'].startswith('/') and 'hostname' in a['http'], a.get('http'))
    expect(a['flow']['pkts_toserver'] >= 1, a.get('flow'))
    expect(got[4]['alert']['metadata'] == {'former_category': ['TEST'], 'tag': ['a', 'b']},
           got[4]['alert'])
    v = eve_validator(SHARED)
    for a in got.values():
        errs = list(v.iter_errors(a))
        expect(not errs, '%s in %s' % (errs[0].message if errs else '', a))


@check('port groups: rules naming destination ports fire on their ports only, as without groups')
def _():
    pcaps = corpus_pcap()
    cap = os.path.join(pcaps, '07_exploit_kit/testmynids__neutrino.pcap')
    lines = [
        'alert tcp any any -> any 80 (msg:"to 80"; flow:established,to_server; '
        'content:"GET "; depth:4; sid:11;)',
        'alert tcp any any -> any 21 (msg:"to 21"; content:"GET "; sid:12;)',
        'alert tcp any any -> any [21,25,80,110] (msg:"list"; content:"Host|3a| "; sid:13;)',
        'alert tcp any 80 -> any any (msg:"from 80"; flow:to_client; content:"HTTP/1."; sid:14;)',
        'alert tcp any any -> any 8080 (msg:"to 8080"; content:"Host|3a| "; sid:15;)',
    ]
    # port 80 named by enough rules for a group of its own, and enough HTTP
    # rules of its own for HTTP flows to scan the groups
    lines += ['alert tcp any any -> any 80 (content:"qqport80-%02d"; sid:%d;)' % (i, 100 + i)
              for i in range(16)]
    lines += ['alert http any any -> any any (content:"qqhttp-%03d"; sid:%d;)' % (i, 1000 + i)
              for i in range(220)]
    p = write('pg.rules', '\n'.join(lines) + '\n')
    got = {a['alert']['signature_id'] for a in alerts(cap, ['--rules', p])}
    expect({11, 13, 14} <= got, 'sids %s' % sorted(got))
    expect(not got & {12, 15}, 'sids %s' % sorted(got))
    # the same rules one at a time (no groups, no split list) give the same
    alone = set()
    for sid in (11, 12, 13, 14, 15):
        q = write('one.rules', lines[sid - 11] + '\n')
        alone |= {a['alert']['signature_id'] for a in alerts(cap, ['--rules', q])}
    expect(alone == got & {11, 12, 13, 14, 15}, 'alone %s, together %s' % (sorted(alone), sorted(got)))


@check('packet rules by port: header-only rules naming ports fire on every packet tshark counts')
def _():
    cap = corpus_pcap('12_port_scan/ndpi__synscan.pcap')
    # rules without a fast pattern that name a few ports are found through
    # the packet's port; rules naming none are checked on every packet
    rules = {
        21: ('alert tcp any any -> any 22 (flags:S,12; sid:21;)', 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==22'),
        22: ('alert tcp any any -> any [995,999] (flags:S,12; sid:22;)',
             'tcp.flags.syn==1 && tcp.flags.ack==0 && (tcp.dstport==995 || tcp.dstport==999)'),
        23: ('alert tcp any 80 -> any any (flags:SA,12; sid:23;)',
             'tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.srcport==80'),
        24: ('alert tcp any any -> any any (flags:S,12; sid:24;)', 'tcp.flags.syn==1 && tcp.flags.ack==0'),
        25: ('alert tcp any any -> any 1000: (flags:S,12; sid:25;)',
             'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport>=1000'),
    }
    p = write('pp.rules', '\n'.join(r for r, _ in rules.values()) + '\n')
    got = {}
    for a in alerts(cap, ['--rules', p]):
        got[a['alert']['signature_id']] = got.get(a['alert']['signature_id'], 0) + 1
    for sid, (_, flt) in rules.items():
        r = subprocess.run(['tshark', '-r', cap, '-Y', flt], capture_output=True, text=True)
        want = len(r.stdout.splitlines())
        expect(want > 0 and got.get(sid, 0) == want,
               'sid %d: %d alerts, tshark %d packets' % (sid, got.get(sid, 0), want))


@check('checksum keywords: tcpv4-csum fires on the segments tshark finds a bad checksum in')
def _():
    cap = os.path.join(SHARED, 'suricata-verify', 'tests', 'detect-chksum-01', 'input.pcap')
    if not os.path.exists(cap):
        raise Skip('suricata-verify absent: %s' % cap)
    p = write('csum.rules', 'alert tcp any any -> any any (tcpv4-csum:invalid; sid:31;)\n'
                            'alert tcp any any -> any any (tcpv4-csum:valid; sid:32;)\n'
                            'alert ip any any -> any any (ipv4-csum:invalid; sid:33;)\n')
    got = {}
    for a in alerts(cap, ['--rules', p]):
        got.setdefault(a['alert']['signature_id'], set()).add(a['pcap_cnt'])
    r = subprocess.run(['tshark', '-r', cap, '-o', 'tcp.check_checksum:TRUE', '-o',
                        'ip.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.number',
                        '-e', 'tcp.checksum.status', '-e', 'ip.checksum.status'],
                       capture_output=True, text=True)
    bad, good, ipbad = set(), set(), set()
    for line in r.stdout.splitlines():
        n, tcp, ip = (line.split('\t') + ['', ''])[:3]
        if tcp == '0':
            bad.add(int(n))
        elif tcp == '1':
            good.add(int(n))
        if ip == '0':
            ipbad.add(int(n))
    expect(bad and got.get(31, set()) == bad, 'invalid at %s, tshark %s' % (got.get(31), bad))
    expect(got.get(32, set()) == good, 'valid at %s, tshark %s' % (got.get(32), good))
    expect(got.get(33, set()) == ipbad, 'ipv4 invalid at %s, tshark %s' % (got.get(33), ipbad))


@check('xbits: a bit on a host set by one flow is seen by the next ones (tshark frame order)')
def _():
    cap = corpus_pcap('07_exploit_kit/testmynids__neutrino.pcap')
    p = write('xb.rules', '\n'.join([
        'alert http any any -> any any (flow:to_server; http.method; content:"GET"; '
        'xbits:set,mm.get,track ip_src,expire 3600; sid:41;)',
        'alert tcp any any -> any any (flags:S,12; xbits:isset,mm.get,track ip_src; sid:42;)',
        'alert tcp any any -> any any (flags:S,12; xbits:isnotset,mm.get,track ip_src; sid:43;)',
        'alert tcp any any -> any any (flags:SA,12; xbits:isset,mm.get,track ip_dst; sid:44;)',
        'alert tcp any any -> any any (flags:S,12; xbits:isset,mm.get,track ip_dst; sid:45;)',
    ]) + '\n')
    got = {}
    for a in alerts(cap, ['--rules', p]):
        got.setdefault(a['alert']['signature_id'], set()).add(a['pcap_cnt'])
    def frames(flt):
        r = subprocess.run(['tshark', '-r', cap, '-Y', flt, '-T', 'fields', '-e', 'frame.number'],
                           capture_output=True, text=True)
        return {int(x) for x in r.stdout.split()}
    # the app layer reads a request when the server acknowledges it (as
    # Suricata's IDS mode): the bit is set at the packet whose ACK covers
    # the GET, found from tshark's raw sequence numbers
    r = subprocess.run(['tshark', '-r', cap, '-T', 'fields', '-e', 'frame.number', '-e',
                        'tcp.stream', '-e', 'tcp.srcport', '-e', 'tcp.seq_raw', '-e', 'tcp.len',
                        '-e', 'tcp.ack_raw', '-e', 'tcp.flags.ack', '-e', 'http.request.method'],
                       capture_output=True, text=True)
    rows = [l.split('\t') for l in r.stdout.splitlines()]
    gets = set()
    for i, row in enumerate(rows):
        if len(row) < 8 or row[7] != 'GET':
            continue
        end = (int(row[3]) + int(row[4])) & 0xffffffff
        for o in rows[i + 1:]:
            if o[1] == row[1] and o[2] != row[2] and o[6] == '1' and \
                    ((int(o[5]) - end) & 0xffffffff) < 0x80000000:
                gets.add(int(o[0]))
                break
    first = min(gets)
    syn = frames('tcp.flags.syn==1 && tcp.flags.ack==0')
    synack = frames('tcp.flags.syn==1 && tcp.flags.ack==1')
    expect(got.get(41, set()) == gets, 'set at %s, GETs %s' % (got.get(41), gets))
    expect(got.get(42, set()) == {f for f in syn if f > first},
           'isset at %s, SYNs after the first GET %s' % (got.get(42), {f for f in syn if f > first}))
    expect(got.get(43, set()) == {f for f in syn if f < first}, 'isnotset at %s' % got.get(43))
    expect(got.get(44, set()) == {f for f in synack if f > first}, 'ip_dst isset at %s' % got.get(44))
    expect(not got.get(45), 'the servers have no bit: %s' % got.get(45))


@check('--alert-payload: a packet alert carries the packet payload tshark shows')
def _():
    import base64
    cap = corpus_pcap('07_exploit_kit/testmynids__neutrino.pcap')
    p = write('pl.rules', 'alert tcp any any -> any 80 (flow:to_server; content:"GET "; depth:4; sid:51;)\n')
    got = [a for a in alerts(cap, ['--rules', p, '--alert-payload', '--alert-payload-printable'])]
    pkt = [a for a in got if a.get('stream') == 0]
    expect(pkt and all('stream' in a for a in got), 'packet alerts %d of %d' % (len(pkt), len(got)))
    r = subprocess.run(['tshark', '-r', cap, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.payload'],
                       capture_output=True, text=True)
    tsh = {int(n): bytes.fromhex(h.replace(':', '')) for n, h in
           (l.split('\t') for l in r.stdout.splitlines()) if h}
    for a in pkt:
        data = base64.b64decode(a['payload'])
        expect(data == tsh.get(a['pcap_cnt']), 'frame %d payload differs' % a['pcap_cnt'])
        expect(a['payload_printable'].startswith('GET '), 'printable %r' % a['payload_printable'][:8])


def anchored_rules(cap, filler):
    extra = ['alert tcp-pkt any any -> any any (content:"zq%03dfill"; depth:%d; sid:%d;)'
             % (i, 10 + i, 1000 + i) for i in range(filler)]
    if filler:
        extra.append('alert tcp-pkt any any -> any any (content:"Content-Type"; sid:65;)')
    p = write('anch.rules', '\n'.join(extra + [
        'alert tcp-pkt any any -> any any (content:"HTTP/1.1"; depth:8; sid:61;)',
        'alert tcp-pkt any any -> any any (content:"GET "; depth:4; content:"HTTP/1."; '
        'distance:0; within:40; sid:62;)',
        'alert tcp-pkt any any -> any any (content:"HTTP/1.1 200"; depth:12; '
        'fast_pattern:5,3; sid:63;)',
        'alert tcp-pkt any any -> any any (content:"Content-"; offset:16; depth:200; sid:64;)',
        'alert tcp-pkt any any -> any any (content:"|0d 0a 0d 0a|"; depth:256; sid:66;)',
        '']))
    got = {}
    for a in alerts(cap, ['--rules', p]):
        got.setdefault(a['alert']['signature_id'], set()).add(a['pcap_cnt'])
    r = subprocess.run(['tshark', '-r', cap, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.payload'],
                       capture_output=True, text=True)
    want = {61: set(), 62: set(), 63: set(), 64: set(), 66: set()}
    if filler:
        want[65] = set()
    for line in r.stdout.splitlines():
        n, h = (line.split('\t') + [''])[:2]
        d = bytes.fromhex(h.replace(':', ''))
        if d.startswith(b'HTTP/1.1'):
            want[61].add(int(n))
        k = d.find(b'HTTP/1.', 4)
        if d.startswith(b'GET ') and 0 <= k and k + 7 <= 44:
            want[62].add(int(n))
        if d.startswith(b'HTTP/1.1 200'):
            want[63].add(int(n))
        k = d.find(b'Content-', 16)
        if 0 <= k and k + 8 <= 216:
            want[64].add(int(n))
        if 0 <= d.find(b'\r\n\r\n') <= 252:
            want[66].add(int(n))
        if filler and b'Content-Type' in d:
            want[65].add(int(n))
    for sid, frames in want.items():
        expect(frames and got.get(sid, set()) == frames,
               '%d fillers: sid %d at %s, tshark %s' % (filler, sid, sorted(got.get(sid, set()))[:8],
                                                        sorted(frames)[:8]))
    expect(not set(got) - set(want), 'a filler alerted: %s' % sorted(set(got) - set(want))[:4])


@check('anchored contents: depth, within after a depth and a chopped fast pattern find the '
       'packets whose payload (tshark) has them there, alone and among enough anchored rules '
       'to have a database of their own beside an unanchored one')
def _():
    cap = corpus_pcap('07_exploit_kit/testmynids__neutrino.pcap')
    for filler in (0, 80):
        anchored_rules(cap, filler)


@check('--alert-packet and --pcap-filename: the alert carries the packet record as the '
       'capture file holds it, its link type, its source and the file\'s name')
def _():
    import base64
    import struct
    cap = corpus_pcap('07_exploit_kit/testmynids__neutrino.pcap')
    p = write('pk.rules', 'alert tcp any any -> any 80 (flow:to_server; content:"GET "; depth:4; sid:71;)\n')
    got = [a for a in alerts(cap, ['--rules', p, '--alert-packet', '--pcap-filename'])]
    # the capture's records, read here from the pcap format itself
    recs = {}
    with open(cap, 'rb') as f:
        hdr = f.read(24)
        end = '<' if hdr[:4] == b'\xd4\xc3\xb2\xa1' or hdr[:4] == b'\x4d\x3c\xb2\xa1' else '>'
        link = struct.unpack(end + 'I', hdr[20:24])[0]
        n = 0
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                break
            incl = struct.unpack(end + 'I', rh[8:12])[0]
            n += 1
            recs[n] = f.read(incl)
    expect(got, 'no alert')
    for a in got:
        expect(a.get('pkt_src') == 'wire/pcap', 'pkt_src %r' % a.get('pkt_src'))
        expect(a.get('pcap_filename') == cap, 'pcap_filename %r' % a.get('pcap_filename'))
        expect(a.get('packet_info', {}).get('linktype') == link, 'linktype %r' % a.get('packet_info'))
        expect(base64.b64decode(a['packet']) == recs[a['pcap_cnt']],
               'frame %d: packet differs from the record' % a['pcap_cnt'])


def sv_pcap(rel):
    path = os.path.join(SHARED, 'suricata-verify', 'tests', rel)
    if not os.path.exists(path):
        raise Skip('suricata-verify absent: %s' % path)
    return path


def tshark_dce(cap):
    """(type, opnum, call id) of each DCE/RPC PDU, as tshark decodes them."""
    r = subprocess.run(['tshark', '-r', cap, '-Y', 'dcerpc', '-T', 'fields', '-e',
                        'dcerpc.pkt_type', '-e', 'dcerpc.opnum', '-e', 'dcerpc.cn_call_id'],
                       capture_output=True, text=True)
    out = []
    for line in r.stdout.splitlines():
        t, op, cid = (line.split('\t') + ['', ''])[:3]
        for one in zip(t.split(','), cid.split(',')):    # several PDUs in a frame
            out.append((int(one[0]), int(op.split(',')[0]) if op else None, int(one[1])))
    return out


def dce_vs_tshark(cap):
    r = run(['sensor', '-r', cap, '--eve', '-', '-q', '--no-detect', '--midstream'])
    ours = [e['smb']['dcerpc'] for e in map(json.loads, r.stdout.splitlines())
            if e['event_type'] == 'smb' and 'dcerpc' in e['smb']]
    ts = tshark_dce(cap)
    want_req = sorted((op, cid) for t, op, cid in ts if t == 0)
    got_req = sorted((d['opnum'], d['call_id']) for d in ours if d['request'] == 'REQUEST')
    expect(want_req and got_req == want_req, 'requests %s, tshark %s' % (got_req[:5], want_req[:5]))
    expect(sum(d['response'] == 'RESPONSE' for d in ours) == sum(t == 2 for t, _, _ in ts),
           'responses')
    want_bind = sorted(cid for t, _, cid in ts if t == 11)
    got_bind = sorted(d['call_id'] for d in ours if d['request'] == 'BIND')
    expect(want_bind and got_bind == want_bind, 'binds %s, tshark %s' % (got_bind, want_bind))
    expect(all(d['response'] == 'BIND_ACK' for d in ours if d['request'] == 'BIND'), 'bind acks')


@check('DCE/RPC over SMB pipes (SMB2 IOCTL and writes, SMB1 WRITE_ANDX/READ_ANDX): the smb '
       'events\' dcerpc requests, opnums and call ids are the PDUs tshark decodes')
def _():
    for rel in ('smb2-06/20171220_smb_net_user.pcap', 'smb-filename/input.pcap'):
        dce_vs_tshark(sv_pcap(rel))


@check('DCE/RPC over TCP (dynamic ports, mid-stream too): one dcerpc event per call, its '
       'type, opnum and call id as tshark decodes the PDUs up to a PDU type Suricata 7 stops '
       'parsing the connection at (AUTH3, fault...); schema-valid')
def _():
    v = eve_validator(SHARED)
    for rel, extra in (('bug-5162/input.pcap', []), ('bug-6191/input.pcap', ['--midstream'])):
        cap = sv_pcap(rel)
        r = run(['sensor', '-r', cap, '--eve', '-', '-q', '--no-detect'] + extra)
        evs = [e for e in map(json.loads, r.stdout.splitlines()) if e['event_type'] == 'dcerpc']
        for e in evs:
            errs = list(v.iter_errors(e))
            expect(not errs, '%s: %s' % (rel, errs[0].message if errs else ''))
        # tshark's PDUs on TCP without SMB (SMB-carried ones are smb events)
        t = subprocess.run(['tshark', '-r', cap, '-Y', 'dcerpc && !smb2 && !smb', '-T', 'fields',
                            '-e', 'dcerpc.pkt_type', '-e', 'dcerpc.opnum', '-e', 'dcerpc.cn_call_id',
                            '-e', 'dcerpc.cn_flags', '-e', 'tcp.stream'],
                           capture_output=True, text=True)
        want_req, want_alter = [], []
        stopped = set()     # connections past a PDU type Suricata 7 errors on
        for line in t.stdout.splitlines():
            ty, op, cid, fl, st = (line.split('\t') + ['', '', '', ''])[:5]
            for k, one in enumerate(ty.split(',')):
                if st in stopped:
                    break
                if one not in ('0', '2', '11', '12', '14', '15'):
                    stopped.add(st)
                    break
                c = int(cid.split(',')[k])
                first = int(fl.split(',')[k], 16) & 1 if fl else 1
                if one == '0' and first:
                    want_req.append((int(op.split(',')[k]), c))
                elif one in ('11', '14'):
                    want_alter.append(c)
        got_req = sorted((e['dcerpc']['req']['opnum'], e['dcerpc']['call_id']) for e in evs
                         if e['dcerpc']['request'] == 'REQUEST')
        got_alter = sorted(e['dcerpc']['call_id'] for e in evs
                           if e['dcerpc']['request'] in ('BIND', 'ALTER_CONTEXT'))
        expect(want_req and got_req == sorted(want_req),
               '%s: requests %d, tshark %d' % (rel, len(got_req), len(want_req)))
        expect(got_alter == sorted(want_alter), '%s: binds %s, tshark %s' % (rel, got_alter, want_alter))


@check('DCE/RPC over UDP: one dcerpc event per request and response pair tshark decodes, '
       'its activity UUID and sequence number; schema-valid')
def _():
    v = eve_validator(SHARED)
    cap = sv_pcap('dcerpc/dcerpc-udp-scapy/input.pcap')
    r = run(['sensor', '-r', cap, '--eve', '-', '-q', '--no-detect'])
    evs = [e for e in map(json.loads, r.stdout.splitlines()) if e['event_type'] == 'dcerpc']
    for e in evs:
        errs = list(v.iter_errors(e))
        expect(not errs, errs[0].message if errs else '')
    t = subprocess.run(['tshark', '-r', cap, '-Y', 'dcerpc.pkt_type == 2', '-T', 'fields',
                        '-e', 'dcerpc.dg_act_id', '-e', 'dcerpc.dg_seqnum', '-e', 'dcerpc.drep.byteorder'],
                       capture_output=True, text=True)
    want = []
    for line in t.stdout.splitlines():
        act, seq, order = line.split('\t')
        h = act.replace('-', '')
        if order == '0':    # big-endian: Suricata prints the first fields byte-swapped all the same
            h = (bytes.fromhex(h[:8])[::-1] + bytes.fromhex(h[8:12])[::-1] +
                 bytes.fromhex(h[12:16])[::-1]).hex() + h[16:]
        want.append(('%s-%s-%s-%s-%s' % (h[:8], h[8:12], h[12:16], h[16:20], h[20:]), int(seq)))
    got = [(e['dcerpc']['activityuuid'], e['dcerpc']['seqnum']) for e in evs
           if e['dcerpc']['request'] == 'REQUEST' and e['dcerpc']['response'] == 'RESPONSE']
    expect(want and got == want and len(evs) == len(want), 'events %s, tshark %s' % (got, want))


@check('dcerpc.opnum / dcerpc.iface / dcerpc.stub_data on SMB: one alert per request and per '
       'response of the opnum (tshark), none for another interface or version')
def _():
    cap = sv_pcap('smb-dce_iface/input.pcap')
    spool = '12345678-1234-abcd-ef00-0123456789ab'      # SPOOLSS v1.0, as tshark names it
    p = write('dce.rules', '\n'.join([
        'alert smb any any -> any any (dcerpc.opnum:10; sid:81;)',
        'alert smb any any -> any any (dce_opnum:80-90,3; sid:82;)',
        'alert smb any any -> any any (dcerpc.iface:%s; dcerpc.opnum:89; sid:83;)' % spool,
        'alert smb any any -> any any (dcerpc.iface:%s,>1; sid:84;)' % spool,
        'alert smb any any -> any any (dce_iface:12345778-1234-abcd-ef00-0123456789ab; sid:85;)',
        'alert smb any any -> any any (dcerpc.stub_data; content:"|00 00|"; dcerpc.opnum:89; '
        'sid:86;)', '']))
    got = {}
    for a in alerts(cap, ['--rules', p]):
        got[a['alert']['signature_id']] = got.get(a['alert']['signature_id'], 0) + 1
    ts = tshark_dce(cap)
    n10 = sum(op == 10 and t in (0, 2) for t, op, _ in ts)
    n89 = sum(op == 89 and t in (0, 2) for t, op, _ in ts)
    expect(n10 and got.get(81, 0) == n10, 'opnum 10: %d alerts, tshark %d PDUs' % (got.get(81, 0), n10))
    expect(got.get(82, 0) == n89, 'opnum 80-90,3: %d, tshark %d' % (got.get(82, 0), n89))
    expect(n89 and got.get(83, 0) == n89, 'iface + opnum 89: %d, tshark %d' % (got.get(83, 0), n89))
    expect(not got.get(84) and not got.get(85), 'version > 1 or another interface: %s' % got)
    expect(got.get(86, 0) == n89, 'stub data of opnum 89: %d' % got.get(86, 0))


@check('geoip: src/dst/both/any and negation against a MaxMind test database whose two '
       'addresses its generator script documents (suricata-verify geoip/geoip.pl)')
def _():
    mmdb = sv_pcap('geoip/test.mmdb')     # 82.165.177.154 DE, 123.125.71.29 FR
    cap = sv_pcap('flowbit-oring/input.pcap')
    p = write('geo.rules', '\n'.join([
        'alert tcp any any -> any any (flow:to_server; geoip:dst,DE; sid:91;)',
        'alert tcp any any -> any any (flow:to_server; geoip:src,!DE,FR; sid:92;)',
        'alert tcp any any -> any any (flow:to_client; geoip:any,de; sid:93;)',
        'alert tcp any any -> any any (geoip:both,DE; sid:94;)',
        'alert tcp any any -> any any (geoip:any,FR; sid:95;)', '']))
    got = {}
    for a in alerts(cap, ['--rules', p, '--geoip', mmdb]):
        got[a['alert']['signature_id']] = got.get(a['alert']['signature_id'], 0) + 1
    r = subprocess.run(['tshark', '-r', cap, '-T', 'fields', '-e', 'ip.dst'],
                       capture_output=True, text=True)
    to_de = sum(l.strip() == '82.165.177.154' for l in r.stdout.splitlines())
    from_de = sum(l.strip() == '10.16.1.11' for l in r.stdout.splitlines())
    expect(to_de and got.get(91) == to_de, 'dst DE: %s alerts, %d packets to it' % (got.get(91), to_de))
    expect(got.get(92) == to_de, 'src not DE/FR (a private address): %s' % got.get(92))
    expect(from_de and got.get(93) == from_de, 'any DE to the client: %s of %d' % (got.get(93), from_de))
    expect(not got.get(94) and not got.get(95), 'both DE / any FR: %s' % got)


@check('flowint: a count per flow that later rules compare (GETs past the first, as tshark counts them)')
def _():
    pcaps = corpus_pcap()
    cap = os.path.join(pcaps, '07_exploit_kit/testmynids__neutrino.pcap')
    p = write('fi.rules', '\n'.join([
        'alert http any any -> any any (http.method; content:"GET"; flowint:gets,+,1; '
        'noalert; sid:21;)',
        'alert http any any -> any any (http.method; content:"GET"; flowint:gets,>,1; sid:22;)',
        'alert http any any -> any any (http.method; content:"GET"; flowint:gets,notset; '
        'sid:23;)', '']))
    got = [a['alert']['signature_id'] for a in alerts(cap, ['--rules', p])]
    out = subprocess.run(['tshark', '-n', '-r', cap, '-Y', 'http.request.method == "GET"',
                          '-T', 'fields', '-e', 'tcp.stream'], capture_output=True, text=True)
    per = {}
    for line in out.stdout.split():
        per[line] = per.get(line, 0) + 1
    want22 = sum(n - 1 for n in per.values())
    expect(got.count(22) == want22, 'sid 22: %d, tshark %d' % (got.count(22), want22))
    expect(21 not in got, 'noalert')
    expect(got.count(23) == 0, 'notset after the first rule set it: %d' % got.count(23))


@check('ET Open on attack captures: the alerts Suricata raises on them')
def _():
    need_et()
    pcaps = corpus_pcap()
    # sids and why each is expected: the capture's documented contents
    # (MANIFEST) against the rule's own text in ET Open
    want = {
        '07_exploit_kit/testmynids__neutrino.pcap': {
            2018216,    # ET INFO HTTP Connection To DDNS Domain Hopto.org (gate on hopto.org)
            2014726,    # ET POLICY Outdated Flash Version (the SWF request's x-flash-version)
        },
        # Metasploit's ms17_010_eternalblue: its heap spray's Trans2 secondaries
        # (issue 28: Suricata 7.0.6 raises 2024217 on it); they begin inside
        # offloaded segments, at positions the server acknowledged
        '05_smb_ms17-010/eternalsafety__metasploit-ms017-010-win7x64.pcap': {
            2024217,    # ET EXPLOIT Possible ETERNALBLUE MS17-010 Heap Spray
        },
    }
    for cap, sids in want.items():
        got = {a['alert']['signature_id'] for a in alerts(os.path.join(pcaps, cap),
                                                          ['--rules', ET])}
        expect(sids <= got, '%s: missing %s (got %s)' % (cap, sorted(sids - got), sorted(got)))


@check('prefilter cache: a restart reuses the databases; a damaged file is rebuilt; '
       'databases unused for 14 days and old temporary files are removed, nothing else')
def _():
    need_et()
    cache = os.path.join(TMP, 'hs-cache')
    neutrino = corpus_pcap('07_exploit_kit/testmynids__neutrino.pcap')
    args = ['--rules', ET, '--rules-cache', cache]
    first = sorted(a['alert']['signature_id'] for a in alerts(neutrino, args))
    files = sorted(os.listdir(cache))
    expect(files and all(f.endswith('.hsdb') for f in files), files[:3])
    ino = {f: os.stat(os.path.join(cache, f)).st_ino for f in files}
    # the files in use look a month old; others: ours old and new, a
    # crash's temporary file, a file that is not ours
    month = time.time() - 30 * 86400
    for f in files:
        os.utime(os.path.join(cache, f), (month, month))
    extra = {'0' * 64 + '.hsdb': month, '1' * 64 + '.hsdb': time.time() - 86400,
             '2' * 64 + '.hsdb.77.tmp': time.time() - 2 * 86400, 'notes.txt': month}
    for f, t in extra.items():
        with open(os.path.join(cache, f), 'wb') as fh:
            fh.write(b'x')
        os.utime(os.path.join(cache, f), (t, t))
    second = sorted(a['alert']['signature_id'] for a in alerts(neutrino, args))
    expect(second == first, 'same alerts from the cache: %s vs %s' % (second, first))
    now = sorted(os.listdir(cache))
    expect(now == sorted(files + ['1' * 64 + '.hsdb', 'notes.txt']), 'left: %s' % now[-4:])
    expect(all(os.stat(os.path.join(cache, f)).st_ino == ino[f] for f in files),
           'nothing rewritten')
    expect(all(os.path.getmtime(os.path.join(cache, f)) > month + 86400 for f in files),
           'the databases in use are marked used')
    with open(os.path.join(cache, files[0]), 'r+b') as f:
        f.write(b'garbage!' * 8)
    third = sorted(a['alert']['signature_id'] for a in alerts(neutrino, args))
    expect(third == first, 'damaged cache file: %s' % third)


@check('the seed report\'s RDP alert (sid 2001330) on RDP captures, with its family')
def _():
    need_et()
    rdp = corpus_pcap('02_rdp')
    caps = sorted(os.path.join(rdp, f) for f in os.listdir(rdp) if f.endswith('.pcap'))
    if not caps:
        raise Skip('no RDP capture in %s' % rdp)
    seen = 0
    for cap in caps:
        # the RDP server, as tshark sees it: made the company; the client is outside
        t = subprocess.run(['tshark', '-n', '-r', cap, '-Y', 'tcp.srcport==3389', '-T', 'fields',
                            '-e', 'ip.src'], capture_output=True, text=True)
        srv = (t.stdout.split() or [''])[0]
        if not srv:
            continue
        got = [a for a in alerts(cap, ['--rules', ET, '--home-net', srv + '/32'])
               if a['alert']['signature_id'] == 2001330]
        expect(got, '%s: no 2001330' % cap)
        expect(got[0]['mimamori']['alert'].get('family') == 'rdp', got[0]['mimamori'])
        expect('family' not in got[0]['alert'].get('metadata', {}), got[0]['alert'])
        seen += 1
    expect(seen >= 3, 'RDP captures with a server: %d' % seen)


def exported_objects(cap, proto):
    """The objects tshark exports from cap (--export-objects PROTO), in
    name order, as bytes."""
    import shutil
    d = tempfile.mkdtemp(prefix='mm-obj-')
    try:
        subprocess.run(['tshark', '-n', '-r', cap, '--export-objects', proto + ',' + d],
                       capture_output=True)
        return [open(os.path.join(d, f), 'rb').read() for f in sorted(os.listdir(d))]
    finally:
        shutil.rmtree(d)


@check('file.data of an SMTP attachment: bytes far past its start, as tshark and Python decode it')
def _():
    import email
    from email import policy
    cap = corpus_pcap('15_smtp_attachments/chrissanders__mail_sender_attachment.pcapng')
    body = None
    for obj in exported_objects(cap, 'imf'):
        for part in email.message_from_bytes(obj, policy=policy.default).walk():
            if part.get_filename() and not part.is_multipart():
                body = part.get_payload(decode=True)
    if not body or len(body) < 2000:
        raise Skip('no attachment of 2 KB in %s' % cap)
    far = body[1500:1516]           # past the 512 bytes kept for the file type
    absent = bytes(b ^ 0x5A for b in far)
    if absent in body:
        raise Skip('could not make an absent pattern')
    p = write('f.rules', 'alert smtp any any -> any any (msg:"far"; file.data; content:"|%s|"; '
              'sid:1;)\nalert smtp any any -> any any (msg:"absent"; file.data; '
              'content:"|%s|"; sid:2;)\n' % (far.hex(' '), absent.hex(' ')))
    got = {a['alert']['signature_id'] for a in alerts(cap, ['--rules', p])}
    expect(got == {1}, 'sids %s' % sorted(got))


def text_window(pat):
    """The prefilter piece the engine takes of a content (rule_engine.c
    fp_window, written again here only to choose inputs): the prefix of at
    least 10 bytes whose last 8 bytes look least like text."""
    def cls(c):
        if 0x61 <= (c | 0x20) <= 0x7a:
            return 0
        if 0x30 <= c <= 0x39:
            return 1
        if c == 0x20:
            return 2
        return 3 if 0x20 < c < 0x7f else 4
    rank = [[5, 2, 4, 3, 0], [2, 2, 0, 1, 0], [4, 0, 3, 3, 0], [3, 1, 3, 1, 0], [0] * 5]
    if len(pat) <= 10:
        return len(pat)
    best, end = None, len(pat)
    for e in range(len(pat), 9, -1):
        sc = sum(rank[cls(pat[i])][cls(pat[i + 1])] for i in range(e - 8, e - 1))
        if best is None or sc < best:
            best, end = sc, e
    return end


@check('file.data of HTTP answers: a content (with a tight depth) whose prefilter piece is a '
       'part of it alerts where the whole content is in the body (tshark\'s exported objects), '
       'never where only the piece is')
def _():
    cap = corpus_pcap('07_exploit_kit/testmynids__neutrino.pcap')
    pick = None
    for body in exported_objects(cap, 'http'):
        for i in range(0, min(len(body), 16000) - 30, 7):
            piece = body[i:i + 30]
            e = text_window(piece)
            if e >= 30:
                continue
            absent = piece[:e] + bytes(b ^ 0x5A for b in piece[e:])
            if body.count(piece[:e]) and not body.count(absent) and b'\x00' not in piece:
                pick = (piece, absent, i + 30)
                break
        if pick:
            break
    if not pick:
        raise Skip('no HTTP body with a suitable piece in %s' % cap)
    # depth: the piece's match must end where the content's does, less
    # the content's bytes after the piece
    p = write('w.rules', 'alert http any any -> any any (msg:"whole"; flow:to_client; file.data; '
              'content:"|%s|"; depth:%d; sid:1;)\nalert http any any -> any any (msg:"piece '
              'only"; flow:to_client; file.data; content:"|%s|"; depth:%d; sid:2;)\n'
              % (pick[0].hex(' '), pick[2], pick[1].hex(' '), pick[2]))
    got = {a['alert']['signature_id'] for a in alerts(cap, ['--rules', p])}
    expect(got == {1}, 'sids %s for %r' % (sorted(got), pick))


@check('TLS after the handshake: as Suricata\'s default encryption-handling, packets\' payloads '
       'are not inspected once application data was parsed (its first packet still is: IDS '
       'mode parses data when acknowledged); header rules go on (tshark: record types per frame)')
def _():
    cap = corpus_pcap('04_sslv3_poodle/arkime__ssl-selfsign.pcap')
    p = write('enc.rules', 'alert tcp any any -> any any (msg:"payload"; dsize:>0; sid:71;)\n'
              'alert tcp any any -> any any (msg:"push"; flags:PA; sid:72;)\n')
    got = {}
    for a in alerts(cap, ['--rules', p]):
        got.setdefault(a['alert']['signature_id'], set()).add(a['pcap_cnt'])
    r = subprocess.run(['tshark', '-r', cap, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.len',
                        '-e', 'tcp.flags.push', '-e', 'tls.record.content_type'],
                       capture_output=True, text=True)
    first_app, payload, push = None, [], set()
    for line in r.stdout.splitlines():
        n, ln, ps, ct = (line.split('\t') + ['', '', ''])[:4]
        if int(ln or 0) > 0:
            payload.append(int(n))
        if ps in ('1', 'True'):
            push.add(int(n))
        if first_app is None and '23' in ct.split(','):
            first_app = int(n)
    expect(first_app and len(payload) > 4, 'tshark sees no application data in %s' % cap)
    want = {n for n in payload if n <= first_app}
    expect(got.get(71, set()) == want, 'payload rule at %s, want %s' % (sorted(got.get(71, ())),
                                                                       sorted(want)))
    expect(got.get(72, set()) == push, 'flags rule at %s, want %s' % (sorted(got.get(72, ())),
                                                                     sorted(push)))



def tls_client_hello(version=0x0300):
    """A ClientHello record (two cipher suites, no extensions)."""
    import struct
    body = struct.pack('!H', version) + bytes(range(32)) + b'\x00' + \
        struct.pack('!H', 4) + b'\x00\x2f\x00\x35' + b'\x01\x00'
    hs = b'\x01' + struct.pack('!I', len(body))[1:] + body
    return b'\x16' + struct.pack('!H', version) + struct.pack('!H', len(hs)) + hs


@check('app-protocol packet rules: a tls rule with dsize is a packet rule (Suricata 7\'s rule '
       'types: need_packet), its content matched on the TCP packets of TLS flows - ET 2029340\'s '
       'options on an SSLv3 server\'s handshake_failure alert, not on the same bytes in a flow '
       'that is not TLS')
def _():
    from tcpcap import Capture
    cap = Capture()
    alert = b'\x15\x03\x00\x00\x02\x02\x28'     # fatal handshake_failure (RFC 6101 5.4.2)
    tls = cap.conv('192.168.1.10', 40000, '198.51.100.7', 443)
    tls.handshake()
    tls.c(tls_client_hello())
    tls.s(flags='A')
    want = tls.s(alert)
    tls.close()
    other = cap.conv('192.168.1.10', 40001, '198.51.100.7', 443)
    other.handshake()
    other.c(b'HELO x\r\n')
    other.s(flags='A')
    plain = other.s(alert)
    other.close()
    path = os.path.join(TMP, 'tls-hf.pcap')
    cap.write(path)
    # tshark's reading: the alert record where it was written, in the TLS flow only
    r = subprocess.run(['tshark', '-n', '-r', path, '-d', 'tcp.port==443,tls', '-Y',
                        'tls.alert_message.desc == 40', '-T', 'fields', '-e', 'frame.number'],
                       capture_output=True, text=True)
    expect(r.stdout.split() == [str(want), str(plain)], 'tshark finds %s' % r.stdout.split())
    opts = ('flow:established,to_client; dsize:7; content:"|15|"; depth:1; '
            'content:"|00 02 02 28|"; distance:2; within:4; fast_pattern;')
    p = write('tls-hf.rules', '\n'.join([
        'alert tls $EXTERNAL_NET any -> $HOME_NET any (msg:"tls"; %s sid:1;)' % opts,
        'alert tcp $EXTERNAL_NET any -> $HOME_NET any (msg:"tcp"; %s sid:2;)' % opts,
        'alert tls any any -> any any (msg:"wrong size"; dsize:8; content:"|15|"; depth:1; '
        'sid:3;)', '']))
    got = sorted((a['alert']['signature_id'], a['pcap_cnt']) for a in alerts(path, ['--rules', p]))
    expect(got == sorted([(1, want), (2, want), (2, plain)]),
           'alerts %s; want sid 1 at frame %d, sid 2 at %d and %d' % (got, want, want, plain))



@check('raw stream chunks: a stream rule\'s content echoed a byte per segment, each acknowledged, '
       'is found - Suricata inspects the acknowledged stream in chunks of at least 2560 bytes or '
       'at the session\'s end, not segment by segment (ET 2100719 "GPL TELNET root login")')
def _():
    from tcpcap import Capture
    cap = Capture()
    t = cap.conv('203.0.113.5', 40000, '192.168.1.20', 23)
    t.handshake()
    t.s(b'\xff\xfd\x18')
    t.c(b'\xff\xfc\x18')
    t.s(b'\r\nlogin: ')
    for ch in b'root':          # typed, echoed by the server
        t.c(bytes([ch]))
        t.s(bytes([ch]))
    t.c(b'\r\n')
    t.s(b'\r\nPassword:')
    t.close()
    u = cap.conv('203.0.113.5', 40001, '192.168.1.20', 23)     # another user
    u.handshake()
    u.s(b'\r\nlogin: ')
    for ch in b'admin':
        u.c(bytes([ch]))
        u.s(bytes([ch]))
    u.close()
    path = os.path.join(TMP, 'telnet-echo.pcap')
    cap.write(path)
    # tshark: no segment holds the text, the server's stream does
    r = subprocess.run(['tshark', '-n', '-r', path, '-Y', 'tcp.srcport == 23 && tcp.len > 0',
                        '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.payload'],
                       capture_output=True, text=True)
    per = {}
    for line in r.stdout.splitlines():
        st, hx = line.split('\t')
        seg = bytes.fromhex(hx.replace(':', ''))
        expect(b'login: root' not in seg, 'a segment holds it: %r' % seg)
        per[st] = per.get(st, b'') + seg
    expect(b'login: root' in per.get('0', b'') and b'login: root' not in per.get('1', b''),
           'tshark streams %s' % per)
    # the rule as ET Open has it
    p = write('telnet.rules', 'alert tcp $HOME_NET 23 -> $EXTERNAL_NET any (msg:"root login"; '
              'flow:from_server,established; content:"login|3a 20|root"; fast_pattern; '
              'sid:1;)\n')
    got = [a['dest_port'] for a in alerts(path, ['--rules', p])]
    expect(got == [40000], 'alerts to client ports %s, want [40000]' % got)


@check('raw stream chunks: a chunk begins where the last one ended, at a position the peer '
       'acknowledged once 2560 bytes or more were (Suricata\'s raw progress), so a content at '
       'offset 4 of a message after such an acknowledgement matches even inside a segment; '
       'acknowledged by less, the chunk runs on and it does not (ET 2024217\'s offset 4 on SMB)')
def _():
    from tcpcap import Capture
    cap = Capture()
    first = b'\x00\x00\x0b\xb4' + b'A' * 2996             # a 3000-byte message
    second = b'\x00\x00\x0b\xb4' + b'MAGIC' + b'B' * 2991  # another, the rule's content at 4
    third = b'\x00\x00\x0b\xb4' + b'C' * 2996
    for port, acked in ((40000, 3000), (40001, 1000)):
        c = cap.conv('192.168.1.10', port, '192.168.1.30', 445)
        c.handshake()
        c.c(first + second)                    # one large (offloaded) segment
        c.s(flags='A', ack=1 + acked)          # the receiver's acknowledgement
        c.c(third)                             # the client's next packet: a chunk?
        c.s(flags='A')                         # all of it
        c.close()
    path = os.path.join(TMP, 'chunk-start.pcap')
    cap.write(path)
    p = write('chunk.rules', 'alert tcp any any -> any 445 (msg:"second message"; '
              'flow:to_server,established; content:"MAGIC"; offset:4; depth:5; sid:1;)\n')
    got = [a['src_port'] for a in alerts(path, ['--rules', p])]
    expect(got == [40000], 'alerts from client ports %s, want [40000]' % got)


finish()
