import type Database from 'better-sqlite3';
import { type AllocationStatements, prepareAllocationStatements } from './allocations.js';
import { type DeploymentStatements, prepareDeploymentStatements } from './deployments.js';
import { prepareRequestStatements, type RequestStatements } from './requests.js';
import { prepareTokenStatements, type TokenStatements } from './tokens.js';

/** Every statement the store runs, prepared once per connection. Rows come back `unknown` for the decoders. */
export interface Statements {
  readonly begin: Database.Statement<[]>;
  readonly commit: Database.Statement<[]>;
  readonly rollback: Database.Statement<[]>;
  readonly savepoint: Database.Statement<[]>;
  readonly rollbackToSavepoint: Database.Statement<[]>;
  readonly releaseSavepoint: Database.Statement<[]>;
  readonly servicesPage: Database.Statement<[after: string, limit: number]>;
  readonly putService: Database.Statement<[name: string, id: string, revision: number, record: string]>;
  readonly deleteService: Database.Statement<[name: string]>;
  readonly insertEvent: Database.Statement<
    [revision: number, idx: number, type: string, timestamp: number, data: string]
  >;
  readonly eventsSince: Database.Statement<[after: number, upTo: number, limit: number]>;
  readonly deleteEventsUpTo: Database.Statement<[revision: number]>;
  readonly readMeta: Database.Statement<[key: string]>;
  readonly writeMeta: Database.Statement<[key: string, value: string]>;
}

export function prepareStatements(db: Database.Database): Statements {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT w'),
    rollbackToSavepoint: db.prepare('ROLLBACK TO w'),
    releaseSavepoint: db.prepare('RELEASE w'),
    // One value per page, made by SQLite (a JSON array of the records): the worker builds no object per row, and as a BLOB it comes back as bytes it can hand over.
    servicesPage: db.prepare(
      `SELECT CAST('[' || group_concat(record, ',') || ']' AS BLOB) AS records, count(*) AS count, max(name) AS last
       FROM (SELECT name, record FROM services WHERE name > ? ORDER BY name LIMIT ?)`,
    ),
    putService: db.prepare(
      `INSERT INTO services (name, id, revision, record) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET id = excluded.id, revision = excluded.revision, record = excluded.record`,
    ),
    deleteService: db.prepare('DELETE FROM services WHERE name = ?'),
    insertEvent: db.prepare('INSERT INTO events (revision, idx, type, timestamp, data) VALUES (?, ?, ?, ?, ?)'),
    eventsSince: db.prepare(
      `SELECT revision, idx, timestamp, data FROM events
       WHERE revision > ? AND revision <= ? ORDER BY revision, idx LIMIT ?`,
    ),
    deleteEventsUpTo: db.prepare('DELETE FROM events WHERE revision <= ?'),
    readMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    writeMeta: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };
}

/** Every statement group of the store, prepared once per connection. */
export interface SqliteStatements {
  readonly main: Statements;
  readonly deployments: DeploymentStatements;
  readonly allocations: AllocationStatements;
  readonly tokens: TokenStatements;
  readonly requests: RequestStatements;
}

export const prepareAllStatements = (db: Database.Database): SqliteStatements => ({
  main: prepareStatements(db),
  deployments: prepareDeploymentStatements(db),
  allocations: prepareAllocationStatements(db),
  tokens: prepareTokenStatements(db),
  requests: prepareRequestStatements(db),
});
