#!/bin/bash
# Checks the C sources against .clang-format (GNU style), as crun's
# `make clang-format` gate does. Changes nothing unless --fix is given.
#
# Usage: tests/check-format.sh [--fix] [--all | --since REV | --lines REV]
#
#   --all        every .c and .h file of the tree (default)
#   --since REV  the files changed since git revision REV (whole files)
#   --lines REV  only the lines changed since REV (clang-format-diff): for
#                a branch while the rest of the tree is not formatted yet
#   --fix        reformat instead of reporting
#
# Exits 1 when a file (or changed line) is not formatted, naming each, and
# shows the first lines of the difference. CLANG_FORMAT picks the binary
# (default clang-format; Debian 12 has 14).
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
mode=all rev= fix=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --all) mode=all ;;
    --since) mode=since; rev=${2:?--since needs a revision}; shift ;;
    --lines) mode=lines; rev=${2:?--lines needs a revision}; shift ;;
    --fix) fix=1 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "check-format: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
command -v "$CLANG_FORMAT" >/dev/null || { echo "check-format: $CLANG_FORMAT not found (apt install clang-format)" >&2; exit 2; }
cd "$SRCDIR"

sources ()
{
  if [[ $mode == since ]]; then
    git diff --name-only --diff-filter=ACMR "$rev" -- '*.c' '*.h'
  elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -- '*.c' '*.h'
  else
    find . -path './build*' -prune -o -path './_build*' -prune -o \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||' | sort
  fi
}

if [[ $mode == lines ]]; then
  diff_tool=$(command -v clang-format-diff || command -v clang-format-diff-14 || true)
  [[ -n $diff_tool ]] || { echo "check-format: clang-format-diff not found" >&2; exit 2; }
  # The system's python: a pyenv python3 first in PATH was seen to hang in it.
  py=/usr/bin/python3
  [[ -x $py ]] || py=python3
  if [[ $fix == 1 ]]; then
    git diff -U0 "$rev" -- '*.c' '*.h' | "$py" "$diff_tool" -p1 -i -binary "$CLANG_FORMAT"
    exit 0
  fi
  out=$(git diff -U0 "$rev" -- '*.c' '*.h' | "$py" "$diff_tool" -p1 -binary "$CLANG_FORMAT")
  if [[ -n $out ]]; then
    printf '%s\n' "$out" | head -60
    echo "check-format: lines changed since $rev are not formatted (tests/check-format.sh --fix --lines $rev)"
    exit 1
  fi
  echo "check-format: the lines changed since $rev are formatted"
  exit 0
fi

bad=()
n=0
while IFS= read -r f; do
  [[ -f $f ]] || continue
  n=$((n + 1))
  if [[ $fix == 1 ]]; then
    "$CLANG_FORMAT" -i "$f"
  elif ! "$CLANG_FORMAT" --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
  fi
done < <(sources)
[[ $fix == 1 ]] && { echo "check-format: formatted $n files"; exit 0; }
if [[ ${#bad[@]} -gt 0 ]]; then
  for f in "${bad[@]}"; do
    echo "not formatted: $f"
  done
  diff -u "${bad[0]}" <("$CLANG_FORMAT" "${bad[0]}") | head -30 || true
  echo "check-format: ${#bad[@]} of $n files are not formatted (tests/check-format.sh --fix ...)"
  exit 1
fi
echo "check-format: $n files formatted"
