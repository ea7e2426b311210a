#!/usr/bin/env bats
# --rootfs=fuse-overlayfs|overlay|bind: the bundle's rootfs stays untouched,
# ephemeral layers go away, nothing is left running or mounted.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
  export XDG_DATA_HOME=$BATS_TEST_TMPDIR/data
  skip_unless_fuse
}

teardown ()
{
  nook_default_teardown
  assert_no_fuse_daemons
}

# A listing of the tree with modes, owners, link counts and file checksums.
tree_sum ()
{
  (cd "$1" && find . -printf '%p %y %m %U %G %n %s %l\n' | sort &&
    find . -type f -print0 | sort -z | xargs -0 md5sum)
}

# fuse-overlayfs daemons started by this run (they carry its environment).
_fuse_daemons ()
{
  local p
  for p in $(pgrep -u "$(id -u)" -x fuse-overlayfs); do
    if { tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null | grep -qx "BATS_RUN_TMPDIR=$BATS_RUN_TMPDIR"; then
      echo "$p"
    fi
  done
}

_no_fuse_daemons ()
{
  [ -z "$(_fuse_daemons)" ]
}

assert_no_fuse_daemons ()
{
  wait_until 5 _no_fuse_daemons || fail "fuse-overlayfs still running: $(_fuse_daemons)"
  ! grep -q "$BATS_RUN_TMPDIR" /proc/self/mountinfo || fail "a mount of this run is left: $(grep "$BATS_RUN_TMPDIR" /proc/self/mountinfo)"
}

# Writes, deletes (whiteouts), renames, chmod, chown to subordinate ids,
# hard links, a removed directory and an opaque one.
MUTATE='set -e
echo new > /new-file
echo changed >> /etc/passwd
rm /etc/group
rm -r /usr/share || true
mv /etc/hostname /etc/hostname.moved 2>/dev/null || mv /etc/passwd /etc/passwd.moved
chmod 0700 /etc
chown 1000:1000 /bin/busybox
ln /new-file /new-link
mkdir -p /home/x && touch /home/x/y && chown -R 100:100 /home/x
rm -r /tmp && mkdir /tmp && touch /tmp/fresh
echo ok'

@test "rootfs: writes in fuse-overlayfs and overlay modes leave the bundle byte-for-byte unchanged" {
  local before mode
  before=$(tree_sum "$B/rootfs")
  for mode in fuse-overlayfs overlay; do
    run --separate-stderr "$NOOK" run --rootfs=$mode "$B" sh -c "$MUTATE"
    assert_status 0
    assert_output ok
    [ "$(tree_sum "$B/rootfs")" = "$before" ] || fail "$mode changed the bundle's rootfs"
  done
}

@test "rootfs: fuse-overlayfs is the default and the container sees its own changes" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'grep " / " /proc/self/mounts | cut -d" " -f3; echo x > /f; ln /f /g; stat -c %h /g; rm /bin/true; ls /bin/true 2>&1 || echo gone'
  assert_status 0
  assert_output "fuse.fuse-overlayfs
2
ls: /bin/true: No such file or directory
gone"
}

# fuse-overlayfs keeps attributes and names in the kernel's cache for as
# long as it likes (its default timeout is 10^9 s) and nook relies on it:
# every change goes through the one mount, so the kernel's cache follows.
# What one process changes (data, size, owner, mode, a name made or gone),
# the next process must see at once. Each change is made by its own
# `sh -c` and checked by other processes right after it exits.
COHERENT='set -e
i=0
while [ $i -lt 40 ]; do
  sh -c "printf %s $i > /w$i"
  [ "$(cat /w$i)" = "$i" ] || { echo "data $i: [$(cat /w$i)]"; exit 1; }
  sh -c "printf x >> /w$i"
  [ "$(stat -c %s /w$i)" = "$(( ${#i} + 1 ))" ] || { echo "size $i: $(stat -c %s /w$i)"; exit 1; }
  [ "$(cat /w$i)" = "${i}x" ] || { echo "append $i: [$(cat /w$i)]"; exit 1; }
  sh -c "chown $((i + 1)):$((i + 2)) /w$i; chmod 0640 /w$i"
  [ "$(stat -c %u:%g:%a /w$i)" = "$((i + 1)):$((i + 2)):640" ] || { echo "owner $i: $(stat -c %u:%g:%a /w$i)"; exit 1; }
  sh -c "mv /w$i /m$i"
  if [ -e /w$i ] || [ "$(cat /m$i)" != "${i}x" ]; then echo "rename $i"; exit 1; fi
  sh -c "rm /m$i"
  if [ -e /m$i ] || ls / | grep -qx "m$i"; then echo "unlink $i"; exit 1; fi
  i=$((i + 1))
