/** @module store/internal — for tests only: probes and internals no other folder may use. */
export { compactionPoint } from './batch.js';
export {
  CommitGate,
  DEFAULT_SQLITE_TUNING,
  LATEST_SCHEMA_VERSION,
  type Migration,
  migrations,
  openSqliteStore,
  overrideSqliteTuning,
  type SqliteDiagnostics,
  type SqliteTuning,
  sqliteDiagnostics,
} from './sqlite/index.js';
export { MemoryServiceView } from './view.js';
export { resolveStoreOptions, type ResolvedStoreOptions } from './options.js';
export { clientConfig as postgresClientConfig, DEFAULT_POSTGRES_TUNING, LATEST_POSTGRES_SCHEMA_VERSION, LOCK_KEYS, openPostgresStore, type PostgresTuning, SharedRound } from './postgres/index.js';
