#!/bin/bash
# Toolbox benchmark: `nook enter` against `podman exec` / `podman start` of
# the same kind of container, and the kernel's own floor.
#
# Usage: tests/bench/toolbox-bench.sh [--runs N] [--warmup N] [--nook PATH]
#                                     [--dir DIR] [--check]
#
#   --runs N     timed runs per command (default 50)
#   --warmup N   untimed runs before each command (default 3)
#   --nook PATH  the nook binary to measure (default: a release build of this
#                tree, made in DIR/build)
#   --dir DIR    working directory: bundle, image, stores, results
#                (default: a new /tmp/nook-toolbox-bench.XXXXXX)
#   --check      exit 1 when a target of issue 12 is missed
#
# Everything runs rootless, as one unprivileged user, side by side in one
# hyperfine run. One busybox-static root filesystem (tests/fixtures/
# make-bundle.sh, tests/fixtures/seccomp-default.json as linux.seccomp) is
# both nook's bundle and, imported with `podman import`, podman's image:
#
#   nook: `nook create --toolbox dev BUNDLE`, kept running with
#         `nook enter --keep-running dev true`; `dev-stopped` the same,
#         never left running.
#   podman (crun, `podman --runtime crun`): `podman run -d --userns=keep-id
#         --network=host --uts=host IMAGE sleep 1000000` as `ctr` (running)
#         and `ctr-stopped`: the toolbox container's namespaces but IPC
#         (--ipc=host wants the host's /dev/mqueue, not mounted here).
#
# Rows: `nook enter dev true`, `nook exec dev true`, `podman exec ctr true`
# (all into the running containers); `nook enter dev-stopped true` (starts
# it, runs true, stops it: --prepare `nook stop -t 0 dev-stopped`), the same
# with --keep-running (starts it and runs true, as podman's row does) and
# `sh -c 'podman start ctr-stopped && podman exec ctr-stopped true'`
# (--prepare `podman stop -t 0 ctr-stopped`); `unshare -Urnimpuf true`, the
# floor.
#
# Run as root (as on the test machines), it runs everything as the test user
# (NOOK_TEST_USER, default nooktest; tests/setup-host.sh creates it) in a
# private mount namespace with cgroup2 mounted at /sys/fs/cgroup and /
# rshared, as podman with crun needs on a hybrid-cgroup host (DESIGN.md,
# "Engines on these machines"). Run as an unprivileged user, it runs in place
# and the podman rows need cgroup2 at /sys/fs/cgroup already.
#
# Output (stdout and DIR/results.md): a markdown table with mean, median,
# user and system time of each command, its ratio to the floor and to the
# podman command it is compared with; the targets of issue 12, met or not.
# DIR/hyperfine.json holds the raw data.
#
# Not part of `meson test`: timings are not tests.
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SELF=$SRCDIR/tests/bench/toolbox-bench.sh
TEST_USER=${NOOK_TEST_USER:-nooktest}
IMAGE=localhost/nook-bench-busybox
# shellcheck source=tests/fixtures/podman-conf.sh
. "$SRCDIR/tests/fixtures/podman-conf.sh"

die () { echo "toolbox-bench: $*" >&2; exit 1; }
say () { echo "toolbox-bench: $*" >&2; }

# --- the measurement itself (as the unprivileged user) ---

pm () { podman --runtime crun "$@"; }

