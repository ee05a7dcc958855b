#!/usr/bin/env python3
"""mimamori update against a loopback HTTPS server the test starts itself,
with a certificate authority the test makes (openssl), serving copies of
../shared/rules/etopen (packed here into a .tar.gz with its .md5, in a
temporary directory) and a list file.

Usage: test_update.py MIMAMORI
Prints one line per check and ends with 'N passed, N failed, N skipped'.
"""
import hashlib
import http.server
import io
import os
import shutil
import ssl
import subprocess
import sys
import tarfile
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, expect, finish  # noqa: E402

MM = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared'))
ET = os.path.join(SHARED, 'rules', 'etopen')
TMP = tempfile.mkdtemp(prefix='mm-update-')
WWW = os.path.join(TMP, 'www')
os.makedirs(WWW)
state = {}


def sh(*args):
    r = subprocess.run(list(args), capture_output=True, text=True)
    if r.returncode != 0:
        raise Skip('%s: %s' % (args[0], r.stderr.strip()[-200:]))


def make_ca():
    """A CA and a server certificate for 127.0.0.1, both made here."""
    ca_key, ca, key, csr, crt = (os.path.join(TMP, n) for n in
                                 ('ca.key', 'ca.pem', 'srv.key', 'srv.csr', 'srv.pem'))
    sh('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ca_key, '-out', ca,
       '-days', '2', '-subj', '/CN=mimamori test CA')
    sh('openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr,
       '-subj', '/CN=127.0.0.1')
    ext = os.path.join(TMP, 'ext.cnf')
    with open(ext, 'w') as f:
        f.write('subjectAltName=IP:127.0.0.1\n')
    sh('openssl', 'x509', '-req', '-in', csr, '-CA', ca, '-CAkey', ca_key, '-CAcreateserial',
       '-out', crt, '-days', '2', '-extfile', ext)
    return ca, crt, key


