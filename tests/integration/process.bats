#!/usr/bin/env bats
# process.*: env, cwd, user, umask, rlimits, capabilities, noNewPrivileges,
# and hostname.

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

# Single-id mappings of container uid/gid 1000 to the caller, user 1000:1000.
use_user_1000 ()
{
  edit_config "$B" \
    'c["linux"]["uidMappings"] = [{"containerID": 1000, "hostID": os.getuid(), "size": 1}]' \
    'c["linux"]["gidMappings"] = [{"containerID": 1000, "hostID": os.getgid(), "size": 1}]' \
    'c["process"]["user"] = {"uid": 1000, "gid": 1000}'
}

# The value of a /proc/self/status field inside the container.
status_field ()
{
  printf '%s\n' "$output" | awk -v f="$1:" '$1 == f { print $2 }'
}

# Capability names to a /proc/PID/status style mask (16 hex digits).
cap_mask ()
{
  python3 - "$@" <<'EOF'
import sys
names = ["CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
         "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
         "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
         "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
         "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
         "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
         "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE"]
m = 0
for n in sys.argv[1:]:
    m |= 1 << names.index(n.removeprefix("CAP_"))
print("%016x" % m)
EOF
}

@test "process: env from the config is the container's whole environment" {
  edit_config "$B" 'c["process"]["env"] = ["PATH=/bin:/sbin", "FOO=bar baz", "EMPTY=", "HOME=/root"]'
  run --separate-stderr env -i HOSTVAR=1 PATH="$PATH" "$NOOK" run "$B" env
  assert_status 0
  local sorted
  sorted=$(printf '%s\n' "$output" | grep -v '^PWD=' | grep -v '^SHLVL=' | sort)
  [ "$sorted" = "$(printf '%s\n' 'EMPTY=' 'FOO=bar baz' 'HOME=/root' 'PATH=/bin:/sbin' | sort)" ] ||
    fail "unexpected environment:
$output"
}

@test "process: cwd from the config (cwd /tmp → pwd)" {
  edit_config "$B" 'c["process"]["cwd"] = "/tmp"'
  run --separate-stderr "$NOOK" run "$B" pwd
  assert_status 0
  assert_output "/tmp"
}

@test "process: cwd is / in the fixture" {
  run --separate-stderr "$NOOK" run "$B" pwd
  assert_status 0
  assert_output "/"
}

@test "process: user root (0:0) in the fixture" {
  run --separate-stderr "$NOOK" run "$B" id
  assert_status 0
  assert_output_matches '^uid=0\(root\) gid=0\(root\)'
}

@test "process: user 1000:1000 with single-id mappings (id -u, id -g)" {
  use_user_1000
  run --separate-stderr "$NOOK" run "$B" sh -c 'id -u; id -g; id -un'
  assert_status 0
  assert_output "1000
1000
user"
}

@test "process: user 1000 has no capabilities" {
  use_user_1000
  run --separate-stderr "$NOOK" run "$B" cat /proc/self/status
  assert_status 0
  [ "$(status_field CapEff)" = 0000000000000000 ] || fail "CapEff $(status_field CapEff), want 0"
  [ "$(status_field CapPrm)" = 0000000000000000 ] || fail "CapPrm $(status_field CapPrm), want 0"
}

@test "process: additionalGids with a single-id gid mapping fails with 125 naming additionalGids" {
  use_user_1000
  edit_config "$B" 'c["process"]["user"]["additionalGids"] = [5]'
  run "$NOOK" run "$B" id
  assert_status 125
  assert_output_contains "additionalGids"
  [[ "$output" == "nook: "* ]] || fail "message does not start with 'nook: ': $output"
}

@test "process: umask 0027 from the config" {
  edit_config "$B" 'c["process"]["user"]["umask"] = 0o027'
  run --separate-stderr "$NOOK" run "$B" sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
  assert_status 0
  assert_output "0027
640"
}

@test "process: without process.user.umask the caller's umask is kept (runtime-spec)" {
  edit_config "$B" 'c["process"]["user"].pop("umask", None)'
  run --separate-stderr sh -c 'umask 0077; exec "$1" run "$2" sh -c umask' _ "$NOOK" "$B"
  assert_status 0
  assert_output "0077"
}

@test "process: hostname from the config" {
  edit_config "$B" 'c["hostname"] = "box-7"'
  run --separate-stderr "$NOOK" run "$B" sh -c 'hostname; cat /proc/sys/kernel/hostname'
  assert_status 0
  assert_output "box-7
box-7"
}

