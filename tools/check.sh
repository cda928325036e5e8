#!/bin/sh
# Every test, from scratch: install what the build and the tests need, build with warnings as
# errors, and run the whole suite (C unit tests, the C library client, pytest). Run as root on
# Debian 12 from a clone. The last line is "N passed, N failed" over all of it.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
sh tools/setup-debian.sh
./autogen.sh >/dev/null 2>&1 || ./autogen.sh
logs=$top/build-logs
rm -rf "$logs"
mkdir -p "$logs"

passed=0
failed=0

# count LOG: adds the results of one `make check` log (Automake's summary and pytest's) to the totals.
count() {
    set -- $(awk '
        /^# PASS: /  { p += $3 } /^# FAIL: / { f += $3 } /^# ERROR: / { f += $3 } /^# XPASS: / { f += $3 }
        /^=+ .* in [0-9.]+s/ || /^[0-9]+ (passed|failed).* in [0-9.]+s/ {
            line = $0; gsub(/=/, "", line)
            n = split(line, w, /[ ,]+/)
            for (i = 1; i < n; i++) {
                if (w[i+1] == "passed" || w[i+1] == "xfailed") p += w[i]
                if (w[i+1] == "failed" || w[i+1] == "error" || w[i+1] == "errors" || w[i+1] == "xpassed") f += w[i]
            }
        }
        END { print p + 0, f + 0 }' "$1")
    passed=$((passed + $1))
    failed=$((failed + $2))
}

# phase NAME CONFIGURE-FLAGS...: a build directory of its own, make, make check.
phase() {
    name=$1
    shift
    echo "== $name: configure $*"
    rm -rf "build-$name"
    mkdir "build-$name"
    status=0
    (
        cd "build-$name" &&
        ../configure --quiet "$@" &&
        make -j"$(nproc)" >/dev/null &&
        make check
    ) >"$logs/$name.log" 2>&1 || status=$?
    tail -n 3 "$logs/$name.log"
    failed_before=$failed
    count "$logs/$name.log"
    if [ "$status" -ne 0 ]; then
        echo "== $name FAILED (exit $status); log: $logs/$name.log"
        # A build that broke before any test ran still counts as a failure.
        [ "$failed" -gt "$failed_before" ] || failed=$((failed + 1))
        grep -E '^(FAIL|ERROR):|^FAILED|^E  ' "$logs/$name.log" | head -n 40 || true
    fi
}

phase default --enable-werror

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
