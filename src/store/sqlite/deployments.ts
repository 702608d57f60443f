import type Database from 'better-sqlite3';
import type { DeploymentRecord } from '../../domain/index.js';
import { corruption, decodeDeployment, isObject } from '../codec.js';
import type { WriteStatements } from './write-ops.js';

/** The deployment log's statements (migration 3), prepared once per connection. */
export interface DeploymentStatements {
  readonly recent: Database.Statement<[limit: number]>;
  readonly put: Database.Statement<[id: string, node: string, service: string, startedAt: number, record: string]>;
  readonly prune: Database.Statement<[keep: number]>;
}

export function prepareDeploymentStatements(db: Database.Database): DeploymentStatements {
  return {
    recent: db.prepare('SELECT record FROM deployments ORDER BY started_at DESC, id DESC LIMIT ?'),
    put: db.prepare(
      `INSERT INTO deployments (id, node, service, started_at, record) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET record = excluded.record`,
    ),
    prune: db.prepare(
      `DELETE FROM deployments WHERE id NOT IN
       (SELECT id FROM deployments ORDER BY started_at DESC, id DESC LIMIT ?)`,
    ),
  };
}

/** The most recent records, from the rows read at open (`recent`). */
export function decodeDeploymentRows(rows: readonly unknown[]): DeploymentRecord[] {
  return rows.map((row) => {
    if (!isObject(row) || typeof row.record !== 'string') throw corruption('SQLite', 'deployments row', row);
    return decodeDeployment(JSON.parse(row.record));
  });
}

/** Writes a write's puts (with the JSON it made of each) inside its savepoint, then drops rows beyond the retention. */
export function writeDeploymentRows(
  statements: WriteStatements['deployments'],
  puts: ReadonlyMap<string, DeploymentRecord>,
  json: ReadonlyMap<string, string>,
  retention: number,
): void {
  if (puts.size === 0) return;
  for (const record of puts.values()) {
    statements.put.run(record.id, record.node, record.service, record.startedAt, json.get(record.id) ?? JSON.stringify(record));
  }
  statements.prune.run(retention);
}
