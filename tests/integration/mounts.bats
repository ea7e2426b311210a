#!/usr/bin/env bats
# mounts, root.readonly, maskedPaths, readonlyPaths, pivot_root.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
}

teardown ()
{
  nook_default_teardown
}

# mount_entry MOUNTPOINT < mountinfo: "FSTYPE MOUNTOPTS SUPEROPTS" of the
# topmost mount at MOUNTPOINT (nothing when there is none).
mount_entry ()
{
  python3 -c '
import sys
want = sys.argv[1]
found = None
for line in sys.stdin:
    left, _, right = line.rstrip("\n").partition(" - ")
    f = left.split(" ")
    if len(f) < 6 or not right:
        continue
    mp = f[4].encode().decode("unicode_escape")
    r = right.split(" ")
    if mp == want:
        found = "%s %s %s" % (r[0], f[5], r[2] if len(r) > 2 else "")
if found:
    print(found)
' "$1"
}

# Mount points of a mountinfo text on stdin, one per line.
mount_points ()
{
  python3 -c '
import sys
for line in sys.stdin:
    f = line.split(" ")
    if len(f) > 4:
        print(f[4].encode().decode("unicode_escape"))
'
}

# has_opt "a,b,c" b
has_opt ()
{
  [[ ",$1," == *",$2,"* ]]
}

add_mount ()
{
  edit_config "$B" "c['mounts'].append($1)"
}

@test "mounts: /proc is a proc mount and works" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'ls /proc/self/ >/dev/null && cat /proc/self/mountinfo'
  assert_status 0
  local e
  e=$(printf '%s\n' "$output" | mount_entry /proc)
  [[ "$e" == "proc "* ]] || fail "no proc mount at /proc: '$e'
$output"
}

@test "mounts: device nodes exist as character devices in /dev" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'for d in null zero full random urandom tty; do [ -c /dev/$d ] || echo "not a char device: /dev/$d"; done'
  assert_status 0
  assert_output ""
}

@test "mounts: /dev/null, /dev/zero, /dev/full, /dev/urandom behave" {
  run --separate-stderr "$NOOK" run "$B" sh -c '
    echo x > /dev/null && echo null-ok
    [ -z "$(cat /dev/null)" ] && echo null-empty
    [ "$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")" = 00000000 ] && echo zero-ok
    [ "$(head -c 16 /dev/urandom | wc -c)" -eq 16 ] && echo urandom-ok
    echo x > /dev/full'
  [ "$status" -ne 0 ] || fail "writing to /dev/full succeeded"
  assert_output "null-ok
null-empty
zero-ok
urandom-ok"
  [[ "$stderr" == *"No space left on device"* ]] || fail "writing to /dev/full: '$stderr'"
}

@test "mounts: /dev/ptmx is a symlink to pts/ptmx" {
  run --separate-stderr "$NOOK" run "$B" readlink /dev/ptmx
  assert_status 0
  assert_output "pts/ptmx"
}

@test "mounts: /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr symlinks" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'for l in fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done'
  assert_status 0
  assert_output "fd -> /proc/self/fd
stdin -> /proc/self/fd/0
stdout -> /proc/self/fd/1
stderr -> /proc/self/fd/2"
}

@test "mounts: /dev/pts (devpts), /dev/shm (tmpfs) and /dev/mqueue (mqueue) are mounted" {
  run --separate-stderr "$NOOK" run "$B" cat /proc/self/mountinfo
  assert_status 0
  local e
  e=$(printf '%s\n' "$output" | mount_entry /dev/pts)
  [[ "$e" == "devpts "* ]] || fail "/dev/pts: '$e'"
  e=$(printf '%s\n' "$output" | mount_entry /dev/shm)
  [[ "$e" == "tmpfs "* ]] || fail "/dev/shm: '$e'"
  e=$(printf '%s\n' "$output" | mount_entry /dev/mqueue)
  [[ "$e" == "mqueue "* ]] || fail "/dev/mqueue: '$e'"
  e=$(printf '%s\n' "$output" | mount_entry /dev)
  [[ "$e" == "tmpfs "* ]] || fail "/dev: '$e'"
}

