# fish completion for nook
#
# Global options come before the command; each command's options are parsed
# POSIX-style (the first non-option ends them), so run's COMMAND keeps its own.

# Prints the words after "nook" that are not options or option arguments (the
# command first), one per line; for run, a "--" right after BUNDLE is dropped.
# Options end at the command's first argument, except that cache's subcommand
# takes options of its own ("nook cache ls -q").
function __fish_nook_positionals
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip_next 0
    set -l ended 0
    set -l found
    set -l separator_seen 0
    for token in $tokens
        if test $skip_next = 1
            set skip_next 0
            continue
        end
        if test $ended = 0
            switch $token
                case --
                    if set -q found[1]
                        set ended 1
                    end
                    continue
                case --root --log --log-format --config -c --name -n --bundle -b \
                    --userns --group-add --net --network --ipc --pid --uts --dns --max-entries \
                    --rootfs --format
                    set skip_next 1
                    continue
                case '-*'
                    continue
            end
        end
        if test $separator_seen = 0; and test "$found[1]" = run; and test (count $found) = 2; and test $token = --
            set separator_seen 1
            continue
        end
        set -a found $token
        if test (count $found) -ge 2; and not test "$found[1]" = cache -a (count $found) = 2
            set ended 1
        end
    end
    string join \n -- $found
end

function __fish_nook_needs_command
    set -l words (__fish_nook_positionals)
    test -z "$words[1]"
end

# True when the command is $argv[1] and exactly $argv[2] positionals follow it.
function __fish_nook_at
    set -l words (__fish_nook_positionals)
    test "$words[1]" = $argv[1]; and test (math (count $words) - 1) -eq $argv[2]
end

# True when the words are "cache $argv[1]" and nothing follows.
function __fish_nook_cache_at
    set -l words (__fish_nook_positionals)
    test "$words[1]" = cache; and test "$words[2]" = $argv[1]; and test (count $words) -eq 2
end

# The arguments of run's COMMAND (after BUNDLE and COMMAND).
function __fish_nook_run_command_args
    set -l words (__fish_nook_positionals)
    test "$words[1]" = run; and test (count $words) -ge 3
end

complete -c nook -f

# Global options and commands
complete -c nook -n __fish_nook_needs_command -l root -x -a '(__fish_complete_directories)' -d 'Directory for container state'
complete -c nook -n __fish_nook_needs_command -l log -r -F -d 'Log file'
complete -c nook -n __fish_nook_needs_command -l log-format -x -a 'text json' -d 'Log format'
complete -c nook -n __fish_nook_needs_command -s v -l version -d 'Print the version and exit'
complete -c nook -n __fish_nook_needs_command -s h -l help -d 'Show the usage'
complete -c nook -n __fish_nook_needs_command -a cache -d 'Manage the store of compiled seccomp filters'
complete -c nook -n __fish_nook_needs_command -a ls -d 'List containers'
complete -c nook -n __fish_nook_needs_command -a rm -d 'Remove stopped containers and their layers'
complete -c nook -n __fish_nook_needs_command -a run -d 'Run a container from an OCI bundle'
complete -c nook -n __fish_nook_needs_command -a spec -d 'Write a default config.json'
complete -c nook -n __fish_nook_needs_command -a help -d 'Show the usage'

# nook help COMMAND
complete -c nook -n '__fish_nook_at help 0' -a 'cache ls rm run spec help'

