#!/bin/bash
# Start-up benchmark: nook against crun, runc and the kernel's own floor.
#
# Usage: tests/bench/bench.sh [--runs N] [--warmup N] [--nook PATH] [--dir DIR]
#
#   --runs N     timed runs per command (default 100)
#   --warmup N   untimed runs before each command (default 5)
#   --nook PATH  the nook binary to measure (default: a release build of this
#                tree, made in DIR/build)
#   --dir DIR    working directory: bundles, stores, state, results
#                (default: a new /tmp/nook-bench.XXXXXX)
#
# Everything runs rootless, as one unprivileged user, side by side in one
# hyperfine run, on one bundle (busybox, process `true`, tests/fixtures/
# seccomp-default.json as linux.seccomp, a single-id user namespace mapping)
# and the same bundle without linux.seccomp:
#
#   nook run               warm store, cold store (cleared before every run),
#                          --no-filter-cache, and without seccomp (all in the
#                          default --rootfs=fuse-overlayfs); warm store with
#                          --rootfs=overlay and --rootfs=bind
#   crun run, runc run     with and without seccomp
#   create + start + delete -f   nook's and crun's OCI lifecycle, one
#                          shell command each (the same sh on both sides)
#   nook exec ID true, crun exec ID true   into a running (detached)
#                          container of the seccomp bundle running sleep
#   unshare -Urnimpu --fork true   the floor: the namespaces and nothing else
#
# Run as root (as on the test machines), it runs everything as the test user
# (NOOK_TEST_USER, default nooktest; tests/setup-host.sh creates it) and, when
# /sys/fs/cgroup is not cgroup2 (hybrid hierarchy: crun and runc refuse to
# start), inside a private mount namespace with cgroup2 mounted there. Run as
# an unprivileged user on a cgroup2 host, it runs in place; on a hybrid host
# the crun and runc rows are then left out.
#
# Output (stdout and DIR/results.md): a markdown table with mean, median,
# user and system time of each command and its ratio to `crun run` with
# seccomp; the issue's targets, met or not; the peak RSS of nook and crun
# (/usr/bin/time); and an instruction count of one warm `nook run` (perf stat
# where the CPU counters are available, else valgrind --tool=callgrind, which
# counts nook's parent process only). DIR/hyperfine.json holds the raw data.
#
# Not part of `meson test`: timings are not tests.
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SELF=$SRCDIR/tests/bench/bench.sh
TEST_USER=${NOOK_TEST_USER:-nooktest}

die () { echo "bench: $*" >&2; exit 1; }
say () { echo "bench: $*" >&2; }

# --- the measurement itself (as the unprivileged user) ---

# Instructions of one command: perf where it can count, else callgrind.
count_instructions ()
{
  local label=$1
  shift
  local out n
  if out=$(perf stat -x, -e instructions:u "$@" 2>&1 >/dev/null) &&
     n=$(printf '%s\n' "$out" | awk -F, '$3 ~ /^instructions/ && $1 ~ /^[0-9]+$/ { print $1 }') &&
     [ -n "$n" ]; then
    printf '| %s | %s | perf stat -e instructions:u (all processes) |\n' "$label" "$n"
    return
  fi
  if command -v valgrind >/dev/null; then
    local file=$WORK/callgrind.$RANDOM.out pid st=0
    valgrind --tool=callgrind --callgrind-out-file="$file.%p" "$@" >/dev/null 2>"$file.log" &
    pid=$!
    wait "$pid" || st=$?
    n=$(awk '/^(summary|totals):/ { print $2; exit }' "$file.$pid" 2>/dev/null || true)
    if [ -n "$n" ]; then
      printf '| %s | %s | callgrind, nook'"'"'s parent process only (exit status %s under valgrind) |\n' \
        "$label" "$n" "$st"
      return
    fi
  fi
  printf '| %s | n/a | neither perf counters nor valgrind available |\n' "$label"
}

peak_rss ()
{
  local max=0 kb i
  for i in 1 2 3 4 5; do
    /usr/bin/time -f %M -o "$WORK/rss.tmp" "$@" >/dev/null 2>&1 || true
    kb=$(tail -n1 "$WORK/rss.tmp")
    if [[ $kb =~ ^[0-9]+$ ]] && [ "$kb" -gt "$max" ]; then
      max=$kb
    fi
  done
  echo "$max"
}

