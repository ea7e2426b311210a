#!/bin/bash
# The one command that builds nook and runs its tests.
#
# Usage: tests/run-tests.sh [--asan | --clang | --fuzz | --demo] [-- MESON-TEST-ARGS...]
#
#   (no option)  build with -Dwerror=true and run the unit and integration
#                suites; the last line of output is "N passed, N failed"
#                (", N skipped" is appended when tests were skipped), counting
#                every TAP test case of every test program; each skipped test
#                is listed before it with its reason ("skipped: ...")
#   --asan       build with AddressSanitizer + UBSan in a separate build
#                directory and run the unit suite only
#   --clang      build with clang (-Dwerror=true, the same warnings as gcc)
#                in a separate build directory and run the unit suite only
#   --fuzz       build the libFuzzer targets and run each for
#                NOOK_FUZZ_RUNS executions (default 100000) from the seeds
#                with a fixed seed, the same on every machine; or for
#                NOOK_FUZZ_TIME seconds when set: tests/fuzz/run.sh
#   --demo       build, make a busybox bundle and run it rootless, showing
#                id, hostname and the uid map from inside the container
#
# Run as root (e.g. with sudo) it first prepares the host (tests/setup-host.sh:
# packages, the unprivileged user nooktest with subordinate ids, device modes),
# copies the source tree (without .git and build directories) to a directory
# that user owns, and runs everything there as that user: rootless means a real
# unprivileged user. On a host whose /sys/fs/cgroup is not cgroup2 (hybrid
# cgroups) that run happens in a private mount namespace with cgroup2 mounted
# there and / rshared, as on a desktop (podman.bats needs it for crun). Run as
# an unprivileged user it builds and tests in place and expects the
# dependencies to be installed.
#
# Environment:
#   NOOK_TEST_USER        the unprivileged user when run as root (default nooktest)
#   NOOK_TEST_DIR         where the copy goes when run as root (default ~USER/nook-src)
#   NOOK_BUILD_DIR        build directory (default SRC/build-tests, or SRC/build-asan)
#   NOOK_TESTS_MUST_WORK  1 (set by the root path unless given): tests must not
#                         skip for want of what the set-up provides
#   Other NOOK_* variables (e.g. NOOK_TEST_TIMEOUT) pass through to the tests.
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TEST_USER=${NOOK_TEST_USER:-nooktest}

mode=full
meson_args=()
orig_args=("$@")

usage ()
{
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --asan) mode=asan ;;
    --clang) mode=clang ;;
    --fuzz) mode=fuzz ;;
    --demo) mode=demo ;;
    -h|--help) usage; exit 0 ;;
    --) shift; meson_args=("$@"); break ;;
    *) echo "run-tests: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say () { echo "run-tests: $*"; }

# --- root: prepare the host, then run this script again as the test user ---

# Copies the tree to DEST, owned by the test user. Build directories already
# in DEST are kept, so a second run builds incrementally (tar keeps mtimes).
copy_tree ()
{
  local dest=$1 group
  group=$(id -gn "$TEST_USER")
  install -d -m 0755 -o "$TEST_USER" -g "$group" "$dest"
  find "$dest" -mindepth 1 -maxdepth 1 ! -name 'build*' ! -name '_build*' -exec rm -rf {} +
  tar -C "$SRCDIR" --anchored --exclude=./.git --exclude='./build*' --exclude='./_build*' \
      --exclude=./tests/fixtures/out -cf - . \
    | (cd "$dest" && runuser -u "$TEST_USER" -- tar -xf -)
}

run_as_test_user ()
{
  local home dest var pass=()
  bash "$SRCDIR/tests/setup-host.sh"
  home=$(getent passwd "$TEST_USER" | cut -d: -f6)
  dest=${NOOK_TEST_DIR:-$home/nook-src}
  if [[ $(realpath -m "$dest") != "$SRCDIR" ]]; then
    copy_tree "$dest"
  fi
  say "running as $TEST_USER in $dest"
  cd "$dest"
  # A clean environment: no XDG_RUNTIME_DIR (nook falls back to /tmp/nook-UID),
  # no root's HOME; from the caller only CI, TERM and NOOK_* (e.g.
  # NOOK_TEST_TIMEOUT) pass. The set-up above provides what the tests need,
  # so they must not skip for want of it.
  pass=(NOOK_TESTS_MUST_WORK=1)
  for var in CI TERM ${!NOOK_*}; do
    case $var in
      NOOK_TEST_DIR|NOOK_TEST_USER|NOOK_BUILD_DIR) ;;
      *) [[ -n ${!var:-} ]] && pass+=("$var=${!var}") ;;
    esac
  done
  local cmd=(runuser -u "$TEST_USER" -- env -i
    HOME="$home" USER="$TEST_USER" LOGNAME="$TEST_USER" SHELL=/bin/bash
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    LANG=C.UTF-8 TERM=dumb "${pass[@]}"
    bash "$dest/tests/run-tests.sh" "${orig_args[@]}")
  if [[ $(stat -fc %T /sys/fs/cgroup) != cgroup2fs ]]; then
    in_desktop_mounts "${cmd[@]}" </dev/null
  fi
  exec "${cmd[@]}" </dev/null
}

