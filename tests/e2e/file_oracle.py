#!/usr/bin/env python3
"""Files carried by protocols: our fileinfo MD5s against the objects tshark
exports from the same captures (tshark --export-objects: HTTP bodies,
de-chunked and decompressed; FTP data transfers).

Per protocol over all captures: at least 99% of tshark's non-empty objects
have their MD5 among our complete (CLOSED) files of that protocol, and at
most 1% of ours are unknown to tshark. An empty body is not a file for us
(tshark exports it): those are left out. Every disagreement is printed.

Usage: file_oracle.py MIMAMORI PATH... ; ends with 'N passed, N failed'.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flow_oracle import captures  # noqa: E402

# tshark export-objects name -> our app_proto of the fileinfo event
KINDS = {'http': 'http', 'ftp-data': 'ftp-data'}
EMPTY = hashlib.md5(b'').hexdigest()


def exported(cap, kind):
    d = tempfile.mkdtemp()
    try:
        subprocess.run(['tshark', '-n', '-r', cap, '-o', 'tcp.reassemble_out_of_order:TRUE',
                        '--export-objects', '%s,%s' % (kind, d)], capture_output=True)
        out = set()
        for f in os.listdir(d):
            m = hashlib.md5(open(os.path.join(d, f), 'rb').read()).hexdigest()
            if m != EMPTY:
                out.add(m)
        return out
    finally:
        shutil.rmtree(d)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    mm = sys.argv[1]
    files = captures(sys.argv[2:])
    if not files:
        print('SKIP: no captures')
        return 77
    tot = {k: [0, 0, 0, 0] for k in KINDS}
    for cap in files:
        r = subprocess.run([mm, 'sensor', '-r', cap, '--eve', '-', '-q'], capture_output=True,
                           text=True)
        ev = [json.loads(l) for l in r.stdout.splitlines()]
        for kind, ap in KINDS.items():
            theirs = exported(cap, kind)
            mine = {e['fileinfo']['md5'] for e in ev if e.get('event_type') == 'fileinfo' and
                    e.get('app_proto') == ap and 'md5' in e['fileinfo']}
            t = tot[kind]
            t[0] += len(theirs)
            t[1] += len(theirs & mine)
            t[2] += len(mine)
            t[3] += len(mine - theirs)
            for m in sorted(theirs - mine)[:5]:
                print('  %s %s: tshark only: %s' % (kind, os.path.basename(cap), m))
            for m in sorted(mine - theirs)[:5]:
                print('  %s %s: ours only:   %s' % (kind, os.path.basename(cap), m))
    passed = failed = 0
    for kind, (n, found, mine, extra) in tot.items():
        ok = (n == 0 or found >= 0.99 * n) and (mine == 0 or extra <= 0.01 * mine)
        print('%s %s: tshark %d files, found %d (%.1f%%); ours %d, unknown to tshark %d' % (
            'ok  ' if ok else 'FAIL', kind, n, found, 100.0 * found / n if n else 100, mine, extra))
        passed += ok
        failed += not ok
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
