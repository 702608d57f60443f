/**
 * One registry server per data folder. The lock is an exclusive SQLite (POSIX fcntl) lock on
 * `<data dir>/registry.lock`, held by one open connection for the server's whole life. The
 * kernel drops it when the process ends, however it ends (SIGKILL, OOM killer, power loss), so a
 * dead server's lock can never block a restart, and no heartbeat is needed that a stalled event
 * loop could miss. The holder writes its PID and address into the file, for the message of a
 * server it refuses and for client commands looking for it. The file is removed at release.
 */
import { mkdir, rm, rmdir, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import Database from 'better-sqlite3';
import { RegistryError } from '../../domain/index.js';
import { openSqliteFile } from './driver.js';
import { errnoCode, reasonOf } from './errno.js';

export const LOCK_FILE_NAME = 'registry.lock';

/** Who holds a data folder: read back from its lock file. */
export interface DataFolderHolder {
  readonly pid: number;
  /** What the holder serves: its URL once it listens, `host:port` while it starts. */
  readonly address: string;
  /** Unix seconds. */
  readonly startedAt: number;
}

export interface DataFolderLock {
  /** The lock file. */
  readonly path: string;
  /** Records the address the server now serves (its URL). */
  setAddress(address: string): void;
  /**
   * Removes the lock file and releases the lock. `discard` also removes the folders that taking
   * the lock created, so a start that failed leaves nothing behind. Idempotent.
   */
  close(options?: { readonly discard?: boolean }): Promise<void>;
  /** Resolves once released; never rejects. */
  readonly closed: Promise<void | Error>;
  [Symbol.asyncDispose](): Promise<void>;
}

const inodeOf = (path: string): Promise<number | undefined> =>
  stat(path).then(
    (info) => info.ino,
    () => undefined,
  );

const SCHEMA = 'CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, address TEXT NOT NULL, started_at INTEGER NOT NULL)';

/** Reads the holder row from the file's bytes: an in-memory copy, so no lock of the holder is disturbed. */
export function readDataFolderHolder(dir: string): DataFolderHolder | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(readFileSync(join(dir, LOCK_FILE_NAME)));
    const row: unknown = db.prepare('SELECT pid, address, started_at FROM holder WHERE id = 1').get();
    if (typeof row !== 'object' || row === null) return undefined;
    const { pid, address, started_at: startedAt } = row as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof address !== 'string' || typeof startedAt !== 'number') return undefined;
    return { pid, address, startedAt };
  } catch {
    // No file, or one torn by a crash: nobody is known to hold the folder.
    return undefined;
  } finally {
    db?.close();
  }
}

function heldError(dir: string, holder: DataFolderHolder | undefined): RegistryError {
  const who = holder === undefined ? 'another registry server (it is starting)' : `another registry server (pid ${holder.pid}, ${holder.address})`;
  return new RegistryError('unavailable', `the data folder ${dir} is in use by ${who}: stop that server first, or give this one another data folder`, {
    details: { path: dir, held: true, ...(holder === undefined ? {} : { pid: holder.pid, address: holder.address }) },
  });
}

/** The folders `mkdir -p dir` made, innermost first, from the first one it reports. */
function createdFolders(dir: string, first: string | undefined): string[] {
  if (first === undefined) return [];
  const steps = relative(first, dir).split(sep).filter((part) => part !== '');
  return steps.map((_, i) => join(first, ...steps.slice(0, steps.length - i))).concat(first);
}

type Attempt = { readonly db: Database.Database } | { readonly retry: true };

