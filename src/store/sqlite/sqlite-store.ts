import { asRevision, type CommittedEvent, RegistryError, type Revision } from '../../domain/index.js';
import type { AllocationReadView } from '../allocations.js';
import { closingError, failAll, type PendingWrite, prepareBatch, type PreparedBatch, settleAll } from '../batch.js';
import { applyChanges, CommitListeners, type ViewSet } from '../committed.js';
import { GroupCommit } from '../group-commit.js';
import type { ResolvedStoreOptions } from '../options.js';
import { type RecordedOutcome, requestIdsOf } from '../requests.js';
import { changesOfSnapshot, notEmpty, snapshotOf, type StoreSnapshot, viewsAreEmpty } from '../snapshot.js';
import type { TokenReadView } from '../tokens.js';
import type { CommitListener, DeploymentReadView, ServiceReadView, Store } from '../types.js';
import { commitRequest, recordRestoreRows, recordWriteRows } from './batch.js';
import { decodeEventRow } from './codec.js';
import { type OpenedDatabase, openDatabase } from './connection.js';
import { registerDiagnostics } from './diagnostics.js';
import { reasonOf } from './errno.js';
import type { FileIdentity } from './file-identity.js';
import { type LoadedStore, loadStore } from './load.js';
import { RecentRequestIds } from './recent-requests.js';
import { type CommitRequest, decodeCommitAnswer, decodeProbe, rowsOf } from './worker-protocol.js';
import { WorkerLink } from './worker-link.js';
import type { SqlOp } from './write-ops.js';

/** Knobs tests may turn; production uses the defaults. */
export interface SqliteTuning {
  /** The most writes one transaction takes; the rest wait for the next flush. */
  readonly maxBatchWrites: number;
  /** A write function that has not settled after this long is failed so the batch can commit. */
  readonly writeTimeoutMs: number;
  /** The most service records one page of the load at open carries (src/store/sqlite/load.ts). */
  readonly loadPageRows: number;
  /** The most request ids held in memory so that new ones need no lookup (src/store/sqlite/recent-requests.ts). */
  readonly recentRequestIds: number;
  /** Test-only: the commit worker waits at this gate before each COMMIT (CommitGate). */
  readonly commitGate?: SharedArrayBuffer;
  /** Test-only: told of each store opened with this tuning (a server's own, for sqliteDiagnostics). */
  readonly onOpen?: (store: Store) => void;
}

/** Request outcomes past their window are deleted on every this-many-th commit, not on each. */
const REQUEST_PRUNE_EVERY = 100;

const COMMIT_FAILED = 'the store could not commit the write';

export const DEFAULT_SQLITE_TUNING: SqliteTuning = Object.freeze({ maxBatchWrites: 1_000, writeTimeoutMs: 5_000, loadPageRows: 10_000, recentRequestIds: 100_000 });

let tuningOverride: SqliteTuning | undefined;

/**
 * Test-only: the tuning every SQLite store opened from now on takes (a server the test starts
 * opens its own); the returned function puts the defaults back.
 */
export function overrideSqliteTuning(tuning: Partial<SqliteTuning>): () => void {
  tuningOverride = { ...DEFAULT_SQLITE_TUNING, ...tuning };
  return () => {
    tuningOverride = undefined;
  };
}

interface Loaded extends LoadedStore {
  readonly link: WorkerLink;
  readonly recent: RecentRequestIds;
}

/**
 * Brings the file's schema up to date (creating the file when missing) and closes it again. It
 * runs on the calling thread: no store has the file open (the exclusive lock would refuse it).
 */
export async function migrateSqlite(location: string): Promise<Omit<OpenedDatabase, 'db'>> {
  const { db, ...opened } = await openDatabase(location);
  db.close();
  return opened;
}

