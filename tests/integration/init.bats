#!/usr/bin/env bats
# nook-init as the container's PID 1 (nook run's default, --init; --no-init):
# signals reach the process, self-signals give 128+N, zombies are reaped.
#
# Waits are on conditions (the process running, gone, a zombie), each
# bounded by NOOK_TEST_TIMEOUT.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
  # A number no other sleep on the host is given: pgrep finds this test's.
  SLEEP=1$$$BATS_TEST_NUMBER$RANDOM
}

teardown ()
{
  nook_default_teardown
}

# True while the container's `sleep $SLEEP` runs (the caller's uid: the
# container's root is the caller).
sleep_runs ()
{
  pgrep -u "$(id -u)" -f "^sleep $SLEEP\$" >/dev/null
}

sleep_gone ()
{
  ! sleep_runs
}

# signal_test SIG STATUS: nook run B sleep, SIG to nook, nook exits STATUS.
signal_test ()
{
  start_bg "$BATS_TEST_TMPDIR/bg" run "$B" sleep "$SLEEP"
  wait_until "$NOOK_TEST_TIMEOUT" sleep_runs ||
    fail "sleep did not start: $(cat "$BATS_TEST_TMPDIR/bg.err")" || return 1
  kill "-$1" "$BG_PID"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg" || return 1
  [ "$bg_status" -eq "$2" ] || fail "nook exited $bg_status, want $2 (stderr: $(cat "$BATS_TEST_TMPDIR/bg.err"))"
  [ ! -s "$BATS_TEST_TMPDIR/bg.err" ] || fail "stderr: $(cat "$BATS_TEST_TMPDIR/bg.err")"
}

@test "init: SIGINT to nook stops nook run B sleep (no handler in the container) → 130" {
  signal_test INT 130
}

@test "init: SIGTERM to nook stops nook run B sleep → 143" {
  signal_test TERM 143
}

@test "init: a process killed by its own signal gives 128+N, as on the host" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'kill -SEGV $$'
  assert_status 139
  assert_stderr ""
  run --separate-stderr "$NOOK" run "$B" sh -c 'kill -TERM $$'
  assert_status 143
  run --separate-stderr "$NOOK" run "$B" sh -c 'kill -INT $$'
  assert_status 130
}

@test "init: exit codes pass through (0, 3, 255)" {
  local code
  for code in 0 3 255; do
    run --separate-stderr "$NOOK" run "$B" sh -c "exit $code"
    assert_status "$code"
    assert_stderr ""
  done
}

@test "init: the process is PID 2, PID 1 is nook-init, with no fd open" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo $$; tr "\0" " " </proc/1/cmdline; echo; ls /proc/1/fd | wc -l'
  assert_status 0
  assert_output "2
nook-init 2 
0"
}

