#!/usr/bin/env bats
# User namespaces: default maps from the subordinate ranges, config maps,
# --userns=keep-id, no subordinate ranges, newuidmap/newgidmap, supplementary
# groups, and a package-manager-like workload.

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
  restore_ownership
  nook_default_teardown
}

# Files a test made with subordinate ids cannot be removed by the test user:
# give everything in the rootfs back to container root (= the caller).
restore_ownership ()
{
  [ -n "${B:-}" ] && [ -d "$B/rootfs" ] || return 0
  if find "$B/rootfs" -xdev ! -uid "$(id -u)" -print -quit 2>/dev/null | grep -q .; then
    "$NOOK" run --rootfs=bind "$B" find / -xdev -exec chown -h 0:0 {} + >/dev/null 2>&1 || true
  fi
}

# The caller's subordinate ranges of FILE (/etc/subuid or /etc/subgid), as
# "START COUNT" lines in file order (by name or by numeric uid).
subid_ranges ()
{
  awk -F: -v name="$(id -un)" -v uid="$(id -u)" \
    '($1 == name || $1 == uid) && NF == 3 { print $2, $3 }' "$1"
}

# Skip unless the caller has exactly one subordinate uid and gid range each;
# sets SUBUID_START SUBUID_COUNT SUBGID_START SUBGID_COUNT.
need_one_subid_range ()
{
  local u g
  u=$(subid_ranges /etc/subuid)
  g=$(subid_ranges /etc/subgid)
  if [ -z "$u" ] || [ -z "$g" ] || [ "$(printf '%s\n' "$u" | wc -l)" -ne 1 ] ||
    [ "$(printf '%s\n' "$g" | wc -l)" -ne 1 ]; then
    skip_or_fail "the test user needs one range in /etc/subuid and /etc/subgid (tests/setup-host.sh)"
    return
  fi
  read -r SUBUID_START SUBUID_COUNT <<<"$u"
  read -r SUBGID_START SUBGID_COUNT <<<"$g"
  command -v newuidmap >/dev/null || PATH=$PATH:/usr/bin
}

# The maps as the kernel shows them, one "C H S" per line.
maps_cmd='for f in uid_map gid_map; do echo "$f:"; while read -r c h s; do echo "$c $h $s"; done </proc/self/$f; done'

@test "userns: default maps: container 0 is the caller, 1..N the subordinate ranges" {
  need_one_subid_range
  run --separate-stderr "$NOOK" run "$B" sh -c "$maps_cmd"
  assert_status 0
  assert_output "uid_map:
0 $(id -u) 1
1 $SUBUID_START $SUBUID_COUNT
gid_map:
0 $(id -g) 1
1 $SUBGID_START $SUBGID_COUNT"
  assert_stderr ""
}

@test "userns: config maps with several ranges are honoured exactly" {
  need_one_subid_range
  edit_config "$B" "c['linux']['uidMappings'] = [
    {'containerID': 0, 'hostID': $(id -u), 'size': 1},
    {'containerID': 1, 'hostID': $((SUBUID_START + 1000)), 'size': 100},
    {'containerID': 1000, 'hostID': $SUBUID_START, 'size': 1000}]" \
    "c['linux']['gidMappings'] = [
    {'containerID': 0, 'hostID': $(id -g), 'size': 1},
    {'containerID': 500, 'hostID': $SUBGID_START, 'size': 10}]"
  run --separate-stderr "$NOOK" run "$B" sh -c "$maps_cmd"
  assert_status 0
  assert_output "uid_map:
0 $(id -u) 1
1 $((SUBUID_START + 1000)) 100
1000 $SUBUID_START 1000
gid_map:
0 $(id -g) 1
500 $SUBGID_START 10"
}

@test "userns: --userns=keep-id keeps the caller's ids and runs a 0:0 config as the caller" {
  need_one_subid_range
  local uid gid
  uid=$(id -u)
  gid=$(id -g)
  [ "$uid" -lt "$SUBUID_COUNT" ] && [ "$gid" -lt "$SUBGID_COUNT" ] ||
    skip_or_fail "caller's ids are beyond the subordinate range size"
  run --separate-stderr "$NOOK" run --userns=keep-id "$B" sh -c "$maps_cmd; id -u; id -g; grep CapEff /proc/self/status"
  assert_status 0
  assert_output "uid_map:
0 $SUBUID_START $uid
$uid $uid 1
$((uid + 1)) $((SUBUID_START + uid)) $((SUBUID_COUNT - uid))
gid_map:
0 $SUBGID_START $gid
$gid $gid 1
$((gid + 1)) $((SUBGID_START + gid)) $((SUBGID_COUNT - gid))
$uid
$gid
CapEff:	0000000000000000"
}

