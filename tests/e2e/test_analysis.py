#!/usr/bin/env python3
"""The analysis side end to end: three fictional companies whose traffic is
made by the scenario generator (tools/attackgen.c: known attacks; companies
given the same scenario share its attacker), a sensor per company writing
segments, `mimamori ingest` into SQLite (and PostgreSQL, started here), and
`mimamori report` in JSON, HTML (rendered by headless Chromium) and PDF
(pdftotext, pdftoppm).

Oracles, none of them our own report code:
- families: what each scenario raises (mm-attackgen --list) and the alert
  lines the sensor wrote, counted here with Python's json module;
- countries: every packet of the captures as tshark decodes it, each end's
  country looked up here in the tor-geoipdb range files;
- addresses at several companies: the public alert peers of each company's
  events, intersected here.

Usage: test_analysis.py MIMAMORI MM-ATTACKGEN
"""
import bisect
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, expect, finish  # noqa: E402
import pgtemp  # noqa: E402

MM = os.path.abspath(sys.argv[1])
GEN = os.path.abspath(sys.argv[2])
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
TMP = tempfile.mkdtemp(prefix='mm-analysis-')
os.chmod(TMP, 0o755)

# name -> (scenarios, seed). Names: plain, spaced and Japanese, as analysts write them.
SITES = {
    'sakura-kogyo': ('rdp-bruteforce,ntp-flood,beacon', 11),
    'Naniwa Seiki': ('rdp-bruteforce,exploit-kit', 12),
    '桜商事': ('ntp-flood,gh0st', 13),
}
# what each scenario may raise (mm-attackgen --list), as report families
SCENARIO_FAMILIES = {
    'rdp-bruteforce': ({'rdp'}, {'scan-bruteforce'}),
    'ntp-flood': ({'ntp-ddos'}, set()),
    'beacon': ({'c2'}, set()),
    'exploit-kit': ({'exploit-kit'}, {'malicious-file'}),
    'gh0st': ({'gh0st'}, set()),
}
HOME = [ipaddress.ip_network(n) for n in ('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16',
                                          'fc00::/7')]


def run(*args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)


def mm(*args, **kw):
    return run(MM, *args, **kw)


def events_of(segdir):
    out = []
    for name in sorted(os.listdir(segdir)):
        p = os.path.join(segdir, name)
        if os.path.isfile(p) and not name.startswith('.'):
            r = mm('segment', 'cat', p)
            expect(r.returncode == 0, r.stderr)
            out += [json.loads(line) for line in r.stdout.splitlines() if line]
    return out


def report_json(db, *extra):
    r = mm('report', '--db', db, '--format', 'json', *extra)
    expect(r.returncode == 0, r.stderr)
    return json.loads(r.stdout)


# ---- the tor-geoipdb ranges, read here (an oracle independent of geo.c)

class Geo:
    def __init__(self, d):
        self.v4 = []
        with open(os.path.join(d, 'geoip')) as f:
            for line in f:
                if line[:1].isdigit():
                    lo, hi, cc = line.strip().split(',')[:3]
                    self.v4.append((int(lo), int(hi), cc))
        self.v4.sort()
        self.lo4 = [r[0] for r in self.v4]
        self.v6 = []
        with open(os.path.join(d, 'geoip6')) as f:
            for line in f:
                if line[:1].isalnum() and not line.startswith('#'):
                    lo, hi, cc = line.strip().split(',')[:3]
                    self.v6.append((int(ipaddress.ip_address(lo)), int(ipaddress.ip_address(hi)),
                                    cc))
        self.v6.sort()
        self.lo6 = [r[0] for r in self.v6]

    def cc(self, ip):
        a = ipaddress.ip_address(ip)
        rng, los = (self.v4, self.lo4) if a.version == 4 else (self.v6, self.lo6)
        i = bisect.bisect_right(los, int(a)) - 1
        if i >= 0 and rng[i][0] <= int(a) <= rng[i][1] and rng[i][2] not in ('??', ''):
            return rng[i][2].upper()
        return 'XX'


def is_home(a):
    return any(a in n for n in HOME)


def is_public(a):
    return a.is_global


# ---- make the data once

