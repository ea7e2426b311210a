#!/usr/bin/env bats
# nook enter and nook stop: sessions in a named container from any
# terminal; the container starts with the first and stops with the last.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  named_container_setup dev
  run --separate-stderr "$NOOK" run --name "$N" "$B" true
  assert_status 0
}

teardown ()
{
  named_container_teardown
}

container_status ()
{
  "$NOOK" list --format json | python3 -c '
import json, sys
for c in json.load(sys.stdin):
    if c.get("id", c.get("name")) == sys.argv[1]:
        print(c["status"])' "$N"
}

@test "enter: starts the stopped container, runs COMMAND, passes its status on, and stops it again" {
  [ "$(container_status)" = stopped ]
  run --separate-stderr "$NOOK" enter "$N" sh -c 'echo in; cat /proc/1/comm; cat /proc/2/cmdline | tr "\0" " "; exit 3'
  assert_status 3
  [[ "${lines[0]}" == in ]]
  [[ "${lines[1]}" == nook-init ]] || fail "PID 1 is not the small init: ${lines[1]}"
  [[ "${lines[2]}" == *"sleep 3600"* ]] || fail "PID 2 is not the idle loop: ${lines[2]}"
  [ "$(container_status)" = stopped ]
  [ ! -e "$(nook_state_root)/$N" ]
}

@test "enter: without COMMAND, a login shell; its changes stay in the container's layer" {
  run --separate-stderr "$NOOK" enter "$N" <<<'echo $0; echo kept > /etc/kept; exit 4'
  assert_status 4
  [[ "$output" == *sh* ]]
  run --separate-stderr "$NOOK" enter "$N" cat /etc/kept
  assert_status 0
  assert_output kept
}

@test "enter: two sessions at once share the container; it stops when the last one leaves" {
  local fifo=$BATS_TEST_TMPDIR/go
  mkfifo "$fifo"
  # The first session waits until the second has written its file.
  "$NOOK" enter "$N" sh -c 'readlink /proc/self/ns/pid > /tmp/first; readlink /proc/self/ns/mnt >> /tmp/first; read x < /dev/stdin; cat /tmp/second' <"$fifo" >"$BATS_TEST_TMPDIR/first.out" 2>&1 &
  local first=$!
  exec 7>"$fifo"
  wait_until 10 test -s "$(nook_state_root)/$N/state.json"
  wait_until 10 "$NOOK" enter "$N" test -e /tmp/first
  run --separate-stderr "$NOOK" enter "$N" sh -c 'readlink /proc/self/ns/pid > /tmp/second; readlink /proc/self/ns/mnt >> /tmp/second; cat /tmp/first'
  assert_status 0
  local ns=$output
  # The second has left, the first still runs: so does the container.
  [ "$(container_status)" = running ]
  echo go >&7
  exec 7>&-
  wait "$first"
  [ "$(cat "$BATS_TEST_TMPDIR/first.out")" = "$ns" ] || fail "namespaces differ: $(cat "$BATS_TEST_TMPDIR/first.out") / $ns"
  [ "$(container_status)" = stopped ]
}

@test "enter: --keep-running leaves it running; nook stop stops it, and a second stop is fine" {
  run --separate-stderr "$NOOK" enter --keep-running "$N" true
  assert_status 0
  [ "$(container_status)" = running ]
  # A later session joins it and leaves it running: enter did not start it.
  run --separate-stderr "$NOOK" enter "$N" true
  [ "$(container_status)" = running ]
  run --separate-stderr "$NOOK" stop "$N"
  assert_status 0
  [ "$(container_status)" = stopped ]
  [ ! -e "$(nook_state_root)/$N" ]
  run --separate-stderr "$NOOK" stop "$N"
  assert_status 0
}

