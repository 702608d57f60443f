import type { CommittedEvent, DeploymentRecord, RegistryEvent, Revision, Service } from '../domain/index.js';
import type { AllocationReadView, AllocationWriter } from './allocations.js';
import type { OrderedServices } from './ordered.js';
import type { StoreSnapshot } from './snapshot.js';
import type { TokenReadView, TokenWriter } from './tokens.js';

/** Reads served from memory: never wait on the database. Kept in step with every commit. */
export interface ServiceReadView {
  get(name: string): Service | undefined;
  /** Every service, ordered by name. */
  list(): readonly Service[];
  /** Every service, ordered by name, as an immutable value: later commits never change it (paged listings keep it). */
  ordered(): OrderedServices;
  readonly size: number;
}

export interface ServiceWriter {
  get(name: string): Promise<Service | undefined>;
  list(): Promise<readonly Service[]>;
  put(service: Service): Promise<void>;
  /** Resolves true when a row was removed. */
  delete(name: string): Promise<boolean>;
}

/** The kept log of recent deployments, served from memory like the services. */
export interface DeploymentReadView {
  get(id: string): DeploymentRecord | undefined;
  /** Every kept deployment, newest first. */
  list(): readonly DeploymentRecord[];
}

export interface DeploymentWriter {
  get(id: string): Promise<DeploymentRecord | undefined>;
  /** Every kept deployment with this write's and its batch's puts, newest first. */
  list(): Promise<readonly DeploymentRecord[]>;
  /** Adds a deployment or replaces the one with its id; the oldest beyond the retention are dropped. */
  put(record: DeploymentRecord): Promise<void>;
}

/** How many deployments the log keeps. */
export const DEFAULT_DEPLOYMENT_RETENTION = 500;

/**
 * What a write function may use. It must touch nothing else (no network, timers or other
 * awaits): it may run again after a `conflict`, and throwing rolls back only this write.
 */
export interface WriteTx {
  /** The revision this write commits at when it emits an event. */
  readonly revision: Revision;
  readonly services: ServiceWriter;
  readonly deployments: DeploymentWriter;
  /** IP allocations and each network's allocator state (src/ipam does the arithmetic). */
  readonly allocations: AllocationWriter;
  /** Bearer tokens (hashed); changing one emits no event. */
  readonly tokens: TokenWriter;
  /** Records an event; it is stored in the same transaction and published after commit. */
  emit(event: RegistryEvent): void;
}

export interface WriteResult<T> {
  readonly value: T;
  /** The revision of this write, or undefined when it emitted no event. */
  readonly revision: Revision | undefined;
  readonly events: readonly CommittedEvent[];
  /** True when `fn` did not run: the request's first call committed, and `value` is what it answered then. */
  readonly replayed?: boolean;
}

/**
 * A caller's id for one write, kept with its outcome (in the same transaction, in the database)
 * for the request window: a retry with the same id, on this server or another on the same
 * database, gets the first call's value back instead of running `fn` again.
 */
export interface WriteRequest {
  readonly id: string;
  /** What the call asked (operation and params): the same id with other params is refused. */
  readonly fingerprint: string;
}

export interface WriteOptions {
  /** Makes the write exactly-once over retries; `fn`'s value must then survive JSON (domain values do). */
  readonly request?: WriteRequest;
}

/** How long a write's request id and outcome are kept for retries. */
export const DEFAULT_REQUEST_WINDOW_MS = 5 * 60_000;

export type CommitListener = (events: readonly CommittedEvent[]) => void;

