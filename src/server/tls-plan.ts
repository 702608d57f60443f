/**
 * TLS material decided before anything is written. A server start first works out, reading
 * only, what it will serve: the files as they are, or a CA and server certificate made in
 * memory. It binds its port with that, and writes the new files (`commit`) only once the
 * fallible steps have passed, so a start that fails changes nothing in the data folder: a
 * bind error never re-issues the `server.pem` that clients pin.
 */
import { type Clock, systemClock } from '../domain/index.js';
import { type CertificatePair, createCertificateAuthority, issueServerCertificate } from './certificates.js';
import {
  type EnsureServerCertificatesOptions,
  inspectServer,
  loadOrCreateCa,
  localTlsPaths,
  makeTlsFolder,
  readLocalCa,
  type TlsMaterial,
  wantedServerNames,
  withLock,
  writePair,
} from './tls.js';

/** Material to serve now, and the step that puts it on disk. */
export interface PlannedTls<T> {
  /** What to serve; `changes` says what `commit` will write (empty: nothing). */
  readonly material: T;
  /**
   * Writes what was made in memory, under the TLS folder's lock. Answers the material then on
   * disk: the planned one, or another process's if it wrote first (the caller serves that one).
   */
  commit(): Promise<T>;
}

/** The server certificate and local CA of `<dataDir>/tls/`: the files, or new ones in memory when they cannot be used as they are. */
export async function planServerCertificates(options: EnsureServerCertificatesOptions): Promise<PlannedTls<TlsMaterial>> {
  const paths = localTlsPaths(options.dataDir);
  const clock = options.clock ?? systemClock;
  const names = wantedServerNames(options);
  const now = new Date(clock.now());
  const found = await inspectServer(paths, names, now);
  if (typeof found !== 'string') return { material: found, commit: () => Promise.resolve(found) };
  const existingCa = await readLocalCa(paths);
  const ca = existingCa ?? (await createCertificateAuthority(now));
  const server = await issueServerCertificate(ca, names, now);
  const changes = [...(existingCa === undefined ? [`created a local CA in ${paths.caPath}`] : []), `issued a server certificate in ${paths.certPath} because ${found}`];
  const { caPath, certPath, keyPath } = paths;
  const material: TlsMaterial = { caPem: ca.certPem, ...server, caPath, certPath, keyPath, changes };
  const commit = async (): Promise<TlsMaterial> => {
    await makeTlsFolder(paths.dir);
    return withLock(paths.dir, async () => {
      const again = await inspectServer(paths, names, now); // another process may have just done it
      if (typeof again !== 'string') return again;
      const written: string[] = [];
      const onDisk = await loadOrCreateCa(paths, now, written, ca);
      const pair = onDisk.certPem === ca.certPem ? server : await issueServerCertificate(onDisk, names, now);
      await writePair(pair, paths.certPath, paths.keyPath);
      written.push(`issued a server certificate in ${paths.certPath} because ${again}`);
      return { caPem: onDisk.certPem, ...pair, caPath, certPath, keyPath, changes: written };
    });
  };
  return { material, commit };
}

/**
 * Returns the local CA and server certificate under `<dataDir>/tls/`, creating the CA when it
 * is absent and issuing the server certificate when it is absent, does not match its key, was
 * signed by another CA, misses a wanted name, or expires within 30 days. The server certificate
 * covers os.hostname(), localhost, 127.0.0.1, ::1 and the given names.
 */
export async function ensureServerCertificates(options: EnsureServerCertificatesOptions): Promise<TlsMaterial> {
  return (await planServerCertificates(options)).commit();
}

/** The local CA client certificates are checked against: the file, or a new CA in memory written by `commit`. */
export async function planLocalCa(dataDir: string, clock: Clock = systemClock): Promise<PlannedTls<CertificatePair & { readonly caPath: string }>> {
  const paths = localTlsPaths(dataDir);
  const now = new Date(clock.now());
  const existing = await readLocalCa(paths);
  if (existing !== undefined) {
    const material = { ...existing, caPath: paths.caPath };
    return { material, commit: () => Promise.resolve(material) };
  }
  const fresh = await createCertificateAuthority(now);
  return {
    material: { ...fresh, caPath: paths.caPath },
    commit: async () => {
      await makeTlsFolder(paths.dir);
      const ca = await withLock(paths.dir, () => loadOrCreateCa(paths, now, [], fresh));
      return { ...ca, caPath: paths.caPath };
    },
  };
}
