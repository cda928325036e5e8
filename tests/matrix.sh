#!/bin/sh
# Builds ensurepip out of tree for every CPython it finds and runs the whole test suite with
# each: the system's Python (pkg-config python3-embed, Debian's 3.11) and pyenv's shared
# builds 3.10 to 3.15 when pyenv is there (configure refuses the end-of-life 3.8 and 3.9).
# Debian testing's 3.13-3.15: tests/debian-testing.sh.
# Prints a table (version, pip bundled, build, tests) and ends with "N passed, N failed" over all builds; exits non-zero if any build or test failed.
#
# usage: tests/matrix.sh [-j JOBS] [--logs DIR] [--skip-default] [--pip-wheel FILE]... [INTERPRETER...]
#   -j JOBS          builds and test runs at once (default 1)
#   --logs DIR       where the build trees and logs go (default ./build-matrix)
#   --skip-default   leave out the build against the system's Python
#   --pip-wheel FILE one more build against the system's Python, embedding this pip wheel, that
#                    runs the tests that can differ between pips: installs, upgrades, uninstalls,
#                    --root images and their reproducibility, bytecode (test_install, test_image,
#                    test_bytecode)
#   INTERPRETER      python3.X interpreters to build against instead of searching for them
# The builds against other Pythons than the system's leave out the tests whose subject cannot
# differ between Pythons (PYTHON_INDEPENDENT_TESTS: the C host's promises about the process,
# crash recovery at every step of the commit, untrusted targets); the system's build runs them.
# The comparison with CPython's ensurepip (test_oracle) runs in every build: each vendor's
# build of an X.Y has an ensurepip (and wheels) of its own.
set -eu

PYTHON_INDEPENDENT_TESTS="test_faults test_untrusted test_process"

jobs=1
logs=build-matrix
with_default=1
wheels=""
while [ $# -gt 0 ]; do
    case $1 in
        -j) jobs=$2; shift 2 ;;
        --logs) logs=$2; shift 2 ;;
        --skip-default) with_default=0; shift ;;
        --pip-wheel) wheels="$wheels wheel:$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
        -*) echo "matrix.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done

src=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$src/configure" ] || (cd "$src" && ./autogen.sh >/dev/null 2>&1)
mkdir -p "$logs"
logs=$(cd "$logs" && pwd)

