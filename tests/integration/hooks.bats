#!/usr/bin/env bats
# OCI hooks with `nook run` (create + start + wait + delete): the order of
# the six kinds, the state each reads on stdin, the namespaces they run in,
# argv and environment exactly as configured, failures and timeouts.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
  # The hooks' scripts and what they record. The container sees it at
  # /hooklog, so the hooks that run inside it can write here too.
  H=$BATS_TEST_TMPDIR/h
  mkdir -p "$H"
  add_mount "{'destination': '/hooklog', 'type': 'bind', 'source': '$H', 'options': ['rbind', 'rw']}"
  # hook.sh KIND DIR: the state on stdin, the hook's own mount namespace
  # and, from the runtime's side, that of the pid the state names.
  cat >"$H/hook.sh" <<'EOF'
#!/bin/sh
kind=$1 dir=$2
cat > "$dir/$kind.json"
readlink /proc/self/ns/mnt > "$dir/$kind.mnt"
pid=$(sed -n 's/.*"pid":\([0-9][0-9]*\).*/\1/p' "$dir/$kind.json")
if [ -n "$pid" ] && [ "$kind" != startContainer ]; then
  readlink "/proc/$pid/ns/mnt" > "$dir/$kind.pidmnt" 2>&1
fi
echo "$kind" >> "$dir/order"
EOF
  # fail.sh KIND DIR CODE: record that it ran, fail with CODE.
  cat >"$H/fail.sh" <<'EOF'
#!/bin/sh
echo "$1" >> "$2/order"
exit "$3"
EOF
  chmod +x "$H/hook.sh" "$H/fail.sh"
}

teardown ()
{
  nook_default_teardown
}

add_mount ()
{
  edit_config "$B" "c['mounts'].append($1)"
}

# add_hook KIND PYTHON-DICT: append a hook to hooks.KIND.
add_hook ()
{
  edit_config "$B" "c.setdefault('hooks', {}).setdefault('$1', []).append($2)"
}

# The recording hook for KIND; in the container (createContainer sees the
# host's paths still, startContainer the container's) or outside.
record_hook ()
{
  local kind=$1 script=$H/hook.sh dir=$H
  if [ "$kind" = startContainer ]; then
    script=/hooklog/hook.sh dir=/hooklog
  fi
  add_hook "$kind" "{'path': '$script', 'args': ['hook.sh', '$kind', '$dir'], 'env': ['PATH=/usr/bin:/bin']}"
}

# json_get FILE KEY: a member of the state a hook recorded.
json_get ()
{
  python3 -c 'import json, sys; v = json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"
}

ALL_KINDS="prestart createRuntime createContainer startContainer poststart poststop"

@test "hooks: all six kinds run in order, each with the state on stdin" {
  local kind
  for kind in $ALL_KINDS; do
    record_hook "$kind"
  done
  edit_config "$B" "c['annotations'] = {'org.example.key': 'value'}"

  run --separate-stderr "$NOOK" run "$B" sh -c 'readlink /proc/self/ns/mnt > /hooklog/container.mnt'
  assert_status 0
  assert_stderr ""
  [ "$(cat "$H/order" | tr '\n' ' ')" = "$ALL_KINDS " ] ||
    fail "hooks ran in this order: $(cat "$H/order" | tr '\n' ' ')"

  local id pid want
  id=$(json_get "$H/prestart.json" id)
  pid=$(json_get "$H/prestart.json" pid)
  [[ "$id" =~ ^[0-9a-f]{64}$ ]] || fail "prestart: id '$id'"
  [[ "$pid" =~ ^[1-9][0-9]*$ ]] || fail "prestart: pid '$pid'"
  for kind in $ALL_KINDS; do
    case $kind in
      prestart|createRuntime|createContainer) want=creating ;;
      startContainer) want=created ;;
      poststart) want=running ;;
      poststop) want=stopped ;;
    esac
    [ "$(json_get "$H/$kind.json" status)" = "$want" ] || fail "$kind: status $(json_get "$H/$kind.json" status), expected $want"
    [ "$(json_get "$H/$kind.json" id)" = "$id" ] || fail "$kind: id $(json_get "$H/$kind.json" id), expected $id"
    [ "$(json_get "$H/$kind.json" pid)" = "$pid" ] || fail "$kind: pid $(json_get "$H/$kind.json" pid), expected $pid"
    [ "$(json_get "$H/$kind.json" bundle)" = "$B" ] || fail "$kind: bundle $(json_get "$H/$kind.json" bundle), expected $B"
    [ "$(json_get "$H/$kind.json" ociVersion)" = 1.0.2 ] || fail "$kind: no ociVersion"
    python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["annotations"] != {"org.example.key": "value"})' "$H/$kind.json" ||
      fail "$kind: annotations: $(cat "$H/$kind.json")"
  done
}

