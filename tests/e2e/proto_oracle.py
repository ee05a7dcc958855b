#!/usr/bin/env python3
"""Application-protocol oracle: our protocol events against tshark's
dissection of the same captures.

For each protocol, both sides are reduced to a set of transaction keys
(tshark fields on one side, our EVE events on the other). Per protocol over
all captures: at least 99% of tshark's keys must be in ours, and at most 1%
of ours may be missing from tshark's, counting ours in the flows tshark also
classifies as that protocol (where tshark does not recognise the protocol at
all, e.g. TLS on a port its heuristics skip, it cannot judge; those are
counted and printed apart). Every disagreement is printed.

Usage: proto_oracle.py [--names REGEX] MIMAMORI PATH... ; ends with
'N passed, N failed'. --names keeps the captures whose file name matches
(the nDPI set is judged on its HTTP/TLS/DNS/SMB captures).
Exit 77 (skip) when no capture is found.
"""
import json
import re
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flow_oracle import captures  # noqa: E402


FIELDS = ['frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport',
          'tcp.dstport', 'udp.srcport', 'udp.dstport', 'dns.id', 'dns.flags.response', 'dns.qry.name', 'dns.a',
          'http.request.method', 'http.host', 'http.request.uri', 'http.user_agent',
          'http.response.code', 'tls.handshake.type', 'tls.handshake.extensions_server_name',
          'tls.handshake.ja3', 'tls.handshake.ja3_full', 'tls.handshake.version',
          'tls.handshake.extensions.supported_version', 'ssh.protocol']
FILTER = 'dns || http || (tcp && tls.handshake.type) || ssh.protocol'


def tshark_rows(path):
    """One tshark pass: a dict of fields per matching frame."""
    # tshark 4.0 leaves out-of-order TCP data unreassembled and waits for a
    # whole HTTP body before dissecting a response: both off, so tshark
    # dissects what a capture holds, as a sensor must.
    cmd = ['tshark', '-n', '-r', path, '-o', 'tcp.reassemble_out_of_order:TRUE',
           '-o', 'http.desegment_body:FALSE', '-Y', FILTER, '-T', 'fields', '-E', 'occurrence=a',
           '-E', 'separator=\t', '-E', 'aggregator=,']
    for f in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rows = []
    for l in out.splitlines():
        v = l.split('\t')
        v += [''] * (len(FIELDS) - len(v))
        rows.append(dict(zip(FIELDS, v)))
    return rows


def last(x):
    return x.split(',')[-1] if x else ''


def has(row, proto):
    return proto in row['frame.protocols'].split(':')


def flow_key(a, ap, b, bp):
    x, y = (a, str(ap)), (b, str(bp))
    return (x, y) if x <= y else (y, x)


def tshark_flows(rows, proto):
    """Flows (endpoint pairs) in which tshark dissected proto."""
    out = set()
    for r in rows:
        if not has(r, proto) and not (proto == 'tls' and r['tls.handshake.type']) and \
                not (proto == 'ssh' and r['ssh.protocol']):
            continue
        src, dst = last(r['ip.src'] or r['ipv6.src']), last(r['ip.dst'] or r['ipv6.dst'])
        sp = last(r['tcp.srcport'] or r['udp.srcport'])
        dp = last(r['tcp.dstport'] or r['udp.dstport'])
        if src and dst and sp and dp:
            out.add(flow_key(src, sp, dst, dp))
    return out


def ours(mm, path):
    r = subprocess.run([mm, 'sensor', '-r', path, '--eve', '-', '-q', '--stream-depth', '0'],
                       capture_output=True, text=True)
    return [json.loads(l) for l in r.stdout.splitlines()]


# --- per protocol: (tshark keys, our keys) ---------------------------------

def norm_name(x):
    """Names as tshark prints them: control bytes as \\ooo; a byte that is not
    valid UTF-8 is one U+FFFD for tshark and one \\u00XX for us: '?' for both."""
    out = []
    for c in x:
        o = ord(c)
        if o < 0x20 or o == 0x7f:
            out.append('\\%03o' % o)
        elif o >= 0x80:
            out.append('?')
        else:
            out.append(c.lower())
    # tshark may replace a run of bad bytes with one U+FFFD: runs count as one.
    return re.sub(r'\?+', '?', ''.join(out))


