import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { RegistryError } from '../../domain/index.js';
import { runMigrations } from './migrations.js';

/** How long a statement waits for another connection's lock before failing, in milliseconds. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** PRAGMA synchronous answers 2 for FULL. */
export const SYNCHRONOUS_FULL = 2;

/**
 * Opens (creating if needed) the database file, sets the pragmas every connection needs
 * and brings the schema up to date. Any failure leaves no connection open.
 */
export async function openDatabase(location: string): Promise<Database.Database> {
  const path = resolve(location);
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (cause) {
    throw unavailable(`cannot create the folder for ${path}`, cause);
  }
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: DEFAULT_BUSY_TIMEOUT_MS });
  } catch (cause) {
    throw unavailable(`cannot open the SQLite database ${path}`, cause);
  }
  try {
    configure(db);
    runMigrations(db);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof RegistryError) throw error;
    throw unavailable(`cannot prepare the SQLite database ${path}`, error);
  }
}

function configure(db: Database.Database): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`the database refused WAL mode (journal_mode is ${String(mode)})`);
  // Set on every open: a WAL database is otherwise reopened at NORMAL, which may lose acknowledged writes.
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${String(DEFAULT_BUSY_TIMEOUT_MS)}`);
  db.pragma('foreign_keys = ON');
  const synchronous = db.pragma('synchronous', { simple: true });
  if (synchronous !== SYNCHRONOUS_FULL) throw new Error(`PRAGMA synchronous stayed at ${String(synchronous)}`);
}

function unavailable(message: string, cause: unknown): RegistryError {
  return new RegistryError('unavailable', message, { cause });
}
