# bash completion for nook                                  -*- shell-script -*-
#
# Self-contained: it needs none of bash-completion's helpers, so it also works
# when sourced on its own. Options follow the C code: global options before the
# command, then the command's options, parsed POSIX-style (the first
# non-option ends them, so that a container's COMMAND keeps its own options).

_nook_reply() {
    # $1: compgen action (-W, -c, -d, -f); $2: the word list for -W; $3: prefix
    local cur=$3
    if [[ $1 == -W ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$2" -- "$cur")
        return
    fi
    if [[ $1 == -c ]]; then
        # A builtin and a file in PATH can share a name: list it once.
        mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
        return
    fi
    mapfile -t COMPREPLY < <(compgen "$1" -- "$cur")
    # Quote and slash-terminate like file names. compopt fails outside a real
    # completion (as in the tests): that is harmless.
    compopt -o filenames 2>/dev/null || :
}

# Completes the argument of an option that takes one; returns 1 for an option
# that takes none.
_nook_option_argument() {
    local option=$1 cur=$2
    case $option in
        --root | --bundle | -b) _nook_reply -d '' "$cur" ;;
        --log | --config | -c) _nook_reply -f '' "$cur" ;;
        --log-format) _nook_reply -W 'text json' "$cur" ;;
        # A name, a number: nothing to offer.
        --name | -n | --max-entries) COMPREPLY=() ;;
        --userns) _nook_reply -W 'auto keep-id' "$cur" ;;
        --group-add) _nook_reply -W 'keep-groups' "$cur" ;;
        # --network: run's hidden alias of --net.
        --net | --network) _nook_reply -W 'host none pasta' "$cur" ;;
        --ipc | --pid | --uts) _nook_reply -W 'host' "$cur" ;;
        --dns) _nook_reply -W 'bundle' "$cur" ;;
        --rootfs) _nook_reply -W 'fuse-overlayfs overlay bind' "$cur" ;;
        --format) _nook_reply -W 'table json' "$cur" ;;
        *) return 1 ;;
    esac
    return 0
}

_nook() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=''
    local commands='cache ls rm run spec help'
    local global_options='--root --log --log-format --version -v --help -h'
    local run_options='--config -c --name -n --tty -t --no-tty -T --no-filter-cache
        --userns --group-add --net --ipc --pid --uts --dns --rootfs --rm --replace --help -h'
    local spec_options='--rootless --bundle -b --force -f --help -h'
    local cache_commands='ls prune clear help'
    local command='' subcommand='' positionals=0 ended='' bundle_dashdash=''
    local i word

    COMPREPLY=()
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

    # bash splits "--opt=value" at '=' (COMP_WORDBREAKS): put it back together.
    if [[ $cur == = ]]; then
        _nook_option_argument "$prev" '' && return 0
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        _nook_option_argument "${COMP_WORDS[COMP_CWORD - 2]}" "$cur" && return 0
    fi

    # Walk the words before the cursor: find the command (and cache's
    # subcommand) and, for run, whether the BUNDLE has been given.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $word == = ]]; then
            i=$((i + 1))
            continue
        fi
        if [[ -z $ended && $word == -* ]]; then
            if [[ $word == -- ]]; then
                [[ -n $command ]] && ended=1
                continue
            fi
            # An option with a separate argument: skip the argument, unless
            # the option is the word just before the cursor.
            case $word in
                --root | --log | --log-format | --config | -c | --name | -n | --bundle | -b | \
                    --userns | --group-add | --net | --network | --ipc | --pid | --uts | --dns | \
                    --max-entries | --rootfs | --format)
                    if ((i + 1 < COMP_CWORD)) && [[ ${COMP_WORDS[i + 1]} != = ]]; then
                        i=$((i + 1))
                    fi
                    ;;
            esac
            continue
        fi
        # "nook run BUNDLE -- COMMAND": that "--" only separates.
        if [[ $word == -- && $command == run ]] && ((positionals == 1)) && [[ -z $bundle_dashdash ]]; then
            bundle_dashdash=1
            continue
        fi
        if [[ -z $command ]]; then
            command=$word
        elif [[ $command == cache && -z $subcommand ]]; then
            # "nook cache ls -q": the subcommand's options follow it.
            subcommand=$word
        else
            positionals=$((positionals + 1))
            ended=1
        fi
    done

    if [[ -z $ended && $prev == -* && $cur != -* ]]; then
        _nook_option_argument "$prev" "$cur" && return 0
    fi

    case $command in
        '')
            if [[ $cur == -* ]]; then
                _nook_reply -W "$global_options" "$cur"
            else
                _nook_reply -W "$commands" "$cur"
            fi
            ;;
        help)
            ((positionals == 0)) && _nook_reply -W "$commands" "$cur"
            ;;
        spec)
            [[ -z $ended ]] && _nook_reply -W "$spec_options" "$cur"
            ;;
        ls)
            [[ -z $ended ]] && _nook_reply -W '--format --quiet -q --help -h' "$cur"
            ;;
        rm)
            if [[ $cur == -* ]]; then
                _nook_reply -W '--force -f --help -h' "$cur"
            else
                # Named containers: their layers' directories (no nook call).
                local dir=${XDG_DATA_HOME:-$HOME/.local/share}/nook/containers names
                names=$(cd "$dir" 2>/dev/null && printf '%s ' *)
                [[ $names == '* ' ]] && names=''
                _nook_reply -W "$names" "$cur"
            fi
            ;;
        cache)
            if [[ -z $subcommand ]]; then
                if [[ $cur == -* ]]; then
                    _nook_reply -W '--help -h' "$cur"
                else
                    _nook_reply -W "$cache_commands" "$cur"
                fi
            elif [[ -z $ended ]]; then
                # The subcommands take options only, no arguments.
                case $subcommand in
                    ls) _nook_reply -W '--quiet -q --help -h' "$cur" ;;
                    prune) _nook_reply -W '--max-entries --help -h' "$cur" ;;
                    clear) _nook_reply -W '--help -h' "$cur" ;;
                esac
            fi
            ;;
        run)
            if ((positionals == 0)); then
                # Before BUNDLE: options, then the bundle directory.
                if [[ -z $ended && $cur == -* ]]; then
                    _nook_reply -W "$run_options" "$cur"
                else
                    _nook_reply -d '' "$cur"
                fi
            elif ((positionals == 1)); then
                # COMMAND runs inside the container: offer host commands as
                # the usual guess, as sudo and env completions do.
                _nook_reply -c '' "$cur"
            else
                _nook_reply -f '' "$cur"
            fi
            ;;
    esac
    return 0
}

complete -F _nook nook
