#!/bin/sh
# Builds the Debian packages from a clean copy of this tree and tests them as installed:
#   1. installs the packaging tools and the Build-Depends of debian/control (mk-build-deps),
#   2. builds with dpkg-buildpackage -us -uc -b and runs lintian over the result,
#   3. installs ensurepip, libensurepip-3.11-0 and libensurepip-dev with apt-get,
#   4. checks the program (--version, --verify, a bootstrap into a fresh venv) and the library
#      (C programs built with pkg-config against libensurepip-dev: one that prints
#      ensurepip_version(), and the shipped example installer.c on a second venv),
#   5. purges the packages and checks that their files are gone.
# Run as root on Debian 12 from a clone. The last line is "N passed, N failed"; the exit
# status is non-zero if any check failed. Leaves no files behind (the build happens in a
# temporary directory); the packages it installs for building stay installed, among them the
# metapackage ensurepip-build-deps that mk-build-deps makes, which holds the Build-Depends.
#   --committed    build what is committed (git clone of HEAD) instead of the working tree
#                  (tracked files plus untracked files that are not ignored)
#   --keep DIR     copy the built .deb, .buildinfo and .changes files and build.log into DIR
set -u

usage() {
    echo "usage: $0 [--committed] [--keep DIR]" >&2
    exit 2
}

committed=0
keep=
while [ $# -gt 0 ]; do
    case $1 in
        --committed) committed=1 ;;
        --keep) [ $# -ge 2 ] || usage; keep=$2; shift ;;
        *) usage ;;
    esac
    shift
done

if [ "$(id -u)" -ne 0 ]; then
    echo "test-deb.sh: run as root (it installs and removes Debian packages)" >&2
    exit 1
fi

top=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "$keep" ]; then
    mkdir -p "$keep" && keep=$(cd "$keep" && pwd) || exit 1
fi
# Debian's own tools only: no pyenv, cargo or /usr/local shims in the build or the checks.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
export DEBIAN_FRONTEND=noninteractive
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV PKG_CONFIG_PATH LD_LIBRARY_PATH

packages="ensurepip libensurepip-3.11-0 libensurepip-dev"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
installed_files="/usr/bin/ensurepip
/usr/lib/$multiarch/libensurepip-3.11.so.0
/usr/lib/$multiarch/libensurepip-3.11.so.0.0.0
/usr/lib/$multiarch/libensurepip.so
/usr/lib/$multiarch/pkgconfig/ensurepip.pc
/usr/include/ensurepip.h"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }
# check NAME COMMAND...: one check; the command's output is shown only when it fails.
check() {
    name=$1
    shift
    if out=$("$@" 2>&1); then
        pass "$name"
    else
        fail "$name"
        printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'
    fi
}

# abort WHAT: a failure after which nothing else can be checked.
abort() {
    fail "$1"
    echo "$passed passed, $failed failed"
    exit 1
}

# Installed packages of ours, if any (after a run that was killed, or installed by hand).
# Prints them on one line, separated by spaces.
ours_installed() {
    found=
    for p in $packages; do
        s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || continue
        [ -n "$s" ] && [ "$s" != not-installed ] && found="$found${found:+ }$p"
    done
    echo "$found"
}

