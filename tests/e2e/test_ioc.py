#!/usr/bin/env python3
"""Indicators end to end: `mimamori ioc import` of files this test writes,
`mimamori sensor --ioc` on corpus captures against tshark's view of the
same captures, `mimamori hunt` against a brute-force scan of the raw
events, watched sets in the company report, and the same store on
PostgreSQL (started here when its server programs are installed).

Oracles:
  sensor   for each indicator, tshark gives the TCP/UDP conversations that
           show it (an address at either end or in a DNS answer; a name, or
           a parent of it, as DNS query, TLS SNI, HTTP Host or certificate
           dNSName; a JA3 of a ClientHello): the sensor must raise exactly
           one alert per such conversation and indicator
  hunt     the EVE lines the sensor wrote are scanned here, by this script's
           own reading of what the index keeps (remote flow addresses, DNS
           names and answers, HTTP host, URL, User-Agent, TLS SNI and
           certificate CN, JA3/JA3S/JA4, file names and hashes): every
           (company, indicator, value seen, internal host) with its count
           must come back from `mimamori hunt --format json`, nothing more

usage: test_ioc.py MIMAMORI
"""
import ipaddress
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Skip, check, expect, finish  # noqa: E402

MIM = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'build/mimamori')
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, '..', '..', '..', 'shared')
CORPUS = os.path.join(SHARED, 'corpus', 'pcaps')
TMP = tempfile.mkdtemp(prefix='mm-ioc-')

CAPTURES = [
    '16_tls_sni_cloud/ndpi__sites.pcapng',
    '16_tls_sni_cloud/ndpi__dropbox.pcap',
    '13_dns/zeek__dns53.pcap',
    '08_pe_download/ndpi__exe_download.pcap',
    '15_smtp_attachments/zeek__smtp-attachment-msg.pcap',
]
HOME = [ipaddress.ip_network(n) for n in
        ('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7')]


def run(*args, ok=True, timeout=600):
    r = subprocess.run([MIM, *args], capture_output=True, text=True, timeout=timeout)
    if ok and r.returncode not in (0, 3):
        raise AssertionError('mimamori %s exited %d: %s' % (' '.join(args), r.returncode,
                                                            r.stderr[-1500:]))
    return r


def write(name, text):
    p = os.path.join(TMP, name)
    with open(p, 'w', encoding='utf-8') as f:
        f.write(text)
    return p


# ---- import ----