@test "hooks: createContainer and startContainer run in the container's mount namespace, the others in nook's" {
  local kind
  for kind in $ALL_KINDS; do
    record_hook "$kind"
  done

  run --separate-stderr "$NOOK" run "$B" sh -c 'readlink /proc/self/ns/mnt > /hooklog/container.mnt'
  assert_status 0
  local container own
  container=$(cat "$H/container.mnt")
  own=$(readlink /proc/self/ns/mnt)
  [ "$container" != "$own" ] || fail "the container shares the test's mount namespace"
  for kind in createContainer startContainer; do
    [ "$(cat "$H/$kind.mnt")" = "$container" ] || fail "$kind ran in $(cat "$H/$kind.mnt"), the container is in $container"
  done
  for kind in prestart createRuntime poststart poststop; do
    [ "$(cat "$H/$kind.mnt")" = "$own" ] || fail "$kind ran in $(cat "$H/$kind.mnt"), nook is in $own"
  done
  # The pid in the state is the container's process, seen from outside
  # (poststart's too, but that process may be gone by then: test 1 has
  # them all name the same pid).
  for kind in prestart createRuntime; do
    [ "$(cat "$H/$kind.pidmnt")" = "$container" ] || fail "$kind: the state's pid is in $(cat "$H/$kind.pidmnt"), not $container"
  done
}

@test "hooks: path, args (args[0] is argv[0]) and env exactly as configured, nothing inherited" {
  cat >"$H/args.sh" <<'EOF'
tr '\0' '|' < /proc/$$/cmdline > "$OUT"
echo >> "$OUT"
env | sort >> "$OUT"
EOF
  add_hook prestart "{'path': '/bin/sh', 'args': ['my-argv0', '$H/args.sh', 'a b', ''], 'env': ['OUT=$H/out', 'PATH=/usr/bin:/bin', 'TWO=two words']}"

  run --separate-stderr env SECRET=leak "$NOOK" run --rootfs=bind "$B" true
  assert_status 0
  run cat "$H/out"
  assert_output_contains "my-argv0|$H/args.sh|a b||"
  assert_output_contains "TWO=two words"
  assert_output_not_contains "SECRET"
  assert_output_not_contains "HOME="
  assert_output_not_contains "NOOK_TEST_RUN"
}

@test "hooks: a failing prestart hook fails run with 125, names the hook, and leaves nothing" {
  add_hook prestart "{'path': '$H/fail.sh', 'args': ['fail.sh', 'prestart', '$H', '3']}"
  record_hook createRuntime
  record_hook poststop

  run --separate-stderr "$NOOK" run "$B" sh -c 'touch /hooklog/process-ran'
  assert_nook_error 125 "hooks.prestart[0] ($H/fail.sh): exited with status 3"
  [ "$stderr" = "nook: hooks.prestart[0] ($H/fail.sh): exited with status 3" ] || fail "stderr: $stderr"
  [ ! -e "$H/process-ran" ] || fail "the container's process ran"
  # The runtime spec goes on with delete, then poststop.
  [ "$(cat "$H/order" | tr '\n' ' ')" = "prestart poststop " ] ||
    fail "hooks ran in this order: $(cat "$H/order" | tr '\n' ' ')"
}