@test "process: the fixture's hostname 'nook'" {
  run --separate-stderr "$NOOK" run "$B" hostname
  assert_status 0
  assert_output "nook"
}

@test "process: RLIMIT_NOFILE 512/512 (ulimit -n)" {
  edit_config "$B" 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 512}]'
  run --separate-stderr "$NOOK" run "$B" sh -c 'ulimit -n; ulimit -Hn'
  assert_status 0
  assert_output "512
512"
}

@test "process: rlimit with soft < hard (NOFILE 256/700, CORE 0/1024)" {
  edit_config "$B" 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 256, "hard": 700}, {"type": "RLIMIT_CORE", "soft": 0, "hard": 1024}]'
  run --separate-stderr "$NOOK" run "$B" cat /proc/self/limits
  assert_status 0
  local files core
  files=$(printf '%s\n' "$output" | awk '/^Max open files/ { print $4, $5 }')
  core=$(printf '%s\n' "$output" | awk '/^Max core file size/ { print $5, $6 }')
  [ "$files" = "256 700" ] || fail "Max open files: '$files', want '256 700'
$output"
  [ "$core" = "0 1024" ] || fail "Max core file size: '$core', want '0 1024'
$output"
}

@test "process: capabilities CAP_CHOWN+CAP_KILL give the exact mask 0000000000000021" {
  edit_config "$B" 'c["process"]["capabilities"] = {k: ["CAP_CHOWN", "CAP_KILL"] for k in ["bounding", "effective", "permitted"]}'
  run --separate-stderr "$NOOK" run "$B" cat /proc/self/status
  assert_status 0
  local f
  for f in CapBnd CapEff CapPrm; do
    [ "$(status_field $f)" = 0000000000000021 ] || fail "$f is '$(status_field $f)', want 0000000000000021"
  done
  for f in CapInh CapAmb; do
    [ "$(status_field $f)" = 0000000000000000 ] || fail "$f is '$(status_field $f)', want 0"
  done
}

@test "process: the fixture's capability set gives its exact masks" {
  local want_bnd want_eff want_prm
  want_bnd=$(cap_mask $(config_get "$B" '" ".join(c["process"]["capabilities"].get("bounding", []))'))
  want_eff=$(cap_mask $(config_get "$B" '" ".join(c["process"]["capabilities"].get("effective", []))'))
  want_prm=$(cap_mask $(config_get "$B" '" ".join(c["process"]["capabilities"].get("permitted", []))'))
  run --separate-stderr "$NOOK" run "$B" cat /proc/self/status
  assert_status 0
  [ "$(status_field CapBnd)" = "$want_bnd" ] || fail "CapBnd $(status_field CapBnd), want $want_bnd"
  [ "$(status_field CapEff)" = "$want_eff" ] || fail "CapEff $(status_field CapEff), want $want_eff"
  [ "$(status_field CapPrm)" = "$want_prm" ] || fail "CapPrm $(status_field CapPrm), want $want_prm"
}

@test "process: an empty capability set gives CapEff/CapPrm/CapBnd 0" {
  edit_config "$B" 'c["process"]["capabilities"] = {k: [] for k in ["bounding", "effective", "permitted", "inheritable", "ambient"]}'
  run --separate-stderr "$NOOK" run "$B" cat /proc/self/status
  assert_status 0
  local f
  for f in CapEff CapPrm CapBnd CapInh CapAmb; do
    [ "$(status_field $f)" = 0000000000000000 ] || fail "$f is '$(status_field $f)', want 0"
  done
}

@test "process: dropped capabilities are enforced (root without CAP_DAC_OVERRIDE cannot read a mode 000 file)" {
  edit_config "$B" 'c["process"]["capabilities"] = {k: ["CAP_KILL"] for k in ["bounding", "effective", "permitted"]}'
  echo secret >"$B/rootfs/tmp/f"
  chmod 000 "$B/rootfs/tmp/f"
  run --separate-stderr "$NOOK" run "$B" cat /tmp/f
  [ "$status" -ne 0 ] || fail "reading a mode 000 file succeeded without CAP_DAC_OVERRIDE: $output"
  [[ "$stderr" == *"Permission denied"* ]] || fail "expected 'Permission denied', got: $stderr"
}

@test "process: kept capabilities work (root with CAP_DAC_OVERRIDE reads a mode 000 file)" {
  edit_config "$B" 'c["process"]["capabilities"] = {k: ["CAP_DAC_OVERRIDE"] for k in ["bounding", "effective", "permitted"]}'
  echo secret >"$B/rootfs/tmp/f"
  chmod 000 "$B/rootfs/tmp/f"
  run --separate-stderr "$NOOK" run "$B" cat /tmp/f
  assert_status 0
  assert_output "secret"
}

