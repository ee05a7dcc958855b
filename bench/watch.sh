#!/usr/bin/env bash
# `mimamori watch` benchmark (run by hand, not a test). The watcher on one
# core (taskset -c 1), the writer of the storm on the other (taskset -c 0):
#   1. a tree of N files the script writes (default 100,000: 1,000
#      directories of 100 files, 200 B - 8 KiB, pages, scripts, images);
#   2. the first baseline: `watch --once` with no state (walk, hash,
#      classify, state file written), wall, CPU and peak RSS;
#   3. `find -type f -print0 | xargs -0 sha256sum` over the same tree, the
#      page cache warm for both, for comparison;
#   4. the watcher live on the tree (inotify on every directory): its CPU
#      at idle, utime + stime from /proc/PID/stat over 30 s;
#   5. a write storm: S new files (default 20,000) written as fast as
#      Python can into 200 of the directories, then the time until the
#      watcher has written the fim event of each: events per second, and
#      the watcher's CPU over the storm (events per CPU second: what it
#      could keep up with when the writer is faster than this one).
#
#   [BUILD=dir] bench/watch.sh [N] [S]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
storm=${2:-20000}
work=${BENCH_DIR:-/tmp/mimamori-bench}/watch
mkdir -p "$work"
b=${BUILD:-build}
[ -x "$b/mimamori" ] || { meson setup "$b" >/dev/null; ninja -C "$b" >/dev/null; }
ninja -C "$b" mimamori >/dev/null
M=$(realpath "$b/mimamori")
tree="$work/tree-$n"
rm -rf "$tree" "$work/state" "$work/eve.json"
/usr/bin/python3 - "$tree" "$n" <<'EOP'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(27)
page = b'<?php\nrequire __DIR__ . "/inc/header.php";\n$q = htmlspecialchars($_GET["q"] ?? "");\n?>\n'
for i in range(n):
    d = os.path.join(root, 'd%03d' % (i // 100))
    if i % 100 == 0:
        os.makedirs(d, exist_ok=True)
    k = i % 4
    size = rng.randrange(200, 8192)
    if k == 0:
        name, data = 'p%06d.php' % i, page + b'<p>' + b'x' * size + b'</p>\n'
    elif k == 1:
        name, data = 'i%06d.jpg' % i, b'\xff\xd8\xff\xe0\x00\x10JFIF\x00' + rng.randbytes(size)
    else:
        name, data = 'h%06d.html' % i, b'<html><p>' + b'y' * size + b'</p></html>\n'
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)
EOP
bytes=$(du -sb "$tree" | cut -f1)
find "$tree" -type f -print0 | xargs -0 cat > /dev/null
t() {  # t LABEL CMD...
    /usr/bin/time -f '%e %U %S %M' -o "$work/t" taskset -c 1 "${@:2}" > "$work/out" 2> "$work/err" || true
    read -r wall user sys rss < <(tail -1 "$work/t")
    awk -v l="$1" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v n="$n" -v b="$bytes" \
        'BEGIN { printf "%-34s %6.2f s wall %6.2f s cpu  %8.0f files/s  %6.1f MB/s  peak RSS %5.1f MB\n",
                 l, w, u + s, n / (u + s), b / 1e6 / (u + s), r / 1024 }'
}
echo "tree: $n files, $bytes bytes"
t "watch --once, first baseline" "$M" watch "$tree" --site bench --eve /dev/null \
    --state "$work/state" --once -q
t "find | xargs sha256sum" sh -c "find '$tree' -type f -print0 | xargs -0 sha256sum"
t "watch --once, nothing changed" "$M" watch "$tree" --site bench --eve /dev/null \
    --state "$work/state" --once -q
echo "state file: $(stat -c %s "$work/state") bytes"

cpu() {  # utime + stime of a process, in clock ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}
hz=$(getconf CLK_TCK)
taskset -c 1 "$M" watch "$tree" --site bench --eve "$work/eve.json" --state "$work/state" \
    2> "$work/live.err" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 600); do
    grep -q watching "$work/live.err" && break
    sleep 0.5
done
grep -q watching "$work/live.err" || { echo "watcher did not start"; cat "$work/live.err"; exit 1; }
sleep 2
c0=$(cpu "$pid")
sleep 30
c1=$(cpu "$pid")
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
awk -v a="$c0" -v b="$c1" -v hz="$hz" -v r="$rss" \
    'BEGIN { printf "%-34s %6.3f s cpu in 30 s (%.3f %%)  RSS %5.1f MB\n",
             "live watcher at idle", (b - a) / hz, 100 * (b - a) / hz / 30, r / 1024 }'

before=$(grep -c '"event_type":"fim"' "$work/eve.json" || true)
c0=$(cpu "$pid")
s0=$(date +%s.%N)
taskset -c 0 /usr/bin/python3 - "$tree" "$storm" <<'EOP'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(root, 'd%03d' % (i % 200), 'storm%06d.html' % i), 'wb') as f:
        f.write(b'<p>storm %d</p>\n' % i)
EOP
s1=$(date +%s.%N)
want=$((before + storm))
got=$before
for _ in $(seq 1200); do
    got=$(grep -c '"event_type":"fim"' "$work/eve.json" || true)
    [ "$got" -ge "$want" ] && break
    sleep 0.1
done
s2=$(date +%s.%N)
c1=$(cpu "$pid")
awk -v n="$storm" -v a="$s0" -v w="$s1" -v e="$s2" -v g="$((got - before))" \
    -v c="$(( c1 - c0 ))" -v hz="$hz" \
    'BEGIN { printf "%-34s %d files written in %.2f s; %d events in %.2f s: %.0f events/s; watcher cpu %.2f s (%.0f events per cpu second)\n",
             "write storm", n, w - a, g, e - a, g / (e - a), c / hz, c ? g / (c / hz) : 0 }'
kill "$pid"
wait "$pid" 2>/dev/null || true
trap - EXIT
