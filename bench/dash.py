#!/usr/bin/env python3
"""Dashboard benchmark (run by hand, not a test): a store of mm-evegen
companies (default 5 companies x 120 days x 1000 events a day, about
600,000 events), mimamori serve on 127.0.0.1, a company user logged in.
Prints: the start (the report model is built before the server listens,
then again every 60 s by a thread); one Argon2id login's time; a company
page's time (the first request, then median and slowest of 20); the alerts page and the PDF
download; then N concurrent users (default 50, threads here, each its
own session) loading the company page M times each: answers by status,
median and slowest; and, when ApacheBench (ab, apache2-utils) is
installed, ab with the same number of concurrent connections on the
company page of one session (scripts/install-deps.sh --bench installs it).

  bench/dash.py [--sites 5] [--days 120] [--events 1000] [--users 50] [--rounds 4]
"""
import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
MM = os.environ.get('MM', os.path.join(ROOT, 'build', 'mimamori'))
GEN = os.environ.get('MM_EVEGEN', os.path.join(ROOT, 'build', 'mm-evegen'))

ap = argparse.ArgumentParser()
ap.add_argument('--sites', type=int, default=5)
ap.add_argument('--days', type=int, default=120)
ap.add_argument('--events', type=int, default=1000)
ap.add_argument('--users', type=int, default=50)
ap.add_argument('--rounds', type=int, default=4)
ap.add_argument('--db', help='an existing store (company-01 must be in it)')
a = ap.parse_args()
tmp = tempfile.mkdtemp(prefix='mm-bench-dash-')
db = a.db or os.path.join(tmp, 's.db')
if not a.db:
    ev = os.path.join(tmp, 'ev')
    subprocess.run([GEN, '--sites', str(a.sites), '--days', str(a.days), '--events',
                    str(a.events), ev], check=True, capture_output=True)
    t = time.time()
    subprocess.run([MM, 'ingest', '--db', db, '-q'] + [os.path.join(ev, f) for f in
                                                       sorted(os.listdir(ev))], check=True)
    print('ingest: %.1f s' % (time.time() - t))
pw = os.path.join(tmp, 'pw')
with open(pw, 'w') as f:
    f.write('bench-password-1\n')
subprocess.run([MM, 'user', 'add', '--db', db, 'bench', '--role', 'company', '--site',
                'company-01', '--password-file', pw], capture_output=True)
t_start = time.time()
srv = subprocess.Popen([MM, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--trusted-proxy',
                        '127.0.0.1/32', '--geoip', 'none'], stderr=subprocess.PIPE, text=True)
port = int(re.search(r'port (\d+)', srv.stderr.readline()).group(1))
print('start (the report model built before listening): %.0f ms' % ((time.time() - t_start) * 1000))
n_client = [0]


def req(method, path, cookie=None, body=None, client=None):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=120)
    if client is None:
        n_client[0] += 1
        client = '10.%d.%d.1' % (n_client[0] // 250, n_client[0] % 250)
    h = {'X-Forwarded-For': client}
    if cookie:
        h['Cookie'] = cookie
    if body:
        body = urllib.parse.urlencode(body)
        h['Content-Type'] = 'application/x-www-form-urlencoded'
    t = time.time()
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    dt = time.time() - t
    c.close()
    return r.status, r.getheaders(), data, dt


def login():
    client = '10.200.%d.1' % (n_client[0] % 250)
    n_client[0] += 1
    tok = re.search(rb'name="csrf" value="([^"]+)"', req('GET', '/login', client=client)[2])
    st, hdrs, _, dt = req('POST', '/login', client=client,
                          body={'user': 'bench', 'password': 'bench-password-1',
                                'csrf': tok.group(1).decode()})
    for k, v in hdrs:
        if k.lower() == 'set-cookie' and v.startswith('mm_session='):
            return v.split(';')[0], dt
    raise SystemExit('login failed: %d' % st)


try:
    cookie, dt = login()
    print('login (Argon2id verify and a session): %.0f ms' % (dt * 1000))
    st, _, body, first = req('GET', '/company', cookie)
    print('company page, first request: %.0f ms (%d, %d bytes)' % (first * 1000, st, len(body)))
    times = [req('GET', '/company', cookie)[3] for _ in range(20)]
    print('company page, next 20: median %.1f ms, slowest %.1f ms'
          % (statistics.median(times) * 1000, max(times) * 1000))
    times = [req('GET', '/alerts', cookie)[3] for _ in range(10)]
    print('alerts page (500 rows): median %.1f ms' % (statistics.median(times) * 1000))
    st, _, body, dt = req('GET', '/download/report.pdf', cookie)
    print('PDF download: %.0f ms (%d, %d bytes)' % (dt * 1000, st, len(body)))
    cookies = [login()[0] for _ in range(a.users)]
    statuses, times, lock = {}, [], threading.Lock()

    def user(ck):
        for _ in range(a.rounds):
            st, _, _, dt = req('GET', '/company', ck)
            with lock:
                statuses[st] = statuses.get(st, 0) + 1
                times.append(dt)
    th = [threading.Thread(target=user, args=(c,)) for c in cookies]
    t = time.time()
    for x in th:
        x.start()
    for x in th:
        x.join()
    wall = time.time() - t
    print('%d users x %d company pages at once: %s in %.1f s; median %.0f ms, slowest %.0f ms'
          % (a.users, a.rounds, statuses, wall, statistics.median(times) * 1000,
             max(times) * 1000))
    ab = shutil.which('ab')
    if ab:
        # one session and one client address (behind the trusted proxy): the
        # limiter lets one address through at 20 requests a second after a
        # burst of 200, so ab sends 200 (more would be 429s by design)
        n_ab = 200
        r = subprocess.run([ab, '-q', '-n', str(n_ab), '-c', str(a.users), '-C', cookie,
                            '-H', 'X-Forwarded-For: 10.250.0.1',
                            'http://127.0.0.1:%d/company' % port],
                           capture_output=True, text=True)
        keep = ('Complete requests', 'Failed requests', 'Non-2xx', 'Requests per second',
                'Time per request', '  50%', '  99%', ' 100%')
        print('ab -n %d -c %d /company:' % (n_ab, a.users))
        for line in r.stdout.splitlines():
            if line.startswith(keep):
                print('  ' + line.strip())
    else:
        print('ab not installed (apache2-utils): the peer load tool was not run')
finally:
    srv.terminate()
    srv.wait()
