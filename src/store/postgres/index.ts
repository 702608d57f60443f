/** @module store/postgres — reached only through openStore() (and internal.ts for tests). */
export { clientConfig, openPostgresStore } from './postgres-store.js';
export { DEFAULT_POSTGRES_TUNING, type PostgresTuning } from './tuning.js';
export {
  LATEST_POSTGRES_SCHEMA_VERSION,
  LOCK_KEYS,
  type MigrationOutcome,
  postgresMigrations,
} from './migrations.js';
export { migratePostgres } from './migrate.js';
export { redactUrl } from './sql.js';
export { SharedRound } from './read-barrier.js';
