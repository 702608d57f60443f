import type Database from 'better-sqlite3';
import { asRevision, type Clock, RegistryError, type Revision } from '../../domain/index.js';
import { compactionPoint, failAll, type PendingWrite, prepareBatch, type PreparedBatch, type PreparedWrite } from '../batch.js';
import type { CommitChanges, ViewSet } from '../committed.js';
import { DEFAULT_DEPLOYMENT_RETENTION } from '../types.js';
import { writeAllocationRows } from './allocations.js';
import { writeDeploymentRows } from './deployments.js';
import { reasonOf } from './errno.js';
import { type RecordedOutcome, requestIdsOf } from '../requests.js';
import { readOutcomes, writeOutcomeRow } from './requests.js';
import type { SqliteStatements } from './statements.js';
import { writeTokenRows } from './tokens.js';

/** The SQLite side of one group commit: the statements and the committed state it starts from. */
export interface BatchContext {
  readonly db: Database.Database;
  readonly statements: SqliteStatements;
  /** The committed views: the batch never changes them. */
  readonly views: ViewSet;
  readonly clock: Clock;
  readonly revision: Revision;
  readonly compactRevision: Revision;
  readonly eventRetention: number;
  /** A write function still pending after this long is failed (see DEFAULT_SQLITE_TUNING). */
  readonly writeTimeoutMs: number;
  /** Told of every storage failure that fails writes (see StoreOptions.onWriteFault). */
  readonly onFault: (error: RegistryError) => void;
  /** How long request outcomes count (see StoreOptions.requestWindowMs). */
  readonly requestWindowMs: number;
  /** Request outcomes created before this are deleted in this transaction, when set (the window has passed). */
  readonly pruneRequestsBefore: number | undefined;
}

/** A committed batch: the store applies it to memory after COMMIT. */
export interface CommittedBatch extends PreparedBatch {
  readonly compactRevision: Revision;
}

const COMMIT_FAILED = 'the store could not commit the write';

/**
 * Runs queued writes in one transaction, each one's rows inside its own savepoint, and commits.
 * A write whose `fn` throws is rejected alone; a failure of the transaction itself rejects
 * every caller with `unavailable`. Resolves undefined when nothing was committed.
 */
export async function runBatch(ctx: BatchContext, writes: readonly PendingWrite[]): Promise<CommittedBatch | undefined> {
  let recorded: Map<string, RecordedOutcome>;
  try {
    ctx.statements.main.begin.run();
    recorded = readOutcomes(ctx.statements.requests, requestIdsOf(writes), ctx.clock.now() - ctx.requestWindowMs);
  } catch (cause) {
    abort(ctx);
    ctx.onFault(failAll(writes, cause, COMMIT_FAILED));
    return undefined;
  }
  const { views, clock, revision, writeTimeoutMs } = ctx;
  const outcome = await prepareBatch({ views, clock, revision, writeTimeoutMs, recorded, persist: (write) => persist(ctx, write) }, writes);
  if (!outcome.ok) {
    abort(ctx);
    if (outcome.pending.length > 0) ctx.onFault(failAll(outcome.pending, outcome.error, COMMIT_FAILED));
    return undefined;
  }
  const { batch } = outcome;
  try {
    return { ...batch, compactRevision: finish(ctx, batch) };
  } catch (cause) {
    abort(ctx);
    const pending = batch.done.map((done) => done.write);
    if (pending.length > 0) ctx.onFault(failAll(pending, cause, COMMIT_FAILED));
    return undefined;
  }
}

/**
 * Writes one write's rows in its savepoint. A failure of its rows alone (the savepoint rolls back)
 * fails that write; one the savepoint cannot undo breaks the transaction (throws).
 */
function persist(ctx: BatchContext, { tx, events, outcome }: PreparedWrite): RegistryError | undefined {
  const { main, deployments, allocations, tokens, requests } = ctx.statements;
  try {
    main.savepoint.run();
    for (const [name, service] of tx.changes.services) {
      if (service === null) main.deleteService.run(name);
      else main.putService.run(name, service.id, service.revision, tx.serviceJson.get(name) ?? JSON.stringify(service));
    }
    for (const { data, committed } of events) {
      main.insertEvent.run(committed.revision, committed.index, committed.type, committed.timestamp, data);
    }
    writeDeploymentRows(deployments, tx.changes.deployments, tx.deploymentJson, DEFAULT_DEPLOYMENT_RETENTION);
    writeAllocationRows(allocations, tx.changes.allocations);
    writeTokenRows(tokens, tx.changes.tokens);
    if (outcome !== undefined) writeOutcomeRow(requests, outcome);
    main.releaseSavepoint.run();
    return undefined;
  } catch (cause) {
    if (!rollbackSavepoint(ctx)) throw cause;
    const error = new RegistryError('unavailable', `the store could not save the write: ${reasonOf(cause)}`, { cause });
    ctx.onFault(error);
    return error;
  }
}

/** Undoes a failed write's rows; false when the whole transaction is gone or unusable. */
function rollbackSavepoint(ctx: BatchContext): boolean {
  if (!ctx.db.inTransaction) return false;
  try {
    ctx.statements.main.rollbackToSavepoint.run();
    ctx.statements.main.releaseSavepoint.run();
    return true;
  } catch {
    return false;
  }
}

/** Stores the new revision, compacts the event log when due, and commits. */
function finish(ctx: BatchContext, batch: PreparedBatch): Revision {
  const { main } = ctx.statements;
  let compactRevision = ctx.compactRevision;
  if (batch.revision > ctx.revision) {
    main.writeMeta.run('revision', String(batch.revision));
    const due = compactionPoint(batch.revision, ctx.compactRevision, ctx.eventRetention);
    if (due !== undefined) {
      main.deleteEventsUpTo.run(due);
      main.writeMeta.run('compact_revision', String(due));
      compactRevision = asRevision(due);
    }
  }
  if (ctx.pruneRequestsBefore !== undefined) ctx.statements.requests.pruneBefore.run(ctx.pruneRequestsBefore);
  main.commit.run();
  return compactRevision;
}

/** Writes a snapshot's records and revision in one transaction (the store checked it is empty). */
export function writeRestore(ctx: Pick<BatchContext, 'db' | 'statements'>, changes: CommitChanges, revision: Revision): void {
  const { main, deployments, allocations, tokens } = ctx.statements;
  main.begin.run();
  try {
    for (const [name, service] of changes.services) if (service !== null) main.putService.run(name, service.id, service.revision, JSON.stringify(service));
    writeDeploymentRows(deployments, changes.deployments, new Map(), DEFAULT_DEPLOYMENT_RETENTION);
    writeAllocationRows(allocations, changes.allocations);
    writeTokenRows(tokens, changes.tokens);
    main.writeMeta.run('revision', String(revision));
    main.writeMeta.run('compact_revision', String(revision));
    main.commit.run();
  } catch (cause) {
    abort(ctx);
    throw new RegistryError('unavailable', `the store could not restore the snapshot: ${reasonOf(cause)}`, { cause });
  }
}

function abort(ctx: Pick<BatchContext, 'db' | 'statements'>): void {
  if (!ctx.db.inTransaction) return;
  try {
    ctx.statements.main.rollback.run();
  } catch {
    // The connection already gave the transaction up; nothing is left to undo.
  }
}