# The interpreters: "default" stands for the build without --with-python.
if [ $# -gt 0 ]; then
    set -- "$@"
else
    found=""
    [ "$with_default" -eq 1 ] && found="default"
    if command -v pyenv >/dev/null 2>&1; then
        root=$(pyenv root)
        for minor in 10 11 12 13 14 15; do
            for prefix in "$root"/versions/3.$minor.*; do
                [ -x "$prefix/bin/python3.$minor" ] && [ -f "$prefix/lib/pkgconfig/python-3.$minor-embed.pc" ] \
                    && found="$found $prefix/bin/python3.$minor"
            done
        done
    fi
    # shellcheck disable=SC2086
    set -- $found
fi
# shellcheck disable=SC2086
set -- "$@" $wheels

# one INTERPRETER: configure, build and check in its own tree; writes NAME.result.
one() {
    python=$1
    pytest_flags=""
    skip=""
    if [ "$python" = default ]; then
        name=system
        flags=""
    elif [ "${python#wheel:}" != "$python" ]; then
        name=system-$(basename "${python#wheel:}" | cut -d- -f1,2)
        flags="--with-pip-wheel=${python#wheel:}"
        pytest_flags="-k 'test_install or test_image or test_bytecode'"
    else
        name=py$("$python" -c 'import platform; print(platform.python_version())')
        flags="--with-python=$python"
        skip=$PYTHON_INDEPENDENT_TESTS
    fi
    tree=$logs/$name
    rm -rf "$tree"
    mkdir -p "$tree"
    build=failed
    tests="not run"
    # shellcheck disable=SC2086
    if (cd "$tree" && "$src/configure" --quiet --enable-werror $flags && make -j2) >"$tree.build.log" 2>&1; then
        build=ok
        if [ -n "$pytest_flags" ]; then
            (cd "$tree" && make check TESTS= PYTEST_FLAGS="$pytest_flags") >"$tree.check.log" 2>&1 && status=0 || status=$?
        else
            (cd "$tree" && ENSUREPIP_SKIP_TESTS=$skip make check) >"$tree.check.log" 2>&1 && status=0 || status=$?
        fi
        counts=$(awk '
            /^# PASS: / { p += $3 } /^# FAIL: / { f += $3 } /^# ERROR: / { f += $3 }
            /^=+ .* in [0-9.]+s/ || /^[0-9]+ (passed|failed).* in [0-9.]+s/ {
                line = $0; gsub(/=/, "", line); n = split(line, w, /[ ,]+/)
                for (i = 1; i < n; i++) {
                    if (w[i+1] == "passed" || w[i+1] == "xfailed") p += w[i]
                    if (w[i+1] == "failed" || w[i+1] ~ /^errors?$/ || w[i+1] == "xpassed") f += w[i]
                }
            }
            END { print p + 0, f + 0 }' "$tree.check.log")
        set -- $counts
        passed=$1 failed=$2
        [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
        tests="$passed passed, $failed failed"
    fi
    pip=$(sed -n 's/^PIP_VERSION = //p' "$tree/Makefile" 2>/dev/null || true)
    version=$(sed -n 's/^  Python: *\([0-9.]*\),.*/\1/p' "$tree.build.log" 2>/dev/null || true)
    [ -n "$version" ] || version=$(awk -F'[ ,]+' '/Python:/ {print $3; exit}' "$tree/config.log" 2>/dev/null || echo "?")
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "${version:-?}" "${pip:-?}" "$build" "$tests" >"$tree.result"
}

# A pool of JOBS slots, as tokens in a pipe: each build takes one when it starts and gives it
# back when it ends, so the next build starts as soon as any slot is free. (Builds started in
# batches waited for the slowest of each batch: the system's build, with the most tests, held
# up the one beside it for half the matrix.) The system's build comes first, the longest.
tokens=$logs/.tokens.$$
rm -f "$tokens"
mkfifo "$tokens"
exec 3<>"$tokens"
rm -f "$tokens"
slot=0
while [ "$slot" -lt "$jobs" ]; do
    echo >&3
    slot=$((slot + 1))
done
builds=$#
rm -f "$logs"/*.result
for python in "$@"; do
    read -r _ <&3
    # The token goes back however the build ends (set -e does not stop a command left of ||);
    # a build that writes no result counts as a failure below.
    { (one "$python") 3>&- || echo "matrix.sh: the build for $python stopped before its result (exit $?)" >&2
      echo >&3; } &
done
wait
exec 3>&-

total_passed=0
total_failed=0
bad=0
printf '%-18s %-9s %-8s %-7s %s\n' build python pip build tests
for result in "$logs"/*.result; do
    [ -f "$result" ] || continue
    IFS="$(printf '\t')" read -r name version pip build tests <"$result"
    printf '%-18s %-9s %-8s %-7s %s\n' "$name" "$version" "$pip" "$build" "$tests"
    case $tests in
        *" passed, "*" failed")
            set -- $tests
            total_passed=$((total_passed + $1))
            total_failed=$((total_failed + $3))
            [ "$3" -eq 0 ] || bad=1 ;;
        *) total_failed=$((total_failed + 1)); bad=1 ;;
    esac
    [ "$build" = ok ] || bad=1
done
results=$(ls "$logs"/*.result 2>/dev/null | wc -l)
if [ "$results" -ne "$builds" ]; then
    echo "matrix.sh: $builds builds, $results results"
    total_failed=$((total_failed + builds - results))
    bad=1
fi
echo "logs: $logs"
echo "$total_passed passed, $total_failed failed"
exit "$bad"
