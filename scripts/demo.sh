#!/usr/bin/env bash
# The main job on embedded defaults: installs what is needed, builds, makes a
# small capture of known content (tools/pcapgen.c), runs the sensor over it,
# and says where the events went.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh >/dev/null
if [ ! -d build ]; then meson setup build >/dev/null; fi
ninja -C build >/dev/null
mkdir -p demo-out
build/mm-pcapgen demo-out/demo.pcap
rm -rf demo-out/events
build/mimamori sensor -r demo-out/demo.pcap --site demo-company -o demo-out/events --geoip default
echo
echo "Events (EVE JSON) are in demo-out/events/:"
ls -1 demo-out/events/*.eve.json
echo
echo "Flows seen (source -> destination, direction):"
build/mimamori segment cat demo-out/events/*.eve.json |
    jq -r 'select(.event_type=="flow") |
           "  \(.proto) \(.src_ip) \(.src_port // "") -> \(.dest_ip) \(.dest_port // "")  \(.mimamori.direction)\(if .mimamori.src_country then "  from " + .mimamori.src_country else "" end)"'
