/**
 * The zsh completion script: the tables bash uses, walked with zsh's own `words` and `CURRENT`,
 * and answers through `_describe`, `_files` and `compadd` (which quote what they insert).
 * Service names from the server are kept only when they have the shape of a service name.
 */
import { SERVICE_NAME_PATTERN } from '../../domain/index.js';
import { shellQuote } from '../shell-quote.js';
import { shTables } from './sh-tables.js';
import type { CompletionSpec, OptionSpec, SubcommandSpec } from './spec.js';

const HEADER = `#compdef registry service-registry
# zsh completion for registry (service-registry). Load it in this shell (after compinit):
#   source <(registry completion zsh)
# or for every new shell, as a file named _registry in a folder of $fpath:
#   registry completion zsh > "\${fpath[1]}/_registry"`;

/** `name:description` for _describe, with a colon in the name escaped (there is none in ours). */
const described = (name: string, description: string): string => shellQuote(`${name.replaceAll(':', '\\:')}:${description.replaceAll('\n', ' ')}`);

/** `_registry_described PATH` sets `described_subs` and `described_opts` for _describe. */
function describedFunction(spec: CompletionSpec): string[] {
  const options = (list: readonly OptionSpec[]): string => list.flatMap((o) => o.flags.map((flag) => described(flag, o.description))).join(' ');
  const subs = (list: readonly SubcommandSpec[]): string => list.map((s) => described(s.name, s.description)).join(' ');
  const arms = spec.commands.map((c) => `    '${c.path}') described_subs=(${subs(c.subcommands)}) described_opts=(${options(c.options)}) ;;`);
  return [
    `_registry_described_globals=(${options(spec.globals)})`,
    '_registry_described() {',
    '  described_subs=() described_opts=()',
    '  case $1 in',
    ...arms,
    '  esac',
    '}',
  ];
}

const SERVICES = `_registry_services() {
  local name
  local -a names
  for name in \${(f)"$(command registry "\${given[@]}" __complete services 2>/dev/null)"}; do
    [[ $name =~ '${SERVICE_NAME_PATTERN.source}' ]] && names+=("$name")
  done
  compadd -a names
}`;

const COMPLETE_KIND = `_registry_complete_kind() {
  case $kind in
    words) compadd -- \${=choices} ;;
    files) _files ;;
    services) _registry_services ;;
  esac
}`;

/** As in bash: walk the words before the cursor (sh-tables.ts), then complete the one at it. */
const MAIN = `_registry() {
  local cmdpath='' subs opts valued kind choices
  local -a given described_subs described_opts
  local -i n=0 positional=0
  _registry_walk "\${(@)words[2,CURRENT-1]}"
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]}
  _registry_spec "$cmdpath"
  if (( ! positional )) && [[ $cur == --*=* ]]; then
    prev=\${cur%%=*}
    compset -P '*='
  elif (( ! positional )) && [[ $cur == -* ]]; then
    _registry_described "$cmdpath"
    _describe -t options 'option' described_opts -- _registry_described_globals
    return
  fi
  if (( ! positional )) && [[ $prev == -?* && " $_registry_global_valued $valued " == *" $prev "* ]]; then
    _registry_value "$cmdpath" "$prev"
    _registry_complete_kind
  elif (( n == 0 && ! positional )) && [[ -n $subs ]]; then
    _registry_described "$cmdpath"
    _describe -t commands 'registry command' described_subs
  else
    _registry_arg "$cmdpath" "$n"
    _registry_complete_kind
  fi
}`;

/** Autoloaded from $fpath the file is the function's body; sourced, it registers the function. */
const FOOTER = `if [[ \${funcstack[1]} == _registry ]]; then
  _registry "$@"
else
  compdef _registry registry service-registry
fi`;

export function zshScript(spec: CompletionSpec): string {
  return [HEADER, ...shTables(spec), ...describedFunction(spec), SERVICES, COMPLETE_KIND, MAIN, FOOTER, ''].join('\n');
}
