#!/usr/bin/env bats
# The per-user store of compiled seccomp filters: hits and misses, damaged
# entries, concurrent launches, `nook cache`, the bypass flag and env, and a
# store that cannot be used.

load helpers

setup_file ()
{
  build_master_bundle "$BATS_FILE_TMPDIR/master" --seccomp "$NOOK_FIXTURES/seccomp-deny-mkdir.json"
}

setup ()
{
  skip_unless_userns
  snapshot_state
  new_bundle
  # Each test gets a private store.
  export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/cache
  STORE=$XDG_CACHE_HOME/nook/seccomp
  unset NOOK_NO_FILTER_CACHE NOOK_FILTER_CACHE_MAX_ENTRIES
}

teardown ()
{
  chmod -R u+rwX "$BATS_TEST_TMPDIR" 2>/dev/null || true
  nook_default_teardown
}

# The entries of the store (names of 64 hex digits), one a line, sorted.
entries ()
{
  find "$STORE" -mindepth 1 -maxdepth 1 -regextype posix-extended \
    -regex '.*/[0-9a-f]{64}' 2>/dev/null | sort
}

entry_count ()
{
  entries | grep -c . || true
}

# Everything in the store directory (temporary files included).
store_files ()
{
  ls -A "$STORE" 2>/dev/null
}

the_entry ()
{
  local e
  e=$(entries)
  [ "$(printf '%s\n' "$e" | grep -c .)" -eq 1 ] || fail "expected one entry, got: $(store_files)"
  printf '%s\n' "$e"
}

# Runs mkdir in the container: it must fail with EPERM (the profile's errno).
run_mkdir_denied ()
{
  run --separate-stderr "$NOOK" run "$@" "$B" sh -c 'mkdir /denied; echo rc=$?'
  assert_status 0
  assert_output "rc=1"
  [[ "$stderr" == *"mkdir: can't create directory '/denied': Operation not permitted"* ]] ||
    fail "stderr: $stderr"
  [ ! -e "$B/rootfs/denied" ] || fail "/denied was created"
}

# The nook warnings of the last run (lines starting with "nook: warning: ").
nook_warnings ()
{
  printf '%s\n' "$stderr" | grep '^nook: warning: ' || true
}

set_errno_ret ()
{
  edit_config "$B" "c['linux']['seccomp']['syscalls'][0]['errnoRet'] = $1"
}

@test "filter-cache: the first run stores one private entry, the second (other args) hits it" {
  run_mkdir_denied
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
  [ "$(stat -c %a "$STORE")" = 700 ] || fail "store mode $(stat -c %a "$STORE")"
  local e
  e=$(the_entry)
  [ "$(stat -c '%a %U' "$e")" = "600 $(id -un)" ] || fail "entry: $(stat -c '%a %U' "$e")"
  local inode
  inode=$(stat -c %i "$e")

  # Other process.args and hostname, same seccomp section: the same entry,
  # used (its mtime is the LRU clock) and not rewritten (same inode).
  edit_config "$B" 'c["process"]["args"] = ["true"]' 'c["hostname"] = "other"'
  touch -d @1000000000 "$e"
  run --separate-stderr "$NOOK" run "$B"
  assert_status 0
  assert_stderr ""
  [ "$(the_entry)" = "$e" ] || fail "another entry: $(store_files)"
  [ "$(stat -c %Y "$e")" -gt 1000000000 ] || fail "the entry was not used (mtime not touched)"
  [ "$(stat -c %i "$e")" = "$inode" ] || fail "the entry was rewritten"
  run_mkdir_denied
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
}

@test "filter-cache: another errnoRet, argument or default action makes another entry" {
  run_mkdir_denied
  set_errno_ret 13
  run --separate-stderr "$NOOK" run "$B" mkdir /denied
  [[ "$stderr" == *"Permission denied"* ]] || fail "stderr: $stderr"
  [ "$(entry_count)" -eq 2 ] || fail "entries: $(store_files)"

  edit_config "$B" "c['linux']['seccomp']['syscalls'][0]['args'] = [{'index': 1, 'value': 448, 'op': 'SCMP_CMP_EQ'}]"
  run --separate-stderr "$NOOK" run "$B" true
  assert_status 0
  [ "$(entry_count)" -eq 3 ] || fail "entries: $(store_files)"

  edit_config "$B" "c['linux']['seccomp']['defaultAction'] = 'SCMP_ACT_LOG'"
  run --separate-stderr "$NOOK" run "$B" true
  assert_status 0
  [ "$(entry_count)" -eq 4 ] || fail "entries: $(store_files)"
}

