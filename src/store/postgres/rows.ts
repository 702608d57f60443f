import type { DeploymentRecord } from '../../domain/index.js';
import type { AllocationChanges } from '../allocations.js';
import type { StampedEvent } from '../codec.js';
import type { CommitChanges } from '../committed.js';
import type { RecordedOutcome } from '../requests.js';
import { type Queryable, run } from './sql.js';

/** The channel every server LISTENs on; a notification carries only the commit's generation. */
export const COMMIT_CHANNEL = 'registry_commit';

/** Everything one commit writes. */
export interface CommitRows {
  readonly changes: CommitChanges;
  /** The JSON of each service put, by name. */
  readonly serviceJson: ReadonlyMap<string, string>;
  readonly deploymentJson: ReadonlyMap<string, string>;
  readonly events: readonly StampedEvent[];
  readonly journal: string;
  readonly generation: number;
  readonly revision: number;
  readonly compactRevision: number;
  /** Events at or below this revision are deleted (compaction), when set. */
  readonly compactUpTo: number | undefined;
  /** Journal entries at or below this generation are deleted, when set. */
  readonly pruneJournalUpTo: number | undefined;
  readonly deploymentRetention: number;
  /** Request outcomes kept with this commit. */
  readonly outcomes: readonly RecordedOutcome[];
  /** Request outcomes created before this are deleted, when set. */
  readonly pruneRequestsBefore: number | undefined;
}

/** Builds one statement of data-modifying CTEs (each on rows no other CTE of it touches). */
class Ctes {
  readonly values: unknown[] = [];
  readonly parts: string[] = [];

  param(value: unknown): string {
    this.values.push(value);
    return `$${String(this.values.length)}`;
  }

  add(sql: string): void {
    this.parts.push(`w${String(this.parts.length)} AS (${sql})`);
  }
}

/**
 * Writes a commit: the statements whose rows may collide within one statement (allocations moving
 * between owners, deployments and their pruning, tokens sharing a hash) first, then one statement
 * for the rest that also stores the journal, advances `meta` and sends the notification.
 */
export async function writeCommit(q: Queryable, rows: CommitRows): Promise<void> {
  await writeAllocations(q, rows.changes.allocations);
  await writeDeployments(q, rows.changes.deployments, rows.deploymentJson, rows.deploymentRetention);
  await writeTokens(q, rows.changes);
  const w = new Ctes();
  addServices(w, rows);
  addFreeLists(w, rows.changes.allocations);
  addEvents(w, rows.events);
  addOutcomes(w, rows);
  w.add(
    `INSERT INTO commits (generation, revision, compact_revision, changes) VALUES (${w.param(rows.generation)}::bigint, ${w.param(rows.revision)}::bigint, ${w.param(rows.compactRevision)}::bigint, ${w.param(rows.journal)}::text)`,
  );
  w.add(
    `UPDATE meta SET generation = ${w.param(rows.generation)}::bigint, revision = ${w.param(rows.revision)}::bigint, compact_revision = ${w.param(rows.compactRevision)}::bigint WHERE id = 1`,
  );
  if (rows.compactUpTo !== undefined) w.add(`DELETE FROM events WHERE revision <= ${w.param(rows.compactUpTo)}::bigint`);
  if (rows.pruneJournalUpTo !== undefined) w.add(`DELETE FROM commits WHERE generation <= ${w.param(rows.pruneJournalUpTo)}::bigint`);
  const notify = `SELECT pg_notify('${COMMIT_CHANNEL}', ${w.param(String(rows.generation))}::text)`;
  await run(q, `WITH ${w.parts.join(',\n')}\n${notify}`, w.values);
}

function addServices(w: Ctes, rows: CommitRows): void {
  const deleted: string[] = [];
  const names: string[] = [];
  const ids: string[] = [];
  const revisions: number[] = [];
  const records: string[] = [];
  for (const [name, service] of rows.changes.services) {
    if (service === null) {
      deleted.push(name);
      continue;
    }
    names.push(name);
    ids.push(service.id);
    revisions.push(service.revision);
    records.push(rows.serviceJson.get(name) ?? JSON.stringify(service));
  }
  if (deleted.length > 0) w.add(`DELETE FROM services WHERE name = ANY(${w.param(deleted)}::text[])`);
  if (names.length === 0) return;
  w.add(
    `INSERT INTO services (name, id, revision, record)
     SELECT * FROM unnest(${w.param(names)}::text[], ${w.param(ids)}::text[], ${w.param(revisions)}::bigint[], ${w.param(records)}::text[])
     ON CONFLICT (name) DO UPDATE SET id = excluded.id, revision = excluded.revision, record = excluded.record`,
  );
}

function addOutcomes(w: Ctes, rows: CommitRows): void {
  const list = rows.outcomes;
  const ids = list.length > 0 ? w.param(list.map((o) => o.id)) : undefined;
  if (ids !== undefined) {
    // A row already there is one past its window (a live one would have answered the write instead): the new call starts a new window.
    w.add(
      `INSERT INTO requests (id, fingerprint, value, revision, created_at)
       SELECT * FROM unnest(${ids}::text[], ${w.param(list.map((o) => o.fingerprint))}::text[], ${w.param(list.map((o) => o.value))}::text[],
         ${w.param(list.map((o) => o.revision ?? null))}::bigint[], ${w.param(list.map((o) => o.createdAt))}::bigint[])
       ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, value = excluded.value, revision = excluded.revision, created_at = excluded.created_at`,
    );
  }
  // A row the upsert replaces is left to it: one statement may not touch a row twice.
  const kept = ids === undefined ? '' : ` AND id <> ALL(${ids}::text[])`;
  if (rows.pruneRequestsBefore !== undefined) w.add(`DELETE FROM requests WHERE created_at < ${w.param(rows.pruneRequestsBefore)}::bigint${kept}`);
}