@test "process: noNewPrivileges true → NoNewPrivs 1" {
  edit_config "$B" 'c["process"]["noNewPrivileges"] = True'
  run --separate-stderr "$NOOK" run "$B" grep NoNewPrivs /proc/self/status
  assert_status 0
  assert_output_matches '^NoNewPrivs:[[:space:]]+1$'
}

@test "process: noNewPrivileges false → NoNewPrivs 0" {
  if grep -q '^NoNewPrivs:[[:space:]]*1' /proc/self/status; then
    skip_or_fail "the test runner itself already has no_new_privs set"
  fi
  edit_config "$B" 'c["process"]["noNewPrivileges"] = False'
  run --separate-stderr "$NOOK" run "$B" grep NoNewPrivs /proc/self/status
  assert_status 0
  assert_output_matches '^NoNewPrivs:[[:space:]]+0$'
}

@test "process: terminal false leaves stdin/stdout the caller's (no pty)" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'tty; echo rc=$?'
  assert_output "not a tty
rc=1"
}

# ---------------------------------------------------------------------------
# issue 11: HOME, cwd, LISTEN_FDS, and the process fields engines set.

drop_home ()
{
  edit_config "$B" 'c["process"]["env"] = [e for e in c["process"]["env"] if not e.startswith("HOME=")]'
}

@test "process: without HOME in env, HOME is the user's home from the container's /etc/passwd" {
  drop_home
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo "$HOME"'
  assert_status 0
  assert_output /root
  use_user_1000
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo "$HOME"'
  assert_status 0
  assert_output /home/user
}

@test "process: without HOME in env and no passwd entry for the user, HOME is /" {
  drop_home
  edit_config "$B" \
    'c["linux"]["uidMappings"] = [{"containerID": 4242, "hostID": os.getuid(), "size": 1}]' \
    'c["linux"]["gidMappings"] = [{"containerID": 4242, "hostID": os.getgid(), "size": 1}]' \
    'c["process"]["user"] = {"uid": 4242, "gid": 4242}'
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo "$HOME"'
  assert_status 0
  assert_output /
}

@test "process: HOME in env is kept as it is" {
  edit_config "$B" 'c["process"]["env"] = [e for e in c["process"]["env"] if not e.startswith("HOME=")] + ["HOME=/srv/home"]'
  run --separate-stderr "$NOOK" run "$B" sh -c 'echo "$HOME"'
  assert_status 0
  assert_output /srv/home
}

@test "process: a missing cwd is created, mode 0755, owned by the process user" {
  use_user_1000
  edit_config "$B" 'c["process"]["cwd"] = "/srv/work/dir"'
  run --separate-stderr "$NOOK" run "$B" sh -c 'pwd; stat -c "%a %u:%g" /srv/work/dir /srv/work'
  assert_status 0
  assert_output "/srv/work/dir
755 1000:1000
755 1000:1000"
}

@test "process: LISTEN_FDS passes the fds on, with LISTEN_PID the process's pid" {
  echo activated >"$BATS_TEST_TMPDIR/socket-stand-in"
  run --separate-stderr env LISTEN_FDS=1 LISTEN_FDNAMES=web "$NOOK" run "$B" \
    sh -c 'echo "$LISTEN_FDS $((LISTEN_PID == $$)) $LISTEN_FDNAMES"; cat <&3' 3<"$BATS_TEST_TMPDIR/socket-stand-in"
  assert_status 0
  assert_output "1 1 web
activated"
}

@test "process: without LISTEN_FDS no fd beyond 2 reaches the process" {
  run --separate-stderr "$NOOK" run "$B" sh -c 'ls /proc/self/fd | tr "\n" " "; [ -n "${LISTEN_PID+x}" ] && echo set || echo none' 3<"$BATS_TEST_DIRNAME/helpers.bash"
  assert_status 0
  assert_output "0 1 2 3 none"
}

@test "process: oomScoreAdj 500 is written to /proc/self/oom_score_adj" {
  edit_config "$B" 'c["process"]["oomScoreAdj"] = 500'
  run --separate-stderr "$NOOK" run "$B" cat /proc/self/oom_score_adj
  assert_status 0
  assert_output 500
}

