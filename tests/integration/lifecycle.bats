#!/usr/bin/env bats
# The OCI lifecycle: create, start, state, kill, delete, runc's form of run,
# run -d, --pid-file, --console-socket, --preserve-fds, container ids.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
  ROOT=$BATS_TEST_TMPDIR/root
  ID=$(test_name c)
  edit_config "$B" 'c["process"]["terminal"] = False'
}

teardown ()
{
  "$NOOK" --root "$ROOT" delete -f "$ID" >/dev/null 2>&1 || true
  cleanup_bg
  assert_no_leftovers "$ROOT"
}

nk () { "$NOOK" --root "$ROOT" "$@"; }

# create/run -d whose process keeps nook's stdio: not bats' pipe, or `run`
# would wait for the container to end. Output in $BATS_TEST_TMPDIR/c.out|err.
nk_detached ()
{
  "$NOOK" --root "$ROOT" "$@" >"$BATS_TEST_TMPDIR/c.out" 2>"$BATS_TEST_TMPDIR/c.err" </dev/null
}

state_field ()
{
  nk state "$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

status_is () { [ "$(state_field status)" = "$1" ]; }

@test "lifecycle: create, state created, start, running, kill, stopped, delete" {
  # pid 1 of a pid namespace gets only the signals it handles.
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "trap \"exit 0\" TERM; echo started > /tmp/started; sleep 100 & wait"]'
  nk_detached create --bundle "$B" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" || fail "create: $(cat "$BATS_TEST_TMPDIR/c.err")"
  [ "$(state_field status)" = created ]
  pid=$(state_field pid)
  [ "$pid" = "$(cat "$BATS_TEST_TMPDIR/pid")" ] || fail "pid file $(cat "$BATS_TEST_TMPDIR/pid") != state pid $pid"
  [ "$(state_field bundle)" = "$B" ]
  [ "$(state_field id)" = "$ID" ]
  # The process waits: it has not run the command yet.
  [ ! -e "$B/rootfs/tmp/started" ] || fail "the process ran before start"

  run --separate-stderr nk start "$ID"
  assert_status 0
  [ "$(state_field status)" = running ]
  wait_until "$NOOK_TEST_TIMEOUT" test -e "$B/rootfs/tmp/started" || fail "the process did not run after start"
  [ "$(state_field pid)" = "$pid" ]

  run --separate-stderr nk start "$ID"
  assert_nook_error 125 "is running" "only a created container can be started"

  run --separate-stderr nk delete "$ID"
  assert_nook_error 125 "is running" "delete --force"

  run --separate-stderr nk kill "$ID" SIGTERM
  assert_status 0
  wait_until "$NOOK_TEST_TIMEOUT" status_is stopped || fail "still $(state_field status) after SIGTERM"
  [ "$(state_field pid)" = 0 ]

  run --separate-stderr nk delete "$ID"
  assert_status 0
  [ ! -e "$ROOT/$ID" ] || fail "state dir left: $(ls -la "$ROOT/$ID")"
  run --separate-stderr nk state "$ID"
  assert_nook_error 125 "container $ID does not exist"
}

@test "lifecycle: start returns once the process has exec'd, not when it reads the exec fifo" {
  command -v strace >/dev/null || skip_or_fail "strace is not installed"
  # One id mapped, written by nook itself: newuidmap, setuid, would run
  # without its privileges under strace.
  edit_config "$B" 'c["process"]["args"] = ["sleep", "100"]' \
    "c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $(id -u), 'size': 1}]" \
    "c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $(id -g), 'size': 1}]"
  # Every execve of create and of what it starts held up for 0.3 s, the
  # process's own too: between start's answer and the process there is
  # then time for an exec (or enter) to find pid 2 free.
  strace -f -qq -o /dev/null -e trace=execve -e inject=execve:delay_enter=300000 \
    "$NOOK" --root "$ROOT" create -b "$B" "$ID" \
    >"$BATS_TEST_TMPDIR/c.out" 2>"$BATS_TEST_TMPDIR/c.err" </dev/null &
  NOOK_BG_PIDS+=("$!")
  wait_until "$NOOK_TEST_TIMEOUT" status_is created || fail "create: $(cat "$BATS_TEST_TMPDIR/c.err")"
  pid=$(state_field pid)
  run --separate-stderr nk start "$ID"
  assert_status 0
  exe=$(readlink "/proc/$pid/exe")
  [[ "$exe" == */busybox ]] || fail "start returned before the process's execve: /proc/$pid/exe is $exe"
}