# corrupt_entry FILE KIND: damage an entry in one of the ways the store must
# catch. "allow" rewrites the program so that it would allow mkdir (every
# "ret ERRNO(1)" becomes "ret ALLOW"): loading it would be a weaker filter.
corrupt_entry ()
{
  local file=$1 kind=$2
  case $kind in
    allow | magic | arch | truncate | extend)
      python3 - "$file" "$kind" <<'EOF'
import struct, sys
path, kind = sys.argv[1], sys.argv[2]
data = bytearray(open(path, 'rb').read())
HEADER = 88
if kind == 'allow':
    n = struct.unpack_from('<I', data, 48)[0]
    changed = 0
    for i in range(n):
        off = HEADER + 8 * i
        code, jt, jf, k = struct.unpack_from('<HBBI', data, off)
        if code == 0x06 and k == 0x00050001:
            struct.pack_into('<I', data, off + 4, 0x7fff0000)
            changed += 1
    assert changed, 'no ret ERRNO(1) in the program'
elif kind == 'magic':
    data[0] ^= 0x20
elif kind == 'arch':
    struct.pack_into('<I', data, 12, 0x40000003)  # AUDIT_ARCH_I386
elif kind == 'truncate':
    del data[-8:]
elif kind == 'extend':
    data += b'\0' * 8
open(path, 'wb').write(data)
EOF
      ;;
    symlink)
      mv "$file" "$BATS_TEST_TMPDIR/elsewhere"
      ln -s "$BATS_TEST_TMPDIR/elsewhere" "$file"
      ;;
    group-writable)
      chmod 0620 "$file"
      ;;
    fifo)
      rm "$file"
      mkfifo -m 0600 "$file"
      ;;
    *)
      fail "unknown corruption $kind"
      ;;
  esac
}

check_corruption ()
{
  local kind=$1 why=$2 e
  run_mkdir_denied
  e=$(the_entry)
  corrupt_entry "$e" "$kind"

  # Detected, never loaded (mkdir still denied with EPERM), recompiled, and
  # said once.
  run_mkdir_denied
  local w
  w=$(nook_warnings)
  [ "$(printf '%s\n' "$w" | grep -c .)" -eq 1 ] || fail "expected one warning, got: $stderr"
  [[ "$w" == *"discarded $e: $why"* ]] || fail "warning: $w"

  # Replaced by a valid entry: the next run is a quiet hit.
  [ -f "$e" ] && [ ! -L "$e" ] || fail "the entry was not replaced: $(ls -la "$STORE")"
  [ "$(stat -c %a "$e")" = 600 ] || fail "mode $(stat -c %a "$e")"
  touch -d @1000000000 "$e"
  run_mkdir_denied
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
  [ "$(stat -c %Y "$e")" -gt 1000000000 ] || fail "the replaced entry is not used"
  [ "$(the_entry)" = "$e" ]
}

@test "filter-cache: an entry rewritten to allow mkdir (MAC) is discarded, mkdir stays denied" {
  check_corruption allow "bad MAC"
}

@test "filter-cache: a truncated entry is discarded and replaced" {
  check_corruption truncate "wrong size"
}

@test "filter-cache: an entry with bytes appended is discarded and replaced" {
  check_corruption extend "wrong size"
}

@test "filter-cache: an entry with a wrong magic is discarded and replaced" {
  check_corruption magic "bad magic"
}

@test "filter-cache: an entry for another architecture is discarded and replaced" {
  check_corruption arch "architecture 0x40000003"
}

@test "filter-cache: a symlink in place of the entry is not followed, and replaced" {
  check_corruption symlink "a symbolic link"
  [ -f "$BATS_TEST_TMPDIR/elsewhere" ] || fail "the symlink's target was removed"
}