@test "process: oomScoreAdj below nook's own is refused naming the field" {
  local own
  own=$(cat /proc/self/oom_score_adj)
  [ "$own" -gt -1000 ] || skip_or_fail "the test runs at oom_score_adj -1000 already"
  edit_config "$B" "c['process']['oomScoreAdj'] = $((own - 1))"
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "config.json: process.oomScoreAdj: $((own - 1)) is below nook's own ($own): lowering it needs CAP_SYS_RESOURCE on the host"
}

@test "process: linux.personality LINUX32 shows in /proc/self/personality" {
  edit_config "$B" 'c["linux"]["personality"] = {"domain": "LINUX32"}'
  run --separate-stderr "$NOOK" run "$B" cat /proc/self/personality
  assert_status 0
  assert_output 00000008
}

@test "process: linux.personality flags are refused naming the field" {
  edit_config "$B" 'c["linux"]["personality"] = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "config.json: linux.personality.flags: personality flags are not supported"
}

@test "process: ioPriority IOPRIO_CLASS_BE 6 and IOPRIO_CLASS_IDLE are applied" {
  edit_config "$B" 'c["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
  run --separate-stderr "$NOOK" run "$B" sh -c 'ionice -p $$'
  assert_status 0
  assert_output "best-effort: prio 6"
  edit_config "$B" 'c["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_IDLE"}'
  run --separate-stderr "$NOOK" run "$B" sh -c 'ionice -p $$'
  assert_status 0
  assert_output idle
}

@test "process: ioPriority IOPRIO_CLASS_RT is refused by the kernel, naming the field" {
  edit_config "$B" 'c["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_RT", "priority": 0}'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "nook: scheduling: process.ioPriority: ioprio_set IOPRIO_CLASS_RT 0 (the real-time class needs CAP_SYS_ADMIN on the host): Operation not permitted"
}

@test "process: scheduler SCHED_BATCH with nice 5 (policy and nice in /proc/self/stat)" {
  edit_config "$B" 'c["process"]["scheduler"] = {"policy": "SCHED_BATCH", "nice": 5}'
  run --separate-stderr "$NOOK" run "$B" sh -c 'cut -d" " -f19,41 /proc/self/stat'
  assert_status 0
  assert_output "5 3"
}

@test "process: scheduler SCHED_FIFO is refused by the kernel, naming the field; an unknown policy by the parser" {
  edit_config "$B" 'c["process"]["scheduler"] = {"policy": "SCHED_FIFO", "priority": 10}'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "nook: scheduling: process.scheduler: sched_setattr SCHED_FIFO (real-time policies need CAP_SYS_NICE on the host or an RLIMIT_RTPRIO): Operation not permitted"
  edit_config "$B" 'c["process"]["scheduler"] = {"policy": "SCHED_FAST"}'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "config.json: process.scheduler.policy: unknown value \"SCHED_FAST\""
}

@test "process: linux.memoryPolicy MPOL_INTERLEAVE on node 0 shows in numa_maps; a missing node is refused" {
  [ -r /proc/self/numa_maps ] || skip_or_fail "the kernel has no NUMA support (/proc/self/numa_maps)"
  edit_config "$B" 'c["linux"]["memoryPolicy"] = {"mode": "MPOL_INTERLEAVE", "nodes": "0"}'
  run --separate-stderr "$NOOK" run "$B" sh -c 'head -1 /proc/self/numa_maps | cut -d" " -f2'
  assert_status 0
  assert_output interleave:0
  edit_config "$B" 'c["linux"]["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "1023"}'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 "nook: scheduling: linux.memoryPolicy: set_mempolicy: Invalid argument"
}

@test "process: apparmorProfile, selinuxLabel and linux.intelRdt on a host without them: one warning each" {
  [ ! -e /sys/module/apparmor/parameters/enabled ] && [ ! -d /sys/fs/selinux ] ||
    skip_or_fail "the host runs AppArmor or SELinux"
  edit_config "$B" 'c["process"]["apparmorProfile"] = "containers-default-0.50.1"' \
    'c["process"]["selinuxLabel"] = "system_u:system_r:container_t:s0"' \
    'c["linux"]["intelRdt"] = {"closID": "guaranteed_group"}'
  run --separate-stderr "$NOOK" run "$B" echo ran
  assert_status 0
  assert_output ran
  assert_stderr 'nook: warning: process.apparmorProfile: "containers-default-0.50.1" ignored: the host does not run apparmor
nook: warning: process.selinuxLabel: "system_u:system_r:container_t:s0" ignored: the host does not run selinux
nook: warning: linux.intelRdt: ignored (nook does not manage resctrl or cgroups)'
}
