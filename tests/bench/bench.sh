#!/bin/bash
# Start-up benchmark: nook against crun, runc, bubblewrap and the kernel's
# own floor, and the targets of issues 14 and 10, met or not.
#
# Usage: tests/bench/bench.sh [--runs N] [--warmup N] [--series N]
#                             [--concurrent N] [--concurrent-runs N]
#                             [--usr-runs N] [--nook PATH] [--dir DIR] [--check]
#
#   --runs N             timed runs per command of the main table (default 100)
#   --warmup N           untimed runs before each of those (default 5)
#   --series N           starts in a row of the series (default 1000)
#   --concurrent N       starts at once of the concurrent rows (default 20)
#   --concurrent-runs N  timed runs of each concurrent row (default 10)
#   --usr-runs N         timed runs of each /usr read row (default 5; 0 leaves
#                        the /usr read workload out)
#   --nook PATH          the nook binary to measure (default: a release build
#                        of this tree, made in DIR/build; nook-init must be
#                        next to it)
#   --dir DIR            working directory: bundles, stores, state, results
#                        (default: a new /tmp/nook-bench.XXXXXX)
#   --check              exit 1 when a target is missed
#
# Everything runs rootless, as one unprivileged user, on one bundle
# (busybox, process `true`, tests/fixtures/seccomp-default.json as
# linux.seccomp, a single-id user namespace mapping) and the same bundle
# without linux.seccomp. One hyperfine run holds, side by side:
#
#   nook run               default (fuse-overlayfs): warm store, cold store
#                          (cleared before every run), --no-filter-cache,
#                          without seccomp; --rootfs=overlay, warm store;
#                          --rootfs=bind: warm store, cold store,
#                          --no-filter-cache, without seccomp
#   engine-style config    `nook run -b B ID` and `crun run -b B ID` on a
#                          bundle that is new on every start (hyperfine
#                          --prepare tests/bench/engine-bundle.sh): a new
#                          container id in the annotations, hostname and env,
#                          a new bundle path, the rootfs and the bind mounts'
#                          sources under it, the same seccomp profile
#   crun run, runc run     with and without seccomp
#   create + start + delete -f   nook's and crun's OCI lifecycle, one shell
#                          command each (the same sh on both sides)
#   nook exec ID true, crun exec ID true   into a running (detached)
#                          container of the seccomp bundle running sleep
#   bwrap --unshare-all --bind ROOTFS / --proc /proc --dev /dev true
#   unshare -Urnimpuf true the floor: the namespaces and nothing else
#
# Then, each in a run of its own:
#
#   /usr read   `find /usr -type f -print0 | xargs -0 cat >/dev/null` in a
#               Debian 12 rootfs (tests/fixtures/make-debian-rootfs.sh; the
#               machine's tarball or NOOK_TEST_DEBIAN_TAR) with --rootfs=bind,
#               overlay and fuse-overlayfs, on two copies: imported with
#               `nook import` (the default mapping: the tarball's root is
#               the user, its other owners subordinate ids) and extracted
#               with every file the user's own
#   series      `nook run` (warm store) N times in a row: the median of the
#               first and the last tenth (100 of 1000)
#   concurrent  N `nook run` at once (tests/bench/concurrent.sh), default and
#               --rootfs=bind, against N `crun run` with ids of their own
#   peak RSS    of `nook run` and `crun run` (/usr/bin/time, max of 5)
#   instructions of one warm `nook run` (perf stat where the CPU counters
#               are available, else valgrind --tool=callgrind, which counts
#               nook's parent process only)
#
# Run as root (as on the test machines), it runs everything as the test user
# (NOOK_TEST_USER, default nooktest; tests/setup-host.sh creates it) inside a
# private mount namespace with cgroup2 mounted at /sys/fs/cgroup (crun and
# runc refuse hybrid cgroups). Run as an unprivileged user on a cgroup2 host,
# it runs in place; on a hybrid host the crun and runc rows are then left
# out (and their targets missed).
#
# Output (stdout and DIR/results.md): the tables (mean, median, user and
# system time, the ratio of medians to `crun run` with seccomp and to the
# floor) and the targets of issues 14 and 10 with their ratios, met or not.
# DIR/hyperfine.json holds the main run's raw data; usr.json, series.json
# and concurrent.json the others'.
#
# Not part of `meson test`: timings are not tests.
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SELF=$SRCDIR/tests/bench/bench.sh
TEST_USER=${NOOK_TEST_USER:-nooktest}
FLOOR="unshare -Urnimpuf true"

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

