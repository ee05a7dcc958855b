#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer (clang) and runs each for SECONDS (default 30).
# Seeds: captures the project makes itself, plus small corpus captures when
# ../shared/corpus is present (used in a temporary directory, never copied
# into the project).
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
if [ ! -d build-fuzz ]; then
    CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C build-fuzz >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{capture,decode,segment,util,proto,lists,threshold,rules,update,ingest,iprep,multipart,dcerpc,match,logs,listen,ioc,ioc_export,ioc_stix,mailmsg,exposure,web,selfcheck,webshell,obspiece,regfile,autoruns,dash,webpath,config,afpblock}
build-fuzz/mm-pcapgen "$work/capture/demo.pcap"
editcap -F pcapng "$work/capture/demo.pcap" "$work/capture/demo.pcapng" 2>/dev/null || true
for f in ../shared/corpus/pcaps/13_dns/zeek__dns53.pcap \
         ../shared/corpus/pcaps/14_dhcp/chrissanders__dhcp_inlease_renewal.pcapng \
         ../shared/corpus/pcaps/12_port_scan/malcolm-pcap__bro-simple-scan__port_scan.pcap; do
    [ -f "$f" ] && cp "$f" "$work/capture/"
done
build-fuzz/mimamori sensor -r "$work/capture/demo.pcap" -o "$work/seg" -q
cp "$work"/seg/*.eve.json "$work/segment/"
build-fuzz/mimamori sensor -r "$work/capture/demo.pcap" -o "$work/segz" --zstd -q
cp "$work"/segz/*.zst "$work/segment/"
# proto seeds: a request and a response in the target's chunk format
printf '\x00\x00\x00\x2aGET / HTTP/1.1\r\nHost: a\r\nUser-Agent: x\r\n\r\n\x01\x00\x26HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' > "$work/proto/http"
printf '\x05\x00\x00\x1d\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01' > "$work/proto/dns"
printf '\x06\x01\x00\x15SSH-2.0-OpenSSH_9.2\r\n\x00\x00\x15SSH-2.0-OpenSSH_8.9\r\n' > "$work/proto/ssh"
# an HTTP CONNECT answered 200, then TLS in the tunnel (the protocol change)
printf '\x00\x00\x00\x20CONNECT a:443 HTTP/1.1\r\nA: b\r\n\r\n\x01\x00\x13HTTP/1.1 200 OK\r\n\r\n\x00\x00\x06\x16\x03\x01\x00\x01\x01' > "$work/proto/connect"
# real conversations from the corpus, when present
seed() { [ -f "$1" ] && /usr/bin/python3 scripts/proto_seed.py "$1" "$2" "$work/proto/$3" || true; }
C=../shared/corpus
seed "$C/pcaps/05_smb_ms17-010/eternalsafety__eternalblue-success-unpatched-win7.pcap" tcp.stream==0 smb1
seed "$C/ndpi/pcap/smb_deletefile.pcap" tcp.stream==0 smb2
seed "$C/pcaps/17_ssh_bruteforce/zeek__sshguess.pcap" tcp.stream==0 ssh-kex
seed "$C/pcaps/16_tls_sni_cloud/ndpi__dropbox.pcap" tcp.stream==0 tls
seed "$C/pcaps/15_smtp_attachments/zeek__smtp-attachment-msg.pcap" tcp.stream==0 smtp
seed "$C/pcaps/02_rdp/ndpi__rdp3.pcap" tcp.stream==0 rdp
seed "$C/pcaps/09_crypto_mining/ndpi__mining.pcapng" tcp.stream==1 stratum
seed "$C/pcaps/11_telnet_mirai/ndpi__telnet.pcap" tcp.stream==0 telnet
seed "$C/ndpi/pcap/ftp.pcap" tcp.stream==0 ftp
seed "$C/pcaps/03_ntp_monlist/zeek__ntpmode67.pcap" udp.stream==0 ntp
seed "$C/pcaps/14_dhcp/zeek__dhcp.pcap" udp.stream==0 dhcp
seed "$C/pcaps/09_crypto_mining/ndpi__monero.pcap" tcp.stream==0 levin
seed "$C/ndpi/pcap/bitcoin.pcap" tcp.stream==0 bitcoin
seed "$C/ndpi/pcap/ethereum.pcap" udp.stream==0 ethereum
# crafted attacks (tools/attackgen.c): the detectors' paths
for sc in gh0st ntp-reflector weblogic sslv3-server rdp-bruteforce beacon-tls; do
    build-fuzz/mm-attackgen "$sc" "$work/capture/$sc.pcap"
done
seed "$work/capture/gh0st.pcap" tcp.stream==0 gh0st
seed "$work/capture/ntp-reflector.pcap" udp.stream==0 ntp-monlist
seed "$work/capture/weblogic.pcap" tcp.stream==0 weblogic
seed "$work/capture/sslv3-server.pcap" tcp.stream==0 sslv3
seed "$work/capture/rdp-bruteforce.pcap" tcp.stream==0 rdp-cookie
seed "$work/capture/beacon-tls.pcap" tcp.stream==0 tls-cert
seed ../shared/suricata-verify/tests/bug-6191/input.pcap tcp.stream==0 dcerpc-tcp
seed ../shared/suricata-verify/tests/dcerpc/dcerpc-udp-scapy/input.pcap udp.stream==0 dcerpc-udp
seed ../shared/suricata-verify/tests/smb2-06/20171220_smb_net_user.pcap tcp.stream==0 smb2-dcerpc
# exploit kits and stealers (tools/attackgen_web.c): a landing page, an
# XOR-encoded payload, uploads to a gate, a stealer's mail; byte 0 0x24: port
# 80 and a server on the Internet
for sc in ek-rig ek-xor stealer-http stealer-lokibot stealer-smtp; do
    build-fuzz/mm-attackgen "$sc" "$work/capture/$sc.pcap"
done
seed "$work/capture/ek-rig.pcap" tcp.stream==1 ek-landing
seed "$work/capture/ek-xor.pcap" tcp.stream==2 ek-xor
seed "$work/capture/stealer-http.pcap" tcp.stream==0 stealer-http
seed "$work/capture/stealer-lokibot.pcap" tcp.stream==0 stealer-lokibot
# (the client's side only: the seed's first speaker is the client)
seed "$work/capture/stealer-smtp.pcap" 'tcp.stream==0 && tcp.dstport==587' stealer-smtp
for s in stealer-http stealer-lokibot stealer-smtp; do
    [ -f "$work/proto/$s" ] && { printf '\x24'; tail -c +2 "$work/proto/$s"; } > "$work/proto/$s-out"
done
seed ../shared/suricata-verify/tests/http-range-file/input.pcap tcp.stream==0 http-range
# 4 KiB FTP lines, MIME text with URLs, DNS Z bit and NULL records, a TLS client
# certificate, a chain of three certificates
SV=../shared/suricata-verify/tests
seed $SV/ftp/ftp-too-long-command/ftp-too-long-command.pcap tcp.stream==0 ftp-long
seed $SV/mime/mime-dec-parse-line-test02/input.pcap tcp.stream==0 smtp-url
seed $SV/dns/v2/dns-z-bit/input.pcap udp.stream==0 dns-z
seed $SV/dns/dns-udp-null/input.pcap udp.stream==0 dns-null
seed $SV/tls/tls-store-02/tls-client-auth.pcap tcp.stream==0 tls-client-cert
seed $SV/tls/tls-certs-alert/input.pcap tcp.stream==0 tls-chain
# HTTP evasions (noxxi's http-evader): layered encodings, folded and odd headers, gzip header flags
for c in 131 134 284 376 399; do
    seed ../shared/suricata-verify/tests/http-evader/http-evader-$c/input.pcap tcp.stream==0 evader-$c
done
# indicator files: byte 0 picks the format (0 auto, 1 plain, 2 csv, 3 urlhaus,
# 4 feodo, 5 dataset, 6 iprep, 7 mimamori) and, in its high bits, a type
printf '\x00# list\nhxxp://evil[.]example/a\n198.51.100.0/24\n0.0.0.0 ads.example\nd41d8cd98f00b204e9800998ecf8427e\n' > "$work/ioc/plain"
printf '\x02FQDN,IP,Description\nc2.example,192.0.2.1,"a, b"\n' > "$work/ioc/csv"
printf '\x03# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"1","2024-08-12 10:15:09","http://192.0.2.9:8/i","online","","malware_download","elf","x","y"\n' > "$work/ioc/urlhaus"
printf '\x25ZXZpbC5leGFtcGxl\n' > "$work/ioc/dataset"
printf '\x06192.0.2.1,1,127\n' > "$work/ioc/iprep"
printf '\x07# mimamori indicators 1\ndomain\tevil.example\tset\tsrc\t80\tamber\t2024-01-01T00:00:00Z\t\t\t\t1\tdesc\\n\n' > "$work/ioc/native"
# list seeds: each accepted line form, for each kind (byte 0)
printf '\x00# mining\npool.example.com\n0.0.0.0 miner.example.net\n||coin.example.org^\n' > "$work/lists/names"
printf '\x02131.253.18.12\n199.2.137.0/24\n2001:db8::/32\n  ".sink.example",\n' > "$work/lists/sinkhole"
printf '\x03CAC5F74A1E146D6DE26845E3E03732C01167E4BBB4333E76889B538C9BD30362\n' > "$work/lists/hash"
cat > "$work/threshold/seed" <<'EOT'
# threshold.config seed
suppress gen_id 1, sig_id 8700080
suppress gen_id 1, sig_id 8700091, track by_src, ip [192.168.0.0/16,10.0.0.0/8]
suppress gen_id 0, sig_id 0, track by_either, ip $HOME_NET
threshold gen_id 1, sig_id 8700092, type both, track by_src, count 3, seconds 60
event_filter gen_id 1, sig_id 8700090, type limit, track by_dst, count 1, seconds 15
rate_filter gen_id 1, sig_id 8700093, track by_rule, count 10, seconds 60, \
    new_action pass, timeout 300
EOT
# iprep seed: categories, NUL, a reputation list, NUL, rules
printf '1,Bad,Known bad\n2,Scan,Scanners\n\00010.0.0.0/8,1,20\n10.1.0.0/16,1,90\n10.1.2.3,2,50\n2001:db8::/32,1,60\n192.0.2.7,1,100\n\000alert ip any any -> any any (iprep:any,Bad,>,10; sid:1;)\nalert ip any any -> any any (iprep:both,Scan,isnotset; sid:2;)\n' > "$work/iprep/seed"
# multipart seed: boundary length - 1, the boundary, an upload's body
printf '\x05----X1preamble\r\n------X1\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n------X1\r\nContent-Disposition: form-data; name="u"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--\r\n------X1--\r\n' > "$work/multipart/seed"
# dcerpc seed: a bind (SPOOLSS) then its acknowledgement
printf '\x05\x00\x0b\x03\x10\x00\x00\x00\x48\x00\x00\x00\x01\x00\x00\x00\xb8\x10\xb8\x10\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x01\x00\x78\x56\x34\x12\x34\x12\xcd\xab\xef\x00\x01\x23\x45\x67\x89\xab\x01\x00\x00\x00\x04\x5d\x88\x8a\xeb\x1c\xc9\x11\x9f\xe8\x08\x00\x2b\x10\x48\x60\x02\x00\x00\x00\x05\x00\x0c\x03\x10\x00\x00\x00\x44\x00\x00\x00\x01\x00\x00\x00\xb8\x10\xb8\x10\x01\x00\x00\x00\x0d\x00\\PIPE\\spoolss\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x04\x5d\x88\x8a\xeb\x1c\xc9\x11\x9f\xe8\x08\x00\x2b\x10\x48\x60\x02\x00\x00\x00' > "$work/dcerpc/seed"
# rule seeds: every keyword form the parser knows, and ET Open files when present
cat > "$work/rules/seed" <<'EOT'
# rules seed
alert http $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg:"a"; flow:established,to_server; http.method; content:"POST"; http.uri; content:"/x.php?"; startswith; fast_pattern; pcre:"/^\/x\.php\?[a-z]{4}=/Ui"; http.header_names; content:!"Referer"; flowbits:set,a.b; flowbits:noalert; classtype:trojan-activity; sid:1; rev:2; metadata:created_at 2024_01_01;)
alert tcp [10.0.0.0/8,!10.1.0.0/16] ![80,443] <> any 1024: (content:"|00 01|"; depth:2; byte_extract:2,2,len,relative; byte_test:1,>,len,0,relative; byte_jump:2,0,relative,little,multiplier 2,post_offset -1; isdataat:!10,relative; dsize:10<>200; flags:S,12; threshold: type both, track by_src, count 5, seconds 60; sid:2;)
alert dns any any -> any any (dns.query; content:"rs-"; startswith; dotprefix; content:".example.com"; endswith; bsize:<64; sid:3;)
alert tls any any -> any any (tls.sni; content:"a"; tls_cert_issuer; content:"b"; ja3_hash; content:"e7d"; tls.fingerprint:"aa:bb"; xbits:set,x,track ip_src,expire 60; sid:4;)
alert tcp any any -> any any (content:"GET"; http_method; uricontent:"/a"; content:"b"; http_header; urilen:>5,raw; base64_decode:bytes 10,offset 2,relative; base64_data; content:"x"; ttl:<5; stream_size:client,>,100; flowint:c,+,1; sid:5;)
alert smb any any -> any any (dcerpc.iface:367abb81-9844-35f1-ad32-98f038001003,>1,any_frag; dce_opnum:12,15-20; dcerpc.stub_data; content:"|15 00|"; geoip:both,!JP,US; sid:6;)
alert tls any any -> any any (tls.cert_chain_len:0<>4; tls.certs; content:"|30 82|"; tcp.mss:!=953; dns.opcode:!0; sid:8;)
alert ipv6 any any -> any any (icmpv6.mtu:<1280; itype:2; sid:9;)
alert tcp any any -> any 21 (content:"PORT"; ftpbounce; content:"|30|"; asn1:double_overflow, bitstring_overflow, relative_offset -54, oversize_length 2048; sid:7;)
EOT
for f in emerging-current_events.rules emerging-dns.rules emerging-scan.rules; do
    [ -f "../shared/rules/etopen/$f" ] && head -c 60000 "../shared/rules/etopen/$f" > "$work/rules/$f"
done
# match seeds: a rule's options, a newline, the buffer they are matched against
printf 'content:"GET "; depth:4; content:"HTTP/1."; distance:0; within:40; nocase; pcre:"/^\\/[a-z]+/R";\nGET /index.html HTTP/1.1\r\nHost: a\r\n' > "$work/match/http"
printf 'content:"|00 01|"; depth:2; byte_extract:2,2,len,relative; byte_test:1,>,len,0,relative; byte_jump:2,0,relative,little,multiplier 2,post_offset -1; isdataat:!10,relative;\n\x00\x01\x00\x04\x09\x00\x02\x00abcdefgh' > "$work/match/bytes"
printf 'content:"echo "; content:"#/"; distance:0; base64_decode:bytes 20,offset 0,relative; base64_data; content:"hi";\necho x#/aGkgdGhlcmU=\n' > "$work/match/b64"
printf 'content:"a"; to_lowercase; content:"abc"; endswith; bsize:>2;\nxxABC' > "$work/match/xform"
# update seeds: a configuration (byte 0 even) and a .tar.gz (byte 0 odd)
printf '\x00dir /tmp/x\nsource et https://h/a.tar.gz md5=https://h/a.md5\nlist mining https://h/l\ndisable 1\nenable re:ET\nmodify group:a.rules "x" "y"\n' > "$work/update/conf"
tmp_tar=$(mktemp -d)
printf 'alert tcp any any -> any any (sid:1;)\n' > "$tmp_tar/a.rules"
tar -C "$tmp_tar" -czf "$tmp_tar/a.tgz" a.rules
{ printf '\x01'; cat "$tmp_tar/a.tgz"; } > "$work/update/tgz"
rm -rf "$tmp_tar"
# ingest seeds: the sensor's own segments and EVE lines of every kind it writes
cp "$work"/segment/* "$work/ingest/"
build-fuzz/mm-attackgen company --days 1 --hosts 3 --seed 7 --attacks rdp-bruteforce,beacon \
    "$work/capture/company.pcap"
build-fuzz/mimamori sensor -r "$work/capture/company.pcap" --site fz --eve "$work/ingest/company.json" -q
head -c 60000 "$work/ingest/company.json" > "$work/ingest/company-head.json"
rm -f "$work/ingest/company.json"
# ingest seeds from mimamori watch (fim events and a WebShell alert of a
# tree written here) and a web server's access log of the same paths
mkdir -p "$work/www/up"
printf '<p>x</p>' > "$work/www/index.html"
build-fuzz/mimamori watch "$work/www" --site fz --sensor web1 --eve /dev/null --state "$work/wst" --once -q
printf '<?php @eval($_POST["p"]); ?>' > "$work/www/up/c.php"
printf 'GIF89a;<?php system("id"); ?>' > "$work/www/up/l.gif"
rm "$work/www/index.html"
build-fuzz/mimamori watch "$work/www" --site fz --sensor web1 --eve "$work/ingest/watch.json" --state "$work/wst" --once -q
printf '%s\n' '198.51.100.9 - - [07/Dec/2026:06:45:00 +0000] "POST /up/c.php?x=1 HTTP/1.1" 200 12 "-" "x"' \
    '8.8.8.8 - - [07/Dec/2026:06:45:01 +0000] "GET /wp-login.php HTTP/1.1" 200 5 "-" "x"' \
    '192.0.2.1 - - [07/Dec/2026:06:45:02 +0000] "GET http://a.example//up/../up/c.php HTTP/1.1" 302 0 "-" "x"' \
    > "$work/ingest/access.log"
# gateway logs for ingest: a fictional company's router, proxy, DNS, DHCP, sshd, mail
build-fuzz/mm-loggen company --days 1 --hosts 3 --seed 3 --attacks beacon,gh0st "$work/lg"
for f in "$work"/lg/*; do head -c 20000 "$f" > "$work/ingest/log-$(basename "$f")"; done
# log seeds: byte 0 the format's index in `mimamori logs formats` (255: found
# from the lines), byte 1 the options (bit 2: read as a file), then the lines
# of the format's case file; and the corpus's samples, read as files
i=0
for name in $(build-fuzz/mimamori logs formats | awk '/^[a-z]/ {print $1}'); do
    if [ -f "tests/logs/$name.txt" ]; then
        { printf "\\x$(printf %02x $i)\\x00"; sed -n 's/^line: //p' "tests/logs/$name.txt"; } \
            > "$work/logs/$name"
    fi
    i=$((i + 1))
done
for f in ../shared/corpus/logs/*/*.log ../shared/corpus/logs/*/*/*.log; do
    [ -f "$f" ] && { printf '\xff\x04'; head -c 20000 "$f"; } > "$work/logs/corpus-$(basename "$f")"
