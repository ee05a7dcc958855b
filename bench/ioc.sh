#!/usr/bin/env bash
# Indicators benchmark (run by hand, not a test):
#   1. one million indicators (addresses, networks, domains, URLs, SHA-256)
#      loaded by the sensor: seconds and peak RSS over a capture of one
#      packet, against the same run without them; plain list and mimamori's
#      own export;
#   2. the sensor's throughput on the 400 MB capture of
#      ../shared/bench/gen_pcap.py with and without the million indicators
#      (one core, best of RUNS);
#   3. hunting: 30 companies x 12 months of events with their DNS, TLS and
#      HTTP names (mm-evegen --names 1) imported into a fresh store; the
#      store's size with and without the hunting index; 10,000 indicators
#      (half of them values the companies met, half not) hunted.
#
#   bench/ioc.sh [RUNS] [EVENTS_PER_DAY]     (default 3, 300)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
per_day=${2:-300}
shared=../shared
work=${BENCH_DIR:-/tmp/mimamori-bench}/ioc
mkdir -p "$work"
[ -x build/mimamori ] || { meson setup build >/dev/null; }
ninja -C build >/dev/null
M=build/mimamori

if [ "${IOC_BENCH_PART:-all}" = hunt ]; then skip12=1; else skip12=0; fi
if [ "$skip12" = 0 ]; then
# ---- 1. a million indicators ----
python3 - "$work/1m.txt" <<'PY'
import random, sys
r = random.Random(7)
with open(sys.argv[1], 'w') as f:
    for i in range(400000):
        f.write('%d.%d.%d.%d\n' % (r.randint(1, 223), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254)))
    for i in range(50000):
        f.write('%d.%d.%d.0/24\n' % (r.randint(1, 223), r.randint(0, 255), r.randint(0, 255)))
    for i in range(300000):
        f.write('c2-%x.bad%d.example-%d.com\n' % (r.getrandbits(40), i % 997, i % 89))
    for i in range(100000):
        f.write('http://dl%d.evil%d.example/p/%x.php\n' % (i, i % 577, r.getrandbits(48)))
    for i in range(150000):
        f.write('%064x\n' % r.getrandbits(256))
PY
python3 - "$work/one.pcap" <<'PY'
import struct, sys
eth = b'\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00'
ip = bytes.fromhex('4500001c000100004011f7cec0a80001c0a80002')
udp = bytes.fromhex('0035003500080000')
pkt = eth + ip + udp
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack('<IIII', 1700000000, 0, len(pkt), len(pkt)) + pkt)
PY
db=$work/1m.db
rm -f "$db"*
$M ioc import -q --db "$db" --name big "$work/1m.txt" 2> "$work/import.log"
$M ioc export --db "$db" --format mimamori -o "$work/1m.ioc" 2>/dev/null
best() {  # best CMD... -> "seconds rss_kib"
    local b="" r=0
    for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %M' -o "$work/t" taskset -c 1 "$@" >/dev/null 2>&1 || true
        read -r s m < <(tail -1 "$work/t")
        if [ -z "$b" ] || awk "BEGIN{exit !($s < $b)}"; then b=$s; r=$m; fi
    done
    echo "$b $r"
}
echo "## 1,000,000 indicators loaded by the sensor (one core, best of $runs)"
echo
echo "| run | seconds | peak RSS |"
echo "|---|---|---|"
row() { read -r s m <<< "$2"; awk -v n="$1" -v s="$s" -v m="$m" 'BEGIN{printf "| %s | %.2f | %.1f MiB |\n", n, s, m/1024}'; }
row "no indicators" "$(best $M sensor -r "$work/one.pcap" --no-rules --eve /dev/null -q)"
row "plain list (type recognised per line)" "$(best $M sensor -r "$work/one.pcap" --no-rules --eve /dev/null -q --ioc "$work/1m.txt")"
row "mimamori ioc export" "$(best $M sensor -r "$work/one.pcap" --no-rules --eve /dev/null -q --ioc "$work/1m.ioc")"
$M sensor -r "$work/one.pcap" --no-rules --eve /dev/null --ioc "$work/1m.ioc" 2>&1 | grep indicators

