#!/usr/bin/env bats
# Persistent containers (--name), --replace, mapping changes, nook ls, nook rm.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  named_container_setup dev
}

teardown ()
{
  named_container_teardown
}

@test "containers: --name keeps changes from one run to the next, in both overlay modes" {
  local mode
  for mode in fuse-overlayfs overlay; do
    run --separate-stderr "$NOOK" run --rootfs=$mode --name "$N" "$B" sh -c 'echo kept > /etc/kept; mkdir /d; chown 1000:1000 /d; rm /bin/true'
    assert_status 0
    run --separate-stderr "$NOOK" run --rootfs=$mode --name "$N" "$B" sh -c 'cat /etc/kept; stat -c "%u:%g" /d; ls /bin/true 2>/dev/null || echo no-true'
    assert_status 0
    assert_output "kept
1000:1000
no-true"
    [ -f "$XDG_DATA_HOME/nook/containers/$N/layer.json" ]
    [ ! -e "$B/rootfs/etc/kept" ]
    run --separate-stderr "$NOOK" rm "$N"
    assert_status 0
    [ ! -e "$XDG_DATA_HOME/nook/containers/$N" ] || fail "layer left: $(ls -la "$XDG_DATA_HOME/nook/containers/$N")"
  done
}

@test "containers: --rm with --name keeps nothing" {
  run --separate-stderr "$NOOK" run --rm --name "$N" "$B" sh -c 'echo x > /f'
  assert_status 0
  [ ! -e "$XDG_DATA_HOME/nook/containers/$N" ]
  [ ! -e "$(nook_state_root)/$N" ]
}

@test "containers: a name that exists with another bundle is refused unless --replace" {
  run --separate-stderr "$NOOK" run --name "$N" "$B" sh -c 'echo old > /f'
  assert_status 0
  cp -a "$B" "$BATS_TEST_TMPDIR/other"
  run --separate-stderr "$NOOK" run --name "$N" "$BATS_TEST_TMPDIR/other" cat /f
  assert_nook_error 125 "$N" "another bundle" "--replace"
  run --separate-stderr "$NOOK" run --name "$N" --replace "$BATS_TEST_TMPDIR/other" sh -c 'cat /f 2>/dev/null || echo fresh'
  assert_status 0
  assert_output fresh
}

@test "containers: a userns or mapping change between runs is refused" {
  run --separate-stderr "$NOOK" run --name "$N" "$B" true
  assert_status 0
  run --separate-stderr "$NOOK" run --name "$N" --userns=keep-id "$B" true
  assert_nook_error 125 "$N" "--userns=keep-id" "created with --userns=auto"
  # The same options with other subordinate ranges (/etc/subuid edited).
  cp "$XDG_DATA_HOME/nook/containers/$N/layer.json" "$BATS_TEST_TMPDIR/layer.json"
  python3 - "$XDG_DATA_HOME/nook/containers/$N/layer.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["uidMap"] = m["uidMap"].replace("\n1 ", "\n1 1", 1)
json.dump(m, open(sys.argv[1], "w"))
PY
  run --separate-stderr "$NOOK" run --name "$N" "$B" true
  assert_nook_error 125 "$N" "other id mappings" "wrong ids"
  cp "$BATS_TEST_TMPDIR/layer.json" "$XDG_DATA_HOME/nook/containers/$N/layer.json"
  run --separate-stderr "$NOOK" run --name "$N" --rootfs=overlay "$B" true
  assert_nook_error 125 "$N" "--rootfs=fuse-overlayfs"
}

