#!/usr/bin/env bash
# Builds the Debian package from the repository (debian/: dh with meson),
# runs lintian on it and checks the installed layout: the .deb is
# extracted (dpkg -x) and the extracted binary run (--version, --help,
# status, a capture read with the shipped configuration and GeoIP data).
# The build happens in a temporary copy of the tracked files (plus the
# GeoIP data install-deps.sh unpacked), so nothing is written outside the
# repository but dist/.
#   scripts/install-deps.sh --package    (once: debhelper, lintian ...)
#   scripts/package.sh                   -> dist/mimamori_VERSION_ARCH.deb
# Exit status: 0 built and checked (lintian's remaining tags printed, each
# explained in debian/mimamori.lintian-overrides or docs/NOTES.md), 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
for t in dpkg-buildpackage dh lintian; do
    command -v "$t" >/dev/null || { echo "package: $t missing: scripts/install-deps.sh --package" >&2; exit 1; }
done
if [ ! -s data/geoip/geoip ] || [ ! -s data/geoip/geoip6 ]; then
    echo "package: data/geoip missing: run scripts/install-deps.sh" >&2
    exit 1
fi
version=$(dpkg-parsechangelog -S Version)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src="$work/mimamori-$version"
mkdir -p "$src/data"
git ls-files -z | tar --null -T - -cf - | tar -C "$src" -xf -
cp -r data/geoip "$src/data/"
echo "package: building mimamori $version (log: dist/build.log)"
mkdir -p dist
rc=0
( cd "$src" && DEB_BUILD_OPTIONS="parallel=1 ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -us -uc -b -j1 ) > dist/build.log 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
    tail -40 dist/build.log
    echo "package: dpkg-buildpackage failed ($rc)" >&2
    exit 1
fi
rm -f dist/*.deb dist/*.changes dist/*.buildinfo dist/*.txt
cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo dist/
deb=$(ls dist/mimamori_"$version"_*.deb | head -1)
echo "package: $deb ($(du -k "$deb" | cut -f1) KiB)"

# lintian: every tag it still gives (overridden ones say why in the package)
lrc=0
lintian --display-info --pedantic --show-overrides --fail-on error dist/*.changes 2>&1 |
    grep -v 'running with root privileges' > dist/lintian.txt || true
lintian --fail-on error dist/*.changes >/dev/null 2>&1 || lrc=$?
if [ -s dist/lintian.txt ]; then
    echo "package: lintian:"
    sed 's/^/  /' dist/lintian.txt
else
    echo "package: lintian: no tags"
fi
[ "$lrc" -eq 0 ] || { echo "package: lintian found errors" >&2; exit 1; }

# the installed layout, extracted
x="$work/x"
dpkg -x "$deb" "$x"
for f in usr/bin/mimamori etc/mimamori/mimamori.yaml usr/share/man/man1/mimamori.1.gz \
         usr/share/mimamori/geoip/geoip usr/share/mimamori/geoip/geoip6 \
         usr/share/mimamori/cloud_services.tsv lib/systemd/system/mimamori-sensor@.service \
         lib/systemd/system/mimamori-ingest.service lib/systemd/system/mimamori-ingest.timer \
         lib/systemd/system/mimamori-update.service lib/systemd/system/mimamori-update.timer \
         usr/share/doc/mimamori/copyright; do
    [ -e "$x/$f" ] || { echo "package: /$f missing from the package" >&2; exit 1; }
done
dpkg-deb -f "$deb" Depends | sed 's/^/package: depends: /'
dpkg-deb -I "$deb" conffiles | sed 's/^/package: conffile: /'
bin="$x/usr/bin/mimamori"
"$bin" --version
"$bin" --help >/dev/null
"$bin" sensor --help | grep -q -- '--config FILE' || { echo "package: sensor --help lacks --config" >&2; exit 1; }
"$bin" status --help >/dev/null
# the shipped configuration reads, its GeoIP data answers (the binary looks
# in /usr/share/mimamori: MIMAMORI_GEOIP points it at the extracted copy)
pcap="$work/demo.pcap"
python3 - "$pcap" <<'EOP'
import struct, sys
# one UDP packet 192.168.1.10 -> 8.8.8.8:53 in a pcap file
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 28 + 4, 1, 0, 64, 17, 0,
                 bytes([192, 168, 1, 10]), bytes([8, 8, 8, 8]))
udp = struct.pack('!HHHH', 40000, 53, 12, 0) + b'ping'
eth = b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00'
pkt = eth + ip + udp
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack('<IIII', 1700000000, 0, len(pkt), len(pkt)) + pkt)
EOP
out=$(MIMAMORI_GEOIP="$x/usr/share/mimamori/geoip" "$bin" sensor --config "$x/etc/mimamori/mimamori.yaml" \
      -r "$pcap" -o "$work/out" --geoip default --eve - -q)
echo "$out" | grep -q '"dest_country":"US"' || { echo "package: GeoIP from the package: $out" >&2; exit 1; }
echo "package: the extracted binary reads the shipped configuration and GeoIP data"
echo "package: ok"
