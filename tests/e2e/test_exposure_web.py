#!/usr/bin/env python3
"""mimamori exposure web, in network namespaces this test makes: a scanner
and a company web server joined by a veth pair. The scanner's namespace
has its own hosts file and resolver configuration (/etc/netns/NS/, which
ip netns exec mounts), so the company's domain and two management names
resolve to the server and nothing else does. The server answers HTTP and
HTTPS (a certificate made here with openssl) with a login form at
/wp-login.php, a password prompt at /admin/, a redirect to a login page at
/phpmyadmin/, its own page for everything else (200, so a path is not
found just by answering), and an FTP greeting on 21. Each path's answer is
compared with what curl gets for the same URL in the same namespace.

usage: test_exposure_web.py MIMAMORI"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, expect, finish, netns_pair, sh  # noqa: E402

MM = os.path.abspath(sys.argv[1])
TAG = 'mmw%d' % (os.getpid() % 100000)
NS_S, NS_W = TAG + 's', TAG + 'w'
NET = '10.231.13.'
SCANNER, SERVER = NET + '1', NET + '2'
DOMAIN = 'example-company.test'
NAMES = [DOMAIN, 'admin.' + DOMAIN, 'webmail.' + DOMAIN]
FOUND = {'/wp-login.php': 200, '/admin/': 401, '/phpmyadmin/': 302}
tmp = tempfile.mkdtemp(prefix='mm-exposure-web-')
etc = '/etc/netns/' + NS_S
procs = []

SERVER_PY = r'''
import http.server, socket, ssl, sys, threading, time
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, code, body=b'', hdrs=()):
        self.send_response(code)
        for k, v in hdrs: self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def do_GET(self):
        p = self.path
        if p == '/wp-login.php':
            self.send(200, b'<html><title>Log In &lsaquo; Company</title><form>user pass</form></html>')
        elif p == '/admin/':
            self.send(401, b'no', [('WWW-Authenticate', 'Basic realm="Router admin"')])
        elif p == '/phpmyadmin/':
            self.send(302, b'', [('Location', '/phpmyadmin/index.php?route=/login')])
        elif p == '/private/':
            self.send(403, b'forbidden')
        else:  # the site's own page for anything else, as many servers answer
            self.send(200, b'<html><title>Company</title><p>Welcome to our company web site.'
                      b' Products, news and contact.</p></html>')
class S(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET
addr, cert, key = sys.argv[1:4]
plain = S((addr, 80), H)
tls = S((addr, 443), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(cert, key)
tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
def ftp():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 21)); s.listen(16)
    while True:
        c, _ = s.accept(); c.sendall(b'220 (vsFTPd 3.0.3)\r\n'); time.sleep(0.3); c.close()
for f in (plain.serve_forever, tls.serve_forever, ftp):
    threading.Thread(target=f, daemon=True).start()
print('ready', flush=True)
time.sleep(900)
'''


def setup():
    netns_pair(TAG, NS_S, [SCANNER], NS_W, [SERVER])
    # the scanner's names: the company's three, nothing else (no resolver
    # answers: the loopback has none, so a lookup fails at once)
    os.makedirs(etc, exist_ok=True)
    with open(os.path.join(etc, 'hosts'), 'w') as f:
        f.write('127.0.0.1 localhost\n' + ''.join('%s %s\n' % (SERVER, n) for n in NAMES))
    with open(os.path.join(etc, 'resolv.conf'), 'w') as f:
        f.write('nameserver 127.0.0.1\noptions timeout:1 attempts:1\n')
    cert, key = os.path.join(tmp, 'cert.pem'), os.path.join(tmp, 'key.pem')
    sh('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
       '-days', '20', '-subj', '/CN=' + DOMAIN,
       '-addext', 'subjectAltName=DNS:%s,DNS:www.%s' % (DOMAIN, DOMAIN))
    srv = os.path.join(tmp, 'server.py')
    with open(srv, 'w') as f:
        f.write(SERVER_PY)
    p = subprocess.Popen(['ip', 'netns', 'exec', NS_W, sys.executable, srv, SERVER, cert, key],
                         stdout=subprocess.PIPE, text=True)
    procs.append(p)
    expect(p.stdout.readline().strip() == 'ready', 'web server did not start')
    return cert


def teardown():
    for p in procs:
        p.kill()
        p.wait()
    for ns in (NS_S, NS_W):
        subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)
    shutil.rmtree(etc, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)


try:
    CERT = setup()
except Skip as e:
    print('skip  exposure web: %s' % e)
    teardown()
    finish()
except Exception:
    teardown()
    raise

got = []


@check('exposure web: names, the FTP port and the administration paths found')
def _found():
    r = sh(MM, 'exposure', 'web', DOMAIN, '--i-own-these', '--format', 'json', '--timeout',
           '2000', '--site', 'acme', '--db', os.path.join(tmp, 'm.db'), ns=NS_S, check_rc=False)
    expect(r.returncode == 0, r.stderr)
    got.extend(json.loads(x) for x in r.stdout.splitlines())
    names = {f['host'] for f in got if f['kind'] == 'name'}
    expect(names == {'admin.' + DOMAIN, 'webmail.' + DOMAIN}, 'names %s' % names)
    ports = {(f['port'], f['what'].split(' ')[0]) for f in got if f['kind'] == 'port'}
    expect(ports == {(21, 'ftp')}, 'ports %s' % ports)
    paths = {}
    for f in got:
        if f['kind'] == 'path':
            paths.setdefault(f['url'].split('//', 1)[1].split('/', 1)[1], set()).add(f['host'])
    expect({'/' + p for p in paths} == set(FOUND), 'paths %s' % sorted(paths))
    for p, hosts in paths.items():
        expect(hosts == set(NAMES), '/%s on %s' % (p, sorted(hosts)))


@check('exposure web: each path\'s status as curl gets it, over HTTP and HTTPS')
def _curl():
    if not got:
        raise Skip('no result')
    for f in got:
        if f['kind'] != 'path':
            continue
        r = sh('curl', '-s', '-k', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5',
               f['url'], ns=NS_S, check_rc=False)
        expect(int(r.stdout) == f['status'], '%s: ours %d, curl %s' % (f['url'], f['status'],
                                                                        r.stdout))
    for url, want in (('http://%s/admin/' % DOMAIN, 'Router admin'),
                      ('https://%s/phpmyadmin/' % DOMAIN, '/phpmyadmin/index.php?route=/login'),
                      ('https://%s/wp-login.php' % DOMAIN, 'Log In')):
        f = [x for x in got if x.get('url') == url]
        expect(f and want in f[0]['what'], '%s: %s' % (url, f))


@check('exposure web: the certificate\'s names and expiry as openssl reads them; names it'
       ' does not cover, and an expiry within 30 days, are problems')
def _cert():
    if not got:
        raise Skip('no result')
    end = sh('openssl', 'x509', '-in', CERT, '-noout', '-enddate').stdout.strip()
    t = time.strptime(end.split('=', 1)[1].replace(' GMT', ''), '%b %d %H:%M:%S %Y')
    until = time.strftime('%Y-%m-%dT%H:%M:%S', t)
    certs = {f['host']: f for f in got if f['kind'] == 'certificate'}
    expect(set(certs) == set(NAMES), 'certificates %s' % sorted(certs))
    for h, f in certs.items():
        expect(('names %s,www.%s; valid until %s' % (DOMAIN, DOMAIN, until)) in f['what'], f)
        expect('expires within 30 days' in f['what'] and f['problem'], f)
        expect(('does not name %s' % h in f['what']) == (h != DOMAIN), f)


@check('exposure web: refused without --i-own-these; kept in the store and the report')
def _store():
    r = sh(MM, 'exposure', 'web', DOMAIN, ns=NS_S, check_rc=False)
    expect(r.returncode == 2 and '--i-own-these' in r.stderr, r.stderr)
    db = os.path.join(tmp, 'm.db')
    if not os.path.exists(db):
        raise Skip('no store')
    c = sqlite3.connect(db)
    n = c.execute("SELECT COUNT(*) FROM exposure_ports p JOIN exposure_checks k ON"
                  " k.id = p.check_id WHERE k.kind = 'web' AND p.service = 'path'").fetchone()[0]
    want = sum(1 for f in got if f['kind'] == 'path')
    expect(n == want == len(FOUND) * len(NAMES) * 2, 'stored paths %d, found %d' % (n, want))
    out = os.path.join(tmp, 'r.json')
    r = subprocess.run([MM, 'report', '--db', db, '--site', 'acme', '--format', 'json', '-o',
                        out], capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    with open(out) as f:
        e = json.load(f)['companies']['acme']['exposure']
    urls = {w['target'] for w in e['web'] if w['kind'] == 'path'}
    expect(urls == {f['url'] for f in got if f['kind'] == 'path'}, 'report paths %s' % urls)
    expect(e['level'] == 2, 'level %s' % e['level'])


teardown()
finish()
