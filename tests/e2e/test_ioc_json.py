#!/usr/bin/env python3
"""JSON indicator files end to end through `mimamori ioc import`: the
sample STIX bundle, MISP events and ThreatFox exports of tests/ioc (counts
worked out from the files by hand, see tests/unit/test_ioc_stix.c), a
STIX round trip (export the set as a bundle, import it again: the same
indicators of every type STIX can hold), and a generated 100 MB MISP
export imported whole (the reader's own memory is bounded: checked in
tests/unit/test_ioc_stix.c; the import's peak RSS is printed here, and
includes the store).

usage: test_ioc_json.py MIMAMORI
"""
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, expect, finish  # noqa: E402

MIM = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'build/mimamori')
HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, '..', 'ioc')
TMP = tempfile.mkdtemp(prefix='mm-iocjson-')


def run(*args):
    r = subprocess.run([MIM, *args], capture_output=True, text=True, timeout=600)
    if r.returncode not in (0, 3):
        raise AssertionError('mimamori %s exited %d: %s' % (' '.join(args), r.returncode,
                                                            r.stderr[-1500:]))
    return r


def counts(text):
    """{file base name: (imported, refused, other, expired)} from import's summary lines."""
    out = {}
    for m in re.finditer(r'^(\S+): (\d+) indicators imported, (\d+) refused, (\d+) other '
                         r'entries, (\d+) expired$', text, re.M):
        out[os.path.basename(m.group(1))] = tuple(int(m.group(i)) for i in range(2, 6))
    return out


def types(db, name):
    r = run('ioc', 'list', '--db', db, '--json')
    for line in r.stdout.splitlines():
        s = json.loads(line) if line.strip() else {}
        if s.get('set') == name:
            return s
    raise AssertionError('set %s not listed: %s' % (name, r.stdout[:500]))


@check('samples')
def _samples():
    db = os.path.join(TMP, 'samples.db')
    want = {
        'stix-bundle.json': (14, 2, 7, 1),
        'misp-event.json': (14, 0, 4, 0),
        'misp-response.json': (2, 0, 0, 0),
        'misp-list.json': (2, 0, 0, 0),
        'misp-attributes.json': (2, 0, 0, 0),
        'threatfox-export.json': (5, 0, 1, 0),
    }
    r = run('ioc', 'import', '--db', db, '--name', 'samples',
            *[os.path.join(SAMPLES, f) for f in want])
    got = counts(r.stdout + r.stderr)
    for f, w in want.items():
        expect(got.get(f) == w, '%s: %s, want %s' % (f, got.get(f), w))
    # every refusal and loosening said with the object's id
    for part in ('indicator--00000002-0000-4000-8000-000000000002: domain-name:value = '
                 "'evil.example.com' AND", 'AND of 2 comparisons: each part kept alone',
                 'indicator--00000006-0000-4000-8000-000000000006: [url:value', 'FOLLOWEDBY of 2',
                 'MISP type "AS"', 'ThreatFox ioc_type "sha3_384_hash"'):
        expect(part in r.stderr, 'not said: %s' % part)


@check('stix round trip')
def _round_trip():
    db = os.path.join(TMP, 'rt.db')
    db2 = os.path.join(TMP, 'rt2.db')
    run('ioc', 'import', '--db', db, '--name', 'a', os.path.join(SAMPLES, 'stix-bundle.json'),
        os.path.join(SAMPLES, 'misp-event.json'))
    out = os.path.join(TMP, 'a.stix.json')
    run('ioc', 'export', '--db', db, '--set', 'a', '--format', 'stix', '--force', '-o', out)
    r = run('ioc', 'import', '--db', db2, '--name', 'a', out)
    got = counts(r.stdout + r.stderr)
    a, b = types(db, 'a'), types(db2, 'a')
    ta = dict(a.get('types', {}))
    ta.pop('ja3', None)     # STIX has no standard JA3 property: not exported
    expect(ta == b.get('types'), 'types %s, back %s' % (ta, b.get('types')))
    expect(got.get('a.stix.json', (0,))[0] == sum(ta.values()),
           'imported back %s' % (got.get('a.stix.json'),))


@check('100 MB MISP export')
def _big_misp():
    path = os.path.join(TMP, 'big.json')
    n = 0
    with open(path, 'w') as f:
        f.write('{"response": [')
        ev = 0
        while f.tell() < 100 << 20:
            f.write('%s{"Event": {"info": "bulk %d", "uuid": "e-%d", "Attribute": [' %
                    (',' if ev else '', ev, ev))
            for i in range(2000):
                f.write('%s{"uuid": "a-%d-%d", "type": "domain", "category": "Network '
                        'activity", "to_ids": true, "comment": "%s", "value": '
                        '"h%d.e%d.example.com"}' % (',' if i else '', ev, i, 'x' * 64, i, ev))
                n += 1
            f.write('], "Tag": [{"name": "tlp:green"}]}}')
            ev += 1
        f.write(']}')
    db = os.path.join(TMP, 'big.db')
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = run('ioc', 'import', '--db', db, '--name', 'big', path)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    got = counts(r.stdout + r.stderr)
    expect(got.get('big.json', (0,))[0] == n, 'imported %s of %d' % (got.get('big.json'), n))
    print('      %d attributes from %d MB, import peak RSS %d MB' %
          (n, os.path.getsize(path) >> 20, max(peak, before) >> 10))
    os.unlink(path)


shutil.rmtree(TMP, ignore_errors=True)
finish()
