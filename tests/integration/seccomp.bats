#!/usr/bin/env bats
# linux.seccomp: filters are loaded and enforced; bad profiles are reported.

load helpers

setup_file ()
{
  build_master_bundle "$BATS_FILE_TMPDIR/deny-mkdir" --seccomp "$NOOK_FIXTURES/seccomp-deny-mkdir.json"
  build_master_bundle "$BATS_FILE_TMPDIR/default-profile" --seccomp "$NOOK_FIXTURES/seccomp-default.json"
  build_master_bundle "$BATS_FILE_TMPDIR/master"
  # Runs nook under a filter that makes the kernel refuse a seccomp flag.
  ATTACK=$BATS_FILE_TMPDIR/filter-store-attack
  if ! cc -static -O2 -o "$ATTACK" "$NOOK_FIXTURES/filter-store-attack.c" 2>"$BATS_FILE_TMPDIR/cc.log"; then
    ATTACK=
  fi
  export ATTACK
}

setup ()
{
  skip_unless_userns
  snapshot_state
  # Each test gets a private filter store, so that runs do not depend on
  # what earlier tests (or the user) compiled.
  export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/cache
}

teardown ()
{
  nook_default_teardown
}

@test "seccomp: deny-mkdir profile: mkdir fails with 'Operation not permitted'" {
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  run --separate-stderr "$NOOK" run "$B" mkdir /tmp/x
  [ "$status" -ne 0 ] || fail "mkdir succeeded under a filter that denies it"
  [ "$status" -ne 125 ] || fail "nook itself failed (125): $stderr"
  [[ "$stderr" == *"Operation not permitted"* ]] || fail "stderr: $stderr"
  [ ! -e "$B/rootfs/tmp/x" ] || fail "/tmp/x was created"
}

@test "seccomp: deny-mkdir profile: other syscalls work (touch /tmp/y)" {
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  run --separate-stderr "$NOOK" run --rootfs=bind "$B" sh -c 'touch /tmp/y && echo touched'
  assert_status 0
  assert_output "touched"
  [ -e "$B/rootfs/tmp/y" ] || fail "/tmp/y is not in the rootfs"
}

@test "seccomp: deny-mkdir profile: the filter is inherited by children (sh → mkdir)" {
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  run --separate-stderr "$NOOK" run "$B" sh -c '/bin/busybox mkdir /tmp/x; echo rc=$?; /bin/busybox mkdir -p /tmp/a/b; echo rc=$?'
  assert_status 0
  assert_output "rc=1
rc=1"
}

@test "seccomp: /proc/self/status shows filter mode 2 with a profile, 0 without" {
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  run --separate-stderr "$NOOK" run "$B" grep '^Seccomp:' /proc/self/status
  assert_status 0
  assert_output_matches '^Seccomp:[[:space:]]+2$'
  new_bundle "$BATS_FILE_TMPDIR/master"
  run --separate-stderr "$NOOK" run "$B" grep '^Seccomp:' /proc/self/status
  assert_status 0
  assert_output_matches '^Seccomp:[[:space:]]+0$'
}

@test "seccomp: errnoRet is honoured (EACCES → 'Permission denied')" {
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  edit_config "$B" 'c["linux"]["seccomp"]["syscalls"][0]["errnoRet"] = 13'
  run --separate-stderr "$NOOK" run "$B" mkdir /tmp/x
  [ "$status" -ne 0 ] || fail "mkdir succeeded"
  [[ "$stderr" == *"Permission denied"* ]] || fail "stderr: $stderr"
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills the container with SIGSYS (exit 159)" {
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  edit_config "$B" 'c["linux"]["seccomp"]["syscalls"][0]["action"] = "SCMP_ACT_KILL_PROCESS"' \
    'c["linux"]["seccomp"]["syscalls"][0].pop("errnoRet", None)'
  run --separate-stderr "$NOOK" run "$B" mkdir /tmp/x
  assert_status 159
  [ ! -e "$B/rootfs/tmp/x" ] || fail "/tmp/x was created"
}

@test "seccomp: a rule with an argument condition (chmod to mode 0700 only)" {
  new_bundle "$BATS_FILE_TMPDIR/master"
  # busybox chmod calls chmod(2) (fchmodat(2) on some builds): mode is
  # argument 1 of chmod and 2 of fchmodat.
  edit_config "$B" 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 1, "value": 448, "op": "SCMP_CMP_EQ"}]},
    {"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 2, "value": 448, "op": "SCMP_CMP_EQ"}]}]}'
  run --separate-stderr "$NOOK" run "$B" sh -c 'touch /tmp/f; chmod 700 /tmp/f; echo rc=$?; chmod 750 /tmp/f; echo rc=$?; stat -c %a /tmp/f'
  assert_status 0
  assert_output "rc=1
rc=0
750"
}

@test "seccomp: default profile: true" {
  new_bundle "$BATS_FILE_TMPDIR/default-profile"
  run --separate-stderr "$NOOK" run "$B" true
  assert_status 0
  assert_stderr ""
}

@test "seccomp: default profile: sh -c 'echo ok'" {
  new_bundle "$BATS_FILE_TMPDIR/default-profile"
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo ok'
  assert_status 0
  assert_output "ok"
  assert_stderr ""
}

