#!/usr/bin/env bats
# Shell completions: syntax, and what they complete, in bash, zsh and fish.
# Set by meson: NOOK (the binary), NOOK_SRCDIR (source root).

setup() {
    : "${NOOK_SRCDIR:?NOOK_SRCDIR must name the source root}"
    COMPLETIONS=$NOOK_SRCDIR/completions
    cd "$BATS_TEST_TMPDIR" || return 1
    # Something for file and directory completion to find.
    mkdir -p bundle-a bundle-b
    touch bundle-file config.json
}

# A shell that is not installed is skipped, unless NOOK_TESTS_MUST_WORK=1 says
# this machine was set up to have it (tests/setup-host.sh installs zsh and fish).
require_shell() {
    command -v "$1" >/dev/null && return 0
    if [[ ${NOOK_TESTS_MUST_WORK:-} == 1 ]]; then
        echo "$1 is not installed" >&2
        return 1
    fi
    skip "$1 is not installed"
}

# Runs the bash completion function on the words given (the last one is being
# completed) and prints the candidates, one per line.
complete_bash() {
    bash --norc --noprofile -c '
        source "$1" || exit 2
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        _nook nook "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf "%s\n" "${COMPREPLY[@]}"
    ' complete_bash "$COMPLETIONS/nook.bash" "$@"
}

# Types the words into an interactive zsh, completes, prints the buffer.
complete_zsh() {
    cat > "$BATS_TEST_TMPDIR/complete.zsh" <<'EOF'
zmodload zsh/zpty || exit 2
zpty z "env -i HOME=${(q)HOME} TERM=dumb PATH=${(q)PATH} zsh -f -i"
zpty -w z "PS1='> '; fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
# The marker is split in the definition so that its echo does not match.
zpty -w z 'nook-test-complete() { zle complete-word; print -r -- "" "RESULT""<$BUFFER>"; }'
zpty -w z 'zle -N nook-test-complete; bindkey "^T" nook-test-complete'
zpty -w -n z "$2"$'\x14'
zpty -r z out '*RESULT<*>*'
print -r -- "${${out##*RESULT<}%%>*}"
zpty -d z
EOF
    HOME=$BATS_TEST_TMPDIR timeout 30 zsh -f "$BATS_TEST_TMPDIR/complete.zsh" "$COMPLETIONS" "$1"
}

# fish's own completion engine on a command line; prints the candidates.
complete_fish() {
    # shellcheck disable=SC2016 # $argv is fish's, expanded by fish
    HOME=$BATS_TEST_TMPDIR fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
        "$COMPLETIONS/nook.fish" "$1" | cut -f1
}

# Long options in a --help text, sorted.
long_options_of() {
    grep -oE -- '--[a-z][a-z-]*' | sort -u
}

@test "bash -n nook.bash" {
    run bash -n "$COMPLETIONS/nook.bash"
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "zsh -n _nook" {
    require_shell zsh
    run zsh -n "$COMPLETIONS/_nook"
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "fish -n nook.fish" {
    require_shell fish
    run fish --no-config -n "$COMPLETIONS/nook.fish"
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "bash: nook r completes to run" {
    run complete_bash nook r
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = run ]
}

@test "bash: nook <TAB> lists the commands" {
    run complete_bash nook ''
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "help run spec " ]
}

@test "bash: nook run --n offers --name" {
    run complete_bash nook run --n
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $'\n'$output$'\n' == *$'\n--name\n'* ]]
    run complete_bash nook run --na
    [ "$output" = --name ]
}

@test "bash: global options, and options with arguments skipped" {
    run complete_bash nook --
    echo "$output"
    [[ $'\n'$output$'\n' == *$'\n--root\n'* ]]
    [[ $'\n'$output$'\n' == *$'\n--log-format\n'* ]]
    run complete_bash nook --log-format ''
    [ "$(echo "$output" | tr '\n' ' ')" = "text json " ]
    run complete_bash nook --root /tmp --log-format json s
    [ "$output" = spec ]
    run complete_bash nook --root = /tmp s
    [ "$output" = spec ]
}

@test "bash: run completes the bundle as a directory, then COMMAND" {
    run complete_bash nook run bund
    echo "$output"
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "bundle-a bundle-b " ]
    run complete_bash nook run --name web -t bund
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "bundle-a bundle-b " ]
    run complete_bash nook run -n web -c config.json bund
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "bundle-a bundle-b " ]
    run complete_bash nook run --config conf
    [ "$output" = config.json ]
    run complete_bash nook run -c conf
    [ "$output" = config.json ]
    # After BUNDLE the words belong to the container's command.
    run complete_bash nook run bundle-a --n
    [ -z "$output" ]
    run complete_bash nook run bundle-a -- --n
    [ -z "$output" ]
    run complete_bash nook run bundle-a printen
    [ "$output" = printenv ]
}

@test "bash: spec options and --bundle DIR" {
    run complete_bash nook spec --
    echo "$output"
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "--bundle --force --help --rootless " ]
    run complete_bash nook spec --bundle bund
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "bundle-a bundle-b " ]
    run complete_bash nook spec --bundle = bund
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "bundle-a bundle-b " ]
}

# The completions must follow the binary: every command and long option the
# help texts list is completed, and nothing else.
@test "bash: completions match nook --help and nook spec --help" {
    : "${NOOK:?NOOK must name the nook binary}"
    local helped completed
    helped=$("$NOOK" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort)
    completed=$(complete_bash nook '' | grep -vx help | sort)
    echo "help: $helped / completion: $completed"
    [ -n "$helped" ]
    [ "$helped" = "$completed" ]

    helped=$("$NOOK" --help | long_options_of)
    completed=$(complete_bash nook -- | long_options_of)
    echo "help: $helped / completion: $completed"
    [ "$helped" = "$completed" ]

    helped=$("$NOOK" spec --help | long_options_of)
    completed=$(complete_bash nook spec -- | long_options_of)
    echo "help: $helped / completion: $completed"
    [ "$helped" = "$completed" ]
}

@test "bash: completions match nook run --help" {
    : "${NOOK:?NOOK must name the nook binary}"
    local help helped completed
    help=$("$NOOK" run --help) || skip "nook run --help does not work yet"
    helped=$(echo "$help" | long_options_of)
    completed=$(complete_bash nook run -- | long_options_of)
    echo "help: $helped / completion: $completed"
    [ "$helped" = "$completed" ]
}

@test "zsh: nook r completes to run, options and bundles" {
    require_shell zsh
    run complete_zsh 'nook r'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "nook run " ]
    run complete_zsh 'nook run --na'
    [ "$output" = "nook run --name=" ]
    run complete_zsh 'nook spec --roo'
    [ "$output" = "nook spec --rootless " ]
    run complete_zsh 'nook --log-format j'
    [ "$output" = "nook --log-format json " ]
    run complete_zsh 'nook run bundle-'
    [ "$output" = "nook run bundle-" ]
    run complete_zsh 'nook run bundle-a printen'
    [ "$output" = "nook run bundle-a printenv " ]
}

@test "fish: nook r completes to run, options and bundles" {
    require_shell fish
    run complete_fish 'nook r'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = run ]
    run complete_fish 'nook run --n'
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "--name --no-tty " ]
    run complete_fish 'nook spec --'
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "--bundle --force --help --rootless " ]
    run complete_fish 'nook --root /tmp run bund'
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "bundle-a/ bundle-b/ " ]
    run complete_fish 'nook run bundle-a -- printen'
    [ "$output" = printenv ]
}
