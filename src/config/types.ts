/** A `[[backend]]` entry of the file, in camelCase: exactly the Plexus keys plus `ttl`. */
import type { FileBackend } from '../domain/index.js';
export type { FileBackend };

/** The shapes of the configuration: what callers pass in and the frozen object they get back. */
import type { NodeDefinition, Role } from '../domain/index.js';
import type { Network } from '../ipam/index.js';
import type { HealthSettings } from './health.js';
import type { DnsSettings } from './dns.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4445;
export const DEFAULT_LOG_LEVEL = 'info';
export const DEFAULT_MAX_FRAME_BYTES = 1_048_576;
export const DEFAULT_EVENT_RETENTION = 100_000;
export const DEFAULT_BACKEND_PROTOCOL = 'ws';
export const DEFAULT_LOOPBACK_ROLE = 'admin';
export const DEFAULT_ANONYMOUS_ROLE = 'none';
export const DEFAULT_DB_FILE = 'registry.db';
/** Seconds between two rescans of this host's network interfaces. */
export const DEFAULT_TOPOLOGY_INTERVAL_SECONDS = 30;
/** `[[node]]` defaults: the SSH port and the folder releases are installed under. */
export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_INSTALL_DIR = '/opt';
/** Quiet time after the last file event before a reload, so one save is one reload. */
export const DEFAULT_RELOAD_DEBOUNCE_MS = 100;
/** `[limits]` defaults (SECURITY.md): generous for real fleets, still a bound on one caller. */
export const DEFAULT_MAX_CONNECTIONS = 16_384;
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1_024;
export const DEFAULT_REQUESTS_PER_SECOND = 10_000;
export const DEFAULT_REQUEST_BURST = 20_000;
export const DEFAULT_MAX_PENDING_REQUESTS = 1_024;
export const DEFAULT_MAX_SUBSCRIPTIONS = 64;
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
/** Unread output of all connections together before the one holding the most is cut. */
export const DEFAULT_MAX_UNREAD_TOTAL_BYTES = 256 * 1024 * 1024;
/** Seconds a new connection has to finish its TLS handshake and send its request. */
export const DEFAULT_HANDSHAKE_TIMEOUT_SECONDS = 10;

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];


/** The environment as `process.env` has it. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/**
 * Command-line flags. Every field is optional; a set field wins over the environment,
 * the file and the defaults. Relative paths are resolved against `cwd`.
 */
export interface ConfigOverrides {
  /** `--host` */
  readonly host?: string;
  /** `--port`; 0 lets the OS pick a free port. */
  readonly port?: number;
  /** `--config` */
  readonly configPath?: string;
  /** `--data-dir` */
  readonly dataDir?: string;
  /** `--db-path` */
  readonly dbPath?: string;
  /** `--tls-cert` */
  readonly tlsCert?: string;
  /** `--tls-key` */
  readonly tlsKey?: string;
  /** `--insecure-loopback` */
  readonly insecureLoopback?: boolean;
  /** `--log-level` */
  readonly logLevel?: LogLevel;
  /** `--auto-register` / `--no-auto-register` */
  readonly autoRegister?: boolean;
  /** `--store`: a SQLite path or a `postgres://` URL. */
  readonly storeUrl?: string;
}


/** A table of an array the later issues define (`[[service]]`, `[[network]]`, `[[node]]`), passed through. */
export type LooseTable = Readonly<Record<string, unknown>>;

export interface ServerSettings {
  readonly host: string;
  /** 0 lets the OS pick a free port. */
  readonly port: number;
  /** Absolute. Holds the database and `tls/`. */
  readonly dataDir: string;
  /** Absolute path of the SQLite file. */
  readonly dbPath: string;
  readonly autoRegister: boolean;
  readonly logLevel: LogLevel;
  /** Plaintext `ws://`; only ever true while `host` is loopback. */
  readonly insecureLoopback: boolean;
  readonly maxFrameBytes: number;
  /** This host's id, as services name it in `host_id` (`[server] host_id`; default the host name). */
  readonly hostId: string;
  /** Seconds between two rescans of the network interfaces (`[server] topology_interval`). */
  readonly topologyIntervalSeconds: number;
}

