#!/usr/bin/env bash
# The package under a real systemd: a fresh Debian 12 tree (debootstrap,
# with systemd) gets the .deb of scripts/package.sh through apt, then is
# booted with systemd-nspawn (systemd as PID 1 in a container with its own
# network). Inside, a oneshot unit of this script's:
#   - makes a veth pair (mm0, mm1) in the container's own network,
#   - writes one configuration file (a rule of its own, stats every second,
#     segments closed after 5 s) and runs `systemctl enable --now
#     mimamori-sensor@mm0`, as a company's administrator would;
#   - checks the unit is active, the rules were compiled into the cache by
#     its ExecStartPre, the sensor runs as mimamori with no capability left,
#     with AF_PACKET workers (one a core);
#   - sends packets on mm1 (UDP with the rule's word, TCP SYNs), reloads
#     the unit (SIGHUP), waits for a closed segment, asks `mimamori status`,
#     stops the sensor, runs mimamori-ingest.service (store and reports) and
#     checks the alerts reached the store;
#   - writes what it found to /boot-test.txt and powers the container off.
# Run by hand as root (downloads some 250 MB into a temporary directory,
# removed at the end):
#   scripts/package.sh && sudo scripts/package-boot-test.sh
# Needs debootstrap and systemd-container (scripts/install-deps.sh --package).
# MM_CHROOT_MIRROR: the Debian mirror (default deb.debian.org).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "boot-test: needs root" >&2; exit 1; }
for t in debootstrap systemd-nspawn; do
    command -v "$t" >/dev/null || { echo "boot-test: $t missing (install-deps.sh --package)" >&2; exit 1; }
