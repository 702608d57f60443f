import type { RegistryConfig } from '../config/index.js';
import type { Clock } from '../domain/index.js';
import { HealthScheduler } from '../health/index.js';
import { type Network, networkCatalog, releaseOwner } from '../ipam/index.js';
import type { HealthService } from '../operations/index.js';
import type { Store } from '../store/index.js';
import type { Logger } from './log.js';

export interface HealthChecksDeps {
  readonly config: RegistryConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The `[[network]]`s in force, compiled: a service a check deregisters gives its addresses back. */
  readonly networks: () => readonly Network[];
  /** Told the scheduler once it runs, so whoever hosts it closes it. */
  readonly started: (scheduler: HealthScheduler) => void;
}

/**
 * Starts the health-check scheduler the way the TTL sweeper runs: hosted by the server, writing
 * only through the store. With PostgreSQL it takes its share of the check shards first.
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
    releaseHeld: async (tx, owner) => {
      const catalog = networkCatalog(deps.networks());
      await releaseOwner(tx, owner, (network) => catalog.get(network));
    },
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
