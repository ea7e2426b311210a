# shellcheck shell=bash
# Shared helpers for the bats integration tests of `nook run`.
#
# The suites run as an unprivileged user. meson passes:
#   NOOK           the built nook binary
#   NOOK_SRCDIR    the source root
#   NOOK_FIXTURES  tests/fixtures (make-bundle.sh, seccomp profiles)
# NOOK_TESTS_MUST_WORK=1 turns "cannot run here" skips into failures (CI),
# except where the kernel lacks a feature (skip_or_fail --kernel). Every
# test that cannot run says so through skip_or_fail: no bare skip.

bats_require_minimum_version 1.5.0

: "${NOOK:?NOOK must name the nook binary}"
: "${NOOK_FIXTURES:?NOOK_FIXTURES must name tests/fixtures}"

# Upper bound, in seconds, for every wait on a container.
NOOK_TEST_TIMEOUT=${NOOK_TEST_TIMEOUT:-20}

# A busybox sh script that prints the fds the shell itself holds, as
# "0 1 2 ", using builtins only.  `ls /proc/$$/fd | tr ...` races: the
# shell still holds the pipe's ends while ls reads its fd table, so the
# pipe showed up in one CI run in hundreds.
LIST_OWN_FDS_SH='i=0; while [ $i -lt 1024 ]; do [ -e /proc/$$/fd/$i ] && printf "%s " $i; i=$((i + 1)); done'

# Print a message and fail the current test.
fail ()
{
  printf '%s\n' "$*" >&2
  return 1
}

# The directory nook keeps container state in when --root is not given.
nook_state_root ()
{
  if [ -n "${XDG_RUNTIME_DIR:-}" ]; then
    printf '%s\n' "$XDG_RUNTIME_DIR/nook"
  else
    printf '%s\n' "/tmp/nook-$(id -u)"
  fi
}

# ---------------------------------------------------------------------------
# Bundles

# Build the master bundle of this file once (call from setup_file).
# Extra arguments go to make-bundle.sh (e.g. --seccomp FILE).
build_master_bundle ()
{
  local dir=${1:-$BATS_FILE_TMPDIR/master}
  shift || true
  if [ ! -x "$NOOK_FIXTURES/make-bundle.sh" ]; then
    fail "fixture $NOOK_FIXTURES/make-bundle.sh is missing"
    return 1
  fi
  rm -rf "$dir"
  "$NOOK_FIXTURES/make-bundle.sh" "$dir" "$@" >"$BATS_FILE_TMPDIR/make-bundle.log" 2>&1 ||
    fail "make-bundle.sh $dir $* failed: $(cat "$BATS_FILE_TMPDIR/make-bundle.log")"
}

# Fresh copy of a master bundle for one test: new_bundle [MASTER] [DEST]
# Sets B to the copy (each test gets its own, so tests may edit it freely).
new_bundle ()
{
  local master=${1:-$BATS_FILE_TMPDIR/master}
  local dest=${2:-$BATS_TEST_TMPDIR/bundle}
  [ -f "$master/config.json" ] || fail "master bundle $master was not built (setup_file failed?)"
  rm -rf "$dest"
  cp -a "$master" "$dest" || fail "cannot copy $master to $dest"
  B=$dest
  # Marks the container's processes as this run's (see _is_ours).
  edit_config "$B" 'c["process"].setdefault("env", []).append("NOOK_TEST_RUN=" + os.environ["BATS_RUN_TMPDIR"])'
}

# edit_config BUNDLE_OR_FILE 'python statement on c' ...
# Each statement runs with c (the parsed config), json and os in scope.
edit_config ()
{
  local file=$1
  shift
  [ -d "$file" ] && file=$file/config.json
  python3 - "$file" "$@" <<'EOF' || fail "edit_config $file $* failed"
import json, os, sys
path = sys.argv[1]
with open(path) as f:
    c = json.load(f)
for stmt in sys.argv[2:]:
    exec(stmt, {"c": c, "json": json, "os": os})
with open(path, "w") as f:
    json.dump(c, f, indent=2)
EOF
}

# Print a value of the config: config_get BUNDLE 'python expression on c'
config_get ()
{
  local file=$1
  [ -d "$file" ] && file=$file/config.json
  python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); v = eval(sys.argv[2]); print(v if isinstance(v, str) else json.dumps(v))' "$file" "$2"
}

