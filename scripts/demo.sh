#!/usr/bin/env bash
# The main job on embedded defaults, end to end: installs what is needed,
# builds, makes three days of traffic for three fictional companies with the
# scenario generator (different attack mixes; companies hit by the same
# attack share its attacker) and their gateway logs for the same days
# (router, proxy, DNS, DHCP, sshd and mail logs: mm-loggen), runs a sensor
# per company (GeoIP, built-in detectors, crash-safe segments), imports
# every company's segments and logs into one store, and writes the survey
# and each company's report in Japanese and English (HTML and PDF), printing
# their paths. Then the dashboard's demo accounts (an analyst and one
# account per company, random passwords kept in demo-out/accounts.txt) and
# the address; with --serve the dashboard is started on it (Ctrl-C stops).
#   scripts/demo.sh [--serve]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh >/dev/null
if [ ! -d build ]; then meson setup build >/dev/null; fi
ninja -C build >/dev/null
out=demo-out
rm -rf "$out"
mkdir -p "$out/logs"
# company:attacks:seed
companies=(
    "sakura-kogyo:rdp-bruteforce,ntp-flood,beacon:1"
    "naniwa-seiki:rdp-bruteforce,exploit-kit,weblogic:2"
    "umeda-shoji:ntp-flood,gh0st,sslv3-server:3"
)
for c in "${companies[@]}"; do
    IFS=: read -r name attacks seed <<<"$c"
    build/mm-attackgen company --days 3 --hosts 8 --seed "$seed" --attacks "$attacks" \
        "$out/$name.pcap"
    build/mimamori sensor -r "$out/$name.pcap" --site "$name" -o "$out/events/$name" \
        --geoip default -q
    echo "sensor: $name ($attacks) -> $out/events/$name/"
    build/mm-loggen company --days 3 --hosts 8 --seed "$seed" --attacks "$attacks" \
        "$out/logs/$name"
    echo "logs:   $name -> $out/logs/$name/ (inventory $out/logs/$name.inventory)"
done
build/mimamori ingest --db "$out/mimamori.db" -q "$out"/events/*
# the logs have no year in their lines (syslog): they are of November 2023
for c in "${companies[@]}"; do
    name=${c%%:*}
    build/mimamori ingest --db "$out/mimamori.db" -q --site "$name" --year 2023 \
        --inventory "$out/logs/$name.inventory" "$out/logs/$name"
done
echo
echo "Reports (survey and each company, Japanese and English):"
build/mimamori report --db "$out/mimamori.db" --out-dir "$out/reports"
echo
echo "The analyst's JSON: build/mimamori report --db $out/mimamori.db --format json"
echo
# the dashboard: an analyst and one account per company
listen=${MIMAMORI_DEMO_LISTEN:-127.0.0.1:8080}
: > "$out/accounts.txt"
chmod 600 "$out/accounts.txt"
account() {  # account NAME ROLE [COMPANY]
    local pw
    pw=$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')
    printf '%s\n' "$pw" | build/mimamori user add --db "$out/mimamori.db" "$1" --role "$2" \
        ${3:+--site "$3"} --password-file -
    printf '%-14s %-8s %-14s %s\n' "$1" "$2" "${3:--}" "$pw" >> "$out/accounts.txt"
}
account analyst analyst
for c in "${companies[@]}"; do
    name=${c%%:*}
    account "$name" company "$name"
done
echo "Dashboard: build/mimamori serve --db $out/mimamori.db --listen $listen"
echo "  http://$listen/login  (accounts: name, role, company, password; also in $out/accounts.txt)"
sed 's/^/  /' "$out/accounts.txt"
if [ "${1:-}" = --serve ]; then
    exec build/mimamori serve --db "$out/mimamori.db" --listen "$listen"
fi
