#!/usr/bin/env python3
"""Faults as tests (issue 29): what a sensor left alone for months meets.
Usage: test_faults.py MIMAMORI [CHECK...]

  kill       the sensor killed with SIGKILL at random moments while it reads
             a capture into segments, restarted each time on the same output:
             every segment closed before a kill is still there unchanged, no
             segment is lost or doubled, each run's segments hold a prefix of
             a clean run's events, and ingest imports each segment once
  diskfull   the output on a 2 MiB tmpfs: reading a file exits 1 with a clear
             message; live on a veth pair in namespaces the test makes, the
             sensor keeps capturing, counts the events it could not write and
             writes again once space is freed, every segment complete
  flood      SYN flood, fragment flood, many tiny flows and TCP data held
             out of order under small memcaps: peak RSS stays under the caps
             plus the sensor's own base (not checked under AddressSanitizer),
             and evictions and drops are counted in the summary and stats
  timejump   packet times jumping back by hours and forward again: no crash,
             flows still end, segments still close, a rule still alerts

Oracles: the captures are written here (tests/faults/pkts.py) so what they
hold is known; peak RSS from the kernel (wait4 of the command, run by a
small helper process); segment contents read back as files.

Heavier variants, by hand: FAULT_KILLS=1000 (default 100) and
FAULT_FLOOD_PACKETS=2000000 (default 200000).
Prints one line per check and ends with 'N passed, N failed, N skipped'.
"""
import glob
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'e2e'))
from harness import Skip, check, expect, finish, sh  # noqa: E402
import pkts  # noqa: E402

MM = os.path.abspath(sys.argv[1])
ONLY = set(sys.argv[2:])
TMP = tempfile.mkdtemp(prefix='mm-faults-')
KILLS = int(os.environ.get('FAULT_KILLS', '100'))
FLOOD = int(os.environ.get('FAULT_FLOOD_PACKETS', '200000'))
def sanitized(path):
    """True for a build with AddressSanitizer: its memory figures (shadow
    memory, quarantine) say nothing about the sensor's."""
    with open(path, 'rb') as f:
        return b'__asan_init' in f.read()


SANITIZED = sanitized(MM)
RULE = ('alert udp any any -> any 9999 (msg:"mimamori fault test marker"; '
        'content:"MIMAMORI-FAULT"; sid:9000001; rev:1;)\n')
RULES = os.path.join(TMP, 'fault.rules')
with open(RULES, 'w') as f:
    f.write(RULE)


def wanted(name):
    return not ONLY or name in ONLY


def run(args, **kw):
    return subprocess.run([MM] + args, capture_output=True, text=True, **kw)


# Peak RSS of a child comes from wait4 in a small interpreter of its own: a
# child forked straight from this (large) test process would inherit its
# high-water mark across exec.
RSS_HELPER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], 'w') as f:
    f.write('%d %d' % (os.waitstatus_to_exitcode(status), ru.ru_maxrss))
