#!/usr/bin/env bats
# Network namespaces: loopback up in a fresh one, --net=host|none|pasta, and
# the host's resolv.conf/hosts when the container has network access.
# These machines allow traffic only to loopback: nothing here sends a packet
# through pasta to any other address.

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
  stop_host_server
  nook_default_teardown
}

# A TCP service on the host's 127.0.0.1 that greets whoever connects.
# Sets HOST_PORT.
start_host_server ()
{
  HOST_PORT_FILE=$BATS_TEST_TMPDIR/port
  python3 - "$HOST_PORT_FILE" <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(5)
s.settimeout(30)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
try:
    while True:
        c, _ = s.accept()
        c.sendall(b"hello-from-host\n")
        c.close()
except OSError:
    pass
PY
  HOST_SERVER_PID=$!
  wait_until 10 test -s "$HOST_PORT_FILE" || fail "host server did not start"
  HOST_PORT=$(cat "$HOST_PORT_FILE")
}

stop_host_server ()
{
  if [ -n "${HOST_SERVER_PID:-}" ]; then
    kill "$HOST_SERVER_PID" 2>/dev/null
    wait "$HOST_SERVER_PID" 2>/dev/null || true
    HOST_SERVER_PID=
  fi
}

# Interface names as /proc/net/dev lists them, sorted, on one line.
ifaces_cmd='tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "'

# pasta and a /dev/net/tun the user can open, or a skip (a failure when the
# tests must work).
need_pasta ()
{
  command -v pasta >/dev/null || { skip_or_fail "pasta is not installed (package passt)"; return 1; }
  [ -c /dev/net/tun ] && [ -r /dev/net/tun ] && [ -w /dev/net/tun ] ||
    { skip_or_fail "/dev/net/tun is not usable by $(id -un) (tests/setup-host.sh makes it 0666)"; return 1; }
}

_pasta_back_to () { [ "$(pasta_pids)" = "$1" ]; }

# pids of this user's pasta processes (pasta re-executes itself as
# passt.avx2 etc., so look at the command name and at argv[0]).
pasta_pids ()
{
  local p uid
  for p in /proc/[0-9]*; do
    uid=$(awk '/^Uid:/ { print $2 }' "$p/status" 2>/dev/null) || continue
    [ "$uid" = "$(id -u)" ] || continue
    # A pasta that has exited but is not reaped yet (it daemonized, so
    # init reaps it) is gone for our purpose.
    [ "$(awk '/^State:/ { print $2 }' "$p/status" 2>/dev/null)" != Z ] || continue
    case "$(cat "$p/comm" 2>/dev/null) $(tr '\0' '\n' 2>/dev/null <"$p/cmdline" | head -1)" in
      pasta* | passt* | *" pasta"* | */pasta*) echo "${p#/proc/}" ;;
    esac
  done | sort
}

@test "network: a fresh network namespace has only lo, and it is up" {
  run --separate-stderr "$NOOK" run "$B" sh -c "$ifaces_cmd; echo; ip -o link show lo"
  assert_status 0
  [ "$(printf '%s\n' "$output" | head -1)" = "lo " ] || fail "interfaces besides lo: $output"
  assert_output_matches "lo: <[^>]*[<,]UP[,>]"
}

@test "network: a TCP server and client on 127.0.0.1 inside talk" {
  run --separate-stderr timeout 20 "$NOOK" run "$B" sh -c '
    nc -l -p 5555 >/tmp/got &
    # Until the server listens: a loaded machine can take longer than a
    # fixed sleep to start it.
    for i in $(seq 100); do
      echo hello-inside | nc -w 2 127.0.0.1 5555 2>/dev/null && break
      sleep 0.1
    done
    wait; cat /tmp/got'
  assert_status 0
  assert_output "hello-inside"
}

@test "network: the host's loopback services are not reachable by default" {
  start_host_server
  run --separate-stderr timeout 20 "$NOOK" run "$B" sh -c "nc -w 2 127.0.0.1 $HOST_PORT </dev/null; echo nc=\$?"
  assert_status 0
  assert_output_not_contains "hello-from-host"
  assert_output_contains "nc=1"
}

@test "network: --net=host shares the caller's interfaces and loopback services" {
  start_host_server
  local host_ifaces
  host_ifaces=$(sh -c "$ifaces_cmd")
  run --separate-stderr timeout 20 "$NOOK" run --net=host "$B" sh -c "$ifaces_cmd; echo; readlink /proc/self/ns/net; nc -w 2 127.0.0.1 $HOST_PORT </dev/null"
  assert_status 0
  assert_output "$host_ifaces
$(readlink /proc/self/ns/net)
hello-from-host"
}

