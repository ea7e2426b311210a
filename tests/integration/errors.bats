#!/usr/bin/env bats
# Bad input: nook's own failures exit 125 with one line "nook: ..." naming the
# problem and leave nothing behind; a COMMAND that cannot run exits 127/126
# like a shell.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  snapshot_state
  new_bundle
}

teardown ()
{
  nook_default_teardown
}

# config_error 'python statement' WORD...: the edited config must make
# `nook run B true` fail with 125 and a one-line message naming WORDs.
config_error ()
{
  local stmt=$1
  shift
  edit_config "$B" "$stmt"
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "$@"
  assert_output ""
  assert_no_leftovers
}

@test "errors: missing bundle directory" {
  local missing=$BATS_TEST_TMPDIR/no-such-bundle
  run --separate-stderr "$NOOK" run "$missing" true
  assert_nook_error 125 "$missing"
  assert_no_leftovers
}

@test "errors: bundle without config.json" {
  rm "$B/config.json"
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "config.json"
  assert_no_leftovers
}

@test "errors: --config FILE that does not exist" {
  run --separate-stderr "$NOOK" run --config "$BATS_TEST_TMPDIR/nope.json" "$B" true
  assert_nook_error 125 "nope.json"
  assert_no_leftovers
}

@test "errors: invalid JSON → message with line:column" {
  printf '{\n  "ociVersion": "1.0.2",\n  "process": {,\n}\n' >"$B/config.json"
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "config.json"
  [[ "$stderr" =~ config\.json:\ line\ 3,\ column\ [0-9]+ ]] || fail "no line 3, column C position in: $stderr"
  assert_no_leftovers
}

@test "errors: empty config.json" {
  : >"$B/config.json"
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "config.json"
  assert_no_leftovers
}

@test "errors: config.json is not an object" {
  echo '[1, 2]' >"$B/config.json"
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "config.json"
  assert_no_leftovers
}

@test "errors: wrong type: process.args[0] is a number" {
  config_error 'c["process"]["args"] = [42]' "process.args[0]"
}

@test "errors: wrong type: process.env is a string" {
  config_error 'c["process"]["env"] = "PATH=/bin"' "process.env"
}

@test "errors: wrong type: process.user.uid is negative" {
  config_error 'c["process"]["user"]["uid"] = -1' "process.user.uid"
}

@test "errors: missing process.args (and no COMMAND)" {
  edit_config "$B" 'del c["process"]["args"]'
  run --separate-stderr "$NOOK" run "$B"
  assert_nook_error 125 "process.args"
  assert_no_leftovers
}

@test "errors: empty process.args (and no COMMAND)" {
  edit_config "$B" 'c["process"]["args"] = []'
  run --separate-stderr "$NOOK" run "$B"
  assert_nook_error 125 "process.args"
  assert_no_leftovers
}

@test "errors: missing root.path" {
  config_error 'del c["root"]["path"]' "root.path"
}

@test "errors: root.path is not a directory" {
  echo not-a-dir >"$B/notadir"
  config_error 'c["root"]["path"] = "notadir"' "root.path"
}

@test "errors: root.path does not exist" {
  config_error 'c["root"]["path"] = "no-such-rootfs"' "root.path"
}

@test "errors: unknown namespace type" {
  config_error 'c["linux"]["namespaces"].append({"type": "bogus"})' "linux.namespaces[6]" "bogus"
}

@test "errors: duplicate namespace" {
  config_error 'c["linux"]["namespaces"].append({"type": "pid"})' "linux.namespaces[6]" "pid"
}

@test "errors: relative mount destination" {
  config_error 'c["mounts"].append({"destination": "relative/dir", "type": "tmpfs", "source": "tmpfs"})' \
    "mounts[6].destination"
}

@test "errors: bind mount source missing" {
  config_error "c['mounts'].append({'destination': '/mnt', 'type': 'bind', 'source': '$BATS_TEST_TMPDIR/no-such-source', 'options': ['rbind']})" \
    "mounts[6]" "no-such-source"
}

@test "errors: mount without a destination" {
  config_error 'c["mounts"].append({"type": "tmpfs", "source": "tmpfs"})' "mounts[6].destination"
}

@test "errors: unknown rlimit" {
  config_error 'c["process"]["rlimits"].append({"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1})' "RLIMIT_BOGUS"
}

@test "errors: rlimit with soft > hard" {
  config_error 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]' "process.rlimits[0]"
}

@test "errors: unknown capability" {
  config_error 'c["process"]["capabilities"]["bounding"].append("CAP_BOGUS")' "CAP_BOGUS" "process.capabilities.bounding"
}

@test "errors: unknown seccomp action" {
  config_error 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_FROB"}]}' \
    "linux.seccomp.syscalls[0].action"
}

@test "errors: uidMappings needing subordinate ids the user does not have → 125 naming them" {
  skip_unless_userns
  # A range surely outside the caller's /etc/subuid and /etc/subgid ranges.
  edit_config "$B" \
    'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": os.getuid(), "size": 1}, {"containerID": 1, "hostID": 3000000000, "size": 65536}]' \
    'c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": os.getgid(), "size": 1}, {"containerID": 1, "hostID": 3000000000, "size": 65536}]'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125
  [[ "$stderr" == *subordinate* ]] || fail "the message does not mention subordinate ids: $stderr"
  assert_no_leftovers
}

