#!/bin/bash
# fuse-overlayfs options: the /usr read workload and a `true` start of a
# Debian 12 bundle, with fuse-overlayfs option sets side by side with the
# kernel's overlay (--rootfs=overlay), in one hyperfine run per bundle.
#
# Usage: tests/bench/fuse-options.sh [--runs N] [--start-runs N] [--nook PATH]
#                                    [--dir DIR] [OPTION-SET...]
#
#   --runs N        timed runs of the read workload per command (default 5)
#   --start-runs N  timed runs of the `true` start per command (default 30)
#   --nook PATH     the nook to measure (default: a release build of this
#                   tree, made in DIR/build)
#   --dir DIR       working directory (default: a new /tmp/nook-fuse.XXXXXX)
#   OPTION-SET      fuse-overlayfs -o options to try, one row each
#                   (default: threaded=1 noacl timeout=0)
#
# Two bundles from the Debian 12 tarball (NOOK_TEST_DEBIAN_TAR, default
# /var/cache/nook-test/debian-bookworm.tar; tests/setup-host.sh makes it):
# `nook import` of it (files of the user and of subordinate ids, as every
# imported bundle), and a copy that tar extracts as the user (every file the
# user's). The read workload is `find /usr -type f -print0 | xargs -0 cat`
# inside the container. Rows: overlay; fuse-overlayfs as nook starts it;
# the same through a wrapper that adds nothing (the reference for the
# option rows, which go through the same wrapper: `-o SET` appended to
# nook's arguments); one row per option set.
#
# As root it runs everything as the test user (NOOK_TEST_USER, default
# nooktest), with the runtime state on a tmpfs, as /run/user is on a desktop.
# Not part of `meson test`: timings are not tests.
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SELF=$SRCDIR/tests/bench/fuse-options.sh
TEST_USER=${NOOK_TEST_USER:-nooktest}
TARBALL=${NOOK_TEST_DEBIAN_TAR:-/var/cache/nook-test/debian-bookworm.tar}
READ='find /usr -type f -print0 | xargs -0 cat >/dev/null'

die () { echo "fuse-options: $*" >&2; exit 1; }
say () { echo "fuse-options: $*" >&2; }

# --- as the unprivileged user ---

# wrapper DIR SET: DIR/fuse-overlayfs runs the real one with "-o SET" added
# (libfuse takes options after the mount point too).
wrapper ()
{
  mkdir -p "$1"
  # shellcheck disable=SC2016 # the quotes are the wrapper's, around SET
  printf '#!/bin/sh\nexec %s "$@"%s\n' "$(command -v fuse-overlayfs)" \
    "${2:+ -o '$2'}" >"$1/fuse-overlayfs"
  chmod +x "$1/fuse-overlayfs"
}

make_bundles ()
{
  if [[ ! -f $WORK/imported/config.json ]]; then
    say "nook import $TARBALL"
    "$NOOK" import "$TARBALL" "$WORK/imported" 2>/dev/null
  fi
  if [[ ! -f $WORK/own/config.json ]]; then
    say "extracting $TARBALL as $(id -un)"
    mkdir -p "$WORK/own/rootfs"
    tar -C "$WORK/own/rootfs" --no-same-owner -p --exclude='./dev/*' -xf "$TARBALL"
    cp "$WORK/imported/config.json" "$WORK/own/"
  fi
}

# measure KIND BUNDLE RUNS PROCESS...
measure ()
{
  local kind=$1 bundle=$2 runs=$3 i set
  shift 3
  local q=("$@") cmds=() names=()
  local run="$NOOK run $WORK/$bundle ${q[*]@Q}"
  cmds+=("$NOOK run --rootfs=overlay $WORK/$bundle ${q[*]@Q}") names+=(-n overlay)
  cmds+=("$run") names+=(-n fuse-overlayfs)
  cmds+=("env PATH=$WORK/wrap/0:$PATH $run") names+=(-n "fuse-overlayfs, wrapper")
  i=1
  for set in "${SETS[@]}"; do
    cmds+=("env PATH=$WORK/wrap/$i:$PATH $run") names+=(-n "fuse-overlayfs -o $set")
    i=$((i + 1))
  done
  hyperfine -N -w 1 -r "$runs" --export-json "$WORK/$kind-$bundle.json" \
    --export-markdown "$WORK/$kind-$bundle.md" "${names[@]}" "${cmds[@]}" >&2
  echo "### $kind, $bundle bundle"
  echo
  cat "$WORK/$kind-$bundle.md"
  echo
}

measure_all ()
{
  local i=1 set bundle shm=/dev/shm
  # The runtime state (and the --rm layers) on a tmpfs, as a desktop
  # session's /run/user/UID is.
  [ "$(stat -fc %T "$shm" 2>/dev/null)" = tmpfs ] || shm=$WORK
  XDG_RUNTIME_DIR=$(mktemp -d "$shm/nook-fuse-run.XXXXXX")
  export XDG_RUNTIME_DIR
  trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
  wrapper "$WORK/wrap/0" ""
  for set in "${SETS[@]}"; do
    wrapper "$WORK/wrap/$i" "$set"
    i=$((i + 1))
  done
  make_bundles
  for bundle in imported own; do
    # Each command must work before it is timed.
    "$NOOK" run --rootfs=overlay "$WORK/$bundle" true || die "nook run --rootfs=overlay failed"
    "$NOOK" run "$WORK/$bundle" true || die "nook run failed"
  done
  {
    for bundle in imported own; do
      measure read "$bundle" "$RUNS" sh -c "$READ"
      measure start "$bundle" "$START_RUNS" true
    done
  } | tee "$WORK/results.md"
}

# --- entry ---

RUNS=5
START_RUNS=30
NOOK=
WORK=
SETS=()
as_user=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift ;;
    --start-runs) START_RUNS=$2; shift ;;
    --nook) NOOK=$2; shift ;;
    --dir) WORK=$2; shift ;;
    --as-user) as_user=1 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SELF"; exit 0 ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) SETS+=("$1") ;;
  esac
  shift
done
[[ ${#SETS[@]} -gt 0 ]] || SETS=(threaded=1 noacl timeout=0)

if [[ $as_user == 1 ]]; then
  measure_all
  exit 0
fi

[[ -r $TARBALL ]] || die "no Debian tarball at $TARBALL (run tests/setup-host.sh as root)"
command -v hyperfine >/dev/null || die "hyperfine is missing"
command -v fuse-overlayfs >/dev/null || die "fuse-overlayfs is missing"
# shellcheck source=tests/bench/lib.sh
source "$SRCDIR/tests/bench/lib.sh"
bench_prepare nook-fuse
"${run_as[@]}" env -i HOME="$WORK" PATH=/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 \
  NOOK_TEST_DEBIAN_TAR="$TARBALL" bash "$SELF" --as-user --runs "$RUNS" \
  --start-runs "$START_RUNS" --nook "$NOOK" --dir "$WORK" "${SETS[@]}"