@test "containers: nook ls shows named and running containers, as a table, JSON and names" {
  run --separate-stderr "$NOOK" run --name "$N" "$B" sh -c 'head -c 100000 /dev/zero > /big'
  assert_status 0
  run --separate-stderr "$NOOK" ls
  assert_status 0
  assert_output_matches "NAME +STATUS +ROOTFS +SIZE +CREATED +BUNDLE"
  assert_output_matches "$N +stopped +fuse-overlayfs +[0-9.]+ kB"
  run --separate-stderr "$NOOK" ls -q
  assert_status 0
  assert_output_contains "$N"
  # list is ls, as in podman.
  run --separate-stderr "$NOOK" list -q
  assert_status 0
  assert_output_contains "$N"
  start_bg "$BATS_TEST_TMPDIR/r" run --name "$N" "$B" sleep 60
  wait_state_pid "$N" >/dev/null
  run --separate-stderr "$NOOK" ls --format json
  assert_status 0
  python3 -c '
import json, sys
rows = [r for r in json.loads(sys.argv[1]) if r["name"] == sys.argv[2]]
assert len(rows) == 1, rows
r = rows[0]
assert r["status"] == "running", r
assert r["rootfs"] == "fuse-overlayfs", r
assert r["bundle"] == sys.argv[3], r
assert r["size"] >= 100000, r
assert r["created"], r
' "$output" "$N" "$B" || fail "unexpected JSON: $output"
}

@test "containers: nook rm refuses a running container; rm -f stops it" {
  # PID 1 of a PID namespace has no default action for SIGTERM: trap it.
  start_bg "$BATS_TEST_TMPDIR/r" run --name "$N" "$B" sh -c 'trap "exit 143" TERM; sleep 60 & wait'
  wait_state_pid "$N" >/dev/null
  run --separate-stderr "$NOOK" rm "$N"
  assert_nook_error 125 "$N" "running" "rm -f"
  run --separate-stderr "$NOOK" rm -f "$N"
  assert_status 0
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/r"
  [ "$bg_status" -eq 143 ] || fail "status $bg_status"
  [ ! -e "$XDG_DATA_HOME/nook/containers/$N" ]
  run --separate-stderr "$NOOK" rm "$N"
  assert_nook_error 125 "$N" "no such container"
}

@test "containers: rm and run --replace under another --root leave a running container's layer alone" {
  local a=$BATS_TEST_TMPDIR/root-a b=$BATS_TEST_TMPDIR/root-b
  local layer=$XDG_DATA_HOME/nook/containers/$N
  start_bg "$BATS_TEST_TMPDIR/r" --root "$a" run --name "$N" "$B" sh -c 'echo kept > /f; trap "exit 143" TERM; sleep 60 & wait'
  wait_state_pid "$N" "$a" >/dev/null
  run --separate-stderr "$NOOK" --root "$b" rm "$N"
  assert_nook_error 125 "$N" "running under another --root" "layer is in use"
  run --separate-stderr "$NOOK" --root "$b" rm -f "$N"
  assert_nook_error 125 "$N" "running under another --root"
  run --separate-stderr "$NOOK" --root "$b" run --name "$N" --replace "$B" true
  assert_nook_error 125 "$N" "running" "layer is in use"
  [ -f "$layer/layer.json" ] || fail "layer.json removed"
  [ -d "$layer/upper" ] || fail "upper removed"
  # Under its own root, rm -f stops it and removes the layer.
  run --separate-stderr "$NOOK" --root "$a" rm -f "$N"
  assert_status 0
  wait_bg_exit "$BG_PID" "$BATS_TEST_TMPDIR/r"
  [ ! -e "$layer" ] || fail "layer left: $(ls -la "$layer")"
  [ ! -e "$XDG_DATA_HOME/nook/containers/.$N.lock" ] || fail "lock file left"
}

@test "containers: rm under another --root leaves a detached container's layer alone until it is deleted" {
  local a=$BATS_TEST_TMPDIR/root-a b=$BATS_TEST_TMPDIR/root-b
  local layer=$XDG_DATA_HOME/nook/containers/$N
  "$NOOK" --root "$a" run -d --name "$N" "$B" sleep 60 </dev/null >"$BATS_TEST_TMPDIR/d.out" 2>"$BATS_TEST_TMPDIR/d.err" ||
    fail "run -d: $(cat "$BATS_TEST_TMPDIR/d.err")"
  run --separate-stderr "$NOOK" --root "$b" rm "$N"
  assert_nook_error 125 "$N" "running under another --root" "$a/$N"
  [ -d "$layer/upper" ] || fail "upper removed"
  run --separate-stderr "$NOOK" --root "$a" delete -f "$N"
  assert_status 0
  run --separate-stderr "$NOOK" --root "$b" rm "$N"
  assert_status 0
  [ ! -e "$layer" ] || fail "layer left: $(ls -la "$layer")"
}