inner ()
{
  : "${WORK:?}" "${NOOK:?}" "${RUNS:?}" "${WARMUP:?}" "${WITH_OCI:?}"
  export XDG_CACHE_HOME=$WORK/cache
  # The runtime state of every runtime on a tmpfs, as a desktop session's
  # /run/user/UID is (this host has no session manager to make one): the
  # ext4 of $WORK makes every state directory created and removed cost
  # more than the runtimes themselves differ by.
  local shm=/dev/shm
  [ "$(stat -fc %T "$shm" 2>/dev/null)" = tmpfs ] || shm=$WORK
  RUNTIME=$(mktemp -d "$shm/nook-bench-run.XXXXXX")
  # The exec rows' detached containers must not outlive the benchmark.
  trap '"$NOOK" --root "$RUNTIME/nook-ex" delete -f ex >/dev/null 2>&1
    crun --root "$RUNTIME/crun-ex" delete -f ex >/dev/null 2>&1
    rm -rf "$RUNTIME"' EXIT
  export XDG_RUNTIME_DIR=$RUNTIME/nook
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 0700 "$XDG_RUNTIME_DIR"
  local sc=$WORK/bundle-seccomp nosc=$WORK/bundle-plain

  # Each command must work before it is timed (hyperfine would time failures).
  "$NOOK" run "$sc" || die "nook run $sc failed"
  "$NOOK" run "$nosc" || die "nook run $nosc failed"

  local args=(-N --runs "$RUNS" --warmup "$WARMUP" --export-json "$WORK/hyperfine.json" --style basic)
  add () { args+=(--command-name "$1" --prepare "$2" "$3"); }
  add "nook run (warm store)" true "$NOOK run $sc"
  add "nook run (cold store)" "rm -rf $XDG_CACHE_HOME/nook" "$NOOK run $sc"
  add "nook run --no-filter-cache" true "$NOOK run --no-filter-cache $sc"
  add "nook run (no seccomp)" true "$NOOK run $nosc"
  # The default (fuse-overlayfs) is the rows above; the other rootfs modes:
  "$NOOK" run --rootfs=overlay "$sc" || die "nook run --rootfs=overlay $sc failed"
  add "nook run --rootfs=overlay (warm store)" true "$NOOK run --rootfs=overlay $sc"
  add "nook run --rootfs=bind (warm store)" true "$NOOK run --rootfs=bind $sc"
  if [ "$WITH_OCI" = 1 ]; then
    local rt
    for rt in crun runc; do
      "$rt" --root "$RUNTIME/$rt" run -b "$sc" "bench-$rt" || die "$rt run $sc failed"
      add "$rt run (seccomp)" true "$rt --root $RUNTIME/$rt run -b $sc bench-$rt"
      add "$rt run (no seccomp)" true "$rt --root $RUNTIME/$rt run -b $nosc bench-$rt"
    done
  fi
  # The OCI lifecycle as an engine drives it: create, start, delete.
  lifecycle () { echo "sh -c '$1 create -b $sc lc && $1 start lc && $1 delete -f lc'"; }
  sh -c "$(lifecycle "$NOOK --root $RUNTIME/nook-lc")" || die "nook create/start/delete failed"
  add "nook create+start+delete (warm store)" true "$(lifecycle "$NOOK --root $RUNTIME/nook-lc")"
  if [ "$WITH_OCI" = 1 ]; then
    sh -c "$(lifecycle "crun --root $RUNTIME/crun-lc")" || die "crun create/start/delete failed"
    add "crun create+start+delete (seccomp)" true "$(lifecycle "crun --root $RUNTIME/crun-lc")"
  fi
  # exec into a running container: the seccomp bundle with sleep as its
  # process, detached (run -d), on each side.
  "$NOOK" --root "$RUNTIME/nook-ex" run -d -b "$WORK/bundle-sleep" ex </dev/null >/dev/null ||
    die "nook run -d $WORK/bundle-sleep failed"
  "$NOOK" --root "$RUNTIME/nook-ex" exec ex true || die "nook exec failed"
  add "nook exec (warm store)" true "$NOOK --root $RUNTIME/nook-ex exec ex true"
  if [ "$WITH_OCI" = 1 ]; then
    crun --root "$RUNTIME/crun-ex" run -d -b "$WORK/bundle-sleep" ex </dev/null >/dev/null ||
      die "crun run -d $WORK/bundle-sleep failed"
    crun --root "$RUNTIME/crun-ex" exec ex true || die "crun exec failed"
    add "crun exec (seccomp)" true "crun --root $RUNTIME/crun-ex exec ex true"
  fi
  add "unshare -Urnimpu --fork true" true "unshare -Urnimpu --fork true"
  hyperfine "${args[@]}" >&2
  "$NOOK" --root "$RUNTIME/nook-ex" delete -f ex || true
  [ "$WITH_OCI" = 1 ] && { crun --root "$RUNTIME/crun-ex" delete -f ex || true; }

  {
    echo "| peak RSS (KiB, max of 5 runs) | |"
    echo "|---|---:|"
    echo "| nook run (warm store) | $(peak_rss "$NOOK" run "$sc") |"
    if [ "$WITH_OCI" = 1 ]; then
      echo "| crun run (seccomp) | $(peak_rss crun --root "$RUNTIME/crun" run -b "$sc" bench-crun) |"
    fi
  } >"$WORK/rss.md"

  {
    echo "| instructions | count | how |"
    echo "|---|---:|---|"
    "$NOOK" run "$sc" # warm
    count_instructions "nook run (warm store)" "$NOOK" run "$sc"
    count_instructions "nook run --no-filter-cache" "$NOOK" run --no-filter-cache "$sc"
  } >"$WORK/instructions.md"
}

