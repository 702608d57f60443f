/** `members`: the servers sharing the store; `snapshot save|restore`: the whole state, out and in. */
import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type MemberWire, RegistryError, type SnapshotWire } from '../../domain/index.js';
import { globalFlags, loadStoreConfig, withClient } from '../connection.js';
import { type OptionBag, stringFlag } from '../flags.js';
import { formatAge, formatFields, formatTable } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';
import { loadServerModule } from '../server-door.js';

/** `0-15,32,40-41`: shard numbers as runs. */
export function shardRuns(shards: readonly number[]): string {
  const sorted = [...shards].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    runs.push(i === j ? String(sorted[i]) : `${String(sorted[i])}-${String(sorted[j])}`);
    i = j + 1;
  }
  return runs.length === 0 ? '-' : runs.join(',');
}

function membersTable(members: readonly MemberWire[], now: number): string {
  const settings = members.find((m) => m.self)?.settings;
  const rows = members.map((m) => [
    `${m.self ? '* ' : ''}${m.address}`,
    m.host_id,
    m.live ? 'live' : 'gone',
    m.revision,
    m.lag,
    m.sweeps ? 'yes' : 'no',
    shardRuns(m.shards),
    formatAge(m.last_seen * 1000, now),
    m.settings === settings ? 'same' : `differs (${m.settings})`,
  ]);
  return formatTable(['ADDRESS', 'HOST', 'STATE', 'REVISION', 'LAG', 'SWEEPS', 'SHARDS', 'LAST SEEN', 'SETTINGS'], rows);
}

function addMembers(program: Command, io: CliIo): void {
  program
    .command('members')
    .description('the servers sharing the store: address, applied revision and lag, who sweeps, check shards, last seen (* marks the one answering)')
    .action(async (_options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const members = await withClient(flags, io, (client) => client.call('list_members', {}));
      printAnswer(io, flags.output, members, () => membersTable(members, Date.now()));
    });
}

/** Writes `text` to `path` whole or not at all (a temporary file renamed over it), readable by its owner only: it holds token hashes. */
async function writeWhole(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${randomUUID()}.snapshot.tmp`);
  try {
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

const counts = (doc: Pick<SnapshotWire, 'services' | 'deployments' | 'allocations' | 'tokens'>): string =>
  `${doc.services.length} services, ${doc.deployments.length} deployments, ${doc.allocations.length} allocations, ${doc.tokens.length} tokens`;

async function readDocument(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new RegistryError('invalid_params', `cannot read the snapshot ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, details: { field: 'file' } });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new RegistryError('invalid_params', `the snapshot ${path} is not JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, details: { field: 'file' } });
  }
}

function addSnapshot(program: Command, io: CliIo): void {
  const snapshot = program.command('snapshot').description('the whole state in one file: save it from a running server, restore it into an empty store');
  snapshot
    .command('save')
    .description('write a consistent export of the whole state to FILE (mode 0600: it holds token hashes); needs the admin role')
    .argument('<file>', 'where to write it (replaced whole, never half-written)')
    .action(async (file: string, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const doc = await withClient(flags, io, (client) => client.call('snapshot', {}));
      const path = resolve(io.cwd, file);
      await writeWhole(path, `${JSON.stringify(doc, null, 2)}\n`);
      printAnswer(io, flags.output, doc, () => `saved revision ${doc.revision} to ${path}: ${counts(doc)}`);
    });
  snapshot
    .command('restore')
    .description('load FILE into an empty store (no server running on it): a SQLite file, made when missing, or a PostgreSQL database')
    .argument('<file>', 'a file written by registry snapshot save')
    .option('--store <location>', 'a postgres:// URL or a SQLite path (default: [storage] url, or <data dir>/registry.db)')
    .action(async (file: string, options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const doc = await readDocument(resolve(io.cwd, file));
      const config = await loadStoreConfig(flags, stringFlag(options, 'store'), io);
      const { restoreSnapshot } = await loadServerModule();
      const result = await restoreSnapshot(config.storage.url, doc);
      printAnswer(io, flags.output, result, () =>
        formatFields([
          ['store', `${result.kind} ${result.location}`],
          ['revision', result.revision],
          ['restored', `${result.services} services, ${result.deployments} deployments, ${result.allocations} allocations, ${result.tokens} tokens`],
        ]),
      );
    });
}

export function addClusterCommands(program: Command, io: CliIo): void {
  addMembers(program, io);
  addSnapshot(program, io);
}
