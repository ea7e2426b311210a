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

# The state directory root: --root from the command line, or nook's default
# (storage/xdg.c: $XDG_RUNTIME_DIR/nook, or /tmp/nook-UID).
_nook_state_root() {
    if [[ -n $1 ]]; then
        printf '%s\n' "$1"
    elif [[ -n ${XDG_RUNTIME_DIR:-} ]]; then
        printf '%s\n' "$XDG_RUNTIME_DIR/nook"
    else
        printf '%s\n' "/tmp/nook-${EUID:-$(id -u)}"
    fi
}

# Container ids where an ID goes: the state directories (no nook call).
_nook_reply_ids() {
    local root ids
    root=$(_nook_state_root "$1")
    ids=$(cd "$root" 2>/dev/null && printf '%s ' *)
    [[ $ids == '* ' ]] && ids=''
    _nook_reply -W "$ids" "$2"
}

# True when OPTION of COMMAND takes an argument ("--root DIR").
_nook_takes_argument() {
    case $2 in
        --root | --log | --log-format | --cgroup-manager | --config | -c | --name | -n | \
            --bundle | -b | --userns | --group-add | --net | --network | --ipc | --pid | --uts | \
            --dns | --max-entries | --rootfs | --format | --pid-file | --console-socket | \
            --preserve-fds | --env | -e | --cwd | --user | -u | --cap | --process | -p | \
            --additional-gids | -g | --apparmor | --process-label)
            return 0
            ;;
        # -f is ps's --format, and --force elsewhere.
        -f) [[ $1 == ps ]] ;;
        *) return 1 ;;
    esac
}

# Completes the argument of an option that takes one; returns 1 for an option
# that takes none. $3: the command, for options whose meaning depends on it.
_nook_option_argument() {
    local option=$1 cur=$2 command=${3:-}
    [[ $option == -f && $command != ps ]] && return 1
    case $option in
        --root | --bundle | -b) _nook_reply -d '' "$cur" ;;
        --log | --config | -c | --pid-file | --console-socket | --process | -p) _nook_reply -f '' "$cur" ;;
        --log-format) _nook_reply -W 'text json' "$cur" ;;
        --cgroup-manager) _nook_reply -W 'cgroupfs systemd disabled' "$cur" ;;
        # A name, a number, K=V, UID:GID, a path inside the container:
        # nothing to offer.
        --name | -n | --max-entries | --preserve-fds | --env | -e | --user | -u | --cwd | \
            --additional-gids | -g | --apparmor | --process-label) COMPREPLY=() ;;
        --cap) _nook_reply -W "$_nook_capabilities" "$cur" ;;
        --userns) _nook_reply -W 'auto keep-id' "$cur" ;;
        --group-add) _nook_reply -W 'keep-groups' "$cur" ;;
        # --network: run's hidden alias of --net.
        --net | --network) _nook_reply -W 'host none pasta' "$cur" ;;
        --ipc | --pid | --uts) _nook_reply -W 'host' "$cur" ;;
        --dns) _nook_reply -W 'bundle' "$cur" ;;
        --rootfs) _nook_reply -W 'fuse-overlayfs overlay bind' "$cur" ;;
        --format | -f) _nook_reply -W 'table json' "$cur" ;;
        *) return 1 ;;
    esac
    return 0
}

_nook_capabilities='CAP_AUDIT_CONTROL CAP_AUDIT_READ CAP_AUDIT_WRITE CAP_BLOCK_SUSPEND CAP_BPF
    CAP_CHECKPOINT_RESTORE CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID
    CAP_IPC_LOCK CAP_IPC_OWNER CAP_KILL CAP_LEASE CAP_LINUX_IMMUTABLE CAP_MAC_ADMIN CAP_MAC_OVERRIDE
    CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_RAW CAP_PERFMON CAP_SETFCAP
    CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYSLOG CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_CHROOT
    CAP_SYS_MODULE CAP_SYS_NICE CAP_SYS_PACCT CAP_SYS_PTRACE CAP_SYS_RAWIO CAP_SYS_RESOURCE
    CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_WAKE_ALARM'

