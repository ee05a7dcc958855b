#!/usr/bin/env python3
"""Gateway logs end to end: logs this test writes itself, with answers it
computes itself, through `mimamori ingest` into a store and out of
`mimamori report --format json`, in SQLite (and PostgreSQL when its server
programs are installed: started here, in a temporary directory).

The logs of one company "kaede" over three months of 2024 and the same month
of 2023:
  firewall (netfilter, syslog)   blocked scans with known counts per port
  proxy (Squid native)           cloud services with known bytes per month,
                                 CONNECT (HTTPS) and http:// requests
  DNS (BIND query log)           the names staff looked up, one server that
                                 should not resolve names
  DHCP (ISC dhcpd)               a lease that changes hands during a day
  logins (sshd)                  guessing from one address, a login from abroad

Checked against the numbers the test itself put in:
  firewall.blocked, by_port counts and shares, telnet_share, iot_share_top100
  (ports in ../shared/data/iot_ports.tsv when present, else the test's own
  list of Mirai's telnet ports), by_month and year_before;
  shadow_it: a service counts in a month at >= 1 MB (1,048,576 bytes);
  https_share per month; dns_findings (server_resolves) with the machine the
  DHCP lease names at each time; auth_findings (guessing, abroad);
  importing again adds nothing; a grown file adds only its new lines; a
  rotated gzip copy adds nothing.

usage: test_logs.py MIMAMORI
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

MIM = sys.argv[1] if len(sys.argv) > 1 else 'build/mimamori'
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, '..', '..', '..', 'shared')
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL', what)


def run(*args, ok=True):
    r = subprocess.run([MIM, *args], capture_output=True, text=True, timeout=300)
    if ok and r.returncode != 0:
        print(r.stdout[-2000:], r.stderr[-2000:])
        raise SystemExit(f'mimamori {" ".join(args)} exited {r.returncode}')
    return r


MON = ['', 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']


def syslog_ts(mo, d, h, mi, s):
    return f'{MON[mo]} {d:2d} {h:02d}:{mi:02d}:{s:02d}'


def firewall_lines(year, plan):
    """plan: {(month, port): count}; inbound blocked TCP scans from public
    addresses to the company's router 192.0.2.10."""
    out = []
    for (mo, port), n in sorted(plan.items()):
        for i in range(n):
            src = f'198.51.100.{1 + i % 200}'
            out.append(f'{syslog_ts(mo, 1 + i % 27, 3, i % 60, i % 60)} gw kernel: '
                       f'[{1000 + i}.000000] DROP-WAN: IN=eth0 OUT= SRC={src} DST=192.0.2.10 '
                       f'LEN=40 TOS=0x00 PREC=0x00 TTL=240 ID={i} PROTO=TCP SPT={40000 + i % 20000} '
                       f'DPT={port} WINDOW=1024 RES=0x00 SYN URGP=0')
    # allowed traffic is logged too and must not count as blocked
    for i in range(7):
        out.append(f'{syslog_ts(2, 3, 10, i, 0)} gw kernel: ACCEPT-LAN: IN=eth1 OUT=eth0 '
                   f'SRC=192.168.1.20 DST=203.0.113.80 LEN=60 PROTO=TCP SPT={50000 + i} DPT=443')
    return out


def squid_line(epoch, client, method, url, status, nbytes, peer='203.0.113.9'):
    return (f'{epoch:.3f}    120 {client} TCP_MISS/{status} {nbytes} {method} {url} - '
            f'HIER_DIRECT/{peer} -')


class Skip(Exception):
    pass


