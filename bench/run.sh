#!/usr/bin/env bash
# Sensor benchmark (run by hand, not a test): throughput and peak RSS on one
# core over
#   1. the 400 MB capture of ../shared/bench/gen_pcap.py, and
#   2. the Ethernet captures of ../shared/corpus (pcaps/ and ndpi/) merged
#      into one file,
# with ndpiReader (Debian libndpi-bin) and tshark on the same files in the
# same run. Every tool is pinned to one core (taskset), the file is read once
# before to be in the page cache, and the best of RUNS runs is kept.
# MB/s counts captured packet bytes (what capinfos -d would count for an
# unsnapped capture) over wall-clock time.
#
#   bench/run.sh [RUNS]        (scripts/install-deps.sh --bench installs the peers)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shared=../shared
work=${BENCH_DIR:-/tmp/mimamori-bench}
mkdir -p "$work"
[ -x build/mimamori ] || { meson setup build >/dev/null; ninja -C build >/dev/null; }

big=$work/bench400.pcap
[ -s "$big" ] || python3 "$shared/bench/gen_pcap.py" "$big" 400 >/dev/null
merged=$work/corpus-ether.pcap
if [ ! -s "$merged" ]; then
    list=()
    while IFS= read -r f; do
        [ "$(capinfos -T -r -E "$f" 2>/dev/null | cut -f2)" = ether ] && list+=("$f")
    done < <(find "$shared/corpus/pcaps" "$shared/corpus/ndpi/pcap" -name '*.pcap' -o -name '*.pcapng' | sort)
    mergecap -a -F pcap -w "$merged" "${list[@]}"
fi

measure() {  # measure CMD... -> "seconds rss_kib" (best of $runs)
    local best="" rss=0
    for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %M' -o "$work/time.txt" taskset -c 1 "$@" >/dev/null 2>&1 || true
        read -r s m < <(tail -1 "$work/time.txt")
        if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; rss=$m; fi
    done
    echo "$best $rss"
}

for f in "$big" "$merged"; do
    cat "$f" > /dev/null
    bytes=$(build/mimamori sensor -r "$f" --eve - -q | jq -r 'select(.event_type=="stats")|.stats.decoder.bytes')
    pkts=$(capinfos -M -T -r -c "$f" | cut -f2)
    echo
    echo "## $(basename "$f"): $pkts packets, $(awk "BEGIN{printf \"%.1f\", $bytes/1e6}") MB of packet data"
    echo
    echo "| tool | seconds | MB/s | packets/s | peak RSS |"
    echo "|---|---|---|---|---|"
    row() {
        read -r s m <<< "$2"
        awk -v n="$1" -v s="$s" -v m="$m" -v b="$bytes" -v p="$pkts" \
            'BEGIN{printf "| %s | %.2f | %.0f | %.0f | %.1f MiB |\n", n, s, b/1e6/s, p/s, m/1024}'
    }
    row "mimamori sensor, all parsers + files (SHA-256, the default)" \
        "$(measure build/mimamori sensor -r "$f" --eve /dev/null -q)"
    row "mimamori sensor, all parsers, files without hashes" \
        "$(measure build/mimamori sensor -r "$f" --eve /dev/null -q --file-hashes none)"
    row "mimamori sensor, all parsers, files with MD5+SHA-1+SHA-256" \
        "$(measure build/mimamori sensor -r "$f" --eve /dev/null -q --file-hashes md5,sha1,sha256)"
    row "mimamori sensor --no-app-layer (decode, flows, reassembly)" \
        "$(measure build/mimamori sensor -r "$f" --eve /dev/null -q --no-app-layer)"
    row "mimamori sensor, segments on disk (-o)" \
        "$(measure build/mimamori sensor -r "$f" -o "$work/out" -q)"
    rm -rf "$work/out"
    if [ -d "$shared/rules/etopen" ]; then
        # ET Open as published: the load alone (parse + prefilter build, an
        # empty capture), then the whole run; processing = whole - load
        head -c 24 "$f" > "$work/empty.pcap"
        load=$(measure build/mimamori sensor -r "$work/empty.pcap" --eve /dev/null -q \
               --rules "$shared/rules/etopen")
        whole=$(measure build/mimamori sensor -r "$f" --eve /dev/null -q \
                --rules "$shared/rules/etopen")
        row "mimamori sensor --rules ET Open: load only (empty capture)" "$load"
        # a restart: the prefilter databases read from --rules-cache
        rc="$work/rules-cache"
        rm -rf "$rc"
        build/mimamori sensor -r "$work/empty.pcap" --eve /dev/null -q \
            --rules "$shared/rules/etopen" --rules-cache "$rc" >/dev/null 2>&1 || true
        row "mimamori sensor --rules ET Open: load, databases cached" \
            "$(measure build/mimamori sensor -r "$work/empty.pcap" --eve /dev/null -q \
               --rules "$shared/rules/etopen" --rules-cache "$rc")"
        row "mimamori sensor --rules ET Open: load and traffic" "$whole"
        diff_row() {  # NAME WHOLE LOAD
            read -r ws wm <<< "$2"
            read -r ls _ <<< "$3"
            awk -v n="$1" -v a="$ws" -v b="$ls" -v m="$wm" -v by="$bytes" -v p="$pkts" \
                'BEGIN{s=a-b; printf "| %s | %.2f | %.0f | %.0f | %.1f MiB |\n", n, s, by/1e6/s, p/s, m/1024}'
        }
        diff_row "mimamori sensor --rules ET Open: traffic only (difference)" "$whole" "$load"
        # the work Suricata's default configuration does: its suricata.yaml
        # hashes no file (force-hash and file-store are off), while our
        # default is SHA-256 of every file
        whole_nh=$(measure build/mimamori sensor -r "$f" --eve /dev/null -q \
                   --rules "$shared/rules/etopen" --file-hashes none)
        row "mimamori sensor --rules ET Open --file-hashes none: load and traffic" "$whole_nh"
        diff_row "mimamori sensor --rules ET Open --file-hashes none: traffic only" "$whole_nh" "$load"
    fi
    if command -v ndpiReader >/dev/null; then
        row "ndpiReader -i (nDPI $(dpkg-query -W -f='${Version}' libndpi-bin 2>/dev/null))" \
            "$(measure ndpiReader -i "$f" -q)"
    fi
    if command -v tshark >/dev/null; then
        row "tshark -q -z conv,tcp" "$(measure tshark -n -r "$f" -q -z conv,tcp)"
    fi
done

# ET Open's alerts per rule on the merged corpus, for comparison with
# Suricata's on the same files (built-in detectors off: rule alerts only)
if [ -d "$shared/rules/etopen" ]; then
    echo
    echo "## ET Open alerts per rule on $(basename "$merged")"
    echo
    echo "| alerts | sid | rev | signature |"
    echo "|---|---|---|---|"
    build/mimamori sensor -r "$merged" --rules "$shared/rules/etopen" --no-detect --eve - -q |
        jq -r 'select(.event_type=="alert")|[.alert.signature_id,.alert.rev,.alert.signature]|@tsv' |
        sort | uniq -c | sort -k1,1nr -k2,2n |
        awk -F'\t' '{ split($1, a, " "); gsub(/\|/, "\\|", $3);
                      printf "| %s | %s | %s | %s |\n", a[1], a[2], $2, $3; n += a[1]; r++ }
                    END { printf "\n%d alerts from %d rules.\n", n, r }'
fi
