import type Database from 'better-sqlite3';
import { asRevision, type CommittedEvent, RegistryError, type Revision } from '../../domain/index.js';
import type { ResolvedStoreOptions } from '../options.js';
import { MemoryDeploymentLog } from '../deployment-log.js';
import {
  type CommitListener,
  DEFAULT_DEPLOYMENT_RETENTION,
  type DeploymentReadView,
  type ServiceReadView,
  type Store,
  type WriteResult,
  type WriteTx,
} from '../types.js';
import { MemoryServiceView } from '../view.js';
import { type CommittedBatch, type PendingWrite, runBatch } from './batch.js';
import { decodeEventRow, decodeMetaInteger, decodeServiceRow } from './codec.js';
import { type OpenedDatabase, openDatabase } from './connection.js';
import { FileIdentity } from './file-identity.js';
import { type DeploymentStatements, loadDeployments, prepareDeploymentStatements } from './deployments.js';
import { type AllocationReadView, MemoryAllocationView } from '../allocations.js';
import { type AllocationStatements, loadAllocations, prepareAllocationStatements } from './allocations.js';
import { MemoryTokenView, type TokenReadView } from '../tokens.js';
import { loadTokens, prepareTokenStatements, type TokenStatements } from './tokens.js';
import { registerDiagnostics } from './diagnostics.js';
import { prepareStatements, type Statements } from './statements.js';

/** Knobs tests may turn; production uses the defaults. */
export interface SqliteTuning {
  /** The most writes one transaction takes; the rest wait for the next flush. */
  readonly maxBatchWrites: number;
  /** A write function that has not settled after this long is failed so the batch can commit. */
  readonly writeTimeoutMs: number;
}

export const DEFAULT_SQLITE_TUNING: SqliteTuning = Object.freeze({ maxBatchWrites: 1_000, writeTimeoutMs: 5_000 });

interface Loaded {
  readonly db: Database.Database;
  readonly identity: FileIdentity;
  readonly statements: Statements;
  readonly view: MemoryServiceView;
  readonly revision: Revision;
  readonly compactRevision: Revision;
  readonly deploymentStatements: DeploymentStatements;
  readonly deployments: MemoryDeploymentLog;
  readonly allocationStatements: AllocationStatements;
  readonly allocations: MemoryAllocationView;
  readonly tokenStatements: TokenStatements;
  readonly tokens: MemoryTokenView;
}

/** Brings the file's schema up to date (creating the file when missing) and closes it again. */
export async function migrateSqlite(location: string): Promise<Omit<OpenedDatabase, 'db'>> {
  const { db, ...opened } = await openDatabase(location);
  db.close();
  return opened;
}

