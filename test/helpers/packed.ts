/**
 * The package as users get it, for the tests that are about the build: `npm pack` run in a copy
 * of this checkout's package files (with its node_modules linked), so npm runs the package's own
 * `prepare` (the build into dist/) exactly as on a fresh clone. Every other test runs the sources
 * through tsx and needs none of this.
 *
 * Made once per state of the sources and shared by the test files that need it, which may run at
 * the same time: under node_modules/.cache, keyed by a hash of every file that goes into it, made
 * by one process at a time (a lock folder naming its PID) and renamed into place when complete.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isRunning } from './cli.js';

const exec = promisify(execFile);
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = join(projectRoot, 'node_modules', '.cache', 'service-registry-tests');
/** Besides the `files` of package.json: what the build reads. */
const BUILD_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'src', 'ui'];
const LOCK_WAIT_MS = 5 * 60_000;

export interface PackedCheckout {
  /** The built copy: package.json, bin/, dist/, the sources, and node_modules linked to the checkout's. */
  readonly root: string;
  /** The tarball `npm pack` wrote. */
  readonly tarball: string;
  /** The package's name and version, from its package.json. */
  readonly name: string;
  readonly version: string;
}

/** An environment for npm in tests: nothing of the test runner, no update notices. */
export function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

async function inputsOf(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as { files?: string[] };
  return [...new Set([...BUILD_INPUTS, ...(manifest.files ?? []).map((f) => f.replace(/\/$/, ''))])].sort();
}

/** SHA-256 over the path and bytes of every input file. */
async function hashOf(inputs: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) return;
    if (info.isDirectory()) {
      for (const name of (await readdir(path)).sort()) await walk(join(path, name));
      return;
    }
    hash.update(`${relative(projectRoot, path)}\0`).update(await readFile(path)).update('\0');
  };
  for (const input of inputs) await walk(join(projectRoot, input));
  return hash.digest('hex').slice(0, 16);
}

/** Runs `fn` holding `<path>` (a folder naming the holder's PID); a dead holder's lock is taken over. */
async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(path);
      await writeFile(join(path, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      const holder = Number(await readFile(join(path, 'pid'), 'utf8').catch(() => '0'));
      if (holder > 0 && !isRunning(holder)) await rm(path, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${path} is held by pid ${holder} for over ${LOCK_WAIT_MS} ms`);
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { recursive: true, force: true });
  }
}

async function packedAt(root: string): Promise<PackedCheckout> {
  const { name, version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  return { root, tarball: join(root, `${name}-${version}.tgz`), name, version };
}

/** Copies the inputs, links node_modules and runs `npm pack` (its `prepare` builds dist/). */
async function pack(inputs: readonly string[], target: string): Promise<void> {
  const work = `${target}.${process.pid}.tmp`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  for (const input of inputs) {
    const from = join(projectRoot, input);
    if ((await stat(from).catch(() => undefined)) !== undefined) await cp(from, join(work, input), { recursive: true });
  }
  await symlink(join(projectRoot, 'node_modules'), join(work, 'node_modules'));
  await exec('npm', ['pack', '--pack-destination', work], { cwd: work, env: npmEnv(), timeout: 5 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  await rename(work, target);
}

/** The built and packed package of the sources as they are now; made on first call, then reused. */
export async function packedCheckout(): Promise<PackedCheckout> {
  const inputs = await inputsOf();
  const target = join(cacheDir, `pack-${await hashOf(inputs)}`);
  await mkdir(cacheDir, { recursive: true });
  return withLock(`${target}.lock`, async () => {
    if ((await stat(target).catch(() => undefined)) === undefined) {
      // Older states of the sources are of no further use.
      for (const name of await readdir(cacheDir)) {
        if (name.startsWith('pack-') && !/\.(lock|tmp)$/.test(name) && join(cacheDir, name) !== target) await rm(join(cacheDir, name), { recursive: true, force: true });
      }
      await pack(inputs, target);
    }
    return packedAt(target);
  });
}
