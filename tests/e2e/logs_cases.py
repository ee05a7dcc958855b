#!/usr/bin/env python3
"""Log lines written from each vendor's documented format, with the values
the documentation says they carry, run through `mimamori logs parse`.

A case file (tests/logs/*.txt) holds cases; a case is one or more `line:`
entries followed by one `expect:` entry per record the lines must give, in
order (or `expect: skip` / `expect: bad` when the lines give no record and
are counted as skipped or malformed). Directives stay in force for the
following cases of the file:

    # a comment: where the line comes from (the vendor's document)
    format: fortigate        parse with --format (absent: the format is detected)
    year: 2024               --year
    tz: UTC                  --tz (default: UTC in these tests)
    line: <a log line>
    expect: event_type=firewall src_ip=192.0.2.1 firewall.action=blocked \
            email.to[1]=b@example.com log.format=fortigate
    expect: !http.status     (a leading ! : the key must be absent)

Values are compared as text (numbers as their decimal text); a value with
spaces is quoted as in a shell.

usage: logs_cases.py MIMAMORI CASE_DIR_OR_FILE...
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile


def get(obj, path):
    cur = obj
    for part in path.split('.'):
        m = re.fullmatch(r'([^\[]+)((?:\[\d+\])*)', part)
        if not m:
            return None
        if not isinstance(cur, dict) or m.group(1) not in cur:
            return None
        cur = cur[m.group(1)]
        for idx in re.findall(r'\[(\d+)\]', m.group(2)):
            i = int(idx)
            if not isinstance(cur, list) or i >= len(cur):
                return None
            cur = cur[i]
    return cur


def text(v):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True)
    return str(v)


def load_cases(path):
    cases, cur_lines, cur_expect = [], [], []
    env = {'format': None, 'year': None, 'tz': 'UTC'}
    start = 0

    def close():
        nonlocal cur_lines, cur_expect
        if cur_lines:
            if not cur_expect:
                raise SystemExit(f'{path}:{start}: lines without expect')
            cases.append({'where': f'{path}:{start}', 'lines': cur_lines,
                          'expect': cur_expect, **env})
        cur_lines, cur_expect = [], []

    with open(path, encoding='utf-8') as f:
        raw = f.read().split('\n')
    # a trailing backslash continues an expect line
    lines, i = [], 0
    while i < len(raw):
        s, n = raw[i], i + 1
        while s.startswith('expect:') and s.endswith('\\') and i + 1 < len(raw):
            i += 1
            s = s[:-1] + ' ' + raw[i].strip()
        lines.append((n, s))
        i += 1
    for n, s in lines:
        if not s.strip() or s.startswith('#'):
            continue
        key, _, val = s.partition(':')
        val = val[1:] if val.startswith(' ') else val
        if key == 'line':
            if cur_expect:
                close()
            if not cur_lines:
                start = n
            cur_lines.append(val)
        elif key == 'expect':
            if not cur_lines:
                raise SystemExit(f'{path}:{n}: expect without lines')
            cur_expect.append(val.strip())
        elif key in ('format', 'year', 'tz'):
            close()
            env[key] = val.strip() or None
        else:
            raise SystemExit(f'{path}:{n}: unknown entry {key!r}')
    close()
    return cases


def run_case(binary, case, tmp):
    p = os.path.join(tmp, 'case.log')
    with open(p, 'w', encoding='utf-8', newline='\n') as f:
        f.write('\n'.join(case['lines']) + '\n')
    cmd = [binary, 'logs', 'parse', p]
    if case['format']:
        cmd += ['--format', case['format']]
    if case['year']:
        cmd += ['--year', case['year']]
    if case['tz']:
        cmd += ['--tz', case['tz']]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    recs = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    m = re.search(r'(\d+) lines, (\d+) records, (\d+) skipped, (\d+) malformed', r.stderr)
    counts = tuple(int(x) for x in m.groups()) if m else None
    errors = []
    want_records = [e for e in case['expect'] if e not in ('skip', 'bad')]
    if len(recs) != len(want_records):
        errors.append(f'{len(recs)} records, expected {len(want_records)}: {r.stdout.strip()[:400]}'
                      f' {r.stderr.strip()[:300]}')
    for e in case['expect']:
        if e == 'skip' and (not counts or counts[2] == 0):
            errors.append(f'expected a skipped line: {r.stderr.strip()[:300]}')
        if e == 'bad' and (not counts or counts[3] == 0):
            errors.append(f'expected a malformed line: {r.stderr.strip()[:300]}')
    for rec, e in zip(recs, want_records):
        for item in shlex.split(e):
            if item.startswith('!'):
                if get(rec, item[1:]) is not None:
                    errors.append(f'{item[1:]} present: {text(get(rec, item[1:]))}')
                continue
            k, _, v = item.partition('=')
            got = get(rec, k)
            if got is None or text(got) != v:
                errors.append(f'{k}: got {text(got) if got is not None else "(absent)"}, '
                              f'expected {v}')
    return errors


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    binary = sys.argv[1]
    files = []
    for a in sys.argv[2:]:
        if os.path.isdir(a):
            files += sorted(os.path.join(a, x) for x in os.listdir(a) if x.endswith('.txt'))
        else:
            files.append(a)
    ok = bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for fp in files:
            for case in load_cases(fp):
                errs = run_case(binary, case, tmp)
                if errs:
                    bad += 1
                    print(f'FAIL {case["where"]}')
                    for e in errs:
                        print(f'    {e}')
                else:
                    ok += 1
    print(f'logs cases: {ok} passed, {bad} failed')
    return 1 if bad or ok == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
