#!/usr/bin/env bash
# Exposure audit benchmark (run by hand as root, not a test): a /24 in
# network namespaces this script makes (a scanner and a company joined by
# a veth pair), 4 machines up with listeners on some ports and nftables
# dropping others, the other 250 addresses absent. The audit of the /24
# on the 100 most common ports, timed, next to nmap -sT on the same /24
# and ports in the same run; the states of every port of every machine up
# compared between the two.
#
#   sudo bench/exposure.sh [RUNS]      (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
[ "$(id -u)" = 0 ] || { echo "run as root (ip netns)"; exit 1; }
[ -x build/mimamori ] || { meson setup build >/dev/null; }
ninja -C build >/dev/null
M=$(pwd)/build/mimamori
tag=mmxb$$
S=${tag}s C=${tag}c NET=10.231.9
work=$(mktemp -d)
cleanup() {
    [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null || true
    ip netns del "$S" 2>/dev/null || true
    ip netns del "$C" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$S"; ip netns add "$C"
ip link add ${tag}a type veth peer name ${tag}b
ip link set ${tag}a netns "$S"; ip link set ${tag}b netns "$C"
ip -n "$S" addr add $NET.1/24 dev ${tag}a
for h in 10 20 30 40; do ip -n "$C" addr add $NET.$h/24 dev ${tag}b; done
ip -n "$S" link set ${tag}a up; ip -n "$C" link set ${tag}b up
ip -n "$S" link set lo up; ip -n "$C" link set lo up
ip netns exec "$C" nft -f - <<EOF
table inet b { chain input { type filter hook input priority 0; tcp dport { 135, 139, 445, 1433, 3389 } drop; }; }
EOF
cat > "$work/srv.py" <<'EOF'
import socket, sys, threading, time
net = sys.argv[1]
def serve(addr, port, greet):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(128)
    while True:
        c, _ = s.accept()
        try:
            if greet: c.sendall(greet)
        except OSError: pass
        c.close()
plan = {10: [(22, b'SSH-2.0-OpenSSH_9.2\r\n'), (80, None), (443, None)],
        20: [(21, b'220 FTP ready\r\n'), (23, b'\xff\xfb\x01login: '), (8080, None)],
        30: [(25, b'220 mail ESMTP\r\n'), (110, b'+OK\r\n'), (143, b'* OK\r\n'), (3306, None)],
        40: [(5900, b'RFB 003.008\n'), (8443, None), (9100, None), (5000, None)]}
for h, ports in plan.items():
    for p, g in ports:
        threading.Thread(target=serve, args=('%s.%d' % (net, h), p, g), daemon=True).start()
print('ready', flush=True)
time.sleep(3600)
EOF
ip netns exec "$C" python3 "$work/srv.py" $NET > "$work/srv.out" &
srv=$!
for _ in $(seq 50); do grep -q ready "$work/srv.out" 2>/dev/null && break; sleep 0.1; done

best() { sort -n | head -1; }
: > "$work/mm.t"; : > "$work/nmap.t"
for r in $(seq "$runs"); do
    s=$(date +%s.%N)
    ip netns exec "$S" "$M" exposure scan $NET.0/24 --i-own-these --ports top100 --format json \
        > "$work/mm.json"
    e=$(date +%s.%N); echo "$e - $s" | bc >> "$work/mm.t"
    if command -v nmap >/dev/null; then
        s=$(date +%s.%N)
        ip netns exec "$S" nmap -sT -n --top-ports 100 -oX "$work/nmap.xml" $NET.0/24 >/dev/null
        e=$(date +%s.%N); echo "$e - $s" | bc >> "$work/nmap.t"
    fi
done
echo "exposure scan /24 x top100: best of $runs: $(best < "$work/mm.t") s (mimamori)"
if [ -s "$work/nmap.t" ]; then
    echo "                              $(best < "$work/nmap.t") s (nmap -sT)"
    python3 - "$work/mm.json" "$work/nmap.xml" <<'EOF'
import json, sys, xml.etree.ElementTree as ET
ours = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    ours[o['target']] = {p['port']: p['state'] for p in o['ports']}
theirs = {}
for h in ET.parse(sys.argv[2]).getroot().iter('host'):
    if h.find('status').get('state') != 'up':
        continue
    a = h.find('address').get('addr')
    pp = h.find('ports')
    default = None
    for x in pp.iter('extraports'):
        default = x.get('state')
    st = {}
    for port in ours.get(a, {}):
        st[port] = default
    for port in pp.iter('port'):
        st[int(port.get('portid'))] = port.find('state').get('state')
    theirs[a] = st
same = set(ours) == set(theirs) and all(ours[a] == theirs[a] for a in ours)
print('hosts up: %d (mimamori) %d (nmap); every state the same: %s' %
      (len(ours), len(theirs), 'yes' if same else 'NO'))
if not same:
    for a in sorted(set(ours) | set(theirs)):
        d = {p: (ours.get(a, {}).get(p), theirs.get(a, {}).get(p))
             for p in set(ours.get(a, {})) | set(theirs.get(a, {}))
             if ours.get(a, {}).get(p) != theirs.get(a, {}).get(p)}
        if d:
            print(' ', a, d)
EOF
fi
