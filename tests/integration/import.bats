#!/usr/bin/env bats
# nook import SOURCE BUNDLE: bundles from tarballs (a file, stdin), directories
# and OCI image layouts, owned for rootless use; and the warning of nook run
# for a rootfs whose owner the user namespace does not map.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
  skip_unless_fuse
  I=$BATS_TEST_TMPDIR/imp
  mkdir -p "$I"
}

teardown ()
{
  remove_imported "$I"
  nook_default_teardown
}

# make_tar OUT [EXTRA-PYTHON]: a rootfs tarball made as no one in particular:
# busybox with a few applets, /etc/secret root:42 0640, /bin/su-test setuid
# root, a hard link and a symbolic link to it, /dev/null a character device,
# /bin/capped with the file capability cap_net_raw=ep (security.capability,
# as GNU tar and mmdebstrap write it). EXTRA-PYTHON runs with add() in scope.
make_tar ()
{
  python3 - "$1" "${2:-}" <<'EOF'
import io, os, struct, sys, tarfile
t = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
def add(name, kind=tarfile.REGTYPE, mode=0o644, uid=0, gid=0, data=b"", pax=None, **kw):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = kind, mode, uid, gid, 1700000000
    for k, v in kw.items():
        setattr(ti, k, v)
    if pax:
        ti.pax_headers = pax
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
add("./", tarfile.DIRTYPE, 0o755)
for d in ("bin", "etc", "dev", "tmp", "proc", "sys"):
    add("./" + d, tarfile.DIRTYPE, 0o755)
add("./bin/busybox", mode=0o755, data=open("/bin/busybox", "rb").read())
for applet in ("sh", "stat", "ls", "cat", "readlink", "id", "test", "echo"):
    add("./bin/" + applet, tarfile.SYMTYPE, 0o777, linkname="busybox")
add("./etc/secret", mode=0o640, gid=42, data=b"s3cret\n")
add("./etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n")
add("./bin/su-test", mode=0o4755, data=b"#!/bin/sh\nid\n")
add("./bin/su-link", tarfile.LNKTYPE, linkname="./bin/su-test")
add("./bin/su-sym", tarfile.SYMTYPE, 0o777, linkname="su-test")
add("./dev/null", tarfile.CHRTYPE, 0o666, devmajor=1, devminor=3)
cap = struct.pack("<IIIII", 0x02000001, 1 << 13, 0, 0, 0)
add("./bin/capped", mode=0o755, data=b"#!/bin/sh\n",
    pax={"SCHILY.xattr.security.capability": cap.decode("utf-8", "surrogateescape")})
exec(sys.argv[2])
t.close()
EOF
}

# The checks of a bundle made from make_tar's tarball, inside a container.
check_made_tar ()
{
  local b=$1
  run -0 "$NOOK" run "$b" sh -c '
    stat -c "%n %u:%g %a" /etc/secret /bin/su-test /bin/su-link
    stat -c "%i" /bin/su-test /bin/su-link | uniq | wc -l
    readlink /bin/su-sym
    cat /etc/secret'
  echo "$output"
  [ "${lines[0]}" = "/etc/secret 0:42 640" ]
  [ "${lines[1]}" = "/bin/su-test 0:0 4755" ]
  [ "${lines[2]}" = "/bin/su-link 0:0 4755" ]
  [ "${lines[3]}" = 1 ] # one inode: the hard link is kept
  [ "${lines[4]}" = su-test ]
  [ "${lines[5]}" = s3cret ]
  # The device was not made (the container's /dev is a tmpfs of its own).
  [ ! -e "$b/rootfs/dev/null" ]
}

# Host side: the file capability is a v3 one whose root is you, which is
# what the kernel honours in a container whose root is you.
check_capability ()
{
  python3 - "$1/rootfs/bin/capped" "$(id -u)" <<'EOF'
import os, struct, sys
v = os.getxattr(sys.argv[1], "security.capability")
magic, permitted = struct.unpack("<II", v[:8])
rootid = struct.unpack("<I", v[20:24])[0] if len(v) >= 24 else None
print(hex(magic), permitted, rootid)
assert magic & 0xff000000 == 0x03000000 and permitted == 1 << 13 and rootid == int(sys.argv[2]), v
EOF
}

