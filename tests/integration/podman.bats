#!/usr/bin/env bats
# A real engine: Debian 12's podman 4.3, rootless, drives the runtime through
# the runc/crun command line (`podman --runtime "$NOOK"`).
#
# NOOK_PODMAN_RUNTIME picks another runtime (an absolute path); run the file
# with NOOK_PODMAN_RUNTIME=/usr/bin/crun to check the harness itself.
#
# podman needs: podman, conmon, catatonit, slirp4netns, newuidmap/newgidmap
# with subordinate ids for the user; crun also needs cgroup2 at
# /sys/fs/cgroup. On hybrid-cgroup hosts tests/run-tests.sh run as root runs
# the suites in a private mount namespace with cgroup2 there and / rshared
# (without the latter podman warns "/" is not a shared mount).
# Each test has its own podman: XDG_RUNTIME_DIR (mode 0700), XDG_CONFIG_HOME
# with containers.conf and storage.conf, storage root and run root, all under
# the test's tmpdir, and imports the image from a tarball of the busybox-static
# rootfs that make-bundle.sh builds once per file. No registry is involved.
#
# What podman 4.3 asks of the runtime (recorded with
# tests/fixtures/logging-runtime.sh in front of crun; ID is the 64-hex
# container id, U = STORAGE/overlay-containers/ID/userdata,
# R = RUNROOT/overlay-containers/ID/userdata):
#
#   run --rm IMAGE CMD (also --network none|default, --userns=keep-id, -v):
#     create --bundle U --pid-file R/pidfile ID
#     start ID
#     delete --force ID                  (after the process exited)
#   run -it: create ... --console-socket /tmp/conmon-term.XXXXXX ID; start; delete --force
#   run -d: create; start
#   exec C CMD:
#     exec --pid-file U/ID/exec_pid --process U/ID/exec-process-N --detach ID
#   exec -it: exec ... --detach --tty --console-socket /tmp/conmon-term.XXXXXX ID
#   stop (the process ignores SIGTERM): kill ID 15; kill ID 9; delete --force ID
#   rm of a stopped container, logs: no runtime call.
#   `state` is never called; `--root` is never passed (the runtime keeps its
#   state in $XDG_RUNTIME_DIR/NAME).
#   A runtime whose file name is crun/runc/kata/runsc/youki/krun also gets
#   the global options `--log-format=json --log R/oci-log` before create
#   (and `--log U/ID/oci-log` before exec); one named nook does not.
#
#   Environment (names): create and exec get HOME PATH PWD XDG_RUNTIME_DIR
#   _CONTAINERS_ROOTLESS_UID _CONTAINERS_USERNS_CONFIGURED _OCI_STARTPIPE
#   _OCI_SYNCPIPE (exec also _OCI_ATTACHPIPE); start gets PATH PWD
#   XDG_RUNTIME_DIR; kill and delete only PWD XDG_RUNTIME_DIR.
#   Every call runs as uid 0 in podman's user namespace (uid_map
#   "0 UID 1" + "1 SUBUID 65536").
#
# The config.json of `podman run --rm IMAGE true` is in
# tests/fixtures/podman-config.json: no user namespace (except with
# --userns=keep-id, which has one with three-range uid/gid mappings and the
# user's uid/gid as process.user), network namespace by path
# ($XDG_RUNTIME_DIR/netns/netns-UUID) for slirp4netns (a new one, no path,
# with --network none or keep-id), a cgroup namespace and a read-only `cgroup`
# mount at /sys/fs/cgroup, `rprivate` on every bind mount, root.path the
# overlay "merged" directory podman has already mounted, a seccomp profile,
# sysctl net.ipv4.ping_group_range, no cgroupsPath and empty resources.

load helpers
# shellcheck source=tests/fixtures/podman-conf.sh
. "$NOOK_FIXTURES/podman-conf.sh"

IMAGE=localhost/nook-busybox

setup_file ()
{
  export NOOK_PODMAN_RUNTIME=${NOOK_PODMAN_RUNTIME:-$NOOK}
  build_master_bundle "$BATS_FILE_TMPDIR/master"
  tar -C "$BATS_FILE_TMPDIR/master/rootfs" -cf "$BATS_FILE_TMPDIR/rootfs.tar" . ||
    fail "cannot make the image tarball"
}