purge_ours() {
    # shellcheck disable=SC2046
    set -- $(ours_installed)
    [ $# -eq 0 ] || apt-get remove --purge -y -qq "$@" >/dev/null 2>&1
}

tmp=$(mktemp -d /tmp/ensurepip-test-deb.XXXXXX) || exit 1
pkgs_installed=0
cleanup() {
    # Only if the run stopped between installing and purging the packages.
    [ "$pkgs_installed" -eq 1 ] && purge_ours
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- 1. tools and build dependencies -------------------------------------------------------------
echo "== installing the packaging tools and the build dependencies"
tools="build-essential dpkg-dev debhelper devscripts equivs lintian git pkg-config"
missing=
for p in $tools; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } \
        >"$tmp/apt-tools.log" 2>&1 \
        || { tail -n 30 "$tmp/apt-tools.log"; abort "apt-get install$missing"; }
fi

# A leftover install of our packages would make "apt-get install ./*.deb" a no-op.
left=$(ours_installed)
if [ -n "$left" ]; then
    echo "== purging packages left installed before this run: $left"
    purge_ours || abort "apt-get remove --purge $left (left installed before this run)"
fi

# --- 2. the tree, the build, lintian ---------------------------------------------------------------
src=$tmp/ensurepip
mkdir -p "$src" "$tmp/home"
if [ "$committed" -eq 1 ]; then
    echo "== cloning HEAD of $top"
    git clone -q "$top" "$src" || abort "git clone $top"
else
    echo "== copying the working tree of $top (tracked and untracked, not ignored)"
    # Files deleted but not yet committed are listed by ls-files -c: copy only what exists.
    # shellcheck disable=SC2016
    (cd "$top" && git ls-files -z -c -o --exclude-standard \
        | xargs -0 -r sh -c 'for f; do if [ -e "$f" ] || [ -L "$f" ]; then printf "%s\0" "$f"; fi; done' sh \
        | xargs -0 -r cp -P --parents -t "$src") || abort "copy of the working tree"
fi
[ -f "$src/debian/control" ] || abort "debian/control in the tree"

# equivs leaves the package in $TMPDIR when that is set (tools/check.sh sets it), else here.
(cd "$tmp" && TMPDIR="$tmp" mk-build-deps "$src/debian/control" >"$tmp/mk-build-deps.log" 2>&1) \
    || { tail -n 30 "$tmp/mk-build-deps.log"; abort "mk-build-deps debian/control"; }
check "build dependencies installed (mk-build-deps)" \
    apt-get install -y --no-install-recommends "$tmp"/ensurepip-build-deps_*.deb
rm -f "$tmp"/ensurepip-build-deps_*

echo "== building (dpkg-buildpackage -us -uc -b; log: build.log, shown on failure)"
build_options=${DEB_BUILD_OPTIONS:-parallel=$(nproc)}
built=0
if (cd "$src" && env -i PATH="$PATH" HOME="$tmp/home" LANG=C.UTF-8 TMPDIR=/tmp \
        DEB_BUILD_OPTIONS="$build_options" dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
    pass "dpkg-buildpackage -us -uc -b"
    built=1
else
    fail "dpkg-buildpackage -us -uc -b"
    echo "    -- what went wrong:"
    grep -E '^(FAIL|ERROR|XPASS):|\*\*\*|error:|No such file' "$tmp/build.log" | head -n 30 | sed 's/^/    /'
    echo "    -- the end of the log:"
    tail -n 25 "$tmp/build.log" | sed 's/^/    /'
fi
grep -E '^# (TOTAL|PASS|FAIL|ERROR):' "$tmp/build.log" | sed 's/^/    make check: /'
for f in "$tmp"/*.deb; do
    [ -f "$f" ] && printf '    %10d  %s\n' "$(stat -c %s "$f")" "$(basename "$f")"
done
if [ -n "$keep" ]; then
    cp "$tmp/build.log" "$keep"/
    cp "$tmp"/*.deb "$tmp"/*.buildinfo "$tmp"/*.changes "$keep"/ 2>/dev/null
fi
if [ "$built" -eq 0 ]; then
    echo "== no packages: the checks of the installed packages were not run"
    echo "$passed passed, $failed failed"
    exit 1
fi

set -- "$tmp"/ensurepip_*.changes
if [ -f "$1" ]; then
    changes=$1
    lintian -I --pedantic "$changes" >"$tmp/lintian.log" 2>&1
    grep -v '^running with root privileges' "$tmp/lintian.log" | sed 's/^/    lintian: /'
    if grep -q '^E: ' "$tmp/lintian.log"; then fail "lintian: no errors"; else pass "lintian: no errors"; fi
else
    fail "lintian: no errors (no .changes file to check)"
fi

# --- 3. install ----------------------------------------------------------------------------------
debs=
for p in $packages; do
    for f in "$tmp/${p}_"*.deb; do
        [ -f "$f" ] && debs="$debs $f"
    done
done
install_debs() {
    # shellcheck disable=SC2086
    set -- $debs
    [ $# -eq 3 ] || { echo "expected three packages, built:$debs"; return 1; }
    apt-get install -y --no-install-recommends "$@"
}
pkgs_installed=1
check "apt-get install ./ensurepip_*.deb ./libensurepip-3.11-0_*.deb ./libensurepip-dev_*.deb" \
    install_debs
for f in $installed_files; do
    check "installed: $f" test -e "$f"
done

# --- 4. the program and the library as installed -------------------------------------------------
pip_version=$(dpkg-query -W -f='${Version}' python3-pip-whl | sed 's/[+~-].*//')
wheel=/usr/share/python-wheels/pip-$pip_version-py3-none-any.whl

version_is() {
    got=$(/usr/bin/ensurepip --version) || return 1
    [ "$got" = "pip $1" ] || { echo "ensurepip --version: '$got', expected 'pip $1'"; return 1; }
}
check "ensurepip --version prints 'pip $pip_version'" version_is "$pip_version"

# The program links the shared libpython3.11 (debian/rules says why): Debian's updates of it
# must reach the program.
links_shared_libpython() {
    ldd /usr/bin/ensurepip | grep -q 'libpython3\.11\.so' \
        || { echo "ensurepip does not link libpython3.11.so:"; ldd /usr/bin/ensurepip; return 1; }
}
check "ensurepip links the shared libpython3.11" links_shared_libpython

verify_matches() {
    got=$(/usr/bin/ensurepip --verify) || return 1
    want=$(cd "$(dirname "$wheel")" && sha256sum "$(basename "$wheel")")
    # a line per embedded wheel: pip's, then setuptools' where the Python bootstraps it
    printf '%s\n' "$got" | grep -qxF "$want" || { echo "ensurepip --verify: '$got'"; echo "sha256sum:          '$want'"; return 1; }
}
check "ensurepip --verify matches sha256sum of $wheel" verify_matches

venv=$tmp/venv
check "python3 -m venv --without-pip VENV" /usr/bin/python3 -m venv --without-pip "$venv"
check "ensurepip --python VENV" /usr/bin/ensurepip --python "$venv"
pip3_version_is() {
    got=$("$venv/bin/pip3" --version) || return 1
    case $got in
        "pip $pip_version from $venv/lib/python3."*) ;;
        *) echo "VENV/bin/pip3 --version: '$got'"; return 1 ;;
    esac
}
check "VENV/bin/pip3 --version names pip $pip_version in VENV" pip3_version_is

