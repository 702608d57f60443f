import pg from 'pg';
import { type CommittedEvent, RegistryError, type Revision } from '../../domain/index.js';
import type { AllocationReadView } from '../allocations.js';
import { closingError, failAll, type PendingWrite } from '../batch.js';
import { GroupCommit } from '../group-commit.js';
import type { ResolvedStoreOptions } from '../options.js';
import type { TokenReadView } from '../tokens.js';
import { type CommitListener, DEFAULT_DEPLOYMENT_RETENTION, type DeploymentReadView, type ServiceReadView, type Store } from '../types.js';
import { commitBatch, type CommitContext, commitRestore } from './commit.js';
import { snapshotOf, type StoreSnapshot } from '../snapshot.js';
import { CommitFollower } from './follower.js';
import { loadSnapshot, readEvents, readMeta, type Snapshot } from './load.js';
import { SharedRound } from './read-barrier.js';
import { runPostgresMigrations } from './migrations.js';
import { Replica } from './replica.js';
import { SessionShardClaims } from './shard-claims.js';
import { PostgresMembership } from './membership.js';
import { DEFAULT_POSTGRES_TUNING, type PostgresTuning } from './tuning.js';
import { type Checkout, checkout, isRetryable, redactUrl, sqlState, unavailable } from './sql.js';

/**
 * PostgreSQL's side of each session probes a silent peer after 10 s and drops it after 25 s
 * (the system default is about two hours). A server whose host died or was cut off by the network
 * thus loses its sessions, and with them the sweep lock and its check shards, in under half a
 * minute, so the other servers take over. A stopped but living process still answers TCP
 * keepalives: that case is not covered (README "Several servers on PostgreSQL").
 */
export const SESSION_KEEPALIVE = '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 -c tcp_user_timeout=25000';

/** Connection settings shared by the pool and the LISTEN session. */
export function clientConfig(location: string, tuning: PostgresTuning): pg.ClientConfig {
  return {
    connectionString: location,
    connectionTimeoutMillis: tuning.connectTimeoutMs,
    // This side notices a dead PostgreSQL host as quickly.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    options: SESSION_KEEPALIVE,
    // A statement never hangs a server for good, and a server frozen inside a write transaction
    // (holding the write lock) is cut off by PostgreSQL instead of stopping every other writer.
    statement_timeout: 30_000,
    idle_in_transaction_session_timeout: Math.max(15_000, tuning.writeTimeoutMs * 3),
    // Names this server's sessions in pg_stat_activity (who holds the sweep lock).
    application_name: `registry-${String(process.pid)}`,
  };
}

/** Connects, brings the schema up to date and reads the state into memory. */
export async function openPostgresStore(
  options: ResolvedStoreOptions,
  tuning: PostgresTuning = DEFAULT_POSTGRES_TUNING,
): Promise<Store> {
  const config = clientConfig(options.location, tuning);
  const pool = new pg.Pool({ ...config, max: tuning.poolSize });
  // An idle pooled connection that breaks is dropped by the pool; the next checkout reconnects.
  pool.on('error', () => undefined);
  let snapshot: Snapshot;
  try {
    const { client, release } = await checkout(pool);
    try {
      await runPostgresMigrations(client);
      snapshot = await loadSnapshot(client, DEFAULT_DEPLOYMENT_RETENTION);
    } finally {
      release();
    }
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw unavailable(`cannot open the PostgreSQL store ${redactUrl(options.location)}`, cause);
  }
  const store = new PostgresStore(options, tuning, pool, config, snapshot);
  await store.start();
  return store;
}

/**
 * The PostgreSQL store: several servers share one database. Reads come from this server's
 * memory (the Replica); writes queued together commit in one transaction under a
 * transaction-level advisory lock, so revisions stay gap-free across servers; each commit
 * NOTIFYs its generation and every server reads the journal and the events itself.
 */
