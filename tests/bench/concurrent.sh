#!/bin/sh
# N starts at once, for bench.sh's concurrent rows: fails when one failed.
#
# Usage: concurrent.sh N PREFIX COMMAND [ARG...]
#
# Runs COMMAND ARG... N times at once and waits for all. With a PREFIX, run
# i (1..N) gets PREFIXi as its last argument: a container id of its own.
[ $# -ge 3 ] || { echo "Usage: $0 N PREFIX COMMAND [ARG...]" >&2; exit 2; }
n=$1 prefix=$2
shift 2
pids=
i=1
while [ "$i" -le "$n" ]; do
  if [ -n "$prefix" ]; then
    "$@" "$prefix$i" &
  else
    "$@" &
  fi
  pids="$pids $!"
  i=$((i + 1))
done
status=0
for pid in $pids; do
  wait "$pid" || status=1
done
exit "$status"