@test "errors: uidMappings hostID 100000 size 65536 (subordinate ids) → 0 if delegated to the user, else 125" {
  skip_unless_userns
  edit_config "$B" \
    'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": os.getuid(), "size": 1}, {"containerID": 1, "hostID": 100000, "size": 65536}]' \
    'c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": os.getgid(), "size": 1}, {"containerID": 1, "hostID": 100000, "size": 65536}]'
  run --separate-stderr "$NOOK" run "$B" sh -c 'cat /proc/self/uid_map | wc -l'
  if [ "$status" -eq 0 ]; then
    # newuidmap did it: only possible when the range is the user's.
    grep -q "^$(id -un):100000:65536\$" /etc/subuid || fail "a mapping outside the user's subordinate ids was accepted"
    assert_output "2"
  else
    assert_nook_error 125
    [[ "$stderr" == *subordinate* ]] || fail "the message does not mention subordinate ids: $stderr"
  fi
  assert_no_leftovers
}

@test "errors: 127 when the command is not found (absolute path)" {
  skip_unless_userns
  run -127 --separate-stderr "$NOOK" run "$B" /nonexistent
  assert_status 127
  [[ "$stderr" == *"/nonexistent"* ]] || fail "the message does not name /nonexistent: $stderr"
  [ "$(printf '%s\n' "$stderr" | grep -c '')" -eq 1 ] || fail "expected one line: $stderr"
  assert_output ""
  assert_no_leftovers
}

@test "errors: 127 when the command is not found in PATH" {
  skip_unless_userns
  run -127 --separate-stderr "$NOOK" run "$B" nosuchcmd
  assert_status 127
  [[ "$stderr" == *nosuchcmd* ]] || fail "the message does not name nosuchcmd: $stderr"
  assert_no_leftovers
}

@test "errors: 127 for process.args[0] not found (from the config)" {
  skip_unless_userns
  edit_config "$B" 'c["process"]["args"] = ["/bin/not-here"]'
  run -127 --separate-stderr "$NOOK" run "$B"
  assert_status 127
  [[ "$stderr" == *"/bin/not-here"* ]] || fail "the message does not name /bin/not-here: $stderr"
  assert_no_leftovers
}

@test "errors: 126 when the command is not executable" {
  skip_unless_userns
  printf '#!/bin/sh\necho should-not-run\n' >"$B/rootfs/noexec"
  chmod 644 "$B/rootfs/noexec"
  run --separate-stderr "$NOOK" run "$B" /noexec
  assert_status 126
  [[ "$stderr" == *"/noexec"* ]] || fail "the message does not name /noexec: $stderr"
  assert_output ""
  assert_no_leftovers
}

@test "errors: 126 when the command is a directory" {
  skip_unless_userns
  run --separate-stderr "$NOOK" run "$B" /etc
  assert_status 126
  [[ "$stderr" == *"/etc"* ]] || fail "the message does not name /etc: $stderr"
  assert_no_leftovers
}

@test "errors: the process's own 127 is passed through (sh -c 'exit 127')" {
  skip_unless_userns
  run -127 --separate-stderr "$NOOK" run "$B" sh -c 'exit 127'
  assert_status 127
  assert_stderr ""
}

@test "errors: unknown command 'nook frob' → 125" {
  run --separate-stderr "$NOOK" frob
  assert_nook_error 125 "frob"
}

@test "errors: no command at all → 125 with usage" {
  run --separate-stderr "$NOOK"
  assert_status 125
  [[ "$stderr" == *Usage* ]] || fail "no usage on stderr: $stderr"
}

@test "errors: 'nook run' without BUNDLE → 125" {
  run --separate-stderr "$NOOK" run
  assert_nook_error 125
}

@test "errors: unknown option to run → 125" {
  run --separate-stderr "$NOOK" run --frobnicate "$B" true
  assert_nook_error 125 "frobnicate"
  assert_no_leftovers
}

@test "errors: unknown global option → 125" {
  run --separate-stderr "$NOOK" --frobnicate run "$B" true
  assert_nook_error 125 "frobnicate"
}

@test "errors: --name with a path separator is refused and creates nothing outside the state root" {
  local escape="../nook-escape-$$-$BATS_TEST_NUMBER"
  run --separate-stderr "$NOOK" run --name "$escape" "$B" true
  assert_nook_error 125
  [ ! -e "$(nook_state_root)/$escape" ] || fail "nook created $(nook_state_root)/$escape"
  [ ! -e "/tmp/nook-escape-$$-$BATS_TEST_NUMBER" ] || fail "nook created /tmp/nook-escape-$$-$BATS_TEST_NUMBER"
  assert_no_leftovers
}

@test "errors: an empty --name is refused" {
  run --separate-stderr "$NOOK" run --name "" "$B" true
  assert_nook_error 125
  assert_no_leftovers
}

@test "errors: a failure during container set-up (bad mount type) is reported once and cleaned up" {
  skip_unless_userns
  edit_config "$B" 'c["mounts"].append({"destination": "/mnt", "type": "nosuchfs", "source": "none"})'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "/mnt"
  assert_no_leftovers
}

@test "errors: a set-up failure naming a long path arrives whole (over 448 bytes, the old message size)" {
  skip_unless_userns
  local long a b c
  a=$(printf 'a%.0s' $(seq 200)); b=$(printf 'b%.0s' $(seq 200)); c=$(printf 'c%.0s' $(seq 200))
  long=/mnt/$a/$b/$c/end-of-path
  # A mount of an unknown type fails in the container's set-up, naming its
  # destination: the message comes over the parent/child sync channel.
  edit_config "$B" "c[\"mounts\"].append({\"destination\": \"$long\", \"type\": \"nosuchfs\", \"source\": \"none\"})"
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "$long" "No such device"
  [ "${#stderr}" -gt 620 ] || fail "short message (${#stderr} bytes): $stderr"
  assert_no_leftovers
}
