import type Database from 'better-sqlite3';
import type { DeploymentRecord } from '../../domain/index.js';

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

/** A record as the database holds it: the normalised record and its JSON. */
export interface EncodedDeployment {
  readonly record: DeploymentRecord;
  readonly json: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function corrupt(value: unknown): Error {
  return new Error(`corrupt deployment record in the SQLite store: ${JSON.stringify(value)?.slice(0, 200) ?? String(value)}`);
}

/** Decoder for what this store wrote itself: shape checks, then `as`. */
export function decodeDeployment(json: string): DeploymentRecord {
  const value: unknown = JSON.parse(json);
  if (!isObject(value)) throw corrupt(value);
  const { id, node, service, startedAt, steps } = value;
  if (typeof id !== 'string' || typeof node !== 'string' || typeof service !== 'string') throw corrupt(value);
  if (typeof startedAt !== 'number' || !Array.isArray(steps)) throw corrupt(value);
  return value as unknown as DeploymentRecord;
}

export function encodeDeployment(record: DeploymentRecord): EncodedDeployment {
  const json = JSON.stringify(record);
  return { json, record: decodeDeployment(json) };
}

/** The most recent `limit` records, read at open. */
export function loadDeployments(statements: DeploymentStatements, limit: number): DeploymentRecord[] {
  return statements.recent.all(limit).map((row) => {
    if (!isObject(row) || typeof row.record !== 'string') throw corrupt(row);
    return decodeDeployment(row.record);
  });
}

/** Writes a write's puts inside its savepoint, then drops rows beyond the retention. */
export function writeDeploymentRows(
  statements: DeploymentStatements,
  puts: ReadonlyMap<string, EncodedDeployment>,
  retention: number,
): void {
  if (puts.size === 0) return;
  for (const { record, json } of puts.values()) {
    statements.put.run(record.id, record.node, record.service, record.startedAt, json);
  }
  statements.prune.run(retention);
}