done
# listener seeds: byte 0 the chunk size, then a TCP stream of octet-counted
# and newline-framed syslog messages (a firewall, sshd and Postfix)
{ printf '\x07'
  m='<4>Mar  3 10:00:01 gw kernel: DROP IN=eth0 OUT= SRC=198.51.100.7 DST=192.0.2.10 LEN=40 PROTO=TCP SPT=1 DPT=23'
  printf '%d %s' "${#m}" "$m"
  printf '<38>Mar  6 02:00:00 gw sshd[300]: Failed password for root from 203.0.113.66 port 40000 ssh2\n'
  printf '<22>Jun 18 07:24:18 mx postfix/smtpd[28762]: 1DBB4A7FD: client=h.example[192.0.2.7]\n'
  printf '<22>Jun 18 07:24:19 mx postfix/qmgr[3280]: 1DBB4A7FD: removed\000'
} > "$work/listen/seed"
# indicator seeds: byte 0 the reader (0 STIX, 1 MISP, 2 ThreatFox, 3 a pattern
# alone) and the chunk size of the second read (bits 2-7), then the document
for f in tests/ioc/stix-*.json; do { printf '\x10'; cat "$f"; } > "$work/ioc_stix/$(basename "$f")"; done
for f in tests/ioc/misp-*.json; do { printf '\x0d'; cat "$f"; } > "$work/ioc_stix/$(basename "$f")"; done
for f in tests/ioc/threatfox-*.json; do { printf '\x1e'; cat "$f"; } > "$work/ioc_stix/$(basename "$f")"; done
printf "\x03([ipv4-addr:value = '198.51.100.1/32' OR file:hashes.'SHA-256' = 'ab'] FOLLOWEDBY [domain-name:value IN ('a.example', 'b.example') AND url:value LIKE 'x%%']) WITHIN 600 SECONDS REPEATS 2 TIMES START t'2016-01-01T00:00:00Z' STOP t'2016-02-01T00:00:00Z'" > "$work/ioc_stix/pattern"
# mail seeds: byte 0 bit 0 read as an mbox, bit 1 a 4 KiB size limit; then
# the messages of tests/mail (also as ingest seeds)
for f in tests/mail/*.eml tests/mail/maildir/*/*; do
    { printf '\x00'; cat "$f"; } > "$work/mailmsg/$(basename "$f" | tr -c 'A-Za-z0-9.\n' _)"
    cp "$f" "$work/ingest/mail-$(basename "$f" | tr -c 'A-Za-z0-9.\n' _)"
