import type pg from 'pg';
import { asRevision } from '../../domain/index.js';
import type { ResolvedStoreOptions } from '../options.js';
import { DEFAULT_DEPLOYMENT_RETENTION } from '../types.js';
import { compactionPoint, type PendingWrite, prepareBatch, type PreparedBatch, settleAll } from '../batch.js';
import { changesAreEmpty } from '../committed.js';
import { changesOfSnapshot, notEmpty, type StoreSnapshot, viewsAreEmpty } from '../snapshot.js';
import { encodeChanges } from './journal.js';
import { aheadStatements, decodeAhead, rowsPerStatement } from './ahead.js';
import { type MetaRow, readSnapshot } from './load.js';
import { LOCK_KEYS } from './migrations.js';
import { requestIdsOf } from '../requests.js';
import { readOutcomes } from './requests.js';
import type { PostgresTuning } from './tuning.js';
import type { Replica } from './replica.js';
import { type CommitRows, writeCommit } from './rows.js';

export interface CommitContext {
  readonly client: pg.ClientBase;
  readonly replica: Replica;
  readonly options: ResolvedStoreOptions;
  readonly tuning: PostgresTuning;
}

export type CommitOutcome =
  | { readonly ok: true }
  /** Nothing was committed; `pending` are the writes not answered yet (their functions succeeded or never ran). */
  | { readonly ok: false; readonly error: unknown; readonly pending: readonly PendingWrite[] };

/** Takes the write lock and brings this server up to date under it, mostly from what that same round trip read. */
async function lockAndCatchUp(ctx: CommitContext): Promise<void> {
  const { client, replica } = ctx;
  const text = ['BEGIN', `SELECT pg_advisory_xact_lock(${String(LOCK_KEYS.write)})`, ...aheadStatements(replica.generation, replica.revision)].join(';\n');
  const [, , metaRows = [], journalRows = [], eventRows = []] = rowsPerStatement(await client.query(text));
  const ahead = decodeAhead(metaRows, journalRows, eventRows);
  if (ahead.meta.generation === replica.generation) return;
  if (ahead.complete && replica.follows(ahead.journal)) replica.applyJournal(ahead.journal, ahead.events);
  else await catchUpLocked(ctx, ahead.meta);
}

/**
 * One transaction for a batch of writes. Under the write lock this server first applies what
 * the others committed, so each write function sees the latest state; then the functions run
 * in memory, their rows, events and journal entry are written, and COMMIT. Only after COMMIT
 * does memory change and are the callers answered.
 */
export async function commitBatch(ctx: CommitContext, writes: readonly PendingWrite[]): Promise<CommitOutcome> {
  const { client, replica } = ctx;
  let pending: readonly PendingWrite[] = writes;
  try {
    await lockAndCatchUp(ctx);
    const clock = ctx.options.clock;
    const recorded = await readOutcomes(client, requestIdsOf(writes), clock.now() - ctx.options.requestWindowMs);
    const outcome = await prepareBatch({ views: replica.views, revision: replica.revision, clock, writeTimeoutMs: ctx.tuning.writeTimeoutMs, recorded }, writes);
    // Without a persist step nothing breaks the transaction while the functions run.
    if (!outcome.ok) throw outcome.error;
    const prepared = outcome.batch;
    pending = prepared.done.map((done) => done.write);
    if (prepared.done.length === 0 || (prepared.events.length === 0 && changesAreEmpty(prepared.changes))) {
      await client.query('ROLLBACK');
      for (const done of prepared.done) done.settle(undefined, []);
      return { ok: true };
    }
    const rows = rowsOf(ctx, prepared);
    await writeCommit(client, rows);
    await client.query('COMMIT');
    pending = [];
    const committed: MetaRow = { generation: rows.generation, revision: asRevision(rows.revision), compactRevision: asRevision(rows.compactRevision) };
    replica.applyOwn(prepared.changes, committed, prepared.committed);
    settleAll(prepared.done);
    return { ok: true };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    return { ok: false, error, pending };
  }
}

/** Loads a snapshot into an empty database: one commit under the write lock, at the snapshot's revision, with no events. */
export async function commitRestore(ctx: CommitContext, snapshot: StoreSnapshot): Promise<void> {
  const { client, replica } = ctx;
  const changes = changesOfSnapshot(snapshot);
  try {
    await lockAndCatchUp(ctx);
    if (replica.revision !== 0 || !viewsAreEmpty(replica.views)) throw notEmpty(replica.revision, replica.views.services.size);
    const generation = replica.generation + 1;
    const serviceJson = new Map(snapshot.services.map((service) => [service.name, JSON.stringify(service)]));
    const revision = snapshot.revision;
    await writeCommit(client, {
      changes,
      serviceJson,
      deploymentJson: new Map(),
      events: [],
      journal: encodeChanges(changes, serviceJson),
      generation,
      revision,
      compactRevision: revision,
      compactUpTo: undefined,
      pruneJournalUpTo: undefined,
      deploymentRetention: DEFAULT_DEPLOYMENT_RETENTION,
      outcomes: [],
      pruneRequestsBefore: undefined,
    });
    await client.query('COMMIT');
    replica.applyOwn(changes, { generation, revision, compactRevision: revision }, []);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Under the write lock nobody else commits, so plain reads on this transaction see a settled state. */
async function catchUpLocked(ctx: CommitContext, meta: MetaRow): Promise<void> {
  const { client, replica } = ctx;
  if (meta.generation === replica.generation) return;
  const reload = () => readSnapshot(client, DEFAULT_DEPLOYMENT_RETENTION);
  // Behind: read the journal. Ahead (the database was restored from an older copy): start over from it.
  if (meta.generation > replica.generation) await replica.catchUp(client, reload);
  else await replica.replace(client, await reload());
}

function rowsOf(ctx: CommitContext, prepared: PreparedBatch): CommitRows {
  const { replica, options, tuning } = ctx;
  const generation = replica.generation + 1;
  const revision = prepared.revision;
  const due = compactionPoint(revision, replica.compactRevision, options.eventRetention);
  const pruneFrom = generation - tuning.journalRetention;
  const pruneDue = generation % tuning.journalPruneEvery === 0;
  return {
    changes: prepared.changes,
    serviceJson: prepared.serviceJson,
    deploymentJson: prepared.deploymentJson,
    events: prepared.events,
    journal: encodeChanges(prepared.changes, prepared.serviceJson),
    generation,
    revision,
    compactRevision: due ?? replica.compactRevision,
    compactUpTo: due,
    pruneJournalUpTo: pruneFrom > 0 && pruneDue ? pruneFrom : undefined,
    deploymentRetention: DEFAULT_DEPLOYMENT_RETENTION,
    outcomes: prepared.outcomes,
    pruneRequestsBefore: pruneDue ? options.clock.now() - options.requestWindowMs : undefined,
  };
}
