import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from './errors.js';

/** How long a request waits for its answer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** How long opening the connection (TCP, TLS and the WebSocket upgrade) may take. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface ClientOptions {
  /**
   * PEM of the CA to trust instead of the system store (the server's `tls/ca.pem`).
   * Exclusive with `caFile`.
   * @default the system trust store
   */
  readonly ca?: string | Buffer;
  /** A file holding the CA PEM; read once at connect. Exclusive with `ca`. */
  readonly caFile?: string;
  /**
   * SHA-256 fingerprint of the server certificate, colon-separated hex as openssl prints it
   * (`AB:CD:…`; case and colons are optional). Pins that certificate: with no `ca`/`caFile`
   * the chain is not verified, only the pin; with one, both must hold.
   */
  readonly fingerprint?: string;
  /** Bearer token, sent as `Authorization: Bearer …` on the WebSocket upgrade. */
  readonly token?: string;
  /** @default DEFAULT_REQUEST_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** @default DEFAULT_CONNECT_TIMEOUT_MS */
  readonly connectTimeoutMs?: number;
  /**
   * TLS server name (SNI and the name the certificate must carry).
   * @default the URL's host name (none for an IP address)
   */
  readonly servername?: string;
}

/** Options with every default filled and every file read; frozen. */
export interface ResolvedClientOptions {
  readonly url: URL;
  /** The URL as messages show it: `wss://host:port`, without a bare trailing slash. */
  readonly displayUrl: string;
  readonly ca: string | Buffer | undefined;
  /** Normalised: uppercase hex pairs joined by colons. */
  readonly fingerprint: string | undefined;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly servername: string | undefined;
}

const FINGERPRINT_BYTES = 32;

/** `ab:cd…`, `ABCD…` or `AB CD …` → `AB:CD:…`; throws when it is not 32 bytes of hex. */
export function normaliseFingerprint(text: string): string {
  const hex = text.replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex) || hex.length !== FINGERPRINT_BYTES * 2) {
    throw new InvalidArgumentError(
      `fingerprint '${text}' is not a SHA-256 fingerprint (32 bytes of hex, e.g. AB:CD:…; see openssl x509 -fingerprint -sha256)`,
    );
  }
  return hex.match(/../g)?.join(':') ?? hex;
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new InvalidArgumentError(`'${text}' is not a URL (expected wss://host:port)`, { cause: error });
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
    throw new InvalidArgumentError(`'${text}' must start with wss:// (or ws:// for an insecure loopback server)`);
  }
  return url;
}

function checkTimeout(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds, not ${value}`);
  }
  return value;
}

async function readCa(options: ClientOptions): Promise<string | Buffer | undefined> {
  if (options.ca !== undefined && options.caFile !== undefined) {
    throw new InvalidArgumentError('give ca or caFile, not both');
  }
  if (options.caFile === undefined) return options.ca;
  try {
    return await readFile(options.caFile, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidArgumentError(`cannot read the CA file ${options.caFile}: ${reason}`, { cause: error });
  }
}

/** Checks the options once, before connecting, and reads `caFile`. */
export async function resolveClientOptions(url: string, options: ClientOptions = {}): Promise<ResolvedClientOptions> {
  const parsed = parseUrl(url);
  const token = options.token;
  if (token !== undefined && (token === '' || /[\r\n]/.test(token))) {
    throw new InvalidArgumentError('token must be non-empty and on one line');
  }
  const ca = await readCa(options);
  return Object.freeze({
    url: parsed,
    displayUrl: parsed.pathname === '/' && parsed.search === '' ? parsed.href.replace(/\/$/, '') : parsed.href,
    ca,
    fingerprint: options.fingerprint === undefined ? undefined : normaliseFingerprint(options.fingerprint),
    token,
    timeoutMs: checkTimeout('timeoutMs', options.timeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
    connectTimeoutMs: checkTimeout('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    servername: options.servername,
  });
}