@check('import: plain, CSV, URLhaus and Suricata files; refusals named by line')
def _import():
    db = os.path.join(TMP, 'import.db')
    plain = write('advisory.txt', '# advisory 2026-12\nhxxp://evil[.]example/a.php\n'
                  '203.0.113.7\n198.51.100.0/24\n0.0.0.0/0\ncom\n*.evil2.example\n'
                  'd41d8cd98f00b204e9800998ecf8427e\n')
    r = run('ioc', 'import', '--db', db, '--name', 'adv', plain)
    expect('line 5' in r.stderr and 'line 6' in r.stderr, 'refusals not named: ' + r.stderr)
    expect('5 indicators imported, 2 refused' in r.stderr, r.stderr)
    csv = write('table.csv', 'FQDN,IP address,SHA-256,Description\n'
                'c2.evil.example,192.0.2.44,,loader\n'
                'dl.evil.example,,' + 'ab' * 32 + ',payload\n')
    run('ioc', 'import', '--db', db, '--name', 'adv', csv)
    uh = write('urlhaus.csv', '# abuse.ch URLhaus Database Dump (CSV)\n'
               '# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n'
               '"1","2024-08-12 10:15:09","http://192.0.2.9:8080/i","online","",'
               '"malware_download","elf","https://urlhaus.abuse.ch/url/1/","x"\n')
    run('ioc', 'import', '--db', db, '--name', 'urlhaus', '--expires', '30', uh)
    ds = write('names.lst', 'ZXZpbC5leGFtcGxl\n')       # base64 of evil.example
    run('ioc', 'import', '--db', db, '--name', 'ds', '--format', 'dataset', '--type', 'domain',
        ds)
    sets = {}
    for line in run('ioc', 'list', '--db', db, '--json').stdout.splitlines():
        o = json.loads(line)
        sets[o['set']] = o
    expect(sets['adv']['indicators'] == 9, sets['adv'])
    expect(sets['adv']['types'] == {'url': 1, 'ipv4': 2, 'cidr': 1, 'domain': 3, 'md5': 1,
                                    'sha256': 1}, sets['adv']['types'])
    expect(sets['urlhaus']['types'] == {'url': 1} and sets['urlhaus']['expires_days'] == 30,
           sets['urlhaus'])
    show = run('ioc', 'show', '--db', db, 'ds').stdout
    expect('domain\tevil.example\tds' in show, show)
    # importing the same file again adds nothing
    run('ioc', 'import', '--db', db, '--name', 'adv', plain)
    o = [json.loads(x) for x in run('ioc', 'list', '--db', db, '--json').stdout.splitlines()]
    expect([s['indicators'] for s in o if s['set'] == 'adv'] == [9], o)
    run('ioc', 'remove', '--db', db, 'ds')
    expect('ds' not in run('ioc', 'list', '--db', db).stdout.split(), 'set not removed')
    bad = write('odd.json', '{"hello": "world"}')
    r = run('ioc', 'import', '--db', db, bad, ok=False)
    expect(r.returncode == 1 and 'no indicator format' in r.stderr, r.stderr)


@check("export: blocklists pass the devices' own checkers; what is left out is said")
def _export():
    import shutil
    db = os.path.join(TMP, 'export.db')
    f = write('export.txt', 'evil.example\n203.0.113.7\n198.51.100.0/24\n10.1.2.3\n'
              'www.microsoft.com\nhxxp://bad.example/x.php\n8.0.0.0/8\n93.184.216.34\n')
    run('ioc', 'import', '--db', db, '--name', 'x', f)
    r = run('ioc', 'export', '--db', db, '--format', 'plain')
    lines = set(r.stdout.split())
    expect('evil.example' in lines and '93.184.216.34' in lines, r.stdout)
    expect('10.1.2.3' not in lines and 'www.microsoft.com' not in lines and
           '8.0.0.0/8' not in lines, 'left-out value written: ' + r.stdout)
    expect('private' in r.stderr and 'too broad' in r.stderr and 'vendor' in r.stderr, r.stderr)
    forced = set(run('ioc', 'export', '--db', db, '--format', 'plain', '--force').stdout.split())
    expect('10.1.2.3' in forced and '8.0.0.0/8' in forced, forced)
    checkers = {
        'nft': (['nft', '-c', '-f'], 'nft'),
        'unbound': (['unbound-checkconf'], 'unbound-checkconf'),
        'rpz': (['named-checkzone', 'rpz.mimamori.'], 'named-checkzone'),
    }
    ran = 0
    for fmt, (cmd, prog) in checkers.items():
        out = os.path.join(TMP, 'export.' + fmt)
        run('ioc', 'export', '--db', db, '--format', fmt, '-o', out)
        if not shutil.which(prog):
            continue
        c = subprocess.run(cmd + [out], capture_output=True, text=True, timeout=60)
        if fmt == 'nft' and c.returncode != 0 and 'Operation not permitted' in c.stderr:
            c = subprocess.run(['unshare', '-rn'] + cmd + [out], capture_output=True,
                               text=True, timeout=60)
        expect(c.returncode == 0, '%s rejects the export: %s' % (prog, c.stderr or c.stdout))
        ran += 1
    sq = os.path.join(TMP, 'squid')
    run('ioc', 'export', '--db', db, '--format', 'squid', '-o', sq)
    expect(os.path.exists(os.path.join(sq, 'mimamori-domains.acl')), os.listdir(sq))
    if not ran:
        raise Skip('no device checker installed (nftables, unbound, bind9-utils)')