SEG = {}
EVENTS = {}
for i, (site, (attacks, seed)) in enumerate(SITES.items()):
    pcap = os.path.join(TMP, 'site%d.pcap' % i)
    r = run(GEN, 'company', '--days', 3, '--hosts', 6, '--seed', seed, '--attacks', attacks, pcap)
    if r.returncode != 0:
        print('FAIL  setup: mm-attackgen: ' + r.stderr)
        sys.exit(1)
    seg = os.path.join(TMP, 'seg%d' % i)
    r = mm('sensor', '-r', pcap, '--site', site, '-o', seg, '--geoip', 'default', '-q')
    if r.returncode != 0:
        print('FAIL  setup: sensor: ' + r.stderr)
        sys.exit(1)
    SEG[site] = (pcap, seg)
    EVENTS[site] = events_of(seg)

DB = os.path.join(TMP, 'store.db')
FIRST = mm('ingest', '--db', DB, *[SEG[s][1] for s in SITES])
REPORT = report_json(DB) if FIRST.returncode == 0 else None


@check('ingest: every segment imported, the summary line counts them')
def _():
    expect(FIRST.returncode == 0, FIRST.stderr)
    last = FIRST.stderr.strip().splitlines()[-1]
    n_alerts = sum(1 for s in SITES for e in EVENTS[s] if e['event_type'] == 'alert')
    n_flows = sum(1 for s in SITES for e in EVENTS[s] if e['event_type'] == 'flow')
    expect('3 imported' in last and '0 damaged' in last, last)
    expect(' %d alerts, %d flows,' % (n_alerts, n_flows) in last, (last, n_alerts, n_flows))


@check('report JSON: sites and alerts_by_family equal the sensor\'s alert lines')
def _():
    expect(sorted(REPORT['sites']) == sorted(SITES), REPORT['sites'])
    for site, (attacks, _) in SITES.items():
        want = {}
        for e in EVENTS[site]:
            if e['event_type'] == 'alert':
                fam = e['alert']['metadata']['family'][0]
                want[fam] = want.get(fam, 0) + 1
        got = REPORT['alerts_by_family'][site]
        expect(got == want, (site, got, want))
        must = set().union(*(SCENARIO_FAMILIES[a][0] for a in attacks.split(',')))
        may = must.union(*(SCENARIO_FAMILIES[a][1] for a in attacks.split(',')))
        expect(must <= set(got) <= may, (site, sorted(got), must, may))


@check('report JSON: countries by packets each way equal tshark over the captures')
def _():
    if not shutil.which('tshark'):
        raise Skip('tshark missing')
    geo = Geo(os.path.join(ROOT, 'data', 'geoip'))
    for site in SITES:
        r = run('tshark', '-r', SEG[site][0], '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst',
                '-e', 'ipv6.src', '-e', 'ipv6.dst', '-E', 'separator=,')
        expect(r.returncode == 0, r.stderr)
        want = {'inbound': {}, 'outbound': {}}
        for line in r.stdout.splitlines():
            f = line.split(',')
            src, dst = (f[0], f[1]) if f[0] else (f[2], f[3])
            if not src or ',' in src:
                continue
            a, b = ipaddress.ip_address(src.split(',')[0]), ipaddress.ip_address(dst)
            if is_home(a) and not is_home(b) and is_public(b):
                d = want['outbound']
                d[geo.cc(dst)] = d.get(geo.cc(dst), 0) + 1
            elif is_home(b) and not is_home(a) and is_public(a):
                d = want['inbound']
                d[geo.cc(src)] = d.get(geo.cc(src), 0) + 1
        got = REPORT['countries'][site]
        expect(got == want, (site, got, want))
        expect(sum(want['inbound'].values()) > 1000, 'too little traffic to mean anything')


def shared_peers(event_type):
    """Public addresses (either end) in events of this type at two or more
    companies: {ip: sorted companies}."""
    peers = {}
    for site in SITES:
        for e in EVENTS[site]:
            if e['event_type'] != event_type:
                continue
            for ip in (e['src_ip'], e['dest_ip']):
                a = ipaddress.ip_address(ip)
                if is_public(a) and not is_home(a):
                    peers.setdefault(ip, set()).add(site)
    return {ip: sorted(s) for ip, s in peers.items() if len(s) >= 2}


