import type { RegistryConfig } from '../config/index.js';
import type { Clock } from '../domain/index.js';
import { HealthScheduler, type ProbeRun } from '../health/index.js';
import { type HealthService, removeService } from '../operations/index.js';
import type { Store } from '../store/index.js';
import type { Logger } from './log.js';

export interface HealthChecksDeps {
  readonly config: RegistryConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The `[[network]]`s in force: a service a check deregisters gives its addresses back. */
  readonly networks: () => RegistryConfig['networks'];
  /** Told the scheduler once it runs, so whoever hosts it closes it. */
  readonly started: (scheduler: HealthScheduler) => void;
  /** Told each probe as it ran (metrics). */
  readonly onRun?: (run: ProbeRun) => void;
}

/**
 * Starts the health-check scheduler the way the TTL sweeper runs: hosted by the server, its
 * rules in src/domain, and a service it deregisters removed by src/operations. With PostgreSQL it
 * takes its share of the check shards first.
 */
export async function startHealthChecks(deps: HealthChecksDeps): Promise<HealthService> {
  const { config, store, clock, logger } = deps;
  const scheduler = new HealthScheduler({
    store,
    clock,
    logger,
    allowScripts: config.health.allowScripts,
    maxConcurrent: config.health.maxConcurrent,
    serverId: `${config.server.hostId}, pid ${String(process.pid)}`,
    deregister: (tx, service) => removeService(tx, service, deps.networks()),
    ...(deps.onRun === undefined ? {} : { onRun: deps.onRun }),
  });
  try {
    await scheduler.start();
  } catch (error) {
    await scheduler.close();
    throw error;
  }
  deps.started(scheduler);
  return { allowScripts: config.health.allowScripts, stats: () => scheduler.stats() };
}
