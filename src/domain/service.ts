import type { Revision, ServiceId } from './brand.js';
import type { CheckDefinition, ServiceCheck } from './check.js';
import type { ServiceState } from './state.js';

export const SERVICE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Default time a registration stays active without a ping (the Plexus TTL). */
export const DEFAULT_TTL_SECONDS = 90;

export const serviceSources = ['auto', 'file', 'manual', 'env', 'deploy'] as const;
export type ServiceSource = (typeof serviceSources)[number];

export const networkKinds = ['local', 'lan', 'wireguard', 'public'] as const;
export type NetworkKind = (typeof networkKinds)[number];

export interface Endpoint {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export type ServiceLocation =
  | { readonly type: 'local' }
  | { readonly type: 'remote'; readonly host: string; readonly sshUser: string; readonly sshPort: number };

export interface HealthStatus {
  readonly status: 'passing' | 'warning' | 'critical';
  readonly message?: string;
  readonly checkedAt: number;
  readonly durationMs: number;
}

/**
 * The one record type. A Plexus backend is this record seen through `host/port/protocol`
 * (the primary endpoint); a service entry is the same record with its endpoints and addresses.
 * Times are milliseconds since the epoch; the Plexus dialects turn them into seconds.
 */
export interface Service {
  readonly id: ServiceId;
  readonly name: string;
  readonly namespace?: string;
  readonly version?: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly host: string;
  readonly port: number;
  readonly protocol: string;
  readonly hostId?: string;
  readonly location: ServiceLocation;
  readonly addresses: Readonly<Partial<Record<NetworkKind, string>>>;
  readonly endpoints: readonly Endpoint[];
  readonly state: ServiceState;
  readonly execution?: string;
  readonly dependsOn: readonly string[];
  /** Seconds without a ping before the service counts as inactive; absent means it never expires. */
  readonly ttlSeconds?: number;
  readonly lastSeen?: number;
  /** The TTL sweeper's mark: critical once it announced an expired TTL (see `serviceHealth` for the whole picture). */
  readonly health?: HealthStatus;
  /** Health checks the registry runs for this service, each with where it stands; absent means none. */
  readonly checks?: readonly ServiceCheck[];
  readonly source: ServiceSource;
  readonly registeredAt: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastStateChange: number;
  /** The global revision of the service's last change. */
  readonly revision: Revision;
}

/** A backend as a configuration file states it: exactly the Plexus keys, plus an optional TTL. */
export interface FileBackend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: string;
  readonly description?: string;
  readonly namespace?: string;
  readonly ttlSeconds?: number;
  /** `[[backend.check]]` tables. */
  readonly checks?: readonly CheckDefinition[];
}
