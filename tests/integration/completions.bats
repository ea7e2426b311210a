#!/usr/bin/env bats
# Shell completions: syntax, and what they complete, in bash, zsh and fish.
# Set by meson: NOOK (the binary), NOOK_SRCDIR (source root).

load helpers

setup() {
    : "${NOOK_SRCDIR:?NOOK_SRCDIR must name the source root}"
    COMPLETIONS=$NOOK_SRCDIR/completions
    cd "$BATS_TEST_TMPDIR" || return 1
    # Something for file and directory completion to find.
    mkdir -p bundle-a bundle-b
    touch bundle-file config.json
}

fail() {
    printf '%s\n' "$*" >&2
    return 1
}

# A shell that is not installed is skipped, unless NOOK_TESTS_MUST_WORK=1 says
# this machine was set up to have it (tests/setup-host.sh installs zsh and fish).
require_shell() {
    command -v "$1" >/dev/null && return 0
    skip_or_fail "$1 is not installed"
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

# What zsh's _nook declares, without a terminal: _arguments and _describe
# are replaced by functions that print their arguments, so the option specs
# of _nook (global options, when the file is sourced) or of _nook_FUNCTION
# come out one per line. zsh_specs [FUNCTION]
zsh_specs() {
    zsh -f -c '
        _arguments() { print -rl -- "$@"; }
        _describe() { print -rl -- ${(P)${@[-1]}}; }
        if [[ -n $2 ]]; then
            source "$1" >/dev/null || exit 2
            $2
        else
            source "$1" || exit 2
        fi
    ' zsh_specs "$COMPLETIONS/_nook" "${1:-}"
}

# Long options in zsh specs: "(-c --config)--config=[...]", "*--cap=[...]";
# hidden ones ("!...") are not offered, so not counted.
zsh_long_options() {
    sed -E 's/^\*?(\([^)]*\))?//' | grep -v '^!' | grep -oE -- '^--[a-z][a-z-]*' | sort -u
}

# The commands `nook --help` lists (help among them).
help_commands() {
    "$NOOK" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort
}

# The long options a shell completes for "nook [COMMAND] --".
completed_options() {
    local shell=$1 cmd=${2:-}
    case $shell in
        # shellcheck disable=SC2086 # an empty $cmd is no word
        bash) complete_bash nook $cmd -- | long_options_of ;;
        fish) complete_fish "nook ${cmd:+$cmd }--" | long_options_of ;;
        zsh)
            if [[ -z $cmd ]]; then
                zsh_specs | zsh_long_options
            else
                [[ $cmd == list ]] && cmd=ls
                zsh_specs "_nook_$cmd" | zsh_long_options
            fi
            ;;
    esac
}

# The commands a shell completes after "nook ".
completed_commands() {
    case $1 in
        bash) complete_bash nook '' | sort ;;
        fish) complete_fish 'nook ' | sort ;;
        zsh) zsh_specs _nook_commands | cut -d: -f1 | sort ;;
    esac
}

# The completions cannot drift from the binary: every command `nook --help`
# lists is completed, and for every command the shell completes that nook
# knows, the long options are exactly those of `nook COMMAND --help`. A
# completed command nook does not know must be one of issue 10's runtime
# verbs, written from runc's option spellings before nook has it; once nook
# has it, its --help is the reference like any other command's.
check_against_help() {
    local shell=$1 helped completed cmd missing
    helped=$(help_commands)
    completed=$(completed_commands "$shell")
    missing=$(comm -23 <(echo "$helped") <(echo "$completed"))
    [ -n "$helped" ] || { fail "no commands in nook --help"; return 1; }
    [ -z "$missing" ] || { fail "$shell does not complete: $missing"; return 1; }

    helped=$("$NOOK" --help | long_options_of)
    completed=$(completed_options "$shell")
    [ "$helped" = "$completed" ] ||
        { fail "$shell: global options: help: $helped / completion: $completed"; return 1; }

    for cmd in $(completed_commands "$shell"); do
        [ "$cmd" = help ] && continue
        if ! "$NOOK" "$cmd" --help >/dev/null 2>&1; then
            case $cmd in
                create | start | state | kill | delete | exec | list) ;;
                *) fail "$shell completes '$cmd', which nook does not know"; return 1 ;;
            esac
            "$NOOK" "$cmd" --help 2>&1 | grep -q "unknown command '$cmd'" ||
                { fail "nook $cmd --help fails: $("$NOOK" "$cmd" --help 2>&1)"; return 1; }
            continue
        fi
        helped=$("$NOOK" "$cmd" --help | long_options_of)
        completed=$(completed_options "$shell" "$cmd")
        [ -n "$helped" ] || { fail "nook $cmd --help lists no option"; return 1; }
        # shellcheck disable=SC2086 # echo joins the lines
        [ "$helped" = "$completed" ] ||
            { fail "$shell: nook $cmd: help: $(echo $helped) / completion: $(echo $completed)"; return 1; }
    done
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