# The main table: every start-up row side by side in one hyperfine run.
main_rows ()
{
  local sc=$WORK/bundle-seccomp nosc=$WORK/bundle-plain
  local eng=$SRCDIR/tests/bench/engine-bundle.sh
  # Each command must work before it is timed (hyperfine would time failures).
  "$NOOK" run "$sc" || die "nook run $sc failed"
  "$NOOK" run "$nosc" || die "nook run $nosc failed"
  "$NOOK" run --rootfs=overlay "$sc" || die "nook run --rootfs=overlay $sc failed"
  "$NOOK" run --rootfs=bind "$sc" || die "nook run --rootfs=bind $sc failed"

  local args=(-N --runs "$RUNS" --warmup "$WARMUP" --export-json "$WORK/hyperfine.json" --style basic)
  add () { args+=(--command-name "$1" --prepare "$2" "$3"); }
  add "nook run (warm store)" true "$NOOK run $sc"
  add "nook run (cold store)" "rm -rf $XDG_CACHE_HOME/nook" "$NOOK run $sc"
  add "nook run --no-filter-cache" true "$NOOK run --no-filter-cache $sc"
  add "nook run (no seccomp)" true "$NOOK run $nosc"
  # The default (fuse-overlayfs) is the rows above; the other rootfs modes:
  add "nook run --rootfs=overlay (warm store)" true "$NOOK run --rootfs=overlay $sc"
  add "nook run --rootfs=bind (warm store)" true "$NOOK run --rootfs=bind $sc"
  add "nook run --rootfs=bind (cold store)" "rm -rf $XDG_CACHE_HOME/nook" "$NOOK run --rootfs=bind $sc"
  add "nook run --rootfs=bind --no-filter-cache" true "$NOOK run --rootfs=bind --no-filter-cache $sc"
  add "nook run --rootfs=bind (no seccomp)" true "$NOOK run --rootfs=bind $nosc"
  # What an engine hands a runtime: a config new on every start (runc's
  # form: the rootfs in place), the seccomp profile the same.
  mkdir -p "$WORK/engine-nook" "$WORK/engine-crun"
  "$eng" "$WORK/engine.json" "$sc/rootfs" "$WORK/engine-nook" || die "$eng failed"
  "$NOOK" run -b "$WORK/engine-nook/current" engine || die "nook run, engine-style config, failed"
  add "nook run, engine-style config (warm store)" \
    "$eng $WORK/engine.json $sc/rootfs $WORK/engine-nook" "$NOOK run -b $WORK/engine-nook/current engine"
  if [ "$WITH_OCI" = 1 ]; then
    local rt
    for rt in crun runc; do
      "$rt" --root "$RUNTIME/$rt" run -b "$sc" "bench-$rt" || die "$rt run $sc failed"
      add "$rt run (seccomp)" true "$rt --root $RUNTIME/$rt run -b $sc bench-$rt"
      add "$rt run (no seccomp)" true "$rt --root $RUNTIME/$rt run -b $nosc bench-$rt"
    done
    "$eng" "$WORK/engine.json" "$sc/rootfs" "$WORK/engine-crun" || die "$eng failed"
    crun --root "$RUNTIME/crun" run -b "$WORK/engine-crun/current" engine ||
      die "crun run, engine-style config, failed"
    add "crun run, engine-style config" \
      "$eng $WORK/engine.json $sc/rootfs $WORK/engine-crun" "crun --root $RUNTIME/crun run -b $WORK/engine-crun/current engine"
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
  if command -v bwrap >/dev/null; then
    local bw="bwrap --unshare-all --bind $sc/rootfs / --proc /proc --dev /dev true"
    $bw || die "$bw failed"
    add "bwrap --unshare-all --bind ROOTFS / --proc /proc --dev /dev true" true "$bw"
  else
    say "bwrap not found (tests/setup-host.sh installs bubblewrap): its row is left out"
  fi
  add "$FLOOR" true "$FLOOR"
  hyperfine "${args[@]}" >&2
  "$NOOK" --root "$RUNTIME/nook-ex" delete -f ex || true
  [ "$WITH_OCI" = 1 ] && { crun --root "$RUNTIME/crun-ex" delete -f ex || true; }
  rm -rf "$WORK/engine-nook" "$WORK/engine-crun"
}

