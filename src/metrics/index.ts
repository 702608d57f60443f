/** @module metrics — the Prometheus registry of a server (prom-client) and what the server feeds it. */
export { type DeploymentOutcome, METRIC_PREFIX, type MetricsSources, type PoolUse, RegistryMetrics, type RequestOutcome } from './registry-metrics.js';
