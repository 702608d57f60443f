import type Database from 'better-sqlite3';
import {
  asRevision,
  type Clock,
  type CommittedEvent,
  type DeploymentRecord,
  RegistryError,
  type Revision,
  type Service,
} from '../../domain/index.js';
import { DEFAULT_DEPLOYMENT_RETENTION, type DeploymentReadView, type ServiceReadView, type WriteTx } from '../types.js';
import type { ServiceChanges } from '../view.js';
import { commitEvent } from './codec.js';
import { reasonOf } from './errno.js';
import { type DeploymentStatements, writeDeploymentRows } from './deployments.js';
import { AllocationChanges, type MemoryAllocationView } from '../allocations.js';
import { type AllocationStatements, writeAllocationRows } from './allocations.js';
import type { Statements } from './statements.js';
import { OverlayWriteTx } from './write-tx.js';
import type { TokenReadView, TokenRecord } from '../tokens.js';
import { type TokenStatements, writeTokenRows } from './tokens.js';

/** Answers a caller once its batch has committed. */
export type Settle = (revision: Revision | undefined, events: readonly CommittedEvent[]) => void;

/** A queued `write(fn)`: `run` resolves with the caller's settle function when `fn` succeeds. */
export interface PendingWrite {
  run(tx: WriteTx): Promise<Settle>;
  fail(error: unknown): void;
}

export interface BatchContext {
  readonly db: Database.Database;
  readonly statements: Statements;
  /** The committed view: the batch never changes it. */
  readonly view: ServiceReadView;
  readonly clock: Clock;
  readonly revision: Revision;
  readonly compactRevision: Revision;
  readonly eventRetention: number;
  /** A write function still pending after this long is failed (see DEFAULT_SQLITE_TUNING). */
  readonly writeTimeoutMs: number;
  /** The committed deployment log and its statements. */
  readonly deployments: DeploymentReadView;
  readonly deploymentStatements: DeploymentStatements;
  /** The committed allocations and their statements. */
  readonly allocations: MemoryAllocationView;
  readonly allocationStatements: AllocationStatements;
  /** The committed tokens and their statements. */
  readonly tokens: TokenReadView;
  readonly tokenStatements: TokenStatements;
  /** Told of every storage failure that fails writes (see StoreOptions.onWriteFault). */
  readonly onFault: (error: RegistryError) => void;
}

export interface DoneWrite {
  readonly settle: Settle;
  readonly fail: (error: unknown) => void;
  readonly revision: Revision | undefined;
  readonly events: readonly CommittedEvent[];
}

/** What a committed batch changed; the store applies it to memory after COMMIT. */
export interface CommittedBatch {
  readonly changes: ServiceChanges;
  readonly events: readonly CommittedEvent[];
  readonly revision: Revision;
  readonly compactRevision: Revision;
  readonly done: readonly DoneWrite[];
  readonly deployments: ReadonlyMap<string, DeploymentRecord>;
  readonly allocations: AllocationChanges;
  readonly tokens: ReadonlyMap<string, TokenRecord | null>;
}

interface BatchState {
  lastRevision: number;
  readonly changes: Map<string, Service | null>;
  readonly events: CommittedEvent[];
  readonly done: DoneWrite[];
  readonly deployments: Map<string, DeploymentRecord>;
  readonly allocations: AllocationChanges;
  readonly tokens: Map<string, TokenRecord | null>;
}

/**
 * Runs queued writes in one transaction, each inside its own savepoint, and commits.
 * A write whose `fn` throws is rejected alone; a failure of the transaction itself rejects
 * every caller with `unavailable`. Resolves undefined when nothing was committed.
 */
export async function runBatch(ctx: BatchContext, writes: readonly PendingWrite[]): Promise<CommittedBatch | undefined> {
  try {
    ctx.statements.begin.run();
  } catch (cause) {
    failAll(ctx, writes, cause);
    return undefined;
  }
  const state: BatchState = { lastRevision: ctx.revision, changes: new Map(), events: [], done: [], deployments: new Map(), allocations: new AllocationChanges(), tokens: new Map() };
  for (const [position, write] of writes.entries()) {
    try {
      await runOne(ctx, state, write);
    } catch (cause) {
      abort(ctx);
      failAll(ctx, [...state.done, ...writes.slice(position)], cause);
      return undefined;
    }
  }
  let compactRevision: Revision;
  try {
    compactRevision = finish(ctx, state);
  } catch (cause) {
    abort(ctx);
    failAll(ctx, state.done, cause);
    return undefined;
  }
  return {
    changes: state.changes,
    events: Object.freeze(state.events),
    revision: asRevision(state.lastRevision),
    compactRevision,
    done: state.done,
    deployments: state.deployments,
    allocations: state.allocations,
    tokens: state.tokens,
  };
}

