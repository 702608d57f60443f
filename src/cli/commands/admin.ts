/** `reload` and `status`. */
import type { Command } from 'commander';
import { globalFlags, withClient } from '../connection.js';
import type { OptionBag } from '../flags.js';
import { formatFields, formatJson } from '../format.js';
import { type CliIo, println } from '../io.js';

export function addAdminCommands(program: Command, io: CliIo): void {
  program
    .command('reload')
    .description('make the server re-read its configuration file now')
    .action(async (_options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const result = await withClient(flags, io, (client) => client.reload());
      if (flags.json) io.stdout.write(formatJson(result));
      else println(io.stdout, `reloaded: ${result.count} backend${result.count === 1 ? '' : 's'} from the configuration file`);
    });

  program
    .command('status')
    .description('show the server revision, size and uptime')
    .action(async (_options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const status = await withClient(flags, io, (client) => client.status());
      if (flags.json) {
        io.stdout.write(formatJson(status));
        return;
      }
      println(
        io.stdout,
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