@test "userns: --userns=keep-id leaves an explicit process.user alone" {
  need_one_subid_range
  edit_config "$B" 'c["process"]["user"] = {"uid": 1000, "gid": 1000}'
  run --separate-stderr "$NOOK" run --userns=keep-id "$B" id
  assert_status 0
  assert_output "uid=1000(user) gid=1000(user)"
}

@test "userns: --userns=keep-id names the caller in the layer's passwd and group and sets HOME; the bundle stays" {
  need_one_subid_range
  local n before home
  n=$(test_name kid)
  home=$(getent passwd "$(id -u)" | cut -d: -f6)
  before=$(md5sum "$B/rootfs/etc/passwd" "$B/rootfs/etc/group")
  # The bundle's HOME=/root was for the 0:0 user that keep-id replaces.
  run --separate-stderr "$NOOK" run --userns=keep-id --name "$n" "$B" sh -c 'whoami; id -gn; echo "$HOME"; grep -c ":$(id -u):" /etc/passwd'
  assert_status 0
  assert_output "$(id -un)
$(id -gn)
$home
1"
  # The next run of the container finds the entry and adds no other.
  run --separate-stderr "$NOOK" run --userns=keep-id --name "$n" "$B" sh -c 'grep -c ":$(id -u):" /etc/passwd; grep -c ":$(id -g):" /etc/group'
  assert_status 0
  assert_output "1
1"
  # --rootfs=bind would write into the bundle: nothing is added there.
  run --separate-stderr "$NOOK" run --userns=keep-id --rootfs=bind "$B" sh -c 'whoami 2>&1; true'
  assert_status 0
  assert_output "whoami: unknown uid $(id -u)"
  [ "$(md5sum "$B/rootfs/etc/passwd" "$B/rootfs/etc/group")" = "$before" ] || fail "the bundle's passwd or group changed"
  run --separate-stderr "$NOOK" rm "$n"
  assert_status 0
}

@test "userns: --userns=keep-id keeps the HOME of a config that runs as the caller itself" {
  need_one_subid_range
  edit_config "$B" "c['process']['user'] = {'uid': $(id -u), 'gid': $(id -g)}" \
    "c['process']['env'] = [e for e in c['process']['env'] if not e.startswith('HOME=')] + ['HOME=/work']"
  run --separate-stderr "$NOOK" run --userns=keep-id "$B" sh -c 'echo "$HOME"; whoami'
  assert_status 0
  assert_output "/work
$(id -un)"
}

@test "userns: --userns=auto is the default; an unknown mode is a usage error" {
  need_one_subid_range
  run --separate-stderr "$NOOK" run --userns=auto "$B" cat /proc/self/uid_map
  assert_status 0
  assert_output_contains "$SUBUID_START"
  run --separate-stderr "$NOOK" run --userns=nope "$B" true
  assert_nook_error 125 "--userns" "nope" "keep-id"
}

@test "userns: --userns=keep-id with config mappings is refused" {
  need_one_subid_range
  edit_config "$B" "c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $(id -u), 'size': 1}]"
  run --separate-stderr "$NOOK" run --userns=keep-id "$B" true
  assert_nook_error 125 "config.json" "linux.uidMappings" "keep-id"
}

@test "userns: no subordinate ranges: own-id map and one warning naming usermod" {
  # In a user namespace of our own the caller is "root", which has no
  # subordinate ranges: nook must fall back to the single own-id map.
  if grep -q '^root:\|^0:' /etc/subuid /etc/subgid 2>/dev/null; then
    skip_or_fail "root has subordinate ranges on this host"
  fi
  mkdir -p "$BATS_TEST_TMPDIR/state"
  run --separate-stderr unshare -Ur "$NOOK" --root "$BATS_TEST_TMPDIR/state" run "$B" sh -c "$maps_cmd"
  assert_status 0
  assert_output "uid_map:
0 0 1
gid_map:
0 0 1"
  [ "$(printf '%s\n' "$stderr" | grep -c '')" -eq 1 ] || fail "expected one warning line, got: $stderr"
  [[ "$stderr" == "nook: warning: "*"usermod --add-subuids 100000-165535 --add-subgids 100000-165535 root"* ]] ||
    fail "warning does not name the usermod fix: $stderr"
}