def write_logs(tmp):
    """The company's logs in tmp; returns what the checks need."""
    logs = os.path.join(tmp, 'kaede')
    os.mkdir(logs)
    # --- firewall: 2024-01..03, and 2023-02 for the year before ---
    plan24 = {(1, 23): 60, (1, 2323): 20, (1, 52869): 15, (1, 445): 30, (1, 3389): 25,
              (2, 23): 40, (2, 8291): 10, (2, 9000): 12, (2, 22): 18,
              (3, 23): 33, (3, 7547): 11, (3, 80): 9}
    plan23 = {(2, 23): 80, (2, 445): 20}
    old23 = os.path.join(tmp, 'kern-2023.log')   # imported on its own, --year 2023
    with open(old23, 'w') as f:
        f.write('\n'.join(firewall_lines(2023, plan23)) + '\n')
    fw_path = os.path.join(logs, 'kern.log')
    with open(fw_path, 'w') as f:
        f.write('\n'.join(firewall_lines(2024, plan24)) + '\n')
    # --- proxy: epoch seconds of 2024-01-10, 2024-02-10 12:00 UTC ---
    jan, feb = 1704888000, 1707566400
    sq = []
    # dropbox: January 3 uploads of 700,000 bytes each from two PCs (2.1 MB: counts),
    # February 400,000 bytes (does not count)
    for i in range(3):
        sq.append(squid_line(jan + i * 60, f'192.168.1.{20 + i % 2}', 'CONNECT',
                             'content.dropboxapi.com:443', 200, 700000))
    sq.append(squid_line(feb, '192.168.1.20', 'CONNECT', 'www.dropbox.com:443', 200, 400000))
    # chatgpt: February 1,048,576 bytes exactly (counts: at least 1 MB)
    sq.append(squid_line(feb + 30, '192.168.1.21', 'CONNECT', 'chatgpt.com:443', 200,
                         1048576))
    # plain http: January 2 requests, February 3
    for i in range(2):
        sq.append(squid_line(jan + 600 + i, '192.168.1.22', 'GET',
                             f'http://example.org/p{i}', 200, 1000))
    for i in range(3):
        sq.append(squid_line(feb + 600 + i, '192.168.1.22', 'GET',
                             f'http://example.org/q{i}', 200, 1000))
    with open(os.path.join(logs, 'access.log'), 'w') as f:
        f.write('\n'.join(sorted(sq)) + '\n')
    # HTTPS share: January 3 of 5, February 2 of 5
    want_https = {'2024-01': 3 / 5, '2024-02': 2 / 5}
    # --- DHCP (UTC, --tz UTC): 192.168.1.50 to pc-a at 09:00, released 12:00,
    # to pc-b at 12:30, 2024-03-05 ---
    dh = [
        'Mar  5 09:00:00 gw dhcpd[100]: DHCPACK on 192.168.1.50 to aa:aa:aa:00:00:01 (pc-a) via eth1',
        'Mar  5 12:00:00 gw dhcpd[100]: DHCPRELEASE of 192.168.1.50 from aa:aa:aa:00:00:01 (pc-a) via eth1 (found)',
        'Mar  5 12:30:00 gw dhcpd[100]: DHCPACK on 192.168.1.50 to bb:bb:bb:00:00:02 (pc-b) via eth1',
    ]
    with open(os.path.join(logs, 'dhcpd.log'), 'w') as f:
        f.write('\n'.join(dh) + '\n')
    # --- DNS (BIND query log, syslog form): the server 192.168.1.50 is listed as
    # one that should not resolve names; it looks up one name before 12:00 (pc-a)
    # and another after 12:30 (pc-b) ---
    dn = [
        'Mar  5 10:00:00 gw named[200]: client @0x7f00 192.168.1.50#50001 (before.example): query: before.example IN A + (192.168.1.1)',
        'Mar  5 13:00:00 gw named[200]: client @0x7f00 192.168.1.50#50002 (after.example): query: after.example IN A + (192.168.1.1)',
        'Mar  5 13:05:00 gw named[200]: client @0x7f00 192.168.1.21#50003 (www.example.com): query: www.example.com IN A + (192.168.1.1)',
    ]
    with open(os.path.join(logs, 'named.log'), 'w') as f:
        f.write('\n'.join(dn) + '\n')
    # --- sshd: 25 failures from 203.0.113.66 on one day; an accepted login
    # from 8.8.8.8 (GeoIP: US, not the company's JP) ---
    au = [f'Mar  6 02:{i:02d}:00 gw sshd[{300 + i}]: Failed password for root from 203.0.113.66 '
          f'port {40000 + i} ssh2' for i in range(25)]
    au.append('Mar  6 09:00:00 gw sshd[400]: Accepted password for taro from 8.8.8.8 port 50000 ssh2')
    with open(os.path.join(logs, 'auth.log'), 'w') as f:
        f.write('\n'.join(au) + '\n')
    # --- the sensor's own events (Suricata's EVE layout): a DHCP acknowledgement
    # and a name query sent straight to an outside resolver by 192.168.1.60 ---
    eve = os.path.join(tmp, 'sensor-eve.json')
    with open(eve, 'w') as f:
        f.write(json.dumps({'timestamp': '2024-03-07T09:00:00.000000+0000', 'event_type': 'dhcp',
                            'src_ip': '192.168.1.1', 'src_port': 67, 'dest_ip': '192.168.1.60',
                            'dest_port': 68, 'proto': 'UDP',
                            'dhcp': {'type': 'reply', 'id': 7, 'client_mac': '02:00:00:00:00:60',
                                     'assigned_ip': '192.168.1.60', 'dhcp_type': 'ack',
                                     'lease_time': 86400, 'hostname': 'pc-60'}}) + '\n')
        # a TLS session of the sensor's to a storage service in February: its
        # flow's bytes count with the proxy's 400,000 (1,100,000 >= 1 MiB)
        f.write(json.dumps({'timestamp': '2024-02-12T10:00:00.000000+0000', 'flow_id': 777,
                            'event_type': 'tls', 'src_ip': '192.168.1.60', 'src_port': 50100,
                            'dest_ip': '162.125.1.18', 'dest_port': 443, 'proto': 'TCP',
                            'tls': {'sni': 'content.dropboxapi.com', 'version': 'TLS 1.3'}}) + '\n')
        f.write(json.dumps({'timestamp': '2024-02-12T10:00:00.000000+0000', 'flow_id': 777,
                            'event_type': 'flow', 'src_ip': '192.168.1.60', 'src_port': 50100,
                            'dest_ip': '162.125.1.18', 'dest_port': 443, 'proto': 'TCP',
                            'app_proto': 'tls',
                            'flow': {'pkts_toserver': 500, 'pkts_toclient': 300,
                                     'bytes_toserver': 650000, 'bytes_toclient': 50000,
                                     'start': '2024-02-12T10:00:00.000000+0000',
                                     'end': '2024-02-12T10:05:00.000000+0000'}}) + '\n')
        # a sensor alert of 192.168.1.60 (Suricata's alert layout, our built-in
        # signature), to be named by the lease too
        f.write(json.dumps({'timestamp': '2024-03-07T11:00:00.000000+0000', 'flow_id': 900,
                            'event_type': 'alert', 'src_ip': '192.168.1.60', 'src_port': 50200,
                            'dest_ip': '185.141.27.9', 'dest_port': 443, 'proto': 'TCP',
                            'direction': 'to_server',
                            'alert': {'action': 'allowed', 'gid': 1, 'signature_id': 8700084,
                                      'rev': 1, 'signature': 'MIMAMORI C2 periodic beaconing',
                                      'category': 'A Network Trojan was detected',
                                      'severity': 2,
                                      'metadata': {'family': ['beacon']}}}) + '\n')
        f.write(json.dumps({'timestamp': '2024-03-07T10:00:00.000000+0000', 'event_type': 'dns',
                            'src_ip': '192.168.1.60', 'src_port': 50000, 'dest_ip': '1.1.1.1',
                            'dest_port': 53, 'proto': 'UDP',
                            'dns': {'type': 'query', 'id': 1, 'rrname': 'direct.example',
                                    'rrtype': 'A', 'tx_id': 0}}) + '\n')
    # --- mail (Postfix): from outside, a macro attachment, and a header sender of
    # the company's own domain on an envelope from another; one internal message ---
    ml = []
    for qid, client, env, hdr, att in (
            ('A1B2C3', 'mx.partner.example[198.51.100.25]', 'billing@partner.example', None,
             'invoice.xlsm'),
            ('A1B2C4', 'mx.spoof.example[203.0.113.99]', 'bounce@spoof.example',
             '"Shacho" <ceo@kaede.example>', None),
            ('A1B2C5', 'pc-20.kaede.example[192.168.1.20]', 'taro@kaede.example',
             '<hanako@other.example>', 'tool.exe')):
        ml.append(f'Mar  7 09:00:00 mx postfix/smtpd[10]: {qid}: client={client}')
        if hdr:
            ml.append(f'Mar  7 09:00:00 mx postfix/cleanup[11]: {qid}: warning: header From: {hdr} '
                      f'from {client}; from=<{env}> to=<keiri@kaede.example> proto=ESMTP helo=<x>')
        if att:
            ml.append(f'Mar  7 09:00:00 mx postfix/cleanup[11]: {qid}: warning: header '
                      f'Content-Disposition: attachment; filename="{att}" from {client}; '
                      f'from=<{env}> to=<keiri@kaede.example> proto=ESMTP helo=<x>')
        ml.append(f'Mar  7 09:00:01 mx postfix/qmgr[12]: {qid}: from=<{env}>, size=2000, nrcpt=1 '
                  f'(queue active)')
        ml.append(f'Mar  7 09:00:01 mx postfix/qmgr[12]: {qid}: removed')
    with open(os.path.join(logs, 'maillog'), 'w') as f:
        f.write('\n'.join(ml) + '\n')
    inv = os.path.join(tmp, 'kaede.inv')
    with open(inv, 'w') as f:
        f.write('# kaede inventory\nresolver 192.168.1.1\nserver 192.168.1.50\n'
                'sanctioned dropbox\ncountry JP\n')

    return {'logs': logs, 'old23': old23, 'inv': inv, 'fw_path': fw_path, 'plan24': plan24,
            'want_https': want_https, 'eve': eve}