# ---------------------------------------------------------------------------
# Host capabilities

# Skip (or fail with NOOK_TESTS_MUST_WORK=1) when this host cannot create
# unprivileged user namespaces, which every container needs.
skip_unless_userns ()
{
  if [ -z "${NOOK_TEST_USERNS_OK:-}" ]; then
    if unshare -Ur true >/dev/null 2>&1; then
      NOOK_TEST_USERNS_OK=yes
    else
      NOOK_TEST_USERNS_OK=no
    fi
    export NOOK_TEST_USERNS_OK
  fi
  if [ "$NOOK_TEST_USERNS_OK" = no ]; then
    skip_or_fail "unprivileged user namespaces are not available here ('unshare -Ur true' fails)"
  fi
}

# The default root filesystem mode needs fuse-overlayfs and a /dev/fuse
# the user can open.
skip_unless_fuse ()
{
  if [ ! -w /dev/fuse ] || ! command -v fuse-overlayfs >/dev/null; then
    skip_or_fail "fuse-overlayfs or a usable /dev/fuse is missing (run tests/setup-host.sh)"
  fi
}

# XDG_RUNTIME_DIR, XDG_DATA_HOME and XDG_CACHE_HOME of this test alone
# (0700): whatever is in them after a step is that step's doing.
use_own_xdg_dirs ()
{
  export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run XDG_DATA_HOME=$BATS_TEST_TMPDIR/data
  export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/cache
  mkdir -m 0700 "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
}

# The one rule for a test that cannot run here:
#   skip_or_fail REASON           skips, but fails with NOOK_TESTS_MUST_WORK=1
#                                 (CI): the set-up provides what tests need
#                                 (packages, the test user, ids, devices);
#   skip_or_fail --kernel REASON  skips even in CI: the machine's kernel lacks
#                                 a feature (REASON names it), which no set-up
#                                 can provide.
# The skip reason appears in the summary of tests/run-tests.sh.
skip_or_fail ()
{
  if [ "${1:-}" = --kernel ]; then
    shift
    skip "kernel lacks: $*"
  fi
  if [ "${NOOK_TESTS_MUST_WORK:-0}" = 1 ]; then
    fail "cannot run here (NOOK_TESTS_MUST_WORK=1): $*"
    return 1
  fi
  skip "$*"
}

# ---------------------------------------------------------------------------
# Assertions on `run` results

assert_status ()
{
  local want=$1
  if [ "$status" -ne "$want" ]; then
    fail "expected exit status $want, got $status
--- output ---
$output
--- stderr ---
${stderr:-}"
  fi
}

assert_output ()
{
  if [ "$output" != "$1" ]; then
    fail "expected output:
$1
--- got ---
$output
--- stderr ---
${stderr:-}"
  fi
}

assert_output_contains ()
{
  if [[ "$output" != *"$1"* ]]; then
    fail "expected output to contain '$1'
--- got ---
$output"
  fi
}

assert_output_not_contains ()
{
  if [[ "$output" == *"$1"* ]]; then
    fail "expected output NOT to contain '$1'
--- got ---
$output"
  fi
}

assert_output_matches ()
{
  if ! [[ "$output" =~ $1 ]]; then
    fail "expected output to match /$1/
--- got ---
$output"
  fi
}

assert_stderr ()
{
  if [ "${stderr-}" != "$1" ]; then
    fail "expected stderr:
$1
--- got ---
${stderr-}"
  fi
}

# A nook error: exit status, exactly one line, "nook: " prefix, and each of
# the remaining arguments somewhere in the message.
assert_nook_error ()
{
  local want_status=$1
  shift
  assert_status "$want_status" || return 1
  local text=$output
  if [ -n "${stderr+x}" ] && [ -z "$output" ]; then
    text=$stderr
  fi
  local n
  n=$(printf '%s\n' "$text" | grep -c '')
  [ "$n" -eq 1 ] || fail "expected a one-line error message, got $n lines:
$text"
  [[ "$text" == "nook: "* ]] || fail "expected the message to start with 'nook: ', got:
$text"
  local want
  for want in "$@"; do
    [[ "$text" == *"$want"* ]] || fail "expected the message to mention '$want', got:
$text"
  done
}