@test "bash: nook ru completes to run" {
    run complete_bash nook ru
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = run ]
}

@test "bash: nook <TAB> lists the commands" {
    run complete_bash nook ''
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "cache create delete exec features help import kill list ls ps rm run spec start state " ]
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
    run complete_bash nook --root /tmp --log-format json sp
    [ "$output" = spec ]
    run complete_bash nook --root = /tmp sp
    [ "$output" = spec ]
    run complete_bash nook --debug --cgroup-manager cgroupfs --systemd-cgroup --log-format = json sp
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

@test "bash: run option values, and their arguments skipped" {
    run complete_bash nook run --net ''
    echo "$output"
    [ "$(echo "$output" | tr '\n' ' ')" = "host none pasta " ]
    run complete_bash nook run --net = p
    [ "$output" = pasta ]
    run complete_bash nook run --network = h
    [ "$output" = host ]
    run complete_bash nook run --userns = ''
    [ "$(echo "$output" | tr '\n' ' ')" = "auto keep-id " ]
    run complete_bash nook run --group-add ''
    [ "$output" = keep-groups ]
    run complete_bash nook run --ipc = ''
    [ "$output" = host ]
    run complete_bash nook run --dns ''
    [ "$output" = bundle ]
    run complete_bash nook run --no-f
    [ "$output" = --no-filter-cache ]
    # "--net host" and "--net=host" are both one option: BUNDLE comes next.
    run complete_bash nook run --net host --userns = keep-id --no-filter-cache bund
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "bundle-a bundle-b " ]
    run complete_bash nook run --pid host --uts = host bundle-a printen
    [ "$output" = printenv ]
}

@test "bash: cache subcommands and their options" {
    run complete_bash nook ca
    echo "$output"
    [ "$output" = cache ]
    run complete_bash nook cache ''
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "clear help ls prune " ]
    run complete_bash nook cache p
    [ "$output" = prune ]
    run complete_bash nook cache --
    [ "$output" = --help ]
    run complete_bash nook cache ls -
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "--help --quiet -h -q " ]
    run complete_bash nook cache ls -q --
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "--help --quiet " ]
    run complete_bash nook cache prune --
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "--help --max-entries " ]
    run complete_bash nook cache prune --max-entries ''
    [ -z "$output" ]
    run complete_bash nook cache prune --max-entries 10 --
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "--help --max-entries " ]
    run complete_bash nook cache clear --
    [ "$output" = --help ]
    # The subcommands take no arguments.
    run complete_bash nook cache ls extra --
    [ -z "$output" ]
    run complete_bash nook help ca
    [ "$output" = cache ]
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

@test "bash: every command and option of nook --help and nook COMMAND --help, and nothing else" {
    : "${NOOK:?NOOK must name the nook binary}"
    check_against_help bash
}

@test "zsh: every command and option of nook --help and nook COMMAND --help, and nothing else" {
    require_shell zsh
    : "${NOOK:?NOOK must name the nook binary}"
    check_against_help zsh
}