@test "mounts: /dev/shm is writable" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo hi > /dev/shm/f && cat /dev/shm/f'
  assert_status 0
  assert_output "hi"
}

@test "mounts: sysfs mounted read-only at /sys" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'cat /proc/self/mountinfo; echo ---; touch /sys/x 2>&1; ls /sys/kernel >/dev/null && echo sys-readable'
  local e
  e=$(printf '%s\n' "$output" | sed '/^---$/,$d' | mount_entry /sys)
  [[ "$e" == "sysfs "* ]] || fail "/sys: '$e'"
  local opts
  opts=$(echo "$e" | cut -d' ' -f2)
  has_opt "$opts" ro || fail "/sys is not read-only: $opts"
  assert_output_contains "Read-only file system"
  assert_output_contains "sys-readable"
}

@test "mounts: root.readonly true → writing to / fails with 'Read-only file system'" {
  edit_config "$B" 'c["root"]["readonly"] = True'
  run --separate-stderr "$NOOK" run "$B" sh -c 'touch /x; echo rc=$?; touch /dev/shm/y && echo shm-ok'
  assert_status 0
  assert_output "rc=1
shm-ok"
  [[ "$stderr" == *"Read-only file system"* ]] || fail "stderr: $stderr"
  [ ! -e "$B/rootfs/x" ] || fail "/x was created in the bundle's rootfs"
}

@test "mounts: root.readonly false → / is writable" {
  edit_config "$B" 'c["root"]["readonly"] = False'
  run --separate-stderr "$NOOK" run "$B" sh -c 'touch /x && echo ok'
  assert_status 0
  assert_output "ok"
}

@test "mounts: maskedPaths: a masked file reads empty" {
  echo "secret file" >"$B/rootfs/masked-file"
  edit_config "$B" 'c["linux"]["maskedPaths"].append("/masked-file")'
  run --separate-stderr "$NOOK" run "$B" sh -c 'wc -c < /masked-file; echo x > /masked-file; wc -c < /masked-file'
  assert_status 0
  assert_output "0
0"
  [ "$(cat "$B/rootfs/masked-file")" = "secret file" ] || fail "the masked file was changed on the host"
}

@test "mounts: maskedPaths: /proc/keys and /proc/timer_list read empty" {
  local p
  for p in /proc/keys /proc/timer_list; do
    [ -e "$p" ] || skip_or_fail --kernel "$p (this kernel has no such file)"
  done
  edit_config "$B" 'c["linux"]["maskedPaths"] += ["/proc/keys", "/proc/timer_list"]'
  run --separate-stderr "$NOOK" run "$B" sh -c 'cat /proc/keys /proc/timer_list | wc -c'
  assert_status 0
  assert_output "0"
}

@test "mounts: maskedPaths: a masked directory is empty and read-only" {
  mkdir -p "$B/rootfs/masked-dir/sub"
  echo secret >"$B/rootfs/masked-dir/file"
  edit_config "$B" 'c["linux"]["maskedPaths"].append("/masked-dir")'
  run --separate-stderr "$NOOK" run "$B" sh -c 'ls -A /masked-dir; echo ---; touch /masked-dir/new'
  [ "$status" -ne 0 ] || fail "creating a file in a masked directory succeeded"
  assert_output "---"
  [[ "$stderr" == *"Read-only file system"* ]] || fail "stderr: $stderr"
  [ -f "$B/rootfs/masked-dir/file" ] || fail "the masked directory's content was changed on the host"
}

@test "mounts: maskedPaths: a path missing from the rootfs is ignored (and not created)" {
  edit_config "$B" 'c["linux"]["maskedPaths"].append("/does/not/exist")'
  run --separate-stderr "$NOOK" run "$B" echo ran
  assert_status 0
  assert_output "ran"
  [ ! -e "$B/rootfs/does" ] || fail "a masked path that did not exist was created"
}

