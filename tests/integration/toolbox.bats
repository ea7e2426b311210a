#!/usr/bin/env bats
# Toolbox containers: nook create --toolbox NAME BUNDLE, entered with nook
# enter as the calling user.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  named_container_setup tb
  # A bundle with sudo's files, a sudo group and a read-only root.
  TB=$BATS_TEST_TMPDIR/tb
  cp -a "$B" "$TB"
  mkdir -p "$TB/rootfs/etc/sudoers.d"
  echo 'sudo:x:27:' >> "$TB/rootfs/etc/group"
  python3 - "$TB/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["root"]["readonly"] = True
json.dump(c, open(sys.argv[1], "w"))
PY
}

teardown ()
{
  named_container_teardown
}

@test "toolbox: create stores the toolbox options and starts nothing" {
  run --separate-stderr "$NOOK" create --toolbox "$N" "$TB"
  assert_status 0
  assert_output "$N"
  local meta=$XDG_DATA_HOME/nook/containers/$N/layer.json
  python3 - "$meta" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))["options"]
for want in ["--userns=keep-id", "--group-add=keep-groups", "--net=host", "--ipc=host", "--uts=host", "--toolbox"]:
    assert want in o, (want, o)
PY
  [ ! -e "$(nook_state_root)/$N" ]
}

@test "toolbox: enter is you, with your name, shell, home and the host's network; root via --root" {
  run --separate-stderr "$NOOK" create --toolbox "$N" "$TB"
  assert_status 0
  run --separate-stderr "$NOOK" enter "$N" sh -c 'id -u; id -g; id -un; echo $HOME $USER; grep "^$(id -un):" /etc/passwd | cut -d: -f6,7; readlink /proc/self/ns/net; readlink /proc/self/ns/ipc; hostname'
  assert_status 0
  local shell
  shell=$(getent passwd "$(id -un)" | cut -d: -f7)
  [[ $shell == /* ]] || shell=/bin/sh
  assert_output "$(id -u)
$(id -g)
$(id -un)
$HOME $(id -un)
$HOME:$shell
$(readlink /proc/self/ns/net)
$(readlink /proc/self/ns/ipc)
$(hostname)"
  run --separate-stderr "$NOOK" enter --root "$N" sh -c 'id -u; echo $HOME'
  assert_status 0
  assert_output "0
/root"
}

@test "toolbox: passwordless sudo set up when the bundle has sudo, and the sudo group" {
  run --separate-stderr "$NOOK" create --toolbox "$N" "$TB"
  assert_status 0
  run --separate-stderr "$NOOK" enter --root "$N" sh -c 'stat -c "%u:%g %a" /etc/sudoers.d/nook-toolbox; cat /etc/sudoers.d/nook-toolbox; grep ^sudo: /etc/group'
  assert_status 0
  assert_output "0:0 440
$(id -un) ALL=(ALL:ALL) NOPASSWD: ALL
sudo:x:27:$(id -un)"
  # A second start adds nothing twice.
  run --separate-stderr "$NOOK" enter --root "$N" sh -c 'grep -c "^$(ls /home 2>/dev/null | head -1)" /etc/passwd >/dev/null; grep ^sudo: /etc/group; grep -c ":$(stat -c %u /proc/1)" /etc/passwd'
  assert_status 0
  [[ "${lines[0]}" == "sudo:x:27:$(id -un)" ]]
  # The bundle itself is untouched.
  [ ! -e "$TB/rootfs/etc/sudoers.d/nook-toolbox" ]
  grep -qx 'sudo:x:27:' "$TB/rootfs/etc/group"
}

@test "toolbox: the root is writable whatever the config says, and changes are kept" {
  run --separate-stderr "$NOOK" create --toolbox "$N" "$TB"
  assert_status 0
  run --separate-stderr "$NOOK" enter --root "$N" sh -c 'echo kept > /etc/kept'
  assert_status 0
  run --separate-stderr "$NOOK" enter "$N" cat /etc/kept
  assert_status 0
  assert_output kept
}

@test "toolbox: the session follows the current directory when the container has it" {
  run --separate-stderr "$NOOK" create --toolbox "$N" "$TB"
  assert_status 0
  cd /etc
  run --separate-stderr "$NOOK" enter "$N" pwd
  assert_status 0
  assert_output /etc
  cd "$BATS_TEST_TMPDIR"
  run --separate-stderr "$NOOK" enter -w /usr "$N" pwd
  assert_output /usr
}

@test "toolbox: create refuses an existing name, --rootfs=bind and a missing BUNDLE" {
  run --separate-stderr "$NOOK" create --toolbox "$N" "$TB"
  assert_status 0
  run --separate-stderr "$NOOK" create --toolbox "$N" "$TB"
  assert_nook_error 125 "$N" "exists" "--replace"
  run --separate-stderr "$NOOK" create --toolbox --replace "$N" "$TB"
  assert_status 0
  run --separate-stderr "$NOOK" create --toolbox --rootfs=bind "x-$N" "$TB"
  assert_nook_error 125 "--rootfs=bind"
  run --separate-stderr "$NOOK" create --toolbox "x-$N"
  assert_nook_error 125 "NAME and BUNDLE"
  [ ! -e "$XDG_DATA_HOME/nook/containers/x-$N" ]
  run "$NOOK" create --toolbox --help
  assert_status 0
  [[ "$output" == *"nook create --toolbox"* ]]
}
