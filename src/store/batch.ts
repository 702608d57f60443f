import { asRevision, type Clock, type CommittedEvent, RegistryError, type Revision } from '../domain/index.js';
import { commitEvent, type StampedEvent } from './codec.js';
import { changesAreEmpty, type CommitChanges, emptyChanges, mergeChanges, type ViewSet } from './committed.js';
import { type RecordedOutcome, recordOutcome, requestIdReused } from './requests.js';
import type { WriteRequest, WriteTx } from './types.js';
import { OverlayWriteTx } from './write-tx.js';

/**
 * The group commit both backends share: queued writes run one after the other over the committed
 * views and the batch's earlier writes, in memory; each backend writes the result in one
 * transaction with its own SQL, and answers every caller only after COMMIT.
 */

/** Answers a caller once its batch has committed. */
export type Settle = (revision: Revision | undefined, events: readonly CommittedEvent[]) => void;

/** What running a write's function gave: its value, and how to answer its caller after COMMIT. */
export interface Ran {
  readonly value: unknown;
  readonly settle: Settle;
}

/** A queued `write(fn)`: `run` resolves when `fn` succeeds. May run again (PostgreSQL retries). */
export interface PendingWrite {
  readonly request?: WriteRequest;
  run(tx: WriteTx): Promise<Ran>;
  fail(error: unknown): void;
  /** Answers with what the request's first call committed; `fn` never runs. */
  replay(outcome: RecordedOutcome): void;
}

/** A write whose function succeeded; it is answered after COMMIT. */
export interface DoneWrite {
  readonly write: PendingWrite;
  readonly settle: Settle;
  readonly revision: Revision | undefined;
  readonly events: readonly CommittedEvent[];
}

/** One write's function has run: its transaction (changes, JSON), its events, stamped, and its request's outcome. */
export interface PreparedWrite {
  readonly tx: OverlayWriteTx;
  readonly events: readonly StampedEvent[];
  /** Kept with the changes when the write carried a request id and changed something. */
  readonly outcome?: RecordedOutcome;
}

export interface PrepareContext {
  /** The committed state the batch starts from (PostgreSQL: after catching up under the write lock). */
  readonly views: ViewSet;
  readonly revision: Revision;
  readonly clock: Clock;
  /** A write function still pending after this long is failed (it would hold the batch, and the write lock). */
  readonly writeTimeoutMs: number;
  /** The outcomes already committed for the request ids of the batch, looked up under the write lock. */
  readonly recorded: ReadonlyMap<string, RecordedOutcome>;
  /**
   * Takes one successful write's rows at once, before the next one runs (SQLite records them for
   * its commit worker). Answers the error that fails this write alone; throws when the transaction
   * as a whole can no longer commit. Absent: the backend writes the whole batch afterwards.
   */
  readonly persist?: (prepared: PreparedWrite, write: PendingWrite) => RegistryError | undefined;
}

/** A batch's writes run in memory: what they change, the events they emitted, and who to answer. */
export interface PreparedBatch {
  readonly changes: CommitChanges;
  readonly serviceJson: ReadonlyMap<string, string>;
  readonly deploymentJson: ReadonlyMap<string, string>;
  readonly events: readonly StampedEvent[];
  readonly committed: readonly CommittedEvent[];
  readonly done: readonly DoneWrite[];
  /** The revision of the batch's last event-emitting write (the starting one when none emitted). */
  readonly revision: Revision;
  /** The request outcomes to keep (PostgreSQL writes them with the batch; SQLite has, in `persist`). */
  readonly outcomes: readonly RecordedOutcome[];
}

export type PrepareOutcome =
  | { readonly ok: true; readonly batch: PreparedBatch }
  /** The transaction broke: nothing may commit; `pending` are the writes not answered yet. */
  | { readonly ok: false; readonly error: unknown; readonly pending: readonly PendingWrite[] };

