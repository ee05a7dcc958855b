#!/usr/bin/env python3
"""mimamori serve, the dashboard, on 127.0.0.1 (a free port) over a store
of two fictional companies (mm-evegen events, the second company's
internal addresses moved to their own network so that they are its own):
an analyst, alice of company A and bob of company B, driven with a raw
HTTP client (http.client: cookies and CSRF tokens handled here) and once
with headless Chromium.

Checked: logins (CSRF from the form, a new session token whatever cookie
came before, HttpOnly and SameSite=Strict cookies), logout, password
change; tenant isolation route by route, the routes enumerated from
`mimamori serve --routes` (A asking for B by id, name, path, query
parameter, form field, alert id, download link: 403 or 404, and no byte
of B's data in any answer); every non-public route refused without a
session; session fixation; CSRF missing or bad; password guessing (the
per-address rate limit, the per-account lockout with the same words as
an unknown name); path traversal under /static/; oversized and malformed
requests. A screenshot of each main page is kept under the test's
directory (printed), not compared.

usage: test_dash.py MIMAMORI MM-EVEGEN"""
import http.client
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, expect, finish  # noqa: E402

MM = os.path.abspath(sys.argv[1])
GEN = os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix='mm-dash-')
ART = os.path.join(TMP, 'artefacts')
os.makedirs(ART)
DB = os.path.join(TMP, 'store.db')
A, B = 'alpha-kogyo', 'bravo-shoji'
PW = {'analyst': 'analyst-password-1', 'alice': 'alice-password-1', 'bob': 'bob-password-1'}
SERVER = None
PORT = 0
NEXT_CLIENT = [0]
EVE = []
IOCS = os.path.join(TMP, 'watch.txt')
HIT = {}
SWEPT = {}


def run(*args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)


# ---- the store: two companies, B's internal network its own

def make_store():
    ev = os.path.join(TMP, 'ev')
    r = run(GEN, '--sites', 2, '--days', 4, '--events', 400, '--seed', 7, ev)
    if r.returncode != 0:
        raise RuntimeError('mm-evegen: ' + r.stderr)
    files = sorted(os.listdir(ev))
    pa, pb = os.path.join(ev, files[0]), os.path.join(ev, files[1])
    with open(pa) as f:
        ta = f.read().replace('"company-01"', json.dumps(A))
    with open(pb) as f:
        tb = f.read().replace('"company-02"', json.dumps(B)).replace('"192.168.1.', '"192.168.77.')
    for p, t in ((pa, ta), (pb, tb)):
        with open(p, 'w') as f:
            f.write(t)
    EVE[:] = [pa, pb]
    r = run(MM, 'ingest', '--db', DB, '-q', pa, pb)
    if r.returncode != 0:
        raise RuntimeError('ingest: ' + r.stderr)
    # B's own values: its internal hosts and the remote addresses of its
    # alerts that A never saw
    a_text = ta
    secrets = {B}
    for line in tb.splitlines():
        e = json.loads(line)
        if e.get('event_type') != 'alert':
            continue
        for k in ('src_ip', 'dest_ip'):
            ip = e.get(k, '')
            if ip.startswith('192.168.77.') or ('"%s"' % ip) not in a_text:
                secrets.add(ip)
    for name in PW:
        with open(os.path.join(TMP, name + '.pw'), 'w') as f:
            f.write(PW[name] + '\n')
    for args in (('analyst', '--role', 'analyst'), ('alice', '--role', 'company', '--site', A),
                 ('bob', '--role', 'company', '--site', B)):
        r = run(MM, 'user', 'add', '--db', DB, *args, '--password-file',
                os.path.join(TMP, args[0] + '.pw'))
        if r.returncode != 0:
            raise RuntimeError('user add: ' + r.stderr)
    con = sqlite3.connect(DB)
    ids = {n: i for i, n in con.execute('SELECT id, name FROM sites')}
    # a watched indicator set: a remote address only B's flows show, one
    # only A's (read from the events, not from the store)
    def remotes(text):
        out = set()
        for line in text.splitlines():
            e = json.loads(line)
            if e.get('event_type') == 'flow':
                out |= {a for a in (e['src_ip'], e['dest_ip'])
                        if ':' not in a and not a.startswith('192.168.')}
        return out
    ra, rb = remotes(ta), remotes(tb)
    only = {B: min(a for a in rb - ra if '"%s"' % a not in ta),
            A: min(a for a in ra - rb if '"%s"' % a not in tb)}
    with open(IOCS, 'w') as f:
        f.write('%s\n%s\n' % (only[A], only[B]))
    r = run(MM, 'ioc', 'import', '--db', DB, '--name', 'watchlist', '--watch', IOCS)
    if r.returncode != 0 or ' 0 hits' in r.stderr + r.stdout:
        raise RuntimeError('ioc import: ' + r.stderr + r.stdout)
    secrets.add(only[B])
    HIT.update(only)
    # a sweep of one of B's machines (ioc sweep --site): its hit is B's too
    sw = os.path.join(TMP, 'pc-b')
    os.makedirs(sw, exist_ok=True)
    with open(os.path.join(sw, 'bsecret-tool.exe'), 'wb') as f:
        f.write(b'MZ')
    names = os.path.join(TMP, 'names.txt')
    with open(names, 'w') as f:
        f.write('bsecret-tool.exe\n')
    r = run(MM, 'ioc', 'sweep', '--db', DB, '--ioc', names, '--site', B, '--host', 'pc-b', sw)
    if r.returncode != 0 or '1 hits kept for' not in r.stderr:
        raise RuntimeError('ioc sweep: ' + r.stderr + r.stdout)
    secrets.add('bsecret-tool.exe')
    SWEPT[B] = os.path.join(sw, 'bsecret-tool.exe')
    b_alerts = [i for (i,) in con.execute('SELECT id FROM alerts WHERE site_id = ?', (ids[B],))]
    a_alerts = [i for (i,) in con.execute('SELECT id FROM alerts WHERE site_id = ?', (ids[A],))]
    con.close()
    return ids, secrets, a_alerts, b_alerts


