/**
 * @module config — TOML loading, environment and flags, validation, hot reload.
 * The one place besides `src/cli` that reads `process.env`.
 */
export { ConfigError, type ConfigErrorOptions } from './error.js';
export type { HealthSettings } from './health.js';
export { DEFAULT_DNS_DOMAIN, DEFAULT_DNS_PORT, DEFAULT_DNS_RATE_LIMIT, DEFAULT_DNS_TTL, type DnsSettings } from './dns.js';
export {
  type ConfigInputs,
  type LoadConfigOptions,
  loadConfig,
  parseConfig,
  reloadConfig,
} from './load.js';
export { type DataDirOptions, defaultConfigPath, defaultDataDir } from './paths.js';
export { keysNeedingRestart } from './restart-keys.js';
export {
  type AuthSettings,
  type LimitSettings,
  type ConfigEnv,
  type ConfigIssue,
  type ConfigIssueSource,
  type ConfigOverrides,
  DEFAULT_ANONYMOUS_ROLE,
  DEFAULT_BACKEND_PROTOCOL,
  DEFAULT_DB_FILE,
  DEFAULT_EVENT_RETENTION,
  DEFAULT_HOST,
  DEFAULT_INSTALL_DIR,
  DEFAULT_LOG_LEVEL,
  DEFAULT_LOOPBACK_ROLE,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_PORT,
  DEFAULT_RELOAD_DEBOUNCE_MS,
  DEFAULT_TOPOLOGY_INTERVAL_SECONDS,
  DEFAULT_SSH_PORT,
  type FileBackend,
  type LogLevel,
  logLevels,
  type LooseTable,
  type RegistryConfig,
  type ServerSettings,
  type StorageSettings,
  type TlsFiles,
  type TlsSettings,
} from './types.js';
export { type ConfigLogger, type ConfigWatcher, type WatchConfigOptions, watchConfig } from './watch.js';
