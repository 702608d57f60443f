/**
 * The data folder holds the CA key, the server key and the database: it is its owner's alone
 * (0700), like `tls/` inside it. A folder left looser is tightened at start, and the log says so.
 */
import { chmod, mkdir, stat } from 'node:fs/promises';
import type { Logger } from './log.js';

const PRIVATE_FOLDER = 0o700;

export async function securePrivateFolder(dir: string, logger: Logger): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_FOLDER });
  const mode = (await stat(dir)).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  try {
    await chmod(dir, PRIVATE_FOLDER);
    logger.info({ dataDir: dir, was: mode.toString(8) }, 'data folder made private (0700)');
  } catch (err) {
    logger.warn({ err, dataDir: dir }, 'the data folder is readable by others and cannot be made private');
  }
}
