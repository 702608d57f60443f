import type { Clock, DeploymentRecord } from '../domain/index.js';
import { endOrphanedDeployments, expireTokens, expireTtls } from '../operations/index.js';
import type { Store } from '../store/index.js';
import type { Logger } from './log.js';

/** How often expired registrations and tokens are looked for. */
export const DEFAULT_TTL_SWEEP_MS = 1_000;

/** Which running deployments no server runs any more, as the server works it out at each sweep. */
export type OrphanedDeployments = () => Promise<(record: DeploymentRecord) => boolean>;

/**
 * Hosts the sweeps of src/operations on a timer: TTL expiry (`expireTtls`), the removal of expired
 * tokens (`expireTokens`) and, when given, the end of deployments whose server is gone
 * (`endOrphanedDeployments`); one pass at a time, every interval, until closed. With several
 * servers on one PostgreSQL, only the holder of the sweep lock sweeps (each operation asks the
 * store). What expires or ends, and what it emits, is the operations' business.
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
    private readonly orphaned?: OrphanedDeployments,
    /** Told when this server holds tokens past their expiry, after this pass removed them if it sweeps: their streams end. */
    private readonly onTokensLapsed: () => void = () => undefined,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.timer = setInterval(() => {
      this.running = this.running.then(async () => void (await this.sweep())).catch((err: unknown) => this.logger.warn({ err }, 'sweep failed'));
    }, intervalMs);
    this.timer.unref();
  }

  /** One pass; public so a test can run it without waiting for the timer. Resolves with how many TTLs expired. */
  async sweep(): Promise<number> {
    const deps = { store: this.store, clock: this.clock };
    const expired = await expireTtls(deps);
    this.onExpired(expired);
    if ((await expireTokens(deps)).lapsed > 0) this.onTokensLapsed();
    if (this.orphaned !== undefined) {
      const ended = await endOrphanedDeployments(deps, await this.orphaned());
      if (ended > 0) this.logger.warn({ ended }, 'ended deployments whose server stopped before they did');
    }
    return expired;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    this.resolveClosed();
  }
}
