import type { Clock } from '../domain/index.js';
import type { RegistryConfig } from '../config/index.js';
import type { Logger } from './log.js';
import type { StreamLimits } from './stream-limits.js';

/** How long close() lets running requests finish before it drops the sockets. */
export const DEFAULT_DRAIN_MS = 5_000;

export interface ServerOptions {
  /** The configuration in force at start (flags › env › file › defaults already applied). */
  readonly config: RegistryConfig;
  /**
   * Loads the configuration again with the same flags and environment; used by `reload` and
   * by the file watcher. When absent, reload re-applies `config` as it is.
   */
  readonly reloadConfig?: () => Promise<RegistryConfig>;
  /**
   * Watch the configuration file and apply edits.
   * @default true when the configuration names a file
   */
  readonly watchConfig?: boolean;
  /** Event stream limits; see DEFAULT_STREAM_LIMITS. */
  readonly streamLimits?: Partial<StreamLimits>;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default a pino logger at config.server.logLevel */
  readonly logger?: Logger;
  /**
   * The folder of the built dashboard, served at `/ui/` (`npm run build:ui` writes it).
   * @default DEFAULT_DASHBOARD_DIR, the package's dist/ui/
   */
  readonly dashboardDir?: string;
}

export interface RegistryServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  readonly host: string;
  /** `wss://host:port` (or `ws://` with insecure loopback). */
  readonly url: string;
  /** The DNS port (UDP and TCP) when `[dns] enabled`; the one actually bound with port 0. */
  readonly dnsPort: number | undefined;
  /** The CA that signed the server certificate, when the server made its own; clients trust it. */
  readonly caPem: string | undefined;
  /** PEM of the certificate the server presents (undefined over plaintext). */
  readonly certPem: string | undefined;
  close(): Promise<void>;
  /** Resolves with the reason once closed; never rejects. */
  readonly closed: Promise<void | Error>;
  [Symbol.asyncDispose](): Promise<void>;
}
