/**
 * `-o/--output json|yaml|table` (and `--json`, its alias): JSON and YAML print the wire answer
 * exactly as the server sent it; `table` is text for people. Errors follow the same choice.
 */
import { CommanderError } from 'commander';
import { InvalidArgumentError, isClientError } from '../client/index.js';
import { RegistryError } from '../domain/index.js';
import { describeError } from './exit-codes.js';
import { formatJson, formatJsonLine, formatYaml } from './format.js';
import { type CliIo, println } from './io.js';

export const outputFormats = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof outputFormats)[number];

const isOutputFormat = (value: string | undefined): value is OutputFormat => outputFormats.some((format) => format === value);

/** The format `--output` and `--json` ask for together; a contradiction is a usage error. */
export function outputFormat(output: string | undefined, json: boolean): OutputFormat {
  if (output !== undefined && !isOutputFormat(output)) throw new InvalidArgumentError(`--output: must be one of ${outputFormats.join(', ')} (got '${output}')`);
  if (json && output !== undefined && output !== 'json') throw new InvalidArgumentError(`--json asks for json and --output for ${output}: give one of them`);
  return json ? 'json' : (output ?? 'table');
}

/**
 * The format a command line asks for, read from its words before commander has parsed them, so
 * that a usage error is printed in it too. A malformed choice falls back to `table`.
 */
export function requestedFormat(argv: readonly string[]): OutputFormat {
  const words = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined);
  let output: string | undefined;
  words.forEach((word, i) => {
    if (word === '-o' || word === '--output') output = words[i + 1];
    else if (word.startsWith('--output=')) output = word.slice('--output='.length);
    else if (/^-o[a-z]/.test(word)) output = word.slice(2);
  });
  if (words.includes('--json')) return output === undefined || output === 'json' ? 'json' : 'table';
  return isOutputFormat(output) ? output : 'table';
}

/** Prints a command's answer: the wire value as JSON or YAML, or `human()` as text. */
export function printAnswer(io: CliIo, format: OutputFormat, value: unknown, human: () => string): void {
  if (format === 'json') io.stdout.write(formatJson(value));
  else if (format === 'yaml') io.stdout.write(formatYaml(value));
  else println(io.stdout, human());
}

/** One item of a stream (`watch`): a JSON line, a YAML document, or a line of text. */
export function printStreamed(io: CliIo, format: OutputFormat, value: unknown, human: () => string): void {
  if (format === 'json') println(io.stdout, formatJsonLine(value));
  else if (format === 'yaml') io.stdout.write(`---\n${formatYaml(value)}`);
  else println(io.stdout, human());
}

/** An error as the action envelope carries it: code, message, and details when there are any. */
function errorBody(error: unknown): { readonly error: Readonly<Record<string, unknown>> } {
  if (error instanceof RegistryError) {
    return { error: { code: error.code, message: error.message, ...(Object.keys(error.details).length > 0 ? { details: error.details } : {}) } };
  }
  if (isClientError(error)) return { error: { code: error.code, message: error.message } };
  // Commander's usage errors ("error: unknown command 'x'") are usage errors like ours.
  if (error instanceof CommanderError) return { error: { code: 'invalid_argument', message: error.message.replace(/^error: /, '') } };
  return { error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } };
}

/** Prints a failure on stderr: `{"error":{code,message,details}}` as JSON or YAML, or `error [code]: message`. */
export function printError(io: CliIo, format: OutputFormat, error: unknown): void {
  if (format === 'json') io.stderr.write(formatJson(errorBody(error)));
  else if (format === 'yaml') io.stderr.write(formatYaml(errorBody(error)));
  else println(io.stderr, describeError(error));
}
