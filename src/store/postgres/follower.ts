import pg from 'pg';
import { LOCK_KEYS } from './migrations.js';
import { COMMIT_CHANNEL } from './rows.js';
import { select } from './sql.js';

/** Reconnect delays: doubling from the first to the cap, each with jitter (half to all of it). */
export const DEFAULT_RECONNECT_MS = { first: 100, cap: 5_000 } as const;

export interface FollowerOptions {
  readonly config: pg.ClientConfig;
  /** False: keep the session (for the sweep lock) but do not LISTEN. */
  readonly listen: boolean;
  /** A notification arrived: some server committed this generation. */
  readonly onNotify: (generation: number) => void;
  /** The session is (again) listening: whatever was committed meanwhile must be read. */
  readonly onConnected: () => void;
  /** The session was lost; it is being re-established with backoff. */
  readonly onLost: (error: Error | undefined) => void;
}

/**
 * The session every server keeps open besides its pool: it LISTENs for commits, and it is the
 * session that holds the sweep lock, so a server that dies (or loses its database connection)
 * releases the lock with it and another server takes the sweeps over. Lost sessions are
 * re-established with jittered, doubling delays.
 */
export class CommitFollower {
  readonly closed: Promise<void>;
  #client: pg.Client | undefined;
  #holdsSweeps = false;
  /** Counts sessions: locks held under an older one are gone. */
  #epoch = 0;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  #markClosed: () => void = () => undefined;

  constructor(private readonly options: FollowerOptions) {
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  /** True while this session holds the sweep lock (as far as it last learned). */
  get holdsSweeps(): boolean {
    return this.#client !== undefined && this.#holdsSweeps;
  }

  /** True while the LISTEN session is up. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** The session as it is now, with its number; undefined while it is down. Session locks live and die with it. */
  session(): { readonly client: pg.Client; readonly epoch: number } | undefined {
    return this.#client === undefined ? undefined : { client: this.#client, epoch: this.#epoch };
  }

  /** Connects the first time; a failure is retried in the background. */
  async start(): Promise<void> {
    await this.#connect();
  }

  /** True while this session holds the sweep lock; tries to take it when free. */
  async claimSweeps(): Promise<boolean> {
    const client = this.#client;
    if (client === undefined) return false;
    if (this.#holdsSweeps) return true;
    try {
      const rows = await select(client, 'SELECT pg_try_advisory_lock($1) AS held', [LOCK_KEYS.sweeps]);
      const first: unknown = rows[0];
      const held = typeof first === 'object' && first !== null && 'held' in first && first.held === true;
      if (client !== this.#client) return false;
      this.#holdsSweeps = held;
      return held;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    this.#holdsSweeps = false;
    // Ending the session releases the sweep lock for the other servers.
    await client?.end().catch(() => undefined);
    this.#markClosed();
  }

  async #connect(): Promise<void> {
    if (this.#closing !== undefined) return;
    const client = new pg.Client(this.options.config);
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, undefined));
    client.on('notification', (message) => {
      if (message.channel !== COMMIT_CHANNEL) return;
      const generation = Number(message.payload);
      if (Number.isSafeInteger(generation)) this.options.onNotify(generation);
    });
    try {
      await client.connect();
      if (this.options.listen) await client.query(`LISTEN ${COMMIT_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.#retry(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.#closing !== undefined) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#epoch += 1;
    this.#attempt = 0;
    this.options.onConnected();
  }

  #lost(client: pg.Client, error: Error | undefined): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    this.#holdsSweeps = false;
    client.end().catch(() => undefined);
    this.#retry(error);
  }

  #retry(error: Error | undefined): void {
    if (this.#closing !== undefined) return;
    this.options.onLost(error);
    const { first, cap } = DEFAULT_RECONNECT_MS;
    const delay = Math.min(cap, first * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    this.#attempt = Math.min(this.#attempt + 1, 16);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#connect(), delay);
    this.#timer.unref();
  }
}