@test "containers: a damaged layer.json stops the run, names the file and changes nothing" {
  local layer=$XDG_DATA_HOME/nook/containers/$N
  run --separate-stderr "$NOOK" run --name "$N" "$B" sh -c 'echo kept > /f'
  assert_status 0
  printf '{"bundle": "%s", ' "$B" > "$layer/layer.json"
  cp "$layer/layer.json" "$BATS_TEST_TMPDIR/damaged"
  run --separate-stderr "$NOOK" run --name "$N" "$B" cat /f
  assert_nook_error 125 "$N" "damaged" "$layer/layer.json" "nook rm $N"
  cmp "$layer/layer.json" "$BATS_TEST_TMPDIR/damaged" || fail "layer.json was rewritten: $(cat "$layer/layer.json")"
  [ "$(cat "$layer/upper/f")" = kept ] || fail "the layer lost /f"
  # Empty is damaged too (no JSON value at all).
  : > "$layer/layer.json"
  run --separate-stderr "$NOOK" run --name "$N" "$B" cat /f
  assert_nook_error 125 "$N" "damaged" "$layer/layer.json"
  # rm is the way out.
  run --separate-stderr "$NOOK" rm "$N"
  assert_status 0
  [ ! -e "$layer" ] || fail "layer left: $(ls -la "$layer")"
}

@test "containers: rm of a layer with subordinate ids names why its user namespace failed" {
  local shim=$BATS_TEST_TMPDIR/fail-calls.so
  cc -shared -fPIC -O2 -o "$shim" "$NOOK_FIXTURES/fail-calls.c" -ldl 2>"$BATS_TEST_TMPDIR/cc.log" ||
    fail "cc fail-calls.c: $(cat "$BATS_TEST_TMPDIR/cc.log")"
  # Files of a subordinate id: the caller cannot remove them, only root
  # of a user namespace with the container's maps.
  run --separate-stderr "$NOOK" run --name "$N" "$B" sh -c 'mkdir /d; echo x > /d/f; chown -R 1000:1000 /d'
  assert_status 0
  LD_PRELOAD=$shim NOOK_FAIL_CALL=unshare run --separate-stderr "$NOOK" rm "$N"
  assert_nook_error 125 "$N" "in a user namespace" "unshare(CLONE_NEWUSER): Operation not permitted"
  [ -f "$XDG_DATA_HOME/nook/containers/$N/upper/d/f" ] || fail "the layer went anyway"
  run --separate-stderr "$NOOK" rm "$N"
  assert_status 0
  [ ! -e "$XDG_DATA_HOME/nook/containers/$N" ] || fail "layer left"
}

@test "containers: kill -9 of nook: nook ls reports the container stopped and cleans its state" {
  start_bg "$BATS_TEST_TMPDIR/r" run --name "$N" "$B" sh -c 'echo x > /f; sleep 60'
  wait_state_pid "$N" >/dev/null
  kill -9 "$BG_PID"
  wait "$BG_PID" || true
  NOOK_BG_PIDS=()
  run --separate-stderr "$NOOK" ls
  assert_status 0
  assert_output_matches "$N +stopped"
  [ ! -e "$(nook_state_root)/$N" ]
  run --separate-stderr "$NOOK" run --name "$N" "$B" cat /f
  assert_status 0
  assert_output x
}