@test "mounts: readonlyPaths: /proc/sys is read-only" {
  edit_config "$B" 'c["linux"]["readonlyPaths"] = [p for p in c["linux"]["readonlyPaths"] if p != "/proc/sys"] + ["/proc/sys"]'
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo other > /proc/sys/kernel/hostname; echo rc=$?; cat /proc/sys/kernel/hostname'
  assert_status 0
  assert_output "rc=1
$(config_get "$B" 'c.get("hostname", "")')"
  [[ "$stderr" == *"Read-only file system"* ]] || fail "stderr: $stderr"
}

@test "mounts: readonlyPaths: a rootfs directory is readable but not writable" {
  mkdir -p "$B/rootfs/ro-dir"
  echo content >"$B/rootfs/ro-dir/file"
  edit_config "$B" 'c["linux"]["readonlyPaths"].append("/ro-dir")'
  run --separate-stderr "$NOOK" run "$B" sh -c 'cat /ro-dir/file; touch /ro-dir/new; echo rc=$?; touch /elsewhere && echo rest-writable'
  assert_status 0
  assert_output "content
rc=1
rest-writable"
  [[ "$stderr" == *"Read-only file system"* ]] || fail "stderr: $stderr"
  [ ! -e "$B/rootfs/ro-dir/new" ] || fail "a file was created in the read-only directory"
}

@test "mounts: bind mount from the host with rbind,ro is visible and read-only" {
  local host=$BATS_TEST_TMPDIR/hostdir
  mkdir -p "$host"
  echo from-host >"$host/file"
  add_mount "{'destination': '/mnt/host', 'type': 'bind', 'source': '$host', 'options': ['rbind', 'ro']}"
  run --separate-stderr "$NOOK" run "$B" sh -c 'cat /mnt/host/file; touch /mnt/host/new; echo rc=$?'
  assert_status 0
  assert_output "from-host
rc=1"
  [[ "$stderr" == *"Read-only file system"* ]] || fail "stderr: $stderr"
  [ ! -e "$host/new" ] || fail "the container wrote through a read-only bind mount"
}

@test "mounts: bind mount read-write: writes reach the host directory" {
  local host=$BATS_TEST_TMPDIR/hostdir
  mkdir -p "$host"
  add_mount "{'destination': '/mnt/rw', 'type': 'bind', 'source': '$host', 'options': ['rbind', 'rw']}"
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo from-container > /mnt/rw/out'
  assert_status 0
  [ "$(cat "$host/out" 2>/dev/null)" = from-container ] || fail "the file written inside is not on the host"
}

@test "mounts: bind mount with only the 'bind' option (no type)" {
  local host=$BATS_TEST_TMPDIR/hostdir
  mkdir -p "$host"
  echo typeless >"$host/file"
  add_mount "{'destination': '/mnt/notype', 'source': '$host', 'options': ['bind']}"
  run --separate-stderr "$NOOK" run "$B" cat /mnt/notype/file
  assert_status 0
  assert_output "typeless"
}

@test "mounts: bind mount of a single file onto a destination missing from the rootfs" {
  echo "nameserver 192.0.2.1" >"$BATS_TEST_TMPDIR/resolv.conf"
  rm -f "$B/rootfs/etc/resolv.conf"
  add_mount "{'destination': '/etc/resolv.conf', 'type': 'bind', 'source': '$BATS_TEST_TMPDIR/resolv.conf', 'options': ['rbind', 'ro']}"
  run --separate-stderr "$NOOK" run "$B" sh -c '[ -f /etc/resolv.conf ] && cat /etc/resolv.conf'
  assert_status 0
  assert_output "nameserver 192.0.2.1"
}