/** One try: open, lock, write the holder row; the file must still be the one that was locked. */
async function attempt(dir: string, path: string, address: string): Promise<Attempt> {
  const before = await inodeOf(path);
  let db: Database.Database;
  try {
    db = openSqliteFile(path, { timeout: 0 });
  } catch (cause) {
    if (cause instanceof RegistryError) throw cause;
    throw new RegistryError('unavailable', `cannot open the lock file ${path}: ${reasonOf(cause)}`, { cause, details: { path } });
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // No journal file beside it: a torn write of this tiny file is noticed and the file made again.
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
  } catch (cause) {
    db.close();
    if (errnoCode(cause) === 'SQLITE_BUSY') throw heldError(dir, readDataFolderHolder(dir));
    if (errnoCode(cause) === 'SQLITE_NOTADB' || errnoCode(cause) === 'SQLITE_CORRUPT') return await removeTorn(path);
    throw new RegistryError('unavailable', `cannot lock the data folder ${dir}: ${reasonOf(cause)}`, { cause, details: { path } });
  }
  // Locked. A holder that was releasing may have removed the file meanwhile: then this lock is on a
  // file nobody else can see, and the lock must be taken again on the one that is there now.
  const after = await inodeOf(path);
  if (before === undefined || before !== after) {
    db.close();
    return { retry: true };
  }
  try {
    db.exec(SCHEMA);
    db.prepare('INSERT OR REPLACE INTO holder (id, pid, address, started_at) VALUES (1, ?, ?, ?)').run(process.pid, address, Math.floor(Date.now() / 1000));
    db.exec('COMMIT');
    return { db };
  } catch (cause) {
    db.close();
    if (errnoCode(cause) === 'SQLITE_NOTADB' || errnoCode(cause) === 'SQLITE_CORRUPT') return await removeTorn(path);
    throw new RegistryError('unavailable', `cannot lock the data folder ${dir}: ${reasonOf(cause)}`, { cause, details: { path } });
  }
}

/** A lock file torn by a crash while it was written holds no lock worth keeping. */
async function removeTorn(path: string): Promise<Attempt> {
  await rm(path, { force: true });
  return { retry: true };
}

/**
 * Takes the lock of `dir` (creating the folder when missing) for a server that will serve at
 * `address`. Refuses with `unavailable`, naming the PID and address of the holder, when another
 * process holds it.
 */
export async function lockDataFolder(dir: string, options: { readonly address: string }): Promise<DataFolderLock> {
  const folder = resolve(dir);
  let first: string | undefined;
  try {
    // The data folder holds the CA key and the database: its owner's alone, like tls/ inside it.
    first = await mkdir(folder, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new RegistryError('unavailable', `cannot create the data folder ${folder}: ${reasonOf(cause)}`, { cause, details: { path: folder } });
  }
  const path = join(folder, LOCK_FILE_NAME);
  const existed = (await inodeOf(path)) !== undefined;
  try {
    for (let tries = 0; ; tries++) {
      const result = await attempt(folder, path, options.address);
      if ('db' in result) return new HeldLock(path, result.db, createdFolders(folder, first));
      if (tries >= 5) throw new RegistryError('unavailable', `cannot lock the data folder ${folder}: its lock file keeps being replaced`, { details: { path } });
    }
  } catch (error) {
    // A refusal leaves the holder's file alone; any other failure removes what this call made.
    const held = error instanceof RegistryError && error.details.held === true;
    if (!existed && !held) await rm(path, { force: true });
    await removeFolders(createdFolders(folder, first));
    throw error;
  }
}

/** Removes folders that are empty, innermost first; stops at the first one that is not. */
async function removeFolders(folders: readonly string[]): Promise<void> {
  for (const folder of folders) {
    try {
      await rmdir(folder);
    } catch {
      return;
    }
  }
}

class HeldLock implements DataFolderLock {
  readonly closed: Promise<void | Error>;
  #closing: Promise<void> | undefined;
  #markClosed: (reason: void | Error) => void = () => undefined;

  constructor(
    readonly path: string,
    private readonly db: Database.Database,
    private readonly created: readonly string[],
  ) {
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  setAddress(address: string): void {
    if (this.#closing === undefined) this.db.prepare('UPDATE holder SET address = ? WHERE id = 1').run(address);
  }

  close(options: { readonly discard?: boolean } = {}): Promise<void> {
    this.#closing ??= this.#release(options.discard === true);
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #release(discard: boolean): Promise<void> {
    // Removed while still held, so nobody locks a file that is about to go.
    await rm(this.path, { force: true }).catch(() => undefined);
    this.db.close();
    if (discard) await removeFolders(this.created);
    this.#markClosed();
  }
}
