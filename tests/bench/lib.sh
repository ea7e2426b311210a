# shellcheck shell=bash
# Shared by the benchmarks (bench.sh, toolbox-bench.sh): sourced, not run.
#
# bench_prepare NAME: as root, sets run_as to run commands as TEST_USER
# (as_root=1); makes WORK (default: a new /tmp/NAME.XXXXXX), the user's;
# builds a release nook of SRCDIR in WORK/build unless NOOK names one: every
# default target, since nook needs its helpers next to it at run time
# (nook-init, the container's PID 1 by default, and any module it loads).
# Uses TEST_USER, SRCDIR, WORK, NOOK and the caller's die and say.
bench_prepare ()
{
  as_root=0
  run_as=()
  if [[ $(id -u) -eq 0 ]]; then
    as_root=1
    id -u "$TEST_USER" >/dev/null 2>&1 || die "user $TEST_USER does not exist: run tests/setup-host.sh"
    run_as=(runuser -u "$TEST_USER" --)
  fi

  if [[ -z $WORK ]]; then
    WORK=$(mktemp -d "/tmp/$1.XXXXXX")
  fi
  mkdir -p "$WORK"
  WORK=$(cd "$WORK" && pwd)
  chmod 0755 "$WORK"
  [[ $as_root == 1 ]] && chown "$TEST_USER:" "$WORK"

  if [[ -z $NOOK ]]; then
    say "building nook (release) in $WORK/build"
    build_log=$WORK/build.log
    { if [[ -f $WORK/build/build.ninja ]]; then
        meson setup --reconfigure "$WORK/build" "$SRCDIR" --buildtype=release -Dtests=false
      else
        meson setup "$WORK/build" "$SRCDIR" --buildtype=release -Dtests=false
      fi && ninja -C "$WORK/build"; } >"$build_log" 2>&1 ||
      { cat "$build_log" >&2; die "build failed"; }
    NOOK=$WORK/build/launcher/nook
    chmod -R a+rX "$WORK/build"
  fi
  NOOK=$(realpath "$NOOK")
  [[ -x $NOOK ]] || die "$NOOK is not executable"
}

# bench_parse_args ARGS...: the options every benchmark takes, into RUNS,
# WARMUP, NOOK, WORK and CHECK (the caller sets their defaults first), and
# --help (the head comment of SELF). The caller's own options, each taking a
# whole number, are named in BENCH_OPTIONS as OPTION=VARIABLE words
# (--series=SERIES). Uses the caller's die.
bench_parse_args ()
{
  local word var
  while [[ $# -gt 0 ]]; do
    case $1 in
      --check) CHECK=1; shift; continue ;;
      -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SELF"; exit 0 ;;
    esac
    [[ $# -ge 2 ]] || die "option '$1' needs a value (see --help)"
    case $1 in
      --nook) NOOK=$2 ;;
      --dir) WORK=$2 ;;
      --runs) RUNS=$2 ;;
      --warmup) WARMUP=$2 ;;
      *)
        var=
        for word in "${BENCH_OPTIONS[@]}"; do
          [[ $1 == "${word%%=*}" ]] && var=${word#*=}
        done
        [[ -n $var ]] || die "unknown option '$1' (see --help)"
        printf -v "$var" %s "$2"
        ;;
    esac
    [[ $1 == --nook || $1 == --dir || $2 =~ ^[0-9]+$ ]] || die "$1 takes a whole number, not '$2'"
    shift 2
  done
  [[ $RUNS -gt 0 ]] || die "--runs must be at least 1"
}

# bench_run_inner FLAG=VALUE RSHARED NAME=VALUE...: runs `bash SELF __inner`
# as the test user, with PATH, WORK, NOOK, RUNS, WARMUP, FLAG (1: the rows
# that need crun are measured, 0: left out) and the NAME=VALUE words in its
# environment. crun and runc want cgroup2 at /sys/fs/cgroup, which
# hybrid-cgroup hosts do not have there, and podman a shared / (RSHARED=1):
# as root, a private mount namespace gives both without touching the host's
# mounts. An unprivileged caller on such a host runs in place, FLAG=0.
bench_run_inner ()
{
  local flag=${1%%=*} value=${1#*=} rshared=$2
  shift 2
  local env=(env WORK="$WORK" NOOK="$NOOK" RUNS="$RUNS" WARMUP="$WARMUP" "$@"
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  if [[ $as_root == 1 ]]; then
    unshare -m sh -c '
      if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
        umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || exit 1
      fi
      if [ "$0" = 1 ]; then mount --make-rshared / || exit 1; fi
      exec "$@"' "$rshared" "${run_as[@]}" "${env[@]}" "$flag=$value" bash "$SELF" __inner
    return
  fi
  if [[ $value == 1 && $(stat -fc %T /sys/fs/cgroup) != cgroup2fs ]]; then
    say "/sys/fs/cgroup is not cgroup2 and this is not root: crun cannot run here, its rows are left out"
    value=0
  fi
  "${env[@]}" "$flag=$value" bash "$SELF" __inner
}

# bench_results TITLE REPORT...: TITLE and the conditions of the run, then
# the output of the command REPORT (the tables and the targets, which also
# writes WORK/targets: a line 1 or 0 per target, met or not), on stdout and
# in WORK/results.md. With CHECK=1, exits 1 when a target is missed.
bench_results ()
{
  local title=$1
  shift
  {
    echo "$title, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -sr), $(nproc) CPUs,"
    echo "$RUNS runs per command after $WARMUP warm-up runs, as $("${run_as[@]}" id -un)."
    echo
    "$@"
  } | tee "$WORK/results.md"
  if [[ $CHECK == 1 ]] && grep -qx 0 "$WORK/targets"; then
    say "a target is missed (--check)"
    exit 1
  fi
}
