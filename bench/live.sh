#!/usr/bin/env bash
# Live capture benchmark (run by hand as root, not a test): the 400 MB
# capture of ../shared/bench/gen_pcap.py replayed by tcpreplay into a veth
# pair in two network namespaces this script makes, with the sensor on the
# other end running ET Open (../shared/rules/etopen) and the built-in
# detectors, for each worker count and rate given. Reported per run: the
# rate tcpreplay achieved, the packets the kernel handed to the sensor's
# rings and those it dropped (the rings' own counters, from the sensor's
# last stats event), the sensor's CPU time and peak RSS (from /proc before
# it stops).
#
#   sudo bench/live.sh [WORKERS...]   (default: 1 2)
#   RATES="1000 2000 topspeed" sudo bench/live.sh 2
#
# RATES: Mbit/s for tcpreplay --mbps, or "topspeed" (as fast as it can).
# The rules are compiled once into a cache before the runs, so every run
# starts in about a second. Needs tcpreplay (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared
work=${BENCH_DIR:-/tmp/mimamori-bench}
mm=${MM:-build/mimamori}
rates=${RATES:-"500 1000 topspeed"}
workers=("$@")
[ ${#workers[@]} -gt 0 ] || workers=(1 2)
[ "$(id -u)" = 0 ] || { echo "bench/live.sh: needs root (network namespaces)" >&2; exit 2; }
command -v tcpreplay >/dev/null || { echo "bench/live.sh: tcpreplay missing" >&2; exit 2; }
[ -x "$mm" ] || { echo "bench/live.sh: $mm missing (MM=path/to/mimamori)" >&2; exit 2; }
mkdir -p "$work"
big=$work/bench400.pcap
[ -s "$big" ] || python3 "$shared/bench/gen_pcap.py" "$big" 400 >/dev/null
rules=$shared/rules/etopen
cache=$work/live-rules-cache
mkdir -p "$cache"

a=mm-bench-s$$ b=mm-bench-r$$ dev=mmbl$$
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip link add "${dev}a" netns "$a" type veth peer name "${dev}b" netns "$b"
for ns in "$a" "$b"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n "$a" link set "${dev}a" mtu 9000 up
ip -n "$b" link set "${dev}b" mtu 9000 up

echo "# $(date -u +%F) $(nproc) cores; capture $(du -m "$big" | cut -f1) MB; sensor $($mm --version 2>/dev/null | head -1)"
# compile the rules once
"$mm" sensor -r "$big" --rules "$rules" --rules-cache "$cache" -o "$work/live-warm" -q \
    --no-app-layer 2>/dev/null || true
rm -rf "$work/live-warm"
printf '%-8s %-9s %12s %12s %10s %10s %8s %8s\n' workers rate achieved_Mbps kernel_pkts \
    drops drop_pct cpu_s rss_MiB
for w in "${workers[@]}"; do
    for r in $rates; do
        out=$work/live-out-$w-$r
        rm -rf "$out"
        ip netns exec "$a" "$mm" sensor -i "${dev}a" --workers "$w" --rules "$rules" --rules-cache "$cache" \
            -o "$out" --eve "$out.eve.json" --stats-interval 1 2>"$work/live-err.txt" &
        pid=$!
        for _ in $(seq 300); do
            grep -q 'capturing on' "$work/live-err.txt" 2>/dev/null && break
            sleep 0.1
        done
        sleep 0.5
        if [ "$r" = topspeed ]; then rate=(--topspeed); else rate=(--mbps "$r"); fi
        rep=$(ip netns exec "$b" tcpreplay -i "${dev}b" "${rate[@]}" "$big" 2>&1) || true
        echo "$rep" > "$work/live-replay-$w-$r.txt"
        sleep 3
        # the sensor's peak RSS and CPU time (all threads), read before it ends
        rss=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
        cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$pid/stat")
        kill -TERM "$pid"
        wait "$pid" || true
        mbps=$(echo "$rep" | sed -n 's/.*Rated: [0-9.]* Bps, \([0-9.]*\) Mbps.*/\1/p' | head -1)
        read -r kp kd < <(grep '"event_type":"stats"' "$out.eve.json" | tail -1 |
            python3 -c 'import json,sys; c=json.loads(sys.stdin.read())["stats"]["capture"]; print(c["kernel_packets"], c["kernel_drops"])')
        pct=$(awk "BEGIN{printf \"%.2f\", $kp ? 100*$kd/$kp : 0}")
        printf '%-8s %-9s %12s %12s %10s %10s %8.1f %8.1f\n' "$w" "$r" "${mbps:-?}" "$kp" "$kd" \
            "$pct" "$cpu" "$(awk "BEGIN{print $rss/1024}")"
        rm -rf "$out" "$out.eve.json"
    done
done
