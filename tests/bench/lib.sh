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
