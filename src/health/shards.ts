import type { ShardClaims } from '../store/index.js';

/** The check space is cut into this many shards; servers share shards, not single checks. */
export const DEFAULT_SHARD_COUNT = 64;
/** How often a server on PostgreSQL renews its share: a dead server's shards move within this. */
export const DEFAULT_HEARTBEAT_MS = 500;

export interface ShardOwnershipOptions {
  readonly claims: ShardClaims | undefined;
  readonly count: number;
  readonly heartbeatMs: number;
  /** True while a shard still has a check running: it is released only once none is. */
  readonly busy: (shard: number) => boolean;
  /** The set of shards this server runs changed. */
  readonly changed: () => void;
  readonly onError: (error: unknown) => void;
}

/**
 * Which shards this server runs. Alone (SQLite) it owns them all. On PostgreSQL it holds a fair
 * share (⌈shards / servers⌉): at every heartbeat it counts the servers, gives back what it holds
 * above its share once those shards have nothing running (so a check never runs on two servers
 * at once), and claims free shards up to its share. A shard left free for two heartbeats is
 * claimed whatever the share, so none is orphaned.
 */
export class ShardOwnership {
  readonly #all: ReadonlySet<number>;
  /** Shards being given back: no new run starts in them. */
  readonly #draining = new Set<number>();
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> = Promise.resolve();
  #freeBefore = new Set<number>();
  #last = new Set<number>();
  #closed = false;

  constructor(private readonly options: ShardOwnershipOptions) {
    this.#all = new Set(Array.from({ length: options.count }, (_, shard) => shard));
  }

  /** Takes the first share at once, then keeps it at every heartbeat. */
  async start(): Promise<void> {
    if (this.options.claims === undefined) return;
    await this.#beat();
    this.#arm();
  }

  /** May a run of this shard start now? */
  runs(shard: number): boolean {
    const claims = this.options.claims;
    if (claims === undefined) return true;
    return claims.held().has(shard) && !this.#draining.has(shard);
  }

  /** How many shards this server runs now. */
  get size(): number {
    const claims = this.options.claims;
    if (claims === undefined) return this.#all.size;
    return [...claims.held()].filter((shard) => !this.#draining.has(shard)).length;
  }

  /** Stops the heartbeat and gives every shard back, so the other servers take them over at once. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#beating;
    const claims = this.options.claims;
    if (claims !== undefined) await claims.release([...claims.held()]);
  }

  #arm(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#beating = this.#beat()
        .catch((error: unknown) => this.options.onError(error))
        .finally(() => this.#arm());
    }, this.options.heartbeatMs);
    this.#timer.unref();
  }

  async #beat(): Promise<void> {
    const claims = this.options.claims;
    if (claims === undefined || this.#closed) return;
    const members = await claims.members();
    if (members > 0) {
      const share = Math.ceil(this.options.count / members);
      await this.#giveBack(claims, share);
      await this.#takeUp(claims, share);
    }
    this.#notifyIfChanged(claims);
  }

  /** Drains shards above the share, and releases the drained ones that have nothing running. */
  async #giveBack(claims: ShardClaims, share: number): Promise<void> {
    const held = [...claims.held()];
    for (const shard of this.#draining) if (!claims.held().has(shard)) this.#draining.delete(shard);
    const surplus = held.length - share - this.#draining.size;
    for (const shard of held.filter((s) => !this.#draining.has(s)).slice(0, Math.max(0, surplus))) this.#draining.add(shard);
    const idle = [...this.#draining].filter((shard) => !this.options.busy(shard));
    if (idle.length === 0) return;
    await claims.release(idle);
    for (const shard of idle) this.#draining.delete(shard);
  }

  async #takeUp(claims: ShardClaims, share: number): Promise<void> {
    const free = await claims.unclaimed(this.options.count);
    const want = Math.max(0, share - claims.held().size);
    const orphaned = free.filter((shard) => this.#freeBefore.has(shard));
    this.#freeBefore = new Set(free);
    const pick = shuffle(free.filter((shard) => !orphaned.includes(shard))).slice(0, Math.max(0, want - orphaned.length));
    if (orphaned.length + pick.length > 0) await claims.claim([...orphaned, ...pick]);
  }

  #notifyIfChanged(claims: ShardClaims): void {
    const now = new Set([...claims.held()].filter((shard) => !this.#draining.has(shard)));
    const same = now.size === this.#last.size && [...now].every((shard) => this.#last.has(shard));
    this.#last = now;
    if (!same) this.options.changed();
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const a = items[i];
    const b = items[j];
    if (a !== undefined && b !== undefined) {
      items[i] = b;
      items[j] = a;
    }
  }
  return items;
}