@test "bash: completions match nook run --help" {
    : "${NOOK:?NOOK must name the nook binary}"
    local help helped completed option value
    help=$("$NOOK" run --help) || fail "nook run --help failed"
    helped=$(echo "$help" | long_options_of)
    completed=$(complete_bash nook run -- | long_options_of)
    echo "help: $helped / completion: $completed"
    [ "$helped" = "$completed" ]

    # Every fixed value the help names ("--ipc=host", "--net=MODE ... host:")
    # is offered after "--option=".
    while read -r option value; do
        completed=$(complete_bash nook run "$option" = '')
        echo "$option=$value: $completed"
        [[ $'\n'$completed$'\n' == *$'\n'$value$'\n'* ]]
    done < <(echo "$help" | grep -oE -- '--[a-z-]+=[a-z][a-z-]*' | tr '=' ' ')
    [ "$(complete_bash nook run --net = '' | sort | tr '\n' ' ')" = "host none pasta " ]
    [ "$(complete_bash nook run --userns = '' | sort | tr '\n' ' ')" = "auto keep-id " ]
}

@test "bash: completions match nook cache --help and its subcommands" {
    : "${NOOK:?NOOK must name the nook binary}"
    local helped completed subcommand
    helped=$("$NOOK" cache --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort)
    completed=$(complete_bash nook cache '' | grep -vx help | sort)
    echo "help: $helped / completion: $completed"
    [ -n "$helped" ]
    [ "$helped" = "$completed" ]

    helped=$("$NOOK" cache --help | long_options_of)
    completed=$(complete_bash nook cache -- | long_options_of)
    echo "help: $helped / completion: $completed"
    [ "$helped" = "$completed" ]

    for subcommand in ls prune clear; do
        helped=$("$NOOK" cache "$subcommand" --help | long_options_of)
        completed=$(complete_bash nook cache "$subcommand" -- | long_options_of)
        echo "$subcommand help: $helped / completion: $completed"
        [ -n "$helped" ]
        [ "$helped" = "$completed" ]
    done
}

@test "zsh: nook ru completes to run, options and bundles" {
    require_shell zsh
    run complete_zsh 'nook ru'
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

@test "zsh: run option values, cache subcommands and options" {
    require_shell zsh
    run complete_zsh 'nook run --net=p'
    echo "$output"
    [ "$output" = "nook run --net=pasta " ]
    run complete_zsh 'nook run --userns=k'
    [ "$output" = "nook run --userns=keep-id " ]
    run complete_zsh 'nook run --no-f'
    [ "$output" = "nook run --no-filter-cache " ]
    run complete_zsh 'nook run --net host bundle-a printen'
    [ "$output" = "nook run --net host bundle-a printenv " ]
    run complete_zsh 'nook ca'
    [ "$output" = "nook cache " ]
    run complete_zsh 'nook cache pr'
    [ "$output" = "nook cache prune " ]
    run complete_zsh 'nook cache ls --q'
    [ "$output" = "nook cache ls --quiet " ]
    run complete_zsh 'nook cache prune --m'
    [ "$output" = "nook cache prune --max-entries=" ]
}

@test "fish: nook ru completes to run, options and bundles" {
    require_shell fish
    run complete_fish 'nook ru'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = run ]
    run complete_fish 'nook run --n'
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "--name --net --no-filter-cache --no-tty " ]
    run complete_fish 'nook spec --'
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "--bundle --force --help --rootless " ]
    run complete_fish 'nook --root /tmp run bund'
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "bundle-a/ bundle-b/ " ]
    run complete_fish 'nook run bundle-a -- printen'
    [ "$output" = printenv ]
}

@test "fish: run option values, cache subcommands and options" {
    require_shell fish
    run complete_fish 'nook run --net '
    echo "$output"
    [ "$(echo "$output" | tr '\n' ' ')" = "host none pasta " ]
    run complete_fish 'nook run --userns=k'
    [ "$output" = --userns=keep-id ]
    run complete_fish 'nook run --net host --dns bundle bund'
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "bundle-a/ bundle-b/ " ]
    run complete_fish 'nook '
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "cache create delete exec features help import kill list ls ps rm run spec start state " ]
    run complete_fish 'nook cache '
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "clear help ls prune " ]
    run complete_fish 'nook cache ls -q --'
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "--help --quiet " ]
    run complete_fish 'nook cache prune --max-entries 5 --'
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "--help --max-entries " ]
    run complete_fish 'nook cache ls extra --'
    [ -z "$output" ]
}

