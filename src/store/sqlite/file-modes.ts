/**
 * The database holds every service record: it is readable by its owner only. SQLite creates the
 * file with the process umask (0644 usually) and gives its -wal and -shm files the database's
 * mode, so the file is tightened right after it is opened, and any looser companions with it.
 */
import { chmod, stat } from 'node:fs/promises';
import { errnoCode } from './errno.js';

const PRIVATE_FILE = 0o600;

async function tighten(path: string): Promise<void> {
  try {
    if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, PRIVATE_FILE);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}

/** Makes the database file and its -wal and -shm (those that exist) mode 0600. */
export async function tightenDatabaseFiles(path: string): Promise<void> {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) await tighten(file);
}
