#!/bin/sh
# Every test, from scratch: install what the build and the tests need, then
#   1. the matrix: build with warnings as errors and run the whole suite (C unit tests, the C
#      library client, pytest) against the system's Python and every pyenv CPython 3.10-3.15
#      found, and against Debian testing's 3.13, 3.14 and 3.15 in a root made with debootstrap
#      (tests/debian-testing.sh); then the install, upgrade, --root and uninstall tests with the
#      system's Python and every other pip wheel found (pyenv's, Debian 13's, testing's);
#   2. the same suite once more under AddressSanitizer and UndefinedBehaviorSanitizer;
#   3. one bootstrap and one uninstall under valgrind memcheck;
#   4. a cross build: an arm64 Debian 12 root staged and used under emulation (tests/arm64-root.sh);
#   5. the command-line fuzzer for a short while, and every crash it ever found, again;
#   6. the Debian packages: built, installed, used and purged (tools/test-deb.sh).
# Run as root on Debian 12 from a clone. The last line is "N passed, N failed" over all of it.
#   --quick   only the system Python's build, no sanitizers, valgrind or fuzzing
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
quick=0
[ "${1:-}" = --quick ] && quick=1
sh tools/setup-debian.sh
./autogen.sh >/dev/null 2>&1 || ./autogen.sh
# The tests' temporary files on a tmpfs of their own. The suites make and delete thousands of
# venvs, and on ext4 without a journal (these VMs' root filesystem, kernel 6.18) each file
# created passes over the inodes freed in the last minutes (find_inode_bit, recently_deleted):
# the install tests took 125 s in /tmp and 93 s on a tmpfs. Passed tests leave nothing there
# (tests/pytest/conftest.py).
scratch=$(mktemp -d /tmp/ensurepip-check.XXXXXX)
if mount -t tmpfs -o mode=1777 ensurepip-check "$scratch" 2>/dev/null; then
    trap 'umount -l "$scratch"; rmdir "$scratch"' EXIT
    trap 'exit 130' INT TERM
    TMPDIR=$scratch
    export TMPDIR
else
    rmdir "$scratch"
    echo "tools/check.sh: cannot mount a tmpfs (not root?): the tests' temporary files go to ${TMPDIR:-/tmp}"
fi
logs=$top/build-logs
rm -rf "$logs"
mkdir -p "$logs"
passed=0
failed=0

# count LOG: adds a log's closing "N passed, N failed", or Automake's and pytest's summaries.
count() {
    set -- $(awk '
        /^[0-9]+ passed, [0-9]+ failed$/ { p = $1; f = $3; plain = 1 }
        !plain && /^# PASS: / { p += $3 } !plain && (/^# FAIL: / || /^# ERROR: / || /^# XPASS: /) { f += $3 }
        !plain && (/^=+ .* in [0-9.]+s/ || /^[0-9]+ (passed|failed).* in [0-9.]+s/) {
            line = $0; gsub(/=/, "", line); n = split(line, w, /[ ,]+/)
            for (i = 1; i < n; i++) {
                if (w[i+1] == "passed" || w[i+1] == "xfailed") p += w[i]
                if (w[i+1] == "failed" || w[i+1] ~ /^errors?$/ || w[i+1] == "xpassed") f += w[i]
            }
        }
        END { print p + 0, f + 0 }' "$1")
    passed=$((passed + $1))
    failed=$((failed + $2))
}

# step NAME COMMAND...: runs a command with its output in a log; its counts go to the totals.
# A command that fails without a failed test in its log counts as one failed test.
step() {
    name=$1
    shift
    echo "== $name"
    status=0
    "$@" >"$logs/$name.log" 2>&1 || status=$?
    tail -n 12 "$logs/$name.log"
    before=$failed
    count "$logs/$name.log"
    if [ "$status" -ne 0 ]; then
        [ "$failed" -gt "$before" ] || failed=$((failed + 1))
        echo "== $name FAILED (exit $status), log: $logs/$name.log"
        grep -E '^(FAIL|ERROR):|^FAILED|^E  ' "$logs/$name.log" | head -n 40 || true
    fi
}

# A single pass or failure, for steps that print no counts of their own.
one_test() {
    if "$@"; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; return 1; fi
}

sanitizers() (
    rm -rf build-sanitizers
    mkdir build-sanitizers
    cd build-sanitizers
    ../configure --quiet --enable-werror --enable-asan --enable-ubsan
    make -j"$(nproc)" >/dev/null
    # Under the sanitizers, the C code's own tests (unit tests, the library client, the process
    # contract, the command line, the checks of the payloads) and a few installs; the suites of
    # the glue's behaviour run the same C code again and again, and run in the matrix.
    ENSUREPIP_SKIP_TESTS="test_faults test_untrusted test_oracle test_image test_install test_sealed \
        test_target_data test_bytecode" make check
)

if [ "$quick" -eq 1 ]; then
    step matrix sh tests/matrix.sh --logs build-matrix default
else
    step debian-testing sh tests/debian-testing.sh --work build-testing
    # The pip wheels no build runs the whole suite with (Debian 13's, from the testing step,
    # and pyenv's older bundled ones, from 22 on), each in a build against the system's Python
    # for the tests that can differ between pips. The wheels the system's Python, the pyenv
    # builds and Debian testing's bundle get the whole suite with them already.
    covered=$(for python in /usr/bin/python3 "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.*/bin/python3.1[0-5]; do
        [ -x "$python" ] && "$python" build-aux/find-pip-wheel.py 2>/dev/null
    done | sed 's|.*/||'; ls build-testing/root/usr/share/python-wheels/ 2>/dev/null)
    wheels=$(ls build-testing/wheels/pip-*.whl "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/*/lib/python3.*/ensurepip/_bundled/pip-*.whl 2>/dev/null \
        | awk -F/ -v covered="$covered" 'BEGIN { n = split(covered, c, "\n"); for (i = 1; i <= n; i++) skip[c[i]] = 1 }
            { split($NF, v, "[-.]") } v[2] >= 22 && !skip[$NF] && !seen[$NF]++ { printf " --pip-wheel %s", $0 }')
    # shellcheck disable=SC2086
    step matrix sh tests/matrix.sh -j 2 --logs build-matrix $wheels
    step sanitizers sanitizers
    step valgrind one_test make -C build-matrix/system check-valgrind
    step arm64-root sh tests/arm64-root.sh build-matrix/system "$top/build-arm64"
    step fuzzing one_test sh fuzz/run.sh 30
    step fuzz-regressions one_test sh fuzz/run.sh --regressions
    step debian sh tools/test-deb.sh
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