@test "network: --net=none is loopback only, even when the config shares the host's" {
  edit_config "$B" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'network']" \
    'for m in c["mounts"]:
    if m["destination"] == "/sys":
        m.update({"type": "bind", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]})'
  run --separate-stderr "$NOOK" run --net=none "$B" sh -c "$ifaces_cmd; echo; readlink /proc/self/ns/net; ip -o link show lo"
  assert_status 0
  [ "$(printf '%s\n' "$output" | head -1)" = "lo " ] || fail "interfaces besides lo: $output"
  [ "$(printf '%s\n' "$output" | sed -n 2p)" != "$(readlink /proc/self/ns/net)" ] || fail "the host's network namespace"
  assert_output_matches "lo: <[^>]*[<,]UP[,>]"
}

@test "network: an unknown --net mode is a usage error" {
  run --separate-stderr "$NOOK" run --net=bridge "$B" true
  assert_nook_error 125 "--net" "bridge" "pasta"
}

@test "network: --net=pasta gives an interface with an address and a default route; pasta ends with the container" {
  need_pasta || return 1
  local before after
  before=$(pasta_pids)
  run --separate-stderr "$NOOK" run --net=pasta "$B" sh -c 'ip -o -4 addr show; ip route show default'
  assert_status 0
  local ifname
  ifname=$(printf '%s\n' "$output" | awk '$2 != "lo" && $3 == "inet" { print $2; exit }')
  [ -n "$ifname" ] || fail "no IPv4 address besides lo: $output"
  assert_output_matches "default via [0-9.]+ dev $ifname"
  after=$(pasta_pids)
  [ "$before" = "$after" ] || fail "pasta still running after the container ended: $(comm -13 <(echo "$before") <(echo "$after"))"
}

@test "network: --net=pasta stops pasta when the container is killed" {
  need_pasta || return 1
  local before name cpid
  before=$(pasta_pids)
  name=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" --net=pasta "$B" sleep 60
  cpid=$(wait_state_pid "$name")
  [ "$(pasta_pids)" != "$before" ] || fail "no pasta while the container runs"
  kill -KILL "$cpid"
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/bg"
  [ "$bg_status" -eq 137 ] || fail "nook exited $bg_status: $(cat "$BATS_TEST_TMPDIR/bg.err")"
  wait_until 5 _pasta_back_to "$before" || fail "pasta still running: $(pasta_pids)"
}

@test "network: with network access the host's resolv.conf and hosts are bound read-only" {
  run --separate-stderr "$NOOK" run --net=host "$B" sh -c 'cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---; grep -E " /etc/(resolv.conf|hosts) " /proc/mounts | cut -d" " -f2,4 | cut -d, -f1; echo x >>/etc/hosts'
  [ "$status" -ne 0 ] || fail "/etc/hosts is writable"
  assert_output "$(cat /etc/resolv.conf)
---
$(cat /etc/hosts)
---
/etc/resolv.conf ro
/etc/hosts ro"
}

@test "network: without network access, or with --dns=bundle, the bundle's files stay" {
  printf 'nameserver 192.0.2.53\n' >"$B/rootfs/etc/resolv.conf"
  run --separate-stderr "$NOOK" run "$B" cat /etc/resolv.conf
  assert_status 0
  assert_output "nameserver 192.0.2.53"
  run --separate-stderr "$NOOK" run --net=host --dns=bundle "$B" sh -c 'cat /etc/resolv.conf; grep -c " /etc/resolv.conf " /proc/mounts'
  assert_output "nameserver 192.0.2.53
0"
  run --separate-stderr "$NOOK" run --dns=host "$B" true
  assert_nook_error 125 "--dns" "bundle"
}

@test "network: --net=pasta without pasta is a clear error naming the package" {
  # pasta is looked up in PATH, then in /usr/bin: hide it there in a mount
  # namespace of our own (as root of a user namespace that maps only us).
  [ -e /usr/bin/pasta ] || skip_or_fail "pasta is not installed (package passt)"
  edit_config "$B" 'c["linux"]["uidMappings"] = c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1}]'
  run --separate-stderr unshare --map-root-user --mount sh -c 'mount --bind /dev/null /usr/bin/pasta && PATH=/nonexistent exec "$@"' sh "$NOOK" run --rootfs=bind --net=pasta "$B" true
  assert_nook_error 125 "pasta not found" "install the passt package"
}

@test "network: kill -9 of nook with --net=pasta: the next nook ls stops the pasta left behind" {
  need_pasta || return 1
  local before name
  before=$(pasta_pids)
  name=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$name" --rootfs=bind --net=pasta "$B" sleep 60
  wait_state_pid "$name" >/dev/null
  [ "$(pasta_pids)" != "$before" ] || fail "no pasta while the container runs"
  kill -KILL "$BG_PID"
  wait "$BG_PID" || true
  NOOK_BG_PIDS=()
  # The container goes with its nook; pasta does not notice by itself.
  sleep 0.5
  [ "$(pasta_pids)" != "$before" ] || fail "pasta ended on its own: this test no longer tests nook ls"
  run --separate-stderr "$NOOK" ls -q
  assert_status 0
  assert_output_not_contains "$name"
  wait_until 5 _pasta_back_to "$before" || fail "pasta still running: $(pasta_pids)"
}
