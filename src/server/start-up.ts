/**
 * The order a server starts in, so that a start that fails changes nothing in the data folder:
 * every fallible step that writes nothing (the data-folder lock, the ports, opening the store)
 * comes before the first write (new certificates, the static entries), and what a failed start
 * made (the lock file, a new database, the folder) is removed again.
 */
import { rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { isLoopback, RegistryError } from '../domain/index.js';
import type { RegistryConfig } from '../config/index.js';
import { type DataFolderLock, lockDataFolder, type Store, storeFiles } from '../store/index.js';
import type { Refusal } from './limits.js';
import { type Listener, listen } from './listener.js';
import type { DnsListener } from '../dns/index.js';
import type { Logger } from './log.js';
import { certificateNames } from './certificate-names.js';
import { clientTrust, type LoadedTlsFiles, loadClientCaBundle, loadTlsFiles, type TlsFilePaths, type TlsMaterial } from './tls.js';
import { planLocalCa, planServerCertificates } from './tls-plan.js';

/** What the listener serves over TLS, with the files it came from. */
export interface Tls {
  readonly cert: string;
  readonly key: string;
  readonly caPem: string | undefined;
  /** PEM of the CAs client certificates must chain to: the local CA, then `[tls] client_ca`'s. */
  readonly clientCa?: string;
  /** The files to watch: a change is served to new connections without a restart. */
  readonly paths?: TlsFilePaths;
}

/** The TLS to serve, decided reading only, and the step that writes what was made in memory. */
interface PlannedServing {
  readonly tls: Tls | undefined;
  commit(): Promise<{ readonly tls: Tls | undefined; readonly changes: readonly string[] }>;
}

/** The operator's client CAs (`[tls] client_ca`), read and checked now: a bad file stops the start and names itself. */
async function operatorClientCa(config: RegistryConfig): Promise<Pick<LoadedTlsFiles, 'clientCaPath' | 'clientCaPem'>> {
  const path = config.tls.clientCa;
  return path === null ? {} : { clientCaPath: path, clientCaPem: await loadClientCaBundle(path) };
}

interface Served {
  readonly cert: string;
  readonly key: string;
  /** The CA that signed `cert`, when it is the local one. */
  readonly caPem: string | undefined;
  readonly paths: Pick<TlsFilePaths, 'certPath' | 'keyPath'>;
  /** The local CA: its client certificates are trusted. */
  readonly local: { readonly certPem: string; readonly caPath: string };
  readonly operator: Pick<LoadedTlsFiles, 'clientCaPath' | 'clientCaPem'>;
}

/** What the listener serves: the pair, the client CAs (local, then the operator's) and the files a running server watches. */
function serving({ cert, key, caPem, paths, local, operator }: Served): Tls {
  const clientCa = clientTrust({ caPem: local.certPem, ...operator });
  return {
    cert,
    key,
    caPem,
    ...(clientCa === undefined ? {} : { clientCa }),
    paths: { ...paths, caPath: local.caPath, ...(operator.clientCaPath === undefined ? {} : { clientCaPath: operator.clientCaPath }) },
  };
}

async function planTls(config: RegistryConfig, logger: Logger): Promise<PlannedServing> {
  if (config.server.insecureLoopback) {
    if (!isLoopback(config.server.host)) {
      throw new RegistryError('config_invalid', `--insecure-loopback serves plaintext and is only allowed while bound to loopback; host ${config.server.host} is not loopback`);
    }
    logger.warn({ host: config.server.host }, 'serving plaintext ws:// (insecure loopback)');
    return { tls: undefined, commit: () => Promise.resolve({ tls: undefined, changes: [] }) };
  }
  const operator = await operatorClientCa(config);
  const files = config.tls.files;
  if (files !== null) {
    const served = await loadTlsFiles({ certPath: files.cert, keyPath: files.key });
    // Client certificates are issued by the local CA (`registry cert issue-client`) whoever signed the server's.
    const local = await planLocalCa(config.server.dataDir);
    const base = { cert: served.certPem, key: served.keyPem, caPem: undefined, paths: { certPath: served.certPath, keyPath: served.keyPath }, operator };
    return { tls: serving({ ...base, local: local.material }), commit: async () => ({ tls: serving({ ...base, local: await local.commit() }), changes: [] }) };
  }
  const names = await certificateNames({ host: config.server.host, names: config.tls.names });
  // Certificates take wall time, not the injected clock: real TLS stacks check their dates.
  const plan = await planServerCertificates({ dataDir: config.server.dataDir, ...names });
  const made = (m: TlsMaterial): Tls =>
    serving({ cert: m.certPem, key: m.keyPem, caPem: m.caPem, paths: { certPath: m.certPath, keyPath: m.keyPath }, local: { certPem: m.caPem, caPath: m.caPath }, operator });
  return {
    tls: made(plan.material),
    commit: async () => {
      const written = await plan.commit();
      return { tls: made(written), changes: written.changes };
    },
  };
}

/** Until the server is ready, upgrades are refused (503) and plain requests answer 503 (`/healthz`: `{"status":"starting"}`). */
export class StartingDoor {
  verify: ((req: IncomingMessage) => Refusal | undefined) | undefined;
  /** The routes of plain HTTP requests, once the server serves them. */
  route: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  readonly verifyUpgrade = (req: IncomingMessage): Refusal | undefined =>
    this.verify === undefined ? { status: 503, reason: 'the server is starting; try again in a moment' } : this.verify(req);
  readonly request = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.route !== undefined) return this.route(req, res);
    const body = JSON.stringify(req.url?.split('?')[0] === '/healthz' ? { status: 'starting' } : { error: { code: 'unavailable', message: 'the server is starting; try again in a moment' } });
    res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '1', 'content-length': Buffer.byteLength(body) }).end(body);
  };
  /** Counts each accepted TCP connection once the server's limits exist (connections before that are refused anyway). */
  admit: ((socket: Socket) => void) | undefined;
  readonly onConnection = (socket: Socket): void => this.admit?.(socket);
}