done
{ printf '\x01'; cat tests/mail/three.mbox; } > "$work/mailmsg/three.mbox"
{ printf '\x03'; cat tests/mail/three.mbox; } > "$work/mailmsg/three-small.mbox"
# exposure seeds: byte 0 0 a service's reply (byte 1 the exchange: 0 wait,
# 1 HTTP, 2 TLS; bytes 2-3 the port), 1 target specs, 2 a port list
printf '\x00\x00\x00\x16SSH-2.0-OpenSSH_9.2\r\n' > "$work/exposure/ssh"
printf '\x00\x01\x1f\x90HTTP/1.1 401 Unauthorized\r\nServer: RouterAdmin/2.1\r\n\r\n' > "$work/exposure/http"
printf '\x00\x00\x00\x17\xff\xfb\x01\xff\xfb\x03login: ' > "$work/exposure/telnet"
printf '\x01\x00192.0.2.0/28\n198.51.100.10-20\n2001:db8::/124\n203.0.113.5-203.0.113.9\n' > "$work/exposure/targets"
printf '\x02\x00top100,maintenance,8000-8100,65535' > "$work/exposure/ports"
printf '\x03Location: /login?next=%%2F\r\nWWW-Authenticate: Basic realm="admin"\r\nServer: nginx\r\n\r\n<html><title> Log In </title>' > "$work/exposure/answer"
openssl req -x509 -newkey rsa:1024 -nodes -keyout "$work/k.pem" -out "$work/c.pem" -days 1 \
    -subj /CN=a.example -addext subjectAltName=DNS:a.example 2>/dev/null &&
    /usr/bin/python3 - "$work/c.pem" "$work/exposure/tls" <<'EOP' || true