@test "mounts: bind mount with a source relative to the bundle" {
  mkdir -p "$B/data"
  echo relative-source >"$B/data/file"
  add_mount "{'destination': '/data', 'type': 'bind', 'source': 'data', 'options': ['rbind', 'ro']}"
  # Run from elsewhere, so that the caller's cwd cannot be what resolves it.
  cd /
  run --separate-stderr "$NOOK" run "$B" cat /data/file
  assert_status 0
  assert_output "relative-source"
}

@test "mounts: a missing mount point (/new/dir/deep) is created inside the rootfs" {
  local host=$BATS_TEST_TMPDIR/hostdir
  mkdir -p "$host"
  echo deep >"$host/file"
  [ ! -e "$B/rootfs/new" ] || fail "precondition: /new exists"
  add_mount "{'destination': '/new/dir/deep', 'type': 'bind', 'source': '$host', 'options': ['rbind']}"
  run --separate-stderr "$NOOK" run --rootfs=bind "$B" cat /new/dir/deep/file
  assert_status 0
  assert_output "deep"
  [ -d "$B/rootfs/new/dir/deep" ] || fail "the mount point was not created in the bundle's rootfs"
}

@test "mounts: a missing tmpfs mount point is created" {
  add_mount "{'destination': '/scratch/space', 'type': 'tmpfs', 'source': 'tmpfs'}"
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo ok > /scratch/space/f && cat /scratch/space/f'
  assert_status 0
  assert_output "ok"
}

# The run may fail (125) or resolve the symlink inside the rootfs; what it
# must never do is create or mount anything at the host path.
@test "mounts: an absolute symlink in the rootfs pointing outside does not escape" {
  local outside=$BATS_TEST_TMPDIR/outside-abs
  ln -s "$outside" "$B/rootfs/escape"
  add_mount "{'destination': '/escape/sub', 'type': 'tmpfs', 'source': 'tmpfs'}"
  run --separate-stderr "$NOOK" run "$B" sh -c 'touch /escape/sub/written 2>/dev/null; echo ran'
  [ "$status" -eq 0 ] || [ "$status" -eq 125 ] || fail "unexpected status $status: $stderr"
  [ ! -e "$outside" ] || fail "nook created $outside on the host: $(find "$outside")"
}

@test "mounts: a relative symlink climbing out of the rootfs does not escape" {
  local outside=$BATS_TEST_TMPDIR/outside-rel
  ln -s "../../../../../../../../../../..$outside" "$B/rootfs/escape"
  add_mount "{'destination': '/escape/sub', 'type': 'tmpfs', 'source': 'tmpfs'}"
  run --separate-stderr "$NOOK" run "$B" sh -c 'touch /escape/sub/written 2>/dev/null; echo ran'
  [ "$status" -eq 0 ] || [ "$status" -eq 125 ] || fail "unexpected status $status: $stderr"
  [ ! -e "$outside" ] || fail "nook created $outside on the host: $(find "$outside")"
}

@test "mounts: a symlink to an existing host directory: nothing created or written there" {
  local outside=$BATS_TEST_TMPDIR/outside-existing
  mkdir -p "$outside"
  echo keep >"$outside/keep"
  ln -s "$outside" "$B/rootfs/escape"
  local host=$BATS_TEST_TMPDIR/hostdir
  mkdir -p "$host"
  add_mount "{'destination': '/escape/newsub', 'type': 'bind', 'source': '$host', 'options': ['rbind']}"
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo pwned > /escape/newsub/written 2>/dev/null; echo ran'
  [ "$status" -eq 0 ] || [ "$status" -eq 125 ] || fail "unexpected status $status: $stderr"
  [ "$(ls -A "$outside")" = keep ] || fail "nook created something in $outside on the host: $(ls -A "$outside")"
  [ ! -e "$host/written" ] || [ "$status" -eq 0 ] || fail "inconsistent: failed run but the bind mount was written"
}