/** One group commit as it ran: how many writes it took and how long its transaction took, in seconds. */
export interface BatchTiming {
  readonly writes: number;
  readonly seconds: number;
}
export type BatchListener = (batch: BatchTiming) => void;

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly services: ServiceReadView;
  readonly deployments: DeploymentReadView;
  readonly allocations: AllocationReadView;
  readonly tokens: TokenReadView;
  /** The last committed revision (0 for an empty store). */
  readonly revision: Revision;
  /** Events at or below this revision were compacted away. */
  readonly compactRevision: Revision;
  /** Runs `fn` in a transaction; writes arriving together commit together, each answered after its own commit. */
  write<T>(fn: (tx: WriteTx) => Promise<T> | T, options?: WriteOptions): Promise<WriteResult<T>>;
  /**
   * Resolves once this server has applied every commit made, by any server, before the call: a read
   * after it sees every write acknowledged before it (`unavailable` when that cannot be confirmed).
   * Reads share the database round trip this takes. Absent: nothing commits without this server
   * applying it first (SQLite, one server per file), so every read is already current.
   */
  caughtUp?(): Promise<void>;
  /** Committed events with revision > `after`, oldest first, at most `limit`. */
  eventsSince(after: Revision, limit: number): Promise<readonly CommittedEvent[]>;
  /** Called after each commit with its events in revision order; returns an unsubscribe function. */
  onCommit(listener: CommitListener): () => void;
  /** Called after each group commit (whether or not it emitted events), for metrics; returns an unsubscribe function. */
  onBatch(listener: BatchListener): () => void;
  /**
   * Whether this server runs the periodic sweeps (TTL expiry) now. Absent: always (SQLite, one
   * server). PostgreSQL: true while this server holds the sweep lock, so one server sweeps at a time.
   */
  claimSweeps?(): Promise<boolean>;
  /**
   * Claims on the shards of the health checks, so that several servers on one database share
   * them and each check runs on one server. Absent: this server runs every check (SQLite).
   */
  readonly shardClaims?: ShardClaims;
  /** The whole committed state at `revision`, from memory, in one go (consistent). */
  snapshot(): StoreSnapshot;
  /**
   * Loads a snapshot into this store, which must be empty (nothing held, revision 0): one commit
   * at the snapshot's revision, with no events (the log starts there). Other servers on the same
   * database take it up like any commit.
   */
  restore(snapshot: StoreSnapshot): Promise<void>;
  /** The servers sharing the database (PostgreSQL). Absent: this server is the only one (SQLite). */
  readonly membership?: Membership;
  close(): Promise<void>;
  /** Resolves with the reason once closed; never rejects. */
  readonly closed: Promise<void | Error>;
}

/**
 * Numbered shards of periodic work, held by at most one server each. A claim lives as long as
 * the server's database session: a server that dies lets go of its shards at once.
 */
export interface ShardClaims {
  /** Joins (once per session) and answers how many servers take part now, this one included; 0 without a session. */
  members(): Promise<number>;
  /** The shards below `count` that no server holds now. */
  unclaimed(count: number): Promise<readonly number[]>;
  /** Tries each shard; answers those this server now holds. */
  claim(shards: readonly number[]): Promise<readonly number[]>;
  release(shards: readonly number[]): Promise<void>;
  /** The shards this server holds now: empty once its session was lost. */
  held(): ReadonlySet<number>;
}

/** What a server says of itself to the others sharing its database. */
export interface MemberIdentity {
  /** The URL clients reach it at. */
  readonly address: string;
  readonly hostId: string;
  readonly pid: number;
  /** Milliseconds. */
  readonly startedAt: number;
  /** A digest of the settings every server should share (`[auth]` and `[limits]`). */
  readonly settings: string;
}

/** One server sharing the database, as it last reported itself. */
export interface MemberRecord extends MemberIdentity {
  readonly id: string;
  /** The server answering. */
  readonly self: boolean;
  /** Its database session is up now: false once it stopped or died. */
  readonly live: boolean;
  /** Milliseconds. */
  readonly lastSeen: number;
  /** The revision it had applied when it last reported (now, for the server answering). */
  readonly revision: number;
  /** It runs the TTL sweeps. */
  readonly sweeps: boolean;
  /** The health-check shards it runs. */
  readonly shards: readonly number[];
}

/**
 * The servers sharing one database. Each writes its row at every heartbeat and holds a session
 * lock while its database session is up, so a server that dies shows as not live at once.
 */
export interface Membership {
  /** This server's id (one per start). */
  readonly id: string;
  /** Writes this server's row, with its revision, sweeps and shards; about once a second. */
  heartbeat(identity: MemberIdentity): Promise<void>;
  /** Every server that reported within DEFAULT_MEMBER_RETENTION_MS, this one first. */
  list(): Promise<readonly MemberRecord[]>;
  /** The ids of the servers whose session is up now. */
  live(): Promise<ReadonlySet<string>>;
}

/** A server not seen for this long leaves the list of members. */
export const DEFAULT_MEMBER_RETENTION_MS = 24 * 60 * 60_000;

export interface StoreOptions {
  /** SQLite file path, or a `postgres://` URL. */
  readonly location: string;
  /**
   * How many events the log keeps for `since_revision` replay before compacting.
   * @default 100_000
   */
  readonly eventRetention?: number;
  /** @default systemClock */
  readonly clock?: import('../domain/index.js').Clock;
  /**
   * Called when writes fail for a reason of the storage itself (a full disk, a database file
   * removed or replaced, a database that cannot be reached), with the error the writers get.
   * Not called for a write function's own errors. @default nothing
   */
  readonly onWriteFault?: (error: import('../domain/index.js').RegistryError) => void;
  /**
   * How long a write's request id and outcome are kept for retries.
   * @default DEFAULT_REQUEST_WINDOW_MS
   */
  readonly requestWindowMs?: number;
}

export const DEFAULT_EVENT_RETENTION = 100_000;
