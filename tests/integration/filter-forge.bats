#!/usr/bin/env bats
# The filter store against a container that has the user's cache bound in:
# entries and links it rewrites are refused (they carry an HMAC keyed by a
# secret in the kernel's persistent keyring, storage/filter-secret.c), the
# secret cannot be read from inside a container, and without keyrings nook
# does without the store rather than trust an unkeyed one.
#
# The attacker is tests/fixtures/filter-store-attack.c, built static and
# run inside a busybox container: it tries to read the secret every way it
# knows and forges entries with what it gets.

load helpers

setup_file ()
{
  build_master_bundle "$BATS_FILE_TMPDIR/master" --seccomp "$NOOK_FIXTURES/seccomp-deny-mkdir.json"
  ATTACK=$BATS_FILE_TMPDIR/filter-store-attack
  if ! cc -static -O2 -o "$ATTACK" "$NOOK_FIXTURES/filter-store-attack.c" 2>"$BATS_FILE_TMPDIR/cc.log"; then
    ATTACK=
  fi
  export ATTACK
}

setup ()
{
  skip_unless_userns
  [ -n "$ATTACK" ] || skip_or_fail "cannot build the static attack helper (cc -static): $(cat "$BATS_FILE_TMPDIR/cc.log")"
  snapshot_state
  new_bundle
  unset NOOK_NO_FILTER_CACHE NOOK_FILTER_CACHE_MAX_ENTRIES XDG_CACHE_HOME
  # Private, whether the store is reached through XDG_CACHE_HOME or HOME.
  export HOME=$BATS_TEST_TMPDIR/home
  mkdir -m 0700 "$HOME"
}

teardown ()
{
  chmod -R u+rwX "$BATS_TEST_TMPDIR" 2>/dev/null || true
  nook_default_teardown
}

# The store in its own XDG_CACHE_HOME, which the attacker has at /hostcache.
use_cache_bind ()
{
  export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/cache
  mkdir -m 0700 "$XDG_CACHE_HOME"
  STORE=$XDG_CACHE_HOME/nook/seccomp
  BIND_SOURCE=$XDG_CACHE_HOME
  BIND_TARGET=/hostcache
  IN_STORE=/hostcache/nook/seccomp
}

# The store in ~/.cache, and the attacker has the whole home at /hosthome.
use_home_bind ()
{
  unset XDG_CACHE_HOME
  STORE=$HOME/.cache/nook/seccomp
  BIND_SOURCE=$HOME
  BIND_TARGET=/hosthome
  IN_STORE=/hosthome/.cache/nook/seccomp
}

# The attacker's bundle A: no seccomp profile of its own, the helper at
# /attack, the cache or home bound in read-write, /proc/keys not masked,
# and the serials of the host's keyrings in its environment (serials can
# be guessed; a stronger attacker is a better test).
make_attacker ()
{
  A=$BATS_TEST_TMPDIR/attacker
  rm -rf "$A"
  cp -a "$BATS_FILE_TMPDIR/master" "$A"
  cp "$ATTACK" "$A/rootfs/attack"
  edit_config "$A" "c['linux'].pop('seccomp', None)" \
    "c['mounts'].append({'destination': '$BIND_TARGET', 'type': 'bind', 'source': '$BIND_SOURCE', 'options': ['rbind', 'rw']})" \
    'c["process"].setdefault("env", []).append("NOOK_TEST_RUN=" + os.environ["BATS_RUN_TMPDIR"])' \
    "c['process']['env'].append('NOOK_SECRET_SERIAL=${SECRET_SERIAL:-0}')" \
    "c['process']['env'].append('NOOK_KEYRINGS=$(awk '$8 == "keyring" { printf "%s ", $1 }' /proc/keys)')" \
    "c['linux']['maskedPaths'] = [p for p in c['linux'].get('maskedPaths', []) if p != '/proc/keys']"
}

entries ()
{
  find "$STORE" -mindepth 1 -maxdepth 1 -regextype posix-extended \
    -regex '.*/[0-9a-f]{64}' 2>/dev/null | sort
}

