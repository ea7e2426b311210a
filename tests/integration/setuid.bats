#!/usr/bin/env bats
# A setuid binary of container root raises a non-root process's effective
# uid in every rootfs mode (sudo and su in a toolbox container): the root
# filesystem is not mounted nosuid.

load helpers

setup_file ()
{
  nook_default_setup_file
  SHOW_EUID=$BATS_FILE_TMPDIR/show-euid
  if ! cc -static -O2 -o "$SHOW_EUID" "$NOOK_FIXTURES/show-euid.c" 2>"$BATS_FILE_TMPDIR/cc.log"; then
    rm -f "$SHOW_EUID"
  fi
  export SHOW_EUID
}

setup ()
{
  nook_default_setup
  [ -x "$SHOW_EUID" ] || skip_or_fail "cannot build a static show-euid: $(cat "$BATS_FILE_TMPDIR/cc.log")"
  # The bundle's files are the test user's: container root's in the
  # default user namespace, shown as root's by fuse-overlayfs under keep-id.
  cp "$SHOW_EUID" "$B/rootfs/bin/show-euid"
  chmod 4755 "$B/rootfs/bin/show-euid"
  edit_config "$B" 'c["process"]["user"] = {"uid": 2000, "gid": 2000}' \
    'c["process"]["noNewPrivileges"] = False'
}

teardown ()
{
  nook_default_teardown
}

# setuid_run MODE [RUN OPTIONS...]: the owner of /bin/show-euid as the
# container sees it, then "REAL EFFECTIVE" of the process that runs it.
setuid_run ()
{
  local mode=$1
  shift
  [ "$mode" = bind ] || skip_unless_fuse
  run --separate-stderr "$NOOK" run --rootfs="$mode" "$@" "$B" sh -c 'stat -c %u /bin/show-euid; /bin/show-euid'
  assert_status 0
}

@test "setuid: fuse-overlayfs root, default user namespace: euid 0" {
  setuid_run fuse-overlayfs
  assert_output "0
2000 0"
}

@test "setuid: overlay root, default user namespace: euid 0" {
  setuid_run overlay
  assert_output "0
2000 0"
}

@test "setuid: bind root, default user namespace: euid 0" {
  setuid_run bind
  assert_output "0
2000 0"
}

@test "setuid: fuse-overlayfs root, --userns=keep-id: the bundle's root file gives euid 0" {
  setuid_run fuse-overlayfs --userns=keep-id
  assert_output "0
2000 0"
}

# The kernel cannot show the caller's files as root's without idmapped
# mounts: there the binary is the caller's, and the effective uid becomes
# the caller's, which shows the bit is honoured all the same.
@test "setuid: overlay and bind roots, --userns=keep-id: the setuid bit is honoured" {
  local mode
  for mode in overlay bind; do
    setuid_run "$mode" --userns=keep-id
    assert_output "$(id -u)
2000 $(id -u)"
  done
}

@test "setuid: noNewPrivileges still stops it" {
  edit_config "$B" 'c["process"]["noNewPrivileges"] = True'
  setuid_run fuse-overlayfs
  assert_output "0
2000 2000"
}