# /proc/self/exe is then the loader, not nook: nook-init is found through
# argv[0] (the build tree's nook-init is not installed in NOOK_LIBEXECDIR).
@test "init: nook run by the dynamic loader (ld.so nook run) finds nook-init next to nook" {
  local ldso
  command -v readelf >/dev/null || skip "no readelf"
  ldso=$(readelf -lW "$NOOK" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
  [ -x "$ldso" ] || skip "no program interpreter in $NOOK"
  run --separate-stderr "$ldso" "$NOOK" run "$B" sh -c 'tr "\0" " " </proc/1/cmdline'
  assert_status 0
  assert_output "nook-init 2 "
  # A relative argv[0] too.
  cd "${NOOK%/*}"
  run --separate-stderr "$ldso" ./nook run "$B" sh -c 'tr "\0" " " </proc/1/cmdline'
  assert_status 0
  assert_output "nook-init 2 "
}

@test "init: --no-init: the process is PID 1, with the OCI semantics" {
  run --separate-stderr "$NOOK" run --no-init "$B" sh -c 'echo $$'
  assert_status 0
  assert_output "1"
  # PID 1 without a handler ignores even its own SIGSEGV.
  run --separate-stderr "$NOOK" run --no-init "$B" sh -c 'kill -SEGV $$; echo still-here'
  assert_status 0
  assert_output "still-here"
}

@test "init: the process's signal mask and dispositions are its own (empty)" {
  run --separate-stderr env --default-signal "$NOOK" run "$B" grep -E "^Sig(Blk|Ign):" /proc/self/status
  assert_status 0
  assert_output "SigBlk:	0000000000000000
SigIgn:	0000000000000000"
}

@test "init: exec failures still give 127 and 126 with their message" {
  run --separate-stderr "$NOOK" run "$B" no-such-command
  assert_status 127
  assert_output ""
  [[ "$stderr" == "nook: "*"no-such-command"*"not found"* ]] || fail "stderr: $stderr"
  run --separate-stderr "$NOOK" run "$B" /etc/passwd
  assert_status 126
  [[ "$stderr" == "nook: "*"/etc/passwd"* ]] || fail "stderr: $stderr"
}

# orphan_state NAME PID: the state letter of PID inside container NAME
# (seen through nook exec, which joins its pid namespace), or "gone".
orphan_state ()
{
  "$NOOK" exec "$1" sh -c "if [ -e /proc/$2/stat ]; then cut -d' ' -f3 /proc/$2/stat; else echo gone; fi"
}

orphan_is ()
{
  [ "$(orphan_state "$1" "$2")" = "$3" ]
}

# zombie_test INIT-OPTION WANT: an orphan whose parent exits; the process
# then execs sleep, which reaps nothing. With the init the orphan is reaped
# (gone); with --no-init it stays a zombie of PID 1.
zombie_test ()
{
  local name orphan shared=$BATS_TEST_TMPDIR/shared
  name=$(test_name)
  mkdir -m 777 "$shared"
  edit_config "$B" "c['mounts'].append({'destination': '/shared', 'type': 'bind', 'source': '$shared', 'options': ['rbind', 'rw']})"
  start_bg "$BATS_TEST_TMPDIR/bg" run $1 --name "$name" "$B" \
    sh -c 'sh -c "sleep 1 & echo \$! >/shared/orphan"; touch /shared/ready; exec sleep '"$SLEEP"
  wait_until "$NOOK_TEST_TIMEOUT" test -e "$shared/ready" ||
    fail "not ready: $(cat "$BATS_TEST_TMPDIR/bg.err")" || return 1
  orphan=$(cat "$shared/orphan")
  wait_until "$NOOK_TEST_TIMEOUT" orphan_is "$name" "$orphan" "$2" ||
    fail "orphan $orphan is '$(orphan_state "$name" "$orphan")', want '$2'"
}

@test "init: orphans are reaped (nook exec sees them gone)" {
  zombie_test "" gone
}

@test "init: --no-init: an orphan stays a zombie of a PID 1 that does not reap" {
  zombie_test --no-init Z
}

@test "init: nook exec joins the container with nook-init as PID 1" {
  local name
  name=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" "$B" sleep "$SLEEP"
  wait_until "$NOOK_TEST_TIMEOUT" sleep_runs || fail "sleep did not start" || return 1
  run --separate-stderr "$NOOK" exec "$name" sh -c 'tr "\0" " " </proc/1/cmdline; echo; tr "\0" " " </proc/2/cmdline'
  assert_status 0
  assert_output "nook-init 2 
sleep $SLEEP "
}

@test "init: --pid=host has no pid namespace: no init" {
  run --separate-stderr "$NOOK" run --pid=host "$B" sh -c 'tr "\0" " " </proc/$PPID/cmdline'
  assert_status 0
  assert_output_not_contains "nook-init"
}

@test "init: OCI forms: off by default, --init turns it on" {
  local id=it-$$-$BATS_TEST_NUMBER
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "echo $$"]' 'c["process"]["terminal"] = False'
  run --separate-stderr bash -c 'cd "$1" && "$2" run "$3"' _ "$B" "$NOOK" "$id-b"
  assert_status 0
  assert_output "1"
  run --separate-stderr bash -c 'cd "$1" && "$2" run --init "$3"' _ "$B" "$NOOK" "$id-c"
  assert_status 0
  assert_output "2"
  # The detached process writes to a file: a pipe would keep run waiting.
  "$NOOK" create --init -b "$B" "$id-d" >"$BATS_TEST_TMPDIR/d.out" 2>&1 </dev/null ||
    fail "create --init: $(cat "$BATS_TEST_TMPDIR/d.out")" || return 1
  "$NOOK" start "$id-d" || fail "start failed" || return 1
  wait_until "$NOOK_TEST_TIMEOUT" bash -c '"$1" state "$2" | grep -q "\"status\" *: *\"stopped\""' _ "$NOOK" "$id-d" ||
    fail "$id-d did not stop"
  "$NOOK" delete "$id-d" || fail "delete failed" || return 1
  [ "$(cat "$BATS_TEST_TMPDIR/d.out")" = 2 ] || fail "create --init: the process printed '$(cat "$BATS_TEST_TMPDIR/d.out")', want 2"
  run --separate-stderr "$NOOK" run --init --no-init "$B"
  assert_nook_error 125 "--init and --no-init"
}

@test "init: -t: Ctrl-C stops nook run -t B sleep (the process has the terminal's foreground)" {
  command -v script >/dev/null || skip_or_fail "script(1) from util-linux is not installed"
  local fifo=$BATS_TEST_TMPDIR/pty-stdin
  mkfifo "$fifo"
  (
    wait_until "$NOOK_TEST_TIMEOUT" sleep_runs || exit 1
    printf '\003' >"$fifo"
  ) &
  run --separate-stderr timeout "$NOOK_TEST_TIMEOUT" script -qec "$(printf '%q run -t %q sleep %s; echo rc=$?' "$NOOK" "$B" "$SLEEP")" /dev/null <>"$fifo"
  output=${output//$'\r'/}
  assert_status 0
  assert_output_contains "rc=130"
}

@test "init: -t: Ctrl-C stops the foreground job of an interactive sh, the shell survives" {
  command -v script >/dev/null || skip_or_fail "script(1) from util-linux is not installed"
  local fifo=$BATS_TEST_TMPDIR/pty-stdin
  mkfifo "$fifo"
  (
    printf 'sleep %s\n' "$SLEEP" >"$fifo"
    wait_until "$NOOK_TEST_TIMEOUT" sleep_runs || exit 1
    printf '\003' >"$fifo"
    wait_until "$NOOK_TEST_TIMEOUT" sleep_gone || exit 1
    printf 'echo survived-$?\nexit 5\n' >"$fifo"
  ) &
  run --separate-stderr timeout "$NOOK_TEST_TIMEOUT" script -qec "$(printf '%q run -t %q sh' "$NOOK" "$B")" /dev/null <>"$fifo"
  output=${output//$'\r'/}
  assert_status 5
  assert_output_contains "survived-130"
}
