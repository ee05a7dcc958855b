#!/usr/bin/env python3
"""`mimamori ioc sweep` end to end, on a tree this test writes. The test is
the oracle: it plants each item an indicator names (a file by its name, a
file by its SHA-256 and one by its MD5 - computed with sha256sum and md5sum -,
an Autoruns export naming a Run-key indicator and carrying an entry's
SHA-256, a reg export file, UTF-16 LE with its BOM, whose Run value runs an
indicator's file and whose keys lie below an indicator's key) among
hundreds of ordinary files, and knows where each is. Indicators are
imported with `mimamori ioc import` (a plain list and a MISP event with
regkey attributes).

  found      every planted item is found where it was planted, with the
             field it was found in, and nothing else; a file's hit carries
             its SHA-256 (sha256sum's); a link out of the tree to a file
             with an indicator's name is not followed; exit status 0
  ioc-files  the same hits from --ioc FILE (no store)
  table      the table prints one line per hit and a header
  clean      a tree with nothing planted: no hit, exit status 3
  bounds     --max-file-size below the planted file's size: not matched by
             hash, counted as too large; --no-evidence: no evidence hits;
             --exclude a directory and a name pattern: nothing below them
  unreadable a file and a directory nobody else may read, the sweep run
             as nobody (setpriv): counted as unreadable, the rest swept

usage: test_sweep.py MIMAMORI
"""
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, expect, finish  # noqa: E402

MIM = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'build/mimamori')
TMP = tempfile.mkdtemp(prefix='mm-sweep-')
os.chmod(TMP, 0o755)
TREE = os.path.join(TMP, 'evidence')
rng = random.Random(27)

RUN = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run'
RUN_FULL = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run'
HKCU_RUN = 'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run'


def run(*args, ok=(0, 3), **kw):
    r = subprocess.run([MIM, *args], capture_output=True, text=True, timeout=600, **kw)
    if r.returncode not in ok:
        raise AssertionError('mimamori %s exited %d: %s' % (' '.join(args), r.returncode,
                                                            r.stderr[-1500:]))
    return r


def digest(tool, path):
    out = subprocess.run([tool, path], capture_output=True, text=True, check=True).stdout
    return out.split()[0]


def write(rel, data):
    p = os.path.join(TREE, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, 'wb') as f:
        f.write(data)
    return p


def utf16(text):
    return b'\xff\xfe' + text.encode('utf-16-le')


def hexlist(b):
    return ','.join('%02x' % x for x in b)


# ---- the tree ----------------------------------------------------------

# ordinary files: names and contents no indicator has
for i in range(400):
    d = 'files/%02d/%02d' % (rng.randrange(12), rng.randrange(8))
    write('%s/doc%04d.%s' % (d, i, rng.choice(['txt', 'docx', 'xlsx', 'pdf', 'png'])),
          bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))))

planted = []   # (kind, indicator, path, field, line)
# 1. a file by its name (Windows names: any case)
p_name = write('Users/taro/AppData/Roaming/Microsoft/UpdaterSvc.EXE', b'MZ\x90\x00not really')
planted.append(('filename', 'updatersvc.exe', p_name, 'name', None))
# 2. a file by its SHA-256, 3. one by its MD5 (contents random)
p_sha = write('ProgramData/cache/blob.bin', bytes(rng.randrange(256) for _ in range(70000)))
SHA_IND = digest('sha256sum', p_sha)
planted.append(('sha256', SHA_IND, p_sha, 'sha256', None))
p_md5 = write('Windows/Temp/~tmp41.tmp', bytes(rng.randrange(256) for _ in range(1234)))
MD5_IND = digest('md5sum', p_md5)
planted.append(('md5', MD5_IND, p_md5, 'md5', None))
# a link out of the tree to a file an indicator names: not followed
OUTSIDE = os.path.join(TMP, 'outside')
os.makedirs(OUTSIDE)
with open(os.path.join(OUTSIDE, 'stealer.dll'), 'wb') as f:
    f.write(b'outside')
os.symlink(os.path.join(OUTSIDE, 'stealer.dll'), os.path.join(TREE, 'files', 'stealer.dll'))
os.symlink(OUTSIDE, os.path.join(TREE, 'files', 'outside-dir'))