def dns_keys(rows, ev):
    theirs = set()
    for r in rows:
        if not has(r, 'dns') or not r['dns.qry.name']:
            continue
        v = [r['dns.id'].split(',')[0], r['dns.flags.response'].split(',')[0], r['dns.qry.name'],
             r['dns.a']]
        dns_id = int(v[0], 16) if v[0].startswith('0x') else int(v[0])
        resp = v[1] in ('1', 'True')
        theirs.add(('resp' if resp else 'query', dns_id, norm_name(v[2].split(',')[0]),
                    ','.join(sorted(v[3].split(','))) if resp and v[3] else ''))
    mine = set()
    for e in ev:
        if e.get('event_type') != 'dns':
            continue
        d = e['dns']
        if d['type'] == 'query':
            mine.add(('query', d['id'], norm_name(d.get('rrname', '')), ''))
        else:
            a = sorted(x['rdata'] for sec in ('answers', 'authorities', 'additionals')
                       for x in d.get(sec, []) if x['rrtype'] == 'A' and 'rdata' in x)
            mine.add(('resp', d['id'], norm_name(d.get('rrname', '')), ','.join(a)))
    # tshark prints the root name as "<Root>"
    theirs = {t for t in theirs if t[2] != '<root>'}
    mine = {m for m in mine if m[2] != ''}
    return theirs, mine


def strip_port(h):
    if h.startswith('['):
        return h[1:h.index(']')] if ']' in h else h
    return h.rsplit(':', 1)[0] if h.count(':') == 1 else h


def http_keys(rows, ev):
    theirs = set()
    for r in rows:
        if not has(r, 'http'):
            continue
        if r['http.request.method']:
            theirs.add(('req', r['http.request.method'], strip_port(r['http.host']).lower(),
                        r['http.request.uri'], r['http.user_agent']))
        if r['http.response.code']:
            theirs.add(('resp', last(r['ip.dst'] or r['ipv6.dst']), last(r['tcp.dstport']),
                        r['http.response.code'].split(',')[0]))
    mine = set()
    for e in ev:
        if e.get('event_type') != 'http':
            continue
        h = e['http']
        if h.get('http_method'):
            mine.add(('req', h['http_method'], h.get('hostname', '').lower(), h.get('url', ''),
                      h.get('http_user_agent', '')))
        if 'status' in h:
            mine.add(('resp', e['src_ip'], str(e['src_port']), str(h['status'])))
    return theirs, mine


TLS_VERSIONS = {0x0300: 'SSLv3', 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2',
                0x0304: 'TLS 1.3'}


def tls_keys(rows, ev):
    # JA3 is compared where tshark gives its five fields: on hellos without an
    # extensions block tshark writes '769,ciphers,' where the JA3 definition
    # gives '769,ciphers,,,', and it gives none for some malformed hellos.
    no_ja3 = set()
    for r in rows:
        if '1' in r['tls.handshake.type'].split(',') and \
                r['tls.handshake.ja3_full'].split(',,,,')[0].count(',') != 4:
            no_ja3.add((last(r['ip.src'] or r['ipv6.src']), last(r['tcp.srcport'])))
    theirs = set()
    for r in rows:
        if not has(r, 'tcp') or not r['tls.handshake.type']:
            continue
        types = r['tls.handshake.type'].split(',')
        if '1' in types:
            snis = r['tls.handshake.extensions_server_name']
            for sni in (snis.split(',') if snis else ['']):
                cli = (last(r['ip.src'] or r['ipv6.src']), last(r['tcp.srcport']))
                theirs.add(('ch',) + cli + (sni, '' if cli in no_ja3 else
                                            r['tls.handshake.ja3'].split(',')[0]))
        if '2' in types:
            ver = (r['tls.handshake.extensions.supported_version'] or
                   r['tls.handshake.version']).split(',')[0]
            if ver:
                theirs.add(('sh', last(r['ip.dst'] or r['ipv6.dst']), last(r['tcp.dstport']),
                            TLS_VERSIONS.get(int(ver, 16), 'UNDETERMINED')))
    mine = set()
    for e in ev:
        if e.get('event_type') != 'tls':
            continue
        t = e['tls']
        if 'client_handshake' in t:
            cli = (e['src_ip'], str(e['src_port']))
            mine.add(('ch',) + cli + (t.get('sni', ''), '' if cli in no_ja3 else
                                      t.get('ja3', {}).get('hash', '')))
        if 'ja3s' in t:
            mine.add(('sh', e['src_ip'], str(e['src_port']), t.get('version', '')))
    return theirs, mine


