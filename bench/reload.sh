#!/usr/bin/env bash
# What a SIGHUP reload of a ruleset costs a live sensor: the time the
# capture loop spends reading and building the new set (packets wait in
# the kernel's ring meanwhile) and the memory both sets need at once.
# Live capture on the loopback of a network namespace this script makes.
#   sudo bench/reload.sh [MIMAMORI] [RULES-DIR]
# (default: build/mimamori and ../shared/rules/etopen; MM_RELOAD_ARGS: more
# sensor options, e.g. "--rules-cache DIR")
set -euo pipefail
cd "$(dirname "$0")/.."
mm=$(realpath "${1:-build/mimamori}")
rules=$(realpath "${2:-../shared/rules/etopen}")
ns=mm-reload-$$
work=$(mktemp -d)
ip netns add "$ns"
trap 'kill "$pid" 2>/dev/null || true; ip netns del "$ns"; rm -rf "$work"' EXIT
ip -n "$ns" link set lo up
ip netns exec "$ns" "$mm" sensor -i lo --eve "$work/eve.json" --rules "$rules" \
    --stats-interval 0 ${MM_RELOAD_ARGS:-} 2> "$work/err" &
pid=$!
wait_for() { for _ in $(seq 1 600); do grep -q "$1" "$work/err" && return 0; sleep 0.2; done; return 1; }
wait_for "rules:"
sleep 1
echo "start:  $(grep 'rules:' "$work/err" | head -1)"
echo "        $(grep -E 'VmRSS' /proc/$pid/status | tr -s ' \t' ' ')"
kill -HUP "$pid"
wait_for "reload"
echo "reload: $(grep reload "$work/err")"
echo "        $(grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' \t' ' ' | tr '\n' ' ')"
kill -HUP "$pid"
sleep 0.5
wait_for "reloaded.*reloaded" || true
echo "again:  $(grep reload "$work/err" | tail -1)"
echo "        $(grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' \t' ' ' | tr '\n' ' ')"
kill -TERM "$pid"
wait "$pid" || true
