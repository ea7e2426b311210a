#!/usr/bin/env bats
# nook exec: a process started in a running container.
#
# Each test starts a container in the foreground (`nook run --name NAME B
# sleep 1000`, in the background of the test) and waits for its state.json
# to carry the pid before exec'ing into it. Every wait is bounded.

load helpers

setup_file ()
{
  build_master_bundle "$BATS_FILE_TMPDIR/master"
  build_master_bundle "$BATS_FILE_TMPDIR/deny-mkdir" --seccomp "$NOOK_FIXTURES/seccomp-deny-mkdir.json"
}

setup ()
{
  nook_default_setup
  export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/cache
}

teardown ()
{
  cleanup_bg
  assert_no_leftovers
}

# start_container [MASTER]: a running container NAME with pid CPID.
start_container ()
{
  [ -n "${1:-}" ] && new_bundle "$1"
  NAME=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/ctr" run --name "$NAME" "$B" sleep 1000
  CPID=$(wait_state_pid "$NAME") || return 1
}

ns_of ()
{
  local n
  for n in user mnt pid uts ipc net cgroup; do
    readlink "/proc/$1/ns/$n"
  done
}

exec_ns_test ()
{
  start_container || return 1
  run --separate-stderr "$NOOK" exec "$NAME" sh -c 'for n in user mnt pid uts ipc net cgroup; do readlink /proc/self/ns/$n; done'
  assert_status 0
  assert_output "$(ns_of "$CPID")"
  # And not nook's own: the container has namespaces of its own.
  [ "$(readlink /proc/self/ns/mnt)" != "$(readlink "/proc/$CPID/ns/mnt")" ] ||
    fail "the container shares the test's mount namespace: the test proves nothing"
}

@test "exec: the process is in every namespace of the container (/proc/PID/ns/*)" {
  exec_ns_test
}

@test "exec: the same without setns on a pidfd (/proc/PID/ns/* fds, older kernels)" {
  export NOOK_EXEC_NO_PIDFD=1
  exec_ns_test
}

@test "exec: the same with plain forks (where memory cannot be shared until execve)" {
  # The path of a kernel that refuses CLONE_VM across the join (a time
  # namespace) and of valgrind: the results must not differ.
  export NOOK_EXEC_FORK=1
  exec_ns_test
  run --separate-stderr "$NOOK" exec "$NAME" sh -c 'echo out; echo err >&2; exit 7'
  assert_status 7
  assert_output "out"
  [ "$stderr" = "err" ] || fail "stderr: $stderr"
  run --separate-stderr "$NOOK" exec "$NAME" no-such-command
  assert_status 127
}

@test "exec: the process is a child of the container's pid namespace, not its pid 1" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec "$NAME" sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
  assert_status 0
  local lines=()
  mapfile -t lines <<<"$output"
  [ "${lines[0]}" -gt 1 ] || fail "the exec'd shell is pid ${lines[0]} in the container"
  # PID 1 is the container's init (nook run's default), whose child is pid 2.
  [ "${lines[1]}" = "nook-init 2 " ] || fail "pid 1 in the exec's pid namespace is '${lines[1]}'"
}

@test "exec: the container's seccomp filter applies (mkdir denied: EPERM)" {
  start_container "$BATS_FILE_TMPDIR/deny-mkdir" || return 1
  run --separate-stderr "$NOOK" exec "$NAME" sh -c 'mkdir /tmp/x; echo rc=$?; grep ^Seccomp: /proc/self/status'
  assert_status 0
  assert_output_matches '^rc=1
Seccomp:[[:space:]]+2$'
  [[ "$stderr" == *"Operation not permitted"* ]] || fail "stderr: $stderr"
}

@test "exec: without a profile there is no filter (Seccomp: 0), and mkdir works" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec "$NAME" sh -c 'mkdir /tmp/x && echo made; grep ^Seccomp: /proc/self/status'
  assert_status 0
  assert_output_matches '^made
Seccomp:[[:space:]]+0$'
}

@test "exec: exit status of the process" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec "$NAME" sh -c 'echo out; echo err >&2; exit 42'
  assert_status 42
  assert_output "out"
  assert_stderr "err"
}

