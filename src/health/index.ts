/** @module health — check probes (http, tcp, ws, tls, script), the scheduler, and the declaration schema; the rules are in src/domain. */
export { type CheckDeclaration, checkDefinition, checkDefinitionList } from './definition.js';
export { DEFAULT_MAX_CONCURRENT_CHECKS, type HealthLogger, type HealthSchedulerOptions, type ProbeRun } from './options.js';
export { type ProbeOptions, runProbe } from './probe.js';
export { HealthScheduler, type RunReport } from './scheduler.js';
export { DEFAULT_HEARTBEAT_MS, DEFAULT_SHARD_COUNT } from './shards.js';
export type { HealthStats } from './stats.js';
