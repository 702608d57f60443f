import type { Clock, RegistryError } from '../domain/index.js';
import type { Logger } from './log.js';

/** After a write fault is logged, further ones are only counted for this long. */
export const DEFAULT_FAULT_LOG_INTERVAL_MS = 10_000;

/**
 * Logs the storage faults that fail writes (a full disk, a removed database file, an
 * unreachable PostgreSQL) with their reason, at most once per interval: a burst of failing
 * writes is one line, and the next line says how many were not logged in between.
 */
export class WriteFaultLog {
  private loggedAt: number | undefined;
  private unlogged = 0;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly intervalMs: number = DEFAULT_FAULT_LOG_INTERVAL_MS,
  ) {}

  /** The store's `onWriteFault`. */
  readonly report = (error: RegistryError): void => {
    const now = this.clock.now();
    if (this.loggedAt !== undefined && now - this.loggedAt < this.intervalMs) {
      this.unlogged++;
      return;
    }
    const path = error.details.path;
    this.logger.error(
      { code: error.code, reason: error.message, ...(typeof path === 'string' ? { path } : {}), ...(this.unlogged > 0 ? { notLogged: this.unlogged } : {}) },
      `writes are failing: ${error.message}`,
    );
    this.loggedAt = now;
    this.unlogged = 0;
  };
}