# ---- the sensor against tshark ----

def tshark(pcap):
    """Per conversation ('t', n) / ('u', n): names, addresses, JA3s."""
    fields = ['tcp.stream', 'udp.stream', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
              'dns.qry.name', 'dns.a', 'dns.aaaa', 'tls.handshake.extensions_server_name',
              'http.host', 'x509ce.dNSName', 'tls.handshake.ja3']
    r = subprocess.run(['tshark', '-n', '-r', pcap, '-T', 'fields', '-E', 'separator=\t',
                        '-E', 'occurrence=a', '-E', 'aggregator=,',
                        *sum((['-e', f] for f in fields), [])],
                       capture_output=True, text=True, timeout=300)
    conv = {}
    for line in r.stdout.splitlines():
        v = line.split('\t')
        v += [''] * (len(fields) - len(v))
        if v[0]:
            key = ('t', int(v[0].split(',')[0]))
        elif v[1]:
            key = ('u', int(v[1].split(',')[0]))
        else:
            continue
        c = conv.setdefault(key, {'ips': set(), 'answers': set(), 'names': set(), 'ja3': set()})
        for i in (2, 3, 4, 5):
            for a in filter(None, v[i].split(',')):
                c['ips'].add(str(ipaddress.ip_address(a)))
        for i in (7, 8):
            for a in filter(None, v[i].split(',')):
                c['answers'].add(str(ipaddress.ip_address(a)))
        for i in (6, 9, 10, 11):
            for n in filter(None, v[i].split(',')):
                n = n.lower().rstrip('.')
                if ':' in n and i == 10:
                    n = n.rsplit(':', 1)[0]
                c['names'].add(n[2:] if n.startswith('*.') else n)
        for h in filter(None, v[12].split(',')):
            if key[0] == 't':           # TLS over TCP (QUIC's hellos are not parsed)
                c['ja3'].add(h)
    return conv


def under(name, dom):
    return name == dom or name.endswith('.' + dom)


@check('sensor --ioc: one alert per conversation and indicator, as tshark shows them')
def _sensor():
    pcaps = [os.path.join(CORPUS, c) for c in CAPTURES]
    pcaps = [p for p in pcaps if os.path.exists(p)]
    if not pcaps:
        raise Skip('corpus captures absent (%s)' % CORPUS)
    for pcap in pcaps:
        conv = tshark(pcap)
        names = sorted({n for c in conv.values() for n in c['names']
                        if '.' in n and not n.replace('.', '').isdigit() and ':' not in n})
        ips = sorted({a for c in conv.values() for a in c['ips']
                      if not any(ipaddress.ip_address(a) in h for h in HOME
                                 if ipaddress.ip_address(a).version == h.version)})
        ja3s = sorted({h for c in conv.values() for h in c['ja3']})
        # parents of names (registrable-looking: the last two labels) and names
        doms = sorted({'.'.join(n.split('.')[-2:]) for n in names})[:6] + names[:4]
        chosen = {'domain': sorted(set(doms)), 'ip': ips[:5], 'ja3': ja3s[:2]}
        lines = ['# chosen from tshark'] + chosen['domain'] + chosen['ip'] + chosen['ja3']
        iocf = write('sensor.txt', '\n'.join(lines) + '\n')
        r = run('sensor', '-r', pcap, '--site', 's', '--no-rules', '--ioc', iocf, '--eve', '-')
        got = {}
        for line in r.stdout.splitlines():
            e = json.loads(line)
            if e.get('event_type') != 'alert' or e['alert']['signature_id'] != 8700200:
                continue
            ind = e['alert']['metadata']['ioc_indicator'][0]
            got[ind] = got.get(ind, 0) + 1
        want = {}
        for d in chosen['domain']:
            want[d] = sum(1 for c in conv.values() if any(under(n, d) for n in c['names']))
        for a in chosen['ip']:
            want[a] = sum(1 for c in conv.values() if a in c['ips'] or a in c['answers'])
        for h in chosen['ja3']:
            want[h] = sum(1 for c in conv.values() if h in c['ja3'])
        want = {k: v for k, v in want.items() if v}
        print('      %s: %d indicators, %d alerts' % (os.path.basename(pcap), len(want),
                                                     sum(got.values())))
        expect(got == want, '%s: alerts per indicator %s, tshark %s' % (
            os.path.basename(pcap),
            {k: got.get(k) for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)},
            {k: want.get(k) for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)}))