# in_desktop_mounts COMMAND...: exec COMMAND in a private mount namespace that
# looks like a desktop's: cgroup2 at /sys/fs/cgroup and / shared. Rootless
# podman (podman.bats) with crun needs both, and these hosts have hybrid
# cgroups (cgroup2 only at /sys/fs/cgroup/unified) and private mounts. An
# unprivileged user cannot make such a namespace, so the root path wraps the
# whole unprivileged run in it: every suite then sees the same tree, and
# nothing changes for the host or for other users' processes. Narrower ways
# (a namespace per podman call) would need root in the middle of the suite.
# Returns (does not exec) when the namespace cannot be made; the podman tests
# then fail under NOOK_TESTS_MUST_WORK=1 and say why.
in_desktop_mounts ()
{
  if ! unshare --mount true 2>/dev/null; then
    say "warning: cannot make a mount namespace: the suites run with the host's cgroup mounts"
    return 0
  fi
  say "running the suites in a private mount namespace with cgroup2 at /sys/fs/cgroup and / rshared"
  # shellcheck disable=SC2016
  exec unshare --mount --propagation private -- sh -c '
    warn () { echo "run-tests: warning: $*: tests that need it will fail" >&2; }
    if mountpoint -q /sys/fs/cgroup && ! umount -l /sys/fs/cgroup; then
      warn "cannot unmount /sys/fs/cgroup"
    elif ! mount -t cgroup2 none /sys/fs/cgroup; then
      warn "cannot mount cgroup2 at /sys/fs/cgroup"
    fi
    mount --make-rshared / || warn "cannot make / rshared"
    exec "$@"' sh "$@"
}

if [[ $(id -u) -eq 0 ]]; then
  run_as_test_user
fi

# --- unprivileged: build and test in place ---

for tool in meson ninja python3 cc; do
  if ! command -v "$tool" >/dev/null; then
    echo "run-tests: $tool not found: run this script as root (sudo) once to install the dependencies" >&2
    exit 1
  fi
done

# The result line for a run that did not get as far as the tests.
give_up ()
{
  say "$*"
  echo "0 passed, 1 failed"
  exit 1
}

# configure BUILDDIR MESON-OPTIONS...
configure ()
{
  local build=$1
  shift
  if [[ -f $build/build.ninja ]] && meson setup --reconfigure "$build" "$@" >"$build.setup.log" 2>&1; then
    rm -f "$build.setup.log"
    return 0
  fi
  rm -rf "$build" "$build.setup.log"
  meson setup "$build" "$@"
}

# build BUILDDIR MESON-OPTIONS...; with quiet=1 the output is shown only on failure.
quiet=0
build ()
{
  local build=$1 out
  shift
  cd "$SRCDIR"
  if [[ $quiet == 1 ]]; then
    out=$(configure "$build" "$@" 2>&1 && ninja -C "$build" 2>&1) || { echo "$out"; give_up "build failed"; }
    return 0
  fi
  configure "$build" "$@" || give_up "meson setup failed"
  ninja -C "$build" || give_up "build failed"
}