@test "hooks: a failing createContainer hook (in the container) fails run with 125" {
  add_hook createContainer "{'path': '$H/fail.sh', 'args': ['fail.sh', 'createContainer', '$H', '4']}"

  run --separate-stderr "$NOOK" run --rootfs=bind "$B" sh -c 'touch /hooklog/process-ran'
  assert_nook_error 125
  [ "$stderr" = "nook: hooks.createContainer[0] ($H/fail.sh): exited with status 4" ] || fail "stderr: $stderr"
  [ ! -e "$H/process-ran" ] || fail "the container's process ran"
  [ "$(cat "$H/order")" = createContainer ] || fail "order: $(cat "$H/order")"
}

@test "hooks: a failing startContainer hook fails run with 125 before the process runs" {
  add_hook startContainer "{'path': '/hooklog/fail.sh', 'args': ['fail.sh', 'startContainer', '/hooklog', '5']}"
  add_hook poststart "{'path': '$H/fail.sh', 'args': ['fail.sh', 'poststart', '$H', '0']}"

  run --separate-stderr "$NOOK" run --rootfs=bind "$B" sh -c 'touch /hooklog/process-ran'
  assert_nook_error 125
  [ "$stderr" = "nook: hooks.startContainer[0] (/hooklog/fail.sh): exited with status 5" ] || fail "stderr: $stderr"
  [ ! -e "$H/process-ran" ] || fail "the container's process ran"
  [ "$(cat "$H/order")" = startContainer ] || fail "order: $(cat "$H/order")"
}

@test "hooks: a hook that outlives its timeout is killed and fails run (nook's and the container's side)" {
  local kind tag
  for kind in createRuntime createContainer; do
    rm -f "$H/order"
    new_bundle
    add_mount "{'destination': '/hooklog', 'type': 'bind', 'source': '$H', 'options': ['rbind', 'rw']}"
    tag=$((600 + BATS_TEST_NUMBER))
    add_hook "$kind" "{'path': '/bin/sh', 'args': ['sh', '-c', 'echo $kind >> $H/order; exec sleep $tag.$$'], 'env': ['PATH=/usr/bin:/bin'], 'timeout': 1}"
    record_hook poststop

    run --separate-stderr "$NOOK" run --rootfs=bind "$B" sh -c 'touch /hooklog/process-ran'
    assert_nook_error 125
    [ "$stderr" = "nook: hooks.$kind[0] (/bin/sh): timed out after 1 s (killed)" ] || fail "stderr: $stderr"
    [ ! -e "$H/process-ran" ] || fail "the container's process ran"
    [ "$(cat "$H/order" | tr '\n' ' ')" = "$kind poststop " ] || fail "order: $(cat "$H/order" | tr '\n' ' ')"
    ! pgrep -f "sleep $tag.$$" >/dev/null || fail "the timed-out hook ($kind) is still running: $(pgrep -af "sleep $tag.$$")"
  done
}

@test "hooks: failing poststart and poststop hooks are warnings; run exits with the process's status" {
  add_hook poststart "{'path': '$H/fail.sh', 'args': ['fail.sh', 'poststart', '$H', '6']}"
  record_hook poststart
  add_hook poststop "{'path': '$H/missing'}"
  record_hook poststop

  run --separate-stderr "$NOOK" run --rootfs=bind "$B" sh -c 'exit 7'
  assert_status 7
  assert_stderr "nook: warning: hooks.poststart[0] ($H/fail.sh): exited with status 6
nook: warning: hooks.poststop[0] ($H/missing): cannot execute: No such file or directory"
  # The hooks after a failed one still ran.
  [ "$(cat "$H/order" | tr '\n' ' ')" = "poststart poststart poststop " ] ||
    fail "order: $(cat "$H/order" | tr '\n' ' ')"
}