/** Has the commit worker open the file and run migrations, and builds the read views from the rows it reads. */
export async function openSqliteStore(options: ResolvedStoreOptions, tuning: SqliteTuning = tuningOverride ?? DEFAULT_SQLITE_TUNING): Promise<Store> {
  const { link, rows } = await WorkerLink.open({ location: options.location, commitGate: tuning.commitGate });
  try {
    const loaded = await loadStore(link, rows, tuning.loadPageRows);
    const recent = await RecentRequestIds.load(link, tuning.recentRequestIds, options.clock.now() - options.requestWindowMs);
    const store = new SqliteStore(options, tuning, { link, recent, ...loaded });
    tuning.onOpen?.(store);
    return store;
  } catch (cause) {
    await link.close().catch(() => undefined);
    throw cause instanceof RegistryError
      ? cause
      : new RegistryError('unavailable', `cannot read the SQLite store ${rows.path}: ${reasonOf(cause)}`, { cause });
  }
}

/**
 * The SQLite store: one connection, owned by a commit worker thread. Writes queued in the same
 * event-loop turn run here, on the main thread, and commit in one transaction in the worker (group
 * commit, src/store/group-commit.ts), so the fsync never holds the event loop; reads come from memory.
 */
class SqliteStore extends GroupCommit implements Store {
  readonly kind = 'sqlite';
  readonly #link: WorkerLink;
  readonly #recent: RecentRequestIds;
  readonly #identity: FileIdentity;
  readonly #views: ViewSet;
  readonly #options: ResolvedStoreOptions;
  readonly #tuning: SqliteTuning;
  readonly #listeners = new CommitListeners();
  #revision: Revision;
  #compactRevision: Revision;
  #transactions = 0;
  #released = false;

