/**
 * The system programs the bench runs beside the registry (etcd, NSD): Debian packages installed
 * with apt-get when missing (through sudo when not root, as .ci/run does), and each process
 * stopped the same way.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';

/** Installs the Debian package `name` with apt-get; throws saying what to install by hand. */
export function aptInstall(name: string, log: (line: string) => void): void {
  log(`${name} is missing: apt-get install ${name}`);
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo'];
  for (const args of [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', name]]) {
    const [command = '', ...rest] = [...asRoot, ...args];
    const result = spawnSync(command, rest, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.error !== undefined || result.status !== 0) {
      throw new Error(`'${args.join(' ')}' failed (${result.error?.message ?? `exit ${result.status}`}); install ${name} by hand`);
    }
  }
}

/** A `close()` for `child`: SIGTERM, SIGKILL after 10 s, resolved once it has exited. */
export function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
}