# The markdown table and the targets, from hyperfine's JSON.
report ()
{
  python3 - "$WORK/hyperfine.json" <<'EOF'
import json, statistics, sys

results = json.load(open(sys.argv[1]))["results"]
by_name = {r["command"]: r for r in results}
ref = by_name.get("crun run (seccomp)")

def ms(x):
    return f"{x * 1000:.2f}"

print("| command | mean [ms] | median [ms] | user [ms] | system [ms] | × crun run (seccomp) |")
print("|---|---:|---:|---:|---:|---:|")
for r in results:
    ratio = f"{r['mean'] / ref['mean']:.2f}" if ref else "n/a"
    print(f"| {r['command']} | {ms(r['mean'])} ± {ms(r['stddev'] or 0)} | {ms(r['median'])} "
          f"| {ms(r['user'])} | {ms(r['system'])} | {ratio} |")

def mean(name):
    return by_name[name]["mean"] if name in by_name else None

warm, cold = mean("nook run (warm store)"), mean("nook run (cold store)")
crun_sc, crun_plain = mean("crun run (seccomp)"), mean("crun run (no seccomp)")
floor = mean("unshare -Urnimpu --fork true")
targets = []
if crun_sc:
    targets.append((f"warm store ≤ 0.30 × crun run (seccomp): {warm / crun_sc:.2f}×", warm <= 0.30 * crun_sc))
    targets.append((f"warm store faster than crun run (no seccomp): {ms(warm)} vs {ms(crun_plain)} ms", warm < crun_plain))
    targets.append((f"cold store no slower than crun run (seccomp): {ms(cold)} vs {ms(crun_sc)} ms", cold <= crun_sc))
targets.append((f"warm store ≤ 2.5 × the unshare floor: {warm / floor:.2f}×", warm <= 2.5 * floor))
user = by_name["nook run (warm store)"]["user"]
targets.append((f"warm store user time < 2 ms: {ms(user)} ms", user < 0.002))
print()
print("Targets (issue 4):")
for text, ok in targets:
    print(f"- [{'x' if ok else ' '}] {text}")

ex_nook, ex_crun = mean("nook exec (warm store)"), mean("crun exec (seccomp)")
if ex_nook and ex_crun:
    print()
    print("Targets (issue 10, exec):")
    print(f"- [{'x' if ex_nook <= 0.5 * ex_crun else ' '}] nook exec ≤ 0.5 × crun exec: {ex_nook / ex_crun:.2f}×")

lc_nook, lc_crun = mean("nook create+start+delete (warm store)"), mean("crun create+start+delete (seccomp)")
if lc_nook and lc_crun:
    print()
    print("Targets (issue 10, OCI lifecycle):")
    print(f"- [{'x' if lc_nook <= 0.5 * lc_crun else ' '}] create+start+delete ≤ 0.5 × crun's: {lc_nook / lc_crun:.2f}×")

overlay = mean("nook run --rootfs=overlay (warm store)")
if crun_sc:
    print()
    print("Targets (issue 5, rootfs modes):")
    for text, ok in [
        (f"fuse-overlayfs (default), warm store ≤ 0.6 × crun run (seccomp): {warm / crun_sc:.2f}×", warm <= 0.6 * crun_sc),
        (f"overlay, warm store ≤ 0.4 × crun run (seccomp): {overlay / crun_sc:.2f}×", overlay <= 0.4 * crun_sc),
    ]:
        print(f"- [{'x' if ok else ' '}] {text}")
EOF
}