done
echo ok'

@test "rootfs: fuse-overlayfs: what one process changes, the next one sees at once" {
  run --separate-stderr "$NOOK" run "$B" sh -c "$COHERENT"
  assert_status 0
  assert_output ok
}

# fuse-overlayfs's `noacl` would save a round trip per file read by a
# process that does not own it (tests/bench/README.md), but the kernel then
# enforces the mode bits alone. A bundle's file whose ACL alone lets
# container uid 1000 read it: owner rw, user 1000 r, owning group and
# others nothing, mask r.
@test "rootfs: fuse-overlayfs enforces the ACLs the bundle's files carry" {
  local start
  start=$(awk -F: -v u="$(id -un)" -v n="$(id -u)" '$1 == u || $1 == n { print $2; exit }' /etc/subuid)
  [ -n "$start" ] || skip_or_fail "no subordinate uids for $(id -un) in /etc/subuid"
  echo secret >"$B/rootfs/acl-file"
  # Container uid 1000 is the 1000th subordinate id (0 is the caller).
  python3 - "$B/rootfs/acl-file" $((start + 999)) <<'EOF' || skip_or_fail "cannot set a POSIX ACL on a file under $B"
import os, struct, sys
U = 0xFFFFFFFF
entries = [(0x01, 6, U), (0x02, 4, int(sys.argv[2])), (0x04, 0, U), (0x10, 4, U), (0x20, 0, U)]
os.setxattr(sys.argv[1], "system.posix_acl_access",
            struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries))
EOF
  edit_config "$B" 'c["process"]["user"] = {"uid": 1000, "gid": 1000}'
  run --separate-stderr "$NOOK" run "$B" sh -c 'id -u; cat /acl-file'
  assert_status 0
  assert_output "1000
secret"
  edit_config "$B" 'c["process"]["user"] = {"uid": 1001, "gid": 1001}'
  run --separate-stderr "$NOOK" run "$B" cat /acl-file
  assert_status 1
  [[ "$stderr" == *"Permission denied"* ]] || fail "uid 1001: $stderr"
}

@test "rootfs: --rootfs=bind writes into the bundle's rootfs" {
  run --separate-stderr "$NOOK" run --rootfs=bind "$B" sh -c 'echo b > /bind-file'
  assert_status 0
  [ "$(cat "$B/rootfs/bind-file")" = b ]
}

@test "rootfs: an unknown mode is a usage error" {
  run --separate-stderr "$NOOK" run --rootfs=zfs "$B" true
  assert_nook_error 125 "--rootfs" "zfs" "fuse-overlayfs, overlay or bind"
}

@test "rootfs: two containers from one bundle see nothing of each other" {
  local a sync=$BATS_TEST_TMPDIR/sync
  a=$(test_name a)
  # a looks for b's file only once b has written it and exited: it waits
  # on a FIFO bound in from the host, which the test opens after b.
  mkdir "$sync" && mkfifo "$sync/b-done"
  edit_config "$B" "c['mounts'].append({'destination': '/sync', 'type': 'bind', 'source': '$sync', 'options': ['rbind']})"
  start_bg "$BATS_TEST_TMPDIR/a" run --name "$a" --rm "$B" sh -c 'echo a > /only-a; read go < /sync/b-done; ls /only-b 2>/dev/null || echo no-b'
  wait_until "$NOOK_TEST_TIMEOUT" test -e "$(nook_state_root)/$a/layer/upper/only-a" || fail "container a did not write"
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo b > /only-b; ls /only-a 2>/dev/null || echo no-a'
  assert_status 0
  assert_output no-a
  timeout "$NOOK_TEST_TIMEOUT" sh -c 'echo go > "$1"' sh "$sync/b-done" || fail "container a is not waiting on $sync/b-done"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/a"
  [ "$bg_status" -eq 0 ] || fail "container a: $bg_status $(cat "$BATS_TEST_TMPDIR/a.err")"
  [ "$(cat "$BATS_TEST_TMPDIR/a.out")" = no-b ] || fail "container a saw b's file"
  [ ! -e "$B/rootfs/only-a" ] && [ ! -e "$B/rootfs/only-b" ]
}

