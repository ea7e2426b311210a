#!/usr/bin/env python3
"""nook's shell completions from one list (nook.commands).

  nook-completions.py generate LIST TEMPLATE OUTPUT
      Write OUTPUT: TEMPLATE (nook.bash.in, _nook.in or nook.fish.in) with its
      "@DATA@" line replaced by the tables for that shell.
  nook-completions.py check LIST NOOK
      Compare LIST with `NOOK --help` and `NOOK COMMAND --help`: the same
      commands, and for each command the same options (short and long), each
      taking an argument or not as the help shows; exit 1 with one line per
      difference.

The shell engines (the templates) are written by hand and know no command;
everything about commands and options comes from the list, so adding one is
a line in nook.commands.
"""

import os
import re
import signal
import subprocess
import sys

KINDS = {'file', 'dir', 'bundle', 'container', 'newid', 'signal', 'command',
         'verb', 'text'}


class Option:
    def __init__(self, short, long, kind, flags, then, desc):
        self.short, self.long, self.kind = short, long, kind
        self.repeat = 'repeat' in flags
        self.hidden = 'hidden' in flags
        self.then, self.desc = then, desc

    def spellings(self):
        return [s for s in (self.short, self.long) if s]


class Command:
    def __init__(self, path, aliases, args, desc):
        self.path, self.aliases, self.args, self.desc = path, aliases, args, desc
        self.options = []

    @property
    def key(self):
        """The key of the tables: "nook", "nook run", "nook cache ls"."""
        return ' '.join(('nook',) + self.path)


class Spec:
    def __init__(self):
        self.values = {}
        self.commands = {}  # path (tuple) -> Command, in the list's order

    def children(self, path):
        return [c for p, c in self.commands.items()
                if len(p) == len(path) + 1 and p[:len(path)] == path]

    def values_of(self, kind):
        """The fixed values of an option's kind, or None."""
        if isinstance(kind, list):
            return kind
        return self.values.get(kind)


def fail(where, message):
    sys.exit('%s: %s' % (where, message))


def parse_kind(where, text, spec):
    if text.startswith('{') and text.endswith('}'):
        return text[1:-1].split(',')
    if text in KINDS or text in spec.values:
        return text
    fail(where, "unknown kind '%s'" % text)


def parse(path):
    spec = Spec()
    current = None
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            where = '%s:%d' % (path, number)
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            # "HEAD -- DESCRIPTION"
            head, _, desc = (line.strip() + ' ').partition(' -- ')
            words = head.split()
            if words[0] == 'values':
                spec.values[words[1]] = words[2:]
            elif words[0] == 'global':
                current = spec.commands[()] = Command((), [], ['verb'], '')
            elif words[0] == 'verb':
                names = words[1].split(',')
                cmd_path = tuple(names[0].split('/'))
                for arg in words[2:]:
                    parse_kind(where, arg.rstrip('.'), spec)
                current = Command(cmd_path, names[1:], words[2:], desc.strip())
                if cmd_path in spec.commands:
                    fail(where, "'%s' given twice" % names[0])
                spec.commands[cmd_path] = current
            elif words[0].startswith('-') and line[0].isspace() and current:
                short = words.pop(0) if re.fullmatch(r'-[A-Za-z0-9]', words[0]) else None
                m = re.fullmatch(r'(--[a-z][a-z0-9-]*)(?:=(\S+))?', words.pop(0))
                if not m:
                    fail(where, 'an option is [-X] --LONG[=KIND]')
                kind = parse_kind(where, m.group(2), spec) if m.group(2) else None
                then = [w[5:] for w in words if w.startswith('then=')]
                flags = [w for w in words if not w.startswith('then=')]
                for flag in flags:
                    if flag not in ('repeat', 'hidden'):
                        fail(where, "unknown flag '%s'" % flag)
                current.options.append(
                    Option(short, m.group(1), kind, flags, then[0].split(',') if then else None,
                           desc.strip()))
            else:
                fail(where, 'not a verb, option or values line')
    if () not in spec.commands:
        fail(path, 'no global section')
    return spec


# --- bash -------------------------------------------------------------------

def bash_kind(spec, kind):
    values = spec.values_of(kind)
    return '=' + ' '.join(values) if values is not None else kind