/** Opens the file, runs migrations and rebuilds the read view from the `services` table. */
export async function openSqliteStore(
  options: ResolvedStoreOptions,
  tuning: SqliteTuning = DEFAULT_SQLITE_TUNING,
): Promise<Store> {
  const { db, path } = await openDatabase(options.location);
  try {
    const identity = FileIdentity.take(path);
    const statements = prepareStatements(db);
    const view = new MemoryServiceView(statements.allServices.all().map(decodeServiceRow));
    const revision = asRevision(decodeMetaInteger(statements.readMeta.get('revision'), 'revision'));
    const compact = decodeMetaInteger(statements.readMeta.get('compact_revision'), 'compact_revision');
    const compactRevision = asRevision(compact);
    const deploymentStatements = prepareDeploymentStatements(db);
    const retention = DEFAULT_DEPLOYMENT_RETENTION;
    const deployments = new MemoryDeploymentLog(loadDeployments(deploymentStatements, retention), retention);
    const allocationStatements = prepareAllocationStatements(db);
    const allocations = new MemoryAllocationView(loadAllocations(allocationStatements));
    const tokenStatements = prepareTokenStatements(db);
    const tokens = new MemoryTokenView(loadTokens(tokenStatements));
    return new SqliteStore(options, tuning, {
      ...{ db, identity, statements, view, revision, compactRevision, deploymentStatements, deployments },
      ...{ allocationStatements, allocations },
      ...{ tokenStatements, tokens },
    });
  } catch (cause) {
    db.close();
    throw cause instanceof RegistryError
      ? cause
      : new RegistryError('unavailable', `cannot read the SQLite store ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * The SQLite store: one connection, one writer. Writes queued in the same event-loop turn
 * commit in one transaction (group commit); reads come from the in-memory view.
 */
class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly closed: Promise<void | Error>;
  readonly #db: Database.Database;
  readonly #identity: FileIdentity;
  readonly #statements: Statements;
  readonly #view: MemoryServiceView;
  readonly #deployments: MemoryDeploymentLog;
  readonly #deploymentStatements: DeploymentStatements;
  readonly #allocations: MemoryAllocationView;
  readonly #allocationStatements: AllocationStatements;
  readonly #tokens: MemoryTokenView;
  readonly #tokenStatements: TokenStatements;
  readonly #options: ResolvedStoreOptions;
  readonly #tuning: SqliteTuning;
  readonly #listeners = new Set<CommitListener>();
  #revision: Revision;
  #compactRevision: Revision;
  #queue: PendingWrite[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #flushing: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #markClosed: (reason: void | Error) => void = () => undefined;
  #transactions = 0;

  constructor(options: ResolvedStoreOptions, tuning: SqliteTuning, loaded: Loaded) {
    this.#options = options;
    this.#tuning = tuning;
    this.#db = loaded.db;
    this.#identity = loaded.identity;
    this.#statements = loaded.statements;
    this.#view = loaded.view;
    this.#deployments = loaded.deployments;
    this.#deploymentStatements = loaded.deploymentStatements;
    this.#allocations = loaded.allocations;
    this.#allocationStatements = loaded.allocationStatements;
    this.#tokens = loaded.tokens;
    this.#tokenStatements = loaded.tokenStatements;
    this.#revision = loaded.revision;
    this.#compactRevision = loaded.compactRevision;
    this.closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
    registerDiagnostics(this, { db: this.#db, path: options.location, transactions: () => this.#transactions });
  }

  get services(): ServiceReadView {
    return this.#view;
  }

  get deployments(): DeploymentReadView {
    return this.#deployments;
  }

  get allocations(): AllocationReadView {
    return this.#allocations;
  }

  get tokens(): TokenReadView {
    return this.#tokens;
  }

  get revision(): Revision {
    return this.#revision;
  }

  get compactRevision(): Revision {
    return this.#compactRevision;
  }

  write<T>(fn: (tx: WriteTx) => Promise<T> | T): Promise<WriteResult<T>> {
    if (this.#closing !== undefined) return Promise.reject(closingError());
    return new Promise<WriteResult<T>>((resolve, reject) => {
      this.#queue.push({
        run: async (tx) => {
          const value = await fn(tx);
          return (revision, events) => resolve({ value, revision, events });
        },
        fail: reject,
      });
      this.#schedule();
    });
  }

  eventsSince(after: Revision, limit: number): Promise<readonly CommittedEvent[]> {
    if (!this.#db.open) return Promise.reject(closingError());
    if (!Number.isSafeInteger(limit) || limit <= 0) return Promise.resolve([]);
    try {
      // Bounded by the committed revision: rows of a batch still in flight are invisible.
      const rows = this.#statements.eventsSince.all(after, this.#revision, limit);
      return Promise.resolve(rows.map(decodeEventRow));
    } catch (cause) {
      return Promise.reject(new RegistryError('unavailable', 'cannot read the event log', { cause }));
    }
  }

  onCommit(listener: CommitListener): () => void {
    const entry: CommitListener = (events) => listener(events);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const queued = this.#queue;
    this.#queue = [];
    for (const write of queued) write.fail(closingError());
    await this.#flushing;
    this.#listeners.clear();
    let reason: Error | undefined;
    try {
      this.#db.close();
    } catch (cause) {
      reason = new RegistryError('unavailable', 'the SQLite database did not close cleanly', { cause });
    }
    this.#markClosed(reason);
    if (reason !== undefined) throw reason;
  }

  #schedule(): void {
    if (this.#scheduled !== undefined || this.#flushing !== undefined) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      // Marked as flushing before it starts: a write function may call close() or write() synchronously.
      let flushed: () => void = () => undefined;
      this.#flushing = new Promise<void>((resolve) => {
        flushed = resolve;
      });
      const settle = (): void => {
        this.#flushing = undefined;
        flushed();
        if (this.#queue.length > 0 && this.#closing === undefined) this.#schedule();
      };
      this.#flush().then(settle, settle);
    });
  }

  async #flush(): Promise<void> {
    const writes = this.#queue.splice(0, this.#tuning.maxBatchWrites);
    if (writes.length === 0) return;
    // Never acknowledge a write into a file that was removed or replaced: a restart would not find it.
    const gone = this.#identity.problem();
    if (gone !== undefined) {
      this.#options.onWriteFault(gone);
      for (const write of writes) write.fail(gone);
      return;
    }
    try {
      const batch = await runBatch(
        {
          db: this.#db,
          statements: this.#statements,
          view: this.#view,
          clock: this.#options.clock,
          revision: this.#revision,
          compactRevision: this.#compactRevision,
          eventRetention: this.#options.eventRetention,
          writeTimeoutMs: this.#tuning.writeTimeoutMs,
          deployments: this.#deployments,
          deploymentStatements: this.#deploymentStatements,
          allocations: this.#allocations,
          allocationStatements: this.#allocationStatements,
          tokens: this.#tokens,
          tokenStatements: this.#tokenStatements,
          onFault: this.#options.onWriteFault,
        },
        writes,
      );
      if (batch !== undefined) this.#publish(batch);
    } catch (error) {
      // A bug, not a storage fault: answer every caller rather than leave one hanging.
      for (const write of writes) write.fail(error);
    }
  }

  /** After COMMIT only: memory first, then listeners, then each caller. */
  #publish(batch: CommittedBatch): void {
    this.#view.apply(batch.changes);
    this.#deployments.apply(batch.deployments);
    this.#allocations.apply(batch.allocations);
    this.#tokens.apply(batch.tokens);
    this.#revision = batch.revision;
    this.#compactRevision = batch.compactRevision;
    this.#transactions += 1;
    if (batch.events.length > 0) {
      for (const listener of [...this.#listeners]) notify(listener, batch.events);
    }
    for (const done of batch.done) done.settle(done.revision, done.events);
  }
}

function notify(listener: CommitListener, events: readonly CommittedEvent[]): void {
  try {
    listener(events);
  } catch (error) {
    // A listener's fault must not undo a commit nor starve the other listeners.
    process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'CommitListenerError');
  }
}

function closingError(): RegistryError {
  return new RegistryError('unavailable', 'the store is closing');
}