/** Both paths absolute. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

/** `[tls]`: the certificate served and whose client certificates are trusted. */
export interface TlsSettings {
  /** The operator's certificate and key (`cert`/`key`, `--tls-cert`/`--tls-key`); null: the server makes its own under `dataDir/tls`. */
  readonly files: TlsFiles | null;
  /** `names`: DNS names and IP addresses the certificate the server makes covers besides its own (empty with `files`). */
  readonly names: readonly string[];
  /** `client_ca`: absolute path of a PEM file of CAs whose client certificates are trusted beside the local CA's; null when unset. */
  readonly clientCa: string | null;
}

export interface AuthSettings {
  readonly loopbackRole: Role;
  readonly anonymousRole: Role;
  /**
   * Browser origins (`https://dash.example:8443`) whose pages may open the WebSocket endpoint,
   * besides the server's own. A browser caller never holds the loopback role either way.
   */
  readonly allowedOrigins: readonly string[];
}

/** `[limits]`: what one connection or address may hold or send; each ends in a clear error or close code. */
export interface LimitSettings {
  /** Open WebSocket connections in all; past it an upgrade is refused with HTTP 503. */
  readonly maxConnections: number;
  /** Open connections from one remote address (loopback callers count only in the total). */
  readonly maxConnectionsPerAddress: number;
  /** Token bucket refill per connection; an empty bucket answers `rate_limited`. */
  readonly requestsPerSecond: number;
  /** Token bucket size: the burst a connection may send at once. */
  readonly requestBurst: number;
  /** Requests of one connection running at once; past it a request answers `limit_exceeded`. */
  readonly maxPendingRequests: number;
  /** Event subscriptions per connection; past it `subscribe` answers `limit_exceeded`. */
  readonly maxSubscriptions: number;
  /** Seconds without a frame or a pong before a connection is dropped (pings go out at half of it); 0: no pings. */
  readonly idleTimeoutSeconds: number;
  /** Unread output (answers and events) of all connections together; past it the connection holding the most is cut (4008). */
  readonly maxUnreadTotalBytes: number;
  /** Seconds a TCP connection has to finish the TLS handshake and send its request; it counts against the connection limits meanwhile. */
  readonly handshakeTimeoutSeconds: number;
}

export interface StorageSettings {
  /** An absolute SQLite path or a `scheme://` URL such as `postgres://…`. */
  readonly url: string;
  readonly eventRetention: number;
}

/** The configuration, parsed once, every default filled, deeply frozen. */
export interface RegistryConfig {
  /** Absolute path of the configuration file (it may not exist: see `configFound`). */
  readonly configPath: string;
  /** False when the default file is absent and the configuration is all defaults, env and flags. */
  readonly configFound: boolean;
  readonly server: ServerSettings;
  readonly tls: TlsSettings;
  readonly auth: AuthSettings;
  readonly storage: StorageSettings;
  readonly limits: LimitSettings;
  /** `[health]`: whether script checks are allowed, and how many checks run at once. */
  readonly health: HealthSettings;
  /** `[dns]`: the DNS interface, off unless `enabled`. */
  readonly dns: DnsSettings;
  readonly backends: readonly FileBackend[];
  /** `REGISTRY_BACKENDS`: backends given in the environment, registered with `source = env`. */
  readonly envBackends: readonly FileBackend[];
  readonly services: readonly LooseTable[];
  /**
   * The `[[network]]` tables, parsed once and compiled: blocks and addresses as numbers, CIDRs
   * well formed, gateway and reserved inside, no overlaps. `definition` keeps each table as written.
   */
  readonly networks: readonly Network[];
  readonly nodes: readonly LooseTable[];
  /** The `[[node]]` tables validated, defaults filled, key and known_hosts paths absolute. */
  readonly nodeDefinitions: readonly NodeDefinition[];
}

/** Where a problem was found. */
export type ConfigIssueSource = 'file' | 'env' | 'flags';

export interface ConfigIssue {
  readonly source: ConfigIssueSource;
  /** The bad field: `backend[0].port`, `REGISTRY_PORT`, `--port`; absent for a cross-field rule. */
  readonly path?: string;
  readonly message: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  /** 1-based column in the file, when known. */
  readonly column?: number;
}
