/** Packages for deployment tests, made from the example under examples/hello-service. */
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { c as createArchive, x as extractArchive } from 'tar';
import { buildPackage } from '../../src/deploy/index.js';
import { RegistryError } from '../../src/domain/index.js';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/hello-service/', import.meta.url));

export interface PackageOptions {
  readonly version: string;
  readonly port: number;
  /** A health script that always fails, and a short health timeout. */
  readonly failingHealth?: boolean;
  readonly requires?: readonly string[];
  /** A `scripts/install.sh` that waits until this file exists: the deployment holds at its install step until the test creates it. */
  readonly installGate?: string;
}

/** The example's manifest with another version, port, health limits and requirements. */
function manifestFor(options: PackageOptions): string {
  const requires = ['python3', ...(options.requires ?? [])].map((c) => JSON.stringify(c)).join(', ');
  const timeout = options.failingHealth === true ? '1500ms' : '20s';
  return [
    'name: hello-service',
    `version: ${options.version}`,
    'description: deployment test package',
    'service:',
    '  type: managed_process',
    '  ports:',
    '    - name: http',
    `      port: ${options.port}`,
    '      protocol: http',
    'requires:',
    `  commands: [${requires}]`,
    'health:',
    '  script: scripts/health.sh',
    '  interval: 200ms',
    `  timeout: ${timeout}`,
    '',
  ].join('\n');
}

/** Copies the example into `work/<version>`, adjusts it, and builds `<work>/out/hello-service-<version>.tar.gz`. */
export async function makePackage(work: string, options: PackageOptions): Promise<string> {
  const dir = join(work, `src-${options.version}`);
  await cp(EXAMPLE_DIR, dir, { recursive: true });
  await writeFile(join(dir, 'manifest.yaml'), manifestFor(options));
  if (options.installGate !== undefined) {
    const gate = options.installGate.replaceAll("'", "'\\''");
    await writeFile(join(dir, 'scripts/install.sh'), `#!/bin/sh\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done\n`, { mode: 0o755 });
  }
  if (options.failingHealth === true) {
    await writeFile(join(dir, 'scripts/health.sh'), '#!/bin/sh\necho "health: version $SERVICE_VERSION is not healthy" >&2\nexit 1\n');
  }
  const out = join(work, 'out');
  await mkdir(out, { recursive: true });
  return (await buildPackage(dir, out)).tarball;
}

export type Escape = 'dotdot' | 'absolute' | 'symlink';

/**
 * A package whose archive holds an entry that escapes: `../evil.txt`, an absolute path, or a
 * symlink to `../../..`. Everything else is a valid package (built first, then re-packed).
 */
export async function makeEscapingPackage(work: string, escape: Escape): Promise<string> {
  const dir = join(work, `escape-${escape}`, 'pkg');
  await mkdir(join(dir, '..'), { recursive: true });
  await cp(EXAMPLE_DIR, dir, { recursive: true });
  await buildPackage(dir, join(dir, '..'));
  const built = join(dir, '..', 'hello-service-1.0.0.tar.gz');
  await rm(dir, { recursive: true });
  await mkdir(dir);
  await extractArchive({ file: built, cwd: dir });
  const evil = join(work, `escape-${escape}`, 'evil.txt');
  await writeFile(evil, 'written outside the release\n');
  const entries = await readdir(dir);
  let extra: string;
  if (escape === 'dotdot') extra = '../evil.txt';
  else if (escape === 'absolute') extra = evil;
  else {
    await symlink('../../..', join(dir, 'bin', 'escape'));
    extra = 'bin/escape';
  }
  const file = join(work, `escape-${escape}.tar.gz`);
  await createArchive({ file, cwd: dir, gzip: true, preservePaths: true, portable: true }, [...entries, ...(escape === 'symlink' ? [] : [extra])]);
  return file;
}

/** True when something accepts a TCP connection on 127.0.0.1:`port`. */
export function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Every path under `dir` (relative, sorted), to show that a refused deployment wrote nothing. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => []);
  return entries.map(String).sort();
}

/** Stops every server a test release left running (its pid file), whatever state the test ended in. */
export async function stopLeftovers(installDir: string): Promise<void> {
  const releases = join(installDir, 'hello-service', 'releases');
  for (const version of await readdir(releases).catch(() => [])) {
    const pidText = await readFile(join(releases, version, 'run', 'server.pid'), 'utf8').catch(() => '');
    const pid = Number(pidText.trim());
    if (Number.isSafeInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** The RegistryError `work` rejects with; fails the test when it succeeds or throws anything else. */
export async function refusal(work: Promise<unknown>): Promise<RegistryError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error('the call succeeded, and was expected to be refused');
}
