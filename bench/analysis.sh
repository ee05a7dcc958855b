#!/usr/bin/env bash
# Analysis benchmark (run by hand, not a test): events of 30 fictional
# companies over 4 months (mm-evegen: about 10 million alert and flow
# events, 4.8 GB of EVE JSON) imported into a fresh SQLite store on one core
# (taskset), then every report written from it: the survey and each
# company's, HTML and PDF, Japanese and English (124 files, `report
# --out-dir`, which uses one writer process per core). Prints events per
# second, store size per million events, report time and peak RSS.
#
#   bench/analysis.sh [SITES DAYS EVENTS_PER_DAY]   (default 30 120 2800)
#
# The peer figure for ingest is SQLite's own CLI importing the same lines as
# raw text rows (no parsing, no enrichment, no rollup): the floor of what a
# store of the raw lines would cost on the same disk.
set -euo pipefail
cd "$(dirname "$0")/.."
sites=${1:-30}
days=${2:-120}
per_day=${3:-2800}
work=${BENCH_DIR:-/tmp/mimamori-bench}/analysis
mkdir -p "$work"
[ -x build/mimamori ] || { meson setup build >/dev/null; ninja -C build >/dev/null; }
ninja -C build >/dev/null

ev=$work/events-$sites-$days-$per_day
if [ ! -d "$ev" ]; then
    build/mm-evegen --sites "$sites" --days "$days" --events "$per_day" "$ev.tmp"
    mv "$ev.tmp" "$ev"
fi
n=$(cat "$ev"/*.json | wc -l)
bytes=$(cat "$ev"/*.json | wc -c)
cat "$ev"/*.json > /dev/null   # in the page cache

db=$work/store.db
rm -f "$db" "$db"-wal "$db"-shm
/usr/bin/time -f '%e %M' -o "$work/time.txt" taskset -c 1 \
    build/mimamori ingest -q --db "$db" "$ev" 2> "$work/ingest.log"
read -r s rss < "$work/time.txt"
size=$(stat -c %s "$db")
echo "## ingest: $n events ($((bytes / 1000000)) MB of EVE JSON), $sites companies x $days days"
echo
echo "| what | seconds | events/s | peak RSS | store |"
echo "|---|---|---|---|---|"
awk -v n="$n" -v s="$s" -v m="$rss" -v z="$size" 'BEGIN{printf "| mimamori ingest (SQLite, one core) | %.1f | %.0f | %.0f MiB | %.0f MB (%.0f MB per million events) |\n", s, n/s, m/1024, z/1e6, z/1e6/(n/1e6)}'
tail -1 "$work/ingest.log" | sed 's/^/    /'

echo
echo "## every report: survey + $sites companies, HTML + PDF, ja + en"
echo
rm -rf "$work/reports"
sync
cat "$db" > /dev/null   # the store in the page cache, as the input was
/usr/bin/time -f '%e %M' -o "$work/time.txt" \
    build/mimamori report --db "$db" --out-dir "$work/reports" > "$work/reports.txt"
read -r s rss < "$work/time.txt"
files=$(wc -l < "$work/reports.txt")
echo "| what | seconds | files | peak RSS |"
echo "|---|---|---|---|"
awk -v s="$s" -v f="$files" -v m="$rss" -v c="$(nproc)" 'BEGIN{printf "| mimamori report --out-dir (model once, writers on %d cores) | %.1f | %d | %.0f MiB |\n", c, s, f, m/1024}'
/usr/bin/time -f '%e %M' -o "$work/time.txt" \
    build/mimamori report --db "$db" --format json -o /dev/null
read -r s rss < "$work/time.txt"
awk -v s="$s" -v m="$rss" 'BEGIN{printf "| mimamori report --format json (the model alone) | %.1f | 1 | %.0f MiB |\n", s, m/1024}'

echo
echo "## the peer floor for ingest"
echo
echo "| what | seconds | events/s | peak RSS | store |"
echo "|---|---|---|---|---|"
if command -v sqlite3 >/dev/null; then
    raw=$work/raw.db
    rm -f "$raw"
    cat "$ev"/*.json > "$work/all.json"
    printf '.mode ascii\n.separator "\\037" "\\n"\n.import %s raw\n' "$work/all.json" > "$work/raw.sql"
    /usr/bin/time -f '%e %M' -o "$work/time.txt" taskset -c 1 \
        sqlite3 -cmd 'CREATE TABLE raw (line TEXT)' "$raw" < "$work/raw.sql"
    read -r s2 rss2 < "$work/time.txt"
    awk -v n="$n" -v s="$s2" -v m="$rss2" -v z="$(stat -c %s "$raw")" 'BEGIN{printf "| sqlite3 .import of the raw lines (peer floor) | %.1f | %.0f | %.0f MiB | %.0f MB |\n", s, n/s, m/1024, z/1e6}'
    rm -f "$work/all.json"
    rm -f "$raw"
fi

