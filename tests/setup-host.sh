#!/bin/bash
# Prepares a Debian 12 host for building and testing nook. Run as root.
#
#  - installs the build and test dependencies (skipped when all are present,
#    so a second run is quick and works offline), clang and its libFuzzer
#    runtime (the clang build and tests/fuzz) and clang-format included;
#  - creates the unprivileged test user (default: nooktest) with a home
#    directory and a subordinate uid/gid range in /etc/subuid and /etc/subgid;
#  - makes /dev/fuse and /dev/net/tun mode 0666, as desktop distributions ship
#    them, so that fuse-overlayfs and pasta work for the unprivileged user;
#  - mounts a small tmpfs of the test user's at NOOK_TEST_SMALL_FS (default
#    /var/tmp/nook-test-small), for the tests of a writable layer that runs
#    out of space.
#
# Idempotent: running it again changes nothing that is already in place.
# Environment: NOOK_TEST_USER (default nooktest).
set -euo pipefail

TEST_USER=${NOOK_TEST_USER:-nooktest}
SUBID_COUNT=65536
SMALL_FS=${NOOK_TEST_SMALL_FS:-/var/tmp/nook-test-small}

PACKAGES=(
  build-essential pkg-config meson ninja-build
  libglib2.0-dev libjson-glib-dev libseccomp-dev libsubid-dev
  uidmap fuse-overlayfs bats busybox-static python3
  bash-completion zsh fish
  hyperfine crun runc passt strace valgrind
  # tests/bench/bench.sh's bwrap row.
  bubblewrap
  # podman.bats: Debian 12's podman 4.3 rootless (see DESIGN.md), and
  # script(1) to give `podman run -it` a real terminal.
  podman conmon catatonit slirp4netns golang-github-containers-common
  containernetworking-plugins bsdutils
  # The clang build, the fuzz targets (libFuzzer's runtime) and the format check.
  clang libclang-rt-14-dev clang-format
  # nook import (libarchive), and the toolbox tests: a real Debian 12 rootfs
  # (mmdebstrap), OCI layouts (umoci, skopeo), X11 (Xvfb, xdpyinfo), D-Bus
  # and tmux for the interactive test.
  libarchive-dev mmdebstrap umoci skopeo xvfb x11-utils dbus dbus-x11 tmux
)

log () { echo "setup-host: $*" >&2; }
die () { echo "setup-host: error: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (try: sudo bash $0)"

install_packages ()
{
  local missing=() pkg status
  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Quiet apt, but keep its output for when it fails.
  local out
  out=$(mktemp)
  # Wait for a running apt (or unattended-upgrades) rather than failing.
  local lock=(-o DPkg::Lock::Timeout=600)
  if ! { apt-get "${lock[@]}" update -q \
         && apt-get "${lock[@]}" install -y -q --no-install-recommends \
              -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
              "${missing[@]}"; } >"$out" 2>&1 </dev/null; then
    cat "$out" >&2
    rm -f "$out"
    die "apt-get failed"
  fi
  rm -f "$out"
}

# The first free start at or above 100000 that does not overlap any range
# already listed in FILE.
free_subid_start ()
{
  awk -F: -v min=100000 '
    NF >= 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { end = $2 + $3; if (end > max) max = end }
    END { print (max > min ? max : min) }' "$1" 2>/dev/null || echo 100000
}

ensure_user ()
{
  if ! id -u "$TEST_USER" >/dev/null 2>&1; then
    log "creating user $TEST_USER"
    useradd --create-home --shell /bin/bash --user-group "$TEST_USER"
  fi
  local home
  home=$(getent passwd "$TEST_USER" | cut -d: -f6)
  if [[ ! -d $home ]]; then
    install -d -m 0755 -o "$TEST_USER" -g "$(id -g "$TEST_USER")" "$home"
  fi
}

ensure_subids ()
{
  local file=$1 flag=$2 start
  touch "$file"
  if grep -q "^${TEST_USER}:" "$file" || grep -q "^$(id -u "$TEST_USER"):" "$file"; then
    return 0
  fi
  start=$(free_subid_start "$file")
  log "adding $file range $start:$SUBID_COUNT for $TEST_USER"
  usermod "$flag" "${start}-$((start + SUBID_COUNT - 1))" "$TEST_USER"
}

ensure_device ()
{
  local path=$1 major=$2 minor=$3
  if [[ ! -e $path ]]; then
    mkdir -p "$(dirname "$path")"
    mknod -m 0666 "$path" c "$major" "$minor" 2>/dev/null \
      || { log "warning: cannot create $path"; return 0; }
  fi
  if [[ $(stat -c %a "$path") != 666 ]]; then
    chmod 0666 "$path" || log "warning: cannot chmod $path"
  fi
}

# Unprivileged user namespaces must be allowed (Debian kernels have a switch,
# Ubuntu-style AppArmor may restrict them).
ensure_userns ()
{
  local f
  f=/proc/sys/kernel/unprivileged_userns_clone
  if [[ -w $f && $(cat "$f") == 0 ]]; then
    echo 1 >"$f" || log "warning: cannot enable $f"
  fi
  f=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
  if [[ -w $f && $(cat "$f") != 0 ]]; then
    echo 0 >"$f" || log "warning: cannot write $f"
  fi
  f=/proc/sys/user/max_user_namespaces
  if [[ -w $f && $(cat "$f") == 0 ]]; then
    echo 15000 >"$f" || log "warning: cannot write $f"
  fi
}

# A file system that fills up quickly, the test user's alone.
ensure_small_fs ()
{
  mkdir -p "$SMALL_FS"
  if ! mountpoint -q "$SMALL_FS"; then
    mount -t tmpfs -o "size=16m,nr_inodes=4096,mode=0700,uid=$(id -u "$TEST_USER"),gid=$(id -g "$TEST_USER")" \
      nook-test-small "$SMALL_FS" || { log "warning: cannot mount a tmpfs at $SMALL_FS"; return 0; }
  fi
}

# The Debian 12 rootfs tarball of the toolbox and import tests, made once per
# machine as root (mmdebstrap --mode=root) and read by every test user
# (tests/fixtures/make-debian-rootfs.sh looks here first). Best effort: the
# tests make or skip it themselves when it is missing.
DEBIAN_TAR=/var/cache/nook-test/debian-bookworm.tar
ensure_debian_tarball ()
{
  [[ -s $DEBIAN_TAR ]] && return 0
  mkdir -p "$(dirname "$DEBIAN_TAR")"
  log "making $DEBIAN_TAR (mmdebstrap, Debian's mirror)"
  if NOOK_TEST_DEBIAN_TAR= bash "$(dirname "${BASH_SOURCE[0]}")/fixtures/make-debian-rootfs.sh" \
      "$DEBIAN_TAR" >/dev/null 2>&1; then
    chmod 0644 "$DEBIAN_TAR"
  else
    log "warning: could not make $DEBIAN_TAR; the Debian tests will try again as the test user"
  fi
}

install_packages
ensure_debian_tarball
ensure_user
ensure_subids /etc/subuid --add-subuids
ensure_subids /etc/subgid --add-subgids
ensure_device /dev/fuse 10 229
ensure_device /dev/net/tun 10 200
ensure_userns
ensure_small_fs
