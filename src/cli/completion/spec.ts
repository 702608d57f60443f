/**
 * What the shells complete, read from the commander program itself (so a new command or option
 * completes without touching the scripts): each command path with its subcommands, options and
 * arguments, and what a value may be. Every word is checked to be plain, so the generated
 * scripts may list words without quoting them; only service names come from the server, and
 * the scripts fetch and filter those at completion time.
 */
import type { Argument, Command, Option } from 'commander';
import { actionNames } from '../../client/index.js';

/** What a value (an option's or an argument's) completes to. */
export type ValueKind =
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'files' }
  | { readonly kind: 'services' }
  | { readonly kind: 'none' };

export interface OptionSpec {
  /** `-o`, `--output`. */
  readonly flags: readonly string[];
  readonly description: string;
  /** Undefined for a flag without a value. */
  readonly value: ValueKind | undefined;
}

export interface SubcommandSpec {
  readonly name: string;
  readonly description: string;
}

export interface CommandSpec {
  /** The words that reach it: `''` for `registry` itself, `'ip allocate'`. */
  readonly path: string;
  readonly subcommands: readonly SubcommandSpec[];
  readonly options: readonly OptionSpec[];
  /** One entry per positional argument; a variadic last one repeats. */
  readonly args: readonly ValueKind[];
  readonly variadic: boolean;
}

export interface CompletionSpec {
  /** The program's own options, accepted after any command. */
  readonly globals: readonly OptionSpec[];
  readonly commands: readonly CommandSpec[];
}

/** Commands whose arguments name services: the first, or every one of a variadic list. */
export const SERVICE_ARGUMENT_COMMANDS: ReadonlySet<string> = new Set([
  'get',
  'register',
  'update',
  'delete',
  'ping',
  'start',
  'stop',
  'restart',
  'set-state',
  'checks',
  'health',
  'resolve',
  'endpoints',
  'env',
  'rollback',
]);

/** Arguments that are not the commander choices they are validated against, but help to complete. */
const ARGUMENT_WORDS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  // `call` sends any action (aliases, a newer server's): the table's names are what it completes.
  call: [actionNames],
};

const FILE_PLACEHOLDERS = /<(file|dir|path|package|folder)>/;
/** Words the scripts list unquoted: no character a shell reads specially. */
const PLAIN_WORD = /^[A-Za-z0-9_.,:%+@=/-]+$/;

function plain(words: readonly string[]): readonly string[] {
  for (const word of words) if (!PLAIN_WORD.test(word)) throw new Error(`completion: '${word}' is not a plain word`);
  return words;
}

const words = (list: readonly string[]): ValueKind => ({ kind: 'words', words: plain(list) });

function optionValue(option: Option): ValueKind | undefined {
  if (!option.required && !option.optional) return undefined;
  if (option.argChoices !== undefined) return words(option.argChoices);
  if (option.long === '--service') return { kind: 'services' };
  return FILE_PLACEHOLDERS.test(option.flags) ? { kind: 'files' } : { kind: 'none' };
}

function optionSpec(option: Option): OptionSpec {
  const flags = [option.short, option.long].filter((flag): flag is string => flag !== undefined);
  return { flags: plain(flags), description: option.description, value: optionValue(option) };
}

function argumentValue(path: string, argument: Argument, index: number): ValueKind {
  const given = ARGUMENT_WORDS[path]?.[index];
  if (given !== undefined) return words(given);
  if (argument.argChoices !== undefined) return words(argument.argChoices);
  if (index === 0 && SERVICE_ARGUMENT_COMMANDS.has(path)) return { kind: 'services' };
  return FILE_PLACEHOLDERS.test(`<${argument.name()}>`) ? { kind: 'files' } : { kind: 'none' };
}

const visible = (command: Command): Command[] => command.createHelp().visibleCommands(command).filter((sub) => sub.name() !== 'help');

function commandSpecs(command: Command, path: string): CommandSpec[] {
  const subcommands = visible(command);
  const spec: CommandSpec = {
    path,
    subcommands: subcommands.map((sub) => ({ name: plain([sub.name()])[0] ?? '', description: sub.description() })),
    options: path === '' ? [] : command.options.filter((option) => !option.hidden).map(optionSpec),
    args: command.registeredArguments.map((argument, index) => argumentValue(path, argument, index)),
    variadic: command.registeredArguments.at(-1)?.variadic ?? false,
  };
  return [spec, ...subcommands.flatMap((sub) => commandSpecs(sub, path === '' ? sub.name() : `${path} ${sub.name()}`))];
}

/** The completion model of a program: its global options and every command path under it. */
export function completionSpec(program: Command): CompletionSpec {
  const help: OptionSpec = { flags: ['-h', '--help'], description: 'show help', value: undefined };
  const globals = [...program.options.filter((option) => !option.hidden).map(optionSpec), help];
  return { globals, commands: commandSpecs(program, '') };
}

/** Options that take a value, by their flags. */
export const valuedFlags = (options: readonly OptionSpec[]): string[] => options.filter((o) => o.value !== undefined).flatMap((o) => o.flags);

/** Every flag of some options. */
export const allFlags = (options: readonly OptionSpec[]): string[] => options.flatMap((o) => o.flags);
