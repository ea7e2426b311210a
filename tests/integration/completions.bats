#!/usr/bin/env bats
# Shell completions: the one list of commands and options
# (completions/nook.commands) against nook's --help, and the bash, zsh and
# fish scripts generated from it, driven through each shell's own
# completion machinery.
# Set by meson: NOOK (the binary), NOOK_SRCDIR (source root),
# NOOK_COMPLETIONS (the build directory holding the generated scripts).

load helpers

setup_file() {
    # Container names come from "nook list -q": the nook on the command line
    # being completed, here the one under test.
    mkdir -p "$BATS_FILE_TMPDIR/bin"
    ln -sf "$NOOK" "$BATS_FILE_TMPDIR/bin/nook"
    build_master_bundle
}

setup() {
    : "${NOOK_SRCDIR:?NOOK_SRCDIR must name the source root}"
    : "${NOOK_COMPLETIONS:?NOOK_COMPLETIONS must name the generated completions}"
    LIST=$NOOK_SRCDIR/completions/nook.commands
    GENERATOR=$NOOK_SRCDIR/completions/nook-completions.py
    COMPLETIONS=$NOOK_COMPLETIONS
    CREATED=()
    export PATH=$BATS_FILE_TMPDIR/bin:$PATH
    # One order for sort, zsh and the expected lines.
    export LC_ALL=C
    use_own_xdg_dirs
    # Something for file and directory completion to find, alone in the
    # directory the completions run in: a bundle directory, another
    # directory and a file.
    mkdir "$BATS_TEST_TMPDIR/cwd"
    cd "$BATS_TEST_TMPDIR/cwd" || return 1
    mkdir -p bundle-a bundle-b
    touch bundle-a/config.json bundle-file
}

teardown() {
    local root_id root
    for root_id in "${CREATED[@]}"; do
        root=${root_id%%|*}
        "$NOOK" ${root:+--root "$root"} delete -f "${root_id#*|}" >/dev/null 2>&1 || true
    done
    if [ "${#CREATED[@]}" -gt 0 ]; then
        assert_no_leftovers
        assert_no_leftovers "$BATS_TEST_TMPDIR/root"
    fi
}

# A shell that is not installed is skipped, unless NOOK_TESTS_MUST_WORK=1 says
# this machine was set up to have it (tests/setup-host.sh installs them).
require_shell() {
    command -v "$1" >/dev/null && return 0
    skip_or_fail "$1 is not installed"
}

# Each complete_SHELL reads command lines, one per line (the cursor at the
# end: "nook run " completes an empty word), completes each in that shell and
# prints "LINE<TAB>CANDIDATES" (separated by spaces), which normalize_lines
# sorts, without the "/" of a directory, so that the shells compare (one
# process for all lines: a fork per line made the tests slow on a busy host).
normalize_lines() {
    python3 -c '
import sys
for line in sys.stdin:
    typed, _, candidates = line.rstrip("\n").partition("\t")
    print(typed + "\t" + " ".join(sorted({c.rstrip("/") for c in candidates.split()})))
'
}