the_entry ()
{
  local e
  e=$(entries)
  [ "$(printf '%s\n' "$e" | grep -c .)" -eq 1 ] || fail "expected one entry, got: $(ls -A "$STORE")"
  printf '%s\n' "$e"
}

# Runs mkdir in the container with bundle B: it must fail with EPERM (the
# profile's errno), which no other cause gives here.
run_mkdir_denied ()
{
  run --separate-stderr "$NOOK" run "$@" "$B" sh -c 'mkdir /denied; echo rc=$?'
  assert_status 0
  assert_output "rc=1"
  [[ "$stderr" == *"mkdir: can't create directory '/denied': Operation not permitted"* ]] ||
    fail "stderr: $stderr"
}

nook_warnings ()
{
  printf '%s\n' "$stderr" | grep '^nook: warning: ' || true
}

single_id_maps ()
{
  edit_config "$1" \
    'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": os.getuid(), "size": 1}]' \
    'c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": os.getgid(), "size": 1}]'
}

# The attack of issue 13: container A rewrites the entry of profile P as an
# allow-all program (after trying to get the secret); the next container
# with P must still be denied mkdir, with a warning, and `nook cache ls`
# must call the entry damaged. $@: options of both `nook run`s.
check_entry_attack ()
{
  local e key
  run_mkdir_denied "$@"
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
  e=$(the_entry)
  key=$(basename "$e")

  make_attacker
  run --separate-stderr "$NOOK" run "$@" "$A" /attack forge "$IN_STORE/$key"
  assert_status 0
  assert_output "forged $IN_STORE/$key without the secret"
  # The container did rewrite the host's entry: one instruction, the user's.
  [ "$(stat -c '%s %a %u' "$e")" = "96 600 $(id -u)" ] || fail "entry after the attack: $(stat -c '%s %a %u' "$e")"

  run --separate-stderr "$NOOK" cache ls
  assert_status 0
  [[ "$output" == *"$key"*"damaged: bad MAC"* ]] || fail "cache ls: $output"

  run_mkdir_denied "$@"
  [ "$(nook_warnings)" = "nook: warning: seccomp filter store: discarded $e: bad MAC (not written by this user's nook outside a container); compiling the profile again" ] ||
    fail "stderr: $stderr"

  # A valid entry took its place.
  run --separate-stderr "$NOOK" cache ls
  assert_status 0
  [[ "$output" == *"$key"* && "$output" != *damaged* ]] || fail "cache ls: $output"
  run_mkdir_denied "$@"
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
}

@test "filter-forge: an entry rewritten through a bind of ~/.cache is refused (default mapping)" {
  use_cache_bind
  check_entry_attack
}

@test "filter-forge: an entry rewritten through a bind of ~/.cache is refused (--userns=keep-id)" {
  use_cache_bind
  check_entry_attack --userns=keep-id
}

@test "filter-forge: an entry rewritten through a bind of the whole home is refused (default mapping)" {
  use_home_bind
  check_entry_attack
}

@test "filter-forge: an entry rewritten through a bind of the whole home is refused (--userns=keep-id)" {
  use_home_bind
  check_entry_attack --userns=keep-id
}

@test "filter-forge: control: with the secret (on the host) the same forgery is accepted" {
  # What the MAC is for: the helper's forgery, made where the secret can be
  # read, is an entry nook takes, and mkdir is allowed. Without this the
  # attack tests above could pass for a wrong reason.
  use_cache_bind
  run_mkdir_denied
  local e
  e=$(the_entry)
  run "$ATTACK" forge "$e"
  assert_status 0
  assert_output "forged $e WITH the secret"
  run --separate-stderr "$NOOK" run "$B" sh -c 'mkdir /denied; echo rc=$?'
  assert_status 0
  assert_output "rc=0"
  assert_stderr ""
}

