import type { Clock } from '../domain/index.js';
import { expireTtls } from '../operations/index.js';
import type { Store } from '../store/index.js';
import type { Logger } from './log.js';

/** How often expired registrations are looked for. */
export const DEFAULT_TTL_SWEEP_MS = 1_000;

/**
 * Hosts the TTL expiry of src/operations (`expireTtls`) on a timer: one pass at a time, every
 * interval, until closed. What expires and what it emits is the operation's business.
 */
export class TtlSweeper {
  readonly closed: Promise<void>;
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private resolveClosed: () => void = () => undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Told how many registrations each pass expired (metrics). */
    private readonly onExpired: (count: number) => void = () => undefined,
    intervalMs: number = DEFAULT_TTL_SWEEP_MS,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.timer = setInterval(() => {
      this.running = this.running.then(async () => void (await this.sweep())).catch((err: unknown) => this.logger.warn({ err }, 'TTL sweep failed'));
    }, intervalMs);
    this.timer.unref();
  }

  /** One pass; public so a test can run it without waiting for the timer. */
  async sweep(): Promise<number> {
    const count = await expireTtls({ store: this.store, clock: this.clock });
    this.onExpired(count);
    return count;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    this.resolveClosed();
  }
}