# ---------------------------------------------------------------------------
# Waiting, background containers and state

# wait_until SECONDS COMMAND...: poll until COMMAND succeeds (every 50 ms).
wait_until ()
{
  local limit=$1
  shift
  local deadline=$((SECONDS + limit))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# A container name unique to this run and test.
test_name ()
{
  printf 'it-%s-%s-%s\n' "$$" "${BATS_TEST_NUMBER:-0}" "${1:-c}"
}

NOOK_BG_PIDS=()

# start_bg OUTPREFIX NOOK-ARGS...: run nook in the background with stdout and
# stderr in OUTPREFIX.out / OUTPREFIX.err and stdin from /dev/null. Signal
# dispositions are reset to their defaults (a non-interactive shell makes
# background jobs ignore SIGINT/SIGQUIT, an interactive terminal would not).
# env(1) execs nook, so BG_PID is nook's own pid.
start_bg ()
{
  local prefix=$1
  shift
  env --default-signal "$NOOK" "$@" >"$prefix.out" 2>"$prefix.err" </dev/null 3>&- &
  BG_PID=$!
  NOOK_BG_PIDS+=("$BG_PID")
}

# True once PID has exited (gone or a zombie waiting for us).
_exited ()
{
  local st
  st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
  [ -z "$st" ] || [ "$st" = Z ]
}

# wait_bg_exit PID OUTPREFIX [SECONDS]: wait (bounded) for a start_bg nook to
# end; sets bg_status to its exit status.
wait_bg_exit ()
{
  local pid=$1 prefix=$2 limit=${3:-$NOOK_TEST_TIMEOUT}
  if ! wait_until "$limit" _exited "$pid"; then
    fail "nook (pid $pid) did not exit within ${limit}s
--- stdout ---
$(cat "$prefix.out" 2>/dev/null)
--- stderr ---
$(cat "$prefix.err" 2>/dev/null)"
    return 1
  fi
  bg_status=0
  wait "$pid" || bg_status=$?
}

# The state.json of a named container (under ROOT, default state root).
state_file ()
{
  printf '%s\n' "${2:-$(nook_state_root)}/$1/state.json"
}

_state_has_pid ()
{
  [ -s "$1" ] && python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["pid"]; sys.exit(0 if isinstance(p, int) and p > 0 else 1)' "$1" 2>/dev/null
}

# wait_state_pid NAME [ROOT]: wait for state.json to carry the container's pid,
# print the pid.
wait_state_pid ()
{
  local f
  f=$(state_file "$1" "${2:-}")
  if ! wait_until "$NOOK_TEST_TIMEOUT" _state_has_pid "$f"; then
    fail "no state.json with a pid at $f within ${NOOK_TEST_TIMEOUT}s (state dir: $(ls -la "$(dirname "$f")" 2>&1))"
    return 1
  fi
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' "$f"
}

# Kill what start_bg left running: the container process (through its state)
# and nook itself, then wait for them. Called from teardown.
cleanup_bg ()
{
  local pid f cpid
  for f in "$(nook_state_root)"/it-$$-"${BATS_TEST_NUMBER:-0}"-*/state.json ${EXTRA_STATE_FILES:-}; do
    [ -f "$f" ] || continue
    cpid=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' "$f" 2>/dev/null) || continue
    [ -n "$cpid" ] && kill -KILL "$cpid" 2>/dev/null
  done
  for pid in "${NOOK_BG_PIDS[@]}"; do
    if ! wait_until 5 _exited "$pid"; then
      kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
  done
  NOOK_BG_PIDS=()
}

# ---------------------------------------------------------------------------
# Leftovers

# Record what exists before a test (call from setup).
snapshot_state ()
{
  local root
  root=$(nook_state_root)
  STATE_BEFORE=$(find "$root" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort)
}

# Other test runs may share the user (and so the state root): only what this
# bats run started counts. nook inherits BATS_RUN_TMPDIR from the tests; the
# container's processes get NOOK_TEST_RUN (added to every bundle by new_bundle).
#
# Prints the processes of this run that belong to nook or to a container:
# nook itself, anything in a nested PID namespace or in another user namespace.
_leftover_processes ()
{
  python3 - "$(readlink -f "$NOOK")" "$BATS_RUN_TMPDIR" "$$" <<'EOF'
import os, sys
nook, run, me = sys.argv[1], sys.argv[2], sys.argv[3]
marks = {("BATS_RUN_TMPDIR=" + run).encode(), ("NOOK_TEST_RUN=" + run).encode()}
uid = str(os.getuid())
my_userns = os.readlink("/proc/self/ns/user")
for p in os.listdir("/proc"):
    if not p.isdigit() or p in (me, str(os.getpid())):
        continue
    try:
        with open(f"/proc/{p}/status") as f:
            status = dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)
        if status.get("Uid", "").split()[0] != uid:
            continue
        with open(f"/proc/{p}/environ", "rb") as f:
            if not marks & set(f.read().split(b"\0")):
                continue
        exe = ns = ""
        try:
            exe = os.readlink(f"/proc/{p}/exe")
            ns = os.readlink(f"/proc/{p}/ns/user")
        except OSError:
            pass
        nested = len(status.get("NSpid", "").split()) > 1
        if exe == nook or nested or (ns and ns != my_userns):
            with open(f"/proc/{p}/cmdline", "rb") as f:
                print(p, f.read().replace(b"\0", b" ").decode(errors="replace"))
    except (OSError, IndexError):
        continue
EOF
}

