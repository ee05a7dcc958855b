#!/usr/bin/env bash
# Mail benchmark (run by hand, not a test), on one core (taskset):
#   an mbox of N generated messages (bench/mail_gen.py: Japanese subjects in
#   four charsets, text and HTML bodies with URLs, one message in five with
#   1-3 attachments of 2-200 KB) through
#   1. `mimamori logs parse` (GMime: one JSON event per message),
#   2. `mimamori ingest` into a fresh SQLite store (and a second time: the
#      file is known by its SHA-256),
#   3. Python's email package (mailbox.mbox + policy.default) reading the
#      same fields, for comparison;
#   wall and CPU seconds and peak RSS of each.
#
#   [BUILD=dir] [SHARE=0.2] bench/mail.sh [N]   (default 10000; SHARE: messages
#   with attachments, 0 for text and HTML only)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
work=${BENCH_DIR:-/tmp/mimamori-bench}/mail
mkdir -p "$work"
b=${BUILD:-build}    # the build directory
[ -x "$b/mimamori" ] || { meson setup "$b" >/dev/null; ninja -C "$b" >/dev/null; }
ninja -C "$b" mimamori >/dev/null
M=$b/mimamori
share=${SHARE:-0.2}
box="$work/bench-$n-$share.mbox"
[ -s "$box" ] || python3 bench/mail_gen.py "$box" "$n" 1 "$share"
bytes=$(stat -L -c %s "$box")
t() {  # t LABEL CMD...
    /usr/bin/time -f '%e %U %S %M' -o "$work/t" taskset -c 1 "${@:2}" > "$work/out" 2>/dev/null
    read -r wall user sys rss < "$work/t"
    awk -v l="$1" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v n="$n" -v b="$bytes" \
        'BEGIN { printf "%-22s %7.2f s wall %7.2f s cpu  %7.0f msg/s  %6.1f MB/s  peak RSS %5.1f MB\n",
                 l, w, u + s, n / (u + s), b / 1e6 / (u + s), r / 1024 }'
}
echo "mbox: $n messages, $bytes bytes"
t "logs parse" "$M" logs parse -q "$box"
echo "events: $(wc -l < "$work/out")"
rm -f "$work/store.db"
t "ingest (new store)" "$M" ingest -q --db "$work/store.db" --site bench "$box"
t "ingest again" "$M" ingest -q --db "$work/store.db" --site bench "$box"
t "python email" python3 -c '
import mailbox, sys, hashlib
from email import policy
import email
n = 0
for m in mailbox.mbox(sys.argv[1], factory=lambda f: email.message_from_binary_file(f, policy=policy.default)):
    s = str(m["subject"]); f = m["from"]; t = m["to"]
    for p in m.walk():
        if p.get_filename():
            hashlib.sha256(p.get_payload(decode=True) or b"").hexdigest()
        elif p.get_content_type() in ("text/plain", "text/html"):
            p.get_content()
    n += 1
print(n)' "$box"
