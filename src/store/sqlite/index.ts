/** @module store/sqlite — reached only through openStore() (and internal.ts for tests). */
export { DEFAULT_SQLITE_TUNING, migrateSqlite, openSqliteStore, overrideSqliteTuning, type SqliteTuning } from './sqlite-store.js';
export { CommitGate } from './commit-gate.js';
export { type SqliteDiagnostics, sqliteDiagnostics } from './diagnostics.js';
export { LATEST_SCHEMA_VERSION, migrations, type Migration } from './migrations.js';
export { type DataFolderHolder, type DataFolderLock, LOCK_FILE_NAME, lockDataFolder, readDataFolderHolder } from './folder-lock.js';
