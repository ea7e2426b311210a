#!/usr/bin/env bats
# Load: many sequential and concurrent starts, named, ephemeral and mixed,
# with the same and with different seccomp profiles. Every start must
# succeed, and nothing may grow: nook's open descriptors, the filter store,
# the state directory, the layer directory, the mount table.
#
# NOOK_LOAD_SEQ sets the number of sequential starts (default 200, for
# CI); NOOK_LOAD_FULL=1 makes it 1000.

load helpers

setup_file ()
{
  nook_default_setup_file --seccomp "$NOOK_FIXTURES/seccomp-default.json"
  # The second profile: a copy is faster than a second make-bundle.sh.
  cp -a "$BATS_FILE_TMPDIR/master" "$BATS_FILE_TMPDIR/master-deny"
  edit_config "$BATS_FILE_TMPDIR/master-deny" \
    'c["linux"]["seccomp"] = json.load(open(os.environ["NOOK_FIXTURES"] + "/seccomp-deny-mkdir.json"))'
}

setup ()
{
  skip_unless_userns
  skip_unless_fuse
  use_own_xdg_dirs
  snapshot_state
  new_bundle
  B1=$B
  new_bundle "$BATS_FILE_TMPDIR/master-deny" "$BATS_TEST_TMPDIR/bundle-deny"
  B2=$B
  N=$(test_name load)
  MOUNTS_BEFORE=$(fuse_and_test_mounts)
}

teardown ()
{
  local n
  cleanup_bg
  for n in $("$NOOK" ls -q 2>/dev/null); do
    "$NOOK" rm -f "$n" >/dev/null 2>&1 || true
  done
  assert_no_leftovers
}

# Mounts nook could have left in this mount namespace: FUSE, or under
# this test's directories.
fuse_and_test_mounts ()
{
  awk -v t="$BATS_TEST_TMPDIR/" '{ split($0, a, " - "); split(a[2], f, " ");
    if (f[1] ~ /^fuse/ || index($5, t) == 1) print $5, f[1] }' /proc/self/mountinfo | sort
}

# The sizes that must not grow: entries of the filter store, entries of
# the state root, layers (directories) and everything else in the layer
# directory, and the mounts above.
footprint ()
{
  local layers=$XDG_DATA_HOME/nook/containers
  printf 'store %s, states %s, layers %s, mounts %s, layer dir entries %s\n' \
    "$(find "$XDG_CACHE_HOME/nook/seccomp" -mindepth 1 2>/dev/null | wc -l)" \
    "$(find "$XDG_RUNTIME_DIR/nook" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" \
    "$(find "$layers" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)" \
    "$(fuse_and_test_mounts | wc -l)" \
    "$(find "$layers" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
}

# nook_fds BUNDLE: the number of descriptors a running nook holds, counted
# while its container waits on stdin (a fifo this shell holds open).
nook_fds ()
{
  local fifo=$BATS_TEST_TMPDIR/fifo n pid
  rm -f "$fifo"
  mkfifo "$fifo"
  exec 7<>"$fifo"
  "$NOOK" run --name "$N-fds" "$1" head -c 1 <&7 >/dev/null 2>"$BATS_TEST_TMPDIR/fds.err" 7>&- &
  pid=$!
  wait_state_pid "$N-fds" >/dev/null || return 1
  n=$(find "/proc/$pid/fd" -mindepth 1 | wc -l)
  printf x >&7
  wait "$pid" || fail "nook run for the descriptor count failed: $(cat "$BATS_TEST_TMPDIR/fds.err")"
  exec 7>&-
  "$NOOK" rm "$N-fds" >/dev/null
  echo "$n"
}

# start_kind I [concurrent]: the I-th start of the mix (named, ephemeral,
# --rm named, two profiles), in the foreground. Sequential starts reuse two
# kept names; concurrent ones cannot (a running name is busy, by design).
start_kind ()
{
  local i=$1 b=$B1
  [ $((i % 2)) -eq 1 ] && b=$B2
  case $((i % 5)) in
    0) "$NOOK" run "$b" true ;;
    1) if [ -n "${2:-}" ]; then
         "$NOOK" run --name "$N-c-$i" "$b" true && "$NOOK" rm "$N-c-$i"
       else
         "$NOOK" run --name "$N-same-$((i % 2))" "$b" true
       fi ;;
    2) "$NOOK" run --rm --name "$N-rm-$i" "$b" true ;;
    3) "$NOOK" run --name "$N-$i" "$b" true && "$NOOK" rm "$N-$i" ;;
    4) "$NOOK" run --rm "$b" true ;;
  esac
}

@test "load: sequential starts, named, ephemeral and mixed: no failure, nothing grows" {
  local total=${NOOK_LOAD_SEQ:-200} i failed=0 fds_first fds_last first last t0
  [ "${NOOK_LOAD_FULL:-0}" = 1 ] && total=1000
  # Two profiles and the two kept names exist after a first round.
  for i in 0 1 2 3 4 5 6 7 8 9; do
    start_kind "$i" || fail "start $i failed"
  done
  fds_first=$(nook_fds "$B1")
  first=$(footprint)
  t0=$SECONDS
  for ((i = 10; i < total; i++)); do
    if ! start_kind "$i" 2>"$BATS_TEST_TMPDIR/err"; then
      failed=$((failed + 1))
      echo "# start $i failed: $(cat "$BATS_TEST_TMPDIR/err")" >&3
    fi
  done
  fds_last=$(nook_fds "$B1")
  last=$(footprint)
  echo "# $total sequential starts in $((SECONDS - t0)) s: $failed failed; nook's fds $fds_first -> $fds_last; $first -> $last" >&3
  [ "$failed" -eq 0 ] || fail "$failed of $total starts failed"
  [ "$fds_last" -eq "$fds_first" ] || fail "nook's descriptors grew: $fds_first -> $fds_last"
  [ "$last" = "$first" ] || fail "grew: $first -> $last"
  [[ "$first" == "store 2, states 0, layers 2, mounts $(printf '%s' "$MOUNTS_BEFORE" | grep -c ''),"* ]] ||
    fail "unexpected footprint: $first"
}

@test "load: 50 concurrent starts, named, ephemeral and mixed: no failure, nothing grows" {
  local i pids=() failed=0 before after
  start_kind 1 && start_kind 6 || fail "the first starts failed"
  before=$(footprint)
  for ((i = 0; i < 50; i++)); do
    start_kind "$i" concurrent >"$BATS_TEST_TMPDIR/c$i.out" 2>"$BATS_TEST_TMPDIR/c$i.err" &
    pids+=("$!")
  done
  for ((i = 0; i < 50; i++)); do
    if ! wait "${pids[$i]}"; then
      failed=$((failed + 1))
      echo "# concurrent start $i failed: $(cat "$BATS_TEST_TMPDIR/c$i.err")" >&3
    fi
  done
  after=$(footprint)
  echo "# 50 concurrent starts: $failed failed; $before -> $after" >&3
  [ "$failed" -eq 0 ] || fail "$failed of 50 concurrent starts failed"
  [ "$after" = "$before" ] || fail "grew: $before -> $after"
}
