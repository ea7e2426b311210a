#!/bin/bash
# Builds the libFuzzer targets and runs each for a bounded time.
#
# Usage: tests/fuzz/run.sh [--time SECONDS] [--jobs N] [--work DIR] [TARGET...]
#
#   --time SECONDS  per target (default 20: CI runs the eight in ~3 minutes)
#   --runs N        stop each target after N executions instead (-runs=N)
#   --seed N        libFuzzer's random seed (-seed=N): with --runs and --fresh
#                   the same executions on every machine
#   --fresh         start from the generated seeds alone (drop the corpus
#                   earlier runs grew)
#   --work DIR      where the build (DIR/build), the corpora (DIR/corpus/T,
#                   kept between runs, so a second run goes on where the
#                   first stopped) and crash inputs (DIR/artifacts) go
#                   (default: build-fuzz-work in the source tree)
#   TARGET          config, mount-options, json, seccomp-key,
#                   filter-store, state, layer, subid (default: all)
#
# Exits 1 when any target found a crash, a leak, a timeout (an input that
# takes over 10 s) or an out-of-memory; the input is kept in DIR/artifacts
# and named in the output. The last line is "fuzz: N targets, M executions,
# K failed". Needs clang and libFuzzer (libclang-rt-14-dev), as
# tests/setup-host.sh installs. tests/fuzz/README.md says how to run longer.
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
ALL_TARGETS=(config mount-options seccomp-key filter-store state layer subid json)

time_per_target=20
runs=
seed=
fresh=0
work=$SRCDIR/build-fuzz-work
targets=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --time) time_per_target=$2; shift ;;
    --runs) runs=$2; shift ;;
    --seed) seed=$2; shift ;;
    --fresh) fresh=1 ;;
    --work) work=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "fuzz: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[[ ${#targets[@]} -gt 0 ]] || targets=("${ALL_TARGETS[@]}")

say () { echo "fuzz: $*"; }

build=$work/build
# --fresh: start from the seeds alone, as a new machine does, so that a
# run with --seed and --runs is the same run everywhere.
[[ $fresh == 1 ]] && rm -rf "$work/corpus"
mkdir -p "$work/corpus" "$work/artifacts"
if [[ ! -f $build/build.ninja ]]; then
  CC=${CC:-clang} meson setup "$build" "$SRCDIR" -Dfuzz=true \
    -Db_sanitize=address,undefined -Db_lundef=false >"$work/setup.log" 2>&1 \
    || { cat "$work/setup.log"; say "meson setup failed"; exit 1; }
fi
ninja_targets=(launcher/nook)
for t in "${targets[@]}"; do
  ninja_targets+=("tests/fuzz/fuzz-$t")
done
ninja -C "$build" "${ninja_targets[@]}" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; say "build failed"; exit 1; }

rm -rf "$work/seeds"
bash "$SRCDIR/tests/fuzz/make-corpus.sh" "$build/launcher/nook" "$work/seeds"

# UBSan only reports by default; a finding must stop the target.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

failed=0 total=0
for t in "${targets[@]}"; do
  corpus=$work/corpus/$t
  log=$work/$t.log
  mkdir -p "$corpus"
  limit=(-max_total_time="$time_per_target")
  [[ -n $runs ]] && limit=(-runs="$runs")
  [[ -n $seed ]] && limit+=(-seed="$seed")
  status=0
  "$build/tests/fuzz/fuzz-$t" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" \
    "$corpus" "$work/seeds/$t" >"$log" 2>&1 </dev/null || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  execs=${execs:-0}
  total=$((total + execs))
  if [[ $status -ne 0 ]]; then
    failed=$((failed + 1))
    say "$t: FAILED (status $status) after $execs executions"
    grep -E 'ERROR|SUMMARY|^fuzz-|-CRITICAL|Test unit written|artifact' "$log" | head -20 | sed 's/^/  /'
  else
    say "$t: $execs executions, $(find "$corpus" -type f | wc -l) inputs in the corpus, no findings"
  fi
done
say "${#targets[@]} targets, $total executions, $failed failed"
[[ $failed -eq 0 ]]
