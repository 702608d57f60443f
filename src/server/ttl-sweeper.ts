import { type Clock, expireTtl, ttlExpiryDue } from '../domain/index.js';
import type { Store } from '../store/index.js';
import type { Logger } from './log.js';

/** How often expired registrations are looked for. */
export const DEFAULT_TTL_SWEEP_MS = 1_000;

/**
 * Announces registrations whose TTL ran out: marks their health critical and emits
 * HealthChanged (check `ttl`, passing → critical) once, so subscribers see a backend go away (a ping brings it
 * back with HealthChanged critical → passing). `is_active` itself is derived, so reads never wait on this.
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
    // Several servers on one PostgreSQL: only the holder of the sweep lock sweeps (SQLite: always).
    if (this.store.claimSweeps !== undefined && !(await this.store.claimSweeps())) return 0;
    const now = this.clock.now();
    const due = this.store.services.list().filter((s) => ttlExpiryDue(s, now));
    if (due.length === 0) return 0;
    const { value } = await this.store.write(async (tx) => {
      let count = 0;
      for (const { name } of due) {
        const current = await tx.services.get(name);
        if (current === undefined || !ttlExpiryDue(current, now)) continue;
        const { service, event } = expireTtl(current, now, tx.revision);
        await tx.services.put(service);
        tx.emit(event);
        count++;
      }
      return count;
    });
    return value;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    this.resolveClosed();
  }
}
