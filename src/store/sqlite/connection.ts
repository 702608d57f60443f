import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { RegistryError } from '../../domain/index.js';
import { openSqliteFile } from './driver.js';
import { errnoCode, reasonOf } from './errno.js';
import { tightenDatabaseFiles } from './file-modes.js';
import { readUserVersion, runMigrations } from './migrations.js';

/**
 * How long opening waits for another process's lock on the file. The store holds its file
 * exclusively from open to close, so a holder that lasts longer than a moment is a running
 * server (or `migrate`), and waiting longer would not help.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 1_000;

/** PRAGMA synchronous answers 2 for FULL. */
export const SYNCHRONOUS_FULL = 2;

/** An open, checked, up-to-date database and what opening it did. */
export interface OpenedDatabase {
  readonly db: Database.Database;
  readonly path: string;
  /** The file did not exist: this open created it. */
  readonly created: boolean;
  /** The schema version found (0 for a new file) and the one now in force. */
  readonly from: number;
  readonly to: number;
}

const sizeOf = (path: string): Promise<number | undefined> =>
  stat(path).then(
    (info) => info.size,
    (error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw unavailable(`cannot read ${path}: ${reasonOf(error)}`, error, path);
    },
  );

/**
 * What must hold before SQLite touches the file: its folder exists (a path with a typo must
 * not create folders), and a file that is there has content. An empty file, or a missing one
 * whose write-ahead log is still there, is a database that lost its data: it is never silently
 * replaced by an empty one.
 */
async function checkBeforeOpen(path: string): Promise<{ readonly created: boolean }> {
  const folder = dirname(path);
  const folderInfo = await stat(folder).catch(() => undefined);
  if (folderInfo === undefined || !folderInfo.isDirectory()) {
    throw new RegistryError('invalid_params', `the folder of the SQLite database ${path} does not exist: create ${folder} first, or fix the path`, {
      details: { field: 'location', path },
    });
  }
  const [size, walSize] = await Promise.all([sizeOf(path), sizeOf(`${path}-wal`)]);
  if (size === 0) {
    throw unavailable(`the SQLite database ${path} is empty (0 bytes): it was truncated. Restore it from a backup, or remove it to start with an empty registry`, undefined, path);
  }
  if (size === undefined && walSize !== undefined && walSize > 0) {
    throw unavailable(`the SQLite database ${path} is missing but its write-ahead log ${path}-wal is there: restore the database file, or remove the log to start with an empty registry`, undefined, path);
  }
  return { created: size === undefined };
}

/**
 * Opens (creating if needed) the database file, takes its exclusive lock, checks it, sets the
 * pragmas every connection needs and brings the schema up to date. Any failure leaves no
 * connection open and says why.
 */
export async function openDatabase(location: string): Promise<OpenedDatabase> {
  const path = resolve(location);
  const { created } = await checkBeforeOpen(path);
  let db: Database.Database;
  try {
    db = openSqliteFile(path, { timeout: DEFAULT_BUSY_TIMEOUT_MS });
  } catch (cause) {
    if (cause instanceof RegistryError) throw cause;
    throw unavailable(`cannot open the SQLite database ${path}: ${reasonOf(cause)}`, cause, path);
  }
  try {
    configure(db);
    // The file holds every service record: its owner's alone, and so its write-ahead log (SQLite copies the mode).
    await tightenDatabaseFiles(path);
    const from = readUserVersion(db);
    checkIntegrity(db, path);
    const to = runMigrations(db);
    return { db, path, created, from, to };
  } catch (error) {
    db.close();
    if (error instanceof RegistryError) throw error;
    throw describeOpenFailure(path, error);
  }
}

function configure(db: Database.Database): void {
  // Exclusive: this connection holds the file for as long as it is open, so a second server (or a
  // `migrate`) on the same file is refused instead of diverging; set before WAL so no -shm is used.
  db.pragma('locking_mode = EXCLUSIVE');
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`the database refused WAL mode (journal_mode is ${String(mode)})`);
  // Set on every open: a WAL database is otherwise reopened at NORMAL, which may lose acknowledged writes.
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${String(DEFAULT_BUSY_TIMEOUT_MS)}`);
  db.pragma('foreign_keys = ON');
  const synchronous = db.pragma('synchronous', { simple: true });
  if (synchronous !== SYNCHRONOUS_FULL) throw new Error(`PRAGMA synchronous stayed at ${String(synchronous)}`);
  // Takes the exclusive lock now rather than at the first write.
  db.exec('BEGIN EXCLUSIVE');
  db.exec('COMMIT');
}

/** A damaged file stops the start with the reason; reading it page by page costs milliseconds per MB. */
function checkIntegrity(db: Database.Database, path: string): void {
  const rows = db.pragma('quick_check', { simple: false });
  const lines = Array.isArray(rows) ? rows.map((row: unknown) => (typeof row === 'object' && row !== null ? Object.values(row).join(' ') : String(row))) : [];
  if (lines.length === 1 && lines[0] === 'ok') return;
  throw damaged(path, lines.slice(0, 3).join('; ').replace(/\s+/g, ' ').trim() || 'PRAGMA quick_check failed');
}

function damaged(path: string, reason: string, cause?: unknown): RegistryError {
  return unavailable(`the SQLite database ${path} is damaged (${reason}): restore it from a backup; the server does not start on it`, cause, path);
}

/** The reason a file could not be opened, in words an operator can act on. */
function describeOpenFailure(path: string, error: unknown): RegistryError {
  switch (errnoCode(error)) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return unavailable(`the SQLite database ${path} is in use by another process (a registry server holds it while it runs)`, error, path);
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return damaged(path, reasonOf(error), error);
    default:
      return unavailable(`cannot prepare the SQLite database ${path}: ${reasonOf(error)}`, error, path);
  }
}

function unavailable(message: string, cause: unknown, path: string): RegistryError {
  return new RegistryError('unavailable', message, { cause, details: { path } });
}
