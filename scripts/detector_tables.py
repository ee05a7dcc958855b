#!/usr/bin/env python3
"""Regenerates the two tables of docs/detectors.md: the signatures from
src/detect/sigs.c (sorted by sid), the thresholds from
`mimamori sensor --help-detect`. Run from the source tree:

    scripts/detector_tables.py BUILD/mimamori
"""
import re
import subprocess
import sys

SIG = re.compile(r'\[SIG_\w+\]\s*=\s*\{(\d+),\s*\d+,\s*(\d+),\s*"([^"]*)",\s*"([^"]*)",'
                 r'\s*C_\w+,\s*"([^"]*)"\}')


def main():
    mm = sys.argv[1]
    rows = sorted((int(m.group(1)),) + m.groups()[1:]
                  for m in SIG.finditer(open('src/detect/sigs.c').read()))
    sigs = '| sid | sev | family | explain | signature |\n|----:|:---:|--------|---------|-----------|\n'
    sigs += ''.join('| %d | %s | %s | %s | %s |\n' % r for r in rows)
    out = subprocess.run([mm, 'sensor', '--help-detect'], capture_output=True, text=True,
                         check=True).stdout
    thr = '| name | default | meaning |\n|------|--------:|---------|\n'
    for line in out.splitlines()[1:]:
        m = re.match(r'\s+(\S+)\s+(\d+)\s+(.*)', line)
        if m:
            thr += '| %s | %s | %s |\n' % m.groups()
    doc = open('docs/detectors.md').read()
    doc = re.sub(r'\| sid \| sev \|.*?\n\n', lambda _: sigs + '\n', doc, count=1, flags=re.S)
    doc = re.sub(r'\| name \| default \|.*?\n\n', lambda _: thr + '\n', doc, count=1, flags=re.S)
    open('docs/detectors.md', 'w').write(doc)


main()