@test "import: a tarball, with ownership, setuid, hard and symbolic links, capabilities; devices skipped" {
  make_tar "$I/root.tar"
  run -0 --separate-stderr "$NOOK" import "$I/root.tar" "$I/b"
  echo "$stderr"
  [ "$stderr" = "nook: warning: $I/root.tar: 1 device node skipped: a user namespace cannot make devices (as rootless podman); bind the host's into the container instead" ]
  check_made_tar "$I/b"
  check_capability "$I/b"
  # Owned by your subordinate ids on the host, not by you.
  [ "$(stat -c %u "$I/b/rootfs/etc/secret")" = "$(id -u)" ]
  [ "$(stat -c %g "$I/b/rootfs/etc/secret")" != "$(id -g)" ]
  [ "$(stat -c %g "$I/b/rootfs/etc/secret")" -gt 65536 ]
}

@test "import: config.json for desktop use" {
  make_tar "$I/root.tar"
  run -0 "$NOOK" import "$I/root.tar" "$I/b"
  [ "$(config_get "$I/b" 'c["root"]')" = '{"path": "rootfs", "readonly": false}' ]
  [ "$(config_get "$I/b" 'c["process"]["terminal"]')" = true ]
  # No bash in this rootfs: sh as a login shell.
  [ "$(config_get "$I/b" 'c["process"]["args"]')" = '["/bin/sh", "-l"]' ]
  [ "$(config_get "$I/b" '"user" in [n["type"] for n in c["linux"]["namespaces"]]')" = true ]
  [ "$(config_get "$I/b" '"CAP_SETUID" in c["process"]["capabilities"]["bounding"]')" = true ]
  [ "$(stat -c %a "$I/b/config.json")" = 644 ]
  # It runs as it is: the login shell reads its commands from stdin.
  run -0 "$NOOK" run "$I/b" <<<'echo in $(readlink /proc/self/exe)'
  [ "$output" = "in /bin/busybox" ]
  # bash, when the rootfs has it.
  make_tar "$I/bash.tar" 'add("./bin/bash", tarfile.SYMTYPE, 0o777, linkname="busybox")'
  run -0 "$NOOK" import "$I/bash.tar" "$I/b2"
  [ "$(config_get "$I/b2" 'c["process"]["args"]')" = '["/bin/bash", "-l"]' ]
}

@test "import: a compressed tarball from stdin (-)" {
  make_tar "$I/root.tar"
  gzip "$I/root.tar"
  run -0 --separate-stderr "$NOOK" import - "$I/b" <"$I/root.tar.gz"
  [[ "$stderr" == "nook: warning: stdin: 1 device node skipped"* ]]
  check_made_tar "$I/b"
  # The pipe of the README: mmdebstrap ... - | nook import - DIR.
  run -0 bash -c 'zcat "$1" | "$NOOK" import - "$2"' _ "$I/root.tar.gz" "$I/b2"
  check_made_tar "$I/b2"
}

@test "import: a directory is copied, as the user namespace sees it" {
  make_tar "$I/root.tar"
  run -0 "$NOOK" import "$I/root.tar" "$I/b"
  # An imported rootfs (files of subordinate ids) copies whole.
  run -0 --separate-stderr "$NOOK" import "$I/b/rootfs" "$I/copy"
  [ -z "$stderr" ] # no device left to skip, no id unmapped
  check_made_tar "$I/copy"
  check_capability "$I/copy"
  # Your own files become root's.
  run -0 "$NOOK" import "$B/rootfs" "$I/mine"
  run -0 "$NOOK" run "$I/mine" stat -c '%u:%g' /bin/busybox
  [ "$output" = "0:0" ]
  # The source is left as it was.
  [ "$(stat -c %U "$B/rootfs/bin/busybox")" = "$(id -un)" ]
  # A bundle inside the tree it copies is refused.
  run -125 "$NOOK" import "$I/b/rootfs" "$I/b/rootfs/inner"
  assert_nook_error 125 "inside the directory it is copied from"
}