@test "enter: a session killed outright does not keep the container alive for ever" {
  "$NOOK" enter "$N" sleep 100 >/dev/null 2>&1 &
  local pid=$!
  wait_until 10 test -s "$(nook_state_root)/$N/state.json"
  wait_until 10 sh -c "\"$NOOK\" ps \"$N\" | grep -q 'sleep 100'"
  kill -9 "$pid"
  wait "$pid" || true
  # The next session to leave finds no other and stops it.
  run --separate-stderr "$NOOK" enter "$N" true
  assert_status 0
  [ "$(container_status)" = stopped ]
}

@test "enter: an option other than the stored one is refused, naming both" {
  run --separate-stderr "$NOOK" enter --net=host "$N" true
  assert_nook_error 125 "--net=host" "created without --net"
  [ "$(container_status)" = stopped ]
}

@test "enter and stop: bad usage and unknown containers" {
  run --separate-stderr "$NOOK" enter
  assert_nook_error 125 "missing NAME"
  run --separate-stderr "$NOOK" enter nosuch-$N true
  assert_nook_error 125 "no container nosuch-$N" "create --toolbox"
  run --separate-stderr "$NOOK" enter -w relative "$N" true
  assert_nook_error 125 "--workdir relative"
  run --separate-stderr "$NOOK" stop nosuch-$N
  assert_nook_error 125 "nosuch-$N" "does not exist"
  run --separate-stderr "$NOOK" stop -t -5 "$N"
  assert_nook_error 125 "--time"
  run "$NOOK" enter --help
  assert_status 0
  [[ "$output" == *"Usage: nook enter"* ]]
  run "$NOOK" stop --help
  assert_status 0
  [[ "$output" == *"Usage: nook stop"* ]]
}

# A real terminal client: tmux, its server private to the test.
tmux_t () { tmux -S "$BATS_TEST_TMPDIR/tmux.sock" "$@"; }
pane () { tmux_t capture-pane -p -t t; }
pane_has () { pane | grep -q -- "$1"; }

@test "enter: interactive in tmux: a prompt, Ctrl-C stops only the foreground job, a resize reaches the shell" {
  command -v tmux >/dev/null || skip "tmux is not installed"
  export ENV=$BATS_TEST_TMPDIR/nonexistent
  tmux_t -f /dev/null new-session -d -s t -x 80 -y 24 "PS1='nook> ' \"$NOOK\" enter \"$N\"; echo left-\$?; sleep 30"
  wait_until 20 pane_has '[$#] *$\|> *$'
  tmux_t send-keys -t t 'echo hello-$((6*7)) $$' Enter
  wait_until 10 pane_has 'hello-42'
  tmux_t send-keys -t t 'sleep 100; echo after-sleep' Enter
  wait_until 10 sh -c "\"$NOOK\" ps \"$N\" | grep -q 'sleep 100'"
  tmux_t send-keys -t t C-c
  # The job is gone, the shell still answers (and the chained echo did not run).
  wait_until 10 sh -c "! \"$NOOK\" ps \"$N\" | grep -q 'sleep 100'"
  tmux_t send-keys -t t 'echo still-$((2*3))' Enter
  wait_until 10 pane_has 'still-6'
  ! pane_has 'after-sleep'
  tmux_t resize-window -t t -x 100 -y 30
  tmux_t send-keys -t t 'stty size' Enter
  wait_until 10 pane_has '^30 100'
  tmux_t send-keys -t t 'exit 7' Enter
  wait_until 10 pane_has 'left-7'
  tmux_t kill-server || true
  [ "$(container_status)" = stopped ]
}

@test "enter: the session gets the -e the container was made with, as its process does" {
  run --separate-stderr "$NOOK" run --replace --name "$N" -e FROM_RUN=r -e SPACED='a b' "$B" true
  assert_status 0
  run --separate-stderr "$NOOK" enter -e FROM_ENTER=e "$N" sh -c 'echo "$FROM_RUN|$SPACED|$FROM_ENTER"; tr "\0" "\n" </proc/2/environ | grep -c "^FROM_RUN=r$"'
  assert_status 0
  assert_output "r|a b|e
1"
}
