import type { RegistryConfig } from './types.js';

/** A file key and how to read the setting it gives from a configuration. */
type Setting = readonly [key: string, read: (config: RegistryConfig) => unknown];

/**
 * The settings a running server reads once, at start, in file order. `[server] auto_register`,
 * the backends, networks and nodes apply on reload. `[auth]` and `[limits]` are read at start on
 * purpose: a role lowered under open connections would leave their subscriptions running with
 * the old one (README, "What needs a restart").
 */
const readAtStart: readonly Setting[] = [
  ['server.host', (c) => c.server.host],
  ['server.port', (c) => c.server.port],
  ['server.data_dir', (c) => c.server.dataDir],
  ['server.db_path', (c) => c.server.dbPath],
  ['server.log_level', (c) => c.server.logLevel],
  ['server.insecure_loopback', (c) => c.server.insecureLoopback],
  ['server.max_frame_bytes', (c) => c.server.maxFrameBytes],
  ['server.host_id', (c) => c.server.hostId],
  ['server.topology_interval', (c) => c.server.topologyIntervalSeconds],
  ['tls.cert', (c) => c.tls.files?.cert],
  ['tls.key', (c) => c.tls.files?.key],
  // Which file: its contents are re-read when they change, `names` apply on reload.
  ['tls.client_ca', (c) => c.tls.clientCa],
  ['auth.loopback_role', (c) => c.auth.loopbackRole],
  ['auth.anonymous_role', (c) => c.auth.anonymousRole],
  ['storage.url', (c) => c.storage.url],
  ['storage.event_retention', (c) => c.storage.eventRetention],
  ['limits.max_connections', (c) => c.limits.maxConnections],
  ['limits.max_connections_per_address', (c) => c.limits.maxConnectionsPerAddress],
  ['limits.requests_per_second', (c) => c.limits.requestsPerSecond],
  ['limits.request_burst', (c) => c.limits.requestBurst],
  ['limits.max_pending_requests', (c) => c.limits.maxPendingRequests],
  ['limits.max_subscriptions', (c) => c.limits.maxSubscriptions],
  ['limits.idle_timeout', (c) => c.limits.idleTimeoutSeconds],
  ['health.allow_scripts', (c) => c.health.allowScripts],
  ['health.max_concurrent', (c) => c.health.maxConcurrent],
  ['dns.enabled', (c) => c.dns.enabled],
  ['dns.port', (c) => c.dns.port],
  ['dns.domain', (c) => c.dns.domain],
  ['dns.ttl', (c) => c.dns.ttl],
  ['dns.negative_ttl', (c) => c.dns.negativeTtl],
  ['dns.txt_metadata', (c) => c.dns.txtMetadata],
  ['dns.rate_limit', (c) => c.dns.rateLimit],
  ['dns.rate_burst', (c) => c.dns.rateBurst],
];

/**
 * The file keys whose setting differs between `previous` and `next` but takes effect only at
 * the next start (`server.port`, `tls.cert`, …). A key a flag or the environment overrides
 * never differs here, so it is never named.
 */
export function keysNeedingRestart(previous: RegistryConfig, next: RegistryConfig): string[] {
  return readAtStart.filter(([, read]) => read(previous) !== read(next)).map(([key]) => key);
}