_no_leftover_processes ()
{
  [ -z "$(_leftover_processes)" ]
}

# New state directories under ROOT (not in BEFORE) that are this run's: their
# state.json names a bundle of this run, or they have no state.json at all.
_new_state_dirs ()
{
  python3 - "$1" "$BATS_RUN_TMPDIR" "$2" <<'EOF'
import json, os, sys
root, run, before = sys.argv[1], sys.argv[2], set(sys.argv[3].split("\n"))
try:
    names = sorted(os.listdir(root))
except OSError:
    names = []
for n in names:
    d = os.path.join(root, n)
    if d in before or not os.path.isdir(d):
        continue
    try:
        with open(os.path.join(d, "state.json")) as f:
            if not json.load(f).get("bundle", "").startswith(run):
                continue
    except FileNotFoundError:
        pass
    except (OSError, ValueError):
        pass
    print(d)
EOF
}

_no_new_state_dirs ()
{
  [ -z "$(_new_state_dirs "$1" "$2")" ]
}

# assert_no_leftovers [ROOT]: no state directory left under the state root
# (or ROOT) by this test, and no process of nook or of a container of this
# run still alive (allowing a few seconds for them to go away).
assert_no_leftovers ()
{
  local root=${1:-$(nook_state_root)} before=""
  [ "$root" = "$(nook_state_root)" ] && before=${STATE_BEFORE:-}
  local left=""
  wait_until 5 _no_leftover_processes || true
  left=$(_leftover_processes)
  [ -z "$left" ] || fail "processes of nook or of a container are still running:
$left"
  # A directory counts when it is still there after the grace period: other
  # runs sharing the state root have directories without state.json for a
  # moment while their containers start or stop.
  local dirs first
  first=$(_new_state_dirs "$root" "$before")
  if [ -n "$first" ]; then
    wait_until 5 _no_new_state_dirs "$root" "$before" || true
    dirs=$(comm -12 <(printf '%s\n' "$first" | sort) <(_new_state_dirs "$root" "$before" | sort) | sed '/^$/d')
  fi
  [ -z "$dirs" ] || fail "state left behind under $root:
$dirs
$(for d in $dirs; do echo "--- $d"; ls -la "$d" 2>&1; cat "$d/state.json" 2>/dev/null; done)"
}

# ---------------------------------------------------------------------------
# Default per-file hooks (files may override setup/teardown and call these).

nook_default_setup_file ()
{
  build_master_bundle "$BATS_FILE_TMPDIR/master" "$@"
}

nook_default_setup ()
{
  # A --name container keeps its writable layer in XDG_DATA_HOME: each test
  # gets its own, not the user's home.
  export XDG_DATA_HOME=$BATS_TEST_TMPDIR/data
  skip_unless_userns
  snapshot_state
  new_bundle
}

nook_default_teardown ()
{
  cleanup_bg
  assert_no_leftovers
}

