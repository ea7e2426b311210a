#!/usr/bin/env bats
# process.terminal, -t/--tty, -T/--no-tty: a pty for the container when the
# caller has a terminal, and the caller's terminal left as it was.
#
# util-linux script(1) gives the commands a pty: `script -qec CMD /dev/null`.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
  command -v script >/dev/null || skip_or_fail "script(1) from util-linux is not installed"
  SHARED=$BATS_TEST_TMPDIR/shared
  mkdir -p "$SHARED"
  chmod 777 "$SHARED"
  edit_config "$B" "c['mounts'].append({'destination': '/shared', 'type': 'bind', 'source': '$SHARED', 'options': ['rbind', 'rw']})"
}

teardown ()
{
  nook_default_teardown
}

# in_pty 'shell command': run it on a fresh pty; $output has the \r removed.
# script's stdin is a FIFO opened read-write: it never delivers data nor EOF
# (on EOF of its stdin script would type an end-of-file character into the
# pty, which the container's terminal would echo).
in_pty ()
{
  local fifo=$BATS_TEST_TMPDIR/pty-stdin
  [ -p "$fifo" ] || mkfifo "$fifo"
  run --separate-stderr timeout "$NOOK_TEST_TIMEOUT" script -qec "$1" /dev/null <>"$fifo"
  output=${output//$'\r'/}
}

q ()
{
  printf '%q' "$1"
}

@test "terminal: terminal true without a terminal on stdin → no pty, silently" {
  edit_config "$B" 'c["process"]["terminal"] = True'
  run --separate-stderr "$NOOK" run "$B" tty </dev/null
  assert_status 1
  assert_output "not a tty"
  assert_stderr ""
}

@test "terminal: terminal true on a pty → the container gets /dev/pts/0 of its own devpts" {
  edit_config "$B" 'c["process"]["terminal"] = True'
  in_pty "$(q "$NOOK") run $(q "$B") sh -c 'tty; ls -1 /dev/pts'"
  assert_status 0
  assert_output "/dev/pts/0
0
ptmx"
}

@test "terminal: stdout and stderr both reach the caller through the pty" {
  edit_config "$B" 'c["process"]["terminal"] = True'
  in_pty "$(q "$NOOK") run $(q "$B") sh -c 'echo to-out; echo to-err >&2; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys'"
  assert_status 0
  assert_output "to-out
to-err
all-ttys"
}

@test "terminal: the window size is copied to the container's pty (stty size)" {
  edit_config "$B" 'c["process"]["terminal"] = True'
  in_pty "stty rows 33 cols 101; $(q "$NOOK") run $(q "$B") stty size"
  assert_status 0
  assert_output "33 101"
}

@test "terminal: a window size change reaches the container (SIGWINCH)" {
  edit_config "$B" 'c["process"]["terminal"] = True'
  # The container reports every size it is told about and ends on the new one.
  cat >"$B/rootfs/winch.sh" <<'EOF'
trap 's=$(stty size); echo "$s"; [ "$s" = "40 120" ] && exit 0' WINCH
touch /shared/ready
while :; do
  sleep 10 &
  wait
done
EOF
  # In the background on the same pty: once the container is ready, resize
  # the caller's terminal, which sends SIGWINCH to nook.
  cat >"$BATS_TEST_TMPDIR/resize.sh" <<EOF
i=0
while [ ! -e $(q "$SHARED/ready") ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
stty rows 40 cols 120 </dev/tty
EOF
  in_pty "stty rows 10 cols 20; sh $(q "$BATS_TEST_TMPDIR/resize.sh") & $(q "$NOOK") run $(q "$B") sh /winch.sh"
  assert_status 0
  [ "$(printf '%s\n' "$output" | tail -n 1)" = "40 120" ] || fail "the container did not see the new size 40 120:
$output"
}

@test "terminal: the exit status comes through with a pty" {
  edit_config "$B" 'c["process"]["terminal"] = True'
  in_pty "$(q "$NOOK") run $(q "$B") sh -c 'exit 3'"
  assert_status 3
}

@test "terminal: input typed on the terminal reaches the container" {
  edit_config "$B" 'c["process"]["terminal"] = True'
  # The container reads one line; the host side types it once the container
  # is ready (a pipe into script would race with nook's terminal set-up).
  run --separate-stderr timeout "$NOOK_TEST_TIMEOUT" bash -c '
    { i=0; while [ ! -e "$3/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; sleep 0.2; printf "typed-line\n"; sleep 5; } |
      script -qec "$(printf "%q run %q sh -c %q" "$1" "$2" "touch /shared/ready; read l; echo got:\$l")" /dev/null' _ "$NOOK" "$B" "$SHARED"
  output=${output//$'\r'/}
  assert_status 0
  assert_output_contains "got:typed-line"
}

@test "terminal: -T/--no-tty on a pty → no pty even with terminal true" {
  edit_config "$B" 'c["process"]["terminal"] = True'
  in_pty "$(q "$NOOK") run -T $(q "$B") sh -c 'ls -1 /dev/pts; tty'"
  assert_status 1
  assert_output "ptmx
not a tty"
  in_pty "$(q "$NOOK") run --no-tty $(q "$B") sh -c 'tty'"
  assert_status 1
  assert_output "not a tty"
}

@test "terminal: -t/--tty on a pty → a pty even with terminal false" {
  edit_config "$B" 'c["process"]["terminal"] = False'
  in_pty "$(q "$NOOK") run -t $(q "$B") tty"
  assert_status 0
  assert_output "/dev/pts/0"
  in_pty "$(q "$NOOK") run --tty $(q "$B") tty"
  assert_status 0
  assert_output "/dev/pts/0"
}

@test "terminal: terminal false on a pty → no pty for the container" {
  edit_config "$B" 'c["process"]["terminal"] = False'
  in_pty "$(q "$NOOK") run $(q "$B") ls -1 /dev/pts"
  assert_status 0
  # The caller's pty is passed through as is, but no pty of the container's
  # own devpts is allocated.
  assert_output "ptmx"
}

@test "terminal: -t without a terminal on stdin fails with 125 and says why" {
  run --separate-stderr "$NOOK" run -t "$B" true </dev/null
  assert_status 125
  [[ "$stderr" == "nook: "* ]] || fail "stderr: $stderr"
  [[ "$stderr" == *tty* || "$stderr" == *terminal* ]] || fail "the message does not mention the terminal: $stderr"
}

@test "terminal: the caller's terminal settings are restored (stty -g before/after)" {
  edit_config "$B" 'c["process"]["terminal"] = True'
  in_pty "stty -g > $(q "$BATS_TEST_TMPDIR/before"); $(q "$NOOK") run $(q "$B") sh -c 'stty raw -echo; exit 4'; echo rc=\$?; stty -g > $(q "$BATS_TEST_TMPDIR/after")"
  assert_status 0
  assert_output "rc=4"
  [ -s "$BATS_TEST_TMPDIR/before" ] || fail "no stty -g output before"
  [ "$(cat "$BATS_TEST_TMPDIR/before")" = "$(cat "$BATS_TEST_TMPDIR/after")" ] ||
    fail "terminal settings changed: before $(cat "$BATS_TEST_TMPDIR/before"), after $(cat "$BATS_TEST_TMPDIR/after")"
}

@test "terminal: settings restored when the container is killed by a signal" {
  edit_config "$B" 'c["process"]["terminal"] = True'
  local name
  name=$(test_name)
  # In the background on the same pty: once the container is ready, kill its
  # process (pid from state.json).
  cat >"$BATS_TEST_TMPDIR/killer.sh" <<EOF
i=0
while [ \$i -lt 200 ]; do
  pid=\$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' $(q "$(state_file "$name")") 2>/dev/null)
  if [ -e $(q "$SHARED/ready") ] && [ -n "\$pid" ]; then kill -KILL "\$pid"; exit 0; fi
  sleep 0.05
  i=\$((i + 1))
done
EOF
  in_pty "stty -g > $(q "$BATS_TEST_TMPDIR/before"); bash $(q "$BATS_TEST_TMPDIR/killer.sh") & $(q "$NOOK") run --name $(q "$name") $(q "$B") sh -c 'touch /shared/ready; sleep 100'; echo rc=\$?; stty -g > $(q "$BATS_TEST_TMPDIR/after")"
  assert_status 0
  assert_output "rc=137"
  [ "$(cat "$BATS_TEST_TMPDIR/before")" = "$(cat "$BATS_TEST_TMPDIR/after")" ] ||
    fail "terminal settings changed: before $(cat "$BATS_TEST_TMPDIR/before"), after $(cat "$BATS_TEST_TMPDIR/after")"
}
