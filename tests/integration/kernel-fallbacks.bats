#!/usr/bin/env bats
# nook on a kernel without close_range (5.11), openat2 (5.6), pidfd_open
# (5.3) or clone3 (5.3), or under an engine's seccomp profile that denies
# them: the fallbacks keep what the calls guarantee.
#
# tests/shims/enosys.c, LD_PRELOADed into nook only, makes the calls fail
# with ENOSYS and logs each failure, so every test also checks that the
# fallback really ran. (A seccomp filter would be kernel-level, but an
# unprivileged user can only install one under no_new_privs, which turns
# the setuid newuidmap/newgidmap off: the default id mappings could not be
# tested. nook makes these calls through syscall(2), which the shim wraps.)

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
  [ -f "${NOOK_ENOSYS_SHIM:-}" ] || fail "NOOK_ENOSYS_SHIM (the built tests/shims/enosys.c) is not set"
  ENOSYS=close_range,openat2,pidfd_open,clone3
  ENOSYS_LOG=$BATS_TEST_TMPDIR/enosys.log
  : >"$ENOSYS_LOG"
}

teardown ()
{
  local dir
  # Containers of the lifecycle test, if it failed half-way.
  for dir in "$BATS_TEST_TMPDIR"/root/*/; do
    [ -d "$dir" ] && "$NOOK" --root "$BATS_TEST_TMPDIR/root" delete -f "$(basename "$dir")" >/dev/null 2>&1
  done
  nook_default_teardown
}

# nook, with the calls in $ENOSYS failing.
enosys_nook ()
{
  env LD_PRELOAD="$NOOK_ENOSYS_SHIM" NOOK_ENOSYS="$ENOSYS" NOOK_ENOSYS_LOG="$ENOSYS_LOG" "$NOOK" "$@"
}

# start_bg with nook under the shim.
enosys_start_bg ()
{
  local prefix=$1
  shift
  env --default-signal LD_PRELOAD="$NOOK_ENOSYS_SHIM" NOOK_ENOSYS="$ENOSYS" \
    NOOK_ENOSYS_LOG="$ENOSYS_LOG" "$NOOK" "$@" >"$prefix.out" 2>"$prefix.err" </dev/null 3>&- &
  BG_PID=$!
  NOOK_BG_PIDS+=("$BG_PID")
}

# The shim failed NAME at least once: the fallback ran.
assert_fell_back ()
{
  grep -qx "$1" "$ENOSYS_LOG" || fail "nook never called $1 (the shim logged: $(sort -u "$ENOSYS_LOG" | tr '\n' ' ')): the test did not reach the fallback"
}

@test "kernel-fallbacks: run without openat2: the process runs, /proc is mounted" {
  ENOSYS=openat2
  run --separate-stderr enosys_nook run "$B" sh -c 'echo hello; grep -c " /proc .* - proc " /proc/self/mountinfo'
  assert_status 0
  assert_output "hello
1"
  assert_fell_back openat2
}

@test "kernel-fallbacks: without openat2, symlinked destinations resolve inside the rootfs" {
  local outside=$BATS_TEST_TMPDIR/outside host=$BATS_TEST_TMPDIR/hostdir
  mkdir -p "$host"
  echo from-host >"$host/file"
  # Absolute, climbing with .., and dangling (created at its target).
  ln -s "$outside/abs" "$B/rootfs/abs"
  ln -s "../../../../../../../../../..$outside/rel" "$B/rootfs/rel"
  ln -s ../foo/bar "$B/rootfs/etc/x"
  edit_config "$B" "c['mounts'] += [
    {'destination': '/abs/sub', 'type': 'tmpfs', 'source': 'tmpfs'},
    {'destination': '/rel/sub', 'type': 'tmpfs', 'source': 'tmpfs'},
    {'destination': '/etc/x', 'type': 'bind', 'source': '$host', 'options': ['rbind', 'rprivate']}]"
  run --separate-stderr enosys_nook run --rootfs=bind "$B" sh -c \
    "grep -c ' $outside/abs/sub .* - tmpfs ' /proc/self/mountinfo; grep -c ' $outside/rel/sub .* - tmpfs ' /proc/self/mountinfo; cat /foo/bar/file"
  assert_status 0
  assert_output "1
1
from-host"
  assert_fell_back openat2
  [ ! -e "$outside" ] || fail "nook created $outside on the host: $(find "$outside")"
  [ -d "$B/rootfs$outside/abs/sub" ] || fail "the absolute symlink's target was not made inside the rootfs"
  [ -d "$B/rootfs$outside/rel/sub" ] || fail "the climbing symlink's target was not made inside the rootfs"
  [ -d "$B/rootfs/foo/bar" ] || fail "the dangling symlink's target was not made inside the rootfs"
  [ ! -e "$B/foo" ] || fail "nook created $B/foo, outside the rootfs"
}

@test "kernel-fallbacks: without openat2, a symlink loop as a destination fails naming it" {
  ENOSYS=openat2
  ln -s loop "$B/rootfs/loop"
  edit_config "$B" "c['mounts'].append({'destination': '/loop', 'type': 'tmpfs', 'source': 'tmpfs'})"
  run --separate-stderr enosys_nook run "$B" true
  assert_status 125
  [[ "$stderr" == *"/loop"*"symbolic links"* ]] || fail "stderr does not name /loop and ELOOP: $stderr"
  assert_fell_back openat2
}

@test "kernel-fallbacks: without close_range, no fd nook inherited reaches the process" {
  ENOSYS=close_range
  run --separate-stderr enosys_nook run "$B" sh -c "$LIST_OWN_FDS_SH" \
    3<"$BATS_TEST_DIRNAME/helpers.bash" 10<"$BATS_TEST_DIRNAME/helpers.bash" 251<"$BATS_TEST_DIRNAME/helpers.bash"
  assert_status 0
  assert_output "0 1 2 "
  assert_fell_back close_range
}

@test "kernel-fallbacks: without close_range or /proc in the container, no fd nook inherited reaches the process" {
  ENOSYS=close_range
  edit_config "$B" "c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/proc']"
  # No /proc to list: a redirection from each fd tells whether it is open.
  run --separate-stderr enosys_nook run "$B" sh -c \
    '[ -e /proc/self ] && echo proc-mounted; for fd in 0 1 2 3 10 251; do (true <&$fd) 2>/dev/null && printf "%s " $fd; done; echo' \
    3<"$BATS_TEST_DIRNAME/helpers.bash" 10<"$BATS_TEST_DIRNAME/helpers.bash" 251<"$BATS_TEST_DIRNAME/helpers.bash"
  assert_status 0
  assert_output "0 1 2 "
  assert_fell_back close_range
}

@test "kernel-fallbacks: without close_range, a hook gets no fd of nook's" {
  ENOSYS=close_range
  local out=$BATS_TEST_TMPDIR/hook-fds
  # exec: a redirection of one command would show the fd (10) the host's
  # dash saves stdout in.
  edit_config "$B" "c.setdefault('hooks', {})['createRuntime'] = [{'path': '/bin/sh', 'args': ['sh', '-c', 'exec >$out; $LIST_OWN_FDS_SH'], 'env': ['PATH=/usr/bin:/bin']}]"
  run --separate-stderr enosys_nook run "$B" true 12<"$BATS_TEST_DIRNAME/helpers.bash" 251<"$BATS_TEST_DIRNAME/helpers.bash"
  assert_status 0
  [ "$(cat "$out")" = "0 1 2 " ] || fail "the hook had fds '$(cat "$out")', want '0 1 2 '"
  assert_fell_back close_range
}

@test "kernel-fallbacks: without clone3, run: a pid namespace of its own, exit status and streams as the process's" {
  ENOSYS=clone3
  # PID 1 is nook-init, the process PID 2: both forks took the fallback.
  run --separate-stderr enosys_nook run "$B" sh -c 'echo $$; echo err >&2; exit 3'
  assert_status 3
  assert_output 2
  assert_stderr err
  assert_fell_back clone3
}

@test "kernel-fallbacks: with all four missing, run and a hook run" {
  local out=$BATS_TEST_TMPDIR/hook-ran
  edit_config "$B" "c.setdefault('hooks', {})['createRuntime'] = [{'path': '/bin/sh', 'args': ['sh', '-c', 'echo ran > $out']}]"
  run --separate-stderr enosys_nook run "$B" sh -c 'echo $$'
  assert_status 0
  assert_output 2
  [ "$(cat "$out")" = ran ] || fail "the createRuntime hook did not run"
  for call in clone3 openat2 close_range; do
    assert_fell_back "$call"
  done
}

@test "kernel-fallbacks: a signalfd that cannot be made is an error, not a wait forever" {
  ENOSYS=signalfd
  run --separate-stderr timeout -s KILL "$NOOK_TEST_TIMEOUT" env LD_PRELOAD="$NOOK_ENOSYS_SHIM" \
    NOOK_ENOSYS="$ENOSYS" NOOK_ENOSYS_LOG="$ENOSYS_LOG" "$NOOK" run "$B" true
  # nook blocks SIGTERM (it forwards it): timeout kills with SIGKILL, 137.
  [ "$status" -ne 137 ] || fail "nook still waited after ${NOOK_TEST_TIMEOUT}s"
  output=$stderr assert_nook_error 125 signalfd "not implemented"
  assert_fell_back signalfd
}

@test "kernel-fallbacks: exec: a signalfd that cannot be made is an error, not a wait forever" {
  local name
  name=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" "$B" sleep 1000
  wait_state_pid "$name" >/dev/null || return 1
  ENOSYS=signalfd
  run --separate-stderr timeout -s KILL "$NOOK_TEST_TIMEOUT" env LD_PRELOAD="$NOOK_ENOSYS_SHIM" \
    NOOK_ENOSYS="$ENOSYS" NOOK_ENOSYS_LOG="$ENOSYS_LOG" "$NOOK" exec "$name" true
  [ "$status" -ne 137 ] || fail "nook exec still waited after ${NOOK_TEST_TIMEOUT}s"
  output=$stderr assert_nook_error 125 signalfd "not implemented"
  assert_fell_back signalfd
}

# The OCI lifecycle of a detached container, every command under the shim.
@test "kernel-fallbacks: without pidfd_open, create, start, exec, kill and delete -f" {
  local root=$BATS_TEST_TMPDIR/root id pid
  id=$(test_name c)
  ENOSYS=close_range,openat2,pidfd_open,clone3
  edit_config "$B" 'c["process"]["terminal"] = False'
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "trap \"exit 0\" USR1; touch /tmp/started; sleep 1000 & wait"]'
  enosys_nook --root "$root" create --bundle "$B" "$id" >"$BATS_TEST_TMPDIR/c.out" 2>"$BATS_TEST_TMPDIR/c.err" </dev/null ||
    fail "create: $(cat "$BATS_TEST_TMPDIR/c.err")"
  run --separate-stderr enosys_nook --root "$root" start "$id"
  assert_status 0
  wait_until "$NOOK_TEST_TIMEOUT" test -e "$B/rootfs/tmp/started" || fail "the process did not run after start"
  pid=$("$NOOK" --root "$root" state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')

  run --separate-stderr enosys_nook --root "$root" exec "$id" sh -c 'echo exec-ran; [ -e /tmp/started ] && echo same-root'
  assert_status 0
  assert_output "exec-ran
same-root"

  run --separate-stderr enosys_nook --root "$root" kill "$id" USR1
  assert_status 0
  wait_until "$NOOK_TEST_TIMEOUT" sh -c "[ ! -e /proc/$pid ] || [ \"\$(awk '{print \$3}' /proc/$pid/stat)\" = Z ]" ||
    fail "the process did not end on the forwarded USR1"
  "$NOOK" --root "$root" delete "$id"

  enosys_nook --root "$root" create --bundle "$B" "$id" >"$BATS_TEST_TMPDIR/c.out" 2>"$BATS_TEST_TMPDIR/c.err" </dev/null ||
    fail "create: $(cat "$BATS_TEST_TMPDIR/c.err")"
  enosys_nook --root "$root" start "$id"
  pid=$("$NOOK" --root "$root" state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  run --separate-stderr enosys_nook --root "$root" delete -f "$id"
  assert_status 0
  [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ] || fail "process $pid still alive after delete -f"
  [ ! -e "$root/$id" ] || fail "delete -f left $root/$id"
  assert_fell_back pidfd_open
  assert_no_leftovers "$root"
}

@test "kernel-fallbacks: without pidfd_open, a hook's timeout still holds" {
  ENOSYS=pidfd_open
  edit_config "$B" "c.setdefault('hooks', {})['createRuntime'] = [{'path': '/bin/sh', 'args': ['sh', '-c', 'exec sleep 100 >/dev/null 2>&1 </dev/null'], 'timeout': 1}]"
  run --separate-stderr timeout -s KILL "$NOOK_TEST_TIMEOUT" env LD_PRELOAD="$NOOK_ENOSYS_SHIM" \
    NOOK_ENOSYS="$ENOSYS" NOOK_ENOSYS_LOG="$ENOSYS_LOG" "$NOOK" run "$B" true
  [ "$status" -ne 137 ] || fail "the hook ran past its timeout: nook still waited after ${NOOK_TEST_TIMEOUT}s"
  output=$stderr assert_nook_error 125 "hooks.createRuntime[0]" "timed out after 1 s"
  assert_fell_back pidfd_open
}

@test "kernel-fallbacks: without pidfd_open, signals to nook reach the container's process" {
  local name
  name=$(test_name)
  ENOSYS=close_range,openat2,pidfd_open,clone3
  mkdir -p "$BATS_TEST_TMPDIR/shared" && chmod 777 "$BATS_TEST_TMPDIR/shared"
  edit_config "$B" "c['mounts'].append({'destination': '/shared', 'type': 'bind', 'source': '$BATS_TEST_TMPDIR/shared', 'options': ['rbind', 'rw']})"
  enosys_start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" "$B" \
    sh -c "trap 'echo got-TERM; exit 7' TERM; touch /shared/ready; sleep 1000 & wait"
  wait_until "$NOOK_TEST_TIMEOUT" test -e "$BATS_TEST_TMPDIR/shared/ready" || fail "the container did not get ready: $(cat "$BATS_TEST_TMPDIR/bg.err")"
  kill -TERM "$BG_PID"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg" || return 1
  [ "$bg_status" -eq 7 ] || fail "nook exited $bg_status, want 7: $(cat "$BATS_TEST_TMPDIR/bg.err")"
  [ "$(cat "$BATS_TEST_TMPDIR/bg.out")" = got-TERM ] || fail "stdout: $(cat "$BATS_TEST_TMPDIR/bg.out")"
  for call in clone3 openat2 close_range; do
    assert_fell_back "$call"
  done
}
