import type Database from 'better-sqlite3';
import { decodeOutcomeRow, type RecordedOutcome } from '../requests.js';

/** Migration 5: the request ids of recent writes and their outcomes (src/store/requests.ts). */
export const requestsMigrationSql = `
  CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    value TEXT NOT NULL,
    revision INTEGER,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX requests_by_age ON requests (created_at);
`;

export interface RequestStatements {
  readonly get: Database.Statement<[id: string, notBefore: number]>;
  readonly put: Database.Statement<[id: string, fingerprint: string, value: string, revision: number | null, createdAt: number]>;
  readonly pruneBefore: Database.Statement<[createdAt: number]>;
}

export function prepareRequestStatements(db: Database.Database): RequestStatements {
  return {
    get: db.prepare('SELECT id, fingerprint, value, revision, created_at FROM requests WHERE id = ? AND created_at >= ?'),
    put: db.prepare('INSERT INTO requests (id, fingerprint, value, revision, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING'),
    pruneBefore: db.prepare('DELETE FROM requests WHERE created_at < ?'),
  };
}

/** The outcomes kept for `ids` since `notBefore` (ms), read inside the batch's transaction. */
export function readOutcomes(statements: RequestStatements, ids: readonly string[], notBefore: number): Map<string, RecordedOutcome> {
  const found = new Map<string, RecordedOutcome>();
  for (const id of ids) {
    const row: unknown = statements.get.get(id, notBefore);
    if (row !== undefined) found.set(id, decodeOutcomeRow('SQLite', row));
  }
  return found;
}

export function writeOutcomeRow(statements: RequestStatements, outcome: RecordedOutcome): void {
  statements.put.run(outcome.id, outcome.fingerprint, outcome.value, outcome.revision ?? null, outcome.createdAt);
}