  constructor(options: ResolvedStoreOptions, tuning: SqliteTuning, loaded: Loaded) {
    super(tuning.maxBatchWrites, 'the SQLite database did not close cleanly');
    this.#options = options;
    this.#tuning = tuning;
    this.#link = loaded.link;
    this.#recent = loaded.recent;
    this.#identity = loaded.identity;
    this.#views = loaded.views;
    this.#revision = loaded.revision;
    this.#compactRevision = loaded.compactRevision;
    registerDiagnostics(this, {
      path: options.location,
      transactions: () => this.#transactions,
      outcomeLookups: () => this.#recent.lookups,
      probe: async () => decodeProbe(await this.#link.request({ type: 'probe' })),
      terminateWorker: () => this.#link.terminate(),
    });
  }

  get services(): ServiceReadView {
    return this.#views.services;
  }

  get deployments(): DeploymentReadView {
    return this.#views.deployments;
  }

  get allocations(): AllocationReadView {
    return this.#views.allocations;
  }

  get tokens(): TokenReadView {
    return this.#views.tokens;
  }

  get revision(): Revision {
    return this.#revision;
  }

  get compactRevision(): Revision {
    return this.#compactRevision;
  }

  async eventsSince(after: Revision, limit: number): Promise<readonly CommittedEvent[]> {
    if (this.#released) throw closingError();
    if (!Number.isSafeInteger(limit) || limit <= 0) return [];
    let rows: readonly unknown[];
    try {
      // Bounded by the committed revision: rows of a batch still in flight are invisible.
      rows = rowsOf(await this.#link.request({ type: 'events', after, upTo: this.#revision, limit }), 'event rows');
    } catch (cause) {
      throw this.#link.stopped ?? new RegistryError('unavailable', 'cannot read the event log', { cause });
    }
    return rows.map(decodeEventRow);
  }

  onCommit(listener: CommitListener): () => void {
    return this.#listeners.add(listener);
  }

  snapshot(): StoreSnapshot {
    return snapshotOf(this.#views, this.#revision);
  }

  restore(snapshot: StoreSnapshot): Promise<void> {
    return this.exclusively(async () => {
      if (this.#revision !== 0 || !viewsAreEmpty(this.#views)) throw notEmpty(this.#revision, this.#views.services.size);
      const changes = changesOfSnapshot(snapshot);
      const revision = String(snapshot.revision);
      const meta: [string, string][] = [['revision', revision], ['compact_revision', revision]];
      const request: CommitRequest = { type: 'commit', writes: [recordRestoreRows(changes)], meta, deleteEventsUpTo: null, pruneRequestsBefore: null };
      const refused = await this.#send(request).then(
        (answer) => answer.refused[0]?.reason,
        (cause: unknown) => {
          throw new RegistryError('unavailable', `the store could not restore the snapshot: ${reasonOf(cause)}`, { cause });
        },
      );
      if (refused !== undefined) throw new RegistryError('unavailable', `the store could not restore the snapshot: ${refused}`);
      applyChanges(this.#views, changes);
      this.#revision = snapshot.revision;
      this.#compactRevision = snapshot.revision;
    });
  }

  protected override async commit(writes: readonly PendingWrite[]): Promise<void> {
    // Never acknowledge a write into a file that was removed or replaced: a restart would not find it.
    const refusal = this.#link.stopped ?? this.#identity.problem();
    if (refusal !== undefined) {
      this.#options.onWriteFault(failAll(writes, refusal, COMMIT_FAILED));
      return;
    }
    let remaining = writes;
    while (remaining.length > 0) remaining = await this.#attempt(remaining);
  }

  protected override async release(): Promise<void> {
    this.#listeners.clear();
    this.#released = true;
    await this.#link.close();
  }

  /**
   * One try at committing `writes`: their functions run here, their rows commit in the worker.
   * Answers the writes to run again: when SQLite refused a write's rows, nothing committed, the
   * refused writes are failed, and the others run again without them (STYLE 23: they may).
   */
  async #attempt(writes: readonly PendingWrite[]): Promise<readonly PendingWrite[]> {
    const fail = (pending: readonly PendingWrite[], cause: unknown): readonly PendingWrite[] => {
      const error = this.#link.stopped ?? (cause instanceof RegistryError && cause.code !== 'unavailable' ? cause : new RegistryError('unavailable', `${COMMIT_FAILED}: ${reasonOf(cause)}`, { cause }));
      if (pending.length > 0) this.#options.onWriteFault(failAll(pending, error, COMMIT_FAILED));
      return [];
    };
    let recorded: ReadonlyMap<string, RecordedOutcome>;
    try {
      recorded = await this.#recent.outcomes(requestIdsOf(writes), this.#options.clock.now() - this.#options.requestWindowMs);
    } catch (cause) {
      return fail(writes, cause);
    }
    const rows: SqlOp[][] = [];
    const written: PendingWrite[] = [];
    const { clock } = this.#options;
    const persist = (prepared: Parameters<typeof recordWriteRows>[0], write: PendingWrite): undefined => {
      rows.push(recordWriteRows(prepared));
      written.push(write);
      return undefined;
    };
    const outcome = await prepareBatch({ views: this.#views, clock, revision: this.#revision, writeTimeoutMs: this.#tuning.writeTimeoutMs, recorded, persist }, writes);
    if (!outcome.ok) return fail(outcome.pending, outcome.error);
    const { batch } = outcome;
    const pruneRequestsBefore = this.#transactions % REQUEST_PRUNE_EVERY === 0 ? clock.now() - this.#options.requestWindowMs : undefined;
    const book = { revision: this.#revision, compactRevision: this.#compactRevision, eventRetention: this.#options.eventRetention, pruneRequestsBefore };
    const { request, compactRevision } = commitRequest(rows, batch.revision, book);
    let refused: readonly { readonly index: number; readonly reason: string }[];
    try {
      ({ refused } = await this.#send(request));
    } catch (cause) {
      return fail(batch.done.map((done) => done.write), cause);
    }
    if (refused.length === 0) {
      this.#publish(batch, asRevision(compactRevision));
      return [];
    }
    const failed = new Set<PendingWrite>();
    for (const { index, reason } of refused) {
      const write = written[index];
      if (write === undefined) continue;
      const error = new RegistryError('unavailable', `the store could not save the write: ${reason}`);
      this.#options.onWriteFault(error);
      write.fail(error);
      failed.add(write);
    }
    return batch.done.map((done) => done.write).filter((write) => !failed.has(write));
  }

  async #send(request: CommitRequest): Promise<ReturnType<typeof decodeCommitAnswer>> {
    return decodeCommitAnswer(await this.#link.request(request));
  }

  /** After COMMIT only: memory first, then listeners, then each caller. */
  #publish(batch: PreparedBatch, compactRevision: Revision): void {
    applyChanges(this.#views, batch.changes);
    this.#revision = batch.revision;
    this.#compactRevision = compactRevision;
    this.#transactions += 1;
    this.#recent.add(batch.outcomes);
    this.#listeners.publish(batch.committed);
    settleAll(batch.done);
  }
}