# ---------------------------------------------------------------------------
# Imported bundles (nook import) and the Debian 12 fixture

# remove_imported DIR: removes a tree that nook import made (files of your
# subordinate ids), from a user namespace that maps them when plain rm
# cannot.
remove_imported ()
{
  [ -e "$1" ] || [ -L "$1" ] || return 0
  rm -rf "$1" 2>/dev/null && return 0
  unshare --map-root-user --map-auto rm -rf "$1"
}

# Where fixtures that cost a download are kept between runs: the build
# directory (tests/meson.build sets NOOK_TEST_CACHE), else a per-user
# directory under /tmp.
nook_test_cache ()
{
  local dir=${NOOK_TEST_CACHE:-${TMPDIR:-/tmp}/nook-test-cache-$(id -u)}
  mkdir -p "$dir" && printf '%s\n' "$dir"
}

# debian_tarball: sets DEBIAN_TAR to a Debian 12 rootfs tarball
# (mmdebstrap --variant=apt --include=sudo bookworm), made once by
# tests/fixtures/make-debian-rootfs.sh in nook_test_cache (or
# NOOK_TEST_DEBIAN_TAR when set). Skips (fails under NOOK_TESTS_MUST_WORK=1)
# when it cannot be made.
debian_tarball ()
{
  local cache log
  cache=$(nook_test_cache) || return 1
  DEBIAN_TAR=$cache/debian-bookworm.tar
  log=$cache/make-debian-rootfs.log
  # A skip even under NOOK_TESTS_MUST_WORK: the tarball needs Debian's
  # mirror, which is not nook's to make work (setup-host.sh makes it once
  # per machine as root; as the test user mmdebstrap failed in CI runs).
  if ! "$NOOK_FIXTURES/make-debian-rootfs.sh" "$DEBIAN_TAR" >"$log" 2>&1; then
    skip "no Debian 12 rootfs tarball: $(tail -n 3 "$log")"
    return 1
  fi
}

# debian_bundle: sets DEBIAN_BUNDLE to a bundle imported with `nook import`
# from debian_tarball: /etc/shadow root:shadow, sudo setuid root, a login
# shell (/bin/bash -l) as process.args. Imported once into nook_test_cache
# and kept there while the tarball stays the same, so every test file (and
# every run) shares it: do not change it (containers with --name keep
# their changes in their own layer). Call it directly, not in $(...), so
# that its skip reaches the test.
debian_bundle ()
{
  local cache stamp want
  debian_tarball || return 1
  cache=$(nook_test_cache) || return 1
  DEBIAN_BUNDLE=$cache/debian-bundle
  want=$(stat -L -c '%n %s %Y' "$DEBIAN_TAR") || return 1
  (
    flock 9
    stamp=$(cat "$DEBIAN_BUNDLE.stamp" 2>/dev/null || true)
    if [ "$stamp" != "$want" ] || [ ! -f "$DEBIAN_BUNDLE/config.json" ]; then
      rm -f "$DEBIAN_BUNDLE.stamp"
      remove_imported "$DEBIAN_BUNDLE" || exit 1
      "$NOOK" import "$DEBIAN_TAR" "$DEBIAN_BUNDLE" 2>"$cache/debian-import.log" || {
        cat "$cache/debian-import.log" >&2
        exit 1
      }
      printf '%s\n' "$want" >"$DEBIAN_BUNDLE.stamp"
    fi
  ) 9>"$cache/debian-bundle.lock" || fail "nook import of $DEBIAN_TAR failed"
}

# setup of a file about named containers: an XDG_DATA_HOME of the test's
# own (kept layers go there), fuse-overlayfs usable, N the container's name.
named_container_setup ()
{
  nook_default_setup
  export XDG_DATA_HOME=$BATS_TEST_TMPDIR/data
  skip_unless_fuse
  N=$(test_name "${1:-dev}")
}

# teardown to match: N stopped and removed (its layer holds files of
# subordinate ids: only nook can remove them), then nothing may be left.
named_container_teardown ()
{
  cleanup_bg
  "$NOOK" stop -t 0 "$N" >/dev/null 2>&1 || true
  "$NOOK" rm -f "$N" >/dev/null 2>&1 || true
  assert_no_leftovers
}
