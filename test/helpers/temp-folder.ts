import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

/**
 * A temp folder made before the calling file's tests and removed after them; `freshPath()` names
 * a new file in it each call (a new SQLite database, say).
 */
export function tempFolder(prefix: string): { readonly freshPath: () => string } {
  let root = '';
  let counter = 0;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), prefix));
  });
  after(() => rm(root, { recursive: true, force: true }));
  return { freshPath: () => join(root, `db-${String(++counter)}.db`) };
}
