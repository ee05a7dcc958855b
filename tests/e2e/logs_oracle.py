#!/usr/bin/env python3
"""Our log records against CrowdSec's own expected parses.

CrowdSec's hub tests (../shared/corpus/logs/*/crowdsec__*/) hold a log file
and parser.assert: for each line its parsers took, the fields they read
(`results["s01-parse"]["parser"][i].Evt.Parsed["src_ip"] == "..."`). For
every line a parser took successfully, our record of the same line (found by
the message text CrowdSec quotes) must exist and agree on every field both
sides have, after mapping CrowdSec's names to ours:

    src_ip, sshd_client_ip, remote_addr, clientip -> src_ip
    dst_ip -> dest_ip,  src_port / remote_port -> src_port,  dst_port -> dest_port
    proto -> proto (case-insensitive)
    action (pf, Proxmox: block/drop/reject -> blocked, pass/accept -> allowed)
    sshd_invalid_user -> auth.user
    verb -> http.http_method, request -> http.url, status / response -> http.status,
    body_bytes_sent / bytes -> http.length (a "-" or 0 from CrowdSec: absent or 0),
    http_user_agent -> http.http_user_agent, http_referer / referrer -> http.http_refer

Lines whose parse yields none of these fields (status lines), and web
servers' error-log lines (CrowdSec gives them a loglevel), are not required
to give a record. Prints one line per disagreement and a total;
exits 1 when anything disagrees or nothing was compared.

Second, the Wazuh and OSSEC rule tests (*.ini beside their samples): each
test's lines and the decoder that must take them. Our reading of those
lines must find the format the decoder stands for (cisco-asa, pix: asa;
sshd; squid-accesslog: squid; named: bind; dnsmasq; dhcpd;
postfix-reject: postfix; web-accesslog and nginx-errorlog: weblog;
web-accesslog-iis*: w3c), and every record must be of that format.

usage: logs_oracle.py MIMAMORI CORPUS_LOGS_DIR
"""
import json
import os
import re
import glob
import subprocess
import sys
import tempfile

FIELD = re.compile(r'^results\["s01-parse"\]\["([^"]+)"\]\[(\d+)\]\.(Success == (true|false)|'
                   r'Evt\.Parsed\["([^"]+)"\] == (".*"))$')

MAP = {
    'src_ip': 'src_ip', 'sshd_client_ip': 'src_ip', 'remote_addr': 'src_ip', 'clientip': 'src_ip',
    'dst_ip': 'dest_ip', 'src_port': 'src_port', 'remote_port': 'src_port',
    'dst_port': 'dest_port', 'proto': 'proto', 'action': 'firewall.action',
    'sshd_invalid_user': 'auth.user',
    'verb': 'http.http_method', 'request': 'http.url', 'status': 'http.status',
    'response': 'http.status', 'body_bytes_sent': 'http.length', 'bytes': 'http.length',
    'http_user_agent': 'http.http_user_agent', 'http_referer': 'http.http_refer',
    'referrer': 'http.http_refer',
}
ACTION = {'block': 'blocked', 'drop': 'blocked', 'reject': 'blocked', 'deny': 'blocked',
          'pass': 'allowed', 'accept': 'allowed', 'allow': 'allowed'}
# parsers whose "action" is not a firewall verdict
NO_ACTION = ('postfix',)


def get(obj, path):
    for part in path.split('.'):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def expected(parser, key, val):
    """(our path, normalised expected value) or None when not compared."""
    if key not in MAP:
        return None
    if key == 'action':
        if any(p in parser for p in NO_ACTION):
            return None
        a = ACTION.get(val.lower())
        return (MAP[key], a) if a else None
    if key == 'proto':
        return (MAP[key], val.upper().replace('ICMPV6', 'IPV6-ICMP'))
    if key in ('http_referer', 'referrer', 'http_user_agent') and val in ('-', ''):
        return (MAP[key], None)
    if key in ('body_bytes_sent', 'bytes') and val in ('-', ''):
        return (MAP[key], None)
    return (MAP[key], val)


def load_assert(path):
    by = {}
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            m = FIELD.match(line.strip())
            if not m:
                continue
            parser, idx = m.group(1), int(m.group(2))
            e = by.setdefault((parser, idx), {'ok': None, 'f': {}})
            if m.group(4):
                e['ok'] = m.group(4) == 'true'
            else:
                try:
                    e['f'][m.group(5)] = json.loads(m.group(6))
                except ValueError:
                    pass
    return by


def ours(binary, logfile):
    r = subprocess.run([binary, 'logs', 'parse', '--tz', 'UTC', '-q', logfile],
                       capture_output=True, text=True, timeout=120)
    recs = {}
    for x in r.stdout.splitlines():
        rec = json.loads(x)
        recs.setdefault(rec['log']['line'], []).append(rec)
    return recs


