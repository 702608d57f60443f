import type { RegistryConfig } from './types.js';

/** A file key and how to read the setting it gives from a configuration. */
type Setting = readonly [key: string, read: (config: RegistryConfig) => unknown];

/**
 * The settings a running server reads once, at start, in file order. `[server] auto_register`,
 * the backends, networks and nodes apply on reload, and so do `[auth]` and `[limits]`: to new
 * connections, and to the roles, request limits and streams of open ones (README, "What needs a
 * restart"). The TLS layer takes the handshake timeout when the listener opens.
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
  ['storage.url', (c) => c.storage.url],
  ['storage.event_retention', (c) => c.storage.eventRetention],
  ['limits.handshake_timeout', (c) => c.limits.handshakeTimeoutSeconds],
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
