#!/usr/bin/env python3
"""End-to-end tests of mimamori as a service (issue 29): the configuration
file, SIGHUP reloading rules and indicators in a live sensor, capabilities
given up after the capture opens, `mimamori status`, the systemd units.
Usage: test_service.py MIMAMORI MM-PCAPGEN SOURCE-DIR

Live checks run in network namespaces the test makes (root); the peer
sends to an address whose neighbour entry is static, so the sensor's side
never has to answer. Oracles: the rules' own contents (only the new rule
can match the new traffic), /proc/PID/status for capabilities, du/statvfs
for disk figures, systemd-analyze verify for the units.
Prints one line per check and ends with 'N passed, N failed, N skipped'.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, expect, finish, netns_pair, sh  # noqa: E402

MM, GEN, SRC = (os.path.abspath(a) for a in sys.argv[1:4])
TMP = tempfile.mkdtemp(prefix='mm-svc-')
DEMO = os.path.join(TMP, 'demo.pcap')
LIVEOUT = os.path.join(TMP, 'liveout')
subprocess.run([GEN, DEMO], check=True, capture_output=True)


def run(args, **kw):
    return subprocess.run([MM] + args, capture_output=True, text=True, **kw)


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)
    return path


@check('configuration file: settings become flags, a flag wins, lists, yes/no')
def _():
    cfg = write(os.path.join(TMP, 'a.yaml'),
                '# a sensor\nsite: acme\ncommunity_id: yes\n'
                'home-net: [10.0.0.0/8, 192.168.0.0/16]\n')
    r = run(['sensor', '--config', cfg, '-r', DEMO, '--eve', '-', '-q'])
    expect(r.returncode == 0, r.stderr)
    ev = [json.loads(l) for l in r.stdout.splitlines()]
    expect(ev and all(e['mimamori']['site'] == 'acme' for e in ev), 'site from the file')
    expect(any('community_id' in e for e in ev), 'community-id: yes')
    r = run(['sensor', '--config', cfg, '-r', DEMO, '--site', 'cli', '--eve', '-', '-q'])
    ev = [json.loads(l) for l in r.stdout.splitlines()]
    expect(ev and all(e['mimamori']['site'] == 'cli' for e in ev), 'the flag wins')
    # the file's interface gives way to -r on the command line
    cfg2 = write(os.path.join(TMP, 'b.yaml'), 'interface: nosuchif0\nsite: b\n')
    r = run(['sensor', '--config', cfg2, '-r', DEMO, '--eve', '-', '-q'])
    expect(r.returncode == 0, r.stderr)


@check('configuration file: hostile files refused in one line with the line number')
def _():
    cases = [
        ('site: a\nbogus: 1\n', "line 2: unknown key 'bogus'"),
        ('site: [a, b]\n', 'line 1: site takes one value, not a list'),
        ('community-id: perhaps\n', 'line 1: community-id: yes or no'),
        ('rules:\n  - [a]\n', 'line 2: rules: a list inside a list is too deep'),
        ('site: &a x\noutput: *a\n', 'line 2: aliases'),
        ('site: "a\n', 'line 2: found unexpected end of stream'),
        ('rules: ' + '[' * 100000 + '\n', 'too deep'),
        ('#' * (2 << 20), 'too large'),
    ]
    for i, (text, want) in enumerate(cases):
        cfg = write(os.path.join(TMP, 'bad%d.yaml' % i), text)
        r = run(['sensor', '--config', cfg, '-r', DEMO, '--eve', '-', '-q'])
        err = r.stderr.strip()
        expect(r.returncode == 2 and want in err and '\n' not in err and cfg in err,
               '%r: exit %d, %r' % (text[:30], r.returncode, err[:200]))
    r = run(['sensor', '--config', os.path.join(TMP, 'none.yaml'), '-r', DEMO, '--eve', '-'])
    expect(r.returncode == 2 and 'No such file' in r.stderr, 'a missing --config file')


@check('status: last segment, disk, stats; stale after --stale minutes without a segment')
def _():
    out = os.path.join(TMP, 'st')
    r = run(['sensor', '-r', DEMO, '-o', out, '-q'])
    expect(r.returncode == 0, r.stderr)
    r = run(['status', '-o', out])
    expect(r.returncode == 0 and 'state         ok' in r.stdout, r.stdout + r.stderr)
    r = run(['status', '-o', out, '--format', 'json'])
    st = json.loads(r.stdout)
    segs = [f for f in os.listdir(out) if not f.startswith('.')]
    size = sum(os.path.getsize(os.path.join(out, f)) for f in segs)
    vfs = os.statvfs(out)
    expect(st['segments']['closed'] == len(segs) == 1 and st['segments']['closed_bytes'] == size,
           st['segments'])
    expect(st['segments']['last'] == segs[0], st['segments'])
    expect(st['disk']['total_bytes'] == vfs.f_blocks * vfs.f_frsize, st['disk'])
    expect(abs(st['disk']['free_bytes'] - vfs.f_bavail * vfs.f_frsize) < (64 << 20), st['disk'])
    expect(st['stats']['timestamp'].startswith('2023-11-14'), st['stats'])
    # three hours without a closed segment: stale with the default 120 minutes
    old = time.time() - 3 * 3600
    os.utime(os.path.join(out, segs[0]), (old, old))
    r = run(['status', '-o', out])
    expect(r.returncode == 1 and 'STALE' in r.stdout, r.stdout)
    r = run(['status', '-o', out, '--stale', '240'])
    expect(r.returncode == 0, r.stdout)
    r = run(['status', '-o', os.path.join(TMP, 'nothing')])
    expect(r.returncode == 1 and 'nothing' in r.stderr, r.stderr)
    r = run(['status', '-o', os.path.join(TMP, 'st'), '--stale', 'x'])
    expect(r.returncode == 2, r.stderr)


def wait_for(path, text, secs=10.0):
    end = time.time() + secs
    while time.time() < end:
        if os.path.exists(path) and text in open(path).read():
            return True
        time.sleep(0.1)
    return False


def send(ns, port, payload):
    code = ("import socket\n"
            "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            "s.bind(('10.98.0.2',%d))\n"
            "s.sendto(%r,('10.98.0.1',7000))\n" % (port, payload))
    sh(sys.executable, '-c', code, ns=ns)


def alerts(eve):
    out = []
    for line in open(eve):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get('event_type') == 'alert':
            out.append(e)
    return out


@check('SIGHUP in a live sensor: new rules and indicators, a broken file keeps the old set, '
       'capabilities given up')
def _():
    a, b = 'mm-svc-s%d' % os.getpid(), 'mm-svc-p%d' % os.getpid()
    try:
        netns_pair('mmsv', a, [], b, ['10.98.0.2'])
        sh('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', ns=a)
        mac = sh('cat', '/sys/class/net/mmsva/address', ns=a).stdout.strip()
        sh('ip', 'neigh', 'add', '10.98.0.1', 'lladdr', mac, 'dev', 'mmsvb', ns=b)
        rules = write(os.path.join(TMP, 'live.rules'),
                      'alert udp any any -> any 7000 (msg:"old alpha"; content:"alpha"; sid:1;)\n')
        ioc = write(os.path.join(TMP, 'ioc.txt'), '198.51.100.99\n')
        eve = os.path.join(TMP, 'live.json')
        err = os.path.join(TMP, 'live.err')
        cfg = write(os.path.join(TMP, 'live.yaml'),
                    'interface: mmsva\nsite: live\neve: %s\nrules: [%s]\nioc: %s\n'
                    'stats-interval: 1\noutput: %s\n' % (eve, rules, ioc, LIVEOUT))
        with open(err, 'w') as ef:
            p = subprocess.Popen(['ip', 'netns', 'exec', a, MM, 'sensor', '--config', cfg],
                                 stderr=ef)
        try:
            expect(wait_for(eve, '"stats"'), 'the sensor started: %s' % open(err).read())
            capeff = [l.split()[1] for l in open('/proc/%d/status' % p.pid)
                      if l.startswith('CapEff:') or l.startswith('CapPrm:')]
            expect(capeff == ['0000000000000000'] * 2, 'capabilities after start: %s' % capeff)
            send(b, 40001, b'alpha one')
            send(b, 40020, b'a flow across the reload')
            time.sleep(0.5)
            write(rules, 'alert udp any any -> any 7000 (msg:"new bravo"; content:"bravo"; sid:2;)\n')
            write(ioc, '10.98.0.1\n')
            p.send_signal(signal.SIGHUP)
            expect(wait_for(err, 'reloaded'), 'reload said: %s' % open(err).read())
            send(b, 40020, b'the same flow after it')
            send(b, 40002, b'bravo two')
            send(b, 40003, b'alpha three')
            time.sleep(0.5)
            # a broken file: the running set stays, the reason is said
            write(rules, 'alert udp any any -> any 7000 (msg:"new charlie"; content:"charlie"; '
                         'sid:3;)\nalert udp any any -> any 7000 (msg:"cut"; content:"del\n')
            p.send_signal(signal.SIGHUP)
            expect(wait_for(err, 'reload refused'), 'refusal said: %s' % open(err).read())
            send(b, 40004, b'bravo four')
            send(b, 40005, b'charlie five')
            time.sleep(1.5)
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=20)
        stderr = open(err).read()
        expect(p.returncode == 0, 'exit %s: %s' % (p.returncode, stderr))
        got = sorted((e['alert']['signature_id'], e['src_port']) for e in alerts(eve)
                     if e['alert']['signature_id'] in (1, 2, 3))
        expect(got == [(1, 40001), (2, 40002), (2, 40004)],
               'rule alerts (sid, port) %s' % got)
        across = [json.loads(l) for l in open(eve) if '"event_type":"flow"' in l]
        across = [f for f in across if f.get('src_port') == 40020]
        expect(len(across) == 1 and across[0]['flow']['pkts_toserver'] == 2,
               'one flow across the reload: %s' % [f['flow'] for f in across])
        fam = [e for e in alerts(eve) if e['alert'].get('metadata', {}).get('family') == ['ioc']
               or e['alert'].get('metadata', {}).get('family') == 'ioc']
        expect(fam, 'an indicator alert after the indicators were reloaded')
        refused = [l for l in stderr.splitlines() if 'reload refused' in l]
        expect(len(refused) == 1 and 'do not parse' in refused[0] and rules in refused[0],
               'the reason: %s' % refused)
        stats = [json.loads(l) for l in open(eve) if '"event_type":"stats"' in l]
        rl = [s['mimamori']['stats'].get('reload') for s in stats]
        rl = [r for r in rl if r]
        expect(rl and rl[-1]['done'] == 1 and rl[-1]['failed'] == 1 and rl[-1].get('error'),
               'stats reload %s' % (rl[-1] if rl else None))
        # what `mimamori status` makes of it (the configuration names output and rules)
        r = run(['status', '--config', cfg, '--format', 'json'])
        expect(r.returncode == 0, r.stdout + r.stderr)
        st = json.loads(r.stdout)
        expect(st['output'] == LIVEOUT and not st['stale'], st)
        expect(st['segments']['closed'] >= 1, st['segments'])
        s = st['stats']
        expect(s['drops'].get('kernel') == 0 and s['drops'].get('kernel_packets', 0) >= 5, s)
        expect(s['reloads'] == 1 and s['reload_failures'] == 1 and 'parse' in s['reload_error'], s)
        expect(s['rules_loaded'] == 1, s)
        expect(st['rules']['paths'] == [rules] and st['rules']['age_s'] < 60, st.get('rules'))
    finally:
        subprocess.run(['ip', 'netns', 'del', a], capture_output=True)
        subprocess.run(['ip', 'netns', 'del', b], capture_output=True)


@check('as the service runs it: an unprivileged user with only CAP_NET_RAW and CAP_NET_ADMIN '
       '(ambient) captures, then holds no capability')
def _():
    if not shutil.which('setpriv'):
        raise Skip('setpriv (util-linux) missing')
    a, b = 'mm-svc-u%d' % os.getpid(), 'mm-svc-q%d' % os.getpid()
    try:
        netns_pair('mmsu', a, [], b, ['10.98.0.2'])
        mac = sh('cat', '/sys/class/net/mmsua/address', ns=a).stdout.strip()
        sh('ip', 'neigh', 'add', '10.98.0.1', 'lladdr', mac, 'dev', 'mmsub', ns=b)
        d = os.path.join(TMP, 'unpriv')
        os.makedirs(d)
        os.chmod(TMP, 0o755)
        os.chown(d, 65534, 65534)
        eve = os.path.join(d, 'eve.json')
        err = os.path.join(TMP, 'unpriv.err')
        with open(err, 'w') as ef:
            p = subprocess.Popen(['ip', 'netns', 'exec', a, 'setpriv', '--reuid', '65534',
                                  '--regid', '65534', '--clear-groups',
                                  '--inh-caps', '-all,+net_raw,+net_admin',
                                  '--ambient-caps', '-all,+net_raw,+net_admin',
                                  '--bounding-set', '-all,+net_raw,+net_admin',
                                  MM, 'sensor', '-i', 'mmsua', '--eve', eve, '-o',
                                  os.path.join(d, 'out'), '--stats-interval', '1'], stderr=ef)
        try:
            expect(wait_for(eve, '"stats"'), 'started: %s' % open(err).read())
            caps = {l.split(':')[0]: l.split()[1] for l in open('/proc/%d/status' % p.pid)
                    if l.startswith('Cap')}
            uid = [l.split()[1] for l in open('/proc/%d/status' % p.pid) if l.startswith('Uid:')]
            expect(uid == ['65534'], 'uid %s' % uid)
            expect(all(caps[k] == '0000000000000000' for k in ('CapEff', 'CapPrm', 'CapInh',
                                                             'CapAmb')), caps)
            send(b, 40010, b'hello')
            time.sleep(1.5)
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=20)
        expect(p.returncode == 0, 'exit %s: %s' % (p.returncode, open(err).read()))
        flows = [json.loads(l) for l in open(eve) if '"event_type":"flow"' in l]
        expect(any(f.get('src_port') == 40010 for f in flows), 'the flow was captured')
    finally:
        subprocess.run(['ip', 'netns', 'del', a], capture_output=True)
        subprocess.run(['ip', 'netns', 'del', b], capture_output=True)


@check('systemd units: systemd-analyze verify, the sandbox the issue asks for')
def _():
    units = os.path.join(SRC, 'packaging', 'systemd')
    names = sorted(os.listdir(units))
    expect(names == ['mimamori-ingest.service', 'mimamori-ingest.timer',
                     'mimamori-sensor@.service', 'mimamori-update.service',
                     'mimamori-update.timer'], names)
    text = {n: open(os.path.join(units, n)).read() for n in names}
    sensor = text['mimamori-sensor@.service']
    for line in ('ProtectSystem=strict', 'ReadWritePaths=/var/lib/mimamori', 'ProtectHome=yes',
                 'PrivateTmp=yes', 'NoNewPrivileges=yes',
                 'CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN',
                 'AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN', 'User=mimamori',
                 'SystemCallFilter=@system-service', 'Restart=on-failure',
                 'ExecStart=/usr/bin/mimamori sensor --config /etc/mimamori/mimamori.yaml -i %I'):
        expect(line in sensor.splitlines() or any(l.startswith(line) for l in sensor.splitlines()),
               'sensor unit lacks ' + line)
    expect('OnCalendar=' in text['mimamori-ingest.timer'], 'timer')
    expect('ExecStartPost=+/bin/systemctl reload --no-block mimamori-sensor@*.service' in
           text['mimamori-update.service'], 'the update reloads the sensors')
    if not shutil.which('systemd-analyze'):
        raise Skip('systemd-analyze missing (systemd not installed): units not verified')
    # verified with this build's binary in place of /usr/bin/mimamori (verify
    # checks that each command exists)
    d = os.path.join(TMP, 'units')
    os.makedirs(d)
    for n in names:
        write(os.path.join(d, n), text[n].replace('/usr/bin/mimamori', MM))
    r = subprocess.run(['systemd-analyze', 'verify', '--man=no',
                        os.path.join(d, 'mimamori-sensor@eth1.service'),
                        os.path.join(d, 'mimamori-ingest.service'),
                        os.path.join(d, 'mimamori-ingest.timer'),
                        os.path.join(d, 'mimamori-update.service'),
                        os.path.join(d, 'mimamori-update.timer')],
                       capture_output=True, text=True)
    expect(r.returncode == 0 and not r.stderr.strip() and not r.stdout.strip(),
           'verify: %d %s %s' % (r.returncode, r.stdout, r.stderr))
    # each ExecStart parses with this build: the ingest and report lines run
    # on an empty store
    st = os.path.join(TMP, 'state')
    os.makedirs(os.path.join(st, 'out'))
    os.makedirs(os.path.join(st, 'reports'))
    for line in text['mimamori-ingest.service'].splitlines():
        if line.startswith('ExecStart='):
            args = line[len('ExecStart='):].replace('/var/lib/mimamori', st).split()[1:]
            r = run(args)
            expect(r.returncode == 0, '%s: %s' % (line, r.stderr))
    expect(os.path.exists(os.path.join(st, 'reports', 'survey-en.html')), 'reports written')
    # the rules compiled before the sensor starts and after an update
    # (sensor -T) with a configuration of the test's: they land in its cache
    rd = os.path.join(st, 'rules')
    os.makedirs(rd)
    write(os.path.join(rd, 't.rules'), 'alert tcp any any -> any 80 (msg:"t"; '
          'content:"service-test-word"; sid:9300001; rev:1;)\n')
    conf = os.path.join(TMP, 'svc.yaml')
    write(conf, 'rules: [%s]\nrules-cache: %s\n' % (rd, os.path.join(st, 'cache')))
    pre = [l for l in sensor.splitlines() if l.startswith('ExecStartPre=')]
    post = [l for l in text['mimamori-update.service'].splitlines()
            if l.startswith('ExecStartPost=-')]
    expect(len(pre) == 1 and len(post) == 1, 'the compile lines: %s %s' % (pre, post))
    for line in pre + post:
        args = line.split('=', 1)[1].lstrip('-').replace('/etc/mimamori/mimamori.yaml',
                                                         conf).split()[1:]
        r = run(args)
        expect(r.returncode == 0, '%s: %s' % (line, r.stderr))
    expect(any(n.endswith('.hsdb') for n in os.listdir(os.path.join(st, 'cache'))),
           'no compiled rules in the cache')


if __name__ == '__main__':
    try:
        finish()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