# Prints why podman cannot run rootless here, or nothing.
podman_cannot_run ()
{
  local me tool
  me=$(id -un)
  for tool in podman conmon slirp4netns newuidmap newgidmap; do
    if ! command -v "$tool" >/dev/null && ! [ -x "/usr/libexec/podman/$tool" ]; then
      echo "$tool is not installed (tests/setup-host.sh installs podman and what it needs)"
      return
    fi
  done
  for tool in newuidmap newgidmap; do
    if ! [ -u "$(command -v "$tool")" ] && ! getcap "$(command -v "$tool")" 2>/dev/null | grep -q cap_set; then
      echo "$(command -v "$tool") is neither setuid nor has file capabilities: podman cannot map the subordinate ids"
      return
    fi
  done
  if ! grep -qE "^($me|$(id -u)):" /etc/subuid || ! grep -qE "^($me|$(id -u)):" /etc/subgid; then
    echo "$me has no range in /etc/subuid and /etc/subgid"
    return
  fi
  if ! unshare -Ur true >/dev/null 2>&1; then
    echo "unprivileged user namespaces are not available ('unshare -Ur true' fails)"
    return
  fi
  # podman itself runs on hybrid hosts; crun and runc refuse to ("cgroups
  # in hybrid mode not supported"); nook does not use cgroups.
  case $(basename "$NOOK_PODMAN_RUNTIME") in
    crun|runc)
      if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
        echo "/sys/fs/cgroup is not cgroup2 (a hybrid or v1 host) and $(basename "$NOOK_PODMAN_RUNTIME") refuses hybrid cgroups (tests/run-tests.sh as root runs the suites in a mount namespace with cgroup2 there)"
        return
      fi
      ;;
  esac
  if ! [ -x "$NOOK_PODMAN_RUNTIME" ] || [[ "$NOOK_PODMAN_RUNTIME" != /* ]]; then
    echo "NOOK_PODMAN_RUNTIME=$NOOK_PODMAN_RUNTIME is not an absolute path to an executable"
    return
  fi
}

setup ()
{
  local why
  why=$(podman_cannot_run)
  if [ -n "$why" ]; then
    skip_or_fail "$why"
    return
  fi
  P=$BATS_TEST_TMPDIR/podman
  mkdir -p "$P/storage" "$P/run"
  mkdir -m 0700 "$P/xdg"
  export XDG_RUNTIME_DIR=$P/xdg XDG_CONFIG_HOME=$P/config XDG_DATA_HOME=$P/data
  # No session bus: without an address podman autolaunches one through
  # dbus-launch (dbus-x11 is installed for toolbox-debian.bats), and that
  # dbus-daemon outlived every test, one per podman test on the machine.
  export DBUS_SESSION_BUS_ADDRESS=unix:path=$P/xdg/no-session-bus
  podman_write_conf "$XDG_CONFIG_HOME" "$P/storage" "$P/run" || fail "cannot write podman's configuration"
  run --separate-stderr pm import -q "$BATS_FILE_TMPDIR/rootfs.tar" "$IMAGE"
  [ "$status" -eq 0 ] || fail "podman import failed ($status): $stderr"
}

teardown ()
{
  [ -n "${P:-}" ] || return 0
  local left="" pid state_dir
  pm rm -a -f -t 0 >/dev/null 2>&1 || left+="podman rm -af failed"$'\n'
  # The runtime removes a container's state at `delete`; podman has deleted
  # every container now.
  state_dir=$XDG_RUNTIME_DIR/$(basename "$NOOK_PODMAN_RUNTIME")
  if [ -d "$state_dir" ] && [ -n "$(ls -A "$state_dir")" ]; then
    left+="runtime state left in $state_dir: $(ls -A "$state_dir" | tr '\n' ' ')"$'\n'
  fi
  # The pause process holds podman's user and mount namespaces.
  pid=$(cat "$XDG_RUNTIME_DIR/libpod/tmp/pause.pid" 2>/dev/null) || pid=
  if [ -n "$pid" ]; then
    kill -KILL "$pid" 2>/dev/null
    wait_until "$NOOK_TEST_TIMEOUT" _exited "$pid" || left+="podman's pause process $pid did not exit"$'\n'
  fi
  # conmon, slirp4netns and the container's processes name this test's
  # podman directories on their command line.
  for pid in $(pgrep -u "$(id -u)" -f "$P/"); do
    left+="process still running: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"$'\n'
    kill -KILL "$pid" 2>/dev/null
  done
  # Image layers belong to subordinate ids: remove them from a user
  # namespace with the same mapping.
  unshare --map-root-user --map-auto rm -rf "$P/storage" "$P/run" ||
    left+="cannot remove $P/storage"$'\n'
  [ -z "$left" ] || fail "$left"
}

# podman with the runtime under test, bounded in time.
pm ()
{
  timeout -k 5 "$NOOK_TEST_TIMEOUT" podman --runtime "$NOOK_PODMAN_RUNTIME" "$@"
}

# pm_run ARGS...: `podman run --pull=never ARGS` (no registry to ask).
pm_run ()
{
  pm run --pull=never "$@"
}

# in_pty 'shell command' [STDIN-FILE]: run it on a fresh pty (script -qec);
# $output has \r and NUL removed. Without STDIN-FILE script's stdin is a FIFO
# opened read-write: it never delivers data nor EOF (see terminal.bats).
in_pty ()
{
  local in=${2:-$BATS_TEST_TMPDIR/pty-stdin}
  [ -n "${2:-}" ] || [ -p "$in" ] || mkfifo "$in"
  if [ -n "${2:-}" ]; then
    run --separate-stderr timeout -k 5 "$NOOK_TEST_TIMEOUT" script -qec "$1" /dev/null <"$in"
  else
    run --separate-stderr timeout -k 5 "$NOOK_TEST_TIMEOUT" script -qec "$1" /dev/null <>"$in"
  fi
  output=$(printf '%s' "$output" | tr -d '\r\0')
}

_logs_contain ()
{
  pm logs "$1" 2>/dev/null | grep -qx "$2"
}

@test "podman: run --rm prints the process's output and exits with its status" {
  run --separate-stderr pm_run --rm "$IMAGE" echo hi
  assert_status 0
  assert_output hi

  run --separate-stderr pm_run --rm "$IMAGE" sh -c 'echo out; echo err >&2; exit 3'
  assert_status 3
  assert_output out
  [[ "$stderr" == *err* ]] || fail "the container's stderr is not on podman's stderr: $stderr"
}

# start_service NAME: a detached container that says "started", then waits
# for SIGTERM and says "got-term" (exit 0).
start_service ()
{
  run --separate-stderr pm_run -d --name "$1" "$IMAGE" \
    sh -c 'trap "echo got-term; exit 0" TERM; echo started; while :; do sleep 0.1; done'
  assert_status 0 || return 1
  wait_until "$NOOK_TEST_TIMEOUT" _logs_contain "$1" started ||
    fail "no 'started' in podman logs: $(pm logs "$1" 2>&1)"
}

@test "podman: run -d, logs, stop, rm" {
  start_service svc
  run --separate-stderr pm inspect -f '{{.State.Status}}' svc
  assert_output running

  run --separate-stderr pm stop -t 10 svc
  assert_status 0
  run --separate-stderr pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' svc
  # Exit code 0: the process got SIGTERM and ran its trap (137 would be SIGKILL).
  assert_output 'exited 0'
  run --separate-stderr pm logs svc
  assert_output $'started\ngot-term'

  run --separate-stderr pm rm svc
  assert_status 0
  run --separate-stderr pm ps -aq
  assert_output ''
}

@test "podman: exec into a run -d container, with and without -it" {
  start_service svc
  # exec joins the container: its pid 1 is the container's sh.
  run --separate-stderr pm exec svc sh -c 'echo in-exec; tr "\0" " " </proc/1/cmdline'
  assert_status 0
  assert_output_contains in-exec
  assert_output_contains 'sh -c trap'
  run --separate-stderr pm exec svc sh -c 'exit 7'
  assert_status 7

  in_pty "podman --runtime '$NOOK_PODMAN_RUNTIME' exec -it svc sh -c 'tty; test -t 0 && echo stdin-is-a-tty; exit 6'"
  assert_status 6
  assert_output_matches '/dev/pts/[0-9]+'
  assert_output_contains stdin-is-a-tty

  run --separate-stderr pm stop -t 10 svc
  assert_status 0
}

@test "podman: run -it through a pty" {
  in_pty "podman --runtime '$NOOK_PODMAN_RUNTIME' run --pull=never --rm -it $IMAGE sh -c 'tty; test -t 0 && echo stdin-is-a-tty; exit 5'"
  assert_status 5
  assert_output_matches '/dev/pts/[0-9]+'
  assert_output_contains stdin-is-a-tty

  # Input typed on the terminal reaches the container's process.
  printf 'hello\n' >"$BATS_TEST_TMPDIR/typed"
  in_pty "podman --runtime '$NOOK_PODMAN_RUNTIME' run --pull=never --rm -it $IMAGE sh -c 'read line; echo \"got:\$line\"'" \
    "$BATS_TEST_TMPDIR/typed"
  assert_status 0
  assert_output_contains got:hello
}

@test "podman: --network none has only loopback" {
  run --separate-stderr pm_run --rm --network none "$IMAGE" \
    sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
  assert_status 0
  assert_output lo
}

@test "podman: the default network is slirp4netns" {
  [ -c /dev/net/tun ] && [ -r /dev/net/tun ] && [ -w /dev/net/tun ] ||
    skip_or_fail "/dev/net/tun is not usable by $(id -un) (tests/setup-host.sh makes it 0666)"
  run --separate-stderr pm_run --rm "$IMAGE" sh -c 'ip -4 -o addr show; ip route'
  assert_status 0
  # slirp4netns's defaults: tap0 with 10.0.2.100, the gateway at 10.0.2.2.
  assert_output_matches 'tap0 +inet 10\.0\.2\.100/24'
  assert_output_contains 'default via 10.0.2.2 dev tap0'
}

@test "podman: --userns=keep-id runs the process as the user's own uid and gid" {
  run --separate-stderr pm_run --rm --userns=keep-id "$IMAGE" sh -c 'id -u; id -g'
  assert_status 0
  assert_output "$(id -u)
$(id -g)"
}

@test "podman: a volume: files go both ways" {
  local vol=$BATS_TEST_TMPDIR/vol
  mkdir "$vol"
  echo from-host >"$vol/in"
  run --separate-stderr pm_run --rm -v "$vol:/data" "$IMAGE" sh -c 'cat /data/in; echo from-container >/data/out'
  assert_status 0
  assert_output from-host
  [ "$(cat "$vol/out")" = from-container ] || fail "the file written inside is not on the host: $(ls -la "$vol")"
  # root in the container is the user on the host.
  [ "$(stat -c %u "$vol/out")" = "$(id -u)" ] || fail "$vol/out is owned by $(stat -c %u "$vol/out"), not $(id -u)"
}

@test "podman: drives the runtime with create, start and delete --force" {
  # The logging runtime in front of the runtime under test, under the same
  # file name, so that podman passes the same options.
  local w=$BATS_TEST_TMPDIR/wrap name
  name=$(basename "$NOOK_PODMAN_RUNTIME")
  mkdir "$w"
  cp "$NOOK_FIXTURES/logging-runtime.sh" "$w/$name"
  ln -s "$NOOK_PODMAN_RUNTIME" "$w/target"
  run --separate-stderr timeout -k 5 "$NOOK_TEST_TIMEOUT" \
    podman --runtime "$w/$name" run --pull=never --rm "$IMAGE" true
  assert_status 0
  run sed -E 's/ \| env:.*//; s/[0-9a-f]{64}/ID/g; s/^argv: (--log-format=json --log [^ ]* )?//' "$w/runtime.log"
  assert_output_matches '^create --bundle [^ ]+ --pid-file [^ ]+ ID
start ID
delete --force ID$'
  [ -f "$w/config-1.json" ] || fail "no config.json saved by the logging runtime"
  # No user namespace: podman runs the runtime inside its own.
  run config_get "$w/config-1.json" '[n["type"] for n in c["linux"]["namespaces"]]'
  assert_output_not_contains user
}