/** Everything a running server is built on, each acquired with nothing written yet but the lock. */
export interface Foundation {
  readonly lock: DataFolderLock;
  readonly listener: Listener;
  readonly door: StartingDoor;
  readonly store: Store;
  readonly tls: Tls | undefined;
  /** The DNS port, bound when `[dns] enabled`; it answers once the server serves it. */
  readonly dns: DnsListener | undefined;
  /** Undoes this start: closes what was opened and removes what it created (on a failure before serving). */
  discard(): Promise<void>;
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

export interface FoundationOptions {
  readonly config: RegistryConfig;
  readonly logger: Logger;
  readonly openStoreWith: (location: string) => Promise<Store>;
  /** Binds the DNS port (undefined when DNS is off); a port that is taken fails the start before anything is written. */
  readonly bindDns: () => Promise<DnsListener | undefined>;
}

/** lock → TLS decided in memory → bind → open the store → write new certificates; undone on any failure. */
export async function lay(options: FoundationOptions): Promise<Foundation> {
  const { config, logger } = options;
  const { host, port, dataDir } = config.server;
  const undo: Array<() => Promise<unknown>> = [];
  const discard = async (): Promise<void> => {
    for (const step of undo.reverse()) await step().catch((err: unknown) => logger.warn({ err }, 'undoing a failed start'));
  };
  try {
    const plan = await planTls(config, logger);
    const lock = await lockDataFolder(dataDir, { address: `${host}:${port}` });
    undo.push(() => lock.close({ discard: true }));
    const door = new StartingDoor();
    const tls = plan.tls;
    const listener = await listen({
      host,
      port,
      ...(tls ? { tls: { cert: tls.cert, key: tls.key, ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa }) } } : {}),
      hardFrameLimit: Math.max(config.server.maxFrameBytes * 4, 4 * 1024 * 1024),
      handshakeTimeoutMs: config.limits.handshakeTimeoutSeconds * 1000,
      onConnection: door.onConnection,
      request: door.request,
      verifyUpgrade: door.verifyUpgrade,
    });
    undo.push(() => new Promise<void>((resolve) => listener.http.close(() => resolve())));
    const dns = await options.bindDns();
    if (dns !== undefined) undo.push(() => dns.close());
    const files = storeFiles(config.storage.url);
    const fresh = files.length > 0 && !(await exists(files[0] ?? ''));
    const store = await options.openStoreWith(config.storage.url);
    undo.push(async () => {
      await store.close();
      if (fresh) await Promise.all(files.map((file) => rm(file, { force: true })));
    });
    const written = await plan.commit();
    for (const change of written.changes) logger.info({ dataDir }, change);
    if (written.tls && listener.setSecureContext && written.tls.cert !== tls?.cert) {
      listener.setSecureContext({ cert: written.tls.cert, key: written.tls.key, ...(written.tls.clientCa === undefined ? {} : { ca: written.tls.clientCa }) });
    }
    return { lock, listener, door, store, tls: written.tls, dns, discard };
  } catch (error) {
    await discard();
    throw error;
  }
}
