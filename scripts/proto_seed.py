#!/usr/bin/env python3
"""Writes a fuzz_proto seed from one TCP or UDP conversation of a capture:
byte 0 (transport and port choice), then per payload (flags: bit 0 the
direction, 2-byte length, data), as tests/fuzz/fuzz_proto.c reads it.

Usage: proto_seed.py CAPTURE STREAM_FILTER OUT   (e.g. 'tcp.stream==0')"""
import subprocess
import sys


def main():
    cap, flt, out = sys.argv[1:4]
    udp = flt.startswith('udp')
    fields = ['udp.srcport', 'udp.payload'] if udp else ['tcp.srcport', 'tcp.payload']
    r = subprocess.run(['tshark', '-n', '-r', cap, '-o', 'tcp.reassemble_out_of_order:TRUE',
                        '-Y', flt + (' && udp.length > 8' if udp else ' && tcp.len > 0'),
                        '-T', 'fields'] + sum((['-e', f] for f in fields), []),
                       capture_output=True, text=True)
    seed = bytearray([1 if udp else 0])
    first = None
    for line in r.stdout.splitlines()[:64]:
        port, _, hexd = line.partition('\t')
        if not hexd:
            continue
        data = bytes.fromhex(hexd.replace(':', ''))[:4096]
        first = first or port
        seed += bytes([0 if port == first else 1, len(data) >> 8, len(data) & 0xFF]) + data
    if len(seed) > 1:
        open(out, 'wb').write(seed)


if __name__ == '__main__':
    main()
