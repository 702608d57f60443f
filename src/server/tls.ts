/**
 * TLS material on disk: the local CA and server certificate under `<dataDir>/tls/`,
 * operator-supplied files and mTLS client certificates. Writers hold `tls/.lock` (O_EXCL)
 * and replace each file through a temporary file and a rename, key before certificate, so
 * two processes starting at once agree on one pair; a reader that sees a half-replaced pair
 * finds that the key does not match and retries under the lock.
 */
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Clock, type GrantedRole, RegistryError, systemClock } from '../domain/index.js';
import {
  type CertificatePair,
  createCertificateAuthority,
  issueClientCertificateWith,
  keyMatchesCertificate,
  normaliseServerNames,
  type ServerNames,
  serverCertificateProblem,
} from './certificates.js';

export {
  type CertificatePair,
  certificateFingerprint,
  clientRoleFromSubject,
} from './certificates.js';

/** What a TLS listener needs, with the files it came from. */
export interface TlsMaterial {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** What this call created, for the log: e.g. `created a local CA`; empty when all was reused. */
  readonly changes: readonly string[];
}

export interface EnsureServerCertificatesOptions {
  readonly dataDir: string;
  /** Extra DNS names for the server certificate (IP literals are accepted too). @default [] */
  readonly hostnames?: readonly string[];
  /** Extra IP addresses for the server certificate; 0.0.0.0 and :: are skipped. @default [] */
  readonly addresses?: readonly string[];
  /** @default systemClock */
  readonly clock?: Clock;
}

export interface TlsFilePaths {
  readonly certPath: string;
  readonly keyPath: string;
  /** The local CA: its client certificates are trusted. */
  readonly caPath?: string;
  /** `[tls] client_ca`: the operator's CAs, whose client certificates are trusted too. */
  readonly clientCaPath?: string;
}

export interface LoadedTlsFiles extends TlsFilePaths {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem?: string;
  /** Every certificate of `clientCaPath`, each checked to be a CA. */
  readonly clientCaPem?: string;
}

export interface IssueClientCertificateOptions {
  readonly dataDir: string;
  /** Becomes the subject CN. */
  readonly name: string;
  /** Becomes the subject OU; read it back with `clientRoleFromSubject`. */
  readonly role: GrantedRole;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** The files of the local CA and server certificate under a data directory. */
export interface LocalTlsPaths {
  readonly dir: string;
  readonly caPath: string;
  readonly caKeyPath: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/** How long to wait for another process's lock; a lock older than LOCK_STALE_MS whose process is gone is taken over. */
const LOCK_WAIT_MS = 15_000;
const LOCK_STALE_MS = 10_000;
const LOCK_POLL_MS = 20;

export const localTlsPaths = (dataDir: string): LocalTlsPaths => {
  const dir = join(dataDir, 'tls');
  return {
    dir,
    caPath: join(dir, 'ca.pem'),
    caKeyPath: join(dir, 'ca-key.pem'),
    certPath: join(dir, 'server.pem'),
    keyPath: join(dir, 'server-key.pem'),
  };
};

const errnoCode = (error: unknown): unknown =>
  error instanceof Error && 'code' in error ? error.code : undefined;

/** A file that cannot be read or parsed is the operator's to fix (`config_invalid`); one that cannot be written (a full disk) is `unavailable`. */
const fileError = (what: string, path: string, error: unknown, code: 'config_invalid' | 'unavailable' = 'config_invalid'): RegistryError =>
  new RegistryError(code, `${what} ${path}: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
    details: { path },
  });

/** The file's text, or undefined when it does not exist. */
export async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw fileError('cannot read', path, error);
  }
}

/** Writes through a temporary file created with `mode`, then renames it over `path`. */
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw fileError('cannot write', path, error, 'unavailable');
  }
}

export async function writePair(pair: CertificatePair, certPath: string, keyPath: string): Promise<void> {
  await writeAtomically(keyPath, pair.keyPem, 0o600);
  await writeAtomically(certPath, pair.certPem, 0o644);
}

async function lockIsStale(lockPath: string): Promise<boolean> {
  try {
    const [info, text] = await Promise.all([stat(lockPath), readFile(lockPath, 'utf8')]);
    if (Date.now() - info.mtimeMs < LOCK_STALE_MS) return false;
    const pid = Number.parseInt(text, 10);
    if (!Number.isInteger(pid) || pid <= 0) return true;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return errnoCode(error) === 'ESRCH';
  }
}

/** Runs `fn` holding the folder's lock file; waits for another holder, takes over a dead one's. */
export async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lockPath = join(dir, '.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`).finally(() => handle.close());
      break;
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw fileError('cannot create the lock file', lockPath, error, 'unavailable');
      if (await lockIsStale(lockPath)) {
        await rm(lockPath, { force: true });
      } else if (Date.now() > deadline) {
        throw new RegistryError('unavailable', `another process holds ${lockPath}; remove it if none is running`, {
          details: { path: lockPath },
        });
      } else {
        await sleep(LOCK_POLL_MS);
      }
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

export const makeTlsFolder = (dir: string): Promise<unknown> =>
  mkdir(dir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw fileError('cannot create the TLS folder', dir, error, 'unavailable');
  });

/** The local CA as it is on disk; undefined when `ca.pem` is absent. Reads only. */
export async function readLocalCa(paths: LocalTlsPaths): Promise<CertificatePair | undefined> {
  const [certPem, keyPem] = await Promise.all([readIfPresent(paths.caPath), readIfPresent(paths.caKeyPath)]);
  // No certificate means no client can trust this CA yet: a lone key is a crashed creation.
  if (certPem === undefined) return undefined;
  if (keyPem === undefined) {
    throw new RegistryError(
      'config_invalid',
      `${paths.caKeyPath} is missing: restore it, or remove ${paths.caPath} to create a new local CA`,
      { details: { path: paths.caKeyPath } },
    );
  }
  if (!keyMatchesCertificate({ certPem, keyPem })) {
    throw new RegistryError('config_invalid', `${paths.caKeyPath} does not hold the key of ${paths.caPath}`, {
      details: { path: paths.caKeyPath },
    });
  }
  return { certPem, keyPem };
}

/**
 * The local CA; when `ca.pem` is absent, `fresh` (or a new CA) is written. Call with the lock
 * held; `created` tells whether this call wrote it.
 */
export async function loadOrCreateCa(paths: LocalTlsPaths, now: Date, changes: string[], fresh?: CertificatePair): Promise<CertificatePair> {
  const existing = await readLocalCa(paths);
  if (existing !== undefined) return existing;
  const ca = fresh ?? (await createCertificateAuthority(now));
  await writePair(ca, paths.caPath, paths.caKeyPath);
  changes.push(`created a local CA in ${paths.caPath}`);
  return ca;
}

/** The existing material when it can be used as it is, else why not. Reads only. */
export async function inspectServer(paths: LocalTlsPaths, names: ServerNames, now: Date): Promise<TlsMaterial | string> {
  const [caPem, certPem, keyPem] = await Promise.all(
    [paths.caPath, paths.certPath, paths.keyPath].map(readIfPresent),
  );
  if (caPem === undefined) return 'there is no CA';
  if (certPem === undefined || keyPem === undefined) return 'there is no server certificate';
  const problem = serverCertificateProblem(caPem, { certPem, keyPem }, names, now);
  if (problem !== undefined) return problem;
  const { caPath, certPath, keyPath } = paths;
  return { caPem, certPem, keyPem, caPath, certPath, keyPath, changes: [] };
}

/** The names a server certificate must cover: this host, loopback and the given ones. */
export const wantedServerNames = (options: Pick<EnsureServerCertificatesOptions, 'hostnames' | 'addresses'>): ServerNames =>
  normaliseServerNames([hostname(), 'localhost', ...(options.hostnames ?? [])], ['127.0.0.1', '::1', ...(options.addresses ?? [])]);

/** Reads and parses one operator-supplied file; a failure names the file and the reason. */
async function loadNamed<T>(what: string, path: string, parse: (text: string) => T): Promise<[string, T]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fileError(`cannot read the TLS ${what} file`, path, error);
  }
  try {
    return [text, parse(text)];
  } catch (error) {
    throw fileError(`the TLS ${what} file does not parse:`, path, error);
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Every certificate in a PEM text, in order. */
export const certificatesIn = (pem: string): X509Certificate[] => (pem.match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));