@test "lifecycle: the process keeps nook's stdio and outlives create; exit status by a reaper" {
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "echo out-$0; echo err-$0 >&2", "x"]'
  nk create -b "$B" "$ID" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
  nk start "$ID"
  wait_until "$NOOK_TEST_TIMEOUT" status_is stopped || fail "did not stop"
  wait_until "$NOOK_TEST_TIMEOUT" grep -q out-x "$BATS_TEST_TMPDIR/out" || fail "stdout: $(cat "$BATS_TEST_TMPDIR/out")"
  grep -q err-x "$BATS_TEST_TMPDIR/err" || fail "stderr: $(cat "$BATS_TEST_TMPDIR/err")"
  nk delete "$ID"
}

@test "lifecycle: kill takes names with and without SIG and numbers; bad signal and ids are refused" {
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "trap \"exit 0\" USR1; sleep 100 & wait"]'
  nk_detached create -b "$B" "$ID"
  nk start "$ID"
  run --separate-stderr nk kill "$ID" NOSUCH
  assert_nook_error 125 "unknown signal 'NOSUCH'"
  run --separate-stderr nk kill "$ID" 0
  assert_nook_error 125 "unknown signal '0'"
  run --separate-stderr nk kill "$ID" usr1
  assert_status 0
  wait_until "$NOOK_TEST_TIMEOUT" status_is stopped || fail "SIGUSR1 (by name, lower case) did not stop sleep"
  run --separate-stderr nk kill "$ID" 9
  assert_nook_error 125 "is stopped"
  nk delete "$ID"

  for bad in "a/b" ".." "." "-x" "$(printf 'x%.0s' {1..129})"; do
    run --separate-stderr nk create -b "$B" "$bad"
    assert_status 125
    [[ "$stderr" == *"invalid container id"* || "$stderr" == *"create: unknown option -x (see 'nook create --help')"* ]] || fail "id '$bad': $stderr"
  done
}

@test "lifecycle: a second create of a live id is refused and the first is untouched" {
  edit_config "$B" 'c["process"]["args"] = ["sleep", "100"]'
  nk_detached create -b "$B" "$ID"
  pid=$(state_field pid)
  run --separate-stderr nk create -b "$B" "$ID"
  assert_nook_error 125 "container $ID already exists"
  [ "$(state_field status)" = created ]
  [ "$(state_field pid)" = "$pid" ]
  nk start "$ID"
  [ "$(state_field status)" = running ]
  nk delete -f "$ID"
  [ ! -e "$ROOT/$ID" ]
}

@test "lifecycle: delete -f of a running container; delete -f of none is not an error" {
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "sleep 100 & sleep 100"]'
  nk_detached create -b "$B" "$ID"
  nk start "$ID"
  pid=$(state_field pid)
  run --separate-stderr nk delete --force "$ID"
  assert_status 0
  [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' /proc/$pid/stat)" = Z ] || fail "process $pid still alive"
  [ ! -e "$ROOT/$ID" ]
  run --separate-stderr nk delete -f "$ID"
  assert_status 0
  run --separate-stderr nk delete "$ID"
  assert_nook_error 125 "container $ID does not exist"
}

