#!/bin/sh
# The main job from scratch: install what the build needs, build ensurepip, and bootstrap pip
# into a new virtual environment made without pip. Run as root on Debian 12 from a clone.
set -eu
cd "$(dirname "$0")/.."
sh tools/setup-debian.sh
[ -x configure ] || ./autogen.sh
mkdir -p build
cd build
[ -f Makefile ] || ../configure --quiet
make -j"$(nproc)" >/dev/null

venv=${1:-/tmp/ensurepip-demo-venv}
rm -rf "$venv"
/usr/bin/python3 -m venv --without-pip "$venv"
echo "+ ./build/ensurepip --python $venv"
./ensurepip --python "$venv"
echo "+ $venv/bin/pip3 --version"
"$venv/bin/pip3" --version
