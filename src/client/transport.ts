/**
 * Opening the WebSocket: TLS trust (a CA or a pinned certificate fingerprint), the client
 * certificate, the bearer token, the handshake timeout, and turning every way opening can fail into one clear error.
 */
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent, type AgentOptions, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { WebSocket, type ClientOptions as WsOptions } from 'ws';
import { RegistryError, type ErrorCode } from '../domain/index.js';
import { ConnectionFailedError } from './errors.js';
import { DEFAULT_COMPRESSION_THRESHOLD_BYTES, type ResolvedClientOptions } from './options.js';

/** A URL host name without the brackets of an IPv6 literal. */
const bareHost = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** SNI must be a DNS name: none for an IP address. */
function serverName(options: ResolvedClientOptions): string | undefined {
  if (options.servername !== undefined) return options.servername;
  const host = bareHost(options.url);
  return isIP(host) === 0 ? host : undefined;
}

const pinMismatch = (url: string, expected: string, actual: string | undefined): ConnectionFailedError =>
  new ConnectionFailedError(
    url,
    `the certificate of ${url} does not match the pinned fingerprint: expected ${expected}, the server presented ${actual ?? 'no certificate'}`,
  );

/**
 * An agent whose connections are TLS sockets built from the client's own options. With a pin,
 * each socket is checked against the SHA-256 fingerprint once the handshake is done and
 * before the upgrade request (and its token) is written.
 */
class TlsAgent extends Agent {
  constructor(
    private readonly tls: ConnectionOptions,
    private readonly fingerprint: string | undefined,
    private readonly url: string,
  ) {
    super({ keepAlive: false, maxCachedSessions: 0 } satisfies AgentOptions);
  }

  override createConnection(
    _options: unknown,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket: TLSSocket = connect(this.tls);
    let settled = false;
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      if (error !== null) socket.destroy();
      callback?.(error, socket);
    };
    // Stays attached: after the hand-over, http adds its own listener; this one then does nothing.
    socket.on('error', (error) => settle(error));
    socket.once('secureConnect', () => {
      const expected = this.fingerprint;
      const actual = socket.getPeerCertificate().fingerprint256;
      settle(expected === undefined || actual === expected ? null : pinMismatch(this.url, expected, actual));
    });
    return undefined;
  }
}

function tlsOptions(options: ResolvedClientOptions): ConnectionOptions {
  const servername = serverName(options);
  const tls: ConnectionOptions = {
    host: bareHost(options.url),
    port: Number(options.url.port || 443),
    ...(servername === undefined ? {} : { servername }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.clientCertificate === undefined ? {} : { cert: options.clientCertificate.cert, key: options.clientCertificate.key }),
  };
  if (options.fingerprint === undefined) return tls;
  // A pin replaces the chain check unless a CA was given too; the name check goes with the chain.
  return options.ca === undefined ? { ...tls, rejectUnauthorized: false } : { ...tls, checkServerIdentity: () => undefined };
}

function wsOptions(options: ResolvedClientOptions): WsOptions {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const perMessageDeflate = options.compression ? { threshold: DEFAULT_COMPRESSION_THRESHOLD_BYTES, clientNoContextTakeover: true, serverNoContextTakeover: true } : false;
  const base: WsOptions = { headers, handshakeTimeout: options.connectTimeoutMs, followRedirects: false, perMessageDeflate };
  if (options.url.protocol !== 'wss:') return base;
  return { ...base, agent: new TlsAgent(tlsOptions(options), options.fingerprint, options.displayUrl) };
}

/** The most bytes a plain GET reads (a scrape of /metrics is tens of KiB). */
const MAX_GET_BYTES = 16 * 1024 * 1024;

/**
 * A plain HTTPS GET of the server's port (`/metrics`), with the client's trust (CA or pinned
 * certificate) and its token; answers the status and the body as text.
 */
export function httpGet(options: ResolvedClientOptions, path: string): Promise<{ readonly status: number; readonly body: string }> {
  const secure = options.url.protocol === 'wss:';
  const target = new URL(path, `${secure ? 'https' : 'http'}://${options.url.host}`);
  const headers: Record<string, string> = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
  const agent = secure ? new TlsAgent(tlsOptions(options), options.fingerprint, options.displayUrl) : undefined;
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(target, { method: 'GET', headers, timeout: options.timeoutMs, ...(agent ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_GET_BYTES) req.destroy(new Error(`the answer of ${path} is larger than ${MAX_GET_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer to GET ${path} within ${options.timeoutMs} ms`)));
    req.once('error', (error) => reject(describeOpenFailure(options.displayUrl, error)));
    req.end();
  });
}

/** Creates the socket; listeners must be attached by the caller in the same tick. */
export function createSocket(options: ResolvedClientOptions): WebSocket {
  return new WebSocket(options.url, wsOptions(options));
}

const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const errorCode = (error: Error): unknown => ('code' in error ? error.code : undefined);

/** The error `connect` rejects with when the socket fails before it opens. */
export function describeOpenFailure(url: string, error: Error): Error {
  if (error instanceof ConnectionFailedError || error instanceof RegistryError) return error;
  const code = errorCode(error);
  if (typeof code === 'string' && TLS_TRUST_CODES.has(code)) {
    return new ConnectionFailedError(
      url,
      `TLS verification of ${url} failed: ${error.message} (${code}); trust the server's CA (ca, caFile, --ca) or pin its certificate (fingerprint, --fingerprint)`,
      { cause: error },
    );
  }
  return new ConnectionFailedError(url, `cannot connect to ${url}: ${error.message}`, { cause: error });
}

const statusCodes: Readonly<Record<number, ErrorCode>> = {
  400: 'invalid_frame',
  401: 'unauthorized',
  403: 'forbidden',
  429: 'rate_limited',
  503: 'unavailable',
};

const MAX_BODY_CHARS = 500;

/** Reads a little of a refused upgrade's body: servers often say there why they refused. */
function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = (): void => resolve(text.trim().slice(0, MAX_BODY_CHARS));
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      text += chunk;
      if (text.length >= MAX_BODY_CHARS) done();
    });
    response.once('end', done);
    response.once('error', done);
    response.once('close', done);
  });
}

/** The server answered the upgrade with an HTTP status instead of switching protocols. */
export async function describeRefusedUpgrade(url: string, response: IncomingMessage): Promise<Error> {
  const status = response.statusCode ?? 0;
  const body = await readBody(response);
  const said = body === '' ? (response.statusMessage ?? '') : body;
  const message = `the server at ${url} refused the connection: HTTP ${status}${said === '' ? '' : ` ${said}`}`;
  const code = statusCodes[status];
  if (code !== undefined) return new RegistryError(code, message, { details: { status } });
  return new ConnectionFailedError(url, message);
}
