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
                case --root --log --log-format --cgroup-manager --config -c --name -n --bundle -b \
                    --userns --group-add --net --network --ipc --pid --uts --dns --max-entries \
                    --rootfs --format --pid-file --console-socket --preserve-fds --env -e --cwd \
                    --user -u --cap --process -p --additional-gids -g --apparmor --process-label
                    set skip_next 1
                    continue
                case -f
                    # ps's --format; --force elsewhere.
                    if test "$found[1]" = ps
                        set skip_next 1
                    end
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
complete -c nook -n __fish_nook_needs_command -l debug -d 'Add debug lines to the log'
complete -c nook -n __fish_nook_needs_command -l cgroup-manager -x -a 'cgroupfs systemd disabled' -d 'Cgroup manager (accepted, not used)'
complete -c nook -n __fish_nook_needs_command -l systemd-cgroup -d 'The same as --cgroup-manager systemd'
complete -c nook -n __fish_nook_needs_command -s v -l version -d 'Print the version and exit'
complete -c nook -n __fish_nook_needs_command -s h -l help -d 'Show the usage'
complete -c nook -n __fish_nook_needs_command -a cache -d 'Manage the store of compiled seccomp filters'
complete -c nook -n __fish_nook_needs_command -a ls -d 'List containers'
complete -c nook -n __fish_nook_needs_command -a list -d 'List containers'
complete -c nook -n __fish_nook_needs_command -a features -d 'Show what nook supports'
complete -c nook -n __fish_nook_needs_command -a ps -d 'List the processes of a container'
complete -c nook -n __fish_nook_needs_command -a create -d 'Create a container, ready to start'
complete -c nook -n __fish_nook_needs_command -a start -d 'Start a created container'
complete -c nook -n __fish_nook_needs_command -a state -d 'Show the state of a container'
complete -c nook -n __fish_nook_needs_command -a kill -d 'Send a signal to a container'
complete -c nook -n __fish_nook_needs_command -a delete -d 'Delete a container'
complete -c nook -n __fish_nook_needs_command -a exec -d 'Run a process in a running container'
complete -c nook -n __fish_nook_needs_command -a rm -d 'Remove stopped containers and their layers'
complete -c nook -n __fish_nook_needs_command -a run -d 'Run a container from an OCI bundle'
complete -c nook -n __fish_nook_needs_command -a spec -d 'Write a default config.json'
complete -c nook -n __fish_nook_needs_command -a import -d 'Make a bundle from a tarball, a directory or an OCI layout'
complete -c nook -n __fish_nook_needs_command -a help -d 'Show the usage'

# nook help COMMAND
complete -c nook -n '__fish_nook_at help 0' -a 'cache create delete exec features help import kill list ls ps rm run spec start state'

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
complete -c nook -n '__fish_nook_at run 0' -s b -l bundle -x -a '(__fish_complete_directories)' -d "runc's form: the bundle, then ID"
complete -c nook -n '__fish_nook_at run 0' -s d -l detach -d 'Do not wait for the container'
complete -c nook -n '__fish_nook_at run 0' -l pid-file -r -F -d "Write the container process's pid to FILE"
complete -c nook -n '__fish_nook_at run 0' -l console-socket -r -F -d 'Send the pty master to this unix socket'
complete -c nook -n '__fish_nook_at run 0' -l preserve-fds -x -d 'Pass N more file descriptors'
complete -c nook -n '__fish_nook_at run 0' -s h -l help -d 'Show the options of run'
# --network: run's hidden alias of --net, parsed but not offered.
complete -c nook -n "__fish_nook_at run 0; and __fish_prev_arg_in --network" -x -a 'host none pasta'
complete -c nook -n "__fish_nook_at run 0; and not __fish_prev_arg_in --network" -x -a '(__fish_complete_directories)'
complete -c nook -n '__fish_nook_at run 1' -x -a '(__fish_complete_command)'
complete -c nook -n __fish_nook_run_command_args -F

# nook ls|list [--format table|json] [-q]
for verb in ls list
    complete -c nook -n "__fish_nook_at $verb 0" -l format -x -a 'table json' -d 'Output format'
    complete -c nook -n "__fish_nook_at $verb 0" -s q -l quiet -d 'Print the names only'
    complete -c nook -n "__fish_nook_at $verb 0" -s h -l help -d "Show the options of $verb"
end