# Reading every file under /usr of a Debian 12 rootfs, in each rootfs mode,
# on both copies (see the set-up).
usr_rows ()
{
  rm -f "$WORK/usr.json"
  if [ "$USR_RUNS" = 0 ]; then
    return
  fi
  if ! [ -f "$WORK/debian-subids/config.json" ] || ! [ -f "$WORK/debian-own/config.json" ]; then
    return
  fi
  local read='find /usr -type f -print0 | xargs -0 cat >/dev/null'
  local args=(-N --runs "$USR_RUNS" --warmup 0 --export-json "$WORK/usr.json" --style basic)
  local kind mode cmd
  for kind in subids own; do
    for mode in bind overlay fuse-overlayfs; do
      cmd="$NOOK run -T --rootfs=$mode $WORK/debian-$kind sh -c '$read'"
      # Also brings the files into the page cache for every timed run.
      "$NOOK" run -T "--rootfs=$mode" "$WORK/debian-$kind" sh -c "$read" ||
        die "the /usr read failed: $cmd"
      args+=(--command-name "/usr read, $kind, --rootfs=$mode" "$cmd")
    done
  done
  hyperfine "${args[@]}" >&2
}

# SERIES warm starts in a row, each timed (hyperfine keeps every run's time).
series_rows ()
{
  local sc=$WORK/bundle-seccomp
  hyperfine -N --runs "$SERIES" --warmup 0 --export-json "$WORK/series.json" --style basic \
    --command-name "nook run (warm store), $SERIES in a row" "$NOOK run $sc" >&2
}

# CONCURRENT starts at once: nook (default and --rootfs=bind; ids of its
# own choosing) against crun (ids 1..N of their own).
concurrent_rows ()
{
  local sc=$WORK/bundle-seccomp conc=$SRCDIR/tests/bench/concurrent.sh
  local args=(-N --runs "$CONCURRENT_RUNS" --warmup 1 --export-json "$WORK/concurrent.json" --style basic)
  "$conc" "$CONCURRENT" "" "$NOOK" run "$sc" || die "$CONCURRENT nook run at once failed"
  args+=(--command-name "$CONCURRENT × nook run at once" "$conc $CONCURRENT '' $NOOK run $sc")
  args+=(--command-name "$CONCURRENT × nook run --rootfs=bind at once" "$conc $CONCURRENT '' $NOOK run --rootfs=bind $sc")
  if [ "$WITH_OCI" = 1 ]; then
    "$conc" "$CONCURRENT" c crun --root "$RUNTIME/crun" run -b "$sc" || die "$CONCURRENT crun run at once failed"
    args+=(--command-name "$CONCURRENT × crun run at once (seccomp)" "$conc $CONCURRENT c crun --root $RUNTIME/crun run -b $sc")
  fi
  hyperfine "${args[@]}" >&2
}