@test "rootfs: ps inside the container does not show fuse-overlayfs" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'ps -o comm; ls /proc | grep -c "^[0-9]"'
  assert_status 0
  assert_output_not_contains fuse
}

# static_nlink: fuse-overlayfs counts no links of a directory (counting
# them loaded the whole directory): it shows 1, as the kernel's overlay
# shows a merged directory, the customary "not counted". What walks a tree
# must still see all of it: busybox's find here, GNU find and du below
# (fts, which would skip subdirectories if it trusted a count).
@test "rootfs: fuse-overlayfs: a directory shows one link, and find sees the whole tree" {
  mkdir -p "$B/rootfs/t/a/b" "$B/rootfs/t/c"
  touch "$B/rootfs/t/a/b/f" "$B/rootfs/t/c/g"
  run --separate-stderr "$NOOK" run "$B" sh -c 'stat -c %h /t; find /t | sort | tr "\n" " "'
  assert_status 0
  assert_output "1
/t /t/a /t/a/b /t/a/b/f /t/c /t/c/g "
  run --separate-stderr "$NOOK" run --rootfs=bind "$B" stat -c %h /t
  assert_status 0
  assert_output 4
}

@test "rootfs: fuse-overlayfs: GNU find and du see the same Debian tree as the kernel's overlay" {
  local walk='find /usr/share/doc /etc /usr/lib/x86_64-linux-gnu | LC_ALL=C sort | md5sum; du -s --apparent-size /usr/share/doc /etc'
  debian_bundle
  run --separate-stderr "$NOOK" run --rootfs=overlay "$DEBIAN_BUNDLE" sh -c "$walk"
  assert_status 0
  local expect=$output
  [ "$(printf '%s\n' "$expect" | grep -c .)" -eq 3 ] || fail "overlay: $expect"
  run --separate-stderr "$NOOK" run "$DEBIAN_BUNDLE" sh -c "$walk"
  assert_status 0
  assert_output "$expect"
}

@test "rootfs: root.readonly makes writes fail with EROFS in every mode" {
  local mode
  edit_config "$B" 'c["root"]["readonly"] = True'
  for mode in fuse-overlayfs overlay bind; do
    run --separate-stderr "$NOOK" run --rootfs=$mode "$B" sh -c 'touch /x'
    assert_status 1
    [[ "$stderr" == *"Read-only file system"* ]] || fail "$mode: $stderr"
  done
}

@test "rootfs: --rm leaves no layer behind, also when the process is killed" {
  local n
  n=$(test_name k)
  run --separate-stderr "$NOOK" run "$B" sh -c 'mkdir /d; touch /d/f; chown -R 1000:1000 /d; chmod 500 /d'
  assert_status 0
  start_bg "$BATS_TEST_TMPDIR/k" run --name "$n" --rm "$B" sh -c 'mkdir /e; chown 7:7 /e; chmod 500 /e; sleep 60'
  pid=$(wait_state_pid "$n")
  wait_until "$NOOK_TEST_TIMEOUT" test -d "$(nook_state_root)/$n/layer/upper/e"
  kill -9 "$pid"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/k"
  [ "$bg_status" -eq 137 ] || fail "status $bg_status: $(cat "$BATS_TEST_TMPDIR/k.err")"
  [ ! -e "$(nook_state_root)/$n" ] || fail "$(ls -laR "$(nook_state_root)/$n")"
  [ ! -e "$XDG_DATA_HOME/nook/containers/$n" ]
}

@test "rootfs: no fuse-overlayfs process and no mount after 50 sequential runs" {
  local i
  for i in $(seq 50); do
    "$NOOK" run "$B" sh -c "echo $i > /f" || fail "run $i failed"
  done
  assert_no_fuse_daemons
}

