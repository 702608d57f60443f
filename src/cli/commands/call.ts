/** `call ACTION [JSON]`: one raw operation in the action envelope, and the wire answer as it came. */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../client/index.js';
import { globalFlags, withClient } from '../connection.js';
import type { OptionBag } from '../flags.js';
import { formatJsonLine } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';

/** The params argument: a JSON object, or nothing for `{}`. */
export function parseParams(text: string | undefined): Readonly<Record<string, unknown>> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`JSON: not valid JSON (${error instanceof Error ? error.message : String(error)}); quote it for the shell: '{"name":"api"}'`, {
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`JSON: the params must be a JSON object, such as '{"name":"api"}', not ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  }
  return Object.fromEntries(Object.entries(value));
}

export function addCallCommand(program: Command, io: CliIo): void {
  program
    .command('call')
    .description('send one operation in the action envelope and print the answer as the server sent it (one JSON line; --json pretty)')
    .argument('<action>', 'the action: list_services, register_service, resolve, … (see "Action envelope" in the README)')
    .argument('[json]', "its params as a JSON object, quoted for the shell: '{\"name\":\"api\"}' (default {})")
    .action(async (action: string, json: string | undefined, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const params = parseParams(json);
      const answer = await withClient(flags, io, (client) => client.callRaw(action, params));
      // The answer is data from the server: printed as JSON, with control characters escaped.
      printAnswer(io, flags.output, answer, () => formatJsonLine(answer));
    });
}
