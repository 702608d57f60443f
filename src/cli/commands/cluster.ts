/** `members`: the servers sharing the store; `snapshot save|restore`: the whole state, out and in. */
import type { Command } from 'commander';
import type { MemberWire } from '../../domain/index.js';
import { globalFlags, withClient } from '../connection.js';
import type { OptionBag } from '../flags.js';
import { formatAge, formatTable } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';

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

export function addClusterCommands(program: Command, io: CliIo): void {
  addMembers(program, io);
}
