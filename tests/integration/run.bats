#!/usr/bin/env bats
# `nook run`: exit status, stdio, COMMAND vs process.args, state, --root.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
}

teardown ()
{
  nook_default_teardown
}

@test "run: true exits 0 and prints nothing" {
  run --separate-stderr "$NOOK" run "$B" true
  assert_status 0
  assert_output ""
  assert_stderr ""
}

@test "run: false exits 1" {
  run --separate-stderr "$NOOK" run "$B" false
  assert_status 1
  assert_output ""
  assert_stderr ""
}

@test "run: the container's exit status is nook's (sh -c 'exit 42')" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'exit 42'
  assert_status 42
  assert_stderr ""
}

@test "run: stdout and stderr stay separate and exact" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo out; echo err >&2'
  assert_status 0
  assert_output "out"
  assert_stderr "err"
}

@test "run: stdout and stderr are the caller's file descriptors" {
  "$NOOK" run "$B" sh -c 'printf "a\nb\n"; printf "c" >&2' >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
  [ "$(od -An -c "$BATS_TEST_TMPDIR/out" | tr -s ' ')" = " a \n b \n" ] ||
    fail "stdout bytes differ: $(od -An -c "$BATS_TEST_TMPDIR/out")"
  [ "$(cat "$BATS_TEST_TMPDIR/err")" = "c" ] || fail "stderr: $(cat "$BATS_TEST_TMPDIR/err")"
}

@test "run: stdin from a pipe (echo hello | nook run B cat)" {
  run --separate-stderr bash -c 'echo hello | "$1" run "$2" cat' _ "$NOOK" "$B"
  assert_status 0
  assert_output "hello"
  assert_stderr ""
}

@test "run: stdin and stdout redirected to files (cat < file > out)" {
  local in=$BATS_TEST_TMPDIR/in out=$BATS_TEST_TMPDIR/out
  printf 'line 1\nline 2\n\tno newline at end' >"$in"
  "$NOOK" run "$B" cat <"$in" >"$out" || fail "nook run exited $?"
  cmp "$in" "$out" || fail "output file differs from input file"
}

@test "run: COMMAND overrides process.args" {
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "echo from-config"]'
  run --separate-stderr "$NOOK" run "$B" echo from-cli
  assert_status 0
  assert_output "from-cli"
}

@test "run: process.args from the config when no COMMAND is given" {
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "echo from-config; exit 3"]'
  run --separate-stderr "$NOOK" run "$B"
  assert_status 3
  assert_output "from-config"
  assert_stderr ""
}

@test "run: arguments reach the container unchanged (spaces, globs, empty, options)" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'for a in "$@"; do echo "[$a]"; done' sh 'a b' '*' '' --name -t
  assert_status 0
  assert_output "[a b]
[*]
[]
[--name]
[-t]"
}

@test "run: '--' between BUNDLE and COMMAND separates them (nook run B -- cmd)" {
  run --separate-stderr "$NOOK" run "$B" -- echo after-dashes
  assert_status 0
  assert_output "after-dashes"
}

@test "run: 1 MB of output through a pipe arrives intact" {
  head -c 1048576 /dev/urandom >"$B/rootfs/big"
  local want got
  want=$(sha256sum <"$B/rootfs/big" | cut -d' ' -f1)
  got=$("$NOOK" run "$B" cat /big | sha256sum | cut -d' ' -f1)
  [ "$got" = "$want" ] || fail "checksum of the output $got differs from the file's $want"
}

@test "run: 1 MB of input through a pipe arrives intact" {
  head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/big"
  local want got
  want=$(sha256sum <"$BATS_TEST_TMPDIR/big" | cut -d' ' -f1)
  got=$(cat "$BATS_TEST_TMPDIR/big" | "$NOOK" run "$B" sha256sum | cut -d' ' -f1)
  [ "$got" = "$want" ] || fail "checksum inside $got differs from the host's $want"
}

@test "run: the container's root is the bundle's rootfs (marker file visible)" {
  echo "marker-$$-$RANDOM" >"$B/rootfs/marker"
  run --separate-stderr "$NOOK" run "$B" cat /marker
  assert_status 0
  assert_output "$(cat "$B/rootfs/marker")"
}