/** Runs one write's function; undefined when it threw (it is answered then, and leaves nothing behind). */
async function runWrite(ctx: PrepareContext, write: PendingWrite, batch: CommitChanges, revision: Revision): Promise<{ settle: Settle; prepared: PreparedWrite } | undefined> {
  const tx = new OverlayWriteTx(asRevision(revision + 1), ctx.views, batch);
  try {
    const { value, settle } = await withinTime(write.run(tx), ctx.writeTimeoutMs);
    const timestamp = ctx.clock.now();
    const events = tx.events.map((event, index) => commitEvent(event, tx.revision, index, timestamp));
    // A write that changed nothing keeps no outcome: its retry changes nothing either, or runs for the first time.
    const changed = events.length > 0 || !changesAreEmpty(tx.changes);
    const outcome = write.request !== undefined && changed ? recordOutcome(write.request, value, events.length > 0 ? tx.revision : undefined, timestamp) : undefined;
    return { settle, prepared: { tx, events, ...(outcome === undefined ? {} : { outcome }) } };
  } catch (error) {
    write.fail(error);
    return undefined;
  } finally {
    tx.end();
  }
}

/**
 * Runs each write function over the committed views and the batch's earlier writes. A function
 * that throws is answered at once and leaves nothing behind; the others wait for the commit.
 */
export async function prepareBatch(ctx: PrepareContext, writes: readonly PendingWrite[]): Promise<PrepareOutcome> {
  const changes = emptyChanges();
  const serviceJson = new Map<string, string>();
  const deploymentJson = new Map<string, string>();
  const events: StampedEvent[] = [];
  const done: DoneWrite[] = [];
  const outcomes = new Map<string, RecordedOutcome>();
  let revision = ctx.revision;
  for (const [position, write] of writes.entries()) {
    if (answeredByRequest(ctx, write, outcomes, done)) continue;
    const ran = await runWrite(ctx, write, changes, revision);
    if (ran === undefined) continue;
    const { tx } = ran.prepared;
    try {
      const refused = ctx.persist?.(ran.prepared, write);
      if (refused !== undefined) {
        write.fail(refused);
        continue;
      }
    } catch (error) {
      return { ok: false, error, pending: [...done.map((d) => d.write), ...writes.slice(position)] };
    }
    if (ran.prepared.outcome !== undefined) outcomes.set(ran.prepared.outcome.id, ran.prepared.outcome);
    mergeChanges(changes, tx.changes);
    for (const [name, json] of tx.serviceJson) serviceJson.set(name, json);
    for (const [name, service] of tx.changes.services) if (service === null) serviceJson.delete(name);
    for (const [id, json] of tx.deploymentJson) deploymentJson.set(id, json);
    const committed = Object.freeze(ran.prepared.events.map((event) => event.committed));
    events.push(...ran.prepared.events);
    if (committed.length > 0) revision = tx.revision;
    done.push({ write, settle: ran.settle, revision: committed.length > 0 ? tx.revision : undefined, events: committed });
  }
  const committed = Object.freeze(events.map((event) => event.committed));
  return { ok: true, batch: { changes, serviceJson, deploymentJson, events, committed, done, revision, outcomes: [...outcomes.values()] } };
}

/**
 * A write whose request id has an outcome already, committed before or earlier in this batch: it
 * is answered with that outcome (at once, or after this batch's COMMIT) and its function never
 * runs. The same id with other params is refused.
 */
function answeredByRequest(ctx: PrepareContext, write: PendingWrite, batch: ReadonlyMap<string, RecordedOutcome>, done: DoneWrite[]): boolean {
  const request = write.request;
  if (request === undefined) return false;
  const committed = ctx.recorded.get(request.id);
  const outcome = committed ?? batch.get(request.id);
  if (outcome === undefined) return false;
  if (outcome.fingerprint !== request.fingerprint) write.fail(requestIdReused(request.id));
  else if (committed !== undefined) write.replay(outcome);
  else done.push({ write, settle: () => write.replay(outcome), revision: undefined, events: [] });
  return true;
}

/** Answers every write of a committed batch. */
export function settleAll(done: readonly DoneWrite[]): void {
  for (const write of done) write.settle(write.revision, write.events);
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

/**
 * The log keeps the last `retention` revisions. It is compacted once it holds 10% more than
 * that, so the delete runs once every few thousand commits rather than on each.
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

/** Why a write is refused once its store began to close. */
export const closingError = (): RegistryError => new RegistryError('unavailable', 'the store is closing');