@test "import: into an empty directory; a non-empty one is refused and left alone" {
  make_tar "$I/root.tar"
  mkdir "$I/empty"
  run -0 "$NOOK" import "$I/root.tar" "$I/empty"
  [ -f "$I/empty/config.json" ]
  mkdir "$I/full"
  echo mine >"$I/full/notes"
  run -125 "$NOOK" import "$I/root.tar" "$I/full"
  assert_nook_error 125 "$I/full" "not empty"
  [ "$(ls "$I/full")" = notes ]
  run -125 "$NOOK" import "$I/root.tar" "$I/full/notes"
  assert_nook_error 125 "$I/full/notes" "not a directory"
}

@test "import: bad sources: one line, exit 125, nothing left" {
  run -125 "$NOOK" import "$I/missing.tar" "$I/b"
  assert_nook_error 125 "$I/missing.tar" "No such file or directory"
  [ ! -e "$I/b" ]

  echo "not a tarball" >"$I/text"
  run -125 "$NOOK" import "$I/text" "$I/b"
  assert_nook_error 125 "$I/text" "not a tar archive"
  [ ! -e "$I/b" ]

  run -125 "$NOOK" import - "$I/b" </dev/null
  assert_nook_error 125 "stdin" "not a tar archive"
  [ ! -e "$I/b" ]

  # A terminal on stdin is refused, not read from.
  run script -qec "'$NOOK' import - '$I/b'" /dev/null
  [ "$status" = 125 ]
  [[ "$output" == *"nook: import: -: stdin is a terminal; pipe a tarball in"* ]]
  [ ! -e "$I/b" ]

  # Cut in the middle of busybox: files of subordinate ids are written by
  # then, and go again. An empty BUNDLE given stays, empty.
  make_tar "$I/root.tar"
  head -c 400000 "$I/root.tar" >"$I/cut.tar"
  run -125 "$NOOK" import "$I/cut.tar" "$I/b"
  assert_nook_error 125 "$I/cut.tar"
  [ ! -e "$I/b" ]
  mkdir "$I/empty"
  run -125 "$NOOK" import "$I/cut.tar" "$I/empty"
  assert_nook_error 125 "$I/cut.tar"
  [ -d "$I/empty" ] && [ -z "$(ls -A "$I/empty")" ]

  run -125 "$NOOK" import "$I/root.tar"
  assert_nook_error 125 "missing BUNDLE"
}

@test "import: libarchive is in nook-import.so, not in nook: no other command loads it" {
  command -v readelf >/dev/null || skip_or_fail "readelf (binutils) is not installed"
  [ -f "${NOOK_IMPORT_MODULE:-}" ] || fail "NOOK_IMPORT_MODULE (the built nook-import.so) is not set"
  run -0 readelf -d "$NOOK"
  assert_output_contains "Shared library: [libc.so.6]"
  assert_output_not_contains "libarchive"
  run -0 readelf -d "$NOOK_IMPORT_MODULE"
  assert_output_contains "Shared library: [libarchive.so"
  # Nor what libarchive brings, through any other library: what the
  # dynamic loader maps for every start of nook.
  run -0 env LD_TRACE_LOADED_OBJECTS=1 "$NOOK"
  assert_output_contains "libc.so.6"
  for lib in libarchive libxml2 libicu; do
    assert_output_not_contains "$lib"
  done
}