@test "lifecycle: state after the process died is stopped, and a reused pid does not revive it" {
  edit_config "$B" 'c["process"]["args"] = ["true"]'
  nk_detached create -b "$B" "$ID"
  nk start "$ID"
  wait_until "$NOOK_TEST_TIMEOUT" status_is stopped || fail "did not stop"
  # Point the record at a live process of ours with another start time.
  sleep 100 &
  other=$!
  python3 - "$ROOT/$ID/state.json" "$other" <<'PY'
import json, sys
p = sys.argv[1]; s = json.load(open(p)); s["pid"] = int(sys.argv[2]); json.dump(s, open(p, "w"))
PY
  [ "$(state_field status)" = stopped ] || fail "a live process with another start time counted as the container"
  run --separate-stderr nk kill "$ID" KILL
  assert_nook_error 125 "is stopped"
  kill -0 "$other" || fail "kill signalled a process that is not the container's"
  kill "$other"
  nk delete "$ID"
}

@test "lifecycle: create fails cleanly: missing command 127, bad config 125, nothing left" {
  edit_config "$B" 'c["process"]["args"] = ["/no/such/cmd"]'
  run -127 --separate-stderr nk create -b "$B" "$ID"
  assert_nook_error 127 "/no/such/cmd" "not found"
  [ ! -e "$ROOT/$ID" ] || fail "state left: $(ls -la "$ROOT/$ID")"
  edit_config "$B" 'c["process"]["args"] = "sh"'
  run --separate-stderr nk create -b "$B" "$ID"
  assert_status 125
  [ ! -e "$ROOT/$ID" ]
}

@test "lifecycle: kill -9 of nook during create, then delete: nothing left" {
  # A createRuntime-like stall: the process blocks in a FUSE-less way we
  # control, the exec of nook itself cannot be paused, so kill nook while
  # it waits for the child at sync points, many times, at random moments.
  edit_config "$B" 'c["process"]["args"] = ["sleep", "100"]'
  for i in 1 2 3 4 5 6 7 8; do
    env --default-signal "$NOOK" --root "$ROOT" create -b "$B" "$ID" >/dev/null 2>&1 </dev/null &
    p=$!
    sleep "0.00$((RANDOM % 9))"
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    run --separate-stderr nk delete -f "$ID"
    assert_status 0
    [ ! -e "$ROOT/$ID" ] || fail "round $i: state left: $(ls -la "$ROOT/$ID")"
  done
  wait_until 5 _no_leftover_processes || fail "processes left: $(_leftover_processes)"
}

@test "lifecycle: delete -f of an id not there collects what a killed create left, and only that" {
  # What create leaves when killed before its state directory got the id's
  # name (the round above hits it now and then): .new-PID-STARTTIME-RANDOM.
  local dead live start me=$BASHPID
  mkdir -p -m 0700 "$ROOT"
  sh -c 'exit 0' &
  dead=$!
  wait "$dead"
  mkdir -m 0700 "$ROOT/.new-$dead-1-0000abcd"
  : >"$ROOT/.new-$dead-1-0000abcd/lock"
  # A create still running (this shell, by its pid and start time) is kept.
  start=$(sed 's/.*) //' "/proc/$me/stat" | cut -d' ' -f20)
  live=$ROOT/.new-$me-$start-0000abcd
  mkdir -m 0700 "$live"
  run --separate-stderr nk delete -f "$ID"
  assert_status 0
  [ ! -e "$ROOT/.new-$dead-1-0000abcd" ] || fail "left: $(ls -la "$ROOT")"
  [ -d "$live" ] || fail "the directory of a live create was removed"
  rmdir "$live"
}

@test "lifecycle: run -d detaches, state and kill work; the id is printed" {
  nk_detached run -d "$B" sleep 100 || fail "run -d: $(cat "$BATS_TEST_TMPDIR/c.err")"
  ID=$(cat "$BATS_TEST_TMPDIR/c.out")
  [[ "$ID" =~ ^[0-9a-f]{64}$ ]] || fail "expected a generated id, got '$ID'"
  [ "$(state_field status)" = running ]
  nk kill "$ID" KILL
  wait_until "$NOOK_TEST_TIMEOUT" status_is stopped || fail "did not stop"
  nk delete "$ID"
}

