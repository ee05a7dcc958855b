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
from harness import eve_event  # noqa: E402


FIELDS = ['frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport',
          'tcp.dstport', 'udp.srcport', 'udp.dstport', 'dns.id', 'dns.flags.response', 'dns.qry.name', 'dns.a',
          'http.request.method', 'http.host', 'http.request.uri', 'http.user_agent',
          'http.response.code', 'tls.handshake.type', 'tls.handshake.extensions_server_name',
          'tls.handshake.ja3', 'tls.handshake.ja3_full', 'tls.handshake.version',
          'tls.handshake.extensions.supported_version', 'ssh.protocol',
          'smb.cmd', 'smb.flags.response', 'smb.path', 'smb.file', 'smb2.cmd', 'smb2.flags.response',
          'smb2.tree', 'smb2.filename', 'ssh.kex.hassh', 'ssh.kex.hasshserver',
          'ntp.flags.mode', 'ntp.priv.reqcode', 'ntp.stratum', 'dhcp.id', 'dhcp.option.dhcp',
          'dhcp.option.hostname', 'dhcp.ip.your', 'dhcp.hw.mac_addr', 'smtp.req.command',
          'smtp.req.parameter', 'imf.subject', 'imf.from',
          'mime_multipart.header.content-disposition', 'mime_multipart.header.content-type',
          'rdp.rt_cookie', 'rdp.negReq.requestedProtocols', 'rdp.client.name', 'rdp.client.build',
          'ftp.request.command', 'ftp.request.arg', 'ftp.response.code']
FILTER = ('dns || http || (tcp && tls.handshake.type) || ssh.protocol || ssh.kex.hassh || '
          'ssh.kex.hasshserver || smb || smb2 || ntp || dhcp || smtp || imf || rdp || ftp')


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
                not (proto == 'ssh' and r['ssh.protocol']) and \
                not (proto == 'smb' and has(r, 'smb2')):
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
    return [eve_event(l) for l in r.stdout.splitlines()]


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


