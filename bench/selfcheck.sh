#!/usr/bin/env bash
# Self-check service benchmark (run by hand as root, not a test): the
# service in one network namespace, visitors in another with 200 addresses
# (four /24 blocks of 50, so the per-block limit is not what refuses them),
# listeners on some ports and nftables dropping others.
#   1. one check of 20 ports, 5 of them dropped (no answer): its time;
#   2. 200 checks at once from the 200 addresses through POST /api/check:
#      how each was answered (200; 503 when a check waited 20 s for a place),
#      the slowest answer, the service's peak RSS.
#
#   sudo bench/selfcheck.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root (ip netns)"; exit 1; }
[ -x build/mimamori ] || { meson setup build >/dev/null; }
ninja -C build >/dev/null
M=$(pwd)/build/mimamori
tag=mmsb$$
S=${tag}s V=${tag}v
work=$(mktemp -d)
cleanup() {
    [ -n "${svc:-}" ] && kill "$svc" 2>/dev/null || true
    [ -n "${lst:-}" ] && kill "$lst" 2>/dev/null || true
    ip netns del "$S" 2>/dev/null || true
    ip netns del "$V" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$S"; ip netns add "$V"
ip link add ${tag}a type veth peer name ${tag}b
ip link set ${tag}a netns "$S"; ip link set ${tag}b netns "$V"
ip -n "$S" addr add 10.232.9.1/16 dev ${tag}a
for b in 0 1 2 3; do for h in $(seq 1 50); do
    ip -n "$V" addr add 10.232.$b.$h/16 dev ${tag}b
done; done
ip -n "$S" link set ${tag}a up; ip -n "$V" link set ${tag}b up
ip -n "$S" link set lo up; ip -n "$V" link set lo up
ip netns exec "$V" nft -f - <<EOF
table inet b { chain input { type filter hook input priority 0; tcp dport { 445, 139, 3389, 5900, 1433 } drop; }; }
EOF
ip netns exec "$V" python3 -c '
import socket, threading, time
def serve(p):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p)); s.listen(512)
    while True:
        c, _ = s.accept(); c.close()
for p in (22, 80, 3306, 8080):
    threading.Thread(target=serve, args=(p,), daemon=True).start()
time.sleep(3600)' &
lst=$!
ports=21,22,23,25,80,110,139,143,445,1433,2323,3306,3389,5432,5900,6379,8080,8443,9200,27017
ip netns exec "$S" "$M" exposure serve --listen 10.232.9.1:8080 --db "$work/m.db" \
    --ports "$ports" --checks-per-hour 3600 2> "$work/serve.err" &
svc=$!
sleep 1
cat > "$work/load.py" <<'EOF'
import json, socket, sys, threading, time
ports = [int(p) for p in sys.argv[2].split(',')]
def one(src, out):
    body = json.dumps({'consent': True, 'ports': ports}).encode()
    req = (b'POST /api/check HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\n'
           b'Content-Length: %d\r\nConnection: close\r\n\r\n' % len(body)) + body
    t0 = time.time()
    s = socket.socket(); s.bind((src, 0)); s.settimeout(60)
    s.connect(('10.232.9.1', 8080)); s.sendall(req)
    data = b''
    while True:
        b = s.recv(65536)
        if not b: break
        data += b
    out.append((int(data.split()[1]) if data.startswith(b'HTTP/') else 0, time.time() - t0))
n = int(sys.argv[1])
srcs = ['10.232.%d.%d' % (i // 50, i % 50 + 1) for i in range(n)]
out = []
if n == 1:
    one(srcs[0], out)
else:
    ts = [threading.Thread(target=one, args=(s, out)) for s in srcs]
    for t in ts: t.start()
    for t in ts: t.join()
codes = {}
for c, _ in out: codes[c] = codes.get(c, 0) + 1
print('answers: %s; slowest %.2f s' % (dict(sorted(codes.items())), max(t for _, t in out)))
EOF
echo "1. one check of 20 ports, 5 dropped:"
ip netns exec "$V" python3 "$work/load.py" 1 "$ports"
echo "2. 200 checks at once from 200 addresses (--max-parallel 64, the rest wait):"
ip netns exec "$V" python3 "$work/load.py" 200 "$ports"
echo "   service peak RSS: $(grep VmHWM /proc/$svc/status | awk '{print $2, $3}')"