/** A bundle of CA certificates: at least one, and each one a CA (basic constraints CA:TRUE). */
function parseCaBundle(text: string): X509Certificate[] {
  const certificates = certificatesIn(text);
  if (certificates.length === 0) throw new Error('it holds no PEM certificate');
  const notCa = certificates.findIndex((cert) => !cert.ca);
  if (notCa >= 0) throw new Error(`certificate ${notCa + 1} (${certificates[notCa]?.subject.replace(/\n/g, ', ') ?? ''}) is not a CA certificate`);
  return certificates;
}

/** The PEM text of every CA whose client certificates are trusted: the local CA, then the operator's. */
export const clientTrust = (files: Pick<LoadedTlsFiles, 'caPem' | 'clientCaPem'>): string | undefined =>
  [files.caPem, files.clientCaPem].filter((pem): pem is string => pem !== undefined).map((pem) => pem.trim()).join('\n') || undefined;

/** `[tls] client_ca`: the file's text, once every certificate in it parses and is a CA; a failure names the file. */
export async function loadClientCaBundle(path: string): Promise<string> {
  const [text] = await loadNamed('client CA', path, parseCaBundle);
  return text;
}

/** Reads operator-supplied TLS files; every failure names the file and the reason. */
export async function loadTlsFiles(paths: TlsFilePaths): Promise<LoadedTlsFiles> {
  const [[certPem, cert], [keyPem, key], ca, clientCa] = await Promise.all([
    loadNamed('certificate', paths.certPath, (text) => new X509Certificate(text)),
    loadNamed('key', paths.keyPath, (text) => createPrivateKey(text)),
    paths.caPath === undefined ? undefined : loadNamed('CA', paths.caPath, (text) => new X509Certificate(text)),
    paths.clientCaPath === undefined ? undefined : loadClientCaBundle(paths.clientCaPath),
  ]);
  if (!cert.checkPrivateKey(key)) {
    throw new RegistryError('config_invalid', `the TLS key file ${paths.keyPath} does not match ${paths.certPath}`, {
      details: { path: paths.keyPath },
    });
  }
  return { ...paths, certPem, keyPem, ...(ca === undefined ? {} : { caPem: ca[0] }), ...(clientCa === undefined ? {} : { clientCaPem: clientCa }) };
}

/**
 * Issues an mTLS client certificate signed by the local CA. Refuses (not_found, naming the folder)
 * when the data folder has no CA: a new one would be trusted by no server.
 */
export async function issueClientCertificate(options: IssueClientCertificateOptions): Promise<CertificatePair> {
  const paths = localTlsPaths(options.dataDir);
  const now = new Date((options.clock ?? systemClock).now());
  const ca = await readLocalCa(paths);
  if (ca === undefined) {
    throw new RegistryError(
      'not_found',
      `no local CA in ${paths.dir}: the server creates it at its first start with the data folder ${options.dataDir}; check --data-dir or --config`,
      { details: { path: paths.caPath } },
    );
  }
  return issueClientCertificateWith(ca, { name: options.name, role: options.role }, now);
}
