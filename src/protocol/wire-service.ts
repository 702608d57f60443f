import {
  asRevision,
  asServiceId,
  isActive,
  type Endpoint,
  type HealthStatus,
  type Service,
  serviceHealth,
  type ServiceLocation,
} from '../domain/index.js';
import { decodeServiceChecks, encodeCheck } from './wire-check.js';

/** Wire timestamps are Unix seconds, as upstream Plexus sends them. */
export const toSeconds = (ms: number): number => Math.floor(ms / 1000);
const toMs = (seconds: unknown): number => (typeof seconds === 'number' ? seconds * 1000 : 0);

/** Adds a key only when the value is defined: absent optional fields are omitted on the wire. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** A service as a Plexus backend (DESIGN §3c). */
export function encodeBackend(s: Service, now: number): Record<string, unknown> {
  const out: Record<string, unknown> = { id: s.id, name: s.name, host: s.host, port: s.port, protocol: s.protocol };
  put(out, 'description', s.description);
  put(out, 'namespace', s.namespace);
  put(out, 'version', s.version);
  if (Object.keys(s.metadata).length > 0) out.metadata = s.metadata;
  out.source = s.source;
  out.is_active = isActive(s, now);
  out.registered_at = toSeconds(s.registeredAt);
  put(out, 'last_seen', s.lastSeen === undefined ? undefined : toSeconds(s.lastSeen));
  out.created_at = toSeconds(s.createdAt);
  out.updated_at = toSeconds(s.updatedAt);
  return out;
}

/** A service in the action-envelope dialect: every field, snake_case, times in seconds. */
export function encodeService(s: Service, now: number): Record<string, unknown> {
  const out = encodeBackend(s, now);
  out.tags = s.tags;
  out.metadata = s.metadata;
  put(out, 'host_id', s.hostId);
  out.location = s.location.type === 'local' ? { type: 'local' } : { type: 'remote', host: s.location.host, ssh_user: s.location.sshUser, ssh_port: s.location.sshPort };
  out.addresses = s.addresses;
  out.endpoints = s.endpoints;
  out.state = s.state;
  put(out, 'execution', s.execution);
  out.depends_on = s.dependsOn;
  put(out, 'ttl_seconds', s.ttlSeconds);
  // The worst of the TTL and the checks, with its reason (the record's own `health` is the TTL sweeper's mark).
  const health = serviceHealth(s, now);
  if (health !== undefined) {
    const h: Record<string, unknown> = { status: health.status, checked_at: toSeconds(health.checkedAt), duration_ms: health.durationMs };
    put(h, 'message', health.message);
    out.health = h;
  }
  // Like `health`, only when there is something to say: a service without checks reads as before.
  if (s.checks !== undefined && s.checks.length > 0) out.checks = s.checks.map(encodeCheck);
  out.last_state_change = toSeconds(s.lastStateChange);
  out.revision = s.revision;
  return out;
}

/* Decoding is for the client library: the server is trusted, so shapes are read, not re-validated. */
type Wire = Readonly<Record<string, unknown>>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const obj = (v: unknown): Wire => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Wire) : {});

function decodeLocation(v: unknown): ServiceLocation {
  const w = obj(v);
  if (w.type !== 'remote') return { type: 'local' };
  return { type: 'remote', host: str(w.host) ?? '', sshUser: str(w.ssh_user) ?? '', sshPort: num(w.ssh_port) ?? 22 };
}

function decodeHealth(v: unknown): HealthStatus | undefined {
  if (v === undefined) return undefined;
  const w = obj(v);
  const status = w.status === 'warning' || w.status === 'critical' ? w.status : 'passing';
  const message = str(w.message);
  return { status, checkedAt: toMs(w.checked_at), durationMs: num(w.duration_ms) ?? 0, ...(message === undefined ? {} : { message }) };
}

function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function decodeService(value: unknown): Service {
  const w = obj(value);
  return defined({
    id: asServiceId(str(w.id) ?? ''),
    name: str(w.name) ?? '',
    namespace: str(w.namespace),
    version: str(w.version),
    description: str(w.description),
    tags: Array.isArray(w.tags) ? w.tags.filter((t): t is string => typeof t === 'string') : [],
    metadata: obj(w.metadata) as Record<string, string>,
    host: str(w.host) ?? '',
    port: num(w.port) ?? 0,
    protocol: str(w.protocol) ?? 'ws',
    hostId: str(w.host_id),
    location: decodeLocation(w.location),
    addresses: obj(w.addresses) as Service['addresses'],
    endpoints: Array.isArray(w.endpoints) ? (w.endpoints as Endpoint[]) : [],
    state: (str(w.state) ?? 'registered') as Service['state'],
    execution: str(w.execution),
    dependsOn: Array.isArray(w.depends_on) ? w.depends_on.filter((t): t is string => typeof t === 'string') : [],
    ttlSeconds: num(w.ttl_seconds),
    lastSeen: w.last_seen === undefined ? undefined : toMs(w.last_seen),
    health: decodeHealth(w.health),
    checks: decodeServiceChecks(w.checks),
    source: (str(w.source) ?? 'manual') as Service['source'],
    registeredAt: toMs(w.registered_at),
    createdAt: toMs(w.created_at),
    updatedAt: toMs(w.updated_at),
    lastStateChange: toMs(w.last_state_change),
    revision: asRevision(num(w.revision) ?? 0),
  });
}
