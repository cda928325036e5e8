#!/bin/sh
# One bootstrap (and an uninstall) under valgrind memcheck: no error in our code, and no leak
# but the suppressed ones (valgrind.supp). usage: valgrind.sh BUILD_DIR PYTHON
set -eu
build=$1
python=$2
supp=$(cd "$(dirname "$0")" && pwd)/valgrind.supp
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv --without-pip "$work/venv"
for args in "--python $work/venv" "--python $work/venv --uninstall"; do
    # shellcheck disable=SC2086
    valgrind -q --error-exitcode=42 --leak-check=full --errors-for-leak-kinds=definite \
        --suppressions="$supp" --trace-children=no "$build/ensurepip" $args
done
echo "valgrind: clean"
