#!/bin/sh
# Builds the fuzz targets, makes their seed corpora, and fuzzes each target for a while; or
# replays the saved crash reproducers as regression tests.
#
#   sh fuzz/run.sh [SECONDS] [OUTDIR]      fuzz each target SECONDS (default 60) seconds
#   sh fuzz/run.sh --regressions [OUTDIR]  run each target over fuzz/regressions/<target>/*
#
# OUTDIR (default fuzz/out, git-ignored) holds the binaries, seeds/<target>/ (made anew each
# run), corpus/<target>/ (what libFuzzer found, kept from run to run), crashes/<target>/
# (crash, timeout, leak and out-of-memory reproducers) and logs/<target>.log.
# The targets run side by side (one process each). Exit status: 0 if every target ran clean
# (or every reproducer now passes), 1 if a fuzzer found a crash (or a reproducer still fails),
# 2 if the build or the set-up failed.
#
# Environment:
#   FUZZ_TARGETS       the targets to run (default "fuzz_cli")
#   FUZZ_ARGS          more libFuzzer flags for every target (e.g. "-seed=1")
#   PYTHON             the interpreter for make-corpus.py (default /usr/bin/python3)
set -u

# The whole script is one compound command, read before it runs: editing this file while a run
# is going cannot break that run.
{
here=$(cd "$(dirname "$0")" && pwd)
targets=${FUZZ_TARGETS:-fuzz_cli}

say() { printf 'run.sh: %s\n' "$*" >&2; }

mode=fuzz
if [ "${1:-}" = "--regressions" ]; then
    mode=regressions
    shift
    out=${1:-$here/out}
elif [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
else
    secs=${1:-60}
    out=${2:-$here/out}
    case $secs in
        ''|*[!0-9]*) say "SECONDS must be a whole number, not '$secs'"; exit 2 ;;
    esac
fi

if ! sh "$here/build.sh" "$out"; then
    say "build failed"
    exit 2
fi
out=$(cd "$out" && pwd)

# Common libFuzzer flags: no input may take more than 10 s or 2 GiB.
common="-timeout=10 -rss_limit_mb=2048 -print_final_stats=1"

dict_for() {
    case $1 in
        fuzz_cli) echo "$here/cli.dict" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
if [ "$mode" = regressions ]; then
    passed=0 failed=0
    mkdir -p "$out/logs"
    for t in $targets; do
        dir=$here/regressions/$t
        n=0
        if [ -d "$dir" ]; then
            for f in "$dir"/*; do
                [ -f "$f" ] || continue
                case ${f##*/} in README*|*.md|.*) continue ;; esac
                n=$((n + 1))
                log=$out/logs/regression-$t-${f##*/}.log
                # libFuzzer runs the files given as arguments once each, without fuzzing.
                # shellcheck disable=SC2086
                if "$out/$t" $common "$f" >"$log" 2>&1; then
                    passed=$((passed + 1))
                    printf 'PASS %s\n' "$t/${f##*/}"
                else
                    failed=$((failed + 1))
                    summary=$(grep -m1 'broken promise\|^SUMMARY:' "$log" || tail -n 1 "$log")
                    printf 'FAIL %s: %s (log: %s)\n' "$t/${f##*/}" "$summary" "$log"
                fi
            done
        fi
        [ "$n" -gt 0 ] || echo "$t: no reproducers in fuzz/regressions/$t/"
    done
    echo "regressions: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
fi

# ---------------------------------------------------------------------------------------------
# Seeds: made anew each run (never committed), from make-corpus.py.
python=${PYTHON:-/usr/bin/python3}
[ -x "$python" ] || python=$(command -v python3 || true)
rm -rf "$out/seeds"
mkdir -p "$out/seeds/fuzz_cli"
if [ -n "$python" ]; then
    if ! "$python" "$here/make-corpus.py" "$out/seeds/fuzz_cli"; then
        say "make-corpus.py failed"
        exit 2
    fi
else
    say "no python3: fuzzing without seeds"
fi

guard=
command -v timeout >/dev/null 2>&1 && guard="timeout -k 30 $((secs + 900))"

run_target() {
    t=$1
    mkdir -p "$out/corpus/$t" "$out/crashes/$t" "$out/logs"
    dict=$(dict_for "$t")
    seeds="$out/seeds/$t"
    # shellcheck disable=SC2086
    maxlen=$(find $seeds "$out/corpus/$t" -type f -printf '%s\n' | sort -n | tail -n 1)
    [ "${maxlen:-0}" -gt 4096 ] || maxlen=4096
    # The first directory receives what libFuzzer finds; the seeds are only read.
    # shellcheck disable=SC2086
    $guard "$out/$t" $common -max_total_time="$secs" -max_len="$maxlen" ${dict:+-dict="$dict"} \
        -artifact_prefix="$out/crashes/$t/" ${FUZZ_ARGS:-} \
        "$out/corpus/$t" $seeds >"$out/logs/$t.log" 2>&1
    echo $? >"$out/logs/$t.status"
}

say "fuzzing $targets for ${secs}s each (logs in $out/logs)"
pids=
for t in $targets; do
    if [ ! -x "$out/$t" ]; then
        say "unknown target $t"
        exit 2
    fi
    rm -f "$out/logs/$t.status"
    run_target "$t" &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done

# One line per target: executions, coverage, and clean or not.
found=0 clean=0 dirty=0
for t in $targets; do
    log=$out/logs/$t.log
    status=$(cat "$out/logs/$t.status" 2>/dev/null || echo 2)
    execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    [ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p; s/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
    corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    info="${execs:-?} executions${rate:+ ($rate/s)}, ${cov:-cov: ?}${corp:+, $corp}"
    if [ "$status" -eq 0 ]; then
        clean=$((clean + 1))
        printf '%s: clean: %s in %ss\n' "$t" "$info" "$secs"
        continue
    fi
    dirty=$((dirty + 1))
    if [ "$status" -eq 72 ] || [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        found=1
        printf '%s: INTERRUPTED (exit %s) after %s; log: %s\n' "$t" "$status" "$info" "$log"
    else
        found=1
        what=$(grep -a -m1 -o 'ERROR: [A-Za-z]*Sanitizer: [a-z-]*\|ERROR: libFuzzer: [a-z -]*' "$log" | head -n 1)
        artifact=$(sed -n "s/.*Test unit written to \(.*\)/\1/p" "$log" | tail -n 1)
        why=$(grep -a -m1 "^$t: \|broken promise" "$log" | cut -c1-300)
        printf '%s: FOUND A PROBLEM (exit %s%s): %s; reproducer: %s; log: %s\n' "$t" "$status" \
            "${what:+, $what}" "$info" "${artifact:-none written}" "$log"
        [ -z "$why" ] || printf '    %s\n' "$why"
    fi
done
if [ "$found" -ne 0 ]; then
    say "reproduce with: <OUTDIR>/<target> <reproducer>; minimize with -minimize_crash=1 -runs=10000;"
    say "save it under fuzz/regressions/<target>/ and check with: sh fuzz/run.sh --regressions"
fi
echo "fuzz: $clean passed, $dirty failed"
exit "$found"
}