import base64, struct, sys
der = base64.b64decode(''.join(l for l in open(sys.argv[1]) if not l.startswith('-----')))
cert = struct.pack('>I', len(der))[1:] + der
msg = b'\x0b' + struct.pack('>I', len(cert) + 3)[1:] + struct.pack('>I', len(cert))[1:] + cert
hello = b'\x02\x00\x00\x26\x03\x03' + b'\x00' * 32 + b'\x00\xc0\x2f\x00'
hs = hello + msg + b'\x0e\x00\x00\x00'
open(sys.argv[2], 'wb').write(b'\x00\x02\x20\xfb' + b'\x16\x03\x03' + struct.pack('>H', len(hs)) + hs)
EOP
# web seeds: byte 0 the peer (bit 0 a trusted proxy, bit 1 IPv6), then the
# method, the target, header lines, an empty line and the body
printf '\x00GET\n/?q=%%3Cb%%3E&lang=en\nAccept-Language: en-US,en;q=0.9,ja;q=0.8\nCookie: a=1; lang=ja\n\n' > "$work/web/get"
printf '\x05POST\n/form\nContent-Type: application/x-www-form-urlencoded\nX-Forwarded-For: 6.6.6.6, [2001:db8::1]:443, 203.0.113.7, 10.0.0.9\n\na=1&b=x+y&a=%%41&&k&e=%%E3%%81%%82\n' > "$work/web/form"
printf '\x02POST\n/check\nContent-Type: application/x-www-form-urlencoded\nX-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n\ncsrf=AQAAAABrUwEAq83vASNFZ4mrze8BI0VniQ&v=1\n' > "$work/web/csrf"
# self-check seeds: the peer byte as the web seeds, then a request
printf '\x00GET\n/?c=0123456789abcdef0123456789abcdef&lang=en\nAccept-Language: ja\n\n' > "$work/selfcheck/index"
printf '\x00POST\n/api/check\nContent-Type: application/json\n\n{"consent": true, "ports": [22, 445, 3389], "company": "x"}' > "$work/selfcheck/api"
printf '\x05POST\n/check\nContent-Type: application/x-www-form-urlencoded\nX-Forwarded-For: 203.0.113.7\n\nconsent=1&port=22&port=445&csrf=AAAA&c=&lang=ja' > "$work/selfcheck/form"
printf '\x00GET\n/result?id=00000000000000000000000000000000&lang=ja\n\n' > "$work/selfcheck/result"
# dashboard seeds: byte 0 who asks (0 nobody, 1 the analyst, 2 alice of
# company A), then a web request as above
printf '\x02\x00GET\n/alerts?from=2023-11-01&to=2023-12-01&family=rdp&severity=1&host=10.1.0.5&lang=en\n\n' > "$work/dash/alerts"
printf '\x02\x00GET\n/company?site=2&company=bravo\n\n' > "$work/dash/other"
printf '\x01\x00GET\n/alert?site=2&id=2\n\n' > "$work/dash/alert"
printf '\x00\x00POST\n/login\nContent-Type: application/x-www-form-urlencoded\nCookie: mm_session=abab\n\nuser=ana&password=x&csrf=AAAA\n' > "$work/dash/login"
printf '\x02\x05GET\n/static/../report.css\nX-Forwarded-For: 203.0.113.7\n\n' > "$work/dash/static"
printf '\x01\x00GET\n/api/alerts?company=alpha-co&severity=1\n\n' > "$work/dash/api"
printf '\x02\x00GET\n/company?lang=ja\n\n' > "$work/dash/company"
printf '\x01\x00GET\n/?lang=en\nAccept-Language: en\n\n' > "$work/dash/home"
printf '\x02\x00GET\n/indicators?set=w&site=1\n\n' > "$work/dash/indicators"
# webshell seeds: byte 0 the name's length, the name, the content (byte 0
# 255: a baseline state file)
printf '\x05x.php<?php @eval($_POST["c"]); ?>' > "$work/webshell/eval"
printf '\x09a.jpg.phpGIF89a;<?php echo base64_decode("ZWNobyAxOyBlY2hvIDE7IGVjaG8gMTsgZWNobyAxOyBlY2hvIDE7IGVjaG8gMTsgZWNobyAxOw=="); ?>' > "$work/webshell/double"
printf '\x05c.asp<%%eval request("p")%%>' > "$work/webshell/chopper"
printf '\x09.htaccessAddType application/x-httpd-php .jpg\n' > "$work/webshell/htaccess"
printf '\xffmimamori-watch-state 1\nR /srv/www\nF %s 5 100644 0 0 1 0 1 3 1 a%%20b.php\nE\n' \
    "$(printf 'x' | sha256sum | cut -c1-64)" > "$work/webshell/state"
