#!/usr/bin/env bats
# Configs that other tools generate, run as they come: podman 4.3's for
# `podman run --rm IMAGE true`, and annotations nook keeps but does not act on.

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

# has_opt "a,b,c" b
has_opt ()
{
  [[ ",$1," == *",$2,"* ]]
}

# The bundle for tests/fixtures/podman-run-config.json (podman 4.3's config,
# root.path made "rootfs", its bind sources @HOST@/NAME, its network
# namespace @NETNS@) in $P: the fixture's rootfs and the files podman would
# have made.
podman_bundle ()
{
  P=$BATS_TEST_TMPDIR/podman
  mkdir -p "$P/host/shm" "$P/run"
  chmod 700 "$P/run"
  cp -a "$B/rootfs" "$P/rootfs"
  : >"$P/host/containerenv"
  echo podman-host >"$P/host/hostname"
  echo "nameserver 192.0.2.1" >"$P/host/resolv.conf"
  echo "127.0.0.1 localhost" >"$P/host/hosts"
  sed -e "s|@HOST@|$P/host|g" "$NOOK_FIXTURES/podman-run-config.json" >"$P/config.json"
}

# podman runs its runtime as uid 0 of its own user namespace, with a config
# that has none and joins the network namespace podman made: the same here,
# with unshare in podman's place. Sets status, output and stderr.
run_like_podman ()
{
  XDG_RUNTIME_DIR=$P/run run --separate-stderr unshare -Urn sh -c '
    unshare -n sleep 600 </dev/null >/dev/null 2>&1 &
    netns=$!
    sed -i -e "s|@NETNS@|/proc/$netns/ns/net|g" "$1/config.json"
    "$NOOK" run --rootfs=bind "$1"
    status=$?
    kill $netns
    exit $status' sh "$P"
}

@test "generated configs: podman 4.3's config for 'podman run --rm IMAGE true' runs with --rootfs=bind" {
  podman_bundle
  run_like_podman
  assert_status 0
  assert_output ""
  assert_stderr ""
}

@test "generated configs: podman 4.3's config: its binds are there, /sys/fs/cgroup read-only" {
  podman_bundle
  edit_config "$P" 'c["process"]["args"] = ["sh", "-c", "cat /etc/hostname /etc/resolv.conf; awk \"\\$5 == \\\"/sys/fs/cgroup\\\" { print \\$6 }\" /proc/self/mountinfo"]'
  run_like_podman
  assert_status 0
  [[ "$output" == "podman-host
nameserver 192.0.2.1
"* ]] || fail "output: $output"
  local opts
  opts=$(printf '%s\n' "$output" | tail -1)
  has_opt "$opts" ro || fail "/sys/fs/cgroup is mounted '$opts'"
}

@test "generated configs: annotations (run.oci.* included) are accepted quietly" {
  edit_config "$B" 'c["annotations"] = {"run.oci.keep_original_groups": "1", "run.oci.systemd.subgroup": "x", "org.example.note": "kept"}'
  run --separate-stderr "$NOOK" run "$B" echo ran
  assert_status 0
  assert_output ran
  assert_stderr ""
}

@test "generated configs: an annotation that is not a string is refused naming it" {
  edit_config "$B" 'c["annotations"] = {"org.example.count": 3}'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 'config.json: annotations."org.example.count": expected a string'
}