@test "seccomp: default profile: ls /" {
  new_bundle "$BATS_FILE_TMPDIR/default-profile"
  run --separate-stderr "$NOOK" run "$B" ls /
  assert_status 0
  assert_output_contains "bin"
  assert_output_contains "proc"
  assert_stderr ""
}

@test "seccomp: default profile: everyday commands (pipes, files, sleep, ps)" {
  new_bundle "$BATS_FILE_TMPDIR/default-profile"
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo a > /tmp/f && cat /tmp/f | wc -l && mkdir /tmp/d && sleep 0.1 && ps >/dev/null && grep -c . /etc/passwd'
  assert_status 0
  assert_output "1
3"
  assert_stderr ""
}

@test "seccomp: default profile: a denied call fails with EPERM (unshare -U, allowed without the profile)" {
  # Creating a user namespace needs no capability: only the filter stops it.
  new_bundle "$BATS_FILE_TMPDIR/master"
  run --separate-stderr "$NOOK" run "$B" sh -c 'unshare -U true; echo rc=$?'
  assert_status 0
  [ "$output" = "rc=0" ] || skip_or_fail "unshare -U does not work in a container without seccomp here: $output $stderr"
  new_bundle "$BATS_FILE_TMPDIR/default-profile"
  run --separate-stderr "$NOOK" run "$B" sh -c 'unshare -U true; echo rc=$?'
  assert_status 0
  assert_output "rc=1"
  [[ "$stderr" == *"Operation not permitted"* ]] || fail "stderr: $stderr"
}

@test "seccomp: the same profile twice (filter store) gives the same behaviour" {
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  run --separate-stderr "$NOOK" run "$B" sh -c 'mkdir /tmp/x; echo rc=$?'
  assert_status 0
  assert_output "rc=1"
  run --separate-stderr "$NOOK" run "$B" sh -c 'mkdir /tmp/x; echo rc=$?'
  assert_status 0
  assert_output "rc=1"
}

@test "seccomp: an unknown syscall name only warns (stderr names it), the run works" {
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  edit_config "$B" 'c["linux"]["seccomp"]["syscalls"].append({"names": ["nook_no_such_syscall"], "action": "SCMP_ACT_ERRNO"})'
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo ran; mkdir /tmp/x 2>/dev/null; echo rc=$?'
  assert_status 0
  assert_output "ran
rc=1"
  [[ "$stderr" == *"nook_no_such_syscall"* ]] || fail "stderr does not name the unknown syscall: '$stderr'"
}

@test "seccomp: an unknown action in a rule → 125 naming linux.seccomp...action" {
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  edit_config "$B" 'c["linux"]["seccomp"]["syscalls"][0]["action"] = "SCMP_ACT_BOGUS"'
  run "$NOOK" run "$B" true
  assert_nook_error 125 "linux.seccomp" "action"
  assert_output_matches 'linux\.seccomp\.syscalls\[0\]\.action'
}

@test "seccomp: an unknown defaultAction → 125 naming linux.seccomp.defaultAction" {
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  edit_config "$B" 'c["linux"]["seccomp"]["defaultAction"] = "SCMP_ACT_NOPE"'
  run "$NOOK" run "$B" true
  assert_nook_error 125 "linux.seccomp.defaultAction"
}

@test "seccomp: an unknown architecture → 125 naming it" {
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  edit_config "$B" 'c["linux"]["seccomp"]["architectures"] = ["SCMP_ARCH_NOPE"]'
  run "$NOOK" run "$B" true
  assert_nook_error 125 "SCMP_ARCH_NOPE"
}

# mkdir under the deny-mkdir profile with linux.seccomp.flags set to $1 (a
# JSON list), nook run through $2... (a wrapper, may be empty).
run_with_flags ()
{
  local flags=$1
  shift
  new_bundle "$BATS_FILE_TMPDIR/deny-mkdir"
  edit_config "$B" "c['linux']['seccomp']['flags'] = $flags" \
    'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": os.getuid(), "size": 1}]' \
    'c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": os.getgid(), "size": 1}]'
  run --separate-stderr "$@" "$NOOK" run "$B" sh -c 'mkdir /denied; echo rc=$?; grep ^Seccomp: /proc/self/status'
  assert_status 0
  assert_output "rc=1
Seccomp:	2"
}

@test "seccomp: flags the kernel supports are loaded without a word" {
  run_with_flags '["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]'
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
}

@test "seccomp: a flag the kernel refuses is named in a warning, and the filter loads without it" {
  [ -n "$ATTACK" ] || skip_or_fail "cannot build the static helper (cc -static): $(cat "$BATS_FILE_TMPDIR/cc.log")"
  # Control: under the wrapper, seccomp(2) with SECCOMP_FILTER_FLAG_LOG (2)
  # does fail with EINVAL.
  run "$ATTACK" without-seccomp-flag 2 -- "$ATTACK" probe-flag 2
  assert_output "EINVAL"
  run_with_flags '["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]' "$ATTACK" without-seccomp-flag 2 --
  assert_stderr "nook: warning: linux.seccomp.flags: SECCOMP_FILTER_FLAG_LOG is not supported by this kernel: the filter is loaded without it
mkdir: can't create directory '/denied': Operation not permitted"
}

@test "seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (no notify listener) is named in a warning" {
  run_with_flags '["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
  assert_stderr "nook: warning: linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV applies only to a notify listener (SCMP_ACT_NOTIFY), which nook does not create: the filter is loaded without it
mkdir: can't create directory '/denied': Operation not permitted"
}
