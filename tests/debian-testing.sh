#!/bin/sh
# Builds ensurepip and runs its whole suite (`make check`) against the CPythons of Debian testing
# (python3.13, 3.14 and 3.15 with Debian's python3-pip-whl), each out of tree in a root made with
# debootstrap from Debian's archive, from this clone (bind-mounted read-only). Prints each
# build's configure summary and test counts, and ends with "N passed, N failed" over all of them;
# exits non-zero if any build or test failed. Leaves the pip wheels of Debian testing and of
# Debian 13 in WORK/wheels. Run as root on Debian (needs debootstrap).
#
# usage: tests/debian-testing.sh [-j JOBS] [--work DIR] [VERSION...]
#   -j JOBS     builds and test runs at once (default: all)
#   --work DIR  where the root and the logs go, made afresh (default: build-testing in the clone)
#   VERSION     3.X versions to build against (default: 3.13 3.14 3.15)
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
work=$src/build-testing
jobs=0
while [ $# -gt 0 ]; do
    case $1 in
        -j) jobs=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        -*) echo "debian-testing.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || set -- 3.13 3.14 3.15
[ "$jobs" -gt 0 ] || jobs=$#
root=$work/root

if [ "$(id -u)" -ne 0 ] || ! command -v debootstrap >/dev/null 2>&1; then
    echo "debian-testing.sh: run as root with debootstrap installed (tools/setup-debian.sh installs it)" >&2
    exit 1
fi
[ -x "$src/configure" ] || (cd "$src" && ./autogen.sh >/dev/null 2>&1)

# The mirror the machine's apt uses (CI reaches only Debian's archive), one-line or deb822 form.
mirror=$(sed -n -e 's|^URIs: *\(https\{0,1\}://[^ ]*/debian\)/*$|\1|p' \
    -e 's|^deb  *\(\[[^]]*\]  *\)\{0,1\}\(https\{0,1\}://[^ ]*/debian\)/*  *.*|\2|p' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null | sed 1q)
mirror=${mirror:-http://deb.debian.org/debian}

# Whatever is mounted inside the root, innermost first; run on every exit, so that neither a
# failure nor an interrupt leaves the clone mounted where `rm -rf` would reach it.
unmount_all() {
    [ -d "$root" ] || return 0
    findmnt -rn -o TARGET | grep -F "$root/" | sort -r | while read -r target; do
        umount "$target" 2>/dev/null || umount -l "$target"
    done
}
trap unmount_all EXIT
trap 'exit 130' INT TERM

unmount_all
if [ -d "$root" ] && findmnt -rn -o TARGET | grep -qF "$root/"; then
    echo "debian-testing.sh: cannot unmount everything under $root: unmount it before running again" >&2
    exit 1
fi
rm -rf --one-file-system "$work"
mkdir -p "$work"

inside() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"; }

# Debian 12's debootstrap has no script for testing's codename; sid's fits any of them.
echo "root: debian testing from $mirror"
debootstrap --variant=minbase --include=ca-certificates testing "$root" "$mirror" \
    /usr/share/debootstrap/scripts/sid >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log"; echo "debian-testing.sh: debootstrap failed (log: $work/debootstrap.log)" >&2; exit 1; }
# Testing's Release files can be past their Valid-Until date; a minbase root has no /etc/hosts.
echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99ensurepip-testing"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$root/etc/hosts"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
# The suites' temporary files on a tmpfs, as tools/check.sh does for the other builds.
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mkdir -p "$root/src"
mount --bind "$src" "$root/src"
mount -o remount,bind,ro "$root/src"

pythons=
for v in "$@"; do pythons="$pythons python$v-dev python$v-venv"; done
# shellcheck disable=SC2086
{ inside sh /src/tools/setup-debian.sh --build-only \
    && inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pythons; } \
    >"$work/apt.log" 2>&1 \
    || { tail -n 20 "$work/apt.log"; echo "debian-testing.sh: installing the packages failed (log: $work/apt.log)" >&2; exit 1; }
inside dpkg-query -W -f='${Package} ${Version}\n' python3-pip-whl $pythons | sed 's/^/  /'

# The pip wheels of Debian testing and of Debian 13 (its python3-pip-whl, downloaded, not
# installed), for tools/check.sh to build against: WORK/wheels/pip-*.whl.
mkdir -p "$work/wheels"
cp "$root"/usr/share/python-wheels/pip-*.whl "$work/wheels/"
echo "deb $mirror trixie main" >"$root/etc/apt/sources.list.d/trixie.list"
if { inside apt-get update -qq && inside sh -c 'cd /tmp && apt-get download -qq python3-pip-whl/trixie' \
     && dpkg-deb -x "$root"/tmp/python3-pip-whl_*.deb "$work/trixie-pip"; } >"$work/trixie.log" 2>&1; then
    cp "$work"/trixie-pip/usr/share/python-wheels/pip-*.whl "$work/wheels/"
else
    echo "debian-testing.sh: could not get Debian 13's python3-pip-whl (log: $work/trixie.log)"
fi
rm -f "$root/etc/apt/sources.list.d/trixie.list"
echo "  pip wheels: $(cd "$work/wheels" && echo pip-*.whl)"

# The builds in the background, all at once by default: most of a test run waits on the
# programs and venvs it starts, so runs overlap well even on two cores.
build() {
    status=0
    # What cannot differ between Pythons runs in the system's build (tests/matrix.sh).
    inside env ENSUREPIP_SKIP_TESTS="test_faults test_untrusted test_process" \
        sh -c "mkdir /build-$1 && cd /build-$1 && /src/configure --enable-werror --with-python=/usr/bin/python$1 \
        && make -j2 && make check" >"$work/build-$1.log" 2>&1 || status=$?
    echo "$status" >"$work/build-$1.status"
}
running=0
for v in "$@"; do
    build "$v" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait

total_passed=0
total_failed=0
for v in "$@"; do
    log=$work/build-$v.log
    status=$(cat "$work/build-$v.status")
    echo "== python$v"
    sed -n '/^ensurepip .* configured$/,/^  prefix:/p' "$log" | grep -E '^  (Python|the program|pip version):'
    grep -E '^# (TOTAL|PASS|FAIL|ERROR|XPASS):|^=+ .* in [0-9.]+s|^[0-9]+ (passed|failed).* in [0-9.]+s|^(FAIL|ERROR):|^FAILED' "$log" || true
    # shellcheck disable=SC2046 # two numbers, split on purpose
    set -- $(awk '
        /^# PASS: / { p += $3 } /^# FAIL: / || /^# ERROR: / || /^# XPASS: / { f += $3 }
        /^=+ .* in [0-9.]+s/ || /^[0-9]+ (passed|failed).* in [0-9.]+s/ {
            line = $0; gsub(/=/, "", line); n = split(line, w, /[ ,]+/)
            for (i = 1; i < n; i++) {
                if (w[i+1] == "passed" || w[i+1] == "xfailed") p += w[i]
                if (w[i+1] == "failed" || w[i+1] ~ /^errors?$/ || w[i+1] == "xpassed") f += w[i]
            }
        }
        END { print p + 0, f + 0 }' "$log")
    if [ "$status" -ne 0 ] && [ "$2" -eq 0 ]; then
        tail -n 15 "$log"
        echo "python$v: the build or its tests failed (exit $status) without a failed test; log: $log"
        set -- "$1" 1
    fi
    total_passed=$((total_passed + $1))
    total_failed=$((total_failed + $2))
done
echo "logs: $work"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
