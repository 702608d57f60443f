/** `reload` and `status`. */
import type { Command } from 'commander';
import { globalFlags, withClient } from '../connection.js';
import type { OptionBag } from '../flags.js';
import { formatFields } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';

export function addAdminCommands(program: Command, io: CliIo): void {
  program
    .command('reload')
    .description('make the server re-read its configuration file now')
    .action(async (_options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const result = await withClient(flags, io, (client) => client.reload());
      printAnswer(io, flags.output, result, () => `reloaded: ${result.count} backend${result.count === 1 ? '' : 's'} from the configuration file`);
    });

  program
    .command('status')
    .description('show the server revision, size and uptime')
    .action(async (_options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const status = await withClient(flags, io, (client) => client.status());
      printAnswer(io, flags.output, status, () =>
        formatFields([
          ['revision', status.revision],
          ['compacted to', status.compact_revision],
          ['services', status.services],
          ['store', status.store],
          ['uptime', `${status.uptime_seconds}s`],
          ['your role', status.role],
          ['checks', status.health === undefined ? undefined : `${status.health.checks} on ${status.health.shards} shards, p99 ${status.health.lateness_p99_ms} ms late`],
        ]),
      );
    });
}