# webpath seeds: request targets as access logs write them
printf '/wp-content/uploads/2026/12/cache.php?x=1' > "$work/webpath/plain"
printf 'http://example.jp:8080//a/./b/../c%%2ephp#f' > "$work/webpath/absolute"
printf '/%%2e%%2e/..\\windows\\win.ini' > "$work/webpath/dots"
printf '/wp-login.php' > "$work/webpath/admin"
# hunting index pieces: byte 0 even, records (key length, key, host length,
# host, first minute, span, count) written and read back; odd, a piece
# (version 1, plain: payload length, hosts, entries, records, six streams)
printf '\x02\x0cexample.evil\x0b192.0.2.100\x10\x00\x05\x01\x0cexample.evil\x0b192.0.2.101\x20\x00\x00\x00' > "$work/obspiece/records"
printf '\x01\x01\x00\x15\x01\x01h\x01\x01\x04\x00\x02ab\x01\x01\x01\x00\x02\x05\x00\x01\x00\x01\x00' > "$work/obspiece/piece"
# regfile and autoruns seeds: byte 0 the size - 1 of the pieces the file is
# fed in, then a reg export file (UTF-16 LE with its BOM, continuations,
# hex(2), hex(7), deletions; a REGEDIT4 one) or an Autoruns export (autorunsc
# -c in UTF-16 LE, -ct in UTF-8)
/usr/bin/python3 - "$work" <<'EOP'
import sys
w = sys.argv[1]
def u16(s):
    return b'\xff\xfe' + s.encode('utf-16-le')
