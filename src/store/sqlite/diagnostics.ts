import type Database from 'better-sqlite3';
import type { Store } from '../types.js';
import { readUserVersion } from './migrations.js';

/** Test-only probes into an open SQLite store. */
export interface SqliteDiagnostics {
  readonly path: string;
  /** `PRAGMA integrity_check`: `['ok']` for a sound file. */
  integrityCheck(): readonly string[];
  /** `PRAGMA synchronous`: 2 is FULL. */
  synchronous(): number;
  journalMode(): string;
  schemaVersion(): number;
  /** Transactions committed by group commit since this store was opened. */
  transactions(): number;
}

interface DiagnosticsSource {
  readonly db: Database.Database;
  readonly path: string;
  readonly transactions: () => number;
}

const sources = new WeakMap<Store, DiagnosticsSource>();

export function registerDiagnostics(store: Store, source: DiagnosticsSource): void {
  sources.set(store, source);
}

/** Probes for a store opened on SQLite; throws for any other store (a bug in the test). */
export function sqliteDiagnostics(store: Store): SqliteDiagnostics {
  const source = sources.get(store);
  if (source === undefined) throw new Error(`not an SQLite store (kind ${store.kind})`);
  const { db } = source;
  return {
    path: source.path,
    integrityCheck: () => {
      const rows = db.pragma('integrity_check', { simple: false });
      return Array.isArray(rows) ? rows.map(integrityLine) : [JSON.stringify(rows)];
    },
    synchronous: () => Number(db.pragma('synchronous', { simple: true })),
    journalMode: () => String(db.pragma('journal_mode', { simple: true })),
    schemaVersion: () => readUserVersion(db),
    transactions: source.transactions,
  };
}

function integrityLine(row: unknown): string {
  return typeof row === 'object' && row !== null && 'integrity_check' in row
    ? String(row.integrity_check)
    : JSON.stringify(row);
}