# The state directories under --root (or nook's default root): the ids of
# containers, where an ID goes.
function __fish_nook_ids
    set -l tokens (commandline -opc)
    set -l root
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --root
                set root $tokens[(math $i + 1)]
            case '--root=*'
                set root (string replace -- --root= '' $tokens[$i])
        end
    end
    if test -z "$root"
        if set -q XDG_RUNTIME_DIR
            set root $XDG_RUNTIME_DIR/nook
        else
            set root /tmp/nook-(id -u)
        end
    end
    test -d $root; and path basename $root/*
end

# nook features
complete -c nook -n '__fish_nook_at features 0' -s h -l help -d 'Show the options of features'

# nook create [OPTIONS] ID: a new ID, nothing to offer.
complete -c nook -n '__fish_nook_at create 0' -s b -l bundle -x -a '(__fish_complete_directories)' -d 'Bundle directory (default: the current one)'
complete -c nook -n '__fish_nook_at create 0' -l pid-file -r -F -d "Write the container process's pid to FILE"
complete -c nook -n '__fish_nook_at create 0' -l console-socket -r -F -d 'Send the pty master to this unix socket'
complete -c nook -n '__fish_nook_at create 0' -l preserve-fds -x -d 'Pass N more file descriptors'
complete -c nook -n '__fish_nook_at create 0' -l rootfs -x -a 'bind overlay fuse-overlayfs' -d 'How the root filesystem is mounted'
complete -c nook -n '__fish_nook_at create 0' -l no-filter-cache -d 'Bypass the store of compiled seccomp filters'
complete -c nook -n '__fish_nook_at create 0' -l no-new-keyring -d 'Accepted for runc compatibility'
complete -c nook -n '__fish_nook_at create 0' -l no-pivot -d 'Accepted for runc compatibility'
complete -c nook -n '__fish_nook_at create 0' -s h -l help -d 'Show the options of create'

# nook start|state|delete|kill|ps [OPTIONS] ID
for verb in start state delete kill ps
    complete -c nook -n "__fish_nook_at $verb 0" -s h -l help -d "Show the options of $verb"
    complete -c nook -n "__fish_nook_at $verb 0" -x -a '(__fish_nook_ids)'
end
complete -c nook -n '__fish_nook_at delete 0' -s f -l force -d 'Kill a running container first'
complete -c nook -n '__fish_nook_at kill 0' -s a -l all -d 'Send the signal to every process'
complete -c nook -n '__fish_nook_at kill 1' -x -a 'TERM KILL INT HUP QUIT USR1 USR2 STOP CONT WINCH SIGTERM SIGKILL SIGINT SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGSTOP SIGCONT SIGWINCH'
complete -c nook -n '__fish_nook_at ps 0' -s f -l format -x -a 'table json' -d 'Output format'

# nook exec [OPTIONS] ID [COMMAND [ARG...]]
complete -c nook -n '__fish_nook_at exec 0' -s t -l tty -d 'Allocate a pseudo-terminal'
complete -c nook -n '__fish_nook_at exec 0' -l console-socket -r -F -d 'Send the pty master to this unix socket'
complete -c nook -n '__fish_nook_at exec 0' -s d -l detach -d 'Do not wait for the process'
complete -c nook -n '__fish_nook_at exec 0' -l pid-file -r -F -d "Write the process's pid to FILE"
complete -c nook -n '__fish_nook_at exec 0' -s e -l env -x -d 'Set an environment variable (K=V)'
complete -c nook -n '__fish_nook_at exec 0' -l cwd -x -d 'Working directory in the container'
complete -c nook -n '__fish_nook_at exec 0' -s u -l user -x -d 'USER[:GROUP] to run as, numbers or names'
complete -c nook -n '__fish_nook_at exec 0' -s g -l additional-gids -x -d 'Add a supplementary group'
complete -c nook -n '__fish_nook_at exec 0' -l apparmor -x -d 'AppArmor profile'
complete -c nook -n '__fish_nook_at exec 0' -l process-label -x -d 'SELinux label'
complete -c nook -n '__fish_nook_at exec 0' -l cap -x -a 'CAP_AUDIT_CONTROL CAP_AUDIT_READ CAP_AUDIT_WRITE CAP_BLOCK_SUSPEND CAP_BPF CAP_CHECKPOINT_RESTORE CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_IPC_LOCK CAP_IPC_OWNER CAP_KILL CAP_LEASE CAP_LINUX_IMMUTABLE CAP_MAC_ADMIN CAP_MAC_OVERRIDE CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_RAW CAP_PERFMON CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYSLOG CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_CHROOT CAP_SYS_MODULE CAP_SYS_NICE CAP_SYS_PACCT CAP_SYS_PTRACE CAP_SYS_RAWIO CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_WAKE_ALARM' -d 'Add a capability'
complete -c nook -n '__fish_nook_at exec 0' -l no-new-privs -d 'Set no_new_privileges'
complete -c nook -n '__fish_nook_at exec 0' -l no-filter-cache -d 'Compile the seccomp profile, bypassing the store'
complete -c nook -n '__fish_nook_at exec 0' -l preserve-fds -x -d 'Pass N more file descriptors'
complete -c nook -n '__fish_nook_at exec 0' -s p -l process -r -F -d 'Read the process from a process.json'
complete -c nook -n '__fish_nook_at exec 0' -s h -l help -d 'Show the options of exec'
complete -c nook -n '__fish_nook_at exec 0' -x -a '(__fish_nook_ids)'
complete -c nook -n '__fish_nook_at exec 1' -x -a '(__fish_complete_command)'

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

# nook import [--tag TAG] SOURCE BUNDLE
complete -c nook -n '__fish_nook_at import 0' -l tag -x -d 'The image of an OCI layout tagged TAG'
complete -c nook -n '__fish_nook_at import 0' -s h -l help -d 'Show the options of import'

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
