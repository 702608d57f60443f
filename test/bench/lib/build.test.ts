/** bench/lib/build.ts: when the bench may run the compiled package without `npm run build` first. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { staleReason } from '../../../bench/lib/build.js';

/** One clock for every file, so their order does not depend on how long the test takes to write them. */
const NOW = Date.now();

/** A file at `path` under `root`, last modified `secondsAgo` before NOW. */
async function file(root: string, path: string, secondsAgo: number): Promise<void> {
  const at = join(root, path);
  await mkdir(dirname(at), { recursive: true });
  await writeFile(at, '');
  const when = new Date(NOW - secondsAgo * 1000);
  await utimes(at, when, when);
}

const inputs = ['src/index.ts', 'src/cli/main.ts', 'ui/src/main.ts', 'ui/index.html', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
/** dist/index.js is the oldest output (written first), the one a newer input is compared with. */
const outputs = [
  ['dist/index.js', 60],
  ['dist/cli/main.js', 50],
  ['dist/ui/dashboard.js', 50],
  ['dist/ui/index.html', 50],
] as const;

describe('bench staleReason', () => {
  const roots: string[] = [];
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'registry-bench-build-'));
    roots.push(root);
    for (const path of inputs) await file(root, path, 100);
    for (const [path, age] of outputs) await file(root, path, age);
  });
  after(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

  it('finds dist fresh when every output is newer than every input', async () => {
    assert.equal(await staleReason(root), undefined);
  });

  it('names a source edited after the build', async () => {
    await file(root, 'src/cli/main.ts', 10);
    assert.equal(await staleReason(root), 'src/cli/main.ts is newer than dist/index.js');
  });

  it('counts the dashboard, the configuration and the locked dependencies as inputs', async () => {
    for (const path of ['ui/src/main.ts', 'tsconfig.build.json', 'package-lock.json']) {
      await file(root, path, 10);
      assert.match((await staleReason(root)) ?? '', new RegExp(`^${path.replace('.', '\\.')} is newer than`));
      await file(root, path, 100);
    }
  });

  it('answers stale when dist is missing', async () => {
    await rm(join(root, 'dist'), { recursive: true });
    assert.equal(await staleReason(root), 'dist/ is missing');
  });

  it('answers stale when a build stopped before the dashboard', async () => {
    await rm(join(root, 'dist/ui'), { recursive: true });
    assert.equal(await staleReason(root), 'dist/ui/dashboard.js is missing');
  });

  it('answers stale when a source has no compiled file', async () => {
    await file(root, 'src/store/new-module.ts', 100);
    assert.equal(await staleReason(root), 'dist/store/new-module.js is missing');
  });
});