/** Runs one write; throws only when the transaction as a whole can no longer commit. */
async function runOne(ctx: BatchContext, state: BatchState, write: PendingWrite): Promise<void> {
  const deploymentLayers = { batch: state.deployments, committed: ctx.deployments };
  const allocationLayers = { batch: state.allocations, committed: ctx.allocations };
  const tokenLayers = { batch: state.tokens, committed: ctx.tokens };
  const tx = new OverlayWriteTx(asRevision(state.lastRevision + 1), ctx.view, state.changes, deploymentLayers, allocationLayers, tokenLayers);
  let settle: Settle;
  let events: readonly { readonly data: string; readonly committed: CommittedEvent }[];
  try {
    settle = await withinTime(write.run(tx), ctx.writeTimeoutMs);
    const timestamp = ctx.clock.now();
    events = tx.events.map((event, index) => commitEvent(event, tx.revision, index, timestamp));
  } catch (error) {
    write.fail(error);
    return;
  } finally {
    tx.end();
  }
  try {
    writeRows(ctx.statements, tx, events, ctx.deploymentStatements, ctx.allocationStatements, ctx.tokenStatements);
  } catch (cause) {
    if (!rollbackSavepoint(ctx)) throw cause;
    const error = new RegistryError('unavailable', `the store could not save the write: ${reasonOf(cause)}`, { cause });
    ctx.onFault(error);
    write.fail(error);
    return;
  }
  for (const [name, service] of tx.changes) state.changes.set(name, service);
  for (const [id, { record }] of tx.deploymentPuts) state.deployments.set(id, record);
  state.allocations.merge(tx.allocationChanges);
  for (const [name, token] of tx.tokenChanges) state.tokens.set(name, token);
  const committed = Object.freeze(events.map((event) => event.committed));
  state.events.push(...committed);
  if (committed.length > 0) state.lastRevision = tx.revision;
  state.done.push({
    settle,
    fail: write.fail,
    revision: committed.length > 0 ? tx.revision : undefined,
    events: committed,
  });
}

/** Guards the batch against a write function that awaits something other than `tx` and never settles. */
async function withinTime<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const hint = 'it may await something other than tx, such as a nested store.write';
      reject(new Error(`the write function did not finish within ${String(ms)} ms; ${hint}`));
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function writeRows(
  statements: Statements,
  tx: OverlayWriteTx,
  events: readonly { readonly data: string; readonly committed: CommittedEvent }[],
  deploymentStatements: DeploymentStatements,
  allocationStatements: AllocationStatements,
  tokenStatements: TokenStatements,
): void {
  statements.savepoint.run();
  for (const [name, change] of tx.changes) {
    if (change === null) statements.deleteService.run(name);
  }
  for (const [name, { service, json }] of tx.puts) {
    statements.putService.run(name, service.id, service.revision, json);
  }
  for (const { data, committed } of events) {
    statements.insertEvent.run(committed.revision, committed.index, committed.type, committed.timestamp, data);
  }
  writeDeploymentRows(deploymentStatements, tx.deploymentPuts, DEFAULT_DEPLOYMENT_RETENTION);
  writeAllocationRows(allocationStatements, tx.allocationChanges);
  writeTokenRows(tokenStatements, tx.tokenChanges);
  statements.releaseSavepoint.run();
}

/** Undoes a failed write's rows; false when the whole transaction is gone or unusable. */
function rollbackSavepoint(ctx: BatchContext): boolean {
  if (!ctx.db.inTransaction) return false;
  try {
    ctx.statements.rollbackToSavepoint.run();
    ctx.statements.releaseSavepoint.run();
    return true;
  } catch {
    return false;
  }
}

/** Stores the new revision, compacts the event log when due, and commits. */
function finish(ctx: BatchContext, state: BatchState): Revision {
  let compactRevision = ctx.compactRevision;
  if (state.lastRevision > ctx.revision) {
    ctx.statements.writeMeta.run('revision', String(state.lastRevision));
    const due = compactionPoint(state.lastRevision, ctx.compactRevision, ctx.eventRetention);
    if (due !== undefined) {
      ctx.statements.deleteEventsUpTo.run(due);
      ctx.statements.writeMeta.run('compact_revision', String(due));
      compactRevision = asRevision(due);
    }
  }
  ctx.statements.commit.run();
  return compactRevision;
}

/**
 * The log keeps the last `retention` revisions. It is compacted once it holds 10% more
 * than that, so the delete runs once every few thousand commits rather than on each.
 */
export function compactionPoint(revision: number, compactRevision: number, retention: number): number | undefined {
  const slack = Math.max(1, Math.ceil(retention / 10));
  return revision - compactRevision > retention + slack ? revision - retention : undefined;
}

function abort(ctx: BatchContext): void {
  if (!ctx.db.inTransaction) return;
  try {
    ctx.statements.rollback.run();
  } catch {
    // The connection already gave the transaction up; nothing is left to undo.
  }
}

function failAll(ctx: BatchContext, writes: readonly { readonly fail: (error: unknown) => void }[], cause: unknown): void {
  const error =
    cause instanceof RegistryError
      ? cause
      : new RegistryError('unavailable', `the store could not commit the write: ${reasonOf(cause)}`, { cause });
  if (writes.length > 0) ctx.onFault(error);
  for (const write of writes) write.fail(error);
}
