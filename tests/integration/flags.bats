#!/usr/bin/env bats
# -e/--env, -v/--volume, -w/--workdir and --device on run (both forms) and
# create, -e and -w on exec; bad specs fail with one line and exit 125,
# leaving nothing behind.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
  skip_unless_fuse
  ROOT=$BATS_TEST_TMPDIR/root
  ID=$(test_name oci)
  edit_config "$B" 'c["process"]["terminal"] = False'
}

teardown ()
{
  "$NOOK" --root "$ROOT" delete -f "$ID" >/dev/null 2>&1 || true
  cleanup_bg
  assert_no_leftovers
  assert_no_leftovers "$ROOT"
}

# --- -e/--env ---------------------------------------------------------------

@test "flags: run -e sets, adds and replaces process.env; NAME alone takes nook's value" {
  NOOK_FROM_HOST='a b' run --separate-stderr env -u NOOK_UNSET_HERE "$NOOK" run \
    -e NEW=1 --env TERM=dumb -e EMPTY= -e NOOK_FROM_HOST -e NOOK_UNSET_HERE "$B" \
    sh -c 'echo "$NEW|$TERM|$EMPTY|$NOOK_FROM_HOST|${NOOK_UNSET_HERE-unset}|$PATH"; env | grep -c "^TERM="'
  assert_status 0
  assert_output "1|dumb||a b|unset|/usr/sbin:/usr/bin:/sbin:/bin
1"
  [ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "flags: run -e HOME wins over --userns=keep-id's HOME" {
  run --separate-stderr "$NOOK" run --userns=keep-id -e HOME=/srv "$B" sh -c 'echo $HOME; id -u'
  assert_status 0
  assert_output "/srv
$(id -u)"
}

# --- -v/--volume ------------------------------------------------------------

@test "flags: run -v binds a host directory read-write, :ro read-only, a file too" {
  local d=$BATS_TEST_TMPDIR/vol r=$BATS_TEST_TMPDIR/ro
  mkdir -p "$d" "$r"
  echo host >"$r/f"
  echo file >"$BATS_TEST_TMPDIR/one-file"
  run --separate-stderr "$NOOK" run -v "$d:/data" --volume "$r:/deep/er/ro:ro,z" \
    -v "$BATS_TEST_TMPDIR/one-file:/etc/one-file:rw,Z" "$B" \
    sh -c 'echo written > /data/out; cat /deep/er/ro/f; echo x > /deep/er/ro/g 2>/dev/null || echo ro-refused; cat /etc/one-file'
  assert_status 0
  assert_output "host
ro-refused
file"
  [ "$(cat "$d/out")" = written ] || fail "the container's write did not reach the host"
  [ ! -e "$r/g" ] || fail "wrote into a read-only volume"
}

@test "flags: run -v takes a source relative to the current directory" {
  mkdir -p "$BATS_TEST_TMPDIR/here/sub"
  echo rel >"$BATS_TEST_TMPDIR/here/sub/f"
  cd "$BATS_TEST_TMPDIR/here"
  run --separate-stderr "$NOOK" run -v sub:/mnt/sub -v .:/mnt/dot "$B" sh -c 'cat /mnt/sub/f /mnt/dot/sub/f'
  assert_status 0
  assert_output "rel
rel"
}

@test "flags: the global -v is --version, run -v a volume" {
  run --separate-stderr "$NOOK" -v
  assert_status 0
  assert_output_matches '^nook '
  local v=$output
  run --separate-stderr "$NOOK" --version
  assert_output "$v"
  mkdir "$BATS_TEST_TMPDIR/vv"
  run --separate-stderr "$NOOK" run -v "$BATS_TEST_TMPDIR/vv:/vv" "$B" sh -c 'touch /vv/ok'
  assert_status 0
  [ -e "$BATS_TEST_TMPDIR/vv/ok" ] || fail "run -v was not a volume"
}

# --- -w/--workdir -----------------------------------------------------------

@test "flags: run -w replaces process.cwd and makes a missing directory" {
  run --separate-stderr "$NOOK" run -w /srv/new/dir "$B" pwd
  assert_status 0
  assert_output /srv/new/dir
  run --separate-stderr "$NOOK" run --workdir /etc "$B" pwd
  assert_status 0
  assert_output /etc
}

# --- --device ---------------------------------------------------------------

@test "flags: run --device binds a host device node, at its path or another" {
  run --separate-stderr "$NOOK" run --device /dev/zero --device /dev/null:/dev/other/mynull "$B" \
    sh -c 'stat -c "%F %t:%T" /dev/zero /dev/other/mynull; echo x > /dev/other/mynull && head -c 3 /dev/zero | wc -c'
  assert_status 0
  assert_output "character special file 1:5
character special file 1:3
3"
  [ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "flags: run --device with PERMS short of rwm warns they are not enforced" {
  run --separate-stderr "$NOOK" run --device /dev/null:/dev/n:r "$B" sh -c 'echo x > /dev/n && echo written'
  assert_status 0
  assert_output written
  [[ "$stderr" == *"warning: --device /dev/null: permissions 'r' are not enforced"* ]] || fail "stderr: $stderr"
}

# --- errors -----------------------------------------------------------------

@test "flags: a bad -e, -v, -w or --device is one line naming it, 125, nothing left" {
  local spec
  while IFS='|' read -r opt spec want; do
    run --separate-stderr "$NOOK" run "$opt" "$spec" "$B" true
    assert_nook_error 125 "run: $opt '$spec': $want" || return 1
    run --separate-stderr "$NOOK" --root "$ROOT" create -b "$B" "$opt" "$spec" "$ID"
    assert_nook_error 125 "create: $opt '$spec': $want" || return 1
  done <<EOF
-e|=x|expected NAME=VALUE or NAME
-v|/nonexistent-nook:/x|/nonexistent-nook: No such file or directory
-v|/tmp|expected SRC:DST[:OPTIONS]
-v|/tmp:rel|the destination rel must be an absolute path
-v|/tmp:/x:bogus|unknown option 'bogus'
-v|/tmp:/x:ro,rw|ro and rw exclude each other
-v|/tmp:/|cannot mount over the container's root
-w|rel|the working directory must be an absolute path
--device|/etc/passwd|/etc/passwd is not a character or block device
--device|/nonexistent-nook|/nonexistent-nook: No such file or directory
--device|/dev/null:/x:rwx|permissions 'rwx'
EOF
  [ ! -e "$ROOT/$ID" ] || fail "create left $ROOT/$ID"
}

# --- runc's form of run, create ----------------------------------------------

@test "flags: runc's form of run and create take them too" {
  local d=$BATS_TEST_TMPDIR/out
  mkdir -p "$d"
  edit_config "$B" 'c["process"]["args"] = ["sh", "-c", "{ echo $A; pwd; stat -c %t:%T /dev/n; } > /out/r"]'
  run --separate-stderr "$NOOK" --root "$ROOT" run -b "$B" -e A=runc -v "$d:/out" -w /w --device /dev/null:/dev/n "$ID"
  assert_status 0
  assert_output ""
  [ "$(cat "$d/r")" = "runc
/w
1:3" ] || fail "runc's form: $(cat "$d/r")"

  rm "$d/r"
  "$NOOK" --root "$ROOT" create -b "$B" --env A=create --volume "$d:/out" --workdir /w2 --device /dev/null:/dev/n "$ID" \
    </dev/null >"$BATS_TEST_TMPDIR/c.out" 2>"$BATS_TEST_TMPDIR/c.err" || fail "create: $(cat "$BATS_TEST_TMPDIR/c.err")"
  "$NOOK" --root "$ROOT" start "$ID" || fail "start failed"
  wait_until "$NOOK_TEST_TIMEOUT" grep -q : "$d/r" 2>/dev/null || fail "the created container wrote no result"
  [ "$(cat "$d/r")" = "create
/w2
1:3" ] || fail "create: $(cat "$d/r")"
}

# --- exec -------------------------------------------------------------------

@test "flags: exec -e NAME takes nook's value, -w is --cwd; -v and --device are refused" {
  local name
  name=$(test_name)
  start_bg "$BATS_TEST_TMPDIR/ctr" run --name "$name" "$B" sleep 1000
  wait_state_pid "$name" >/dev/null || return 1
  NOOK_FROM_HOST=h run --separate-stderr "$NOOK" exec -e NOOK_FROM_HOST -e B=2 -w /proc "$name" sh -c 'echo $NOOK_FROM_HOST $B; pwd'
  assert_status 0
  assert_output "h 2
/proc"
  run --separate-stderr "$NOOK" exec --workdir /sys "$name" pwd
  assert_status 0
  assert_output /sys
  run --separate-stderr "$NOOK" exec -w /sys --cwd /proc "$name" pwd
  assert_nook_error 125 "exec: --cwd and -w/--workdir"
  run --separate-stderr "$NOOK" exec -v /tmp:/x "$name" true
  assert_nook_error 125 "exec: -v/--volume: the mounts of a running container cannot change"
  run --separate-stderr "$NOOK" exec --device /dev/null "$name" true
  assert_nook_error 125 "exec: --device: the mounts of a running container cannot change"
  run --separate-stderr "$NOOK" exec -e =x "$name" true
  assert_nook_error 125 "exec: -e '=x': "
}