def serve(db, *extra):
    p = subprocess.Popen([MM, 'serve', '--db', db, '--listen', '127.0.0.1:0',
                          '--trusted-proxy', '127.0.0.1/32', '--geoip', 'none'] + list(extra),
                         stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    m = re.search(r'listening on port (\d+)', line)
    if not m:
        p.kill()
        raise RuntimeError('serve: ' + line + p.stderr.read())
    return p, int(m.group(1))


def start():
    global SERVER, PORT
    SERVER, PORT = serve(DB)


def client_addr():
    """A client address of its own /24 for each caller (the rate limits
    are per address and block; the server trusts 127.0.0.1's
    X-Forwarded-For)."""
    NEXT_CLIENT[0] += 1
    n = NEXT_CLIENT[0]
    return '10.%d.%d.7' % (100 + n // 250, n % 250)


def request(method, path, cookie=None, body=None, headers=None, client=None, ctype=None):
    c = http.client.HTTPConnection('127.0.0.1', PORT, timeout=30)
    h = {'X-Forwarded-For': client or client_addr()}
    if cookie:
        h['Cookie'] = cookie
    if body is not None:
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
        if isinstance(body, str):
            body = body.encode()
        h['Content-Type'] = ctype or 'application/x-www-form-urlencoded'
    h.update(headers or {})
    c.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
    for k, v in h.items():
        c.putheader(k, v)
    if body is not None:
        c.putheader('Content-Length', str(len(body)))
    c.endheaders(body)
    r = c.getresponse()
    data = r.read()
    hdrs = r.getheaders()
    c.close()
    return r.status, hdrs, data


def header(hdrs, name):
    return [v for k, v in hdrs if k.lower() == name.lower()]


def csrf_of(data):
    m = re.search(rb'name="csrf" value="([^"]+)"', data)
    return m.group(1).decode() if m else None


def sc_of(data):
    m = re.search(rb'name="sc" value="([0-9a-f]{32})"', data)
    return m.group(1).decode() if m else None


def form_tokens(cookie, client):
    """csrf and sc of a logged-in form (the password page), for client."""
    data = request('GET', '/password', cookie=cookie, client=client)[2]
    return {'csrf': csrf_of(data), 'sc': sc_of(data)}


def login(user, pw=None, cookie=None, client=None):
    """(status, session cookie or None, set-cookie values, body)"""
    client = client or client_addr()
    st, _, data = request('GET', '/login', cookie=cookie, client=client)
    expect(st == 200, 'GET /login: %d' % st)
    tok = csrf_of(data)
    st, hdrs, data = request('POST', '/login', cookie=cookie, client=client,
                             body={'user': user, 'password': pw or PW.get(user, 'x'),
                                   'csrf': tok})
    sess = None
    for v in header(hdrs, 'Set-Cookie'):
        m = re.match(r'mm_session=([0-9a-f]{64});', v)
        if m:
            sess = 'mm_session=' + m.group(1)
    return st, sess, header(hdrs, 'Set-Cookie'), data


def routes():
    r = run(MM, 'serve', '--routes')
    expect(r.returncode == 0, 'serve --routes: %s' % r.stderr)
    out = []
    for line in r.stdout.splitlines():
        method, path, access, flags = line.split()[:4]
        out.append((method, path, access, flags))
    return out


try:
    IDS, SECRETS, A_ALERTS, B_ALERTS = make_store()
    start()
except Exception as e:  # noqa: BLE001
    print('FAIL  setup: %s' % e)
    if SERVER:
        SERVER.kill()
    sys.exit(1)
ROUTES = routes()
SESS = {}


@check('routes: every registered route has its authorisation row; every kind is there')
def _routes():
    expect(len(ROUTES) >= 12, ROUTES)
    expect(all(a in ('public', 'session', 'analyst', 'company') for _, _, a, _ in ROUTES),
           'a route without a row: %s' % ROUTES)
    expect({a for _, _, a, _ in ROUTES} == {'public', 'session', 'analyst', 'company'}, ROUTES)
    expect(all('csrf' in f for m, _, _, f in ROUTES if m == 'POST'), 'a POST without CSRF')
    # each is served (not the web layer's 404 for an unknown path), and
    # nothing else is
    for method, path, access, flags in ROUTES:
        p = path + ('dash.css' if 'prefix' in flags else '')
        st, _, _ = request(method, p, body={} if method == 'POST' else None)
        expect(st != 404 and st != 405, '%s %s: %d' % (method, p, st))
    for p in ('/admin', '/api', '/companies/', '/company/2', '/download/', '/index.html'):
        st, _, _ = request('GET', p)
        expect(st == 404, '%s: %d' % (p, st))


@check('mimamori user: refusals (no terminal and no file, a name in use, a company without '
       'its company, a short password), passwd, remove, list')
def _user_cmd():
    db = os.path.join(TMP, 'users.db')
    pw = os.path.join(TMP, 'alice.pw')
    r = subprocess.run([MM, 'user', 'add', '--db', db, 'zed', '--role', 'analyst'],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True)
    expect(r.returncode == 1 and 'terminal' in r.stderr, r.stderr)
    r = run(MM, 'user', 'add', '--db', db, 'zed', '--role', 'analyst', '--password-file', pw)
    expect(r.returncode == 0, r.stderr)
    for args, why in ((('zed', '--role', 'analyst'), 'exists'),
                      (('carol', '--role', 'company'), '--site'),
                      (('carol', '--role', 'company', '--site', 'nowhere'), 'no company'),
                      (('a b', '--role', 'analyst'), 'user name')):
        r = run(MM, 'user', 'add', '--db', db, *args, '--password-file', pw)
        expect(r.returncode == 1 and why in r.stderr, '%s: %s' % (args, r.stderr))
    r = subprocess.run([MM, 'user', 'add', '--db', db, 'yan', '--role', 'analyst',
                        '--password-file', '-'], input='short\n', capture_output=True, text=True)
    expect(r.returncode == 1 and '10' in r.stderr, r.stderr)
    r = run(MM, 'user', 'add', '--db', db, 'zed', '--role', 'boss', '--password-file', pw)
    expect(r.returncode == 2, 'bad role: %d' % r.returncode)
    r = subprocess.run([MM, 'user', 'passwd', '--db', db, 'zed', '--password-file', '-'],
                       input='a-new-password\n', capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    r = run(MM, 'user', 'list', '--db', db)
    expect(r.returncode == 0 and r.stdout.split() == ['zed', 'analyst', '-', '-'], r.stdout)
    r = run(MM, 'user', 'remove', '--db', db, 'zed')
    expect(r.returncode == 0, r.stderr)
    r = run(MM, 'user', 'remove', '--db', db, 'zed')
    expect(r.returncode == 1 and 'no user' in r.stderr, r.stderr)
    con = sqlite3.connect(DB)
    h = con.execute("SELECT pwhash FROM users WHERE name = 'alice'").fetchone()[0]
    con.close()
    expect(h.startswith('$argon2id$') and PW['alice'] not in h, 'stored as Argon2id')


@check('login: CSRF from the form; a new session token in an HttpOnly, SameSite=Strict cookie')
def _login():
    for user in PW:
        st, sess, cookies, _ = login(user)
        expect(st == 303 and sess, '%s: %d %s' % (user, st, cookies))
        c = [v for v in cookies if v.startswith('mm_session=')][0]
        expect('HttpOnly' in c and 'SameSite=Strict' in c and 'Path=/' in c, c)
        SESS[user] = sess
    st, hdrs, data = request('GET', '/company', cookie=SESS['alice'])
    expect(st == 200 and A.encode() in data, 'alice /company: %d' % st)
    st, hdrs, data = request('GET', '/companies', cookie=SESS['analyst'])
    expect(st == 200 and A.encode() in data and B.encode() in data, 'analyst /companies')
    st, hdrs, _ = request('GET', '/', cookie=SESS['alice'])
    expect(st == 303 and header(hdrs, 'Location') == ['/company'], 'alice home')
    st, _, data = request('GET', '/imports', cookie=SESS['analyst'])
    expect(st == 200 and A.encode() in data and B.encode() in data, 'analyst /imports')
    st, _, data = request('GET', '/imports', cookie=SESS['alice'])
    expect(st == 403 and B.encode() not in data, 'alice /imports: %d' % st)
    st, _, data = request('GET', '/hunting?set=watchlist', cookie=SESS['analyst'])
    expect(st == 200 and HIT[A].encode() in data and HIT[B].encode() in data, 'analyst /hunting')
    st, _, data = request('GET', '/indicators', cookie=SESS['alice'])
    expect(st == 200 and HIT[A].encode() in data and HIT[B].encode() not in data,
           'alice /indicators: %d' % st)
    st, _, data = request('GET', '/hunting', cookie=SESS['alice'])
    expect(st == 403 and HIT[B].encode() not in data, 'alice /hunting: %d' % st)
    st, _, data = request('GET', '/hunting', cookie=SESS['analyst'])
    expect(st == 200 and SWEPT[B].encode() in data and b'pc-b' in data, 'analyst /hunting: sweep')
    st, _, data = request('GET', '/indicators', cookie=SESS['alice'])
    expect(st == 200 and b'bsecret-tool' not in data, 'alice /indicators: B\'s sweep')


@check('pages: Japanese and English, phone viewport, local style sheets only, downloads')
def _pages():
    st, _, ja = request('GET', '/company?lang=ja', cookie=SESS['alice'])
    st2, _, en = request('GET', '/company?lang=en', cookie=SESS['alice'])
    expect(st == 200 and st2 == 200, (st, st2))
    expect('レポート'.encode() in ja and b'Report' in en, 'languages')
    for page in (ja, en):
        expect(b'name="viewport"' in page, 'viewport')
        expect(not re.search(rb'(src|href)="(https?:)?//', page), 'an external resource')
    st, hdrs, css = request('GET', '/static/dash.css')
    expect(st == 200 and header(hdrs, 'Content-Type')[0].startswith('text/css'), 'css')
    st, hdrs, pdf = request('GET', '/download/report.pdf', cookie=SESS['alice'])
    expect(st == 200 and pdf.startswith(b'%PDF'), 'pdf: %d %r' % (st, pdf[:8]))
    expect('attachment' in header(hdrs, 'Content-Disposition')[0], 'pdf disposition')
    st, hdrs, html = request('GET', '/download/report.html', cookie=SESS['alice'])
    expect(st == 200 and html.startswith(b'<!DOCTYPE html>') and A.encode() in html, 'html')
    st, _, body = request('GET', '/api/alerts', cookie=SESS['alice'])
    j = json.loads(body)
    expect(st == 200 and len(j['alerts']) > 0, 'api')
    expect({a['id'] for a in j['alerts']} <= set(A_ALERTS), 'api: only A alerts')
    st, _, body = request('GET', '/survey', cookie=SESS['alice'])
    expect(st == 200 and B.encode() not in body and A.encode() not in body.split(b'<main>')[1],
           'survey anonymised')
    expect('社'.encode() in body, 'survey letters')


@check('alerts: filters (severity, family, host, dates) and each alert\'s explanation')
def _alerts():
    con = sqlite3.connect(DB)
    sev, fam, host = con.execute(
        'SELECT severity, family, local_ip FROM alerts WHERE site_id = ? AND explain IS NOT NULL'
        ' AND explain <> \'\' LIMIT 1', (IDS[A],)).fetchone()
    want = {i for (i,) in con.execute(
        'SELECT id FROM alerts WHERE site_id = ? AND severity = ? AND family = ? AND local_ip = ?',
        (IDS[A], sev, fam, host))}
    con.close()
    q = urllib.parse.urlencode({'severity': sev, 'family': fam, 'host': host,
                                'from': '2000-01-01', 'to': '2099-12-31'})
    st, _, body = request('GET', '/api/alerts?' + q, cookie=SESS['alice'])
    got = {a['id'] for a in json.loads(body)['alerts']}
    expect(st == 200 and got == want, 'api filter: %d %s %s' % (st, sorted(got)[:5],
                                                                 sorted(want)[:5]))
    st, _, body = request('GET', '/alerts?' + q, cookie=SESS['alice'])
    links = set(int(x) for x in re.findall(rb'/alert\?id=(\d+)', body))
    expect(st == 200 and links == want, 'page filter')
    st, _, body = request('GET', '/alert?id=%d' % min(want), cookie=SESS['alice'])
    expect(st == 200 and ('対策'.encode() in body or b'What to do' in body), 'explanation')
    for bad in ('severity=9', 'from=yesterday', 'host=not-an-address', 'severity=1&severity=x'):
        st, _, _ = request('GET', '/alerts?' + bad, cookie=SESS['alice'])
        expect(st == 400, '%s: %d' % (bad, st))
    st, _, body = request('GET', '/api/alerts?from=2099-01-01', cookie=SESS['alice'])
    expect(st == 200 and json.loads(body)['alerts'] == [], 'empty range')



@check('company page for a chosen period: the report of those days (its alert count as the store'
       ' has it), downloads of the same period; a bad or half period refused')
def _period():
    from datetime import datetime, timedelta, timezone
    jst = timezone(timedelta(hours=9))              # the server's zone (Asia/Tokyo)
    con = sqlite3.connect(DB)
    ts = sorted(t for (t,) in con.execute('SELECT ts FROM alerts WHERE site_id = ?', (IDS[A],)))
    day = datetime.fromtimestamp(ts[len(ts) // 2] / 1e6, jst).date()
    lo = int(datetime(day.year, day.month, day.day, tzinfo=jst).timestamp() * 1e6)
    hi = lo + 86400 * 1000000
    n = con.execute('SELECT COUNT(*) FROM alerts WHERE site_id = ? AND ts >= ? AND ts < ?',
                    (IDS[A], lo, hi)).fetchone()[0]
    con.close()
    q = 'from=%s&to=%s&lang=en' % (day, day)
    st, _, body = request('GET', '/company?' + q, cookie=SESS['alice'])
    text = re.sub(rb'\s+', b' ', re.sub(rb'<[^>]+>', b' ', body))
    expect(st == 200 and ('Period: %s 00:00' % day).encode() in text, 'period page: %d' % st)
    said = re.search(rb'There were ([0-9,]+) alerts? in this period', text)
    got = int(said.group(1).replace(b',', b'')) if said else 0
    expect(got == n and n > 0, 'the page says %d alerts, the store has %d that day' % (got, n))
    expect(('/download/report.pdf?from=%s&amp;to=%s' % (day, day)).encode() in body,
           'the download links do not keep the period')
    st, hdrs, pdf = request('GET', '/download/report.html?' + q, cookie=SESS['alice'])
    expect(st == 200 and ('Period: %s' % day).encode() in re.sub(rb'<[^>]+>', b' ', pdf),
           'download of the period: %d' % st)
    for bad in ('from=%s' % day, 'to=%s' % day, 'from=tomorrow&to=%s' % day,
                'from=%s&to=%s' % (day + timedelta(days=2), day)):
        st, _, _ = request('GET', '/company?' + bad, cookie=SESS['alice'])
        expect(st == 400, '%s: %d' % (bad, st))

def leaks(body, asked):
    """B's values in body, but those the request itself carried."""
    return [s for s in SECRETS if s not in asked and s.encode() in body]


@check('tenant isolation: A asking for B on every route (id, name, query, form, link): '
       '403/404 and no byte of B\'s data')
def _isolation():
    bid, bname = str(IDS[B]), B
    b_host = sorted(s for s in SECRETS if s.startswith('192.168.77.'))[0]
    asks = ['site=' + bid, 'company=' + urllib.parse.quote(bname),
            'site=' + bid + '&company=' + urllib.parse.quote(bname),
            'site=%d&site=%s' % (IDS[A], bid), 'site=%d&company=%s' % (IDS[A], bname),
            'company=%s' % urllib.parse.quote(bname.upper())]
    n = 0
    for method, path, access, flags in ROUTES:
        if access == 'public' and method == 'POST':
            continue                      # the login form: no company
        base = path + ('dash.css' if 'prefix' in flags else '')
        # named: refused
        for q in asks:
            if method == 'GET':
                st, _, body = request('GET', base + '?' + q, cookie=SESS['alice'])
            else:
                t = form_tokens(SESS['alice'], '10.250.0.1')
                st, _, body = request('POST', base, cookie=SESS['alice'], client='10.250.0.1',
                                      body=q + '&' + urllib.parse.urlencode(t))
            n += 1
            if access != 'public':
                expect(st in (403, 404), '%s %s?%s: %d' % (method, base, q, st))
            expect(not leaks(body, q), '%s %s?%s leaks %s' % (method, base, q,
                                                              leaks(body, q)))
        if method != 'GET':
            continue
        # objects of B by id and value, as parameters of A's own pages
        for q in ['id=%d' % B_ALERTS[0], 'id=%d' % B_ALERTS[-1], 'host=' + b_host,
                  'id=%d&site=%d' % (B_ALERTS[0], IDS[A])]:
            st, _, body = request('GET', base + '?' + q, cookie=SESS['alice'])
            n += 1
            expect(not leaks(body, q), '%s?%s leaks %s' % (base, q, leaks(body, q)))
            if path == '/alert':
                expect(st == 404, '%s?%s: %d' % (base, q, st))
        # B's company in the path
        for p in (base + '/' + bid, base + '/' + bname, base + '/../company?site=' + bid):
            st, _, body = request('GET', p, cookie=SESS['alice'])
            n += 1
            expect(st in (400, 403, 404), '%s: %d' % (p, st))
            expect(not leaks(body, p), '%s leaks' % p)
        # A's own, unasked: no B data either
        st, _, body = request('GET', base, cookie=SESS['alice'])
        expect(not leaks(body, ''), '%s leaks %s' % (base, leaks(body, '')))
    for i in B_ALERTS[:20]:
        for p in ('/alert?id=%d' % i, '/alert?id=%d&site=%s' % (i, bid)):
            st, _, body = request('GET', p, cookie=SESS['alice'])
            expect(st == 404 and not leaks(body, p), '%s: %d' % (p, st))
    # B's own user and the analyst do see B (the secrets are real)
    st, _, body = request('GET', '/company', cookie=SESS['bob'])
    expect(st == 200 and B.encode() in body, 'bob sees B')
    st, _, body = request('GET', '/alert?id=%d&site=%s' % (B_ALERTS[0], bid),
                          cookie=SESS['analyst'])
    expect(st == 200 and any(s.encode() in body for s in SECRETS - {B}), 'analyst sees B')
    st, _, body = request('GET', '/company?site=' + str(IDS[A]), cookie=SESS['bob'])
    expect(st == 404 and A.encode() not in body, 'bob asking for A')
    print('      %d requests as A for B' % n)


@check('no session: every non-public route refused (GET to /login, others 403)')
def _anonymous():
    for method, path, access, flags in ROUTES:
        p = path + ('dash.css' if 'prefix' in flags else '')
        for cookie in (None, 'mm_session=' + '0' * 64, 'mm_session=garbage', 'mm_session='):
            st, hdrs, body = request(method, p, cookie=cookie,
                                     body={} if method == 'POST' else None)
            if access == 'public':
                continue
            if method == 'GET':
                expect(st == 303 and header(hdrs, 'Location') == ['/login'],
                       '%s %s: %d' % (method, p, st))
            else:
                expect(st == 403, '%s %s: %d' % (method, p, st))
            expect(A.encode() not in body and B.encode() not in body, 'anonymous body')


@check('session fixation: a cookie sent before the login is never the session after it')
def _fixation():
    planted = 'mm_session=' + 'ab' * 32
    st, sess, _, _ = login('alice', cookie=planted)
    expect(st == 303 and sess and sess != planted, 'login with a planted cookie: %s' % sess)
    st, _, _ = request('GET', '/company', cookie=planted)
    expect(st == 303, 'the planted cookie is no session: %d' % st)
    st, _, _ = request('GET', '/company', cookie=sess)
    expect(st == 200, 'the new one is')
    # a second login gives another token; logout ends one
    st, sess2, _, _ = login('alice')
    expect(sess2 != sess, 'a new token per login')
    c = client_addr()
    # another session's form values do not end this one
    st, _, _ = request('POST', '/logout', cookie=sess2, client=c,
                       body=dict(form_tokens(sess, c), csrf=form_tokens(sess2, c)['csrf']))
    expect(st == 403, 'logout with another session\'s sc: %d' % st)
    st, _, _ = request('POST', '/logout', cookie=sess2, client=c,
                       body={'csrf': form_tokens(sess2, c)['csrf']})
    expect(st == 403, 'logout without sc: %d' % st)
    st, hdrs, _ = request('POST', '/logout', cookie=sess2, client=c, body=form_tokens(sess2, c))
    expect(st == 303, 'logout: %d' % st)
    expect(any(v.startswith('mm_session=;') and 'Max-Age=0' in v
               for v in header(hdrs, 'Set-Cookie')), 'logout clears the cookie')
    st, _, _ = request('GET', '/company', cookie=sess2)
    expect(st == 303, 'after logout: %d' % st)
    st, _, _ = request('GET', '/company', cookie=sess)
    expect(st == 200, 'the other session goes on')


@check('CSRF: missing, bad or used-up tokens refused with 403 on every POST')
def _csrf():
    for method, path, access, flags in ROUTES:
        if method != 'POST':
            continue
        for body in ({}, {'csrf': ''}, {'csrf': 'A' * 76}):
            st, _, _ = request('POST', path, cookie=SESS['analyst'],
                               body=dict(body, user='alice', password=PW['alice']))
            expect(st == 403, '%s %s %s: %d' % (method, path, body, st))
    # a token used once is used up; one from another client is refused
    c = client_addr()
    tok = csrf_of(request('GET', '/login', client=c)[2])
    st, _, _ = request('POST', '/login', client=client_addr(),
                       body={'user': 'alice', 'password': PW['alice'], 'csrf': tok})
    expect(st == 403, 'token of another client: %d' % st)
    st, _, _ = request('POST', '/login', client=c,
                       body={'user': 'alice', 'password': PW['alice'], 'csrf': tok})
    expect(st == 303, 'its own client: %d' % st)
    st, _, _ = request('POST', '/login', client=c,
                       body={'user': 'alice', 'password': PW['alice'], 'csrf': tok})
    expect(st == 403, 'used again: %d' % st)


@check('password guessing: rate limited per address; the account locked after 10 failures, '
       'in the same words as an unknown name')
def _guessing():
    c = client_addr()
    codes = [login('nobody', 'guess-%d' % i, client=c)[0] for i in range(12)]
    expect(codes[:10] == [401] * 10 and 429 in codes[10:], 'per address: %s' % codes)
    # from many addresses: the account locks
    for i in range(10):
        st = login('bob', 'wrong-%d' % i)[0]
        expect(st == 401, 'guess %d: %d' % (i, st))
    st, sess, _, locked = login('bob')
    expect(st == 401 and not sess, 'the right password while locked: %d' % st)
    st, _, _, unknown = login('no-such-user', 'whatever-pw')

    def words(b):
        return re.sub(rb'value="[^"]*"', b'', b)
    expect(words(locked) == words(unknown), 'a locked account reads as an unknown name')
    t0 = time.time()
    login('no-such-user-2', 'whatever-pw')
    t_unknown = time.time() - t0
    t0 = time.time()
    login('alice', 'wrong-password')
    t_known = time.time() - t0
    print('      login time: unknown name %.0f ms, known name %.0f ms'
          % (t_unknown * 1000, t_known * 1000))
    expect(t_unknown > 0.3 * t_known, 'an unknown name is answered much faster')


@check('password change: old password, new twice, CSRF; other sessions end')
def _passwd():
    # bob is locked (above): the analyst changes the password
    st, s1, _, _ = login('analyst')
    st, s2, _, _ = login('analyst')
    c = client_addr()
    st, _, _ = request('POST', '/password', cookie=s1, client=c,
                       body=dict(form_tokens(s1, c), old='wrong-one-xx', new='another-pass-1',
                                 again='another-pass-1'))
    expect(st == 403, 'wrong old: %d' % st)
    st, _, _ = request('POST', '/password', cookie=s1, client=c,
                       body=dict(form_tokens(s1, c), old=PW['analyst'], new='another-pass-1',
                                 again='another-pass-2'))
    expect(st == 400, 'mismatch: %d' % st)
    st, hdrs, page = request('POST', '/password', cookie=s1, client=c,
                             body=dict(form_tokens(s1, c), old=PW['analyst'],
                                       new='another-pass-1', again='another-pass-1'))
    expect(st == 200, 'change: %d' % st)
    new = [v for v in header(hdrs, 'Set-Cookie') if v.startswith('mm_session=')]
    expect(new, 'a new session cookie')
    s3 = new[0].split(';')[0]
    for s, want in ((s1, 303), (s2, 303), (s3, 200), (SESS['analyst'], 303)):
        st, _, _ = request('GET', '/companies', cookie=s)
        expect(st == want, 'session after the change: %d, not %d' % (st, want))
    expect(sc_of(page) == form_tokens(s3, c)['sc'], 'the page after the change has the new '
           'session\'s form values')
    st, sess, _, _ = login('analyst', 'another-pass-1')
    expect(st == 303 and sess, 'new password logs in')
    SESS['analyst'] = sess


@check('path traversal under /static/: 404')
def _traversal():
    for p in ('/static/../../../../etc/passwd', '/static/%2e%2e/%2e%2e/etc/passwd',
              '/static/..%2f..%2fetc%2fpasswd', '/static/dash.css/../../etc/passwd',
              '/static/', '/static/dash.css%00.png', '/static//etc/passwd',
              '/static/./dash.css', '/static/DASH.CSS'):
        st, _, body = request('GET', p)
        expect(st in (400, 404) and b'root:' not in body, '%s: %d' % (p, st))


@check('oversized and malformed requests: 400, 413, 414, 431; counted at exit')
def _malformed():
    st, _, _ = request('GET', '/login?' + 'a' * 5000)
    expect(st == 414, 'long target: %d' % st)
    st, _, _ = request('GET', '/login', headers={'X-Big': 'b' * 9000})
    expect(st in (431, 413), 'big header: %d' % st)
    st, _, _ = request('POST', '/login', body='user=' + 'a' * 200000)
    expect(st == 413, 'big body: %d' % st)
    st, _, _ = request('POST', '/login', body='user=%zz&password=x')
    expect(st in (400, 403), 'bad form: %d' % st)
    st, _, _ = request('GET', '/alerts?site=%zz', cookie=SESS['alice'])
    expect(st == 400, 'bad query: %d' % st)
    st, _, _ = request('GET', '/company?site=' + '9' * 40, cookie=SESS['analyst'])
    expect(st == 404, 'huge id: %d' % st)
    st, _, _ = request('GET', '/alert?id=-1', cookie=SESS['alice'])
    expect(st == 404, 'negative id: %d' % st)
    st, _, _ = request('BREW', '/login')
    expect(st == 405, 'unknown method: %d' % st)
    c = http.client.HTTPConnection('127.0.0.1', PORT, timeout=10)
    c.sock = None
    c.connect()
    c.sock.sendall(b'GET /lo\x01gin HTTP/1.1\r\nHost: x\r\n\r\n')
    reply = c.sock.recv(100)
    c.close()
    expect(reply.startswith(b'HTTP/1.1 400'), 'control byte: %r' % reply[:20])


@check('Chromium: log in through the form, the company page, a filter, the PDF download '
       '(screenshots kept)')
def _browser():
    try:
        from cdp import Browser
        b = Browser(lang='ja')
    except FileNotFoundError:
        raise Skip('chromium missing')
    base = 'http://127.0.0.1:%d' % PORT
    import base64

    js, wait_text = b.js, b.wait_text

    def shot(name):
        r = b.call('Page.captureScreenshot', {'format': 'png'})
        with open(os.path.join(ART, name + '.png'), 'wb') as f:
            f.write(base64.b64decode(r['data']))
    try:
        b.call('Emulation.setDeviceMetricsOverride',
               {'width': 390, 'height': 844, 'deviceScaleFactor': 1, 'mobile': True})
        b.goto(base + '/login?lang=ja')
        wait_text('ユーザー名')
        shot('login')
        js("document.querySelector('input[name=user]').value = 'alice';"
           "document.querySelector('input[name=password]').value = %s; true"
           % json.dumps(PW['alice']))
        b.act("document.querySelector('form.login').submit()")
        text = wait_text(A)
        shot('company')
        expect(B not in text, 'B on the company page')
        b.goto(base + '/alerts')
        wait_text('絞り込む')
        js("document.querySelector('select[name=severity]').value = '1'; true")
        b.act("document.querySelector('form.filter').submit()")
        deadline = time.time() + 20
        while time.time() < deadline and 'severity=1' not in (b.poll('location.href') or ''):
            time.sleep(0.2)
        expect('severity=1' in (b.poll('location.href') or ''), 'the filter was followed')
        wait_text('絞り込む')
        shot('alerts-severity-1')
        # the PDF through the company page's link, as a download
        sess, b.session = b.session, None
        b.call('Browser.setDownloadBehavior', {'behavior': 'allow', 'downloadPath': ART})
        b.session = sess
        b.goto(base + '/company')
        wait_text(A)
        b.act("document.querySelector('a[href^=\"/download/report.pdf\"]').click()")
        pdf = os.path.join(ART, 'report-ja.pdf')
        deadline = time.time() + 30
        while time.time() < deadline and not (os.path.exists(pdf) and
                                              open(pdf, 'rb').read(4) == b'%PDF'):
            time.sleep(0.3)
        expect(os.path.exists(pdf) and open(pdf, 'rb').read(4) == b'%PDF', 'PDF downloaded')
        b.goto(base + '/survey?lang=en')
        wait_text('Survey')
        shot('survey-en')
        print('      screenshots: %s' % ART)
    finally:
        b.close()


@check('PostgreSQL (started here): accounts, lockout, sessions, pages and isolation the same')
def _postgres():
    global PORT
    import pgtemp
    url, stop = pgtemp.start_postgres(Skip)
    keep = PORT
    p = None
    try:
        r = run(MM, 'ingest', '--db', url, '-q', *EVE)
        expect(r.returncode == 0, r.stderr)
        for args in (('analyst', '--role', 'analyst'), ('alice', '--role', 'company', '--site', A),
                     ('bob', '--role', 'company', '--site', B)):
            r = run(MM, 'user', 'add', '--db', url, *args, '--password-file',
                    os.path.join(TMP, args[0] + '.pw'))
            expect(r.returncode == 0, r.stderr)
        r = run(MM, 'ioc', 'import', '--db', url, '--name', 'watchlist', '--watch', IOCS)
        expect(r.returncode == 0, r.stderr)
        r = run(MM, 'user', 'list', '--db', url)
        expect(r.returncode == 0 and len(r.stdout.splitlines()) == 3, r.stdout + r.stderr)
        p, PORT = serve(url)
        st, sess, _, _ = login('alice')
        expect(st == 303 and sess, 'login on PostgreSQL: %d' % st)
        st, _, body = request('GET', '/company', cookie=sess)
        expect(st == 200 and A.encode() in body and not leaks(body, ''), 'company page')
        st, _, body = request('GET', '/alerts?severity=1&from=2000-01-01', cookie=sess)
        expect(st == 200 and b'/alert?id=' in body and not leaks(body, ''), 'alerts')
        st, _, body = request('GET', '/indicators?set=watchlist', cookie=sess)
        expect(st == 200 and HIT[A].encode() in body and not leaks(body, ''), 'indicators')
        for q in ('site=%d' % IDS[B], 'company=' + B):
            st, _, body = request('GET', '/company?' + q, cookie=sess)
            expect(st == 404 and not leaks(body, q), '%s: %d' % (q, st))
        for i in range(10):
            login('bob', 'wrong-%d' % i)
        st, sess_b, _, _ = login('bob')
        expect(st == 401 and not sess_b, 'lockout on PostgreSQL: %d' % st)
        st, s_ana, _, _ = login('analyst')
        st, _, body = request('GET', '/company?company=' + B, cookie=s_ana)
        expect(st == 200 and B.encode() in body, 'the analyst picks B: %d' % st)
        st, _, body = request('GET', '/imports', cookie=s_ana)
        expect(st == 200 and B.encode() in body, 'imports on PostgreSQL: %d' % st)
        st, _, body = request('GET', '/hunting', cookie=s_ana)
        expect(st == 200 and HIT[B].encode() in body, 'hunting on PostgreSQL: %d' % st)
        c = client_addr()
        st, _, _ = request('POST', '/password', cookie=s_ana, client=c,
                           body=dict(form_tokens(s_ana, c), old=PW['analyst'],
                                     new='pg-password-22', again='pg-password-22'))
        expect(st == 200, 'password change on PostgreSQL: %d' % st)
        st, _, _ = request('GET', '/companies', cookie=s_ana)
        expect(st == 303, 'the old session ended: %d' % st)
        r = run(MM, 'user', 'remove', '--db', url, 'alice')
        expect(r.returncode == 0, r.stderr)
        st, _, _ = request('GET', '/company', cookie=sess)
        expect(st == 303, 'a removed user\'s session: %d' % st)
    finally:
        if p:
            p.terminate()
            p.wait(timeout=20)
        PORT = keep
        stop()


@check('HTTPS (--tls-cert, --tls-key): login over TLS, Secure cookies, no plain HTTP')
def _tls():
    import socket
    import ssl
    if not shutil.which('openssl'):
        raise Skip('openssl missing')
    cert, key = os.path.join(TMP, 'cert.pem'), os.path.join(TMP, 'key.pem')
    r = run('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
            '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
            '-addext', 'subjectAltName=IP:127.0.0.1')
    expect(r.returncode == 0, r.stderr)
    r = run(MM, 'serve', '--db', DB, '--listen', '127.0.0.1:0', '--tls-cert', cert)
    expect(r.returncode == 2, 'a certificate without its key: %d' % r.returncode)
    r = run(MM, 'serve', '--db', DB, '--listen', '127.0.0.1:0', '--tls-cert', DB,
            '--tls-key', key)
    expect(r.returncode == 1 and 'PEM' in r.stderr, r.stderr)
    p, port = serve(DB, '--tls-cert', cert, '--tls-key', key)
    try:
        ctx = ssl.create_default_context(cafile=cert)

        def get(method, path, cookie=None, body=None):
            c = http.client.HTTPSConnection('127.0.0.1', port, timeout=30, context=ctx)
            h = {'X-Forwarded-For': client_addr()}
            if cookie:
                h['Cookie'] = cookie
            if body:
                h['Content-Type'] = 'application/x-www-form-urlencoded'
                h['X-Forwarded-For'] = '10.77.0.1'
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            out = r.status, r.getheaders(), r.read(), c.sock.version()
            c.close()
            return out
        c = http.client.HTTPSConnection('127.0.0.1', port, timeout=30, context=ctx)
        c.request('GET', '/login', headers={'X-Forwarded-For': '10.77.0.1'})
        r = c.getresponse()
        tok = csrf_of(r.read())
        ver = c.sock.version()
        c.close()
        expect(ver in ('TLSv1.2', 'TLSv1.3'), ver)
        st, hdrs, _, _ = get('POST', '/login', body=urllib.parse.urlencode(
            {'user': 'alice', 'password': PW['alice'], 'csrf': tok}))
        ck = [v for k, v in hdrs if k.lower() == 'set-cookie' and v.startswith('mm_session=')]
        expect(st == 303 and ck and 'Secure' in ck[0] and 'HttpOnly' in ck[0], (st, ck))
        st, _, body, _ = get('GET', '/company', cookie=ck[0].split(';')[0])
        expect(st == 200 and A.encode() in body, 'company over TLS: %d' % st)
        s = socket.create_connection(('127.0.0.1', port), timeout=5)
        s.sendall(b'GET /login HTTP/1.1\r\nHost: x\r\n\r\n')
        try:
            reply = s.recv(100)
        except OSError:
            reply = b''
        s.close()
        expect(not reply.startswith(b'HTTP/'), 'plain HTTP answered: %r' % reply[:20])
    finally:
        p.terminate()
        p.wait(timeout=20)



def udp_pcap(path, n, t0):
    """n UDP packets 192.168.1.5 -> 192.168.1.1:53, one a second from t0."""
    import struct
    eth = b'\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00'
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            udp = struct.pack('>HHHH', 40000 + i, 53, 13, 0) + b'hello'
            hdr = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                              bytes([192, 168, 1, 5]), bytes([192, 168, 1, 1]))
            c = sum(struct.unpack('>10H', hdr))
            c = (c & 0xffff) + (c >> 16)
            c = (c & 0xffff) + (c >> 16)
            pkt = eth + hdr[:10] + struct.pack('>H', ~c & 0xffff) + hdr[12:] + udp
            f.write(struct.pack('<IIII', t0 + i, 0, len(pkt), len(pkt)) + pkt)


@check('sensor health: a sensor\'s newest stats event on the analyst\'s imports page (packets,'
       ' rules loaded and failed, stale, the output disk); not for a company')
def _health():
    pcap = os.path.join(TMP, 'health.pcap')
    udp_pcap(pcap, 37, 1796083200)                  # 2026-12-01
    rules = os.path.join(TMP, 'health.rules')
    with open(rules, 'w') as f:
        f.write('alert udp any any -> any 53 (msg:"t1"; sid:9000001;)\n'
                'alert udp any any -> any any (msg:"bad"; nosuchkeyword; sid:9000002;)\n'
                'alert udp any any -> any 53 (msg:"t3"; content:"hello"; sid:9000003;)\n')
    out = os.path.join(TMP, 'health-out')
    r = run(MM, 'sensor', '-r', pcap, '--site', A, '--sensor', 'edge-a', '--rules', rules,
            '-o', out, '-q')
    expect(r.returncode == 0, r.stderr)
    r = run(MM, 'ingest', '--db', DB, '-q', out)
    expect(r.returncode == 0, r.stderr)
    if shutil.which('capinfos'):
        c = run('capinfos', '-c', pcap).stdout
        expect(re.search(r'Number of packets:\s+37\b', c), 'capinfos: %s' % c)
    st, _, body = request('GET', '/imports?lang=en', cookie=SESS['analyst'])
    row = re.search(rb'<tr><td>' + re.escape(A.encode()) + rb'</td><td>edge-a</td>(.*?)</tr>',
                    body)
    expect(st == 200 and row, 'no health row for edge-a: %d' % st)
    cells = re.findall(rb'<td[^>]*>(.*?)</td>', row.group(1))
    expect(b'none for over 2 days' in cells[0], 'not marked stale: %r' % cells[0])
    expect(cells[1] == b'37', 'packets %r, the capture has 37' % cells[1])
    expect(cells[5] == b'2 (1)', 'rules %r, want 2 loaded and 1 failed' % cells[5])
    vs = os.statvfs(out)
    total = vs.f_blocks * vs.f_frsize
    want = ('%.1f GB' % (total / 1e9) if total >= 1e9 else '%.0f MB' % (total / 1e6)).encode()
    expect(cells[8].endswith(b' / ' + want), 'disk %r, the output file system has %s'
           % (cells[8], want))
    st, _, body = request('GET', '/imports', cookie=SESS['alice'])
    expect(st == 403 and b'edge-a' not in body, 'alice /imports: %d' % st)

@check('exit: SIGTERM stops the server; its counters name the refusals')
def _exit():
    SERVER.terminate()
    err = SERVER.stderr.read()
    SERVER.wait(timeout=20)
    expect(SERVER.returncode == 0, 'exit %s' % SERVER.returncode)
    m = re.search(r'logins (\d+) ok, (\d+) failed, (\d+) locked, (\d+) rate limited', err)
    expect(m and int(m.group(3)) >= 1 and int(m.group(4)) >= 1, err)
    expect(re.search(r'csrf [1-9]', err), err)


if SERVER and SERVER.poll() is None:
    SERVER.kill()
if os.environ.get('MM_KEEP') is None and not os.listdir(ART):
    shutil.rmtree(TMP, ignore_errors=True)
finish()