@test "containers: a state directory whose nook died before its lock is stopped, not running, and ls collects it" {
  local root=$BATS_TEST_TMPDIR/root id
  id=$(test_name nolock)
  # What a nook killed between its mkdir and its lock file left, just now.
  mkdir -p "$root/$id/layer/upper"
  run --separate-stderr "$NOOK" --root "$root" state "$id"
  assert_status 0
  python3 -c 'import json, sys; s = json.loads(sys.argv[1]); assert s["status"] == "stopped", s' "$output" ||
    fail "state: $output"
  run --separate-stderr "$NOOK" --root "$root" ls --format json
  assert_status 0
  python3 -c 'import json, sys; rows = [r for r in json.loads(sys.argv[1]) if r["name"] == sys.argv[2]]; assert not rows, rows' "$output" "$id" ||
    fail "listed: $output"
  [ ! -e "$root/$id" ] || fail "not collected: $(ls -la "$root/$id")"
}

@test "containers: ls and rm have --help and reject bad usage" {
  # ls is list's alias: its help names both.
  run --separate-stderr "$NOOK" ls --help
  assert_status 0
  assert_output_contains "Usage: nook list [OPTIONS]   (also: nook ls)"
  run --separate-stderr "$NOOK" rm --help
  assert_status 0
  assert_output_contains "Usage: nook rm"
  run --separate-stderr "$NOOK" ls --format yaml
  assert_nook_error 125 "yaml"
  run --separate-stderr "$NOOK" rm
  assert_nook_error 125 "missing NAME"
  run --separate-stderr "$NOOK" run --replace "$B" true
  assert_nook_error 125 "--replace needs --name"
}

@test "containers: a named container keeps its options; a later start that leaves them out gets them" {
  run --separate-stderr "$NOOK" run --name "$N" --net=host --uts=host "$B" true
  assert_status 0
  grep -q -- '"--net=host"' "$XDG_DATA_HOME/nook/containers/$N/layer.json"
  # No --net, no --uts, no BUNDLE: the stored ones.
  run --separate-stderr "$NOOK" run --name "$N" -- sh -c 'readlink /proc/self/ns/net; hostname'
  assert_status 0
  assert_output "$(readlink /proc/self/ns/net)
$(hostname)"
  # The first operand is the BUNDLE only when it is one.
  run --separate-stderr "$NOOK" run --name "$N" readlink /proc/self/ns/net
  assert_status 0
  assert_output "$(readlink /proc/self/ns/net)"
  run --separate-stderr "$NOOK" run --name "$N" --net=host "$B" readlink /proc/self/ns/net
  assert_status 0
  assert_output "$(readlink /proc/self/ns/net)"
}

@test "containers: an option that differs from the stored one is refused, naming both, and nothing changes" {
  run --separate-stderr "$NOOK" run --name "$N" --net=host "$B" sh -c 'echo kept > /f'
  assert_status 0
  cp "$XDG_DATA_HOME/nook/containers/$N/layer.json" "$BATS_TEST_TMPDIR/before"
  run --separate-stderr "$NOOK" run --name "$N" --net=none "$B" true
  assert_nook_error 125 "--net=none" "$N" "created with --net=host" "--replace"
  run --separate-stderr "$NOOK" run --name "$N" --ipc=host true
  assert_nook_error 125 "--ipc=host" "created without --ipc"
  cmp "$BATS_TEST_TMPDIR/before" "$XDG_DATA_HOME/nook/containers/$N/layer.json"
  run --separate-stderr "$NOOK" run --name "$N" cat /f
  assert_status 0
  assert_output kept
  # --replace makes it afresh, with the new options kept.
  run --separate-stderr "$NOOK" run --name "$N" --replace --net=none "$B" true
  assert_status 0
  run --separate-stderr "$NOOK" run --name "$N" --net=host true
  assert_nook_error 125 "created with --net=none"
}

@test "containers: a layer.json from before options were kept still runs; a damaged options member stops the run" {
  run --separate-stderr "$NOOK" run --name "$N" --net=host "$B" true
  assert_status 0
  local meta=$XDG_DATA_HOME/nook/containers/$N/layer.json
  python3 - "$meta" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); del m["options"]