# 4. an Autoruns export (autorunsc -c: UTF-16 LE, every field quoted)
AR_SHA = 'c0ffee' * 10 + 'c0ff'
HDR = ['Time', 'Entry Location', 'Entry', 'Enabled', 'Category', 'Profile', 'Description',
       'Signer', 'Company', 'Image Path', 'Version', 'Launch String', 'MD5', 'SHA-1', 'PESHA-1',
       'PESHA-256', 'SHA-256', 'IMP']


def ar_row(loc, entry, image, launch, sha='', desc=''):
    r = dict.fromkeys(HDR, '')
    r.update({'Time': '20241105-093000', 'Entry Location': loc, 'Entry': entry,
              'Enabled': 'enabled', 'Category': 'Logon', 'Profile': 'System-wide',
              'Description': desc, 'Signer': '(Verified) Microsoft Windows',
              'Image Path': image, 'Launch String': launch, 'SHA-256': sha})
    return [r[h] for h in HDR]


rows = [HDR,
        ar_row(RUN, 'SecurityHealth', 'c:\\windows\\system32\\securityhealthsystray.exe',
               '%windir%\\system32\\SecurityHealthSystray.exe', 'aa' * 32, 'Windows, "Security"'),
        ar_row(RUN, 'SysUpdate', 'c:\\programdata\\sysupd\\sysupd.exe',
               '"C:\\ProgramData\\sysupd\\sysupd.exe" -k', ''),
        ar_row('HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'OneDrive',
               'c:\\users\\taro\\appdata\\local\\microsoft\\onedrive\\onedrive.exe',
               '"C:\\Users\\taro\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /background',
               AR_SHA),
        ar_row('Task Scheduler', '\\Microsoft\\Windows\\Defrag\\ScheduledDefrag',
               'c:\\windows\\system32\\defrag.exe', 'defrag.exe -c -h -o', '')]
csv = '\r\n'.join(','.join('"%s"' % f.replace('"', '""') for f in r) for r in rows) + '\r\n'
p_ar = write('collected/PC-TARO/autoruns.csv', utf16(csv))
# the Run-key indicator is the key and the entry's name: row 3 (line 3)
planted.append(('regkey', RUN_FULL + '\\SysUpdate', p_ar, 'Entry Location', 3))
# the entry's SHA-256 column: row 4
planted.append(('sha256', AR_SHA, p_ar, 'SHA-256', 4))

# 5. a reg export file (UTF-16 LE with its BOM, CRLF, as reg export writes it)
expand = hexlist('%LOCALAPPDATA%\\Temp\\svch0st.exe'.encode('utf-16-le') + b'\0\0')
# wrapped as regedit wraps long data: 25 bytes a line, a trailing backslash
parts = expand.split(',')
wrapped = ',\\\r\n  '.join(','.join(parts[i:i + 25]) for i in range(0, len(parts), 25))
reg_lines = [
    'Windows Registry Editor Version 5.00',
    '',
    '[%s]' % HKCU_RUN,                                                       # 3
    '"Teams"="\\"C:\\\\Users\\\\taro\\\\AppData\\\\Local\\\\Microsoft\\\\Teams\\\\Update.exe\\" '
    '--processStart \\"Teams.exe\\""',                                       # 4
    '"Helper"=hex(2):' + wrapped,                                             # 5
]
reg_text = '\r\n'.join(reg_lines[:5]) + '\r\n'
line = 5 + wrapped.count('\r\n') + 1    # the first line after the wrapped data
more = [
    '"Quoted \\"name\\""="C:\\\\Tools\\\\ok.exe"',
    '',
    '[HKEY_CURRENT_USER\\Software\\EvilCorp\\Loader\\Settings]',
    '"Interval"=dword:0000003c',
    '',
    '[HKEY_CURRENT_USER\\Software\\Microsoft\\Office]',
    '@="16.0"',
]
reg_text += '\r\n'.join(more) + '\r\n'
p_reg = write('collected/PC-TARO/run.reg', utf16(reg_text))
# the Run value's data runs a file an indicator names (line 5); the EvilCorp
# key (line of its section) lies below an indicator's key (told on the key's
# line, not again for each of its values)
planted.append(('filename', 'svch0st.exe', p_reg, 'value data', 5))
planted.append(('regkey', 'HKEY_CURRENT_USER\\Software\\EvilCorp', p_reg, 'key', line + 2))

# ---- the indicators ------------------------------------------------------

