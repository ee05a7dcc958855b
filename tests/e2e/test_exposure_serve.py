#!/usr/bin/env python3
"""mimamori exposure serve, the self-check service, in network namespaces
this test makes: a switch (a bridge) joining the service, a visitor and a
bystander. The visitor listens on some ports, refuses others, and drops
one with nftables; a second address of the visitor acts as a trusted
reverse proxy. Checked: the states the service finds against nmap -sT
from the service's namespace to the same ports; that it probes only the
requester (a forged X-Forwarded-For from an untrusted peer is ignored, a
capture on the bystander sees nothing); CSRF, malformed and oversized
requests, rate limits; a company link driven in headless Chromium in
Japanese, and the check in the company's report.

usage: test_exposure_serve.py MIMAMORI"""
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, expect, finish, sh  # noqa: E402

MM = os.path.abspath(sys.argv[1])
TAG = 'mms%d' % (os.getpid() % 100000)
SW, SV, VI, BY = TAG + 'w', TAG + 's', TAG + 'v', TAG + 'b'
NET, NET6 = '10.231.11.', 'fd31:11::'
SERVICE, VISITOR, BYSTANDER, PROXY = NET + '1', NET + '2', NET + '3', NET + '5'
PORT = 8080
OPEN, DROPPED = (22, 3306), (3389,)
ASK = [22, 23, 445, 3306, 3389]
tmp = tempfile.mkdtemp(prefix='mm-selfcheck-')
DB = os.path.join(tmp, 'm.db')
procs = []


LISTEN = r'''
import socket, sys, threading, time
def serve(fam, addr, port):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(64)
    while True:
        c, _ = s.accept(); c.close()
for p in map(int, sys.argv[3:]):
    threading.Thread(target=serve, args=(socket.AF_INET, sys.argv[1], p), daemon=True).start()
    threading.Thread(target=serve, args=(socket.AF_INET6, sys.argv[2], p), daemon=True).start()
print('ready', flush=True)
time.sleep(900)
'''