# nook run [OPTIONS] BUNDLE [--] COMMAND [ARGS...]
complete -c nook -n '__fish_nook_at run 0' -s c -l config -r -F -d 'Read FILE instead of BUNDLE/config.json'
complete -c nook -n '__fish_nook_at run 0' -s n -l name -x -d 'Container name'
complete -c nook -n '__fish_nook_at run 0' -s t -l tty -d 'Allocate a terminal'
complete -c nook -n '__fish_nook_at run 0' -s T -l no-tty -d 'Do not allocate a terminal'
complete -c nook -n '__fish_nook_at run 0' -l no-filter-cache -d 'Bypass the store of compiled seccomp filters'
complete -c nook -n '__fish_nook_at run 0' -l userns -x -a 'auto keep-id' -d 'User namespace layout'
complete -c nook -n '__fish_nook_at run 0' -l group-add -x -a 'keep-groups' -d "Keep the caller's supplementary groups"
complete -c nook -n '__fish_nook_at run 0' -l net -x -a 'host none pasta' -d 'Network'
complete -c nook -n '__fish_nook_at run 0' -l ipc -x -a 'host' -d "Share the caller's IPC namespace"
complete -c nook -n '__fish_nook_at run 0' -l pid -x -a 'host' -d "Share the caller's PID namespace"
complete -c nook -n '__fish_nook_at run 0' -l uts -x -a 'host' -d "Share the caller's hostname"
complete -c nook -n '__fish_nook_at run 0' -l dns -x -a 'bundle' -d "Keep the bundle's resolv.conf and hosts"
complete -c nook -n '__fish_nook_at run 0' -l rootfs -x -a 'fuse-overlayfs overlay bind' -d 'How the root filesystem is mounted'
complete -c nook -n '__fish_nook_at run 0' -l rm -d 'Throw the writable layer away at exit'
complete -c nook -n '__fish_nook_at run 0' -l replace -d "Start a named container afresh"
complete -c nook -n '__fish_nook_at run 0' -s h -l help -d 'Show the options of run'
# --network: run's hidden alias of --net, parsed but not offered.
complete -c nook -n "__fish_nook_at run 0; and __fish_prev_arg_in --network" -x -a 'host none pasta'
complete -c nook -n "__fish_nook_at run 0; and not __fish_prev_arg_in --network" -x -a '(__fish_complete_directories)'
complete -c nook -n '__fish_nook_at run 1' -x -a '(__fish_complete_command)'
complete -c nook -n __fish_nook_run_command_args -F

# nook ls [--format table|json] [-q]
complete -c nook -n '__fish_nook_at ls 0' -l format -x -a 'table json' -d 'Output format'
complete -c nook -n '__fish_nook_at ls 0' -s q -l quiet -d 'Print the names only'
complete -c nook -n '__fish_nook_at ls 0' -s h -l help -d 'Show the options of ls'

# nook rm [-f] NAME...
function __fish_nook_rm
    set -l words (__fish_nook_positionals)
    test "$words[1]" = rm
end
function __fish_nook_container_names
    set -l dir (set -q XDG_DATA_HOME; and echo $XDG_DATA_HOME; or echo $HOME/.local/share)/nook/containers
    test -d $dir; and path basename $dir/*
end
complete -c nook -n __fish_nook_rm -s f -l force -d 'Stop a running container first'
complete -c nook -n __fish_nook_rm -s h -l help -d 'Show the options of rm'
complete -c nook -n __fish_nook_rm -x -a '(__fish_nook_container_names)'

# nook spec [--rootless] [--bundle DIR] [--force]
complete -c nook -n '__fish_nook_at spec 0' -l rootless -d 'Generate a rootless configuration'
complete -c nook -n '__fish_nook_at spec 0' -s b -l bundle -x -a '(__fish_complete_directories)' -d 'Directory to write config.json in'
complete -c nook -n '__fish_nook_at spec 0' -s f -l force -d 'Overwrite an existing config.json'
complete -c nook -n '__fish_nook_at spec 0' -s h -l help -d 'Show the options of spec'

# nook cache COMMAND [OPTIONS]
complete -c nook -n '__fish_nook_at cache 0' -s h -l help -d 'Show the commands of cache'
complete -c nook -n '__fish_nook_at cache 0' -a ls -d 'List the entries'
complete -c nook -n '__fish_nook_at cache 0' -a prune -d 'Remove damaged and least recently used entries'
complete -c nook -n '__fish_nook_at cache 0' -a clear -d 'Remove every entry'
complete -c nook -n '__fish_nook_at cache 0' -a help -d 'Show the commands of cache'
complete -c nook -n '__fish_nook_cache_at ls' -s q -l quiet -d 'Print the keys only'
complete -c nook -n '__fish_nook_cache_at ls' -s h -l help -d 'Show the options of ls'
complete -c nook -n '__fish_nook_cache_at prune' -l max-entries -x -d 'Keep at most N entries'
complete -c nook -n '__fish_nook_cache_at prune' -s h -l help -d 'Show the options of prune'
complete -c nook -n '__fish_nook_cache_at clear' -s h -l help -d 'Show the options of clear'
