/**
 * The compiled package the bench runs (the full run's server, every run's CLI): `npm run build`
 * only when dist/ is older than what it is built from. `npm ci` builds it (`prepare`), so in CI the
 * quick run finds it fresh and saves the build.
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { timed } from './phases.js';

/** What `npm run build` reads (tsc's sources and config, the dashboard, the package's scripts and locked dependencies). */
export const BUILD_INPUTS = ['src', 'ui', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'] as const;
/** Files a complete build leaves: the CLI (`bin/registry.js` runs it) and the dashboard, the last step. */
export const BUILD_OUTPUTS = ['dist/cli/main.js', 'dist/ui/dashboard.js'] as const;

/** Every file under `path` (or `path` itself) with its modification time; nothing when it is missing. */
async function filesUnder(path: string): Promise<{ readonly path: string; readonly mtimeMs: number }[]> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return [];
  if (!info.isDirectory()) return [{ path, mtimeMs: info.mtimeMs }];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(entries.filter((e) => e.name !== 'node_modules').map((e) => filesUnder(join(path, e.name))));
  return nested.flat();
}

/**
 * Why dist/ under `root` must be built again, or undefined when it is fresh: every output a build
 * leaves is there, each `src/**\/*.ts` has its `.js`, and the oldest file in dist/ is newer than
 * the newest input.
 */
export async function staleReason(root: string): Promise<string | undefined> {
  const outputs = await filesUnder(join(root, 'dist'));
  if (outputs.length === 0) return 'dist/ is missing';
  const present = new Set(outputs.map((f) => relative(root, f.path)));
  const missing = BUILD_OUTPUTS.find((p) => !present.has(p));
  if (missing !== undefined) return `${missing} is missing`;
  const inputs = (await Promise.all(BUILD_INPUTS.map((p) => filesUnder(join(root, p))))).flat();
  for (const input of inputs) {
    const source = relative(join(root, 'src'), input.path);
    if (source.startsWith('..') || !source.endsWith('.ts') || source.endsWith('.d.ts')) continue;
    const compiled = join('dist', source.replace(/\.ts$/, '.js'));
    if (!present.has(compiled)) return `${compiled} is missing`;
  }
  const oldest = outputs.reduce((a, b) => (b.mtimeMs < a.mtimeMs ? b : a));
  const newest = inputs.reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a), { path: '', mtimeMs: Number.NEGATIVE_INFINITY });
  if (newest.mtimeMs >= oldest.mtimeMs) return `${relative(root, newest.path)} is newer than ${relative(root, oldest.path)}`;
  return undefined;
}

let built: Promise<void> | undefined;

/** Runs `npm run build` in `root` unless dist/ is fresh; once per bench run. */
export function ensureBuilt(root: string, log: (line: string) => void): Promise<void> {
  built ??= timed('build', async () => {
    const reason = await staleReason(root);
    if (reason === undefined) {
      log('dist/ is newer than its sources: no build');
      return;
    }
    log(`npm run build (${reason})…`);
    await promisify(execFile)('npm', ['run', 'build'], { cwd: root, timeout: 300_000 });
  });
  return built;
}