@test "import: without its module, or with a damaged one: one line naming it, exit 125, nothing made" {
  if [ -e "${NOOK_IMPORT_MODULEDIR:?}/nook-import.so" ]; then
    skip "a nook-import.so is installed in $NOOK_IMPORT_MODULEDIR, where nook looks next"
  fi
  # A nook of its own directory, with no nook-import.so beside it.
  mkdir "$I/bin"
  cp "$NOOK" "$I/bin/nook"
  make_tar "$I/root.tar"
  run -125 "$I/bin/nook" import "$I/root.tar" "$I/b"
  assert_nook_error 125 "import: the import module nook-import.so is missing" \
    "looked in $I/bin, then $NOOK_IMPORT_MODULEDIR" "meson install"
  [ ! -e "$I/b" ]
  # Only import needs it.
  run -0 "$I/bin/nook" run --no-init --rootfs=bind "$B" true

  echo "not a library" >"$I/bin/nook-import.so"
  run -125 "$I/bin/nook" import "$I/root.tar" "$I/b"
  assert_nook_error 125 "import: cannot load nook's import module: $I/bin/nook-import.so"
  [ ! -e "$I/b" ]
}

@test "import: paths out of the root and owners the namespace cannot map are refused" {
  make_tar "$I/abs.tar" 'add("/etc/evil", data=b"x")'
  run -125 "$NOOK" import "$I/abs.tar" "$I/b"
  assert_nook_error 125 "$I/abs.tar" "/etc/evil" "outside the root"
  [ ! -e "$I/b" ]

  make_tar "$I/dots.tar" 'add("./etc/../../evil", data=b"x")'
  run -125 "$NOOK" import "$I/dots.tar" "$I/b"
  assert_nook_error 125 "$I/dots.tar" "../../evil" "outside the root"
  [ ! -e "$I/b" ] && [ ! -e "$I/evil" ]

  make_tar "$I/link.tar" 'add("./etc/pw", tarfile.LNKTYPE, linkname="/etc/passwd")'
  run -125 "$NOOK" import "$I/link.tar" "$I/b"
  assert_nook_error 125 "$I/link.tar" "etc/pw" "hard link"
  [ ! -e "$I/b" ]

  # A symbolic link may point anywhere, but nothing is written through it.
  make_tar "$I/through.tar" 'add("./out", tarfile.SYMTYPE, 0o777, linkname="'"$I"'"); add("./out/evil", data=b"x")'
  run -125 "$NOOK" import "$I/through.tar" "$I/b"
  assert_nook_error 125 "$I/through.tar" "out/evil"
  [ ! -e "$I/b" ] && [ ! -e "$I/evil" ]

  make_tar "$I/ids.tar" 'add("./etc/far", uid=70000, data=b"x")'
  run -125 "$NOOK" import "$I/ids.tar" "$I/b"
  assert_nook_error 125 "$I/ids.tar" "etc/far" "70000:0" "cannot map"
  [ ! -e "$I/b" ]
}

# An OCI image layout made by umoci, as the user: layer 1 with busybox and
# files, layer 2 deleting one of them (a whiteout) and a directory, and an
# image config with Env, Cmd and WorkingDir.
make_oci_layout ()
{
  local dir=$1 u=$I/unpacked
  umoci init --layout "$dir"
  umoci new --image "$dir:base"
  umoci unpack --rootless --image "$dir:base" "$u"
  mkdir -p "$u/rootfs/bin" "$u/rootfs/etc" "$u/rootfs/gone"
  cp /bin/busybox "$u/rootfs/bin/busybox"
  for a in sh ls cat test; do ln -s busybox "$u/rootfs/bin/$a"; done
  echo kept >"$u/rootfs/etc/kept"
  echo deleted >"$u/rootfs/etc/deleted"
  echo x >"$u/rootfs/gone/x"
  umoci repack --image "$dir:base" "$u"
  remove_imported "$u"
  umoci unpack --rootless --image "$dir:base" "$u"
  rm "$u/rootfs/etc/deleted"
  rm -r "$u/rootfs/gone"
  echo new >"$u/rootfs/etc/new"
  umoci repack --image "$dir:base" "$u"
  remove_imported "$u"
  umoci config --image "$dir:base" --tag app --config.env FOO=bar --config.workingdir /etc \
    --config.cmd cat --config.cmd kept
}