cleanup ()
{
  local pid
  "$NOOK" stop -t 0 dev dev-stopped >/dev/null 2>&1 || true
  "$NOOK" rm -f dev dev-stopped >/dev/null 2>&1 || true
  if [ "$WITH_PODMAN" = 1 ]; then
    pm rm -a -f -t 0 >/dev/null 2>&1 || true
    # conmon runs `podman container cleanup` when a container ends, after
    # rm has returned; it would make the directories below again.
    for _ in $(seq 100); do
      pgrep -u "$(id -u)" -f "$RUNTIME/|$WORK/podman/" >/dev/null || break
      sleep 0.1
    done
    for pid in $(pgrep -u "$(id -u)" -f "$RUNTIME/|$WORK/podman/"); do
      say "still running after podman rm, killed: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
      kill -KILL "$pid" 2>/dev/null || true
    done
    pid=$(cat "$XDG_RUNTIME_DIR/libpod/tmp/pause.pid" 2>/dev/null) || pid=
    [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
    # Image layers belong to subordinate ids: removed from a user namespace
    # with the same mapping.
    unshare --map-root-user --map-auto rm -rf "$WORK/podman" 2>/dev/null || true
  fi
  rm -rf "$RUNTIME"
}

inner ()
{
  : "${WORK:?}" "${NOOK:?}" "${RUNS:?}" "${WARMUP:?}" "${WITH_PODMAN:?}"
  cd "$WORK"
  # The runtime state on a tmpfs, as a desktop session's /run/user/UID is
  # (this host has no session manager to make one), for nook and podman.
  local shm=/dev/shm
  [ "$(stat -fc %T "$shm" 2>/dev/null)" = tmpfs ] || shm=$WORK
  RUNTIME=$(mktemp -d "$shm/nook-toolbox-bench.XXXXXX")
  chmod 0700 "$RUNTIME"
  trap cleanup EXIT
  export XDG_RUNTIME_DIR=$RUNTIME XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=$WORK/cache \
    XDG_CONFIG_HOME=$WORK/config
  # No session bus here: without an address podman's D-Bus library starts
  # one (dbus-launch) that outlives the benchmark.
  export DBUS_SESSION_BUS_ADDRESS=unix:path=$RUNTIME/no-bus

  local b=$WORK/bundle name
  for name in dev dev-stopped; do
    "$NOOK" create --toolbox --replace "$name" "$b" >/dev/null ||
      die "nook create --toolbox $name $b failed"
  done
  # Each command must work before it is timed (hyperfine would time failures).
  "$NOOK" enter --keep-running dev true || die "nook enter --keep-running dev true failed"
  "$NOOK" enter dev true || die "nook enter dev true failed"
  "$NOOK" exec dev true || die "nook exec dev true failed"
  "$NOOK" enter dev-stopped true || die "nook enter dev-stopped true failed"

  local args=(-N --runs "$RUNS" --warmup "$WARMUP" --export-json "$WORK/hyperfine.json" --style basic)
  add () { args+=(--command-name "$1" --prepare "$2" "$3"); }
  add "nook enter dev true (running)" true "$NOOK enter dev true"
  add "nook exec dev true (running)" true "$NOOK exec dev true"

  if [ "$WITH_PODMAN" = 1 ]; then
    podman_write_conf "$XDG_CONFIG_HOME" "$WORK/podman/storage" "$RUNTIME/podman-run" ||
      die "cannot write podman's configuration"
    pm import -q "$WORK/rootfs.tar" "$IMAGE" >/dev/null || die "podman import failed"
    # The toolbox container's namespaces: the user's own ids, the host's
    # network and hostname. Not the host's IPC: podman then binds the host's
    # /dev/mqueue, which these machines do not mount.
    local popts=(--pull=never --userns=keep-id --network=host --uts=host)
    for name in ctr ctr-stopped; do
      pm run -d "${popts[@]}" --name "$name" "$IMAGE" sleep 1000000 >/dev/null ||
        die "podman run -d $name failed"
    done
    pm exec ctr true || die "podman exec ctr true failed"
    pm exec ctr-stopped true || die "podman exec ctr-stopped true failed"
    pm stop -t 0 ctr-stopped >/dev/null || die "podman stop ctr-stopped failed"
    add "podman exec ctr true (running)" true "podman --runtime crun exec ctr true"
  fi

  # -t 0: SIGKILL at once. The idle loop may not have set its SIGTERM trap
  # yet, and a pid namespace's init without a handler never sees SIGTERM.
  add "nook enter dev-stopped true (stopped)" "$NOOK stop -t 0 dev-stopped" "$NOOK enter dev-stopped true"
  # What podman's row does: start and exec, leaving the container running.
  add "nook enter --keep-running dev-stopped true (stopped)" "$NOOK stop -t 0 dev-stopped" \
    "$NOOK enter --keep-running dev-stopped true"
  if [ "$WITH_PODMAN" = 1 ]; then
    add "podman start + exec (stopped)" "podman --runtime crun stop -t 0 ctr-stopped" \
      "sh -c 'podman --runtime crun start ctr-stopped >/dev/null && podman --runtime crun exec ctr-stopped true'"
  fi
  add "unshare -Urnimpuf true" true "unshare -Urnimpuf true"
  hyperfine "${args[@]}" >&2
}

# The markdown table and the targets, from hyperfine's JSON.
report ()
{
  python3 -B - "$SRCDIR/tests/bench" "$WORK" <<'EOF'
import os, sys

sys.path.insert(0, sys.argv[1])
from benchreport import load, ms, ratio, mean_ms, print_targets

results, by_name = load(os.path.join(sys.argv[2], "hyperfine.json"))

def mean(name):
    return by_name[name]["mean"] if name in by_name else None

floor = mean("unshare -Urnimpuf true")
pexec = mean("podman exec ctr true (running)")
pstart = mean("podman start + exec (stopped)")

print("| command | mean [ms] | median [ms] | user [ms] | system [ms] | × floor | × podman |")
print("|---|---:|---:|---:|---:|---:|---:|")
for r in results:
    ref = pstart if r["command"].endswith("(stopped)") else pexec
    print(f"| {r['command']} | {mean_ms(r)} | {ms(r['median'])} "
          f"| {ms(r['user'])} | {ms(r['system'])} | {ratio(r['mean'], floor)} | {ratio(r['mean'], ref)} |")
print()
print("× podman: to `podman exec ctr true` for the running rows, to `podman start + exec` for the stopped ones.")

enter = mean("nook enter dev true (running)")
enter_stopped = mean("nook enter dev-stopped true (stopped)")
targets = [(f"nook enter (running) ≤ 5 × the unshare floor: {enter / floor:.2f}×", enter <= 5 * floor)]
if pexec:
    targets.append((f"nook enter (running) ≤ 0.25 × podman exec: {enter / pexec:.2f}×", enter <= 0.25 * pexec))
else:
    targets.append(("nook enter (running) ≤ 0.25 × podman exec: no podman", None))
if pstart:
    targets.append((f"nook enter (stopped) ≤ 0.5 × podman start + exec: {enter_stopped / pstart:.2f}×",
                    enter_stopped <= 0.5 * pstart))
else:
    targets.append(("nook enter (stopped) ≤ 0.5 × podman start + exec: no podman", None))
print_targets([("Targets (issue 12)", targets)], os.path.join(sys.argv[2], "targets"))
EOF
}

if [[ ${1:-} == __inner ]]; then
  inner
  exit 0
fi

# --- set-up ---

RUNS=50
WARMUP=3
NOOK=${NOOK:-}
WORK=
CHECK=0
BENCH_OPTIONS=()

# shellcheck source=tests/bench/lib.sh
. "$SRCDIR/tests/bench/lib.sh"
bench_parse_args "$@"

for tool in hyperfine python3 unshare tar; do
  command -v "$tool" >/dev/null || die "$tool not found (tests/setup-host.sh installs it)"
done

bench_prepare nook-toolbox-bench

say "making the bundle and the image tarball in $WORK"
"${run_as[@]}" bash -c '
  set -e
  "$1/make-bundle.sh" "$2/bundle" --seccomp "$1/seccomp-default.json"
  tar -C "$2/bundle/rootfs" -cf "$2/rootfs.tar" .' _ "$SRCDIR/tests/fixtures" "$WORK"

WITH_PODMAN=1
for tool in podman crun conmon; do
  if ! command -v "$tool" >/dev/null && ! [ -x "/usr/libexec/podman/$tool" ]; then
    say "$tool not found: the podman rows are left out"
    WITH_PODMAN=0
  fi
done

bench_run_inner WITH_PODMAN="$WITH_PODMAN" 1

bench_results "nook toolbox benchmark" report
