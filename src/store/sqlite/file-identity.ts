import { statSync } from 'node:fs';
import { RegistryError } from '../../domain/index.js';

interface Identity {
  readonly dev: number;
  readonly ino: number;
}

const identityOf = (path: string): Identity | undefined => {
  try {
    const { dev, ino } = statSync(path);
    return { dev, ino };
  } catch {
    return undefined;
  }
};

const same = (a: Identity | undefined, b: Identity | undefined): boolean => a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;

/**
 * The database file and its write-ahead log as they were at open. A file that is unlinked or
 * replaced under a running server still takes writes through the open descriptor, but a
 * restart would not find them; comparing identities before each group commit (one stat per
 * transaction, next to an fsync) lets the store refuse those writes instead of acknowledging them.
 */
export class FileIdentity {
  private wal: Identity | undefined;

  private constructor(
    private readonly path: string,
    private readonly db: Identity | undefined,
  ) {
    this.wal = identityOf(`${path}-wal`);
  }

  static take(path: string): FileIdentity {
    return new FileIdentity(path, identityOf(path));
  }

  /** Why writes must stop now, or undefined while both files are the ones that were opened. */
  problem(): RegistryError | undefined {
    if (!same(identityOf(this.path), this.db)) return this.gone(this.path);
    const wal = identityOf(`${this.path}-wal`);
    // The log may appear after open; from then on it must stay the same file.
    this.wal ??= wal;
    if (this.wal !== undefined && !same(wal, this.wal)) return this.gone(`${this.path}-wal`);
    return undefined;
  }

  private gone(file: string): RegistryError {
    return new RegistryError(
      'unavailable',
      `the database file ${file} was removed or replaced while the server was running: writes are refused so that none is acknowledged into a file a restart would not find; put the file back, or restart the server`,
      { details: { path: file } },
    );
  }
}