# add_layer DIR TAG NEWTAG TAR: a copy of image TAG with the layer TAR on
# top, tagged NEWTAG (for whiteouts umoci does not write).
add_layer ()
{
  python3 - "$@" <<'EOF'
import hashlib, json, os, sys
d, tag, newtag, tar = sys.argv[1:]
def blob(data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(d, "blobs/sha256", h), "wb") as f:
        f.write(data)
    return "sha256:" + h, len(data)
def read(digest):
    return open(os.path.join(d, "blobs/sha256", digest.split(":")[1]), "rb").read()
index = json.load(open(os.path.join(d, "index.json")))
desc = next(m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == tag)
manifest = json.loads(read(desc["digest"]))
data = open(tar, "rb").read()
digest, size = blob(data)
manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": size})
config = json.loads(read(manifest["config"]["digest"]))
config["rootfs"]["diff_ids"].append(digest)
manifest["config"]["digest"], manifest["config"]["size"] = blob(json.dumps(config).encode())
mdigest, msize = blob(json.dumps(manifest).encode())
index["manifests"].append({"mediaType": desc["mediaType"], "digest": mdigest, "size": msize,
                           "annotations": {"org.opencontainers.image.ref.name": newtag}})
json.dump(index, open(os.path.join(d, "index.json"), "w"))
EOF
}

skip_unless_umoci ()
{
  command -v umoci >/dev/null || skip_or_fail "umoci is missing (tests/setup-host.sh installs it)"
}