@test "fish: every command and option of nook --help and nook COMMAND --help, and nothing else" {
    require_shell fish
    : "${NOOK:?NOOK must name the nook binary}"
    check_against_help fish
    local words helped completed
    for words in 'cache ls' 'cache prune' 'cache clear'; do
        # shellcheck disable=SC2086 # $words is split on purpose
        helped=$("$NOOK" $words --help | long_options_of)
        completed=$(complete_fish "nook $words --" | long_options_of)
        [ "$helped" = "$completed" ] || fail "nook $words: help: $helped / completion: $completed"
    done
}

# The check itself: a completion that lists an option nook does not have,
# or misses one, fails it.
@test "the drift check fails on a completion that differs from --help" {
    : "${NOOK:?NOOK must name the nook binary}"
    mkdir "$BATS_TEST_TMPDIR/c"
    sed "s/local global_options='--root /local global_options='--no-such-option --root /" \
        "$COMPLETIONS/nook.bash" >"$BATS_TEST_TMPDIR/c/nook.bash"
    sed "s/'--debug\[Add debug lines to the log\]' //" "$COMPLETIONS/_nook" >"$BATS_TEST_TMPDIR/c/_nook"
    cmp -s "$COMPLETIONS/nook.bash" "$BATS_TEST_TMPDIR/c/nook.bash" && fail "sed changed nothing in nook.bash"
    cmp -s "$COMPLETIONS/_nook" "$BATS_TEST_TMPDIR/c/_nook" && fail "sed changed nothing in _nook"
    COMPLETIONS=$BATS_TEST_TMPDIR/c
    run check_against_help bash
    [ "$status" -ne 0 ]
    [[ $output == *"bash: global options: "*"completion: "*"--no-such-option"* ]] || fail "$output"
    if command -v zsh >/dev/null; then
        run check_against_help zsh
        [ "$status" -ne 0 ]
        [[ $output == *"zsh: global options"* ]] || fail "$output"
    fi
}

@test "bash: container ids where an ID goes, from --root or the default state root" {
    mkdir -p root/web root/db
    run complete_bash nook --root "$PWD/root" ps ''
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "db web " ] || fail "$output"
    run complete_bash nook --root = "$PWD/root" kill w
    [ "$output" = web ]
    run complete_bash nook --root "$PWD/root" kill web SIGTE
    [ "$output" = SIGTERM ]
    run complete_bash nook --root "$PWD/root" exec -t -e A=1 --cwd /tmp d
    [ "$output" = db ]
    run complete_bash nook --root "$PWD/root" exec db printen
    [ "$output" = printenv ]
    mkdir -p xdg/nook/box
    XDG_RUNTIME_DIR=$PWD/xdg run complete_bash nook delete -f ''
    [ "$output" = box ]
    XDG_RUNTIME_DIR=$PWD/xdg run complete_bash nook start ''
    [ "$output" = box ]
    run complete_bash nook ps -f ''
    [ "$(echo "$output" | tr '\n' ' ')" = "table json " ]
    run complete_bash nook --cgroup-manager ''
    [ "$(echo "$output" | tr '\n' ' ')" = "cgroupfs systemd disabled " ]
    # runc's run form: after -b DIR comes a new ID, nothing to offer.
    run complete_bash nook run -b bundle-a ''
    [ -z "$output" ]
    run complete_bash nook create --bundle bund
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "bundle-a bundle-b " ]
}

@test "fish and zsh: container ids where an ID goes" {
    require_shell fish
    require_shell zsh
    mkdir -p root/web root/db
    run complete_fish "nook --root $PWD/root ps "
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "db web " ] || fail "$output"
    run complete_fish "nook --root $PWD/root exec -e A=1 w"
    [ "$output" = web ] || fail "$output"
    run complete_fish "nook ps -f "
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "json table " ] || fail "$output"
    run complete_zsh "nook --root $PWD/root kill w"
    [ "$output" = "nook --root $PWD/root kill web " ] || fail "$output"
    run complete_zsh "nook --cgroup-manager sy"
    [ "$output" = "nook --cgroup-manager systemd " ] || fail "$output"
    run complete_zsh "nook feat"
    [ "$output" = "nook features " ] || fail "$output"
}
