/** `call ACTION [JSON]`: one raw operation in the action envelope, and the wire answer as it came. */
import type { Command } from 'commander';
import { DEFAULT_REQUEST_TIMEOUT_MS, InvalidArgumentError } from '../../client/index.js';
import { globalFlags, withClient } from '../connection.js';
import { integerIn, numberFlag, type OptionBag } from '../flags.js';
import { formatJsonLine } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';

/** How long `call` waits for an answer unless --timeout says otherwise: the client's own default. */
const DEFAULT_CALL_TIMEOUT_S = DEFAULT_REQUEST_TIMEOUT_MS / 1000;

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
    .option('--timeout <seconds>', `seconds to wait for the answer, 1-86400 (default ${DEFAULT_CALL_TIMEOUT_S}; a deployment answers when it has finished)`, integerIn(1, 86_400))
    .action(async (action: string, json: string | undefined, options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const params = parseParams(json);
      const timeoutMs = (numberFlag(options, 'timeout') ?? DEFAULT_CALL_TIMEOUT_S) * 1000;
      const answer = await withClient(flags, io, (client) => client.callRaw(action, params), { timeoutMs });
      // The answer is data from the server: printed as JSON, with control characters escaped.
      printAnswer(io, flags.output, answer, () => formatJsonLine(answer));
    });
}
