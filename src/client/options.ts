import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { InvalidArgumentError } from './errors.js';

/** How long a request waits for its answer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** How long opening the connection (TCP, TLS and the WebSocket upgrade) may take. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** How many times a read, or a write with its request id, is sent again (see ClientOptions.retries). */
export const DEFAULT_RETRIES = 3;
/** With compression on, requests at least this large go compressed; smaller ones never. */
export const DEFAULT_COMPRESSION_THRESHOLD_BYTES = 1024;

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
   * PEM of a client certificate to present (mTLS), as `registry cert issue-client` writes it;
   * the server takes the caller's role from its subject's OU. Exclusive with `certFile`; needs
   * `key` or `keyFile` unless the PEM holds the private key too.
   * @default no client certificate
   */
  readonly cert?: string | Buffer;
  /** A file holding the client certificate PEM; read once at connect. Exclusive with `cert`. */
  readonly certFile?: string;
  /**
   * PEM of the client certificate's private key. Exclusive with `keyFile`.
   * @default the certificate's own PEM when it holds a private key
   */
  readonly key?: string | Buffer;
  /** A file holding the private key PEM; read once at connect. Exclusive with `key`. */
  readonly keyFile?: string;
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
   * How many times a call whose connection was lost before its answer (or a write answered
   * `unavailable`) is sent again (on a new connection when the old one was lost), with doubling,
   * jittered delays from 100 ms. Only calls that are safe to send again are: reads, and writes,
   * which carry a `request_id` (one is made for each call that does not give its own) so that the
   * server applies a write once however often it arrives. 0 sends every call once.
   * @default DEFAULT_RETRIES
   */
  readonly retries?: number;
  /**
   * The consistency of every read that does not ask for its own: `consistent` waits until the
   * server has applied every write acknowledged before the read (on any server of a cluster);
   * `stale` answers at once from what the server holds, which may lag other servers' writes.
   * @default 'consistent'
   */
  readonly consistency?: ReadConsistency;
  /**
   * TLS server name (SNI and the name the certificate must carry).
   * @default the URL's host name (none for an IP address)
   */
  readonly servername?: string;
  /**
   * Offers permessage-deflate: a server that accepts it (this registry does) compresses answers of
   * 1 KiB or more, such as a long list. No compression context is kept between messages.
   * @default true
   */
  readonly compression?: boolean;
}

/** Options with every default filled and every file read; frozen. */
export type ReadConsistency = 'consistent' | 'stale';

export interface ResolvedClientOptions {
  readonly url: URL;
  /** The URL as messages show it: `wss://host:port`, without a bare trailing slash. */
  readonly displayUrl: string;
  readonly ca: string | Buffer | undefined;
  /** The client certificate and its key, checked to belong together; undefined when none is presented. */
  readonly clientCertificate: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  /** Normalised: uppercase hex pairs joined by colons. */
  readonly fingerprint: string | undefined;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly servername: string | undefined;
  readonly retries: number;
  readonly consistency: ReadConsistency;
  readonly compression: boolean;
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

function checkConsistency(value: string | undefined): ReadConsistency {
  if (value === undefined || value === 'consistent' || value === 'stale') return value ?? 'consistent';
  throw new InvalidArgumentError(`consistency must be 'consistent' or 'stale', not '${value}'`);
}

function checkRetries(value: number | undefined): number {
  if (value === undefined) return DEFAULT_RETRIES;
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`retries must be a whole number ≥ 0, not ${value}`);
  return value;
}

/** A PEM given inline or as a file: `what` names it in errors (`CA`, `client certificate`, …). */
async function readPem(what: string, names: readonly [string, string], inline: string | Buffer | undefined, file: string | undefined): Promise<string | Buffer | undefined> {
  if (inline !== undefined && file !== undefined) throw new InvalidArgumentError(`give ${names[0]} or ${names[1]}, not both`);
  if (file === undefined) return inline;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidArgumentError(`cannot read the ${what} file ${file}: ${reason}`, { cause: error });
  }
}

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * The client certificate and key, read and tried together now, so that a wrong file is a clear
 * error before connecting rather than a TLS failure later.
 */
async function readClientCertificate(options: ClientOptions, url: URL): Promise<ResolvedClientOptions['clientCertificate']> {
  const cert = await readPem('client certificate', ['cert', 'certFile'], options.cert, options.certFile);
  const givenKey = await readPem('client key', ['key', 'keyFile'], options.key, options.keyFile);
  if (cert === undefined) {
    if (givenKey !== undefined) throw new InvalidArgumentError('a client key was given without a certificate: give cert or certFile (--cert) with it');
    return undefined;
  }
  const key = givenKey ?? (PRIVATE_KEY_PEM.test(cert.toString()) ? cert : undefined);
  if (key === undefined) {
    throw new InvalidArgumentError('the client certificate needs its private key: give key or keyFile (--key), or a PEM that holds both');
  }
  if (url.protocol !== 'wss:') throw new InvalidArgumentError(`a client certificate needs a wss:// URL; ${url.protocol}// has no TLS to present it on`);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidArgumentError(`the client certificate and key cannot be used together: ${reason}`, { cause: error });
  }
  return Object.freeze({ cert, key });
}

/** Checks the options once, before connecting, and reads the files they name. */
export async function resolveClientOptions(url: string, options: ClientOptions = {}): Promise<ResolvedClientOptions> {
  const parsed = parseUrl(url);
  const token = options.token;
  if (token !== undefined && (token === '' || /[\r\n]/.test(token))) {
    throw new InvalidArgumentError('token must be non-empty and on one line');
  }
  const ca = await readPem('CA', ['ca', 'caFile'], options.ca, options.caFile);
  const clientCertificate = await readClientCertificate(options, parsed);
  return Object.freeze({
    url: parsed,
    displayUrl: parsed.pathname === '/' && parsed.search === '' ? parsed.href.replace(/\/$/, '') : parsed.href,
    ca,
    clientCertificate,
    fingerprint: options.fingerprint === undefined ? undefined : normaliseFingerprint(options.fingerprint),
    token,
    timeoutMs: checkTimeout('timeoutMs', options.timeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
    connectTimeoutMs: checkTimeout('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    servername: options.servername,
    retries: checkRetries(options.retries),
    consistency: checkConsistency(options.consistency),
    compression: options.compression ?? true,
  });
}