@test "filter-cache: a group-writable entry is discarded and replaced" {
  check_corruption group-writable "mode 0620, writable by group or others"
}

@test "filter-cache: a FIFO in place of the entry does not hang nook" {
  check_corruption fifo "not a regular file"
}

@test "filter-cache: a group-writable store directory is not used (one warning), mkdir still denied" {
  run_mkdir_denied
  local e
  e=$(the_entry)
  # Plant an allow-everything program there: it must not be used.
  corrupt_entry "$e" allow
  chmod 0770 "$STORE"
  touch -d @1000000000 "$e"
  run_mkdir_denied
  [ "$(nook_warnings)" = "nook: warning: not using the seccomp filter store: refusing to use $STORE: it has mode 0770, writable by group or others" ] ||
    fail "stderr: $stderr"
  [ "$(stat -c %Y "$e")" -eq 1000000000 ] || fail "the store was used"
}

@test "filter-cache: a symlink in place of the store directory is not used" {
  mkdir -p "$XDG_CACHE_HOME/nook" "$BATS_TEST_TMPDIR/real"
  chmod 0700 "$BATS_TEST_TMPDIR/real"
  ln -s "$BATS_TEST_TMPDIR/real" "$STORE"
  run_mkdir_denied
  [ "$(nook_warnings)" = "nook: warning: not using the seccomp filter store: refusing to use $STORE: it is a symbolic link" ] ||
    fail "stderr: $stderr"
  [ -z "$(ls -A "$BATS_TEST_TMPDIR/real")" ] || fail "something was written through the symlink"
}

@test "filter-cache: 20 concurrent runs with a cold store all succeed and leave one entry" {
  local i pids=() st=0
  for i in $(seq 1 20); do
    "$NOOK" run "$B" sh -c 'mkdir /denied 2>/dev/null; echo rc=$?' \
      >"$BATS_TEST_TMPDIR/out.$i" 2>"$BATS_TEST_TMPDIR/err.$i" </dev/null &
    pids+=($!)
  done
  for i in $(seq 1 20); do
    st=0
    wait "${pids[$((i - 1))]}" || st=$?
    [ "$st" -eq 0 ] || fail "run $i exited $st: $(cat "$BATS_TEST_TMPDIR/err.$i")"
    [ "$(cat "$BATS_TEST_TMPDIR/out.$i")" = "rc=1" ] || fail "run $i: $(cat "$BATS_TEST_TMPDIR/out.$i")"
    [ ! -s "$BATS_TEST_TMPDIR/err.$i" ] || fail "run $i printed: $(cat "$BATS_TEST_TMPDIR/err.$i")"
  done
  [ "$(store_files)" = "$(basename "$(the_entry)")" ] || fail "store: $(store_files)"
}

@test "filter-cache: unknown syscall warnings are printed on a miss and on a hit alike" {
  edit_config "$B" "c['linux']['seccomp']['syscalls'].append({'names': ['nook_no_such_syscall'], 'action': 'SCMP_ACT_ERRNO'})"
  local want='nook: warning: seccomp: unknown syscall "nook_no_such_syscall" skipped'
  run --separate-stderr "$NOOK" run "$B" true
  assert_status 0
  assert_stderr "$want"
  local e
  e=$(the_entry)
  touch -d @1000000000 "$e"
  run --separate-stderr "$NOOK" run "$B" true
  assert_status 0
  assert_stderr "$want"
  [ "$(stat -c %Y "$e")" -gt 1000000000 ] || fail "the second run was not a hit"
}

@test "filter-cache: --no-filter-cache and NOOK_NO_FILTER_CACHE=1 bypass the store" {
  run_mkdir_denied --no-filter-cache
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
  [ ! -e "$XDG_CACHE_HOME" ] || fail "the store was created: $(find "$XDG_CACHE_HOME")"

  NOOK_NO_FILTER_CACHE=1 run_mkdir_denied
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
  [ ! -e "$XDG_CACHE_HOME" ] || fail "the store was created: $(find "$XDG_CACHE_HOME")"

  # An existing entry is not used either (its mtime stays).
  run_mkdir_denied
  local e
  e=$(the_entry)
  touch -d @1000000000 "$e"
  run_mkdir_denied --no-filter-cache
  NOOK_NO_FILTER_CACHE=1 run_mkdir_denied
  [ "$(stat -c %Y "$e")" -eq 1000000000 ] || fail "the store was used"

  run --separate-stderr "$NOOK" run --help
  assert_output_contains "--no-filter-cache"
}

