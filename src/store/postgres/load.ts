import type pg from 'pg';
import { asRevision, type CommittedEvent, type Revision } from '../../domain/index.js';
import type { AllocationSnapshot } from '../allocations.js';
import { decodeDeployment, decodeService } from '../codec.js';
import type { CommitChanges, StoreContents } from '../committed.js';
import { decodeAllocation, decodeEventRow, decodePool, decodeToken, integerOf, rowOf, textOf } from './codec.js';
import { decodeChanges } from './journal.js';
import { type Queryable, select } from './sql.js';

/** Where the database stands: the last commit, the last revision and the compaction point. */
export interface MetaRow {
  readonly generation: number;
  readonly revision: Revision;
  readonly compactRevision: Revision;
}

/** Everything the in-memory views hold, read in one snapshot, and where the database stood. */
export interface Snapshot extends MetaRow, StoreContents {}

/** One entry of the commit journal. */
export interface JournalRow extends MetaRow {
  readonly changes: CommitChanges;
}

export function decodeMeta(row: unknown): MetaRow {
  const meta = rowOf(row, 'meta row');
  return {
    generation: integerOf(meta.generation, 'meta row'),
    revision: asRevision(integerOf(meta.revision, 'meta row')),
    compactRevision: asRevision(integerOf(meta.compact_revision, 'meta row')),
  };
}

export async function readMeta(q: Queryable): Promise<MetaRow> {
  const rows = await select(q, 'SELECT generation, revision, compact_revision FROM meta WHERE id = 1');
  return decodeMeta(rows[0]);
}

/** Reads the whole state in one REPEATABLE READ transaction, so it matches the meta row it reports. */
export async function loadSnapshot(client: pg.ClientBase, deploymentRetention: number): Promise<Snapshot> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const snapshot = await readSnapshot(client, deploymentRetention);
    await client.query('COMMIT');
    return snapshot;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The whole state; consistent only inside a snapshot transaction or while holding the write lock. */
export async function readSnapshot(q: Queryable, deploymentRetention: number): Promise<Snapshot> {
  const meta = await readMeta(q);
  const records = async (sql: string, what: string, values: readonly unknown[] = []): Promise<unknown[]> =>
    (await select(q, sql, values)).map((row) => JSON.parse(textOf(rowOf(row, what), 'record', what)));
  const services = (await records('SELECT record FROM services ORDER BY name', 'services row')).map(decodeService);
  const recent = 'SELECT record FROM deployments ORDER BY started_at DESC, id DESC LIMIT $1';
  const deployments = (await records(recent, 'deployments row', [deploymentRetention])).map(decodeDeployment);
  const allocations: AllocationSnapshot = {
    allocations: (await select(q, 'SELECT network, address, owner, allocated_at FROM ip_allocations')).map(decodeAllocation),
    pools: (await select(q, 'SELECT network, cidr, cursor FROM ip_pools')).map(decodePool),
    free: (await select(q, 'SELECT network, address FROM ip_free ORDER BY seq')).map((row) => {
      const free = rowOf(row, 'ip_free row');
      return { network: textOf(free, 'network', 'ip_free row'), address: textOf(free, 'address', 'ip_free row') };
    }),
  };
  const tokens = (await select(q, 'SELECT name, role, hash, created_at, expires_at FROM tokens ORDER BY name')).map(decodeToken);
  return { ...meta, services, deployments, allocations, tokens };
}

/** Journal entries after `generation`, oldest first. */
export async function readJournal(q: Queryable, generation: number, limit: number): Promise<readonly JournalRow[]> {
  const rows = await select(
    q,
    'SELECT generation, revision, compact_revision, changes FROM commits WHERE generation > $1 ORDER BY generation LIMIT $2',
    [generation, limit],
  );
  return rows.map(decodeJournalRow);
}

export function decodeJournalRow(row: unknown): JournalRow {
  const entry = rowOf(row, 'commits row');
  return { ...decodeMeta(entry), changes: decodeChanges(textOf(entry, 'changes', 'commits row')) };
}

/** Logged events with `after < revision <= upTo`, oldest first, at most `limit` (null: all). */
export async function readEvents(q: Queryable, after: number, upTo: number, limit: number | null): Promise<readonly CommittedEvent[]> {
  const rows = await select(
    q,
    `SELECT revision, idx, timestamp, data FROM events
     WHERE revision > $1 AND revision <= $2 ORDER BY revision, idx LIMIT $3`,
    [after, upTo, limit],
  );
  return rows.map(decodeEventRow);
}
