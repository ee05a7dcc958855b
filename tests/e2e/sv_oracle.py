#!/usr/bin/env python3
"""Suricata-verify as an oracle for our protocol events.

OISF's suricata-verify holds, per test, a capture and the EVE records
Suricata must write for it (test.yaml: filters with a match and a count).
This runs our sensor on each test's capture and checks every filter whose
event_type is one we write (protocol events; alerts are the rule engine's,
issue 5), reading the match as suricata-verify's run.py does (dotted keys,
[n] list indexes, has-key / not-has-key).

Two figures per event type: "values" - filters expecting events for which
we have at least one event with every value matched (and filters expecting
none, for which we have none); "counts" - filters whose exact count we
give as well (Suricata's transaction boundaries, which we follow where we
can). A filter is left out when its test needs a Suricata setting we do not
have (args other than stream depth, a suricata.yaml) or a version before 8.

Usage: sv_oracle.py MIMAMORI SV_TESTS_DIR [--types smb,dns,...]
       [--min-values PCT] [--show N]
Ends with 'N passed, N failed'; exit 77 when the directory is absent.
"""
import glob
import json
import os
import re
import subprocess
import sys

try:
    import yaml
except ImportError:
    yaml = None

DEFAULT_TYPES = ['dns', 'http', 'tls', 'ssh', 'smb', 'ntp', 'dhcp', 'rdp', 'smtp', 'ftp', 'ftp_data']


def get_path(obj, path):
    """run.py's find_value: 'a.b[0].c'; raises KeyError when absent."""
    cur = obj
    for part in path.split('.'):
        m = re.match(r'^(.*?)((\[\d+\])*)$', part)
        name, idx = m.group(1), m.group(2)
        if name:
            if not isinstance(cur, dict) or name not in cur:
                raise KeyError(path)
            cur = cur[name]
        for i in re.findall(r'\[(\d+)\]', idx):
            i = int(i)
            if not isinstance(cur, list) or i >= len(cur):
                raise KeyError(path)
            cur = cur[i]
    return cur


def matches(ev, match):
    for k, want in match.items():
        if k == 'has-key':
            try:
                for w in (want if isinstance(want, list) else [want]):
                    get_path(ev, w)
            except KeyError:
                return False
            continue
        if k == 'not-has-key':
            for w in (want if isinstance(want, list) else [want]):
                try:
                    get_path(ev, w)
                    return False
                except KeyError:
                    pass
            continue
        try:
            got = get_path(ev, k)
        except KeyError:
            return False
        if k.endswith('__len'):
            continue
        if got != want and str(got) != str(want):
            return False
    return True


# The Suricata version whose output we follow, per event type: 8, except
# DNS, logged in the version-2 layout of Suricata 7 (8 writes version 3).
FOLLOW = {'dns': 7}


def version_ok(spec, et=None):
    """Checks that another Suricata version would give are left out."""
    if not isinstance(spec, dict):
        return True
    if isinstance(spec.get('requires'), dict):
        spec = spec['requires']
    ver = FOLLOW.get(et, 8)
    lt = spec.get('lt-version')
    if lt is not None and int(str(lt).split('.')[0]) <= ver:
        return False
    mn = spec.get('min-version')
    if mn is not None and int(str(mn).split('.')[0]) > ver:
        return False
    return True


def usable(test, tdir):
    args = test.get('args') or []
    if isinstance(args, str):
        args = [args]
    for a in args:
        if 'stream.reassembly.depth' not in a and 'app-layer.protocols' not in a:
            return False
    if os.path.exists(os.path.join(tdir, 'suricata.yaml')):
        return False
    # rules that turn logging off ("config: logging disable") are the rule
    # engine's (issue 5)
    rules = os.path.join(tdir, 'test.rules')
    if os.path.exists(rules) and 'config:' in open(rules, errors='replace').read():
        return False
    return True


def capture_of(test, tdir):
    if test.get('pcap'):
        p = os.path.normpath(os.path.join(tdir, test['pcap']))
        return p if os.path.exists(p) else None
    c = sorted(glob.glob(os.path.join(tdir, '*.pcap')) + glob.glob(os.path.join(tdir, '*.pcapng')))
    return c[0] if len(c) == 1 else None


def main():
    args = sys.argv[1:]
    opts = {'--types': ','.join(DEFAULT_TYPES), '--min-values': '0', '--show': '10'}
    pos = []
    while args:
        a = args.pop(0)
        if a in opts:
            opts[a] = args.pop(0)
        else:
            pos.append(a)
    if len(pos) != 2:
        print(__doc__)
        return 2
    mm, root = pos
    if yaml is None:
        print('SKIP: python3-yaml missing')
        return 77
    if not os.path.isdir(root):
        print('SKIP: no suricata-verify tests at %s' % root)
        return 77
    types = opts['--types'].split(',')
    show = int(opts['--show'])
    tot = {t: [0, 0, 0] for t in types}   # filters, values ok, counts ok
    shown = 0
    for ty in sorted(glob.glob(os.path.join(root, '*', 'test.yaml'))):
        tdir = os.path.dirname(ty)
        try:
            test = yaml.safe_load(open(ty)) or {}
        except yaml.YAMLError:
            continue
        checks = []
        for c in test.get('checks') or []:
            flt = c.get('filter') if isinstance(c, dict) else None
            if not flt or not isinstance(flt.get('match'), dict):
                continue
            et = flt['match'].get('event_type')
            if et in types and version_ok(flt, et) and version_ok(test, et) and \
                    flt.get('filename', 'eve.json') == 'eve.json':
                checks.append(flt)
        if not checks or not usable(test, tdir):
            continue
        cap = capture_of(test, tdir)
        if not cap:
            continue
        r = subprocess.run([mm, 'sensor', '-r', cap, '--eve', '-', '-q', '--stream-depth', '0'],
                           capture_output=True, text=True)
        ev = [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{')]
        for flt in checks:
            et = flt['match']['event_type']
            want = int(flt.get('count', 1))
            got = sum(1 for e in ev if matches(e, flt['match']))
            t = tot[et]
            t[0] += 1
            vals = (got > 0) if want > 0 else (got == 0)
            t[1] += vals
            t[2] += got == want
            if not vals and shown < show:
                shown += 1
                print('  %s: %s: want %d, ours %d: %s' % (
                    os.path.basename(tdir), et, want, got,
                    json.dumps(flt['match'], ensure_ascii=False)))
    passed = failed = 0
    need = float(opts['--min-values'])
    for et, (n, v, c) in tot.items():
        if not n:
            continue
        pv = 100.0 * v / n
        ok = pv >= need
        print('%s %s: %d filters; values %d (%.1f%%); exact counts %d (%.1f%%)' % (
            'ok  ' if ok else 'FAIL', et, n, v, pv, c, 100.0 * c / n))
        passed += ok
        failed += not ok
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