def bash_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def bash_data(spec):
    q = bash_quote
    lines = ['declare -gA _nook_verbs=() _nook_alias=() _nook_opts=() _nook_optarg=() '
             '_nook_then=() _nook_args=()']
    for path, cmd in spec.commands.items():
        key = cmd.key
        children = spec.children(path)
        if children:
            names = [n for c in children for n in [c.path[-1]] + c.aliases]
            lines.append('_nook_verbs[%s]=%s' % (q(key), q(' '.join(names))))
            for c in children:
                for name in [c.path[-1]] + c.aliases:
                    lines.append('_nook_alias[%s]=%s' % (q(key + ' ' + name), q(c.key)))
        visible = [s for o in cmd.options if not o.hidden for s in (o.long, o.short) if s]
        lines.append('_nook_opts[%s]=%s' % (q(key), q(' '.join(visible))))
        lines.append('_nook_args[%s]=%s' % (q(key), q(' '.join(cmd.args))))
        for o in cmd.options:
            for s in o.spellings():
                if o.kind is not None:
                    lines.append('_nook_optarg[%s]=%s' % (q(key + ' ' + s), q(bash_kind(spec, o.kind))))
                if o.then is not None:
                    lines.append('_nook_then[%s]=%s' % (q(key + ' ' + s), q(' '.join(o.then))))
    return '\n'.join(lines)


# --- fish -------------------------------------------------------------------

def fish_quote(text):
    return "'" + text.replace('\\', '\\\\').replace("'", "\\'") + "'"


def fish_switch(name, comment, cases, default='return 1'):
    """A function switching on its arguments joined by a space."""
    out = ['# ' + comment, 'function %s' % name, '    switch "$argv"']
    for patterns, body in cases:
        out.append('        case ' + ' '.join(fish_quote(p) for p in patterns))
        out.append('            ' + body)
    out += ['    end', '    ' + default, 'end', '']
    return out


FISH_ARGUMENT = {
    'file': ' -r -F',
    'dir': " -x -a '(__fish_complete_directories)'",
    'bundle': " -x -a '(__fish_complete_directories)'",
    'container': " -x -a '(__fish_nook_containers)'",
    'signal': " -x -a '(__fish_nook_signals)'",
    'command': " -x -a '(__fish_complete_command)'",
}


def fish_data(spec):
    q = fish_quote
    out = []
    argopts, then_cases, args_cases = [], [], []
    for path, cmd in spec.commands.items():
        for o in cmd.options:
            for s in o.spellings():
                if o.kind is not None:
                    argopts.append(cmd.key + ' ' + s)
                if o.then is not None:
                    then_cases.append(([cmd.key + ' ' + s], 'echo ' + q(' '.join(o.then)) + '; return 0'))
        args_cases.append(([cmd.key], 'echo ' + q(' '.join(cmd.args)) + '; return 0'))
    out += fish_switch('__fish_nook_takes_arg', 'KEY OPTION: true when OPTION takes an argument',
                       [(argopts, 'return 0')])
    out += fish_switch('__fish_nook_then', 'KEY OPTION: the positional arguments it brings', then_cases)
    out += fish_switch('__fish_nook_args', 'KEY: the kinds of its positional arguments', args_cases)

    out += ['# KEY WORD: the key of subcommand WORD ("unknown" for another word);',
            '# false when KEY has no subcommands.',
            'function __fish_nook_sub', '    switch $argv[1]']
    for path, cmd in spec.commands.items():
        children = spec.children(path)
        if not children:
            continue
        out += ['        case ' + q(cmd.key), '            switch $argv[2]']
        for c in children:
            out += ['                case ' + ' '.join(q(n) for n in [c.path[-1]] + c.aliases),
                    '                    echo ' + q(c.key)]
        out += ["                case '*'", '                    echo unknown',
                '            end', '            return 0']
    out += ['    end', '    return 1', 'end', '']

    signals = sorted(s.name for s in signal.Signals if not s.name.startswith('SIGRT'))
    out += ['function __fish_nook_signals',
            '    printf "%s\\n" ' + ' '.join(signals + [s[3:] for s in signals]), 'end', '']

    for path, cmd in spec.commands.items():
        for c in spec.children(path):
            for name in [c.path[-1]] + c.aliases:
                out.append('complete -c nook -n "__fish_nook_kind %s" -a %s -d %s'
                           % (q('sub:' + cmd.key), q(name), q(c.desc)))
        for o in cmd.options:
            values = spec.values_of(o.kind)
            if o.kind is None:
                arg = ''
            elif values is not None:
                arg = ' -x -a ' + q(' '.join(values))
            else:
                arg = FISH_ARGUMENT.get(o.kind, ' -x')
            if o.hidden:
                # Not offered; its argument still is, after "--network ".
                out.append('complete -c nook -n "__fish_nook_kind %s"%s'
                           % (q('optarg:' + cmd.key + ' ' + o.long), arg))
                continue
            spelled = (' -s ' + o.short[1:] if o.short else '') + ' -l ' + o.long[2:]
            out.append('complete -c nook -n "__fish_nook_options %s"%s%s -d %s'
                       % (q(cmd.key), spelled, arg, q(o.desc)))
    return '\n'.join(out)