@check('report JSON: cross_site_ips are the public alert peers shared by companies')
def _():
    want = shared_peers('alert')
    got = {x['ip']: sorted(x['sites']) for x in REPORT['cross_site_ips']}
    expect(got == want, (got, want))
    # the generator's ground truth: same scenario, same attacker
    names = list(SITES)
    pairs = sorted(tuple(v) for v in got.values())
    expect(sorted([tuple(sorted([names[0], names[1]])), tuple(sorted([names[0], names[2]]))])
           == pairs, pairs)


@check('report JSON: cross_site_flow_ips are the public flow peers shared by companies')
def _():
    alerted = {ip for site in SITES for e in EVENTS[site] if e['event_type'] == 'alert'
               for ip in (e['src_ip'], e['dest_ip'])}
    want = shared_peers('flow')
    got = {x['ip']: sorted(x['sites']) for x in REPORT['cross_site_flow_ips']}
    expect(got == want, (got, want))
    for x in REPORT['cross_site_flow_ips']:
        # an address in an alert is never called shared infrastructure
        expect(not (x['ip'] in alerted and x['shared_infrastructure']), x)
    expect(any(x['shared_infrastructure'] for x in REPORT['cross_site_flow_ips']),
           'the well-known services all companies use are marked')


@check('report JSON: the three pictures (remote control accepted, beacon both ways, NTP flood)')
def _():
    c = REPORT['companies']
    rc = c['sakura-kogyo']['remote_control']
    expect(rc and rc[0]['accepted'] and rc[0]['alerts'] >= 3, rc)
    mal = c['sakura-kogyo']['malicious_sites']
    expect(mal and mal[0]['families'] == 'c2' and mal[0]['both_directions'], mal)
    # beaconing every 60 s for two hours (mm-attackgen --list)
    expect(6600 <= mal[0]['duration_s'] <= 7300, mal[0])
    dd = c['桜商事']['ddos']
    expect(dd and dd[0]['packets_in'] > 0, dd)
    expect(not c['Naniwa Seiki']['ddos'], c['Naniwa Seiki']['ddos'])


@check('report: a beacon to a server no other company talks to counts one severity higher')
def _():
    # what the sensor said (the generator's beacon: raw TCP to an address
    # nobody looked up, so severity 2), and the one server only
    # sakura-kogyo's hosts talk to among the store's three companies
    b = [e for e in EVENTS['sakura-kogyo'] if e['event_type'] == 'alert'
         and e['alert']['signature_id'] == 8700084]
    expect(len(b) == 1 and b[0]['alert']['severity'] == 2, [e['alert'] for e in b])
    others = {e['dest_ip'] for s in SITES if s != 'sakura-kogyo' for e in EVENTS[s]
              if e['event_type'] == 'flow'} | {e['src_ip'] for s in SITES if s != 'sakura-kogyo'
                                                for e in EVENTS[s] if e['event_type'] == 'flow'}
    expect(b[0]['dest_ip'] not in others, b[0]['dest_ip'])
    f = [x for x in REPORT['companies']['sakura-kogyo']['findings']
         if x['signature'].startswith('MIMAMORI C2 periodic beaconing')]
    expect(len(f) == 1 and f[0]['severity'] == 1, f)


@check('ingest again: nothing added (same JSON), every input already imported')
def _():
    r = mm('ingest', '--db', DB, *[SEG[s][1] for s in SITES])
    expect(r.returncode == 0, r.stderr)
    expect('0 imported, 3 already imported' in r.stderr, r.stderr)
    expect(report_json(DB) == REPORT, 'report changed')


