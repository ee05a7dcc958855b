#!/usr/bin/env bash
# Benign traffic at scale (run by hand, not a test): what the detectors say
# about traffic with no attack in it, with ET Open and without.
#
#   1. every benign capture of the corpus (corpus/ndpi/BENIGN.txt: browsers,
#      apps, DNS, mail, file sharing);
#   2. an ordinary office week of three fictional companies (mm-attackgen
#      company --checkins: five working days of browsing plus what every
#      office PC sends on its own all day - Windows, Teams, Chrome, Trend
#      Micro, Dropbox and certificate-list check-ins at fixed intervals and
#      sizes - and one business web service no list knows, polled every
#      5 minutes).
#
# Prints the alerts per signature and severity, and checks the targets of
# issue 28: no severity 1 anywhere; severity 2 at most one per company-day
# in the office week. Exit 1 when a target is missed.
#
#   bench/benign.sh [DAYS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
days=${1:-5}
shared=../shared
work=${BENCH_DIR:-/tmp/mimamori-bench}/benign
mkdir -p "$work"
[ -x build/mimamori ] || { meson setup build >/dev/null; ninja -C build >/dev/null; }
ninja -C build >/dev/null
rules=()
[ -d "$shared/rules/etopen" ] && rules=(--rules "$shared/rules/etopen" --rules-cache "$work/rules-cache")

# company name, hosts, seed
companies=("kita-shoji 20 11" "minami-kogyo 40 12" "nishi-sekkei 8 13")
for c in "${companies[@]}"; do
    set -- $c
    [ -s "$work/$1.pcap" ] || build/mm-attackgen company --days "$days" --hosts "$2" --seed "$3" \
        --checkins "$work/$1.pcap"
done

# capture_alerts LABEL CAPTURE ARGS... : "label day sid severity signature"
# per alert (day "-" for the corpus, whose dates mean nothing here)
capture_alerts() {
    local label=$1 cap=$2 days=$3; shift 3
    build/mimamori sensor -q -r "$cap" --eve - "$@" |
        python3 -c "
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    if e['event_type'] == 'alert':
        a = e['alert']
        day = e['timestamp'][:10] if sys.argv[2] == 'days' else '-'
        print(sys.argv[1], day, a['signature_id'], a['severity'], a['signature'], sep='\t')" \
        "$label" "$days"
}

alerts() {  # alerts OUT ARGS... : the office week
    local out=$1 name; shift
    : > "$out"
    for c in "${companies[@]}"; do
        name=${c%% *}
        capture_alerts "$name" "$work/$name.pcap" days "$@" >> "$out"
    done
}

corpus() {  # corpus OUT ARGS... : the benign nDPI captures
    local out=$1; shift
    : > "$out"
    if [ ! -f "$shared/corpus/ndpi/BENIGN.txt" ]; then echo "corpus absent: skipped" >&2; return; fi
    grep -v '^#' "$shared/corpus/ndpi/BENIGN.txt" | while read -r f; do
        [ -f "$shared/corpus/ndpi/pcap/$f" ] || continue
        capture_alerts "$f" "$shared/corpus/ndpi/pcap/$f" nodays "$@" >> "$out"
    done
}

report() {  # report TITLE FILE PER_DAY_CHECK
    echo "## $1"
    if [ ! -s "$2" ]; then echo "no alerts"; return 0; fi
    cut -f3,4,5 "$2" | sort | uniq -c | sort -k3,3n -k1,1nr |
        awk -F'\t' '{printf "%s\n", $0}'
    local s1 s2max
    s1=$(awk -F'\t' '$4 == 1' "$2" | wc -l)
    s2max=$(awk -F'\t' '$4 == 2 {n[$1 " " $2]++} END {m = 0; for (k in n) if (n[k] > m) m = n[k]; print m}' "$2")
    echo "severity 1: $s1; severity 2 at most per company-day: $s2max"
    [ "$s1" -eq 0 ] && { [ "$3" = no ] || [ "$s2max" -le 1 ]; }
}

ok=0
corpus "$work/corpus-builtin.tsv"
report "benign corpus captures, built-in detectors" "$work/corpus-builtin.tsv" no || ok=1
alerts "$work/week-builtin.tsv"
report "office week ($days days x 3 companies), built-in detectors" "$work/week-builtin.tsv" yes || ok=1
if [ ${#rules[@]} -gt 0 ]; then
    corpus "$work/corpus-etopen.tsv" "${rules[@]}"
    report "benign corpus captures, built-in detectors and ET Open" "$work/corpus-etopen.tsv" no || ok=1
    alerts "$work/week-etopen.tsv" "${rules[@]}"
    report "office week, built-in detectors and ET Open" "$work/week-etopen.tsv" yes || ok=1
fi
exit $ok