@test "exec: a command not found → 127, not executable → 126" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec "$NAME" no-such-command
  assert_status 127
  [[ "$stderr" == "nook: "*"no-such-command"*"not found"* ]] || fail "stderr: $stderr"
  run --separate-stderr "$NOOK" exec "$NAME" /etc/passwd
  assert_status 126
  [[ "$stderr" == "nook: "*"/etc/passwd"* ]] || fail "stderr: $stderr"
}

@test "exec: unknown container → 125 with one line" {
  run --separate-stderr "$NOOK" exec "no-such-$$" true
  output=$stderr assert_nook_error 125 "no-such-$$" "does not exist"
}

@test "exec: a stopped container → 125 'not running'" {
  start_container || return 1
  # nook dies with SIGKILL: the container dies with it (parent-death
  # signal), its state.json stays behind with a dead pid.
  kill -KILL "$BG_PID"
  wait_until "$NOOK_TEST_TIMEOUT" _exited "$CPID" || fail "the container outlived nook"
  run --separate-stderr "$NOOK" exec "$NAME" true
  output=$stderr assert_nook_error 125 "$NAME" "not running"
  "$NOOK" delete "$NAME" || rm -rf "$(nook_state_root)/$NAME"
}

@test "exec: missing COMMAND and bad options → 125" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec "$NAME"
  output=$stderr assert_nook_error 125 "missing COMMAND"
  run --separate-stderr "$NOOK" exec -d -t "$NAME" true
  output=$stderr assert_nook_error 125 "console-socket"
  run --separate-stderr "$NOOK" exec --cap CAP_NOPE "$NAME" true
  output=$stderr assert_nook_error 125 "CAP_NOPE"
  run --separate-stderr "$NOOK" exec -u 99999999999 "$NAME" true
  output=$stderr assert_nook_error 125 "--user: uid 99999999999 is out of range"
  run --separate-stderr "$NOOK" exec -u root: "$NAME" true
  output=$stderr assert_nook_error 125 "--user root:: expected USER[:GROUP]"
  # fd 4 is not open: nook's own next fd would take its place.
  run --separate-stderr "$NOOK" exec --preserve-fds 2 "$NAME" true 3</dev/null 4<&-
  output=$stderr assert_nook_error 125 "--preserve-fds" "fd 4"
}

@test "exec: nook's own fds do not reach the process" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec "$NAME" sh -c "$LIST_OWN_FDS_SH" 3</etc/hostname 4</etc/hostname
  assert_status 0
  assert_output "0 1 2 "
}

@test "exec: --preserve-fds N passes fds 3..3+N-1 and no others" {
  start_container || return 1
  echo three >"$BATS_TEST_TMPDIR/f3"
  echo four >"$BATS_TEST_TMPDIR/f4"
  echo five >"$BATS_TEST_TMPDIR/f5"
  run --separate-stderr "$NOOK" exec --preserve-fds 2 "$NAME" sh -c "cat <&3; cat <&4; $LIST_OWN_FDS_SH" \
    3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5<"$BATS_TEST_TMPDIR/f5"
  assert_status 0
  assert_output "three
four
0 1 2 3 4 "
}

@test "exec: -e adds to and overrides process.env" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec -e FOO=bar --env HOME=/tmp "$NAME" sh -c 'echo "$FOO $HOME $TERM"'
  assert_status 0
  assert_output "bar /tmp xterm"
}

@test "exec: --cwd, and process.cwd by default" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec --cwd /tmp "$NAME" pwd
  assert_status 0
  assert_output "/tmp"
  run --separate-stderr "$NOOK" exec "$NAME" pwd
  assert_status 0
  assert_output "/"
}

@test "exec: run's -w is exec's working directory too; --cwd wins" {
  # As podman exec starts in the container's working directory.
  NAME=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/ctr" run --name "$NAME" -w /etc "$B" sleep 1000
  wait_state_pid "$NAME" >/dev/null || return 1
  run --separate-stderr "$NOOK" exec "$NAME" pwd
  assert_status 0
  assert_output "/etc"
  run --separate-stderr "$NOOK" exec --cwd /tmp "$NAME" pwd
  assert_status 0
  assert_output "/tmp"
}