"""


def rss_run(args):
    """(returncode, stdout, stderr, peak RSS in KiB) of one mimamori run."""
    res = os.path.join(TMP, 'rss.res')
    r = subprocess.run([sys.executable, '-c', RSS_HELPER, res, MM] + args, capture_output=True,
                       text=True)
    with open(res) as f:
        rc, kib = (int(x) for x in f.read().split())
    return rc, r.stdout, r.stderr, kib


def seg_parse(lines):
    head = json.loads(lines[0])['mimamori_segment']
    end = json.loads(lines[-1])['mimamori_segment_end']
    return head, [json.loads(l) for l in lines[1:-1]], end


def seg_read_all(paths):
    """{path: (header, events as dicts, end)} of closed segment files; the
    compressed ones through one zstd process (its output split at the
    header lines, in the order given)."""
    res = {}
    zs = [p for p in paths if p.endswith('.zst')]
    for p in paths:
        if not p.endswith('.zst'):
            with open(p) as f:
                res[p] = seg_parse(f.read().splitlines())
    if zs:
        out = subprocess.run(['zstd', '-dcq'] + zs, capture_output=True, check=True,
                             text=True).stdout.splitlines()
        starts = [i for i, l in enumerate(out) if l.startswith('{"mimamori_segment":')]
        expect(len(starts) == len(zs), 'zstd: %d segments out of %d' % (len(starts), len(zs)))
        for k, p in enumerate(zs):
            res[p] = seg_parse(out[starts[k]:starts[k + 1] if k + 1 < len(zs) else len(out)])
    return res


def norm(e):
    """An event as comparable across runs: flow ids are random per run."""
    e = dict(e)
    e.pop('flow_id', None)
    return json.dumps(e, sort_keys=True)


def closed_segments(d):
    return sorted(p for p in glob.glob(os.path.join(d, '*.eve.json*')))


def stats_of(events):
    """The last stats event among events (dicts)."""
    st = [e for e in events if e.get('event_type') == 'stats']
    return st[-1] if st else None


def kill_capture(path, sessions):
    """TCP sessions with HTTP and a UDP marker packet each (alerted by
    RULE), 50 ms apart: flows end all along the capture."""
    pc = pkts.Pcap(path)
    t = 1700000000.0
    for i in range(sessions):
        cli, srv = pkts.host(i), '198.51.100.%d' % (i % 200 + 1)
        t = pkts.tcp_session(pc, t, cli, srv, 20000 + i % 40000, 80,
                             b'GET /k%d HTTP/1.1\r\nHost: h%d.example\r\n\r\n' % (i, i % 50),
                             b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
        pc.add(t, pkts.udp(cli, '192.0.2.53', 30000 + i % 30000, 9999, b'MIMAMORI-FAULT %d' % i))
        t += 0.05
    pc.close()


if wanted('kill'):
    @check('SIGKILL at %d random moments: no closed segment lost, changed or doubled; '
           'ingest imports each once' % KILLS)
    def _():
        cap = os.path.join(TMP, 'kill.pcap')
        kill_capture(cap, 1000)
        base = ['sensor', '-r', cap, '--rules', RULES, '--site', 'f', '--sensor', 's1',
                '--segment-size', '32k', '-q']
        clean = os.path.join(TMP, 'clean')
        t0 = time.monotonic()
        r = run(base + ['-o', clean])
        dur = time.monotonic() - t0
        expect(r.returncode == 0, r.stderr)
        want = []
        for _, ev, _ in seg_read_all(closed_segments(clean)).values():
            want += [norm(e) for e in ev if e['event_type'] != 'stats']
        expect(len(want) > 1000, 'clean run: %d events' % len(want))

        out = os.path.join(TMP, 'killed')
        seen = {}          # every closed segment ever seen: name -> sha256
        rng = random.Random(29)
        finished = 0
        for i in range(KILLS):
            # one run in four compresses: the publish path with a temporary copy
            extra = ['--zstd=1'] if i % 4 == 1 else []
            p = subprocess.Popen([MM] + base + extra + ['-o', out], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
            time.sleep(rng.uniform(0, dur * 1.05))
            p.kill()
            p.communicate()
            if p.returncode == 0:
                finished += 1
            else:
                expect(p.returncode == -9, 'run %d: exit %s' % (i, p.returncode))
            # hashed when first seen, checked unchanged at the end; none may
            # go missing after a restart
            now = set(closed_segments(out))
            gone = set(seen) - now
            expect(not gone, 'lost after a restart: %s' % sorted(gone)[:5])
            for f in now - set(seen):
                with open(f, 'rb') as fh:
                    seen[f] = hashlib.sha256(fh.read()).hexdigest()
        r = run(base + ['-o', out])
        expect(r.returncode == 0, r.stderr)
        left = glob.glob(os.path.join(out, '.open', '*.part'))
        expect(not left, 'open segments left after a clean stop: %s' % left)
        files = closed_segments(out)
        for f, h in seen.items():
            expect(os.path.exists(f), '%s lost' % f)
            with open(f, 'rb') as fh:
                expect(hashlib.sha256(fh.read()).hexdigest() == h, '%s changed' % f)
        r = run(['segment', 'verify'] + files)
        expect(r.returncode == 0, 'segment verify: %s' % (r.stdout + r.stderr)[-2000:])

        runs = {}
        seqs = {}
        total = alerts = 0
        segs = seg_read_all(files)
        for f in files:
            head, ev, end = segs[f]
            expect(head['seq'] == end['seq'], f)
            expect(head['seq'] not in seqs, 'seq %d twice: %s and %s' % (head['seq'], f,
                                                                       seqs.get(head['seq'])))
            seqs[head['seq']] = f
            runs.setdefault(head['run'], []).append((head['seq'], ev))
            total += len(ev)
            alerts += sum(1 for e in ev if e['event_type'] == 'alert')
        # each run's events, in sequence order, are the clean run's from the
        # start: a segment lost or doubled inside a run breaks this
        complete = 0
        for run_id, rsegs in runs.items():
            got = []
            for _, ev in sorted(rsegs, key=lambda x: x[0]):
                got += [norm(e) for e in ev if e['event_type'] != 'stats']
            expect(got == want[:len(got)], 'run %s: its events are not a prefix of the '
                   'clean run\'s (%d events)' % (run_id, len(got)))
            complete += got == want
        expect(complete >= 1 + finished, 'complete runs: %d, want %d' % (complete, 1 + finished))

        db = os.path.join(TMP, 'kill.db')
        r = run(['ingest', '--db', db, '-q', out])
        expect(r.returncode == 0, r.stderr)
        line = r.stdout + r.stderr
        expect('%d inputs: %d imported, 0 already imported, 0 damaged' % (len(files), len(files))
               in line, line)
        expect('%d events: %d alerts' % (total, alerts) in line, line)
        r = run(['ingest', '--db', db, '-q', out])
        line = r.stdout + r.stderr
        expect(r.returncode == 0 and '0 imported, %d already imported' % len(files) in line, line)
        print('      %d kills (%d runs ended first), %d segments, %d events, %d alerts, '
              '%d recovered' % (KILLS, finished, len(files), total, alerts,
                                sum(1 for f in files if segs[f][2]['recovered'])))



class Tmpfs:
    """A tmpfs of the given size mounted at a new directory (root only)."""

    def __init__(self, name, size):
        if os.geteuid() != 0:
            raise Skip('needs root to mount a tmpfs')
        self.path = os.path.join(TMP, name)
        os.makedirs(self.path)
        r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%s' % size, 'tmpfs', self.path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise Skip('cannot mount a tmpfs: %s' % r.stderr.strip())

    def fill(self):
        """Write a file until the disk is full; its path."""
        path = os.path.join(self.path, 'filler')
        with open(path, 'wb', buffering=0) as f:
            try:
                while True:
                    f.write(b'\0' * 65536)
            except OSError:
                pass
            try:
                while True:
                    f.write(b'\0' * 512)
            except OSError:
                pass
        return path

    def __enter__(self):
        return self

    def __exit__(self, *a):
        subprocess.run(['umount', '-l', self.path], capture_output=True)


def verify_dir(d):
    files = closed_segments(d)
    if files:
        r = run(['segment', 'verify'] + files)
        expect(r.returncode == 0, 'segment verify: %s' % (r.stdout + r.stderr)[-1500:])
    return files


if wanted('diskfull'):
    @check('disk full, reading a file: exit 1 with a clear message, closed segments complete')
    def _():
        cap = os.path.join(TMP, 'full.pcap')
        kill_capture(cap, 4000)
        with Tmpfs('full-file', '2m') as fs:
            out = os.path.join(fs.path, 'out')
            r = run(['sensor', '-r', cap, '--rules', RULES, '-o', out, '--segment-size', '64k'])
            expect(r.returncode == 1, 'exit %d' % r.returncode)
            expect('No space left on device' in r.stderr, r.stderr)
            expect('events could not be written' in r.stderr, r.stderr)
            expect('events not written' in r.stderr, r.stderr)   # the limits line
            files = verify_dir(out)
            expect(files, 'no segment closed before the disk filled')

    @check('disk full, live on a veth: keeps capturing, counts what it could not write, '
           'writes again when space returns')
    def _():
        tag = 'mmf%d' % (os.getpid() % 100000)
        a, b = tag + '-s', tag + '-p'
        with Tmpfs('full-live', '2m') as fs:
            try:
                sh('ip', 'netns', 'add', a)
                sh('ip', 'netns', 'add', b)
                sh('ip', 'link', 'add', tag + 'a', 'netns', a, 'type', 'veth', 'peer', 'name',
                   tag + 'b', 'netns', b)
                sh('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', ns=a)
                sh('ip', 'link', 'set', tag + 'a', 'up', ns=a)
                sh('ip', 'addr', 'add', '10.98.0.2/24', 'dev', tag + 'b', ns=b)
                sh('ip', 'link', 'set', tag + 'b', 'up', ns=b)
                mac = sh('cat', '/sys/class/net/%sa/address' % tag, ns=a).stdout.strip()
                sh('ip', 'neigh', 'add', '10.98.0.1', 'lladdr', mac, 'dev', tag + 'b', ns=b)
                out = os.path.join(fs.path, 'out')
                errf = open(os.path.join(TMP, 'live.err'), 'w+')
                p = subprocess.Popen(['ip', 'netns', 'exec', a, MM, 'sensor', '-i', tag + 'a',
                                      '--rules', RULES, '-o', out, '--segment-size', '16k',
                                      '--segment-age', '1', '--stats-interval', '1',
                                      '--site', 'f', '--sensor', 'live'],
                                     stdout=subprocess.DEVNULL, stderr=errf)
                try:
                    def on_disk(*what):
                        """Events (lines) in the segments, open and closed, that
                        hold every string of what (an alert names its source
                        port twice: lines, not occurrences)."""
                        n = 0
                        for f in glob.glob(os.path.join(out, '*')) + glob.glob(
                                os.path.join(out, '.open', '*.part')):
                            try:
                                with open(f, 'rb') as fh:
                                    n += sum(all(w.encode() in line for w in what)
                                             for line in fh.read().split(b'\n'))
                            except OSError:
                                pass
                        return n

                    def wait_for(cond, what, limit=30):
                        end = time.monotonic() + limit
                        while not cond():
                            expect(time.monotonic() < end, 'waited %d s for %s' % (limit, what))
                            expect(p.poll() is None, 'the sensor stopped: %s' % what)
                            time.sleep(0.2)

                    def send(first, n):
                        code = ("import socket,time\n"
                                "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                                "s.bind(('10.98.0.2',%d))\n"
                                "for i in range(%d):\n"
                                "    s.sendto(b'MIMAMORI-FAULT %%d' %% i,('10.98.0.1',9999))\n"
                                "    if i %% 50 == 49: time.sleep(0.01)\n" % (first, n))
                        sh(sys.executable, '-c', code, ns=b)

                    def err_text():
                        errf.seek(0)
                        return errf.read()

                    # capturing once the first heartbeat is on disk
                    wait_for(lambda: on_disk('"event_type":"stats"') > 0, 'the first stats event')
                    send(40000, 200)          # written
                    wait_for(lambda: on_disk('"event_type":"alert"', '"src_port":40000') >= 200,
                             'the first alerts')
                    filler = fs.fill()
                    send(41000, 3000)         # no space: counted, not written
                    wait_for(lambda: 'events are counted' in err_text(), 'the full disk reported')
                    time.sleep(1.0)
                    expect(p.poll() is None, 'the sensor stopped on a full disk')
                    os.unlink(filler)
                    send(42000, 200)          # written again
                    wait_for(lambda: on_disk('"event_type":"alert"', '"src_port":42000') >= 200,
                             'alerts once space returned')
                    time.sleep(1.5)           # a segment closes (--segment-age 1)
                finally:
                    p.terminate()
                    p.wait(timeout=20)
                errf.seek(0)
                err = errf.read()
                expect('No space left on device' in err and 'events are counted' in err, err)
                expect('writing segments in %s again' % out in err, err)
                files = verify_dir(out)
                ev = []
                for _, e, _ in seg_read_all(files).values():
                    ev += e
                ports = {}
                for e in ev:
                    if e['event_type'] == 'alert':
                        ports.setdefault(e['src_port'], 0)
                        ports[e['src_port']] += 1
                expect(ports.get(40000, 0) == 200, 'alerts before the disk filled: %s' % ports)
                expect(ports.get(42000, 0) == 200, 'alerts once space returned: %s' % ports)
                st = stats_of(sorted(ev, key=lambda e: e['timestamp']))
                expect(st is not None, 'no stats event written')
                ms = st['mimamori']['stats']
                unw = ms['output']['events_unwritten']
                expect(unw > 0, 'events_unwritten %d' % unw)
                expect(st['stats']['decoder']['pkts'] >= 3400, 'packets %d'
                       % st['stats']['decoder']['pkts'])
                # every alert raised is either in a segment or counted unwritten
                # (stats events and flow events go the same way)
                expect(st['stats']['detect']['alert'] == 3400, 'alerts raised %d'
                       % st['stats']['detect']['alert'])
                expect(ports.get(41000, 0) + unw >= 3000, 'phase 2: %d written, %d unwritten'
                       % (ports.get(41000, 0), unw))
                print('      %d segments; phase 2: %d alerts written, %d events not written'
                      % (len(files), ports.get(41000, 0), unw))
            finally:
                subprocess.run(['ip', 'netns', 'del', a], capture_output=True)
                subprocess.run(['ip', 'netns', 'del', b], capture_output=True)


def flood_capture(path, n):
    """n packets: a SYN flood from a new source each packet, a flood of first
    fragments never completed, one-packet UDP flows, and TCP sessions whose
    data arrives with its first segment missing (held out of order)."""
    pc = pkts.Pcap(path)
    t = 1700000000.0
    q = n // 4
    for i in range(q):
        pc.add(t, pkts.tcp(pkts.host(i * 7919, 10), '192.0.2.80', 1024 + i % 60000, 80, i, 0, 'S'))
        t += 0.00001
    for i in range(q):
        pc.add(t, pkts.ipv4(pkts.host(i, 172), '192.0.2.81', 17,
                            b'\x30\x39\x27\x0f\x00\x50\x00\x00' + b'A' * 72, ident=i, more=True))
        t += 0.00001
    for i in range(q):
        pc.add(t, pkts.udp(pkts.host(i * 31, 100), '192.0.2.82', 1024 + i % 60000,
                           53 + i % 1000, b'x'))
        t += 0.00001
    i = 0
    while pc.n < n:
        cli, srv, sp = pkts.host(i, 11), '192.0.2.83', 1024 + i % 60000
        pc.add(t, pkts.tcp(cli, srv, sp, 8000, 100, 0, 'S'))
        pc.add(t, pkts.tcp(srv, cli, 8000, sp, 900, 101, 'SA'))
        pc.add(t, pkts.tcp(cli, srv, sp, 8000, 101, 901, 'A'))
        for k in range(1, 12):     # segment 0 never comes
            pc.add(t, pkts.tcp(cli, srv, sp, 8000, 101 + k * 1200, 901, 'A', b'B' * 1200))
        t += 0.00001
        i += 1
    pc.close()
    return pc.n


CAPS = {'--flow-memcap': 2, '--stream-memcap': 1, '--defrag-memcap': 1, '--app-memcap': 2}

if wanted('flood'):
    @check('floods under small memcaps (%d packets): peak RSS under the caps plus the base, '
           'evictions and drops counted' % FLOOD)
    def _():
        cap = os.path.join(TMP, 'flood.pcap')
        npk = flood_capture(cap, FLOOD)
        tiny = os.path.join(TMP, 'tiny.pcap')
        pc = pkts.Pcap(tiny)
        pkts.tcp_session(pc, 1700000000.0, '10.0.0.1', '192.0.2.1', 1234, 80, b'GET / HTTP/1.1\r\n\r\n')
        pc.close()
        caps = []
        for k, v in CAPS.items():
            caps += [k, '%dm' % v]
        rc, _, err, base = rss_run(['sensor', '-r', tiny, '--eve', os.path.join(TMP, 'b.json')]
                                   + caps)
        expect(rc == 0, err)
        eve = os.path.join(TMP, 'flood.json')
        rc, _, err, peak = rss_run(['sensor', '-r', cap, '--eve', eve] + caps)
        expect(rc == 0, err)
        # data waiting for its acknowledgement may take 4 x the stream memcap
        # (MM_HOLD_PER_MEMCAP) on top of the out-of-order pool
        budget = base + (sum(CAPS.values()) + 4 * CAPS['--stream-memcap']) * 1024 + 4096
        if SANITIZED:
            print('      AddressSanitizer build: peak RSS not checked')
        else:
            expect(peak <= budget, 'peak RSS %d KiB over %d KiB (base %d KiB + caps + 4 MiB)'
                   % (peak, budget, base))
        expect('limits reached' in err, err)
        with open(eve) as f:
            st = stats_of([json.loads(l) for l in f])
        ms = st['mimamori']['stats']
        expect(ms['flows_evicted'] > 0, 'flows evicted %d' % ms['flows_evicted'])
        expect(ms['drops']['defrag_memcap'] > 0, 'defrag %s' % ms['drops'])
        expect(ms['drops']['stream_memcap'] > 0, 'stream %s' % ms['drops'])
        expect(st['stats']['decoder']['pkts'] == npk, 'packets %d' % st['stats']['decoder']['pkts'])
        mem = ms['memory']
        expect(mem['flows'] <= CAPS['--flow-memcap'] << 20, 'flow memory %d' % mem['flows'])
        expect(mem['stream'] <= 5 * CAPS['--stream-memcap'] << 20, 'stream memory %d'
               % mem['stream'])
        expect(mem['defrag'] <= CAPS['--defrag-memcap'] << 20, 'defrag memory %d' % mem['defrag'])
        print('      peak RSS %d KiB (base %d KiB, budget %d KiB); %d flows evicted, %d not '
              'tracked, %d segments and %d reassemblies dropped'
              % (peak, base, budget, ms['flows_evicted'], ms['flows_not_tracked'],
                 ms['drops']['stream_memcap'], ms['drops']['defrag_memcap']))


if wanted('timejump'):
    @check('time going backwards by hours and forward again: flows still time out, '
           'segments still close, the rule still alerts')
    def _():
        cap = os.path.join(TMP, 'jump.pcap')
        pc = pkts.Pcap(cap)
        t0 = 1700000000.0
        markers = 0
        # phases: at t0, three hours back, six hours on (three past t0), back
        # again by a minute in the middle of a session
        starts = [t0, t0 - 3 * 3600, t0 + 3 * 3600]
        for ph, start in enumerate(starts):
            t = start
            # left open: a UDP flow and a TCP connection without FIN
            pc.add(t, pkts.udp('10.1.%d.1' % ph, '192.0.2.9', 5000, 5001, b'open'))
            pc.add(t, pkts.tcp('10.1.%d.1' % ph, '192.0.2.9', 6000, 22, 1, 0, 'S'))
            pc.add(t, pkts.tcp('192.0.2.9', '10.1.%d.1' % ph, 22, 6000, 7, 2, 'SA'))
            pc.add(t, pkts.tcp('10.1.%d.1' % ph, '192.0.2.9', 6000, 22, 2, 8, 'A'))
            for i in range(60):
                cli = pkts.host(ph * 1000 + i)
                t = pkts.tcp_session(pc, t, cli, '198.51.100.1', 30000 + i, 80,
                                     b'GET /j HTTP/1.1\r\nHost: j.example\r\n\r\n',
                                     b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
                pc.add(t, pkts.udp(cli, '192.0.2.53', 31000 + i, 9999, b'MIMAMORI-FAULT j'))
                markers += 1
                t += 1.0
        # a marker datagram in two fragments whose times run backwards
        dg = pkts.udp_seg('10.2.0.1', '192.0.2.53', 32000, 9999, b'MIMAMORI-FAULT frag' + b'F' * 60)
        pc.add(t + 10, pkts.ipv4('10.2.0.1', '192.0.2.53', 17, dg[:40], ident=77, more=True))
        pc.add(t + 10 - 7200, pkts.ipv4('10.2.0.1', '192.0.2.53', 17, dg[40:], ident=77,
                                        frag_off=40))
        markers += 1
        # a session whose packets go back a minute half way
        t = starts[-1] + 600
        pc.add(t, pkts.tcp('10.3.0.1', '198.51.100.2', 40000, 80, 1, 0, 'S'))
        pc.add(t - 60, pkts.tcp('198.51.100.2', '10.3.0.1', 80, 40000, 9, 2, 'SA'))
        pc.add(t - 59, pkts.tcp('10.3.0.1', '198.51.100.2', 40000, 80, 2, 10, 'A'))
        pc.add(t - 58, pkts.tcp('10.3.0.1', '198.51.100.2', 40000, 80, 2, 10, 'FA'))
        pc.add(t - 57, pkts.tcp('198.51.100.2', '10.3.0.1', 80, 40000, 10, 3, 'FA'))
        pc.close()
        out = os.path.join(TMP, 'jump')
        r = run(['sensor', '-r', cap, '--rules', RULES, '-o', out, '--segment-size', '4k',
                 '--site', 'f', '--sensor', 'j'])
        expect(r.returncode == 0, r.stderr)
        files = verify_dir(out)
        expect(len(files) >= 10, 'segments closed: %d' % len(files))
        ev = []
        for _, e, _ in seg_read_all(files).values():
            ev += e
        alerts = [e for e in ev if e['event_type'] == 'alert'
                  and e['alert']['signature_id'] == 9000001]
        expect(len(alerts) == markers, 'alerts %d, markers %d' % (len(alerts), markers))
        flows = [e for e in ev if e['event_type'] == 'flow']
        # 60 sessions and markers per phase, 2 open flows per phase, the ICMP
        # the kernel never sent is not here: 3*(120+2) + fragment + the last
        expect(len(flows) == 3 * 122 + 2, 'flows %d' % len(flows))
        opened = {}
        for e in flows:
            if e['src_ip'].startswith('10.1.'):
                opened[(int(e['src_ip'].split('.')[2]), e['proto'])] = e['flow']['reason']
        # the flows left open before each jump end by timeout (the capture
        # runs three hours past each of them), the last ones at the end
        for ph in (0, 1):
            for proto in ('UDP', 'TCP'):
                expect(opened.get((ph, proto)) == 'timeout', 'phase %d %s: %s'
                       % (ph, proto, opened))

shutil.rmtree(TMP, ignore_errors=True)
finish()
