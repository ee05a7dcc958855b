#!/usr/bin/env python3
"""Live capture with AF_PACKET workers (issue 29), end to end.

The test writes a capture of its own (400 TCP conversations, some of them
carrying a word a rule of the test's looks for, and 400 UDP exchanges),
replays it with tcpreplay into a veth pair in network namespaces it makes,
and checks what `mimamori sensor -i --workers 2` made of it against:

  - what the test put in the capture (every conversation a flow with its
    packet counts; an alert exactly on the conversations that carry the
    word), and
  - the same capture read from the file by the same sensor.

Then: a reload (SIGHUP) with workers takes a new rule on every worker;
packets the ring could not hold (the sensor stopped with SIGSTOP while
the replay runs) are counted as kernel drops, and every packet sent is
either decoded or counted dropped.

Usage: test_workers.py MIMAMORI
Skips without root, ip netns or tcpreplay."""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import Skip, check, expect, finish, sh  # noqa: E402
from tcpcap import Capture, _csum  # noqa: E402

MM = os.path.abspath(sys.argv[1])
TMP = tempfile.mkdtemp(prefix='mm-workers-')
os.chmod(TMP, 0o755)
NCONV = 400
WORD = b'evil-marker'


def udp_frame(src, sport, dst, dport, data, ipid):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    uh = struct.pack('!HHHH', sport, dport, 8 + len(data), 0)
    ph = s + d + struct.pack('!BBH', 0, 17, len(uh) + len(data))
    c = _csum(ph + uh + data) or 0xFFFF
    uh = uh[:6] + struct.pack('!H', c)
    ih = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(uh) + len(data), ipid, 0, 64, 17, 0,
                     s, d)
    ih = ih[:10] + struct.pack('!H', _csum(ih)) + ih[12:]
    return b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + b'\x08\x00' + ih + uh + data


