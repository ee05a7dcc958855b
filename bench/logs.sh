#!/usr/bin/env bash
# Gateway-log benchmarks (run by hand, not a test), on one core (taskset):
#   1. parsing: 1 million netfilter lines and 1 million Squid native lines
#      through `mimamori logs parse` (JSON out), against `grep -c` over the
#      same file (the floor: reading the bytes) and a Python parser of the
#      same format (bench/logs_peer.py: a regular expression / split(), JSON
#      out);
#   2. ingest: LINES lines of firewall and proxy logs of COMPANIES companies
#      over MONTHS months (bench/logs_gen.py) into a fresh SQLite store, a
#      company at a time (--site), with peak memory;
#   3. reports: every report written from that store (survey and each
#      company's, HTML and PDF, Japanese and English: report --out-dir).
#
#   bench/logs.sh [COMPANIES MONTHS LINES]   (default 30 4 10000000)
set -euo pipefail
cd "$(dirname "$0")/.."
companies=${1:-30}
months=${2:-4}
lines=${3:-10000000}
work=${BENCH_DIR:-/tmp/mimamori-bench}/logs
mkdir -p "$work"
[ -x build/mimamori ] || { meson setup build >/dev/null; ninja -C build >/dev/null; }
ninja -C build >/dev/null
M=build/mimamori
t() {  # t LABEL CMD...: wall seconds (best and median of RUNS) and peak RSS on core 1;
       # output into a file (GNU grep stops at the first match when its output
       # is /dev/null)
    local runs=${RUNS:-3} times=() rss=0 s m
    for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %M' -o "$work/t" taskset -c 1 "${@:2}" > "$work/out" \
            2>"$work/err" || { cat "$work/err"; exit 1; }
        read -r s m < "$work/t"
        times+=("$s")
        [ "$m" -gt "$rss" ] && rss=$m
    done
    read -r best med < <(printf '%s\n' "${times[@]}" | sort -n |
        awk '{v[NR]=$1} END {print v[1], v[int((NR+1)/2)]}')
    last=$best
    printf '%-46s %6.2f s (median %5.2f) %8d KiB\n' "$1" "$best" "$med" "$rss"
}

echo "## parsing, 1,000,000 lines each (one core)"
for f in netfilter squid; do
    [ -s "$work/$f-1m.log" ] || python3 bench/logs_gen.py --one $f 1000000 "$work/$f-1m.log"
    cat "$work/$f-1m.log" > /dev/null
    t "$f: mimamori logs parse (detected)" $M logs parse -q --year 2024 "$work/$f-1m.log"
    t "$f: mimamori logs parse --format $f" $M logs parse -q --year 2024 --format $f "$work/$f-1m.log"
    t "$f: grep -c (reading only)" grep -c ' ' "$work/$f-1m.log"
    t "$f: python3 bench/logs_peer.py" python3 bench/logs_peer.py $f "$work/$f-1m.log"
done

data=$work/data-$companies-$months-$lines
if [ ! -d "$data" ]; then
    python3 bench/logs_gen.py "$data.tmp" "$companies" "$months" "$lines"
    mv "$data.tmp" "$data"
fi
n=$(cat "$data"/*/*.log | wc -l)
mb=$(( $(cat "$data"/*/*.log | wc -c) / 1000000 ))
cat "$data"/*/*.log > /dev/null
echo
echo "## ingest: $n lines ($mb MB) of firewall and proxy logs, $companies companies x $months months"
db=$work/store.db
rm -f "$db" "$db"-wal "$db"-shm
cat > "$work/ingest-all.sh" <<EOT
#!/bin/sh
for d in "$data"/*/; do
    $PWD/$M ingest -q --db "$db" --site "\$(basename "\$d")" --year 2024 --tz UTC "\$d" || exit 1
done
EOT
chmod +x "$work/ingest-all.sh"
RUNS=1 t "ingest (SQLite, fresh store)" "$work/ingest-all.sh"
echo "lines per second: $(python3 -c "print(round($n / $last))")"
echo "store: $(( $(stat -c %s "$db") / 1000000 )) MB"
RUNS=1 t "ingest again (every file already imported)" "$work/ingest-all.sh"

echo
echo "## reports from that store"
rm -rf "$work/reports"
/usr/bin/time -f '%e %M' -o "$work/t" $M report --db "$db" --tz UTC --out-dir "$work/reports" \
    > /dev/null 2> "$work/err"
read -r s rss < "$work/t"
printf '%-46s %6.2f s %24d KiB (%d files)\n' "report --out-dir (all cores)" "$s" "$rss" \
    "$(ls "$work/reports" | wc -l)"
t "report --format json (one core)" $M report --db "$db" --tz UTC --format json