def publish(md5_ok=True, damaged=False):
    """The ruleset as ET publishes it: emerging.rules.tar.gz and its .md5."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as t:
        for name in sorted(os.listdir(ET)):
            if name.endswith('.rules') or name == 'classification.config':
                t.add(os.path.join(ET, name), arcname='rules/' + name)
    data = buf.getvalue()
    if damaged:
        data = data[:len(data) // 2]
    with open(os.path.join(WWW, 'emerging.rules.tar.gz'), 'wb') as f:
        f.write(data)
    digest = hashlib.md5(data).hexdigest() if md5_ok else '0' * 32
    with open(os.path.join(WWW, 'emerging.rules.tar.gz.md5'), 'w') as f:
        f.write(digest + '\n')
    with open(os.path.join(WWW, 'mining.txt'), 'w') as f:
        f.write('# test list\n0.0.0.0 pool.example-mining.test\n')


def serve(crt, key):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=WWW, **k)

        def log_message(self, *a):
            pass
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Quiet)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd.server_address[1]


def config(port, extra=''):
    p = os.path.join(TMP, 'update.conf')
    base = 'https://127.0.0.1:%d' % port
    with open(p, 'w') as f:
        f.write('dir %s\n' % os.path.join(TMP, 'out'))
        f.write('source etopen %s/emerging.rules.tar.gz md5=%s/emerging.rules.tar.gz.md5\n'
                % (base, base))
        f.write('list mining %s/mining.txt\n' % base)
        f.write('disable 2001330\n')
        f.write('disable group:emerging-games.rules\n')
        f.write('enable 2000421   # commented out in ET Open\n')
        f.write('modify 2014726 "threshold: type limit, count 1, seconds 60, track by_src;" ""\n')
        f.write(extra)
    return p


def update(conf, ca=True):
    args = [MM, 'update', '--config', conf]
    if ca:
        args += ['--ca', state['ca']]
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def rules_text():
    with open(os.path.join(TMP, 'out', 'rules', 'etopen.rules')) as f:
        return f.read()


def setup():
    if not os.path.isdir(ET):
        raise Skip('ET Open absent: %s' % ET)
    if shutil.which('openssl') is None:
        raise Skip('openssl missing')
    if 'port' not in state:
        ca, crt, key = make_ca()
        publish()
        state['ca'] = ca
        state['port'] = serve(crt, key)


@check('fetches ET Open and a list over HTTPS, checks the MD5, applies the changes')
def _():
    setup()
    r = update(config(state['port']))
    expect(r.returncode == 0, r.stdout + r.stderr)
    text = rules_text()
    lines = text.splitlines()
    by_sid = {}
    for l in lines:
        if 'sid:' in l:
            sid = int(l.split('sid:')[1].split(';')[0])
            by_sid[sid] = l
    expect(by_sid[2001330].startswith('# '), 'disabled: ' + by_sid[2001330][:80])
    # published commented out (the oracle: the file itself), enabled here
    published = [l for l in open(os.path.join(ET, 'emerging-policy.rules'))
                 if 'sid:2000421;' in l]
    expect(published and published[0].startswith('#'), 'sid 2000421 is published disabled')
    expect(not by_sid[2000421].startswith('#'), 'enabled: ' + by_sid[2000421][:80])
    expect('threshold:' not in by_sid[2014726] and not by_sid[2014726].startswith('#'),
           'modified: ' + by_sid[2014726][:160])
    games = [l for l in text.split('# from emerging-games.rules\n')[1].split('# from ')[0]
             .splitlines() if 'sid:' in l]
    expect(games and all(l.startswith('#') for l in games), 'group disabled')
    c = subprocess.run([MM, 'rules', 'check', os.path.join(TMP, 'out', 'rules')],
                       capture_output=True, text=True)
    loaded = int(c.stdout.strip().splitlines()[-1].split()[1])
    expect(loaded > 24000, 'the written ruleset loads: %d' % loaded)
    with open(os.path.join(TMP, 'out', 'lists', 'mining-0.txt')) as f:
        expect('pool.example-mining.test' in f.read(), 'list written')
    expect(os.path.exists(os.path.join(TMP, 'out', 'rules', 'classification.config')),
           'classification.config kept')


@check('a wrong MD5, a damaged archive, an unknown authority: last good copy kept, exit 1')
def _():
    setup()
    conf = config(state['port'])
    if not os.path.exists(os.path.join(TMP, 'out', 'rules', 'etopen.rules')):
        expect(update(conf).returncode == 0, 'first update')
    good = rules_text()
    publish(md5_ok=False)
    r = update(conf)
    expect(r.returncode == 1 and 'MD5' in r.stdout, r.stdout + r.stderr)
    expect(rules_text() == good, 'rules unchanged after a bad MD5')
    publish(damaged=True)
    r = update(conf)
    expect(r.returncode == 1, r.stdout + r.stderr)
    expect(rules_text() == good, 'rules unchanged after a damaged archive')
    publish()
    r = update(conf, ca=False)          # the system's authorities do not know ours
    expect(r.returncode == 1 and 'certificate' in (r.stdout + r.stderr).lower(),
           r.stdout + r.stderr)
    expect(rules_text() == good, 'rules unchanged after a refused certificate')


@check('an indicator feed: fetched when it reads as indicators, else the last good copy')
def _():
    setup()
    with open(os.path.join(WWW, 'feed.csv'), 'w') as f:
        f.write('# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n'
                '"1","2024-08-12 10:15:09","http://198.51.100.9/i","online","",'
                '"malware_download","elf","x","y"\n')
    conf = config(state['port'], 'ioc urlhaus https://127.0.0.1:%d/feed.csv\n' % state['port'])
    r = update(conf)
    out = os.path.join(TMP, 'out', 'ioc', 'urlhaus')
    expect(r.returncode == 0 and os.path.exists(out), r.stdout + r.stderr)
    expect('1 indicators' in r.stdout, r.stdout)
    good = open(out).read()
    with open(os.path.join(WWW, 'feed.csv'), 'w') as f:
        f.write('<html>maintenance</html>\n')
    r = update(conf)
    expect(r.returncode == 1 and 'last good copy' in r.stdout, r.stdout + r.stderr)
    expect(open(out).read() == good, 'feed replaced by a page that is no feed')
    # the sensor takes the directory as it is
    c = subprocess.run([MM, 'sensor', '-r', '/dev/null', '--ioc', os.path.dirname(out),
                        '--eve', '/dev/null'], capture_output=True, text=True)
    expect('1 indicators loaded' in c.stderr, c.stderr)


@check('configuration errors are one-line messages with exit 2; http:// is refused')
def _():
    bad = os.path.join(TMP, 'bad.conf')
    for text, what in (('dir /tmp/x\nfrobnicate 1\n', 'line 2'),
                       ('source etopen\n', 'line 1'),
                       ('dir /tmp/x\ndisable re:(\n', 'line 2'),
                       ('source x https://127.0.0.1/a\n', 'dir'),
                       ('dir /tmp/x\nioc ../evil https://127.0.0.1/a\n', 'line 2')):
        with open(bad, 'w') as f:
            f.write(text)
        r = subprocess.run([MM, 'update', '--config', bad], capture_output=True, text=True)
        expect(r.returncode == 2 and what in r.stderr, '%r: %s' % (text, r.stderr))
    with open(bad, 'w') as f:
        f.write('dir %s\nlist mining http://127.0.0.1:1/x.txt\n' % os.path.join(TMP, 'o2'))
    r = subprocess.run([MM, 'update', '--config', bad], capture_output=True, text=True)
    expect(r.returncode == 1 and 'only https' in r.stdout + r.stderr, r.stdout + r.stderr)


finish()