if [[ ${1:-} == __inner ]]; then
  inner
  exit 0
fi

# --- set-up ---

RUNS=100
WARMUP=5
NOOK=${NOOK:-}
WORK=
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --nook) NOOK=$2; shift 2 ;;
    --dir) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SELF"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

for tool in hyperfine python3 unshare; do
  command -v "$tool" >/dev/null || die "$tool not found (tests/setup-host.sh installs it)"
done

# shellcheck source=tests/bench/lib.sh
. "$SRCDIR/tests/bench/lib.sh"
bench_prepare nook-bench

say "making the bundles in $WORK"
"${run_as[@]}" bash -c '
  set -e
  "$1/make-bundle.sh" "$2/bundle-seccomp" --seccomp "$1/seccomp-default.json"
  "$1/make-bundle.sh" "$2/bundle-plain"
  "$1/make-bundle.sh" "$2/bundle-sleep" --seccomp "$1/seccomp-default.json"
  for b in "$2/bundle-seccomp" "$2/bundle-plain" "$2/bundle-sleep"; do
    python3 - "$b/config.json" <<EOF
import json, os, sys
path = sys.argv[1]
c = json.load(open(path))
# bundle-sleep stays up for exec to enter; the others exit at once.
c["process"]["args"] = ["sleep", "1000000"] if path.endswith("bundle-sleep/config.json") else ["true"]
# runc and crun need the mapping spelt out; nook takes it as it is.
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": os.getuid(), "size": 1}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": os.getgid(), "size": 1}]
json.dump(c, open(path, "w"), indent=2)
EOF
  done' _ "$SRCDIR/tests/fixtures" "$WORK"

WITH_OCI=1
for rt in crun runc; do
  command -v "$rt" >/dev/null || { say "$rt not found: the crun and runc rows are left out"; WITH_OCI=0; }
done

inner_env=(env WORK="$WORK" NOOK="$NOOK" RUNS="$RUNS" WARMUP="$WARMUP"
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
  "${run_as[@]}" "${inner_env[@]}" WITH_OCI="$WITH_OCI" bash "$SELF" __inner
elif [[ $as_root == 1 ]]; then
  # Hybrid cgroups: crun and runc want cgroup2 at /sys/fs/cgroup. A private
  # mount namespace gives them that without touching the host's mounts.
  unshare -m sh -c 'umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' _ \
    "${run_as[@]}" "${inner_env[@]}" WITH_OCI="$WITH_OCI" bash "$SELF" __inner
else
  say "/sys/fs/cgroup is not cgroup2 and this is not root: crun and runc cannot run here, their rows are left out"
  "${inner_env[@]}" WITH_OCI=0 bash "$SELF" __inner
fi

{
  echo "nook start-up benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -sr), $(nproc) CPUs,"
  echo "$RUNS runs per command after $WARMUP warm-up runs, as $("${run_as[@]}" id -un)."
  echo
  report
  echo
  cat "$WORK/rss.md"
  echo
  cat "$WORK/instructions.md"
} | tee "$WORK/results.md"