@test "exec: -u UID:GID and -u UID" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec -u 1000:1001 "$NAME" sh -c 'echo $(id -u) $(id -g)'
  assert_status 0
  assert_output "1000 1001"
  run --separate-stderr "$NOOK" exec --user 7 "$NAME" sh -c 'echo $(id -u) $(id -g)'
  assert_status 0
  assert_output "7 0"
  # The config's HOME is the process's, whoever runs it (runc).
  run --separate-stderr "$NOOK" exec -u 1000 "$NAME" sh -c 'echo $HOME'
  assert_status 0
  assert_output "/root"
  run --separate-stderr "$NOOK" exec "$NAME" sh -c 'echo $(id -u) $(id -g)'
  assert_status 0
  assert_output "0 0"
}

@test "exec: -u NAME and NAME:GROUP from the running container's passwd and group, with its HOME" {
  # HOME is looked up only when process.env has none (runc keeps the
  # config's HOME=/root for every -u): this config has none.
  new_bundle
  edit_config "$B" 'c["process"]["env"] = [e for e in c["process"]["env"] if not e.startswith("HOME=")]'
  start_container || return 1
  # Added inside the running container: only its own root has them.
  run --separate-stderr "$NOOK" exec "$NAME" sh -c \
    'echo "dev:x:1500:1501::/home/dev:/bin/sh" >>/etc/passwd && echo "devs:x:2000:" >>/etc/group'
  assert_status 0
  run --separate-stderr "$NOOK" exec -u dev "$NAME" sh -c 'echo $(id -u) $(id -g) $HOME'
  assert_status 0
  assert_output "1500 1501 /home/dev"
  run --separate-stderr "$NOOK" exec -u dev:devs "$NAME" sh -c 'echo $(id -u) $(id -g)'
  assert_status 0
  assert_output "1500 2000"
  # By number, HOME from the first entry with that uid; -e HOME wins.
  run --separate-stderr "$NOOK" exec -u 1000 "$NAME" sh -c 'echo $HOME'
  assert_status 0
  assert_output "/home/user"
  run --separate-stderr "$NOOK" exec -u 1000:devs -e HOME=/x "$NAME" sh -c 'echo $(id -u) $(id -g) $HOME'
  assert_status 0
  assert_output "1000 2000 /x"
  # A uid with no passwd entry: HOME is /, as runc.
  run --separate-stderr "$NOOK" exec -u 4242 "$NAME" sh -c 'echo $HOME'
  assert_status 0
  assert_output "/"
  run --separate-stderr "$NOOK" exec -u nosuch "$NAME" true
  output=$stderr assert_nook_error 125 'user: --user nosuch: no user "nosuch" in the container'"'"'s /etc/passwd'
  run --separate-stderr "$NOOK" exec -u dev:nosuch "$NAME" true
  output=$stderr assert_nook_error 125 'user: --user dev:nosuch: no group "nosuch" in the container'"'"'s /etc/group'
}

@test "exec: -g adds supplementary groups; a bad gid is an error" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec -g 5 --additional-gids 6 "$NAME" id -G
  assert_status 0
  assert_output "0 5 6"
  run --separate-stderr "$NOOK" exec -g five "$NAME" true
  output=$stderr assert_nook_error 125 "exec: --additional-gids five: expected a gid (a number)"
}

@test "exec: --apparmor and --process-label on a host without them: one warning each" {
  [ ! -e /sys/module/apparmor/parameters/enabled ] && [ ! -d /sys/fs/selinux ] ||
    skip_or_fail "the host runs AppArmor or SELinux"
  start_container || return 1
  run --separate-stderr "$NOOK" exec --apparmor unconfined --process-label system_u:system_r:container_t:s0 "$NAME" echo ran
  assert_status 0
  assert_output ran
  assert_stderr 'nook: warning: exec: --apparmor: "unconfined" ignored: the host does not run apparmor
nook: warning: exec: --process-label: "system_u:system_r:container_t:s0" ignored: the host does not run selinux'
}

# The effective set as a number.
cap_eff ()
{
  sed -n 's/^CapEff:[[:space:]]*//p' <<<"$1"
}