@test "run: state dir with state.json holding the pid exists while running, gone after" {
  local name root pid
  name=$(test_name)
  root=$(nook_state_root)
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" "$B" sleep 100
  pid=$(wait_state_pid "$name") || return 1
  [ -d "$root/$name" ] || fail "no state dir $root/$name"
  [ "$(stat -c %a "$root")" = 700 ] || fail "state root $root has mode $(stat -c %a "$root"), want 700"
  kill -0 "$pid" 2>/dev/null || fail "pid $pid from state.json is not alive"
  # The pid must be the container's PID 1, in a nested pid namespace:
  # nook-init, whose child is the sleep.
  grep -q '^NSpid:.*[[:space:]]1$' "/proc/$pid/status" ||
    fail "pid $pid is not PID 1 of a nested pid namespace: $(grep NSpid "/proc/$pid/status")"
  grep -q nook-init "/proc/$pid/cmdline" || fail "pid $pid runs $(tr '\0' ' ' <"/proc/$pid/cmdline"), not nook-init"
  _child_sleeps () { grep -q sleep "/proc/$(cat "/proc/$pid/task/$pid/children" | tr -d ' ')/cmdline" 2>/dev/null; }
  wait_until "$NOOK_TEST_TIMEOUT" _child_sleeps || fail "the child of pid $pid is not sleep"
  grep -q "\"$name\"" "$root/$name/state.json" || fail "state.json does not name the container: $(cat "$root/$name/state.json")"
  kill -KILL "$pid"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg" || return 1
  [ "$bg_status" -eq 137 ] || fail "nook exited $bg_status, want 137"
  [ ! -e "$root/$name" ] || fail "state dir $root/$name still exists after the container exited"
}

@test "run: a second container with the same --name fails with 125 'already running'" {
  local name pid
  name=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" "$B" sleep 100
  pid=$(wait_state_pid "$name") || return 1
  run "$NOOK" run --name "$name" "$B" true
  assert_status 125
  assert_output_contains "already running"
  assert_output_contains "$name"
  # The first one must be untouched.
  kill -0 "$pid" 2>/dev/null || fail "the first container died"
  [ -f "$(state_file "$name")" ] || fail "the first container's state was removed"
  kill -KILL "$pid"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg"
}

@test "run: a --name can be reused once the container has exited" {
  local name
  name=$(test_name)
  run "$NOOK" run --name "$name" "$B" true
  assert_status 0
  run "$NOOK" run --name "$name" "$B" true
  assert_status 0
}

@test "run: --root DIR keeps the state there, not in the default root" {
  local name root pid
  name=$(test_name)
  root=$BATS_TEST_TMPDIR/state
  EXTRA_STATE_FILES="$root/$name/state.json"
  start_bg "$BATS_TEST_TMPDIR/bg" --root "$root" run --name "$name" "$B" sleep 100
  pid=$(wait_state_pid "$name" "$root") || return 1
  [ ! -e "$(nook_state_root)/$name" ] || fail "state also in the default root $(nook_state_root)"
  kill -KILL "$pid"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg" || return 1
  [ ! -e "$root/$name" ] || fail "state dir $root/$name still exists after exit"
  assert_no_leftovers "$root"
}

@test "run: --config FILE uses that file instead of BUNDLE/config.json" {
  cp "$B/config.json" "$BATS_TEST_TMPDIR/other.json"
  edit_config "$BATS_TEST_TMPDIR/other.json" 'c["process"]["args"] = ["echo", "other-config"]'
  edit_config "$B" 'c["process"]["args"] = ["echo", "bundle-config"]'
  run --separate-stderr "$NOOK" run --config "$BATS_TEST_TMPDIR/other.json" "$B"
  assert_status 0
  assert_output "other-config"
}

@test "run: --help exits 0 and describes the options" {
  run --separate-stderr "$NOOK" run --help
  assert_status 0
  assert_output_contains "BUNDLE"
  assert_output_contains "--name"
  assert_output_contains "--config"
  assert_output_contains "--tty"
}

@test "run: the caller's environment does not leak into the container" {
  run --separate-stderr env NOOK_HOST_ONLY_VAR=leak "$NOOK" run "$B" env
  assert_status 0
  assert_output_not_contains "NOOK_HOST_ONLY_VAR"
}

@test "run: the caller's working directory does not matter" {
  cd /
  run --separate-stderr "$NOOK" run "$B" pwd
  assert_status 0
  assert_output "/"
}

@test "run: a relative BUNDLE path works" {
  cd "$(dirname "$B")"
  run --separate-stderr "$NOOK" run "$(basename "$B")" echo relative
  assert_status 0
  assert_output "relative"
}

@test "run: nothing is left behind after a normal run" {
  run "$NOOK" run "$B" sh -c 'sleep 100 & sleep 100 & exit 0'
  assert_status 0
  assert_no_leftovers
}