_nook() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=''
    local commands='cache create delete exec features help import kill list ls ps rm run spec start state'
    local global_options='--root --log --log-format --debug --systemd-cgroup --cgroup-manager
        --version -v --help -h'
    local run_options='--config -c --name -n --tty -t --no-tty -T --no-filter-cache
        --userns --group-add --net --ipc --pid --uts --dns --rootfs --rm --replace
        --bundle -b --detach -d --pid-file --console-socket --preserve-fds --help -h'
    local create_options='--bundle -b --pid-file --console-socket --preserve-fds --rootfs
        --no-filter-cache --no-new-keyring --no-pivot --help -h'
    local exec_options='--tty -t --console-socket --detach -d --pid-file --env -e --cwd --user -u
        --additional-gids -g --apparmor --process-label --cap --no-new-privs --no-filter-cache --preserve-fds --process -p --help -h'
    local spec_options='--rootless --bundle -b --force -f --help -h'
    local cache_commands='ls prune clear help'
    local command='' subcommand='' positionals=0 ended='' bundle_dashdash='' root='' bundle_given=''
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
            [[ -z $command && $word == --root=* ]] && root=${word#--root=}
            # runc's form of run: "run -b DIR ID".
            [[ $command == run && ($word == -b || $word == --bundle) ]] && bundle_given=1
            # An option with a separate argument: skip the argument, unless
            # the option is the word just before the cursor.
            if _nook_takes_argument "$command" "$word"; then
                if ((i + 1 < COMP_CWORD)) && [[ ${COMP_WORDS[i + 1]} != = ]]; then
                    [[ -z $command && $word == --root ]] && root=${COMP_WORDS[i + 1]}
                    i=$((i + 1))
                elif ((i + 2 < COMP_CWORD)) && [[ -z $command && $word == --root ]]; then
                    root=${COMP_WORDS[i + 2]}
                fi
            fi
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

    if [[ -z $ended && $prev == -* && $cur != -* ]] && _nook_takes_argument "$command" "$prev"; then
        _nook_option_argument "$prev" "$cur" "$command" && return 0
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
        import)
            # SOURCE (a file, -, a directory, an OCI layout), then BUNDLE.
            if [[ -z $ended && $cur == -* ]]; then
                _nook_reply -W '--tag --help -h' "$cur"
            elif [[ $prev != --tag ]]; then
                _nook_reply -f '' "$cur"
            fi
            ;;
        ls | list)
            [[ -z $ended ]] && _nook_reply -W '--format --quiet -q --help -h' "$cur"
            ;;
        features)
            [[ -z $ended ]] && _nook_reply -W '--help -h' "$cur"
            ;;
        create)
            # ID is new: nothing to offer.
            [[ -z $ended && $cur == -* ]] && _nook_reply -W "$create_options" "$cur"
            ;;
        start | state | delete | kill | ps)
            if [[ -z $ended && $cur == -* ]]; then
                case $command in
                    delete) _nook_reply -W '--force -f --help -h' "$cur" ;;
                    kill) _nook_reply -W '--all -a --help -h' "$cur" ;;
                    ps) _nook_reply -W '--format -f --help -h' "$cur" ;;
                    *) _nook_reply -W '--help -h' "$cur" ;;
                esac
            elif ((positionals == 0)); then
                _nook_reply_ids "$root" "$cur"
            elif [[ $command == kill ]] && ((positionals == 1)); then
                _nook_reply -W "$(compgen -A signal) $(compgen -A signal | sed 's/^SIG//')" "$cur"
            fi
            ;;
        exec)
            if ((positionals == 0)); then
                if [[ -z $ended && $cur == -* ]]; then
                    _nook_reply -W "$exec_options" "$cur"
                else
                    _nook_reply_ids "$root" "$cur"
                fi
            elif ((positionals == 1)); then
                _nook_reply -c '' "$cur"
            else
                _nook_reply -f '' "$cur"
            fi
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
                # Before BUNDLE: options, then the bundle directory (with
                # -b DIR, runc's form, a new ID: nothing to offer).
                if [[ -z $ended && $cur == -* ]]; then
                    _nook_reply -W "$run_options" "$cur"
                elif [[ -n $bundle_given ]]; then
                    COMPREPLY=()
                else
                    _nook_reply -d '' "$cur"
                fi
            elif [[ -n $bundle_given ]]; then
                COMPREPLY=()
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