def make_capture(path, port_base):
    """NCONV TCP conversations and NCONV UDP exchanges; returns what is in
    it: {tuple: (packets to server, packets to client)} and the tuples
    whose client sent WORD."""
    cap = Capture(t0=1700000000.0)
    flows, marked = {}, set()
    for i in range(NCONV):
        cli = '10.1.%d.%d' % (i // 200, 10 + i % 200)
        srv = '192.0.2.%d' % (1 + i % 50)
        cport = port_base + i
        cv = cap.conv(cli, cport, srv, 80)
        cv.handshake()
        word = WORD if i % 7 == 3 else b'fine'
        cv.c(b'GET /page/%d/%s HTTP/1.1\r\nHost: example.test\r\n\r\n' % (i, word))
        cv.s(b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello')
        cv.close()
        flows[('TCP', cli, cport, srv, 80)] = (5, 3)
        if word == WORD:
            marked.add(('TCP', cli, cport, srv, 80))
    ipid = 1
    for i in range(NCONV):
        cli = '10.2.%d.%d' % (i // 200, 10 + i % 200)
        srv = '198.51.100.%d' % (1 + i % 20)
        sport = port_base + i
        q = b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04host\x04test\x00\x00\x01\x00\x01'
        cap.frames.append((cap.t, udp_frame(cli, sport, srv, 53, q, ipid)))
        cap.t += 0.001
        a = q[:2] + b'\x81\x80' + q[4:]
        fr = udp_frame(srv, 53, cli, sport, a, ipid + 1)
        cap.frames.append((cap.t, fr[6:12] + fr[0:6] + fr[12:]))
        cap.t += 0.001
        ipid += 2
        flows[('UDP', cli, sport, srv, 53)] = (1, 1)
    cap.write(path)
    return flows, marked, len(cap.frames)


RULES = os.path.join(TMP, 'test.rules')
with open(RULES, 'w') as f:
    f.write('alert tcp any any -> any 80 (msg:"test word"; flow:to_server,established; '
            'content:"%s"; sid:9100001; rev:1;)\n' % WORD.decode())
CAP1 = os.path.join(TMP, 'one.pcap')
CAP2 = os.path.join(TMP, 'two.pcap')
FLOWS1, MARKED1, NPKT1 = make_capture(CAP1, 20000)
FLOWS2, MARKED2, NPKT2 = make_capture(CAP2, 30000)


def tup(e):
    return (e['proto'], e['src_ip'], e.get('src_port'), e['dest_ip'], e.get('dest_port'))


def summary(events):
    flows = {}
    alerts = set()
    for e in events:
        if e['event_type'] == 'flow':
            flows[tup(e)] = (e['flow']['pkts_toserver'], e['flow']['pkts_toclient'])
        elif e['event_type'] == 'alert':
            alerts.add((e['alert']['signature_id'],) + tup(e))
    return flows, alerts


def read_eve(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def file_run(cap):
    eve = os.path.join(TMP, 'file-%s.json' % os.path.basename(cap))
    r = subprocess.run([MM, 'sensor', '-r', cap, '--eve', eve, '-q', '--rules', RULES,
                        '--no-detect'], capture_output=True, text=True)
    expect(r.returncode == 0, 'file run: %s' % r.stderr)
    return summary(read_eve(eve))


class Net:
    """The sensor's namespace (its side of the veth without an address)
    and the replayer's."""

    def __enter__(self):
        if os.geteuid() != 0 or not shutil.which('ip'):
            raise Skip('needs root and ip netns')
        if not shutil.which('tcpreplay'):
            raise Skip('tcpreplay missing (scripts/install-deps.sh installs it)')
        self.a, self.b = 'mm-wk-%d' % os.getpid(), 'mm-wr-%d' % os.getpid()
        self.dev = 'mmwk%d' % (os.getpid() % 10000)
        sh('ip', 'netns', 'add', self.a)
        sh('ip', 'netns', 'add', self.b)
        sh('ip', 'link', 'add', self.dev + 'a', 'netns', self.a, 'type', 'veth', 'peer', 'name',
           self.dev + 'b', 'netns', self.b)
        for ns, d in ((self.a, self.dev + 'a'), (self.b, self.dev + 'b')):
            sh('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', ns=ns)
            sh('ip', 'link', 'set', d, 'up', ns=ns)
        return self

    def __exit__(self, *a):
        for ns in (self.a, self.b):
            subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)

    def sensor(self, eve, *extra):
        errf = open(eve + '.err', 'w+')
        p = subprocess.Popen(['ip', 'netns', 'exec', self.a, MM, 'sensor', '-i', self.dev + 'a',
                              '--eve', eve, '--rules', RULES, '--no-detect', '--stats-interval',
                              '1'] + list(extra), stderr=errf, text=True)
        p.errf = errf
        deadline = time.time() + 30
        while time.time() < deadline:   # the rules loaded and the rings open
            errf.seek(0)
            if 'capturing on' in errf.read():
                break
            expect(p.poll() is None, 'sensor exited: %s' % open(eve + '.err').read())
            time.sleep(0.1)
        return p

    def replay(self, cap, *rate):
        r = sh('tcpreplay', '-i', self.dev + 'b', *rate, cap, ns=self.b)
        return r.stdout


def stop(p):
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    p.errf.seek(0)
    err = p.errf.read()
    expect(p.returncode == 0, 'sensor exit %s: %s' % (p.returncode, err))
    return err


def last_stats(events):
    st = [e for e in events if e['event_type'] == 'stats']
    expect(st, 'no stats event')
    return st[-1]


@check('the test capture read from the file: every conversation a flow, an alert on '
       'exactly the marked ones')
def _():
    flows, alerts = file_run(CAP1)
    expect(flows == FLOWS1, 'flows differ from the capture: %d vs %d' % (len(flows),
                                                                       len(FLOWS1)))
    expect(alerts == {(9100001,) + t for t in MARKED1},
           'alerts %d, marked conversations %d' % (len(alerts), len(MARKED1)))


for rate in (['--pps', '2000'], ['--pps', '20000']):
    @check('2 workers, tcpreplay %s into a veth: the same flows and alerts as the file, '
           'no drops, both workers busy' % ' '.join(rate))
    def _(rate=rate):
        file_flows, file_alerts = file_run(CAP1)
        with Net() as net:
            eve = os.path.join(TMP, 'live-%s.json' % rate[1])
            p = net.sensor(eve, '--workers', '2')
            net.replay(CAP1, *rate)
            time.sleep(1.5)
            err = stop(p)
            events = read_eve(eve)
            flows, alerts = summary(events)
            missing = set(file_flows) - set(flows)
            expect(not missing, '%d flows missing, e.g. %s' % (len(missing), sorted(missing)[:3]))
            extra = set(flows) - set(file_flows)
            expect(not extra, '%d flows not in the file run, e.g. %s' % (len(extra),
                                                                        sorted(extra)[:3]))
            diff = [t for t in flows if flows[t] != file_flows[t]]
            expect(not diff, '%d flows with other packet counts, e.g. %s: %s vs %s' % (
                len(diff), diff[:1], [flows[t] for t in diff[:1]],
                [file_flows[t] for t in diff[:1]]))
            expect(alerts == file_alerts, 'alerts: live %d, file %d' % (len(alerts),
                                                                       len(file_alerts)))
            st = last_stats(events)
            cap = st['stats']['capture']
            expect(cap['kernel_drops'] == 0, 'kernel drops %d' % cap['kernel_drops'])
            expect(cap['kernel_packets'] == NPKT1, 'kernel packets %d, sent %d' % (
                cap['kernel_packets'], NPKT1))
            wk = st['mimamori']['stats']['workers']
            expect(len(wk) == 2, 'workers in stats: %s' % wk)
            expect(all(w['pkts'] > NPKT1 // 10 for w in wk), 'a worker idle: %s' % wk)
            expect(sum(w['pkts'] for w in wk) == st['stats']['decoder']['pkts'] == NPKT1,
                   'decoded %s of %d' % ([w['pkts'] for w in wk], NPKT1))
            expect('2 workers' in err, 'summary line: %s' % err)


@check('2 workers: SIGHUP takes a new rule on both workers, flows kept')
def _():
    with Net() as net:
        eve = os.path.join(TMP, 'reload.json')
        saved = open(RULES).read()
        try:
            p = net.sensor(eve, '--workers', '2')
            net.replay(CAP1, '--pps', '5000')
            with open(RULES, 'a') as f:
                f.write('alert udp any any -> any 53 (msg:"test name"; content:"|04|host|04|test|00|"; '
                        'sid:9100002; rev:1;)\n')
            p.send_signal(signal.SIGHUP)
            deadline = time.time() + 30
            while time.time() < deadline:
                p.errf.seek(0)
                if 'reloaded' in p.errf.read():
                    break
                time.sleep(0.1)
            net.replay(CAP2, '--pps', '5000')
            time.sleep(1.5)
            stop(p)
        finally:
            with open(RULES, 'w') as f:
                f.write(saved)
        flows, alerts = summary(read_eve(eve))
        udp2 = {t for t in FLOWS2 if t[0] == 'UDP'}
        new = {a[1:] for a in alerts if a[0] == 9100002}
        expect(new == udp2, 'the new rule alerted on %d of %d UDP exchanges after the reload'
               % (len(new & udp2), len(udp2)))
        expect(not any(t in FLOWS1 for t in new), 'the new rule alerted before the reload')
        old = {a[1:] for a in alerts if a[0] == 9100001}
        expect(old == MARKED1 | MARKED2, 'the first rule: %d alerts, %d marked' % (
            len(old), len(MARKED1 | MARKED2)))
        expect(set(FLOWS1) | set(FLOWS2) == set(flows), 'flows lost across the reload')


@check('2 workers stopped while packets come: the ring drops are counted, every packet '
       'decoded or dropped')
def _():
    with Net() as net:
        eve = os.path.join(TMP, 'drops.json')
        outdir = os.path.join(TMP, 'drops-out')
        p = net.sensor(eve, '--workers', '2', '--ring-size', '1m', '-o', outdir)
        os.kill(p.pid, 0)
        # the sensor's own process (ip netns exec execs it: the same pid)
        os.kill(p.pid, signal.SIGSTOP)
        try:
            out = net.replay(CAP1, '--loop', '20', '--pps', '50000')
        finally:
            os.kill(p.pid, signal.SIGCONT)
        time.sleep(2)
        stop(p)
        st = last_stats(read_eve(eve))
        cap = st['stats']['capture']
        sent = NPKT1 * 20
        expect('Successful packets:' in out and str(sent) in out, 'tcpreplay: %s' % out)
        expect(cap['kernel_packets'] == sent, 'kernel packets %d, sent %d' % (
            cap['kernel_packets'], sent))
        expect(cap['kernel_drops'] > 0, 'no drops with the sensor stopped')
        pk = st['stats']['decoder']['pkts']
        expect(pk + cap['kernel_drops'] == sent, 'decoded %d + dropped %d != sent %d' % (
            pk, cap['kernel_drops'], sent))
        wk = st['mimamori']['stats']['workers']
        expect(sum(w['kernel_drops'] for w in wk) == cap['kernel_drops'],
               'per-worker drops %s' % wk)
        # mimamori status tells each worker's ring from the segments
        r = subprocess.run([MM, 'status', '-o', outdir, '--format', 'json'],
                           capture_output=True, text=True)
        js = json.loads(r.stdout)
        got = [(w['kernel_packets'], w['kernel']) for w in js['stats']['drops']['workers']]
        expect(got == [(w['kernel_packets'], w['kernel_drops']) for w in wk],
               'status workers %s, stats %s' % (got, wk))
        r = subprocess.run([MM, 'status', '-o', outdir], capture_output=True, text=True)
        expect('workers       2: ' in r.stdout, r.stdout)


ETOPEN = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'rules', 'etopen'))


@check('a reload compiling ET Open while 40,000 packets come: the workers keep capturing '
       '(a 1 MiB ring each: 0.2 s; under 5 % dropped), the swap holds them under 0.5 s')
def _():
    if not os.path.isdir(ETOPEN):
        raise Skip('no ET Open at %s' % ETOPEN)
    with Net() as net:
        rdir = os.path.join(TMP, 'reload-rules')
        os.makedirs(rdir)
        shutil.copy(RULES, rdir)
        eve = os.path.join(TMP, 'reload-et.json')
        errf = open(eve + '.err', 'w+')
        p = subprocess.Popen(['ip', 'netns', 'exec', net.a, MM, 'sensor', '-i', net.dev + 'a',
                              '--eve', eve, '--rules', rdir, '--no-detect', '--workers', '2',
                              '--ring-size', '1m', '--stats-interval', '1'], stderr=errf)
        deadline = time.time() + 30
        while time.time() < deadline and 'capturing on' not in open(eve + '.err').read():
            time.sleep(0.1)
        for n in os.listdir(ETOPEN):         # the next load: ET Open too (no cache: seconds)
            if n.endswith('.rules'):
                os.symlink(os.path.join(ETOPEN, n), os.path.join(rdir, n))
        p.send_signal(signal.SIGHUP)
        out = net.replay(CAP1, '--loop', '10', '--pps', '10000')
        while time.time() < deadline + 60 and 'reloaded in' not in open(eve + '.err').read():
            time.sleep(0.2)
        time.sleep(1.5)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        err = open(eve + '.err').read()
        expect(p.returncode == 0, err)
        m = [l for l in err.splitlines() if 'reloaded in' in l]
        expect(m, 'no reload: %s' % err)
        total = float(m[0].split('reloaded in ')[1].split(' s')[0])
        held = float(m[0].split('capture held ')[1].split(' s')[0])
        print('      reload %.2f s, capture held %.3f s' % (total, held))
        expect(total > 1.0, 'the reload did not compile ET Open (%.2f s)' % total)
        st = last_stats(read_eve(eve))
        cap = st['stats']['capture']
        sent = NPKT1 * 10
        expect('Successful packets:' in out, out)
        # held for the whole compile, the rings (0.2 s each) would drop most of
        # what comes meanwhile; capturing, only what the compile's CPU costs
        print('      %d sent, %d dropped' % (sent, cap['kernel_drops']))
        expect(cap['kernel_packets'] == sent and cap['kernel_drops'] < sent // 20,
               'sent %d, the rings took %d and dropped %d' % (sent, cap['kernel_packets'],
                                                            cap['kernel_drops']))
        expect(st['stats']['decoder']['pkts'] + cap['kernel_drops'] == sent,
               'decoded %d + dropped %d of %d' % (st['stats']['decoder']['pkts'],
                                                   cap['kernel_drops'], sent))
        expect(held < 0.5, 'capture held %.3f s' % held)


@check('--capture pcap: one thread through libpcap, the same flows')
def _():
    with Net() as net:
        eve = os.path.join(TMP, 'pcap.json')
        p = net.sensor(eve, '--capture', 'pcap', '--workers', '2')
        net.replay(CAP1, '--pps', '5000')
        time.sleep(1.5)
        err = stop(p)
        flows, alerts = summary(read_eve(eve))
        expect(flows == FLOWS1, 'flows %d of %d' % (len(set(flows) & set(FLOWS1)), len(FLOWS1)))
        expect(alerts == {(9100001,) + t for t in MARKED1}, 'alerts %d' % len(alerts))
        expect('libpcap, 1 worker' in err, 'capture said: %s' % err)


finish()