# ---- hunting against a brute-force scan ----

def local(a):
    try:
        ip = ipaddress.ip_address(a)
    except ValueError:
        return False
    return any(ip in h for h in HOME if ip.version == h.version)


def scan(events, site):
    """(kind, value, host) -> count, as the index is documented to keep it."""
    seen = {}

    def short(a):
        try:
            return str(ipaddress.ip_address(a))
        except ValueError:
            return a

    def add(kind, value, host):
        host = short(host)
        if kind == 'ip':
            value = short(value)
        if value:
            k = (kind, value.lower() if kind in ('domain', 'hash', 'filename', 'email')
                 else value, host)
            seen[k] = seen.get(k, 0) + 1

    for e in events:
        t = e.get('event_type')
        s, d = e.get('src_ip', ''), e.get('dest_ip', '')
        host = s if local(s) else d if local(d) else ''
        if t == 'flow':
            if local(s) and local(d):
                continue
            remote = d if local(s) else s
            add('ip', remote, host)
        elif t == 'dns':
            dn = e.get('dns', {})
            add('domain', dn.get('rrname', '').rstrip('.'), s)
            for a in dn.get('answers', []) or []:
                if a.get('rrtype') in ('A', 'AAAA'):
                    add('ip', a.get('rdata', ''), s)
                elif a.get('rrtype') == 'CNAME':
                    add('domain', a.get('rdata', '').rstrip('.'), s)
        elif t == 'http':
            h = e.get('http', {})
            hn = h.get('hostname', '')
            if hn:
                try:
                    ipaddress.ip_address(hn)
                    add('ip', hn, host)
                except ValueError:
                    add('domain', hn, host)
                if 'url' in h:
                    add('url', hn + h['url'], host)
            add('user-agent', h.get('http_user_agent', ''), host)
        elif t == 'tls':
            tl = e.get('tls', {})
            add('domain', tl.get('sni', ''), host)
            subj = tl.get('subject', '')
            if 'CN=' in subj:
                cn = subj.split('CN=', 1)[1].split(',')[0]
                add('domain', cn[2:] if cn.startswith('*.') else cn, host)
            for k in ('ja3', 'ja3s'):
                add('hash', (tl.get(k) or {}).get('hash', ''), host)
            add('ja4', tl.get('ja4', ''), host)
        elif t == 'fileinfo':
            fi = e.get('fileinfo', {})
            fn = fi.get('filename', '')
            add('filename', fn.replace('\\', '/').rsplit('/', 1)[-1], host)
            for k in ('sha256', 'md5', 'sha1'):
                add('hash', fi.get(k, ''), host)
    return {(site,) + k: v for k, v in seen.items()}


HUNT = {}


