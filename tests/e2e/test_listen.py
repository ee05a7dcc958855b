#!/usr/bin/env python3
"""mimamori logs listen, really started, on loopback only: syslog sent over
UDP (RFC 3164 and RFC 5424) and TCP (newline and octet-counted framing,
RFC 6587), from two loopback addresses of which one is not allowed, one
sender held to a rate; then SIGTERM, the segments read back with `mimamori
segment cat`, imported with `mimamori ingest` and reported.

Checked: every line sent by the allowed sender within its rate is a record
in the segments with the fields the line says (an independent reading of
the same line, written here), nothing from the sender that is not allowed,
the drops counted in the last stats event, the segments verify, and the
store's report counts the firewall records.

usage: test_listen.py MIMAMORI
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

MIM = sys.argv[1] if len(sys.argv) > 1 else 'build/mimamori'
failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        failures.append(what)


def fw(i, dpt):
    return (f'Mar  3 10:{i // 60:02d}:{i % 60:02d} gw kernel: DROP IN=eth0 OUT= '
            f'SRC=198.51.100.{1 + i % 200} DST=192.0.2.10 LEN=40 PROTO=TCP SPT={1000 + i} DPT={dpt}')


def main():
    tmp = tempfile.mkdtemp(prefix='mm-listen-')
    seg = os.path.join(tmp, 'seg')
    proc = subprocess.Popen([MIM, 'logs', 'listen', '--udp', '127.0.0.1:0', '--tcp', '127.0.0.1:0',
                             '--site', 'hinoki', '--sensor', 'box1', '-o', seg, '--tz', 'UTC',
                             '--year', '2024', '--allow', '127.0.0.1/32', '--rate', '50',
                             '--stats-interval', '1'],
                            stderr=subprocess.PIPE, text=True)
    try:
        ports = {}
        deadline = time.time() + 20
        while len(ports) < 2 and time.time() < deadline:
            line = proc.stderr.readline()
            m = re.search(r'(udp|tcp) 127\.0\.0\.1:(\d+)', line)
            if m:
                ports[m.group(1)] = int(m.group(2))
        check(len(ports) == 2, f'bound UDP and TCP on loopback: {ports}')
        if len(ports) < 2:
            return 1
        sent = []
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # RFC 3164 with PRI, and RFC 5424
        for i in range(20):
            line = f'<4>{fw(i, 23)}'
            u.sendto(line.encode(), ('127.0.0.1', ports['udp']))
            sent.append(('udp', 23))
        u.sendto(b'<4>1 2024-03-03T11:00:00.5+09:00 gw kernel - - - DROP IN=eth0 OUT= '
                 b'SRC=203.0.113.7 DST=192.0.2.10 LEN=40 PROTO=TCP SPT=5 DPT=2323',
                 ('127.0.0.1', ports['udp']))
        sent.append(('udp5424', 2323))
        # a sender that is not allowed: 127.0.0.2
        x = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        x.bind(('127.0.0.2', 0))
        for i in range(5):
            x.sendto(f'<4>{fw(i, 9999)}'.encode(), ('127.0.0.1', ports['udp']))
        # TCP: octet counting and newline framing on one connection
        t = socket.create_connection(('127.0.0.1', ports['tcp']))
        for i in range(10):
            m = f'<38>{fw(100 + i, 52869)}'.encode()
            t.sendall(str(len(m)).encode() + b' ' + m)
            sent.append(('tcp-octet', 52869))
        for i in range(10):
            t.sendall(f'<38>{fw(200 + i, 8291)}\n'.encode())
            sent.append(('tcp-lf', 8291))
        t.close()
        time.sleep(1.2)      # the bucket holds 100 (2 s of 50/s): 41 lines fit
        # over the rate: 400 lines at once from the same sender
        for i in range(400):
            u.sendto(f'<4>{fw(300 + i % 100, 445)}'.encode(), ('127.0.0.1', ports['udp']))
        time.sleep(1.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    check(proc.returncode == 0, f'stops cleanly on SIGTERM ({proc.returncode})')
    files = sorted(f for f in os.listdir(seg) if not f.startswith('.')) if os.path.isdir(seg) else []
    ver = subprocess.run([MIM, 'segment', 'verify'] + [os.path.join(seg, f) for f in files],
                         capture_output=True, text=True)
    check(files and ver.returncode == 0, f'segments verify: {ver.stdout.strip()[-200:]} {ver.stderr.strip()[-200:]}')
    cat = subprocess.run([MIM, 'segment', 'cat'] + [os.path.join(seg, f) for f in files],
                         capture_output=True, text=True)
    ev = [json.loads(x) for x in cat.stdout.splitlines() if x.strip()]
    recs = [e for e in ev if e.get('event_type') == 'firewall']
    stats = [e for e in ev if e.get('event_type') == 'stats']
    by_port = {}
    for r in recs:
        by_port[r['dest_port']] = by_port.get(r['dest_port'], 0) + 1
    check(by_port.get(23) == 20, f'20 RFC 3164 datagrams: {by_port.get(23)}')
    check(by_port.get(2323) == 1, 'the RFC 5424 datagram')
    r5424 = [r for r in recs if r['dest_port'] == 2323]
    check(bool(r5424) and r5424[0]['timestamp'] == '2024-03-03T11:00:00.500000+0900'
          and r5424[0]['src_ip'] == '203.0.113.7', f'RFC 5424 fields: {r5424[:1]}')
    check(by_port.get(52869) == 10, f'10 octet-counted TCP frames: {by_port.get(52869)}')
    check(by_port.get(8291) == 10, f'10 newline TCP frames: {by_port.get(8291)}')
    check(9999 not in by_port, 'nothing from the sender that is not allowed')
    sample = [r for r in recs if r['dest_port'] == 23]
    check(bool(sample) and all(r['firewall']['action'] == 'blocked' and r['proto'] == 'TCP' and
                               r['dest_ip'] == '192.0.2.10' and
                               r['mimamori'] == {'site': 'hinoki', 'sensor': 'box1'} and
                               r['log']['format'] == 'netfilter' for r in sample),
          'records carry the line\'s fields, the site and the sensor')
    got445 = by_port.get(445, 0)
    last = stats[-1]['stats']['logs'] if stats else {}
    drop = last.get('dropped', {})
    check(0 < got445 < 400 and drop.get('rate', 0) == 400 - got445,
          f'over the rate: {got445} kept, {drop.get("rate")} counted as dropped')
    check(drop.get('not_allowed') == 5, f'not allowed counted: {drop.get("not_allowed")}')
    check(last.get('records') == len(recs), f'stats records {last.get("records")} = {len(recs)}')
    db = os.path.join(tmp, 'store.db')
    ing = subprocess.run([MIM, 'ingest', '--db', db, seg], capture_output=True, text=True)
    check(ing.returncode == 0, f'ingest the segments: {ing.stderr.strip()[-300:]}')
    rep = subprocess.run([MIM, 'report', '--db', db, '--format', 'json', '--tz', 'UTC'],
                         capture_output=True, text=True)
    try:
        c = json.loads(rep.stdout)['companies']['hinoki']
        check(c['firewall']['blocked'] == len(recs),
              f'report counts {c["firewall"]["blocked"]} blocked of {len(recs)}')
    except (ValueError, KeyError) as e:
        check(False, f'report JSON: {e} {rep.stderr[-300:]}')
    shutil.rmtree(tmp, ignore_errors=True)
    n = 13
    print(f'{n - len(failures)} passed, {len(failures)} failed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
