# fish completion for nook
#
# Global options come before the command; each command's options are parsed
# POSIX-style (the first non-option ends them), so run's COMMAND keeps its own.

# Prints the words after "nook" that are not options or option arguments (the
# command first), one per line; for run, a "--" right after BUNDLE is dropped.
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
                case --root --log --log-format --config -c --name -n --bundle -b
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
        if test (count $found) -ge 2
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
complete -c nook -n __fish_nook_needs_command -a run -d 'Run a container from an OCI bundle'
complete -c nook -n __fish_nook_needs_command -a spec -d 'Write a default config.json'
complete -c nook -n __fish_nook_needs_command -a help -d 'Show the usage'

# nook help COMMAND
complete -c nook -n '__fish_nook_at help 0' -a 'run spec help'

# nook run [OPTIONS] BUNDLE [--] COMMAND [ARGS...]
complete -c nook -n '__fish_nook_at run 0' -s c -l config -r -F -d 'Read FILE instead of BUNDLE/config.json'
complete -c nook -n '__fish_nook_at run 0' -s n -l name -x -d 'Container name'
complete -c nook -n '__fish_nook_at run 0' -s t -l tty -d 'Allocate a terminal'
complete -c nook -n '__fish_nook_at run 0' -s T -l no-tty -d 'Do not allocate a terminal'
complete -c nook -n '__fish_nook_at run 0' -s h -l help -d 'Show the options of run'
complete -c nook -n '__fish_nook_at run 0' -x -a '(__fish_complete_directories)'
complete -c nook -n '__fish_nook_at run 1' -x -a '(__fish_complete_command)'
complete -c nook -n __fish_nook_run_command_args -F

# nook spec [--rootless] [--bundle DIR] [--force]
complete -c nook -n '__fish_nook_at spec 0' -l rootless -d 'Generate a rootless configuration'
complete -c nook -n '__fish_nook_at spec 0' -s b -l bundle -x -a '(__fish_complete_directories)' -d 'Directory to write config.json in'
complete -c nook -n '__fish_nook_at spec 0' -s f -l force -d 'Overwrite an existing config.json'
complete -c nook -n '__fish_nook_at spec 0' -s h -l help -d 'Show the options of spec'
