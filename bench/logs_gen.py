#!/usr/bin/env python3
"""Gateway logs in bulk for the log benchmarks (bench/logs.sh), deterministic:
per company a netfilter kernel log (blocked scans, allowed traffic) and a
Squid native access log (staff web use, cloud services) over MONTHS months
of 2024, LINES lines in all, split evenly.

usage: logs_gen.py OUTDIR COMPANIES MONTHS LINES
       logs_gen.py --one netfilter|squid N FILE     (one file of N lines)
"""
import os
import random
import sys

MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
PORTS = [23] * 30 + [2323] * 7 + [445] * 9 + [3389] * 7 + [22] * 6 + [52869] * 4 + \
        [37215] * 3 + [7547] * 3 + [8291] * 2 + [9000] * 2 + [80] * 5 + [8080] * 3
HOSTS = ['content.dropboxapi.com:443', 'outlook.office365.com:443', 'www.google.com:443',
         'chatgpt.com:443', 'teams.microsoft.com:443', 'www.yahoo.co.jp:443',
         'drive.google.com:443', 'www.nikkei.com:443', 'slack.com:443', 'zoom.us:443']


def netfilter(r, n, month, out):
    w = out.write
    mon = MON[month - 1]
    for i in range(n):
        d = 1 + i * 28 // max(n, 1)
        s = i % 86400
        src = f'{r.randrange(1, 224)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}'
        if i % 10:
            w(f'{mon} {d:2d} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d} gw kernel: '
              f'[{i}.{i % 1000000:06d}] DROP-WAN: IN=ppp0 OUT= SRC={src} DST=203.0.113.10 '
              f'LEN=44 TOS=0x00 PREC=0x00 TTL=240 ID={i % 65536} PROTO=TCP SPT={1024 + i % 60000} '
              f'DPT={r.choice(PORTS)} WINDOW=1024 RES=0x00 SYN URGP=0\n')
        else:
            w(f'{mon} {d:2d} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d} gw kernel: '
              f'[{i}.000000] ACCEPT-OUT: IN=eth1 OUT=ppp0 SRC=192.168.1.{10 + i % 40} '
              f'DST=52.98.152.178 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID={i % 65536} DF PROTO=TCP '
              f'SPT={20000 + i % 40000} DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0\n')


def squid(r, n, month, out):
    w = out.write
    t0 = 1704067200 + (month - 1) * 30 * 86400   # 2024-01-01 + 30 days a month
    k = r.randrange(1000)                        # the company's own traffic
    for i in range(n):
        t = t0 + i * (28 * 86400) // max(n, 1)
        h = 10 + i % 40
        if i % 5:
            w(f'{t}.{i % 1000:03d}   {50 + i % 3000} 192.168.1.{h} TCP_TUNNEL/200 '
              f'{2000 + (i * 7919 + k) % 900000} CONNECT {HOSTS[i % 10]} - HIER_DIRECT/203.0.113.{1 + i % 250} -\n')
        else:
            w(f'{t}.{i % 1000:03d}   {50 + i % 3000} 192.168.1.{h} TCP_MISS/200 '
              f'{3000 + i % 40000} GET http://www.example.jp/page{i % 500}.html - '
              f'HIER_DIRECT/203.0.113.{1 + i % 250} text/html\n')


def main():
    if sys.argv[1] == '--one':
        kind, n, path = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        with open(path, 'w', buffering=1 << 20) as f:
            (netfilter if kind == 'netfilter' else squid)(random.Random(7), n, 3, f)
        return
    out, companies, months, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    per = lines // (companies * months * 2)
    for c in range(companies):
        d = os.path.join(out, f'company-{c:02d}')
        os.makedirs(d, exist_ok=True)
        r = random.Random(c)
        for m in range(1, months + 1):
            with open(os.path.join(d, f'kern-{m:02d}.log'), 'w', buffering=1 << 20) as f:
                netfilter(r, per, m, f)
            with open(os.path.join(d, f'access-{m:02d}.log'), 'w', buffering=1 << 20) as f:
                squid(r, per, m, f)


if __name__ == '__main__':
    main()