@test "exec: capabilities are the process's, --cap adds one" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec "$NAME" grep ^CapEff: /proc/self/status
  assert_status 0
  local base=$((16#$(cap_eff "$output")))
  [ $((base & (1 << 21))) -eq 0 ] || fail "CAP_SYS_ADMIN without --cap: $output"
  [ $((base & (1 << 13))) -ne 0 ] || fail "no CAP_NET_RAW from the config: $output"
  run --separate-stderr "$NOOK" exec --cap CAP_SYS_ADMIN "$NAME" grep ^CapEff: /proc/self/status
  assert_status 0
  [ $((16#$(cap_eff "$output"))) -eq $((base | (1 << 21))) ] ||
    fail "with --cap CAP_SYS_ADMIN: $output (without: $(printf %x "$base"))"
}

@test "exec: --no-new-privs sets no_new_privs where the config does not" {
  edit_config "$B" 'c["process"]["noNewPrivileges"] = False'
  start_container || return 1
  run --separate-stderr "$NOOK" exec "$NAME" grep ^NoNewPrivs: /proc/self/status
  assert_status 0
  assert_output_matches 'NoNewPrivs:[[:space:]]+0$'
  run --separate-stderr "$NOOK" exec --no-new-privs "$NAME" grep ^NoNewPrivs: /proc/self/status
  assert_status 0
  assert_output_matches 'NoNewPrivs:[[:space:]]+1$'
}

@test "exec: rlimits of the process apply" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec "$NAME" sh -c 'ulimit -n'
  assert_status 0
  assert_output "$(config_get "$B" 'c["process"]["rlimits"][0]["soft"]')"
}

@test "exec: -p FILE, a runtime-spec process object" {
  start_container || return 1
  cat >"$BATS_TEST_TMPDIR/process.json" <<'EOF2'
{
  "terminal": false,
  "user": { "uid": 5, "gid": 6 },
  "args": ["sh", "-c", "echo \"$(id -u):$(id -g) $(pwd) $GREETING\"; grep ^NoNewPrivs: /proc/self/status"],
  "env": ["PATH=/bin", "GREETING=hello"],
  "cwd": "/etc",
  "noNewPrivileges": true
}
EOF2
  run --separate-stderr "$NOOK" exec --process "$BATS_TEST_TMPDIR/process.json" "$NAME"
  assert_status 0
  assert_output_matches '^5:6 /etc hello
NoNewPrivs:[[:space:]]+1$'
}

@test "exec: -p FILE with an error names the file and the JSON path" {
  start_container || return 1
  echo '{"args": [], "cwd": "/"}' >"$BATS_TEST_TMPDIR/process.json"
  run --separate-stderr "$NOOK" exec -p "$BATS_TEST_TMPDIR/process.json" "$NAME"
  output=$stderr assert_nook_error 125 "process.json" "args"
}

@test "exec: -d exits once the process runs; --pid-file has its host pid" {
  start_container || return 1
  # The detached process keeps nook's stdout and stderr: not bats' pipes,
  # or bats would wait for it.
  local st=0
  "$NOOK" exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$NAME" sleep 999 \
    </dev/null >"$BATS_TEST_TMPDIR/d.out" 2>"$BATS_TEST_TMPDIR/d.err" || st=$?
  [ "$st" -eq 0 ] || fail "nook exec -d exited $st: $(cat "$BATS_TEST_TMPDIR/d.err")"
  local pid
  pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  [[ "$pid" =~ ^[0-9]+$ ]] || fail "pid file: '$pid'"
  [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 999 " ] || fail "pid $pid is $(cat "/proc/$pid/cmdline")"
  [ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$CPID/ns/pid")" ] || fail "not in the container's pid namespace"
  # No temporary file left next to it.
  [ "$(ls -A "$BATS_TEST_TMPDIR" | grep -c 'exec\.pid.')" -eq 0 ] || fail "temporary files: $(ls -A "$BATS_TEST_TMPDIR")"
  kill -KILL "$pid"
}

@test "exec: the pid file of a foreground exec too" {
  start_container || return 1
  run --separate-stderr "$NOOK" exec --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$NAME" sh -c 'echo $$'
  assert_status 0
  [ -s "$BATS_TEST_TMPDIR/exec.pid" ] || fail "no pid file"
}

@test "exec: SIGTERM to nook exec reaches the process (status 143)" {
  start_container || return 1
  start_bg "$BATS_TEST_TMPDIR/ex" exec "$NAME" sleep 1000
  local ex=$BG_PID
  wait_until "$NOOK_TEST_TIMEOUT" pgrep -P "$ex" -x sleep >/dev/null ||
    fail "the exec'd sleep did not start: $(cat "$BATS_TEST_TMPDIR/ex.err")"
  kill -TERM "$ex"
  wait_bg_exit "$ex" "$BATS_TEST_TMPDIR/ex" || return 1
  [ "$bg_status" -eq 143 ] || fail "nook exec exited $bg_status, want 143: $(cat "$BATS_TEST_TMPDIR/ex.err")"
}

@test "exec: a trapped signal is forwarded, the process's status is kept" {
  start_container || return 1
  start_bg "$BATS_TEST_TMPDIR/ex" exec "$NAME" sh -c 'trap "echo got-USR1; exit 7" USR1; echo ready; sleep 1000 & wait'
  local ex=$BG_PID
  wait_until "$NOOK_TEST_TIMEOUT" grep -q ready "$BATS_TEST_TMPDIR/ex.out" || fail "not ready"
  kill -USR1 "$ex"
  wait_bg_exit "$ex" "$BATS_TEST_TMPDIR/ex" || return 1
  [ "$bg_status" -eq 7 ] || fail "nook exec exited $bg_status, want 7"
  [ "$(cat "$BATS_TEST_TMPDIR/ex.out")" = "ready
got-USR1" ] || fail "stdout: $(cat "$BATS_TEST_TMPDIR/ex.out")"
}

# in_pty 'shell command': as in terminal.bats.
in_pty ()
{
  local fifo=$BATS_TEST_TMPDIR/pty-stdin
  [ -p "$fifo" ] || mkfifo "$fifo"
  run --separate-stderr timeout "$NOOK_TEST_TIMEOUT" script -qec "$1" /dev/null <>"$fifo"
  output=${output//$'\r'/}
}

@test "exec: -t on a real pty: the process gets a pty of the container's devpts" {
  command -v script >/dev/null || skip_or_fail "script(1) from util-linux is not installed"
  start_container || return 1
  in_pty "stty rows 31 cols 97; $(printf %q "$NOOK") exec -t $NAME sh -c 'tty; stty size; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys'"
  assert_status 0
  assert_output_matches '^/dev/pts/[0-9]+
31 97
all-ttys$'
}

@test "exec: without -t no pty, even on a terminal" {
  command -v script >/dev/null || skip_or_fail "script(1) from util-linux is not installed"
  start_container || return 1
  in_pty "$(printf %q "$NOOK") exec $NAME tty"
  assert_status 1
  assert_output "not a tty"
}

# recv_console SOCKET OUT: a console-socket receiver in the background; it
# writes the name sent with the fd to OUT.name and everything read from the
# pty master to OUT.
recv_console ()
{
  cat >"$BATS_TEST_TMPDIR/recv.py" <<'EOF2'
import array, os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
open(path + ".ready", "w").close()
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(1024, socket.CMSG_SPACE(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
with open(out + ".name", "w") as f:
    f.write(msg.decode())
data = b""
while True:
    try:
        chunk = os.read(fds[0], 4096)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
with open(out + ".tmp", "wb") as f:
    f.write(data)
os.rename(out + ".tmp", out)
EOF2
  timeout "$NOOK_TEST_TIMEOUT" python3 "$BATS_TEST_TMPDIR/recv.py" "$1" "$2" &
  RECV_PID=$!
  wait_until "$NOOK_TEST_TIMEOUT" test -e "$1.ready" || fail "the receiver did not start"
}

@test "exec: --console-socket gets the pty master (SCM_RIGHTS)" {
  start_container || return 1
  local sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/console.out
  recv_console "$sock" "$out" || return 1
  run --separate-stderr "$NOOK" exec -t --console-socket "$sock" "$NAME" sh -c 'tty; echo via-pty'
  assert_status 0
  assert_output ""
  wait "$RECV_PID" || fail "the receiver failed"
  [ "$(tr -d '\r' <"$out")" = "/dev/pts/0
via-pty" ] || fail "read from the master: $(cat -A "$out")"
  [ "$(cat "$out.name")" = /dev/ptmx ] || fail "name: $(cat "$out.name")"
}

@test "exec: podman's form: --pid-file F --process FILE --detach --tty --console-socket S" {
  start_container || return 1
  local sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/console.out
  recv_console "$sock" "$out" || return 1
  cat >"$BATS_TEST_TMPDIR/process.json" <<'EOF2'
{ "terminal": true, "user": { "uid": 0, "gid": 0 }, "args": ["sh", "-c", "tty; echo detached-pty"],
  "env": ["PATH=/bin"], "cwd": "/" }
EOF2
  run --separate-stderr "$NOOK" exec --pid-file "$BATS_TEST_TMPDIR/exec.pid" --process "$BATS_TEST_TMPDIR/process.json" \
    --detach --tty --console-socket "$sock" "$NAME"
  assert_status 0
  [ -s "$BATS_TEST_TMPDIR/exec.pid" ] || fail "no pid file"
  wait "$RECV_PID" || fail "the receiver failed"
  [ "$(tr -d '\r' <"$out")" = "/dev/pts/0
detached-pty" ] || fail "read from the master: $(cat -A "$out")"
}

@test "exec: into a detached container (run -d), then delete -f" {
  local name
  name=$(test_name d)
  edit_config "$B" 'c["process"]["args"] = ["sleep", "1000"]'
  "$NOOK" run -d -b "$B" "$name" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/run.err" ||
    fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/run.err")"
  local pid
  pid=$(wait_state_pid "$name") || return 1
  run --separate-stderr "$NOOK" exec "$name" sh -c 'for n in user mnt pid uts ipc net cgroup; do readlink /proc/self/ns/$n; done'
  assert_status 0
  assert_output "$(ns_of "$pid")"
  "$NOOK" delete -f "$name" || fail "delete -f $name failed"
  run --separate-stderr "$NOOK" exec "$name" true
  output=$stderr assert_nook_error 125 "$name" "does not exist"
}

# runc and crun give exec the config's process.env plus exec's own -e;
# podman exec the container's environment, -e included. nook run's -e
# changes the config in memory only: the state keeps it for exec.
@test "exec: run -d's -e (NAME=VALUE and NAME alone) reaches exec's process; exec's -e wins" {
  local name
  name=$(test_name d)
  edit_config "$B" 'c["process"]["args"] = ["sleep", "1000"]' 'c["process"]["env"] += ["FROM_CONFIG=c", "OVER=config"]'
  FROM_HOST=host "$NOOK" run -d --no-init -e OVER=run -e FROM_HOST -e FROM_RUN=r1 -e FROM_RUN=r2 -e SPACED='a b=c' \
    -b "$B" "$name" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/run.err" ||
    fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/run.err")"
  wait_state_pid "$name" >/dev/null || return 1
  run --separate-stderr "$NOOK" exec -e FROM_RUN=exec "$name" sh -c 'echo "$FROM_CONFIG|$OVER|$FROM_HOST|$FROM_RUN|$SPACED"'
  assert_status 0
  assert_output "c|run|host|exec|a b=c"
  # The container's own process has the same environment (bar exec's -e).
  run --separate-stderr "$NOOK" exec "$name" sh -c 'tr "\0" "\n" </proc/1/environ | grep -E "^(FROM_|OVER|SPACED)" | sort; echo --; env | grep -E "^(FROM_|OVER|SPACED)" | sort'
  assert_status 0
  assert_output "FROM_CONFIG=c
FROM_HOST=host
FROM_RUN=r2
OVER=run
SPACED=a b=c
--
FROM_CONFIG=c
FROM_HOST=host
FROM_RUN=r2
OVER=run
SPACED=a b=c"
  "$NOOK" delete -f "$name" || fail "delete -f $name failed"
}

@test "exec: a foreground run's -e and --userns=keep-id reach exec's process too" {
  NAME=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/ctr" run --name "$NAME" --userns=keep-id -e FROM_RUN=f "$B" sleep 1000
  wait_state_pid "$NAME" >/dev/null || return 1
  run --separate-stderr "$NOOK" exec "$NAME" sh -c 'echo "$FROM_RUN $(id -u)"'
  assert_status 0
  assert_output "f $(id -u)"
}
