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
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, expect, finish  # noqa: E402

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
        'alert dcerpc any any -> any any (msg:"proto"; sid:13;)',
        'alert tcp $NOWHERE any -> any any (msg:"var"; sid:14;)',
        'alert tcp any any -> any any (msg:"pcre"; pcre:"/(/"; sid:15;)',
        'alert tcp any any -> any any (msg:"dup"; sid:10;)',
        'alert tcp any any -> any any (msg:"no sid";)',
        '']))
    r = run(['rules', 'check', '-v', p])
    expect(r.returncode == 0, r.stderr)
    expect(summary(r.stdout) == (2, 6), summary(r.stdout))
    for sid, reason in [(12, 'unknown keyword'), (13, "protocol 'dcerpc'"),
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


finish()