IOC_LIST = os.path.join(TMP, 'advisory.txt')
with open(IOC_LIST, 'w') as f:
    f.write('# advisory 2026-12\nUpdaterSvc.exe\nsvch0st.exe\nstealer.dll\n%s\n%s\n%s\n'
            'never-there.exe\n%s\n' % (SHA_IND, MD5_IND, AR_SHA, '0' * 63 + '1'))
MISP = os.path.join(TMP, 'misp.json')
with open(MISP, 'w') as f:
    json.dump({'Event': {'info': 'loader', 'Attribute': [
        {'uuid': '00000000-0000-4000-8000-000000000001', 'type': 'regkey',
         'value': RUN + '\\SysUpdate', 'to_ids': True},
        {'uuid': '00000000-0000-4000-8000-000000000002', 'type': 'regkey|value',
         'value': 'HKCU\\Software\\EvilCorp|C:\\x.exe', 'to_ids': True},
        {'uuid': '00000000-0000-4000-8000-000000000003', 'type': 'regkey',
         'value': 'HKLM\\SOFTWARE\\NotHere', 'to_ids': True}]}}, f)
DB = os.path.join(TMP, 'store.db')
r = run('ioc', 'import', '--db', DB, '--name', 'adv', IOC_LIST, MISP, ok=(0,))


