import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { RegistryError } from '../domain/index.js';

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  /** Absent means plaintext (only ever with insecure loopback). With `ca`, clients are asked for a certificate. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string };
  /** Frames above this close the connection (code 1009); frames above the soft limit get an error answer instead. */
  readonly hardFrameLimit: number;
  /** Every plain HTTP request (`/healthz`, `/metrics`, the read API); upgrades go to the WebSocket server instead. */
  readonly request: (req: IncomingMessage, res: ServerResponse) => void;
  /** Time a new connection has to finish the TLS handshake and send its request. */
  readonly handshakeTimeoutMs: number;
  /** Sees each TCP connection as it is accepted, before TLS: it may count it, or destroy it. */
  readonly onConnection?: (socket: Socket) => void;
  /** Decides each WebSocket upgrade before it completes: undefined accepts, a refusal answers its HTTP status and reason. */
  readonly verifyUpgrade?: (req: IncomingMessage) => { readonly status: number; readonly reason: string } | undefined;
}

/** Answers at least this large go compressed to a client that offered permessage-deflate; smaller frames never. */
export const DEFAULT_DEFLATE_THRESHOLD_BYTES = 1024;

/**
 * permessage-deflate as this server accepts it: only frames of DEFAULT_DEFLATE_THRESHOLD_BYTES or
 * more, no context kept between messages (nothing of zlib's stays tied to a connection's history),
 * and small windows and memory levels, so a connection that compressed once holds tens of KB of
 * zlib state rather than hundreds. A connection that never sends or receives a large frame has no
 * zlib state at all (ws creates it on first use).
 */
export const DEFLATE_OPTIONS = Object.freeze({
  threshold: DEFAULT_DEFLATE_THRESHOLD_BYTES,
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  serverMaxWindowBits: 12,
  zlibDeflateOptions: { level: 1, memLevel: 4 },
  zlibInflateOptions: { chunkSize: 16 * 1024 },
  concurrencyLimit: 4,
});

export interface Listener {
  readonly http: Server;
  readonly wss: WebSocketServer;
  readonly port: number;
  /** New handshakes use this certificate, key and client CA; open connections keep theirs. Absent over plaintext. */
  readonly setSecureContext?: (material: { readonly cert: string; readonly key: string; readonly ca?: string }) => void;
}

/** One port: HTTPS for plain requests (`options.request`), and WebSocket upgrades. */
export async function listen(options: ListenerOptions): Promise<Listener> {
  const onRequest = options.request;
  // A client certificate is asked for, not required: the chain is checked on the upgrade (auth-upgrade.ts), where a refusal can say why.
  const clientCa = options.tls?.ca === undefined ? {} : { ca: options.tls.ca, requestCert: true, rejectUnauthorized: false };
  // A peer that opens TCP and never starts TLS (or never sends its request) is dropped after the handshake timeout, not 120 s.
  const timeouts = { headersTimeout: options.handshakeTimeoutMs, requestTimeout: 0, connectionsCheckingInterval: Math.min(1_000, options.handshakeTimeoutMs) };
  const https = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2', handshakeTimeout: options.handshakeTimeoutMs, ...timeouts, ...clientCa }, onRequest)
    : undefined;
  const http = https ?? createHttpServer(timeouts, onRequest);
  if (options.onConnection !== undefined) http.on('connection', options.onConnection);
  const { verifyUpgrade } = options;
  const verifyClient =
    verifyUpgrade === undefined
      ? undefined
      : (info: { req: IncomingMessage }, done: (ok: boolean, status?: number, reason?: string, headers?: Record<string, string>) => void): void => {
          const refusal = verifyUpgrade(info.req);
          if (refusal === undefined) done(true);
          // ws labels refusals text/html by default; the reason is plain text.
          else done(false, refusal.status, `${refusal.reason}\n`, { 'Content-Type': 'text/plain; charset=utf-8' });
        };
  await new Promise<void>((resolve, reject) => {
    const refuse = (error: Error): void => reject(bindError(error, options.host, options.port));
    http.once('error', refuse);
    http.listen(options.port, options.host, () => {
      http.off('error', refuse);
      resolve();
    });
  });
  // Attached once bound: ws re-emits the server's errors, and a bind error must not reach it unhandled.
  const wss = new WebSocketServer({ server: http, maxPayload: options.hardFrameLimit, perMessageDeflate: { ...DEFLATE_OPTIONS }, ...(verifyClient ? { verifyClient } : {}) });
  const port = (http.address() as AddressInfo).port;
  const setSecureContext = https
    ? (material: { readonly cert: string; readonly key: string; readonly ca?: string }) =>
        https.setSecureContext({ cert: material.cert, key: material.key, minVersion: 'TLSv1.2', ...(material.ca === undefined ? {} : { ca: material.ca }) })
    : undefined;
  return { http, wss, port, ...(setSecureContext ? { setSecureContext } : {}) };
}

const bindReasons: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use',
  EADDRNOTAVAIL: 'the address is not one of this host\'s',
  EACCES: 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)',
  EPERM: 'permission denied',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
};

/** `cannot listen on 127.0.0.1:4445: the port is in use`, as `unavailable`: an operator's mistake, not a crash. */
export function bindError(error: Error, host: string, port: number): RegistryError {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const reason = (code === undefined ? undefined : bindReasons[code]) ?? error.message;
  return new RegistryError('unavailable', `cannot listen on ${where}: ${reason}`, { cause: error, details: { host, port, ...(code === undefined ? {} : { errno: code }) } });
}
