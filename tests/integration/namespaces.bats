#!/usr/bin/env bats
# linux.namespaces: which namespaces the container gets, id maps, joining by path.

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

# OCI namespace type → /proc/self/ns entry.
proc_ns_name ()
{
  case $1 in
    mount) echo mnt ;;
    network) echo net ;;
    *) echo "$1" ;;
  esac
}

# Make the config able to run without namespace TYPE (rootless, a missing
# namespace means mounts that need it must come from the host instead).
remove_namespace ()
{
  local type=$1
  edit_config "$B" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != '$type']"
  case $type in
    pid)
      # proc can only be mounted by the owner of the pid namespace.
      edit_config "$B" 'for m in c["mounts"]:
    if m["destination"] == "/proc":
        m.update({"type": "bind", "source": "/proc", "options": ["rbind", "nosuid", "noexec", "nodev"]})' ;;
    network)
      # sysfs can only be mounted by the owner of the network namespace.
      edit_config "$B" 'for m in c["mounts"]:
    if m["destination"] == "/sys":
        m.update({"type": "bind", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]})' ;;
    ipc)
      # mqueue can only be mounted by the owner of the ipc namespace.
      edit_config "$B" 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev/mqueue"]' ;;
    uts)
      # a hostname needs a uts namespace of the container's own.
      edit_config "$B" 'c.pop("hostname", None)' 'c.pop("domainname", None)' ;;
  esac
}

add_namespace ()
{
  edit_config "$B" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != '$1'] + [{'type': '$1'}]"
}

# ns_check TYPE new|same
ns_check ()
{
  local type=$1 want=$2 name host
  name=$(proc_ns_name "$type")
  host=$(readlink "/proc/self/ns/$name")
  run --separate-stderr "$NOOK" run "$B" readlink "/proc/self/ns/$name"
  assert_status 0 || return 1
  [[ "$output" == "$name:["*"]" ]] || fail "unexpected readlink output inside: '$output'"
  if [ "$want" = new ]; then
    [ "$output" != "$host" ] || fail "$type namespace inside ($output) is the host's ($host)"
  else
    [ "$output" = "$host" ] || fail "$type namespace inside ($output) differs from the host's ($host) although it is not in linux.namespaces"
  fi
}

@test "namespaces: user listed → new user namespace" {
  ns_check user new
}

@test "namespaces: mount listed → new mount namespace" {
  ns_check mount new
}

@test "namespaces: pid listed → new pid namespace" {
  ns_check pid new
}

@test "namespaces: uts listed → new uts namespace" {
  ns_check uts new
}

@test "namespaces: ipc listed → new ipc namespace" {
  ns_check ipc new
}

@test "namespaces: network listed → new network namespace" {
  ns_check network new
}

@test "namespaces: cgroup listed → new cgroup namespace" {
  add_namespace cgroup
  ns_check cgroup new
}

@test "namespaces: cgroup absent → the host's cgroup namespace" {
  remove_namespace cgroup
  ns_check cgroup same
}

@test "namespaces: pid absent → the host's pid namespace" {
  remove_namespace pid
  ns_check pid same
}

@test "namespaces: uts absent → the host's uts namespace" {
  remove_namespace uts
  ns_check uts same
}

@test "namespaces: ipc absent → the host's ipc namespace" {
  remove_namespace ipc
  ns_check ipc same
}

@test "namespaces: network absent → the host's network namespace" {
  remove_namespace network
  ns_check network same
}

@test "namespaces: mount absent → the host's mount namespace, or a clean 125 error (rootless needs one)" {
  remove_namespace mount
  local host
  host=$(readlink /proc/self/ns/mnt)
  run --separate-stderr "$NOOK" run "$B" readlink /proc/self/ns/mnt
  if [ "$status" -eq 125 ]; then
    [[ "$stderr" == "nook: "* ]] || fail "125 without a 'nook: ' message: $stderr"
    [[ "$stderr" == *mount* ]] || fail "the message does not mention the mount namespace: $stderr"
    return 0
  fi
  assert_status 0
  assert_output "$host"
}

@test "namespaces: user absent → a clean 125 error or the host's user namespace" {
  remove_namespace user
  local host
  host=$(readlink /proc/self/ns/user)
  run --separate-stderr "$NOOK" run "$B" readlink /proc/self/ns/user
  if [ "$status" -eq 125 ]; then
    [[ "$stderr" == "nook: "* ]] || fail "125 without a 'nook: ' message: $stderr"
    [ "$(printf '%s\n' "$stderr" | grep -c '')" -eq 1 ] || fail "expected one line: $stderr"
    return 0
  fi
  assert_status 0
  assert_output "$host"
}

@test "namespaces: uid_map and gid_map map container root to the caller" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map'
  assert_status 0
  local uids gids
  uids=$(printf '%s\n' "$output" | sed '/^--$/,$d' | tr -s ' \t' ' ' | sed 's/^ //')
  gids=$(printf '%s\n' "$output" | sed '1,/^--$/d' | tr -s ' \t' ' ' | sed 's/^ //')
  printf '%s\n' "$uids" | grep -qx "0 $(id -u) 1" || fail "uid_map has no line '0 $(id -u) 1':
