/**
 * The tables the bash and zsh scripts share, as `case` functions both shells read the same way:
 * what a command path holds, what an option's value is, and what each argument is. Every word in
 * them is a plain word of the program (spec.ts checks that), so none needs quoting but the paths,
 * which hold spaces and are single-quoted.
 */
import { allFlags, type CommandSpec, type CompletionSpec, type ValueKind, valuedFlags } from './spec.js';

/** `kind=words choices='a b'`, `kind=files`, …: the assignments a case arm makes. */
const assign = (value: ValueKind): string => (value.kind === 'words' ? `kind=words choices='${value.words.join(' ')}'` : `kind=${value.kind}`);

const arm = (pattern: string, body: string): string => `    ${pattern}) ${body} ;;`;

/** `_registry_spec PATH` sets `subs`, `opts` and `valued` (the options taking a value) for a command path. */
function specFunction(commands: readonly CommandSpec[]): string[] {
  const arms = commands.map((c) => {
    const subs = c.subcommands.map((s) => s.name).join(' ');
    return arm(`'${c.path}'`, `subs='${subs}' opts='${allFlags(c.options).join(' ')}' valued='${valuedFlags(c.options).join(' ')}'`);
  });
  return ['_registry_spec() {', "  subs='' opts='' valued=''", '  case $1 in', ...arms, '  esac', '}'];
}

/** `_registry_value PATH OPTION` sets `kind` and `choices` for the value an option takes. */
function valueFunction(spec: CompletionSpec): string[] {
  const arms: string[] = [];
  for (const option of spec.globals) {
    if (option.value !== undefined && option.value.kind !== 'none') arms.push(arm(option.flags.map((f) => `*'|${f}'`).join('|'), assign(option.value)));
  }
  for (const command of spec.commands) {
    for (const option of command.options) {
      if (option.value !== undefined && option.value.kind !== 'none') arms.push(arm(option.flags.map((f) => `'${command.path}|${f}'`).join('|'), assign(option.value)));
    }
  }
  return ['_registry_value() {', "  kind=none choices=''", '  case "$1|$2" in', ...arms, '  esac', '}'];
}

/** `_registry_arg PATH INDEX` sets `kind` and `choices` for a positional argument (the last of a variadic list repeats). */
function argumentFunction(commands: readonly CommandSpec[]): string[] {
  const arms: string[] = [];
  for (const command of commands) {
    command.args.forEach((value, index) => {
      const last = index === command.args.length - 1;
      if (value.kind === 'none') return;
      const pattern = last && command.variadic ? `'${command.path}|'*` : `'${command.path}|${index}'`;
      arms.push(arm(pattern, assign(value)));
    });
  }
  return ['_registry_arg() {', "  kind=none choices=''", '  case "$1|$2" in', ...arms, '  esac', '}'];
}

/**
 * `_registry_walk WORD…` walks the words between the program name and the cursor, as positional
 * parameters (the same in bash and zsh, whose arrays count from 0 and 1): options and the values
 * they take are skipped, the global ones that say where the server is are kept in `given` for
 * `__complete services`, command words extend `cmdpath`, and the rest count in `n`; `positional`
 * is set after `--`. The caller declares these variables.
 */
const WALK = `_registry_walk() {
  local word
  while (( $# )); do
    word=$1
    shift
    if (( ! positional )) && [[ $word == -- ]]; then
      positional=1
    elif (( ! positional )) && [[ $word == -?* ]]; then
      _registry_spec "$cmdpath"
      if [[ $word == --*=* ]]; then
        [[ " $_registry_global_valued " == *" \${word%%=*} "* ]] && given+=("\${word%%=*}" "\${word#*=}")
      elif [[ " $_registry_global_valued $valued " == *" $word "* ]]; then
        [[ " $_registry_global_valued " == *" $word "* ]] && given+=("$word" "\${1/#\\~/$HOME}")
        (( $# )) && shift
      fi
    else
      _registry_spec "$cmdpath"
      if (( n == 0 && ! positional )) && [[ " $subs " == *" $word "* ]]; then
        cmdpath=\${cmdpath:+$cmdpath }$word
      else
        (( n += 1 ))
      fi
    fi
  done
  return 0
}`;

/** The shared functions, and `_registry_globals` / `_registry_global_valued`, the program's own options. */
export function shTables(spec: CompletionSpec): string[] {
  return [
    `_registry_globals='${allFlags(spec.globals).join(' ')}'`,
    `_registry_global_valued='${valuedFlags(spec.globals).join(' ')}'`,
    ...specFunction(spec.commands),
    ...valueFunction(spec),
    ...argumentFunction(spec.commands),
    WALK,
  ];
}