@test "userns: chown 1000:1000 inside gives the file to subuid_start+999 on the host" {
  need_one_subid_range
  run --separate-stderr "$NOOK" run --rootfs=bind "$B" sh -c 'echo x >/tmp/owned && chown 1000:1000 /tmp/owned && stat -c "%u:%g" /tmp/owned'
  assert_status 0
  assert_output "1000:1000"
  [ "$(stat -c %u:%g "$B/rootfs/tmp/owned")" = "$((SUBUID_START + 999)):$((SUBGID_START + 999))" ] ||
    fail "host owner is $(stat -c %u:%g "$B/rootfs/tmp/owned")"
}

@test "userns: id inside shows the mapped user of process.user" {
  need_one_subid_range
  edit_config "$B" 'c["process"]["user"] = {"uid": 1000, "gid": 1000}'
  run --separate-stderr "$NOOK" run "$B" id
  assert_status 0
  assert_output "uid=1000(user) gid=1000(user)"
}

@test "userns: process.user.additionalGids work with newgidmap" {
  need_one_subid_range
  edit_config "$B" 'c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5, 100]}'
  run --separate-stderr "$NOOK" run "$B" sh -c 'id; grep ^Groups: /proc/self/status'
  assert_status 0
  assert_output "uid=1000(user) gid=1000(user) groups=5(tty),100
Groups:	5 100 "
}

@test "userns: additionalGids with a single own-id gid map are refused" {
  edit_config "$B" "c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $(id -g), 'size': 1}]" \
    'c["process"]["user"]["additionalGids"] = [5]'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "process.user.additionalGids" "newgidmap"
}

@test "userns: supplementary groups are reset by default, kept with --group-add=keep-groups" {
  need_one_subid_range
  local want="" g
  # Inside, a host group shows as its container id: our own gid is 0 under
  # the default map, any other group is unmapped (65534).
  for g in $(id -G); do
    [ "$g" = "$(id -g)" ] && want="$want 0" || want="$want 65534"
  done
  run --separate-stderr "$NOOK" run "$B" grep ^Groups: /proc/self/status
  assert_status 0
  [ "$(echo "$output" | awk '{ print NF }')" -eq 1 ] || fail "groups not reset: $output"
  run --separate-stderr "$NOOK" run --group-add=keep-groups "$B" grep ^Groups: /proc/self/status
  assert_status 0
  [ "$(echo "$output" | cut -f2- | xargs -n1 | sort | xargs)" = "$(echo $want | xargs -n1 | sort | xargs)" ] ||
    fail "expected groups$want, got: $output"
}

@test "userns: --group-add=keep-groups with additionalGids is refused" {
  edit_config "$B" 'c["process"]["user"]["additionalGids"] = [5]'
  run --separate-stderr "$NOOK" run --group-add=keep-groups "$B" true
  assert_nook_error 125 "additionalGids" "keep-groups"
  run --separate-stderr "$NOOK" run --group-add=video "$B" true
  assert_nook_error 125 "--group-add" "keep-groups"
}

@test "userns: a package-manager-like workload: add a user, su to it, create files" {
  need_one_subid_range
  # Debian's busybox-static has no adduser: do what it does.
  run --separate-stderr "$NOOK" run --rootfs=bind "$B" sh -c '
    set -e
    if busybox --list | grep -qx adduser; then
      adduser -D -u 2000 -h /home/bob bob
    else
      echo "bob:x:2000:2000::/home/bob:/bin/sh" >>/etc/passwd
      echo "bob:x:2000:" >>/etc/group
      mkdir -p /home/bob && chown bob:bob /home/bob
    fi
    su bob -c "echo hi >/home/bob/made-by-bob && id"
    stat -c "%U %u" /home/bob/made-by-bob'
  assert_status 0
  assert_output "uid=2000(bob) gid=2000(bob) groups=2000(bob)
bob 2000"
  [ "$(stat -c %u "$B/rootfs/home/bob/made-by-bob")" = "$((SUBUID_START + 1999))" ] ||
    fail "host owner is $(stat -c %u "$B/rootfs/home/bob/made-by-bob")"
}