TLS_VERSIONS = {0x0300: 'SSLv3', 0x0301: 'TLSv1', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2',
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
    """Banners, and HASSH / HASSH server of the key exchange init."""
    theirs = set()
    for r in rows:
        src = (last(r['ip.src'] or r['ipv6.src']), last(r['tcp.srcport']))
        if r['ssh.protocol']:
            theirs.add(src + (r['ssh.protocol'].split(' ')[0],))
        if r['ssh.kex.hassh']:
            theirs.add(src + ('hassh', r['ssh.kex.hassh']))
        if r['ssh.kex.hasshserver']:
            theirs.add(src + ('hassh', r['ssh.kex.hasshserver']))
    mine = set()
    for e in ev:
        if e.get('event_type') != 'ssh':
            continue
        for side, ip, port in (('client', e['src_ip'], e['src_port']),
                               ('server', e['dest_ip'], e['dest_port'])):
            x = e['ssh'].get(side)
            if x:
                mine.add((ip, str(port), 'SSH-%s-%s' % (x['proto_version'], x['software_version'])))
                if 'hassh' in x:
                    mine.add((ip, str(port), 'hassh', x['hassh']['hash']))
    return theirs, mine


# Command codes by the names Suricata gives them (MS-CIFS 2.2.2.1, MS-SMB2 2.2.1).
SMB2_COMMANDS = ['NEGOTIATE_PROTOCOL', 'SESSION_SETUP', 'SESSION_LOGOFF', 'TREE_CONNECT',
                 'TREE_DISCONNECT', 'CREATE', 'CLOSE', 'FLUSH', 'READ', 'WRITE', 'LOCK', 'IOCTL',
                 'CANCEL', 'KEEPALIVE', 'FIND', 'CHANGE_NOTIFY', 'GET_INFO', 'SET_INFO',
                 'OPLOCK_BREAK']
SMB1_COMMANDS = {
    'CREATE_DIRECTORY': 0x00, 'DELETE_DIRECTORY': 0x01, 'OPEN': 0x02, 'CREATE': 0x03,
    'CLOSE': 0x04, 'FLUSH': 0x05, 'DELETE': 0x06, 'RENAME': 0x07, 'QUERY_INFORMATION': 0x08,
    'SET_INFORMATION': 0x09, 'READ': 0x0a, 'WRITE': 0x0b, 'LOCK_BYTE_RANGE': 0x0c,
    'UNLOCK_BYTE_RANGE': 0x0d, 'CREATE_TEMPORARY': 0x0e, 'CREATE_NEW': 0x0f,
    'CHECK_DIRECTORY': 0x10, 'PROCESS_EXIT': 0x11, 'SEEK': 0x12, 'LOCK_AND_READ': 0x13,
    'WRITE_AND_UNLOCK': 0x14, 'READ_RAW': 0x1a, 'WRITE_RAW': 0x1d, 'SET_INFORMATION2': 0x22,
    'QUERY_INFORMATION2': 0x23, 'LOCKING_ANDX': 0x24, 'TRANS': 0x25, 'TRANS_SECONDARY': 0x26,
    'IOCTL': 0x27, 'ECHO': 0x2b, 'WRITE_AND_CLOSE': 0x2c, 'OPEN_ANDX': 0x2d, 'READ_ANDX': 0x2e,
    'WRITE_ANDX': 0x2f, 'CLOSE_AND_TREE_DISC': 0x31, 'TRANS2': 0x32, 'TRANS2_SECONDARY': 0x33,
    'FIND_CLOSE2': 0x34, 'FIND_NOTIFY_CLOSE': 0x35, 'TREE_CONNECT': 0x70,
    'TREE_DISCONNECT': 0x71, 'NEGOTIATE_PROTOCOL': 0x72, 'SESSION_SETUP_ANDX': 0x73,
    'LOGOFF_ANDX': 0x74, 'TREE_CONNECT_ANDX': 0x75, 'SECURITY_PACKAGE_ANDX': 0x7e,
    'QUERY_INFORMATION_DISK': 0x80, 'SEARCH': 0x81, 'FIND': 0x82, 'FIND_UNIQUE': 0x83,
    'FIND_CLOSE': 0x84, 'NT_TRANS': 0xa0, 'NT_TRANS_SECONDARY': 0xa1, 'NT_CREATE_ANDX': 0xa2,
    'NT_CANCEL': 0xa4, 'NT_RENAME': 0xa5, 'OPEN_PRINT_FILE': 0xc0, 'WRITE_PRINT_FILE': 0xc1,
    'CLOSE_PRINT_FILE': 0xc2, 'GET_PRINT_QUEUE': 0xc3}


def smb_command_code(name):
    ver, _, rest = name.partition('_COMMAND_')
    if rest.startswith('UNKNOWN_'):
        return ver, int(rest[8:], 16)
    if ver == 'SMB2':
        return ver, SMB2_COMMANDS.index(rest)
    return ver, SMB1_COMMANDS[rest]


SMB2_NO_TX = (8, 9, 16, 17)     # READ, WRITE, GET_INFO, SET_INFO


def smb_keys(rows, ev):
    """Per flow: each command seen (SMB2 either side, SMB1 requests), each share connected and
    each file or directory opened by name (requests: tshark also names files
    listed in directory replies). SMB2 READ, WRITE, GET_INFO and SET_INFO
    are left out on both sides: as Suricata 7 we keep no transaction of
    them (reads and writes go to the file they carry, a SET_INFO is logged
    only when it renames or deletes)."""
    theirs, also = set(), set()
    for r in rows:
        if not (has(r, 'smb') or has(r, 'smb2')) or not has(r, 'tcp'):
            continue
        fk = flow_key(last(r['ip.src'] or r['ipv6.src']), last(r['tcp.srcport']),
                      last(r['ip.dst'] or r['ipv6.dst']), last(r['tcp.dstport']))
        req1 = '0' in r['smb.flags.response'].split(',') or 'False' in r['smb.flags.response']
        req2 = '0' in r['smb2.flags.response'].split(',') or 'False' in r['smb2.flags.response']
        c1 = [int(c, 0) for c in r['smb.cmd'].split(',') if c]
        c2 = [int(c, 0) for c in r['smb2.cmd'].split(',') if c]
        for c in c1:
            # SMB1 commands of requests must be ours; of responses they may
            # be (a response without its request is no transaction of
            # Suricata's SMB1 parser: smb1-03-midstream)
            if c != 0xff:               # "no further AndX command"
                (theirs if req1 else also).add((fk, 'SMB1', c))
        for c in c2:
            if c not in SMB2_NO_TX:
                theirs.add((fk, 'SMB2', c))
        if req1 and 0x75 in c1 and r['smb.path']:
            theirs.add((fk, 'share', r['smb.path'].split(',')[0]))
        if req1 and 0xa2 in c1 and r['smb.file']:
            theirs.add((fk, 'file', r['smb.file'].split(',')[0]))
        if req2 and 3 in c2 and r['smb2.tree']:
            theirs.add((fk, 'share', r['smb2.tree'].split(',')[0]))
        if req2 and 5 in c2 and r['smb2.filename']:
            for n in r['smb2.filename'].split(','):
                theirs.add((fk, 'file', n))
    mine = set()
    for e in ev:
        if e.get('event_type') != 'smb':
            continue
        fk = flow_key(e['src_ip'], e['src_port'], e['dest_ip'], e['dest_port'])
        x = e['smb']
        code = smb_command_code(x['command'])
        if not (code[0] == 'SMB2' and code[1] in SMB2_NO_TX):
            mine.add((fk,) + code)
        share = x.get('share', x.get('named_pipe'))
        if share:
            mine.add((fk, 'share', share))
        name = x.get('filename') or x.get('directory')
        if name and name != '<share_root>' and \
                x['command'] in ('SMB2_COMMAND_CREATE', 'SMB1_COMMAND_NT_CREATE_ANDX'):
            mine.add((fk, 'file', name))
    return theirs, mine, also


def udp_src(r):
    return last(r['ip.src'] or r['ipv6.src']), last(r['udp.srcport'])


def ntp_keys(rows, ev):
    """Per datagram sender: mode, mode 7 request code, stratum (modes 1-5)."""
    theirs = set()
    for r in rows:
        if has(r, 'ntp') and r['ntp.flags.mode']:
            mode = int(r['ntp.flags.mode'].split(',')[0])
            theirs.add(udp_src(r) + (mode, r['ntp.priv.reqcode'].split(',')[0] if mode == 7 else '',
                                     r['ntp.stratum'].split(',')[0] if mode <= 5 else ''))
    mine = set()
    for e in ev:
        if e.get('event_type') != 'ntp':
            continue
        n, m = e['ntp'], e['mimamori']['ntp']
        mine.add((e['src_ip'], str(e['src_port']), n['mode'],
                  str(m.get('request_code', '')) if n['mode'] == 7 else '',
                  str(n.get('stratum', '')) if n['mode'] <= 5 else ''))
    return theirs, mine


DHCP_TYPES = [None, 'discover', 'offer', 'request', 'decline', 'ack', 'nak', 'release', 'inform']


def dhcp_keys(rows, ev):
    """Per message: sender, transaction id, message type, MAC, assigned
    address, host name."""
    theirs = set()
    for r in rows:
        if has(r, 'dhcp') and r['dhcp.id']:
            t = r['dhcp.option.dhcp'].split(',')[0]
            theirs.add(udp_src(r) + (int(r['dhcp.id'].split(',')[0], 16),
                                     DHCP_TYPES[int(t)] if t and int(t) < 9 else '',
                                     r['dhcp.hw.mac_addr'].split(',')[0], r['dhcp.ip.your'],
                                     r['dhcp.option.hostname']))
    mine = set()
    for e in ev:
        if e.get('event_type') != 'dhcp':
            continue
        d = e['dhcp']
        mine.add((e['src_ip'], str(e['src_port']), d['id'], d.get('dhcp_type', ''),
                  d.get('client_mac', ''), d.get('assigned_ip', ''), d.get('hostname', '')))
    return theirs, mine


def angle(x):
    m = re.search(r'<[^>]*>', x)
    return m.group(0) if m else x.strip()


def smtp_keys(rows, ev):
    """Per flow: MAIL FROM and RCPT TO addresses, and of each message the
    Subject, From and the file names of its MIME parts."""
    theirs = set()
    for r in rows:
        if not has(r, 'tcp') or not has(r, 'smtp'):
            continue
        fk = flow_key(last(r['ip.src'] or r['ipv6.src']), last(r['tcp.srcport']),
                      last(r['ip.dst'] or r['ipv6.dst']), last(r['tcp.dstport']))
        cmds = r['smtp.req.command'].split(',') if r['smtp.req.command'] else []
        params = r['smtp.req.parameter'].split(',') if r['smtp.req.parameter'] else []
        for c, p in zip(cmds, params):
            if c.upper() == 'MAIL' and p.upper().startswith('FROM:'):
                theirs.add((fk, 'mail_from', angle(p[5:])))
            elif c.upper() == 'RCPT' and p.upper().startswith('TO:'):
                theirs.add((fk, 'rcpt', angle(p[3:])))
        if has(r, 'imf'):
            if r['imf.subject']:
                theirs.add((fk, 'subject', r['imf.subject']))
            if r['imf.from']:
                theirs.add((fk, 'from', r['imf.from'].split(',')[0]))
            for h in (r['mime_multipart.header.content-disposition'] + ',' +
                      r['mime_multipart.header.content-type']).split(','):
                m = re.search(r'(?:^|;)(?:file)?name="?([^";]+)', h)
                if m:
                    theirs.add((fk, 'file', m.group(1)))
    mine = set()
    for e in ev:
        if e.get('event_type') != 'smtp':
            continue
        fk = flow_key(e['src_ip'], e['src_port'], e['dest_ip'], e['dest_port'])
        x, m = e['smtp'], e.get('email', {})
        if x.get('mail_from'):
            mine.add((fk, 'mail_from', x['mail_from']))
        for rc in x.get('rcpt_to', []):
            mine.add((fk, 'rcpt', rc))
        if m.get('subject'):
            mine.add((fk, 'subject', m['subject']))
        if m.get('from'):
            mine.add((fk, 'from', m['from']))
        for a in m.get('attachment', []):
            mine.add((fk, 'file', a))
    return theirs, mine


RDP_PROTOCOLS = {'rdp': 0, 'tls': 1, 'hybrid': 2, 'rdstls': 4, 'hybrid_ex': 8}


def rdp_keys(rows, ev):
    """Per flow: the mstshash cookie, the protocols asked for, the client's
    name and build from its core data."""
    theirs = set()
    for r in rows:
        # the client's core data is dissected under t124 (GCC)
        if not (has(r, 'rdp') or has(r, 't124')) or not has(r, 'tcp'):
            continue
        fk = flow_key(last(r['ip.src'] or r['ipv6.src']), last(r['tcp.srcport']),
                      last(r['ip.dst'] or r['ipv6.dst']), last(r['tcp.dstport']))
        if r['rdp.rt_cookie'].startswith('Cookie: mstshash='):
            theirs.add((fk, 'cookie', r['rdp.rt_cookie'][17:]))
        if r['rdp.negReq.requestedProtocols']:
            theirs.add((fk, 'req', int(r['rdp.negReq.requestedProtocols'], 16)))
        if r['rdp.client.name']:
            theirs.add((fk, 'client', r['rdp.client.name'], r['rdp.client.build']))
    mine = set()
    for e in ev:
        if e.get('event_type') != 'rdp':
            continue
        fk = flow_key(e['src_ip'], e['src_port'], e['dest_ip'], e['dest_port'])
        x = e['rdp']
        if 'cookie' in x:
            mine.add((fk, 'cookie', x['cookie']))
        req = e['mimamori'].get('rdp', {}).get('requested_protocols')
        if req is not None:
            mine.add((fk, 'req', sum(RDP_PROTOCOLS[p] for p in req)))
        if 'client' in x:
            mine.add((fk, 'client', x['client'].get('client_name', ''),
                      str(e['mimamori'].get('rdp', {}).get('client_build', ''))))
    return theirs, mine


def ftp_keys(rows, ev):
    """Per flow: each command with its argument, each reply code (the
    greeting's too: a transaction without a command, as Suricata 7 logs it,
    suricata-verify output-eve-ftp)."""
    theirs = set()
    for r in rows:
        if not has(r, 'ftp') or not has(r, 'tcp'):
            continue
        fk = flow_key(last(r['ip.src'] or r['ipv6.src']), last(r['tcp.srcport']),
                      last(r['ip.dst'] or r['ipv6.dst']), last(r['tcp.dstport']))
        if r['ftp.request.command']:
            theirs.add((fk, 'cmd', r['ftp.request.command'].upper(), r['ftp.request.arg']))
        for c in r['ftp.response.code'].split(','):
            if c:
                theirs.add((fk, 'code', c))
    mine = set()
    for e in ev:
        if e.get('event_type') != 'ftp':
            continue
        fk = flow_key(e['src_ip'], e['src_port'], e['dest_ip'], e['dest_port'])
        x = e['ftp']
        if 'command' in x:
            mine.add((fk, 'cmd', x['command'], x.get('command_data', '')))
        for c in x.get('completion_code', []):
            mine.add((fk, 'code', c))
    return theirs, mine


PROTOCOLS = {'dns': dns_keys, 'http': http_keys, 'tls': tls_keys, 'ssh': ssh_keys,
             'smb': smb_keys, 'ntp': ntp_keys, 'dhcp': dhcp_keys, 'smtp': smtp_keys,
             'rdp': rdp_keys, 'ftp': ftp_keys}


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
            got = fn(rows, ev)
            # a third set: what tshark saw that we may log or not (judged
            # for precision only)
            theirs, mine, also = got if len(got) == 3 else got + (set(),)
            # Precision is judged on flows tshark also classifies as this
            # protocol: where tshark does not recognise it at all (a protocol
            # on a port its heuristics skip), it cannot judge our values.
            tf = tshark_flows(rows, name)
            seen_ev = [e for e in ev if e.get('event_type') != name or
                       flow_key(e['src_ip'], e.get('src_port', 0), e['dest_ip'],
                                e.get('dest_port', 0)) in tf]
            mine_judged = fn(rows, seen_ev)[1]
            unjudged = len(mine) - len(mine_judged)
            missing, extra = theirs - mine, mine_judged - theirs - also
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