done
deb=$(ls dist/mimamori_*_"$(dpkg --print-architecture)".deb | head -1)
top=$(mktemp -d /tmp/mm-boot-XXXXXX)
root="$top/root"
cleanup() {
    for m in proc dev; do umount "$root/$m" 2>/dev/null || true; done
    if [ -n "${MM_BOOT_KEEP:-}" ]; then echo "boot-test: kept $top"; else rm -rf "$top"; fi
}
trap cleanup EXIT
mirror=${MM_CHROOT_MIRROR:-http://deb.debian.org/debian}
echo "boot-test: debootstrap bookworm (with systemd) into $root"
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iproute2,python3,procps \
    bookworm "$root" "$mirror" > "$top/debootstrap.log" 2>&1 ||
    { tail -20 "$top/debootstrap.log"; exit 1; }
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"   # nothing starts in the chroot
chmod 755 "$root/usr/sbin/policy-rc.d"
cp "$deb" "$root/tmp/"
inroot() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
inroot apt-get update -qq
inroot apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" sqlite3 \
    > "$top/apt.log" 2>&1 || { tail -30 "$top/apt.log"; exit 1; }
echo "boot-test: installed: $(inroot dpkg-query -W mimamori)"
rm -f "$root/usr/sbin/policy-rc.d"
umount "$root/proc" "$root/dev"

# the administrator's part: one configuration file
mkdir -p "$root/var/lib/mimamori/rules"
cat > "$root/var/lib/mimamori/rules/local.rules" <<'EOF'
alert udp any any -> any 9999 (msg:"mimamori boot test"; content:"MIMAMORI-BOOT"; sid:9400001; rev:1;)
EOF
inroot chown -R mimamori:mimamori /var/lib/mimamori/rules
# the shipped file's settings changed in place (a key may be given once)
python3 - "$root/etc/mimamori/mimamori.yaml" <<'EOP'
import re, sys
want = {'site': 'boottest', 'sensor': 'box1', 'rules': '[/var/lib/mimamori/rules]',
        'stats-interval': '1', 'segment-age': '5'}
lines = open(sys.argv[1]).read().split('\n')
done = set()
for i, l in enumerate(lines):
    m = re.match(r'#?([a-z-]+):', l)
    if m and m.group(1) in want and m.group(1) not in done:
        lines[i] = '%s: %s' % (m.group(1), want[m.group(1)])
        done.add(m.group(1))
lines += ['%s: %s' % (k, v) for k, v in want.items() if k not in done]
open(sys.argv[1], 'w').write('\n'.join(lines))
EOP

cat > "$root/usr/local/sbin/mm-boot-test" <<'EOF'
#!/bin/sh
# runs inside the container (see scripts/package-boot-test.sh)
out=/boot-test.txt
say() { echo "$*" >> $out; }
fail() { say "FAIL $*"; systemctl poweroff; exit 1; }
: > $out
ip link add mm0 type veth peer name mm1 || fail "veth"
ip link set mm0 up && ip link set mm1 up
systemctl enable --now mimamori-sensor@mm0 || fail "enable --now: $(journalctl -u mimamori-sensor@mm0 --no-pager | tail -5)"
for i in $(seq 100); do
    journalctl -u mimamori-sensor@mm0 --no-pager | grep -q 'capturing on' && break
    sleep 0.2
done
systemctl is-active -q mimamori-sensor@mm0 || fail "not active: $(journalctl -u mimamori-sensor@mm0 --no-pager | tail -5)"
say "active $(systemctl show -p ActiveState --value mimamori-sensor@mm0)"
ls /var/lib/mimamori/cache/*.hsdb >/dev/null 2>&1 || fail "no compiled rules in the cache (ExecStartPre)"
say "cache $(ls /var/lib/mimamori/cache | wc -l) databases"
pid=$(systemctl show -p MainPID --value mimamori-sensor@mm0)
say "user $(ps -o user= -p $pid)"
say "$(grep -E '^CapEff|^CapPrm' /proc/$pid/status | tr -s '\t' ' ' | tr '\n' ' ')"
say "threads $(ls /proc/$pid/task | wc -l) cores $(nproc)"
say "$(journalctl -u mimamori-sensor@mm0 --no-pager -o cat | grep 'capturing on')"
python3 - <<'PY' || fail "send"
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('mm1', 0))
def csum(b):
    if len(b) % 2: b += b'\0'
    t = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
def ip(src, dst, proto, l4):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + l4
eth = b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + b'\x08\x00'
for i in range(50):
    src = '10.9.0.%d' % (10 + i)
    data = b'MIMAMORI-BOOT %d' % i
    s.send(eth + ip(src, '192.0.2.53', 17, struct.pack('!HHHH', 30000 + i, 9999, 8 + len(data), 0) + data))
    s.send(eth + ip(src, '192.0.2.80', 6, struct.pack('!HHIIBBHHH', 40000 + i, 80, i, 0, 5 << 4, 2, 65535, 0, 0)))
PY
sleep 1
systemctl reload mimamori-sensor@mm0 || fail "reload"
for i in $(seq 100); do
    journalctl -u mimamori-sensor@mm0 --no-pager | grep -q 'reloaded in' && break
    sleep 0.2
done
say "$(journalctl -u mimamori-sensor@mm0 --no-pager -o cat | grep 'reloaded in')"
sleep 7
st=$(mimamori status); rc=$?
say "status exit $rc"
echo "$st" | sed 's/^/  /' >> $out
systemctl stop mimamori-sensor@mm0 || fail "stop"
systemctl start mimamori-ingest.service || fail "ingest: $(journalctl -u mimamori-ingest --no-pager | tail -5)"
n=$(sqlite3 /var/lib/mimamori/mimamori.db "select count(*) from alerts where sid = 9400001" 2>&1)
say "alerts in the store $n"
ls /var/lib/mimamori/reports/ | grep -q html && say "reports $(ls /var/lib/mimamori/reports | wc -l) files"
say "DONE"
systemctl poweroff
EOF
chmod 755 "$root/usr/local/sbin/mm-boot-test"
cat > "$root/etc/systemd/system/mm-boot-test.service" <<'EOF'
[Unit]
Description=mimamori boot test
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/mm-boot-test
[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/mm-boot-test.service \
    "$root/etc/systemd/system/multi-user.target.wants/mm-boot-test.service"
echo "boot-test: booting the container (systemd-nspawn -b, its own network)"
timeout 300 systemd-nspawn -q -b -D "$root" --register=no --keep-unit --private-network \
    --console=pipe > "$top/boot.log" 2>&1 || true
[ -s "$root/boot-test.txt" ] || { tail -20 "$top/boot.log"; echo "boot-test: FAIL: no result" >&2; exit 1; }
sed 's/^/boot-test:   /' "$root/boot-test.txt"
f() { echo "boot-test: FAIL: $*" >&2; exit 1; }
r=$(cat "$root/boot-test.txt")
echo "$r" | grep -q '^FAIL' && f "$(grep '^FAIL' "$root/boot-test.txt")"
echo "$r" | grep -q '^DONE' || f "the test did not finish"
echo "$r" | grep -q '^user mimamori' || f "not running as mimamori"
echo "$r" | grep -q 'CapPrm: 0000000000000000' || f "capabilities kept (permitted)"
echo "$r" | grep -q 'CapEff: 0000000000000000' || f "capabilities kept (effective)"
echo "$r" | grep -q '^threads [3-9]' || f "no worker threads"
echo "$r" | grep -q 'with AF_PACKET' || f "not AF_PACKET"
echo "$r" | grep -q '^status exit 0' || f "status not fresh"
echo "$r" | grep -q '^alerts in the store 50$' || f "alerts: $(grep '^alerts' "$root/boot-test.txt")"
echo "boot-test: ok"