# bad_mapping PYTHON-STATEMENT WORDS...: the config change must make nook
# fail with exit 125 and a one-line error, before anything is set up.
bad_mapping ()
{
  local stmt=$1
  shift
  edit_config "$B" "$stmt"
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "$@"
}

@test "userns: a host range outside own id and subordinate ranges is rejected" {
  need_one_subid_range
  bad_mapping "c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $(id -u), 'size': 1}, {'containerID': 1, 'hostID': $((SUBUID_START + SUBUID_COUNT)), 'size': 10}]" \
    "config.json: linux.uidMappings[1]: host range $((SUBUID_START + SUBUID_COUNT))-" \
    "not yours to map" "$SUBUID_START-$((SUBUID_START + SUBUID_COUNT - 1))"
  bad_mapping "c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 0, 'size': 1}]" \
    "linux.uidMappings[0]: host uid 0 is not yours" "your own uid $(id -u)"
}

@test "userns: overlapping container ranges are rejected" {
  need_one_subid_range
  bad_mapping "c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $SUBGID_START, 'size': 100}, {'containerID': 50, 'hostID': $(id -g), 'size': 1}]" \
    "linux.gidMappings[1]: container range 50 overlaps linux.gidMappings[0] (container range 0-99)"
}

@test "userns: more than 340 lines, or more than a page of map text, are rejected" {
  need_one_subid_range
  # Container root stays the caller, who owns the bundle's files.
  edit_config "$B" "c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $(id -u), 'size': 1}] + [{'containerID': i, 'hostID': $SUBUID_START + i, 'size': 1} for i in range(1, 300)]"
  run --separate-stderr "$NOOK" run "$B" sh -c 'wc -l </proc/self/uid_map'
  assert_status 0
  assert_output 300
  bad_mapping "c['linux']['uidMappings'] = [{'containerID': i, 'hostID': $SUBUID_START + i, 'size': 1} for i in range(341)]" \
    "linux.uidMappings: 341 ranges, more than the 340"
  # 340 lines of six-digit host ids do not fit in the one page the kernel reads.
  bad_mapping "c['linux']['uidMappings'] = [{'containerID': i, 'hostID': $SUBUID_START + i, 'size': 1} for i in range(340)]" \
    "linux.uidMappings: the uid map is" "bytes as text"
}

@test "userns: a mapping of size 0 is rejected" {
  bad_mapping "c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $(id -u), 'size': 0}]" \
    "linux.uidMappings[0].size"
}

@test "userns: the single own-id map is written directly, no helper is executed" {
  command -v strace >/dev/null || skip_or_fail "strace is not installed"
  edit_config "$B" "c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $(id -u), 'size': 1}]" \
    "c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $(id -g), 'size': 1}]"
  run --separate-stderr strace -f -qq -e trace=execve -o "$BATS_TEST_TMPDIR/strace.log" \
    "$NOOK" run --rootfs=bind "$B" cat /proc/self/uid_map
  assert_status 0
  [ "$(echo $output)" = "0 $(id -u) 1" ] || fail "unexpected map: $output"
  local execs
  execs=$(grep -o 'execve("[^"]*"' "$BATS_TEST_TMPDIR/strace.log" | sed 's/execve("//; s/"$//')
  [ "$(printf '%s\n' "$execs" | wc -l)" -eq 2 ] || fail "expected nook and cat only, got:
$execs"
  printf '%s\n' "$execs" | grep -q 'new[ug]idmap' && fail "a helper was executed: $execs"
  return 0
}

# A PATH of links to what nook needs, minus what the test takes away. (A
# helper missing from PATH is still found in /usr/bin or /usr/sbin, where
# distributions put it: taking it away for real needs root.)
_path_without ()
{
  local dir=$BATS_TEST_TMPDIR/bin t
  mkdir -p "$dir"
  for t in newuidmap newgidmap fuse-overlayfs; do
    case " $* " in *" $t "*) continue ;; esac
    ln -sf "$(command -v "$t")" "$dir/$t"
  done
  echo "$dir"
}

@test "userns: a newgidmap that is not setuid root is a clear error" {
  local path
  path=$(_path_without newgidmap)
  # A copy of the user's own loses the setuid bit, as a broken install would.
  cp "$(command -v newgidmap)" "$path/newgidmap"
  run --separate-stderr env PATH="$path" "$NOOK" run "$B" true
  assert_nook_error 125 "$path/newgidmap is neither setuid root nor has file capabilities" "reinstall the uidmap package"
}
