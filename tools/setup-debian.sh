#!/bin/sh
# Installs what building and testing ensurepip needs on Debian 12, from Debian's own archive:
# the build (with the libraries a static libpython's link may need), the suite, and what the
# README's test command adds (valgrind, clang with its fuzzer and sanitizer runtimes, and
# debootstrap and qemu-user-static for the Debian roots of tests/debian-testing.sh and
# tests/arm64-root.sh), and pypa/installer, the benchmark's peer for --root (bench/bench.py).
# Safe to run again: apt-get skips what is already installed.
#   --build-only   only what building and `make check` need (what a test root gets)
set -eu

packages="
  autoconf automake libtool pkg-config make gcc
  zlib1g-dev nettle-dev libzstd-dev
  python3-dev python3-venv python3-pip-whl python3-setuptools-whl
  libcmocka-dev python3-pytest
  strace util-linux mandoc groff-base
"
[ "${1:-}" = --build-only ] || packages="$packages
  valgrind clang libclang-rt-14-dev debootstrap qemu-user-static
  python3-installer
"

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian.sh: run as root (it installs Debian packages with apt-get)" >&2
    exit 1
fi

missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
fi