DECODERS = {'cisco-asa': 'asa', 'pix': 'asa', 'sshd': 'sshd', 'squid-accesslog': 'squid',
            'named': 'bind', 'dnsmasq': 'dnsmasq', 'dhcpd': 'dhcpd',
            'postfix-reject': 'postfix', 'web-accesslog': 'weblog',
            'nginx-errorlog': 'weblog', 'web-accesslog-iis-default': 'w3c',
            'web-accesslog-iis6': 'w3c'}


def ini_tests(path):
    """[(decoder, [lines])] of a Wazuh/OSSEC rule-test file."""
    out, lines = [], []
    for raw in open(path, encoding='utf-8', errors='replace'):
        raw = raw.rstrip('\n')
        m = re.match(r'^log \d+ pass = (.*)$', raw)
        if m:
            lines.append(m.group(1))
            continue
        m = re.match(r'^decoder\s*=\s*(\S*)\s*$', raw)
        if m:
            if lines and m.group(1):
                out.append((m.group(1), lines))
            lines = []
        elif raw.startswith('['):
            lines = []
    return out


def decoders(binary, root, tmp):
    """(agreed, compared, problems) over the .ini tests."""
    agreed = compared = 0
    problems = []
    for d in sorted(os.listdir(root)):
        for ini in sorted(glob.glob(os.path.join(root, d, '*.ini'))):
            for dec, lines in ini_tests(ini):
                want = DECODERS.get(dec)
                if not want:
                    continue
                p = os.path.join(tmp, 'ini.log')
                with open(p, 'w', encoding='utf-8') as f:
                    f.write('\n'.join(lines) + '\n')
                r = subprocess.run([binary, 'logs', 'parse', '--tz', 'UTC', p],
                                   capture_output=True, text=True, timeout=60)
                m = re.search(r': (\S+): \d+ lines', r.stderr)
                got = m.group(1) if m else None
                recs = [json.loads(x)['log']['format'] for x in r.stdout.splitlines() if x]
                compared += 1
                where = f'{os.path.relpath(ini, root)} ({dec}: {lines[0][:60]})'
                if got != want:
                    problems.append(f'{where}: detected {got}, decoder says {want}')
                elif any(f != want for f in recs):
                    problems.append(f'{where}: records of {set(recs)}')
                else:
                    agreed += 1
    return agreed, compared, problems


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, root = sys.argv[1], sys.argv[2]
    if not os.path.isdir(root):
        print(f'SKIP: {root} absent (the shared corpus is not beside the project)')
        return 77
    compared = agreed = 0
    problems = []
    for d in sorted(os.listdir(root)):
        for sub in sorted(os.listdir(os.path.join(root, d))):
            t = os.path.join(root, d, sub)
            pa = os.path.join(t, 'parser.assert')
            if not sub.startswith('crowdsec__') or not os.path.isfile(pa):
                continue
            logs = [os.path.join(t, x) for x in os.listdir(t) if x.endswith('.log')]
            if len(logs) != 1:
                continue
            with open(logs[0], encoding='utf-8', errors='replace') as f:
                lines = f.read().split('\n')
            recs = ours(binary, logs[0])
            for (parser, idx), e in sorted(load_assert(pa).items()):
                if not e['ok']:
                    continue
                want = [x for x in (expected(parser, k, v) for k, v in e['f'].items()) if x]
                if not want or 'loglevel' in e['f']:
                    continue   # nothing to compare, or a web server's error log line
                msg = e['f'].get('message')
                if not msg:
                    continue
                lineno = next((i + 1 for i, ln in enumerate(lines) if msg in ln), None)
                if lineno is None:
                    continue
                cand = recs.get(lineno, [])
                where = f'{os.path.relpath(logs[0], root)}:{lineno} ({parser})'
                if not cand:
                    problems.append(f'{where}: no record')
                    compared += 1
                    continue
                rec = cand[0]
                for path, val in want:
                    compared += 1
                    got = get(rec, path)
                    if val is None:
                        ok = got in (None, '', 0)
                    elif path == 'proto':
                        ok = got is not None and str(got).upper() == val
                    else:
                        ok = got is not None and str(got) == val
                    if ok:
                        agreed += 1
                    else:
                        problems.append(f'{where}: {path} = {got!r}, CrowdSec {val!r}')
    with tempfile.TemporaryDirectory() as tmp:
        da, dc, dp = decoders(binary, root, tmp)
    for p in problems + dp:
        print('DIFF', p)
    print(f'crowdsec oracle: {agreed} of {compared} fields agree')
    print(f'wazuh/ossec decoders: {da} of {dc} rule tests read as the decoder\'s format')
    ok = compared and agreed == compared and dc and da == dc
    print(f'{int(compared + dc) - len(problems) - len(dp)} passed, {len(problems) + len(dp)} failed')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
