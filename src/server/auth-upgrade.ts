/**
 * Credentials on the WebSocket upgrade (SECURITY.md): a bearer token in the Authorization header,
 * an mTLS client certificate signed by the local CA, and where the caller connects from. A token
 * in the URL is refused outright: URLs end up in proxy and access logs.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { Clock } from '../domain/index.js';
import { findToken, type Principal } from '../operations/index.js';
import type { TokenReadView } from '../store/index.js';
import type { CallerKind } from './auth.js';
import type { BrowserOrigins } from './auth-origin.js';
import { clientRoleFromSubject } from './tls.js';

/**
 * What the upgrade proved. The token is kept as its hash and looked up at every call (revocation
 * bites at once), and the role of where the caller connects from is worked out at every call from
 * `[auth]` as it is then (a reload applies to open connections).
 */
export interface UpgradeCredentials {
  readonly from: CallerKind;
  readonly remoteAddress?: string;
  /** From a verified client certificate. */
  readonly certificate?: Principal;
  /** SHA-256 of the bearer token presented on the upgrade. */
  readonly tokenHash?: string;
}

export type UpgradeVerdict =
  | { readonly ok: true; readonly credentials: UpgradeCredentials }
  | { readonly ok: false; readonly status: number; readonly reason: string };

export interface UpgradeAuthOptions {
  readonly tokens: TokenReadView;
  /** Tokens stop granting their role when they expire. */
  readonly clock: Clock;
  /** The CAs a client certificate may be issued by (the local CA, then `[tls] client_ca`'s); empty when the server has none (plaintext). */
  readonly clientCas: () => readonly X509Certificate[];
  /** Which browser pages may connect; absent: an `Origin` header changes nothing (tests of other parts). */
  readonly origins?: BrowserOrigins;
}

/** Query parameters that look like a credential: refused, never read. */
const URL_CREDENTIALS = new Set(['token', 'access_token', 'auth_token', 'bearer', 'authorization', 'api_key', 'apikey']);
const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';

const refuse = (status: number, reason: string): UpgradeVerdict => ({ ok: false, status, reason });

/** The names of credential-like query parameters in the request URL. */
function credentialsInUrl(url: string | undefined): string[] {
  if (url === undefined || !url.includes('?')) return [];
  let params: URLSearchParams;
  try {
    params = new URL(url, 'http://upgrade.invalid').searchParams;
  } catch {
    return [];
  }
  return [...new Set([...params.keys()].filter((key) => URL_CREDENTIALS.has(key.toLowerCase())))];
}

/** The bearer secret of an Authorization header: undefined when absent, an Error when malformed. */
function bearerSecret(header: string | undefined): string | undefined | Error {
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S{1,512})[ \t]*$/i.exec(header);
  return match?.[1] ?? new Error("the Authorization header must be 'Bearer <token>'");
}

/**
 * Why a peer certificate is refused, or the role it grants. What the certificate says of itself
 * is checked before the chain, so the reason names the real fault: a certificate without the
 * clientAuth extended key usage (the server's own included) or without exactly one role in its OU
 * is refused, never read as whatever role loopback would give. The same rules hold for the local
 * CA's certificates and for those of an operator's own CA (`[tls] client_ca`).
 */
function certificateRole(socket: TLSSocket, cas: readonly X509Certificate[]): Principal | string | undefined {
  const peer = socket.getPeerCertificate();
  const raw: unknown = peer.raw;
  if (!(raw instanceof Buffer)) return undefined; // no certificate presented
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(raw);
  } catch {
    return 'it does not parse';
  }
  // Node gives the extended key usages as OIDs; undefined when the extension is absent.
  const usages: readonly string[] = cert.keyUsage ?? [];
  if (!usages.includes(CLIENT_AUTH_EKU)) return 'it is not meant for client authentication (it lacks the clientAuth extended key usage)';
  const role = clientRoleFromSubject(peer.subject);
  if (role === undefined) return 'its subject must carry exactly one OU, naming a role (read, write or admin)';
  if (cas.length === 0) return 'this server has no client CA';
  if (!socket.authorized) return `it does not verify against the server's client CAs (${String(socket.authorizationError)})`;
  if (!cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) return "it is not signed by one of the server's client CAs (the local CA, [tls] client_ca)";
  const name = typeof peer.subject.CN === 'string' ? peer.subject.CN : cert.fingerprint256;
  return { role, via: `certificate:${name}` };
}

/** Checks an upgrade request's credentials; every refusal says why, and none repeats a secret. */
export function checkUpgrade(req: IncomingMessage, options: UpgradeAuthOptions): UpgradeVerdict {
  const origin = req.headers.origin;
  const refusedOrigin = origin === undefined ? undefined : options.origins?.refusal(origin);
  if (refusedOrigin !== undefined) return refuse(403, refusedOrigin);
  const inUrl = credentialsInUrl(req.url);
  if (inUrl.length > 0) {
    return refuse(400, `credentials are never accepted in the URL (query parameter ${inUrl.join(', ')}): URLs end up in logs; send 'Authorization: Bearer <token>' on the upgrade or an authenticate frame`);
  }
  // A browser sends Origin on every upgrade and cross-origin request, and Sec-Fetch-Site on every
  // request (a same-origin GET included, which is how a DNS-rebound page would read the HTTP API).
  const browser = origin !== undefined || req.headers['sec-fetch-site'] !== undefined;
  const remoteAddress = req.socket.remoteAddress;
  let certificate: Principal | undefined;
  if (req.socket instanceof TLSSocket) {
    const found = certificateRole(req.socket, options.clientCas());
    if (typeof found === 'string') return refuse(403, `the client certificate is refused: ${found}`);
    certificate = found;
  }
  const secret = bearerSecret(req.headers.authorization);
  if (secret instanceof Error) return refuse(401, secret.message);
  const token = secret === undefined ? undefined : findToken(options.tokens, secret, options.clock.now());
  if (secret !== undefined && token === undefined) return refuse(401, 'the bearer token is not known: it was revoked, it expired, or it is mistyped');
  const credentials: UpgradeCredentials = {
    from: browser ? 'browser' : 'program',
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
    ...(certificate === undefined ? {} : { certificate }),
    ...(token === undefined ? {} : { tokenHash: token.hash }),
  };
  return { ok: true, credentials };
}
