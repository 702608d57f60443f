/**
 * `completion bash|zsh|fish` prints a completion script for the program as it is built, and the
 * hidden `__complete services`, which the scripts call for service names at the cursor.
 */
import { Argument, type Command } from 'commander';
import { SERVICE_NAME_PATTERN } from '../../domain/index.js';
import { completionScript, completionShells } from '../completion/index.js';
import { globalFlags, withClient } from '../connection.js';
import type { OptionBag } from '../flags.js';
import type { CliIo } from '../io.js';

/** A TAB must not hang on a server that does not answer. */
const COMPLETION_TIMEOUT_MS = 2_000;

export function addCompletionCommands(program: Command, io: CliIo): void {
  program
    .command('completion')
    .description('print a completion script for bash, zsh or fish (source <(registry completion bash))')
    .addArgument(new Argument('<shell>', 'the shell').choices(completionShells))
    .action((given: string) => {
      const shell = completionShells.find((name) => name === given);
      if (shell === undefined) return; // commander has checked the choices
      io.stdout.write(completionScript(shell, program));
    });

  program
    .command('__complete', { hidden: true })
    .description('words for the completion scripts: service names, one a line')
    .addArgument(new Argument('<what>').choices(['services']))
    .action(async (_what: string, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const services = await withClient(flags, io, (client) => client.listServices({}), { timeoutMs: COMPLETION_TIMEOUT_MS, connectTimeoutMs: COMPLETION_TIMEOUT_MS });
      // Names come from the server: only those of the shape the server allows reach the shell.
      const names = services.map((service) => service.name).filter((name) => SERVICE_NAME_PATTERN.test(name));
      io.stdout.write(names.map((name) => `${name}\n`).join(''));
    });
}