function addEvents(w: Ctes, events: readonly StampedEvent[]): void {
  if (events.length === 0) return;
  const rows = events.map((e) => e.committed);
  w.add(
    `INSERT INTO events (revision, idx, type, timestamp, data)
     SELECT * FROM unnest(${w.param(rows.map((e) => e.revision))}::bigint[], ${w.param(rows.map((e) => e.index))}::integer[],
       ${w.param(rows.map((e) => e.type))}::text[], ${w.param(rows.map((e) => e.timestamp))}::bigint[], ${w.param(events.map((e) => e.data))}::text[])`,
  );
}

/** Pools and free lists; a free entry is either added or removed in one commit, never both. */
function addFreeLists(w: Ctes, changes: AllocationChanges): void {
  const pools = [...changes.pools.values()];
  if (pools.length > 0) {
    w.add(
      `INSERT INTO ip_pools (network, cidr, cursor)
       SELECT * FROM unnest(${w.param(pools.map((p) => p.network))}::text[], ${w.param(pools.map((p) => p.cidr))}::text[], ${w.param(pools.map((p) => p.cursor))}::text[])
       ON CONFLICT (network) DO UPDATE SET cidr = excluded.cidr, cursor = excluded.cursor`,
    );
  }
  const added: [string[], string[]] = [[], []];
  const removed: [string[], string[]] = [[], []];
  for (const [network, entries] of changes.free) {
    for (const [address, present] of entries) {
      const into = present ? added : removed;
      into[0].push(network);
      into[1].push(address);
    }
  }
  if (removed[0].length > 0) {
    w.add(`DELETE FROM ip_free WHERE (network, address) IN (SELECT * FROM unnest(${w.param(removed[0])}::text[], ${w.param(removed[1])}::text[]))`);
  }
  if (added[0].length > 0) {
    // The identity column follows the ORDER BY: release order is kept.
    w.add(
      `INSERT INTO ip_free (network, address)
       SELECT n, a FROM unnest(${w.param(added[0])}::text[], ${w.param(added[1])}::text[]) WITH ORDINALITY AS f(n, a, o) ORDER BY o
       ON CONFLICT (network, address) DO NOTHING`,
    );
  }
}

/** Every touched address is deleted before any is inserted, so owners may swap addresses in one commit. */
async function writeAllocations(q: Queryable, changes: AllocationChanges): Promise<void> {
  if (changes.allocations.size === 0) return;
  const touched: [string[], string[]] = [[], []];
  const networks: string[] = [];
  const addresses: string[] = [];
  const owners: string[] = [];
  const times: number[] = [];
  for (const [network, { byAddress }] of changes.allocations) {
    for (const [address, allocation] of byAddress) {
      touched[0].push(network);
      touched[1].push(address);
      if (allocation === null) continue;
      networks.push(allocation.network);
      addresses.push(allocation.address);
      owners.push(allocation.owner);
      times.push(allocation.allocatedAt);
    }
  }
  await run(q, 'DELETE FROM ip_allocations WHERE (network, address) IN (SELECT * FROM unnest($1::text[], $2::text[]))', touched);
  if (networks.length === 0) return;
  await run(
    q,
    `INSERT INTO ip_allocations (network, address, owner, allocated_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])`,
    [networks, addresses, owners, times],
  );
}

async function writeDeployments(
  q: Queryable,
  records: ReadonlyMap<string, DeploymentRecord>,
  json: ReadonlyMap<string, string>,
  retention: number,
): Promise<void> {
  if (records.size === 0) return;
  const list = [...records.values()];
  await run(
    q,
    `INSERT INTO deployments (id, node, service, started_at, record)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
     ON CONFLICT (id) DO UPDATE SET record = excluded.record`,
    [list.map((r) => r.id), list.map((r) => r.node), list.map((r) => r.service), list.map((r) => r.startedAt), list.map((r) => json.get(r.id) ?? JSON.stringify(r))],
  );
  await run(q, 'DELETE FROM deployments WHERE id NOT IN (SELECT id FROM deployments ORDER BY started_at DESC, id DESC LIMIT $1)', [retention]);
}

async function writeTokens(q: Queryable, changes: CommitChanges): Promise<void> {
  if (changes.tokens.size === 0) return;
  const names = [...changes.tokens.keys()];
  await run(q, 'DELETE FROM tokens WHERE name = ANY($1::text[])', [names]);
  const kept = [...changes.tokens.values()].filter((token) => token !== null);
  if (kept.length === 0) return;
  await run(
    q,
    `INSERT INTO tokens (name, role, hash, created_at, expires_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])`,
    [kept.map((t) => t.name), kept.map((t) => t.role), kept.map((t) => t.hash), kept.map((t) => t.createdAt), kept.map((t) => t.expiresAt ?? null)],
  );
}
