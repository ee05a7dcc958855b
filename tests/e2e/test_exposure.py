#!/usr/bin/env python3
"""mimamori exposure scan, in network namespaces this test makes itself: a
"scanner" namespace and a "company" namespace joined by a veth pair. The
company's machine listens on some ports (an SSH and an FTP greeting, an
HTTP server, a TLS server with a certificate made here), refuses others,
and drops a few with nftables so that they time out. The audit's states
are compared with nmap -sT run on the same addresses in the same test;
what answers is compared with what the servers were made to say. No
address outside these namespaces is ever probed.

usage: test_exposure.py MIMAMORI"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, expect, finish, netns_pair, sh  # noqa: E402

MM = os.path.abspath(sys.argv[1])
TAG = 'mmx%d' % (os.getpid() % 100000)
NS_S, NS_C = TAG + 's', TAG + 'c'
NET = '10.231.7.'             # inside the test's namespaces only
SCANNER, HOST, HOST2, ABSENT = NET + '1', NET + '2', NET + '3', NET + '9'
PORTS = [21, 22, 23, 445, 2121, 3389, 8080, 8443, 9999]
OPEN = {22, 2121, 8080, 8443, 23}
DROPPED = {445, 3389}
tmp = tempfile.mkdtemp(prefix='mm-exposure-')
procs = []


SERVER = r'''
import socket, ssl, sys, threading, time
host, host2, cert, key = sys.argv[1:5]
def serve(addr, port, greet=None, http=False, tls=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(64)
    while True:
        c, _ = s.accept()
        def one(c=c):
            try:
                c.settimeout(5)
                if tls:
                    c = tls.wrap_socket(c, server_side=True)
                    c.recv(100)
                elif greet:
                    c.sendall(greet)
                    time.sleep(0.5)
                elif http:
                    c.recv(1000)
                    c.sendall(b'HTTP/1.1 401 Unauthorized\r\nServer: RouterAdmin/2.1\r\n'
                              b'WWW-Authenticate: Basic realm="admin"\r\nContent-Length: 0\r\n\r\n')
                else:
                    time.sleep(0.5)
            except Exception:
                pass
            finally:
                c.close()
        threading.Thread(target=one, daemon=True).start()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
for addr in (host, host2):
    for a in [(addr, 22, b'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'),
              (addr, 2121, b'220 (vsFTPd 3.0.3)\r\n'), (addr, 23)]:
        threading.Thread(target=serve, args=a, daemon=True).start()
    threading.Thread(target=serve, args=(addr, 8080), kwargs={'http': True}, daemon=True).start()
    threading.Thread(target=serve, args=(addr, 8443), kwargs={'tls': ctx}, daemon=True).start()
print('ready', flush=True)
time.sleep(600)
'''


def setup():
    netns_pair(TAG, NS_S, [SCANNER], NS_C, [HOST, HOST2])
    # the company's firewall drops two ports: no answer at all
    if not shutil.which('nft'):
        raise Skip('nftables (nft) missing')
    rules = ('table inet mmx { chain input { type filter hook input priority 0; '
             'tcp dport { %s } drop; }; }' % ', '.join(str(p) for p in sorted(DROPPED)))
    sh('nft', '-f', '-', ns=NS_C, input=rules)
    cert, key = os.path.join(tmp, 'cert.pem'), os.path.join(tmp, 'key.pem')
    sh('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
       '-days', '30', '-subj', '/CN=router.example',
       '-addext', 'subjectAltName=DNS:router.example,DNS:admin.router.example')
    srv = os.path.join(tmp, 'server.py')
    with open(srv, 'w') as f:
        f.write(SERVER)
    p = subprocess.Popen(['ip', 'netns', 'exec', NS_C, sys.executable, srv, HOST, HOST2, cert,
                          key], stdout=subprocess.PIPE, text=True)
    procs.append(p)
    expect(p.stdout.readline().strip() == 'ready', 'the test servers did not start')
    return cert


def teardown():
    for p in procs:
        p.kill()
        p.wait()
    for ns in (NS_S, NS_C):
        subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)


def scan(*extra):
    r = sh(MM, 'exposure', 'scan', '--i-own-these', '--format', 'json', '--timeout', '1500',
           '--ports', ','.join(str(p) for p in PORTS), *extra, ns=NS_S, check_rc=False)
    if r.returncode != 0:
        raise AssertionError('scan exit %d: %s' % (r.returncode, r.stderr.strip()))
    return {o['target']: o for o in map(json.loads, r.stdout.splitlines())}


def nmap_states(targets):
    """nmap -sT's verdict per address and port (nmap from Debian)."""
    r = sh('nmap', '-sT', '-n', '-p', ','.join(str(p) for p in PORTS), '-oX', '-',
           '--max-retries', '1', *targets, ns=NS_S)
    out = {}
    for h in ET.fromstring(r.stdout).iter('host'):
        if h.find('status').get('state') != 'up':
            continue
        addr = h.find('address').get('addr')
        st = {p: 'filtered' for p in PORTS}     # the "extraports" nmap summarises
        ep = h.find('ports')
        for x in ep.iter('extraports'):
            for p in PORTS:
                st[p] = x.get('state')
        for port in ep.iter('port'):
            st[int(port.get('portid'))] = port.find('state').get('state')
        out[addr] = st
    return out


