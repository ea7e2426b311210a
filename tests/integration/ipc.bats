#!/usr/bin/env bats
# IPC namespaces (SysV isolation both ways, mqueue, /dev/shm), --ipc=host,
# and the other "host" options: --pid=host and --uts=host.

load helpers

setup_file ()
{
  nook_default_setup_file
  # busybox has no ipcmk/ipcrm: a small static helper, usable on the host
  # and inside the bundle alike.
  SYSV_SHM=$BATS_FILE_TMPDIR/sysv-shm
  if command -v cc >/dev/null &&
    cc -static -O2 -o "$SYSV_SHM" "$NOOK_FIXTURES/sysv-shm.c" 2>"$BATS_FILE_TMPDIR/cc.log"; then
    export SYSV_SHM
  else
    export SYSV_SHM=
  fi
}

setup ()
{
  nook_default_setup
  SHM_KEYS=()
}

teardown ()
{
  local k
  for k in "${SHM_KEYS[@]}"; do
    "$SYSV_SHM" remove "$k" >/dev/null 2>&1 || true
  done
  rm -f "/dev/shm/nook-ipc-test-$$"
  nook_default_teardown
}

need_sysv_helper ()
{
  [ -n "$SYSV_SHM" ] || skip_or_fail "cannot build the static SysV helper (cc -static): $(cat "$BATS_FILE_TMPDIR/cc.log" 2>/dev/null)"
  cp "$SYSV_SHM" "$B/rootfs/bin/sysv-shm"
}

# A key unlikely to clash with anything else on the host.
new_key ()
{
  local k=$(( (($$ * 1000 + ${BATS_TEST_NUMBER:-0} * 10 + $1) % 2000000000) + 1 ))
  SHM_KEYS+=("$k")
  echo "$k"
}

@test "ipc: a SysV segment of the host is invisible inside, and the other way round" {
  need_sysv_helper
  local host_key inner_key name
  host_key=$(new_key 1)
  inner_key=$(new_key 2)
  "$SYSV_SHM" create "$host_key" >/dev/null
  name=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" "$B" sh -c "
    sysv-shm has $host_key && echo host-visible
    sysv-shm create $inner_key >/dev/null && echo created
    sleep 30"
  wait_until "$NOOK_TEST_TIMEOUT" grep -q created "$BATS_TEST_TMPDIR/bg.out" ||
    fail "the container did not create its segment: $(cat "$BATS_TEST_TMPDIR/bg.err")"
  ! grep -q host-visible "$BATS_TEST_TMPDIR/bg.out" || fail "the host's segment is visible inside"
  ! "$SYSV_SHM" has "$inner_key" || fail "the container's segment is visible on the host"
  kill -KILL "$(wait_state_pid "$name")"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg"
  # The segment died with the container's IPC namespace.
  ! "$SYSV_SHM" has "$inner_key" || fail "the container's segment leaked to the host"
}

@test "ipc: --ipc=host shares SysV segments both ways" {
  need_sysv_helper
  local host_key inner_key
  host_key=$(new_key 1)
  inner_key=$(new_key 2)
  "$SYSV_SHM" create "$host_key" >/dev/null
  run --separate-stderr "$NOOK" run --ipc=host "$B" sh -c "
    sysv-shm has $host_key && echo host-visible
    sysv-shm create $inner_key >/dev/null && echo created
    readlink /proc/self/ns/ipc"
  assert_status 0
  assert_output "host-visible
created
$(readlink /proc/self/ns/ipc)"
  "$SYSV_SHM" has "$inner_key" || fail "the segment made inside is not on the host"
}

@test "ipc: a fresh IPC namespace gets a new mqueue mount and a fresh /dev/shm" {
  echo host >"/dev/shm/nook-ipc-test-$$"
  run --separate-stderr "$NOOK" run "$B" sh -c "
    grep -E ' /dev/(mqueue|shm) ' /proc/mounts | cut -d' ' -f1-3
    ls /dev/shm"
  assert_status 0
  assert_output "shm /dev/shm tmpfs
mqueue /dev/mqueue mqueue"
}

@test "ipc: --ipc=host binds the host's /dev/shm (and /dev/mqueue when the host has one)" {
  echo host >"/dev/shm/nook-ipc-test-$$"
  run --separate-stderr "$NOOK" run --ipc=host "$B" sh -c "
    cat /dev/shm/nook-ipc-test-$$
    echo inside >/dev/shm/nook-ipc-test-$$
    grep -c ' /dev/mqueue ' /proc/mounts || true"
  assert_status 0
  local mq=0
  grep -q ' /dev/mqueue ' /proc/mounts && mq=1
  assert_output "host
$mq"
  [ "$(cat "/dev/shm/nook-ipc-test-$$")" = inside ] || fail "write inside did not reach the host's /dev/shm"
}

@test "ipc: unknown values of --ipc, --pid and --uts are usage errors" {
  run --separate-stderr "$NOOK" run --ipc=private "$B" true
  assert_nook_error 125 "--ipc" "private" "host"
  run --separate-stderr "$NOOK" run --pid=container "$B" true
  assert_nook_error 125 "--pid" "container"
  run --separate-stderr "$NOOK" run --uts=x "$B" true
  assert_nook_error 125 "--uts"
}

@test "host namespaces: --pid=host shares the caller's PID namespace and binds its /proc" {
  run --separate-stderr "$NOOK" run --pid=host "$B" sh -c 'readlink /proc/self/ns/pid; echo $$; test -d /proc/1 && echo proc-1'
  assert_status 0
  local lines
  mapfile -t lines <<<"$output"
  [ "${lines[0]}" = "$(readlink /proc/self/ns/pid)" ] || fail "not the host's pid namespace: $output"
  [ "${lines[1]}" -gt 1 ] || fail "the process is pid 1 in a new namespace: $output"
  [ "${lines[2]}" = proc-1 ] || fail "/proc is not the host's: $output"
}

@test "host namespaces: --uts=host keeps the host's name and ignores the config's" {
  run --separate-stderr "$NOOK" run --uts=host "$B" sh -c 'hostname; readlink /proc/self/ns/uts'
  assert_status 0
  assert_output "$(hostname)
$(readlink /proc/self/ns/uts)"
  run --separate-stderr "$NOOK" run "$B" hostname
  assert_output "nook"
}
