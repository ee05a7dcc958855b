#!/usr/bin/env python3
"""`mimamori watch` end to end, on trees this test writes. The test is the
oracle: it knows every file it wrote, changed, renamed and removed, and the
SHA-256 of each (hashlib), and checks the events against that.

  once       a tree of 3,000 files: `--once` writes one baseline event and
             no alert for ordinary pages; then changes, removals, additions,
             a chmod, a large file, a WebShell planted in the uploads, a
             double extension, a script hidden in an image, a link out of
             the tree: exactly the expected added / changed / removed events
             (read back from the segments with `mimamori segment cat`), the
             alerts of family webshell with their signature ids, and nothing
             at all from a run with no changes
  live       the watcher running: a rename storm, a directory deleted and
             recreated, a WebShell dropped in; the events replayed over the
             test's own model must be consistent (added only what was absent,
             removed only what was there, no event twice) and end at the
             tree as it is
  sigkill    the live watcher killed with SIGKILL once its baseline holds
             the changes, the tree changed while it is down, restarted:
             every change told once, none twice
  unreadable a file and a directory nobody else may read, the watcher run
             as nobody (setpriv): one unreadable event each, not repeated

usage: test_watch.py MIMAMORI
"""
import glob
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, expect, finish  # noqa: E402

MIM = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'build/mimamori')
TMP = tempfile.mkdtemp(prefix='mm-watch-')
MAXF = 1 << 20
RNG = random.Random(27)


def sha(b):
    return hashlib.sha256(b[:MAXF]).hexdigest()


class Tree:
    """A web root and what the test put in it: relative path -> bytes."""

    def __init__(self, root):
        self.root = root
        self.files = {}
        os.makedirs(root, exist_ok=True)

    def write(self, rel, data):
        p = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'wb') as f:
            f.write(data)
        self.files[rel] = data

    def remove(self, rel):
        os.unlink(os.path.join(self.root, rel))
        del self.files[rel]

    def rename(self, a, b):
        os.rename(os.path.join(self.root, a), os.path.join(self.root, b))
        self.files[b] = self.files.pop(a)

    def rmtree(self, d):
        shutil.rmtree(os.path.join(self.root, d))
        for k in [k for k in self.files if k.startswith(d + '/')]:
            del self.files[k]

    def model(self):
        return {k: sha(v) for k, v in self.files.items()}


PAGE = (b'<?php\n/* page %d */\nrequire __DIR__ . "/inc/header.php";\n'
        b'$q = htmlspecialchars($_GET["q"] ?? "");\necho "<h1>$q</h1>";\n?>\n<p>text</p>\n')
SHELL = b'<?php @eval($_POST["pass"]); ?>\n'


def populate(t, n):
    for i in range(n):
        d = 'd%02d/s%d' % (i % 60, i % 3)
        k = i % 4
        if k == 0:
            t.write('%s/page%d.php' % (d, i), PAGE % i)
        elif k == 1:
            t.write('%s/img%d.jpg' % (d, i), b'\xff\xd8\xff\xe0\x00\x10JFIF\x00' +
                    RNG.randbytes(200 + i % 300))
        elif k == 2:
            t.write('%s/doc%d.html' % (d, i), b'<html><p>%d</p></html>\n' % i)
        else:
            t.write('%s/note%d.txt' % (d, i), b'note %d\n' % i)


def watch(*args, **kw):
    return subprocess.run([MIM, 'watch'] + list(args), capture_output=True, **kw)


