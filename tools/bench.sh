#!/bin/sh
# The benchmark from scratch: install what the build and the peers need (unzip, virtualenv, and
# pypa/installer through tools/setup-debian.sh), build, and run bench/bench.py on the build.
# Extra arguments go to bench.py (--rounds N, --quick).
set -eu
cd "$(dirname "$0")/.."
sh tools/setup-debian.sh
if [ "$(id -u)" -eq 0 ]; then
    for p in unzip python3-virtualenv util-linux; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || { apt-get install -y -qq --no-install-recommends "$p" >/dev/null; }
    done
fi
[ -x configure ] || ./autogen.sh
mkdir -p build
cd build
[ -f Makefile ] || ../configure --quiet
make -j"$(nproc)" >/dev/null
cd ..
exec /usr/bin/python3 bench/bench.py --build build "$@"
