#!/usr/bin/env bats
# The runc/crun command-line surface: global options, --log and
# --log-format, --debug, cgroup options, features, ps, help.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
  R=$BATS_TEST_TMPDIR/root
  L=$BATS_TEST_TMPDIR/nook.log
  mkdir -p "$R"
  N=$(test_name ps)
}

teardown ()
{
  cleanup_bg
  "$NOOK" rm -f "$N" >/dev/null 2>&1 || true
  assert_no_leftovers
}

# Every line of FILE is a JSON object with level, msg and an RFC 3339 time;
# prints "LEVEL MSG" per line.
json_log_lines ()
{
  python3 - "$1" <<'EOF'
import datetime, json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert set(o) == {"level", "msg", "time"}, o
    assert o["level"] in ("error", "warning", "info", "debug"), o
    datetime.datetime.strptime(o["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    print(o["level"], o["msg"])
EOF
}

# The commands `nook --help` lists.
help_commands ()
{
  "$NOOK" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'
}

@test "cli: global options in any order, before the command" {
  local order
  local -a orders=(
    "--root $R --log $L --log-format json --debug --cgroup-manager cgroupfs"
    "--debug --log-format json --cgroup-manager cgroupfs --log $L --root $R"
    "--systemd-cgroup --log-format=text --root=$R --log=$L"
    "--cgroup-manager=disabled --debug --root $R"
    "--log $L --systemd-cgroup --cgroup-manager disabled --log-format json --root $R --debug"
  )
  for order in "${orders[@]}"; do
    rm -f "$L"
    # shellcheck disable=SC2086 # split on purpose
    run --separate-stderr "$NOOK" $order ls
    [ "$status" -eq 0 ] || fail "nook $order ls: $status: $stderr"
    assert_output_matches "^NAME +STATUS"
  done
  # --root is the one used: the debug line names it.
  run --separate-stderr "$NOOK" --debug --root "$R" --log-format json ls -q
  assert_status 0
  [[ $stderr == *"nook: debug: ls: state root $R"* ]] || fail "$stderr"
}

@test "cli: --help and --version anywhere among the global options" {
  local args
  for args in "--help" "-h" "--root $R --help" "--log $L --debug -h --log-format json" \
    "--cgroup-manager systemd --help"; do
    # shellcheck disable=SC2086
    run --separate-stderr "$NOOK" $args
    [ "$status" -eq 0 ] || fail "nook $args: $status"
    [[ ${lines[0]} == "Usage: nook "* ]] || fail "nook $args: $output"
  done
  for args in "--version" "-v" "--root $R --version" "--debug -v --log-format json"; do
    # shellcheck disable=SC2086
    run --separate-stderr "$NOOK" $args
    [ "$status" -eq 0 ] || fail "nook $args: $status"
    assert_output_matches "^nook version [0-9]"
  done
  # Help wins over a bad value, as in runc.
  run --separate-stderr "$NOOK" --log-format xml --help
  assert_status 0
  # Every global option is in the help.
  run "$NOOK" --help
  for args in --root --log --log-format --debug --systemd-cgroup --cgroup-manager --version --help; do
    assert_output_contains " $args" || return 1
  done
}

@test "cli: bad global option values and an unwritable log are one line, exit 125" {
  run --separate-stderr "$NOOK" --log-format xml ls
  assert_nook_error 125 "--log-format" "xml"
  run --separate-stderr "$NOOK" --root "$R" --cgroup-manager foo ls
  assert_nook_error 125 "--cgroup-manager" "foo"
  run --separate-stderr "$NOOK" --log "$BATS_TEST_TMPDIR/no/such/dir/log" ls
  assert_nook_error 125 "--log" "$BATS_TEST_TMPDIR/no/such/dir/log"
  mkdir "$BATS_TEST_TMPDIR/ro"
  chmod 0555 "$BATS_TEST_TMPDIR/ro"
  run --separate-stderr "$NOOK" --log "$BATS_TEST_TMPDIR/ro/log" --log-format json ls
  assert_nook_error 125 "--log" "Permission denied"
  run --separate-stderr "$NOOK" --root
  assert_nook_error 125 "--root" "see 'nook --help'"
  run --separate-stderr "$NOOK" --bogus ls
  assert_nook_error 125 "unknown option --bogus" "see 'nook --help'"
  [ ! -e "$L" ]
}

@test "cli: with --log-format json an error is a JSON line in the log, and still on stderr" {
  run --separate-stderr "$NOOK" --log "$L" --log-format json run "$BATS_TEST_TMPDIR/no-bundle"
  assert_nook_error 125 "no-bundle"
  run json_log_lines "$L"
  assert_status 0
  assert_output "error ${stderr#nook: }"
  # Appended, one line per message: a second failure adds a second line.
  run --separate-stderr "$NOOK" --log "$L" --log-format json run "$BATS_TEST_TMPDIR/no-bundle-2"
  assert_status 125
  run json_log_lines "$L"
  [ "${#lines[@]}" -eq 2 ] || fail "$output"
  [[ ${lines[1]} == "error "*no-bundle-2* ]] || fail "$output"
}

@test "cli: text log lines, and a usage error of a command lands in the log too" {
  run --separate-stderr "$NOOK" --log "$L" run --no-such-option
  assert_nook_error 125 "run: unknown option --no-such-option" "see 'nook run --help'"
  run cat "$L"
  assert_output_matches '^time="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z" level=error msg="run: unknown option --no-such-option \(see '"'"'nook run --help'"'"'\)"$'
}

@test "cli: warnings go to the log (not stderr) with --log, --debug adds debug lines" {
  edit_config "$B" 'c["linux"]["resources"] = {"pids": {"limit": 100}}'
  # Without --log: the warning on stderr, as before.
  run --separate-stderr "$NOOK" run "$B" true
  assert_status 0
  [[ $stderr == *"nook: warning: linux.resources: cgroup limits are ignored"* ]] || fail "$stderr"
  # With --log: in the file, not on stderr; no debug lines without --debug.
  run --separate-stderr "$NOOK" --log "$L" --log-format json run "$B" true
  assert_status 0
  [ -z "$stderr" ] || fail "stderr: $stderr"
  run json_log_lines "$L"
  assert_status 0
  assert_output_contains "warning linux.resources: cgroup limits are ignored"
  assert_output_not_contains "debug "
  rm "$L"
  run --separate-stderr "$NOOK" --debug --log "$L" --log-format json run "$B" true
  assert_status 0
  run json_log_lines "$L"
  assert_output_contains "debug run: "
  assert_output_contains "warning linux.resources"
  # --debug without --log: debug lines on stderr.
  run --separate-stderr "$NOOK" --debug --root "$R" ls
  assert_status 0
  [[ $stderr == *"nook: debug: ls: "* ]] || fail "$stderr"
}

@test "cli: cgroup options are accepted and nook says once, in the log, that it does not manage cgroups" {
  local manager
  for manager in "--cgroup-manager cgroupfs" "--cgroup-manager=systemd" "--systemd-cgroup"; do
    rm -f "$L"
    # shellcheck disable=SC2086
    run --separate-stderr "$NOOK" $manager --log "$L" --log-format json run "$B" true
    assert_status 0
    [ -z "$stderr" ] || fail "$manager: stderr: $stderr"
    run json_log_lines "$L"
    [ "$(grep -c 'does not manage cgroups' <<<"$output")" -eq 1 ] || fail "$manager: $output"
    [[ $output == "info cgroups: "* ]] || fail "$manager: $output"
  done
  rm -f "$L"
  run --separate-stderr "$NOOK" --cgroup-manager disabled --log "$L" run "$B" true
  assert_status 0
  [ ! -s "$L" ] || fail "$(cat "$L")"
  # Without --log the note stays off the terminal.
  run --separate-stderr "$NOOK" --cgroup-manager cgroupfs run "$B" true
  assert_status 0
  [ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "cli: nook features is the OCI features document, from what nook parses" {
  run --separate-stderr "$NOOK" features
  assert_status 0
  printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/features.json"
  python3 - "$BATS_TEST_TMPDIR/features.json" "$(config_get "$B" 'c["ociVersion"]')" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))
assert f["ociVersionMin"] == "1.0.0", f
assert f["ociVersionMax"] == sys.argv[2], (f["ociVersionMax"], sys.argv[2])
assert isinstance(f["hooks"], list)
for o in ("ro", "rw", "nosuid", "nodev", "noexec", "bind", "rbind", "rprivate", "rslave", "relatime"):
    assert o in f["mountOptions"], o
lx = f["linux"]
assert sorted(lx["namespaces"]) == ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"], lx["namespaces"]
assert "CAP_SYS_ADMIN" in lx["capabilities"] and "CAP_CHECKPOINT_RESTORE" in lx["capabilities"]
assert len(lx["capabilities"]) == len(set(lx["capabilities"])) == 41
sc = lx["seccomp"]
assert sc["enabled"] is True
for a in ("SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_LOG", "SCMP_ACT_TRACE"):
    assert a in sc["actions"], a
assert "SCMP_ACT_NOTIFY" not in sc["actions"], "NOTIFY is parsed but not compiled"
assert "SCMP_CMP_MASKED_EQ" in sc["operators"]
assert "SCMP_ARCH_X86_64" in sc["archs"] and "SCMP_ARCH_AARCH64" in sc["archs"]
assert "SECCOMP_FILTER_FLAG_SPEC_ALLOW" in sc["knownFlags"]
assert set(sc["supportedFlags"]) <= set(sc["knownFlags"])
assert "SECCOMP_FILTER_FLAG_TSYNC" in sc["supportedFlags"], "any kernel since 3.17"
for k in ("v1", "v2", "systemd", "systemdUser"):
    assert lx["cgroup"][k] is False, k
for k in ("apparmor", "selinux", "intelRdt"):
    assert lx[k] == {"enabled": False}, k
assert f["annotations"]["io.github.seccomp.libseccomp.version"].count(".") == 2
EOF
  run --separate-stderr "$NOOK" features extra
  assert_nook_error 125 "features: unexpected argument 'extra'"
}

# What features lists is what nook takes: every seccomp action, operator
# and supported flag it lists loads and runs, with the x86 architectures
# (a filter cannot mix architectures of another byte order or word size
# family: libseccomp refuses MIPS next to x86_64 with EDOM).
@test "cli: every seccomp action, operator, arch and flag nook features lists is accepted by run" {
  "$NOOK" features >"$BATS_TEST_TMPDIR/features.json"
  edit_config "$B" '
f = json.load(open(os.environ["BATS_TEST_TMPDIR"] + "/features.json"))
sc = f["linux"]["seccomp"]
unused = ["acct", "swapon", "swapoff", "reboot", "kexec_load", "init_module", "delete_module",
          "quotactl", "syslog", "vhangup"]
ops = sc["operators"]
rules = []
for i, a in enumerate(sc["actions"]):
    r = {"names": [unused[i]], "action": a,
         "args": [{"index": 0, "value": 1, "valueTwo": 1, "op": ops[i % len(ops)]}]}
    if a in ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"):
        r["errnoRet"] = 1
    rules.append(r)
for j, op in enumerate(ops):
    rules.append({"names": [unused[len(sc["actions"]) + j % 2]], "action": "SCMP_ACT_ERRNO",
                  "args": [{"index": 1, "value": j + 2, "valueTwo": j + 2, "op": op}]})
archs = [a for a in sc["archs"] if a in ("SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32")]
assert len(archs) == 3, sc["archs"]
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": archs,
                         "flags": sc["supportedFlags"], "syscalls": rules}
'
  run --separate-stderr "$NOOK" run --no-filter-cache "$B" echo ok
  [ "$status" -eq 0 ] || fail "$status: $stderr"
  assert_output ok
}

@test "cli: nook ps lists the container's processes, as a table and as JSON" {
  start_bg "$BATS_TEST_TMPDIR/bg" run --name "$N" "$B" sh -c 'sleep 100 & sleep 100'
  local pid
  pid=$(wait_state_pid "$N") || return 1
  # nook-init and both sleeps: wait until the background one is there too.
  _two_pids () { [ "$("$NOOK" ps --format json "$N" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" -ge 3 ]; }
  wait_until "$NOOK_TEST_TIMEOUT" _two_pids || fail "ps: $("$NOOK" ps --format json "$N")"
  run --separate-stderr "$NOOK" ps --format json "$N"
  assert_status 0
  local p ns
  ns=$(readlink "/proc/$pid/ns/pid")
  [ "$ns" != "$(readlink /proc/self/ns/pid)" ]
  for p in $(python3 -c 'import json,sys; print(" ".join(map(str, json.loads(sys.argv[1]))))' "$output"); do
    [ "$(readlink "/proc/$p/ns/pid")" = "$ns" ] || fail "pid $p is not in the container's pid namespace"
    grep -q -e sleep -e nook-init "/proc/$p/cmdline" || fail "pid $p: $(tr '\0' ' ' <"/proc/$p/cmdline")"
  done
  python3 -c 'import json,sys; p = json.loads(sys.argv[1]); assert int(sys.argv[2]) in p and p == sorted(p), p' "$output" "$pid"
  # Everything in that namespace, and nothing else (not nook, not fuse-overlayfs).
  local want
  want=$(for p in /proc/[0-9]*; do [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] && echo "${p#/proc/}"; done | sort -n | tr '\n' ,)
  [ "[${want%,}]" = "$output" ] || fail "ns: [$want] ps: $output"

  run --separate-stderr "$NOOK" ps "$N"
  assert_status 0
  local n_pids
  n_pids=$(tr ',' '\n' <<<"$want" | grep -c .)
  [[ ${lines[0]} =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]] || fail "$output"
  [ "${#lines[@]}" -eq $((n_pids + 1)) ] || fail "$n_pids pids: $output"
  # PID 1 first (nook-init, nook run's default), the sleeps after it.
  [[ ${lines[1]} == *"nook-init"* && ${lines[-1]} == *"sleep 100"* ]] || fail "$output"
  # ps's own options after ID (with or without "--").
  run --separate-stderr "$NOOK" ps "$N" -o pid,comm
  assert_status 0
  [[ ${lines[0]} =~ ^\ *PID\ COMMAND$ ]] || fail "$output"
  [ "${#lines[@]}" -eq $((n_pids + 1)) ] || fail "$output"
  run --separate-stderr "$NOOK" ps "$N" -- -o pid,args
  assert_status 0
  [ "${#lines[@]}" -eq $((n_pids + 1)) ] || fail "$output"
  kill -TERM "$pid"
}

@test "cli: nook ps of a container in the host's pid namespace lists its descendants" {
  start_bg "$BATS_TEST_TMPDIR/bg" run --pid=host --name "$N" "$B" sh -c 'sleep 100 & sleep 100'
  local pid
  pid=$(wait_state_pid "$N") || return 1
  _two_pids () { [ "$("$NOOK" ps --format json "$N" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" -ge 2 ]; }
  wait_until "$NOOK_TEST_TIMEOUT" _two_pids || fail "ps: $("$NOOK" ps --format json "$N")"
  run --separate-stderr "$NOOK" ps -f json "$N"
  assert_status 0
  local p
  for p in $(python3 -c 'import json,sys; print(" ".join(map(str, json.loads(sys.argv[1]))))' "$output"); do
    [ "$p" = "$pid" ] || [ "$(awk '{ print $4 }' "/proc/$p/stat")" = "$pid" ] || fail "pid $p is not the container's"
  done
  # Not nook itself, the container's parent.
  python3 -c 'import json,sys; assert int(sys.argv[2]) not in json.loads(sys.argv[1])' "$output" "$BG_PID" ||
    fail "nook ($BG_PID) listed: $output"
  kill -TERM "$pid"
}

@test "cli: nook ps errors: not running, no id, bad format, bad id" {
  run --separate-stderr "$NOOK" --root "$R" ps no-such-container
  assert_nook_error 125 "container no-such-container does not exist"
  run --separate-stderr "$NOOK" ps
  assert_nook_error 125 "ps: missing ID" "see 'nook ps --help'"
  run --separate-stderr "$NOOK" ps --format yaml x
  assert_nook_error 125 "ps: --format" "yaml"
  run --separate-stderr "$NOOK" ps ../x
  assert_nook_error 125 "invalid container id"
}

@test "cli: every command has --help, and nook help COMMAND shows the same" {
  local cmd n=0
  for cmd in $(help_commands); do
    n=$((n + 1))
    [ "$cmd" = help ] && continue
    run --separate-stderr "$NOOK" "$cmd" --help
    [ "$status" -eq 0 ] || fail "nook $cmd --help: $status $stderr"
    [[ ${lines[0]} == "Usage: nook $cmd"* ]] || fail "nook $cmd --help: ${lines[0]}"
    local help=$output
    run --separate-stderr "$NOOK" "$cmd" -h
    [ "$output" = "$help" ] || fail "nook $cmd -h differs"
    run --separate-stderr "$NOOK" help "$cmd"
    assert_status 0
    [ "$output" = "$help" ] || fail "nook help $cmd differs from nook $cmd --help"
    run --separate-stderr "$NOOK" --root "$R" help "$cmd"
    [ "$output" = "$help" ] || fail "nook --root R help $cmd differs"
  done
  [ "$n" -ge 8 ] || fail "only $n commands in nook --help"
  run --separate-stderr "$NOOK" help
  assert_status 0
  [[ ${lines[0]} == "Usage: nook "* ]]
  run --separate-stderr "$NOOK" help no-such-command
  assert_nook_error 125 "unknown command 'no-such-command'"
}

@test "cli: an unknown option of any command reads like nook's own errors" {
  local cmd
  for cmd in $(help_commands); do
    [ "$cmd" = help ] && continue
    run --separate-stderr "$NOOK" "$cmd" --no-such-option x
    assert_nook_error 125 "nook: $cmd: unknown option --no-such-option (see 'nook $cmd --help')" || return 1
  done
  run --separate-stderr "$NOOK" cache ls --no-such-option
  assert_nook_error 125 "nook: cache ls: unknown option --no-such-option (see 'nook cache ls --help')"
}

@test "cli: GLib's option errors read like nook's own: bad value, missing argument" {
  run --separate-stderr "$NOOK" exec --preserve-fds=x id
  assert_nook_error 125 "nook: exec: cannot parse integer value 'x' for --preserve-fds (see 'nook exec --help')"
  run --separate-stderr "$NOOK" run --name
  assert_nook_error 125 "nook: run: missing argument for --name (see 'nook run --help')"
  run --separate-stderr "$NOOK" create --pid-file
  assert_nook_error 125 "nook: create: missing argument for --pid-file (see 'nook create --help')"
  run --separate-stderr "$NOOK" run --preserve-fds=1x "$B"
  assert_nook_error 125 "nook: run: cannot parse integer value '1x' for --preserve-fds (see 'nook run --help')"
}