class Segments:
    """Events of -o DIR, read back with `mimamori segment cat`; new ones
    since the last call."""

    def __init__(self, d):
        self.d = d
        self.seen = set()

    def new(self):
        out = []
        for f in sorted(glob.glob(os.path.join(self.d, '*.eve.json*'))):
            if f in self.seen:
                continue
            self.seen.add(f)
            r = subprocess.run([MIM, 'segment', 'cat', f], capture_output=True, text=True)
            expect(r.returncode == 0, 'segment cat %s: %s' % (f, r.stderr))
            out += [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
        return out


def fims(events):
    return [e['fim'] for e in events if e['event_type'] == 'fim']


def alerts(events):
    return [e for e in events if e['event_type'] == 'alert']


def expected_diff(old, new):
    exp = {}
    for k, v in new.items():
        if k not in old:
            exp[k] = 'added'
        elif old[k] != v:
            exp[k] = 'changed'
    for k in old:
        if k not in new:
            exp[k] = 'removed'
    return exp


WWW = os.path.join(TMP, 'www')
OUT = os.path.join(TMP, 'out')
tree = Tree(WWW)
segs = Segments(OUT)
state = {}


def once():
    r = watch(WWW, '--site', 'acme', '--sensor', 'web1', '-o', OUT, '--once',
              '--max-file-size', '1m', '--exclude', '*.swp')
    expect(r.returncode == 0, 'watch --once: rc %d: %s' % (r.returncode, r.stderr.decode()))
    return segs.new()


@check('once: baseline of 3,000 files')
def _():
    populate(tree, 3000)
    ev = once()
    f = fims(ev)
    expect(len(f) == 1 and f[0]['action'] == 'baseline', 'want one baseline event: %s' % f[:3])
    expect(f[0]['files'] == 3000, 'files %s' % f[0]['files'])
    expect(f[0]['root'] == os.path.realpath(WWW), 'root %s' % f[0]['root'])
    expect(not alerts(ev), 'alerts for ordinary pages: %s' % alerts(ev)[:2])
    expect(all(e['host'] == 'web1' for e in ev), 'host')
    state['m0'] = tree.model()


@check('once: nothing when nothing changed')
def _():
    expect('m0' in state, 'no baseline')
    ev = once()
    expect(ev == [], 'events with no change: %s' % ev[:3])


@check('once: added, changed, removed, chmod, large file, WebShells')
def _():
    expect('m0' in state, 'no baseline')
    old = tree.model()
    names = sorted(tree.files)
    for k in names[0:50]:
        tree.write(k, tree.files[k] + b'<!-- changed -->\n')
    for k in names[50:80]:
        tree.remove(k)
    for i in range(40):
        tree.write('d%02d/new%d.txt' % (i % 7, i), b'new %d\n' % i)
    chmodded = names[100:110]
    for k in chmodded:
        os.chmod(os.path.join(WWW, k), 0o600)
    big = RNG.randbytes(3 * MAXF // 2)
    tree.write('d01/big.bin', big)
    tree.write('wp-content/uploads/2026/12/cache.php', SHELL)
    tree.write('d02/photo.jpg.php', b'<?php echo "x"; ?>')
    tree.write('d03/logo.gif', b'GIF89a;<?php system("id"); ?>')
    tree.write('d04/newpage.php', PAGE % 9999)
    tree.write('d05/edit.swp', b'excluded')
    del tree.files['d05/edit.swp']
    os.symlink('/etc', os.path.join(WWW, 'etc-link'))
    os.symlink('/etc/passwd', os.path.join(WWW, 'passwd'))
    t0 = time.time()
    ev = once()
    state['planted'] = (t0, time.time())       # the WebShell was told between these
    exp = expected_diff(old, tree.model())
    for k in chmodded:
        exp.setdefault(k, 'changed')
    got = {}
    for f in fims(ev):
        expect(f['path'] not in got, 'two events for %s' % f['path'])
        got[f['path']] = f
    expect(set(got) == set(exp), 'paths: missing %s, unexpected %s' % (
        sorted(set(exp) - set(got))[:5], sorted(set(got) - set(exp))[:5]))
    model = tree.model()
    for k, f in got.items():
        expect(f['action'] == exp[k], '%s: %s, want %s' % (k, f['action'], exp[k]))
        if f['action'] != 'removed':
            expect(f['sha256'] == model[k], '%s: sha256' % k)
            expect(f['size'] == len(tree.files[k]), '%s: size' % k)
        if f['action'] in ('changed', 'removed'):
            expect(f['previous']['sha256'] == old[k], '%s: previous sha256' % k)
    for k in chmodded:
        expect(got[k]['changed'] == ['mode'], '%s: changed %s' % (k, got[k]['changed']))
        expect(got[k]['mode'] == '0600', '%s: mode %s' % (k, got[k]['mode']))
    for k in names[0:50]:
        expect('sha256' in got[k]['changed'] and 'size' in got[k]['changed'], k)
    expect(got['d01/big.bin'].get('truncated') is True, 'large file not marked truncated')
    by = {a['fim']['path']: a for a in alerts(ev)}
    want = {'wp-content/uploads/2026/12/cache.php': 8700301, 'd02/photo.jpg.php': 8700302,
            'd03/logo.gif': 8700302, 'd04/newpage.php': 8700300}
    # ordinary pages whose content changed: new content the server runs
    for k in names[0:50]:
        if k.endswith('.php'):
            want[k] = 8700300
    for p, sid in want.items():
        expect(p in by, 'no alert for %s (alerts: %s)' % (p, sorted(by)))
        a = by[p]['alert']
        expect(a['signature_id'] == sid, '%s: sid %s, want %s' % (p, a['signature_id'], sid))
        expect(a['metadata']['family'] == ['webshell'], '%s: family' % p)
        expect(by[p]['fim']['sha256'] == model[p], '%s: alert sha256' % p)
    expect(by['wp-content/uploads/2026/12/cache.php']['alert']['severity'] == 1, 'severity')
    for key in {a['alert']['metadata']['explain'][0] for a in by.values()}:
        for lang in ('ja', 'en'):
            r = subprocess.run([MIM, 'explain', key, '--lang', lang], capture_output=True)
            expect(r.returncode == 0 and r.stdout.strip(), 'no %s text for %s' % (lang, key))
    expect(set(by) == set(want), 'unexpected alerts: %s' % sorted(set(by) - set(want)))
    # and then nothing
    ev = once()
    expect(ev == [], 'events after recording: %s' % ev[:3])


@check('ingest: the segments imported without a bad line; the WebShell alerts are findings'
       ' of the company\'s report, on the watched machine')
def _():
    db = os.path.join(TMP, 'm.db')
    r = subprocess.run([MIM, 'ingest', '--db', db, OUT], capture_output=True, text=True)
    expect(r.returncode == 0 and ' 0 bad lines' in r.stderr + r.stdout, r.stderr + r.stdout)
    out = os.path.join(TMP, 'r.json')
    r = subprocess.run([MIM, 'report', '--db', db, '--site', 'acme', '--format', 'json', '-o',
                        out], capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    with open(out) as f:
        co = json.load(f)['companies']['acme']
    written = alerts(Segments(OUT).new())      # every segment, read again
    fams = {f['family'] for f in co['findings']}
    expect(fams == {'webshell'}, 'families %s' % fams)
    n = sum(f['count'] for f in co['findings'])
    expect(co['alerts'] == n == len(written) >= 4,
           'alerts %d, in findings %d, written %d' % (co['alerts'], n, len(written)))
    expect(all(h['ip'] == 'web1' for f in co['findings'] for h in f['hosts']),
           'hosts %s' % [f['hosts'] for f in co['findings']])
    expect(co['level'] == 1, 'level %s' % co['level'])
    # only an alert of a host goes without addresses: a flow, or an alert
    # without a fim object, still needs both ends
    odd = os.path.join(TMP, 'odd.json')
    with open(odd, 'w') as f:
        ts = '2026-12-07T00:00:00.000000+0000'
        f.write(json.dumps({'timestamp': ts, 'event_type': 'flow', 'fim': {'path': 'x'},
                            'flow': {'pkts_toserver': 1}}) + '\n')
        f.write(json.dumps({'timestamp': ts, 'event_type': 'alert',
                            'alert': {'signature_id': 8700301}}) + '\n')
    r = subprocess.run([MIM, 'ingest', '--db', db, '--site', 'acme', odd], capture_output=True,
                       text=True)
    expect(r.returncode == 0 and ' 2 bad lines' in r.stderr + r.stdout, r.stderr + r.stdout)


def tokyo_minute(t):
    """The report's time text of a UTC epoch second, in Asia/Tokyo (UTC+9,
    no summer time)."""
    return time.strftime('%Y-%m-%d %H:%M', time.gmtime(int(t) + 9 * 3600))


def explain_steps(key, lang):
    r = subprocess.run([MIM, 'explain', key, '--lang', lang], capture_output=True, text=True)
    expect(r.returncode == 0, 'explain %s' % key)
    out = r.stdout.split('\n')
    i = next(k for k, line in enumerate(out) if line.startswith(('What to do', '対処')))
    return [line.strip().split('. ', 1)[1] for line in out[i + 1:] if line.strip()[:1].isdigit()]


@check('report: the company\'s web files, with path, time, what it looks like and what to do'
       ' (JSON in both languages, HTML, PDF), the same after importing the segments again')
def _():
    expect('planted' in state, 'no planted WebShell')
    db = os.path.join(TMP, 'm.db')
    t0, t1 = state['planted']
    shell = 'wp-content/uploads/2026/12/cache.php'
    again = subprocess.run([MIM, 'ingest', '--db', db, OUT], capture_output=True, text=True)
    expect(again.returncode == 0, again.stderr)
    for lang in ('ja', 'en'):
        out = os.path.join(TMP, 'r-%s.json' % lang)
        r = subprocess.run([MIM, 'report', '--db', db, '--site', 'acme', '--format', 'json',
                            '--lang', lang, '-o', out], capture_output=True, text=True)
        expect(r.returncode == 0, r.stderr)
        with open(out) as f:
            wf = json.load(f)['companies']['acme']['web_files']
        files = [x for x in wf['files'] if x['path'] == shell]
        expect(len(files) == 1, '%s: %d rows for the WebShell' % (lang, len(files)))
        x = files[0]
        expect(x['host'] == 'web1' and x['root'] == os.path.realpath(WWW), 'host/root %s' % x)
        expect(x['action'] == 'added' and x['severity'] == 1 and
               x['signature_id'] == 8700301, 'row %s' % x)
        expect(x['sha256'] == hashlib.sha256(SHELL).hexdigest() and x['size'] == len(SHELL),
               'sha256/size %s' % x)
        expect(t0 - 1 <= x['ts_us'] / 1e6 <= t1 + 1,
               'time %s not within the run %.3f..%.3f' % (x['ts_us'], t0, t1))
        expect(x['time'] in {tokyo_minute(t0), tokyo_minute(t1)}, 'time text %s' % x['time'])
        expect(x['what_to_do'] == explain_steps('webshell-content', lang),
               'what to do %s' % x['what_to_do'])
        expect(len(x['reasons']) >= 1, 'reasons %s' % x)
        # the first alerted row is the most severe; every alert a row
        expect(wf['files'][0]['severity'] == 1, 'order %s' % wf['files'][0])
        alerted = [y for y in wf['files'] if 'signature_id' in y]
        expect(len(alerted) == wf['alerts'], 'alerted rows %d, alerts %d' % (len(alerted),
                                                                          wf['alerts']))
    # the counts are those of the once runs (the test's model): added,
    # changed, removed as the fim events said
    written = fims(Segments(OUT).new())
    for a in ('added', 'changed', 'removed'):
        n = sum(1 for f in written if f['action'] == a)
        expect(wf[a] == n, '%s: report %d, segments %d' % (a, wf[a], n))
    html = os.path.join(TMP, 'r.html')
    r = subprocess.run([MIM, 'report', '--db', db, '--site', 'acme', '-o', html],
                       capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    with open(html, encoding='utf-8') as f:
        page = f.read()
    expect(shell in page, 'path not in the HTML report')
    expect(tokyo_minute(t0) in page or tokyo_minute(t1) in page, 'time not in the HTML')
    expect(explain_steps('webshell-content', 'ja')[0] in page, 'steps not in the HTML')
    pdf = os.path.join(TMP, 'r.pdf')
    r = subprocess.run([MIM, 'report', '--db', db, '--site', 'acme', '--format', 'pdf', '-o',
                        pdf], capture_output=True, text=True)
    expect(r.returncode == 0 and os.path.getsize(pdf) > 1000, r.stderr)


def clf_time(t):
    return time.strftime('%d/%b/%Y:%H:%M:%S +0000', time.gmtime(t))


@check('access log beside the files: the WebShell requested (first with a POST), an ordinary'
       ' page posted to after a GET (no finding), administration pages from abroad and from home')
def _():
    expect('planted' in state, 'no planted WebShell')
    db = os.path.join(TMP, 'm.db')
    shell = 'wp-content/uploads/2026/12/cache.php'
    # an ordinary page the test neither added nor changed (names[0:50] of the
    # sorted tree were changed): requested, posted to after a GET, no finding
    page = sorted(k for k in tree.files if k.endswith('.php') and k.startswith('d5'))[-1]
    t = int(state['planted'][1]) + 60           # after the watch saw the file
    geo = subprocess.run([MIM, 'geoip', '8.8.8.8', '133.11.0.1'], capture_output=True,
                         text=True)
    ccs = [line.split('\t')[1] for line in geo.stdout.splitlines() if '\t' in line]
    lines = [
        ('198.51.100.9', 0, 'POST', '/' + shell + '?x=1', 200),
        ('198.51.100.9', 5, 'GET', '/' + shell.replace('/', '//'), 200),
        ('198.51.100.9', 9, 'POST', '/%s' % shell.replace('cache', '%63ache'), 200),
        ('192.0.2.4', 10, 'GET', '/' + page, 200),
        ('192.0.2.4', 11, 'POST', '/' + page, 200),
        ('192.0.2.4', 12, 'POST', '/nothere.php', 404),
        ('8.8.8.8', 20, 'GET', '/wp-login.php', 200),
        ('8.8.8.8', 21, 'POST', '/wp-login.php', 200),
        ('133.11.0.1', 22, 'GET', '/wp-admin/', 302),
        ('192.0.2.4', 30, 'GET', '/../../etc/passwd', 400),
    ]
    log = os.path.join(TMP, 'access.log')
    with open(log, 'w') as f:
        for ip, dt, method, target, status in lines:
            f.write('%s - - [%s] "%s %s HTTP/1.1" %d 120 "-" "curl/8"\n' % (
                ip, clf_time(t + dt), method, target, status))
    r = subprocess.run([MIM, 'ingest', '--db', db, '--site', 'acme', log], capture_output=True,
                       text=True)
    expect(r.returncode == 0, r.stderr)
    state['access_log'] = log
    out = os.path.join(TMP, 'r-web.json')
    r = subprocess.run([MIM, 'report', '--db', db, '--site', 'acme', '--format', 'json', '-o',
                        out], capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    with open(out) as f:
        web = json.load(f)['companies']['acme']['web_files']['web_findings']
    by = {}
    for w in web:
        by.setdefault(w['kind'], []).append(w)
    req = by.get('requested', [])
    expect([w['path'] for w in req] == [shell], 'requested %s' % req)
    expect(req and req[0]['count'] == 3 and req[0]['posts'] == 2, 'counts %s' % req)
    fp = by.get('first_post', [])
    expect([w['path'] for w in fp] == [shell], 'first_post %s' % fp)
    expect(fp and fp[0]['first_us'] == t * 1000000, 'first POST time %s, want %d' % (fp, t))
    if ccs != ['US', 'JP']:
        raise Skip('no GeoIP data: administration pages from abroad not checked (%s)' % ccs)
    ab = by.get('admin_abroad', [])
    expect([(w['path'], w['src_ip'], w['country'], w['count']) for w in ab] ==
           [('wp-login.php', '8.8.8.8', 'US', 2)], 'admin_abroad %s' % ab)
    html = os.path.join(TMP, 'r-web.html')
    r = subprocess.run([MIM, 'report', '--db', db, '--site', 'acme', '--lang', 'en', '-o',
                        html], capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    with open(html, encoding='utf-8') as f:
        text = f.read()
    expect('/' + shell in text and '8.8.8.8' in text and
           'A script whose first request was a POST' in text, 'web findings not in the HTML')



@check('access log of a server that answers any path: at most 100,000 paths kept per company;'
       ' the ones kept still counted, the rest said')
def _():
    import sqlite3
    db = os.path.join(TMP, 'cap.db')
    t = 1796083200                      # 2026-12-01
    cap = 100000
    log = os.path.join(TMP, 'scan.log')
    with open(log, 'w') as f:
        for i in range(cap + 500):      # a scanner's random paths, every one answered
            f.write('203.0.113.5 - - [%s] "GET /r/%x.html HTTP/1.1" 200 10 "-" "scan"\n'
                    % (clf_time(t + i // 100), i * 7919))
    r = subprocess.run([MIM, 'ingest', '--db', db, '--site', 'catchall', log],
                       capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    expect('new paths are not kept' in r.stderr, 'no word of the cap: %s' % r.stderr[-500:])
    with sqlite3.connect(db) as c:
        n = c.execute('SELECT COUNT(*) FROM web_paths').fetchone()[0]
    expect(n == cap, '%d paths kept, the cap is %d' % (n, cap))
    # later: a path it has and one it has not
    log2 = os.path.join(TMP, 'scan2.log')
    with open(log2, 'w') as f:
        f.write('203.0.113.5 - - [%s] "GET /r/%x.html HTTP/1.1" 200 10 "-" "scan"\n'
                % (clf_time(t + 5000), 0))
        f.write('203.0.113.5 - - [%s] "GET /r/new.html HTTP/1.1" 200 10 "-" "scan"\n'
                % clf_time(t + 5001))
    r = subprocess.run([MIM, 'ingest', '--db', db, '--site', 'catchall', log2],
                       capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    with sqlite3.connect(db) as c:
        n2 = c.execute('SELECT COUNT(*) FROM web_paths').fetchone()[0]
        req = c.execute("SELECT requests FROM web_paths WHERE path = 'r/0.html'").fetchone()
        new = c.execute("SELECT COUNT(*) FROM web_paths WHERE path = 'r/new.html'").fetchone()[0]
    expect(n2 == cap and new == 0, '%d paths after, new one kept: %d' % (n2, new))
    expect(req and req[0] == 2, 'the kept path counted %s times, want 2' % req)

def web_files(db):
    r = subprocess.run([MIM, 'report', '--db', db, '--site', 'acme', '--format', 'json'],
                       capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    return json.loads(r.stdout)['companies']['acme']


@check('PostgreSQL (started here): the same web files and access-log findings as SQLite;'
       ' a sweep\'s hit among the indicator findings')
def _():
    expect('access_log' in state, 'no access log imported')
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pgtemp
    url, stop = pgtemp.start_postgres(Skip)
    try:
        for args in ([OUT], ['--site', 'acme', state['access_log']], [OUT]):
            r = subprocess.run([MIM, 'ingest', '--db', url] + args, capture_output=True,
                               text=True)
            expect(r.returncode == 0, r.stderr)
        got, want = web_files(url), web_files(os.path.join(TMP, 'm.db'))
        expect(got['web_files'] == want['web_files'], 'PostgreSQL and SQLite differ: %s' % [
            (k, got['web_files'][k], want['web_files'][k]) for k in want['web_files']
            if got['web_files'][k] != want['web_files'][k]][:1])
        ind = os.path.join(TMP, 'shell.sha256')
        with open(ind, 'w') as f:
            f.write(hashlib.sha256(SHELL).hexdigest() + '\n')
        r = subprocess.run([MIM, 'ioc', 'sweep', '--db', url, '--ioc', ind, '--site', 'acme',
                            '--host', 'web1', WWW], capture_output=True, text=True)
        expect(r.returncode == 0 and '1 hits kept for acme' in r.stderr, r.stderr)
        found = web_files(url)['ioc_findings']
        expect([(f['seen'], f['host']['ip']) for f in found] ==
               [(os.path.join(os.path.realpath(WWW), 'wp-content/uploads/2026/12/cache.php'),
                 'web1')], 'ioc findings %s' % found)
    finally:
        stop()


# ---- live ----------------------------------------------------------------

LOUT = os.path.join(TMP, 'live')
EVE = os.path.join(LOUT, 'eve.json')
STATE = os.path.join(LOUT, 'state')


def start_live():
    os.makedirs(LOUT, exist_ok=True)
    p = subprocess.Popen([MIM, 'watch', WWW, '--site', 'acme', '--eve', EVE, '--state', STATE,
                          '--max-file-size', '1m', '--exclude', '*.swp'],
                         stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    expect('watching' in line, 'watcher did not start: %r' % line)
    return p


def read_state():
    """The baseline file as the watcher wrote it: path -> sha256."""
    try:
        with open(STATE, 'rb') as f:
            lines = f.read().split(b'\n')
    except FileNotFoundError:
        return None
    if not lines or lines[-2:] != [b'E', b'']:
        return None
    out = {}
    for ln in lines:
        if ln.startswith(b'F '):
            parts = ln.split(b' ')
            path = parts[11]
            raw = bytearray()
            i = 0
            while i < len(path):
                if path[i:i + 1] == b'%':
                    raw.append(int(path[i + 1:i + 3], 16))
                    i += 3
                else:
                    raw.append(path[i])
                    i += 1
            out[raw.decode()] = parts[1].decode()
    return out


def settle(what):
    """Waits until the watcher's baseline holds the tree as it is (the
    test's model); a watcher that never gets there fails after 120 s."""
    want = tree.model()
    end = time.monotonic() + 120
    while time.monotonic() < end:
        if read_state() == want:
            return
        time.sleep(0.2)
    got = read_state() or {}
    raise AssertionError('%s: the baseline never matched the tree (missing %s, extra %s, '
                         'different %s)' % (what, sorted(set(want) - set(got))[:5],
                                            sorted(set(got) - set(want))[:5],
                                            [k for k in want if k in got and got[k] != want[k]][:5]))


def live_events():
    with open(EVE) as f:
        return [json.loads(line) for line in f if line.strip()]


def replay(start, events):
    """Applies fim events over start; AssertionError on any inconsistency."""
    m = dict(start)
    for e in events:
        if e['event_type'] != 'fim' or e['fim']['action'] == 'baseline':
            continue
        f = e['fim']
        p, a = f['path'], f['action']
        if a == 'added':
            expect(p not in m, 'added twice, or never removed: %s' % p)
            m[p] = f['sha256']
        elif a == 'changed':
            expect(p in m, 'changed but unknown: %s' % p)
            expect(f['previous']['sha256'] == m[p], 'changed: previous is not the last: %s' % p)
            expect(m[p] != f['sha256'] or f['changed'] in (['mode'], ['owner'], ['mode', 'owner']),
                   'changed to the same: %s %s' % (p, f['changed']))
            m[p] = f['sha256']
        elif a == 'removed':
            expect(p in m, 'removed twice, or never added: %s' % p)
            del m[p]
        else:
            raise AssertionError('unexpected action %s on %s' % (a, p))
    return m


@check('live: rename storm, directory deleted and recreated, WebShell dropped in')
def _():
    if 'm0' not in state:
        raise Skip('no baseline')
    state['live0'] = tree.model()
    p = start_live()
    state['proc'] = p
    try:
        names = sorted(k for k in tree.files if k.startswith('d1'))[:300]
        for i, k in enumerate(names):
            tree.rename(k, k + '.renamed%d' % i)
        tree.rmtree('d20')
        for i in range(30):
            tree.write('d20/s%d/again%d.txt' % (i % 3, i), b'again %d\n' % i)
        tree.write('d21/s0/up.php', SHELL)
        # a directory renamed, then a file written in its new place
        os.rename(os.path.join(WWW, 'd23'), os.path.join(WWW, 'd23-moved'))
        for k in [k for k in tree.files if k.startswith('d23/')]:
            tree.files['d23-moved/' + k[4:]] = tree.files.pop(k)
        tree.write('d23-moved/s0/later.txt', b'written after the move\n')
        tree.write('d23-moved/s1/late.php', SHELL)
        for i in range(100):
            tree.write('d22/s1/churn.txt', b'churn %d\n' % i)
        settle('live')
    except Exception:
        p.kill()
        raise
    ev = live_events()
    final = replay(state['live0'], ev)
    expect(final == tree.model(), 'the events do not add up to the tree')
    # a file rewritten while it is read: each event's size is that of the
    # content its SHA-256 names (one of those the test wrote, or empty)
    churn = {hashlib.sha256(b).hexdigest(): len(b)
             for b in [b''] + [b'churn %d\n' % i for i in range(100)]}
    for e in ev:
        f = e.get('fim', {})
        if e['event_type'] == 'fim' and f.get('path') == 'd22/s1/churn.txt' and 'sha256' in f:
            expect(churn.get(f['sha256']) == f['size'],
                   'churn.txt: size %s with a SHA-256 of %s bytes' % (f['size'],
                                                                      churn.get(f['sha256'])))
    sh = [a for a in alerts(ev) if a['fim']['path'] == 'd21/s0/up.php']
    expect(sh and sh[0]['alert']['metadata']['family'] == ['webshell'] and
           sh[0]['alert']['signature_id'] == 8700301, 'no WebShell alert for d21/s0/up.php')


@check('sigkill: killed, changed while down, restarted: nothing lost, nothing twice')
def _():
    p = state.get('proc')
    if not p:
        raise Skip('no live watcher')
    try:
        tree.write('d30/s0/before-kill.php', b'<?php echo 1;')
        settle('before the kill')
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()
    # while it is down
    tree.write('d31/s1/while-down.php', SHELL)
    k = sorted(k for k in tree.files if k.startswith('d32'))
    tree.remove(k[0])
    tree.write(k[1], b'changed while down\n')
    tree.rename(k[2], k[2] + '.moved')
    p = start_live()
    try:
        tree.write('d33/s2/after.txt', b'after restart\n')
        settle('after the restart')
    finally:
        p.send_signal(signal.SIGTERM)
        rc = p.wait()
    expect(rc == 0, 'watcher exit %d' % rc)
    ev = live_events()
    final = replay(state['live0'], ev)
    expect(final == tree.model(), 'the events do not add up to the tree')
    paths = [e['fim'].get('path') for e in ev if e['event_type'] == 'fim']
    for q in ('d31/s1/while-down.php', k[0], k[1], k[2], k[2] + '.moved'):
        expect(q in paths, 'change while down not told: %s' % q)
    expect(any(a['fim']['path'] == 'd31/s1/while-down.php' for a in alerts(ev)),
           'no alert for the WebShell written while down')



def small_watch(root, out, *extra, pre=()):
    """A watcher of its own on root, writing out/eve.json; (process, eve
    path, what it said before 'watching')."""
    os.makedirs(out, exist_ok=True)
    eve = os.path.join(out, 'eve.json')
    p = subprocess.Popen(list(pre) + [MIM, 'watch', root, '--site', 'acme', '--eve', eve,
                                      '--state', os.path.join(out, 'state')] + list(extra),
                         stderr=subprocess.PIPE, text=True)
    said = ''
    for _ in range(20):
        line = p.stderr.readline()
        if not line or 'watching' in line:
            break
        said += line
    if 'watching' not in line:
        p.kill()
        raise AssertionError('watcher did not start: %r' % (said + line))
    return p, eve, said


def added_paths(eve):
    with open(eve) as f:
        ev = [json.loads(x) for x in f]
    return [e['fim']['path'] for e in ev
            if e['event_type'] == 'fim' and e['fim'].get('action') == 'added']


def wait_added(eve, want, what):
    end = time.monotonic() + 120
    while time.monotonic() < end:
        if want <= set(added_paths(eve)):
            return
        time.sleep(0.2)
    raise AssertionError('%s: %d of %d new files told' % (
        what, len(want & set(added_paths(eve))), len(want)))


@check('queue overflow: 20,000 files made while the watcher is stopped overflow inotify\'s'
       ' queue; the rescan tells each once')
def _():
    limit = int(open('/proc/sys/fs/inotify/max_queued_events').read())
    n = limit + 4000
    if n > 200000:
        raise Skip('max_queued_events is %d: too many files to overflow it here' % limit)
    base = tempfile.mkdtemp(prefix='mm-watch-ovf-')
    root = os.path.join(base, 'www')
    os.makedirs(os.path.join(root, 'up'))
    p, eve, _ = small_watch(root, os.path.join(base, 'out'))
    try:
        p.send_signal(signal.SIGSTOP)
        want = set()
        for i in range(n):
            rel = 'up/f%05d.txt' % i
            with open(os.path.join(root, rel), 'w') as f:
                f.write('%d\n' % i)
            want.add(rel)
        p.send_signal(signal.SIGCONT)
        wait_added(eve, want, 'after the overflow')
    finally:
        p.send_signal(signal.SIGCONT)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
    got = added_paths(eve)
    expect(len(got) == len(set(got)), '%d files told twice' % (len(got) - len(set(got))))
    expect(set(got) == want, 'told but not made: %s' % sorted(set(got) - want)[:3])
    m = [x for x in err.splitlines() if 'overflows' in x]
    expect(m and ' 0 overflows' not in m[-1], 'no overflow counted: %s' % m)


@check('watch limit: in a user namespace allowed 20 inotify watches, 60 directories are'
       ' watched by rescans, and a file written in an unwatched one is told')
def _():
    if not shutil.which('unshare') or not os.path.exists('/proc/sys/user/max_inotify_watches'):
        raise Skip('unshare or /proc/sys/user/max_inotify_watches missing')
    probe = subprocess.run(['unshare', '-U', '-r', 'sh', '-c',
                            'echo 20 > /proc/sys/user/max_inotify_watches'],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        raise Skip('cannot lower the watch limit in a user namespace: %s' % probe.stderr.strip())
    base = tempfile.mkdtemp(prefix='mm-watch-lim-')
    root = os.path.join(base, 'www')
    for i in range(60):
        os.makedirs(os.path.join(root, 'd%02d' % i))
    pre = ['unshare', '-U', '-r', 'sh', '-c',
           'echo 20 > /proc/sys/user/max_inotify_watches && exec "$0" "$@"']
    p, eve, said = small_watch(root, os.path.join(base, 'out'), '--rescan', '2', pre=pre)
    try:
        rel = 'd59/late.php'            # the last directory walked: no watch left for it
        with open(os.path.join(root, rel), 'w') as f:
            f.write('<?php echo 1;\n')
        wait_added(eve, {rel}, 'a file in an unwatched directory')
    finally:
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
    expect('watch limit is reached' in said + err, 'the limit was not said: %s' % err[-400:])
    expect(added_paths(eve).count(rel) == 1, 'told %d times' % added_paths(eve).count(rel))

@check('unreadable: a file and a directory the watcher may not read')
def _():
    if os.geteuid() != 0:
        raise Skip('needs root to run the watcher as another user')
    if not shutil.which('setpriv'):
        raise Skip('setpriv missing')
    base = tempfile.mkdtemp(prefix='mm-watch-unread-')
    os.chmod(base, 0o755)
    root = os.path.join(base, 'www')
    os.makedirs(os.path.join(root, 'secret'))
    os.makedirs(os.path.join(root, 'open'))
    for p in ('open/a.txt', 'secret/b.txt', 'locked.php'):
        with open(os.path.join(root, p), 'w') as f:
            f.write('x\n')
    os.chmod(os.path.join(root, 'locked.php'), 0o000)
    os.chmod(os.path.join(root, 'secret'), 0o000)
    out = os.path.join(base, 'out')
    os.makedirs(out)
    os.chown(out, 65534, 65534)
    cmd = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', MIM, 'watch', root,
           '--site', 'acme', '--eve', os.path.join(out, 'eve.json'),
           '--state', os.path.join(out, 'state'), '--once']
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0 and 'Permission denied' in r.stderr and MIM in r.stderr:
            raise Skip('the build directory is not readable by nobody')
        expect(r.returncode == 0, 'rc %d: %s' % (r.returncode, r.stderr))
        r2 = subprocess.run(cmd, capture_output=True, text=True)
        expect(r2.returncode == 0, 'second run rc %d: %s' % (r2.returncode, r2.stderr))
        with open(os.path.join(out, 'eve.json')) as f:
            ev = [json.loads(line) for line in f]
        un = sorted(e['fim']['path'] for e in ev if e['event_type'] == 'fim' and
                    e['fim']['action'] == 'unreadable')
        expect(un == ['locked.php', 'secret'], 'unreadable events %s' % un)
        base_ev = [e['fim'] for e in ev if e['fim']['action'] == 'baseline']
        expect(len(base_ev) == 1 and base_ev[0]['unreadable'] == 2 and base_ev[0]['files'] == 1,
               'baseline %s' % base_ev)
        d = [e['fim'] for e in ev if e['fim'].get('path') == 'secret']
        expect(d[0].get('type') == 'directory', 'directory not said: %s' % d)
    finally:
        os.chmod(os.path.join(root, 'secret'), 0o755)
        shutil.rmtree(base, ignore_errors=True)


@check('usage: --eve without --state, a missing directory')
def _():
    r = watch(WWW, '--site', 'a', '--eve', '-')
    expect(r.returncode == 2, 'rc %d' % r.returncode)
    r = watch(os.path.join(TMP, 'nope'), '--site', 'a', '-o', OUT, '--once')
    expect(r.returncode == 2, 'rc %d' % r.returncode)


try:
    finish()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