@check('hunt: every hit a brute-force scan of the raw events finds, and nothing more')
def _hunt():
    pcaps = [os.path.join(CORPUS, c) for c in CAPTURES]
    pcaps = [p for p in pcaps if os.path.exists(p)]
    if not pcaps:
        raise Skip('corpus captures absent (%s)' % CORPUS)
    db = os.path.join(TMP, 'hunt.db')
    truth = {}
    for i, pcap in enumerate(pcaps):
        site = 'company%d' % (i % 2)
        eve = os.path.join(TMP, 'h%d.json' % i)
        run('sensor', '-r', pcap, '--site', site, '--no-rules', '--eve', eve)
        with open(eve) as f:
            evs = [json.loads(x) for x in f]
        for k, v in scan(evs, site).items():
            truth[k] = truth.get(k, 0) + v
        run('ingest', '--db', db, '-q', eve)
    # indicators: some of every kind, and networks and parent domains
    by_kind = {}
    for (site, kind, value, host) in sorted(truth):
        by_kind.setdefault(kind, set()).add(value)
    inds = []
    for kind, vals in sorted(by_kind.items()):
        vals = sorted(vals)
        inds += vals[::max(1, len(vals) // 5)][:5]
    doms = sorted(by_kind.get('domain', []))
    inds += sorted({'.'.join(d.split('.')[-2:]) for d in doms})[:3]
    v4 = sorted(v for v in by_kind.get('ip', []) if ':' not in v)
    if v4:
        inds.append(str(ipaddress.ip_network(v4[0] + '/24', strict=False)))
    inds = [i for i in inds if ' ' not in i]       # values of a plain list
    # each value's type is recognised, except file names and User-Agents
    typed = write('hunt.csv', 'type,value\n' + ''.join(
        '%s,"%s"\n' % (k if k in ('filename', 'user-agent') else '', v.replace('"', '""'))
        for k, vals in by_kind.items() for v in sorted(vals) if v in inds) +
        ''.join(',%s\n' % i for i in inds if not any(i in vals for vals in by_kind.values())))
    run('ioc', 'import', '--db', db, '--name', 'h', typed)
    out = run('hunt', '--db', db, '--set', 'h', '--format', 'json').stdout
    got = {}
    for line in out.splitlines():
        h = json.loads(line)
        got[(h['site'], h['indicator'], h['seen'].lower(), h['host'])] = h['count']

    def norm_ind(i):
        return i.lower()

    want = {}
    for (site, kind, value, host), n in truth.items():
        for i in inds:
            il = norm_ind(i)
            if kind == 'ip' and '/' in i:
                try:
                    hit = ipaddress.ip_address(value) in ipaddress.ip_network(i)
                except ValueError:
                    hit = False
            elif kind == 'domain':
                hit = under(value.lower(), il)
            elif kind == 'url':
                hit = value.lower() == il.split('://', 1)[-1].lower()
            else:
                hit = value.lower() == il
            if hit:
                k = (site, il if kind != 'url' else i, value.lower(), host)
                want[k] = want.get(k, 0) + n
    # the indicator comes back in normal form: compare without it for URLs
    g2 = {(s, v, h): n for (s, i, v, h), n in got.items()}
    w2 = {(s, v, h): n for (s, i, v, h), n in want.items()}
    expect(g2 == w2, 'hunt vs scan: only in hunt %s; only in scan %s; counts differ %s' % (
        sorted(set(g2) - set(w2))[:5], sorted(set(w2) - set(g2))[:5],
        [(k, g2[k], w2[k]) for k in sorted(set(g2) & set(w2)) if g2[k] != w2[k]][:5]))
    expect(len(g2) >= 10, 'too few hits to mean anything: %d' % len(g2))
    print('      %d indicators, %d hits' % (len(inds), len(g2)))
    HUNT['evs'] = [os.path.join(TMP, 'h%d.json' % i) for i in range(len(pcaps))]
    HUNT['csv'] = typed
    HUNT['got'] = got



@check('hunt on PostgreSQL: the same hits as on SQLite')
def _hunt_pg():
    if not HUNT:
        raise Skip('no SQLite hunt to compare with')
    import pgtemp
    url, stop = pgtemp.start_postgres(Skip)
    try:
        for i, eve in enumerate(HUNT['evs']):
            run('ingest', '--db', url, '-q', eve)
        run('ioc', 'import', '--db', url, '--name', 'h', HUNT['csv'])
        out = run('hunt', '--db', url, '--set', 'h', '--format', 'json').stdout
        got = {}
        for line in out.splitlines():
            h = json.loads(line)
            got[(h['site'], h['indicator'], h['seen'].lower(), h['host'])] = h['count']
        expect(got == HUNT['got'], 'PostgreSQL differs: %s' % sorted(
            set(got.items()) ^ set(HUNT['got'].items()))[:6])
    finally:
        stop()


@check('watched set: found again after ingest, a finding in the company report')
def _watch():
    pcap = os.path.join(CORPUS, '08_pe_download/ndpi__exe_download.pcap')
    if not os.path.exists(pcap):
        raise Skip('corpus capture absent')
    db = os.path.join(TMP, 'watch.db')
    iocf = write('watch.txt', '144.91.69[.]195\n')
    run('ioc', 'import', '--db', db, '--name', 'adv7', '--watch', iocf)
    eve = os.path.join(TMP, 'w.json')
    run('sensor', '-r', pcap, '--site', 'kaede', '--no-rules', '--eve', eve)
    r = run('ingest', '--db', db, eve)
    expect('watched indicator sets: ' in r.stderr, r.stderr)
    rep = json.loads(run('report', '--db', db, '--site', 'kaede', '--format', 'json',
                         '--lang', 'en').stdout)
    f = rep['companies']['kaede']['ioc_findings'] if 'companies' in rep else rep['ioc_findings']
    expect(any(x['seen'] == '144.91.69.195' and x['host']['ip'] == '10.9.25.101' and
               'adv7' in x['indicator'] for x in f), f)


@check('hunt --detail: the archived events behind a hit, each once after a second ingest')
def _detail():
    pcap = os.path.join(CORPUS, '08_pe_download/ndpi__exe_download.pcap')
    if not os.path.exists(pcap):
        raise Skip('corpus capture absent')
    db = os.path.join(TMP, 'detail.db')
    arch = os.path.join(TMP, 'archive')
    eve = os.path.join(TMP, 'd.json')
    run('sensor', '-r', pcap, '--site', 'kaede', '--no-rules', '--eve', eve)
    with open(eve) as f:
        want = [json.loads(x) for x in f]
    want = [e for e in want if '144.91.69.195' in (e.get('src_ip'), e.get('dest_ip'))]
    run('ingest', '-q', '--db', db, '--archive', arch, eve)

    def events():
        out = run('hunt', '--db', db, '--detail=1000', '--format', 'json', '144.91.69.195').stdout
        evs = []
        for line in out.splitlines():
            evs += json.loads(line).get('events', [])
        return evs

    first = events()
    expect(first, 'no archived event behind the hit')
    expect(all('144.91.69.195' in (e.get('src_ip'), e.get('dest_ip')) for e in first),
           'an event without the address')
    # every event of the address whose local end is the hit's host
    expect(sorted(json.dumps(e, sort_keys=True) for e in first) ==
           sorted(json.dumps(e, sort_keys=True) for e in want),
           '%d archived events, %d in the EVE file' % (len(first), len(want)))
    run('ingest', '-q', '--db', db, eve)              # the archive is kept in the store
    expect(len(events()) == len(first), 'a second ingest doubled the archive')


@check('hunt: pieces appended and merged over many imports, minutes and --from/--to')
def _pieces():
    import random
    import sqlite3
    from datetime import datetime, timezone, timedelta
    r = random.Random(11)
    names = ['h%d.evil.example' % i for i in range(30)] + ['n%d.fine.example' % i for i in range(20)]
    hosts = ['192.168.1.%d' % i for i in range(2, 7)]
    t0 = datetime(2024, 3, 1, tzinfo=timezone.utc)
    evs = []

    def batch(n, days):
        out = []
        for _ in range(n):
            t = t0 + timedelta(seconds=r.randrange(days * 86400))
            out.append({'timestamp': t.strftime('%Y-%m-%dT%H:%M:%S.%f+0000'), 'flow_id': 1,
                        'event_type': 'dns', 'src_ip': r.choice(hosts), 'src_port': 5353,
                        'dest_ip': '192.168.1.1', 'dest_port': 53, 'proto': 'UDP',
                        'dns': {'type': 'query', 'id': 1, 'rrname': r.choice(names),
                                'rrtype': 'A', 'tx_id': 0}})
        return out
    d1 = os.path.join(TMP, 'pieces1')
    os.makedirs(d1)
    for i in range(12):                 # one run: a piece per input, merged past eight
        b = batch(40, 31)
        evs += b
        write('pieces1/%02d.json' % i, ''.join(json.dumps(e) + '\n' for e in b))
    db = os.path.join(TMP, 'pieces.db')
    run('ingest', '-q', '--db', db, '--site', 'momiji', d1)
    b = batch(60, 61)                   # a second run: March and April
    evs += b
    run('ingest', '-q', '--db', db, '--site', 'momiji',
        write('pieces2.json', ''.join(json.dumps(e) + '\n' for e in b)))
    with sqlite3.connect(db) as c:
        per = c.execute('SELECT kind, month, site_id, COUNT(DISTINCT seq) FROM obs_piece'
                        ' GROUP BY 1, 2, 3').fetchall()
    expect(per and all(x[3] == 1 for x in per),
           'one piece per company, month and kind after each run: %s' % per)
    expect(sorted({x[1] for x in per}) == [202403, 202404], per)

    def ts(e):
        return datetime.strptime(e['timestamp'], '%Y-%m-%dT%H:%M:%S.%f+0000').replace(
            tzinfo=timezone.utc)

    def truth(lo=None, hi=None):
        """(seen, host) -> [first, last, count], from (value, host, month) groups
        whose first and last overlap [lo, hi], as docs/hunting.md says"""
        g = {}
        for e in evs:
            n = e['dns']['rrname']
            if not n.endswith('.evil.example'):
                continue
            k = (n, e['src_ip'], ts(e).strftime('%Y%m'))
            v = g.setdefault(k, [ts(e), ts(e), 0])
            v[0], v[1], v[2] = min(v[0], ts(e)), max(v[1], ts(e)), v[2] + 1
        out = {}
        for (n, h, m), (f, l, c) in g.items():
            if (lo and l < lo) or (hi and f > hi):
                continue
            o = out.setdefault((n, h), [f, l, 0])
            o[0], o[1], o[2] = min(o[0], f), max(o[1], l), o[2] + c
        return out

    def hunt(*extra):
        got = {}
        for line in run('hunt', '--db', db, '--format', 'json', *extra, 'evil.example').stdout.splitlines():
            h = json.loads(line)
            got[(h['seen'], h['host'])] = [datetime.strptime(h['first'][:19], '%Y-%m-%dT%H:%M:%S').replace(tzinfo=timezone.utc),
                                           datetime.strptime(h['last'][:19], '%Y-%m-%dT%H:%M:%S').replace(tzinfo=timezone.utc),
                                           h['count']]
        return got
    minute = timedelta(minutes=1)
    for extra, lo, hi in (((), None, None),
                          (('--from', '2024-03-10', '--to', '2024-03-20'),
                           datetime(2024, 3, 10, tzinfo=timezone.utc),
                           datetime(2024, 3, 21, tzinfo=timezone.utc) - timedelta(microseconds=1))):
        want, got = truth(lo, hi), hunt(*extra)
        expect(set(want) == set(got), 'hunt %s: only in hunt %s, only in the events %s' % (
            extra, sorted(set(got) - set(want))[:3], sorted(set(want) - set(got))[:3]))
        for k, (f, l, c) in want.items():
            gf, gl, gc = got[k]
            expect(gc == c, '%s: count %d, the events say %d' % (k, gc, c))
            # minutes: the first minute's start, the last minute's end
            expect(f - minute < gf <= f and l <= gl < l + minute,
                   '%s: %s..%s, the events say %s..%s' % (k, gf, gl, f, l))
    print('      %d events, %d pieces, %d hits' % (len(evs), len(per), len(want)))


finish()