json.dump(m, open(sys.argv[1], "w"))
PY
  run --separate-stderr "$NOOK" run --name "$N" --net=none "$B" true
  assert_status 0
  python3 - "$meta" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["options"] = ["--net=host", 3]
json.dump(m, open(sys.argv[1], "w"))
PY
  run --separate-stderr "$NOOK" run --name "$N" "$B" true
  assert_nook_error 125 "$meta" "options"
}

@test "containers: --name with a read-only root warns once that nothing is kept; a writable one does not" {
  edit_config "$B" 'c["root"]["readonly"] = True'
  run --separate-stderr "$NOOK" run --name "$N" "$B" sh -c 'touch /x 2>/dev/null || echo refused'
  assert_status 0
  assert_output refused
  [ "$(printf '%s\n' "$stderr" | grep -c '')" = 1 ] || fail "expected one line on stderr: $stderr"
  [[ "$stderr" == "nook: warning: "*"root.readonly is true: container $N cannot change its root filesystem, so it keeps no changes"* ]] ||
    fail "stderr: $stderr"
  # Without a name, or with --rm, nothing was to be kept: no warning.
  run --separate-stderr "$NOOK" run "$B" true
  assert_status 0
  [ -z "$stderr" ] || fail "stderr without --name: $stderr"
  run --separate-stderr "$NOOK" run --rm --name "$N-rm" "$B" true
  assert_status 0
  [ -z "$stderr" ] || fail "stderr with --rm: $stderr"
  edit_config "$B" 'c["root"]["readonly"] = False'
  run --separate-stderr "$NOOK" run --name "$N" "$B" true
  assert_status 0
  [ -z "$stderr" ] || fail "stderr with a writable root: $stderr"
}

@test "containers: a bundle from 'nook spec --rootless' keeps a named container's changes" {
  (cd "$B" && "$NOOK" spec --rootless --force) || fail "nook spec failed"
  edit_config "$B" 'c["process"]["terminal"] = False'
  run --separate-stderr "$NOOK" run --name "$N" "$B" sh -c 'echo kept > /etc/kept'
  assert_status 0
  [ -z "$stderr" ] || fail "stderr: $stderr"
  run --separate-stderr "$NOOK" run --name "$N" "$B" cat /etc/kept
  assert_status 0
  assert_output kept
}

@test "containers: --rm --name NAME of a container with a kept layer is refused, the layer untouched" {
  run --separate-stderr "$NOOK" run --name "$N" "$B" sh -c 'echo kept > /etc/kept'
  assert_status 0
  run --separate-stderr "$NOOK" run --rm --name "$N" "$B" cat /etc/kept
  assert_nook_error 125 "--rm --name $N" "kept layer" "nook rm $N"
  [ ! -e "$(nook_state_root)/$N" ] || fail "state left: $(ls -la "$(nook_state_root)/$N")"
  run --separate-stderr "$NOOK" run --name "$N" "$B" cat /etc/kept
  assert_status 0
  assert_output "kept"
}

@test "containers: nook ls keeps its columns with a 64-character id" {
  local id
  id=$(printf '%064d' 7)
  run --separate-stderr "$NOOK" run --name "$N" "$B" true
  assert_status 0
  "$NOOK" create -b "$B" "$id" </dev/null >/dev/null 2>&1 || fail "create $id failed" || return 1
  run --separate-stderr "$NOOK" ls
  "$NOOK" delete -f "$id" || fail "delete -f $id failed"
  assert_status 0
  # Each column starts where its heading does, on every line.
  python3 - "$output" <<'PY' || fail "columns out of line:
$output"
import sys
lines = sys.argv[1].splitlines()
head = lines[0]
starts = [head.index(h) for h in ("STATUS", "ROOTFS", "SIZE", "CREATED")]
assert len(lines) >= 3, lines
for line in lines[1:]:
    for s in starts:
        assert line[s - 1] == " " and line[s] != " ", (line, s)
PY
}