@test "rootfs: kill -9 of nook mid-run, then nook ls, leaves nothing" {
  local n
  n=$(test_name killed)
  start_bg "$BATS_TEST_TMPDIR/n" run --name "$n" --rm "$B" sh -c 'mkdir /e; chown 7:7 /e; chmod 500 /e; sleep 60'
  wait_state_pid "$n" >/dev/null
  wait_until "$NOOK_TEST_TIMEOUT" test -d "$(nook_state_root)/$n/layer/upper/e"
  kill -9 "$BG_PID"
  wait "$BG_PID" || true
  NOOK_BG_PIDS=()
  wait_until 5 _no_fuse_daemons || fail "fuse-overlayfs outlived the container: $(_fuse_daemons)"
  run --separate-stderr "$NOOK" ls -q
  assert_status 0
  assert_output_not_contains "$n"
  [ ! -e "$(nook_state_root)/$n" ] || fail "$(ls -la "$(nook_state_root)/$n")"
}

@test "rootfs: fuse-overlayfs missing from PATH is a clear error" {
  mkdir "$BATS_TEST_TMPDIR/bin"
  local t
  for t in newuidmap newgidmap; do
    ln -s "$(command -v $t)" "$BATS_TEST_TMPDIR/bin/$t"
  done
  run --separate-stderr env PATH="$BATS_TEST_TMPDIR/bin" "$NOOK" run "$B" true
  assert_nook_error 125 "fuse-overlayfs is not in PATH" "fuse-overlayfs package" "--rootfs=overlay"
}

@test "rootfs: a fuse-overlayfs that fails to start is named in the error" {
  mkdir "$BATS_TEST_TMPDIR/bin"
  printf '#!/bin/sh\necho "cannot serve this" >&2\nexit 1\n' >"$BATS_TEST_TMPDIR/bin/fuse-overlayfs"
  chmod +x "$BATS_TEST_TMPDIR/bin/fuse-overlayfs"
  PATH=$BATS_TEST_TMPDIR/bin:$PATH run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "fuse-overlayfs failed (cannot serve this)"
}

@test "rootfs: a failed credential change of the fuse-overlayfs daemon stops the run, named" {
  local shim=$BATS_TEST_TMPDIR/fail-calls.so call
  cc -shared -fPIC -O2 -o "$shim" "$NOOK_FIXTURES/fail-calls.c" -ldl 2>"$BATS_TEST_TMPDIR/cc.log" ||
    fail "cc fail-calls.c: $(cat "$BATS_TEST_TMPDIR/cc.log")"
  # keep-id: the daemon joins as the user, not as root, and must change.
  for call in setresgid setresuid; do
    LD_PRELOAD=$shim NOOK_FAIL_CALL=$call run --separate-stderr "$NOOK" run --userns=keep-id "$B" true
    assert_nook_error 125 "fuse-overlayfs failed" "$call to the container's" "Operation not permitted"
  done
  LD_PRELOAD=$shim NOOK_FAIL_CALL=setgroups NOOK_FAIL_CALL_ERRNO=5 run --separate-stderr "$NOOK" run --userns=keep-id "$B" true
  assert_nook_error 125 "fuse-overlayfs failed" "supplementary groups" "Input/output error"
  # EPERM from setgroups is what a denied setgroups says: the run goes on.
  LD_PRELOAD=$shim NOOK_FAIL_CALL=setgroups run --separate-stderr "$NOOK" run --userns=keep-id "$B" true
  assert_status 0
  # And the shim fails nothing when not asked to.
  LD_PRELOAD=$shim run --separate-stderr "$NOOK" run --userns=keep-id "$B" true
  assert_status 0
}

