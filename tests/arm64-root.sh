#!/bin/sh
# A cross build, end to end: pip staged by the x86_64 program into an arm64 Debian 12 root it
# cannot run, then used inside that root under emulation.
#
# usage: tests/arm64-root.sh BUILD_DIR [WORK_DIR]
#   BUILD_DIR  a build of ensurepip against Debian 12's python3.11 (its ensurepip program)
#   WORK_DIR   scratch space (default /var/tmp/ensurepip-arm64), emptied first
#
# Run as root on Debian 12 (debootstrap, chroot). Everything comes from Debian's archive: the
# root (debootstrap --foreign --arch=arm64, whose packages are then unpacked with dpkg -x, no
# emulation needed) and qemu-user-static, which runs arm64 programs in the root through chroot
# without binfmt. Checks, each a test counted in the closing "N passed, N failed":
#   1. staging with the root's own interpreter (an arm64 file) succeeds and runs none of its code;
#   2. the tree is byte-identical to the one staged with the host's python3.11 into an empty root;
#   3. inside the root: importing pip writes no .pyc (the staged bytecode is valid there);
#      python3.11 -m pip --version, pip3 list, pip3 install --no-index of a small wheel made
#      here, and the module it installs imports.
set -eu

build=$(cd "$1" && pwd)
work=${2:-/var/tmp/ensurepip-arm64}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$work/root
passed=0
failed=0

check() {
    name=$1
    shift
    if "$@"; then
        echo "ok: $name"
        passed=$((passed + 1))
    else
        echo "FAILED: $name"
        failed=$((failed + 1))
    fi
}

need=""
command -v debootstrap >/dev/null 2>&1 || need="$need debootstrap"
[ -x /usr/bin/qemu-aarch64-static ] || need="$need qemu-user-static"
if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

rm -rf "$work"
mkdir -p "$work"
echo "== debootstrap --foreign --arch=arm64 bookworm"
debootstrap --foreign --arch=arm64 --variant=minbase \
    --include=python3.11-minimal,libpython3.11-stdlib,python3.11 bookworm "$root" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log"; exit 1; }
for deb in "$root"/var/cache/apt/archives/*.deb; do
    dpkg -x "$deb" "$root"
done
if [ -d "$root/lib" ] && [ ! -L "$root/lib" ]; then  # merged /usr, as the second stage would
    cp -a "$root/lib/." "$root/usr/lib/"
    rm -rf "$root/lib"
    ln -s usr/lib "$root/lib"
fi
cp /usr/bin/qemu-aarch64-static "$root/usr/bin/"
in_root() {
    chroot "$root" /usr/bin/qemu-aarch64-static "$@"
}
machine=$(od -An -tu2 -j18 -N2 "$root/usr/bin/python3.11" | tr -d ' ')
echo "== the root's python3.11 is an ELF file for machine $machine (183 is arm64)"

export SOURCE_DATE_EPOCH=1700000000
umask 022
# 1. The root's own interpreter as the target: nothing of the root runs (its sysconfig.py would
#    leave this marker if it were imported).
marker=$work/sysconfig-ran
echo "open('$marker', 'w').close()" >>"$root/usr/lib/python3.11/sysconfig.py"
check "staged with the root's arm64 python3.11" \
    "$build/ensurepip" --python "$root/usr/bin/python3.11" --root "$root" --report "$work/report.json"
check "nothing of the root ran" test ! -e "$marker"
sed -i '$d' "$root/usr/lib/python3.11/sysconfig.py"
files=$(find "$root/usr/local" -type f | wc -l)
echo "== staged $files files under $root/usr/local"

# 2. The same with the host's python3.11 into an empty root.
mkdir -p "$work/host-staged"
"$build/ensurepip" --python /usr/bin/python3.11 --root "$work/host-staged" -q
check "byte-identical to the tree staged with the host's python3.11" \
    diff -r --no-dereference "$root/usr/local" "$work/host-staged/usr/local"

# 3. Inside the root, under emulation. First, before pip runs there (and could rewrite stale
#    bytecode): importing pip writes no .pyc, the staged bytecode is valid for the root's python.
touch "$work/before-import"
in_root /usr/bin/python3.11 -c "import pip._internal.cli.main"
check "import pip inside the root writes no .pyc" \
    test -z "$(find "$root/usr/local/lib/python3.11/dist-packages" -newer "$work/before-import" -name '*.pyc')"
version=$(in_root /usr/bin/python3.11 -m pip --version 2>&1) || true
echo "== inside the arm64 root: $version"
check "python3.11 -m pip --version inside the root" expr "$version" : "pip [0-9]" >/dev/null
check "pip3 list inside the root" in_root /usr/bin/python3.11 /usr/local/bin/pip3 list
wheel_dir=$root/tmp/wheels
mkdir -p "$wheel_dir"
python3 - "$wheel_dir" <<'EOF'
import base64, hashlib, sys, zipfile
files = {"hello_arm64.py": b"GREETING = 'hello from arm64'\n",
         "hello_arm64-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: hello-arm64\nVersion: 1.0\n",
         "hello_arm64-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: ensurepip-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
record = "".join(f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
                 for name, data in files.items()) + "hello_arm64-1.0.dist-info/RECORD,,\n"
with zipfile.ZipFile(sys.argv[1] + "/hello_arm64-1.0-py3-none-any.whl", "w") as z:
    for name, data in files.items():
        z.writestr(name, data)
    z.writestr("hello_arm64-1.0.dist-info/RECORD", record)
EOF
check "pip3 install --no-index of a wheel inside the root" \
    in_root /usr/bin/python3.11 /usr/local/bin/pip3 install -q --no-index --no-deps --break-system-packages /tmp/wheels/hello_arm64-1.0-py3-none-any.whl
check "the installed module imports inside the root" \
    in_root /usr/bin/python3.11 -c "import hello_arm64; assert hello_arm64.GREETING == 'hello from arm64'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