def hexs(b):
    return ','.join('%02x' % x for x in b)
exp = hexs('%APPDATA%\\d.dll'.encode('utf-16-le') + b'\0\0')
multi = hexs('a\0C:\\x\\evil.exe\0\u65e5\U0001F600\0\0'.encode('utf-16-le'))
reg = ('Windows Registry Editor Version 5.00\r\n\r\n'
       '[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run]\r\n'
       '"Updater"="\\"C:\\\\Users\\\\x\\\\evil.exe\\" -s"\r\n@="d"\r\n"N"=dword:0000001f\r\n'
       '"B"=hex:01,02,\\\r\n  03\r\n"E"=hex(2):' + exp + '\r\n"M"=hex(7):' + multi + '\r\n'
       '"Q"=hex(b):01,00,00,00,00,00,00,00\r\n"G"=-\r\n'
       '[-HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\evil]\r\n')
open(w + '/regfile/utf16.reg', 'wb').write(b'\x07' + u16(reg))
open(w + '/regfile/regedit4', 'wb').write(
    b'\x00REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\S]\n"E"=hex(2):43,3a,5c,61,00\n"x"="y"\n')
hdr = ['Time', 'Entry Location', 'Entry', 'Enabled', 'Category', 'Profile', 'Description',
       'Signer', 'Company', 'Image Path', 'Version', 'Launch String', 'MD5', 'SHA-1', 'PESHA-1',
       'PESHA-256', 'SHA-256', 'IMP']