# bash: bash-completion loads the generated script as it would an installed
# one (from BASH_COMPLETION_USER_DIR/completions/nook); the function
# `complete -p nook` names runs with COMP_WORDS split as readline splits
# them (at blanks, and after "=": "--rootfs" "=" "o").
BASH_COMPLETION=/usr/share/bash-completion/bash_completion
complete_bash() {
    mkdir -p "$BATS_TEST_TMPDIR/bc/completions"
    ln -sf "$COMPLETIONS/nook" "$BATS_TEST_TMPDIR/bc/completions/nook"
    # shellcheck disable=SC2016 # expanded by the inner bash
    BASH_COMPLETION_USER_DIR=$BATS_TEST_TMPDIR/bc bash --norc --noprofile -c '
        source "$1" || exit 2
        __load_completion nook || { echo "bash-completion did not load nook" >&2; exit 3; }
        spec=$(complete -p nook) || exit 3
        function=${spec#*-F }
        function=${function%% *}
        while IFS= read -r line; do
            read -ra blank_split <<<"$line"
            [[ $line == *" " ]] && blank_split+=("")
            COMP_WORDS=()
            for w in "${blank_split[@]}"; do
                if [[ $w == --*=* ]]; then
                    COMP_WORDS+=("${w%%=*}" =)
                    [[ -n ${w#*=} ]] && COMP_WORDS+=("${w#*=}")
                else
                    COMP_WORDS+=("$w")
                fi
            done
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            COMP_LINE=$line
            COMP_POINT=${#line}
            COMPREPLY=()
            "$function" nook "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
            printf "%s\t%s\n" "$line" "${COMPREPLY[*]}"
        done
    ' complete_bash "$BASH_COMPLETION"
}

# zsh: a real interactive zsh on a pseudo-terminal (zsh/zpty) with compinit
# and the generated _nook in fpath; each line is typed and completed by
# complete-word from a widget, and a compadd wrapper writes every match
# offered to a file. compinit's dump is kept for the file: building it takes
# seconds, reading it milliseconds.
complete_zsh() {
    cat >"$BATS_TEST_TMPDIR/complete.zsh" <<'EOF'
# complete.zsh FPATH-DIR OUTPUT COMPDUMP < LINES
zmodload zsh/zpty || exit 2
zpty z "env -i HOME=${(q)HOME} TERM=dumb PATH=${(q)PATH} XDG_RUNTIME_DIR=${(q)XDG_RUNTIME_DIR} XDG_DATA_HOME=${(q)XDG_DATA_HOME} zsh -f -i"
zpty -w z "PS1='> '; fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -d ${(q)3}; out=${(q)2}"
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a hits; builtin compadd -A hits "$@"; (( $#hits )) && print -rl -- $hits >>$out; builtin compadd "$@"; }'
# The marker is split in the definition so that its echo does not match.
zpty -w z 'nook-test-complete() { : >$out; zle complete-word; print -r -- "" "RESULT""<>"; BUFFER=; }'
zpty -w z 'zle -N nook-test-complete; bindkey "^T" nook-test-complete'
while IFS= read -r line; do
  zpty -w -n z "$line"$'\x14'
  zpty -r z got '*RESULT<>*' || exit 3
  print -r -- "$line"$'\t'"${(j: :)${(f)"$(<$2)"}}"
done
zpty -d z
EOF
    HOME=$BATS_TEST_TMPDIR timeout 120 zsh -f "$BATS_TEST_TMPDIR/complete.zsh" \
        "$COMPLETIONS" "$BATS_TEST_TMPDIR/zsh.out" "$BATS_FILE_TMPDIR/zcompdump" ||
        fail "zsh failed to complete (status $?)"
}

# fish: its own completion engine (complete -C) on each line.
complete_fish() {
    # shellcheck disable=SC2016 # fish expands these
    HOME=$BATS_TEST_TMPDIR fish --no-config -c '
        source $argv[1]
        while read -l line
            set -l candidates (complete -C"$line" | string split -f1 \t)
            set -l token (string split " " -- $line)[-1]
            if string match -q -- "-*=*" $token
                set candidates (string replace -- (string split -m1 = -- $token)[1]= "" $candidates)
            end
            printf "%s\t%s\n" $line "$candidates"
        end
    ' "$COMPLETIONS/nook.fish"
}

# check_completions SHELL <<< "LINE<TAB>EXPECTED" lines: every line completes
# to what it expects, or the differences are shown.
check_completions() {
    local expected got
    if [ "$1" = bash ] && [ ! -r "$BASH_COMPLETION" ]; then
        skip_or_fail "bash-completion is not installed"
    fi
    expected=$(cat)
    got=$(set -o pipefail; cut -f1 <<<"$expected" | "complete_$1" | normalize_lines) ||
        { fail "$1: completing failed: $got"; return 1; }
    diff <(echo "$expected") <(echo "$got") || fail "$1: the lines above (< expected, > got) differ"
}

# From the list: "nook \t" and the verbs (aliases included); for every
# command, "nook COMMAND --\t" and its long options ("nook --\t" and the
# global ones), not the hidden ones. Read with awk, not with the generator:
# the scripts are checked against the list, not against themselves.
listed_lines() {
    awk '
        /^global/ { current = "nook"; print current " --\t" }
        $1 == "verb" {
            n = split($2, names, ",")
            current = "nook " names[1]
            gsub("/", " ", current)
            print current " --\t"
            if ($2 !~ /\//)
                for (i = 1; i <= n; i++) print "nook \t" names[i]
        }
        /^[ \t]+-/ && !/ hidden( |$)/ {
            for (i = 1; i <= NF && $i != "--"; i++)
                if ($i ~ /^--/) { sub(/=.*/, "", $i); print current " --\t" $i }
        }' "$LIST" | sort -u | awk -F '\t' '
        $1 != key { if (NR > 1) print key "\t" values; key = $1; values = "" }
        $2 != "" { values = values == "" ? $2 : values " " $2 }
        END { print key "\t" values }'
}

# A created container (its process waits for start): create_container
# [--root DIR] ID. teardown deletes it.
create_container() {
    local root=''
    if [ "$1" = --root ]; then
        root=$2
        shift 2
    fi
    CREATED+=("$root|$1")
    "$NOOK" ${root:+--root "$root"} create -b "$B" "$1" \
        >"$BATS_TEST_TMPDIR/create.out" 2>"$BATS_TEST_TMPDIR/create.err" </dev/null ||
        fail "nook create $1: $(cat "$BATS_TEST_TMPDIR/create.err")"
}

@test "the list matches nook --help and every nook COMMAND --help" {
    run python3 "$GENERATOR" check "$LIST" "$NOOK"
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

# The check itself fails on a list that lacks an option nook has, has one or
# a command nook lacks, or says an option takes an argument when it does not.
@test "the check fails on a list that differs from --help" {
    sed -e '/^    --rm -- /d' -e 's/^    --debug -- /    --debug=text -- /' \
        -e 's/^verb features -- /verb nosuch -- X\nverb features -- /' \
        -e 's/^\(    -a --all -- .*\)/\1\n    --no-such-option -- X/' "$LIST" >list
    run python3 "$GENERATOR" check list "$NOOK"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"nook run: --rm is in --help, not in list"* ]]
    [[ $output == *"nook kill: --no-such-option is in list, not in --help"* ]]
    [[ $output == *"nook: --debug takes no argument in --help, one in list"* ]]
    [[ $output == *"nook nosuch --help fails"* ]]
    [[ $output == *"nook: commands in --help: "*" in list: "*nosuch* ]]
    [ "$(echo "$output" | wc -l)" -eq 5 ]
}

@test "the generated scripts parse: bash -n, zsh -n, fish -n" {
    require_shell zsh
    require_shell fish
    bash -n "$COMPLETIONS/nook"
    zsh -n "$COMPLETIONS/_nook"
    fish --no-config -n "$COMPLETIONS/nook.fish"
}

# What every shell must complete, from the same command lines.
check_shell() {
    local shell=$1 root=$BATS_TEST_TMPDIR/root
    skip_unless_userns
    snapshot_state
    new_bundle
    # Container names come from nook list -q: the default root's, or those
    # under the --root given on the line.
    create_container web-1
    create_container --root "$root" db-1
    create_container --root "$root" db-2
    {
        # The verbs, and every command's options, as the list has them.
        listed_lines
        cat <<EOF
nook ru	run
nook run --r	--replace --rm --rootfs
nook cache ls -	--help --quiet -h -q
nook cache 	clear help ls prune
nook help ca	cache
nook run --rootfs=	bind fuse-overlayfs overlay
nook run --net 	host none pasta
nook --log-format 	json text
nook exec --cap CAP_NET_R	CAP_NET_RAW
nook run bund	bundle-a bundle-b
nook run --net host -n web bund	bundle-a bundle-b
nook run bundle-a printen	printenv
nook run bundle-a -- printen	printenv
nook run -b bundle-a 	
nook exec 	web-1
nook kill w	web-1
nook kill web-1 TE	TERM
nook rm web-1 	web-1
nook --root $root kill 	db-1 db-2
nook --root=$root start d	db-1 db-2
nook --root $root exec -t -e A=1 --cwd /tmp db-2 printen	printenv
EOF
    } | check_completions "$shell"
}

@test "bash: commands, options, values, bundles and container names" {
    check_shell bash
}

@test "zsh: commands, options, values, bundles and container names" {
    require_shell zsh
    check_shell zsh
}

@test "fish: commands, options, values, bundles and container names" {
    require_shell fish
    check_shell fish
}

@test "bash: --opt=value in one word, and option arguments skipped" {
    # Without '=' in COMP_WORDBREAKS the word is whole: "--rootfs=o".
    # shellcheck disable=SC2016
    run bash --norc --noprofile -c 'source "$1"; COMP_WORDS=(nook run --rootfs=o); COMP_CWORD=2
        _nook; printf "%s\n" "${COMPREPLY[@]}"' bash "$COMPLETIONS/nook"
    [ "$output" = --rootfs=overlay ]
    check_completions bash <<EOF
nook run --network=h	host
nook --root=/tmp --log-format json sp	spec
nook cache prune --max-entries 10 --	--help --max-entries
nook cache ls extra --	
nook run bundle-a --n	
nook spec --bundle=bund	bundle-a bundle-b
nook run -c bundle-f	bundle-file
EOF
}
