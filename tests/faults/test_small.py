#!/usr/bin/env python3
"""The 2 GB profile (issue 29): the sensor with ET Open and the built-in
detectors writing segments, then the nightly ingest and report of them,
their peak RSS together under 1 GiB, run inside a cgroup v2 with
memory.max = 2G and no swap when this machine has one to give (else the
cgroup part is skipped, saying why, and the RSS is still measured).
Usage: test_small.py MIMAMORI

Oracles: peak RSS from wait4 of each command (in a small helper process of
its own), the cgroup's memory.events (oom_kill), memory.peak when the kernel
has it. Set FAULT_BENCH_MB (default 20) for a larger capture by hand.
Prints one line per check and ends with 'N passed, N failed, N skipped'.
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'e2e'))
from harness import Skip, check, expect, finish  # noqa: E402
import pkts  # noqa: E402

MM = os.path.abspath(sys.argv[1])
SHARED = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared'))
ETOPEN = os.path.join(SHARED, 'rules', 'etopen')
GEN = os.path.join(SHARED, 'bench', 'gen_pcap.py')
TMP = tempfile.mkdtemp(prefix='mm-small-')
GIB = 1 << 30
def sanitized(path):
    """True for a build with AddressSanitizer: its memory figures (shadow
    memory, quarantine) say nothing about the sensor's."""
    with open(path, 'rb') as f:
        return b'__asan_init' in f.read()


SANITIZED = sanitized(MM)
BENCH_MB = int(os.environ.get('FAULT_BENCH_MB', '20'))

# Joins the cgroup (when given), runs the command, writes its exit status and
# peak RSS (KiB) from wait4: a child of this test would inherit the test's
# own high-water mark across exec.
HELPER = """
import os, sys
res, cg = sys.argv[1], sys.argv[2]
if cg:
    with open(os.path.join(cg, 'cgroup.procs'), 'w') as f:
        f.write(str(os.getpid()))
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[3], sys.argv[3:])
_, status, ru = os.wait4(pid, 0)
with open(res, 'w') as f:
    f.write('%d %d' % (os.waitstatus_to_exitcode(status), ru.ru_maxrss))
"""


def measured(args, cg, env=None):
    """(returncode, stderr, peak RSS in KiB) of mimamori ARGS, in cgroup cg."""
    res = os.path.join(TMP, 'res')
    r = subprocess.run([sys.executable, '-c', HELPER, res, cg or '', MM] + args,
                       capture_output=True, text=True, env=env)
    with open(res) as f:
        rc, kib = (int(x) for x in f.read().split())
    return rc, r.stderr, kib


def cgroup_v2():
    """A new cgroup v2 with memory.max 2G and no swap, or (None, why)."""
    root = '/sys/fs/cgroup'
    if os.geteuid() != 0:
        return None, 'needs root'
    try:
        with open('/proc/mounts') as f:
            v2 = any(l.split()[1] == root and l.split()[2] == 'cgroup2' for l in f)
    except OSError:
        v2 = False
    if not v2:
        return None, 'cgroup v2 is not mounted at %s (this machine: v1 or hybrid)' % root
    try:
        with open(os.path.join(root, 'cgroup.subtree_control')) as f:
            if 'memory' not in f.read().split():
                return None, 'the memory controller is not enabled for cgroups under %s' % root
    except OSError as e:
        return None, 'cannot read %s/cgroup.subtree_control: %s' % (root, e)
    cg = os.path.join(root, 'mm-test-%d' % os.getpid())
    try:
        os.mkdir(cg)
        with open(os.path.join(cg, 'memory.max'), 'w') as f:
            f.write('2G')
        if os.path.exists(os.path.join(cg, 'memory.swap.max')):
            with open(os.path.join(cg, 'memory.swap.max'), 'w') as f:
                f.write('0')
    except OSError as e:
        try:
            os.rmdir(cg)
        except OSError:
            pass
        return None, 'cannot make a cgroup under %s: %s' % (root, e)
    return cg, None