# --- zsh --------------------------------------------------------------------

def zsh_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def zsh_escape(text):
    """Text inside _arguments' [description]."""
    return re.sub(r'([\[\]\\])', r'\\\1', text)


def zsh_message(text):
    """Text of _arguments' :message:."""
    return re.sub(r'([:\\])', r'\\\1', text)


def zsh_action(spec, kind):
    values = spec.values_of(kind)
    if values is not None:
        return '(%s)' % ' '.join(values)
    return {'file': '_files', 'dir': '_directories', 'bundle': '_nook_bundles',
            'container': '_nook_containers', 'signal': '_signals', 'verb': '_nook_verbs',
            'command': '_nook_container_command'}.get(kind, ' ')


def zsh_option_specs(spec, cmd):
    specs = []
    for o in cmd.options:
        if o.long in ('--help', '--version'):
            exclusion = '(- *)'
        elif o.short and not o.repeat:
            exclusion = '(%s %s)' % (o.short, o.long)
        else:
            exclusion = ''
        prefix = ('!' if o.hidden else '') + ('*' if o.repeat else '') + exclusion
        if o.kind is None:
            forms = [s for s in o.spellings()]
            tail = '[%s]' % zsh_escape(o.desc)
        else:
            forms = ([o.short + '+'] if o.short else []) + [o.long + '=']
            tail = '[%s]:%s:%s' % (zsh_escape(o.desc), zsh_message(o.long[2:]),
                                   zsh_action(spec, o.kind))
        for form in forms:
            specs.append(zsh_quote(prefix + form + tail))
    return specs


def zsh_positional_specs(spec, args):
    specs = []
    for i, arg in enumerate(args, 1):
        kind = arg.rstrip('.')
        action = zsh_action(spec, kind)
        if kind == 'command':
            specs.append(zsh_quote('*:::command:_nook_container_command'))
            break
        if arg.endswith('...'):
            specs.append(zsh_quote('*:%s:%s' % (kind, action)))
            break
        specs.append(zsh_quote('%d:%s:%s' % (i, kind, action)))
    return specs


def zsh_function_name(cmd):
    return '_nook_cmd_' + '_'.join(cmd.path).replace('-', '_') if cmd.path else '_nook_cmd'


def zsh_data(spec):
    out = []
    for path, cmd in spec.commands.items():
        children = spec.children(path)
        name = zsh_function_name(cmd)
        out.append('%s() {' % name)
        out.append('  local -a options positionals')
        out.append('  options=(')
        out += ['    ' + s for s in zsh_option_specs(spec, cmd)]
        out.append('  )')
        if children:
            out.append('  local -a verbs')
            out.append('  %s_verbs' % name)
            out.append('  _nook_dispatch %s' % name)
            out.append('}')
            out.append('')
            out.append('%s_verbs() {' % name)
            out.append('  verbs=(')
            for c in children:
                for n in [c.path[-1]] + c.aliases:
                    out.append('    ' + zsh_quote('%s:%s' % (n.replace(':', '\\:'), c.desc)))
            out.append('  )')
            out.append('}')
            out.append('')
            continue
        out.append('  positionals=(%s)' % ' '.join(zsh_positional_specs(spec, cmd.args)))
        for o in cmd.options:
            if o.then is not None:
                pattern = '|'.join(re.escape(s) for s in o.spellings()) + '|' + re.escape(o.long) + '=*'
                if o.short:
                    pattern += '|' + re.escape(o.short) + '?*'
                out.append('  if (( ${words[(I)%s]} )); then' % pattern)
                out.append('    positionals=(%s)' % ' '.join(zsh_positional_specs(spec, o.then)))
                out.append('  fi')
        out.append('  _nook_arguments')
        out.append('}')
        out.append('')
    # The key of a subcommand word, aliases included.
    out.append('_nook_sub_function() {')
    out.append('  case "$1 $2" in')
    for path, cmd in spec.commands.items():
        for c in spec.children(path):
            names = [c.path[-1]] + c.aliases
            out.append('    %s) REPLY=%s ;;' % ('|'.join(zsh_quote(zsh_function_name(cmd) + ' ' + n)
                                                    for n in names), zsh_function_name(c)))
    out.append('    *) REPLY= ;;')
    out.append('  esac')
    out.append('}')
    return '\n'.join(out)


