#!/bin/sh
# A bundle as an engine writes one for every container, for bench.sh's
# engine-style rows (run as hyperfine's --prepare, so kept to a few
# processes).
#
# Usage: engine-bundle.sh TEMPLATE ROOTFS DIR
#
# Makes DIR/b-ID, a new directory: ID a new 64-hex container id, ROOTFS's
# tree hard-linked into b-ID/rootfs, the files an engine binds in (hostname,
# hosts, resolv.conf, containerenv) in b-ID/userdata, and b-ID/config.json,
# TEMPLATE with @ID@, @SHORTID@ (its first 12 digits), @BUNDLE@ (DIR/b-ID)
# and @CREATED@ (the time) replaced. Points the symbolic link DIR/current at
# it and removes the bundle made before.
set -eu

[ $# -eq 3 ] || { echo "Usage: $0 TEMPLATE ROOTFS DIR" >&2; exit 2; }
template=$1 rootfs=$2 dir=$3
id=$(tr -d -- '-\n' </proc/sys/kernel/random/uuid)$(tr -d -- '-\n' </proc/sys/kernel/random/uuid)
short=$(printf %.12s "$id")
b=$dir/b-$id
old=$(readlink "$dir/current" 2>/dev/null || true)

mkdir -p "$b/userdata"
cp -al "$rootfs" "$b/rootfs"
echo "$short" >"$b/userdata/hostname"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\t%s\n' "$short" >"$b/userdata/hosts"
echo 'nameserver 10.0.2.3' >"$b/userdata/resolv.conf"
printf 'engine="nook-bench"\nid="%s"\n' "$id" >"$b/userdata/containerenv"
sed -e "s|@ID@|$id|g; s|@SHORTID@|$short|g; s|@BUNDLE@|$b|g" \
  -e "s|@CREATED@|$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)|g" "$template" >"$b/config.json"
ln -sfn "b-$id" "$dir/current"
[ -z "$old" ] || rm -rf "${dir:?}/$old"