@test "import: an OCI image layout made by umoci, layers in order, whiteouts honoured" {
  skip_unless_umoci
  make_oci_layout "$I/oci" >"$I/umoci.log" 2>&1 || fail "umoci: $(cat "$I/umoci.log")"

  run -0 "$NOOK" import "$I/oci:base" "$I/b"
  run -0 "$NOOK" run "$I/b" sh -c 'ls /etc; test -e /gone || echo no-gone'
  [ "$output" = "kept
new
no-gone" ]
  [ "$(config_get "$I/b" 'c["process"]["args"]')" = '["/bin/sh", "-l"]' ]

  # --tag, and the image config: Env, Cmd, WorkingDir.
  run -0 "$NOOK" import --tag app "$I/oci" "$I/app"
  [ "$(config_get "$I/app" 'c["process"]["args"]')" = '["cat", "kept"]' ]
  [ "$(config_get "$I/app" 'c["process"]["cwd"]')" = /etc ]
  [ "$(config_get "$I/app" '"FOO=bar" in c["process"]["env"]')" = true ]
  run -0 "$NOOK" run "$I/app"
  [ "$output" = kept ]

  # Two images and no tag: which one?
  run -125 "$NOOK" import "$I/oci" "$I/x"
  assert_nook_error 125 "index.json" "DIR:TAG or --tag" "base" "app"
  [ ! -e "$I/x" ]
  run -125 "$NOOK" import "$I/oci:nope" "$I/x"
  assert_nook_error 125 "index.json" 'no image tagged "nope"'
  [ ! -e "$I/x" ]
}

@test "import: an opaque directory of an upper layer hides what is below, keeps its own" {
  skip_unless_umoci
  make_oci_layout "$I/oci" >"$I/umoci.log" 2>&1 || fail "umoci: $(cat "$I/umoci.log")"
  python3 - "$I/opq.tar" <<'EOF'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
def add(name, kind=tarfile.REGTYPE, data=b""):
    ti = tarfile.TarInfo(name); ti.type = kind; ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    ti.size = len(data); t.addfile(ti, io.BytesIO(data) if data else None)
add("etc", tarfile.DIRTYPE)
add("etc/.wh..wh..opq")
add("etc/only", data=b"only\n")
add("bin/.wh.cat")
t.close()
EOF
  add_layer "$I/oci" base opaque "$I/opq.tar"
  run -0 "$NOOK" import "$I/oci:opaque" "$I/b"
  run -0 "$NOOK" run "$I/b" sh -c 'ls /etc; test -e /bin/cat || echo no-cat'
  [ "$output" = "only
no-cat" ]
}

@test "import: an OCI layout with a missing or damaged blob: nothing is made" {
  skip_unless_umoci
  make_oci_layout "$I/oci" >"$I/umoci.log" 2>&1 || fail "umoci: $(cat "$I/umoci.log")"
  local layer
  layer=$(python3 -c '
import json, sys
d = sys.argv[1]
i = json.load(open(d + "/index.json"))
m = json.load(open(d + "/blobs/sha256/" + i["manifests"][0]["digest"].split(":")[1]))
print(m["layers"][-1]["digest"].split(":")[1])' "$I/oci")
  cp "$I/oci/blobs/sha256/$layer" "$I/layer"

  # Damaged: the digest check fails after the first layer was written.
  printf 'junk' >>"$I/oci/blobs/sha256/$layer"
  run -125 "$NOOK" import "$I/oci:base" "$I/b"
  assert_nook_error 125 "$layer" "digest"
  [ ! -e "$I/b" ]

  rm "$I/oci/blobs/sha256/$layer"
  run -125 "$NOOK" import "$I/oci:base" "$I/b"
  assert_nook_error 125 "layers[1]" "blob sha256:$layer is missing"
  [ ! -e "$I/b" ]
}

@test "import: a Debian 12 rootfs made by mmdebstrap: shadow, sudo and apt inside" {
  debian_bundle || return
  run -0 "$NOOK" run "$DEBIAN_BUNDLE" sh -c '
    stat -c "%n %U:%G %A" /etc/shadow /usr/bin/sudo
    apt-get --version | head -n 1'
  echo "$output"
  [ "${lines[0]}" = "/etc/shadow root:shadow -rw-r-----" ]
  [ "${lines[1]}" = "/usr/bin/sudo root:root -rwsr-xr-x" ]
  [[ "${lines[2]}" == "apt 2."* ]]
  [ "$(config_get "$DEBIAN_BUNDLE" 'c["process"]["args"]')" = '["/bin/bash", "-l"]' ]
}

@test "run: a rootfs whose owner the user namespace does not map gets one warning naming the bundle" {
  # Your own rootfs: mapped (you are root inside), no warning.
  run -0 --separate-stderr "$NOOK" run "$B" true
  [ -z "$stderr" ]
  # The host's root directory, owned by host root.
  edit_config "$B" 'c["root"] = {"path": "/", "readonly": True}'
  run --separate-stderr "$NOOK" run --rootfs=fuse-overlayfs "$B" /bin/true
  echo "$stderr"
  [ "$(printf '%s\n' "$stderr" | grep -c 'does not map')" = 1 ]
  [[ "$stderr" == *"nook: warning: $B: the rootfs (/) is owned by uid 0, which the container's user namespace does not map"*"nook import"* ]]
}

@test "import: Ctrl-C midway leaves nothing behind" {
  make_tar "$I/root.tar"
  mkfifo "$I/fifo"
  env --default-signal "$NOOK" import - "$I/b" <"$I/fifo" 2>"$I/err" &
  local pid=$! child
  NOOK_BG_PIDS+=("$pid")
  exec 5>"$I/fifo"
  # Up to the middle of busybox: the directories are written by then.
  head -c 400000 "$I/root.tar" >&5
  wait_until "$NOOK_TEST_TIMEOUT" test -d "$I/b/rootfs/bin" || fail "nothing was written"
  child=$(pgrep -P "$pid")
  [ -n "$child" ] || fail "no importing child of nook ($pid)"
  # What a terminal's Ctrl-C does: SIGINT to the whole process group.
  kill -INT "$pid" "$child"
  local status=0
  wait "$pid" || status=$?
  exec 5>&-
  cat "$I/err"
  [ "$status" = 125 ]
  grep -qx "nook: stdin: the importing process was killed (Interrupt)" "$I/err"
  [ ! -e "$I/b" ]
}
