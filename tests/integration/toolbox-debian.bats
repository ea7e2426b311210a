#!/usr/bin/env bats
# The toolbox workflow on a real Debian 12 root filesystem (mmdebstrap,
# imported with nook import; see debian_bundle in helpers.bash): sudo and
# apt inside, the host's home, display, session bus, devices and terminal
# settings, kept changes. Needs Debian's package mirror (CI reaches it).

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  named_container_setup deb
  debian_bundle
}

teardown ()
{
  [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null
  [ -n "${DBUS_PID:-}" ] && kill "$DBUS_PID" 2>/dev/null
  [ -n "${HOME_FILE:-}" ] && rm -f "$HOME_FILE"
  named_container_teardown
}

@test "toolbox-debian: you inside, sudo, apt and dpkg -i of a host-downloaded .deb, kept after stop" {
  run --separate-stderr "$NOOK" create --toolbox "$N" "$DEBIAN_BUNDLE"
  assert_status 0
  # id is the host user's, with the host's name.
  run --separate-stderr "$NOOK" enter "$N" id -un
  assert_status 0
  assert_output "$(id -un)"
  run --separate-stderr "$NOOK" enter "$N" sudo -n apt-get --version
  assert_status 0
  [[ "${lines[0]}" == "apt "* ]] || fail "apt-get --version: $output"
  # Ownership as Debian made it, seen through the toolbox's mapping.
  run --separate-stderr "$NOOK" enter "$N" stat -c '%U:%G %A' /etc/shadow /usr/bin/sudo
  assert_status 0
  assert_output "root:shadow -rw-r-----
root:root -rwsr-xr-x"
  # A package downloaded on the host, installed inside with sudo dpkg -i.
  mkdir "$BATS_TEST_TMPDIR/debs"
  (cd "$BATS_TEST_TMPDIR/debs" && apt-get download -q hello >/dev/null 2>&1) || skip "apt-get download hello failed (no Debian mirror?)"
  local deb
  deb=$(ls "$BATS_TEST_TMPDIR"/debs/hello_*.deb)
  [[ "$deb" == /tmp/* ]] || skip "the test's directory is not under /tmp, which the toolbox binds"
  run --separate-stderr "$NOOK" enter "$N" sudo -n dpkg -i "$deb"
  assert_status 0
  run --separate-stderr "$NOOK" enter "$N" hello
  assert_status 0
  assert_output "Hello, world!"
  # Stopped and entered again: still there; the bundle is untouched.
  run --separate-stderr "$NOOK" stop "$N"
  assert_status 0
  run --separate-stderr "$NOOK" enter "$N" sh -c 'command -v hello; dpkg-query -W -f "\${Status}\n" hello'
  assert_status 0
  assert_output "/usr/bin/hello
install ok installed"
  [ ! -e "$DEBIAN_BUNDLE/rootfs/usr/bin/hello" ]
}

@test "toolbox-debian: two sessions at once, the host home, TERM, LANG and the current directory" {
  run --separate-stderr "$NOOK" create --toolbox "$N" "$DEBIAN_BUNDLE"
  assert_status 0
  HOME_FILE=$HOME/.nook-test-$$-$BATS_TEST_NUMBER
  echo from-host > "$HOME_FILE"
  mkdir -p "$BATS_TEST_TMPDIR/work/sub"
  cd "$BATS_TEST_TMPDIR/work/sub"
  local fifo=$BATS_TEST_TMPDIR/go
  mkfifo "$fifo"
  # The test's directory is under the host's /tmp, which the toolbox binds.
  TERM=xterm-256color LANG=C.UTF-8 "$NOOK" enter "$N" bash -c 'echo "$TERM $LANG $PWD $HOME"; cat "$0"; echo first > "$1/first"; read x; cat /var/tmp/second' "$HOME_FILE" "$BATS_TEST_TMPDIR" <"$fifo" >"$BATS_TEST_TMPDIR/first.out" 2>&1 &
  local first=$!
  exec 7>"$fifo"
  wait_until 60 test -e "$BATS_TEST_TMPDIR/first.out" -a -s "$BATS_TEST_TMPDIR/first.out"
  wait_until 60 test -s "$BATS_TEST_TMPDIR/first"
  run --separate-stderr "$NOOK" enter "$N" bash -c 'echo second > /var/tmp/second; cat "$0/first"' "$BATS_TEST_TMPDIR"
  assert_status 0
  assert_output first
  echo go >&7
  exec 7>&-
  wait "$first"
  run cat "$BATS_TEST_TMPDIR/first.out"
  assert_output "xterm-256color C.UTF-8 $BATS_TEST_TMPDIR/work/sub $HOME
from-host
second"
}

@test "toolbox-debian: a host device passed in, the display (Xvfb, xdpyinfo) and the session bus (dbus-send)" {
  command -v Xvfb >/dev/null || skip "Xvfb is not installed"
  command -v dbus-daemon >/dev/null || skip "dbus-daemon is not installed"
  # A runtime dir of the test's own (the session bus lives there, as on a
  # desktop): the toolbox binds the one it is created with.
  export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
  mkdir -m 0700 "$XDG_RUNTIME_DIR"
  run --separate-stderr "$NOOK" create --toolbox --device /dev/zero:/dev/dri/card0 "$N" "$DEBIAN_BUNDLE"
  assert_status 0
  run --separate-stderr "$NOOK" enter "$N" sh -c 'stat -c "%F %t:%T" /dev/dri/card0; head -c 3 /dev/dri/card0 | od -An -tx1'
  assert_status 0
  assert_output "character special file 1:5
 00 00 00"
  # The clients come from Debian's mirror, installed with sudo apt inside.
  run --separate-stderr "$NOOK" enter --keep-running "$N" sh -c 'sudo -n apt-get update -q >/dev/null && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends x11-utils dbus-bin >/dev/null'
  [ "$status" -eq 0 ] || skip "apt-get inside failed (no Debian mirror?): $stderr"
  local d=$((90 + BATS_TEST_NUMBER % 9))
  Xvfb ":$d" -nolisten tcp >/dev/null 2>&1 &
  XVFB_PID=$!
  wait_until 20 test -S "/tmp/.X11-unix/X$d"
  DBUS_PID=$(dbus-daemon --session --fork --print-pid --address="unix:path=$XDG_RUNTIME_DIR/bus" | head -1)
  wait_until 10 test -S "$XDG_RUNTIME_DIR/bus"
  DISPLAY=":$d" DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG_RUNTIME_DIR/bus" run --separate-stderr "$NOOK" enter "$N" sh -c 'xdpyinfo | grep -m1 "^name of display"; dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetId | grep -c string'
  assert_status 0
  assert_output "name of display:    :$d
1"
}
