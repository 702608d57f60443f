/**
 * The fish completion script: `complete` rules whose conditions ask a small walker where on the
 * command line the cursor is (command path and argument count). Service names from the server
 * are kept only when they have the shape of a service name; fish quotes what it inserts.
 */
import { SERVICE_NAME_PATTERN } from '../../domain/index.js';
import { type CompletionSpec, type OptionSpec, type ValueKind, valuedFlags } from './spec.js';

const HEADER = `# fish completion for registry (service-registry). Load it in this shell:
#   registry completion fish | source
# or for every new shell:
#   registry completion fish > ~/.config/fish/completions/registry.fish`;

/** A fish single-quoted string: only \\ and ' are special inside. */
export const fishQuote = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', ' ')}'`;

/** `__registry_subs PATH` and `__registry_valued PATH` (the options taking a value there, the global ones included). */
function tableFunctions(spec: CompletionSpec): string[] {
  const switchOf = (name: string, prelude: string[], words: (c: CompletionSpec['commands'][number]) => string[]): string[] => {
    const arms = spec.commands
      .map((c) => [c.path, words(c)] as const)
      .filter(([, list]) => list.length > 0)
      .flatMap(([path, list]) => [`        case ${fishQuote(path)}`, `            printf '%s\\n' ${list.join(' ')}`]);
    return [`function ${name} --argument-names cmdpath`, ...prelude, '    switch $cmdpath', ...arms, '    end', 'end'];
  };
  return [
    `set -g __registry_global_valued ${valuedFlags(spec.globals).join(' ')}`,
    ...switchOf('__registry_subs', [], (c) => c.subcommands.map((sub) => sub.name)),
    ...switchOf('__registry_valued', ["    printf '%s\\n' $__registry_global_valued"], (c) => valuedFlags(c.options)),
  ];
}

/**
 * Where the cursor is: the command path, the number of positional arguments, then the global
 * options typed (they say which server `__complete services` asks). Every rule's condition asks,
 * so the answer is kept for the command line it was worked out for.
 */
const WALKER = `function __registry_where
    set -l line (commandline -pc | string collect)
    if set -q __registry_where_line; and test "$line" = "$__registry_where_line"
        printf '%s\\n' $__registry_where_cache
        return
    end
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmdpath ''
    set -l n 0
    set -l given
    set -l i 1
    while test $i -le (count $tokens)
        set -l word $tokens[$i]
        switch $word
            case '--*=*'
                set -l flag (string split -m 1 = -- $word)
                contains -- $flag[1] $__registry_global_valued; and set -a given $flag[1] $flag[2]
            case '-*'
                if contains -- $word (__registry_valued $cmdpath)
                    set i (math $i + 1)
                    contains -- $word $__registry_global_valued; and set -a given $word $tokens[$i]
                end
            case '*'
                if test $n = 0; and contains -- $word (__registry_subs $cmdpath)
                    set cmdpath (string trim -- "$cmdpath $word")
                else
                    set n (math $n + 1)
                end
        end
        set i (math $i + 1)
    end
    set -g __registry_where_line $line
    set -g __registry_where_cache $cmdpath $n $given
    printf '%s\\n' $__registry_where_cache
end

function __registry_at --argument-names want_path
    set -l where (__registry_where)
    test "$where[1]" = "$want_path"
end

function __registry_arg --argument-names want_path want_n rest
    set -l where (__registry_where)
    test "$where[1]" = "$want_path"; or return 1
    test "$where[2]" = "$want_n"; and return 0
    test "$rest" = rest; and test "$where[2]" -ge "$want_n"
end

function __registry_services
    set -l where (__registry_where)
    command registry $where[3..-1] __complete services 2>/dev/null | string match -r -- ${fishQuote(SERVICE_NAME_PATTERN.source)}
end`;

/** The `-a`/`-F`/`-x` part of a rule for a value. */
function valueFlags(value: ValueKind): string {
  switch (value.kind) {
    case 'words':
      return `-x -a ${fishQuote(value.words.join(' '))}`;
    case 'files':
      return '-r -F';
    case 'services':
      return "-x -a '(__registry_services)'";
    case 'none':
      return '-x';
    default: {
      const never: never = value;
      return never;
    }
  }
}

function optionRule(option: OptionSpec, condition: string | undefined): string {
  const names = option.flags.map((flag) => (flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`)).join(' ');
  const when = condition === undefined ? '' : ` -n ${fishQuote(condition)}`;
  const value = option.value === undefined ? '' : ` ${valueFlags(option.value)}`;
  return `complete -c registry${when} ${names}${value} -d ${fishQuote(option.description)}`;
}

function rules(spec: CompletionSpec): string[] {
  const lines = ['complete -c registry -f', ...spec.globals.map((option) => optionRule(option, undefined))];
  for (const command of spec.commands) {
    const at = `__registry_at ${fishQuote(command.path)}`;
    for (const sub of command.subcommands) {
      lines.push(`complete -c registry -n ${fishQuote(`__registry_arg ${fishQuote(command.path)} 0`)} -a ${sub.name} -d ${fishQuote(sub.description)}`);
    }
    for (const option of command.options) lines.push(optionRule(option, at));
    command.args.forEach((value, index) => {
      if (value.kind === 'none') return;
      const rest = index === command.args.length - 1 && command.variadic ? ' rest' : '';
      lines.push(`complete -c registry -n ${fishQuote(`__registry_arg ${fishQuote(command.path)} ${index}${rest}`)} ${valueFlags(value)}`);
    });
  }
  return lines;
}

/** Every word in the tables is plain (spec.ts checks it), so they list words unquoted. */
export function fishScript(spec: CompletionSpec): string {
  // `service-registry` is the same program under the package's name.
  return [HEADER, ...tableFunctions(spec), WALKER, ...rules(spec), 'complete -c service-registry -w registry', ''].join('\n');
}
