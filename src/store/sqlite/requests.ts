import type Database from 'better-sqlite3';
import { decodeOutcomeRow, type RecordedOutcome } from '../requests.js';
import type { WriteStatements } from './write-ops.js';

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
  readonly recentIds: Database.Statement<[notBefore: number, limit: number]>;
}

export function prepareRequestStatements(db: Database.Database): RequestStatements {
  return {
    get: db.prepare('SELECT id, fingerprint, value, revision, created_at FROM requests WHERE id = ? AND created_at >= ?'),
    // A row already there is one past its window (a live one would have answered the write instead): the new call starts a new window.
    put: db.prepare(
      `INSERT INTO requests (id, fingerprint, value, revision, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, value = excluded.value, revision = excluded.revision, created_at = excluded.created_at`,
    ),
    pruneBefore: db.prepare('DELETE FROM requests WHERE created_at < ?'),
    recentIds: db.prepare('SELECT id, created_at FROM requests WHERE created_at >= ? ORDER BY created_at DESC LIMIT ?').raw(),
  };
}

/** The outcome rows kept for `ids` since `notBefore` (ms): the worker's side of the lookup. */
export function readOutcomeRows(statements: RequestStatements, ids: readonly string[], notBefore: number): unknown[] {
  return ids.map((id): unknown => statements.get.get(id, notBefore)).filter((row) => row !== undefined);
}

/** The outcomes of those rows, by request id. */
export function decodeOutcomeRows(rows: readonly unknown[]): Map<string, RecordedOutcome> {
  return new Map(rows.map((row) => decodeOutcomeRow('SQLite', row)).map((outcome) => [outcome.id, outcome]));
}

export function writeOutcomeRow(statements: WriteStatements['requests'], outcome: RecordedOutcome): void {
  statements.put.run(outcome.id, outcome.fingerprint, outcome.value, outcome.revision ?? null, outcome.createdAt);
}
