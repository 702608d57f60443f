import { asRevision, type Clock, type CommittedEvent, RegistryError, type Revision } from '../../domain/index.js';
import type { WriteTx } from '../types.js';
import { commitEvent } from './codec.js';
import { changesAreEmpty, type CommitChanges, emptyChanges, mergeChanges } from './journal.js';
import type { EventRow } from './rows.js';
import type { ViewSet } from './views.js';
import { PostgresWriteTx } from './write-tx.js';

/** Answers a caller once its batch has committed. */
export type Settle = (revision: Revision | undefined, events: readonly CommittedEvent[]) => void;

/** A queued `write(fn)`: `run` resolves with the caller's settle function when `fn` succeeds. May run again. */
export interface PendingWrite {
  run(tx: WriteTx): Promise<Settle>;
  fail(error: unknown): void;
}

/** A write whose function succeeded; it is answered after COMMIT. */
export interface DoneWrite {
  readonly write: PendingWrite;
  readonly settle: Settle;
  readonly revision: Revision | undefined;
  readonly events: readonly CommittedEvent[];
}

export interface PrepareContext {
  readonly views: ViewSet;
  /** The last committed revision, after catching up under the write lock. */
  readonly revision: Revision;
  readonly clock: Clock;
  readonly writeTimeoutMs: number;
}

/** A batch's writes run in memory: what they change, the events they emitted, and who to answer. */
export interface PreparedBatch {
  readonly changes: CommitChanges;
  readonly serviceJson: Map<string, string>;
  readonly deploymentJson: Map<string, string>;
  readonly eventRows: readonly EventRow[];
  readonly events: readonly CommittedEvent[];
  readonly done: readonly DoneWrite[];
  /** The revision of the batch's last event-emitting write (the current one when none emitted). */
  readonly revision: Revision;
}

export const batchChangesNothing = (batch: PreparedBatch): boolean => batch.events.length === 0 && changesAreEmpty(batch.changes);

/**
 * Runs each write function over the committed views and the batch's earlier writes. A function
 * that throws is answered at once and leaves nothing behind; the others wait for the commit.
 */
export async function prepareBatch(ctx: PrepareContext, writes: readonly PendingWrite[]): Promise<PreparedBatch> {
  const batch: PreparedBatch = {
    changes: emptyChanges(),
    serviceJson: new Map(),
    deploymentJson: new Map(),
    eventRows: [],
    events: [],
    done: [],
    revision: ctx.revision,
  };
  const eventRows: EventRow[] = [];
  const events: CommittedEvent[] = [];
  const done: DoneWrite[] = [];
  let revision = ctx.revision;
  for (const write of writes) {
    const tx = new PostgresWriteTx(asRevision(revision + 1), ctx.views, batch.changes);
    let settle: Settle;
    let stamped: { readonly data: string; readonly committed: CommittedEvent }[];
    try {
      settle = await withinTime(write.run(tx), ctx.writeTimeoutMs);
      const timestamp = ctx.clock.now();
      stamped = tx.events.map((event, index) => commitEvent(event, tx.revision, index, timestamp));
    } catch (error) {
      write.fail(error);
      continue;
    } finally {
      tx.end();
    }
    mergeChanges(batch.changes, tx.changes);
    for (const [name, json] of tx.serviceJson) batch.serviceJson.set(name, json);
    for (const [name, service] of tx.changes.services) if (service === null) batch.serviceJson.delete(name);
    for (const [id, json] of tx.deploymentJson) batch.deploymentJson.set(id, json);
    const committed = Object.freeze(stamped.map((event) => event.committed));
    for (const { data, committed: event } of stamped) {
      eventRows.push({ revision: event.revision, index: event.index, type: event.type, timestamp: event.timestamp, data });
    }
    events.push(...committed);
    if (committed.length > 0) revision = tx.revision;
    done.push({ write, settle, revision: committed.length > 0 ? tx.revision : undefined, events: committed });
  }
  return { ...batch, eventRows, events: Object.freeze(events), done, revision };
}

/** Guards the batch (and the write lock it holds) against a function that awaits something other than `tx`. */
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

/**
 * The log keeps the last `retention` revisions; it is compacted once it holds 10% more than
 * that (the SQLite backend's rule), so the delete runs once every few thousand commits.
 */
export function compactionPoint(revision: number, compactRevision: number, retention: number): number | undefined {
  const slack = Math.max(1, Math.ceil(retention / 10));
  return revision - compactRevision > retention + slack ? revision - retention : undefined;
}

/** Fails every write with one error and answers it (a RegistryError passes through; anything else is a storage fault). */
export function failAll(writes: readonly { readonly fail: (error: unknown) => void }[], cause: unknown, message: string): RegistryError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = cause instanceof RegistryError ? cause : new RegistryError('unavailable', reason === '' ? message : `${message}: ${reason}`, { cause });
  for (const write of writes) write.fail(error);
  return error;
}
