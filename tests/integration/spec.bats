#!/usr/bin/env bats
# `nook spec`, and the global --version/--help, on the built binary.
# Set by meson: NOOK (the binary), NOOK_SRCDIR (source root).

setup() {
    : "${NOOK:?NOOK must name the nook binary}"
    cd "$BATS_TEST_TMPDIR" || return 1
    umask 022
}

# Evaluates a Python expression over the JSON file ($2) loaded as d, and fails
# the test unless it is true. python3 is a test dependency (tests/setup-host.sh).
json_true() {
    run python3 -c '
import json, sys
d = json.load(open(sys.argv[2]))
sys.exit(0 if eval(sys.argv[1]) is True else 1)
' "$1" "$2"
    echo "$1 on $2: status $status $output"
    [ "$status" -eq 0 ]
}

@test "nook spec writes config.json in the current directory" {
    run "$NOOK" spec
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ -f config.json ]
    [ "$(stat -c %a config.json)" = 644 ]
    json_true 'd["ociVersion"] == "1.0.2"' config.json
    json_true 'd["process"]["args"] == ["sh"] and d["process"]["terminal"] is True and d["process"]["cwd"] == "/"' config.json
    json_true 'd["process"]["user"] == {"uid": 0, "gid": 0}' config.json
    json_true '"TERM=xterm" in d["process"]["env"]' config.json
    json_true 'd["process"]["capabilities"] == {s: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"] for s in ("bounding", "effective", "permitted")}' config.json
    json_true 'd["process"]["rlimits"] == [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]' config.json
    json_true 'd["process"]["noNewPrivileges"] is True' config.json
    json_true 'd["root"] == {"path": "rootfs", "readonly": True}' config.json
    json_true '[m["destination"] for m in d["mounts"]] == ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"]' config.json
    json_true '[n["type"] for n in d["linux"]["namespaces"]] == ["pid", "network", "ipc", "uts", "mount"]' config.json
    json_true '"/proc/kcore" in d["linux"]["maskedPaths"]' config.json
    json_true '"/proc/sys" in d["linux"]["readonlyPaths"]' config.json
}

@test "nook spec without --rootless: no user namespace, devpts with gid=5" {
    run "$NOOK" spec
    [ "$status" -eq 0 ]
    json_true '"user" not in [n["type"] for n in d["linux"]["namespaces"]]' config.json
    json_true '"gid=5" in [m for m in d["mounts"] if m["destination"] == "/dev/pts"][0]["options"]' config.json
}

@test "nook spec --rootless adds user and cgroup namespaces, no id maps, no gid=5" {
    run "$NOOK" spec --rootless
    echo "$output"
    [ "$status" -eq 0 ]
    [ -f config.json ]
    json_true '"user" in [n["type"] for n in d["linux"]["namespaces"]]' config.json
    json_true '"cgroup" in [n["type"] for n in d["linux"]["namespaces"]]' config.json
    # The desktop's config: a writable root (on nook run's writable layer).
    json_true 'd["root"] == {"path": "rootfs", "readonly": False}' config.json
    json_true '"uidMappings" not in d["linux"] and "gidMappings" not in d["linux"]' config.json
    json_true '[o for m in d["mounts"] for o in m.get("options", []) if o.startswith(("gid=", "uid="))] == []' config.json
}

@test "a second nook spec fails with status 125 and leaves the file alone" {
    echo '{"mine": true}' > config.json
    run "$NOOK" spec
    [ "$status" -eq 125 ]
    [ "$output" = "nook: ./config.json: File exists (use --force to overwrite)" ]
    [ "$(cat config.json)" = '{"mine": true}' ]
}

@test "nook spec twice: the second run fails" {
    run "$NOOK" spec
    [ "$status" -eq 0 ]
    run "$NOOK" spec --rootless
    [ "$status" -eq 125 ]
    [[ $output == *"File exists"* ]]
    json_true '"user" not in [n["type"] for n in d["linux"]["namespaces"]]' config.json
}

@test "nook spec --force overwrites" {
    echo '{"mine": true}' > config.json
    run "$NOOK" spec --force
    echo "$output"
    [ "$status" -eq 0 ]
    run grep -c '"mine"' config.json
    [ "$output" = 0 ]
    grep -q '"ociVersion"' config.json
}

@test "nook spec --bundle DIR writes DIR/config.json" {
    mkdir bundle
    run "$NOOK" spec --bundle bundle
    echo "$output"
    [ "$status" -eq 0 ]
    [ -f bundle/config.json ]
    [ ! -e config.json ]
    run "$NOOK" spec -b bundle
    [ "$status" -eq 125 ]
    [ "$output" = "nook: bundle/config.json: File exists (use --force to overwrite)" ]
}

@test "nook spec --bundle with a missing directory names it" {
    run "$NOOK" spec --bundle no-such-dir
    [ "$status" -eq 125 ]
    [[ $output == "nook: no-such-dir: "* ]]
    [ ! -e no-such-dir ]
}

@test "nook spec --help prints the options and writes nothing" {
    run "$NOOK" spec --help
    [ "$status" -eq 0 ]
    [[ $output == *"Usage:"* ]]
    [[ $output == *"--rootless"* ]]
    [[ $output == *"--bundle"* ]]
    [[ $output == *"--force"* ]]
    [ ! -e config.json ]
}

@test "nook spec with an extra argument is a usage error" {
    run "$NOOK" spec extra
    [ "$status" -eq 125 ]
    [[ $output == *"unexpected argument 'extra'"* ]]
    [ ! -e config.json ]
}

@test "nook spec with an unknown option is a usage error" {
    run "$NOOK" spec --frobnicate
    [ "$status" -eq 125 ]
    [[ $output == *"--frobnicate"* ]]
    [ ! -e config.json ]
}

@test "nook --version" {
    run "$NOOK" --version
    [ "$status" -eq 0 ]
    [[ $output =~ ^nook\ version\ [0-9]+\.[0-9]+ ]]
    run "$NOOK" -v
    [ "$status" -eq 0 ]
    [[ $output == "nook version "* ]]
}

@test "nook --help lists the commands" {
    run "$NOOK" --help
    [ "$status" -eq 0 ]
    [[ $output == "Usage: nook"* ]]
    [[ $output == *"  run "* ]]
    [[ $output == *"  spec "* ]]
    run "$NOOK" help
    [ "$status" -eq 0 ]
    [[ $output == *"  spec "* ]]
}

# What `nook spec --rootless` writes must run: the config loader accepts it and
# the mounts work with only the caller's ids mapped (gid=5 would fail here).
@test "a bundle made with nook spec --rootless runs" {
    : "${NOOK_FIXTURES:?NOOK_FIXTURES must name tests/fixtures}"
    "$NOOK_FIXTURES/make-bundle.sh" bundle
    run "$NOOK" spec --rootless --force --bundle bundle
    [ "$status" -eq 0 ]
    # No terminal: the test's stdout is not one.
    python3 -c '
import json, sys
path = sys.argv[1]
d = json.load(open(path))
d["process"]["terminal"] = False
d["process"]["args"] = ["/bin/sh", "-c", "echo hello from spec; hostname"]
json.dump(d, open(path, "w"))
' bundle/config.json
    run "$NOOK" run bundle
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "hello from spec"$'\n'"nook" ]
}