def hits_of(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def key(h):
    return (h['kind'], h['indicator'], h['path'], h['field'], h.get('line'))


def expected():
    return sorted((k, i.lower() if k != 'regkey' else i, p, f, line)
                  for k, i, p, f, line in planted)


def got_keys(hits):
    return sorted((h['kind'], h['indicator'].lower() if h['kind'] != 'regkey' else h['indicator'],
                   h['path'], h['field'], h.get('line')) for h in hits)


SUMMARY = re.compile(r'sweep: (\d+) files .* (\d+) unreadable.* (\d+) hits')


@check('found')
def _found():
    r = run('ioc', 'sweep', '--db', DB, '--set', 'adv', '--format', 'json', TREE)
    expect(r.returncode == 0, 'exit %d' % r.returncode)
    hits = hits_of(r.stdout)
    want, got = expected(), got_keys(hits)
    expect(got == want, 'hits:\n  %s\nwant:\n  %s' % ('\n  '.join(map(str, got)),
                                                      '\n  '.join(map(str, want))))
    for h in hits:
        expect(h.get('set') == 'adv', 'set %s' % h.get('set'))
        if h['evidence'] == 'file':
            expect(h.get('sha256') == digest('sha256sum', h['path']),
                   '%s: sha256 %s' % (h['path'], h.get('sha256')))
        if h['field'] == 'SHA-256':
            expect(h.get('sha256') == AR_SHA, 'entry sha256 %s' % h.get('sha256'))
    files = sum(1 for d, _, fs in os.walk(TREE) for f in fs
                if not os.path.islink(os.path.join(d, f)))
    m = re.search(r'sweep: (\d+) files', r.stderr)
    expect(m and int(m.group(1)) == files, 'files: %s, want %d' % (r.stderr, files))
    expect('1 Autoruns files (4 entries), 1 .reg files (8 keys and values)' in r.stderr,
           r.stderr)
    expect(' 0 malformed lines, 0 bad UTF-16, 0 cut' in r.stderr, r.stderr)


@check('store: --site keeps the hits; the company report lists each planted item among its'
       ' indicator findings, on the swept machine; a second sweep counts, adds no row')
def _store():
    for n in (1, 2):
        r = run('ioc', 'sweep', '--db', DB, '--set', 'adv', '--site', 'acme', '--host', 'pc1',
                '--format', 'json', TREE, ok=(0,))
        expect('%d hits kept for acme' % len(planted) in r.stderr, r.stderr)
        out = os.path.join(TMP, 'report-%d.json' % n)
        run('report', '--db', DB, '--site', 'acme', '--format', 'json', '-o', out, ok=(0,))
        with open(out) as f:
            found = json.load(f)['companies']['acme']['ioc_findings']
        expect(len(found) == len(planted), '%d findings, %d planted: %s' % (
            len(found), len(planted), found))
        for k, ind, path, field, line in planted:
            want = ind if k == 'regkey' else ind.lower()
            ok = [f for f in found if f['seen'].startswith(path) and
                  (f['indicator'] if k == 'regkey' else f['indicator'].lower()) ==
                  '%s [adv]' % want]
            expect(len(ok) == 1, '%s %s: %s' % (k, ind, found))
            expect(ok[0]['host']['ip'] == 'pc1' and ok[0]['count'] == n, 'row %s' % ok[0])


@check('ioc-files')
def _ioc_files():
    r = run('ioc', 'sweep', '--ioc', IOC_LIST, '--ioc', MISP, '--format', 'json', TREE)
    got = got_keys(hits_of(r.stdout))
    expect(got == expected(), 'hits %s' % got)


@check('table')
def _table():
    r = run('ioc', 'sweep', '--db', DB, TREE)
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    expect(len(lines) == len(planted) + 1, '%d lines: %s' % (len(lines), r.stdout))
    expect(lines[0].split()[:3] == ['kind', 'indicator', 'set'], lines[0])
    expect(any(p_name in ln and '(name)' in ln for ln in lines), r.stdout)


@check('clean')
def _clean():
    r = run('ioc', 'sweep', '--db', DB, os.path.join(TREE, 'files'))
    expect(r.returncode == 3, 'exit %d' % r.returncode)
    expect(r.stdout == '', r.stdout)
    expect(' 0 hits' in r.stderr, r.stderr)
    r = run('ioc', 'sweep', '--db', DB, os.path.join(TMP, 'no-such-dir'), ok=(1,))
    expect('no-such-dir' in r.stderr, r.stderr)


@check('bounds')
def _bounds():
    r = run('ioc', 'sweep', '--db', DB, '--format', 'json', '--max-file-size', '65536', TREE)
    got = got_keys(hits_of(r.stdout))
    want = [w for w in expected() if w[2] != p_sha]      # 70,000 bytes: not hashed
    expect(got == want, 'hits %s' % got)
    expect(re.search(r'[1-9]\d* too large to hash', r.stderr), r.stderr)
    r = run('ioc', 'sweep', '--db', DB, '--format', 'json', '--no-evidence', TREE)
    got = got_keys(hits_of(r.stdout))
    want = [w for w in expected() if w[2] not in (p_ar, p_reg)]
    expect(got == want, 'hits %s' % got)
    # --exclude: a directory by name, files by a pattern of their names
    r = run('ioc', 'sweep', '--db', DB, '--format', 'json', '--exclude', 'collected',
            '--exclude', '*.tmp', TREE)
    got = got_keys(hits_of(r.stdout))
    want = [w for w in expected() if w[2] not in (p_ar, p_reg, p_md5)]
    expect(got == want, 'hits %s' % got)
    expect(re.search(r' [1-9]\d* skipped', r.stderr), r.stderr)


@check('unreadable')
def _unreadable():
    if os.geteuid() != 0:
        raise Skip('needs root to run the sweep as another user')
    if not shutil.which('setpriv'):
        raise Skip('setpriv missing')
    base = os.path.join(TMP, 'locked')
    os.makedirs(os.path.join(base, 'secret'))
    os.makedirs(os.path.join(base, 'open'))
    for p in ('open/UpdaterSvc.exe', 'secret/b.txt', 'locked.bin'):
        with open(os.path.join(base, p), 'w') as f:
            f.write('x\n')
    os.chmod(os.path.join(base, 'locked.bin'), 0o000)
    os.chmod(os.path.join(base, 'secret'), 0o000)
    cmd = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', MIM, 'ioc', 'sweep',
           '--ioc', IOC_LIST, '--format', 'json', base]
    os.chmod(IOC_LIST, 0o644)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode not in (0, 3) and 'Permission denied' in r.stderr and MIM in r.stderr:
        raise Skip('the build directory is not readable by nobody')
    expect(r.returncode == 0, 'rc %d: %s' % (r.returncode, r.stderr))
    got = [(h['indicator'], h['path']) for h in hits_of(r.stdout)]
    expect(got == [('UpdaterSvc.exe', os.path.join(base, 'open', 'UpdaterSvc.exe'))],
           'hits %s' % got)
    expect(' 2 unreadable' in r.stderr, r.stderr)
    expect('locked.bin: unreadable' in r.stderr and 'secret: unreadable' in r.stderr, r.stderr)


finish()
if not os.environ.get("MM_KEEP"):
    shutil.rmtree(TMP, ignore_errors=True)