@test "filter-cache: a read-only store directory: the run works, with one warning" {
  mkdir -p "$STORE"
  chmod 0500 "$STORE"
  run_mkdir_denied
  [ "$(nook_warnings)" = "nook: warning: seccomp filter store: cannot write to $STORE: Permission denied; using the filter compiled in memory" ] ||
    fail "stderr: $stderr"
  [ -z "$(store_files)" ] || fail "store: $(store_files)"
}

@test "filter-cache: a store directory that cannot be created: the run works, with one warning" {
  mkdir -p "$XDG_CACHE_HOME"
  chmod 0500 "$XDG_CACHE_HOME"
  run_mkdir_denied
  [ "$(nook_warnings | grep -c .)" -eq 1 ] || fail "stderr: $stderr"
  [[ "$(nook_warnings)" == "nook: warning: seccomp filter store: cannot create directory $STORE: Permission denied; using the filter compiled in memory" ]] ||
    fail "stderr: $stderr"
}

@test "filter-cache: NOOK_FILTER_CACHE_MAX_ENTRIES bounds the store, least recently used out first" {
  export NOOK_FILTER_CACHE_MAX_ENTRIES=2
  local e1 e2
  set_errno_ret 1
  run_mkdir_denied
  e1=$(entries)
  set_errno_ret 2
  "$NOOK" run "$B" true
  e2=$(entries | grep -vx "$e1")
  touch -d @1000000000 "$e1"
  touch -d @1000000001 "$e2"
  set_errno_ret 1
  run_mkdir_denied # a hit: e1 is now the most recently used
  set_errno_ret 3
  "$NOOK" run "$B" true
  [ "$(entry_count)" -eq 2 ] || fail "entries: $(store_files)"
  [ -e "$e1" ] || fail "the most recently used entry was evicted"
  [ ! -e "$e2" ] || fail "the least recently used entry was kept"
}

@test "filter-cache: nook cache ls lists key, size, last use and instruction count" {
  run --separate-stderr "$NOOK" cache ls
  assert_status 0
  assert_output_matches '^KEY +SIZE +LAST USE +INSNS$'
  run_mkdir_denied
  local e key
  e=$(the_entry)
  key=$(basename "$e")
  touch -d '2001-02-03 04:05:06' "$e"
  run --separate-stderr "$NOOK" cache ls
  assert_status 0
  assert_stderr ""
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ] || fail "output: $output"
  local size insns
  size=$(stat -c %s "$e")
  insns=$(( (size - 88) / 8 ))
  [[ "$(printf '%s\n' "$output" | sed -n 2p)" =~ ^$key\ +$size\ +2001-02-03\ 04:05:06\ +$insns$ ]] ||
    fail "line: $(printf '%s\n' "$output" | sed -n 2p) (want $key $size 2001-02-03 04:05:06 $insns)"
  # Listing is not using.
  [ "$(stat -c %Y "$e")" = "$(date -d '2001-02-03 04:05:06' +%s)" ] || fail "ls touched the entry"

  run --separate-stderr "$NOOK" cache ls -q
  assert_status 0
  assert_output "$key"

  corrupt_entry "$e" magic
  run --separate-stderr "$NOOK" cache ls
  assert_status 0
  assert_output_contains "damaged: bad magic"
}

