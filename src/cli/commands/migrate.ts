/** `migrate`: bring a store's schema up to date without starting a server (a PostgreSQL shared by several). */
import type { Command } from 'commander';
import { globalFlags, loadStoreConfig } from '../connection.js';
import { type OptionBag, stringFlag } from '../flags.js';
import { formatFields } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';
import { loadServerModule } from '../server-door.js';

/** What happened to the schema, truthfully: a new store, a migration, or nothing to do. */
function schemaOutcome(result: { readonly from: number; readonly to: number; readonly created: boolean }): string {
  if (result.created) return `created at ${result.to}`;
  if (result.from === result.to) return `up to date at ${result.to}`;
  return `migrated from schema ${result.from} to ${result.to}`;
}

async function migrate(options: OptionBag, command: Command, io: CliIo): Promise<void> {
  const flags = globalFlags(command);
  const config = await loadStoreConfig(flags, stringFlag(options, 'store'), io);
  const { migrateStore } = await loadServerModule();
  const result = await migrateStore(config.storage.url);
  printAnswer(io, flags.output, result, () => formatFields([['store', `${result.kind} ${result.location}`], ['schema', schemaOutcome(result)]]));
}

export function addMigrateCommand(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description('bring the store schema up to date (servers also do it when they start)')
    .option('--store <location>', 'a postgres:// URL or a SQLite path (default: [storage] url, or <data dir>/registry.db)')
    .action(async (options: OptionBag, command: Command) => {
      await migrate(options, command, io);
    });
}
