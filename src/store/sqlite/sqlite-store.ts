import type Database from 'better-sqlite3';
import { asRevision, type CommittedEvent, RegistryError, type Revision } from '../../domain/index.js';
import type { AllocationReadView } from '../allocations.js';
import { closingError, failAll, type PendingWrite, settleAll } from '../batch.js';
import { applyChanges, CommitListeners, type ViewSet, viewsOf } from '../committed.js';
import { GroupCommit } from '../group-commit.js';
import type { ResolvedStoreOptions } from '../options.js';
import type { TokenReadView } from '../tokens.js';
import { type CommitListener, DEFAULT_DEPLOYMENT_RETENTION, type DeploymentReadView, type ServiceReadView, type Store } from '../types.js';
import { loadAllocations } from './allocations.js';
import { type CommittedBatch, runBatch, writeRestore } from './batch.js';
import { changesOfSnapshot, notEmpty, snapshotOf, type StoreSnapshot, viewsAreEmpty } from '../snapshot.js';
import { decodeEventRow, decodeMetaInteger, decodeServiceRow } from './codec.js';
import { type OpenedDatabase, openDatabase } from './connection.js';
import { loadDeployments } from './deployments.js';
import { registerDiagnostics } from './diagnostics.js';
import { FileIdentity } from './file-identity.js';
import { prepareAllStatements, type SqliteStatements } from './statements.js';
import { loadTokens } from './tokens.js';

/** Knobs tests may turn; production uses the defaults. */
export interface SqliteTuning {
  /** The most writes one transaction takes; the rest wait for the next flush. */
  readonly maxBatchWrites: number;
  /** A write function that has not settled after this long is failed so the batch can commit. */
  readonly writeTimeoutMs: number;
}

/** Request outcomes past their window are deleted on every this-many-th commit, not on each. */
const REQUEST_PRUNE_EVERY = 100;

export const DEFAULT_SQLITE_TUNING: SqliteTuning = Object.freeze({ maxBatchWrites: 1_000, writeTimeoutMs: 5_000 });

interface Loaded {
  readonly db: Database.Database;
  readonly identity: FileIdentity;
  readonly statements: SqliteStatements;
  readonly views: ViewSet;
  readonly revision: Revision;
  readonly compactRevision: Revision;
}

/** Brings the file's schema up to date (creating the file when missing) and closes it again. */
export async function migrateSqlite(location: string): Promise<Omit<OpenedDatabase, 'db'>> {
  const { db, ...opened } = await openDatabase(location);
  db.close();
  return opened;
}

/** Opens the file, runs migrations and rebuilds the read views from the tables. */
export async function openSqliteStore(
  options: ResolvedStoreOptions,
  tuning: SqliteTuning = DEFAULT_SQLITE_TUNING,
): Promise<Store> {
  const { db, path } = await openDatabase(options.location);
  try {
    const identity = FileIdentity.take(path);
    const statements = prepareAllStatements(db);
    const { main } = statements;
    const contents = {
      services: main.allServices.all().map(decodeServiceRow),
      deployments: loadDeployments(statements.deployments, DEFAULT_DEPLOYMENT_RETENTION),
      allocations: loadAllocations(statements.allocations),
      tokens: loadTokens(statements.tokens),
    };
    const views = viewsOf(contents, DEFAULT_DEPLOYMENT_RETENTION);
    const revision = asRevision(decodeMetaInteger(main.readMeta.get('revision'), 'revision'));
    const compactRevision = asRevision(decodeMetaInteger(main.readMeta.get('compact_revision'), 'compact_revision'));
    return new SqliteStore(options, tuning, { db, identity, statements, views, revision, compactRevision });
  } catch (cause) {
    db.close();
    throw cause instanceof RegistryError
      ? cause
      : new RegistryError('unavailable', `cannot read the SQLite store ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * The SQLite store: one connection, one writer. Writes queued in the same event-loop turn
 * commit in one transaction (group commit, src/store/group-commit.ts); reads come from memory.
 */
class SqliteStore extends GroupCommit implements Store {
  readonly kind = 'sqlite';
  readonly #db: Database.Database;
  readonly #identity: FileIdentity;
  readonly #statements: SqliteStatements;
  readonly #views: ViewSet;
  readonly #options: ResolvedStoreOptions;
  readonly #tuning: SqliteTuning;
  readonly #listeners = new CommitListeners();
  #revision: Revision;
  #compactRevision: Revision;
  #transactions = 0;

  constructor(options: ResolvedStoreOptions, tuning: SqliteTuning, loaded: Loaded) {
    super(tuning.maxBatchWrites, 'the SQLite database did not close cleanly');
    this.#options = options;
    this.#tuning = tuning;
    this.#db = loaded.db;
    this.#identity = loaded.identity;
    this.#statements = loaded.statements;
    this.#views = loaded.views;
    this.#revision = loaded.revision;
    this.#compactRevision = loaded.compactRevision;
    registerDiagnostics(this, { db: this.#db, path: options.location, transactions: () => this.#transactions });
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

  eventsSince(after: Revision, limit: number): Promise<readonly CommittedEvent[]> {
    if (!this.#db.open) return Promise.reject(closingError());
    if (!Number.isSafeInteger(limit) || limit <= 0) return Promise.resolve([]);
    try {
      // Bounded by the committed revision: rows of a batch still in flight are invisible.
      const rows = this.#statements.main.eventsSince.all(after, this.#revision, limit);
      return Promise.resolve(rows.map(decodeEventRow));
    } catch (cause) {
      return Promise.reject(new RegistryError('unavailable', 'cannot read the event log', { cause }));
    }
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
      writeRestore({ db: this.#db, statements: this.#statements }, changes, snapshot.revision);
      applyChanges(this.#views, changes);
      this.#revision = snapshot.revision;
      this.#compactRevision = snapshot.revision;
    });
  }

  protected override async commit(writes: readonly PendingWrite[]): Promise<void> {
    // Never acknowledge a write into a file that was removed or replaced: a restart would not find it.
    const gone = this.#identity.problem();
    if (gone !== undefined) {
      this.#options.onWriteFault(failAll(writes, gone, 'the store could not commit the write'));
      return;
    }
    const batch = await runBatch(
      {
        db: this.#db,
        statements: this.#statements,
        views: this.#views,
        clock: this.#options.clock,
        revision: this.#revision,
        compactRevision: this.#compactRevision,
        eventRetention: this.#options.eventRetention,
        writeTimeoutMs: this.#tuning.writeTimeoutMs,
        onFault: this.#options.onWriteFault,
        requestWindowMs: this.#options.requestWindowMs,
        pruneRequestsBefore: this.#transactions % REQUEST_PRUNE_EVERY === 0 ? this.#options.clock.now() - this.#options.requestWindowMs : undefined,
      },
      writes,
    );
    if (batch !== undefined) this.#publish(batch);
  }

  protected override async release(): Promise<void> {
    this.#listeners.clear();
    this.#db.close();
  }

  /** After COMMIT only: memory first, then listeners, then each caller. */
  #publish(batch: CommittedBatch): void {
    applyChanges(this.#views, batch.changes);
    this.#revision = batch.revision;
    this.#compactRevision = batch.compactRevision;
    this.#transactions += 1;
    this.#listeners.publish(batch.committed);
    settleAll(batch.done);
  }
}
