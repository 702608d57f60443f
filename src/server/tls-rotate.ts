/**
 * Local CA and server certificate upkeep beyond first start: making sure the CA exists (client
 * certificates are checked against it) and `registry cert rotate`. Same lock and atomic writes
 * as tls.ts, so a running server's file watcher sees one complete pair.
 */
import { X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import { type Clock, RegistryError, systemClock } from '../domain/index.js';
import { type CertificatePair, issueServerCertificate, normaliseServerNames } from './certificates.js';
import { planLocalCa } from './tls-plan.js';
import {
  type EnsureServerCertificatesOptions,
  loadOrCreateCa,
  localTlsPaths,
  readIfPresent,
  type TlsMaterial,
  withLock,
  writePair,
} from './tls.js';

/** The local CA under `<dataDir>/tls/`, created when absent: client certificates are checked against it. */
export async function ensureLocalCa(dataDir: string, clock: Clock = systemClock): Promise<CertificatePair & { readonly caPath: string }> {
  return (await planLocalCa(dataDir, clock)).commit();
}

/** IP literals in canonical text (`::1`, not `0:0:0:0:0:0:0:1`) so names compare equal. */
const canonicalIp = (ip: string): string => (ip.includes(':') ? new URL(`http://[${ip}]`).hostname.slice(1, -1) : ip);

/** The DNS names and IP addresses a certificate covers, from its subjectAltName. */
function coveredNames(certPem: string | undefined): { dns: string[]; ips: string[] } {
  if (certPem === undefined) return { dns: [], ips: [] };
  const entries = (new X509Certificate(certPem).subjectAltName ?? '').split(/,\s*/);
  return {
    dns: entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4)),
    ips: entries.filter((e) => e.startsWith('IP Address:')).map((e) => canonicalIp(e.slice(11))),
  };
}

/**
 * Issues a new server certificate from the local CA (`registry cert rotate`), covering every
 * name the current one covers plus the defaults and the given ones, and replaces the files
 * atomically; a running server sees the change and uses it for new connections.
 */
export async function rotateServerCertificate(options: EnsureServerCertificatesOptions): Promise<TlsMaterial> {
  const paths = localTlsPaths(options.dataDir);
  const now = new Date((options.clock ?? systemClock).now());
  if ((await readIfPresent(paths.caPath)) === undefined) {
    throw new RegistryError('not_found', `no local CA at ${paths.caPath}: the server creates it at its first start with this data folder`, {
      details: { path: paths.caPath },
    });
  }
  return withLock(paths.dir, async () => {
    const ca = await loadOrCreateCa(paths, now, []);
    const held = coveredNames(await readIfPresent(paths.certPath));
    const names = normaliseServerNames(
      [hostname(), 'localhost', ...held.dns, ...(options.hostnames ?? [])],
      ['127.0.0.1', '::1', ...held.ips, ...(options.addresses ?? [])],
    );
    const server = await issueServerCertificate(ca, names, now);
    await writePair(server, paths.certPath, paths.keyPath);
    const { caPath, certPath, keyPath } = paths;
    return { caPem: ca.certPem, ...server, caPath, certPath, keyPath, changes: [`issued a new server certificate in ${certPath}`] };
  });
}