class PostgresStore extends GroupCommit implements Store {
  readonly kind = 'postgres';
  readonly #replica: Replica;
  readonly #follower: CommitFollower;
  readonly #poll: NodeJS.Timeout;
  readonly shardClaims: SessionShardClaims;
  readonly membership: PostgresMembership;
  /** Flushes and catch-ups, one at a time and in order. */
  #chain: Promise<void> = Promise.resolve();
  #syncQueued = false;
  /** The newest generation a notification announced. */
  #announced = 0;
  /** A reconnect or a poll asked for a catch-up whatever was announced. */
  #syncForced = false;
  /** Consistent reads arriving together share one look at where the database stands. */
  readonly #current: SharedRound;

  constructor(
    private readonly options: ResolvedStoreOptions,
    private readonly tuning: PostgresTuning,
    private readonly pool: pg.Pool,
    config: pg.ClientConfig,
    snapshot: Snapshot,
  ) {
    super(tuning.maxBatchWrites, 'the PostgreSQL connections did not close cleanly');
    this.#replica = new Replica(snapshot, DEFAULT_DEPLOYMENT_RETENTION);
    this.#follower = new CommitFollower({
      config,
      listen: tuning.listen,
      onNotify: (generation) => this.#requestSync(generation),
      onConnected: () => this.#requestSync(),
      onLost: () => undefined,
    });
    this.shardClaims = new SessionShardClaims(this.#follower);
    const state = () => ({ revision: this.#replica.revision, sweeps: this.#follower.holdsSweeps, shards: [...this.shardClaims.held()].sort((a, b) => a - b) });
    this.membership = new PostgresMembership(pool, this.#follower, state, options.clock);
    this.#current = new SharedRound(() => this.#confirmCurrent(), tuning.readRoundMs);
    this.#poll = setInterval(() => this.#requestSync(), tuning.pollMs);
    this.#poll.unref();
  }

  start(): Promise<void> {
    return this.#follower.start();
  }

  get services(): ServiceReadView {
    return this.#replica.read.services;
  }

  get deployments(): DeploymentReadView {
    return this.#replica.read.deployments;
  }

  get allocations(): AllocationReadView {
    return this.#replica.read.allocations;
  }

  get tokens(): TokenReadView {
    return this.#replica.read.tokens;
  }

  get revision(): Revision {
    return this.#replica.revision;
  }

  get compactRevision(): Revision {
    return this.#replica.compactRevision;
  }

  async eventsSince(after: Revision, limit: number): Promise<readonly CommittedEvent[]> {
    if (this.closing) throw closingError();
    if (!Number.isSafeInteger(limit) || limit <= 0) return [];
    try {
      // Bounded by what this server has applied: later events reach its listeners first.
      return await readEvents(this.pool, after, this.#replica.revision, limit);
    } catch (cause) {
      throw unavailable('cannot read the event log from PostgreSQL', cause);
    }
  }

  onCommit(listener: CommitListener): () => void {
    return this.#replica.onCommit(listener);
  }

  snapshot(): StoreSnapshot {
    return snapshotOf(this.#replica.views, this.#replica.revision);
  }

  /** Under the write lock, after catching up: the database must hold nothing. */
  restore(snapshot: StoreSnapshot): Promise<void> {
    return this.exclusively(async () => {
      const { client, release } = await checkout(this.pool).catch((cause: unknown) => {
        throw unavailable(`cannot reach the PostgreSQL store ${redactUrl(this.options.location)}`, cause);
      });
      let broken: Error | undefined;
      try {
        await commitRestore({ client, replica: this.#replica, options: this.options, tuning: this.tuning }, snapshot);
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        if (connectionLost(error)) broken = error instanceof Error ? error : new Error(String(error));
        throw unavailable('the PostgreSQL store could not restore the snapshot', error);
      } finally {
        release(broken);
      }
    });
  }

  caughtUp(): Promise<void> {
    if (this.closing) return Promise.reject(closingError());
    return this.#current.join();
  }

  /** Reads the last commit's generation, then waits (bounded) for this server to have applied it. */
  async #confirmCurrent(): Promise<void> {
    const stale = 'read with consistency "stale" to answer from what this server holds';
    let generation: number;
    try {
      generation = (await readMeta(this.pool)).generation;
    } catch (cause) {
      throw unavailable(`cannot confirm this server is up to date with PostgreSQL (${stale})`, cause);
    }
    if (this.#replica.generation >= generation) return;
    this.#requestSync(generation);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const message = `this server has not caught up with PostgreSQL within ${String(this.tuning.readTimeoutMs)} ms (${stale})`;
        reject(new RegistryError('unavailable', message, { details: { generation, applied: this.#replica.generation } }));
      }, this.tuning.readTimeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([this.#replica.reach(generation), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** True while this server holds the sweep lock (a session-level advisory lock): one server sweeps at a time. */
  claimSweeps(): Promise<boolean> {
    if (this.closing) return Promise.resolve(false);
    return this.#follower.claimSweeps();
  }

  /** After the last flush: the catch-ups still queued, then the LISTEN session and the pool. */
  protected override async release(): Promise<void> {
    clearInterval(this.#poll);
    await this.#chain;
    this.#replica.clearListeners();
    await this.#follower.close();
    await this.pool.end();
  }

  /** A flush waits for the catch-ups before it, and they for it: one at a time, in order. */
  protected override runFlush(flush: () => Promise<void>): Promise<void> {
    return this.#exclusive(flush);
  }

  #exclusive(task: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(task);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads what other servers committed. Coalesced; a notification of a commit already applied
   * (this server's own, mostly) reads nothing; a failure waits for the next poll or reconnect.
   */
  #requestSync(announced?: number): void {
    if (announced === undefined) this.#syncForced = true;
    else this.#announced = Math.max(this.#announced, announced);
    if (this.#syncQueued || this.closing) return;
    this.#syncQueued = true;
    void this.#exclusive(async () => {
      this.#syncQueued = false;
      const forced = this.#syncForced;
      this.#syncForced = false;
      if (this.closing || (!forced && this.#announced <= this.#replica.generation)) return;
      await this.#replica.sync(this.pool, () => this.#reload()).catch(() => undefined);
    });
  }

  async #reload(): Promise<Snapshot> {
    const { client, release } = await checkout(this.pool);
    try {
      return await loadSnapshot(client, DEFAULT_DEPLOYMENT_RETENTION);
    } finally {
      release();
    }
  }

  /** One transaction under the write lock, run again after a serialisation failure or deadlock. */
  protected override async commit(batch: readonly PendingWrite[]): Promise<void> {
    let writes = batch;
    let checkedOut: Checkout;
    try {
      checkedOut = await checkout(this.pool);
    } catch (cause) {
      this.options.onWriteFault(failAll(writes, cause, `cannot reach the PostgreSQL store ${redactUrl(this.options.location)}`));
      return;
    }
    let broken: Error | undefined;
    try {
      const ctx: CommitContext = { client: checkedOut.client, replica: this.#replica, options: this.options, tuning: this.tuning };
      for (let attempt = 1; ; attempt++) {
        const outcome = await commitBatch(ctx, writes);
        if (outcome.ok) return;
        if (isRetryable(outcome.error) && attempt < this.tuning.maxAttempts && outcome.pending.length > 0) {
          writes = [...outcome.pending];
          continue;
        }
        if (connectionLost(outcome.error)) broken = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
        const error = isRetryable(outcome.error)
          ? new RegistryError('conflict', 'a concurrent change conflicted; try again', { cause: outcome.error })
          : outcome.error;
        const failed = failAll(outcome.pending, error, 'the PostgreSQL store could not commit the write');
        if (failed.code === 'unavailable' && outcome.pending.length > 0) this.options.onWriteFault(failed);
        return;
      }
    } finally {
      checkedOut.release(broken);
    }
  }
}

/** The connection itself failed (no server answer, a connection exception, a shutdown): it leaves the pool. */
function connectionLost(error: unknown): boolean {
  const state = sqlState(error);
  return state === undefined || state.startsWith('08') || state.startsWith('57');
}