cat >"$tmp/client.c" <<'EOF'
#include <stdio.h>
#include <ensurepip.h>

int main(void)
{
    const char *version = ensurepip_version();
    if (version == NULL)
        return 1;
    printf("%s\n", version);
    return 0;
}
EOF
compile_client() {
    # shellcheck disable=SC2046
    cc -Wall -Werror -o "$tmp/client" "$tmp/client.c" $(pkg-config --cflags --libs ensurepip)
}
check "cc client.c \$(pkg-config --cflags --libs ensurepip)" compile_client
client_runs() {
    got=$("$tmp/client") || return 1
    [ "$got" = "$pip_version" ] || { echo "ensurepip_version(): '$got', expected '$pip_version'"; return 1; }
    # The path ldd shows may be /lib/... (merged /usr): compare the files themselves.
    resolved=$(ldd "$tmp/client" | awk '$1 == "libensurepip-3.11.so.0" { print $3 }')
    if [ -z "$resolved" ] \
        || [ "$(readlink -f "$resolved")" != "$(readlink -f "/usr/lib/$multiarch/libensurepip-3.11.so.0")" ]; then
        ldd "$tmp/client"
        echo "not linked with the installed libensurepip-3.11.so.0"
        return 1
    fi
}
check "the client prints ensurepip_version() = $pip_version from the installed library" client_runs

# The example libensurepip-dev ships, built as its comment says, bootstraps a second venv
# through the library (ensurepip_bootstrap()).
example=/usr/share/doc/libensurepip-dev/examples/installer.c
example_bootstraps() {
    src_c=$example
    if [ ! -f "$src_c" ] && [ -f "$src_c.gz" ]; then
        gzip -dc "$src_c.gz" >"$tmp/installer.c" && src_c=$tmp/installer.c
    fi
    [ -f "$src_c" ] || { echo "$example: not installed"; return 1; }
    # shellcheck disable=SC2046
    cc -o "$tmp/installer" "$src_c" $(pkg-config --cflags --libs ensurepip) || return 1
    /usr/bin/python3 -m venv --without-pip "$tmp/venv2" || return 1
    "$tmp/installer" "$tmp/venv2" || return 1
    "$tmp/venv2/bin/python" -m pip --version | grep -q "^pip $pip_version from $tmp/venv2/" \
        || { "$tmp/venv2/bin/python" -m pip --version; return 1; }
}
check "the example installer.c from libensurepip-dev bootstraps a venv" example_bootstraps

# --- 5. purge --------------------------------------------------------------------------------------
# shellcheck disable=SC2086
check "apt-get remove --purge $packages" apt-get remove --purge -y $packages
pkgs_installed=0
gone() { [ ! -e "$1" ] && [ ! -L "$1" ]; }
for f in $installed_files; do
    check "gone after purge: $f" gone "$f"
done
not_known() {
    left=$(ours_installed)
    [ -z "$left" ] || { echo "still known to dpkg: $left"; return 1; }
}
check "dpkg knows none of $packages after purge" not_known

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