def cg_value(cg, name, key=None):
    try:
        with open(os.path.join(cg, name)) as f:
            text = f.read()
    except OSError:
        return None
    if key is None:
        return int(text.split()[0])
    for line in text.splitlines():
        k, v = line.split()
        if k == key:
            return int(v)
    return None


def capture():
    """Bench traffic (../shared/bench/gen_pcap.py) and sessions alerted by a
    rule of our own beside ET Open, as two files of one capture."""
    files = []
    if os.path.exists(GEN):
        bench = os.path.join(TMP, 'bench.pcap')
        subprocess.run([sys.executable, GEN, bench, str(BENCH_MB)], check=True,
                       capture_output=True)
        files.append(bench)
    marks = os.path.join(TMP, 'marks.pcap')
    pc = pkts.Pcap(marks)
    t = 1800000000.0
    for i in range(300):
        cli = pkts.host(i)
        t = pkts.tcp_session(pc, t, cli, '198.51.100.7', 20000 + i, 80,
                             b'GET /s%d HTTP/1.1\r\nHost: s.example\r\n\r\n' % i,
                             b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
        pc.add(t, pkts.udp(cli, '192.0.2.53', 30000 + i, 9999, b'MIMAMORI-FAULT s'))
        t += 0.5
    pc.close()
    files.append(marks)
    return files


def marker_rules():
    """A rules file of one rule, on the marked UDP packets of capture()."""
    rules = os.path.join(TMP, 'fault.rules')
    with open(rules, 'w') as f:
        f.write('alert udp any any -> any 9999 (msg:"mimamori fault test marker"; '
                'content:"MIMAMORI-FAULT"; sid:9000001; rev:1;)\n')
    return rules


@check('the profile: chosen on a 2 GiB box, named, refused when unknown, options win')
def _():
    tiny = os.path.join(TMP, 'tiny.pcap')
    pc = pkts.Pcap(tiny)
    pkts.tcp_session(pc, 1700000000.0, '10.0.0.1', '192.0.2.1', 1234, 80, b'x')
    pc.close()
    base = ['sensor', '-r', tiny, '--eve', os.devnull]
    env = dict(os.environ, MIMAMORI_MEMORY='2g')
    r = subprocess.run([MM] + base, capture_output=True, text=True, env=env)
    expect(r.returncode == 0 and 'the small profile' in r.stderr, r.stderr)
    env['MIMAMORI_MEMORY'] = '3g'
    r = subprocess.run([MM] + base, capture_output=True, text=True, env=env)
    expect(r.returncode == 0 and 'profile' not in r.stderr, r.stderr)
    r = subprocess.run([MM] + base + ['--profile', 'tiny'], capture_output=True, text=True)
    expect(r.returncode == 2 and 'small, standard or auto' in r.stderr, r.stderr)
    # the flood of test_faults in miniature: the profile's flow cap shows
    # in the flow memory of the stats event, and an explicit cap wins
    flood = os.path.join(TMP, 'syn.pcap')
    pc = pkts.Pcap(flood)
    for i in range(60000):
        pc.add(1700000000.0 + i * 1e-5, pkts.tcp(pkts.host(i * 7919), '192.0.2.80',
                                                 1024 + i % 60000, 80, i, 0, 'S'))
    pc.close()

    def flow_mem(extra):
        r = subprocess.run([MM, 'sensor', '-r', flood, '--eve', '-', '-q'] + extra,
                           capture_output=True, text=True)
        expect(r.returncode == 0, r.stderr)
        import json
        st = [json.loads(l) for l in r.stdout.splitlines() if '"event_type":"stats"' in l]
        return st[-1]['mimamori']['stats']['memory']['flows']
    small = flow_mem(['--profile', 'small'])
    std = flow_mem(['--profile', 'standard'])
    mine = flow_mem(['--flow-memcap', '2m', '--profile', 'small'])
    expect(small <= 8 << 20 < std, 'flow memory: small %d, standard %d' % (small, std))
    expect(mine <= 2 << 20, 'flow memory with --flow-memcap 2m: %d' % mine)


KIT = {}


@check('the 2 GB box: sensor with ET Open writing segments, ingest and a PDF report: '
       'peak RSS under 1 GiB together')
def _():
    if not os.path.isdir(ETOPEN):
        raise Skip('no ET Open at %s' % ETOPEN)
    cg, why = cgroup_v2()
    KIT['cg'], KIT['why'] = cg, why
    try:
        files = capture()
        rules = marker_rules()
        out = os.path.join(TMP, 'out')
        db = os.path.join(TMP, 'm.db')
        args = ['sensor', '-o', out, '--site', 'small', '--sensor', 's1', '--rules', ETOPEN,
                '--rules', rules]
        for f in files:
            args += ['-r', f]
        # in the 2G cgroup the profile is chosen by itself; outside it, named
        if not cg:
            args += ['--profile', 'small']
        rc, err, sensor = measured(args, cg)
        expect(rc == 0, err)
        if cg:
            expect('the small profile' in err, 'not chosen in a 2G cgroup: %s' % err)
        rc, err, ingest = measured(['ingest', '--db', db, '-q', out], cg)
        expect(rc == 0, err)
        expect(' 300 alerts' in err, err)
        rc, err, report = measured(['report', '--db', db, '--site', 'small', '--format', 'pdf',
                                    '-o', os.path.join(TMP, 'r.pdf')], cg)
        expect(rc == 0, err)
        total = sensor + ingest + report
        print('      peak RSS: sensor %.1f MiB, ingest %.1f MiB, report (PDF) %.1f MiB; '
              'sum %.1f MiB' % (sensor / 1024, ingest / 1024, report / 1024, total / 1024))
        if SANITIZED:
            print('      AddressSanitizer build: the sum is not checked')
        else:
            expect(total * 1024 < GIB, 'peak RSS sum %.1f MiB' % (total / 1024))
        if cg:
            KIT['oom'] = cg_value(cg, 'memory.events', 'oom_kill')
            KIT['peak'] = cg_value(cg, 'memory.peak')
    finally:
        if cg:
            try:
                os.rmdir(cg)
            except OSError:
                pass


@check('ET Open as the service loads it: compiled by `sensor -T` into the rules cache first, '
       'then the sensor (small profile) peaks at 100 MiB at most, the same alerts')
def _():
    if not os.path.isdir(ETOPEN):
        raise Skip('no ET Open at %s' % ETOPEN)
    files = capture()
    rules = marker_rules()
    cache = os.path.join(TMP, 'cache')
    rc, err, test = measured(['sensor', '-T', '--rules', ETOPEN, '--rules', rules,
                              '--rules-cache', cache, '--profile', 'small'], None)
    expect(rc == 0 and 'compiled in' in err, err)
    out = os.path.join(TMP, 'out-warm')
    args = ['sensor', '-o', out, '--site', 'small', '--sensor', 's1', '--rules', ETOPEN,
            '--rules', rules, '--rules-cache', cache, '--profile', 'small']
    for f in files:
        args += ['-r', f]
    rc, err, sensor = measured(args, None)
    expect(rc == 0, err)
    rc, err, _ = measured(['ingest', '--db', os.path.join(TMP, 'warm.db'), '-q', out], None)
    expect(rc == 0 and ' 300 alerts' in err, err)
    print('      peak RSS: the compile (sensor -T) %.1f MiB, then the sensor %.1f MiB'
          % (test / 1024, sensor / 1024))
    if SANITIZED:
        print('      AddressSanitizer build: the peak is not checked')
    else:
        expect(sensor <= 100 * 1024, 'sensor peak %.1f MiB' % (sensor / 1024))


@check('... inside a cgroup v2 with memory.max 2G and memory.swap.max 0: no OOM kill')
def _():
    if 'cg' not in KIT:
        raise Skip('the run above did not happen')
    if not KIT['cg']:
        raise Skip(KIT['why'])
    print('      cgroup: oom_kill %s, memory.peak %s' % (KIT.get('oom'), KIT.get('peak')))
    expect(KIT.get('oom') == 0, 'OOM kills in the cgroup: %s' % KIT.get('oom'))


shutil.rmtree(TMP, ignore_errors=True)
finish()
