#!/bin/bash
# Writes the seed corpora of the fuzz targets: make-corpus.sh NOOK OUTDIR
# makes OUTDIR/<target>/ for each target of tests/fuzz/meson.build.
#
# NOOK is a built nook (its `nook spec` output is the base config). The
# config seeds are the configs the tests use: `nook spec` (as the bats tests
# start from it, rootless and not), with the seccomp profiles of
# tests/fixtures as linux.seccomp, and with the fields the bats tests set
# (mounts with options, namespaces, id mappings, rlimits, capabilities,
# sysctls). The others are small files of the formats nook writes: a
# store entry (as storage/filter-store.c lays it out), state.json,
# layer.json, /etc/subuid lines and mount options. Text only, made each
# time: nothing binary is committed.
set -euo pipefail

NOOK=${1:?usage: make-corpus.sh NOOK OUTDIR}
OUT=${2:?usage: make-corpus.sh NOOK OUTDIR}
FIXTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd -P)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/plain" "$tmp/rootless"
"$NOOK" spec --bundle "$tmp/plain" >/dev/null
"$NOOK" spec --rootless --bundle "$tmp/rootless" >/dev/null

python3 - "$OUT" "$FIXTURES" "$tmp/plain/config.json" "$tmp/rootless/config.json" <<'PY'
import copy, hashlib, hmac, json, os, struct, sys

out, fixtures, plain_path, rootless_path = sys.argv[1:5]

def write(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

plain = json.load(open(plain_path))
rootless = json.load(open(rootless_path))
profiles = {name: json.load(open(os.path.join(fixtures, f"seccomp-{name}.json")))
            for name in ("default", "deny-mkdir")}

configs = {"spec": plain, "spec-rootless": rootless}
for name, profile in profiles.items():
    c = copy.deepcopy(rootless)
    c.setdefault("linux", {})["seccomp"] = profile
    configs[f"seccomp-{name}"] = c
c = copy.deepcopy(rootless)
c["root"]["path"] = "rootfs"
c["process"]["args"] = ["sh", "-c", "true"]
c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 4096}]
c["process"]["capabilities"] = {k: ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"]
                                for k in ("bounding", "effective", "permitted", "ambient")}
c["process"]["user"] = {"uid": 0, "gid": 0, "umask": 18, "additionalGids": [1, 2]}
c["mounts"].append({"destination": "/data", "type": "bind", "source": "data",
                    "options": ["rbind", "ro", "nosuid", "rprivate"]})
c["mounts"].append({"destination": "/t", "type": "tmpfs", "source": "tmpfs",
                    "options": ["size=64k", "mode=1777", "noexec"]})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 1}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 1}]
c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}
c["linux"]["namespaces"].append({"type": "network", "path": "/proc/self/ns/net"})
c["linux"]["rootfsPropagation"] = "rslave"
c["linux"]["maskedPaths"] = ["/proc/kcore"]
c["linux"]["readonlyPaths"] = ["/proc/sys"]
c["linux"]["seccomp"] = profiles["deny-mkdir"]
c["hostname"] = "nook"
configs["fields"] = c
for name, c in configs.items():
    write("config", name + ".json", json.dumps(c, indent=2))
    write("json", name + ".json", json.dumps(c, indent=2))
write("json", "escapes.json", '["\\u00e9\\ud83d\\ude00\\n\\"", -0, 1e400, 9223372036854775808, {}, [[]], null]')

write("mount-options", "bind", "rbind\0ro\0nosuid\0nodev\0rprivate")
write("mount-options", "tmpfs", "size=64k\0mode=1777\0noexec\0strictatime\0rw")
write("mount-options", "flags", "defaults\0remount\0bind\0lazytime\0nolazytime\0shared\0unbindable")

# seccomp-key takes bytes field by field; any bytes are a profile.
write("seccomp-key", "small", bytes(range(64)))
write("seccomp-key", "rules", b"\x00\x00\x00\x05" * 40)

# Signed as storage/filter-store.c does, with fuzz-filter-store's fixed
# secret (bytes 0..31): HMAC-SHA256 over the tag, its NUL, the header up
# to the MAC and the payload.
def entry(arch, insns, warnings):
    payload = b"".join(struct.pack("=HBBI", *i) for i in insns) + warnings
    header = struct.pack("=8sII32sII", b"NOOKBPF\n", 2, arch, bytes(range(32)),
                         len(insns), len(warnings))
    mac = hmac.new(bytes(range(32)), b"nook-filter-store-entry-2\0" + header + payload,
                   hashlib.sha256).digest()
    return header + mac + payload

allow = [(0x06, 0, 0, 0x7fff0000)]
check = [(0x20, 0, 0, 4), (0x15, 1, 0, 0xc000003e), (0x06, 0, 0, 0), (0x06, 0, 0, 0x7fff0000)]
write("filter-store", "allow", entry(0xc000003e, allow, b""))
write("filter-store", "warnings", entry(0xc000003e, check, b"a warning\0another\0"))

write("state", "foreground", json.dumps({
    "ociVersion": "1.0.2", "id": "c", "status": "running", "pid": 1, "bundle": "/b",
    "created": "2026-01-01T00:00:00Z", "rootfs": "fuse-overlayfs", "config": "/b/config.json",
    "annotations": {"a": "b"}, "options": {"rootfs": "bind"}}, indent=2))
write("state", "detached", json.dumps({
    "ociVersion": "1.0.2", "id": "c", "status": "created", "pid": 1, "bundle": "/b",
    "created": "2026-01-01T00:00:00Z", "detached": True, "starttime": 12345,
    "annotations": {}, "options": {}}, indent=2))

write("layer", "layer.json", json.dumps({
    "bundle": "/b", "rootfs": "fuse-overlayfs", "uidMap": "0 1000 1\n1 100000 65536\n",
    "gidMap": "0 1000 1\n", "created": "2026-01-01T00:00:00Z"}, indent=2))

write("subid", "useradd", "root:100000:65536\nnt:165536:65536\n")
write("subid", "numeric", "1000:100000:65536\nnt:1000:5\nnt:200000:10\n")
PY
