#!/usr/bin/env bash
# `mimamori ioc sweep` benchmark (run by hand, not a test), on one core
# (taskset): a tree of N files (1 byte to 64 KiB, random, 100 files a
# directory) with a reg export file and an Autoruns export among them,
#   1. sweep with file-name and registry key indicators only (no hashing:
#      each file's first 8 KiB read for the evidence check),
#   2. sweep with a SHA-256 indicator (every file hashed),
#   3. sweep with SHA-256, SHA-1 and MD5 indicators,
#   4. `find -type f -print0 | xargs -0 sha256sum` over the same tree, for
#      comparison (the same reads and one digest);
# the tree read once before (page cache warm for all); wall and CPU
# seconds and peak RSS of each.
#
#   [BUILD=dir] bench/sweep.sh [N]   (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
work=${BENCH_DIR:-/tmp/mimamori-bench}/sweep
mkdir -p "$work"
b=${BUILD:-build}
[ -x "$b/mimamori" ] || { meson setup "$b" >/dev/null; ninja -C "$b" >/dev/null; }
ninja -C "$b" mimamori >/dev/null
M=$(realpath "$b/mimamori")
tree="$work/tree-$n"
if [ ! -d "$tree" ]; then
    /usr/bin/python3 - "$tree" "$n" <<'EOP'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
for i in range(n):
    d = os.path.join(root, 'd%04d' % (i // 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'f%06d.bin' % i), 'wb') as f:
        f.write(rng.randbytes(rng.randrange(1, 65536)))
reg = ('Windows Registry Editor Version 5.00\r\n\r\n'
       '[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run]\r\n' +
       ''.join('"v%d"="C:\\\\Users\\\\x\\\\AppData\\\\app%d.exe -s"\r\n' % (i, i)
               for i in range(2000)))
with open(os.path.join(root, 'run.reg'), 'wb') as f:
    f.write(b'\xff\xfe' + reg.encode('utf-16-le'))
hdr = '"Time","Entry Location","Entry","Enabled","Category","Image Path","Launch String","SHA-256"\r\n'
rows = ''.join('"","HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run","e%d","enabled",'
               '"Logon","c:\\p\\e%d.exe","c:\\p\\e%d.exe /s","%064x"\r\n' % (i, i, i, i)
               for i in range(2000))
with open(os.path.join(root, 'autoruns.csv'), 'wb') as f:
    f.write(b'\xff\xfe' + (hdr + rows).encode('utf-16-le'))
EOP
fi
printf 'evil.exe\nHKLM\\SOFTWARE\\Evil\\Run\\x\n' > "$work/names.txt"
{ cat "$work/names.txt"; printf '%064d\n' 1; } > "$work/sha256.txt"
{ cat "$work/sha256.txt"; printf '%040d\n%032d\n' 1 1; } > "$work/all.txt"
bytes=$(du -sb "$tree" | cut -f1)
find "$tree" -type f -print0 | xargs -0 cat > /dev/null
t() {  # t LABEL CMD...
    /usr/bin/time -f '%e %U %S %M' -o "$work/t" taskset -c 1 "${@:2}" > "$work/out" 2> "$work/err" || true
    read -r wall user sys rss < <(tail -1 "$work/t")   # after "exited with non-zero status"
    awk -v l="$1" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v n="$n" -v b="$bytes" \
        'BEGIN { printf "%-34s %6.2f s wall %6.2f s cpu  %8.0f files/s  %6.1f MB/s  peak RSS %5.1f MB\n",
                 l, w, u + s, n / (u + s), b / 1e6 / (u + s), r / 1024 }'
}
echo "tree: $n files, $bytes bytes"
t "sweep: names, registry keys" "$M" ioc sweep --ioc "$work/names.txt" "$tree"
tail -1 "$work/err"
t "sweep: + SHA-256" "$M" ioc sweep --ioc "$work/sha256.txt" "$tree"
tail -1 "$work/err"
t "sweep: + SHA-256, SHA-1, MD5" "$M" ioc sweep --ioc "$work/all.txt" "$tree"
t "find | xargs sha256sum" sh -c "find '$tree' -type f -print0 | xargs -0 sha256sum"