try:
    cert = setup()
except Skip as e:
    print('skip  exposure: %s' % e)
    teardown()
    finish()
except Exception:
    teardown()
    raise

result = {}


@check('exposure scan: states per port as nmap -sT gives them, on the same addresses')
def _states():
    if not shutil.which('nmap'):
        raise Skip('nmap missing')
    got = scan(NET + '0/28')
    result.update(got)
    want = nmap_states([NET + '0/28'])
    # the scanner itself answers too (closed ports): compare every up host
    expect(set(got) == set(want), 'hosts up: ours %s, nmap %s' % (sorted(got), sorted(want)))
    for addr, st in want.items():
        ours = {p['port']: p['state'] for p in got[addr]['ports']}
        expect(ours == st, '%s: ours %s, nmap %s' % (addr, ours, st))
    # and what the test built: listeners open, dropped ports filtered, the rest closed
    for addr in (HOST, HOST2):
        ours = {p['port']: p['state'] for p in got[addr]['ports']}
        for p in PORTS:
            w = 'open' if p in OPEN else 'filtered' if p in DROPPED else 'closed'
            expect(ours[p] == w, '%s:%d %s, built %s' % (addr, p, ours[p], w))
    expect(ABSENT not in got, 'an absent address reported up')


@check('exposure scan: who answers (greetings, HTTP status and server, TLS certificate)')
def _banners():
    if HOST not in result:
        raise Skip('no scan result')
    ports = {p['port']: p for p in result[HOST]['ports']}
    expect(ports[22].get('service') == 'ssh' and
           ports[22].get('banner') == 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3', ports[22])
    expect(ports[2121].get('service') == 'ftp' and
           ports[2121].get('banner') == '220 (vsFTPd 3.0.3)', ports[2121])
    expect(ports[8080].get('service') == 'http' and
           ports[8080].get('banner') == 'HTTP/1.1 401 Unauthorized; RouterAdmin/2.1', ports[8080])
    end = sh('openssl', 'x509', '-in', cert, '-noout', '-enddate').stdout.strip()
    end_t = time.strptime(end.split('=', 1)[1].replace(' GMT', ''), '%b %d %H:%M:%S %Y')
    want_cert = 'router.example,admin.router.example; valid until ' + \
        time.strftime('%Y-%m-%dT%H:%M:%S', end_t)
    expect(ports[8443].get('service') == 'tls' and ports[8443].get('certificate') == want_cert,
           '%s, want %s' % (ports[8443], want_cert))
    expect(ports[22].get('maintenance') is True and ports[23].get('maintenance') is True,
           'ssh and telnet are maintenance ports')


@check('exposure scan --site: the results kept in the store for the company')
def _store():
    db = os.path.join(tmp, 'm.db')
    r = sh(MM, 'exposure', 'scan', '--i-own-these', '--site', 'acme', '--db', db, '--timeout',
           '1500', '--ports', ','.join(str(p) for p in PORTS), HOST, ns=NS_S, check_rc=False)
    expect(r.returncode == 0, r.stderr)
    expect('Maintenance ports open' in r.stdout and '23/tcp (telnet)' in r.stdout, r.stdout)
    c = sqlite3.connect(db)
    rows = c.execute("SELECT p.port, p.state FROM exposure_ports p JOIN exposure_checks k"
                     " ON k.id = p.check_id JOIN sites s ON s.id = k.site_id"
                     " WHERE s.name = 'acme' AND k.kind = 'scan'").fetchall()
    got = {p: s for p, s in rows}
    want = {p: 'open' if p in OPEN else 'closed' for p in PORTS if p not in DROPPED}
    expect(got == want, 'stored %s, want %s' % (got, want))
    k = c.execute('SELECT targets, ports, open, closed, filtered FROM exposure_checks').fetchone()
    expect(k == (1, len(PORTS), len(OPEN), len(PORTS) - len(OPEN) - len(DROPPED), len(DROPPED)),
           'check counts %s' % (k,))
    # the company's report: each open port, telnet marked urgent, level serious
    out = os.path.join(tmp, 'r.json')
    r = subprocess.run([MM, 'report', '--db', db, '--site', 'acme', '--format', 'json', '-o', out],
                       capture_output=True, text=True)
    expect(r.returncode == 0, r.stderr)
    with open(out) as f:
        co = json.load(f)['companies']['acme']
    e = co['exposure']
    expect({(o['target'], o['port']) for o in e['open_ports']} == {(HOST, p) for p in OPEN},
           'report open ports %s' % e['open_ports'])
    urgent = {o['port'] for o in e['open_ports'] if o['urgent']}
    expect(urgent == {23}, 'urgent ports %s' % urgent)
    expect(co['level'] == 1 and e['level'] == 1, 'level %s/%s' % (co['level'], e['level']))


@check('exposure scan: refused without --i-own-these, and past a /22 without --large;'
       ' no packet leaves')
def _refusals():
    if not shutil.which('tshark'):
        raise Skip('tshark missing')
    cap = subprocess.Popen(['ip', 'netns', 'exec', NS_C, 'tshark', '-n', '-i', TAG + 'b',
                            '-f', 'tcp', '-a', 'duration:6', '-T', 'fields', '-e', 'ip.src',
                            '-e', 'tcp.dstport'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 10
    line = ''
    while time.time() < deadline and 'Capturing on' not in line:
        line = cap.stderr.readline()
    expect('Capturing on' in line, 'tshark did not start: %s' % line)
    r = sh(MM, 'exposure', 'scan', HOST, ns=NS_S, check_rc=False)
    expect(r.returncode == 2 and '--i-own-these' in r.stderr, r.stderr)
    r = sh(MM, 'exposure', 'scan', '--i-own-these', NET + '0/21', ns=NS_S, check_rc=False)
    expect(r.returncode != 0 and '--large' in r.stderr, r.stderr)
    r = sh(MM, 'exposure', 'scan', '--i-own-these', '--large', NET + '0/16', '--ports', 'all',
           ns=NS_S, check_rc=False)
    expect(r.returncode == 2 and 'split the targets' in r.stderr, r.stderr)
    r = sh(MM, 'exposure', 'scan', '--i-own-these', 'example.com', ns=NS_S, check_rc=False)
    expect(r.returncode != 0 and 'not an address' in r.stderr, r.stderr)
    out, _ = cap.communicate(timeout=20)
    expect(not out.strip(), 'a packet reached the company: %s' % out)


teardown()
finish()