$uids"
  printf '%s\n' "$gids" | grep -qx "0 $(id -g) 1" || fail "gid_map has no line '0 $(id -g) 1':
$gids"
}

@test "namespaces: explicit uidMappings/gidMappings are written as given" {
  edit_config "$B" \
    'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": os.getuid(), "size": 1}]' \
    'c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": os.getgid(), "size": 1}]'
  run --separate-stderr "$NOOK" run "$B" sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
  assert_status 0
  [ "$(printf '%s\n' "$output" | tr -s ' \t' ' ' | sed 's/^ //')" = "0 $(id -u) 1
0 $(id -g) 1" ] || fail "unexpected maps:
$output"
}

@test "namespaces: pid namespace → the process is PID 1 (echo \$\$), or 2 behind nook-init" {
  run --separate-stderr "$NOOK" run --no-init "$B" sh -c 'echo $$'
  assert_status 0
  assert_output "1"
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo $$'
  assert_status 0
  assert_output "2"
}

@test "namespaces: pid namespace → only the container's processes are visible" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'ls -d /proc/[0-9]* | wc -l'
  assert_status 0
  # sh, ls and wc (and maybe the subshell): a handful, not the host's.
  [ "$output" -le 4 ] || fail "$output processes visible inside the pid namespace"
}

@test "namespaces: network namespace → only lo in /proc/net/dev" {
  run --separate-stderr "$NOOK" run "$B" cat /proc/net/dev
  assert_status 0
  local ifaces
  ifaces=$(printf '%s\n' "$output" | sed '1,2d' | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')
  [ "$ifaces" = "lo " ] || fail "interfaces inside: '$ifaces', want only lo
$output"
}

@test "namespaces: ipc namespace → no host SysV objects visible" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'cat /proc/sysvipc/shm | wc -l'
  assert_status 0
  assert_output "1"
}

# Start a long-running container and print its pid (from state.json).
start_sleeper ()
{
  local name=$1 bundle=$2
  start_bg "$BATS_TEST_TMPDIR/$name" run --name "$name" "$bundle" sleep 100
  wait_state_pid "$name"
}

@test "namespaces: joining another container's network namespace without its user namespace fails with 125 naming it" {
  # setns(CLONE_NEWNET) needs CAP_SYS_ADMIN over the namespace's owner (the
  # first container's user namespace), which a new sibling user namespace
  # does not have: rootless, this can never work (joining both is the next
  # test). What nook must do is say so, naming the path.
  local first pid
  new_bundle "$BATS_FILE_TMPDIR/master" "$BATS_TEST_TMPDIR/first"
  new_bundle
  first=$(test_name first)
  pid=$(start_sleeper "$first" "$BATS_TEST_TMPDIR/first") || return 1
  edit_config "$B" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'network'] + [{'type': 'network', 'path': '/proc/$pid/ns/net'}]"
  run --separate-stderr "$NOOK" run "$B" readlink /proc/self/ns/net
  assert_nook_error 125 "/proc/$pid/ns/net"
  [[ "$stderr" == *"not permitted"* || "$stderr" == *"ermission"* ]] || fail "stderr: $stderr"
}

@test "namespaces: join user and network namespaces of another container by path" {
  local first pid want_net want_user
  new_bundle "$BATS_FILE_TMPDIR/master" "$BATS_TEST_TMPDIR/first"
  new_bundle
  first=$(test_name first)
  pid=$(start_sleeper "$first" "$BATS_TEST_TMPDIR/first") || return 1
  want_net=$(readlink "/proc/$pid/ns/net")
  want_user=$(readlink "/proc/$pid/ns/user")
  edit_config "$B" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] not in ('network', 'user')] + [{'type': 'user', 'path': '/proc/$pid/ns/user'}, {'type': 'network', 'path': '/proc/$pid/ns/net'}]"
  # The pid namespace made after joining: nook-init is its PID 1.
  run --separate-stderr "$NOOK" run "$B" sh -c 'readlink /proc/self/ns/net; readlink /proc/self/ns/user; echo $$'
  assert_status 0
  assert_output "$want_net
$want_user
2"
}

@test "namespaces: joining a namespace path that does not exist fails with 125 naming it" {
  edit_config "$B" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'ipc'] + [{'type': 'ipc', 'path': '/proc/999999999/ns/ipc'}]"
  run --separate-stderr "$NOOK" run "$B" true
  assert_status 125
  [[ "$stderr" == "nook: "*"/proc/999999999/ns/ipc"* ]] || fail "unexpected message: $stderr"
}

@test "namespaces: joining a path of the wrong namespace type fails with 125" {
  edit_config "$B" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'ipc'] + [{'type': 'ipc', 'path': '/proc/self/ns/net'}]"
  run --separate-stderr "$NOOK" run "$B" true
  assert_status 125
  [[ "$stderr" == "nook: "* ]] || fail "unexpected message: $stderr"
}