@test "rootfs: keep-id with fuse-overlayfs shows the rootfs as root's and the user's files as the user's" {
  local n before
  n=$(test_name keep)
  mkdir -m 0777 "$B/rootfs/home/me"
  before=$(tree_sum "$B/rootfs")
  # A default container sees the bundle (the user's own files) as root's;
  # under keep-id the user keeps its id inside, and fuse-overlayfs's id
  # mapping keeps the rootfs looking the same.
  run --separate-stderr "$NOOK" run --userns=keep-id --name "$n" "$B" sh -c 'id -u; id -g; stat -c "%n %u %g" /etc /bin/busybox /home/me; echo hi > /home/me/f; mkdir /home/me/d; stat -c "%n %u %g" /home/me/f /home/me/d'
  assert_status 0
  assert_output "$(id -u)
$(id -g)
/etc 0 0
/bin/busybox 0 0
/home/me 0 0
/home/me/f $(id -u) $(id -g)
/home/me/d $(id -u) $(id -g)"
  # The next run of the container finds them the same way.
  run --separate-stderr "$NOOK" run --userns=keep-id --name "$n" "$B" sh -c 'stat -c "%n %u %g" /etc /home/me/f; cat /home/me/f; touch /etc/x 2>&1 || true'
  assert_status 0
  assert_output "/etc 0 0
/home/me/f $(id -u) $(id -g)
hi
touch: /etc/x: Permission denied"
  [ "$(tree_sum "$B/rootfs")" = "$before" ] || fail "keep-id changed the bundle's rootfs"
  run --separate-stderr "$NOOK" rm "$n"
  assert_status 0
  [ ! -e "$XDG_DATA_HOME/nook/containers/$n" ]
}

@test "rootfs: a /dev/fuse the user cannot open is a clear error" {
  # /dev/fuse as on a host that leaves it root's and 0600: a file of root's
  # that the user cannot open, bound over it in a mount namespace of our own.
  [ ! -r /etc/shadow ] || skip_or_fail "/etc/shadow is readable: no root-only file to stand in for /dev/fuse"
  command -v unshare >/dev/null || skip_or_fail "unshare (util-linux) is missing"
  # In that namespace the user is 0 and has no subordinate ids: map just it.
  edit_config "$B" 'c["linux"]["uidMappings"] = c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1}]'
  run --separate-stderr unshare --map-root-user --mount sh -c 'mount --bind /etc/shadow /dev/fuse && exec "$@"' sh "$NOOK" run "$B" true
  assert_nook_error 125 "cannot open /dev/fuse: Permission denied" "--rootfs=overlay"
}

@test "rootfs: a full writable layer gives the container ENOSPC and nook a clear message" {
  local fs=${NOOK_TEST_SMALL_FS:-/var/tmp/nook-test-small} n before mode
  # A small tmpfs of the test user's that tests/setup-host.sh mounts.
  if ! mountpoint -q "$fs" || [ ! -w "$fs" ]; then
    skip_or_fail "no small file system of ours at $fs (run tests/setup-host.sh as root)"
  fi
  export XDG_DATA_HOME=$fs/data-$$-$BATS_TEST_NUMBER
  before=$(tree_sum "$B/rootfs")
  for mode in fuse-overlayfs overlay; do
    n=$(test_name "full-$mode")
    run --separate-stderr "$NOOK" run --rootfs=$mode --name "$n" "$B" sh -c 'dd if=/dev/zero of=/big bs=1M count=64 2>&1 | grep -o "No space left on device"; echo done'
    assert_status 0
    assert_output "No space left on device
done"
    [[ "$stderr" == *"nook: warning: the container's writable layer ran out of space ($XDG_DATA_HOME/nook/containers/$n/upper: no space left on device)"* ]] || fail "$mode: $stderr"
    # The next run is told before it starts.
    run --separate-stderr "$NOOK" run --rootfs=$mode --name "$n" "$B" true
    assert_status 0
    [[ "$stderr" == *"writable layer has no space left ($XDG_DATA_HOME/nook/containers/$n/upper)"* ]] || fail "$mode: $stderr"
    run --separate-stderr "$NOOK" rm "$n"
    assert_status 0
    # With the space back, a new container of the name hears nothing more.
    run --separate-stderr "$NOOK" run --rootfs=$mode --name "$n" "$B" true
    assert_status 0
    [ -z "$stderr" ] || fail "$mode: $stderr"
    "$NOOK" rm "$n"
  done
  [ "$(tree_sum "$B/rootfs")" = "$before" ] || fail "a full layer changed the bundle's rootfs"
  rm -rf "$XDG_DATA_HOME"
}
