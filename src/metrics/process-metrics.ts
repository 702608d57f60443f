import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/**
 * prom-client's process and Node.js metrics (CPU, memory, file descriptors, event-loop lag, GC),
 * named under `registry_`. They describe the process, not one server, and their collectors
 * (a GC observer, the event-loop monitor) live as long as it: one registry for the process,
 * made at the first scrape, however many servers it runs.
 */
export function processMetrics(): Registry {
  if (shared === undefined) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared, prefix: 'registry_' });
  }
  return shared;
}
