import { createHash } from 'node:crypto';
import type { RegistryConfig } from '../config/index.js';
import type { Clock, DeploymentRecord } from '../domain/index.js';
import { DEFAULT_SHARD_COUNT } from '../health/index.js';
import type { MemberService } from '../operations/index.js';
import type { MemberIdentity, MemberRecord, Store } from '../store/index.js';
import type { Logger } from './log.js';

/** How often a server writes its row of the members table. */
export const DEFAULT_MEMBER_HEARTBEAT_MS = 1_000;
/** Every this-many heartbeats, a server compares its settings with the other live servers'. */
const SETTINGS_CHECK_EVERY = 10;

/** The digest of the settings every server of a cluster should share: `[auth]` and `[limits]` as they are in force. */
export function settingsDigest(config: Pick<RegistryConfig, 'auth' | 'limits'>): string {
  return createHash('sha256').update(JSON.stringify({ auth: config.auth, limits: config.limits })).digest('hex').slice(0, 16);
}

/**
 * Which running deployments no server runs any more: this server's own that its deployer does not
 * run (it lost track of one), and, for the server that holds the sweeps, those of a server that is
 * not live (it died; with SQLite, one of an earlier life of this server).
 */
export function deploymentOrphans(store: Store, serverId: string, runsHere: (id: string) => boolean): () => Promise<(record: DeploymentRecord) => boolean> {
  return async () => {
    const others = store.deployments.list().some((r) => r.status === 'running' && r.server !== serverId);
    const sweeps = others && (store.claimSweeps === undefined || (await store.claimSweeps()));
    const live = sweeps ? await store.membership?.live() : undefined;
    return (record) => {
      if (record.server === serverId) return !runsHere(record.id);
      return sweeps && (record.server === undefined || !(live?.has(record.server) ?? false));
    };
  };
}

export interface MemberHeartbeatOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** What this server says of itself now (its settings follow reloads). */
  readonly identity: () => MemberIdentity;
  /** This server's id: the store's member id on PostgreSQL. */
  readonly id: string;
  /** @default DEFAULT_MEMBER_HEARTBEAT_MS */
  readonly intervalMs?: number;
}

/**
 * Keeps this server's row among the members of its database (PostgreSQL) once a second, and
 * answers list_members: the rows of every server, or this server alone on SQLite. Logs a warning
 * when a live server runs with other `[auth]` or `[limits]` than this one.
 */
export class MemberHeartbeat implements MemberService {
  readonly #timer: NodeJS.Timeout;
  #beating: Promise<void> = Promise.resolve();
  #beats = 0;
  #warned = '';

  constructor(private readonly options: MemberHeartbeatOptions) {
    this.#timer = setInterval(() => this.#beat(), options.intervalMs ?? DEFAULT_MEMBER_HEARTBEAT_MS);
    this.#timer.unref();
  }

  /** The first heartbeat, so the server is listed as soon as it serves. */
  async start(): Promise<void> {
    this.#beat();
    await this.#beating;
  }

  list(): Promise<readonly MemberRecord[]> {
    const { store, clock, identity } = this.options;
    if (store.membership !== undefined) return store.membership.list();
    const shards = Array.from({ length: DEFAULT_SHARD_COUNT }, (_, shard) => shard);
    const self: MemberRecord = { ...identity(), id: this.options.id, self: true, live: true, lastSeen: clock.now(), revision: store.revision, sweeps: true, shards };
    return Promise.resolve([self]);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
  }

  #beat(): void {
    const membership = this.options.store.membership;
    if (membership === undefined) return;
    this.#beating = this.#beating
      .then(async () => {
        await membership.heartbeat(this.options.identity());
        if (++this.#beats % SETTINGS_CHECK_EVERY === 1) await this.#compareSettings();
      })
      .catch((err: unknown) => this.options.logger.warn({ err }, 'member heartbeat failed; retrying'));
  }

  async #compareSettings(): Promise<void> {
    const members = (await this.list()).filter((m) => m.live);
    const mine = this.options.identity().settings;
    const others = members.filter((m) => m.settings !== mine);
    const key = others.map((m) => `${m.id}:${m.settings}`).join(',');
    if (key === this.#warned) return;
    this.#warned = key;
    if (others.length === 0) return;
    this.options.logger.warn(
      { settings: mine, differing: others.map((m) => ({ address: m.address, settings: m.settings })) },
      'other servers on this database run with other [auth] or [limits]: give every server the same so that callers get the same answer wherever they connect',
    );
  }
}