@test "mounts: a symlink as the mount destination itself does not escape" {
  local outside=$BATS_TEST_TMPDIR/outside-dest
  ln -s "$outside" "$B/rootfs/dest-link"
  add_mount "{'destination': '/dest-link', 'type': 'tmpfs', 'source': 'tmpfs'}"
  run --separate-stderr "$NOOK" run "$B" sh -c 'touch /dest-link/written 2>/dev/null; echo ran'
  [ "$status" -eq 0 ] || [ "$status" -eq 125 ] || fail "unexpected status $status: $stderr"
  [ ! -e "$outside" ] || fail "nook created $outside on the host"
}

@test "mounts: tmpfs with size and mode options" {
  add_mount "{'destination': '/sized', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'nodev', 'size=1m', 'mode=750']}"
  run --separate-stderr "$NOOK" run "$B" sh -c 'stat -c %a /sized; grep " /sized " /proc/self/mountinfo; cat /dev/zero > /sized/big; echo rc=$?; wc -c < /sized/big'
  assert_status 0
  local lines
  mapfile -t lines <<<"$output"
  [ "${lines[0]}" = 750 ] || fail "mode of /sized is '${lines[0]}', want 750"
  [[ "${lines[1]}" == *"size=1024k"* ]] || fail "mountinfo lacks size=1024k: ${lines[1]}"
  [[ "${lines[1]}" == *"mode=750"* ]] || fail "mountinfo lacks mode=750: ${lines[1]}"
  has_opt "$(echo "${lines[1]}" | cut -d' ' -f6)" nosuid || fail "nosuid missing: ${lines[1]}"
  [ "${lines[2]}" = rc=1 ] || fail "filling a 1 MB tmpfs: '${lines[2]}'"
  [[ "$stderr" == *"No space left on device"* ]] || fail "stderr: $stderr"
  [ "${lines[3]}" -eq 1048576 ] || fail "the full tmpfs holds ${lines[3]} bytes, want 1048576"
}

@test "mounts: a noexec tmpfs refuses to execute" {
  add_mount "{'destination': '/noexec', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['noexec']}"
  run --separate-stderr "$NOOK" run "$B" sh -c 'printf "#!/bin/sh\necho executed\n" > /noexec/s; chmod +x /noexec/s; /noexec/s; echo rc=$?'
  assert_status 0
  assert_output "rc=126"
  [[ "$stderr" == *"Permission denied"* ]] || fail "stderr: $stderr"
}

@test "mounts: the old root is gone (a host marker file is unreachable)" {
  local marker="host-marker-$$-$RANDOM"
  echo host >"$BATS_TEST_TMPDIR/$marker"
  run --separate-stderr "$NOOK" run "$B" find / -path /proc -prune -o -path /sys -prune -o -name "$marker" -print
  assert_status 0
  assert_output ""
}

