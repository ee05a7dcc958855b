#!/usr/bin/env python3
"""Files carried by protocols: our fileinfo MD5s against the objects tshark
exports from the same captures (tshark --export-objects: HTTP bodies,
de-chunked and decompressed; FTP data transfers; mail messages, whose
attachments Python's email package decodes; SMB files read or written).
Named pipes are not files for us (tshark exports what is written to and
read from them): objects in captures' pipe names are left out.

Per protocol over all captures: at least 99% of tshark's non-empty objects
have their MD5 among our complete (CLOSED) files of that protocol, and at
most 1% of ours are unknown to tshark. An empty body is not a file for us
(tshark exports it): those are left out. Every disagreement is printed.

Usage: file_oracle.py [--paths REGEX] MIMAMORI PATH... ; ends with
'N passed, N failed'. --paths keeps the captures whose path matches.
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
KINDS = {'http': 'http', 'ftp-data': 'ftp-data', 'imf': 'smtp', 'smb': 'smb'}
EMPTY = hashlib.md5(b'').hexdigest()
# DCERPC named pipes (IPC$): tshark exports their traffic as objects
PIPES = {'srvsvc', 'wkssvc', 'samr', 'lsarpc', 'netlogon', 'spoolss', 'winreg', 'svcctl',
         'atsvc', 'browser', 'epmapper', 'eventlog', 'ntsvcs'}


def attachments(raw):
    """MD5s of a message's named parts, decoded by Python's email package
    (an attached message/rfc822 has no byte-exact form there: left out)."""
    import email
    from email import policy
    out, skip = set(), set()
    for part in email.message_from_bytes(raw, policy=policy.default).walk():
        if not part.get_filename():
            continue
        if part.get_content_type() == 'message/rfc822':
            skip.add(part.get_filename())
        elif not part.is_multipart():
            out.add(hashlib.md5(part.get_payload(decode=True) or b'').hexdigest())
    return out, skip


def exported(cap, kind):
    d = tempfile.mkdtemp()
    skip = set()
    try:
        subprocess.run(['tshark', '-n', '-r', cap, '-o', 'tcp.reassemble_out_of_order:TRUE',
                        '--export-objects', '%s,%s' % (kind, d)], capture_output=True)
        out = set()
        for f in os.listdir(d):
            raw = open(os.path.join(d, f), 'rb').read()
            if kind == 'smb' and f.lower().replace('%5c', '').split('(')[0] in PIPES:
                continue
            if kind == 'imf':
                o, sk = attachments(raw)
                out |= o
                skip |= sk
                continue
            m = hashlib.md5(raw).hexdigest()
            if m != EMPTY:
                out.add(m)
        return out, skip
    finally:
        shutil.rmtree(d)


def main():
    args = sys.argv[1:]
    keep = None
    if len(args) >= 2 and args[0] == '--paths':
        import re
        keep = re.compile(args[1], re.I)
        args = args[2:]
    if len(args) < 2:
        print(__doc__)
        return 2
    mm = args[0]
    files = captures(args[1:])
    if keep:
        files = [f for f in files if keep.search(f)]
    if not files:
        print('SKIP: no captures')
        return 77
    tot = {k: [0, 0, 0, 0] for k in KINDS}
    for cap in files:
        r = subprocess.run([mm, 'sensor', '-r', cap, '--eve', '-', '-q', '--file-hashes', 'md5',
                            '--stream-depth', '0'], capture_output=True, text=True)
        ev = [json.loads(l) for l in r.stdout.splitlines()]
        for kind, ap in KINDS.items():
            theirs, skip = exported(cap, kind)
            mine = {e['fileinfo']['md5'] for e in ev if e.get('event_type') == 'fileinfo' and
                    e.get('app_proto') == ap and 'md5' in e['fileinfo'] and
                    e['fileinfo']['state'] == 'CLOSED' and e['fileinfo']['filename'] not in skip}
            t = tot[kind]
            t[0] += len(theirs)
            t[1] += len(theirs & mine)
            t[2] += len(mine)
            t[3] += len(mine - theirs)
            for m in sorted(theirs - mine)[:5]:
                print('  %s %s: tshark only: %s' % (kind, os.path.relpath(cap), m))
            for m in sorted(mine - theirs)[:5]:
                print('  %s %s: ours only:   %s' % (kind, os.path.relpath(cap), m))
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
