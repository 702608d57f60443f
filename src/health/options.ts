import { type CheckKind, type CheckVerdict, type Clock, RegistryError, type Service, systemClock } from '../domain/index.js';
import type { Store, WriteTx } from '../store/index.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_SHARD_COUNT } from './shards.js';

/** Checks running at once on one server; the rest wait their turn (and count as late). */
export const DEFAULT_MAX_CONCURRENT_CHECKS = 128;

/** What the scheduler logs through (a pino logger fits). */
export interface HealthLogger {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export interface HealthSchedulerOptions {
  readonly store: Store;
  /** @default systemClock */
  readonly clock?: Clock;
  readonly logger: HealthLogger;
  /**
   * Whether `script` checks run (`[health] allow_scripts`).
   * @default false
   */
  readonly allowScripts?: boolean;
  /** @default DEFAULT_MAX_CONCURRENT_CHECKS */
  readonly maxConcurrent?: number;
  /** Names this server in the User-Agent of http and ws probes. */
  readonly serverId: string;
  /**
   * Removes a service a check deregisters, inside the write: its record, its ServiceDeregistered
   * and what it holds (its IP addresses). The server lends `removeService` of src/operations.
   */
  readonly deregister: (tx: WriteTx, service: Service) => Promise<void>;
  /** @default DEFAULT_SHARD_COUNT */
  readonly shards?: number;
  /** @default DEFAULT_HEARTBEAT_MS */
  readonly heartbeatMs?: number;
  /** Told each probe's kind, verdict and duration once it ran (metrics). @default nothing */
  readonly onRun?: (run: ProbeRun) => void;
}

/** One probe as it ran. */
export interface ProbeRun {
  readonly kind: CheckKind;
  readonly verdict: CheckVerdict;
  readonly durationMs: number;
}

export interface ResolvedHealthOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: HealthLogger;
  readonly allowScripts: boolean;
  readonly maxConcurrent: number;
  readonly userAgent: string;
  readonly deregister: (tx: WriteTx, service: Service) => Promise<void>;
  readonly shards: number;
  readonly heartbeatMs: number;
  readonly onRun: (run: ProbeRun) => void;
}

const positive = (value: number, field: string): number => {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RegistryError('invalid_params', `${field} must be a positive integer`, { details: { field, value } });
  }
  return value;
};

/** Fills in defaults and refuses impossible values once, when the scheduler is made. */
export function resolveHealthOptions(options: HealthSchedulerOptions): ResolvedHealthOptions {
  return Object.freeze({
    store: options.store,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    allowScripts: options.allowScripts ?? false,
    maxConcurrent: positive(options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_CHECKS, 'maxConcurrent'),
    userAgent: `service-registry health check (${options.serverId})`,
    deregister: options.deregister,
    shards: positive(options.shards ?? DEFAULT_SHARD_COUNT, 'shards'),
    heartbeatMs: positive(options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, 'heartbeatMs'),
    onRun: options.onRun ?? (() => undefined),
  });
}