rows = [['', 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run'] + [''] * 16,
        ['20240101-000000', '', 'Evil', 'enabled', 'Logon', 'System-wide', 'a, "b"',
         '(Not verified)', '', 'File not found: C:\\x\\evil.exe', '',
         '"C:\\x\\evil.exe" /s', 'ab' * 16, '', '', '', 'ab' * 32, ''],
        ['', 'Task Scheduler', '\\Upd', 'enabled', 'Tasks', '', 'two\r\nlines', '', '',
         'c:\\t\\x', '', 'c:\\t\\x', '', '', '', '', '', '']]
def q(f):
    return '"' + f.replace('"', '""') + '"'
csv = '\r\n'.join(','.join(q(f) for f in r) for r in [hdr] + rows) + '\r\n'
open(w + '/autoruns/csv', 'wb').write(b'\x05' + u16(csv))
tsv = '\n'.join('\t'.join(r) for r in [hdr] + rows[1:2]) + '\n'
open(w + '/autoruns/tsv', 'wb').write(b'\xff' + tsv.encode())
EOP
# configuration seeds: byte 0 even the sensor-like keys, odd any key; the
# shipped default file, lists in both styles, yes/no, a quoted value
{ printf '\x00'; cat packaging/mimamori.yaml; } > "$work/config/default"
{ printf '\x01'; cat packaging/mimamori.yaml; } > "$work/config/default-any"
printf '\x00interface: eth1\nsite: "acme"\nhome_net: [10.0.0.0/8, 192.168.0.0/16]\nrules:\n  - /a\n  - /b\nioc: /c\ncommunity-id: yes\nzstd: 5\noutput:\n' > "$work/config/settings"
printf '\x01a: b\nc: [d, e]\n---\nf: &x g\nh: *x\n' > "$work/config/docs"
# AF_PACKET ring block seeds: byte 0 the link type (0 Ethernet, 1 raw IP),
# then a TPACKET_V3 block (struct tpacket_block_desc, then tpacket3_hdr and
# the packet, each at the offsets the kernel would write): an untagged and a
# VLAN-tagged (tag moved to the header) UDP packet
/usr/bin/python3 - "$work/afpblock" <<'EOP'
import struct, sys
def pkt(next_off, data, status=0, tci=0, tpid=0, mac=80):
    # next, sec, nsec, snaplen, len, status, mac, net, rxhash, vlan_tci, vlan_tpid, pad
    h = struct.pack('<IIIIIIHHIHH', next_off, 1700000000, 123456789, len(data), len(data),
                    status, mac, mac + 14, 0, tci, tpid) + b'\0' * 12
    return (h + b'\0' * (mac - len(h)) + data).ljust(next_off or 0, b'\0')
eth = bytes.fromhex('020000000001020000000002') + b'\x08\x00'
ip = bytes.fromhex('4500002400010000401100000a6300010a630002')
udp = bytes.fromhex('4e2000090010000068656c6c6f21') + b'xx'
p1 = pkt(160, eth + ip + udp)
p2 = pkt(0, eth + ip + udp, status=(1 << 4) | (1 << 6), tci=0x6064, tpid=0x8100)
body = p1 + p2
first = 48
desc = struct.pack('<IIIIIIQII II', 3, 0, 1, 2, first, first + len(body), 1, 1700000000, 0,
                   1700000000, 5000)
blk = desc.ljust(first, b'\0') + body
open(sys.argv[1] + '/two', 'wb').write(b'\x00' + blk.ljust(4096, b'\0'))
open(sys.argv[1] + '/raw', 'wb').write(b'\x01' + (desc.ljust(first, b'\0') +
    pkt(0, ip + udp, mac=80)).ljust(512, b'\0'))
EOP
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
fail=0
for t in capture decode segment util proto lists threshold rules update ingest iprep multipart dcerpc match logs listen ioc ioc_export ioc_stix mailmsg exposure web selfcheck webshell obspiece regfile autoruns dash webpath config afpblock; do
    echo "fuzz_$t: ${secs}s"
    if ! build-fuzz/tests/fuzz_$t -max_total_time="$secs" -rss_limit_mb=2048 \
            -max_len=65536 -print_final_stats=0 "$work/$t" > "$work/$t.log" 2>&1; then
        echo "fuzz_$t FAILED:"; tail -40 "$work/$t.log"; fail=1
    else
        grep -E '^#[0-9]+.*(DONE|pulse)' "$work/$t.log" | tail -1 || true
    fi
done
exit $fail
