/**
 * The bash completion script. It needs bash 4 and nothing else (not the bash-completion package).
 * Service names are the only words that come from the server: they are read line by line, kept
 * only when they have the shape of a service name, and never passed through `compgen -W` (which
 * would expand `$(…)` in them) or `eval`.
 */
import { SERVICE_NAME_PATTERN } from '../../domain/index.js';
import { shTables } from './sh-tables.js';
import type { CompletionSpec } from './spec.js';

const HEADER = `# bash completion for registry (service-registry), bash 4 or later. Load it in this shell:
#   source <(registry completion bash)
# or for every new shell:
#   registry completion bash > ~/.local/share/bash-completion/completions/registry`;

/**
 * bash splits words at COMP_WORDBREAKS (\`=\` and \`:\` among them), so \`--url=wss://h:1\` is five
 * words. This joins what was split without a space: \`words\` and \`cword\` as typed.
 */
const WORDS = `_registry_words() {
  local line=\${COMP_LINE:0:COMP_POINT} rest w j k=-1
  for (( j = 0; j <= COMP_CWORD; j++ )); do
    w=\${COMP_WORDS[j]}
    rest=\${line#"\${line%%[![:space:]]*}"}
    if (( k >= 0 && \${#rest} == \${#line} )); then words[k]+=$w; else words[++k]=$w; fi
    line=\${rest:\${#w}}
  done
  cword=$k
}`;

/** Service names from the server the global options typed so far point at, kept to the shape of a name. */
const SERVICES = `_registry_services() {
  local name re='${SERVICE_NAME_PATTERN.source}'
  while IFS= read -r name; do
    [[ $name =~ $re && $name == "$cur"* ]] && COMPREPLY+=("$name")
  done < <(command registry "\${given[@]}" __complete services 2>/dev/null)
}`;

/** Fills COMPREPLY for a value of \`kind\`. */
const COMPLETE_KIND = `_registry_complete_kind() {
  case $kind in
    words) mapfile -t COMPREPLY < <(compgen -W "$choices" -- "$cur") ;;
    files) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    services) _registry_services ;;
  esac
}`;

/**
 * Walks the words before the cursor (sh-tables.ts), completes the word at the cursor, and gives
 * readline its answers from where readline's own word starts.
 */
const MAIN = `_registry() {
  local -a words=() given=()
  local cword cur prev pre='' cmdpath='' subs opts valued kind choices n=0 positional=0
  _registry_words
  COMPREPLY=()
  _registry_walk "\${words[@]:1:cword-1}"
  cur=\${words[cword]} prev=\${words[cword-1]}
  _registry_spec "$cmdpath"
  if (( ! positional )) && [[ $cur == --*=* ]]; then
    pre=\${cur%%=*}= prev=\${cur%%=*} cur=\${cur#*=}
  fi
  if (( ! positional )) && [[ $prev == -?* && " $_registry_global_valued $valued " == *" $prev "* ]]; then
    _registry_value "$cmdpath" "$prev"
    _registry_complete_kind
  elif [[ -n $pre ]]; then
    :
  elif (( ! positional )) && [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$opts $_registry_globals" -- "$cur")
  elif (( n == 0 && ! positional )) && [[ -n $subs ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
  else
    _registry_arg "$cmdpath" "$n"
    _registry_complete_kind
  fi
  _registry_readline_word
  return 0
}`;

/** readline replaces only the text after the last word break: answers lose what comes before it. */
const READLINE_WORD = `_registry_readline_word() {
  local fragment=\${COMP_WORDS[COMP_CWORD]} typed=\${words[cword]} i
  [[ $fragment == [=:] ]] && fragment=''
  typed=\${typed%"$fragment"}
  (( \${#COMPREPLY[@]} )) || return 0
  for i in "\${!COMPREPLY[@]}"; do
    COMPREPLY[i]=$pre\${COMPREPLY[i]}
    COMPREPLY[i]=\${COMPREPLY[i]#"$typed"}
  done
}`;

export function bashScript(spec: CompletionSpec): string {
  return [HEADER, ...shTables(spec), WORDS, SERVICES, COMPLETE_KIND, READLINE_WORD, MAIN, 'complete -F _registry registry service-registry', ''].join('\n');
}