@test "mounts: mountinfo shows no host mount points and no host paths" {
  run --separate-stderr "$NOOK" run "$B" cat /proc/self/mountinfo
  assert_status 0
  local inside mp host_only=""
  inside=$(printf '%s\n' "$output" | mount_points | sort -u)
  # Mount points the host has that a container has no business showing.
  while read -r mp; do
    case $mp in
      / | /proc | /proc/* | /sys | /sys/* | /dev | /dev/*) continue ;;
    esac
    if printf '%s\n' "$inside" | grep -qxF "$mp"; then
      host_only+="$mp "
    fi
  done < <(mount_points </proc/self/mountinfo | sort -u)
  [ -z "$host_only" ] || fail "host mount points visible inside: $host_only
$output"
  # Nor any mount point under the bundle's host path or an old-root directory.
  ! printf '%s\n' "$inside" | grep -qF "$B" || fail "a mount point contains the bundle path $B:
$inside"
  [ "$(printf '%s\n' "$output" | mount_points | grep -c '^/$')" -eq 1 ] || fail "not exactly one mount at /:
$output"
}

# ---------------------------------------------------------------------------
# issue 11: propagation, cgroup, symlinked destinations, locked atime flags,
# device nodes.

# The optional fields (shared:N, master:N, unbindable) of the topmost mount
# at MOUNTPOINT in the mountinfo text in $output.
propagation_of ()
{
  printf '%s\n' "$output" | python3 -c '
import sys
want = sys.argv[1]
found = None
for line in sys.stdin:
    left = line.split(" - ")[0].split(" ")
    if len(left) >= 6 and left[4] == want:
        found = " ".join(left[6:])
print(found if found is not None else "(no mount)")
' "$1"
}

# Mount options of every mount at or below PREFIX in $output, one
# "MOUNTPOINT OPTIONS" per line.
mounts_below ()
{
  printf '%s\n' "$output" | awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5, $6 }'
}

@test "mounts: propagation options on bind and tmpfs mounts, in every rootfs mode" {
  local host=$BATS_TEST_TMPDIR/hostdir mode
  mkdir -p "$host"
  add_mount "{'destination': '/mnt/rprivate', 'type': 'bind', 'source': '$host', 'options': ['rbind', 'rprivate']}"
  add_mount "{'destination': '/mnt/rslave', 'type': 'bind', 'source': '$host', 'options': ['rbind', 'rslave']}"
  add_mount "{'destination': '/mnt/shared', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['shared']}"
  add_mount "{'destination': '/mnt/rshared', 'type': 'bind', 'source': '$host', 'options': ['rbind', 'rshared']}"
  add_mount "{'destination': '/mnt/unbindable', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['runbindable']}"
  add_mount "{'destination': '/mnt/private', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['private']}"
  for mode in bind overlay fuse-overlayfs; do
    run --separate-stderr "$NOOK" run --rootfs=$mode "$B" cat /proc/self/mountinfo
    assert_status 0
    [[ "$(propagation_of /mnt/shared)" == shared:* ]] || fail "$mode: /mnt/shared: '$(propagation_of /mnt/shared)'"
    [[ "$(propagation_of /mnt/rshared)" == shared:* ]] || fail "$mode: /mnt/rshared: '$(propagation_of /mnt/rshared)'"
    [ "$(propagation_of /mnt/unbindable)" = unbindable ] || fail "$mode: /mnt/unbindable: '$(propagation_of /mnt/unbindable)'"
    [ "$(propagation_of /mnt/rprivate)" = "" ] || fail "$mode: /mnt/rprivate: '$(propagation_of /mnt/rprivate)'"
    [ "$(propagation_of /mnt/private)" = "" ] || fail "$mode: /mnt/private: '$(propagation_of /mnt/private)'"
    [[ "$(propagation_of /mnt/rslave)" != shared:* ]] || fail "$mode: /mnt/rslave: '$(propagation_of /mnt/rslave)'"
  done
}

@test "mounts: linux.rootfsPropagation, every value" {
  local p want_root want_proc host_slave=''
  # A slave root shows master:N when the bundle's mount on the host is
  # shared (a desktop's /, or the test run's rshared namespace), and no
  # tag when it is private.
  if [ "$(findmnt -n -o PROPAGATION --target "$B")" = shared ]; then
    host_slave='master:*'
  fi
  for p in private rprivate slave rslave shared rshared unbindable runbindable; do
    edit_config "$B" "c['linux']['rootfsPropagation'] = '$p'"
    run --separate-stderr "$NOOK" run --rootfs=bind "$B" cat /proc/self/mountinfo
    assert_status 0
    case $p in
      shared) want_root='shared:*' want_proc='' ;;
      rshared) want_root='shared:*' want_proc='shared:*' ;;
      unbindable) want_root=unbindable want_proc='' ;;
      runbindable) want_root=unbindable want_proc=unbindable ;;
      slave | rslave) want_root=$host_slave want_proc='' ;;
      *) want_root='' want_proc='' ;;
    esac
    # shellcheck disable=SC2053
    [[ "$(propagation_of /)" == $want_root ]] || fail "$p: / has '$(propagation_of /)', want '$want_root'"
    # shellcheck disable=SC2053
    [[ "$(propagation_of /proc)" == $want_proc ]] || fail "$p: /proc has '$(propagation_of /proc)', want '$want_proc'"
  done
}

@test "mounts: a shared mount is seen from a second mount of it in the same container" {
  add_mount "{'destination': '/mnt/shared', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['shared']}"
  edit_config "$B" 'c["process"]["capabilities"] = {k: ["CAP_SYS_ADMIN"] for k in ("bounding", "effective", "permitted")}'
  run --separate-stderr "$NOOK" run --rootfs=bind "$B" sh -c '
    mkdir -p /mnt/shared/sub /mnt/second &&
    mount --bind /mnt/shared /mnt/second &&
    mount -t tmpfs late /mnt/shared/sub &&
    echo seen > /mnt/shared/sub/file &&
    cat /mnt/second/sub/file'
  assert_status 0
  assert_output seen
}

@test "mounts: a cgroup mount without a network namespace, with and without a cgroup namespace: the host's tree, read-only" {
  edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]'
  add_mount "{'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup', 'options': ['rprivate', 'nosuid', 'noexec', 'nodev', 'relatime', 'ro']}"
  local cgroupns
  for cgroupns in no yes; do
    if [ $cgroupns = yes ]; then
      edit_config "$B" 'c["linux"]["namespaces"].append({"type": "cgroup"})'
    fi
    run --separate-stderr "$NOOK" run --rootfs=bind "$B" sh -c 'cat /proc/self/mountinfo; mkdir /sys/fs/cgroup/nook-test 2>/dev/null && echo WROTE; true'
    assert_status 0
    assert_output_not_contains WROTE
    local lines
    lines=$(mounts_below /sys/fs/cgroup)
    [ -n "$lines" ] || fail "cgroupns=$cgroupns: nothing mounted at /sys/fs/cgroup"
    while read -r mp opts; do
      has_opt "$opts" ro || fail "cgroupns=$cgroupns: $mp is mounted $opts"
    done <<<"$lines"
  done
}

@test "mounts: no cgroup mount, no network namespace: nothing under the read-only /sys is writable" {
  edit_config "$B" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]'
  run --separate-stderr "$NOOK" run --rootfs=bind "$B" cat /proc/self/mountinfo
  assert_status 0
  local lines mp opts
  lines=$(mounts_below /sys)
  [[ "$lines" == *"/sys/fs/cgroup "* ]] || skip_or_fail "the host has no mount at /sys/fs/cgroup"
  while read -r mp opts; do
    has_opt "$opts" ro || fail "$mp is mounted $opts under a read-only /sys"
  done <<<"$lines"
}

@test "mounts: a destination through a dangling symlink is created at its target, inside the rootfs" {
  local host=$BATS_TEST_TMPDIR/hostdir
  mkdir -p "$host"
  echo through-link >"$host/file"
  ln -s ../foo/bar "$B/rootfs/etc/x"
  add_mount "{'destination': '/etc/x', 'type': 'bind', 'source': '$host', 'options': ['rbind', 'rprivate']}"
  run --separate-stderr "$NOOK" run --rootfs=bind "$B" sh -c 'cat /etc/x/file /foo/bar/file'
  assert_status 0
  assert_output "through-link
through-link"
  [ -d "$B/rootfs/foo/bar" ] || fail "the symlink's target was not created in the rootfs"
  [ ! -e "$B/foo" ] || fail "nook created $B/foo, outside the rootfs"
}

@test "mounts: a dangling absolute symlink as a file destination is created inside the rootfs" {
  echo file-through-link >"$BATS_TEST_TMPDIR/src-file"
  ln -s /var/lib/nook-test/conf "$B/rootfs/etc/conf"
  add_mount "{'destination': '/etc/conf', 'type': 'bind', 'source': '$BATS_TEST_TMPDIR/src-file', 'options': ['bind']}"
  run --separate-stderr "$NOOK" run --rootfs=bind "$B" cat /etc/conf
  assert_status 0
  assert_output file-through-link
  [ -f "$B/rootfs/var/lib/nook-test/conf" ] || fail "the target file was not created in the rootfs"
  [ ! -e /var/lib/nook-test ] || fail "nook created /var/lib/nook-test on the host"
}

@test "mounts: strictatime and nodiratime on a bind of a mount with locked atime flags: kept, with a warning naming each flag" {
  local host=$BATS_TEST_TMPDIR/hostdir kept
  mkdir -p "$host"
  kept=$(python3 -c '
import os, sys
best, opts = "", ""
for line in open("/proc/self/mountinfo"):
    f = line.split(" - ")[0].split(" ")
    mp = f[4].encode().decode("unicode_escape")
    if (sys.argv[1] + "/").startswith(mp.rstrip("/") + "/") and len(mp) >= len(best):
        best, opts = mp, f[5]
o = opts.split(",")
print(("noatime" if "noatime" in o else "relatime" if "relatime" in o else "strictatime") + (",nodiratime" if "nodiratime" in o else ""))
' "$host")
  [ "$kept" = relatime ] || skip_or_fail "the test directory's mount is $kept, the test expects relatime"
  add_mount "{'destination': '/mnt/atime', 'type': 'bind', 'source': '$host', 'options': ['rbind', 'strictatime', 'nodiratime']}"
  run --separate-stderr "$NOOK" run --rootfs=bind "$B" cat /proc/self/mountinfo
  assert_status 0
  local i
  i=$(config_get "$B" 'len(c["mounts"]) - 1')
  [[ "$stderr" == *"nook: warning: mounts[$i].options[1]: \"strictatime\" not applied to /mnt/atime: the host locks the atime flags of this mount in a user namespace (it keeps relatime)"* ]] || fail "stderr: $stderr"
  [[ "$stderr" == *"nook: warning: mounts[$i].options[2]: \"nodiratime\" not applied to /mnt/atime: the host locks the atime flags of this mount in a user namespace (it keeps relatime)"* ]] || fail "stderr: $stderr"
  local opts
  opts=$(printf '%s\n' "$output" | mount_entry /mnt/atime | cut -d' ' -f2)
  has_opt "$opts" relatime || fail "/mnt/atime is mounted $opts"
}

@test "mounts: /dev/null, zero, full, tty, random, urandom are nosuid,noexec" {
  run --separate-stderr "$NOOK" run "$B" cat /proc/self/mountinfo
  assert_status 0
  local n opts
  for n in null zero full tty random urandom; do
    opts=$(printf '%s\n' "$output" | mount_entry /dev/$n | cut -d' ' -f2)
    has_opt "$opts" nosuid && has_opt "$opts" noexec || fail "/dev/$n is mounted '$opts'"
  done
}

@test "mounts: linux.devices: a host device is bound with its type and numbers, a FIFO is made" {
  [ -c /dev/fuse ] || skip_or_fail "the host has no /dev/fuse"
  edit_config "$B" 'c["linux"]["devices"] = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}, {"path": "/dev/nook-fifo", "type": "p"}]'
  run --separate-stderr "$NOOK" run "$B" stat -c '%n %F %t:%T' /dev/fuse /dev/nook-fifo
  assert_status 0
  assert_output "/dev/fuse character special file a:e5
/dev/nook-fifo fifo 0:0"
}

@test "mounts: linux.devices: a device the host lacks, or has with other numbers, is refused naming the path" {
  edit_config "$B" 'c["linux"]["devices"] = [{"path": "/dev/nook-missing", "type": "c", "major": 1, "minor": 3}]'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "config.json: linux.devices[0]: /dev/nook-missing: rootless nook cannot create device nodes, and the host has no node there to bind (No such file or directory)"
  edit_config "$B" 'c["linux"]["devices"] = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 5}]'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "config.json: linux.devices[0]: /dev/null: rootless nook cannot create device nodes, and the host's node there is c 1:3, not c 1:5"
}
