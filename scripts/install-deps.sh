#!/usr/bin/env bash
# Installs every Debian package mimamori needs to build, test and benchmark.
# Idempotent: packages already present are skipped; running it twice does nothing.
# Also unpacks the data files of Debian's tor-geoipdb (GeoIP country ranges)
# into data/geoip/ without installing the Tor daemon the package depends on.
#
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --bench    also the peer tools used by bench/
#   scripts/install-deps.sh --package  also what scripts/package.sh needs (the .deb)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

build_pkgs=(build-essential meson ninja-build pkg-config nettle-dev
            libpcap-dev libzstd-dev libsodium-dev libmaxminddb-dev zlib1g-dev
            iso-codes tzdata libpcre2-dev libcurl4-openssl-dev
            libsqlite3-dev libpq-dev libcairo2-dev libpango1.0-dev fonts-noto-cjk
            libgmime-3.0-dev libmicrohttpd-dev libyaml-dev)
test_pkgs=(libcmocka-dev tshark tcpreplay clang libclang-rt-14-dev iproute2 procps python3 python3-jsonschema python3-yaml jq openssl
           postgresql chromium poppler-utils
           nftables ipset unbound bind9-utils squid nmap)
bench_pkgs=(libndpi-bin time sqlite3 apache2-utils)
package_pkgs=(debhelper devscripts dpkg-dev fakeroot lintian debootstrap systemd-container)

# Multi-pattern matching: Hyperscan on amd64, its Vectorscan port elsewhere.
if [ "$(dpkg --print-architecture)" = amd64 ]; then build_pkgs+=(libhyperscan-dev)
else build_pkgs+=(libvectorscan-dev); fi

want=("${build_pkgs[@]}" "${test_pkgs[@]}")
for a in "$@"; do
    case "$a" in
    --bench) want+=("${bench_pkgs[@]}") ;;
    --package) want+=("${package_pkgs[@]}") ;;
    *) echo "install-deps: unknown option $a (--bench, --package)" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # tshark asks whether non-root users may capture; the default (no) is fine.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
    # The blocklist checkers (nft, unbound-checkconf, named-checkzone,
    # squid -k parse) come with daemons: a resolver on port 53 and a proxy
    # must not start on a build machine. A policy-rc.d of our own (only
    # when none is there) stops the maintainer scripts from starting them.
    policy=/usr/sbin/policy-rc.d
    ours=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# install-deps.sh: no services started while it installs\nexit 101\n' |
            $SUDO tee "$policy" >/dev/null
        $SUDO chmod 755 "$policy"
        ours=1
    fi
    rc=0
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" || rc=$?
    [ -n "$ours" ] && $SUDO rm -f "$policy"
    [ "$rc" -eq 0 ] || exit "$rc"
    # ... nor at the next boot (only the services this run installed)
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        for svc in unbound squid; do
            case " ${missing[*]} " in
            *" $svc "*) $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true ;;
            esac
        done
    fi
else
    echo "install-deps: all packages present"
fi

# GeoIP country ranges from tor-geoipdb, data files only (no Tor daemon).
geo="$here/data/geoip"
if [ ! -s "$geo/geoip" ] || [ ! -s "$geo/geoip6" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    ( cd "$tmp" && apt-get download tor-geoipdb >/dev/null 2>&1 ) || {
        $SUDO apt-get update -qq
        ( cd "$tmp" && apt-get download tor-geoipdb >/dev/null )
    }
    dpkg-deb -x "$tmp"/tor-geoipdb_*.deb "$tmp/x"
    mkdir -p "$geo"
    cp "$tmp/x/usr/share/tor/geoip" "$tmp/x/usr/share/tor/geoip6" "$geo/"
    echo "install-deps: GeoIP data unpacked into data/geoip/"
fi