@check('ingest: a damaged segment is reported and skipped, the rest imported')
def _():
    seg = os.path.join(TMP, 'segd')
    os.makedirs(seg)
    r = mm('sensor', '-r', SEG['sakura-kogyo'][0], '--site', 'damaged-co', '-o', seg,
           '--segment-size', '200k', '-q')
    expect(r.returncode == 0, r.stderr)
    files = sorted(f for f in os.listdir(seg) if not f.startswith('.'))
    expect(len(files) >= 3, files)
    with open(os.path.join(seg, files[1]), 'r+b') as f:     # one byte flipped
        f.seek(5000)
        b = f.read(1)
        f.seek(5000)
        f.write(bytes([b[0] ^ 0x20]))
    with open(os.path.join(seg, files[2]), 'r+b') as f:     # cut short
        f.truncate(os.path.getsize(os.path.join(seg, files[2])) // 2)
    db = os.path.join(TMP, 'damaged.db')
    r = mm('ingest', '--db', db, seg)
    expect(r.returncode == 0, r.stderr)
    expect(r.stderr.count('damaged, skipped') == 2, r.stderr)
    expect('%d imported' % (len(files) - 2) in r.stderr and '2 damaged' in r.stderr, r.stderr)
    r = mm('ingest', '--db', db, '--strict', seg)
    expect(r.returncode == 1, 'with --strict a damaged input exits 1')
    expect(report_json(db)['sites'] == ['damaged-co'], 'site from the segments')


@check('ingest: sealed zstd segments need the analysis side\'s key; then same alerts')
def _():
    d = os.path.join(TMP, 'sealed')
    os.makedirs(d)
    key = os.path.join(d, 'central')
    r = mm('keygen', key)
    expect(r.returncode == 0, r.stderr)
    seg = os.path.join(d, 'seg')
    r = mm('sensor', '-r', SEG['桜商事'][0], '--site', '桜商事', '-o', seg, '--zstd',
           '--seal-key', key + '.pub', '-q')
    expect(r.returncode == 0, r.stderr)
    db = os.path.join(d, 'sealed.db')
    r = mm('ingest', '--db', db, seg)
    expect(r.returncode == 0 and '--key' in r.stderr and '1 damaged' in r.stderr, r.stderr)
    r = mm('ingest', '--db', db, '--key', key + '.key', seg)
    expect(r.returncode == 0 and '1 imported' in r.stderr, r.stderr)
    r = mm('ingest', '--db', db, '--key', key + '.key', seg)
    expect('1 already imported' in r.stderr and ' 0 alerts,' in r.stderr, r.stderr)
    got = report_json(db)
    expect(got['alerts_by_family'] == {'桜商事': REPORT['alerts_by_family']['桜商事']},
           got['alerts_by_family'])


@check('ingest: Suricata-style eve.json (no mimamori object) gives the same report')
def _():
    db = os.path.join(TMP, 'suricata.db')
    for site in SITES:
        path = os.path.join(TMP, 'eve-%s.json' % abs(hash(site)))
        with open(path, 'w') as f:
            for e in EVENTS[site]:
                e = dict(e)
                e.pop('mimamori', None)
                f.write(json.dumps(e, ensure_ascii=False) + '\n')
        r = mm('ingest', '--db', db, '--site', site, '--home-net', '192.168.0.0/16', path)
        expect(r.returncode == 0, r.stderr)
    got = report_json(db)
    for k in ('sites', 'alerts_by_family', 'countries', 'cross_site_ips'):
        expect(got[k] == REPORT[k], (k, got[k], REPORT[k]))


@check('cross_site_ips: companies with public addresses and no home network given')
def _():
    # two companies whose hosts have public addresses reach the same server;
    # nothing says which end is home, so either end may be the attacker
    db = os.path.join(TMP, 'public.db')
    for site, host in (('pub-x', '8.20.1.5'), ('pub-y', '8.30.2.6')):
        path = os.path.join(TMP, site + '.json')
        with open(path, 'w') as f:
            f.write(json.dumps({
                'timestamp': '2026-11-02T10:00:00.000000+0900', 'event_type': 'alert',
                'src_ip': host, 'src_port': 50000, 'dest_ip': '93.184.216.34',
                'dest_port': 443, 'proto': 'TCP', 'direction': 'to_server',
                'alert': {'action': 'allowed', 'gid': 1, 'signature_id': 2000001, 'rev': 1,
                          'signature': 'test C2', 'severity': 1,
                          'category': 'A Network Trojan was detected'}}) + '\n')
        r = mm('ingest', '--db', db, '--site', site, path)
        expect(r.returncode == 0, r.stderr)
    got = report_json(db)
    expect([(x['ip'], sorted(x['sites'])) for x in got['cross_site_ips']] ==
           [('93.184.216.34', ['pub-x', 'pub-y'])], got['cross_site_ips'])
    expect(got['alerts_by_family'] == {'pub-x': {'c2': 1}, 'pub-y': {'c2': 1}},
           got['alerts_by_family'])


@check('ingest: a growing eve.json is imported from where the last import stopped')
def _():
    db = os.path.join(TMP, 'grow.db')
    path = os.path.join(TMP, 'grow.json')
    lines = [json.dumps(e, ensure_ascii=False) for e in EVENTS['Naniwa Seiki']]
    half = len(lines) // 2
    with open(path, 'w') as f:
        f.write('\n'.join(lines[:half]) + '\n' + lines[half][:20])   # a line being written
    r = mm('ingest', '--db', db, '--site', 'Naniwa Seiki', path)
    expect(r.returncode == 0 and ' %d events' % half in r.stderr, r.stderr)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    r = mm('ingest', '--db', db, '--site', 'Naniwa Seiki', path)
    expect(r.returncode == 0 and ' %d events' % (len(lines) - half) in r.stderr, r.stderr)
    got = report_json(db)
    expect(got['alerts_by_family']['Naniwa Seiki'] ==
           REPORT['alerts_by_family']['Naniwa Seiki'], got['alerts_by_family'])
    expect(got['countries']['Naniwa Seiki'] == REPORT['countries']['Naniwa Seiki'], 'countries')


@check('report --from/--to: a day of the period holds only that day\'s alerts')
def _():
    days = REPORT['companies']['sakura-kogyo']['alerts_by_day']
    expect(len(days) >= 2, days)
    day = sorted(days)[0]
    got = report_json(DB, '--from', day, '--to', day)
    expect(got['companies']['sakura-kogyo']['alerts_by_day'] == {day: days[day]},
           got['companies']['sakura-kogyo']['alerts_by_day'])


def chromium_text(html):
    exe = shutil.which('chromium') or shutil.which('chromium-browser')
    if not exe:
        raise Skip('chromium missing')
    args = [exe, '--headless', '--disable-gpu', '--dump-dom', 'file://' + html]
    if os.geteuid() == 0:
        args.insert(1, '--no-sandbox')
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    expect(r.returncode == 0, r.stderr[-500:])
    # the DOM as Chromium built it; its visible text without tags
    import html as h
    import re
    body = re.sub(r'<style.*?</style>', '', r.stdout, flags=re.S)
    return h.unescape(re.sub(r'<[^>]+>', ' ', body))


def site_alerts(site):
    return sum(REPORT['alerts_by_family'][site].values())


@check('HTML: company report in Japanese and English, as Chromium renders it')
def _():
    for lang in ('ja', 'en'):
        out = os.path.join(TMP, 'sakura-%s.html' % lang)
        r = mm('report', '--db', DB, '--site', 'sakura-kogyo', '--lang', lang, '-o', out)
        expect(r.returncode == 0, r.stderr)
        with open(out, encoding='utf-8') as f:
            raw = f.read()
        expect('http://' not in raw.replace('http://www.w3.org/2000/svg', '') and
               'https://' not in raw and '<script' not in raw, 'external fetch or script')
        text = chromium_text(out)
        n = site_alerts('sakura-kogyo')
        want = ('この期間に %d 件の警告' % n) if lang == 'ja' else ('There were %d alerts' % n)
        expect(want in text, want)
        expect(('危険' in text) if lang == 'ja' else ('Serious' in text), 'level')
        for x in REPORT['cross_site_ips']:
            if 'sakura-kogyo' in x['sites']:
                expect(x['ip'] in text, x['ip'])
        for other in ('Naniwa Seiki', '桜商事'):
            expect(other not in text, 'names another company: ' + other)
        top = max(REPORT['countries']['sakura-kogyo']['inbound'].items(), key=lambda kv: kv[1])
        expect(format(top[1] + REPORT['countries']['sakura-kogyo']['outbound'].get(top[0], 0),
                      ',') in text, 'top country packets')


@check('HTML: the survey names no company, counts them per family')
def _():
    out = os.path.join(TMP, 'survey-ja.html')
    r = mm('report', '--db', DB, '--all', '--lang', 'ja', '-o', out)
    expect(r.returncode == 0, r.stderr)
    text = chromium_text(out)
    for s in SITES:
        expect(s not in text, 'names ' + s)
    for a in ('A社', 'B社', 'C社'):
        expect(a in text, a)
    expect('3 社を調査' in text, 'summary')
    expect('2 / 3' in text, 'rdp at two of three companies')
    out = os.path.join(TMP, 'survey-en.html')
    r = mm('report', '--db', DB, '--lang', 'en', '-o', out)
    expect(r.returncode == 0, r.stderr)
    text = chromium_text(out)
    expect('Company A' in text and 'Company C' in text and '3 companies were observed' in text,
           'english survey')


@check('PDF: same figures in its text (pdftotext), one PNG per page (pdftoppm)')
def _():
    if not shutil.which('pdftotext'):
        raise Skip('poppler-utils missing')
    for lang, site in (('ja', 'sakura-kogyo'), ('en', '桜商事'), ('ja', None)):
        out = os.path.join(TMP, 'r-%s-%s.pdf' % (lang, site and abs(hash(site))))
        args = ['report', '--db', DB, '--format', 'pdf', '--lang', lang, '-o', out]
        if site:
            args += ['--site', site]
        r = mm(*args)
        expect(r.returncode == 0, r.stderr)
        t = run('pdftotext', '-layout', out, '-')
        expect(t.returncode == 0, t.stderr)
        text = t.stdout
        if site:
            n = site_alerts(site)
            want = ('この期間に %d 件の警告' % n) if lang == 'ja' else ('There were %d alerts' % n)
            expect(want in text.replace('\n', ''), (want, text[:500]))
            expect(site in text, site)
        else:
            expect('3 社を調査' in text and 'A社' in text, text[:500])
            for s in SITES:
                expect(s not in text, 'names ' + s)
        png = run('pdftoppm', '-r', '40', '-png', out, out[:-4])
        expect(png.returncode == 0, png.stderr)
        pages = [f for f in os.listdir(TMP) if f.startswith(os.path.basename(out[:-4])) and
                 f.endswith('.png')]
        expect(len(pages) >= 1, pages)


def start_postgres():
    return pgtemp.start_postgres(Skip)


@check('PostgreSQL (started here): same schema, same report as SQLite, idempotent')
def _():
    url, stop = start_postgres()
    try:
        r = mm('ingest', '--db', url, *[SEG[s][1] for s in SITES])
        expect(r.returncode == 0, r.stderr)
        got = report_json(url)
        expect(got == REPORT, [(k, got[k], REPORT[k]) for k in got if got[k] != REPORT.get(k)][:2])
        r = mm('ingest', '--db', url, *[SEG[s][1] for s in SITES])
        expect(r.returncode == 0 and '0 imported, 3 already imported' in r.stderr, r.stderr)
        expect(report_json(url) == REPORT, 'second import changed the report')
        out = os.path.join(TMP, 'pg.pdf')
        r = mm('report', '--db', url, '--format', 'pdf', '-o', out)
        expect(r.returncode == 0 and os.path.getsize(out) > 1000, r.stderr)
    finally:
        stop()


@check('ingest and report refuse bad arguments with one line')
def _():
    r = mm('report', '--db', DB, '--site', 'no-such-company', '--format', 'json')
    expect(r.returncode == 1 and 'no company' in r.stderr, r.stderr)
    r = mm('report', '--db', DB, '--format', 'pdf')
    expect(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr)
    r = mm('ingest', '--db', DB, '--retain', 'alerts=x', SEG['桜商事'][1])
    expect(r.returncode == 2, r.stderr)
    r = mm('ingest', '--db', os.path.join(TMP, 'nodir', 'x.db'), SEG['桜商事'][1])
    expect(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr)


@check('retention: alerts older than the days kept are deleted')
def _():
    db = os.path.join(TMP, 'retain.db')
    shutil.copy(DB, db)
    r = mm('ingest', '--db', db, '--retain', 'alerts=1')
    expect(r.returncode == 0, r.stderr)
    got = report_json(db)
    days = set()
    for c in got['companies'].values():
        days |= set(c['alerts_by_day'])
    expect(1 <= len(days) <= 2, days)
    # flows untouched
    expect(got['countries'] == REPORT['countries'], 'flows changed')


shutil.rmtree(TMP, ignore_errors=True)
finish()
