import {
  type BackendWire,
  type Endpoint,
  isActive,
  type Service,
  serviceHealth,
  type ServiceLocation,
  type ServiceWire,
} from '../domain/index.js';
import { encodeDeclaredCheck } from './wire-check.js';
import type { Frozen } from './frozen.js';

/** Wire timestamps are Unix seconds, as upstream Plexus sends them. */
export const toSeconds = (ms: number): number => Math.floor(ms / 1000);

const encodeLocation = (location: ServiceLocation): ServiceWire['location'] =>
  location.type === 'local' ? { type: 'local' } : { type: 'remote', host: location.host, ssh_user: location.sshUser, ssh_port: location.sshPort };

const encodeEndpoint = (e: Endpoint): Frozen<ServiceWire['endpoints'][number]> => ({ name: e.name, port: e.port, protocol: e.protocol, metadata: e.metadata });

/**
 * A service on the wire (`domain/wire-service.ts`): every field, snake_case, times in seconds,
 * keys in the schema's order. An undefined field is absent from the JSON.
 */
export function encodeService(s: Service, now: number): Frozen<ServiceWire> {
  // The worst of the TTL and the checks, with its reason (the record's own `health` is the TTL sweeper's mark).
  const health = serviceHealth(s, now);
  const { local, lan, wireguard, public: publicAddress } = s.addresses;
  // One flat literal, no spread: V8 (Node 20) gives an object built as `{ ...a, more }` a map it
  // cannot share, so every extra key made a new map: 20 µs and most of the GC per encode.
  return {
    id: s.id,
    name: s.name,
    host: s.host,
    port: s.port,
    protocol: s.protocol,
    description: s.description,
    namespace: s.namespace,
    version: s.version,
    source: s.source,
    is_active: isActive(s, now),
    registered_at: toSeconds(s.registeredAt),
    last_seen: s.lastSeen === undefined ? undefined : toSeconds(s.lastSeen),
    created_at: toSeconds(s.createdAt),
    updated_at: toSeconds(s.updatedAt),
    tags: s.tags,
    metadata: s.metadata,
    host_id: s.hostId,
    location: encodeLocation(s.location),
    addresses: { local, lan, wireguard, public: publicAddress },
    endpoints: s.endpoints.map(encodeEndpoint),
    state: s.state,
    execution: s.execution,
    depends_on: s.dependsOn,
    ttl_seconds: s.ttlSeconds,
    health:
      health === undefined
        ? undefined
        : { status: health.status, checked_at: toSeconds(health.checkedAt), duration_ms: health.durationMs, message: health.message },
    // Like `health`, only when there is something to say: a service without checks reads as before.
    checks: s.checks === undefined || s.checks.length === 0 ? undefined : s.checks.map(encodeDeclaredCheck),
    last_state_change: toSeconds(s.lastStateChange),
    revision: s.revision,
  };
}

/** A service as a Plexus backend (README "Plexus hub call"): the Plexus fields of its wire record, `metadata` only when it has entries. */
export function backendOf(s: Frozen<ServiceWire>): Frozen<BackendWire> {
  // Picked field by field into one literal, not spread: see encodeService.
  const { id, name, host, port, protocol, description, namespace, version, source, is_active, registered_at, last_seen, created_at, updated_at } = s;
  const metadata = Object.keys(s.metadata).length > 0 ? s.metadata : undefined;
  return { id, name, host, port, protocol, description, namespace, version, metadata, source, is_active, registered_at, last_seen, created_at, updated_at };
}
