/**
 * What feeds the metrics (src/metrics): the store's commits and group commits, the TTL sweeps,
 * the health probes, the deployer's results, and at scrape time the server's connections and the
 * `list_networks` operation. The server wires these; none of them reaches into a store or a rule.
 */
import { type CommittedEvent, RegistryError } from '../domain/index.js';
import type { ProbeRun } from '../health/index.js';
import type { RegistryMetrics } from '../metrics/index.js';
import type { Deployer } from '../operations/index.js';
import type { Store } from '../store/index.js';
import type { EventHub } from './event-hub.js';
import type { Caller, Runner } from './runner.js';

/** Counts committed events and times group commits until the returned function is called. */
export function feedStoreMetrics(store: Store, metrics: RegistryMetrics): () => void {
  const stopCommits = store.onCommit((events) => metrics.committed(events));
  const stopBatches = store.onBatch((batch) => metrics.batch(batch.writes, batch.seconds));
  return () => {
    stopCommits();
    stopBatches();
  };
}

/** The event hub's `onPublished`: each event's time from commit to hand-off. */
export const deliveryLag =
  (metrics: RegistryMetrics) =>
  (events: readonly CommittedEvent[], now: number): void => {
    for (const event of events) metrics.delivered((now - event.timestamp) / 1000);
  };

/** The health scheduler's `onRun`. */
export const probeRuns =
  (metrics: RegistryMetrics) =>
  (run: ProbeRun): void =>
    metrics.checkRun(run.kind, run.verdict, run.durationMs / 1000);

/** How a deployment the deployer ran ended; a request it refused before it began (no deployment id) is no deployment. */
function outcomeOf(error: unknown): 'failed' | 'rolled_back' | undefined {
  if (!(error instanceof RegistryError) || typeof error.details.deployment_id !== 'string') return undefined;
  return typeof error.details.rolled_back_to === 'string' ? 'rolled_back' : 'failed';
}

/** The deployer as operations see it, counting each deployment and rollback by outcome. */
export function countedDeployer(deployer: Deployer, metrics: RegistryMetrics): Deployer {
  const counted = async (kind: 'deploy' | 'rollback', work: Promise<Awaited<ReturnType<Deployer['deploy']>>>) => {
    try {
      const record = await work;
      metrics.deployment(kind, 'succeeded');
      return record;
    } catch (error) {
      const outcome = outcomeOf(error);
      if (outcome !== undefined) metrics.deployment(kind, outcome);
      throw error;
    }
  };
  return {
    deploy: (request) => counted('deploy', deployer.deploy(request)),
    rollback: (request) => counted('rollback', deployer.rollback(request)),
  };
}

/** What the server is running: read at each scrape. */
export interface ServedParts {
  readonly runner: Runner;
  readonly events: EventHub;
  readonly store: Store;
  /** Open WebSocket connections. */
  readonly websockets: () => number;
}

/** The server itself, as the scrape reads the IP pools through `list_networks`. */
const SCRAPER: Caller = { principal: { role: 'read', via: 'metrics' }, connection: {} };

export function attachSources(metrics: RegistryMetrics, parts: ServedParts): void {
  metrics.attach({
    connections: () => ({ websocket: parts.websockets(), sse: parts.events.counts().sseStreams }),
    subscriptions: () => parts.events.counts().subscriptions,
    revision: () => parts.store.revision,
    pools: async () => {
      try {
        return await parts.runner.call('list_networks', {}, SCRAPER);
      } catch {
        return []; // a server without networks has no pools
      }
    },
  });
}