def generate(list_path, template_path, output_path):
    spec = parse(list_path)
    data = {'nook.bash.in': bash_data, '_nook.in': zsh_data,
            'nook.fish.in': fish_data}[os.path.basename(template_path)](spec)
    with open(template_path, encoding='utf-8') as f:
        template = f.read()
    if '@DATA@\n' not in template:
        fail(template_path, 'no @DATA@ line')
    text = template.replace('@DATA@\n', data + '\n')
    with open(output_path + '.tmp', 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(output_path + '.tmp', output_path)


# --- check against nook's --help ---------------------------------------------

def help_text(nook, words):
    result = subprocess.run([nook] + words + ['--help'], capture_output=True, text=True)
    if result.returncode != 0:
        return None
    return result.stdout


def help_section(text, heading):
    """The lines under a heading ("Commands:") up to the next blank line."""
    lines, inside = [], False
    for line in text.splitlines():
        if inside:
            if not line.strip():
                break
            lines.append(line)
        elif re.match(heading, line):
            inside = True
    return lines


def help_options(text):
    """{spelling: takes an argument} of the Options section."""
    options = {}
    for line in help_section(text, r'^(Global options|Options)\b'):
        m = re.match(r'^  (-[A-Za-z0-9])?(?:, )?(--[a-z][a-z0-9-]*)?([ =]\S)?', line)
        if not m or not (m.group(1) or m.group(2)):
            continue
        takes = bool(m.group(3)) and not m.group(3).startswith('  ')
        for s in (m.group(1), m.group(2)):
            if s:
                options[s] = takes
    return options


def help_commands(text):
    return sorted(line.split()[0] for line in help_section(text, r'^Commands:')
                  if line.startswith('  ') and not line.startswith('   '))


def check(list_path, nook):
    spec = parse(list_path)
    problems = []
    for path, cmd in spec.commands.items():
        if path and path[-1] == 'help':
            continue  # "help" prints another command's help
        name = ' '.join(('nook',) + path)
        text = help_text(nook, list(path))
        if text is None:
            problems.append("%s --help fails: the list has '%s', nook does not" % (name, name))
            continue
        helped = help_options(text)
        listed = {s: o.kind is not None for o in cmd.options if not o.hidden for s in o.spellings()}
        for s in sorted(set(helped) - set(listed)):
            problems.append('%s: %s is in --help, not in %s' % (name, s, list_path))
        for s in sorted(set(listed) - set(helped)):
            problems.append('%s: %s is in %s, not in --help' % (name, s, list_path))
        for s in sorted(set(listed) & set(helped)):
            if listed[s] != helped[s]:
                problems.append('%s: %s takes %s argument in --help, %s in %s'
                                % (name, s, 'an' if helped[s] else 'no',
                                   'none' if helped[s] else 'one', list_path))
        children = [c.path[-1] for c in spec.children(path) if c.path[-1] != 'help']
        helped_commands = [c for c in help_commands(text) if c != 'help']
        if sorted(children) != helped_commands:
            problems.append('%s: commands in --help: %s; in %s: %s'
                            % (name, ' '.join(helped_commands), list_path,
                               ' '.join(sorted(children))))
    for p in problems:
        print(p)
    return 1 if problems else 0


def main(argv):
    if len(argv) == 5 and argv[1] == 'generate':
        generate(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 4 and argv[1] == 'check':
        return check(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
