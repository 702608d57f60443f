/** `migrate`: bring a store's schema up to date without starting a server (a PostgreSQL shared by several). */
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { globalFlags } from '../connection.js';
import { type OptionBag, stringFlag } from '../flags.js';
import { formatFields, formatJson } from '../format.js';
import { type CliIo, println } from '../io.js';

/** The store door, loaded on first use like the server's: other commands do not need the database drivers. */
const loadStoreModule = (): Promise<typeof import('../../store/index.js')> => import('../../store/index.js');

async function migrate(options: OptionBag, command: Command, io: CliIo): Promise<void> {
  const flags = globalFlags(command);
  const config = await loadConfig({
    flags: {
      ...(flags.config === undefined ? {} : { configPath: flags.config }),
      ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
      storeUrl: stringFlag(options, 'store'),
    },
    env: io.env,
    cwd: io.cwd,
  });
  const { migrateStore } = await loadStoreModule();
  const result = await migrateStore(config.storage.url);
  if (flags.json) {
    io.stdout.write(formatJson(result));
    return;
  }
  const from = result.from === undefined ? `${result.to}, up to date` : result.from === result.to ? `already at ${result.to}` : `${result.from} → ${result.to}`;
  println(io.stdout, formatFields([['store', `${result.kind} ${result.location}`], ['schema', from]]));
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