@test "lifecycle: runc's form of run: -b DIR ID, and ID alone in the bundle directory" {
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "echo in-$0; exit 7", "runc"]'
  run --separate-stderr nk run -b "$B" "$ID"
  assert_status 7
  assert_output "in-runc"
  [ ! -e "$ROOT/$ID" ]
  cd "$B"
  run --separate-stderr nk run "$ID"
  assert_status 7
  assert_output "in-runc"
  # The bundle's rootfs in place, as runc: a file written stays in it.
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "echo kept > /kept"]'
  edit_config "$B" 'c["root"]["readonly"] = False'
  run --separate-stderr nk run -b "$B" "$ID"
  assert_status 0
  [ "$(cat "$B/rootfs/kept")" = kept ]
  # nook's form still wins for a bundle directory.
  run --separate-stderr nk run "$B" echo desktop
  assert_status 0
  assert_output "desktop"
  run --separate-stderr nk run -b "$B" "$ID" echo no
  assert_nook_error 125 "takes no COMMAND"
}

@test "lifecycle: --preserve-fds passes fds 3.. into the process, others stay out" {
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "cat <&3; for f in 3 4 5; do [ -e /proc/$$/fd/$f ] && echo open-$f; done; true"]'
  echo from-fd-3 >"$BATS_TEST_TMPDIR/in"
  run --separate-stderr nk run --preserve-fds 1 -b "$B" "$ID" 3<"$BATS_TEST_TMPDIR/in" 4<"$BATS_TEST_TMPDIR/in"
  assert_status 0
  assert_output "from-fd-3
open-3"
  # Without the option, fd 3 stays out as well.
  run --separate-stderr nk run -b "$B" "$ID" 3<"$BATS_TEST_TMPDIR/in"
  assert_status 0
  assert_output ""
}

@test "lifecycle: --console-socket receives the pty of a terminal container; -t without it is refused" {
  edit_config "$B" 'c["process"]["terminal"] = True' 'c["process"]["args"] = ["sh", "-c", "tty; echo hello-pty; sleep 100"]'
  run --separate-stderr nk create -b "$B" "$ID"
  assert_nook_error 125 "--console-socket"
  [ ! -e "$ROOT/$ID" ]
  sock=$BATS_TEST_TMPDIR/console.sock
  python3 - "$sock" >"$BATS_TEST_TMPDIR/console.out" 2>&1 <<'PY' &
import array, os, socket, sys, select
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(1024, socket.CMSG_SPACE(fds.itemsize))
for level, typ, data in anc:
    if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
pty = fds[0]
buf = b""
while b"hello-pty" not in buf:
    r, _, _ = select.select([pty], [], [], 20)
    if not r:
        break
    buf += os.read(pty, 1024)
print(buf.decode(errors="replace"))
PY
  recv=$!
  wait_until "$NOOK_TEST_TIMEOUT" test -S "$sock" || fail "receiver did not start"
  nk_detached create -b "$B" --console-socket "$sock" "$ID" || fail "create: $(cat "$BATS_TEST_TMPDIR/c.err")"
  nk start "$ID"
  wait "$recv"
  grep -q hello-pty "$BATS_TEST_TMPDIR/console.out" || fail "pty output: $(cat "$BATS_TEST_TMPDIR/console.out")"
  grep -q '^/dev/pts/' "$BATS_TEST_TMPDIR/console.out" || fail "no tty inside: $(cat "$BATS_TEST_TMPDIR/console.out")"
  nk delete -f "$ID"
}

@test "lifecycle: the verbs have --help and reject bad usage" {
  for v in create start state kill delete; do
    run --separate-stderr "$NOOK" "$v" --help
    assert_status 0
    assert_output_contains "Usage: nook $v"
  done
  run --separate-stderr nk start
  assert_nook_error 125 "missing container ID"
  run --separate-stderr nk state a b
  assert_nook_error 125 "too many arguments"
  run --separate-stderr nk delete --bogus x
  assert_nook_error 125 "delete:" "--bogus"
}

