#!/usr/bin/env python3
"""The peer of `mimamori logs parse` in bench/logs.sh: the same two formats
read the usual way in Python (a regular expression for the syslog header
and the netfilter KEY=value pairs; split() for Squid's native fields), each
line printed as one JSON object with the same fields.

usage: logs_peer.py netfilter|squid FILE
"""
import json
import re
import sys

HDR = re.compile(r'^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\S+) kernel: (.*)$')
KV = re.compile(r'(\w+)=(\S*)')


def netfilter(f, out):
    for line in f:
        m = HDR.match(line)
        if not m or ' SRC=' not in m.group(7):
            continue
        kv = dict(KV.findall(m.group(7)))
        rec = {'timestamp': f'2024 {m.group(1)} {m.group(2)} {m.group(3)}:{m.group(4)}:{m.group(5)}',
               'event_type': 'firewall', 'src_ip': kv.get('SRC'), 'dest_ip': kv.get('DST'),
               'proto': kv.get('PROTO'), 'firewall': {'in_iface': kv.get('IN'), 'bytes': int(kv.get('LEN', 0))}}
        if 'SPT' in kv:
            rec['src_port'] = int(kv['SPT'])
            rec['dest_port'] = int(kv['DPT'])
        out.write(json.dumps(rec) + '\n')


def squid(f, out):
    for line in f:
        p = line.split()
        if len(p) < 10:
            continue
        code, _, status = p[3].partition('/')
        rec = {'timestamp': float(p[0]), 'event_type': 'proxy', 'src_ip': p[2],
               'http': {'http_method': p[5], 'url': p[6], 'status': int(status), 'length': int(p[4])},
               'proxy': {'action': code, 'duration_ms': int(p[1])}}
        out.write(json.dumps(rec) + '\n')


with open(sys.argv[2], encoding='utf-8', errors='replace') as f:
    (netfilter if sys.argv[1] == 'netfilter' else squid)(f, sys.stdout)