@test "filter-cache: nook cache prune removes damaged and least recently used entries" {
  local e1 e2 e3
  set_errno_ret 1; "$NOOK" run "$B" true; e1=$(entries)
  set_errno_ret 2; "$NOOK" run "$B" true; e2=$(entries | grep -vx "$e1")
  set_errno_ret 3; "$NOOK" run "$B" true; e3=$(entries | grep -vx -e "$e1" -e "$e2")
  touch -d @1000000001 "$e1"
  touch -d @1000000002 "$e2"
  touch -d @1000000003 "$e3"
  corrupt_entry "$e3" magic
  touch -d @1000000003 "$e3"

  run --separate-stderr "$NOOK" cache prune --max-entries 1
  assert_status 0
  assert_output "Removed 2 entries."
  [ "$(entries)" = "$e2" ] || fail "entries: $(store_files)"

  # Default bound (256): nothing to do.
  run --separate-stderr "$NOOK" cache prune
  assert_status 0
  assert_output "Removed 0 entries."
  [ "$(entries)" = "$e2" ]

  run --separate-stderr "$NOOK" cache prune --max-entries lots
  assert_nook_error 125 "--max-entries" "lots"
}

@test "filter-cache: nook cache clear removes every entry" {
  set_errno_ret 1; "$NOOK" run "$B" true
  set_errno_ret 2; "$NOOK" run "$B" true
  echo mine >"$STORE/README"
  run --separate-stderr "$NOOK" cache clear
  assert_status 0
  assert_output "Removed 2 entries."
  [ "$(store_files)" = "README" ] || fail "store: $(store_files)"
  run --separate-stderr "$NOOK" cache clear
  assert_status 0
  assert_output "Removed 0 entries."
}

@test "filter-cache: nook cache on a store that does not exist yet works and creates nothing" {
  for verb in ls prune clear; do
    run --separate-stderr "$NOOK" cache "$verb"
    assert_status 0
    assert_stderr ""
  done
  [ ! -e "$XDG_CACHE_HOME" ] || fail "created: $(find "$XDG_CACHE_HOME")"
}

@test "filter-cache: nook cache refuses an insecure store directory (125)" {
  mkdir -p "$STORE"
  chmod 0777 "$STORE"
  for verb in ls prune clear; do
    run --separate-stderr "$NOOK" cache "$verb"
    assert_nook_error 125 "refusing to use $STORE" "writable by group or others"
  done
}

@test "filter-cache: nook cache usage errors exit 125, --help exits 0" {
  run --separate-stderr "$NOOK" cache
  assert_nook_error 125 "cache: missing COMMAND"
  run --separate-stderr "$NOOK" cache frobnicate
  assert_nook_error 125 "unknown command 'frobnicate'"
  run --separate-stderr "$NOOK" cache ls extra
  assert_nook_error 125 "unexpected argument 'extra'"
  run --separate-stderr "$NOOK" cache ls --bogus
  assert_nook_error 125 "--bogus"

  run --separate-stderr "$NOOK" cache --help
  assert_status 0
  assert_output_contains "Usage: nook cache COMMAND"
  for verb in ls prune clear; do
    run --separate-stderr "$NOOK" cache "$verb" --help
    assert_status 0
    assert_output_contains "Usage: nook cache $verb"
    assert_stderr ""
  done
  run --separate-stderr "$NOOK" --help
  assert_output_matches 'cache +Manage the store of compiled seccomp filters'
}