def ssh_keys(rows, ev):
    theirs = set()
    for r in rows:
        if r['ssh.protocol']:
            theirs.add((last(r['ip.src'] or r['ipv6.src']), last(r['tcp.srcport']),
                        r['ssh.protocol'].split(' ')[0]))
    mine = set()
    for e in ev:
        if e.get('event_type') != 'ssh':
            continue
        for side, ip, port in (('client', e['src_ip'], e['src_port']),
                               ('server', e['dest_ip'], e['dest_port'])):
            x = e['ssh'].get(side)
            if x:
                mine.add((ip, str(port), 'SSH-%s-%s' % (x['proto_version'], x['software_version'])))
    return theirs, mine


PROTOCOLS = {'dns': dns_keys, 'http': http_keys, 'tls': tls_keys, 'ssh': ssh_keys}


def main():
    args = sys.argv[1:]
    names = None
    if len(args) >= 2 and args[0] == '--names':
        names = re.compile(args[1], re.I)
        args = args[2:]
    if len(args) < 2:
        print(__doc__)
        return 2
    mm = args[0]
    files = captures(args[1:])
    if names:
        files = [f for f in files if names.search(os.path.basename(f))]
    if not files:
        print('SKIP: no captures')
        return 77
    total = {p: [0, 0, 0, 0, 0] for p in PROTOCOLS}   # theirs, found, mine, extra, unjudged
    for f in files:
        ev = ours(mm, f)
        rows = tshark_rows(f)
        for name, fn in PROTOCOLS.items():
            theirs, mine = fn(rows, ev)
            # Precision is judged on flows tshark also classifies as this
            # protocol: where tshark does not recognise it at all (a protocol
            # on a port its heuristics skip), it cannot judge our values.
            tf = tshark_flows(rows, name)
            seen_ev = [e for e in ev if e.get('event_type') != name or
                       flow_key(e['src_ip'], e.get('src_port', 0), e['dest_ip'],
                                e.get('dest_port', 0)) in tf]
            _, mine_judged = fn(rows, seen_ev)
            unjudged = len(mine) - len(mine_judged)
            missing, extra = theirs - mine, mine_judged - theirs
            total[name][4] += unjudged
            t = total[name]
            t[0] += len(theirs)
            t[1] += len(theirs) - len(missing)
            t[2] += len(mine_judged)
            t[3] += len(extra)
            for m in sorted(missing)[:5]:
                print('  %s %s: tshark only: %s' % (name, os.path.basename(f), m))
            for m in sorted(extra)[:5]:
                print('  %s %s: ours only:   %s' % (name, os.path.basename(f), m))
    passed = failed = 0
    for name, (theirs, found, mine, extra, unjudged) in total.items():
        ok = (theirs == 0 or found >= 0.99 * theirs) and (mine == 0 or extra <= 0.01 * mine)
        print('%s %s: tshark %d, found %d (%.1f%%); ours %d, not in tshark %d; '
              'ours in flows tshark does not classify as %s: %d' % (
                  'ok  ' if ok else 'FAIL', name, theirs, found,
                  100.0 * found / theirs if theirs else 100, mine, extra, name, unjudged))
        if ok:
            passed += 1
        else:
            failed += 1
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
