/**
 * etcd single node for the side-by-side figures: Debian's `etcd-server` (installed with apt when
 * missing, as .ci/run installs its packages), in a temp data folder, serving TLS with the same
 * certificate as the registry on 127.0.0.1, durable as etcd is by default (fsync per commit).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { Etcd3, type IOptions } from 'etcd3';
import { freePort } from '../lib/ports.js';
import { aptInstall, stopper } from '../lib/system.js';

export const ETCD_BINARY = 'etcd';

export interface EtcdProcess {
  readonly endpoint: string;
  readonly version: string;
  readonly pid: number;
  close(): Promise<void>;
}

export interface StartEtcdOptions {
  /** A folder the data directory is made in. */
  readonly root: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caPem: string;
}

function etcdVersion(): string | undefined {
  const probe = spawnSync(ETCD_BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) return undefined;
  return /etcd Version:\s*(\S+)/.exec(probe.stdout)?.[1] ?? 'unknown';
}

/** Returns etcd's version, installing Debian's etcd-server first when it is missing. */
export function ensureEtcdInstalled(log: (line: string) => void): string {
  const found = etcdVersion();
  if (found !== undefined) return found;
  aptInstall('etcd-server', log);
  const installed = etcdVersion();
  if (installed === undefined) throw new Error('etcd-server was installed but `etcd --version` still fails');
  return installed;
}

type FaultPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/**
 * The etcd3 client's default policies retry a failed call three times and stop calling a host
 * for 5 s after three failures: a retried put is a second write (watchers see it twice), and an
 * open breaker fails calls etcd never saw. The bench sends each request once and counts failures.
 */
class SendOnce implements FaultPolicy {
  declare readonly _altReturn: never;
  readonly onSuccess = (): { dispose(): void } => ({ dispose: () => {} });
  readonly onFailure = (): { dispose(): void } => ({ dispose: () => {} });

  execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    return Promise.resolve(fn({ signal: signal ?? new AbortController().signal }));
  }
}

/** An etcd3 client for `endpoint`, trusting `caPem`, on its own HTTP/2 connection. */
export function etcdClient(endpoint: string, caPem: string): Etcd3 {
  return new Etcd3({
    hosts: endpoint,
    credentials: { rootCertificate: Buffer.from(caPem) },
    // Each client its own connection, like each registry client has its own socket.
    grpcOptions: { 'grpc.use_local_subchannel_pool': 1 },
    faultHandling: { host: () => new SendOnce(), global: new SendOnce() },
  });
}

function waitForReady(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`etcd not ready within ${timeoutMs} ms: ${stderr()}`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`etcd exited with code ${code}: ${stderr()}`));
    });
    child.stderr?.on('data', () => {
      if (/serving client traffic|ready to serve client requests/.test(stderr())) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** Starts etcd and resolves once it serves clients. */
export async function startEtcd(options: StartEtcdOptions, version: string): Promise<EtcdProcess> {
  const dataDir = await mkdtemp(join(options.root, 'etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `https://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    ETCD_BINARY,
    [
      '--name', 'bench', '--data-dir', dataDir,
      '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `bench=${peer}`,
      '--cert-file', options.certPath, '--key-file', options.keyPath,
      '--logger', 'zap', '--log-level', 'info',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (log.length < 256 * 1024) log += chunk;
  });
  const close = stopper(child);
  try {
    if (child.pid === undefined) throw new Error('etcd did not start');
    await waitForReady(child, 30_000, () => log);
    return { endpoint, version, pid: child.pid, close };
  } catch (error) {
    await close();
    throw error;
  }
}