def scenario(tmp, db, w, label):
    """Ingest and report into db (a SQLite path or a postgresql:// URL)."""
    logs, old23, inv, fw_path = w['logs'], w['old23'], w['inv'], w['fw_path']
    plan24, want_https = w['plan24'], w['want_https']
    before = len(failures)
    common = ['--db', db, '--site', 'kaede', '--year', '2024', '--tz', 'UTC']
    r = run('ingest', *common, '--inventory', inv, logs)
    print(r.stderr.strip())
    run('ingest', '--db', db, '--site', 'kaede', '--year', '2023', '--tz', 'UTC',
        old23)
    run('ingest', '--db', db, '--site', 'kaede', w['eve'])
    rep = json.loads(run('report', '--db', db, '--format', 'json', '--tz', 'UTC',
                         '--from', '2024-01-01', '--to', '2024-04-01').stdout)
    c = rep['companies']['kaede']
    # the sensor's events: a query that bypasses the company's resolver, named by
    # the sensor's own DHCP acknowledgement
    fa = [f for f in c['findings'] if any(h['ip'] == '192.168.1.60' for h in f['hosts'])]
    check(len(fa) == 1 and fa[0]['hosts'][0].get('name') == 'pc-60' and
          fa[0]['hosts'][0].get('mac') == '02:00:00:00:00:60' and
          fa[0]['host'].get('name') == 'pc-60', f'the sensor alert named by its lease: {fa}')
    by = [f for f in c['dns_findings'] if f['kind'] == 'bypass' and f['name'] == '1.1.1.1']
    check(len(by) == 1 and by[0]['host'].get('name') == 'pc-60' and
          by[0]['host'].get('mac') == '02:00:00:00:00:60', f'sensor bypass with its lease: {by}')
    fw = c['firewall']
    blocked = sum(plan24.values())
    check(fw['blocked'] == blocked, f'blocked {fw["blocked"]} != {blocked}')
    ports = {}
    for (mo, port), n in plan24.items():
        ports[port] = ports.get(port, 0) + n
    got = {p['port']: p['count'] for p in fw['by_port']}
    check(got == ports, f'by_port {got} != {ports}')
    for p in fw['by_port']:
        check(abs(p['share'] - ports[p['port']] / blocked) < 1e-5, f'share of {p["port"]}')
    want_telnet = (ports[23] + ports[2323]) / blocked
    check(abs(fw['telnet_share'] - want_telnet) < 1e-5,
          f'telnet_share {fw["telnet_share"]} != {want_telnet}')
    iot = {23, 2323}
    tsv = os.path.join(SHARED, 'data', 'iot_ports.tsv')
    if os.path.exists(tsv):
        for line in open(tsv):
            f_ = line.rstrip('\n').split('\t')
            if len(f_) > 2 and f_[0].isdigit() and f_[1] == 'tcp' and f_[2] == 'yes':
                iot.add(int(f_[0]))
        want_iot = sum(1 for p in ports if p in iot) / len(ports)
        check(abs(fw['iot_share_top100'] - want_iot) < 1e-5,
              f'iot_share_top100 {fw["iot_share_top100"]} != {want_iot}')
        for p in fw['by_port']:
            check(p['iot'] == (p['port'] in iot), f'iot flag of {p["port"]}')
    else:
        print('SKIP iot share: ../shared/data/iot_ports.tsv absent')
    months = {}
    for (mo, port), n in plan24.items():
        k = f'2024-{mo:02d}'
        months[k] = months.get(k, 0) + n
    check(fw['by_month'] == months, f'by_month {fw["by_month"]} != {months}')
    check(fw['year_before'] == {'2024-02': 100}, f'year_before {fw["year_before"]}')
    # the survey across companies (here one): the same port counts, telnet share
    sv = rep['logs_survey']
    check(sv['blocked'] == blocked and {p['port']: p['count'] for p in sv['by_port']} == ports
          and abs(sv['telnet_share'] - want_telnet) < 1e-5, f'logs_survey {sv}')
    check(sv['services'] == {'dropbox': 1, 'chatgpt': 1}, f'survey services {sv["services"]}')
    # shadow IT
    sh = {(s['service'], s['month']): s for s in c['shadow_it']}
    check(set(sh) == {('dropbox', '2024-01'), ('dropbox', '2024-02'), ('chatgpt', '2024-02')},
          f'shadow_it service-months {sorted(sh)}')
    if ('dropbox', '2024-02') in sh:
        d = sh[('dropbox', '2024-02')]
        check(d['bytes_up'] == 650000 and d['bytes_down'] == 400000 + 50000 and d['hosts'] == 2,
              f'dropbox February, the proxy and the sensor together: {d}')
    if ('dropbox', '2024-01') in sh:
        d = sh[('dropbox', '2024-01')]
        check(d['bytes_down'] == 2100000 and d['hosts'] == 2 and d['sanctioned'],
              f'dropbox January {d}')
        check(d['category'] == 'storage', f'dropbox category {d["category"]}')
    if ('chatgpt', '2024-02') in sh:
        check(not sh[('chatgpt', '2024-02')]['sanctioned'], 'chatgpt not sanctioned')
        check(sh[('chatgpt', '2024-02')]['category'] == 'generative-ai', 'chatgpt category')
    hs = c['https_share']
    check(set(hs) == set(want_https) and all(abs(hs[k] - v) < 1e-5 for k, v in want_https.items()),
          f'https_share {hs} != {want_https}')
    # DNS: server_resolves with the DHCP machine at each time
    sr = {f['name']: f for f in c['dns_findings'] if f['kind'] == 'server_resolves'}
    check(set(sr) == {'before.example', 'after.example'}, f'server_resolves {sorted(sr)}')
    if 'before.example' in sr:
        h = sr['before.example']['host']
        check(h.get('mac') == 'aa:aa:aa:00:00:01' and h.get('name') == 'pc-a',
              f'10:00 is pc-a: {h}')
    if 'after.example' in sr:
        h = sr['after.example']['host']
        check(h.get('mac') == 'bb:bb:bb:00:00:02' and h.get('name') == 'pc-b',
              f'13:00 is pc-b: {h}')
    # mail from outside only: the macro attachment, the mismatched sender
    mf = {(f['kind'], f['name']): f for f in c['mail_findings']}
    check(set(mf) == {('exec_attachment', 'invoice.xlsm'),
                      ('from_mismatch', 'ceo@kaede.example')}, f'mail findings {sorted(mf)}')
    if ('from_mismatch', 'ceo@kaede.example') in mf:
        check(mf[('from_mismatch', 'ceo@kaede.example')]['from'] == 'bounce@spoof.example',
              'the envelope sender beside the header sender')
    # logins
    au_ = {(a['kind'], a['src_ip']): a for a in c['auth_findings']}
    check(('guessing', '203.0.113.66') in au_ and au_[('guessing', '203.0.113.66')]['count'] == 25,
          f'guessing {au_}')
    check(('abroad', '8.8.8.8') in au_ and au_[('abroad', '8.8.8.8')]['user'] == 'taro',
          f'abroad {au_}')
    check(c['level'] == 1, f'a login from abroad makes the level 1, got {c["level"]}')

    # idempotent: again adds nothing; grown adds the new lines; rotated gz adds nothing
    r = run('ingest', *common, logs)
    check('0 imported' in r.stderr, f'second import: {r.stderr}')
    with open(fw_path, 'a') as f:
        f.write('\n'.join(firewall_lines(2024, {(3, 23): 5})) + '\n')
    r = run('ingest', *common, fw_path)
    # the 5 new blocked lines and the 7 allowed ones firewall_lines adds
    check('imported 12 log records' in r.stderr, f'grown file: {r.stderr}')
    with open(fw_path, 'rb') as src, gzip.open(fw_path + '.1.gz', 'wb') as dst:
        dst.write(src.read())
    r = run('ingest', *common, fw_path + '.1.gz')
    check('already imported' in r.stderr, f'rotated copy: {r.stderr}')
    rep = json.loads(run('report', '--db', db, '--format', 'json', '--tz', 'UTC',
                         '--from', '2024-01-01', '--to', '2024-04-01').stdout)
    check(rep['companies']['kaede']['firewall']['blocked'] == blocked + 5,
          'blocked after the grown file')
    # HTML and PDF in both languages carry the section
    for lang, word in (('ja', 'ゲートウェイのログ'), ('en', 'What the gateway logs show')):
        out = os.path.join(tmp, f'r-{lang}.html')
        run('report', '--db', db, '--site', 'kaede', '--lang', lang, '--tz', 'UTC',
            '--from', '2024-01-01', '--to', '2024-04-01', '-o', out)
        html = open(out, encoding='utf-8').read()
        check(word in html, f'{lang} HTML has the log section')
        check('pc-b' in html, f'{lang} HTML names the machine')
        pdf = os.path.join(tmp, f'r-{lang}.pdf')
        run('report', '--db', db, '--site', 'kaede', '--lang', lang, '--format', 'pdf',
            '--tz', 'UTC', '--from', '2024-01-01', '--to', '2024-04-01', '-o', pdf)
        check(os.path.getsize(pdf) > 10000, f'{lang} PDF written')
    ok = len(failures) == before
    print(f'{"ok  " if ok else "FAIL"} {label}')
    return ok


def main():
    sys.path.insert(0, HERE)
    import pgtemp
    tmp = tempfile.mkdtemp(prefix='mm-logs-')
    skipped = 0
    results = []
    try:
        w = write_logs(tmp)
        results.append(scenario(tmp, os.path.join(tmp, 'store.db'), w,
                                'SQLite: logs in, findings out'))
        # PostgreSQL: the same logs (a fresh copy: the first run grew kern.log)
        tmp2 = tempfile.mkdtemp(prefix='mm-logs-pg-')
        try:
            url, stop = pgtemp.start_postgres(Skip)
        except Skip as e:
            print(f'SKIP PostgreSQL: {e}')
            skipped = 1
        else:
            try:
                results.append(scenario(tmp2, url, write_logs(tmp2),
                                        'PostgreSQL (started here): the same'))
            finally:
                stop()
                shutil.rmtree(tmp2, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f'{results.count(True)} passed, {results.count(False)} failed, {skipped} skipped')
    return 0 if results and all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