inner ()
{
  : "${WORK:?}" "${NOOK:?}" "${RUNS:?}" "${WARMUP:?}" "${WITH_OCI:?}" "${SERIES:?}"
  : "${CONCURRENT:?}" "${CONCURRENT_RUNS:?}" "${USR_RUNS:?}"
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

  main_rows
  usr_rows
  series_rows
  concurrent_rows

  local sc=$WORK/bundle-seccomp
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

# The tables and the targets, from hyperfine's JSON files.
report ()
{
  python3 -B - "$SRCDIR/tests/bench" "$WORK" "$FLOOR" <<'EOF'
import os, re, statistics, sys

sys.path.insert(0, sys.argv[1])
from benchreport import load, ms, ratio, mean_ms, print_targets

work, floor_name = sys.argv[2], sys.argv[3]
results, by_name = load(os.path.join(work, "hyperfine.json"))

def median(name, runs=by_name):
    return runs[name]["median"] if name in runs else None

crun_sc = median("crun run (seccomp)")
floor = median(floor_name)

print("| command | mean [ms] | median [ms] | user [ms] | system [ms] | × crun run (seccomp) | × floor |")
print("|---|---:|---:|---:|---:|---:|---:|")
for r in results:
    print(f"| {r['command']} | {mean_ms(r)} | {ms(r['median'])} | {ms(r['user'])} | {ms(r['system'])} "
          f"| {ratio(r['median'], crun_sc)} | {ratio(r['median'], floor)} |")
print()
print("Ratios are of medians. Floor: `" + floor_name + "`.")

def target(text, value, ref, limit):
    """value ≤ limit × ref, the ratio in the text; None where not measured."""
    if value is None or not ref:
        return (f"{text}: n/a", None)
    return (f"{text}: {value / ref:.2f}× (≤ {limit})", value <= limit * ref)

bind, overlay = median("nook run --rootfs=bind (warm store)"), median("nook run --rootfs=overlay (warm store)")
fuse = median("nook run (warm store)")
crun_plain = median("crun run (no seccomp)")
groups = []
groups.append(("Issue 14, target 1: warm store, bind and overlay", [
    target("nook run --rootfs=bind ÷ the floor", bind, floor, 2.5),
    target("nook run --rootfs=overlay ÷ the floor", overlay, floor, 2.5),
    target("nook run --rootfs=bind ÷ crun run (seccomp)", bind, crun_sc, 0.2),
    target("nook run --rootfs=overlay ÷ crun run (seccomp)", overlay, crun_sc, 0.2),
    target("nook run --rootfs=bind without seccomp ÷ crun run without seccomp",
           median("nook run --rootfs=bind (no seccomp)"), crun_plain, 0.6),
]))

usr_lines = []
usr_targets = []
usr_path = os.path.join(work, "usr.json")
if os.path.exists(usr_path):
    usr_results, usr_by = load(usr_path)
    usr_lines.append("| /usr read | mean [ms] | median [ms] | × --rootfs=overlay |")
    usr_lines.append("|---|---:|---:|---:|")
    for r in usr_results:
        kind = r["command"].split(",")[1].strip()
        ref = median(f"/usr read, {kind}, --rootfs=overlay", usr_by)
        usr_lines.append(f"| {r['command']} | {mean_ms(r)} | {ms(r['median'])} | {ratio(r['median'], ref)} |")
    for kind, what in (("subids", "imported (nook import: subordinate ids)"), ("own", "every file the user's")):
        usr_targets.append(target(f"/usr read, fuse-overlayfs ÷ overlay, rootfs {what}",
                                  median(f"/usr read, {kind}, --rootfs=fuse-overlayfs", usr_by),
                                  median(f"/usr read, {kind}, --rootfs=overlay", usr_by), 2))
else:
    usr_targets.append(("/usr read, fuse-overlayfs ÷ overlay: no Debian 12 rootfs (or --usr-runs 0)", None))
groups.append(("Issue 14, target 2: the default, fuse-overlayfs", [
    target("nook run (fuse-overlayfs, warm store) ÷ crun run (seccomp)", fuse, crun_sc, 0.4),
] + usr_targets))
groups.append(("Issue 14, target 3: compiling the profile (--rootfs=bind, as the issue's table)", [
    target("nook run --rootfs=bind, cold store ÷ crun run (seccomp)",
           median("nook run --rootfs=bind (cold store)"), crun_sc, 1.0),
    target("nook run --rootfs=bind --no-filter-cache ÷ crun run (seccomp)",
           median("nook run --rootfs=bind --no-filter-cache"), crun_sc, 1.0),
]))
groups.append(("Issue 14, target 4: a config new on every start, its seccomp profile seen before", [
    target("nook run, engine-style config ÷ crun run, engine-style config",
           median("nook run, engine-style config (warm store)"), median("crun run, engine-style config"), 0.3),
]))

rss = {}
for line in open(os.path.join(work, "rss.md")):
    m = re.match(r"\| (.*) \| (\d+) \|$", line.strip())
    if m:
        rss[m.group(1)] = int(m.group(2))
nook_rss, crun_rss = rss.get("nook run (warm store)"), rss.get("crun run (seccomp)")

series = load(os.path.join(work, "series.json"))[0][0]
times = series["times"]
tenth = max(1, min(100, len(times) // 10))
first, last = statistics.median(times[:tenth]), statistics.median(times[-tenth:])

conc_results, conc_by = load(os.path.join(work, "concurrent.json"))
conc_nook = next((r for r in conc_results if r["command"].endswith("× nook run at once")), None)
conc_crun = next((r for r in conc_results if "crun run at once" in r["command"]), None)
groups.append(("Issue 14, target 5: memory, a long series, concurrent starts", [
    target("peak RSS, nook run ÷ crun run", nook_rss, crun_rss, 1.0),
    target(f"{len(times)} starts in a row: median of the last {tenth} ÷ median of the first {tenth} "
           f"({ms(last)} ÷ {ms(first)} ms)", last, first, 1.2),
    target(conc_nook["command"] + " ÷ " + conc_crun["command"] if conc_nook and conc_crun
           else "concurrent nook run ÷ concurrent crun run",
           conc_nook["median"] if conc_nook else None, conc_crun["median"] if conc_crun else None, 0.5),
]))
groups.append(("Issue 10, Performance", [
    target("nook exec ÷ crun exec", median("nook exec (warm store)"), median("crun exec (seccomp)"), 0.5),
    target("nook create+start+delete ÷ crun's", median("nook create+start+delete (warm store)"),
           median("crun create+start+delete (seccomp)"), 0.5),
]))

if usr_lines:
    print()
    print("\n".join(usr_lines))
print()
print(f"| {len(times)} × nook run (warm store) in a row | median [ms] |")
print("|---|---:|")
print(f"| first {tenth} | {ms(first)} |")
print(f"| last {tenth} | {ms(last)} |")
print(f"| all | {ms(series['median'])} |")
print()
print("| at once | mean [ms] | median [ms] | × crun |")
print("|---|---:|---:|---:|")
for r in conc_results:
    print(f"| {r['command']} | {mean_ms(r)} | {ms(r['median'])} "
          f"| {ratio(r['median'], conc_crun['median'] if conc_crun else None)} |")

print_targets(groups, os.path.join(work, "targets"))
EOF
  echo
  cat "$WORK/rss.md"
  echo
  cat "$WORK/instructions.md"
}

if [[ ${1:-} == __inner ]]; then
  inner
  exit 0
fi

# --- set-up ---

RUNS=100
WARMUP=5
SERIES=1000
CONCURRENT=20
CONCURRENT_RUNS=10
USR_RUNS=5
NOOK=${NOOK:-}
WORK=
CHECK=0
BENCH_OPTIONS=(--series=SERIES --concurrent=CONCURRENT --concurrent-runs=CONCURRENT_RUNS --usr-runs=USR_RUNS)

# shellcheck source=tests/bench/lib.sh
. "$SRCDIR/tests/bench/lib.sh"
bench_parse_args "$@"
[[ $SERIES -ge 2 && $CONCURRENT -ge 1 && $CONCURRENT_RUNS -ge 1 ]] ||
  die "--series must be at least 2, --concurrent and --concurrent-runs at least 1"

for tool in hyperfine python3 unshare tar; do
  command -v "$tool" >/dev/null || die "$tool not found (tests/setup-host.sh installs it)"
done

bench_prepare nook-bench

say "making the bundles in $WORK"
"${run_as[@]}" bash -c '
  set -e
  "$1/make-bundle.sh" "$2/bundle-seccomp" --seccomp "$1/seccomp-default.json"
  "$1/make-bundle.sh" "$2/bundle-plain"
  "$1/make-bundle.sh" "$2/bundle-sleep" --seccomp "$1/seccomp-default.json"' _ "$SRCDIR/tests/fixtures" "$WORK"
"${run_as[@]}" python3 - "$WORK" <<'EOF'
import copy, json, os, sys
work = sys.argv[1]
for name in ("bundle-seccomp", "bundle-plain", "bundle-sleep"):
    path = os.path.join(work, name, "config.json")
    c = json.load(open(path))
    # bundle-sleep stays up for exec to enter; the others exit at once.
    c["process"]["args"] = ["sleep", "1000000"] if name == "bundle-sleep" else ["true"]
    # runc and crun need the mapping spelt out; nook takes it as it is.
    c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": os.getuid(), "size": 1}]
    c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": os.getgid(), "size": 1}]
    json.dump(c, open(path, "w"), indent=2)
    if name == "bundle-seccomp":
        # What an engine writes for each container (see podman-config.json):
        # its id in the hostname, env and annotations, the rootfs and the
        # sources of its bind mounts under the container's own directory;
        # tests/bench/engine-bundle.sh fills in a new one for every start.
        e = copy.deepcopy(c)
        e["root"] = {"path": "@BUNDLE@/rootfs"}
        e["hostname"] = "@SHORTID@"
        e["process"]["env"] += ["container=podman", "HOSTNAME=@SHORTID@"]
        for dest, file in (("/run/.containerenv", "containerenv"), ("/etc/hostname", "hostname"),
                           ("/etc/resolv.conf", "resolv.conf"), ("/etc/hosts", "hosts")):
            e["mounts"].append({"destination": dest, "type": "bind",
                                "source": "@BUNDLE@/userdata/" + file, "options": ["bind", "rprivate"]})
        e["annotations"] = {
            "io.container.manager": "libpod",
            "io.kubernetes.cri-o.Created": "@CREATED@",
            "io.kubernetes.cri-o.ContainerID": "@ID@",
            "io.kubernetes.cri-o.TTY": "false",
            "io.podman.annotations.autoremove": "TRUE",
            "org.opencontainers.image.stopSignal": "15",
        }
        json.dump(e, open(os.path.join(work, "engine.json"), "w"), indent=2)
EOF

# The /usr read workload's Debian 12 rootfs, twice: imported by nook (the
# default mapping: the tarball's root is the user, its other owners are
# subordinate ids) and extracted by tar with every file the user's own.
# Kept in DIR for the next run with the same --dir.
if [[ $USR_RUNS != 0 ]]; then
  say "making the Debian 12 rootfs of the /usr read workload in $WORK"
  if ! "${run_as[@]}" env NOOK_TEST_DEBIAN_TAR="${NOOK_TEST_DEBIAN_TAR:-}" \
      "$SRCDIR/tests/fixtures/make-debian-rootfs.sh" "$WORK/debian-bookworm.tar" >"$WORK/debian.log" 2>&1; then
    say "no Debian 12 rootfs ($(tail -n 1 "$WORK/debian.log")): the /usr read workload is left out"
  elif ! "${run_as[@]}" bash -c '
      set -e
      if ! [ -f "$2/debian-subids/config.json" ]; then
        rm -rf "$2/debian-subids.tmp"
        "$1" import "$2/debian-bookworm.tar" "$2/debian-subids.tmp"
        mv "$2/debian-subids.tmp" "$2/debian-subids"
      fi
      if ! [ -f "$2/debian-own/config.json" ]; then
        rm -rf "$2/debian-own"
        mkdir -p "$2/debian-own/rootfs"
        tar -xf "$2/debian-bookworm.tar" -C "$2/debian-own/rootfs" --no-same-owner --exclude="./dev/*"
        cp "$2/debian-subids/config.json" "$2/debian-own/config.json"
      fi' _ "$NOOK" "$WORK" >>"$WORK/debian.log" 2>&1; then
    say "cannot make the Debian 12 rootfs ($(tail -n 1 "$WORK/debian.log")): the /usr read workload is left out"
  fi
fi

WITH_OCI=1
for rt in crun runc; do
  command -v "$rt" >/dev/null || { say "$rt not found: the crun and runc rows are left out"; WITH_OCI=0; }
done

bench_run_inner WITH_OCI="$WITH_OCI" 0 SERIES="$SERIES" CONCURRENT="$CONCURRENT" \
  CONCURRENT_RUNS="$CONCURRENT_RUNS" USR_RUNS="$USR_RUNS"

bench_results "nook start-up benchmark" report