@test "filter-forge: a link rewritten to name another profile's valid entry is not followed" {
  use_cache_bind
  local links=$XDG_CACHE_HOME/nook/seccomp-configs
  # Q: the same profile for rmdir, so mkdir is allowed under it.
  local Q=$BATS_TEST_TMPDIR/q
  cp -a "$B" "$Q"
  edit_config "$Q" "c['linux']['seccomp']['syscalls'][0]['names'] = ['rmdir']"
  run --separate-stderr "$NOOK" run "$Q" sh -c 'mkdir /q-allowed; echo rc=$?'
  assert_output "rc=0"
  local eq l
  eq=$(the_entry)
  # Only P's link from here on.
  rm -f "$links"/*
  run_mkdir_denied
  l=$(find "$links" -type f)
  [ "$(printf '%s\n' "$l" | grep -c .)" -eq 1 ] || fail "links: $(ls -A "$links")"

  make_attacker
  run --separate-stderr "$NOOK" run "$A" /attack relink "/hostcache/nook/seccomp-configs/$(basename "$l")" "$(basename "$eq")"
  assert_status 0
  assert_output_contains "without the secret"
  run_mkdir_denied
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
}

# The secret's serial, known on the host, handed to the attacker too.
secret_serial ()
{
  SECRET_SERIAL=$("$ATTACK" serial) || fail "no secret on the host: $SECRET_SERIAL"
}

@test "filter-forge: the secret cannot be read from inside a container (default mapping and keep-id)" {
  use_cache_bind
  run_mkdir_denied # the secret exists from here on
  secret_serial
  # Control: the helper does read it on the host, as the user.
  run "$ATTACK" secret
  assert_status 0
  assert_output_contains "secret: READ"

  make_attacker
  for opt in --userns=auto --userns=keep-id; do
    run --separate-stderr "$NOOK" run "$opt" "$A" /attack secret
    assert_status 1
    assert_output_contains "secret: not readable"
    # It did get at the host's user keyring (where a secret would not be safe)...
    assert_output_matches "link keyring [0-9a-f]+ into @s: ok"
    # ...and tried the secret's own serial.
    assert_output_contains "read the secret's serial: "
  done
}

@test "filter-forge: a container does not inherit a session keyring that links the secret" {
  use_cache_bind
  run_mkdir_denied
  secret_serial
  # Control: a process in a user namespace of its own that keeps such a
  # session keyring reads the secret; this is what the container's
  # fresh session keyring is for.
  run "$ATTACK" session-link -- unshare -Ur "$ATTACK" secret
  assert_status 0
  assert_output_contains "secret: READ"

  make_attacker
  for opt in --userns=auto --userns=keep-id; do
    run --separate-stderr "$ATTACK" session-link -- "$NOOK" run "$opt" "$A" /attack secret
    assert_status 1
    assert_output_contains "secret: not readable"
  done
}

@test "filter-forge: without kernel keyrings the store is not used (one warning), mkdir still denied" {
  use_cache_bind
  # Under the wrapper's filter nook runs with no_new_privs: newuidmap
  # cannot be used, a single-id map needs it not.
  single_id_maps "$B"
  run --separate-stderr "$ATTACK" without-keyctl -- "$NOOK" run "$B" sh -c 'mkdir /denied; echo rc=$?'
  assert_status 0
  assert_output "rc=1"
  [ "$(nook_warnings)" = "nook: warning: not using the seccomp filter store: no per-user secret in the kernel keyring (KEYCTL_GET_PERSISTENT: Function not implemented)" ] ||
    fail "stderr: $stderr"
  [[ "$stderr" == *"Operation not permitted"* ]] || fail "stderr: $stderr"
  [ -z "$(entries)" ] || fail "an entry was written: $(entries)"

  run --separate-stderr "$ATTACK" without-keyctl -- "$NOOK" cache ls
  assert_nook_error 125 "no per-user secret in the kernel keyring"
  # clear needs no secret.
  run --separate-stderr "$ATTACK" without-keyctl -- "$NOOK" cache clear
  assert_status 0
}
