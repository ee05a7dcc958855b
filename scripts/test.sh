#!/usr/bin/env bash
# Builds and runs every test, as CI does:
#   1. installs what is needed (scripts/install-deps.sh);
#   2. a release build with warnings as errors: unit, end-to-end and oracle
#      tests (the nDPI oracle too when MIMAMORI_FULL=1 or in CI);
#   3. an AddressSanitizer + UndefinedBehaviorSanitizer build: unit and
#      end-to-end tests, and the oracle over the corpus captures;
#   4. the fuzz targets, FUZZ_SECONDS each (default 20).
# Ends with one line: 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1

passed=0
failed=0
step() {  # step NAME COMMAND...
    local name=$1; shift
    echo "== $name"
    if "$@"; then passed=$((passed + 1)); echo "-- $name: ok"
    else failed=$((failed + 1)); echo "-- $name: FAILED"; fi
}

setup() {  # setup DIR ARGS...
    local dir=$1; shift
    if [ -d "$dir" ]; then meson setup --reconfigure "$dir" "$@" >/dev/null
    else meson setup "$dir" "$@" >/dev/null; fi && ninja -C "$dir"
}

suites=(--suite unit --suite e2e --suite oracle --suite faults)
if [ "${MIMAMORI_FULL:-}" = 1 ] || [ "${CI:-}" = true ]; then
    suites+=(--suite oracle-ndpi)
fi

step "build (-Werror)" setup build -Dwerror=true
step "tests" meson test -C build --print-errorlogs "${suites[@]}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
step "build (ASan+UBSan)" setup build-asan -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized -Dwerror=true
step "tests under ASan+UBSan" meson test -C build-asan --print-errorlogs \
    --suite unit --suite e2e --suite oracle --timeout-multiplier 3
# the faults again under the sanitizers, with fewer kills to fit the time
step "fault tests under ASan+UBSan" env FAULT_KILLS=30 FAULT_FLOOD_PACKETS=50000 \
    meson test -C build-asan --print-errorlogs --suite faults --timeout-multiplier 3

step "fuzz (${FUZZ_SECONDS:-20} s per target)" scripts/fuzz.sh "${FUZZ_SECONDS:-20}"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
