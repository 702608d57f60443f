import type Database from 'better-sqlite3';
import { latestVersion, type Migration, migrationsAfter } from '../migrations.js';
import { allocationsMigrationSql } from './allocations.js';
import { requestsMigrationSql } from './requests.js';
import { tokenExpiryMigrationSql, tokensMigrationSql } from './tokens.js';

export type { Migration };

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'services, events and meta',
    sql: `
      CREATE TABLE services (
        name TEXT PRIMARY KEY,
        id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        record TEXT NOT NULL
      ) STRICT;
      CREATE TABLE events (
        revision INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        type TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (revision, idx)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
      INSERT INTO meta (key, value) VALUES ('revision', '0'), ('compact_revision', '0');
    `,
  },
  { version: 2, name: 'IP allocations, allocator cursors and free lists', sql: allocationsMigrationSql },
  {
    version: 3,
    name: 'deployment log',
    sql: `
      CREATE TABLE deployments (
        id TEXT PRIMARY KEY,
        node TEXT NOT NULL,
        service TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        record TEXT NOT NULL
      ) STRICT;
      CREATE INDEX deployments_by_start ON deployments (started_at DESC, id DESC);
    `,
  },
  { version: 4, name: 'bearer tokens (hashed)', sql: tokensMigrationSql },
  { version: 5, name: 'request ids of recent writes and their outcomes', sql: requestsMigrationSql },
  { version: 6, name: 'token expiry', sql: tokenExpiryMigrationSql },
];

/** The schema version this build writes. */
export const LATEST_SCHEMA_VERSION = latestVersion(migrations);

/** Runs every migration above the file's `user_version`, each in its own transaction. */
export function runMigrations(db: Database.Database): number {
  for (const migration of migrationsAfter(migrations, readUserVersion(db))) {
    db.transaction(() => {
      db.exec(migration.sql);
      // PRAGMA does not take bound parameters; the version is an integer from this file.
      db.pragma(`user_version = ${String(migration.version)}`);
    }).immediate();
  }
  return readUserVersion(db);
}

export function readUserVersion(db: Database.Database): number {
  const value = db.pragma('user_version', { simple: true });
  if (typeof value !== 'number') throw new Error(`PRAGMA user_version answered ${String(value)}`);
  return value;
}