# ---- 2. throughput with them ----
big=${BENCH_DIR:-/tmp/mimamori-bench}/bench400.pcap
[ -s "$big" ] || python3 "$shared/bench/gen_pcap.py" "$big" 400 >/dev/null
cat "$big" > /dev/null
bytes=$(stat -c %s "$big")
echo
echo "## bench400 ($((bytes / 1000000)) MB file), built-in detectors, one core, best of $runs"
echo
echo "| run | seconds | MB/s | peak RSS |"
echo "|---|---|---|---|"
row2() { read -r s m <<< "$2"; awk -v n="$1" -v s="$s" -v m="$m" -v b="$bytes" 'BEGIN{printf "| %s | %.2f | %.0f | %.1f MiB |\n", n, s, b/1e6/s, m/1024}'; }
row2 "no indicators" "$(best $M sensor -r "$big" --no-rules --eve /dev/null -q)"
row2 "1,000,000 indicators" "$(best $M sensor -r "$big" --no-rules --eve /dev/null -q --ioc "$work/1m.ioc")"

fi
# ---- 3. hunting ----
ev=$work/events-30-365-$per_day
[ -d "$ev" ] || { build/mm-evegen --sites 30 --days 365 --events "$per_day" --names 1 "$ev.tmp" 2>/dev/null; mv "$ev.tmp" "$ev"; }
n=$(cat "$ev"/*.json | wc -l)
hdb=$work/hunt.db
rm -f "$hdb"*
/usr/bin/time -f '%e %M' -o "$work/t" taskset -c 1 $M ingest -q --db "$hdb" "$ev" 2>/dev/null
read -r s m < "$work/t"
size=$(stat -c %s "$hdb")
# sizes compared as VACUUM leaves them, with and without the index (the
# store as ingested also holds free pages of every table)
cp "$hdb" "$work/full.db"
sqlite3 "$work/full.db" "VACUUM;"
cp "$hdb" "$work/noidx.db"
sqlite3 "$work/noidx.db" "DROP TABLE obs_piece; VACUUM;"
size1=$(stat -c %s "$work/full.db")
size0=$(stat -c %s "$work/noidx.db")
pieces=$(sqlite3 "$hdb" "SELECT COUNT(DISTINCT kind || '/' || month || '/' || site_id || '/' || seq) FROM obs_piece")
echo
echo "## hunting: 30 companies x 365 days, $n events"
echo
echo "- ingest: $s s, peak RSS $((m / 1024)) MiB; store as ingested $(awk -v a="$size" 'BEGIN{printf "%.1f", a/1e6}') MB"
awk -v a="$size1" -v b="$size0" -v p="$pieces" 'BEGIN{printf "- store %.1f MB (vacuumed); without the hunting index %.1f MB: the index adds %.1f %% (%d pieces)\n", a/1e6, b/1e6, (a-b)*100/b, p}'
# 10,000 indicators: 2,500 remote addresses and 2,500 names the events
# show, 5,000 names they do not
python3 - "$ev" > "$work/10k.txt" <<'PY2'
import json, os, random, sys
r = random.Random(5)
ips, names = set(), set()
for f in sorted(os.listdir(sys.argv[1])):
    with open(os.path.join(sys.argv[1], f)) as fh:
        for line in fh:
            if '"event_type":"flow"' in line:
                e = json.loads(line)
                for a in (e['src_ip'], e['dest_ip']):
                    if not a.startswith('192.168.'):
                        ips.add(a)
            elif '"event_type":"dns"' in line:
                names.add(json.loads(line)['dns']['rrname'])
for v in r.sample(sorted(ips), 2500) + r.sample(sorted(names), 2500):
    print(v)
PY2
python3 -c "
import random
r = random.Random(3)
for i in range(5000): print('never%d.seen%d.example.net' % (i, r.getrandbits(30)))" >> "$work/10k.txt"
$M ioc import -q --db "$hdb" --name tenk "$work/10k.txt" 2>/dev/null
/usr/bin/time -f '%e %M' -o "$work/t" taskset -c 1 $M hunt --db "$hdb" --set tenk --format json > "$work/hits.json" 2> "$work/hunt.log" || true
read -r s m < "$work/t"
echo "- hunt of $(sqlite3 "$hdb" "SELECT COUNT(*) FROM iocs i JOIN ioc_sets s ON s.id = i.set_id WHERE s.name = 'tenk'") indicators: $s s, peak RSS $((m / 1024)) MiB, $(wc -l < "$work/hits.json") hits ($(tail -1 "$work/hunt.log"))"