@test "lifecycle: hooks fire at their verbs: create, start, delete; state shows annotations" {
  local log=$BATS_TEST_TMPDIR/hooks.log kind
  for kind in prestart createRuntime createContainer startContainer poststart poststop; do
    cat >"$BATS_TEST_TMPDIR/$kind.sh" <<SH
#!/bin/sh
status=\$(sed -n 's/.*"status" *: *"\\([a-z]*\\)".*/\\1/p' | head -n 1)
echo "$kind \$status" >>"$log"
SH
    chmod 755 "$BATS_TEST_TMPDIR/$kind.sh"
  done
  # startContainer runs inside the container: the log must be bound in.
  edit_config "$B" \
    'c["process"]["args"] = ["sh", "-c", "trap \"exit 0\" TERM; sleep 100 & wait"]' \
    'c["annotations"] = {"org.example.k": "v"}' \
    'c["mounts"].append({"destination": os.environ["BATS_TEST_TMPDIR"], "type": "bind", "source": os.environ["BATS_TEST_TMPDIR"], "options": ["rbind"]})' \
    'c["hooks"] = {k: [{"path": os.environ["BATS_TEST_TMPDIR"] + "/" + k + ".sh"}] for k in ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]}'
  nk_detached create -b "$B" "$ID" || fail "create: $(cat "$BATS_TEST_TMPDIR/c.err")"
  [ "$(cat "$log")" = "prestart creating
createRuntime creating
createContainer creating" ] || fail "after create: $(cat "$log")"
  nk state "$ID" | python3 -c 'import json, sys; sys.exit(json.load(sys.stdin)["annotations"] != {"org.example.k": "v"})' || fail "annotations: $(nk state "$ID")"
  nk start "$ID"
  wait_until "$NOOK_TEST_TIMEOUT" grep -q startContainer "$log" || fail "startContainer did not run: $(cat "$log")"
  grep -q "^poststart running$" "$log" || fail "after start: $(cat "$log")"
  nk kill "$ID" TERM
  wait_until "$NOOK_TEST_TIMEOUT" status_is stopped || fail "did not stop"
  nk delete "$ID"
  [ "$(tail -n 1 "$log")" = "poststop stopped" ] || fail "after delete: $(cat "$log")"
  [ "$(grep -c . "$log")" = 6 ] || fail "hooks ran: $(cat "$log")"
}

@test "lifecycle: a failing startContainer hook fails start itself, and the process never runs" {
  printf '#!/bin/sh\nexit 4\n' >"$BATS_TEST_TMPDIR/fail.sh"
  chmod 755 "$BATS_TEST_TMPDIR/fail.sh"
  edit_config "$B" \
    'c["process"]["args"] = ["sh", "-c", "echo ran > /ran"]' \
    'c["root"]["readonly"] = False' \
    'c["mounts"].append({"destination": os.environ["BATS_TEST_TMPDIR"], "type": "bind", "source": os.environ["BATS_TEST_TMPDIR"], "options": ["rbind"]})' \
    'c["hooks"] = {"startContainer": [{"path": os.environ["BATS_TEST_TMPDIR"] + "/fail.sh"}]}'
  nk_detached create -b "$B" "$ID" || fail "create: $(cat "$BATS_TEST_TMPDIR/c.err")"
  run --separate-stderr nk start "$ID"
  assert_nook_error 125 "container $ID did not start" "hooks.startContainer[0]" "exited with status 4"
  wait_until "$NOOK_TEST_TIMEOUT" status_is stopped || fail "still $(state_field status)"
  [ ! -e "$B/rootfs/ran" ] || fail "the process ran after its startContainer hook failed"
  nk delete "$ID"
}
