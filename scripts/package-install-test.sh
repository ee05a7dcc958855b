#!/usr/bin/env bash
# Installs the package scripts/package.sh made into a fresh Debian 12
# chroot (debootstrap, minbase) with apt, as `apt install ./mimamori_*.deb`
# does on a sensor box, and checks what the package promises: the user
# and group mimamori, /var/lib/mimamori and its out/ and reports/ owned by
# it, the conffile, the units in place, the ingest timer enabled, the
# binary running (--version, status on the empty state directory, a
# capture read with the shipped configuration and GeoIP data), then a
# purge. Run by hand, as root (it downloads some 200 MB into a temporary
# directory, removed at the end):
#   scripts/package.sh && sudo scripts/package-install-test.sh
# MM_CHROOT_MIRROR: the Debian mirror (default deb.debian.org).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "install-test: needs root (chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "install-test: apt-get install debootstrap" >&2; exit 1; }
deb=$(ls dist/mimamori_*_"$(dpkg --print-architecture)".deb | head -1)
top=$(mktemp -d /tmp/mm-chroot-XXXXXX)
root="$top/root"
cleanup() {
    for m in proc dev; do umount "$root/$m" 2>/dev/null || true; done
    rm -rf "$top"
}
trap cleanup EXIT
mirror=${MM_CHROOT_MIRROR:-http://deb.debian.org/debian}
echo "install-test: debootstrap bookworm into $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$top/debootstrap.log" 2>&1 ||
    { tail -20 "$top/debootstrap.log"; exit 1; }
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
# no service may start inside the chroot
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cp "$deb" "$root/tmp/"
inroot() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
inroot apt-get update -qq
inroot apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" \
    > "$top/apt.log" 2>&1 || { tail -30 "$top/apt.log"; exit 1; }
echo "install-test: installed: $(inroot dpkg-query -W mimamori)"
fail() { echo "install-test: FAIL: $*" >&2; exit 1; }
inroot getent passwd mimamori | grep -q ':/var/lib/mimamori:' || fail "no system user mimamori"
inroot getent group mimamori >/dev/null || fail "no group mimamori"
for d in /var/lib/mimamori /var/lib/mimamori/out /var/lib/mimamori/reports; do
    [ "$(inroot stat -c '%U:%G %a' "$d")" = "mimamori:mimamori 750" ] || fail "$d: $(inroot stat -c '%U:%G %a' "$d")"
done
grep -qx /etc/mimamori/mimamori.yaml "$root/var/lib/dpkg/info/mimamori.conffiles" || fail "conffile"
for u in mimamori-sensor@.service mimamori-ingest.service mimamori-ingest.timer \
         mimamori-update.service mimamori-update.timer; do
    [ -f "$root/lib/systemd/system/$u" ] || fail "unit $u"
done
[ -L "$root/etc/systemd/system/timers.target.wants/mimamori-ingest.timer" ] || fail "ingest timer not enabled"
inroot mimamori --version
src=0
st=$(inroot mimamori status) || src=$?
[ "$src" -eq 1 ] || fail "status on an empty directory should say stale (exit $src)"
echo "$st" | grep -q 'last segment  none closed yet' || fail "status output: $st"
echo "$st" | grep -q '^output        /var/lib/mimamori/out$' || fail "status: the configuration's output: $st"
# a capture with the shipped configuration (its output in a scratch directory)
python3 - "$root/tmp/one.pcap" <<'EOP'
import struct, sys
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 32, 1, 0, 64, 17, 0,
                 bytes([192, 168, 1, 10]), bytes([8, 8, 8, 8]))
pkt = b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' + ip + struct.pack('!HHHH', 40000, 53, 12, 0) + b'ping'
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack('<IIII', 1700000000, 0, len(pkt), len(pkt)) + pkt)
EOP
out=$(inroot mimamori sensor --config /etc/mimamori/mimamori.yaml -r /tmp/one.pcap -o /tmp/out \
      --geoip default --eve - -q)
echo "$out" | grep -q '"dest_country":"US"' || fail "sensor with the shipped configuration: $out"
echo "install-test: the installed sensor reads the shipped configuration and GeoIP data"
inroot apt-get purge -y -qq mimamori > /dev/null 2>&1 || fail "purge"
[ ! -e "$root/var/lib/mimamori" ] || fail "/var/lib/mimamori left after purge"
[ ! -e "$root/etc/mimamori/mimamori.yaml" ] || fail "conffile left after purge"
echo "install-test: purged cleanly"
echo "install-test: ok"