# Counts the TAP test cases of every test in BUILD/meson-logs/testlog.json and
# prints the result line last. Exit status 1 when anything failed or nothing ran.
count_results ()
{
  python3 - "$1" "$2" <<'EOF'
import json
import os
import re
import sys

build_dir, meson_status = sys.argv[1], int(sys.argv[2])
log_path = os.path.join(build_dir, 'meson-logs', 'testlog.json')
result_line = re.compile(r'^(not ok|ok)\b(.*)$')
skip_all_plan = re.compile(r'^1\.\.0\b')
directive = re.compile(r'#\s*(skip|todo)\b', re.IGNORECASE)
bad_results = {'FAIL', 'ERROR', 'TIMEOUT', 'UNEXPECTEDPASS', 'INTERRUPT'}

passed = failed = skipped = 0
notes = []
skips = []
# The protocol of each test: a TAP test without any TAP output failed (meson
# calls an empty TAP stream a skip).
try:
    with open(os.path.join(build_dir, 'meson-info', 'intro-tests.json')) as f:
        protocols = {}
        for t in json.load(f):
            # testlog.json names a test "PROJECT:SUITE / NAME".
            for key in [t['name']] + [f"{suite} / {t['name']}" for suite in t.get('suite', [])]:
                protocols[key] = t.get('protocol', 'exitcode')
except (OSError, ValueError):
    protocols = {}
try:
    with open(log_path) as f:
        tests = [json.loads(line) for line in f if line.strip()]
except (OSError, ValueError) as e:
    tests = []
    notes.append(f'no test log: {e}')

for test in tests:
    name, result = test.get('name', '?'), test.get('result', '?')
    p = f = s = 0
    # Only unindented lines: TAP 14 subtests are indented and summarised by
    # their parent's line.
    for line in (test.get('stdout') or '').splitlines():
        m = result_line.match(line)
        if not m:
            continue
        d = directive.search(m.group(2))
        if d:
            s += 1  # skipped, or a TODO (expected failure): neither passed nor failed
            skips.append(f'{name}: {m.group(2).strip()}')
        elif m.group(1) == 'ok':
            p += 1
        else:
            f += 1
            notes.append(f'{name}: {line.strip()}')
    if p + f + s == 0:
        # No TAP result at all: a crash before the first one, a TAP program
        # that printed nothing, a "1..0 # SKIP" plan, or not a TAP test.
        stdout = test.get('stdout') or ''
        is_tap = protocols.get(name, 'tap') == 'tap'
        if result in bad_results:
            f = 1
            notes.append(f'{name}: {result} without any TAP result (exit status {test.get("returncode")})')
        elif is_tap and any(skip_all_plan.match(l) for l in stdout.splitlines()):
            s = 1
            plan = next(l for l in stdout.splitlines() if skip_all_plan.match(l))
            skips.append(f'{name}: {plan.strip()}')
        elif is_tap:
            f = 1
            notes.append(f'{name}: no TAP output (exit status {test.get("returncode")})')
        elif result == 'SKIP':
            s = 1
            skips.append(f'{name}: skipped (exit status {test.get("returncode")})')
        else:
            p = 1
    elif result in bad_results and f == 0:
        # Crashed, timed out or broke the plan after only passing results.
        f = 1
        notes.append(f'{name}: {result} after {p + s} TAP results (exit status {test.get("returncode")})')
    passed, failed, skipped = passed + p, failed + f, skipped + s

if meson_status != 0 and failed == 0:
    failed = 1
    notes.append(f'meson test exited with status {meson_status}')
if passed + failed + skipped == 0:
    failed = 1
    notes.append('no tests ran')

for skip in skips:
    print(f'skipped: {skip}')
for note in notes:
    print(f'FAILED: {note}')
summary = f'{passed} passed, {failed} failed'
if skipped:
    summary += f', {skipped} skipped'
print(summary, flush=True)
sys.exit(1 if failed else 0)
EOF
}

# run_suites BUILDDIR SUITE...
run_suites ()
{
  local build=$1 status=0 suite_args=()
  shift
  for s in "$@"; do
    suite_args+=(--suite "$s")
  done
  rm -f "$build/meson-logs/testlog.json"
  meson test -C "$build" --print-errorlogs "${suite_args[@]}" "${meson_args[@]}" || status=$?
  count_results "$build" "$status"
}

case $mode in
  full)
    build_dir=${NOOK_BUILD_DIR:-$SRCDIR/build-tests}
    build "$build_dir" -Dwerror=true
    command -v bats >/dev/null || say "warning: bats not found, the integration suite is not registered"
    run_suites "$build_dir" unit integration
    ;;
  asan)
    build_dir=${NOOK_BUILD_DIR:-$SRCDIR/build-asan}
    build "$build_dir" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
    # UBSan only reports by default; make it fail the test.
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
    run_suites "$build_dir" unit
    ;;
  clang)
    build_dir=${NOOK_BUILD_DIR:-$SRCDIR/build-clang}
    CC=clang build "$build_dir" -Dwerror=true
    run_suites "$build_dir" unit
    ;;
  fuzz)
    # CI's pass is deterministic: a fixed seed and number of executions
    # from the seeds alone, so that what passes here passes on a new
    # machine (a time budget explores differently on every run, and a new
    # finding would fail an unrelated push). NOOK_FUZZ_TIME=N runs each
    # target for N seconds instead, exploring afresh.
    if [[ -n ${NOOK_FUZZ_TIME:-} ]]; then
      exec bash "$SRCDIR/tests/fuzz/run.sh" --time "$NOOK_FUZZ_TIME" --work "$SRCDIR/build-fuzz-work"
    fi
    exec bash "$SRCDIR/tests/fuzz/run.sh" --fresh --seed 1 --runs "${NOOK_FUZZ_RUNS:-100000}" \
      --work "$SRCDIR/build-fuzz-work"
    ;;
  demo)
    build_dir=${NOOK_BUILD_DIR:-$SRCDIR/build-tests}
    say "building nook in $build_dir"
    quiet=1 build "$build_dir" -Dwerror=true
    bundle=$build_dir/demo-bundle
    bash "$SRCDIR/tests/fixtures/make-bundle.sh" "$bundle"
    script='for c in id hostname "cat /proc/self/uid_map"; do echo "\$ $c"; $c; done'
    echo "\$ nook run $bundle sh -c '...'"
    status=0
    "$build_dir/launcher/nook" run "$bundle" sh -c "$script" || status=$?
    say "the container exited with status $status"
    exit "$status"
    ;;
esac