def setup():
    if os.geteuid() != 0 or not shutil.which('ip'):
        raise Skip('needs root and ip netns')
    if not shutil.which('nft'):
        raise Skip('nftables (nft) missing')
    for ns in (SW, SV, VI, BY):
        sh('ip', 'netns', 'add', ns)
    sh('ip', 'link', 'add', 'br0', 'type', 'bridge', ns=SW)
    sh('ip', 'link', 'set', 'br0', 'up', ns=SW)
    for i, (ns, addrs) in enumerate(((SV, [SERVICE]), (VI, [VISITOR, PROXY]),
                                     (BY, [BYSTANDER]))):
        a, b = '%sx%d' % (TAG, i), '%sy%d' % (TAG, i)
        sh('ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', b)
        sh('ip', 'link', 'set', a, 'netns', ns)
        sh('ip', 'link', 'set', b, 'netns', SW)
        sh('ip', 'link', 'set', b, 'master', 'br0', ns=SW)
        sh('ip', 'link', 'set', b, 'up', ns=SW)
        for ad in addrs:
            sh('ip', 'addr', 'add', ad + '/24', 'dev', a, ns=ns)
        sh('ip', '-6', 'addr', 'add', NET6 + addrs[0].rsplit('.', 1)[1] + '/64', 'dev', a,
           'nodad', ns=ns)
        sh('ip', 'link', 'set', a, 'up', ns=ns)
        sh('ip', 'link', 'set', 'lo', 'up', ns=ns)
    sh('nft', '-f', '-', ns=VI, input='table inet v { chain input { type filter hook input '
       'priority 0; tcp dport { %s } drop; }; }' % ', '.join(map(str, DROPPED)))
    srv = os.path.join(tmp, 'listen.py')
    with open(srv, 'w') as f:
        f.write(LISTEN)
    p = subprocess.Popen(['ip', 'netns', 'exec', VI, sys.executable, srv, VISITOR, NET6 + '2'] +
                         [str(x) for x in OPEN], stdout=subprocess.PIPE, text=True)
    procs.append(p)
    expect(p.stdout.readline().strip() == 'ready', 'visitor listeners')
    # the bystander's capture: any TCP packet from the service
    cap = subprocess.Popen(['ip', 'netns', 'exec', BY, 'tshark', '-n', '-i', '%sx2' % TAG, '-f',
                            'tcp and src host %s' % SERVICE, '-T', 'fields', '-e', 'ip.src',
                            '-e', 'tcp.dstport'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    procs.append(cap)
    line, deadline = '', time.time() + 15
    while time.time() < deadline and 'Capturing on' not in line:
        line = cap.stderr.readline()
    expect('Capturing on' in line, 'bystander capture did not start')
    link = sh(MM, 'exposure', 'link', '--site', 'acme', '--db', DB, '--url',
              'http://%s:%d' % (SERVICE, PORT)).stdout.strip()
    s = subprocess.Popen(['ip', 'netns', 'exec', SV, MM, 'exposure', 'serve', '--listen',
                          '[::]:%d' % PORT, '--db', DB, '--trusted-proxy', PROXY + '/32',
                          '--ports', 'maintenance', '--timeout', '1500', '--checks-per-hour',
                          '60', '--client-timeout', '2'], stderr=subprocess.PIPE, text=True)
    procs.append(s)
    line = s.stderr.readline()
    expect('listening' in line, 'service did not start: %s' % line)
    return cap, link


def teardown():
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    for ns in (SW, SV, VI, BY):
        subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)


CLIENT = r'''
import json, socket, sys
src, host, port, raw = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.stdin.buffer.read()
fam = socket.AF_INET6 if ':' in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.bind((src, 0)); s.settimeout(30); s.connect((host, port)); s.sendall(raw)
out = b''
while True:
    b = s.recv(65536)
    if not b: break
    out += b
sys.stdout.buffer.write(out)
'''


def http(raw, src=VISITOR, host=SERVICE):
    """A raw HTTP request from the visitor's namespace (from address src);
    the status, the headers and the body."""
    path = os.path.join(tmp, 'client.py')
    if not os.path.exists(path):
        with open(path, 'w') as f:
            f.write(CLIENT)
    r = subprocess.run(['ip', 'netns', 'exec', VI, sys.executable, path, src, host, str(PORT)],
                       input=raw, capture_output=True, timeout=60)
    head, _, body = r.stdout.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    status = int(lines[0].split()[1]) if lines and lines[0].startswith('HTTP/') else 0
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(':')
        hdrs[k.strip().lower()] = v.strip()
    return status, hdrs, body


def api(ports, src=VISITOR, host=SERVICE, extra=b'', company=None):
    doc = {'consent': True, 'ports': ports}
    if company:
        doc['company'] = company
    body = json.dumps(doc).encode()
    h = host if ':' not in host else '[%s]' % host
    raw = (b'POST /api/check HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n'
           b'Content-Length: %d\r\nConnection: close\r\n%s\r\n' % (h.encode(), len(body), extra)
           + body)
    st, hd, b = http(raw, src, host)
    return st, (json.loads(b) if b.strip().startswith(b'{') else b)


try:
    CAP, LINK = setup()
except Skip as e:
    print('skip  exposure serve: %s' % e)
    teardown()
    finish()
except Exception:
    teardown()
    raise


@check('self-check API: states as nmap -sT finds them from the service to the visitor')
def _states():
    st, got = api(ASK)
    expect(st == 200, '%s %s' % (st, got))
    expect(got['target'] == VISITOR, got)
    ours = {p['port']: p['state'] for p in got['ports']}
    built = {p: 'open' if p in OPEN else 'filtered' if p in DROPPED else 'closed' for p in ASK}
    expect(ours == built, 'ours %s, built %s' % (ours, built))
    if not shutil.which('nmap'):
        raise Skip('nmap missing')
    r = sh('nmap', '-sT', '-Pn', '-n', '-p', ','.join(map(str, ASK)), '-oX', '-',
           '--max-retries', '1', VISITOR, ns=SV)
    nm = {int(p.get('portid')): p.find('state').get('state')
          for p in ET.fromstring(r.stdout).iter('port')}
    expect(nm == ours, 'nmap %s, ours %s' % (nm, ours))


@check('self-check API over IPv6: the visitor\'s IPv6 address is the target')
def _v6():
    st, got = api([22, 445], src=NET6 + '2', host=NET6 + '1')
    expect(st == 200 and got['target'] == NET6 + '2', got)
    expect({p['port']: p['state'] for p in got['ports']} == {22: 'open', 445: 'closed'}, got)


@check('self-check: a forged X-Forwarded-For from an untrusted peer is ignored;'
       ' a trusted proxy\'s is followed, a malformed one refused')
def _xff():
    st, got = api([22], extra=b'X-Forwarded-For: %s\r\n' % BYSTANDER.encode())
    expect(st == 200 and got['target'] == VISITOR, got)
    st, got = api([22], src=PROXY, extra=b'X-Forwarded-For: 203.0.113.9, %s\r\n' %
                  VISITOR.encode())
    expect(st == 200 and got['target'] == VISITOR, 'through the proxy: %s' % got)
    st, got = api([22], src=PROXY, extra=b'X-Forwarded-For: not-an-address\r\n')
    expect(st == 403, 'malformed XFF from the proxy: %s %s' % (st, got))


@check('self-check: no parameter names a target; bad requests refused with their status')
def _bad():
    st, got = api([80])                      # not offered
    expect(st == 400, got)
    body = b'{"consent": false, "ports": [22]}'
    st, _, _ = http(b'POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                    b'Content-Length: %d\r\nConnection: close\r\n\r\n' % len(body) + body)
    expect(st == 400, 'no consent: %d' % st)
    st, _, _ = http(b'POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n'
                    b'Content-Length: 2\r\nConnection: close\r\n\r\n{}')
    expect(st == 415, 'not JSON: %d' % st)
    st, _, _ = http(b'POST /check HTTP/1.1\r\nHost: x\r\nContent-Type: application/'
                    b'x-www-form-urlencoded\r\nContent-Length: 17\r\nConnection: close\r\n\r\n'
                    b'consent=1&port=22')
    expect(st == 403, 'form without a CSRF token: %d' % st)
    st, _, _ = http(b'GARBAGE\r\n\r\n')
    expect(st in (0, 400), 'garbage: %d' % st)     # refused, or the connection closed
    st, _, _ = http(b'GET /\x01 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(st == 400, 'control byte in the target: %d' % st)
    st, _, _ = http(b'GET /?c=0123456789abcdef0123456789abcdef HTTP/1.1\r\nHost: x\r\n'
                    b'Connection: close\r\n\r\n')
    expect(st == 404, 'unknown company link: %d' % st)
    st, _, _ = http(b'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'a' * 70000 +
                    b'\r\nConnection: close\r\n\r\n')
    expect(st in (431, 413), 'oversized header: %d' % st)
    st, _, body = http(b'GET / HTTP/1.1\r\nHost: x\r\nAccept-Language: en-GB,en;q=0.9\r\n'
                       b'Connection: close\r\n\r\n')
    expect(st == 200 and b'Open port self-check' in body and b'I agree to the terms' in body,
           'the English page from Accept-Language')
    st, hd, body = http(b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(st == 200 and "frame-ancestors 'none'" in hd.get('content-security-policy', '') and
           hd.get('x-frame-options') == 'DENY' and b'<script' not in body and
           b'style=' not in body, 'headers or inline script/style')


SLOW = r'''
import socket, sys, time
s = socket.socket(); s.bind((sys.argv[1], 0)); s.settimeout(30)
s.connect((sys.argv[2], int(sys.argv[3])))
s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Slow: ')   # and nothing more
t = time.time()
try:
    d = s.recv(100)
    print('closed' if not d else 'answered %r' % d[:40], round(time.time() - t, 1))
except socket.timeout:
    print('still open', 30)
'''


@check('self-check: a client that stops half-way through its request is cut')
def _slow():
    path = os.path.join(tmp, 'slow.py')
    with open(path, 'w') as f:
        f.write(SLOW)
    r = subprocess.run(['ip', 'netns', 'exec', VI, sys.executable, path, VISITOR, SERVICE,
                        str(PORT)], capture_output=True, text=True, timeout=60)
    what, secs = r.stdout.split()[0], float(r.stdout.split()[-1])
    expect(what in ('closed', 'answered') and secs < 20, 'slow client: %s' % r.stdout)


@check('self-check in Chromium (Japanese): terms, ports, result through the company link')
def _browser():
    try:
        from cdp import Browser
        b = Browser(prefix=('ip', 'netns', 'exec', VI), lang='ja')
    except FileNotFoundError:
        raise Skip('chromium missing')
    try:
        b.goto(LINK + '&lang=ja')
        text = b.wait_text('利用条件')
        expect('acme' in text and '会社用のリンク' in text, 'company line: ' + text[:300])
        b.js("document.querySelectorAll('input[name=port]').forEach(function(e){"
             "e.checked = ['22','445','3389'].indexOf(e.value) >= 0;});"
             "document.querySelector('input[name=consent]').checked = true; true")
        b.act("document.querySelector('form').submit()")
        text = b.wait_text('診断の結果')
        expect('22 (ssh)' in text and '開いている：侵入される可能性があります' in text, text)
        expect('安全（応答なし）' in text and '閉じている' in text, text)
        expect('acme のシステム管理者' in text, 'result goes to the company')
    finally:
        b.close()


@check('self-check: a flood of checks from one address is refused with 429')
def _rate():
    codes = [api([445], src=VISITOR)[0] for _ in range(14)]
    expect(429 in codes and codes[0] == 200, codes)


@check('self-check: recorded for the company; in its report and the survey')
def _report():
    out = os.path.join(tmp, 'r.json')
    r = subprocess.run([MM, 'report', '--db', DB, '--format', 'json', '-o', out],
                       capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    with open(out) as f:
        rep = json.load(f)
    sv = rep['exposure_survey']
    c = sqlite3.connect(DB)
    n = c.execute("SELECT COUNT(*) FROM exposure_checks WHERE kind = 'self'").fetchone()[0]
    expect(sv['checks'] == n and n >= 5, 'survey %s, stored %d' % (sv['checks'], n))
    p22 = [p for p in sv['by_port'] if p['port'] == 22][0]
    expect(p22['open'] == p22['checks'], '22 open every time it was asked: %s' % p22)
    out = os.path.join(tmp, 'a.json')
    r = subprocess.run([MM, 'report', '--db', DB, '--site', 'acme', '--format', 'json', '-o',
                        out], capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    with open(out) as f:
        e = json.load(f)['companies']['acme']['exposure']
    expect(e['self_checks'] >= 1 and e['self'][0]['open_ports'] == '22', e)


@check('self-check: the bystander never received a packet from the service')
def _bystander():
    time.sleep(1)
    CAP.terminate()
    out, _ = CAP.communicate(timeout=20)
    expect(not out.strip(), 'packets to the bystander: %s' % out[:300])


teardown()
finish()
