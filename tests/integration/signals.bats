#!/usr/bin/env bats
# Exit statuses for signals, and signals sent to nook forwarded to the container.
#
# The container's process is PID 1 of its pid namespace: it only receives the
# signals it has a handler for, hence the traps. Readiness is signalled by a
# file in a bind-mounted host directory; every wait is bounded.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
  SHARED=$BATS_TEST_TMPDIR/shared
  mkdir -p "$SHARED"
  chmod 777 "$SHARED"
  edit_config "$B" "c['mounts'].append({'destination': '/shared', 'type': 'bind', 'source': '$SHARED', 'options': ['rbind', 'rw']})"
}

teardown ()
{
  nook_default_teardown
}

wait_ready ()
{
  wait_until "$NOOK_TEST_TIMEOUT" test -e "$SHARED/ready" ||
    fail "the container did not get ready within ${NOOK_TEST_TIMEOUT}s
--- stdout ---
$(cat "$BATS_TEST_TMPDIR/bg.out" 2>/dev/null)
--- stderr ---
$(cat "$BATS_TEST_TMPDIR/bg.err" 2>/dev/null)"
}

# forward_test SIG: nook gets SIG, the container's trap prints got-SIG and exits 7.
forward_test ()
{
  local sig=$1 name
  name=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" "$B" \
    sh -c "trap 'echo got-$sig; exit 7' $sig; touch /shared/ready; sleep 1000 & wait; echo wait-returned-without-signal"
  wait_ready || return 1
  kill "-$sig" "$BG_PID" || fail "cannot signal nook (pid $BG_PID)"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg" || return 1
  [ "$bg_status" -eq 7 ] || fail "nook exited $bg_status, want 7 (the container's trap status)
--- stdout ---
$(cat "$BATS_TEST_TMPDIR/bg.out")
--- stderr ---
$(cat "$BATS_TEST_TMPDIR/bg.err")"
  [ "$(cat "$BATS_TEST_TMPDIR/bg.out")" = "got-$sig" ] ||
    fail "stdout is '$(cat "$BATS_TEST_TMPDIR/bg.out")', want exactly 'got-$sig'"
  [ ! -s "$BATS_TEST_TMPDIR/bg.err" ] || fail "nook or the container wrote to stderr: $(cat "$BATS_TEST_TMPDIR/bg.err")"
}

@test "signals: container killed by SIGKILL → nook exits 137" {
  local name pid
  name=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" "$B" sleep 100
  pid=$(wait_state_pid "$name") || return 1
  kill -KILL "$pid"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg" || return 1
  [ "$bg_status" -eq 137 ] || fail "nook exited $bg_status, want 137"
  [ ! -s "$BATS_TEST_TMPDIR/bg.err" ] || fail "stderr: $(cat "$BATS_TEST_TMPDIR/bg.err")"
}

@test "signals: SIGTERM forwarded to a process that is not PID 1 kills it → nook exits 143" {
  # Without a pid namespace the process is an ordinary process that SIGTERM
  # kills (nook bind-mounts the host's /proc when it cannot mount its own).
  edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "pid"]'
  start_bg "$BATS_TEST_TMPDIR/bg" run "$B" sh -c 'echo $$ > /shared/pid; touch /shared/ready; exec sleep 100'
  wait_ready || return 1
  wait_until 5 grep -q sleep "/proc/$(cat "$SHARED/pid")/cmdline" || fail "the container did not exec sleep"
  kill -TERM "$BG_PID"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg" || return 1
  [ "$bg_status" -eq 143 ] || fail "nook exited $bg_status, want 143 (stderr: $(cat "$BATS_TEST_TMPDIR/bg.err"))"
}

@test "signals: SIGTERM to nook is forwarded to the container" {
  forward_test TERM
}

@test "signals: SIGUSR1 to nook is forwarded to the container" {
  forward_test USR1
}

@test "signals: SIGHUP to nook is forwarded to the container" {
  forward_test HUP
}

@test "signals: SIGINT to nook is forwarded to the container" {
  forward_test INT
}

@test "signals: SIGUSR2 to nook is forwarded to the container" {
  forward_test USR2
}

@test "signals: nook keeps forwarding after the first signal" {
  local name
  name=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" "$B" \
    sh -c 'n=0; trap '\''n=$((n + 1)); echo usr1-$n; [ $n -ge 2 ] && exit 9'\'' USR1; touch /shared/ready; while :; do sleep 1000 & wait; done'
  wait_ready || return 1
  kill -USR1 "$BG_PID"
  wait_until "$NOOK_TEST_TIMEOUT" grep -q usr1-1 "$BATS_TEST_TMPDIR/bg.out" ||
    fail "the first USR1 did not arrive: $(cat "$BATS_TEST_TMPDIR/bg.out" "$BATS_TEST_TMPDIR/bg.err")"
  kill -0 "$BG_PID" 2>/dev/null || fail "nook exited after the first forwarded signal"
  kill -USR1 "$BG_PID"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg" || return 1
  [ "$bg_status" -eq 9 ] || fail "nook exited $bg_status, want 9"
  [ "$(cat "$BATS_TEST_TMPDIR/bg.out")" = "usr1-1
usr1-2" ] || fail "stdout: $(cat "$BATS_TEST_TMPDIR/bg.out")"
  [ ! -s "$BATS_TEST_TMPDIR/bg.err" ] || fail "stderr: $(cat "$BATS_TEST_TMPDIR/bg.err")"
}

@test "signals: state is removed after a forwarded signal ends the container" {
  local name
  name=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" "$B" \
    sh -c "trap 'exit 0' TERM; touch /shared/ready; sleep 1000 & wait"
  wait_ready || return 1
  [ -d "$(nook_state_root)/$name" ] || fail "no state dir while running"
  kill -TERM "$BG_PID"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg" || return 1
  [ "$bg_status" -eq 0 ] || fail "nook exited $bg_status"
  [ ! -e "$(nook_state_root)/$name" ] || fail "state dir left after exit"
}

@test "signals: the container starts with an empty signal mask and nothing ignored" {
  # nook blocks signals to forward them: the container must not inherit that.
  run --separate-stderr env --default-signal "$NOOK" run "$B" grep -E "^Sig(Blk|Ign):" /proc/self/status
  assert_status 0
  assert_output "SigBlk:	0000000000000000
SigIgn:	0000000000000000"
}