@test "filter-cache: a config.json seen before is linked to its entry, and the link is checked" {
  local links=$XDG_CACHE_HOME/nook/seccomp-configs e l
  run_mkdir_denied
  [ "$(stat -c %a "$links")" = 700 ] || fail "links directory mode $(stat -c %a "$links")"
  l=$(find "$links" -type f)
  [ "$(printf '%s\n' "$l" | grep -c .)" -eq 1 ] || fail "links: $(ls -A "$links")"
  [ "$(stat -c '%a %s' "$l")" = "600 96" ] || fail "link: $(stat -c '%a %s' "$l")"

  # The next start goes through the link to the entry (its LRU clock moves)
  # and leaves the link as it is.
  e=$(the_entry)
  touch -d @1000000000 "$e" "$l"
  run_mkdir_denied
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
  [ "$(stat -c %Y "$e")" -gt 1000000000 ] || fail "the entry was not used"
  [ "$(stat -c %Y "$l")" -eq 1000000000 ] || fail "the link was written again"

  # A link damaged to name another entry is dropped, not followed.
  python3 -c 'import sys; p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[40] ^= 1; open(p, "wb").write(d)' "$l"
  run_mkdir_denied
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
  [ "$(stat -c %s "$l")" = 96 ] && [ "$(stat -c %Y "$l")" -gt 1000000000 ] || fail "the link was not made again"

  # An engine writes a new config.json around the same profile: the link
  # is over linux.seccomp alone, so an edit elsewhere still hits it.
  touch -d @1000000000 "$e"
  edit_config "$B" "c['process']['env'] = c['process']['env'] + ['NOOK_TEST_OTHER=1']; c['hostname'] = 'other'"
  run_mkdir_denied
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
  [ "$(stat -c %Y "$e")" -gt 1000000000 ] || fail "the entry was not used"
  [ "$(find "$links" -type f | grep -c .)" -eq 1 ] || fail "links: $(ls -A "$links")"

  # An edited profile is another key: its own link, its own filter. Links
  # go to 256 slots by the key's first byte: one edited profile in 256
  # shares the first one's slot (they take turns in it). So the edit also
  # sets a member nook does not read, until the link is a second file;
  # eight collisions in a row (one chance in 2^64) would mean the new
  # profile gets no slot of its own.
  set_errno_ret 13
  local salt
  for salt in 1 2 3 4 5 6 7 8; do
    edit_config "$B" "c['linux']['seccomp']['nookTestSalt'] = '$salt'"
    run --separate-stderr "$NOOK" run "$B" mkdir /denied
    [[ "$stderr" == *"Permission denied"* ]] || fail "stderr: $stderr"
    [ "$(find "$links" -type f | grep -c .)" -eq 2 ] && break
  done
  [ "$(find "$links" -type f | grep -c .)" -eq 2 ] || fail "links: $(ls -A "$links")"

  # cache clear drops the links with the entries.
  run --separate-stderr "$NOOK" cache clear
  assert_status 0
  [ -z "$(ls -A "$links")" ] || fail "links left: $(ls -A "$links")"
}

# A copy of nook whose build-id note says "$1" (20 bytes: the size of the
# sha1 note the linker wrote): another build of the same version, with
# nook-init next to it as the build's.
nook_with_build_id ()
{
  local out=$BATS_TEST_TMPDIR/other-build/nook
  command -v objcopy >/dev/null || skip "no objcopy"
  mkdir -p "${out%/*}"
  cp "${NOOK%/*}/nook-init" "${out%/*}/"
  [ "${#1}" -eq 20 ] || fail "build id '$1' is not 20 bytes"
  # The note: namesz 4, descsz 20, type 3 (NT_GNU_BUILD_ID), "GNU\0", id.
  printf '\x04\0\0\0\x14\0\0\0\x03\0\0\0GNU\0%s' "$1" >"$BATS_TEST_TMPDIR/note"
  objcopy --update-section .note.gnu.build-id="$BATS_TEST_TMPDIR/note" "$NOOK" "$out"
  printf '%s\n' "$out"
}

@test "filter-cache: entries and links written by another build (same version) are not used" {
  local links=$XDG_CACHE_HOME/nook/seccomp-configs other e1 l1 id
  other=$(nook_with_build_id "another-build-of-it!")
  id=$(printf 'another-build-of-it!' | od -An -tx1 | tr -d ' \n')
  run "$other" --version
  assert_status 0
  [ "${lines[0]}" = "$("$NOOK" --version | head -n 1)" ] || fail "versions differ: $output"
  [ "${lines[1]}" = "build-id: $id" ] || fail "$output"

  run_mkdir_denied
  e1=$(the_entry)
  l1=$(find "$links" -type f)
  touch -d @1000000000 "$e1" "$l1"

  # The other build compiles and stores its own entry: it neither reads
  # this build's entry (its LRU clock stays) nor follows its link.
  NOOK=$other run_mkdir_denied
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
  [ "$(entry_count)" -eq 2 ] || fail "entries: $(store_files)"
  [ "$(stat -c %Y "$e1")" -eq 1000000000 ] || fail "the other build used this build's entry"

  # And this build still hits its own entry.
  run_mkdir_denied
  assert_stderr "mkdir: can't create directory '/denied': Operation not permitted"
  [ "$(entry_count)" -eq 2 ] || fail "entries: $(store_files)"
  [ "$(stat -c %Y "$e1")" -gt 1000000000 ] || fail "this build did not use its entry"
}
